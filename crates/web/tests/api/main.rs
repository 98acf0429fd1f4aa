//! HTTP/API integration tests: every test gets a fresh database (SQLite by default,
//! PostgreSQL when `AFTERSALES_TEST_PG_URL` is set), a seeded organisation and one bearer
//! token per role, and talks to the real router through `tower::ServiceExt::oneshot`.

mod helpers;

mod smoke {
    use aftersales_domain::role::Role;
    use axum::http::StatusCode;

    use crate::helpers::TestApp;

    #[tokio::test]
    async fn every_seeded_role_is_recognised_by_its_token() {
        let app = TestApp::spawn().await;
        for role in Role::ALL {
            let response = app.get("/me", *role).await;
            response.assert_status(StatusCode::OK);
            assert_eq!(response.body["roles"][0], role.as_str());
        }
    }
}
