//! Customers: creation, validation, duplicates, optimistic locking, search and the card.

use aftersales_domain::role::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{customer_body, TestApp};

#[tokio::test]
async fn creating_a_customer_answers_201_with_a_generated_number() {
    let app = TestApp::spawn().await;
    let body = customer_body("张三", "138 0013 8000", app.seed.bj, app.seed.bj_urban);
    let response = app.post_json("/customers", Role::ServiceAgent, body).await;
    response.assert_status(StatusCode::CREATED);
    let number = response.body["number"].as_str().expect("number");
    // Default pattern C{seq:6}; the seeded portal customer took C000001.
    assert_eq!(number, "C000002");
    assert_eq!(response.body["phone"], "13800138000", "stored normalised");
    assert_eq!(response.body["org_unit_id"], app.seed.bj);
    assert_eq!(response.body["version"], 1);

    let read = app
        .get(&format!("/customers/{}", response.id()), Role::ServiceAgent)
        .await;
    read.assert_status(StatusCode::OK);
    assert_eq!(read.body["number"], number);
    assert_eq!(read.body["name"], "张三");
}

#[tokio::test]
async fn an_invalid_phone_answers_422_naming_the_phone_in_the_common_error_body() {
    let app = TestApp::spawn().await;
    let body = customer_body("李四", "12345", app.seed.bj, app.seed.bj_urban);
    let response = app.post_json("/customers", Role::Admin, body).await;
    response.assert_invalid("phone");
    assert_eq!(response.body["errors"][0]["code"], "invalid_phone");
    assert!(!response.body["message"]
        .as_str()
        .unwrap_or_default()
        .is_empty());
}

#[tokio::test]
async fn a_duplicate_phone_answers_409_with_the_existing_number_unless_allowed() {
    let app = TestApp::spawn().await;
    let first = app
        .create_customer(customer_body(
            "王五",
            "13911112222",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let existing_number = first["number"].as_str().unwrap().to_string();

    // Same number written differently still counts as the same phone.
    let mut second = customer_body(
        "王五的兄弟",
        "+86 139-1111-2222",
        app.seed.bj,
        app.seed.bj_urban,
    );
    let response = app
        .post_json("/customers", Role::Admin, second.clone())
        .await;
    response.assert_error(StatusCode::CONFLICT, "duplicate_phone", Some("phone"));
    assert_eq!(response.body["detail"], existing_number.as_str());

    second["allow_duplicate_phone"] = json!(true);
    let response = app.post_json("/customers", Role::Admin, second).await;
    response.assert_status(StatusCode::CREATED);
    assert_ne!(response.body["number"], existing_number.as_str());
}

#[tokio::test]
async fn an_unknown_district_answers_422_naming_the_address() {
    let app = TestApp::spawn().await;
    let body = customer_body("赵六", "13700001111", app.seed.bj, 999_999);
    let response = app.post_json("/customers", Role::Admin, body).await;
    response.assert_invalid("addresses[0].district_id");
    assert_eq!(response.body["errors"][0]["code"], "unknown_district");
}

#[tokio::test]
async fn bad_input_stores_nothing() {
    let app = TestApp::spawn().await;
    let before = app.customer_count().await;
    let bad_bodies = [
        customer_body("赵六", "13700001111", app.seed.bj, 999_999),
        customer_body("", "13700001111", app.seed.bj, app.seed.bj_urban),
        customer_body("赵六", "not a phone", app.seed.bj, app.seed.bj_urban),
        json!({"kind": "alien", "name": "赵六", "phone": "13700001111"}),
        json!({"kind": "person", "name": "赵六", "phone": "13700001111",
               "contacts": [{"name": "联系人", "phone": "1"}]}),
    ];
    for body in bad_bodies {
        let response = app.post_json("/customers", Role::Admin, body).await;
        response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(app.customer_count().await, before);
    // The refusals used up no customer number either.
    let created = app
        .create_customer(customer_body(
            "赵六",
            "13700001111",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    assert_eq!(created["number"], "C000002");
    assert_eq!(app.customer_count().await, before + 1);
}

#[tokio::test]
async fn an_update_with_a_stale_version_answers_409() {
    let app = TestApp::spawn().await;
    let created = app
        .create_customer(customer_body(
            "钱七",
            "13600002222",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let path = format!("/customers/{}", created["id"]);
    let mut update = json!({
        "kind": "person", "name": "钱七（改）", "phone": "13600002222", "version": 1,
    });
    let response = app.put_json(&path, Role::Admin, update.clone()).await;
    response.assert_status(StatusCode::OK);
    assert_eq!(response.body["version"], 2);
    assert_eq!(response.body["name"], "钱七（改）");

    // A second client still holding version 1 loses.
    update["name"] = json!("钱七（旧）");
    let response = app.put_json(&path, Role::Admin, update).await;
    response.assert_error(StatusCode::CONFLICT, "stale", Some("version"));
    let read = app.get(&path, Role::Admin).await;
    assert_eq!(read.body["name"], "钱七（改）");
    assert_eq!(read.body["version"], 2);
}

#[tokio::test]
async fn an_unknown_customer_answers_404() {
    let app = TestApp::spawn().await;
    app.get("/customers/987654", Role::Admin)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    app.get("/customers/987654/card", Role::Admin)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    let update = json!({"kind": "person", "name": "无", "phone": "13600002222", "version": 1});
    app.put_json("/customers/987654", Role::Admin, update)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
}

async fn numbers_found(app: &TestApp, query: &str) -> Vec<String> {
    let response = app.get(&format!("/customers?q={query}"), Role::Admin).await;
    response.assert_status(StatusCode::OK);
    response.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn customers_are_found_by_name_phone_digits_and_address_text() {
    let app = TestApp::spawn().await;
    let zhou = app
        .create_customer(json!({
            "kind": "person", "name": "周八", "phone": "13512345678",
            "org_unit_id": app.seed.bj,
            "addresses": [{"district_id": app.seed.bj_urban, "detail": "和平里东街12号"}],
        }))
        .await;
    let wu = app
        .create_customer(json!({
            "kind": "company", "name": "吴氏贸易", "phone": "022-88887777",
            "org_unit_id": app.seed.tj,
            "addresses": [{"district_id": app.seed.tj_urban, "detail": "南京路100号"}],
        }))
        .await;
    let zhou_no = zhou["number"].as_str().unwrap().to_string();
    let wu_no = wu["number"].as_str().unwrap().to_string();

    // URL-encoded Chinese: 周八 and 吴氏, 和平里, 南京路.
    assert_eq!(
        numbers_found(&app, "%E5%91%A8%E5%85%AB").await,
        [zhou_no.as_str()]
    );
    assert_eq!(
        numbers_found(&app, "%E5%90%B4%E6%B0%8F").await,
        [wu_no.as_str()]
    );
    // Phone digits typed with separators still match the normalised number.
    assert_eq!(numbers_found(&app, "135-1234").await, [zhou_no.as_str()]);
    assert_eq!(numbers_found(&app, "8888%207777").await, [wu_no.as_str()]);
    assert_eq!(
        numbers_found(&app, "%E5%92%8C%E5%B9%B3%E9%87%8C").await,
        [zhou_no.as_str()]
    );
    assert_eq!(
        numbers_found(&app, "%E5%8D%97%E4%BA%AC%E8%B7%AF").await,
        [wu_no.as_str()]
    );
    assert!(numbers_found(&app, "%E4%B8%8D%E5%AD%98%E5%9C%A8")
        .await
        .is_empty());
}

#[tokio::test]
async fn a_phone_lookup_finds_customers_by_their_contacts_too() {
    let app = TestApp::spawn().await;
    let company = app
        .create_customer(json!({
            "kind": "company", "name": "郑氏集团", "phone": "010-12345678",
            "org_unit_id": app.seed.bj,
            "contacts": [{"name": "郑经理", "phone": "13300001234", "title": "采购"}],
        }))
        .await;
    let by_contact = app
        .get(
            "/customers/lookup?phone=133%200000%201234",
            Role::ServiceAgent,
        )
        .await;
    by_contact.assert_status(StatusCode::OK);
    let ids: Vec<i64> = by_contact
        .body
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [company["id"].as_i64().unwrap()]);

    let by_own = app
        .get("/customers/lookup?phone=01012345678", Role::ServiceAgent)
        .await;
    assert_eq!(by_own.body.as_array().map(Vec::len), Some(1));
    let nobody = app
        .get("/customers/lookup?phone=13300009999", Role::ServiceAgent)
        .await;
    assert_eq!(nobody.body.as_array().map(Vec::len), Some(0));
    app.get("/customers/lookup?phone=abc", Role::ServiceAgent)
        .await
        .assert_invalid("phone");
}

#[tokio::test]
async fn the_customer_card_lists_units_and_contracts() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(customer_body(
            "孙九",
            "13811112222",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let id = customer["id"].as_i64().unwrap();
    let unit = app.create_unit(id, "SN-CARD-1", "2026-10-01").await;
    let contract = app
        .create_contract(id, &[unit["id"].as_i64().unwrap()])
        .await;
    app.post_json(
        &format!("/customers/{id}/notes"),
        Role::ServiceAgent,
        json!({"body": "上门回访"}),
    )
    .await
    .assert_status(StatusCode::CREATED);

    let card = app
        .get(&format!("/customers/{id}/card"), Role::ServiceAgent)
        .await;
    card.assert_status(StatusCode::OK);
    assert_eq!(card.body["customer"]["id"], id);
    assert_eq!(card.body["addresses"].as_array().map(Vec::len), Some(1));
    assert_eq!(card.body["addresses"][0]["zone"], "urban");
    let units = card.body["units"].as_array().expect("units");
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["serial_no"], "SN-CARD-1");
    assert_eq!(units[0]["under_warranty"], true);
    let contracts = card.body["contracts"].as_array().expect("contracts");
    assert_eq!(contracts.len(), 1);
    assert_eq!(contracts[0]["number"], contract["number"]);
    assert_eq!(contracts[0]["unit_ids"], json!([unit["id"]]));
    assert_eq!(card.body["notes"][0]["body"], "上门回访");
}

#[tokio::test]
async fn an_unknown_referrer_answers_422_naming_it() {
    let app = TestApp::spawn().await;
    let mut body = customer_body("推荐", "13700002222", app.seed.bj, app.seed.bj_urban);
    body["referrer_id"] = json!(999_999);
    app.post_json("/customers", Role::Admin, body)
        .await
        .assert_invalid("referrer_id");
    // A real referrer is fine.
    let mut body = customer_body("推荐", "13700002222", app.seed.bj, app.seed.bj_urban);
    body["referrer_id"] = json!(app.seed.portal_customer);
    app.post_json("/customers", Role::Admin, body)
        .await
        .assert_status(StatusCode::CREATED);
}

/// SQLite's LIKE ignores ASCII case, PostgreSQL's does not: the same search must find the
/// same records on both.
#[tokio::test]
async fn search_ignores_the_case_of_latin_letters_on_every_database() {
    let app = TestApp::spawn().await;
    app.create_customer(json!({
        "kind": "company", "name": "ACME Trading", "phone": "13700003333",
        "email": "Info@Acme.cn", "org_unit_id": app.seed.bj,
    }))
    .await;
    for q in ["ACME", "acme", "Trading", "trading"] {
        let found = app.get(&format!("/customers?q={q}"), Role::Admin).await;
        assert_eq!(found.body["total"], 1, "q={q}: {}", found.body);
    }
    for q in ["KFR", "kfr"] {
        let found = app.get(&format!("/products?q={q}"), Role::Admin).await;
        assert_eq!(found.body["total"], 1, "q={q}: {}", found.body);
    }
}

#[tokio::test]
async fn a_class_other_than_the_computed_one_needs_a_reason() {
    let app = TestApp::spawn().await;
    let mut body = customer_body("大客户", "13700004444", app.seed.bj, app.seed.bj_urban);
    body["abc_class"] = json!("A");
    app.post_json("/customers", Role::Admin, body.clone())
        .await
        .assert_invalid("abc_override_reason");
    body["abc_override_reason"] = json!("集团战略客户");
    let created = app.post_json("/customers", Role::Admin, body).await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["abc_class"], "a");
    assert_eq!(created.body["abc_override_reason"], "集团战略客户");
}

#[tokio::test]
async fn branch_staff_cannot_move_a_customer_to_another_branch() {
    let app = TestApp::spawn().await;
    let created = app
        .create_customer(customer_body(
            "搬家客户",
            "13700005555",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let path = format!("/customers/{}", created["id"]);
    let update = json!({"kind": "person", "name": "搬家客户", "phone": "13700005555",
                        "org_unit_id": app.seed.tj, "version": 1});
    app.put_json(&path, Role::ServiceAgent, update.clone())
        .await
        .assert_invalid("org_unit_id");
    let moved = app.put_json(&path, Role::CustomerDepartment, update).await;
    moved.assert_status(StatusCode::OK);
    assert_eq!(moved.body["org_unit_id"], app.seed.tj);
    app.get(&path, Role::ServiceAgent)
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

/// Creation refuses a phone number already on file unless the caller confirms; changing a
/// customer's phone to one already on file must be held to the same rule.
#[tokio::test]
async fn an_update_to_a_phone_already_on_file_answers_409_unless_allowed() {
    let app = TestApp::spawn().await;
    let first = app
        .create_customer(customer_body(
            "甲",
            "13700006666",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let second = app
        .create_customer(customer_body(
            "乙",
            "13700007777",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let path = format!("/customers/{}", second["id"]);
    let mut update =
        json!({"kind": "person", "name": "乙", "phone": "137 0000 6666", "version": 1});
    let response = app.put_json(&path, Role::Admin, update.clone()).await;
    response.assert_error(StatusCode::CONFLICT, "duplicate_phone", Some("phone"));
    assert_eq!(response.body["detail"], first["number"]);
    update["allow_duplicate_phone"] = json!(true);
    app.put_json(&path, Role::Admin, update)
        .await
        .assert_status(StatusCode::OK);
}
