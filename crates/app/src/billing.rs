//! Billing, BILLING-1: the price schedule (维修项目与收费标准表) of repair items, labour,
//! travel fees and parts. Everyone who reads orders reads it (technicians show it to the
//! customer before paid work, REPAIR-2); the product managers (`ProductWrite`) change it.
//! Items are deactivated rather than deleted.

use aftersales_domain::role::Permission;
use aftersales_domain::validation::{required_text, ValidationErrors};
use aftersales_store::entity::price_item;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::org::versioned_update;
use crate::{audit, Actor, App, AppError};

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
