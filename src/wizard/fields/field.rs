//! One question of a definition, rendered by its kind: label, hint, warning, the input, and its
//! error once the person has finished with it. ID numbers are masked unless being edited.

use leptos::prelude::*;
use onething_core::definition::{Fact, FactKind};
use onething_core::engine::AnswerValue;

use super::address::AddressInput;
use super::choice::{ChoiceInput, LONG_LIST, SelectInput, YesNoInput};
use crate::components::FormState;
use crate::i18n::tr;
use crate::prefs::locale;
use crate::wizard::{FieldPath, Wizard, path::as_text};

/// The first error of `path` (and anything inside it) as translated text, when it may show.
/// A memo: worked out once per change of the answers for all that show it (the field's class,
/// its message, the input's `aria-invalid`), and they re-render only when it changes.
pub fn field_error(path: &FieldPath) -> Signal<Option<String>> {
    error_where(path, crate::wizard::path::covers)
}

/// The first error of `path` itself, not of anything inside it: a group's own (too few or too
/// many items). Its items' fields each show theirs.
pub fn own_error(path: &FieldPath) -> Signal<Option<String>> {
    error_where(path, |key, error_path| key == error_path)
}

fn error_where(path: &FieldPath, concerns: fn(&str, &str) -> bool) -> Signal<Option<String>> {
    let w = expect_context::<Wizard>();
    let form = expect_context::<FormState>();
    let key = path.to_engine();
    Signal::from(Memo::new(move |_| {
        if !form.shows(&key) {
            return None;
        }
        let code = w.eval.with(|e| {
            e.errors
                .iter()
                .find(|e| concerns(&key, &e.path))
                .map(|e| e.code.clone())
        })?;
        Some(
            w.def
                .with_value(|d| d.error_text(&code, locale()).to_owned()),
        )
    }))
}

/// Masks an ID or card number for display: first 4 and last 4 characters kept (PIPL: shown only
/// when the person edits it); a short value is shown as typed.
pub fn mask(s: &str) -> String {
    onething_core::api::mask_middle(s).unwrap_or_else(|| s.to_owned())
}

/// A question and its input.
#[component]
pub fn Field(
    /// The fact asked.
    fact: Fact,
    /// Where its answer lives.
    path: FieldPath,
) -> impl IntoView {
    let id = path.dom_id();
    let error = field_error(&path);
    let label = fact.label.clone();
    let (hint, warning) = (fact.help.clone(), fact.warning.clone());
    let optional = fact.optional;
    let long_list = fact.kind == FactKind::Choice && fact.options.len() > LONG_LIST;
    let grouped = !long_list
        && matches!(
            fact.kind,
            FactKind::Choice | FactKind::MultiChoice | FactKind::YesNo | FactKind::Address
        );
    let input = match fact.kind {
        FactKind::Choice if long_list => {
            let describedby = if fact.help.is_some() {
                format!("{id}-hint {id}-error")
            } else {
                format!("{id}-error")
            };
            let invalid = Signal::derive(move || error.with(Option::is_some));
            view! { <SelectInput fact=fact.clone() path=path.clone() invalid describedby /> }
                .into_any()
        }
        FactKind::Choice | FactKind::MultiChoice => {
            view! { <ChoiceInput fact=fact.clone() path=path.clone() /> }.into_any()
        }
        FactKind::YesNo => view! { <YesNoInput path=path.clone() /> }.into_any(),
        FactKind::Address => view! { <AddressInput path=path.clone() /> }.into_any(),
        _ => view! { <TextInput fact=fact.clone() path=path.clone() error /> }.into_any(),
    };
    let label_view = move || {
        let text = label.get(locale()).to_owned();
        let opt =
            optional.then(|| view! { <span class="optional">{tr(|m| m.optional_field)}</span> });
        view! { {text} " " {opt} }
    };
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let body = view! {
        {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{move || h.get(locale()).to_owned()}</p> })}
        {warning.map(|w| view! { <p class="warning" role="note">{move || w.get(locale()).to_owned()}</p> })}
        {move || error.get().map(|e| view! {
            <p class="field-error" id=error_id.clone()>
                <span class="visually-hidden">{tr(|m| m.error_prefix)}</span>{e}
            </p>
        })}
        {input}
    };
    let class = move || {
        if error.with(Option::is_some) {
            "field has-error"
        } else {
            "field"
        }
    };
    if grouped {
        view! {
            <fieldset class=class id=format!("{id}-group")>
                <legend class="label">{label_view}</legend>
                {body}
            </fieldset>
        }
        .into_any()
    } else {
        view! {
            <div class=class>
                <label class="label" for=id.clone()>{label_view}</label>
                {body}
            </div>
        }
        .into_any()
    }
}

/// A one-line (or long) text input for the kinds typed as text.
#[component]
fn TextInput(
    /// The fact asked.
    fact: Fact,
    /// Where its answer lives.
    path: FieldPath,
    /// The field's error (its [`field_error`]).
    error: Signal<Option<String>>,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let form = expect_context::<FormState>();
    let id = path.dom_id();
    let describedby = {
        let mut ids = Vec::new();
        if fact.help.is_some() {
            ids.push(format!("{id}-hint"));
        }
        ids.push(format!("{id}-error"));
        ids.join(" ")
    };
    let kind = fact.kind;
    let masked = matches!(kind, FactKind::IdNumber | FactKind::BankCard) || fact.sensitive;
    let editing = RwSignal::new(false);
    let read_path = path.clone();
    // The input always holds the real value; when masked, it is drawn transparent under an
    // overlay showing the masked text, so a mask can never be typed back into the answer.
    let value = Memo::new(move |_| w.app.with(|a| as_text(read_path.get(a))));
    let masked_text = Memo::new(move |_| {
        let v = value.get();
        (masked && !editing.get() && !v.is_empty()).then(|| mask(&v))
    });
    let write_path = path.clone();
    let on_input = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        // An integer that does not parse is kept as typed, so the engine can say what is wrong
        // and nothing the person entered is lost.
        let v = match kind {
            FactKind::Integer => raw
                .trim()
                .parse::<i64>()
                .map_or(AnswerValue::Text(raw), AnswerValue::Integer),
            _ => AnswerValue::Text(raw),
        };
        w.app.update(|a| write_path.set(a, v));
    };
    let key = path.to_engine();
    let on_blur = move |_| {
        editing.set(false);
        form.touch(&key);
    };
    let (input_type, inputmode, autocomplete) = match kind {
        FactKind::Mobile => ("tel", "numeric", "tel"),
        FactKind::Date => ("date", "", "off"),
        FactKind::DateTime => ("datetime-local", "", "off"),
        FactKind::Integer | FactKind::BankCard => ("text", "numeric", "off"),
        FactKind::Name => ("text", "", "name"),
        _ => ("text", "", "off"),
    };
    let max_length = fact.max_length;
    let unit = fact.unit.clone();
    let invalid = move || {
        if error.with(Option::is_some) {
            "true"
        } else {
            "false"
        }
    };
    if kind == FactKind::LongText {
        return view! {
            <textarea
                id=id
                rows="5"
                maxlength=max_length
                aria-describedby=describedby
                aria-invalid=invalid
                prop:value=move || value.get()
                on:input=on_input
                on:blur=on_blur
            ></textarea>
        }
        .into_any();
    }
    view! {
        <div class="input-row">
            <span class="mask-wrap">
            <input
                id=id
                class:masked=move || masked_text.get().is_some()
                type=input_type
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                autocomplete=autocomplete
                spellcheck="false"
                maxlength=max_length
                aria-describedby=describedby
                aria-invalid=invalid
                prop:value=move || value.get()
                on:focus=move |_| editing.set(true)
                on:input=on_input
                on:blur=on_blur
            />
            {move || masked_text.get().map(|m| view! { <span class="mask-overlay" aria-hidden="true">{m}</span> })}
            </span>
            {unit.map(|u| view! { <span class="unit">{move || u.get(locale()).to_owned()}</span> })}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn id_numbers_are_masked_but_short_text_is_not() {
        assert_eq!(mask("330502199203150023"), "3305**********0023");
        assert_eq!(mask("1234"), "1234");
    }
}
