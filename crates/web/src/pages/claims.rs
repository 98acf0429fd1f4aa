//! Claim pages (索赔): the claim register with the registration form and the claim-type
//! form, the claim page with its standard steps, countermeasure, purchasing outcome, the
//! sales manager's review, closing and evidence files, and the prevention report.

use aftersales_app::attachments::{self, AttachmentView};
use aftersales_app::claims::{
    self, CauseGroup, ClaimActionInput, ClaimFilter, ClaimInput, ClaimTypeInput, ClaimTypeView,
    ClaimView,
};
use aftersales_app::page::PageRequest;
use aftersales_app::AppError;
use aftersales_domain::claim::ClaimCause;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, is_form_error, redirect, render, render_with, CsrfForm, Ctx, FieldErrors,
    PageError, Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/claims", get(list_claims).post(register_claim))
        .route("/claims/report", get(report))
        .route("/claim-types", post(create_type))
        .route("/claims/{id}", get(show_claim))
        .route("/claims/{id}/actions", post(act))
        .route("/claims/{id}/attachments", post(upload_evidence))
}

#[derive(Debug, Default, Deserialize)]
struct ClaimForm {
    #[serde(default)]
    claim_type_id: String,
    #[serde(default)]
    claimant: String,
    #[serde(default)]
    order_number: String,
    #[serde(default)]
    product: String,
    /// Yuan.
    #[serde(default)]
    amount: String,
    #[serde(default)]
    facts: String,
    #[serde(default)]
    learned_on: String,
    /// The branch the claim belongs to (its branch manager reviews it).
    #[serde(default)]
    org_unit_id: String,
}

#[derive(Debug, Default, Deserialize)]
struct TypeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    steps: String,
}

#[derive(Template)]
#[template(path = "claims/list.html")]
struct ListPage {
    ctx: Ctx,
    claims: Vec<ClaimView>,
    pager: Pager,
    types: Vec<ClaimTypeView>,
    form: ClaimForm,
    type_form: TypeForm,
    errors: FieldErrors,
    branches: Vec<aftersales_app::org::OrgUnitView>,
}

impl ListPage {
    fn branch_is(&self, id: &i64) -> bool {
        self.form.org_unit_id.trim().parse::<i64>().ok() == Some(*id)
    }
    fn type_is(&self, id: &i64) -> bool {
        self.form.claim_type_id.trim().parse::<i64>().ok() == Some(*id)
    }
}

async fn list_page(
    state: &AppState,
    user: &PageUser,
    page: PageRequest,
    form: ClaimForm,
    type_form: TypeForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let page = claims::list(&state.app, &user.actor, &ClaimFilter::default(), page).await?;
    let pager = Pager::new(&page, &[]);
    let types = claims::types(&state.app, &user.actor).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[("amount_fen", "amount")]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &ListPage {
            ctx: Ctx::of(user, "claims"),
            claims: page.items,
            pager,
            types,
            form,
            type_form,
            errors,
            branches: aftersales_app::org::list_units(&state.app, &user.actor)
                .await
                .map(|units| units.into_iter().filter(|u| u.kind == "branch").collect())
                .unwrap_or_default(),
        },
    )
}

async fn list_claims(
    State(state): State<AppState>,
    user: PageUser,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let form = ClaimForm {
        learned_on: state.app.today().to_string(),
        ..ClaimForm::default()
    };
    list_page(&state, &user, page, form, TypeForm::default(), None).await
}

async fn register_claim(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<ClaimForm>,
) -> Result<Response, PageError> {
    let amount = match super::form_text(&form.amount) {
        None => Ok(0),
        Some(v) => aftersales_domain::money::parse_yuan(&v)
            .map_err(|code| AppError::invalid("amount_fen", code)),
    };
    let result = match amount {
        Ok(amount_fen) => {
            let input = ClaimInput {
                claim_type_id: form.claim_type_id.trim().parse().unwrap_or_default(),
                claimant: form.claimant.clone(),
                customer_id: None,
                order_number: super::form_text(&form.order_number),
                product: super::form_text(&form.product),
                amount_fen,
                facts: form.facts.clone(),
                learned_on: form.learned_on.clone(),
                org_unit_id: super::optional_id(&form.org_unit_id),
            };
            claims::register(&state.app, &user.actor, &input).await
        }
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |claim| format!("/claims/{}", claim.id),
        |err| {
            list_page(
                &state,
                &user,
                PageRequest::default(),
                form,
                TypeForm::default(),
                Some(err),
            )
        },
    )
    .await
}

async fn create_type(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<TypeForm>,
) -> Result<Response, PageError> {
    let input = ClaimTypeInput {
        code: form.code.clone(),
        name: form.name.clone(),
        steps: form.steps.clone(),
    };
    let result = claims::create_type(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |_| "/claims",
        |err| {
            list_page(
                &state,
                &user,
                PageRequest::default(),
                ClaimForm::default(),
                form,
                Some(err),
            )
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "claims/show.html")]
struct ShowPage {
    ctx: Ctx,
    c: ClaimView,
    causes: &'static [ClaimCause],
    files: Vec<AttachmentView>,
    errors: FieldErrors,
}

impl ShowPage {
    fn step_done(&self, idx: &usize) -> bool {
        (*idx as i32) < self.c.steps_done
    }
    fn steps_left(&self) -> bool {
        (self.c.steps_done as usize) < self.c.steps.len()
    }
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let c = claims::get(&state.app, &user.actor, id).await?;
    let files = attachments::list(&state.app, &user.actor, "claim", id)
        .await
        .unwrap_or_default();
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
            ctx: Ctx::of(user, "claims"),
            c,
            causes: ClaimCause::ALL,
            files,
            errors,
        },
    )
}

async fn show_claim(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, None).await
}

#[derive(Debug, Deserialize)]
struct ActionForm {
    action: String,
    version: i32,
    #[serde(default)]
    cause: String,
    #[serde(default)]
    countermeasure: String,
    #[serde(default)]
    prevention: String,
    #[serde(default)]
    note: String,
}

async fn act(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    let input = ClaimActionInput {
        action: form.action,
        version: form.version,
        cause: super::form_text(&form.cause),
        countermeasure: super::form_text(&form.countermeasure),
        prevention: super::form_text(&form.prevention),
        note: super::form_text(&form.note),
    };
    let result = claims::act(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| format!("/claims/{id}"),
        |err| show_page(&state, &user, id, Some(err)),
    )
    .await
}

async fn upload_evidence(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (name, content_type, bytes) = super::Upload::read(&user, multipart).await?.into_file();
    match attachments::upload(
        &state.app,
        &user.actor,
        "claim",
        id,
        &name,
        &content_type,
        &bytes,
    )
    .await
    {
        Ok(_) => redirect(&format!("/claims/{id}")),
        Err(err) if is_form_error(&err) => show_page(&state, &user, id, Some(err)).await,
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "claims/report.html")]
struct ReportPage {
    ctx: Ctx,
    groups: Vec<CauseGroup>,
}

async fn report(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let groups = claims::prevention_report(&state.app, &user.actor).await?;
    render(&ReportPage {
        ctx: Ctx::of(&user, "claims"),
        groups,
    })
}
