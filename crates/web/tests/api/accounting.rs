//! The accountant's side of billing: cash handover (BILLING-4), the end-of-day flag (T6),
//! invoices raised from vouchers with their collection and mailing (BILLING-4/5).

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::billing::{charge, complete, order_on_site, quote_accepted, show_schedule};
use crate::helpers::TestApp;

/// A paid (category A) order completed on site for `fen`, settled by `payment`.
async fn paid_order(app: &TestApp, phone: &str, serial_no: &str, fen: i64, payment: &str) -> Value {
    let order = order_on_site(app, phone, serial_no, "2020-01-01").await;
    charge(app, &order, fen).await;
    let order = show_schedule(app, &order).await;
    let order = quote_accepted(app, &order).await;
    let done = complete(app, &order, Some(payment)).await;
    done.assert_status(StatusCode::OK);
    done.body
}

fn notifications_of_kind(inbox: &Value, kind: &str) -> usize {
    inbox["items"].as_array().map_or(0, |items| {
        items.iter().filter(|n| n["kind"] == kind).count()
    })
}

#[tokio::test]
async fn the_accountant_confirms_cash_held_by_a_technician_once() {
    let app = TestApp::spawn().await;
    let first = paid_order(&app, "13900000101", "SN-ACC-1", 30_000, "cash").await;
    let second = paid_order(&app, "13900000102", "SN-ACC-2", 12_000, "cash").await;
    assert_eq!(first["cash_awaiting_handover"], true);

    // The technician sees the cash they hold; only accountants see everyone's.
    let mine = app.get("/cash-collections/mine", Role::Technician).await;
    mine.assert_status(StatusCode::OK);
    assert_eq!(mine.body.as_array().unwrap().len(), 2, "{}", mine.body);
    app.get("/cash-collections", Role::Technician)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    let held = app.get("/cash-collections", Role::Accountant).await;
    held.assert_status(StatusCode::OK);
    let rows = held.body.as_array().unwrap().clone();
    assert_eq!(rows.len(), 2, "{}", held.body);
    assert_eq!(rows[0]["order_id"], first["id"]);
    assert_eq!(rows[0]["amount_fen"], 30_000);
    assert_eq!(rows[0]["technician_id"], app.user(Role::Technician));
    assert_eq!(rows[0]["overdue"], false);
    assert!(rows[0]["handed_over_at"].is_null());

    // Both orders at once.
    app.post_json(
        "/cash-collections/handover",
        Role::Accountant,
        json!({"collection_ids": []}),
    )
    .await
    .assert_invalid("collection_ids");
    let ids = json!([rows[0]["id"], rows[1]["id"]]);
    let confirmed = app
        .post_json(
            "/cash-collections/handover",
            Role::Accountant,
            json!({"collection_ids": ids}),
        )
        .await;
    confirmed.assert_status(StatusCode::OK);
    assert_eq!(confirmed.body.as_array().unwrap().len(), 2);
    assert!(confirmed.body[0]["handed_over_at"].is_string());
    assert!(confirmed.body[0]["handed_over_by"].is_string());

    // Not twice, not even one of them with another.
    app.post_json(
        "/cash-collections/handover",
        Role::Accountant,
        json!({"collection_ids": [rows[1]["id"]]}),
    )
    .await
    .assert_error(
        StatusCode::CONFLICT,
        "already_handed_over",
        Some("collection_ids"),
    );

    let order = app
        .get(
            &format!("/service-orders/{}", second["id"]),
            Role::Accountant,
        )
        .await;
    assert_eq!(order.body["cash_awaiting_handover"], false);
    let mine = app.get("/cash-collections/mine", Role::Technician).await;
    assert!(mine.body.as_array().unwrap().is_empty());
    let history = app
        .get("/cash-collections?status=handed_over", Role::Accountant)
        .await;
    assert_eq!(history.body.as_array().unwrap().len(), 2);
    let settlement = app
        .get(
            &format!("/service-orders/{}/settlement", first["id"]),
            Role::Technician,
        )
        .await;
    settlement.assert_status(StatusCode::OK);
    assert!(settlement.body["cash"]["handed_over_at"].is_string());

    let trail = app
        .get(
            &format!("/audit/cash_collection/{}", rows[0]["id"]),
            Role::Admin,
        )
        .await;
    trail.assert_status(StatusCode::OK);
    assert_eq!(trail.body[0]["action"], "hand_over", "{}", trail.body);
}

#[tokio::test]
async fn cash_not_handed_over_by_the_end_of_the_working_day_is_flagged_once() {
    let app = TestApp::spawn().await;
    // The test clock starts on Sunday 2026-11-22 10:00 Shanghai: a Sunday call-out's cash is
    // due at the end of Monday, 18:00 Shanghai.
    let order = paid_order(&app, "13900000103", "SN-ACC-3", 20_000, "cash").await;
    let held = app.get("/cash-collections", Role::Accountant).await;
    assert_eq!(held.body[0]["due_at"], "2026-11-23T10:00:00Z");

    app.clock.set("2026-11-23T09:59:00Z".parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    let held = app.get("/cash-collections", Role::Accountant).await;
    assert!(held.body[0]["flagged_at"].is_null());
    assert_eq!(held.body[0]["overdue"], false);
    let inbox = app.get("/notifications", Role::Accountant).await;
    assert_eq!(
        notifications_of_kind(&inbox.body, "cash_not_handed_over"),
        0
    );

    app.clock.set("2026-11-23T10:00:00Z".parse().unwrap());
    assert_eq!(
        aftersales_app::timers::run_due(&app.app, 10).await.unwrap(),
        1
    );
    app.clock.set("2026-11-24T10:00:00Z".parse().unwrap());
    assert_eq!(
        aftersales_app::timers::run_due(&app.app, 10).await.unwrap(),
        0
    );
    let held = app.get("/cash-collections", Role::Accountant).await;
    assert_eq!(held.body[0]["flagged_at"], "2026-11-23T10:00:00Z");
    assert_eq!(held.body[0]["overdue"], true);
    for role in [Role::Accountant, Role::ServiceSupervisor] {
        let inbox = app.get("/notifications", role).await;
        assert_eq!(
            notifications_of_kind(&inbox.body, "cash_not_handed_over"),
            1,
            "{role}: {}",
            inbox.body
        );
    }
    let settlement = app
        .get(
            &format!("/service-orders/{}/settlement", order["id"]),
            Role::Accountant,
        )
        .await;
    assert!(settlement.body["cash"]["flagged_at"].is_string());
}

#[tokio::test]
async fn cash_handed_over_in_time_is_never_flagged() {
    let app = TestApp::spawn().await;
    paid_order(&app, "13900000104", "SN-ACC-4", 20_000, "cash").await;
    let held = app.get("/cash-collections", Role::Accountant).await;
    app.post_json(
        "/cash-collections/handover",
        Role::Accountant,
        json!({"collection_ids": [held.body[0]["id"]]}),
    )
    .await
    .assert_status(StatusCode::OK);
    app.clock.set("2026-11-24T10:00:00Z".parse().unwrap());
    // The sale's installation order (T17) falls due too; what matters is that no cash flag
    // follows.
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    let all = app
        .get("/cash-collections?status=all", Role::Accountant)
        .await;
    assert!(all.body[0]["flagged_at"].is_null());
    assert_eq!(all.body[0]["overdue"], false);
    let inbox = app.get("/notifications", Role::Accountant).await;
    assert_eq!(
        notifications_of_kind(&inbox.body, "cash_not_handed_over"),
        0
    );
}

#[tokio::test]
async fn an_invoice_is_raised_from_the_voucher_the_same_day_and_its_payment_collected() {
    let app = TestApp::spawn().await;
    let order = paid_order(&app, "13900000105", "SN-ACC-5", 80_000, "invoice").await;
    let inbox = app.get("/notifications", Role::Accountant).await;
    assert!(
        inbox
            .body
            .to_string()
            .contains(&format!("/invoices/new?order_id={}", order["id"])),
        "{}",
        inbox.body
    );

    let due = app.get("/invoices/due", Role::Accountant).await;
    due.assert_status(StatusCode::OK);
    assert_eq!(due.body[0]["order_id"], order["id"]);
    assert_eq!(due.body[0]["due"], "due_today");
    assert_eq!(due.body[0]["payable_fen"], 80_000);
    // A day later it is overdue.
    app.clock.advance(jiff::SignedDuration::from_hours(24));
    let due = app.get("/invoices/due", Role::Accountant).await;
    assert_eq!(due.body[0]["due"], "overdue");

    app.post_json(
        "/invoices",
        Role::Accountant,
        json!({"order_id": order["id"], "buyer_tax_id": "12-34"}),
    )
    .await
    .assert_invalid("buyer_tax_id");
    let raised = app
        .post_json(
            "/invoices",
            Role::Accountant,
            json!({"order_id": order["id"], "buyer_tax_id": "91110000600037341l"}),
        )
        .await;
    raised.assert_status(StatusCode::CREATED);
    let invoice = raised.body;
    assert_eq!(invoice["number"], "FP-202611-00001");
    assert_eq!(invoice["amount_fen"], 80_000);
    assert_eq!(invoice["buyer_name"], "赵六");
    assert_eq!(invoice["buyer_tax_id"], "91110000600037341L");
    assert_eq!(invoice["collection"], "open");
    assert_eq!(invoice["charges"]["payable_fen"], 80_000);
    app.post_json(
        "/invoices",
        Role::Accountant,
        json!({"order_id": order["id"]}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_invoiced", Some("order_id"));
    let due = app.get("/invoices/due", Role::Accountant).await;
    assert!(due.body.as_array().unwrap().is_empty(), "{}", due.body);

    let path = format!("/invoices/{}/collection", invoice["id"]);
    app.post_json(
        &path,
        Role::Accountant,
        json!({"version": invoice["version"], "amount_fen": 0, "collected_on": "2026-11-23"}),
    )
    .await
    .assert_invalid("amount_fen");
    app.post_json(
        &path,
        Role::Accountant,
        json!({"version": invoice["version"], "amount_fen": 80_000, "collected_on": "2026-12-31"}),
    )
    .await
    .assert_invalid("collected_on");
    let collected = app
        .post_json(
            &path,
            Role::Accountant,
            json!({"version": invoice["version"], "amount_fen": 80_000, "collected_on": "2026-11-23"}),
        )
        .await;
    collected.assert_status(StatusCode::OK);
    assert_eq!(collected.body["collection"], "collected");
    assert_eq!(collected.body["collected_fen"], 80_000);
    app.post_json(
        &path,
        Role::Accountant,
        json!({"version": collected.body["version"], "amount_fen": 80_000, "collected_on": "2026-11-23"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "not_open", Some("collection"));
    let open = app.get("/invoices?collection=open", Role::Accountant).await;
    assert!(open.body["items"].as_array().unwrap().is_empty());
    let all = app.get("/invoices", Role::Accountant).await;
    assert_eq!(all.body["total"], 1);
    assert_eq!(all.body["items"][0]["collection"], "collected");
}

#[tokio::test]
async fn an_invoice_for_cash_paid_work_is_mailed_and_the_mailing_logged() {
    let app = TestApp::spawn().await;
    let order = paid_order(&app, "13900000106", "SN-ACC-6", 10_000, "cash").await;
    // Cash-paid work is not awaiting an invoice, but one may be raised to be mailed.
    let due = app.get("/invoices/due", Role::Accountant).await;
    assert!(due.body.as_array().unwrap().is_empty());
    let raised = app
        .post_json(
            "/invoices",
            Role::Accountant,
            json!({"order_id": order["id"]}),
        )
        .await;
    raised.assert_status(StatusCode::CREATED);
    let invoice = raised.body;
    assert_eq!(invoice["collection"], "none");
    let to_mail = app.get("/invoices?to_mail=true", Role::Accountant).await;
    assert_eq!(to_mail.body["items"][0]["id"], invoice["id"]);
    assert_eq!(to_mail.body["total"], 1);

    let path = format!("/invoices/{}/mailing", invoice["id"]);
    app.post_json(
        &path,
        Role::Accountant,
        json!({"version": invoice["version"], "tracking_no": " "}),
    )
    .await
    .assert_invalid("tracking_no");
    let mailed = app
        .post_json(
            &path,
            Role::Accountant,
            json!({"version": invoice["version"], "tracking_no": "XA123456789CN"}),
        )
        .await;
    mailed.assert_status(StatusCode::OK);
    assert!(mailed.body["mailed_at"].is_string());
    assert_eq!(mailed.body["tracking_no"], "XA123456789CN");
    assert!(mailed.body["mailed_by"].is_string());
    app.post_json(
        &path,
        Role::Accountant,
        json!({"version": mailed.body["version"], "tracking_no": "XA2"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_mailed", Some("tracking_no"));
    // Cash-paid invoices have nothing to collect.
    app.post_json(
        &format!("/invoices/{}/collection", invoice["id"]),
        Role::Accountant,
        json!({"version": mailed.body["version"], "amount_fen": 100, "collected_on": "2026-11-22"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "not_open", Some("collection"));
    let to_mail = app.get("/invoices?to_mail=true", Role::Accountant).await;
    assert!(to_mail.body["items"].as_array().unwrap().is_empty());
    let trail = app
        .get(&format!("/audit/invoice/{}", invoice["id"]), Role::Admin)
        .await;
    assert_eq!(trail.body[0]["action"], "mail");
    assert_eq!(trail.body[1]["action"], "raise");
}

#[tokio::test]
async fn an_unfinished_order_cannot_be_invoiced() {
    let app = TestApp::spawn().await;
    let order = order_on_site(&app, "13900000107", "SN-ACC-7", "2020-01-01").await;
    app.post_json(
        "/invoices",
        Role::Accountant,
        json!({"order_id": order["id"]}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "not_completed", Some("order_id"));
    app.post_json("/invoices", Role::Accountant, json!({"order_id": 999_999}))
        .await
        .assert_invalid("order_id");
}

#[tokio::test]
async fn revenue_is_exported_for_accounting_per_period_and_branch() {
    let app = TestApp::spawn().await;
    let cash = paid_order(&app, "13900000108", "SN-ACC-8", 15_000, "cash").await;
    let invoiced = paid_order(&app, "13900000109", "SN-ACC-9", 60_000, "invoice").await;
    let held = app.get("/cash-collections", Role::Accountant).await;
    app.post_json(
        "/cash-collections/handover",
        Role::Accountant,
        json!({"collection_ids": [held.body[0]["id"]]}),
    )
    .await
    .assert_status(StatusCode::OK);
    let invoice = app
        .post_json(
            "/invoices",
            Role::Accountant,
            json!({"order_id": invoiced["id"]}),
        )
        .await;
    invoice.assert_status(StatusCode::CREATED);

    app.get(
        "/accounting/export?from=2026-11-30&to=2026-11-01",
        Role::Accountant,
    )
    .await
    .assert_invalid("to");
    let export = app
        .get(
            "/accounting/export?from=2026-11-01&to=2026-11-30",
            Role::Accountant,
        )
        .await;
    export.assert_status(StatusCode::OK);
    let table = aftersales_tabular::read(&export.bytes, aftersales_tabular::Format::Xlsx).unwrap();
    let kinds: Vec<&str> = table.rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        kinds,
        ["发票", "现金交款", "收费项目", "收费项目"],
        "{kinds:?}"
    );
    let invoice_row = &table.rows[0];
    assert_eq!(invoice_row.get(4), invoice.body["number"].as_str().unwrap());
    assert_eq!(invoice_row.get(8), "600.00");
    assert_eq!(invoice_row.get(3), invoiced["number"].as_str().unwrap());
    assert_eq!(table.rows[1].get(3), cash["number"].as_str().unwrap());
    assert_eq!(table.rows[1].get(8), "150.00");
    assert_eq!(table.rows[1].get(1), "BJ");

    // Another period has nothing.
    let empty = app
        .get(
            "/accounting/export?from=2026-10-01&to=2026-10-31",
            Role::Accountant,
        )
        .await;
    let table = aftersales_tabular::read(&empty.bytes, aftersales_tabular::Format::Xlsx).unwrap();
    assert!(table.rows.is_empty());
}

#[tokio::test]
async fn contract_lines_are_free_only_where_a_contract_covers_the_unit() {
    let app = TestApp::spawn().await;
    // No contract: a B line is refused; the work is charged as a paid line instead.
    let order = order_on_site(&app, "13900000110", "SN-ACC-10", "2020-01-01").await;
    let refused = app
        .post_json(
            &format!("/service-orders/{}/charges", order["id"]),
            Role::Technician,
            json!({"description": "定期保养", "unit_price_fen": 10_000, "category": "b"}),
        )
        .await;
    refused.assert_invalid("category");
    assert_eq!(refused.body["errors"][0]["code"], "not_covered_by_contract");

    // An active contract covering the unit on the call date: the B line costs nothing, and
    // work outside it is an A line and payable.
    let order = order_on_site(&app, "13900000111", "SN-ACC-11", "2020-01-01").await;
    let customer = app
        .get(&format!("/service-orders/{}", order["id"]), Role::Admin)
        .await;
    let contract = app
        .create_contract(
            customer.body["customer_id"].as_i64().unwrap(),
            &[customer.body["unit_id"].as_i64().unwrap()],
        )
        .await;
    app.post_json(
        &format!("/contracts/{}/status", contract["id"]),
        Role::Admin,
        json!({"status": "active", "version": contract["version"]}),
    )
    .await
    .assert_status(StatusCode::OK);
    app.post_json(
        &format!("/service-orders/{}/charges", order["id"]),
        Role::Technician,
        json!({"description": "定期保养", "unit_price_fen": 10_000, "category": "b"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let charges = app
        .post_json(
            &format!("/service-orders/{}/charges", order["id"]),
            Role::Technician,
            json!({"description": "更换遥控器（合同外）", "unit_price_fen": 4_000, "category": "a"}),
        )
        .await;
    charges.assert_status(StatusCode::CREATED);
    assert_eq!(charges.body["total_fen"], 14_000);
    assert_eq!(charges.body["payable_fen"], 4_000);
}

/// One step of `order` by `role` with `extra` fields; answers the order after it.
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
async fn a_paid_carry_in_repair_is_due_for_its_invoice_when_returned() {
    let app = TestApp::spawn().await;
    let order = order_on_site(&app, "13900000112", "SN-ACC-12", "2020-01-01").await;
    charge(&app, &order, 35_000).await;
    let order = quote_accepted(&app, &order).await;
    let receipt = json!({"item_description": "KFR-35GW 空调室内机", "accessories": "无",
                         "condition": "完好", "promised_date": "2026-11-25"});
    let mut order = step(
        &app,
        Role::Technician,
        &order,
        "carry_in",
        json!({"note": "带回维修", "receipt": receipt}),
    )
    .await;
    order = step(&app, Role::Technician, &order, "start_repair", json!({})).await;
    order = step(&app, Role::Technician, &order, "finish_repair", json!({})).await;
    order = step(
        &app,
        Role::ServiceSupervisor,
        &order,
        "pass_inspection",
        json!({}),
    )
    .await;
    // Not before it is back with the customer.
    let due = app.get("/invoices/due", Role::Accountant).await;
    assert!(due.body.as_array().unwrap().is_empty(), "{}", due.body);
    step(
        &app,
        Role::ServiceAgent,
        &order,
        "return_to_customer",
        json!({"receipt_returned": true}),
    )
    .await;
    let inbox = app.get("/notifications", Role::Accountant).await;
    assert!(inbox
        .body
        .to_string()
        .contains(&format!("/invoices/new?order_id={}", order["id"])));
    let due = app.get("/invoices/due", Role::Accountant).await;
    assert_eq!(due.body[0]["order_id"], order["id"], "{}", due.body);
    assert_eq!(due.body[0]["due"], "due_today");
    assert_eq!(due.body[0]["payable_fen"], 35_000);
    let invoice = app
        .post_json(
            "/invoices",
            Role::Accountant,
            json!({"order_id": order["id"]}),
        )
        .await;
    invoice.assert_status(StatusCode::CREATED);
    assert_eq!(invoice.body["collection"], "open");
}
