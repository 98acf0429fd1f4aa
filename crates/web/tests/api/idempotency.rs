//! Idempotent creation with the `Idempotency-Key` header.

use aftersales_domain::role::Role;
use axum::http::{Method, StatusCode};

use crate::helpers::{customer_body, product_body, Auth, Payload, TestApp};

#[tokio::test]
async fn a_retried_customer_post_with_the_same_key_creates_one_customer() {
    let app = TestApp::spawn().await;
    let before = app.customer_count().await;
    let key = [("Idempotency-Key", "retry-7f1c")];
    let body = customer_body("重试客户", "13500005555", app.seed.bj, app.seed.bj_urban);
    let first = app
        .send(
            Method::POST,
            "/customers",
            Auth::As(Role::ServiceAgent),
            Payload::Json(body.clone()),
            &key,
        )
        .await;
    first.assert_status(StatusCode::CREATED);
    let second = app
        .send(
            Method::POST,
            "/customers",
            Auth::As(Role::ServiceAgent),
            Payload::Json(body),
            &key,
        )
        .await;
    assert!(
        second.status.is_success(),
        "replay: {} {}",
        second.status,
        second.body
    );
    assert_eq!(second.id(), first.id());
    assert_eq!(second.body["number"], first.body["number"]);
    assert_eq!(app.customer_count().await, before + 1);
}

#[tokio::test]
async fn the_same_key_reused_for_another_resource_answers_409() {
    let app = TestApp::spawn().await;
    let key = [("Idempotency-Key", "shared-key-1")];
    let customer = customer_body("键客户", "13500006666", app.seed.bj, app.seed.bj_urban);
    app.send(
        Method::POST,
        "/customers",
        Auth::As(Role::Admin),
        Payload::Json(customer),
        &key,
    )
    .await
    .assert_status(StatusCode::CREATED);
    let product = app
        .send(
            Method::POST,
            "/products",
            Auth::As(Role::Admin),
            Payload::Json(product_body("IDEM-1")),
            &key,
        )
        .await;
    product.assert_error(
        StatusCode::CONFLICT,
        "idempotency_key_reused",
        Some("Idempotency-Key"),
    );
    let list = app.get("/products?q=IDEM-1", Role::Admin).await;
    assert_eq!(list.body["total"], 0);
}

#[tokio::test]
async fn keys_belong_to_their_user() {
    let app = TestApp::spawn().await;
    let key = [("Idempotency-Key", "per-user-key")];
    let first = app
        .send(
            Method::POST,
            "/customers",
            Auth::As(Role::Admin),
            Payload::Json(customer_body(
                "甲",
                "13500007771",
                app.seed.bj,
                app.seed.bj_urban,
            )),
            &key,
        )
        .await;
    first.assert_status(StatusCode::CREATED);
    let other_user = app
        .send(
            Method::POST,
            "/customers",
            Auth::As(Role::ServiceAgent),
            Payload::Json(customer_body(
                "乙",
                "13500007772",
                app.seed.bj,
                app.seed.bj_urban,
            )),
            &key,
        )
        .await;
    other_user.assert_status(StatusCode::CREATED);
    assert_ne!(other_user.id(), first.id());
}

#[tokio::test]
async fn an_invalid_key_answers_422() {
    let app = TestApp::spawn().await;
    let body = customer_body("丙", "13500007773", app.seed.bj, app.seed.bj_urban);
    let long = "k".repeat(201);
    let response = app
        .send(
            Method::POST,
            "/customers",
            Auth::As(Role::Admin),
            Payload::Json(body),
            &[("Idempotency-Key", &long)],
        )
        .await;
    response.assert_invalid("Idempotency-Key");
}
