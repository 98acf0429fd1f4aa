//! Billing: the price schedule (BILLING-1).

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, TestApp, SIGNATURE};

fn item(code: &str, kind: &str, price_fen: i64) -> serde_json::Value {
    json!({"code": code, "name": format!("项目 {code}"), "kind": kind, "price_fen": price_fen})
}

#[tokio::test]
async fn price_items_are_created_listed_and_updated_by_product_managers() {
    let app = TestApp::spawn().await;
    let created = app
        .post_json(
            "/price-items",
            Role::CustomerDepartment,
            item("SM-01", "travel", 3_000),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["price"], "30.00");
    assert_eq!(created.body["active"], true);
    let id = created.id();
    app.post_json("/price-items", Role::Admin, item("WX-01", "repair", 8_000))
        .await
        .assert_status(StatusCode::CREATED);

    // Everyone who reads orders reads the schedule: travel fees come before repair items.
    let list = app.get("/price-items", Role::Technician).await;
    list.assert_status(StatusCode::OK);
    let codes: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["SM-01", "WX-01"]);

    let mut change = item("SM-01", "travel", 3_500);
    change["active"] = json!(false);
    change["version"] = json!(1);
    let updated = app
        .put_json(
            &format!("/price-items/{id}"),
            Role::CustomerDepartment,
            change.clone(),
        )
        .await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.body["price_fen"], 3_500);
    assert_eq!(updated.body["version"], 2);
    // A second save with the old version is stale.
    app.put_json(
        &format!("/price-items/{id}"),
        Role::CustomerDepartment,
        change,
    )
    .await
    .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
    // Inactive items leave the printed schedule.
    let active = app
        .get("/price-items?active_only=true", Role::Technician)
        .await;
    assert_eq!(active.body.as_array().unwrap().len(), 1);

    // Technicians and accountants may not change prices.
    app.post_json("/price-items", Role::Technician, item("X-1", "part", 1))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let audit = app
        .get(&format!("/audit/price_item/{id}"), Role::Admin)
        .await;
    audit.assert_status(StatusCode::OK);
    assert_eq!(
        audit.body.as_array().unwrap().len(),
        2,
        "create and update are audited"
    );
}

#[tokio::test]
async fn bad_price_items_are_refused() {
    let app = TestApp::spawn().await;
    app.post_json("/price-items", Role::Admin, item("N-1", "repair", -1))
        .await
        .assert_invalid("price_fen");
    app.post_json("/price-items", Role::Admin, item("N-2", "gift", 100))
        .await
        .assert_invalid("kind");
    app.post_json("/price-items", Role::Admin, item(" ", "repair", 100))
        .await
        .assert_invalid("code");
    let mut no_version = item("N-3", "repair", 100);
    let id = app
        .post_json("/price-items", Role::Admin, no_version.clone())
        .await
        .id();
    no_version["price_fen"] = json!(200);
    app.put_json(&format!("/price-items/{id}"), Role::Admin, no_version)
        .await
        .assert_invalid("version");
    app.post_json("/price-items", Role::Admin, item("N-3", "part", 100))
        .await
        .assert_error(StatusCode::CONFLICT, "already_exists", Some("code"));
    app.put_json(
        "/price-items/999999",
        Role::Admin,
        json!({"code": "N-9", "name": "无", "kind": "part", "price_fen": 1, "version": 1}),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}

/// A BJ customer's order for a unit bought on `purchase_date`, dispatched to the seeded
/// technician and checked in: on site, ready for charges.
pub async fn order_on_site(
    app: &TestApp,
    phone: &str,
    serial_no: &str,
    purchase_date: &str,
) -> Value {
    let customer = app
        .create_customer(customer_body("赵六", phone, app.seed.bj, app.seed.bj_urban))
        .await;
    order_on_site_for(
        app,
        customer["id"].as_i64().unwrap(),
        serial_no,
        purchase_date,
    )
    .await
}

/// An order for `customer_id`'s new unit, dispatched, contacted and checked in.
pub async fn order_on_site_for(
    app: &TestApp,
    customer_id: i64,
    serial_no: &str,
    purchase_date: &str,
) -> Value {
    let technician = app.user(Role::Technician);
    app.post_json(
        &format!("/staff/{technician}/qualifications"),
        Role::Admin,
        json!({"kind": "certificate", "product_category": "空调", "title": "空调维修上岗证", "issued_on": "2025-01-01", "expires_on": "2027-12-31"}),
    )
    .await;
    let unit = app.create_unit(customer_id, serial_no, purchase_date).await;
    let registered = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "phone", "customer_id": customer_id, "unit_id": unit["id"],
                   "fault_description": "空调不制冷", "fault_class": "hardware", "urgency": "normal"}),
        )
        .await;
    registered.assert_status(StatusCode::CREATED);
    let mut order = registered.body;
    for (role, event, extra) in [
        (
            Role::ServiceSupervisor,
            "dispatch",
            json!({"technician_id": technician}),
        ),
        (Role::Technician, "record_contact", json!({})),
        (Role::Technician, "check_in", json!({})),
    ] {
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
        order = response.body;
    }
    order
}

#[tokio::test]
async fn charges_are_totalled_per_category_and_only_paid_lines_cost_the_customer() {
    let app = TestApp::spawn().await;
    let order = order_on_site(&app, "13900000001", "SN-BILL-1", "2020-01-01").await;
    assert_eq!(order["category"], "a", "out of warranty, no contract: paid");
    let id = order["id"].as_i64().unwrap();
    let path = format!("/service-orders/{id}/charges");
    let travel = app
        .post_json("/price-items", Role::Admin, item("SM-01", "travel", 3_000))
        .await
        .id();

    // A price item fills name and price; the order's category is the default.
    let added = app
        .post_json(&path, Role::Technician, json!({"price_item_id": travel}))
        .await;
    added.assert_status(StatusCode::CREATED);
    assert_eq!(added.body["lines"][0]["description"], "项目 SM-01");
    assert_eq!(added.body["lines"][0]["category"], "a");
    // A free line for the compressor, still under its own warranty (CATEGORY-2).
    app.post_json(
        &path,
        Role::Technician,
        json!({"description": "更换压缩机", "unit_price_fen": 50_000, "category": "c"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let charges = app
        .post_json(
            &path,
            Role::ServiceSupervisor,
            json!({"description": "启动电容", "quantity": 2, "unit_price_fen": 2_500}),
        )
        .await;
    charges.assert_status(StatusCode::CREATED);
    let body = &charges.body;
    assert_eq!(body["total_fen"], 58_000);
    assert_eq!(
        body["payable_fen"], 8_000,
        "the C line costs the customer nothing"
    );
    assert_eq!(
        body["totals"],
        json!([
            {"category": "a", "amount_fen": 8_000, "payable_fen": 8_000},
            {"category": "c", "amount_fen": 50_000, "payable_fen": 0},
        ])
    );

    // Refusals: D is internal time, a free line needs its text and price, no negatives.
    app.post_json(
        &path,
        Role::Technician,
        json!({"description": "巡检", "unit_price_fen": 1, "category": "d"}),
    )
    .await
    .assert_invalid("category");
    app.post_json(&path, Role::Technician, json!({"unit_price_fen": 100}))
        .await
        .assert_invalid("description");
    app.post_json(
        &path,
        Role::Technician,
        json!({"description": "x", "unit_price_fen": -5}),
    )
    .await
    .assert_invalid("unit_price_fen");
    app.post_json(
        &path,
        Role::Technician,
        json!({"description": "x", "unit_price_fen": 5, "quantity": 0}),
    )
    .await
    .assert_invalid("quantity");
    app.post_json(&path, Role::Technician, json!({"price_item_id": 999_999}))
        .await
        .assert_invalid("price_item_id");
    // The accountant reads but does not charge.
    app.post_json(
        &path,
        Role::Accountant,
        json!({"description": "x", "unit_price_fen": 5}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);

    // Removing the compressor line.
    let compressor = body["lines"][1]["id"].as_i64().unwrap();
    let after = app
        .delete(&format!("{path}/{compressor}"), Role::Technician)
        .await;
    after.assert_status(StatusCode::OK);
    assert_eq!(after.body["total_fen"], 8_000);
    app.delete(&format!("{path}/{compressor}"), Role::Technician)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let read = app.get(&path, Role::Accountant).await;
    read.assert_status(StatusCode::OK);
    assert_eq!(read.body["lines"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn charges_are_refused_before_the_technician_is_on_site() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(customer_body(
            "钱七",
            "13900000002",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let order = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "phone", "customer_id": customer["id"], "product_id": app.seed.product,
                   "fault_description": "不制冷", "fault_class": "hardware", "urgency": "normal"}),
        )
        .await;
    order.assert_status(StatusCode::CREATED);
    app.post_json(
        &format!("/service-orders/{}/charges", order.id()),
        Role::ServiceSupervisor,
        json!({"description": "检测", "unit_price_fen": 2_000}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "not_open_for_charges", Some("status"));
}

pub async fn complete(
    app: &TestApp,
    order: &Value,
    payment: Option<&str>,
) -> crate::helpers::TestResponse {
    let mut body = json!({"version": order["version"], "note": "更换电容，试机正常", "signature_png": SIGNATURE});
    if let Some(payment) = payment {
        body["payment"] = json!(payment);
    }
    app.post_json(
        &format!("/service-orders/{}/complete_on_site", order["id"]),
        Role::Technician,
        body,
    )
    .await
}

pub async fn show_schedule(app: &TestApp, order: &Value) -> Value {
    let shown = app
        .post_json(
            &format!("/service-orders/{}/price-schedule-shown", order["id"]),
            Role::Technician,
            json!({"version": order["version"]}),
        )
        .await;
    shown.assert_status(StatusCode::OK);
    assert!(shown.body["price_schedule_shown_at"].is_string());
    shown.body
}

async fn quote_step(
    app: &TestApp,
    role: Role,
    order: &Value,
    event: &str,
    extra: Value,
) -> crate::helpers::TestResponse {
    let mut body = json!({"version": order["version"]});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    app.post_json(
        &format!("/service-orders/{}/{event}", order["id"]),
        role,
        body,
    )
    .await
}

/// Issues the quote for the current charges and records the customer's signed acceptance.
pub async fn quote_accepted(app: &TestApp, order: &Value) -> Value {
    let issued = quote_step(app, Role::Technician, order, "issue_quote", json!({})).await;
    issued.assert_status(StatusCode::OK);
    let accepted = quote_step(
        app,
        Role::Technician,
        &issued.body,
        "accept_quote",
        json!({"signature_png": SIGNATURE}),
    )
    .await;
    accepted.assert_status(StatusCode::OK);
    accepted.body
}

pub async fn charge(app: &TestApp, order: &Value, fen: i64) {
    app.post_json(
        &format!("/service-orders/{}/charges", order["id"]),
        Role::Technician,
        json!({"description": "更换压缩机", "unit_price_fen": fen}),
    )
    .await
    .assert_status(StatusCode::CREATED);
}

#[tokio::test]
async fn paid_work_is_completed_only_after_the_price_schedule_was_shown_and_cash_stays_under_the_limit(
) {
    let app = TestApp::spawn().await;
    let order = order_on_site(&app, "13900000003", "SN-BILL-3", "2020-01-01").await;
    assert_eq!(order["category"], "a");
    charge(&app, &order, 60_000).await;
    // REPAIR-2: not before the schedule was shown.
    complete(&app, &order, Some("cash"))
        .await
        .assert_invalid("price_schedule");
    let order = show_schedule(&app, &order).await;
    let order = quote_accepted(&app, &order).await;
    // A payable total needs a payment choice; ¥600 is above the ¥500 cash default.
    complete(&app, &order, None).await.assert_invalid("payment");
    complete(&app, &order, Some("cheque"))
        .await
        .assert_invalid("payment");
    let over = complete(&app, &order, Some("cash")).await;
    over.assert_invalid("payment");
    assert_eq!(
        over.body["errors"][0]["code"], "over_cash_limit",
        "{}",
        over.body
    );
    // The administrator raises the limit: cash is collected and awaits the handover.
    app.put_json(
        "/settings/billing.onsite_cash_limit",
        Role::Admin,
        json!({"value": "100000"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    let done = complete(&app, &order, Some("cash")).await;
    done.assert_status(StatusCode::OK);
    assert_eq!(done.body["status"], "completed_on_site");
    assert_eq!(done.body["payment_method"], "cash");
    assert_eq!(done.body["payment_fen"], 60_000);
    assert_eq!(done.body["cash_awaiting_handover"], true);
}

#[tokio::test]
async fn an_invoice_tells_the_branch_accountant_to_invoice_today() {
    let app = TestApp::spawn().await;
    let order = order_on_site(&app, "13900000004", "SN-BILL-4", "2020-01-01").await;
    charge(&app, &order, 80_000).await;
    let order = show_schedule(&app, &order).await;
    let order = quote_accepted(&app, &order).await;
    let done = complete(&app, &order, Some("invoice")).await;
    done.assert_status(StatusCode::OK);
    assert_eq!(done.body["payment_method"], "invoice");
    assert_eq!(done.body["cash_awaiting_handover"], false);
    let inbox = app.get("/notifications", Role::Accountant).await;
    inbox.assert_status(StatusCode::OK);
    assert!(
        inbox.body.to_string().contains("invoice_due") && inbox.body.to_string().contains("800.00"),
        "{}",
        inbox.body
    );
}

#[tokio::test]
async fn free_work_needs_neither_the_schedule_nor_a_payment() {
    let app = TestApp::spawn().await;
    let order = order_on_site(&app, "13900000005", "SN-BILL-5", "2026-06-01").await;
    assert_eq!(order["category"], "c");
    charge(&app, &order, 50_000).await;
    let done = complete(&app, &order, None).await;
    done.assert_status(StatusCode::OK);
    assert!(done.body["payment_method"].is_null());
}

#[tokio::test]
async fn paid_work_waits_for_a_signed_quote_and_the_clocks_pause_meanwhile() {
    let app = TestApp::spawn().await;
    let order = order_on_site(&app, "13900000005", "SN-BILL-5", "2020-01-01").await;
    // Nothing to quote yet.
    quote_step(&app, Role::Technician, &order, "issue_quote", json!({}))
        .await
        .assert_invalid("charges");
    charge(&app, &order, 10_000).await;
    let order = show_schedule(&app, &order).await;
    // BILLING-2: not finished before the customer accepted a quote.
    let refused = complete(&app, &order, Some("cash")).await;
    refused.assert_invalid("quote");
    assert_eq!(refused.body["errors"][0]["code"], "quote_not_confirmed");

    let issued = quote_step(&app, Role::Technician, &order, "issue_quote", json!({})).await;
    issued.assert_status(StatusCode::OK);
    assert_eq!(issued.body["status"], "awaiting_confirmation");
    assert_eq!(issued.body["resume_status"], "on_site");
    assert_eq!(issued.body["quote_fen"], 10_000);
    let completion = |order: &Value| {
        order["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "completion")
            .cloned()
            .unwrap()
    };
    assert_eq!(completion(&issued.body)["status"], "paused");
    assert!(completion(&issued.body)["deadline"].is_null());

    // On site the customer's acceptance is their signature.
    quote_step(
        &app,
        Role::Technician,
        &issued.body,
        "accept_quote",
        json!({}),
    )
    .await
    .assert_invalid("signature_png");
    let accepted = quote_step(
        &app,
        Role::Technician,
        &issued.body,
        "accept_quote",
        json!({"signature_png": SIGNATURE}),
    )
    .await;
    accepted.assert_status(StatusCode::OK);
    assert_eq!(accepted.body["status"], "on_site");
    assert!(accepted.body["resume_status"].is_null());
    assert!(accepted.body["quote_accepted_at"].is_string());
    assert_eq!(completion(&accepted.body)["status"], "running");
    let files = app
        .get(
            &format!("/attachments/service_order/{}", order["id"]),
            Role::Technician,
        )
        .await;
    assert!(
        files.body.to_string().contains("quote-signature-"),
        "{}",
        files.body
    );

    // More work than was accepted needs a new quote.
    charge(&app, &accepted.body, 5_000).await;
    let current = app
        .get(
            &format!("/service-orders/{}", order["id"]),
            Role::Technician,
        )
        .await
        .body;
    let exceeded = complete(&app, &current, Some("cash")).await;
    exceeded.assert_invalid("quote");
    assert_eq!(exceeded.body["errors"][0]["code"], "quote_exceeded");
    let again = quote_step(&app, Role::Technician, &current, "issue_quote", json!({})).await;
    again.assert_status(StatusCode::OK);
    assert_eq!(again.body["quote_fen"], 15_000);
    assert!(again.body["quote_accepted_at"].is_null());
    let declined = quote_step(
        &app,
        Role::Technician,
        &again.body,
        "decline_quote",
        json!({"note": "客户认为太贵"}),
    )
    .await;
    declined.assert_status(StatusCode::OK);
    assert_eq!(declined.body["status"], "declined");
    assert_eq!(declined.body["next_events"], json!([]));
}

#[tokio::test]
async fn the_portal_customer_accepts_its_own_quote_and_free_work_is_never_quoted() {
    let app = TestApp::spawn().await;
    let order =
        order_on_site_for(&app, app.seed.portal_customer, "SN-PORTAL-Q", "2020-01-01").await;
    charge(&app, &order, 20_000).await;
    let issued = quote_step(&app, Role::Technician, &order, "issue_quote", json!({})).await;
    issued.assert_status(StatusCode::OK);
    // The portal user answers with a click: the signed-in customer is the confirmation.
    let accepted = quote_step(
        &app,
        Role::Customer,
        &issued.body,
        "accept_quote",
        json!({}),
    )
    .await;
    accepted.assert_status(StatusCode::OK);
    assert_eq!(accepted.body["status"], "on_site");
    // Customers answer quotes and nothing else.
    quote_step(
        &app,
        Role::Customer,
        &accepted.body,
        "complete_on_site",
        json!({}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    // Another customer's order is not even visible to the portal user.
    let other = order_on_site(&app, "13900000006", "SN-BILL-6", "2020-01-01").await;
    charge(&app, &other, 20_000).await;
    let other = quote_step(&app, Role::Technician, &other, "issue_quote", json!({}))
        .await
        .body;
    quote_step(&app, Role::Customer, &other, "accept_quote", json!({}))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // A unit bought last month is under warranty: free work, no quote.
    let free = order_on_site(&app, "13900000007", "SN-BILL-7", "2026-10-01").await;
    assert_eq!(free["category"], "c");
    quote_step(&app, Role::Technician, &free, "issue_quote", json!({}))
        .await
        .assert_invalid("category");
}
