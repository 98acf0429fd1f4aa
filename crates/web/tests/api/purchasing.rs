//! Replenishment and parts purchase requests (PARTS-2/3), the periodic stock count (T21)
//! and the parts reports.

use aftersales_domain::role::Role;
use aftersales_store::entity::{notification, stock_count, timer};
use aftersales_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use axum::http::StatusCode;
use serde_json::json;

use crate::billing::order_on_site;
use crate::helpers::TestApp;
use crate::parts::{on_hand, stock_setup};

#[tokio::test]
async fn a_purchase_request_from_the_proposal_is_approved_and_received_into_stock() {
    let app = TestApp::spawn().await;
    let s = stock_setup(&app).await;
    app.post_json(
        "/stock/receipts",
        Role::WarehouseKeeper,
        json!({"part_id": s.part, "location_id": s.branch, "quantity": 2}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    // The supervisor does not set reorder points; the keeper does.
    let reorder = json!({"part_id": s.part, "location_id": s.branch, "reorder_point": 3, "order_quantity": 10});
    app.put_json(
        "/replenishment/reorder-points",
        Role::ServiceSupervisor,
        reorder.clone(),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.put_json(
        "/replenishment/reorder-points",
        Role::WarehouseKeeper,
        json!({"part_id": s.part, "location_id": s.branch, "reorder_point": -1, "order_quantity": 10}),
    )
    .await
    .assert_invalid("reorder_point");
    let set = app
        .put_json(
            "/replenishment/reorder-points",
            Role::WarehouseKeeper,
            reorder,
        )
        .await;
    set.assert_status(StatusCode::OK);
    assert_eq!(set.body["reorder_point"], 3);
    // 2 on hand ≤ 3: order 10 plus the 1 missing to the reorder point.
    assert_eq!(set.body["to_order"], 11);
    // Setting the reorder point did not touch the stock.
    assert_eq!(on_hand(&app, s.branch, s.part).await, 2);

    let proposal = app
        .get("/replenishment?proposal=true", Role::ServiceSupervisor)
        .await;
    proposal.assert_status(StatusCode::OK);
    let rows = proposal.body.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["location_id"], s.branch);
    app.get("/replenishment", Role::Technician)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    let request = app
        .post_json(
            "/purchase-requests",
            Role::WarehouseKeeper,
            json!({"part_id": s.part, "location_id": s.branch, "quantity": rows[0]["to_order"]}),
        )
        .await;
    request.assert_status(StatusCode::CREATED);
    assert_eq!(request.body["status"], "requested");
    let id = request.id();
    // The supervisors were told.
    let told = notification::Entity::find()
        .filter(notification::Column::UserId.eq(app.user(Role::ServiceSupervisor)))
        .filter(notification::Column::Kind.eq("purchase_request"))
        .all(&app.app.db)
        .await
        .unwrap();
    assert_eq!(told.len(), 1);
    // What is on order leaves the proposal.
    let proposal = app
        .get("/replenishment?proposal=true", Role::WarehouseKeeper)
        .await;
    assert!(proposal.body.as_array().unwrap().is_empty());

    // Not received before approval; the keeper does not approve.
    app.post_json(
        &format!("/purchase-requests/{id}/receipt"),
        Role::WarehouseKeeper,
        json!({"version": 1}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    app.post_json(
        &format!("/purchase-requests/{id}/decision"),
        Role::WarehouseKeeper,
        json!({"approve": true, "version": 1}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post_json(
        &format!("/purchase-requests/{id}/decision"),
        Role::ServiceSupervisor,
        json!({"approve": true, "version": 9}),
    )
    .await
    .assert_status(StatusCode::CONFLICT);
    let approved = app
        .post_json(
            &format!("/purchase-requests/{id}/decision"),
            Role::ServiceSupervisor,
            json!({"approve": true, "version": 1}),
        )
        .await;
    approved.assert_status(StatusCode::OK);
    assert_eq!(approved.body["status"], "approved");
    let received = app
        .post_json(
            &format!("/purchase-requests/{id}/receipt"),
            Role::WarehouseKeeper,
            json!({"unit_cost_fen": 1_200, "reason": "送货单 8812", "version": 2}),
        )
        .await;
    received.assert_status(StatusCode::OK);
    assert_eq!(received.body["status"], "received");
    assert!(received.body["movement_id"].is_i64());
    assert_eq!(on_hand(&app, s.branch, s.part).await, 13);
    let open = app
        .get("/purchase-requests?open=true", Role::WarehouseKeeper)
        .await;
    assert!(open.body["items"].as_array().unwrap().is_empty());
    assert_eq!(open.body["total"], 0);
    let all = app.get("/purchase-requests", Role::WarehouseKeeper).await;
    assert_eq!(all.body["total"], 1);
    assert_eq!(all.body["items"][0]["status"], "received");

    // A rejection needs a reason.
    let other = app
        .post_json(
            "/purchase-requests",
            Role::ServiceSupervisor,
            json!({"part_id": s.part, "location_id": s.central, "quantity": 5, "note": "手工请购"}),
        )
        .await;
    other.assert_status(StatusCode::CREATED);
    let decision = format!("/purchase-requests/{}/decision", other.id());
    app.post_json(
        &decision,
        Role::ServiceSupervisor,
        json!({"approve": false, "version": 1}),
    )
    .await
    .assert_invalid("reason");
    let rejected = app
        .post_json(
            &decision,
            Role::ServiceSupervisor,
            json!({"approve": false, "reason": "库存够用", "version": 1}),
        )
        .await;
    assert_eq!(rejected.body["status"], "rejected");
    app.post_json(
        "/purchase-requests",
        Role::Technician,
        json!({"part_id": s.part, "location_id": s.branch, "quantity": 1}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_technician_of_the_waiting_order_is_told_when_its_parts_arrive() {
    let app = TestApp::spawn().await;
    let s = stock_setup(&app).await;
    let order = order_on_site(&app, "13900000081", "SN-PR-1", "2020-01-01").await;
    let order_id = order["id"].as_i64().unwrap();
    // The technician waits for the part: the order's clocks pause.
    app.post_json(
        &format!("/service-orders/{order_id}/await_parts"),
        Role::Technician,
        json!({"version": order["version"], "note": "缺压缩机电容"}),
    )
    .await
    .assert_status(StatusCode::OK);
    let request = app
        .post_json(
            "/purchase-requests",
            Role::ServiceSupervisor,
            json!({"part_id": s.part, "location_id": s.branch, "quantity": 1, "order_id": order_id}),
        )
        .await;
    request.assert_status(StatusCode::CREATED);
    assert_eq!(request.body["order_number"], order["number"]);
    let id = request.id();
    app.post_json(
        &format!("/purchase-requests/{id}/decision"),
        Role::ServiceSupervisor,
        json!({"approve": true, "version": 1}),
    )
    .await
    .assert_status(StatusCode::OK);
    app.post_json(
        &format!("/purchase-requests/{id}/receipt"),
        Role::WarehouseKeeper,
        json!({"version": 2}),
    )
    .await
    .assert_status(StatusCode::OK);
    let told = notification::Entity::find()
        .filter(notification::Column::UserId.eq(app.user(Role::Technician)))
        .filter(notification::Column::Kind.eq("purchase_received"))
        .all(&app.app.db)
        .await
        .unwrap();
    assert_eq!(told.len(), 1);
    assert_eq!(
        told[0].link.as_deref(),
        Some(format!("/service-orders/{order_id}/parts").as_str())
    );
    // A request for an unknown order is refused by field.
    app.post_json(
        "/purchase-requests",
        Role::ServiceSupervisor,
        json!({"part_id": s.part, "location_id": s.branch, "quantity": 1, "order_id": 999_999}),
    )
    .await
    .assert_invalid("order_id");
}

#[tokio::test]
async fn every_warehouse_location_gets_a_count_task_every_interval_exactly_once() {
    let app = TestApp::spawn().await;
    let s = stock_setup(&app).await;
    app.post_json(
        "/stock/receipts",
        Role::WarehouseKeeper,
        json!({"part_id": s.part, "location_id": s.branch, "quantity": 4}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let counts = || async {
        stock_count::Entity::find()
            .filter(stock_count::Column::LocationId.eq(s.branch))
            .all(&app.app.db)
            .await
            .unwrap()
    };
    // Not before the interval (30 days).
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 29));
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    assert!(counts().await.is_empty());
    app.clock.advance(jiff::SignedDuration::from_hours(24));
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    let drawn = counts().await;
    assert_eq!(drawn.len(), 1);
    assert_eq!(drawn[0].scope, "full");
    assert_eq!(drawn[0].status, "open");
    // Assigned to and announced to the branch's warehouse keeper.
    assert_eq!(drawn[0].created_by, app.user(Role::WarehouseKeeper));
    let told = notification::Entity::find()
        .filter(notification::Column::UserId.eq(app.user(Role::WarehouseKeeper)))
        .filter(notification::Column::Kind.eq("stock_count_due"))
        .all(&app.app.db)
        .await
        .unwrap();
    assert!(!told.is_empty());
    let sheet = app
        .get(
            &format!("/stock-counts/{}", drawn[0].id),
            Role::WarehouseKeeper,
        )
        .await;
    assert_eq!(sheet.body["lines"][0]["book_quantity"], 4);
    // Running again fires nothing more: exactly once.
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    assert_eq!(counts().await.len(), 1);
    // The next one is pending, one interval later.
    let pending: Vec<timer::Model> = timer::Entity::find()
        .filter(timer::Column::Kind.eq("stock_count_due"))
        .filter(timer::Column::SubjectId.eq(s.branch))
        .filter(timer::Column::Status.eq("pending"))
        .all(&app.app.db)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].due_at, drawn[0].created_at + 30 * 86_400_000);
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 30));
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    assert_eq!(counts().await.len(), 2);
}

#[tokio::test]
async fn the_parts_reports_answer_and_export_to_xlsx() {
    let app = TestApp::spawn().await;
    let s = stock_setup(&app).await;
    app.post_json(
        "/stock/receipts",
        Role::WarehouseKeeper,
        json!({"part_id": s.part, "location_id": s.branch, "quantity": 4, "unit_cost_fen": 1_000}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    app.post_json(
        "/tools",
        Role::WarehouseKeeper,
        json!({"asset_no": "GJ-R1", "name": "压力表", "value_fen": 30_000}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let value = app
        .get("/parts-reports/stock_value", Role::WarehouseKeeper)
        .await;
    value.assert_status(StatusCode::OK);
    assert_eq!(value.body["headers"][0], "库位");
    assert_eq!(value.body["rows"][0][3], "4");
    assert_eq!(value.body["rows"][0][4], "40.00");
    let slow = app
        .get("/parts-reports/slow_movers?days=30", Role::GeneralManager)
        .await;
    slow.assert_status(StatusCode::OK);
    assert_eq!(slow.body["rows"].as_array().unwrap().len(), 1);
    for kind in ["consumption", "van_stock", "tools_held", "open_purchases"] {
        app.get(&format!("/parts-reports/{kind}"), Role::ServiceSupervisor)
            .await
            .assert_status(StatusCode::OK);
    }
    let export = app
        .get("/parts-reports/stock_value/export", Role::Accountant)
        .await;
    export.assert_status(StatusCode::OK);
    app.get("/parts-reports/nonsense", Role::WarehouseKeeper)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get("/parts-reports/stock_value", Role::Technician)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}
