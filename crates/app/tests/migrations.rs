//! Migrations that move data, run down and up again on a real database (SQLite, or
//! PostgreSQL with `AFTERSALES_TEST_PG_URL`).

use std::sync::Arc;

use aftersales_app::{App, ManualClock};
use aftersales_store::migration::Migrator;
use aftersales_store::sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use aftersales_testkit::TestDb;
use sea_orm_migration::MigratorTrait;

async fn count(db: &DatabaseConnection, sql: &str) -> Result<i64, String> {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .map_err(|err| err.to_string())?
        .expect("a row");
    row.try_get_by_index::<i64>(0)
        .map_err(|err| err.to_string())
}

/// How many migrations `down` undoes to undo `name`: it and every later one.
fn steps_to_undo(name: &str) -> u32 {
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|migration| migration.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == name)
        .expect("a known migration");
    u32::try_from(names.len() - at).expect("a few migrations")
}

const BACKFILL_TIMERS: &str = "SELECT COUNT(*) FROM timers WHERE kind = 'sla_outcome_backfill'";

/// Migration 000170 drops the per-clock outcomes for per-day counts and starts the backfill
/// again, which then counts the finished history; its `down` restores the old table.
#[tokio::test]
async fn the_per_day_counts_replace_the_per_clock_outcomes_and_the_backfill_starts_again() {
    let test_db = TestDb::create().await;
    let db = test_db.connect().await;
    Migrator::down(
        &db,
        Some(steps_to_undo("m20261207_000170_sla_outcome_days")),
    )
    .await
    .expect("down");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sla_outcomes").await, Ok(0));
    assert!(count(&db, "SELECT COUNT(*) FROM sla_outcome_days")
        .await
        .is_err());

    // The backfill of the per-clock outcomes ran under the old schema.
    let clock = Arc::new(ManualClock::new("2026-11-22T02:00:00Z".parse().unwrap()));
    let app = App::new(db.clone(), clock, test_db.files_dir());
    aftersales_app::sla_outcomes::ensure_backfill(&app)
        .await
        .expect("backfill scheduled");
    assert_eq!(count(&db, BACKFILL_TIMERS).await, Ok(1));

    Migrator::up(&db, None).await.expect("up");
    assert!(count(&db, "SELECT COUNT(*) FROM sla_outcomes")
        .await
        .is_err());
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM sla_outcome_days").await,
        Ok(0)
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM service_orders WHERE sla_frozen").await,
        Ok(0)
    );
    // Forgotten, so the next start schedules it again.
    assert_eq!(count(&db, BACKFILL_TIMERS).await, Ok(0));
    aftersales_app::sla_outcomes::ensure_backfill(&app)
        .await
        .expect("backfill scheduled again");
    assert_eq!(count(&db, BACKFILL_TIMERS).await, Ok(1));
}
