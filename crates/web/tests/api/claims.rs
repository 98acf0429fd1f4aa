//! Claims (索赔) through the API: a configured type's standard steps, the countermeasure
//! deadline escalated to the sales manager by the timer, the supplier-part task for
//! purchasing, the sales manager's review that closing requires, and the prevention report.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_claim_follows_its_type_steps_and_closes_only_after_the_sales_managers_review() {
    let app = TestApp::spawn().await;
    let kind = app
        .post_json(
            "/claim-types",
            Role::CustomerDepartment,
            json!({"code": "QC", "name": "质量索赔", "steps": "登记\n核实事实\n\n确定赔偿"}),
        )
        .await;
    kind.assert_status(StatusCode::CREATED);
    assert_eq!(kind.body["steps"], json!(["登记", "核实事实", "确定赔偿"]));
    app.post_json(
        "/claim-types",
        Role::CustomerDepartment,
        json!({"code": "X", "name": "空", "steps": " "}),
    )
    .await
    .assert_invalid("steps");
    let claim = |learned_on: &str| {
        json!({"claim_type_id": kind.id(), "claimant": "北京宏达贸易有限公司", "order_number": "SO-77",
               "product": "KFR-35GW", "amount_fen": 0, "facts": "压缩机启动电容批次不良导致停机",
               "learned_on": learned_on, "org_unit_id": app.seed.bj})
    };
    app.post_json("/claims", Role::CustomerDepartment, claim("2026-11-23"))
        .await
        .assert_invalid("learned_on");
    app.post_json("/claims", Role::BranchManager, claim("2026-11-21"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let registered = app
        .post_json("/claims", Role::CustomerDepartment, claim("2026-11-21"))
        .await;
    registered.assert_status(StatusCode::CREATED);
    let id = registered.id();
    assert_eq!(registered.body["number"], "SP-202611-0001");
    assert_eq!(registered.body["countermeasure_due"], "2026-11-24");
    assert_eq!(
        registered.body["amount_fen"], 0,
        "every claim is recorded, whatever the amount"
    );

    let act = |body: serde_json::Value| {
        let path = format!("/claims/{id}/actions");
        let app = &app;
        async move { app.post_json(&path, Role::CustomerDepartment, body).await }
    };
    act(json!({"action": "close", "version": 1}))
        .await
        .assert_error(StatusCode::CONFLICT, "steps_open", Some("steps"));
    for version in 1..=3 {
        let stepped = act(json!({"action": "complete_step", "version": version})).await;
        stepped.assert_status(StatusCode::OK);
        assert_eq!(stepped.body["steps_done"], version);
    }
    act(json!({"action": "complete_step", "version": 4}))
        .await
        .assert_error(StatusCode::CONFLICT, "steps_complete", Some("steps"));

    // T25: no countermeasure by the due date: the branch's sales manager hears of it.
    app.clock.set("2026-11-25T01:00:00Z".parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 100)
        .await
        .unwrap();
    let inbox = app.get("/notifications", Role::BranchManager).await;
    assert!(inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["title"] == "索赔对策逾期：SP-202611-0001"));
    assert_eq!(
        app.get(&format!("/claims/{id}"), Role::CustomerDepartment)
            .await
            .body["countermeasure_overdue"],
        true
    );

    let countered = act(json!({"action": "countermeasure", "version": 4, "cause": "supplier_part",
                               "countermeasure": "更换整批电容并赔付停机损失", "prevention": "来料增加电容耐压抽检"}))
    .await;
    countered.assert_status(StatusCode::OK);
    assert!(
        countered.body["purchasing_task_at"].is_string(),
        "a supplier part goes to purchasing"
    );
    act(json!({"action": "close", "version": 5}))
        .await
        .assert_error(StatusCode::CONFLICT, "review_required", Some("review"));
    act(json!({"action": "review", "version": 5}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let reviewed = app
        .post_json(
            &format!("/claims/{id}/actions"),
            Role::BranchManager,
            json!({"action": "review", "note": "同意", "version": 5}),
        )
        .await;
    reviewed.assert_status(StatusCode::OK);
    assert_eq!(reviewed.body["status"], "reviewed");
    act(json!({"action": "purchasing_outcome", "note": "供应商承担80%", "version": 6}))
        .await
        .assert_status(StatusCode::OK);
    let closed = act(json!({"action": "close", "version": 7})).await;
    closed.assert_status(StatusCode::OK);
    assert_eq!(closed.body["status"], "closed");

    let report = app
        .get("/claim-reports/prevention", Role::GeneralManager)
        .await;
    report.assert_status(StatusCode::OK);
    assert_eq!(
        report.body,
        json!([{"cause": "supplier_part", "claims": 1, "amount_fen": 0, "preventions": ["来料增加电容耐压抽检"]}])
    );
}

#[tokio::test]
async fn the_claim_register_shows_a_branch_its_own_claims_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let kind = app
        .post_json(
            "/claim-types",
            Role::CustomerDepartment,
            json!({"code": "QC", "name": "质量索赔", "steps": "登记"}),
        )
        .await;
    kind.assert_status(StatusCode::CREATED);
    let mut numbers = Vec::new();
    for branch in [app.seed.bj, app.seed.tj, app.seed.bj] {
        let claim = app
            .post_json(
                "/claims",
                Role::CustomerDepartment,
                json!({"claim_type_id": kind.id(), "claimant": "北京宏达贸易有限公司",
                       "amount_fen": 0, "facts": "运输破损", "learned_on": "2026-11-21",
                       "org_unit_id": branch}),
            )
            .await;
        claim.assert_status(StatusCode::CREATED);
        numbers.push(claim.body["number"].clone());
    }
    let listed = |path: &'static str, role: Role| {
        let app = &app;
        async move {
            let page = app.get(path, role).await;
            page.assert_status(StatusCode::OK);
            let numbers: Vec<_> = page.body["items"]
                .as_array()
                .expect("a page")
                .iter()
                .map(|c| c["number"].clone())
                .collect();
            (numbers, page.body["total"].clone())
        }
    };
    assert_eq!(
        listed("/claims?per_page=2", Role::CustomerDepartment).await,
        (vec![numbers[2].clone(), numbers[1].clone()], json!(3))
    );
    assert_eq!(
        listed("/claims?per_page=2&page=2", Role::CustomerDepartment).await,
        (vec![numbers[0].clone()], json!(3))
    );
    // The Beijing branch manager sees Beijing's two claims only.
    assert_eq!(
        listed("/claims", Role::BranchManager).await,
        (vec![numbers[2].clone(), numbers[0].clone()], json!(2))
    );
}
