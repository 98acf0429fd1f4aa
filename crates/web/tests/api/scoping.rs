//! Branch scoping: branch staff see their branch, headquarters roles see every branch, a
//! portal user sees its own customer only. Out-of-scope records answer 404, not 403.

use aftersales_domain::role::Role;
use axum::http::StatusCode;

use crate::helpers::{customer_body, TestApp};

struct TwoBranches {
    app: TestApp,
    bj_customer: i64,
    tj_customer: i64,
}

async fn two_branches() -> TwoBranches {
    let app = TestApp::spawn().await;
    let bj = app
        .create_customer(customer_body(
            "北京客户",
            "13800000001",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let tj = app
        .create_customer(customer_body(
            "天津客户",
            "13800000002",
            app.seed.tj,
            app.seed.tj_urban,
        ))
        .await;
    TwoBranches {
        bj_customer: bj["id"].as_i64().unwrap(),
        tj_customer: tj["id"].as_i64().unwrap(),
        app,
    }
}

async fn listed_ids(app: &TestApp, role: Role) -> Vec<i64> {
    let response = app.get("/customers", role).await;
    response.assert_status(StatusCode::OK);
    let mut ids: Vec<i64> = response.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn a_bj_service_agent_can_neither_see_nor_list_a_tj_customer() {
    let TwoBranches {
        app,
        bj_customer,
        tj_customer,
    } = two_branches().await;
    let agent = Role::ServiceAgent;
    app.get(&format!("/customers/{tj_customer}"), agent)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    app.get(&format!("/customers/{tj_customer}/card"), agent)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get(&format!("/customers/{bj_customer}"), agent)
        .await
        .assert_status(StatusCode::OK);
    let listed = listed_ids(&app, agent).await;
    assert!(listed.contains(&bj_customer), "{listed:?}");
    assert!(!listed.contains(&tj_customer), "{listed:?}");
    // Nor does a phone lookup or a search reveal it.
    let lookup = app.get("/customers/lookup?phone=13800000002", agent).await;
    assert_eq!(
        lookup.body.as_array().map(Vec::len),
        Some(0),
        "{}",
        lookup.body
    );
    let search = app.get("/customers?q=13800000002", agent).await;
    assert_eq!(search.body["total"], 0);
}

#[tokio::test]
async fn a_customer_department_user_sees_both_branches() {
    let TwoBranches {
        app,
        bj_customer,
        tj_customer,
    } = two_branches().await;
    let role = Role::CustomerDepartment;
    for id in [bj_customer, tj_customer] {
        app.get(&format!("/customers/{id}"), role)
            .await
            .assert_status(StatusCode::OK);
    }
    let listed = listed_ids(&app, role).await;
    assert!(
        listed.contains(&bj_customer) && listed.contains(&tj_customer),
        "{listed:?}"
    );
}

#[tokio::test]
async fn a_portal_user_sees_only_its_own_customer() {
    let TwoBranches {
        app,
        bj_customer,
        tj_customer,
    } = two_branches().await;
    let own = app.seed.portal_customer;
    let portal = Role::Customer;
    assert_eq!(listed_ids(&app, portal).await, [own]);
    app.get(&format!("/customers/{own}"), portal)
        .await
        .assert_status(StatusCode::OK);
    app.get(&format!("/customers/{own}/card"), portal)
        .await
        .assert_status(StatusCode::OK);
    // Even a customer of its own branch is someone else's.
    for other in [bj_customer, tj_customer] {
        app.get(&format!("/customers/{other}"), portal)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // Units and contracts likewise.
    let other_unit = app.create_unit(bj_customer, "SN-OTHER", "2026-10-01").await;
    let own_unit = app.create_unit(own, "SN-OWN", "2026-10-01").await;
    app.get(&format!("/units/{}", other_unit["id"]), portal)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get(&format!("/units/{}", own_unit["id"]), portal)
        .await
        .assert_status(StatusCode::OK);
    let units = app.get("/units", portal).await;
    assert_eq!(units.body["total"], 1, "{}", units.body);
    let other_contract = app.create_contract(bj_customer, &[]).await;
    app.get(&format!("/contracts/{}", other_contract["id"]), portal)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let contracts = app.get("/contracts", portal).await;
    assert_eq!(contracts.body["total"], 0, "{}", contracts.body);
}

#[tokio::test]
async fn branch_staff_get_404_for_units_and_contracts_of_another_branch() {
    let TwoBranches {
        app, tj_customer, ..
    } = two_branches().await;
    let unit = app.create_unit(tj_customer, "SN-TJ-1", "2026-10-01").await;
    let contract = app.create_contract(tj_customer, &[]).await;
    for role in [Role::ServiceAgent, Role::Technician, Role::BranchManager] {
        app.get(&format!("/units/{}", unit["id"]), role)
            .await
            .assert_status(StatusCode::NOT_FOUND);
        app.get(&format!("/contracts/{}", contract["id"]), role)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // A BJ agent cannot register a unit for the TJ customer either.
    let response = app
        .post_json(
            "/units",
            Role::ServiceAgent,
            crate::helpers::unit_body(app.seed.product, tj_customer, "SN-TJ-2", "2026-10-01"),
        )
        .await;
    response.assert_invalid("customer_id");
}

/// The audit trail of a record is part of the record: a branch manager of BJ must not read
/// the history (names, phones, before/after values) of a TJ customer.
#[tokio::test]
async fn a_bj_branch_manager_cannot_read_the_audit_trail_of_a_tj_customer() {
    let TwoBranches {
        app,
        bj_customer,
        tj_customer,
    } = two_branches().await;
    app.get(
        &format!("/audit/customer/{bj_customer}"),
        Role::BranchManager,
    )
    .await
    .assert_status(StatusCode::OK);
    app.get(
        &format!("/audit/customer/{tj_customer}"),
        Role::BranchManager,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}
