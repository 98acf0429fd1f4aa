//! Service-order pages: the call register and dispatch board, the intake form with customer
//! look-up by phone, the order page with one form per possible step (signature capture on
//! completion), the technician's "my jobs" list and the printable service voucher.

use aftersales_app::carry_in::{
    self, Approver, EntryInput, ReceiptInput, ReceiptView, RegisterFilter, RepairCardView,
    WorkshopItem,
};
use aftersales_app::customers::{self, AddressView, CustomerView};
use aftersales_app::page::{Page, PageRequest};
use aftersales_app::products::{self, ProductFilter, ProductView};
use aftersales_app::service_orders::{
    self, OrderFilter, OrderInput, OrderView, StepInput, CHANNELS, URGENCIES,
};
use aftersales_app::staff::{self, UserFilter, UserView};
use aftersales_app::units::UnitSummary;
use aftersales_app::{attachments, AppError};
use aftersales_domain::role::Permission;
use aftersales_domain::service_order::{
    FaultClass, OrderEvent, OrderStatus, ServiceCategory, SoftwareClass, SoftwarePriority,
    CONDUCT_ITEMS,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, is_form_error, optional_id, redirect, render, render_with, CsrfForm, Ctx,
    FieldErrors, PageError, Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/software-queue", get(software_queue_page))
        .route("/service-orders", get(list_orders).post(register_order))
        .route("/service-orders/new", get(new_order))
        .route("/service-orders/{id}", get(show_order))
        .route("/service-orders/{id}/step", post(step_order))
        .route("/service-orders/{id}/print", get(print_order))
        .route("/my-jobs", get(my_jobs))
        .route(
            "/service-orders/{id}/repair-card",
            post(add_repair_card_entry),
        )
        .route("/service-orders/{id}/receipt/print", get(print_receipt))
        .route(
            "/service-orders/{id}/repair-card/print",
            get(print_repair_card),
        )
        .route("/workshop", get(workshop))
        .route("/goods-register", get(goods_register))
}

fn all() -> PageRequest {
    PageRequest {
        page: Some(1),
        per_page: Some(aftersales_app::page::MAX_PER_PAGE),
    }
}

#[derive(Template)]
#[template(path = "service_orders/list.html")]
struct ListPage {
    ctx: Ctx,
    page: Page<OrderView>,
    pager: Pager,
    filter: OrderFilter,
    technicians: Vec<UserView>,
    statuses: &'static [OrderStatus],
    categories: &'static [ServiceCategory],
}

impl ListPage {
    fn status_is(&self, code: &str) -> bool {
        self.filter.status.as_deref() == Some(code)
    }
    fn category_is(&self, code: &str) -> bool {
        self.filter.category.as_deref() == Some(code)
    }
    fn technician_is(&self, id: &i64) -> bool {
        self.filter.technician_id == Some(*id)
    }
    fn text(value: &Option<String>) -> &str {
        value.as_deref().unwrap_or("")
    }
}

/// The branch's technicians (for filters and dispatch); empty for users who may not list staff.
pub(super) async fn technicians(state: &AppState, user: &PageUser) -> Vec<UserView> {
    let filter = UserFilter {
        role: Some("technician".into()),
        ..UserFilter::default()
    };
    staff::list(&state.app, &user.actor, &filter, all())
        .await
        .map(|p| p.items)
        .unwrap_or_default()
}

async fn list_orders(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<OrderFilter>,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let result = service_orders::list(&state.app, &user.actor, &filter, page).await?;
    let pager = Pager::new(
        &result,
        &[
            ("q", filter.q.clone()),
            ("status", filter.status.clone()),
            ("category", filter.category.clone()),
            ("technician_id", filter.technician_id.map(|t| t.to_string())),
            ("from", filter.from.clone()),
            ("to", filter.to.clone()),
        ],
    );
    let technicians = technicians(&state, &user).await;
    render(&ListPage {
        ctx: Ctx::of(&user, "service_orders"),
        page: result,
        pager,
        filter,
        technicians,
        statuses: OrderStatus::ALL,
        categories: ServiceCategory::ALL,
    })
}

/// The intake form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct IntakeForm {
    /// The phone number the caller gives: finds the customer.
    #[serde(default)]
    phone: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    address_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    product_id: String,
    #[serde(default)]
    component: String,
    #[serde(default)]
    fault_description: String,
    #[serde(default)]
    fault_class: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    category_reason: String,
    #[serde(default)]
    preferred_time: String,
    /// `datetime-local`: the time the customer requires the technician on site by.
    #[serde(default)]
    requested_arrival_at: String,
    #[serde(default)]
    software_class: String,
    #[serde(default)]
    software_priority: String,
}

impl IntakeForm {
    fn to_input(&self) -> Result<OrderInput, AppError> {
        Ok(OrderInput {
            channel: self.channel.clone(),
            customer_id: optional_id(&self.customer_id).unwrap_or(0),
            address_id: optional_id(&self.address_id),
            unit_id: optional_id(&self.unit_id),
            product_id: optional_id(&self.product_id),
            component: super::form_text(&self.component),
            fault_description: self.fault_description.clone(),
            fault_class: self.fault_class.clone(),
            urgency: self.urgency.clone(),
            received_at: None,
            category: super::form_text(&self.category),
            category_reason: super::form_text(&self.category_reason),
            preferred_time: super::form_text(&self.preferred_time),
            requested_arrival_at: local_to_instant(
                "requested_arrival_at",
                &self.requested_arrival_at,
            )?,
            software_class: super::form_text(&self.software_class),
            software_priority: super::form_text(&self.software_priority),
        })
    }
}

/// A customer found by phone, with what the form lets the agent pick.
pub struct Match {
    customer: CustomerView,
    addresses: Vec<AddressView>,
    units: Vec<UnitSummary>,
}

#[derive(Template)]
#[template(path = "service_orders/new.html")]
struct IntakePage {
    ctx: Ctx,
    form: IntakeForm,
    matches: Vec<Match>,
    products: Vec<ProductView>,
    errors: FieldErrors,
    channels: &'static [&'static str],
    urgencies: &'static [&'static str],
    fault_classes: &'static [FaultClass],
    software_classes: &'static [SoftwareClass],
    software_priorities: &'static [SoftwarePriority],
    categories: &'static [ServiceCategory],
    /// The phone was searched and nothing matched.
    searched: bool,
}

impl IntakePage {
    fn is(&self, value: &str, chosen: &str) -> bool {
        value == chosen
    }
    fn chosen_id(&self, chosen: &str, id: &i64) -> bool {
        optional_id(chosen) == Some(*id)
    }
}

async fn intake_page(
    state: &AppState,
    user: &PageUser,
    mut form: IntakeForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let mut matches = Vec::new();
    let phone = form.phone.trim().to_string();
    // Look-up as you type: part of a phone number (as customer or contact), a name or a
    // customer number, once there is enough to be selective.
    if phone.chars().count() >= 3 {
        let filter = customers::CustomerFilter {
            q: Some(phone.clone()),
            ..customers::CustomerFilter::default()
        };
        let first = PageRequest {
            page: Some(1),
            per_page: Some(8),
        };
        for customer in customers::list(&state.app, &user.actor, &filter, first)
            .await?
            .items
        {
            let card = customers::card(&state.app, &user.actor, customer.id).await?;
            matches.push(Match {
                customer,
                addresses: card.addresses,
                units: card.units,
            });
        }
    }
    if matches.len() == 1 && form.customer_id.is_empty() {
        form.customer_id = matches[0].customer.id.to_string();
        if let Some(address) = matches[0].addresses.first() {
            form.address_id = address.id.to_string();
        }
    }
    if form.channel.is_empty() {
        form.channel = "phone".into();
    }
    let products = products::list(&state.app, &user.actor, &ProductFilter::default(), all())
        .await?
        .items;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    let searched = !phone.is_empty() && matches.is_empty();
    render_with(
        status,
        &IntakePage {
            ctx: Ctx::of(user, "service_orders"),
            form,
            matches,
            products,
            errors,
            channels: CHANNELS,
            urgencies: URGENCIES,
            fault_classes: FaultClass::ALL,
            software_classes: SoftwareClass::ALL,
            software_priorities: SoftwarePriority::ALL,
            categories: ServiceCategory::ALL,
            searched,
        },
    )
}

async fn new_order(
    State(state): State<AppState>,
    user: PageUser,
    Query(form): Query<IntakeForm>,
) -> Result<Response, PageError> {
    intake_page(&state, &user, form, None).await
}

async fn register_order(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<IntakeForm>,
) -> Result<Response, PageError> {
    let registered = match form.to_input() {
        Ok(input) => service_orders::register(&state.app, &user.actor, &input, None).await,
        Err(err) => Err(err),
    };
    match registered {
        Ok(order) => redirect(&format!("/service-orders/{}", order.id)),
        Err(err) if is_form_error(&err) => intake_page(&state, &user, form, Some(err)).await,
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "service_orders/show.html")]
struct ShowPage {
    ctx: Ctx,
    order: OrderView,
    technicians: Vec<UserView>,
    attachments: Vec<attachments::AttachmentView>,
    errors: FieldErrors,
    /// The goods receipt, once the unit was carried in.
    receipt: Option<ReceiptView>,
    /// The repair card, once the unit was carried in.
    card: Option<RepairCardView>,
    /// Supervisors who may approve a return without the receipt.
    approvers: Vec<Approver>,
    /// The date the carry-in form proposes as promised (today + 3 days).
    default_promised: String,
    /// The charge lines and totals (BILLING-3).
    charges: aftersales_app::billing::ChargesView,
    /// Active price-schedule items for the add-charge form, while charges may change.
    price_items: Vec<aftersales_app::billing::PriceItemView>,
    /// The conduct checklist (REPAIR-6) on the completion form.
    conduct_items: &'static [&'static str],
    /// Tasks for experts, specialists and departments (DISPATCH-7, REPAIR-7/8, SOFTWARE-4).
    tasks: Vec<aftersales_app::order_tasks::TaskView>,
    task_kinds: &'static [aftersales_domain::order_task::TaskKind],
    /// What to carry (DISPATCH-6), until the technician is on site.
    carry: Option<aftersales_app::carry_list::CarryList>,
    /// The development lead's decision on a software requirement (SOFTWARE-3).
    evaluation: Option<aftersales_app::requirement_evaluations::EvaluationView>,
}

impl ShowPage {
    fn open_for_charges(&self) -> bool {
        aftersales_app::billing::open_for_charges(&self.order.status)
    }
    fn in_repair(&self) -> bool {
        self.order.status == OrderStatus::InRepair.as_str()
    }
    fn can_step(&self, event: &str) -> bool {
        self.order.next_events.iter().any(|e| e == event)
    }
    /// Before arrival the technician may send a lateness notice (DISPATCH-5).
    /// The order's own technician (or a supervisor) may ask for help while it is open.
    fn may_open_task(&self) -> bool {
        self.order.archived_at.is_none()
            && self.order.status != "cancelled"
            && self.ctx.user.as_ref().is_some_and(|user| {
                aftersales_app::order_tasks::may_ask(user, self.order.technician_id)
            })
    }
    fn is_requirement(&self) -> bool {
        self.order.software_class.as_deref() == Some("requirement")
    }
    /// The instant shown in the order's zone (Asia/Shanghai), or a dash.
    fn at(&self, instant: &Option<String>) -> String {
        instant
            .as_deref()
            .map_or_else(|| "—".to_string(), |i| self.ctx.local_time(i))
    }
}

pub(super) async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let order = service_orders::get(&state.app, &user.actor, id).await?;
    let technicians = technicians(state, user).await;
    let attachments = attachments::list(&state.app, &user.actor, "service_order", id).await?;
    let receipt = match carry_in::receipt(&state.app, &user.actor, id).await {
        Ok(receipt) => Some(receipt),
        Err(AppError::NotFound) => None,
        Err(err) => return Err(err.into()),
    };
    let card = match &receipt {
        Some(_) => Some(carry_in::repair_card(&state.app, &user.actor, id).await?),
        None => None,
    };
    let approvers = if order.next_events.iter().any(|e| e == "return_to_customer") {
        carry_in::approvers(&state.app, &user.actor, id).await?
    } else {
        Vec::new()
    };
    let default_promised = state
        .app
        .today()
        .saturating_add(jiff::Span::new().days(3))
        .to_string();
    let charges = aftersales_app::billing::charges(&state.app, &user.actor, id).await?;
    let open = order.status == OrderStatus::OnSite.as_str()
        || order.status == OrderStatus::InRepair.as_str();
    let price_items = if open && user.actor.can(Permission::OrderWork) {
        let filter = aftersales_app::billing::PriceItemFilter {
            active_only: Some(true),
        };
        aftersales_app::billing::list(&state.app, &user.actor, &filter).await?
    } else {
        Vec::new()
    };
    let tasks = aftersales_app::order_tasks::for_order(&state.app, &user.actor, id).await?;
    let carry = if order.arrived_at.is_none() && order.technician_id.is_some() {
        Some(aftersales_app::carry_list::of_order(&state.app, &user.actor, id).await?)
    } else {
        None
    };
    let evaluation =
        aftersales_app::requirement_evaluations::get(&state.app, &user.actor, id).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &ShowPage {
            ctx: Ctx::of(user, "service_orders"),
            order,
            technicians,
            attachments,
            errors,
            receipt,
            card,
            approvers,
            default_promised,
            charges,
            price_items,
            conduct_items: CONDUCT_ITEMS,
            tasks,
            task_kinds: aftersales_domain::order_task::TaskKind::ALL,
            carry,
            evaluation,
        },
    )
}

async fn show_order(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, None).await
}

#[derive(Debug, Deserialize)]
struct StepForm {
    event: String,
    version: i32,
    #[serde(default)]
    technician_id: String,
    /// `datetime-local` value, read in Asia/Shanghai.
    #[serde(default)]
    appointment_at: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    signature_png: String,
    #[serde(default)]
    no_signature_reason: String,
    #[serde(default)]
    item_description: String,
    #[serde(default)]
    serial_no: String,
    #[serde(default)]
    accessories: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    promised_date: String,
    /// The checkbox "原收据已收回作废": `on` when ticked.
    #[serde(default)]
    receipt_returned: String,
    #[serde(default)]
    lost_receipt_approved_by: String,
    /// For complete_on_site with a paid total: cash or invoice.
    #[serde(default)]
    payment: String,
    /// For complete_on_site: the conduct checklist was shown (REPAIR-6) …
    #[serde(default)]
    conduct_asked: String,
    /// … and these items were ticked as confirmed by the customer.
    #[serde(default)]
    conduct_confirmed: Vec<String>,
}

impl StepForm {
    /// The checklist items left unticked, when the checklist was shown.
    fn conduct_exceptions(&self) -> Option<Vec<String>> {
        (!self.conduct_asked.is_empty()).then(|| {
            CONDUCT_ITEMS
                .iter()
                .filter(|item| !self.conduct_confirmed.iter().any(|c| c == *item))
                .map(|item| item.to_string())
                .collect()
        })
    }
}

/// A `datetime-local` value (`2026-11-22T14:30`) in the default zone, as RFC 3339; errors
/// name `field`.
pub(super) fn local_to_instant(field: &str, value: &str) -> Result<Option<String>, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let civil: jiff::civil::DateTime = value
        .parse()
        .map_err(|_| AppError::invalid(field, "invalid_instant"))?;
    let zoned = civil
        .to_zoned(aftersales_app::clock::default_zone())
        .map_err(|_| AppError::invalid(field, "invalid_instant"))?;
    Ok(Some(zoned.timestamp().to_string()))
}

async fn step_order(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let event = OrderEvent::parse(&form.event).ok_or(PageError(AppError::NotFound))?;
    let result = match local_to_instant("appointment_at", &form.appointment_at) {
        Ok(appointment_at) => {
            let input = StepInput {
                version: form.version,
                technician_id: optional_id(&form.technician_id),
                appointment_at,
                note: super::form_text(&form.note),
                signature_png: super::form_text(&form.signature_png),
                no_signature_reason: super::form_text(&form.no_signature_reason),
                receipt: (event == OrderEvent::CarryIn).then(|| ReceiptInput {
                    item_description: form.item_description.clone(),
                    serial_no: super::form_text(&form.serial_no),
                    accessories: super::form_text(&form.accessories),
                    condition: super::form_text(&form.condition),
                    promised_date: form.promised_date.clone(),
                }),
                receipt_returned: Some(!form.receipt_returned.is_empty()),
                lost_receipt_approved_by: optional_id(&form.lost_receipt_approved_by),
                payment: super::form_text(&form.payment),
                conduct_exceptions: form.conduct_exceptions(),
            };
            service_orders::step(&state.app, &user.actor, id, event, &input).await
        }
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| format!("/service-orders/{id}"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "service_orders/print.html")]
struct PrintPage {
    ctx: Ctx,
    order: OrderView,
    /// `a4` or `receipt` (80 mm).
    paper: String,
}

#[derive(Deserialize)]
struct PrintQuery {
    paper: Option<String>,
}

/// The service voucher (服务凭证) as a printable page, A4 or 80 mm receipt paper.
async fn print_order(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<PrintQuery>,
) -> Result<Response, PageError> {
    let order = service_orders::get(&state.app, &user.actor, id).await?;
    let paper = if query.paper.as_deref() == Some("receipt") {
        "receipt"
    } else {
        "a4"
    }
    .to_string();
    render(&PrintPage {
        ctx: Ctx::of(&user, "service_orders"),
        order,
        paper,
    })
}

#[derive(Template)]
#[template(path = "service_orders/my_jobs.html")]
struct MyJobsPage {
    ctx: Ctx,
    jobs: Vec<OrderView>,
}

/// The technician's open jobs on a phone: soonest appointment first.
async fn my_jobs(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let filter = OrderFilter {
        technician_id: Some(user.actor.user_id),
        ..OrderFilter::default()
    };
    let mut jobs: Vec<OrderView> = service_orders::list(&state.app, &user.actor, &filter, all())
        .await?
        .items
        .into_iter()
        .filter(|o| {
            OrderStatus::parse(&o.status).is_some_and(|s| {
                !s.is_final() && s != OrderStatus::CompletedOnSite && s != OrderStatus::Returned
            })
        })
        .collect();
    jobs.sort_by(|a, b| {
        a.appointment_at
            .cmp(&b.appointment_at)
            .then(a.received_at.cmp(&b.received_at))
    });
    render(&MyJobsPage {
        ctx: Ctx::of(&user, "my_jobs"),
        jobs,
    })
}

#[derive(Debug, Deserialize)]
struct EntryForm {
    kind: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    part_number: String,
    #[serde(default)]
    part_name: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    part_serial: String,
    #[serde(default)]
    note: String,
}

/// Adds a repair-card line from the order page.
async fn add_repair_card_entry(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<EntryForm>,
) -> Result<Response, PageError> {
    let number = |value: &str, field: &str| -> Result<Option<i64>, AppError> {
        match value.trim() {
            "" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| AppError::invalid(field, "invalid_number")),
        }
    };
    let result = match (
        number(&form.minutes, "minutes"),
        number(&form.quantity, "quantity"),
    ) {
        (Ok(minutes), Ok(quantity)) => {
            let input = EntryInput {
                kind: form.kind.clone(),
                technician_id: None,
                minutes,
                part_number: super::form_text(&form.part_number),
                part_name: super::form_text(&form.part_name),
                quantity,
                part_serial: super::form_text(&form.part_serial),
                note: super::form_text(&form.note),
            };
            carry_in::add_entry(&state.app, &user.actor, id, &input)
                .await
                .map(|_| ())
        }
        (Err(err), _) | (_, Err(err)) => Err(err),
    };
    form_outcome(
        result,
        |_| format!("/service-orders/{id}#repair-card"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "service_orders/receipt_print.html")]
struct ReceiptPrintPage {
    ctx: Ctx,
    order: OrderView,
    receipt: ReceiptView,
    paper: String,
}

/// The customer goods receipt (客户商品领取收据) with signature lines, A4 or 80 mm.
async fn print_receipt(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<PrintQuery>,
) -> Result<Response, PageError> {
    let order = service_orders::get(&state.app, &user.actor, id).await?;
    let receipt = carry_in::receipt(&state.app, &user.actor, id).await?;
    let paper = if query.paper.as_deref() == Some("receipt") {
        "receipt"
    } else {
        "a4"
    }
    .to_string();
    render(&ReceiptPrintPage {
        ctx: Ctx::of(&user, "service_orders"),
        order,
        receipt,
        paper,
    })
}

#[derive(Template)]
#[template(path = "service_orders/repair_card_print.html")]
struct RepairCardPrintPage {
    ctx: Ctx,
    order: OrderView,
    card: RepairCardView,
}

/// The repair card (修护卡) as a tag to tie to the unit.
async fn print_repair_card(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let order = service_orders::get(&state.app, &user.actor, id).await?;
    let card = carry_in::repair_card(&state.app, &user.actor, id).await?;
    render(&RepairCardPrintPage {
        ctx: Ctx::of(&user, "service_orders"),
        order,
        card,
    })
}

#[derive(Template)]
#[template(path = "service_orders/workshop.html")]
struct WorkshopPage {
    ctx: Ctx,
    items: Vec<WorkshopItem>,
}

/// Every unit held in the workshop, oldest first; overdue ones flagged.
async fn workshop(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let items = carry_in::list_workshop(&state.app, &user.actor).await?;
    render(&WorkshopPage {
        ctx: Ctx::of(&user, "workshop"),
        items,
    })
}

#[derive(Template)]
#[template(path = "service_orders/goods_register.html")]
struct RegisterPage {
    ctx: Ctx,
    rows: Vec<ReceiptView>,
    filter: RegisterFilter,
}

impl RegisterPage {
    fn text(value: &Option<String>) -> &str {
        value.as_deref().unwrap_or("")
    }
}

/// The goods in/out register (客户商品进出登记簿) between two dates.
async fn goods_register(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<RegisterFilter>,
) -> Result<Response, PageError> {
    let rows = carry_in::goods_register(&state.app, &user.actor, &filter).await?;
    render(&RegisterPage {
        ctx: Ctx::of(&user, "goods_register"),
        rows,
        filter,
    })
}

#[derive(Template)]
#[template(path = "service_orders/software_queue.html")]
struct SoftwareQueuePage {
    ctx: Ctx,
    issues: Vec<OrderView>,
}

/// The open software issues in working order (SOFTWARE-2).
async fn software_queue_page(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let issues = service_orders::software_queue(&state.app, &user.actor).await?;
    render(&SoftwareQueuePage {
        ctx: Ctx::of(&user, "service_orders"),
        issues,
    })
}
