//! Online buyer after-sales pages (网店售后). Staff: the request list (filters by status,
//! type and deadline), the arbitration queue, the request page with the seller's answer, the
//! arbiter's ruling, the repair order and the external escalation, and the online orders
//! with their sheet import. Portal (the buyer, phone first): my online orders, the request
//! form for one order line, and the request's timeline with the buyer's steps.

use aftersales_app::ecom::{
    self, EscalationInput, OrderFilter, OrderView, RequestFilter, RequestInput, RequestView,
    StepInput, AUTHORITIES,
};
use aftersales_app::import_export::ImportReport;
use aftersales_app::page::PageRequest;
use aftersales_app::returns::{File, FileContent};
use aftersales_app::AppError;
use aftersales_domain::ecom::{EcomStatus, Remedy, RequestType};
use aftersales_domain::role::Role;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, render, render_with, CsrfForm, Ctx, FieldErrors, PageError, Pager, Upload,
};
use crate::i18n::Lang;
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ecom/requests", get(list_requests))
        .route("/ecom/arbitration", get(arbitration_queue))
        .route("/ecom/requests/{id}", get(show_request))
        .route("/ecom/requests/{id}/step", post(step_request))
        .route(
            "/ecom/requests/{id}/repair-order",
            post(create_repair_order),
        )
        .route("/ecom/requests/{id}/escalation", post(escalate_request))
        .route("/ecom/requests/{id}/evidence", post(add_evidence))
        .route("/ecom/orders", get(list_orders).post(import_orders))
        .route("/portal/orders", get(portal_orders))
        .route(
            "/portal/orders/{order_id}/lines/{line_id}/request",
            get(new_request).post(file_request),
        )
        .route("/portal/requests/{id}", get(portal_request))
}

fn all_pages() -> PageRequest {
    PageRequest {
        page: None,
        per_page: Some(aftersales_app::page::MAX_PER_PAGE),
    }
}

/// Where a request's page is for this user: the portal for the buyer, else the staff page.
fn request_path(user: &PageUser, id: i64) -> String {
    if user.actor.has_role(Role::Customer) {
        format!("/portal/requests/{id}")
    } else {
        format!("/ecom/requests/{id}")
    }
}

// ---------------------------------------------------------------- staff list and queue

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    request_type: Option<String>,
    overdue: Option<String>,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "ecom/requests.html")]
struct ListPage {
    ctx: Ctx,
    title_key: &'static str,
    path: &'static str,
    items: Vec<RequestView>,
    pager: Pager,
    status: String,
    request_type: String,
    overdue: bool,
    statuses: &'static [EcomStatus],
    types: &'static [RequestType],
}

async fn list_page(
    state: &AppState,
    user: &PageUser,
    query: ListQuery,
    queue: bool,
) -> Result<Response, PageError> {
    let status = if queue {
        Some(EcomStatus::InArbitration.as_str().to_string())
    } else {
        query.status.clone()
    };
    let overdue = super::ticked(&query.overdue);
    let filter = RequestFilter {
        status: status.clone(),
        request_type: query.request_type.clone(),
        overdue,
        customer_id: None,
    };
    let page = ecom::list_requests(
        &state.app,
        &user.actor,
        &filter,
        PageRequest {
            page: query.page,
            per_page: None,
        },
    )
    .await?;
    let pager = Pager::new(
        &page,
        &[
            ("status", status.clone()),
            ("request_type", query.request_type.clone()),
            ("overdue", overdue.then(|| "1".to_string())),
        ],
    );
    render(&ListPage {
        ctx: Ctx::of(user, if queue { "ecom_arbitration" } else { "ecom" }),
        title_key: if queue {
            "ecom.arbitration_queue"
        } else {
            "ecom.title"
        },
        path: if queue {
            "/ecom/arbitration"
        } else {
            "/ecom/requests"
        },
        items: page.items,
        pager,
        status: status.unwrap_or_default(),
        request_type: query.request_type.unwrap_or_default(),
        overdue,
        statuses: EcomStatus::ALL,
        types: RequestType::ALL,
    })
}

async fn list_requests(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    list_page(&state, &user, query, false).await
}

async fn arbitration_queue(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    list_page(&state, &user, query, true).await
}

// ---------------------------------------------------------------- request pages

#[derive(Template)]
#[template(path = "ecom/request.html")]
struct RequestPage {
    ctx: Ctx,
    request: RequestView,
    authorities: &'static [&'static str],
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "ecom/portal_request.html")]
struct PortalRequestPage {
    ctx: Ctx,
    request: RequestView,
    errors: FieldErrors,
}

async fn request_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let request = ecom::get_request(&state.app, &user.actor, id).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    if user.actor.has_role(Role::Customer) {
        render_with(
            status,
            &PortalRequestPage {
                ctx: Ctx::of(user, "portal_orders"),
                request,
                errors,
            },
        )
    } else {
        render_with(
            status,
            &RequestPage {
                ctx: Ctx::of(user, "ecom"),
                request,
                authorities: AUTHORITIES,
                errors,
            },
        )
    }
}

async fn show_request(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    if user.actor.has_role(Role::Customer) {
        return super::redirect(&request_path(&user, id));
    }
    request_page(&state, &user, id, None).await
}

async fn portal_request(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    request_page(&state, &user, id, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    event: String,
    note: Option<String>,
}

/// One handler for every party's step; the use case checks who may take it.
async fn step_request(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let input = StepInput {
        version: form.version,
        event: form.event,
        note: form.note,
    };
    let result = ecom::step(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| request_path(&user, id),
        |err| request_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct EmptyForm {}

async fn create_repair_order(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    let result = ecom::create_repair_order(&state.app, &user.actor, id).await;
    form_outcome(
        result,
        |request| match request.service_order_id {
            Some(order) => format!("/service-orders/{order}"),
            None => format!("/ecom/requests/{id}"),
        },
        |err| request_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct EscalationForm {
    #[serde(default)]
    authority: String,
    #[serde(default)]
    note: String,
}

async fn escalate_request(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<EscalationForm>,
) -> Result<Response, PageError> {
    let input = EscalationInput {
        authority: form.authority,
        note: form.note,
    };
    let result = ecom::escalate(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| format!("/ecom/requests/{id}"),
        |err| request_page(&state, &user, id, Some(err)),
    )
    .await
}

fn upload_file(file: Option<(String, String, Vec<u8>)>) -> Option<File> {
    file.filter(|(name, _, bytes)| !name.is_empty() && !bytes.is_empty())
        .map(|(name, content_type, bytes)| File {
            name,
            content_type,
            content: FileContent::Bytes(bytes),
        })
}

async fn add_evidence(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = Upload::read(&user, multipart).await?;
    let result = match upload_file(upload.file) {
        Some(file) => ecom::add_evidence(&state.app, &user.actor, id, file).await,
        None => Err(AppError::invalid("evidence", "required")),
    };
    form_outcome(
        result,
        |_| request_path(&user, id),
        |err| request_page(&state, &user, id, Some(err)),
    )
    .await
}

// ---------------------------------------------------------------- staff orders and import

#[derive(Debug, Default, Deserialize)]
pub struct OrdersQuery {
    q: Option<String>,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "ecom/orders.html")]
struct OrdersPage {
    ctx: Ctx,
    items: Vec<OrderView>,
    pager: Pager,
    q: String,
    report: Option<ImportReport>,
    errors: FieldErrors,
}

async fn orders_page(
    state: &AppState,
    user: &PageUser,
    query: OrdersQuery,
    report: Option<ImportReport>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let filter = OrderFilter {
        q: query.q.clone(),
        customer_id: None,
    };
    let page = ecom::list_orders(
        &state.app,
        &user.actor,
        &filter,
        PageRequest {
            page: query.page,
            per_page: None,
        },
    )
    .await?;
    let pager = Pager::new(&page, &[("q", query.q.clone())]);
    let refused = error.is_some() || report.as_ref().is_some_and(|r| !r.errors.is_empty());
    let errors = error
        .map(|err| FieldErrors::from_error(&err, user.lang, &[]))
        .unwrap_or_default();
    render_with(
        if refused {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &OrdersPage {
            ctx: Ctx::of(user, "ecom_orders"),
            items: page.items,
            pager,
            q: query.q.unwrap_or_default(),
            report,
            errors,
        },
    )
}

async fn list_orders(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<OrdersQuery>,
) -> Result<Response, PageError> {
    orders_page(&state, &user, query, None, None).await
}

async fn import_orders(
    State(state): State<AppState>,
    user: PageUser,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = Upload::read(&user, multipart).await?;
    let Some((file_name, _, bytes)) = upload.file.filter(|(_, _, b)| !b.is_empty()) else {
        let err = AppError::invalid("file", "required");
        return orders_page(&state, &user, OrdersQuery::default(), None, Some(err)).await;
    };
    match ecom::import_orders_file(&state.app, &user.actor, &bytes, &file_name).await {
        Ok(report) => orders_page(&state, &user, OrdersQuery::default(), Some(report), None).await,
        Err(err) if super::is_form_error(&err) => {
            orders_page(&state, &user, OrdersQuery::default(), None, Some(err)).await
        }
        Err(err) => Err(PageError(err)),
    }
}

// ---------------------------------------------------------------- portal

#[derive(Template)]
#[template(path = "ecom/portal_orders.html")]
struct PortalOrdersPage {
    ctx: Ctx,
    orders: Vec<OrderView>,
}

async fn portal_orders(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let page = ecom::list_orders(
        &state.app,
        &user.actor,
        &OrderFilter::default(),
        all_pages(),
    )
    .await?;
    render(&PortalOrdersPage {
        ctx: Ctx::of(&user, "portal_orders"),
        orders: page.items,
    })
}

#[derive(Debug, Default)]
pub struct RequestForm {
    request_type: String,
    remedy: String,
    description: String,
}

#[derive(Template)]
#[template(path = "ecom/portal_new.html")]
struct NewRequestPage {
    ctx: Ctx,
    order: OrderView,
    line_idx: usize,
    form: RequestForm,
    remedies: &'static [Remedy],
    errors: FieldErrors,
}

impl NewRequestPage {
    /// Why a type cannot be chosen, in the reader's language.
    fn refusal_text<'a>(&self, option: &'a aftersales_app::ecom::TypeOption) -> &'a str {
        let text = match self.ctx.lang {
            Lang::En => &option.explanation_en,
            Lang::Zh => &option.explanation_zh,
        };
        text.as_deref().unwrap_or("")
    }
}

async fn new_request_page(
    state: &AppState,
    user: &PageUser,
    order_id: i64,
    line_id: i64,
    form: RequestForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let order = ecom::get_order(&state.app, &user.actor, order_id).await?;
    let line_idx = order
        .lines
        .iter()
        .position(|l| l.id == line_id)
        .ok_or(PageError(AppError::NotFound))?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &NewRequestPage {
            ctx: Ctx::of(user, "portal_orders"),
            order,
            line_idx,
            form,
            remedies: Remedy::ALL,
            errors,
        },
    )
}

async fn new_request(
    State(state): State<AppState>,
    user: PageUser,
    Path((order_id, line_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    new_request_page(
        &state,
        &user,
        order_id,
        line_id,
        RequestForm::default(),
        None,
    )
    .await
}

async fn file_request(
    State(state): State<AppState>,
    user: PageUser,
    Path((order_id, line_id)): Path<(i64, i64)>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = Upload::read(&user, multipart).await?;
    let form = RequestForm {
        request_type: upload.field("request_type").to_string(),
        remedy: upload.field("remedy").to_string(),
        description: upload.field("description").to_string(),
    };
    let input = RequestInput {
        order_line_id: line_id,
        request_type: form.request_type.clone(),
        remedy: Some(form.remedy.clone()),
        description: Some(form.description.clone()),
        evidence: Vec::new(),
    };
    let evidence = upload_file(upload.file).into_iter().collect();
    let result = ecom::file_request(&state.app, &user.actor, &input, evidence, None).await;
    form_outcome(
        result,
        |request| format!("/portal/requests/{}", request.id),
        |err| new_request_page(&state, &user, order_id, line_id, form, Some(err)),
    )
    .await
}
