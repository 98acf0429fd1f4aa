//! SLA clocks watched by the timer runner: at risk warns, a breach escalates supervisor →
//! branch manager → customer department → deputy general manager, each level once, driven
//! by the test clock; and the breach report.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{customer_body, TestApp};

/// The titles of a role's notifications.
async fn titles(app: &TestApp, role: Role) -> Vec<String> {
    let inbox = app.get("/notifications", role).await;
    inbox.assert_status(StatusCode::OK);
    let items = inbox.body["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|n| n["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn sweep_at(app: &TestApp, instant: &str) {
    app.clock.set(instant.parse().unwrap());
    aftersales_app::sla_watch::ensure_sweep(&app.app)
        .await
        .unwrap();
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
}

/// Only the arrival clock runs: the 24-hour answer clock would escalate on its own.
async fn only_the_arrival_clock(app: &TestApp) {
    app.put_json(
        "/settings/intake.answer_hours",
        Role::Admin,
        json!({"value": "720"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
}

/// A new urban Beijing customer's call about a unit in warranty; answers the order number.
async fn register_call(app: &TestApp, name: &str, phone: &str, serial_no: &str) -> String {
    let customer = app
        .create_customer(customer_body(name, phone, app.seed.bj, app.seed.bj_urban))
        .await;
    let unit = app
        .create_unit(customer["id"].as_i64().unwrap(), serial_no, "2026-06-01")
        .await;
    let order = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "phone", "customer_id": customer["id"], "unit_id": unit["id"], "fault_description": "不制冷", "fault_class": "hardware", "urgency": "normal"}),
        )
        .await;
    order.assert_status(StatusCode::CREATED);
    order.body["number"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_undispatched_call_warns_then_escalates_level_by_level_exactly_once() {
    let app = TestApp::spawn().await;
    only_the_arrival_clock(&app).await;
    // Sunday 10:00 in Shanghai: the arrival clock counts from Monday 09:00 and ends at 16:00.
    let number = register_call(&app, "赵六", "13700000099", "SN-SLA-1").await;

    // Monday 14:40: 280 of 360 working minutes used (78 % ≥ 75 %): the supervisor is warned.
    sweep_at(&app, "2026-11-23T06:40:00Z").await;
    let supervisor = titles(&app, Role::ServiceSupervisor).await;
    assert!(
        supervisor
            .iter()
            .any(|t| t.contains(&number) && t.contains("即将到期")),
        "{supervisor:?}"
    );
    assert!(
        !supervisor.iter().any(|t| t.contains("超时")),
        "not breached yet: {supervisor:?}"
    );

    // 16:30: breached at 16:00 → level 1, the supervisor.
    sweep_at(&app, "2026-11-23T08:30:00Z").await;
    assert!(titles(&app, Role::ServiceSupervisor)
        .await
        .iter()
        .any(|t| t.contains("第1级")));
    assert!(titles(&app, Role::BranchManager).await.is_empty());

    // 18:30: 2½ hours late → level 2, the branch manager; nobody above yet.
    sweep_at(&app, "2026-11-23T10:30:00Z").await;
    assert!(titles(&app, Role::BranchManager)
        .await
        .iter()
        .any(|t| t.contains("第2级")));
    assert!(titles(&app, Role::CustomerDepartment).await.is_empty());

    // 22:30: 6½ hours late → levels 3 and 4 at once.
    sweep_at(&app, "2026-11-23T14:30:00Z").await;
    assert!(titles(&app, Role::CustomerDepartment)
        .await
        .iter()
        .any(|t| t.contains("第3级")));
    assert!(titles(&app, Role::DeputyGeneralManager)
        .await
        .iter()
        .any(|t| t.contains("第4级")));

    // Sweeping again sends nothing new.
    let before = titles(&app, Role::ServiceSupervisor).await.len();
    sweep_at(&app, "2026-11-23T14:35:00Z").await;
    assert_eq!(titles(&app, Role::ServiceSupervisor).await.len(), before);

    let report = app
        .get(
            "/reports/sla-breaches?from=2026-11-22&to=2026-11-23",
            Role::BranchManager,
        )
        .await;
    report.assert_status(StatusCode::OK);
    let arrival = report
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["clock"] == "arrival")
        .unwrap()
        .clone();
    assert_eq!(
        (arrival["breached"].as_u64(), arrival["met"].as_u64()),
        (Some(1), Some(0)),
        "{arrival}"
    );
}

/// The sweep reads open orders a slice at a time (2,000 in service); with slices of two,
/// five open orders take three slices, the last one short, and no order is missed.
#[tokio::test]
async fn a_sweep_in_several_slices_warns_about_every_open_order() {
    let app = TestApp::spawn().await;
    only_the_arrival_clock(&app).await;
    app.clock.set("2026-11-22T02:00:00Z".parse().unwrap());
    let mut numbers = Vec::new();
    for n in 0..5 {
        numbers.push(
            register_call(
                &app,
                &format!("分片{n}"),
                &format!("1370000010{n}"),
                &format!("SN-SLICE-{n}"),
            )
            .await,
        );
    }
    // Monday 14:40: each arrival clock is at risk (78 % of its working time used).
    let now = "2026-11-23T06:40:00Z".parse::<jiff::Timestamp>().unwrap();
    let sent =
        aftersales_app::sla_watch::sweep_in_slices(&app.app, &app.app.db, now.as_millisecond(), 2)
            .await
            .unwrap();
    assert!(sent >= numbers.len(), "{sent} alerts for {numbers:?}");
    let warned = titles(&app, Role::ServiceSupervisor).await;
    for number in &numbers {
        let warnings = warned
            .iter()
            .filter(|t| t.contains(number.as_str()) && t.contains("即将到期"))
            .count();
        assert!(warnings >= 1, "{number} not warned: {warned:?}");
    }
    // A second pass in slices finds every warning already sent.
    let again =
        aftersales_app::sla_watch::sweep_in_slices(&app.app, &app.app.db, now.as_millisecond(), 2)
            .await
            .unwrap();
    assert_eq!(again, 0);
}

/// An instance computes as many breach reports at once as it has report slots; another one
/// waits for a free slot while other requests are served, and runs when one is released.
#[tokio::test]
async fn a_breach_report_waits_for_a_free_report_slot() {
    let app = TestApp::spawn().await;
    let number = register_call(&app, "排队", "13700000109", "SN-SLOT-1").await;
    let slots = app.app.report_slots.clone();
    let all = u32::try_from(slots.available_permits()).unwrap();
    let held = slots.clone().acquire_many_owned(all).await.unwrap();
    let report = app.get(
        "/reports/sla-breaches?from=2026-11-22&to=2026-11-22",
        Role::BranchManager,
    );
    tokio::pin!(report);
    // Twenty requests of a few queries each, one after the other: far more work than the
    // report's, which would finish first if it did not wait for a slot.
    let others = async {
        for _ in 0..20 {
            app.get("/service-orders?status=registered", Role::ServiceAgent)
                .await
                .assert_status(StatusCode::OK);
        }
    };
    tokio::select! {
        biased;
        done = &mut report => panic!("the report ran without a free slot: {}", done.body),
        () = others => {}
    }
    drop(held);
    let done = report.await;
    done.assert_status(StatusCode::OK);
    let running: u64 = done
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["running"].as_u64().unwrap())
        .sum();
    assert!(running >= 1, "{number}'s clocks: {}", done.body);
    assert_eq!(slots.available_permits(), all as usize);
}

#[tokio::test]
async fn an_sla_policy_matching_urgent_calls_replaces_the_default_clocks_and_is_audited() {
    let app = TestApp::spawn().await;
    let policy = json!({
        "name": "加急", "rank": 5, "urgency": "urgent", "active": true,
        "clocks": [{"name": "arrival", "start_on": ["register"], "stop_on": ["check_in"],
                    "target_minutes": 120, "time_kind": "elapsed"}]
    });
    // Only administrators and the customer department define policies.
    app.post_json("/sla-policies", Role::ServiceSupervisor, policy.clone())
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let mut bad = policy.clone();
    bad["clocks"][0]["stop_on"] = json!(["teleport"]);
    bad["zone"] = json!("moon");
    let refused = app
        .post_json("/sla-policies", Role::CustomerDepartment, bad)
        .await;
    refused.assert_invalid("zone");
    assert!(
        refused.body.to_string().contains("clocks[0].stop_on"),
        "{}",
        refused.body
    );
    let created = app
        .post_json("/sla-policies", Role::CustomerDepartment, policy)
        .await;
    created.assert_status(StatusCode::CREATED);
    let listed = app.get("/sla-policies", Role::Technician).await;
    assert_eq!(listed.body[0]["name"], "加急", "rank 5 is tried first");

    let customer = app
        .create_customer(customer_body(
            "急客",
            "13600000077",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let order = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "phone", "customer_id": customer["id"], "product_id": app.seed.product,
                   "fault_description": "停机", "fault_class": "hardware", "urgency": "urgent"}),
        )
        .await;
    order.assert_status(StatusCode::CREATED);
    let shown = app
        .get(
            &format!("/service-orders/{}", order.id()),
            Role::ServiceAgent,
        )
        .await
        .body;
    let clocks = shown["clocks"].as_array().unwrap();
    assert_eq!(clocks.len(), 1, "{}", shown["clocks"]);
    assert_eq!(clocks[0]["policy"], "加急");
    // Two calendar hours from the Sunday 10:00 call, weekend or not.
    assert_eq!(clocks[0]["deadline"], "2026-11-22T04:00:00Z");

    // Switching the policy off brings the default clocks back for the same open order.
    let mut off = created.body.clone();
    off["active"] = json!(false);
    app.put_json(
        &format!("/sla-policies/{}", created.id()),
        Role::CustomerDepartment,
        off.clone(),
    )
    .await
    .assert_status(StatusCode::OK);
    // The version moved on: the same body again is stale.
    app.put_json(
        &format!("/sla-policies/{}", created.id()),
        Role::CustomerDepartment,
        off,
    )
    .await
    .assert_status(StatusCode::CONFLICT);
    let shown = app
        .get(
            &format!("/service-orders/{}", order.id()),
            Role::ServiceAgent,
        )
        .await
        .body;
    let names: Vec<&str> = shown["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["answer", "arrival", "completion"]);
    let audit = app
        .get(&format!("/audit/sla_policy/{}", created.id()), Role::Admin)
        .await;
    assert_eq!(
        audit.body.as_array().map(Vec::len),
        Some(2),
        "{}",
        audit.body
    );
}

#[tokio::test]
async fn a_call_not_answered_within_24_hours_escalates_on_the_answer_clock() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(customer_body(
            "答复客户",
            "13700000188",
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
    let answer = |body: &serde_json::Value| {
        body["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "answer")
            .cloned()
            .expect("an answer clock")
    };
    let shown = app
        .get(
            &format!("/service-orders/{}", order.id()),
            Role::ServiceAgent,
        )
        .await;
    // Calendar time: 24 hours from Sunday 10:00, whatever the working hours.
    assert_eq!(answer(&shown.body)["kind"], "elapsed");
    assert_eq!(answer(&shown.body)["deadline"], "2026-11-23T02:00:00Z");
    sweep_at(&app, "2026-11-23T02:30:00Z").await;
    let breached = app
        .get(
            &format!("/service-orders/{}", order.id()),
            Role::ServiceAgent,
        )
        .await;
    assert_eq!(answer(&breached.body)["status"], "breached");
    assert!(titles(&app, Role::ServiceSupervisor)
        .await
        .iter()
        .any(|t| t.contains("答复客户")));
}
