//! Opening a database from its URL. Only the binary decides the URL; everything else receives
//! a ready `DatabaseConnection`.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// Connects and applies per-connection settings. dialect: SQLite gets WAL, foreign keys,
/// `synchronous=FULL` (an acknowledged write survives power loss) and a busy timeout so
/// concurrent writers queue instead of failing; they are connection options, so every pooled
/// connection has them.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let backend = Backend::of_url(url)
        .ok_or_else(|| DbErr::Custom(format!("unsupported database URL: {url}")))?;
    open(
        url,
        match backend {
            Backend::Sqlite => sqlite_readers(),
            Backend::Postgres => 16,
        },
        SqliteSynchronous::Full,
    )
    .await
}

/// How many connections a SQLite pool reads with: twice the cores, from 4 to 16. A read
/// finds its pages in memory and keeps its core busy, so more readers than that only wait
/// their turn while each keeps a page cache and prepared statements of its own: on 2 cores,
/// 4 readers served the benchmark as fast as 8 (within its run-to-run noise) with a peak
/// RSS 27-33 MB lower; 2 readers registered a quarter slower.
fn sqlite_readers() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    u32::try_from(cores * 2).unwrap_or(u32::MAX).clamp(4, 16)
}

/// The pool for write transactions. dialect: SQLite lets one connection write at a time, so
/// its writers get a pool of one connection: they queue in order in the process instead of
/// sleeping in SQLite's busy handler (whose back-off, up to 100 ms a try, made the p99 of
/// concurrent writes). Its commits do not fsync (`synchronous=NORMAL`): the caller makes a
/// group of commits durable with one fsync of the write-ahead log before acknowledging any
/// of them (see `aftersales_app::durable`). PostgreSQL writes concurrently and fsyncs its own
/// commits (grouping concurrent ones itself): `None`, write on the main pool.
pub async fn connect_writer(url: &str) -> Result<Option<DatabaseConnection>, DbErr> {
    match Backend::of_url(url) {
        Some(Backend::Sqlite) => Ok(Some(open(url, 1, SqliteSynchronous::Normal).await?)),
        _ => Ok(None),
    }
}

/// The database file of a SQLite URL.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let options = SqliteConnectOptions::from_str(url).ok()?;
    Some(options.get_filename().to_path_buf())
}

async fn open(
    url: &str,
    max_connections: u32,
    synchronous: SqliteSynchronous,
) -> Result<DatabaseConnection, DbErr> {
    let sqlite = Backend::of_url(url) == Some(Backend::Sqlite);
    let url = if sqlite && !url.contains("mode=") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}mode=rwc")
    } else {
        url.to_string()
    };
    let mut options = ConnectOptions::new(url);
    options
        // dialect: sqlx pings a pooled connection before lending it out, and again when it
        // comes back. A SQLite connection lives in this process and cannot break while idle,
        // and each ping is a round trip to the connection's worker thread: one of the three
        // hops every query made. A PostgreSQL connection can die with its server or the
        // network while idle, so it keeps the check.
        .test_before_acquire(!sqlite)
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false)
        // dialect: PostgreSQL runs a request's statements without parallel workers. Starting
        // them costs milliseconds, far more than the indexed reads they split: the order
        // search's plan (a Parallel Append over four trigram index scans) took 13-20 ms with
        // two workers and 1.7 ms without, at full scale on two cores. Concurrent requests
        // keep the cores busy instead.
        .map_sqlx_postgres_opts(|postgres| {
            postgres.options([("max_parallel_workers_per_gather", "0")])
        })
        .map_sqlx_sqlite_opts(move |sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    Database::connect(options).await
}
