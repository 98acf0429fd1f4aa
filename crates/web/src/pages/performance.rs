//! Performance pages: the technicians' and the departments' monthly scorecards, with
//! server-rendered inline SVG bar charts (no script), a branch filter and .xlsx export.

use aftersales_app::org;
use aftersales_app::performance::{
    self, DepartmentScorecard, ScorecardFilter, TechnicianScorecard,
};
use aftersales_domain::org::OrgUnitKind;
use aftersales_domain::performance::bar_length;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::{optional_id, render, Ctx, PageError};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/performance", get(technicians))
        .route("/performance/departments", get(departments))
}

/// Longest bar, in SVG units; labels take the left 120.
const BAR_WIDTH: u32 = 180;
const ROW_HEIGHT: u32 = 22;

pub struct Bar {
    pub label: String,
    pub value: String,
    pub length: u32,
    /// Top of the row.
    pub y: u32,
}

/// A horizontal bar chart drawn as inline SVG.
pub struct Chart {
    pub id: &'static str,
    pub title_key: &'static str,
    pub bars: Vec<Bar>,
}

impl Chart {
    /// Bars for `(label, value)` on a scale whose longest bar is `max`; values without data
    /// draw no bar and show "—".
    pub fn new(
        id: &'static str,
        title_key: &'static str,
        max: f64,
        values: impl IntoIterator<Item = (String, Option<f64>)>,
    ) -> Chart {
        let bars = values
            .into_iter()
            .enumerate()
            .map(|(idx, (label, value))| Bar {
                label,
                value: value.map_or_else(|| "—".to_string(), |v| v.to_string()),
                length: value.map_or(0, |v| bar_length(v, max, BAR_WIDTH)),
                y: idx as u32 * ROW_HEIGHT,
            })
            .collect();
        Chart {
            id,
            title_key,
            bars,
        }
    }
    pub fn height(&self) -> u32 {
        (self.bars.len() as u32).max(1) * ROW_HEIGHT
    }
}

#[derive(Debug, Default, Deserialize)]
struct FilterQuery {
    month: Option<String>,
    org_unit_id: Option<String>,
}

impl FilterQuery {
    fn filter(&self) -> ScorecardFilter {
        ScorecardFilter {
            month: self.month.clone(),
            org_unit_id: self.org_unit_id.as_deref().and_then(optional_id),
        }
    }
}

/// Branches for the filter (the units that take calls), the chosen one marked.
async fn branches(
    state: &AppState,
    user: &PageUser,
    chosen: Option<i64>,
) -> Result<Vec<(i64, String, bool)>, PageError> {
    Ok(org::list_units(&state.app, &user.actor)
        .await?
        .into_iter()
        .filter(|u| u.kind != OrgUnitKind::Department.as_str())
        .map(|u| (u.id, u.name, chosen == Some(u.id)))
        .collect())
}

/// The export link for a scorecard with the page's filter.
fn export_url(kind: &str, month: &str, branch: Option<i64>) -> String {
    match branch {
        Some(unit) => format!("/api/v1/performance/{kind}/export?month={month}&org_unit_id={unit}"),
        None => format!("/api/v1/performance/{kind}/export?month={month}"),
    }
}

#[derive(Template)]
#[template(path = "performance/technicians.html")]
struct TechniciansPage {
    ctx: Ctx,
    card: TechnicianScorecard,
    branches: Vec<(i64, String, bool)>,
    branch: Option<i64>,
    charts: Vec<Chart>,
}

impl TechniciansPage {
    fn num(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "—".to_string(), |v| v.to_string())
    }
    fn export_url(&self) -> String {
        export_url("technicians", &self.card.month, self.branch)
    }
}

async fn technicians(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<FilterQuery>,
) -> Result<Response, PageError> {
    let filter = query.filter();
    let card = performance::technicians(&state.app, &user.actor, &filter).await?;
    let rating = Chart::new(
        "chart-rating",
        "performance.chart_rating",
        4.0,
        card.technicians
            .iter()
            .map(|t| (t.name.clone(), t.average_rating)),
    );
    let sla = Chart::new(
        "chart-sla",
        "performance.chart_sla",
        100.0,
        card.technicians
            .iter()
            .map(|t| (t.name.clone(), t.sla_compliance)),
    );
    render(&TechniciansPage {
        ctx: Ctx::of(&user, "performance"),
        branches: branches(&state, &user, filter.org_unit_id).await?,
        branch: filter.org_unit_id,
        charts: vec![rating, sla],
        card,
    })
}

#[derive(Template)]
#[template(path = "performance/departments.html")]
struct DepartmentsPage {
    ctx: Ctx,
    card: DepartmentScorecard,
    branches: Vec<(i64, String, bool)>,
    branch: Option<i64>,
    charts: Vec<Chart>,
}

impl DepartmentsPage {
    fn num(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "—".to_string(), |v| v.to_string())
    }
    fn export_url(&self) -> String {
        export_url("departments", &self.card.month, self.branch)
    }
}

async fn departments(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<FilterQuery>,
) -> Result<Response, PageError> {
    let filter = query.filter();
    let card = performance::departments(&state.app, &user.actor, &filter).await?;
    let most = card.by_type.iter().map(|r| r.count).max().unwrap_or(0);
    let by_type = Chart::new(
        "chart-types",
        "performance.chart_types",
        f64::from(most),
        card.by_type.iter().map(|r| {
            (
                user.lang
                    .t(&format!("complaint.type_{}", r.code))
                    .to_string(),
                Some(f64::from(r.count)),
            )
        }),
    );
    let timeliness = Chart::new(
        "chart-timeliness",
        "performance.chart_timeliness",
        100.0,
        card.departments.iter().map(|d| {
            (
                user.lang
                    .text(&format!("complaint.dept_{}", d.department))
                    .unwrap_or(&d.department)
                    .to_string(),
                d.on_time_rate,
            )
        }),
    );
    render(&DepartmentsPage {
        ctx: Ctx::of(&user, "performance_departments"),
        branches: branches(&state, &user, filter.org_unit_id).await?,
        branch: filter.org_unit_id,
        charts: vec![by_type, timeliness],
        card,
    })
}
