//! Tasks an order gives someone besides its technician (`domain::order_task`): technical
//! support from an expert and customer questions referred to specialists (DISPATCH-7),
//! transport with its cost and quality feedback to QA (REPAIR-7), supplier coordination by
//! purchasing (REPAIR-8) and test-environment tasks for software issues (SOFTWARE-4). Opening
//! and closing a task join the order's timeline, so the voucher shows the outcome.
//!
//! The order's technician or a supervisor opens a task. A support request or a question goes
//! to the branch's supervisors, who name the expert or specialist; a department's task goes to
//! everyone in that department; a test-environment task to the development leads, due by the
//! end of the working day on which work resumes.

use aftersales_domain::order_task::{
    check_assign, check_close, test_due, TaskKind, TaskOutcome, TaskOwner, TaskStatus,
};
use aftersales_domain::org::DepartmentKind;
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::validation::{optional_text, required_text};
use aftersales_store::entity::{order_task, org_unit, service_order, user};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::service_orders::{find_visible, record_event};
use crate::{audit, format_ms, settings, Actor, App, AppError};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TaskInput {
    /// support, specialist_question, transport, quality_feedback, supplier_coordination or
    /// test_environment.
    pub kind: String,
    /// What is needed: the problem, the customer's question, where the unit goes, the
    /// quality problem, the supplier's part.
    pub description: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AssignInput {
    pub version: i32,
    /// The expert or specialist who takes a support request or a question.
    pub assignee_id: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CloseInput {
    pub version: i32,
    /// The answer, the supplier's outcome, QA's finding, the test result.
    pub outcome: String,
    /// Transport only: what moving the unit cost, in fen.
    pub cost_fen: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub order_id: i64,
    pub order_number: String,
    pub kind: String,
    /// open or done.
    pub status: String,
    pub description: Option<String>,
    /// The department the task went to.
    pub owner_unit: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee: Option<String>,
    pub due_at: Option<String>,
    pub outcome: Option<String>,
    pub cost_fen: Option<i64>,
    pub opened_by: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    /// Whether the viewer may name the expert / close the task now.
    pub can_assign: bool,
    pub can_close: bool,
    pub version: i32,
}

fn parse_kind(text: &str) -> Result<TaskKind, AppError> {
    TaskKind::parse(text).ok_or_else(|| AppError::invalid("kind", "invalid_choice"))
}

/// The department of `kind`, by its department kind.
async fn department(db: &impl ConnectionTrait, kind: DepartmentKind) -> Result<i64, AppError> {
    org_unit::Entity::find()
        .filter(org_unit::Column::DepartmentKind.eq(kind.as_str()))
        .order_by_asc(org_unit::Column::Id)
        .one(db)
        .await?
        .map(|unit| unit.id)
        .ok_or_else(|| AppError::invalid("kind", "no_department"))
}

async fn members_of(db: &impl ConnectionTrait, unit_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::OrgUnitId.eq(unit_id))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

/// Who may close a task: its named person, a member of its department, a development lead
/// for test tasks, and for support and questions also the branch's supervisors.
fn may_close(actor: &Actor, task: &order_task::Model, kind: TaskKind) -> bool {
    if !actor.can(Permission::OrderTask) {
        return false;
    }
    task.assignee_id == Some(actor.user_id)
        || match kind.owner() {
            TaskOwner::NamedPerson => actor.can(Permission::OrderDispatch),
            TaskOwner::Department(_) => {
                task.owner_unit_id.is_some() && task.owner_unit_id == actor.org_unit_id
            }
            TaskOwner::DevelopmentLead => actor.has_role(Role::DevelopmentLead),
        }
}

/// Who may ask for help on an order: its technician, or a supervisor of its branch (pages
/// offer the form by the same rule).
pub fn may_ask(actor: &Actor, technician_id: Option<i64>) -> bool {
    actor.can(Permission::OrderTask)
        && (actor.can(Permission::OrderDispatch) || technician_id == Some(actor.user_id))
}

/// Opens a task on an order: its technician or a supervisor of its branch.
pub async fn open(
    app: &App,
    actor: &Actor,
    order_id: i64,
    input: &TaskInput,
) -> Result<TaskView, AppError> {
    actor.require(Permission::OrderTask)?;
    let kind = parse_kind(&input.kind)?;
    let description = required_text(&input.description, 2000)
        .map_err(|code| AppError::invalid("description", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let order = find_visible(&txn, actor, order_id).await?;
    if !may_ask(actor, order.technician_id) {
        return Err(AppError::Forbidden);
    }
    if order.archived_at.is_some() || order.cancelled_at.is_some() {
        return Err(AppError::Conflict {
            code: "order_archived",
            field: Some("status"),
            detail: None,
        });
    }
    let (owner_unit_id, due_at, told) = match kind.owner() {
        TaskOwner::NamedPerson => (
            None,
            None,
            notifications::users_with_role(&txn, Role::ServiceSupervisor, Some(order.org_unit_id))
                .await?,
        ),
        TaskOwner::Department(department_kind) => {
            let unit = department(&txn, department_kind).await?;
            (Some(unit), None, members_of(&txn, unit).await?)
        }
        TaskOwner::DevelopmentLead => {
            let calendar = crate::calendars::effective_calendar(
                &txn,
                &*app.reference.snapshot(&txn).await?,
                Some(order.org_unit_id),
                Some(order.customer_id),
                None,
            )
            .await?;
            let target = SignedDuration::from_hours(
                settings::get_count(&txn, "software.target_hours").await?,
            );
            let opened =
                Timestamp::from_millisecond(now).map_err(|err| AppError::Internal(err.into()))?;
            (
                None,
                Some(test_due(&calendar, opened, target).as_millisecond()),
                notifications::users_with_role(&txn, Role::DevelopmentLead, None).await?,
            )
        }
    };
    let row = order_task::ActiveModel {
        order_id: Set(order.id),
        kind: Set(kind.as_str().to_string()),
        status: Set(TaskStatus::Open.as_str().to_string()),
        description: Set(Some(description.clone())),
        owner_unit_id: Set(owner_unit_id),
        assignee_id: Set(None),
        due_at: Set(due_at),
        outcome: Set(None),
        cost_fen: Set(None),
        opened_by: Set(actor.user_id),
        opened_at: Set(now),
        closed_by: Set(None),
        closed_at: Set(None),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    on_timeline(&txn, &order, actor, now, "open_task", kind, &description).await?;
    let message = Message {
        kind: "order_task_opened",
        link: Some(format!("/service-orders/{}", order.id)),
        zh: (
            format!("服务凭证 {} 需要协助", order.number),
            description.clone(),
        ),
        en: (
            format!("Service order {} needs your help", order.number),
            description,
        ),
    };
    notifications::notify(&txn, now, &told, &message).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "order_task",
        row.id,
        "open",
        None::<&order_task::Model>,
        Some(&row),
    )
    .await?;
    let view = view(&txn, actor, row, &order).await?;
    txn.commit().await?;
    Ok(view)
}

/// The supervisor names the expert or specialist (DISPATCH-7).
pub async fn assign(
    app: &App,
    actor: &Actor,
    task_id: i64,
    input: &AssignInput,
) -> Result<TaskView, AppError> {
    actor.require(Permission::OrderDispatch)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let (task, order) = find(&txn, actor, task_id).await?;
    let kind = parse_kind(&task.kind)?;
    let status = TaskStatus::parse(&task.status).unwrap_or(TaskStatus::Done);
    check_assign(kind, status).map_err(|(field, code)| refusal(field, code))?;
    // The expert must be able to open the order: staff of its branch or of headquarters.
    let expert = Actor::load(&txn, input.assignee_id)
        .await?
        .filter(|a| a.can(Permission::OrderTask))
        .ok_or_else(|| AppError::invalid("assignee_id", "not_staff"))?;
    if expert
        .ensure_sees(order.org_unit_id, Some(order.customer_id))
        .is_err()
    {
        return Err(AppError::invalid("assignee_id", "out_of_scope"));
    }
    let mut active: order_task::ActiveModel = task.clone().into();
    active.assignee_id = Set(Some(expert.user_id));
    active.version = Set(input.version + 1);
    let after = versioned_update(&txn, active, order_task::Column::Version, input.version).await?;
    on_timeline(
        &txn,
        &order,
        actor,
        now,
        "assign_task",
        kind,
        &expert.display_name,
    )
    .await?;
    let message = Message {
        kind: "order_task_assigned",
        link: Some(format!("/service-orders/{}", order.id)),
        zh: (
            format!("请协助服务凭证 {}", order.number),
            after.description.clone().unwrap_or_default(),
        ),
        en: (
            format!("Please help with service order {}", order.number),
            after.description.clone().unwrap_or_default(),
        ),
    };
    notifications::notify(&txn, now, &[expert.user_id], &message).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "order_task",
        task.id,
        "assign",
        Some(&task),
        Some(&after),
    )
    .await?;
    let view = view(&txn, actor, after, &order).await?;
    txn.commit().await?;
    Ok(view)
}

/// Closes a task with its outcome (and a transport's cost), logged on the voucher.
pub async fn close(
    app: &App,
    actor: &Actor,
    task_id: i64,
    input: &CloseInput,
) -> Result<TaskView, AppError> {
    actor.require(Permission::OrderTask)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let (task, order) = find(&txn, actor, task_id).await?;
    let kind = parse_kind(&task.kind)?;
    if !may_close(actor, &task, kind) {
        return Err(AppError::Forbidden);
    }
    let outcome = TaskOutcome {
        outcome: optional_text(Some(&input.outcome), 2000)
            .map_err(|code| AppError::invalid("outcome", code))?,
        cost_fen: input.cost_fen,
    };
    let status = TaskStatus::parse(&task.status).unwrap_or(TaskStatus::Done);
    check_close(kind, status, &outcome).map_err(|(field, code)| refusal(field, code))?;
    let mut active: order_task::ActiveModel = task.clone().into();
    active.status = Set(TaskStatus::Done.as_str().to_string());
    active.outcome = Set(outcome.outcome.clone());
    active.cost_fen = Set(outcome.cost_fen);
    active.closed_by = Set(Some(actor.user_id));
    active.closed_at = Set(Some(now));
    active.version = Set(input.version + 1);
    let after = versioned_update(&txn, active, order_task::Column::Version, input.version).await?;
    on_timeline(
        &txn,
        &order,
        actor,
        now,
        "close_task",
        kind,
        outcome.outcome.as_deref().unwrap_or_default(),
    )
    .await?;
    let mut told = vec![task.opened_by];
    told.extend(order.technician_id.filter(|t| *t != task.opened_by));
    let message = Message {
        kind: "order_task_closed",
        link: Some(format!("/service-orders/{}", order.id)),
        zh: (
            format!("服务凭证 {} 的协助已答复", order.number),
            after.outcome.clone().unwrap_or_default(),
        ),
        en: (
            format!("Service order {}: your request was answered", order.number),
            after.outcome.clone().unwrap_or_default(),
        ),
    };
    notifications::notify(&txn, now, &told, &message).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "order_task",
        task.id,
        "close",
        Some(&task),
        Some(&after),
    )
    .await?;
    let view = view(&txn, actor, after, &order).await?;
    txn.commit().await?;
    Ok(view)
}

fn refusal(field: &'static str, code: &'static str) -> AppError {
    if code == "task_closed" {
        AppError::Conflict {
            code,
            field: Some(field),
            detail: None,
        }
    } else {
        AppError::invalid(field, code)
    }
}

/// The tasks of an order the actor can read, oldest first.
pub async fn for_order(app: &App, actor: &Actor, order_id: i64) -> Result<Vec<TaskView>, AppError> {
    actor.require(Permission::OrderRead)?;
    let order = find_visible(&app.db, actor, order_id).await?;
    of_order(&app.db, actor, &order).await
}

/// The tasks of one order, oldest first.
async fn of_order(
    db: &impl ConnectionTrait,
    actor: &Actor,
    order: &service_order::Model,
) -> Result<Vec<TaskView>, AppError> {
    let rows = order_task::Entity::find()
        .filter(order_task::Column::OrderId.eq(order.id))
        .order_by_asc(order_task::Column::Id)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        views.push(view(db, actor, row, order).await?);
    }
    Ok(views)
}

/// Open tasks waiting for the actor: named to them, sent to their department, or (for
/// development leads) test tasks; for supervisors also their branch's unassigned requests.
pub async fn waiting_for(app: &App, actor: &Actor) -> Result<Vec<TaskView>, AppError> {
    actor.require(Permission::OrderTask)?;
    let rows = order_task::Entity::find()
        .filter(order_task::Column::Status.eq(TaskStatus::Open.as_str()))
        .order_by_asc(order_task::Column::OpenedAt)
        .all(&app.db)
        .await?;
    let mut views = Vec::new();
    for row in rows {
        let Some(kind) = TaskKind::parse(&row.kind) else {
            continue;
        };
        let Ok(order) = find_visible(&app.db, actor, row.order_id).await else {
            continue;
        };
        let unassigned_request =
            row.assignee_id.is_none() && kind.owner() == TaskOwner::NamedPerson;
        let mine = may_close(actor, &row, kind)
            && (row.assignee_id == Some(actor.user_id)
                || kind.owner() != TaskOwner::NamedPerson
                || unassigned_request);
        if mine {
            views.push(view(&app.db, actor, row, &order).await?);
        }
    }
    Ok(views)
}

/// The order a task belongs to (for pages returning to it).
pub async fn order_of(app: &App, actor: &Actor, task_id: i64) -> Result<i64, AppError> {
    actor.require(Permission::OrderRead)?;
    Ok(find(&app.db, actor, task_id).await?.1.id)
}

async fn find(
    db: &impl ConnectionTrait,
    actor: &Actor,
    task_id: i64,
) -> Result<(order_task::Model, service_order::Model), AppError> {
    let task = order_task::Entity::find_by_id(task_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let order = find_visible(db, actor, task.order_id).await?;
    Ok((task, order))
}

/// A task's step joins the order's timeline; the order's status does not change.
async fn on_timeline(
    db: &impl ConnectionTrait,
    order: &service_order::Model,
    actor: &Actor,
    now: i64,
    event: &str,
    kind: TaskKind,
    text: &str,
) -> Result<(), AppError> {
    record_event(
        db,
        order.id,
        now,
        actor,
        event,
        &order.status,
        &order.status,
        Some(format!("{kind}: {text}")),
    )
    .await
}

async fn view(
    db: &impl ConnectionTrait,
    actor: &Actor,
    row: order_task::Model,
    order: &service_order::Model,
) -> Result<TaskView, AppError> {
    let name_of = |id: i64| async move {
        Ok::<_, AppError>(
            user::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default(),
        )
    };
    let owner_unit = match row.owner_unit_id {
        Some(id) => org_unit::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.name),
        None => None,
    };
    let assignee = match row.assignee_id {
        Some(id) => Some(name_of(id).await?),
        None => None,
    };
    let kind = parse_kind(&row.kind)?;
    let open = row.status == TaskStatus::Open.as_str();
    Ok(TaskView {
        id: row.id,
        order_id: row.order_id,
        order_number: order.number.clone(),
        kind: row.kind.clone(),
        status: row.status.clone(),
        description: row.description.clone(),
        owner_unit,
        assignee_id: row.assignee_id,
        assignee,
        due_at: row.due_at.map(format_ms),
        outcome: row.outcome.clone(),
        cost_fen: row.cost_fen,
        opened_by: name_of(row.opened_by).await?,
        opened_at: format_ms(row.opened_at),
        closed_at: row.closed_at.map(format_ms),
        can_assign: open
            && actor.can(Permission::OrderDispatch)
            && check_assign(kind, TaskStatus::Open).is_ok(),
        can_close: open && may_close(actor, &row, kind),
        version: row.version,
    })
}
