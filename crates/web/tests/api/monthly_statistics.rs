//! The monthly statistics (REPORT-1, T13): drafted on the 1st from what was recorded,
//! reminded on the 3rd, flagged late after the 5th, submitted by the customer department.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{customer_body, TestApp};

async fn kinds(app: &TestApp, role: Role) -> Vec<String> {
    let inbox = app.get("/notifications?per_page=100", role).await;
    inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn run_at(app: &TestApp, instant: &str) {
    app.clock.set(instant.parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 50).await.unwrap();
}

#[tokio::test]
async fn a_month_is_drafted_reminded_flagged_late_and_submitted() {
    let app = TestApp::spawn().await;
    assert!(
        aftersales_app::monthly_statistics::ensure_cycle(&app.app.db, app.app.now_ms())
            .await
            .unwrap()
    );
    // November: one visit on Monday the 23rd, and a transport task closed at ¥120.
    let customer = app
        .create_customer(customer_body(
            "统计客户",
            "13900000201",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let unit = app
        .create_unit(customer["id"].as_i64().unwrap(), "SN-STAT-1", "2026-06-01")
        .await;
    let order = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "phone", "customer_id": customer["id"], "unit_id": unit["id"],
                   "fault_description": "不制冷", "fault_class": "hardware", "urgency": "normal"}),
        )
        .await;
    order.assert_status(StatusCode::CREATED);
    let technician = app.user(Role::Technician);
    app.post_json(
        &format!("/staff/{technician}/qualifications"),
        Role::Admin,
        json!({"kind": "certificate", "product_category": "空调", "title": "上岗证", "issued_on": "2025-01-01"}),
    )
    .await;
    app.clock.set("2026-11-23T01:30:00Z".parse().unwrap());
    let mut current = order.body;
    for (event, role, extra) in [
        (
            "dispatch",
            Role::ServiceSupervisor,
            json!({"technician_id": technician}),
        ),
        ("record_contact", Role::Technician, json!({})),
        ("check_in", Role::Technician, json!({})),
    ] {
        let mut body = json!({"version": current["version"]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let response = app
            .post_json(
                &format!("/service-orders/{}/{event}", current["id"]),
                role,
                body,
            )
            .await;
        response.assert_status(StatusCode::OK);
        current = response.body;
    }
    let department = app
        .post_json(
            "/org-units",
            Role::Admin,
            json!({"code": "TRANS", "name": "运输部", "kind": "department", "department_kind": "transport", "parent_id": app.seed.hq}),
        )
        .await;
    department.assert_status(StatusCode::CREATED);
    let member = app
        .post_json(
            "/staff",
            Role::Admin,
            json!({"username": "yunshu_t", "display_name": "运输员", "password": "long-enough-pw",
                   "org_unit_id": department.id(), "roles": ["department_staff"], "skills": []}),
        )
        .await;
    member.assert_status(StatusCode::CREATED);
    let task = app
        .post_json(
            &format!("/service-orders/{}/tasks", current["id"]),
            Role::Technician,
            json!({"kind": "transport", "description": "整机运回"}),
        )
        .await;
    task.assert_status(StatusCode::CREATED);
    let mover = aftersales_app::Actor::load(&app.app.db, member.id())
        .await
        .unwrap()
        .unwrap();
    aftersales_app::order_tasks::close(
        &app.app,
        &mover,
        task.id(),
        &aftersales_app::order_tasks::CloseInput {
            version: 1,
            outcome: "已运回".into(),
            cost_fen: Some(12_000),
        },
    )
    .await
    .unwrap();
    // December 1st, 08:00 in Shanghai: the draft.
    run_at(&app, "2026-12-01T00:30:00Z").await;
    let november = app
        .get("/monthly-statistics/2026-11", Role::GeneralManager)
        .await;
    november.assert_status(StatusCode::OK);
    assert_eq!(november.body["status"], "draft");
    assert_eq!(november.body["dispatch"]["person_times"], 1);
    assert_eq!(november.body["dispatch"]["person_days"], 1.0);
    assert_eq!(november.body["dispatch"]["cost_fen"], 20_000);
    assert_eq!(november.body["transport_fen"], 12_000);
    assert_eq!(november.body["total_cost_fen"], 32_000);
    assert_eq!(november.body["due_on"], "2026-12-05");
    assert!(kinds(&app, Role::CustomerDepartment)
        .await
        .contains(&"monthly_statistics_draft".to_string()));
    // The 3rd: a reminder; after the 5th: late, and the GM hears of it.
    run_at(&app, "2026-12-03T00:30:00Z").await;
    assert!(kinds(&app, Role::CustomerDepartment)
        .await
        .contains(&"monthly_statistics_reminder".to_string()));
    run_at(&app, "2026-12-06T00:30:00Z").await;
    assert!(kinds(&app, Role::GeneralManager)
        .await
        .contains(&"monthly_statistics_late".to_string()));
    let submit = |version| json!({"version": version});
    app.post_json(
        "/monthly-statistics/2026-11/submit",
        Role::Technician,
        submit(1),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let submitted = app
        .post_json(
            "/monthly-statistics/2026-11/submit",
            Role::CustomerDepartment,
            submit(1),
        )
        .await;
    submitted.assert_status(StatusCode::OK);
    assert_eq!(submitted.body["status"], "submitted");
    assert_eq!(submitted.body["late"], true);
    app.post_json(
        "/monthly-statistics/2026-11/submit",
        Role::CustomerDepartment,
        submit(2),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_submitted", Some("status"));
    // December is not over; the next draft is already scheduled.
    app.post_json(
        "/monthly-statistics/2026-12/draft",
        Role::CustomerDepartment,
        json!({}),
    )
    .await
    .assert_invalid("month");
}
