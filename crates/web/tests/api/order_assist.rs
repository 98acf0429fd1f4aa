//! The help an order gets besides its technician: tasks for experts, specialists and
//! departments (DISPATCH-7, REPAIR-7/8, SOFTWARE-4), lateness notices and absenteeism
//! (DISPATCH-5), the customer's own arrival time (DISPATCH-4), requirement decisions
//! (SOFTWARE-3), the carry list (DISPATCH-6) and the conduct complaint (REPAIR-6).

use aftersales_app::Actor;
use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, TestApp, SIGNATURE};

/// A BJ customer with a unit, an order registered for it and dispatched to the technician.
async fn dispatched_order(app: &TestApp, phone: &str, extra: Value) -> Value {
    let customer = app
        .create_customer(customer_body("孙七", phone, app.seed.bj, app.seed.bj_urban))
        .await;
    let customer_id = customer["id"].as_i64().unwrap();
    let card = app
        .get(&format!("/customers/{customer_id}/card"), Role::Admin)
        .await;
    let address_id = card.body["addresses"][0]["id"].as_i64().unwrap();
    let unit = app
        .create_unit(customer_id, &format!("SN-{phone}"), "2026-06-01")
        .await;
    let mut body = json!({
        "channel": "phone",
        "customer_id": customer_id,
        "unit_id": unit["id"],
        "address_id": address_id,
        "fault_description": "空调不制冷",
        "fault_class": "hardware",
        "urgency": "normal",
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let order = app
        .post_json("/service-orders", Role::ServiceAgent, body)
        .await;
    order.assert_status(StatusCode::CREATED);
    let technician = app.user(Role::Technician);
    app.post_json(
        &format!("/staff/{technician}/qualifications"),
        Role::Admin,
        json!({"kind": "certificate", "product_category": "空调", "title": "空调维修上岗证", "issued_on": "2025-01-01", "expires_on": "2027-12-31"}),
    )
    .await;
    let dispatched = app
        .post_json(
            &format!("/service-orders/{}/dispatch", order.id()),
            Role::ServiceSupervisor,
            json!({"version": order.body["version"], "technician_id": technician}),
        )
        .await;
    dispatched.assert_status(StatusCode::OK);
    dispatched.body
}

fn path(order: &Value, rest: &str) -> String {
    format!("/service-orders/{}/{rest}", order["id"])
}

fn events(order: &Value) -> Vec<String> {
    order["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect()
}

/// A user of a new department of `kind`, with `role`, as an actor.
async fn department_member(app: &TestApp, code: &str, kind: &str, role: &str) -> Actor {
    let unit = app
        .post_json(
            "/org-units",
            Role::Admin,
            json!({"code": code, "name": format!("{code} 部"), "kind": "department", "department_kind": kind, "parent_id": app.seed.hq}),
        )
        .await;
    unit.assert_status(StatusCode::CREATED);
    let member = app
        .post_json(
            "/staff",
            Role::Admin,
            json!({"username": format!("{code}_staff").to_lowercase(), "display_name": "部门职员", "password": "long-enough-pw",
                   "org_unit_id": unit.id(), "roles": [role], "skills": []}),
        )
        .await;
    member.assert_status(StatusCode::CREATED);
    Actor::load(&app.app.db, member.id())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_support_request_gets_an_expert_named_by_the_supervisor_who_answers_on_the_voucher() {
    let app = TestApp::spawn().await;
    let order = dispatched_order(&app, "13900000101", json!({})).await;
    // Another technician's order is not this technician's to ask about.
    let opened = app
        .post_json(
            &path(&order, "tasks"),
            Role::Technician,
            json!({"kind": "support", "description": "压缩机异响，原因不明"}),
        )
        .await;
    opened.assert_status(StatusCode::CREATED);
    assert_eq!(opened.body["status"], "open");
    assert_eq!(opened.body["assignee_id"], Value::Null);
    let task = opened.id();
    // The supervisor sees the request waiting; the expert is the branch's supervisor here.
    let waiting = app.get("/order-tasks", Role::ServiceSupervisor).await;
    waiting.assert_status(StatusCode::OK);
    assert_eq!(waiting.body.as_array().unwrap().len(), 1);
    app.post_json(
        &format!("/order-tasks/{task}/assign"),
        Role::ServiceSupervisor,
        json!({"version": 1, "assignee_id": app.user(Role::Customer)}),
    )
    .await
    .assert_invalid("assignee_id");
    let expert = app.user(Role::BranchManager);
    let assigned = app
        .post_json(
            &format!("/order-tasks/{task}/assign"),
            Role::ServiceSupervisor,
            json!({"version": 1, "assignee_id": expert}),
        )
        .await;
    assigned.assert_status(StatusCode::OK);
    // Only the expert (or a supervisor) closes it; the outcome is required.
    app.post_json(
        &format!("/order-tasks/{task}/close"),
        Role::Technician,
        json!({"version": 2, "outcome": "我猜是电容"}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post_json(
        &format!("/order-tasks/{task}/close"),
        Role::BranchManager,
        json!({"version": 2, "outcome": " "}),
    )
    .await
    .assert_invalid("outcome");
    let closed = app
        .post_json(
            &format!("/order-tasks/{task}/close"),
            Role::BranchManager,
            json!({"version": 2, "outcome": "更换压缩机减震垫"}),
        )
        .await;
    closed.assert_status(StatusCode::OK);
    assert_eq!(closed.body["status"], "done");
    app.post_json(
        &format!("/order-tasks/{task}/close"),
        Role::BranchManager,
        json!({"version": 3, "outcome": "again"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "task_closed", Some("status"));
    let detail = app
        .get(
            &format!("/service-orders/{}", order["id"]),
            Role::Technician,
        )
        .await;
    let timeline = events(&detail.body);
    for event in ["open_task", "assign_task", "close_task"] {
        assert!(timeline.contains(&event.to_string()), "{timeline:?}");
    }
    let tasks = app.get(&path(&order, "tasks"), Role::Technician).await;
    assert_eq!(tasks.body[0]["outcome"], "更换压缩机减震垫");
    // A transport task names no person.
    let transport = app
        .post_json(
            &path(&order, "tasks"),
            Role::ServiceSupervisor,
            json!({"kind": "transport", "description": "整机运回维修站"}),
        )
        .await;
    transport.assert_invalid("kind"); // no transport department yet
}

#[tokio::test]
async fn department_tasks_go_to_the_department_and_transport_records_its_cost() {
    let app = TestApp::spawn().await;
    let order = dispatched_order(&app, "13900000102", json!({})).await;
    app.post_json(
        &path(&order, "tasks"),
        Role::Technician,
        json!({"kind": "supplier_coordination", "description": "外购电机批量故障"}),
    )
    .await
    .assert_invalid("kind");
    let purchasing = department_member(&app, "PUR", "purchasing", "department_staff").await;
    let transport = department_member(&app, "TRANS", "transport", "department_staff").await;
    let supplier = app
        .post_json(
            &path(&order, "tasks"),
            Role::Technician,
            json!({"kind": "supplier_coordination", "description": "外购电机批量故障"}),
        )
        .await;
    supplier.assert_status(StatusCode::CREATED);
    let moving = app
        .post_json(
            &path(&order, "tasks"),
            Role::Technician,
            json!({"kind": "transport", "description": "整机运回维修站"}),
        )
        .await;
    moving.assert_status(StatusCode::CREATED);
    // Each department sees its own task waiting, and only its own.
    let waiting = aftersales_app::order_tasks::waiting_for(&app.app, &purchasing)
        .await
        .unwrap();
    assert_eq!(
        waiting.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>(),
        ["supplier_coordination"]
    );
    let close = |version, outcome: &str, cost_fen| aftersales_app::order_tasks::CloseInput {
        version,
        outcome: outcome.into(),
        cost_fen,
    };
    let refused = aftersales_app::order_tasks::close(
        &app.app,
        &transport,
        supplier.id(),
        &close(1, "x", None),
    )
    .await;
    assert!(matches!(refused, Err(aftersales_app::AppError::Forbidden)));
    let no_cost = aftersales_app::order_tasks::close(
        &app.app,
        &transport,
        moving.id(),
        &close(1, "已运回", None),
    )
    .await;
    assert!(no_cost.is_err());
    let moved = aftersales_app::order_tasks::close(
        &app.app,
        &transport,
        moving.id(),
        &close(1, "已运回", Some(12_000)),
    )
    .await
    .unwrap();
    assert_eq!(moved.cost_fen, Some(12_000));
    let coordinated = aftersales_app::order_tasks::close(
        &app.app,
        &purchasing,
        supplier.id(),
        &close(1, "供应商同意更换整批电机", None),
    )
    .await
    .unwrap();
    assert_eq!(coordinated.status, "done");
    let detail = app
        .get(
            &format!("/service-orders/{}", order["id"]),
            Role::Technician,
        )
        .await;
    let notes: Vec<&str> = detail.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "close_task")
        .filter_map(|e| e["note"].as_str())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("供应商同意更换整批电机")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn a_test_environment_task_is_due_by_the_end_of_the_next_working_day_and_urgent_issues_page_out_of_hours(
) {
    let app = TestApp::spawn().await;
    // Sunday 10:00 in Shanghai: out of hours.
    let customer = app
        .create_customer(customer_body(
            "软件客户",
            "13900000103",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let order = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "phone", "customer_id": customer["id"], "product_id": app.seed.product,
                   "fault_description": "月结报表数据错误", "fault_class": "software", "urgency": "normal",
                   "software_class": "bug", "software_priority": "p1"}),
        )
        .await;
    order.assert_status(StatusCode::CREATED);
    let detail = app
        .get(
            &format!("/service-orders/{}", order.id()),
            Role::ServiceAgent,
        )
        .await;
    assert!(events(&detail.body).contains(&"page_responsible".to_string()));
    let lead = app.user(Role::DevelopmentLead);
    let inbox = app.get("/notifications", Role::DevelopmentLead).await;
    assert!(
        inbox.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "software_urgent_page"),
        "lead {lead}: {}",
        inbox.body
    );
    let task = app
        .post_json(
            &format!("/service-orders/{}/tasks", order.id()),
            Role::ServiceSupervisor,
            json!({"kind": "test_environment", "description": "在测试库重现"}),
        )
        .await;
    task.assert_status(StatusCode::CREATED);
    // Monday 2026-11-23 18:00 in Shanghai.
    assert_eq!(task.body["due_at"], "2026-11-23T10:00:00Z");
    let waiting = app.get("/order-tasks", Role::DevelopmentLead).await;
    assert_eq!(waiting.body[0]["kind"], "test_environment");
    app.post_json(
        &format!("/order-tasks/{}/close", task.id()),
        Role::DevelopmentLead,
        json!({"version": 1, "outcome": "已重现，3.2.1 修复"}),
    )
    .await
    .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn a_missed_arrival_without_notice_is_absenteeism_and_with_notice_it_is_not() {
    let app = TestApp::spawn().await;
    // Registered Sunday 10:00: the 6 working hours run Monday 09:00–16:00.
    let warned = dispatched_order(&app, "13900000104", json!({})).await;
    let silent = dispatched_order(&app, "13900000105", json!({})).await;
    app.post_json(
        &path(&warned, "lateness-notice"),
        Role::Technician,
        json!({"reason": ""}),
    )
    .await
    .assert_invalid("reason");
    app.clock.set("2026-11-23T07:00:00Z".parse().unwrap());
    let noticed = app
        .post_json(
            &path(&warned, "lateness-notice"),
            Role::Technician,
            json!({"reason": "上一单超时", "expected_at": "2026-11-23T09:00:00Z"}),
        )
        .await;
    noticed.assert_status(StatusCode::OK);
    assert!(events(&noticed.body).contains(&"lateness_notice".to_string()));
    // The supervisor heard of it at once.
    let inbox = app.get("/notifications", Role::ServiceSupervisor).await;
    assert!(inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "order_lateness"));
    // Past the deadline the watch records both breaches; only the silent one is absenteeism.
    app.clock.set("2026-11-23T09:00:00Z".parse().unwrap());
    aftersales_app::sla_watch::sweep(&app.app, &app.app.db, app.app.now_ms())
        .await
        .unwrap();
    aftersales_app::sla_watch::sweep(&app.app, &app.app.db, app.app.now_ms())
        .await
        .unwrap();
    let incidents = app
        .get("/discipline-incidents", Role::CustomerDepartment)
        .await;
    incidents.assert_status(StatusCode::OK);
    let items = incidents.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["kind"], "absenteeism");
    assert_eq!(items[0]["service_order_id"], silent["id"]);
    // Once on site, no more notices.
    let arrived = app
        .post_json(
            &path(&warned, "record_contact"),
            Role::Technician,
            json!({"version": noticed.body["version"]}),
        )
        .await;
    let on_site = app
        .post_json(
            &path(&warned, "check_in"),
            Role::Technician,
            json!({"version": arrived.body["version"]}),
        )
        .await;
    on_site.assert_status(StatusCode::OK);
    app.post_json(
        &path(&warned, "lateness-notice"),
        Role::Technician,
        json!({"reason": "堵车"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_arrived", Some("status"));
}

fn arrival(order: &Value) -> &Value {
    order["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "arrival")
        .unwrap()
}

#[tokio::test]
async fn the_customers_arrival_time_is_the_deadline_and_a_later_one_is_customer_requested() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(customer_body(
            "周八",
            "13900000106",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let body = |at: &str| {
        json!({"channel": "phone", "customer_id": customer["id"], "product_id": app.seed.product,
               "fault_description": "不制热", "fault_class": "hardware", "urgency": "normal",
               "requested_arrival_at": at})
    };
    app.post_json(
        "/service-orders",
        Role::ServiceAgent,
        body("2026-11-21T02:00:00Z"),
    )
    .await
    .assert_invalid("requested_arrival_at");
    // The customer is away until Wednesday 10:00; the SLA would end Monday 16:00.
    let order = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            body("2026-11-25T02:00:00Z"),
        )
        .await;
    order.assert_status(StatusCode::CREATED);
    app.clock.set("2026-11-24T02:00:00Z".parse().unwrap());
    let tuesday = app
        .get(
            &format!("/service-orders/{}", order.id()),
            Role::ServiceAgent,
        )
        .await;
    let clock = arrival(&tuesday.body);
    assert_eq!(clock["deadline"], "2026-11-25T02:00:00Z");
    assert_eq!(clock["status"], "running");
    assert_eq!(clock["customer_requested"], true);
    app.clock.set("2026-11-25T03:00:00Z".parse().unwrap());
    let late = app
        .get(
            &format!("/service-orders/{}", order.id()),
            Role::ServiceAgent,
        )
        .await;
    assert_eq!(arrival(&late.body)["status"], "breached");
}

#[tokio::test]
async fn the_development_lead_decides_a_requirement_and_the_customer_is_told() {
    let app = TestApp::spawn().await;
    let order = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "portal", "customer_id": app.seed.portal_customer, "product_id": app.seed.product,
                   "fault_description": "希望增加按区域的月报", "fault_class": "software", "urgency": "normal",
                   "software_class": "requirement", "software_priority": "p3"}),
        )
        .await;
    order.assert_status(StatusCode::CREATED);
    let path = format!("/service-orders/{}/requirement-decision", order.id());
    let decision = json!({"general_use": true, "improves_functions": true, "fits_positioning": true,
        "effort_hours": 16, "support_hours": 4, "customer_wanted_on": "2026-12-31", "customer_accepts_charge": true,
        "accepted": true, "charge_fen": 200_000, "planned_on": "2026-12-20", "approach": "在报表中心增加区域维度"});
    app.post_json(&path, Role::Technician, decision.clone())
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let mut without_date = decision.clone();
    without_date["planned_on"] = Value::Null;
    app.post_json(&path, Role::DevelopmentLead, without_date)
        .await
        .assert_invalid("planned_on");
    let decided = app
        .post_json(&path, Role::DevelopmentLead, decision.clone())
        .await;
    decided.assert_status(StatusCode::CREATED);
    assert_eq!(decided.body["charge_fen"], 200_000);
    app.post_json(&path, Role::DevelopmentLead, decision)
        .await
        .assert_error(
            StatusCode::CONFLICT,
            "requirement_decided",
            Some("order_id"),
        );
    // The portal customer reads the decision and was told.
    let seen = app.get(&path, Role::Customer).await;
    seen.assert_status(StatusCode::OK);
    assert_eq!(seen.body["planned_on"], "2026-12-20");
    let inbox = app.get("/notifications", Role::Customer).await;
    assert!(inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "requirement_decision"));
    // A hardware call is no requirement.
    let other = dispatched_order(&app, "13900000107", json!({})).await;
    app.post_json(
        &format!("/service-orders/{}/requirement-decision", other["id"]),
        Role::DevelopmentLead,
        json!({"general_use": true, "improves_functions": true, "fits_positioning": true,
               "effort_hours": 1, "support_hours": 0, "customer_accepts_charge": false,
               "accepted": false, "charge_fen": 0, "approach": "—"}),
    )
    .await
    .assert_invalid("order_id");
}

#[tokio::test]
async fn the_carry_list_names_fitting_parts_and_what_the_van_lacks() {
    let app = TestApp::spawn().await;
    let order = dispatched_order(&app, "13900000108", json!({})).await;
    let part = app
        .post_json(
            "/parts",
            Role::WarehouseKeeper,
            json!({"part_number": "YS-200", "name": "四通阀", "unit": "个", "cost_fen": 5_000,
                   "sale_price_fen": 9_000, "supplier": "华能电子", "product_ids": [app.seed.product]}),
        )
        .await;
    part.assert_status(StatusCode::CREATED);
    let list = app.get(&path(&order, "carry-list"), Role::Technician).await;
    list.assert_status(StatusCode::OK);
    assert_eq!(list.body["parts"][0]["part_number"], "YS-200");
    assert_eq!(list.body["parts"][0]["in_van"], 0);
    assert_eq!(list.body["parts"][0]["requisition"], true);
    assert_eq!(list.body["tools"], json!([]));
}

#[tokio::test]
async fn a_conduct_rule_the_customer_does_not_confirm_becomes_a_complaint_against_the_order() {
    let app = TestApp::spawn().await;
    let order = dispatched_order(&app, "13900000109", json!({})).await;
    let mut current = order;
    for (event, extra) in [
        ("record_contact", json!({})),
        ("check_in", json!({})),
        (
            "complete_on_site",
            json!({"note": "更换电容", "signature_png": SIGNATURE, "conduct_exceptions": ["waste_removed"]}),
        ),
    ] {
        let mut body = json!({"version": current["version"]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let response = app
            .post_json(&path(&current, event), Role::Technician, body)
            .await;
        response.assert_status(StatusCode::OK);
        current = response.body;
    }
    let complaints = app.get("/complaints", Role::CustomerDepartment).await;
    complaints.assert_status(StatusCode::OK);
    let list = complaints.body["items"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let complaint = app
        .get(
            &format!("/complaints/{}", list[0]["id"]),
            Role::CustomerDepartment,
        )
        .await;
    assert_eq!(complaint.body["order_id"], current["id"]);
    assert_eq!(complaint.body["staff_id"], app.user(Role::Technician));
}
