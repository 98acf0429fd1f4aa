//! Installation and commissioning (安装调试): installation companies, work orders with every
//! step of their state machine, and the provider scorecards.

use aftersales_app::installations::{
    self, InstallationEventView, InstallationFilter, InstallationInput, InstallationStepInput,
    InstallationView, InstallerInput, InstallerView, ProviderInput, ProviderScoreView,
    ProviderUserInput, ProviderUserView, ProviderView,
};
use aftersales_app::page::{Page, PageRequest};
use aftersales_app::AppError;
use aftersales_domain::installation::InstallationEvent;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser, Idempotency};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_installations,
        create_installation,
        get_installation,
        step_installation,
        list_providers,
        create_provider,
        get_provider,
        update_provider,
        add_provider_user,
        list_scorecards
    ),
    components(schemas(
        InstallationInput,
        InstallationStepInput,
        InstallationView,
        InstallationEventView,
        InstallerInput,
        InstallerView,
        ProviderInput,
        ProviderView,
        ProviderUserInput,
        ProviderUserView,
        ProviderScoreView
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/installations",
            get(list_installations).post(create_installation),
        )
        .route("/installations/{id}", get(get_installation))
        .route("/installations/{id}/{event}", post(step_installation))
        .route(
            "/installation-providers",
            get(list_providers).post(create_provider),
        )
        .route(
            "/installation-providers/{id}",
            get(get_provider).put(update_provider),
        )
        .route(
            "/installation-providers/{id}/users",
            post(add_provider_user),
        )
        .route("/installation-scorecards", get(list_scorecards))
}

/// Installation orders in the caller's scope (an installer: its company's only).
#[utoipa::path(get, path = "/installations", tag = "installations", params(InstallationFilter, PageRequest), responses((status = 200, body = Page<InstallationView>)))]
async fn list_installations(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<InstallationFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<InstallationView>>, ApiError> {
    Ok(Json(
        installations::list(&state.app, &actor, &filter, page).await?,
    ))
}

/// Records an installation order by hand (sales of products needing installation record
/// theirs automatically).
#[utoipa::path(post, path = "/installations", tag = "installations", request_body = InstallationInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = InstallationView), (status = 422, body = ErrorBody)))]
async fn create_installation(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Idempotency(key): Idempotency,
    ApiJson(input): ApiJson<InstallationInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        installations::create(&state.app, &actor, &input, key.as_ref()).await?,
    ))
}

#[utoipa::path(get, path = "/installations/{id}", tag = "installations", params(("id" = i64, Path)), responses((status = 200, body = InstallationView), (status = 404, body = ErrorBody)))]
async fn get_installation(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<InstallationView>, ApiError> {
    Ok(Json(installations::get(&state.app, &actor, id).await?))
}

/// One step: send, acknowledge, decline, commission, complete, follow_up or cancel. An
/// impossible step answers 409 `invalid_transition`; a stale `version` 409 `stale`.
#[utoipa::path(post, path = "/installations/{id}/{event}", tag = "installations", params(("id" = i64, Path), ("event" = String, Path)), request_body = InstallationStepInput,
    responses((status = 200, body = InstallationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step_installation(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, event)): Path<(i64, String)>,
    ApiJson(input): ApiJson<InstallationStepInput>,
) -> Result<Json<InstallationView>, ApiError> {
    let event = InstallationEvent::parse(&event).ok_or(ApiError(AppError::NotFound))?;
    Ok(Json(
        installations::step(&state.app, &actor, id, event, &input).await?,
    ))
}

#[utoipa::path(get, path = "/installation-providers", tag = "installations", responses((status = 200, body = Vec<ProviderView>)))]
async fn list_providers(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<ProviderView>>, ApiError> {
    Ok(Json(
        installations::list_providers(&state.app, &actor).await?,
    ))
}

#[utoipa::path(post, path = "/installation-providers", tag = "installations", request_body = ProviderInput,
    responses((status = 201, body = ProviderView), (status = 422, body = ErrorBody)))]
async fn create_provider(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ProviderInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        installations::create_provider(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/installation-providers/{id}", tag = "installations", params(("id" = i64, Path)), responses((status = 200, body = ProviderView), (status = 404, body = ErrorBody)))]
async fn get_provider(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ProviderView>, ApiError> {
    Ok(Json(
        installations::get_provider(&state.app, &actor, id).await?,
    ))
}

#[utoipa::path(put, path = "/installation-providers/{id}", tag = "installations", params(("id" = i64, Path)), request_body = ProviderInput,
    responses((status = 200, body = ProviderView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_provider(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProviderInput>,
) -> Result<Json<ProviderView>, ApiError> {
    Ok(Json(
        installations::update_provider(&state.app, &actor, id, &input).await?,
    ))
}

/// Gives an existing installer sign-in to the company.
#[utoipa::path(post, path = "/installation-providers/{id}/users", tag = "installations", params(("id" = i64, Path)), request_body = ProviderUserInput,
    responses((status = 200, body = ProviderView), (status = 422, body = ErrorBody)))]
async fn add_provider_user(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProviderUserInput>,
) -> Result<Json<ProviderView>, ApiError> {
    Ok(Json(
        installations::add_provider_user(&state.app, &actor, id, &input).await?,
    ))
}

/// Each company's orders, on-time send / acknowledgement / completion and average
/// follow-up rating.
#[utoipa::path(get, path = "/installation-scorecards", tag = "installations", responses((status = 200, body = Vec<ProviderScoreView>)))]
async fn list_scorecards(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<ProviderScoreView>>, ApiError> {
    Ok(Json(installations::scorecards(&state.app, &actor).await?))
}
