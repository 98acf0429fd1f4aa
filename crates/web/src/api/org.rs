//! Organisation units and districts.

use aftersales_app::org::{self, DistrictInput, DistrictView, OrgUnitInput, OrgUnitView};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_org_units,
        create_org_unit,
        get_org_unit,
        update_org_unit,
        list_districts,
        create_district,
        update_district
    ),
    components(schemas(OrgUnitInput, OrgUnitView, DistrictInput, DistrictView))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org-units", get(list_org_units).post(create_org_unit))
        .route("/org-units/{id}", get(get_org_unit).put(update_org_unit))
        .route("/districts", get(list_districts).post(create_district))
        .route("/districts/{id}", put(update_district))
}

/// All organisation units.
#[utoipa::path(get, path = "/org-units", tag = "organisation", responses((status = 200, body = [OrgUnitView])))]
async fn list_org_units(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<OrgUnitView>>, ApiError> {
    Ok(Json(org::list_units(&state.app, &actor).await?))
}

/// Creates a unit (admin).
#[utoipa::path(post, path = "/org-units", tag = "organisation", request_body = OrgUnitInput, responses((status = 201, body = OrgUnitView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_org_unit(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<OrgUnitInput>,
) -> Result<Response, ApiError> {
    Ok(created(org::create_unit(&state.app, &actor, &input).await?))
}

#[utoipa::path(get, path = "/org-units/{id}", tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = OrgUnitView), (status = 404, body = ErrorBody)))]
async fn get_org_unit(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<OrgUnitView>, ApiError> {
    Ok(Json(org::get_unit(&state.app, &actor, id).await?))
}

/// Updates a unit; `version` must be the one read (409 otherwise).
#[utoipa::path(put, path = "/org-units/{id}", tag = "organisation", params(("id" = i64, Path)), request_body = OrgUnitInput, responses((status = 200, body = OrgUnitView), (status = 409, body = ErrorBody)))]
async fn update_org_unit(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OrgUnitInput>,
) -> Result<Json<OrgUnitView>, ApiError> {
    Ok(Json(
        org::update_unit(&state.app, &actor, id, &input).await?,
    ))
}

/// All districts with their zone (urban/suburban).
#[utoipa::path(get, path = "/districts", tag = "organisation", responses((status = 200, body = [DistrictView])))]
async fn list_districts(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<DistrictView>>, ApiError> {
    Ok(Json(org::list_districts(&state.app, &actor).await?))
}

#[utoipa::path(post, path = "/districts", tag = "organisation", request_body = DistrictInput, responses((status = 201, body = DistrictView), (status = 422, body = ErrorBody)))]
async fn create_district(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<DistrictInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        org::create_district(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(put, path = "/districts/{id}", tag = "organisation", params(("id" = i64, Path)), request_body = DistrictInput, responses((status = 200, body = DistrictView), (status = 409, body = ErrorBody)))]
async fn update_district(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DistrictInput>,
) -> Result<Json<DistrictView>, ApiError> {
    Ok(Json(
        org::update_district(&state.app, &actor, id, &input).await?,
    ))
}
