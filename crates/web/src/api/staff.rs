//! Staff, roles, skills and qualifications.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::staff::{
    self, QualificationInput, QualificationView, UserFilter, UserInput, UserView,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_staff,
        create_staff,
        get_staff,
        update_staff,
        add_qualification,
        remove_qualification
    ),
    components(schemas(UserInput, UserView, QualificationInput, QualificationView))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff", get(list_staff).post(create_staff))
        .route("/staff/{id}", get(get_staff).put(update_staff))
        .route("/staff/{id}/qualifications", post(add_qualification))
        .route(
            "/staff/{id}/qualifications/{qualification_id}",
            delete(remove_qualification),
        )
}

/// Staff and portal users the caller may see, filtered and paginated.
#[utoipa::path(get, path = "/staff", tag = "staff", params(UserFilter, PageRequest), responses((status = 200, body = Page<UserView>)))]
async fn list_staff(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<UserFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<UserView>>, ApiError> {
    Ok(Json(staff::list(&state.app, &actor, &filter, page).await?))
}

#[utoipa::path(post, path = "/staff", tag = "staff", request_body = UserInput, responses((status = 201, body = UserView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_staff(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<UserInput>,
) -> Result<Response, ApiError> {
    Ok(created(staff::create(&state.app, &actor, &input).await?))
}

#[utoipa::path(get, path = "/staff/{id}", tag = "staff", params(("id" = i64, Path)), responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
async fn get_staff(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(staff::get(&state.app, &actor, id).await?))
}

#[utoipa::path(put, path = "/staff/{id}", tag = "staff", params(("id" = i64, Path)), request_body = UserInput, responses((status = 200, body = UserView), (status = 409, body = ErrorBody)))]
async fn update_staff(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<UserInput>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(staff::update(&state.app, &actor, id, &input).await?))
}

/// Records a certificate or training (STAFF-1).
#[utoipa::path(post, path = "/staff/{id}/qualifications", tag = "staff", params(("id" = i64, Path)), request_body = QualificationInput, responses((status = 201, body = QualificationView), (status = 422, body = ErrorBody)))]
async fn add_qualification(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<QualificationInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        staff::add_qualification(&state.app, &actor, id, &input).await?,
    ))
}

#[utoipa::path(delete, path = "/staff/{id}/qualifications/{qualification_id}", tag = "staff", params(("id" = i64, Path), ("qualification_id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn remove_qualification(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, qualification_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    staff::remove_qualification(&state.app, &actor, id, qualification_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
