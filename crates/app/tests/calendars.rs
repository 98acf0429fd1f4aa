//! Working calendars on a real database: a temporary SQLite file, or a brand-new PostgreSQL
//! database when `AFTERSALES_TEST_PG_URL` is set (dropped afterwards, as in the web API suite).

use std::sync::Arc;

use aftersales_app::calendars::{self, CalendarInput, HolidayImport, WeeklyPeriods};
use aftersales_app::org::{self, OrgUnitInput};
use aftersales_app::staff::{self, UserInput};
use aftersales_app::{contracts, customers, Actor, App, AppError, ManualClock};
use aftersales_testkit::TestDb;
use serde_json::json;

const START: &str = "2026-11-22T02:00:00Z";

/// A migrated database with a root unit, a branch, an administrator and a technician.
struct Fixture {
    app: App,
    admin: Actor,
    technician: Actor,
    branch: i64,
    // Last, so the pool above is dropped before the database is.
    _db: TestDb,
}

fn unit_input(
    code: &str,
    kind: &str,
    parent_id: Option<i64>,
    calendar: Option<&str>,
) -> OrgUnitInput {
    OrgUnitInput {
        code: code.into(),
        name: format!("{code} 单位"),
        kind: kind.into(),
        department_kind: None,
        parent_id,
        calendar_code: calendar.map(str::to_string),
        time_zone: None,
        version: None,
    }
}

fn user_input(username: &str, role: &str, org_unit_id: i64) -> UserInput {
    UserInput {
        username: username.into(),
        display_name: username.into(),
        password: Some("correct-horse-battery".into()),
        org_unit_id: Some(org_unit_id),
        customer_id: None,
        phone: None,
        email: None,
        badge_no: None,
        roles: vec![role.into()],
        skills: Vec::new(),
        active: true,
        version: None,
    }
}

async fn fixture() -> Fixture {
    let test_db = TestDb::create().await;
    let db = test_db.connect().await;
    let clock = Arc::new(ManualClock::new(START.parse().expect("start")));
    let app = App::new(db, clock, test_db.files_dir());
    let hq = org::create_root_unit(&app, &unit_input("HQ", "customer_department", None, None))
        .await
        .expect("root unit");
    let admin_id = staff::create_by_operator(&app, &user_input("admin", "admin", hq))
        .await
        .expect("admin");
    let admin = Actor::load(&app.db, admin_id)
        .await
        .expect("load")
        .expect("active");
    let branch = org::create_unit(&app, &admin, &unit_input("BJ", "branch", Some(hq), None))
        .await
        .expect("branch")
        .id;
    let technician_id = staff::create(&app, &admin, &user_input("tech", "technician", branch))
        .await
        .expect("technician")
        .id;
    let technician = Actor::load(&app.db, technician_id)
        .await
        .expect("load")
        .expect("active");
    Fixture {
        app,
        admin,
        technician,
        branch,
        _db: test_db,
    }
}

fn copy_of(code: &str, from: &str) -> CalendarInput {
    CalendarInput {
        code: code.into(),
        name: format!("{code} 日历"),
        copy_from: Some(from.into()),
        ..CalendarInput::default()
    }
}

#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(result: Result<T, AppError>, field: &str, code: &str) {
    match result {
        Err(AppError::Validation(errors)) => assert!(
            errors.0.iter().any(|e| e.field == field && e.code == code),
            "expected {field}: {code}, got {errors}"
        ),
        other => panic!("expected {field}: {code}, got {other:?}"),
    }
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(result: Result<T, AppError>, expected: &str) {
    match result {
        Err(AppError::Conflict { code, .. }) => assert_eq!(code, expected),
        other => panic!("expected conflict {expected}, got {other:?}"),
    }
}

const ISSUE_START: &str = "2026-10-08T04:35:00+08:00";

// ----- tests -----

#[tokio::test]
async fn builtin_calendars_are_listed_and_read_only() {
    let f = fixture().await;
    let list = calendars::list(&f.app, &f.technician).await.expect("list");
    let builtin: Vec<_> = list
        .iter()
        .filter(|c| c.builtin)
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(builtin, ["cn-standard", "24x7"]);

    let cn = calendars::get(&f.app, &f.technician, "cn-standard")
        .await
        .expect("get");
    assert_eq!(cn.time_zone, "Asia/Shanghai");
    assert_eq!(cn.periods.mon, ["09:00-12:00", "13:00-18:00"]);
    assert!(cn.periods.sat.is_empty());
    assert!(cn
        .days
        .iter()
        .any(|d| d.date == "2026-10-01" && d.kind == "holiday"));

    let edit = CalendarInput {
        name: "mine".into(),
        time_zone: Some("Asia/Shanghai".into()),
        periods: Some(cn.periods.clone()),
        version: Some(0),
        ..CalendarInput::default()
    };
    assert_conflict(
        calendars::update(&f.app, &f.admin, "cn-standard", &edit).await,
        "builtin_read_only",
    );
    let import = HolidayImport {
        format: "csv".into(),
        text: "2026-12-24,holiday,Christmas Eve".into(),
        replace: false,
    };
    assert_conflict(
        calendars::import_holidays(&f.app, &f.admin, "cn-standard", &import).await,
        "builtin_read_only",
    );
    assert_conflict(
        calendars::delete_day(&f.app, &f.admin, "cn-standard", "2026-10-01").await,
        "builtin_read_only",
    );
    assert_conflict(
        calendars::create(&f.app, &f.admin, &copy_of("cn-standard", "24x7")).await,
        "already_exists",
    );
    // Reading needs org.read, writing settings.write.
    assert!(matches!(
        calendars::create(&f.app, &f.technician, &copy_of("mine", "cn-standard")).await,
        Err(AppError::Forbidden)
    ));
}

#[tokio::test]
async fn the_deadline_of_the_issue_example_on_cn_standard() {
    let f = fixture().await;
    let answer = calendars::deadline(&f.app, &f.technician, "cn-standard", ISSUE_START, "48h")
        .await
        .expect("deadline");
    assert_eq!(answer.deadline, "2026-10-14T18:00:00+08:00");
    assert_eq!(answer.start, ISSUE_START);
    // A `+` that arrived as a space (unencoded query string) is still understood.
    let spaced = calendars::deadline(
        &f.app,
        &f.technician,
        "cn-standard",
        "2026-10-08T04:35:00 08:00",
        "48h",
    )
    .await
    .expect("deadline");
    assert_eq!(spaced.deadline, answer.deadline);
    let elapsed = calendars::elapsed(
        &f.app,
        &f.technician,
        "cn-standard",
        ISSUE_START,
        "2026-10-14T18:00:00+08:00",
    )
    .await
    .expect("elapsed");
    assert_eq!(elapsed.elapsed, "48h");
    assert_invalid(
        calendars::deadline(&f.app, &f.technician, "cn-standard", "yesterday", "2d").await,
        "duration",
        "duration_in_days",
    );
    assert!(matches!(
        calendars::deadline(&f.app, &f.technician, "nowhere", ISSUE_START, "6h").await,
        Err(AppError::NotFound)
    ));
}

#[tokio::test]
async fn a_copy_of_cn_standard_takes_a_new_holiday_and_the_deadline_moves() {
    let f = fixture().await;
    let copy = calendars::create(&f.app, &f.admin, &copy_of("acme", "cn-standard"))
        .await
        .expect("copy");
    let cn = calendars::get(&f.app, &f.admin, "cn-standard")
        .await
        .expect("cn");
    assert!(!copy.builtin);
    assert_eq!(copy.version, 1);
    assert_eq!(copy.periods, cn.periods);
    assert_eq!(copy.days, cn.days);
    let before = calendars::deadline(&f.app, &f.admin, "acme", ISSUE_START, "48h")
        .await
        .expect("deadline");
    assert_eq!(before.deadline, "2026-10-14T18:00:00+08:00");

    let import = HolidayImport {
        format: "csv".into(),
        text: "date,kind,festival,festival_zh\n2026-10-14,holiday,Founders' Day,公司纪念日\n"
            .into(),
        replace: false,
    };
    let result = calendars::import_holidays(&f.app, &f.admin, "acme", &import)
        .await
        .expect("import");
    assert_eq!(result.imported, 1);
    assert_eq!(result.calendar.version, 2);
    assert_eq!(result.calendar.days.len(), cn.days.len() + 1);
    assert!(result
        .calendar
        .days
        .iter()
        .any(|d| d.date == "2026-10-14" && d.name == "公司纪念日"));
    let after = calendars::deadline(&f.app, &f.admin, "acme", ISSUE_START, "48h")
        .await
        .expect("deadline");
    assert_eq!(after.deadline, "2026-10-15T18:00:00+08:00");

    // Deleting the day brings the old deadline back (and a new version, so no stale cache).
    let view = calendars::delete_day(&f.app, &f.admin, "acme", "2026-10-14")
        .await
        .expect("delete");
    assert_eq!(view.version, 3);
    let again = calendars::deadline(&f.app, &f.admin, "acme", ISSUE_START, "48h")
        .await
        .expect("deadline");
    assert_eq!(again.deadline, before.deadline);
    assert!(matches!(
        calendars::delete_day(&f.app, &f.admin, "acme", "2026-10-14").await,
        Err(AppError::NotFound)
    ));
    // Replace keeps only the imported dates.
    let replace = HolidayImport {
        replace: true,
        ..import
    };
    let replaced = calendars::import_holidays(&f.app, &f.admin, "acme", &replace)
        .await
        .expect("replace");
    assert_eq!(replaced.calendar.days.len(), 1);
}

#[tokio::test]
async fn a_bad_import_line_is_named_and_nothing_is_stored() {
    let f = fixture().await;
    calendars::create(&f.app, &f.admin, &copy_of("acme", "cn-standard"))
        .await
        .expect("copy");
    let before = calendars::get(&f.app, &f.admin, "acme").await.expect("get");

    let csv = HolidayImport {
        format: "csv".into(),
        text: "date,kind\n2026-12-24,holiday\n2026-12-32,holiday\n".into(),
        replace: true,
    };
    assert_invalid(
        calendars::import_holidays(&f.app, &f.admin, "acme", &csv).await,
        "line 3",
        "invalid_date",
    );
    let ics = HolidayImport {
        format: "ics".into(),
        text: "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nSUMMARY:Eve\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20261225T090000\r\nSUMMARY:Xmas\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".into(),
        replace: false,
    };
    assert_invalid(
        calendars::import_holidays(&f.app, &f.admin, "acme", &ics).await,
        "line 7",
        "not_all_day",
    );
    let after = calendars::get(&f.app, &f.admin, "acme").await.expect("get");
    assert_eq!(after.version, before.version);
    assert_eq!(after.days, before.days);

    // A good .ics feed with a make-up workday imports.
    let good = HolidayImport {
        format: "ics".into(),
        text: "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\nDTEND;VALUE=DATE:20261226\nSUMMARY:Christmas\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261227\nSUMMARY:补班\nEND:VEVENT\nEND:VCALENDAR\n".into(),
        replace: false,
    };
    let result = calendars::import_holidays(&f.app, &f.admin, "acme", &good)
        .await
        .expect("import");
    assert_eq!(result.imported, 3);
    let kinds: Vec<_> = result
        .calendar
        .days
        .iter()
        .filter(|d| d.date.as_str() >= "2026-12-24" && d.date.as_str() <= "2026-12-27")
        .map(|d| (d.date.as_str(), d.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("2026-12-24", "holiday"),
            ("2026-12-25", "holiday"),
            ("2026-12-27", "workday")
        ]
    );
}

#[tokio::test]
async fn periods_are_validated_and_versions_checked() {
    let f = fixture().await;
    let mut periods = WeeklyPeriods {
        mon: vec!["09:00-12:00".into(), "11:30-18:00".into()],
        ..WeeklyPeriods::default()
    };
    let overlapping = CalendarInput {
        code: "night".into(),
        name: "夜班".into(),
        periods: Some(periods.clone()),
        ..CalendarInput::default()
    };
    assert_invalid(
        calendars::create(&f.app, &f.admin, &overlapping).await,
        "periods.mon",
        "overlapping_periods",
    );
    periods.mon = vec!["9-12".into()];
    assert_invalid(
        calendars::create(
            &f.app,
            &f.admin,
            &CalendarInput {
                periods: Some(periods.clone()),
                time_zone: Some("Mars/Olympus".into()),
                ..overlapping.clone()
            },
        )
        .await,
        "periods.mon[0]",
        "malformed_period",
    );
    assert_invalid(
        calendars::create(
            &f.app,
            &f.admin,
            &CalendarInput {
                periods: Some(WeeklyPeriods::default()),
                ..overlapping.clone()
            },
        )
        .await,
        "periods",
        "no_working_time",
    );
    assert_invalid(
        calendars::create(
            &f.app,
            &f.admin,
            &CalendarInput {
                code: "Night Shift".into(),
                ..overlapping.clone()
            },
        )
        .await,
        "code",
        "invalid_calendar_code",
    );

    // A night desk: 22:00-24:00 and 00:00-06:00 on the next day, in Urumqi's zone.
    periods.mon = vec!["22:00-24:00".into()];
    periods.tue = vec!["00:00-06:00".into(), "22:00-24:00".into()];
    let created = calendars::create(
        &f.app,
        &f.admin,
        &CalendarInput {
            periods: Some(periods.clone()),
            time_zone: Some("Asia/Urumqi".into()),
            ..overlapping.clone()
        },
    )
    .await
    .expect("create");
    assert_eq!(created.periods.tue, ["00:00-06:00", "22:00-24:00"]);
    let deadline = calendars::deadline(&f.app, &f.admin, "night", "2026-11-23T23:00", "3h")
        .await
        .expect("deadline");
    // Clocks run in the calendar's zone (UTC+6), not the viewer's.
    assert_eq!(deadline.deadline, "2026-11-24T02:00:00+06:00");

    let mut update = CalendarInput {
        name: "夜班（改）".into(),
        time_zone: Some("Asia/Urumqi".into()),
        periods: Some(periods.clone()),
        version: Some(1),
        ..CalendarInput::default()
    };
    update.periods.as_mut().expect("periods").mon = vec!["20:00-24:00".into()];
    let updated = calendars::update(&f.app, &f.admin, "night", &update)
        .await
        .expect("update");
    assert_eq!(updated.version, 2);
    assert!(matches!(
        calendars::update(&f.app, &f.admin, "night", &update).await,
        Err(AppError::StaleVersion)
    ));
    // The cached calendar follows the new version.
    let deadline = calendars::deadline(&f.app, &f.admin, "night", "2026-11-23T20:00", "1h")
        .await
        .expect("deadline");
    assert_eq!(deadline.deadline, "2026-11-23T21:00:00+06:00");
}

#[tokio::test]
async fn org_units_customers_and_contracts_refuse_unknown_calendars() {
    let f = fixture().await;
    let unknown = unit_input("SH", "branch", None, Some("mars-time"));
    assert_invalid(
        org::create_unit(&f.app, &f.admin, &unknown).await,
        "calendar_code",
        "unknown_calendar",
    );
    calendars::create(&f.app, &f.admin, &copy_of("branch-cal", "cn-standard"))
        .await
        .expect("copy");
    let unit = org::create_unit(
        &f.app,
        &f.admin,
        &unit_input("SH", "branch", None, Some("branch-cal")),
    )
    .await
    .expect("known calendar");
    assert_eq!(unit.calendar_code, "branch-cal");
    let mut update = unit_input("SH", "branch", None, Some("nowhere"));
    update.version = Some(unit.version);
    assert_invalid(
        org::update_unit(&f.app, &f.admin, unit.id, &update).await,
        "calendar_code",
        "unknown_calendar",
    );

    let customer_input = |calendar: &str| {
        serde_json::from_value::<customers::CustomerInput>(json!({
            "kind": "company",
            "name": "七乘二十四有限公司",
            "phone": "010-66001188",
            "org_unit_id": f.branch,
            "calendar_code": calendar,
        }))
        .expect("customer input")
    };
    assert_invalid(
        customers::create(&f.app, &f.admin, &customer_input("mars-time"), None).await,
        "calendar_code",
        "unknown_calendar",
    );
    let customer = customers::create(&f.app, &f.admin, &customer_input("24x7"), None)
        .await
        .expect("customer");
    assert_eq!(customer.calendar_code.as_deref(), Some("24x7"));
    let contract_input = json!({
        "customer_id": customer.id,
        "start_date": "2026-11-01",
        "end_date": "2027-10-31",
        "fee_fen": 120000,
        "calendar_code": "mars-time",
    });
    assert_invalid(
        contracts::create(
            &f.app,
            &f.admin,
            &serde_json::from_value(contract_input).expect("contract input"),
            None,
        )
        .await,
        "calendar_code",
        "unknown_calendar",
    );
}

#[tokio::test]
async fn the_contract_calendar_wins_then_the_customer_then_the_branch() {
    let f = fixture().await;
    for code in ["branch-cal", "contract-cal"] {
        calendars::create(&f.app, &f.admin, &copy_of(code, "cn-standard"))
            .await
            .expect("copy");
    }
    let effective = |org: Option<i64>, customer: Option<i64>, contract: Option<i64>| {
        let app = f.app.clone();
        async move {
            let reference = app.reference.snapshot(&app.db).await.expect("reference");
            calendars::effective_calendar(&app.db, &reference, org, customer, contract)
                .await
                .expect("effective")
                .code()
                .to_string()
        }
    };
    // Nothing known: cn-standard.
    assert_eq!(effective(None, None, None).await, "cn-standard");
    assert_eq!(effective(Some(f.branch), None, None).await, "cn-standard");

    let branch = org::get_unit(&f.app, &f.admin, f.branch)
        .await
        .expect("branch");
    let mut input = unit_input("BJ", "branch", branch.parent_id, Some("branch-cal"));
    input.version = Some(branch.version);
    org::update_unit(&f.app, &f.admin, f.branch, &input)
        .await
        .expect("branch calendar");
    assert_eq!(effective(Some(f.branch), None, None).await, "branch-cal");

    let customer: customers::CustomerInput = serde_json::from_value(json!({
        "kind": "company",
        "name": "全天候客户",
        "phone": "010-66001199",
        "org_unit_id": f.branch,
    }))
    .expect("input");
    let customer = customers::create(&f.app, &f.admin, &customer, None)
        .await
        .expect("customer");
    assert_eq!(customer.calendar_code, None);
    assert_eq!(
        effective(Some(f.branch), Some(customer.id), None).await,
        "branch-cal"
    );

    let contract = contracts::create(
        &f.app,
        &f.admin,
        &serde_json::from_value(json!({
            "customer_id": customer.id,
            "start_date": "2026-11-01",
            "end_date": "2027-10-31",
            "fee_fen": 120000,
        }))
        .expect("contract input"),
        None,
    )
    .await
    .expect("contract");
    assert_eq!(
        effective(Some(f.branch), Some(customer.id), Some(contract.id)).await,
        "branch-cal"
    );

    // The customer's 7×24 calendar beats the branch's.
    let mut update: customers::CustomerInput = serde_json::from_value(json!({
        "kind": "company",
        "name": "全天候客户",
        "phone": "010-66001199",
        "org_unit_id": f.branch,
        "calendar_code": "24x7",
        "version": customer.version,
    }))
    .expect("input");
    let customer = customers::update(&f.app, &f.admin, customer.id, &update)
        .await
        .expect("customer calendar");
    assert_eq!(
        effective(Some(f.branch), Some(customer.id), Some(contract.id)).await,
        "24x7"
    );
    // An update that does not mention the calendar leaves it alone.
    update.calendar_code = None;
    update.version = Some(customer.version);
    let customer = customers::update(&f.app, &f.admin, customer.id, &update)
        .await
        .expect("customer update");
    assert_eq!(customer.calendar_code.as_deref(), Some("24x7"));

    // The contract's calendar beats both.
    let contract = contracts::update(
        &f.app,
        &f.admin,
        contract.id,
        &serde_json::from_value(json!({
            "customer_id": customer.id,
            "start_date": "2026-11-01",
            "end_date": "2027-10-31",
            "fee_fen": 120000,
            "calendar_code": "contract-cal",
            "version": contract.version,
        }))
        .expect("contract input"),
    )
    .await
    .expect("contract calendar");
    assert_eq!(contract.calendar_code.as_deref(), Some("contract-cal"));
    assert_eq!(
        effective(Some(f.branch), Some(customer.id), Some(contract.id)).await,
        "contract-cal"
    );
    // Without the contract, the customer's again; "" clears the contract's.
    assert_eq!(
        effective(Some(f.branch), Some(customer.id), None).await,
        "24x7"
    );
    let contract = contracts::update(
        &f.app,
        &f.admin,
        contract.id,
        &serde_json::from_value(json!({
            "customer_id": customer.id,
            "start_date": "2026-11-01",
            "end_date": "2027-10-31",
            "fee_fen": 120000,
            "calendar_code": "",
            "version": contract.version,
        }))
        .expect("contract input"),
    )
    .await
    .expect("clear contract calendar");
    assert_eq!(contract.calendar_code, None);
    assert_eq!(
        effective(Some(f.branch), Some(customer.id), Some(contract.id)).await,
        "24x7"
    );
}
