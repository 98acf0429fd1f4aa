//! The OpenAPI document describes exactly the routes the router serves.

use std::collections::BTreeSet;

use aftersales_domain::role::Role;
use axum::http::StatusCode;

use crate::helpers::{Auth, TestApp};
use crate::permissions::routes;

#[tokio::test]
async fn the_openapi_document_lists_every_route_under_api_v1() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/openapi.json", Auth::Anonymous).await;
    response.assert_status(StatusCode::OK);
    let paths = response.body["paths"].as_object().expect("paths");
    let documented: BTreeSet<String> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("path item")
                .keys()
                .filter(|k| matches!(k.as_str(), "get" | "post" | "put" | "delete" | "patch"))
                .map(move |method| {
                    format!(
                        "{} /api/v1{}",
                        method.to_uppercase(),
                        path.trim_start_matches("/api/v1")
                    )
                })
        })
        .collect();
    let served: BTreeSet<String> = routes()
        .iter()
        .map(|r| format!("{} /api/v1{}", r.method, r.template))
        .collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "served but not documented: {undocumented:?}\ndocumented but not in the test's table: {unknown:?}"
    );
    assert!(
        paths.keys().all(|p| p.starts_with("/api/v1/")),
        "{:?}",
        paths.keys()
    );
}

#[tokio::test]
async fn every_route_in_the_table_is_served() {
    // The fallback of /api/v1 answers 404 `not_found`, and a wrong method 405: neither may
    // happen for a documented route called as the administrator with a valid id.
    let app = TestApp::spawn().await;
    let unknown = app.get("/api/v1/no-such-route", Role::Admin).await;
    unknown.assert_error(StatusCode::NOT_FOUND, "not_found", None);
    let wrong_method = app.delete("/customers", Role::Admin).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
}
