//! Product catalogue pages: list, create and edit with components.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::products::{self, ComponentInput, ProductFilter, ProductInput, ProductView};
use aftersales_app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, render, render_with, ticked, CsrfForm, Ctx, FieldErrors, PageError, Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/products", get(list_products).post(create_product))
        .route("/products/new", get(new_product))
        .route("/products/{id}", get(edit_product).post(update_product))
}

#[derive(Template)]
#[template(path = "products/list.html")]
struct ListPage {
    ctx: Ctx,
    page: Page<ProductView>,
    pager: Pager,
    q: String,
}

async fn list_products(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<ProductFilter>,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let result = products::list(&state.app, &user.actor, &filter, page).await?;
    let pager = Pager::new(
        &result,
        &[
            ("q", filter.q.clone()),
            ("category", filter.category.clone()),
        ],
    );
    render(&ListPage {
        ctx: Ctx::of(&user, "products"),
        page: result,
        pager,
        q: filter.q.unwrap_or_default(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ProductForm {
    #[serde(default)]
    model: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    warranty_months: String,
    returnable: Option<String>,
    sanbao: Option<String>,
    bulky: Option<String>,
    needs_installation: Option<String>,
    seasonal: Option<String>,
    /// One component per line: `name:months`.
    #[serde(default)]
    components: String,
    #[serde(default)]
    version: String,
}

fn flag(value: bool) -> Option<String> {
    value.then(|| "on".to_string())
}

impl ProductForm {
    fn from_view(p: &ProductView) -> ProductForm {
        ProductForm {
            model: p.model.clone(),
            name: p.name.clone(),
            category: p.category.clone(),
            warranty_months: p.warranty_months.to_string(),
            returnable: flag(p.returnable),
            sanbao: flag(p.sanbao),
            bulky: flag(p.bulky),
            needs_installation: flag(p.needs_installation),
            seasonal: flag(p.seasonal),
            components: p
                .components
                .iter()
                .map(|c| format!("{}:{}", c.name, c.warranty_months))
                .collect::<Vec<_>>()
                .join("\n"),
            version: p.version.to_string(),
        }
    }

    fn to_input(&self) -> Result<ProductInput, AppError> {
        let mut components = Vec::new();
        for line in self
            .components
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let parsed = line.rsplit_once([':', '：']).and_then(|(name, months)| {
                months.trim().parse().ok().map(|m| ComponentInput {
                    name: name.trim().to_string(),
                    warranty_months: m,
                })
            });
            components
                .push(parsed.ok_or_else(|| AppError::invalid("components", "invalid_components"))?);
        }
        let warranty_months = self
            .warranty_months
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("warranty_months", "invalid_number"))?;
        Ok(ProductInput {
            model: self.model.clone(),
            name: self.name.clone(),
            category: self.category.clone(),
            warranty_months,
            returnable: ticked(&self.returnable),
            sanbao: ticked(&self.sanbao),
            bulky: ticked(&self.bulky),
            needs_installation: ticked(&self.needs_installation),
            seasonal: ticked(&self.seasonal),
            components,
            version: self.version.parse().ok(),
        })
    }
}

#[derive(Template)]
#[template(path = "products/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: ProductForm,
    errors: FieldErrors,
}

/// Every component error is shown beside the one components box.
const FORM_FIELDS: &[(&str, &str)] = &[("components[*", "components")];

fn form_page(
    user: &PageUser,
    id: Option<i64>,
    form: ProductForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, FORM_FIELDS),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &FormPage {
            ctx: Ctx::of(user, "products"),
            id,
            form,
            errors,
        },
    )
}

async fn new_product(user: PageUser) -> Result<Response, PageError> {
    let form = ProductForm {
        warranty_months: "12".into(),
        returnable: flag(true),
        ..ProductForm::default()
    };
    form_page(&user, None, form, None)
}

async fn create_product(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<ProductForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => products::create(&state.app, &user.actor, &input, None).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| "/products",
        |err| async move { form_page(&user, None, form, Some(err)) },
    )
    .await
}

async fn edit_product(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let product = products::get(&state.app, &user.actor, id).await?;
    form_page(&user, Some(id), ProductForm::from_view(&product), None)
}

async fn update_product(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ProductForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => products::update(&state.app, &user.actor, id, &input).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| "/products",
        |err| async move { form_page(&user, Some(id), form, Some(err)) },
    )
    .await
}
