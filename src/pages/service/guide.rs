//! The service guide (办事指南) on a one-thing's landing page: who can apply, the documents to
//! have at hand and how each can be supplied, fees, legal basis, windows, hotline and common
//! questions. The documents come from the definition's materials (never written twice); the
//! rest from its `[guide]` section. Prerendered with the page, so it reads without signing in
//! or wasm, and each part has an anchor (`/services/newborn#guide-documents`) to link to; its
//! share button ([`super::share`]) sends the page's link on.

use leptos::prelude::*;
use onething_core::definition::{Guide, Material, Satisfier};
use onething_core::{Locale, Text};

use crate::i18n::{messages, tr, with_n};
use crate::prefs::locale;

/// The guide of a definition: its `[guide]` section and its materials.
#[component]
pub fn ServiceGuide(
    /// The service id (the shared link's).
    id: String,
    /// The service's name.
    title: Text,
    /// Its one-line summary.
    summary: Text,
    /// The `[guide]` section.
    guide: Guide,
    /// The definition's materials, in order.
    materials: Vec<Material>,
    /// Whether its results are published (亮晒: a sub-item whose outcome is a publication):
    /// the guide links to the public list of them.
    #[prop(default = false)]
    published: bool,
) -> impl IntoView {
    let published_href = crate::router::href(&format!("/published?service={id}"));
    let documents: Vec<_> = materials
        .into_iter()
        .map(|m| {
            let when = guide.when.get(&m.id).cloned();
            (m, when)
        })
        .collect();
    let hotline = guide.hotline.clone();
    let tel = format!("tel:{}", hotline.replace([' ', '-'], ""));
    view! {
        <section id="guide" class="guide" aria-labelledby="guide-heading">
            <h2 id="guide-heading">{tr(|m| m.guide_heading)}</h2>
            <super::share::ShareButton id title summary />
            <h3 id="guide-who">{tr(|m| m.guide_who)}</h3>
            <Lines items=guide.who />
            <h3 id="guide-documents">{tr(|m| m.guide_documents)}</h3>
            <p>{tr(|m| m.materials_lead)}</p>
            <ul class="guide-documents">
                {documents
                    .into_iter()
                    .map(|(m, when)| view! { <Document m when /> })
                    .collect_view()}
            </ul>
            <h3 id="guide-fees">{tr(|m| m.guide_fees)}</h3>
            <p>{text(guide.fees)}</p>
            {(!guide.legal_basis.is_empty()).then(|| view! {
                <h3 id="guide-basis">{tr(|m| m.guide_basis)}</h3>
                <Lines items=guide.legal_basis />
            })}
            {(!guide.windows.is_empty()).then(|| view! {
                <h3 id="guide-windows">{tr(|m| m.guide_windows)}</h3>
                <ul class="guide-windows">
                    {guide.windows.into_iter().map(|w| view! {
                        <li>
                            <strong>{text(w.office)}</strong>
                            <br />{fill(|m| m.delivery_window_address, w.address)}
                            <br />{fill(|m| m.delivery_window_hours, w.hours)}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <h3 id="guide-hotline">{tr(|m| m.guide_hotline)}</h3>
            <p>
                <a href=tel class="hotline">{hotline}</a>
                {guide.hotline_note.map(|n| view! { " " {text(n)} })}
            </p>
            {published.then(|| view! {
                <h3 id="guide-published">{tr(|m| m.pub_guide_heading)}</h3>
                <p><a href=published_href class="published-link">{tr(|m| m.pub_guide_link)}</a></p>
            })}
            {(!guide.faq.is_empty()).then(|| view! {
                <h3 id="guide-faq">{tr(|m| m.guide_faq)}</h3>
                {guide.faq.into_iter().map(|f| view! {
                    <details class="faq">
                        <summary>{text(f.q)}</summary>
                        <p>{text(f.a)}</p>
                    </details>
                }).collect_view()}
            })}
        </section>
    }
}

/// One document of the checklist: its name, when it is needed, and how it can be supplied.
#[component]
fn Document(
    /// The material.
    m: Material,
    /// When it is needed, if only in some situations (the guide's `when`).
    when: Option<Text>,
) -> impl IntoView {
    let sometimes = m.required_if.is_some();
    let title = m.title.clone();
    view! {
        <li class="guide-document">
            <span class="guide-document-title">{text(title)}</span>
            {match when {
                Some(w) => Some(view! { <span class="guide-when">{text(w)}</span> }.into_any()),
                None => sometimes
                    .then(|| view! { <span class="guide-when">{tr(|m| m.guide_sometimes)}</span> }.into_any()),
            }}
            <ul class="guide-ways">
                {move || ways_text(&m, locale())
                    .into_iter()
                    .map(|w| view! { <li>{w}</li> })
                    .collect_view()}
            </ul>
        </li>
    }
}

/// How a material can be supplied, as the guide says it: the e-licence (and whose), a
/// commitment, later (within how many days), at the window, or a photo.
pub fn ways_text(material: &Material, l: Locale) -> Vec<String> {
    let m = messages(l);
    let mut ways = material.satisfiers.clone();
    // The ways that spare the person a document first: they are what the bundle is for.
    ways.sort_by_key(|w| match w {
        Satisfier::ELicence => 0,
        Satisfier::Commitment => 1,
        Satisfier::Deferred => 2,
        Satisfier::AtWindow => 3,
        Satisfier::Upload => 4,
    });
    ways.into_iter()
        .map(|w| match w {
            Satisfier::Upload => m.satisfier_upload.to_owned(),
            Satisfier::ELicence => crate::pages::apply::e_licence_way(material, l),
            Satisfier::Commitment => m.satisfier_commitment.to_owned(),
            Satisfier::AtWindow => m.satisfier_at_window.to_owned(),
            Satisfier::Deferred => match material.deferred_days {
                Some(n) => with_n(m.deferred_due, n),
                None => m.satisfier_deferred.to_owned(),
            },
        })
        .collect()
}

/// A list of texts, one line each.
#[component]
fn Lines(
    /// The lines.
    items: Vec<Text>,
) -> impl IntoView {
    view! { <ul class="plain-list">{items.into_iter().map(|i| view! { <li>{text(i)}</li> }).collect_view()}</ul> }
}

/// A definition's text in the current language, following language changes.
fn text(t: Text) -> impl Fn() -> String + Send + Sync + 'static {
    move || t.get(locale()).to_owned()
}

/// A message with `{n}` filled by a definition's text, following language changes.
fn fill(
    msg: fn(&'static crate::i18n::Messages) -> &'static str,
    t: Text,
) -> impl Fn() -> String + Send + Sync + 'static {
    move || with_n(msg(crate::i18n::t()), t.get(locale()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn material(toml: &str) -> Material {
        let def = onething_core::ServiceDefinition::from_toml(
            "x.toml",
            &format!(
                r#"
id = "x"
title = {{ zh = "事", en = "Thing" }}
summary = {{ zh = "事", en = "Thing" }}
[[facts]]
id = "father_name"
label = {{ zh = "父亲姓名", en = "Father's name" }}
type = "name"
[[facts]]
id = "father_id"
label = {{ zh = "父亲证件号码", en = "Father's ID number" }}
type = "id_number"
id_type = "resident_id"
[[pages]]
id = "p"
title = {{ zh = "页", en = "Page" }}
facts = ["father_name", "father_id"]
[[materials]]
id = "m"
title = {{ zh = "证", en = "Card" }}
sub_items = ["a"]
{toml}
[[sub_items]]
id = "a"
title = {{ zh = "项", en = "Item" }}
department = {{ zh = "部门", en = "Department" }}
time_limit_days = 1
facts = ["father_name", "father_id"]
"#
            ),
        )
        .expect("loads");
        def.materials[0].clone()
    }

    #[test]
    fn ways_put_what_spares_a_document_first_and_say_the_days() {
        let m = material(
            r#"satisfiers = ["upload", "deferred", "e_licence"]
deferred_days = 15
e_licence = { consent = { zh = "同意", en = "I agree" } }"#,
        );
        let en = ways_text(&m, Locale::En);
        assert_eq!(en.len(), 3);
        assert_eq!(en[0], messages(Locale::En).e_licence_way);
        assert!(en[1].contains("15"), "{en:?}");
        assert_eq!(en[2], messages(Locale::En).satisfier_upload);
    }

    #[test]
    fn another_persons_e_licence_says_who_authorises_it() {
        let m = material(
            r#"satisfiers = ["e_licence", "commitment"]
commitment = { zh = "承诺", en = "I promise" }
e_licence.consent = { zh = "同意", en = "I agree" }
e_licence.holder = { role = { zh = "父亲", en = "the father" }, name_fact = "father_name", id_number_fact = "father_id", valid_days = 90, answer_days = 7 }"#,
        );
        let zh = ways_text(&m, Locale::ZhCn);
        assert_eq!(zh[0], "使用父亲的电子证照：提交后由父亲在本人账号中授权");
        assert_eq!(zh[1], messages(Locale::ZhCn).satisfier_commitment);
    }
}
