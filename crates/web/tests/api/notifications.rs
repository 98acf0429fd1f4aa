//! Notifications through the API: a signed contract's expiry notice reaches the branch
//! manager and the customer department when the timer runner fires it, and each user reads
//! and marks only their own.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{customer_body, TestApp};

#[tokio::test]
async fn the_contract_expiry_notice_reaches_its_owners_who_mark_it_read() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(customer_body(
            "到期客户",
            "13600002222",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await["id"]
        .as_i64()
        .unwrap();
    // 2026-11-01 … 2027-10-31: the notice is due 2027-09-30 09:00 (Asia/Shanghai).
    let contract = app.create_contract(customer, &[]).await;
    let id = contract["id"].as_i64().unwrap();
    app.post_json(
        &format!("/contracts/{id}/status"),
        Role::Admin,
        json!({"status": "active", "version": contract["version"]}),
    )
    .await
    .assert_status(StatusCode::OK);

    let empty = app.get("/notifications", Role::BranchManager).await;
    empty.assert_status(StatusCode::OK);
    assert_eq!(
        (empty.body["unread"].as_u64(), empty.body["total"].as_u64()),
        (Some(0), Some(0))
    );

    app.clock.set("2027-09-30T01:00:00Z".parse().unwrap());
    let fired = aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    assert_eq!(fired, 1);
    let shown = app.get(&format!("/contracts/{id}"), Role::Admin).await;
    assert_eq!(shown.body["status"], "expiring");

    for role in [Role::BranchManager, Role::CustomerDepartment] {
        let inbox = app.get("/notifications", role).await;
        inbox.assert_status(StatusCode::OK);
        assert_eq!(inbox.body["unread"], 1, "{role}: {}", inbox.body);
        let item = &inbox.body["items"][0];
        assert_eq!(item["kind"], "contract_expiry_notice");
        assert_eq!(item["link"], format!("/contracts/{id}"));
        assert!(item["read_at"].is_null());
    }
    let technician = app.get("/notifications", Role::Technician).await;
    assert_eq!(technician.body["total"], 0, "{}", technician.body);

    // The page and the header badge show the same.
    let page = page_text(&app, "/notifications", Role::BranchManager).await;
    assert!(
        page.contains("保养到期通知书") && page.contains("id=\"notifications-link\""),
        "{page}"
    );
    let badge = page_text(&app, "/notifications/unread", Role::BranchManager).await;
    assert!(badge.contains(">1</span>"), "{badge}");

    let inbox = app.get("/notifications", Role::BranchManager).await;
    let notice = inbox.body["items"][0]["id"].as_i64().unwrap();
    // Someone else's notification does not exist for you.
    app.post_json(
        &format!("/notifications/{notice}/read"),
        Role::CustomerDepartment,
        json!({}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    let read = app
        .post_json(
            &format!("/notifications/{notice}/read"),
            Role::BranchManager,
            json!({}),
        )
        .await;
    read.assert_status(StatusCode::OK);
    assert!(read.body["read_at"].is_string(), "{}", read.body);
    let after = app.get("/notifications", Role::BranchManager).await;
    assert_eq!(after.body["unread"], 0);
    assert_eq!(after.body["total"], 1);
    let kefu = app.get("/notifications", Role::CustomerDepartment).await;
    assert_eq!(
        kefu.body["unread"], 1,
        "the other owner's copy stays unread"
    );
    let badge = page_text(&app, "/notifications/unread", Role::BranchManager).await;
    assert!(badge.trim().is_empty(), "nothing unread, no badge: {badge}");
}

/// A page fetched in a browser session of the role's seeded user.
async fn page_text(app: &TestApp, path: &str, role: Role) -> String {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let session = aftersales_app::auth::sign_in(
        &app.app,
        &format!("u_{}", role.as_str()),
        crate::helpers::PASSWORD,
        "127.0.0.1",
    )
    .await
    .expect("sign in");
    let request = axum::http::Request::get(path)
        .header("cookie", format!("as_session={}", session.token))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}
