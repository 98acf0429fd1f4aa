//! Tool pages: the register with custody steps (issue with the no-private-use rule,
//! hand-over, return, loss / damage / wear-out), and tool purchase requests.

use aftersales_app::page::PageRequest;
use aftersales_app::tools::{
    self, QuoteInput, ToolFilter, ToolInput, ToolPurchaseFilter, ToolPurchaseInput,
    ToolPurchaseStepInput, ToolPurchaseView, ToolStepInput, ToolView,
};
use aftersales_app::AppError;
use aftersales_domain::role::Permission;
use aftersales_domain::tools::{PurchaseEvent, ToolEvent};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::purchasing::{messages, non_empty, number};
use super::{form_outcome, optional_id, render_with, CsrfForm, Ctx, FieldErrors, PageError, Pager};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tools", get(register_page).post(register))
        .route("/tools/{id}/{event}", post(tool_step))
        .route("/tool-purchases", get(purchases).post(create_purchase))
        .route("/tool-purchases/{id}/{event}", post(purchase_step))
}

fn yuan(text: &str, field: &str) -> Result<i64, AppError> {
    aftersales_domain::money::parse_yuan(text).map_err(|code| AppError::invalid(field, code))
}

// ---------------------------------------------------------------- the register

#[derive(Template)]
#[template(path = "tools/tools.html")]
struct ToolsPage {
    ctx: Ctx,
    tools: Vec<ToolView>,
    holders: Vec<(i64, String)>,
    endings: &'static [&'static str],
    errors: FieldErrors,
}

async fn tools_page(
    state: &AppState,
    user: &PageUser,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let tools = tools::list(&state.app, &user.actor, &ToolFilter::default()).await?;
    let holders = if user.actor.can(Permission::ToolsKeep) {
        tools::holders(&state.app, &user.actor).await?
    } else {
        Vec::new()
    };
    let (status, errors) = messages(&error, user);
    render_with(
        status,
        &ToolsPage {
            ctx: Ctx::of(user, "tools"),
            tools,
            holders,
            endings: &["loss", "damage", "wear_out"],
            errors,
        },
    )
}

async fn register_page(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    tools_page(&state, &user, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ToolForm {
    #[serde(default)]
    asset_no: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
}

async fn register(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<ToolForm>,
) -> Result<Response, PageError> {
    let result = async {
        let input = ToolInput {
            asset_no: form.asset_no.clone(),
            name: form.name.clone(),
            value_fen: yuan(&form.value, "value_fen")?,
            org_unit_id: None,
        };
        tools::register(&state.app, &user.actor, &input).await
    }
    .await;
    form_outcome(
        result,
        |_| "/tools",
        |err| tools_page(&state, &user, Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    holder_id: String,
    #[serde(default)]
    rule_accepted: String,
    /// The ending chosen on the loss / damage / wear-out form.
    #[serde(default)]
    ending: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    cause_report: String,
    #[serde(default)]
    compensation: String,
    #[serde(default)]
    version: String,
}

/// issue, hand_over, return, or `end` (the ending chosen on the form).
async fn tool_step(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, event)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let result = async {
        let code = if event == "end" {
            form.ending.as_str()
        } else {
            event.as_str()
        };
        let event =
            ToolEvent::parse(code).ok_or_else(|| AppError::invalid("ending", "invalid_choice"))?;
        let input = ToolStepInput {
            holder_id: optional_id(&form.holder_id),
            rule_accepted: form.rule_accepted == "1",
            note: non_empty(&form.note),
            cause_report: non_empty(&form.cause_report),
            compensation_fen: match non_empty(&form.compensation) {
                Some(text) => Some(yuan(&text, "compensation_fen")?),
                None => None,
            },
            version: number(&form.version, "version")? as i32,
        };
        tools::step(&state.app, &user.actor, id, event, &input).await
    }
    .await;
    form_outcome(
        result,
        |_| "/tools",
        |err| tools_page(&state, &user, Some(err)),
    )
    .await
}

// ---------------------------------------------------------------- purchases

#[derive(Template)]
#[template(path = "tools/purchases.html")]
struct PurchasesPage {
    ctx: Ctx,
    purchases: Vec<ToolPurchaseView>,
    pager: Pager,
    errors: FieldErrors,
}

async fn purchases_page(
    state: &AppState,
    user: &PageUser,
    page: PageRequest,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let page = tools::list_purchases(
        &state.app,
        &user.actor,
        &ToolPurchaseFilter::default(),
        page,
    )
    .await?;
    let (status, errors) = messages(&error, user);
    render_with(
        status,
        &PurchasesPage {
            ctx: Ctx::of(user, "tool_purchases"),
            pager: Pager::new(&page, &[]),
            purchases: page.items,
            errors,
        },
    )
}

async fn purchases(
    State(state): State<AppState>,
    user: PageUser,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    purchases_page(&state, &user, page, None).await
}

/// Up to three quotes: `supplier_1`, `price_1`, … .
#[derive(Debug, Default, Deserialize)]
pub struct PurchaseForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    supplier_1: String,
    #[serde(default)]
    price_1: String,
    #[serde(default)]
    supplier_2: String,
    #[serde(default)]
    price_2: String,
    #[serde(default)]
    supplier_3: String,
    #[serde(default)]
    price_3: String,
}

async fn create_purchase(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<PurchaseForm>,
) -> Result<Response, PageError> {
    let result = async {
        let mut quotes = Vec::new();
        for (supplier, price) in [
            (&form.supplier_1, &form.price_1),
            (&form.supplier_2, &form.price_2),
            (&form.supplier_3, &form.price_3),
        ] {
            if supplier.trim().is_empty() && price.trim().is_empty() {
                continue;
            }
            quotes.push(QuoteInput {
                supplier: supplier.clone(),
                price_fen: yuan(price, "quotes")?,
            });
        }
        let input = ToolPurchaseInput {
            name: form.name.clone(),
            purpose: form.purpose.clone(),
            quotes,
            chosen: None,
            org_unit_id: None,
        };
        tools::create_purchase(&state.app, &user.actor, &input).await
    }
    .await;
    form_outcome(
        result,
        |_| "/tool-purchases",
        |err| purchases_page(&state, &user, PageRequest::default(), Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct PurchaseStepForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    asset_no: String,
    #[serde(default)]
    version: String,
}

async fn purchase_step(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, event)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<PurchaseStepForm>,
) -> Result<Response, PageError> {
    let result = async {
        let event = PurchaseEvent::parse(&event).ok_or(AppError::NotFound)?;
        let input = ToolPurchaseStepInput {
            note: non_empty(&form.note),
            asset_no: non_empty(&form.asset_no),
            version: number(&form.version, "version")? as i32,
        };
        tools::purchase_step(&state.app, &user.actor, id, event, &input).await
    }
    .await;
    form_outcome(
        result,
        |_| "/tool-purchases",
        |err| purchases_page(&state, &user, PageRequest::default(), Some(err)),
    )
    .await
}
