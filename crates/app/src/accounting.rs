//! The accountant's side of billing (BILLING-4/5, timer T6).
//!
//! Cash (BILLING-4): an order paid in cash on site gets a `cash_collections` row in the
//! completing transaction ([`record_cash`], called from `billing::on_complete`). The cash is
//! on the technician's account until an accountant of the branch confirms the handover, for
//! one or several orders at once; a second confirmation answers 409. T6 (a design decision,
//! see `domain::settlement`): a durable timer per collection fires at the end of the working
//! day of collection and, if the cash is still held, flags it and tells the branch's
//! accountants and service supervisors (the technician's supervisors).
//!
//! Invoices (BILLING-4/5): the accountant raises the invoice from the voucher (number from
//! `billing.invoice_number_pattern`, amount = the order's payable total, buyer from the
//! customer). Orders settled by invoice, and paid carry-in repairs once returned, are due
//! the day the work was completed and overdue after it. An invoice for unpaid work opens a
//! collection task (open → collected, amount and date); an invoice for cash already paid is
//! mailed to the customer (补寄发票), and the mailing is logged.

use std::collections::HashMap;

use aftersales_domain::role::Scope;
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::service_order::ServiceCategory;
use aftersales_domain::settlement::{self, COLLECTION_COLLECTED, COLLECTION_OPEN};
use aftersales_domain::validation::{required_text, ValidationErrors};
use aftersales_store::entity::{cash_collection, customer, invoice, org_unit, service_order, user};
use aftersales_store::sea_orm::sea_query::{Condition, Expr};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::billing::ChargesView;
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::timers::{Fire, Job};
use crate::{audit, notifications, numbering, settings, timers, Actor, App, AppError};

/// The T6 timer's kind.
pub const CASH_HANDOVER_DUE: &str = "cash_handover_due";
const CASH_SUBJECT: &str = "cash_collection";

// ----- cash (BILLING-4, T6) -----

/// Records cash collected on site at completion and schedules its T6 timer; runs in the
/// completing transaction.
pub(crate) async fn record_cash(
    app: &App,
    db: &impl ConnectionTrait,
    order: &service_order::Model,
    amount_fen: i64,
    now: i64,
) -> Result<(), AppError> {
    let calendar = crate::calendars::effective_calendar(
        db,
        &*app.reference.snapshot(db).await?,
        Some(order.org_unit_id),
        Some(order.customer_id),
        None,
    )
    .await?;
    let collected_at = jiff::Timestamp::from_millisecond(now)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))?;
    let due_at = settlement::handover_deadline(&calendar, collected_at).as_millisecond();
    let row = cash_collection::ActiveModel {
        order_id: Set(order.id),
        org_unit_id: Set(order.org_unit_id),
        // Completion is the assigned technician's step; a supervisor completing for an
        // unassigned order cannot happen (dispatch comes first), so the registrar is only
        // a fallback that keeps the row valid.
        technician_id: Set(order.technician_id.unwrap_or(order.registered_by)),
        amount_fen: Set(amount_fen),
        collected_at: Set(now),
        due_at: Set(due_at),
        flagged_at: Set(None),
        handed_over_at: Set(None),
        handed_over_by: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    timers::schedule(
        db,
        CASH_HANDOVER_DUE,
        CASH_SUBJECT,
        row.id,
        Some(&format!("{CASH_HANDOVER_DUE}:{}", row.id)),
        due_at,
        None,
        now,
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CashView {
    pub id: i64,
    pub order_id: i64,
    pub order_number: String,
    pub customer_name: String,
    pub technician_id: i64,
    pub technician_name: String,
    pub amount_fen: i64,
    pub collected_at: String,
    /// The end of the working day of collection (T6).
    pub due_at: String,
    /// How long the cash has been held, in minutes (until the handover, or now).
    pub age_minutes: i64,
    /// Past its deadline and not handed over.
    pub overdue: bool,
    /// When the T6 timer flagged the cash as not handed over in time.
    pub flagged_at: Option<String>,
    pub handed_over_at: Option<String>,
    pub handed_over_by: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct CashFilter {
    /// held (default): not yet handed over; handed_over; or all.
    pub status: Option<String>,
    pub technician_id: Option<i64>,
}

async fn names(db: &impl ConnectionTrait, ids: Vec<i64>) -> Result<HashMap<i64, String>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

async fn cash_views(
    db: &impl ConnectionTrait,
    rows: Vec<cash_collection::Model>,
    now: i64,
) -> Result<Vec<CashView>, AppError> {
    let orders: HashMap<i64, service_order::Model> = service_order::Entity::find()
        .filter(service_order::Column::Id.is_in(rows.iter().map(|r| r.order_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let customers: HashMap<i64, String> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(orders.values().map(|o| o.customer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let people_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.technician_id), r.handed_over_by])
        .flatten()
        .collect();
    let people = names(db, people_ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let order = orders.get(&row.order_id);
            let until = row.handed_over_at.unwrap_or(now);
            CashView {
                id: row.id,
                order_id: row.order_id,
                order_number: order.map(|o| o.number.clone()).unwrap_or_default(),
                customer_name: order
                    .and_then(|o| customers.get(&o.customer_id).cloned())
                    .unwrap_or_default(),
                technician_id: row.technician_id,
                technician_name: people.get(&row.technician_id).cloned().unwrap_or_default(),
                amount_fen: row.amount_fen,
                collected_at: crate::format_ms(row.collected_at),
                due_at: crate::format_ms(row.due_at),
                age_minutes: (until - row.collected_at).max(0) / 60_000,
                overdue: settlement::cash_overdue(row.due_at, row.handed_over_at.is_some(), now),
                flagged_at: row.flagged_at.map(crate::format_ms),
                handed_over_at: row.handed_over_at.map(crate::format_ms),
                handed_over_by: row.handed_over_by.and_then(|id| people.get(&id).cloned()),
            }
        })
        .collect())
}

/// Limits a query to the actor's branches (headquarters roles see all).
fn in_scope<Q: QueryFilter>(query: Q, actor: &Actor, column: impl ColumnTrait) -> Q {
    match actor.scope() {
        Scope::AllBranches => query,
        Scope::Branch(branch) => query.filter(column.eq(branch)),
        Scope::Customer(_) | Scope::Nothing => query.filter(Expr::value(false)),
    }
}

/// A cash collection the actor's branch scope covers (404 otherwise).
pub(crate) async fn find_cash(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<cash_collection::Model, AppError> {
    let row = cash_collection::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, None)?;
    Ok(row)
}

/// Cash collected on site in the actor's branch, oldest first.
pub async fn cash_list(
    app: &App,
    actor: &Actor,
    filter: &CashFilter,
) -> Result<Vec<CashView>, AppError> {
    actor.require(Permission::BillingSettle)?;
    let mut query = in_scope(
        cash_collection::Entity::find(),
        actor,
        cash_collection::Column::OrgUnitId,
    );
    query = match filter.status.as_deref().unwrap_or("held") {
        "held" => query.filter(cash_collection::Column::HandedOverAt.is_null()),
        "handed_over" => query.filter(cash_collection::Column::HandedOverAt.is_not_null()),
        "all" => query,
        _ => return Err(AppError::invalid("status", "invalid_choice")),
    };
    if let Some(technician) = filter.technician_id {
        query = query.filter(cash_collection::Column::TechnicianId.eq(technician));
    }
    let rows = query
        .order_by_asc(cash_collection::Column::CollectedAt)
        .order_by_asc(cash_collection::Column::Id)
        .all(&app.db)
        .await?;
    cash_views(&app.db, rows, app.now_ms()).await
}

/// The cash the signed-in technician still holds.
pub async fn my_cash(app: &App, actor: &Actor) -> Result<Vec<CashView>, AppError> {
    actor.require(Permission::OrderWork)?;
    let rows = cash_collection::Entity::find()
        .filter(cash_collection::Column::TechnicianId.eq(actor.user_id))
        .filter(cash_collection::Column::HandedOverAt.is_null())
        .order_by_asc(cash_collection::Column::CollectedAt)
        .all(&app.db)
        .await?;
    cash_views(&app.db, rows, app.now_ms()).await
}

/// Cash held, per technician: what the accountant's page shows.
#[derive(Debug, Clone, Serialize)]
pub struct TechnicianCash {
    pub technician_id: i64,
    pub technician_name: String,
    pub total_fen: i64,
    pub collections: Vec<CashView>,
}

/// Groups collections by technician, in the order of each one's oldest collection.
pub fn by_technician(collections: Vec<CashView>) -> Vec<TechnicianCash> {
    let mut groups: Vec<TechnicianCash> = Vec::new();
    for cash in collections {
        match groups
            .iter_mut()
            .find(|g| g.technician_id == cash.technician_id)
        {
            Some(group) => {
                group.total_fen += cash.amount_fen;
                group.collections.push(cash);
            }
            None => groups.push(TechnicianCash {
                technician_id: cash.technician_id,
                technician_name: cash.technician_name.clone(),
                total_fen: cash.amount_fen,
                collections: vec![cash],
            }),
        }
    }
    groups
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct HandoverInput {
    /// The cash collections handed over together (one or more).
    pub collection_ids: Vec<i64>,
}

/// The accountant confirms that a technician handed over the cash of one or several
/// orders (将款交于会计员). All or nothing: one collection already handed over (409
/// `already_handed_over`) or out of scope (404) refuses the whole confirmation.
pub async fn hand_over(
    app: &App,
    actor: &Actor,
    input: &HandoverInput,
) -> Result<Vec<CashView>, AppError> {
    actor.require(Permission::BillingSettle)?;
    let mut ids = input.collection_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(AppError::invalid("collection_ids", "required"));
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let mut confirmed = Vec::with_capacity(ids.len());
    for id in ids {
        let before = find_cash(&txn, actor, id).await?;
        // The IS NULL condition makes a concurrent second confirmation update nothing.
        let updated = cash_collection::Entity::update_many()
            .col_expr(cash_collection::Column::HandedOverAt, Expr::value(now))
            .col_expr(
                cash_collection::Column::HandedOverBy,
                Expr::value(actor.user_id),
            )
            .filter(cash_collection::Column::Id.eq(id))
            .filter(cash_collection::Column::HandedOverAt.is_null())
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(AppError::Conflict {
                code: "already_handed_over",
                field: Some("collection_ids"),
                detail: Some(format!("cash collection {id}")),
            });
        }
        let order = service_order::Entity::find_by_id(before.order_id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        // The order's own mark (shown on the order and its API) moves with it; the version
        // moves so a form read before the handover cannot overwrite it.
        service_order::Entity::update_many()
            .col_expr(service_order::Column::CashHandedOverAt, Expr::value(now))
            .col_expr(
                service_order::Column::Version,
                Expr::col(service_order::Column::Version).add(1),
            )
            .col_expr(service_order::Column::UpdatedAt, Expr::value(now))
            .filter(service_order::Column::Id.eq(order.id))
            .exec(&txn)
            .await?;
        crate::service_orders::record_event(
            &txn,
            order.id,
            now,
            actor,
            "cash_handover",
            &order.status,
            &order.status,
            None,
        )
        .await?;
        timers::cancel(&txn, CASH_HANDOVER_DUE, CASH_SUBJECT, id).await?;
        let after = cash_collection::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        audit::record(
            &txn,
            now,
            Some(actor),
            CASH_SUBJECT,
            id,
            "hand_over",
            Some(&before),
            Some(&after),
        )
        .await?;
        confirmed.push(after);
    }
    let views = cash_views(&txn, confirmed, now).await?;
    txn.commit().await?;
    Ok(views)
}

/// T6: at the end of the working day of collection, cash still held is flagged once and the
/// branch's accountants and service supervisors are told.
pub struct CashHandoverDueJob;

#[async_trait::async_trait]
impl Job for CashHandoverDueJob {
    fn name(&self) -> &'static str {
        CASH_HANDOVER_DUE
    }

    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(row) = cash_collection::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        if row.handed_over_at.is_some() || row.flagged_at.is_some() {
            return Ok(());
        }
        let mut active: cash_collection::ActiveModel = row.clone().into();
        active.flagged_at = Set(Some(fire.now_ms));
        active.update(fire.txn).await?;
        let order = service_order::Entity::find_by_id(row.order_id)
            .one(fire.txn)
            .await?
            .ok_or(AppError::NotFound)?;
        let technician = names(fire.txn, vec![row.technician_id])
            .await?
            .remove(&row.technician_id)
            .unwrap_or_default();
        let mut recipients =
            notifications::users_with_role(fire.txn, Role::Accountant, Some(row.org_unit_id))
                .await?;
        recipients.extend(
            notifications::users_with_role(
                fire.txn,
                Role::ServiceSupervisor,
                Some(row.org_unit_id),
            )
            .await?,
        );
        let amount = aftersales_domain::money::format_yuan(row.amount_fen);
        let message = notifications::Message {
            kind: "cash_not_handed_over",
            link: Some("/accounting".to_string()),
            zh: (
                format!("现金未按时交会计：服务凭证 {}", order.number),
                format!("技术员 {technician} 收取的现金 ¥{amount} 当日未交会计员。"),
            ),
            en: (
                format!("Cash not handed over: service order {}", order.number),
                format!(
                    "The ¥{amount} cash collected by {technician} was not handed over to the accountant by the end of the day."
                ),
            ),
        };
        notifications::notify(fire.txn, fire.now_ms, &recipients, &message).await?;
        Ok(())
    }
}

// ----- invoices (BILLING-4/5) -----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvoiceDueView {
    pub order_id: i64,
    pub order_number: String,
    pub customer_name: String,
    /// When the work was completed on site or the carried-in unit returned.
    pub completed_at: String,
    pub payable_fen: i64,
    /// invoice, or empty for a returned carry-in repair.
    pub payment_method: Option<String>,
    /// due_today or overdue (the same-day rule).
    pub due: String,
}

/// The instant an order's paid work was done: on-site completion or the carry-in return.
fn done_at(order: &service_order::Model) -> Option<i64> {
    order.completed_at.or(order.returned_at)
}

/// Orders awaiting their invoice in the actor's branch: settled by invoice on site, or paid
/// carry-in repairs returned to the customer; oldest first.
pub async fn invoices_due(app: &App, actor: &Actor) -> Result<Vec<InvoiceDueView>, AppError> {
    actor.require(Permission::BillingSettle)?;
    let invoiced: Vec<i64> = in_scope(invoice::Entity::find(), actor, invoice::Column::OrgUnitId)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|i| i.order_id)
        .collect();
    let orders = in_scope(
        service_order::Entity::find(),
        actor,
        service_order::Column::OrgUnitId,
    )
    .filter(
        Condition::any()
            .add(service_order::Column::PaymentMethod.eq("invoice"))
            .add(
                Condition::all()
                    .add(service_order::Column::ReturnedAt.is_not_null())
                    .add(service_order::Column::PaymentMethod.is_null())
                    .add(service_order::Column::Category.eq(ServiceCategory::A.as_str())),
            ),
    )
    .filter(service_order::Column::Id.is_not_in(invoiced))
    .all(&app.db)
    .await?;
    let customers: HashMap<i64, String> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(orders.iter().map(|o| o.customer_id)))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let today = app.today();
    let mut due = Vec::new();
    for order in orders {
        let Some(done) = done_at(&order) else {
            continue;
        };
        let payable_fen = crate::billing::charges_of(&app.db, order.id)
            .await?
            .payable_fen;
        if payable_fen == 0 {
            continue;
        }
        due.push((
            done,
            InvoiceDueView {
                order_id: order.id,
                order_number: order.number.clone(),
                customer_name: customers
                    .get(&order.customer_id)
                    .cloned()
                    .unwrap_or_default(),
                completed_at: crate::format_ms(done),
                payable_fen,
                payment_method: order.payment_method.clone(),
                due: settlement::invoice_due(
                    crate::clock::local_date(done).unwrap_or_default(),
                    today,
                )
                .as_str()
                .to_string(),
            },
        ));
    }
    due.sort_by_key(|(done, view)| (*done, view.order_id));
    Ok(due.into_iter().map(|(_, view)| view).collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InvoiceInput {
    pub order_id: i64,
    /// Empty: the customer's name.
    pub buyer_name: Option<String>,
    /// The buyer's taxpayer id (纳税人识别号), if the customer gave one.
    pub buyer_tax_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvoiceView {
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub order_number: String,
    pub org_unit_id: i64,
    pub amount_fen: i64,
    pub buyer_name: String,
    pub buyer_tax_id: Option<String>,
    pub issued_at: String,
    pub issued_by: String,
    /// cash or invoice: how the order was settled (empty for a carry-in repair).
    pub payment_method: Option<String>,
    /// The collection task: none (paid in cash), open or collected.
    pub collection: String,
    pub collected_fen: Option<i64>,
    pub collected_on: Option<String>,
    pub collected_by: Option<String>,
    pub mailed_at: Option<String>,
    pub mailed_by: Option<String>,
    pub tracking_no: Option<String>,
    pub version: i32,
    /// The order's charge lines (on the single invoice only).
    pub charges: Option<ChargesView>,
}

async fn invoice_views(
    db: &impl ConnectionTrait,
    rows: Vec<invoice::Model>,
) -> Result<Vec<InvoiceView>, AppError> {
    let orders: HashMap<i64, service_order::Model> = service_order::Entity::find()
        .filter(service_order::Column::Id.is_in(rows.iter().map(|r| r.order_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let people_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.issued_by), r.collected_by, r.mailed_by])
        .flatten()
        .collect();
    let people = names(db, people_ids).await?;
    let name = |id: Option<i64>| id.and_then(|id| people.get(&id).cloned());
    Ok(rows
        .into_iter()
        .map(|row| {
            let order = orders.get(&row.order_id);
            InvoiceView {
                id: row.id,
                number: row.number,
                order_id: row.order_id,
                order_number: order.map(|o| o.number.clone()).unwrap_or_default(),
                org_unit_id: row.org_unit_id,
                amount_fen: row.amount_fen,
                buyer_name: row.buyer_name,
                buyer_tax_id: row.buyer_tax_id,
                issued_at: crate::format_ms(row.issued_at),
                issued_by: name(Some(row.issued_by)).unwrap_or_default(),
                payment_method: order.and_then(|o| o.payment_method.clone()),
                collection: row.collection,
                collected_fen: row.collected_fen,
                collected_on: row.collected_on,
                collected_by: name(row.collected_by),
                mailed_at: row.mailed_at.map(crate::format_ms),
                mailed_by: name(row.mailed_by),
                tracking_no: row.tracking_no,
                version: row.version,
                charges: None,
            }
        })
        .collect())
}

async fn invoice_view(
    db: &impl ConnectionTrait,
    row: invoice::Model,
) -> Result<InvoiceView, AppError> {
    let order_id = row.order_id;
    let mut view = invoice_views(db, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    view.charges = Some(crate::billing::charges_of(db, order_id).await?);
    Ok(view)
}

/// Raises the invoice of a completed paid order from its voucher.
pub async fn raise_invoice(
    app: &App,
    actor: &Actor,
    input: &InvoiceInput,
) -> Result<InvoiceView, AppError> {
    actor.require(Permission::BillingSettle)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let order = crate::service_orders::find_visible(&txn, actor, input.order_id)
        .await
        .map_err(|err| match err {
            AppError::NotFound => AppError::invalid("order_id", "not_found"),
            other => other,
        })?;
    if done_at(&order).is_none() {
        return Err(AppError::field_conflict("not_completed", "order_id"));
    }
    let amount_fen = crate::billing::charges_of(&txn, order.id)
        .await?
        .payable_fen;
    let mut errors = ValidationErrors::new();
    if amount_fen == 0 {
        errors.add("order_id", "nothing_payable");
    }
    let buyer_name = match input
        .buyer_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(name) => errors.check("buyer_name", required_text(name, 100)),
        None => customer::Entity::find_by_id(order.customer_id)
            .one(&txn)
            .await?
            .map(|c| c.name),
    };
    let buyer_tax_id = input
        .buyer_tax_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_uppercase);
    if let Some(tax_id) = &buyer_tax_id {
        // A unified social credit code has 18 characters; older taxpayer ids 15 or 20.
        if !(15..=20).contains(&tax_id.len()) || !tax_id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            errors.add("buyer_tax_id", "invalid_tax_id");
        }
    }
    let buyer_name = match buyer_name {
        Some(name) if errors.is_empty() => name,
        _ => return Err(errors.into()),
    };
    if invoice::Entity::find()
        .filter(invoice::Column::OrderId.eq(order.id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::field_conflict("already_invoiced", "order_id"));
    }
    let branch = org_unit::Entity::find_by_id(order.org_unit_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let pattern = settings::get_pattern(&txn, "billing.invoice_number_pattern").await?;
    let number = numbering::next_number(&txn, &pattern, app.today(), &branch.code).await?;
    let row = invoice::ActiveModel {
        number: Set(number),
        order_id: Set(order.id),
        org_unit_id: Set(order.org_unit_id),
        amount_fen: Set(amount_fen),
        buyer_name: Set(buyer_name),
        buyer_tax_id: Set(buyer_tax_id),
        issued_at: Set(now),
        issued_by: Set(actor.user_id),
        collection: Set(
            settlement::initial_collection(order.payment_method.as_deref()).to_string(),
        ),
        collected_fen: Set(None),
        collected_on: Set(None),
        collected_by: Set(None),
        mailed_at: Set(None),
        mailed_by: Set(None),
        tracking_no: Set(None),
        version: Set(1),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "invoice",
        row.id,
        "raise",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = invoice_view(&txn, row).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct InvoiceFilter {
    /// none, open or collected.
    pub collection: Option<String>,
    /// true: invoices for cash-paid orders not yet mailed.
    pub to_mail: Option<bool>,
}

/// The branch's invoices, newest first, a page at a time.
pub async fn invoices(
    app: &App,
    actor: &Actor,
    filter: &InvoiceFilter,
    request: PageRequest,
) -> Result<Page<InvoiceView>, AppError> {
    actor.require(Permission::BillingSettle)?;
    let mut query = in_scope(invoice::Entity::find(), actor, invoice::Column::OrgUnitId);
    if let Some(collection) = filter.collection.as_deref().filter(|c| !c.is_empty()) {
        query = query.filter(invoice::Column::Collection.eq(collection));
    }
    if filter.to_mail == Some(true) {
        query = query
            .filter(invoice::Column::Collection.eq(settlement::COLLECTION_NONE))
            .filter(invoice::Column::MailedAt.is_null());
    }
    let query = query
        .order_by_desc(invoice::Column::IssuedAt)
        .order_by_desc(invoice::Column::Id);
    crate::page::fetch_with(&app.db, query, request, |rows| invoice_views(&app.db, rows)).await
}

/// An invoice the actor's branch scope covers (404 otherwise).
pub(crate) async fn find_invoice(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<invoice::Model, AppError> {
    let row = invoice::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, None)?;
    Ok(row)
}

pub async fn get_invoice(app: &App, actor: &Actor, id: i64) -> Result<InvoiceView, AppError> {
    actor.require(Permission::BillingSettle)?;
    let row = find_invoice(&app.db, actor, id).await?;
    invoice_view(&app.db, row).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CollectionInput {
    pub version: i32,
    /// The amount received (fen, more than 0).
    pub amount_fen: i64,
    /// ISO date the payment was received; not in the future.
    pub collected_on: String,
}

/// Closes the invoice's collection task (另行前往收费) with the amount and date received.
pub async fn record_collection(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &CollectionInput,
) -> Result<InvoiceView, AppError> {
    actor.require(Permission::BillingSettle)?;
    let mut errors = ValidationErrors::new();
    if input.amount_fen <= 0 {
        errors.add("amount_fen", "out_of_range");
    }
    match input.collected_on.trim().parse::<jiff::civil::Date>() {
        Ok(date) if date > app.today() => errors.add("collected_on", "in_future"),
        Ok(_) => {}
        Err(_) => errors.add("collected_on", "invalid_date"),
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_invoice(&txn, actor, id).await?;
    if before.collection != COLLECTION_OPEN {
        return Err(AppError::field_conflict("not_open", "collection"));
    }
    let mut active: invoice::ActiveModel = before.clone().into();
    active.collection = Set(COLLECTION_COLLECTED.to_string());
    active.collected_fen = Set(Some(input.amount_fen));
    active.collected_on = Set(Some(input.collected_on.trim().to_string()));
    active.collected_by = Set(Some(actor.user_id));
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, invoice::Column::Version, input.version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "invoice",
        id,
        "collect",
        Some(&before),
        Some(&after),
    )
    .await?;
    let view = invoice_view(&txn, after).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MailingInput {
    pub version: i32,
    /// The post's tracking number (挂号/快递单号).
    pub tracking_no: String,
}

/// Logs that the invoice was mailed to the customer (补寄发票), once.
pub async fn record_mailing(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &MailingInput,
) -> Result<InvoiceView, AppError> {
    actor.require(Permission::BillingSettle)?;
    let tracking_no = required_text(&input.tracking_no, 40)
        .map_err(|code| AppError::invalid("tracking_no", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_invoice(&txn, actor, id).await?;
    if before.mailed_at.is_some() {
        return Err(AppError::field_conflict("already_mailed", "tracking_no"));
    }
    let mut active: invoice::ActiveModel = before.clone().into();
    active.mailed_at = Set(Some(now));
    active.mailed_by = Set(Some(actor.user_id));
    active.tracking_no = Set(Some(tracking_no));
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, invoice::Column::Version, input.version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "invoice",
        id,
        "mail",
        Some(&before),
        Some(&after),
    )
    .await?;
    let view = invoice_view(&txn, after).await?;
    txn.commit().await?;
    Ok(view)
}

/// What the order page shows of its settlement.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderSettlement {
    pub cash: Option<CashView>,
    pub invoice: Option<InvoiceView>,
    /// The work is done, something is payable and no invoice was raised yet.
    pub invoiceable: bool,
}

/// The settlement of one order, for anyone who reads the order.
pub async fn order_settlement(
    app: &App,
    actor: &Actor,
    order_id: i64,
) -> Result<OrderSettlement, AppError> {
    actor.require(Permission::OrderRead)?;
    let order = crate::service_orders::find_visible(&app.db, actor, order_id).await?;
    let cash_rows = cash_collection::Entity::find()
        .filter(cash_collection::Column::OrderId.eq(order_id))
        .all(&app.db)
        .await?;
    let cash = cash_views(&app.db, cash_rows, app.now_ms()).await?.pop();
    let invoice = match invoice::Entity::find()
        .filter(invoice::Column::OrderId.eq(order_id))
        .one(&app.db)
        .await?
    {
        Some(row) => invoice_views(&app.db, vec![row]).await?.pop(),
        None => None,
    };
    let invoiceable = invoice.is_none()
        && done_at(&order).is_some()
        && crate::billing::charges_of(&app.db, order_id)
            .await?
            .payable_fen
            > 0;
    Ok(OrderSettlement {
        cash,
        invoice,
        invoiceable,
    })
}

// ----- export for accounting (BILLING-6) -----

/// The columns of the accounting export: (Chinese, English).
const EXPORT_COLUMNS: &[(&str, &str)] = &[
    ("类型", "Type"),
    ("网点", "Branch"),
    ("日期", "Date"),
    ("服务凭证号", "Service order"),
    ("单据号", "Document"),
    ("客户", "Customer"),
    ("类别", "Category"),
    ("摘要", "Description"),
    ("金额（元）", "Amount (yuan)"),
    ("应收（元）", "Payable (yuan)"),
];

/// The instants `[from 00:00, to + 1 day 00:00)` in the default zone, as milliseconds.
fn period_ms(from: jiff::civil::Date, to: jiff::civil::Date) -> Result<(i64, i64), AppError> {
    let zone = crate::clock::default_zone();
    let start = from
        .to_zoned(zone.clone())
        .map_err(|err| AppError::Internal(err.into()))?;
    let end = to
        .tomorrow()
        .and_then(|next| next.to_zoned(zone))
        .map_err(|err| AppError::Internal(err.into()))?;
    Ok((
        start.timestamp().as_millisecond(),
        end.timestamp().as_millisecond(),
    ))
}

/// Service revenue for accounting (BILLING-6) in one .xlsx sheet, for the days `from` to
/// `to` and the actor's branches: invoices issued, cash handed over to the accountant, and
/// the charge lines of the orders completed or returned in the period, each with its
/// branch. Headers and type words in the actor's language. Answers the bytes and a file name.
pub async fn export(
    app: &App,
    actor: &Actor,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    english: bool,
) -> Result<(Vec<u8>, String), AppError> {
    actor.require(Permission::BillingSettle)?;
    if to < from {
        return Err(AppError::invalid("to", "end_before_start"));
    }
    let (start, end) = period_ms(from, to)?;
    let word = |zh: &'static str, en: &'static str| if english { en } else { zh }.to_string();
    let branches: HashMap<i64, String> = org_unit::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    let invoices = in_scope(invoice::Entity::find(), actor, invoice::Column::OrgUnitId)
        .filter(invoice::Column::IssuedAt.gte(start))
        .filter(invoice::Column::IssuedAt.lt(end))
        .order_by_asc(invoice::Column::IssuedAt)
        .all(&app.db)
        .await?;
    let cash = in_scope(
        cash_collection::Entity::find(),
        actor,
        cash_collection::Column::OrgUnitId,
    )
    .filter(cash_collection::Column::HandedOverAt.gte(start))
    .filter(cash_collection::Column::HandedOverAt.lt(end))
    .order_by_asc(cash_collection::Column::HandedOverAt)
    .all(&app.db)
    .await?;
    let done = in_scope(
        service_order::Entity::find(),
        actor,
        service_order::Column::OrgUnitId,
    )
    .filter(
        Condition::any()
            .add(
                Condition::all()
                    .add(service_order::Column::CompletedAt.gte(start))
                    .add(service_order::Column::CompletedAt.lt(end)),
            )
            .add(
                Condition::all()
                    .add(service_order::Column::CompletedAt.is_null())
                    .add(service_order::Column::ReturnedAt.gte(start))
                    .add(service_order::Column::ReturnedAt.lt(end)),
            ),
    )
    .order_by_asc(service_order::Column::Id)
    .all(&app.db)
    .await?;
    let order_ids: Vec<i64> = invoices
        .iter()
        .map(|i| i.order_id)
        .chain(cash.iter().map(|c| c.order_id))
        .collect();
    let mut orders: HashMap<i64, service_order::Model> = service_order::Entity::find()
        .filter(service_order::Column::Id.is_in(order_ids))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    for order in &done {
        orders.insert(order.id, order.clone());
    }
    let customers: HashMap<i64, String> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(orders.values().map(|o| o.customer_id)))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let technician_ids: Vec<i64> = cash.iter().map(|c| c.technician_id).collect();
    let technicians = names(&app.db, technician_ids).await?;
    let yuan = aftersales_domain::money::format_yuan;
    let row = |kind: String,
               branch: i64,
               at: i64,
               order_id: i64,
               document: String,
               category: String,
               description: String,
               amount: i64,
               payable: i64| {
        let order = orders.get(&order_id);
        vec![
            kind,
            branches.get(&branch).cloned().unwrap_or_default(),
            crate::clock::local_date(at).unwrap_or_default().to_string(),
            order.map(|o| o.number.clone()).unwrap_or_default(),
            document,
            order
                .and_then(|o| customers.get(&o.customer_id).cloned())
                .unwrap_or_default(),
            category,
            description,
            yuan(amount),
            yuan(payable),
        ]
    };
    let mut rows = Vec::new();
    for i in &invoices {
        rows.push(row(
            word("发票", "Invoice"),
            i.org_unit_id,
            i.issued_at,
            i.order_id,
            i.number.clone(),
            String::new(),
            i.buyer_name.clone(),
            i.amount_fen,
            i.amount_fen,
        ));
    }
    for c in &cash {
        rows.push(row(
            word("现金交款", "Cash handed over"),
            c.org_unit_id,
            c.handed_over_at.unwrap_or(c.collected_at),
            c.order_id,
            String::new(),
            String::new(),
            technicians
                .get(&c.technician_id)
                .cloned()
                .unwrap_or_default(),
            c.amount_fen,
            c.amount_fen,
        ));
    }
    for order in &done {
        let charges = crate::billing::charges_of(&app.db, order.id).await?;
        for line in charges.lines {
            rows.push(row(
                word("收费项目", "Charge"),
                order.org_unit_id,
                done_at(order).unwrap_or(order.received_at),
                order.id,
                String::new(),
                line.category.to_uppercase(),
                format!("{} × {}", line.description, line.quantity),
                line.amount_fen,
                line.payable_fen,
            ));
        }
    }
    let headers: Vec<&str> = EXPORT_COLUMNS
        .iter()
        .map(|(zh, en)| if english { *en } else { *zh })
        .collect();
    let bytes = aftersales_tabular::write(
        aftersales_tabular::Format::Xlsx,
        if english { "Revenue" } else { "服务收入" },
        &headers,
        &rows,
    )
    .map_err(|err| AppError::Internal(anyhow::anyhow!("writing the export failed: {err}")))?;
    Ok((bytes, format!("service-revenue-{from}-{to}.xlsx")))
}
