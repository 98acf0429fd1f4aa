//! Installation and commissioning (安装调试, INSTALL-1..5).
//!
//! A sale of a product that needs installation (a unit registered through `units::create`
//! for such a product, not yet installed) records an installation order in the same
//! transaction; agents and supervisors also record them by hand. The office sends the work
//! order (安装派工单) to an installation company within `install.send_hours` of the sale
//! (T17 alerts the branch's supervisors otherwise): its users see it in the portal and the
//! company's address gets it by e-mail through the outbox; the printable A4 page serves
//! companies working on paper. The company acknowledges with its installers' ID and
//! credential numbers, commissions the unit, records the training of the customer's staff and
//! the quantities (person-times, person-days, cost, the contract guidance-fee flag), and
//! completes with the customer's drawn signature. T18 puts the follow-up call (回访) on the
//! follow-up list `install.followup_days` later (the `surveys` follow-ups, reason
//! `installation`); its rating (1–5) is scored against the company on its scorecard.
//!
//! Scope: an installer (role `installer`) sees only its own company's orders, whatever its
//! branch; staff see their branch's (headquarters roles all). Others' orders answer 404.

use aftersales_domain::installation::{
    follow_up_due_at, format_tenths, installation_events, installation_needed,
    next_installation_status, parse_tenths, rating_valid, send_due_at, step_actor,
    InstallationEvent, InstallationStatus, ProviderKind, ScoreFacts, Scorecard, StepActor,
};
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::survey::FollowUpReason;
use aftersales_domain::validation::{date, optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{
    customer_address, installation, installation_event, installation_installer,
    installation_provider, installation_provider_user, product, unit, user, user_role,
};
use aftersales_store::sea_orm::sea_query::Expr;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::idempotency::{self, IdempotencyKey};
use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::surveys::FollowUpRequest;
use crate::timers::{self, Fire, Job};
use crate::{audit, format_ms, numbering, settings, Actor, App, AppError};

pub const SEND_DUE_JOB: &str = "installation_send_due";
pub const FOLLOW_UP_JOB: &str = "installation_follow_up";

// ----- installation companies -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProviderInput {
    pub name: String,
    /// internal (an own team) or provider (a contracted firm).
    pub kind: String,
    /// YYYY-MM-DD.
    pub agreement_start: Option<String>,
    pub agreement_end: Option<String>,
    /// The zones served, as text (e.g. 北京城区、北京郊区).
    pub zones: Option<String>,
    /// Where the work orders are mailed.
    pub email: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    /// Required when updating (a stale version answers 409).
    pub version: Option<i32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ProviderUserInput {
    /// An existing active user holding the `installer` role.
    pub username: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderUserView {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderView {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub agreement_start: Option<String>,
    pub agreement_end: Option<String>,
    pub zones: Option<String>,
    pub email: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub active: bool,
    pub version: i32,
    pub users: Vec<ProviderUserView>,
}

/// The company an installer works for; `None` for staff. An installer without a company
/// sees nothing (`Some(None)`).
async fn company_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Option<Option<i64>>, AppError> {
    if !actor.has_role(Role::Installer) {
        return Ok(None);
    }
    Ok(Some(
        installation_provider_user::Entity::find()
            .filter(installation_provider_user::Column::UserId.eq(actor.user_id))
            .one(db)
            .await?
            .map(|link| link.provider_id),
    ))
}

async fn provider_users(
    db: &impl ConnectionTrait,
    provider_id: i64,
) -> Result<Vec<user::Model>, AppError> {
    let ids: Vec<i64> = installation_provider_user::Entity::find()
        .filter(installation_provider_user::Column::ProviderId.eq(provider_id))
        .order_by_asc(installation_provider_user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|link| link.user_id)
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?)
}

async fn provider_view(
    db: &impl ConnectionTrait,
    row: installation_provider::Model,
) -> Result<ProviderView, AppError> {
    let users = provider_users(db, row.id)
        .await?
        .into_iter()
        .map(|u| ProviderUserView {
            user_id: u.id,
            username: u.username,
            display_name: u.display_name,
        })
        .collect();
    Ok(ProviderView {
        id: row.id,
        name: row.name,
        kind: row.kind,
        agreement_start: row.agreement_start,
        agreement_end: row.agreement_end,
        zones: row.zones,
        email: row.email,
        contact_name: row.contact_name,
        contact_phone: row.contact_phone,
        active: row.active,
        version: row.version,
        users,
    })
}

struct ValidProvider {
    name: String,
    kind: ProviderKind,
    agreement_start: Option<String>,
    agreement_end: Option<String>,
    zones: Option<String>,
    email: Option<String>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
}

fn validate_provider(input: &ProviderInput) -> Result<ValidProvider, AppError> {
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", required_text(&input.name, 100));
    let kind = ProviderKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.add("kind", "invalid_choice");
    }
    let mut day = |field: &str, value: &Option<String>| -> Option<String> {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(text) => errors.check(field, date(text)).map(|d| d.to_string()),
        }
    };
    let agreement_start = day("agreement_start", &input.agreement_start);
    let agreement_end = day("agreement_end", &input.agreement_end);
    if let (Some(start), Some(end)) = (&agreement_start, &agreement_end) {
        if end < start {
            errors.add("agreement_end", "before_start");
        }
    }
    let zones = errors
        .check("zones", optional_text(input.zones.as_deref(), 300))
        .flatten();
    let email = errors
        .check("email", optional_text(input.email.as_deref(), 200))
        .flatten();
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        errors.add("email", "invalid_email");
    }
    let contact_name = errors
        .check(
            "contact_name",
            optional_text(input.contact_name.as_deref(), 100),
        )
        .flatten();
    let contact_phone = errors
        .check(
            "contact_phone",
            optional_text(input.contact_phone.as_deref(), 40),
        )
        .flatten();
    match (name, kind) {
        (Some(name), Some(kind)) if errors.is_empty() => Ok(ValidProvider {
            name,
            kind,
            agreement_start,
            agreement_end,
            zones,
            email,
            contact_name,
            contact_phone,
        }),
        _ => Err(errors.into()),
    }
}

async fn name_taken(
    db: &impl ConnectionTrait,
    name: &str,
    except: Option<i64>,
) -> Result<bool, AppError> {
    let mut query =
        installation_provider::Entity::find().filter(installation_provider::Column::Name.eq(name));
    if let Some(id) = except {
        query = query.filter(installation_provider::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

pub async fn create_provider(
    app: &App,
    actor: &Actor,
    input: &ProviderInput,
) -> Result<ProviderView, AppError> {
    actor.require(Permission::InstallProviderManage)?;
    let valid = validate_provider(input)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    if name_taken(&txn, &valid.name, None).await? {
        return Err(AppError::invalid("name", "duplicate"));
    }
    let row = installation_provider::ActiveModel {
        name: Set(valid.name),
        kind: Set(valid.kind.as_str().into()),
        agreement_start: Set(valid.agreement_start),
        agreement_end: Set(valid.agreement_end),
        zones: Set(valid.zones),
        email: Set(valid.email),
        contact_name: Set(valid.contact_name),
        contact_phone: Set(valid.contact_phone),
        active: Set(input.active),
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
        "installation_provider",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let view = provider_view(&txn, row).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn update_provider(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ProviderInput,
) -> Result<ProviderView, AppError> {
    actor.require(Permission::InstallProviderManage)?;
    let valid = validate_provider(input)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = installation_provider::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if name_taken(&txn, &valid.name, Some(id)).await? {
        return Err(AppError::invalid("name", "duplicate"));
    }
    let mut active: installation_provider::ActiveModel = before.clone().into();
    active.name = Set(valid.name);
    active.kind = Set(valid.kind.as_str().into());
    active.agreement_start = Set(valid.agreement_start);
    active.agreement_end = Set(valid.agreement_end);
    active.zones = Set(valid.zones);
    active.email = Set(valid.email);
    active.contact_name = Set(valid.contact_name);
    active.contact_phone = Set(valid.contact_phone);
    active.active = Set(input.active);
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(
        &txn,
        active,
        installation_provider::Column::Version,
        version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "installation_provider",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    let view = provider_view(&txn, after).await?;
    txn.commit().await?;
    Ok(view)
}

/// Gives an installer sign-in to a company (one company per user).
pub async fn add_provider_user(
    app: &App,
    actor: &Actor,
    provider_id: i64,
    input: &ProviderUserInput,
) -> Result<ProviderView, AppError> {
    actor.require(Permission::InstallProviderManage)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let provider = installation_provider::Entity::find_by_id(provider_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let username = input.username.trim();
    let Some(member) = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(&txn)
        .await?
    else {
        return Err(AppError::invalid("username", "not_found"));
    };
    let is_installer = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(member.id))
        .filter(user_role::Column::Role.eq(Role::Installer.as_str()))
        .count(&txn)
        .await?
        > 0;
    if !is_installer {
        return Err(AppError::invalid("username", "not_an_installer"));
    }
    let linked = installation_provider_user::Entity::find()
        .filter(installation_provider_user::Column::UserId.eq(member.id))
        .count(&txn)
        .await?
        > 0;
    if linked {
        return Err(AppError::invalid("username", "already_linked"));
    }
    let link = installation_provider_user::ActiveModel {
        provider_id: Set(provider_id),
        user_id: Set(member.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "installation_provider",
        provider_id,
        "add_user",
        None::<&()>,
        Some(&link),
    )
    .await?;
    let view = provider_view(&txn, provider).await?;
    txn.commit().await?;
    Ok(view)
}

/// The companies: staff see all of them, an installer only its own.
pub async fn list_providers(app: &App, actor: &Actor) -> Result<Vec<ProviderView>, AppError> {
    actor.require(Permission::InstallRead)?;
    let mut query = installation_provider::Entity::find();
    if let Some(own) = company_of(&app.db, actor).await? {
        query = query.filter(installation_provider::Column::Id.eq(own.unwrap_or(-1)));
    }
    let mut views = Vec::new();
    for row in query
        .order_by_asc(installation_provider::Column::Name)
        .all(&app.db)
        .await?
    {
        views.push(provider_view(&app.db, row).await?);
    }
    Ok(views)
}

pub async fn get_provider(app: &App, actor: &Actor, id: i64) -> Result<ProviderView, AppError> {
    actor.require(Permission::InstallRead)?;
    if let Some(own) = company_of(&app.db, actor).await? {
        if own != Some(id) {
            return Err(AppError::NotFound);
        }
    }
    let row = installation_provider::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    provider_view(&app.db, row).await
}

// ----- installation orders -----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InstallationInput {
    /// The sold unit to install.
    pub unit_id: i64,
    /// When the customer wants it installed (RFC 3339).
    pub wanted_at: Option<String>,
    pub requirements: Option<String>,
    /// Where; defaults to the unit's address.
    pub place: Option<String>,
    /// The contractual commissioning deadline (RFC 3339).
    pub commission_due_at: Option<String>,
    pub provider_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InstallerInput {
    pub name: String,
    /// ID card or staff card number (佩戴相关证明).
    pub id_no: String,
    /// Qualification certificate number, if any.
    pub credential_no: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InstallationStepInput {
    pub version: i32,
    /// send: the company, and the time wanted, requirements and commissioning deadline when
    /// not yet on the order (RFC 3339 instants).
    pub provider_id: Option<i64>,
    pub wanted_at: Option<String>,
    pub requirements: Option<String>,
    pub commission_due_at: Option<String>,
    /// decline, cancel: why.
    pub note: Option<String>,
    /// acknowledge: the installers sent.
    #[serde(default)]
    pub installers: Vec<InstallerInput>,
    /// commission: the result, the training (who, topics, hours) and the quantities.
    pub commissioning_result: Option<String>,
    pub trainees: Option<String>,
    pub training_topics: Option<String>,
    /// Hours, one decimal allowed ("1.5").
    pub training_hours: Option<String>,
    pub person_times: Option<i32>,
    /// Person-days, one decimal allowed ("1.5").
    pub person_days: Option<String>,
    pub cost_fen: Option<i64>,
    /// The cost is an installation-guidance fee specified by the contract.
    #[serde(default)]
    pub guidance_fee: bool,
    /// complete: the customer's signature drawn on the screen, a PNG as base64.
    pub signature_png: Option<String>,
    /// follow_up: the customer's rating 1 (very dissatisfied) … 5 (very satisfied).
    pub rating: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstallerView {
    pub name: String,
    pub id_no: String,
    pub credential_no: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstallationEventView {
    pub at: String,
    pub actor: Option<String>,
    pub event: String,
    pub from_status: String,
    pub to_status: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstallationView {
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub customer_phone: String,
    pub unit_id: i64,
    pub serial_no: String,
    pub product: String,
    /// sale or manual.
    pub source: String,
    pub sold_at: String,
    /// T17: the work order is due at the company by then.
    pub send_due_at: String,
    pub send_overdue: bool,
    pub wanted_at: Option<String>,
    pub requirements: Option<String>,
    pub place: Option<String>,
    pub provider_id: Option<i64>,
    pub provider: Option<String>,
    pub commission_due_at: Option<String>,
    pub status: String,
    pub sent_at: Option<String>,
    pub acknowledged_at: Option<String>,
    pub installers: Vec<InstallerView>,
    pub commissioned_at: Option<String>,
    pub commissioning_result: Option<String>,
    pub trainees: Option<String>,
    pub training_topics: Option<String>,
    pub training_hours: Option<String>,
    pub person_times: Option<i32>,
    pub person_days: Option<String>,
    pub cost_fen: Option<i64>,
    pub guidance_fee: bool,
    pub completed_at: Option<String>,
    pub signature_attachment_id: Option<i64>,
    pub follow_up_rating: Option<i32>,
    pub follow_up_note: Option<String>,
    pub followed_up_at: Option<String>,
    pub next_events: Vec<String>,
    pub version: i32,
    /// The timeline, oldest first (only on the detail view).
    pub events: Vec<InstallationEventView>,
}

/// An optional RFC 3339 instant as Unix ms.
fn instant(text: Option<&str>) -> Result<Option<i64>, &'static str> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<Timestamp>()
            .map(|t| Some(t.as_millisecond()))
            .map_err(|_| "invalid_instant"),
    }
}

async fn view(
    db: &impl ConnectionTrait,
    row: installation::Model,
    with_events: bool,
) -> Result<InstallationView, AppError> {
    let (customer, unit, product) =
        crate::units::with_owner(db, row.customer_id, row.unit_id).await?;
    let provider = match row.provider_id {
        Some(id) => installation_provider::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|p| p.name),
        None => None,
    };
    let installers = installation_installer::Entity::find()
        .filter(installation_installer::Column::InstallationId.eq(row.id))
        .order_by_asc(installation_installer::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|i| InstallerView {
            name: i.name,
            id_no: i.id_no,
            credential_no: i.credential_no,
        })
        .collect();
    let events = if with_events {
        installation_event::Entity::find()
            .filter(installation_event::Column::InstallationId.eq(row.id))
            .order_by_asc(installation_event::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|e| InstallationEventView {
                at: format_ms(e.at),
                actor: e.actor_name,
                event: e.event,
                from_status: e.from_status,
                to_status: e.to_status,
                note: e.note,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(InstallationView {
        id: row.id,
        number: row.number,
        org_unit_id: row.org_unit_id,
        customer_id: row.customer_id,
        customer_name: customer.name,
        customer_phone: customer.phone,
        unit_id: row.unit_id,
        serial_no: unit.serial_no,
        product: format!("{} {}", product.model, product.name),
        source: row.source,
        sold_at: format_ms(row.sold_at),
        send_due_at: format_ms(row.send_due_at),
        send_overdue: row.send_overdue,
        wanted_at: row.wanted_at.map(format_ms),
        requirements: row.requirements,
        place: row.place,
        provider_id: row.provider_id,
        provider,
        commission_due_at: row.commission_due_at.map(format_ms),
        next_events: InstallationStatus::parse(&row.status)
            .map(installation_events)
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.as_str().to_string())
            .collect(),
        status: row.status,
        sent_at: row.sent_at.map(format_ms),
        acknowledged_at: row.acknowledged_at.map(format_ms),
        installers,
        commissioned_at: row.commissioned_at.map(format_ms),
        commissioning_result: row.commissioning_result,
        trainees: row.trainees,
        training_topics: row.training_topics,
        training_hours: row
            .training_hours_tenths
            .map(|t| format_tenths(i64::from(t))),
        person_times: row.person_times,
        person_days: row.person_days_tenths.map(|t| format_tenths(i64::from(t))),
        cost_fen: row.cost_fen,
        guidance_fee: row.guidance_fee,
        completed_at: row.completed_at.map(format_ms),
        signature_attachment_id: row.signature_attachment_id,
        follow_up_rating: row.follow_up_rating,
        follow_up_note: row.follow_up_note,
        followed_up_at: row.followed_up_at.map(format_ms),
        version: row.version,
        events,
    })
}

/// The order if the actor sees it: an installer only its company's, staff their scope.
pub(crate) async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<installation::Model, AppError> {
    let row = installation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    match company_of(db, actor).await? {
        Some(own) => {
            // A company sees an order once it was sent to it, not while the office drafts it.
            let drafted = row.status == InstallationStatus::New.as_str();
            if own.is_none() || row.provider_id != own || drafted {
                return Err(AppError::NotFound);
            }
        }
        None => actor.ensure_sees(row.org_unit_id, Some(row.customer_id))?,
    }
    Ok(row)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<InstallationView, AppError> {
    actor.require(Permission::InstallRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    view(&app.db, row, true).await
}

#[expect(clippy::too_many_arguments)]
async fn timeline(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    now: i64,
    installation_id: i64,
    event: &str,
    from: &str,
    to: &str,
    note: Option<String>,
) -> Result<(), AppError> {
    installation_event::ActiveModel {
        installation_id: Set(installation_id),
        event: Set(event.into()),
        from_status: Set(from.into()),
        to_status: Set(to.into()),
        note: Set(note),
        actor_name: Set(actor.map(|a| a.display_name.clone())),
        actor_id: Set(actor.map(|a| a.user_id)),
        at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What a new order is recorded with.
struct NewOrder {
    source: &'static str,
    wanted_at: Option<i64>,
    requirements: Option<String>,
    place: Option<String>,
    commission_due_at: Option<i64>,
    provider_id: Option<i64>,
}

/// Inserts an order for `unit` and schedules T17; the caller audits and commits.
async fn insert_order(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: i64,
    today: jiff::civil::Date,
    unit: &unit::Model,
    order: NewOrder,
) -> Result<installation::Model, AppError> {
    let branch = crate::org::find_unit(db, unit.org_unit_id).await?;
    let pattern = settings::get_pattern(db, "install.number_pattern").await?;
    let number = numbering::next_number(db, &pattern, today, &branch.code).await?;
    let send_hours = settings::get_count(db, "install.send_hours").await?;
    let place = match order.place {
        Some(place) => Some(place),
        None => unit_place(db, unit).await?,
    };
    let row = installation::ActiveModel {
        number: Set(number),
        org_unit_id: Set(unit.org_unit_id),
        customer_id: Set(unit.customer_id),
        unit_id: Set(unit.id),
        source: Set(order.source.into()),
        sold_at: Set(now),
        send_due_at: Set(send_due_at(now, send_hours)),
        wanted_at: Set(order.wanted_at),
        requirements: Set(order.requirements),
        place: Set(place),
        provider_id: Set(order.provider_id),
        commission_due_at: Set(order.commission_due_at),
        status: Set(InstallationStatus::New.as_str().into()),
        send_overdue: Set(false),
        guidance_fee: Set(false),
        created_by: Set(actor.user_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    timeline(
        db,
        Some(actor),
        now,
        row.id,
        "record",
        "",
        InstallationStatus::New.as_str(),
        None,
    )
    .await?;
    timers::schedule(
        db,
        SEND_DUE_JOB,
        "installation",
        row.id,
        Some(&format!("{SEND_DUE_JOB}:{}", row.id)),
        row.send_due_at,
        None,
        now,
    )
    .await?;
    audit::record(
        db,
        now,
        Some(actor),
        "installation",
        row.id,
        "create",
        None::<&()>,
        Some(&row),
    )
    .await?;
    Ok(row)
}

/// Where the unit stands: its address, else the customer's default (or first) address.
async fn unit_place(
    db: &impl ConnectionTrait,
    unit: &unit::Model,
) -> Result<Option<String>, AppError> {
    let addresses = customer_address::Entity::find()
        .filter(customer_address::Column::CustomerId.eq(unit.customer_id))
        .order_by_desc(customer_address::Column::IsDefault)
        .order_by_asc(customer_address::Column::Id)
        .all(db)
        .await?;
    let chosen = match unit.address_id {
        Some(id) => addresses.iter().find(|a| a.id == id),
        None => addresses.first(),
    };
    Ok(chosen.map(|a| a.detail.clone()))
}

/// INSTALL-1: a sale of a product needing installation records its installation order, in
/// the caller's (the sale's) transaction. Answers the order when one was recorded.
pub(crate) async fn order_for_sale(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    unit: &unit::Model,
) -> Result<Option<installation::Model>, AppError> {
    let product = product::Entity::find_by_id(unit.product_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !installation_needed(product.needs_installation, unit.install_date.is_some()) {
        return Ok(None);
    }
    let order = NewOrder {
        source: "sale",
        wanted_at: None,
        requirements: None,
        place: None,
        commission_due_at: None,
        provider_id: None,
    };
    insert_order(db, actor, app.now_ms(), app.today(), unit, order)
        .await
        .map(Some)
}

/// Records an installation order by hand (agent or supervisor).
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &InstallationInput,
    key: Option<&IdempotencyKey>,
) -> Result<InstallationView, AppError> {
    actor.require(Permission::InstallWrite)?;
    if let Some(id) = idempotency::replayed(app, actor, key, "installation").await? {
        return get(app, actor, id).await;
    }
    let mut errors = ValidationErrors::new();
    let wanted_at = errors
        .check("wanted_at", instant(input.wanted_at.as_deref()))
        .flatten();
    let commission_due_at = errors
        .check(
            "commission_due_at",
            instant(input.commission_due_at.as_deref()),
        )
        .flatten();
    let requirements = errors
        .check(
            "requirements",
            optional_text(input.requirements.as_deref(), 2000),
        )
        .flatten();
    let place = errors
        .check("place", optional_text(input.place.as_deref(), 300))
        .flatten();
    errors.into_result(())?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let unit = crate::units::find_visible(&txn, actor, input.unit_id)
        .await
        .map_err(|_| AppError::invalid("unit_id", "not_found"))?;
    if let Some(provider) = input.provider_id {
        active_provider(&txn, provider).await?;
    }
    let order = NewOrder {
        source: "manual",
        wanted_at,
        requirements,
        place,
        commission_due_at,
        provider_id: input.provider_id,
    };
    let row = insert_order(&txn, actor, now, app.today(), &unit, order).await?;
    idempotency::remember(&txn, actor, key, "installation", row.id, now).await?;
    let result = view(&txn, row, true).await?;
    txn.commit().await?;
    Ok(result)
}

async fn active_provider(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<installation_provider::Model, AppError> {
    match installation_provider::Entity::find_by_id(id)
        .one(db)
        .await?
    {
        Some(provider) if provider.active => Ok(provider),
        _ => Err(AppError::invalid("provider_id", "not_found")),
    }
}

/// One step of the state machine (see [`step_actor`] for who may take which).
pub async fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    event: InstallationEvent,
    input: &InstallationStepInput,
) -> Result<InstallationView, AppError> {
    actor.require(match step_actor(event) {
        StepActor::Office => Permission::InstallWrite,
        StepActor::Company => Permission::InstallWork,
        StepActor::FollowUpCaller => Permission::FollowUp,
    })?;
    actor.require(Permission::InstallRead)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_visible(&txn, actor, id).await?;
    let from = InstallationStatus::parse(&before.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("installation {id} status")))?;
    let to = next_installation_status(from, event).map_err(|err| AppError::Conflict {
        code: "invalid_transition",
        field: Some("status"),
        detail: Some(err.to_string()),
    })?;
    let note = optional_text(input.note.as_deref(), 1000)
        .map_err(|code| AppError::invalid("note", code))?;
    let mut active: installation::ActiveModel = before.clone().into();
    let mut timeline_note = note.clone();
    match event {
        InstallationEvent::Send => {
            let sent = send(&txn, now, &before, input).await?;
            active.provider_id = Set(Some(sent.provider.id));
            active.wanted_at = Set(Some(sent.wanted_at));
            active.requirements = Set(Some(sent.requirements));
            active.commission_due_at = Set(sent.commission_due_at);
            active.sent_at = Set(Some(now));
            timeline_note = Some(sent.note);
        }
        InstallationEvent::Acknowledge => {
            let installers = validate_installers(&input.installers)?;
            installation_installer::Entity::delete_many()
                .filter(installation_installer::Column::InstallationId.eq(id))
                .exec(&txn)
                .await?;
            let mut names = Vec::new();
            for installer in installers {
                names.push(format!("{} ({})", installer.name, installer.id_no));
                installation_installer::ActiveModel {
                    installation_id: Set(id),
                    name: Set(installer.name),
                    id_no: Set(installer.id_no),
                    credential_no: Set(installer.credential_no),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
            active.acknowledged_at = Set(Some(now));
            timeline_note = Some(names.join("、"));
        }
        InstallationEvent::Decline | InstallationEvent::Cancel => {
            if note.is_none() {
                return Err(AppError::invalid("note", "required"));
            }
            if event == InstallationEvent::Decline {
                // Back to the office, which sends it to another company; the declining
                // company no longer sees it.
                active.provider_id = Set(None);
                active.sent_at = Set(None);
                tell_supervisors(&txn, now, &before, "installation_declined", note.as_deref())
                    .await?;
            }
        }
        InstallationEvent::Commission => {
            let work = validate_commissioning(input)?;
            active.commissioning_result = Set(Some(work.result));
            active.trainees = Set(Some(work.trainees));
            active.training_topics = Set(Some(work.topics));
            active.training_hours_tenths = Set(Some(work.training_hours_tenths));
            active.person_times = Set(Some(work.person_times));
            active.person_days_tenths = Set(Some(work.person_days_tenths));
            active.cost_fen = Set(Some(work.cost_fen));
            active.guidance_fee = Set(input.guidance_fee);
            active.commissioned_at = Set(Some(now));
        }
        InstallationEvent::Complete => {
            let text = input
                .signature_png
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| AppError::invalid("signature_png", "required"))?;
            let bytes = crate::service_orders::decode_signature(text)?;
            let attachment = crate::attachments::store(
                app,
                &txn,
                actor,
                "installation",
                id,
                &format!("signature-{}.png", before.number),
                "image/png",
                &bytes,
            )
            .await?;
            active.signature_attachment_id = Set(Some(attachment.id));
            active.completed_at = Set(Some(now));
            let days = settings::get_count(&txn, "install.followup_days").await?;
            timers::schedule(
                &txn,
                FOLLOW_UP_JOB,
                "installation",
                id,
                Some(&format!("{FOLLOW_UP_JOB}:{id}")),
                follow_up_due_at(now, days),
                None,
                now,
            )
            .await?;
        }
        InstallationEvent::FollowUp => {
            let rating = input
                .rating
                .filter(|r| rating_valid(*r))
                .ok_or_else(|| AppError::invalid("rating", "invalid_rating"))?;
            crate::surveys::log_reached_call(
                &txn,
                actor,
                &follow_up_request(&before),
                app.today(),
                note.clone(),
                now,
            )
            .await?;
            active.follow_up_rating = Set(Some(rating));
            active.follow_up_note = Set(note.clone());
            active.followed_up_at = Set(Some(now));
            timeline_note = Some(match &note {
                Some(text) => format!("{rating}/5 — {text}"),
                None => format!("{rating}/5"),
            });
        }
    }
    active.status = Set(to.as_str().into());
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let after =
        versioned_update(&txn, active, installation::Column::Version, input.version).await?;
    timeline(
        &txn,
        Some(actor),
        now,
        id,
        event.as_str(),
        from.as_str(),
        to.as_str(),
        timeline_note,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "installation",
        id,
        event.as_str(),
        Some(&before),
        Some(&after),
    )
    .await?;
    let result = view(&txn, after, true).await?;
    txn.commit().await?;
    Ok(result)
}

fn follow_up_request(row: &installation::Model) -> FollowUpRequest {
    FollowUpRequest {
        org_unit_id: row.org_unit_id,
        customer_id: row.customer_id,
        service_order_id: None,
        reason: FollowUpReason::Installation,
        source_id: row.id,
    }
}

struct Sent {
    provider: installation_provider::Model,
    wanted_at: i64,
    requirements: String,
    commission_due_at: Option<i64>,
    note: String,
}

/// INSTALL-2: the work order goes to the company's users (in-app) and to its address (the
/// mail outbox). The time wanted and the requirements must be known by now.
async fn send(
    db: &impl ConnectionTrait,
    now: i64,
    row: &installation::Model,
    input: &InstallationStepInput,
) -> Result<Sent, AppError> {
    let mut errors = ValidationErrors::new();
    let provider_id = input.provider_id.or(row.provider_id);
    if provider_id.is_none() {
        errors.add("provider_id", "required");
    }
    let wanted_at = errors.check(
        "wanted_at",
        instant(input.wanted_at.as_deref()).and_then(|v| v.or(row.wanted_at).ok_or("required")),
    );
    let requirements = errors.check(
        "requirements",
        optional_text(input.requirements.as_deref(), 2000)
            .and_then(|v| v.or_else(|| row.requirements.clone()).ok_or("required")),
    );
    let commission_due_at = errors
        .check(
            "commission_due_at",
            instant(input.commission_due_at.as_deref()),
        )
        .flatten()
        .or(row.commission_due_at);
    let (Some(provider_id), Some(wanted_at), Some(requirements)) =
        (provider_id, wanted_at, requirements)
    else {
        return Err(errors.into());
    };
    errors.into_result(())?;
    let provider = active_provider(db, provider_id).await?;
    let users: Vec<i64> = provider_users(db, provider.id)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let link = format!("/installations/{}", row.id);
    let when = crate::format_local(wanted_at);
    let due = commission_due_at
        .map(crate::format_local)
        .unwrap_or_default();
    notifications::notify(
        db,
        now,
        &users,
        &Message {
            kind: "installation_sent",
            link: Some(link.clone()),
            zh: (
                format!("安装派工单：{}", row.number),
                format!("请于 {when} 安装。要求：{requirements}"),
            ),
            en: (
                format!("Installation work order: {}", row.number),
                format!("Please install at {when}. Requirements: {requirements}"),
            ),
        },
    )
    .await?;
    let mut note = provider.name.clone();
    if let Some(address) = provider.email.as_deref() {
        let origin = settings::get(db, "site.public_origin").await?;
        let body = format!(
            "安装派工单 / Installation work order {number}\n\
             安装时间 / Wanted: {when}\n\
             调试期限 / Commissioning deadline: {due}\n\
             要求 / Requirements: {requirements}\n\
             地点 / Place: {place}\n\n\
             请登录确认并登记安装人员证件 / Please sign in to acknowledge and name the installers:\n\
             {origin}{link}\n\
             打印 / Print: {origin}{link}/print",
            number = row.number,
            place = row.place.as_deref().unwrap_or("—"),
        );
        notifications::queue_mail(
            db,
            now,
            address,
            &format!("安装派工单 / Installation work order {}", row.number),
            &body,
            ("installation", row.id),
        )
        .await?;
        note = format!("{note} · {address}");
    }
    Ok(Sent {
        provider,
        wanted_at,
        requirements,
        commission_due_at,
        note,
    })
}

fn validate_installers(input: &[InstallerInput]) -> Result<Vec<InstallerInput>, AppError> {
    let mut errors = ValidationErrors::new();
    let mut valid = Vec::new();
    for (idx, installer) in input.iter().enumerate() {
        let name = errors.check(
            &format!("installers[{idx}].name"),
            required_text(&installer.name, 100),
        );
        let id_no = errors.check(
            &format!("installers[{idx}].id_no"),
            required_text(&installer.id_no, 40),
        );
        let credential_no = errors
            .check(
                &format!("installers[{idx}].credential_no"),
                optional_text(installer.credential_no.as_deref(), 60),
            )
            .flatten();
        if let (Some(name), Some(id_no)) = (name, id_no) {
            valid.push(InstallerInput {
                name,
                id_no,
                credential_no,
            });
        }
    }
    if input.is_empty() {
        errors.add("installers", "required");
    }
    errors.into_result(valid).map_err(AppError::from)
}

struct Commissioning {
    result: String,
    trainees: String,
    topics: String,
    training_hours_tenths: i32,
    person_times: i32,
    person_days_tenths: i32,
    cost_fen: i64,
}

/// INSTALL-3 and 5: the result, the training and the quantities are all required.
fn validate_commissioning(input: &InstallationStepInput) -> Result<Commissioning, AppError> {
    let mut errors = ValidationErrors::new();
    let text = |value: &Option<String>, max| required_text(value.as_deref().unwrap_or(""), max);
    let result = errors.check(
        "commissioning_result",
        text(&input.commissioning_result, 2000),
    );
    let trainees = errors.check("trainees", text(&input.trainees, 300));
    let topics = errors.check("training_topics", text(&input.training_topics, 1000));
    let hours = errors.check(
        "training_hours",
        parse_tenths(input.training_hours.as_deref().unwrap_or("")),
    );
    let person_times = errors.check(
        "person_times",
        match input.person_times {
            None => Err("required"),
            Some(n) if n < 1 => Err("must_be_positive"),
            Some(n) => Ok(n),
        },
    );
    let person_days = errors.check(
        "person_days",
        parse_tenths(input.person_days.as_deref().unwrap_or("")),
    );
    let cost = errors.check(
        "cost_fen",
        match input.cost_fen {
            None => Err("required"),
            Some(n) if n < 0 => Err("negative"),
            Some(n) => Ok(n),
        },
    );
    match (
        result,
        trainees,
        topics,
        hours,
        person_times,
        person_days,
        cost,
    ) {
        (
            Some(result),
            Some(trainees),
            Some(topics),
            Some(training_hours_tenths),
            Some(person_times),
            Some(person_days_tenths),
            Some(cost_fen),
        ) if errors.is_empty() => Ok(Commissioning {
            result,
            trainees,
            topics,
            training_hours_tenths,
            person_times,
            person_days_tenths,
            cost_fen,
        }),
        _ => Err(errors.into()),
    }
}

async fn tell_supervisors(
    db: &impl ConnectionTrait,
    now: i64,
    row: &installation::Model,
    kind: &'static str,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let supervisors =
        notifications::users_with_role(db, Role::ServiceSupervisor, Some(row.org_unit_id)).await?;
    let reason = reason.unwrap_or("");
    let (zh, en) = match kind {
        "installation_declined" => (
            (
                format!("安装公司退回派工单：{}", row.number),
                format!("原因：{reason}。请改派其他安装公司。"),
            ),
            (
                format!("Installation order declined: {}", row.number),
                format!("Reason: {reason}. Send it to another company."),
            ),
        ),
        _ => (
            (
                format!("安装派工单未按时发出：{}", row.number),
                format!(
                    "销售后应于 {} 前发出安装派工单。",
                    crate::format_local(row.send_due_at)
                ),
            ),
            (
                format!("Installation order not sent in time: {}", row.number),
                format!(
                    "The work order was due at the company by {}.",
                    crate::format_local(row.send_due_at)
                ),
            ),
        ),
    };
    notifications::notify(
        db,
        now,
        &supervisors,
        &Message {
            kind,
            link: Some(format!("/installations/{}", row.id)),
            zh,
            en,
        },
    )
    .await?;
    Ok(())
}

/// T17: the work order was not sent within `install.send_hours` of the sale: the order is
/// flagged and the branch's supervisors are alerted.
pub struct SendDueJob;

#[async_trait::async_trait]
impl Job for SendDueJob {
    fn name(&self) -> &'static str {
        SEND_DUE_JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(row) = installation::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        if row.status != InstallationStatus::New.as_str() {
            return Ok(());
        }
        // The flag is the timer's own fact, so it does not bump the version a user's open
        // form holds.
        installation::Entity::update_many()
            .col_expr(installation::Column::SendOverdue, Expr::value(true))
            .filter(installation::Column::Id.eq(row.id))
            .exec(fire.txn)
            .await?;
        timeline(
            fire.txn,
            None,
            fire.now_ms,
            row.id,
            "send_overdue",
            &row.status,
            &row.status,
            None,
        )
        .await?;
        tell_supervisors(fire.txn, fire.now_ms, &row, SEND_DUE_JOB, None).await
    }
}

/// T18: `install.followup_days` after completion the follow-up call is put on the
/// follow-up list (due that day), unless the customer was already called.
pub struct FollowUpJob;

#[async_trait::async_trait]
impl Job for FollowUpJob {
    fn name(&self) -> &'static str {
        FOLLOW_UP_JOB
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let Some(row) = installation::Entity::find_by_id(fire.timer.subject_id)
            .one(fire.txn)
            .await?
        else {
            return Ok(());
        };
        if row.status != InstallationStatus::Completed.as_str() {
            return Ok(());
        }
        let today = Timestamp::from_millisecond(fire.now_ms)
            .map_err(|err| AppError::Internal(anyhow::anyhow!("now: {err}")))?
            .to_zoned(crate::clock::default_zone())
            .date();
        crate::surveys::request_follow_up_due(
            fire.txn,
            &follow_up_request(&row),
            today,
            fire.now_ms,
        )
        .await?;
        timeline(
            fire.txn,
            None,
            fire.now_ms,
            row.id,
            "follow_up_due",
            &row.status,
            &row.status,
            None,
        )
        .await
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct InstallationFilter {
    pub status: Option<String>,
    pub provider_id: Option<i64>,
    /// The branch (org unit) the order belongs to.
    pub org_unit_id: Option<i64>,
}

/// The orders the actor sees, newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &InstallationFilter,
    page: PageRequest,
) -> Result<Page<InstallationView>, AppError> {
    actor.require(Permission::InstallRead)?;
    let mut query = installation::Entity::find();
    match company_of(&app.db, actor).await? {
        Some(own) => {
            query = query
                .filter(installation::Column::ProviderId.eq(own.unwrap_or(-1)))
                .filter(installation::Column::Status.ne(InstallationStatus::New.as_str()));
        }
        None => {
            query = actor.scoped(
                query,
                installation::Column::OrgUnitId,
                installation::Column::CustomerId,
            )?;
        }
    }
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(installation::Column::Status.eq(status));
    }
    if let Some(provider) = filter.provider_id {
        query = query.filter(installation::Column::ProviderId.eq(provider));
    }
    if let Some(branch) = filter.org_unit_id {
        query = query.filter(installation::Column::OrgUnitId.eq(branch));
    }
    let paginator = query
        .order_by_desc(installation::Column::Id)
        .paginate(&app.db, page.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(&app.db, row, false).await?);
    }
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
        total_capped: false,
    })
}

// ----- the provider scorecard (INSTALL-4) -----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderScoreView {
    pub provider_id: i64,
    pub provider: String,
    pub kind: String,
    pub orders: i64,
    pub cancelled: i64,
    pub sent: i64,
    pub sent_on_time: i64,
    pub acknowledged: i64,
    pub acknowledged_on_time: i64,
    pub completed: i64,
    pub completed_on_time: i64,
    pub ratings: i64,
    /// The average follow-up rating (1–5) with one decimal, none before the first.
    pub average_rating: Option<String>,
}

/// Every company's scorecard over the orders the actor sees (an installer: its own).
pub async fn scorecards(app: &App, actor: &Actor) -> Result<Vec<ProviderScoreView>, AppError> {
    actor.require(Permission::InstallRead)?;
    let ack_hours = settings::get_count(&app.db, "install.ack_hours").await?;
    let own = company_of(&app.db, actor).await?;
    let mut cards = Vec::new();
    for provider in installation_provider::Entity::find()
        .order_by_asc(installation_provider::Column::Name)
        .all(&app.db)
        .await?
    {
        if own.is_some_and(|own| own != Some(provider.id)) {
            continue;
        }
        let mut query =
            installation::Entity::find().filter(installation::Column::ProviderId.eq(provider.id));
        if own.is_none() {
            query = actor.scoped(
                query,
                installation::Column::OrgUnitId,
                installation::Column::CustomerId,
            )?;
        }
        let mut card = Scorecard::default();
        for row in query.all(&app.db).await? {
            card.add(
                &ScoreFacts {
                    sent_at: row.sent_at,
                    send_due_at: row.send_due_at,
                    acknowledged_at: row.acknowledged_at,
                    completed_at: row.completed_at,
                    commission_due_at: row.commission_due_at,
                    rating: row.follow_up_rating,
                    cancelled: row.status == InstallationStatus::Cancelled.as_str(),
                },
                ack_hours,
            );
        }
        cards.push(ProviderScoreView {
            provider_id: provider.id,
            provider: provider.name,
            kind: provider.kind,
            orders: card.orders,
            cancelled: card.cancelled,
            sent: card.sent,
            sent_on_time: card.sent_on_time,
            acknowledged: card.acknowledged,
            acknowledged_on_time: card.acknowledged_on_time,
            completed: card.completed,
            completed_on_time: card.completed_on_time,
            ratings: card.ratings,
            average_rating: card.average_rating_tenths().map(format_tenths),
        });
    }
    Ok(cards)
}

// ----- the monthly totals (INSTALL-5, for REPORT-1) -----

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MonthTotals {
    pub person_times: i64,
    pub person_days: f64,
    pub cost_fen: i64,
    /// The part of `cost_fen` that is contract-specified installation-guidance fees (which
    /// the monthly statistics exclude).
    pub guidance_fee_fen: i64,
}

/// The installations completed in `month` (`YYYY-MM`, Asia/Shanghai) of one branch or all:
/// person-times, person-days, cost and guidance fees. A pure read for the monthly statistics.
pub async fn month_totals(
    db: &impl ConnectionTrait,
    branch_id: Option<i64>,
    month: &str,
) -> Result<MonthTotals, AppError> {
    let first = date(&format!("{}-01", month.trim()))
        .map_err(|_| AppError::invalid("month", "invalid_month"))?;
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map_err(|_| AppError::invalid("month", "invalid_month"))?;
    let zone = crate::clock::default_zone();
    let start_of = |day: jiff::civil::Date| {
        day.to_zoned(zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|err| AppError::Internal(anyhow::anyhow!("month start: {err}")))
    };
    let (from, until) = (start_of(first)?, start_of(next)?);
    let mut query = installation::Entity::find()
        .filter(installation::Column::CompletedAt.gte(from))
        .filter(installation::Column::CompletedAt.lt(until));
    if let Some(branch) = branch_id {
        query = query.filter(installation::Column::OrgUnitId.eq(branch));
    }
    let mut totals = MonthTotals::default();
    let mut person_days_tenths = 0_i64;
    for row in query.all(db).await? {
        totals.person_times += i64::from(row.person_times.unwrap_or(0));
        person_days_tenths += i64::from(row.person_days_tenths.unwrap_or(0));
        let cost = row.cost_fen.unwrap_or(0);
        totals.cost_fen += cost;
        if row.guidance_fee {
            totals.guidance_fee_fen += cost;
        }
    }
    totals.person_days = person_days_tenths as f64 / 10.0;
    Ok(totals)
}
