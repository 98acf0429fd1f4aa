//! Complaint pages: the register with its form (客户抱怨处理表), the complaint page with one
//! form per possible step (handler and deadline, routing, department findings, logged
//! replies/visits/conferences, executive review, decision → close, reopen), department
//! tasks, reminders and follow-ups, the monthly review with the HR list (人事公布单) and the
//! reward/penalty notice (奖罚通知单) with its three printed copies. Printable A4 forms: the
//! complaint form, the 催办单 / 洽办单 and the notice.

use aftersales_app::complaints::{
    self, ApproveInput, ComplaintFilter, ComplaintSummary, ComplaintView, CopyInput,
    ExecutiveReviewInput, HandlingInput, LogInput, MonthReview, NoticeDraftInput, NoticeFilter,
    NoticeInput, NoticeView, RegisterInput, ReviewInput, RewardPenaltyNoticeView, RouteInput,
    RoutingInput, RoutingRule, StepInput, TaskFilter, TaskInput, TaskView, LOG_KINDS,
};
use aftersales_app::page::PageRequest;
use aftersales_app::staff::{self, UserFilter, UserView};
use aftersales_app::AppError;
use aftersales_domain::complaint::{
    responsible_units, Channel, ComplaintStatus, ComplaintType, Sanction, Severity, StaffFault,
    Subject, TargetLevel, ToldChannel,
};
use aftersales_domain::org::DepartmentKind;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, optional_id, render, render_with, ticked, CsrfForm, Ctx, FieldErrors, PageError,
    Pager,
};
use crate::i18n::Lang;
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(list_complaints).post(register_complaint))
        .route("/complaints/new", get(new_complaint))
        .route("/complaints/review", get(month_review))
        .route("/complaints/review/hr", get(hr_list))
        .route("/complaints/{id}", get(show_complaint))
        .route("/complaints/{id}/print", get(print_complaint))
        .route("/complaints/{id}/handling", post(set_handling))
        .route("/complaints/{id}/route", post(route_complaint))
        .route("/complaints/{id}/logs", post(log_complaint))
        .route("/complaints/{id}/executive-review", post(executive_review))
        .route("/complaints/{id}/steps", post(step_complaint))
        .route("/complaints/{id}/review", post(review_complaint))
        .route("/complaint-tasks", get(list_tasks))
        .route("/complaint-tasks/{id}", post(update_task))
        .route("/complaint-notices", get(list_notices))
        .route("/complaint-notices/{id}", post(decide_notice))
        .route("/complaint-notices/{id}/print", get(print_notice))
        .route("/reward-penalty-notices", post(draft_notice))
        .route("/reward-penalty-notices/{id}", get(show_reward_penalty))
        .route(
            "/reward-penalty-notices/{id}/approve",
            post(approve_reward_penalty),
        )
        .route("/reward-penalty-notices/{id}/copies", post(receive_copy))
        .route("/complaint-routing", get(routing))
        .route("/complaint-routing/{complaint_type}", post(set_routing))
        .route(
            "/reward-penalty-notices/{id}/print",
            get(print_reward_penalty),
        )
}

fn number(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

/// Amounts are typed in yuan on the forms.
fn fen(value: &str, field: &str) -> Result<Option<i64>, AppError> {
    match super::form_text(value) {
        None => Ok(None),
        Some(v) => aftersales_domain::money::parse_yuan(&v)
            .map(Some)
            .map_err(|code| AppError::invalid(field, code)),
    }
}

/// Staff to choose a handler, owner or responsible person from (empty without StaffRead).
async fn staff_list(state: &AppState, user: &PageUser) -> Vec<UserView> {
    let page = PageRequest {
        page: Some(1),
        per_page: Some(aftersales_app::page::MAX_PER_PAGE),
    };
    staff::list(&state.app, &user.actor, &UserFilter::default(), page)
        .await
        .map(|p| {
            p.items
                .into_iter()
                .filter(|u| u.customer_id.is_none())
                .collect()
        })
        .unwrap_or_default()
}

/// Every message of a refused form, with the field it is about.
fn problems(err: &AppError, lang: Lang) -> Vec<(String, String)> {
    match err {
        AppError::Validation(errors) => errors
            .0
            .iter()
            .map(|e| (e.field.clone(), lang.error(e.code)))
            .collect(),
        AppError::Conflict { code, field, .. } => {
            vec![(field.unwrap_or("").to_string(), lang.error(code))]
        }
        AppError::StaleVersion => vec![(String::new(), lang.error("stale"))],
        AppError::Forbidden => vec![(String::new(), lang.error("forbidden"))],
        _ => vec![(String::new(), lang.error("internal"))],
    }
}

// ----- list and registration -----

#[derive(Template)]
#[template(path = "complaints/list.html")]
struct ListPage {
    ctx: Ctx,
    complaints: Vec<ComplaintSummary>,
    pager: Pager,
    statuses: &'static [ComplaintStatus],
    filter: ComplaintFilter,
}

impl ListPage {
    fn status_is(&self, code: &str) -> bool {
        self.filter.status.as_deref() == Some(code)
    }
}

async fn list_complaints(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<ComplaintFilter>,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let page = complaints::list(&state.app, &user.actor, &filter, page).await?;
    let pager = Pager::new(
        &page,
        &[
            ("status", filter.status.clone()),
            ("open_only", filter.open_only.map(|open| open.to_string())),
        ],
    );
    render(&ListPage {
        ctx: Ctx::of(&user, "complaints"),
        complaints: page.items,
        pager,
        statuses: ComplaintStatus::ALL,
        filter,
    })
}

#[derive(Debug, Default, Deserialize)]
struct RegisterForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    complaint_type: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    subject_kind: String,
    #[serde(default)]
    target_level: String,
    #[serde(default)]
    target_user_id: String,
    tendency: Option<String>,
    #[serde(default)]
    customer_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    order_number: String,
    #[serde(default)]
    part_number: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    ship_date: String,
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    dealer_name: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    demand: String,
    #[serde(default)]
    demand_reason: String,
    media_exposure: Option<String>,
    legal_action: Option<String>,
}

impl RegisterForm {
    fn to_input(&self) -> RegisterInput {
        RegisterInput {
            channel: self.channel.clone(),
            complaint_type: self.complaint_type.clone(),
            severity: super::form_text(&self.severity),
            subject_kind: self.subject_kind.clone(),
            target_level: super::form_text(&self.target_level),
            target_user_id: optional_id(&self.target_user_id),
            tendency: ticked(&self.tendency),
            org_unit_id: None,
            customer_id: None,
            customer_name: super::form_text(&self.customer_name),
            contact_phone: super::form_text(&self.contact_phone),
            product_id: None,
            order_id: None,
            order_number: super::form_text(&self.order_number),
            part_number: super::form_text(&self.part_number),
            quantity: number(&self.quantity),
            ship_date: super::form_text(&self.ship_date),
            staff_id: optional_id(&self.staff_id),
            dealer_name: super::form_text(&self.dealer_name),
            content: self.content.clone(),
            demand: super::form_text(&self.demand),
            demand_reason: super::form_text(&self.demand_reason),
            media_exposure: ticked(&self.media_exposure),
            legal_action: ticked(&self.legal_action),
            survey_card_id: None,
        }
    }
}

#[derive(Template)]
#[template(path = "complaints/new.html")]
struct NewPage {
    ctx: Ctx,
    form: RegisterForm,
    errors: FieldErrors,
    channels: &'static [Channel],
    types: &'static [ComplaintType],
    severities: &'static [Severity],
    subjects: &'static [Subject],
    levels: &'static [TargetLevel],
    staff: Vec<UserView>,
}

impl NewPage {
    fn tendency(&self) -> bool {
        ticked(&self.form.tendency)
    }
    fn media(&self) -> bool {
        ticked(&self.form.media_exposure)
    }
    fn legal(&self) -> bool {
        ticked(&self.form.legal_action)
    }
    fn staff_is(&self, id: &i64) -> bool {
        optional_id(&self.form.staff_id) == Some(*id)
    }
    fn target_is(&self, id: &i64) -> bool {
        optional_id(&self.form.target_user_id) == Some(*id)
    }
}

async fn new_page(
    state: &AppState,
    user: &PageUser,
    form: RegisterForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &NewPage {
            ctx: Ctx::of(user, "complaints"),
            form,
            errors,
            channels: Channel::ALL,
            types: ComplaintType::ALL,
            severities: Severity::ALL,
            subjects: Subject::ALL,
            levels: TargetLevel::ALL,
            staff: staff_list(state, user).await,
        },
    )
}

async fn new_complaint(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let form = RegisterForm {
        channel: "phone".into(),
        complaint_type: "product_quality".into(),
        severity: "general".into(),
        subject_kind: "product".into(),
        target_level: "company".into(),
        ..RegisterForm::default()
    };
    new_page(&state, &user, form, None).await
}

async fn register_complaint(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> Result<Response, PageError> {
    let result = complaints::register(&state.app, &user.actor, &form.to_input()).await;
    form_outcome(
        result,
        |view| format!("/complaints/{}", view.id),
        |err| new_page(&state, &user, form, Some(err)),
    )
    .await
}

// ----- the complaint page -----

#[derive(Template)]
#[template(path = "complaints/show.html")]
struct ShowPage {
    ctx: Ctx,
    c: ComplaintView,
    problems: Vec<(String, String)>,
    staff: Vec<UserView>,
    departments: &'static [DepartmentKind],
    units: Vec<&'static str>,
    faults: &'static [StaffFault],
    told: &'static [ToldChannel],
    log_kinds: &'static [&'static str],
    sanctions: &'static [Sanction],
    today: String,
}

impl ShowPage {
    fn can_step(&self, event: &str) -> bool {
        self.c.possible_events.iter().any(|e| e == event)
    }
    fn handler_is(&self, id: &i64) -> bool {
        self.c.handler_id == Some(*id)
    }
    fn remaining(&self) -> String {
        minutes_text(self.ctx.lang, self.c.reply_clock.remaining_minutes)
    }
    fn deadline(&self) -> String {
        self.c
            .reply_clock
            .deadline
            .as_deref()
            .map(|d| self.ctx.local_time(d))
            .unwrap_or_default()
    }
    fn is_handler(&self) -> bool {
        self.ctx.user.as_ref().map(|u| u.user_id) == self.c.handler_id
    }
}

/// A duration in minutes as "3 h 20 min" (negative: overrun).
fn minutes_text(lang: Lang, minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.abs();
    match lang {
        Lang::Zh => format!("{sign}{}小时{}分", m / 60, m % 60),
        Lang::En => format!("{sign}{} h {} min", m / 60, m % 60),
    }
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let c = complaints::get(&state.app, &user.actor, id).await?;
    let (status, problems) = match &error {
        Some(err) => (StatusCode::UNPROCESSABLE_ENTITY, problems(err, user.lang)),
        None => (StatusCode::OK, Vec::new()),
    };
    render_with(
        status,
        &ShowPage {
            ctx: Ctx::of(user, "complaints"),
            c,
            problems,
            staff: staff_list(state, user).await,
            departments: DepartmentKind::ALL,
            units: responsible_units(),
            faults: StaffFault::ALL,
            told: ToldChannel::ALL,
            log_kinds: LOG_KINDS,
            sanctions: Sanction::ALL,
            today: state.app.today().to_string(),
        },
    )
}

async fn show_complaint(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, None).await
}

/// Answers a form on the complaint page: back to the page, or the page with the messages.
async fn on_page<T>(
    state: &AppState,
    user: &PageUser,
    id: i64,
    result: Result<T, AppError>,
) -> Result<Response, PageError> {
    form_outcome(
        result,
        |_| format!("/complaints/{id}"),
        |err| show_page(state, user, id, Some(err)),
    )
    .await
}

#[derive(Debug, Deserialize)]
struct HandlingForm {
    #[serde(default)]
    handler_id: String,
    #[serde(default)]
    due_date: String,
    version: i32,
}

async fn set_handling(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HandlingForm>,
) -> Result<Response, PageError> {
    let input = HandlingInput {
        handler_id: optional_id(&form.handler_id),
        due_date: super::form_text(&form.due_date),
        version: form.version,
    };
    let result = complaints::set_handling(&state.app, &user.actor, id, &input).await;
    on_page(&state, &user, id, result).await
}

#[derive(Debug, Deserialize)]
struct RouteForm {
    #[serde(default)]
    departments: Vec<String>,
    #[serde(default)]
    due_date: String,
    version: i32,
}

async fn route_complaint(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RouteForm>,
) -> Result<Response, PageError> {
    let input = RouteInput {
        departments: form
            .departments
            .into_iter()
            .filter(|d| !d.is_empty())
            .collect(),
        due_date: super::form_text(&form.due_date),
        version: form.version,
    };
    let result = complaints::route(&state.app, &user.actor, id, &input).await;
    on_page(&state, &user, id, result).await
}

#[derive(Debug, Deserialize)]
struct LogForm {
    kind: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    participants: String,
}

async fn log_complaint(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<LogForm>,
) -> Result<Response, PageError> {
    let input = LogInput {
        kind: form.kind,
        channel: super::form_text(&form.channel),
        text: super::form_text(&form.text),
        participants: super::form_text(&form.participants),
    };
    let result = complaints::log(&state.app, &user.actor, id, &input).await;
    on_page(&state, &user, id, result).await
}

#[derive(Debug, Deserialize)]
struct ExecutiveForm {
    #[serde(default)]
    note: String,
    version: i32,
}

async fn executive_review(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ExecutiveForm>,
) -> Result<Response, PageError> {
    let input = ExecutiveReviewInput {
        note: form.note,
        version: form.version,
    };
    let result = complaints::executive_review(&state.app, &user.actor, id, &input).await;
    on_page(&state, &user, id, result).await
}

#[derive(Debug, Deserialize)]
struct StepForm {
    event: String,
    version: i32,
    #[serde(default)]
    cause: String,
    #[serde(default)]
    responsible_department: String,
    #[serde(default)]
    responsible_user_id: String,
    #[serde(default)]
    staff_fault: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    told_channel: String,
    #[serde(default)]
    remedy: String,
    #[serde(default)]
    corrective_action: String,
    #[serde(default)]
    corrective_owner_id: String,
    #[serde(default)]
    corrective_due: String,
    #[serde(default)]
    note: String,
}

async fn step_complaint(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let input = StepInput {
        event: form.event,
        version: form.version,
        cause: super::form_text(&form.cause),
        responsible_department: super::form_text(&form.responsible_department),
        responsible_user_id: optional_id(&form.responsible_user_id),
        staff_fault: super::form_text(&form.staff_fault),
        decision: super::form_text(&form.decision),
        told_channel: super::form_text(&form.told_channel),
        remedy: super::form_text(&form.remedy),
        remedy_order_id: None,
        corrective_action: super::form_text(&form.corrective_action),
        corrective_owner_id: optional_id(&form.corrective_owner_id),
        corrective_due: super::form_text(&form.corrective_due),
        note: super::form_text(&form.note),
    };
    let result = complaints::step(&state.app, &user.actor, id, &input).await;
    on_page(&state, &user, id, result).await
}

#[derive(Debug, Deserialize)]
struct ReviewForm {
    sanction: String,
    /// Yuan.
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
    version: i32,
    /// Where to go back to: the review page of the month, or the complaint.
    #[serde(default)]
    back: String,
}

async fn review_complaint(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, PageError> {
    let result = match fen(&form.amount, "amount_fen") {
        Ok(amount_fen) => {
            let input = ReviewInput {
                sanction: form.sanction.clone(),
                amount_fen,
                note: super::form_text(&form.note),
                version: form.version,
            };
            complaints::review(&state.app, &user.actor, id, &input).await
        }
        Err(err) => Err(err),
    };
    match super::form_text(&form.back).filter(|b| b.starts_with("/complaints/review")) {
        Some(back) => {
            form_outcome(
                result,
                |_| back,
                |err| show_page(&state, &user, id, Some(err)),
            )
            .await
        }
        None => on_page(&state, &user, id, result).await,
    }
}

// ----- department tasks -----

#[derive(Debug, Deserialize)]
struct TaskForm {
    complaint_id: i64,
    #[serde(default)]
    order_number: String,
    #[serde(default)]
    part_number: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    ship_date: String,
    #[serde(default)]
    cause: String,
    #[serde(default)]
    responsible_persons: String,
    #[serde(default)]
    corrective_action: String,
    #[serde(default)]
    verification: String,
    #[serde(default)]
    production_unit: String,
    #[serde(default)]
    shift: String,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    production_date: String,
    #[serde(default)]
    note: String,
    done: Option<String>,
    version: i32,
}

async fn update_task(
    State(state): State<AppState>,
    user: PageUser,
    Path(task_id): Path<i64>,
    CsrfForm(form): CsrfForm<TaskForm>,
) -> Result<Response, PageError> {
    let input = TaskInput {
        order_number: super::form_text(&form.order_number),
        part_number: super::form_text(&form.part_number),
        quantity: number(&form.quantity),
        ship_date: super::form_text(&form.ship_date),
        cause: super::form_text(&form.cause),
        responsible_persons: super::form_text(&form.responsible_persons),
        corrective_action: super::form_text(&form.corrective_action),
        verification: super::form_text(&form.verification),
        production_unit: super::form_text(&form.production_unit),
        shift: super::form_text(&form.shift),
        operator: super::form_text(&form.operator),
        production_date: super::form_text(&form.production_date),
        note: super::form_text(&form.note),
        done: ticked(&form.done),
        version: form.version,
    };
    let result = complaints::update_task(&state.app, &user.actor, task_id, &input).await;
    on_page(&state, &user, form.complaint_id, result).await
}

#[derive(Template)]
#[template(path = "complaints/tasks.html")]
struct TasksPage {
    ctx: Ctx,
    tasks: Vec<TaskView>,
    pager: Pager,
    departments: &'static [DepartmentKind],
    filter: TaskFilter,
}

impl TasksPage {
    fn department_is(&self, code: &str) -> bool {
        self.filter.department.as_deref() == Some(code)
    }
}

async fn list_tasks(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<TaskFilter>,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let page = complaints::tasks(&state.app, &user.actor, &filter, page).await?;
    let pager = Pager::new(
        &page,
        &[
            ("department", filter.department.clone()),
            ("open_only", filter.open_only.map(|open| open.to_string())),
        ],
    );
    render(&TasksPage {
        ctx: Ctx::of(&user, "complaint_tasks"),
        tasks: page.items,
        pager,
        departments: DepartmentKind::ALL,
        filter,
    })
}

// ----- reminders and follow-ups -----

#[derive(Template)]
#[template(path = "complaints/notices.html")]
struct NoticesPage {
    ctx: Ctx,
    notices: Vec<NoticeView>,
    pager: Pager,
}

async fn list_notices(
    State(state): State<AppState>,
    user: PageUser,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let page = complaints::notices(&state.app, &user.actor, &NoticeFilter::default(), page).await?;
    render(&NoticesPage {
        ctx: Ctx::of(&user, "complaint_notices"),
        pager: Pager::new(&page, &[]),
        notices: page.items,
    })
}

#[derive(Debug, Deserialize)]
struct NoticeForm {
    complaint_id: i64,
    action: String,
    #[serde(default)]
    reply: String,
    version: i32,
}

async fn decide_notice(
    State(state): State<AppState>,
    user: PageUser,
    Path(notice_id): Path<i64>,
    CsrfForm(form): CsrfForm<NoticeForm>,
) -> Result<Response, PageError> {
    let input = NoticeInput {
        action: form.action,
        reply: super::form_text(&form.reply),
        version: form.version,
    };
    let result = complaints::decide_notice(&state.app, &user.actor, notice_id, &input).await;
    on_page(&state, &user, form.complaint_id, result).await
}

// ----- printed forms -----

#[derive(Template)]
#[template(path = "complaints/print.html")]
struct PrintPage {
    ctx: Ctx,
    c: ComplaintView,
}

async fn print_complaint(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let c = complaints::get(&state.app, &user.actor, id).await?;
    render(&PrintPage {
        ctx: Ctx::of(&user, "complaints"),
        c,
    })
}

#[derive(Template)]
#[template(path = "complaints/notice_print.html")]
struct NoticePrintPage {
    ctx: Ctx,
    n: NoticeView,
    c: ComplaintView,
}

async fn print_notice(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (n, c) = complaints::notice(&state.app, &user.actor, id).await?;
    render(&NoticePrintPage {
        ctx: Ctx::of(&user, "complaints"),
        n,
        c,
    })
}

// ----- monthly review -----

#[derive(Debug, Default, Deserialize)]
struct MonthForm {
    #[serde(default)]
    month: String,
}

#[derive(Template)]
#[template(path = "complaints/review.html")]
struct ReviewPage {
    ctx: Ctx,
    review: MonthReview,
    sanctions: &'static [Sanction],
}

async fn month_review(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<MonthForm>,
) -> Result<Response, PageError> {
    let review = complaints::month_review(
        &state.app,
        &user.actor,
        super::form_text(&query.month).as_deref(),
    )
    .await?;
    render(&ReviewPage {
        ctx: Ctx::of(&user, "complaint_review"),
        review,
        sanctions: Sanction::ALL,
    })
}

#[derive(Template)]
#[template(path = "complaints/hr_print.html")]
struct HrPage {
    ctx: Ctx,
    review: MonthReview,
}

async fn hr_list(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<MonthForm>,
) -> Result<Response, PageError> {
    let review = complaints::month_review(
        &state.app,
        &user.actor,
        super::form_text(&query.month).as_deref(),
    )
    .await?;
    render(&HrPage {
        ctx: Ctx::of(&user, "complaint_review"),
        review,
    })
}

async fn draft_notice(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<MonthForm>,
) -> Result<Response, PageError> {
    let input = NoticeDraftInput {
        month: form.month.clone(),
    };
    let result = complaints::draft_reward_penalty(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |notice| format!("/reward-penalty-notices/{}", notice.id),
        |err| async move { Err(PageError(err)) },
    )
    .await
}

#[derive(Template)]
#[template(path = "complaints/reward_penalty.html")]
struct RewardPenaltyPage {
    ctx: Ctx,
    n: RewardPenaltyNoticeView,
    problems: Vec<(String, String)>,
}

async fn reward_penalty_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let n = complaints::reward_penalty_notice(&state.app, &user.actor, id).await?;
    let (status, problems) = match &error {
        Some(err) => (StatusCode::UNPROCESSABLE_ENTITY, problems(err, user.lang)),
        None => (StatusCode::OK, Vec::new()),
    };
    render_with(
        status,
        &RewardPenaltyPage {
            ctx: Ctx::of(user, "complaint_review"),
            n,
            problems,
        },
    )
}

async fn show_reward_penalty(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    reward_penalty_page(&state, &user, id, None).await
}

#[derive(Debug, Deserialize)]
struct VersionForm {
    version: i32,
    #[serde(default)]
    copy: String,
}

async fn approve_reward_penalty(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<Response, PageError> {
    let input = ApproveInput {
        version: form.version,
    };
    let result = complaints::approve_reward_penalty(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| format!("/reward-penalty-notices/{id}"),
        |err| reward_penalty_page(&state, &user, id, Some(err)),
    )
    .await
}

async fn receive_copy(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<Response, PageError> {
    let input = CopyInput {
        copy: form.copy,
        version: form.version,
    };
    let result = complaints::receive_copy(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| format!("/reward-penalty-notices/{id}"),
        |err| reward_penalty_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "complaints/reward_penalty_print.html")]
struct RewardPenaltyPrint {
    ctx: Ctx,
    n: RewardPenaltyNoticeView,
}

async fn print_reward_penalty(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let n = complaints::reward_penalty_notice(&state.app, &user.actor, id).await?;
    if n.status != complaints::RP_APPROVED {
        // Only an approved notice is printed and distributed (COMPLAINT-14 b).
        return Err(PageError(AppError::conflict("not_approved")));
    }
    render(&RewardPenaltyPrint {
        ctx: Ctx::of(&user, "complaint_review"),
        n,
    })
}

// ----- routing rules (COMPLAINT-4) -----

#[derive(Template)]
#[template(path = "complaints/routing.html")]
struct RoutingPage {
    ctx: Ctx,
    rules: Vec<RoutingRule>,
    departments: Vec<&'static str>,
    /// The complaint type whose form was refused.
    failed: String,
    errors: FieldErrors,
}

impl RoutingPage {
    fn routes_to(&self, rule: &RoutingRule, department: &str) -> bool {
        rule.departments.iter().any(|d| d == department)
    }
}

async fn routing_page(
    state: &AppState,
    user: &PageUser,
    failed: String,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let rules = complaints::routing(&state.app, &user.actor).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &RoutingPage {
            ctx: Ctx::of(user, "complaints"),
            rules,
            departments: DepartmentKind::ALL.iter().map(|d| d.as_str()).collect(),
            failed,
            errors,
        },
    )
}

/// The routing table by complaint type; administrators change a type's departments.
async fn routing(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    routing_page(&state, &user, String::new(), None).await
}

#[derive(Deserialize)]
struct RoutingForm {
    #[serde(default)]
    departments: Vec<String>,
}

async fn set_routing(
    State(state): State<AppState>,
    user: PageUser,
    Path(complaint_type): Path<String>,
    CsrfForm(form): CsrfForm<RoutingForm>,
) -> Result<Response, PageError> {
    let input = RoutingInput {
        departments: form.departments,
    };
    let result = complaints::set_routing(&state.app, &user.actor, &complaint_type, &input).await;
    form_outcome(
        result,
        |_| "/complaint-routing",
        |err| routing_page(&state, &user, complaint_type.clone(), Some(err)),
    )
    .await
}
