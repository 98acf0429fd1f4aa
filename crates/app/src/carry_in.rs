//! Carry-in (workshop) repair, CARRYIN-1..6: the numbered goods receipt (客户商品领取收据)
//! issued with the carry-in step, the goods in/out register (客户商品进出登记簿) as a view over
//! the receipts, the repair card (修护卡) with labour and part entries, the workshop list with
//! overdue items, and the return: the receipt is retrieved and voided for good (or, when the
//! customer lost it, a supervisor of the branch approves), and a paid repair tells the
//! branch's accountants to invoice that day. The state changes themselves run inside
//! `service_orders::step`'s transaction; this module supplies the parts.

use aftersales_domain::role::{Permission, Role, Scope};
use aftersales_domain::service_order::{OrderStatus, ServiceCategory};
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{
    customer, goods_receipt, repair_card_entry, service_order, unit, user,
};
use aftersales_store::sea_orm::sea_query::Query;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::timers::{Fire, Job};
use crate::{audit, notifications, numbering, settings, Actor, App, AppError};

pub const ISSUED: &str = "issued";
pub const VOID: &str = "void";
/// The timer that tells the supervisors when a carried-in unit passes its promised date.
pub const OVERDUE_JOB: &str = "carry_in_overdue";
pub const ENTRY_KINDS: &[&str] = &["labour", "part"];

/// What the technician writes on the goods receipt when taking a unit back (CARRYIN-1).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReceiptInput {
    /// The item as handed over, e.g. "KFR-35GW 空调室内机".
    pub item_description: String,
    /// Empty: the order's unit serial number.
    pub serial_no: Option<String>,
    /// Accessories taken with it (remote control, cables…).
    pub accessories: Option<String>,
    /// Visible condition (scratches, missing screws…).
    pub condition: Option<String>,
    /// The date the customer is promised the unit back (YYYY-MM-DD), today or later.
    pub promised_date: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReceiptView {
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub order_number: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub item_description: String,
    pub serial_no: Option<String>,
    pub accessories: Option<String>,
    pub condition: Option<String>,
    pub promised_date: String,
    /// issued or void.
    pub status: String,
    pub issued_at: String,
    pub issued_by: String,
    pub technician: Option<String>,
    /// The return date, entered in the goods register.
    pub returned_at: Option<String>,
    pub voided_at: Option<String>,
    pub voided_by: Option<String>,
    /// The customer lost the receipt; `lost_approved_by` is the supervisor who approved.
    pub lost: bool,
    pub lost_approved_by: Option<String>,
}

/// One line of the goods in/out register (CARRYIN-1, CARRYIN-5).
pub type RegisterRow = ReceiptView;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkshopItem {
    pub order_id: i64,
    pub order_number: String,
    pub receipt_number: String,
    pub customer_name: String,
    pub item_description: String,
    pub technician: Option<String>,
    /// The order's status: carried_in, in_repair, waiting_parts, repaired, inspected…
    pub status: String,
    pub issued_at: String,
    /// Whole days since the unit came in (local calendar days).
    pub age_days: i64,
    pub promised_date: String,
    /// The promised date has passed (the supervisor is told once, REPAIR-5).
    pub overdue: bool,
}

/// A repair-card line as typed (CARRYIN-2).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EntryInput {
    /// labour or part.
    pub kind: String,
    /// For labour: who worked; empty: the acting technician (or the order's technician).
    pub technician_id: Option<i64>,
    /// For labour: minutes worked (1–1440).
    pub minutes: Option<i64>,
    /// For parts (free text until the spare-parts module lands).
    pub part_number: Option<String>,
    pub part_name: Option<String>,
    /// For parts; empty: 1.
    pub quantity: Option<i64>,
    pub part_serial: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub id: i64,
    pub kind: String,
    pub technician_id: Option<i64>,
    pub technician: Option<String>,
    pub minutes: Option<i64>,
    pub part_number: Option<String>,
    pub part_name: Option<String>,
    pub quantity: Option<i64>,
    pub part_serial: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub created_by: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RepairCardView {
    pub order_id: i64,
    pub order_number: String,
    pub receipt_number: Option<String>,
    pub item_description: Option<String>,
    pub serial_no: Option<String>,
    pub technician: Option<String>,
    pub entries: Vec<EntryView>,
    pub total_minutes: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct RegisterFilter {
    /// Taken in on or after this date (YYYY-MM-DD, Asia/Shanghai).
    pub from: Option<String>,
    /// Taken in on or before this date.
    pub to: Option<String>,
}

fn zone() -> jiff::tz::TimeZone {
    crate::clock::default_zone()
}

fn day_start_ms(day: Date) -> Result<i64, AppError> {
    day.to_zoned(zone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))
}

fn text(
    value: Option<&str>,
    field: &str,
    max: usize,
    errors: &mut ValidationErrors,
) -> Option<String> {
    errors.check(field, optional_text(value, max)).flatten()
}

/// Issues the goods receipt for `order` in the carry-in step's transaction. Missing facts
/// answer 422 naming `receipt.item_description` and `receipt.promised_date`.
pub(crate) async fn issue(
    db: &impl ConnectionTrait,
    actor: &Actor,
    order: &service_order::Model,
    input: Option<&ReceiptInput>,
    today: Date,
    now_ms: i64,
) -> Result<goods_receipt::Model, AppError> {
    let empty = ReceiptInput::default();
    let input = input.unwrap_or(&empty);
    let mut errors = ValidationErrors::new();
    let item = errors.check(
        "receipt.item_description",
        required_text(&input.item_description, 200),
    );
    let promised = match input.promised_date.trim() {
        "" => {
            errors.add("receipt.promised_date", "required");
            None
        }
        text => match aftersales_domain::validation::date(text) {
            Ok(day) if day < today => {
                errors.add("receipt.promised_date", "in_past");
                None
            }
            Ok(day) => Some(day),
            Err(code) => {
                errors.add("receipt.promised_date", code);
                None
            }
        },
    };
    let serial = text(
        input.serial_no.as_deref(),
        "receipt.serial_no",
        100,
        &mut errors,
    );
    let accessories = text(
        input.accessories.as_deref(),
        "receipt.accessories",
        1000,
        &mut errors,
    );
    let condition = text(
        input.condition.as_deref(),
        "receipt.condition",
        1000,
        &mut errors,
    );
    let (Some(item), Some(promised)) = (item, promised) else {
        return Err(errors.into());
    };
    errors.into_result(())?;
    let serial = match serial {
        Some(serial) => Some(serial),
        None => match order.unit_id {
            Some(unit_id) => unit::Entity::find_by_id(unit_id)
                .one(db)
                .await?
                .map(|u| u.serial_no),
            None => None,
        },
    };
    let branch = crate::org::find_unit(db, order.org_unit_id).await?;
    let pattern = settings::get_pattern(db, "goods_receipt.number_pattern").await?;
    let number = numbering::next_number(db, &pattern, today, &branch.code).await?;
    let row = goods_receipt::ActiveModel {
        number: Set(number),
        order_id: Set(order.id),
        org_unit_id: Set(order.org_unit_id),
        item_description: Set(item),
        serial_no: Set(serial),
        accessories: Set(accessories),
        condition: Set(condition),
        promised_date: Set(promised.to_string()),
        status: Set(ISSUED.to_string()),
        issued_at: Set(now_ms),
        issued_by: Set(actor.user_id),
        returned_at: Set(None),
        voided_at: Set(None),
        voided_by: Set(None),
        lost: Set(false),
        lost_approved_by: Set(None),
        overdue_notified_at: Set(None),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        now_ms,
        Some(actor),
        "goods_receipt",
        row.id,
        "issue",
        None::<&()>,
        Some(&row),
    )
    .await?;
    // The day after the promised date, an item still held is reported to the supervisors.
    let due = day_start_ms(promised.saturating_add(jiff::Span::new().days(1)))?;
    crate::timers::schedule(
        db,
        OVERDUE_JOB,
        "goods_receipt",
        row.id,
        Some(&format!("{OVERDUE_JOB}:{}", row.id)),
        due,
        None,
        now_ms,
    )
    .await?;
    Ok(row)
}

/// How the receipt comes back on return (CARRYIN-5).
pub(crate) struct ReturnFacts {
    /// The original receipt was retrieved.
    pub receipt_returned: bool,
    /// The customer lost it: the supervisor of the branch who approved, after checking the
    /// customer's identity.
    pub lost_receipt_approved_by: Option<i64>,
}

/// Voids the order's receipt and records the return date, in the return step's transaction.
/// A void receipt can never be used again (409 `receipt_void`). A paid (category A) repair
/// tells the branch's accountants to invoice today (CARRYIN-6).
pub(crate) async fn on_return(
    db: &impl ConnectionTrait,
    actor: &Actor,
    order: &service_order::Model,
    facts: &ReturnFacts,
    now_ms: i64,
) -> Result<Option<goods_receipt::Model>, AppError> {
    crate::loaners::ensure_back(db, order).await?;
    let receipt = goods_receipt::Entity::find()
        .filter(goods_receipt::Column::OrderId.eq(order.id))
        .one(db)
        .await?;
    let after = match receipt {
        // Orders carried in before receipts existed have none to void.
        None => None,
        Some(receipt) => {
            if receipt.status == VOID {
                return Err(AppError::field_conflict("receipt_void", "receipt_returned"));
            }
            let approver = if facts.receipt_returned {
                None
            } else if let Some(approver) = facts.lost_receipt_approved_by {
                let supervisors = notifications::users_with_role(
                    db,
                    Role::ServiceSupervisor,
                    Some(order.org_unit_id),
                )
                .await?;
                if !supervisors.contains(&approver) {
                    return Err(AppError::invalid(
                        "lost_receipt_approved_by",
                        "not_a_supervisor",
                    ));
                }
                Some(approver)
            } else {
                return Err(AppError::invalid("receipt_returned", "required"));
            };
            let mut active: goods_receipt::ActiveModel = receipt.clone().into();
            active.status = Set(VOID.to_string());
            active.returned_at = Set(Some(now_ms));
            active.voided_at = Set(Some(now_ms));
            active.voided_by = Set(Some(actor.user_id));
            active.lost = Set(approver.is_some());
            active.lost_approved_by = Set(approver);
            active.version = Set(receipt.version + 1);
            let after = crate::org::versioned_update(
                db,
                active,
                goods_receipt::Column::Version,
                receipt.version,
            )
            .await?;
            audit::record(
                db,
                now_ms,
                Some(actor),
                "goods_receipt",
                after.id,
                "void",
                Some(&receipt),
                Some(&after),
            )
            .await?;
            crate::timers::cancel(db, OVERDUE_JOB, "goods_receipt", after.id).await?;
            Some(after)
        }
    };
    if order.category == ServiceCategory::A.as_str() {
        let accountants =
            notifications::users_with_role(db, Role::Accountant, Some(order.org_unit_id)).await?;
        let message = notifications::Message {
            kind: "invoice_due",
            link: Some(format!("/invoices/new?order_id={}", order.id)),
            zh: (
                format!("今日开票：服务凭证 {}", order.number),
                "有费带回维修已交还客户，请依据服务凭证于今日开具发票。".to_string(),
            ),
            en: (
                format!("Invoice due today: service order {}", order.number),
                "A paid carry-in repair was returned to the customer; raise the invoice from the voucher today."
                    .to_string(),
            ),
        };
        notifications::notify(db, now_ms, &accountants, &message).await?;
    }
    Ok(after)
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

async fn receipt_view(
    db: &impl ConnectionTrait,
    row: goods_receipt::Model,
    order: &service_order::Model,
) -> Result<ReceiptView, AppError> {
    let customer = customer::Entity::find_by_id(order.customer_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ReceiptView {
        id: row.id,
        number: row.number,
        order_id: order.id,
        order_number: order.number.clone(),
        customer_name: customer.name,
        customer_phone: customer.phone,
        item_description: row.item_description,
        serial_no: row.serial_no,
        accessories: row.accessories,
        condition: row.condition,
        promised_date: row.promised_date,
        status: row.status,
        issued_at: crate::format_ms(row.issued_at),
        issued_by: user_name(db, Some(row.issued_by))
            .await?
            .unwrap_or_default(),
        technician: user_name(db, order.technician_id).await?,
        returned_at: row.returned_at.map(crate::format_ms),
        voided_at: row.voided_at.map(crate::format_ms),
        voided_by: user_name(db, row.voided_by).await?,
        lost: row.lost,
        lost_approved_by: user_name(db, row.lost_approved_by).await?,
    })
}

/// The goods receipt of an order (404 when it has none).
pub async fn receipt(app: &App, actor: &Actor, order_id: i64) -> Result<ReceiptView, AppError> {
    actor.require(Permission::OrderRead)?;
    let order = crate::service_orders::find_visible(&app.db, actor, order_id).await?;
    let row = goods_receipt::Entity::find()
        .filter(goods_receipt::Column::OrderId.eq(order.id))
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    receipt_view(&app.db, row, &order).await
}

/// Receipts the actor sees, restricted to their scope, oldest first.
async fn visible_receipts(
    app: &App,
    actor: &Actor,
    mut query: aftersales_store::sea_orm::Select<goods_receipt::Entity>,
) -> Result<Vec<(goods_receipt::Model, service_order::Model)>, AppError> {
    query = match actor.scope() {
        Scope::AllBranches => query,
        Scope::Branch(own) => query.filter(goods_receipt::Column::OrgUnitId.eq(own)),
        Scope::Customer(own) => query.filter(
            goods_receipt::Column::OrderId.in_subquery(
                Query::select()
                    .column(service_order::Column::Id)
                    .from(service_order::Entity)
                    .and_where(service_order::Column::CustomerId.eq(own))
                    .to_owned(),
            ),
        ),
        Scope::Nothing => return Err(AppError::Forbidden),
    };
    let rows = query
        .order_by_asc(goods_receipt::Column::IssuedAt)
        .order_by_asc(goods_receipt::Column::Id)
        .all(&app.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(order) = service_order::Entity::find_by_id(row.order_id)
            .one(&app.db)
            .await?
        {
            out.push((row, order));
        }
    }
    Ok(out)
}

/// The goods in/out register: every receipt taken in within the dates, with its return date.
pub async fn goods_register(
    app: &App,
    actor: &Actor,
    filter: &RegisterFilter,
) -> Result<Vec<RegisterRow>, AppError> {
    actor.require(Permission::OrderRead)?;
    let mut query = goods_receipt::Entity::find();
    if let Some(from) = filter.from.as_deref().filter(|d| !d.trim().is_empty()) {
        let day = aftersales_domain::validation::date(from)
            .map_err(|code| AppError::invalid("from", code))?;
        query = query.filter(goods_receipt::Column::IssuedAt.gte(day_start_ms(day)?));
    }
    if let Some(to) = filter.to.as_deref().filter(|d| !d.trim().is_empty()) {
        let day = aftersales_domain::validation::date(to)
            .map_err(|code| AppError::invalid("to", code))?;
        let next = day.saturating_add(jiff::Span::new().days(1));
        query = query.filter(goods_receipt::Column::IssuedAt.lt(day_start_ms(next)?));
    }
    let mut out = Vec::new();
    for (row, order) in visible_receipts(app, actor, query).await? {
        out.push(receipt_view(&app.db, row, &order).await?);
    }
    Ok(out)
}

/// Every carried-in unit not yet returned, oldest first, with its age and whether it is
/// overdue (CARRYIN-3).
pub async fn list_workshop(app: &App, actor: &Actor) -> Result<Vec<WorkshopItem>, AppError> {
    actor.require(Permission::OrderRead)?;
    let today = app.today();
    let query = goods_receipt::Entity::find().filter(goods_receipt::Column::Status.eq(ISSUED));
    let mut out = Vec::new();
    for (row, order) in visible_receipts(app, actor, query).await? {
        // An issued receipt means the unit is here, whatever step its repair is at.
        let held = OrderStatus::parse(&order.status)
            .is_some_and(|s| !s.is_final() && s != OrderStatus::Returned);
        if !held {
            continue;
        }
        let customer_name = customer::Entity::find_by_id(order.customer_id)
            .one(&app.db)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        let age_days = crate::clock::local_date(row.issued_at)
            .map_or(0, |day| i64::from((today - day).get_days()));
        let overdue = row
            .promised_date
            .parse::<Date>()
            .is_ok_and(|promised| today > promised);
        out.push(WorkshopItem {
            order_id: order.id,
            order_number: order.number.clone(),
            receipt_number: row.number,
            customer_name,
            item_description: row.item_description,
            technician: user_name(&app.db, order.technician_id).await?,
            status: order.status,
            issued_at: crate::format_ms(row.issued_at),
            age_days,
            promised_date: row.promised_date,
            overdue,
        });
    }
    Ok(out)
}

fn entry_view(row: repair_card_entry::Model, names: &[user::Model]) -> EntryView {
    let name = |id: Option<i64>| {
        id.and_then(|id| names.iter().find(|u| u.id == id))
            .map(|u| u.display_name.clone())
    };
    EntryView {
        id: row.id,
        kind: row.kind,
        technician_id: row.technician_id,
        technician: name(row.technician_id),
        minutes: row.minutes,
        part_number: row.part_number,
        part_name: row.part_name,
        quantity: row.quantity,
        part_serial: row.part_serial,
        note: row.note,
        created_at: crate::format_ms(row.created_at),
        created_by: name(Some(row.created_by)).unwrap_or_default(),
    }
}

/// The repair card of an order: its receipt facts and every entry, oldest first.
pub async fn repair_card(
    app: &App,
    actor: &Actor,
    order_id: i64,
) -> Result<RepairCardView, AppError> {
    actor.require(Permission::OrderRead)?;
    let order = crate::service_orders::find_visible(&app.db, actor, order_id).await?;
    let receipt = goods_receipt::Entity::find()
        .filter(goods_receipt::Column::OrderId.eq(order.id))
        .one(&app.db)
        .await?;
    let rows = repair_card_entry::Entity::find()
        .filter(repair_card_entry::Column::OrderId.eq(order.id))
        .order_by_asc(repair_card_entry::Column::Id)
        .all(&app.db)
        .await?;
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.technician_id, Some(r.created_by)])
        .flatten()
        .collect();
    let names = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(&app.db)
        .await?;
    let total_minutes = rows.iter().filter_map(|r| r.minutes).sum();
    Ok(RepairCardView {
        order_id: order.id,
        order_number: order.number.clone(),
        receipt_number: receipt.as_ref().map(|r| r.number.clone()),
        item_description: receipt.as_ref().map(|r| r.item_description.clone()),
        serial_no: receipt.and_then(|r| r.serial_no),
        technician: user_name(&app.db, order.technician_id).await?,
        entries: rows.into_iter().map(|r| entry_view(r, &names)).collect(),
        total_minutes,
    })
}

/// Adds a labour or part line to the repair card while the order is in repair. Technicians
/// write on their own orders; supervisors on any of their branch.
pub async fn add_entry(
    app: &App,
    actor: &Actor,
    order_id: i64,
    input: &EntryInput,
) -> Result<EntryView, AppError> {
    actor.require(Permission::OrderWork)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let order = crate::service_orders::find_visible(&txn, actor, order_id).await?;
    if order.status != OrderStatus::InRepair.as_str() {
        return Err(AppError::Conflict {
            code: "not_in_repair",
            field: Some("status"),
            detail: Some(format!("the order is {}", order.status)),
        });
    }
    // A technician writes on their own orders only; supervisors may write for them.
    if !actor.can(Permission::OrderDispatch) && order.technician_id != Some(actor.user_id) {
        return Err(AppError::Forbidden);
    }
    let mut errors = ValidationErrors::new();
    let note = text(input.note.as_deref(), "note", 1000, &mut errors);
    let mut row = repair_card_entry::ActiveModel {
        order_id: Set(order.id),
        kind: Set(input.kind.clone()),
        technician_id: Set(None),
        minutes: Set(None),
        part_number: Set(None),
        part_name: Set(None),
        quantity: Set(None),
        part_serial: Set(None),
        note: Set(note),
        created_at: Set(now),
        created_by: Set(actor.user_id),
        ..Default::default()
    };
    match input.kind.as_str() {
        "labour" => {
            match input.minutes {
                Some(minutes) if (1..=1440).contains(&minutes) => row.minutes = Set(Some(minutes)),
                Some(_) => errors.add("minutes", "out_of_range"),
                None => errors.add("minutes", "required"),
            }
            let technician = input
                .technician_id
                .or(if actor.roles.contains(&Role::Technician) {
                    Some(actor.user_id)
                } else {
                    order.technician_id
                });
            if let Some(id) = technician {
                if user::Entity::find_by_id(id).one(&txn).await?.is_none() {
                    errors.add("technician_id", "not_found");
                }
            }
            row.technician_id = Set(technician);
        }
        "part" => {
            let name = required_text(input.part_name.as_deref().unwrap_or(""), 200);
            if let Some(name) = errors.check("part_name", name) {
                row.part_name = Set(Some(name));
            }
            row.part_number = Set(text(
                input.part_number.as_deref(),
                "part_number",
                100,
                &mut errors,
            ));
            row.part_serial = Set(text(
                input.part_serial.as_deref(),
                "part_serial",
                100,
                &mut errors,
            ));
            match input.quantity.unwrap_or(1) {
                quantity if (1..=9999).contains(&quantity) => row.quantity = Set(Some(quantity)),
                _ => errors.add("quantity", "out_of_range"),
            }
        }
        _ => errors.add("kind", "invalid_choice"),
    }
    errors.into_result(())?;
    let row = row.insert(&txn).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "repair_card_entry",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let names = user::Entity::find()
        .filter(
            user::Column::Id.is_in(
                [Some(row.created_by), row.technician_id]
                    .into_iter()
                    .flatten(),
            ),
        )
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(entry_view(row, &names))
}

/// The day after the promised date, a unit still held is reported to the branch's
/// supervisors, once (CARRYIN-3 → REPAIR-5).
pub struct OverdueJob;

#[async_trait::async_trait]
impl Job for OverdueJob {
    fn name(&self) -> &'static str {
        OVERDUE_JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(receipt) = goods_receipt::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        if receipt.status != ISSUED || receipt.overdue_notified_at.is_some() {
            return Ok(());
        }
        let Some(order) = service_order::Entity::find_by_id(receipt.order_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        let supervisors = notifications::users_with_role(
            fire.txn,
            Role::ServiceSupervisor,
            Some(receipt.org_unit_id),
        )
        .await?;
        let message = notifications::Message {
            kind: "carry_in_overdue",
            link: Some(format!("/service-orders/{}", order.id)),
            zh: (
                format!("带回维修逾期：{}", order.number),
                format!(
                    "收据{}（{}）承诺{}交还，仍未修复交还，请协助处理。",
                    receipt.number, receipt.item_description, receipt.promised_date
                ),
            ),
            en: (
                format!("Carry-in repair overdue: {}", order.number),
                format!(
                    "Receipt {} ({}) was promised back by {} and is still held; please help.",
                    receipt.number, receipt.item_description, receipt.promised_date
                ),
            ),
        };
        notifications::notify(fire.txn, fire.now_ms, &supervisors, &message).await?;
        let mut active: goods_receipt::ActiveModel = receipt.into();
        active.overdue_notified_at = Set(Some(fire.now_ms));
        active.update(fire.txn).await?;
        Ok(())
    }
}

/// A supervisor who may approve returning an item without its receipt.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Approver {
    pub id: i64,
    pub name: String,
}

/// The supervisors of the order's branch, for the lost-receipt approval on return.
pub async fn approvers(app: &App, actor: &Actor, order_id: i64) -> Result<Vec<Approver>, AppError> {
    actor.require(Permission::OrderRead)?;
    let order = crate::service_orders::find_visible(&app.db, actor, order_id).await?;
    let ids =
        notifications::users_with_role(&app.db, Role::ServiceSupervisor, Some(order.org_unit_id))
            .await?;
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .order_by_asc(user::Column::Id)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|u| Approver {
            id: u.id,
            name: u.display_name,
        })
        .collect())
}
