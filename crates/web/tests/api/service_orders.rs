//! Service orders through the API: registration with the category proposal, dispatch to a
//! qualified technician, the on-site and carry-in flows, refusals and concurrency.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, TestApp, SIGNATURE};

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

/// Registration reads the product's components from the instance's copy of the reference
/// data; a change to them moves the counter, so the next call sees it.
#[tokio::test]
async fn a_call_on_a_component_follows_the_product_s_components_as_they_change() {
    let app = TestApp::spawn().await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000012", "SN-B2", "2024-01-10").await;
    let mut compressor = order_body(customer, unit, address);
    compressor["component"] = json!("压缩机");
    assert_eq!(register(&app, compressor.clone()).await["category"], "c");
    let product = format!("/products/{}", app.seed.product);
    let mut shorter = app.get(&product, Role::Admin).await.body;
    shorter["components"] = json!([{"name": "压缩机", "warranty_months": 24}]);
    app.put_json(&product, Role::Admin, shorter)
        .await
        .assert_status(StatusCode::OK);
    // Bought in January 2024: 24 months of compressor warranty ended in January 2026.
    assert_eq!(register(&app, compressor).await["category"], "a");
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
            json!({"note": "压缩机异响，带回维修", "receipt": receipt_body()}),
        ),
        (Role::Technician, "start_repair", json!({})),
        (Role::Technician, "finish_repair", json!({})),
        (
            Role::ServiceSupervisor,
            "fail_inspection",
            json!({"note": "仍有异响"}),
        ),
        (Role::Technician, "finish_repair", json!({})),
        (Role::ServiceSupervisor, "pass_inspection", json!({})),
        (
            Role::ServiceAgent,
            "return_to_customer",
            json!({"receipt_returned": true}),
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
    assert!(order["returned_at"].is_string());
    let statuses: Vec<&str> = order["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses[4..10],
        [
            "carried_in",
            "in_repair",
            "repaired",
            "in_repair",
            "repaired",
            "inspected"
        ]
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
    other_fault["software_class"] = json!("bug");
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

fn receipt_body() -> Value {
    json!({
        "item_description": "KFR-35GW 空调室内机",
        "accessories": "遥控器一个",
        "condition": "外壳有划痕",
        "promised_date": "2026-11-25",
    })
}

/// An order for a unit bought on `purchase_date`, taken to `carried_in` by the technician
/// with `receipt`; answers the carry-in response.
async fn carry_in_with(
    app: &TestApp,
    phone: &str,
    serial_no: &str,
    purchase_date: &str,
    receipt: Value,
) -> crate::helpers::TestResponse {
    certify_technician(app).await;
    let (customer, unit, address) = customer_with_unit(app, phone, serial_no, purchase_date).await;
    let mut order = register(app, order_body(customer, unit, address)).await;
    let technician = app.user(Role::Technician);
    order = step(
        app,
        Role::ServiceSupervisor,
        &order,
        "dispatch",
        json!({"technician_id": technician}),
    )
    .await
    .body;
    for event in ["record_contact", "check_in"] {
        order = step(app, Role::Technician, &order, event, json!({}))
            .await
            .body;
    }
    let mut extra = json!({"note": "带回维修"});
    if !receipt.is_null() {
        extra["receipt"] = receipt;
    }
    step(app, Role::Technician, &order, "carry_in", extra).await
}

/// Carried in, repaired and inspected: ready to go back to the customer.
async fn ready_for_return(
    app: &TestApp,
    phone: &str,
    serial_no: &str,
    purchase_date: &str,
) -> Value {
    let carried = carry_in_with(app, phone, serial_no, purchase_date, receipt_body()).await;
    carried.assert_status(StatusCode::OK);
    let mut order = carried.body;
    for (role, event) in [
        (Role::Technician, "start_repair"),
        (Role::Technician, "finish_repair"),
        (Role::ServiceSupervisor, "pass_inspection"),
    ] {
        let response = step(app, role, &order, event, json!({})).await;
        response.assert_status(StatusCode::OK);
        order = response.body;
    }
    order
}

#[tokio::test]
async fn carrying_in_needs_the_receipt_facts_and_issues_a_numbered_receipt_listed_in_the_register()
{
    let app = TestApp::spawn().await;
    let refused = carry_in_with(&app, "13700000021", "SN-R1", "2026-06-01", Value::Null).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = refused.error_fields();
    assert!(
        fields.contains(&"receipt.item_description".to_string())
            && fields.contains(&"receipt.promised_date".to_string()),
        "{fields:?}"
    );
    let orders = app
        .get("/service-orders?status=carried_in", Role::Admin)
        .await;
    assert_eq!(orders.body["total"], 0, "nothing changed");

    let order = app
        .get("/service-orders?status=on_site", Role::Admin)
        .await
        .body["items"][0]
        .clone();
    let mut past = receipt_body();
    past["promised_date"] = json!("2026-11-01");
    step(
        &app,
        Role::Technician,
        &order,
        "carry_in",
        json!({"receipt": past}),
    )
    .await
    .assert_invalid("receipt.promised_date");
    let carried = step(
        &app,
        Role::Technician,
        &order,
        "carry_in",
        json!({"receipt": receipt_body()}),
    )
    .await;
    carried.assert_status(StatusCode::OK);
    let receipt = app
        .get(
            &format!("/service-orders/{}/receipt", order["id"]),
            Role::ServiceAgent,
        )
        .await;
    receipt.assert_status(StatusCode::OK);
    assert_eq!(receipt.body["number"], "SH20261122001", "{}", receipt.body);
    assert_eq!(receipt.body["status"], "issued");
    assert_eq!(
        receipt.body["serial_no"], "SN-R1",
        "the unit's serial by default"
    );
    assert_eq!(receipt.body["promised_date"], "2026-11-25");
    assert_eq!(receipt.body["accessories"], "遥控器一个");

    let register = app
        .get(
            "/goods-register?from=2026-11-22&to=2026-11-22",
            Role::ServiceAgent,
        )
        .await;
    register.assert_status(StatusCode::OK);
    let rows = register.body.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", register.body);
    assert_eq!(rows[0]["number"], "SH20261122001");
    assert_eq!(rows[0]["order_number"], order["number"]);
    assert_eq!(rows[0]["customer_name"], "王五");
    assert!(rows[0]["technician"].is_string());
    assert!(rows[0]["returned_at"].is_null());
    let earlier = app
        .get("/goods-register?to=2026-11-21", Role::ServiceAgent)
        .await;
    assert_eq!(earlier.body, json!([]));

    let workshop = app.get("/workshop", Role::ServiceSupervisor).await;
    workshop.assert_status(StatusCode::OK);
    assert_eq!(workshop.body[0]["receipt_number"], "SH20261122001");
    assert_eq!(workshop.body[0]["age_days"], 0);
    assert_eq!(workshop.body[0]["overdue"], false);
}

#[tokio::test]
async fn the_repair_card_takes_labour_and_parts_only_while_in_repair_and_only_from_its_technician()
{
    let app = TestApp::spawn().await;
    let carried = carry_in_with(&app, "13700000022", "SN-R2", "2026-06-01", receipt_body()).await;
    carried.assert_status(StatusCode::OK);
    let order = carried.body;
    let card = format!("/service-orders/{}/repair-card", order["id"]);
    app.post_json(
        &card,
        Role::Technician,
        json!({"kind": "labour", "minutes": 30}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "not_in_repair", Some("status"));
    let order = step(&app, Role::Technician, &order, "start_repair", json!({}))
        .await
        .body;
    let labour = app
        .post_json(
            &card,
            Role::Technician,
            json!({"kind": "labour", "minutes": 90, "note": "检修压缩机"}),
        )
        .await;
    labour.assert_status(StatusCode::CREATED);
    assert_eq!(labour.body["technician_id"], app.user(Role::Technician));
    app.post_json(
        &card,
        Role::ServiceSupervisor,
        json!({"kind": "part", "part_number": "C-35", "part_name": "启动电容", "quantity": 2}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    app.post_json(&card, Role::Technician, json!({"kind": "labour"}))
        .await
        .assert_invalid("minutes");
    app.post_json(&card, Role::Technician, json!({"kind": "part"}))
        .await
        .assert_invalid("part_name");
    // Another technician of the branch may not write on this card.
    let other = app
        .post_json(
            "/staff",
            Role::Admin,
            json!({"username": "other_tech", "display_name": "别的技师", "password": "long-enough-pw",
                   "org_unit_id": app.seed.bj, "roles": ["technician"]}),
        )
        .await;
    other.assert_status(StatusCode::CREATED);
    let token = app
        .post_json(
            "/api-tokens",
            Role::Admin,
            json!({"name": "t", "user_id": other.id()}),
        )
        .await;
    token.assert_status(StatusCode::CREATED);
    let secret = token.body["secret"].as_str().expect("secret").to_string();
    app.post_json(
        &card,
        crate::helpers::Auth::Token(&secret),
        json!({"kind": "labour", "minutes": 5}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let view = app.get(&card, Role::ServiceAgent).await;
    view.assert_status(StatusCode::OK);
    let entries = view.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{}", view.body);
    assert_eq!(entries[0]["kind"], "labour");
    assert_eq!(entries[1]["part_name"], "启动电容");
    assert_eq!(entries[1]["quantity"], 2);
    assert_eq!(view.body["total_minutes"], 90);
    assert_eq!(view.body["receipt_number"], "SH20261122001");
    assert_eq!(order["status"], "in_repair");
}

#[tokio::test]
async fn returning_voids_the_receipt_for_good_and_records_the_return_date() {
    let app = TestApp::spawn().await;
    let order = ready_for_return(&app, "13700000023", "SN-R3", "2026-06-01").await;
    step(
        &app,
        Role::ServiceAgent,
        &order,
        "return_to_customer",
        json!({}),
    )
    .await
    .assert_invalid("receipt_returned");
    app.clock.advance(jiff::SignedDuration::from_hours(2));
    let returned = step(
        &app,
        Role::ServiceAgent,
        &order,
        "return_to_customer",
        json!({"receipt_returned": true}),
    )
    .await;
    returned.assert_status(StatusCode::OK);
    let receipt = app
        .get(
            &format!("/service-orders/{}/receipt", order["id"]),
            Role::ServiceAgent,
        )
        .await
        .body;
    assert_eq!(receipt["status"], "void");
    assert_eq!(receipt["voided_at"], "2026-11-22T04:00:00Z");
    assert_eq!(receipt["returned_at"], "2026-11-22T04:00:00Z");
    assert_eq!(receipt["lost"], false);
    assert!(receipt["voided_by"].is_string());
    let register = app.get("/goods-register", Role::ServiceAgent).await.body;
    assert_eq!(register[0]["returned_at"], "2026-11-22T04:00:00Z");
    assert_eq!(
        app.get("/workshop", Role::ServiceAgent).await.body,
        json!([])
    );
    // A void receipt cannot be used again: not for a second return of the order, and its
    // void state is kept.
    step(
        &app,
        Role::ServiceAgent,
        &returned.body,
        "return_to_customer",
        json!({"receipt_returned": true}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    let again = app
        .get(
            &format!("/service-orders/{}/receipt", order["id"]),
            Role::ServiceAgent,
        )
        .await
        .body;
    assert_eq!(again, receipt);
}

#[tokio::test]
async fn a_lost_receipt_needs_the_approval_of_a_supervisor_of_the_branch() {
    let app = TestApp::spawn().await;
    let order = ready_for_return(&app, "13700000024", "SN-R4", "2026-06-01").await;
    for approver in [app.user(Role::ServiceAgent), app.user(Role::Technician)] {
        let refused = step(
            &app,
            Role::ServiceAgent,
            &order,
            "return_to_customer",
            json!({"lost_receipt_approved_by": approver}),
        )
        .await;
        refused.assert_invalid("lost_receipt_approved_by");
        assert_eq!(refused.body["errors"][0]["code"], "not_a_supervisor");
    }
    let supervisor = app.user(Role::ServiceSupervisor);
    step(
        &app,
        Role::ServiceAgent,
        &order,
        "return_to_customer",
        json!({"lost_receipt_approved_by": supervisor, "note": "客户身份证已核对"}),
    )
    .await
    .assert_status(StatusCode::OK);
    let receipt = app
        .get(
            &format!("/service-orders/{}/receipt", order["id"]),
            Role::ServiceAgent,
        )
        .await
        .body;
    assert_eq!(receipt["status"], "void");
    assert_eq!(receipt["lost"], true);
    assert!(receipt["lost_approved_by"].is_string(), "{receipt}");
}

#[tokio::test]
async fn returning_a_paid_repair_tells_the_accountant_to_invoice_today() {
    let app = TestApp::spawn().await;
    let order = ready_for_return(&app, "13700000025", "SN-R5", "2024-01-10").await;
    assert_eq!(order["category"], "a");
    step(
        &app,
        Role::ServiceAgent,
        &order,
        "return_to_customer",
        json!({"receipt_returned": true}),
    )
    .await
    .assert_status(StatusCode::OK);
    let inbox = app.get("/notifications", Role::Accountant).await;
    inbox.assert_status(StatusCode::OK);
    let text = inbox.body.to_string();
    assert!(
        text.contains("invoice_due") && text.contains(order["number"].as_str().unwrap()),
        "{text}"
    );
    // A free repair does not.
    let free = ready_for_return(&app, "13700000026", "SN-R6", "2026-06-01").await;
    step(
        &app,
        Role::ServiceAgent,
        &free,
        "return_to_customer",
        json!({"receipt_returned": true}),
    )
    .await
    .assert_status(StatusCode::OK);
    let inbox = app
        .get("/notifications", Role::Accountant)
        .await
        .body
        .to_string();
    assert!(!inbox.contains(free["number"].as_str().unwrap()), "{inbox}");
}

#[tokio::test]
async fn an_item_held_past_its_promised_date_is_overdue_and_reported_to_the_supervisor_once() {
    let app = TestApp::spawn().await;
    let carried = carry_in_with(&app, "13700000027", "SN-R7", "2026-06-01", receipt_body()).await;
    carried.assert_status(StatusCode::OK);
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 4));
    let workshop = app.get("/workshop", Role::ServiceSupervisor).await.body;
    assert_eq!(workshop[0]["overdue"], true, "{workshop}");
    assert_eq!(workshop[0]["age_days"], 4);
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    let inbox = app
        .get("/notifications", Role::ServiceSupervisor)
        .await
        .body;
    let overdue = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "carry_in_overdue")
        .count();
    assert_eq!(overdue, 1, "{inbox}");
}

fn clock<'a>(order: &'a Value, name: &str) -> &'a Value {
    order["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} clock in {}", order["clocks"]))
}

#[tokio::test]
async fn waiting_for_the_customer_pauses_the_clocks_and_resuming_goes_back_where_work_stood() {
    let app = TestApp::spawn().await;
    certify_technician(&app).await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000041", "SN-W1", "2026-06-01").await;
    // Called on Sunday; the working clock starts Monday 09:00 (2026-11-23T01:00Z).
    let mut order = register(&app, order_body(customer, unit, address)).await;
    app.clock.advance(jiff::SignedDuration::from_hours(23));
    let technician = app.user(Role::Technician);
    for (role, event, extra) in [
        (
            Role::ServiceSupervisor,
            "dispatch",
            json!({"technician_id": technician}),
        ),
        (Role::Technician, "record_contact", json!({})),
    ] {
        let response = step(&app, role, &order, event, extra).await;
        response.assert_status(StatusCode::OK);
        order = response.body;
    }
    assert_eq!(clock(&order, "first_contact")["status"], "met");
    app.clock.advance(jiff::SignedDuration::from_hours(1));
    step(&app, Role::Technician, &order, "await_customer", json!({}))
        .await
        .assert_invalid("note");
    let waiting = step(
        &app,
        Role::Technician,
        &order,
        "await_customer",
        json!({"note": "客户出差，周一下午再约"}),
    )
    .await;
    waiting.assert_status(StatusCode::OK);
    let order = waiting.body;
    assert_eq!(order["status"], "waiting_customer");
    assert_eq!(order["resume_status"], "contacted");
    assert_eq!(clock(&order, "arrival")["status"], "paused");
    assert_eq!(clock(&order, "arrival")["consumed_minutes"], 60);
    // Three hours later (two of them working time) nothing more was counted.
    app.clock.advance(jiff::SignedDuration::from_hours(3));
    let order = app
        .get(
            &format!("/service-orders/{}", order["id"]),
            Role::Technician,
        )
        .await
        .body;
    assert_eq!(clock(&order, "arrival")["consumed_minutes"], 60);
    assert!(clock(&order, "arrival")["deadline"].is_null());
    // Check-in is not possible while waiting; resuming returns to "contacted".
    step(&app, Role::Technician, &order, "check_in", json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    let resumed = step(&app, Role::Technician, &order, "resume", json!({})).await;
    resumed.assert_status(StatusCode::OK);
    let order = resumed.body;
    assert_eq!(order["status"], "contacted");
    assert!(order["resume_status"].is_null());
    // 13:00 with 5 of the 6 hours left: due at 18:00 the same day.
    assert_eq!(clock(&order, "arrival")["status"], "running");
    assert_eq!(clock(&order, "arrival")["deadline"], "2026-11-23T10:00:00Z");
    let order = step(&app, Role::Technician, &order, "check_in", json!({}))
        .await
        .body;
    assert_eq!(clock(&order, "arrival")["status"], "met");

    // REPAIR-6: an unknown checklist item is refused; a "no" reaches the supervisor and the
    // customer department, and completing always reports to the supervisor (REPAIR-4).
    step(
        &app,
        Role::Technician,
        &order,
        "complete_on_site",
        json!({"note": "更换电容", "signature_png": SIGNATURE, "conduct_exceptions": ["smiled"]}),
    )
    .await
    .assert_invalid("conduct_exceptions");
    let done = step(
        &app,
        Role::Technician,
        &order,
        "complete_on_site",
        json!({"note": "更换电容", "signature_png": SIGNATURE, "conduct_exceptions": ["waste_removed"]}),
    )
    .await;
    done.assert_status(StatusCode::OK);
    assert_eq!(done.body["conduct_exceptions"], "waste_removed");
    let supervisor = app
        .get("/notifications", Role::ServiceSupervisor)
        .await
        .body
        .to_string();
    assert!(supervisor.contains("order_completed"), "{supervisor}");
    assert!(supervisor.contains("conduct_exception"), "{supervisor}");
    let department = app
        .get("/notifications", Role::CustomerDepartment)
        .await
        .body
        .to_string();
    assert!(department.contains("conduct_exception"), "{department}");
    let events: Vec<&str> = done.body["events"]
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
            "await_customer",
            "resume",
            "check_in",
            "complete_on_site"
        ]
    );
}

#[tokio::test]
async fn a_software_fault_needs_its_class_and_runs_the_software_policy_clocks() {
    let app = TestApp::spawn().await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000042", "SN-SW1", "2026-06-01").await;
    let mut body = order_body(customer, unit, address);
    body["fault_class"] = json!("software");
    app.post_json("/service-orders", Role::ServiceAgent, body.clone())
        .await
        .assert_invalid("software_class");
    body["software_class"] = json!("bug");
    body["software_priority"] = json!("p9");
    app.post_json("/service-orders", Role::ServiceAgent, body.clone())
        .await
        .assert_invalid("software_priority");
    body["software_priority"] = json!("p1");
    let order = register(&app, body).await;
    assert_eq!(order["software_class"], "bug");
    assert_eq!(order["software_priority"], "p1");
    let order = app
        .get(
            &format!("/service-orders/{}", order["id"]),
            Role::ServiceAgent,
        )
        .await
        .body;
    let names: Vec<&str> = order["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["resolution"], "{}", order["clocks"]);
    let resolution = clock(&order, "resolution");
    assert_eq!(resolution["kind"], "elapsed");
    assert_eq!(resolution["policy"], "软件问题 Software issues");
    // 24 calendar hours from the Sunday call.
    assert_eq!(resolution["deadline"], "2026-11-23T02:00:00Z");
    // A hardware fault's class fields are not kept.
    let plain = register(&app, {
        let mut body = order_body(customer, unit, address);
        body["software_class"] = json!("bug");
        body
    })
    .await;
    assert!(plain["software_class"].is_null());
}

#[tokio::test]
async fn the_software_queue_puts_bugs_first_then_priority_then_the_earlier_call() {
    let app = TestApp::spawn().await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000043", "SN-SW2", "2026-06-01").await;
    let mut numbers = Vec::new();
    for (class, priority) in [
        ("requirement", "p1"),
        ("bug", "p3"),
        ("other", "p1"),
        ("bug", "p1"),
    ] {
        let mut body = order_body(customer, unit, address);
        body["fault_class"] = json!("software");
        body["software_class"] = json!(class);
        body["software_priority"] = json!(priority);
        numbers.push(register(&app, body).await["number"].clone());
        app.clock.advance(jiff::SignedDuration::from_mins(5));
    }
    let queue = app.get("/software-queue", Role::Technician).await;
    queue.assert_status(StatusCode::OK);
    let order: Vec<Value> = queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].clone())
        .collect();
    assert_eq!(
        order,
        [
            numbers[3].clone(),
            numbers[1].clone(),
            numbers[2].clone(),
            numbers[0].clone()
        ]
    );
}

/// The numbers of the orders a search for `text` lists, as the agent sees them.
async fn search(app: &TestApp, text: &str) -> Vec<String> {
    let encoded: String = text
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let path = format!("/service-orders?q={encoded}");
    let response = app.get(&path, Role::ServiceAgent).await;
    response.assert_status(StatusCode::OK);
    let mut numbers: Vec<String> = response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    numbers
}

#[tokio::test]
async fn the_search_finds_text_anywhere_in_the_number_fault_customer_name_or_phone() {
    let app = TestApp::spawn().await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13911112222", "SN-SEARCH-1", "2026-06-01").await;
    let mut body = order_body(customer, unit, address);
    body["fault_description"] = json!("室外机噪音很大 Noisy FAN");
    let noisy = register(&app, body).await;
    let other = app
        .create_customer(customer_body(
            "欧阳娜娜",
            "13733334444",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let other_unit = app
        .create_unit(other["id"].as_i64().unwrap(), "SN-SEARCH-2", "2026-06-01")
        .await;
    let quiet = register(
        &app,
        json!({
            "channel": "phone",
            "customer_id": other["id"],
            "unit_id": other_unit["id"],
            "fault_description": "遥控器失灵",
            "fault_class": "hardware",
            "urgency": "normal",
        }),
    )
    .await;
    let (noisy_no, quiet_no) = (
        noisy["number"].as_str().unwrap().to_string(),
        quiet["number"].as_str().unwrap().to_string(),
    );

    // Three characters and more go through the trigram index, shorter text is scanned: both
    // find the same orders, in any case of Latin letters.
    assert_eq!(search(&app, "噪音很").await, vec![noisy_no.clone()]);
    assert_eq!(search(&app, "噪音").await, vec![noisy_no.clone()]);
    assert_eq!(search(&app, "noisy fan").await, vec![noisy_no.clone()]);
    assert_eq!(search(&app, "欧阳娜").await, vec![quiet_no.clone()]);
    assert_eq!(search(&app, "阳娜").await, vec![quiet_no.clone()]);
    assert_eq!(search(&app, "3333444").await, vec![quiet_no.clone()]);
    assert_eq!(search(&app, &quiet_no[2..]).await, vec![quiet_no.clone()]);
    let mut both = vec![noisy_no.clone(), quiet_no.clone()];
    both.sort();
    assert_eq!(search(&app, "139111").await, vec![noisy_no.clone()]);
    assert_eq!(search(&app, "137").await, vec![quiet_no.clone()]);
    assert_eq!(search(&app, &noisy_no[..4]).await, both);
    // Quotes and LIKE wildcards are text, not syntax.
    assert!(search(&app, "\"噪音\" OR 遥控").await.is_empty());
    assert!(search(&app, "%失灵").await.is_empty());

    // A renamed customer is found by the new name, no longer by the old one.
    let path = format!("/customers/{}", other["id"]);
    app.put_json(
        &path,
        Role::Admin,
        json!({"kind": "person", "name": "司马光", "phone": "13733334444", "version": 1}),
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(search(&app, "司马光").await, vec![quiet_no]);
    assert!(search(&app, "欧阳娜").await.is_empty());
}

/// The steps that take a registered order to the technician on site.
fn steps_to_site(technician: i64) -> [(Role, &'static str, Value); 3] {
    [
        (
            Role::ServiceSupervisor,
            "dispatch",
            json!({"technician_id": technician}),
        ),
        (Role::Technician, "record_contact", json!({})),
        (Role::Technician, "check_in", json!({})),
    ]
}

/// Whether the order's SLA verdicts are frozen.
async fn is_frozen(app: &TestApp, order_id: i64) -> bool {
    use aftersales_store::entity::service_order;
    use aftersales_store::sea_orm::EntityTrait;
    service_order::Entity::find_by_id(order_id)
        .one(&app.app.db)
        .await
        .unwrap()
        .unwrap()
        .sla_frozen
}

/// The frozen outcomes counted so far: (day, clock, verdict, clocks), all branches.
async fn day_counts(app: &TestApp) -> Vec<(i64, String, String, i64)> {
    use aftersales_store::entity::sla_outcome_day;
    use aftersales_store::sea_orm::{EntityTrait, QueryOrder};
    sla_outcome_day::Entity::find()
        .order_by_asc(sla_outcome_day::Column::Day)
        .order_by_asc(sla_outcome_day::Column::Clock)
        .all(&app.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.day, c.clock, c.status, c.outcomes))
        .collect()
}

/// Forgets every frozen verdict, as migration 000170 left finished orders.
async fn unfreeze_all(app: &TestApp) {
    use aftersales_store::entity::{service_order, sla_outcome_day};
    use aftersales_store::sea_orm::sea_query::Expr;
    use aftersales_store::sea_orm::EntityTrait;
    sla_outcome_day::Entity::delete_many()
        .exec(&app.app.db)
        .await
        .unwrap();
    service_order::Entity::update_many()
        .col_expr(service_order::Column::SlaFrozen, Expr::value(false))
        .exec(&app.app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_finished_order_s_clocks_are_frozen_and_the_breach_report_counts_them_as_replayed() {
    let app = TestApp::spawn().await;
    certify_technician(&app).await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000071", "SN-FROZEN-1", "2026-06-01").await;
    let mut done = register(&app, order_body(customer, unit, address)).await;
    let open = register(&app, order_body(customer, unit, address)).await;
    let technician = app.user(Role::Technician);
    for (role, event, extra) in steps_to_site(technician) {
        done = step(&app, role, &done, event, extra).await.body;
        // Work in progress is computed when read, not frozen.
        assert!(!is_frozen(&app, done["id"].as_i64().unwrap()).await);
    }
    let completed = step(
        &app,
        Role::Technician,
        &done,
        "complete_on_site",
        json!({"note": "更换电容，试机正常", "signature_png": SIGNATURE}),
    )
    .await;
    completed.assert_status(StatusCode::OK);
    let done_id = completed.body["id"].as_i64().unwrap();
    let mut shown: Vec<(String, String)> = completed.body["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    shown.sort();
    assert!(shown.len() >= 3, "{shown:?}");
    assert!(shown.iter().all(|(_, status)| status == "met"), "{shown:?}");
    assert!(is_frozen(&app, done_id).await);
    assert!(!is_frozen(&app, open["id"].as_i64().unwrap()).await);
    // Counted on the call's local day (2026-11-22 in Beijing), once per clock.
    let counted = day_counts(&app).await;
    let expected: Vec<(i64, String, String, i64)> = shown
        .iter()
        .map(|(clock, status)| (20261122, clock.clone(), status.clone(), 1))
        .collect();
    assert_eq!(counted, expected);

    let report = || async {
        let response = app
            .get(
                "/reports/sla-breaches?from=2026-11-22&to=2026-11-22",
                Role::BranchManager,
            )
            .await;
        response.assert_status(StatusCode::OK);
        response.body
    };
    let with_frozen = report().await;
    let met: u64 = with_frozen
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["met"].as_u64().unwrap())
        .sum();
    let running: u64 = with_frozen
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["running"].as_u64().unwrap())
        .sum();
    assert_eq!(met, shown.len() as u64, "{with_frozen}");
    assert!(running >= 2, "the open order's clocks: {with_frozen}");

    // The day before and the day after count nothing of it.
    let other_days = app
        .get(
            "/reports/sla-breaches?from=2026-11-21&to=2026-11-21",
            Role::BranchManager,
        )
        .await;
    assert_eq!(other_days.body, json!([]));

    // Freezing it again (another instance, or the backfill, with the order read before the
    // mark) counts nothing twice.
    {
        use aftersales_store::entity::service_order;
        use aftersales_store::sea_orm::EntityTrait;
        let mut stale = service_order::Entity::find_by_id(done_id)
            .one(&app.app.db)
            .await
            .unwrap()
            .unwrap();
        stale.sla_frozen = false;
        let reference = app.app.reference.snapshot(&app.app.db).await.unwrap();
        let contexts = aftersales_app::sla_clocks::contexts_of(
            &app.app.db,
            &reference,
            std::slice::from_ref(&stale),
        )
        .await
        .unwrap();
        let clocks = aftersales_app::sla_clocks::order_clocks(
            &stale,
            &contexts[0],
            &reference.policies,
            app.app.clock.now(),
        );
        aftersales_app::sla_outcomes::freeze(&app.app.db, &[(&stale, &clocks)])
            .await
            .unwrap();
    }
    assert_eq!(day_counts(&app).await, expected);
    assert_eq!(report().await, with_frozen);

    // History from before the counts: the report replays it to the same figures, and the
    // backfill job freezes it again.
    unfreeze_all(&app).await;
    assert_eq!(report().await, with_frozen);
    aftersales_app::sla_outcomes::ensure_backfill(&app.app)
        .await
        .unwrap();
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    assert!(is_frozen(&app, done_id).await);
    assert_eq!(day_counts(&app).await, expected);
    assert_eq!(report().await, with_frozen);
    // It ran once: starting again does not schedule it again.
    aftersales_app::sla_outcomes::ensure_backfill(&app.app)
        .await
        .unwrap();
    unfreeze_all(&app).await;
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    assert!(!is_frozen(&app, done_id).await);
    assert!(day_counts(&app).await.is_empty());
}

/// Orders of one technician finished at the same moment add to the same day's count rows:
/// every completion succeeds (on PostgreSQL the rows are locked in one order, so two
/// completions wait for each other instead of deadlocking) and each clock is counted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn orders_finished_at_once_are_each_counted_once() {
    const ORDERS: usize = 12;
    let app = TestApp::spawn().await;
    certify_technician(&app).await;
    let technician = app.user(Role::Technician);
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000073", "SN-FROZEN-2", "2026-06-01").await;
    let mut on_site = Vec::new();
    for _ in 0..ORDERS {
        let mut order = register(&app, order_body(customer, unit, address)).await;
        for (role, event, extra) in steps_to_site(technician) {
            order = step(&app, role, &order, event, extra).await.body;
        }
        on_site.push(order);
    }
    let app = std::sync::Arc::new(app);
    let completions: Vec<_> = on_site
        .into_iter()
        .map(|order| {
            let app = app.clone();
            tokio::spawn(async move {
                step(
                    &app,
                    Role::Technician,
                    &order,
                    "complete_on_site",
                    json!({"note": "更换电容，试机正常", "signature_png": SIGNATURE}),
                )
                .await
            })
        })
        .collect();
    let mut clocks_per_order = None;
    for completion in completions {
        let completed = completion.await.expect("task");
        completed.assert_status(StatusCode::OK);
        let clocks = completed.body["clocks"].as_array().unwrap().len();
        assert_eq!(*clocks_per_order.get_or_insert(clocks), clocks);
    }
    let counted = day_counts(&app).await;
    assert_eq!(counted.len(), clocks_per_order.unwrap(), "{counted:?}");
    assert!(
        counted
            .iter()
            .all(|(day, _, status, outcomes)| *day == 20261122
                && status == "met"
                && *outcomes == ORDERS as i64),
        "{counted:?}"
    );
}

#[tokio::test]
async fn an_order_list_stops_counting_at_the_cap_and_says_so() {
    let app = TestApp::spawn().await;
    let (customer, unit, address) =
        customer_with_unit(&app, "13700000072", "SN-CAP-1", "2026-06-01").await;
    for _ in 0..3 {
        register(&app, order_body(customer, unit, address)).await;
    }
    let list = |path: &'static str| {
        let app = &app;
        async move {
            let response = app.get(path, Role::ServiceAgent).await;
            response.assert_status(StatusCode::OK);
            response.body
        }
    };
    let exact = list("/service-orders?per_page=2").await;
    assert_eq!(
        (exact["total"].as_u64(), exact["total_capped"].as_bool()),
        (Some(3), Some(false))
    );
    app.put_json(
        "/settings/lists.count_cap",
        Role::Admin,
        json!({"value": "2"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    let capped = list("/service-orders?per_page=2").await;
    assert_eq!(
        (capped["total"].as_u64(), capped["total_capped"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(capped["items"].as_array().unwrap().len(), 2);
    // The page past the count is still there.
    let second = list("/service-orders?per_page=2&page=2").await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
}
