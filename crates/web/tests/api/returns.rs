//! Returns and exchanges (RMA-2..8): the decision and its explanation, the inspection report,
//! department tasks, the repair order offered on misuse, closing with responsibility.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, product_body, unit_body, TestApp};

/// "invoice" as base64.
const PROOF: &str = "aW52b2ljZQ==";

/// A BJ customer with a unit of `product` bought on `purchase_date` (list ¥3299, paid ¥2999).
async fn unit_of(app: &TestApp, product: i64, phone: &str, purchase_date: &str) -> i64 {
    let customer = app
        .create_customer(customer_body(
            "退货客户",
            phone,
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let unit = app
        .post_json(
            "/units",
            Role::Admin,
            unit_body(
                product,
                customer["id"].as_i64().unwrap(),
                &format!("SN-{phone}"),
                purchase_date,
            ),
        )
        .await;
    unit.assert_status(StatusCode::CREATED);
    unit.id()
}

async fn file(app: &TestApp, unit_id: i64, reason: &str, wish: &str, proof: bool) -> Value {
    let mut body =
        json!({"unit_id": unit_id, "reason": reason, "wish": wish, "description": "客户要求退货"});
    if proof {
        body["proof"] =
            json!({"file_name": "发票.jpg", "content_type": "image/jpeg", "content_base64": PROOF});
    }
    let created = app.post_json("/returns", Role::ServiceAgent, body).await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["status"], "under_review");
    created.body.clone()
}

async fn review(app: &TestApp, rma: &Value, condition: &str) -> Value {
    let reviewed = app
        .post_json(
            &format!("/returns/{}/review", rma["id"]),
            Role::ServiceAgent,
            json!({"version": rma["version"], "condition": condition}),
        )
        .await;
    reviewed.assert_status(StatusCode::OK);
    reviewed.body.clone()
}

async fn step(app: &TestApp, rma: &Value, role: Role, body: Value) -> Value {
    let mut body = body;
    body["version"] = rma["version"].clone();
    let stepped = app
        .post_json(&format!("/returns/{}/step", rma["id"]), role, body)
        .await;
    stepped.assert_status(StatusCode::OK);
    stepped.body.clone()
}

#[tokio::test]
async fn a_clean_return_is_approved_at_the_discounted_price_and_runs_to_closing() {
    let app = TestApp::spawn().await;
    let unit = unit_of(&app, app.seed.product, "13900000001", "2026-11-19").await;
    let rma = file(&app, unit, "no_reason", "refund", true).await;
    assert!(rma["number"].as_str().unwrap().starts_with("TH20261122"));
    assert!(rma["proof_attachment_id"].is_i64());

    let rma = review(&app, &rma, "resaleable").await;
    assert_eq!(rma["status"], "approved");
    let decision = &rma["decision"];
    assert_eq!(decision["outcome"], "approved");
    assert_eq!(decision["rule"], "no_reason_return");
    assert_eq!(decision["price_rule"], "discounted");
    assert_eq!(decision["refund_fen"], 299_900);
    assert!(decision["explanation_zh"]
        .as_str()
        .unwrap()
        .contains("按折扣价退款¥2999.00"));
    assert!(decision["explanation_en"]
        .as_str()
        .unwrap()
        .contains("discounted price, ¥2999.00"));
    // The customer changed their mind: the customer pays the return shipping.
    assert_eq!(rma["shipping_paid_by"], "customer");
    let kinds: Vec<&str> = rma["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "transport_pickup",
            "warehouse_receive",
            "finance_refund",
            "qa_analysis"
        ]
    );
    assert_eq!(rma["tasks"][1]["owner_role"], "warehouse_keeper");
    assert_eq!(rma["tasks"][0]["due_at"], "2026-11-23T02:00:00Z");

    // The warehouse is told and receives the goods; the accountant refunds.
    let inbox = app.get("/notifications", Role::WarehouseKeeper).await;
    assert!(inbox.body["items"]
        .to_string()
        .contains(rma["number"].as_str().unwrap()));
    app.post_json(
        &format!("/returns/{}/step", rma["id"]),
        Role::Accountant,
        json!({"version": rma["version"], "event": "refund"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    let approved_version = rma["version"].clone();
    let rma = step(
        &app,
        &rma,
        Role::WarehouseKeeper,
        json!({"event": "receive_goods"}),
    )
    .await;
    assert_eq!(rma["status"], "goods_received");
    app.post_json(
        &format!("/returns/{}/step", rma["id"]),
        Role::Accountant,
        json!({"version": approved_version, "event": "refund"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
    assert!(rma["tasks"][1]["done_at"].is_string());
    app.post_json(
        &format!("/returns/{}/step", rma["id"]),
        Role::WarehouseKeeper,
        json!({"version": rma["version"], "event": "exchange"}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let rma = step(&app, &rma, Role::Accountant, json!({"event": "refund"})).await;
    assert_eq!(rma["status"], "refunded");
    assert!(rma["tasks"][2]["done_at"].is_string());

    // QA marks its analysis done; transport its pickup.
    let qa_task = rma["tasks"][3]["id"].as_i64().unwrap();
    app.post_json(
        &format!("/returns/{}/tasks/{qa_task}/done", rma["id"]),
        Role::WarehouseKeeper,
        json!({}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let done = app
        .post_json(
            &format!("/returns/{}/tasks/{qa_task}/done", rma["id"]),
            Role::Qa,
            json!({}),
        )
        .await;
    done.assert_status(StatusCode::OK);
    app.post_json(
        &format!("/returns/{}/tasks/{qa_task}/done", rma["id"]),
        Role::Qa,
        json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "task_done", None);

    // RMA-8: no closing without the root cause and the responsible department and person.
    let close = app
        .post_json(
            &format!("/returns/{}/step", rma["id"]),
            Role::ServiceSupervisor,
            json!({"version": rma["version"], "event": "close"}),
        )
        .await;
    close.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        close.error_fields(),
        ["root_cause", "responsible_department", "responsible_person"]
    );
    let closed = step(
        &app,
        &rma,
        Role::ServiceSupervisor,
        json!({"event": "close", "root_cause": "顾客冲动消费", "responsible_department": "销售部", "responsible_person": "王销售"}),
    )
    .await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["responsible_person"], "王销售");
    // A closed return takes no more steps.
    app.post_json(
        &format!("/returns/{}/step", rma["id"]),
        Role::ServiceSupervisor,
        json!({"version": closed["version"], "event": "close", "root_cause": "x", "responsible_department": "x", "responsible_person": "x"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    let audit = app
        .get(&format!("/audit/return_request/{}", rma["id"]), Role::Admin)
        .await;
    assert!(audit.body.as_array().unwrap().len() >= 5);
}

#[tokio::test]
async fn a_non_returnable_category_is_refused_and_the_list_is_a_setting() {
    let app = TestApp::spawn().await;
    let mut body = product_body("BAT-1");
    body["category"] = json!("电池");
    let product = app.post_json("/products", Role::Admin, body).await;
    product.assert_status(StatusCode::CREATED);
    let unit = unit_of(&app, product.id(), "13900000002", "2026-11-20").await;
    let rma = file(&app, unit, "no_reason", "refund", true).await;
    let rma = review(&app, &rma, "resaleable").await;
    assert_eq!(rma["status"], "rejected");
    assert_eq!(rma["decision"]["rule"], "non_returnable");
    assert!(rma["decision"]["explanation_zh"]
        .as_str()
        .unwrap()
        .contains("“电池”类商品不在无理由退换之列"));
    assert!(rma["tasks"].as_array().unwrap().is_empty());
    assert_eq!(rma["can_create_repair_order"], false);

    // Taken off the list, the same return is accepted.
    app.put_json(
        "/settings/rma.non_returnable_categories",
        Role::Admin,
        json!({"value": "食品、药品"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    let again = file(&app, unit, "no_reason", "refund", true).await;
    assert_eq!(
        review(&app, &again, "resaleable").await["status"],
        "approved"
    );
}

#[tokio::test]
async fn misuse_is_refused_and_becomes_a_paid_repair_order_in_one_step() {
    let app = TestApp::spawn().await;
    let unit = unit_of(&app, app.seed.product, "13900000003", "2026-11-20").await;
    let rma = file(&app, unit, "quality", "refund", true).await;
    let rma = review(&app, &rma, "misuse").await;
    assert_eq!(rma["status"], "rejected");
    assert_eq!(rma["decision"]["rule"], "misuse");
    assert_eq!(rma["decision"]["repair_offered"], true);
    assert!(rma["decision"]["explanation_en"]
        .as_str()
        .unwrap()
        .contains("repair the product"));
    assert_eq!(rma["can_create_repair_order"], true);

    // Warehouse keepers cannot register orders.
    app.post_json(
        &format!("/returns/{}/repair-order", rma["id"]),
        Role::WarehouseKeeper,
        json!({}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let linked = app
        .post_json(
            &format!("/returns/{}/repair-order", rma["id"]),
            Role::ServiceAgent,
            json!({}),
        )
        .await;
    linked.assert_status(StatusCode::OK);
    let order_id = linked.body["service_order_id"]
        .as_i64()
        .expect("linked order");
    assert_eq!(linked.body["can_create_repair_order"], false);
    let order = app
        .get(&format!("/service-orders/{order_id}"), Role::ServiceAgent)
        .await;
    order.assert_status(StatusCode::OK);
    // Misuse is outside free service: a paid (A) order for the same unit, despite the warranty.
    assert_eq!(order.body["category"], "a");
    assert_eq!(order.body["proposed_category"], "c");
    assert_eq!(order.body["unit_id"], unit);
    assert_eq!(order.body["status"], "registered");
    assert_eq!(linked.body["service_order_number"], order.body["number"]);
    app.post_json(
        &format!("/returns/{}/repair-order", rma["id"]),
        Role::ServiceAgent,
        json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "repair_order_exists", None);
}

#[tokio::test]
async fn a_sanbao_exchange_after_seven_days_waits_for_the_inspection_report() {
    let app = TestApp::spawn().await;
    let unit = unit_of(&app, app.seed.product, "13900000004", "2026-11-01").await;
    let rma = file(&app, unit, "quality", "exchange", true).await;
    let rma = review(&app, &rma, "soiled").await;
    assert_eq!(rma["status"], "awaiting_report");
    assert_eq!(rma["decision"]["rule"], "sanbao_report_required");
    assert!(rma["decision"]["explanation_zh"]
        .as_str()
        .unwrap()
        .contains("已21天"));
    // Quality problems: the company pays the shipping.
    assert_eq!(rma["shipping_paid_by"], "company");

    let reported = app
        .post_json(
            &format!("/returns/{}/report", rma["id"]),
            Role::ServiceAgent,
            json!({"version": rma["version"], "report": {"file_name": "检验报告.pdf", "content_type": "application/pdf", "content_base64": PROOF}}),
        )
        .await;
    reported.assert_status(StatusCode::OK);
    let rma = reported.body.clone();
    assert_eq!(rma["status"], "approved");
    assert_eq!(rma["decision"]["rule"], "sanbao_with_report");
    assert!(rma["report_attachment_id"].is_i64());
    // An exchange has no refund task.
    let kinds: Vec<&str> = rma["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["transport_pickup", "warehouse_receive", "qa_analysis"]
    );
    let rma = step(
        &app,
        &rma,
        Role::WarehouseKeeper,
        json!({"event": "receive_goods"}),
    )
    .await;
    app.post_json(
        &format!("/returns/{}/step", rma["id"]),
        Role::Accountant,
        json!({"version": rma["version"], "event": "refund"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "not_a_refund", None);
    let rma = step(&app, &rma, Role::ServiceAgent, json!({"event": "exchange"})).await;
    assert_eq!(rma["status"], "exchanged");
    let attachments = app
        .get(
            &format!("/attachments/return_request/{}", rma["id"]),
            Role::ServiceAgent,
        )
        .await;
    attachments.assert_status(StatusCode::OK);
    assert_eq!(attachments.body.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn without_proof_a_return_is_refused_and_bad_input_names_the_field() {
    let app = TestApp::spawn().await;
    let unit = unit_of(&app, app.seed.product, "13900000005", "2026-11-20").await;
    let rma = file(&app, unit, "no_reason", "refund", false).await;
    let rma = review(&app, &rma, "resaleable").await;
    assert_eq!(rma["decision"]["rule"], "no_proof");
    assert!(rma["decision"]["explanation_zh"]
        .as_str()
        .unwrap()
        .contains("购货凭证"));

    app.post_json(
        "/returns",
        Role::ServiceAgent,
        json!({"unit_id": unit, "reason": "bored", "wish": "money"}),
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_json(
        "/returns",
        Role::ServiceAgent,
        json!({"unit_id": 999_999, "reason": "no_reason", "wish": "refund"}),
    )
    .await
    .assert_invalid("unit_id");
    let again = file(&app, unit, "no_reason", "refund", true).await;
    app.post_json(
        &format!("/returns/{}/review", again["id"]),
        Role::ServiceAgent,
        json!({"version": 1, "condition": "broken"}),
    )
    .await
    .assert_invalid("condition");
    // Portal customers do not see the counter's returns.
    app.get("/returns", Role::Customer)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_seasonal_product_returned_late_asks_for_todays_price() {
    let app = TestApp::spawn().await;
    let mut body = product_body("FAN-1");
    body["category"] = json!("电扇");
    body["seasonal"] = json!(true);
    body["sanbao"] = json!(true);
    let product = app.post_json("/products", Role::Admin, body).await;
    product.assert_status(StatusCode::CREATED);
    let unit = unit_of(&app, product.id(), "13900000006", "2026-11-02").await;
    let rma = file(&app, unit, "company_damage", "refund", true).await;
    // Company damage pays the original price; no current price needed.
    assert_eq!(
        review(&app, &rma, "soiled").await["decision"]["price_rule"],
        "original_price"
    );

    let rma = file(&app, unit, "quality", "refund", true).await;
    let review_path = format!("/returns/{}/review", rma["id"]);
    let with_report = app
        .post_json(
            &review_path,
            Role::ServiceAgent,
            json!({"version": 1, "condition": "soiled"}),
        )
        .await;
    with_report.assert_status(StatusCode::OK);
    assert_eq!(with_report.body["status"], "awaiting_report");
    let reported = app
        .post_json(
            &format!("/returns/{}/report", rma["id"]),
            Role::ServiceAgent,
            json!({"version": 2, "report": {"file_name": "r.pdf", "content_base64": PROOF}}),
        )
        .await;
    reported.assert_invalid("current_price_fen");
}
