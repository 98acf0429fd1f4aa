//! QR labels (一物一码) and fault reports customers submit themselves: every unit can get an
//! unguessable label code; scanning its QR code opens a public page where anyone holding the
//! unit reports a fault with photos and a preferred time, without signing in. The report
//! waits in the branch's queue until an agent confirms it into the call register (a service
//! order with channel `portal`) or rejects it with a reason.

use aftersales_domain::customer::normalize_phone;
use aftersales_domain::role::Permission;
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{
    customer, customer_address, fault_report, fault_report_photo, product, unit, unit_label,
};
use aftersales_store::sea_orm::sea_query::Expr;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};

use crate::idempotency::IdempotencyKey;
use crate::service_orders::{self, OrderInput, OrderView};
use crate::{audit, Actor, App, AppError};

/// Photos per report.
pub const MAX_PHOTOS: usize = 5;
/// Bytes per photo (phone cameras stay well below).
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// Reports one label may receive per hour while they are pending.
pub const MAX_PENDING_PER_LABEL_PER_HOUR: u64 = 3;
/// Reports one client address may send per hour, over all labels.
pub const MAX_PER_CLIENT_PER_HOUR: u64 = 10;
const HOUR_MS: i64 = 3_600_000;

pub const STATUS_PENDING: &str = "pending";
pub const STATUS_CONFIRMED: &str = "confirmed";
pub const STATUS_REJECTED: &str = "rejected";

/// The label of a unit: its code and the public path the QR code points to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LabelView {
    pub unit_id: i64,
    pub code: String,
    /// The public report page, relative to the site (`/r/{code}`).
    pub path: String,
    pub serial_no: String,
    pub product_model: String,
    pub product_name: String,
}

/// What the public page may show about a unit: no phone, no address, a masked name.
#[derive(Debug, Clone, Serialize)]
pub struct PublicUnit {
    pub code: String,
    pub product_model: String,
    pub product_name: String,
    /// The owner's name with all but its first character hidden.
    pub customer_masked: String,
}

/// What the customer types on the public page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportInput {
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_phone: String,
    /// When a visit suits, as the customer says it.
    pub preferred_time: Option<String>,
}

/// An uploaded photo.
#[derive(Debug, Clone, Default)]
pub struct PhotoUpload {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhotoView {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    pub id: i64,
    /// The number the customer was shown (`R` and the id).
    pub number: String,
    pub status: String,
    pub unit_id: i64,
    pub serial_no: String,
    pub product_model: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub org_unit_id: i64,
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_phone: String,
    pub preferred_time: Option<String>,
    pub photos: Vec<PhotoView>,
    pub order_id: Option<i64>,
    pub reject_reason: Option<String>,
    pub created_at: String,
    pub version: i32,
}

/// The agent's decision to register the report as a call.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ConfirmInput {
    /// The report's version as read; a stale version answers 409.
    pub version: i32,
    /// hardware, software, operator_error or other.
    pub fault_class: String,
    /// normal or urgent.
    pub urgency: String,
    /// a, b, c or d; empty: the proposed category. Another category needs a reason.
    pub category: Option<String>,
    pub category_reason: Option<String>,
    /// The faulty component, if known.
    pub component: Option<String>,
    /// For software faults: bug, requirement, other or consultation.
    pub software_class: Option<String>,
    /// For software faults: p1 to p4.
    pub software_priority: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RejectInput {
    pub version: i32,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConfirmedView {
    pub report: ReportView,
    pub order: OrderView,
}

pub fn report_number(id: i64) -> String {
    format!("R{id:06}")
}

/// A fresh label code: 20 characters of `[A-Za-z0-9_-]` (120 random bits).
fn new_code() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 63)] as char)
        .collect()
}

/// Hides all but the first character of a name (王** / 门**).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => format!("{first}**"),
        None => String::new(),
    }
}

fn label_path(code: &str) -> String {
    format!("/r/{code}")
}

/// The label of a unit the actor sees, creating its code on first need.
pub async fn label_for_unit(app: &App, actor: &Actor, unit_id: i64) -> Result<LabelView, AppError> {
    actor.require(Permission::CustomerRead)?;
    let unit = crate::units::find_visible(&app.db, actor, unit_id).await?;
    let product = product::Entity::find_by_id(unit.product_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let existing = unit_label::Entity::find()
        .filter(unit_label::Column::UnitId.eq(unit.id))
        .one(&app.db)
        .await?;
    let code = match existing {
        Some(label) => label.code,
        None => {
            let now = app.now_ms();
            let txn = app.write_txn().await?;
            let inserted = unit_label::ActiveModel {
                unit_id: Set(unit.id),
                code: Set(new_code()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await;
            match inserted {
                Ok(label) => {
                    audit::record(
                        &txn,
                        now,
                        Some(actor),
                        "unit",
                        unit.id,
                        "create_label",
                        None::<&()>,
                        Some(&label),
                    )
                    .await?;
                    txn.commit().await?;
                    label.code
                }
                Err(err) => {
                    drop(txn);
                    // Someone else created it at the same moment: theirs is the label.
                    match unit_label::Entity::find()
                        .filter(unit_label::Column::UnitId.eq(unit.id))
                        .one(&app.db)
                        .await?
                    {
                        Some(label) => label.code,
                        None => return Err(err.into()),
                    }
                }
            }
        }
    };
    Ok(LabelView {
        unit_id: unit.id,
        path: label_path(&code),
        code,
        serial_no: unit.serial_no,
        product_model: product.model,
        product_name: product.name,
    })
}

async fn unit_of_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<(unit::Model, product::Model, customer::Model), AppError> {
    let code = code.trim();
    if code.is_empty() || code.len() > 64 {
        return Err(AppError::NotFound);
    }
    let label = unit_label::Entity::find()
        .filter(unit_label::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = unit::Entity::find_by_id(label.unit_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let product = product::Entity::find_by_id(unit.product_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let customer = customer::Entity::find_by_id(unit.customer_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((unit, product, customer))
}

/// What the public page of a label shows. Unknown codes answer 404.
pub async fn public_unit(app: &App, code: &str) -> Result<PublicUnit, AppError> {
    let (_, product, customer) = unit_of_code(&app.db, code).await?;
    Ok(PublicUnit {
        code: code.trim().to_string(),
        product_model: product.model,
        product_name: product.name,
        customer_masked: mask_name(&customer.name),
    })
}

struct ValidReport {
    description: String,
    contact_name: Option<String>,
    contact_phone: String,
    preferred_time: Option<String>,
}

fn validate(input: &ReportInput, photos: &[PhotoUpload]) -> Result<ValidReport, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let description = errors.check("description", required_text(&input.description, 1000));
    let contact_name = errors.check(
        "contact_name",
        optional_text(input.contact_name.as_deref(), 50),
    );
    let contact_phone = errors.check("contact_phone", normalize_phone(&input.contact_phone));
    let preferred_time = errors.check(
        "preferred_time",
        optional_text(input.preferred_time.as_deref(), 100),
    );
    if photos.len() > MAX_PHOTOS {
        errors.add("photos", "too_many_files");
    } else if photos.iter().any(|p| p.bytes.is_empty()) {
        errors.add("photos", "empty_file");
    } else if photos.iter().any(|p| p.bytes.len() > MAX_PHOTO_BYTES) {
        errors.add("photos", "file_too_large");
    } else if photos.iter().any(|p| !is_raster_image(&p.content_type)) {
        errors.add("photos", "not_an_image");
    }
    match (description, contact_name, contact_phone, preferred_time) {
        (Some(description), Some(contact_name), Some(contact_phone), Some(preferred_time))
            if errors.is_empty() =>
        {
            Ok(ValidReport {
                description,
                contact_name,
                contact_phone,
                preferred_time,
            })
        }
        _ => Err(errors),
    }
}

/// Photos are raster images by their content type; SVG is refused because, served back from
/// this site, it could carry script.
fn is_raster_image(content_type: &str) -> bool {
    let content_type = content_type.trim().to_ascii_lowercase();
    content_type.starts_with("image/") && !content_type.contains("svg")
}

/// Refuses with 429 when `count` reports since `since` reached `limit`; the retry time is
/// when the oldest of them leaves the hour.
async fn throttle(
    db: &impl ConnectionTrait,
    query: aftersales_store::sea_orm::Select<fault_report::Entity>,
    limit: u64,
    now: i64,
) -> Result<(), AppError> {
    let recent = query
        .filter(fault_report::Column::CreatedAt.gt(now - HOUR_MS))
        .order_by_asc(fault_report::Column::CreatedAt);
    let count = recent.clone().count(db).await?;
    if count < limit {
        return Ok(());
    }
    let oldest = recent
        .one(db)
        .await?
        .map_or(now, |report| report.created_at);
    Err(AppError::Throttled {
        retry_after_secs: ((oldest + HOUR_MS - now) / 1000).max(1),
    })
}

/// Stores a public fault report for the unit of `code`, with no sign-in. Photos are images
/// only (by content type), at most [`MAX_PHOTOS`]. A label takes at most
/// [`MAX_PENDING_PER_LABEL_PER_HOUR`] pending reports an hour and a client address at most
/// [`MAX_PER_CLIENT_PER_HOUR`] reports; more answer 429.
pub async fn submit(
    app: &App,
    code: &str,
    input: &ReportInput,
    photos: &[PhotoUpload],
    client_ip: Option<&str>,
) -> Result<ReportView, AppError> {
    let (unit, _, customer) = unit_of_code(&app.db, code).await?;
    let valid = validate(input, photos)?;
    let now = app.now_ms();
    throttle(
        &app.db,
        fault_report::Entity::find()
            .filter(fault_report::Column::UnitId.eq(unit.id))
            .filter(fault_report::Column::Status.eq(STATUS_PENDING)),
        MAX_PENDING_PER_LABEL_PER_HOUR,
        now,
    )
    .await?;
    if let Some(ip) = client_ip {
        throttle(
            &app.db,
            fault_report::Entity::find().filter(fault_report::Column::ClientIp.eq(ip)),
            MAX_PER_CLIENT_PER_HOUR,
            now,
        )
        .await?;
    }
    // Files first, rows after: a crash in between leaves an unreferenced file, never a row
    // without its file.
    let mut stored = Vec::with_capacity(photos.len());
    for photo in photos {
        stored.push(crate::files::write(&app.files_dir, &photo.bytes).await?);
    }
    let txn = app.write_txn().await?;
    let row = fault_report::ActiveModel {
        unit_id: Set(unit.id),
        customer_id: Set(customer.id),
        org_unit_id: Set(unit.org_unit_id),
        description: Set(Some(valid.description)),
        contact_name: Set(valid.contact_name),
        contact_phone: Set(valid.contact_phone),
        preferred_time: Set(valid.preferred_time),
        status: Set(STATUS_PENDING.to_string()),
        order_id: Set(None),
        handled_by: Set(None),
        handled_at: Set(None),
        reject_reason: Set(None),
        client_ip: Set(client_ip.map(|ip| ip.chars().take(64).collect())),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (photo, sha256) in photos.iter().zip(stored) {
        let file_name = required_text(&photo.file_name, 200).unwrap_or_else(|_| "photo".into());
        fault_report_photo::ActiveModel {
            report_id: Set(row.id),
            file_name: Set(file_name),
            content_type: Set(photo.content_type.trim().to_ascii_lowercase()),
            size_bytes: Set(photo.bytes.len() as i64),
            sha256: Set(sha256),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    // No signed-in actor: the audit trail names the system.
    audit::record(
        &txn,
        now,
        None,
        "fault_report",
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

async fn view(db: &impl ConnectionTrait, row: fault_report::Model) -> Result<ReportView, AppError> {
    let unit = unit::Entity::find_by_id(row.unit_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let product = product::Entity::find_by_id(unit.product_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let customer = customer::Entity::find_by_id(row.customer_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let photos = fault_report_photo::Entity::find()
        .filter(fault_report_photo::Column::ReportId.eq(row.id))
        .order_by_asc(fault_report_photo::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| PhotoView {
            id: p.id,
            file_name: p.file_name,
            content_type: p.content_type,
            size_bytes: p.size_bytes,
        })
        .collect();
    Ok(ReportView {
        id: row.id,
        number: report_number(row.id),
        status: row.status,
        unit_id: unit.id,
        serial_no: unit.serial_no,
        product_model: product.model,
        customer_id: customer.id,
        customer_name: customer.name,
        org_unit_id: row.org_unit_id,
        description: row.description.unwrap_or_default(),
        contact_name: row.contact_name,
        contact_phone: row.contact_phone,
        preferred_time: row.preferred_time,
        photos,
        order_id: row.order_id,
        reject_reason: row.reject_reason,
        created_at: crate::format_ms(row.created_at),
        version: row.version,
    })
}

async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<fault_report::Model, AppError> {
    let row = fault_report::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, Some(row.customer_id))?;
    Ok(row)
}

/// Pending reports of the actor's branch (all branches for head-office roles), oldest first.
pub async fn list_pending(app: &App, actor: &Actor) -> Result<Vec<ReportView>, AppError> {
    actor.require(Permission::OrderRegister)?;
    let mut query = fault_report::Entity::find()
        .filter(fault_report::Column::Status.eq(STATUS_PENDING))
        .order_by_asc(fault_report::Column::CreatedAt)
        .order_by_asc(fault_report::Column::Id);
    query = actor.scoped(
        query,
        fault_report::Column::OrgUnitId,
        fault_report::Column::CustomerId,
    )?;
    let mut views = Vec::new();
    for row in query.all(&app.db).await? {
        views.push(view(&app.db, row).await?);
    }
    Ok(views)
}

/// One report the actor sees.
pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ReportView, AppError> {
    actor.require(Permission::OrderRegister)?;
    let row = find_visible(&app.db, actor, id).await?;
    view(&app.db, row).await
}

/// A photo of a report the actor sees: metadata and bytes.
pub async fn photo(app: &App, actor: &Actor, id: i64) -> Result<(PhotoView, Vec<u8>), AppError> {
    actor.require(Permission::OrderRegister)?;
    let photo = fault_report_photo::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    find_visible(&app.db, actor, photo.report_id).await?;
    let bytes = crate::files::read(&app.files_dir, &photo.sha256).await?;
    Ok((
        PhotoView {
            id: photo.id,
            file_name: photo.file_name,
            content_type: photo.content_type,
            size_bytes: photo.size_bytes,
        },
        bytes,
    ))
}

/// Moves a pending report of the given version to `status`; 409 when it was handled or
/// changed meanwhile (the conditional update is what serialises two agents).
async fn claim(
    db: &impl ConnectionTrait,
    row: &fault_report::Model,
    version: i32,
    status: &str,
    actor: &Actor,
    now: i64,
    reject_reason: Option<String>,
) -> Result<(), AppError> {
    if row.status != STATUS_PENDING {
        return Err(AppError::conflict("already_handled"));
    }
    if row.version != version {
        return Err(AppError::StaleVersion);
    }
    let updated = fault_report::Entity::update_many()
        .col_expr(fault_report::Column::Status, Expr::value(status))
        .col_expr(fault_report::Column::HandledBy, Expr::value(actor.user_id))
        .col_expr(fault_report::Column::HandledAt, Expr::value(now))
        .col_expr(
            fault_report::Column::RejectReason,
            Expr::value(reject_reason),
        )
        .col_expr(fault_report::Column::Version, Expr::value(version + 1))
        .col_expr(fault_report::Column::UpdatedAt, Expr::value(now))
        .filter(fault_report::Column::Id.eq(row.id))
        .filter(fault_report::Column::Status.eq(STATUS_PENDING))
        .filter(fault_report::Column::Version.eq(version))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::StaleVersion);
    }
    Ok(())
}

/// The address of the visit: where the unit stands, else the customer's default address,
/// else their first one.
async fn visit_address(
    db: &impl ConnectionTrait,
    unit: &unit::Model,
) -> Result<Option<i64>, AppError> {
    if unit.address_id.is_some() {
        return Ok(unit.address_id);
    }
    let addresses = customer_address::Entity::find()
        .filter(customer_address::Column::CustomerId.eq(unit.customer_id))
        .order_by_asc(customer_address::Column::Id)
        .all(db)
        .await?;
    Ok(addresses
        .iter()
        .find(|a| a.is_default)
        .or(addresses.first())
        .map(|a| a.id))
}

/// Registers the report as a call (channel `portal`, received when the customer reported it)
/// and links the order to the report.
///
/// Not one transaction with the order (registering is its own use case with its own
/// transaction), so the steps are made safe to repeat: the report is first claimed
/// (pending → confirmed, by version, so only one agent wins); the order is registered under
/// an idempotency key derived from the report as the claiming agent; then the order is
/// linked. If registering is refused, the claim is undone. If the process stops between the
/// steps, confirming again (any agent) replays the same order and links it.
pub async fn confirm(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ConfirmInput,
) -> Result<ConfirmedView, AppError> {
    actor.require(Permission::OrderRegister)?;
    let row = find_visible(&app.db, actor, id).await?;
    let key = IdempotencyKey::parse(&format!("fault-report-{}", row.id))?;
    let claimer = if row.status == STATUS_CONFIRMED && row.order_id.is_none() {
        // An earlier confirm stopped after its claim: finish it as the agent who claimed it.
        let user_id = row
            .handled_by
            .ok_or(AppError::conflict("already_handled"))?;
        Actor::load(&app.db, user_id)
            .await?
            .ok_or(AppError::conflict("already_handled"))?
    } else {
        let now = app.now_ms();
        let txn = app.write_txn().await?;
        claim(
            &txn,
            &row,
            input.version,
            STATUS_CONFIRMED,
            actor,
            now,
            None,
        )
        .await?;
        txn.commit().await?;
        actor.clone()
    };
    let unit = unit::Entity::find_by_id(row.unit_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut description = row.description.clone().unwrap_or_default();
    description.push_str(&format!(
        "\n报修人 / reported by: {} {}",
        row.contact_name.as_deref().unwrap_or(""),
        row.contact_phone
    ));
    let order_input = OrderInput {
        channel: "portal".into(),
        customer_id: row.customer_id,
        address_id: visit_address(&app.db, &unit).await?,
        unit_id: Some(unit.id),
        product_id: Some(unit.product_id),
        component: input.component.clone(),
        fault_description: description,
        fault_class: input.fault_class.clone(),
        urgency: input.urgency.clone(),
        received_at: Some(crate::format_ms(row.created_at)),
        category: input.category.clone(),
        category_reason: input.category_reason.clone(),
        preferred_time: row.preferred_time.clone(),
        requested_arrival_at: None,
        software_class: input.software_class.clone(),
        software_priority: input.software_priority.clone(),
    };
    let order = match service_orders::register(app, &claimer, &order_input, Some(&key)).await {
        Ok(order) => order,
        Err(err) => {
            // Give the report back to the queue (unless it was already linked elsewhere).
            let now = app.now_ms();
            let txn = app.write_txn().await?;
            fault_report::Entity::update_many()
                .col_expr(fault_report::Column::Status, Expr::value(STATUS_PENDING))
                .col_expr(fault_report::Column::HandledBy, Expr::value(None::<i64>))
                .col_expr(fault_report::Column::HandledAt, Expr::value(None::<i64>))
                .col_expr(
                    fault_report::Column::Version,
                    Expr::col(fault_report::Column::Version).add(1),
                )
                .col_expr(fault_report::Column::UpdatedAt, Expr::value(now))
                .filter(fault_report::Column::Id.eq(row.id))
                .filter(fault_report::Column::Status.eq(STATUS_CONFIRMED))
                .filter(fault_report::Column::OrderId.is_null())
                .exec(&txn)
                .await?;
            txn.commit().await?;
            return Err(err);
        }
    };
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    fault_report::Entity::update_many()
        .col_expr(fault_report::Column::OrderId, Expr::value(order.id))
        .col_expr(fault_report::Column::UpdatedAt, Expr::value(now))
        .filter(fault_report::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    let after = fault_report::Entity::find_by_id(row.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "fault_report",
        row.id,
        "confirm",
        Some(&row),
        Some(&after),
    )
    .await?;
    let report = view(&txn, after).await?;
    txn.commit().await?;
    Ok(ConfirmedView { report, order })
}

/// Rejects a pending report; the reason is required and kept.
pub async fn reject(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &RejectInput,
) -> Result<ReportView, AppError> {
    actor.require(Permission::OrderRegister)?;
    let reason =
        required_text(&input.reason, 500).map_err(|code| AppError::invalid("reason", code))?;
    let row = find_visible(&app.db, actor, id).await?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    claim(
        &txn,
        &row,
        input.version,
        STATUS_REJECTED,
        actor,
        now,
        Some(reason),
    )
    .await?;
    let after = fault_report::Entity::find_by_id(row.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "fault_report",
        row.id,
        "reject",
        Some(&row),
        Some(&after),
    )
    .await?;
    let report = view(&txn, after).await?;
    txn.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_url_safe_and_different() {
        let a = new_code();
        let b = new_code();
        assert_eq!(a.len(), 20);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a, b);
    }

    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(mask_name("王小明"), "王**");
        assert_eq!(mask_name("门户客户有限公司"), "门**");
        assert_eq!(mask_name(""), "");
    }
}
