//! STAFF-4, T20: a supervisor reports that a technician could not be reached in the on-call
//! window (`domain::on_call`). An unexplained miss opens an on-call breach incident (the travel
//! phone allowance is then deducted through the incident's sanction); an explained one is
//! recorded in the audit trail only.

use aftersales_domain::on_call::{is_breach, MissKind};
use aftersales_domain::role::Permission;
use aftersales_domain::staff_conduct::IncidentKind;
use aftersales_domain::validation::optional_text;
use aftersales_store::entity::{org_unit, user};
use aftersales_store::sea_orm::EntityTrait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::staff_conduct::{open_incident, NewIncident};
use crate::{audit, settings, Actor, App, AppError};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MissInput {
    /// The technician who could not be reached.
    pub staff_id: i64,
    /// switched_off or refused.
    pub kind: String,
    /// When (RFC 3339).
    pub at: String,
    /// The technician's reason, if they gave one.
    pub reason: Option<String>,
    /// The order the call was about, if any.
    pub service_order_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MissView {
    /// The incident opened for an unexplained miss; empty when a reason was given.
    pub incident_id: Option<i64>,
}

pub async fn report_miss(
    app: &App,
    actor: &Actor,
    input: &MissInput,
) -> Result<MissView, AppError> {
    actor.require(Permission::IncidentWrite)?;
    let kind =
        MissKind::parse(&input.kind).ok_or_else(|| AppError::invalid("kind", "invalid_choice"))?;
    let at: Timestamp = input
        .at
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("at", "invalid_instant"))?;
    if at > app.clock.now() {
        return Err(AppError::invalid("at", "in_future"));
    }
    let reason = optional_text(input.reason.as_deref(), 500)
        .map_err(|code| AppError::invalid("reason", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let staff = user::Entity::find_by_id(input.staff_id)
        .one(&txn)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::invalid("staff_id", "not_found"))?;
    let unit_id = staff
        .org_unit_id
        .ok_or_else(|| AppError::invalid("staff_id", "not_staff"))?;
    actor.ensure_sees(unit_id, None)?;
    let zone = match org_unit::Entity::find_by_id(unit_id).one(&txn).await? {
        Some(unit) => jiff::tz::TimeZone::get(&unit.time_zone)
            .unwrap_or_else(|_| crate::clock::default_zone()),
        None => crate::clock::default_zone(),
    };
    let window = settings::parse_window(&settings::get(&txn, "staff.oncall_window").await?)
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("staff.oncall_window is not a window"))
        })?;
    let local = at.to_zoned(zone).time();
    let breach = is_breach(local, window, reason.as_deref())
        .map_err(|code| AppError::invalid("at", code))?;
    let incident_id = if breach {
        let incident = NewIncident {
            staff_id: staff.id,
            kind: IncidentKind::OnCallBreach.as_str().to_string(),
            description: Some(format!(
                "{} {}：{}",
                local.strftime("%H:%M"),
                match kind {
                    MissKind::SwitchedOff => "无故关机 / phone switched off",
                    MissKind::Refused => "无故拒接电话 / call refused",
                },
                staff.display_name
            )),
            service_order_id: input.service_order_id,
            complaint_id: None,
            survey_card_id: None,
        };
        Some(open_incident(&txn, &incident, "on_call", Some(actor), now).await?)
    } else {
        None
    };
    audit::record(
        &txn,
        now,
        Some(actor),
        "user",
        staff.id,
        "on_call_miss",
        None::<&()>,
        Some(&serde_json::json!({"kind": kind.as_str(), "at": at.to_string(), "reason": reason, "incident_id": incident_id})),
    )
    .await?;
    txn.commit().await?;
    Ok(MissView { incident_id })
}
