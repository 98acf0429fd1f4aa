//! Opinion surveys (SURVEY-1..3, timer T8). The day after the calls, a durable timer per
//! organisation unit creates one survey card (客户意见调查卡) for every service order
//! registered that day (no sampling; cancelled orders are left out, there was no service to
//! rate) and sends it by the customer's channel: the portal (an in-app notification to the
//! customer's portal user), e-mail (a one-time link through the mail outbox), SMS (recorded
//! as queued: no SMS gateway is connected, the customer department calls instead) or letter
//! (a printable card). The customer department is told how many cards went out.
//!
//! A card is answered once: by the customer through the link (no sign-in), by the portal
//! user, or by the customer department from a returned paper card or a phone call. A
//! suggestion or complaint in the answer marks the card "needs follow-up" and tells the
//! customer department; [`link_remark_to_complaint`] is the hook the complaint process uses
//! to take it over (SURVEY-3). The report aggregates ratings per technician and month (the
//! monthly technician assessment input) and per branch, with the response rate.

use std::collections::{BTreeMap, HashMap};

use aftersales_domain::role::{Permission, Role, Scope};
use aftersales_domain::service_order::OrderStatus;
use aftersales_domain::survey::{
    self, AnsweredVia, Aspect, CallOutcome, CardStatus, Channel, FollowUpReason, FollowUpStatus,
    Ratings, RemarkKind, Tally,
};
use aftersales_domain::validation::{optional_text, ValidationErrors};
use aftersales_store::entity::{customer, follow_up, org_unit, service_order, survey_card, user};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::timers::{self, Fire, Job};
use crate::{audit, auth, format_ms, settings, Actor, App, AppError};

/// The timer kind of a unit's daily survey run; subject `org_unit`, payload `{"date"}`.
pub const DAILY: &str = "survey_cards_daily";

// ----- the daily run (T8) -----

fn zone_of(unit: &org_unit::Model) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(&unit.time_zone).unwrap_or_else(|_| crate::clock::default_zone())
}

async fn schedule_day(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
    day: Date,
    now_ms: i64,
) -> Result<bool, AppError> {
    let due = survey::send_instant_ms(day, &zone_of(unit))
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no send instant for {day}")))?;
    timers::schedule(
        db,
        DAILY,
        "org_unit",
        unit.id,
        // One run per unit and day, however often it is scheduled.
        Some(&format!("{DAILY}:{}:{day}", unit.id)),
        due,
        Some(&serde_json::json!({ "date": day.to_string() })),
        now_ms,
    )
    .await
}

/// Makes sure every unit that takes calls (not the functional departments) has its daily
/// survey run pending, starting with today's calls. Called when an instance starts and by
/// every run, so a unit created later is picked up the next morning. Answers how many runs
/// were scheduled.
pub async fn ensure_survey_days(db: &impl ConnectionTrait, now_ms: i64) -> Result<usize, AppError> {
    let now = jiff::Timestamp::from_millisecond(now_ms)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("now: {err}")))?;
    let mut scheduled = 0;
    for unit in timers::call_units_without_pending(db, DAILY).await? {
        let today = now.to_zoned(zone_of(&unit)).date();
        if schedule_day(db, &unit, today, now_ms).await? {
            scheduled += 1;
        }
    }
    Ok(scheduled)
}

/// The daily run of one unit: the cards for one call day, then the next day's run. A runner
/// that was down catches up day by day, because each run schedules the next one.
pub struct DailyCardsJob;

#[async_trait::async_trait]
impl Job for DailyCardsJob {
    fn name(&self) -> &'static str {
        DAILY
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let day: Date = fire.payload()["date"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("survey run without a date")))?;
        let Some(unit) = org_unit::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        create_cards_for_day(fire.txn, &unit, day, fire.now_ms).await?;
        let next = day
            .tomorrow()
            .map_err(|err| AppError::Internal(anyhow::anyhow!("next day: {err}")))?;
        schedule_day(fire.txn, &unit, next, fire.now_ms).await?;
        ensure_survey_days(fire.txn, fire.now_ms).await?;
        Ok(())
    }
}

/// Creates and sends the cards of one unit's call day; answers the new cards' ids. Orders
/// that already have a card are skipped (the unique order index backs this up).
pub async fn create_cards_for_day(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
    day: Date,
    now_ms: i64,
) -> Result<Vec<i64>, AppError> {
    let (start, end) = survey::day_bounds_ms(day, &zone_of(unit))
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no bounds for {day}")))?;
    let orders = service_order::Entity::find()
        .filter(service_order::Column::OrgUnitId.eq(unit.id))
        .filter(service_order::Column::CreatedAt.gte(start))
        .filter(service_order::Column::CreatedAt.lt(end))
        .filter(service_order::Column::Status.ne(OrderStatus::Cancelled.as_str()))
        .order_by_asc(service_order::Column::Id)
        .all(db)
        .await?;
    let carded: Vec<i64> = survey_card::Entity::find()
        .filter(survey_card::Column::ServiceOrderId.is_in(orders.iter().map(|o| o.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.service_order_id)
        .collect();
    let origin = settings::get(db, "site.public_origin").await?;
    let mut created = Vec::new();
    for order in orders.iter().filter(|o| !carded.contains(&o.id)) {
        let Some(customer) = customer::Entity::find_by_id(order.customer_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let portal_users: Vec<i64> = user::Entity::find()
            .filter(user::Column::CustomerId.eq(customer.id))
            .filter(user::Column::Active.eq(true))
            .all(db)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        let channel = survey::choose_channel(
            !portal_users.is_empty(),
            customer.email.as_deref(),
            &customer.phone,
        );
        let token = auth::random_token();
        let card = survey_card::ActiveModel {
            org_unit_id: Set(unit.id),
            service_order_id: Set(order.id),
            customer_id: Set(customer.id),
            technician_id: Set(order.technician_id),
            survey_date: Set(day.to_string()),
            channel: Set(channel.as_str().to_string()),
            token_hash: Set(auth::token_hash(&token)),
            status: Set(CardStatus::Sent.as_str().to_string()),
            sent_at: Set(now_ms),
            answered_at: Set(None),
            answered_via: Set(None),
            answered_by: Set(None),
            attitude: Set(None),
            technique: Set(None),
            arrival: Set(None),
            promise: Set(None),
            remark: Set(None),
            remark_kind: Set(None),
            needs_follow_up: Set(false),
            complaint_id: Set(None),
            version: Set(1),
            created_at: Set(now_ms),
            updated_at: Set(now_ms),
            ..Default::default()
        }
        .insert(db)
        .await?;
        match channel {
            Channel::Portal => {
                let message = Message {
                    kind: "survey_card",
                    link: Some(format!("/survey-cards/{}", card.id)),
                    zh: (
                        format!("请评价服务单 {} 的服务", order.number),
                        "您的意见帮助我们改进服务。".to_string(),
                    ),
                    en: (
                        format!("Please rate the service of order {}", order.number),
                        "Your opinion helps us improve our service.".to_string(),
                    ),
                };
                notifications::notify(db, now_ms, &portal_users, &message).await?;
            }
            Channel::Email => {
                let address = customer.email.as_deref().unwrap_or_default();
                let link = format!("{}/s/{token}", origin.trim_end_matches('/'));
                let body = format!(
                    "{name}，您好：\n\n感谢您选择我们的服务。请花一分钟评价服务单 {number} 的技术员（态度、技术、到达时间、答应事情的办理）：\n{link}\n\nDear {name}, please rate the technician of service order {number}:\n{link}\n",
                    name = customer.name,
                    number = order.number,
                );
                notifications::queue_mail(
                    db,
                    now_ms,
                    address,
                    &format!("客户意见调查卡 / Service survey {}", order.number),
                    &body,
                    ("survey_card", card.id),
                )
                .await?;
            }
            // Recorded as queued: there is no SMS gateway; the card list shows them so the
            // customer department can call instead. Letters are printed from the card page.
            Channel::Sms | Channel::Letter => {}
        }
        audit::record(
            db,
            now_ms,
            None,
            "survey_card",
            card.id,
            "create",
            None::<&()>,
            Some(&card),
        )
        .await?;
        created.push(card.id);
    }
    if !created.is_empty() {
        let department = notifications::users_with_role(db, Role::CustomerDepartment, None).await?;
        let message = Message {
            kind: "survey_cards_sent",
            link: Some(format!(
                "/survey-cards?org_unit_id={}&survey_date={day}",
                unit.id
            )),
            zh: (
                format!("{} {day} 的调查卡已发出 {} 张", unit.name, created.len()),
                String::new(),
            ),
            en: (
                format!(
                    "{} survey cards sent for {} on {day}",
                    created.len(),
                    unit.name
                ),
                String::new(),
            ),
        };
        notifications::notify(db, now_ms, &department, &message).await?;
    }
    Ok(created)
}

// ----- views -----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RatingView {
    /// attitude, technique, arrival or promise.
    pub aspect: String,
    /// 1–4, 4 the best level.
    pub score: i64,
    /// The level's label from `survey.levels`.
    pub label: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CardView {
    pub id: i64,
    pub org_unit_id: i64,
    pub branch_name: String,
    pub service_order_id: i64,
    pub order_number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub technician_id: Option<i64>,
    pub technician_name: Option<String>,
    /// The call day the card is for.
    pub survey_date: String,
    /// portal, email, sms or letter.
    pub channel: String,
    /// sent or answered.
    pub status: String,
    pub sent_at: String,
    pub answered_at: Option<String>,
    /// link, portal, paper or phone.
    pub answered_via: Option<String>,
    /// The four ratings once answered, in the order attitude, technique, arrival, promise.
    pub ratings: Vec<RatingView>,
    pub remark: Option<String>,
    /// suggestion or complaint.
    pub remark_kind: Option<String>,
    /// A suggestion or complaint the customer department has not handed on yet.
    pub needs_follow_up: bool,
    pub complaint_id: Option<i64>,
    pub version: i32,
}

impl CardView {
    pub fn is_answered(&self) -> bool {
        self.status == CardStatus::Answered.as_str()
    }
}

/// The level labels of the `survey.levels` setting, best first.
pub async fn levels(db: &impl ConnectionTrait) -> Result<[String; 4], AppError> {
    let text = settings::get(db, "survey.levels").await?;
    survey::parse_levels(&text)
        .or_else(|_| survey::parse_levels(survey::DEFAULT_LEVELS))
        .map_err(|code| AppError::Internal(anyhow::anyhow!("survey levels: {code}")))
}

pub(crate) fn ratings_of(row: &survey_card::Model) -> Option<Ratings> {
    let score = |value: Option<i64>| value.and_then(|v| i16::try_from(v).ok());
    Some([
        score(row.attitude)?,
        score(row.technique)?,
        score(row.arrival)?,
        score(row.promise)?,
    ])
}

async fn names<E>(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
    name: impl Fn(&E::Model) -> (i64, String),
) -> Result<HashMap<i64, String>, AppError>
where
    E: EntityTrait,
    <E::PrimaryKey as aftersales_store::sea_orm::PrimaryKeyTrait>::ValueType: From<i64>,
{
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let mut found = HashMap::new();
    for id in ids {
        if let Some(row) = E::find_by_id(id).one(db).await? {
            let (id, text) = name(&row);
            found.insert(id, text);
        }
    }
    Ok(found)
}

async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<survey_card::Model>,
) -> Result<Vec<CardView>, AppError> {
    let labels = levels(db).await?;
    let branches = names::<org_unit::Entity>(db, rows.iter().map(|r| r.org_unit_id), |u| {
        (u.id, u.name.clone())
    })
    .await?;
    let orders = names::<service_order::Entity>(db, rows.iter().map(|r| r.service_order_id), |o| {
        (o.id, o.number.clone())
    })
    .await?;
    let customers = names::<customer::Entity>(db, rows.iter().map(|r| r.customer_id), |c| {
        (c.id, c.name.clone())
    })
    .await?;
    let technicians = names::<user::Entity>(db, rows.iter().filter_map(|r| r.technician_id), |u| {
        (u.id, u.display_name.clone())
    })
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let ratings = ratings_of(&row)
                .map(|scores| {
                    Aspect::ALL
                        .iter()
                        .zip(scores)
                        .map(|(aspect, score)| RatingView {
                            aspect: aspect.as_str().to_string(),
                            score: i64::from(score),
                            label: survey::level_label(&labels, score).to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            CardView {
                id: row.id,
                org_unit_id: row.org_unit_id,
                branch_name: branches.get(&row.org_unit_id).cloned().unwrap_or_default(),
                service_order_id: row.service_order_id,
                order_number: orders
                    .get(&row.service_order_id)
                    .cloned()
                    .unwrap_or_default(),
                customer_id: row.customer_id,
                customer_name: customers.get(&row.customer_id).cloned().unwrap_or_default(),
                technician_id: row.technician_id,
                technician_name: row
                    .technician_id
                    .and_then(|id| technicians.get(&id).cloned()),
                survey_date: row.survey_date,
                channel: row.channel,
                status: row.status,
                sent_at: format_ms(row.sent_at),
                answered_at: row.answered_at.map(format_ms),
                answered_via: row.answered_via,
                ratings,
                remark: row.remark,
                remark_kind: row.remark_kind,
                needs_follow_up: row.needs_follow_up,
                complaint_id: row.complaint_id,
                version: row.version,
            }
        })
        .collect())
}

// ----- reading cards -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct CardFilter {
    /// sent or answered.
    pub status: Option<String>,
    /// portal, email, sms or letter.
    pub channel: Option<String>,
    /// The call day (YYYY-MM-DD).
    pub survey_date: Option<String>,
    pub org_unit_id: Option<i64>,
    pub technician_id: Option<i64>,
    /// true: only answers with a suggestion or complaint still to follow up.
    pub needs_follow_up: Option<bool>,
}

/// Cards the actor sees, newest first: a branch's staff their branch's, a portal user its
/// customer's own.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &CardFilter,
    request: PageRequest,
) -> Result<Page<CardView>, AppError> {
    actor.require(Permission::SurveyRead)?;
    let mut query = survey_card::Entity::find();
    match actor.scope() {
        Scope::AllBranches => {}
        Scope::Branch(own) => query = query.filter(survey_card::Column::OrgUnitId.eq(own)),
        Scope::Customer(own) => query = query.filter(survey_card::Column::CustomerId.eq(own)),
        Scope::Nothing => query = query.filter(survey_card::Column::Id.eq(-1)),
    }
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        CardStatus::parse(status).ok_or_else(|| AppError::invalid("status", "invalid_choice"))?;
        query = query.filter(survey_card::Column::Status.eq(status));
    }
    if let Some(channel) = filter.channel.as_deref().filter(|s| !s.is_empty()) {
        Channel::parse(channel).ok_or_else(|| AppError::invalid("channel", "invalid_choice"))?;
        query = query.filter(survey_card::Column::Channel.eq(channel));
    }
    if let Some(day) = filter.survey_date.as_deref().filter(|s| !s.is_empty()) {
        let day = aftersales_domain::validation::date(day)
            .map_err(|code| AppError::invalid("survey_date", code))?;
        query = query.filter(survey_card::Column::SurveyDate.eq(day.to_string()));
    }
    if let Some(unit) = filter.org_unit_id {
        query = query.filter(survey_card::Column::OrgUnitId.eq(unit));
    }
    if let Some(technician) = filter.technician_id {
        query = query.filter(survey_card::Column::TechnicianId.eq(technician));
    }
    if filter.needs_follow_up == Some(true) {
        query = query.filter(survey_card::Column::NeedsFollowUp.eq(true));
    }
    let paginator = query
        .order_by_desc(survey_card::Column::Id)
        .paginate(&app.db, request.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(request.page() - 1).await?;
    Ok(Page {
        items: views(&app.db, rows).await?,
        total,
        page: request.page(),
        per_page: request.per_page(),
        total_capped: false,
    })
}

async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<survey_card::Model, AppError> {
    let row = survey_card::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, Some(row.customer_id))?;
    Ok(row)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<CardView, AppError> {
    actor.require(Permission::SurveyRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    one_view(&app.db, row).await
}

async fn one_view(
    db: &impl ConnectionTrait,
    row: survey_card::Model,
) -> Result<CardView, AppError> {
    views(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("card view lost")))
}

// ----- answering -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    /// 1–4 each, 4 the best level (很满意) and 1 the worst (不满意).
    pub attitude: Option<i64>,
    pub technique: Option<i64>,
    pub arrival: Option<i64>,
    pub promise: Option<i64>,
    /// Free-text suggestion or complaint.
    pub remark: Option<String>,
    /// suggestion (default) or complaint, when there is a remark.
    pub remark_kind: Option<String>,
    /// Staff only: paper (a returned card) or phone (a follow-up call).
    pub answered_via: Option<String>,
    /// The version read (optional; a stale version answers 409).
    pub version: Option<i32>,
}

struct Answer {
    ratings: Ratings,
    remark: Option<String>,
    remark_kind: Option<RemarkKind>,
}

fn validate_answer(input: &AnswerInput) -> Result<Answer, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut ratings: Ratings = [0; 4];
    for (idx, (field, value)) in [
        ("attitude", input.attitude),
        ("technique", input.technique),
        ("arrival", input.arrival),
        ("promise", input.promise),
    ]
    .into_iter()
    .enumerate()
    {
        match value.and_then(|v| i16::try_from(v).ok()) {
            Some(score) if survey::valid_score(score) => ratings[idx] = score,
            Some(_) => errors.add(field, "invalid_choice"),
            None => errors.add(field, "required"),
        }
    }
    let remark = errors
        .check("remark", optional_text(input.remark.as_deref(), 2000))
        .flatten();
    let remark_kind = match (
        &remark,
        input.remark_kind.as_deref().filter(|k| !k.is_empty()),
    ) {
        (None, _) => None,
        (Some(_), None) => Some(RemarkKind::Suggestion),
        (Some(_), Some(code)) => {
            let kind = RemarkKind::parse(code);
            if kind.is_none() {
                errors.add("remark_kind", "invalid_choice");
            }
            kind
        }
    };
    errors.into_result(Answer {
        ratings,
        remark,
        remark_kind,
    })
}

/// Whether a one-time link's card exists and is still open.
#[derive(Debug, Clone, Serialize)]
pub struct PublicCard {
    pub order_number: String,
    pub survey_date: String,
    /// The technician's display name, as the customer met them.
    pub technician_name: Option<String>,
    pub answered: bool,
    /// The four level labels, best first.
    pub levels: Vec<String>,
}

async fn card_by_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<survey_card::Model, AppError> {
    if token.is_empty() || token.len() > 128 {
        return Err(AppError::NotFound);
    }
    survey_card::Entity::find()
        .filter(survey_card::Column::TokenHash.eq(auth::token_hash(token)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// What the public answer page shows for a link (no sign-in).
pub async fn public_card(app: &App, token: &str) -> Result<PublicCard, AppError> {
    let row = card_by_token(&app.db, token).await?;
    let view = one_view(&app.db, row).await?;
    Ok(PublicCard {
        answered: view.is_answered(),
        order_number: view.order_number,
        survey_date: view.survey_date,
        technician_name: view.technician_name,
        levels: levels(&app.db).await?.to_vec(),
    })
}

/// The customer's answer through the one-time link (no sign-in). A second answer through
/// the same link is refused with 409 `already_answered`.
pub async fn answer_by_token(app: &App, token: &str, input: &AnswerInput) -> Result<(), AppError> {
    let answer = validate_answer(input)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = card_by_token(&txn, token).await?;
    record_answer(&txn, row, answer, AnsweredVia::Link, None, None, now).await?;
    txn.commit().await?;
    Ok(())
}

/// An answer entered by a signed-in user: a portal user for its own card, or the customer
/// department from a returned paper card or a phone call (`answered_via`).
pub async fn answer(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &AnswerInput,
) -> Result<CardView, AppError> {
    actor.require(Permission::SurveyAnswer)?;
    let via = if actor.has_role(Role::Customer) {
        AnsweredVia::Portal
    } else {
        match input.answered_via.as_deref().and_then(AnsweredVia::parse) {
            Some(via @ (AnsweredVia::Paper | AnsweredVia::Phone)) => via,
            Some(_) => return Err(AppError::invalid("answered_via", "invalid_choice")),
            None => return Err(AppError::invalid("answered_via", "required")),
        }
    };
    let answer = validate_answer(input)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_visible(&txn, actor, id).await?;
    let saved = record_answer(&txn, row, answer, via, Some(actor), input.version, now).await?;
    let view = one_view(&txn, saved).await?;
    txn.commit().await?;
    Ok(view)
}

async fn record_answer(
    db: &impl ConnectionTrait,
    row: survey_card::Model,
    answer: Answer,
    via: AnsweredVia,
    actor: Option<&Actor>,
    version: Option<i32>,
    now_ms: i64,
) -> Result<survey_card::Model, AppError> {
    if row.status == CardStatus::Answered.as_str() {
        return Err(AppError::conflict("already_answered"));
    }
    if version.is_some_and(|v| v != row.version) {
        return Err(AppError::StaleVersion);
    }
    // The technician who actually served: the card was sent the morning after the call,
    // possibly before dispatch.
    let technician = service_order::Entity::find_by_id(row.service_order_id)
        .one(db)
        .await?
        .and_then(|o| o.technician_id)
        .or(row.technician_id);
    let before = row.clone();
    let read_version = row.version;
    let has_remark = answer.remark.is_some();
    let mut active: survey_card::ActiveModel = row.into();
    let [attitude, technique, arrival, promise] = answer.ratings.map(i64::from);
    active.attitude = Set(Some(attitude));
    active.technique = Set(Some(technique));
    active.arrival = Set(Some(arrival));
    active.promise = Set(Some(promise));
    active.remark = Set(answer.remark);
    active.remark_kind = Set(answer.remark_kind.map(|k| k.as_str().to_string()));
    active.needs_follow_up = Set(has_remark);
    active.technician_id = Set(technician);
    active.status = Set(CardStatus::Answered.as_str().to_string());
    active.answered_at = Set(Some(now_ms));
    active.answered_via = Set(Some(via.as_str().to_string()));
    active.answered_by = Set(actor.map(|a| a.user_id));
    active.version = Set(read_version + 1);
    active.updated_at = Set(now_ms);
    // The version guard also makes two simultaneous answers through one link end with one.
    let saved = versioned_update(db, active, survey_card::Column::Version, read_version).await?;
    audit::record(
        db,
        now_ms,
        actor,
        "survey_card",
        saved.id,
        "answer",
        Some(&before),
        Some(&saved),
    )
    .await?;
    if has_remark {
        let department = notifications::users_with_role(db, Role::CustomerDepartment, None).await?;
        let complaint = saved.remark_kind.as_deref() == Some(RemarkKind::Complaint.as_str());
        let message = Message {
            kind: "survey_remark",
            link: Some(format!("/survey-cards/{}", saved.id)),
            zh: (
                if complaint {
                    "调查卡中有客户抱怨，需要跟进".to_string()
                } else {
                    "调查卡中有客户建议，需要跟进".to_string()
                },
                saved.remark.clone().unwrap_or_default(),
            ),
            en: (
                if complaint {
                    "A survey answer contains a complaint to follow up".to_string()
                } else {
                    "A survey answer contains a suggestion to follow up".to_string()
                },
                saved.remark.clone().unwrap_or_default(),
            ),
        };
        notifications::notify(db, now_ms, &department, &message).await?;
        // The customer department calls back about the remark (SURVEY-3/4).
        let request = FollowUpRequest {
            org_unit_id: saved.org_unit_id,
            customer_id: saved.customer_id,
            service_order_id: Some(saved.service_order_id),
            reason: FollowUpReason::SurveyRemark,
            source_id: saved.id,
        };
        request_follow_up(db, &request, now_ms).await?;
    }
    Ok(saved)
}

/// A fresh one-time answer link, shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedLink {
    /// `/s/{token}`.
    pub path: String,
    /// The path on `site.public_origin`.
    pub url: String,
}

/// Issues a new one-time link for an unanswered card, e.g. for an SMS card (no gateway is
/// connected: the customer department sends the link by hand) or a customer who lost the
/// e-mail. The earlier link stops working.
pub async fn issue_link(app: &App, actor: &Actor, id: i64) -> Result<IssuedLink, AppError> {
    actor.require(Permission::SurveyAnswer)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_visible(&txn, actor, id).await?;
    if row.status == CardStatus::Answered.as_str() {
        return Err(AppError::conflict("already_answered"));
    }
    let token = auth::random_token();
    let read_version = row.version;
    let mut active: survey_card::ActiveModel = row.into();
    active.token_hash = Set(auth::token_hash(&token));
    active.version = Set(read_version + 1);
    active.updated_at = Set(now);
    versioned_update(&txn, active, survey_card::Column::Version, read_version).await?;
    // The token itself is not audited: it is a credential.
    audit::record(
        &txn,
        now,
        Some(actor),
        "survey_card",
        id,
        "issue_link",
        None::<&()>,
        None::<&()>,
    )
    .await?;
    let origin = settings::get(&txn, "site.public_origin").await?;
    txn.commit().await?;
    let path = format!("/s/{token}");
    Ok(IssuedLink {
        url: format!("{}{path}", origin.trim_end_matches('/')),
        path,
    })
}

/// SURVEY-3 hook for the complaint process: the remark of an answered card has become
/// complaint `complaint_id` (created in the same transaction by the caller), so the card no
/// longer waits for follow-up. Runs in the caller's transaction.
pub async fn link_remark_to_complaint(
    db: &impl ConnectionTrait,
    card_id: i64,
    complaint_id: i64,
    now_ms: i64,
) -> Result<(), AppError> {
    let row = survey_card::Entity::find_by_id(card_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.remark.is_none() {
        return Err(AppError::conflict("no_remark"));
    }
    let before = row.clone();
    let read_version = row.version;
    let mut active: survey_card::ActiveModel = row.into();
    active.complaint_id = Set(Some(complaint_id));
    active.needs_follow_up = Set(false);
    active.version = Set(read_version + 1);
    active.updated_at = Set(now_ms);
    let saved = versioned_update(db, active, survey_card::Column::Version, read_version).await?;
    audit::record(
        db,
        now_ms,
        None,
        "survey_card",
        card_id,
        "link_complaint",
        Some(&before),
        Some(&saved),
    )
    .await
}

// ----- the report -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ReportFilter {
    /// YYYY-MM; the current month when empty.
    pub month: Option<String>,
    pub org_unit_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AspectAverage {
    pub aspect: String,
    /// 1–4 with two decimals; empty without answers.
    pub average: Option<f64>,
    /// Answers per level, best level first.
    pub counts: Vec<u32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportRow {
    /// The technician's or branch's id (empty: cards whose order has no technician).
    pub id: Option<i64>,
    pub name: String,
    pub branch_name: String,
    pub sent: u32,
    pub answered: u32,
    pub unanswered: u32,
    /// Answered / sent, in per cent with one decimal.
    pub response_rate: Option<f64>,
    /// Share of ratings at 满意 or better, in per cent with one decimal.
    pub satisfied_rate: Option<f64>,
    pub aspects: Vec<AspectAverage>,
    /// Answers with a suggestion or complaint.
    pub remarks: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyReport {
    pub month: String,
    /// The level labels, best first.
    pub levels: Vec<String>,
    /// One row per technician (the monthly technician assessment input).
    pub technicians: Vec<ReportRow>,
    pub branches: Vec<ReportRow>,
    pub total: ReportRow,
}

fn round(value: Option<f64>, places: i32) -> Option<f64> {
    let factor = 10f64.powi(places);
    value.map(|v| (v * factor).round() / factor)
}

fn report_row(id: Option<i64>, name: String, branch_name: String, tally: &Tally) -> ReportRow {
    ReportRow {
        id,
        name,
        branch_name,
        sent: tally.sent,
        answered: tally.answered,
        unanswered: tally.sent - tally.answered,
        response_rate: round(tally.response_rate_percent(), 1),
        satisfied_rate: round(tally.satisfied_percent(), 1),
        aspects: Aspect::ALL
            .iter()
            .map(|aspect| AspectAverage {
                aspect: aspect.as_str().to_string(),
                average: round(tally.average(*aspect), 2),
                counts: tally.counts[survey::aspect_index(*aspect)].to_vec(),
            })
            .collect(),
        remarks: tally.remarks,
    }
}

fn parse_month(app: &App, month: Option<&str>) -> Result<String, AppError> {
    match month.filter(|m| !m.is_empty()) {
        None => Ok(app.today().strftime("%Y-%m").to_string()),
        Some(text) => {
            let first = format!("{text}-01");
            match first.parse::<Date>() {
                Ok(_) if text.len() == 7 => Ok(text.to_string()),
                _ => Err(AppError::invalid("month", "invalid_month")),
            }
        }
    }
}

/// The month's cards (by call day) per technician and per branch, in the actor's scope.
pub async fn report(
    app: &App,
    actor: &Actor,
    filter: &ReportFilter,
) -> Result<SurveyReport, AppError> {
    actor.require(Permission::SurveyReport)?;
    let month = parse_month(app, filter.month.as_deref())?;
    let mut query = survey_card::Entity::find()
        .filter(survey_card::Column::SurveyDate.like(format!("{month}-%")));
    match actor.scope() {
        Scope::AllBranches => {}
        Scope::Branch(own) => query = query.filter(survey_card::Column::OrgUnitId.eq(own)),
        Scope::Customer(_) | Scope::Nothing => return Err(AppError::Forbidden),
    }
    if let Some(unit) = filter.org_unit_id {
        query = query.filter(survey_card::Column::OrgUnitId.eq(unit));
    }
    let rows = query
        .order_by_asc(survey_card::Column::Id)
        .all(&app.db)
        .await?;
    let mut by_technician: BTreeMap<(i64, Option<i64>), Tally> = BTreeMap::new();
    let mut by_branch: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for row in &rows {
        let ratings = ratings_of(row).filter(|_| row.status == CardStatus::Answered.as_str());
        let remark = row.remark.is_some();
        by_technician
            .entry((row.org_unit_id, row.technician_id))
            .or_default()
            .add(ratings, remark);
        by_branch
            .entry(row.org_unit_id)
            .or_default()
            .add(ratings, remark);
        total.add(ratings, remark);
    }
    let branches = names::<org_unit::Entity>(&app.db, by_branch.keys().copied(), |u| {
        (u.id, u.name.clone())
    })
    .await?;
    let technicians =
        names::<user::Entity>(&app.db, by_technician.keys().filter_map(|(_, t)| *t), |u| {
            (u.id, u.display_name.clone())
        })
        .await?;
    let branch = |id: &i64| branches.get(id).cloned().unwrap_or_default();
    Ok(SurveyReport {
        month,
        levels: levels(&app.db).await?.to_vec(),
        technicians: by_technician
            .iter()
            .map(|((unit, technician), tally)| {
                let name = technician
                    .and_then(|id| technicians.get(&id).cloned())
                    .unwrap_or_else(|| "—".to_string());
                report_row(*technician, name, branch(unit), tally)
            })
            .collect(),
        branches: by_branch
            .iter()
            .map(|(unit, tally)| report_row(Some(*unit), branch(unit), branch(unit), tally))
            .collect(),
        total: report_row(None, String::new(), String::new(), &total),
    })
}

/// The report as an .xlsx sheet (one row per technician, then the branches), headers in
/// the actor's language; answers the bytes and a file name.
pub async fn export_report(
    app: &App,
    actor: &Actor,
    filter: &ReportFilter,
    english: bool,
) -> Result<(Vec<u8>, String), AppError> {
    let report = report(app, actor, filter).await?;
    let headers: Vec<&str> = if english {
        vec![
            "Level",
            "Name",
            "Branch",
            "Cards",
            "Answered",
            "Unanswered",
            "Response %",
            "Satisfied %",
            "Attitude",
            "Technique",
            "Arrival",
            "Promises",
            "Remarks",
        ]
    } else {
        vec![
            "层级",
            "名称",
            "网点",
            "调查卡",
            "已回复",
            "未回复",
            "回复率%",
            "满意率%",
            "态度",
            "技术",
            "到达时间",
            "答应事情的办理",
            "建议/抱怨",
        ]
    };
    let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let line = |level: &str, row: &ReportRow| -> Vec<String> {
        let mut cells = vec![
            level.to_string(),
            row.name.clone(),
            row.branch_name.clone(),
            row.sent.to_string(),
            row.answered.to_string(),
            row.unanswered.to_string(),
            number(row.response_rate),
            number(row.satisfied_rate),
        ];
        cells.extend(row.aspects.iter().map(|a| number(a.average)));
        cells.push(row.remarks.to_string());
        cells
    };
    let (technician, branch) = if english {
        ("technician", "branch")
    } else {
        ("技术员", "网点")
    };
    let mut rows: Vec<Vec<String>> = report
        .technicians
        .iter()
        .map(|row| line(technician, row))
        .collect();
    rows.extend(report.branches.iter().map(|row| line(branch, row)));
    let bytes =
        aftersales_tabular::write(aftersales_tabular::Format::Xlsx, "surveys", &headers, &rows)
            .map_err(|err| {
                AppError::Internal(anyhow::anyhow!("writing the report failed: {err}"))
            })?;
    Ok((bytes, format!("surveys-{}.xlsx", report.month)))
}

// ----- follow-up calls (回访, SURVEY-4) -----

/// What a record that needs a follow-up call asks for. Other areas call
/// [`request_follow_up`] in their own transaction (installation and complaint closing are to
/// use it with their reasons).
#[derive(Debug, Clone)]
pub struct FollowUpRequest {
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub service_order_id: Option<i64>,
    pub reason: FollowUpReason,
    /// The id of the record asking (order, survey card, complaint …): with the reason it
    /// makes the request idempotent.
    pub source_id: i64,
}

impl FollowUpRequest {
    /// The follow-up of a completed service call.
    pub fn after_service(order: &service_order::Model) -> FollowUpRequest {
        FollowUpRequest {
            org_unit_id: order.org_unit_id,
            customer_id: order.customer_id,
            service_order_id: Some(order.id),
            reason: FollowUpReason::OrderCompleted,
            source_id: order.id,
        }
    }
}

/// Requests a follow-up call, due `survey.follow_up_days` after today in the unit's zone;
/// a second request for the same reason and record is a no-op. Answers whether a call was
/// added. Runs in the caller's transaction.
pub async fn request_follow_up(
    db: &impl ConnectionTrait,
    request: &FollowUpRequest,
    now_ms: i64,
) -> Result<bool, AppError> {
    let zone = match org_unit::Entity::find_by_id(request.org_unit_id)
        .one(db)
        .await?
    {
        Some(unit) => zone_of(&unit),
        None => crate::clock::default_zone(),
    };
    let today = jiff::Timestamp::from_millisecond(now_ms)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("now: {err}")))?
        .to_zoned(zone)
        .date();
    let days = settings::get_count(db, "survey.follow_up_days").await?;
    let due_on = today
        .checked_add(jiff::Span::new().days(days))
        .map_err(|err| AppError::Internal(anyhow::anyhow!("due day: {err}")))?;
    request_follow_up_due(db, request, due_on, now_ms).await
}

/// Requests a follow-up call due on `due_on` (for areas with their own follow-up delay,
/// such as installations' T18); idempotent like [`request_follow_up`].
pub async fn request_follow_up_due(
    db: &impl ConnectionTrait,
    request: &FollowUpRequest,
    due_on: Date,
    now_ms: i64,
) -> Result<bool, AppError> {
    use aftersales_store::sea_orm::sea_query::OnConflict;

    let row = follow_up::ActiveModel {
        org_unit_id: Set(request.org_unit_id),
        customer_id: Set(request.customer_id),
        service_order_id: Set(request.service_order_id),
        reason: Set(request.reason.as_str().to_string()),
        source_key: Set(format!("{}:{}", request.reason, request.source_id)),
        due_on: Set(due_on.to_string()),
        status: Set(FollowUpStatus::Due.as_str().to_string()),
        attempts: Set(0),
        called_by: Set(None),
        called_at: Set(None),
        outcome: Set(None),
        notes: Set(None),
        version: Set(1),
        created_at: Set(now_ms),
        updated_at: Set(now_ms),
        ..Default::default()
    };
    // ON CONFLICT DO NOTHING rather than catching the unique violation, which would abort
    // the caller's PostgreSQL transaction.
    let inserted = follow_up::Entity::insert(row)
        .on_conflict(
            OnConflict::column(follow_up::Column::SourceKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpView {
    pub id: i64,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub customer_phone: String,
    pub service_order_id: Option<i64>,
    pub order_number: Option<String>,
    /// order_completed, survey_remark, installation or complaint_closed.
    pub reason: String,
    pub due_on: String,
    /// due or done.
    pub status: String,
    /// Due and past its day.
    pub overdue: bool,
    /// Calls made without reaching anyone.
    pub attempts: i32,
    pub called_by: Option<String>,
    pub called_at: Option<String>,
    /// reached, no_answer, wrong_number or declined.
    pub outcome: Option<String>,
    pub notes: Option<String>,
    pub version: i32,
}

impl FollowUpView {
    pub fn is_due(&self) -> bool {
        self.status == FollowUpStatus::Due.as_str()
    }
}

async fn follow_up_views(
    db: &impl ConnectionTrait,
    rows: Vec<follow_up::Model>,
    today: Date,
) -> Result<Vec<FollowUpView>, AppError> {
    let mut customers = HashMap::new();
    for id in rows.iter().map(|r| r.customer_id) {
        if let std::collections::hash_map::Entry::Vacant(slot) = customers.entry(id) {
            if let Some(c) = customer::Entity::find_by_id(id).one(db).await? {
                slot.insert((c.name, c.phone));
            }
        }
    }
    let orders =
        names::<service_order::Entity>(db, rows.iter().filter_map(|r| r.service_order_id), |o| {
            (o.id, o.number.clone())
        })
        .await?;
    let callers = names::<user::Entity>(db, rows.iter().filter_map(|r| r.called_by), |u| {
        (u.id, u.display_name.clone())
    })
    .await?;
    let today = today.to_string();
    Ok(rows
        .into_iter()
        .map(|row| {
            let (customer_name, customer_phone) =
                customers.get(&row.customer_id).cloned().unwrap_or_default();
            FollowUpView {
                id: row.id,
                org_unit_id: row.org_unit_id,
                customer_id: row.customer_id,
                customer_name,
                customer_phone,
                service_order_id: row.service_order_id,
                order_number: row.service_order_id.and_then(|id| orders.get(&id).cloned()),
                reason: row.reason,
                overdue: row.status == FollowUpStatus::Due.as_str() && row.due_on < today,
                due_on: row.due_on,
                status: row.status,
                attempts: row.attempts,
                called_by: row.called_by.and_then(|id| callers.get(&id).cloned()),
                called_at: row.called_at.map(format_ms),
                outcome: row.outcome,
                notes: row.notes,
                version: row.version,
            }
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct FollowUpFilter {
    /// due (the calls to make, oldest due first) or done (the log, newest first).
    pub status: Option<String>,
    pub service_order_id: Option<i64>,
    pub customer_id: Option<i64>,
}

/// The follow-ups due or the call log, in the actor's branch scope.
pub async fn list_follow_ups(
    app: &App,
    actor: &Actor,
    filter: &FollowUpFilter,
    request: PageRequest,
) -> Result<Page<FollowUpView>, AppError> {
    actor.require(Permission::FollowUp)?;
    let mut query = follow_up::Entity::find();
    match actor.scope() {
        Scope::AllBranches => {}
        Scope::Branch(own) => query = query.filter(follow_up::Column::OrgUnitId.eq(own)),
        Scope::Customer(_) | Scope::Nothing => return Err(AppError::Forbidden),
    }
    let status = match filter.status.as_deref().filter(|s| !s.is_empty()) {
        None => FollowUpStatus::Due,
        Some(code) => FollowUpStatus::parse(code)
            .ok_or_else(|| AppError::invalid("status", "invalid_choice"))?,
    };
    query = query.filter(follow_up::Column::Status.eq(status.as_str()));
    if let Some(order) = filter.service_order_id {
        query = query.filter(follow_up::Column::ServiceOrderId.eq(order));
    }
    if let Some(customer) = filter.customer_id {
        query = query.filter(follow_up::Column::CustomerId.eq(customer));
    }
    query = match status {
        FollowUpStatus::Due => query
            .order_by_asc(follow_up::Column::DueOn)
            .order_by_asc(follow_up::Column::Id),
        FollowUpStatus::Done => query
            .order_by_desc(follow_up::Column::CalledAt)
            .order_by_desc(follow_up::Column::Id),
    };
    let paginator = query.paginate(&app.db, request.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(request.page() - 1).await?;
    Ok(Page {
        items: follow_up_views(&app.db, rows, app.today()).await?,
        total,
        page: request.page(),
        per_page: request.per_page(),
        total_capped: false,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CallInput {
    /// reached, no_answer, wrong_number or declined.
    pub outcome: String,
    pub notes: Option<String>,
    /// The version read (a stale version answers 409).
    pub version: i32,
}

/// Logs a follow-up call: who called, when (now), the outcome and notes. An unanswered
/// call keeps the follow-up due and counts the attempt; any other outcome closes it.
pub async fn log_call(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &CallInput,
) -> Result<FollowUpView, AppError> {
    actor.require(Permission::FollowUp)?;
    let mut errors = ValidationErrors::new();
    let outcome = CallOutcome::parse(&input.outcome);
    if outcome.is_none() {
        errors.add("outcome", "invalid_choice");
    }
    let notes = errors
        .check("notes", optional_text(input.notes.as_deref(), 2000))
        .flatten();
    let outcome = match outcome {
        Some(outcome) if errors.is_empty() => outcome,
        _ => return Err(errors.into()),
    };
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = follow_up::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, None)?;
    if row.status != FollowUpStatus::Due.as_str() {
        return Err(AppError::conflict("already_done"));
    }
    let before = row.clone();
    let attempts = row.attempts;
    let mut active: follow_up::ActiveModel = row.into();
    active.called_by = Set(Some(actor.user_id));
    active.called_at = Set(Some(now));
    active.outcome = Set(Some(outcome.as_str().to_string()));
    active.notes = Set(notes);
    if outcome.closes() {
        active.status = Set(FollowUpStatus::Done.as_str().to_string());
    } else {
        active.attempts = Set(attempts + 1);
    }
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let saved = versioned_update(&txn, active, follow_up::Column::Version, input.version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "follow_up",
        id,
        "call",
        Some(&before),
        Some(&saved),
    )
    .await?;
    let view = follow_up_views(&txn, vec![saved], app.today())
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("follow-up view lost")))?;
    txn.commit().await?;
    Ok(view)
}

/// Logs a reached follow-up call made from the record that asked for it (an installation's
/// follow-up with its rating), in the caller's transaction: the call is requested for today
/// if it was not yet (the caller rang before it fell due), then closed with the notes.
pub async fn log_reached_call(
    db: &impl ConnectionTrait,
    actor: &Actor,
    request: &FollowUpRequest,
    today: Date,
    notes: Option<String>,
    now_ms: i64,
) -> Result<(), AppError> {
    request_follow_up_due(db, request, today, now_ms).await?;
    let key = format!("{}:{}", request.reason, request.source_id);
    let Some(row) = follow_up::Entity::find()
        .filter(follow_up::Column::SourceKey.eq(key))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    if row.status != FollowUpStatus::Due.as_str() {
        return Ok(());
    }
    let before = row.clone();
    let version = row.version;
    let mut active: follow_up::ActiveModel = row.into();
    active.called_by = Set(Some(actor.user_id));
    active.called_at = Set(Some(now_ms));
    active.outcome = Set(Some(CallOutcome::Reached.as_str().to_string()));
    active.notes = Set(notes);
    active.status = Set(FollowUpStatus::Done.as_str().to_string());
    active.version = Set(version + 1);
    active.updated_at = Set(now_ms);
    let saved = versioned_update(db, active, follow_up::Column::Version, version).await?;
    audit::record(
        db,
        now_ms,
        Some(actor),
        "follow_up",
        saved.id,
        "call",
        Some(&before),
        Some(&saved),
    )
    .await?;
    Ok(())
}
