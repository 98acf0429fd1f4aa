//! REPORT-1, T13: the monthly statistics for the general admin office and the GM office. On
//! the 1st a timer drafts last month's figures from what was recorded (installations,
//! dispatches, parts fitted, transport), on the 3rd it reminds the customer department, and
//! after the 5th an unsubmitted month is flagged late (`domain::monthly_statistics`). The
//! customer department submits, which freezes the figures as they then stand.
//!
//! Dispatch cost is person-days at the standard day cost `report.dispatch_day_cost_fen`
//! (design decision: travel expense claims are not recorded in this system).

use std::collections::HashSet;

use aftersales_domain::monthly_statistics::{cycle, is_late, Effort, Figures};
use aftersales_domain::order_task::TaskKind;
use aftersales_domain::parts::MovementKind;
use aftersales_domain::role::{Permission, Role};
use aftersales_store::entity::{
    monthly_statistic, order_task, service_order_event, stock_movement,
};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use jiff::civil::Date;
use serde::Serialize;

use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::timers::{self, Fire, Job};
use crate::{audit, clock, format_ms, settings, Actor, App, AppError};

/// The timer kind; payload `{"month": "YYYY-MM", "step": "draft" | "remind" | "due"}`.
pub const JOB: &str = "monthly_statistics";

const DRAFT: &str = "draft";
const SUBMITTED: &str = "submitted";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EffortView {
    pub person_times: i64,
    pub person_days: f64,
    pub cost_fen: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthView {
    /// YYYY-MM.
    pub month: String,
    /// draft or submitted.
    pub status: String,
    pub installation: EffortView,
    pub guidance_fee_fen: i64,
    pub dispatch: EffortView,
    pub material_fen: i64,
    pub transport_fen: i64,
    /// Everything except the installation-guidance fees.
    pub total_cost_fen: i64,
    pub due_on: String,
    pub late: bool,
    pub drafted_at: String,
    pub submitted_at: Option<String>,
    pub version: i32,
}

fn effort(e: Effort) -> EffortView {
    EffortView {
        person_times: e.person_times,
        person_days: e.person_days,
        cost_fen: e.cost_fen,
    }
}

fn parse_month(text: &str) -> Result<Date, AppError> {
    format!("{}-01", text.trim())
        .parse::<Date>()
        .map_err(|_| AppError::invalid("month", "invalid_month"))
}

fn month_code(month: Date) -> String {
    month.strftime("%Y-%m").to_string()
}

/// `[start, end)` of a local month in UTC milliseconds.
fn month_bounds(month: Date) -> Result<(i64, i64), AppError> {
    let zone = clock::default_zone();
    let start = |day: Date| {
        day.to_zoned(zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|err| AppError::Internal(err.into()))
    };
    Ok((
        start(month.first_of_month())?,
        start(cycle(month).draft_on)?,
    ))
}

/// The month's figures from what was recorded.
pub async fn figures(db: &impl ConnectionTrait, month: Date) -> Result<Figures, AppError> {
    let (from, until) = month_bounds(month)?;
    let installations = crate::installations::month_totals(db, None, &month_code(month)).await?;
    // Dispatches: every check-in at a customer's is a person-visit; a technician's working
    // day with at least one is a person-day.
    let check_ins = service_order_event::Entity::find()
        .filter(service_order_event::Column::Event.eq("check_in"))
        .filter(service_order_event::Column::At.gte(from))
        .filter(service_order_event::Column::At.lt(until))
        .all(db)
        .await?;
    let zone = clock::default_zone();
    let days: HashSet<(Option<i64>, Date)> = check_ins
        .iter()
        .filter_map(|e| {
            let day = jiff::Timestamp::from_millisecond(e.at)
                .ok()?
                .to_zoned(zone.clone())
                .date();
            Some((e.actor_id, day))
        })
        .collect();
    let day_cost = settings::get_count(db, "report.dispatch_day_cost_fen").await?;
    let person_days = days.len() as i64;
    // Parts fitted at their cost, less what came back unused.
    let mut material_fen = 0;
    for movement in stock_movement::Entity::find()
        .filter(stock_movement::Column::Kind.is_in([
            MovementKind::Issue.as_str(),
            MovementKind::ReturnUnused.as_str(),
        ]))
        .filter(stock_movement::Column::CreatedAt.gte(from))
        .filter(stock_movement::Column::CreatedAt.lt(until))
        .all(db)
        .await?
    {
        let value = movement.quantity * movement.unit_cost_fen;
        material_fen += if movement.kind == MovementKind::Issue.as_str() {
            value
        } else {
            -value
        };
    }
    let transport_fen = order_task::Entity::find()
        .filter(order_task::Column::Kind.eq(TaskKind::Transport.as_str()))
        .filter(order_task::Column::ClosedAt.gte(from))
        .filter(order_task::Column::ClosedAt.lt(until))
        .all(db)
        .await?
        .iter()
        .filter_map(|t| t.cost_fen)
        .sum();
    Ok(Figures {
        installation: Effort {
            person_times: installations.person_times,
            person_days: installations.person_days,
            cost_fen: installations.cost_fen,
        },
        guidance_fee_fen: installations.guidance_fee_fen,
        dispatch: Effort {
            person_times: check_ins.len() as i64,
            person_days: person_days as f64,
            cost_fen: person_days * day_cost,
        },
        material_fen,
        transport_fen,
    })
}

fn view(row: &monthly_statistic::Model) -> Result<MonthView, AppError> {
    let month = parse_month(&row.month)?;
    let figures: Figures = row
        .figures_json
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    Ok(MonthView {
        month: row.month.clone(),
        status: row.status.clone(),
        installation: effort(figures.installation),
        guidance_fee_fen: figures.guidance_fee_fen,
        dispatch: effort(figures.dispatch),
        material_fen: figures.material_fen,
        transport_fen: figures.transport_fen,
        total_cost_fen: figures.total_cost_fen(),
        due_on: cycle(month).due_on.to_string(),
        late: row.late,
        drafted_at: format_ms(row.drafted_at),
        submitted_at: row.submitted_at.map(format_ms),
        version: row.version,
    })
}

async fn find(
    db: &impl ConnectionTrait,
    month: Date,
) -> Result<Option<monthly_statistic::Model>, AppError> {
    Ok(monthly_statistic::Entity::find()
        .filter(monthly_statistic::Column::Month.eq(month_code(month)))
        .one(db)
        .await?)
}

/// Drafts (or, while still a draft, refreshes) a month's figures; answers the row.
async fn draft_in(
    db: &impl ConnectionTrait,
    month: Date,
    now_ms: i64,
) -> Result<monthly_statistic::Model, AppError> {
    let json = serde_json::to_string(&figures(db, month).await?)
        .map_err(|err| AppError::Internal(err.into()))?;
    match find(db, month).await? {
        Some(row) if row.status == SUBMITTED => Ok(row),
        Some(row) => {
            let mut active: monthly_statistic::ActiveModel = row.into();
            active.figures_json = Set(Some(json));
            active.drafted_at = Set(now_ms);
            Ok(active.update(db).await?)
        }
        None => Ok(monthly_statistic::ActiveModel {
            month: Set(month_code(month)),
            status: Set(DRAFT.to_string()),
            figures_json: Set(Some(json)),
            drafted_at: Set(now_ms),
            submitted_by: Set(None),
            submitted_at: Set(None),
            late: Set(false),
            version: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}

/// Schedules one step of a month's cycle at 08:00 local on its day (once, by dedupe key).
async fn schedule_step(
    db: &impl ConnectionTrait,
    month: Date,
    step: &str,
    day: Date,
    now_ms: i64,
) -> Result<bool, AppError> {
    let due = day
        .to_datetime(jiff::civil::Time::constant(8, 0, 0, 0))
        .to_zoned(clock::default_zone())
        .map_err(|err| AppError::Internal(err.into()))?
        .timestamp()
        .as_millisecond();
    let code = month_code(month);
    timers::schedule(
        db,
        JOB,
        "monthly_statistics",
        0,
        Some(&format!("{JOB}:{code}:{step}")),
        due,
        Some(&serde_json::json!({ "month": code, "step": step })),
        now_ms,
    )
    .await
}

/// Makes sure this month's cycle is scheduled (its draft on the 1st of next month). Called
/// when an instance starts and by every draft, which schedules the following month.
pub async fn ensure_cycle(db: &impl ConnectionTrait, now_ms: i64) -> Result<bool, AppError> {
    let today = jiff::Timestamp::from_millisecond(now_ms)
        .map_err(|err| AppError::Internal(err.into()))?
        .to_zoned(clock::default_zone())
        .date();
    schedule_step(
        db,
        today.first_of_month(),
        "draft",
        cycle(today).draft_on,
        now_ms,
    )
    .await
}

async fn tell(
    db: &impl ConnectionTrait,
    roles: &[Role],
    kind: &'static str,
    month: &str,
    zh: String,
    en: String,
    now_ms: i64,
) -> Result<(), AppError> {
    let mut people = Vec::new();
    for role in roles {
        people.extend(notifications::users_with_role(db, *role, None).await?);
    }
    let message = Message {
        kind,
        link: Some(format!("/monthly-statistics/{month}")),
        zh: (zh, String::new()),
        en: (en, String::new()),
    };
    notifications::notify(db, now_ms, &people, &message).await?;
    Ok(())
}

pub struct CycleJob;

#[async_trait::async_trait]
impl Job for CycleJob {
    fn name(&self) -> &'static str {
        JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let payload = fire.payload();
        let month = parse_month(payload["month"].as_str().unwrap_or_default())?;
        let code = month_code(month);
        let days = cycle(month);
        match payload["step"].as_str().unwrap_or_default() {
            "draft" => {
                draft_in(fire.txn, month, fire.now_ms).await?;
                schedule_step(fire.txn, month, "remind", days.remind_on, fire.now_ms).await?;
                let after_due = days
                    .due_on
                    .tomorrow()
                    .map_err(|e| AppError::Internal(e.into()))?;
                schedule_step(fire.txn, month, "due", after_due, fire.now_ms).await?;
                let next = days.draft_on;
                schedule_step(fire.txn, next, "draft", cycle(next).draft_on, fire.now_ms).await?;
                let zh = format!("{code} 月度统计已生成草稿，请于 {} 前报出", days.due_on);
                let en = format!(
                    "The statistics of {code} are drafted; submit them by {}",
                    days.due_on
                );
                tell(
                    fire.txn,
                    &[Role::CustomerDepartment],
                    "monthly_statistics_draft",
                    &code,
                    zh,
                    en,
                    fire.now_ms,
                )
                .await
            }
            step @ ("remind" | "due") => {
                let Some(row) = find(fire.txn, month).await? else {
                    return Ok(());
                };
                if row.status == SUBMITTED {
                    return Ok(());
                }
                if step == "due" {
                    let mut active: monthly_statistic::ActiveModel = row.into();
                    active.late = Set(true);
                    active.update(fire.txn).await?;
                    let zh = format!("{code} 月度统计逾期未报");
                    let en = format!("The statistics of {code} are overdue");
                    tell(
                        fire.txn,
                        &[Role::CustomerDepartment, Role::GeneralManager],
                        "monthly_statistics_late",
                        &code,
                        zh,
                        en,
                        fire.now_ms,
                    )
                    .await
                } else {
                    let zh = format!("请于 {} 前报出 {code} 月度统计", days.due_on);
                    let en = format!("Submit the statistics of {code} by {}", days.due_on);
                    tell(
                        fire.txn,
                        &[Role::CustomerDepartment],
                        "monthly_statistics_reminder",
                        &code,
                        zh,
                        en,
                        fire.now_ms,
                    )
                    .await
                }
            }
            other => Err(AppError::Internal(anyhow::anyhow!("unknown step {other}"))),
        }
    }
}

/// The months drafted so far, newest first.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<MonthView>, AppError> {
    actor.require(Permission::DailyReportRead)?;
    monthly_statistic::Entity::find()
        .order_by_desc(monthly_statistic::Column::Month)
        .all(&app.db)
        .await?
        .iter()
        .map(view)
        .collect()
}

pub async fn get(app: &App, actor: &Actor, month: &str) -> Result<MonthView, AppError> {
    actor.require(Permission::DailyReportRead)?;
    let month = parse_month(month)?;
    view(&find(&app.db, month).await?.ok_or(AppError::NotFound)?)
}

/// Drafts a month now (or refreshes its draft), e.g. for a month before the system ran.
pub async fn draft(app: &App, actor: &Actor, month: &str) -> Result<MonthView, AppError> {
    actor.require(Permission::MonthlyReport)?;
    let month = parse_month(month)?;
    if month >= app.today().first_of_month() {
        return Err(AppError::invalid("month", "month_not_over"));
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find(&txn, month).await?;
    let row = draft_in(&txn, month, now).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "monthly_statistics",
        row.id,
        "draft",
        before.as_ref(),
        Some(&row),
    )
    .await?;
    let view = view(&row)?;
    txn.commit().await?;
    Ok(view)
}

/// Submits a month to the general admin office and the GM office: the figures are frozen as
/// they now stand, and a submission after the 5th is flagged late.
pub async fn submit(
    app: &App,
    actor: &Actor,
    month: &str,
    version: i32,
) -> Result<MonthView, AppError> {
    actor.require(Permission::MonthlyReport)?;
    let month = parse_month(month)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find(&txn, month).await?.ok_or(AppError::NotFound)?;
    if row.status == SUBMITTED {
        return Err(AppError::Conflict {
            code: "already_submitted",
            field: Some("status"),
            detail: None,
        });
    }
    let refreshed = draft_in(&txn, month, now).await?;
    let mut active: monthly_statistic::ActiveModel = refreshed.into();
    active.status = Set(SUBMITTED.to_string());
    active.submitted_by = Set(Some(actor.user_id));
    active.submitted_at = Set(Some(now));
    active.late = Set(is_late(&cycle(month), Some(app.today()), app.today()));
    active.version = Set(version + 1);
    let after = versioned_update(&txn, active, monthly_statistic::Column::Version, version).await?;
    let code = month_code(month);
    tell(
        &txn,
        &[Role::GeneralManager, Role::DeputyGeneralManager],
        "monthly_statistics_submitted",
        &code,
        format!("{code} 月度统计已报出"),
        format!("The statistics of {code} were submitted"),
        now,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "monthly_statistics",
        row.id,
        "submit",
        Some(&row),
        Some(&after),
    )
    .await?;
    let view = view(&after)?;
    txn.commit().await?;
    Ok(view)
}
