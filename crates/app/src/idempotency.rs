//! Idempotent creation: a POST retried with the same `Idempotency-Key` returns the record its
//! first attempt created instead of creating another. The key row is written in the same
//! transaction as the record, so a crash between commit and response cannot create twice.

use aftersales_store::entity::idempotency_key;
use aftersales_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::{Actor, App, AppError};

/// A client-chosen key: 1 to 200 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(value: &str) -> Result<IdempotencyKey, AppError> {
        let value = value.trim();
        if value.is_empty() || value.len() > 200 || !value.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::invalid(
                "Idempotency-Key",
                "invalid_idempotency_key",
            ));
        }
        Ok(IdempotencyKey(value.to_string()))
    }
}

/// The id created by an earlier request with this key, if any. A key reused for another
/// kind of resource is a client error.
pub async fn replayed(
    app: &App,
    actor: &Actor,
    key: Option<&IdempotencyKey>,
    resource: &str,
) -> Result<Option<i64>, AppError> {
    let Some(key) = key else { return Ok(None) };
    let row = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::UserId.eq(actor.user_id))
        .filter(idempotency_key::Column::IdempotencyKey.eq(key.0.as_str()))
        .one(&app.db)
        .await?;
    match row {
        Some(row) if row.resource == resource => Ok(Some(row.resource_id)),
        Some(_) => Err(AppError::field_conflict(
            "idempotency_key_reused",
            "Idempotency-Key",
        )),
        None => Ok(None),
    }
}

/// Remembers, inside the creating transaction, which record the key created. A concurrent
/// duplicate still in flight loses on the unique index and gets 409, and its retry replays.
pub async fn remember(
    db: &impl ConnectionTrait,
    actor: &Actor,
    key: Option<&IdempotencyKey>,
    resource: &str,
    resource_id: i64,
    now_ms: i64,
) -> Result<(), AppError> {
    remember_all(db, key_row(actor, key, resource, resource_id, now_ms)).await
}

/// The row [`remember`] writes, if the request came with a key.
pub fn key_row(
    actor: &Actor,
    key: Option<&IdempotencyKey>,
    resource: &str,
    resource_id: i64,
    now_ms: i64,
) -> Option<idempotency_key::ActiveModel> {
    key.map(|key| idempotency_key::ActiveModel {
        user_id: Set(actor.user_id),
        idempotency_key: Set(key.0.clone()),
        resource: Set(resource.to_string()),
        resource_id: Set(resource_id),
        created_at: Set(now_ms),
        ..Default::default()
    })
}

/// Writes the rows of [`key_row`] with one statement; any key already taken fails them all.
pub async fn remember_all(
    db: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = idempotency_key::ActiveModel>,
) -> Result<(), AppError> {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return Ok(());
    }
    let inserted = idempotency_key::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await;
    match inserted.map_err(AppError::from) {
        Ok(_) => Ok(()),
        Err(AppError::Conflict { .. }) => Err(AppError::field_conflict(
            "request_in_progress",
            "Idempotency-Key",
        )),
        Err(err) => Err(err),
    }
}
