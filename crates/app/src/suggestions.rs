//! Improvement suggestions (STAFF-5): every employee may submit one; the customer department
//! answers it and may reward a valuable one (an amount in fen and/or a description). The
//! customer department also enters suggestion forms from public places (SUPERVISION-4) and
//! takes up a valuable suggestion from a survey answer (SURVEY-3), told apart by `source`.
//! Submitters see their own suggestions; the customer department sees all.

use aftersales_domain::role::Permission;
use aftersales_domain::supervision::{check_reward, SuggestionSource, SuggestionStatus};
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{suggestion, survey_card, user};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::{audit, format_ms, Actor, App, AppError};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SuggestionInput {
    pub title: String,
    pub content: Option<String>,
    /// employee (default), public_place or survey (the last two: the customer department).
    pub source: Option<String>,
    /// Who wrote a public-place form, if it says.
    pub author_name: Option<String>,
    /// source survey: the answered card whose suggestion is taken up.
    pub survey_card_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestionView {
    pub id: i64,
    pub source: String,
    pub submitted_by: String,
    pub author_name: Option<String>,
    pub survey_card_id: Option<i64>,
    pub title: String,
    pub content: Option<String>,
    /// submitted, answered or rewarded.
    pub status: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub reward_fen: Option<i64>,
    pub reward_description: Option<String>,
    pub created_at: String,
    pub version: i32,
}

impl SuggestionView {
    pub fn is_submitted(&self) -> bool {
        self.status == SuggestionStatus::Submitted.as_str()
    }
    pub fn is_answered(&self) -> bool {
        self.status == SuggestionStatus::Answered.as_str()
    }
}

async fn view(
    db: &impl ConnectionTrait,
    row: suggestion::Model,
) -> Result<SuggestionView, AppError> {
    let name = |id: i64| async move {
        Ok::<_, AppError>(
            user::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default(),
        )
    };
    let submitted_by = name(row.submitted_by).await?;
    let answered_by = match row.answered_by {
        Some(id) => Some(name(id).await?),
        None => None,
    };
    Ok(SuggestionView {
        id: row.id,
        source: row.source,
        submitted_by,
        author_name: row.author_name,
        survey_card_id: row.survey_card_id,
        title: row.title,
        content: row.content,
        status: row.status,
        answer: row.answer,
        answered_by,
        reward_fen: row.reward_fen,
        reward_description: row.reward_description,
        created_at: format_ms(row.created_at),
        version: row.version,
    })
}

/// Submits a suggestion (any employee) or enters one from a public place or a survey card
/// (the customer department).
pub async fn submit(
    app: &App,
    actor: &Actor,
    input: &SuggestionInput,
) -> Result<SuggestionView, AppError> {
    actor.require(Permission::SuggestionSubmit)?;
    let mut errors = ValidationErrors::new();
    let source = match input.source.as_deref().filter(|s| !s.is_empty()) {
        None => Some(SuggestionSource::Employee),
        Some(code) => {
            let source = SuggestionSource::parse(code);
            if source.is_none() {
                errors.add("source", "invalid_choice");
            }
            source
        }
    };
    if source.is_some_and(|s| s != SuggestionSource::Employee) {
        actor.require(Permission::SuggestionManage)?;
    }
    let card = match (source, input.survey_card_id) {
        (Some(SuggestionSource::Survey), Some(id)) => {
            let card = survey_card::Entity::find_by_id(id).one(&app.db).await?;
            if card.as_ref().is_none_or(|c| c.remark.is_none()) {
                errors.add("survey_card_id", "no_remark");
            }
            card
        }
        (Some(SuggestionSource::Survey), None) => {
            errors.add("survey_card_id", "required");
            None
        }
        _ => None,
    };
    let title = errors.check("title", required_text(&input.title, 200));
    // A survey suggestion keeps the customer's words when nothing else is written.
    let content = errors
        .check("content", optional_text(input.content.as_deref(), 8000))
        .flatten()
        .or_else(|| card.as_ref().and_then(|c| c.remark.clone()));
    let author_name = errors
        .check(
            "author_name",
            optional_text(input.author_name.as_deref(), 100),
        )
        .flatten();
    let (Some(source), Some(title)) = (source, title) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let unit = match &card {
        Some(c) => c.org_unit_id,
        None => actor
            .org_unit_id
            .ok_or_else(|| AppError::invalid("org_unit_id", "required"))?,
    };
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    if let Some(card) = &card {
        let taken = suggestion::Entity::find()
            .filter(suggestion::Column::SurveyCardId.eq(card.id))
            .one(&txn)
            .await?;
        if taken.is_some() {
            return Err(AppError::conflict("already_taken_up"));
        }
    }
    let row = suggestion::ActiveModel {
        org_unit_id: Set(unit),
        source: Set(source.as_str().to_string()),
        submitted_by: Set(actor.user_id),
        author_name: Set(author_name),
        survey_card_id: Set(card.as_ref().map(|c| c.id)),
        title: Set(title),
        content: Set(content),
        status: Set(SuggestionStatus::Submitted.as_str().to_string()),
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
        "suggestion",
        row.id,
        "submit",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = view(&txn, row).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct SuggestionFilter {
    /// submitted, answered or rewarded.
    pub status: Option<String>,
}

/// The customer department's list of all suggestions, or the caller's own, newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &SuggestionFilter,
    request: PageRequest,
) -> Result<Page<SuggestionView>, AppError> {
    actor.require(Permission::SuggestionSubmit)?;
    let mut query = suggestion::Entity::find();
    if !actor.can(Permission::SuggestionManage) {
        query = query.filter(suggestion::Column::SubmittedBy.eq(actor.user_id));
    }
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        SuggestionStatus::parse(status)
            .ok_or_else(|| AppError::invalid("status", "invalid_choice"))?;
        query = query.filter(suggestion::Column::Status.eq(status));
    }
    let paginator = query
        .order_by_desc(suggestion::Column::Id)
        .paginate(&app.db, request.per_page());
    let total = paginator.num_items().await?;
    let mut items = Vec::new();
    for row in paginator.fetch_page(request.page() - 1).await? {
        items.push(view(&app.db, row).await?);
    }
    Ok(Page {
        items,
        total,
        page: request.page(),
        per_page: request.per_page(),
        total_capped: false,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    pub answer: String,
    pub version: i32,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RewardInput {
    /// The reward in fen (optional when a description says what it is).
    pub amount_fen: Option<i64>,
    pub description: Option<String>,
    pub version: i32,
}

async fn find(db: &impl ConnectionTrait, id: i64) -> Result<suggestion::Model, AppError> {
    suggestion::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Tells the submitter (an employee's own suggestion) what became of it.
async fn tell_submitter(
    db: &impl ConnectionTrait,
    row: &suggestion::Model,
    now_ms: i64,
    zh: String,
    en: String,
) -> Result<(), AppError> {
    if row.source != SuggestionSource::Employee.as_str() {
        return Ok(());
    }
    let message = Message {
        kind: "suggestion",
        link: Some("/suggestions".to_string()),
        zh: (zh, row.title.clone()),
        en: (en, row.title.clone()),
    };
    notifications::notify(db, now_ms, &[row.submitted_by], &message).await?;
    Ok(())
}

/// The customer department's answer to a submitted suggestion.
pub async fn answer(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &AnswerInput,
) -> Result<SuggestionView, AppError> {
    actor.require(Permission::SuggestionManage)?;
    let answer =
        required_text(&input.answer, 4000).map_err(|code| AppError::invalid("answer", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find(&txn, id).await?;
    if row.status != SuggestionStatus::Submitted.as_str() {
        return Err(AppError::conflict("already_answered"));
    }
    let before = row.clone();
    let mut active: suggestion::ActiveModel = row.into();
    active.status = Set(SuggestionStatus::Answered.as_str().to_string());
    active.answer = Set(Some(answer));
    active.answered_by = Set(Some(actor.user_id));
    active.answered_at = Set(Some(now));
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let saved = versioned_update(&txn, active, suggestion::Column::Version, input.version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "suggestion",
        id,
        "answer",
        Some(&before),
        Some(&saved),
    )
    .await?;
    tell_submitter(
        &txn,
        &saved,
        now,
        "您的改进建议已有答复".to_string(),
        "Your suggestion has been answered".to_string(),
    )
    .await?;
    let view = view(&txn, saved).await?;
    txn.commit().await?;
    Ok(view)
}

/// Records the reward of an answered suggestion (once).
pub async fn reward(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &RewardInput,
) -> Result<SuggestionView, AppError> {
    actor.require(Permission::SuggestionManage)?;
    let description = optional_text(input.description.as_deref(), 2000)
        .map_err(|code| AppError::invalid("description", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find(&txn, id).await?;
    let status = SuggestionStatus::parse(&row.status).unwrap_or(SuggestionStatus::Submitted);
    match check_reward(status, input.amount_fen, description.as_deref()) {
        Ok(()) => {}
        Err(("status", code)) => return Err(AppError::conflict(code)),
        Err((field, code)) => return Err(AppError::invalid(field, code)),
    }
    let before = row.clone();
    let mut active: suggestion::ActiveModel = row.into();
    active.status = Set(SuggestionStatus::Rewarded.as_str().to_string());
    active.reward_fen = Set(input.amount_fen);
    active.reward_description = Set(description);
    active.rewarded_by = Set(Some(actor.user_id));
    active.rewarded_at = Set(Some(now));
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let saved = versioned_update(&txn, active, suggestion::Column::Version, input.version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "suggestion",
        id,
        "reward",
        Some(&before),
        Some(&saved),
    )
    .await?;
    tell_submitter(
        &txn,
        &saved,
        now,
        "您的改进建议获得奖励".to_string(),
        "Your suggestion has been rewarded".to_string(),
    )
    .await?;
    let view = view(&txn, saved).await?;
    txn.commit().await?;
    Ok(view)
}
