//! Installation and commissioning (INSTALL-1..5): an order from a sale, sent to a company,
//! acknowledged with the installers, commissioned with training and quantities, completed
//! with the signature, followed up and scored; the company's scope; T17 and T18.

use aftersales_app::installations::{month_totals, MonthTotals};
use aftersales_domain::role::Role;
use aftersales_store::entity::mail_outbox;
use aftersales_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, product_body, unit_body, Auth, TestApp, SIGNATURE};

/// A product needing installation and a BJ customer.
async fn sale_setup(app: &TestApp, phone: &str) -> (i64, i64) {
    let mut product = product_body(&format!("AZ-{phone}"));
    product["needs_installation"] = json!(true);
    let product = app.post_json("/products", Role::Admin, product).await;
    product.assert_status(StatusCode::CREATED);
    let customer = app
        .create_customer(customer_body(
            "安装客户",
            phone,
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    (product.id(), customer["id"].as_i64().unwrap())
}

/// Sells a unit of `product`; answers the installation order the sale recorded.
async fn sell(app: &TestApp, product: i64, customer: i64, serial: &str) -> Value {
    let unit = app
        .post_json(
            "/units",
            Role::ServiceAgent,
            unit_body(product, customer, serial, "2026-11-22"),
        )
        .await;
    unit.assert_status(StatusCode::CREATED);
    let orders = app
        .get("/installations?status=new&per_page=100", Role::ServiceAgent)
        .await;
    orders.assert_status(StatusCode::OK);
    orders.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["serial_no"] == serial)
        .cloned()
        .unwrap_or_else(|| panic!("no order for {serial}: {}", orders.body))
}

async fn provider(app: &TestApp, name: &str) -> i64 {
    let created = app
        .post_json(
            "/installation-providers",
            Role::CustomerDepartment,
            json!({"name": name, "kind": "provider", "agreement_start": "2026-01-01",
                   "agreement_end": "2027-12-31", "zones": "北京城区", "email": "paidan@az.example.cn",
                   "contact_name": "孙经理", "contact_phone": "010-88886666"}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    created.id()
}

async fn link(app: &TestApp, provider: i64, username: &str) {
    app.post_json(
        &format!("/installation-providers/{provider}/users"),
        Role::CustomerDepartment,
        json!({"username": username}),
    )
    .await
    .assert_status(StatusCode::OK);
}

/// A second installer user with its own token.
async fn other_installer(app: &TestApp) -> String {
    let created = app
        .post_json(
            "/staff",
            Role::Admin,
            json!({"username": "az_other", "display_name": "别家安装", "password": "long-enough-pw",
                   "org_unit_id": app.seed.bj, "roles": ["installer"]}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let admin = app.actor(Role::Admin).await;
    let (_, secret) =
        aftersales_app::auth::create_api_token(&app.app, &admin, "other installer", created.id())
            .await
            .unwrap();
    secret
}

async fn step<'a>(
    app: &TestApp,
    order: &Value,
    event: &str,
    auth: impl Into<Auth<'a>>,
    body: Value,
) -> crate::helpers::TestResponse {
    let mut body = body;
    body["version"] = order["version"].clone();
    app.post_json(
        &format!("/installations/{}/{event}", order["id"]),
        auth,
        body,
    )
    .await
}

async fn step_ok<'a>(
    app: &TestApp,
    order: &Value,
    event: &str,
    auth: impl Into<Auth<'a>>,
    body: Value,
) -> Value {
    let response = step(app, order, event, auth, body).await;
    response.assert_status(StatusCode::OK);
    response.body.clone()
}

fn send_body(provider: i64) -> Value {
    json!({"provider_id": provider, "wanted_at": "2026-11-23T02:00:00Z",
           "requirements": "壁挂安装，需打孔", "commission_due_at": "2026-11-24T10:00:00Z"})
}

fn installers() -> Value {
    json!({"installers": [{"name": "周师傅", "id_no": "110101198001010011", "credential_no": "AZ-2026-018"}]})
}

fn commissioning() -> Value {
    json!({"commissioning_result": "试机正常", "trainees": "客户行政 王女士", "training_topics": "开关机、滤网清洗",
           "training_hours": "1.5", "person_times": 2, "person_days": "1.5", "cost_fen": 20_000, "guidance_fee": true})
}

/// Walks an order from the sale to completion (the seeded installer works for `provider`).
async fn completed(app: &TestApp, order: &Value, provider: i64) -> Value {
    let order = step_ok(app, order, "send", Role::ServiceAgent, send_body(provider)).await;
    let order = step_ok(app, &order, "acknowledge", Role::Installer, installers()).await;
    let order = step_ok(app, &order, "commission", Role::Installer, commissioning()).await;
    step_ok(
        app,
        &order,
        "complete",
        Role::Installer,
        json!({"signature_png": SIGNATURE}),
    )
    .await
}

#[tokio::test]
async fn a_sale_is_installed_commissioned_followed_up_and_scored() {
    let app = TestApp::spawn().await;
    let (product, customer) = sale_setup(&app, "13700008001").await;
    let company = provider(&app, "安居安装").await;
    link(&app, company, "u_installer").await;

    // INSTALL-1: the sale recorded the order, due at the company 4 hours later (T17).
    let order = sell(&app, product, customer, "AZ-SN-1").await;
    assert_eq!(order["source"], "sale");
    assert_eq!(order["status"], "new");
    assert_eq!(order["send_due_at"], "2026-11-22T06:00:00Z");
    assert_eq!(order["place"], "安装客户家 幸福路8号");
    // A product without installation records none, nor does a unit already installed.
    let plain = app
        .post_json("/products", Role::Admin, product_body("NO-AZ"))
        .await;
    plain.assert_status(StatusCode::CREATED);
    app.post_json(
        "/units",
        Role::ServiceAgent,
        unit_body(plain.id(), customer, "NO-AZ-1", "2026-11-22"),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let mut installed = unit_body(product, customer, "NO-AZ-2", "2026-11-20");
    installed["install_date"] = json!("2026-11-21");
    app.post_json("/units", Role::ServiceAgent, installed)
        .await
        .assert_status(StatusCode::CREATED);
    let all = app.get("/installations", Role::Admin).await;
    assert_eq!(all.body["total"], 1);

    // INSTALL-2: sending needs the company; it reaches the portal and the company's mailbox.
    step(
        &app,
        &order,
        "send",
        Role::ServiceAgent,
        json!({"requirements": "壁挂"}),
    )
    .await
    .assert_invalid("provider_id");
    step(&app, &order, "send", Role::Installer, send_body(company))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let order = step_ok(&app, &order, "send", Role::ServiceAgent, send_body(company)).await;
    assert_eq!(order["status"], "sent");
    assert_eq!(order["provider"], "安居安装");
    let mails = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::SubjectKind.eq("installation"))
        .all(&app.app.db)
        .await
        .unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to_address, "paidan@az.example.cn");
    assert!(mails[0].subject.contains(order["number"].as_str().unwrap()));
    let inbox = app.get("/notifications", Role::Installer).await;
    assert!(
        inbox.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "installation_sent"),
        "{}",
        inbox.body
    );

    // The company acknowledges with its installers' credentials.
    let mine = app.get("/installations", Role::Installer).await;
    assert_eq!(mine.body["total"], 1);
    step(&app, &order, "acknowledge", Role::Installer, json!({}))
        .await
        .assert_invalid("installers");
    step(
        &app,
        &order,
        "acknowledge",
        Role::Installer,
        json!({"installers": [{"name": "周师傅", "id_no": ""}]}),
    )
    .await
    .assert_invalid("installers[0].id_no");
    let order = step_ok(&app, &order, "acknowledge", Role::Installer, installers()).await;
    assert_eq!(order["installers"][0]["id_no"], "110101198001010011");

    // INSTALL-3 and 5: commissioning with the training and the quantities.
    let refused = step(&app, &order, "commission", Role::Installer, json!({})).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "commissioning_result",
        "trainees",
        "training_topics",
        "training_hours",
        "person_times",
        "person_days",
        "cost_fen",
    ] {
        assert!(refused.error_fields().iter().any(|f| f == field), "{field}");
    }
    let mut bad = commissioning();
    bad["person_days"] = json!("1.25");
    step(&app, &order, "commission", Role::Installer, bad)
        .await
        .assert_invalid("person_days");
    let order = step_ok(&app, &order, "commission", Role::Installer, commissioning()).await;
    assert_eq!(
        (
            order["person_days"].as_str(),
            order["training_hours"].as_str()
        ),
        (Some("1.5"), Some("1.5"))
    );

    // Completion needs the customer's signature.
    step(&app, &order, "complete", Role::Installer, json!({}))
        .await
        .assert_invalid("signature_png");
    let order = step_ok(
        &app,
        &order,
        "complete",
        Role::Installer,
        json!({"signature_png": SIGNATURE}),
    )
    .await;
    assert_eq!(order["status"], "completed");
    let signature = order["signature_attachment_id"].as_i64().unwrap();
    app.get(
        &format!("/attachments/{signature}/download"),
        Role::Installer,
    )
    .await
    .assert_status(StatusCode::OK);

    // INSTALL-4: the follow-up rating, by the follow-up caller only, 1–5.
    step(
        &app,
        &order,
        "follow_up",
        Role::Installer,
        json!({"rating": 5}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    step(
        &app,
        &order,
        "follow_up",
        Role::CustomerDepartment,
        json!({"rating": 6}),
    )
    .await
    .assert_invalid("rating");
    let order = step_ok(
        &app,
        &order,
        "follow_up",
        Role::CustomerDepartment,
        json!({"rating": 4, "note": "安装师傅很专业"}),
    )
    .await;
    assert_eq!(order["status"], "followed_up");
    assert_eq!(order["follow_up_rating"], 4);
    let calls = app
        .get("/follow-ups?status=done", Role::CustomerDepartment)
        .await;
    let call = calls.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reason"] == "installation")
        .cloned()
        .expect("the follow-up call is logged");
    assert_eq!(call["outcome"], "reached");

    let events: Vec<&str> = order["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "record",
            "send",
            "acknowledge",
            "commission",
            "complete",
            "follow_up"
        ]
    );

    // The scorecard counts the order on time everywhere, rated 4.
    let cards = app
        .get("/installation-scorecards", Role::GeneralManager)
        .await;
    cards.assert_status(StatusCode::OK);
    let card = &cards.body[0];
    assert_eq!(card["provider"], "安居安装");
    for (field, value) in [
        ("orders", 1),
        ("sent_on_time", 1),
        ("acknowledged_on_time", 1),
        ("completed_on_time", 1),
        ("ratings", 1),
    ] {
        assert_eq!(card[field], value, "{field}");
    }
    assert_eq!(card["average_rating"], "4");

    // INSTALL-5: the monthly totals for the statistics.
    let expected = MonthTotals {
        person_times: 2,
        person_days: 1.5,
        cost_fen: 20_000,
        guidance_fee_fen: 20_000,
    };
    let db = &app.app.db;
    assert_eq!(
        month_totals(db, Some(app.seed.bj), "2026-11")
            .await
            .unwrap(),
        expected
    );
    assert_eq!(month_totals(db, None, "2026-11").await.unwrap(), expected);
    assert_eq!(
        month_totals(db, Some(app.seed.tj), "2026-11")
            .await
            .unwrap(),
        MonthTotals::default()
    );
    assert_eq!(
        month_totals(db, None, "2026-10").await.unwrap(),
        MonthTotals::default()
    );
    assert!(month_totals(db, None, "2026-13").await.is_err());
}

#[tokio::test]
async fn another_companys_installer_sees_none_of_its_orders() {
    let app = TestApp::spawn().await;
    let (product, customer) = sale_setup(&app, "13700008002").await;
    let ours = provider(&app, "安居安装").await;
    let theirs = provider(&app, "别家安装").await;
    link(&app, ours, "u_installer").await;
    let other = other_installer(&app).await;
    link(&app, theirs, "az_other").await;
    // Only an installer can be linked, and only to one company.
    app.post_json(
        &format!("/installation-providers/{theirs}/users"),
        Role::CustomerDepartment,
        json!({"username": "u_technician"}),
    )
    .await
    .assert_invalid("username");
    app.post_json(
        &format!("/installation-providers/{theirs}/users"),
        Role::CustomerDepartment,
        json!({"username": "u_installer"}),
    )
    .await
    .assert_invalid("username");

    let order = sell(&app, product, customer, "AZ-SN-2").await;
    // Not yet sent: no company sees it.
    app.get(&format!("/installations/{}", order["id"]), Role::Installer)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let order = step_ok(
        &app,
        &order,
        "send",
        Role::ServiceSupervisor,
        send_body(ours),
    )
    .await;
    let path = format!("/installations/{}", order["id"]);
    app.get(&path, Role::Installer)
        .await
        .assert_status(StatusCode::OK);
    app.get(&path, Auth::Token(&other))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let listed = app.get("/installations", Auth::Token(&other)).await;
    assert_eq!(listed.body["total"], 0);
    step(
        &app,
        &order,
        "acknowledge",
        Auth::Token(&other),
        installers(),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    app.get(
        &format!("/installation-providers/{ours}"),
        Auth::Token(&other),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    let cards = app
        .get("/installation-scorecards", Auth::Token(&other))
        .await;
    assert_eq!(cards.body.as_array().unwrap().len(), 1);
    assert_eq!(cards.body[0]["provider"], "别家安装");
    // Installers neither record nor send orders.
    app.post_json(
        "/installations",
        Role::Installer,
        json!({"unit_id": order["unit_id"]}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);

    // A declined order goes back to the office and out of the company's sight.
    step(&app, &order, "decline", Role::Installer, json!({}))
        .await
        .assert_invalid("note");
    let order = step_ok(
        &app,
        &order,
        "decline",
        Role::Installer,
        json!({"note": "该区域人手不足"}),
    )
    .await;
    assert_eq!(order["status"], "new");
    assert!(order["provider_id"].is_null());
    app.get(&path, Role::Installer)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let order = step_ok(
        &app,
        &order,
        "send",
        Role::ServiceSupervisor,
        send_body(theirs),
    )
    .await;
    app.get(&path, Auth::Token(&other))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(order["provider"], "别家安装");
}

#[tokio::test]
async fn steps_out_of_order_or_on_a_stale_version_answer_409() {
    let app = TestApp::spawn().await;
    let (product, customer) = sale_setup(&app, "13700008003").await;
    let company = provider(&app, "安居安装").await;
    link(&app, company, "u_installer").await;
    let order = sell(&app, product, customer, "AZ-SN-3").await;
    step(
        &app,
        &order,
        "commission",
        Role::ServiceSupervisor,
        commissioning(),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "invalid_transition", Some("status"));
    let sent = step_ok(&app, &order, "send", Role::ServiceAgent, send_body(company)).await;
    // `order` still holds version 1.
    step(&app, &order, "acknowledge", Role::Installer, installers())
        .await
        .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
    // The office may record the acknowledgement for a company that answered by e-mail.
    let acked = step_ok(
        &app,
        &sent,
        "acknowledge",
        Role::ServiceSupervisor,
        installers(),
    )
    .await;
    assert_eq!(acked["status"], "acknowledged");
    let cancelled = step_ok(
        &app,
        &acked,
        "cancel",
        Role::ServiceAgent,
        json!({"note": "客户退货"}),
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled["next_events"].as_array().unwrap().is_empty());
}

async fn send_alerts(app: &TestApp) -> usize {
    let inbox = app.get("/notifications", Role::ServiceSupervisor).await;
    inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "installation_send_due")
        .count()
}

async fn installation_calls_due(app: &TestApp) -> Vec<Value> {
    let list = app.get("/follow-ups", Role::CustomerDepartment).await;
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["reason"] == "installation")
        .cloned()
        .collect()
}

#[tokio::test]
async fn t17_alerts_the_branch_supervisor_when_the_order_is_not_sent_within_4_hours() {
    let app = TestApp::spawn().await;
    let (product, customer) = sale_setup(&app, "13700008004").await;
    let company = provider(&app, "安居安装").await;
    let late = sell(&app, product, customer, "AZ-SN-4").await;
    let on_time = sell(&app, product, customer, "AZ-SN-5").await;
    step_ok(
        &app,
        &on_time,
        "send",
        Role::ServiceAgent,
        send_body(company),
    )
    .await;

    app.clock.set("2026-11-22T05:59:00Z".parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    assert_eq!(send_alerts(&app).await, 0);
    app.clock.set("2026-11-22T06:00:00Z".parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    assert_eq!(send_alerts(&app).await, 1, "only the unsent order alerts");
    let late = app
        .get(
            &format!("/installations/{}", late["id"]),
            Role::ServiceAgent,
        )
        .await;
    assert_eq!(late.body["send_overdue"], true);
    assert_eq!(late.body["events"][1]["event"], "send_overdue");
    // It fires once: a later run adds nothing; sending late still works and counts late.
    app.clock.set("2026-11-22T09:00:00Z".parse().unwrap());
    assert_eq!(
        aftersales_app::timers::run_due(&app.app, 10).await.unwrap(),
        0
    );
    assert_eq!(send_alerts(&app).await, 1);
    step_ok(
        &app,
        &late.body,
        "send",
        Role::ServiceAgent,
        send_body(company),
    )
    .await;
    let cards = app
        .get("/installation-scorecards", Role::ServiceSupervisor)
        .await;
    assert_eq!(
        (
            cards.body[0]["sent"].as_i64(),
            cards.body[0]["sent_on_time"].as_i64()
        ),
        (Some(2), Some(1))
    );
}

#[tokio::test]
async fn t18_puts_the_follow_up_call_on_the_list_3_days_after_completion() {
    let app = TestApp::spawn().await;
    let (product, customer) = sale_setup(&app, "13700008005").await;
    let company = provider(&app, "安居安装").await;
    link(&app, company, "u_installer").await;
    let order = sell(&app, product, customer, "AZ-SN-6").await;
    let order = completed(&app, &order, company).await;

    app.clock.set("2026-11-25T01:59:00Z".parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    assert!(installation_calls_due(&app).await.is_empty());
    app.clock.set("2026-11-25T02:00:00Z".parse().unwrap());
    aftersales_app::timers::run_due(&app.app, 10).await.unwrap();
    let calls = installation_calls_due(&app).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["due_on"], "2026-11-25");
    assert_eq!(calls[0]["customer_id"], customer);

    // Recording the rating closes the call.
    let order = app
        .get(
            &format!("/installations/{}", order["id"]),
            Role::CustomerDepartment,
        )
        .await
        .body
        .clone();
    assert_eq!(
        order["events"].as_array().unwrap().last().unwrap()["event"],
        "follow_up_due"
    );
    step_ok(
        &app,
        &order,
        "follow_up",
        Role::ServiceSupervisor,
        json!({"rating": 5}),
    )
    .await;
    assert!(installation_calls_due(&app).await.is_empty());
}

#[tokio::test]
async fn companies_are_kept_by_the_customer_department_with_valid_details() {
    let app = TestApp::spawn().await;
    let refused = app
        .post_json(
            "/installation-providers",
            Role::CustomerDepartment,
            json!({"name": "", "kind": "other", "email": "no-at", "agreement_start": "2026-05-01", "agreement_end": "2026-04-01"}),
        )
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "kind", "email", "agreement_end"] {
        assert!(
            refused.error_fields().iter().any(|f| f == field),
            "{field}: {}",
            refused.body
        );
    }
    let id = provider(&app, "安居安装").await;
    app.post_json(
        "/installation-providers",
        Role::CustomerDepartment,
        json!({"name": "安居安装", "kind": "provider"}),
    )
    .await
    .assert_invalid("name");
    let updated = app
        .put_json(
            &format!("/installation-providers/{id}"),
            Role::Admin,
            json!({"name": "安居安装服务", "kind": "internal", "active": false, "version": 1}),
        )
        .await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.body["kind"], "internal");
    app.put_json(
        &format!("/installation-providers/{id}"),
        Role::Admin,
        json!({"name": "安居安装服务", "kind": "internal", "version": 1}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
    // An inactive company cannot be sent work.
    let (product, customer) = sale_setup(&app, "13700008006").await;
    let order = sell(&app, product, customer, "AZ-SN-7").await;
    step(&app, &order, "send", Role::ServiceAgent, send_body(id))
        .await
        .assert_invalid("provider_id");
}
