//! The installed base: sold units with their purchase facts, warranty and contract coverage.

use aftersales_domain::contract::{covers, ContractPeriod, ContractStatus};
use aftersales_domain::role::Permission;
use aftersales_domain::validation::{date, optional_text, required_text, ValidationErrors};
use aftersales_domain::warranty::{unit_warranty, ComponentTerm, UnitWarranty};
use aftersales_store::entity::{
    contract, contract_unit, customer, customer_address, product, product_component, unit,
};
use aftersales_store::relation::children;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult,
    JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use aftersales_store::SqlText;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::idempotency::{self, IdempotencyKey};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::{audit, Actor, App, AppError};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct UnitInput {
    pub serial_no: String,
    pub product_id: i64,
    pub customer_id: i64,
    /// One of the customer's addresses (where the unit stands).
    pub address_id: Option<i64>,
    /// YYYY-MM-DD, not in the future.
    pub purchase_date: String,
    pub install_date: Option<String>,
    /// The store (门店) that sold it.
    pub store: Option<String>,
    pub invoice_no: Option<String>,
    /// List price in fen.
    pub list_price_fen: i64,
    /// Price paid in fen (a discount when lower than the list price).
    pub paid_price_fen: i64,
    /// Sold as seasonal goods (matters for the price of a late return).
    #[serde(default)]
    pub seasonal: bool,
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitSummary {
    pub id: i64,
    pub serial_no: String,
    pub product_model: String,
    pub product_name: String,
    pub purchase_date: String,
    pub under_warranty: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageView {
    pub contract_id: i64,
    pub contract_number: String,
    pub end_date: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitView {
    pub id: i64,
    pub serial_no: String,
    pub product_id: i64,
    pub product_model: String,
    pub product_name: String,
    pub product_category: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub org_unit_id: i64,
    pub address_id: Option<i64>,
    pub purchase_date: String,
    pub install_date: Option<String>,
    pub store: Option<String>,
    pub invoice_no: Option<String>,
    pub list_price_fen: i64,
    pub paid_price_fen: i64,
    pub seasonal: bool,
    /// The date the warranty and coverage below were computed for.
    pub as_of: String,
    #[schema(value_type = Object)]
    pub warranty: UnitWarranty,
    /// The maintenance contract covering the unit on `as_of`, if any.
    pub contract: Option<CoverageView>,
    pub version: i32,
}

struct ValidUnit {
    serial_no: String,
    purchase_date: Date,
    install_date: Option<Date>,
    store: Option<String>,
    invoice_no: Option<String>,
}

fn validate(input: &UnitInput, today: Date) -> Result<ValidUnit, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let serial_no = errors.check("serial_no", required_text(&input.serial_no, 50));
    let purchase_date = errors.check(
        "purchase_date",
        date(&input.purchase_date).and_then(|d| if d > today { Err("in_future") } else { Ok(d) }),
    );
    let install_date = match input
        .install_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(text) => errors.check("install_date", date(text)).map(Some),
        None => Some(None),
    };
    if let (Some(purchased), Some(Some(installed))) = (purchase_date, install_date) {
        if installed < purchased {
            errors.add("install_date", "before_purchase");
        }
    }
    let store = errors.check("store", optional_text(input.store.as_deref(), 100));
    let invoice_no = errors.check("invoice_no", optional_text(input.invoice_no.as_deref(), 50));
    if input.list_price_fen < 0 {
        errors.add("list_price_fen", "negative");
    }
    if input.paid_price_fen < 0 {
        errors.add("paid_price_fen", "negative");
    }
    match (serial_no, purchase_date, install_date, store, invoice_no) {
        (
            Some(serial_no),
            Some(purchase_date),
            Some(install_date),
            Some(store),
            Some(invoice_no),
        ) if errors.is_empty() => Ok(ValidUnit {
            serial_no,
            purchase_date,
            install_date,
            store,
            invoice_no,
        }),
        _ => Err(errors),
    }
}

/// The contract covering `unit_id` on `on`, if any.
pub async fn coverage(
    db: &impl ConnectionTrait,
    unit_id: i64,
    on: Date,
) -> Result<Option<contract::Model>, AppError> {
    // Every registration of a known unit asks: the text is built once.
    static COVERAGE: SqlText = SqlText::new();
    let statement = COVERAGE.statement(db.get_database_backend(), vec![unit_id.into()], || {
        contract::Entity::find()
            .join(
                JoinType::InnerJoin,
                children::<contract_unit::Entity, contract::Entity>(
                    contract_unit::Column::ContractId,
                    contract::Column::Id,
                ),
            )
            .filter(contract_unit::Column::UnitId.eq(unit_id))
            .order_by_desc(contract::Column::EndDate)
    });
    let contracts = contract::Model::find_by_statement(statement)
        .all(db)
        .await?;
    Ok(contracts.into_iter().find(|c| {
        let period = c
            .start_date
            .parse()
            .ok()
            .zip(c.end_date.parse().ok())
            .and_then(|(s, e)| ContractPeriod::new(s, e).ok());
        match (ContractStatus::parse(&c.status), period) {
            (Some(status), Some(period)) => covers(status, period, on),
            _ => false,
        }
    }))
}

/// A unit's warranty and the maintenance contract covering it on `on`, given its product.
pub(crate) async fn terms(
    db: &impl ConnectionTrait,
    row: &unit::Model,
    product: &product::Model,
    components: &[product_component::Model],
    on: Date,
) -> Result<(UnitWarranty, Option<CoverageView>), AppError> {
    let components: Vec<ComponentTerm> = components
        .iter()
        .map(|c| ComponentTerm {
            name: c.name.clone(),
            warranty_months: c.warranty_months,
        })
        .collect();
    let purchase_date: Date = row.purchase_date.parse().map_err(|err| {
        AppError::Internal(anyhow::anyhow!(
            "stored purchase date {}: {err}",
            row.purchase_date
        ))
    })?;
    let warranty = unit_warranty(purchase_date, product.warranty_months, &components, on);
    let contract = coverage(db, row.id, on).await?.map(|c| CoverageView {
        contract_id: c.id,
        contract_number: c.number,
        end_date: c.end_date,
    });
    Ok((warranty, contract))
}

/// A unit with its warranty and contract on `on`, on any connection or transaction (a write
/// that needs it reads it on its own transaction, never on a second pooled connection).
pub(crate) async fn view(
    db: &impl ConnectionTrait,
    row: unit::Model,
    on: Date,
) -> Result<UnitView, AppError> {
    let product = product::Entity::find_by_id(row.product_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let customer = customer::Entity::find_by_id(row.customer_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let components = crate::products::components_of(db, product.id).await?;
    let (warranty, contract) = terms(db, &row, &product, &components, on).await?;
    Ok(UnitView {
        id: row.id,
        serial_no: row.serial_no,
        product_id: product.id,
        product_model: product.model,
        product_name: product.name,
        product_category: product.category,
        customer_id: customer.id,
        customer_name: customer.name,
        org_unit_id: row.org_unit_id,
        address_id: row.address_id,
        purchase_date: row.purchase_date,
        install_date: row.install_date,
        store: row.store,
        invoice_no: row.invoice_no,
        list_price_fen: row.list_price_fen,
        paid_price_fen: row.paid_price_fen,
        seasonal: row.seasonal,
        as_of: on.to_string(),
        warranty,
        contract,
        version: row.version,
    })
}

async fn check_references(
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: &UnitInput,
) -> Result<customer::Model, AppError> {
    let mut errors = ValidationErrors::new();
    if product::Entity::find_by_id(input.product_id)
        .one(db)
        .await?
        .is_none()
    {
        errors.add("product_id", "not_found");
    }
    let customer = crate::customers::find_visible(db, actor, input.customer_id)
        .await
        .ok();
    if customer.is_none() {
        errors.add("customer_id", "not_found");
    }
    if let Some(address_id) = input.address_id {
        let address = customer_address::Entity::find_by_id(address_id)
            .one(db)
            .await?;
        if address.is_none_or(|a| a.customer_id != input.customer_id) {
            errors.add("address_id", "not_customers_address");
        }
    }
    errors.into_result(())?;
    customer.ok_or(AppError::NotFound)
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: &UnitInput,
    key: Option<&IdempotencyKey>,
) -> Result<UnitView, AppError> {
    actor.require(Permission::UnitWrite)?;
    if let Some(id) = idempotency::replayed(app, actor, key, "unit").await? {
        return get(app, actor, id, None).await;
    }
    let txn = app.write_txn().await?;
    let row = insert(app, &txn, actor, input).await?;
    // INSTALL-1: a sale of a product that needs installation gets its installation order.
    crate::installations::order_for_sale(app, &txn, actor, &row).await?;
    idempotency::remember(&txn, actor, key, "unit", row.id, app.now_ms()).await?;
    let created = view(&txn, row, app.today()).await?;
    txn.commit().await?;
    Ok(created)
}

/// Validates and inserts one unit inside the caller's transaction.
pub(crate) async fn insert(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: &UnitInput,
) -> Result<unit::Model, AppError> {
    let valid = validate(input, app.today())?;
    let now = app.now_ms();
    let customer = check_references(db, actor, input).await?;
    let row = unit::ActiveModel {
        serial_no: Set(valid.serial_no),
        product_id: Set(input.product_id),
        customer_id: Set(input.customer_id),
        // A unit belongs to the branch that serves its owner.
        org_unit_id: Set(customer.org_unit_id),
        address_id: Set(input.address_id),
        purchase_date: Set(valid.purchase_date.to_string()),
        install_date: Set(valid.install_date.map(|d| d.to_string())),
        store: Set(valid.store),
        invoice_no: Set(valid.invoice_no),
        list_price_fen: Set(input.list_price_fen),
        paid_price_fen: Set(input.paid_price_fen),
        seasonal: Set(input.seasonal),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        now,
        Some(actor),
        "unit",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    crate::customers::refresh_abc(app, db, row.customer_id).await?;
    Ok(row)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &UnitInput,
) -> Result<UnitView, AppError> {
    actor.require(Permission::UnitWrite)?;
    let today = app.today();
    let valid = validate(input, today)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    let customer = check_references(&txn, actor, input).await?;
    let mut active: unit::ActiveModel = before.clone().into();
    active.serial_no = Set(valid.serial_no);
    active.product_id = Set(input.product_id);
    active.customer_id = Set(input.customer_id);
    active.org_unit_id = Set(customer.org_unit_id);
    active.address_id = Set(input.address_id);
    active.purchase_date = Set(valid.purchase_date.to_string());
    active.install_date = Set(valid.install_date.map(|d| d.to_string()));
    active.store = Set(valid.store);
    active.invoice_no = Set(valid.invoice_no);
    active.list_price_fen = Set(input.list_price_fen);
    active.paid_price_fen = Set(input.paid_price_fen);
    active.seasonal = Set(input.seasonal);
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, unit::Column::Version, version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "unit",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    let updated = view(&txn, after, today).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A sold unit with its customer and product, as the records about it (deliveries,
/// installations, returns) show them; a missing row answers 404.
pub(crate) async fn with_owner(
    db: &impl ConnectionTrait,
    customer_id: i64,
    unit_id: i64,
) -> Result<(customer::Model, unit::Model, product::Model), AppError> {
    let customer = customer::Entity::find_by_id(customer_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = unit::Entity::find_by_id(unit_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let product = product::Entity::find_by_id(unit.product_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((customer, unit, product))
}

pub(crate) async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<unit::Model, AppError> {
    let row = unit::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, Some(row.customer_id))?;
    Ok(row)
}

/// A unit with its warranty and coverage on `on` (today when `None`).
pub async fn get(
    app: &App,
    actor: &Actor,
    id: i64,
    on: Option<Date>,
) -> Result<UnitView, AppError> {
    actor.require(Permission::CustomerRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    view(&app.db, row, on.unwrap_or_else(|| app.today())).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct UnitFilter {
    /// Matches the serial number or invoice number.
    pub q: Option<String>,
    pub customer_id: Option<i64>,
    pub product_id: Option<i64>,
}

pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &UnitFilter,
    page: PageRequest,
) -> Result<Page<UnitSummary>, AppError> {
    actor.require(Permission::CustomerRead)?;
    let mut query = unit::Entity::find().order_by_desc(unit::Column::Id);
    query = actor.scoped(query, unit::Column::OrgUnitId, unit::Column::CustomerId)?;
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(crate::search::contains(unit::Column::SerialNo, q))
                .add(crate::search::contains(unit::Column::InvoiceNo, q)),
        );
    }
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(unit::Column::CustomerId.eq(customer_id));
    }
    if let Some(product_id) = filter.product_id {
        query = query.filter(unit::Column::ProductId.eq(product_id));
    }
    let paginator = query.paginate(&app.db, page.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    let items = summaries(&app.db, rows, app.today()).await?;
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
        total_capped: false,
    })
}

async fn summaries(
    db: &impl ConnectionTrait,
    rows: Vec<unit::Model>,
    today: Date,
) -> Result<Vec<UnitSummary>, AppError> {
    let product_ids: Vec<i64> = rows.iter().map(|u| u.product_id).collect();
    let products = product::Entity::find()
        .filter(product::Column::Id.is_in(product_ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let product = products.iter().find(|p| p.id == row.product_id)?;
            let purchase_date: Date = row.purchase_date.parse().ok()?;
            Some(UnitSummary {
                id: row.id,
                under_warranty: aftersales_domain::warranty::status_on(
                    purchase_date,
                    product.warranty_months,
                    today,
                )
                .under_warranty,
                serial_no: row.serial_no,
                product_model: product.model.clone(),
                product_name: product.name.clone(),
                purchase_date: row.purchase_date,
            })
        })
        .collect())
}

pub(crate) async fn summaries_of_customer(
    app: &App,
    customer_id: i64,
) -> Result<Vec<UnitSummary>, AppError> {
    let rows = unit::Entity::find()
        .filter(unit::Column::CustomerId.eq(customer_id))
        .order_by_desc(unit::Column::PurchaseDate)
        .all(&app.db)
        .await?;
    summaries(&app.db, rows, app.today()).await
}
