//! The product catalogue.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{product_body, TestApp};

#[tokio::test]
async fn a_product_is_created_with_its_components() {
    let app = TestApp::spawn().await;
    let created = app
        .post_json(
            "/products",
            Role::CustomerDepartment,
            product_body("KFR-50LW"),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let read = app
        .get(&format!("/products/{}", created.id()), Role::Technician)
        .await;
    read.assert_status(StatusCode::OK);
    assert_eq!(read.body["model"], "KFR-50LW");
    assert_eq!(
        read.body["components"],
        json!([{"name": "压缩机", "warranty_months": 60}, {"name": "遥控器", "warranty_months": 6}])
    );
}

#[tokio::test]
async fn components_with_duplicate_names_answer_422() {
    let app = TestApp::spawn().await;
    let mut body = product_body("KFR-72LW");
    body["components"] = json!([
        {"name": "压缩机", "warranty_months": 60},
        {"name": " 压缩机 ", "warranty_months": 36},
    ]);
    let response = app.post_json("/products", Role::Admin, body).await;
    response.assert_invalid("components[1].name");
    assert_eq!(response.body["errors"][0]["code"], "duplicate");
    let list = app.get("/products?q=KFR-72LW", Role::Admin).await;
    assert_eq!(list.body["total"], 0);
}

#[tokio::test]
async fn a_duplicate_model_answers_409_already_exists_on_model() {
    let app = TestApp::spawn().await;
    // The seeded product is KFR-35GW.
    let response = app
        .post_json("/products", Role::Admin, product_body("KFR-35GW"))
        .await;
    response.assert_error(StatusCode::CONFLICT, "already_exists", Some("model"));
    // Renaming another product onto a taken model is refused the same way.
    let other = app
        .post_json("/products", Role::Admin, product_body("KFR-26GW"))
        .await;
    other.assert_status(StatusCode::CREATED);
    let mut rename = product_body("KFR-35GW");
    rename["version"] = json!(1);
    app.put_json(&format!("/products/{}", other.id()), Role::Admin, rename)
        .await
        .assert_error(StatusCode::CONFLICT, "already_exists", Some("model"));
}

#[tokio::test]
async fn a_warranty_out_of_range_answers_422() {
    let app = TestApp::spawn().await;
    let mut body = product_body("KFR-99");
    body["warranty_months"] = json!(-1);
    app.post_json("/products", Role::Admin, body)
        .await
        .assert_invalid("warranty_months");
}
