//! The caller itself.

use aftersales_app::Actor;
use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use super::{ApiError, ApiJson, ApiUser};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(paths(get_me, set_my_locale), components(schemas(MeView, LocaleInput)))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(get_me))
        .route("/me/locale", put(set_my_locale))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MeView {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub org_unit_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub locale: Option<String>,
}

impl From<Actor> for MeView {
    fn from(actor: Actor) -> Self {
        MeView {
            user_id: actor.user_id,
            username: actor.username,
            display_name: actor.display_name,
            roles: actor.roles.iter().map(|r| r.as_str().to_string()).collect(),
            org_unit_id: actor.org_unit_id,
            customer_id: actor.customer_id,
            locale: actor.locale,
        }
    }
}

/// The signed-in user and its roles.
#[utoipa::path(get, path = "/me", tag = "me", responses((status = 200, body = MeView), (status = 401, body = crate::error::ErrorBody)))]
async fn get_me(ApiUser(actor): ApiUser) -> Json<MeView> {
    Json(actor.into())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LocaleInput {
    /// zh-CN or en.
    pub locale: String,
}

/// Saves the user's interface language.
#[utoipa::path(put, path = "/me/locale", tag = "me", request_body = LocaleInput, responses((status = 204), (status = 422, body = crate::error::ErrorBody)))]
async fn set_my_locale(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<LocaleInput>,
) -> Result<axum::http::StatusCode, ApiError> {
    aftersales_app::auth::set_locale(&state.app, &actor, &input.locale).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
