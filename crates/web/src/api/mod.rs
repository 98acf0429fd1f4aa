//! The JSON API under `/api/v1`. Every route authenticates through [`ApiUser`] (bearer
//! token, or session cookie plus CSRF header), calls one use case and answers JSON; errors
//! use the one shape of [`crate::error::ErrorBody`].

mod accounting;
mod attachments;
mod billing;
mod calendars;
mod claims;
mod complaints;
mod contracts;
mod customers;
mod daily_reports;
mod deliveries;
mod ecom;
mod exchange;
pub(crate) mod fault_reports;
mod installations;
mod me;
mod monthly_statistics;
mod notifications;
mod on_call;
mod order_assist;
mod org;
mod parts;
mod performance;
mod products;
mod purchasing;
mod reports;
mod returns;
mod service_orders;
mod settings;
mod sla_policies;
mod staff;
mod staff_conduct;
mod suggestions;
mod supervision;
mod surveys;
mod tokens;
mod tools;
mod units;

use aftersales_app::idempotency::IdempotencyKey;
use aftersales_app::AppError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::Router;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

pub use crate::error::ApiError;
pub use crate::session::ApiUser;
use crate::AppState;
pub use attachments::file_response;
pub use reports::PeriodQuery;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(me::router())
        .merge(org::router())
        .merge(calendars::router())
        .merge(staff::router())
        .merge(customers::router())
        .merge(products::router())
        .merge(billing::router())
        .merge(accounting::router())
        .merge(reports::router())
        .merge(service_orders::router())
        .merge(order_assist::router())
        .merge(on_call::router())
        .merge(monthly_statistics::router())
        .merge(fault_reports::router())
        .merge(daily_reports::router())
        .merge(units::router())
        .merge(contracts::router())
        .merge(settings::router())
        .merge(sla_policies::router())
        .merge(notifications::router())
        .merge(tokens::router())
        .merge(attachments::router())
        .merge(exchange::router())
        .merge(surveys::router())
        .merge(staff_conduct::router())
        .merge(returns::router())
        .merge(deliveries::router())
        .merge(parts::router())
        .merge(complaints::router())
        .merge(claims::router())
        .merge(installations::router())
        .merge(ecom::router())
        .merge(performance::router())
        .merge(supervision::router())
        .merge(suggestions::router())
        .merge(purchasing::router())
        .merge(tools::router())
        .fallback(|| async { ApiError(AppError::NotFound) })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "aftersales API", description = "售后服务管理系统 JSON API. Authenticate with `Authorization: Bearer <token>` (tokens are created by administrators) or with the session cookie plus the `X-CSRF-Token` header. Money is integer fen; dates are YYYY-MM-DD; instants are RFC 3339 UTC. POSTs that create accept an `Idempotency-Key` header."),
    nest(
        (path = "/api/v1", api = me::Api),
        (path = "/api/v1", api = org::Api),
        (path = "/api/v1", api = calendars::Api),
        (path = "/api/v1", api = staff::Api),
        (path = "/api/v1", api = customers::Api),
        (path = "/api/v1", api = products::Api),
        (path = "/api/v1", api = billing::Api),
        (path = "/api/v1", api = accounting::Api),
        (path = "/api/v1", api = reports::Api),
        (path = "/api/v1", api = service_orders::Api),
        (path = "/api/v1", api = order_assist::Api),
        (path = "/api/v1", api = on_call::Api),
        (path = "/api/v1", api = monthly_statistics::Api),
        (path = "/api/v1", api = fault_reports::Api),
        (path = "/api/v1", api = daily_reports::Api),
        (path = "/api/v1", api = units::Api),
        (path = "/api/v1", api = contracts::Api),
        (path = "/api/v1", api = settings::Api),
        (path = "/api/v1", api = sla_policies::Api),
        (path = "/api/v1", api = notifications::Api),
        (path = "/api/v1", api = tokens::Api),
        (path = "/api/v1", api = attachments::Api),
        (path = "/api/v1", api = exchange::Api),
        (path = "/api/v1", api = surveys::Api),
        (path = "/api/v1", api = staff_conduct::Api),
        (path = "/api/v1", api = returns::Api),
        (path = "/api/v1", api = deliveries::Api),
        (path = "/api/v1", api = parts::Api),
        (path = "/api/v1", api = complaints::Api),
        (path = "/api/v1", api = claims::Api),
        (path = "/api/v1", api = installations::Api),
        (path = "/api/v1", api = ecom::Api),
        (path = "/api/v1", api = performance::Api),
        (path = "/api/v1", api = supervision::Api),
        (path = "/api/v1", api = suggestions::Api),
        (path = "/api/v1", api = purchasing::Api),
        (path = "/api/v1", api = tools::Api),
    ),
    components(schemas(crate::error::ErrorBody, crate::error::FieldErrorBody))
)]
pub struct ApiDoc;

pub async fn openapi_json() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}

/// A JSON body whose syntax or shape errors answer in the common error shape (422 naming
/// the field serde complained about).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => {
                let text = rejection.body_text();
                let field = text
                    .split("missing field `")
                    .nth(1)
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_string);
                Err(ApiError(match field {
                    Some(field) => AppError::invalid(&field, "required"),
                    None => AppError::invalid("body", "invalid_json"),
                }))
            }
        }
    }
}

/// The optional `Idempotency-Key` header.
pub struct Idempotency(pub Option<IdempotencyKey>);

impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get("idempotency-key") {
            None => Ok(Idempotency(None)),
            Some(value) => {
                let text = value.to_str().map_err(|_| {
                    ApiError(AppError::invalid(
                        "Idempotency-Key",
                        "invalid_idempotency_key",
                    ))
                })?;
                Ok(Idempotency(Some(IdempotencyKey::parse(text)?)))
            }
        }
    }
}

/// Query parameters whose errors also answer in the common error shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_html_form::from_str(query)
            .map(ApiQuery)
            .map_err(|_| ApiError(AppError::invalid("query", "invalid_query")))
    }
}

/// The body of `201 Created` answers.
pub fn created<T: serde::Serialize>(value: T) -> axum::response::Response {
    (axum::http::StatusCode::CREATED, axum::Json(value)).into_response()
}
