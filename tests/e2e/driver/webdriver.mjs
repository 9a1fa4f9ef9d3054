// One driver layer for every engine: a small W3C WebDriver (classic) client over node's fetch,
// with the page API the flows are written in (a subset of Playwright's: `locator`, `getByRole`,
// `getByText`, `waitForURL`, `evaluate`, `screenshot`), so a flow is written once and runs in
// Chromium (chromedriver), Firefox ESR (geckodriver) and WebKit (WebKitWebDriver + MiniBrowser).
// No npm dependency: the protocol is plain JSON over loopback HTTP.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** The phone the flows are run on: CSS pixels, as a 360 × 780 screenshot. */
export const PHONE = { width: 360, height: 780 };

/** `name` on the PATH, else where `cargo install` puts it. */
const installed = (name) => (process.env.PATH || '').split(':').filter(Boolean).map((d) => join(d, name)).find((f) => existsSync(f))
  ?? join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'bin', name);

/** Where each engine's driver and browser are, as the project's setup installs them. */
export const ENGINES = {
  chromium: {
    driver: process.env.CHROMEDRIVER_BIN || '/usr/bin/chromedriver',
    browser: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    portArgs: (port) => [`--port=${port}`],
  },
  firefox: {
    driver: process.env.GECKODRIVER_BIN || installed('geckodriver'),
    browser: process.env.FIREFOX_BIN || '/usr/bin/firefox-esr',
    portArgs: (port) => ['--port', String(port), '--log', 'error'],
  },
  webkit: {
    driver: process.env.WEBKIT_DRIVER_BIN || '/usr/bin/WebKitWebDriver',
    // Debian's multiarch directory of libwebkit2gtk-4.1-0 (a dependency of webkit2gtk-driver).
    browser: process.env.MINIBROWSER_BIN
      || `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/webkit2gtk-4.1/MiniBrowser`,
    portArgs: (port) => [`--port=${port}`],
    // WebKitGTK 2.50's MiniBrowser has no headless mode: it draws on a virtual X display.
    display: true,
  },
};

/** The engines asked for in `ONETHING_ENGINES` (comma-separated), or none. */
export function enginesWanted() {
  return (process.env.ONETHING_ENGINES || '').split(',').map((s) => s.trim()).filter(Boolean);
}

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Stops a child process we started (by its handle) and waits for it to go. */
async function stopChild(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A virtual X display (Debian's Xvfb) for a browser without a headless mode. */
async function startXvfb() {
  // `-displayfd` makes Xvfb pick a free display and write its number on that descriptor.
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1024x900x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const display = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start:\n${err}`)), 20_000);
    child.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) { clearTimeout(timer); resolve(`:${out.trim()}`); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited (${code}):\n${err}`)); });
  });
  return { display, stop: () => stopChild(child) };
}

const TINY_TOOLBAR = `* { font-size: 1px; }
toolbar, toolbar *, headerbar, headerbar *, entry, button { padding: 0; margin: 0; min-width: 0; min-height: 0; border-width: 0; }
`;

class WebDriverError extends Error {
  constructor(status, value) {
    super(`${value?.error ?? status}: ${value?.message ?? ''}`.trim());
    this.code = value?.error;
  }
}

/**
 * Starts the driver of `engine` (and a virtual display when it needs one). Resolves to
 * { engine, url, newSession(opts), stop() }.
 */
export async function startDriver(engine) {
  const spec = ENGINES[engine];
  if (!spec) throw new Error(`unknown engine ${engine}`);
  for (const f of [spec.driver, spec.browser]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`cargo xtask setup\` (or \`cargo xtask test\`)`);
  }
  const xvfb = spec.display ? await startXvfb() : null;
  try {
    return await launchDriver(engine, spec, xvfb);
  } catch (e) {
    await xvfb?.stop();
    throw e;
  }
}

async function launchDriver(engine, spec, xvfb) {
  const port = await freePort();
  const env = { ...process.env, ...(xvfb ? { DISPLAY: xvfb.display } : {}) };
  let gtkConfig = null;
  if (engine === 'webkit') {
    // MiniBrowser's toolbar would keep its window wider than a phone (447 px): a GTK style sheet
    // of its own shrinks the toolbar's widgets (web content is not styled by GTK).
    gtkConfig = mkdtempSync(join(tmpdir(), 'onething-gtk-'));
    mkdirSync(join(gtkConfig, 'gtk-3.0'));
    writeFileSync(join(gtkConfig, 'gtk-3.0', 'gtk.css'), TINY_TOOLBAR);
    // No accessibility bus and no GPU on a virtual display.
    Object.assign(env, { XDG_CONFIG_HOME: gtkConfig, NO_AT_BRIDGE: '1', WEBKIT_DISABLE_COMPOSITING_MODE: '1', LIBGL_ALWAYS_SOFTWARE: '1' });
  }
  if (engine === 'firefox') env.MOZ_HEADLESS = '1';
  const child = spawn(spec.driver, spec.portArgs(port), { stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/status`).then((r) => r.json()).then((j) => j.value?.ready !== undefined).catch(() => false);
    if (ready) break;
    if (child.exitCode !== null || i > 200) {
      await stopChild(child);
      if (gtkConfig) rmSync(gtkConfig, { recursive: true, force: true });
      throw new Error(`${spec.driver} did not start (exit ${child.exitCode}):\n${log}`);
    }
    await sleep(100);
  }
  const driver = {
    engine,
    url,
    log: () => log,
    /**
     * A new browser (one session); `profile`: a directory that outlives it, for a restart;
     * `prefs`: Firefox preferences (e.g. a feature turned off).
     */
    newSession: (opts = {}) => Session.create(driver, spec, opts),
    stop: async () => {
      await stopChild(child);
      await xvfb?.stop();
      if (gtkConfig) rmSync(gtkConfig, { recursive: true, force: true });
    },
  };
  return driver;
}

function capabilities(engine, spec, { profile, prefs = {} }) {
  const common = { pageLoadStrategy: 'normal', unhandledPromptBehavior: 'dismiss', timeouts: { script: 30_000, pageLoad: 60_000, implicit: 0 } };
  if (engine === 'chromium') {
    return {
      ...common,
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: spec.browser,
        args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
          '--disable-background-networking', '--disable-component-update', '--disable-sync',
          '--no-first-run', '--disable-quic', '--force-device-scale-factor=1',
          `--window-size=${PHONE.width},${PHONE.height}`,
          ...(profile ? [`--user-data-dir=${profile}`] : [])],
      },
    };
  }
  if (engine === 'firefox') {
    return {
      ...common,
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: spec.browser,
        args: ['-headless', `--width=${PHONE.width}`, `--height=${PHONE.height}`, ...(profile ? ['-profile', profile] : [])],
        prefs: {
          'layout.css.devPixelsPerPx': '1.0',
          // Reads the profile's userChrome.css (below), which lets the window be phone-narrow.
          'toolkit.legacyUserProfileCustomizations.stylesheets': true,
          'browser.shell.checkDefaultBrowser': false,
          'datareporting.policy.dataSubmissionEnabled': false,
          'app.update.enabled': false,
          ...prefs,
        },
      },
    };
  }
  return {
    ...common,
    browserName: 'MiniBrowser',
    'webkitgtk:browserOptions': { binary: spec.browser, args: ['--automation'] },
  };
}

/** The page API (a subset of Playwright's) over one WebDriver session. */
export class Session {
  static async create(driver, spec, opts) {
    let own = null;
    if (driver.engine === 'firefox') {
      // Firefox keeps its window at least 500 px wide for its toolbars; the profile's own
      // browser style sheet lifts that, so the page is laid out at a phone's 360 px.
      if (!opts.profile) {
        own = mkdtempSync(join(tmpdir(), 'onething-firefox-'));
        opts = { ...opts, profile: own };
      }
      mkdirSync(join(opts.profile, 'chrome'), { recursive: true });
      writeFileSync(join(opts.profile, 'chrome', 'userChrome.css'),
        ':root, #main-window, #navigator-toolbox, toolbar, #nav-bar, #TabsToolbar, #urlbar-container { min-width: 0 !important; }\n');
    }
    const r = await fetch(`${driver.url}/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ capabilities: { alwaysMatch: capabilities(driver.engine, spec, opts) } }),
    });
    const body = await r.json();
    if (!r.ok) {
      if (own) rmSync(own, { recursive: true, force: true });
      throw new WebDriverError(r.status, body.value);
    }
    const s = new Session(driver, body.value.sessionId, body.value.capabilities);
    s.ownProfile = own;
    await s.fitViewport();
    return s;
  }

  constructor(driver, id, caps) {
    this.driver = driver;
    this.id = id;
    this.caps = caps;
    this.engine = driver.engine;
    this.currentUrl = 'about:blank';
  }

  /** The browser's name and version, as the driver reports them. */
  version() {
    return `${this.caps.browserName} ${this.caps.browserVersion}`;
  }

  async cmd(method, path, body) {
    const r = await fetch(`${this.driver.url}/session/${this.id}${path}`, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    const json = text ? JSON.parse(text) : {};
    if (!r.ok) throw new WebDriverError(r.status, json.value);
    return json.value;
  }

  /** Sizes the window so that the page's viewport is exactly the phone's. */
  async fitViewport() {
    for (let i = 0; i < 3; i++) {
      const inner = await this.exec('return [window.innerWidth, window.innerHeight]');
      if (inner[0] === PHONE.width && inner[1] === PHONE.height) return;
      const rect = await this.cmd('GET', '/window/rect');
      await this.cmd('POST', '/window/rect', {
        width: rect.width + PHONE.width - inner[0],
        height: rect.height + PHONE.height - inner[1],
      }).catch(() => {});
    }
  }

  /** Runs `body` (a function body; `arguments` are `args`) synchronously in the page. */
  exec(body, args = []) {
    return this.cmd('POST', '/execute/sync', { script: body, args });
  }

  /**
   * Playwright's `evaluate`: calls `fn` (a function, maybe async) with `arg` in the page and
   * resolves to its JSON result. The function's source is sent as the script itself, so the
   * page's CSP (no eval) does not apply to it.
   */
  async evaluate(fn, arg) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn.toString()})(arguments[0]))
        .then((v) => done({ v: v === undefined ? null : v }), (e) => done({ e: String(e) + (e && e.stack ? '\\n' + e.stack : '') }));`;
    const out = await this.cmd('POST', '/execute/async', { script, args: [arg ?? null] });
    if (out && out.e) throw new Error(`in the page: ${out.e}`);
    return out?.v;
  }

  async goto(url) {
    await this.cmd('POST', '/url', { url });
    this.currentUrl = await this.cmd('GET', '/url');
  }

  async reload() {
    await this.cmd('POST', '/refresh', {});
    this.currentUrl = await this.cmd('GET', '/url');
  }

  /** The URL as last seen (updated by navigation, waits and clicks), like Playwright's sync `url()`. */
  url() {
    return this.currentUrl;
  }

  async refreshUrl() {
    this.currentUrl = await this.cmd('GET', '/url');
    return this.currentUrl;
  }

  async waitForURL(pattern, { timeout = 15_000 } = {}) {
    const matches = (u) => (pattern instanceof RegExp ? pattern.test(u) : u === pattern);
    const end = Date.now() + timeout;
    for (;;) {
      if (matches(await this.refreshUrl())) return;
      if (Date.now() > end) throw new Error(`timed out waiting for the URL ${pattern}; at ${this.currentUrl}`);
      await sleep(100);
    }
  }

  async waitForFunction(fn, arg, { timeout = 15_000 } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      if (await this.evaluate(fn, arg)) return;
      if (Date.now() > end) throw new Error(`timed out waiting for ${fn}`);
      await sleep(100);
    }
  }

  waitForTimeout(ms) {
    return sleep(ms);
  }

  async title() {
    return this.cmd('GET', '/title');
  }

  /** A viewport screenshot (360 × 780 CSS px) as PNG, written to `path` when given. */
  async screenshot({ path } = {}) {
    const png = Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
    if (path) writeFileSync(path, png);
    return png;
  }

  locator(css, opts = {}) {
    return new Locator(this, [cssStep(css, opts)]);
  }

  getByRole(role, { name, exact } = {}) {
    return new Locator(this, [{ role, name, exact }]);
  }

  getByText(text, { exact } = {}) {
    return new Locator(this, [{ text, exact }]);
  }

  /** Opens a fresh window and closes the old one: the page and its memory are gone, the profile stays. */
  async newWindow() {
    const old = await this.cmd('GET', '/window');
    const { handle } = await this.cmd('POST', '/window/new', { type: 'window' });
    await this.cmd('DELETE', '/window');
    await this.cmd('POST', '/window', { handle });
    await this.fitViewport();
    return old;
  }

  /** Ends the session: the browser quits. */
  async close() {
    await this.cmd('DELETE', '').catch(() => {});
    if (this.ownProfile) rmSync(this.ownProfile, { recursive: true, force: true });
  }
}

// Finds the elements a locator's chain names, in the page. Sent with every query; kept in ES2017
// so that the oldest engine we drive parses it.
const FIND = `
const chain = arguments[0];
const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim();
const textOf = (e) => norm(e.innerText !== undefined ? e.innerText : e.textContent);
// Skipped content (\`content-visibility: hidden\` on an ancestor) has a box but is not shown.
const visible = (e) => { if (e.checkVisibility && !e.checkVisibility()) return false;
  const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; };
// What assistive technology cannot reach, which a role never finds (as Playwright's).
const hiddenForAT = (e) => !!e.closest('[aria-hidden="true"]') || (e.checkVisibility ? !e.checkVisibility() : false);
const matchText = (have, want, exact) => exact ? have === want : have.toLowerCase().includes(String(want).toLowerCase());
const ROLE = {
  link: 'a[href], [role="link"]',
  button: 'button, [role="button"], input[type="button"], input[type="submit"]',
  checkbox: 'input[type="checkbox"], [role="checkbox"]',
  radio: 'input[type="radio"], [role="radio"]',
  heading: 'h1, h2, h3, h4, h5, h6, [role="heading"]',
  textbox: 'input:not([type]), input[type="text"], textarea, [role="textbox"]',
};
const accName = (e) => {
  if (e.getAttribute('aria-label')) return norm(e.getAttribute('aria-label'));
  const by = e.getAttribute('aria-labelledby');
  if (by) return norm(by.split(/\\s+/).map((id) => { const l = document.getElementById(id); return l ? textOf(l) : ''; }).join(' '));
  if (e.labels && e.labels.length) return textOf(e.labels[0]);
  return textOf(e) || norm(e.getAttribute('title') || e.value || '');
};
let found = [document];
for (const step of chain) {
  let next = [];
  for (const root of found) {
    if (step.css) next.push(...root.querySelectorAll(step.css));
    else if (step.role) next.push(...[...root.querySelectorAll(ROLE[step.role] || '[role="' + step.role + '"]')]
      .filter((e) => !hiddenForAT(e) && (step.name === undefined || matchText(accName(e), step.name, step.exact))));
    else if (step.text !== undefined) {
      const all = [...root.querySelectorAll('*')].filter((e) => !['SCRIPT', 'STYLE', 'HEAD', 'TITLE'].includes(e.tagName)
        && matchText(norm(e.textContent), step.text, step.exact));
      // The innermost elements holding the text.
      next.push(...all.filter((e) => !all.some((o) => o !== e && e.contains(o))));
    }
  }
  next = next.filter((e, i) => next.indexOf(e) === i);
  if (step.hasText !== undefined) next = next.filter((e) => matchText(norm(e.textContent), step.hasText, false));
  if (step.visible) next = next.filter(visible);
  if (step.nth !== undefined) next = step.nth < 0 ? next.slice(next.length + step.nth, next.length + step.nth + 1) : next.slice(step.nth, step.nth + 1);
  found = next;
}
`;

const QUERY = `${FIND}
const what = arguments[1];
if (what === 'count') return found.length;
if (what === 'state') return found.length ? (visible(found[0]) ? 'visible' : 'hidden') : 'detached';
return found[0] || null;`;

/** A query step for `css`, where Playwright's `:visible` keeps only the elements shown. */
function cssStep(css, { hasText } = {}) {
  const visible = /:visible\b/.test(css) || undefined;
  return { css: css.replace(/:visible\b/g, ''), hasText, visible };
}

/** A lazy query, resolved at every action (so it survives re-renders), as Playwright's. */
export class Locator {
  constructor(page, chain) {
    this.page = page;
    this.chain = chain;
  }

  with(step) {
    return new Locator(this.page, [...this.chain, step]);
  }

  locator(css, opts = {}) {
    return this.with(cssStep(css, opts));
  }

  getByText(text, { exact } = {}) {
    return this.with({ text, exact });
  }

  getByRole(role, { name, exact } = {}) {
    return this.with({ role, name, exact });
  }

  filter({ hasText }) {
    const last = this.chain[this.chain.length - 1];
    return new Locator(this.page, [...this.chain.slice(0, -1), { ...last, hasText }]);
  }

  nth(n) {
    const last = this.chain[this.chain.length - 1];
    return new Locator(this.page, [...this.chain.slice(0, -1), { ...last, nth: n }]);
  }

  first() {
    return this.nth(0);
  }

  count() {
    return this.page.exec(QUERY, [this.chain, 'count']);
  }

  /** Waits for the element to be `visible` (default), `attached`, `hidden` or `detached`. */
  async waitFor({ state = 'visible', timeout = 15_000 } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      const now = await this.page.exec(QUERY, [this.chain, 'state']);
      const ok = state === 'attached' ? now !== 'detached'
        : state === 'hidden' ? now !== 'visible'
          : now === state;
      if (ok) return;
      if (Date.now() > end) throw new Error(`timed out waiting for ${JSON.stringify(this.chain)} to be ${state} (it is ${now})`);
      await sleep(100);
    }
  }

  /** The element's WebDriver reference, once it is attached. */
  async element(timeout = 15_000) {
    await this.waitFor({ state: 'attached', timeout });
    const el = await this.page.exec(QUERY, [this.chain, 'element']);
    if (!el) throw new Error(`no element for ${JSON.stringify(this.chain)}`);
    return el[ELEMENT];
  }

  /**
   * Calls `fn` with the element's reference; again with a fresh one when the app re-rendered
   * it in between (the prerendered page is replaced when the app starts).
   */
  async act(fn) {
    for (let attempt = 0; ; attempt++) {
      const id = await this.element();
      try {
        return await fn(id, { [ELEMENT]: id });
      } catch (e) {
        if (e.code !== 'stale element reference' || attempt >= 50) throw e;
        await sleep(100);
      }
    }
  }

  /** Runs `body` with the element as `el` (and `arg`) in the page. */
  run(body, arg) {
    return this.act((_, ref) => this.page.exec(`const el = arguments[0]; const arg = arguments[1]; ${body}`, [ref, arg ?? null]));
  }

  async isVisible() {
    return (await this.page.exec(QUERY, [this.chain, 'state'])) === 'visible';
  }

  innerText() {
    return this.run('return el.innerText;');
  }

  inputValue() {
    return this.run('return el.value;');
  }

  getAttribute(name) {
    return this.run('return el.getAttribute(arg);', name);
  }

  isChecked() {
    return this.run('return el.checked;');
  }

  isDisabled() {
    return this.run('return el.disabled;');
  }

  async allInnerTexts() {
    return this.page.exec(`${FIND} return found.map((e) => e.innerText);`, [this.chain]);
  }

  /** A real click (the driver scrolls the element into view and checks nothing covers it). */
  async click() {
    await this.waitFor();
    await this.act(async (id, ref) => {
      try {
        await this.page.cmd('POST', `/element/${id}/click`, {});
      } catch (e) {
        // A control covered by its own styled label (custom radios, checkboxes): click the label.
        if (!/intercepted|not interactable/.test(e.message)) throw e;
        await this.page.exec('const el = arguments[0]; (el.labels && el.labels[0] ? el.labels[0] : el).click();', [ref]);
      }
    });
    await this.page.refreshUrl();
  }

  /** Ticks a checkbox or picks a radio button, as a person would (a tap). */
  async check() {
    if (await this.isChecked()) return;
    await this.click();
    if (!(await this.isChecked())) await this.run('el.click();');
    if (!(await this.isChecked())) throw new Error(`${JSON.stringify(this.chain)} did not become checked`);
  }

  /**
   * Types `value` as keystrokes (date and time inputs, whose typing differs by engine and
   * locale, get the value set as a native picker would, with the same events).
   */
  async fill(value) {
    const type = await this.run('return (el.type || "").toLowerCase();');
    if (['date', 'time', 'datetime-local', 'month', 'week'].includes(type)) {
      await this.setValue(value);
      return;
    }
    await this.act(async (id) => {
      await this.page.cmd('POST', `/element/${id}/clear`, {});
      if (String(value) !== '') await this.page.cmd('POST', `/element/${id}/value`, { text: String(value) });
    });
    const now = await this.inputValue();
    if (now !== String(value)) throw new Error(`typed ${JSON.stringify(value)} but the field holds ${JSON.stringify(now)}`);
  }

  /** Sets the value with the native setter and fires input and change, as a picker does. */
  setValue(value) {
    return this.run(`
      el.focus();
      const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype
        : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
      Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arg);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      if (el.value !== arg) throw new Error('value not taken: ' + el.value);`, String(value));
  }

  /** Picks option `value` of a select (native pickers are outside the page in every engine). */
  selectOption(value) {
    return this.setValue(value);
  }

  focus() {
    return this.run('el.focus();');
  }

  blur() {
    return this.run('el.blur();');
  }

  /**
   * Gives `file` ({ name, mimeType, buffer }) to a file input the way a picker does: a File in
   * `input.files` and a change event (the inputs are visually hidden behind camera/album buttons).
   */
  setInputFiles(file) {
    return this.run(`
      const bin = atob(arg.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], arg.name, { type: arg.type }));
      el.files = dt.files;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));`,
    { b64: file.buffer.toString('base64'), name: file.name, type: file.mimeType });
  }
}
