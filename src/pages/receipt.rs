//! `/applications/:id/receipt`: the receipt (回执) of a submitted case, to print or save as a
//! PDF (the browser's print; the stylesheet's print rules leave only the receipt on paper): the
//! case number, the service, the date, each sub-item with its department, and a QR code of the
//! case's tracking link, which the server draws as SVG (the app carries no QR encoder).

use leptos::prelude::*;
use onething_core::ServiceDefinition;
use onething_core::api::ApplicationDetail;

use crate::api;
use crate::components::{LoadError, loaded, title_from};
use crate::dom::focus_heading;
use crate::i18n::tr;
use crate::prefs::locale;

/// This app's address of case `id` (its origin and base): what the QR code encodes.
pub fn tracking_link(id: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!(
        "{origin}{}",
        crate::router::href(&format!("/applications/{id}"))
    )
}

/// The server's SVG, only if it is what the QR renderer makes: shapes, no script or handler.
fn safe_svg(svg: &str) -> Option<String> {
    let lower = svg.to_ascii_lowercase();
    let ok = lower.contains("<svg")
        && !lower.contains("<script")
        && !lower.contains("<foreignobject")
        && !lower.contains(" on")
        && !lower.contains("href");
    ok.then(|| svg.to_owned())
}

/// The page.
#[component]
pub fn ReceiptPage(
    /// The application id from the URL.
    id: String,
) -> impl IntoView {
    title_from(|m| m.receipt_title);
    let fetch = move || {
        let id = id.clone();
        async move {
            let detail = api::get_application(&id).await?;
            let def = api::get_service(&detail.service_id).await?;
            // The receipt prints without the code when it cannot be had (offline).
            let qr = api::receipt_qr(&id, &tracking_link(&id))
                .await
                .ok()
                .and_then(|s| safe_svg(&s));
            Ok((detail, def, qr))
        }
    };
    loaded(
        fetch,
        |t| t.services_loading,
        |answer, on_retry| match answer {
            Ok((detail, def, qr)) => view! { <Receipt detail def qr /> }.into_any(),
            Err(error) => view! { <LoadError error on_retry /> }.into_any(),
        },
    )
}

/// The receipt itself.
#[component]
fn Receipt(
    /// The case.
    detail: ApplicationDetail,
    /// Its service.
    def: ServiceDefinition,
    /// The QR code of the tracking link, as SVG markup.
    qr: Option<String>,
) -> impl IntoView {
    focus_heading();
    let link = tracking_link(&detail.id);
    let back = crate::router::href(&format!("/applications/{}", detail.id));
    let submitted = super::applications::local(&detail.submitted_at, false);
    let title = def.title.clone();
    let items: Vec<_> = detail
        .items
        .iter()
        .filter_map(|i| def.sub_item(&i.sub_item_id))
        .map(|s| (s.title.clone(), s.department.clone()))
        .collect();
    let case = detail.case_number.clone();
    view! {
        <a href=back class="back-link no-print">{tr(|m| m.receipt_back)}</a>
        <article class="receipt" aria-labelledby="receipt-title">
            <h1 id="receipt-title">{tr(|m| m.receipt_title)}</h1>
            <dl class="summary-list receipt-facts">
                <dt>{tr(|m| m.case_number_label)}</dt>
                <dd class="case-number">{case}</dd>
                <dt>{tr(|m| m.receipt_service)}</dt>
                <dd>{move || title.get(locale()).to_owned()}</dd>
                <dt>{tr(|m| m.receipt_submitted)}</dt>
                <dd>{submitted}</dd>
            </dl>
            <h2>{tr(|m| m.receipt_items)}</h2>
            <ul class="plain-list">
                {items.into_iter().map(|(title, dept)| view! {
                    <li>{move || format!("{} — {}", title.get(locale()), dept.get(locale()))}</li>
                }).collect_view()}
            </ul>
            <h2>{tr(|m| m.receipt_track)}</h2>
            {qr.map(|svg| view! {
                <div class="receipt-qr" role="img" aria-label=tr(|m| m.receipt_qr_alt) inner_html=svg></div>
            })}
            <p class="receipt-link">{link}</p>
            <p class="hint">{tr(|m| m.receipt_keep)}</p>
        </article>
        <button type="button" class="button primary no-print" id="receipt-print" on:click=|_| {
            if let Some(w) = web_sys::window() {
                let _ = w.print();
            }
        }>{tr(|m| m.receipt_print)}</button>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_svg;

    #[test]
    fn only_plain_shapes_are_shown() {
        let qr = r##"<?xml version="1.0" standalone="yes"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path fill="#000" d="M0 0h1v1H0z"/></svg>"##;
        assert!(safe_svg(qr).is_some());
        assert!(safe_svg("<svg><script>alert(1)</script></svg>").is_none());
        assert!(safe_svg(r#"<svg onload="x()"></svg>"#).is_none());
        assert!(safe_svg(r#"<svg><a href="javascript:x"/></svg>"#).is_none());
        assert!(safe_svg("not svg").is_none());
    }
}
