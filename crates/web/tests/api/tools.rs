//! Tools (TOOLS-1..3): the register, personal custody with the no-private-use rule,
//! hand-over, loss and damage with compensation and cause reports, the hand-over guard on
//! staff changes, and the tool purchase flow.

use aftersales_domain::role::Role;
use aftersales_store::entity::discipline_incident;
use aftersales_store::sea_orm::EntityTrait;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn register(app: &TestApp, asset_no: &str, value_fen: i64) -> Value {
    let tool = app
        .post_json(
            "/tools",
            Role::WarehouseKeeper,
            json!({"asset_no": asset_no, "name": "数字万用表", "value_fen": value_fen}),
        )
        .await;
    tool.assert_status(StatusCode::CREATED);
    tool.body.clone()
}

async fn technician(app: &TestApp, username: &str) -> Value {
    let staff = app
        .post_json(
            "/staff",
            Role::Admin,
            json!({"username": username, "display_name": username, "password": "long-enough-pw",
                   "org_unit_id": app.seed.bj, "roles": ["technician"]}),
        )
        .await;
    staff.assert_status(StatusCode::CREATED);
    staff.body.clone()
}

async fn step(
    app: &TestApp,
    tool: &Value,
    event: &str,
    body: Value,
) -> crate::helpers::TestResponse {
    app.post_json(
        &format!("/tools/{}/{event}", tool["id"]),
        Role::WarehouseKeeper,
        body,
    )
    .await
}

#[tokio::test]
async fn a_tool_is_issued_to_a_technician_who_accepts_the_rule_and_handed_over_with_history() {
    let app = TestApp::spawn().await;
    // Default thresholds: fixed asset from 2000 yuan.
    let cheap = register(&app, "GJ-001", 50_000).await;
    assert_eq!(cheap["fixed_asset"], false);
    assert_eq!(cheap["status"], "in_stock");
    let valuable = register(&app, "GJ-002", 200_000).await;
    assert_eq!(valuable["fixed_asset"], true);
    app.post_json(
        "/tools",
        Role::WarehouseKeeper,
        json!({"asset_no": "GJ-001", "name": "重复", "value_fen": 1}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "duplicate_asset_no", Some("asset_no"));
    app.post_json(
        "/tools",
        Role::Technician,
        json!({"asset_no": "GJ-009", "name": "x", "value_fen": 1}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);

    let holder = app.user(Role::Technician);
    // Without the no-private-use rule accepted, nothing is issued.
    step(
        &app,
        &cheap,
        "issue",
        json!({"holder_id": holder, "version": 1}),
    )
    .await
    .assert_invalid("rule_accepted");
    let issued = step(
        &app,
        &cheap,
        "issue",
        json!({"holder_id": holder, "rule_accepted": true, "version": 1}),
    )
    .await;
    issued.assert_status(StatusCode::OK);
    assert_eq!(issued.body["status"], "issued");
    assert_eq!(issued.body["holder_id"], holder);
    assert!(issued.body["rule_accepted_at"].is_string());
    // Issuing twice is not a transition.
    step(
        &app,
        &cheap,
        "issue",
        json!({"holder_id": holder, "rule_accepted": true, "version": 2}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));

    // The technician sees the tools they hold, and only those.
    let own = app.get("/tools", Role::Technician).await;
    own.assert_status(StatusCode::OK);
    let assets: Vec<&str> = own
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["asset_no"].as_str().unwrap())
        .collect();
    assert_eq!(assets, vec!["GJ-001"]);
    app.get(&format!("/tools/{}", valuable["id"]), Role::Technician)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // Hand-over to a colleague, who accepts the rule too.
    let colleague = technician(&app, "bj_tech_b").await;
    let handed = step(
        &app,
        &cheap,
        "hand_over",
        json!({"holder_id": colleague["id"], "rule_accepted": true, "version": 2}),
    )
    .await;
    handed.assert_status(StatusCode::OK);
    assert_eq!(handed.body["holder_id"], colleague["id"]);
    let history: Vec<&str> = handed.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(history, vec!["register", "issue", "hand_over"]);
    assert_eq!(handed.body["history"][2]["to_holder"], "bj_tech_b");
    let returned = step(&app, &cheap, "return", json!({"version": 3})).await;
    returned.assert_status(StatusCode::OK);
    assert_eq!(returned.body["status"], "in_stock");
    assert!(returned.body["holder_id"].is_null());

    // Another unit's keeper does not see BJ's tools.
    let tj_keeper = app
        .post_json(
            "/staff",
            Role::Admin,
            json!({"username": "tj_keeper", "display_name": "津库管", "password": "long-enough-pw",
                   "org_unit_id": app.seed.tj, "roles": ["warehouse_keeper"]}),
        )
        .await;
    tj_keeper.assert_status(StatusCode::CREATED);
    let actor = aftersales_app::Actor::load(&app.app.db, tj_keeper.id())
        .await
        .unwrap()
        .unwrap();
    let seen = aftersales_app::tools::list(&app.app, &actor, &Default::default())
        .await
        .unwrap();
    assert!(seen.is_empty());
    let refused = aftersales_app::tools::get(&app.app, &actor, cheap["id"].as_i64().unwrap()).await;
    assert!(matches!(refused, Err(aftersales_app::AppError::NotFound)));
}

#[tokio::test]
async fn a_technician_holding_tools_cannot_be_deactivated_or_transferred_until_the_hand_over() {
    let app = TestApp::spawn().await;
    let tool = register(&app, "GJ-010", 30_000).await;
    let person = technician(&app, "bj_leaver").await;
    let id = person["id"].as_i64().unwrap();
    step(
        &app,
        &tool,
        "issue",
        json!({"holder_id": id, "rule_accepted": true, "version": 1}),
    )
    .await
    .assert_status(StatusCode::OK);
    let update = |active: bool, org_unit_id: i64| {
        json!({"username": "bj_leaver", "display_name": "bj_leaver", "org_unit_id": org_unit_id,
               "roles": ["technician"], "active": active, "version": 1})
    };
    app.put_json(
        &format!("/staff/{id}"),
        Role::Admin,
        update(false, app.seed.bj),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "holds_tools", None);
    app.put_json(
        &format!("/staff/{id}"),
        Role::Admin,
        update(true, app.seed.tj),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "holds_tools", None);
    // Nothing changed.
    let still = app.get(&format!("/staff/{id}"), Role::Admin).await;
    assert_eq!(still.body["active"], true);
    assert_eq!(still.body["version"], 1);
    // Other edits still work while the tools are held.
    let renamed = json!({"username": "bj_leaver", "display_name": "改名", "org_unit_id": app.seed.bj,
                         "roles": ["technician"], "active": true, "version": 1});
    app.put_json(&format!("/staff/{id}"), Role::Admin, renamed)
        .await
        .assert_status(StatusCode::OK);
    step(&app, &tool, "return", json!({"version": 2}))
        .await
        .assert_status(StatusCode::OK);
    let leave = json!({"username": "bj_leaver", "display_name": "改名", "org_unit_id": app.seed.bj,
                       "roles": ["technician"], "active": false, "version": 2});
    let done = app
        .put_json(&format!("/staff/{id}"), Role::Admin, leave)
        .await;
    done.assert_status(StatusCode::OK);
    assert_eq!(done.body["active"], false);
}

#[tokio::test]
async fn loss_and_damage_are_compensated_but_wear_is_not_and_valuable_tools_need_a_cause_report() {
    let app = TestApp::spawn().await;
    let holder = app.user(Role::Technician);
    let issue =
        |version: i32| json!({"holder_id": holder, "rule_accepted": true, "version": version});

    let lost = register(&app, "GJ-020", 30_000).await;
    step(&app, &lost, "issue", issue(1))
        .await
        .assert_status(StatusCode::OK);
    // Compensation cannot exceed the tool's value.
    step(
        &app,
        &lost,
        "loss",
        json!({"compensation_fen": 30_001, "version": 2}),
    )
    .await
    .assert_invalid("compensation_fen");
    let recorded = step(
        &app,
        &lost,
        "loss",
        json!({"note": "现场遗失", "version": 2}),
    )
    .await;
    recorded.assert_status(StatusCode::OK);
    assert_eq!(recorded.body["status"], "lost");
    assert!(recorded.body["holder_id"].is_null());
    let owed = &recorded.body["compensations"][0];
    assert_eq!(owed["staff_id"], holder);
    assert_eq!(owed["amount_fen"], 30_000);
    assert_eq!(owed["reason"], "loss");
    // The loss opened a tool-loss incident for the holder.
    let incident_id = owed["incident_id"].as_i64().expect("incident");
    let incident = discipline_incident::Entity::find_by_id(incident_id)
        .one(&app.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(incident.kind, "tool_loss");
    assert_eq!(incident.staff_id, holder);

    // Damage of a valuable tool (≥ 500 yuan) needs a written cause report.
    let meter = register(&app, "GJ-021", 80_000).await;
    step(&app, &meter, "issue", issue(1))
        .await
        .assert_status(StatusCode::OK);
    step(&app, &meter, "damage", json!({"version": 2}))
        .await
        .assert_invalid("cause_report");
    let damaged = step(
        &app,
        &meter,
        "damage",
        json!({"cause_report": "跌落摔坏表头", "compensation_fen": 20_000, "version": 2}),
    )
    .await;
    damaged.assert_status(StatusCode::OK);
    assert_eq!(damaged.body["compensations"][0]["amount_fen"], 20_000);
    assert!(damaged.body["compensations"][0]["incident_id"].is_null());
    assert_eq!(damaged.body["history"][2]["cause_report"], "跌落摔坏表头");

    // Normal wear: no compensation; a cheap tool needs no report.
    let pliers = register(&app, "GJ-022", 2_000).await;
    step(&app, &pliers, "issue", issue(1))
        .await
        .assert_status(StatusCode::OK);
    let worn = step(&app, &pliers, "wear_out", json!({"version": 2})).await;
    worn.assert_status(StatusCode::OK);
    assert_eq!(worn.body["status"], "worn_out");
    assert!(worn.body["compensations"].as_array().unwrap().is_empty());
    // A worn-out valuable tool needs the report too.
    let gauge = register(&app, "GJ-023", 60_000).await;
    step(&app, &gauge, "wear_out", json!({"version": 1}))
        .await
        .assert_invalid("cause_report");
    // The technician cannot record custody steps.
    app.post_json(
        &format!("/tools/{}/loss", gauge["id"]),
        Role::Technician,
        json!({"version": 1}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_tool_purchase_goes_through_price_check_and_approval_before_it_is_registered() {
    let app = TestApp::spawn().await;
    let created = app
        .post_json(
            "/tool-purchases",
            Role::ServiceSupervisor,
            json!({"name": "冷媒检漏仪", "purpose": "R32 机型检漏",
                   "quotes": [{"supplier": "甲公司", "price_fen": 260_000}, {"supplier": "乙公司", "price_fen": 240_000}]}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["status"], "enquiry");
    // The cheapest quote is chosen by default.
    assert_eq!(created.body["price_fen"], 240_000);
    let id = created.id();
    app.post_json(
        "/tool-purchases",
        Role::ServiceSupervisor,
        json!({"name": "x", "purpose": "y", "quotes": []}),
    )
    .await
    .assert_invalid("quotes");
    let path = |event: &str| format!("/tool-purchases/{id}/{event}");
    // Out of order: approval before finance checked the price.
    app.post_json(
        &path("approve"),
        Role::ServiceSupervisor,
        json!({"version": 1}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    // Only finance checks the price.
    app.post_json(
        &path("price_check"),
        Role::ServiceSupervisor,
        json!({"version": 1}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let checked = app
        .post_json(
            &path("price_check"),
            Role::Accountant,
            json!({"note": "价格合理", "version": 1}),
        )
        .await;
    checked.assert_status(StatusCode::OK);
    assert_eq!(checked.body["status"], "price_checked");
    // Once checked, only the supervisor may refuse it.
    app.post_json(
        &path("reject"),
        Role::Accountant,
        json!({"note": "太贵", "version": 2}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post_json(
        &path("approve"),
        Role::ServiceSupervisor,
        json!({"version": 2}),
    )
    .await
    .assert_status(StatusCode::OK);
    let bought = app
        .post_json(
            &path("purchase"),
            Role::WarehouseKeeper,
            json!({"asset_no": "GJ-100", "version": 3}),
        )
        .await;
    bought.assert_status(StatusCode::OK);
    assert_eq!(bought.body["status"], "purchased");
    let tool = app
        .get(
            &format!("/tools/{}", bought.body["tool_id"]),
            Role::WarehouseKeeper,
        )
        .await;
    tool.assert_status(StatusCode::OK);
    assert_eq!(tool.body["asset_no"], "GJ-100");
    assert_eq!(tool.body["value_fen"], 240_000);
    assert_eq!(tool.body["fixed_asset"], true);

    // A refusal needs a reason.
    let other = app
        .post_json(
            "/tool-purchases",
            Role::WarehouseKeeper,
            json!({"name": "扭力扳手", "purpose": "安装", "quotes": [{"supplier": "丙", "price_fen": 30_000}]}),
        )
        .await;
    other.assert_status(StatusCode::CREATED);
    let reject = format!("/tool-purchases/{}/reject", other.id());
    app.post_json(&reject, Role::Accountant, json!({"version": 1}))
        .await
        .assert_invalid("note");
    let rejected = app
        .post_json(
            &reject,
            Role::Accountant,
            json!({"note": "市价 200 元", "version": 1}),
        )
        .await;
    rejected.assert_status(StatusCode::OK);
    assert_eq!(rejected.body["status"], "rejected");
    let open = app.get("/tool-purchases?open=true", Role::Accountant).await;
    assert!(open.body["items"].as_array().unwrap().is_empty());
    assert_eq!(open.body["total"], 0);
    // Newest first: the rejected enquiry heads the whole list.
    let all = app.get("/tool-purchases", Role::Accountant).await;
    assert_eq!(all.body["items"][0]["status"], "rejected");
}
