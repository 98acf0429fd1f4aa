//! Installation pages (安装调试): the list (filtered by status, company and branch), the
//! form recording an order by hand, the order page with its timeline and the form of each
//! step (phone friendly: it is the installation company's portal view too), the printable A4
//! work order (安装派工单), the installation companies and their scorecards.

use aftersales_app::installations::{
    self, InstallationFilter, InstallationInput, InstallationStepInput, InstallationView,
    InstallerInput, ProviderInput, ProviderScoreView, ProviderUserInput, ProviderView,
};
use aftersales_app::org::OrgUnitView;
use aftersales_app::page::PageRequest;
use aftersales_app::AppError;
use aftersales_domain::installation::{InstallationEvent, InstallationStatus, RATING_MAX};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::deliveries::local_to_rfc3339;
use super::{
    form_outcome, optional_id, render, render_with, ticked, CsrfForm, Ctx, FieldErrors, PageError,
    Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/installations",
            get(list_installations).post(create_installation),
        )
        .route("/installations/new", get(new_installation))
        .route("/installations/{id}", get(show_installation))
        .route("/installations/{id}/step", post(step_installation))
        .route("/installations/{id}/print", get(print_installation))
        .route(
            "/installation-providers",
            get(list_providers).post(create_provider),
        )
        .route(
            "/installation-providers/{id}",
            get(show_provider).post(update_provider),
        )
        .route(
            "/installation-providers/{id}/users",
            post(add_provider_user),
        )
        .route("/installation-scorecards", get(scorecards))
}

fn instant_field(text: &str) -> Option<String> {
    Some(local_to_rfc3339(text)).filter(|t| !t.is_empty())
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    provider_id: Option<String>,
    org_unit_id: Option<String>,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "installations/list.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<InstallationView>,
    pager: Pager,
    providers: Vec<ProviderView>,
    branches: Vec<OrgUnitView>,
    statuses: Vec<&'static str>,
    status: String,
    provider_id: Option<i64>,
    org_unit_id: Option<i64>,
}

impl ListPage {
    fn provider_chosen(&self, id: &i64) -> bool {
        self.provider_id == Some(*id)
    }
    fn branch_chosen(&self, id: &i64) -> bool {
        self.org_unit_id == Some(*id)
    }
}

async fn branches(state: &AppState, user: &PageUser) -> Vec<OrgUnitView> {
    aftersales_app::org::list_units(&state.app, &user.actor)
        .await
        .map(|units| units.into_iter().filter(|u| u.kind == "branch").collect())
        .unwrap_or_default()
}

async fn providers(state: &AppState, user: &PageUser) -> Vec<ProviderView> {
    installations::list_providers(&state.app, &user.actor)
        .await
        .unwrap_or_default()
}

async fn list_installations(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let provider_id = query.provider_id.as_deref().and_then(optional_id);
    let org_unit_id = query.org_unit_id.as_deref().and_then(optional_id);
    let filter = InstallationFilter {
        status: query.status.clone(),
        provider_id,
        org_unit_id,
    };
    let page = installations::list(
        &state.app,
        &user.actor,
        &filter,
        PageRequest {
            page: query.page,
            per_page: None,
        },
    )
    .await?;
    let pager = Pager::new(
        &page,
        &[
            ("status", query.status.clone()),
            ("provider_id", provider_id.map(|id| id.to_string())),
            ("org_unit_id", org_unit_id.map(|id| id.to_string())),
        ],
    );
    render(&ListPage {
        ctx: Ctx::of(&user, "installations"),
        items: page.items,
        pager,
        providers: providers(&state, &user).await,
        branches: branches(&state, &user).await,
        statuses: InstallationStatus::ALL.iter().map(|s| s.as_str()).collect(),
        status: query.status.unwrap_or_default(),
        provider_id,
        org_unit_id,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    serial_no: String,
    #[serde(default)]
    wanted_at: String,
    #[serde(default)]
    requirements: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    commission_due_at: String,
    #[serde(default)]
    provider_id: String,
}

#[derive(Template)]
#[template(path = "installations/new.html")]
struct NewPage {
    ctx: Ctx,
    form: NewForm,
    providers: Vec<ProviderView>,
    errors: FieldErrors,
}

async fn new_page(
    state: &AppState,
    user: &PageUser,
    form: NewForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[("unit_id", "serial_no")]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &NewPage {
            ctx: Ctx::of(user, "installations"),
            form,
            providers: providers(state, user).await,
            errors,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    serial_no: Option<String>,
}

async fn new_installation(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let form = NewForm {
        serial_no: query.serial_no.unwrap_or_default(),
        ..NewForm::default()
    };
    new_page(&state, &user, form, None).await
}

async fn create_installation(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<NewForm>,
) -> Result<Response, PageError> {
    let result = match super::returns::unit_by_serial(&state, &user, &form.serial_no).await {
        Ok(unit_id) => {
            let input = InstallationInput {
                unit_id,
                wanted_at: instant_field(&form.wanted_at),
                requirements: super::form_text(&form.requirements),
                place: super::form_text(&form.place),
                commission_due_at: instant_field(&form.commission_due_at),
                provider_id: optional_id(&form.provider_id),
            };
            installations::create(&state.app, &user.actor, &input, None).await
        }
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |order| format!("/installations/{}", order.id),
        |err| new_page(&state, &user, form, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "installations/show.html")]
struct ShowPage {
    ctx: Ctx,
    order: InstallationView,
    providers: Vec<ProviderView>,
    ratings: Vec<i32>,
    errors: FieldErrors,
}

impl ShowPage {
    fn provider_chosen(&self, id: &i64) -> bool {
        self.order.provider_id == Some(*id)
    }
    fn offers(&self, event: &str) -> bool {
        self.order.next_events.iter().any(|e| e == event)
    }
    /// A `datetime-local` value for an RFC 3339 instant, in the default zone.
    fn local_input(&self, instant: &Option<String>) -> String {
        instant
            .as_deref()
            .and_then(|text| text.parse::<jiff::Timestamp>().ok())
            .map(|t| {
                t.to_zoned(aftersales_app::clock::default_zone())
                    .strftime("%Y-%m-%dT%H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    }
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let order = installations::get(&state.app, &user.actor, id).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &ShowPage {
            ctx: Ctx::of(user, "installations"),
            order,
            providers: providers(state, user).await,
            ratings: (1..=RATING_MAX).rev().collect(),
            errors,
        },
    )
}

async fn show_installation(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, None).await
}

/// One form for every step; each step's form sends the fields it needs. Up to three
/// installers are named on the acknowledgement form (blank rows are ignored).
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    event: String,
    #[serde(default)]
    provider_id: String,
    #[serde(default)]
    wanted_at: String,
    #[serde(default)]
    requirements: String,
    #[serde(default)]
    commission_due_at: String,
    note: Option<String>,
    #[serde(default)]
    installer_name_1: String,
    #[serde(default)]
    installer_id_1: String,
    #[serde(default)]
    installer_credential_1: String,
    #[serde(default)]
    installer_name_2: String,
    #[serde(default)]
    installer_id_2: String,
    #[serde(default)]
    installer_credential_2: String,
    #[serde(default)]
    installer_name_3: String,
    #[serde(default)]
    installer_id_3: String,
    #[serde(default)]
    installer_credential_3: String,
    commissioning_result: Option<String>,
    trainees: Option<String>,
    training_topics: Option<String>,
    training_hours: Option<String>,
    #[serde(default)]
    person_times: String,
    person_days: Option<String>,
    #[serde(default)]
    cost: String,
    guidance_fee: Option<String>,
    signature_png: Option<String>,
    #[serde(default)]
    rating: String,
}

impl StepForm {
    fn installers(&self) -> Vec<InstallerInput> {
        [
            (
                &self.installer_name_1,
                &self.installer_id_1,
                &self.installer_credential_1,
            ),
            (
                &self.installer_name_2,
                &self.installer_id_2,
                &self.installer_credential_2,
            ),
            (
                &self.installer_name_3,
                &self.installer_id_3,
                &self.installer_credential_3,
            ),
        ]
        .into_iter()
        .filter(|(name, id_no, _)| !name.trim().is_empty() || !id_no.trim().is_empty())
        .map(|(name, id_no, credential)| InstallerInput {
            name: name.clone(),
            id_no: id_no.clone(),
            credential_no: super::form_text(credential),
        })
        .collect()
    }

    fn input(&self) -> Result<InstallationStepInput, AppError> {
        let person_times = match self.person_times.trim() {
            "" => None,
            text => Some(
                text.parse::<i32>()
                    .map_err(|_| AppError::invalid("person_times", "invalid_number"))?,
            ),
        };
        let cost_fen = match self.cost.trim() {
            "" => None,
            text => Some(
                aftersales_domain::money::parse_yuan(text)
                    .map_err(|code| AppError::invalid("cost_fen", code))?,
            ),
        };
        Ok(InstallationStepInput {
            version: self.version,
            provider_id: optional_id(&self.provider_id),
            wanted_at: instant_field(&self.wanted_at),
            requirements: super::form_text(&self.requirements),
            commission_due_at: instant_field(&self.commission_due_at),
            note: self.note.clone(),
            installers: self.installers(),
            commissioning_result: self.commissioning_result.clone(),
            trainees: self.trainees.clone(),
            training_topics: self.training_topics.clone(),
            training_hours: self.training_hours.clone(),
            person_times,
            person_days: self.person_days.clone(),
            cost_fen,
            guidance_fee: ticked(&self.guidance_fee),
            signature_png: self.signature_png.clone().filter(|s| !s.is_empty()),
            rating: self.rating.trim().parse().ok(),
        })
    }
}

async fn step_installation(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let result = match (InstallationEvent::parse(&form.event), form.input()) {
        (None, _) => Err(AppError::invalid("event", "invalid_choice")),
        (_, Err(err)) => Err(err),
        (Some(event), Ok(input)) => {
            installations::step(&state.app, &user.actor, id, event, &input).await
        }
    };
    form_outcome(
        result,
        |_| format!("/installations/{id}"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "installations/print.html")]
struct PrintPage {
    ctx: Ctx,
    order: InstallationView,
}

/// The installation work order (安装派工单) on A4, for companies working on paper.
async fn print_installation(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let order = installations::get(&state.app, &user.actor, id).await?;
    render(&PrintPage {
        ctx: Ctx::of(&user, "installations"),
        order,
    })
}

// ----- installation companies -----

#[derive(Debug, Default, Deserialize)]
pub struct ProviderForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    agreement_start: String,
    #[serde(default)]
    agreement_end: String,
    #[serde(default)]
    zones: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    active: Option<String>,
    version: Option<i32>,
}

impl ProviderForm {
    fn of(provider: &ProviderView) -> ProviderForm {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        ProviderForm {
            name: provider.name.clone(),
            kind: provider.kind.clone(),
            agreement_start: text(&provider.agreement_start),
            agreement_end: text(&provider.agreement_end),
            zones: text(&provider.zones),
            email: text(&provider.email),
            contact_name: text(&provider.contact_name),
            contact_phone: text(&provider.contact_phone),
            active: provider.active.then(|| "on".to_string()),
            version: Some(provider.version),
        }
    }

    fn input(&self) -> ProviderInput {
        ProviderInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            agreement_start: super::form_text(&self.agreement_start),
            agreement_end: super::form_text(&self.agreement_end),
            zones: super::form_text(&self.zones),
            email: super::form_text(&self.email),
            contact_name: super::form_text(&self.contact_name),
            contact_phone: super::form_text(&self.contact_phone),
            active: ticked(&self.active),
            version: self.version,
        }
    }

    fn is_active(&self) -> bool {
        ticked(&self.active)
    }
}

#[derive(Template)]
#[template(path = "installations/providers.html")]
struct ProvidersPage {
    ctx: Ctx,
    items: Vec<ProviderView>,
    form: ProviderForm,
    errors: FieldErrors,
}

async fn providers_page(
    state: &AppState,
    user: &PageUser,
    form: ProviderForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let items = installations::list_providers(&state.app, &user.actor).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &ProvidersPage {
            ctx: Ctx::of(user, "installation_providers"),
            items,
            form,
            errors,
        },
    )
}

async fn list_providers(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let form = ProviderForm {
        kind: "provider".into(),
        active: Some("on".into()),
        ..ProviderForm::default()
    };
    providers_page(&state, &user, form, None).await
}

async fn create_provider(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<ProviderForm>,
) -> Result<Response, PageError> {
    let result = installations::create_provider(&state.app, &user.actor, &form.input()).await;
    form_outcome(
        result,
        |provider| format!("/installation-providers/{}", provider.id),
        |err| providers_page(&state, &user, form, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "installations/provider.html")]
struct ProviderPage {
    ctx: Ctx,
    provider: ProviderView,
    form: ProviderForm,
    username: String,
    errors: FieldErrors,
}

async fn provider_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: Option<ProviderForm>,
    username: String,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let provider = installations::get_provider(&state.app, &user.actor, id).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &ProviderPage {
            ctx: Ctx::of(user, "installation_providers"),
            form: form.unwrap_or_else(|| ProviderForm::of(&provider)),
            provider,
            username,
            errors,
        },
    )
}

async fn show_provider(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    provider_page(&state, &user, id, None, String::new(), None).await
}

async fn update_provider(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ProviderForm>,
) -> Result<Response, PageError> {
    let result = installations::update_provider(&state.app, &user.actor, id, &form.input()).await;
    form_outcome(
        result,
        |_| format!("/installation-providers/{id}"),
        |err| provider_page(&state, &user, id, Some(form), String::new(), Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct ProviderUserForm {
    #[serde(default)]
    username: String,
}

async fn add_provider_user(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ProviderUserForm>,
) -> Result<Response, PageError> {
    let input = ProviderUserInput {
        username: form.username.clone(),
    };
    let result = installations::add_provider_user(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| format!("/installation-providers/{id}"),
        |err| provider_page(&state, &user, id, None, form.username.clone(), Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "installations/scorecards.html")]
struct ScorecardsPage {
    ctx: Ctx,
    items: Vec<ProviderScoreView>,
}

async fn scorecards(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let items = installations::scorecards(&state.app, &user.actor).await?;
    render(&ScorecardsPage {
        ctx: Ctx::of(&user, "installation_scorecards"),
        items,
    })
}
