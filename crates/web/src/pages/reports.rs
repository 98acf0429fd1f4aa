//! Report pages: the SLA breach report.

use aftersales_app::sla_watch::{self, BreachRow};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::{render, Ctx, PageError};
use crate::api::PeriodQuery;
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/reports/sla-breaches", get(sla_breaches))
}

#[derive(Template)]
#[template(path = "reports/sla_breaches.html")]
struct BreachPage {
    ctx: Ctx,
    rows: Vec<BreachRow>,
    from: String,
    to: String,
}

async fn sla_breaches(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let (from, to) = query.dates(state.app.today())?;
    let rows = sla_watch::breach_report(&state.app, &user.actor, from, to).await?;
    render(&BreachPage {
        ctx: Ctx::of(&user, "reports"),
        rows,
        from: from.to_string(),
        to: to.to_string(),
    })
}
