//! Customers (客户卡片/客户总账): records with contacts and addresses, ABC class, duplicate
//! detection on phone numbers, search, dated notes and the customer card.

use aftersales_domain::customer::{
    check_abc_override, check_email, compute_abc, normalize_phone, AbcClass, AbcCriteria,
    CustomerKind,
};
use aftersales_domain::role::{Permission, Scope};
use aftersales_domain::validation::{optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{
    contract, customer, customer_address, customer_contact, customer_note, district, unit, user,
};
use aftersales_store::sea_orm::sea_query::{Expr, Query};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::idempotency::{self, IdempotencyKey};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::{audit, numbering, settings, Actor, App, AppError};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ContactInput {
    pub name: String,
    pub phone: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AddressInput {
    pub district_id: i64,
    pub detail: String,
    #[serde(default)]
    pub is_default: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CustomerInput {
    /// person or company.
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub wechat: Option<String>,
    /// a, b or c. Empty: computed. A class other than the computed one needs a reason.
    pub abc_class: Option<String>,
    pub abc_override_reason: Option<String>,
    #[serde(default)]
    pub key_account: bool,
    /// Owning branch; defaults to the acting user's branch.
    pub org_unit_id: Option<i64>,
    pub referrer_id: Option<i64>,
    pub business_profile: Option<String>,
    pub purchase_reason: Option<String>,
    /// Promises made by staff (当时的承诺).
    pub promises: Option<String>,
    pub remarks: Option<String>,
    /// Working calendar of this customer's clocks (e.g. `24x7`), overriding the branch's.
    /// On update, absent leaves it unchanged and "" clears it.
    #[serde(default)]
    pub calendar_code: Option<String>,
    /// Only on create: contacts and addresses to add with the customer.
    #[serde(default)]
    pub contacts: Vec<ContactInput>,
    #[serde(default)]
    pub addresses: Vec<AddressInput>,
    /// Create even though another customer has this phone number.
    #[serde(default)]
    pub allow_duplicate_phone: bool,
    /// Required on update.
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AddressView {
    pub id: i64,
    pub district_id: i64,
    pub district: String,
    /// urban or suburban, from the district.
    pub zone: String,
    pub detail: String,
    pub is_default: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerView {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub abc_class: String,
    pub abc_override_reason: Option<String>,
    pub key_account: bool,
    pub org_unit_id: i64,
    pub referrer_id: Option<i64>,
    pub business_profile: Option<String>,
    pub purchase_reason: Option<String>,
    pub promises: Option<String>,
    pub remarks: Option<String>,
    pub calendar_code: Option<String>,
    pub version: i32,
    pub created_at: String,
}

impl From<customer::Model> for CustomerView {
    fn from(row: customer::Model) -> Self {
        CustomerView {
            id: row.id,
            number: row.number,
            kind: row.kind,
            name: row.name,
            phone: row.phone,
            email: row.email,
            wechat: row.wechat,
            abc_class: row.abc_class,
            abc_override_reason: row.abc_override_reason,
            key_account: row.key_account,
            org_unit_id: row.org_unit_id,
            referrer_id: row.referrer_id,
            business_profile: row.business_profile,
            purchase_reason: row.purchase_reason,
            promises: row.promises,
            remarks: row.remarks,
            calendar_code: row.calendar_code,
            version: row.version,
            created_at: crate::format_ms(row.created_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoteView {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub created_at: String,
}

/// Everything about one customer: the customer card.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerCard {
    pub customer: CustomerView,
    pub contacts: Vec<ContactView>,
    pub addresses: Vec<AddressView>,
    pub units: Vec<crate::units::UnitSummary>,
    pub contracts: Vec<crate::contracts::ContractView>,
    pub notes: Vec<NoteView>,
}

struct ValidCustomer {
    kind: CustomerKind,
    name: String,
    phone: String,
    email: Option<String>,
    wechat: Option<String>,
    abc_class: Option<AbcClass>,
    abc_override_reason: Option<String>,
    business_profile: Option<String>,
    purchase_reason: Option<String>,
    promises: Option<String>,
    remarks: Option<String>,
    contacts: Vec<(String, String, Option<String>)>,
    addresses: Vec<(i64, String, bool)>,
}

fn optional_email(value: Option<&str>) -> Result<Option<String>, &'static str> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(email) => check_email(email).map(Some),
        None => Ok(None),
    }
}

fn validate(input: &CustomerInput) -> Result<ValidCustomer, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let kind = errors.check(
        "kind",
        CustomerKind::parse(&input.kind).ok_or("invalid_choice"),
    );
    let name = errors.check("name", required_text(&input.name, 100));
    let phone = errors.check("phone", normalize_phone(&input.phone));
    let email = errors.check("email", optional_email(input.email.as_deref()));
    let wechat = errors.check("wechat", optional_text(input.wechat.as_deref(), 50));
    let abc_class = match input
        .abc_class
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => errors.check(
            "abc_class",
            AbcClass::parse(&code.to_lowercase())
                .map(Some)
                .ok_or("invalid_choice"),
        ),
        None => Some(None),
    };
    let abc_override_reason = errors.check(
        "abc_override_reason",
        optional_text(input.abc_override_reason.as_deref(), 200),
    );
    let long = |field: &str, value: &Option<String>, errors: &mut ValidationErrors| {
        errors.check(field, optional_text(value.as_deref(), 2000))
    };
    let business_profile = long("business_profile", &input.business_profile, &mut errors);
    let purchase_reason = long("purchase_reason", &input.purchase_reason, &mut errors);
    let promises = long("promises", &input.promises, &mut errors);
    let remarks = long("remarks", &input.remarks, &mut errors);
    let mut contacts = Vec::new();
    for (idx, contact) in input.contacts.iter().enumerate() {
        let name = errors.check(
            &format!("contacts[{idx}].name"),
            required_text(&contact.name, 50),
        );
        let phone = errors.check(
            &format!("contacts[{idx}].phone"),
            normalize_phone(&contact.phone),
        );
        let title = errors.check(
            &format!("contacts[{idx}].title"),
            optional_text(contact.title.as_deref(), 50),
        );
        if let (Some(name), Some(phone), Some(title)) = (name, phone, title) {
            contacts.push((name, phone, title));
        }
    }
    let mut addresses = Vec::new();
    for (idx, address) in input.addresses.iter().enumerate() {
        if let Some(detail) = errors.check(
            &format!("addresses[{idx}].detail"),
            required_text(&address.detail, 200),
        ) {
            addresses.push((address.district_id, detail, address.is_default));
        }
    }
    match (
        kind,
        name,
        phone,
        email,
        wechat,
        abc_class,
        abc_override_reason,
    ) {
        (
            Some(kind),
            Some(name),
            Some(phone),
            Some(email),
            Some(wechat),
            Some(abc_class),
            Some(abc_override_reason),
        ) if errors.is_empty() => Ok(ValidCustomer {
            kind,
            name,
            phone,
            email,
            wechat,
            abc_class,
            abc_override_reason,
            business_profile: business_profile.flatten(),
            purchase_reason: purchase_reason.flatten(),
            promises: promises.flatten(),
            remarks: remarks.flatten(),
            contacts,
            addresses,
        }),
        _ => Err(errors),
    }
}

async fn abc_criteria(db: &impl ConnectionTrait) -> Result<AbcCriteria, AppError> {
    Ok(AbcCriteria {
        a_min_annual_purchase_fen: settings::get_count(
            db,
            "customer.abc_a_min_annual_purchase_fen",
        )
        .await?,
        b_min_annual_purchase_fen: settings::get_count(
            db,
            "customer.abc_b_min_annual_purchase_fen",
        )
        .await?,
    })
}

/// The class the rules give a customer today: purchases of the last 12 months and whether
/// a contract covers it now.
async fn computed_abc(
    app: &App,
    db: &impl ConnectionTrait,
    customer_id: Option<i64>,
) -> Result<AbcClass, AppError> {
    let criteria = abc_criteria(db).await?;
    let Some(customer_id) = customer_id else {
        return Ok(compute_abc(criteria, 0, false));
    };
    let today = app.today();
    let year_ago = today.saturating_sub(jiff::Span::new().years(1)).to_string();
    let units = unit::Entity::find()
        .filter(unit::Column::CustomerId.eq(customer_id))
        .filter(unit::Column::PurchaseDate.gte(year_ago))
        .all(db)
        .await?;
    let purchases: i64 = units.iter().map(|u| u.paid_price_fen).sum();
    let today_text = today.to_string();
    let active_contracts = contract::Entity::find()
        .filter(contract::Column::CustomerId.eq(customer_id))
        .filter(contract::Column::Status.is_in(["active", "expiring", "renewed"]))
        .filter(contract::Column::StartDate.lte(today_text.clone()))
        .filter(contract::Column::EndDate.gte(today_text))
        .count(db)
        .await?;
    Ok(compute_abc(criteria, purchases, active_contracts > 0))
}

/// Recomputes a customer's ABC class after its purchases or contracts changed, unless the
/// class was set by hand (an override keeps its reason and is not overwritten).
pub(crate) async fn refresh_abc(
    app: &App,
    db: &impl ConnectionTrait,
    customer_id: i64,
) -> Result<(), AppError> {
    let row = customer::Entity::find_by_id(customer_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.abc_override_reason.is_some() {
        return Ok(());
    }
    let computed = computed_abc(app, db, Some(customer_id)).await?;
    if row.abc_class != computed.as_str() {
        let mut active: customer::ActiveModel = row.into();
        active.abc_class = Set(computed.as_str().to_string());
        active.update(db).await?;
    }
    Ok(())
}

/// Customers with this normalised phone number, as the customer or as a contact.
pub async fn find_by_phone(
    app: &App,
    actor: &Actor,
    phone: &str,
) -> Result<Vec<CustomerView>, AppError> {
    actor.require(Permission::CustomerRead)?;
    let phone = normalize_phone(phone).map_err(|code| AppError::invalid("phone", code))?;
    let query = actor
        .scoped(
            customer::Entity::find(),
            customer::Column::OrgUnitId,
            customer::Column::Id,
        )?
        .filter(
            Condition::any()
                .add(customer::Column::Phone.eq(phone.clone()))
                .add(
                    customer::Column::Id.in_subquery(
                        Query::select()
                            .column(customer_contact::Column::CustomerId)
                            .from(customer_contact::Entity)
                            .and_where(Expr::col(customer_contact::Column::Phone).eq(phone))
                            .to_owned(),
                    ),
                ),
        );
    Ok(query
        .all(&app.db)
        .await?
        .into_iter()
        .map(CustomerView::from)
        .collect())
}

async fn check_districts(db: &impl ConnectionTrait, valid: &ValidCustomer) -> Result<(), AppError> {
    let mut errors = ValidationErrors::new();
    for (idx, (district_id, _, _)) in valid.addresses.iter().enumerate() {
        if district::Entity::find_by_id(*district_id)
            .one(db)
            .await?
            .is_none()
        {
            errors.add(format!("addresses[{idx}].district_id"), "unknown_district");
        }
    }
    Ok(errors.into_result(())?)
}

/// Registers a customer. A phone number already on file is refused with
/// `duplicate_phone` (naming the existing customer) unless the caller confirms.
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &CustomerInput,
    key: Option<&IdempotencyKey>,
) -> Result<CustomerView, AppError> {
    actor.require(Permission::CustomerWrite)?;
    if let Some(id) = idempotency::replayed(app, actor, key, "customer").await? {
        return get(app, actor, id).await;
    }
    let txn = app.write_txn().await?;
    let row = insert(app, &txn, actor, input).await?;
    idempotency::remember(&txn, actor, key, "customer", row.id, app.now_ms()).await?;
    txn.commit().await?;
    Ok(row.into())
}

/// Validates and inserts one customer inside the caller's transaction (shared by the form,
/// the API and the spreadsheet import).
pub(crate) async fn insert(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: &CustomerInput,
) -> Result<customer::Model, AppError> {
    let valid = validate(input)?;
    let org_unit_id = actor.branch_for_new_record(input.org_unit_id)?;
    let now = app.now_ms();
    let branch = crate::org::find_unit(db, org_unit_id)
        .await
        .map_err(|_| AppError::invalid("org_unit_id", "not_found"))?;
    check_districts(db, &valid).await?;
    let calendar_code =
        crate::calendars::check_code(db, input.calendar_code.as_deref(), "calendar_code").await?;
    check_referrer(db, actor, input.referrer_id, None).await?;
    if !input.allow_duplicate_phone {
        check_phone_free(db, &valid.phone, None).await?;
    }
    let computed = computed_abc(app, db, None).await?;
    let abc_class = valid.abc_class.unwrap_or(computed);
    check_abc_override(computed, abc_class, valid.abc_override_reason.as_deref())
        .map_err(|code| AppError::invalid("abc_override_reason", code))?;
    let pattern = settings::get_pattern(db, "customer.number_pattern").await?;
    let number = numbering::next_number(db, &pattern, app.today(), &branch.code).await?;
    let row = customer::ActiveModel {
        number: Set(number),
        kind: Set(valid.kind.as_str().to_string()),
        name: Set(valid.name.clone()),
        phone: Set(valid.phone.clone()),
        email: Set(valid.email.clone()),
        wechat: Set(valid.wechat.clone()),
        abc_class: Set(abc_class.as_str().to_string()),
        abc_override_reason: Set(if abc_class == computed {
            None
        } else {
            valid.abc_override_reason.clone()
        }),
        key_account: Set(input.key_account),
        org_unit_id: Set(org_unit_id),
        referrer_id: Set(input.referrer_id),
        business_profile: Set(valid.business_profile.clone()),
        purchase_reason: Set(valid.purchase_reason.clone()),
        promises: Set(valid.promises.clone()),
        remarks: Set(valid.remarks.clone()),
        calendar_code: Set(calendar_code),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for (name, phone, title) in &valid.contacts {
        insert_contact(db, row.id, name, phone, title.clone(), now).await?;
    }
    let has_default = valid.addresses.iter().any(|(_, _, is_default)| *is_default);
    for (idx, (district_id, detail, is_default)) in valid.addresses.iter().enumerate() {
        // The first address is the default unless the caller marked another.
        insert_address(
            db,
            row.id,
            *district_id,
            detail,
            *is_default || (!has_default && idx == 0),
            now,
        )
        .await?;
    }
    audit::record(
        db,
        now,
        Some(actor),
        "customer",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    Ok(row)
}

async fn insert_contact(
    db: &impl ConnectionTrait,
    customer_id: i64,
    name: &str,
    phone: &str,
    title: Option<String>,
    now: i64,
) -> Result<customer_contact::Model, AppError> {
    Ok(customer_contact::ActiveModel {
        customer_id: Set(customer_id),
        name: Set(name.to_string()),
        phone: Set(phone.to_string()),
        title: Set(title),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

async fn insert_address(
    db: &impl ConnectionTrait,
    customer_id: i64,
    district_id: i64,
    detail: &str,
    is_default: bool,
    now: i64,
) -> Result<customer_address::Model, AppError> {
    if is_default {
        customer_address::Entity::update_many()
            .col_expr(customer_address::Column::IsDefault, Expr::value(false))
            .filter(customer_address::Column::CustomerId.eq(customer_id))
            .exec(db)
            .await?;
    }
    Ok(customer_address::ActiveModel {
        customer_id: Set(customer_id),
        district_id: Set(district_id),
        detail: Set(detail.to_string()),
        is_default: Set(is_default),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Loads a customer the actor may see (404 otherwise).
pub(crate) async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<customer::Model, AppError> {
    let row = customer::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, Some(row.id))?;
    Ok(row)
}

/// A referrer must be a customer the actor sees, and not the customer itself.
async fn check_referrer(
    db: &impl ConnectionTrait,
    actor: &Actor,
    referrer_id: Option<i64>,
    this: Option<i64>,
) -> Result<(), AppError> {
    match referrer_id {
        Some(referrer)
            if Some(referrer) == this || find_visible(db, actor, referrer).await.is_err() =>
        {
            Err(AppError::invalid("referrer_id", "not_found"))
        }
        _ => Ok(()),
    }
}

/// A phone number already on file is refused with `duplicate_phone`, naming that customer
/// (the caller may confirm with `allow_duplicate_phone`). `this` is the customer being
/// edited, whose own number does not count.
async fn check_phone_free(
    db: &impl ConnectionTrait,
    phone: &str,
    this: Option<i64>,
) -> Result<(), AppError> {
    let mut others = customer::Entity::find().filter(customer::Column::Phone.eq(phone));
    if let Some(this) = this {
        others = others.filter(customer::Column::Id.ne(this));
    }
    match others.one(db).await? {
        Some(existing) => Err(AppError::Conflict {
            code: "duplicate_phone",
            field: Some("phone"),
            detail: Some(existing.number),
        }),
        None => Ok(()),
    }
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<CustomerView, AppError> {
    actor.require(Permission::CustomerRead)?;
    Ok(find_visible(&app.db, actor, id).await?.into())
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &CustomerInput,
) -> Result<CustomerView, AppError> {
    actor.require(Permission::CustomerWrite)?;
    let valid = validate(input)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    if input.referrer_id != before.referrer_id {
        check_referrer(&txn, actor, input.referrer_id, Some(id)).await?;
    }
    if valid.phone != before.phone && !input.allow_duplicate_phone {
        check_phone_free(&txn, &valid.phone, Some(id)).await?;
    }
    let org_unit_id = match input.org_unit_id {
        Some(unit) if unit != before.org_unit_id => actor.branch_for_new_record(Some(unit))?,
        _ => before.org_unit_id,
    };
    crate::org::find_unit(&txn, org_unit_id)
        .await
        .map_err(|_| AppError::invalid("org_unit_id", "not_found"))?;
    let computed = computed_abc(app, &txn, Some(id)).await?;
    let abc_class = valid.abc_class.unwrap_or(computed);
    check_abc_override(computed, abc_class, valid.abc_override_reason.as_deref())
        .map_err(|code| AppError::invalid("abc_override_reason", code))?;
    let mut active: customer::ActiveModel = before.clone().into();
    active.kind = Set(valid.kind.as_str().to_string());
    active.name = Set(valid.name);
    active.phone = Set(valid.phone);
    active.email = Set(valid.email);
    active.wechat = Set(valid.wechat);
    active.abc_class = Set(abc_class.as_str().to_string());
    active.abc_override_reason = Set(if abc_class == computed {
        None
    } else {
        valid.abc_override_reason
    });
    active.key_account = Set(input.key_account);
    active.org_unit_id = Set(org_unit_id);
    active.referrer_id = Set(input.referrer_id);
    active.business_profile = Set(valid.business_profile);
    active.purchase_reason = Set(valid.purchase_reason);
    active.promises = Set(valid.promises);
    active.remarks = Set(valid.remarks);
    if input.calendar_code.is_some() {
        let code = input.calendar_code.as_deref();
        active.calendar_code =
            Set(crate::calendars::check_code(&txn, code, "calendar_code").await?);
    }
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, customer::Column::Version, version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "customer",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after.into())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct CustomerFilter {
    /// Matches number, name, phone (customer or contact) and address.
    pub q: Option<String>,
    pub abc_class: Option<String>,
    pub key_account: Option<bool>,
    pub org_unit_id: Option<i64>,
}

pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &CustomerFilter,
    page: PageRequest,
) -> Result<Page<CustomerView>, AppError> {
    actor.require(Permission::CustomerRead)?;
    let mut query = actor
        .scoped(
            customer::Entity::find(),
            customer::Column::OrgUnitId,
            customer::Column::Id,
        )?
        .order_by_desc(customer::Column::Id);
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        // Phone numbers are stored normalised, so search with the digits the user typed too.
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let phone_text = if digits.len() >= 3 {
            digits
        } else {
            q.to_string()
        };
        query = query.filter(
            Condition::any()
                .add(crate::search::contains(customer::Column::Number, q))
                .add(crate::search::contains(customer::Column::Name, q))
                .add(crate::search::contains(
                    customer::Column::Phone,
                    &phone_text,
                ))
                .add(
                    customer::Column::Id.in_subquery(
                        Query::select()
                            .column(customer_contact::Column::CustomerId)
                            .from(customer_contact::Entity)
                            .and_where(crate::search::contains(
                                customer_contact::Column::Phone,
                                &phone_text,
                            ))
                            .to_owned(),
                    ),
                )
                .add(
                    customer::Column::Id.in_subquery(
                        Query::select()
                            .column(customer_address::Column::CustomerId)
                            .from(customer_address::Entity)
                            .and_where(crate::search::contains(customer_address::Column::Detail, q))
                            .to_owned(),
                    ),
                ),
        );
    }
    if let Some(class) = filter.abc_class.as_deref().filter(|c| !c.is_empty()) {
        query = query.filter(customer::Column::AbcClass.eq(class.to_lowercase()));
    }
    if let Some(key_account) = filter.key_account {
        query = query.filter(customer::Column::KeyAccount.eq(key_account));
    }
    if let Some(unit) = filter.org_unit_id {
        query = query.filter(customer::Column::OrgUnitId.eq(unit));
    }
    let paginator = query.paginate(&app.db, page.per_page());
    let total = paginator.num_items().await?;
    let items = paginator
        .fetch_page(page.index())
        .await?
        .into_iter()
        .map(CustomerView::from)
        .collect();
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
        total_capped: false,
    })
}

/// The customer card: the customer with contacts, addresses, units, contracts and notes.
pub async fn card(app: &App, actor: &Actor, id: i64) -> Result<CustomerCard, AppError> {
    actor.require(Permission::CustomerRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    let contacts = customer_contact::Entity::find()
        .filter(customer_contact::Column::CustomerId.eq(id))
        .order_by_asc(customer_contact::Column::Id)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|c| ContactView {
            id: c.id,
            name: c.name,
            phone: c.phone,
            title: c.title,
        })
        .collect();
    let addresses = addresses_of(&app.db, id).await?;
    let notes = notes_of(&app.db, id).await?;
    Ok(CustomerCard {
        customer: row.into(),
        contacts,
        addresses,
        units: crate::units::summaries_of_customer(app, id).await?,
        contracts: crate::contracts::of_customer(app, id).await?,
        notes,
    })
}

pub async fn addresses_of(
    db: &impl ConnectionTrait,
    customer_id: i64,
) -> Result<Vec<AddressView>, AppError> {
    let rows = customer_address::Entity::find()
        .filter(customer_address::Column::CustomerId.eq(customer_id))
        .order_by_desc(customer_address::Column::IsDefault)
        .order_by_asc(customer_address::Column::Id)
        .all(db)
        .await?;
    let district_ids: Vec<i64> = rows.iter().map(|a| a.district_id).collect();
    let districts = district::Entity::find()
        .filter(district::Column::Id.is_in(district_ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let district = districts.iter().find(|d| d.id == a.district_id);
            AddressView {
                id: a.id,
                district_id: a.district_id,
                district: district.map(|d| d.name.clone()).unwrap_or_default(),
                zone: district.map(|d| d.zone.clone()).unwrap_or_default(),
                detail: a.detail,
                is_default: a.is_default,
            }
        })
        .collect())
}

/// Notes newest first, with their authors' names.
async fn notes_of(db: &impl ConnectionTrait, customer_id: i64) -> Result<Vec<NoteView>, AppError> {
    let notes = customer_note::Entity::find()
        .filter(customer_note::Column::CustomerId.eq(customer_id))
        .order_by_desc(customer_note::Column::Id)
        .all(db)
        .await?;
    let author_ids: Vec<i64> = notes.iter().map(|n| n.author_id).collect();
    let authors = user::Entity::find()
        .filter(user::Column::Id.is_in(author_ids))
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::DisplayName)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?;
    Ok(notes
        .into_iter()
        .map(|n| NoteView {
            id: n.id,
            author: authors
                .iter()
                .find(|(id, _)| *id == n.author_id)
                .map(|(_, name)| name.clone())
                .unwrap_or_default(),
            body: n.body.unwrap_or_default(),
            created_at: crate::format_ms(n.created_at),
        })
        .collect())
}

pub async fn add_contact(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    input: &ContactInput,
) -> Result<ContactView, AppError> {
    actor.require(Permission::CustomerWrite)?;
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", required_text(&input.name, 50));
    let phone = errors.check("phone", normalize_phone(&input.phone));
    let title = errors.check("title", optional_text(input.title.as_deref(), 50));
    let (Some(name), Some(phone), Some(title)) = (name, phone, title) else {
        return Err(errors.into());
    };
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    find_visible(&txn, actor, customer_id).await?;
    let row = insert_contact(&txn, customer_id, &name, &phone, title, now).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "customer",
        customer_id,
        "add_contact",
        None::<&()>,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(ContactView {
        id: row.id,
        name: row.name,
        phone: row.phone,
        title: row.title,
    })
}

pub async fn add_address(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    input: &AddressInput,
) -> Result<AddressView, AppError> {
    actor.require(Permission::CustomerWrite)?;
    let detail =
        required_text(&input.detail, 200).map_err(|code| AppError::invalid("detail", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    find_visible(&txn, actor, customer_id).await?;
    district::Entity::find_by_id(input.district_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::invalid("district_id", "unknown_district"))?;
    let is_first = customer_address::Entity::find()
        .filter(customer_address::Column::CustomerId.eq(customer_id))
        .count(&txn)
        .await?
        == 0;
    let row = insert_address(
        &txn,
        customer_id,
        input.district_id,
        &detail,
        input.is_default || is_first,
        now,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "customer",
        customer_id,
        "add_address",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = addresses_of(&txn, customer_id)
        .await?
        .into_iter()
        .find(|a| a.id == row.id)
        .ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(view)
}

pub async fn add_note(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    body: &str,
) -> Result<NoteView, AppError> {
    actor.require(Permission::CustomerWrite)?;
    let body = required_text(body, 2000).map_err(|code| AppError::invalid("body", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    find_visible(&txn, actor, customer_id).await?;
    let row = customer_note::ActiveModel {
        customer_id: Set(customer_id),
        author_id: Set(actor.user_id),
        body: Set(Some(body)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "customer",
        customer_id,
        "add_note",
        None::<&()>,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(NoteView {
        id: row.id,
        author: actor.display_name.clone(),
        body: row.body.unwrap_or_default(),
        created_at: crate::format_ms(row.created_at),
    })
}

/// Figures for the home dashboard, within the actor's scope.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DashboardCounts {
    pub customers: u64,
    pub units_under_warranty: u64,
    pub active_contracts: u64,
}

pub async fn dashboard_counts(app: &App, actor: &Actor) -> Result<DashboardCounts, AppError> {
    use aftersales_store::entity::product;
    let branch = match actor.scope() {
        Scope::AllBranches => None,
        Scope::Branch(own) => Some(own),
        Scope::Customer(_) | Scope::Nothing => {
            return Ok(DashboardCounts {
                customers: 0,
                units_under_warranty: 0,
                active_contracts: 0,
            })
        }
    };
    let mut customers = customer::Entity::find();
    let mut contracts =
        contract::Entity::find().filter(contract::Column::Status.is_in(["active", "expiring"]));
    if let Some(branch) = branch {
        customers = customers.filter(customer::Column::OrgUnitId.eq(branch));
        contracts = contracts.filter(contract::Column::OrgUnitId.eq(branch));
    }
    // A unit is under warranty when bought less than its product's warranty months ago:
    // one count per product keeps this a handful of indexed queries.
    let today = app.today();
    let mut units_under_warranty = 0;
    for product in product::Entity::find().all(&app.db).await? {
        let since =
            today.saturating_sub(jiff::Span::new().months(i64::from(product.warranty_months)));
        let mut units = unit::Entity::find()
            .filter(unit::Column::ProductId.eq(product.id))
            .filter(unit::Column::PurchaseDate.gt(since.to_string()));
        if let Some(branch) = branch {
            units = units.filter(unit::Column::OrgUnitId.eq(branch));
        }
        units_under_warranty += units.count(&app.db).await?;
    }
    Ok(DashboardCounts {
        customers: customers.count(&app.db).await?,
        units_under_warranty,
        active_contracts: contracts.count(&app.db).await?,
    })
}
