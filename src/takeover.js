// The whole app taking over a page the build prerendered for it (a wizard's first step, see
// src/bin/onething-prerender.rs). The person has been reading and answering it since the first
// paint; the app is built out of sight beside it and put in its place in one task once its page
// is there, with the person's answers, focus and a pending button press carried over: no flash,
// nothing typed lost.

// Whether #app holds a prerendered page for the whole app (not the static first paint).
export function prerendered() {
  const app = document.getElementById('app');
  return !!app && app.hasAttribute('data-prerendered');
}

// A hidden element right after #app, for the app to mount into.
export function stage() {
  const fresh = document.createElement('div');
  fresh.hidden = true;
  document.getElementById('app').after(fresh);
  return fresh;
}

// Once `fresh` shows a page (its heading, or an error it could not load), it replaces #app.
export function takeOver(fresh) {
  const since = Date.now();
  const wait = () => {
    const shown = fresh.querySelector('main h1, main [role="alert"]');
    // A page that never comes still ends the wait: whatever the app shows is better than a
    // page whose buttons do nothing.
    if (shown || Date.now() - since > 10000) swap(fresh);
    else setTimeout(wait, 25);
  };
  setTimeout(wait, 0);
}

// The same element in the app's page: by id, else the main heading.
function counterpart(el, fresh) {
  if (el.id) return fresh.querySelector('#' + CSS.escape(el.id));
  if (el.matches('main h1')) return fresh.querySelector('main h1');
  return null;
}

// What the person answered on the prerendered page, answered again in the app's, through the
// app's own event handlers (in document order: an answer may show the next question).
function carryAnswers(old, fresh) {
  for (const el of old.querySelectorAll('input, select, textarea')) {
    const to = counterpart(el, fresh);
    if (!to || to.disabled || to.type !== el.type || el.type === 'file') continue;
    if (el.type === 'radio' || el.type === 'checkbox') {
      if (el.checked !== el.defaultChecked && to.checked !== el.checked) to.click();
      continue;
    }
    const changed = el.tagName === 'SELECT'
      ? [...el.options].some((o) => o.selected !== o.defaultSelected)
      : el.value !== el.defaultValue;
    if (changed && to.value !== el.value) {
      to.value = el.value;
      to.dispatchEvent(new Event('input', { bubbles: true }));
      to.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }
}

function swap(fresh) {
  const old = document.getElementById('app');
  if (!old || old === fresh) return;
  carryAnswers(old, fresh);
  const active = document.activeElement;
  const focus = active && old.contains(active) ? counterpart(active, fresh) : null;
  const x = window.scrollX;
  const y = window.scrollY;
  old.remove();
  fresh.id = 'app';
  fresh.hidden = false;
  if (window.scrollX !== x || window.scrollY !== y) window.scrollTo(x, y);
  if (focus) {
    if (focus.matches('h1')) focus.setAttribute('tabindex', '-1');
    focus.focus({ preventScroll: true });
  }
  // A button pressed before the app was there (the page's own script kept it): pressed now,
  // if the app's page has the same button at the same place.
  const pressed = window.onethingPressed;
  window.onethingPressed = null;
  if (pressed) {
    const button = fresh.querySelectorAll('button')[pressed.index];
    if (button && button.textContent === pressed.text) button.click();
  }
}
