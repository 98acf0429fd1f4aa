//! The durable timer runner on a real database: a temporary SQLite file, or a brand-new
//! PostgreSQL database when `AFTERSALES_TEST_PG_URL` is set (dropped afterwards, as in the
//! web API suite). Time moves on a `ManualClock`: no test sleeps.

use std::sync::{Arc, Mutex};

use aftersales_app::contracts::{self, ContractInput};
use aftersales_app::customers::CustomerInput;
use aftersales_app::notifications;
use aftersales_app::org::{DistrictInput, OrgUnitInput};
use aftersales_app::page::PageRequest;
use aftersales_app::staff::UserInput;
use aftersales_app::timers::{self, Fire, Job, Jobs};
use aftersales_app::{Actor, App, AppError, ManualClock};
use aftersales_domain::role::Role;
use aftersales_store::entity::{audit_record, timer};
use aftersales_store::sea_orm::sea_query::{Alias, Query};
use aftersales_store::sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use aftersales_testkit::TestDb;
use jiff::{SignedDuration, Timestamp};

/// 2026-11-22 10:00 in Asia/Shanghai.
const START: &str = "2026-11-22T02:00:00Z";
const HOUR: i64 = 3_600_000;

// ----- databases -----

/// An `App` with its own pool on the test database and the given clock.
async fn app_on(db: &TestDb, clock: Arc<ManualClock>) -> App {
    App::new(db.connect().await, clock, db.files_dir())
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(START.parse().expect("start")))
}

fn start_ms() -> i64 {
    START.parse::<Timestamp>().expect("start").as_millisecond()
}

// ----- test jobs: their effect is a row in `test_fired` -----

async fn create_effect_table(db: &DatabaseConnection) {
    db.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS test_fired (timer_id BIGINT NOT NULL, subject_id BIGINT NOT NULL)",
    )
    .await
    .expect("create test_fired");
}

async fn record_effect(fire: &Fire<'_>) -> Result<(), AppError> {
    let insert = Query::insert()
        .into_table(Alias::new("test_fired"))
        .columns([Alias::new("timer_id"), Alias::new("subject_id")])
        .values_panic([fire.timer.id.into(), fire.timer.subject_id.into()])
        .to_owned();
    let backend = fire.txn.get_database_backend();
    fire.txn.execute(backend.build(&insert)).await?;
    Ok(())
}

async fn effects(db: &DatabaseConnection) -> (i64, i64) {
    use aftersales_store::sea_orm::Statement;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n, COUNT(DISTINCT timer_id) AS d FROM test_fired",
        ))
        .await
        .expect("count effects")
        .expect("one row");
    (
        row.try_get::<i64>("", "n").expect("n"),
        row.try_get::<i64>("", "d").expect("d"),
    )
}

/// Records its effect and the order in which it fired.
struct Recording {
    order: Arc<Mutex<Vec<i64>>>,
}

#[async_trait::async_trait]
impl Job for Recording {
    fn name(&self) -> &'static str {
        "test_record"
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        record_effect(fire).await?;
        self.order
            .lock()
            .expect("order")
            .push(fire.timer.subject_id);
        Ok(())
    }
}

/// Writes its effect, then fails: nothing of it may remain.
struct Failing;

#[async_trait::async_trait]
impl Job for Failing {
    fn name(&self) -> &'static str {
        "test_fail"
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        record_effect(fire).await?;
        Err(AppError::Internal(anyhow::anyhow!(
            "the printer is on fire"
        )))
    }
}

fn test_jobs() -> (Jobs, Arc<Mutex<Vec<i64>>>) {
    let order = Arc::new(Mutex::new(Vec::new()));
    let jobs = Jobs::default()
        .with(Recording {
            order: order.clone(),
        })
        .with(Failing);
    (jobs, order)
}

async fn schedule(app: &App, kind: &str, subject_id: i64, due: i64, key: Option<&str>) -> bool {
    timers::schedule(
        &app.db,
        kind,
        "test",
        subject_id,
        key,
        due,
        None,
        app.now_ms(),
    )
    .await
    .expect("schedule")
}

async fn timer_row(app: &App, subject_id: i64) -> timer::Model {
    timer::Entity::find()
        .filter(timer::Column::Subject.eq("test"))
        .filter(timer::Column::SubjectId.eq(subject_id))
        .one(&app.db)
        .await
        .expect("query")
        .expect("timer row")
}

// ----- the runner -----

#[tokio::test]
async fn a_timer_fires_once_when_due_and_never_again() {
    let db = TestDb::create().await;
    let clock = clock();
    let app = app_on(&db, clock.clone()).await;
    create_effect_table(&app.db).await;
    let (jobs, _) = test_jobs();
    schedule(&app, "test_record", 1, start_ms() + HOUR, None).await;

    assert_eq!(timers::run_due_with(&app, &jobs, 10).await.unwrap(), 0);
    assert_eq!(effects(&app.db).await, (0, 0), "not due yet");

    clock.advance(SignedDuration::from_hours(1));
    assert_eq!(timers::run_due_with(&app, &jobs, 10).await.unwrap(), 1);
    assert_eq!(timers::run_due_with(&app, &jobs, 10).await.unwrap(), 0);
    clock.advance(SignedDuration::from_hours(100));
    assert_eq!(timers::run_due_with(&app, &jobs, 10).await.unwrap(), 0);
    assert_eq!(effects(&app.db).await, (1, 1));

    let row = timer_row(&app, 1).await;
    assert_eq!(row.status, timers::DONE);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.fired_at, Some(start_ms() + HOUR));
}

#[tokio::test]
async fn timers_survive_a_restart() {
    let db = TestDb::create().await;
    let clock = clock();
    {
        let before = app_on(&db, clock.clone()).await;
        create_effect_table(&before.db).await;
        schedule(&before, "test_record", 7, start_ms() + 2 * HOUR, None).await;
        before
            .db
            .clone()
            .close()
            .await
            .expect("close the first pool");
    }
    clock.advance(SignedDuration::from_hours(3));
    let after = app_on(&db, clock.clone()).await;
    let (jobs, order) = test_jobs();
    assert_eq!(timers::run_due_with(&after, &jobs, 10).await.unwrap(), 1);
    assert_eq!(*order.lock().unwrap(), vec![7]);
    assert_eq!(effects(&after.db).await, (1, 1));
}

#[tokio::test]
async fn a_late_runner_catches_up_in_due_order() {
    let db = TestDb::create().await;
    let clock = clock();
    let app = app_on(&db, clock.clone()).await;
    create_effect_table(&app.db).await;
    let (jobs, order) = test_jobs();
    // Scheduled out of order; two share a due instant (then the older row goes first).
    for (subject, hours) in [(3, 30), (1, 10), (4, 30), (2, 20), (5, 50)] {
        schedule(
            &app,
            "test_record",
            subject,
            start_ms() + hours * HOUR,
            None,
        )
        .await;
    }
    clock.advance(SignedDuration::from_hours(40));
    assert_eq!(timers::run_due_with(&app, &jobs, 2).await.unwrap(), 2);
    assert_eq!(timers::run_due_with(&app, &jobs, 100).await.unwrap(), 2);
    assert_eq!(*order.lock().unwrap(), vec![1, 2, 3, 4], "5 is not due yet");
    clock.advance(SignedDuration::from_hours(10));
    assert_eq!(timers::run_due_with(&app, &jobs, 100).await.unwrap(), 1);
    assert_eq!(*order.lock().unwrap(), vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn a_failing_job_leaves_no_partial_effect_and_is_retried_with_backoff() {
    let db = TestDb::create().await;
    let clock = clock();
    let app = app_on(&db, clock.clone()).await;
    create_effect_table(&app.db).await;
    let (jobs, _) = test_jobs();
    schedule(&app, "test_fail", 1, start_ms(), None).await;
    schedule(&app, "test_record", 2, start_ms(), None).await;

    // The failure does not stop the runner: the next timer still fires.
    assert_eq!(timers::run_due_with(&app, &jobs, 10).await.unwrap(), 1);
    let (n, _) = effects(&app.db).await;
    assert_eq!(n, 1, "only the succeeding job's effect is there");
    let row = timer_row(&app, 1).await;
    assert_eq!(row.status, timers::PENDING);
    assert_eq!(row.attempts, 1);
    assert!(row.last_error.unwrap().contains("printer is on fire"));
    assert_eq!(row.due_at, start_ms() + timers::backoff_ms(1));

    // Retried after each backoff, then given up.
    for attempt in 2..=timers::MAX_ATTEMPTS {
        assert_eq!(timers::run_due_with(&app, &jobs, 10).await.unwrap(), 0);
        assert_eq!(
            timer_row(&app, 1).await.attempts,
            attempt - 1,
            "not yet due"
        );
        clock.advance(SignedDuration::from_millis(timers::backoff_ms(attempt - 1)));
        timers::run_due_with(&app, &jobs, 10).await.unwrap();
        assert_eq!(timer_row(&app, 1).await.attempts, attempt);
    }
    let row = timer_row(&app, 1).await;
    assert_eq!(row.status, timers::FAILED);
    clock.advance(SignedDuration::from_hours(1000));
    assert_eq!(timers::run_due_with(&app, &jobs, 10).await.unwrap(), 0);
    assert_eq!(timer_row(&app, 1).await.attempts, timers::MAX_ATTEMPTS);
    assert_eq!(effects(&app.db).await.0, 1);
}

#[tokio::test]
async fn an_unknown_job_is_a_failure_not_a_crash() {
    let db = TestDb::create().await;
    let app = app_on(&db, clock()).await;
    schedule(&app, "no_such_job", 1, start_ms(), None).await;
    assert_eq!(timers::run_due(&app, 10).await.unwrap(), 0);
    let row = timer_row(&app, 1).await;
    assert_eq!((row.status.as_str(), row.attempts), (timers::PENDING, 1));
}

#[tokio::test]
async fn scheduling_the_same_key_twice_is_a_no_op_and_cancel_frees_it() {
    let db = TestDb::create().await;
    let clock = clock();
    let app = app_on(&db, clock.clone()).await;
    create_effect_table(&app.db).await;
    let (jobs, _) = test_jobs();
    assert!(schedule(&app, "test_record", 1, start_ms(), Some("k1")).await);
    assert!(!schedule(&app, "test_record", 1, start_ms(), Some("k1")).await);
    // Inside a transaction too (PostgreSQL must not abort it on the duplicate).
    {
        use aftersales_store::sea_orm::TransactionTrait;
        let txn = app.db.begin().await.unwrap();
        let again = timers::schedule(&txn, "test_record", "test", 1, Some("k1"), 0, None, 0);
        assert!(!again.await.unwrap());
        assert!(
            timers::schedule(&txn, "test_record", "test", 2, Some("k2"), 0, None, 0)
                .await
                .unwrap()
        );
        txn.commit().await.unwrap();
    }
    // Without a key, every call schedules.
    assert!(schedule(&app, "test_record", 3, start_ms(), None).await);
    assert!(schedule(&app, "test_record", 3, start_ms(), None).await);

    assert_eq!(
        timers::cancel(&app.db, "test_record", "test", 2)
            .await
            .unwrap(),
        1
    );
    assert!(schedule(&app, "test_record", 2, start_ms(), Some("k2")).await);
    assert_eq!(timers::run_due_with(&app, &jobs, 100).await.unwrap(), 4);
    assert_eq!(effects(&app.db).await, (4, 4));
    // A fired timer keeps its key: the same thing is not scheduled again.
    assert!(!schedule(&app, "test_record", 1, start_ms(), Some("k1")).await);
}

/// Two instances (separate pools) race over 200 due timers: each fires exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_runners_on_postgresql_never_fire_a_timer_twice() {
    let db = TestDb::create().await;
    if !db.is_postgres() {
        eprintln!(
            "note: two_runners_on_postgresql_never_fire_a_timer_twice needs AFTERSALES_TEST_PG_URL; skipped on SQLite"
        );
        return;
    }
    let clock = clock();
    let first = app_on(&db, clock.clone()).await;
    let second = app_on(&db, clock.clone()).await;
    create_effect_table(&first.db).await;
    for subject in 0..200 {
        schedule(&first, "test_record", subject, start_ms() + subject, None).await;
    }
    clock.advance(SignedDuration::from_hours(1));
    let run = |app: App| {
        tokio::spawn(async move {
            let (jobs, _) = test_jobs();
            let mut total = 0;
            // Small batches interleave the two runners.
            loop {
                let fired = timers::run_due_with(&app, &jobs, 7).await.expect("run_due");
                if fired == 0 {
                    break total;
                }
                total += fired;
            }
        })
    };
    let (a, b) = tokio::join!(run(first.clone()), run(second.clone()));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a + b, 200, "first fired {a}, second {b}");
    assert_eq!(effects(&first.db).await, (200, 200));
    let pending = timer::Entity::find()
        .filter(timer::Column::Status.ne(timers::DONE))
        .all(&first.db)
        .await
        .unwrap();
    assert!(pending.is_empty());
    eprintln!("two runners: first fired {a}, second {b}");
}

// ----- contracts (T9, C.7) -----

struct Company {
    admin: Actor,
    manager: i64,
    other_manager: i64,
    kefu: i64,
    customer: i64,
}

fn unit_input(code: &str, name: &str, kind: &str, parent_id: Option<i64>) -> OrgUnitInput {
    OrgUnitInput {
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        department_kind: None,
        parent_id,
        calendar_code: None,
        time_zone: None,
        version: None,
    }
}

fn user_input(name: &str, role: Role, org_unit_id: i64) -> UserInput {
    UserInput {
        username: name.into(),
        display_name: name.into(),
        password: Some("correct-horse-battery".into()),
        org_unit_id: Some(org_unit_id),
        customer_id: None,
        phone: None,
        email: None,
        badge_no: None,
        roles: vec![role.as_str().to_string()],
        skills: Vec::new(),
        active: true,
        version: None,
    }
}

async fn company(app: &App) -> Company {
    use aftersales_app::{customers, org, staff};
    let hq = org::create_root_unit(
        app,
        &unit_input("HQ", "客户部", "customer_department", None),
    )
    .await
    .unwrap();
    let admin_id = staff::create_by_operator(app, &user_input("admin", Role::Admin, hq))
        .await
        .unwrap();
    let admin = Actor::load(&app.db, admin_id).await.unwrap().unwrap();
    let bj = org::create_unit(
        app,
        &admin,
        &unit_input("BJ", "北京分公司", "branch", Some(hq)),
    )
    .await
    .unwrap()
    .id;
    let tj = org::create_unit(
        app,
        &admin,
        &unit_input("TJ", "天津分公司", "branch", Some(hq)),
    )
    .await
    .unwrap()
    .id;
    let district = org::create_district(
        app,
        &admin,
        &DistrictInput {
            org_unit_id: bj,
            name: "东城区".into(),
            zone: "urban".into(),
            version: None,
        },
    )
    .await
    .unwrap()
    .id;
    let user = |name: &'static str, role: Role, unit: i64| {
        let admin = admin.clone();
        async move {
            staff::create(app, &admin, &user_input(name, role, unit))
                .await
                .unwrap()
                .id
        }
    };
    let manager = user("bj_zhuren", Role::BranchManager, bj).await;
    let other_manager = user("tj_zhuren", Role::BranchManager, tj).await;
    let kefu = user("kefu", Role::CustomerDepartment, hq).await;
    // Built from JSON, as the API receives it, so fields added later keep their defaults.
    let input: CustomerInput = serde_json::from_value(serde_json::json!({
        "kind": "company",
        "name": "长城饭店",
        "phone": "010-65905566",
        "org_unit_id": bj,
        "addresses": [{"district_id": district, "detail": "东三环北路10号", "is_default": true}],
    }))
    .expect("customer input");
    let customer = customers::create(app, &admin, &input, None)
        .await
        .unwrap()
        .id;
    Company {
        admin,
        manager,
        other_manager,
        kefu,
        customer,
    }
}

async fn signed_contract(app: &App, company: &Company, end: &str) -> contracts::ContractView {
    let input: ContractInput = serde_json::from_value(serde_json::json!({
        "customer_id": company.customer,
        "start_date": "2026-01-01",
        "end_date": end,
        "fee_fen": 120_000,
        "visits_per_year": 2,
    }))
    .expect("contract input");
    let draft = contracts::create(app, &company.admin, &input, None)
        .await
        .unwrap();
    contracts::change_status(app, &company.admin, draft.id, "active", draft.version)
        .await
        .unwrap()
}

async fn status(app: &App, company: &Company, id: i64) -> String {
    contracts::get(app, &company.admin, id)
        .await
        .unwrap()
        .status
}

async fn inbox(app: &App, user_id: i64) -> notifications::Inbox {
    let actor = Actor::load(&app.db, user_id).await.unwrap().unwrap();
    let page = PageRequest {
        page: None,
        per_page: None,
    };
    notifications::list_mine(app, &actor, page).await.unwrap()
}

fn at(instant: &str) -> Timestamp {
    instant.parse().expect("instant")
}

#[tokio::test]
async fn a_signed_contract_gets_its_expiry_notice_a_month_ahead_then_expires() {
    let db = TestDb::create().await;
    let clock = clock();
    let app = app_on(&db, clock.clone()).await;
    let company = company(&app).await;
    let contract = signed_contract(&app, &company, "2027-03-31").await;
    assert_eq!(contract.status, "active");

    let scheduled = timers::of_subject(&app.db, "contract", contract.id)
        .await
        .unwrap();
    let due: Vec<(String, String)> = scheduled
        .iter()
        .map(|t| {
            (
                t.kind.clone(),
                Timestamp::from_millisecond(t.due_at).unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        due,
        vec![
            // 2027-02-28 09:00 and 2027-04-01 00:00 in Asia/Shanghai.
            (
                contracts::EXPIRY_NOTICE.to_string(),
                "2027-02-28T01:00:00Z".to_string()
            ),
            (
                contracts::EXPIRED.to_string(),
                "2027-03-31T16:00:00Z".to_string()
            ),
        ]
    );

    // A minute before the notice: nothing.
    clock.set(at("2027-02-28T00:59:00Z"));
    assert_eq!(timers::run_due(&app, 10).await.unwrap(), 0);
    assert_eq!(status(&app, &company, contract.id).await, "active");

    clock.set(at("2027-02-28T01:00:00Z"));
    assert_eq!(timers::run_due(&app, 10).await.unwrap(), 1);
    assert_eq!(status(&app, &company, contract.id).await, "expiring");
    for owner in [company.manager, company.kefu] {
        let inbox = inbox(&app, owner).await;
        assert_eq!(inbox.unread, 1);
        let notice = &inbox.items[0];
        assert_eq!(notice.kind, contracts::EXPIRY_NOTICE);
        assert!(notice.title.contains(&contract.number), "{notice:?}");
        let body = notice.body.as_deref().unwrap();
        assert!(
            body.contains("长城饭店") && body.contains("2027-03-31"),
            "{body}"
        );
        assert_eq!(
            notice.link.as_deref(),
            Some(&*format!("/contracts/{}", contract.id))
        );
    }
    assert_eq!(
        inbox(&app, company.other_manager).await.total,
        0,
        "another branch's manager is not told"
    );
    let audit = audit_record::Entity::find()
        .filter(audit_record::Column::Entity.eq("contract"))
        .filter(audit_record::Column::EntityId.eq(contract.id))
        .filter(audit_record::Column::Action.eq("expiry_notice"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("audit record of the notice");
    assert_eq!(
        (audit.actor_id, audit.actor_name.as_str()),
        (None, "system")
    );

    // Still covered on its last day; expired the day after.
    clock.set(at("2027-03-31T15:59:00Z"));
    assert_eq!(timers::run_due(&app, 10).await.unwrap(), 0);
    clock.set(at("2027-04-01T03:00:00Z"));
    assert_eq!(timers::run_due(&app, 10).await.unwrap(), 1);
    assert_eq!(status(&app, &company, contract.id).await, "expired");
    assert_eq!(inbox(&app, company.manager).await.unread, 2);

    // Marking read is the owner's own business.
    let mine = inbox(&app, company.manager).await.items[0].id;
    let kefu = Actor::load(&app.db, company.kefu).await.unwrap().unwrap();
    assert!(matches!(
        notifications::mark_read(&app, &kefu, mine).await,
        Err(AppError::NotFound)
    ));
    let manager = Actor::load(&app.db, company.manager)
        .await
        .unwrap()
        .unwrap();
    let read = notifications::mark_read(&app, &manager, mine)
        .await
        .unwrap();
    assert!(read.read_at.is_some());
    assert_eq!(inbox(&app, company.manager).await.unread, 1);
}

#[tokio::test]
async fn a_late_runner_fires_the_notice_before_the_expiry() {
    let db = TestDb::create().await;
    let clock = clock();
    let app = app_on(&db, clock.clone()).await;
    let company = company(&app).await;
    let contract = signed_contract(&app, &company, "2027-03-31").await;
    // The runner was down over the whole last month.
    clock.set(at("2027-05-01T00:00:00Z"));
    assert_eq!(timers::run_due(&app, 10).await.unwrap(), 2);
    assert_eq!(status(&app, &company, contract.id).await, "expired");
    let actions: Vec<String> = audit_record::Entity::find()
        .filter(audit_record::Column::EntityId.eq(contract.id))
        .filter(audit_record::Column::Entity.eq("contract"))
        .filter(audit_record::Column::ActorId.is_null())
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, vec!["expiry_notice", "expire"]);
}

#[tokio::test]
async fn terminating_or_renewing_cancels_the_contract_timers() {
    let db = TestDb::create().await;
    let clock = clock();
    let app = app_on(&db, clock.clone()).await;
    let company = company(&app).await;
    let terminated = signed_contract(&app, &company, "2027-03-31").await;
    contracts::change_status(
        &app,
        &company.admin,
        terminated.id,
        "terminated",
        terminated.version,
    )
    .await
    .unwrap();
    let renewed = signed_contract(&app, &company, "2027-03-31").await;
    clock.set(at("2027-03-01T00:00:00Z"));
    assert_eq!(
        timers::run_due(&app, 10).await.unwrap(),
        1,
        "renewed's notice"
    );
    let expiring = contracts::get(&app, &company.admin, renewed.id)
        .await
        .unwrap();
    assert_eq!(expiring.status, "expiring");
    contracts::change_status(
        &app,
        &company.admin,
        renewed.id,
        "renewed",
        expiring.version,
    )
    .await
    .unwrap();

    clock.set(at("2028-01-01T00:00:00Z"));
    assert_eq!(timers::run_due(&app, 10).await.unwrap(), 0);
    assert_eq!(status(&app, &company, terminated.id).await, "terminated");
    assert_eq!(status(&app, &company, renewed.id).await, "renewed");
    for id in [terminated.id, renewed.id] {
        for t in timers::of_subject(&app.db, "contract", id).await.unwrap() {
            assert_ne!(t.status, timers::PENDING, "{t:?}");
        }
    }
}

// ----- e-mail -----

/// A minimal SMTP server on a free local port that accepts everything and keeps every line
/// it was sent.
async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    seen.lock().unwrap().push(line.clone());
                    let command = line.to_ascii_uppercase();
                    let reply: &[u8] = if in_data {
                        if line != "." {
                            continue;
                        }
                        in_data = false;
                        b"250 queued\r\n"
                    } else if command.starts_with("EHLO") {
                        b"250-fake\r\n250 8BITMIME\r\n"
                    } else if command.starts_with("DATA") {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if command.starts_with("QUIT") {
                        b"221 bye\r\n"
                    } else {
                        b"250 ok\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                    if command.starts_with("QUIT") {
                        break;
                    }
                }
            });
        }
    });
    (port, log)
}

#[tokio::test]
async fn notifications_are_mailed_after_commit_once_to_users_with_an_address() {
    use aftersales_store::entity::{notification, user};
    use aftersales_store::sea_orm::{ActiveModelTrait, Set};
    let db = TestDb::create().await;
    let clock = clock();
    let app = app_on(&db, clock.clone()).await;
    let company = company(&app).await;
    let manager = user::Entity::find_by_id(company.manager)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut manager: user::ActiveModel = manager.into();
    manager.email = Set(Some("bj.manager@example.com".into()));
    manager.update(&app.db).await.unwrap();
    signed_contract(&app, &company, "2027-03-31").await;
    clock.set(at("2027-02-28T01:00:00Z"));
    assert_eq!(timers::run_due(&app, 10).await.unwrap(), 1);

    let (port, log) = fake_smtp().await;
    let mailer = notifications::Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "售后服务 <service@example.com>",
    )
    .unwrap();
    assert_eq!(
        notifications::send_pending_mail(&app, &mailer, 50)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        notifications::send_pending_mail(&app, &mailer, 50)
            .await
            .unwrap(),
        0
    );
    let lines = log.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("RCPT TO:<bj.manager@example.com>")),
        "{lines:?}"
    );
    assert_eq!(lines.iter().filter(|l| l.starts_with("RCPT TO")).count(), 1);
    let statuses: Vec<(i64, Option<String>)> = notification::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.user_id, n.mail_status))
        .collect();
    assert!(
        statuses.contains(&(company.manager, Some("sent".into()))),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&(company.kefu, None)),
        "no address, no mail: {statuses:?}"
    );
}
