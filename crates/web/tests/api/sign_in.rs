//! Sign-in throttling at the app layer, on the test clock.

use aftersales_app::auth::sign_in;
use aftersales_app::AppError;
use aftersales_domain::role::Role;

use crate::helpers::{TestApp, PASSWORD};

#[tokio::test]
async fn five_failed_sign_ins_lock_the_user_until_fifteen_minutes_pass() {
    let app = TestApp::spawn().await;
    let user = "u_technician";
    for attempt in 1..=5 {
        let result = sign_in(&app.app, user, "wrong password", "10.0.0.1").await;
        assert!(
            matches!(result, Err(AppError::Unauthenticated)),
            "attempt {attempt}: {:?}",
            result.err()
        );
    }
    // Locked: even the right password is not checked.
    let result = sign_in(&app.app, user, PASSWORD, "10.0.0.1").await;
    match result {
        Err(AppError::Throttled { retry_after_secs }) => {
            assert!((1..=900).contains(&retry_after_secs), "{retry_after_secs}")
        }
        other => panic!("6th attempt: {:?}", other.err()),
    }
    // From another address the user name is still locked.
    let result = sign_in(&app.app, user, PASSWORD, "10.0.0.2").await;
    assert!(
        matches!(result, Err(AppError::Throttled { .. })),
        "{:?}",
        result.err()
    );
    // Another user is not.
    sign_in(&app.app, "u_accountant", PASSWORD, "10.0.0.2")
        .await
        .expect("another user signs in");

    app.clock.advance(jiff::SignedDuration::from_mins(14));
    let result = sign_in(&app.app, user, PASSWORD, "10.0.0.2").await;
    assert!(
        matches!(result, Err(AppError::Throttled { .. })),
        "{:?}",
        result.err()
    );

    app.clock.advance(jiff::SignedDuration::from_secs(61));
    let session = sign_in(&app.app, user, PASSWORD, "10.0.0.2")
        .await
        .expect("unlocked after 15 minutes");
    assert_eq!(session.actor.user_id, app.user(Role::Technician));
    assert_eq!(session.actor.roles, app.actor(Role::Technician).await.roles);
}
