//! Opening a database from its URL. Only the binary decides the URL; everything else receives
//! a ready `DatabaseConnection`.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
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
    let url = match backend {
        Backend::Sqlite if !url.contains("mode=") => {
            let separator = if url.contains('?') { '&' } else { '?' };
            format!("{url}{separator}mode=rwc")
        }
        _ => url.to_string(),
    };
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    Database::connect(options).await
}
