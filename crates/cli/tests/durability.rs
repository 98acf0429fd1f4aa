//! No acknowledged write is lost, and none is made twice, when the server dies: the real
//! `aftersales serve` process is killed with SIGKILL in the middle of a registration
//! workload (20 times), and aborted between a commit and its response (the test hook of
//! `crates/cli/src/fault.rs`). SQLite by default; PostgreSQL when `AFTERSALES_TEST_PG_URL` is
//! set (each test gets its own database from `aftersales-testkit`).

#[path = "../src/bench/http.rs"]
mod http;

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aftersales_app::{Actor, App, SystemClock};
use aftersales_store::entity::{unit, user};
use aftersales_store::sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    Statement,
};
use aftersales_testkit::TestDb;
use serde_json::json;

use http::Client;

/// A running `aftersales serve` on a free loopback port.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    async fn start(db: &TestDb, data_dir: &std::path::Path, fault: Option<&str>) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut command = Command::new(env!("CARGO_BIN_EXE_aftersales"));
        command
            .arg("--database-url")
            .arg(db.url())
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--bind", &addr.to_string()])
            .env("AFTERSALES_LOG", "error")
            .env_remove("AFTERSALES_CONFIG")
            .env_remove("AFTERSALES_FAULT_AFTER_COMMIT")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(fault) = fault {
            command.env("AFTERSALES_FAULT_AFTER_COMMIT", fault);
        }
        let mut child = command.spawn().expect("start aftersales serve");
        // The only wait in this file: polling until the new process answers /readyz.
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut probe = Client::new(addr, "");
        loop {
            if let Ok(response) = probe.get("/readyz").await {
                if response.status == 200 {
                    break;
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the server exited before it was ready: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the server was not ready in 60 s"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Server { child, addr }
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo company, an API token of its service agent and one of its units to register
/// calls for.
struct Setup {
    db: DatabaseConnection,
    token: String,
    customer_id: i64,
    unit_id: i64,
}

async fn setup(test_db: &TestDb, data_dir: &std::path::Path) -> Setup {
    let db = test_db.connect().await;
    let app = App::new(db.clone(), Arc::new(SystemClock), data_dir.join("files"));
    aftersales_app::demo::load(&app).await.expect("demo loads");
    let user_id = |name: &'static str| {
        let db = db.clone();
        async move {
            user::Entity::find()
                .filter(user::Column::Username.eq(name))
                .one(&db)
                .await
                .expect("query")
                .expect("demo user")
                .id
        }
    };
    let admin = Actor::load(&db, user_id("admin").await)
        .await
        .expect("load")
        .expect("active");
    let (_, token) =
        aftersales_app::auth::create_api_token(&app, &admin, "durability", user_id("kefu").await)
            .await
            .expect("token");
    let unit = unit::Entity::find()
        .order_by_asc(unit::Column::Id)
        .one(&db)
        .await
        .expect("query")
        .expect("a demo unit");
    Setup {
        db,
        token,
        customer_id: unit.customer_id,
        unit_id: unit.id,
    }
}

fn registration(setup: &Setup, marker: &str) -> serde_json::Value {
    json!({
        "channel": "phone",
        "customer_id": setup.customer_id,
        "unit_id": setup.unit_id,
        "fault_description": marker,
        "fault_class": "hardware",
        "urgency": "normal",
    })
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .expect("one row")
        .try_get_by_index::<i64>(0)
        .expect("a count")
}

/// How many orders carry each durability marker.
async fn markers(db: &DatabaseConnection) -> BTreeMap<String, i64> {
    let sql = "SELECT fault_description, COUNT(*) FROM service_orders \
               WHERE fault_description LIKE 'durability-%' GROUP BY fault_description";
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("markers")
        .into_iter()
        .map(|row| {
            (
                row.try_get_by_index::<String>(0).expect("marker"),
                row.try_get_by_index::<i64>(1).expect("count"),
            )
        })
        .collect()
}

/// The database is sound: SQLite's own integrity and foreign-key checks, and on both
/// databases every order has its number once, its timeline event and its audit record, and
/// every idempotency key points at an order that exists.
async fn assert_consistent(test_db: &TestDb, db: &DatabaseConnection) {
    if !test_db.is_postgres() {
        // SQLite's checks run on a new connection, as a restarted server sees the file. The
        // test's own connections were opened before the servers ran: an FTS5 table's
        // structure cached in such a connection misses the index written by the server
        // processes after another one's crash, and `integrity_check` there calls the
        // (sound) search index "malformed".
        let checker = test_db.connect().await;
        let backend = checker.get_database_backend();
        let verdict: String = checker
            .query_one(Statement::from_string(backend, "PRAGMA integrity_check"))
            .await
            .expect("integrity_check")
            .expect("a verdict")
            .try_get_by_index(0)
            .expect("text");
        assert_eq!(verdict, "ok");
        let dangling = checker
            .query_all(Statement::from_string(backend, "PRAGMA foreign_key_check"))
            .await
            .expect("foreign_key_check");
        assert!(
            dangling.is_empty(),
            "{} dangling references",
            dangling.len()
        );
        checker.close().await.expect("close");
    }
    for (what, sql) in [
        (
            "duplicate order numbers",
            "SELECT COUNT(*) - COUNT(DISTINCT number) FROM service_orders",
        ),
        (
            "orders without their register event",
            "SELECT COUNT(*) FROM service_orders o WHERE NOT EXISTS (SELECT 1 FROM \
             service_order_events e WHERE e.order_id = o.id AND e.event = 'register')",
        ),
        (
            "orders without their audit record",
            "SELECT COUNT(*) FROM service_orders o WHERE NOT EXISTS (SELECT 1 FROM \
             audit_records a WHERE a.entity = 'service_order' AND a.entity_id = o.id \
             AND a.action = 'register')",
        ),
        (
            "idempotency keys of missing orders",
            "SELECT COUNT(*) FROM idempotency_keys k WHERE k.resource = 'service_order' AND \
             NOT EXISTS (SELECT 1 FROM service_orders o WHERE o.id = k.resource_id)",
        ),
    ] {
        assert_eq!(count(db, sql).await, 0, "{what}");
    }
}

/// A pseudo-random number from the clock (no seedable generator is needed: any moment is
/// as good as another, and the value is printed when a run fails).
fn random_below(bound: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos() as u64;
    let mut x = nanos ^ 0x9e37_79b9_7f4a_7c15;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x % bound
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_keeps_every_acknowledged_registration_exactly_once() {
    const RUNS: usize = 20;
    const CLIENTS: usize = 4;
    let test_db = TestDb::create().await;
    let data_dir = tempfile::tempdir().expect("data dir");
    let setup = Arc::new(setup(&test_db, data_dir.path()).await);
    let mut server = Server::start(&test_db, data_dir.path(), None).await;
    let mut acknowledged = HashSet::new();
    for run in 0..RUNS {
        let acked = Arc::new(Mutex::new(Vec::new()));
        let first_ack = Arc::new(tokio::sync::Notify::new());
        let mut clients = Vec::new();
        for client in 0..CLIENTS {
            let (setup, acked, addr) = (setup.clone(), acked.clone(), server.addr);
            let first_ack = first_ack.clone();
            clients.push(tokio::spawn(async move {
                let mut http = Client::new(addr, &setup.token);
                for i in 0.. {
                    let marker = format!("durability-{run}-{client}-{i}");
                    let sent = http
                        .post(
                            "/api/v1/service-orders",
                            &registration(&setup, &marker),
                            &[("Idempotency-Key", &marker)],
                        )
                        .await;
                    match sent {
                        Ok(response) if response.status == 201 => {
                            acked.lock().expect("lock").push(marker);
                            first_ack.notify_one();
                        }
                        Ok(response) => panic!(
                            "registration answered {}: {}",
                            response.status,
                            response.json()
                        ),
                        // The server is gone: what it acknowledged must have survived.
                        Err(_) => break,
                    }
                }
            }));
        }
        // The kill comes at a random moment once registrations are being acknowledged (a
        // fixed delay from start would kill a slow machine's server before its first answer).
        tokio::time::timeout(Duration::from_secs(60), first_ack.notified())
            .await
            .unwrap_or_else(|_| panic!("run {run}: no registration acknowledged within 60 s"));
        let delay = random_below(500);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.kill();
        for client in clients {
            client.await.expect("client task");
        }
        let acked = std::mem::take(&mut *acked.lock().expect("lock"));
        assert!(!acked.is_empty(), "run {run}: nothing was acknowledged");
        acknowledged.extend(acked);
        server = Server::start(&test_db, data_dir.path(), None).await;
        let stored = markers(&setup.db).await;
        for marker in &acknowledged {
            assert_eq!(
                stored.get(marker),
                Some(&1),
                "run {run} (killed after {delay} ms): acknowledged {marker} is not stored once"
            );
        }
        if let Some((marker, n)) = stored.iter().find(|(_, n)| **n != 1) {
            panic!("run {run}: {marker} is stored {n} times");
        }
        assert_consistent(&test_db, &setup.db).await;
    }
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_a_response_lost_between_commit_and_answer_creates_nothing_twice() {
    let test_db = TestDb::create().await;
    let data_dir = tempfile::tempdir().expect("data dir");
    let setup = setup(&test_db, data_dir.path()).await;
    // The test hook aborts the process after the third registration has committed.
    let mut server = Server::start(&test_db, data_dir.path(), Some("register:3")).await;
    let mut http = Client::new(server.addr, &setup.token);
    for n in 1..=2 {
        let marker = format!("durability-before-{n}");
        let response = http
            .post(
                "/api/v1/service-orders",
                &registration(&setup, &marker),
                &[("Idempotency-Key", &marker)],
            )
            .await
            .expect("an answer");
        assert_eq!(response.status, 201);
    }
    let lost = "durability-lost";
    let body = registration(&setup, lost);
    let unanswered = http
        .post(
            "/api/v1/service-orders",
            &body,
            &[("Idempotency-Key", lost)],
        )
        .await;
    assert!(unanswered.is_err(), "the third registration was answered");
    let exit = server.child.wait().expect("reap");
    assert!(!exit.success(), "the hook aborts the process: {exit}");
    // Committed although never answered.
    assert_eq!(markers(&setup.db).await.get(lost), Some(&1));
    let stored_id = count(
        &setup.db,
        "SELECT id FROM service_orders WHERE fault_description = 'durability-lost'",
    )
    .await;
    drop(server);

    let server = Server::start(&test_db, data_dir.path(), None).await;
    let mut http = Client::new(server.addr, &setup.token);
    for _ in 0..2 {
        let retry = http
            .post(
                "/api/v1/service-orders",
                &body,
                &[("Idempotency-Key", lost)],
            )
            .await
            .expect("an answer");
        assert_eq!(retry.status, 201, "{}", retry.json());
        assert_eq!(
            retry.json()["id"],
            stored_id,
            "the retry replays the stored order"
        );
    }
    assert_eq!(markers(&setup.db).await.get(lost), Some(&1));
    assert_eq!(
        count(
            &setup.db,
            "SELECT COUNT(*) FROM service_orders WHERE fault_description LIKE 'durability-%'"
        )
        .await,
        3
    );
    assert_consistent(&test_db, &setup.db).await;
}

/// SIGTERM (what `kill`, systemd and container runtimes send) stops the server the way Ctrl-C
/// does: it finishes what it is doing and exits with success, instead of dying of the signal.
#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let test_db = TestDb::create().await;
    let data_dir = tempfile::tempdir().expect("data dir");
    let mut server = Server::start(&test_db, data_dir.path(), None).await;
    let sent = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
    let exit = server.child.wait().expect("wait for the server");
    assert!(exit.success(), "the server ended with {exit}");
}
