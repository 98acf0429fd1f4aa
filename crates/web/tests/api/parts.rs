//! Spare parts: the stock ledger (PARTS-1), parts on service orders, stock counts (PARTS-2)
//! and loaner units (PARTS-4).

use aftersales_domain::role::Role;
use aftersales_store::entity::{stock_level, stock_movement};
use aftersales_store::sea_orm::EntityTrait;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::billing::order_on_site;
use crate::helpers::TestApp;

pub struct Stock {
    pub part: i64,
    pub central: i64,
    pub branch: i64,
}

/// A part and two locations: the central warehouse (HQ) and the BJ branch store.
pub async fn stock_setup(app: &TestApp) -> Stock {
    let part = app
        .post_json(
            "/parts",
            Role::WarehouseKeeper,
            json!({"part_number": "YS-100", "name": "压缩机电容", "unit": "个", "cost_fen": 1_000,
                   "sale_price_fen": 3_000, "supplier": "华能电子", "product_ids": [app.seed.product]}),
        )
        .await;
    part.assert_status(StatusCode::CREATED);
    assert_eq!(part.body["products"], json!(["KFR-35GW"]));
    let mut ids = Vec::new();
    for (code, kind, org_unit_id) in [
        ("ZK", "central", app.seed.hq),
        ("BJ", "branch", app.seed.bj),
    ] {
        let location = app
            .post_json(
                "/stock-locations",
                Role::Admin,
                json!({"code": code, "name": format!("{code} 库"), "kind": kind, "org_unit_id": org_unit_id}),
            )
            .await;
        location.assert_status(StatusCode::CREATED);
        ids.push(location.id());
    }
    Stock {
        part: part.id(),
        central: ids[0],
        branch: ids[1],
    }
}

pub async fn on_hand(app: &TestApp, location_id: i64, part_id: i64) -> i64 {
    let rows = app
        .get(
            &format!("/stock?location_id={location_id}&part_id={part_id}"),
            Role::Admin,
        )
        .await;
    rows.assert_status(StatusCode::OK);
    rows.body
        .as_array()
        .unwrap()
        .first()
        .map_or(0, |r| r["on_hand"].as_i64().unwrap())
}

/// The cached levels equal the sums of the ledger, for every (part, location).
async fn assert_levels_match_ledger(app: &TestApp) {
    let levels = stock_level::Entity::find().all(&app.app.db).await.unwrap();
    let movements = stock_movement::Entity::find()
        .all(&app.app.db)
        .await
        .unwrap();
    assert!(!levels.is_empty());
    for level in levels {
        let sum: i64 = movements
            .iter()
            .filter(|m| m.part_id == level.part_id && m.location_id == level.location_id)
            .map(|m| m.delta)
            .sum();
        assert_eq!(sum, level.on_hand, "level {level:?}");
        assert!(level.on_hand >= 0);
    }
}

#[tokio::test]
async fn receipts_transfers_and_scrap_move_stock_and_never_below_zero() {
    let app = TestApp::spawn().await;
    let s = stock_setup(&app).await;
    let receipt = |quantity: i64, cost: i64| json!({"part_id": s.part, "location_id": s.central, "quantity": quantity, "unit_cost_fen": cost});
    app.post_json("/stock/receipts", Role::WarehouseKeeper, receipt(10, 1_000))
        .await
        .assert_status(StatusCode::CREATED);
    app.post_json("/stock/receipts", Role::WarehouseKeeper, receipt(10, 2_000))
        .await
        .assert_status(StatusCode::CREATED);
    // Moving average: (10 × 10.00 + 10 × 20.00) / 20.
    let part = app.get(&format!("/parts/{}", s.part), Role::Admin).await;
    assert_eq!(part.body["avg_cost_fen"], 1_500);
    assert_eq!(part.body["on_hand"], 20);

    let transfer = app
        .post_json(
            "/stock/transfers",
            Role::WarehouseKeeper,
            json!({"part_id": s.part, "from_location_id": s.central, "to_location_id": s.branch, "quantity": 6}),
        )
        .await;
    transfer.assert_status(StatusCode::CREATED);
    assert_eq!(transfer.body.as_array().unwrap().len(), 2);
    assert_eq!(on_hand(&app, s.central, s.part).await, 14);
    assert_eq!(on_hand(&app, s.branch, s.part).await, 6);

    // More than is there: refused with the shortfall, nothing moves.
    let refused = app
        .post_json(
            "/stock/transfers",
            Role::WarehouseKeeper,
            json!({"part_id": s.part, "from_location_id": s.branch, "to_location_id": s.central, "quantity": 9}),
        )
        .await;
    refused.assert_error(StatusCode::CONFLICT, "shortfall", Some("quantity"));
    assert!(refused.body["detail"].as_str().unwrap().contains("3 short"));
    assert_eq!(on_hand(&app, s.branch, s.part).await, 6);
    assert_eq!(on_hand(&app, s.central, s.part).await, 14);

    app.post_json(
        "/stock/scrap",
        Role::WarehouseKeeper,
        json!({"part_id": s.part, "location_id": s.branch, "quantity": 1, "reason": "运输破损"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    app.post_json(
        "/stock/scrap",
        Role::WarehouseKeeper,
        json!({"part_id": s.part, "location_id": s.branch, "quantity": 1, "reason": " "}),
    )
    .await
    .assert_invalid("reason");
    assert_eq!(on_hand(&app, s.branch, s.part).await, 5);
    // The value is the quantity at the moving average.
    let stock = app
        .get(
            &format!("/stock?location_id={}", s.branch),
            Role::Accountant,
        )
        .await;
    assert_eq!(stock.body[0]["value_fen"], 5 * 1_500);

    // The stock report downloads as .xlsx.
    let export = app
        .get(
            &format!("/stock/export?location_id={}", s.branch),
            Role::Accountant,
        )
        .await;
    export.assert_status(StatusCode::OK);
    assert!(export.bytes.starts_with(b"PK"), "an .xlsx (zip) file");
    // Only the warehouse keeper moves stock between warehouses.
    app.post_json("/stock/receipts", Role::ServiceSupervisor, receipt(1, 1))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let ledger = app
        .get(&format!("/stock-movements?part_id={}", s.part), Role::Admin)
        .await;
    assert_eq!(ledger.body.as_array().unwrap().len(), 5);
    assert_levels_match_ledger(&app).await;
}

#[tokio::test]
async fn a_technician_issues_from_the_van_and_a_shortfall_is_resolved_by_the_supervisor() {
    let app = TestApp::spawn().await;
    let s = stock_setup(&app).await;
    app.post_json(
        "/stock/receipts",
        Role::WarehouseKeeper,
        json!({"part_id": s.part, "location_id": s.branch, "quantity": 4}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let order = order_on_site(&app, "13900000071", "SN-PARTS-1", "2020-01-01").await;
    assert_eq!(order["category"], "a");
    let id = order["id"].as_i64().unwrap();
    let issue = |quantity: i64| json!({"part_id": s.part, "quantity": quantity});

    // The van is empty: the issue is refused and the part is shown where it is.
    app.post_json(
        &format!("/service-orders/{id}/parts/issue"),
        Role::Technician,
        issue(1),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "shortfall", Some("quantity"));
    let available = app
        .get(&format!("/parts/{}/availability", s.part), Role::Technician)
        .await;
    assert_eq!(available.body[0]["location_id"], s.branch);
    assert_eq!(available.body[0]["on_hand"], 4);

    // The technician cannot fill their own van; the supervisor does, in one action.
    let transfer = json!({"part_id": s.part, "from_location_id": s.branch, "quantity": 2});
    app.post_json(
        &format!("/service-orders/{id}/parts/transfer"),
        Role::Technician,
        transfer.clone(),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post_json(
        &format!("/service-orders/{id}/parts/transfer"),
        Role::ServiceSupervisor,
        transfer,
    )
    .await
    .assert_status(StatusCode::CREATED);

    let issued = app
        .post_json(
            &format!("/service-orders/{id}/parts/issue"),
            Role::Technician,
            issue(2),
        )
        .await;
    issued.assert_status(StatusCode::OK);
    assert_eq!(issued.body["lines"][0]["used"], 2);
    assert_eq!(issued.body["material_cost_fen"], 2 * 1_000);
    assert!(issued.body["van"].as_array().unwrap().is_empty());
    // A paid order charges the part at its sale price.
    let charges = app
        .get(&format!("/service-orders/{id}/charges"), Role::Technician)
        .await;
    assert_eq!(charges.body["lines"][0]["quantity"], 2);
    assert_eq!(charges.body["payable_fen"], 2 * 3_000);

    // One was not needed: back to the van, and off the charges.
    let back = app
        .post_json(
            &format!("/service-orders/{id}/parts/return-unused"),
            Role::Technician,
            issue(1),
        )
        .await;
    back.assert_status(StatusCode::OK);
    assert_eq!(back.body["lines"][0]["used"], 1);
    assert_eq!(back.body["van"][0]["on_hand"], 1);
    let charges = app
        .get(&format!("/service-orders/{id}/charges"), Role::Technician)
        .await;
    assert_eq!(charges.body["payable_fen"], 3_000);
    app.post_json(
        &format!("/service-orders/{id}/parts/return-unused"),
        Role::Technician,
        issue(2),
    )
    .await
    .assert_invalid("quantity");

    // The faulty part replaced goes to the branch store, outside usable stock.
    let faulty = app
        .post_json(
            &format!("/service-orders/{id}/parts/return-faulty"),
            Role::Technician,
            issue(1),
        )
        .await;
    faulty.assert_status(StatusCode::OK);
    assert_eq!(faulty.body["lines"][0]["faulty_returned"], 1);
    assert_eq!(on_hand(&app, s.branch, s.part).await, 2);
    app.post_json(
        &format!("/service-orders/{id}/parts/return-faulty"),
        Role::Technician,
        issue(1),
    )
    .await
    .assert_invalid("quantity");

    // Another technician's order is not theirs to draw on.
    let view = app
        .get(&format!("/service-orders/{id}/parts"), Role::ServiceAgent)
        .await;
    view.assert_status(StatusCode::OK);
    assert_eq!(view.body["movements"].as_array().unwrap().len(), 3);
    // The technician sees only their own van in the stock list.
    let own = app.get("/stock", Role::Technician).await;
    let rows = own.body.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["location_kind"], "van");
    assert_levels_match_ledger(&app).await;
}

#[tokio::test]
async fn a_count_difference_is_posted_only_after_the_supervisor_approves_with_a_reason() {
    let app = TestApp::spawn().await;
    let s = stock_setup(&app).await;
    app.post_json(
        "/stock/receipts",
        Role::WarehouseKeeper,
        json!({"part_id": s.part, "location_id": s.branch, "quantity": 5}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let count = app
        .post_json(
            "/stock-counts",
            Role::WarehouseKeeper,
            json!({"location_id": s.branch, "scope": "full"}),
        )
        .await;
    count.assert_status(StatusCode::CREATED);
    let id = count.id();
    let line = count.body["lines"][0]["id"].as_i64().unwrap();
    assert_eq!(count.body["lines"][0]["book_quantity"], 5);
    // A cycle count of class A finds nothing: a new part is class C.
    let cycle = app
        .post_json(
            "/stock-counts",
            Role::WarehouseKeeper,
            json!({"location_id": s.branch, "scope": "a"}),
        )
        .await;
    assert!(cycle.body["lines"].as_array().unwrap().is_empty());
    // The list shows the sheets newest first, a page at a time, without their lines.
    let listed = app
        .get("/stock-counts?per_page=1", Role::WarehouseKeeper)
        .await;
    listed.assert_status(StatusCode::OK);
    assert_eq!(listed.body["total"], 2);
    assert_eq!(listed.body["items"][0]["id"], cycle.body["id"]);
    assert_eq!(listed.body["items"][0]["scope"], "a");
    assert!(listed.body["items"][0].get("lines").is_none());

    let entered = app
        .post_json(
            &format!("/stock-counts/{id}/entries"),
            Role::WarehouseKeeper,
            json!({"lines": [{"line_id": line, "counted_quantity": 3}], "submit": true, "version": 1}),
        )
        .await;
    entered.assert_status(StatusCode::OK);
    assert_eq!(entered.body["status"], "submitted");
    assert_eq!(entered.body["lines"][0]["difference"], -2);
    // Nothing moves before approval, and the keeper cannot approve.
    assert_eq!(on_hand(&app, s.branch, s.part).await, 5);
    app.post_json(
        &format!("/stock-counts/{id}/decision"),
        Role::WarehouseKeeper,
        json!({"approve": true, "reason": "x", "version": 2}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post_json(
        &format!("/stock-counts/{id}/decision"),
        Role::ServiceSupervisor,
        json!({"approve": true, "version": 2}),
    )
    .await
    .assert_invalid("reason");
    let approved = app
        .post_json(
            &format!("/stock-counts/{id}/decision"),
            Role::ServiceSupervisor,
            json!({"approve": true, "reason": "两个被借用未登记", "version": 2}),
        )
        .await;
    approved.assert_status(StatusCode::OK);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(on_hand(&app, s.branch, s.part).await, 3);
    let ledger = app
        .get(
            &format!("/stock-movements?location_id={}", s.branch),
            Role::Admin,
        )
        .await;
    assert_eq!(ledger.body[0]["kind"], "count_adjustment");
    assert_eq!(ledger.body[0]["delta"], -2);
    assert_eq!(ledger.body[0]["count_id"], id);
    assert_levels_match_ledger(&app).await;
}

#[tokio::test]
async fn abc_classes_follow_consumption_and_an_override_needs_a_reason() {
    let app = TestApp::spawn().await;
    let s = stock_setup(&app).await;
    let mut cheap = json!({"part_number": "YS-200", "name": "螺丝", "unit": "包", "cost_fen": 10, "sale_price_fen": 20});
    let cheap_id = app
        .post_json("/parts", Role::WarehouseKeeper, cheap.clone())
        .await
        .id();
    for part in [s.part, cheap_id] {
        app.post_json(
            "/stock/receipts",
            Role::WarehouseKeeper,
            json!({"part_id": part, "location_id": s.branch, "quantity": 10}),
        )
        .await
        .assert_status(StatusCode::CREATED);
        app.post_json(
            "/stock/transfers",
            Role::ServiceSupervisor,
            json!({"part_id": part, "from_location_id": s.branch, "to_technician_id": app.user(Role::Technician), "quantity": 5}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    }
    let order = order_on_site(&app, "13900000072", "SN-PARTS-2", "2020-01-01").await;
    let id = order["id"].as_i64().unwrap();
    for part in [s.part, cheap_id] {
        app.post_json(
            &format!("/service-orders/{id}/parts/issue"),
            Role::Technician,
            json!({"part_id": part, "quantity": 5}),
        )
        .await
        .assert_status(StatusCode::OK);
    }
    let parts = app
        .post_json("/parts/recompute-abc", Role::WarehouseKeeper, json!({}))
        .await;
    parts.assert_status(StatusCode::OK);
    let class_of = |number: &str| {
        parts
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["part_number"] == number)
            .unwrap()["abc_class"]
            .clone()
    };
    assert_eq!(class_of("YS-100"), "a");
    assert_eq!(class_of("YS-200"), "c");

    cheap["abc_override"] = json!("a");
    cheap["version"] = json!(1);
    app.put_json(
        &format!("/parts/{cheap_id}"),
        Role::WarehouseKeeper,
        cheap.clone(),
    )
    .await
    .assert_invalid("abc_override_reason");
    cheap["abc_override_reason"] = json!("停产件，须重点保障");
    let updated = app
        .put_json(&format!("/parts/{cheap_id}"), Role::WarehouseKeeper, cheap)
        .await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.body["abc_class"], "a");
    assert_eq!(updated.body["abc_computed"], "c");
}

async fn step(app: &TestApp, role: Role, order: &Value, event: &str, extra: Value) -> Value {
    let mut body = json!({"version": order["version"]});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let response = app
        .post_json(
            &format!("/service-orders/{}/{event}", order["id"]),
            role,
            body,
        )
        .await;
    response.assert_status(StatusCode::OK);
    response.body
}

#[tokio::test]
async fn a_loaner_must_come_back_before_the_repaired_unit_and_is_flagged_when_late() {
    let app = TestApp::spawn().await;
    let loaner = app
        .post_json(
            "/loaners",
            Role::WarehouseKeeper,
            json!({"code": "TB-BJ-01", "name": "KFR-35GW 替补机", "serial_no": "TB-SN-1"}),
        )
        .await;
    loaner.assert_status(StatusCode::CREATED);
    let loaner_id = loaner.id();
    let order = order_on_site(&app, "13900000073", "SN-PARTS-3", "2020-01-01").await;
    let id = order["id"].as_i64().unwrap();
    // Not carried in yet: nothing to stand in for.
    app.post_json(
        &format!("/loaners/{loaner_id}/lend"),
        Role::ServiceAgent,
        json!({"order_id": id, "version": 1}),
    )
    .await
    .assert_invalid("order_id");
    let order = step(
        &app,
        Role::Technician,
        &order,
        "carry_in",
        json!({"note": "带回维修", "receipt": {"item_description": "KFR-35GW 室内机", "promised_date": "2026-11-25"}}),
    )
    .await;
    let lent = app
        .post_json(
            &format!("/loaners/{loaner_id}/lend"),
            Role::ServiceAgent,
            json!({"order_id": id, "version": 1}),
        )
        .await;
    lent.assert_status(StatusCode::OK);
    assert_eq!(lent.body["status"], "lent");
    assert_eq!(lent.body["order_id"], id);
    let on_order = app
        .get(&format!("/service-orders/{id}/loaners"), Role::Technician)
        .await;
    assert_eq!(on_order.body[0]["code"], "TB-BJ-01");

    let mut order = order;
    for (role, event) in [
        (Role::Technician, "start_repair"),
        (Role::Technician, "finish_repair"),
        (Role::ServiceSupervisor, "pass_inspection"),
    ] {
        order = step(&app, role, &order, event, json!({})).await;
    }
    // Late: 3 days after the promised 25th, the supervisors are told.
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 7));
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    let pool = app.get("/loaners", Role::ServiceSupervisor).await;
    assert_eq!(pool.body[0]["overdue"], true);
    let inbox = app.get("/notifications", Role::ServiceSupervisor).await;
    assert!(
        inbox.body.to_string().contains("TB-BJ-01"),
        "{}",
        inbox.body
    );

    // The repaired unit does not go back while the loaner is out.
    let mut body = json!({"version": order["version"], "receipt_returned": true});
    let refused = app
        .post_json(
            &format!("/service-orders/{id}/return_to_customer"),
            Role::ServiceAgent,
            body.clone(),
        )
        .await;
    refused.assert_error(StatusCode::CONFLICT, "loaner_out", None);
    let recalled = app
        .post_json(
            &format!("/loaners/{loaner_id}/recall"),
            Role::ServiceAgent,
            json!({"version": 2}),
        )
        .await;
    recalled.assert_status(StatusCode::OK);
    assert_eq!(recalled.body["status"], "available");
    assert_eq!(recalled.body["overdue"], false);
    let history: Vec<&str> = recalled.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["lend", "recall"]);
    body["version"] = order["version"].clone();
    app.post_json(
        &format!("/service-orders/{id}/return_to_customer"),
        Role::ServiceAgent,
        body,
    )
    .await
    .assert_status(StatusCode::OK);
}
