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
    let calendar_of_hq = |snapshot: &Snapshot| {
        let calendar = snapshot
            .calendar_of(None, None, Some(hq))
            .expect("calendar");
        calendar.code().to_string()
    };
    let added = one.reference.snapshot(&one.db).await.expect("snapshot");
    assert_eq!(calendar_of_hq(&added), "cn-standard");
    other
        .db
        .execute_unprepared("UPDATE org_units SET calendar_code = '24x7' WHERE code = 'HQ'")
        .await
        .expect("calendar");
    let changed = one.reference.snapshot(&one.db).await.expect("snapshot");
    assert_eq!(calendar_of_hq(&changed), "24x7");

    // A stored calendar, and a holiday added to it, outside the application: the next read
    // builds the calendar again with the holiday.
    other
        .db
        .execute_unprepared(
            "INSERT INTO calendars (code, name, time_zone, periods, version, created_at, \
             updated_at) VALUES ('hq-hours', 'HQ hours', 'Asia/Shanghai', \
             '{\"mon\": [\"09:00-18:00\"]}', 1, 0, 0)",
        )
        .await
        .expect("stored calendar");
    other
        .db
        .execute_unprepared("UPDATE org_units SET calendar_code = 'hq-hours' WHERE code = 'HQ'")
        .await
        .expect("calendar");
    // Monday 30 November 2026, 10:00 in Shanghai.
    let monday_morning: jiff::Timestamp = "2026-11-30T02:00:00Z".parse().expect("instant");
    let stored = one.reference.snapshot(&one.db).await.expect("snapshot");
    assert_eq!(calendar_of_hq(&stored), "hq-hours");
    let hq_calendar = stored.calendar_of(None, None, Some(hq)).expect("calendar");
    assert!(hq_calendar.is_working(monday_morning));
    assert!(
        Arc::ptr_eq(
            &hq_calendar,
            &stored.calendar_of(None, None, Some(hq)).expect("calendar")
        ),
        "built once per snapshot"
    );
    other
        .db
        .execute_unprepared(
            "INSERT INTO calendar_days (calendar_id, date, kind, name) SELECT id, \
             '2026-11-30', 'holiday', 'HQ day off' FROM calendars WHERE code = 'hq-hours'",
        )
        .await
        .expect("holiday");
    let holiday = one.reference.snapshot(&one.db).await.expect("snapshot");
    let hq_calendar = holiday.calendar_of(None, None, Some(hq)).expect("calendar");
    assert!(!hq_calendar.is_working(monday_morning));
    let next_monday_morning: jiff::Timestamp = "2026-12-07T02:00:00Z".parse().expect("instant");
    assert!(hq_calendar.is_working(next_monday_morning));
    other
        .db
        .execute_unprepared(
            "UPDATE calendars SET periods = '{\"tue\": [\"09:00-18:00\"]}' \
             WHERE code = 'hq-hours'",
        )
        .await
        .expect("periods");
    let tuesdays = one.reference.snapshot(&one.db).await.expect("snapshot");
    let hq_calendar = tuesdays
        .calendar_of(None, None, Some(hq))
        .expect("calendar");
    assert!(!hq_calendar.is_working(next_monday_morning));
    // A customer's calendar comes before the branch's; an unknown code is skipped.
    assert_eq!(
        holiday
            .calendar_of(None, Some("24x7"), Some(hq))
            .expect("calendar")
            .code(),
        "24x7"
    );
    assert_eq!(
        holiday
            .calendar_of(Some("gone"), None, Some(hq))
            .expect("calendar")
            .code(),
        "hq-hours"
    );

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
