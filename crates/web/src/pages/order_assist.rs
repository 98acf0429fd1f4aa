//! The help an order gets besides its technician's work, on the order page: tasks for experts,
//! specialists and departments (DISPATCH-7, REPAIR-7/8, SOFTWARE-4), the technician's lateness
//! notice (DISPATCH-5) and the development lead's decision on a requirement (SOFTWARE-3); and
//! the page of tasks waiting for the signed-in user.

use aftersales_app::order_tasks::{self, AssignInput, CloseInput, TaskInput, TaskView};
use aftersales_app::requirement_evaluations::{self, EvaluationInput};
use aftersales_app::service_orders::{self, LatenessInput};
use aftersales_app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::service_orders::{local_to_instant, show_page};
use super::{form_outcome, optional_id, render, CsrfForm, Ctx, PageError};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/order-tasks", get(waiting_tasks))
        .route("/service-orders/{id}/tasks", post(open_task))
        .route("/order-tasks/{id}/assign", post(assign_task))
        .route("/order-tasks/{id}/close", post(close_task))
        .route("/service-orders/{id}/lateness", post(report_lateness))
        .route(
            "/service-orders/{id}/requirement-decision",
            post(decide_requirement),
        )
}

#[derive(Template)]
#[template(path = "service_orders/tasks.html")]
struct TasksPage {
    ctx: Ctx,
    tasks: Vec<TaskView>,
}

async fn waiting_tasks(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let tasks = order_tasks::waiting_for(&state.app, &user.actor).await?;
    render(&TasksPage {
        ctx: Ctx::of(&user, "order_tasks"),
        tasks,
    })
}

async fn open_task(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(input): CsrfForm<TaskInput>,
) -> Result<Response, PageError> {
    form_outcome(
        order_tasks::open(&state.app, &user.actor, id, &input).await,
        |_| format!("/service-orders/{id}#tasks"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Debug, Deserialize)]
struct AssignForm {
    version: i32,
    #[serde(default)]
    assignee_id: String,
}

async fn assign_task(
    State(state): State<AppState>,
    user: PageUser,
    Path(task_id): Path<i64>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<Response, PageError> {
    let result = match optional_id(&form.assignee_id) {
        Some(assignee_id) => {
            let input = AssignInput {
                version: form.version,
                assignee_id,
            };
            order_tasks::assign(&state.app, &user.actor, task_id, &input).await
        }
        None => Err(AppError::invalid("assignee_id", "required")),
    };
    task_outcome(&state, &user, task_id, result).await
}

#[derive(Debug, Deserialize)]
struct CloseForm {
    version: i32,
    #[serde(default)]
    outcome: String,
    /// Yuan, as typed (transport only).
    #[serde(default)]
    cost_yuan: String,
}

async fn close_task(
    State(state): State<AppState>,
    user: PageUser,
    Path(task_id): Path<i64>,
    CsrfForm(form): CsrfForm<CloseForm>,
) -> Result<Response, PageError> {
    let result = match super::yuan_to_fen(&form.cost_yuan, "cost_fen") {
        Ok(cost_fen) => {
            let input = CloseInput {
                version: form.version,
                outcome: form.outcome.clone(),
                cost_fen,
            };
            order_tasks::close(&state.app, &user.actor, task_id, &input).await
        }
        Err(err) => Err(err),
    };
    task_outcome(&state, &user, task_id, result).await
}

/// Back to the task's order, or its page with the error.
async fn task_outcome(
    state: &AppState,
    user: &PageUser,
    task_id: i64,
    result: Result<TaskView, AppError>,
) -> Result<Response, PageError> {
    let order_id = match &result {
        Ok(task) => task.order_id,
        Err(_) => order_tasks::order_of(&state.app, &user.actor, task_id).await?,
    };
    form_outcome(
        result,
        |task| format!("/service-orders/{}#tasks", task.order_id),
        |err| show_page(state, user, order_id, Some(err)),
    )
    .await
}

#[derive(Debug, Deserialize)]
struct LatenessForm {
    #[serde(default)]
    reason: String,
    /// `datetime-local`, read in Asia/Shanghai.
    #[serde(default)]
    expected_at: String,
}

async fn report_lateness(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<LatenessForm>,
) -> Result<Response, PageError> {
    let result = match local_to_instant("expected_at", &form.expected_at) {
        Ok(expected_at) => {
            let input = LatenessInput {
                reason: form.reason.clone(),
                expected_at,
            };
            service_orders::report_lateness(&state.app, &user.actor, id, &input).await
        }
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| format!("/service-orders/{id}"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Debug, Deserialize)]
struct DecisionForm {
    #[serde(default)]
    general_use: String,
    #[serde(default)]
    improves_functions: String,
    #[serde(default)]
    fits_positioning: String,
    #[serde(default)]
    effort_hours: String,
    #[serde(default)]
    support_hours: String,
    #[serde(default)]
    customer_wanted_on: String,
    #[serde(default)]
    customer_accepts_charge: String,
    /// `yes` or `no`.
    #[serde(default)]
    accepted: String,
    #[serde(default)]
    charge_yuan: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    approach: String,
}

fn hours(value: &str, field: &str) -> Result<i32, AppError> {
    match value.trim() {
        "" => Ok(0),
        v => v
            .parse()
            .map_err(|_| AppError::invalid(field, "invalid_number")),
    }
}

async fn decide_requirement(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    let parsed = (|| {
        Ok::<_, AppError>(EvaluationInput {
            general_use: !form.general_use.is_empty(),
            improves_functions: !form.improves_functions.is_empty(),
            fits_positioning: !form.fits_positioning.is_empty(),
            effort_hours: hours(&form.effort_hours, "effort_hours")?,
            support_hours: hours(&form.support_hours, "support_hours")?,
            customer_wanted_on: super::form_text(&form.customer_wanted_on),
            customer_accepts_charge: !form.customer_accepts_charge.is_empty(),
            accepted: form.accepted == "yes",
            charge_fen: super::yuan_to_fen(&form.charge_yuan, "charge_fen")?.unwrap_or(0),
            planned_on: super::form_text(&form.planned_on),
            approach: super::form_text(&form.approach),
        })
    })();
    let result = match parsed {
        Ok(input) => requirement_evaluations::decide(&state.app, &user.actor, id, &input).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| format!("/service-orders/{id}#requirement"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}
