//! On-call misses (STAFF-4, T20): only an unexplained miss inside the window is a breach.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn an_unexplained_miss_in_the_window_opens_an_incident_and_others_do_not() {
    let app = TestApp::spawn().await;
    let technician = app.user(Role::Technician);
    let miss = |at: &str, reason: Option<&str>| json!({"staff_id": technician, "kind": "switched_off", "at": at, "reason": reason});
    // 09:30 in Shanghai, no reason: an on-call breach incident.
    let breach = app
        .post_json(
            "/on-call-misses",
            Role::ServiceSupervisor,
            miss("2026-11-22T01:30:00Z", None),
        )
        .await;
    breach.assert_status(StatusCode::CREATED);
    let incident = breach.body["incident_id"].as_i64().expect("incident");
    let listed = app
        .get("/discipline-incidents", Role::ServiceSupervisor)
        .await;
    listed.assert_status(StatusCode::OK);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["id"], incident);
    assert_eq!(items[0]["kind"], "on_call_breach");
    assert_eq!(items[0]["staff_id"], technician);
    // With a reason: recorded, no incident.
    let explained = app
        .post_json(
            "/on-call-misses",
            Role::ServiceSupervisor,
            miss("2026-11-22T01:40:00Z", Some("在地下室维修，无信号")),
        )
        .await;
    explained.assert_status(StatusCode::CREATED);
    assert_eq!(explained.body["incident_id"], serde_json::Value::Null);
    // 23:00 is outside the window; the future is refused; technicians cannot report.
    app.post_json(
        "/on-call-misses",
        Role::ServiceSupervisor,
        miss("2026-11-21T15:00:00Z", None),
    )
    .await
    .assert_invalid("at");
    app.post_json(
        "/on-call-misses",
        Role::ServiceSupervisor,
        miss("2026-11-22T05:00:00Z", None),
    )
    .await
    .assert_invalid("at");
    app.post_json(
        "/on-call-misses",
        Role::Technician,
        miss("2026-11-22T01:30:00Z", None),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    // The window is a setting.
    app.put_json(
        "/settings/staff.oncall_window",
        Role::Admin,
        json!({"value": "09:45-18:00"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    app.post_json(
        "/on-call-misses",
        Role::ServiceSupervisor,
        miss("2026-11-22T01:30:00Z", None),
    )
    .await
    .assert_invalid("at");
    app.put_json(
        "/settings/staff.oncall_window",
        Role::Admin,
        json!({"value": "22:00-08:00"}),
    )
    .await
    .assert_invalid("value");
}
