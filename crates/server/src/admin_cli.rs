//! `onething-server admin ...`: the departments' side on the command line. It drives a running
//! server through its admin API (`/api/admin/`) with the typed client, so it works against any
//! deployment, never opens a data directory, and every rule of a move is the server's.

use onething_client::Client;
use onething_core::api::{
    AdminTransition, ApplicationDetail, DeliveryMethod, DeliveryRequest, SubItemStatus,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::{AdminArgs, AdminCommand, Config};

/// Runs one admin command against the server of `args` (default: this configuration's
/// address) and prints its result (JSON for a case, one line per case for the list).
///
/// # Errors
/// No admin token, the server cannot be reached, or it refuses (wrong token, unknown case or
/// sub-item, a move that is not allowed).
pub async fn run(config: &Config, args: AdminArgs) -> Result<(), Box<dyn std::error::Error>> {
    let server = args
        .server
        .unwrap_or_else(|| format!("http://{}", config.addr));
    let token = args
        .admin_token
        .or_else(|| config.admin_token.clone())
        .ok_or("admin: no admin token (--admin-token or ONETHING_ADMIN_TOKEN)")?;
    let api = Client::new(&server)?.with_bearer(&token);
    let (case, sub_item, transition) = match args.command {
        AdminCommand::List => {
            for a in api.admin_applications().await? {
                println!(
                    "{}\t{}\t{}\t{:?}\t{}",
                    a.case_number, a.id, a.service_id, a.status, a.submitted_at
                );
            }
            return Ok(());
        }
        AdminCommand::Show { case } => {
            let detail = api.admin_application(&case).await?;
            println!("{}", serde_json::to_string_pretty(&detail)?);
            return Ok(());
        }
        AdminCommand::Move {
            case,
            sub_item,
            status,
            note,
        } => {
            let to: SubItemStatus =
                from_wire(&status).ok_or_else(|| format!("unknown status `{status}`"))?;
            let transition = AdminTransition {
                to,
                note,
                delivery: None,
            };
            (case, sub_item, transition)
        }
        AdminCommand::Supplement {
            case,
            sub_item,
            note,
        } => {
            let transition = AdminTransition {
                to: SubItemStatus::SupplementRequested,
                note: Some(note),
                delivery: None,
            };
            (case, sub_item, transition)
        }
        AdminCommand::Deliver {
            case,
            sub_item,
            method,
            courier,
            tracking_number,
            pickup_code,
        } => {
            let method: DeliveryMethod = from_wire(&method)
                .ok_or_else(|| format!("unknown method `{method}` (mail, window, e_licence)"))?;
            let transition = AdminTransition {
                to: SubItemStatus::Delivered,
                note: None,
                delivery: Some(DeliveryRequest {
                    method,
                    courier,
                    tracking_number,
                    pickup_code,
                }),
            };
            (case, sub_item, transition)
        }
    };
    let after = api.admin_move(&case, &sub_item, &transition).await?;
    print_moved(&after, &sub_item);
    Ok(())
}

/// `<case number> <sub-item> -> <status>`, the sub-item's state after the move.
fn print_moved(after: &ApplicationDetail, sub_item: &str) {
    if let Some(item) = after.items.iter().find(|i| i.sub_item_id == sub_item) {
        println!(
            "{} {} -> {}",
            after.case_number,
            sub_item,
            to_wire(&item.status)
        );
    }
}

/// A value from its wire name (serde's), as typed on the command line.
fn from_wire<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// A value's wire name (serde's).
fn to_wire<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_methods_are_typed_by_their_wire_names() {
        assert_eq!(
            from_wire::<SubItemStatus>("supplement_requested"),
            Some(SubItemStatus::SupplementRequested)
        );
        assert_eq!(
            from_wire::<DeliveryMethod>("e_licence"),
            Some(DeliveryMethod::ELicence)
        );
        assert_eq!(from_wire::<SubItemStatus>("SupplementRequested"), None);
        assert_eq!(from_wire::<DeliveryMethod>("courier"), None);
        assert_eq!(to_wire(&SubItemStatus::InProgress), "in_progress");
    }
}
