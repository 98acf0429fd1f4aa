//! Supervision, scorecards and suggestions: an answered survey shows on the technician's
//! monthly scorecard (with the complaint its remark became), the departments' scorecard counts
//! complaints by type; staff evaluations; the visit-coverage sweep (T24) with a ManualClock;
//! the hotline re-check sample; mystery-shopper reports that do not exist for a service
//! supervisor; suggestions answered and rewarded.

use aftersales_app::{supervision, surveys, timers};
use aftersales_domain::role::Role;
use aftersales_store::entity::{audit_record, notification, visit_task};
use aftersales_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, TestApp};

/// Runs due timers until none is left (catching up day by day).
async fn run_all_due(app: &TestApp) {
    while timers::run_due(&app.app, 100).await.unwrap() > 0 {}
}

/// A BJ call dispatched to the seeded technician; answers the order.
async fn dispatched_call(app: &TestApp, name: &str, phone: &str) -> Value {
    let customer = app
        .create_customer(customer_body(name, phone, app.seed.bj, app.seed.bj_urban))
        .await;
    let order = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "phone", "customer_id": customer["id"], "product_id": app.seed.product,
                   "fault_description": "空调不制冷", "fault_class": "hardware", "urgency": "normal"}),
        )
        .await;
    order.assert_status(StatusCode::CREATED);
    let technician = app.user(Role::Technician);
    app.post_json(
        &format!("/staff/{technician}/qualifications"),
        Role::Admin,
        json!({"kind": "certificate", "product_category": "空调", "title": "空调维修上岗证", "issued_on": "2025-01-01"}),
    )
    .await;
    app.post_json(
        &format!("/service-orders/{}/dispatch", order.body["id"]),
        Role::ServiceSupervisor,
        json!({"version": order.body["version"], "technician_id": technician}),
    )
    .await
    .assert_status(StatusCode::OK);
    order.body
}

fn technician_row(card: &Value, technician: i64) -> Value {
    card["technicians"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["technician_id"] == technician)
        .cloned()
        .unwrap_or_else(|| panic!("no row for technician {technician}: {card}"))
}

#[tokio::test]
async fn an_answered_survey_and_a_complaint_show_on_the_technicians_scorecard() {
    let app = TestApp::spawn().await;
    let technician = app.user(Role::Technician);
    let order = dispatched_call(&app, "评分客户", "13800000021").await;

    // Before any answer the technician is listed with one order and no rating.
    let before = app
        .get(
            "/performance/technicians?month=2026-11",
            Role::ServiceSupervisor,
        )
        .await;
    before.assert_status(StatusCode::OK);
    let row = technician_row(&before.body, technician);
    assert_eq!(row["orders"], 1);
    assert_eq!(row["average_rating"], Value::Null);

    // The next morning's card, answered by phone.
    surveys::ensure_survey_days(&app.app.db, app.app.now_ms())
        .await
        .unwrap();
    app.clock.advance(jiff::SignedDuration::from_hours(24));
    run_all_due(&app).await;
    let cards = app
        .get(
            "/survey-cards?survey_date=2026-11-22",
            Role::CustomerDepartment,
        )
        .await;
    let card = cards.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["service_order_id"] == order["id"])
        .cloned()
        .expect("card");
    app.post_json(
        &format!("/survey-cards/{}/answer", card["id"]),
        Role::CustomerDepartment,
        json!({"attitude": 4, "technique": 3, "arrival": 2, "promise": 3, "answered_via": "phone",
               "remark": "师傅态度生硬", "remark_kind": "complaint"}),
    )
    .await
    .assert_status(StatusCode::OK);
    // The serious remark goes straight into the complaint process (SURVEY-3): a complaint
    // against the technician's attitude, linked to the card, which stops waiting for a call.
    let complaint = app
        .post_json(
            "/complaints",
            Role::CustomerDepartment,
            json!({"channel": "phone", "complaint_type": "staff_attitude", "subject_kind": "staff",
                   "staff_id": technician, "customer_name": "评分客户", "content": "态度生硬",
                   "org_unit_id": app.seed.bj, "survey_card_id": card["id"]}),
        )
        .await;
    complaint.assert_status(StatusCode::CREATED);
    let linked = app
        .get(
            &format!("/survey-cards/{}", card["id"]),
            Role::CustomerDepartment,
        )
        .await;
    assert_eq!(linked.body["complaint_id"], complaint.id());
    assert_eq!(linked.body["needs_follow_up"], false);

    let after = app
        .get(
            "/performance/technicians?month=2026-11",
            Role::ServiceSupervisor,
        )
        .await;
    after.assert_status(StatusCode::OK);
    let row = technician_row(&after.body, technician);
    assert_eq!(row["cards_sent"], 1);
    assert_eq!(row["cards_answered"], 1);
    assert_eq!(row["response_rate"], 100.0);
    assert_eq!(row["aspects"][0]["aspect"], "attitude");
    assert_eq!(row["aspects"][0]["average"], 4.0);
    assert_eq!(row["aspects"][2]["average"], 2.0);
    assert_eq!(row["average_rating"], 3.0);
    assert_eq!(row["complaints"], 1);
    assert_eq!(row["repeat_repairs"], 0);

    // The departments' scorecard counts the complaint by its type.
    let departments = app
        .get(
            "/performance/departments?month=2026-11",
            Role::CustomerDepartment,
        )
        .await;
    departments.assert_status(StatusCode::OK);
    assert_eq!(departments.body["complaints"], 1);
    let attitude = departments.body["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "staff_attitude")
        .cloned()
        .unwrap();
    assert_eq!(attitude["count"], 1);

    // Exports are .xlsx files (a zip container).
    for path in [
        "/performance/technicians/export?month=2026-11",
        "/performance/departments/export?month=2026-11",
    ] {
        let file = app.get(path, Role::CustomerDepartment).await;
        file.assert_status(StatusCode::OK);
        assert!(file.bytes.starts_with(b"PK"), "{path}");
    }

    // A branch supervisor sees only the own branch; another branch is not found; a bad
    // month is named; a technician has no scorecard access.
    app.get(
        &format!("/performance/technicians?org_unit_id={}", app.seed.tj),
        Role::ServiceSupervisor,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    app.get(
        "/performance/technicians?month=2026-13",
        Role::ServiceSupervisor,
    )
    .await
    .assert_invalid("month");
    app.get("/performance/technicians", Role::Technician)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn staff_evaluations_are_recorded_once_per_period_by_the_supervision_side() {
    let app = TestApp::spawn().await;
    let technician = app.user(Role::Technician);
    let body = json!({"staff_id": technician, "period": "2026-11", "attitude": 5,
                      "knowledge": 4, "communication": 3, "remarks": "沟通需加强"});
    let created = app
        .post_json("/staff-evaluations", Role::CustomerDepartment, body.clone())
        .await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["knowledge"], 4);
    app.post_json("/staff-evaluations", Role::ComplaintHotline, body.clone())
        .await
        .assert_error(StatusCode::CONFLICT, "already_evaluated", None);
    let mut bad = body.clone();
    bad["period"] = json!("2026-11-01");
    bad["attitude"] = json!(6);
    let refused = app
        .post_json("/staff-evaluations", Role::CustomerDepartment, bad)
        .await;
    refused.assert_invalid("period");
    assert!(refused.error_fields().contains(&"attitude".to_string()));
    app.post_json("/staff-evaluations", Role::ServiceSupervisor, body)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let list = app.get("/staff-evaluations", Role::ComplaintHotline).await;
    list.assert_status(StatusCode::OK);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["total"], 1);

    // A compliance review states whether the process was followed.
    app.post_json(
        "/supervision-activities",
        Role::ComplaintHotline,
        json!({"kind": "compliance_review", "org_unit_id": app.seed.bj, "held_on": "2026-11-20",
               "title": "派工流程检查"}),
    )
    .await
    .assert_invalid("compliant");
    app.post_json(
        "/supervision-activities",
        Role::ComplaintHotline,
        json!({"kind": "compliance_review", "org_unit_id": app.seed.bj, "held_on": "2026-11-20",
               "title": "派工流程检查", "compliant": false, "minutes": "未按时派工两单"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    app.post_json(
        "/supervision-activities",
        Role::ComplaintHotline,
        json!({"kind": "compliance_review", "org_unit_id": app.seed.bj, "held_on": "2026-11-21",
               "title": "回访流程检查", "compliant": true}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    // Latest first, a page at a time.
    let activities = app
        .get("/supervision-activities?per_page=1", Role::ComplaintHotline)
        .await;
    activities.assert_status(StatusCode::OK);
    assert_eq!(activities.body["total"], 2);
    assert_eq!(activities.body["items"][0]["title"], "回访流程检查");
    let second = app
        .get(
            "/supervision-activities?per_page=1&page=2",
            Role::ComplaintHotline,
        )
        .await;
    assert_eq!(second.body["items"][0]["title"], "派工流程检查");
}

#[tokio::test]
async fn a_key_account_not_visited_within_the_interval_gets_one_visit_task_until_visited() {
    let app = TestApp::spawn().await;
    let mut body = customer_body("重点客户", "13800000031", app.seed.bj, app.seed.bj_urban);
    body["key_account"] = json!(true);
    let customer = app.create_customer(body).await;
    let customer_id = customer["id"].as_i64().unwrap();
    let owner = app.user(Role::CustomerDepartment);
    app.post_json(
        "/visit-plans",
        Role::CustomerDepartment,
        json!({"customer_id": customer_id, "owner_id": owner, "note": "每季度拜访"}),
    )
    .await
    .assert_status(StatusCode::OK);
    // A customer that is no key account has no plan.
    let plain = app
        .create_customer(customer_body(
            "普通客户",
            "13800000032",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    app.post_json(
        "/visit-plans",
        Role::CustomerDepartment,
        json!({"customer_id": plain["id"], "owner_id": owner}),
    )
    .await
    .assert_invalid("customer_id");
    app.put_json(
        "/settings/visit.max_interval_months",
        Role::Admin,
        json!({"value": "1"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);

    // One sweep per day, however many instances schedule it.
    let now = app.app.now_ms();
    assert!(supervision::ensure_visit_sweep(&app.app.db, now)
        .await
        .unwrap());
    assert!(!supervision::ensure_visit_sweep(&app.app.db, now)
        .await
        .unwrap());
    run_all_due(&app).await;
    let tasks = || async {
        visit_task::Entity::find()
            .filter(visit_task::Column::CustomerId.eq(customer_id))
            .all(&app.app.db)
            .await
            .unwrap()
    };
    assert!(tasks().await.is_empty(), "not due yet");

    // A month and some days later the daily sweeps catch up: one task, the owner told.
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 35));
    run_all_due(&app).await;
    let open = tasks().await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].status, "open");
    assert_eq!(open[0].owner_id, Some(owner));
    let told = notification::Entity::find()
        .filter(notification::Column::UserId.eq(owner))
        .filter(notification::Column::Kind.eq("visit_due"))
        .all(&app.app.db)
        .await
        .unwrap();
    assert_eq!(told.len(), 1);
    let due = app
        .get("/visit-coverage?due_only=true", Role::ComplaintHotline)
        .await;
    due.assert_status(StatusCode::OK);
    assert!(due
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["customer_id"] == customer_id));
    let listed = app.get("/visit-tasks", Role::CustomerDepartment).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);

    // The visit, with its findings, closes the task; later sweeps open none.
    app.post_json(
        "/supervision-activities",
        Role::CustomerDepartment,
        json!({"kind": "customer_visit", "customer_id": customer_id, "held_on": app.app.today().to_string(),
               "title": "年度拜访", "minutes": "客户建议改进安装工艺"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 3));
    run_all_due(&app).await;
    let all = tasks().await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, "done");
    let coverage = app.get("/visit-coverage", Role::CustomerDepartment).await;
    let row = coverage
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["customer_id"] == customer_id)
        .cloned()
        .unwrap();
    assert_eq!(row["due"], false);
    assert_eq!(row["open_task"], false);
}

#[tokio::test]
async fn sampled_hotline_cases_are_rechecked_with_per_operator_metrics() {
    let app = TestApp::spawn().await;
    let complaint = |name: &str| {
        json!({"channel": "hotline", "complaint_type": "other", "subject_kind": "product",
               "customer_name": name, "content": "热线投诉", "org_unit_id": app.seed.bj})
    };
    let by_hotline = app
        .post_json("/complaints", Role::ComplaintHotline, complaint("热线客户"))
        .await;
    by_hotline.assert_status(StatusCode::CREATED);
    let id = by_hotline.id();

    // With no sample drawn, the case cannot be re-checked.
    app.put_json(
        "/settings/supervision.recheck_percent",
        Role::Admin,
        json!({"value": "0"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    let report = app
        .get("/hotline-recheck?month=2026-11", Role::ComplaintHotline)
        .await;
    report.assert_status(StatusCode::OK);
    assert!(report.body["cases"].as_array().unwrap().is_empty());
    let finding = json!({"handled_correctly": false, "finding": "未记录客户诉求"});
    app.post_json(
        &format!("/hotline-recheck/{id}"),
        Role::CustomerDepartment,
        finding.clone(),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "not_sampled", None);

    // Everything drawn: the case is listed and its finding counts for the operator.
    app.put_json(
        "/settings/supervision.recheck_percent",
        Role::Admin,
        json!({"value": "100"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    app.post_json(
        &format!("/hotline-recheck/{id}"),
        Role::CustomerDepartment,
        json!({}),
    )
    .await
    .assert_invalid("handled_correctly");
    app.post_json(
        &format!("/hotline-recheck/{id}"),
        Role::CustomerDepartment,
        finding.clone(),
    )
    .await
    .assert_status(StatusCode::OK);
    app.post_json(
        &format!("/hotline-recheck/{id}"),
        Role::CustomerDepartment,
        finding,
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_rechecked", None);
    let report = app
        .get("/hotline-recheck?month=2026-11", Role::CustomerDepartment)
        .await;
    let cases = report.body["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["handled_correctly"], false);
    assert_eq!(cases[0]["closed_without_action"], false);
    let operator = &report.body["operators"][0];
    assert_eq!(operator["operator_id"], app.user(Role::ComplaintHotline));
    assert_eq!(operator["registered"], 1);
    assert_eq!(operator["sampled"], 1);
    assert_eq!(operator["faults"], 1);

    // A case the hotline did not register is not a hotline case; the service department
    // cannot record findings.
    let other = app
        .post_json("/complaints", Role::ServiceAgent, complaint("普通客户"))
        .await;
    app.post_json(
        &format!("/hotline-recheck/{}", other.id()),
        Role::CustomerDepartment,
        json!({"handled_correctly": true}),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    app.get("/hotline-recheck", Role::ServiceSupervisor)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn mystery_shopper_reports_do_not_exist_outside_the_supervision_department() {
    let app = TestApp::spawn().await;
    let filed = app
        .post_json(
            "/mystery-shopper-reports",
            Role::ComplaintHotline,
            json!({"org_unit_id": app.seed.bj, "shopper_name": "王暗访", "shopper_contact": "13900000000",
                   "visited_on": "2026-11-20", "score": 2, "findings": "接待员未主动登记"}),
        )
        .await;
    filed.assert_status(StatusCode::CREATED);
    let id = filed.id();
    app.post_json(
        "/mystery-shopper-reports",
        Role::ComplaintHotline,
        json!({"org_unit_id": app.seed.bj, "shopper_name": " ", "visited_on": "2026-11-20", "score": 9}),
    )
    .await
    .assert_invalid("shopper_name");

    let list = app
        .get("/mystery-shopper-reports", Role::CustomerDepartment)
        .await;
    list.assert_status(StatusCode::OK);
    assert_eq!(list.body["items"][0]["shopper_name"], "王暗访");
    assert_eq!(list.body["total"], 1);
    app.get(
        &format!("/mystery-shopper-reports/{id}"),
        Role::ComplaintHotline,
    )
    .await
    .assert_status(StatusCode::OK);

    for role in [
        Role::ServiceSupervisor,
        Role::BranchManager,
        Role::GeneralManager,
        Role::Technician,
    ] {
        app.get("/mystery-shopper-reports", role)
            .await
            .assert_status(StatusCode::NOT_FOUND);
        app.get(&format!("/mystery-shopper-reports/{id}"), role)
            .await
            .assert_status(StatusCode::NOT_FOUND);
        app.post_json(
            "/mystery-shopper-reports",
            role,
            json!({"org_unit_id": app.seed.bj, "shopper_name": "冒名", "visited_on": "2026-11-20", "score": 3}),
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    }
    // The audit trail, readable outside the department, does not name the shopper.
    let audit = audit_record::Entity::find()
        .filter(audit_record::Column::Entity.eq("mystery_shopper_report"))
        .all(&app.app.db)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(!format!("{audit:?}").contains("王暗访"), "{audit:?}");
}

#[tokio::test]
async fn a_suggestion_is_answered_then_rewarded_and_its_author_is_told() {
    let app = TestApp::spawn().await;
    let submitted = app
        .post_json(
            "/suggestions",
            Role::Technician,
            json!({"title": "备件车载清单电子化", "content": "用手机核对车载备件，减少漏带"}),
        )
        .await;
    submitted.assert_status(StatusCode::CREATED);
    let id = submitted.id();
    assert_eq!(submitted.body["source"], "employee");
    app.post_json("/suggestions", Role::Technician, json!({"title": " "}))
        .await
        .assert_invalid("title");
    // Only the customer department enters public-place forms.
    app.post_json(
        "/suggestions",
        Role::Technician,
        json!({"title": "意见箱", "source": "public_place"}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post_json(
        "/suggestions",
        Role::CustomerDepartment,
        json!({"title": "营业厅增加等候座椅", "source": "public_place", "author_name": "匿名"}),
    )
    .await
    .assert_status(StatusCode::CREATED);

    // The author sees the own suggestion only; the customer department sees all.
    let own = app.get("/suggestions", Role::Technician).await;
    assert_eq!(own.body["total"], 1);
    let others = app.get("/suggestions", Role::ServiceAgent).await;
    assert_eq!(others.body["total"], 0);
    let all = app.get("/suggestions", Role::CustomerDepartment).await;
    assert_eq!(all.body["total"], 2);

    let reward = json!({"amount_fen": 20_000, "description": "合理化建议奖", "version": 2});
    app.post_json(
        &format!("/suggestions/{id}/reward"),
        Role::CustomerDepartment,
        json!({"amount_fen": 100, "version": 1}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "not_answered", None);
    app.post_json(
        &format!("/suggestions/{id}/answer"),
        Role::ServiceSupervisor,
        json!({"answer": "采纳", "version": 1}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let answered = app
        .post_json(
            &format!("/suggestions/{id}/answer"),
            Role::CustomerDepartment,
            json!({"answer": "已采纳，下月试行", "version": 1}),
        )
        .await;
    answered.assert_status(StatusCode::OK);
    assert_eq!(answered.body["status"], "answered");
    app.post_json(
        &format!("/suggestions/{id}/reward"),
        Role::CustomerDepartment,
        json!({"amount_fen": 0, "version": 2}),
    )
    .await
    .assert_invalid("amount_fen");
    let rewarded = app
        .post_json(
            &format!("/suggestions/{id}/reward"),
            Role::CustomerDepartment,
            reward.clone(),
        )
        .await;
    rewarded.assert_status(StatusCode::OK);
    assert_eq!(rewarded.body["status"], "rewarded");
    assert_eq!(rewarded.body["reward_fen"], 20_000);
    let mut again = reward;
    again["version"] = json!(3);
    app.post_json(
        &format!("/suggestions/{id}/reward"),
        Role::CustomerDepartment,
        again,
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_rewarded", None);
    let told = notification::Entity::find()
        .filter(notification::Column::UserId.eq(app.user(Role::Technician)))
        .filter(notification::Column::Kind.eq("suggestion"))
        .all(&app.app.db)
        .await
        .unwrap();
    assert_eq!(told.len(), 2, "answered and rewarded");
}
