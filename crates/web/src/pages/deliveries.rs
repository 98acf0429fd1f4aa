//! Delivery pages (送货服务): the list (the driver's own with `?mine=true`), the planning form
//! and the delivery page the driver works from the phone: pre-call checklist, reschedule
//! with apology, depart, arrive, the unboxing inspection with the conduct checklist and the
//! customer's drawn signature, or the defective unit taken back with a replacement planned.

use aftersales_app::deliveries::{
    self, DeliveryFilter, DeliveryInput, DeliveryStepInput, DeliveryView,
};
use aftersales_app::page::PageRequest;
use aftersales_app::staff::{self, UserFilter, UserView};
use aftersales_app::AppError;
use aftersales_domain::delivery::DeliveryEvent;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, render, render_with, ticked, CsrfForm, Ctx, FieldErrors, PageError, Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/deliveries", get(list_deliveries).post(create_delivery))
        .route("/deliveries/new", get(new_delivery))
        .route("/deliveries/{id}", get(show_delivery))
        .route("/deliveries/{id}/step", post(step_delivery))
}

/// A `datetime-local` value (`2026-11-23T09:00`) read in the default zone, as RFC 3339; any
/// other text passes through so the use case names the field it cannot read.
pub(super) fn local_to_rfc3339(value: &str) -> String {
    value
        .trim()
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|civil| civil.to_zoned(aftersales_app::clock::default_zone()).ok())
        .map_or_else(
            || value.trim().to_string(),
            |zoned| zoned.timestamp().to_string(),
        )
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    mine: Option<bool>,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "deliveries/list.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<DeliveryView>,
    pager: Pager,
    mine: bool,
}

async fn list_deliveries(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let filter = DeliveryFilter {
        status: query.status.clone(),
        mine: query.mine,
    };
    let page = deliveries::list(
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
            ("status", query.status.clone()),
            ("mine", query.mine.map(|m| m.to_string())),
        ],
    );
    render(&ListPage {
        ctx: Ctx::of(&user, "deliveries"),
        items: page.items,
        pager,
        mine: query.mine == Some(true),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    serial_no: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    window_start: String,
    #[serde(default)]
    window_end: String,
    #[serde(default)]
    driver_id: String,
}

#[derive(Template)]
#[template(path = "deliveries/new.html")]
struct NewPage {
    ctx: Ctx,
    form: PlanForm,
    drivers: Vec<UserView>,
    errors: FieldErrors,
}

async fn drivers(state: &AppState, user: &PageUser) -> Vec<UserView> {
    let filter = UserFilter {
        role: Some("technician".into()),
        ..UserFilter::default()
    };
    staff::list(
        &state.app,
        &user.actor,
        &filter,
        PageRequest {
            page: None,
            per_page: Some(200),
        },
    )
    .await
    .map(|p| p.items)
    .unwrap_or_default()
}

async fn new_page(
    state: &AppState,
    user: &PageUser,
    form: PlanForm,
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
            ctx: Ctx::of(user, "deliveries"),
            form,
            drivers: drivers(state, user).await,
            errors,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    serial_no: Option<String>,
}

async fn new_delivery(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let form = PlanForm {
        serial_no: query.serial_no.unwrap_or_default(),
        ..PlanForm::default()
    };
    new_page(&state, &user, form, None).await
}

async fn create_delivery(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<PlanForm>,
) -> Result<Response, PageError> {
    let result = match super::returns::unit_by_serial(&state, &user, &form.serial_no).await {
        Ok(unit_id) => {
            let input = DeliveryInput {
                unit_id,
                place: form.place.clone(),
                window_start: local_to_rfc3339(&form.window_start),
                window_end: local_to_rfc3339(&form.window_end),
                driver_id: super::optional_id(&form.driver_id),
            };
            deliveries::create(&state.app, &user.actor, &input, None).await
        }
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |delivery| format!("/deliveries/{}", delivery.id),
        |err| new_page(&state, &user, form, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "deliveries/show.html")]
struct ShowPage {
    ctx: Ctx,
    delivery: DeliveryView,
    errors: FieldErrors,
}

impl ShowPage {
    fn offers(&self, event: &str) -> bool {
        self.delivery.next_events.iter().any(|e| e == event)
    }
    /// The driver's buttons show to the assigned driver and to the office.
    fn works(&self) -> bool {
        self.ctx.can("delivery.write")
            || (self.ctx.can("delivery.work")
                && self.ctx.user.as_ref().map(|u| u.user_id) == self.delivery.driver_id)
    }
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let delivery = deliveries::get(&state.app, &user.actor, id).await?;
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
            ctx: Ctx::of(user, "deliveries"),
            delivery,
            errors,
        },
    )
}

async fn show_delivery(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    event: String,
    address_confirmed: Option<String>,
    name_confirmed: Option<String>,
    time_confirmed: Option<String>,
    model_confirmed: Option<String>,
    unreachable: Option<String>,
    note: Option<String>,
    reason: Option<String>,
    #[serde(default)]
    window_start: String,
    #[serde(default)]
    window_end: String,
    greeting: Option<String>,
    shoe_covers: Option<String>,
    placed_as_asked: Option<String>,
    no_dragging: Option<String>,
    signature_png: Option<String>,
    defect_note: Option<String>,
}

async fn step_delivery(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let Some(event) = DeliveryEvent::parse(&form.event) else {
        return show_page(
            &state,
            &user,
            id,
            Some(AppError::invalid("event", "invalid_choice")),
        )
        .await;
    };
    let window = |text: &str| Some(local_to_rfc3339(text)).filter(|t| !t.is_empty());
    let input = DeliveryStepInput {
        version: form.version,
        address_confirmed: ticked(&form.address_confirmed),
        name_confirmed: ticked(&form.name_confirmed),
        time_confirmed: ticked(&form.time_confirmed),
        model_confirmed: ticked(&form.model_confirmed),
        unreachable: ticked(&form.unreachable),
        note: form.note.clone(),
        reason: form.reason.clone(),
        window_start: window(&form.window_start),
        window_end: window(&form.window_end),
        greeting: ticked(&form.greeting),
        shoe_covers: ticked(&form.shoe_covers),
        placed_as_asked: ticked(&form.placed_as_asked),
        no_dragging: ticked(&form.no_dragging),
        signature_png: form.signature_png.clone().filter(|s| !s.is_empty()),
        defect_note: form.defect_note.clone(),
    };
    let result = deliveries::step(&state.app, &user.actor, id, event, &input).await;
    form_outcome(
        result,
        |_| format!("/deliveries/{id}"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}
