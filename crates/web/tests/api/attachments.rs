//! Attachments on records.

use aftersales_domain::role::Role;
use axum::http::{header, StatusCode};

use crate::helpers::{customer_body, TestApp};

#[tokio::test]
async fn an_uploaded_file_is_listed_and_downloads_byte_for_byte() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(customer_body(
            "附件客户",
            "13000001111",
            app.seed.bj,
            app.seed.bj_urban,
        ))
        .await;
    let id = customer["id"].as_i64().unwrap();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let uploaded = app
        .post_file(
            &format!("/attachments/customer/{id}"),
            Role::Technician,
            "发票 扫描.pdf",
            bytes.clone(),
        )
        .await;
    uploaded.assert_status(StatusCode::CREATED);
    assert_eq!(uploaded.body["size_bytes"], 5000);
    assert_eq!(uploaded.body["file_name"], "发票 扫描.pdf");

    let list = app
        .get(&format!("/attachments/customer/{id}"), Role::ServiceAgent)
        .await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));
    let download = app
        .get(
            &format!("/attachments/{}/download", uploaded.id()),
            Role::ServiceAgent,
        )
        .await;
    download.assert_status(StatusCode::OK);
    assert_eq!(download.bytes, bytes);
    let disposition = download.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(
        disposition.contains("UTF-8''%E5%8F%91%E7%A5%A8%20"),
        "{disposition}"
    );

    // Another branch, or an empty file, or an unknown kind of record: refused.
    let tj = app
        .create_customer(customer_body(
            "天津附件",
            "13000002222",
            app.seed.tj,
            app.seed.tj_urban,
        ))
        .await;
    app.post_file(
        &format!("/attachments/customer/{}", tj["id"]),
        Role::Technician,
        "a.txt",
        b"x".to_vec(),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    app.post_file(
        &format!("/attachments/customer/{id}"),
        Role::Technician,
        "empty.txt",
        Vec::new(),
    )
    .await
    .assert_invalid("file");
    app.post_file(
        &format!("/attachments/planet/{id}"),
        Role::Admin,
        "a.txt",
        b"x".to_vec(),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}
