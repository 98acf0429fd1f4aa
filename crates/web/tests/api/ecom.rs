//! Online buyer after-sales requests (ECOM-1..5): order import (JSON and sheet), the portal
//! buyer's one-shot request, T27 (quality return within 7 days of sign-off), T15 (auto-accept
//! when the seller does not answer, exactly once), rejection → arbitration, the repair order,
//! the external escalation, and scope.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use jiff::SignedDuration;
use serde_json::{json, Value};

use crate::helpers::{customer_body, TestApp};

/// "a photo" as base64.
const PHOTO: &str = "YSBwaG90bw==";

/// `START` minus `days` days, as RFC 3339.
fn days_before_start(days: i64) -> String {
    let start: jiff::Timestamp = crate::helpers::START.parse().unwrap();
    (start - SignedDuration::from_hours(24 * days)).to_string()
}

/// Imports an order of the portal customer (unless `customer` is given) with two lines.
async fn order(
    app: &TestApp,
    number: &str,
    customer: Option<i64>,
    signed_at: Option<&str>,
) -> Value {
    let created = app
        .post_json(
            "/ecom/orders",
            Role::ServiceAgent,
            json!({
                "order_number": number,
                "customer_id": customer.unwrap_or(app.seed.portal_customer),
                "platform": "天猫旗舰店",
                "carrier": "顺丰",
                "tracking_no": format!("SF{number}"),
                "signed_at": signed_at,
                "lines": [
                    {"sku": "KFR-35GW-W", "product_name": "挂式空调", "product_id": app.seed.product, "quantity": 1, "price_fen": 299_900},
                    {"sku": "RC-01", "product_name": "遥控器", "quantity": 2, "price_fen": 5_000}
                ]
            }),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    created.body.clone()
}

fn line(order: &Value, idx: usize) -> i64 {
    order["lines"][idx]["id"].as_i64().unwrap()
}

async fn file(app: &TestApp, body: Value) -> crate::helpers::TestResponse {
    app.post_json("/ecom/requests", Role::Customer, body).await
}

fn quality(line_id: i64) -> Value {
    json!({"order_line_id": line_id, "request_type": "quality_return", "description": "开机有异响",
           "evidence": [{"file_name": "异响.jpg", "content_type": "image/jpeg", "content_base64": PHOTO}]})
}

async fn step(
    app: &TestApp,
    request: &Value,
    role: Role,
    event: &str,
    note: Option<&str>,
) -> crate::helpers::TestResponse {
    app.post_json(
        &format!("/ecom/requests/{}/step", request["id"]),
        role,
        json!({"version": request["version"], "event": event, "note": note}),
    )
    .await
}

async fn get(app: &TestApp, request: &Value) -> Value {
    let response = app
        .get(&format!("/ecom/requests/{}", request["id"]), Role::Customer)
        .await;
    response.assert_status(StatusCode::OK);
    response.body.clone()
}

fn events(request: &Value) -> Vec<String> {
    request["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_imported_order_shows_the_buyer_which_requests_are_possible_and_why() {
    let app = TestApp::spawn().await;
    let signed = days_before_start(2);
    let o = order(&app, "TM1001", None, Some(&signed)).await;
    assert_eq!(o["lines"].as_array().unwrap().len(), 2);
    assert_eq!(o["signed_at"], signed);
    let seen = app
        .get(&format!("/ecom/orders/{}", o["id"]), Role::Customer)
        .await;
    seen.assert_status(StatusCode::OK);
    let options = &seen.body["lines"][0]["options"];
    assert_eq!(options[0]["request_type"], "refund_only");
    assert_eq!(options[0]["allowed"], false);
    assert_eq!(options[0]["refusal"], "already_received");
    assert!(options[0]["explanation_zh"]
        .as_str()
        .unwrap()
        .contains("已签收"));
    assert_eq!(options[1]["allowed"], true);
    assert_eq!(options[2]["allowed"], true);

    // The order number is unique; bad input names its field and stores nothing.
    let again = app
        .post_json(
            "/ecom/orders",
            Role::ServiceAgent,
            json!({"order_number": "TM1001", "customer_id": app.seed.portal_customer,
                   "lines": [{"sku": "X", "product_name": "X", "quantity": 1, "price_fen": 1}]}),
        )
        .await;
    again.assert_error(StatusCode::CONFLICT, "already_exists", Some("order_number"));
    let bad = app
        .post_json(
            "/ecom/orders",
            Role::ServiceAgent,
            json!({"order_number": "TM1002", "customer_id": app.seed.portal_customer, "signed_at": "昨天",
                   "lines": [{"sku": "X", "product_name": "X", "quantity": 0, "price_fen": 1}]}),
        )
        .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = bad.error_fields();
    assert!(fields.contains(&"signed_at".to_string()), "{fields:?}");
    assert!(
        fields.contains(&"lines[0].quantity".to_string()),
        "{fields:?}"
    );
    let listed = app.get("/ecom/orders", Role::Customer).await;
    assert_eq!(listed.body["total"], 1);
}

#[tokio::test]
async fn another_customer_and_another_branch_get_404() {
    let app = TestApp::spawn().await;
    let other = app
        .create_customer(customer_body(
            "天津买家",
            "13800000077",
            app.seed.tj,
            app.seed.tj_urban,
        ))
        .await;
    let other_id = other["id"].as_i64().unwrap();
    let o = app
        .post_json(
            "/ecom/orders",
            Role::CustomerDepartment,
            json!({"order_number": "JD2001", "customer_id": other_id, "signed_at": days_before_start(1),
                   "lines": [{"sku": "A", "product_name": "净水器", "quantity": 1, "price_fen": 100_000}]}),
        )
        .await;
    o.assert_status(StatusCode::CREATED);
    let order_id = o.body["id"].as_i64().unwrap();
    // The portal buyer may not see or file on someone else's order.
    app.get(&format!("/ecom/orders/{order_id}"), Role::Customer)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    file(&app, quality(line(&o.body, 0)))
        .await
        .assert_invalid("order_line_id");
    // A BJ agent does not see a TJ customer's order; a BJ agent cannot import for TJ.
    app.get(&format!("/ecom/orders/{order_id}"), Role::ServiceAgent)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // A request of the TJ customer (filed by the administrator, who holds every right) is
    // hidden from the portal buyer, also for steps and evidence.
    let request = app
        .post_json("/ecom/requests", Role::Admin, quality(line(&o.body, 0)))
        .await;
    request.assert_status(StatusCode::CREATED);
    let id = request.body["id"].as_i64().unwrap();
    app.get(&format!("/ecom/requests/{id}"), Role::Customer)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    step(&app, &request.body, Role::Customer, "cancel", None)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get(&format!("/ecom/requests/{id}"), Role::ServiceAgent)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let mine = app.get("/ecom/requests", Role::Customer).await;
    assert_eq!(mine.body["total"], 0);
}

#[tokio::test]
async fn one_request_per_line_its_type_never_changes_and_a_cancelled_one_is_not_refiled() {
    let app = TestApp::spawn().await;
    let o = order(&app, "TM3001", None, Some(&days_before_start(1))).await;
    let created = file(&app, quality(line(&o, 0))).await;
    created.assert_status(StatusCode::CREATED);
    let request = created.body.clone();
    assert_eq!(request["status"], "awaiting_seller");
    assert_eq!(request["request_type"], "quality_return");
    assert_eq!(request["refund_fen"], 299_900);
    assert_eq!(request["evidence"].as_array().unwrap().len(), 1);
    assert!(request["number"]
        .as_str()
        .unwrap()
        .starts_with("WS20261122"));
    assert_eq!(events(&request), ["filed"]);
    // The due time is 48 hours after filing (ecom.seller_response_hours).
    assert_eq!(request["due_at"], "2026-11-24T02:00:00Z");

    // A second request on the same line, whatever its type, is refused with the reason.
    let second = file(
        &app,
        json!({"order_line_id": line(&o, 0), "request_type": "protection", "remedy": "exchange", "description": "想换货"}),
    )
    .await;
    second.assert_error(
        StatusCode::CONFLICT,
        "already_requested",
        Some("order_line_id"),
    );
    assert!(second.body["detail"]
        .as_str()
        .unwrap()
        .contains("只能申请一次"));
    // There is no step that changes the type, and no route to edit the request.
    step(&app, &request, Role::Customer, "change_type", None)
        .await
        .assert_invalid("event");
    let edit = app
        .put_json(
            &format!("/ecom/requests/{}", request["id"]),
            Role::Customer,
            json!({"request_type": "refund_only"}),
        )
        .await;
    assert!(edit.status.is_client_error(), "{}", edit.status);
    assert_eq!(get(&app, &request).await["request_type"], "quality_return");

    // The other line gets its own request; withdrawn, it cannot be filed again.
    let other = file(
        &app,
        json!({"order_line_id": line(&o, 1), "request_type": "protection", "remedy": "exchange", "description": "按键失灵"}),
    )
    .await;
    other.assert_status(StatusCode::CREATED);
    assert_eq!(other.body["refund_fen"], Value::Null);
    let cancelled = step(&app, &other.body, Role::Customer, "cancel", None).await;
    cancelled.assert_status(StatusCode::OK);
    assert_eq!(cancelled.body["status"], "cancelled");
    let refiled = file(
        &app,
        json!({"order_line_id": line(&o, 1), "request_type": "protection", "remedy": "return", "description": "按键失灵"}),
    )
    .await;
    refiled.assert_error(
        StatusCode::CONFLICT,
        "cancelled_cannot_refile",
        Some("order_line_id"),
    );
    // The seller cannot file for the buyer, the buyer cannot answer for the seller.
    app.post_json("/ecom/requests", Role::ServiceAgent, quality(line(&o, 1)))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    step(&app, &request, Role::Customer, "accept", None)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn required_fields_depend_on_the_type() {
    let app = TestApp::spawn().await;
    let o = order(&app, "TM4001", None, Some(&days_before_start(1))).await;
    let l = line(&o, 0);
    file(
        &app,
        json!({"order_line_id": l, "request_type": "quality_return", "description": "坏了"}),
    )
    .await
    .assert_invalid("evidence");
    file(
        &app,
        json!({"order_line_id": l, "request_type": "protection", "description": "坏了"}),
    )
    .await
    .assert_invalid("remedy");
    file(
        &app,
        json!({"order_line_id": l, "request_type": "protection", "remedy": "repair"}),
    )
    .await
    .assert_invalid("description");
    file(&app, json!({"order_line_id": l, "request_type": "quality_return", "remedy": "repair", "description": "坏了",
                      "evidence": [{"file_name": "a.jpg", "content_base64": PHOTO}]}))
        .await
        .assert_invalid("remedy");
    file(
        &app,
        json!({"order_line_id": l, "request_type": "swap", "description": "坏了"}),
    )
    .await
    .assert_invalid("request_type");
    // Refund only is for goods not received.
    file(
        &app,
        json!({"order_line_id": l, "request_type": "refund_only", "description": "拒收"}),
    )
    .await
    .assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("request_type"),
    );
    let unsigned = order(&app, "TM4002", None, None).await;
    let refund = file(
        &app,
        json!({"order_line_id": line(&unsigned, 0), "request_type": "refund_only", "description": "验货发现外箱破损，拒收"}),
    )
    .await;
    refund.assert_status(StatusCode::CREATED);
    assert_eq!(refund.body["refund_fen"], 299_900);
    file(&app, json!({"order_line_id": line(&unsigned, 1), "request_type": "protection", "remedy": "repair", "description": "x"}))
        .await
        .assert_invalid("request_type");
    let nothing = app.get("/ecom/requests", Role::Customer).await;
    assert_eq!(nothing.body["total"], 1);
}

#[tokio::test]
async fn t27_a_quality_return_is_possible_for_7_days_after_sign_off_then_only_a_protection_claim() {
    let app = TestApp::spawn().await;
    let o = order(&app, "TM5001", None, Some(&days_before_start(6))).await;
    // Day 6: still possible; the clock moves two days on: no longer.
    let options = app
        .get(&format!("/ecom/orders/{}", o["id"]), Role::Customer)
        .await;
    assert_eq!(options.body["lines"][0]["options"][1]["allowed"], true);
    app.clock.advance(SignedDuration::from_hours(48));
    let options = app
        .get(&format!("/ecom/orders/{}", o["id"]), Role::Customer)
        .await;
    let quality_option = &options.body["lines"][0]["options"][1];
    assert_eq!(quality_option["allowed"], false);
    assert_eq!(quality_option["refusal"], "quality_window_passed");
    assert!(quality_option["explanation_en"]
        .as_str()
        .unwrap()
        .contains("8 days ago"));
    let late = file(&app, quality(line(&o, 0))).await;
    late.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(late.body["errors"][0]["code"], "quality_window_passed");
    let claim = file(
        &app,
        json!({"order_line_id": line(&o, 0), "request_type": "protection", "remedy": "return", "description": "异响"}),
    )
    .await;
    claim.assert_status(StatusCode::CREATED);
    assert_eq!(claim.body["refund_fen"], 299_900);
}

#[tokio::test]
async fn t15_the_request_is_auto_accepted_exactly_once_when_the_seller_does_not_answer() {
    let app = TestApp::spawn().await;
    let o = order(&app, "TM6001", None, Some(&days_before_start(1))).await;
    let request = file(&app, quality(line(&o, 0))).await.body.clone();
    app.clock.advance(SignedDuration::from_hours(47));
    assert_eq!(
        aftersales_app::timers::run_due(&app.app, 10).await.unwrap(),
        0
    );
    assert_eq!(get(&app, &request).await["status"], "awaiting_seller");
    app.clock.advance(SignedDuration::from_hours(2));
    let listed = app
        .get("/ecom/requests?overdue=true", Role::ServiceAgent)
        .await;
    assert_eq!(listed.body["total"], 1);
    assert_eq!(
        aftersales_app::timers::run_due(&app.app, 10).await.unwrap(),
        1
    );
    assert_eq!(
        aftersales_app::timers::run_due(&app.app, 10).await.unwrap(),
        0
    );
    let accepted = get(&app, &request).await;
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["accepted_by"], "timer");
    assert_eq!(accepted["request_type"], "quality_return");
    assert_eq!(events(&accepted), ["filed", "auto_accept"]);
    assert_eq!(accepted["timeline"][1]["actor"], Value::Null);
    // The seller's late answer is refused; the buyer was told.
    step(
        &app,
        &accepted,
        Role::ServiceAgent,
        "reject",
        Some("太晚了"),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("event"));
    let inbox = app.get("/notifications", Role::Customer).await;
    assert!(
        inbox.body.to_string().contains("已按您的售后要求达成协议"),
        "{}",
        inbox.body
    );
    let overdue = app
        .get("/ecom/requests?overdue=true", Role::ServiceAgent)
        .await;
    assert_eq!(overdue.body["total"], 0);
}

#[tokio::test]
async fn the_sellers_answer_cancels_the_timer() {
    let app = TestApp::spawn().await;
    let o = order(&app, "TM7001", None, Some(&days_before_start(1))).await;
    let request = file(&app, quality(line(&o, 0))).await.body.clone();
    let accepted = step(&app, &request, Role::ServiceAgent, "accept", None).await;
    accepted.assert_status(StatusCode::OK);
    assert_eq!(accepted.body["accepted_by"], "seller");
    app.clock.advance(SignedDuration::from_hours(72));
    assert_eq!(
        aftersales_app::timers::run_due(&app.app, 10).await.unwrap(),
        0
    );
    let after = get(&app, &request).await;
    assert_eq!(events(&after), ["filed", "accept"]);
    // A stale version is refused.
    step(&app, &request, Role::Customer, "cancel", None)
        .await
        .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
}

#[tokio::test]
async fn a_rejected_buyer_asks_for_arbitration_and_the_ruling_is_final() {
    let app = TestApp::spawn().await;
    let o = order(&app, "TM8001", None, Some(&days_before_start(1))).await;
    let request = file(&app, quality(line(&o, 0))).await.body.clone();
    step(&app, &request, Role::ServiceAgent, "reject", None)
        .await
        .assert_invalid("note");
    let rejected = step(
        &app,
        &request,
        Role::ServiceAgent,
        "reject",
        Some("人为损坏"),
    )
    .await;
    rejected.assert_status(StatusCode::OK);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(
        rejected.body["buyer_events"],
        json!(["request_arbitration", "cancel"])
    );
    let appealed = step(
        &app,
        &rejected.body,
        Role::Customer,
        "request_arbitration",
        Some("出厂即有异响，有视频为证"),
    )
    .await;
    appealed.assert_status(StatusCode::OK);
    assert_eq!(appealed.body["status"], "in_arbitration");
    // The arbitration queue shows it to the platform arbiter (who sees every branch).
    let queue = app
        .get(
            "/ecom/requests?status=in_arbitration",
            Role::PlatformArbiter,
        )
        .await;
    assert_eq!(queue.body["total"], 1);
    step(
        &app,
        &appealed.body,
        Role::ServiceAgent,
        "rule_for_buyer",
        Some("x"),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let ruled = step(
        &app,
        &appealed.body,
        Role::PlatformArbiter,
        "rule_for_seller",
        Some("视频显示为跌落损坏"),
    )
    .await;
    ruled.assert_status(StatusCode::OK);
    assert_eq!(ruled.body["status"], "refused");
    assert_eq!(ruled.body["ruling"], "seller");
    assert!(ruled.body["buyer_events"].as_array().unwrap().is_empty());
    for (role, event) in [
        (Role::Customer, "request_arbitration"),
        (Role::Customer, "cancel"),
        (Role::PlatformArbiter, "rule_for_buyer"),
    ] {
        step(&app, &ruled.body, role, event, Some("再议"))
            .await
            .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("event"));
    }
    assert_eq!(
        events(&get(&app, &request).await),
        ["filed", "reject", "request_arbitration", "rule_for_seller"]
    );
}

#[tokio::test]
async fn a_ruling_for_the_buyer_accepts_it_and_the_appeal_has_a_deadline() {
    let app = TestApp::spawn().await;
    let o = order(&app, "TM9001", None, Some(&days_before_start(1))).await;
    let first = file(&app, quality(line(&o, 0))).await.body.clone();
    let rejected = step(&app, &first, Role::ServiceAgent, "reject", Some("不同意"))
        .await
        .body
        .clone();
    let appealed = step(
        &app,
        &rejected,
        Role::Customer,
        "request_arbitration",
        Some("有凭证"),
    )
    .await
    .body
    .clone();
    let ruled = step(
        &app,
        &appealed,
        Role::PlatformArbiter,
        "rule_for_buyer",
        Some("凭证充分"),
    )
    .await;
    ruled.assert_status(StatusCode::OK);
    assert_eq!(ruled.body["status"], "accepted");
    assert_eq!(ruled.body["accepted_by"], "arbiter");

    let second = file(
        &app,
        json!({"order_line_id": line(&o, 1), "request_type": "protection", "remedy": "exchange", "description": "按键失灵"}),
    )
    .await
    .body
    .clone();
    let rejected = step(&app, &second, Role::ServiceAgent, "reject", Some("不同意"))
        .await
        .body
        .clone();
    app.clock.advance(SignedDuration::from_hours(73));
    step(
        &app,
        &rejected,
        Role::Customer,
        "request_arbitration",
        Some("迟到的申请"),
    )
    .await
    .assert_error(
        StatusCode::CONFLICT,
        "arbitration_window_passed",
        Some("event"),
    );
}

#[tokio::test]
async fn an_accepted_repair_becomes_a_service_order_once() {
    let app = TestApp::spawn().await;
    let o = order(&app, "TM10001", None, Some(&days_before_start(30))).await;
    let request = file(
        &app,
        json!({"order_line_id": line(&o, 0), "request_type": "protection", "remedy": "repair", "description": "不制冷"}),
    )
    .await
    .body
    .clone();
    app.post_json(
        &format!("/ecom/requests/{}/repair-order", request["id"]),
        Role::ServiceAgent,
        json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "repair_not_possible", None);
    let accepted = step(&app, &request, Role::ServiceAgent, "accept", None)
        .await
        .body
        .clone();
    assert_eq!(accepted["can_create_repair_order"], true);
    let linked = app
        .post_json(
            &format!("/ecom/requests/{}/repair-order", request["id"]),
            Role::ServiceAgent,
            json!({}),
        )
        .await;
    linked.assert_status(StatusCode::OK);
    let order_id = linked.body["service_order_id"].as_i64().unwrap();
    let service_order = app
        .get(&format!("/service-orders/{order_id}"), Role::ServiceAgent)
        .await;
    service_order.assert_status(StatusCode::OK);
    assert_eq!(service_order.body["customer_id"], app.seed.portal_customer);
    assert!(service_order.body["fault_description"]
        .as_str()
        .unwrap()
        .contains("不制冷"));
    app.post_json(
        &format!("/ecom/requests/{}/repair-order", request["id"]),
        Role::ServiceAgent,
        json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "repair_order_exists", None);
    assert_eq!(
        events(&get(&app, &request).await).last().unwrap(),
        "repair_order"
    );
}

#[tokio::test]
async fn an_external_escalation_is_a_high_priority_complaint() {
    let app = TestApp::spawn().await;
    let o = order(&app, "TM11001", None, Some(&days_before_start(1))).await;
    let request = file(&app, quality(line(&o, 0))).await.body.clone();
    app.post_json(
        &format!("/ecom/requests/{}/escalation", request["id"]),
        Role::ServiceAgent,
        json!({"authority": "weibo", "note": ""}),
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let escalated = app
        .post_json(
            &format!("/ecom/requests/{}/escalation", request["id"]),
            Role::ServiceAgent,
            json!({"authority": "black_cat", "note": "买家称商家拖延处理"}),
        )
        .await;
    escalated.assert_status(StatusCode::OK);
    let complaint_id = escalated.body["complaint_id"].as_i64().unwrap();
    let complaint = app
        .get(
            &format!("/complaints/{complaint_id}"),
            Role::CustomerDepartment,
        )
        .await;
    complaint.assert_status(StatusCode::OK);
    assert_eq!(complaint.body["channel"], "external_authority");
    assert_eq!(complaint.body["severity"], "major");
    assert_eq!(complaint.body["order_number"], "TM11001");
    assert_eq!(complaint.body["customer_id"], app.seed.portal_customer);
    assert_eq!(
        events(&escalated.body).last().unwrap(),
        "external_escalation"
    );
    app.post_json(
        &format!("/ecom/requests/{}/escalation", request["id"]),
        Role::Customer,
        json!({"authority": "black_cat", "note": "x"}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn evidence_can_be_added_while_the_request_is_open() {
    let app = TestApp::spawn().await;
    let o = order(&app, "TM12001", None, Some(&days_before_start(1))).await;
    let request = file(&app, quality(line(&o, 0))).await.body.clone();
    let added = app
        .post_json(
            &format!("/ecom/requests/{}/evidence", request["id"]),
            Role::Customer,
            json!({"file": {"file_name": "聊天记录.txt", "content_type": "text/plain", "content_base64": PHOTO}}),
        )
        .await;
    added.assert_status(StatusCode::OK);
    assert_eq!(added.body["evidence"].as_array().unwrap().len(), 2);
    let attachment = added.body["evidence"][1]["id"].as_i64().unwrap();
    app.get(
        &format!("/attachments/{attachment}/download"),
        Role::Customer,
    )
    .await
    .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn orders_are_imported_from_a_sheet_all_or_nothing() {
    let app = TestApp::spawn().await;
    let customer = app
        .get(
            &format!("/customers/{}", app.seed.portal_customer),
            Role::Admin,
        )
        .await;
    let number = customer.body["number"].as_str().unwrap().to_string();
    let csv = format!(
        "订单号,客户编号,平台,承运商,运单号,签收时间,商品编码,商品名称,型号,数量,单价\n\
         JD-1,{number},京东,京东物流,JDX1,2026-11-20 15:30,KFR,挂式空调,KFR-35GW,1,2999.00\n\
         JD-1,{number},京东,京东物流,JDX1,2026-11-20 15:30,RC,遥控器,,2,50\n\
         JD-2,{number},京东,京东物流,JDX2,,FAN,电风扇,,1,199\n"
    );
    let report = app
        .post_file(
            "/ecom/orders/import",
            Role::ServiceAgent,
            "orders.csv",
            csv.into_bytes(),
        )
        .await;
    report.assert_status(StatusCode::OK);
    assert_eq!(report.body["imported"], 2, "{}", report.body);
    let orders = app.get("/ecom/orders?q=JD-1", Role::Customer).await;
    let jd1 = &orders.body["items"][0];
    assert_eq!(jd1["lines"].as_array().unwrap().len(), 2);
    assert_eq!(jd1["lines"][0]["product_id"], app.seed.product);
    assert_eq!(jd1["lines"][1]["price_fen"], 5_000);
    // 15:30 Beijing time.
    assert_eq!(jd1["signed_at"], "2026-11-20T07:30:00Z");

    let bad = "order_number,customer_number,sku,product_name,quantity,price\n\
               JD-3,C-NOPE,A,甲,1,10\n\
               JD-4,"
        .to_string()
        + &number
        + ",B,乙,x,10\n";
    let report = app
        .post_file(
            "/ecom/orders/import",
            Role::ServiceAgent,
            "bad.csv",
            bad.into_bytes(),
        )
        .await;
    report.assert_status(StatusCode::OK);
    assert_eq!(report.body["imported"], 0);
    let errors = report.body["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["line"] == 2 && e["field"] == "customer_number"),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["line"] == 3 && e["field"] == "quantity"),
        "{errors:?}"
    );
    let all = app.get("/ecom/orders", Role::ServiceAgent).await;
    assert_eq!(all.body["total"], 2);
}
