//! Replenishment and parts purchase requests (零件请购, PARTS-2/3).
//!
//! Each (part, location) stock level carries a reorder point and an order quantity, set by
//! the warehouse keeper with a suggestion from the last year's consumption at the location
//! (`domain::parts::suggest_reorder`: A parts are reviewed more often than C). The
//! replenishment proposal lists the levels at or below their reorder point with the
//! quantity still to order (what open requests already bring is deducted).
//!
//! A purchase request is one part for one location, made from the proposal or by hand,
//! approved or rejected by the supervisor and received by the warehouse keeper: the receipt
//! is a ledger movement posted through `parts::post_receipt`, so the moving-average cost is
//! kept. A request may name the service order that waits for the parts. Decision: the
//! order's SLA clocks are paused by its own `await_parts` wait (the technician's step);
//! when the parts arrive the order's technician and the branch's supervisors are told, and
//! the technician resumes the order when they have fetched the part, because the parts
//! are in the warehouse, not yet at the customer.

use aftersales_domain::parts::{
    self as rules, proposal_quantity, purchase_next, still_to_order, suggest_reorder, AbcClass,
    MovementKind, PurchaseEvent, PurchaseStatus,
};
use aftersales_domain::role::{Permission, Role};
use aftersales_store::entity::{
    part, purchase_request, service_order, stock_level, stock_location, stock_movement, user,
};
use aftersales_store::sea_orm::sea_query::OnConflict;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
    Set,
};
use serde::{Deserialize, Serialize};

use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::parts::{find_location, find_part, keeps, optional_reason};
use crate::{audit, Actor, App, AppError};

const DAY_MS: i64 = 86_400_000;

/// Whether the actor may see a location's replenishment and requests (`PartsPlan`: the
/// warehouse keeper and the service department), for the central warehouse and the
/// branches in scope.
fn manages(actor: &Actor, location: &stock_location::Model) -> bool {
    actor.can(Permission::PartsPlan)
        && (location.kind == "central" || actor.sees(location.org_unit_id, None))
}

fn require_manager(actor: &Actor) -> Result<(), AppError> {
    actor.require(Permission::PartsPlan)
}

// ---------------------------------------------------------------- reorder points

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplenishmentRow {
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    pub unit: String,
    pub abc_class: String,
    pub location_id: i64,
    pub location_name: String,
    pub on_hand: i64,
    pub reorder_point: i64,
    pub order_quantity: i64,
    /// Issued or transferred out of the location over the last 365 days.
    pub consumed_last_year: i64,
    /// The suggestion from that consumption and the lead time (`parts.lead_time_days`).
    pub suggested_reorder_point: i64,
    pub suggested_order_quantity: i64,
    /// Requested or approved and not yet received.
    pub on_order: i64,
    /// What the proposal asks to purchase now (0: nothing).
    pub to_order: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ReplenishmentFilter {
    pub location_id: Option<i64>,
    /// true: only the proposal (levels at or below their reorder point with something to
    /// order).
    pub proposal: Option<bool>,
}

/// The quantity drawn from each (part, location) since `since_ms`: issues to orders and
/// transfers out (a branch's consumption is what it sends to the vans).
async fn consumption_since(
    db: &impl ConnectionTrait,
    since_ms: i64,
) -> Result<Vec<(i64, i64, i64)>, AppError> {
    let movements = stock_movement::Entity::find()
        .filter(stock_movement::Column::CreatedAt.gte(since_ms))
        .filter(stock_movement::Column::Kind.is_in([
            MovementKind::Issue.as_str(),
            MovementKind::TransferOut.as_str(),
        ]))
        .all(db)
        .await?;
    let mut sums: Vec<(i64, i64, i64)> = Vec::new();
    for m in movements {
        match sums
            .iter_mut()
            .find(|(p, l, _)| *p == m.part_id && *l == m.location_id)
        {
            Some(entry) => entry.2 += m.quantity,
            None => sums.push((m.part_id, m.location_id, m.quantity)),
        }
    }
    Ok(sums)
}

async fn on_order(db: &impl ConnectionTrait) -> Result<Vec<purchase_request::Model>, AppError> {
    Ok(purchase_request::Entity::find()
        .filter(purchase_request::Column::Status.is_in([
            PurchaseStatus::Requested.as_str(),
            PurchaseStatus::Approved.as_str(),
        ]))
        .all(db)
        .await?)
}

/// The reorder points of every stock level the actor manages, with the suggestion and the
/// quantity to order; with `proposal`, only the replenishment proposal.
pub async fn replenishment(
    app: &App,
    actor: &Actor,
    filter: &ReplenishmentFilter,
) -> Result<Vec<ReplenishmentRow>, AppError> {
    require_manager(actor)?;
    let db = &app.db;
    let mut query = stock_level::Entity::find();
    if let Some(location_id) = filter.location_id {
        query = query.filter(stock_level::Column::LocationId.eq(location_id));
    }
    let levels = query.all(db).await?;
    let locations = stock_location::Entity::find().all(db).await?;
    let parts = part::Entity::find().all(db).await?;
    let consumed = consumption_since(db, app.now_ms() - 365 * DAY_MS).await?;
    let open = on_order(db).await?;
    let lead_time = crate::settings::get_count(db, "parts.lead_time_days").await?;
    let mut rows = Vec::new();
    for level in levels {
        let (Some(location), Some(part)) = (
            locations.iter().find(|l| l.id == level.location_id),
            parts.iter().find(|p| p.id == level.part_id),
        ) else {
            continue;
        };
        if !manages(actor, location) || location.kind == "van" {
            continue;
        }
        let class_code = part.abc_override.clone().unwrap_or(part.abc_class.clone());
        let class = AbcClass::parse(&class_code).unwrap_or(AbcClass::C);
        let consumed_last_year = consumed
            .iter()
            .find(|(p, l, _)| *p == part.id && *l == location.id)
            .map_or(0, |(_, _, q)| *q);
        let suggestion = suggest_reorder(consumed_last_year, lead_time, class);
        let on_order: i64 = open
            .iter()
            .filter(|r| r.part_id == part.id && r.location_id == location.id)
            .map(|r| r.quantity)
            .sum();
        // Only a level with a reorder point or order quantity set takes part in the
        // proposal; an unconfigured one would otherwise always propose one unit.
        let configured = level.reorder_point > 0 || level.order_quantity > 0;
        let to_order = if configured {
            still_to_order(
                proposal_quantity(level.on_hand, level.reorder_point, level.order_quantity),
                on_order,
            )
        } else {
            0
        };
        if filter.proposal == Some(true) && to_order == 0 {
            continue;
        }
        rows.push(ReplenishmentRow {
            part_id: part.id,
            part_number: part.part_number.clone(),
            part_name: part.name.clone(),
            unit: part.unit.clone(),
            abc_class: class_code,
            location_id: location.id,
            location_name: location.name.clone(),
            on_hand: level.on_hand,
            reorder_point: level.reorder_point,
            order_quantity: level.order_quantity,
            consumed_last_year,
            suggested_reorder_point: suggestion.reorder_point,
            suggested_order_quantity: suggestion.order_quantity,
            on_order,
            to_order,
        });
    }
    rows.sort_by(|a, b| (a.location_id, &a.part_number).cmp(&(b.location_id, &b.part_number)));
    Ok(rows)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReorderInput {
    pub part_id: i64,
    pub location_id: i64,
    pub reorder_point: i64,
    pub order_quantity: i64,
}

/// The warehouse keeper sets a part's reorder point and order quantity at a location.
/// Only the two reorder columns change; the stock on hand stays the ledger's.
pub async fn set_reorder(
    app: &App,
    actor: &Actor,
    input: &ReorderInput,
) -> Result<ReplenishmentRow, AppError> {
    let mut errors = aftersales_domain::validation::ValidationErrors::new();
    for (field, value) in [
        ("reorder_point", input.reorder_point),
        ("order_quantity", input.order_quantity),
    ] {
        if !(0..=rules::MAX_QUANTITY).contains(&value) {
            errors.add(field, "out_of_range");
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let location = find_location(&txn, input.location_id, "location_id").await?;
    if !keeps(actor, &location) {
        return Err(AppError::Forbidden);
    }
    if location.kind == "van" {
        return Err(AppError::invalid("location_id", "van_not_replenished"));
    }
    let part = find_part(&txn, input.part_id).await?;
    let before = stock_level::Entity::find()
        .filter(stock_level::Column::PartId.eq(part.id))
        .filter(stock_level::Column::LocationId.eq(location.id))
        .one(&txn)
        .await?;
    stock_level::Entity::insert(stock_level::ActiveModel {
        part_id: Set(part.id),
        location_id: Set(location.id),
        on_hand: Set(0),
        reorder_point: Set(input.reorder_point),
        order_quantity: Set(input.order_quantity),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([stock_level::Column::PartId, stock_level::Column::LocationId])
            .update_columns([
                stock_level::Column::ReorderPoint,
                stock_level::Column::OrderQuantity,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let after = stock_level::Entity::find()
        .filter(stock_level::Column::PartId.eq(part.id))
        .filter(stock_level::Column::LocationId.eq(location.id))
        .one(&txn)
        .await?;
    let id = after.as_ref().map_or(0, |l| l.id);
    audit::record(
        &txn,
        now,
        Some(actor),
        "stock_level",
        id,
        "set_reorder",
        before.as_ref(),
        after.as_ref(),
    )
    .await?;
    txn.commit().await?;
    replenishment(
        app,
        actor,
        &ReplenishmentFilter {
            location_id: Some(location.id),
            proposal: None,
        },
    )
    .await?
    .into_iter()
    .find(|r| r.part_id == part.id)
    .ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------- purchase requests

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PurchaseRequestInput {
    pub part_id: i64,
    /// The central warehouse or a branch the parts are for.
    pub location_id: i64,
    pub quantity: i64,
    /// The service order waiting for the parts.
    pub order_id: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PurchaseRequestView {
    pub id: i64,
    /// `QG-` and the id.
    pub number: String,
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    pub location_id: i64,
    pub location_name: String,
    pub quantity: i64,
    pub unit_cost_fen: i64,
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    /// requested, approved, rejected or received.
    pub status: String,
    pub note: Option<String>,
    pub requested_by: String,
    pub requested_at: String,
    pub decision_reason: Option<String>,
    pub received_at: Option<String>,
    pub movement_id: Option<i64>,
    pub version: i32,
}

async fn request_views(
    db: &impl ConnectionTrait,
    rows: Vec<purchase_request::Model>,
) -> Result<Vec<PurchaseRequestView>, AppError> {
    let parts = part::Entity::find()
        .filter(part::Column::Id.is_in(rows.iter().map(|r| r.part_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let locations = stock_location::Entity::find().all(db).await?;
    let orders = service_order::Entity::find()
        .filter(
            service_order::Column::Id
                .is_in(rows.iter().filter_map(|r| r.order_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?;
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.requested_by).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let part = parts.iter().find(|p| p.id == r.part_id);
            PurchaseRequestView {
                number: format!("QG-{}", r.id),
                part_number: part.map(|p| p.part_number.clone()).unwrap_or_default(),
                part_name: part.map(|p| p.name.clone()).unwrap_or_default(),
                location_name: locations
                    .iter()
                    .find(|l| l.id == r.location_id)
                    .map(|l| l.name.clone())
                    .unwrap_or_default(),
                order_number: r
                    .order_id
                    .and_then(|id| orders.iter().find(|o| o.id == id))
                    .map(|o| o.number.clone()),
                requested_by: people
                    .iter()
                    .find(|p| p.id == r.requested_by)
                    .map(|p| p.display_name.clone())
                    .unwrap_or_default(),
                requested_at: crate::format_ms(r.requested_at),
                received_at: r.received_at.map(crate::format_ms),
                id: r.id,
                part_id: r.part_id,
                location_id: r.location_id,
                quantity: r.quantity,
                unit_cost_fen: r.unit_cost_fen,
                order_id: r.order_id,
                status: r.status,
                note: r.note,
                decision_reason: r.decision_reason,
                movement_id: r.movement_id,
                version: r.version,
            }
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct PurchaseRequestFilter {
    /// true: only requested and approved (not yet received) requests.
    pub open: Option<bool>,
    pub location_id: Option<i64>,
}

/// Purchase requests of the locations the actor manages, newest first, a page at a time.
pub async fn list_requests(
    app: &App,
    actor: &Actor,
    filter: &PurchaseRequestFilter,
    request: PageRequest,
) -> Result<Page<PurchaseRequestView>, AppError> {
    let query = requests_query(app, actor, filter).await?;
    crate::page::fetch_with(&app.db, query, request, |rows| request_views(&app.db, rows)).await
}

/// Every open request of the locations the actor manages, newest first: the open-purchases
/// report. Requests stay open only until their parts arrive, so these are few.
pub async fn open_requests(app: &App, actor: &Actor) -> Result<Vec<PurchaseRequestView>, AppError> {
    let filter = PurchaseRequestFilter {
        open: Some(true),
        location_id: None,
    };
    let rows = requests_query(app, actor, &filter)
        .await?
        .all(&app.db)
        .await?;
    request_views(&app.db, rows).await
}

/// The requests of `filter` at the locations the actor manages, newest first.
async fn requests_query(
    app: &App,
    actor: &Actor,
    filter: &PurchaseRequestFilter,
) -> Result<Select<purchase_request::Entity>, AppError> {
    require_manager(actor)?;
    // Stock locations are few: which of them the actor manages is decided here, by the same
    // rule as for one request, and the requests are then read for those only.
    let managed: Vec<i64> = stock_location::Entity::find()
        .all(&app.db)
        .await?
        .iter()
        .filter(|location| manages(actor, location))
        .map(|location| location.id)
        .collect();
    let mut query = purchase_request::Entity::find()
        .filter(purchase_request::Column::LocationId.is_in(managed))
        .order_by_desc(purchase_request::Column::Id);
    if filter.open == Some(true) {
        query = query.filter(purchase_request::Column::Status.is_in([
            PurchaseStatus::Requested.as_str(),
            PurchaseStatus::Approved.as_str(),
        ]));
    }
    if let Some(location_id) = filter.location_id {
        query = query.filter(purchase_request::Column::LocationId.eq(location_id));
    }
    Ok(query)
}

async fn find_request(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<(purchase_request::Model, stock_location::Model), AppError> {
    let row = purchase_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let location = stock_location::Entity::find_by_id(row.location_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !manages(actor, &location) {
        return Err(AppError::NotFound);
    }
    Ok((row, location))
}

pub async fn get_request(
    app: &App,
    actor: &Actor,
    id: i64,
) -> Result<PurchaseRequestView, AppError> {
    require_manager(actor)?;
    let (row, _) = find_request(&app.db, actor, id).await?;
    Ok(request_views(&app.db, vec![row]).await?.remove(0))
}

/// Raises a purchase request (from the proposal or by hand) and tells the supervisors of
/// the location's branch, who approve it.
pub async fn create_request(
    app: &App,
    actor: &Actor,
    input: &PurchaseRequestInput,
) -> Result<PurchaseRequestView, AppError> {
    require_manager(actor)?;
    rules::apply(0, MovementKind::Receipt, input.quantity)
        .map_err(|err| AppError::invalid("quantity", err.code()))?;
    let note = aftersales_domain::validation::optional_text(input.note.as_deref(), 500)
        .map_err(|code| AppError::invalid("note", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let location = find_location(&txn, input.location_id, "location_id").await?;
    if !manages(actor, &location) {
        return Err(AppError::invalid("location_id", "not_found"));
    }
    if location.kind == "van" {
        return Err(AppError::invalid("location_id", "van_not_replenished"));
    }
    let part = find_part(&txn, input.part_id).await?;
    if let Some(order_id) = input.order_id {
        let order = service_order::Entity::find_by_id(order_id)
            .one(&txn)
            .await?
            .filter(|o| actor.sees(o.org_unit_id, Some(o.customer_id)))
            .ok_or_else(|| AppError::invalid("order_id", "not_found"))?;
        // Parts are bought for work still to do: not for an order done or closed.
        if matches!(
            order.status.as_str(),
            "completed_on_site"
                | "repaired"
                | "inspected"
                | "returned"
                | "archived"
                | "cancelled"
                | "declined"
        ) {
            return Err(AppError::invalid("order_id", "order_closed"));
        }
    }
    let row = purchase_request::ActiveModel {
        part_id: Set(part.id),
        location_id: Set(location.id),
        quantity: Set(input.quantity),
        unit_cost_fen: Set(part.cost_fen),
        order_id: Set(input.order_id),
        status: Set(PurchaseStatus::Requested.as_str().into()),
        note: Set(note),
        requested_by: Set(actor.user_id),
        requested_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "purchase_request",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let supervisors =
        notifications::users_with_role(&txn, Role::ServiceSupervisor, Some(location.org_unit_id))
            .await?;
    let message = Message {
        kind: "purchase_request",
        link: Some("/purchase-requests".into()),
        zh: (
            format!("零件请购待审批：QG-{}", row.id),
            format!(
                "{} {} × {}（{}）待审批。",
                part.part_number, part.name, row.quantity, location.name
            ),
        ),
        en: (
            format!("Purchase request to approve: QG-{}", row.id),
            format!(
                "{} {} × {} for {} waits for approval.",
                part.part_number, part.name, row.quantity, location.name
            ),
        ),
    };
    notifications::notify(&txn, now, &supervisors, &message).await?;
    let view = request_views(&txn, vec![row]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RequestDecisionInput {
    pub approve: bool,
    /// Required to reject.
    pub reason: Option<String>,
    pub version: i32,
}

fn invalid_transition(from: PurchaseStatus, event: PurchaseEvent) -> AppError {
    AppError::Conflict {
        code: "invalid_transition",
        field: Some("status"),
        detail: Some(format!("{event} is not possible when {from}")),
    }
}

/// The supervisor approves or rejects a request.
pub async fn decide_request(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &RequestDecisionInput,
) -> Result<PurchaseRequestView, AppError> {
    actor.require(Permission::PartsApprove)?;
    let reason = optional_reason(input.reason.as_deref())?;
    if !input.approve && reason.is_none() {
        return Err(AppError::invalid("reason", "required"));
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let (row, _) = find_request(&txn, actor, id).await?;
    let from = PurchaseStatus::parse(&row.status).unwrap_or(PurchaseStatus::Rejected);
    let event = if input.approve {
        PurchaseEvent::Approve
    } else {
        PurchaseEvent::Reject
    };
    let to = purchase_next(from, event).ok_or_else(|| invalid_transition(from, event))?;
    let mut active: purchase_request::ActiveModel = row.clone().into();
    active.status = Set(to.as_str().into());
    active.decided_by = Set(Some(actor.user_id));
    active.decided_at = Set(Some(now));
    active.decision_reason = Set(reason);
    active.version = Set(input.version + 1);
    let after = versioned_update(
        &txn,
        active,
        purchase_request::Column::Version,
        input.version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "purchase_request",
        id,
        event.as_str(),
        Some(&row),
        Some(&after),
    )
    .await?;
    let view = request_views(&txn, vec![after]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RequestReceiptInput {
    /// The purchase cost per unit actually paid (fen); empty: the request's.
    pub unit_cost_fen: Option<i64>,
    /// The supplier's delivery note.
    pub reason: Option<String>,
    pub version: i32,
}

/// The warehouse keeper receives an approved request: a receipt movement at the request's
/// location. If an order waits for the parts, its technician and the branch's supervisors
/// are told.
pub async fn receive_request(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &RequestReceiptInput,
) -> Result<PurchaseRequestView, AppError> {
    actor.require(Permission::PartsWrite)?;
    let reason = optional_reason(input.reason.as_deref())?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let (row, location) = find_request(&txn, actor, id).await?;
    if !keeps(actor, &location) {
        return Err(AppError::NotFound);
    }
    let from = PurchaseStatus::parse(&row.status).unwrap_or(PurchaseStatus::Rejected);
    let to = purchase_next(from, PurchaseEvent::Receive)
        .ok_or_else(|| invalid_transition(from, PurchaseEvent::Receive))?;
    let part = find_part(&txn, row.part_id).await?;
    let movement = crate::parts::post_receipt(
        &txn,
        actor,
        now,
        &part,
        location.id,
        row.quantity,
        input.unit_cost_fen.unwrap_or(row.unit_cost_fen),
        Some(reason.unwrap_or_else(|| format!("QG-{}", row.id))),
    )
    .await?;
    let mut active: purchase_request::ActiveModel = row.clone().into();
    active.status = Set(to.as_str().into());
    active.received_by = Set(Some(actor.user_id));
    active.received_at = Set(Some(now));
    active.movement_id = Set(Some(movement.id));
    active.version = Set(input.version + 1);
    let after = versioned_update(
        &txn,
        active,
        purchase_request::Column::Version,
        input.version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "purchase_request",
        id,
        "receive",
        Some(&row),
        Some(&after),
    )
    .await?;
    if let Some(order) = match row.order_id {
        Some(order_id) => {
            service_order::Entity::find_by_id(order_id)
                .one(&txn)
                .await?
        }
        None => None,
    } {
        let mut recipients =
            notifications::users_with_role(&txn, Role::ServiceSupervisor, Some(order.org_unit_id))
                .await?;
        recipients.extend(order.technician_id);
        let message = Message {
            kind: "purchase_received",
            link: Some(format!("/service-orders/{}/parts", order.id)),
            zh: (
                format!("待件已到：{}", order.number),
                format!(
                    "服务凭证 {} 等待的 {} {} × {} 已到 {}，取件后请恢复工单。",
                    order.number, part.part_number, part.name, row.quantity, location.name
                ),
            ),
            en: (
                format!("Parts arrived: {}", order.number),
                format!(
                    "{} {} × {} for order {} arrived at {}; fetch them and resume the order.",
                    part.part_number, part.name, row.quantity, order.number, location.name
                ),
            ),
        };
        notifications::notify(&txn, now, &recipients, &message).await?;
    }
    let view = request_views(&txn, vec![after]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}
