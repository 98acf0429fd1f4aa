//! Daily-report pages: "我的日报" for technicians (phone-friendly: refresh from the jobs, add
//! D lines, submit), the supervisor's branch report with each technician's totals and who is
//! missing, the branch manager's approve/return/forward buttons, and the A4 print views
//! 技术员工作日报表 and 服务主任日报表.

use aftersales_app::daily_reports::{
    self, BranchReportView, LineInput, ReasonInput, TechnicianReportView,
};
use aftersales_app::AppError;
use aftersales_domain::daily_report::{BranchReportEvent, InternalWork};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{is_form_error, redirect, render, render_with, CsrfForm, Ctx, FieldErrors, PageError};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/my-daily-report", get(my_report))
        .route("/daily-reports/branch", get(my_branch))
        .route(
            "/daily-reports/technician/{user_id}/{date}",
            get(show_technician),
        )
        .route(
            "/daily-reports/technician/{user_id}/{date}/action",
            post(technician_action),
        )
        .route(
            "/daily-reports/technician/{user_id}/{date}/print",
            get(print_technician),
        )
        .route(
            "/daily-reports/branch/{org_unit_id}/{date}",
            get(show_branch),
        )
        .route(
            "/daily-reports/branch/{org_unit_id}/{date}/step",
            post(branch_step),
        )
        .route(
            "/daily-reports/branch/{org_unit_id}/{date}/print",
            get(print_branch),
        )
}

/// `?date=` to jump to another day.
#[derive(Debug, Default, Deserialize)]
struct DateQuery {
    date: Option<String>,
}

fn chosen_date(state: &AppState, query: &DateQuery) -> String {
    query
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map_or_else(|| state.app.today().to_string(), str::to_string)
}

async fn my_report(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<DateQuery>,
) -> Result<Response, PageError> {
    user.actor
        .require(aftersales_domain::role::Permission::OrderWork)?;
    redirect(&format!(
        "/daily-reports/technician/{}/{}",
        user.actor.user_id,
        chosen_date(&state, &query)
    ))
}

async fn my_branch(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<DateQuery>,
) -> Result<Response, PageError> {
    user.actor
        .require(aftersales_domain::role::Permission::DailyReportRead)?;
    let branch = user.actor.org_unit_id.ok_or(AppError::NotFound)?;
    redirect(&format!(
        "/daily-reports/branch/{branch}/{}",
        chosen_date(&state, &query)
    ))
}

#[derive(Template)]
#[template(path = "daily_reports/technician.html")]
struct TechnicianPage {
    ctx: Ctx,
    report: TechnicianReportView,
    own: bool,
    kinds: &'static [InternalWork],
    errors: FieldErrors,
}

impl TechnicianPage {
    fn editable(&self) -> bool {
        self.own && self.report.status == "draft"
    }
    fn can_reopen(&self) -> bool {
        self.report.status == "submitted" && self.ctx.can("order.dispatch")
    }
}

async fn technician_page(
    state: &AppState,
    user: &PageUser,
    user_id: i64,
    date: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let report = daily_reports::technician_report(&state.app, &user.actor, user_id, date).await?;
    let own = user.actor.user_id == user_id;
    render_with(
        status,
        &TechnicianPage {
            ctx: Ctx::of(
                user,
                if own {
                    "my_daily_report"
                } else {
                    "daily_reports"
                },
            ),
            report,
            own,
            kinds: InternalWork::ALL,
            errors,
        },
    )
}

async fn show_technician(
    State(state): State<AppState>,
    user: PageUser,
    Path((user_id, date)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    technician_page(
        &state,
        &user,
        user_id,
        &date,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// One form for every step on the technician's report; `action` says which.
#[derive(Debug, Default, Deserialize)]
struct ActionForm {
    action: String,
    #[serde(default)]
    line_id: Option<i64>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
}

async fn technician_action(
    State(state): State<AppState>,
    user: PageUser,
    Path((user_id, date)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &user.actor;
    let result = match form.action.as_str() {
        "generate" => daily_reports::generate(app, actor, user_id, &date).await,
        "submit" => daily_reports::submit(app, actor, user_id, &date).await,
        "add_line" => match form.minutes.trim().parse::<i64>() {
            Ok(minutes) => {
                let input = LineInput {
                    kind: form.kind.clone(),
                    minutes,
                    note: Some(form.note.clone()).filter(|n| !n.trim().is_empty()),
                };
                daily_reports::add_line(app, actor, user_id, &date, &input).await
            }
            Err(_) => Err(AppError::invalid("minutes", "out_of_range")),
        },
        "remove_line" => {
            let line_id = form.line_id.ok_or(AppError::NotFound)?;
            daily_reports::remove_line(app, actor, user_id, &date, line_id).await
        }
        "reopen" => {
            let input = ReasonInput {
                reason: form.reason.clone(),
            };
            daily_reports::reopen(app, actor, user_id, &date, &input).await
        }
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(_) => redirect(&format!("/daily-reports/technician/{user_id}/{date}")),
        Err(err) if is_form_error(&err) => {
            let errors = FieldErrors::from_error(&err, user.lang, &[]);
            technician_page(
                &state,
                &user,
                user_id,
                &date,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => Err(PageError(err)),
    }
}

#[derive(Template)]
#[template(path = "daily_reports/technician_print.html")]
struct TechnicianPrint {
    ctx: Ctx,
    report: TechnicianReportView,
}

async fn print_technician(
    State(state): State<AppState>,
    user: PageUser,
    Path((user_id, date)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let report = daily_reports::technician_report(&state.app, &user.actor, user_id, &date).await?;
    render(&TechnicianPrint {
        ctx: Ctx::of(&user, "daily_reports"),
        report,
    })
}

#[derive(Template)]
#[template(path = "daily_reports/branch.html")]
struct BranchPage {
    ctx: Ctx,
    report: BranchReportView,
    errors: FieldErrors,
}

impl BranchPage {
    fn offers(&self, event: &str) -> bool {
        let permitted = match event {
            "submit" => self.ctx.can("order.dispatch"),
            _ => self.ctx.can("report.approve"),
        };
        permitted && self.report.next_events.iter().any(|e| e == event)
    }
}

async fn branch_page(
    state: &AppState,
    user: &PageUser,
    org_unit_id: i64,
    date: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let report = daily_reports::branch_report(&state.app, &user.actor, org_unit_id, date).await?;
    render_with(
        status,
        &BranchPage {
            ctx: Ctx::of(user, "daily_reports"),
            report,
            errors,
        },
    )
}

async fn show_branch(
    State(state): State<AppState>,
    user: PageUser,
    Path((org_unit_id, date)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    branch_page(
        &state,
        &user,
        org_unit_id,
        &date,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
struct StepForm {
    event: String,
    #[serde(default)]
    reason: String,
}

async fn branch_step(
    State(state): State<AppState>,
    user: PageUser,
    Path((org_unit_id, date)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let event = BranchReportEvent::parse(&form.event).ok_or(AppError::NotFound)?;
    let reason = Some(form.reason.as_str()).filter(|r| !r.trim().is_empty());
    match daily_reports::branch_step(&state.app, &user.actor, org_unit_id, &date, event, reason)
        .await
    {
        Ok(_) => redirect(&format!("/daily-reports/branch/{org_unit_id}/{date}")),
        Err(err) if is_form_error(&err) => {
            let errors = FieldErrors::from_error(&err, user.lang, &[]);
            branch_page(
                &state,
                &user,
                org_unit_id,
                &date,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => Err(PageError(err)),
    }
}

#[derive(Template)]
#[template(path = "daily_reports/branch_print.html")]
struct BranchPrint {
    ctx: Ctx,
    report: BranchReportView,
}

async fn print_branch(
    State(state): State<AppState>,
    user: PageUser,
    Path((org_unit_id, date)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let report = daily_reports::branch_report(&state.app, &user.actor, org_unit_id, &date).await?;
    render(&BranchPrint {
        ctx: Ctx::of(&user, "daily_reports"),
        report,
    })
}
