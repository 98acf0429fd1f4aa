//! SLA policies (issue "Working calendars, SLA clocks…"): administrators and the customer
//! department define which clocks run for which orders. A policy matches on service category,
//! fault class, zone, customer class and urgency (unset: any); the first matching policy by
//! rank applies, else the default clocks from the settings. Each clock is named by the order
//! events that start and stop it and counts working or calendar time. Orders compute their
//! clocks from the policies in force, so a changed policy applies to open orders at once.

use aftersales_domain::role::Permission;
use aftersales_domain::service_order::{FaultClass, OrderEvent, ServiceCategory};
use aftersales_domain::validation::{required_text, ValidationErrors};
use aftersales_store::entity::{sla_policy, sla_policy_clock};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::org::versioned_update;
use crate::{audit, Actor, App, AppError};

pub const ZONES: &[&str] = &["urban", "suburban"];
pub const CUSTOMER_CLASSES: &[&str] = &["a", "b", "c"];
pub const TIME_KINDS: &[&str] = &["working", "elapsed"];

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ClockInput {
    /// Lower-case letters, digits and `_`, unique in the policy (first_contact, arrival,
    /// completion, resolution or one's own).
    pub name: String,
    /// Order events that start or restart the clock (`register` starts at the call).
    pub start_on: Vec<String>,
    /// Order events that stop it.
    pub stop_on: Vec<String>,
    /// The allowance, 1 minute to 365 days.
    pub target_minutes: i64,
    /// working (the order's working calendar) or elapsed (calendar time).
    pub time_kind: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PolicyInput {
    pub name: String,
    /// Lower ranks are tried first (0–10000).
    pub rank: i32,
    /// a, b, c or d; empty: any.
    pub category: Option<String>,
    /// hardware, software, operator_error or other; empty: any.
    pub fault_class: Option<String>,
    /// urban or suburban; empty: any.
    pub zone: Option<String>,
    /// The customer's ABC class a, b or c; empty: any.
    pub customer_class: Option<String>,
    /// normal or urgent; empty: any.
    pub urgency: Option<String>,
    pub active: bool,
    pub clocks: Vec<ClockInput>,
    /// Required to update: the version read (stale: 409).
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    pub id: i64,
    pub name: String,
    pub rank: i32,
    pub category: Option<String>,
    pub fault_class: Option<String>,
    pub zone: Option<String>,
    pub customer_class: Option<String>,
    pub urgency: Option<String>,
    pub active: bool,
    pub clocks: Vec<ClockInput>,
    pub version: i32,
}

/// Event codes a clock may start or stop on: the registration and every order event.
pub fn event_codes() -> Vec<&'static str> {
    std::iter::once("register")
        .chain(OrderEvent::ALL.iter().map(|e| e.as_str()))
        .collect()
}

fn criterion(
    errors: &mut ValidationErrors,
    field: &str,
    value: &Option<String>,
    valid: impl Fn(&str) -> bool,
) -> Option<String> {
    let value = value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_lowercase)?;
    if !valid(&value) {
        errors.add(field, "invalid_choice");
    }
    Some(value)
}

struct ValidPolicy {
    name: String,
    criteria: [Option<String>; 5],
}

fn validate(input: &PolicyInput) -> Result<ValidPolicy, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", required_text(&input.name, 100));
    if !(0..=10_000).contains(&input.rank) {
        errors.add("rank", "out_of_range");
    }
    let criteria = [
        criterion(&mut errors, "category", &input.category, |v| {
            ServiceCategory::parse(v).is_some()
        }),
        criterion(&mut errors, "fault_class", &input.fault_class, |v| {
            FaultClass::parse(v).is_some()
        }),
        criterion(&mut errors, "zone", &input.zone, |v| ZONES.contains(&v)),
        criterion(&mut errors, "customer_class", &input.customer_class, |v| {
            CUSTOMER_CLASSES.contains(&v)
        }),
        criterion(&mut errors, "urgency", &input.urgency, |v| {
            crate::service_orders::URGENCIES.contains(&v)
        }),
    ];
    if input.clocks.is_empty() {
        errors.add("clocks", "required");
    }
    let events = event_codes();
    for (idx, clock) in input.clocks.iter().enumerate() {
        let field = |part: &str| format!("clocks[{idx}].{part}");
        let good_name = !clock.name.is_empty()
            && clock.name.len() <= 40
            && clock
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !good_name {
            errors.add(field("name"), "invalid_code");
        } else if input.clocks[..idx].iter().any(|c| c.name == clock.name) {
            errors.add(field("name"), "duplicate");
        }
        for (part, list) in [("start_on", &clock.start_on), ("stop_on", &clock.stop_on)] {
            if list.is_empty() {
                errors.add(field(part), "required");
            } else if list.iter().any(|e| !events.contains(&e.as_str())) {
                errors.add(field(part), "invalid_choice");
            }
        }
        if !(1..=525_600).contains(&clock.target_minutes) {
            errors.add(field("target_minutes"), "out_of_range");
        }
        if !TIME_KINDS.contains(&clock.time_kind.as_str()) {
            errors.add(field("time_kind"), "invalid_choice");
        }
    }
    match name {
        Some(name) if errors.is_empty() => Ok(ValidPolicy { name, criteria }),
        _ => Err(errors),
    }
}

async fn view(db: &impl ConnectionTrait, row: sla_policy::Model) -> Result<PolicyView, AppError> {
    let clocks = sla_policy_clock::Entity::find()
        .filter(sla_policy_clock::Column::PolicyId.eq(row.id))
        .order_by_asc(sla_policy_clock::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| ClockInput {
            name: c.name,
            start_on: c.start_on.split(',').map(str::to_string).collect(),
            stop_on: c.stop_on.split(',').map(str::to_string).collect(),
            target_minutes: c.target_minutes,
            time_kind: c.time_kind,
        })
        .collect();
    Ok(PolicyView {
        id: row.id,
        name: row.name,
        rank: row.rank,
        category: row.category,
        fault_class: row.fault_class,
        zone: row.zone,
        customer_class: row.customer_class,
        urgency: row.urgency,
        active: row.active,
        clocks,
        version: row.version,
    })
}

/// Every policy, in the order they are tried.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<PolicyView>, AppError> {
    actor.require(Permission::OrderRead)?;
    let rows = sla_policy::Entity::find()
        .order_by_asc(sla_policy::Column::Rank)
        .order_by_asc(sla_policy::Column::Id)
        .all(&app.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(view(&app.db, row).await?);
    }
    Ok(out)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<PolicyView, AppError> {
    actor.require(Permission::OrderRead)?;
    let row = sla_policy::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    view(&app.db, row).await
}

/// Replaces a policy's clocks with the input's.
async fn write_clocks(
    db: &impl ConnectionTrait,
    policy_id: i64,
    clocks: &[ClockInput],
) -> Result<(), AppError> {
    sla_policy_clock::Entity::delete_many()
        .filter(sla_policy_clock::Column::PolicyId.eq(policy_id))
        .exec(db)
        .await?;
    for clock in clocks {
        sla_policy_clock::ActiveModel {
            policy_id: Set(policy_id),
            name: Set(clock.name.clone()),
            start_on: Set(clock.start_on.join(",")),
            stop_on: Set(clock.stop_on.join(",")),
            target_minutes: Set(clock.target_minutes),
            time_kind: Set(clock.time_kind.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

fn fill(active: &mut sla_policy::ActiveModel, valid: ValidPolicy, input: &PolicyInput) {
    let [category, fault_class, zone, customer_class, urgency] = valid.criteria;
    active.name = Set(valid.name);
    active.rank = Set(input.rank);
    active.category = Set(category);
    active.fault_class = Set(fault_class);
    active.zone = Set(zone);
    active.customer_class = Set(customer_class);
    active.urgency = Set(urgency);
    active.active = Set(input.active);
}

pub async fn create(app: &App, actor: &Actor, input: &PolicyInput) -> Result<PolicyView, AppError> {
    actor.require(Permission::SlaPolicyWrite)?;
    let valid = validate(input)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let mut active = sla_policy::ActiveModel {
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    fill(&mut active, valid, input);
    let row = active.insert(&txn).await?;
    write_clocks(&txn, row.id, &input.clocks).await?;
    let created = view(&txn, row).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "sla_policy",
        created.id,
        "create",
        None::<&()>,
        Some(&created),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &PolicyInput,
) -> Result<PolicyView, AppError> {
    actor.require(Permission::SlaPolicyWrite)?;
    let valid = validate(input)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = sla_policy::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = view(&txn, row.clone()).await?;
    let mut active: sla_policy::ActiveModel = row.into();
    fill(&mut active, valid, input);
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let row = versioned_update(&txn, active, sla_policy::Column::Version, version).await?;
    write_clocks(&txn, id, &input.clocks).await?;
    let after = view(&txn, row).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "sla_policy",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
