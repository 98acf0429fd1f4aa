//! Returns and exchanges (退换货, RMA-2..8). Counter staff file a request naming the unit,
//! the customer's reason and wish, with the proof of purchase as a file. The review records
//! the state of the goods; `domain::returns::decide` then decides eligibility and the refund
//! value and explains it in both languages. A 三包 return after 7 days waits for the quality
//! inspection report, and attaching it decides again. An approval creates one task per
//! department that must act (RMA-7), each owned and due; a refusal for misuse offers a
//! repair, which becomes a category-A service order in one step (RMA-6). Closing needs the
//! root cause and the responsible department and person (RMA-8).

use aftersales_domain::returns::{
    after_review, decide, next_rma_status, rma_events, Condition, Decision, FactsError, Outcome,
    ReturnFacts, ReturnReason, RmaEvent, RmaStatus, Wish,
};
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{product, return_request, return_task, service_order, unit, user};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::idempotency::{self, IdempotencyKey};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::{audit, notifications, numbering, settings, Actor, App, AppError};

/// Who pays the return shipping (RMA-7).
pub const SHIPPING_PAYERS: &[&str] = &["company", "customer"];

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The department tasks an approval creates (RMA-7): kind, owning role, days to the
/// deadline (design decision). The refund task exists only for a refund.
const TASKS: &[(&str, Role, i64)] = &[
    ("transport_pickup", Role::WarehouseKeeper, 1),
    ("warehouse_receive", Role::WarehouseKeeper, 2),
    ("finance_refund", Role::Accountant, 3),
    ("qa_analysis", Role::Qa, 7),
];

/// A file sent inline in JSON (proof of purchase, inspection report).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FileInput {
    pub file_name: String,
    /// e.g. `image/jpeg`, `application/pdf`.
    pub content_type: Option<String>,
    /// The file's bytes as base64.
    pub content_base64: String,
}

/// A file already read from a form, or still base64 from JSON (decoded by the use case, after
/// the permission check, so a refused caller learns nothing about its body).
pub struct File {
    pub name: String,
    pub content_type: String,
    pub content: FileContent,
}

pub enum FileContent {
    Bytes(Vec<u8>),
    Base64(String),
}

impl File {
    pub fn from_input(input: &FileInput) -> File {
        File {
            name: input.file_name.clone(),
            content_type: input.content_type.clone().unwrap_or_default(),
            content: FileContent::Base64(input.content_base64.clone()),
        }
    }

    pub(crate) fn bytes(self, field: &str) -> Result<(String, String, Vec<u8>), AppError> {
        use base64::Engine;
        let bytes = match self.content {
            FileContent::Bytes(bytes) => bytes,
            FileContent::Base64(text) => base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|_| AppError::invalid(field, "invalid_upload"))?,
        };
        Ok((self.name, self.content_type, bytes))
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReturnInput {
    pub unit_id: i64,
    /// no_reason, non_quality, quality or company_damage.
    pub reason: String,
    /// What happened, in the customer's words.
    pub description: Option<String>,
    /// refund, exchange or repair.
    pub wish: String,
    /// The invoice or other voucher; without it a return is refused (RMA-3).
    pub proof: Option<FileInput>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    pub version: i32,
    /// resaleable, soiled or misuse: the state of the goods found.
    pub condition: String,
    /// Today's price in fen: needed for a seasonal product returned after 7 days.
    pub current_price_fen: Option<i64>,
    /// company or customer; empty: the company for quality and company damage, else the
    /// customer (design decision).
    pub shipping_paid_by: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReturnStepInput {
    pub version: i32,
    /// receive_goods, refund, exchange or close.
    pub event: String,
    /// For close (RMA-8).
    pub root_cause: Option<String>,
    pub responsible_department: Option<String>,
    pub responsible_person: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReturnTaskView {
    pub id: i64,
    /// transport_pickup, warehouse_receive, finance_refund or qa_analysis.
    pub kind: String,
    /// The owning department (a role code).
    pub owner_role: String,
    pub owner: Option<String>,
    pub due_at: String,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionView {
    /// approved, refused, awaiting_report or repair.
    pub outcome: String,
    /// The rule that decided (see `domain::returns::Rule`).
    pub rule: String,
    /// discounted, current_price, original_price or price_paid.
    pub price_rule: Option<String>,
    pub refund_fen: Option<i64>,
    pub refund: Option<String>,
    pub repair_offered: bool,
    pub exchange_offered: bool,
    /// The explanation the customer reads, in Chinese.
    pub explanation_zh: String,
    pub explanation_en: String,
}

impl From<&Decision> for DecisionView {
    fn from(decision: &Decision) -> Self {
        DecisionView {
            outcome: decision.outcome.as_str().into(),
            rule: decision.rule.as_str().into(),
            price_rule: decision.price_rule.map(|r| r.as_str().into()),
            refund_fen: decision.refund_fen,
            refund: decision
                .refund_fen
                .map(aftersales_domain::money::format_yuan),
            repair_offered: decision.repair_offered,
            exchange_offered: decision.exchange_offered,
            explanation_zh: decision.explain(false),
            explanation_en: decision.explain(true),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReturnView {
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub unit_id: i64,
    pub serial_no: String,
    pub product: String,
    pub product_category: String,
    pub reason: String,
    pub description: Option<String>,
    pub wish: String,
    pub proof_attachment_id: Option<i64>,
    pub report_attachment_id: Option<i64>,
    pub condition: Option<String>,
    pub current_price_fen: Option<i64>,
    pub status: String,
    pub decision: Option<DecisionView>,
    pub shipping_paid_by: Option<String>,
    /// The repair order created from the refusal.
    pub service_order_id: Option<i64>,
    pub service_order_number: Option<String>,
    /// A repair order can be created now (offered and not yet created).
    pub can_create_repair_order: bool,
    pub root_cause: Option<String>,
    pub responsible_department: Option<String>,
    pub responsible_person: Option<String>,
    pub created_at: String,
    pub closed_at: Option<String>,
    /// Steps possible now, for the buttons a page offers.
    pub next_events: Vec<String>,
    pub tasks: Vec<ReturnTaskView>,
    pub version: i32,
}

fn parse_decision(row: &return_request::Model) -> Option<Decision> {
    row.decision_json
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
}

async fn view(
    db: &impl ConnectionTrait,
    row: return_request::Model,
    with_tasks: bool,
) -> Result<ReturnView, AppError> {
    let (customer, unit, product) =
        crate::units::with_owner(db, row.customer_id, row.unit_id).await?;
    let service_order_number = match row.service_order_id {
        Some(id) => service_order::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|o| o.number),
        None => None,
    };
    let decision = parse_decision(&row);
    let status = RmaStatus::parse(&row.status);
    let tasks = if with_tasks {
        tasks_of(db, row.id).await?
    } else {
        Vec::new()
    };
    let wish = Wish::parse(&row.wish).unwrap_or(Wish::Refund);
    Ok(ReturnView {
        id: row.id,
        number: row.number,
        org_unit_id: row.org_unit_id,
        customer_id: row.customer_id,
        customer_name: customer.name,
        unit_id: row.unit_id,
        serial_no: unit.serial_no,
        product: format!("{} {}", product.model, product.name),
        product_category: product.category,
        reason: row.reason,
        description: row.description,
        wish: row.wish,
        proof_attachment_id: row.proof_attachment_id,
        report_attachment_id: row.report_attachment_id,
        condition: row.condition,
        current_price_fen: row.current_price_fen,
        can_create_repair_order: row.service_order_id.is_none()
            && decision.as_ref().is_some_and(|d| d.repair_offered),
        decision: decision.as_ref().map(DecisionView::from),
        shipping_paid_by: row.shipping_paid_by,
        service_order_id: row.service_order_id,
        service_order_number,
        root_cause: row.root_cause,
        responsible_department: row.responsible_department,
        responsible_person: row.responsible_person,
        created_at: crate::format_ms(row.created_at),
        closed_at: row.closed_at.map(crate::format_ms),
        next_events: status
            .map(rma_events)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| *e != RmaEvent::Review && *e != RmaEvent::AttachReport)
            .filter(|e| e.fits_wish(wish))
            .map(|e| e.as_str().to_string())
            .collect(),
        status: row.status,
        tasks,
        version: row.version,
    })
}

async fn tasks_of(
    db: &impl ConnectionTrait,
    return_id: i64,
) -> Result<Vec<ReturnTaskView>, AppError> {
    let rows = return_task::Entity::find()
        .filter(return_task::Column::ReturnId.eq(return_id))
        .order_by_asc(return_task::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.owner_user_id, r.done_by])
        .flatten()
        .collect();
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let name = |id: Option<i64>| {
        id.and_then(|id| people.iter().find(|u| u.id == id))
            .map(|u| u.display_name.clone())
    };
    Ok(rows
        .into_iter()
        .map(|row| ReturnTaskView {
            id: row.id,
            owner: name(row.owner_user_id),
            done_by: name(row.done_by),
            kind: row.kind,
            owner_role: row.owner_role,
            due_at: crate::format_ms(row.due_at),
            done_at: row.done_at.map(crate::format_ms),
        })
        .collect())
}

async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<return_request::Model, AppError> {
    let row = return_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, Some(row.customer_id))?;
    Ok(row)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ReturnView, AppError> {
    actor.require(Permission::ReturnRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    view(&app.db, row, true).await
}

/// Files a request (RMA-2/3). The proof of purchase, when shown, is filed with it. The
/// request is under review at once: the review records the goods' state and decides.
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &ReturnInput,
    proof: Option<File>,
    key: Option<&IdempotencyKey>,
) -> Result<ReturnView, AppError> {
    actor.require(Permission::ReturnWrite)?;
    if let Some(id) = idempotency::replayed(app, actor, key, "return_request").await? {
        return get(app, actor, id).await;
    }
    let mut errors = ValidationErrors::new();
    if ReturnReason::parse(&input.reason).is_none() {
        errors.add("reason", "invalid_choice");
    }
    if Wish::parse(&input.wish).is_none() {
        errors.add("wish", "invalid_choice");
    }
    let description = errors.check(
        "description",
        optional_text(input.description.as_deref(), 2000),
    );
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let proof = proof.map(|file| file.bytes("proof")).transpose()?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let unit = crate::units::find_visible(&txn, actor, input.unit_id)
        .await
        .map_err(|_| AppError::invalid("unit_id", "not_found"))?;
    let branch = crate::org::find_unit(&txn, unit.org_unit_id).await?;
    let pattern = settings::get_pattern(&txn, "return.number_pattern").await?;
    let number = numbering::next_number(&txn, &pattern, app.today(), &branch.code).await?;
    let row = return_request::ActiveModel {
        number: Set(number),
        org_unit_id: Set(unit.org_unit_id),
        customer_id: Set(unit.customer_id),
        unit_id: Set(unit.id),
        reason: Set(input.reason.clone()),
        description: Set(description.flatten()),
        wish: Set(input.wish.clone()),
        status: Set(RmaStatus::UnderReview.as_str().into()),
        created_by: Set(actor.user_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let row = match proof {
        Some((name, content_type, bytes)) => {
            let attachment = crate::attachments::store(
                app,
                &txn,
                actor,
                "return_request",
                row.id,
                &name,
                &content_type,
                &bytes,
            )
            .await
            .map_err(|err| rename_file_error(err, "proof"))?;
            let mut active: return_request::ActiveModel = row.into();
            active.proof_attachment_id = Set(Some(attachment.id));
            active.update(&txn).await?
        }
        None => row,
    };
    audit::record(
        &txn,
        now,
        Some(actor),
        "return_request",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    idempotency::remember(&txn, actor, key, "return_request", row.id, now).await?;
    let result = view(&txn, row, true).await?;
    txn.commit().await?;
    Ok(result)
}

/// The attachment store names the field `file`; the request's form calls it otherwise.
pub(crate) fn rename_file_error(err: AppError, field: &'static str) -> AppError {
    match err {
        AppError::Validation(mut errors) => {
            for error in &mut errors.0 {
                if error.field == "file" {
                    error.field = field.to_string();
                }
            }
            AppError::Validation(errors)
        }
        other => other,
    }
}

/// The facts of a request and applies the rules; an incomplete fact names its field.
async fn decide_row(
    db: &impl ConnectionTrait,
    today: jiff::civil::Date,
    row: &return_request::Model,
    condition: Condition,
) -> Result<Decision, AppError> {
    let unit = unit::Entity::find_by_id(row.unit_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let product = product::Entity::find_by_id(unit.product_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let non_returnable =
        settings::split_list(&settings::get(db, "rma.non_returnable_categories").await?);
    let sold_on = aftersales_domain::validation::date(&unit.purchase_date)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("unit {} purchase date", unit.id)))?;
    let facts = ReturnFacts {
        product_category: &product.category,
        product_returnable: product.returnable,
        non_returnable: &non_returnable,
        sanbao: product.sanbao,
        seasonal: product.seasonal || unit.seasonal,
        reason: ReturnReason::parse(&row.reason).unwrap_or(ReturnReason::NoReason),
        condition,
        wish: Wish::parse(&row.wish).unwrap_or(Wish::Refund),
        proof_of_purchase: row.proof_attachment_id.is_some(),
        inspection_report: row.report_attachment_id.is_some(),
        sold_on,
        today,
        no_reason_days: settings::get_count(db, "rma.no_reason_days").await?,
        list_price_fen: unit.list_price_fen,
        paid_price_fen: unit.paid_price_fen,
        current_price_fen: row.current_price_fen,
    };
    decide(&facts).map_err(|err| match err {
        FactsError::CurrentPriceRequired => AppError::invalid("current_price_fen", "required"),
    })
}

/// Writes a decision: the status it leads to, and on approval the department tasks.
async fn apply_decision(
    app: &App,
    txn: &impl ConnectionTrait,
    actor: &Actor,
    before: return_request::Model,
    mut active: return_request::ActiveModel,
    decision: &Decision,
    version: i32,
) -> Result<return_request::Model, AppError> {
    let now = app.now_ms();
    let status = after_review(decision.outcome);
    active.status = Set(status.as_str().into());
    active.decision_json = Set(Some(
        serde_json::to_string(decision).map_err(|e| AppError::Internal(e.into()))?,
    ));
    active.refund_fen = Set(decision.refund_fen);
    active.reviewed_by = Set(Some(actor.user_id));
    active.reviewed_at = Set(Some(now));
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(txn, active, return_request::Column::Version, version).await?;
    if decision.outcome == Outcome::Approved {
        create_tasks(txn, now, &after).await?;
    }
    audit::record(
        txn,
        now,
        Some(actor),
        "return_request",
        after.id,
        "review",
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// One task per department (RMA-7), owned by the first active holder of the role in the
/// request's branch (or anywhere for cross-branch roles); all holders are told.
async fn create_tasks(
    db: &impl ConnectionTrait,
    now: i64,
    row: &return_request::Model,
) -> Result<(), AppError> {
    for (kind, role, days) in TASKS {
        if *kind == "finance_refund" && row.wish != Wish::Refund.as_str() {
            continue;
        }
        let branch = (!role.spans_branches()).then_some(row.org_unit_id);
        let holders = notifications::users_with_role(db, *role, branch).await?;
        return_task::ActiveModel {
            return_id: Set(row.id),
            kind: Set(kind.to_string()),
            owner_role: Set(role.as_str().into()),
            owner_user_id: Set(holders.first().copied()),
            due_at: Set(now + days * DAY_MS),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        notifications::notify(
            db,
            now,
            &holders,
            &notifications::Message {
                kind: "return_task",
                link: Some(format!("/returns/{}", row.id)),
                zh: (
                    format!("退换货单 {} 有待办任务", row.number),
                    format!("任务：{}，{}天内完成。", task_name_zh(kind), days),
                ),
                en: (
                    format!("Return {} needs your department", row.number),
                    format!("Task: {}, due in {} days.", kind.replace('_', " "), days),
                ),
            },
        )
        .await?;
    }
    Ok(())
}

fn task_name_zh(kind: &str) -> &'static str {
    match kind {
        "transport_pickup" => "运输取货",
        "warehouse_receive" => "仓库收货入库",
        "finance_refund" => "财务退款",
        _ => "质量分析",
    }
}

/// The review (C.4 UNDER_REVIEW): the goods' state is recorded and the rules decide.
pub async fn review(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ReviewInput,
) -> Result<ReturnView, AppError> {
    actor.require(Permission::ReturnWrite)?;
    let condition = Condition::parse(&input.condition)
        .ok_or_else(|| AppError::invalid("condition", "invalid_choice"))?;
    if input.current_price_fen.is_some_and(|p| p < 0) {
        return Err(AppError::invalid("current_price_fen", "negative"));
    }
    let payer = input
        .shipping_paid_by
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if payer.is_some_and(|p| !SHIPPING_PAYERS.contains(&p)) {
        return Err(AppError::invalid("shipping_paid_by", "invalid_choice"));
    }
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    step_allowed(&before, RmaEvent::Review)?;
    let mut facts_row = before.clone();
    facts_row.current_price_fen = input.current_price_fen;
    let decision = decide_row(&txn, app.today(), &facts_row, condition).await?;
    let reason = ReturnReason::parse(&before.reason);
    let default_payer = match reason {
        Some(ReturnReason::Quality | ReturnReason::CompanyDamage) => "company",
        _ => "customer",
    };
    let mut active: return_request::ActiveModel = before.clone().into();
    active.condition = Set(Some(condition.as_str().into()));
    active.current_price_fen = Set(input.current_price_fen);
    active.shipping_paid_by = Set(Some(payer.unwrap_or(default_payer).to_string()));
    let after = apply_decision(app, &txn, actor, before, active, &decision, input.version).await?;
    let result = view(&txn, after, true).await?;
    txn.commit().await?;
    Ok(result)
}

/// The quality inspection report arrived (C.4 AWAITING_REPORT → UNDER_REVIEW): it is filed
/// and the rules decide again on the goods' state found at the review.
pub async fn attach_report(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i32,
    report: File,
) -> Result<ReturnView, AppError> {
    actor.require(Permission::ReturnWrite)?;
    let (name, content_type, bytes) = report.bytes("report")?;
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    step_allowed(&before, RmaEvent::AttachReport)?;
    if before.version != version {
        return Err(AppError::StaleVersion);
    }
    let attachment = crate::attachments::store(
        app,
        &txn,
        actor,
        "return_request",
        id,
        &name,
        &content_type,
        &bytes,
    )
    .await
    .map_err(|err| rename_file_error(err, "report"))?;
    let mut facts_row = before.clone();
    facts_row.report_attachment_id = Some(attachment.id);
    let condition = before
        .condition
        .as_deref()
        .and_then(Condition::parse)
        .unwrap_or(Condition::Resaleable);
    let decision = decide_row(&txn, app.today(), &facts_row, condition).await?;
    let mut active: return_request::ActiveModel = before.clone().into();
    active.report_attachment_id = Set(Some(attachment.id));
    let after = apply_decision(app, &txn, actor, before, active, &decision, version).await?;
    let result = view(&txn, after, true).await?;
    txn.commit().await?;
    Ok(result)
}

fn step_allowed(row: &return_request::Model, event: RmaEvent) -> Result<RmaStatus, AppError> {
    let from = RmaStatus::parse(&row.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("return {} status", row.id)))?;
    next_rma_status(from, event).map_err(|err| AppError::Conflict {
        code: "invalid_transition",
        field: Some("status"),
        detail: Some(err.to_string()),
    })
}

/// The later steps (C.4): goods received (warehouse), refunded (finance), exchanged, closed
/// with the root cause and responsibility (RMA-8). Receiving and refunding also complete the
/// matching department task.
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ReturnStepInput,
) -> Result<ReturnView, AppError> {
    let event = RmaEvent::parse(&input.event)
        .ok_or_else(|| AppError::invalid("event", "invalid_choice"))?;
    match event {
        RmaEvent::ReceiveGoods | RmaEvent::Refund => actor.require(Permission::ReturnTask)?,
        RmaEvent::Exchange | RmaEvent::Close => actor.require(Permission::ReturnWrite)?,
        RmaEvent::Review | RmaEvent::AttachReport => {
            return Err(AppError::invalid("event", "invalid_choice"))
        }
    }
    let mut errors = ValidationErrors::new();
    let closing = if event == RmaEvent::Close {
        let cause = errors.check(
            "root_cause",
            required_text(input.root_cause.as_deref().unwrap_or(""), 2000),
        );
        let department = errors.check(
            "responsible_department",
            required_text(input.responsible_department.as_deref().unwrap_or(""), 100),
        );
        let person = errors.check(
            "responsible_person",
            required_text(input.responsible_person.as_deref().unwrap_or(""), 100),
        );
        if !errors.is_empty() {
            return Err(errors.into());
        }
        cause.zip(department).zip(person)
    } else {
        None
    };
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    let to = step_allowed(&before, event)?;
    let wish = Wish::parse(&before.wish).unwrap_or(Wish::Refund);
    if !event.fits_wish(wish) {
        return Err(AppError::conflict(if event == RmaEvent::Refund {
            "not_a_refund"
        } else {
            "not_an_exchange"
        }));
    }
    let mut active: return_request::ActiveModel = before.clone().into();
    active.status = Set(to.as_str().into());
    if let Some(((cause, department), person)) = closing {
        active.root_cause = Set(Some(cause));
        active.responsible_department = Set(Some(department));
        active.responsible_person = Set(Some(person));
        active.closed_at = Set(Some(now));
    }
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let after =
        versioned_update(&txn, active, return_request::Column::Version, input.version).await?;
    let finished_task = match event {
        RmaEvent::ReceiveGoods => Some("warehouse_receive"),
        RmaEvent::Refund => Some("finance_refund"),
        _ => None,
    };
    if let Some(kind) = finished_task {
        if let Some(task) = return_task::Entity::find()
            .filter(return_task::Column::ReturnId.eq(id))
            .filter(return_task::Column::Kind.eq(kind))
            .filter(return_task::Column::DoneAt.is_null())
            .one(&txn)
            .await?
        {
            finish_task(&txn, now, actor, task).await?;
        }
    }
    audit::record(
        &txn,
        now,
        Some(actor),
        "return_request",
        id,
        event.as_str(),
        Some(&before),
        Some(&after),
    )
    .await?;
    let result = view(&txn, after, true).await?;
    txn.commit().await?;
    Ok(result)
}

async fn finish_task(
    db: &impl ConnectionTrait,
    now: i64,
    actor: &Actor,
    task: return_task::Model,
) -> Result<return_task::Model, AppError> {
    let before = task.clone();
    let mut active: return_task::ActiveModel = task.into();
    active.done_at = Set(Some(now));
    active.done_by = Set(Some(actor.user_id));
    let after = active.update(db).await?;
    audit::record(
        db,
        now,
        Some(actor),
        "return_task",
        after.id,
        "done",
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// A department marks its task done (the owning role, or anyone who handles returns).
pub async fn complete_task(
    app: &App,
    actor: &Actor,
    id: i64,
    task_id: i64,
) -> Result<ReturnView, AppError> {
    actor.require(Permission::ReturnTask)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_visible(&txn, actor, id).await?;
    let task = return_task::Entity::find_by_id(task_id)
        .one(&txn)
        .await?
        .filter(|t| t.return_id == id)
        .ok_or(AppError::NotFound)?;
    let owner_role = Role::parse(&task.owner_role);
    if !actor.can(Permission::ReturnWrite) && !owner_role.is_some_and(|r| actor.has_role(r)) {
        return Err(AppError::Forbidden);
    }
    if task.done_at.is_some() {
        return Err(AppError::conflict("task_done"));
    }
    finish_task(&txn, now, actor, task).await?;
    let result = view(&txn, row, true).await?;
    txn.commit().await?;
    Ok(result)
}

/// Turns a refusal that offered a repair into a category-A service order (RMA-6), through
/// the one registration use case. The idempotency key ties the order to the request, so a
/// second click returns the same order instead of a second one.
pub async fn create_repair_order(
    app: &App,
    actor: &Actor,
    id: i64,
) -> Result<ReturnView, AppError> {
    actor.require(Permission::ReturnWrite)?;
    actor.require(Permission::OrderRegister)?;
    let row = find_visible(&app.db, actor, id).await?;
    let offered = parse_decision(&row).is_some_and(|d| d.repair_offered);
    if !offered {
        return Err(AppError::conflict("repair_not_offered"));
    }
    if row.service_order_id.is_some() {
        return Err(AppError::conflict("repair_order_exists"));
    }
    let unit = crate::units::find_visible(&app.db, actor, row.unit_id).await?;
    let misuse = row.condition.as_deref() == Some(Condition::Misuse.as_str());
    let description = match row.description.as_deref() {
        Some(text) => format!("退换货单 {}：{text}", row.number),
        None => format!("退换货单 {}", row.number),
    };
    let order_input = crate::service_orders::OrderInput {
        channel: "walk_in".into(),
        customer_id: row.customer_id,
        address_id: unit.address_id,
        unit_id: Some(row.unit_id),
        fault_description: description,
        fault_class: "other".into(),
        urgency: "normal".into(),
        // Misuse is outside free service (WARRANTY-4): the repair is paid.
        category: misuse.then(|| "a".to_string()),
        category_reason: misuse.then(|| format!("RMA-6 使用不当 / misuse ({})", row.number)),
        ..Default::default()
    };
    let key = IdempotencyKey::parse(&format!("return-{}-repair", row.id))?;
    let order = crate::service_orders::register(app, actor, &order_input, Some(&key)).await?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    if before.service_order_id.is_some() {
        // A concurrent click linked it first; the key made both the same order.
        let result = view(&txn, before, true).await?;
        txn.commit().await?;
        return Ok(result);
    }
    let mut active: return_request::ActiveModel = before.clone().into();
    active.service_order_id = Set(Some(order.id));
    active.version = Set(before.version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(
        &txn,
        active,
        return_request::Column::Version,
        before.version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "return_request",
        id,
        "create_repair_order",
        Some(&before),
        Some(&after),
    )
    .await?;
    let result = view(&txn, after, true).await?;
    txn.commit().await?;
    Ok(result)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ReturnFilter {
    pub status: Option<String>,
    pub customer_id: Option<i64>,
}

/// Requests the actor sees, newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ReturnFilter,
    page: PageRequest,
) -> Result<Page<ReturnView>, AppError> {
    actor.require(Permission::ReturnRead)?;
    let mut query = return_request::Entity::find();
    query = actor.scoped(
        query,
        return_request::Column::OrgUnitId,
        return_request::Column::CustomerId,
    )?;
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(return_request::Column::Status.eq(status));
    }
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(return_request::Column::CustomerId.eq(customer_id));
    }
    let paginator = query
        .order_by_desc(return_request::Column::Id)
        .paginate(&app.db, page.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(&app.db, row, false).await?);
    }
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
        total_capped: false,
    })
}
