//! The client side of the engine: the application being filled in, what the engine says about
//! it, navigation between steps, autosave, and the fields bound to it (`fields`).

pub mod draft;
pub mod fields;
pub mod outbox;
pub mod path;
pub mod privacy;
pub mod steps;
pub mod sync;

use std::sync::Arc;

use leptos::prelude::*;
use onething_core::ServiceDefinition;
use onething_core::engine::{Application, Date, Evaluation, evaluate};

pub use path::{FieldPath, Section};
pub use steps::Step;

use crate::api;
use crate::upload::Uploads;

/// The wizard of one service, provided as context to every step page.
#[derive(Clone, Copy)]
pub struct Wizard {
    /// The service definition.
    pub def: StoredValue<Arc<ServiceDefinition>>,
    /// The draft's key (see [`draft`]): its URL segment and where it is kept.
    key: StoredValue<String>,
    /// The consent to the privacy notice; until given, nothing leaves the device.
    pub consent: RwSignal<Option<onething_core::api::PrivacyConsent>>,
    /// The person chose to fill in on the device first (the notice folds to one line).
    pub device_only: RwSignal<bool>,
    /// The application being filled in (the draft).
    pub app: RwSignal<Application>,
    /// What the engine says about it, recomputed when an answer changes.
    pub eval: Memo<Evaluation>,
    /// Today's date on the person's device (the engine's date rules are relative to it).
    pub today: Date,
    /// The path of the step on screen, saved with the draft.
    pub step: RwSignal<Option<String>>,
    /// The photos of the materials and their uploads.
    pub uploads: Uploads,
    /// False once the application was submitted: nothing is saved after that.
    live: StoredValue<bool>,
    /// True while a change is not yet written to the device.
    pub unsaved: RwSignal<bool>,
    /// The server's copy this draft is in step with (when signed in).
    remote: StoredValue<Option<draft::Remote>>,
    /// Another device's different copy, for the person to choose.
    pub conflict: RwSignal<Option<sync::Conflict>>,
    /// The pending push to the server (a change is sent a moment after the typing stops).
    push_timer: StoredValue<Option<TimeoutHandle>, LocalStorage>,
}

/// How long after the last change the draft goes to the server.
const PUSH_DELAY: std::time::Duration = std::time::Duration::from_millis(1500);

impl Wizard {
    /// Starts (or resumes, from the saved draft) the wizard for `def`, and saves every change.
    pub fn new(
        def: ServiceDefinition,
        key: String,
        saved: Option<draft::Saved>,
        conflict: Option<sync::Conflict>,
    ) -> Self {
        Self::new_on(def, key, saved, conflict, today())
    }

    /// [`Wizard::new`] on the day `today` (the build's prerenderer has no browser clock).
    pub fn new_on(
        def: ServiceDefinition,
        key: String,
        saved: Option<draft::Saved>,
        conflict: Option<sync::Conflict>,
        today: Date,
    ) -> Self {
        let def = Arc::new(def);
        let saved = saved
            .filter(|s| s.app.service_id == def.id)
            .unwrap_or_else(|| draft::Saved {
                app: Application {
                    service_id: def.id.clone(),
                    ..Application::default()
                },
                ..draft::Saved::default()
            });
        let (saved, definition_changed) = draft::under_version(saved, &def);
        // For the one-sentence notice (a context, not a field: the wizard is passed by value).
        provide_context(draft::DefinitionChanged(definition_changed));
        let (initial, step, remote) = (saved.app, saved.step, saved.remote);
        let app = RwSignal::new(initial);
        let step = RwSignal::new(step);
        let for_eval = Arc::clone(&def);
        let eval = Memo::new(move |_| app.with(|a| evaluate(&for_eval, a, today)));
        let uploads = Uploads::new(key.clone(), app);
        // Photos wait on the device until the person agrees to the privacy notice.
        uploads.hold(saved.consent.is_none());
        let w = Wizard {
            def: StoredValue::new(def),
            key: StoredValue::new(key),
            consent: RwSignal::new(saved.consent),
            device_only: RwSignal::new(saved.device_only),
            app,
            eval,
            today,
            step,
            uploads,
            live: StoredValue::new(true),
            unsaved: RwSignal::new(false),
            remote: StoredValue::new(remote),
            conflict: RwSignal::new(conflict),
            push_timer: StoredValue::new_local(None),
        };
        w.autosave();
        w
    }

    /// Writes the draft as soon as a change is on screen: one write at a time, and when changes
    /// came in during a write, one more with the latest state. So the device is at most a frame
    /// and one write (a few milliseconds) behind the screen when the webview is killed, without
    /// a write per keystroke piling up. The write starts once the change is painted
    /// ([`after_paint`](crate::dom::after_paint)): serialising and sealing the draft
    /// before that frame delayed every step change and keystroke (`docs/performance.md`).
    fn autosave(self) {
        let changes = StoredValue::new(0u64);
        let writing = StoredValue::new(false);
        // Answers changed since the last push to the server. Moving between steps is saved on
        // the device but is not a change for the other devices (each keeps its own place).
        let answers_changed = StoredValue::new(false);
        let kick = move || {
            changes.update_value(|n| *n += 1);
            self.unsaved.set(true);
            if writing.get_value() {
                return;
            }
            writing.set_value(true);
            leptos::task::spawn_local(async move {
                crate::dom::after_paint().await;
                loop {
                    let Some(seen) = changes.try_get_value() else {
                        return;
                    };
                    if !self.live.try_get_value().unwrap_or(false) {
                        break;
                    }
                    if answers_changed.get_value() {
                        self.remote.update_value(|r| {
                            if let Some(r) = r {
                                r.pending = true;
                            }
                        });
                    }
                    draft::save(&self.key(), &self.snapshot()).await;
                    if changes.try_get_value() != Some(seen) {
                        continue;
                    }
                    break;
                }
                writing.try_set_value(false);
                self.unsaved.try_set(false);
                if answers_changed.try_get_value() == Some(true) {
                    answers_changed.set_value(false);
                    self.schedule_push();
                }
            });
        };
        // A change the server has not seen (the page was left while offline, or reopened
        // through an app platform's sign-in after its session ended) goes with the first write.
        if self
            .remote
            .with_value(|r| r.as_ref().is_some_and(|r| r.pending))
        {
            answers_changed.set_value(true);
        }
        // The first runs write too (one write when the wizard opens): a change made before an
        // effect first ran (the step of a deep link, a prefill) must not wait for the next one.
        // Only later changes of the answers go to the server.
        Effect::new(move |first: Option<()>| {
            self.app.track();
            if first.is_some() {
                answers_changed.set_value(true);
            }
            kick();
        });
        Effect::new(move |_: Option<()>| {
            self.step.track();
            self.device_only.track();
            kick();
        });
        // Consent given: what waited on the device goes (the draft, its photos); withdrawn:
        // nothing more goes.
        Effect::new(move |first: Option<()>| {
            let given = self.consent.with(Option::is_some);
            if first.is_some() {
                kick();
                self.uploads.hold(!given);
                if given {
                    answers_changed.set_value(true);
                }
            }
        });
    }

    /// The draft as saved: answers, step and the server copy's state.
    fn snapshot(self) -> draft::Saved {
        let app = self.app.get_untracked();
        let label = self.def.with_value(|d| privacy::label(d, &app));
        draft::Saved {
            app,
            step: self.step.get_untracked(),
            remote: self.remote.get_value(),
            consent: self.consent.get_untracked(),
            device_only: self.device_only.get_untracked(),
            label,
            updated_at: Some(draft::now_rfc3339()),
            definition_version: self
                .def
                .with_value(|d| (!d.version.is_empty()).then(|| d.version.clone())),
        }
    }

    fn schedule_push(self) {
        if let Some(Some(h)) = self.push_timer.try_get_value() {
            h.clear();
        }
        let h = set_timeout_with_handle(move || self.push_now(), PUSH_DELAY).ok();
        self.push_timer.try_set_value(h);
    }

    /// Sends the draft to the server (when signed in); a newer copy from another device there
    /// becomes the conflict on screen instead of being overwritten.
    fn push_now(self) {
        if !self.live.try_get_value().unwrap_or(false)
            || self.conflict.with_untracked(Option::is_some)
            || self.consent.with_untracked(Option::is_none)
        {
            return;
        }
        leptos::task::spawn_local(async move {
            let id = self.key();
            let pushed = sync::push(&id, &self.snapshot()).await;
            // The wizard may have closed or been submitted meanwhile: nothing to keep then (and
            // its values are gone).
            if !self.live.try_get_value().unwrap_or(false) {
                return;
            }
            match pushed {
                Ok(remote) => {
                    if remote != self.remote.get_value() {
                        self.remote.set_value(remote);
                        draft::save(&id, &self.snapshot()).await;
                    }
                }
                Err(c) => {
                    self.conflict.try_set(Some(c));
                }
            }
        });
    }

    /// Resolves a conflict with the other device's copy.
    pub fn use_theirs(self) {
        let Some(c) = self.conflict.get_untracked() else {
            return;
        };
        self.remote.set_value(Some(draft::Remote {
            id: c.id,
            version: c.version,
            pending: false,
        }));
        self.conflict.set(None);
        self.app.set(c.theirs.app);
    }

    /// Resolves a conflict with this device's copy: it replaces the other one on the server.
    pub fn keep_mine(self) {
        let Some(c) = self.conflict.get_untracked() else {
            return;
        };
        self.remote.set_value(Some(draft::Remote {
            id: c.id,
            version: c.version,
            pending: true,
        }));
        self.conflict.set(None);
        self.push_now();
    }

    /// Fills the questions the definition prefills from the account, where still unanswered.
    pub fn prefill(self, account: &onething_core::engine::PrefillData) {
        let mut answers = self.app.with_untracked(|a| a.answers.clone());
        self.def
            .with_value(|d| onething_core::engine::prefill(d, account, &mut answers));
        if self.app.with_untracked(|a| a.answers != answers) {
            self.app.update(|a| a.answers = answers);
        }
    }

    /// The service id.
    pub fn service_id(&self) -> String {
        self.def.with_value(|d| d.id.clone())
    }

    /// The draft's key: its URL segment (`/apply/{key}/…`) and where it is kept.
    pub fn key(&self) -> String {
        self.key.get_value()
    }

    /// The URL of a step of this draft.
    pub fn url(&self, step: &Step) -> String {
        step.url(&self.key())
    }

    /// The person agreed to the privacy notice (and, separately, to the processing of
    /// sensitive personal information): from now on the draft and its photos go to the server.
    pub fn give_consent(self) {
        self.consent.set(Some(onething_core::api::PrivacyConsent {
            version: onething_core::api::PRIVACY_NOTICE_VERSION.to_owned(),
            agreed_at: draft::now_rfc3339(),
            sensitive: true,
        }));
        // The autosave sends the draft (and the held photos go) once this is written.
        self.device_only.set(false);
    }

    /// The person withdrew consent before submitting: the server's copy of the draft and of
    /// its photos is deleted, and everything stays on the device only until agreed again.
    pub fn withdraw_consent(self) {
        self.consent.set(None);
        self.device_only.set(true);
        self.uploads.withdraw();
        if let Some(r) = self.remote.get_value() {
            self.remote.set_value(None);
            leptos::task::spawn_local(async move { api::delete_draft(&r.id).await });
        }
    }

    /// After a submission: this page stops saving the draft and drops its photos (the sender
    /// has removed the stored copies).
    pub fn discard(&self) {
        // Called when a submission returns: the page may have been left meanwhile, its values
        // gone with it. The stored copies are then removed by whoever sent it (the outbox, or
        // the assisted submission), so only this page's own state is left here to drop.
        if self.live.try_get_value().is_none() {
            return;
        }
        self.live.set_value(false);
        // The server's copy is already deleted; the device's again, in case a save of this
        // page was still under way when the sender removed it.
        self.remote.set_value(None);
        let id = self.key();
        self.uploads.clear();
        leptos::task::spawn_local(async move { draft::remove(&id).await });
    }
}

/// Each item's expected completion in China's working days (the core computes it for both
/// sides; a date over a year without a holiday arrangement is marked estimated).
pub use onething_core::engine::{bundle_expected, expected_dates};

/// Today's date in the device's time zone.
pub fn today() -> Date {
    let now = js_sys::Date::new_0();
    // JS months are 0-based; `get_date` is the day of the month.
    let (y, m, d) = (now.get_full_year(), now.get_month() + 1, now.get_date());
    #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
    Date::new(y as i32, m as u8, d as u8).unwrap_or(Date {
        year: 2026,
        month: 1,
        day: 1,
    })
}

/// Error-summary entries (input id, "question: problem") for the errors whose field `keep`
/// accepts, in the engine's order (which is the form's order).
pub fn summary_entries(w: &Wizard, keep: impl Fn(&FieldPath) -> bool) -> Vec<(String, String)> {
    let l = crate::prefs::locale();
    w.eval.with(|e| {
        w.def.with_value(|d| {
            e.errors
                .iter()
                .filter_map(|err| {
                    let p = FieldPath::parse(&err.path).filter(|p| keep(p))?;
                    let facts = match p.section {
                        Section::Answers => &d.facts,
                        Section::Eligibility => &d.eligibility.questions,
                    };
                    let fact = facts.iter().find(|f| f.id == p.fact)?;
                    let label = match &p.item {
                        None => fact.label.get(l).to_owned(),
                        Some((i, field)) => {
                            let inner = fact
                                .fields
                                .iter()
                                .find(|f| &f.id == field)
                                .map_or("", |f| f.label.get(l));
                            format!("{} {} · {inner}", fact.label.get(l), i + 1)
                        }
                    };
                    Some((
                        p.dom_id(),
                        format!("{label}：{}", d.error_text(&err.code, l)),
                    ))
                })
                .collect()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependants_are_expected_after_what_they_wait_for() {
        let def = ServiceDefinition::from_toml(
            "shop-opening.toml",
            include_str!("../../services/shop-opening.toml"),
        )
        .expect("definition");
        // Friday 2026-11-27: the licence takes one working day (Monday), the seal one more.
        let from = Date::parse("2026-11-27").expect("date");
        let dates = expected_dates(&def, &["business_licence", "seal_engraving"], from);
        assert_eq!(dates["business_licence"].date.to_string(), "2026-11-30");
        assert_eq!(dates["seal_engraving"].date.to_string(), "2026-12-01");
    }
}
