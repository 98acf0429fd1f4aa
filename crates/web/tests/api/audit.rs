//! The audit trail of a record.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{customer_body, TestApp};

#[tokio::test]
async fn creating_and_updating_a_customer_leaves_audit_entries_with_before_and_after() {
    let app = TestApp::spawn().await;
    let created = app
        .post_json(
            "/customers",
            Role::ServiceAgent,
            customer_body("审计客户", "13300003333", app.seed.bj, app.seed.bj_urban),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let id = created.id();
    app.put_json(
        &format!("/customers/{id}"),
        Role::ServiceAgent,
        json!({"kind": "person", "name": "审计客户（改名）", "phone": "13300004444", "version": 1}),
    )
    .await
    .assert_status(StatusCode::OK);

    let trail = app.get(&format!("/audit/customer/{id}"), Role::Admin).await;
    trail.assert_status(StatusCode::OK);
    let entries = trail.body.as_array().expect("entries");
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["update", "create"],
        "newest first: {}",
        trail.body
    );
    let update = &entries[0];
    assert_eq!(update["actor"], "u_service_agent");
    let change = |field: &str| {
        update["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == field)
            .unwrap_or_else(|| panic!("no change of {field}: {update}"))
            .clone()
    };
    assert_eq!(change("name")["before"], "审计客户");
    assert_eq!(change("name")["after"], "审计客户（改名）");
    assert_eq!(change("phone")["before"], "13300003333");
    assert_eq!(change("phone")["after"], "13300004444");
    let changed: Vec<&str> = update["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(!changed.contains(&"version"), "{changed:?}");
    assert!(!changed.contains(&"number"), "{changed:?}");
    // The creation records the new values.
    let create = &entries[1];
    let name = create["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "name")
        .expect("name set on create");
    assert!(name["before"].is_null());
    assert_eq!(name["after"], "审计客户");
    assert_eq!(create["at"], crate::helpers::START);
}

#[tokio::test]
async fn the_audit_trail_is_forbidden_to_a_technician() {
    let app = TestApp::spawn().await;
    let id = app.seed.portal_customer;
    app.get(&format!("/audit/customer/{id}"), Role::Technician)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden", None);
    app.get(&format!("/audit/customer/{id}"), Role::Qa)
        .await
        .assert_status(StatusCode::OK);
}
