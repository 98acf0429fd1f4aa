//! Home deliveries (DELIVERY-1..5): planning, the pre-call checklist, reschedule with an
//! apology, the unboxing inspection, a defective unit replaced until the customer signs.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, TestApp};

const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

async fn plan(app: &TestApp, customer_id: i64, serial: &str) -> Value {
    let unit = app.create_unit(customer_id, serial, "2026-11-21").await;
    let created = app
        .post_json(
            "/deliveries",
            Role::ServiceAgent,
            json!({"unit_id": unit["id"], "place": "客厅靠窗", "window_start": "2026-11-23T01:00:00Z",
                   "window_end": "2026-11-23T03:00:00Z", "driver_id": app.user(Role::Technician)}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["status"], "planned");
    created.body.clone()
}

async fn step(app: &TestApp, delivery: &Value, event: &str, role: Role, body: Value) -> Value {
    let mut body = body;
    body["version"] = delivery["version"].clone();
    let stepped = app
        .post_json(
            &format!("/deliveries/{}/{event}", delivery["id"]),
            role,
            body,
        )
        .await;
    stepped.assert_status(StatusCode::OK);
    stepped.body.clone()
}

fn full_pre_call() -> Value {
    json!({"address_confirmed": true, "name_confirmed": true, "time_confirmed": true, "model_confirmed": true})
}

fn conduct() -> Value {
    json!({"greeting": true, "shoe_covers": true, "placed_as_asked": true, "no_dragging": true, "signature_png": SIGNATURE})
}

#[tokio::test]
async fn a_defective_unit_is_replaced_until_the_customer_signs() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(customer_body(
            "送货客户",
            "13700000001",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let delivery = plan(&app, customer["id"].as_i64().unwrap(), "DL-1").await;
    assert!(delivery["number"].as_str().unwrap().starts_with("PS"));

    // The driver cannot leave before the pre-call; an incomplete checklist names what is open.
    app.post_json(
        &format!("/deliveries/{}/depart", delivery["id"]),
        Role::Technician,
        json!({"version": 1}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    let incomplete = app
        .post_json(
            &format!("/deliveries/{}/pre_call", delivery["id"]),
            Role::Technician,
            json!({"version": 1, "address_confirmed": true, "name_confirmed": true}),
        )
        .await;
    incomplete.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        incomplete.error_fields(),
        ["time_confirmed", "model_confirmed"]
    );
    let delivery = step(
        &app,
        &delivery,
        "pre_call",
        Role::Technician,
        full_pre_call(),
    )
    .await;
    assert_eq!(delivery["status"], "confirmed");
    let delivery = step(&app, &delivery, "depart", Role::Technician, json!({})).await;
    let delivery = step(&app, &delivery, "arrive", Role::Technician, json!({})).await;
    assert_eq!(delivery["status"], "unboxing");

    // Unboxing finds a defect: taken back, a replacement planned, QA told.
    let missing_window = app
        .post_json(
            &format!("/deliveries/{}/defective", delivery["id"]),
            Role::Technician,
            json!({"version": delivery["version"], "defect_note": "外壳凹陷"}),
        )
        .await;
    missing_window.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        missing_window.error_fields(),
        ["window_start", "window_end"]
    );
    let taken_back = step(
        &app,
        &delivery,
        "defective",
        Role::Technician,
        json!({"defect_note": "外壳凹陷", "window_start": "2026-11-24T01:00:00Z", "window_end": "2026-11-24T03:00:00Z"}),
    )
    .await;
    assert_eq!(taken_back["status"], "taken_back");
    let replacement_id = taken_back["replacement_id"]
        .as_i64()
        .expect("replacement planned");
    let qa = app.get("/notifications", Role::Qa).await;
    assert!(qa.body["items"].to_string().contains("外壳凹陷"));

    let replacement = app
        .get(&format!("/deliveries/{replacement_id}"), Role::Technician)
        .await;
    replacement.assert_status(StatusCode::OK);
    let replacement = replacement.body.clone();
    assert_eq!(replacement["status"], "planned");
    assert_eq!(replacement["replaces_id"], taken_back["id"]);
    assert_eq!(replacement["window_start"], "2026-11-24T01:00:00Z");
    assert_eq!(replacement["driver_id"], app.user(Role::Technician));

    // The loop: the replacement is delivered and accepted with the customer's signature.
    let replacement = step(
        &app,
        &replacement,
        "pre_call",
        Role::Technician,
        full_pre_call(),
    )
    .await;
    let replacement = step(&app, &replacement, "depart", Role::Technician, json!({})).await;
    let replacement = step(&app, &replacement, "arrive", Role::Technician, json!({})).await;
    let unsigned = app
        .post_json(
            &format!("/deliveries/{replacement_id}/sign_off"),
            Role::Technician,
            json!({"version": replacement["version"], "greeting": true, "placed_as_asked": true, "no_dragging": true}),
        )
        .await;
    unsigned.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unsigned.error_fields(), ["shoe_covers", "signature_png"]);
    let signed = step(&app, &replacement, "sign_off", Role::Technician, conduct()).await;
    assert_eq!(signed["status"], "signed_off");
    let signature = signed["signature_attachment_id"]
        .as_i64()
        .expect("signature filed");
    let file = app
        .get(
            &format!("/attachments/{signature}/download"),
            Role::ServiceAgent,
        )
        .await;
    file.assert_status(StatusCode::OK);
    assert!(file.bytes.starts_with(b"\x89PNG"));
    let events: Vec<&str> = signed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["plan", "pre_call", "depart", "arrive", "sign_off"]);
}

#[tokio::test]
async fn a_reschedule_apologises_to_the_customer_and_lateness_is_flagged() {
    let app = TestApp::spawn().await;
    let delivery = plan(&app, app.seed.portal_customer, "DL-2").await;
    // Before the window: an apology with the new time, no lateness.
    let moved = step(
        &app,
        &delivery,
        "reschedule",
        Role::Technician,
        json!({"reason": "车辆故障", "window_start": "2026-11-23T06:00:00Z", "window_end": "2026-11-23T08:00:00Z"}),
    )
    .await;
    assert_eq!(moved["status"], "planned");
    assert_eq!(moved["reschedules"], 1);
    assert_eq!(moved["late_notices"], 0);
    let inbox = app.get("/notifications", Role::Customer).await;
    let text = inbox.body["items"].to_string();
    assert!(
        text.contains("车辆故障") && text.contains("2026-11-23 14:00"),
        "{text}"
    );

    // Inside the window: a late notice, the supervisors are told.
    app.clock.advance(jiff::SignedDuration::from_hours(29));
    let late = step(
        &app,
        &moved,
        "reschedule",
        Role::Technician,
        json!({"reason": "堵车", "window_start": "2026-11-23T09:00:00Z", "window_end": "2026-11-23T10:00:00Z"}),
    )
    .await;
    assert_eq!(late["late_notices"], 1);
    let supervisor = app.get("/notifications", Role::ServiceSupervisor).await;
    assert!(supervisor.body["items"].to_string().contains("堵车"));

    // A reschedule needs a reason and a window that ends after it starts.
    let bad = app
        .post_json(
            &format!("/deliveries/{}/reschedule", delivery["id"]),
            Role::Technician,
            json!({"version": late["version"], "reason": "", "window_start": "2026-11-24T09:00:00Z", "window_end": "2026-11-24T08:00:00Z"}),
        )
        .await;
    bad.assert_invalid("reason");
    let bad = app
        .post_json(
            &format!("/deliveries/{}/reschedule", delivery["id"]),
            Role::Technician,
            json!({"version": late["version"], "reason": "x", "window_start": "2026-11-24T09:00:00Z", "window_end": "2026-11-24T08:00:00Z"}),
        )
        .await;
    bad.assert_invalid("window_end");
}

#[tokio::test]
async fn only_the_assigned_driver_or_the_office_works_a_delivery() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(customer_body(
            "送货客户三",
            "13700000003",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let delivery = plan(&app, customer["id"].as_i64().unwrap(), "DL-3").await;
    // An unreachable customer is logged with a note; then the delivery may go out.
    app.post_json(
        &format!("/deliveries/{}/pre_call", delivery["id"]),
        Role::Technician,
        json!({"version": 1, "unreachable": true}),
    )
    .await
    .assert_invalid("note");
    let delivery = step(
        &app,
        &delivery,
        "pre_call",
        Role::Technician,
        json!({"unreachable": true, "note": "三次未接"}),
    )
    .await;
    assert_eq!(delivery["pre_call_unreachable"], true);
    // Accountants cannot plan; the portal customer cannot see deliveries.
    app.post_json("/deliveries", Role::Accountant, json!({"unit_id": delivery["unit_id"], "place": "x", "window_start": "2026-11-23T01:00:00Z", "window_end": "2026-11-23T03:00:00Z"}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.get("/deliveries", Role::Customer)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // The driver's list shows it; a driver of another branch or unknown driver is refused.
    let mine = app.get("/deliveries?mine=true", Role::Technician).await;
    assert_eq!(mine.body["total"], 1);
    app.post_json(
        "/deliveries",
        Role::ServiceAgent,
        json!({"unit_id": delivery["unit_id"], "place": "x", "window_start": "2026-11-23T01:00:00Z", "window_end": "2026-11-23T03:00:00Z", "driver_id": app.user(Role::Accountant)}),
    )
    .await
    .assert_invalid("driver_id");
    // The office may cancel a confirmed delivery, with a note.
    let cancelled = step(
        &app,
        &delivery,
        "cancel",
        Role::ServiceAgent,
        json!({"note": "客户退单"}),
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
}
