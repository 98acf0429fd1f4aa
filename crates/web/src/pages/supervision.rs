//! Supervision pages: staff evaluations and logged activities (`/supervision`), visit
//! coverage with plans and due visits (`/supervision/visits`), the hotline re-check
//! (`/supervision/recheck`) and mystery-shopper reports (`/mystery-shopper-reports`, which
//! answer 404 outside the supervision department).

use aftersales_app::page::PageRequest;
use aftersales_app::staff::{self, UserFilter};
use aftersales_app::supervision::{
    self, ActivityFilter, ActivityInput, ActivityView, CoverageRow, EvaluationFilter,
    EvaluationInput, EvaluationView, MysteryReportInput, MysteryReportView, RecheckFilter,
    RecheckInput, RecheckReport, VisitPlanInput, VisitTaskView,
};
use aftersales_app::{org, AppError};
use aftersales_domain::org::OrgUnitKind;
use aftersales_domain::supervision::ActivityKind;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, optional_id, pager_pair, render_with, CsrfForm, Ctx, FieldErrors, PageError,
    Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision", get(overview))
        .route("/supervision/evaluations", post(evaluate))
        .route("/supervision/activities", post(log_activity))
        .route("/supervision/visits", get(visits))
        .route("/supervision/visit-plans", post(save_plan))
        .route("/supervision/recheck", get(recheck))
        .route("/supervision/recheck/{id}", post(record_recheck))
        .route(
            "/mystery-shopper-reports",
            get(mystery_reports).post(file_mystery_report),
        )
}

/// The status and field messages of a refused form (`failed` names which form).
fn outcome(error: Option<&AppError>, user: &PageUser) -> (StatusCode, FieldErrors) {
    match error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    }
}

/// Staff members (not portal users) the actor sees, as (id, name).
async fn staff_options(state: &AppState, user: &PageUser) -> Result<Vec<(i64, String)>, PageError> {
    Ok(staff::list(
        &state.app,
        &user.actor,
        &UserFilter::default(),
        PageRequest {
            page: None,
            per_page: Some(200),
        },
    )
    .await?
    .items
    .into_iter()
    .filter(|u| u.customer_id.is_none())
    .map(|u| (u.id, u.display_name))
    .collect())
}

async fn branch_options(
    state: &AppState,
    user: &PageUser,
) -> Result<Vec<(i64, String)>, PageError> {
    Ok(org::list_units(&state.app, &user.actor)
        .await?
        .into_iter()
        .filter(|u| u.kind != OrgUnitKind::Department.as_str())
        .map(|u| (u.id, u.name))
        .collect())
}

fn text(value: String) -> Option<String> {
    Some(value).filter(|v| !v.trim().is_empty())
}

fn score(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

// ----- evaluations and activities -----

#[derive(Template)]
#[template(path = "supervision/overview.html")]
struct OverviewPage {
    ctx: Ctx,
    evaluations: Vec<EvaluationView>,
    evaluations_pager: Pager,
    activities: Vec<ActivityView>,
    activities_pager: Pager,
    staff: Vec<(i64, String)>,
    branches: Vec<(i64, String)>,
    customers: Vec<CoverageRow>,
    kinds: Vec<&'static str>,
    today: String,
    /// The refused form: "evaluation" or "activity".
    failed: &'static str,
    errors: FieldErrors,
}

/// Where the overview's two lists stand.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
struct OverviewPages {
    evaluation_page: Option<u64>,
    activity_page: Option<u64>,
}

async fn overview_page(
    state: &AppState,
    user: &PageUser,
    pages: OverviewPages,
    failed: &'static str,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let evaluations = supervision::evaluations(
        &state.app,
        &user.actor,
        &EvaluationFilter::default(),
        PageRequest::numbered(pages.evaluation_page),
    )
    .await?;
    let activities = supervision::activities(
        &state.app,
        &user.actor,
        &ActivityFilter::default(),
        PageRequest::numbered(pages.activity_page),
    )
    .await?;
    let (evaluations_pager, activities_pager) = pager_pair(
        ["evaluation_page", "activity_page"],
        [pages.evaluation_page, pages.activity_page],
        &evaluations,
        &activities,
    );
    let writes = user
        .actor
        .can(aftersales_domain::role::Permission::SupervisionWrite);
    let (staff, branches, customers) = if writes {
        (
            staff_options(state, user).await?,
            branch_options(state, user).await?,
            supervision::coverage(&state.app, &user.actor, false).await?,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let (status, errors) = outcome(error.as_ref(), user);
    render_with(
        status,
        &OverviewPage {
            ctx: Ctx::of(user, "supervision"),
            evaluations: evaluations.items,
            evaluations_pager,
            activities: activities.items,
            activities_pager,
            staff,
            branches,
            customers,
            kinds: ActivityKind::ALL.iter().map(|k| k.as_str()).collect(),
            today: state.app.today().to_string(),
            failed,
            errors,
        },
    )
}

async fn overview(
    State(state): State<AppState>,
    user: PageUser,
    Query(pages): Query<OverviewPages>,
) -> Result<Response, PageError> {
    overview_page(&state, &user, pages, "", None).await
}

#[derive(Deserialize)]
struct EvaluationForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    attitude: String,
    #[serde(default)]
    knowledge: String,
    #[serde(default)]
    communication: String,
    #[serde(default)]
    remarks: String,
}

async fn evaluate(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<EvaluationForm>,
) -> Result<Response, PageError> {
    let input = EvaluationInput {
        staff_id: optional_id(&form.staff_id).unwrap_or(0),
        period: form.period,
        attitude: score(&form.attitude),
        knowledge: score(&form.knowledge),
        communication: score(&form.communication),
        remarks: text(form.remarks),
    };
    let result = supervision::evaluate(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |_| "/supervision",
        |err| {
            overview_page(
                &state,
                &user,
                OverviewPages::default(),
                "evaluation",
                Some(err),
            )
        },
    )
    .await
}

#[derive(Deserialize)]
struct ActivityForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    org_unit_id: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    compliant: String,
}

async fn log_activity(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<ActivityForm>,
) -> Result<Response, PageError> {
    let input = ActivityInput {
        kind: form.kind,
        customer_id: optional_id(&form.customer_id),
        org_unit_id: optional_id(&form.org_unit_id),
        held_on: form.held_on,
        title: form.title,
        participants: text(form.participants),
        minutes: text(form.minutes),
        compliant: match form.compliant.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
    };
    let result = supervision::log_activity(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |_| "/supervision",
        |err| {
            overview_page(
                &state,
                &user,
                OverviewPages::default(),
                "activity",
                Some(err),
            )
        },
    )
    .await
}

// ----- visit coverage -----

#[derive(Template)]
#[template(path = "supervision/visits.html")]
struct VisitsPage {
    ctx: Ctx,
    coverage: Vec<CoverageRow>,
    tasks: Vec<VisitTaskView>,
    staff: Vec<(i64, String)>,
    errors: FieldErrors,
}

async fn visits_page(
    state: &AppState,
    user: &PageUser,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let coverage = supervision::coverage(&state.app, &user.actor, false).await?;
    let tasks = supervision::open_visit_tasks(&state.app, &user.actor).await?;
    let staff = if user
        .actor
        .can(aftersales_domain::role::Permission::SupervisionWrite)
    {
        staff_options(state, user).await?
    } else {
        Vec::new()
    };
    let (status, errors) = outcome(error.as_ref(), user);
    render_with(
        status,
        &VisitsPage {
            ctx: Ctx::of(user, "supervision_visits"),
            coverage,
            tasks,
            staff,
            errors,
        },
    )
}

async fn visits(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    visits_page(&state, &user, None).await
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    note: String,
}

async fn save_plan(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<PlanForm>,
) -> Result<Response, PageError> {
    let input = VisitPlanInput {
        customer_id: optional_id(&form.customer_id).unwrap_or(0),
        owner_id: optional_id(&form.owner_id).unwrap_or(0),
        note: text(form.note),
    };
    let result = supervision::save_visit_plan(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |_| "/supervision/visits",
        |err| visits_page(&state, &user, Some(err)),
    )
    .await
}

// ----- hotline re-check -----

#[derive(Debug, Default, Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

#[derive(Template)]
#[template(path = "supervision/recheck.html")]
struct RecheckPage {
    ctx: Ctx,
    report: RecheckReport,
    failed: i64,
    errors: FieldErrors,
}

async fn recheck_page(
    state: &AppState,
    user: &PageUser,
    month: Option<String>,
    failed: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let report =
        supervision::recheck_report(&state.app, &user.actor, &RecheckFilter { month }).await?;
    let (status, errors) = outcome(error.as_ref(), user);
    render_with(
        status,
        &RecheckPage {
            ctx: Ctx::of(user, "supervision_recheck"),
            report,
            failed,
            errors,
        },
    )
}

async fn recheck(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<MonthQuery>,
) -> Result<Response, PageError> {
    recheck_page(&state, &user, query.month, 0, None).await
}

#[derive(Deserialize)]
struct RecheckForm {
    #[serde(default)]
    handled_correctly: String,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    month: String,
}

async fn record_recheck(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RecheckForm>,
) -> Result<Response, PageError> {
    let input = RecheckInput {
        handled_correctly: match form.handled_correctly.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        finding: text(form.finding),
    };
    let result = supervision::record_recheck(&state.app, &user.actor, id, &input).await;
    let back = format!("/supervision/recheck?month={}", form.month);
    form_outcome(
        result,
        |_| back,
        |err| recheck_page(&state, &user, text(form.month.clone()), id, Some(err)),
    )
    .await
}

// ----- mystery shoppers -----

#[derive(Template)]
#[template(path = "supervision/mystery.html")]
struct MysteryPage {
    ctx: Ctx,
    reports: Vec<MysteryReportView>,
    pager: Pager,
    branches: Vec<(i64, String)>,
    today: String,
    errors: FieldErrors,
}

async fn mystery_page(
    state: &AppState,
    user: &PageUser,
    page: PageRequest,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    // Answers 404 before anything is shown to a user outside the supervision department.
    let reports = supervision::mystery_reports(&state.app, &user.actor, page).await?;
    let (status, errors) = outcome(error.as_ref(), user);
    render_with(
        status,
        &MysteryPage {
            ctx: Ctx::of(user, "mystery_shoppers"),
            pager: Pager::new(&reports, &[]),
            reports: reports.items,
            branches: branch_options(state, user).await?,
            today: state.app.today().to_string(),
            errors,
        },
    )
}

async fn mystery_reports(
    State(state): State<AppState>,
    user: PageUser,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    mystery_page(&state, &user, page, None).await
}

#[derive(Deserialize)]
struct MysteryForm {
    #[serde(default)]
    org_unit_id: String,
    #[serde(default)]
    shopper_name: String,
    #[serde(default)]
    shopper_contact: String,
    #[serde(default)]
    visited_on: String,
    #[serde(default)]
    service_order_id: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    findings: String,
}

async fn file_mystery_report(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<MysteryForm>,
) -> Result<Response, PageError> {
    let input = MysteryReportInput {
        org_unit_id: optional_id(&form.org_unit_id).unwrap_or(0),
        shopper_name: form.shopper_name,
        shopper_contact: text(form.shopper_contact),
        visited_on: form.visited_on,
        service_order_id: optional_id(&form.service_order_id),
        score: score(&form.score),
        findings: text(form.findings),
    };
    let result = supervision::file_mystery_report(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |_| "/mystery-shopper-reports",
        |err| mystery_page(&state, &user, PageRequest::default(), Some(err)),
    )
    .await
}
