//! The use cases of aftersales. Every operation takes the acting user, checks the
//! permission matrix and the actor's scope, validates through the domain layer, runs in one
//! transaction and leaves an audit record. Handlers in `web` only translate HTTP to these
//! calls.

pub mod accounting;
pub mod actor;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod calendars;
pub mod carry_in;
pub mod carry_list;
pub mod claims;
pub mod clock;
pub mod complaints;
pub mod contracts;
pub mod customers;
pub mod daily_reports;
pub mod deliveries;
pub mod demo;
pub mod durable;
pub mod ecom;
pub mod error;
pub mod fault_reports;
mod files;
pub mod idempotency;
pub mod import_export;
pub mod installations;
pub mod intake;
pub mod loaners;
pub mod monthly_statistics;
pub mod notifications;
pub mod numbering;
pub mod on_call;
pub mod order_tasks;
pub mod org;
pub mod page;
pub mod parts;
pub mod parts_reports;
pub mod performance;
pub mod products;
pub mod purchasing;
pub mod reference;
pub mod requirement_evaluations;
pub mod returns;
pub mod search;
pub mod service_orders;
pub mod settings;
pub mod sla_clocks;
pub mod sla_outcomes;
pub mod sla_policies;
pub mod sla_watch;
pub mod staff;
pub mod staff_conduct;
pub mod suggestions;
pub mod supervision;
pub mod surveys;
pub mod timers;
pub mod tools;
pub mod units;

use std::path::PathBuf;
use std::sync::Arc;

use aftersales_store::sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    TransactionTrait,
};

/// Ids per `IN (…)` list when reading the rows of many ids, well below both databases'
/// limits on bound parameters.
pub(crate) const IN_LIST_CHUNK: usize = 500;

pub use actor::Actor;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AppError;

/// Everything a use case needs: the database, the clock and where files go.
#[derive(Clone)]
pub struct App {
    /// Reads (and the few single-statement writes that need no transaction).
    pub db: DatabaseConnection,
    /// Write transactions: [`App::write_txn`]. The same pool as `db` unless
    /// [`App::with_writer`] gave SQLite its own writer.
    writer: DatabaseConnection,
    /// SQLite's group commit, when the writer commits without fsync.
    wal_sync: Option<Arc<durable::WalSync>>,
    /// Reference data read on every order view, kept between requests.
    pub reference: Arc<reference::ReferenceCache>,
    /// Writes registrations in batches (group commit).
    intake: Arc<intake::IntakeWriter>,
    pub clock: Arc<dyn Clock>,
    /// Directory for attachment files (one file per content hash).
    pub files_dir: PathBuf,
    /// How many long reports (the SLA breach report) this instance computes at once. Each
    /// holds a slice of orders with their timelines in memory; more of them than there are
    /// cores only share the CPU while multiplying that memory, so the rest wait their turn.
    pub report_slots: Arc<tokio::sync::Semaphore>,
}

impl App {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, files_dir: PathBuf) -> App {
        App {
            writer: db.clone(),
            db,
            wal_sync: None,
            reference: Arc::default(),
            intake: Arc::default(),
            clock,
            files_dir,
            report_slots: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            )),
        }
    }

    /// Opens the database at `url` as the server does: the main pool, and for SQLite a
    /// one-connection writer whose commits [`App::make_durable`] makes durable in groups.
    /// Migrations must already be applied.
    pub async fn open(url: &str, clock: Arc<dyn Clock>, files_dir: PathBuf) -> Result<App, DbErr> {
        let app = App::new(aftersales_store::connect(url).await?, clock, files_dir);
        match aftersales_store::connect_writer(url).await? {
            Some(writer) => {
                let database = aftersales_store::sqlite_file(url)
                    .ok_or_else(|| DbErr::Custom(format!("not a SQLite file URL: {url}")))?;
                Ok(app.with_writer(writer, durable::WalSync::new(&database)))
            }
            None => Ok(app),
        }
    }

    /// Writes through `writer`, whose commits are durable only after `wal_sync`.
    pub fn with_writer(self, writer: DatabaseConnection, wal_sync: durable::WalSync) -> App {
        App {
            writer,
            wal_sync: Some(Arc::new(wal_sync)),
            ..self
        }
    }

    /// Returns once every write committed so far is on disk. A request that wrote calls this
    /// before it is answered; it costs nothing where commits are durable by themselves.
    pub async fn make_durable(&self) -> std::io::Result<()> {
        match &self.wal_sync {
            Some(wal_sync) => wal_sync.sync().await,
            None => Ok(()),
        }
    }

    /// Now, as Unix milliseconds (the storage form of instants).
    pub fn now_ms(&self) -> i64 {
        self.clock.now().as_millisecond()
    }

    /// Begins a transaction that will write: [`begin_write`] on the writer.
    pub async fn write_txn(&self) -> Result<DatabaseTransaction, DbErr> {
        begin_write(&self.writer).await
    }

    /// Registers a prepared order in the next batch of the intake writer.
    pub(crate) async fn write_registration(
        &self,
        registration: intake::Registration,
    ) -> Result<aftersales_store::entity::service_order::Model, AppError> {
        self.intake.write(&self.writer, registration).await
    }

    /// Today's date in the default time zone (Asia/Shanghai); branch zones refine this where
    /// a rule depends on the branch's day.
    pub fn today(&self) -> jiff::civil::Date {
        self.clock.now().to_zoned(clock::default_zone()).date()
    }
}

/// Begins a transaction that will write. dialect: SQLite starts transactions deferred, and a
/// deferred transaction that reads before it writes fails with SQLITE_BUSY when another writer
/// committed in between (the busy timeout cannot help a stale snapshot). A no-op write as the
/// first statement takes the write lock at once, so writers outside the one-connection writer
/// pool (another process, a single-statement write on the main pool) queue on the busy
/// timeout instead. PostgreSQL needs nothing: row locks order its writers.
async fn begin_write(writer: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = writer.begin().await?;
    if txn.get_database_backend() == DatabaseBackend::Sqlite {
        txn.execute_unprepared("UPDATE number_sequences SET last_value = last_value WHERE id = -1")
            .await?;
    }
    Ok(txn)
}

/// Formats stored Unix milliseconds as an RFC 3339 UTC instant for the API.
pub fn format_ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// An instant as people read it in messages (`2026-11-22 14:30`, in the default zone).
pub fn format_local(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(clock::default_zone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}
