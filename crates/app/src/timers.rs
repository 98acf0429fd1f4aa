//! The durable timer runner: everything that must happen later (Appendix D) is a row in
//! `timers`. A timer fires exactly once: the runner claims a due pending row, runs its job
//! and marks the row `done` in one transaction, so the effect and the completion commit
//! together or not at all. Rows survive restarts, and a runner that was down catches up in
//! due order (`due_at`, then `id`).
//!
//! dialect: on PostgreSQL several instances run the runner at once; each claims rows with
//! `SELECT … FOR UPDATE SKIP LOCKED`, so no two fire the same timer. On SQLite the claim runs
//! in [`App::write_txn`], which takes the single write lock first and so serialises runners.

use std::sync::Arc;
use std::time::Duration;

use aftersales_store::entity::timer;
use aftersales_store::sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::{App, AppError};

pub const PENDING: &str = "pending";
pub const DONE: &str = "done";
pub const CANCELLED: &str = "cancelled";
pub const FAILED: &str = "failed";

/// A job that keeps failing is retried this many times in all, then marked `failed`.
pub const MAX_ATTEMPTS: i32 = 5;

/// What a job sees when its timer fires: the application, the transaction its effect must
/// use (it commits with the timer's completion), the timer row and the firing instant.
pub struct Fire<'a> {
    pub app: &'a App,
    pub txn: &'a DatabaseTransaction,
    pub timer: &'a timer::Model,
    /// When the runner fired the timer (may be later than `due_at` after downtime).
    pub now_ms: i64,
}

impl Fire<'_> {
    /// The timer's payload (JSON `null` when there is none).
    pub fn payload(&self) -> serde_json::Value {
        self.timer
            .payload_json
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(serde_json::Value::Null)
    }
}

/// One kind of timer. `name` is stored in `timers.kind`; `run` is the effect, written
/// through `fire.txn` only. An error rolls the effect back and schedules a retry.
#[async_trait::async_trait]
pub trait Job: Send + Sync {
    fn name(&self) -> &'static str;
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError>;
}

/// The jobs a runner knows, by name.
#[derive(Clone, Default)]
pub struct Jobs(Vec<Arc<dyn Job>>);

impl Jobs {
    /// Every job of the application.
    pub fn builtin() -> Jobs {
        Jobs::default()
            .with(crate::contracts::ExpiryNoticeJob)
            .with(crate::contracts::ExpiredJob)
            .with(crate::carry_in::OverdueJob)
            .with(crate::sla_watch::SweepJob)
            .with(crate::sla_outcomes::BackfillJob)
            .with(crate::surveys::DailyCardsJob)
            .with(crate::accounting::CashHandoverDueJob)
            .with(crate::loaners::OverdueJob)
            .with(crate::complaints::ReplyDueJob)
            .with(crate::complaints::TaskOverdueJob)
            .with(crate::complaints::CaseOverdueJob)
            .with(crate::complaints::ReviewReminderJob)
            .with(crate::claims::CountermeasureJob)
            .with(crate::daily_reports::ReminderJob)
            .with(crate::monthly_statistics::CycleJob)
            .with(crate::installations::SendDueJob)
            .with(crate::installations::FollowUpJob)
            .with(crate::ecom::SellerResponseJob)
            .with(crate::supervision::VisitSweepJob)
            .with(crate::parts::CountDueJob)
    }
    /// Adds a job (a later job of the same name replaces an earlier one).
    pub fn with(mut self, job: impl Job + 'static) -> Jobs {
        self.0.retain(|j| j.name() != job.name());
        self.0.push(Arc::new(job));
        self
    }
    fn find(&self, name: &str) -> Option<&Arc<dyn Job>> {
        self.0.iter().find(|j| j.name() == name)
    }
}

/// Schedules a timer. With a `dedupe_key`, scheduling the same key again is a no-op (the
/// first one stands); answers whether a row was inserted. Runs in the caller's transaction.
pub async fn schedule(
    db: &impl ConnectionTrait,
    kind: &str,
    subject: &str,
    subject_id: i64,
    dedupe_key: Option<&str>,
    due_at_ms: i64,
    payload: Option<&serde_json::Value>,
    now_ms: i64,
) -> Result<bool, AppError> {
    let row = timer::ActiveModel {
        kind: Set(kind.to_string()),
        subject: Set(subject.to_string()),
        subject_id: Set(subject_id),
        dedupe_key: Set(dedupe_key.map(str::to_string)),
        due_at: Set(due_at_ms),
        payload_json: Set(payload.map(|p| p.to_string())),
        status: Set(PENDING.to_string()),
        attempts: Set(0),
        last_error: Set(None),
        fired_at: Set(None),
        created_at: Set(now_ms),
        ..Default::default()
    };
    // ON CONFLICT DO NOTHING (both databases) rather than catching the unique violation,
    // which would abort the caller's PostgreSQL transaction.
    let inserted = timer::Entity::insert(row)
        .on_conflict(
            OnConflict::column(timer::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}

/// The units that take calls (not the supporting departments) with no pending timer of
/// `kind`: the ones a daily per-unit run (survey cards T8, report reminders T7) must still be
/// scheduled for.
pub async fn call_units_without_pending(
    db: &impl ConnectionTrait,
    kind: &str,
) -> Result<Vec<aftersales_store::entity::org_unit::Model>, AppError> {
    use aftersales_domain::org::OrgUnitKind;
    use aftersales_store::entity::org_unit;
    let pending: Vec<i64> = timer::Entity::find()
        .filter(timer::Column::Kind.eq(kind))
        .filter(timer::Column::Status.eq(PENDING))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.subject_id)
        .collect();
    Ok(org_unit::Entity::find()
        .filter(org_unit::Column::Kind.ne(OrgUnitKind::Department.as_str()))
        .order_by_asc(org_unit::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|unit| !pending.contains(&unit.id))
        .collect())
}

/// Cancels the pending timers of one kind for one record; answers how many. A cancelled
/// timer gives up its dedupe key, so the same thing can be scheduled afresh later.
pub async fn cancel(
    db: &impl ConnectionTrait,
    kind: &str,
    subject: &str,
    subject_id: i64,
) -> Result<u64, AppError> {
    let result = timer::Entity::update_many()
        .col_expr(timer::Column::Status, Expr::value(CANCELLED))
        .col_expr(timer::Column::DedupeKey, Expr::value(None::<String>))
        .filter(timer::Column::Kind.eq(kind))
        .filter(timer::Column::Subject.eq(subject))
        .filter(timer::Column::SubjectId.eq(subject_id))
        .filter(timer::Column::Status.eq(PENDING))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The timers of one record, oldest due first (for tests and the record's history).
pub async fn of_subject(
    db: &impl ConnectionTrait,
    subject: &str,
    subject_id: i64,
) -> Result<Vec<timer::Model>, AppError> {
    Ok(timer::Entity::find()
        .filter(timer::Column::Subject.eq(subject))
        .filter(timer::Column::SubjectId.eq(subject_id))
        .order_by_asc(timer::Column::DueAt)
        .order_by_asc(timer::Column::Id)
        .all(db)
        .await?)
}

/// Fires up to `limit` due timers with the application's jobs; answers how many fired
/// (failed attempts are not counted).
pub async fn run_due(app: &App, limit: usize) -> Result<usize, AppError> {
    run_due_with(app, &Jobs::builtin(), limit).await
}

/// [`run_due`] with a chosen set of jobs.
pub async fn run_due_with(app: &App, jobs: &Jobs, limit: usize) -> Result<usize, AppError> {
    let mut fired = 0;
    let mut attempted = 0;
    while attempted < limit {
        match fire_next(app, jobs).await? {
            Outcome::Idle => break,
            Outcome::Fired => fired += 1,
            Outcome::Failed => {}
        }
        attempted += 1;
    }
    Ok(fired)
}

enum Outcome {
    Idle,
    Fired,
    Failed,
}

/// Claims the first due pending timer and fires it, in one transaction.
async fn fire_next(app: &App, jobs: &Jobs) -> Result<Outcome, AppError> {
    let now = app.now_ms();
    // A plain read first, so an idle tick takes no write lock (SQLite has only one).
    let due = timer::Entity::find()
        .filter(timer::Column::Status.eq(PENDING))
        .filter(timer::Column::DueAt.lte(now))
        .count(&app.db)
        .await?;
    if due == 0 {
        return Ok(Outcome::Idle);
    }
    let txn = app.write_txn().await?;
    // dialect: FOR UPDATE SKIP LOCKED on PostgreSQL (another runner's claimed row is skipped,
    // not waited for); SQLite's query builder leaves the lock clause out, and the write lock
    // taken by `write_txn` already makes this runner the only one.
    let claimed = timer::Entity::find()
        .filter(timer::Column::Status.eq(PENDING))
        .filter(timer::Column::DueAt.lte(now))
        .order_by_asc(timer::Column::DueAt)
        .order_by_asc(timer::Column::Id)
        .limit(1)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .one(&txn)
        .await?;
    let Some(row) = claimed else {
        txn.rollback().await?;
        return Ok(Outcome::Idle);
    };
    // The effect runs in a savepoint: a failing job rolls back to it and leaves nothing
    // behind, while the claim (the row lock) is kept to record the failed attempt.
    let effect = txn.begin().await?;
    let result = match jobs.find(&row.kind) {
        Some(job) => {
            let fire = Fire {
                app,
                txn: &effect,
                timer: &row,
                now_ms: now,
            };
            job.run(&fire).await
        }
        None => Err(AppError::Internal(anyhow::anyhow!(
            "no job named {}",
            row.kind
        ))),
    };
    let attempts = row.attempts + 1;
    let id = row.id;
    let kind = row.kind.clone();
    let mut update: timer::ActiveModel = row.into();
    update.attempts = Set(attempts);
    let outcome = match result {
        Ok(()) => {
            effect.commit().await?;
            update.status = Set(DONE.to_string());
            update.fired_at = Set(Some(now));
            update.last_error = Set(None);
            Outcome::Fired
        }
        Err(err) => {
            effect.rollback().await?;
            let message = err.to_string();
            if attempts >= MAX_ATTEMPTS {
                tracing::error!(timer = id, kind, attempts, error = %message, "timer failed for good");
                update.status = Set(FAILED.to_string());
            } else {
                tracing::warn!(timer = id, kind, attempts, error = %message, "timer failed; will retry");
                update.due_at = Set(now + backoff_ms(attempts));
            }
            update.last_error = Set(Some(message));
            Outcome::Failed
        }
    };
    update.update(&txn).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// The wait before retry number `attempts` (1, 2, 4, 8 … minutes).
pub fn backoff_ms(attempts: i32) -> i64 {
    60_000 * (1_i64 << (attempts - 1).clamp(0, 10))
}

/// Polls [`run_due`] every `interval`, forever. Errors (a database away for a moment) are
/// logged and the next tick tries again.
pub fn spawn_runner(app: App, interval: Duration) -> tokio::task::JoinHandle<()> {
    spawn_runner_with(app, Jobs::builtin(), interval)
}

/// [`spawn_runner`] with a chosen set of jobs.
pub fn spawn_runner_with(app: App, jobs: Jobs, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval.max(Duration::from_millis(10)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            // Drain everything due before sleeping again, in batches.
            loop {
                match run_due_with(&app, &jobs, 100).await {
                    Ok(100) => continue,
                    Ok(_) => break,
                    Err(err) => {
                        tracing::warn!(error = %err, "timer runner: run_due failed");
                        break;
                    }
                }
            }
        }
    })
}
