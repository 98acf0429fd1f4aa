//! Billing: the price schedule (BILLING-1).

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

fn item(code: &str, kind: &str, price_fen: i64) -> serde_json::Value {
    json!({"code": code, "name": format!("项目 {code}"), "kind": kind, "price_fen": price_fen})
}

#[tokio::test]
async fn price_items_are_created_listed_and_updated_by_product_managers() {
    let app = TestApp::spawn().await;
    let created = app
        .post_json(
            "/price-items",
            Role::CustomerDepartment,
            item("SM-01", "travel", 3_000),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["price"], "30.00");
    assert_eq!(created.body["active"], true);
    let id = created.id();
    app.post_json("/price-items", Role::Admin, item("WX-01", "repair", 8_000))
        .await
        .assert_status(StatusCode::CREATED);

    // Everyone who reads orders reads the schedule: travel fees come before repair items.
    let list = app.get("/price-items", Role::Technician).await;
    list.assert_status(StatusCode::OK);
    let codes: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["SM-01", "WX-01"]);

    let mut change = item("SM-01", "travel", 3_500);
    change["active"] = json!(false);
    change["version"] = json!(1);
    let updated = app
        .put_json(
            &format!("/price-items/{id}"),
            Role::CustomerDepartment,
            change.clone(),
        )
        .await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.body["price_fen"], 3_500);
    assert_eq!(updated.body["version"], 2);
    // A second save with the old version is stale.
    app.put_json(
        &format!("/price-items/{id}"),
        Role::CustomerDepartment,
        change,
    )
    .await
    .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
    // Inactive items leave the printed schedule.
    let active = app
        .get("/price-items?active_only=true", Role::Technician)
        .await;
    assert_eq!(active.body.as_array().unwrap().len(), 1);

    // Technicians and accountants may not change prices.
    app.post_json("/price-items", Role::Technician, item("X-1", "part", 1))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let audit = app
        .get(&format!("/audit/price_item/{id}"), Role::Admin)
        .await;
    audit.assert_status(StatusCode::OK);
    assert_eq!(
        audit.body.as_array().unwrap().len(),
        2,
        "create and update are audited"
    );
}

#[tokio::test]
async fn bad_price_items_are_refused() {
    let app = TestApp::spawn().await;
    app.post_json("/price-items", Role::Admin, item("N-1", "repair", -1))
        .await
        .assert_invalid("price_fen");
    app.post_json("/price-items", Role::Admin, item("N-2", "gift", 100))
        .await
        .assert_invalid("kind");
    app.post_json("/price-items", Role::Admin, item(" ", "repair", 100))
        .await
        .assert_invalid("code");
    let mut no_version = item("N-3", "repair", 100);
    let id = app
        .post_json("/price-items", Role::Admin, no_version.clone())
        .await
        .id();
    no_version["price_fen"] = json!(200);
    app.put_json(&format!("/price-items/{id}"), Role::Admin, no_version)
        .await
        .assert_invalid("version");
    app.post_json("/price-items", Role::Admin, item("N-3", "part", 100))
        .await
        .assert_error(StatusCode::CONFLICT, "already_exists", Some("code"));
    app.put_json(
        "/price-items/999999",
        Role::Admin,
        json!({"code": "N-9", "name": "无", "kind": "part", "price_fen": 1, "version": 1}),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}
