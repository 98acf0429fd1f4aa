//! Daily reports through the API: a technician's report generated from the jobs they worked
//! (on-site minutes with each order's category), D lines, submission; the supervisor's branch
//! report with who is missing; approval (frozen snapshot), return and forwarding.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use jiff::SignedDuration;
use serde_json::{json, Value};

use crate::helpers::{customer_body, TestApp, SIGNATURE, TODAY};

async fn certify_technician(app: &TestApp) {
    let technician = app.user(Role::Technician);
    app.post_json(
        &format!("/staff/{technician}/qualifications"),
        Role::Admin,
        json!({"kind": "certificate", "product_category": "空调", "title": "空调维修上岗证", "issued_on": "2025-01-01", "expires_on": "2027-12-31"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
}

/// Registers a call for a new BJ customer whose unit was bought on `purchase_date`.
async fn register(app: &TestApp, phone: &str, serial_no: &str, purchase_date: &str) -> Value {
    let customer = app
        .create_customer(customer_body("赵六", phone, app.seed.bj, app.seed.bj_urban))
        .await;
    let customer_id = customer["id"].as_i64().unwrap();
    let unit = app.create_unit(customer_id, serial_no, purchase_date).await;
    let response = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "phone", "customer_id": customer_id, "unit_id": unit["id"],
                   "fault_description": "空调不制冷", "fault_class": "hardware", "urgency": "normal"}),
        )
        .await;
    response.assert_status(StatusCode::CREATED);
    response.body
}

async fn step(app: &TestApp, role: Role, order: Value, event: &str, extra: Value) -> Value {
    let mut body = json!({"version": order["version"]});
    if let (Some(target), Some(more)) = (body.as_object_mut(), extra.as_object()) {
        target.extend(more.clone());
    }
    let response = app
        .post_json(
            &format!("/service-orders/{}/{event}", order["id"]),
            role,
            body,
        )
        .await;
    response.assert_status(StatusCode::OK);
    response.body
}

/// Dispatches, contacts, checks in, stays `minutes` on site and completes with a signature.
async fn work_job(app: &TestApp, order: Value, minutes: i64) -> Value {
    let technician = app.user(Role::Technician);
    let order = step(
        app,
        Role::ServiceSupervisor,
        order,
        "dispatch",
        json!({"technician_id": technician}),
    )
    .await;
    let order = step(app, Role::Technician, order, "record_contact", json!({})).await;
    let order = step(app, Role::Technician, order, "check_in", json!({})).await;
    app.clock.advance(SignedDuration::from_mins(minutes));
    // Paid (category A) work needs the price schedule shown first (REPAIR-2).
    let order = step(
        app,
        Role::Technician,
        order,
        "price-schedule-shown",
        json!({}),
    )
    .await;
    step(
        app,
        Role::Technician,
        order,
        "complete_on_site",
        json!({"note": "更换电容，试机正常", "signature_png": SIGNATURE}),
    )
    .await
}

fn tech_path(technician: i64, rest: &str) -> String {
    format!("/daily-reports/technician/{technician}/{TODAY}{rest}")
}

fn branch_path(app: &TestApp, rest: &str) -> String {
    format!("/daily-reports/branch/{}/{TODAY}{rest}", app.seed.bj)
}

fn line_summary(report: &Value) -> Vec<(Option<i64>, String, i64)> {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["order_id"].as_i64(),
                l["category"].as_str().unwrap().to_string(),
                l["minutes"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_day_of_jobs_is_reported_aggregated_signed_and_forwarded() {
    let app = TestApp::spawn().await;
    certify_technician(&app).await;
    let technician = app.user(Role::Technician);
    // A second technician in BJ who will not submit.
    let absent = app
        .post_json(
            "/staff",
            Role::Admin,
            json!({"username": "bj_tech2", "display_name": "李四", "password": "long-enough-pw",
                   "org_unit_id": app.seed.bj, "roles": ["technician"]}),
        )
        .await;
    absent.assert_status(StatusCode::CREATED);
    let absent = absent.id();

    // Free service (under warranty) for 90 minutes, then paid service for 45.
    let free = register(&app, "13700001001", "SN-DR1", "2026-06-01").await;
    let paid = register(&app, "13700001002", "SN-DR2", "2024-01-10").await;
    assert_eq!(
        (free["category"].as_str(), paid["category"].as_str()),
        (Some("c"), Some("a"))
    );
    let free = work_job(&app, free, 90).await;
    let paid = work_job(&app, paid, 45).await;

    // Before anything is saved, the report is a preview from the orders.
    let preview = app.get(&tech_path(technician, ""), Role::Technician).await;
    preview.assert_status(StatusCode::OK);
    assert!(preview.body["id"].is_null(), "{}", preview.body);
    let generated = app
        .post_json(
            &tech_path(technician, "/generate"),
            Role::Technician,
            json!({}),
        )
        .await;
    generated.assert_status(StatusCode::OK);
    let expected_jobs = vec![
        (free["id"].as_i64(), "c".to_string(), 90),
        (paid["id"].as_i64(), "a".to_string(), 45),
    ];
    assert_eq!(line_summary(&generated.body), expected_jobs);
    assert_eq!(line_summary(&preview.body), expected_jobs);
    assert_eq!(generated.body["lines"][0]["order_number"], free["number"]);

    // A D line for training; refreshing keeps it and changes nothing else.
    app.post_json(
        &tech_path(technician, "/lines"),
        Role::Technician,
        json!({"kind": "magic", "minutes": 30}),
    )
    .await
    .assert_invalid("kind");
    app.post_json(
        &tech_path(technician, "/lines"),
        Role::Technician,
        json!({"kind": "training", "minutes": 0}),
    )
    .await
    .assert_invalid("minutes");
    let with_d = app
        .post_json(
            &tech_path(technician, "/lines"),
            Role::Technician,
            json!({"kind": "training", "minutes": 30, "note": "新机型培训"}),
        )
        .await;
    with_d.assert_status(StatusCode::OK);
    let refreshed = app
        .post_json(
            &tech_path(technician, "/generate"),
            Role::Technician,
            json!({}),
        )
        .await;
    refreshed.assert_status(StatusCode::OK);
    assert_eq!(refreshed.body["lines"], with_d.body["lines"]);
    assert_eq!(
        refreshed.body["totals"],
        json!({"a": 45, "b": 0, "c": 90, "d": 30, "total": 165, "jobs": 2})
    );
    // Job lines cannot be removed; a D line can.
    let job_line = refreshed.body["lines"][0]["id"].as_i64().unwrap();
    app.delete(
        &tech_path(technician, &format!("/lines/{job_line}")),
        Role::Technician,
    )
    .await
    .assert_error(StatusCode::CONFLICT, "job_line", None);
    let extra = app
        .post_json(
            &tech_path(technician, "/lines"),
            Role::Technician,
            json!({"kind": "tool_maintenance", "minutes": 15}),
        )
        .await;
    let extra_id = extra.body["lines"][3]["id"].as_i64().unwrap();
    let removed = app
        .delete(
            &tech_path(technician, &format!("/lines/{extra_id}")),
            Role::Technician,
        )
        .await;
    removed.assert_status(StatusCode::OK);
    assert_eq!(removed.body["totals"]["total"], 165);

    // Only the technician writes their own report.
    app.post_json(
        &tech_path(technician, "/generate"),
        Role::ServiceSupervisor,
        json!({}),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    app.post_json(
        &tech_path(technician, "/submit"),
        Role::ServiceAgent,
        json!({}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    // A technician reads no one else's report, and not the branch's.
    app.get(&tech_path(absent, ""), Role::Technician)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.get(&branch_path(&app, ""), Role::Technician)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    let submitted = app
        .post_json(
            &tech_path(technician, "/submit"),
            Role::Technician,
            json!({}),
        )
        .await;
    submitted.assert_status(StatusCode::OK);
    assert_eq!(submitted.body["status"], "submitted");
    app.post_json(
        &tech_path(technician, "/submit"),
        Role::Technician,
        json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    app.post_json(
        &tech_path(technician, "/lines"),
        Role::Technician,
        json!({"kind": "training", "minutes": 10}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "report_submitted", None);

    // The supervisor's report sums the submitted one and names who is missing.
    let branch = app
        .get(&branch_path(&app, ""), Role::ServiceSupervisor)
        .await;
    branch.assert_status(StatusCode::OK);
    assert_eq!(branch.body["status"], "draft");
    assert_eq!(branch.body["technicians"][0]["technician_id"], technician);
    assert_eq!(
        branch.body["totals"],
        json!({"a": 45, "b": 0, "c": 90, "d": 30, "total": 165, "jobs": 2})
    );
    assert_eq!(
        branch.body["missing"],
        json!([{"technician_id": absent, "technician_name": "李四", "status": "none"}])
    );
    assert_eq!(branch.body["next_events"], json!(["submit"]));
    // The branch manager cannot approve what was not submitted; wrong roles are refused.
    app.post_json(
        &branch_path(&app, "/approve"),
        Role::BranchManager,
        json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    app.post_json(&branch_path(&app, "/submit"), Role::Technician, json!({}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let sent = app
        .post_json(
            &branch_path(&app, "/submit"),
            Role::ServiceSupervisor,
            json!({}),
        )
        .await;
    sent.assert_status(StatusCode::OK);
    assert_eq!(sent.body["status"], "submitted");
    app.post_json(
        &branch_path(&app, "/approve"),
        Role::ServiceSupervisor,
        json!({}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post_json(
        &branch_path(&app, "/forward"),
        Role::BranchManager,
        json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    // Returned for correction needs a reason, and goes back to draft.
    app.post_json(
        &branch_path(&app, "/return"),
        Role::BranchManager,
        json!({}),
    )
    .await
    .assert_invalid("reason");
    let returned = app
        .post_json(
            &branch_path(&app, "/return"),
            Role::BranchManager,
            json!({"reason": "李四的日报未交"}),
        )
        .await;
    returned.assert_status(StatusCode::OK);
    assert_eq!(returned.body["status"], "draft");
    assert_eq!(returned.body["return_reason"], "李四的日报未交");
    app.post_json(
        &branch_path(&app, "/submit"),
        Role::ServiceSupervisor,
        json!(null),
    )
    .await
    .assert_status(StatusCode::OK);
    let approved = app
        .post_json(
            &branch_path(&app, "/approve"),
            Role::BranchManager,
            json!({}),
        )
        .await;
    approved.assert_status(StatusCode::OK);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["frozen"], true);
    assert!(approved.body["approved_by"].is_string());

    // The supervisor reopens the technician's report; the correction does not touch what
    // the branch manager signed.
    app.post_json(
        &tech_path(technician, "/reopen"),
        Role::ServiceSupervisor,
        json!({"reason": "补报零件管理"}),
    )
    .await
    .assert_status(StatusCode::OK);
    app.post_json(
        &tech_path(technician, "/lines"),
        Role::Technician,
        json!({"kind": "parts_management", "minutes": 60}),
    )
    .await
    .assert_status(StatusCode::OK);
    let resubmitted = app
        .post_json(
            &tech_path(technician, "/submit"),
            Role::Technician,
            json!({}),
        )
        .await;
    assert_eq!(resubmitted.body["totals"]["d"], 90);
    let signed = app.get(&branch_path(&app, ""), Role::BranchManager).await;
    assert_eq!(signed.body["totals"]["total"], 165);
    assert_eq!(signed.body["totals"]["d"], 30);

    // Forwarding notifies the customer department, who see every branch's report.
    let before = app.get("/notifications", Role::CustomerDepartment).await;
    assert_eq!(before.body["total"], 0);
    let forwarded = app
        .post_json(
            &branch_path(&app, "/forward"),
            Role::BranchManager,
            json!({}),
        )
        .await;
    forwarded.assert_status(StatusCode::OK);
    assert_eq!(forwarded.body["status"], "forwarded");
    assert!(forwarded.body["next_events"].as_array().unwrap().is_empty());
    let inbox = app.get("/notifications", Role::CustomerDepartment).await;
    assert_eq!(
        inbox.body["items"][0]["kind"],
        "branch_daily_report_forwarded"
    );
    let seen = app
        .get(&branch_path(&app, ""), Role::CustomerDepartment)
        .await;
    assert_eq!(seen.body["status"], "forwarded");
    assert_eq!(seen.body["totals"]["total"], 165);
    app.post_json(
        &branch_path(&app, "/forward"),
        Role::BranchManager,
        json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
}

#[tokio::test]
async fn branch_reports_are_scoped_and_dates_are_checked() {
    let app = TestApp::spawn().await;
    // BJ staff do not see TJ's report; the customer department does.
    let tj = format!("/daily-reports/branch/{}/{TODAY}", app.seed.tj);
    app.get(&tj, Role::BranchManager)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get(&tj, Role::CustomerDepartment)
        .await
        .assert_status(StatusCode::OK);
    let technician = app.user(Role::Technician);
    app.get(
        &format!("/daily-reports/technician/{technician}/2026-13-01"),
        Role::Technician,
    )
    .await
    .assert_invalid("date");
    app.post_json(
        &format!("/daily-reports/technician/{technician}/2026-11-23/generate"),
        Role::Technician,
        json!({}),
    )
    .await
    .assert_invalid("date");
    // An empty day can be submitted: zero minutes, no lines.
    let empty = app
        .post_json(
            &tech_path(technician, "/submit"),
            Role::Technician,
            json!({}),
        )
        .await;
    empty.assert_status(StatusCode::OK);
    assert_eq!(empty.body["totals"]["total"], 0);
}

/// A page as the signed-in user of `role` sees it (status and HTML).
async fn page(app: &TestApp, path: &str, role: Role) -> (StatusCode, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let session = aftersales_app::auth::sign_in(
        &app.app,
        &format!("u_{}", role.as_str()),
        crate::helpers::PASSWORD,
        "127.0.0.1",
    )
    .await
    .expect("sign in");
    let request = axum::http::Request::get(path)
        .header("cookie", format!("as_session={}", session.token))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_pages_show_my_report_the_branch_report_and_their_print_views() {
    let app = TestApp::spawn().await;
    let technician = app.user(Role::Technician);
    app.post_json(
        &tech_path(technician, "/lines"),
        Role::Technician,
        json!({"kind": "parts_management", "minutes": 40, "note": "盘点备件"}),
    )
    .await
    .assert_status(StatusCode::OK);
    let (status, html) = page(&app, &tech_path(technician, ""), Role::Technician).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("我的日报") && html.contains("盘点备件") && html.contains("零件管理"),
        "{html}"
    );
    assert!(html.contains("name=\"action\" value=\"submit\""));
    let (status, html) = page(&app, &tech_path(technician, "/print"), Role::Technician).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("技术员工作日报表"));
    app.post_json(
        &tech_path(technician, "/submit"),
        Role::Technician,
        json!({}),
    )
    .await
    .assert_status(StatusCode::OK);
    app.post_json(
        &branch_path(&app, "/submit"),
        Role::ServiceSupervisor,
        json!({}),
    )
    .await
    .assert_status(StatusCode::OK);
    let (status, html) = page(&app, &branch_path(&app, ""), Role::BranchManager).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("服务主任日报表") && html.contains("id=\"branch-approve\""),
        "{html}"
    );
    // The supervisor sees the report but no approval button.
    let (_, html) = page(&app, &branch_path(&app, ""), Role::ServiceSupervisor).await;
    assert!(!html.contains("id=\"branch-approve\""));
    let (status, html) = page(&app, &branch_path(&app, "/print"), Role::BranchManager).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("服务主任日报表") && html.contains("size: A4"));
    let (status, _) = page(&app, "/my-daily-report", Role::Technician).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

/// Notification kinds in a role's inbox.
async fn kinds(app: &TestApp, role: Role) -> Vec<String> {
    let inbox = app.get("/notifications?per_page=100", role).await;
    inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn each_working_day_the_missing_reports_are_chased_once_and_weekends_are_quiet() {
    let app = TestApp::spawn().await;
    let scheduled = aftersales_app::daily_reports::ensure_reminders(&app.app.db, app.app.now_ms())
        .await
        .unwrap();
    assert!(scheduled >= 2, "the branches and HQ: {scheduled}");
    // Sunday 17:30 passes: no working day, nobody is chased.
    app.clock.set("2026-11-22T10:00:00Z".parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 50).await.unwrap();
    assert!(!kinds(&app, Role::Technician)
        .await
        .contains(&"daily_report_reminder".to_string()));
    // Monday 17:30: the technician has not submitted, the supervisor has not either.
    app.clock.set("2026-11-23T09:31:00Z".parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 50).await.unwrap();
    aftersales_app::timers::run_due(&app.app, 50).await.unwrap();
    let technician = kinds(&app, Role::Technician).await;
    assert_eq!(
        technician
            .iter()
            .filter(|k| *k == "daily_report_reminder")
            .count(),
        1,
        "{technician:?}"
    );
    assert!(kinds(&app, Role::ServiceSupervisor)
        .await
        .contains(&"branch_report_due".to_string()));
    // The technician submits Tuesday's report: Tuesday evening only the supervisor is chased.
    app.clock.set("2026-11-24T08:00:00Z".parse().unwrap());
    let path = format!(
        "/daily-reports/technician/{}/2026-11-24",
        app.user(Role::Technician)
    );
    app.post_json(&format!("{path}/generate"), Role::Technician, json!({}))
        .await
        .assert_status(StatusCode::OK);
    app.post_json(&format!("{path}/submit"), Role::Technician, json!({}))
        .await
        .assert_status(StatusCode::OK);
    app.clock.set("2026-11-24T09:31:00Z".parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 50).await.unwrap();
    let technician = kinds(&app, Role::Technician).await;
    let chased = technician
        .iter()
        .filter(|k| *k == "daily_report_reminder")
        .count();
    assert_eq!(chased, 1, "{technician:?}");
    let supervisor = kinds(&app, Role::ServiceSupervisor).await;
    assert_eq!(
        supervisor
            .iter()
            .filter(|k| *k == "branch_report_due")
            .count(),
        2,
        "{supervisor:?}"
    );
}
