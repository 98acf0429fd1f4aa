//! Working calendars over HTTP: built-ins are listed and read-only (409
//! `builtin_read_only`: the calendar exists and the caller may be an administrator, it is the
//! record's nature that refuses the change), copies are editable, holiday imports name a bad
//! line, and the arithmetic answers in the calendar's zone.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

const ISSUE_DEADLINE: &str =
    "/calendars/cn-standard/deadline?start=2026-10-08T04:35:00%2B08:00&duration=48h";

#[tokio::test]
async fn built_in_calendars_are_listed_readable_and_not_editable() {
    let app = TestApp::spawn().await;
    let list = app.get("/calendars", Role::Technician).await;
    list.assert_status(StatusCode::OK);
    let builtin: Vec<&str> = list
        .body
        .as_array()
        .expect("array")
        .iter()
        .filter(|c| c["builtin"] == true)
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(builtin, ["cn-standard", "24x7"]);

    let cn = app.get("/calendars/cn-standard", Role::Technician).await;
    cn.assert_status(StatusCode::OK);
    assert_eq!(cn.body["time_zone"], "Asia/Shanghai");
    assert_eq!(
        cn.body["periods"]["fri"],
        json!(["09:00-12:00", "13:00-18:00"])
    );

    app.put_json(
        "/calendars/cn-standard",
        Role::Admin,
        json!({"name": "改", "time_zone": "Asia/Shanghai", "periods": {"mon": ["09:00-18:00"]}, "version": 0}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "builtin_read_only", Some("code"));
    app.post_json(
        "/calendars/cn-standard/holidays",
        Role::Admin,
        json!({"format": "csv", "text": "2026-12-24,holiday"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "builtin_read_only", Some("code"));
    app.delete("/calendars/cn-standard/days/2026-10-01", Role::Admin)
        .await
        .assert_error(StatusCode::CONFLICT, "builtin_read_only", Some("code"));
    app.get("/calendars/nowhere", Role::Admin)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn the_deadline_endpoint_answers_the_issue_example() {
    let app = TestApp::spawn().await;
    let answer = app.get(ISSUE_DEADLINE, Role::Technician).await;
    answer.assert_status(StatusCode::OK);
    assert_eq!(answer.body["deadline"], "2026-10-14T18:00:00+08:00");
    assert_eq!(answer.body["start"], "2026-10-08T04:35:00+08:00");
    // The same instant given in UTC answers in the calendar's zone, not the caller's.
    let utc = app
        .get(
            "/calendars/cn-standard/deadline?start=2026-10-07T20:35:00Z&duration=48h",
            Role::Technician,
        )
        .await;
    assert_eq!(utc.body["deadline"], "2026-10-14T18:00:00+08:00");
    let elapsed = app
        .get(
            "/calendars/cn-standard/elapsed?from=2026-10-08T04:35:00%2B08:00&to=2026-10-14T18:00:00%2B08:00",
            Role::Technician,
        )
        .await;
    elapsed.assert_status(StatusCode::OK);
    assert_eq!(elapsed.body["elapsed"], "48h");
    assert_eq!(elapsed.body["elapsed_seconds"], 48 * 3600);
    app.get(
        "/calendars/cn-standard/deadline?start=soon&duration=6h",
        Role::Technician,
    )
    .await
    .assert_invalid("start");
    app.get(
        "/calendars/24x7/deadline?start=2026-10-08T04:35:00%2B08:00&duration=2d",
        Role::Technician,
    )
    .await
    .assert_invalid("duration");
    let always = app
        .get(
            "/calendars/24x7/deadline?start=2026-10-08T04:35:00%2B08:00&duration=48h",
            Role::Technician,
        )
        .await;
    assert_eq!(always.body["deadline"], "2026-10-10T04:35:00+08:00");
}

#[tokio::test]
async fn a_copy_of_cn_standard_takes_a_holiday_and_the_deadline_moves() {
    let app = TestApp::spawn().await;
    app.post_json(
        "/calendars",
        Role::Technician,
        json!({"code": "acme", "name": "本公司", "copy_from": "cn-standard"}),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden", None);
    let created = app
        .post_json(
            "/calendars",
            Role::Admin,
            json!({"code": "acme", "name": "本公司", "copy_from": "cn-standard"}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["builtin"], false);
    assert_eq!(created.body["version"], 1);
    app.post_json(
        "/calendars",
        Role::Admin,
        json!({"code": "acme", "name": "again", "copy_from": "cn-standard"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_exists", Some("code"));

    let deadline = "/calendars/acme/deadline?start=2026-10-08T04:35:00%2B08:00&duration=48h";
    assert_eq!(
        app.get(deadline, Role::Technician).await.body["deadline"],
        "2026-10-14T18:00:00+08:00"
    );
    let imported = app
        .post_json(
            "/calendars/acme/holidays",
            Role::Admin,
            json!({"format": "csv", "text": "2026-10-14,holiday,Founders' Day,公司纪念日", "replace": false}),
        )
        .await;
    imported.assert_status(StatusCode::OK);
    assert_eq!(imported.body["imported"], 1);
    assert_eq!(imported.body["calendar"]["version"], 2);
    assert_eq!(
        app.get(deadline, Role::Technician).await.body["deadline"],
        "2026-10-15T18:00:00+08:00"
    );

    let deleted = app
        .delete("/calendars/acme/days/2026-10-14", Role::Admin)
        .await;
    deleted.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(deadline, Role::Technician).await.body["deadline"],
        "2026-10-14T18:00:00+08:00"
    );

    // Editing the periods: a stale version is refused, the current one accepted.
    let edit = |version: i64| {
        json!({"name": "本公司", "time_zone": "Asia/Shanghai", "version": version,
               "periods": {"mon": ["08:00-12:00", "13:00-17:00"], "tue": ["08:00-12:00", "13:00-17:00"]}})
    };
    app.put_json("/calendars/acme", Role::Admin, edit(1))
        .await
        .assert_error(StatusCode::CONFLICT, "stale", Some("version"));
    let updated = app.put_json("/calendars/acme", Role::Admin, edit(3)).await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(
        updated.body["periods"]["mon"],
        json!(["08:00-12:00", "13:00-17:00"])
    );
    assert_eq!(updated.body["periods"]["wed"], json!([]));
}

#[tokio::test]
async fn a_bad_import_line_answers_422_naming_it_and_stores_nothing() {
    let app = TestApp::spawn().await;
    app.post_json(
        "/calendars",
        Role::Admin,
        json!({"code": "acme", "name": "本公司", "copy_from": "cn-standard"}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let before = app.get("/calendars/acme", Role::Admin).await.body;

    let csv = app
        .post_json(
            "/calendars/acme/holidays",
            Role::Admin,
            json!({"format": "csv", "text": "date,kind\n2026-12-24,holiday\n2026-12-25,feast\n", "replace": true}),
        )
        .await;
    csv.assert_invalid("line 3");
    assert_eq!(csv.body["errors"][0]["code"], "invalid_day_kind");

    let ics = app
        .post_json(
            "/calendars/acme/holidays",
            Role::Admin,
            json!({"format": "ics", "replace": true,
                   "text": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\nSUMMARY:Eve\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:no start\nEND:VEVENT\nEND:VCALENDAR\n"}),
        )
        .await;
    ics.assert_invalid("line 6");
    assert_eq!(ics.body["errors"][0]["code"], "missing_dtstart");

    let after = app.get("/calendars/acme", Role::Admin).await.body;
    assert_eq!(after, before, "a refused import changes nothing");

    let good = app
        .post_json(
            "/calendars/acme/holidays",
            Role::Admin,
            json!({"format": "ics", "replace": true,
                   "text": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\nDTEND;VALUE=DATE:20261226\nSUMMARY:Christmas\nEND:VEVENT\nEND:VCALENDAR\n"}),
        )
        .await;
    good.assert_status(StatusCode::OK);
    assert_eq!(
        good.body["calendar"]["days"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn overlapping_periods_and_unknown_calendars_are_refused() {
    let app = TestApp::spawn().await;
    let overlapping = app
        .post_json(
            "/calendars",
            Role::Admin,
            json!({"code": "split", "name": "两班", "periods": {"wed": ["09:00-13:00", "12:00-18:00"]}}),
        )
        .await;
    overlapping.assert_invalid("periods.wed");
    assert_eq!(overlapping.body["errors"][0]["code"], "overlapping_periods");
    app.post_json(
        "/calendars",
        Role::Admin,
        json!({"code": "split", "name": "两班", "time_zone": "Europe/Atlantis",
               "periods": {"wed": ["09:00-12:00", "13:00-18:00"]}}),
    )
    .await
    .assert_invalid("time_zone");
    app.post_json(
        "/calendars",
        Role::Admin,
        json!({"code": "split", "name": "两班", "copy_from": "nowhere"}),
    )
    .await
    .assert_invalid("copy_from");

    app.post_json(
        "/org-units",
        Role::Admin,
        json!({"code": "SH", "name": "上海分公司", "kind": "branch", "parent_id": app.seed.hq,
               "calendar_code": "mars-time"}),
    )
    .await
    .assert_invalid("calendar_code");
    let unit = app
        .post_json(
            "/org-units",
            Role::Admin,
            json!({"code": "SH", "name": "上海分公司", "kind": "branch", "parent_id": app.seed.hq,
                   "calendar_code": "24x7"}),
        )
        .await;
    unit.assert_status(StatusCode::CREATED);
    assert_eq!(unit.body["calendar_code"], "24x7");
}

#[tokio::test]
async fn customers_and_contracts_carry_their_own_calendar() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(
            json!({"kind": "company", "name": "全天候公司", "phone": "010-66002233",
                                "org_unit_id": app.seed.bj, "calendar_code": "24x7"}),
        )
        .await;
    assert_eq!(customer["calendar_code"], "24x7");
    let contract = app
        .post_json(
            "/contracts",
            Role::Admin,
            json!({"customer_id": customer["id"], "start_date": "2026-11-01", "end_date": "2027-10-31",
                   "fee_fen": 120000, "calendar_code": "mars-time"}),
        )
        .await;
    contract.assert_invalid("calendar_code");
    let contract = app
        .post_json(
            "/contracts",
            Role::Admin,
            json!({"customer_id": customer["id"], "start_date": "2026-11-01", "end_date": "2027-10-31",
                   "fee_fen": 120000, "calendar_code": "cn-standard"}),
        )
        .await;
    contract.assert_status(StatusCode::CREATED);
    assert_eq!(contract.body["calendar_code"], "cn-standard");
    let reference = app
        .app
        .reference
        .snapshot(&app.app.db)
        .await
        .expect("reference");
    let effective = aftersales_app::calendars::effective_calendar(
        &app.app.db,
        &reference,
        Some(app.seed.bj),
        customer["id"].as_i64(),
        Some(contract.id()),
    )
    .await
    .expect("effective");
    assert_eq!(effective.code(), "cn-standard");
    let effective = aftersales_app::calendars::effective_calendar(
        &app.app.db,
        &reference,
        Some(app.seed.bj),
        customer["id"].as_i64(),
        None,
    )
    .await
    .expect("effective");
    assert_eq!(effective.code(), "24x7");
}

/// The pages, through the router with a real session cookie.
mod pages {
    use aftersales_domain::role::Role;
    use axum::body::Body;
    use axum::http::{header, Method, Request, StatusCode};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use crate::helpers::{TestApp, PASSWORD};

    struct Browser<'a> {
        app: &'a TestApp,
        cookie: String,
        csrf: String,
    }

    impl Browser<'_> {
        async fn send(
            &self,
            method: Method,
            path: &str,
            content_type: Option<&str>,
            body: Vec<u8>,
        ) -> (StatusCode, String, String) {
            let mut builder = Request::builder()
                .method(method)
                .uri(path)
                .header(header::COOKIE, &self.cookie)
                .header(header::ACCEPT_LANGUAGE, "zh-CN");
            if let Some(content_type) = content_type {
                builder = builder.header(header::CONTENT_TYPE, content_type);
            }
            let response = self
                .app
                .router
                .clone()
                .oneshot(builder.body(Body::from(body)).expect("request"))
                .await
                .expect("infallible");
            let status = response.status();
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let bytes = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            (
                status,
                location,
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        }

        async fn get(&self, path: &str) -> (StatusCode, String) {
            let (status, _, body) = self.send(Method::GET, path, None, Vec::new()).await;
            (status, body)
        }

        async fn post_form(
            &self,
            path: &str,
            fields: &[(&str, &str)],
        ) -> (StatusCode, String, String) {
            let mut body = format!("_csrf={}", aftersales_web_urlencode(&self.csrf));
            for (name, value) in fields {
                body.push_str(&format!("&{name}={}", aftersales_web_urlencode(value)));
            }
            self.send(
                Method::POST,
                path,
                Some("application/x-www-form-urlencoded"),
                body.into_bytes(),
            )
            .await
        }

        async fn post_multipart(
            &self,
            path: &str,
            fields: &[(&str, &str)],
        ) -> (StatusCode, String) {
            let boundary = "calendar-test-boundary";
            let mut body = String::new();
            for (name, value) in [("_csrf", self.csrf.as_str())].iter().chain(fields) {
                body.push_str(&format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                ));
            }
            body.push_str(&format!("--{boundary}--\r\n"));
            let (status, _, html) = self
                .send(
                    Method::POST,
                    path,
                    Some(&format!("multipart/form-data; boundary={boundary}")),
                    body.into_bytes(),
                )
                .await;
            (status, html)
        }
    }

    fn aftersales_web_urlencode(text: &str) -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    async fn browser(app: &TestApp) -> Browser<'_> {
        let session = aftersales_app::auth::sign_in(
            &app.app,
            &format!("u_{}", Role::Admin.as_str()),
            PASSWORD,
            "10.9.9.9",
        )
        .await
        .expect("sign in");
        Browser {
            app,
            cookie: format!("as_session={}", session.token),
            csrf: session.csrf_token,
        }
    }

    #[tokio::test]
    async fn administrators_copy_edit_and_import_through_the_pages() {
        let app = TestApp::spawn().await;
        let b = browser(&app).await;
        let (status, html) = b.get("/calendars").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("cn-standard") && html.contains("calendar-form"));
        let (status, html) = b.get("/org").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("href=\"/calendars\""));

        let (status, location, _) = b
            .post_form(
                "/calendars",
                &[
                    ("code", "acme"),
                    ("name", "本公司"),
                    ("copy_from", "cn-standard"),
                ],
            )
            .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/calendars/acme")
        );
        let (status, html) = b.get("/calendars/acme").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("definition-form") && html.contains("国庆节"));

        let week = |mon: &'static str| {
            vec![
                ("name", "本公司"),
                ("time_zone", "Asia/Shanghai"),
                ("mon", mon),
                ("tue", "09:00-12:00, 13:00-18:00"),
                ("version", "1"),
            ]
        };
        let (status, _, html) = b
            .post_form("/calendars/acme", &week("09:00-13:00, 12:00-18:00"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("data-field=\"mon\""), "{html}");
        let (status, _, _) = b
            .post_form("/calendars/acme", &week("08:30-12:00 13:00-17:30"))
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, html) = b.get("/calendars/acme").await;
        assert!(html.contains("08:30-12:00, 13:00-17:30"));

        let (status, html) = b
            .post_multipart(
                "/calendars/acme/holidays",
                &[("text", "2026-12-24,holiday,Eve\n2026-12-99,holiday")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("第2行"), "{html}");
        let (status, html) = b
            .post_multipart(
                "/calendars/acme/holidays",
                &[("text", "2026-12-24,holiday,Eve")],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("import-notice") && html.contains("2026-12-24"));
        let (status, location, _) = b
            .post_form("/calendars/acme/days/2026-12-24/delete", &[])
            .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/calendars/acme")
        );

        let (status, html) = b
            .get("/calendars/cn-standard?start=2026-10-08T04%3A35&duration=48h")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("2026-10-14T18:00:00+08:00"), "{html}");
        assert!(html.contains("builtin-note") && !html.contains("definition-form"));

        // The contract form offers the calendars.
        let customer = app
            .create_customer(
                serde_json::json!({"kind": "person", "name": "选日历", "phone": "13900001111",
                                                "org_unit_id": app.seed.bj}),
            )
            .await;
        let (status, html) = b
            .get(&format!("/contracts/new?customer_id={}", customer["id"]))
            .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("name=\"calendar_code\"") && html.contains("value=\"acme\""));
    }
}
