//! QR labels (一物一码) and customer self-reports: the label API, the public phone page and
//! its multipart form (anonymous, double-submit CSRF cookie), the agents' queue scoped by
//! branch, confirming into a `portal` service order, rejecting, and throttling.

use aftersales_app::fault_reports::{self, PhotoUpload, ReportInput};
use aftersales_app::AppError;
use aftersales_domain::role::Role;
use aftersales_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::helpers::{customer_body, Auth, TestApp, PASSWORD};

/// A BJ customer with one unit and its label code: (customer, unit, code).
async fn labelled_unit(app: &TestApp, phone: &str, serial_no: &str) -> (i64, i64, String) {
    let customer = app
        .create_customer(customer_body(
            "王小明",
            phone,
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let customer_id = customer["id"].as_i64().unwrap();
    let unit = app.create_unit(customer_id, serial_no, "2026-06-01").await;
    let unit_id = unit["id"].as_i64().unwrap();
    let label = app
        .get(&format!("/units/{unit_id}/label"), Role::ServiceAgent)
        .await;
    label.assert_status(StatusCode::OK);
    let code = label.body["code"].as_str().unwrap().to_string();
    (customer_id, unit_id, code)
}

fn report(description: &str, phone: &str) -> ReportInput {
    ReportInput {
        description: description.into(),
        contact_name: Some("王先生".into()),
        contact_phone: phone.into(),
        preferred_time: Some("明天下午".into()),
    }
}

/// A token for a service agent of the TJ branch.
async fn tj_agent_token(app: &TestApp) -> String {
    let user = app
        .post_json(
            "/staff",
            Role::Admin,
            json!({"username": "tj_agent", "display_name": "天津接待员", "password": "long-enough-pw",
                   "org_unit_id": app.seed.tj, "roles": ["service_agent"]}),
        )
        .await;
    user.assert_status(StatusCode::CREATED);
    let token = app
        .post_json(
            "/api-tokens",
            Role::Admin,
            json!({"name": "tj", "user_id": user.id()}),
        )
        .await;
    token.assert_status(StatusCode::CREATED);
    token.body["secret"].as_str().unwrap().to_string()
}

fn pending_ids(body: &Value) -> Vec<i64> {
    body.as_array()
        .expect("list")
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

// ----- pages through the router -----

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

/// The value a `Set-Cookie` header gives `name`.
fn set_cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// The value of the hidden `_csrf` input of a rendered form.
fn csrf_field(html: &str) -> String {
    let after = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .expect("csrf field");
    after.split('"').next().unwrap().to_string()
}

/// A multipart body of text fields and files (field name, file name, type, bytes).
fn multipart_form(
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "fault-report-test-boundary-91b2";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, content_type, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Opens the public page and posts its form with the cookie it set.
async fn post_public_form(
    app: &TestApp,
    code: &str,
    lang: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> PageResponse {
    let form = page(
        app,
        Request::get(format!("/r/{code}"))
            .header(header::ACCEPT_LANGUAGE, lang)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    let cookie = set_cookie_value(&form.headers, "as_report").expect("csrf cookie");
    let csrf = csrf_field(&form.text);
    assert_eq!(cookie, csrf);
    let mut all_fields = vec![("_csrf", csrf.as_str())];
    all_fields.extend_from_slice(fields);
    let (content_type, body) = multipart_form(&all_fields, files);
    page(
        app,
        Request::post(format!("/r/{code}"))
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, format!("as_report={cookie}"))
            .header(header::ACCEPT_LANGUAGE, lang)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

// ----- tests -----

#[tokio::test]
async fn a_units_label_code_is_created_once_unguessable_and_stable() {
    let app = TestApp::spawn().await;
    let (_, unit, code) = labelled_unit(&app, "13900000001", "SN-L1").await;
    assert!(code.len() >= 16, "{code}");
    assert!(code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    let again = app.get(&format!("/units/{unit}/label"), Role::Admin).await;
    again.assert_status(StatusCode::OK);
    assert_eq!(again.body["code"], code.as_str());
    assert_eq!(again.body["unit_id"], unit);
    assert_eq!(again.body["path"], format!("/r/{code}"));
    assert!(
        again.body["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/r/{code}")),
        "{}",
        again.body
    );
    let (_, _, other) = labelled_unit(&app, "13900000002", "SN-L2").await;
    assert_ne!(code, other);
    // Another branch does not see the unit, so neither its label.
    let tj = tj_agent_token(&app).await;
    app.get(&format!("/units/{unit}/label"), Auth::Token(&tj))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn the_public_page_shows_the_model_and_a_masked_name_but_no_phone_or_address() {
    let app = TestApp::spawn().await;
    let (_, _, code) = labelled_unit(&app, "13900000003", "SN-P1").await;
    let public = page(
        &app,
        Request::get(format!("/r/{code}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.text.contains("KFR-35GW"), "{}", public.text);
    assert!(public.text.contains("王**"));
    assert!(!public.text.contains("王小明"));
    assert!(!public.text.contains("13900000003"));
    assert!(!public.text.contains("幸福路"));
    assert!(public.text.contains("capture=\"environment\""));
    let unknown = page(
        &app,
        Request::get("/r/no-such-code-000000")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_phone_is_refused_naming_the_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (_, _, code) = labelled_unit(&app, "13900000004", "SN-V1").await;
    let err = fault_reports::submit(&app.app, &code, &report("不制冷", "12345"), &[], None)
        .await
        .unwrap_err();
    match &err {
        AppError::Validation(errors) => {
            assert_eq!(errors.0[0].field, "contact_phone");
            assert_eq!(errors.0[0].code, "invalid_phone");
        }
        other => panic!("{other:?}"),
    }
    let err = fault_reports::submit(&app.app, &code, &report(" ", "13900000004"), &[], None)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Validation(ref e) if e.0[0].field == "description"));
    // Not an image, and too many photos.
    let text = PhotoUpload {
        file_name: "a.txt".into(),
        content_type: "text/plain".into(),
        bytes: b"hi".to_vec(),
    };
    let err = fault_reports::submit(&app.app, &code, &report("x", "13900000004"), &[text], None)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Validation(ref e) if e.0[0].code == "not_an_image"));
    let photo = PhotoUpload {
        file_name: "a.jpg".into(),
        content_type: "image/jpeg".into(),
        bytes: b"jpeg".to_vec(),
    };
    let six = vec![photo; 6];
    let err = fault_reports::submit(&app.app, &code, &report("x", "13900000004"), &six, None)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Validation(ref e) if e.0[0].code == "too_many_files"));

    // Through the public form: 422 with the message beside the field, in the visitor's language.
    let response = post_public_form(
        &app,
        &code,
        "en-US,en;q=0.9",
        &[("description", "No cooling"), ("contact_phone", "12345")],
        &[],
    )
    .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text
            .contains("data-field=\"contact_phone\">Not a valid phone number"),
        "{}",
        response.text
    );
    assert!(response.text.contains("No cooling"), "the form keeps input");
    let response = post_public_form(
        &app,
        &code,
        "zh-CN",
        &[("description", "不制冷"), ("contact_phone", "12345")],
        &[],
    )
    .await;
    assert!(response
        .text
        .contains("data-field=\"contact_phone\">电话号码格式不正确"));

    let listed = app.get("/fault-reports", Role::Admin).await;
    listed.assert_status(StatusCode::OK);
    assert_eq!(listed.body, json!([]));
}

#[tokio::test]
async fn the_public_form_end_to_end_lands_in_the_bj_queue_with_its_photos() {
    let app = TestApp::spawn().await;
    let (customer, unit, code) = labelled_unit(&app, "13900000005", "SN-E1").await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png";
    let response = post_public_form(
        &app,
        &code,
        "zh-CN",
        &[
            ("description", "空调漏水"),
            ("contact_name", "王先生"),
            ("contact_phone", "139-0000-0005"),
            ("preferred_time", "周六上午"),
        ],
        &[
            ("photos", "water.png", "image/png", png),
            ("photos", "", "application/octet-stream", b""),
        ],
    )
    .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.text);
    let location = response.headers[header::LOCATION].to_str().unwrap();
    assert!(
        location.starts_with(&format!("/r/{code}/done/")),
        "{location}"
    );
    let done = page(&app, Request::get(location).body(Body::empty()).unwrap()).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(
        done.text.contains("id=\"report-number\">R0"),
        "{}",
        done.text
    );

    // A CSRF-less post is refused.
    let (content_type, body) = multipart_form(
        &[("description", "x"), ("contact_phone", "13900000005")],
        &[],
    );
    let forged = page(
        &app,
        Request::post(format!("/r/{code}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let bj = app.get("/fault-reports", Role::ServiceAgent).await;
    bj.assert_status(StatusCode::OK);
    let reports = bj.body.as_array().unwrap();
    assert_eq!(reports.len(), 1, "{}", bj.body);
    let r = &reports[0];
    assert_eq!(r["unit_id"], unit);
    assert_eq!(r["customer_id"], customer);
    assert_eq!(r["status"], "pending");
    assert_eq!(r["description"], "空调漏水");
    assert_eq!(r["contact_phone"], "13900000005");
    assert_eq!(r["preferred_time"], "周六上午");
    assert_eq!(r["photos"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["photos"][0]["content_type"], "image/png");
    assert!(done.text.contains(r["number"].as_str().unwrap()));

    let tj = tj_agent_token(&app).await;
    let tj_list = app.get("/fault-reports", Auth::Token(&tj)).await;
    tj_list.assert_status(StatusCode::OK);
    assert_eq!(tj_list.body, json!([]));
    // TJ cannot act on it either.
    app.post_json(
        &format!("/fault-reports/{}/confirm", r["id"]),
        Auth::Token(&tj),
        json!({"version": 1, "fault_class": "hardware", "urgency": "normal"}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found", None);

    // The agent's queue page shows it with its photo, which the agent can open.
    let session = aftersales_app::auth::sign_in(&app.app, "u_service_agent", PASSWORD, "10.1.1.1")
        .await
        .unwrap();
    let queue = page(
        &app,
        Request::get("/fault-reports")
            .header(header::COOKIE, format!("as_session={}", session.token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.text.contains("空调漏水"));
    let photo_id = r["photos"][0]["id"].as_i64().unwrap();
    assert!(queue
        .text
        .contains(&format!("/fault-reports/photos/{photo_id}")));
    let photo = page(
        &app,
        Request::get(format!("/fault-reports/photos/{photo_id}"))
            .header(header::COOKIE, format!("as_session={}", session.token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(photo.status, StatusCode::OK);
    assert_eq!(photo.headers[header::CONTENT_TYPE], "image/png");

    // Confirming from the page redirects to the new order.
    let (content_type, body) = (
        "application/x-www-form-urlencoded",
        format!(
            "_csrf={}&version=1&fault_class=hardware&urgency=urgent",
            session.csrf_token
        ),
    );
    let confirmed = page(
        &app,
        Request::post(format!("/fault-reports/{}/confirm", r["id"]))
            .header(header::COOKIE, format!("as_session={}", session.token))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.text
    );
    let location = confirmed.headers[header::LOCATION].to_str().unwrap();
    let order_id: i64 = location
        .strip_prefix("/service-orders/")
        .expect("order page")
        .parse()
        .unwrap();
    let order = app
        .get(&format!("/service-orders/{order_id}"), Role::ServiceAgent)
        .await;
    order.assert_status(StatusCode::OK);
    assert_eq!(order.body["channel"], "portal");
    assert_eq!(order.body["urgency"], "urgent");
    assert_eq!(order.body["preferred_time"], "周六上午");
}

#[tokio::test]
async fn confirming_registers_a_portal_order_for_the_unit_and_customer_once() {
    let app = TestApp::spawn().await;
    let (customer, unit, code) = labelled_unit(&app, "13900000006", "SN-C1").await;
    let submitted = fault_reports::submit(
        &app.app,
        &code,
        &report("遥控器失灵", "13900000006"),
        &[],
        Some("10.9.9.9"),
    )
    .await
    .unwrap();
    app.clock.advance(jiff::SignedDuration::from_mins(30));
    let path = format!("/fault-reports/{}/confirm", submitted.id);
    // A stale version is refused and leaves the report pending.
    app.post_json(
        &path,
        Role::ServiceAgent,
        json!({"version": 7, "fault_class": "hardware", "urgency": "normal"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
    // A refused registration (bad fault class) gives the report back to the queue.
    app.post_json(
        &path,
        Role::ServiceAgent,
        json!({"version": 1, "fault_class": "nonsense", "urgency": "normal"}),
    )
    .await
    .assert_invalid("fault_class");
    let pending = app.get("/fault-reports", Role::ServiceAgent).await;
    assert_eq!(pending_ids(&pending.body), vec![submitted.id]);
    let version = pending.body[0]["version"].clone();

    let confirmed = app
        .post_json(
            &path,
            Role::ServiceAgent,
            json!({"version": version, "fault_class": "hardware", "urgency": "normal", "component": "遥控器"}),
        )
        .await;
    confirmed.assert_status(StatusCode::OK);
    let order = &confirmed.body["order"];
    assert_eq!(order["channel"], "portal");
    assert_eq!(order["unit_id"], unit);
    assert_eq!(order["customer_id"], customer);
    assert_eq!(order["status"], "registered");
    assert_eq!(order["preferred_time"], "明天下午");
    // The arrival clock starts when the customer reported, not when the agent confirmed.
    assert_eq!(order["received_at"], "2026-11-22T02:00:00Z");
    assert!(
        order["address"].as_str().unwrap().contains("幸福路"),
        "{order}"
    );
    assert!(order["fault_description"]
        .as_str()
        .unwrap()
        .starts_with("遥控器失灵"));
    assert_eq!(confirmed.body["report"]["status"], "confirmed");
    assert_eq!(confirmed.body["report"]["order_id"], order["id"]);

    // Confirming again does not register a second order.
    app.post_json(
        &path,
        Role::ServiceAgent,
        json!({"version": confirmed.body["report"]["version"], "fault_class": "hardware", "urgency": "normal"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_handled", None);
    let orders = app
        .get(
            &format!("/service-orders?q={}", order["number"].as_str().unwrap()),
            Role::ServiceAgent,
        )
        .await;
    assert_eq!(orders.body["total"], 1);
    let queue = app.get("/fault-reports", Role::ServiceAgent).await;
    assert_eq!(queue.body, json!([]));
    // The audit trail of the submission names the system, the confirmation the agent.
    let history = aftersales_store::entity::audit_record::Entity::find()
        .filter(aftersales_store::entity::audit_record::Column::Entity.eq("fault_report"))
        .all(&app.app.db)
        .await
        .unwrap();
    let actors: Vec<(String, String)> = history
        .into_iter()
        .map(|r| (r.action, r.actor_name))
        .collect();
    assert!(
        actors.contains(&("submit".into(), "system".into())),
        "{actors:?}"
    );
    assert!(
        actors.contains(&("confirm".into(), "u_service_agent".into())),
        "{actors:?}"
    );
}

#[tokio::test]
async fn rejecting_needs_a_reason_and_takes_the_report_off_the_queue() {
    let app = TestApp::spawn().await;
    let (_, _, code) = labelled_unit(&app, "13900000007", "SN-R1").await;
    let submitted =
        fault_reports::submit(&app.app, &code, &report("测试", "13900000007"), &[], None)
            .await
            .unwrap();
    let path = format!("/fault-reports/{}/reject", submitted.id);
    app.post_json(
        &path,
        Role::ServiceAgent,
        json!({"version": 1, "reason": "  "}),
    )
    .await
    .assert_invalid("reason");
    app.post_json(&path, Role::ServiceAgent, json!({"version": 1}))
        .await
        .assert_invalid("reason");
    let rejected = app
        .post_json(
            &path,
            Role::ServiceAgent,
            json!({"version": 1, "reason": "恶作剧"}),
        )
        .await;
    rejected.assert_status(StatusCode::OK);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["reject_reason"], "恶作剧");
    assert_eq!(rejected.body["order_id"], Value::Null);
    let queue = app.get("/fault-reports", Role::ServiceAgent).await;
    assert_eq!(queue.body, json!([]));
    // A technician may not handle reports.
    app.get("/fault-reports", Role::Technician)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden", None);
}

#[tokio::test]
async fn too_many_reports_on_one_label_answer_429_until_the_hour_passes() {
    let app = TestApp::spawn().await;
    let (_, _, code) = labelled_unit(&app, "13900000008", "SN-T1").await;
    for n in 0..fault_reports::MAX_PENDING_PER_LABEL_PER_HOUR {
        fault_reports::submit(
            &app.app,
            &code,
            &report(&format!("第{n}次"), "13900000008"),
            &[],
            None,
        )
        .await
        .expect("within the limit");
        app.clock.advance(jiff::SignedDuration::from_mins(1));
    }
    let err = fault_reports::submit(&app.app, &code, &report("又一次", "13900000008"), &[], None)
        .await
        .unwrap_err();
    match err {
        AppError::Throttled { retry_after_secs } => {
            assert!((1..=3600).contains(&retry_after_secs), "{retry_after_secs}")
        }
        other => panic!("{other:?}"),
    }
    // The public form answers 429 with a message in the visitor's language.
    let response = post_public_form(
        &app,
        &code,
        "en",
        &[("description", "again"), ("contact_phone", "13900000008")],
        &[],
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        response.text
    );
    assert!(response.headers.contains_key(header::RETRY_AFTER));
    assert!(
        response.text.contains("Too many reports"),
        "{}",
        response.text
    );

    app.clock.advance(jiff::SignedDuration::from_mins(60));
    fault_reports::submit(
        &app.app,
        &code,
        &report("一小时后", "13900000008"),
        &[],
        None,
    )
    .await
    .expect("a new hour");

    // One client address is limited over all labels too.
    let (_, _, other) = labelled_unit(&app, "13900000009", "SN-T2").await;
    let (_, _, third) = labelled_unit(&app, "13900000010", "SN-T3").await;
    let mut throttled = false;
    for n in 0..fault_reports::MAX_PER_CLIENT_PER_HOUR + 1 {
        let code = if n % 2 == 0 { &other } else { &third };
        let result = fault_reports::submit(
            &app.app,
            code,
            &report("x", "13900000009"),
            &[],
            Some("10.2.2.2"),
        )
        .await;
        if let Err(AppError::Throttled { .. }) = result {
            throttled = true;
            break;
        }
        // Handled reports do not count against a label, only against the client.
        let id = result.unwrap().id;
        app.post_json(
            &format!("/fault-reports/{id}/reject"),
            Role::ServiceAgent,
            json!({"version": 1, "reason": "测试"}),
        )
        .await
        .assert_status(StatusCode::OK);
    }
    assert!(throttled);
}

#[tokio::test]
async fn the_printable_label_page_has_the_qr_code_the_url_and_the_serial_number() {
    let app = TestApp::spawn().await;
    let (_, unit, code) = labelled_unit(&app, "13900000011", "SN-Q1").await;
    let session = aftersales_app::auth::sign_in(&app.app, "u_service_agent", PASSWORD, "10.1.1.2")
        .await
        .unwrap();
    let label = page(
        &app,
        Request::builder()
            .method(Method::GET)
            .uri(format!("/units/{unit}/label"))
            .header(header::HOST, "service.example.cn")
            .header(header::COOKIE, format!("as_session={}", session.token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(label.status, StatusCode::OK, "{}", label.text);
    assert!(label.text.contains("<svg"), "{}", label.text);
    assert!(!label.text.contains("<?xml"));
    assert!(label
        .text
        .contains(&format!("http://service.example.cn/r/{code}")));
    assert!(label.text.contains("SN-Q1"));
    assert!(label.text.contains("size: 50mm 30mm"));
    // The unit page links to it.
    let unit_page = page(
        &app,
        Request::get(format!("/units/{unit}"))
            .header(header::COOKIE, format!("as_session={}", session.token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(unit_page
        .text
        .contains(&format!("href=\"/units/{unit}/label\"")));
}
