//! Tools and test equipment (检测、维修设备工具, TOOLS-1..3).
//!
//! Whoever keeps tools (`ToolsKeep`: the warehouse keeper, the supervisor) registers a tool (a fixed asset when its value reaches
//! `tools.fixed_asset_threshold` yuan) and issues it to a person, who holds it personally
//! and accepts the no-private-use rule; acceptance is recorded with the issue or hand-over
//! (decision: the keeper ticks it when the holder signs the custody card in person). A tool
//! is returned, handed over from one holder to another, or ends as lost, damaged or worn
//! out; every step is a `tool_events` row. A loss or damage makes the holder owe
//! compensation (normal wear excepted): a `tool_compensations` row; wear-out or damage of a
//! tool valued at `tools.valuable_threshold` yuan or more needs a written cause report.
//! Decision: a loss also opens a staff incident of kind `tool_loss` for the holder, so the
//! branch manager decides the sanction through the usual incident flow.
//!
//! A person holding tools cannot be deactivated or moved to another unit
//! ([`ensure_handed_over`], called by `staff::update`): 409 `holds_tools`.
//!
//! Tool purchases: the service department (`PartsPlan`: supervisor, warehouse keeper)
//! enquires prices and files the quotes → finance (the accountant) checks the price → the supervisor
//! approves → the warehouse keeper buys it and registers the tool in one step.

use aftersales_domain::role::{Permission, Scope};
use aftersales_domain::tools::{
    self as rules, PurchaseEvent, PurchaseStatus, ToolEvent, ToolStatus,
};
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{
    tool, tool_compensation, tool_event, tool_purchase_quote, tool_purchase_request, user,
};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
    Set,
};
use serde::{Deserialize, Serialize};

use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::{audit, settings, Actor, App, AppError};

const MAX_VALUE_FEN: i64 = 100_000_000;

/// A setting in yuan, in fen.
async fn threshold_fen(db: &impl ConnectionTrait, key: &'static str) -> Result<i64, AppError> {
    Ok(settings::get_count(db, key).await? * 100)
}

fn keeps_tools(actor: &Actor) -> bool {
    actor.can(Permission::ToolsKeep)
}

/// Limits a query to the units the actor sees (tools belong to units, never to customers).
fn in_scope<Q: QueryFilter>(
    actor: &Actor,
    query: Q,
    unit: impl ColumnTrait,
) -> Result<Q, AppError> {
    match actor.scope() {
        Scope::AllBranches => Ok(query),
        Scope::Branch(own) => Ok(query.filter(unit.eq(own))),
        Scope::Customer(_) | Scope::Nothing => Err(AppError::Forbidden),
    }
}

fn conflict(code: &'static str, field: &'static str, detail: String) -> AppError {
    AppError::Conflict {
        code,
        field: Some(field),
        detail: Some(detail),
    }
}

// ---------------------------------------------------------------- the register

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ToolInput {
    /// Unique, e.g. `GJ-BJ-001`.
    pub asset_no: String,
    pub name: String,
    pub value_fen: i64,
    /// The unit that owns it; empty: the actor's.
    pub org_unit_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ToolEventView {
    pub event: String,
    pub from_holder: Option<String>,
    pub to_holder: Option<String>,
    pub note: Option<String>,
    pub cause_report: Option<String>,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompensationView {
    pub id: i64,
    pub tool_id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub amount_fen: i64,
    pub reason: String,
    pub incident_id: Option<i64>,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ToolView {
    pub id: i64,
    pub asset_no: String,
    pub name: String,
    pub value_fen: i64,
    pub fixed_asset: bool,
    pub org_unit_id: i64,
    /// in_stock, issued, lost, damaged or worn_out.
    pub status: String,
    pub holder_id: Option<i64>,
    pub holder_name: Option<String>,
    /// When the holder accepted the no-private-use rule.
    pub rule_accepted_at: Option<String>,
    pub version: i32,
    pub history: Vec<ToolEventView>,
    pub compensations: Vec<CompensationView>,
}

async fn names(db: &impl ConnectionTrait, ids: Vec<i64>) -> Result<Vec<user::Model>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

fn name_of(people: &[user::Model], id: Option<i64>) -> Option<String> {
    id.and_then(|id| people.iter().find(|p| p.id == id))
        .map(|p| p.display_name.clone())
}

async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<tool::Model>,
) -> Result<Vec<ToolView>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let events = tool_event::Entity::find()
        .filter(tool_event::Column::ToolId.is_in(ids.clone()))
        .order_by_asc(tool_event::Column::Id)
        .all(db)
        .await?;
    let compensations = tool_compensation::Entity::find()
        .filter(tool_compensation::Column::ToolId.is_in(ids))
        .order_by_asc(tool_compensation::Column::Id)
        .all(db)
        .await?;
    let mut people_ids: Vec<i64> = rows.iter().filter_map(|r| r.holder_id).collect();
    for e in &events {
        people_ids.push(e.created_by);
        people_ids.extend(e.from_holder_id);
        people_ids.extend(e.to_holder_id);
    }
    people_ids.extend(compensations.iter().map(|c| c.staff_id));
    let people = names(db, people_ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| ToolView {
            history: events
                .iter()
                .filter(|e| e.tool_id == r.id)
                .map(|e| ToolEventView {
                    event: e.event.clone(),
                    from_holder: name_of(&people, e.from_holder_id),
                    to_holder: name_of(&people, e.to_holder_id),
                    note: e.note.clone(),
                    cause_report: e.cause_report.clone(),
                    by: name_of(&people, Some(e.created_by)).unwrap_or_default(),
                    at: crate::format_ms(e.created_at),
                })
                .collect(),
            compensations: compensations
                .iter()
                .filter(|c| c.tool_id == r.id)
                .map(|c| CompensationView {
                    id: c.id,
                    tool_id: c.tool_id,
                    staff_id: c.staff_id,
                    staff_name: name_of(&people, Some(c.staff_id)).unwrap_or_default(),
                    amount_fen: c.amount_fen,
                    reason: c.reason.clone(),
                    incident_id: c.incident_id,
                    at: crate::format_ms(c.created_at),
                })
                .collect(),
            holder_name: name_of(&people, r.holder_id),
            rule_accepted_at: r.rule_accepted_at.map(crate::format_ms),
            id: r.id,
            asset_no: r.asset_no,
            name: r.name,
            value_fen: r.value_fen,
            fixed_asset: r.fixed_asset,
            org_unit_id: r.org_unit_id,
            status: r.status,
            holder_id: r.holder_id,
            version: r.version,
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ToolFilter {
    pub holder_id: Option<i64>,
    /// in_stock, issued, lost, damaged or worn_out.
    pub status: Option<String>,
}

/// The tools the actor sees: the keeper and the supervisor see their branch's (all, for a
/// headquarters role); anyone else with parts access sees the tools they hold.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ToolFilter,
) -> Result<Vec<ToolView>, AppError> {
    actor.require(Permission::PartsRead)?;
    let mut query = tool::Entity::find().order_by_asc(tool::Column::AssetNo);
    if keeps_tools(actor) {
        query = in_scope(actor, query, tool::Column::OrgUnitId)?;
    } else {
        query = query.filter(tool::Column::HolderId.eq(actor.user_id));
    }
    if let Some(holder) = filter.holder_id {
        query = query.filter(tool::Column::HolderId.eq(holder));
    }
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(tool::Column::Status.eq(status));
    }
    let rows = query.all(&app.db).await?;
    views(&app.db, rows).await
}

async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<tool::Model, AppError> {
    let row = tool::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let visible = if keeps_tools(actor) {
        actor.sees(row.org_unit_id, None)
    } else {
        row.holder_id == Some(actor.user_id)
    };
    if visible {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ToolView, AppError> {
    actor.require(Permission::PartsRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    Ok(views(&app.db, vec![row]).await?.remove(0))
}

struct NewTool {
    asset_no: String,
    name: String,
    value_fen: i64,
    org_unit_id: i64,
    purchase_request_id: Option<i64>,
}

fn validate_tool(input: &ToolInput, org_unit_id: i64) -> Result<NewTool, AppError> {
    let mut errors = ValidationErrors::new();
    let asset_no = errors.check("asset_no", required_text(&input.asset_no, 40));
    let name = errors.check("name", required_text(&input.name, 100));
    if !(0..=MAX_VALUE_FEN).contains(&input.value_fen) {
        errors.add("value_fen", "out_of_range");
    }
    match (asset_no, name) {
        (Some(asset_no), Some(name)) if errors.is_empty() => Ok(NewTool {
            asset_no,
            name,
            value_fen: input.value_fen,
            org_unit_id,
            purchase_request_id: None,
        }),
        _ => Err(errors.into()),
    }
}

/// Inserts a tool and its `register` event in the caller's transaction.
async fn insert_tool(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: i64,
    new: NewTool,
) -> Result<tool::Model, AppError> {
    if tool::Entity::find()
        .filter(tool::Column::AssetNo.eq(&new.asset_no))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::field_conflict("duplicate_asset_no", "asset_no"));
    }
    let fixed_threshold = threshold_fen(db, "tools.fixed_asset_threshold").await?;
    let row = tool::ActiveModel {
        asset_no: Set(new.asset_no),
        name: Set(new.name),
        value_fen: Set(new.value_fen),
        fixed_asset: Set(rules::is_fixed_asset(new.value_fen, fixed_threshold)),
        org_unit_id: Set(new.org_unit_id),
        status: Set(ToolStatus::InStock.as_str().into()),
        holder_id: Set(None),
        rule_accepted_at: Set(None),
        purchase_request_id: Set(new.purchase_request_id),
        version: Set(1),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    insert_event(
        db,
        actor,
        now,
        &row,
        ToolEvent::Register,
        None,
        None,
        None,
        None,
    )
    .await?;
    audit::record(
        db,
        now,
        Some(actor),
        "tool",
        row.id,
        "register",
        None::<&()>,
        Some(&row),
    )
    .await?;
    Ok(row)
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: i64,
    row: &tool::Model,
    event: ToolEvent,
    from_holder_id: Option<i64>,
    to_holder_id: Option<i64>,
    note: Option<String>,
    cause_report: Option<String>,
) -> Result<tool_event::Model, AppError> {
    Ok(tool_event::ActiveModel {
        tool_id: Set(row.id),
        event: Set(event.as_str().into()),
        from_holder_id: Set(from_holder_id),
        to_holder_id: Set(to_holder_id),
        note: Set(note),
        cause_report: Set(cause_report),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Registers a tool (the warehouse keeper).
pub async fn register(app: &App, actor: &Actor, input: &ToolInput) -> Result<ToolView, AppError> {
    actor.require(Permission::ToolsKeep)?;
    let org_unit_id = input
        .org_unit_id
        .or(actor.org_unit_id)
        .ok_or_else(|| AppError::invalid("org_unit_id", "required"))?;
    if !actor.sees(org_unit_id, None) {
        return Err(AppError::invalid("org_unit_id", "outside_scope"));
    }
    let new = validate_tool(input, org_unit_id)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = insert_tool(&txn, actor, now, new).await?;
    let view = views(&txn, vec![row]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ToolStepInput {
    /// The new holder (issue, hand_over).
    pub holder_id: Option<i64>,
    /// The new holder accepts the no-private-use rule (issue, hand_over: required).
    #[serde(default)]
    pub rule_accepted: bool,
    pub note: Option<String>,
    /// The written cause report (wear_out or damage of a valuable tool: required).
    pub cause_report: Option<String>,
    /// The compensation owed for a loss or damage (fen); empty: the tool's value.
    pub compensation_fen: Option<i64>,
    pub version: i32,
}

/// The new holder: an active staff member of the tool's unit.
async fn new_holder(
    db: &impl ConnectionTrait,
    row: &tool::Model,
    input: &ToolStepInput,
) -> Result<user::Model, AppError> {
    let holder_id = input
        .holder_id
        .ok_or_else(|| AppError::invalid("holder_id", "required"))?;
    let holder = user::Entity::find_by_id(holder_id)
        .one(db)
        .await?
        .filter(|u| u.active && u.org_unit_id == Some(row.org_unit_id))
        .ok_or_else(|| AppError::invalid("holder_id", "not_found"))?;
    if row.holder_id == Some(holder.id) {
        return Err(AppError::invalid("holder_id", "same_holder"));
    }
    if !input.rule_accepted {
        return Err(AppError::invalid("rule_accepted", "required"));
    }
    Ok(holder)
}

/// One step of a tool's custody: issue, return, hand_over, loss, damage or wear_out.
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    event: ToolEvent,
    input: &ToolStepInput,
) -> Result<ToolView, AppError> {
    actor.require(Permission::ToolsKeep)?;
    if event == ToolEvent::Register {
        return Err(AppError::NotFound);
    }
    let note = optional_text(input.note.as_deref(), 500)
        .map_err(|code| AppError::invalid("note", code))?;
    let cause_report = optional_text(input.cause_report.as_deref(), 4000)
        .map_err(|code| AppError::invalid("cause_report", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_visible(&txn, actor, id).await?;
    let from = ToolStatus::parse(&row.status).unwrap_or(ToolStatus::Lost);
    let to = rules::next(from, event).ok_or_else(|| {
        conflict(
            "invalid_transition",
            "status",
            format!("{event} is not possible when {from}"),
        )
    })?;
    let mut active: tool::ActiveModel = row.clone().into();
    active.status = Set(to.as_str().into());
    let mut to_holder = None;
    match event {
        ToolEvent::Issue | ToolEvent::HandOver => {
            let holder = new_holder(&txn, &row, input).await?;
            to_holder = Some(holder.id);
            active.holder_id = Set(Some(holder.id));
            active.rule_accepted_at = Set(Some(now));
        }
        ToolEvent::Return => {
            active.holder_id = Set(None);
            active.rule_accepted_at = Set(None);
        }
        _ => {
            let valuable = threshold_fen(&txn, "tools.valuable_threshold").await?;
            if rules::needs_cause_report(event, row.value_fen, valuable) && cause_report.is_none() {
                return Err(AppError::invalid("cause_report", "required"));
            }
            active.holder_id = Set(None);
        }
    }
    active.version = Set(input.version + 1);
    let after = versioned_update(&txn, active, tool::Column::Version, input.version).await?;
    let recorded = insert_event(
        &txn,
        actor,
        now,
        &after,
        event,
        row.holder_id,
        to_holder,
        note.clone(),
        cause_report,
    )
    .await?;
    if let (true, Some(holder)) = (
        rules::owes_compensation(event, row.holder_id.is_some()),
        row.holder_id,
    ) {
        let amount = input.compensation_fen.unwrap_or(row.value_fen);
        if !(0..=row.value_fen.max(0)).contains(&amount) {
            return Err(AppError::invalid("compensation_fen", "out_of_range"));
        }
        let incident_id = if event == ToolEvent::Loss {
            Some(
                crate::staff_conduct::open_incident(
                    &txn,
                    &crate::staff_conduct::NewIncident {
                        staff_id: holder,
                        kind: "tool_loss".into(),
                        description: Some(format!(
                            "{} {}{}",
                            row.asset_no,
                            row.name,
                            note.as_deref()
                                .map(|n| format!("：{n}"))
                                .unwrap_or_default()
                        )),
                        ..Default::default()
                    },
                    "tool",
                    Some(actor),
                    now,
                )
                .await?,
            )
        } else {
            None
        };
        let compensation = tool_compensation::ActiveModel {
            tool_id: Set(row.id),
            event_id: Set(recorded.id),
            staff_id: Set(holder),
            amount_fen: Set(amount),
            reason: Set(event.as_str().into()),
            incident_id: Set(incident_id),
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
            "tool_compensation",
            compensation.id,
            "create",
            None::<&()>,
            Some(&compensation),
        )
        .await?;
    }
    audit::record(
        &txn,
        now,
        Some(actor),
        "tool",
        id,
        event.as_str(),
        Some(&row),
        Some(&after),
    )
    .await?;
    let view = views(&txn, vec![after]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

/// Refuses to let a person go (deactivation, transfer to another unit) while they hold
/// tools: 409 `holds_tools`, naming the asset numbers. Runs in the caller's transaction.
pub async fn ensure_handed_over(db: &impl ConnectionTrait, user_id: i64) -> Result<(), AppError> {
    let held = tool::Entity::find()
        .filter(tool::Column::HolderId.eq(user_id))
        .order_by_asc(tool::Column::AssetNo)
        .all(db)
        .await?;
    if held.is_empty() {
        return Ok(());
    }
    let assets: Vec<&str> = held.iter().map(|t| t.asset_no.as_str()).collect();
    Err(AppError::Conflict {
        code: "holds_tools",
        // No field: the staff form shows it at the top (it concerns the active flag and
        // the unit alike).
        field: None,
        detail: Some(format!("still holds {}", assets.join(", "))),
    })
}

// ---------------------------------------------------------------- tool purchases

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct QuoteInput {
    pub supplier: String,
    pub price_fen: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ToolPurchaseInput {
    pub name: String,
    /// Why the tool is needed.
    pub purpose: String,
    /// The price enquiry: at least one quote.
    pub quotes: Vec<QuoteInput>,
    /// The index of the quote to buy from (default: the cheapest).
    pub chosen: Option<usize>,
    /// The unit that will own it; empty: the actor's.
    pub org_unit_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuoteView {
    pub supplier: String,
    pub price_fen: i64,
    pub chosen: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ToolPurchaseView {
    pub id: i64,
    /// `GJ-` and the id.
    pub number: String,
    pub name: String,
    pub purpose: String,
    pub org_unit_id: i64,
    /// enquiry, price_checked, approved, rejected or purchased.
    pub status: String,
    pub quotes: Vec<QuoteView>,
    /// The chosen quote's price.
    pub price_fen: i64,
    pub price_check_note: Option<String>,
    pub decision_reason: Option<String>,
    pub requested_by: String,
    pub requested_at: String,
    pub tool_id: Option<i64>,
    pub version: i32,
}

async fn purchase_views(
    db: &impl ConnectionTrait,
    rows: Vec<tool_purchase_request::Model>,
) -> Result<Vec<ToolPurchaseView>, AppError> {
    let quotes = tool_purchase_quote::Entity::find()
        .filter(
            tool_purchase_quote::Column::RequestId
                .is_in(rows.iter().map(|r| r.id).collect::<Vec<_>>()),
        )
        .order_by_asc(tool_purchase_quote::Column::Id)
        .all(db)
        .await?;
    let people = names(db, rows.iter().map(|r| r.requested_by).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let own: Vec<QuoteView> = quotes
                .iter()
                .filter(|q| q.request_id == r.id)
                .map(|q| QuoteView {
                    supplier: q.supplier.clone(),
                    price_fen: q.price_fen,
                    chosen: q.chosen,
                })
                .collect();
            ToolPurchaseView {
                number: format!("GJ-{}", r.id),
                price_fen: own.iter().find(|q| q.chosen).map_or(0, |q| q.price_fen),
                quotes: own,
                requested_by: name_of(&people, Some(r.requested_by)).unwrap_or_default(),
                requested_at: crate::format_ms(r.requested_at),
                id: r.id,
                name: r.name,
                purpose: r.purpose,
                org_unit_id: r.org_unit_id,
                status: r.status,
                price_check_note: r.price_check_note,
                decision_reason: r.decision_reason,
                tool_id: r.tool_id,
                version: r.version,
            }
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ToolPurchaseFilter {
    /// true: only requests not yet purchased or rejected.
    pub open: Option<bool>,
}

/// Tool purchase requests of the units in scope, newest first, a page at a time (everyone
/// with parts access: the service department, finance and the warehouse keeper each take a
/// step).
pub async fn list_purchases(
    app: &App,
    actor: &Actor,
    filter: &ToolPurchaseFilter,
    request: PageRequest,
) -> Result<Page<ToolPurchaseView>, AppError> {
    let query = purchases_query(actor, filter)?;
    crate::page::fetch_with(&app.db, query, request, |rows| {
        purchase_views(&app.db, rows)
    })
    .await
}

/// Every open tool purchase of the units the actor sees, newest first: the open-purchases
/// report. A purchase stays open only until the tool is bought, so these are few.
pub async fn open_purchases(app: &App, actor: &Actor) -> Result<Vec<ToolPurchaseView>, AppError> {
    let rows = purchases_query(actor, &ToolPurchaseFilter { open: Some(true) })?
        .all(&app.db)
        .await?;
    purchase_views(&app.db, rows).await
}

fn purchases_query(
    actor: &Actor,
    filter: &ToolPurchaseFilter,
) -> Result<Select<tool_purchase_request::Entity>, AppError> {
    actor.require(Permission::PartsRead)?;
    let mut query = in_scope(
        actor,
        tool_purchase_request::Entity::find().order_by_desc(tool_purchase_request::Column::Id),
        tool_purchase_request::Column::OrgUnitId,
    )?;
    if filter.open == Some(true) {
        query = query.filter(tool_purchase_request::Column::Status.is_in([
            PurchaseStatus::Enquiry.as_str(),
            PurchaseStatus::PriceChecked.as_str(),
            PurchaseStatus::Approved.as_str(),
        ]));
    }
    Ok(query)
}

/// The service department files a price enquiry with its quotes.
pub async fn create_purchase(
    app: &App,
    actor: &Actor,
    input: &ToolPurchaseInput,
) -> Result<ToolPurchaseView, AppError> {
    actor.require(Permission::PartsPlan)?;
    let org_unit_id = input
        .org_unit_id
        .or(actor.org_unit_id)
        .ok_or_else(|| AppError::invalid("org_unit_id", "required"))?;
    if !actor.sees(org_unit_id, None) {
        return Err(AppError::invalid("org_unit_id", "outside_scope"));
    }
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", required_text(&input.name, 100));
    let purpose = errors.check("purpose", required_text(&input.purpose, 500));
    let mut quotes = Vec::new();
    for quote in &input.quotes {
        match required_text(&quote.supplier, 100) {
            Ok(supplier) if (0..=MAX_VALUE_FEN).contains(&quote.price_fen) => {
                quotes.push((supplier, quote.price_fen))
            }
            Ok(_) => errors.add("quotes", "out_of_range"),
            Err(code) => errors.add("quotes", code),
        }
    }
    if input.quotes.is_empty() {
        errors.add("quotes", "required");
    }
    let chosen = match input.chosen {
        Some(index) if index < quotes.len() => Some(index),
        Some(_) => {
            errors.add("chosen", "out_of_range");
            None
        }
        None => (0..quotes.len()).min_by_key(|i| quotes[*i].1),
    };
    let (Some(name), Some(purpose), Some(chosen)) = (name, purpose, chosen) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = tool_purchase_request::ActiveModel {
        name: Set(name),
        purpose: Set(purpose),
        org_unit_id: Set(org_unit_id),
        status: Set(PurchaseStatus::Enquiry.as_str().into()),
        requested_by: Set(actor.user_id),
        requested_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (index, (supplier, price_fen)) in quotes.into_iter().enumerate() {
        tool_purchase_quote::ActiveModel {
            request_id: Set(row.id),
            supplier: Set(supplier),
            price_fen: Set(price_fen),
            chosen: Set(index == chosen),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        now,
        Some(actor),
        "tool_purchase_request",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = purchase_views(&txn, vec![row]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ToolPurchaseStepInput {
    /// The price check's note, or why the request is rejected (reject: required).
    pub note: Option<String>,
    /// purchase: the new tool's asset number.
    pub asset_no: Option<String>,
    pub version: i32,
}

/// One step of the purchase flow: price_check (finance), approve (the supervisor), reject
/// (whoever's turn it is), purchase (the warehouse keeper, registering the tool).
pub async fn purchase_step(
    app: &App,
    actor: &Actor,
    id: i64,
    event: PurchaseEvent,
    input: &ToolPurchaseStepInput,
) -> Result<ToolPurchaseView, AppError> {
    // Whose turn it is: finance checks (and may refuse) the price, the supervisor approves
    // (and may refuse) it, the warehouse keeper buys.
    match event {
        PurchaseEvent::PriceCheck => actor.require(Permission::BillingSettle)?,
        PurchaseEvent::Approve => actor.require(Permission::PartsApprove)?,
        PurchaseEvent::Purchase => actor.require(Permission::PartsWrite)?,
        PurchaseEvent::Reject => {
            if !actor.can(Permission::BillingSettle) && !actor.can(Permission::PartsApprove) {
                return Err(AppError::Forbidden);
            }
        }
    }
    let note = optional_text(input.note.as_deref(), 500)
        .map_err(|code| AppError::invalid("note", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = tool_purchase_request::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|r| actor.sees(r.org_unit_id, None))
        .ok_or(AppError::NotFound)?;
    let from = PurchaseStatus::parse(&row.status).unwrap_or(PurchaseStatus::Rejected);
    if event == PurchaseEvent::Reject {
        actor.require(if from == PurchaseStatus::Enquiry {
            Permission::BillingSettle
        } else {
            Permission::PartsApprove
        })?;
    }
    let to = rules::purchase_next(from, event).ok_or_else(|| {
        conflict(
            "invalid_transition",
            "status",
            format!("{event} is not possible when {from}"),
        )
    })?;
    let mut active: tool_purchase_request::ActiveModel = row.clone().into();
    active.status = Set(to.as_str().into());
    match event {
        PurchaseEvent::PriceCheck => {
            active.price_check_note = Set(note);
            active.price_checked_by = Set(Some(actor.user_id));
            active.price_checked_at = Set(Some(now));
        }
        PurchaseEvent::Approve => {
            active.approved_by = Set(Some(actor.user_id));
            active.approved_at = Set(Some(now));
        }
        PurchaseEvent::Reject => {
            active.decision_reason = Set(Some(
                note.ok_or_else(|| AppError::invalid("note", "required"))?,
            ));
        }
        PurchaseEvent::Purchase => {
            let price = tool_purchase_quote::Entity::find()
                .filter(tool_purchase_quote::Column::RequestId.eq(row.id))
                .filter(tool_purchase_quote::Column::Chosen.eq(true))
                .one(&txn)
                .await?
                .map_or(0, |q| q.price_fen);
            let input = ToolInput {
                asset_no: input.asset_no.clone().unwrap_or_default(),
                name: row.name.clone(),
                value_fen: price,
                org_unit_id: Some(row.org_unit_id),
            };
            let mut new = validate_tool(&input, row.org_unit_id)?;
            new.purchase_request_id = Some(row.id);
            let registered = insert_tool(&txn, actor, now, new).await?;
            active.tool_id = Set(Some(registered.id));
            active.purchased_by = Set(Some(actor.user_id));
            active.purchased_at = Set(Some(now));
        }
    }
    active.version = Set(input.version + 1);
    let after = versioned_update(
        &txn,
        active,
        tool_purchase_request::Column::Version,
        input.version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "tool_purchase_request",
        id,
        event.as_str(),
        Some(&row),
        Some(&after),
    )
    .await?;
    let view = purchase_views(&txn, vec![after]).await?.remove(0);
    txn.commit().await?;
    Ok(view)
}

/// The people a tool can be issued or handed over to: active staff of the units in the
/// actor's scope, by name (for the issue form; the keeper need not read the staff list).
pub async fn holders(app: &App, actor: &Actor) -> Result<Vec<(i64, String)>, AppError> {
    actor.require(Permission::ToolsKeep)?;
    let people = in_scope(
        actor,
        user::Entity::find()
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::OrgUnitId.is_not_null())
            .order_by_asc(user::Column::Username),
        user::Column::OrgUnitId,
    )?
    .all(&app.db)
    .await?;
    Ok(people
        .into_iter()
        .map(|p| (p.id, format!("{} ({})", p.display_name, p.username)))
        .collect())
}
