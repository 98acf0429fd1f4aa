//! Home deliveries (送货服务, DELIVERY-1..5). The office plans a delivery of a sold unit with
//! the agreed window and place and a driver; the driver works it from the phone through the
//! one state machine in `domain::delivery`: the pre-call checklist before leaving, a
//! reschedule with its reason and an apology to the customer, arrival, the unboxing
//! inspection with the conduct checklist and the customer's drawn signature (签收). A unit
//! defective on unboxing is taken back and a replacement delivery is planned in the same
//! step, so the loop repeats until the customer accepts; QA is told (design decision).

use aftersales_domain::delivery::{
    conduct_missing, delivery_events, delivery_proposed, late_notice, next_delivery_status,
    pre_call_missing, window_valid, Conduct, DeliveryEvent, DeliveryStatus, PreCall,
};
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{delivery, delivery_event, unit, user};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::idempotency::{self, IdempotencyKey};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::{audit, notifications, numbering, settings, Actor, App, AppError};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DeliveryInput {
    /// The sold unit to deliver.
    pub unit_id: i64,
    /// Where to deliver, as agreed with the customer.
    pub place: String,
    /// The agreed window (RFC 3339).
    pub window_start: String,
    pub window_end: String,
    /// The driver (delivery staff) of the unit's branch.
    pub driver_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DeliveryStepInput {
    pub version: i32,
    /// pre_call: each item confirmed by phone, or `unreachable` with a note.
    #[serde(default)]
    pub address_confirmed: bool,
    #[serde(default)]
    pub name_confirmed: bool,
    #[serde(default)]
    pub time_confirmed: bool,
    #[serde(default)]
    pub model_confirmed: bool,
    #[serde(default)]
    pub unreachable: bool,
    /// pre_call (when unreachable), customer_absent, cancel: what happened.
    pub note: Option<String>,
    /// reschedule: why, and the new window (RFC 3339).
    pub reason: Option<String>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    /// sign_off: the conduct checklist.
    #[serde(default)]
    pub greeting: bool,
    #[serde(default)]
    pub shoe_covers: bool,
    #[serde(default)]
    pub placed_as_asked: bool,
    #[serde(default)]
    pub no_dragging: bool,
    /// sign_off: the customer's signature drawn on the screen, a PNG as base64.
    pub signature_png: Option<String>,
    /// defective: what is wrong; the replacement's window goes in window_start/window_end.
    pub defect_note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryEventView {
    pub at: String,
    pub actor: Option<String>,
    pub event: String,
    pub from_status: String,
    pub to_status: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub customer_phone: String,
    pub unit_id: i64,
    pub serial_no: String,
    pub product: String,
    /// DELIVERY-1: the product is bulky or the purchase reaches `delivery.min_order_amount`.
    pub proposed: bool,
    pub place: String,
    pub window_start: String,
    pub window_end: String,
    pub driver_id: Option<i64>,
    pub driver: Option<String>,
    pub status: String,
    pub pre_call_at: Option<String>,
    pub pre_call_unreachable: bool,
    pub signed_off_at: Option<String>,
    pub signature_attachment_id: Option<i64>,
    pub defect_note: Option<String>,
    /// The delivery this one replaces (its unit was defective on unboxing).
    pub replaces_id: Option<i64>,
    pub replacement_id: Option<i64>,
    pub reschedules: i32,
    /// Reschedules announced after the window had started (lateness without prior contact).
    pub late_notices: i32,
    pub next_events: Vec<String>,
    pub version: i32,
    /// The timeline, oldest first (only on the detail view).
    pub events: Vec<DeliveryEventView>,
}

fn parse_instant(field: &'static str, text: &str) -> Result<Timestamp, AppError> {
    text.trim()
        .parse::<Timestamp>()
        .map_err(|_| AppError::invalid(field, "invalid_instant"))
}

fn window(start: Option<&str>, end: Option<&str>) -> Result<(i64, i64), AppError> {
    let mut errors = ValidationErrors::new();
    let start = match start.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => errors.check(
            "window_start",
            parse_instant("window_start", text).map_err(|_| "invalid_instant"),
        ),
        None => errors.check("window_start", Err("required")),
    };
    let end = match end.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => errors.check(
            "window_end",
            parse_instant("window_end", text).map_err(|_| "invalid_instant"),
        ),
        None => errors.check("window_end", Err("required")),
    };
    match (start, end) {
        (Some(start), Some(end)) => {
            let (start, end) = (start.as_millisecond(), end.as_millisecond());
            if window_valid(start, end) {
                Ok((start, end))
            } else {
                Err(AppError::invalid("window_end", "before_start"))
            }
        }
        _ => Err(errors.into()),
    }
}

async fn view(
    db: &impl ConnectionTrait,
    row: delivery::Model,
    with_events: bool,
) -> Result<DeliveryView, AppError> {
    let (customer, unit, product) =
        crate::units::with_owner(db, row.customer_id, row.unit_id).await?;
    let driver = match row.driver_id {
        Some(id) => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.display_name),
        None => None,
    };
    let min_amount = settings::get_count(db, "delivery.min_order_amount").await?;
    let events = if with_events {
        delivery_event::Entity::find()
            .filter(delivery_event::Column::DeliveryId.eq(row.id))
            .order_by_asc(delivery_event::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|e| DeliveryEventView {
                at: crate::format_ms(e.at),
                actor: e.actor_name,
                event: e.event,
                from_status: e.from_status,
                to_status: e.to_status,
                note: e.note,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(DeliveryView {
        id: row.id,
        number: row.number,
        org_unit_id: row.org_unit_id,
        customer_id: row.customer_id,
        customer_name: customer.name,
        customer_phone: customer.phone,
        unit_id: row.unit_id,
        serial_no: unit.serial_no,
        product: format!("{} {}", product.model, product.name),
        proposed: delivery_proposed(product.bulky, unit.paid_price_fen, min_amount),
        place: row.place,
        window_start: crate::format_ms(row.window_start_at),
        window_end: crate::format_ms(row.window_end_at),
        driver_id: row.driver_id,
        driver,
        next_events: DeliveryStatus::parse(&row.status)
            .map(delivery_events)
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.as_str().to_string())
            .collect(),
        status: row.status,
        pre_call_at: row.pre_call_at.map(crate::format_ms),
        pre_call_unreachable: row.pre_call_unreachable,
        signed_off_at: row.signed_off_at.map(crate::format_ms),
        signature_attachment_id: row.signature_attachment_id,
        defect_note: row.defect_note,
        replaces_id: row.replaces_id,
        replacement_id: row.replacement_id,
        reschedules: row.reschedules,
        late_notices: row.late_notices,
        version: row.version,
        events,
    })
}

pub(crate) async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<delivery::Model, AppError> {
    let row = delivery::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, Some(row.customer_id))?;
    Ok(row)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<DeliveryView, AppError> {
    actor.require(Permission::DeliveryRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    view(&app.db, row, true).await
}

/// The driver must work in the unit's branch and do deliveries.
async fn check_driver(
    db: &impl ConnectionTrait,
    driver_id: i64,
    org_unit_id: i64,
) -> Result<(), AppError> {
    let drivers = notifications::users_with_role(db, Role::Technician, Some(org_unit_id)).await?;
    if drivers.contains(&driver_id) {
        Ok(())
    } else {
        Err(AppError::invalid("driver_id", "not_a_driver"))
    }
}

#[expect(clippy::too_many_arguments)]
async fn insert_delivery(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: i64,
    today: jiff::civil::Date,
    unit: &unit::Model,
    place: String,
    (window_start, window_end): (i64, i64),
    driver_id: Option<i64>,
    replaces_id: Option<i64>,
) -> Result<delivery::Model, AppError> {
    let branch = crate::org::find_unit(db, unit.org_unit_id).await?;
    let pattern = settings::get_pattern(db, "delivery.number_pattern").await?;
    let number = numbering::next_number(db, &pattern, today, &branch.code).await?;
    let row = delivery::ActiveModel {
        number: Set(number),
        org_unit_id: Set(unit.org_unit_id),
        customer_id: Set(unit.customer_id),
        unit_id: Set(unit.id),
        place: Set(place),
        window_start_at: Set(window_start),
        window_end_at: Set(window_end),
        driver_id: Set(driver_id),
        status: Set(DeliveryStatus::Planned.as_str().into()),
        pre_call_unreachable: Set(false),
        replaces_id: Set(replaces_id),
        reschedules: Set(0),
        late_notices: Set(0),
        created_by: Set(actor.user_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    timeline(
        db,
        actor,
        now,
        row.id,
        "plan",
        "",
        DeliveryStatus::Planned.as_str(),
        replaces_id.map(|id| format!("replacement for delivery #{id}")),
    )
    .await?;
    Ok(row)
}

#[expect(clippy::too_many_arguments)]
async fn timeline(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: i64,
    delivery_id: i64,
    event: &str,
    from: &str,
    to: &str,
    note: Option<String>,
) -> Result<(), AppError> {
    delivery_event::ActiveModel {
        delivery_id: Set(delivery_id),
        event: Set(event.into()),
        from_status: Set(from.into()),
        to_status: Set(to.into()),
        note: Set(note),
        actor_name: Set(Some(actor.display_name.clone())),
        actor_id: Set(Some(actor.user_id)),
        at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Plans a delivery of a sold unit (DELIVERY-1).
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &DeliveryInput,
    key: Option<&IdempotencyKey>,
) -> Result<DeliveryView, AppError> {
    actor.require(Permission::DeliveryWrite)?;
    if let Some(id) = idempotency::replayed(app, actor, key, "delivery").await? {
        return get(app, actor, id).await;
    }
    let place =
        required_text(&input.place, 300).map_err(|code| AppError::invalid("place", code))?;
    let slot = window(Some(&input.window_start), Some(&input.window_end))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let unit = crate::units::find_visible(&txn, actor, input.unit_id)
        .await
        .map_err(|_| AppError::invalid("unit_id", "not_found"))?;
    if let Some(driver) = input.driver_id {
        check_driver(&txn, driver, unit.org_unit_id).await?;
    }
    let row = insert_delivery(
        &txn,
        actor,
        now,
        app.today(),
        &unit,
        place,
        slot,
        input.driver_id,
        None,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "delivery",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    idempotency::remember(&txn, actor, key, "delivery", row.id, now).await?;
    let result = view(&txn, row, true).await?;
    txn.commit().await?;
    Ok(result)
}

/// One step of the state machine. The driver works their own deliveries; the office
/// (`DeliveryWrite`) may step any visible one.
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    event: DeliveryEvent,
    input: &DeliveryStepInput,
) -> Result<DeliveryView, AppError> {
    match event {
        DeliveryEvent::Cancel => actor.require(Permission::DeliveryWrite)?,
        DeliveryEvent::Reschedule if actor.can(Permission::DeliveryWrite) => {}
        _ => actor.require(Permission::DeliveryWork)?,
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    let from = DeliveryStatus::parse(&before.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("delivery {id} status")))?;
    let to = next_delivery_status(from, event).map_err(|err| AppError::Conflict {
        code: "invalid_transition",
        field: Some("status"),
        detail: Some(err.to_string()),
    })?;
    if !actor.can(Permission::DeliveryWrite) && before.driver_id != Some(actor.user_id) {
        return Err(AppError::Forbidden);
    }
    let note = optional_text(input.note.as_deref(), 1000)
        .map_err(|code| AppError::invalid("note", code))?;
    let mut active: delivery::ActiveModel = before.clone().into();
    let mut timeline_note = note.clone();
    match event {
        DeliveryEvent::PreCall => {
            let call = PreCall {
                address: input.address_confirmed,
                name: input.name_confirmed,
                time: input.time_confirmed,
                model: input.model_confirmed,
                unreachable: input.unreachable,
            };
            let mut errors = ValidationErrors::new();
            for field in pre_call_missing(&call) {
                errors.add(field, "not_confirmed");
            }
            if input.unreachable && note.is_none() {
                errors.add("note", "required");
            }
            if !errors.is_empty() {
                return Err(errors.into());
            }
            active.pre_call_at = Set(Some(now));
            active.pre_call_unreachable = Set(input.unreachable);
            active.pre_call_note = Set(note.clone());
            if input.unreachable {
                timeline_note = Some(format!(
                    "客户无法联系 / unreachable: {}",
                    note.unwrap_or_default()
                ));
            }
        }
        DeliveryEvent::Reschedule => {
            let reason = required_text(input.reason.as_deref().unwrap_or(""), 500)
                .map_err(|code| AppError::invalid("reason", code))?;
            let (start, end) = window(input.window_start.as_deref(), input.window_end.as_deref())?;
            let late = late_notice(now, before.window_start_at);
            active.window_start_at = Set(start);
            active.window_end_at = Set(end);
            active.reschedules = Set(before.reschedules + 1);
            active.pre_call_at = Set(None);
            active.pre_call_unreachable = Set(false);
            if late {
                active.late_notices = Set(before.late_notices + 1);
            }
            let new_window = format!(
                "{} – {}",
                crate::format_local(start),
                crate::format_local(end)
            );
            timeline_note = Some(format!(
                "{reason}；已致歉，新时间 {new_window}{}",
                if late {
                    "（窗口开始后才通知：迟到）"
                } else {
                    ""
                }
            ));
            apologise(&txn, now, &before, &reason, &new_window, late).await?;
        }
        DeliveryEvent::Depart => active.departed_at = Set(Some(now)),
        DeliveryEvent::Arrive => active.arrived_at = Set(Some(now)),
        DeliveryEvent::CustomerAbsent | DeliveryEvent::Cancel => {
            if note.is_none() {
                return Err(AppError::invalid("note", "required"));
            }
        }
        DeliveryEvent::SignOff => {
            let conduct = Conduct {
                greeting: input.greeting,
                shoe_covers: input.shoe_covers,
                placed_as_asked: input.placed_as_asked,
                no_dragging: input.no_dragging,
            };
            let mut errors = ValidationErrors::new();
            for field in conduct_missing(&conduct) {
                errors.add(field, "required");
            }
            let signature = match input
                .signature_png
                .as_deref()
                .filter(|s| !s.trim().is_empty())
            {
                Some(text) => Some(crate::service_orders::decode_signature(text)?),
                None => {
                    errors.add("signature_png", "required");
                    None
                }
            };
            if !errors.is_empty() {
                return Err(errors.into());
            }
            if let Some(bytes) = signature {
                let attachment = crate::attachments::store(
                    app,
                    &txn,
                    actor,
                    "delivery",
                    id,
                    &format!("signature-{}.png", before.number),
                    "image/png",
                    &bytes,
                )
                .await?;
                active.signature_attachment_id = Set(Some(attachment.id));
            }
            active.signed_off_at = Set(Some(now));
        }
        DeliveryEvent::Defective => {
            let defect = required_text(input.defect_note.as_deref().unwrap_or(""), 1000)
                .map_err(|code| AppError::invalid("defect_note", code))?;
            let slot = window(input.window_start.as_deref(), input.window_end.as_deref())?;
            let unit = unit::Entity::find_by_id(before.unit_id)
                .one(&txn)
                .await?
                .ok_or(AppError::NotFound)?;
            let replacement = insert_delivery(
                &txn,
                actor,
                now,
                app.today(),
                &unit,
                before.place.clone(),
                slot,
                before.driver_id,
                Some(before.id),
            )
            .await?;
            active.defect_note = Set(Some(defect.clone()));
            active.replacement_id = Set(Some(replacement.id));
            timeline_note = Some(format!(
                "{defect}；已收回，退库；换货送货单 {}",
                replacement.number
            ));
            tell_qa(&txn, now, &before, &defect).await?;
        }
    }
    active.status = Set(to.as_str().into());
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, delivery::Column::Version, input.version).await?;
    timeline(
        &txn,
        actor,
        now,
        id,
        event.as_str(),
        from.as_str(),
        to.as_str(),
        timeline_note,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "delivery",
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

/// DELIVERY-3: the customer's portal users get the apology with the new window (in-app and
/// by e-mail through the outbox); a late notice also tells the branch's supervisors.
async fn apologise(
    db: &impl ConnectionTrait,
    now: i64,
    row: &delivery::Model,
    reason: &str,
    new_window: &str,
    late: bool,
) -> Result<(), AppError> {
    let customers: Vec<i64> = user::Entity::find()
        .filter(user::Column::CustomerId.eq(row.customer_id))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    notifications::notify(
        db,
        now,
        &customers,
        &notifications::Message {
            kind: "delivery_apology",
            link: None,
            zh: (
                format!("送货时间变更：{}", row.number),
                format!("非常抱歉，因{reason}，您的送货改为 {new_window}。"),
            ),
            en: (
                format!("New delivery time: {}", row.number),
                format!("We are sorry: because of {reason}, your delivery is now {new_window}."),
            ),
        },
    )
    .await?;
    if late {
        let supervisors =
            notifications::users_with_role(db, Role::ServiceSupervisor, Some(row.org_unit_id))
                .await?;
        notifications::notify(
            db,
            now,
            &supervisors,
            &notifications::Message {
                kind: "delivery_late",
                link: Some(format!("/deliveries/{}", row.id)),
                zh: (
                    format!("送货迟到：{}", row.number),
                    format!("送货时间窗口开始后才通知客户改期（{reason}）。"),
                ),
                en: (
                    format!("Late delivery: {}", row.number),
                    format!("The customer was told of the new time only after the window began ({reason})."),
                ),
            },
        )
        .await?;
    }
    Ok(())
}

/// DELIVERY-5: a unit defective on unboxing is quality feedback for QA (design decision).
async fn tell_qa(
    db: &impl ConnectionTrait,
    now: i64,
    row: &delivery::Model,
    defect: &str,
) -> Result<(), AppError> {
    let qa = notifications::users_with_role(db, Role::Qa, None).await?;
    notifications::notify(
        db,
        now,
        &qa,
        &notifications::Message {
            kind: "delivery_defective",
            link: Some(format!("/deliveries/{}", row.id)),
            zh: (
                format!("开箱残次品：{}", row.number),
                format!("开箱验机发现问题：{defect}"),
            ),
            en: (
                format!("Defective on unboxing: {}", row.number),
                format!("Found at the unboxing inspection: {defect}"),
            ),
        },
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct DeliveryFilter {
    pub status: Option<String>,
    /// true: only the caller's own deliveries (the driver's list).
    pub mine: Option<bool>,
}

/// Deliveries the actor sees, by window start.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &DeliveryFilter,
    page: PageRequest,
) -> Result<Page<DeliveryView>, AppError> {
    actor.require(Permission::DeliveryRead)?;
    let mut query = delivery::Entity::find();
    query = actor.scoped(
        query,
        delivery::Column::OrgUnitId,
        delivery::Column::CustomerId,
    )?;
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(delivery::Column::Status.eq(status));
    }
    if filter.mine == Some(true) {
        query = query.filter(delivery::Column::DriverId.eq(actor.user_id));
    }
    let paginator = query
        .order_by_asc(delivery::Column::WindowStartAt)
        .order_by_asc(delivery::Column::Id)
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
