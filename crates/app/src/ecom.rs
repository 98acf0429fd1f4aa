//! Online buyer after-sales requests (网店售后, ECOM-1..5). The seller's staff import online
//! orders (JSON or an .xlsx/.csv sheet) with their lines, carrier, tracking number and
//! sign-off time. A buyer signed in to the portal picks an order line and files one request
//! of one type (`domain::ecom` decides whether it may be filed and explains a refusal); the
//! type and remedy never change. The seller accepts or rejects within
//! `ecom.seller_response_hours`, else the T15 timer accepts it as filed. A rejected buyer may
//! ask the platform arbiter (平台客服) to rule, within `ecom.arbitration_request_hours`; the
//! ruling is final. Every step is a timeline event the buyer reads in the portal.
//!
//! Design decisions: one request per order line (ECOM-3 allows it; an order of several items
//! can have one request per item). An accepted repair becomes a service order on the seller's
//! click; accepted returns and refunds are not handed to the in-store returns flow (RMA), which
//! decides eligibility on a registered unit with a proof of purchase at the counter, while an
//! accepted online request is already agreed. An escalation to an outside body (黑猫投诉,
//! 12315) is logged by staff as a complaint with channel `external_authority` and severity
//! `major` (the high priority, ECOM-5).

use std::collections::HashMap;

use aftersales_domain::ecom::{
    check_filing, events_for, missing_fields, next_status, refund_fen, repair_order_possible,
    Earlier, EcomEvent, EcomStatus, FilingFacts, FilingRefusal, Party, Remedy, RequestType,
};
use aftersales_domain::money::{format_yuan, parse_yuan};
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{
    attachment, complaint, customer, ecom_order, ecom_order_line, ecom_request, ecom_request_event,
    product, service_order, user,
};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::attachments::AttachmentView;
use crate::idempotency::{self, IdempotencyKey};
use crate::import_export::{row_errors, ImportReport, RowError};
use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::returns::{rename_file_error, File, FileInput};
use crate::timers::{self, Fire, Job};
use crate::{audit, numbering, settings, Actor, App, AppError};

const HOUR_MS: i64 = 60 * 60 * 1000;
const SUBJECT: &str = "ecom_request";
/// T15: the seller did not answer in time.
pub const SELLER_RESPONSE_JOB: &str = "ecom_seller_response";
/// The outside bodies a buyer escalates to (ECOM-5).
pub const AUTHORITIES: &[&str] = &["black_cat", "consumer_12315", "other"];

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OrderLineInput {
    pub sku: String,
    pub product_name: String,
    /// The catalogue model, when the SKU is one (a repair order needs it).
    pub product_id: Option<i64>,
    pub quantity: i32,
    pub price_fen: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OrderInput {
    pub order_number: String,
    pub customer_id: i64,
    pub platform: Option<String>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    /// When the buyer signed for the parcel (RFC 3339, or `YYYY-MM-DD HH:MM` in Beijing
    /// time); empty while not received or refused at the door.
    pub signed_at: Option<String>,
    pub lines: Vec<OrderLineInput>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RequestInput {
    pub order_line_id: i64,
    /// refund_only, quality_return or protection.
    pub request_type: String,
    /// For a protection claim: return, exchange or repair.
    pub remedy: Option<String>,
    /// What is wrong, in the buyer's words.
    pub description: Option<String>,
    /// Photos, video or chat records (base64); a quality return needs at least one.
    #[serde(default)]
    pub evidence: Vec<FileInput>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    pub version: i32,
    /// accept, reject (seller); request_arbitration, cancel (buyer); rule_for_buyer,
    /// rule_for_seller (platform arbiter).
    pub event: String,
    /// The reason: required to reject, to ask for arbitration and for a ruling.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EscalationInput {
    /// black_cat (黑猫投诉), consumer_12315 or other.
    pub authority: String,
    /// What the buyer told the outside body.
    pub note: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TypeOption {
    pub request_type: String,
    pub allowed: bool,
    /// Why not, when not allowed (see `domain::ecom::Refusal`).
    pub refusal: Option<String>,
    pub explanation_zh: Option<String>,
    pub explanation_en: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderLineView {
    pub id: i64,
    pub line_no: i32,
    pub sku: String,
    pub product_name: String,
    pub product_id: Option<i64>,
    pub quantity: i32,
    pub price_fen: i64,
    pub price: String,
    /// The request filed on this line, if any (one per line).
    pub request_id: Option<i64>,
    pub request_status: Option<String>,
    /// Which request types the buyer could file now, with the reason for each refusal.
    pub options: Vec<TypeOption>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    pub id: i64,
    pub order_number: String,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub platform: Option<String>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub signed_at: Option<String>,
    pub lines: Vec<OrderLineView>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    /// filed, accept, auto_accept, reject, request_arbitration, rule_for_buyer,
    /// rule_for_seller, cancel, evidence, repair_order or external_escalation.
    pub event: String,
    /// Who acted; empty for the system.
    pub actor: Option<String>,
    pub note: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub order_id: i64,
    pub order_number: String,
    pub order_line_id: i64,
    pub sku: String,
    pub product_name: String,
    pub quantity: i32,
    pub request_type: String,
    pub remedy: Option<String>,
    pub description: Option<String>,
    pub refund_fen: Option<i64>,
    pub refund: Option<String>,
    pub status: String,
    /// The deadline of the step now running: the seller's answer, the buyer's appeal or the
    /// arbiter's ruling.
    pub due_at: Option<String>,
    pub overdue: bool,
    /// seller, timer or arbiter.
    pub accepted_by: Option<String>,
    pub rejection_reason: Option<String>,
    pub arbitration_reason: Option<String>,
    /// buyer or seller.
    pub ruling: Option<String>,
    pub ruling_note: Option<String>,
    pub service_order_id: Option<i64>,
    pub service_order_number: Option<String>,
    pub complaint_id: Option<i64>,
    pub complaint_number: Option<String>,
    pub can_create_repair_order: bool,
    /// Steps each party can take now, for the buttons a page offers.
    pub buyer_events: Vec<String>,
    pub seller_events: Vec<String>,
    pub arbiter_events: Vec<String>,
    pub evidence: Vec<AttachmentView>,
    pub timeline: Vec<TimelineEntry>,
    pub version: i32,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct OrderFilter {
    /// Order number (exact) or part of it.
    pub q: Option<String>,
    pub customer_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct RequestFilter {
    pub status: Option<String>,
    pub request_type: Option<String>,
    /// Only requests whose running step is past its deadline.
    #[serde(default)]
    pub overdue: bool,
    pub customer_id: Option<i64>,
}

fn status_of(row: &ecom_request::Model) -> Result<EcomStatus, AppError> {
    EcomStatus::parse(&row.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("ecom request {} status", row.id)))
}

/// Parses a sign-off time: an instant, or a Beijing wall-clock time as sheets write it.
fn parse_sign_off(text: &str) -> Result<i64, &'static str> {
    let text = text.trim();
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(instant.as_millisecond());
    }
    let civil = text
        .replace('/', "-")
        .parse::<jiff::civil::DateTime>()
        .map_err(|_| "invalid_instant")?;
    civil
        .to_zoned(crate::clock::default_zone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| "invalid_instant")
}

// ---------------------------------------------------------------- orders (ECOM-1)

async fn find_order(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<ecom_order::Model, AppError> {
    let row = ecom_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, Some(row.customer_id))?;
    Ok(row)
}

async fn order_view(
    db: &impl ConnectionTrait,
    row: ecom_order::Model,
    now_ms: i64,
) -> Result<OrderView, AppError> {
    let customer = customer::Entity::find_by_id(row.customer_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = ecom_order_line::Entity::find()
        .filter(ecom_order_line::Column::OrderId.eq(row.id))
        .order_by_asc(ecom_order_line::Column::LineNo)
        .all(db)
        .await?;
    let requests: HashMap<i64, ecom_request::Model> = ecom_request::Entity::find()
        .filter(ecom_request::Column::OrderId.eq(row.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.order_line_id, r))
        .collect();
    let lines = lines
        .into_iter()
        .map(|line| {
            let request = requests.get(&line.id);
            let earlier = earlier_of(request);
            let options = RequestType::ALL
                .iter()
                .map(|request_type| {
                    let facts = FilingFacts {
                        request_type: *request_type,
                        remedy: None,
                        description: None,
                        evidence_files: 0,
                        signed_at_ms: row.signed_at,
                        now_ms,
                        earlier,
                    };
                    let refusal = check_filing(&facts).err();
                    TypeOption {
                        request_type: request_type.as_str().into(),
                        allowed: refusal.is_none(),
                        refusal: refusal.as_ref().map(|r| r.refusal.as_str().into()),
                        explanation_zh: refusal.as_ref().map(|r| r.explain(false)),
                        explanation_en: refusal.as_ref().map(|r| r.explain(true)),
                    }
                })
                .collect();
            OrderLineView {
                id: line.id,
                line_no: line.line_no,
                price: format_yuan(line.price_fen),
                sku: line.sku,
                product_name: line.product_name,
                product_id: line.product_id,
                quantity: line.quantity,
                price_fen: line.price_fen,
                request_id: request.map(|r| r.id),
                request_status: request.map(|r| r.status.clone()),
                options,
            }
        })
        .collect();
    Ok(OrderView {
        id: row.id,
        order_number: row.order_number,
        org_unit_id: row.org_unit_id,
        customer_id: row.customer_id,
        customer_name: customer.name,
        platform: row.platform,
        carrier: row.carrier,
        tracking_no: row.tracking_no,
        signed_at: row.signed_at.map(crate::format_ms),
        lines,
        created_at: crate::format_ms(row.created_at),
    })
}

fn earlier_of(request: Option<&ecom_request::Model>) -> Earlier {
    match request {
        None => Earlier::None,
        Some(r) if r.status == EcomStatus::Cancelled.as_str() => Earlier::Cancelled,
        Some(_) => Earlier::Filed,
    }
}

pub async fn get_order(app: &App, actor: &Actor, id: i64) -> Result<OrderView, AppError> {
    actor.require(Permission::EcomRead)?;
    let row = find_order(&app.db, actor, id).await?;
    order_view(&app.db, row, app.now_ms()).await
}

pub async fn list_orders(
    app: &App,
    actor: &Actor,
    filter: &OrderFilter,
    page: PageRequest,
) -> Result<Page<OrderView>, AppError> {
    actor.require(Permission::EcomRead)?;
    let mut query = actor.scoped(
        ecom_order::Entity::find(),
        ecom_order::Column::OrgUnitId,
        ecom_order::Column::CustomerId,
    )?;
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(ecom_order::Column::OrderNumber.contains(q));
    }
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(ecom_order::Column::CustomerId.eq(customer_id));
    }
    let paginator = query
        .order_by_desc(ecom_order::Column::Id)
        .paginate(&app.db, page.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    let now = app.now_ms();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(order_view(&app.db, row, now).await?);
    }
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
        total_capped: false,
    })
}

/// Validates and inserts one order in the caller's transaction.
async fn insert_order(
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: &OrderInput,
    now: i64,
) -> Result<ecom_order::Model, AppError> {
    let mut errors = ValidationErrors::new();
    let order_number = errors.check("order_number", required_text(&input.order_number, 100));
    let platform = errors.check("platform", optional_text(input.platform.as_deref(), 100));
    let carrier = errors.check("carrier", optional_text(input.carrier.as_deref(), 100));
    let tracking_no = errors.check(
        "tracking_no",
        optional_text(input.tracking_no.as_deref(), 100),
    );
    let signed_at = match input.signed_at.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(text) => errors.check("signed_at", parse_sign_off(text).map(Some)),
    };
    if input.lines.is_empty() {
        errors.add("lines", "required");
    }
    for (idx, line) in input.lines.iter().enumerate() {
        errors.check(&format!("lines[{idx}].sku"), required_text(&line.sku, 100));
        errors.check(
            &format!("lines[{idx}].product_name"),
            required_text(&line.product_name, 200),
        );
        if line.quantity <= 0 {
            errors.add(format!("lines[{idx}].quantity"), "out_of_range");
        }
        if line.price_fen < 0 {
            errors.add(format!("lines[{idx}].price_fen"), "negative");
        }
    }
    let customer = customer::Entity::find_by_id(input.customer_id)
        .one(db)
        .await?;
    match &customer {
        Some(c) if actor.sees(c.org_unit_id, Some(c.id)) => {}
        _ => errors.add("customer_id", "not_found"),
    }
    for (idx, line) in input.lines.iter().enumerate() {
        if let Some(product_id) = line.product_id {
            if product::Entity::find_by_id(product_id)
                .one(db)
                .await?
                .is_none()
            {
                errors.add(format!("lines[{idx}].product_id"), "not_found");
            }
        }
    }
    let (Some(order_number), Some(platform), Some(carrier), Some(tracking_no), Some(signed_at)) =
        (order_number, platform, carrier, tracking_no, signed_at)
    else {
        return Err(errors.into());
    };
    errors.into_result(())?;
    let customer = customer.ok_or(AppError::NotFound)?;
    let duplicate = ecom_order::Entity::find()
        .filter(ecom_order::Column::OrderNumber.eq(&order_number))
        .one(db)
        .await?;
    if duplicate.is_some() {
        return Err(AppError::field_conflict("already_exists", "order_number"));
    }
    let order = ecom_order::ActiveModel {
        order_number: Set(order_number),
        org_unit_id: Set(customer.org_unit_id),
        customer_id: Set(customer.id),
        platform: Set(platform),
        carrier: Set(carrier),
        tracking_no: Set(tracking_no),
        signed_at: Set(signed_at),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for (idx, line) in input.lines.iter().enumerate() {
        ecom_order_line::ActiveModel {
            order_id: Set(order.id),
            line_no: Set(idx as i32 + 1),
            sku: Set(line.sku.trim().to_string()),
            product_name: Set(line.product_name.trim().to_string()),
            product_id: Set(line.product_id),
            quantity: Set(line.quantity),
            price_fen: Set(line.price_fen),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    audit::record(
        db,
        now,
        Some(actor),
        "ecom_order",
        order.id,
        "import",
        None::<&()>,
        Some(&order),
    )
    .await?;
    Ok(order)
}

/// Imports one online order (ECOM-1).
pub async fn import_order(
    app: &App,
    actor: &Actor,
    input: &OrderInput,
    key: Option<&IdempotencyKey>,
) -> Result<OrderView, AppError> {
    actor.require(Permission::EcomManage)?;
    if let Some(id) = idempotency::replayed(app, actor, key, "ecom_order").await? {
        return get_order(app, actor, id).await;
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let order = insert_order(&txn, actor, input, now).await?;
    idempotency::remember(&txn, actor, key, "ecom_order", order.id, now).await?;
    let view = order_view(&txn, order, now).await?;
    txn.commit().await?;
    Ok(view)
}

/// The columns of the order sheet, Chinese and English headers; one row per order line,
/// rows of one order share its number.
const SHEET_COLUMNS: &[(&str, &str)] = &[
    ("订单号", "order_number"),
    ("客户编号", "customer_number"),
    ("平台", "platform"),
    ("承运商", "carrier"),
    ("运单号", "tracking_no"),
    ("签收时间", "signed_at"),
    ("商品编码", "sku"),
    ("商品名称", "product_name"),
    ("型号", "model"),
    ("数量", "quantity"),
    ("单价", "price"),
];
const SHEET_REQUIRED: &[&str] = &[
    "order_number",
    "customer_number",
    "sku",
    "product_name",
    "quantity",
    "price",
];

/// Imports online orders from an .xlsx or .csv sheet, all or nothing: every order is checked
/// like the JSON import, and any error leaves nothing behind and reports its row.
pub async fn import_orders_file(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
) -> Result<ImportReport, AppError> {
    actor.require(Permission::EcomManage)?;
    let table =
        aftersales_tabular::read_detect(bytes, file_name).map_err(|err| AppError::Conflict {
            code: "unreadable_file",
            field: Some("file"),
            detail: Some(err.to_string()),
        })?;
    let indexes: HashMap<&str, usize> = SHEET_COLUMNS
        .iter()
        .filter_map(|(zh, en)| table.column(&[zh, en]).map(|idx| (*en, idx)))
        .collect();
    let missing: Vec<RowError> = SHEET_REQUIRED
        .iter()
        .filter(|en| !indexes.contains_key(*en))
        .map(|en| RowError {
            line: 1,
            field: (*en).to_string(),
            code: "missing_column".into(),
        })
        .collect();
    if !missing.is_empty() {
        return Ok(ImportReport {
            imported: 0,
            errors: missing,
        });
    }
    let cell = |row: &aftersales_tabular::Row, en: &str| {
        indexes
            .get(en)
            .map_or(String::new(), |idx| row.get(*idx).trim().to_string())
    };
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let mut errors = Vec::new();
    // Orders in the sheet's order, each with its first row (where its errors are reported).
    let mut orders: Vec<(usize, OrderInput)> = Vec::new();
    for row in &table.rows {
        let number = cell(row, "order_number");
        let customer_number = cell(row, "customer_number");
        let customer_id = customer::Entity::find()
            .filter(customer::Column::Number.eq(&customer_number))
            .one(&txn)
            .await?
            .map(|c| c.id);
        let model = cell(row, "model");
        let product_id = if model.is_empty() {
            None
        } else {
            match product::Entity::find()
                .filter(product::Column::Model.eq(&model))
                .one(&txn)
                .await?
            {
                Some(p) => Some(p.id),
                None => {
                    errors.push(row_error(row.line, "model", "not_found"));
                    None
                }
            }
        };
        let quantity = cell(row, "quantity").parse::<i32>().unwrap_or_else(|_| {
            errors.push(row_error(row.line, "quantity", "invalid_number"));
            0
        });
        let price_fen = parse_yuan(&cell(row, "price")).unwrap_or_else(|code| {
            errors.push(row_error(row.line, "price", code));
            0
        });
        let line = OrderLineInput {
            sku: cell(row, "sku"),
            product_name: cell(row, "product_name"),
            product_id,
            quantity,
            price_fen,
        };
        match orders
            .iter_mut()
            .find(|(_, o)| !number.is_empty() && o.order_number == number)
        {
            Some((_, order)) => order.lines.push(line),
            None => {
                let text = |en| Some(cell(row, en)).filter(|v| !v.is_empty());
                orders.push((
                    row.line,
                    OrderInput {
                        order_number: number,
                        customer_id: match customer_id {
                            Some(id) => id,
                            None => {
                                errors.push(row_error(row.line, "customer_number", "not_found"));
                                0
                            }
                        },
                        platform: text("platform"),
                        carrier: text("carrier"),
                        tracking_no: text("tracking_no"),
                        signed_at: text("signed_at"),
                        lines: vec![line],
                    },
                ))
            }
        }
    }
    let mut imported = 0;
    for (line, order) in &orders {
        let savepoint = txn.begin().await?;
        match insert_order(&savepoint, actor, order, now).await {
            Ok(_) => {
                savepoint.commit().await?;
                imported += 1;
            }
            Err(err) => {
                savepoint.rollback().await?;
                errors.extend(row_errors(*line, err)?);
            }
        }
    }
    if errors.is_empty() {
        txn.commit().await?;
        Ok(ImportReport { imported, errors })
    } else {
        txn.rollback().await?;
        errors.sort_by_key(|e| e.line);
        Ok(ImportReport {
            imported: 0,
            errors,
        })
    }
}

fn row_error(line: usize, field: &str, code: &str) -> RowError {
    RowError {
        line,
        field: field.into(),
        code: code.into(),
    }
}

// ---------------------------------------------------------------- requests (ECOM-2..5)

async fn find_request(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<ecom_request::Model, AppError> {
    let row = ecom_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, Some(row.customer_id))?;
    Ok(row)
}

fn party_events(status: EcomStatus, party: Party) -> Vec<String> {
    events_for(status, party)
        .into_iter()
        .map(|e| e.as_str().to_string())
        .collect()
}

async fn request_view(
    db: &impl ConnectionTrait,
    row: ecom_request::Model,
    now_ms: i64,
) -> Result<RequestView, AppError> {
    let customer = customer::Entity::find_by_id(row.customer_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let order = ecom_order::Entity::find_by_id(row.order_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let line = ecom_order_line::Entity::find_by_id(row.order_line_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let service_order_number = match row.service_order_id {
        Some(id) => service_order::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|o| o.number),
        None => None,
    };
    let complaint_number = match row.complaint_id {
        Some(id) => complaint::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.number),
        None => None,
    };
    let events = ecom_request_event::Entity::find()
        .filter(ecom_request_event::Column::RequestId.eq(row.id))
        .order_by_asc(ecom_request_event::Column::Id)
        .all(db)
        .await?;
    let actor_ids: Vec<i64> = events.iter().filter_map(|e| e.actor_user_id).collect();
    let people: HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(actor_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let evidence = attachment::Entity::find()
        .filter(attachment::Column::Entity.eq(SUBJECT))
        .filter(attachment::Column::EntityId.eq(row.id))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(AttachmentView::from)
        .collect();
    let status = status_of(&row)?;
    let remedy = row.remedy.as_deref().and_then(Remedy::parse);
    let running = matches!(
        status,
        EcomStatus::AwaitingSeller | EcomStatus::InArbitration
    );
    Ok(RequestView {
        id: row.id,
        number: row.number,
        org_unit_id: row.org_unit_id,
        customer_id: row.customer_id,
        customer_name: customer.name,
        order_id: row.order_id,
        order_number: order.order_number,
        order_line_id: row.order_line_id,
        sku: line.sku,
        product_name: line.product_name,
        quantity: line.quantity,
        request_type: row.request_type,
        remedy: row.remedy,
        description: row.description,
        refund_fen: row.refund_fen,
        refund: row.refund_fen.map(format_yuan),
        status: row.status,
        due_at: row.due_at.map(crate::format_ms),
        overdue: running && row.due_at.is_some_and(|due| due < now_ms),
        accepted_by: row.accepted_by,
        rejection_reason: row.rejection_reason,
        arbitration_reason: row.arbitration_reason,
        ruling: row.ruling,
        ruling_note: row.ruling_note,
        can_create_repair_order: row.service_order_id.is_none()
            && repair_order_possible(status, remedy),
        service_order_id: row.service_order_id,
        service_order_number,
        complaint_id: row.complaint_id,
        complaint_number,
        buyer_events: party_events(status, Party::Buyer),
        seller_events: party_events(status, Party::Seller),
        arbiter_events: party_events(status, Party::Arbiter),
        evidence,
        timeline: events
            .into_iter()
            .map(|e| TimelineEntry {
                actor: e.actor_user_id.and_then(|id| people.get(&id).cloned()),
                event: e.event,
                note: e.note,
                at: crate::format_ms(e.at),
            })
            .collect(),
        version: row.version,
        created_at: crate::format_ms(row.created_at),
    })
}

async fn add_event(
    db: &impl ConnectionTrait,
    request_id: i64,
    event: &str,
    actor: Option<&Actor>,
    note: Option<String>,
    at: i64,
) -> Result<(), AppError> {
    ecom_request_event::ActiveModel {
        request_id: Set(request_id),
        event: Set(event.to_string()),
        actor_user_id: Set(actor.map(|a| a.user_id)),
        note: Set(note),
        at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn get_request(app: &App, actor: &Actor, id: i64) -> Result<RequestView, AppError> {
    actor.require(Permission::EcomRead)?;
    let row = find_request(&app.db, actor, id).await?;
    request_view(&app.db, row, app.now_ms()).await
}

pub async fn list_requests(
    app: &App,
    actor: &Actor,
    filter: &RequestFilter,
    page: PageRequest,
) -> Result<Page<RequestView>, AppError> {
    actor.require(Permission::EcomRead)?;
    let now = app.now_ms();
    let mut query = actor.scoped(
        ecom_request::Entity::find(),
        ecom_request::Column::OrgUnitId,
        ecom_request::Column::CustomerId,
    )?;
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(ecom_request::Column::Status.eq(status));
    }
    if let Some(request_type) = filter.request_type.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(ecom_request::Column::RequestType.eq(request_type));
    }
    if filter.overdue {
        query = query
            .filter(ecom_request::Column::Status.is_in([
                EcomStatus::AwaitingSeller.as_str(),
                EcomStatus::InArbitration.as_str(),
            ]))
            .filter(ecom_request::Column::DueAt.lt(now));
    }
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(ecom_request::Column::CustomerId.eq(customer_id));
    }
    let paginator = query
        .order_by_desc(ecom_request::Column::Id)
        .paginate(&app.db, page.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(request_view(&app.db, row, now).await?);
    }
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
        total_capped: false,
    })
}

/// The portal users of a customer: the buyer a request's steps are told to.
async fn buyer_users(db: &impl ConnectionTrait, customer_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::CustomerId.eq(customer_id))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

/// Tells `users` that a request moved: one message per step, with the request's page.
async fn tell(
    db: &impl ConnectionTrait,
    now: i64,
    users: &[i64],
    row: &ecom_request::Model,
    link: String,
    (zh, en): (&str, &str),
) -> Result<(), AppError> {
    notifications::notify(
        db,
        now,
        users,
        &Message {
            kind: "ecom_request",
            link: Some(link),
            zh: (format!("售后申请 {}：{zh}", row.number), String::new()),
            en: (
                format!("After-sales request {}: {en}", row.number),
                String::new(),
            ),
        },
    )
    .await?;
    Ok(())
}

fn portal_link(id: i64) -> String {
    format!("/portal/requests/{id}")
}

fn staff_link(id: i64) -> String {
    format!("/ecom/requests/{id}")
}

/// Files a request (ECOM-2/3): the buyer picks one order line and one type. The rules decide
/// whether it may be filed; the evidence is filed with it; the seller's deadline starts (T15).
pub async fn file_request(
    app: &App,
    actor: &Actor,
    input: &RequestInput,
    evidence: Vec<File>,
    key: Option<&IdempotencyKey>,
) -> Result<RequestView, AppError> {
    actor.require(Permission::EcomFile)?;
    if let Some(id) = idempotency::replayed(app, actor, key, SUBJECT).await? {
        return get_request(app, actor, id).await;
    }
    let mut errors = ValidationErrors::new();
    let request_type = RequestType::parse(&input.request_type);
    if request_type.is_none() {
        errors.add("request_type", "invalid_choice");
    }
    let remedy = match input.remedy.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => {
            let remedy = Remedy::parse(code);
            if remedy.is_none() {
                errors.add("remedy", "invalid_choice");
            }
            remedy
        }
    };
    let description = errors
        .check(
            "description",
            optional_text(input.description.as_deref(), 2000),
        )
        .flatten();
    let files = evidence
        .into_iter()
        .filter(|f| !f.name.trim().is_empty())
        .map(|file| file.bytes("evidence"))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(request_type) = request_type else {
        return Err(errors.into());
    };
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let line = ecom_order_line::Entity::find_by_id(input.order_line_id)
        .one(&txn)
        .await?;
    let order = match &line {
        Some(line) => find_order(&txn, actor, line.order_id).await.ok(),
        None => None,
    };
    let (Some(line), Some(order)) = (line, order) else {
        errors.add("order_line_id", "not_found");
        return Err(errors.into());
    };
    let facts = FilingFacts {
        request_type,
        remedy,
        description: description.as_deref(),
        evidence_files: files.len(),
        signed_at_ms: order.signed_at,
        now_ms: now,
        earlier: Earlier::None,
    };
    for (field, code) in missing_fields(&facts) {
        errors.add(field, code);
    }
    errors.into_result(())?;
    let earlier = ecom_request::Entity::find()
        .filter(ecom_request::Column::OrderLineId.eq(line.id))
        .one(&txn)
        .await?;
    let facts = FilingFacts {
        earlier: earlier_of(earlier.as_ref()),
        ..facts
    };
    check_filing(&facts).map_err(|refusal| refusal_error(actor, &refusal))?;
    let pattern = settings::get_pattern(&txn, "ecom.number_pattern").await?;
    let branch = crate::org::find_unit(&txn, order.org_unit_id).await?;
    let number = numbering::next_number(&txn, &pattern, app.today(), &branch.code).await?;
    let hours = settings::get_count(&txn, "ecom.seller_response_hours").await?;
    let due_at = now + hours * HOUR_MS;
    let row = ecom_request::ActiveModel {
        number: Set(number),
        org_unit_id: Set(order.org_unit_id),
        customer_id: Set(order.customer_id),
        order_id: Set(order.id),
        order_line_id: Set(line.id),
        request_type: Set(request_type.as_str().into()),
        remedy: Set(remedy.map(|r| r.as_str().to_string())),
        description: Set(description.clone()),
        refund_fen: Set(refund_fen(
            request_type,
            remedy,
            line.quantity,
            line.price_fen,
        )),
        status: Set(EcomStatus::AwaitingSeller.as_str().into()),
        due_at: Set(Some(due_at)),
        created_by: Set(actor.user_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (name, content_type, bytes) in files {
        crate::attachments::store(
            app,
            &txn,
            actor,
            SUBJECT,
            row.id,
            &name,
            &content_type,
            &bytes,
        )
        .await
        .map_err(|err| rename_file_error(err, "evidence"))?;
    }
    add_event(&txn, row.id, "filed", Some(actor), description, now).await?;
    timers::schedule(
        &txn,
        SELLER_RESPONSE_JOB,
        SUBJECT,
        row.id,
        Some(&format!("{SELLER_RESPONSE_JOB}:{}", row.id)),
        due_at,
        None,
        now,
    )
    .await?;
    let sellers = seller_staff(&txn, row.org_unit_id).await?;
    tell(
        &txn,
        now,
        &sellers,
        &row,
        staff_link(row.id),
        (
            "买家提交了售后申请，请及时处理",
            "a buyer filed a request; please answer",
        ),
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        SUBJECT,
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    idempotency::remember(&txn, actor, key, SUBJECT, row.id, now).await?;
    let view = request_view(&txn, row, now).await?;
    txn.commit().await?;
    Ok(view)
}

/// One-shot violations are conflicts with the request on file (409); a type the sign-off
/// does not allow is a wrong choice in the form (422). The explanation goes in the detail, in
/// the buyer's language.
fn refusal_error(actor: &Actor, refusal: &FilingRefusal) -> AppError {
    use aftersales_domain::ecom::Refusal;
    let english = actor.locale.as_deref() == Some("en");
    match refusal.refusal {
        Refusal::AlreadyRequested | Refusal::CancelledCannotRefile => AppError::Conflict {
            code: refusal.refusal.as_str(),
            field: Some("order_line_id"),
            detail: Some(refusal.explain(english)),
        },
        _ => AppError::invalid("request_type", refusal.refusal.as_str()),
    }
}

/// The seller's customer-service staff of a branch (and the customer department), told of
/// new requests and rulings.
async fn seller_staff(db: &impl ConnectionTrait, org_unit_id: i64) -> Result<Vec<i64>, AppError> {
    let mut users =
        notifications::users_with_role(db, Role::ServiceAgent, Some(org_unit_id)).await?;
    users.extend(notifications::users_with_role(db, Role::CustomerDepartment, None).await?);
    Ok(users)
}

/// A step by the seller, the buyer or the arbiter (ECOM-4). Each event needs its party's
/// permission; the state machine decides if it is possible now (409 otherwise).
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &StepInput,
) -> Result<RequestView, AppError> {
    let event = EcomEvent::parse(&input.event)
        .filter(|e| e.party() != Party::System)
        .ok_or_else(|| AppError::invalid("event", "invalid_choice"))?;
    actor.require(match event.party() {
        Party::Seller => Permission::EcomManage,
        Party::Buyer => Permission::EcomFile,
        Party::Arbiter | Party::System => Permission::EcomArbitrate,
    })?;
    let note = optional_text(input.note.as_deref(), 2000)
        .map_err(|code| AppError::invalid("note", code))?;
    let needs_note = matches!(
        event,
        EcomEvent::Reject
            | EcomEvent::RequestArbitration
            | EcomEvent::RuleForBuyer
            | EcomEvent::RuleForSeller
    );
    if needs_note && note.is_none() {
        return Err(AppError::invalid("note", "required"));
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_request(&txn, actor, id).await?;
    if before.version != input.version {
        return Err(AppError::StaleVersion);
    }
    let from = status_of(&before)?;
    let to = next_status(from, event).map_err(|err| AppError::Conflict {
        code: "invalid_transition",
        field: Some("event"),
        detail: Some(err.to_string()),
    })?;
    if event == EcomEvent::RequestArbitration && before.due_at.is_some_and(|due| now > due) {
        return Err(AppError::field_conflict(
            "arbitration_window_passed",
            "event",
        ));
    }
    let mut active: ecom_request::ActiveModel = before.clone().into();
    active.status = Set(to.as_str().into());
    let due_at = match event {
        EcomEvent::Reject => {
            active.rejection_reason = Set(note.clone());
            let hours = settings::get_count(&txn, "ecom.arbitration_request_hours").await?;
            Some(now + hours * HOUR_MS)
        }
        EcomEvent::RequestArbitration => {
            active.arbitration_reason = Set(note.clone());
            let hours = settings::get_count(&txn, "ecom.arbitration_ruling_hours").await?;
            Some(now + hours * HOUR_MS)
        }
        _ => None,
    };
    active.due_at = Set(due_at);
    match event {
        EcomEvent::Accept => active.accepted_by = Set(Some("seller".into())),
        EcomEvent::RuleForBuyer | EcomEvent::RuleForSeller => {
            active.accepted_by = Set((event == EcomEvent::RuleForBuyer).then(|| "arbiter".into()));
            active.ruling = Set(Some(
                if event == EcomEvent::RuleForBuyer {
                    "buyer"
                } else {
                    "seller"
                }
                .into(),
            ));
            active.ruling_note = Set(note.clone());
        }
        _ => {}
    }
    active.version = Set(before.version + 1);
    active.updated_at = Set(now);
    let after =
        versioned_update(&txn, active, ecom_request::Column::Version, before.version).await?;
    if from == EcomStatus::AwaitingSeller {
        // The seller answered (or the buyer withdrew): T15 must not fire.
        timers::cancel(&txn, SELLER_RESPONSE_JOB, SUBJECT, id).await?;
    }
    add_event(&txn, id, event.as_str(), Some(actor), note, now).await?;
    notify_step(&txn, now, &after, event).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        SUBJECT,
        id,
        event.as_str(),
        Some(&before),
        Some(&after),
    )
    .await?;
    let view = request_view(&txn, after, now).await?;
    txn.commit().await?;
    Ok(view)
}

/// Who hears of a step: the buyer of the seller's and arbiter's steps, the seller of the
/// buyer's, the arbiters of a new arbitration case.
async fn notify_step(
    db: &impl ConnectionTrait,
    now: i64,
    row: &ecom_request::Model,
    event: EcomEvent,
) -> Result<(), AppError> {
    let buyer = buyer_users(db, row.customer_id).await?;
    let texts = match event {
        EcomEvent::Accept => ("商家已同意您的售后申请", "the seller accepted your request"),
        EcomEvent::AutoAccept => (
            "商家逾期未处理，已按您的售后要求达成协议",
            "the seller did not answer in time, so your request was accepted as filed",
        ),
        EcomEvent::Reject => (
            "商家拒绝了您的售后申请，您可以申请平台介入",
            "the seller rejected your request; you may ask the platform to step in",
        ),
        EcomEvent::RuleForBuyer => (
            "平台客服裁定支持您的申请",
            "the platform ruled in your favour",
        ),
        EcomEvent::RuleForSeller => ("平台客服裁定支持商家", "the platform ruled for the seller"),
        EcomEvent::RequestArbitration => {
            let arbiters = notifications::users_with_role(db, Role::PlatformArbiter, None).await?;
            return tell(
                db,
                now,
                &arbiters,
                row,
                staff_link(row.id),
                ("买家申请平台介入，请裁决", "the buyer asks for arbitration"),
            )
            .await;
        }
        EcomEvent::Cancel => {
            let sellers = seller_staff(db, row.org_unit_id).await?;
            return tell(
                db,
                now,
                &sellers,
                row,
                staff_link(row.id),
                ("买家已撤销售后申请", "the buyer withdrew the request"),
            )
            .await;
        }
    };
    tell(db, now, &buyer, row, portal_link(row.id), texts).await
}

/// T15: the seller did not answer within `ecom.seller_response_hours`; the request is
/// accepted as filed (按照你的售后要求达成协议). A request answered meanwhile is left alone
/// (its timer is normally cancelled, this check covers a race with the answer).
pub struct SellerResponseJob;

#[async_trait::async_trait]
impl Job for SellerResponseJob {
    fn name(&self) -> &'static str {
        SELLER_RESPONSE_JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(before) = ecom_request::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        if before.status != EcomStatus::AwaitingSeller.as_str() {
            return Ok(());
        }
        let now = fire.now_ms;
        let mut active: ecom_request::ActiveModel = before.clone().into();
        active.status = Set(EcomStatus::Accepted.as_str().into());
        active.accepted_by = Set(Some("timer".into()));
        active.due_at = Set(None);
        active.version = Set(before.version + 1);
        active.updated_at = Set(now);
        let after = versioned_update(
            fire.txn,
            active,
            ecom_request::Column::Version,
            before.version,
        )
        .await?;
        add_event(
            fire.txn,
            after.id,
            EcomEvent::AutoAccept.as_str(),
            None,
            None,
            now,
        )
        .await?;
        notify_step(fire.txn, now, &after, EcomEvent::AutoAccept).await?;
        audit::record(
            fire.txn,
            now,
            None,
            SUBJECT,
            after.id,
            EcomEvent::AutoAccept.as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(())
    }
}

/// More evidence from the buyer while the request is open (the seller answers with its
/// reasons in the rejection).
pub async fn add_evidence(
    app: &App,
    actor: &Actor,
    id: i64,
    file: File,
) -> Result<RequestView, AppError> {
    actor.require(Permission::EcomFile)?;
    let (name, content_type, bytes) = file.bytes("evidence")?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_request(&txn, actor, id).await?;
    let status = status_of(&row)?;
    if matches!(status, EcomStatus::Refused | EcomStatus::Cancelled) {
        return Err(AppError::field_conflict("request_closed", "status"));
    }
    let stored =
        crate::attachments::store(app, &txn, actor, SUBJECT, id, &name, &content_type, &bytes)
            .await
            .map_err(|err| rename_file_error(err, "evidence"))?;
    add_event(
        &txn,
        id,
        "evidence",
        Some(actor),
        Some(stored.file_name),
        now,
    )
    .await?;
    let view = request_view(&txn, row, now).await?;
    txn.commit().await?;
    Ok(view)
}

/// An accepted repair becomes a service order (registered through `service_orders`), once.
pub async fn create_repair_order(
    app: &App,
    actor: &Actor,
    id: i64,
) -> Result<RequestView, AppError> {
    actor.require(Permission::EcomManage)?;
    actor.require(Permission::OrderRegister)?;
    let row = find_request(&app.db, actor, id).await?;
    let remedy = row.remedy.as_deref().and_then(Remedy::parse);
    if !repair_order_possible(status_of(&row)?, remedy) {
        return Err(AppError::conflict("repair_not_possible"));
    }
    if row.service_order_id.is_some() {
        return Err(AppError::conflict("repair_order_exists"));
    }
    let line = ecom_order_line::Entity::find_by_id(row.order_line_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let description = match row.description.as_deref() {
        Some(text) => format!("网店售后 {}（{}）：{text}", row.number, line.product_name),
        None => format!("网店售后 {}（{}）", row.number, line.product_name),
    };
    let order_input = crate::service_orders::OrderInput {
        channel: "portal".into(),
        customer_id: row.customer_id,
        product_id: line.product_id,
        fault_description: description,
        fault_class: "other".into(),
        urgency: "normal".into(),
        ..Default::default()
    };
    let key = IdempotencyKey::parse(&format!("ecom-{}-repair", row.id))?;
    let order = crate::service_orders::register(app, actor, &order_input, Some(&key)).await?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_request(&txn, actor, id).await?;
    if before.service_order_id.is_some() {
        // A concurrent click linked it first; the key made both the same order.
        let view = request_view(&txn, before, now).await?;
        txn.commit().await?;
        return Ok(view);
    }
    let mut active: ecom_request::ActiveModel = before.clone().into();
    active.service_order_id = Set(Some(order.id));
    active.version = Set(before.version + 1);
    active.updated_at = Set(now);
    let after =
        versioned_update(&txn, active, ecom_request::Column::Version, before.version).await?;
    add_event(
        &txn,
        id,
        "repair_order",
        Some(actor),
        Some(order.number),
        now,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        SUBJECT,
        id,
        "create_repair_order",
        Some(&before),
        Some(&after),
    )
    .await?;
    let view = request_view(&txn, after, now).await?;
    txn.commit().await?;
    Ok(view)
}

/// ECOM-5: the buyer went to an outside body; staff log it as a complaint with channel
/// `external_authority` and severity `major`, linked to the request and on its timeline.
pub async fn escalate(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &EscalationInput,
) -> Result<RequestView, AppError> {
    actor.require(Permission::EcomManage)?;
    actor.require(Permission::ComplaintRegister)?;
    let mut errors = ValidationErrors::new();
    if !AUTHORITIES.contains(&input.authority.as_str()) {
        errors.add("authority", "invalid_choice");
    }
    let note = errors.check("note", required_text(&input.note, 2000));
    let Some(note) = note else {
        return Err(errors.into());
    };
    errors.into_result(())?;
    let row = find_request(&app.db, actor, id).await?;
    let order = ecom_order::Entity::find_by_id(row.order_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let line = ecom_order_line::Entity::find_by_id(row.order_line_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let authority_zh = match input.authority.as_str() {
        "black_cat" => "黑猫投诉",
        "consumer_12315" => "12315",
        _ => "外部机构",
    };
    let quality = row.request_type == RequestType::QualityReturn.as_str();
    let complaint_input = crate::complaints::RegisterInput {
        channel: "external_authority".into(),
        complaint_type: if quality { "product_quality" } else { "other" }.into(),
        severity: Some("major".into()),
        subject_kind: "product".into(),
        org_unit_id: Some(row.org_unit_id),
        customer_id: Some(row.customer_id),
        product_id: line.product_id,
        order_number: Some(order.order_number.clone()),
        quantity: Some(i64::from(line.quantity)),
        content: format!(
            "网店售后申请 {}（{}）买家已向{authority_zh}投诉：{note}",
            row.number, line.product_name
        ),
        ..Default::default()
    };
    let complaint = crate::complaints::register(app, actor, &complaint_input).await?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_request(&txn, actor, id).await?;
    let mut active: ecom_request::ActiveModel = before.clone().into();
    active.complaint_id = Set(Some(complaint.id));
    active.version = Set(before.version + 1);
    active.updated_at = Set(now);
    let after =
        versioned_update(&txn, active, ecom_request::Column::Version, before.version).await?;
    add_event(
        &txn,
        id,
        "external_escalation",
        Some(actor),
        Some(format!("{authority_zh} · {}", complaint.number)),
        now,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        SUBJECT,
        id,
        "external_escalation",
        Some(&before),
        Some(&after),
    )
    .await?;
    let view = request_view(&txn, after, now).await?;
    txn.commit().await?;
    Ok(view)
}
