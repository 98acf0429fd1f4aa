//! The product catalogue: models with their flags and components, each component with its
//! own warranty period.

use aftersales_domain::role::Permission;
use aftersales_domain::validation::{required_text, ValidationErrors};
use aftersales_store::entity::{product, product_component};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::idempotency::{self, IdempotencyKey};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::{audit, Actor, App, AppError};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ComponentInput {
    pub name: String,
    pub warranty_months: i32,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ProductInput {
    pub model: String,
    pub name: String,
    /// Product category; technicians' skills and certificates refer to it.
    pub category: String,
    /// Warranty of the whole unit in months.
    pub warranty_months: i32,
    #[serde(default = "yes")]
    pub returnable: bool,
    /// Covered by the 三包 regulations.
    #[serde(default)]
    pub sanbao: bool,
    /// Large or heavy: qualifies for home delivery.
    #[serde(default)]
    pub bulky: bool,
    #[serde(default)]
    pub needs_installation: bool,
    #[serde(default)]
    pub seasonal: bool,
    #[serde(default)]
    pub components: Vec<ComponentInput>,
    pub version: Option<i32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    pub id: i64,
    pub model: String,
    pub name: String,
    pub category: String,
    pub warranty_months: i32,
    pub returnable: bool,
    pub sanbao: bool,
    pub bulky: bool,
    pub needs_installation: bool,
    pub seasonal: bool,
    pub components: Vec<ComponentInput>,
    pub version: i32,
}

const MAX_WARRANTY_MONTHS: i32 = 240;

fn validate(
    input: &ProductInput,
) -> Result<(String, String, String, Vec<ComponentInput>), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let model = errors.check("model", required_text(&input.model, 50));
    let name = errors.check("name", required_text(&input.name, 100));
    let category = errors.check("category", required_text(&input.category, 50));
    if !(0..=MAX_WARRANTY_MONTHS).contains(&input.warranty_months) {
        errors.add("warranty_months", "out_of_range");
    }
    let mut components = Vec::new();
    for (idx, component) in input.components.iter().enumerate() {
        let name = errors.check(
            &format!("components[{idx}].name"),
            required_text(&component.name, 50),
        );
        if !(0..=MAX_WARRANTY_MONTHS).contains(&component.warranty_months) {
            errors.add(format!("components[{idx}].warranty_months"), "out_of_range");
        }
        if let Some(name) = name {
            if components.iter().any(|c: &ComponentInput| c.name == name) {
                errors.add(format!("components[{idx}].name"), "duplicate");
            }
            components.push(ComponentInput {
                name,
                warranty_months: component.warranty_months,
            });
        }
    }
    match (model, name, category) {
        (Some(model), Some(name), Some(category)) if errors.is_empty() => {
            Ok((model, name, category, components))
        }
        _ => Err(errors),
    }
}

pub(crate) async fn components_of(
    db: &impl ConnectionTrait,
    product_id: i64,
) -> Result<Vec<product_component::Model>, AppError> {
    Ok(product_component::Entity::find()
        .filter(product_component::Column::ProductId.eq(product_id))
        .order_by_asc(product_component::Column::Id)
        .all(db)
        .await?)
}

async fn view(db: &impl ConnectionTrait, row: product::Model) -> Result<ProductView, AppError> {
    let components = components_of(db, row.id)
        .await?
        .into_iter()
        .map(|c| ComponentInput {
            name: c.name,
            warranty_months: c.warranty_months,
        })
        .collect();
    Ok(ProductView {
        id: row.id,
        model: row.model,
        name: row.name,
        category: row.category,
        warranty_months: row.warranty_months,
        returnable: row.returnable,
        sanbao: row.sanbao,
        bulky: row.bulky,
        needs_installation: row.needs_installation,
        seasonal: row.seasonal,
        components,
        version: row.version,
    })
}

async fn replace_components(
    db: &impl ConnectionTrait,
    product_id: i64,
    components: &[ComponentInput],
) -> Result<(), AppError> {
    product_component::Entity::delete_many()
        .filter(product_component::Column::ProductId.eq(product_id))
        .exec(db)
        .await?;
    for component in components {
        product_component::ActiveModel {
            product_id: Set(product_id),
            name: Set(component.name.clone()),
            warranty_months: Set(component.warranty_months),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: &ProductInput,
    key: Option<&IdempotencyKey>,
) -> Result<ProductView, AppError> {
    actor.require(Permission::ProductWrite)?;
    if let Some(id) = idempotency::replayed(app, actor, key, "product").await? {
        return get(app, actor, id).await;
    }
    let txn = app.write_txn().await?;
    let created = insert(app, &txn, actor, input).await?;
    idempotency::remember(&txn, actor, key, "product", created.id, app.now_ms()).await?;
    txn.commit().await?;
    Ok(created)
}

/// Validates and inserts one product inside the caller's transaction.
pub(crate) async fn insert(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: &ProductInput,
) -> Result<ProductView, AppError> {
    let (model, name, category, components) = validate(input)?;
    let now = app.now_ms();
    let row = product::ActiveModel {
        model: Set(model),
        name: Set(name),
        category: Set(category),
        warranty_months: Set(input.warranty_months),
        returnable: Set(input.returnable),
        sanbao: Set(input.sanbao),
        bulky: Set(input.bulky),
        needs_installation: Set(input.needs_installation),
        seasonal: Set(input.seasonal),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    replace_components(db, row.id, &components).await?;
    let created = view(db, row).await?;
    audit::record(
        db,
        now,
        Some(actor),
        "product",
        created.id,
        "create",
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ProductInput,
) -> Result<ProductView, AppError> {
    actor.require(Permission::ProductWrite)?;
    let (model, name, category, components) = validate(input)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = product::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = view(&txn, row.clone()).await?;
    let mut active: product::ActiveModel = row.into();
    active.model = Set(model);
    active.name = Set(name);
    active.category = Set(category);
    active.warranty_months = Set(input.warranty_months);
    active.returnable = Set(input.returnable);
    active.sanbao = Set(input.sanbao);
    active.bulky = Set(input.bulky);
    active.needs_installation = Set(input.needs_installation);
    active.seasonal = Set(input.seasonal);
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let updated = versioned_update(&txn, active, product::Column::Version, version).await?;
    replace_components(&txn, id, &components).await?;
    let after = view(&txn, updated).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "product",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ProductView, AppError> {
    actor.require(Permission::ProductRead)?;
    let row = product::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    view(&app.db, row).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ProductFilter {
    /// Matches model or name.
    pub q: Option<String>,
    pub category: Option<String>,
}

pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ProductFilter,
    page: PageRequest,
) -> Result<Page<ProductView>, AppError> {
    actor.require(Permission::ProductRead)?;
    let mut query = product::Entity::find().order_by_asc(product::Column::Model);
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(crate::search::contains(product::Column::Model, q))
                .add(crate::search::contains(product::Column::Name, q)),
        );
    }
    if let Some(category) = filter.category.as_deref().filter(|c| !c.is_empty()) {
        query = query.filter(product::Column::Category.eq(category));
    }
    let paginator = query.paginate(&app.db, page.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(&app.db, row).await?);
    }
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
        total_capped: false,
    })
}
