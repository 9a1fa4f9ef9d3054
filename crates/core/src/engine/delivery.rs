//! How each selected sub-item's result reaches the person: the way chosen on the form
//! (`delivery_fact`) when the sub-item offers it, otherwise its first listed way with the
//! definition's sentence on why. The SPA shows the exceptions before submission; the server
//! delivers the same way.

use serde::{Deserialize, Serialize};

use crate::definition::{DeliveryMethod, ServiceDefinition};
use crate::text::Text;
use crate::value::{AnswerValue, Answers};

/// One selected sub-item's delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubItemDelivery {
    /// The sub-item id.
    pub sub_item: String,
    /// The way its result goes.
    pub method: DeliveryMethod,
    /// When that is not the way the person chose: what the definition says happens instead.
    pub instead: Option<Text>,
}

/// The way the person chose on the form, if the definition asks and it is answered.
pub fn chosen_delivery(def: &ServiceDefinition, answers: &Answers) -> Option<DeliveryMethod> {
    let id = def.delivery_fact.as_deref()?;
    match answers.get(id)? {
        AnswerValue::Text(s) => crate::wire::parse(s.as_str()),
        _ => None,
    }
}

/// Each of the `selected` sub-items (in the definition's order) with the way its result goes.
pub fn deliveries(
    def: &ServiceDefinition,
    selected: &[String],
    answers: &Answers,
) -> Vec<SubItemDelivery> {
    let chosen = chosen_delivery(def, answers);
    def.sub_items
        .iter()
        // A result that is not delivered (a connection, a payment) has no way to go.
        .filter(|s| selected.contains(&s.id) && s.delivers())
        .map(|s| {
            let method = s.delivery_for(chosen);
            let instead = chosen.filter(|c| *c != method).map(|c| {
                s.results
                    .as_ref()
                    .and_then(|r| r.unavailable.get(&c).cloned())
                    // Checked at load: every offered way is listed or declared unavailable.
                    .unwrap_or_else(|| s.title.clone())
            });
            SubItemDelivery {
                sub_item: s.id.clone(),
                method,
                instead,
            }
        })
        .collect()
}
