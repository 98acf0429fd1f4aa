//! Reports: SLA breaches by branch, technician and clock.

use aftersales_app::sla_watch::{self, BreachRow};
use aftersales_app::AppError;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::{ApiError, ApiQuery, ApiUser};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(paths(sla_breaches), components(schemas(BreachRow)))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/reports/sla-breaches", get(sla_breaches))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// First day of calls (YYYY-MM-DD, Asia/Shanghai); default: 30 days ago.
    pub from: Option<String>,
    /// Last day of calls; default: today.
    pub to: Option<String>,
}

impl PeriodQuery {
    /// The period asked for, defaulting to the last 30 days.
    pub fn dates(
        &self,
        today: jiff::civil::Date,
    ) -> Result<(jiff::civil::Date, jiff::civil::Date), AppError> {
        let parse = |field: &str, value: &Option<String>, default: jiff::civil::Date| match value
            .as_deref()
            .filter(|v| !v.is_empty())
        {
            Some(text) => aftersales_domain::validation::date(text)
                .map_err(|code| AppError::invalid(field, code)),
            None => Ok(default),
        };
        let to = parse("to", &self.to, today)?;
        let from = parse(
            "from",
            &self.from,
            to.saturating_sub(jiff::Span::new().days(30)),
        )?;
        Ok((from, to))
    }
}

/// Met, breached and running SLA clocks of the calls received in the period, by branch,
/// technician and clock.
#[utoipa::path(get, path = "/reports/sla-breaches", tag = "reports", params(PeriodQuery), responses((status = 200, body = [BreachRow]), (status = 422, body = crate::error::ErrorBody)))]
async fn sla_breaches(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<Vec<BreachRow>>, ApiError> {
    let (from, to) = query.dates(state.app.today())?;
    Ok(Json(
        sla_watch::breach_report(&state.app, &actor, from, to).await?,
    ))
}
