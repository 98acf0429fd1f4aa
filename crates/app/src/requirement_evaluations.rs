//! SOFTWARE-3: the development lead decides on each software requirement: do it or not,
//! charge or not, when and how, after the evaluation checklist (general usefulness, improves
//! current functions, fits the product's positioning, effort and later support time, the date
//! the customer wants, whether the customer accepts the charge). The decision is sent to the
//! customer: to its portal users in the app and to its e-mail address.

use aftersales_domain::role::Permission;
use aftersales_domain::service_order::SoftwareClass;
use aftersales_domain::validation::{optional_text, ValidationErrors};
use aftersales_store::entity::{customer, requirement_evaluation, user};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};

use crate::notifications::{self, Message};
use crate::service_orders::{find_visible, record_event};
use crate::{audit, format_ms, Actor, App, AppError};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EvaluationInput {
    /// The checklist: useful to customers in general (大众化和通用性).
    pub general_use: bool,
    /// Improves the product's current functions.
    pub improves_functions: bool,
    /// Fits the product's positioning (a low-end product does not take high-end needs).
    pub fits_positioning: bool,
    /// Working hours it needs, and the support hours it will need later.
    pub effort_hours: i32,
    pub support_hours: i32,
    /// The date the customer wants it by (YYYY-MM-DD).
    pub customer_wanted_on: Option<String>,
    pub customer_accepts_charge: bool,
    /// The decision: do it or not.
    pub accepted: bool,
    /// What the customer is charged, in fen (0: free).
    pub charge_fen: i64,
    /// When it will be done (YYYY-MM-DD), for an accepted requirement.
    pub planned_on: Option<String>,
    /// How: the approach, or the advice when it is not done.
    pub approach: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationView {
    pub order_id: i64,
    pub general_use: bool,
    pub improves_functions: bool,
    pub fits_positioning: bool,
    pub effort_hours: i32,
    pub support_hours: i32,
    pub customer_wanted_on: Option<String>,
    pub customer_accepts_charge: bool,
    pub accepted: bool,
    pub charge_fen: i64,
    pub planned_on: Option<String>,
    pub approach: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
    /// When the decision went to the customer.
    pub sent_at: Option<String>,
}

fn date(errors: &mut ValidationErrors, field: &'static str, text: Option<&str>) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match text.parse::<jiff::civil::Date>() {
        Ok(day) => Some(day.to_string()),
        Err(_) => {
            errors.add(field, "invalid_date");
            None
        }
    }
}

/// Records the decision on a requirement and sends it to the customer.
pub async fn decide(
    app: &App,
    actor: &Actor,
    order_id: i64,
    input: &EvaluationInput,
) -> Result<EvaluationView, AppError> {
    actor.require(Permission::SoftwareEvaluate)?;
    let mut errors = ValidationErrors::new();
    if input.effort_hours < 0 {
        errors.add("effort_hours", "negative");
    }
    if input.support_hours < 0 {
        errors.add("support_hours", "negative");
    }
    if input.charge_fen < 0 {
        errors.add("charge_fen", "negative");
    }
    if input.charge_fen > 0 && !input.accepted {
        errors.add("charge_fen", "not_applicable");
    }
    let wanted = date(
        &mut errors,
        "customer_wanted_on",
        input.customer_wanted_on.as_deref(),
    );
    let planned = date(&mut errors, "planned_on", input.planned_on.as_deref());
    if input.accepted && planned.is_none() && !errors.has("planned_on") {
        errors.add("planned_on", "required");
    }
    let approach = errors
        .check("approach", optional_text(input.approach.as_deref(), 2000))
        .flatten();
    if approach.is_none() && !errors.has("approach") {
        errors.add("approach", "required");
    }
    errors.into_result(())?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let order = find_visible(&txn, actor, order_id).await?;
    if order.software_class.as_deref() != Some(SoftwareClass::Requirement.as_str()) {
        return Err(AppError::invalid("order_id", "not_a_requirement"));
    }
    let existing = requirement_evaluation::Entity::find()
        .filter(requirement_evaluation::Column::OrderId.eq(order.id))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(AppError::Conflict {
            code: "requirement_decided",
            field: Some("order_id"),
            detail: None,
        });
    }
    let row = requirement_evaluation::ActiveModel {
        order_id: Set(order.id),
        general_use: Set(input.general_use),
        improves_functions: Set(input.improves_functions),
        fits_positioning: Set(input.fits_positioning),
        effort_hours: Set(input.effort_hours),
        support_hours: Set(input.support_hours),
        customer_wanted_on: Set(wanted),
        customer_accepts_charge: Set(input.customer_accepts_charge),
        accepted: Set(input.accepted),
        charge_fen: Set(input.charge_fen),
        planned_on: Set(planned.clone()),
        approach: Set(approach.clone()),
        decided_by: Set(actor.user_id),
        decided_at: Set(now),
        sent_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let (zh, en) = if input.accepted {
        (
            format!(
                "您的需求 {} 将予实现，计划 {}，费用 {:.2} 元",
                order.number,
                planned.as_deref().unwrap_or_default(),
                input.charge_fen as f64 / 100.0
            ),
            format!(
                "Your requirement {} will be done by {}, charge CNY {:.2}",
                order.number,
                planned.as_deref().unwrap_or_default(),
                input.charge_fen as f64 / 100.0
            ),
        )
    } else {
        (
            format!("您的需求 {} 暂不实现", order.number),
            format!("Your requirement {} will not be done", order.number),
        )
    };
    let body = approach.clone().unwrap_or_default();
    let portal_users: Vec<i64> = user::Entity::find()
        .filter(user::Column::CustomerId.eq(order.customer_id))
        .filter(user::Column::Active.eq(true))
        .all(&txn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let message = Message {
        kind: "requirement_decision",
        link: Some(format!("/service-orders/{}", order.id)),
        zh: (zh.clone(), body.clone()),
        en: (en.clone(), body.clone()),
    };
    notifications::notify(&txn, now, &portal_users, &message).await?;
    if let Some(email) = customer_email(&txn, order.customer_id).await? {
        notifications::queue_mail(
            &txn,
            now,
            &email,
            &format!("{zh} / {en}"),
            &body,
            ("service_order", order.id),
        )
        .await?;
    }
    record_event(
        &txn,
        order.id,
        now,
        actor,
        "requirement_decision",
        &order.status,
        &order.status,
        Some(zh),
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "service_order",
        order.id,
        "requirement_decision",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = view(&txn, row).await?;
    txn.commit().await?;
    Ok(view)
}

async fn customer_email(
    db: &impl ConnectionTrait,
    customer_id: i64,
) -> Result<Option<String>, AppError> {
    Ok(customer::Entity::find_by_id(customer_id)
        .one(db)
        .await?
        .and_then(|c| c.email)
        .filter(|e| !e.trim().is_empty()))
}

/// The decision on an order's requirement, if made.
pub async fn of_order(
    db: &impl ConnectionTrait,
    order_id: i64,
) -> Result<Option<EvaluationView>, AppError> {
    match requirement_evaluation::Entity::find()
        .filter(requirement_evaluation::Column::OrderId.eq(order_id))
        .one(db)
        .await?
    {
        Some(row) => Ok(Some(view(db, row).await?)),
        None => Ok(None),
    }
}

/// The decision as the API shows it (an order the actor can read).
pub async fn get(
    app: &App,
    actor: &Actor,
    order_id: i64,
) -> Result<Option<EvaluationView>, AppError> {
    actor.require(Permission::OrderRead)?;
    let order = find_visible(&app.db, actor, order_id).await?;
    of_order(&app.db, order.id).await
}

async fn view(
    db: &impl ConnectionTrait,
    row: requirement_evaluation::Model,
) -> Result<EvaluationView, AppError> {
    let decided_by = user::Entity::find_by_id(row.decided_by)
        .one(db)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    Ok(EvaluationView {
        order_id: row.order_id,
        general_use: row.general_use,
        improves_functions: row.improves_functions,
        fits_positioning: row.fits_positioning,
        effort_hours: row.effort_hours,
        support_hours: row.support_hours,
        customer_wanted_on: row.customer_wanted_on,
        customer_accepts_charge: row.customer_accepts_charge,
        accepted: row.accepted,
        charge_fen: row.charge_fen,
        planned_on: row.planned_on,
        approach: row.approach,
        decided_by,
        decided_at: format_ms(row.decided_at),
        sent_at: row.sent_at.map(format_ms),
    })
}
