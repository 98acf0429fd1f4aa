//! Replenishment pages: reorder points with suggestions and the proposal, parts purchase
//! requests (raise from the proposal or by hand, approve, receive), and the parts reports
//! with their .xlsx exports.

use aftersales_app::page::PageRequest;
use aftersales_app::parts::{self, LocationView, PartFilter, PartView};
use aftersales_app::parts_reports::{self, Report, ReportQuery};
use aftersales_app::purchasing::{
    self, PurchaseRequestFilter, PurchaseRequestInput, PurchaseRequestView, ReorderInput,
    ReplenishmentFilter, ReplenishmentRow, RequestDecisionInput, RequestReceiptInput,
};
use aftersales_app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{form_outcome, optional_id, render_with, CsrfForm, Ctx, FieldErrors, PageError, Pager};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/replenishment", get(replenishment))
        .route("/replenishment/reorder-points", post(set_reorder))
        .route("/purchase-requests", get(requests).post(create_request))
        .route("/purchase-requests/{id}/{action}", post(request_action))
        .route("/parts-reports", get(reports))
}

/// Refusals are shown at the top, with the field's name: the forms are small and several
/// share one page.
pub(super) fn messages(error: &Option<AppError>, user: &PageUser) -> (StatusCode, FieldErrors) {
    match error {
        Some(err) => {
            let mut errors = FieldErrors::from_error(err, user.lang, &[]);
            for (field, message) in &mut errors.messages {
                if !field.is_empty() {
                    *message = format!("{}：{message}", user.lang.t(&format!("field.{field}")));
                    field.clear();
                }
            }
            (StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        None => (StatusCode::OK, FieldErrors::default()),
    }
}

pub(super) fn number(text: &str, field: &str) -> Result<i64, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::invalid(field, "invalid_number"))
}

pub(super) fn non_empty(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

// ---------------------------------------------------------------- replenishment

#[derive(Debug, Default, Deserialize)]
pub struct LocationQuery {
    location_id: Option<String>,
}

#[derive(Template)]
#[template(path = "purchasing/replenishment.html")]
struct ReplenishmentPage {
    ctx: Ctx,
    location_id: Option<i64>,
    locations: Vec<LocationView>,
    parts: Vec<PartView>,
    proposal: Vec<ReplenishmentRow>,
    levels: Vec<ReplenishmentRow>,
    errors: FieldErrors,
}

impl ReportsPage {
    fn is_kind(&self, kind: &&str) -> bool {
        *kind == self.kind
    }
}

impl ReplenishmentPage {
    fn selected(&self, id: &i64) -> bool {
        self.location_id == Some(*id)
    }
}

async fn replenishment_page(
    state: &AppState,
    user: &PageUser,
    location_id: Option<i64>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let filter = ReplenishmentFilter {
        location_id,
        proposal: None,
    };
    let levels = purchasing::replenishment(&state.app, &user.actor, &filter).await?;
    let proposal = levels.iter().filter(|r| r.to_order > 0).cloned().collect();
    let locations = parts::list_locations(&state.app, &user.actor)
        .await?
        .into_iter()
        .filter(|l| l.kind != "van")
        .collect();
    let parts = parts::list_parts(&state.app, &user.actor, &PartFilter::default()).await?;
    let (status, errors) = messages(&error, user);
    render_with(
        status,
        &ReplenishmentPage {
            ctx: Ctx::of(user, "replenishment"),
            location_id,
            locations,
            parts,
            proposal,
            levels,
            errors,
        },
    )
}

async fn replenishment(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<LocationQuery>,
) -> Result<Response, PageError> {
    let location_id = query.location_id.as_deref().and_then(optional_id);
    replenishment_page(&state, &user, location_id, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ReorderForm {
    #[serde(default)]
    part_id: String,
    #[serde(default)]
    location_id: String,
    #[serde(default)]
    reorder_point: String,
    #[serde(default)]
    order_quantity: String,
}

async fn set_reorder(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<ReorderForm>,
) -> Result<Response, PageError> {
    let location_id = optional_id(&form.location_id);
    let result = async {
        let input = ReorderInput {
            part_id: optional_id(&form.part_id)
                .ok_or_else(|| AppError::invalid("part_id", "required"))?,
            location_id: location_id.ok_or_else(|| AppError::invalid("location_id", "required"))?,
            reorder_point: number(&form.reorder_point, "reorder_point")?,
            order_quantity: number(&form.order_quantity, "order_quantity")?,
        };
        purchasing::set_reorder(&state.app, &user.actor, &input).await
    }
    .await;
    form_outcome(
        result,
        |row| format!("/replenishment?location_id={}", row.location_id),
        |err| replenishment_page(&state, &user, location_id, Some(err)),
    )
    .await
}

// ---------------------------------------------------------------- purchase requests

#[derive(Template)]
#[template(path = "purchasing/requests.html")]
struct RequestsPage {
    ctx: Ctx,
    requests: Vec<PurchaseRequestView>,
    pager: Pager,
    errors: FieldErrors,
}

async fn requests_page(
    state: &AppState,
    user: &PageUser,
    page: PageRequest,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let page = purchasing::list_requests(
        &state.app,
        &user.actor,
        &PurchaseRequestFilter::default(),
        page,
    )
    .await?;
    let (status, errors) = messages(&error, user);
    render_with(
        status,
        &RequestsPage {
            ctx: Ctx::of(user, "purchase_requests"),
            pager: Pager::new(&page, &[]),
            requests: page.items,
            errors,
        },
    )
}

async fn requests(
    State(state): State<AppState>,
    user: PageUser,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    requests_page(&state, &user, page, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    part_id: String,
    #[serde(default)]
    location_id: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    note: String,
}

/// Raised from a proposal row or the manual form on the replenishment page.
async fn create_request(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<RequestForm>,
) -> Result<Response, PageError> {
    let location_id = optional_id(&form.location_id);
    let result = async {
        let input = PurchaseRequestInput {
            part_id: optional_id(&form.part_id)
                .ok_or_else(|| AppError::invalid("part_id", "required"))?,
            location_id: location_id.ok_or_else(|| AppError::invalid("location_id", "required"))?,
            quantity: number(&form.quantity, "quantity")?,
            order_id: optional_id(&form.order_id),
            note: non_empty(&form.note),
        };
        purchasing::create_request(&state.app, &user.actor, &input).await
    }
    .await;
    form_outcome(
        result,
        |_| "/purchase-requests",
        |err| replenishment_page(&state, &user, location_id, Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    unit_cost: String,
    #[serde(default)]
    version: String,
}

/// approve, reject or receive.
async fn request_action(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    let result = async {
        let version = number(&form.version, "version")? as i32;
        match action.as_str() {
            "approve" | "reject" => {
                let input = RequestDecisionInput {
                    approve: action == "approve",
                    reason: non_empty(&form.reason),
                    version,
                };
                purchasing::decide_request(&state.app, &user.actor, id, &input).await
            }
            "receive" => {
                let unit_cost_fen = match non_empty(&form.unit_cost) {
                    Some(text) => Some(
                        aftersales_domain::money::parse_yuan(&text)
                            .map_err(|code| AppError::invalid("unit_cost_fen", code))?,
                    ),
                    None => None,
                };
                let input = RequestReceiptInput {
                    unit_cost_fen,
                    reason: non_empty(&form.reason),
                    version,
                };
                purchasing::receive_request(&state.app, &user.actor, id, &input).await
            }
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    form_outcome(
        result,
        |_| "/purchase-requests",
        |err| requests_page(&state, &user, PageRequest::default(), Some(err)),
    )
    .await
}

// ---------------------------------------------------------------- reports

#[derive(Debug, Default, Deserialize)]
pub struct ReportForm {
    kind: Option<String>,
    days: Option<String>,
}

#[derive(Template)]
#[template(path = "purchasing/reports.html")]
struct ReportsPage {
    ctx: Ctx,
    kinds: &'static [&'static str],
    kind: String,
    days: Option<i64>,
    report: Report,
}

async fn reports(
    State(state): State<AppState>,
    user: PageUser,
    Query(form): Query<ReportForm>,
) -> Result<Response, PageError> {
    let kind = form
        .kind
        .filter(|k| parts_reports::KINDS.contains(&k.as_str()))
        .unwrap_or_else(|| parts_reports::KINDS[0].to_string());
    let days = form.days.as_deref().and_then(optional_id);
    let report = parts_reports::report(
        &state.app,
        &user.actor,
        &kind,
        &ReportQuery { days },
        user.lang == crate::i18n::Lang::En,
    )
    .await?;
    render_with(
        StatusCode::OK,
        &ReportsPage {
            ctx: Ctx::of(&user, "parts_reports"),
            kinds: parts_reports::KINDS,
            kind,
            days,
            report,
        },
    )
}
