//! Discipline incidents (STAFF-6): opened by hand or by another area's rule in its own
//! transaction, decided by the branch manager, with dismissal reserved to the general
//! manager.

use aftersales_app::staff_conduct::{self, NewIncident};
use aftersales_domain::role::Role;
use aftersales_store::entity::notification;
use aftersales_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn an_incident_is_opened_with_evidence_and_decided_by_the_right_manager() {
    let app = TestApp::spawn().await;
    let technician = app.user(Role::Technician);
    app.post_json(
        "/discipline-incidents",
        Role::ServiceSupervisor,
        json!({"staff_id": technician, "kind": "sleeping"}),
    )
    .await
    .assert_invalid("kind");
    let opened = app
        .post_json(
            "/discipline-incidents",
            Role::ServiceSupervisor,
            json!({"staff_id": technician, "kind": "absenteeism", "description": "约定上门未到，事先未报告"}),
        )
        .await;
    opened.assert_status(StatusCode::CREATED);
    assert_eq!(opened.body["status"], "open");
    assert_eq!(opened.body["source"], "manual");
    let id = opened.id();
    // The branch manager is told.
    let told = notification::Entity::find()
        .filter(notification::Column::UserId.eq(app.user(Role::BranchManager)))
        .filter(notification::Column::Kind.eq("discipline_incident"))
        .count(&app.app.db)
        .await
        .unwrap();
    assert_eq!(told, 1);

    let path = format!("/discipline-incidents/{id}/decision");
    // A fine needs its amount; a branch manager cannot dismiss a staff member.
    app.post_json(
        &path,
        Role::BranchManager,
        json!({"approve": true, "sanction": "fine", "version": 1}),
    )
    .await
    .assert_invalid("fine_fen");
    app.post_json(
        &path,
        Role::BranchManager,
        json!({"approve": true, "sanction": "dismissal", "version": 1}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post_json(
        &path,
        Role::ServiceSupervisor,
        json!({"approve": true, "sanction": "warning", "version": 1}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let fined = app
        .post_json(
            &path,
            Role::BranchManager,
            json!({"approve": true, "sanction": "fine", "fine_fen": 10_000, "note": "按规定罚款", "version": 1}),
        )
        .await;
    fined.assert_status(StatusCode::OK);
    assert_eq!(fined.body["status"], "approved");
    assert_eq!(fined.body["fine_fen"], 10_000);
    assert!(fined.body["decided_by"].is_string());
    app.post_json(
        &path,
        Role::BranchManager,
        json!({"approve": false, "version": 2}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "already_decided", None);

    // Another area opens one in its own transaction (e.g. a complaint naming the
    // technician); the general manager may dismiss the staff member.
    let txn = app.app.write_txn().await.unwrap();
    let by_rule = staff_conduct::open_incident(
        &txn,
        &NewIncident {
            staff_id: technician,
            kind: "service_quality_fault".into(),
            description: Some("与客户争吵".into()),
            complaint_id: Some(5),
            ..NewIncident::default()
        },
        "complaint",
        None,
        app.app.now_ms(),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let dismissed = app
        .post_json(
            &format!("/discipline-incidents/{by_rule}/decision"),
            Role::GeneralManager,
            json!({"approve": true, "sanction": "dismissal", "version": 1}),
        )
        .await;
    dismissed.assert_status(StatusCode::OK);
    assert_eq!(dismissed.body["sanction"], "dismissal");
    assert_eq!(dismissed.body["complaint_id"], 5);

    let list = app
        .get(
            "/discipline-incidents?status=approved",
            Role::CustomerDepartment,
        )
        .await;
    list.assert_status(StatusCode::OK);
    assert_eq!(list.body["total"], 2);
    app.get("/discipline-incidents", Role::Technician)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}
