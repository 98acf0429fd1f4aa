//! Spare parts (PARTS-1..3): the catalogue, stock locations, the stock ledger (receipts,
//! transfers, issues to service orders, returns, scrap), stock counts and the ABC classes.
//!
//! Stock on hand is the sum of a (part, location)'s ledger deltas. `stock_levels` caches
//! that sum; [`post`] is the only writer of both and changes them together with one
//! conditional update, so the cache cannot drift nor go negative even with concurrent
//! writers (`on_hand + delta >= 0` is checked by the database, not by a read beforehand).
//!
//! Who does what: the warehouse keeper (`PartsWrite`) keeps the catalogue and moves stock
//! between the central warehouse and branches; a supervisor (`PartsApprove`) transfers into
//! a technician's van and approves counts; a technician (`OrderWork`) sees their own van,
//! issues from it to their own orders and hands parts back. Everyone who reads orders sees
//! where a part is available, so a shortfall can be resolved from the order page.

use std::collections::HashMap;

use aftersales_domain::parts::{self as rules, AbcClass, AbcThresholds, MovementKind};
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::service_order::{OrderStatus, ServiceCategory};
use aftersales_domain::validation::{required_text, ValidationErrors};
use aftersales_store::entity::{
    order_charge, part, part_fit, product, service_order, stock_count, stock_count_line,
    stock_level, stock_location, stock_movement, user,
};
use aftersales_store::sea_orm::sea_query::{Expr, OnConflict};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::{audit, Actor, App, AppError};

pub const LOCATION_KINDS: &[&str] = &["central", "branch", "van"];
pub const COUNT_SCOPES: &[&str] = &["full", "a", "b", "c"];

const MAX_PRICE_FEN: i64 = 100_000_000;

// ---------------------------------------------------------------- catalogue

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PartInput {
    /// Unique, e.g. `YS-3000-01`.
    pub part_number: String,
    pub name: String,
    /// Unit of measure, e.g. 个, 套.
    pub unit: String,
    /// List purchase cost (fen).
    pub cost_fen: i64,
    /// Sale price charged on paid (category A) orders (fen).
    pub sale_price_fen: i64,
    #[serde(default)]
    pub supplier: String,
    /// The products the part fits.
    #[serde(default)]
    pub product_ids: Vec<i64>,
    /// a, b or c to override the computed class; needs a reason.
    pub abc_override: Option<String>,
    pub abc_override_reason: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    /// Required on update: the version read.
    pub version: Option<i32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartView {
    pub id: i64,
    pub part_number: String,
    pub name: String,
    pub unit: String,
    pub cost_fen: i64,
    /// The moving-average cost of the stock (fen).
    pub avg_cost_fen: i64,
    pub sale_price_fen: i64,
    pub supplier: String,
    /// The class in force: the override if any, else the computed one.
    pub abc_class: String,
    pub abc_computed: String,
    pub abc_override: Option<String>,
    pub abc_override_reason: Option<String>,
    pub product_ids: Vec<i64>,
    /// The models of the products it fits.
    pub products: Vec<String>,
    /// Stock on hand over all locations.
    pub on_hand: i64,
    pub active: bool,
    pub version: i32,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct PartFilter {
    /// Part number or name contains.
    pub q: Option<String>,
}

struct ValidPart {
    part_number: String,
    name: String,
    unit: String,
    supplier: String,
    abc_override: Option<String>,
    abc_override_reason: Option<String>,
}

fn validate_part(input: &PartInput) -> Result<ValidPart, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let part_number = errors.check("part_number", required_text(&input.part_number, 40));
    let name = errors.check("name", required_text(&input.name, 100));
    let unit = errors.check("unit", required_text(&input.unit, 10));
    for (field, fen) in [
        ("cost_fen", input.cost_fen),
        ("sale_price_fen", input.sale_price_fen),
    ] {
        if fen < 0 {
            errors.add(field, "negative");
        } else if fen > MAX_PRICE_FEN {
            errors.add(field, "out_of_range");
        }
    }
    let supplier = input.supplier.trim().to_string();
    if supplier.chars().count() > 100 {
        errors.add("supplier", "too_long");
    }
    let abc_override = match input.abc_override.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => match AbcClass::parse(&code.to_lowercase()) {
            Some(class) => Some(class.as_str().to_string()),
            None => {
                errors.add("abc_override", "invalid_choice");
                None
            }
        },
    };
    let reason = input
        .abc_override_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if abc_override.is_some() && reason.is_none() {
        errors.add("abc_override_reason", "required");
    }
    match (part_number, name, unit) {
        (Some(part_number), Some(name), Some(unit)) if errors.is_empty() => Ok(ValidPart {
            part_number,
            name,
            unit,
            supplier,
            abc_override_reason: abc_override.as_ref().and(reason),
            abc_override,
        }),
        _ => Err(errors),
    }
}

async fn part_views(
    db: &impl ConnectionTrait,
    rows: Vec<part::Model>,
) -> Result<Vec<PartView>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let fits = part_fit::Entity::find()
        .filter(part_fit::Column::PartId.is_in(ids.clone()))
        .all(db)
        .await?;
    let products = product::Entity::find()
        .filter(product::Column::Id.is_in(fits.iter().map(|f| f.product_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::PartId.is_in(ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let product_ids: Vec<i64> = fits
                .iter()
                .filter(|f| f.part_id == p.id)
                .map(|f| f.product_id)
                .collect();
            PartView {
                products: products
                    .iter()
                    .filter(|m| product_ids.contains(&m.id))
                    .map(|m| m.model.clone())
                    .collect(),
                product_ids,
                on_hand: levels
                    .iter()
                    .filter(|l| l.part_id == p.id)
                    .map(|l| l.on_hand)
                    .sum(),
                abc_class: p.abc_override.clone().unwrap_or(p.abc_class.clone()),
                abc_computed: p.abc_class,
                id: p.id,
                part_number: p.part_number,
                name: p.name,
                unit: p.unit,
                cost_fen: p.cost_fen,
                avg_cost_fen: p.avg_cost_fen,
                sale_price_fen: p.sale_price_fen,
                supplier: p.supplier,
                abc_override: p.abc_override,
                abc_override_reason: p.abc_override_reason,
                active: p.active,
                version: p.version,
            }
        })
        .collect())
}

pub(crate) fn require_read(actor: &Actor) -> Result<(), AppError> {
    actor.require(Permission::PartsRead)
}

pub async fn list_parts(
    app: &App,
    actor: &Actor,
    filter: &PartFilter,
) -> Result<Vec<PartView>, AppError> {
    require_read(actor)?;
    let mut query = part::Entity::find().order_by_asc(part::Column::PartNumber);
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            part::Column::PartNumber
                .contains(q)
                .or(part::Column::Name.contains(q)),
        );
    }
    part_views(&app.db, query.all(&app.db).await?).await
}

pub async fn get_part(app: &App, actor: &Actor, id: i64) -> Result<PartView, AppError> {
    require_read(actor)?;
    let row = part::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(part_views(&app.db, vec![row]).await?.remove(0))
}

async fn set_fits(
    db: &impl ConnectionTrait,
    part_id: i64,
    product_ids: &[i64],
) -> Result<(), AppError> {
    let mut ids = product_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let found = product::Entity::find()
        .filter(product::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    if found.len() != ids.len() {
        return Err(AppError::invalid("product_ids", "not_found"));
    }
    part_fit::Entity::delete_many()
        .filter(part_fit::Column::PartId.eq(part_id))
        .exec(db)
        .await?;
    for product_id in ids {
        part_fit::ActiveModel {
            part_id: Set(part_id),
            product_id: Set(product_id),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn create_part(
    app: &App,
    actor: &Actor,
    input: &PartInput,
) -> Result<PartView, AppError> {
    actor.require(Permission::PartsWrite)?;
    let valid = validate_part(input)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    if part::Entity::find()
        .filter(part::Column::PartNumber.eq(&valid.part_number))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::field_conflict(
            "duplicate_part_number",
            "part_number",
        ));
    }
    let row = part::ActiveModel {
        part_number: Set(valid.part_number),
        name: Set(valid.name),
        unit: Set(valid.unit),
        cost_fen: Set(input.cost_fen),
        avg_cost_fen: Set(input.cost_fen),
        sale_price_fen: Set(input.sale_price_fen),
        supplier: Set(valid.supplier),
        // A new part has no consumption yet.
        abc_class: Set(AbcClass::C.as_str().to_string()),
        abc_override: Set(valid.abc_override),
        abc_override_reason: Set(valid.abc_override_reason),
        active: Set(input.active),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    set_fits(&txn, row.id, &input.product_ids).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "part",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = part_views(&txn, vec![row]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

pub async fn update_part(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &PartInput,
) -> Result<PartView, AppError> {
    actor.require(Permission::PartsWrite)?;
    let valid = validate_part(input)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = part::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.part_number != valid.part_number
        && part::Entity::find()
            .filter(part::Column::PartNumber.eq(&valid.part_number))
            .one(&txn)
            .await?
            .is_some()
    {
        return Err(AppError::field_conflict(
            "duplicate_part_number",
            "part_number",
        ));
    }
    let mut active: part::ActiveModel = before.clone().into();
    active.part_number = Set(valid.part_number);
    active.name = Set(valid.name);
    active.unit = Set(valid.unit);
    active.cost_fen = Set(input.cost_fen);
    active.sale_price_fen = Set(input.sale_price_fen);
    active.supplier = Set(valid.supplier);
    active.abc_override = Set(valid.abc_override);
    active.abc_override_reason = Set(valid.abc_override_reason);
    active.active = Set(input.active);
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, part::Column::Version, version).await?;
    set_fits(&txn, id, &input.product_ids).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "part",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    let view = part_views(&txn, vec![after]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

/// Recomputes every part's ABC class from the last 365 days' consumption value (issues to
/// orders less unused returns, at the cost they were issued at), with the shares in the
/// `parts.abc_a_percent` and `parts.abc_b_percent` settings. Overrides stay in force.
pub async fn recompute_abc(app: &App, actor: &Actor) -> Result<Vec<PartView>, AppError> {
    actor.require(Permission::PartsWrite)?;
    let now = app.now_ms();
    let since = now - 365 * 86_400_000;
    let txn = app.write_txn().await?;
    let thresholds = AbcThresholds {
        a_percent: crate::settings::get_count(&txn, "parts.abc_a_percent").await?,
        b_percent: crate::settings::get_count(&txn, "parts.abc_b_percent").await?,
    };
    let parts = part::Entity::find()
        .order_by_asc(part::Column::Id)
        .all(&txn)
        .await?;
    let movements = stock_movement::Entity::find()
        .filter(stock_movement::Column::CreatedAt.gte(since))
        .filter(stock_movement::Column::Kind.is_in([
            MovementKind::Issue.as_str(),
            MovementKind::ReturnUnused.as_str(),
        ]))
        .all(&txn)
        .await?;
    let consumption: Vec<(i64, i64)> = parts
        .iter()
        .map(|p| {
            let value = movements
                .iter()
                .filter(|m| m.part_id == p.id)
                .map(|m| -m.delta * m.unit_cost_fen)
                .sum();
            (p.id, value)
        })
        .collect();
    for (part_id, class) in rules::classify(&consumption, thresholds) {
        part::Entity::update_many()
            .col_expr(part::Column::AbcClass, Expr::value(class.as_str()))
            .filter(part::Column::Id.eq(part_id))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        now,
        Some(actor),
        "part",
        0,
        "recompute_abc",
        None::<&()>,
        Some(&consumption),
    )
    .await?;
    let rows = part::Entity::find()
        .order_by_asc(part::Column::PartNumber)
        .all(&txn)
        .await?;
    let views = part_views(&txn, rows).await?;
    txn.commit().await?;
    Ok(views)
}

// ---------------------------------------------------------------- locations

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LocationInput {
    pub code: String,
    pub name: String,
    /// central or branch (a technician's van is created for them on the first transfer).
    pub kind: String,
    /// The branch (or the headquarters unit for the central warehouse).
    pub org_unit_id: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LocationView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub org_unit_id: i64,
    pub technician_id: Option<i64>,
}

fn location_view(row: stock_location::Model) -> LocationView {
    LocationView {
        id: row.id,
        code: row.code,
        name: row.name,
        kind: row.kind,
        org_unit_id: row.org_unit_id,
        technician_id: row.technician_id,
    }
}

pub async fn list_locations(app: &App, actor: &Actor) -> Result<Vec<LocationView>, AppError> {
    require_read(actor)?;
    Ok(stock_location::Entity::find()
        .filter(stock_location::Column::Active.eq(true))
        .order_by_asc(stock_location::Column::Id)
        .all(&app.db)
        .await?
        .into_iter()
        .map(location_view)
        .collect())
}

pub async fn create_location(
    app: &App,
    actor: &Actor,
    input: &LocationInput,
) -> Result<LocationView, AppError> {
    actor.require(Permission::PartsWrite)?;
    let mut errors = ValidationErrors::new();
    let code = errors.check("code", required_text(&input.code, 30));
    let name = errors.check("name", required_text(&input.name, 100));
    if input.kind != "central" && input.kind != "branch" {
        errors.add("kind", "invalid_choice");
    }
    let (Some(code), Some(name)) = (code, name) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    crate::org::get_unit(app, actor, input.org_unit_id)
        .await
        .map_err(|_| AppError::invalid("org_unit_id", "not_found"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    if stock_location::Entity::find()
        .filter(stock_location::Column::Code.eq(&code))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::field_conflict("duplicate_code", "code"));
    }
    let row = stock_location::ActiveModel {
        code: Set(code),
        name: Set(name),
        kind: Set(input.kind.clone()),
        org_unit_id: Set(input.org_unit_id),
        technician_id: Set(None),
        active: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The first periodic count (T21) is due one interval after the location opens.
    schedule_count(&txn, row.id, now, now).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "stock_location",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(location_view(row))
}

/// The technician's van (or bag), created the first time stock goes to them.
pub(crate) async fn van_of(
    db: &impl ConnectionTrait,
    technician_id: i64,
    now: i64,
) -> Result<stock_location::Model, AppError> {
    if let Some(van) = stock_location::Entity::find()
        .filter(stock_location::Column::TechnicianId.eq(technician_id))
        .one(db)
        .await?
    {
        return Ok(van);
    }
    let technician = user::Entity::find_by_id(technician_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::invalid("technician_id", "not_found"))?;
    let org_unit_id = technician
        .org_unit_id
        .ok_or_else(|| AppError::invalid("technician_id", "no_branch"))?;
    Ok(stock_location::ActiveModel {
        code: Set(format!("VAN-{}", technician.username)),
        name: Set(format!("{} 车载库存", technician.display_name)),
        kind: Set("van".into()),
        org_unit_id: Set(org_unit_id),
        technician_id: Set(Some(technician_id)),
        active: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub(crate) async fn find_location(
    db: &impl ConnectionTrait,
    id: i64,
    field: &'static str,
) -> Result<stock_location::Model, AppError> {
    stock_location::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|l| l.active)
        .ok_or_else(|| AppError::invalid(field, "not_found"))
}

pub(crate) async fn find_part(db: &impl ConnectionTrait, id: i64) -> Result<part::Model, AppError> {
    part::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::invalid("part_id", "not_found"))
}

/// Whether the actor keeps stock at the location: the central warehouse is everyone's
/// with `PartsWrite`; a branch's or van's needs the branch in scope.
pub(crate) fn keeps(actor: &Actor, location: &stock_location::Model) -> bool {
    actor.can(Permission::PartsWrite)
        && (location.kind == "central" || actor.sees(location.org_unit_id, None))
}

// ---------------------------------------------------------------- the ledger

/// One movement to post.
struct Posting<'a> {
    part: &'a part::Model,
    location_id: i64,
    kind: MovementKind,
    quantity: i64,
    other_location_id: Option<i64>,
    order_id: Option<i64>,
    count_id: Option<i64>,
    reason: Option<String>,
}

/// Appends a movement to the ledger and moves the cached stock level by its delta in the
/// same statement that checks it stays at or above zero. A refusal names the shortfall
/// (409 `shortfall`, field `quantity`).
async fn post(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: i64,
    posting: Posting<'_>,
) -> Result<stock_movement::Model, AppError> {
    let delta = posting.kind.delta(posting.quantity);
    stock_level::Entity::insert(stock_level::ActiveModel {
        part_id: Set(posting.part.id),
        location_id: Set(posting.location_id),
        on_hand: Set(0),
        reorder_point: Set(0),
        order_quantity: Set(0),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([stock_level::Column::PartId, stock_level::Column::LocationId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let level = |db| {
        stock_level::Entity::find()
            .filter(stock_level::Column::PartId.eq(posting.part.id))
            .filter(stock_level::Column::LocationId.eq(posting.location_id))
            .one(db)
    };
    let on_hand = level(db).await?.map_or(0, |l| l.on_hand);
    let refusal = |err: rules::StockError| match err {
        rules::StockError::InvalidQuantity => AppError::invalid("quantity", err.code()),
        rules::StockError::Shortfall { .. } => AppError::Conflict {
            code: "shortfall",
            field: Some("quantity"),
            detail: Some(err.to_string()),
        },
    };
    rules::apply(on_hand, posting.kind, posting.quantity).map_err(refusal)?;
    let updated = stock_level::Entity::update_many()
        .col_expr(
            stock_level::Column::OnHand,
            Expr::col(stock_level::Column::OnHand).add(delta),
        )
        .filter(stock_level::Column::PartId.eq(posting.part.id))
        .filter(stock_level::Column::LocationId.eq(posting.location_id))
        .filter(Expr::expr(Expr::col(stock_level::Column::OnHand).add(delta)).gte(0))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        // Someone else took the stock between the read and the update.
        let on_hand = level(db).await?.map_or(0, |l| l.on_hand);
        return Err(refusal(
            rules::apply(on_hand, posting.kind, posting.quantity)
                .err()
                .unwrap_or(rules::StockError::Shortfall {
                    on_hand,
                    requested: -delta,
                    shortfall: -delta - on_hand,
                }),
        ));
    }
    let row = stock_movement::ActiveModel {
        part_id: Set(posting.part.id),
        location_id: Set(posting.location_id),
        kind: Set(posting.kind.as_str().to_string()),
        quantity: Set(posting.quantity),
        delta: Set(delta),
        unit_cost_fen: Set(posting.part.avg_cost_fen),
        other_location_id: Set(posting.other_location_id),
        order_id: Set(posting.order_id),
        count_id: Set(posting.count_id),
        reason: Set(posting.reason),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        now,
        Some(actor),
        "stock_movement",
        row.id,
        row.kind.as_str(),
        None::<&()>,
        Some(&row),
    )
    .await?;
    Ok(row)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovementView {
    pub id: i64,
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    pub location_id: i64,
    pub location_name: String,
    /// receipt, transfer_out, transfer_in, issue, return_unused, return_faulty, scrap or
    /// count_adjustment.
    pub kind: String,
    pub quantity: i64,
    /// The change in stock on hand.
    pub delta: i64,
    pub unit_cost_fen: i64,
    pub other_location_id: Option<i64>,
    pub order_id: Option<i64>,
    pub count_id: Option<i64>,
    pub reason: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

pub(crate) async fn movement_views(
    db: &impl ConnectionTrait,
    rows: Vec<stock_movement::Model>,
) -> Result<Vec<MovementView>, AppError> {
    let parts = part::Entity::find()
        .filter(part::Column::Id.is_in(rows.iter().map(|r| r.part_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let locations = stock_location::Entity::find().all(db).await?;
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.created_by).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let part = parts.iter().find(|p| p.id == r.part_id);
            MovementView {
                id: r.id,
                part_id: r.part_id,
                part_number: part.map(|p| p.part_number.clone()).unwrap_or_default(),
                part_name: part.map(|p| p.name.clone()).unwrap_or_default(),
                location_id: r.location_id,
                location_name: locations
                    .iter()
                    .find(|l| l.id == r.location_id)
                    .map(|l| l.name.clone())
                    .unwrap_or_default(),
                kind: r.kind,
                quantity: r.quantity,
                delta: r.delta,
                unit_cost_fen: r.unit_cost_fen,
                other_location_id: r.other_location_id,
                order_id: r.order_id,
                count_id: r.count_id,
                reason: r.reason,
                created_by: people
                    .iter()
                    .find(|p| p.id == r.created_by)
                    .map(|p| p.display_name.clone())
                    .unwrap_or_default(),
                created_at: crate::format_ms(r.created_at),
            }
        })
        .collect())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StockRow {
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    pub unit: String,
    pub abc_class: String,
    pub location_id: i64,
    pub location_name: String,
    pub location_kind: String,
    pub on_hand: i64,
    /// On hand × the part's moving-average cost (fen).
    pub value_fen: i64,
    pub reorder_point: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct StockFilter {
    pub location_id: Option<i64>,
    pub part_id: Option<i64>,
    /// true: only rows with stock on hand.
    pub in_stock: Option<bool>,
}

pub(crate) async fn stock_rows(
    db: &impl ConnectionTrait,
    filter: &StockFilter,
) -> Result<Vec<StockRow>, AppError> {
    let mut query = stock_level::Entity::find();
    if let Some(location_id) = filter.location_id {
        query = query.filter(stock_level::Column::LocationId.eq(location_id));
    }
    if let Some(part_id) = filter.part_id {
        query = query.filter(stock_level::Column::PartId.eq(part_id));
    }
    if filter.in_stock == Some(true) {
        query = query.filter(stock_level::Column::OnHand.gt(0));
    }
    let levels = query.all(db).await?;
    let parts = part::Entity::find()
        .filter(part::Column::Id.is_in(levels.iter().map(|l| l.part_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let locations = stock_location::Entity::find().all(db).await?;
    let mut rows: Vec<StockRow> = levels
        .into_iter()
        .filter_map(|level| {
            let part = parts.iter().find(|p| p.id == level.part_id)?;
            let location = locations.iter().find(|l| l.id == level.location_id)?;
            Some(StockRow {
                part_id: part.id,
                part_number: part.part_number.clone(),
                part_name: part.name.clone(),
                unit: part.unit.clone(),
                abc_class: part.abc_override.clone().unwrap_or(part.abc_class.clone()),
                location_id: location.id,
                location_name: location.name.clone(),
                location_kind: location.kind.clone(),
                on_hand: level.on_hand,
                value_fen: level.on_hand * part.avg_cost_fen,
                reorder_point: level.reorder_point,
            })
        })
        .collect();
    rows.sort_by(|a, b| (a.location_id, &a.part_number).cmp(&(b.location_id, &b.part_number)));
    Ok(rows)
}

/// Stock on hand per part and location. A technician who keeps no stock sees their own
/// van only.
pub async fn stock(
    app: &App,
    actor: &Actor,
    filter: &StockFilter,
) -> Result<Vec<StockRow>, AppError> {
    require_read(actor)?;
    let van_only = actor.has_role(Role::Technician)
        && !actor.can(Permission::PartsWrite)
        && !actor.can(Permission::PartsApprove);
    if !van_only {
        return stock_rows(&app.db, filter).await;
    }
    let van = stock_location::Entity::find()
        .filter(stock_location::Column::TechnicianId.eq(actor.user_id))
        .one(&app.db)
        .await?;
    match van {
        Some(van) if filter.location_id.is_none_or(|id| id == van.id) => {
            let own = StockFilter {
                location_id: Some(van.id),
                ..filter.clone()
            };
            stock_rows(&app.db, &own).await
        }
        _ => Ok(Vec::new()),
    }
}

/// The stock report (stock on hand and value by location and class) as an .xlsx sheet,
/// headers in the caller's language. Answers the bytes and a file name.
pub async fn export_stock(
    app: &App,
    actor: &Actor,
    filter: &StockFilter,
    english: bool,
) -> Result<(Vec<u8>, String), AppError> {
    let rows = stock(app, actor, filter).await?;
    let headers: &[&str] = if english {
        &[
            "Location",
            "Part number",
            "Name",
            "ABC class",
            "On hand",
            "Unit",
            "Value (yuan)",
        ]
    } else {
        &[
            "库位",
            "备件编号",
            "名称",
            "ABC分类",
            "库存",
            "单位",
            "金额（元）",
        ]
    };
    let cells: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            vec![
                r.location_name,
                r.part_number,
                r.part_name,
                r.abc_class.to_uppercase(),
                r.on_hand.to_string(),
                r.unit,
                aftersales_domain::money::format_yuan(r.value_fen),
            ]
        })
        .collect();
    let format = aftersales_tabular::Format::Xlsx;
    let bytes = aftersales_tabular::write(format, "stock", headers, &cells).map_err(|err| {
        AppError::Internal(anyhow::anyhow!("writing the stock report failed: {err}"))
    })?;
    Ok((
        bytes,
        format!("stock-{}.{}", app.today(), format.extension()),
    ))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct MovementFilter {
    pub location_id: Option<i64>,
    pub part_id: Option<i64>,
}

/// The ledger, newest first (at most 500 rows).
pub async fn movements(
    app: &App,
    actor: &Actor,
    filter: &MovementFilter,
) -> Result<Vec<MovementView>, AppError> {
    actor.require(Permission::PartsRead)?;
    let mut query = stock_movement::Entity::find().order_by_desc(stock_movement::Column::Id);
    if let Some(location_id) = filter.location_id {
        query = query.filter(stock_movement::Column::LocationId.eq(location_id));
    }
    if let Some(part_id) = filter.part_id {
        query = query.filter(stock_movement::Column::PartId.eq(part_id));
    }
    use aftersales_store::sea_orm::QuerySelect;
    let rows = query.limit(500).all(&app.db).await?;
    movement_views(&app.db, rows).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReceiptInput {
    pub part_id: i64,
    pub location_id: i64,
    pub quantity: i64,
    /// The purchase cost per unit (fen); empty: the part's list cost.
    pub unit_cost_fen: Option<i64>,
    /// Supplier delivery note or purchase reference.
    pub reason: Option<String>,
}

pub(crate) fn optional_reason(text: Option<&str>) -> Result<Option<String>, AppError> {
    aftersales_domain::validation::optional_text(text, 500)
        .map_err(|code| AppError::invalid("reason", code))
}

/// Goods received from a supplier: adds stock and re-averages the part's cost.
pub async fn receive(
    app: &App,
    actor: &Actor,
    input: &ReceiptInput,
) -> Result<MovementView, AppError> {
    let now = app.now_ms();
    let reason = optional_reason(input.reason.as_deref())?;
    let txn = app.write_txn().await?;
    let location = find_location(&txn, input.location_id, "location_id").await?;
    if !keeps(actor, &location) {
        return Err(AppError::Forbidden);
    }
    let part = find_part(&txn, input.part_id).await?;
    let unit_cost = input.unit_cost_fen.unwrap_or(part.cost_fen);
    let row = post_receipt(
        &txn,
        actor,
        now,
        &part,
        location.id,
        input.quantity,
        unit_cost,
        reason,
    )
    .await?;
    let view = movement_views(&txn, vec![row]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

/// Posts a receipt in the caller's transaction: re-averages the part's cost over the
/// stock on hand and appends the movement (also used when a purchase request is received).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn post_receipt(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: i64,
    part: &part::Model,
    location_id: i64,
    quantity: i64,
    unit_cost: i64,
    reason: Option<String>,
) -> Result<stock_movement::Model, AppError> {
    if !(0..=MAX_PRICE_FEN).contains(&unit_cost) {
        return Err(AppError::invalid("unit_cost_fen", "out_of_range"));
    }
    rules::apply(0, MovementKind::Receipt, quantity)
        .map_err(|err| AppError::invalid("quantity", err.code()))?;
    let on_hand: i64 = stock_level::Entity::find()
        .filter(stock_level::Column::PartId.eq(part.id))
        .all(db)
        .await?
        .iter()
        .map(|l| l.on_hand)
        .sum();
    let average = rules::moving_average(on_hand, part.avg_cost_fen, quantity, unit_cost);
    // The average is derived, not edited, so it does not take the part's version.
    part::Entity::update_many()
        .col_expr(part::Column::AvgCostFen, Expr::value(average))
        .filter(part::Column::Id.eq(part.id))
        .exec(db)
        .await?;
    let costed = part::Model {
        avg_cost_fen: unit_cost,
        ..part.clone()
    };
    post(
        db,
        actor,
        now,
        Posting {
            part: &costed,
            location_id,
            kind: MovementKind::Receipt,
            quantity,
            other_location_id: None,
            order_id: None,
            count_id: None,
            reason,
        },
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TransferInput {
    pub part_id: i64,
    pub from_location_id: i64,
    /// A location, or
    pub to_location_id: Option<i64>,
    /// a technician, whose van is created if they have none.
    pub to_technician_id: Option<i64>,
    pub quantity: i64,
    pub reason: Option<String>,
}

/// Moves stock between locations: both halves or neither. Into a technician's van only a
/// supervisor (`PartsApprove`) transfers; a technician hands stock back from their own van;
/// all other transfers are the warehouse keeper's.
pub async fn transfer(
    app: &App,
    actor: &Actor,
    input: &TransferInput,
) -> Result<Vec<MovementView>, AppError> {
    let now = app.now_ms();
    let reason = optional_reason(input.reason.as_deref())?;
    let txn = app.write_txn().await?;
    let from = find_location(&txn, input.from_location_id, "from_location_id").await?;
    let to = match (input.to_location_id, input.to_technician_id) {
        (Some(id), _) => find_location(&txn, id, "to_location_id").await?,
        (None, Some(technician_id)) => {
            let technician = user::Entity::find_by_id(technician_id)
                .one(&txn)
                .await?
                .filter(|u| u.active && actor.sees(u.org_unit_id.unwrap_or(-1), None))
                .ok_or_else(|| AppError::invalid("to_technician_id", "not_found"))?;
            van_of(&txn, technician.id, now).await?
        }
        (None, None) => return Err(AppError::invalid("to_location_id", "required")),
    };
    if to.id == from.id {
        return Err(AppError::invalid("to_location_id", "same_location"));
    }
    let own_van_back = from.technician_id == Some(actor.user_id)
        && to.kind != "van"
        && actor.can(Permission::OrderWork);
    let allowed = if own_van_back {
        true
    } else if to.kind == "van" {
        actor.can(Permission::PartsApprove)
            && (from.kind == "central" || actor.sees(from.org_unit_id, None))
            && actor.sees(to.org_unit_id, None)
    } else {
        keeps(actor, &from)
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let part = find_part(&txn, input.part_id).await?;
    let out = post(
        &txn,
        actor,
        now,
        Posting {
            part: &part,
            location_id: from.id,
            kind: MovementKind::TransferOut,
            quantity: input.quantity,
            other_location_id: Some(to.id),
            order_id: None,
            count_id: None,
            reason: reason.clone(),
        },
    )
    .await?;
    let into = post(
        &txn,
        actor,
        now,
        Posting {
            part: &part,
            location_id: to.id,
            kind: MovementKind::TransferIn,
            quantity: input.quantity,
            other_location_id: Some(from.id),
            order_id: None,
            count_id: None,
            reason,
        },
    )
    .await?;
    let views = movement_views(&txn, vec![out, into]).await?;
    txn.commit().await?;
    Ok(views)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ScrapInput {
    pub part_id: i64,
    pub location_id: i64,
    pub quantity: i64,
    /// Why it is written off (required).
    pub reason: String,
}

pub async fn scrap(app: &App, actor: &Actor, input: &ScrapInput) -> Result<MovementView, AppError> {
    let now = app.now_ms();
    let reason =
        required_text(&input.reason, 500).map_err(|code| AppError::invalid("reason", code))?;
    let txn = app.write_txn().await?;
    let location = find_location(&txn, input.location_id, "location_id").await?;
    if !keeps(actor, &location) {
        return Err(AppError::Forbidden);
    }
    let part = find_part(&txn, input.part_id).await?;
    let row = post(
        &txn,
        actor,
        now,
        Posting {
            part: &part,
            location_id: location.id,
            kind: MovementKind::Scrap,
            quantity: input.quantity,
            other_location_id: None,
            order_id: None,
            count_id: None,
            reason: Some(reason),
        },
    )
    .await?;
    let view = movement_views(&txn, vec![row]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

// ---------------------------------------------------------------- parts on orders

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderPartLine {
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    /// Issued less returned unused.
    pub used: i64,
    /// Faulty parts handed in.
    pub faulty_returned: i64,
    /// Material cost at the moving average when issued (fen).
    pub cost_fen: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderPartsView {
    pub order_id: i64,
    pub order_number: String,
    pub order_status: String,
    pub technician_id: Option<i64>,
    /// Whether parts may be issued now (on site or in repair).
    pub open: bool,
    pub lines: Vec<OrderPartLine>,
    /// The material cost of the parts used (PARTS-3), fen.
    pub material_cost_fen: i64,
    /// The ledger entries of the order.
    pub movements: Vec<MovementView>,
    /// The technician's van stock.
    pub van: Vec<StockRow>,
    /// The technician's van, once they have one.
    pub van_location_id: Option<i64>,
}

fn open_for_parts(status: &str) -> bool {
    status == OrderStatus::OnSite.as_str() || status == OrderStatus::InRepair.as_str()
}

/// The parts used on an order, its ledger entries and the technician's van stock.
pub async fn order_parts(
    app: &App,
    actor: &Actor,
    order_id: i64,
) -> Result<OrderPartsView, AppError> {
    actor.require(Permission::OrderRead)?;
    let order = crate::service_orders::find_visible(&app.db, actor, order_id).await?;
    order_parts_of(&app.db, &order).await
}

async fn order_parts_of(
    db: &impl ConnectionTrait,
    order: &service_order::Model,
) -> Result<OrderPartsView, AppError> {
    let rows = stock_movement::Entity::find()
        .filter(stock_movement::Column::OrderId.eq(order.id))
        .order_by_asc(stock_movement::Column::Id)
        .all(db)
        .await?;
    let movements = movement_views(db, rows.clone()).await?;
    let mut lines: Vec<OrderPartLine> = Vec::new();
    for (row, view) in rows.iter().zip(&movements) {
        let line = match lines.iter_mut().find(|l| l.part_id == row.part_id) {
            Some(line) => line,
            None => {
                lines.push(OrderPartLine {
                    part_id: row.part_id,
                    part_number: view.part_number.clone(),
                    part_name: view.part_name.clone(),
                    used: 0,
                    faulty_returned: 0,
                    cost_fen: 0,
                });
                lines.last_mut().expect("just pushed")
            }
        };
        match MovementKind::parse(&row.kind) {
            Some(MovementKind::Issue | MovementKind::ReturnUnused) => {
                line.used -= row.delta;
                line.cost_fen -= row.delta * row.unit_cost_fen;
            }
            Some(MovementKind::ReturnFaulty) => line.faulty_returned += row.quantity,
            _ => {}
        }
    }
    let van = match order.technician_id {
        Some(technician_id) => {
            stock_location::Entity::find()
                .filter(stock_location::Column::TechnicianId.eq(technician_id))
                .one(db)
                .await?
        }
        None => None,
    };
    let van_stock = match &van {
        Some(van) => {
            stock_rows(
                db,
                &StockFilter {
                    location_id: Some(van.id),
                    part_id: None,
                    in_stock: Some(true),
                },
            )
            .await?
        }
        None => Vec::new(),
    };
    Ok(OrderPartsView {
        order_id: order.id,
        order_number: order.number.clone(),
        order_status: order.status.clone(),
        technician_id: order.technician_id,
        open: open_for_parts(&order.status),
        material_cost_fen: lines.iter().map(|l| l.cost_fen).sum(),
        lines,
        movements,
        van: van_stock,
        van_location_id: van.map(|v| v.id),
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OrderPartInput {
    pub part_id: i64,
    /// Empty: 1.
    pub quantity: Option<i64>,
    /// For a faulty part handed in: the location that takes it; empty: the order's branch
    /// location, else the central warehouse.
    pub location_id: Option<i64>,
}

/// Loads the order for a parts change: visible, on site or in repair (409 otherwise), the
/// technician's own order unless the actor dispatches, and with a technician.
async fn order_for_parts(
    db: &impl ConnectionTrait,
    actor: &Actor,
    order_id: i64,
) -> Result<(service_order::Model, i64), AppError> {
    actor.require(Permission::OrderWork)?;
    let order = crate::service_orders::find_visible(db, actor, order_id).await?;
    if !open_for_parts(&order.status) {
        return Err(AppError::Conflict {
            code: "not_open_for_parts",
            field: Some("status"),
            detail: Some(format!("the order is {}", order.status)),
        });
    }
    if !actor.can(Permission::OrderDispatch) && order.technician_id != Some(actor.user_id) {
        return Err(AppError::Forbidden);
    }
    let technician_id = order
        .technician_id
        .ok_or_else(|| AppError::field_conflict("no_technician", "technician_id"))?;
    Ok((order, technician_id))
}

fn charge_description(part: &part::Model) -> String {
    format!("{} {}", part.part_number, part.name)
}

/// Issues a part from the technician's van to the order. On a paid (category A) order the
/// part's sale price becomes a charge line (BILLING-3); B and C orders record only the
/// material cost. A shortfall answers 409 `shortfall` and the page then shows where the
/// part is available.
pub async fn issue_to_order(
    app: &App,
    actor: &Actor,
    order_id: i64,
    input: &OrderPartInput,
) -> Result<OrderPartsView, AppError> {
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let (order, technician_id) = order_for_parts(&txn, actor, order_id).await?;
    let part = find_part(&txn, input.part_id).await?;
    let quantity = input.quantity.unwrap_or(1);
    let van = van_of(&txn, technician_id, now).await?;
    post(
        &txn,
        actor,
        now,
        Posting {
            part: &part,
            location_id: van.id,
            kind: MovementKind::Issue,
            quantity,
            other_location_id: None,
            order_id: Some(order.id),
            count_id: None,
            reason: None,
        },
    )
    .await?;
    if order.category == ServiceCategory::A.as_str() {
        order_charge::ActiveModel {
            order_id: Set(order.id),
            price_item_id: Set(None),
            description: Set(charge_description(&part)),
            quantity: Set(quantity),
            unit_price_fen: Set(part.sale_price_fen),
            category: Set(ServiceCategory::A.as_str().to_string()),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let view = order_parts_of(&txn, &order).await?;
    txn.commit().await?;
    Ok(view)
}

/// How many of the part the order still holds (issued less returned unused).
fn used_on(view: &OrderPartsView, part_id: i64) -> OrderPartLine {
    view.lines
        .iter()
        .find(|l| l.part_id == part_id)
        .cloned()
        .unwrap_or(OrderPartLine {
            part_id,
            part_number: String::new(),
            part_name: String::new(),
            used: 0,
            faulty_returned: 0,
            cost_fen: 0,
        })
}

/// Puts an issued part that was not used back into the technician's van; the charge line
/// it made on a paid order shrinks with it.
pub async fn return_unused(
    app: &App,
    actor: &Actor,
    order_id: i64,
    input: &OrderPartInput,
) -> Result<OrderPartsView, AppError> {
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let (order, technician_id) = order_for_parts(&txn, actor, order_id).await?;
    let part = find_part(&txn, input.part_id).await?;
    let quantity = input.quantity.unwrap_or(1);
    let held = used_on(&order_parts_of(&txn, &order).await?, part.id);
    if quantity < 1 || quantity > held.used {
        return Err(AppError::invalid("quantity", "more_than_issued"));
    }
    let van = van_of(&txn, technician_id, now).await?;
    post(
        &txn,
        actor,
        now,
        Posting {
            part: &part,
            location_id: van.id,
            kind: MovementKind::ReturnUnused,
            quantity,
            other_location_id: None,
            order_id: Some(order.id),
            count_id: None,
            reason: None,
        },
    )
    .await?;
    let mut left = quantity;
    let charges = order_charge::Entity::find()
        .filter(order_charge::Column::OrderId.eq(order.id))
        .filter(order_charge::Column::PriceItemId.is_null())
        .filter(order_charge::Column::Description.eq(charge_description(&part)))
        .order_by_desc(order_charge::Column::Id)
        .all(&txn)
        .await?;
    for charge in charges {
        if left == 0 {
            break;
        }
        let take = left.min(charge.quantity);
        left -= take;
        if take == charge.quantity {
            order_charge::Entity::delete_by_id(charge.id)
                .exec(&txn)
                .await?;
        } else {
            let mut active: order_charge::ActiveModel = charge.clone().into();
            active.quantity = Set(charge.quantity - take);
            active.update(&txn).await?;
        }
    }
    let view = order_parts_of(&txn, &order).await?;
    txn.commit().await?;
    Ok(view)
}

/// Records the faulty part replaced, handed in to the warehouse (for the supplier claim or
/// scrap). It is a ledger entry that does not change usable stock.
pub async fn return_faulty(
    app: &App,
    actor: &Actor,
    order_id: i64,
    input: &OrderPartInput,
) -> Result<OrderPartsView, AppError> {
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let (order, _) = order_for_parts(&txn, actor, order_id).await?;
    let part = find_part(&txn, input.part_id).await?;
    let quantity = input.quantity.unwrap_or(1);
    let held = used_on(&order_parts_of(&txn, &order).await?, part.id);
    if quantity < 1 || quantity > held.used - held.faulty_returned {
        return Err(AppError::invalid("quantity", "more_than_issued"));
    }
    let location = match input.location_id {
        Some(id) => find_location(&txn, id, "location_id").await?,
        None => {
            let branch = stock_location::Entity::find()
                .filter(stock_location::Column::Kind.eq("branch"))
                .filter(stock_location::Column::OrgUnitId.eq(order.org_unit_id))
                .filter(stock_location::Column::Active.eq(true))
                .one(&txn)
                .await?;
            match branch {
                Some(branch) => branch,
                None => stock_location::Entity::find()
                    .filter(stock_location::Column::Kind.eq("central"))
                    .filter(stock_location::Column::Active.eq(true))
                    .one(&txn)
                    .await?
                    .ok_or_else(|| AppError::invalid("location_id", "required"))?,
            }
        }
    };
    post(
        &txn,
        actor,
        now,
        Posting {
            part: &part,
            location_id: location.id,
            kind: MovementKind::ReturnFaulty,
            quantity,
            other_location_id: None,
            order_id: Some(order.id),
            count_id: None,
            reason: Some(format!("faulty part from {}", order.number)),
        },
    )
    .await?;
    let view = order_parts_of(&txn, &order).await?;
    txn.commit().await?;
    Ok(view)
}

/// Where a part is in stock (every location, so a shortfall can be resolved from another
/// branch too), most first.
pub async fn availability(
    app: &App,
    actor: &Actor,
    part_id: i64,
) -> Result<Vec<StockRow>, AppError> {
    actor.require(Permission::OrderRead)?;
    let mut rows = stock_rows(
        &app.db,
        &StockFilter {
            location_id: None,
            part_id: Some(part_id),
            in_stock: Some(true),
        },
    )
    .await?;
    rows.sort_by_key(|row| std::cmp::Reverse(row.on_hand));
    Ok(rows)
}

/// Transfers a part into the order's technician's van in one action (the supervisor
/// resolving a shortfall).
pub async fn transfer_to_order(
    app: &App,
    actor: &Actor,
    order_id: i64,
    part_id: i64,
    from_location_id: i64,
    quantity: i64,
) -> Result<Vec<MovementView>, AppError> {
    actor.require(Permission::PartsApprove)?;
    let order = crate::service_orders::find_visible(&app.db, actor, order_id).await?;
    let technician_id = order
        .technician_id
        .ok_or_else(|| AppError::field_conflict("no_technician", "technician_id"))?;
    transfer(
        app,
        actor,
        &TransferInput {
            part_id,
            from_location_id,
            to_location_id: None,
            to_technician_id: Some(technician_id),
            quantity,
            reason: Some(format!("for {}", order.number)),
        },
    )
    .await
}

// ---------------------------------------------------------------- stock counts

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CountInput {
    pub location_id: i64,
    /// full (全面盘点) or a, b, c (cycle count of one class).
    pub scope: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountLineView {
    pub id: i64,
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    pub book_quantity: i64,
    pub counted_quantity: Option<i64>,
    /// Counted less book, once counted.
    pub difference: Option<i64>,
}

/// A stock count sheet as the list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountSummary {
    pub id: i64,
    pub location_id: i64,
    pub location_name: String,
    pub scope: String,
    /// open (being counted, or sent back), submitted or approved.
    pub status: String,
    pub reason: Option<String>,
    pub created_at: String,
    pub version: i32,
}

/// A stock count sheet with its lines.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountView {
    #[serde(flatten)]
    pub sheet: CountSummary,
    pub lines: Vec<CountLineView>,
}

fn count_summary(count: stock_count::Model, location_name: String) -> CountSummary {
    CountSummary {
        id: count.id,
        location_id: count.location_id,
        location_name,
        scope: count.scope,
        status: count.status,
        reason: count.reason,
        created_at: crate::format_ms(count.created_at),
        version: count.version,
    }
}

async fn count_view(
    db: &impl ConnectionTrait,
    count: stock_count::Model,
) -> Result<CountView, AppError> {
    let lines = stock_count_line::Entity::find()
        .filter(stock_count_line::Column::CountId.eq(count.id))
        .order_by_asc(stock_count_line::Column::Id)
        .all(db)
        .await?;
    let parts = part::Entity::find()
        .filter(part::Column::Id.is_in(lines.iter().map(|l| l.part_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let location = stock_location::Entity::find_by_id(count.location_id)
        .one(db)
        .await?;
    Ok(CountView {
        sheet: count_summary(count, location.map(|l| l.name).unwrap_or_default()),
        lines: lines
            .into_iter()
            .map(|l| {
                let part = parts.iter().find(|p| p.id == l.part_id);
                CountLineView {
                    id: l.id,
                    part_id: l.part_id,
                    part_number: part.map(|p| p.part_number.clone()).unwrap_or_default(),
                    part_name: part.map(|p| p.name.clone()).unwrap_or_default(),
                    book_quantity: l.book_quantity,
                    counted_quantity: l.counted_quantity,
                    difference: l.counted_quantity.map(|c| c - l.book_quantity),
                }
            })
            .collect(),
    })
}

/// The count sheets, newest first, a page at a time, without their lines.
pub async fn list_counts(
    app: &App,
    actor: &Actor,
    request: PageRequest,
) -> Result<Page<CountSummary>, AppError> {
    actor.require(Permission::PartsRead)?;
    let mut page = crate::page::fetch(
        &app.db,
        stock_count::Entity::find().order_by_desc(stock_count::Column::Id),
        request,
    )
    .await?;
    let locations: HashMap<i64, String> = stock_location::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .map(|location| (location.id, location.name))
        .collect();
    let items = std::mem::take(&mut page.items)
        .into_iter()
        .map(|count| {
            let name = locations.get(&count.location_id).cloned();
            count_summary(count, name.unwrap_or_default())
        })
        .collect();
    Ok(page.with_items(items))
}

pub async fn get_count(app: &App, actor: &Actor, id: i64) -> Result<CountView, AppError> {
    actor.require(Permission::PartsRead)?;
    let count = stock_count::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    count_view(&app.db, count).await
}

/// Draws up a count sheet: every part with a stock level at the location (of the class,
/// for a cycle count), with the book quantity now.
pub async fn create_count(
    app: &App,
    actor: &Actor,
    input: &CountInput,
) -> Result<CountView, AppError> {
    actor.require(Permission::PartsWrite)?;
    if !COUNT_SCOPES.contains(&input.scope.as_str()) {
        return Err(AppError::invalid("scope", "invalid_choice"));
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let location = find_location(&txn, input.location_id, "location_id").await?;
    if !keeps(actor, &location) {
        return Err(AppError::Forbidden);
    }
    let count = draw_up_count(
        &txn,
        Some(actor),
        actor.user_id,
        &location,
        &input.scope,
        now,
    )
    .await?;
    let view = count_view(&txn, count).await?;
    txn.commit().await?;
    Ok(view)
}

/// Inserts a count sheet and its lines in the caller's transaction. `created_by` is the
/// person the sheet is for; `actor` is empty when the count timer drew it up.
async fn draw_up_count(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    created_by: i64,
    location: &stock_location::Model,
    scope: &str,
    now: i64,
) -> Result<stock_count::Model, AppError> {
    let count = stock_count::ActiveModel {
        location_id: Set(location.id),
        scope: Set(scope.to_string()),
        status: Set("open".into()),
        reason: Set(None),
        created_by: Set(created_by),
        created_at: Set(now),
        submitted_at: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let rows = stock_rows(
        db,
        &StockFilter {
            location_id: Some(location.id),
            part_id: None,
            in_stock: None,
        },
    )
    .await?;
    for row in rows
        .into_iter()
        .filter(|r| scope == "full" || r.abc_class == scope)
    {
        stock_count_line::ActiveModel {
            count_id: Set(count.id),
            part_id: Set(row.part_id),
            book_quantity: Set(row.on_hand),
            counted_quantity: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    audit::record(
        db,
        now,
        actor,
        "stock_count",
        count.id,
        "create",
        None::<&()>,
        Some(&count),
    )
    .await?;
    Ok(count)
}

// ---------------------------------------------------------------- the count timer (T21)

/// The timer kind of a location's periodic stock count; subject `stock_location`.
pub const COUNT_DUE_JOB: &str = "stock_count_due";

/// Schedules a location's next count `parts.count_interval_days` after `from_ms`. The
/// dedupe key names the location and the due instant, so a count is scheduled once.
async fn schedule_count(
    db: &impl ConnectionTrait,
    location_id: i64,
    from_ms: i64,
    now_ms: i64,
) -> Result<bool, AppError> {
    let days = crate::settings::get_count(db, "parts.count_interval_days")
        .await?
        .max(1);
    let due = from_ms + days * 86_400_000;
    crate::timers::schedule(
        db,
        COUNT_DUE_JOB,
        "stock_location",
        location_id,
        Some(&format!("{COUNT_DUE_JOB}:{location_id}:{due}")),
        due,
        None,
        now_ms,
    )
    .await
}

/// Makes sure every warehouse location (central and branch; a van is counted with its
/// branch's stock checks by hand) has its next count pending. Called when an instance
/// starts and by every count run; answers how many were scheduled.
pub async fn ensure_count_timers(
    db: &impl ConnectionTrait,
    now_ms: i64,
) -> Result<usize, AppError> {
    use aftersales_store::entity::timer;
    let pending: Vec<i64> = timer::Entity::find()
        .filter(timer::Column::Kind.eq(COUNT_DUE_JOB))
        .filter(timer::Column::Status.eq(crate::timers::PENDING))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.subject_id)
        .collect();
    let locations = stock_location::Entity::find()
        .filter(stock_location::Column::Active.eq(true))
        .filter(stock_location::Column::Kind.ne("van"))
        .order_by_asc(stock_location::Column::Id)
        .all(db)
        .await?;
    let mut scheduled = 0;
    for location in locations.iter().filter(|l| !pending.contains(&l.id)) {
        if schedule_count(db, location.id, now_ms, now_ms).await? {
            scheduled += 1;
        }
    }
    Ok(scheduled)
}

/// T21: draws up a full count sheet (全面盘点) for the location, assigned to its branch's
/// warehouse keeper (or any warehouse keeper for the central warehouse), tells them, and
/// schedules the next count. Decision: a location with no warehouse keeper gets no sheet
/// (nobody could count it) but keeps its schedule, and the administrators are told.
pub struct CountDueJob;

#[async_trait::async_trait]
impl crate::timers::Job for CountDueJob {
    fn name(&self) -> &'static str {
        COUNT_DUE_JOB
    }
    async fn run(&self, fire: &crate::timers::Fire<'_>) -> Result<(), AppError> {
        use crate::notifications::{self, Message};
        let db = fire.txn;
        let Some(location) = stock_location::Entity::find_by_id(fire.timer.subject_id)
            .one(db)
            .await?
            .filter(|l| l.active)
        else {
            return Ok(());
        };
        let unit = (location.kind != "central").then_some(location.org_unit_id);
        let keepers = notifications::users_with_role(db, Role::WarehouseKeeper, unit).await?;
        let message = match keepers.first() {
            Some(keeper) => {
                let count =
                    draw_up_count(db, None, *keeper, &location, "full", fire.now_ms).await?;
                Message {
                    kind: "stock_count_due",
                    link: Some(format!("/stock-counts/{}", count.id)),
                    zh: (
                        format!("盘点任务：{}", location.name),
                        format!("请对 {} 进行全面盘点并录入实盘数量。", location.name),
                    ),
                    en: (
                        format!("Stock count due: {}", location.name),
                        format!(
                            "Count every part at {} and enter the counted quantities.",
                            location.name
                        ),
                    ),
                }
            }
            None => Message {
                kind: "stock_count_no_keeper",
                link: Some("/stock".into()),
                zh: (
                    format!("盘点无人负责：{}", location.name),
                    format!("{} 到期盘点，但没有库管员。", location.name),
                ),
                en: (
                    format!("Stock count without a keeper: {}", location.name),
                    format!(
                        "{} is due for a count but has no warehouse keeper.",
                        location.name
                    ),
                ),
            },
        };
        let recipients = if keepers.is_empty() {
            notifications::users_with_role(db, Role::Admin, None).await?
        } else {
            keepers
        };
        notifications::notify(db, fire.now_ms, &recipients, &message).await?;
        schedule_count(db, location.id, fire.timer.due_at, fire.now_ms).await?;
        ensure_count_timers(db, fire.now_ms).await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CountedLine {
    pub line_id: i64,
    pub counted_quantity: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CountEntryInput {
    pub lines: Vec<CountedLine>,
    /// true: hand the sheet to the supervisor (every line must be counted).
    #[serde(default)]
    pub submit: bool,
    pub version: i32,
}

/// Enters counted quantities on an open sheet and, with `submit`, hands it in.
pub async fn enter_counts(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &CountEntryInput,
) -> Result<CountView, AppError> {
    actor.require(Permission::PartsWrite)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let count = stock_count::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let location = find_location(&txn, count.location_id, "location_id").await?;
    if !keeps(actor, &location) {
        return Err(AppError::NotFound);
    }
    if count.status != "open" {
        return Err(AppError::field_conflict("count_not_open", "status"));
    }
    let lines = stock_count_line::Entity::find()
        .filter(stock_count_line::Column::CountId.eq(id))
        .all(&txn)
        .await?;
    for entry in &input.lines {
        let line = lines
            .iter()
            .find(|l| l.id == entry.line_id)
            .ok_or_else(|| AppError::invalid("lines", "not_found"))?;
        if !(0..=rules::MAX_QUANTITY).contains(&entry.counted_quantity) {
            return Err(AppError::invalid("counted_quantity", "out_of_range"));
        }
        let mut active: stock_count_line::ActiveModel = line.clone().into();
        active.counted_quantity = Set(Some(entry.counted_quantity));
        active.update(&txn).await?;
    }
    let mut active: stock_count::ActiveModel = count.clone().into();
    if input.submit {
        let uncounted = stock_count_line::Entity::find()
            .filter(stock_count_line::Column::CountId.eq(id))
            .filter(stock_count_line::Column::CountedQuantity.is_null())
            .all(&txn)
            .await?;
        if !uncounted.is_empty() {
            return Err(AppError::invalid("counted_quantity", "required"));
        }
        active.status = Set("submitted".into());
        active.submitted_at = Set(Some(now));
    }
    active.version = Set(input.version + 1);
    let after = versioned_update(&txn, active, stock_count::Column::Version, input.version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "stock_count",
        id,
        if input.submit { "submit" } else { "enter" },
        Some(&count),
        Some(&after),
    )
    .await?;
    let view = count_view(&txn, after).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CountDecisionInput {
    pub approve: bool,
    /// Why the stock differs (required to approve a count with differences, and to reject).
    pub reason: Option<String>,
    pub version: i32,
}

/// The supervisor approves a submitted count, posting each difference as a count
/// adjustment, or sends it back. Decision: the adjustment is the count less the stock on
/// hand at approval, so after approval the book equals what was counted.
pub async fn decide_count(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &CountDecisionInput,
) -> Result<CountView, AppError> {
    actor.require(Permission::PartsApprove)?;
    let reason = optional_reason(input.reason.as_deref())?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let count = stock_count::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let location = find_location(&txn, count.location_id, "location_id").await?;
    if location.kind != "central" && !actor.sees(location.org_unit_id, None) {
        return Err(AppError::NotFound);
    }
    if count.status != "submitted" {
        return Err(AppError::field_conflict("count_not_submitted", "status"));
    }
    let lines = stock_count_line::Entity::find()
        .filter(stock_count_line::Column::CountId.eq(id))
        .all(&txn)
        .await?;
    if input.approve {
        let mut adjustments = Vec::new();
        for line in &lines {
            let on_hand = stock_level::Entity::find()
                .filter(stock_level::Column::PartId.eq(line.part_id))
                .filter(stock_level::Column::LocationId.eq(location.id))
                .one(&txn)
                .await?
                .map_or(0, |l| l.on_hand);
            let difference = line.counted_quantity.unwrap_or(on_hand) - on_hand;
            if difference != 0 {
                adjustments.push((line.part_id, difference));
            }
        }
        if !adjustments.is_empty() && reason.is_none() {
            return Err(AppError::invalid("reason", "required"));
        }
        for (part_id, difference) in adjustments {
            let part = find_part(&txn, part_id).await?;
            post(
                &txn,
                actor,
                now,
                Posting {
                    part: &part,
                    location_id: location.id,
                    kind: MovementKind::CountAdjustment,
                    quantity: difference,
                    other_location_id: None,
                    order_id: None,
                    count_id: Some(count.id),
                    reason: reason.clone(),
                },
            )
            .await?;
        }
    } else if reason.is_none() {
        return Err(AppError::invalid("reason", "required"));
    }
    let mut active: stock_count::ActiveModel = count.clone().into();
    active.status = Set(if input.approve { "approved" } else { "open" }.into());
    active.reason = Set(reason);
    active.decided_by = Set(Some(actor.user_id));
    active.decided_at = Set(Some(now));
    active.version = Set(input.version + 1);
    let after = versioned_update(&txn, active, stock_count::Column::Version, input.version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "stock_count",
        id,
        if input.approve {
            "approve"
        } else {
            "send_back"
        },
        Some(&count),
        Some(&after),
    )
    .await?;
    let view = count_view(&txn, after).await?;
    txn.commit().await?;
    Ok(view)
}
