//! Compensation claims (索赔, CLAIM-1..3, timer T25). Every claim is recorded, whatever the
//! amount: claimant, order/product, amount, facts, evidence (attachments on the claim) and
//! the date it became known. Each configured claim type carries its standard steps, which
//! the claim works through in order. The countermeasure is due `claim.countermeasure_days`
//! after the claim became known; a timer escalates to the sales manager when it is not set
//! by then. The sales manager — the branch manager (`ClaimReview`) — reviews every file, and
//! closing requires that review. A claim caused by a supplier part opens a task for
//! purchasing, whose outcome is logged. The prevention report groups claims by cause.

use std::collections::BTreeMap;

use aftersales_domain::claim::{self as rules, ClaimCause, ClaimStatus, CloseFacts};
use aftersales_domain::org::DepartmentKind;
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{claim, claim_type, org_unit, user};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::timers::{self, Fire, Job};
use crate::{audit, format_ms, numbering, settings, Actor, App, AppError};

/// T25: the countermeasure is due.
pub const COUNTERMEASURE_JOB: &str = "claim_countermeasure_due";

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ClaimTypeInput {
    pub code: String,
    pub name: String,
    /// The standard steps, one per line.
    pub steps: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClaimTypeView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub steps: Vec<String>,
}

fn type_view(row: claim_type::Model) -> ClaimTypeView {
    ClaimTypeView {
        id: row.id,
        code: row.code,
        name: row.name,
        steps: rules::parse_steps(&row.steps).unwrap_or_default(),
    }
}

pub async fn types(app: &App, actor: &Actor) -> Result<Vec<ClaimTypeView>, AppError> {
    actor.require(Permission::ClaimRead)?;
    Ok(claim_type::Entity::find()
        .filter(claim_type::Column::Active.eq(true))
        .order_by_asc(claim_type::Column::Code)
        .all(&app.db)
        .await?
        .into_iter()
        .map(type_view)
        .collect())
}

/// Configures a claim type with its standard steps (CLAIM-2).
pub async fn create_type(
    app: &App,
    actor: &Actor,
    input: &ClaimTypeInput,
) -> Result<ClaimTypeView, AppError> {
    actor.require(Permission::ClaimWrite)?;
    let mut errors = ValidationErrors::new();
    let code = errors.check("code", required_text(&input.code, 30));
    let name = errors.check("name", required_text(&input.name, 100));
    let steps = errors.check("steps", rules::parse_steps(&input.steps));
    let (Some(code), Some(name), Some(steps)) = (code, name, steps) else {
        return Err(errors.into());
    };
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = claim_type::ActiveModel {
        code: Set(code),
        name: Set(name),
        steps: Set(steps.join("\n")),
        active: Set(true),
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
        "claim_type",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(type_view(row))
}

/// A claim as recorded (CLAIM-1).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ClaimInput {
    pub claim_type_id: i64,
    pub claimant: String,
    pub customer_id: Option<i64>,
    pub order_number: Option<String>,
    pub product: Option<String>,
    /// The amount claimed (fen), 0 or more: every claim is recorded, whatever the amount.
    pub amount_fen: i64,
    pub facts: String,
    /// The day the claim became known (YYYY-MM-DD), not in the future.
    pub learned_on: String,
    /// The branch; empty: the registrant's.
    pub org_unit_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClaimView {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub claim_type: String,
    pub claimant: String,
    pub customer_id: Option<i64>,
    pub order_number: Option<String>,
    pub product: Option<String>,
    pub amount_fen: i64,
    pub facts: String,
    pub learned_on: String,
    pub countermeasure_due: String,
    /// The countermeasure is not set and its due date has passed.
    pub countermeasure_overdue: bool,
    /// The type's standard steps and how many are done, in order.
    pub steps: Vec<String>,
    pub steps_done: i32,
    pub cause: Option<String>,
    pub countermeasure: Option<String>,
    pub countermeasure_at: Option<String>,
    pub prevention: Option<String>,
    pub purchasing_task_at: Option<String>,
    pub purchasing_outcome: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: Option<String>,
    pub closed_at: Option<String>,
    pub registered_by: String,
    pub created_at: String,
    pub version: i32,
}

async fn name_of(db: &impl ConnectionTrait, id: Option<i64>) -> Result<Option<String>, AppError> {
    Ok(match id {
        Some(id) => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.display_name),
        None => None,
    })
}

async fn view(
    db: &impl ConnectionTrait,
    row: claim::Model,
    today: Date,
) -> Result<ClaimView, AppError> {
    let kind = claim_type::Entity::find_by_id(row.claim_type_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let overdue = row.countermeasure.is_none()
        && row
            .countermeasure_due
            .parse::<Date>()
            .is_ok_and(|due| due < today);
    Ok(ClaimView {
        id: row.id,
        number: row.number,
        status: row.status,
        claim_type: kind.name,
        claimant: row.claimant,
        customer_id: row.customer_id,
        order_number: row.order_number,
        product: row.product,
        amount_fen: row.amount_fen,
        facts: row.facts,
        learned_on: row.learned_on,
        countermeasure_due: row.countermeasure_due,
        countermeasure_overdue: overdue,
        steps: rules::parse_steps(&kind.steps).unwrap_or_default(),
        steps_done: row.steps_done,
        cause: row.cause,
        countermeasure: row.countermeasure,
        countermeasure_at: row.countermeasure_at.map(format_ms),
        prevention: row.prevention,
        purchasing_task_at: row.purchasing_task_at.map(format_ms),
        purchasing_outcome: row.purchasing_outcome,
        reviewed_by: name_of(db, row.reviewed_by).await?,
        reviewed_at: row.reviewed_at.map(format_ms),
        review_note: row.review_note,
        closed_at: row.closed_at.map(format_ms),
        registered_by: name_of(db, Some(row.registered_by))
            .await?
            .unwrap_or_default(),
        created_at: format_ms(row.created_at),
        version: row.version,
    })
}

async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<claim::Model, AppError> {
    let row = claim::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, row.customer_id)?;
    Ok(row)
}

pub async fn register(app: &App, actor: &Actor, input: &ClaimInput) -> Result<ClaimView, AppError> {
    actor.require(Permission::ClaimWrite)?;
    let today = app.today();
    let mut errors = ValidationErrors::new();
    let claimant = errors.check("claimant", required_text(&input.claimant, 200));
    let facts = errors.check("facts", required_text(&input.facts, 4000));
    let order_number = errors
        .check(
            "order_number",
            optional_text(input.order_number.as_deref(), 100),
        )
        .flatten();
    let product = errors
        .check("product", optional_text(input.product.as_deref(), 200))
        .flatten();
    if input.amount_fen < 0 {
        errors.add("amount_fen", "negative");
    }
    let learned = match aftersales_domain::validation::date(&input.learned_on) {
        Ok(day) if day > today => {
            errors.add("learned_on", "in_future");
            None
        }
        Ok(day) => Some(day),
        Err(code) => {
            errors.add("learned_on", code);
            None
        }
    };
    let (Some(claimant), Some(facts), Some(learned)) = (claimant, facts, learned) else {
        return Err(errors.into());
    };
    errors.into_result(())?;
    let org_unit_id = actor.branch_for_new_record(input.org_unit_id)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    claim_type::Entity::find_by_id(input.claim_type_id)
        .one(&txn)
        .await?
        .filter(|t| t.active)
        .ok_or_else(|| AppError::invalid("claim_type_id", "not_found"))?;
    let branch = crate::org::find_unit(&txn, org_unit_id).await?;
    let pattern = settings::get_pattern(&txn, "claim.number_pattern").await?;
    let number = numbering::next_number(&txn, &pattern, today, &branch.code).await?;
    let days = settings::get_count(&txn, "claim.countermeasure_days").await?;
    let due = rules::countermeasure_due(learned, days);
    let row = claim::ActiveModel {
        number: Set(number),
        org_unit_id: Set(org_unit_id),
        claim_type_id: Set(input.claim_type_id),
        status: Set(ClaimStatus::Open.as_str().to_string()),
        claimant: Set(claimant),
        customer_id: Set(input.customer_id),
        order_number: Set(order_number),
        product: Set(product),
        amount_fen: Set(input.amount_fen),
        facts: Set(facts),
        learned_on: Set(learned.to_string()),
        countermeasure_due: Set(due.to_string()),
        steps_done: Set(0),
        registered_by: Set(actor.user_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let due_at = due
        .tomorrow()
        .and_then(|d| d.to_zoned(crate::clock::default_zone()))
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))?;
    timers::schedule(
        &txn,
        COUNTERMEASURE_JOB,
        "claim",
        row.id,
        Some(&format!("{COUNTERMEASURE_JOB}:{}", row.id)),
        due_at,
        None,
        now,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "claim",
        row.id,
        "register",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = view(&txn, row, today).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ClaimFilter {
    /// open, reviewed or closed; empty: all.
    pub status: Option<String>,
}

/// Claims in the actor's scope, newest first, a page at a time.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ClaimFilter,
    request: PageRequest,
) -> Result<Page<ClaimView>, AppError> {
    actor.require(Permission::ClaimRead)?;
    let mut query = actor.scoped(
        claim::Entity::find().order_by_desc(claim::Column::Id),
        claim::Column::OrgUnitId,
        claim::Column::CustomerId,
    )?;
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(claim::Column::Status.eq(status));
    }
    let today = app.today();
    crate::page::fetch_views(&app.db, query, request, |row| view(&app.db, row, today)).await
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ClaimView, AppError> {
    actor.require(Permission::ClaimRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    view(&app.db, row, app.today()).await
}

/// One action on a claim.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ClaimActionInput {
    /// complete_step (the next standard step), countermeasure, purchasing_outcome, review
    /// (the sales manager) or close.
    pub action: String,
    pub version: i32,
    /// countermeasure: the cause code (product_quality, supplier_part, transport,
    /// installation, service, other).
    pub cause: Option<String>,
    /// countermeasure: what is done about the claim.
    pub countermeasure: Option<String>,
    /// countermeasure: the preventive action for the prevention report.
    pub prevention: Option<String>,
    /// purchasing_outcome / review: the text logged.
    pub note: Option<String>,
}

pub async fn act(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ClaimActionInput,
) -> Result<ClaimView, AppError> {
    let action = input.action.trim();
    match action {
        "review" => actor.require(Permission::ClaimReview)?,
        "complete_step" | "countermeasure" | "purchasing_outcome" | "close" => {
            actor.require(Permission::ClaimWrite)?
        }
        _ => {
            actor.require(Permission::ClaimRead)?;
            return Err(AppError::invalid("action", "invalid_choice"));
        }
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    if before.status == ClaimStatus::Closed.as_str() {
        return Err(AppError::field_conflict("claim_closed", "status"));
    }
    let kind = claim_type::Entity::find_by_id(before.claim_type_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let steps = rules::parse_steps(&kind.steps).unwrap_or_default();
    let mut active: claim::ActiveModel = before.clone().into();
    let note = optional_text(input.note.as_deref(), 4000)
        .map_err(|code| AppError::invalid("note", code))?;
    let mut purchasing = false;
    match action {
        "complete_step" => {
            if before.steps_done as usize >= steps.len() {
                return Err(AppError::field_conflict("steps_complete", "steps"));
            }
            active.steps_done = Set(before.steps_done + 1);
        }
        "countermeasure" => {
            let mut errors = ValidationErrors::new();
            let cause = match input
                .cause
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                Some(code) => match ClaimCause::parse(code) {
                    Some(cause) => Some(cause),
                    None => {
                        errors.add("cause", "invalid_choice");
                        None
                    }
                },
                None => {
                    errors.add("cause", "required");
                    None
                }
            };
            let countermeasure = errors.check(
                "countermeasure",
                required_text(input.countermeasure.as_deref().unwrap_or_default(), 4000),
            );
            let prevention = errors
                .check(
                    "prevention",
                    optional_text(input.prevention.as_deref(), 4000),
                )
                .flatten();
            let (Some(cause), Some(countermeasure)) = (cause, countermeasure) else {
                return Err(errors.into());
            };
            errors.into_result(())?;
            active.cause = Set(Some(cause.as_str().to_string()));
            active.countermeasure = Set(Some(countermeasure));
            active.countermeasure_at = Set(Some(now));
            active.prevention = Set(prevention);
            // CLAIM-3 / REPAIR-8: a supplier part goes to purchasing to settle with the supplier.
            if cause == ClaimCause::SupplierPart && before.purchasing_task_at.is_none() {
                active.purchasing_task_at = Set(Some(now));
                purchasing = true;
            }
            timers::cancel(&txn, COUNTERMEASURE_JOB, "claim", id).await?;
        }
        "purchasing_outcome" => {
            if before.purchasing_task_at.is_none() {
                return Err(AppError::field_conflict(
                    "no_purchasing_task",
                    "purchasing_outcome",
                ));
            }
            let outcome = required_text(input.note.as_deref().unwrap_or_default(), 4000)
                .map_err(|code| AppError::invalid("note", code))?;
            active.purchasing_outcome = Set(Some(outcome));
        }
        "review" => {
            active.status = Set(ClaimStatus::Reviewed.as_str().to_string());
            active.reviewed_by = Set(Some(actor.user_id));
            active.reviewed_at = Set(Some(now));
            active.review_note = Set(note);
        }
        _ => {
            if let Some((field, code)) = rules::check_close(CloseFacts {
                steps_done: before.steps_done.max(0) as usize,
                steps_total: steps.len(),
                has_countermeasure: before.countermeasure.is_some(),
                has_cause: before.cause.is_some(),
                reviewed: before.reviewed_at.is_some(),
            })
            .into_iter()
            .next()
            {
                return Err(AppError::Conflict {
                    code,
                    field: Some(field),
                    detail: None,
                });
            }
            active.status = Set(ClaimStatus::Closed.as_str().to_string());
            active.closed_at = Set(Some(now));
        }
    }
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, claim::Column::Version, input.version).await?;
    if purchasing {
        let purchasing_units: Vec<i64> = org_unit::Entity::find()
            .filter(org_unit::Column::DepartmentKind.eq(DepartmentKind::Purchasing.as_str()))
            .all(&txn)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        let buyers: Vec<i64> = user::Entity::find()
            .filter(user::Column::OrgUnitId.is_in(purchasing_units))
            .filter(user::Column::Active.eq(true))
            .all(&txn)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        let message = Message {
            kind: "claim_purchasing_task",
            link: Some(format!("/claims/{id}")),
            zh: (
                format!("供应商配件索赔，请与供应商交涉：{}", after.number),
                after.facts.clone(),
            ),
            en: (
                format!(
                    "Supplier part claim to settle with the supplier: {}",
                    after.number
                ),
                after.facts.clone(),
            ),
        };
        notifications::notify(&txn, now, &buyers, &message).await?;
    }
    audit::record(
        &txn,
        now,
        Some(actor),
        "claim",
        id,
        action,
        Some(&before),
        Some(&after),
    )
    .await?;
    let view = view(&txn, after, app.today()).await?;
    txn.commit().await?;
    Ok(view)
}

/// T25: no countermeasure by its due date: the sales manager (the branch manager) hears.
pub struct CountermeasureJob;

#[async_trait::async_trait]
impl Job for CountermeasureJob {
    fn name(&self) -> &'static str {
        COUNTERMEASURE_JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(row) = claim::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        if row.countermeasure.is_some() || row.status == ClaimStatus::Closed.as_str() {
            return Ok(());
        }
        let managers =
            notifications::users_with_role(fire.txn, Role::BranchManager, Some(row.org_unit_id))
                .await?;
        let message = Message {
            kind: COUNTERMEASURE_JOB,
            link: Some(format!("/claims/{}", row.id)),
            zh: (
                format!("索赔对策逾期：{}", row.number),
                format!(
                    "{}的索赔对策应于{}前提出。",
                    row.claimant, row.countermeasure_due
                ),
            ),
            en: (
                format!("Claim countermeasure overdue: {}", row.number),
                format!(
                    "The countermeasure for {} was due on {}.",
                    row.claimant, row.countermeasure_due
                ),
            ),
        };
        notifications::notify(fire.txn, fire.now_ms, &managers, &message).await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CauseGroup {
    /// The cause code; `unknown` while no countermeasure names one.
    pub cause: String,
    pub claims: i64,
    pub amount_fen: i64,
    /// The preventive actions recorded for these claims.
    pub preventions: Vec<String>,
}

/// The prevention report (CLAIM-3): claims grouped by cause with their preventive actions.
pub async fn prevention_report(app: &App, actor: &Actor) -> Result<Vec<CauseGroup>, AppError> {
    actor.require(Permission::ClaimRead)?;
    let mut groups: BTreeMap<String, CauseGroup> = BTreeMap::new();
    for row in claim::Entity::find()
        .order_by_asc(claim::Column::Id)
        .all(&app.db)
        .await?
    {
        if !actor.sees(row.org_unit_id, row.customer_id) {
            continue;
        }
        let cause = row.cause.clone().unwrap_or_else(|| "unknown".to_string());
        let group = groups.entry(cause.clone()).or_insert_with(|| CauseGroup {
            cause,
            claims: 0,
            amount_fen: 0,
            preventions: Vec::new(),
        });
        group.claims += 1;
        group.amount_fen += row.amount_fen;
        if let Some(prevention) = row.prevention {
            group.preventions.push(prevention);
        }
    }
    Ok(groups.into_values().collect())
}
