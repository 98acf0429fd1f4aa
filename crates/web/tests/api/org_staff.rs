//! Organisation units, districts, staff and qualifications.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

fn staff_body(username: &str, org_unit_id: i64, roles: &[&str]) -> Value {
    json!({
        "username": username,
        "display_name": format!("员工 {username}"),
        "password": "long-enough-pw",
        "org_unit_id": org_unit_id,
        "roles": roles,
        "skills": ["空调"],
    })
}

#[tokio::test]
async fn the_seeded_organisation_is_listed_with_its_districts() {
    let app = TestApp::spawn().await;
    let units = app.get("/org-units", Role::WarehouseKeeper).await;
    units.assert_status(StatusCode::OK);
    let codes: Vec<&str> = units
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["BJ", "HQ", "TJ"]);
    let districts = app.get("/districts", Role::WarehouseKeeper).await;
    let zones: Vec<(i64, String)> = districts
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["org_unit_id"].as_i64().unwrap(),
                d["zone"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(zones.len(), 4);
    for branch in [app.seed.bj, app.seed.tj] {
        for zone in ["urban", "suburban"] {
            assert!(zones.contains(&(branch, zone.to_string())), "{zones:?}");
        }
    }
}

#[tokio::test]
async fn org_units_and_districts_validate_and_lock_optimistically() {
    let app = TestApp::spawn().await;
    let body =
        json!({"code": "SH", "name": "上海分公司", "kind": "branch", "parent_id": app.seed.hq});
    let created = app.post_json("/org-units", Role::Admin, body.clone()).await;
    created.assert_status(StatusCode::CREATED);
    app.post_json("/org-units", Role::Admin, body)
        .await
        .assert_error(StatusCode::CONFLICT, "already_exists", Some("code"));
    app.post_json(
        "/org-units",
        Role::Admin,
        json!({"code": "XX", "name": "部门", "kind": "department"}),
    )
    .await
    .assert_invalid("department_kind");
    let path = format!("/org-units/{}", created.id());
    let update = json!({"code": "SH", "name": "上海公司", "kind": "branch", "version": 1});
    app.put_json(&path, Role::Admin, update.clone())
        .await
        .assert_status(StatusCode::OK);
    app.put_json(&path, Role::Admin, update).await.assert_error(
        StatusCode::CONFLICT,
        "stale",
        Some("version"),
    );

    let district = json!({"org_unit_id": created.id(), "name": "浦东新区", "zone": "urban"});
    app.post_json("/districts", Role::Admin, district.clone())
        .await
        .assert_status(StatusCode::CREATED);
    app.post_json("/districts", Role::Admin, district)
        .await
        .assert_error(StatusCode::CONFLICT, "already_exists", Some("name"));
    app.post_json(
        "/districts",
        Role::Admin,
        json!({"org_unit_id": created.id(), "name": "崇明区", "zone": "rural"}),
    )
    .await
    .assert_invalid("zone");
}

#[tokio::test]
async fn a_branch_manager_hires_in_its_own_branch_only() {
    let app = TestApp::spawn().await;
    let hired = app
        .post_json(
            "/staff",
            Role::BranchManager,
            staff_body("bj_tech_2", app.seed.bj, &["technician"]),
        )
        .await;
    hired.assert_status(StatusCode::CREATED);
    assert_eq!(hired.body["roles"], json!(["technician"]));
    assert_eq!(hired.body["skills"], json!(["空调"]));
    assert!(hired.body.get("password").is_none() && hired.body.get("password_hash").is_none());

    app.post_json(
        "/staff",
        Role::BranchManager,
        staff_body("tj_tech_2", app.seed.tj, &["technician"]),
    )
    .await
    .assert_invalid("org_unit_id");
    // Cross-branch roles and the administrator role are not a branch manager's to give.
    app.post_json(
        "/staff",
        Role::BranchManager,
        staff_body("bj_cd", app.seed.bj, &["customer_department"]),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post_json(
        "/staff",
        Role::BranchManager,
        staff_body("bj_admin", app.seed.bj, &["admin"]),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    // A TJ user is invisible to the BJ branch manager.
    let tj = app
        .post_json(
            "/staff",
            Role::Admin,
            staff_body("tj_tech", app.seed.tj, &["technician"]),
        )
        .await;
    tj.assert_status(StatusCode::CREATED);
    app.get(&format!("/staff/{}", tj.id()), Role::BranchManager)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let listed = app.get("/staff?per_page=200", Role::BranchManager).await;
    let names: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"bj_tech_2") && !names.contains(&"tj_tech"),
        "{names:?}"
    );
}

#[tokio::test]
async fn staff_input_is_validated() {
    let app = TestApp::spawn().await;
    let mut short_password = staff_body("shorty", app.seed.bj, &["technician"]);
    short_password["password"] = json!("short");
    app.post_json("/staff", Role::Admin, short_password)
        .await
        .assert_invalid("password");
    app.post_json(
        "/staff",
        Role::Admin,
        staff_body("bad name!", app.seed.bj, &["technician"]),
    )
    .await
    .assert_invalid("username");
    app.post_json(
        "/staff",
        Role::Admin,
        staff_body("norole", app.seed.bj, &["wizard"]),
    )
    .await
    .assert_invalid("roles");
    app.post_json(
        "/staff",
        Role::Admin,
        staff_body("u_technician", app.seed.bj, &["technician"]),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_exists", Some("username"));
    let portal = json!({"username": "portal2", "display_name": "门户", "password": "long-enough-pw",
                        "roles": ["customer"]});
    app.post_json("/staff", Role::Admin, portal)
        .await
        .assert_invalid("customer_id");
}

#[tokio::test]
async fn qualifications_are_added_and_removed() {
    let app = TestApp::spawn().await;
    let tech = app.user(Role::Technician);
    let path = format!("/staff/{tech}/qualifications");
    let added = app
        .post_json(
            &path,
            Role::BranchManager,
            json!({"kind": "certificate", "product_category": "空调", "title": "制冷上岗证",
                   "issued_on": "2025-01-01", "expires_on": "2026-11-21"}),
        )
        .await;
    added.assert_status(StatusCode::CREATED);
    // Expired yesterday on the test clock.
    assert_eq!(added.body["valid"], false);
    app.post_json(
        &path,
        Role::BranchManager,
        json!({"kind": "certificate", "title": "倒着的证", "issued_on": "2025-01-01", "expires_on": "2024-01-01"}),
    )
    .await
    .assert_invalid("expires_on");
    let user = app
        .get(&format!("/staff/{tech}"), Role::BranchManager)
        .await;
    assert_eq!(
        user.body["qualifications"].as_array().map(Vec::len),
        Some(1)
    );
    let remove = format!("{path}/{}", added.id());
    app.delete(&remove, Role::BranchManager)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    app.delete(&remove, Role::BranchManager)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let user = app
        .get(&format!("/staff/{tech}"), Role::BranchManager)
        .await;
    assert_eq!(
        user.body["qualifications"].as_array().map(Vec::len),
        Some(0)
    );
}
