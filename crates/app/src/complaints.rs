//! Complaints (客户投诉, COMPLAINT-1..15, Appendix C.5, timers T10–T12).
//!
//! Any staff member or the complaint hotline registers a complaint or a complaint tendency;
//! it is numbered from `complaint.number_pattern` and goes at once to the customer
//! department. Routing by type (configurable rules, `complaint_routes`, defaults in
//! `domain::complaint`) creates one task per department with a due date; each department
//! enters its own findings. The customer's first reply is an SLA clock of
//! `complaint.reply_hours` from acceptance, in calendar time unless
//! `complaint.reply_working_time` is 1 (then working time of the effective calendar: customer
//! → branch → cn-standard); a timer escalates it when it runs out. Overdue tasks and cases
//! produce overdue reminders (催办单) by durable timers, each repeat one level higher; closing
//! runs the timeliness audit and proposes a follow-up notice (洽办单) per late department,
//! which the officer sends or drops and whose reply is logged. Closed cases name the
//! responsible department or person; the monthly review (reminded on the 1st, due the 10th)
//! gives each a sanction, administrative ones form the HR list (人事公布单) and deductions and
//! rewards a reward/penalty notice (奖罚通知单) the general manager approves.

use std::collections::HashMap;

use aftersales_domain::calendar::Calendar;
use aftersales_domain::complaint::{
    self as rules, CaseFacts, Channel, CloseFacts, ComplaintEvent, ComplaintStatus, ComplaintType,
    DecideFacts, Sanction, Severity, StaffFault, Subject, TargetLevel, TaskTiming, ToldChannel,
};
use aftersales_domain::org::DepartmentKind;
use aftersales_domain::role::{Permission, Role, Scope};
use aftersales_domain::sla::{ClockKind, ClockPolicy};
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{
    complaint, complaint_log, complaint_notice, complaint_route, complaint_task, customer,
    reward_penalty_notice, user,
};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select, Set,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::reference::Snapshot;
use crate::sla_clocks::ClockView;
use crate::timers::{self, Fire, Job};
use crate::{audit, format_ms, numbering, settings, Actor, App, AppError};

/// T10: the first reply to the customer is due.
pub const REPLY_DUE_JOB: &str = "complaint_reply_due";
/// T11: a department task passed its due date (repeats, one level higher each time).
pub const TASK_OVERDUE_JOB: &str = "complaint_task_overdue";
/// T11: the case passed the handling deadline the customer department set.
pub const CASE_OVERDUE_JOB: &str = "complaint_case_overdue";
/// T12: the monthly review of last month's closed cases (on the 1st, due the 10th).
pub const REVIEW_REMINDER_JOB: &str = "complaint_review_reminder";

pub const TASK_OPEN: &str = "open";
pub const TASK_DONE: &str = "done";
/// 催办单.
pub const REMINDER: &str = "reminder";
/// 洽办单.
pub const FOLLOW_UP: &str = "follow_up";
pub const NOTICE_ISSUED: &str = "issued";
pub const NOTICE_PROPOSED: &str = "proposed";
pub const NOTICE_SENT: &str = "sent";
pub const NOTICE_DROPPED: &str = "dropped";
pub const NOTICE_REPLIED: &str = "replied";
pub const RP_DRAFT: &str = "draft";
pub const RP_APPROVED: &str = "approved";

/// What may be logged on a complaint. A visit (前往处理) by the named handler is what
/// COMPLAINT-9 requires; a call does not satisfy it.
pub const LOG_KINDS: &[&str] = &[
    "reply",
    "visit",
    "call",
    "conference",
    "outcome_told",
    "note",
];

const SUBJECT: &str = "complaint";

// ----- inputs and views -----

/// The complaint handling form (客户抱怨处理表, COMPLAINT-3).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RegisterInput {
    /// phone, letter, email, visit, hotline, media or external_authority.
    pub channel: String,
    /// product_quality, packaging, staff_attitude, staff_negligence, dealer or other.
    pub complaint_type: String,
    /// general or major; empty: general.
    pub severity: Option<String>,
    /// What it is against: product, service_order, staff or dealer.
    pub subject_kind: String,
    /// company, superior or leadership; empty: company.
    pub target_level: Option<String>,
    /// The superior or leader addressed (required for superior/leadership); notified and
    /// watching the case (COMPLAINT-11).
    pub target_user_id: Option<i64>,
    /// Only a complaint tendency (投诉趋势): an early signal, handled the same way.
    #[serde(default)]
    pub tendency: bool,
    /// The branch it belongs to; empty: the registrant's.
    pub org_unit_id: Option<i64>,
    /// A customer on file; otherwise `customer_name` names the complainant.
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub contact_phone: Option<String>,
    pub product_id: Option<i64>,
    /// The service order complained about (required for subject service_order).
    pub order_id: Option<i64>,
    /// The sales order number (订单号).
    pub order_number: Option<String>,
    /// 料号.
    pub part_number: Option<String>,
    pub quantity: Option<i64>,
    /// YYYY-MM-DD.
    pub ship_date: Option<String>,
    /// The staff member complained about (required for subject staff).
    pub staff_id: Option<i64>,
    /// The dealer or retailer (required for subject dealer).
    pub dealer_name: Option<String>,
    pub content: String,
    /// What the customer asks for, and why.
    pub demand: Option<String>,
    pub demand_reason: Option<String>,
    /// Possible media exposure (makes it a special case).
    #[serde(default)]
    pub media_exposure: bool,
    /// Litigation threatened or filed (makes it a special case).
    #[serde(default)]
    pub legal_action: bool,
    /// The answered survey card whose complaint this is (SURVEY-3): the card is linked and no
    /// longer waits for a follow-up call.
    pub survey_card_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintSummary {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub complaint_type: String,
    pub severity: String,
    pub customer_name: String,
    pub accepted_at: String,
    pub due_date: Option<String>,
    pub special: bool,
    pub individual: bool,
    pub priority: bool,
    pub tendency: bool,
    /// The reply clock's status: running, met or breached.
    pub reply_status: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub complaint_id: i64,
    pub complaint_number: String,
    pub department: String,
    pub due_date: String,
    /// open or done.
    pub status: String,
    pub overdue: bool,
    pub order_number: Option<String>,
    pub part_number: Option<String>,
    pub quantity: Option<i64>,
    pub ship_date: Option<String>,
    pub cause: Option<String>,
    pub responsible_persons: Option<String>,
    pub corrective_action: Option<String>,
    pub verification: Option<String>,
    pub production_unit: Option<String>,
    pub shift: Option<String>,
    pub operator: Option<String>,
    pub production_date: Option<String>,
    pub note: Option<String>,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LogView {
    pub id: i64,
    pub kind: String,
    pub channel: Option<String>,
    pub text: Option<String>,
    pub satisfied: bool,
    pub participants: Option<String>,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoticeView {
    pub id: i64,
    pub complaint_id: i64,
    pub complaint_number: String,
    pub task_id: Option<i64>,
    /// reminder (催办单) or follow_up (洽办单).
    pub kind: String,
    pub department: String,
    /// The escalation level of a reminder (1, 2, ...).
    pub level: i32,
    pub days_late: Option<i64>,
    /// issued (reminder); proposed, sent, dropped or replied (follow-up).
    pub status: String,
    pub reply: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub replied_at: Option<String>,
    pub version: i32,
}

/// A staff fault found on a complaint (COMPLAINT-16): the STAFF-6 discipline incident it
/// must create, once that module exists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisciplineFinding {
    pub complaint_id: i64,
    pub complaint_number: String,
    pub user_id: i64,
    pub user_name: String,
    pub fault: String,
    pub found_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintView {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub org_unit_id: i64,
    pub complaint_type: String,
    pub severity: String,
    pub channel: String,
    pub subject_kind: String,
    pub target_level: String,
    pub target_user_id: Option<i64>,
    pub target_user: Option<String>,
    pub tendency: bool,
    pub accepted_at: String,
    pub registered_by: String,
    /// Registered by the complaint hotline (SUPERVISION-2).
    pub registered_by_hotline: bool,
    pub customer_id: Option<i64>,
    pub customer_name: String,
    pub contact_phone: Option<String>,
    pub product_id: Option<i64>,
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub part_number: Option<String>,
    pub quantity: Option<i64>,
    pub ship_date: Option<String>,
    pub staff_id: Option<i64>,
    pub staff_name: Option<String>,
    pub dealer_name: Option<String>,
    pub content: String,
    pub demand: Option<String>,
    pub demand_reason: Option<String>,
    pub media_exposure: bool,
    pub legal_action: bool,
    pub special: bool,
    pub individual: bool,
    pub priority: bool,
    pub needs_executive_review: bool,
    pub executive_reviewed_by: Option<String>,
    pub executive_reviewed_at: Option<String>,
    pub handler_id: Option<i64>,
    pub handler: Option<String>,
    /// The handling deadline the customer department set.
    pub due_date: Option<String>,
    pub first_reply_at: Option<String>,
    /// The 24-hour reply clock (COMPLAINT-7).
    pub reply_clock: ClockView,
    /// Whether the reply clock counts working time (else calendar time).
    pub reply_working_time: bool,
    pub cause: Option<String>,
    pub responsible_department: Option<String>,
    pub responsible_user_id: Option<i64>,
    pub responsible_user: Option<String>,
    pub staff_fault: Option<String>,
    pub decision: Option<String>,
    pub told_channel: Option<String>,
    pub decided_at: Option<String>,
    pub remedy: Option<String>,
    pub remedy_order_id: Option<i64>,
    pub corrective_action: Option<String>,
    pub corrective_owner_id: Option<i64>,
    pub corrective_owner: Option<String>,
    pub corrective_due: Option<String>,
    pub effect_confirmed_at: Option<String>,
    pub closed_at: Option<String>,
    pub reopen_count: i32,
    pub sanction: Option<String>,
    pub sanction_amount_fen: Option<i64>,
    pub sanction_note: Option<String>,
    pub reviewed_at: Option<String>,
    pub notice_id: Option<i64>,
    pub visit_logged: bool,
    pub outcome_told: bool,
    pub tasks: Vec<TaskView>,
    pub logs: Vec<LogView>,
    pub notices: Vec<NoticeView>,
    /// The discipline incident this case calls for (COMPLAINT-16), if any.
    pub discipline_finding: Option<DisciplineFinding>,
    /// Events possible now, for the buttons a page offers.
    pub possible_events: Vec<String>,
    pub version: i32,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ComplaintFilter {
    /// One status code; empty: all.
    pub status: Option<String>,
    /// true: only cases not yet closed.
    pub open_only: Option<bool>,
}

// ----- helpers -----

fn zone() -> jiff::tz::TimeZone {
    crate::clock::default_zone()
}

/// The first instant of the day after `day` (local): when a due date has passed.
fn end_of_day_ms(day: Date) -> Result<i64, AppError> {
    day.tomorrow()
        .and_then(|d| d.to_zoned(zone()))
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))
}

fn first_of_next_month_ms(day: Date) -> Result<i64, AppError> {
    day.last_of_month()
        .tomorrow()
        .and_then(|d| d.to_zoned(zone()))
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))
}

fn text(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    errors.check(field, optional_text(value, max)).flatten()
}

fn parse_code<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, "required");
        return None;
    }
    let parsed = parse(value);
    if parsed.is_none() {
        errors.add(field, "invalid_choice");
    }
    parsed
}

fn optional_date(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<&str>,
) -> Option<String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => errors
            .check(field, aftersales_domain::validation::date(v))
            .map(|d| d.to_string()),
    }
}

async fn names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>, AppError> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

async fn active_user(
    db: &impl ConnectionTrait,
    id: i64,
    field: &str,
) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|u| u.active && u.customer_id.is_none())
        .ok_or_else(|| AppError::invalid(field, "unknown_user"))
}

fn facts(row: &complaint::Model) -> CaseFacts {
    CaseFacts {
        major: row.severity == Severity::Major.as_str(),
        media_exposure: row.media_exposure,
        legal_action: row.legal_action,
        external_authority: row.channel == Channel::ExternalAuthority.as_str(),
    }
}

fn status_of(row: &complaint::Model) -> ComplaintStatus {
    ComplaintStatus::parse(&row.status).unwrap_or(ComplaintStatus::Registered)
}

/// The complaint, visible to the actor (out of scope answers 404).
async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<complaint::Model, AppError> {
    let row = complaint::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, row.customer_id)?;
    Ok(row)
}

/// The reply clock's policy in force.
fn reply_policy(reference: &Snapshot) -> Result<ClockPolicy, AppError> {
    const KEYS: [&str; 3] = [
        "complaint.reply_hours",
        "complaint.reply_working_time",
        "sla.warn_ratio",
    ];
    let [hours, working, warn_ratio] = reference.settings(KEYS)?;
    Ok(ClockPolicy {
        kind: if settings::as_count(KEYS[1], &working)? == 1 {
            ClockKind::WorkingTime
        } else {
            ClockKind::ElapsedTime
        },
        target: SignedDuration::from_hours(settings::as_count(KEYS[0], &hours)?),
        warn_ratio: warn_ratio.parse().unwrap_or(0.75),
    })
}

/// The reply clock of a complaint at `now`: from acceptance to the first reply.
async fn reply_clock(
    db: &impl ConnectionTrait,
    reference: &Snapshot,
    row: &complaint::Model,
    now: Timestamp,
) -> Result<(ClockView, bool), AppError> {
    let calendar = crate::calendars::effective_calendar(
        db,
        reference,
        Some(row.org_unit_id),
        row.customer_id,
        None,
    )
    .await?;
    reply_clock_on(reference, row, &calendar, now)
}

/// [`reply_clock`] on the complaint's calendar, once known.
fn reply_clock_on(
    reference: &Snapshot,
    row: &complaint::Model,
    calendar: &Calendar,
    now: Timestamp,
) -> Result<(ClockView, bool), AppError> {
    let policy = reply_policy(reference)?;
    let start = Timestamp::from_millisecond(row.accepted_at)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))?;
    let stop = row
        .first_reply_at
        .and_then(|ms| Timestamp::from_millisecond(ms).ok());
    Ok((
        crate::sla_clocks::measure("reply", start, stop, &policy, calendar, now),
        policy.kind == ClockKind::WorkingTime,
    ))
}

async fn audit_change(
    db: &impl ConnectionTrait,
    now: i64,
    actor: Option<&Actor>,
    action: &str,
    before: Option<&complaint::Model>,
    after: &complaint::Model,
) -> Result<(), AppError> {
    audit::record(
        db,
        now,
        actor,
        SUBJECT,
        after.id,
        action,
        before,
        Some(after),
    )
    .await
}

fn message(kind: &'static str, id: i64, zh: (String, String), en: (String, String)) -> Message {
    Message {
        kind,
        link: Some(format!("/complaints/{id}")),
        zh,
        en,
    }
}

async fn customer_department(db: &impl ConnectionTrait) -> Result<Vec<i64>, AppError> {
    notifications::users_with_role(db, Role::CustomerDepartment, None).await
}

async fn executives(db: &impl ConnectionTrait) -> Result<Vec<i64>, AppError> {
    let mut ids = notifications::users_with_role(db, Role::DeputyGeneralManager, None).await?;
    ids.extend(notifications::users_with_role(db, Role::GeneralManager, None).await?);
    Ok(ids)
}

// ----- registering -----

/// Registers a complaint or tendency (COMPLAINT-1..3, 8, 10, 11).
pub async fn register(
    app: &App,
    actor: &Actor,
    input: &RegisterInput,
) -> Result<ComplaintView, AppError> {
    let txn = app.write_txn().await?;
    let row = register_in(app, &txn, actor, input, app.clock.now()).await?;
    let view = view(app, &txn, row, app.clock.now()).await?;
    txn.commit().await?;
    Ok(view)
}

/// [`register`] in the caller's transaction, for areas that raise a complaint as part of
/// their own change (a conduct rule the customer did not confirm on completion, REPAIR-6).
pub(crate) async fn register_in(
    app: &App,
    txn: &impl ConnectionTrait,
    actor: &Actor,
    input: &RegisterInput,
    now: Timestamp,
) -> Result<complaint::Model, AppError> {
    actor.require(Permission::ComplaintRegister)?;
    let mut errors = ValidationErrors::new();
    let channel = parse_code(&mut errors, "channel", &input.channel, Channel::parse);
    let complaint_type = parse_code(
        &mut errors,
        "complaint_type",
        &input.complaint_type,
        ComplaintType::parse,
    );
    let severity = match input.severity.as_deref().map(str::trim) {
        None | Some("") => Some(Severity::General),
        Some(code) => parse_code(&mut errors, "severity", code, Severity::parse),
    };
    let subject = parse_code(
        &mut errors,
        "subject_kind",
        &input.subject_kind,
        Subject::parse,
    );
    let target_level = match input.target_level.as_deref().map(str::trim) {
        None | Some("") => Some(TargetLevel::Company),
        Some(code) => parse_code(&mut errors, "target_level", code, TargetLevel::parse),
    };
    let content = errors.check("content", required_text(&input.content, 4000));
    let customer_name = text(
        &mut errors,
        "customer_name",
        input.customer_name.as_deref(),
        200,
    );
    let contact_phone = text(
        &mut errors,
        "contact_phone",
        input.contact_phone.as_deref(),
        50,
    );
    let order_number = text(
        &mut errors,
        "order_number",
        input.order_number.as_deref(),
        100,
    );
    let part_number = text(
        &mut errors,
        "part_number",
        input.part_number.as_deref(),
        100,
    );
    let dealer_name = text(
        &mut errors,
        "dealer_name",
        input.dealer_name.as_deref(),
        200,
    );
    let demand = text(&mut errors, "demand", input.demand.as_deref(), 4000);
    let demand_reason = text(
        &mut errors,
        "demand_reason",
        input.demand_reason.as_deref(),
        4000,
    );
    let ship_date = optional_date(&mut errors, "ship_date", input.ship_date.as_deref());
    if input.quantity.is_some_and(|q| q <= 0) {
        errors.add("quantity", "out_of_range");
    }
    match subject {
        Some(Subject::Staff) if input.staff_id.is_none() => errors.add("staff_id", "required"),
        Some(Subject::ServiceOrder) if input.order_id.is_none() => {
            errors.add("order_id", "required")
        }
        Some(Subject::Dealer) if dealer_name.is_none() => errors.add("dealer_name", "required"),
        _ => {}
    }
    if matches!(
        target_level,
        Some(TargetLevel::Superior | TargetLevel::Leadership)
    ) && input.target_user_id.is_none()
    {
        errors.add("target_user_id", "required");
    }
    if input.customer_id.is_none() && customer_name.is_none() {
        errors.add("customer_name", "required");
    }
    let (
        Some(channel),
        Some(complaint_type),
        Some(severity),
        Some(subject),
        Some(target_level),
        Some(content),
    ) = (
        channel,
        complaint_type,
        severity,
        subject,
        target_level,
        content,
    )
    else {
        return Err(errors.into());
    };
    errors.into_result(())?;
    let org_unit_id = actor.branch_for_new_record(input.org_unit_id)?;
    let clock_now = now;
    let today = now.to_zoned(crate::clock::default_zone()).date();
    let now = now.as_millisecond();
    let customer_name = match input.customer_id {
        Some(id) => {
            let row = customer::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or_else(|| AppError::invalid("customer_id", "not_found"))?;
            row.name
        }
        None => customer_name.unwrap_or_default(),
    };
    if let Some(order_id) = input.order_id {
        crate::service_orders::find_visible(txn, actor, order_id)
            .await
            .map_err(|_| AppError::invalid("order_id", "not_found"))?;
    }
    if let Some(staff_id) = input.staff_id {
        active_user(txn, staff_id, "staff_id").await?;
    }
    if let Some(target) = input.target_user_id {
        active_user(txn, target, "target_user_id").await?;
    }
    let branch = crate::org::find_unit(txn, org_unit_id).await?;
    let pattern = settings::get_pattern(txn, "complaint.number_pattern").await?;
    let number = numbering::next_number(txn, &pattern, today, &branch.code).await?;
    let case = CaseFacts {
        major: severity == Severity::Major,
        media_exposure: input.media_exposure,
        legal_action: input.legal_action,
        external_authority: channel == Channel::ExternalAuthority,
    };
    let row = complaint::ActiveModel {
        number: Set(number),
        org_unit_id: Set(org_unit_id),
        status: Set(ComplaintStatus::Registered.as_str().to_string()),
        complaint_type: Set(complaint_type.as_str().to_string()),
        severity: Set(severity.as_str().to_string()),
        channel: Set(channel.as_str().to_string()),
        subject_kind: Set(subject.as_str().to_string()),
        target_level: Set(target_level.as_str().to_string()),
        target_user_id: Set(input.target_user_id),
        tendency: Set(input.tendency),
        accepted_at: Set(now),
        registered_by: Set(actor.user_id),
        registered_by_hotline: Set(actor.has_role(Role::ComplaintHotline)),
        customer_id: Set(input.customer_id),
        customer_name: Set(customer_name),
        contact_phone: Set(contact_phone),
        product_id: Set(input.product_id),
        order_id: Set(input.order_id),
        order_number: Set(order_number),
        part_number: Set(part_number),
        quantity: Set(input.quantity),
        ship_date: Set(ship_date),
        staff_id: Set(input.staff_id),
        dealer_name: Set(dealer_name),
        content: Set(content),
        demand: Set(demand),
        demand_reason: Set(demand_reason),
        media_exposure: Set(input.media_exposure),
        legal_action: Set(input.legal_action),
        special: Set(rules::is_special_case(case)),
        individual: Set(false),
        reopen_count: Set(0),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    // T10: escalate when the reply clock runs out without a reply.
    let reference = app.reference.snapshot(txn).await?;
    let (clock, _) = reply_clock(txn, &reference, &row, clock_now).await?;
    if let Some(deadline) = clock
        .deadline
        .as_deref()
        .and_then(|d| d.parse::<Timestamp>().ok())
    {
        timers::schedule(
            txn,
            REPLY_DUE_JOB,
            SUBJECT,
            row.id,
            Some(&format!("{REPLY_DUE_JOB}:{}", row.id)),
            deadline.as_millisecond(),
            None,
            now,
        )
        .await?;
    }
    let title = |zh: &str, en: &str| {
        (
            (format!("{zh}：{}", row.number), row.content.clone()),
            (format!("{en}: {}", row.number), row.content.clone()),
        )
    };
    let (zh, en) = title("新客户投诉", "New complaint");
    notifications::notify(
        txn,
        now,
        &customer_department(txn).await?,
        &message("complaint_registered", row.id, zh, en),
    )
    .await?;
    if rules::is_priority(case) {
        let (zh, en) = title("重大/专案投诉，请审阅", "Serious complaint for your review");
        notifications::notify(
            txn,
            now,
            &executives(txn).await?,
            &message("complaint_priority", row.id, zh, en),
        )
        .await?;
    }
    if let Some(target) = row.target_user_id {
        let (zh, en) = title("向您提出的投诉", "A complaint addressed to you");
        notifications::notify(
            txn,
            now,
            &[target],
            &message("complaint_addressed", row.id, zh, en),
        )
        .await?;
    }
    audit_change(txn, now, Some(actor), "register", None, &row).await?;
    if let Some(card_id) = input.survey_card_id {
        crate::surveys::link_remark_to_complaint(txn, card_id, row.id, now).await?;
    }
    Ok(row)
}

// ----- reading -----

/// Complaints in the actor's scope, newest first, a page at a time.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ComplaintFilter,
    request: PageRequest,
) -> Result<Page<ComplaintSummary>, AppError> {
    actor.require(Permission::ComplaintRead)?;
    let mut query = complaint::Entity::find().order_by_desc(complaint::Column::Id);
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(complaint::Column::Status.eq(status));
    }
    if filter.open_only == Some(true) {
        query = query.filter(complaint::Column::ClosedAt.is_null());
    }
    let query = actor.scoped(
        query,
        complaint::Column::OrgUnitId,
        complaint::Column::CustomerId,
    )?;
    let mut page = crate::page::fetch(&app.db, query, request).await?;
    let rows = std::mem::take(&mut page.items);
    let now = app.clock.now();
    let reference = app.reference.snapshot(&app.db).await?;
    // The customers' own calendars, for the reply clocks, in one query for the page.
    let customer_calendars: HashMap<i64, String> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(rows.iter().filter_map(|row| row.customer_id)))
        .filter(customer::Column::CalendarCode.is_not_null())
        .all(&app.db)
        .await?
        .into_iter()
        .filter_map(|customer| customer.calendar_code.map(|code| (customer.id, code)))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let calendar = reference.calendar_of(
            None,
            row.customer_id
                .and_then(|id| customer_calendars.get(&id))
                .map(String::as_str),
            Some(row.org_unit_id),
        )?;
        let (clock, _) = reply_clock_on(&reference, &row, &calendar, now)?;
        let case = facts(&row);
        out.push(ComplaintSummary {
            id: row.id,
            number: row.number,
            status: row.status,
            complaint_type: row.complaint_type,
            severity: row.severity,
            customer_name: row.customer_name,
            accepted_at: format_ms(row.accepted_at),
            due_date: row.due_date,
            special: row.special,
            individual: row.individual,
            priority: rules::is_priority(case),
            tendency: row.tendency,
            reply_status: clock.status,
        });
    }
    Ok(page.with_items(out))
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ComplaintView, AppError> {
    actor.require(Permission::ComplaintRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    view(app, &app.db, row, app.clock.now()).await
}

fn task_view(
    row: complaint_task::Model,
    number: &str,
    people: &HashMap<i64, String>,
    today: Date,
) -> TaskView {
    let overdue =
        row.status == TASK_OPEN && row.due_date.parse::<Date>().is_ok_and(|due| due < today);
    TaskView {
        id: row.id,
        complaint_id: row.complaint_id,
        complaint_number: number.to_string(),
        department: row.department,
        due_date: row.due_date,
        status: row.status,
        overdue,
        order_number: row.order_number,
        part_number: row.part_number,
        quantity: row.quantity,
        ship_date: row.ship_date,
        cause: row.cause,
        responsible_persons: row.responsible_persons,
        corrective_action: row.corrective_action,
        verification: row.verification,
        production_unit: row.production_unit,
        shift: row.shift,
        operator: row.operator,
        production_date: row.production_date,
        note: row.note,
        done_at: row.done_at.map(format_ms),
        done_by: row.done_by.and_then(|id| people.get(&id).cloned()),
        version: row.version,
    }
}

fn notice_view(row: complaint_notice::Model, number: &str) -> NoticeView {
    NoticeView {
        id: row.id,
        complaint_id: row.complaint_id,
        complaint_number: number.to_string(),
        task_id: row.task_id,
        kind: row.kind,
        department: row.department,
        level: row.level,
        days_late: row.days_late,
        status: row.status,
        reply: row.reply,
        created_at: format_ms(row.created_at),
        sent_at: row.sent_at.map(format_ms),
        replied_at: row.replied_at.map(format_ms),
        version: row.version,
    }
}

fn finding_of(row: &complaint::Model, people: &HashMap<i64, String>) -> Option<DisciplineFinding> {
    let fault = row.staff_fault.clone()?;
    let user_id = row.responsible_user_id?;
    Some(DisciplineFinding {
        complaint_id: row.id,
        complaint_number: row.number.clone(),
        user_id,
        user_name: people.get(&user_id).cloned().unwrap_or_default(),
        fault,
        found_at: format_ms(row.decided_at.unwrap_or(row.updated_at)),
    })
}

async fn view(
    app: &App,
    db: &impl ConnectionTrait,
    row: complaint::Model,
    now: Timestamp,
) -> Result<ComplaintView, AppError> {
    let tasks = complaint_task::Entity::find()
        .filter(complaint_task::Column::ComplaintId.eq(row.id))
        .order_by_asc(complaint_task::Column::Id)
        .all(db)
        .await?;
    let logs = complaint_log::Entity::find()
        .filter(complaint_log::Column::ComplaintId.eq(row.id))
        .order_by_asc(complaint_log::Column::At)
        .order_by_asc(complaint_log::Column::Id)
        .all(db)
        .await?;
    let notices = complaint_notice::Entity::find()
        .filter(complaint_notice::Column::ComplaintId.eq(row.id))
        .order_by_asc(complaint_notice::Column::Id)
        .all(db)
        .await?;
    let people = names(
        db,
        [
            Some(row.registered_by),
            row.target_user_id,
            row.staff_id,
            row.handler_id,
            row.executive_reviewed_by,
            row.responsible_user_id,
            row.corrective_owner_id,
        ]
        .into_iter()
        .flatten()
        .chain(tasks.iter().filter_map(|t| t.done_by))
        .chain(logs.iter().map(|l| l.by_user)),
    )
    .await?;
    let name = |id: Option<i64>| id.and_then(|id| people.get(&id).cloned());
    let reference = app.reference.snapshot(db).await?;
    let (reply_clock, reply_working_time) = reply_clock(db, &reference, &row, now).await?;
    let today = now.to_zoned(zone()).date();
    let case = facts(&row);
    let visit_logged = visit_logged(&row, &logs);
    let outcome_told = logs.iter().any(|l| l.kind == "outcome_told");
    let status = status_of(&row);
    Ok(ComplaintView {
        id: row.id,
        number: row.number.clone(),
        status: row.status.clone(),
        org_unit_id: row.org_unit_id,
        complaint_type: row.complaint_type.clone(),
        severity: row.severity.clone(),
        channel: row.channel.clone(),
        subject_kind: row.subject_kind.clone(),
        target_level: row.target_level.clone(),
        target_user_id: row.target_user_id,
        target_user: name(row.target_user_id),
        tendency: row.tendency,
        accepted_at: format_ms(row.accepted_at),
        registered_by: name(Some(row.registered_by)).unwrap_or_default(),
        registered_by_hotline: row.registered_by_hotline,
        customer_id: row.customer_id,
        customer_name: row.customer_name.clone(),
        contact_phone: row.contact_phone.clone(),
        product_id: row.product_id,
        order_id: row.order_id,
        order_number: row.order_number.clone(),
        part_number: row.part_number.clone(),
        quantity: row.quantity,
        ship_date: row.ship_date.clone(),
        staff_id: row.staff_id,
        staff_name: name(row.staff_id),
        dealer_name: row.dealer_name.clone(),
        content: row.content.clone(),
        demand: row.demand.clone(),
        demand_reason: row.demand_reason.clone(),
        media_exposure: row.media_exposure,
        legal_action: row.legal_action,
        special: row.special,
        individual: row.individual,
        priority: rules::is_priority(case),
        needs_executive_review: rules::needs_executive_review(case),
        executive_reviewed_by: name(row.executive_reviewed_by),
        executive_reviewed_at: row.executive_reviewed_at.map(format_ms),
        handler_id: row.handler_id,
        handler: name(row.handler_id),
        due_date: row.due_date.clone(),
        first_reply_at: row.first_reply_at.map(format_ms),
        reply_clock,
        reply_working_time,
        cause: row.cause.clone(),
        responsible_department: row.responsible_department.clone(),
        responsible_user_id: row.responsible_user_id,
        responsible_user: name(row.responsible_user_id),
        staff_fault: row.staff_fault.clone(),
        decision: row.decision.clone(),
        told_channel: row.told_channel.clone(),
        decided_at: row.decided_at.map(format_ms),
        remedy: row.remedy.clone(),
        remedy_order_id: row.remedy_order_id,
        corrective_action: row.corrective_action.clone(),
        corrective_owner_id: row.corrective_owner_id,
        corrective_owner: name(row.corrective_owner_id),
        corrective_due: row.corrective_due.clone(),
        effect_confirmed_at: row.effect_confirmed_at.map(format_ms),
        closed_at: row.closed_at.map(format_ms),
        reopen_count: row.reopen_count,
        sanction: row.sanction.clone(),
        sanction_amount_fen: row.sanction_amount_fen,
        sanction_note: row.sanction_note.clone(),
        reviewed_at: row.reviewed_at.map(format_ms),
        notice_id: row.notice_id,
        visit_logged,
        outcome_told,
        discipline_finding: finding_of(&row, &people),
        tasks: tasks
            .into_iter()
            .map(|t| task_view(t, &row.number, &people, today))
            .collect(),
        logs: logs
            .into_iter()
            .map(|l| LogView {
                id: l.id,
                kind: l.kind,
                channel: l.channel,
                text: l.text,
                satisfied: l.satisfied,
                participants: l.participants,
                by: people.get(&l.by_user).cloned().unwrap_or_default(),
                at: format_ms(l.at),
            })
            .collect(),
        notices: notices
            .into_iter()
            .map(|n| notice_view(n, &row.number))
            .collect(),
        possible_events: status
            .possible_events()
            .into_iter()
            .map(|e| e.as_str().to_string())
            .collect(),
        version: row.version,
    })
}

/// COMPLAINT-9: a visit logged by the named handler personally.
fn visit_logged(row: &complaint::Model, logs: &[complaint_log::Model]) -> bool {
    row.handler_id.is_some_and(|handler| {
        logs.iter()
            .any(|l| l.kind == "visit" && l.by_user == handler)
    })
}

/// The discipline incident a complaint calls for (COMPLAINT-16): the responsible staff
/// member and the fault found at the decision. The STAFF-6 module (built separately) creates
/// the incident from this; until it is wired, the finding shows on the complaint.
pub async fn discipline_finding(
    db: &impl ConnectionTrait,
    complaint_id: i64,
) -> Result<Option<DisciplineFinding>, AppError> {
    let row = complaint::Entity::find_by_id(complaint_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let people = names(db, row.responsible_user_id).await?;
    Ok(finding_of(&row, &people))
}

// ----- handling -----

/// The handler and handling deadline the customer department sets (COMPLAINT-7, 9).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct HandlingInput {
    /// The person who handles the case in person (service or business supervisor, or one
    /// they assign).
    pub handler_id: Option<i64>,
    /// The handling deadline (YYYY-MM-DD), today or later.
    pub due_date: Option<String>,
    pub version: i32,
}

async fn save(
    db: &impl ConnectionTrait,
    before: &complaint::Model,
    mut active: complaint::ActiveModel,
    version: i32,
    now: i64,
) -> Result<complaint::Model, AppError> {
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let _ = before;
    versioned_update(db, active, complaint::Column::Version, version).await
}

pub async fn set_handling(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &HandlingInput,
) -> Result<ComplaintView, AppError> {
    actor.require(Permission::ComplaintManage)?;
    let today = app.today();
    let mut errors = ValidationErrors::new();
    let due = optional_date(&mut errors, "due_date", input.due_date.as_deref());
    if due
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
        .is_some_and(|d| d < today)
    {
        errors.add("due_date", "in_past");
    }
    errors.into_result(())?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    if status_of(&before).is_closed() {
        return Err(AppError::conflict("complaint_closed"));
    }
    if let Some(handler) = input.handler_id {
        active_user(&txn, handler, "handler_id").await?;
    }
    let mut active: complaint::ActiveModel = before.clone().into();
    if input.handler_id.is_some() {
        active.handler_id = Set(input.handler_id);
    }
    if let Some(due) = &due {
        active.due_date = Set(Some(due.clone()));
    }
    let after = save(&txn, &before, active, input.version, now).await?;
    if let Some(due) = after
        .due_date
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
    {
        if after.due_date != before.due_date {
            timers::cancel(&txn, CASE_OVERDUE_JOB, SUBJECT, id).await?;
            schedule_overdue(&txn, CASE_OVERDUE_JOB, id, 1, end_of_day_ms(due)?, now).await?;
        }
    }
    if let Some(handler) = after.handler_id.filter(|h| Some(*h) != before.handler_id) {
        notifications::notify(
            &txn,
            now,
            &[handler],
            &message(
                "complaint_handler",
                id,
                (
                    format!("请亲自处理投诉：{}", after.number),
                    format!(
                        "您被指定为投诉{}的处理人，请前往客户处处理并登记拜访。",
                        after.number
                    ),
                ),
                (
                    format!("Handle complaint {} in person", after.number),
                    format!(
                        "You handle complaint {}: visit the customer and log the visit.",
                        after.number
                    ),
                ),
            ),
        )
        .await?;
    }
    audit_change(
        &txn,
        now,
        Some(actor),
        "set_handling",
        Some(&before),
        &after,
    )
    .await?;
    let view = view(app, &txn, after, app.clock.now()).await?;
    txn.commit().await?;
    Ok(view)
}

async fn schedule_overdue(
    db: &impl ConnectionTrait,
    kind: &str,
    subject_id: i64,
    level: i32,
    due_ms: i64,
    now: i64,
) -> Result<(), AppError> {
    let subject = if kind == TASK_OVERDUE_JOB {
        "complaint_task"
    } else {
        SUBJECT
    };
    timers::schedule(
        db,
        kind,
        subject,
        subject_id,
        Some(&format!("{kind}:{subject_id}:{level}")),
        due_ms,
        Some(&serde_json::json!({ "level": level })),
        now,
    )
    .await?;
    Ok(())
}

/// Routes a registered complaint (COMPLAINT-4, 5).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RouteInput {
    /// The departments to route to; empty: the routing rules for the complaint's type.
    #[serde(default)]
    pub departments: Vec<String>,
    /// The tasks' due date (YYYY-MM-DD); empty: today + `complaint.task_days`.
    pub due_date: Option<String>,
    pub version: i32,
}

pub async fn route(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &RouteInput,
) -> Result<ComplaintView, AppError> {
    actor.require(Permission::ComplaintManage)?;
    let today = app.today();
    let mut errors = ValidationErrors::new();
    let mut chosen = Vec::new();
    for code in &input.departments {
        match DepartmentKind::parse(code.trim()) {
            Some(d) => chosen.push(d),
            None => errors.add("departments", "invalid_choice"),
        }
    }
    let due = optional_date(&mut errors, "due_date", input.due_date.as_deref());
    if due
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
        .is_some_and(|d| d < today)
    {
        errors.add("due_date", "in_past");
    }
    errors.into_result(())?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    transition(&before, ComplaintEvent::Route)?;
    let departments = if chosen.is_empty() {
        let complaint_type =
            ComplaintType::parse(&before.complaint_type).unwrap_or(ComplaintType::Other);
        rules::route(complaint_type, &configured_routes(&txn).await?)
    } else {
        chosen.sort();
        chosen.dedup();
        chosen
    };
    let due = match due {
        Some(d) => d.parse::<Date>().unwrap_or(today),
        None => {
            let days = settings::get_count(&txn, "complaint.task_days").await?;
            today
                .checked_add(jiff::Span::new().days(days))
                .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))?
        }
    };
    let mut department_names = Vec::new();
    for department in &departments {
        let task = complaint_task::ActiveModel {
            complaint_id: Set(id),
            department: Set(department.as_str().to_string()),
            due_date: Set(due.to_string()),
            status: Set(TASK_OPEN.to_string()),
            version: Set(1),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        schedule_overdue(&txn, TASK_OVERDUE_JOB, task.id, 1, end_of_day_ms(due)?, now).await?;
        department_names.push(department.as_str());
    }
    let mut active: complaint::ActiveModel = before.clone().into();
    active.status = Set(ComplaintStatus::Investigating.as_str().to_string());
    let after = save(&txn, &before, active, input.version, now).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        SUBJECT,
        id,
        "route",
        Some(&before),
        Some(&serde_json::json!({ "status": after.status, "departments": department_names, "due_date": due.to_string() })),
    )
    .await?;
    let view = view(app, &txn, after, app.clock.now()).await?;
    txn.commit().await?;
    Ok(view)
}

fn transition(row: &complaint::Model, event: ComplaintEvent) -> Result<ComplaintStatus, AppError> {
    rules::next_status(status_of(row), event).map_err(|err| AppError::Conflict {
        code: "invalid_transition",
        field: Some("status"),
        detail: Some(err.to_string()),
    })
}

/// A department's findings (COMPLAINT-5): sales fill order, part, quantity and ship date;
/// QA cause, responsible persons, corrective action and verification; manufacturing the
/// production unit, shift, operator and production date. `done` finishes the task.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TaskInput {
    pub order_number: Option<String>,
    pub part_number: Option<String>,
    pub quantity: Option<i64>,
    pub ship_date: Option<String>,
    pub cause: Option<String>,
    pub responsible_persons: Option<String>,
    pub corrective_action: Option<String>,
    pub verification: Option<String>,
    pub production_unit: Option<String>,
    pub shift: Option<String>,
    pub operator: Option<String>,
    pub production_date: Option<String>,
    pub note: Option<String>,
    #[serde(default)]
    pub done: bool,
    pub version: i32,
}

pub async fn update_task(
    app: &App,
    actor: &Actor,
    task_id: i64,
    input: &TaskInput,
) -> Result<TaskView, AppError> {
    actor.require(Permission::ComplaintInvestigate)?;
    let mut errors = ValidationErrors::new();
    let t = |errors: &mut ValidationErrors, field: &str, value: &Option<String>| {
        text(errors, field, value.as_deref(), 2000)
    };
    let order_number = t(&mut errors, "order_number", &input.order_number);
    let part_number = t(&mut errors, "part_number", &input.part_number);
    let ship_date = optional_date(&mut errors, "ship_date", input.ship_date.as_deref());
    let cause = t(&mut errors, "cause", &input.cause);
    let responsible_persons = t(
        &mut errors,
        "responsible_persons",
        &input.responsible_persons,
    );
    let corrective_action = t(&mut errors, "corrective_action", &input.corrective_action);
    let verification = t(&mut errors, "verification", &input.verification);
    let production_unit = t(&mut errors, "production_unit", &input.production_unit);
    let shift = t(&mut errors, "shift", &input.shift);
    let operator = t(&mut errors, "operator", &input.operator);
    let production_date = optional_date(
        &mut errors,
        "production_date",
        input.production_date.as_deref(),
    );
    let note = t(&mut errors, "note", &input.note);
    if input.quantity.is_some_and(|q| q <= 0) {
        errors.add("quantity", "out_of_range");
    }
    // A finished task says what was found: the cause, or for sales the shipment facts.
    if input.done && cause.is_none() && note.is_none() && order_number.is_none() {
        errors.add("cause", "required");
    }
    errors.into_result(())?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = complaint_task::Entity::find_by_id(task_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let case = find_visible(&txn, actor, before.complaint_id).await?;
    if before.status == TASK_DONE {
        return Err(AppError::conflict("task_done"));
    }
    if status_of(&case) != ComplaintStatus::Investigating {
        return Err(AppError::conflict("not_investigating"));
    }
    let mut active: complaint_task::ActiveModel = before.clone().into();
    active.order_number = Set(order_number);
    active.part_number = Set(part_number);
    active.quantity = Set(input.quantity);
    active.ship_date = Set(ship_date);
    active.cause = Set(cause);
    active.responsible_persons = Set(responsible_persons);
    active.corrective_action = Set(corrective_action);
    active.verification = Set(verification);
    active.production_unit = Set(production_unit);
    active.shift = Set(shift);
    active.operator = Set(operator);
    active.production_date = Set(production_date);
    active.note = Set(note);
    if input.done {
        active.status = Set(TASK_DONE.to_string());
        active.done_at = Set(Some(now));
        active.done_by = Set(Some(actor.user_id));
    }
    active.version = Set(input.version + 1);
    let after =
        versioned_update(&txn, active, complaint_task::Column::Version, input.version).await?;
    if input.done {
        timers::cancel(&txn, TASK_OVERDUE_JOB, "complaint_task", task_id).await?;
    }
    audit::record(
        &txn,
        now,
        Some(actor),
        "complaint_task",
        task_id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    let people = names(&txn, after.done_by).await?;
    let view = task_view(after, &case.number, &people, app.today());
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct TaskFilter {
    /// A department code (qa, sales, manufacturing ...); empty: all.
    pub department: Option<String>,
    /// true: only open tasks.
    pub open_only: Option<bool>,
}

/// Limits a query over what belongs to complaints (tasks, notices) to the complaints the
/// actor sees.
fn of_visible_complaints<E: EntityTrait>(
    actor: &Actor,
    query: Select<E>,
    complaint_id: impl ColumnTrait,
) -> Result<Select<E>, AppError> {
    if matches!(actor.scope(), Scope::AllBranches) {
        return Ok(query);
    }
    let visible = actor.scoped(
        complaint::Entity::find()
            .select_only()
            .column(complaint::Column::Id),
        complaint::Column::OrgUnitId,
        complaint::Column::CustomerId,
    )?;
    Ok(query.filter(complaint_id.in_subquery(visible.into_query())))
}

/// The complaints with these ids, by id: a page's cases, for their numbers.
async fn cases_of(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, complaint::Model>, AppError> {
    Ok(complaint::Entity::find()
        .filter(complaint::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

/// Department tasks, oldest due first, a page at a time: what each department has to
/// investigate.
pub async fn tasks(
    app: &App,
    actor: &Actor,
    filter: &TaskFilter,
    request: PageRequest,
) -> Result<Page<TaskView>, AppError> {
    actor.require(Permission::ComplaintRead)?;
    let mut query = of_visible_complaints(
        actor,
        complaint_task::Entity::find()
            .order_by_asc(complaint_task::Column::DueDate)
            .order_by_asc(complaint_task::Column::Id),
        complaint_task::Column::ComplaintId,
    )?;
    if let Some(department) = filter.department.as_deref().filter(|d| !d.is_empty()) {
        query = query.filter(complaint_task::Column::Department.eq(department));
    }
    if filter.open_only == Some(true) {
        query = query.filter(complaint_task::Column::Status.eq(TASK_OPEN));
    }
    let mut page = crate::page::fetch(&app.db, query, request).await?;
    let rows = std::mem::take(&mut page.items);
    let cases = cases_of(&app.db, rows.iter().map(|r| r.complaint_id)).await?;
    let people = names(&app.db, rows.iter().filter_map(|r| r.done_by)).await?;
    let today = app.today();
    let views = rows
        .into_iter()
        .filter_map(|row| {
            let case = cases.get(&row.complaint_id)?;
            Some(task_view(row, &case.number, &people, today))
        })
        .collect();
    Ok(page.with_items(views))
}

/// A logged contact or decision (COMPLAINT-7, 9, 15, outcome told).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LogInput {
    /// reply, visit, call, conference, outcome_told or note.
    pub kind: String,
    /// For replies and the outcome: phone, written, letter or visit.
    pub channel: Option<String>,
    pub text: Option<String>,
    /// For a case conference (集体决策): who took part.
    pub participants: Option<String>,
}

pub async fn log(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &LogInput,
) -> Result<ComplaintView, AppError> {
    actor.require(Permission::ComplaintInvestigate)?;
    let mut errors = ValidationErrors::new();
    let kind = input.kind.trim();
    if !LOG_KINDS.contains(&kind) {
        errors.add("kind", "invalid_choice");
    }
    let channel = match input
        .channel
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => parse_code(&mut errors, "channel", code, ToldChannel::parse),
        None if matches!(kind, "reply" | "outcome_told") => {
            errors.add("channel", "required");
            None
        }
        None => None,
    };
    let body = text(&mut errors, "text", input.text.as_deref(), 4000);
    let participants = text(
        &mut errors,
        "participants",
        input.participants.as_deref(),
        500,
    );
    if matches!(kind, "conference" | "visit" | "note") && body.is_none() {
        errors.add("text", "required");
    }
    if kind == "conference" && participants.is_none() {
        errors.add("participants", "required");
    }
    errors.into_result(())?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    if kind == "visit" && before.handler_id != Some(actor.user_id) {
        // COMPLAINT-9: the named handler visits in person.
        return Err(AppError::field_conflict("not_the_handler", "kind"));
    }
    let entry = complaint_log::ActiveModel {
        complaint_id: Set(id),
        kind: Set(kind.to_string()),
        channel: Set(channel.map(|c| c.as_str().to_string())),
        text: Set(body),
        satisfied: Set(false),
        participants: Set(participants),
        by_user: Set(actor.user_id),
        at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut after = before.clone();
    if kind == "reply" && before.first_reply_at.is_none() {
        let mut active: complaint::ActiveModel = before.clone().into();
        active.first_reply_at = Set(Some(now));
        after = save(&txn, &before, active, before.version, now).await?;
        timers::cancel(&txn, REPLY_DUE_JOB, SUBJECT, id).await?;
    }
    audit::record(
        &txn,
        now,
        Some(actor),
        SUBJECT,
        id,
        &format!("log_{kind}"),
        None::<&()>,
        Some(&entry),
    )
    .await?;
    let view = view(app, &txn, after, app.clock.now()).await?;
    txn.commit().await?;
    Ok(view)
}

/// The deputy GM's / GM's review of a serious case (COMPLAINT-8).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExecutiveReviewInput {
    pub note: String,
    pub version: i32,
}

pub async fn executive_review(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ExecutiveReviewInput,
) -> Result<ComplaintView, AppError> {
    actor.require(Permission::ComplaintApprove)?;
    let note = required_text(&input.note, 4000).map_err(|code| AppError::invalid("note", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    if status_of(&before).is_closed() {
        return Err(AppError::conflict("complaint_closed"));
    }
    complaint_log::ActiveModel {
        complaint_id: Set(id),
        kind: Set("executive_review".to_string()),
        text: Set(Some(note)),
        satisfied: Set(false),
        by_user: Set(actor.user_id),
        at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut active: complaint::ActiveModel = before.clone().into();
    active.executive_reviewed_by = Set(Some(actor.user_id));
    active.executive_reviewed_at = Set(Some(now));
    let after = save(&txn, &before, active, input.version, now).await?;
    audit_change(
        &txn,
        now,
        Some(actor),
        "executive_review",
        Some(&before),
        &after,
    )
    .await?;
    let view = view(app, &txn, after, app.clock.now()).await?;
    txn.commit().await?;
    Ok(view)
}

/// One step of the case (Appendix C.5) with the facts it records.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    /// decide, start_remedy, set_corrective_action, confirm_effect, close or reopen.
    pub event: String,
    pub version: i32,
    /// decide: the cause found.
    pub cause: Option<String>,
    /// decide: the responsible department (a department code, service or
    /// customer_department).
    pub responsible_department: Option<String>,
    /// decide: the responsible person, if one.
    pub responsible_user_id: Option<i64>,
    /// decide: a staff fault of the responsible person (COMPLAINT-16).
    pub staff_fault: Option<String>,
    /// decide: what was decided.
    pub decision: Option<String>,
    /// decide: how the customer was told (phone, written, letter, visit; a major case:
    /// letter).
    pub told_channel: Option<String>,
    /// start_remedy: what is done for the customer.
    pub remedy: Option<String>,
    /// start_remedy: the repair voucher carrying the remedy.
    pub remedy_order_id: Option<i64>,
    /// set_corrective_action: the improvement (改善), its owner and due date.
    pub corrective_action: Option<String>,
    pub corrective_owner_id: Option<i64>,
    pub corrective_due: Option<String>,
    /// confirm_effect, close, reopen: a note (close: the satisfaction follow-up; reopen: why
    /// the customer is not satisfied).
    pub note: Option<String>,
}

pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &StepInput,
) -> Result<ComplaintView, AppError> {
    actor.require(Permission::ComplaintManage)?;
    let event = ComplaintEvent::parse(input.event.trim())
        .filter(|e| *e != ComplaintEvent::Route && *e != ComplaintEvent::Review)
        .ok_or_else(|| AppError::invalid("event", "invalid_choice"))?;
    let now = app.now_ms();
    let today = app.today();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    let to = transition(&before, event)?;
    let mut active: complaint::ActiveModel = before.clone().into();
    active.status = Set(to.as_str().to_string());
    let mut errors = ValidationErrors::new();
    let note = text(&mut errors, "note", input.note.as_deref(), 4000);
    let mut log: Option<(&str, bool)> = None;
    match event {
        ComplaintEvent::Decide => {
            let cause = text(&mut errors, "cause", input.cause.as_deref(), 4000);
            let decision = text(&mut errors, "decision", input.decision.as_deref(), 4000);
            let department = input
                .responsible_department
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty());
            if department.is_some_and(|d| !rules::is_responsible_unit(d)) {
                errors.add("responsible_department", "invalid_choice");
            }
            let fault = match input
                .staff_fault
                .as_deref()
                .map(str::trim)
                .filter(|f| !f.is_empty())
            {
                Some(code) => parse_code(&mut errors, "staff_fault", code, StaffFault::parse),
                None => None,
            };
            if fault.is_some() && input.responsible_user_id.is_none() {
                errors.add("responsible_user_id", "required");
            }
            let told = match input
                .told_channel
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                Some(code) => parse_code(&mut errors, "told_channel", code, ToldChannel::parse),
                None => None,
            };
            if let Some(person) = input.responsible_user_id {
                active_user(&txn, person, "responsible_user_id").await?;
            }
            let open_tasks = complaint_task::Entity::find()
                .filter(complaint_task::Column::ComplaintId.eq(id))
                .filter(complaint_task::Column::Status.eq(TASK_OPEN))
                .count(&txn)
                .await? as usize;
            let case = facts(&before);
            let mut refusal = None;
            for (field, code) in rules::check_decide(DecideFacts {
                open_tasks,
                has_cause: cause.is_some(),
                has_responsibility: department.is_some() || input.responsible_user_id.is_some(),
                has_decision: decision.is_some(),
                told_channel: told,
                major: case.major,
                needs_executive_review: rules::needs_executive_review(case),
                executive_reviewed: before.executive_reviewed_at.is_some(),
            }) {
                if field == "tasks" || field == "executive_review" {
                    refusal.get_or_insert(AppError::field_conflict(code, field_name(field)));
                } else {
                    errors.add(field, code);
                }
            }
            // Input the officer can fix on the form first, then what the case still lacks.
            errors.into_result(())?;
            if let Some(refusal) = refusal {
                return Err(refusal);
            }
            active.cause = Set(cause);
            active.responsible_department = Set(department.map(str::to_string));
            active.responsible_user_id = Set(input.responsible_user_id);
            active.staff_fault = Set(fault.map(|f| f.as_str().to_string()));
            // COMPLAINT-16: a staff fault found by the investigation is a discipline incident
            // (STAFF-6) against the responsible person, opened in this transaction.
            if let (Some(fault), Some(staff_id)) = (fault, input.responsible_user_id) {
                crate::staff_conduct::open_incident(
                    &txn,
                    &crate::staff_conduct::NewIncident {
                        staff_id,
                        kind: "service_quality_fault".into(),
                        description: Some(format!("{} {}", before.number, fault.as_str())),
                        complaint_id: Some(id),
                        ..Default::default()
                    },
                    "complaint",
                    Some(actor),
                    now,
                )
                .await?;
            }
            active.decision = Set(decision);
            active.told_channel = Set(told.map(|c| c.as_str().to_string()));
            active.decided_at = Set(Some(now));
        }
        ComplaintEvent::StartRemedy => {
            let remedy = errors.check(
                "remedy",
                required_text(input.remedy.as_deref().unwrap_or_default(), 4000),
            );
            if let Some(order_id) = input.remedy_order_id {
                if crate::service_orders::find_visible(&txn, actor, order_id)
                    .await
                    .is_err()
                {
                    errors.add("remedy_order_id", "not_found");
                }
            }
            errors.into_result(())?;
            active.remedy = Set(remedy);
            active.remedy_order_id = Set(input.remedy_order_id);
        }
        ComplaintEvent::SetCorrectiveAction => {
            let action = errors.check(
                "corrective_action",
                required_text(input.corrective_action.as_deref().unwrap_or_default(), 4000),
            );
            if input.corrective_owner_id.is_none() {
                errors.add("corrective_owner_id", "required");
            }
            let due = match input
                .corrective_due
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                Some(d) => optional_date(&mut errors, "corrective_due", Some(d)),
                None => {
                    errors.add("corrective_due", "required");
                    None
                }
            };
            if due
                .as_deref()
                .and_then(|d| d.parse::<Date>().ok())
                .is_some_and(|d| d < today)
            {
                errors.add("corrective_due", "in_past");
            }
            if let Some(owner) = input.corrective_owner_id {
                active_user(&txn, owner, "corrective_owner_id").await?;
            }
            errors.into_result(())?;
            active.corrective_action = Set(action);
            active.corrective_owner_id = Set(input.corrective_owner_id);
            active.corrective_due = Set(due);
        }
        ComplaintEvent::ConfirmEffect => {
            errors.into_result(())?;
            active.effect_confirmed_at = Set(Some(now));
        }
        ComplaintEvent::Close => {
            errors.into_result(())?;
            let logs = complaint_log::Entity::find()
                .filter(complaint_log::Column::ComplaintId.eq(id))
                .all(&txn)
                .await?;
            // The first refusal, in the order the officer fixes them.
            if let Some((field, code)) = rules::check_close(CloseFacts {
                has_handler: before.handler_id.is_some(),
                visit_logged: visit_logged(&before, &logs),
                has_responsibility: before.responsible_department.is_some()
                    || before.responsible_user_id.is_some(),
                outcome_told: logs.iter().any(|l| l.kind == "outcome_told"),
            })
            .into_iter()
            .next()
            {
                return Err(AppError::field_conflict(code, field_name(field)));
            }
            active.closed_at = Set(Some(now));
            log = Some(("satisfaction", true));
        }
        ComplaintEvent::Reopen => {
            errors.into_result(())?;
            let reopened = before.reopen_count + 1;
            let after_n = settings::get_count(&txn, "complaint.individual_case_after").await?;
            active.reopen_count = Set(reopened);
            active.closed_at = Set(None);
            active.individual = Set(rules::is_individual_case(
                reopened,
                i32::try_from(after_n).unwrap_or(i32::MAX),
            ));
            log = Some(("satisfaction", false));
        }
        ComplaintEvent::Route | ComplaintEvent::Review => unreachable!("filtered above"),
    }
    let after = save(&txn, &before, active, input.version, now).await?;
    if let Some((kind, satisfied)) = log {
        complaint_log::ActiveModel {
            complaint_id: Set(id),
            kind: Set(kind.to_string()),
            text: Set(note.clone()),
            satisfied: Set(satisfied),
            by_user: Set(actor.user_id),
            at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    match event {
        ComplaintEvent::Close => on_close(&txn, &after, now).await?,
        ComplaintEvent::Reopen if after.individual && !before.individual => {
            let zh = (
                format!("投诉转为个案：{}", after.number),
                format!(
                    "客户经{}次处理仍不满意，请指定专人负责。",
                    after.reopen_count
                ),
            );
            let en = (
                format!("Complaint became an individual case: {}", after.number),
                format!(
                    "Still dissatisfied after {} handlings: assign a dedicated owner.",
                    after.reopen_count
                ),
            );
            let mut to = customer_department(&txn).await?;
            to.extend(executives(&txn).await?);
            notifications::notify(&txn, now, &to, &message("complaint_individual", id, zh, en))
                .await?;
        }
        _ => {}
    }
    audit_change(
        &txn,
        now,
        Some(actor),
        event.as_str(),
        Some(&before),
        &after,
    )
    .await?;
    let view = view(app, &txn, after, app.clock.now()).await?;
    txn.commit().await?;
    Ok(view)
}

/// The API field a domain refusal names.
fn field_name(field: &str) -> &'static str {
    match field {
        "tasks" => "tasks",
        "executive_review" => "executive_review",
        "handler_id" => "handler_id",
        "visit" => "visit",
        "responsible_department" => "responsible_department",
        "outcome" => "outcome",
        _ => "status",
    }
}

/// Closing: the timeliness audit proposes a 洽办单 per late department (COMPLAINT-13), the
/// monthly review is scheduled for the 1st of next month (T12), and the addressed superior
/// hears of the outcome (COMPLAINT-11).
async fn on_close(
    db: &impl ConnectionTrait,
    row: &complaint::Model,
    now: i64,
) -> Result<(), AppError> {
    timers::cancel(db, CASE_OVERDUE_JOB, SUBJECT, row.id).await?;
    let tasks = complaint_task::Entity::find()
        .filter(complaint_task::Column::ComplaintId.eq(row.id))
        .all(db)
        .await?;
    let timings: Vec<TaskTiming> = tasks
        .iter()
        .filter_map(|t| {
            Some(TaskTiming {
                department: DepartmentKind::parse(&t.department)?,
                due: t.due_date.parse().ok()?,
                done: t.done_at.and_then(crate::clock::local_date),
            })
        })
        .collect();
    for (department, days) in
        rules::overruns(&timings, crate::clock::local_date(now).unwrap_or_default())
    {
        complaint_notice::ActiveModel {
            complaint_id: Set(row.id),
            kind: Set(FOLLOW_UP.to_string()),
            department: Set(department.as_str().to_string()),
            level: Set(0),
            days_late: Set(Some(days)),
            status: Set(NOTICE_PROPOSED.to_string()),
            created_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    let closed_on = crate::clock::local_date(now).unwrap_or_default();
    let month = closed_on.strftime("%Y-%m").to_string();
    timers::schedule(
        db,
        REVIEW_REMINDER_JOB,
        "complaint_month",
        0,
        Some(&format!("{REVIEW_REMINDER_JOB}:{month}")),
        first_of_next_month_ms(closed_on)?,
        Some(&serde_json::json!({ "month": month })),
        now,
    )
    .await?;
    if let Some(target) = row.target_user_id {
        notifications::notify(
            db,
            now,
            &[target],
            &message(
                "complaint_closed",
                row.id,
                (
                    format!("投诉已结案：{}", row.number),
                    row.decision.clone().unwrap_or_default(),
                ),
                (
                    format!("Complaint closed: {}", row.number),
                    row.decision.clone().unwrap_or_default(),
                ),
            ),
        )
        .await?;
    }
    Ok(())
}

// ----- notices: 催办单 and 洽办单 -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NoticeInput {
    /// send or drop (a proposed follow-up), or reply (a sent one).
    pub action: String,
    /// The department's reply (for reply).
    pub reply: Option<String>,
    pub version: i32,
}

pub async fn decide_notice(
    app: &App,
    actor: &Actor,
    notice_id: i64,
    input: &NoticeInput,
) -> Result<NoticeView, AppError> {
    actor.require(Permission::ComplaintManage)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = complaint_notice::Entity::find_by_id(notice_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let case = find_visible(&txn, actor, before.complaint_id).await?;
    let mut active: complaint_notice::ActiveModel = before.clone().into();
    match (input.action.trim(), before.status.as_str()) {
        ("send", NOTICE_PROPOSED) => {
            active.status = Set(NOTICE_SENT.to_string());
            active.sent_at = Set(Some(now));
            active.decided_by = Set(Some(actor.user_id));
        }
        ("drop", NOTICE_PROPOSED) => {
            active.status = Set(NOTICE_DROPPED.to_string());
            active.decided_by = Set(Some(actor.user_id));
        }
        ("reply", NOTICE_SENT | NOTICE_ISSUED) => {
            let reply = required_text(input.reply.as_deref().unwrap_or_default(), 4000)
                .map_err(|code| AppError::invalid("reply", code))?;
            active.status = Set(NOTICE_REPLIED.to_string());
            active.reply = Set(Some(reply));
            active.replied_at = Set(Some(now));
        }
        ("send" | "drop" | "reply", _) => {
            return Err(AppError::field_conflict("invalid_transition", "status"))
        }
        _ => return Err(AppError::invalid("action", "invalid_choice")),
    }
    active.version = Set(input.version + 1);
    let after = versioned_update(
        &txn,
        active,
        complaint_notice::Column::Version,
        input.version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "complaint_notice",
        notice_id,
        input.action.trim(),
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(notice_view(after, &case.number))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct NoticeFilter {
    /// reminder or follow_up; empty: both.
    pub kind: Option<String>,
}

/// Reminders and follow-ups, newest first, a page at a time.
pub async fn notices(
    app: &App,
    actor: &Actor,
    filter: &NoticeFilter,
    request: PageRequest,
) -> Result<Page<NoticeView>, AppError> {
    actor.require(Permission::ComplaintRead)?;
    let mut query = of_visible_complaints(
        actor,
        complaint_notice::Entity::find().order_by_desc(complaint_notice::Column::Id),
        complaint_notice::Column::ComplaintId,
    )?;
    if let Some(kind) = filter.kind.as_deref().filter(|k| !k.is_empty()) {
        query = query.filter(complaint_notice::Column::Kind.eq(kind));
    }
    let mut page = crate::page::fetch(&app.db, query, request).await?;
    let rows = std::mem::take(&mut page.items);
    let cases = cases_of(&app.db, rows.iter().map(|r| r.complaint_id)).await?;
    let views = rows
        .into_iter()
        .filter_map(|row| {
            let case = cases.get(&row.complaint_id)?;
            Some(notice_view(row, &case.number))
        })
        .collect();
    Ok(page.with_items(views))
}

/// One notice with its complaint, for the printed form.
pub async fn notice(
    app: &App,
    actor: &Actor,
    notice_id: i64,
) -> Result<(NoticeView, ComplaintView), AppError> {
    actor.require(Permission::ComplaintRead)?;
    let row = complaint_notice::Entity::find_by_id(notice_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let case = get(app, actor, row.complaint_id).await?;
    Ok((notice_view(row, &case.number), case))
}

// ----- timers -----

/// Issues a 催办单 to `department` for the case (and task), one level above the last one,
/// tells the customer department, and schedules the repeat.
async fn issue_reminder(
    fire: &Fire<'_>,
    case: &complaint::Model,
    task: Option<&complaint_task::Model>,
    department: &str,
) -> Result<(), AppError> {
    let mut query = complaint_notice::Entity::find()
        .filter(complaint_notice::Column::ComplaintId.eq(case.id))
        .filter(complaint_notice::Column::Kind.eq(REMINDER))
        .filter(complaint_notice::Column::Department.eq(department));
    query = match task {
        Some(task) => query.filter(complaint_notice::Column::TaskId.eq(task.id)),
        None => query.filter(complaint_notice::Column::TaskId.is_null()),
    };
    let issued = query.count(fire.txn).await? as usize;
    let level = rules::next_reminder_level(issued);
    let due = task.map_or_else(
        || case.due_date.clone().unwrap_or_default(),
        |t| t.due_date.clone(),
    );
    let days_late = due
        .parse::<Date>()
        .ok()
        .map(|d| (crate::clock::local_date(fire.now_ms).unwrap_or_default() - d).get_days() as i64);
    complaint_notice::ActiveModel {
        complaint_id: Set(case.id),
        task_id: Set(task.map(|t| t.id)),
        kind: Set(REMINDER.to_string()),
        department: Set(department.to_string()),
        level: Set(level),
        days_late: Set(days_late),
        status: Set(NOTICE_ISSUED.to_string()),
        created_at: Set(fire.now_ms),
        sent_at: Set(Some(fire.now_ms)),
        version: Set(1),
        ..Default::default()
    }
    .insert(fire.txn)
    .await?;
    let mut to = customer_department(fire.txn).await?;
    if level >= 3 {
        // Two reminders went unanswered: leadership hears of it.
        to.extend(executives(fire.txn).await?);
    }
    let zh = (
        format!("催办单（第{level}次）：{}", case.number),
        format!(
            "部门{department}处理投诉{}已逾期（期限{due}），请催办。",
            case.number
        ),
    );
    let en = (
        format!("Overdue reminder (level {level}): {}", case.number),
        format!(
            "Department {department} is overdue with complaint {} (due {due}).",
            case.number
        ),
    );
    notifications::notify(
        fire.txn,
        fire.now_ms,
        &to,
        &message("complaint_reminder", case.id, zh, en),
    )
    .await?;
    let repeat_hours = settings::get_count(fire.txn, "complaint.reminder_repeat_hours").await?;
    let (kind, subject_id) = match task {
        Some(task) => (TASK_OVERDUE_JOB, task.id),
        None => (CASE_OVERDUE_JOB, case.id),
    };
    schedule_overdue(
        fire.txn,
        kind,
        subject_id,
        level + 1,
        fire.now_ms + repeat_hours.max(1) * 3_600_000,
        fire.now_ms,
    )
    .await
}

pub struct TaskOverdueJob;

#[async_trait::async_trait]
impl Job for TaskOverdueJob {
    fn name(&self) -> &'static str {
        TASK_OVERDUE_JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(task) = complaint_task::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        let Some(case) = complaint::Entity::find_by_id(task.complaint_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        if task.status != TASK_OPEN || status_of(&case).is_closed() {
            return Ok(());
        }
        issue_reminder(fire, &case, Some(&task), &task.department.clone()).await
    }
}

pub struct CaseOverdueJob;

#[async_trait::async_trait]
impl Job for CaseOverdueJob {
    fn name(&self) -> &'static str {
        CASE_OVERDUE_JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(case) = complaint::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        if status_of(&case).is_closed() {
            return Ok(());
        }
        // The late department: the responsible one once decided, else the customer
        // department that owns the case.
        let department = case
            .responsible_department
            .clone()
            .unwrap_or_else(|| rules::CUSTOMER_DEPARTMENT.to_string());
        issue_reminder(fire, &case, None, &department).await
    }
}

pub struct ReplyDueJob;

#[async_trait::async_trait]
impl Job for ReplyDueJob {
    fn name(&self) -> &'static str {
        REPLY_DUE_JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(case) = complaint::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        if case.first_reply_at.is_some() || status_of(&case).is_closed() {
            return Ok(());
        }
        let mut to = customer_department(fire.txn).await?;
        to.extend(executives(fire.txn).await?);
        to.extend(case.handler_id);
        let zh = (
            format!("投诉未在时限内答复：{}", case.number),
            format!(
                "客户{}的投诉{}受理后尚未答复客户。",
                case.customer_name, case.number
            ),
        );
        let en = (
            format!("Complaint reply overdue: {}", case.number),
            format!(
                "{} has had no reply on complaint {} since acceptance.",
                case.customer_name, case.number
            ),
        );
        notifications::notify(
            fire.txn,
            fire.now_ms,
            &to,
            &message("complaint_reply_overdue", case.id, zh, en),
        )
        .await?;
        Ok(())
    }
}

pub struct ReviewReminderJob;

#[async_trait::async_trait]
impl Job for ReviewReminderJob {
    fn name(&self) -> &'static str {
        REVIEW_REMINDER_JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let month = fire.payload()["month"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let zh = (
            format!("请于10日前完成{month}投诉结案检讨"),
            "请检讨上月结案的投诉，确定责任及奖惩。".to_string(),
        );
        let en = (
            format!("Review {month}'s closed complaints by the 10th"),
            "Review last month's closed complaints: responsibility, sanctions, rewards."
                .to_string(),
        );
        let message = Message {
            kind: "complaint_review_reminder",
            link: Some(format!("/complaints/review?month={month}")),
            zh,
            en,
        };
        notifications::notify(
            fire.txn,
            fire.now_ms,
            &customer_department(fire.txn).await?,
            &message,
        )
        .await?;
        Ok(())
    }
}

// ----- routing rules -----

async fn configured_routes(
    db: &impl ConnectionTrait,
) -> Result<Vec<(ComplaintType, DepartmentKind)>, AppError> {
    Ok(complaint_route::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some((
                ComplaintType::parse(&r.complaint_type)?,
                DepartmentKind::parse(&r.department)?,
            ))
        })
        .collect())
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoutingRule {
    pub complaint_type: String,
    pub departments: Vec<String>,
    /// No rule is configured for this type: the defaults apply.
    pub default: bool,
}

/// The routing table in force, one row per complaint type.
pub async fn routing(app: &App, actor: &Actor) -> Result<Vec<RoutingRule>, AppError> {
    actor.require(Permission::ComplaintRead)?;
    let configured = configured_routes(&app.db).await?;
    Ok(ComplaintType::ALL
        .iter()
        .map(|t| RoutingRule {
            complaint_type: t.as_str().to_string(),
            departments: rules::route(*t, &configured)
                .into_iter()
                .map(|d| d.as_str().to_string())
                .collect(),
            default: !configured.iter().any(|(c, _)| c == t),
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RoutingInput {
    /// The departments; empty: back to the defaults.
    #[serde(default)]
    pub departments: Vec<String>,
}

/// Replaces the routing rule of one complaint type (administrators).
pub async fn set_routing(
    app: &App,
    actor: &Actor,
    complaint_type: &str,
    input: &RoutingInput,
) -> Result<Vec<RoutingRule>, AppError> {
    actor.require(Permission::SettingsWrite)?;
    let complaint_type = ComplaintType::parse(complaint_type).ok_or(AppError::NotFound)?;
    let mut departments = Vec::new();
    for code in &input.departments {
        departments.push(
            DepartmentKind::parse(code.trim())
                .ok_or_else(|| AppError::invalid("departments", "invalid_choice"))?,
        );
    }
    departments.sort();
    departments.dedup();
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    complaint_route::Entity::delete_many()
        .filter(complaint_route::Column::ComplaintType.eq(complaint_type.as_str()))
        .exec(&txn)
        .await?;
    for department in &departments {
        complaint_route::ActiveModel {
            complaint_type: Set(complaint_type.as_str().to_string()),
            department: Set(department.as_str().to_string()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        now,
        Some(actor),
        "complaint_route",
        0,
        "update",
        None::<&()>,
        Some(&serde_json::json!({ "complaint_type": complaint_type.as_str(), "departments": departments.iter().map(|d| d.as_str()).collect::<Vec<_>>() })),
    )
    .await?;
    txn.commit().await?;
    routing(app, actor).await
}

// ----- monthly review and reward/penalty notices -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    /// none, administrative, deduction or reward.
    pub sanction: String,
    /// For a deduction or reward (fen).
    pub amount_fen: Option<i64>,
    pub note: Option<String>,
    pub version: i32,
}

/// Reviews one closed case (C.5 CLOSED → REVIEWED).
pub async fn review(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ReviewInput,
) -> Result<ComplaintView, AppError> {
    actor.require(Permission::ComplaintManage)?;
    let mut errors = ValidationErrors::new();
    let sanction = parse_code(&mut errors, "sanction", &input.sanction, Sanction::parse);
    let amount = sanction.and_then(|s| {
        errors.check(
            "amount_fen",
            rules::check_sanction_amount(s, input.amount_fen),
        )
    });
    let note = text(&mut errors, "note", input.note.as_deref(), 2000);
    let (Some(sanction), Some(amount)) = (sanction, amount) else {
        return Err(errors.into());
    };
    errors.into_result(())?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    let to = transition(&before, ComplaintEvent::Review)?;
    let mut active: complaint::ActiveModel = before.clone().into();
    active.status = Set(to.as_str().to_string());
    active.sanction = Set(Some(sanction.as_str().to_string()));
    active.sanction_amount_fen = Set((amount > 0).then_some(amount));
    active.sanction_note = Set(note);
    active.reviewed_at = Set(Some(now));
    active.reviewed_by = Set(Some(actor.user_id));
    let after = save(&txn, &before, active, input.version, now).await?;
    audit_change(&txn, now, Some(actor), "review", Some(&before), &after).await?;
    let view = view(app, &txn, after, app.clock.now()).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewCase {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub customer_name: String,
    pub complaint_type: String,
    pub closed_at: String,
    pub responsible_department: Option<String>,
    pub responsible_user: Option<String>,
    pub sanction: Option<String>,
    pub sanction_amount_fen: Option<i64>,
    pub sanction_note: Option<String>,
    pub notice_id: Option<i64>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthReview {
    /// YYYY-MM.
    pub month: String,
    /// The day the review is due (the 10th of the next month).
    pub due: String,
    pub cases: Vec<ReviewCase>,
    /// The HR list (人事公布单): administrative sanctions.
    pub hr_list: Vec<ReviewCase>,
    /// The month's reward/penalty notice, once drafted.
    pub notice_id: Option<i64>,
}

/// The cases closed in `month` (YYYY-MM; empty: last month) with their review.
pub async fn month_review(
    app: &App,
    actor: &Actor,
    month: Option<&str>,
) -> Result<MonthReview, AppError> {
    actor.require(Permission::ComplaintRead)?;
    let (first, last) = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => rules::month_bounds(m).map_err(|code| AppError::invalid("month", code))?,
        None => {
            let (first, last, _) = rules::review_period(app.today());
            (first, last)
        }
    };
    let due = first
        .last_of_month()
        .tomorrow()
        .ok()
        .and_then(|d| d.with().day(10).build().ok())
        .unwrap_or(last);
    let from = first
        .to_zoned(zone())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))?
        .timestamp()
        .as_millisecond();
    let to = end_of_day_ms(last)?;
    let rows = complaint::Entity::find()
        .filter(complaint::Column::ClosedAt.gte(from))
        .filter(complaint::Column::ClosedAt.lt(to))
        .order_by_asc(complaint::Column::ClosedAt)
        .all(&app.db)
        .await?;
    let people = names(&app.db, rows.iter().filter_map(|r| r.responsible_user_id)).await?;
    let cases: Vec<ReviewCase> = rows
        .into_iter()
        .filter(|r| actor.sees(r.org_unit_id, r.customer_id))
        .map(|r| ReviewCase {
            id: r.id,
            number: r.number,
            status: r.status,
            customer_name: r.customer_name,
            complaint_type: r.complaint_type,
            closed_at: r.closed_at.map(format_ms).unwrap_or_default(),
            responsible_department: r.responsible_department,
            responsible_user: r
                .responsible_user_id
                .and_then(|id| people.get(&id).cloned()),
            sanction: r.sanction,
            sanction_amount_fen: r.sanction_amount_fen,
            sanction_note: r.sanction_note,
            notice_id: r.notice_id,
            version: r.version,
        })
        .collect();
    let month = first.strftime("%Y-%m").to_string();
    let notice_id = reward_penalty_notice::Entity::find()
        .filter(reward_penalty_notice::Column::Month.eq(&month))
        .one(&app.db)
        .await?
        .map(|n| n.id);
    Ok(MonthReview {
        hr_list: cases
            .iter()
            .filter(|c| c.sanction.as_deref() == Some(Sanction::Administrative.as_str()))
            .cloned()
            .collect(),
        month,
        due: due.to_string(),
        cases,
        notice_id,
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RewardPenaltyNoticeView {
    pub id: i64,
    pub month: String,
    /// draft or approved.
    pub status: String,
    pub total_deduction_fen: i64,
    pub total_reward_fen: i64,
    pub lines: Vec<ReviewCase>,
    pub created_by: String,
    pub created_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    /// The three copies (kept, accounting, department) and when each was received.
    pub copies: Vec<CopyView>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CopyView {
    /// kept (自存), accounting (会计查核) or department (罚扣部门).
    pub copy: String,
    pub received_at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NoticeDraftInput {
    /// YYYY-MM: the reviewed month.
    pub month: String,
}

/// Drafts the month's reward/penalty notice from its reviewed deductions and rewards.
pub async fn draft_reward_penalty(
    app: &App,
    actor: &Actor,
    input: &NoticeDraftInput,
) -> Result<RewardPenaltyNoticeView, AppError> {
    actor.require(Permission::ComplaintManage)?;
    let review = month_review(app, actor, Some(&input.month)).await?;
    let lines: Vec<&ReviewCase> = review
        .cases
        .iter()
        .filter(|c| matches!(c.sanction.as_deref(), Some("deduction" | "reward")))
        .collect();
    if lines.is_empty() {
        return Err(AppError::field_conflict("nothing_to_notify", "month"));
    }
    let sum = |kind: &str| -> i64 {
        lines
            .iter()
            .filter(|c| c.sanction.as_deref() == Some(kind))
            .filter_map(|c| c.sanction_amount_fen)
            .sum()
    };
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = reward_penalty_notice::ActiveModel {
        month: Set(review.month.clone()),
        status: Set(RP_DRAFT.to_string()),
        total_deduction_fen: Set(sum("deduction")),
        total_reward_fen: Set(sum("reward")),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    complaint::Entity::update_many()
        .col_expr(
            complaint::Column::NoticeId,
            aftersales_store::sea_orm::sea_query::Expr::value(row.id),
        )
        .filter(complaint::Column::Id.is_in(lines.iter().map(|c| c.id).collect::<Vec<_>>()))
        .exec(&txn)
        .await?;
    let message = Message {
        kind: "reward_penalty_approval",
        link: Some(format!("/reward-penalty-notices/{}", row.id)),
        zh: (format!("奖罚通知单待核准：{}", row.month), String::new()),
        en: (
            format!("Reward/penalty notice to approve: {}", row.month),
            String::new(),
        ),
    };
    notifications::notify(
        &txn,
        now,
        &notifications::users_with_role(&txn, Role::GeneralManager, None).await?,
        &message,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "reward_penalty_notice",
        row.id,
        "draft",
        None::<&()>,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    reward_penalty_notice(app, actor, row.id).await
}

pub async fn reward_penalty_notice(
    app: &App,
    actor: &Actor,
    id: i64,
) -> Result<RewardPenaltyNoticeView, AppError> {
    actor.require(Permission::ComplaintRead)?;
    let row = reward_penalty_notice::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let review = month_review(app, actor, Some(&row.month)).await?;
    let people = names(
        &app.db,
        [Some(row.created_by), row.approved_by]
            .into_iter()
            .flatten(),
    )
    .await?;
    let copies = rules::NOTICE_COPIES
        .iter()
        .zip([
            row.kept_received_at,
            row.accounting_received_at,
            row.department_received_at,
        ])
        .map(|(copy, at)| CopyView {
            copy: copy.to_string(),
            received_at: at.map(format_ms),
        })
        .collect();
    Ok(RewardPenaltyNoticeView {
        id: row.id,
        month: row.month,
        status: row.status,
        total_deduction_fen: row.total_deduction_fen,
        total_reward_fen: row.total_reward_fen,
        lines: review
            .cases
            .into_iter()
            .filter(|c| c.notice_id == Some(id))
            .collect(),
        created_by: people.get(&row.created_by).cloned().unwrap_or_default(),
        created_at: format_ms(row.created_at),
        approved_by: row.approved_by.and_then(|id| people.get(&id).cloned()),
        approved_at: row.approved_at.map(format_ms),
        copies,
        version: row.version,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ApproveInput {
    pub version: i32,
}

/// The general manager approves the notice (ORG-3: penalty notice → GM).
pub async fn approve_reward_penalty(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ApproveInput,
) -> Result<RewardPenaltyNoticeView, AppError> {
    actor.require(Permission::ComplaintApprove)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = reward_penalty_notice::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.status != RP_DRAFT {
        return Err(AppError::field_conflict("already_approved", "status"));
    }
    let mut active: reward_penalty_notice::ActiveModel = before.clone().into();
    active.status = Set(RP_APPROVED.to_string());
    active.approved_by = Set(Some(actor.user_id));
    active.approved_at = Set(Some(now));
    active.version = Set(input.version + 1);
    let after = versioned_update(
        &txn,
        active,
        reward_penalty_notice::Column::Version,
        input.version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "reward_penalty_notice",
        id,
        "approve",
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    reward_penalty_notice(app, actor, id).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CopyInput {
    /// kept, accounting or department.
    pub copy: String,
    pub version: i32,
}

/// Records the receipt of one printed copy of an approved notice.
pub async fn receive_copy(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &CopyInput,
) -> Result<RewardPenaltyNoticeView, AppError> {
    actor.require(Permission::ComplaintManage)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = reward_penalty_notice::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.status != RP_APPROVED {
        return Err(AppError::field_conflict("not_approved", "status"));
    }
    let mut active: reward_penalty_notice::ActiveModel = before.clone().into();
    match input.copy.trim() {
        "kept" => active.kept_received_at = Set(Some(now)),
        "accounting" => active.accounting_received_at = Set(Some(now)),
        "department" => active.department_received_at = Set(Some(now)),
        _ => return Err(AppError::invalid("copy", "invalid_choice")),
    }
    active.version = Set(input.version + 1);
    let after = versioned_update(
        &txn,
        active,
        reward_penalty_notice::Column::Version,
        input.version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "reward_penalty_notice",
        id,
        "receive_copy",
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    reward_penalty_notice(app, actor, id).await
}
