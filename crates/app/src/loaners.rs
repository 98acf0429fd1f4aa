//! Loaner units (替补商品, PARTS-4): a pool of stand-in units per branch. While a
//! customer's unit is in the workshop a loaner can be lent, recorded on the carry-in order;
//! it must come back before the repaired unit is handed over ([`ensure_back`], called by the
//! return step). Every lend and recall is a `loaner_events` row, so the loaner's location
//! and history are always known.
//!
//! A loaner still out `parts.loaner_return_days` days after the order's promised return
//! date is flagged by a durable timer (T22), which tells the branch's supervisors.
//! Decision: the promised date is the reference because the handover itself cannot happen
//! while a loaner is out.

use aftersales_domain::parts::{loaner_next, LoanerEvent, LoanerStatus};
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::validation::{required_text, ValidationErrors};
use aftersales_store::entity::{goods_receipt, loaner, loaner_event, service_order, user};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::org::versioned_update;
use crate::timers::{Fire, Job};
use crate::{audit, notifications, Actor, App, AppError};

/// The timer that flags a loaner still out after the promised return date (T22).
pub const OVERDUE_JOB: &str = "loaner_overdue";

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LoanerInput {
    /// Unique, e.g. `TB-BJ-01`.
    pub code: String,
    /// What it is, e.g. "KFR-35GW 替补机".
    pub name: String,
    #[serde(default)]
    pub serial_no: String,
    /// The branch whose pool it joins; empty: the actor's.
    pub org_unit_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoanerEventView {
    pub event: String,
    pub order_id: Option<i64>,
    pub note: Option<String>,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoanerView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub serial_no: String,
    pub org_unit_id: i64,
    /// available, lent or retired.
    pub status: String,
    /// The order it is lent to.
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub lent_at: Option<String>,
    /// Set when it was still out too long after the promised return date.
    pub overdue: bool,
    pub version: i32,
    pub history: Vec<LoanerEventView>,
}

async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<loaner::Model>,
) -> Result<Vec<LoanerView>, AppError> {
    let events = loaner_event::Entity::find()
        .filter(loaner_event::Column::LoanerId.is_in(rows.iter().map(|r| r.id).collect::<Vec<_>>()))
        .order_by_asc(loaner_event::Column::Id)
        .all(db)
        .await?;
    let orders = service_order::Entity::find()
        .filter(
            service_order::Column::Id
                .is_in(rows.iter().filter_map(|r| r.order_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?;
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(events.iter().map(|e| e.created_by).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| LoanerView {
            history: events
                .iter()
                .filter(|e| e.loaner_id == r.id)
                .map(|e| LoanerEventView {
                    event: e.event.clone(),
                    order_id: e.order_id,
                    note: e.note.clone(),
                    by: people
                        .iter()
                        .find(|p| p.id == e.created_by)
                        .map(|p| p.display_name.clone())
                        .unwrap_or_default(),
                    at: crate::format_ms(e.created_at),
                })
                .collect(),
            order_number: r
                .order_id
                .and_then(|id| orders.iter().find(|o| o.id == id))
                .map(|o| o.number.clone()),
            id: r.id,
            code: r.code,
            name: r.name,
            serial_no: r.serial_no,
            org_unit_id: r.org_unit_id,
            status: r.status,
            order_id: r.order_id,
            lent_at: r.lent_at.map(crate::format_ms),
            overdue: r.overdue_at.is_some(),
            version: r.version,
        })
        .collect())
}

/// The pools the actor sees (their branch, or all for headquarters roles).
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<LoanerView>, AppError> {
    actor.require(Permission::OrderRead)?;
    let rows: Vec<loaner::Model> = loaner::Entity::find()
        .order_by_asc(loaner::Column::Code)
        .all(&app.db)
        .await?
        .into_iter()
        .filter(|l| actor.sees(l.org_unit_id, None))
        .collect();
    views(&app.db, rows).await
}

/// The loaners currently lent to an order.
pub async fn of_order(
    app: &App,
    actor: &Actor,
    order_id: i64,
) -> Result<Vec<LoanerView>, AppError> {
    actor.require(Permission::OrderRead)?;
    crate::service_orders::find_visible(&app.db, actor, order_id).await?;
    let rows = loaner::Entity::find()
        .filter(loaner::Column::OrderId.eq(order_id))
        .all(&app.db)
        .await?;
    views(&app.db, rows).await
}

pub async fn create(app: &App, actor: &Actor, input: &LoanerInput) -> Result<LoanerView, AppError> {
    actor.require(Permission::PartsWrite)?;
    let mut errors = ValidationErrors::new();
    let code = errors.check("code", required_text(&input.code, 30));
    let name = errors.check("name", required_text(&input.name, 100));
    let serial_no = input.serial_no.trim().to_string();
    let (Some(code), Some(name)) = (code, name) else {
        return Err(errors.into());
    };
    let org_unit_id = actor.branch_for_new_record(input.org_unit_id)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    if loaner::Entity::find()
        .filter(loaner::Column::Code.eq(&code))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::field_conflict("duplicate_code", "code"));
    }
    let row = loaner::ActiveModel {
        code: Set(code),
        name: Set(name),
        serial_no: Set(serial_no),
        org_unit_id: Set(org_unit_id),
        status: Set(LoanerStatus::Available.as_str().into()),
        order_id: Set(None),
        lent_at: Set(None),
        overdue_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "loaner",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = views(&txn, vec![row]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LoanerStepInput {
    /// lend: the carry-in order it goes out with.
    pub order_id: Option<i64>,
    pub note: Option<String>,
    /// The loaner's version read.
    pub version: i32,
}

/// Lends, recalls or retires a loaner. Lending needs a carry-in order of the loaner's
/// branch whose unit is still in the workshop (a goods receipt in force).
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    event: LoanerEvent,
    input: &LoanerStepInput,
) -> Result<LoanerView, AppError> {
    if event == LoanerEvent::Retire {
        actor.require(Permission::PartsWrite)?;
    } else {
        // The clerk who hands units over at the counter also hands loaners out and back.
        actor.require(Permission::OrderRegister)?;
    }
    let note = aftersales_domain::validation::optional_text(input.note.as_deref(), 500)
        .map_err(|code| AppError::invalid("note", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = loaner::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(before.org_unit_id, None)?;
    let from = LoanerStatus::parse(&before.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored status {}", before.status)))?;
    let to = loaner_next(from, event).ok_or(AppError::Conflict {
        code: "invalid_transition",
        field: Some("status"),
        detail: Some(format!("the loaner is {}", before.status)),
    })?;
    let mut active: loaner::ActiveModel = before.clone().into();
    let order_id = match event {
        LoanerEvent::Lend => {
            let order_id = input
                .order_id
                .ok_or_else(|| AppError::invalid("order_id", "required"))?;
            let order = crate::service_orders::find_visible(&txn, actor, order_id)
                .await
                .map_err(|_| AppError::invalid("order_id", "not_found"))?;
            if order.org_unit_id != before.org_unit_id {
                return Err(AppError::invalid("order_id", "other_branch"));
            }
            let receipt = goods_receipt::Entity::find()
                .filter(goods_receipt::Column::OrderId.eq(order.id))
                .filter(goods_receipt::Column::Status.eq(crate::carry_in::ISSUED))
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::invalid("order_id", "not_carried_in"))?;
            let days = crate::settings::get_count(&txn, "parts.loaner_return_days").await?;
            let promised: jiff::civil::Date = receipt
                .promised_date
                .parse()
                .map_err(|err| AppError::Internal(anyhow::anyhow!("promised date: {err}")))?;
            let due = promised
                .saturating_add(jiff::Span::new().days(days))
                .to_zoned(crate::clock::default_zone())
                .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))?
                .timestamp()
                .as_millisecond();
            crate::timers::schedule(
                &txn,
                OVERDUE_JOB,
                "loaner",
                before.id,
                Some(&format!("{OVERDUE_JOB}:{}:{now}", before.id)),
                due,
                Some(&serde_json::json!({ "order_id": order.id })),
                now,
            )
            .await?;
            active.order_id = Set(Some(order.id));
            active.lent_at = Set(Some(now));
            active.overdue_at = Set(None);
            Some(order.id)
        }
        LoanerEvent::Recall => {
            crate::timers::cancel(&txn, OVERDUE_JOB, "loaner", before.id).await?;
            active.order_id = Set(None);
            active.lent_at = Set(None);
            active.overdue_at = Set(None);
            before.order_id
        }
        LoanerEvent::Retire => None,
    };
    active.status = Set(to.as_str().into());
    active.version = Set(input.version + 1);
    let after = versioned_update(&txn, active, loaner::Column::Version, input.version).await?;
    loaner_event::ActiveModel {
        loaner_id: Set(id),
        event: Set(event.as_str().into()),
        order_id: Set(order_id),
        note: Set(note),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "loaner",
        id,
        event.as_str(),
        Some(&before),
        Some(&after),
    )
    .await?;
    let view = views(&txn, vec![after]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

/// The carry-in return step's check: a loaner lent to the order must be back first
/// (409 `loaner_out`).
pub(crate) async fn ensure_back(
    db: &impl ConnectionTrait,
    order: &service_order::Model,
) -> Result<(), AppError> {
    let out = loaner::Entity::find()
        .filter(loaner::Column::OrderId.eq(order.id))
        .filter(loaner::Column::Status.eq(LoanerStatus::Lent.as_str()))
        .one(db)
        .await?;
    match out {
        Some(loaner) => Err(AppError::Conflict {
            code: "loaner_out",
            // No field: the return form shows it at the top.
            field: None,
            detail: Some(format!("loaner {} is still out", loaner.code)),
        }),
        None => Ok(()),
    }
}

/// T22: flags a loaner still out after the promised date plus the grace days and tells the
/// branch's supervisors, once per lending.
pub struct OverdueJob;

#[async_trait::async_trait]
impl Job for OverdueJob {
    fn name(&self) -> &'static str {
        OVERDUE_JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(row) = loaner::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        if row.status != LoanerStatus::Lent.as_str() || row.overdue_at.is_some() {
            return Ok(());
        }
        loaner::Entity::update_many()
            .col_expr(
                loaner::Column::OverdueAt,
                aftersales_store::sea_orm::sea_query::Expr::value(fire.now_ms),
            )
            .filter(loaner::Column::Id.eq(row.id))
            .exec(fire.txn)
            .await?;
        let supervisors = notifications::users_with_role(
            fire.txn,
            Role::ServiceSupervisor,
            Some(row.org_unit_id),
        )
        .await?;
        let message = notifications::Message {
            kind: "loaner_overdue",
            link: Some("/loaners".into()),
            zh: (
                format!("替补商品逾期未还：{}", row.code),
                format!("替补商品 {}（{}）已超过承诺交还日仍未收回，请联系客户。", row.code, row.name),
            ),
            en: (
                format!("Loaner overdue: {}", row.code),
                format!(
                    "Loaner {} ({}) is still out after the promised return date; contact the customer.",
                    row.code, row.name
                ),
            ),
        };
        notifications::notify(fire.txn, fire.now_ms, &supervisors, &message).await?;
        Ok(())
    }
}
