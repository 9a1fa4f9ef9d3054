//! `onething-server admin ...`: the departments' side on the command line. It drives a running
//! server through its admin API (`/api/admin/`) with the typed client, so it works against any
//! deployment, never opens a data directory, and every rule of a move is the server's.

use onething_client::Client;
use onething_core::api::{
    AdminTransition, ApplicationDetail, AuditQuery, DeliveryMethod, DeliveryRequest,
    DepartmentTokenRequest, QueueQuery, SubItemStatus,
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
#[expect(
    clippy::too_many_lines,
    reason = "one arm per command, each a few lines"
)]
pub async fn run(config: &Config, args: AdminArgs) -> Result<(), Box<dyn std::error::Error>> {
    let server = args
        .server
        .unwrap_or_else(|| format!("http://{}", config.addr));
    let base = Client::new(&server)?;
    let admin_token = args.admin_token.or_else(|| config.admin_token.clone());
    let department = args.department_token.map(|t| base.with_bearer(&t));
    let admin = || {
        admin_token
            .as_deref()
            .map(|t| base.with_bearer(t))
            .ok_or("admin: no admin token (--admin-token or ONETHING_ADMIN_TOKEN)")
    };
    let (case, sub_item, transition) = match args.command {
        AdminCommand::Departments => {
            for d in admin()?.admin_departments().await? {
                let subs: Vec<String> = d
                    .sub_items
                    .iter()
                    .map(|s| format!("{}/{}", s.service_id, s.sub_item_id))
                    .collect();
                println!("{}\t{}", d.department, subs.join(" "));
            }
            return Ok(());
        }
        AdminCommand::DepartmentToken {
            department,
            label,
            ttl_days,
        } => {
            let created = admin()?
                .admin_department_token(&DepartmentTokenRequest {
                    department,
                    label,
                    ttl_days: Some(ttl_days),
                })
                .await?;
            println!("{}", created.token);
            eprintln!(
                "department token for {} ({} sub-items), until {}",
                created.department.department,
                created.department.sub_items.len(),
                created.expires_at
            );
            return Ok(());
        }
        AdminCommand::AgentTicket {
            label,
            name,
            organisation,
        } => {
            let t = admin()?
                .admin_agent_ticket(&onething_core::api::AgentRequest {
                    label,
                    name,
                    organisation,
                })
                .await?;
            println!("{}", t.ticket);
            eprintln!(
                "agent sign-in ticket (single use, until {}): open the app with ?ticket=<it>",
                t.expires_at
            );
            return Ok(());
        }
        AdminCommand::Audit { case, after } => {
            let query = AuditQuery {
                case,
                after,
                limit: None,
            };
            for e in admin()?.admin_audit(&query).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    e.id,
                    e.at,
                    e.actor,
                    e.action,
                    e.case_number.unwrap_or_default(),
                    e.sub_item_id.unwrap_or_default(),
                    e.detail.unwrap_or_default()
                );
            }
            return Ok(());
        }
        AdminCommand::Queue {
            status,
            due_before,
            page,
        } => {
            let api = department
                .as_ref()
                .ok_or("admin queue: needs --department-token (ONETHING_DEPARTMENT_TOKEN)")?;
            let status = status
                .map(|s| from_wire::<SubItemStatus>(&s).ok_or(format!("unknown status `{s}`")))
                .transpose()?;
            let q = api
                .department_queue(&QueueQuery {
                    status,
                    due_before,
                    page,
                    per_page: None,
                })
                .await?;
            for e in &q.entries {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    e.case_number,
                    e.sub_item_id,
                    to_wire(&e.status),
                    e.due_on.as_deref().unwrap_or("-"),
                    e.submitted_at
                );
            }
            eprintln!("page {} of {} entries", q.page, q.total);
            return Ok(());
        }
        AdminCommand::List => {
            for a in admin()?.admin_applications().await? {
                println!(
                    "{}\t{}\t{}\t{:?}\t{}",
                    a.case_number, a.id, a.service_id, a.status, a.submitted_at
                );
            }
            return Ok(());
        }
        AdminCommand::RotateKey => {
            let r = admin()?.admin_rotate_key().await?;
            println!(
                "master key {}{}: {} data keys re-wrapped; retired: {}",
                r.key_id,
                if r.generated { " (new)" } else { "" },
                r.rewrapped,
                if r.retired.is_empty() {
                    "none".to_owned()
                } else {
                    r.retired.join(", ")
                }
            );
            return Ok(());
        }
        AdminCommand::Show { case } => {
            let detail = admin()?.admin_application(&case).await?;
            println!("{}", serde_json::to_string_pretty(&detail)?);
            return Ok(());
        }
        AdminCommand::Move {
            case,
            sub_item,
            status,
            note,
            stage,
            record,
        } => {
            let to: SubItemStatus =
                from_wire(&status).ok_or_else(|| format!("unknown status `{status}`"))?;
            let record = match record {
                Some(json) => serde_json::from_str(&json)
                    .map_err(|e| format!("--record is not a JSON object of field values: {e}"))?,
                None => std::collections::BTreeMap::new(),
            };
            let transition = AdminTransition {
                note,
                stage,
                record,
                ..AdminTransition::to(to)
            };
            (case, sub_item, transition)
        }
        AdminCommand::Supplement {
            case,
            sub_item,
            note,
        } => {
            let transition = AdminTransition {
                note: Some(note),
                ..AdminTransition::to(SubItemStatus::SupplementRequested)
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
                delivery: Some(DeliveryRequest {
                    method,
                    courier,
                    tracking_number,
                    pickup_code,
                }),
                ..AdminTransition::to(SubItemStatus::Delivered)
            };
            (case, sub_item, transition)
        }
    };
    // With a department token the move is the department's own (its API, its name on the
    // timeline); otherwise the operator's.
    if let Some(api) = &department {
        let after = api.department_move(&case, &sub_item, &transition).await?;
        println!(
            "{} {} -> {}",
            after.case_number,
            after.sub_item_id,
            to_wire(&after.status)
        );
        return Ok(());
    }
    let after = admin()?.admin_move(&case, &sub_item, &transition).await?;
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
