//! Billing, BILLING-1: the price schedule (维修项目与收费标准表) of repair items, labour,
//! travel fees and parts. Everyone who reads orders reads it (technicians show it to the
//! customer before paid work, REPAIR-2); the product managers (`ProductWrite`) change it.
//! Items are deactivated rather than deleted.
//!
//! Charges on an order (BILLING-3, CATEGORY-2): the technician (own order) or a supervisor
//! adds lines while the order is on site or in repair, each with its own category. Only
//! category-A lines are payable: B work is covered by the contract and C work by the
//! warranty, so their lines are recorded with their list value but cost the customer 0.
//! A B line needs a contract covering the unit on the call date; work outside the contract
//! is recorded as an A line and charged (`domain::settlement::check_charge_category`).
//! Category D is internal time and cannot be charged.
//!
//! REPAIR-2 and payment (BILLING-4/5): the technician records that the price schedule was
//! shown; a category-A order cannot be completed before that. At completion a payable total
//! is settled in cash (up to `billing.onsite_cash_limit`, held by the technician until an
//! accountant confirms the handover) or by invoice (the branch's accountants are told to
//! invoice the same day). Both run inside `service_orders::step`'s transaction.

use aftersales_domain::role::{Permission, Role};
use aftersales_domain::service_order::{
    check_quote as check_quote_rule, OrderStatus, Quote, ServiceCategory,
};
use aftersales_domain::validation::{required_text, ValidationErrors};
use aftersales_store::entity::{order_charge, price_item, service_order, user};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::org::versioned_update;
use crate::{audit, notifications, Actor, App, AppError};

/// The kinds of price-schedule lines, in the order the printed schedule shows them.
pub const KINDS: &[&str] = &["travel", "repair", "labour", "part"];

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PriceItemInput {
    /// Short unique code, e.g. `SM-01`.
    pub code: String,
    pub name: String,
    /// repair, labour, travel or part.
    pub kind: String,
    /// Price in fen (0 or more).
    pub price_fen: i64,
    #[serde(default = "yes")]
    pub active: bool,
    /// Required on update: the version read (a stale version answers 409).
    pub version: Option<i32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriceItemView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub price_fen: i64,
    /// The price in yuan with two decimals.
    pub price: String,
    pub active: bool,
    pub version: i32,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct PriceItemFilter {
    /// true: only active items (what may be charged and is printed).
    pub active_only: Option<bool>,
}

/// A price amount must be between 0 and ¥1,000,000.
const MAX_PRICE_FEN: i64 = 100_000_000;

fn validate(input: &PriceItemInput) -> Result<(String, String), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let code = errors.check("code", required_text(&input.code, 30));
    let name = errors.check("name", required_text(&input.name, 100));
    if !KINDS.contains(&input.kind.as_str()) {
        errors.add("kind", "invalid_choice");
    }
    if input.price_fen < 0 {
        errors.add("price_fen", "negative");
    } else if input.price_fen > MAX_PRICE_FEN {
        errors.add("price_fen", "out_of_range");
    }
    match (code, name) {
        (Some(code), Some(name)) if errors.is_empty() => Ok((code, name)),
        _ => Err(errors),
    }
}

fn view(row: price_item::Model) -> PriceItemView {
    PriceItemView {
        id: row.id,
        code: row.code,
        name: row.name,
        kind: row.kind,
        price_fen: row.price_fen,
        price: aftersales_domain::money::format_yuan(row.price_fen),
        active: row.active,
        version: row.version,
        updated_at: crate::format_ms(row.updated_at),
    }
}

fn kind_rank(kind: &str) -> usize {
    KINDS.iter().position(|k| *k == kind).unwrap_or(KINDS.len())
}

/// The schedule, by kind (travel, repair, labour, part) then code.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &PriceItemFilter,
) -> Result<Vec<PriceItemView>, AppError> {
    actor.require(Permission::OrderRead)?;
    let mut query = price_item::Entity::find().order_by_asc(price_item::Column::Code);
    if filter.active_only == Some(true) {
        query = query.filter(price_item::Column::Active.eq(true));
    }
    let mut rows = query.all(&app.db).await?;
    rows.sort_by_key(|r| kind_rank(&r.kind));
    Ok(rows.into_iter().map(view).collect())
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<PriceItemView, AppError> {
    actor.require(Permission::OrderRead)?;
    let row = price_item::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(view(row))
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: &PriceItemInput,
) -> Result<PriceItemView, AppError> {
    actor.require(Permission::ProductWrite)?;
    let (code, name) = validate(input)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = price_item::ActiveModel {
        code: Set(code),
        name: Set(name),
        kind: Set(input.kind.clone()),
        price_fen: Set(input.price_fen),
        active: Set(input.active),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "price_item",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(view(row))
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &PriceItemInput,
) -> Result<PriceItemView, AppError> {
    actor.require(Permission::ProductWrite)?;
    let (code, name) = validate(input)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = price_item::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active: price_item::ActiveModel = before.clone().into();
    active.code = Set(code);
    active.name = Set(name);
    active.kind = Set(input.kind.clone());
    active.price_fen = Set(input.price_fen);
    active.active = Set(input.active);
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, price_item::Column::Version, version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "price_item",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(view(after))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ChargeInput {
    /// An active price-schedule item; its name and price fill the line.
    pub price_item_id: Option<i64>,
    /// Required for a free line; for a price item, replaces its name.
    pub description: Option<String>,
    /// Empty: 1 (1–999).
    pub quantity: Option<i64>,
    /// Required for a free line (fen, 0 or more); a price item's price otherwise.
    pub unit_price_fen: Option<i64>,
    /// a, b or c; empty: the order's category.
    pub category: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChargeView {
    pub id: i64,
    pub price_item_id: Option<i64>,
    pub description: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
    /// quantity × unit price.
    pub amount_fen: i64,
    /// What the customer pays for the line: the amount for category A, else 0.
    pub payable_fen: i64,
    pub category: String,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryTotal {
    pub category: String,
    pub amount_fen: i64,
    pub payable_fen: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChargesView {
    pub order_id: i64,
    pub lines: Vec<ChargeView>,
    /// One total per category present, in the order a, b, c.
    pub totals: Vec<CategoryTotal>,
    pub total_fen: i64,
    /// What the customer pays (category-A lines only).
    pub payable_fen: i64,
}

/// The line's amount to the customer: only paid (A) work is charged (CATEGORY-1).
pub fn payable(category: &str, amount_fen: i64) -> i64 {
    if category == ServiceCategory::A.as_str() {
        amount_fen
    } else {
        0
    }
}

/// The statuses in which charges may change: from dispatch (so a quote can be made before
/// the visit) until the work is finished.
pub fn open_for_charges(status: &str) -> bool {
    [
        OrderStatus::Dispatched,
        OrderStatus::Contacted,
        OrderStatus::OnSite,
        OrderStatus::InRepair,
    ]
    .iter()
    .any(|s| s.as_str() == status)
}

/// Loads the order for a charge change: visible, on site or in repair (409 otherwise,
/// before any ownership check), and the actor's own order unless they dispatch.
async fn order_for_change(
    db: &impl aftersales_store::sea_orm::ConnectionTrait,
    actor: &Actor,
    order_id: i64,
) -> Result<service_order::Model, AppError> {
    let order = crate::service_orders::find_visible(db, actor, order_id).await?;
    if !open_for_charges(&order.status) {
        return Err(AppError::Conflict {
            code: "not_open_for_charges",
            field: Some("status"),
            detail: Some(format!("the order is {}", order.status)),
        });
    }
    if !actor.can(Permission::OrderDispatch) && order.technician_id != Some(actor.user_id) {
        return Err(AppError::Forbidden);
    }
    Ok(order)
}

/// The order's charge lines and totals (inside any transaction).
pub(crate) async fn charges_of(
    db: &impl aftersales_store::sea_orm::ConnectionTrait,
    order_id: i64,
) -> Result<ChargesView, AppError> {
    let rows = order_charge::Entity::find()
        .filter(order_charge::Column::OrderId.eq(order_id))
        .order_by_asc(order_charge::Column::Id)
        .all(db)
        .await?;
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.created_by).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let mut totals: Vec<CategoryTotal> = Vec::new();
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let amount_fen = row.quantity.saturating_mul(row.unit_price_fen);
        let payable_fen = payable(&row.category, amount_fen);
        match totals.iter_mut().find(|t| t.category == row.category) {
            Some(total) => {
                total.amount_fen += amount_fen;
                total.payable_fen += payable_fen;
            }
            None => totals.push(CategoryTotal {
                category: row.category.clone(),
                amount_fen,
                payable_fen,
            }),
        }
        lines.push(ChargeView {
            id: row.id,
            price_item_id: row.price_item_id,
            description: row.description,
            quantity: row.quantity,
            unit_price_fen: row.unit_price_fen,
            amount_fen,
            payable_fen,
            category: row.category,
            created_by: people
                .iter()
                .find(|p| p.id == row.created_by)
                .map_or_else(String::new, |p| p.display_name.clone()),
            created_at: crate::format_ms(row.created_at),
        });
    }
    totals.sort_by(|a, b| a.category.cmp(&b.category));
    Ok(ChargesView {
        order_id,
        total_fen: totals.iter().map(|t| t.amount_fen).sum(),
        payable_fen: totals.iter().map(|t| t.payable_fen).sum(),
        lines,
        totals,
    })
}

pub async fn charges(app: &App, actor: &Actor, order_id: i64) -> Result<ChargesView, AppError> {
    actor.require(Permission::OrderRead)?;
    crate::service_orders::find_visible(&app.db, actor, order_id).await?;
    charges_of(&app.db, order_id).await
}

/// Adds a charge line (BILLING-3) and answers the order's charges.
pub async fn add_charge(
    app: &App,
    actor: &Actor,
    order_id: i64,
    input: &ChargeInput,
) -> Result<ChargesView, AppError> {
    actor.require(Permission::OrderWork)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let order = order_for_change(&txn, actor, order_id).await?;
    let mut errors = ValidationErrors::new();
    let item = match input.price_item_id {
        Some(item_id) => {
            let item = price_item::Entity::find_by_id(item_id)
                .one(&txn)
                .await?
                .filter(|i| i.active);
            if item.is_none() {
                errors.add("price_item_id", "not_found");
            }
            item
        }
        None => None,
    };
    let typed = input
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let description = match (typed, &item) {
        (Some(text), _) => errors.check("description", required_text(text, 200)),
        (None, Some(item)) => Some(item.name.clone()),
        (None, None) => {
            errors.add("description", "required");
            None
        }
    };
    let quantity = input.quantity.unwrap_or(1);
    if !(1..=999).contains(&quantity) {
        errors.add("quantity", "out_of_range");
    }
    let unit_price_fen = match (input.unit_price_fen, &item) {
        (Some(fen), _) if fen < 0 => {
            errors.add("unit_price_fen", "negative");
            0
        }
        (Some(fen), _) if fen > MAX_PRICE_FEN => {
            errors.add("unit_price_fen", "out_of_range");
            0
        }
        (Some(fen), _) => fen,
        (None, Some(item)) => item.price_fen,
        (None, None) => {
            errors.add("unit_price_fen", "required");
            0
        }
    };
    let category = match input
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => match ServiceCategory::parse(&code.to_lowercase()) {
            Some(ServiceCategory::D) | None => {
                errors.add("category", "invalid_choice");
                String::new()
            }
            Some(category) => category.as_str().to_string(),
        },
        // An order registered as internal work (D) has no chargeable lines of its own.
        None if order.category == ServiceCategory::D.as_str() => {
            errors.add("category", "required");
            String::new()
        }
        None => order.category.clone(),
    };
    // BILLING-3: a contract line needs a contract covering the unit on the call date.
    if category == ServiceCategory::B.as_str() {
        let covered = match order.unit_id {
            Some(unit_id) => {
                let call_day = jiff::Timestamp::from_millisecond(order.received_at)
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
                    .to_zoned(crate::clock::default_zone())
                    .date();
                crate::units::coverage(&txn, unit_id, call_day)
                    .await?
                    .is_some()
            }
            None => false,
        };
        if let Err(code) =
            aftersales_domain::settlement::check_charge_category(ServiceCategory::B, covered)
        {
            errors.add("category", code);
        }
    }
    let description = match description {
        Some(description) if errors.is_empty() => description,
        _ => return Err(errors.into()),
    };
    let row = order_charge::ActiveModel {
        order_id: Set(order.id),
        price_item_id: Set(item.map(|i| i.id)),
        description: Set(description),
        quantity: Set(quantity),
        unit_price_fen: Set(unit_price_fen),
        category: Set(category),
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
        "service_order",
        order.id,
        "charge_add",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = charges_of(&txn, order.id).await?;
    txn.commit().await?;
    Ok(view)
}

/// Removes a charge line while the order is still on site or in repair.
pub async fn remove_charge(
    app: &App,
    actor: &Actor,
    order_id: i64,
    charge_id: i64,
) -> Result<ChargesView, AppError> {
    actor.require(Permission::OrderWork)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let order = order_for_change(&txn, actor, order_id).await?;
    let row = order_charge::Entity::find_by_id(charge_id)
        .one(&txn)
        .await?
        .filter(|c| c.order_id == order.id)
        .ok_or(AppError::NotFound)?;
    order_charge::Entity::delete_by_id(row.id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "service_order",
        order.id,
        "charge_remove",
        Some(&row),
        None::<&()>,
    )
    .await?;
    let view = charges_of(&txn, order.id).await?;
    txn.commit().await?;
    Ok(view)
}

pub const PAYMENT_METHODS: &[&str] = &["cash", "invoice"];

/// Records that the price schedule was shown to the customer (REPAIR-2); the first time
/// counts. Answers the order.
pub async fn record_schedule_shown(
    app: &App,
    actor: &Actor,
    order_id: i64,
    version: i32,
) -> Result<crate::service_orders::OrderView, AppError> {
    actor.require(Permission::OrderWork)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let order = crate::service_orders::find_visible(&txn, actor, order_id).await?;
    if !open_for_charges(&order.status) && order.status != OrderStatus::Contacted.as_str() {
        return Err(AppError::Conflict {
            code: "not_open_for_charges",
            field: Some("status"),
            detail: Some(format!("the order is {}", order.status)),
        });
    }
    if !actor.can(Permission::OrderDispatch) && order.technician_id != Some(actor.user_id) {
        return Err(AppError::Forbidden);
    }
    let mut active: service_order::ActiveModel = order.clone().into();
    active.price_schedule_shown_at = Set(Some(order.price_schedule_shown_at.unwrap_or(now)));
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, service_order::Column::Version, version).await?;
    crate::service_orders::record_event(
        &txn,
        order.id,
        now,
        actor,
        "show_price_schedule",
        &order.status,
        &order.status,
        None,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "service_order",
        order.id,
        "show_price_schedule",
        Some(&order),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    crate::service_orders::get(app, actor, order_id).await
}

/// BILLING-2 before paid work is finished (on site or in the workshop): the payable total
/// needs an accepted quote that covers it. Answers the payable total.
pub(crate) async fn check_quote(
    db: &impl aftersales_store::sea_orm::ConnectionTrait,
    order: &service_order::Model,
) -> Result<i64, AppError> {
    let payable_fen = charges_of(db, order.id).await?.payable_fen;
    let threshold = crate::settings::get_count(db, "billing.quote_threshold_fen").await?;
    let quote = order.quote_fen.map(|amount_fen| Quote {
        amount_fen,
        accepted: order.quote_accepted_at.is_some(),
    });
    let category = ServiceCategory::parse(&order.category).unwrap_or(ServiceCategory::A);
    check_quote_rule(category, payable_fen, threshold, quote)
        .map_err(|code| AppError::invalid("quote", code))?;
    Ok(payable_fen)
}

/// The billing checks and effects of completing on site, in the step's transaction:
/// REPAIR-2 for paid orders, then the settlement of a payable total.
pub(crate) async fn on_complete(
    app: &App,
    db: &impl aftersales_store::sea_orm::ConnectionTrait,
    order: &service_order::Model,
    payment: Option<&str>,
    now: i64,
    active: &mut service_order::ActiveModel,
) -> Result<(), AppError> {
    if order.category == ServiceCategory::A.as_str() && order.price_schedule_shown_at.is_none() {
        return Err(AppError::invalid("price_schedule", "not_shown"));
    }
    let payable_fen = check_quote(db, order).await?;
    if payable_fen == 0 {
        return Ok(());
    }
    let method = match payment.map(str::trim).filter(|p| !p.is_empty()) {
        Some(method) if PAYMENT_METHODS.contains(&method) => method,
        Some(_) => return Err(AppError::invalid("payment", "invalid_choice")),
        None => return Err(AppError::invalid("payment", "required")),
    };
    if method == "cash" {
        let limit = crate::settings::get_count(db, "billing.onsite_cash_limit").await?;
        if payable_fen > limit {
            return Err(AppError::invalid("payment", "over_cash_limit"));
        }
        crate::accounting::record_cash(app, db, order, payable_fen, now).await?;
    } else {
        let accountants =
            notifications::users_with_role(db, Role::Accountant, Some(order.org_unit_id)).await?;
        let amount = aftersales_domain::money::format_yuan(payable_fen);
        let message = notifications::Message {
            kind: "invoice_due",
            link: Some(format!("/invoices/new?order_id={}", order.id)),
            zh: (
                format!("今日开票：服务凭证 {}", order.number),
                format!("有费服务已完工，应收 ¥{amount}，请依据服务凭证于今日开具发票并安排收款。"),
            ),
            en: (
                format!("Invoice due today: service order {}", order.number),
                format!(
                    "Paid service completed, ¥{amount} due; raise the invoice from the voucher today and arrange collection."
                ),
            ),
        };
        notifications::notify(db, now, &accountants, &message).await?;
    }
    active.payment_method = Set(Some(method.to_string()));
    active.payment_fen = Set(Some(payable_fen));
    Ok(())
}
