//! API tokens: created and revoked by administrators; a revoked token is no credential.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{Auth, TestApp};

#[tokio::test]
async fn a_revoked_token_gets_401() {
    let app = TestApp::spawn().await;
    let user_id = app.user(Role::Technician);
    let created = app
        .post_json(
            "/api-tokens",
            Role::Admin,
            json!({"name": "集成", "user_id": user_id}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let secret = created.body["secret"].as_str().expect("secret").to_string();
    let token_id = created.body["token"]["id"].as_i64().expect("id");
    assert!(secret.starts_with(created.body["token"]["prefix"].as_str().unwrap()));

    let me = app.get("/me", Auth::Token(&secret)).await;
    me.assert_status(StatusCode::OK);
    assert_eq!(me.body["user_id"], user_id);

    app.delete(&format!("/api-tokens/{token_id}"), Role::Admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    app.get("/me", Auth::Token(&secret)).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        None,
    );
    app.get("/customers", Auth::Token(&secret))
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    // Revoking twice is a conflict, and the list shows it revoked.
    app.delete(&format!("/api-tokens/{token_id}"), Role::Admin)
        .await
        .assert_error(StatusCode::CONFLICT, "already_revoked", None);
    let list = app.get("/api-tokens", Role::Admin).await;
    let listed = list
        .body
        .as_array()
        .expect("tokens")
        .iter()
        .find(|t| t["id"] == token_id)
        .expect("listed")
        .clone();
    assert_eq!(listed["revoked"], true);
    assert!(listed.get("secret").is_none());
    // Other tokens keep working.
    app.get("/me", Role::Technician)
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn only_an_administrator_creates_tokens() {
    let app = TestApp::spawn().await;
    let user_id = app.user(Role::Technician);
    for role in Role::ALL.iter().copied().filter(|r| *r != Role::Admin) {
        app.post_json(
            "/api-tokens",
            role,
            json!({"name": "偷偷", "user_id": user_id}),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden", None);
    }
    let list = app.get("/api-tokens", Role::Admin).await;
    assert_eq!(
        list.body.as_array().map(Vec::len),
        Some(Role::ALL.len()),
        "only the seeded tokens exist"
    );
}

#[tokio::test]
async fn a_missing_or_unknown_token_gets_401() {
    let app = TestApp::spawn().await;
    app.get("/me", Auth::Anonymous).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        None,
    );
    app.get("/me", Auth::Token("ast_0000000000000000"))
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_deactivated_users_token_gets_401() {
    let app = TestApp::spawn().await;
    let id = app.user(Role::Accountant);
    let user = app.get(&format!("/staff/{id}"), Role::Admin).await;
    user.assert_status(StatusCode::OK);
    let mut body = user.body.clone();
    body["active"] = json!(false);
    app.put_json(&format!("/staff/{id}"), Role::Admin, body)
        .await
        .assert_status(StatusCode::OK);
    app.get("/me", Role::Accountant)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_user_may_set_its_own_language_only_to_a_supported_one() {
    let app = TestApp::spawn().await;
    app.put_json("/me/locale", Role::Technician, json!({"locale": "fr"}))
        .await
        .assert_invalid("locale");
    app.put_json("/me/locale", Role::Technician, json!({"locale": "en"}))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let me = app.get("/me", Role::Technician).await;
    assert_eq!(me.body["locale"], "en");
    // Error messages now come in English.
    let refused = app.get("/api-tokens", Role::Technician).await;
    refused.assert_error(StatusCode::FORBIDDEN, "forbidden", None);
    assert!(
        refused.body["message"].as_str().unwrap().is_ascii(),
        "{}",
        refused.body
    );
}
