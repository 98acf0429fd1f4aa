//! Maintenance contracts: status transitions, fixed signed terms, covered units.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{contract_body, customer_body, TestApp};

async fn customer(app: &TestApp, name: &str, phone: &str) -> i64 {
    app.create_customer(customer_body(name, phone, app.seed.bj, app.seed.bj_urban))
        .await["id"]
        .as_i64()
        .unwrap()
}

async fn set_status(
    app: &TestApp,
    id: i64,
    status: &str,
    version: i64,
) -> crate::helpers::TestResponse {
    app.post_json(
        &format!("/contracts/{id}/status"),
        Role::Admin,
        json!({"status": status, "version": version}),
    )
    .await
}

#[tokio::test]
async fn an_invalid_status_transition_answers_409() {
    let app = TestApp::spawn().await;
    let customer = customer(&app, "合同客户", "13600001111").await;
    let contract = app.create_contract(customer, &[]).await;
    let id = contract["id"].as_i64().unwrap();
    assert!(
        contract["number"].as_str().unwrap().starts_with("BY2026-"),
        "{contract}"
    );

    // A draft cannot be terminated or renewed, only signed.
    for to in ["terminated", "renewed", "expired", "draft"] {
        let response = set_status(&app, id, to, 1).await;
        response.assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    }
    set_status(&app, id, "active", 1)
        .await
        .assert_status(StatusCode::OK);
    // Signed twice is not a transition either; an unknown status is a validation error.
    set_status(&app, id, "active", 2).await.assert_error(
        StatusCode::CONFLICT,
        "invalid_transition",
        Some("status"),
    );
    set_status(&app, id, "bogus", 2)
        .await
        .assert_invalid("status");
    let terminated = set_status(&app, id, "terminated", 2).await;
    terminated.assert_status(StatusCode::OK);
    assert_eq!(terminated.body["status"], "terminated");
    assert_eq!(terminated.body["covers_today"], false);
    set_status(&app, id, "active", 3).await.assert_error(
        StatusCode::CONFLICT,
        "invalid_transition",
        Some("status"),
    );
}

#[tokio::test]
async fn a_status_change_with_a_stale_version_answers_409() {
    let app = TestApp::spawn().await;
    let customer = customer(&app, "合同客户", "13600001111").await;
    let contract = app.create_contract(customer, &[]).await;
    set_status(&app, contract["id"].as_i64().unwrap(), "active", 7)
        .await
        .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
}

#[tokio::test]
async fn the_terms_of_a_signed_contract_cannot_change() {
    let app = TestApp::spawn().await;
    let customer = customer(&app, "合同客户", "13600001111").await;
    let unit = app.create_unit(customer, "SN-K1", "2026-05-01").await;
    let contract = app.create_contract(customer, &[]).await;
    let id = contract["id"].as_i64().unwrap();
    let path = format!("/contracts/{id}");

    // A draft's terms change freely.
    let mut terms = contract_body(customer, &[], "2026-11-01", "2027-10-31", 150_000);
    terms["version"] = json!(1);
    let draft = app.put_json(&path, Role::Admin, terms).await;
    draft.assert_status(StatusCode::OK);
    assert_eq!(draft.body["fee_fen"], 150_000);

    set_status(&app, id, "active", 2)
        .await
        .assert_status(StatusCode::OK);
    for (start, end, fee) in [
        ("2026-11-01", "2027-10-31", 99_000),
        ("2026-12-01", "2027-10-31", 150_000),
        ("2026-11-01", "2028-10-31", 150_000),
    ] {
        let mut changed = contract_body(customer, &[], start, end, fee);
        changed["version"] = json!(3);
        app.put_json(&path, Role::Admin, changed)
            .await
            .assert_error(StatusCode::CONFLICT, "signed_terms_are_fixed", None);
    }
    // What is not a signed term still changes: the covered units and the visits.
    let mut same_terms = contract_body(
        customer,
        &[unit["id"].as_i64().unwrap()],
        "2026-11-01",
        "2027-10-31",
        150_000,
    );
    same_terms["version"] = json!(3);
    same_terms["visits_per_year"] = json!(4);
    let updated = app.put_json(&path, Role::Admin, same_terms).await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.body["unit_ids"], json!([unit["id"]]));
    assert_eq!(updated.body["visits_per_year"], 4);
    assert_eq!(updated.body["fee_fen"], 150_000);
}

#[tokio::test]
async fn a_unit_of_another_customer_answers_422_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let owner = customer(&app, "设备主人", "13600001111").await;
    let other = customer(&app, "另一个客户", "13600002222").await;
    let unit = app.create_unit(owner, "SN-O1", "2026-05-01").await;
    let body = contract_body(
        other,
        &[unit["id"].as_i64().unwrap()],
        "2026-11-01",
        "2027-10-31",
        1,
    );
    let response = app.post_json("/contracts", Role::Admin, body).await;
    response.assert_invalid("unit_ids[0]");
    assert_eq!(response.body["errors"][0]["code"], "not_customers_unit");
    let contracts = app.get("/contracts", Role::Admin).await;
    assert_eq!(contracts.body["total"], 0, "{}", contracts.body);
}

#[tokio::test]
async fn an_end_before_the_start_answers_422() {
    let app = TestApp::spawn().await;
    let customer = customer(&app, "合同客户", "13600001111").await;
    let body = contract_body(customer, &[], "2026-11-01", "2026-10-31", 1);
    app.post_json("/contracts", Role::Admin, body)
        .await
        .assert_invalid("end_date");
}

#[tokio::test]
async fn a_contract_cannot_change_customer() {
    let app = TestApp::spawn().await;
    let first = customer(&app, "甲方", "13600001111").await;
    let second = customer(&app, "乙方", "13600002222").await;
    let contract = app.create_contract(first, &[]).await;
    let mut body = contract_body(second, &[], "2026-11-01", "2027-10-31", 120_000);
    body["version"] = json!(1);
    app.put_json(&format!("/contracts/{}", contract["id"]), Role::Admin, body)
        .await
        .assert_invalid("customer_id");
}
