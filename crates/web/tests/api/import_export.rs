//! Spreadsheet import (all rows or none) and export, in .xlsx and .csv.

use aftersales_domain::role::Role;
use aftersales_tabular::Format;
use axum::http::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

const CUSTOMER_HEADERS: &[&str] = &["名称", "电话", "类型", "区县", "地址", "网点"];

fn customer_row(name: &str, phone: &str, district: &str, branch: &str) -> Vec<String> {
    [name, phone, "个人", district, "建国路1号", branch]
        .map(str::to_string)
        .to_vec()
}

fn xlsx(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    aftersales_tabular::write(Format::Xlsx, "sheet", headers, rows).expect("write xlsx")
}

fn errors_of(report: &Value) -> Vec<(u64, String, String)> {
    report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_xlsx_with_one_bad_row_imports_nothing_and_names_the_row_and_field() {
    let app = TestApp::spawn().await;
    let before = app.customer_count().await;
    let file = xlsx(
        CUSTOMER_HEADERS,
        &[
            customer_row("导入一", "13100000001", "东城区", "BJ"),
            customer_row("导入二", "131-bad", "东城区", "BJ"),
            customer_row("导入三", "13100000003", "和平区", "TJ"),
        ],
    );
    let response = app
        .post_file(
            "/imports/customers",
            Role::CustomerDepartment,
            "customers.xlsx",
            file,
        )
        .await;
    response.assert_status(StatusCode::OK);
    assert_eq!(response.body["imported"], 0);
    // Header is line 1: the second data row is line 3.
    assert_eq!(
        errors_of(&response.body),
        [(3, "phone".to_string(), "invalid_phone".to_string())]
    );
    assert_eq!(app.customer_count().await, before);
}

#[tokio::test]
async fn a_clean_xlsx_imports_every_row() {
    let app = TestApp::spawn().await;
    let before = app.customer_count().await;
    let file = xlsx(
        CUSTOMER_HEADERS,
        &[
            customer_row("导入一", "13100000001", "东城区", "BJ"),
            customer_row("导入二", "13100000002", "昌平区", "BJ"),
            customer_row("导入三", "13100000003", "和平区", "TJ"),
        ],
    );
    let response = app
        .post_file(
            "/imports/customers",
            Role::CustomerDepartment,
            "customers.xlsx",
            file,
        )
        .await;
    response.assert_status(StatusCode::OK);
    assert_eq!(response.body["imported"], 3, "{}", response.body);
    assert_eq!(response.body["errors"], json!([]));
    assert_eq!(app.customer_count().await, before + 3);
    let found = app
        .get("/customers/lookup?phone=13100000003", Role::Admin)
        .await;
    let customer = &found.body[0];
    assert_eq!(customer["org_unit_id"], app.seed.tj);
    let card = app
        .get(&format!("/customers/{}/card", customer["id"]), Role::Admin)
        .await;
    assert_eq!(card.body["addresses"][0]["district"], "和平区");
    assert_eq!(card.body["addresses"][0]["detail"], "建国路1号");
}

#[tokio::test]
async fn rows_in_conflict_with_each_other_or_the_database_are_all_reported() {
    let app = TestApp::spawn().await;
    let file = xlsx(
        CUSTOMER_HEADERS,
        &[
            customer_row("甲", "13100000001", "东城区", "BJ"),
            // The same phone as the row above: a duplicate within the file.
            customer_row("乙", "13100000001", "东城区", "BJ"),
            customer_row("丙", "13100000002", "火星区", "BJ"),
            customer_row("丁", "13100000004", "东城区", "XX"),
        ],
    );
    let response = app
        .post_file("/imports/customers", Role::Admin, "customers.xlsx", file)
        .await;
    response.assert_status(StatusCode::OK);
    assert_eq!(response.body["imported"], 0);
    assert_eq!(
        errors_of(&response.body),
        [
            (3, "phone".to_string(), "duplicate_phone".to_string()),
            (4, "district".to_string(), "unknown_district".to_string()),
            (5, "branch".to_string(), "not_found".to_string()),
        ]
    );
    assert_eq!(app.customer_count().await, 1);
}

#[tokio::test]
async fn a_csv_file_imports_too_with_english_headers() {
    let app = TestApp::spawn().await;
    let csv = "name,phone,kind,district,address,branch\n\
               CSV客户一,13200000001,company,东城区,\"长安街1号, 3层\",BJ\n\
               CSV客户二,13200000002,person,宝坻区,宝坻路2号,TJ\n";
    let response = app
        .post_file(
            "/imports/customers",
            Role::Admin,
            "customers.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    response.assert_status(StatusCode::OK);
    assert_eq!(response.body["imported"], 2, "{}", response.body);
    let found = app.get("/customers?q=CSV", Role::Admin).await;
    assert_eq!(found.body["total"], 2);
    let second = app
        .get("/customers/lookup?phone=13200000002", Role::Admin)
        .await;
    let card = app
        .get(
            &format!("/customers/{}/card", second.body[0]["id"]),
            Role::Admin,
        )
        .await;
    assert_eq!(
        card.body["addresses"][0]["district_id"],
        app.seed.tj_suburban
    );
    assert_eq!(card.body["addresses"][0]["zone"], "suburban");

    let bad = "name,phone\nCSV客户三,\n";
    let response = app
        .post_file(
            "/imports/customers",
            Role::Admin,
            "bad.csv",
            bad.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(response.body["imported"], 0);
    assert_eq!(
        errors_of(&response.body),
        [(2, "phone".to_string(), "required".to_string())]
    );

    let export = app.get("/exports/customers?format=csv", Role::Admin).await;
    export.assert_status(StatusCode::OK);
    assert!(export.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let table = aftersales_tabular::read(&export.bytes, Format::Csv).expect("csv export reads");
    let phone = table.column(&["电话", "phone"]).expect("phone column");
    let address = table.column(&["地址", "address"]).expect("address column");
    let row = table
        .rows
        .iter()
        .find(|r| r.get(phone) == "13200000001")
        .expect("exported");
    assert_eq!(row.get(address), "长安街1号, 3层");
}

#[tokio::test]
async fn a_file_missing_a_required_column_is_reported_on_line_1() {
    let app = TestApp::spawn().await;
    let csv = "name,email\n某人,a@b.cn\n";
    let response = app
        .post_file(
            "/imports/customers",
            Role::Admin,
            "customers.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    response.assert_status(StatusCode::OK);
    assert_eq!(
        errors_of(&response.body),
        [(1, "phone".to_string(), "missing_column".to_string())]
    );
    let garbage = app
        .post_file(
            "/imports/customers",
            Role::Admin,
            "customers.xlsx",
            b"not a zip".to_vec(),
        )
        .await;
    garbage.assert_error(StatusCode::CONFLICT, "unreadable_file", Some("file"));
    app.post_file("/imports/nothing", Role::Admin, "x.csv", b"a\n1\n".to_vec())
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn exported_products_import_back_unchanged() {
    let app = TestApp::spawn().await;
    let mut seasonal = crate::helpers::product_body("KFR-72LW");
    seasonal["seasonal"] = json!(true);
    seasonal["bulky"] = json!(true);
    seasonal["returnable"] = json!(false);
    seasonal["warranty_months"] = json!(36);
    app.post_json("/products", Role::Admin, seasonal)
        .await
        .assert_status(StatusCode::CREATED);

    let export = app.get("/exports/products", Role::Admin).await;
    export.assert_status(StatusCode::OK);
    let disposition = export.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(
        disposition.contains("products-2026-11-22.xlsx"),
        "{disposition}"
    );
    let table = aftersales_tabular::read(&export.bytes, Format::Xlsx).expect("xlsx export reads");
    assert_eq!(table.rows.len(), 2);
    let model = table.column(&["型号", "model"]).expect("model column");

    // Import the same rows under new model numbers: they must come back identical.
    let headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            let mut cells: Vec<String> =
                (0..headers.len()).map(|i| row.get(i).to_string()).collect();
            cells[model] = format!("{}-COPY", cells[model]);
            cells
        })
        .collect();
    let response = app
        .post_file(
            "/imports/products",
            Role::CustomerDepartment,
            "products.xlsx",
            xlsx(&headers, &rows),
        )
        .await;
    response.assert_status(StatusCode::OK);
    assert_eq!(response.body["imported"], 2, "{}", response.body);

    let all = app.get("/products?per_page=200", Role::Admin).await;
    let products = all.body["items"].as_array().expect("items");
    assert_eq!(products.len(), 4);
    for original in products
        .iter()
        .filter(|p| !p["model"].as_str().unwrap().ends_with("-COPY"))
    {
        let copy_model = format!("{}-COPY", original["model"].as_str().unwrap());
        let copy = products
            .iter()
            .find(|p| p["model"] == copy_model.as_str())
            .unwrap_or_else(|| panic!("{copy_model} imported"));
        for field in [
            "name",
            "category",
            "warranty_months",
            "returnable",
            "sanbao",
            "bulky",
            "needs_installation",
            "seasonal",
            "components",
        ] {
            assert_eq!(copy[field], original[field], "{copy_model}.{field}");
        }
    }
    // Importing the original export again collides on every model.
    let response = app
        .post_file(
            "/imports/products",
            Role::Admin,
            "products.xlsx",
            export.bytes.clone(),
        )
        .await;
    assert_eq!(response.body["imported"], 0);
    assert_eq!(
        errors_of(&response.body),
        [
            (2, "model".to_string(), "already_exists".to_string()),
            (3, "model".to_string(), "already_exists".to_string()),
        ]
    );
}

#[tokio::test]
async fn units_import_by_model_and_customer_number() {
    let app = TestApp::spawn().await;
    let portal_number = app
        .get(
            &format!("/customers/{}", app.seed.portal_customer),
            Role::Admin,
        )
        .await
        .body["number"]
        .as_str()
        .unwrap()
        .to_string();
    let headers = ["序列号", "型号", "客户编号", "购买日期", "标价", "实付"];
    let row = |serial: &str, model: &str, date: &str| {
        vec![
            serial,
            model,
            portal_number.as_str(),
            date,
            "3,299.00",
            "2999.5",
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
    };
    let bad = xlsx(
        &headers,
        &[
            row("SN-I1", "KFR-35GW", "2026-01-01"),
            row("SN-I2", "NOPE", "2027-01-01"),
        ],
    );
    let response = app
        .post_file("/imports/units", Role::Admin, "units.xlsx", bad)
        .await;
    assert_eq!(response.body["imported"], 0);
    assert_eq!(
        errors_of(&response.body),
        [(3, "model".to_string(), "not_found".to_string())]
    );

    let good = xlsx(&headers, &[row("SN-I1", "KFR-35GW", "2026-01-01")]);
    let response = app
        .post_file("/imports/units", Role::Admin, "units.xlsx", good)
        .await;
    assert_eq!(response.body["imported"], 1, "{}", response.body);
    let units = app.get("/units?q=SN-I1", Role::Admin).await;
    let id = units.body["items"][0]["id"]
        .as_i64()
        .expect("imported unit");
    let unit = app.get(&format!("/units/{id}"), Role::Admin).await;
    assert_eq!(unit.body["list_price_fen"], 329_900);
    assert_eq!(unit.body["paid_price_fen"], 299_950);
    assert_eq!(unit.body["customer_id"], app.seed.portal_customer);
}

#[tokio::test]
async fn import_needs_the_sheets_write_permission_and_export_respects_branches() {
    let app = TestApp::spawn().await;
    let csv = "model,name,category\nGM-1,总经理的产品,空调\n"
        .as_bytes()
        .to_vec();
    // The general manager may import and export, but not write products.
    app.post_file(
        "/imports/products",
        Role::GeneralManager,
        "p.csv",
        csv.clone(),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden", None);
    app.post_file("/imports/products", Role::ServiceAgent, "p.csv", csv)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    app.create_customer(crate::helpers::customer_body(
        "津门客户",
        "13900000009",
        app.seed.tj,
        app.seed.tj_urban,
    ))
    .await;
    let export = app
        .get("/exports/customers?format=csv", Role::BranchManager)
        .await;
    export.assert_status(StatusCode::OK);
    let text = String::from_utf8_lossy(&export.bytes);
    assert!(text.contains("门户客户有限公司"), "{text}");
    assert!(
        !text.contains("津门客户"),
        "a BJ manager exports BJ only: {text}"
    );
    app.get("/exports/customers?format=pdf", Role::Admin)
        .await
        .assert_invalid("format");
}
