//! The history the benchmark runs against, written straight through the store layer: the
//! demo company (branches, products, staff) through the use cases, then technicians,
//! customers, units and service orders in every state as multi-row INSERTs in large
//! transactions, which is what a migration from an older system would do. The second branch
//! works on a calendar of its own, as a company that edits its calendars would, so half the
//! orders' clocks run on a stored calendar.

use aftersales_app::calendars::{self, CalendarInput};
use aftersales_app::{Actor, App};
use aftersales_store::sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};
use anyhow::Context;

/// Rows per INSERT statement and statements per transaction.
const ROWS_PER_STATEMENT: usize = 500;
const STATEMENTS_PER_TXN: usize = 200;

#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub technicians: usize,
    pub customers: usize,
    pub units: usize,
    pub orders: usize,
}

/// What the workload needs to know about the preloaded data.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub branches: [i64; 2],
    /// Technicians per branch.
    pub technicians: [Vec<i64>; 2],
    /// The preloaded rows have consecutive ids from these.
    pub first_unit: i64,
    pub units: usize,
    pub first_customer: i64,
    pub customers: usize,
    pub first_order: i64,
    pub orders: usize,
}

/// Statuses of the last week's orders.
const OPEN: &[&str] = &[
    "registered",
    "dispatched",
    "contacted",
    "on_site",
    "completed_on_site",
    "carried_in",
    "in_repair",
    "inspected",
    "returned",
];
const FAULTS: &[&str] = &["不制冷", "漏水", "噪音大", "不开机", "显示故障", "遥控失灵"];
const CLASSES: &[&str] = &["hardware", "software", "operator_error", "other"];

/// A small deterministic generator: the same sizes give the same data.
struct Rng(u64);
impl Rng {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

async fn scalar(db: &impl ConnectionTrait, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .with_context(|| format!("no row for {sql}"))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

async fn ids(db: &impl ConnectionTrait, sql: &str) -> anyhow::Result<Vec<i64>> {
    Ok(db
        .query_all(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .into_iter()
        .map(|row| row.try_get_by_index::<i64>(0))
        .collect::<Result<_, _>>()?)
}

/// Inserts `count` rows made by `row(i)` into `table (columns)`, in big transactions.
async fn bulk(
    app: &App,
    table: &str,
    columns: &str,
    count: usize,
    mut row: impl FnMut(usize) -> String,
) -> anyhow::Result<()> {
    let mut done = 0;
    while done < count {
        let txn = app.db.begin().await?;
        for _ in 0..STATEMENTS_PER_TXN {
            if done == count {
                break;
            }
            let end = (done + ROWS_PER_STATEMENT).min(count);
            let values: Vec<String> = (done..end).map(&mut row).collect();
            txn.execute_unprepared(&format!(
                "INSERT INTO {table} ({columns}) VALUES {}",
                values.join(",")
            ))
            .await
            .with_context(|| format!("inserting into {table}"))?;
            done = end;
        }
        txn.commit().await?;
    }
    // dialect: explicit ids do not move PostgreSQL's sequences.
    if app.db.get_database_backend() == DatabaseBackend::Postgres {
        app.db
            .execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
    }
    Ok(())
}

pub async fn load(app: &App, sizes: Sizes) -> anyhow::Result<Loaded> {
    aftersales_app::demo::load(app)
        .await
        .map_err(|err| anyhow::anyhow!("loading the demo company: {err}"))?;
    let db = &app.db;
    let branches = [
        scalar(db, "SELECT id FROM org_units WHERE code = 'BJ'").await?,
        scalar(db, "SELECT id FROM org_units WHERE code = 'TJ'").await?,
    ];
    let now = app.now_ms();
    let hash: String = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT password_hash FROM users WHERE username = 'admin'",
        ))
        .await?
        .context("admin")?
        .try_get_by_index(0)?;
    let registrar = scalar(db, "SELECT id FROM users WHERE username = 'kefu'").await?;
    own_calendar(app, branches[1]).await?;

    // Technicians up to the wanted number, alternating between the branches, each certified
    // for every product category.
    let existing = scalar(
        db,
        "SELECT COUNT(*) FROM user_roles WHERE role = 'technician'",
    )
    .await? as usize;
    let first_user = scalar(db, "SELECT MAX(id) FROM users").await? + 1;
    let extra = sizes.technicians.saturating_sub(existing);
    bulk(app, "users", "id, username, display_name, password_hash, org_unit_id, active, version, created_at, updated_at", extra, |i| {
        format!(
            "({}, 'bench_tech_{i}', '技术员{i}', '{hash}', {}, TRUE, 1, {now}, {now})",
            first_user + i as i64,
            branches[i % 2]
        )
    })
    .await?;
    let first_role = scalar(db, "SELECT MAX(id) FROM user_roles").await? + 1;
    bulk(app, "user_roles", "id, user_id, role", extra, |i| {
        format!(
            "({}, {}, 'technician')",
            first_role + i as i64,
            first_user + i as i64
        )
    })
    .await?;
    let mut technicians = [Vec::new(), Vec::new()];
    for (slot, branch) in branches.iter().enumerate() {
        technicians[slot] = ids(
            db,
            &format!(
                "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
                 WHERE r.role = 'technician' AND u.org_unit_id = {branch} ORDER BY u.id"
            ),
        )
        .await?;
    }
    let categories: Vec<String> = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT DISTINCT category FROM products ORDER BY category",
        ))
        .await?
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()?;
    let all_technicians: Vec<i64> = technicians.iter().flatten().copied().collect();
    let first_qualification =
        scalar(db, "SELECT COALESCE(MAX(id), 0) FROM qualifications").await? + 1;
    bulk(
        app,
        "qualifications",
        "id, user_id, kind, product_category, title, issued_on, expires_on, created_at",
        all_technicians.len() * categories.len(),
        |i| {
            format!(
                "({}, {}, 'certificate', '{}', '上岗证', '2024-01-01', '2030-12-31', {now})",
                first_qualification + i as i64,
                all_technicians[i / categories.len()],
                categories[i % categories.len()]
            )
        },
    )
    .await?;

    let products = ids(db, "SELECT id FROM products ORDER BY id").await?;
    let mut districts = [Vec::new(), Vec::new()];
    for (slot, branch) in branches.iter().enumerate() {
        districts[slot] = ids(
            db,
            &format!("SELECT id FROM districts WHERE org_unit_id = {branch} ORDER BY id"),
        )
        .await?;
    }

    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let first_customer = scalar(db, "SELECT MAX(id) FROM customers").await? + 1;
    let branch_of_customer = |i: usize| i % 2;
    bulk(app, "customers", "id, number, kind, name, phone, abc_class, key_account, org_unit_id, version, created_at, updated_at", sizes.customers, |i| {
        format!(
            "({}, 'KH-B{i:07}', 'person', '客户{i}', '1{:010}', 'c', FALSE, {}, 1, {now}, {now})",
            first_customer + i as i64,
            3_000_000_000u64 + i as u64,
            branches[branch_of_customer(i)]
        )
    })
    .await?;
    let first_address = scalar(db, "SELECT MAX(id) FROM customer_addresses").await? + 1;
    bulk(
        app,
        "customer_addresses",
        "id, customer_id, district_id, detail, is_default, created_at",
        sizes.customers,
        |i| {
            let slot = branch_of_customer(i);
            format!(
                "({}, {}, {}, '幸福路{i}号', TRUE, {now})",
                first_address + i as i64,
                first_customer + i as i64,
                districts[slot][i % districts[slot].len()]
            )
        },
    )
    .await?;

    let first_unit = scalar(db, "SELECT MAX(id) FROM units").await? + 1;
    let customer_of_unit = |u: usize| u % sizes.customers;
    let product_of_unit = |u: usize| products[u % products.len()];
    bulk(app, "units", "id, serial_no, product_id, customer_id, org_unit_id, address_id, purchase_date, list_price_fen, paid_price_fen, seasonal, version, created_at, updated_at", sizes.units, |u| {
        let c = customer_of_unit(u);
        format!(
            "({}, 'SN-B{u:08}', {}, {}, {}, {}, '{}-{:02}-{:02}', 320000, 300000, FALSE, 1, {now}, {now})",
            first_unit + u as i64,
            product_of_unit(u),
            first_customer + c as i64,
            branches[branch_of_customer(c)],
            first_address + c as i64,
            2022 + u % 4,
            1 + u % 12,
            1 + u % 28
        )
    })
    .await?;

    // Orders over three years, oldest first; all but the last week are archived or
    // cancelled, the recent ones are spread over every open state.
    let first_order = scalar(db, "SELECT COALESCE(MAX(id), 0) FROM service_orders").await? + 1;
    let span = 3 * 365 * 86_400_000i64;
    let start = now - span;
    let recent = now - 7 * 86_400_000;
    bulk(app, "service_orders", "id, number, org_unit_id, channel, customer_id, address_id, unit_id, product_id, fault_description, fault_class, urgency, category, proposed_category, status, priority, technician_id, received_at, registered_by, dispatched_at, contacted_at, arrived_at, completed_at, returned_at, archived_at, cancelled_at, version, created_at, updated_at", sizes.orders, |n| {
        let u = rng.below(sizes.units);
        let c = customer_of_unit(u);
        let slot = branch_of_customer(c);
        let received = start + (span as i128 * n as i128 / sizes.orders as i128) as i64;
        let status = if received < recent {
            if rng.below(20) == 0 { "cancelled" } else { "archived" }
        } else {
            OPEN[rng.below(OPEN.len())]
        };
        let staffed = !matches!(status, "registered" | "cancelled");
        let technician = if staffed {
            technicians[slot][rng.below(technicians[slot].len())].to_string()
        } else {
            "NULL".into()
        };
        let at = |offset_h: i64, reached: bool| {
            if reached { (received + offset_h * 3_600_000).to_string() } else { "NULL".into() }
        };
        let rank = OPEN.iter().position(|s| *s == status).unwrap_or(OPEN.len());
        let category = ["a", "b", "c"][rng.below(3)];
        format!(
            "({}, 'WX-B{n:08}', {}, 'phone', {}, {}, {}, {}, '{}{n}', '{}', 'normal', '{category}', '{category}', '{status}', FALSE, {technician}, {received}, {registrar}, {}, {}, {}, {}, {}, {}, {}, {}, {received}, {received})",
            first_order + n as i64,
            branches[slot],
            first_customer + c as i64,
            first_address + c as i64,
            first_unit + u as i64,
            product_of_unit(u),
            FAULTS[rng.below(FAULTS.len())],
            CLASSES[rng.below(CLASSES.len())],
            at(2, staffed),
            at(3, staffed && rank >= 2),
            at(20, staffed && rank >= 3),
            at(22, staffed && rank >= 4),
            at(200, rank >= 8 && status != "cancelled"),
            at(300, status == "archived"),
            at(1, status == "cancelled"),
            1 + rank.min(8),
        )
    })
    .await?;
    let first_event =
        scalar(db, "SELECT COALESCE(MAX(id), 0) FROM service_order_events").await? + 1;
    bulk(
        app,
        "service_order_events",
        "id, order_id, at, actor_id, event, from_status, to_status",
        sizes.orders,
        |n| {
            format!(
                "({}, {}, {}, {registrar}, 'register', '', 'registered')",
                first_event + n as i64,
                first_order + n as i64,
                start + (span as i128 * n as i128 / sizes.orders as i128) as i64
            )
        },
    )
    .await?;
    settle(&app.db).await?;
    Ok(Loaded {
        branches,
        technicians,
        first_unit,
        units: sizes.units,
        first_customer,
        customers: sizes.customers,
        first_order,
        orders: sizes.orders,
    })
}

/// Gives `branch` a stored calendar: cn-standard's hours and holidays, copied.
async fn own_calendar(app: &App, branch: i64) -> anyhow::Result<()> {
    let admin_id = scalar(&app.db, "SELECT id FROM users WHERE username = 'admin'").await?;
    let admin = Actor::load(&app.db, admin_id)
        .await?
        .context("the admin actor")?;
    let input = CalendarInput {
        code: "branch-hours".into(),
        name: "分公司工作日历".into(),
        copy_from: Some("cn-standard".into()),
        ..CalendarInput::default()
    };
    calendars::create(app, &admin, &input).await?;
    app.db
        .execute_unprepared(&format!(
            "UPDATE org_units SET calendar_code = 'branch-hours' WHERE id = {branch}"
        ))
        .await?;
    Ok(())
}

/// Fresh statistics, so both planners choose the indexes the workload needs, after a bulk
/// write (the preload, the backfill that marks each finished order frozen). dialect:
/// PostgreSQL also gets the vacuum that autovacuum gives a database in service after such a
/// write: until the visibility map is set again, every index-only scan (the lists' counts)
/// visits the heap too.
pub async fn settle(db: &impl ConnectionTrait) -> anyhow::Result<()> {
    let settle = match db.get_database_backend() {
        DatabaseBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    db.execute_unprepared(settle).await?;
    Ok(())
}

/// The customer and branch slot of a preloaded unit (the rule `load` gives them by).
pub fn unit_owner(loaded: &Loaded, u: usize) -> (i64, usize) {
    let c = u % loaded.customers;
    (loaded.first_customer + c as i64, c % 2)
}
