//! Service supervision, recorded by the supervision side (the customer department and the
//! complaint hotline, `SupervisionWrite`):
//! - SUPERVISION-1: periodic staff evaluations (attitude, knowledge, communication, 1–5, per
//!   staff member and period) and process-compliance reviews (an activity kind);
//! - SUPERVISION-4 / CUSTOMER-5: logged visits, customer forums (恳谈会) and committee
//!   meetings with minutes; a visit plan per key account (key-account flag or class A);
//! - T24: a daily coverage sweep (one timer per day, dedupe key `visit_coverage:<date>`)
//!   opens a visit task for each key account not visited within `visit.max_interval_months`
//!   and tells its owner (the plan's owner, else the customer department); a logged visit
//!   closes the customer's open tasks;
//! - SUPERVISION-3: counter-supervision of the hotline: `supervision.recheck_percent` of the
//!   hotline-registered cases, drawn by a hash of the case id, are re-checked with findings;
//!   per-operator metrics; cases closed without action are flagged;
//! - SUPERVISION-5: mystery-shopper reports, visible only to `MysteryShop` holders (the
//!   supervision department); for everyone else they do not exist (404).

use std::collections::BTreeMap;

use aftersales_domain::role::{Permission, Role, Scope};
use aftersales_domain::supervision::{
    closed_without_action, in_recheck_sample, valid_evaluation_score, valid_period, visit_due,
    ActivityKind,
};
use aftersales_domain::validation::{date, optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{
    complaint, customer, hotline_recheck, mystery_shopper_report, org_unit, staff_evaluation,
    supervision_activity, timer, user, visit_plan, visit_task,
};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::notifications::{self, Message};
use crate::page::{Page, PageRequest};
use crate::timers::{self, Fire, Job};
use crate::{audit, format_ms, settings, Actor, App, AppError};

const TASK_OPEN: &str = "open";
const TASK_DONE: &str = "done";

async fn user_name(db: &impl ConnectionTrait, id: i64) -> Result<String, AppError> {
    Ok(user::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default())
}

// ----- staff evaluations (SUPERVISION-1) -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EvaluationInput {
    pub staff_id: i64,
    /// YYYY-MM or YYYY-Qn.
    pub period: String,
    /// 1 (poor) to 5 (excellent) each.
    pub attitude: Option<i64>,
    pub knowledge: Option<i64>,
    pub communication: Option<i64>,
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationView {
    pub id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub period: String,
    pub attitude: i32,
    pub knowledge: i32,
    pub communication: i32,
    pub remarks: Option<String>,
    pub evaluated_by: String,
    pub created_at: String,
}

async fn evaluation_view(
    db: &impl ConnectionTrait,
    row: staff_evaluation::Model,
) -> Result<EvaluationView, AppError> {
    Ok(EvaluationView {
        id: row.id,
        staff_id: row.staff_id,
        staff_name: user_name(db, row.staff_id).await?,
        period: row.period,
        attitude: row.attitude,
        knowledge: row.knowledge,
        communication: row.communication,
        remarks: row.remarks,
        evaluated_by: user_name(db, row.evaluated_by).await?,
        created_at: format_ms(row.created_at),
    })
}

/// Records one staff member's evaluation for a period (one per staff member and period: a
/// second answers 409 `already_evaluated`).
pub async fn evaluate(
    app: &App,
    actor: &Actor,
    input: &EvaluationInput,
) -> Result<EvaluationView, AppError> {
    actor.require(Permission::SupervisionWrite)?;
    let mut errors = ValidationErrors::new();
    if !valid_period(input.period.trim()) {
        errors.add("period", "invalid_period");
    }
    let mut scores = [0i32; 3];
    for (idx, (field, value)) in [
        ("attitude", input.attitude),
        ("knowledge", input.knowledge),
        ("communication", input.communication),
    ]
    .into_iter()
    .enumerate()
    {
        match value {
            Some(score) if valid_evaluation_score(score) => scores[idx] = score as i32,
            Some(_) => errors.add(field, "invalid_choice"),
            None => errors.add(field, "required"),
        }
    }
    let remarks = errors
        .check("remarks", optional_text(input.remarks.as_deref(), 4000))
        .flatten();
    let staff = user::Entity::find_by_id(input.staff_id)
        .one(&app.db)
        .await?;
    let unit = staff.as_ref().and_then(|s| s.org_unit_id);
    if unit.is_none() || staff.as_ref().is_some_and(|s| s.customer_id.is_some()) {
        errors.add("staff_id", "not_staff");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let unit = unit.unwrap_or_default();
    actor.ensure_sees(unit, None)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let period = input.period.trim().to_string();
    let existing = staff_evaluation::Entity::find()
        .filter(staff_evaluation::Column::StaffId.eq(input.staff_id))
        .filter(staff_evaluation::Column::Period.eq(&period))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(AppError::conflict("already_evaluated"));
    }
    let row = staff_evaluation::ActiveModel {
        org_unit_id: Set(unit),
        staff_id: Set(input.staff_id),
        period: Set(period),
        attitude: Set(scores[0]),
        knowledge: Set(scores[1]),
        communication: Set(scores[2]),
        remarks: Set(remarks),
        evaluated_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "staff_evaluation",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = evaluation_view(&txn, row).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct EvaluationFilter {
    pub staff_id: Option<i64>,
    pub period: Option<String>,
}

/// Evaluations in the caller's scope, newest first, a page at a time.
pub async fn evaluations(
    app: &App,
    actor: &Actor,
    filter: &EvaluationFilter,
    request: PageRequest,
) -> Result<Page<EvaluationView>, AppError> {
    actor.require(Permission::SupervisionRead)?;
    let mut query = staff_evaluation::Entity::find();
    if let Scope::Branch(own) = actor.scope() {
        query = query.filter(staff_evaluation::Column::OrgUnitId.eq(own));
    }
    if let Some(staff) = filter.staff_id {
        query = query.filter(staff_evaluation::Column::StaffId.eq(staff));
    }
    if let Some(period) = filter.period.as_deref().filter(|p| !p.is_empty()) {
        query = query.filter(staff_evaluation::Column::Period.eq(period));
    }
    let query = query.order_by_desc(staff_evaluation::Column::Id);
    crate::page::fetch_views(&app.db, query, request, |row| evaluation_view(&app.db, row)).await
}

// ----- activities (SUPERVISION-1, 4; CUSTOMER-5) -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ActivityInput {
    /// customer_visit, customer_forum, committee_meeting or compliance_review.
    pub kind: String,
    /// Required for a customer visit.
    pub customer_id: Option<i64>,
    /// The branch concerned (a visit: the customer's branch).
    pub org_unit_id: Option<i64>,
    /// ISO date.
    pub held_on: String,
    pub title: String,
    pub participants: Option<String>,
    /// Minutes or findings.
    pub minutes: Option<String>,
    /// Compliance reviews only: whether the process was followed.
    pub compliant: Option<bool>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActivityView {
    pub id: i64,
    pub kind: String,
    pub org_unit_id: i64,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub held_on: String,
    pub title: String,
    pub participants: Option<String>,
    pub minutes: Option<String>,
    pub compliant: Option<bool>,
    pub recorded_by: String,
    pub created_at: String,
}

async fn activity_view(
    db: &impl ConnectionTrait,
    row: supervision_activity::Model,
) -> Result<ActivityView, AppError> {
    let customer_name = match row.customer_id {
        Some(id) => customer::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.name),
        None => None,
    };
    Ok(ActivityView {
        id: row.id,
        kind: row.kind,
        org_unit_id: row.org_unit_id,
        customer_id: row.customer_id,
        customer_name,
        held_on: row.held_on,
        title: row.title,
        participants: row.participants,
        minutes: row.minutes,
        compliant: row.compliant,
        recorded_by: user_name(db, row.recorded_by).await?,
        created_at: format_ms(row.created_at),
    })
}

/// Logs an activity. A customer visit closes the customer's open visit tasks (T24).
pub async fn log_activity(
    app: &App,
    actor: &Actor,
    input: &ActivityInput,
) -> Result<ActivityView, AppError> {
    actor.require(Permission::SupervisionWrite)?;
    let mut errors = ValidationErrors::new();
    let kind = ActivityKind::parse(&input.kind);
    if kind.is_none() {
        errors.add("kind", "invalid_choice");
    }
    let held_on = errors.check("held_on", date(&input.held_on));
    if held_on.is_some_and(|d| d > app.today()) {
        errors.add("held_on", "in_future");
    }
    let title = errors.check("title", required_text(&input.title, 200));
    let participants = errors
        .check(
            "participants",
            optional_text(input.participants.as_deref(), 2000),
        )
        .flatten();
    let minutes = errors
        .check("minutes", optional_text(input.minutes.as_deref(), 8000))
        .flatten();
    let customer = match input.customer_id {
        Some(id) => customer::Entity::find_by_id(id).one(&app.db).await?,
        None => None,
    };
    if kind.is_some_and(ActivityKind::needs_customer) && customer.is_none() {
        errors.add("customer_id", "required");
    }
    if kind.is_some_and(ActivityKind::has_compliance) && input.compliant.is_none() {
        errors.add("compliant", "required");
    }
    let (Some(kind), Some(held_on), Some(title)) = (kind, held_on, title) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let unit = match &customer {
        Some(c) => c.org_unit_id,
        None => actor.branch_for_new_record(input.org_unit_id)?,
    };
    actor.ensure_sees(unit, None)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = supervision_activity::ActiveModel {
        org_unit_id: Set(unit),
        kind: Set(kind.as_str().to_string()),
        customer_id: Set(customer.as_ref().map(|c| c.id)),
        held_on: Set(held_on.to_string()),
        title: Set(title),
        participants: Set(participants),
        minutes: Set(minutes),
        compliant: Set(input.compliant.filter(|_| kind.has_compliance())),
        recorded_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "supervision_activity",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    if let (ActivityKind::CustomerVisit, Some(customer)) = (kind, &customer) {
        let open = visit_task::Entity::find()
            .filter(visit_task::Column::CustomerId.eq(customer.id))
            .filter(visit_task::Column::Status.eq(TASK_OPEN))
            .all(&txn)
            .await?;
        for task in open {
            let before = task.clone();
            let mut active: visit_task::ActiveModel = task.into();
            active.status = Set(TASK_DONE.to_string());
            active.activity_id = Set(Some(row.id));
            active.done_at = Set(Some(now));
            let saved = active.update(&txn).await?;
            audit::record(
                &txn,
                now,
                Some(actor),
                "visit_task",
                saved.id,
                "done",
                Some(&before),
                Some(&saved),
            )
            .await?;
        }
    }
    let view = activity_view(&txn, row).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ActivityFilter {
    pub kind: Option<String>,
    pub customer_id: Option<i64>,
}

/// Activities in the caller's scope, latest first, a page at a time.
pub async fn activities(
    app: &App,
    actor: &Actor,
    filter: &ActivityFilter,
    request: PageRequest,
) -> Result<Page<ActivityView>, AppError> {
    actor.require(Permission::SupervisionRead)?;
    let mut query = supervision_activity::Entity::find();
    if let Scope::Branch(own) = actor.scope() {
        query = query.filter(supervision_activity::Column::OrgUnitId.eq(own));
    }
    if let Some(kind) = filter.kind.as_deref().filter(|k| !k.is_empty()) {
        ActivityKind::parse(kind).ok_or_else(|| AppError::invalid("kind", "invalid_choice"))?;
        query = query.filter(supervision_activity::Column::Kind.eq(kind));
    }
    if let Some(customer) = filter.customer_id {
        query = query.filter(supervision_activity::Column::CustomerId.eq(customer));
    }
    let query = query
        .order_by_desc(supervision_activity::Column::HeldOn)
        .order_by_desc(supervision_activity::Column::Id);
    crate::page::fetch_views(&app.db, query, request, |row| activity_view(&app.db, row)).await
}

// ----- visit plans and coverage (CUSTOMER-5, T24) -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct VisitPlanInput {
    pub customer_id: i64,
    /// The staff member who visits and is told when a visit is due.
    pub owner_id: i64,
    pub note: Option<String>,
}

/// Sets (or changes) the visit plan of a key account.
pub async fn save_visit_plan(
    app: &App,
    actor: &Actor,
    input: &VisitPlanInput,
) -> Result<CoverageRow, AppError> {
    actor.require(Permission::SupervisionWrite)?;
    let mut errors = ValidationErrors::new();
    let note = errors
        .check("note", optional_text(input.note.as_deref(), 2000))
        .flatten();
    let customer = customer::Entity::find_by_id(input.customer_id)
        .one(&app.db)
        .await?;
    match &customer {
        None => errors.add("customer_id", "required"),
        Some(c) if !is_key_account(c) => errors.add("customer_id", "not_key_account"),
        Some(_) => {}
    }
    let owner = user::Entity::find_by_id(input.owner_id)
        .one(&app.db)
        .await?;
    if !owner
        .as_ref()
        .is_some_and(|o| o.active && o.org_unit_id.is_some() && o.customer_id.is_none())
    {
        errors.add("owner_id", "not_staff");
    }
    let Some(customer) = customer.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    actor.ensure_sees(customer.org_unit_id, None)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let existing = visit_plan::Entity::find()
        .filter(visit_plan::Column::CustomerId.eq(customer.id))
        .one(&txn)
        .await?;
    let (before, saved) = match existing {
        Some(plan) => {
            let before = plan.clone();
            let version = plan.version;
            let mut active: visit_plan::ActiveModel = plan.into();
            active.owner_id = Set(input.owner_id);
            active.note = Set(note);
            active.version = Set(version + 1);
            active.updated_at = Set(now);
            (Some(before), active.update(&txn).await?)
        }
        None => (
            None,
            visit_plan::ActiveModel {
                customer_id: Set(customer.id),
                owner_id: Set(input.owner_id),
                note: Set(note),
                created_by: Set(actor.user_id),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        ),
    };
    audit::record(
        &txn,
        now,
        Some(actor),
        "visit_plan",
        saved.id,
        if before.is_some() { "update" } else { "create" },
        before.as_ref(),
        Some(&saved),
    )
    .await?;
    txn.commit().await?;
    let months = settings::get_count(&app.db, "visit.max_interval_months").await?;
    coverage_row(&app.db, customer, app.today(), months).await
}

/// Key accounts: flagged as key accounts or in class A.
fn is_key_account(row: &customer::Model) -> bool {
    row.key_account || row.abc_class.eq_ignore_ascii_case("a")
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageRow {
    pub customer_id: i64,
    pub customer_name: String,
    pub customer_number: String,
    pub abc_class: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    /// The latest logged visit (ISO date).
    pub last_visit: Option<String>,
    /// Not visited within `visit.max_interval_months`.
    pub due: bool,
    /// An open visit task exists (the sweep opened one).
    pub open_task: bool,
}

async fn coverage_row(
    db: &impl ConnectionTrait,
    row: customer::Model,
    today: Date,
    months: i64,
) -> Result<CoverageRow, AppError> {
    let plan = visit_plan::Entity::find()
        .filter(visit_plan::Column::CustomerId.eq(row.id))
        .one(db)
        .await?;
    let last_visit = last_visit(db, row.id).await?;
    let open_task = visit_task::Entity::find()
        .filter(visit_task::Column::CustomerId.eq(row.id))
        .filter(visit_task::Column::Status.eq(TASK_OPEN))
        .one(db)
        .await?
        .is_some();
    let owner_name = match &plan {
        Some(p) => Some(user_name(db, p.owner_id).await?),
        None => None,
    };
    Ok(CoverageRow {
        customer_id: row.id,
        customer_number: row.number,
        due: visit_due(
            last_visit,
            crate::clock::local_date(row.created_at).unwrap_or_default(),
            today,
            months,
        ),
        customer_name: row.name,
        abc_class: row.abc_class,
        owner_id: plan.map(|p| p.owner_id),
        owner_name,
        last_visit: last_visit.map(|d| d.to_string()),
        open_task,
    })
}

async fn last_visit(db: &impl ConnectionTrait, customer_id: i64) -> Result<Option<Date>, AppError> {
    Ok(supervision_activity::Entity::find()
        .filter(supervision_activity::Column::CustomerId.eq(customer_id))
        .filter(supervision_activity::Column::Kind.eq(ActivityKind::CustomerVisit.as_str()))
        .order_by_desc(supervision_activity::Column::HeldOn)
        .one(db)
        .await?
        .and_then(|a| a.held_on.parse().ok()))
}

async fn key_accounts(db: &impl ConnectionTrait) -> Result<Vec<customer::Model>, AppError> {
    Ok(customer::Entity::find()
        .filter(
            Condition::any()
                .add(customer::Column::KeyAccount.eq(true))
                .add(customer::Column::AbcClass.is_in(["A", "a"])),
        )
        .order_by_asc(customer::Column::Id)
        .all(db)
        .await?)
}

/// The visit-coverage report: every key account in scope with its plan and last visit;
/// `due_only` lists only those not visited within the interval.
pub async fn coverage(
    app: &App,
    actor: &Actor,
    due_only: bool,
) -> Result<Vec<CoverageRow>, AppError> {
    actor.require(Permission::SupervisionRead)?;
    let months = settings::get_count(&app.db, "visit.max_interval_months").await?;
    let today = app.today();
    let mut rows = Vec::new();
    for row in key_accounts(&app.db).await? {
        if !actor.sees(row.org_unit_id, None) {
            continue;
        }
        let view = coverage_row(&app.db, row, today, months).await?;
        if view.due || !due_only {
            rows.push(view);
        }
    }
    Ok(rows)
}

const VISIT_SWEEP: &str = "visit_coverage";

/// When the sweep for `day` runs: 07:00 in the default zone, before the working day.
fn sweep_instant(day: Date) -> Result<i64, AppError> {
    day.at(7, 0, 0, 0)
        .to_zoned(crate::clock::default_zone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("sweep instant: {err}")))
}

async fn schedule_sweep(
    db: &impl ConnectionTrait,
    day: Date,
    now_ms: i64,
) -> Result<bool, AppError> {
    timers::schedule(
        db,
        VISIT_SWEEP,
        "visit_coverage",
        0,
        // One sweep per day, however many instances schedule it.
        Some(&format!("{VISIT_SWEEP}:{day}")),
        sweep_instant(day)?,
        Some(&serde_json::json!({ "date": day.to_string() })),
        now_ms,
    )
    .await
}

/// Makes sure a coverage sweep is pending (called when an instance starts); the first one
/// runs today at 07:00 (at once if that has passed).
pub async fn ensure_visit_sweep(db: &impl ConnectionTrait, now_ms: i64) -> Result<bool, AppError> {
    let pending = timer::Entity::find()
        .filter(timer::Column::Kind.eq(VISIT_SWEEP))
        .filter(timer::Column::Status.eq(timers::PENDING))
        .one(db)
        .await?;
    if pending.is_some() {
        return Ok(false);
    }
    schedule_sweep(
        db,
        crate::clock::local_date(now_ms).unwrap_or_default(),
        now_ms,
    )
    .await
}

/// T24: opens a visit task for every key account not visited within the interval that has
/// no open task yet, and tells its owner (the plan's, else the customer department).
/// Answers the number of tasks opened.
pub async fn sweep_visits(
    db: &impl ConnectionTrait,
    today: Date,
    now_ms: i64,
) -> Result<usize, AppError> {
    let months = settings::get_count(db, "visit.max_interval_months").await?;
    let department = notifications::users_with_role(db, Role::CustomerDepartment, None).await?;
    let mut opened = 0;
    for row in key_accounts(db).await? {
        let view = coverage_row(db, row.clone(), today, months).await?;
        if !view.due || view.open_task {
            continue;
        }
        let since = view.last_visit.clone().unwrap_or_else(|| {
            crate::clock::local_date(row.created_at)
                .unwrap_or_default()
                .to_string()
        });
        let task = visit_task::ActiveModel {
            customer_id: Set(row.id),
            org_unit_id: Set(row.org_unit_id),
            owner_id: Set(view.owner_id),
            since: Set(since.clone()),
            status: Set(TASK_OPEN.to_string()),
            activity_id: Set(None),
            created_at: Set(now_ms),
            done_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
        audit::record(
            db,
            now_ms,
            None,
            "visit_task",
            task.id,
            "open",
            None::<&()>,
            Some(&task),
        )
        .await?;
        let recipients = match view.owner_id {
            Some(owner) => vec![owner],
            None => department.clone(),
        };
        let message = Message {
            kind: "visit_due",
            link: Some("/supervision/visits".to_string()),
            zh: (
                format!("请拜访客户 {}", row.name),
                format!("自 {since} 起已超过 {months} 个月未拜访"),
            ),
            en: (
                format!("Visit customer {}", row.name),
                format!("Not visited for {months} months or more since {since}"),
            ),
        };
        notifications::notify(db, now_ms, &recipients, &message).await?;
        opened += 1;
    }
    Ok(opened)
}

/// The daily coverage sweep (T24). Each run sweeps its day and schedules the next day, so a
/// runner that was down catches up day by day.
pub struct VisitSweepJob;

#[async_trait::async_trait]
impl Job for VisitSweepJob {
    fn name(&self) -> &'static str {
        VISIT_SWEEP
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let day: Date = fire.payload()["date"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("visit sweep without a date")))?;
        sweep_visits(fire.txn, day, fire.now_ms).await?;
        let next = day
            .tomorrow()
            .map_err(|err| AppError::Internal(anyhow::anyhow!("next day: {err}")))?;
        schedule_sweep(fire.txn, next, fire.now_ms).await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitTaskView {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub owner_name: Option<String>,
    pub since: String,
    pub status: String,
    pub created_at: String,
}

/// Open visit tasks in the caller's scope, oldest first.
pub async fn open_visit_tasks(app: &App, actor: &Actor) -> Result<Vec<VisitTaskView>, AppError> {
    actor.require(Permission::SupervisionRead)?;
    let mut views = Vec::new();
    for task in visit_task::Entity::find()
        .filter(visit_task::Column::Status.eq(TASK_OPEN))
        .order_by_asc(visit_task::Column::Id)
        .all(&app.db)
        .await?
    {
        if !actor.sees(task.org_unit_id, None) {
            continue;
        }
        let customer_name = customer::Entity::find_by_id(task.customer_id)
            .one(&app.db)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        let owner_name = match task.owner_id {
            Some(id) => Some(user_name(&app.db, id).await?),
            None => None,
        };
        views.push(VisitTaskView {
            id: task.id,
            customer_id: task.customer_id,
            customer_name,
            owner_name,
            since: task.since,
            status: task.status,
            created_at: format_ms(task.created_at),
        });
    }
    Ok(views)
}

// ----- mystery shoppers (SUPERVISION-5) -----

/// Mystery-shopper records do not exist for anyone outside the supervision department.
fn require_mystery(actor: &Actor) -> Result<(), AppError> {
    if actor.can(Permission::MysteryShop) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MysteryReportInput {
    /// The inspected branch.
    pub org_unit_id: i64,
    pub shopper_name: String,
    pub shopper_contact: Option<String>,
    /// ISO date of the inspection.
    pub visited_on: String,
    /// The service order the shopper was served under, if any.
    pub service_order_id: Option<i64>,
    /// 1 (poor) to 5 (excellent).
    pub score: Option<i64>,
    pub findings: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MysteryReportView {
    pub id: i64,
    pub org_unit_id: i64,
    pub branch_name: String,
    pub shopper_name: String,
    pub shopper_contact: Option<String>,
    pub visited_on: String,
    pub service_order_id: Option<i64>,
    pub score: i32,
    pub findings: Option<String>,
    pub filed_by: String,
    pub created_at: String,
}

async fn mystery_view(
    db: &impl ConnectionTrait,
    row: mystery_shopper_report::Model,
) -> Result<MysteryReportView, AppError> {
    let branch_name = org_unit::Entity::find_by_id(row.org_unit_id)
        .one(db)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(MysteryReportView {
        id: row.id,
        org_unit_id: row.org_unit_id,
        branch_name,
        shopper_name: row.shopper_name,
        shopper_contact: row.shopper_contact,
        visited_on: row.visited_on,
        service_order_id: row.service_order_id,
        score: row.score,
        findings: row.findings,
        filed_by: user_name(db, row.filed_by).await?,
        created_at: format_ms(row.created_at),
    })
}

pub async fn file_mystery_report(
    app: &App,
    actor: &Actor,
    input: &MysteryReportInput,
) -> Result<MysteryReportView, AppError> {
    require_mystery(actor)?;
    let mut errors = ValidationErrors::new();
    let shopper = errors.check("shopper_name", required_text(&input.shopper_name, 100));
    let contact = errors
        .check(
            "shopper_contact",
            optional_text(input.shopper_contact.as_deref(), 100),
        )
        .flatten();
    let visited_on = errors.check("visited_on", date(&input.visited_on));
    let score = match input.score {
        Some(score) if valid_evaluation_score(score) => score as i32,
        Some(_) => {
            errors.add("score", "invalid_choice");
            0
        }
        None => {
            errors.add("score", "required");
            0
        }
    };
    let findings = errors
        .check("findings", optional_text(input.findings.as_deref(), 8000))
        .flatten();
    if org_unit::Entity::find_by_id(input.org_unit_id)
        .one(&app.db)
        .await?
        .is_none()
    {
        errors.add("org_unit_id", "required");
    }
    let (Some(shopper), Some(visited_on)) = (shopper, visited_on) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    actor.ensure_sees(input.org_unit_id, None)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = mystery_shopper_report::ActiveModel {
        org_unit_id: Set(input.org_unit_id),
        shopper_name: Set(shopper),
        shopper_contact: Set(contact),
        visited_on: Set(visited_on.to_string()),
        service_order_id: Set(input.service_order_id),
        score: Set(score),
        findings: Set(findings),
        filed_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The audit record names the report but not the shopper: the audit trail is readable
    // outside the supervision department.
    audit::record(
        &txn,
        now,
        Some(actor),
        "mystery_shopper_report",
        row.id,
        "create",
        None::<&()>,
        None::<&()>,
    )
    .await?;
    let view = mystery_view(&txn, row).await?;
    txn.commit().await?;
    Ok(view)
}

/// Mystery-shopper reports of the branches the caller sees, newest first, a page at a time.
pub async fn mystery_reports(
    app: &App,
    actor: &Actor,
    request: PageRequest,
) -> Result<Page<MysteryReportView>, AppError> {
    require_mystery(actor)?;
    let mut query =
        mystery_shopper_report::Entity::find().order_by_desc(mystery_shopper_report::Column::Id);
    match actor.scope() {
        Scope::AllBranches => {}
        Scope::Branch(own) => {
            query = query.filter(mystery_shopper_report::Column::OrgUnitId.eq(own));
        }
        Scope::Customer(_) | Scope::Nothing => return Err(AppError::NotFound),
    }
    crate::page::fetch_views(&app.db, query, request, |row| mystery_view(&app.db, row)).await
}

pub async fn mystery_report(
    app: &App,
    actor: &Actor,
    id: i64,
) -> Result<MysteryReportView, AppError> {
    require_mystery(actor)?;
    let row = mystery_shopper_report::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, None)?;
    mystery_view(&app.db, row).await
}

// ----- counter-supervision of the hotline (SUPERVISION-3) -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct RecheckFilter {
    /// YYYY-MM (cases accepted in that month); the current month when empty.
    pub month: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecheckCase {
    pub complaint_id: i64,
    pub number: String,
    pub customer_name: String,
    pub status: String,
    pub operator_id: i64,
    pub operator_name: String,
    pub accepted_at: String,
    /// Closed although nothing was decided, remedied or corrected.
    pub closed_without_action: bool,
    /// The re-check finding, once recorded.
    pub handled_correctly: Option<bool>,
    pub finding: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OperatorMetrics {
    pub operator_id: i64,
    pub operator_name: String,
    /// Hotline cases the operator registered in the month.
    pub registered: u32,
    pub closed: u32,
    pub closed_without_action: u32,
    pub sampled: u32,
    pub rechecked: u32,
    /// Re-checked cases found handled wrongly.
    pub faults: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecheckReport {
    pub month: String,
    /// The `supervision.recheck_percent` setting.
    pub percent: i64,
    /// The sampled cases, then every other case closed without action (flagged).
    pub cases: Vec<RecheckCase>,
    pub operators: Vec<OperatorMetrics>,
}

/// The month's hotline cases: the sample to re-check, the flagged ones and the metrics per
/// operator.
pub async fn recheck_report(
    app: &App,
    actor: &Actor,
    filter: &RecheckFilter,
) -> Result<RecheckReport, AppError> {
    actor.require(Permission::SupervisionRead)?;
    let month = match filter
        .month
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(text) => text.to_string(),
        None => app.today().strftime("%Y-%m").to_string(),
    };
    let (first, last) = aftersales_domain::complaint::month_bounds(&month)
        .map_err(|code| AppError::invalid("month", code))?;
    let zone = crate::clock::default_zone();
    let start = aftersales_domain::survey::day_bounds_ms(first, &zone);
    let end = aftersales_domain::survey::day_bounds_ms(last, &zone);
    let (Some((start, _)), Some((_, end))) = (start, end) else {
        return Err(AppError::invalid("month", "invalid_month"));
    };
    let percent = settings::get_count(&app.db, "supervision.recheck_percent").await?;
    let rows = complaint::Entity::find()
        .filter(complaint::Column::RegisteredByHotline.eq(true))
        .filter(complaint::Column::AcceptedAt.gte(start))
        .filter(complaint::Column::AcceptedAt.lt(end))
        .order_by_asc(complaint::Column::Id)
        .all(&app.db)
        .await?;
    let mut cases = Vec::new();
    let mut metrics: BTreeMap<i64, OperatorMetrics> = BTreeMap::new();
    for row in rows {
        if !actor.sees(row.org_unit_id, None) {
            continue;
        }
        let closed = row.closed_at.is_some();
        let flagged = closed_without_action(
            closed,
            row.decision.as_deref(),
            row.remedy.as_deref(),
            row.corrective_action.as_deref(),
        );
        let sampled = in_recheck_sample(row.id, percent);
        let recheck = hotline_recheck::Entity::find()
            .filter(hotline_recheck::Column::ComplaintId.eq(row.id))
            .one(&app.db)
            .await?;
        let operator_name = user_name(&app.db, row.registered_by).await?;
        let entry = metrics
            .entry(row.registered_by)
            .or_insert_with(|| OperatorMetrics {
                operator_id: row.registered_by,
                operator_name: operator_name.clone(),
                registered: 0,
                closed: 0,
                closed_without_action: 0,
                sampled: 0,
                rechecked: 0,
                faults: 0,
            });
        entry.registered += 1;
        entry.closed += u32::from(closed);
        entry.closed_without_action += u32::from(flagged);
        entry.sampled += u32::from(sampled);
        entry.rechecked += u32::from(recheck.is_some());
        entry.faults +=
            u32::from(recheck.as_ref().and_then(|r| r.handled_correctly) == Some(false));
        if sampled || flagged {
            cases.push(RecheckCase {
                complaint_id: row.id,
                number: row.number,
                customer_name: row.customer_name,
                status: row.status,
                operator_id: row.registered_by,
                operator_name,
                accepted_at: format_ms(row.accepted_at),
                closed_without_action: flagged,
                handled_correctly: recheck.as_ref().and_then(|r| r.handled_correctly),
                finding: recheck.and_then(|r| r.finding),
            });
        }
    }
    Ok(RecheckReport {
        month,
        percent,
        cases,
        operators: metrics.into_values().collect(),
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RecheckInput {
    pub handled_correctly: Option<bool>,
    pub finding: Option<String>,
}

/// Records the re-check of a sampled or flagged hotline case (once: 409 `already_rechecked`).
pub async fn record_recheck(
    app: &App,
    actor: &Actor,
    complaint_id: i64,
    input: &RecheckInput,
) -> Result<RecheckCase, AppError> {
    actor.require(Permission::SupervisionWrite)?;
    let mut errors = ValidationErrors::new();
    if input.handled_correctly.is_none() {
        errors.add("handled_correctly", "required");
    }
    let finding = errors
        .check("finding", optional_text(input.finding.as_deref(), 4000))
        .flatten();
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let now = app.now_ms();
    let percent = settings::get_count(&app.db, "supervision.recheck_percent").await?;
    let txn = app.write_txn().await?;
    let row = complaint::Entity::find_by_id(complaint_id)
        .one(&txn)
        .await?
        .filter(|c| c.registered_by_hotline)
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, None)?;
    let flagged = closed_without_action(
        row.closed_at.is_some(),
        row.decision.as_deref(),
        row.remedy.as_deref(),
        row.corrective_action.as_deref(),
    );
    if !in_recheck_sample(row.id, percent) && !flagged {
        return Err(AppError::conflict("not_sampled"));
    }
    let existing = hotline_recheck::Entity::find()
        .filter(hotline_recheck::Column::ComplaintId.eq(complaint_id))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(AppError::conflict("already_rechecked"));
    }
    let saved = hotline_recheck::ActiveModel {
        complaint_id: Set(complaint_id),
        handled_correctly: Set(input.handled_correctly),
        finding: Set(finding),
        checked_by: Set(actor.user_id),
        checked_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "hotline_recheck",
        saved.id,
        "create",
        None::<&()>,
        Some(&saved),
    )
    .await?;
    let operator_name = user_name(&txn, row.registered_by).await?;
    txn.commit().await?;
    Ok(RecheckCase {
        complaint_id,
        number: row.number,
        customer_name: row.customer_name,
        status: row.status,
        operator_id: row.registered_by,
        operator_name,
        accepted_at: format_ms(row.accepted_at),
        closed_without_action: flagged,
        handled_correctly: saved.handled_correctly,
        finding: saved.finding,
    })
}
