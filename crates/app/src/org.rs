//! The organisation: units (customer department, service centres, branches, supporting
//! departments) and the districts each branch covers.

use aftersales_domain::org::{DepartmentKind, OrgUnitKind, Zone};
use aftersales_domain::role::Permission;
use aftersales_domain::validation::{required_text, ValidationErrors};
use aftersales_store::entity::{district, org_unit};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::{audit, Actor, App, AppError};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct OrgUnitInput {
    pub code: String,
    pub name: String,
    /// customer_department, service_center, branch or department.
    pub kind: String,
    /// For departments: sales, marketing, qa, manufacturing, rnd, warehouse, transport,
    /// finance, purchasing, hr, supervision, admin_office, gm_office.
    pub department_kind: Option<String>,
    pub parent_id: Option<i64>,
    /// Working calendar used by this unit's deadlines (default `cn-standard`).
    pub calendar_code: Option<String>,
    /// IANA time zone (default Asia/Shanghai).
    pub time_zone: Option<String>,
    /// Optimistic-locking version, required on update.
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrgUnitView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub department_kind: Option<String>,
    pub parent_id: Option<i64>,
    pub calendar_code: String,
    pub time_zone: String,
    pub version: i32,
}

impl From<org_unit::Model> for OrgUnitView {
    fn from(row: org_unit::Model) -> Self {
        OrgUnitView {
            id: row.id,
            code: row.code,
            name: row.name,
            kind: row.kind,
            department_kind: row.department_kind,
            parent_id: row.parent_id,
            calendar_code: row.calendar_code,
            time_zone: row.time_zone,
            version: row.version,
        }
    }
}

struct ValidOrgUnit {
    code: String,
    name: String,
    kind: OrgUnitKind,
    department_kind: Option<DepartmentKind>,
    calendar_code: String,
    time_zone: String,
}

fn validate_org_unit(input: &OrgUnitInput) -> Result<ValidOrgUnit, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let code = errors.check("code", required_text(&input.code, 20));
    let name = errors.check("name", required_text(&input.name, 100));
    let kind = errors.check(
        "kind",
        OrgUnitKind::parse(&input.kind).ok_or("invalid_choice"),
    );
    let department_kind = match input.department_kind.as_deref().filter(|k| !k.is_empty()) {
        None => Some(None),
        Some(code) => errors.check(
            "department_kind",
            DepartmentKind::parse(code)
                .map(Some)
                .ok_or("invalid_choice"),
        ),
    };
    if let (Some(kind), Some(department_kind)) = (kind, department_kind) {
        errors.check(
            "department_kind",
            kind.check_department_kind(department_kind),
        );
    }
    let time_zone = input
        .time_zone
        .clone()
        .filter(|z| !z.trim().is_empty())
        .unwrap_or_else(|| "Asia/Shanghai".into());
    if jiff::tz::TimeZone::get(&time_zone).is_err() {
        errors.add("time_zone", "unknown_time_zone");
    }
    let calendar_code = input
        .calendar_code
        .clone()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| "cn-standard".into());
    match (code, name, kind, department_kind) {
        (Some(code), Some(name), Some(kind), Some(department_kind)) if errors.is_empty() => {
            Ok(ValidOrgUnit {
                code,
                name,
                kind,
                department_kind,
                calendar_code,
                time_zone,
            })
        }
        _ => Err(errors),
    }
}

pub async fn list_units(app: &App, actor: &Actor) -> Result<Vec<OrgUnitView>, AppError> {
    actor.require(Permission::OrgRead)?;
    let rows = org_unit::Entity::find()
        .order_by_asc(org_unit::Column::Code)
        .all(&app.db)
        .await?;
    Ok(rows.into_iter().map(OrgUnitView::from).collect())
}

pub async fn get_unit(app: &App, actor: &Actor, id: i64) -> Result<OrgUnitView, AppError> {
    actor.require(Permission::OrgRead)?;
    Ok(find_unit(&app.db, id).await?.into())
}

pub(crate) async fn find_unit(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<org_unit::Model, AppError> {
    org_unit::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create_unit(
    app: &App,
    actor: &Actor,
    input: &OrgUnitInput,
) -> Result<OrgUnitView, AppError> {
    actor.require(Permission::OrgWrite)?;
    insert_unit(app, Some(actor), input).await
}

/// Creates the first unit of an empty installation, on the operator's authority (command
/// line or demo loader): there is no user yet to act.
pub async fn create_root_unit(app: &App, input: &OrgUnitInput) -> Result<i64, AppError> {
    Ok(insert_unit(app, None, input).await?.id)
}

async fn insert_unit(
    app: &App,
    actor: Option<&Actor>,
    input: &OrgUnitInput,
) -> Result<OrgUnitView, AppError> {
    let valid = validate_org_unit(input)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    crate::calendars::check_code(&txn, Some(&valid.calendar_code), "calendar_code").await?;
    if let Some(parent_id) = input.parent_id {
        org_unit::Entity::find_by_id(parent_id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::invalid("parent_id", "not_found"))?;
    }
    let row = org_unit::ActiveModel {
        code: Set(valid.code),
        name: Set(valid.name),
        kind: Set(valid.kind.as_str().to_string()),
        department_kind: Set(valid.department_kind.map(|k| k.as_str().to_string())),
        parent_id: Set(input.parent_id),
        calendar_code: Set(valid.calendar_code),
        time_zone: Set(valid.time_zone),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        actor,
        "org_unit",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row.into())
}

pub async fn update_unit(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &OrgUnitInput,
) -> Result<OrgUnitView, AppError> {
    actor.require(Permission::OrgWrite)?;
    let valid = validate_org_unit(input)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    if input.parent_id == Some(id) {
        return Err(AppError::invalid("parent_id", "cycle"));
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    crate::calendars::check_code(&txn, Some(&valid.calendar_code), "calendar_code").await?;
    let before = find_unit(&txn, id).await?;
    if before.version != version {
        return Err(AppError::StaleVersion);
    }
    let mut active: org_unit::ActiveModel = before.clone().into();
    active.code = Set(valid.code);
    active.name = Set(valid.name);
    active.kind = Set(valid.kind.as_str().to_string());
    active.department_kind = Set(valid.department_kind.map(|k| k.as_str().to_string()));
    active.parent_id = Set(input.parent_id);
    active.calendar_code = Set(valid.calendar_code);
    active.time_zone = Set(valid.time_zone);
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, org_unit::Column::Version, version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "org_unit",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after.into())
}

/// Writes an update only if the stored version is still the one the client read, so two
/// concurrent edits cannot both succeed.
pub(crate) async fn versioned_update<A, C>(
    db: &impl ConnectionTrait,
    active: A,
    version_column: C,
    version: i32,
) -> Result<<A::Entity as aftersales_store::sea_orm::EntityTrait>::Model, AppError>
where
    A: ActiveModelTrait + aftersales_store::sea_orm::ActiveModelBehavior + Send,
    <A::Entity as aftersales_store::sea_orm::EntityTrait>::Model:
        aftersales_store::sea_orm::IntoActiveModel<A>,
    C: ColumnTrait,
{
    let result = <A::Entity as EntityTrait>::update(active)
        .filter(version_column.eq(version))
        .exec(db)
        .await;
    match result {
        Ok(model) => Ok(model),
        Err(aftersales_store::sea_orm::DbErr::RecordNotUpdated) => Err(AppError::StaleVersion),
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DistrictInput {
    pub org_unit_id: i64,
    pub name: String,
    /// urban (市区) or suburban (郊区).
    pub zone: String,
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DistrictView {
    pub id: i64,
    pub org_unit_id: i64,
    pub name: String,
    pub zone: String,
    pub version: i32,
}

impl From<district::Model> for DistrictView {
    fn from(row: district::Model) -> Self {
        DistrictView {
            id: row.id,
            org_unit_id: row.org_unit_id,
            name: row.name,
            zone: row.zone,
            version: row.version,
        }
    }
}

fn validate_district(input: &DistrictInput) -> Result<(String, Zone), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", required_text(&input.name, 50));
    let zone = errors.check("zone", Zone::parse(&input.zone).ok_or("invalid_choice"));
    match (name, zone) {
        (Some(name), Some(zone)) => Ok((name, zone)),
        _ => Err(errors),
    }
}

pub async fn list_districts(app: &App, actor: &Actor) -> Result<Vec<DistrictView>, AppError> {
    actor.require(Permission::OrgRead)?;
    let rows = district::Entity::find()
        .order_by_asc(district::Column::Name)
        .all(&app.db)
        .await?;
    Ok(rows.into_iter().map(DistrictView::from).collect())
}

pub async fn create_district(
    app: &App,
    actor: &Actor,
    input: &DistrictInput,
) -> Result<DistrictView, AppError> {
    actor.require(Permission::OrgWrite)?;
    let (name, zone) = validate_district(input)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    find_unit(&txn, input.org_unit_id)
        .await
        .map_err(|_| AppError::invalid("org_unit_id", "not_found"))?;
    let row = district::ActiveModel {
        org_unit_id: Set(input.org_unit_id),
        name: Set(name),
        zone: Set(zone.as_str().to_string()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "district",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row.into())
}

pub async fn update_district(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &DistrictInput,
) -> Result<DistrictView, AppError> {
    actor.require(Permission::OrgWrite)?;
    let (name, zone) = validate_district(input)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = district::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    find_unit(&txn, input.org_unit_id)
        .await
        .map_err(|_| AppError::invalid("org_unit_id", "not_found"))?;
    let mut active: district::ActiveModel = before.clone().into();
    active.org_unit_id = Set(input.org_unit_id);
    active.name = Set(name);
    active.zone = Set(zone.as_str().to_string());
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, district::Column::Version, version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "district",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after.into())
}
