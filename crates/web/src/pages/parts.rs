//! Spare-parts pages: the catalogue, stock by location with receipt / transfer / scrap
//! forms, stock counts, the loaner pool, and an order's parts page (issue from the van,
//! returns, where a missing part is available, the supervisor's one-step transfer, loaners
//! lent to the order). The order page loads a short summary of it with htmx, so the order
//! page itself needs one include line.

use aftersales_app::loaners::{self, LoanerInput, LoanerStepInput, LoanerView};
use aftersales_app::page::PageRequest;
use aftersales_app::parts::{
    self, CountDecisionInput, CountEntryInput, CountInput, CountSummary, CountView, CountedLine,
    LocationView, MovementFilter, MovementView, OrderPartInput, OrderPartsView, PartFilter,
    PartInput, PartView, ReceiptInput, ScrapInput, StockFilter, StockRow, TransferInput,
};
use aftersales_app::AppError;
use aftersales_domain::parts::LoanerEvent;
use aftersales_domain::role::Permission;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, optional_id, redirect, render, render_with, CsrfForm, Ctx, FieldErrors,
    PageError, Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parts", get(catalogue).post(create_part))
        .route("/parts/recompute-abc", post(recompute_abc))
        .route("/stock", get(stock))
        .route("/stock/receipts", post(receive))
        .route("/stock/transfers", post(transfer))
        .route("/stock/scrap", post(scrap))
        .route("/stock-counts", get(counts).post(create_count))
        .route("/stock-counts/{id}", get(count))
        .route("/stock-counts/{id}/entries", post(enter_counts))
        .route("/stock-counts/{id}/decision", post(decide_count))
        .route("/loaners", get(loaner_pool).post(create_loaner))
        .route("/loaners/{id}/{event}", post(loaner_step))
        .route("/service-orders/{id}/parts", get(order_parts))
        .route("/service-orders/{id}/parts/summary", get(order_summary))
        .route("/service-orders/{id}/parts/{action}", post(order_action))
}

/// Every refusal on these pages is shown at the top of the page: the forms are small and
/// several share one page.
fn messages(error: &Option<AppError>, user: &PageUser) -> (StatusCode, FieldErrors) {
    const FIELDS: &[(&str, &str)] = &[
        ("part_id", ""),
        ("part_number", ""),
        ("name", ""),
        ("unit", ""),
        ("cost_fen", ""),
        ("sale_price_fen", ""),
        ("supplier", ""),
        ("product_ids", ""),
        ("abc_override", ""),
        ("abc_override_reason", ""),
        ("quantity", ""),
        ("location_id", ""),
        ("from_location_id", ""),
        ("to_location_id", ""),
        ("to_technician_id", ""),
        ("unit_cost_fen", ""),
        ("reason", ""),
        ("scope", ""),
        ("counted_quantity", ""),
        ("lines", ""),
        ("status", ""),
        ("order_id", ""),
        ("code", ""),
        ("note", ""),
        ("loaner", ""),
        ("technician_id", ""),
        ("org_unit_id", ""),
        ("version", ""),
    ];
    match error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, FIELDS),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    }
}

fn number(text: &str, field: &str) -> Result<i64, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::invalid(field, "invalid_number"))
}

fn yuan(text: &str, field: &str) -> Result<i64, AppError> {
    aftersales_domain::money::parse_yuan(text).map_err(|code| AppError::invalid(field, code))
}

fn non_empty(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

// ---------------------------------------------------------------- catalogue

#[derive(Debug, Default, Deserialize)]
pub struct PartForm {
    #[serde(default)]
    part_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    cost: String,
    #[serde(default)]
    sale_price: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    product_id: String,
    #[serde(default)]
    abc_override: String,
    #[serde(default)]
    abc_override_reason: String,
}

impl PartForm {
    fn to_input(&self) -> Result<PartInput, AppError> {
        Ok(PartInput {
            part_number: self.part_number.clone(),
            name: self.name.clone(),
            unit: self.unit.clone(),
            cost_fen: yuan(&self.cost, "cost_fen")?,
            sale_price_fen: yuan(&self.sale_price, "sale_price_fen")?,
            supplier: self.supplier.clone(),
            product_ids: optional_id(&self.product_id).into_iter().collect(),
            abc_override: non_empty(&self.abc_override),
            abc_override_reason: non_empty(&self.abc_override_reason),
            active: true,
            version: None,
        })
    }
}

#[derive(Template)]
#[template(path = "parts/catalogue.html")]
struct CataloguePage {
    ctx: Ctx,
    parts: Vec<PartView>,
    products: Vec<aftersales_app::products::ProductView>,
    form: PartForm,
    errors: FieldErrors,
}

async fn catalogue_page(
    state: &AppState,
    user: &PageUser,
    form: PartForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let parts = parts::list_parts(&state.app, &user.actor, &PartFilter::default()).await?;
    let products = aftersales_app::products::list(
        &state.app,
        &user.actor,
        &aftersales_app::products::ProductFilter::default(),
        aftersales_app::page::PageRequest {
            page: None,
            per_page: Some(200),
        },
    )
    .await
    .map(|page| page.items)
    .unwrap_or_default();
    let (status, errors) = messages(&error, user);
    render_with(
        status,
        &CataloguePage {
            ctx: Ctx::of(user, "parts"),
            parts,
            products,
            form,
            errors,
        },
    )
}

async fn catalogue(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let form = PartForm {
        unit: "个".into(),
        ..PartForm::default()
    };
    catalogue_page(&state, &user, form, None).await
}

async fn create_part(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<PartForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => parts::create_part(&state.app, &user.actor, &input).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| "/parts",
        |err| catalogue_page(&state, &user, form, Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct EmptyForm {}

async fn recompute_abc(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(_form): CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    parts::recompute_abc(&state.app, &user.actor).await?;
    redirect("/parts")
}

// ---------------------------------------------------------------- stock

#[derive(Debug, Default, Deserialize)]
pub struct StockQuery {
    location_id: Option<String>,
}

#[derive(Template)]
#[template(path = "parts/stock.html")]
struct StockPage {
    ctx: Ctx,
    location_id: Option<i64>,
    locations: Vec<LocationView>,
    rows: Vec<StockRow>,
    parts: Vec<PartView>,
    movements: Vec<MovementView>,
    errors: FieldErrors,
}

impl StockPage {
    fn total_value(&self) -> String {
        aftersales_domain::money::format_yuan(self.rows.iter().map(|r| r.value_fen).sum())
    }
    fn selected(&self, id: &i64) -> bool {
        self.location_id == Some(*id)
    }
}

async fn stock_page(
    state: &AppState,
    user: &PageUser,
    location_id: Option<i64>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let filter = StockFilter {
        location_id,
        ..StockFilter::default()
    };
    let rows = parts::stock(&state.app, &user.actor, &filter).await?;
    let locations = parts::list_locations(&state.app, &user.actor).await?;
    let parts = parts::list_parts(&state.app, &user.actor, &PartFilter::default()).await?;
    let movements =
        if user.actor.can(Permission::PartsWrite) || user.actor.can(Permission::PartsApprove) {
            let filter = MovementFilter {
                location_id,
                part_id: None,
            };
            let mut rows = parts::movements(&state.app, &user.actor, &filter).await?;
            rows.truncate(30);
            rows
        } else {
            Vec::new()
        };
    let (status, errors) = messages(&error, user);
    render_with(
        status,
        &StockPage {
            ctx: Ctx::of(user, "stock"),
            location_id,
            locations,
            rows,
            parts,
            movements,
            errors,
        },
    )
}

async fn stock(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<StockQuery>,
) -> Result<Response, PageError> {
    let location_id = query.location_id.as_deref().and_then(optional_id);
    stock_page(&state, &user, location_id, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    part_id: String,
    #[serde(default)]
    location_id: String,
    #[serde(default)]
    to_location_id: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    unit_cost: String,
    #[serde(default)]
    reason: String,
}

impl MoveForm {
    fn location(&self) -> Option<i64> {
        optional_id(&self.location_id)
    }
    fn part_id(&self) -> Result<i64, AppError> {
        optional_id(&self.part_id).ok_or_else(|| AppError::invalid("part_id", "required"))
    }
    fn location_id(&self) -> Result<i64, AppError> {
        self.location()
            .ok_or_else(|| AppError::invalid("location_id", "required"))
    }
}

async fn stock_outcome<T>(
    state: &AppState,
    user: &PageUser,
    location: Option<i64>,
    result: Result<T, AppError>,
) -> Result<Response, PageError> {
    let back = match location {
        Some(id) => format!("/stock?location_id={id}"),
        None => "/stock".to_string(),
    };
    form_outcome(
        result,
        |_| back,
        |err| stock_page(state, user, location, Some(err)),
    )
    .await
}

async fn receive(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, PageError> {
    let result = async {
        let input = ReceiptInput {
            part_id: form.part_id()?,
            location_id: form.location_id()?,
            quantity: number(&form.quantity, "quantity")?,
            unit_cost_fen: match non_empty(&form.unit_cost) {
                Some(text) => Some(yuan(&text, "unit_cost_fen")?),
                None => None,
            },
            reason: non_empty(&form.reason),
        };
        parts::receive(&state.app, &user.actor, &input).await
    }
    .await;
    stock_outcome(&state, &user, form.location(), result).await
}

async fn transfer(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, PageError> {
    let result = async {
        let input = TransferInput {
            part_id: form.part_id()?,
            from_location_id: form.location_id()?,
            to_location_id: Some(
                optional_id(&form.to_location_id)
                    .ok_or_else(|| AppError::invalid("to_location_id", "required"))?,
            ),
            to_technician_id: None,
            quantity: number(&form.quantity, "quantity")?,
            reason: non_empty(&form.reason),
        };
        parts::transfer(&state.app, &user.actor, &input).await
    }
    .await;
    stock_outcome(&state, &user, form.location(), result).await
}

async fn scrap(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, PageError> {
    let result = async {
        let input = ScrapInput {
            part_id: form.part_id()?,
            location_id: form.location_id()?,
            quantity: number(&form.quantity, "quantity")?,
            reason: form.reason.clone(),
        };
        parts::scrap(&state.app, &user.actor, &input).await
    }
    .await;
    stock_outcome(&state, &user, form.location(), result).await
}

// ---------------------------------------------------------------- counts

#[derive(Template)]
#[template(path = "parts/counts.html")]
struct CountsPage {
    ctx: Ctx,
    counts: Vec<CountSummary>,
    pager: Pager,
    locations: Vec<LocationView>,
    scopes: &'static [&'static str],
    errors: FieldErrors,
}

async fn counts_page(
    state: &AppState,
    user: &PageUser,
    page: PageRequest,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let page = parts::list_counts(&state.app, &user.actor, page).await?;
    let locations = parts::list_locations(&state.app, &user.actor).await?;
    let (status, errors) = messages(&error, user);
    render_with(
        status,
        &CountsPage {
            ctx: Ctx::of(user, "stock_counts"),
            pager: Pager::new(&page, &[]),
            counts: page.items,
            locations,
            scopes: parts::COUNT_SCOPES,
            errors,
        },
    )
}

async fn counts(
    State(state): State<AppState>,
    user: PageUser,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    counts_page(&state, &user, page, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CountForm {
    #[serde(default)]
    location_id: String,
    #[serde(default)]
    scope: String,
}

async fn create_count(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<CountForm>,
) -> Result<Response, PageError> {
    let input = CountInput {
        location_id: optional_id(&form.location_id).unwrap_or(0),
        scope: form.scope.clone(),
    };
    let result = parts::create_count(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |count| format!("/stock-counts/{}", count.sheet.id),
        |err| counts_page(&state, &user, PageRequest::default(), Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "parts/count.html")]
struct CountPage {
    ctx: Ctx,
    count: CountView,
    errors: FieldErrors,
}

impl CountPage {
    fn has_differences(&self) -> bool {
        self.count
            .lines
            .iter()
            .any(|l| l.difference.unwrap_or(0) != 0)
    }
    fn counted(&self, value: &Option<i64>) -> String {
        value.map(|v| v.to_string()).unwrap_or_default()
    }
    fn signed(&self, value: &Option<i64>) -> String {
        match value {
            Some(v) if *v > 0 => format!("+{v}"),
            Some(v) => v.to_string(),
            None => "—".into(),
        }
    }
}

async fn count_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let count = parts::get_count(&state.app, &user.actor, id).await?;
    let (status, errors) = messages(&error, user);
    render_with(
        status,
        &CountPage {
            ctx: Ctx::of(user, "stock_counts"),
            count,
            errors,
        },
    )
}

async fn count(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    count_page(&state, &user, id, None).await
}

/// The count sheet: `line_<id>` fields with the counted quantities.
async fn enter_counts(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let result = async {
        let mut lines = Vec::new();
        for (key, value) in &form {
            let Some(line_id) = key.strip_prefix("line_").and_then(|k| k.parse().ok()) else {
                continue;
            };
            if value.trim().is_empty() {
                continue;
            }
            lines.push(CountedLine {
                line_id,
                counted_quantity: number(value, "counted_quantity")?,
            });
        }
        let input = CountEntryInput {
            lines,
            submit: form.get("submit").is_some_and(|v| v == "1"),
            version: number(form.get("version").map_or("", String::as_str), "version")? as i32,
        };
        parts::enter_counts(&state.app, &user.actor, id, &input).await
    }
    .await;
    form_outcome(
        result,
        |_| format!("/stock-counts/{id}"),
        |err| count_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    approve: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i32,
}

async fn decide_count(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    let input = CountDecisionInput {
        approve: form.approve == "1",
        reason: non_empty(&form.reason),
        version: form.version,
    };
    let result = parts::decide_count(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| format!("/stock-counts/{id}"),
        |err| count_page(&state, &user, id, Some(err)),
    )
    .await
}

// ---------------------------------------------------------------- loaners

#[derive(Template)]
#[template(path = "parts/loaners.html")]
struct LoanersPage {
    ctx: Ctx,
    loaners: Vec<LoanerView>,
    errors: FieldErrors,
}

async fn loaners_page(
    state: &AppState,
    user: &PageUser,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let loaners = loaners::list(&state.app, &user.actor).await?;
    let (status, errors) = messages(&error, user);
    render_with(
        status,
        &LoanersPage {
            ctx: Ctx::of(user, "loaners"),
            loaners,
            errors,
        },
    )
}

async fn loaner_pool(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    loaners_page(&state, &user, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct LoanerForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    serial_no: String,
}

async fn create_loaner(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<LoanerForm>,
) -> Result<Response, PageError> {
    let input = LoanerInput {
        code: form.code,
        name: form.name,
        serial_no: form.serial_no,
        org_unit_id: None,
    };
    let result = loaners::create(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |_| "/loaners",
        |err| loaners_page(&state, &user, Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct LoanerStepForm {
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i32,
}

/// Lend, recall or retire from the pool page, or from an order's parts page (with
/// `order_id`), which the answer then returns to.
async fn loaner_step(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, event)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<LoanerStepForm>,
) -> Result<Response, PageError> {
    let event = LoanerEvent::parse(&event).ok_or(AppError::NotFound)?;
    let order_id = optional_id(&form.order_id);
    let input = LoanerStepInput {
        order_id,
        note: non_empty(&form.note),
        version: form.version,
    };
    let result = loaners::step(&state.app, &user.actor, id, event, &input).await;
    let back = match order_id {
        Some(order_id) => format!("/service-orders/{order_id}/parts"),
        None => "/loaners".into(),
    };
    form_outcome(
        result,
        |_| back,
        |err| async move {
            match order_id {
                Some(order_id) => order_page(&state, &user, order_id, None, Some(err)).await,
                None => loaners_page(&state, &user, Some(err)).await,
            }
        },
    )
    .await
}

// ---------------------------------------------------------------- parts on an order

#[derive(Template)]
#[template(path = "parts/order.html")]
struct OrderPage {
    ctx: Ctx,
    view: OrderPartsView,
    parts: Vec<PartView>,
    /// The part asked about (after a shortfall, or "where is it?").
    needed: Option<PartView>,
    available: Vec<StockRow>,
    lent: Vec<LoanerView>,
    /// Available loaners of the order's branch, for the lend form.
    pool: Vec<LoanerView>,
    errors: FieldErrors,
}

impl OrderPage {
    fn can_work(&self) -> bool {
        self.view.open
            && self.ctx.can("order.work")
            && (self.ctx.can("order.dispatch")
                || self.view.technician_id == self.ctx.user.as_ref().map(|u| u.user_id))
    }
    /// The technician's van quantity of a part.
    fn in_van(&self, part_id: &i64) -> i64 {
        self.view
            .van
            .iter()
            .find(|r| r.part_id == *part_id)
            .map_or(0, |r| r.on_hand)
    }
    fn is_van(&self, location_id: &i64) -> bool {
        self.view.van_location_id == Some(*location_id)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct OrderQuery {
    part_id: Option<String>,
}

async fn order_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    needed_part: Option<i64>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let view = parts::order_parts(&state.app, &user.actor, id).await?;
    let parts = parts::list_parts(&state.app, &user.actor, &PartFilter::default())
        .await
        .unwrap_or_default();
    let needed = needed_part.and_then(|pid| parts.iter().find(|p| p.id == pid).cloned());
    let available = match &needed {
        Some(part) => parts::availability(&state.app, &user.actor, part.id).await?,
        None => Vec::new(),
    };
    let lent = loaners::of_order(&state.app, &user.actor, id).await?;
    let order = aftersales_app::service_orders::get(&state.app, &user.actor, id).await?;
    let pool = loaners::list(&state.app, &user.actor)
        .await?
        .into_iter()
        .filter(|l| l.status == "available" && l.org_unit_id == order.org_unit_id)
        .collect();
    let (status, errors) = messages(&error, user);
    render_with(
        status,
        &OrderPage {
            ctx: Ctx::of(user, "service_orders"),
            view,
            parts,
            needed,
            available,
            lent,
            pool,
            errors,
        },
    )
}

async fn order_parts(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<OrderQuery>,
) -> Result<Response, PageError> {
    let part_id = query.part_id.as_deref().and_then(optional_id);
    order_page(&state, &user, id, part_id, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct OrderPartForm {
    #[serde(default)]
    part_id: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    from_location_id: String,
}

/// issue, return-unused, return-faulty or transfer (the supervisor's one-step transfer
/// into the technician's van).
async fn order_action(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<OrderPartForm>,
) -> Result<Response, PageError> {
    let part_id = optional_id(&form.part_id);
    let result = async {
        let input = OrderPartInput {
            part_id: part_id.ok_or_else(|| AppError::invalid("part_id", "required"))?,
            quantity: match non_empty(&form.quantity) {
                Some(text) => Some(number(&text, "quantity")?),
                None => None,
            },
            location_id: None,
        };
        match action.as_str() {
            "issue" => parts::issue_to_order(&state.app, &user.actor, id, &input)
                .await
                .map(drop),
            "return-unused" => parts::return_unused(&state.app, &user.actor, id, &input)
                .await
                .map(drop),
            "return-faulty" => parts::return_faulty(&state.app, &user.actor, id, &input)
                .await
                .map(drop),
            "transfer" => parts::transfer_to_order(
                &state.app,
                &user.actor,
                id,
                input.part_id,
                optional_id(&form.from_location_id)
                    .ok_or_else(|| AppError::invalid("from_location_id", "required"))?,
                input.quantity.unwrap_or(1),
            )
            .await
            .map(drop),
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    let back = match (&action[..], part_id) {
        ("transfer", Some(part_id)) => format!("/service-orders/{id}/parts?part_id={part_id}"),
        _ => format!("/service-orders/{id}/parts"),
    };
    form_outcome(
        result,
        |_| back,
        |err| order_page(&state, &user, id, part_id, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "parts/order_summary.html")]
struct SummaryFragment {
    ctx: Ctx,
    view: OrderPartsView,
    lent: Vec<LoanerView>,
}

/// The short parts-and-loaners section the order page loads.
async fn order_summary(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let view = parts::order_parts(&state.app, &user.actor, id).await?;
    let lent = loaners::of_order(&state.app, &user.actor, id).await?;
    render(&SummaryFragment {
        ctx: Ctx::of(&user, "service_orders"),
        view,
        lent,
    })
}
