//! Opinion surveys: the next-day run creates one survey card per call exactly once, sends
//! it by the customer's channel, and a card answered through the one-time link, by the
//! customer department or by a portal user shows in the monthly report.

use aftersales_app::surveys;
use aftersales_domain::role::Role;
use aftersales_store::entity::{mail_outbox, notification, survey_card, timer};
use aftersales_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::helpers::{customer_body, TestApp};

/// Registers a call for a new BJ customer (with `email` when given); returns the order.
async fn call(app: &TestApp, name: &str, phone: &str, email: Option<&str>) -> Value {
    let mut body = customer_body(name, phone, app.seed.bj, app.seed.bj_urban);
    if let Some(email) = email {
        body["email"] = json!(email);
    }
    let customer = app.create_customer(body).await;
    let customer_id = customer["id"].as_i64().unwrap();
    order_for(app, customer_id).await
}

async fn order_for(app: &TestApp, customer_id: i64) -> Value {
    let response = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "phone", "customer_id": customer_id, "product_id": app.seed.product,
                   "fault_description": "空调不制冷", "fault_class": "hardware", "urgency": "normal"}),
        )
        .await;
    response.assert_status(StatusCode::CREATED);
    response.body
}

/// Dispatches an order to the seeded technician (certified first).
async fn dispatch(app: &TestApp, order: &Value) {
    let technician = app.user(Role::Technician);
    app.post_json(
        &format!("/staff/{technician}/qualifications"),
        Role::Admin,
        json!({"kind": "certificate", "product_category": "空调", "title": "空调维修上岗证", "issued_on": "2025-01-01"}),
    )
    .await;
    app.post_json(
        &format!("/service-orders/{}/dispatch", order["id"]),
        Role::ServiceSupervisor,
        json!({"version": order["version"], "technician_id": technician}),
    )
    .await
    .assert_status(StatusCode::OK);
}

/// Schedules the daily runs (as `serve` does), moves to the next morning and runs the
/// timers twice, as two runners would.
async fn next_morning(app: &TestApp) {
    surveys::ensure_survey_days(&app.app.db, app.app.now_ms())
        .await
        .unwrap();
    app.clock.advance(jiff::SignedDuration::from_hours(24));
    aftersales_app::timers::run_due(&app.app, 50).await.unwrap();
    aftersales_app::timers::run_due(&app.app, 50).await.unwrap();
}

/// The one-time token of a card sent by e-mail, read from the e-mail in the outbox.
async fn token_from_mail(app: &TestApp, card_id: i64) -> String {
    let mail = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::SubjectKind.eq("survey_card"))
        .filter(mail_outbox::Column::SubjectId.eq(card_id))
        .one(&app.app.db)
        .await
        .unwrap()
        .expect("survey e-mail");
    let body = mail.body.unwrap();
    let after = body.split("/s/").nth(1).expect("link in the e-mail");
    after.split_whitespace().next().unwrap().to_string()
}

struct PageResponse {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

async fn page(app: &TestApp, request: Request<Body>) -> PageResponse {
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    PageResponse {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// Opens the public answer page and posts its form; `with_cookie: false` leaves the CSRF
/// cookie out.
async fn answer_by_link(
    app: &TestApp,
    token: &str,
    fields: &[(&str, &str)],
    with_cookie: bool,
) -> PageResponse {
    let form = page(
        app,
        Request::get(format!("/s/{token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    let cookie = cookie_value(&form.headers, "as_survey").expect("csrf cookie");
    let mut all = vec![("_csrf", cookie.as_str())];
    all.extend_from_slice(fields);
    let mut request = Request::post(format!("/s/{token}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if with_cookie {
        request = request.header(header::COOKIE, format!("as_survey={cookie}"));
    }
    page(
        app,
        request
            .body(Body::from(serde_html_form::to_string(&all).unwrap()))
            .unwrap(),
    )
    .await
}

async fn cards_of_day(app: &TestApp, day: &str) -> Value {
    let list = app
        .get(
            &format!("/survey-cards?survey_date={day}&per_page=100"),
            Role::CustomerDepartment,
        )
        .await;
    list.assert_status(StatusCode::OK);
    list.body
}

fn card_of(list: &Value, order: &Value) -> Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["service_order_id"] == order["id"])
        .cloned()
        .unwrap_or_else(|| panic!("no card for order {}: {list}", order["id"]))
}

#[tokio::test]
async fn the_next_day_run_sends_one_card_per_call_by_the_customers_channel_exactly_once() {
    let app = TestApp::spawn().await;
    let by_mail = call(&app, "邮件客户", "13800000001", Some("kehu@example.com")).await;
    let by_sms = call(&app, "短信客户", "13800000002", None).await;
    let by_letter = call(&app, "信函客户", "010-66003344", None).await;
    let by_portal = order_for(&app, app.seed.portal_customer).await;

    // Nothing goes out on the day of the call.
    surveys::ensure_survey_days(&app.app.db, app.app.now_ms())
        .await
        .unwrap();
    aftersales_app::timers::run_due(&app.app, 50).await.unwrap();
    assert_eq!(cards_of_day(&app, "2026-11-22").await["total"], 0);

    next_morning(&app).await;
    let list = cards_of_day(&app, "2026-11-22").await;
    assert_eq!(list["total"], 4, "{list}");
    for (order, channel) in [
        (&by_mail, "email"),
        (&by_sms, "sms"),
        (&by_letter, "letter"),
        (&by_portal, "portal"),
    ] {
        let card = card_of(&list, order);
        assert_eq!(card["channel"], channel, "{card}");
        assert_eq!(card["status"], "sent");
    }
    // The e-mail is queued in the outbox with the one-time link; the portal user is told.
    let mails = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq("kehu@example.com"))
        .count(&app.app.db)
        .await
        .unwrap();
    assert_eq!(mails, 1);
    let card = card_of(&list, &by_mail);
    assert!(
        token_from_mail(&app, card["id"].as_i64().unwrap())
            .await
            .len()
            >= 32
    );
    let portal_notes = notification::Entity::find()
        .filter(notification::Column::UserId.eq(app.user(Role::Customer)))
        .filter(notification::Column::Kind.eq("survey_card"))
        .count(&app.app.db)
        .await
        .unwrap();
    assert_eq!(portal_notes, 1);
    let department_notes = notification::Entity::find()
        .filter(notification::Column::UserId.eq(app.user(Role::CustomerDepartment)))
        .filter(notification::Column::Kind.eq("survey_cards_sent"))
        .count(&app.app.db)
        .await
        .unwrap();
    assert_eq!(department_notes, 1);

    // More runs, later days and the same day's run scheduled again create nothing more.
    surveys::ensure_survey_days(&app.app.db, app.app.now_ms())
        .await
        .unwrap();
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 3));
    aftersales_app::timers::run_due(&app.app, 50).await.unwrap();
    aftersales_app::timers::run_due(&app.app, 50).await.unwrap();
    let cards = survey_card::Entity::find()
        .count(&app.app.db)
        .await
        .unwrap();
    assert_eq!(cards, 4);
    // The runner caught up day by day: one finished run per unit and day, the next pending.
    let bj_runs = timer::Entity::find()
        .filter(timer::Column::Kind.eq(surveys::DAILY))
        .filter(timer::Column::SubjectId.eq(app.seed.bj))
        .all(&app.app.db)
        .await
        .unwrap();
    let done: Vec<_> = bj_runs.iter().filter(|t| t.status == "done").collect();
    assert_eq!(done.len(), 4, "{bj_runs:?}");
    assert_eq!(bj_runs.iter().filter(|t| t.status == "pending").count(), 1);
}

#[tokio::test]
async fn a_card_answered_through_the_link_shows_in_the_technicians_monthly_ratings() {
    let app = TestApp::spawn().await;
    let order = call(&app, "评价客户", "13800000011", Some("pingjia@example.com")).await;
    dispatch(&app, &order).await;
    next_morning(&app).await;
    let card = card_of(&cards_of_day(&app, "2026-11-22").await, &order);
    let card_id = card["id"].as_i64().unwrap();
    assert_eq!(card["technician_id"], app.user(Role::Technician));
    let token = token_from_mail(&app, card_id).await;

    let answer = [
        ("attitude", "4"),
        ("technique", "3"),
        ("arrival", "2"),
        ("promise", "4"),
        ("remark", "师傅迟到了半小时"),
        ("remark_kind", "complaint"),
    ];
    // Without the CSRF cookie the answer is refused and nothing is stored.
    let forged = answer_by_link(&app, &token, &answer, false).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // A missing rating is named.
    let incomplete = answer_by_link(&app, &token, &answer[1..], true).await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        incomplete.text.contains("data-field=\"attitude\""),
        "{}",
        incomplete.text
    );

    let answered = answer_by_link(&app, &token, &answer, true).await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.text);
    // The link is single-use.
    let again = page(
        &app,
        Request::get(format!("/s/{token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(
        again.text.contains("id=\"survey-answered\""),
        "{}",
        again.text
    );
    assert!(!again.text.contains("id=\"survey-form\""));
    page(
        &app,
        Request::get("/s/not-a-token").body(Body::empty()).unwrap(),
    )
    .await
    .status
    .eq(&StatusCode::NOT_FOUND)
    .then_some(())
    .expect("unknown token answers 404");

    let card = app
        .get(
            &format!("/survey-cards/{card_id}"),
            Role::CustomerDepartment,
        )
        .await;
    card.assert_status(StatusCode::OK);
    assert_eq!(card.body["status"], "answered");
    assert_eq!(card.body["answered_via"], "link");
    assert_eq!(card.body["ratings"][0]["label"], "很满意");
    assert_eq!(card.body["ratings"][2]["label"], "尚可");
    assert_eq!(card.body["remark_kind"], "complaint");
    assert_eq!(card.body["needs_follow_up"], true);
    let follow_ups = app
        .get(
            "/survey-cards?needs_follow_up=true",
            Role::CustomerDepartment,
        )
        .await;
    assert_eq!(follow_ups.body["total"], 1);
    let told = notification::Entity::find()
        .filter(notification::Column::UserId.eq(app.user(Role::CustomerDepartment)))
        .filter(notification::Column::Kind.eq("survey_remark"))
        .count(&app.app.db)
        .await
        .unwrap();
    assert_eq!(told, 1);
    let call_back = app.get("/follow-ups", Role::CustomerDepartment).await;
    assert_eq!(call_back.body["items"][0]["reason"], "survey_remark");

    let report = app
        .get("/survey-report?month=2026-11", Role::ServiceSupervisor)
        .await;
    report.assert_status(StatusCode::OK);
    let row = report.body["technicians"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == app.user(Role::Technician))
        .cloned()
        .unwrap_or_else(|| panic!("technician row: {}", report.body));
    assert_eq!(row["sent"], 1);
    assert_eq!(row["answered"], 1);
    assert_eq!(row["response_rate"], 100.0);
    assert_eq!(row["aspects"][0]["aspect"], "attitude");
    assert_eq!(row["aspects"][0]["average"], 4.0);
    assert_eq!(row["aspects"][2]["average"], 2.0);
    assert_eq!(row["remarks"], 1);
    assert_eq!(report.body["branches"][0]["id"], app.seed.bj);
    let export = app
        .get(
            "/survey-report/export?month=2026-11",
            Role::CustomerDepartment,
        )
        .await;
    export.assert_status(StatusCode::OK);
    assert!(export.bytes.starts_with(b"PK"), "an .xlsx is a zip file");
    app.get("/survey-report?month=2026-13", Role::CustomerDepartment)
        .await
        .assert_invalid("month");

    // The complaint process takes the remark over (SURVEY-3 hook).
    surveys::link_remark_to_complaint(&app.app.db, card_id, 77, app.app.now_ms())
        .await
        .unwrap();
    let card = app
        .get(
            &format!("/survey-cards/{card_id}"),
            Role::CustomerDepartment,
        )
        .await;
    assert_eq!(card.body["needs_follow_up"], false);
    assert_eq!(card.body["complaint_id"], 77);
}

#[tokio::test]
async fn the_customer_department_enters_paper_answers_and_a_portal_user_answers_only_its_own() {
    let app = TestApp::spawn().await;
    let letter = call(&app, "回执客户", "010-66005566", None).await;
    let portal = order_for(&app, app.seed.portal_customer).await;
    next_morning(&app).await;
    let list = cards_of_day(&app, "2026-11-22").await;
    let letter_card = card_of(&list, &letter)["id"].as_i64().unwrap();
    let portal_card = card_of(&list, &portal)["id"].as_i64().unwrap();
    let path = format!("/survey-cards/{letter_card}/answer");

    let ratings = json!({"attitude": 3, "technique": 3, "arrival": 4, "promise": 3});
    app.post_json(&path, Role::CustomerDepartment, ratings.clone())
        .await
        .assert_invalid("answered_via");
    app.post_json(
        &path,
        Role::CustomerDepartment,
        json!({"attitude": 5, "technique": 3, "arrival": 4, "answered_via": "paper"}),
    )
    .await
    .assert_invalid("attitude");
    // A technician never answers (they are the ones rated).
    let mut paper = ratings.clone();
    paper["answered_via"] = json!("paper");
    app.post_json(&path, Role::Technician, paper.clone())
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let answered = app
        .post_json(&path, Role::CustomerDepartment, paper.clone())
        .await;
    answered.assert_status(StatusCode::OK);
    assert_eq!(answered.body["answered_via"], "paper");
    assert_eq!(answered.body["needs_follow_up"], false);
    app.post_json(&path, Role::CustomerDepartment, paper)
        .await
        .assert_error(StatusCode::CONFLICT, "already_answered", None);

    // The portal user sees only its own card and answers it.
    let mine = app.get("/survey-cards", Role::Customer).await;
    assert_eq!(mine.body["total"], 1, "{}", mine.body);
    assert_eq!(mine.body["items"][0]["id"], portal_card);
    app.get(&format!("/survey-cards/{letter_card}"), Role::Customer)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    let own = app
        .post_json(
            &format!("/survey-cards/{portal_card}/answer"),
            Role::Customer,
            json!({"attitude": 4, "technique": 4, "arrival": 4, "promise": 4, "remark": "希望增加周末上门"}),
        )
        .await;
    own.assert_status(StatusCode::OK);
    assert_eq!(own.body["answered_via"], "portal");
    assert_eq!(own.body["remark_kind"], "suggestion");
    app.get("/survey-report", Role::Customer)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    let report = app
        .get("/survey-report?month=2026-11", Role::CustomerDepartment)
        .await;
    assert_eq!(report.body["total"]["sent"], 2);
    assert_eq!(report.body["total"]["answered"], 2);
    assert_eq!(report.body["total"]["unanswered"], 0);
}

/// A 1×1 PNG, as the signature pad sends it.
const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

#[tokio::test]
async fn a_completed_call_puts_a_follow_up_on_the_due_list_until_the_customer_is_reached() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(customer_body(
            "回访客户",
            "13800000021",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let customer_id = customer["id"].as_i64().unwrap();
    let unit = app.create_unit(customer_id, "SN-FU-1", "2026-06-01").await;
    let registered = app
        .post_json(
            "/service-orders",
            Role::ServiceAgent,
            json!({"channel": "phone", "customer_id": customer_id, "unit_id": unit["id"],
                   "fault_description": "不制冷", "fault_class": "hardware", "urgency": "normal"}),
        )
        .await;
    registered.assert_status(StatusCode::CREATED);
    let mut order = registered.body;
    dispatch(&app, &order).await;
    order = app
        .get(&format!("/service-orders/{}", order["id"]), Role::Admin)
        .await
        .body;
    for (event, extra) in [
        ("record_contact", json!({})),
        ("check_in", json!({})),
        (
            "complete_on_site",
            json!({"note": "更换电容，试机正常", "signature_png": SIGNATURE}),
        ),
    ] {
        let mut body = json!({"version": order["version"]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let response = app
            .post_json(
                &format!("/service-orders/{}/{event}", order["id"]),
                Role::Technician,
                body,
            )
            .await;
        response.assert_status(StatusCode::OK);
        order = response.body;
    }

    let due = app.get("/follow-ups", Role::CustomerDepartment).await;
    due.assert_status(StatusCode::OK);
    assert_eq!(due.body["total"], 1, "{}", due.body);
    let item = &due.body["items"][0];
    assert_eq!(item["reason"], "order_completed");
    assert_eq!(item["service_order_id"], order["id"]);
    assert_eq!(item["due_on"], "2026-11-25");
    assert_eq!(item["overdue"], false);
    let id = item["id"].as_i64().unwrap();
    // Asking again for the same order adds nothing.
    let row =
        aftersales_store::entity::service_order::Entity::find_by_id(order["id"].as_i64().unwrap())
            .one(&app.app.db)
            .await
            .unwrap()
            .unwrap();
    assert!(!surveys::request_follow_up(
        &app.app.db,
        &surveys::FollowUpRequest::after_service(&row),
        app.app.now_ms()
    )
    .await
    .unwrap());

    let path = format!("/follow-ups/{id}/call");
    app.post_json(
        &path,
        Role::CustomerDepartment,
        json!({"outcome": "maybe", "version": 1}),
    )
    .await
    .assert_invalid("outcome");
    app.post_json(
        &path,
        Role::Technician,
        json!({"outcome": "reached", "version": 1}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    // Nobody answers: still due, one attempt counted.
    let unanswered = app
        .post_json(
            &path,
            Role::CustomerDepartment,
            json!({"outcome": "no_answer", "version": 1}),
        )
        .await;
    unanswered.assert_status(StatusCode::OK);
    assert_eq!(unanswered.body["status"], "due");
    assert_eq!(unanswered.body["attempts"], 1);
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 4));
    let overdue = app.get("/follow-ups", Role::CustomerDepartment).await;
    assert_eq!(overdue.body["items"][0]["overdue"], true);
    let reached = app
        .post_json(
            &path,
            Role::CustomerDepartment,
            json!({"outcome": "reached", "notes": "客户表示空调运行正常，很满意", "version": 2}),
        )
        .await;
    reached.assert_status(StatusCode::OK);
    assert_eq!(reached.body["status"], "done");
    assert!(reached.body["called_by"].is_string());
    app.post_json(
        &path,
        Role::CustomerDepartment,
        json!({"outcome": "reached", "version": 3}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_done", None);
    assert_eq!(
        app.get("/follow-ups", Role::CustomerDepartment).await.body["total"],
        0
    );
    let log = app
        .get("/follow-ups?status=done", Role::ServiceSupervisor)
        .await;
    assert_eq!(log.body["total"], 1);
    assert_eq!(
        log.body["items"][0]["notes"],
        "客户表示空调运行正常，很满意"
    );
    // Portal users have no follow-up list.
    app.get("/follow-ups", Role::Customer)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_service_department_user_cannot_hold_the_complaint_hotline_role() {
    let app = TestApp::spawn().await;
    let body = |username: &str, roles: &[&str]| {
        json!({"username": username, "display_name": "热线员", "password": "long-enough-pw",
               "org_unit_id": app.seed.hq, "roles": roles})
    };
    app.post_json(
        "/staff",
        Role::Admin,
        body("hotline_tech", &["complaint_hotline", "technician"]),
    )
    .await
    .assert_invalid("roles");
    let hotline = app
        .post_json(
            "/staff",
            Role::Admin,
            body("hotline_only", &["complaint_hotline"]),
        )
        .await;
    hotline.assert_status(StatusCode::CREATED);
    // Adding a service role later is refused the same way.
    let mut update = body("hotline_only", &["complaint_hotline", "service_supervisor"]);
    update["version"] = hotline.body["version"].clone();
    update.as_object_mut().unwrap().remove("password");
    app.put_json(&format!("/staff/{}", hotline.id()), Role::Admin, update)
        .await
        .assert_invalid("roles");
}
