//! Complaints through the API: registration with its number and 24-hour reply clock,
//! routing to departments and their findings, overdue reminders (催办单) raised level by level
//! by the durable timers under the test clock, the decision and closing guards (handler's
//! visit, outcome told), the timeliness audit (洽办单), the monthly review and the
//! GM-approved reward/penalty notice with its three copies.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, TestApp};

async fn titles(app: &TestApp, role: Role) -> Vec<String> {
    let inbox = app.get("/notifications?per_page=100", role).await;
    inbox.assert_status(StatusCode::OK);
    inbox.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|n| n["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn run_timers_at(app: &TestApp, instant: &str) {
    app.clock.set(instant.parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 100)
        .await
        .unwrap();
}

fn quality_complaint() -> Value {
    json!({
        "channel": "phone",
        "complaint_type": "product_quality",
        "subject_kind": "product",
        "customer_name": "北京华联商厦",
        "contact_phone": "13800000001",
        "order_number": "SO-2026-118",
        "part_number": "KFR-35GW-01",
        "quantity": 3,
        "ship_date": "2026-11-01",
        "content": "三台空调安装一周后制冷效果差",
        "demand": "更换整机",
        "demand_reason": "影响营业"
    })
}

async fn register(app: &TestApp, role: Role, body: Value) -> Value {
    let response = app.post_json("/complaints", role, body).await;
    response.assert_status(StatusCode::CREATED);
    response.body
}

async fn step(app: &TestApp, id: i64, body: Value) -> Value {
    let response = app
        .post_json(
            &format!("/complaints/{id}/steps"),
            Role::CustomerDepartment,
            body,
        )
        .await;
    response.assert_status(StatusCode::OK);
    response.body
}

async fn current(app: &TestApp, id: i64) -> Value {
    let response = app
        .get(&format!("/complaints/{id}"), Role::CustomerDepartment)
        .await;
    response.assert_status(StatusCode::OK);
    response.body
}

fn reminders(complaint: &Value) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = complaint["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "reminder")
        .map(|n| {
            (
                n["department"].as_str().unwrap().to_string(),
                n["level"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// With replies due in working time, each complaint's clock runs on its customer's calendar:
/// the list, which reads the calendars of all its rows at once, agrees with each view.
#[tokio::test]
async fn the_reply_clock_runs_on_the_customers_calendar_in_the_list_as_in_the_view() {
    let app = TestApp::spawn().await;
    app.put_json(
        "/settings/complaint.reply_working_time",
        Role::Admin,
        json!({"value": "1"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    let mut body = customer_body("王五", "13900000077", app.seed.bj, app.seed.bj_urban);
    body["calendar_code"] = json!("24x7");
    let customer = app.post_json("/customers", Role::Admin, body).await;
    customer.assert_status(StatusCode::CREATED);
    let mut body = quality_complaint();
    body["customer_id"] = customer.body["id"].clone();
    let round_the_clock = register(&app, Role::ServiceAgent, body).await;
    let standard = register(&app, Role::ServiceAgent, quality_complaint()).await;
    // Registered on Sunday 22 November, 10:00 in Shanghai: 24 working hours end a day later
    // on 24x7, and on Wednesday evening on cn-standard.
    assert_eq!(round_the_clock["reply_working_time"], true);
    assert_eq!(
        round_the_clock["reply_clock"]["deadline"],
        "2026-11-23T02:00:00Z"
    );
    assert_eq!(standard["reply_clock"]["deadline"], "2026-11-25T10:00:00Z");

    app.clock.advance(jiff::SignedDuration::from_hours(25));
    let listed = app.get("/complaints", Role::ServiceAgent).await;
    listed.assert_status(StatusCode::OK);
    let reply_status = |complaint: &Value| {
        listed.body["items"]
            .as_array()
            .expect("a list")
            .iter()
            .find(|c| c["id"] == complaint["id"])
            .expect("listed")["reply_status"]
            .clone()
    };
    assert_eq!(reply_status(&round_the_clock), "breached");
    assert_eq!(reply_status(&standard), "running");
    for (complaint, status) in [(&round_the_clock, "breached"), (&standard, "running")] {
        let id = complaint["id"].as_i64().expect("id");
        assert_eq!(current(&app, id).await["reply_clock"]["status"], status);
    }
}

#[tokio::test]
async fn the_list_comes_a_page_at_a_time_newest_first() {
    let app = TestApp::spawn().await;
    let mut registered = Vec::new();
    for _ in 0..3 {
        registered
            .push(register(&app, Role::ServiceAgent, quality_complaint()).await["id"].clone());
    }
    let ids = |page: &Value| -> Vec<Value> {
        page["items"]
            .as_array()
            .expect("a page")
            .iter()
            .map(|c| c["id"].clone())
            .collect()
    };
    let first = app.get("/complaints?per_page=2", Role::ServiceAgent).await;
    first.assert_status(StatusCode::OK);
    assert_eq!(
        ids(&first.body),
        [registered[2].clone(), registered[1].clone()]
    );
    assert_eq!(first.body["total"], 3);
    let second = app
        .get("/complaints?per_page=2&page=2", Role::ServiceAgent)
        .await;
    second.assert_status(StatusCode::OK);
    assert_eq!(ids(&second.body), [registered[0].clone()]);
    assert_eq!(second.body["total"], 3);
    assert_eq!(second.body["page"], 2);
}

#[tokio::test]
async fn registration_numbers_the_complaint_and_starts_the_reply_clock() {
    let app = TestApp::spawn().await;
    let first = register(&app, Role::ServiceAgent, quality_complaint()).await;
    let second = register(&app, Role::ComplaintHotline, quality_complaint()).await;
    assert_eq!(first["number"], "KS-202611-0001");
    assert_eq!(second["number"], "KS-202611-0002");
    assert_eq!(first["status"], "registered");
    assert_eq!(first["registered_by_hotline"], false);
    assert_eq!(second["registered_by_hotline"], true);
    let clock = &first["reply_clock"];
    assert_eq!(clock["status"], "running");
    assert_eq!(clock["target_minutes"], 24 * 60);
    assert_eq!(
        clock["deadline"], "2026-11-23T02:00:00Z",
        "calendar time by default"
    );
    assert_eq!(first["reply_working_time"], false);
    assert!(titles(&app, Role::CustomerDepartment)
        .await
        .iter()
        .any(|t| t.contains("KS-202611-0001")));

    // Bad input names its field.
    let mut body = quality_complaint();
    body["content"] = json!(" ");
    app.post_json("/complaints", Role::Technician, body)
        .await
        .assert_invalid("content");
    let mut body = quality_complaint();
    body["subject_kind"] = json!("staff");
    app.post_json("/complaints", Role::Technician, body)
        .await
        .assert_invalid("staff_id");
    // A portal customer cannot register through the staff API.
    app.post_json("/complaints", Role::Customer, quality_complaint())
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // A reply within 24 hours stops the clock as met; none breaches it and escalates (T10).
    app.clock.advance(jiff::SignedDuration::from_hours(2));
    let replied = app
        .post_json(
            &format!("/complaints/{}/logs", first["id"]),
            Role::CustomerDepartment,
            json!({"kind": "reply", "channel": "phone", "text": "已致电客户，明日派员"}),
        )
        .await;
    replied.assert_status(StatusCode::CREATED);
    assert_eq!(replied.body["reply_clock"]["status"], "met");
    run_timers_at(&app, "2026-11-23T02:30:00Z").await;
    assert_eq!(
        current(&app, first["id"].as_i64().unwrap()).await["reply_clock"]["status"],
        "met"
    );
    let late = current(&app, second["id"].as_i64().unwrap()).await;
    assert_eq!(late["reply_clock"]["status"], "breached");
    assert!(late["reply_clock"]["remaining_minutes"].as_i64().unwrap() < 0);
    let overdue: Vec<String> = titles(&app, Role::DeputyGeneralManager)
        .await
        .into_iter()
        .filter(|t| t.contains("未在时限内答复"))
        .collect();
    assert_eq!(
        overdue,
        vec!["投诉未在时限内答复：KS-202611-0002".to_string()]
    );
}

#[tokio::test]
async fn a_complaint_goes_from_registration_to_a_gm_approved_reward_penalty_notice() {
    let app = TestApp::spawn().await;
    let supervisor = app.user(Role::ServiceSupervisor);
    let technician = app.user(Role::Technician);
    let complaint = register(&app, Role::ServiceAgent, quality_complaint()).await;
    let id = complaint["id"].as_i64().unwrap();

    // The customer department names the handler and the handling deadline.
    let handled = app
        .put_json(
            &format!("/complaints/{id}/handling"),
            Role::CustomerDepartment,
            json!({"handler_id": supervisor, "due_date": "2026-11-30", "version": 1}),
        )
        .await;
    handled.assert_status(StatusCode::OK);
    assert_eq!(handled.body["handler_id"], supervisor);
    // Only the customer department manages: a supervisor cannot route.
    app.post_json(
        &format!("/complaints/{id}/route"),
        Role::ServiceSupervisor,
        json!({"version": 2}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);

    // Routing by type: product quality → R&D, manufacturing and QA, due in 3 days.
    let routed = app
        .post_json(
            &format!("/complaints/{id}/route"),
            Role::CustomerDepartment,
            json!({"version": 2}),
        )
        .await;
    routed.assert_status(StatusCode::OK);
    assert_eq!(routed.body["status"], "investigating");
    let tasks = routed.body["tasks"].as_array().unwrap().clone();
    let departments: Vec<&str> = tasks
        .iter()
        .map(|t| t["department"].as_str().unwrap())
        .collect();
    assert_eq!(departments, vec!["qa", "manufacturing", "rnd"]);
    assert!(tasks.iter().all(|t| t["due_date"] == "2026-11-25"));
    let task = |department: &str| {
        tasks
            .iter()
            .find(|t| t["department"] == department)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };

    // The task list, a page at a time, due date then id; the Beijing branch manager's list
    // is limited to the complaints of the branch in SQL and finds the same tasks.
    for role in [Role::CustomerDepartment, Role::BranchManager] {
        let listed = app.get("/complaint-tasks?per_page=2", role).await;
        listed.assert_status(StatusCode::OK);
        assert_eq!(listed.body["total"], 3, "{role:?}");
        let ids: Vec<i64> = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        let mut first_two: Vec<i64> = tasks.iter().map(|t| t["id"].as_i64().unwrap()).collect();
        first_two.sort_unstable();
        first_two.truncate(2);
        assert_eq!(ids, first_two, "{role:?}");
    }

    // The day after the due date every open task gets a level-1 reminder (催办单).
    run_timers_at(&app, "2026-11-26T01:00:00Z").await;
    let notices = app.get("/complaint-notices", Role::BranchManager).await;
    notices.assert_status(StatusCode::OK);
    assert_eq!(notices.body["total"], 3);
    assert_eq!(
        notices.body["items"][0]["complaint_number"],
        "KS-202611-0001"
    );
    assert_eq!(
        reminders(&current(&app, id).await),
        vec![
            ("manufacturing".into(), 1),
            ("qa".into(), 1),
            ("rnd".into(), 1)
        ]
    );
    assert!(titles(&app, Role::CustomerDepartment)
        .await
        .iter()
        .any(|t| t == "催办单（第1次）：KS-202611-0001"));

    // QA reports; a repeat a day later reaches only the departments still open, one level up.
    let qa = app
        .put_json(
            &format!("/complaint-tasks/{}", task("qa")),
            Role::Qa,
            json!({"cause": "冷媒充注不足", "responsible_persons": "装配线二组", "corrective_action": "增加充注量检测",
                   "verification": "抽检20台合格", "done": true, "version": 1}),
        )
        .await;
    qa.assert_status(StatusCode::OK);
    assert_eq!(qa.body["status"], "done");
    run_timers_at(&app, "2026-11-27T01:30:00Z").await;
    assert_eq!(
        reminders(&current(&app, id).await),
        vec![
            ("manufacturing".into(), 1),
            ("manufacturing".into(), 2),
            ("qa".into(), 1),
            ("rnd".into(), 1),
            ("rnd".into(), 2)
        ]
    );
    for (department, body) in [
        (
            "manufacturing",
            json!({"production_unit": "一厂", "shift": "B班", "operator": "王五", "production_date": "2026-10-20",
                                  "cause": "充注设备偏差", "done": true, "version": 1}),
        ),
        (
            "rnd",
            json!({"cause": "设计余量足够，非设计问题", "done": true, "version": 1}),
        ),
    ] {
        app.put_json(
            &format!("/complaint-tasks/{}", task(department)),
            Role::CustomerDepartment,
            body,
        )
        .await
        .assert_status(StatusCode::OK);
    }

    // Deciding needs a told customer; closing early is not a step from here.
    let version = current(&app, id).await["version"].as_i64().unwrap();
    app.post_json(
        &format!("/complaints/{id}/steps"),
        Role::CustomerDepartment,
        json!({"event": "close", "version": version}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    app.post_json(
        &format!("/complaints/{id}/steps"),
        Role::CustomerDepartment,
        json!({"event": "decide", "version": version, "cause": "冷媒充注不足", "responsible_department": "manufacturing",
               "decision": "免费补充冷媒并延长保修一年"}),
    )
    .await
    .assert_invalid("told_channel");
    let decided = step(
        &app,
        id,
        json!({"event": "decide", "version": version, "cause": "冷媒充注不足", "responsible_department": "manufacturing",
               "responsible_user_id": technician, "staff_fault": "repeat_repair",
               "decision": "免费补充冷媒并延长保修一年", "told_channel": "phone"}),
    )
    .await;
    assert_eq!(decided["status"], "decided");
    // COMPLAINT-16: the finding waits for the STAFF-6 module.
    assert_eq!(decided["discipline_finding"]["user_id"], technician);
    assert_eq!(decided["discipline_finding"]["fault"], "repeat_repair");
    let v = decided["version"].as_i64().unwrap();
    let improving = step(
        &app,
        id,
        json!({"event": "set_corrective_action", "version": v, "corrective_action": "充注工位加装称重复核",
               "corrective_owner_id": supervisor, "corrective_due": "2026-12-10"}),
    )
    .await;
    let follow_up = step(
        &app,
        id,
        json!({"event": "confirm_effect", "version": improving["version"], "note": "复检合格"}),
    )
    .await;
    assert_eq!(follow_up["status"], "follow_up");

    // Closing needs the handler's own visit (a call does not count) and the outcome told.
    let close = json!({"event": "close", "version": follow_up["version"], "note": "客户表示满意"});
    app.post_json(
        &format!("/complaints/{id}/steps"),
        Role::CustomerDepartment,
        close.clone(),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "visit_required", Some("visit"));
    app.post_json(
        &format!("/complaints/{id}/logs"),
        Role::CustomerDepartment,
        json!({"kind": "visit", "text": "客户部前往"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "not_the_handler", Some("kind"));
    app.post_json(
        &format!("/complaints/{id}/logs"),
        Role::ServiceSupervisor,
        json!({"kind": "call", "text": "电话致歉"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    app.post_json(
        &format!("/complaints/{id}/steps"),
        Role::CustomerDepartment,
        close.clone(),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "visit_required", Some("visit"));
    app.post_json(
        &format!("/complaints/{id}/logs"),
        Role::ServiceSupervisor,
        json!({"kind": "visit", "text": "主管亲自到店致歉并检查"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    app.post_json(
        &format!("/complaints/{id}/steps"),
        Role::CustomerDepartment,
        close.clone(),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "outcome_not_told", Some("outcome"));
    app.post_json(
        &format!("/complaints/{id}/logs"),
        Role::CustomerDepartment,
        json!({"kind": "outcome_told", "channel": "written", "text": "书面告知处理结果"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let closed = step(&app, id, close).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["responsible_department"], "manufacturing");

    // The timeliness audit proposes a 洽办单 for every late department; the officer decides.
    let proposed: Vec<(String, i64)> = closed["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "follow_up")
        .map(|n| {
            (
                n["department"].as_str().unwrap().to_string(),
                n["days_late"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        proposed,
        vec![
            ("qa".into(), 1),
            ("manufacturing".into(), 2),
            ("rnd".into(), 2)
        ]
    );
    let notice = closed["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "follow_up" && n["department"] == "manufacturing")
        .unwrap()
        .clone();
    let sent = app
        .post_json(
            &format!("/complaint-notices/{}", notice["id"]),
            Role::CustomerDepartment,
            json!({"action": "send", "version": 1}),
        )
        .await;
    sent.assert_status(StatusCode::OK);
    let replied = app
        .post_json(
            &format!("/complaint-notices/{}", notice["id"]),
            Role::CustomerDepartment,
            json!({"action": "reply", "reply": "设备校验排期延误，已调整", "version": 2}),
        )
        .await;
    replied.assert_status(StatusCode::OK);
    assert_eq!(replied.body["status"], "replied");
    // No reminders after closing.
    let before = reminders(&current(&app, id).await).len();
    run_timers_at(&app, "2026-11-29T01:00:00Z").await;
    assert_eq!(reminders(&current(&app, id).await).len(), before);

    // On the 1st the customer department is reminded of the review, due the 10th.
    run_timers_at(&app, "2026-12-01T01:00:00Z").await;
    assert!(titles(&app, Role::CustomerDepartment)
        .await
        .iter()
        .any(|t| t == "请于10日前完成2026-11投诉结案检讨"));
    let review = app
        .get("/complaint-reviews", Role::CustomerDepartment)
        .await;
    review.assert_status(StatusCode::OK);
    assert_eq!(review.body["month"], "2026-11");
    assert_eq!(review.body["due"], "2026-12-10");
    assert_eq!(review.body["cases"][0]["number"], "KS-202611-0001");
    let v = review.body["cases"][0]["version"].clone();
    app.post_json(
        &format!("/complaints/{id}/review"),
        Role::CustomerDepartment,
        json!({"sanction": "deduction", "version": v}),
    )
    .await
    .assert_invalid("amount_fen");
    let reviewed = app
        .post_json(
            &format!("/complaints/{id}/review"),
            Role::CustomerDepartment,
            json!({"sanction": "deduction", "amount_fen": 20000, "note": "制造部扣奖金", "version": v}),
        )
        .await;
    reviewed.assert_status(StatusCode::OK);
    assert_eq!(reviewed.body["status"], "reviewed");

    // The reward/penalty notice: drafted by the customer department, approved by the GM only.
    let drafted = app
        .post_json(
            "/reward-penalty-notices",
            Role::CustomerDepartment,
            json!({"month": "2026-11"}),
        )
        .await;
    drafted.assert_status(StatusCode::CREATED);
    assert_eq!(drafted.body["status"], "draft");
    assert_eq!(drafted.body["total_deduction_fen"], 20000);
    assert_eq!(drafted.body["lines"][0]["number"], "KS-202611-0001");
    let notice_id = drafted.body["id"].as_i64().unwrap();
    assert!(titles(&app, Role::GeneralManager)
        .await
        .iter()
        .any(|t| t == "奖罚通知单待核准：2026-11"));
    app.post_json(
        &format!("/reward-penalty-notices/{notice_id}/approve"),
        Role::CustomerDepartment,
        json!({"version": 1}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let approved = app
        .post_json(
            &format!("/reward-penalty-notices/{notice_id}/approve"),
            Role::GeneralManager,
            json!({"version": 1}),
        )
        .await;
    approved.assert_status(StatusCode::OK);
    assert_eq!(approved.body["status"], "approved");
    let copies: Vec<&str> = approved.body["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["copy"].as_str().unwrap())
        .collect();
    assert_eq!(copies, vec!["kept", "accounting", "department"]);
    let received = app
        .post_json(
            &format!("/reward-penalty-notices/{notice_id}/copies"),
            Role::CustomerDepartment,
            json!({"copy": "accounting", "version": 2}),
        )
        .await;
    received.assert_status(StatusCode::OK);
    assert!(received.body["copies"][1]["received_at"].is_string());
    assert!(received.body["copies"][0]["received_at"].is_null());
}

#[tokio::test]
async fn serious_cases_need_executive_review_and_repeat_dissatisfaction_makes_an_individual_case() {
    let app = TestApp::spawn().await;
    let mut body = quality_complaint();
    body["severity"] = json!("major");
    body["media_exposure"] = json!(true);
    body["complaint_type"] = json!("dealer");
    body["subject_kind"] = json!("dealer");
    body["dealer_name"] = json!("朝阳区某零售店");
    let complaint = register(&app, Role::ComplaintHotline, body).await;
    assert_eq!(complaint["special"], true);
    assert_eq!(complaint["priority"], true);
    assert!(titles(&app, Role::GeneralManager)
        .await
        .iter()
        .any(|t| t.starts_with("重大/专案投诉")));
    let id = complaint["id"].as_i64().unwrap();
    // Routing rules are configurable: dealers now go to marketing as well.
    app.put_json(
        "/complaint-routing/dealer",
        Role::Admin,
        json!({"departments": ["sales", "marketing"]}),
    )
    .await
    .assert_status(StatusCode::OK);
    let routed = app
        .post_json(
            &format!("/complaints/{id}/route"),
            Role::CustomerDepartment,
            json!({"version": 1, "due_date": "2026-11-24"}),
        )
        .await;
    routed.assert_status(StatusCode::OK);
    let departments: Vec<&str> = routed.body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["department"].as_str().unwrap())
        .collect();
    assert_eq!(departments, vec!["sales", "marketing"]);
    for t in routed.body["tasks"].as_array().unwrap() {
        app.put_json(
            &format!("/complaint-tasks/{}", t["id"]),
            Role::CustomerDepartment,
            json!({"order_number": "SO-1", "cause": "零售店擅自承诺", "done": true, "version": 1}),
        )
        .await
        .assert_status(StatusCode::OK);
    }
    let decide = |version: i64, told: &str| {
        json!({"event": "decide", "version": version, "cause": "零售店擅自承诺", "responsible_department": "sales",
               "decision": "由业务部协调零售店履行承诺", "told_channel": told})
    };
    app.post_json(
        &format!("/complaints/{id}/steps"),
        Role::CustomerDepartment,
        decide(2, "phone"),
    )
    .await
    .assert_invalid("told_channel");
    app.post_json(
        &format!("/complaints/{id}/steps"),
        Role::CustomerDepartment,
        decide(2, "letter"),
    )
    .await
    .assert_error(
        StatusCode::CONFLICT,
        "executive_review_required",
        Some("executive_review"),
    );
    app.post_json(
        &format!("/complaints/{id}/executive-review"),
        Role::CustomerDepartment,
        json!({"note": "同意", "version": 2}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let reviewed = app
        .post_json(
            &format!("/complaints/{id}/executive-review"),
            Role::DeputyGeneralManager,
            json!({"note": "同意按函告处理，媒体口径由客户部统一", "version": 2}),
        )
        .await;
    reviewed.assert_status(StatusCode::OK);
    let decided = step(&app, id, decide(3, "letter")).await;
    assert_eq!(decided["status"], "decided");
    // A case conference is logged with its participants.
    app.post_json(
        &format!("/complaints/{id}/logs"),
        Role::CustomerDepartment,
        json!({"kind": "conference", "text": "决定由业务部协调"}),
    )
    .await
    .assert_invalid("participants");
    app.post_json(
        &format!("/complaints/{id}/logs"),
        Role::CustomerDepartment,
        json!({"kind": "conference", "text": "决定由业务部协调", "participants": "客户部、业务部、副总"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let mut version = decided["version"].as_i64().unwrap();
    let improving = step(
        &app,
        id,
        json!({"event": "set_corrective_action", "version": version, "corrective_action": "零售店培训",
               "corrective_owner_id": app.user(Role::BranchManager), "corrective_due": "2026-12-01"}),
    )
    .await;
    version = improving["version"].as_i64().unwrap();
    // Dissatisfied at the follow-up twice: the second time it becomes an individual case.
    for round in 1..=2 {
        let follow_up = step(
            &app,
            id,
            json!({"event": "confirm_effect", "version": version}),
        )
        .await;
        let reopened = step(
            &app,
            id,
            json!({"event": "reopen", "version": follow_up["version"], "note": "客户仍不满意"}),
        )
        .await;
        assert_eq!(reopened["status"], "investigating");
        assert_eq!(reopened["reopen_count"], round);
        assert_eq!(reopened["individual"], round == 2);
        assert_eq!(
            reopened["number"], complaint["number"],
            "a reopened case keeps its number"
        );
        let decided = step(
            &app,
            id,
            decide(reopened["version"].as_i64().unwrap(), "letter"),
        )
        .await;
        let improving = step(
            &app,
            id,
            json!({"event": "set_corrective_action", "version": decided["version"], "corrective_action": "再次培训",
                   "corrective_owner_id": app.user(Role::BranchManager), "corrective_due": "2026-12-01"}),
        )
        .await;
        version = improving["version"].as_i64().unwrap();
    }
    assert!(titles(&app, Role::CustomerDepartment)
        .await
        .iter()
        .any(|t| t.starts_with("投诉转为个案")));
}

#[tokio::test]
async fn complaints_outside_the_branch_answer_404_and_routing_is_listed() {
    let app = TestApp::spawn().await;
    let complaint = register(&app, Role::CustomerDepartment, {
        let mut body = quality_complaint();
        body["org_unit_id"] = json!(app.seed.tj);
        body
    })
    .await;
    app.get(
        &format!("/complaints/{}", complaint["id"]),
        Role::ServiceAgent,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    app.get(
        &format!("/complaints/{}", complaint["id"]),
        Role::ComplaintHotline,
    )
    .await
    .assert_status(StatusCode::OK);
    let listed = app.get("/complaints", Role::ServiceAgent).await;
    listed.assert_status(StatusCode::OK);
    assert!(listed.body["items"].as_array().unwrap().is_empty());
    assert_eq!(listed.body["total"], 0);
    let routing = app.get("/complaint-routing", Role::Technician).await;
    routing.assert_status(StatusCode::OK);
    let packaging = routing
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["complaint_type"] == "packaging")
        .unwrap()
        .clone();
    assert_eq!(packaging["departments"], json!(["warehouse", "transport"]));
    assert_eq!(packaging["default"], true);
}
