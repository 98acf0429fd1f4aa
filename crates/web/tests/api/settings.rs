//! The settings registry.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{customer_body, TestApp};

#[tokio::test]
async fn the_next_customer_number_follows_a_changed_pattern() {
    let app = TestApp::spawn().await;
    let response = app
        .put_json(
            "/settings/customer.number_pattern",
            Role::Admin,
            json!({"value": "KS-{YYYYMM}-{branch}-{seq:4}"}),
        )
        .await;
    response.assert_status(StatusCode::NO_CONTENT);
    let settings = app.get("/settings", Role::Admin).await;
    let pattern = settings
        .body
        .as_array()
        .expect("settings")
        .iter()
        .find(|s| s["key"] == "customer.number_pattern")
        .expect("registered")
        .clone();
    assert_eq!(pattern["value"], "KS-{YYYYMM}-{branch}-{seq:4}");
    assert_eq!(pattern["default"], "C{seq:6}");

    let customer = app
        .create_customer(customer_body(
            "编号客户",
            "13400001111",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    assert_eq!(customer["number"], "KS-202611-BJ-0001");
    let customer = app
        .create_customer(customer_body(
            "编号客户二",
            "13400002222",
            app.seed.tj,
            app.seed.tj_urban,
        ))
        .await;
    assert_eq!(customer["number"], "KS-202611-TJ-0001");
}

#[tokio::test]
async fn an_invalid_pattern_answers_422_and_changes_nothing() {
    let app = TestApp::spawn().await;
    for bad in ["C-{nope}", "C{YYYY}", "C{seq}{seq}", "C{seq:13}"] {
        app.put_json(
            "/settings/customer.number_pattern",
            Role::Admin,
            json!({"value": bad}),
        )
        .await
        .assert_invalid("value");
    }
    let customer = app
        .create_customer(customer_body(
            "编号客户",
            "13400001111",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    assert_eq!(customer["number"], "C000002");
}

#[tokio::test]
async fn an_unknown_setting_answers_404_and_only_admin_may_change_settings() {
    let app = TestApp::spawn().await;
    app.put_json("/settings/no.such.key", Role::Admin, json!({"value": "1"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    app.put_json(
        "/settings/visit.max_interval_months",
        Role::GeneralManager,
        json!({"value": "6"}),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden", None);
    app.put_json(
        "/settings/visit.max_interval_months",
        Role::Admin,
        json!({"value": "-6"}),
    )
    .await
    .assert_invalid("value");
}
