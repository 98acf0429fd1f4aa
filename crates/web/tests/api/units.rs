//! Units: purchase facts, warranty per component on a date, contract coverage.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{customer_body, unit_body, TestApp, TODAY};

async fn customer(app: &TestApp) -> i64 {
    app.create_customer(customer_body(
        "单元客户",
        "13700007777",
        app.seed.bj,
        app.seed.bj_urban,
    ))
    .await["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_purchase_date_in_the_future_answers_422() {
    let app = TestApp::spawn().await;
    let customer = customer(&app).await;
    let body = unit_body(app.seed.product, customer, "SN-F1", "2026-11-23");
    let response = app.post_json("/units", Role::ServiceAgent, body).await;
    response.assert_invalid("purchase_date");
    assert_eq!(response.body["errors"][0]["code"], "in_future");
    // Today itself is fine.
    let body = unit_body(app.seed.product, customer, "SN-F1", TODAY);
    app.post_json("/units", Role::ServiceAgent, body)
        .await
        .assert_status(StatusCode::CREATED);
}

#[tokio::test]
async fn a_negative_price_answers_422() {
    let app = TestApp::spawn().await;
    let customer = customer(&app).await;
    let mut body = unit_body(app.seed.product, customer, "SN-N1", "2026-10-01");
    body["paid_price_fen"] = json!(-1);
    app.post_json("/units", Role::ServiceAgent, body.clone())
        .await
        .assert_invalid("paid_price_fen");
    body["paid_price_fen"] = json!(0);
    body["list_price_fen"] = json!(-100);
    app.post_json("/units", Role::ServiceAgent, body)
        .await
        .assert_invalid("list_price_fen");
    let units = app.get("/units", Role::Admin).await;
    assert_eq!(units.body["total"], 0, "nothing stored: {}", units.body);
}

#[tokio::test]
async fn the_warranty_of_each_component_on_a_date_follows_the_products_periods() {
    let app = TestApp::spawn().await;
    let customer = customer(&app).await;
    // Product: unit 12 months, 压缩机 60 months, 遥控器 6 months.
    let unit = app.create_unit(customer, "SN-W1", "2026-01-10").await;
    let id = unit["id"].as_i64().unwrap();

    let cases = [
        // (on, unit, 压缩机, 遥控器)
        ("2026-01-09", false, false, false),
        ("2026-01-10", true, true, true),
        ("2026-07-09", true, true, true),
        ("2026-07-10", true, true, false),
        ("2027-01-09", true, true, false),
        ("2027-01-10", false, true, false),
        ("2031-01-09", false, true, false),
        ("2031-01-10", false, false, false),
    ];
    for (on, whole, compressor, remote) in cases {
        let response = app
            .get(&format!("/units/{id}?on={on}"), Role::Technician)
            .await;
        response.assert_status(StatusCode::OK);
        let warranty = &response.body["warranty"];
        assert_eq!(response.body["as_of"], on);
        assert_eq!(warranty["unit"]["under_warranty"], whole, "unit on {on}");
        let components = warranty["components"].as_array().expect("components");
        assert_eq!(components.len(), 2);
        assert_eq!(components[0]["name"], "压缩机");
        assert_eq!(
            components[0]["status"]["under_warranty"], compressor,
            "压缩机 on {on}"
        );
        assert_eq!(components[1]["name"], "遥控器");
        assert_eq!(
            components[1]["status"]["under_warranty"], remote,
            "遥控器 on {on}"
        );
    }
    let response = app
        .get(&format!("/units/{id}?on=2026-07-01"), Role::Technician)
        .await;
    let warranty = &response.body["warranty"];
    assert_eq!(warranty["unit"]["last_day"], "2027-01-09");
    assert_eq!(
        warranty["components"][0]["status"]["last_day"],
        "2031-01-09"
    );
    assert_eq!(
        warranty["components"][1]["status"]["last_day"],
        "2026-07-09"
    );
    assert_eq!(warranty["components"][1]["status"]["days_left"], 9);

    // Without `on`, the test clock's today.
    let today = app.get(&format!("/units/{id}"), Role::Technician).await;
    assert_eq!(today.body["as_of"], TODAY);
    assert_eq!(today.body["warranty"]["unit"]["under_warranty"], true);
    // A malformed date is a validation error on `on`.
    app.get(&format!("/units/{id}?on=2026-13-01"), Role::Technician)
        .await
        .assert_invalid("on");
}

#[tokio::test]
async fn contract_coverage_appears_once_a_covering_contract_is_signed() {
    let app = TestApp::spawn().await;
    let customer = customer(&app).await;
    let unit = app.create_unit(customer, "SN-C1", "2025-06-01").await;
    let unit_id = unit["id"].as_i64().unwrap();
    let contract = app.create_contract(customer, &[unit_id]).await;
    assert_eq!(contract["status"], "draft");
    let path = format!("/units/{unit_id}?on=2026-12-01");

    let draft = app.get(&path, Role::ServiceAgent).await;
    draft.assert_status(StatusCode::OK);
    assert!(
        draft.body["contract"].is_null(),
        "a draft covers nothing: {}",
        draft.body
    );

    let signed = app
        .post_json(
            &format!("/contracts/{}/status", contract["id"]),
            Role::Admin,
            json!({"status": "active", "version": contract["version"]}),
        )
        .await;
    signed.assert_status(StatusCode::OK);
    assert_eq!(signed.body["status"], "active");

    let covered = app.get(&path, Role::ServiceAgent).await;
    assert_eq!(covered.body["contract"]["contract_id"], contract["id"]);
    assert_eq!(
        covered.body["contract"]["contract_number"],
        contract["number"]
    );
    assert_eq!(covered.body["contract"]["end_date"], "2027-10-31");
    // Outside the contract period there is no coverage.
    for on in ["2026-10-31", "2027-11-01"] {
        let outside = app
            .get(&format!("/units/{unit_id}?on={on}"), Role::ServiceAgent)
            .await;
        assert!(
            outside.body["contract"].is_null(),
            "on {on}: {}",
            outside.body
        );
    }
}

#[tokio::test]
async fn a_unit_update_with_a_stale_version_answers_409() {
    let app = TestApp::spawn().await;
    let customer = customer(&app).await;
    let unit = app.create_unit(customer, "SN-V1", "2026-10-01").await;
    let path = format!("/units/{}", unit["id"]);
    let mut body = unit_body(app.seed.product, customer, "SN-V1", "2026-10-02");
    body["version"] = json!(1);
    app.put_json(&path, Role::ServiceAgent, body.clone())
        .await
        .assert_status(StatusCode::OK);
    app.put_json(&path, Role::ServiceAgent, body)
        .await
        .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
}

#[tokio::test]
async fn a_duplicate_serial_number_answers_409_naming_it() {
    let app = TestApp::spawn().await;
    let customer = customer(&app).await;
    app.create_unit(customer, "SN-D1", "2026-10-01").await;
    let body = unit_body(app.seed.product, customer, "SN-D1", "2026-10-01");
    app.post_json("/units", Role::Admin, body)
        .await
        .assert_error(StatusCode::CONFLICT, "already_exists", Some("serial_no"));
}

#[tokio::test]
async fn today_is_the_date_in_shanghai_not_in_utc() {
    let app = TestApp::spawn().await;
    let customer = customer(&app).await;
    // 16:30 UTC on the 22nd is 00:30 on the 23rd in Asia/Shanghai.
    app.clock.set("2026-11-22T16:30:00Z".parse().unwrap());
    let body = unit_body(app.seed.product, customer, "SN-TZ1", "2026-11-23");
    let created = app.post_json("/units", Role::ServiceAgent, body).await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["as_of"], "2026-11-23");
    let body = unit_body(app.seed.product, customer, "SN-TZ2", "2026-11-24");
    app.post_json("/units", Role::ServiceAgent, body)
        .await
        .assert_invalid("purchase_date");
}
