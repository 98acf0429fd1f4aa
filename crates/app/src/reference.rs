//! Reference data kept in memory between requests: the SLA policies with the default targets,
//! the calendars and the branches' calendar codes, the settings and the products' components.
//! Every order view or registration needs some of them and they change a few times a year, so
//! reading them is one query for a counter (or a column of another query) instead of several
//! for the data.
//!
//! The counter (`reference_version`, migration 000150) is bumped by triggers on every write to
//! the tables this data comes from, in the writing transaction, so a change made by any path
//! or any instance is seen by the next reader that reads the counter. The counter is read
//! before the data: a change committed in between leaves newer data under the older number,
//! which the next reader replaces; it can never leave older data under a newer number.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aftersales_domain::calendar::Calendar;
use aftersales_store::entity::{org_unit, product_component, setting};
use aftersales_store::sea_orm::sea_query::Expr;
use aftersales_store::sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryOrder, QueryResult, QuerySelect,
    Statement,
};

use crate::calendars::Calendars;
use crate::sla_clocks::Policies;
use crate::AppError;

/// The reference data as of one value of the counter.
pub struct Snapshot {
    version: i64,
    pub policies: Policies,
    /// The built-in and stored calendars.
    pub calendars: Calendars,
    /// org unit id → its calendar code.
    calendar_codes: HashMap<i64, String>,
    /// The stored settings, key → value ([`Snapshot::settings`] adds the defaults).
    settings: HashMap<String, String>,
    /// product id → its components, in the order they were entered.
    components: HashMap<i64, Vec<product_component::Model>>,
}

impl Snapshot {
    /// The effective values of registered settings, in the order of `keys`.
    pub fn settings<const N: usize>(
        &self,
        keys: [&'static str; N],
    ) -> Result<[String; N], AppError> {
        crate::settings::effective(&self.settings, keys)
    }

    /// The calendar of a clock of branch `org_unit_id`: the contract's (code given), else the
    /// customer's, else the branch's, else cn-standard ([`Calendars::of_codes`]).
    pub fn calendar_of(
        &self,
        contract: Option<&str>,
        customer: Option<&str>,
        org_unit_id: Option<i64>,
    ) -> Result<Arc<Calendar>, AppError> {
        let branch = org_unit_id
            .and_then(|id| self.calendar_codes.get(&id))
            .map(String::as_str);
        self.calendars.of_codes(contract, customer, branch)
    }

    /// A product's components with their own warranty periods.
    pub fn components_of(&self, product_id: i64) -> &[product_component::Model] {
        self.components.get(&product_id).map_or(&[], Vec::as_slice)
    }
}

/// One app instance's copy; every [`crate::App`] of a process on one database shares it.
#[derive(Default)]
pub struct ReferenceCache {
    current: Mutex<Option<Arc<Snapshot>>>,
}

impl ReferenceCache {
    /// The reference data as of now on `db` (a pooled connection or a transaction).
    pub async fn snapshot(&self, db: &impl ConnectionTrait) -> Result<Arc<Snapshot>, AppError> {
        let version = version(db).await?;
        self.snapshot_at(db, version).await
    }

    /// The reference data as of `version`, a value of the counter the caller read on `db`
    /// together with other rows ([`with_version`]): one query fewer.
    pub async fn snapshot_at(
        &self,
        db: &impl ConnectionTrait,
        version: i64,
    ) -> Result<Arc<Snapshot>, AppError> {
        if let Some(cached) = self.cached() {
            if cached.version == version {
                return Ok(cached);
            }
        }
        let snapshot = Arc::new(Snapshot {
            version,
            policies: Policies::load(db).await?,
            calendars: Calendars::load(db).await?,
            calendar_codes: org_unit::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|unit| (unit.id, unit.calendar_code))
                .collect(),
            settings: setting::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|row| (row.key, row.value))
                .collect(),
            components: product_component::Entity::find()
                .order_by_asc(product_component::Column::Id)
                .all(db)
                .await?
                .into_iter()
                .fold(HashMap::new(), |mut by_product, component| {
                    by_product
                        .entry(component.product_id)
                        .or_insert_with(Vec::new)
                        .push(component);
                    by_product
                }),
        });
        let mut current = self.current.lock().expect("reference cache");
        // A slower reader must not put back an older copy than a faster one stored.
        if current.as_ref().is_none_or(|c| c.version <= version) {
            *current = Some(snapshot.clone());
        }
        Ok(snapshot)
    }

    fn cached(&self) -> Option<Arc<Snapshot>> {
        self.current.lock().expect("reference cache").clone()
    }
}

/// The counter's current value, as a query of its own or a scalar subquery in another.
const VERSION_SQL: &str = "SELECT version FROM reference_version WHERE id = 1";

/// The column under which [`with_version`] reads the counter.
const VERSION_COLUMN: &str = "reference_version";

/// `select` reading the counter too, as a column that [`version_in`] reads: the reference
/// data a request needs then costs no query of its own ([`ReferenceCache::snapshot_at`]).
pub fn with_version<S: QuerySelect>(select: S) -> S {
    select.column_as(Expr::cust(format!("({VERSION_SQL})")), VERSION_COLUMN)
}

/// The counter as read by a query that [`with_version`] extended.
pub fn version_in(row: &QueryResult) -> Result<i64, DbErr> {
    row.try_get("", VERSION_COLUMN)
}

/// A row of a query that [`with_version`] extended, with the counter.
pub struct Versioned<M> {
    pub row: M,
    pub version: i64,
}

impl<M: FromQueryResult> FromQueryResult for Versioned<M> {
    fn from_query_result(row: &QueryResult, prefix: &str) -> Result<Self, DbErr> {
        Ok(Versioned {
            row: M::from_query_result(row, prefix)?,
            version: version_in(row)?,
        })
    }
}

async fn version(db: &impl ConnectionTrait) -> Result<i64, AppError> {
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_string(backend, VERSION_SQL))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("reference_version has no row")))?;
    Ok(row.try_get("", "version")?)
}
