//! Service orders (服务凭证): registering a call in the call register (叫修登记簿), the
//! category proposal, dispatch to a qualified technician and every later step of the one
//! state machine in `domain::service_order`. Each step is one transaction with its timeline
//! event and audit record; concurrent steps on one order are serialised by its version.

use std::collections::HashMap;

use aftersales_domain::role::{Permission, Role};
use aftersales_domain::service_order::{
    accepts_lateness_notice, check_category_override, check_dispatch, needs_priority, next_status,
    pages_development_leads, propose_category, quote_allowed, repeat_of, software_queue_key,
    CategoryFacts, EarlierRepair, FaultClass, OrderEvent, OrderStatus, Position, ServiceCategory,
    SoftwareClass, SoftwarePriority, TechnicianFacts, CONDUCT_ITEMS,
};
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{
    customer, customer_address, district, org_unit, product, qualification, service_order,
    service_order_event, unit, user,
};
use aftersales_store::relation::{join_parent_columns, with_parent, ChildWithParent};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    ModelTrait, QueryFilter, QueryOrder, QueryResult, QuerySelect, Select, Set,
};
use aftersales_store::SqlText;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::idempotency::{self, IdempotencyKey};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::reference::{self, Versioned};
use crate::{audit, settings, Actor, App, AppError};

/// Channels a call can come in by (INTAKE-1).
pub const CHANNELS: &[&str] = &[
    "phone", "email", "portal", "letter", "walk_in", "chat", "hotline", "api",
];
pub const URGENCIES: &[&str] = &["normal", "urgent"];

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OrderInput {
    /// phone, email, portal, letter, walk_in, chat, hotline or api.
    pub channel: String,
    pub customer_id: i64,
    pub address_id: Option<i64>,
    /// The unit, when its serial number is known.
    pub unit_id: Option<i64>,
    /// The model, when the unit is not known.
    pub product_id: Option<i64>,
    /// The faulty component, if the customer can tell; its own warranty decides the category.
    pub component: Option<String>,
    pub fault_description: String,
    /// hardware, software, operator_error or other.
    pub fault_class: String,
    /// normal or urgent.
    pub urgency: String,
    /// When the customer called (RFC 3339); now when empty. The arrival clock starts here.
    pub received_at: Option<String>,
    /// a, b, c or d; empty: the proposed category. Another category needs a reason.
    pub category: Option<String>,
    pub category_reason: Option<String>,
    /// The customer's preferred visit time, as they said it.
    pub preferred_time: Option<String>,
    /// The time the customer requires the technician on site by (RFC 3339): the arrival
    /// deadline (DISPATCH-4); a later time than the SLA's is recorded as customer-requested.
    pub requested_arrival_at: Option<String>,
    /// For software faults (SOFTWARE-1): bug, requirement, other or consultation.
    pub software_class: Option<String>,
    /// For software faults (SOFTWARE-2): p1 (most urgent) to p4; p3 when empty.
    pub software_priority: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    /// The version read; a stale version answers 409.
    pub version: i32,
    /// For dispatch and reassign.
    pub technician_id: Option<i64>,
    /// For record_contact: the agreed appointment (RFC 3339).
    pub appointment_at: Option<String>,
    /// Work done, inspection findings, cancellation reason…
    pub note: Option<String>,
    /// For complete_on_site: the customer's signature drawn on the screen, a PNG as base64
    /// (a `data:image/png;base64,` prefix is accepted).
    pub signature_png: Option<String>,
    /// For complete_on_site without a signature: why (customer absent or refused). The
    /// supervisor is alerted (REPAIR-3).
    pub no_signature_reason: Option<String>,
    /// For carry_in: the goods receipt (客户商品领取收据) handed to the customer (CARRYIN-1).
    pub receipt: Option<crate::carry_in::ReceiptInput>,
    /// For return_to_customer: the original receipt was retrieved and is voided.
    pub receipt_returned: Option<bool>,
    /// For return_to_customer when the customer lost the receipt: the branch supervisor who
    /// approved after checking the customer's identity (CARRYIN-5).
    pub lost_receipt_approved_by: Option<i64>,
    /// For complete_on_site with a paid total: `cash` (collected on site, up to the
    /// `billing.onsite_cash_limit` setting) or `invoice` (the accountants invoice today).
    pub payment: Option<String>,
    /// For complete_on_site: the conduct checklist items (REPAIR-6) the customer answered "no"
    /// to (property_untouched, premises_protected, careful_handling, waste_removed); an empty
    /// list: all confirmed; absent: not asked. A "no" alerts the supervisors and the customer
    /// department.
    pub conduct_exceptions: Option<Vec<String>>,
}

/// The bytes of a signature PNG sent as base64, checked to be a PNG.
pub(crate) fn decode_signature(text: &str) -> Result<Vec<u8>, AppError> {
    use base64::Engine;
    let data = text
        .trim()
        .strip_prefix("data:image/png;base64,")
        .unwrap_or(text.trim());
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| AppError::invalid("signature_png", "invalid_signature"))?;
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(AppError::invalid("signature_png", "invalid_signature"));
    }
    Ok(bytes)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderEventView {
    pub at: String,
    pub actor: String,
    pub event: String,
    pub from_status: String,
    pub to_status: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub channel: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub customer_phone: String,
    pub address: Option<String>,
    /// urban or suburban, from the address's district.
    pub zone: Option<String>,
    pub unit_id: Option<i64>,
    pub serial_no: Option<String>,
    pub product_id: Option<i64>,
    pub product: Option<String>,
    pub component: Option<String>,
    pub fault_description: Option<String>,
    pub fault_class: String,
    pub urgency: String,
    pub category: String,
    pub proposed_category: String,
    pub category_reason: Option<String>,
    pub status: String,
    /// Not dispatched on the day it was received: dispatch first.
    pub priority: bool,
    pub technician_id: Option<i64>,
    pub technician: Option<String>,
    pub repeat_of_id: Option<i64>,
    pub preferred_time: Option<String>,
    /// The time the customer requires the technician on site by (DISPATCH-4).
    pub requested_arrival_at: Option<String>,
    pub received_at: String,
    pub dispatched_at: Option<String>,
    pub contacted_at: Option<String>,
    pub appointment_at: Option<String>,
    pub arrived_at: Option<String>,
    pub completed_at: Option<String>,
    pub returned_at: Option<String>,
    pub archived_at: Option<String>,
    /// When the price schedule was shown to the customer (REPAIR-2).
    pub price_schedule_shown_at: Option<String>,
    /// cash or invoice: how the paid total was settled on completion.
    pub payment_method: Option<String>,
    pub payment_fen: Option<i64>,
    /// Cash collected on site that no accountant has confirmed receiving yet.
    pub cash_awaiting_handover: bool,
    /// While the order waits (customer, parts, a quote's answer): where work resumes.
    pub resume_status: Option<String>,
    /// Software faults: bug, requirement, other or consultation (SOFTWARE-1).
    pub software_class: Option<String>,
    /// Software faults: p1 to p4 (SOFTWARE-2).
    pub software_priority: Option<String>,
    /// The out-of-warranty quote (BILLING-2): amount, when issued and when accepted.
    pub quote_fen: Option<i64>,
    pub quote_issued_at: Option<String>,
    pub quote_accepted_at: Option<String>,
    /// Conduct checklist items (REPAIR-6) the customer answered "no" to, comma-separated;
    /// empty: all confirmed; absent: not asked.
    pub conduct_exceptions: Option<String>,
    /// Steps possible now, for the buttons a page offers.
    pub next_events: Vec<String>,
    /// The technician may still send a lateness notice (DISPATCH-5).
    pub accepts_lateness_notice: bool,
    pub version: i32,
    /// The timeline, oldest first (only on the detail view).
    pub events: Vec<OrderEventView>,
    /// The SLA clocks: first contact, arrival, completion (only on the detail view).
    pub clocks: Vec<crate::sla_clocks::ClockView>,
}

fn parse_instant(field: &str, text: &str) -> Result<Timestamp, AppError> {
    text.trim()
        .parse::<Timestamp>()
        .map_err(|_| AppError::invalid(field, "invalid_instant"))
}

struct ValidOrder {
    channel: String,
    fault_description: String,
    fault_class: FaultClass,
    urgency: String,
    component: Option<String>,
    preferred_time: Option<String>,
    requested_category: Option<ServiceCategory>,
    category_reason: Option<String>,
    /// Class and priority, for software faults only.
    software: Option<(SoftwareClass, SoftwarePriority)>,
}

/// A software fault needs its class; its priority defaults to P3. Other faults have neither.
fn software_of(
    errors: &mut ValidationErrors,
    fault_class: Option<FaultClass>,
    input: &OrderInput,
) -> Option<Option<(SoftwareClass, SoftwarePriority)>> {
    if fault_class != Some(FaultClass::Software) {
        return Some(None);
    }
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_lowercase)
    };
    let class = errors.check(
        "software_class",
        match text(&input.software_class) {
            Some(code) => SoftwareClass::parse(&code).ok_or("invalid_choice"),
            None => Err("required"),
        },
    );
    let priority = errors.check(
        "software_priority",
        match text(&input.software_priority) {
            Some(code) => SoftwarePriority::parse(&code).ok_or("invalid_choice"),
            None => Ok(SoftwarePriority::P3),
        },
    );
    Some(Some((class?, priority?)))
}

fn validate(input: &OrderInput) -> Result<ValidOrder, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if !CHANNELS.contains(&input.channel.as_str()) {
        errors.add("channel", "invalid_choice");
    }
    if !URGENCIES.contains(&input.urgency.as_str()) {
        errors.add("urgency", "invalid_choice");
    }
    let fault_description = errors.check(
        "fault_description",
        required_text(&input.fault_description, 2000),
    );
    let fault_class = errors.check(
        "fault_class",
        FaultClass::parse(&input.fault_class).ok_or("invalid_choice"),
    );
    let component = errors.check("component", optional_text(input.component.as_deref(), 50));
    let preferred_time = errors.check(
        "preferred_time",
        optional_text(input.preferred_time.as_deref(), 100),
    );
    let category_reason = errors.check(
        "category_reason",
        optional_text(input.category_reason.as_deref(), 500),
    );
    let requested_category = match input
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => errors.check(
            "category",
            ServiceCategory::parse(&code.to_lowercase())
                .map(Some)
                .ok_or("invalid_choice"),
        ),
        None => Some(None),
    };
    if input.unit_id.is_none() && input.product_id.is_none() {
        errors.add("product_id", "required");
    }
    let software = software_of(&mut errors, fault_class, input);
    match (
        fault_description,
        fault_class,
        component,
        preferred_time,
        category_reason,
        requested_category,
        software,
    ) {
        (
            Some(fault_description),
            Some(fault_class),
            Some(component),
            Some(preferred_time),
            Some(category_reason),
            Some(requested_category),
            Some(software),
        ) if errors.is_empty() => Ok(ValidOrder {
            channel: input.channel.clone(),
            fault_description,
            fault_class,
            urgency: input.urgency.clone(),
            component,
            preferred_time,
            requested_category,
            category_reason,
            software,
        }),
        _ => Err(errors),
    }
}

/// Registers a call (INTAKE-2/3): the order gets its number, its proposed category from the
/// unit's warranty and contracts on the call date, and a repeat-repair link when the same
/// unit had the same kind of fault repaired within the window.
pub async fn register(
    app: &App,
    actor: &Actor,
    input: &OrderInput,
    key: Option<&IdempotencyKey>,
) -> Result<OrderView, AppError> {
    actor.require(Permission::OrderRegister)?;
    if let Some(id) = idempotency::replayed(app, actor, key, "service_order").await? {
        return get(app, actor, id).await;
    }
    let valid = validate(input)?;
    let now = app.clock.now();
    let received_at = match input
        .received_at
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        Some(text) => {
            let at = parse_instant("received_at", text)?;
            if at > now {
                return Err(AppError::invalid("received_at", "in_future"));
            }
            at
        }
        None => now,
    };
    let requested_arrival_at = match input
        .requested_arrival_at
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        Some(text) => {
            let at = parse_instant("requested_arrival_at", text)?;
            if at <= received_at {
                return Err(AppError::invalid("requested_arrival_at", "before_call"));
            }
            Some(at.as_millisecond())
        }
        None => None,
    };
    // The texts of the registration's reads are built once: it is the most frequent write.
    static CUSTOMER: SqlText = SqlText::new();
    static UNIT: SqlText = SqlText::new();
    static EARLIER_REPAIRS: SqlText = SqlText::new();
    let backend = app.db.get_database_backend();
    // Everything the registration reads is read before its write transaction, on the main
    // pool: writers queue for SQLite's one write lock, so the lock is held only for the
    // writes themselves. A stale read here is harmless: the warranty view and the repeat
    // check are proposals, and the foreign keys refuse a customer, unit or product that went.
    // The customer comes with its branch and the reference data's counter: the settings and
    // the product's components below are then read from memory.
    let statement = CUSTOMER.statement(backend, vec![input.customer_id.into()], || {
        reference::with_version(with_parent::<customer::Entity, org_unit::Entity>(
            customer::Entity::find_by_id(input.customer_id),
            customer::Column::OrgUnitId,
            org_unit::Column::Id,
        ))
    });
    let (
        Versioned {
            row: customer,
            version,
        },
        branch,
    ) = ChildWithParent::<Versioned<customer::Model>, org_unit::Model>::find_by_statement(
        statement,
    )
    .one(&app.db)
    .await?
    .and_then(|ChildWithParent(customer, branch)| Some((customer, branch?)))
    .filter(|(customer, _)| {
        actor
            .ensure_sees(customer.row.org_unit_id, Some(customer.row.id))
            .is_ok()
    })
    .ok_or_else(|| AppError::invalid("customer_id", "not_found"))?;
    let reference = app.reference.snapshot_at(&app.db, version).await?;
    let mut errors = ValidationErrors::new();
    let address = match input.address_id {
        Some(address_id) => {
            let address = with_parent::<customer_address::Entity, district::Entity>(
                customer_address::Entity::find_by_id(address_id),
                customer_address::Column::DistrictId,
                district::Column::Id,
            )
            .one(&app.db)
            .await?
            .filter(|(a, _)| a.customer_id == customer.id);
            if address.is_none() {
                errors.add("address_id", "not_customers_address");
            }
            address
        }
        None => None,
    };
    // The unit comes with its model: one query for both.
    let unit = match input.unit_id {
        Some(unit_id) => {
            let statement = UNIT.statement(backend, vec![unit_id.into()], || {
                with_parent::<unit::Entity, product::Entity>(
                    unit::Entity::find_by_id(unit_id),
                    unit::Column::ProductId,
                    product::Column::Id,
                )
            });
            let unit = ChildWithParent::<unit::Model, product::Model>::find_by_statement(statement)
                .one(&app.db)
                .await?
                .map(Into::into)
                .filter(|(u, _)| u.customer_id == customer.id);
            if unit.is_none() {
                errors.add("unit_id", "not_customers_unit");
            }
            unit
        }
        None => None,
    };
    let (unit, product) = match (unit, input.product_id) {
        (Some((unit, product)), _) => (Some(unit), product),
        (None, Some(id)) => (None, product::Entity::find_by_id(id).one(&app.db).await?),
        (None, None) => (None, None),
    };
    let product_id = product.as_ref().map(|p| p.id);
    if product.is_none() && unit.is_none() {
        errors.add("product_id", "not_found");
    }
    errors.into_result(())?;
    let call_day = received_at.to_zoned(crate::clock::default_zone()).date();
    let proposed = match (&unit, &product) {
        (Some(unit), Some(product)) => {
            let components = reference.components_of(product.id);
            let (warranty, contract) =
                crate::units::terms(&app.db, unit, product, components, call_day).await?;
            let component = valid
                .component
                .as_deref()
                .and_then(|name| warranty.components.iter().find(|c| c.name == name));
            let under_warranty =
                component.map_or(warranty.unit.under_warranty, |c| c.status.under_warranty);
            propose_category(CategoryFacts {
                under_warranty: Some(under_warranty),
                contract_covers: contract.is_some(),
            })
        }
        _ => propose_category(CategoryFacts {
            under_warranty: None,
            contract_covers: false,
        }),
    };
    let category = valid.requested_category.unwrap_or(proposed);
    check_category_override(proposed, category, valid.category_reason.as_deref())
        .map_err(|code| AppError::invalid("category_reason", code))?;
    let [window, pattern] =
        reference.settings(["repair.repeat_window_days", "service_order.number_pattern"])?;
    let repeat_of_id = match &unit {
        Some(unit) => {
            let window = settings::as_count("repair.repeat_window_days", &window)?;
            let statement = EARLIER_REPAIRS.statement(backend, vec![unit.id.into()], || {
                service_order::Entity::find()
                    .select_only()
                    .columns([
                        service_order::Column::Id,
                        service_order::Column::FaultClass,
                        service_order::Column::CompletedAt,
                    ])
                    .filter(service_order::Column::UnitId.eq(unit.id))
                    .filter(service_order::Column::CompletedAt.is_not_null())
            });
            let earlier: Vec<EarlierRepair> = CompletedRepair::find_by_statement(statement)
                .all(&app.db)
                .await?
                .into_iter()
                .filter_map(|repair| {
                    Some(EarlierRepair {
                        order_id: repair.id,
                        fault_class: FaultClass::parse(&repair.fault_class)?,
                        completed_on: crate::clock::local_date(repair.completed_at)?,
                    })
                })
                .collect();
            repeat_of(&earlier, valid.fault_class, call_day, window)
        }
        None => None,
    };
    let pattern = settings::as_pattern("service_order.number_pattern", &pattern)?;
    let calendar = reference.calendar_of(
        None,
        customer.calendar_code.as_deref(),
        Some(customer.org_unit_id),
    )?;
    let page_development_leads = valid.software.is_some_and(|(_, priority)| {
        pages_development_leads(priority, &valid.urgency, calendar.is_working(now))
    });
    let now_ms = now.as_millisecond();
    let order = service_order::ActiveModel {
        org_unit_id: Set(customer.org_unit_id),
        channel: Set(valid.channel),
        customer_id: Set(customer.id),
        address_id: Set(input.address_id),
        unit_id: Set(unit.as_ref().map(|u| u.id)),
        product_id: Set(product_id),
        component: Set(valid.component),
        fault_description: Set(Some(valid.fault_description)),
        fault_class: Set(valid.fault_class.as_str().to_string()),
        urgency: Set(valid.urgency),
        category: Set(category.as_str().to_string()),
        proposed_category: Set(proposed.as_str().to_string()),
        category_reason: Set(if category == proposed {
            None
        } else {
            valid.category_reason
        }),
        status: Set(OrderStatus::Registered.as_str().to_string()),
        priority: Set(false),
        technician_id: Set(None),
        repeat_of_id: Set(repeat_of_id),
        preferred_time: Set(valid.preferred_time),
        requested_arrival_at: Set(requested_arrival_at),
        software_class: Set(valid.software.map(|(class, _)| class.as_str().to_string())),
        software_priority: Set(valid
            .software
            .map(|(_, priority)| priority.as_str().to_string())),
        received_at: Set(received_at.as_millisecond()),
        registered_by: Set(actor.user_id),
        version: Set(1),
        created_at: Set(now_ms),
        updated_at: Set(now_ms),
        ..Default::default()
    };
    let row = app
        .write_registration(crate::intake::Registration {
            order,
            pattern,
            call_day,
            branch_code: branch.code,
            actor: actor.clone(),
            key: key.cloned(),
            page_development_leads,
            now,
        })
        .await?;
    // The answer reuses what was read above.
    let related = Related {
        addresses: address
            .map(|(address, district)| (address.id, address_text(&address, district.as_ref())))
            .into_iter()
            .collect(),
        serial_nos: unit.map(|u| (u.id, u.serial_no)).into_iter().collect(),
        products: product
            .map(|p| (p.id, product_label(&p)))
            .into_iter()
            .collect(),
        customers: HashMap::from([(customer.id, customer)]),
        technicians: HashMap::new(),
    };
    assemble(row, &related, now)
}

pub(crate) async fn record_event(
    db: &impl ConnectionTrait,
    order_id: i64,
    at: i64,
    actor: &Actor,
    event: &str,
    from: &str,
    to: &str,
    note: Option<String>,
) -> Result<(), AppError> {
    event_row(order_id, at, Some(actor), event, from, to, note)
        .insert(db)
        .await?;
    Ok(())
}

/// A timeline event nobody in particular caused (the SLA watch noting a breach).
pub(crate) async fn record_system_event(
    db: &impl ConnectionTrait,
    order: &service_order::Model,
    at: i64,
    event: &str,
    note: Option<String>,
) -> Result<(), AppError> {
    event_row(
        order.id,
        at,
        None,
        event,
        &order.status,
        &order.status,
        note,
    )
    .insert(db)
    .await?;
    Ok(())
}

/// A row of an order's timeline; `actor` is None for what the system did by itself.
pub(crate) fn event_row(
    order_id: i64,
    at: i64,
    actor: Option<&Actor>,
    event: &str,
    from: &str,
    to: &str,
    note: Option<String>,
) -> service_order_event::ActiveModel {
    service_order_event::ActiveModel {
        order_id: Set(order_id),
        at: Set(at),
        actor_id: Set(actor.map(|a| a.user_id)),
        event: Set(event.to_string()),
        from_status: Set(from.to_string()),
        to_status: Set(to.to_string()),
        note: Set(note),
        ..Default::default()
    }
}

/// Pages the development leads about an urgent software issue registered outside the working
/// hours of its calendar (SOFTWARE-4, [`pages_development_leads`]), and logs the contact on
/// the call's timeline.
pub(crate) async fn page_development_leads(
    db: &impl ConnectionTrait,
    order: &service_order::Model,
    now: Timestamp,
) -> Result<(), AppError> {
    let leads = crate::notifications::users_with_role(db, Role::DevelopmentLead, None).await?;
    let message = crate::notifications::Message {
        kind: "software_urgent_page",
        link: Some(format!("/service-orders/{}", order.id)),
        zh: (
            format!("非工作时间紧急软件问题：{}", order.number),
            order.fault_description.clone().unwrap_or_default(),
        ),
        en: (
            format!("Urgent software issue out of hours: {}", order.number),
            order.fault_description.clone().unwrap_or_default(),
        ),
    };
    crate::notifications::notify(db, now.as_millisecond(), &leads, &message).await?;
    record_system_event(
        db,
        order,
        now.as_millisecond(),
        "page_responsible",
        Some(format!("{} development lead(s) paged", leads.len())),
    )
    .await
}

/// How the customer acknowledged the work on completion, or signed a quote.
enum Signature {
    Drawn(Vec<u8>),
    Refused(String),
    Quote(Vec<u8>),
}

/// A completion without the customer's signature alerts the branch's supervisors.
async fn alert_supervisors(
    db: &impl ConnectionTrait,
    now: i64,
    order: &service_order::Model,
    reason: &str,
) -> Result<(), AppError> {
    tell_supervisors(
        db,
        now,
        order,
        "order_unsigned",
        (
            format!("服务凭证 {} 未经客户签字完工", order.number),
            format!("原因：{reason}"),
        ),
        (
            format!(
                "Service order {} completed without the customer's signature",
                order.number
            ),
            format!("Reason: {reason}"),
        ),
    )
    .await
}

/// Where a stored order stands in the state machine.
fn position_of(order: &service_order::Model) -> Result<Position, AppError> {
    let status = OrderStatus::parse(&order.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored status {}", order.status)))?;
    Ok(Position {
        status,
        resume_to: order.resume_status.as_deref().and_then(OrderStatus::parse),
    })
}

/// Completing on site reports to the supervisor before the technician leaves (REPAIR-4, C.1
/// "supervisor told"); conduct items the customer did not confirm (REPAIR-6) become a
/// complaint against the order and its technician, and the supervisors and the customer
/// department are told.
async fn report_completion(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    at: Timestamp,
    order: &service_order::Model,
    work_done: &str,
) -> Result<(), AppError> {
    let now = at.as_millisecond();
    tell_supervisors(
        db,
        now,
        order,
        "order_completed",
        (
            format!("服务凭证 {} 已完工，技术员报告后离场", order.number),
            work_done.to_string(),
        ),
        (
            format!(
                "Service order {} completed; the technician reports before leaving",
                order.number
            ),
            work_done.to_string(),
        ),
    )
    .await?;
    let Some(exceptions) = order
        .conduct_exceptions
        .as_deref()
        .filter(|e| !e.is_empty())
    else {
        return Ok(());
    };
    let mut told =
        crate::notifications::users_with_role(db, Role::ServiceSupervisor, Some(order.org_unit_id))
            .await?;
    told.extend(crate::notifications::users_with_role(db, Role::CustomerDepartment, None).await?);
    let message = crate::notifications::Message {
        kind: "conduct_exception",
        link: Some(format!("/service-orders/{}", order.id)),
        zh: (
            format!("服务凭证 {} 客户未确认服务规范", order.number),
            format!("未确认项：{exceptions}"),
        ),
        en: (
            format!(
                "Service order {}: the customer did not confirm the conduct rules",
                order.number
            ),
            format!("Not confirmed: {exceptions}"),
        ),
    };
    crate::notifications::notify(db, now, &told, &message).await?;
    let complaint = crate::complaints::RegisterInput {
        channel: "visit".to_string(),
        complaint_type: "staff_negligence".to_string(),
        subject_kind: "service_order".to_string(),
        org_unit_id: Some(order.org_unit_id),
        customer_id: Some(order.customer_id),
        order_id: Some(order.id),
        staff_id: order.technician_id,
        content: format!(
            "完工时客户未确认服务规范 / conduct rules not confirmed on completion ({}): {exceptions}",
            order.number
        ),
        ..Default::default()
    };
    crate::complaints::register_in(app, db, actor, &complaint, at).await?;
    Ok(())
}

/// Who may take each step: any one of these permissions.
fn permissions_for(event: OrderEvent) -> &'static [Permission] {
    use OrderEvent as E;
    match event {
        E::Dispatch | E::Reassign | E::PassInspection | E::FailInspection | E::Cancel => {
            &[Permission::OrderDispatch]
        }
        E::RecordContact
        | E::CheckIn
        | E::CompleteOnSite
        | E::CarryIn
        | E::StartRepair
        | E::IssueQuote
        | E::AwaitCustomer
        | E::AwaitParts
        | E::Resume
        | E::FinishRepair => &[Permission::OrderWork],
        // On site the technician records the customer's signed answer; in the portal the
        // customer answers.
        E::AcceptQuote | E::DeclineQuote => &[Permission::OrderWork, Permission::QuoteConfirm],
        E::ReturnToCustomer | E::Archive => &[Permission::OrderRegister],
    }
}

/// Tells the branch's supervisors something about an order (REPAIR-3/4/6).
async fn tell_supervisors(
    db: &impl ConnectionTrait,
    now: i64,
    order: &service_order::Model,
    kind: &'static str,
    zh: (String, String),
    en: (String, String),
) -> Result<(), AppError> {
    let supervisors =
        crate::notifications::users_with_role(db, Role::ServiceSupervisor, Some(order.org_unit_id))
            .await?;
    let message = crate::notifications::Message {
        kind,
        link: Some(format!("/service-orders/{}", order.id)),
        zh,
        en,
    };
    crate::notifications::notify(db, now, &supervisors, &message).await?;
    Ok(())
}

/// The conduct checklist answers (REPAIR-6), checked against the known items.
fn conduct_exceptions(items: Option<&[String]>) -> Result<Option<String>, AppError> {
    let Some(items) = items else {
        return Ok(None);
    };
    if let Some(unknown) = items.iter().find(|i| !CONDUCT_ITEMS.contains(&i.as_str())) {
        return Err(AppError::invalid(
            "conduct_exceptions",
            if unknown.is_empty() {
                "required"
            } else {
                "invalid_choice"
            },
        ));
    }
    let mut answered: Vec<&str> = CONDUCT_ITEMS
        .iter()
        .copied()
        .filter(|item| items.iter().any(|i| i == item))
        .collect();
    answered.dedup();
    Ok(Some(answered.join(",")))
}

async fn technician_facts(
    db: &impl ConnectionTrait,
    technician_id: i64,
) -> Result<TechnicianFacts, AppError> {
    let Some(person) = user::Entity::find_by_id(technician_id).one(db).await? else {
        return Err(AppError::invalid("technician_id", "not_found"));
    };
    let roles = Actor::load(db, technician_id)
        .await?
        .map(|a| a.roles)
        .unwrap_or_default();
    let certificates = qualification::Entity::find()
        .filter(qualification::Column::UserId.eq(technician_id))
        .filter(qualification::Column::Kind.eq("certificate"))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|q| {
            Some((
                q.product_category?,
                q.expires_on.and_then(|d| d.parse().ok()),
            ))
        })
        .collect();
    Ok(TechnicianFacts {
        active: person.active,
        is_technician: roles.contains(&Role::Technician),
        branch_id: person.org_unit_id,
        certificates,
    })
}

/// Takes one step of the state machine. Refusals: 409 `invalid_transition` (with the
/// current status), 409 `stale` when someone else changed the order first, 422 for a
/// technician who may not take the order (with the reason as the code).
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    event: OrderEvent,
    input: &StepInput,
) -> Result<OrderView, AppError> {
    let allowed = permissions_for(event);
    if !allowed.iter().any(|p| actor.can(*p)) {
        return Err(AppError::Forbidden);
    }
    // The portal customer answers quotes on its own orders (its scope limits what it sees).
    let as_customer = !actor.can(Permission::OrderWork) && actor.can(Permission::QuoteConfirm);
    let now = app.clock.now().as_millisecond();
    let txn = app.write_txn().await?;
    let order = find_visible(&txn, actor, id).await?;
    // A technician works on their own orders only; supervisors may act for them.
    if allowed.contains(&Permission::OrderWork)
        && !as_customer
        && !actor.can(Permission::OrderDispatch)
        && order.technician_id != Some(actor.user_id)
    {
        return Err(AppError::Forbidden);
    }
    let from = position_of(&order)?;
    let to = next_status(from, event).map_err(|err| AppError::Conflict {
        code: "invalid_transition",
        field: Some("status"),
        detail: Some(err.to_string()),
    })?;
    let from = from.status;
    let note = optional_text(input.note.as_deref(), 2000)
        .map_err(|code| AppError::invalid("note", code))?;
    let mut active: service_order::ActiveModel = order.clone().into();
    let mut signed = None;
    match event {
        OrderEvent::Dispatch | OrderEvent::Reassign => {
            let technician_id = input
                .technician_id
                .ok_or_else(|| AppError::invalid("technician_id", "required"))?;
            if event == OrderEvent::Reassign && order.technician_id == Some(technician_id) {
                return Err(AppError::invalid("technician_id", "same_technician"));
            }
            let category = match order.product_id {
                Some(product_id) => product::Entity::find_by_id(product_id)
                    .one(&txn)
                    .await?
                    .map(|p| p.category)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let facts = technician_facts(&txn, technician_id).await?;
            check_dispatch(&facts, order.org_unit_id, &category, app.today())
                .map_err(|refusal| AppError::invalid("technician_id", refusal.code()))?;
            active.technician_id = Set(Some(technician_id));
            active.dispatched_at = Set(Some(now));
            active.priority = Set(false);
        }
        OrderEvent::RecordContact => {
            let appointment = match input
                .appointment_at
                .as_deref()
                .filter(|t| !t.trim().is_empty())
            {
                Some(text) => Some(parse_instant("appointment_at", text)?.as_millisecond()),
                None => None,
            };
            active.contacted_at = Set(Some(now));
            active.appointment_at = Set(appointment);
        }
        OrderEvent::CheckIn => active.arrived_at = Set(Some(now)),
        OrderEvent::CompleteOnSite => {
            if note.is_none() {
                return Err(AppError::invalid("note", "required"));
            }
            let reason = optional_text(input.no_signature_reason.as_deref(), 500)
                .map_err(|code| AppError::invalid("no_signature_reason", code))?;
            signed = match (
                input
                    .signature_png
                    .as_deref()
                    .filter(|s| !s.trim().is_empty()),
                reason,
            ) {
                (Some(text), _) => Some(Signature::Drawn(decode_signature(text)?)),
                (None, Some(reason)) => Some(Signature::Refused(reason)),
                (None, None) => return Err(AppError::invalid("signature_png", "required")),
            };
            crate::billing::on_complete(
                app,
                &txn,
                &order,
                input.payment.as_deref(),
                now,
                &mut active,
            )
            .await?;
            active.conduct_exceptions =
                Set(conduct_exceptions(input.conduct_exceptions.as_deref())?);
            active.completed_at = Set(Some(now));
        }
        OrderEvent::FailInspection
        | OrderEvent::Cancel
        | OrderEvent::AwaitCustomer
        | OrderEvent::AwaitParts
            if note.is_none() =>
        {
            return Err(AppError::invalid("note", "required"))
        }
        OrderEvent::IssueQuote => {
            let category = ServiceCategory::parse(&order.category).unwrap_or(ServiceCategory::D);
            if !quote_allowed(category) {
                return Err(AppError::invalid("category", "quote_not_applicable"));
            }
            let payable = crate::billing::charges_of(&txn, order.id)
                .await?
                .payable_fen;
            if payable == 0 {
                return Err(AppError::invalid("charges", "quote_empty"));
            }
            active.quote_fen = Set(Some(payable));
            active.quote_issued_at = Set(Some(now));
            active.quote_accepted_at = Set(None);
        }
        OrderEvent::AcceptQuote => {
            // On site the customer signs the quote on the technician's phone; in the portal
            // the signed-in customer's click is the confirmation.
            if !as_customer {
                let text = input
                    .signature_png
                    .as_deref()
                    .filter(|s| !s.trim().is_empty())
                    .ok_or_else(|| AppError::invalid("signature_png", "required"))?;
                signed = Some(Signature::Quote(decode_signature(text)?));
            }
            active.quote_accepted_at = Set(Some(now));
        }
        OrderEvent::FinishRepair => {
            crate::billing::check_quote(&txn, &order).await?;
        }
        OrderEvent::Cancel => active.cancelled_at = Set(Some(now)),
        OrderEvent::ReturnToCustomer => {
            let facts = crate::carry_in::ReturnFacts {
                receipt_returned: input.receipt_returned == Some(true),
                lost_receipt_approved_by: input.lost_receipt_approved_by,
            };
            crate::carry_in::on_return(&txn, actor, &order, &facts, now).await?;
            active.returned_at = Set(Some(now));
            active.completed_at = Set(Some(order.completed_at.unwrap_or(now)));
        }
        OrderEvent::Archive => active.archived_at = Set(Some(now)),
        OrderEvent::CarryIn => {
            crate::carry_in::issue(
                &txn,
                actor,
                &order,
                input.receipt.as_ref(),
                app.today(),
                now,
            )
            .await?;
        }
        OrderEvent::StartRepair
        | OrderEvent::PassInspection
        | OrderEvent::FailInspection
        | OrderEvent::DeclineQuote
        | OrderEvent::AwaitCustomer
        | OrderEvent::AwaitParts
        | OrderEvent::Resume => {}
    }
    active.status = Set(to.status.as_str().to_string());
    active.resume_status = Set(to.resume_to.map(|s| s.as_str().to_string()));
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let after =
        versioned_update(&txn, active, service_order::Column::Version, input.version).await?;
    if matches!(
        event,
        OrderEvent::CompleteOnSite | OrderEvent::ReturnToCustomer
    ) {
        // SURVEY-4: a served customer gets a follow-up call.
        let request = crate::surveys::FollowUpRequest::after_service(&after);
        crate::surveys::request_follow_up(&txn, &request, now).await?;
    }
    let note = match &signed {
        Some(Signature::Drawn(png) | Signature::Quote(png)) => {
            let name = match signed {
                Some(Signature::Quote(_)) => format!("quote-signature-{}.png", order.number),
                _ => format!("signature-{}.png", order.number),
            };
            crate::attachments::store(
                app,
                &txn,
                actor,
                "service_order",
                id,
                &name,
                "image/png",
                png,
            )
            .await?;
            note
        }
        Some(Signature::Refused(reason)) => {
            alert_supervisors(&txn, now, &order, reason).await?;
            Some(format!(
                "{} ／ 未签名原因: {reason}",
                note.unwrap_or_default()
            ))
        }
        None => note,
    };
    if event == OrderEvent::CompleteOnSite {
        report_completion(
            app,
            &txn,
            actor,
            app.clock.now(),
            &after,
            note.as_deref().unwrap_or_default(),
        )
        .await?;
    }
    record_event(
        &txn,
        id,
        now,
        actor,
        event.as_str(),
        from.as_str(),
        to.status.as_str(),
        note,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "service_order",
        id,
        event.as_str(),
        Some(&order),
        Some(&after),
    )
    .await?;
    let view = view(app, &txn, after.id, app.clock.now()).await?;
    crate::sla_outcomes::freeze(&txn, &[(&after, &view.clocks)]).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LatenessInput {
    /// Why the technician will be late (traffic, the previous job overran…).
    pub reason: String,
    /// When they now expect to arrive (RFC 3339), if they can tell.
    pub expected_at: Option<String>,
}

/// DISPATCH-5: a technician delayed for a genuine reason tells the supervisor before the
/// arrival deadline; the notice joins the timeline (a missed arrival without one is treated
/// as absenteeism by the SLA watch) and the branch's supervisors are told at once.
pub async fn report_lateness(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &LatenessInput,
) -> Result<OrderView, AppError> {
    actor.require(Permission::OrderWork)?;
    let reason =
        required_text(&input.reason, 500).map_err(|code| AppError::invalid("reason", code))?;
    let expected = match input
        .expected_at
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        Some(text) => Some(parse_instant("expected_at", text)?),
        None => None,
    };
    let now = app.clock.now();
    let txn = app.write_txn().await?;
    let order = find_visible(&txn, actor, id).await?;
    if order.technician_id != Some(actor.user_id) && !actor.can(Permission::OrderDispatch) {
        return Err(AppError::Forbidden);
    }
    if !accepts_lateness_notice(position_of(&order)?.status, order.arrived_at.is_some()) {
        return Err(AppError::Conflict {
            code: "already_arrived",
            field: Some("status"),
            detail: None,
        });
    }
    let expected_text = expected
        .map(|at| crate::format_local(at.as_millisecond()))
        .unwrap_or_default();
    let note = if expected_text.is_empty() {
        reason.clone()
    } else {
        format!("{reason} → {expected_text}")
    };
    let now_ms = now.as_millisecond();
    record_event(
        &txn,
        order.id,
        now_ms,
        actor,
        crate::sla_watch::LATENESS_NOTICE,
        &order.status,
        &order.status,
        Some(note.clone()),
    )
    .await?;
    tell_supervisors(
        &txn,
        now_ms,
        &order,
        "order_lateness",
        (
            format!("{} 报告将迟到：{}", actor.display_name, order.number),
            note.clone(),
        ),
        (
            format!("{} will be late for {}", actor.display_name, order.number),
            note.clone(),
        ),
    )
    .await?;
    audit::record(
        &txn,
        now_ms,
        Some(actor),
        "service_order",
        order.id,
        crate::sla_watch::LATENESS_NOTICE,
        None::<&()>,
        Some(&serde_json::json!({ "reason": reason, "expected_at": expected.map(|t| t.to_string()) })),
    )
    .await?;
    let view = view(app, &txn, order.id, now).await?;
    txn.commit().await?;
    Ok(view)
}

pub(crate) async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<service_order::Model, AppError> {
    let row = service_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, Some(row.customer_id))?;
    Ok(row)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<OrderView, AppError> {
    actor.require(Permission::OrderRead)?;
    let read = Related::of_order(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(read.row.org_unit_id, Some(read.row.customer_id))?;
    detail_view(app, &app.db, read, app.clock.now()).await
}

fn ms_text(ms: Option<i64>) -> Option<String> {
    ms.map(crate::format_ms)
}

/// What the views of some orders show of their customers, addresses, units, products and
/// technicians, each kind loaded with one query for all the orders.
#[derive(Default)]
struct Related {
    customers: HashMap<i64, customer::Model>,
    /// address id → (shown text, the district's zone).
    addresses: HashMap<i64, (String, Option<String>)>,
    serial_nos: HashMap<i64, String>,
    products: HashMap<i64, String>,
    technicians: HashMap<i64, String>,
}

impl Related {
    async fn load(
        db: &impl ConnectionTrait,
        rows: &[service_order::Model],
    ) -> Result<Related, AppError> {
        fn ids(
            rows: &[service_order::Model],
            id: impl Fn(&service_order::Model) -> Option<i64>,
        ) -> Vec<i64> {
            let mut ids: Vec<i64> = rows.iter().filter_map(id).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        let mut related = Related::default();
        let customer_ids = ids(rows, |r| Some(r.customer_id));
        related.customers = customer::Entity::find()
            .filter(customer::Column::Id.is_in(customer_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        related.addresses = Related::addresses(db, ids(rows, |r| r.address_id)).await?;
        let unit_ids = ids(rows, |r| r.unit_id);
        if !unit_ids.is_empty() {
            related.serial_nos = unit::Entity::find()
                .filter(unit::Column::Id.is_in(unit_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.serial_no))
                .collect();
        }
        let product_ids = ids(rows, |r| r.product_id);
        if !product_ids.is_empty() {
            related.products = product::Entity::find()
                .filter(product::Column::Id.is_in(product_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.id, product_label(&p)))
                .collect();
        }
        let technician_ids = ids(rows, |r| r.technician_id);
        if !technician_ids.is_empty() {
            related.technicians = user::Entity::find()
                .filter(user::Column::Id.is_in(technician_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect();
        }
        Ok(related)
    }

    /// Order `id` with what its view shows of its customer, address, unit, product and
    /// technician, in one query (an order view is the most frequent request).
    async fn of_order(db: &impl ConnectionTrait, id: i64) -> Result<Option<OrderRead>, AppError> {
        static ORDER_VIEW: SqlText = SqlText::new();
        let statement = ORDER_VIEW.statement(db.get_database_backend(), vec![id.into()], || {
            Related::order_query(id)
        });
        let Some(joined) = JoinedOrder::find_by_statement(statement).one(db).await? else {
            return Ok(None);
        };
        let district = joined.district.as_ref();
        let related = Related {
            customers: keyed(joined.customer, |c| (c.id, c)),
            addresses: keyed(joined.address, |a| (a.id, address_text(&a, district))),
            serial_nos: keyed(joined.unit, |u| (u.id, u.serial_no)),
            products: keyed(joined.product, |p| (p.id, product_label(&p))),
            technicians: keyed(joined.technician, |t| (t.id, t.display_name)),
        };
        Ok(Some(OrderRead {
            row: joined.order,
            related,
            reference_version: joined.reference_version,
        }))
    }

    /// The query of [`Related::of_order`].
    fn order_query(id: i64) -> Select<service_order::Entity> {
        use service_order::Column as Order;
        let query = crate::reference::with_version(service_order::Entity::find_by_id(id));
        let query = join_parent_columns::<service_order::Entity, customer::Entity, _>(
            query,
            Order::CustomerId,
            customer::Column::Id,
            JoinedOrder::CUSTOMER,
        );
        let query = join_parent_columns::<service_order::Entity, customer_address::Entity, _>(
            query,
            Order::AddressId,
            customer_address::Column::Id,
            JoinedOrder::ADDRESS,
        );
        let query = join_parent_columns::<customer_address::Entity, district::Entity, _>(
            query,
            customer_address::Column::DistrictId,
            district::Column::Id,
            JoinedOrder::DISTRICT,
        );
        let query = join_parent_columns::<service_order::Entity, unit::Entity, _>(
            query,
            Order::UnitId,
            unit::Column::Id,
            JoinedOrder::UNIT,
        );
        let query = join_parent_columns::<service_order::Entity, product::Entity, _>(
            query,
            Order::ProductId,
            product::Column::Id,
            JoinedOrder::PRODUCT,
        );
        join_parent_columns::<service_order::Entity, user::Entity, _>(
            query,
            Order::TechnicianId,
            user::Column::Id,
            JoinedOrder::TECHNICIAN,
        )
    }

    /// address id → (shown text, the district's zone) of `address_ids`.
    async fn addresses(
        db: &impl ConnectionTrait,
        address_ids: Vec<i64>,
    ) -> Result<HashMap<i64, (String, Option<String>)>, AppError> {
        if address_ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(with_parent::<customer_address::Entity, district::Entity>(
            customer_address::Entity::find()
                .filter(customer_address::Column::Id.is_in(address_ids)),
            customer_address::Column::DistrictId,
            district::Column::Id,
        )
        .all(db)
        .await?
        .into_iter()
        .map(|(address, district)| (address.id, address_text(&address, district.as_ref())))
        .collect())
    }
}

/// The map of at most one row.
fn keyed<M, V>(row: Option<M>, entry: impl FnOnce(M) -> (i64, V)) -> HashMap<i64, V> {
    row.map(entry).into_iter().collect()
}

/// One order as [`Related::of_order`] reads it for its detail view.
struct OrderRead {
    row: service_order::Model,
    related: Related,
    /// The reference data's counter, read with the row so the view needs no query for it.
    reference_version: i64,
}

/// A completed order of the unit a call is about, for the repeat-repair check.
#[derive(FromQueryResult)]
struct CompletedRepair {
    id: i64,
    fault_class: String,
    completed_at: i64,
}

/// An order row with the rows of its view's parents, as [`Related::of_order`] reads them.
struct JoinedOrder {
    order: service_order::Model,
    customer: Option<customer::Model>,
    address: Option<customer_address::Model>,
    district: Option<district::Model>,
    unit: Option<unit::Model>,
    product: Option<product::Model>,
    technician: Option<user::Model>,
    reference_version: i64,
}

impl JoinedOrder {
    const CUSTOMER: &str = "c_";
    const ADDRESS: &str = "a_";
    const DISTRICT: &str = "d_";
    const UNIT: &str = "u_";
    const PRODUCT: &str = "p_";
    const TECHNICIAN: &str = "t_";
}

impl FromQueryResult for JoinedOrder {
    fn from_query_result(row: &QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        fn parent<M: ModelTrait + FromQueryResult>(
            row: &QueryResult,
            prefix: &str,
        ) -> Result<Option<M>, DbErr> {
            M::from_query_result_optional(row, prefix)
        }
        Ok(JoinedOrder {
            order: service_order::Model::from_query_result(row, "")?,
            customer: parent(row, Self::CUSTOMER)?,
            address: parent(row, Self::ADDRESS)?,
            district: parent(row, Self::DISTRICT)?,
            unit: parent(row, Self::UNIT)?,
            product: parent(row, Self::PRODUCT)?,
            technician: parent(row, Self::TECHNICIAN)?,
            reference_version: crate::reference::version_in(row)?,
        })
    }
}

/// An address as shown (its district's name, then the detail) and its district's zone.
fn address_text(
    address: &customer_address::Model,
    district: Option<&district::Model>,
) -> (String, Option<String>) {
    let text = format!(
        "{} {}",
        district.map_or("", |d| d.name.as_str()),
        address.detail
    );
    (text, district.map(|d| d.zone.clone()))
}

fn product_label(product: &product::Model) -> String {
    format!("{} {}", product.model, product.name)
}

/// Order `id` as its detail view shows it, on `db` (a step's transaction reads what it wrote).
async fn view(
    app: &App,
    db: &impl ConnectionTrait,
    id: i64,
    now: Timestamp,
) -> Result<OrderView, AppError> {
    let read = Related::of_order(db, id).await?.ok_or(AppError::NotFound)?;
    detail_view(app, db, read, now).await
}

/// The detail view: what a list shows of the order, with its timeline and SLA clocks.
async fn detail_view(
    app: &App,
    db: &impl ConnectionTrait,
    read: OrderRead,
    now: Timestamp,
) -> Result<OrderView, AppError> {
    let OrderRead {
        row,
        related,
        reference_version,
    } = read;
    // The clocks' context from what the view loads anyway: the customer, the address's zone
    // and the timeline.
    let reference = app.reference.snapshot_at(db, reference_version).await?;
    static TIMELINE: SqlText = SqlText::new();
    let order_id = row.id;
    let statement = TIMELINE.statement(db.get_database_backend(), vec![order_id.into()], || {
        with_parent::<service_order_event::Entity, user::Entity>(
            service_order_event::Entity::find()
                .filter(service_order_event::Column::OrderId.eq(order_id))
                .order_by_asc(service_order_event::Column::Id),
            service_order_event::Column::ActorId,
            user::Column::Id,
        )
    });
    let (timeline, actors): (Vec<_>, Vec<_>) =
        ChildWithParent::<service_order_event::Model, user::Model>::find_by_statement(statement)
            .all(db)
            .await?
            .into_iter()
            .map(Into::into)
            .unzip();
    let events = event_views(&timeline, &actors);
    let customer = related.customers.get(&row.customer_id);
    let zone = row
        .address_id
        .and_then(|id| related.addresses.get(&id))
        .and_then(|(_, zone)| zone.clone());
    let calendar = reference.calendar_of(
        None,
        customer.and_then(|c| c.calendar_code.as_deref()),
        Some(row.org_unit_id),
    )?;
    let context = crate::sla_clocks::context_from(&row, customer, zone, calendar, timeline)?;
    let clocks = crate::sla_clocks::order_clocks(&row, &context, &reference.policies, now);
    let mut view = assemble(row, &related, now)?;
    (view.events, view.clocks) = (events, clocks);
    Ok(view)
}

/// The list views of `rows`, in their order, with a fixed number of queries.
async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<service_order::Model>,
    now: Timestamp,
) -> Result<Vec<OrderView>, AppError> {
    let related = Related::load(db, &rows).await?;
    rows.into_iter()
        .map(|row| assemble(row, &related, now))
        .collect()
}

/// One order's view from its row and what [`Related`] loaded for it (without timeline and
/// clocks).
fn assemble(
    row: service_order::Model,
    related: &Related,
    now: Timestamp,
) -> Result<OrderView, AppError> {
    let today = now.to_zoned(crate::clock::default_zone()).date();
    let customer = related
        .customers
        .get(&row.customer_id)
        .ok_or(AppError::NotFound)?
        .clone();
    let (address, zone) = row
        .address_id
        .and_then(|id| related.addresses.get(&id).cloned())
        .map_or((None, None), |(text, zone)| (Some(text), zone));
    let serial_no = row
        .unit_id
        .and_then(|id| related.serial_nos.get(&id).cloned());
    let product = row
        .product_id
        .and_then(|id| related.products.get(&id).cloned());
    let technician = row
        .technician_id
        .and_then(|id| related.technicians.get(&id).cloned());
    let position = position_of(&row)?;
    let status = position.status;
    let received_on = Timestamp::from_millisecond(row.received_at)
        .map(|t| t.to_zoned(crate::clock::default_zone()).date())
        .unwrap_or(today);
    Ok(OrderView {
        id: row.id,
        number: row.number,
        org_unit_id: row.org_unit_id,
        channel: row.channel,
        customer_id: customer.id,
        customer_name: customer.name,
        customer_phone: customer.phone,
        address,
        zone,
        unit_id: row.unit_id,
        serial_no,
        product_id: row.product_id,
        product,
        component: row.component,
        fault_description: row.fault_description,
        fault_class: row.fault_class,
        urgency: row.urgency,
        category: row.category,
        proposed_category: row.proposed_category,
        category_reason: row.category_reason,
        status: row.status,
        priority: row.priority || needs_priority(received_on, today, status),
        technician_id: row.technician_id,
        technician,
        repeat_of_id: row.repeat_of_id,
        preferred_time: row.preferred_time,
        requested_arrival_at: ms_text(row.requested_arrival_at),
        received_at: crate::format_ms(row.received_at),
        dispatched_at: ms_text(row.dispatched_at),
        contacted_at: ms_text(row.contacted_at),
        appointment_at: ms_text(row.appointment_at),
        arrived_at: ms_text(row.arrived_at),
        completed_at: ms_text(row.completed_at),
        returned_at: ms_text(row.returned_at),
        archived_at: ms_text(row.archived_at),
        price_schedule_shown_at: ms_text(row.price_schedule_shown_at),
        cash_awaiting_handover: row.payment_method.as_deref() == Some("cash")
            && row.cash_handed_over_at.is_none(),
        payment_method: row.payment_method,
        payment_fen: row.payment_fen,
        resume_status: row.resume_status,
        software_class: row.software_class,
        software_priority: row.software_priority,
        quote_fen: row.quote_fen,
        quote_issued_at: ms_text(row.quote_issued_at),
        quote_accepted_at: ms_text(row.quote_accepted_at),
        conduct_exceptions: row.conduct_exceptions,
        accepts_lateness_notice: row.technician_id.is_some()
            && accepts_lateness_notice(status, row.arrived_at.is_some()),
        next_events: position
            .possible_events()
            .into_iter()
            .map(|e| e.as_str().to_string())
            .collect(),
        version: row.version,
        events: Vec::new(),
        clocks: Vec::new(),
    })
}

/// The timeline as the detail view shows it, with the actors' names.
/// The timeline as shown; `actors` holds each event's actor (None: the system).
fn event_views(
    rows: &[service_order_event::Model],
    actors: &[Option<user::Model>],
) -> Vec<OrderEventView> {
    rows.iter()
        .zip(actors)
        .map(|(e, actor)| OrderEventView {
            at: crate::format_ms(e.at),
            actor: actor
                .as_ref()
                .map_or_else(|| "system".to_string(), |a| a.display_name.clone()),
            event: e.event.clone(),
            from_status: e.from_status.clone(),
            to_status: e.to_status.clone(),
            note: e.note.clone(),
        })
        .collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct OrderFilter {
    /// Matches the order number, the fault description, the customer's name or phone.
    pub q: Option<String>,
    pub status: Option<String>,
    pub org_unit_id: Option<i64>,
    pub technician_id: Option<i64>,
    pub category: Option<String>,
    /// Received on or after this date (YYYY-MM-DD, Asia/Shanghai).
    pub from: Option<String>,
    /// Received on or before this date.
    pub to: Option<String>,
}

fn day_start_ms(text: &str, field: &str, days_later: i64) -> Result<i64, AppError> {
    let date: jiff::civil::Date =
        aftersales_domain::validation::date(text).map_err(|code| AppError::invalid(field, code))?;
    let day = date.saturating_add(jiff::Span::new().days(days_later));
    day.to_zoned(crate::clock::default_zone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| AppError::invalid(field, "invalid_date"))
}

/// Orders the actor sees, newest call first; undispatched orders from earlier days first.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &OrderFilter,
    page: PageRequest,
) -> Result<Page<OrderView>, AppError> {
    actor.require(Permission::OrderRead)?;
    let mut query = service_order::Entity::find();
    query = actor.scoped(
        query,
        service_order::Column::OrgUnitId,
        service_order::Column::CustomerId,
    )?;
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(service_order::Column::Status.eq(status));
    }
    if let Some(unit) = filter.org_unit_id {
        query = query.filter(service_order::Column::OrgUnitId.eq(unit));
    }
    if let Some(technician) = filter.technician_id {
        query = query.filter(service_order::Column::TechnicianId.eq(technician));
    }
    if let Some(category) = filter.category.as_deref().filter(|c| !c.is_empty()) {
        query = query.filter(service_order::Column::Category.eq(category.to_lowercase()));
    }
    if let Some(from) = filter.from.as_deref().filter(|d| !d.is_empty()) {
        query = query.filter(service_order::Column::ReceivedAt.gte(day_start_ms(from, "from", 0)?));
    }
    if let Some(to) = filter.to.as_deref().filter(|d| !d.is_empty()) {
        query = query.filter(service_order::Column::ReceivedAt.lt(day_start_ms(to, "to", 1)?));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(crate::search::order_matches(
            app.db.get_database_backend(),
            q,
        ));
    }
    let mut rows = crate::page::fetch(
        &app.db,
        query
            .order_by_desc(service_order::Column::ReceivedAt)
            .order_by_desc(service_order::Column::Id),
        page,
    )
    .await?;
    let mut items = views(&app.db, std::mem::take(&mut rows.items), app.clock.now()).await?;
    // The dispatch board shows priority calls first (INTAKE-8); the sort is stable.
    items.sort_by_key(|o| !o.priority);
    Ok(rows.with_items(items))
}

/// The statuses of orders whose work is over ([`OrderStatus::is_work_done`]), for queries.
pub fn work_done_statuses() -> Vec<&'static str> {
    OrderStatus::ALL
        .iter()
        .filter(|s| s.is_work_done())
        .map(|s| s.as_str())
        .collect()
}

/// The open software issues the actor sees, in the order they are worked (SOFTWARE-2): BUGs
/// first, then by priority, then the earlier call. Open issues are few, so they are sorted
/// here by the domain rule rather than in SQL.
pub async fn software_queue(app: &App, actor: &Actor) -> Result<Vec<OrderView>, AppError> {
    actor.require(Permission::OrderRead)?;
    let mut query = service_order::Entity::find()
        .filter(service_order::Column::FaultClass.eq(FaultClass::Software.as_str()))
        .filter(service_order::Column::Status.is_not_in(work_done_statuses()));
    query = actor.scoped(
        query,
        service_order::Column::OrgUnitId,
        service_order::Column::CustomerId,
    )?;
    let mut rows = query.all(&app.db).await?;
    rows.sort_by_key(|row| {
        software_queue_key(
            row.software_class
                .as_deref()
                .and_then(SoftwareClass::parse)
                .unwrap_or(SoftwareClass::Other),
            row.software_priority
                .as_deref()
                .and_then(SoftwarePriority::parse)
                .unwrap_or(SoftwarePriority::P3),
            row.received_at,
        )
    });
    views(&app.db, rows, app.clock.now()).await
}
