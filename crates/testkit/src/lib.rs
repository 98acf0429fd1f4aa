//! A fresh database per test: a temporary SQLite file by default, or a brand-new PostgreSQL
//! database on the server of `AFTERSALES_TEST_PG_URL` when that is set (CI always sets it for
//! the second run). The PostgreSQL database is dropped when the [`TestDb`] is dropped, even
//! after a panic; a process killed mid-test can leave one behind, named
//! `aftersales_test_<pid>_<n>_<time>` so it is easy to find.
//!
//! Every test database starts as a copy of a migrated template: migrating from scratch took
//! most of a second per test (a commit per migration, each fsync'd); copying a SQLite file
//! takes milliseconds, creating a PostgreSQL database from a template about half as long
//! as migrating it. There is one template per build of a test binary, shared by its processes:
//! a temporary file for SQLite, a database `aftersales_tpl_<binary>_<build>` for PostgreSQL.
//! Building one replaces the templates of the binary's earlier builds.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aftersales_store::migration::Migrator;
use aftersales_store::sea_orm::{
    ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr, Statement,
};
use sea_orm_migration::MigratorTrait;
use tokio::sync::OnceCell;

enum Kind {
    Sqlite,
    Postgres { admin_url: String, name: String },
}

pub struct TestDb {
    kind: Kind,
    /// Holds the SQLite file (if any) and the attachment files; removed when dropped.
    dir: tempfile::TempDir,
}

const SQLITE_FILE: &str = "test.db";

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

/// The names of this test binary's templates (the prefix every build of it shares, and this
/// build's full name): hashes of the binary's directory and name without cargo's `-<hash>`
/// suffix (which changes with the dependencies and the profile), and of its path and
/// modification time. A rebuild, which any change to the migrations causes, gets a new
/// template.
fn template_names() -> (String, String) {
    fn hash(value: impl Hash) -> u32 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish() as u32
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let name = exe
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .rsplit_once('-')
        .map_or(name.as_str(), |(stem, _)| stem);
    let modified = std::fs::metadata(&exe)
        .and_then(|m| m.modified())
        .expect("the test binary's modification time");
    let prefix = format!("aftersales_tpl_{:08x}_", hash((exe.parent(), stem)));
    let name = format!("{prefix}{:08x}", hash((&exe, modified)));
    (prefix, name)
}

/// Applies the migrations to the database of `url` and closes it.
async fn migrate(url: &str) {
    let db = aftersales_store::connect(url)
        .await
        .expect("connect to the template");
    Migrator::up(&db, None).await.expect("migrations");
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // The copy takes the database file alone: everything must be in it.
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .expect("checkpoint the template");
    }
    db.close().await.expect("close the template");
}

/// The migrated SQLite file new test databases are copied from. Built under a name of its
/// own and renamed into place, so a process never copies a half-built template (when two
/// build it at once, the last rename wins and both are whole).
async fn sqlite_template() -> &'static Path {
    static TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let (prefix, name) = template_names();
            let dir = std::env::temp_dir();
            let path = dir.join(format!("{name}.db"));
            if !path.exists() {
                let building = dir.join(format!("aftersales_tpl_building_{}", unique_suffix()));
                migrate(&format!("sqlite://{}", building.display())).await;
                std::fs::rename(&building, &path).expect("move the template into place");
                for leftover in ["-wal", "-shm"] {
                    let mut name = building.clone().into_os_string();
                    name.push(leftover);
                    std::fs::remove_file(name).ok();
                }
                for earlier in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let name = earlier.file_name().to_string_lossy().into_owned();
                    if name.starts_with(&prefix) && earlier.path() != path {
                        std::fs::remove_file(earlier.path()).ok();
                    }
                }
            }
            path
        })
        .await
}

/// Runs `sql` on the server, again while it fails because some connection to a database it
/// names has not gone yet: a closed pool's server processes exit shortly after it.
async fn execute_when_unused(admin: &DatabaseConnection, sql: &str) -> Result<(), DbErr> {
    let mut tries = 0;
    loop {
        match admin.execute_unprepared(sql).await {
            Err(err) if tries < 100 && err.to_string().contains("accessed by other users") => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            done => return done.map(drop),
        }
    }
}

/// The name of the migrated PostgreSQL database new test databases are created from. Built
/// under a name of its own and renamed into place; when another process got there first,
/// the rename fails and this one's copy is dropped.
async fn postgres_template(admin: &DatabaseConnection, admin_url: &str) -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let (prefix, name) = template_names();
            let databases = |condition: &str, value: &str| {
                Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    format!("SELECT datname FROM pg_database WHERE {condition}"),
                    [value.into()],
                )
            };
            let exists = admin
                .query_one(databases("datname = $1", &name))
                .await
                .expect("look for the template")
                .is_some();
            if !exists {
                let building = format!("aftersales_tpl_building_{}", unique_suffix());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{building}\""))
                    .await
                    .expect("create the template");
                migrate(&database_url(admin_url, &building)).await;
                let renamed = execute_when_unused(
                    admin,
                    &format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""),
                )
                .await;
                if renamed.is_err() {
                    execute_when_unused(admin, &format!("DROP DATABASE \"{building}\""))
                        .await
                        .expect("drop a template built twice");
                }
                let earlier = admin
                    .query_all(databases("datname LIKE $1", &format!("{prefix}%")))
                    .await
                    .expect("list the templates");
                for row in earlier {
                    let earlier: String = row.try_get("", "datname").expect("datname");
                    if earlier != name {
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{earlier}\" WITH (FORCE)"
                            ))
                            .await
                            .expect("drop an earlier template");
                    }
                }
            }
            name
        })
        .await
}

impl TestDb {
    /// Creates the database with the migrations applied (nothing is connected yet).
    pub async fn create() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let kind = match std::env::var("AFTERSALES_TEST_PG_URL") {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                let name = format!("aftersales_test_{}", unique_suffix());
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect to AFTERSALES_TEST_PG_URL");
                let template = postgres_template(&admin, &admin_url).await;
                execute_when_unused(
                    &admin,
                    &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
                )
                .await
                .expect("create test database");
                admin.close().await.ok();
                Kind::Postgres { admin_url, name }
            }
            _ => {
                std::fs::copy(sqlite_template().await, dir.path().join(SQLITE_FILE))
                    .expect("copy the template");
                Kind::Sqlite
            }
        };
        TestDb { kind, dir }
    }

    pub fn url(&self) -> String {
        match &self.kind {
            Kind::Sqlite => format!("sqlite://{}", self.dir.path().join(SQLITE_FILE).display()),
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

    /// A new connection pool on the test database.
    pub async fn connect(&self) -> DatabaseConnection {
        aftersales_store::connect(&self.url())
            .await
            .expect("connect to the test database")
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
