//! Return and exchange pages (退换货): the list, the counter's request form with the proof of
//! purchase, and the request page with its explained decision, the review, the inspection
//! report, the department tasks, the later steps and the one-click repair order.

use aftersales_app::page::PageRequest;
use aftersales_app::returns::{
    self, File, FileContent, ReturnFilter, ReturnInput, ReturnStepInput, ReturnView, ReviewInput,
    SHIPPING_PAYERS,
};
use aftersales_app::units::{self, UnitFilter};
use aftersales_app::AppError;
use aftersales_domain::returns::{Condition, ReturnReason, Wish};
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
        .route("/returns", get(list_returns).post(create_return))
        .route("/returns/new", get(new_return))
        .route("/returns/{id}", get(show_return))
        .route("/returns/{id}/review", post(review_return))
        .route("/returns/{id}/report", post(attach_report))
        .route("/returns/{id}/step", post(step_return))
        .route("/returns/{id}/tasks/{task_id}/done", post(complete_task))
        .route("/returns/{id}/repair-order", post(create_repair_order))
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "returns/list.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<ReturnView>,
    pager: Pager,
    status: String,
    statuses: &'static [aftersales_domain::returns::RmaStatus],
}

async fn list_returns(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let filter = ReturnFilter {
        status: query.status.clone(),
        customer_id: None,
    };
    let page = returns::list(
        &state.app,
        &user.actor,
        &filter,
        PageRequest {
            page: query.page,
            per_page: None,
        },
    )
    .await?;
    let pager = Pager::new(&page, &[("status", query.status.clone())]);
    render(&ListPage {
        ctx: Ctx::of(&user, "returns"),
        items: page.items,
        pager,
        status: query.status.unwrap_or_default(),
        statuses: aftersales_domain::returns::RmaStatus::ALL,
    })
}

/// The counter's form; the unit is named by its serial number.
#[derive(Debug, Default)]
pub struct RequestForm {
    serial_no: String,
    reason: String,
    wish: String,
    description: String,
}

#[derive(Template)]
#[template(path = "returns/new.html")]
struct NewPage {
    ctx: Ctx,
    form: RequestForm,
    reasons: &'static [ReturnReason],
    wishes: &'static [Wish],
    errors: FieldErrors,
}

fn new_page(
    user: &PageUser,
    form: RequestForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[("unit_id", "serial_no")]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &NewPage {
            ctx: Ctx::of(user, "returns"),
            form,
            reasons: ReturnReason::ALL,
            wishes: Wish::ALL,
            errors,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    serial_no: Option<String>,
}

async fn new_return(user: PageUser, Query(query): Query<NewQuery>) -> Result<Response, PageError> {
    new_page(
        &user,
        RequestForm {
            serial_no: query.serial_no.unwrap_or_default(),
            reason: ReturnReason::NoReason.as_str().into(),
            wish: Wish::Refund.as_str().into(),
            ..RequestForm::default()
        },
        None,
    )
}

/// The unit with exactly this serial number among those the actor sees.
pub(super) async fn unit_by_serial(
    state: &AppState,
    user: &PageUser,
    serial_no: &str,
) -> Result<i64, AppError> {
    let serial_no = serial_no.trim();
    if serial_no.is_empty() {
        return Err(AppError::invalid("serial_no", "required"));
    }
    let filter = UnitFilter {
        q: Some(serial_no.to_string()),
        ..UnitFilter::default()
    };
    let found = units::list(
        &state.app,
        &user.actor,
        &filter,
        PageRequest {
            page: None,
            per_page: None,
        },
    )
    .await?;
    found
        .items
        .into_iter()
        .find(|u| u.serial_no == serial_no)
        .map(|u| u.id)
        .ok_or_else(|| AppError::invalid("serial_no", "not_found"))
}

async fn create_return(
    State(state): State<AppState>,
    user: PageUser,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = Upload::read(&user, multipart).await?;
    let form = RequestForm {
        serial_no: upload.field("serial_no").to_string(),
        reason: upload.field("reason").to_string(),
        wish: upload.field("wish").to_string(),
        description: upload.field("description").to_string(),
    };
    let proof = upload
        .file
        .filter(|(name, _, bytes)| !name.is_empty() && !bytes.is_empty())
        .map(|(name, content_type, bytes)| File {
            name,
            content_type,
            content: FileContent::Bytes(bytes),
        });
    let result = match unit_by_serial(&state, &user, &form.serial_no).await {
        Ok(unit_id) => {
            let input = ReturnInput {
                unit_id,
                reason: form.reason.clone(),
                description: Some(form.description.clone()),
                wish: form.wish.clone(),
                proof: None,
            };
            returns::create(&state.app, &user.actor, &input, proof, None).await
        }
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |rma| format!("/returns/{}", rma.id),
        |err| async move { new_page(&user, form, Some(err)) },
    )
    .await
}

#[derive(Template)]
#[template(path = "returns/show.html")]
struct ShowPage {
    ctx: Ctx,
    rma: ReturnView,
    conditions: &'static [Condition],
    payers: &'static [&'static str],
    errors: FieldErrors,
}

impl ShowPage {
    /// The decision in the reader's language.
    fn explanation(&self) -> &str {
        match (&self.rma.decision, self.ctx.lang) {
            (Some(decision), Lang::En) => &decision.explanation_en,
            (Some(decision), Lang::Zh) => &decision.explanation_zh,
            (None, _) => "",
        }
    }
    fn offers(&self, event: &str) -> bool {
        self.rma.next_events.iter().any(|e| e == event)
    }
    /// Whether the signed-in user may take the step (the use case checks it again): the
    /// warehouse and finance steps need `return.task`, the others `return.write`.
    fn may(&self, event: &str) -> bool {
        match event {
            "receive_goods" | "refund" => self.ctx.can("return.task"),
            _ => self.ctx.can("return.write"),
        }
    }
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let rma = returns::get(&state.app, &user.actor, id).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[("current_price_fen", "current_price")]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &ShowPage {
            ctx: Ctx::of(user, "returns"),
            rma,
            conditions: Condition::ALL,
            payers: SHIPPING_PAYERS,
            errors,
        },
    )
}

async fn show_return(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    condition: String,
    /// Today's price in yuan, for seasonal goods returned late.
    #[serde(default)]
    current_price: String,
    #[serde(default)]
    shipping_paid_by: String,
}

async fn review_return(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, PageError> {
    let current_price_fen = match form.current_price.trim() {
        "" => Ok(None),
        text => aftersales_domain::money::parse_yuan(text)
            .map(Some)
            .map_err(|code| AppError::invalid("current_price_fen", code)),
    };
    let result = match current_price_fen {
        Ok(current_price_fen) => {
            let input = ReviewInput {
                version: form.version,
                condition: form.condition.clone(),
                current_price_fen,
                shipping_paid_by: Some(form.shipping_paid_by.clone()),
            };
            returns::review(&state.app, &user.actor, id, &input).await
        }
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| format!("/returns/{id}"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}

async fn attach_report(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = Upload::read(&user, multipart).await?;
    let version = upload.field("version").parse().unwrap_or_default();
    let (name, content_type, bytes) = upload.into_file();
    let report = File {
        name,
        content_type,
        content: FileContent::Bytes(bytes),
    };
    let result = returns::attach_report(&state.app, &user.actor, id, version, report).await;
    form_outcome(
        result,
        |_| format!("/returns/{id}"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    event: String,
    root_cause: Option<String>,
    responsible_department: Option<String>,
    responsible_person: Option<String>,
}

async fn step_return(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let input = ReturnStepInput {
        version: form.version,
        event: form.event,
        root_cause: form.root_cause,
        responsible_department: form.responsible_department,
        responsible_person: form.responsible_person,
    };
    let result = returns::step(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| format!("/returns/{id}"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct EmptyForm {}

async fn complete_task(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, task_id)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    let result = returns::complete_task(&state.app, &user.actor, id, task_id).await;
    form_outcome(
        result,
        |_| format!("/returns/{id}"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}

/// One click: the repair order is registered and opened.
async fn create_repair_order(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    let result = returns::create_repair_order(&state.app, &user.actor, id).await;
    form_outcome(
        result,
        |rma| match rma.service_order_id {
            Some(order) => format!("/service-orders/{order}"),
            None => format!("/returns/{id}"),
        },
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}
