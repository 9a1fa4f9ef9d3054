//! `onething-server admin ...`: the departments' side on the command line. It works on the
//! data directory directly (the same operations as the admin API); a running server's
//! Server-Sent Event streams notice the change within seconds.

use onething_core::api::{AdminTransition, DeliveryMethod, DeliveryRequest, SubItemStatus};

use crate::config::{AdminCommand, Config};
use crate::routes::resolve_case;
use crate::{AppState, store, tracking};

/// Runs one admin command and prints its result (JSON for cases).
///
/// # Errors
/// The store cannot be opened, the case or sub-item does not exist, or the move is not allowed.
pub async fn run(config: &Config, cmd: AdminCommand) -> Result<(), Box<dyn std::error::Error>> {
    let state = AppState::open(config).await?;
    let (case, sub_item, req) = match cmd {
        AdminCommand::List => {
            let mut conn = state.db.acquire().await?;
            for a in store::applications::list(&mut conn, None, state.clock.now()).await? {
                println!(
                    "{}\t{}\t{}\t{:?}\t{}",
                    a.case_number, a.id, a.service_id, a.status, a.submitted_at
                );
            }
            return Ok(());
        }
        AdminCommand::Show { case } => {
            let detail = resolve_case(&state, &case).await?;
            println!("{}", serde_json::to_string_pretty(&detail)?);
            return Ok(());
        }
        AdminCommand::Move {
            case,
            sub_item,
            status,
            note,
        } => {
            let to = SubItemStatus::parse(&status)
                .ok_or_else(|| format!("unknown status `{status}`"))?;
            (
                case,
                sub_item,
                AdminTransition {
                    to,
                    note,
                    delivery: None,
                },
            )
        }
        AdminCommand::Supplement {
            case,
            sub_item,
            note,
        } => (
            case,
            sub_item,
            AdminTransition {
                to: SubItemStatus::SupplementRequested,
                note: Some(note),
                delivery: None,
            },
        ),
        AdminCommand::Deliver {
            case,
            sub_item,
            method,
            courier,
            tracking_number,
            pickup_code,
        } => {
            let method = [
                DeliveryMethod::Mail,
                DeliveryMethod::Window,
                DeliveryMethod::ELicence,
            ]
            .into_iter()
            .find(|m| m.as_str() == method)
            .ok_or_else(|| format!("unknown method `{method}` (mail, window, e_licence)"))?;
            (
                case,
                sub_item,
                AdminTransition {
                    to: SubItemStatus::Delivered,
                    note: None,
                    delivery: Some(DeliveryRequest {
                        method,
                        courier,
                        tracking_number,
                        pickup_code,
                    }),
                },
            )
        }
    };
    let app = resolve_case(&state, &case).await?;
    tracking::transition(&state, &app.id, &sub_item, &req).await?;
    let after = resolve_case(&state, &app.id).await?;
    if let Some(item) = after.items.iter().find(|i| i.sub_item_id == sub_item) {
        println!(
            "{} {} -> {}",
            after.case_number,
            sub_item,
            item.status.as_str()
        );
    }
    Ok(())
}
