//! Service orders through the API: registration with the category proposal, dispatch to a
//! qualified technician, the on-site and carry-in flows, refusals and concurrency.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, TestApp};

/// A BJ customer with one unit bought on `purchase_date`; returns (customer, unit, address).
async fn customer_with_unit(
    app: &TestApp,
    phone: &str,
    serial_no: &str,
    purchase_date: &str,
) -> (i64, i64, i64) {
    let customer = app
        .create_customer(customer_body("王五", phone, app.seed.bj, app.seed.bj_urban))
        .await;
    let customer_id = customer["id"].as_i64().unwrap();
    let card = app
        .get(&format!("/customers/{customer_id}/card"), Role::Admin)
        .await;
    let address_id = card.body["addresses"][0]["id"].as_i64().unwrap();
    let unit = app.create_unit(customer_id, serial_no, purchase_date).await;
    (customer_id, unit["id"].as_i64().unwrap(), address_id)
}

/// A 1×1 PNG, as the signature pad sends it.
const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn order_body(customer_id: i64, unit_id: i64, address_id: i64) -> Value {
    json!({
        "channel": "phone",
        "customer_id": customer_id,
        "unit_id": unit_id,
        "address_id": address_id,
        "fault_description": "空调不制冷",
        "fault_class": "hardware",
        "urgency": "normal",
    })
}

async fn register(app: &TestApp, body: Value) -> Value {
    let response = app
        .post_json("/service-orders", Role::ServiceAgent, body)
        .await;
    response.assert_status(StatusCode::CREATED);
    response.body
}

async fn certify_technician(app: &TestApp) {
    let technician = app.user(Role::Technician);
    let response = app
        .post_json(
            &format!("/staff/{technician}/qualifications"),
            Role::Admin,
            json!({"kind": "certificate", "product_category": "空调", "title": "空调维修上岗证", "issued_on": "2025-01-01", "expires_on": "2027-12-31"}),
        )
        .await;
    response.assert_status(StatusCode::CREATED);
}

async fn step(
    app: &TestApp,
    role: Role,
    order: &Value,
    event: &str,
    extra: Value,
) -> crate::helpers::TestResponse {
    let mut body = json!({"version": order["version"]});
    if let (Some(target), Some(more)) = (body.as_object_mut(), extra.as_object()) {
        target.extend(more.clone());
    }
    app.post_json(
        &format!("/service-orders/{}/{event}", order["id"]),
        role,
        body,
    )
    .await
}

#[tokio::test]
async fn a_call_for_a_unit_under_warranty_is_registered_as_free_service_with_a_branch_number() {
    let app = TestApp::spawn().await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000001", "SN-A1", "2026-06-01").await;
    let order = register(&app, order_body(customer, unit, address)).await;
    assert_eq!(order["status"], "registered");
    assert_eq!(order["category"], "c");
    assert_eq!(order["proposed_category"], "c");
    assert!(
        order["number"].as_str().unwrap().starts_with("BJ20261122"),
        "{order}"
    );
    assert_eq!(order["zone"], "urban");
    assert_eq!(order["received_at"], "2026-11-22T02:00:00Z");
    assert_eq!(order["next_events"], json!(["dispatch", "cancel"]));
    // Called on a Sunday morning: the 6 working hours to arrive in town start on Monday
    // 09:00 and end at 16:00 (cn-standard, Asia/Shanghai).
    let detail = app
        .get(&format!("/service-orders/{}", order["id"]), Role::Admin)
        .await;
    let arrival = detail.body["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "arrival")
        .unwrap()
        .clone();
    assert_eq!(arrival["deadline"], "2026-11-23T08:00:00Z", "{arrival}");
    assert_eq!(arrival["status"], "running");
    assert_eq!(arrival["target_minutes"], 360);
}

#[tokio::test]
async fn the_category_falls_back_to_contract_then_paid_and_an_override_needs_a_reason() {
    let app = TestApp::spawn().await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000002", "SN-B1", "2024-01-10").await;
    // Out of warranty (12 months) but the compressor (60 months) still is.
    let paid = register(&app, order_body(customer, unit, address)).await;
    assert_eq!(paid["category"], "a");
    let mut compressor = order_body(customer, unit, address);
    compressor["component"] = json!("压缩机");
    assert_eq!(register(&app, compressor).await["category"], "c");
    // A signed contract makes the same call contract service.
    let contract = app.create_contract(customer, &[unit]).await;
    let signed = app
        .post_json(
            &format!("/contracts/{}/status", contract["id"]),
            Role::Admin,
            json!({"status": "active", "version": contract["version"]}),
        )
        .await;
    signed.assert_status(StatusCode::OK);
    assert_eq!(
        register(&app, order_body(customer, unit, address)).await["category"],
        "b"
    );
    let mut overridden = order_body(customer, unit, address);
    overridden["category"] = json!("a");
    app.post_json("/service-orders", Role::ServiceAgent, overridden.clone())
        .await
        .assert_invalid("category_reason");
    overridden["category_reason"] = json!("客户自行拆机，合同不含");
    let accepted = register(&app, overridden).await;
    assert_eq!(
        (
            accepted["category"].as_str(),
            accepted["proposed_category"].as_str()
        ),
        (Some("a"), Some("b"))
    );
}

#[tokio::test]
async fn bad_calls_are_refused_naming_the_field_and_store_nothing() {
    let app = TestApp::spawn().await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000003", "SN-C1", "2026-06-01").await;
    for (field, value, expected) in [
        ("fault_description", json!(" "), "fault_description"),
        ("fault_class", json!("magic"), "fault_class"),
        ("channel", json!("pigeon"), "channel"),
        ("received_at", json!("2026-11-23T00:00:00Z"), "received_at"),
        ("unit_id", json!(999_999), "unit_id"),
    ] {
        let mut body = order_body(customer, unit, address);
        body[field] = value;
        app.post_json("/service-orders", Role::ServiceAgent, body)
            .await
            .assert_invalid(expected);
    }
    let list = app.get("/service-orders", Role::Admin).await;
    assert_eq!(list.body["total"], 0);
    // A technician cannot register calls.
    app.post_json(
        "/service-orders",
        Role::Technician,
        order_body(customer, unit, address),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn only_a_technician_with_a_valid_certificate_for_the_category_can_be_dispatched() {
    let app = TestApp::spawn().await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000004", "SN-D1", "2026-06-01").await;
    let order = register(&app, order_body(customer, unit, address)).await;
    let technician = app.user(Role::Technician);
    step(
        &app,
        Role::ServiceSupervisor,
        &order,
        "dispatch",
        json!({"technician_id": technician}),
    )
    .await
    .assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("technician_id"),
    );
    let refused = step(
        &app,
        Role::ServiceSupervisor,
        &order,
        "dispatch",
        json!({"technician_id": technician}),
    )
    .await;
    assert_eq!(refused.body["errors"][0]["code"], "no_certificate");
    // An agent is not a technician.
    let agent = app.user(Role::ServiceAgent);
    let not_technician = step(
        &app,
        Role::ServiceSupervisor,
        &order,
        "dispatch",
        json!({"technician_id": agent}),
    )
    .await;
    assert_eq!(not_technician.body["errors"][0]["code"], "not_a_technician");
    certify_technician(&app).await;
    let dispatched = step(
        &app,
        Role::ServiceSupervisor,
        &order,
        "dispatch",
        json!({"technician_id": technician}),
    )
    .await;
    dispatched.assert_status(StatusCode::OK);
    assert_eq!(dispatched.body["status"], "dispatched");
    assert_eq!(dispatched.body["technician_id"], technician);
    // An agent may not dispatch.
    step(
        &app,
        Role::ServiceAgent,
        &dispatched.body,
        "reassign",
        json!({"technician_id": technician}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_on_site_flow_ends_with_an_archived_voucher_and_a_full_timeline() {
    let app = TestApp::spawn().await;
    certify_technician(&app).await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000005", "SN-E1", "2026-06-01").await;
    let mut order = register(&app, order_body(customer, unit, address)).await;
    let technician = app.user(Role::Technician);
    for (role, event, extra) in [
        (
            Role::ServiceSupervisor,
            "dispatch",
            json!({"technician_id": technician}),
        ),
        (
            Role::Technician,
            "record_contact",
            json!({"appointment_at": "2026-11-22T06:00:00Z"}),
        ),
        (Role::Technician, "check_in", json!({})),
        (
            Role::Technician,
            "complete_on_site",
            json!({"note": "更换电容，试机正常", "signature_png": SIGNATURE}),
        ),
        (Role::ServiceAgent, "archive", json!({})),
    ] {
        let response = step(&app, role, &order, event, extra).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{event}: {}",
            response.body
        );
        order = response.body;
    }
    assert_eq!(order["status"], "archived");
    assert!(order["completed_at"].is_string() && order["archived_at"].is_string());
    assert_eq!(order["appointment_at"], "2026-11-22T06:00:00Z");
    let events: Vec<&str> = order["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "register",
            "dispatch",
            "record_contact",
            "check_in",
            "complete_on_site",
            "archive"
        ]
    );
    // Archived is final.
    step(&app, Role::Admin, &order, "cancel", json!({"note": "x"}))
        .await
        .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
}

#[tokio::test]
async fn completing_needs_the_work_done_and_technicians_work_only_on_their_own_orders() {
    let app = TestApp::spawn().await;
    certify_technician(&app).await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000006", "SN-F1", "2026-06-01").await;
    let order = register(&app, order_body(customer, unit, address)).await;
    // Not dispatched to this technician yet: refused.
    step(&app, Role::Technician, &order, "record_contact", json!({}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let technician = app.user(Role::Technician);
    let mut order = step(
        &app,
        Role::ServiceSupervisor,
        &order,
        "dispatch",
        json!({"technician_id": technician}),
    )
    .await
    .body;
    for event in ["record_contact", "check_in"] {
        order = step(&app, Role::Technician, &order, event, json!({}))
            .await
            .body;
    }
    step(
        &app,
        Role::Technician,
        &order,
        "complete_on_site",
        json!({}),
    )
    .await
    .assert_invalid("note");
    step(
        &app,
        Role::Technician,
        &order,
        "complete_on_site",
        json!({"note": "修好了"}),
    )
    .await
    .assert_invalid("signature_png");
    step(
        &app,
        Role::Technician,
        &order,
        "complete_on_site",
        json!({"note": "修好了", "signature_png": "bm90IGEgcG5n"}),
    )
    .await
    .assert_invalid("signature_png");
    let done = step(
        &app,
        Role::Technician,
        &order,
        "complete_on_site",
        json!({"note": "修好了", "signature_png": SIGNATURE}),
    )
    .await;
    done.assert_status(StatusCode::OK);
    // The drawn signature is filed with the order.
    let files = app
        .get(
            &format!("/attachments/service_order/{}", order["id"]),
            Role::Admin,
        )
        .await;
    files.assert_status(StatusCode::OK);
    let name = files.body[0]["file_name"].as_str().unwrap().to_string();
    assert!(
        name.starts_with("signature-") && name.ends_with(".png"),
        "{name}"
    );
    assert_eq!(files.body[0]["content_type"], "image/png");
}

#[tokio::test]
async fn completing_without_a_signature_needs_a_reason_and_alerts_the_supervisor() {
    let app = TestApp::spawn().await;
    certify_technician(&app).await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000011", "SN-K1", "2026-06-01").await;
    let mut order = register(&app, order_body(customer, unit, address)).await;
    let technician = app.user(Role::Technician);
    order = step(
        &app,
        Role::ServiceSupervisor,
        &order,
        "dispatch",
        json!({"technician_id": technician}),
    )
    .await
    .body;
    for event in ["record_contact", "check_in"] {
        order = step(&app, Role::Technician, &order, event, json!({}))
            .await
            .body;
    }
    let done = step(
        &app,
        Role::Technician,
        &order,
        "complete_on_site",
        json!({"note": "修好了", "no_signature_reason": "客户不在家，家人代收"}),
    )
    .await;
    done.assert_status(StatusCode::OK);
    let last = done.body["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        last["note"].as_str().unwrap().contains("客户不在家"),
        "{last}"
    );
    let inbox = app.get("/notifications", Role::ServiceSupervisor).await;
    inbox.assert_status(StatusCode::OK);
    assert!(
        inbox
            .body
            .to_string()
            .contains(order["number"].as_str().unwrap()),
        "{}",
        inbox.body
    );
}

#[tokio::test]
async fn the_carry_in_flow_goes_through_repair_and_inspection_back_to_the_customer() {
    let app = TestApp::spawn().await;
    certify_technician(&app).await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000007", "SN-G1", "2026-06-01").await;
    let mut order = register(&app, order_body(customer, unit, address)).await;
    let technician = app.user(Role::Technician);
    for (role, event, extra) in [
        (
            Role::ServiceSupervisor,
            "dispatch",
            json!({"technician_id": technician}),
        ),
        (Role::Technician, "record_contact", json!({})),
        (Role::Technician, "check_in", json!({})),
        (
            Role::Technician,
            "carry_in",
            json!({"note": "压缩机异响，带回维修"}),
        ),
        (Role::Technician, "start_repair", json!({})),
        (
            Role::ServiceSupervisor,
            "fail_inspection",
            json!({"note": "仍有异响"}),
        ),
        (Role::ServiceSupervisor, "pass_inspection", json!({})),
        (Role::ServiceAgent, "return_to_customer", json!({})),
        (Role::ServiceAgent, "archive", json!({})),
    ] {
        let response = step(&app, role, &order, event, extra).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{event}: {}",
            response.body
        );
        order = response.body;
    }
    assert_eq!(order["status"], "archived");
    assert!(order["returned_at"].is_string());
    let statuses: Vec<&str> = order["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses[4..8],
        ["carried_in", "in_repair", "in_repair", "inspected"]
    );
}

#[tokio::test]
async fn impossible_and_stale_steps_answer_409_and_change_nothing() {
    let app = TestApp::spawn().await;
    certify_technician(&app).await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000008", "SN-H1", "2026-06-01").await;
    let order = register(&app, order_body(customer, unit, address)).await;
    step(&app, Role::ServiceAgent, &order, "archive", json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    let technician = app.user(Role::Technician);
    // Two supervisors dispatch the same version: exactly one wins.
    let first = step(
        &app,
        Role::ServiceSupervisor,
        &order,
        "dispatch",
        json!({"technician_id": technician}),
    )
    .await;
    let second = step(
        &app,
        Role::BranchManager,
        &order,
        "dispatch",
        json!({"technician_id": technician}),
    )
    .await;
    first.assert_status(StatusCode::OK);
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    let now = app
        .get(&format!("/service-orders/{}", order["id"]), Role::Admin)
        .await;
    assert_eq!(now.body["version"], 2);
    assert_eq!(now.body["events"].as_array().unwrap().len(), 2);
    step(
        &app,
        Role::ServiceSupervisor,
        &order,
        "cancel",
        json!({"note": "客户取消"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
}

#[tokio::test]
async fn a_second_call_for_the_same_fault_within_the_window_is_a_repeat_repair() {
    let app = TestApp::spawn().await;
    certify_technician(&app).await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000009", "SN-I1", "2026-06-01").await;
    let mut first = register(&app, order_body(customer, unit, address)).await;
    let technician = app.user(Role::Technician);
    for (role, event, extra) in [
        (
            Role::ServiceSupervisor,
            "dispatch",
            json!({"technician_id": technician}),
        ),
        (Role::Technician, "record_contact", json!({})),
        (Role::Technician, "check_in", json!({})),
        (
            Role::Technician,
            "complete_on_site",
            json!({"note": "更换电容", "signature_png": SIGNATURE}),
        ),
    ] {
        first = step(&app, role, &first, event, extra).await.body;
    }
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 10));
    let repeat = register(&app, order_body(customer, unit, address)).await;
    assert_eq!(repeat["repeat_of_id"], first["id"]);
    let mut other_fault = order_body(customer, unit, address);
    other_fault["fault_class"] = json!("software");
    assert!(register(&app, other_fault).await["repeat_of_id"].is_null());
}

#[tokio::test]
async fn a_call_not_dispatched_on_its_day_is_listed_first_as_priority_the_next_day() {
    let app = TestApp::spawn().await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000010", "SN-J1", "2026-06-01").await;
    let old = register(&app, order_body(customer, unit, address)).await;
    assert_eq!(old["priority"], false);
    app.clock.advance(jiff::SignedDuration::from_hours(24));
    let new = register(&app, order_body(customer, unit, address)).await;
    let list = app
        .get("/service-orders?status=registered", Role::ServiceSupervisor)
        .await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items[0]["id"], old["id"]);
    assert_eq!(items[0]["priority"], true);
    assert_eq!(items[1]["id"], new["id"]);
    assert_eq!(items[1]["priority"], false);
}
