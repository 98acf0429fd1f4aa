//! Daily reports (STAFF-2, STAFF-3, T7). A technician's report for a local day is generated
//! from the service orders they worked (on-site time per job, with the order's category) and
//! completed with internal D lines; the technician submits it, after which it is read-only
//! until the supervisor reopens it. The supervisor's report for a branch and day sums the
//! submitted technician reports and names who has not submitted; the supervisor submits it,
//! the branch manager approves (signs, freezing a snapshot) or returns it, then forwards it to
//! the customer department, who are notified.
//!
//! Orders are read through the store entities (`service_orders`, `service_order_events`);
//! this module never changes them.

use aftersales_domain::daily_report::{
    self as rules, BranchReportEvent, BranchReportStatus, InternalWork, JobFacts, ReportLine,
    TechnicianReportEvent, TechnicianReportStatus, Totals, Visit,
};
use aftersales_domain::role::{Permission, Role, Scope};
use aftersales_domain::service_order::ServiceCategory;
use aftersales_domain::validation::{optional_text, required_text};
use aftersales_store::entity::{
    branch_daily_report, org_unit, service_order, service_order_event, technician_daily_report,
    technician_daily_report_line, user,
};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::{audit, clock, format_ms, Actor, App, AppError};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TotalsView {
    /// Minutes of paid (A) work.
    pub a: i64,
    /// Minutes of contract (B) work.
    pub b: i64,
    /// Minutes of free (C) work.
    pub c: i64,
    /// Minutes of internal (D) work.
    pub d: i64,
    pub total: i64,
    /// Number of jobs (lines with an order).
    pub jobs: i64,
}

impl From<Totals> for TotalsView {
    fn from(t: Totals) -> Self {
        TotalsView {
            a: t.a,
            b: t.b,
            c: t.c,
            d: t.d,
            total: t.total,
            jobs: t.jobs,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LineView {
    /// Empty in a preview that is not saved yet.
    pub id: Option<i64>,
    /// The service order; empty for internal (D) lines.
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    /// a, b, c or d.
    pub category: String,
    pub minutes: i64,
    /// D lines: training, tool_maintenance, parts_management, inspection or other.
    pub kind: Option<String>,
    pub note: Option<String>,
}

/// A technician's daily report (技术员工作日报表).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TechnicianReportView {
    /// Empty when nothing is saved yet: the lines are then a preview from the orders.
    pub id: Option<i64>,
    pub technician_id: i64,
    pub technician_name: String,
    pub org_unit_id: i64,
    pub org_unit_name: String,
    pub date: String,
    /// draft or submitted.
    pub status: String,
    pub submitted_at: Option<String>,
    /// Why the supervisor reopened it, if they did.
    pub reopen_reason: Option<String>,
    pub lines: Vec<LineView>,
    pub totals: TotalsView,
    pub version: i32,
}

/// An internal (D) line the technician adds.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LineInput {
    /// training, tool_maintenance, parts_management, inspection or other.
    pub kind: String,
    pub minutes: i64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReasonInput {
    pub reason: String,
}

/// One technician's row in the supervisor's report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TechnicianRow {
    pub technician_id: i64,
    pub technician_name: String,
    pub totals: TotalsView,
}

/// A technician of the branch whose report is not submitted.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MissingReport {
    pub technician_id: i64,
    pub technician_name: String,
    /// none (nothing saved) or draft.
    pub status: String,
}

/// What the branch manager signs: frozen into `snapshot_json` at approval.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    technicians: Vec<TechnicianRow>,
    totals: TotalsView,
    missing: Vec<MissingReport>,
}

/// A branch's daily report (服务主任日报表).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BranchReportView {
    /// Empty until the supervisor first submits it.
    pub id: Option<i64>,
    pub org_unit_id: i64,
    pub org_unit_name: String,
    pub date: String,
    /// draft, submitted, approved or forwarded.
    pub status: String,
    /// Whether the lines are the snapshot signed at approval (true) or live from the
    /// technicians' submitted reports.
    pub frozen: bool,
    pub technicians: Vec<TechnicianRow>,
    pub totals: TotalsView,
    pub missing: Vec<MissingReport>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub forwarded_by: Option<String>,
    pub forwarded_at: Option<String>,
    pub return_reason: Option<String>,
    /// Steps possible now: submit, approve, return, forward.
    pub next_events: Vec<String>,
    pub version: i32,
}

fn parse_date(text: &str) -> Result<Date, AppError> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| AppError::invalid("date", "invalid_date"))
}

fn zone_of(unit: &org_unit::Model) -> TimeZone {
    TimeZone::get(&unit.time_zone).unwrap_or_else(|_| clock::default_zone())
}

fn invalid_transition() -> AppError {
    AppError::field_conflict("invalid_transition", "status")
}

async fn load_unit(db: &impl ConnectionTrait, id: i64) -> Result<org_unit::Model, AppError> {
    org_unit::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

async fn user_name(db: &impl ConnectionTrait, id: Option<i64>) -> Result<Option<String>, AppError> {
    Ok(match id {
        Some(id) => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.display_name),
        None => None,
    })
}

/// The technician whose report is asked for, and their branch. Their own report needs
/// `OrderWork`; anyone else's needs `DailyReportRead` and the technician's branch in scope
/// (out of scope: 404).
async fn technician_for_read(
    db: &impl ConnectionTrait,
    actor: &Actor,
    user_id: i64,
) -> Result<(user::Model, org_unit::Model), AppError> {
    if actor.user_id == user_id {
        actor.require(Permission::OrderWork)?;
    } else {
        actor.require(Permission::DailyReportRead)?;
    }
    let technician = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit_id = technician.org_unit_id.ok_or(AppError::NotFound)?;
    if actor.user_id != user_id {
        actor.ensure_sees(unit_id, None)?;
        if matches!(actor.scope(), Scope::Customer(_)) {
            return Err(AppError::NotFound);
        }
    }
    let unit = load_unit(db, unit_id).await?;
    Ok((technician, unit))
}

/// Only technicians write their own report (`OrderWork`); anyone else's answers 404.
async fn technician_for_write(
    db: &impl ConnectionTrait,
    actor: &Actor,
    user_id: i64,
) -> Result<(user::Model, org_unit::Model), AppError> {
    actor.require(Permission::OrderWork)?;
    if actor.user_id != user_id {
        return Err(AppError::NotFound);
    }
    technician_for_read(db, actor, user_id).await
}

/// The technician's jobs that may touch the day, with their on-site visits from the timeline.
async fn job_facts(
    db: &impl ConnectionTrait,
    technician_id: i64,
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<JobFacts>, AppError> {
    let orders = service_order::Entity::find()
        .filter(service_order::Column::TechnicianId.eq(technician_id))
        .filter(service_order::Column::ArrivedAt.is_not_null())
        .filter(service_order::Column::ArrivedAt.lt(end.as_millisecond()))
        .order_by_asc(service_order::Column::Id)
        .all(db)
        .await?;
    let mut jobs = Vec::new();
    for order in orders {
        let events = service_order_event::Entity::find()
            .filter(service_order_event::Column::OrderId.eq(order.id))
            .order_by_asc(service_order_event::Column::At)
            .order_by_asc(service_order_event::Column::Id)
            .all(db)
            .await?;
        let mut visits = Vec::new();
        let mut open: Option<Timestamp> = None;
        for event in &events {
            let at = Timestamp::from_millisecond(event.at).map_err(|e| anyhow::anyhow!(e))?;
            if event.from_status == "on_site" {
                if let Some(arrived) = open.take() {
                    visits.push(Visit {
                        arrived,
                        left: Some(at),
                    });
                }
            }
            if event.to_status == "on_site" {
                open = Some(at);
            }
        }
        if let Some(arrived) = open {
            visits.push(Visit {
                arrived,
                left: None,
            });
        }
        // Visits that ended before the day are of no interest.
        visits.retain(|v| v.left.is_none_or(|left| left >= start));
        if visits.is_empty() {
            continue;
        }
        jobs.push(JobFacts {
            order_id: order.id,
            number: order.number,
            category: ServiceCategory::parse(&order.category).unwrap_or(ServiceCategory::A),
            visits,
        });
    }
    Ok(jobs)
}

async fn job_lines_for(
    app: &App,
    db: &impl ConnectionTrait,
    technician_id: i64,
    date: Date,
    zone: &TimeZone,
) -> Result<Vec<ReportLine>, AppError> {
    let (start, end) =
        rules::day_bounds(date, zone).ok_or_else(|| AppError::invalid("date", "invalid_date"))?;
    let jobs = job_facts(db, technician_id, start, end).await?;
    Ok(rules::job_lines(&jobs, date, zone, app.clock.now()))
}

fn line_of(row: &technician_daily_report_line::Model) -> ReportLine {
    ReportLine {
        order_id: row.order_id,
        order_number: row.order_number.clone(),
        category: ServiceCategory::parse(&row.category).unwrap_or(ServiceCategory::D),
        minutes: row.minutes,
        kind: row.kind.as_deref().and_then(InternalWork::parse),
        note: row.note.clone(),
    }
}

fn line_view(id: Option<i64>, line: &ReportLine) -> LineView {
    LineView {
        id,
        order_id: line.order_id,
        order_number: line.order_number.clone(),
        category: line.category.as_str().to_string(),
        minutes: line.minutes,
        kind: line.kind.map(|k| k.as_str().to_string()),
        note: line.note.clone(),
    }
}

async fn line_rows(
    db: &impl ConnectionTrait,
    report_id: i64,
) -> Result<Vec<technician_daily_report_line::Model>, AppError> {
    Ok(technician_daily_report_line::Entity::find()
        .filter(technician_daily_report_line::Column::ReportId.eq(report_id))
        .order_by_asc(technician_daily_report_line::Column::Position)
        .order_by_asc(technician_daily_report_line::Column::Id)
        .all(db)
        .await?)
}

async fn find_report(
    db: &impl ConnectionTrait,
    technician_id: i64,
    date: Date,
) -> Result<Option<technician_daily_report::Model>, AppError> {
    Ok(technician_daily_report::Entity::find()
        .filter(technician_daily_report::Column::TechnicianId.eq(technician_id))
        .filter(technician_daily_report::Column::ReportDate.eq(date.to_string()))
        .one(db)
        .await?)
}

async fn technician_view(
    db: &impl ConnectionTrait,
    technician: &user::Model,
    unit: &org_unit::Model,
    date: Date,
    row: Option<&technician_daily_report::Model>,
    preview: Vec<ReportLine>,
) -> Result<TechnicianReportView, AppError> {
    let (lines, views) = match row {
        Some(row) => {
            let rows = line_rows(db, row.id).await?;
            let lines: Vec<ReportLine> = rows.iter().map(line_of).collect();
            let views = rows
                .iter()
                .zip(&lines)
                .map(|(r, l)| line_view(Some(r.id), l))
                .collect();
            (lines, views)
        }
        None => {
            let views = preview.iter().map(|l| line_view(None, l)).collect();
            (preview, views)
        }
    };
    Ok(TechnicianReportView {
        id: row.map(|r| r.id),
        technician_id: technician.id,
        technician_name: technician.display_name.clone(),
        org_unit_id: unit.id,
        org_unit_name: unit.name.clone(),
        date: date.to_string(),
        status: row.map_or_else(|| "draft".to_string(), |r| r.status.clone()),
        submitted_at: row.and_then(|r| r.submitted_at).map(format_ms),
        reopen_reason: row.and_then(|r| r.reopen_reason.clone()),
        totals: Totals::of(&lines).into(),
        lines: views,
        version: row.map_or(0, |r| r.version),
    })
}

/// A technician's report for a day: the saved one, or a preview from the orders.
pub async fn technician_report(
    app: &App,
    actor: &Actor,
    user_id: i64,
    date: &str,
) -> Result<TechnicianReportView, AppError> {
    let date = parse_date(date)?;
    let (technician, unit) = technician_for_read(&app.db, actor, user_id).await?;
    let row = find_report(&app.db, user_id, date).await?;
    let preview = match row {
        Some(_) => Vec::new(),
        None => job_lines_for(app, &app.db, user_id, date, &zone_of(&unit)).await?,
    };
    technician_view(&app.db, &technician, &unit, date, row.as_ref(), preview).await
}

fn check_not_future(app: &App, date: Date, zone: &TimeZone) -> Result<(), AppError> {
    if date > app.clock.now().to_zoned(zone.clone()).date() {
        return Err(AppError::invalid("date", "in_future"));
    }
    Ok(())
}

/// Creates the draft if there is none and (re)writes its job lines from the orders, keeping
/// the D lines. Refused once submitted.
async fn refresh_in(
    app: &App,
    db: &impl ConnectionTrait,
    technician: &user::Model,
    unit: &org_unit::Model,
    date: Date,
    now: i64,
) -> Result<(technician_daily_report::Model, bool), AppError> {
    let (row, created) = match find_report(db, technician.id, date).await? {
        Some(row) => (row, false),
        None => {
            let row = technician_daily_report::ActiveModel {
                technician_id: Set(technician.id),
                org_unit_id: Set(unit.id),
                report_date: Set(date.to_string()),
                status: Set(TechnicianReportStatus::Draft.as_str().to_string()),
                submitted_at: Set(None),
                reopen_reason: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
            (row, true)
        }
    };
    if row.status != TechnicianReportStatus::Draft.as_str() {
        return Err(AppError::conflict("report_submitted"));
    }
    let jobs = job_lines_for(app, db, technician.id, date, &zone_of(unit)).await?;
    let existing = line_rows(db, row.id).await?;
    let mut changed = created;
    // Job lines are updated in place (same row per order), so refreshing twice is a no-op.
    for stale in existing.iter().filter(|l| {
        l.order_id
            .is_some_and(|order| !jobs.iter().any(|j| j.order_id == Some(order)))
    }) {
        technician_daily_report_line::Entity::delete_by_id(stale.id)
            .exec(db)
            .await?;
        changed = true;
    }
    for (position, line) in jobs.iter().enumerate() {
        let position = position as i32;
        match existing.iter().find(|l| l.order_id == line.order_id) {
            Some(current) => {
                let wanted = ReportLine {
                    note: current.note.clone(),
                    ..line.clone()
                };
                if line_of(current) != wanted || current.position != position {
                    let mut active = current.clone().into_active_model();
                    active.order_number = Set(line.order_number.clone());
                    active.category = Set(line.category.as_str().to_string());
                    active.minutes = Set(line.minutes);
                    active.position = Set(position);
                    active.update(db).await?;
                    changed = true;
                }
            }
            None => {
                insert_line(db, row.id, line, position, now).await?;
                changed = true;
            }
        }
    }
    // Manual lines keep their rows and follow the jobs.
    for (offset, manual) in existing.iter().filter(|l| l.order_id.is_none()).enumerate() {
        let position = (jobs.len() + offset) as i32;
        if manual.position != position {
            let mut active = manual.clone().into_active_model();
            active.position = Set(position);
            active.update(db).await?;
        }
    }
    Ok((row, changed))
}

async fn insert_line(
    db: &impl ConnectionTrait,
    report_id: i64,
    line: &ReportLine,
    position: i32,
    now: i64,
) -> Result<technician_daily_report_line::Model, AppError> {
    Ok(technician_daily_report_line::ActiveModel {
        report_id: Set(report_id),
        order_id: Set(line.order_id),
        order_number: Set(line.order_number.clone()),
        category: Set(line.category.as_str().to_string()),
        minutes: Set(line.minutes),
        kind: Set(line.kind.map(|k| k.as_str().to_string())),
        note: Set(line.note.clone()),
        position: Set(position),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Bumps the report's version (and updated_at) after its lines changed.
async fn touch(
    db: &impl ConnectionTrait,
    row: &technician_daily_report::Model,
    now: i64,
) -> Result<technician_daily_report::Model, AppError> {
    let mut active = row.clone().into_active_model();
    active.version = Set(row.version + 1);
    active.updated_at = Set(now);
    versioned_update(
        db,
        active,
        technician_daily_report::Column::Version,
        row.version,
    )
    .await
}

/// Generates or refreshes the actor's own report for `date` from the orders; idempotent,
/// keeps the D lines. Refused (409 `report_submitted`) once submitted.
pub async fn generate(
    app: &App,
    actor: &Actor,
    user_id: i64,
    date: &str,
) -> Result<TechnicianReportView, AppError> {
    let date = parse_date(date)?;
    let (technician, unit) = technician_for_write(&app.db, actor, user_id).await?;
    check_not_future(app, date, &zone_of(&unit))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_report(&txn, user_id, date).await?;
    let before_lines = match &before {
        Some(row) => line_rows(&txn, row.id).await?,
        None => Vec::new(),
    };
    let (row, changed) = refresh_in(app, &txn, &technician, &unit, date, now).await?;
    if !changed && before.is_some() {
        // Nothing new on the orders: nothing to write or audit.
        drop(txn);
        return technician_view(&app.db, &technician, &unit, date, Some(&row), Vec::new()).await;
    }
    let row = touch(&txn, &row, now).await?;
    let after_lines = line_rows(&txn, row.id).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "technician_daily_report",
        row.id,
        "generate",
        Some(&before_lines),
        Some(&after_lines),
    )
    .await?;
    let view = technician_view(&txn, &technician, &unit, date, Some(&row), Vec::new()).await?;
    txn.commit().await?;
    Ok(view)
}

/// Adds an internal (D) line to the actor's own draft (created from the orders if missing).
pub async fn add_line(
    app: &App,
    actor: &Actor,
    user_id: i64,
    date: &str,
    input: &LineInput,
) -> Result<TechnicianReportView, AppError> {
    let date = parse_date(date)?;
    let (technician, unit) = technician_for_write(&app.db, actor, user_id).await?;
    check_not_future(app, date, &zone_of(&unit))?;
    let kind = InternalWork::parse(input.kind.trim())
        .ok_or_else(|| AppError::invalid("kind", "invalid_choice"))?;
    let note = optional_text(input.note.as_deref(), 200)
        .map_err(|code| AppError::invalid("note", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = match find_report(&txn, user_id, date).await? {
        Some(row) if row.status != TechnicianReportStatus::Draft.as_str() => {
            return Err(AppError::conflict("report_submitted"))
        }
        Some(row) => row,
        None => {
            refresh_in(app, &txn, &technician, &unit, date, now)
                .await?
                .0
        }
    };
    let existing: Vec<ReportLine> = line_rows(&txn, row.id).await?.iter().map(line_of).collect();
    let line = rules::internal_line(kind, input.minutes, note, &existing)
        .map_err(|err| AppError::invalid("minutes", err.code()))?;
    let inserted = insert_line(&txn, row.id, &line, existing.len() as i32, now).await?;
    let row = touch(&txn, &row, now).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "technician_daily_report",
        row.id,
        "add_line",
        None::<&()>,
        Some(&inserted),
    )
    .await?;
    let view = technician_view(&txn, &technician, &unit, date, Some(&row), Vec::new()).await?;
    txn.commit().await?;
    Ok(view)
}

/// Removes a D line from the actor's own draft. Job lines come from the orders and cannot be
/// removed (409 `job_line`).
pub async fn remove_line(
    app: &App,
    actor: &Actor,
    user_id: i64,
    date: &str,
    line_id: i64,
) -> Result<TechnicianReportView, AppError> {
    let date = parse_date(date)?;
    let (technician, unit) = technician_for_write(&app.db, actor, user_id).await?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_report(&txn, user_id, date)
        .await?
        .ok_or(AppError::NotFound)?;
    let line = technician_daily_report_line::Entity::find_by_id(line_id)
        .one(&txn)
        .await?
        .filter(|l| l.report_id == row.id)
        .ok_or(AppError::NotFound)?;
    if row.status != TechnicianReportStatus::Draft.as_str() {
        return Err(AppError::conflict("report_submitted"));
    }
    if line.order_id.is_some() {
        return Err(AppError::conflict("job_line"));
    }
    technician_daily_report_line::Entity::delete_by_id(line.id)
        .exec(&txn)
        .await?;
    let row = touch(&txn, &row, now).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "technician_daily_report",
        row.id,
        "remove_line",
        Some(&line),
        None::<&()>,
    )
    .await?;
    let view = technician_view(&txn, &technician, &unit, date, Some(&row), Vec::new()).await?;
    txn.commit().await?;
    Ok(view)
}

/// Submits the actor's own report (generating it first if nothing is saved); read-only after.
pub async fn submit(
    app: &App,
    actor: &Actor,
    user_id: i64,
    date: &str,
) -> Result<TechnicianReportView, AppError> {
    let date = parse_date(date)?;
    let (technician, unit) = technician_for_write(&app.db, actor, user_id).await?;
    check_not_future(app, date, &zone_of(&unit))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = match find_report(&txn, user_id, date).await? {
        Some(row) => row,
        None => {
            refresh_in(app, &txn, &technician, &unit, date, now)
                .await?
                .0
        }
    };
    let from = TechnicianReportStatus::parse(&row.status).ok_or_else(invalid_transition)?;
    let to = rules::next_technician_status(from, TechnicianReportEvent::Submit)
        .map_err(|_| invalid_transition())?;
    let mut active = row.clone().into_active_model();
    active.status = Set(to.as_str().to_string());
    active.submitted_at = Set(Some(now));
    active.version = Set(row.version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(
        &txn,
        active,
        technician_daily_report::Column::Version,
        row.version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "technician_daily_report",
        row.id,
        "submit",
        Some(&row),
        Some(&after),
    )
    .await?;
    let view = technician_view(&txn, &technician, &unit, date, Some(&after), Vec::new()).await?;
    txn.commit().await?;
    Ok(view)
}

/// The supervisor reopens a submitted technician report for correction (reason required);
/// the technician is notified. A branch report already signed keeps its snapshot.
pub async fn reopen(
    app: &App,
    actor: &Actor,
    user_id: i64,
    date: &str,
    input: &ReasonInput,
) -> Result<TechnicianReportView, AppError> {
    actor.require(Permission::OrderDispatch)?;
    let date = parse_date(date)?;
    let reason =
        required_text(&input.reason, 500).map_err(|code| AppError::invalid("reason", code))?;
    let (technician, unit) = technician_for_read(&app.db, actor, user_id).await?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_report(&txn, user_id, date)
        .await?
        .ok_or_else(invalid_transition)?;
    let from = TechnicianReportStatus::parse(&row.status).ok_or_else(invalid_transition)?;
    let to = rules::next_technician_status(from, TechnicianReportEvent::Reopen)
        .map_err(|_| invalid_transition())?;
    let mut active = row.clone().into_active_model();
    active.status = Set(to.as_str().to_string());
    active.submitted_at = Set(None);
    active.reopen_reason = Set(Some(reason.clone()));
    active.version = Set(row.version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(
        &txn,
        active,
        technician_daily_report::Column::Version,
        row.version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "technician_daily_report",
        row.id,
        "reopen",
        Some(&row),
        Some(&after),
    )
    .await?;
    notifications::notify(
        &txn,
        now,
        &[user_id],
        &Message {
            kind: "daily_report_reopened",
            link: Some(format!("/daily-reports/technician/{user_id}/{date}")),
            zh: (format!("{date} 工作日报退回修改"), reason.clone()),
            en: (
                format!("Daily report of {date} returned for correction"),
                reason,
            ),
        },
    )
    .await?;
    let view = technician_view(&txn, &technician, &unit, date, Some(&after), Vec::new()).await?;
    txn.commit().await?;
    Ok(view)
}

// ----- the branch (supervisor's) report -----

/// The live aggregate: submitted technician reports of the branch and day, and the branch's
/// technicians who have not submitted.
async fn live_summary(
    db: &impl ConnectionTrait,
    unit_id: i64,
    date: Date,
) -> Result<Snapshot, AppError> {
    let reports = technician_daily_report::Entity::find()
        .filter(technician_daily_report::Column::OrgUnitId.eq(unit_id))
        .filter(technician_daily_report::Column::ReportDate.eq(date.to_string()))
        .all(db)
        .await?;
    let mut technician_ids =
        notifications::users_with_role(db, Role::Technician, Some(unit_id)).await?;
    technician_ids.extend(reports.iter().map(|r| r.technician_id));
    technician_ids.sort_unstable();
    technician_ids.dedup();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(technician_ids.clone()))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let mut submitted = Vec::new();
    let mut missing = Vec::new();
    for technician in &users {
        match reports.iter().find(|r| r.technician_id == technician.id) {
            Some(report) if report.status == TechnicianReportStatus::Submitted.as_str() => {
                let lines: Vec<ReportLine> = line_rows(db, report.id)
                    .await?
                    .iter()
                    .map(line_of)
                    .collect();
                submitted.push((technician.id, technician.display_name.clone(), lines));
            }
            other => missing.push(MissingReport {
                technician_id: technician.id,
                technician_name: technician.display_name.clone(),
                status: other.map_or_else(|| "none".to_string(), |r| r.status.clone()),
            }),
        }
    }
    let summary = rules::summarise(&submitted);
    Ok(Snapshot {
        technicians: summary
            .technicians
            .into_iter()
            .map(|t| TechnicianRow {
                technician_id: t.technician_id,
                technician_name: t.technician_name,
                totals: t.totals.into(),
            })
            .collect(),
        totals: summary.totals.into(),
        missing,
    })
}

async fn find_branch_report(
    db: &impl ConnectionTrait,
    unit_id: i64,
    date: Date,
) -> Result<Option<branch_daily_report::Model>, AppError> {
    Ok(branch_daily_report::Entity::find()
        .filter(branch_daily_report::Column::OrgUnitId.eq(unit_id))
        .filter(branch_daily_report::Column::ReportDate.eq(date.to_string()))
        .one(db)
        .await?)
}

async fn branch_view(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
    date: Date,
    row: Option<&branch_daily_report::Model>,
) -> Result<BranchReportView, AppError> {
    let frozen = row
        .and_then(|r| r.snapshot_json.as_deref())
        .and_then(|json| serde_json::from_str::<Snapshot>(json).ok());
    let is_frozen = frozen.is_some();
    let snapshot = match frozen {
        Some(snapshot) => snapshot,
        None => live_summary(db, unit.id, date).await?,
    };
    let status = row
        .and_then(|r| BranchReportStatus::parse(&r.status))
        .unwrap_or(BranchReportStatus::Draft);
    Ok(BranchReportView {
        id: row.map(|r| r.id),
        org_unit_id: unit.id,
        org_unit_name: unit.name.clone(),
        date: date.to_string(),
        status: status.as_str().to_string(),
        frozen: is_frozen,
        technicians: snapshot.technicians,
        totals: snapshot.totals,
        missing: snapshot.missing,
        submitted_by: user_name(db, row.and_then(|r| r.submitted_by)).await?,
        submitted_at: row.and_then(|r| r.submitted_at).map(format_ms),
        approved_by: user_name(db, row.and_then(|r| r.approved_by)).await?,
        approved_at: row.and_then(|r| r.approved_at).map(format_ms),
        forwarded_by: user_name(db, row.and_then(|r| r.forwarded_by)).await?,
        forwarded_at: row.and_then(|r| r.forwarded_at).map(format_ms),
        return_reason: row.and_then(|r| r.return_reason.clone()),
        next_events: rules::branch_events(status)
            .iter()
            .map(|e| e.as_str().to_string())
            .collect(),
        version: row.map_or(0, |r| r.version),
    })
}

async fn branch_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    unit_id: i64,
) -> Result<org_unit::Model, AppError> {
    if matches!(actor.scope(), Scope::Customer(_)) {
        return Err(AppError::NotFound);
    }
    actor.ensure_sees(unit_id, None)?;
    load_unit(db, unit_id).await
}

/// The supervisor's report of a branch for a day: frozen once approved, else live.
pub async fn branch_report(
    app: &App,
    actor: &Actor,
    org_unit_id: i64,
    date: &str,
) -> Result<BranchReportView, AppError> {
    actor.require(Permission::DailyReportRead)?;
    let date = parse_date(date)?;
    let unit = branch_for(&app.db, actor, org_unit_id).await?;
    let row = find_branch_report(&app.db, org_unit_id, date).await?;
    branch_view(&app.db, &unit, date, row.as_ref()).await
}

/// One step of the branch report: `submit` (supervisor, `OrderDispatch`), `approve`,
/// `return` (with a reason) and `forward` (branch manager, `ReportApprove`). Approval freezes
/// the aggregate; forwarding notifies the customer department.
pub async fn branch_step(
    app: &App,
    actor: &Actor,
    org_unit_id: i64,
    date: &str,
    event: BranchReportEvent,
    reason: Option<&str>,
) -> Result<BranchReportView, AppError> {
    actor.require(match event {
        BranchReportEvent::Submit => Permission::OrderDispatch,
        _ => Permission::ReportApprove,
    })?;
    let date = parse_date(date)?;
    let unit = branch_for(&app.db, actor, org_unit_id).await?;
    let reason = match event {
        BranchReportEvent::Return => Some(
            required_text(reason.unwrap_or(""), 500)
                .map_err(|code| AppError::invalid("reason", code))?,
        ),
        _ => None,
    };
    if event == BranchReportEvent::Submit {
        check_not_future(app, date, &zone_of(&unit))?;
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = match find_branch_report(&txn, org_unit_id, date).await? {
        Some(row) => row,
        None if event == BranchReportEvent::Submit => {
            branch_daily_report::ActiveModel {
                org_unit_id: Set(org_unit_id),
                report_date: Set(date.to_string()),
                status: Set(BranchReportStatus::Draft.as_str().to_string()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
        None => return Err(invalid_transition()),
    };
    let from = BranchReportStatus::parse(&row.status).ok_or_else(invalid_transition)?;
    let to = rules::next_branch_status(from, event).map_err(|_| invalid_transition())?;
    let mut active = row.clone().into_active_model();
    active.status = Set(to.as_str().to_string());
    active.version = Set(row.version + 1);
    active.updated_at = Set(now);
    let date_text = date.to_string();
    let link = format!("/daily-reports/branch/{org_unit_id}/{date_text}");
    let (recipients, message) = match event {
        BranchReportEvent::Submit => {
            active.submitted_by = Set(Some(actor.user_id));
            active.submitted_at = Set(Some(now));
            active.return_reason = Set(None);
            (
                notifications::users_with_role(&txn, Role::BranchManager, Some(org_unit_id))
                    .await?,
                Some(Message {
                    kind: "branch_daily_report_submitted",
                    link: Some(link),
                    zh: (
                        format!("{} {date_text} 服务主任日报表待审批", unit.name),
                        String::new(),
                    ),
                    en: (
                        format!(
                            "Supervisor's daily report {} {date_text} awaits approval",
                            unit.name
                        ),
                        String::new(),
                    ),
                }),
            )
        }
        BranchReportEvent::Approve => {
            let snapshot = live_summary(&txn, org_unit_id, date).await?;
            active.approved_by = Set(Some(actor.user_id));
            active.approved_at = Set(Some(now));
            active.snapshot_json = Set(Some(
                serde_json::to_string(&snapshot).map_err(|e| anyhow::anyhow!(e))?,
            ));
            (Vec::new(), None)
        }
        BranchReportEvent::Return => {
            let reason = reason.clone().unwrap_or_default();
            active.return_reason = Set(Some(reason.clone()));
            active.submitted_by = Set(None);
            active.submitted_at = Set(None);
            (
                row.submitted_by.into_iter().collect(),
                Some(Message {
                    kind: "branch_daily_report_returned",
                    link: Some(link),
                    zh: (
                        format!("{} {date_text} 服务主任日报表退回修改", unit.name),
                        reason.clone(),
                    ),
                    en: (
                        format!(
                            "Supervisor's daily report {} {date_text} returned for correction",
                            unit.name
                        ),
                        reason,
                    ),
                }),
            )
        }
        BranchReportEvent::Forward => {
            active.forwarded_by = Set(Some(actor.user_id));
            active.forwarded_at = Set(Some(now));
            (
                notifications::users_with_role(&txn, Role::CustomerDepartment, None).await?,
                Some(Message {
                    kind: "branch_daily_report_forwarded",
                    link: Some(link),
                    zh: (
                        format!("{} {date_text} 服务主任日报表（已签批）", unit.name),
                        format!("签批：{}", actor.display_name),
                    ),
                    en: (
                        format!(
                            "Supervisor's daily report {} {date_text} (signed)",
                            unit.name
                        ),
                        format!("Signed by {}", actor.display_name),
                    ),
                }),
            )
        }
    };
    let after = versioned_update(
        &txn,
        active,
        branch_daily_report::Column::Version,
        row.version,
    )
    .await?;
    if let Some(message) = message.filter(|_| !recipients.is_empty()) {
        notifications::notify(&txn, now, &recipients, &message).await?;
    }
    audit::record(
        &txn,
        now,
        Some(actor),
        "branch_daily_report",
        row.id,
        event.as_str(),
        Some(&row),
        Some(&after),
    )
    .await?;
    let view = branch_view(&txn, &unit, date, Some(&after)).await?;
    txn.commit().await?;
    Ok(view)
}

// ----- T7: the daily reminders -----

/// The timer kind of a branch's daily report reminder; subject `org_unit`, payload `{"date"}`.
pub const REMINDER: &str = "daily_report_reminder";

/// When on a working day the reminders go out (`daily_report.remind_time`, local).
async fn reminder_due(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
    day: Date,
) -> Result<i64, AppError> {
    let time = crate::settings::get_time(db, "daily_report.remind_time").await?;
    let zone = TimeZone::get(&unit.time_zone).unwrap_or_else(|_| clock::default_zone());
    day.to_datetime(time)
        .to_zoned(zone)
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|err| AppError::Internal(err.into()))
}

async fn schedule_reminder(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
    day: Date,
    now_ms: i64,
) -> Result<bool, AppError> {
    let due = reminder_due(db, unit, day).await?;
    crate::timers::schedule(
        db,
        REMINDER,
        "org_unit",
        unit.id,
        // One reminder per branch and day, however often it is scheduled.
        Some(&format!("{REMINDER}:{}:{day}", unit.id)),
        due,
        Some(&serde_json::json!({ "date": day.to_string() })),
        now_ms,
    )
    .await
}

/// Makes sure every unit that takes calls has its daily reminder pending, from today on.
/// Called when an instance starts and by every run; answers how many were scheduled.
pub async fn ensure_reminders(db: &impl ConnectionTrait, now_ms: i64) -> Result<usize, AppError> {
    let now = Timestamp::from_millisecond(now_ms).map_err(|err| AppError::Internal(err.into()))?;
    let mut scheduled = 0;
    for unit in crate::timers::call_units_without_pending(db, REMINDER).await? {
        let zone = TimeZone::get(&unit.time_zone).unwrap_or_else(|_| clock::default_zone());
        if schedule_reminder(db, &unit, now.to_zoned(zone).date(), now_ms).await? {
            scheduled += 1;
        }
    }
    Ok(scheduled)
}

/// T7, every working day of a branch's calendar: technicians without a submitted report for
/// the day are reminded, the supervisors while the branch report is not submitted, and the
/// branch managers while the previous working day's report waits for their signature.
pub struct ReminderJob;

#[async_trait::async_trait]
impl crate::timers::Job for ReminderJob {
    fn name(&self) -> &'static str {
        REMINDER
    }
    async fn run(&self, fire: &crate::timers::Fire<'_>) -> Result<(), AppError> {
        let day: Date = fire.payload()["date"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("reminder without a date")))?;
        let Some(unit) = org_unit::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        let calendar =
            fire.app
                .reference
                .snapshot(fire.txn)
                .await?
                .calendar_of(None, None, Some(unit.id))?;
        if calendar.is_always_working() || !calendar.periods_on(day).is_empty() {
            remind(fire.txn, &unit, &calendar, day, fire.now_ms).await?;
        }
        let next = day
            .tomorrow()
            .map_err(|err| AppError::Internal(anyhow::anyhow!("next day: {err}")))?;
        schedule_reminder(fire.txn, &unit, next, fire.now_ms).await?;
        ensure_reminders(fire.txn, fire.now_ms).await?;
        Ok(())
    }
}

async fn remind(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
    calendar: &aftersales_domain::calendar::Calendar,
    day: Date,
    now_ms: i64,
) -> Result<(), AppError> {
    let link = Some(format!(
        "/daily-reports/branch?org_unit_id={}&date={day}",
        unit.id
    ));
    let missing: Vec<i64> = live_summary(db, unit.id, day)
        .await?
        .missing
        .into_iter()
        .map(|m| m.technician_id)
        .collect();
    let message = Message {
        kind: "daily_report_reminder",
        link: Some(format!("/my-daily-report?date={day}")),
        zh: (format!("请提交 {day} 的技术员工作日报表"), String::new()),
        en: (
            format!("Please submit your daily report for {day}"),
            String::new(),
        ),
    };
    notifications::notify(db, now_ms, &missing, &message).await?;
    let status = |row: Option<branch_daily_report::Model>| {
        row.and_then(|r| BranchReportStatus::parse(&r.status))
            .unwrap_or(BranchReportStatus::Draft)
    };
    if status(find_branch_report(db, unit.id, day).await?) == BranchReportStatus::Draft {
        let supervisors =
            notifications::users_with_role(db, Role::ServiceSupervisor, Some(unit.id)).await?;
        let message = Message {
            kind: "branch_report_due",
            link: link.clone(),
            zh: (
                format!("请提交 {} {day} 的服务主任日报表", unit.name),
                String::new(),
            ),
            en: (
                format!(
                    "Please submit the supervisor's daily report of {} for {day}",
                    unit.name
                ),
                String::new(),
            ),
        };
        notifications::notify(db, now_ms, &supervisors, &message).await?;
    }
    if let Some(previous) = previous_working_day(calendar, day) {
        if status(find_branch_report(db, unit.id, previous).await?) == BranchReportStatus::Submitted
        {
            let managers =
                notifications::users_with_role(db, Role::BranchManager, Some(unit.id)).await?;
            let message = Message {
                kind: "branch_report_unsigned",
                link: Some(format!(
                    "/daily-reports/branch?org_unit_id={}&date={previous}",
                    unit.id
                )),
                zh: (
                    format!("{} {previous} 的日报表待您审签", unit.name),
                    String::new(),
                ),
                en: (
                    format!(
                        "The daily report of {} for {previous} waits for your signature",
                        unit.name
                    ),
                    String::new(),
                ),
            };
            notifications::notify(db, now_ms, &managers, &message).await?;
        }
    }
    Ok(())
}

/// The last working day before `day` within a month (none: nothing to chase).
fn previous_working_day(
    calendar: &aftersales_domain::calendar::Calendar,
    day: Date,
) -> Option<Date> {
    let mut candidate = day;
    for _ in 0..31 {
        candidate = candidate.yesterday().ok()?;
        if calendar.is_always_working() || !calendar.periods_on(candidate).is_empty() {
            return Some(candidate);
        }
    }
    None
}
