//! Capacity and durability through the API (issue 8): a thousand concurrent dispatches of one
//! order, and a database that cannot write (disk full on SQLite, read-only on PostgreSQL).
//! The process-level faults (SIGKILL, a response lost after the commit) are in
//! `crates/cli/tests/durability.rs`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use aftersales_app::staff::UserInput;
use aftersales_domain::role::Role;
use aftersales_store::sea_orm::{
    sqlx, ConnectionTrait, DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector,
    Statement,
};
use aftersales_testkit::TestDb;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{customer_body, Auth, Payload, TestApp, PASSWORD};

/// A BJ customer with one unit; returns (customer, unit).
async fn customer_with_unit(app: &TestApp, phone: &str, serial_no: &str) -> (i64, i64) {
    let customer = app
        .create_customer(customer_body("赵六", phone, app.seed.bj, app.seed.bj_urban))
        .await;
    let customer_id = customer["id"].as_i64().unwrap();
    let unit = app.create_unit(customer_id, serial_no, "2026-06-01").await;
    (customer_id, unit["id"].as_i64().unwrap())
}

fn order_body(customer_id: i64, unit_id: i64, marker: &str) -> Value {
    json!({
        "channel": "phone",
        "customer_id": customer_id,
        "unit_id": unit_id,
        "fault_description": marker,
        "fault_class": "hardware",
        "urgency": "normal",
    })
}

/// A BJ technician certified for air conditioners.
async fn certified_technician(app: &TestApp, n: usize) -> i64 {
    let id = aftersales_app::staff::create_by_operator(
        &app.app,
        &UserInput {
            username: format!("tech_{n}"),
            display_name: format!("技术员 {n}"),
            password: Some(PASSWORD.into()),
            org_unit_id: Some(app.seed.bj),
            customer_id: None,
            phone: None,
            email: None,
            badge_no: None,
            roles: vec![Role::Technician.as_str().to_string()],
            skills: Vec::new(),
            active: true,
            version: None,
        },
    )
    .await
    .expect("technician");
    app.post_json(
        &format!("/staff/{id}/qualifications"),
        Role::Admin,
        json!({"kind": "certificate", "product_category": "空调", "title": "空调维修上岗证", "issued_on": "2025-01-01", "expires_on": "2027-12-31"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_dispatches_of_one_order_have_exactly_one_winner() {
    const ATTEMPTS: usize = 1000;
    let app = TestApp::spawn().await;
    let mut technicians = Vec::new();
    for n in 0..10 {
        technicians.push(certified_technician(&app, n).await);
    }
    let (customer, unit) = customer_with_unit(&app, "13700000101", "SN-CAP-1").await;
    let order = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            order_body(customer, unit, "并发派工"),
        )
        .await;
    order.assert_status(StatusCode::CREATED);
    let (order_id, version) = (order.id(), order.body["version"].clone());
    let app = Arc::new(app);
    let attempts: Vec<_> = (0..ATTEMPTS)
        .map(|i| {
            let (app, version) = (app.clone(), version.clone());
            let technician = technicians[i % technicians.len()];
            tokio::spawn(async move {
                let response = app
                    .post_json(
                        &format!("/service-orders/{order_id}/dispatch"),
                        Role::ServiceSupervisor,
                        json!({"version": version, "technician_id": technician}),
                    )
                    .await;
                (technician, response)
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut refusals: HashMap<String, usize> = HashMap::new();
    for attempt in attempts {
        let (technician, response) = attempt.await.expect("task");
        match response.status {
            StatusCode::OK => winners.push(technician),
            StatusCode::CONFLICT => {
                *refusals
                    .entry(
                        response.body["code"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    )
                    .or_default() += 1
            }
            other => panic!("a dispatch answered {other}: {}", response.body),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    assert_eq!(
        refusals.values().sum::<usize>(),
        ATTEMPTS - 1,
        "{refusals:?}"
    );
    let now = app
        .get(&format!("/service-orders/{order_id}"), Role::Admin)
        .await;
    assert_eq!(now.body["technician_id"], winners[0]);
    assert_eq!(now.body["version"], 2);
    let dispatches = now.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "dispatch")
        .count();
    assert_eq!(dispatches, 1, "{}", now.body);
}

/// Registrations arriving together are written together (`app::intake`): each still gets its
/// own number, timeline event, audit record and key, and a registration that cannot be
/// written (a second request with a key already in flight) fails alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_registrations_are_each_written_once_and_a_failing_one_fails_alone() {
    const CALLS: usize = 200;
    let app = TestApp::spawn().await;
    let (customer, unit) = customer_with_unit(&app, "13700000102", "SN-CAP-2").await;
    let app = Arc::new(app);
    let calls: Vec<_> = (0..CALLS)
        .map(|i| {
            let app = app.clone();
            // Calls 0 and 1, 10 and 11, … share a key: 20 pairs, 180 keys in all.
            let key = if i % 10 == 1 {
                format!("intake-{}", i - 1)
            } else {
                format!("intake-{i}")
            };
            tokio::spawn(async move {
                let response = app
                    .send(
                        Method::POST,
                        "/service-orders",
                        Auth::As(Role::ServiceAgent),
                        Payload::Json(order_body(customer, unit, &key)),
                        &[("Idempotency-Key", key.as_str())],
                    )
                    .await;
                (key, response)
            })
        })
        .collect();
    let mut created: HashMap<String, (i64, String)> = HashMap::new();
    let mut in_flight = 0;
    for call in calls {
        let (key, response) = call.await.expect("task");
        if response.status == StatusCode::CONFLICT {
            response.assert_error(
                StatusCode::CONFLICT,
                "request_in_progress",
                Some("Idempotency-Key"),
            );
            in_flight += 1;
            continue;
        }
        assert!(
            response.status.is_success(),
            "{}: {}",
            response.status,
            response.body
        );
        assert_eq!(response.body["fault_description"], key.as_str());
        let order = (
            response.id(),
            response.body["number"].as_str().unwrap().to_string(),
        );
        // A replay answers with the order its key created, never another.
        assert_eq!(created.entry(key).or_insert_with(|| order.clone()), &order);
    }
    assert_eq!(created.len(), 180, "every key created its order");
    assert!(in_flight <= 20, "{in_flight} refusals");
    let mut numbers: Vec<&String> = created.values().map(|(_, number)| number).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 180, "numbers are unique");
    let db = &app.app.db;
    for sql in [
        "SELECT COUNT(*) FROM service_orders WHERE fault_description LIKE 'intake-%'",
        "SELECT COUNT(*) FROM idempotency_keys WHERE idempotency_key LIKE 'intake-%'",
        "SELECT COUNT(*) FROM service_order_events e JOIN service_orders o ON o.id = e.order_id \
         WHERE o.fault_description LIKE 'intake-%' AND e.event = 'register'",
        "SELECT COUNT(*) FROM audit_records a JOIN service_orders o ON o.id = a.entity_id \
         WHERE a.entity = 'service_order' AND a.action = 'register' \
         AND o.fault_description LIKE 'intake-%'",
    ] {
        assert_eq!(count(db, sql.to_string()).await, 180, "{sql}");
    }
}

/// The statement that makes a pooled connection unable (or able again) to write. dialect:
/// SQLite stops growing the file at its current size, which it reports as "database or disk
/// is full" exactly as a full disk; PostgreSQL makes new transactions read-only.
fn write_fault_statement(postgres: bool, on: bool) -> &'static str {
    match (postgres, on) {
        (false, true) => "PRAGMA max_page_count = 1",
        (false, false) => "PRAGMA max_page_count = 4294967294",
        (true, true) => "SET default_transaction_read_only = on",
        (true, false) => "SET default_transaction_read_only = off",
    }
}

/// A pool like the server's whose every connection, when handed out, follows `full`.
async fn faulty_pool(test_db: &TestDb, full: Arc<AtomicBool>) -> DatabaseConnection {
    let url = test_db.url();
    if test_db.is_postgres() {
        let (on_connect, on_acquire) = (full.clone(), full);
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(8)
            .after_connect(move |conn, _| {
                let sql = write_fault_statement(true, on_connect.load(Ordering::SeqCst));
                Box::pin(async move { sqlx::query(sql).execute(conn).await.map(|_| ()) })
            })
            .before_acquire(move |conn, _| {
                let sql = write_fault_statement(true, on_acquire.load(Ordering::SeqCst));
                Box::pin(async move { sqlx::query(sql).execute(conn).await.map(|_| true) })
            })
            .connect(&url)
            .await
            .expect("pool");
        SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
    } else {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
        let options: SqliteConnectOptions = url.parse().expect("sqlite url");
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let (on_connect, on_acquire) = (full.clone(), full);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(8)
            .after_connect(move |conn, _| {
                let sql = write_fault_statement(false, on_connect.load(Ordering::SeqCst));
                Box::pin(async move { sqlx::query(sql).execute(conn).await.map(|_| ()) })
            })
            .before_acquire(move |conn, _| {
                let sql = write_fault_statement(false, on_acquire.load(Ordering::SeqCst));
                Box::pin(async move { sqlx::query(sql).execute(conn).await.map(|_| true) })
            })
            .connect_with(options)
            .await
            .expect("pool");
        SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
    }
}

async fn count(db: &DatabaseConnection, sql: String) -> i64 {
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("row")
        .try_get_by_index::<i64>(0)
        .expect("number")
}

/// How many rows of each table the registration with `marker` left behind.
async fn traces(db: &DatabaseConnection, marker: &str) -> [i64; 3] {
    [
        count(
            db,
            format!("SELECT COUNT(*) FROM service_orders WHERE fault_description = '{marker}'"),
        )
        .await,
        count(
            db,
            format!("SELECT COUNT(*) FROM idempotency_keys WHERE idempotency_key = '{marker}'"),
        )
        .await,
        count(
            db,
            format!(
                "SELECT COUNT(*) FROM audit_records WHERE entity = 'service_order' \
                 AND after_json LIKE '%{marker}%'"
            ),
        )
        .await,
    ]
}

#[tokio::test]
async fn a_database_that_cannot_write_answers_503_keeps_nothing_partial_and_recovers() {
    let test_db = TestDb::create().await;
    let full = Arc::new(AtomicBool::new(false));
    let db = faulty_pool(&test_db, full.clone()).await;
    let app = TestApp::spawn_on(test_db, db.clone()).await;
    let (customer, unit) = customer_with_unit(&app, "13700000102", "SN-CAP-2").await;
    let register = |marker: String| {
        let app = &app;
        async move {
            let response = app
                .send(
                    Method::POST,
                    "/service-orders",
                    Auth::As(Role::ServiceAgent),
                    Payload::Json(order_body(customer, unit, &marker)),
                    &[("Idempotency-Key", &marker)],
                )
                .await;
            (marker, response)
        }
    };
    let (_, before) = register("disk-before".into()).await;
    before.assert_status(StatusCode::CREATED);

    // The disk fills up: registrations are refused with 503 once a write needs space.
    full.store(true, Ordering::SeqCst);
    let (mut stored, mut refused) = (Vec::new(), Vec::new());
    for i in 0..200 {
        let (marker, response) = register(format!("disk-full-{i}")).await;
        match response.status {
            StatusCode::CREATED => stored.push(marker),
            StatusCode::SERVICE_UNAVAILABLE => {
                response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", None);
                refused.push(marker);
                if refused.len() == 5 {
                    break;
                }
            }
            other => panic!("a registration answered {other}: {}", response.body),
        }
    }
    assert_eq!(refused.len(), 5, "the full database kept accepting writes");
    for marker in &refused {
        assert_eq!(
            traces(&db, marker).await,
            [0, 0, 0],
            "{marker} left a trace"
        );
    }
    // Reading still works.
    app.get("/service-orders?per_page=5", Role::ServiceAgent)
        .await
        .assert_status(StatusCode::OK);

    // Space returns: the refused registrations, retried with their keys, are stored once.
    full.store(false, Ordering::SeqCst);
    for marker in refused.iter().chain(&stored) {
        let (_, retry) = register(marker.clone()).await;
        retry.assert_status(StatusCode::CREATED);
        assert_eq!(traces(&db, marker).await, [1, 1, 1], "{marker}");
    }
}

/// The server's PostgreSQL connections plan without parallel workers: starting them cost more
/// than the indexed reads a request makes (ARCHITECTURE.md, the order search). SQLite has no
/// parallel plans.
#[tokio::test]
async fn postgres_connections_run_without_parallel_workers() {
    let app = TestApp::spawn().await;
    let db = &app.app.db;
    if db.get_database_backend() != aftersales_store::sea_orm::DatabaseBackend::Postgres {
        return;
    }
    let setting = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SHOW max_parallel_workers_per_gather",
        ))
        .await
        .expect("show")
        .expect("row")
        .try_get_by_index::<String>(0)
        .expect("text");
    assert_eq!(setting, "0");
}
