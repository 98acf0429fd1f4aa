//! The in-memory reference data (`aftersales_app::reference`) on a real database: two app
//! instances on one database, each with its own copy, as behind a load balancer. A change
//! written by one instance, or by SQL outside the application, is seen by the other's next
//! read; an unchanged database answers from memory.

use std::sync::Arc;

use aftersales_app::reference::Snapshot;
use aftersales_app::{App, ManualClock};
use aftersales_store::sea_orm::{ConnectionTrait, Statement};
use aftersales_testkit::TestDb;

async fn instance(test_db: &TestDb) -> App {
    let clock = Arc::new(ManualClock::new(
        "2026-11-22T02:00:00Z".parse().expect("start"),
    ));
    App::new(test_db.connect().await, clock, test_db.files_dir())
}

#[tokio::test]
async fn a_change_on_one_instance_is_seen_by_the_next_read_on_another() {
    let test_db = TestDb::create().await;
    let (one, other) = (instance(&test_db).await, instance(&test_db).await);
    let before = one.reference.snapshot(&one.db).await.expect("snapshot");
    assert_eq!(before.policies.defaults.urban_arrival.as_hours(), 6);
    let again = one.reference.snapshot(&one.db).await.expect("snapshot");
    assert!(
        Arc::ptr_eq(&before, &again),
        "nothing changed: the same copy, not a reload"
    );

    // A setting written on the other instance (the default urban arrival target).
    other
        .db
        .execute_unprepared(
            "INSERT INTO settings (key, value, updated_at) VALUES ('sla.urban_hours', '12', 0)",
        )
        .await
        .expect("setting");
    let after = one.reference.snapshot(&one.db).await.expect("snapshot");
    assert_eq!(after.policies.defaults.urban_arrival.as_hours(), 12);

    // An org unit added, then its calendar changed, outside the application.
    other
        .db
        .execute_unprepared(
            "INSERT INTO org_units (code, name, kind, calendar_code, time_zone, version, \
             created_at, updated_at) VALUES ('HQ', 'HQ', 'customer_department', \
             'cn-standard', 'Asia/Shanghai', 1, 0, 0)",
        )
        .await
        .expect("org unit");
    let hq: i64 = other
        .db
        .query_one(Statement::from_string(
            other.db.get_database_backend(),
            "SELECT id FROM org_units WHERE code = 'HQ'",
        ))
        .await
        .expect("query")
        .expect("row")
        .try_get("", "id")
        .expect("id");
    let calendar_of_hq = |snapshot: &Snapshot| snapshot.calendar_codes.get(&hq).cloned();
    let added = one.reference.snapshot(&one.db).await.expect("snapshot");
    assert_eq!(calendar_of_hq(&added).as_deref(), Some("cn-standard"));
    other
        .db
        .execute_unprepared("UPDATE org_units SET calendar_code = 'cn-7x24' WHERE code = 'HQ'")
        .await
        .expect("calendar");
    let changed = one.reference.snapshot(&one.db).await.expect("snapshot");
    assert_eq!(calendar_of_hq(&changed).as_deref(), Some("cn-7x24"));

    // A deleted row counts as a change too: the setting's default is back.
    other
        .db
        .execute_unprepared("DELETE FROM settings WHERE key = 'sla.urban_hours'")
        .await
        .expect("delete");
    let deleted = one.reference.snapshot(&one.db).await.expect("snapshot");
    assert_eq!(deleted.policies.defaults.urban_arrival.as_hours(), 6);
    drop((one, other));
}
