//! A fresh database per test: a temporary SQLite file by default, or a brand-new PostgreSQL
//! database on the server of `AFTERSALES_TEST_PG_URL` when that is set (CI always sets it for
//! the second run). The PostgreSQL database is dropped when the [`TestDb`] is dropped, even
//! after a panic; a process killed mid-test can leave one behind, named
//! `aftersales_test_<pid>_<n>_<time>` so it is easy to find.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use aftersales_store::migration::Migrator;
use aftersales_store::sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

enum Kind {
    Sqlite,
    Postgres { admin_url: String, name: String },
}

pub struct TestDb {
    kind: Kind,
    /// Holds the SQLite file (if any) and the attachment files; removed when dropped.
    dir: tempfile::TempDir,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{}_{}_{:x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos & 0xff_ffff_ffff
    )
}

/// The URL of database `name` on the server of `admin_url` (same credentials and options).
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

impl TestDb {
    /// Creates the empty database (nothing is connected yet).
    pub async fn create() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let kind = match std::env::var("AFTERSALES_TEST_PG_URL") {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                let name = format!("aftersales_test_{}", unique_suffix());
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect to AFTERSALES_TEST_PG_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                Kind::Postgres { admin_url, name }
            }
            _ => Kind::Sqlite,
        };
        TestDb { kind, dir }
    }

    pub fn url(&self) -> String {
        match &self.kind {
            Kind::Sqlite => format!("sqlite://{}", self.dir.path().join("test.db").display()),
            Kind::Postgres { admin_url, name } => database_url(admin_url, name),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, Kind::Postgres { .. })
    }

    /// Where attachment files go.
    pub fn files_dir(&self) -> PathBuf {
        self.dir.path().join("files")
    }

    /// A new connection pool on the test database, with the migrations applied.
    pub async fn connect(&self) -> DatabaseConnection {
        let db = aftersales_store::connect(&self.url())
            .await
            .expect("connect to the test database");
        Migrator::up(&db, None).await.expect("migrations");
        db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Kind::Postgres { admin_url, name } = &self.kind else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // We may be inside the test's runtime, which cannot block on another future: use a
        // thread with its own runtime and wait for it.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let admin = Database::connect(&admin_url).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: could not drop a test database: {dropped:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn the_test_database_keeps_the_servers_credentials_and_options() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            database_url("postgres://u:p@db/postgres?sslmode=disable", "t2"),
            "postgres://u:p@db/t2?sslmode=disable"
        );
        assert_eq!(database_url("postgres://u@db", "t3"), "postgres://u@db/t3");
    }
}
