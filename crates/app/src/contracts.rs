//! Maintenance contracts (保养合同): the record, its covered units and its status.
//! Signing a contract schedules its expiry notice (T9: end − 1 month, 09:00 in the branch's
//! zone) and its expiry (the day after the end); terminating or renewing cancels them.

use aftersales_domain::contract::{can_change_status, ContractPeriod, ContractStatus};
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::validation::{date, optional_text, ValidationErrors};
use aftersales_store::entity::{contract, contract_unit, customer, unit};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::idempotency::{self, IdempotencyKey};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::timers::{self, Fire, Job};
use crate::{audit, notifications, numbering, settings, Actor, App, AppError};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ContractInput {
    pub customer_id: i64,
    /// YYYY-MM-DD.
    pub start_date: String,
    /// YYYY-MM-DD, not before the start.
    pub end_date: String,
    /// Fee in fen.
    pub fee_fen: i64,
    pub scope: Option<String>,
    /// Periodic inspection visits per year (定期抽检).
    #[serde(default)]
    pub visits_per_year: i32,
    /// Units covered; each must belong to the customer.
    #[serde(default)]
    pub unit_ids: Vec<i64>,
    /// Working calendar of clocks under this contract (e.g. `24x7` for 7×24 service),
    /// overriding the customer's and the branch's. On update, absent leaves it unchanged and
    /// "" clears it.
    #[serde(default)]
    pub calendar_code: Option<String>,
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContractView {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub org_unit_id: i64,
    pub start_date: String,
    pub end_date: String,
    pub fee_fen: i64,
    pub status: String,
    pub scope: Option<String>,
    pub visits_per_year: i32,
    pub unit_ids: Vec<i64>,
    /// Whether the contract covers its units today.
    pub covers_today: bool,
    pub calendar_code: Option<String>,
    pub version: i32,
}

fn validate(input: &ContractInput) -> Result<(ContractPeriod, Option<String>), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let start = errors.check("start_date", date(&input.start_date));
    let end = errors.check("end_date", date(&input.end_date));
    let period = match (start, end) {
        (Some(start), Some(end)) => errors.check("end_date", ContractPeriod::new(start, end)),
        _ => None,
    };
    if input.fee_fen < 0 {
        errors.add("fee_fen", "negative");
    }
    if !(0..=365).contains(&input.visits_per_year) {
        errors.add("visits_per_year", "out_of_range");
    }
    let scope = errors.check("scope", optional_text(input.scope.as_deref(), 2000));
    match (period, scope) {
        (Some(period), Some(scope)) if errors.is_empty() => Ok((period, scope)),
        _ => Err(errors),
    }
}

async fn view(
    db: &impl ConnectionTrait,
    row: contract::Model,
    today: jiff::civil::Date,
) -> Result<ContractView, AppError> {
    let unit_ids = contract_unit::Entity::find()
        .filter(contract_unit::Column::ContractId.eq(row.id))
        .order_by_asc(contract_unit::Column::UnitId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.unit_id)
        .collect();
    let customer_name = customer::Entity::find_by_id(row.customer_id)
        .one(db)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let covers_today = match (
        ContractStatus::parse(&row.status),
        row.start_date.parse(),
        row.end_date.parse(),
    ) {
        (Some(status), Ok(start), Ok(end)) => ContractPeriod::new(start, end)
            .is_ok_and(|period| aftersales_domain::contract::covers(status, period, today)),
        _ => false,
    };
    Ok(ContractView {
        id: row.id,
        number: row.number,
        customer_id: row.customer_id,
        customer_name,
        org_unit_id: row.org_unit_id,
        start_date: row.start_date,
        end_date: row.end_date,
        fee_fen: row.fee_fen,
        status: row.status,
        scope: row.scope,
        visits_per_year: row.visits_per_year,
        unit_ids,
        covers_today,
        calendar_code: row.calendar_code,
        version: row.version,
    })
}

async fn replace_units(
    db: &impl ConnectionTrait,
    contract_id: i64,
    customer_id: i64,
    unit_ids: &[i64],
) -> Result<(), AppError> {
    let mut errors = ValidationErrors::new();
    for (idx, unit_id) in unit_ids.iter().enumerate() {
        let owned = unit::Entity::find_by_id(*unit_id)
            .one(db)
            .await?
            .is_some_and(|u| u.customer_id == customer_id);
        if !owned {
            errors.add(format!("unit_ids[{idx}]"), "not_customers_unit");
        }
    }
    errors.into_result(())?;
    contract_unit::Entity::delete_many()
        .filter(contract_unit::Column::ContractId.eq(contract_id))
        .exec(db)
        .await?;
    let mut unique: Vec<i64> = unit_ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for unit_id in unique {
        contract_unit::ActiveModel {
            contract_id: Set(contract_id),
            unit_id: Set(unit_id),
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
    input: &ContractInput,
    key: Option<&IdempotencyKey>,
) -> Result<ContractView, AppError> {
    actor.require(Permission::ContractWrite)?;
    if let Some(id) = idempotency::replayed(app, actor, key, "contract").await? {
        return get(app, actor, id).await;
    }
    let (period, scope) = validate(input)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let customer = crate::customers::find_visible(&txn, actor, input.customer_id)
        .await
        .map_err(|_| AppError::invalid("customer_id", "not_found"))?;
    let branch = crate::org::find_unit(&txn, customer.org_unit_id).await?;
    let calendar_code =
        crate::calendars::check_code(&txn, input.calendar_code.as_deref(), "calendar_code").await?;
    let pattern = settings::get_pattern(&txn, "contract.number_pattern").await?;
    let number = numbering::next_number(&txn, &pattern, period.start(), &branch.code).await?;
    let row = contract::ActiveModel {
        number: Set(number),
        customer_id: Set(customer.id),
        org_unit_id: Set(customer.org_unit_id),
        start_date: Set(period.start().to_string()),
        end_date: Set(period.end().to_string()),
        fee_fen: Set(input.fee_fen),
        status: Set(ContractStatus::Draft.as_str().to_string()),
        scope: Set(scope),
        visits_per_year: Set(input.visits_per_year),
        calendar_code: Set(calendar_code),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    replace_units(&txn, row.id, customer.id, &input.unit_ids).await?;
    let created = view(&txn, row, app.today()).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "contract",
        created.id,
        "create",
        None::<&()>,
        Some(&created),
    )
    .await?;
    idempotency::remember(&txn, actor, key, "contract", created.id, now).await?;
    txn.commit().await?;
    Ok(created)
}

pub(crate) async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<contract::Model, AppError> {
    let row = contract::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, Some(row.customer_id))?;
    Ok(row)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ContractView, AppError> {
    actor.require(Permission::ContractRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    view(&app.db, row, app.today()).await
}

/// Edits the terms. Only a draft's terms change freely; once signed, only the scope, visits
/// and covered units do (the period and fee are what was signed).
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ContractInput,
) -> Result<ContractView, AppError> {
    actor.require(Permission::ContractWrite)?;
    let (period, scope) = validate(input)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_visible(&txn, actor, id).await?;
    let before = view(&txn, row.clone(), app.today()).await?;
    let is_draft = row.status == ContractStatus::Draft.as_str();
    if !is_draft
        && (period.start().to_string() != row.start_date
            || period.end().to_string() != row.end_date
            || input.fee_fen != row.fee_fen)
    {
        return Err(AppError::conflict("signed_terms_are_fixed"));
    }
    if input.customer_id != row.customer_id {
        return Err(AppError::invalid("customer_id", "cannot_change"));
    }
    let customer_id = row.customer_id;
    let mut active: contract::ActiveModel = row.into();
    active.start_date = Set(period.start().to_string());
    active.end_date = Set(period.end().to_string());
    active.fee_fen = Set(input.fee_fen);
    active.scope = Set(scope);
    active.visits_per_year = Set(input.visits_per_year);
    if input.calendar_code.is_some() {
        let code = input.calendar_code.as_deref();
        active.calendar_code =
            Set(crate::calendars::check_code(&txn, code, "calendar_code").await?);
    }
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let updated = versioned_update(&txn, active, contract::Column::Version, version).await?;
    replace_units(&txn, id, customer_id, &input.unit_ids).await?;
    let after = view(&txn, updated, app.today()).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "contract",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Signs, terminates or marks a contract renewed (C.7); the domain decides what is allowed.
pub async fn change_status(
    app: &App,
    actor: &Actor,
    id: i64,
    to: &str,
    version: i32,
) -> Result<ContractView, AppError> {
    actor.require(Permission::ContractWrite)?;
    let to =
        ContractStatus::parse(to).ok_or_else(|| AppError::invalid("status", "invalid_choice"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_visible(&txn, actor, id).await?;
    let from = ContractStatus::parse(&row.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored status {}", row.status)))?;
    if !can_change_status(from, to) {
        return Err(AppError::Conflict {
            code: "invalid_transition",
            field: Some("status"),
            detail: Some(format!("{from} → {to}")),
        });
    }
    let before = row.clone();
    let mut active: contract::ActiveModel = row.into();
    active.status = Set(to.as_str().to_string());
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, contract::Column::Version, version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "contract",
        id,
        "change_status",
        Some(&before),
        Some(&after),
    )
    .await?;
    match to {
        ContractStatus::Active => schedule_expiry(&txn, &after, now).await?,
        ContractStatus::Terminated | ContractStatus::Renewed => {
            for kind in [EXPIRY_NOTICE, EXPIRED] {
                timers::cancel(&txn, kind, "contract", id).await?;
            }
        }
        _ => {}
    }
    crate::customers::refresh_abc(app, &txn, after.customer_id).await?;
    let updated = view(&txn, after, app.today()).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Timer kinds of contracts (Appendix D T9).
pub const EXPIRY_NOTICE: &str = "contract_expiry_notice";
pub const EXPIRED: &str = "contract_expired";

/// Schedules the expiry notice at the end date minus one month, 09:00, and the expiry at the
/// start of the day after the end date, both in the branch's zone.
async fn schedule_expiry(
    db: &impl ConnectionTrait,
    row: &contract::Model,
    now: i64,
) -> Result<(), AppError> {
    let end: jiff::civil::Date = row
        .end_date
        .parse()
        .map_err(|err| AppError::Internal(anyhow::anyhow!("stored end date: {err}")))?;
    let zone = crate::org::find_unit(db, row.org_unit_id)
        .await
        .ok()
        .and_then(|branch| jiff::tz::TimeZone::get(&branch.time_zone).ok())
        .unwrap_or_else(crate::clock::default_zone);
    let at = |date: jiff::civil::Date, hour: i8| -> Result<i64, AppError> {
        date.at(hour, 0, 0, 0)
            .to_zoned(zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|err| AppError::Internal(err.into()))
    };
    let month = jiff::Span::new().months(1);
    let day = jiff::Span::new().days(1);
    let notice_day = end
        .checked_sub(month)
        .map_err(|err| AppError::Internal(err.into()))?;
    let expiry_day = end
        .checked_add(day)
        .map_err(|err| AppError::Internal(err.into()))?;
    for (kind, due) in [
        (EXPIRY_NOTICE, at(notice_day, 9)?),
        (EXPIRED, at(expiry_day, 0)?),
    ] {
        let key = format!("contract:{}:{kind}", row.id);
        timers::schedule(db, kind, "contract", row.id, Some(&key), due, None, now).await?;
    }
    Ok(())
}

/// The contract a timer fires for, if it is still in one of `states`.
async fn timer_contract(
    fire: &Fire<'_>,
    states: &[ContractStatus],
) -> Result<Option<contract::Model>, AppError> {
    let row = contract::Entity::find_by_id(fire.timer.subject_id)
        .one(fire.txn)
        .await?;
    Ok(row.filter(|row| {
        ContractStatus::parse(&row.status).is_some_and(|status| states.contains(&status))
    }))
}

/// Sets the status as the system (no actor), with its audit record.
async fn set_status_by_timer(
    fire: &Fire<'_>,
    row: contract::Model,
    to: ContractStatus,
    action: &str,
) -> Result<contract::Model, AppError> {
    let before = row.clone();
    let version = row.version;
    let mut active: contract::ActiveModel = row.into();
    active.status = Set(to.as_str().to_string());
    active.version = Set(version + 1);
    active.updated_at = Set(fire.now_ms);
    let after = versioned_update(fire.txn, active, contract::Column::Version, version).await?;
    audit::record(
        fire.txn,
        fire.now_ms,
        None,
        "contract",
        after.id,
        action,
        Some(&before),
        Some(&after),
    )
    .await?;
    crate::customers::refresh_abc(fire.app, fire.txn, after.customer_id).await?;
    Ok(after)
}

/// Who receives a contract's notices: the managers of its branch and the customer
/// department (CONTRACT-2: the centre or branch sends the notice).
async fn contract_owners(
    db: &impl ConnectionTrait,
    row: &contract::Model,
) -> Result<Vec<i64>, AppError> {
    let mut owners =
        notifications::users_with_role(db, Role::BranchManager, Some(row.org_unit_id)).await?;
    owners.extend(notifications::users_with_role(db, Role::CustomerDepartment, None).await?);
    Ok(owners)
}

/// T9: one month before the end, the expiry notice (保养到期通知书) goes out and an active
/// contract becomes expiring.
pub struct ExpiryNoticeJob;

#[async_trait::async_trait]
impl Job for ExpiryNoticeJob {
    fn name(&self) -> &'static str {
        EXPIRY_NOTICE
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(row) = timer_contract(fire, &[ContractStatus::Active]).await? else {
            return Ok(());
        };
        let row = set_status_by_timer(fire, row, ContractStatus::Expiring, "expiry_notice").await?;
        let customer = customer::Entity::find_by_id(row.customer_id)
            .one(fire.txn)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        let message = notifications::Message {
            kind: EXPIRY_NOTICE,
            link: Some(format!("/contracts/{}", row.id)),
            zh: (
                format!("保养到期通知书：{}", row.number),
                format!(
                    "客户{customer}的保养合同{}将于{}到期，请发出保养到期通知书并派员前往争取续约。",
                    row.number, row.end_date
                ),
            ),
            en: (
                format!("Contract expiry notice: {}", row.number),
                format!(
                    "Maintenance contract {} of {customer} ends on {}. Send the expiry notice and visit the customer about renewal.",
                    row.number, row.end_date
                ),
            ),
        };
        let owners = contract_owners(fire.txn, &row).await?;
        notifications::notify(fire.txn, fire.now_ms, &owners, &message).await?;
        Ok(())
    }
}

/// The day after its end, a contract that was neither renewed nor terminated expires.
pub struct ExpiredJob;

#[async_trait::async_trait]
impl Job for ExpiredJob {
    fn name(&self) -> &'static str {
        EXPIRED
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let states = [ContractStatus::Active, ContractStatus::Expiring];
        let Some(row) = timer_contract(fire, &states).await? else {
            return Ok(());
        };
        let row = set_status_by_timer(fire, row, ContractStatus::Expired, "expire").await?;
        let message = notifications::Message {
            kind: EXPIRED,
            link: Some(format!("/contracts/{}", row.id)),
            zh: (
                format!("保养合同已到期：{}", row.number),
                format!("保养合同{}已于{}到期，未续约。", row.number, row.end_date),
            ),
            en: (
                format!("Contract expired: {}", row.number),
                format!(
                    "Maintenance contract {} ended on {} without renewal.",
                    row.number, row.end_date
                ),
            ),
        };
        let owners = contract_owners(fire.txn, &row).await?;
        notifications::notify(fire.txn, fire.now_ms, &owners, &message).await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ContractFilter {
    /// Matches the contract number.
    pub q: Option<String>,
    pub status: Option<String>,
    pub customer_id: Option<i64>,
}

pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ContractFilter,
    page: PageRequest,
) -> Result<Page<ContractView>, AppError> {
    actor.require(Permission::ContractRead)?;
    let mut query = contract::Entity::find().order_by_desc(contract::Column::Id);
    query = actor.scoped(
        query,
        contract::Column::OrgUnitId,
        contract::Column::CustomerId,
    )?;
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query
            .filter(Condition::any().add(crate::search::contains(contract::Column::Number, q)));
    }
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(contract::Column::Status.eq(status));
    }
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(contract::Column::CustomerId.eq(customer_id));
    }
    let paginator = query.paginate(&app.db, page.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    let today = app.today();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(&app.db, row, today).await?);
    }
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
        total_capped: false,
    })
}

pub(crate) async fn of_customer(
    app: &App,
    customer_id: i64,
) -> Result<Vec<ContractView>, AppError> {
    let rows = contract::Entity::find()
        .filter(contract::Column::CustomerId.eq(customer_id))
        .order_by_desc(contract::Column::EndDate)
        .all(&app.db)
        .await?;
    let today = app.today();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(&app.db, row, today).await?);
    }
    Ok(items)
}
