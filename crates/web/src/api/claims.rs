//! Claims (索赔): claim types with their standard steps, claims, their actions and the
//! prevention report.

use aftersales_app::claims::{
    self, CauseGroup, ClaimActionInput, ClaimFilter, ClaimInput, ClaimTypeInput, ClaimTypeView,
    ClaimView,
};
use aftersales_app::page::{Page, PageRequest};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_claim_types,
        create_claim_type,
        list_claims,
        register_claim,
        get_claim,
        act_on_claim,
        claim_prevention_report
    ),
    components(schemas(
        ClaimTypeInput,
        ClaimTypeView,
        ClaimInput,
        ClaimView,
        ClaimActionInput,
        CauseGroup
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/claim-types",
            get(list_claim_types).post(create_claim_type),
        )
        .route("/claims", get(list_claims).post(register_claim))
        .route("/claims/{id}", get(get_claim))
        .route("/claims/{id}/actions", post(act_on_claim))
        .route("/claim-reports/prevention", get(claim_prevention_report))
}

/// The active claim types with their standard steps.
#[utoipa::path(get, path = "/claim-types", tag = "claims", responses((status = 200, body = Vec<ClaimTypeView>)))]
async fn list_claim_types(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<ClaimTypeView>>, ApiError> {
    Ok(Json(claims::types(&state.app, &actor).await?))
}

/// Configures a claim type and its standard steps (one per line).
#[utoipa::path(post, path = "/claim-types", tag = "claims", request_body = ClaimTypeInput,
    responses((status = 201, body = ClaimTypeView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_claim_type(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ClaimTypeInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        claims::create_type(&state.app, &actor, &input).await?,
    ))
}

/// Claims in the actor's scope, newest first.
#[utoipa::path(get, path = "/claims", tag = "claims", params(ClaimFilter, PageRequest), responses((status = 200, body = Page<ClaimView>)))]
async fn list_claims(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ClaimFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<ClaimView>>, ApiError> {
    Ok(Json(claims::list(&state.app, &actor, &filter, page).await?))
}

/// Records a claim, whatever the amount.
#[utoipa::path(post, path = "/claims", tag = "claims", request_body = ClaimInput,
    responses((status = 201, body = ClaimView), (status = 422, body = ErrorBody)))]
async fn register_claim(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ClaimInput>,
) -> Result<Response, ApiError> {
    Ok(created(claims::register(&state.app, &actor, &input).await?))
}

#[utoipa::path(get, path = "/claims/{id}", tag = "claims", params(("id" = i64, Path)),
    responses((status = 200, body = ClaimView), (status = 404, body = ErrorBody)))]
async fn get_claim(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ClaimView>, ApiError> {
    Ok(Json(claims::get(&state.app, &actor, id).await?))
}

/// complete_step, countermeasure, purchasing_outcome, close (claim.write) or review (the
/// sales manager, claim.review).
#[utoipa::path(post, path = "/claims/{id}/actions", tag = "claims", params(("id" = i64, Path)), request_body = ClaimActionInput,
    responses((status = 200, body = ClaimView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn act_on_claim(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ClaimActionInput>,
) -> Result<Json<ClaimView>, ApiError> {
    Ok(Json(claims::act(&state.app, &actor, id, &input).await?))
}

/// Claims grouped by cause with their preventive actions.
#[utoipa::path(get, path = "/claim-reports/prevention", tag = "claims", responses((status = 200, body = Vec<CauseGroup>)))]
async fn claim_prevention_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<CauseGroup>>, ApiError> {
    Ok(Json(claims::prevention_report(&state.app, &actor).await?))
}
