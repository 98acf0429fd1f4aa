//! Sign-in, sessions and API tokens.
//!
//! Passwords are hashed with argon2id. Session cookies and API tokens are random 32-byte
//! values of which only a SHA-256 hash is stored, so a leaked database does not leak live
//! credentials. Failed sign-ins are counted per user name and per client address in the
//! database, so throttling holds across several app instances.

use aftersales_domain::role::Permission;
use aftersales_store::entity::{api_token, session, sign_in_failure, user};
use aftersales_store::relation::children;
use aftersales_store::sea_orm::sea_query::Expr;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use aftersales_store::SqlText;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::{OsRng, RngCore};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::actor::WithActor;
use crate::{audit, Actor, App, AppError};

/// How long a browser session lasts from sign-in.
pub const SESSION_HOURS: i64 = 12;
/// Failures allowed per key inside the window before the key is locked.
const MAX_FAILURES: i32 = 5;
const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
const LOCK_MS: i64 = 15 * 60 * 1000;

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("password hashing failed: {err}")))
}

fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A password policy simple enough to explain on the form: at least 8 characters.
pub fn check_password(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 8 {
        Err("password_too_short")
    } else {
        Ok(())
    }
}

/// A random token, URL-safe hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lower-case hex of bytes (digests, tokens).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new browser session: the cookie value and the CSRF token the pages embed.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
}

/// Checks the credentials and opens a session. Unknown users and wrong passwords get the
/// same answer; locked keys answer `Throttled` before the password is even checked.
pub async fn sign_in(
    app: &App,
    username: &str,
    password: &str,
    client: &str,
) -> Result<NewSession, AppError> {
    let now = app.now_ms();
    let keys = [
        format!("user:{}", username.trim().to_lowercase()),
        format!("ip:{client}"),
    ];
    for key in &keys {
        if let Some(row) = failure_row(&app.db, key).await? {
            if let Some(until) = row.locked_until.filter(|until| *until > now) {
                return Err(AppError::Throttled {
                    retry_after_secs: (until - now + 999) / 1000,
                });
            }
        }
    }
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username.trim()))
        .one(&app.db)
        .await?;
    let verified = match &found {
        Some(user) if user.active => verify_password(password, &user.password_hash),
        _ => {
            // Hash anyway so that response time does not reveal which user names exist.
            let _ = hash_password(password);
            false
        }
    };
    let txn = app.write_txn().await?;
    let Some(user) = found.filter(|_| verified) else {
        for key in &keys {
            count_failure(&txn, key, now).await?;
        }
        txn.commit().await?;
        return Err(AppError::Unauthenticated);
    };
    sign_in_failure::Entity::delete_many()
        .filter(sign_in_failure::Column::ThrottleKey.eq(keys[0].clone()))
        .exec(&txn)
        .await?;
    let token = random_token();
    let csrf_token = random_token();
    session::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user.id),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now),
        expires_at: Set(now + SESSION_HOURS * 3_600_000),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let actor = Actor::load(&txn, user.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    audit::record(
        &txn,
        now,
        Some(&actor),
        "user",
        user.id,
        "sign_in",
        None::<&()>,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    Ok(NewSession {
        token,
        csrf_token,
        actor,
    })
}

async fn failure_row(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<sign_in_failure::Model>, AppError> {
    Ok(sign_in_failure::Entity::find()
        .filter(sign_in_failure::Column::ThrottleKey.eq(key))
        .one(db)
        .await?)
}

async fn count_failure(db: &impl ConnectionTrait, key: &str, now: i64) -> Result<(), AppError> {
    match failure_row(db, key).await? {
        None => {
            sign_in_failure::ActiveModel {
                throttle_key: Set(key.to_string()),
                failures: Set(1),
                window_started_at: Set(now),
                locked_until: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        Some(row) => {
            let in_window = now - row.window_started_at < FAILURE_WINDOW_MS;
            let failures = if in_window { row.failures + 1 } else { 1 };
            let mut active: sign_in_failure::ActiveModel = row.into();
            active.failures = Set(failures);
            if !in_window {
                active.window_started_at = Set(now);
            }
            active.locked_until = Set((failures >= MAX_FAILURES).then_some(now + LOCK_MS));
            active.update(db).await?;
        }
    }
    Ok(())
}

/// A session's columns read with its actor.
#[derive(FromQueryResult)]
struct SessionColumns {
    expires_at: i64,
    csrf_token: String,
}

/// An API token's columns read with its actor.
#[derive(FromQueryResult)]
struct TokenColumns {
    token_id: i64,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
}

/// The users joined to the rows of `credential` whose `user_id` column points at them.
fn credential_users<E: EntityTrait>(user_id: E::Column) -> Select<user::Entity> {
    Actor::select(user::Entity::find()).join(
        JoinType::InnerJoin,
        children::<E, user::Entity>(user_id, user::Column::Id),
    )
}

/// The credential whose stored hash is that of `token`, with its actor. `query` selects the
/// credential's columns from [`credential_users`] for a hash. Every request asks, so each
/// kind of credential builds its text once (`text`).
async fn find_credential<C: FromQueryResult>(
    app: &App,
    text: &SqlText,
    token: &str,
    query: impl FnOnce(String) -> Select<user::Entity>,
) -> Result<Option<(C, Actor)>, AppError> {
    let hash = token_hash(token);
    let statement = text.statement(
        app.db.get_database_backend(),
        vec![hash.clone().into()],
        || query(hash),
    );
    let rows = WithActor::<C>::find_by_statement(statement)
        .all(&app.db)
        .await?;
    Ok(Actor::from_joined(rows))
}

/// The session behind a cookie value, if it exists and has not expired.
pub async fn session_actor(app: &App, token: &str) -> Result<Option<(Actor, String)>, AppError> {
    static SESSION_ACTOR: SqlText = SqlText::new();
    let found = find_credential::<SessionColumns>(app, &SESSION_ACTOR, token, |hash| {
        credential_users::<session::Entity>(session::Column::UserId)
            .column(session::Column::ExpiresAt)
            .column(session::Column::CsrfToken)
            .filter(session::Column::TokenHash.eq(hash))
    })
    .await?;
    Ok(found
        .filter(|(session, _)| session.expires_at > app.now_ms())
        .map(|(session, actor)| (actor, session.csrf_token)))
}

pub async fn sign_out(app: &App, token: &str) -> Result<(), AppError> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(token_hash(token)))
        .exec(&app.db)
        .await?;
    Ok(())
}

/// Changes the user's interface language (zh-CN or en).
pub async fn set_locale(app: &App, actor: &Actor, locale: &str) -> Result<(), AppError> {
    if !matches!(locale, "zh-CN" | "en") {
        return Err(AppError::invalid("locale", "unsupported_locale"));
    }
    let row = user::Entity::find_by_id(actor.user_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active: user::ActiveModel = row.into();
    active.locale = Set(Some(locale.to_string()));
    active.update(&app.db).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it in lists.
    pub prefix: String,
    pub user_id: i64,
    pub created_at: String,
    pub revoked: bool,
    pub last_used_at: Option<String>,
}

fn token_view(row: api_token::Model) -> ApiTokenView {
    ApiTokenView {
        id: row.id,
        name: row.name,
        prefix: row.token_prefix,
        user_id: row.user_id,
        created_at: crate::format_ms(row.created_at),
        revoked: row.revoked_at.is_some(),
        last_used_at: row.last_used_at.map(crate::format_ms),
    }
}

/// Creates an API token acting as `user_id`. The plain token is returned once, here only.
pub async fn create_api_token(
    app: &App,
    actor: &Actor,
    name: &str,
    user_id: i64,
) -> Result<(ApiTokenView, String), AppError> {
    actor.require(Permission::ApiTokenManage)?;
    let name = aftersales_domain::validation::required_text(name, 100)
        .map_err(|code| AppError::invalid("name", code))?;
    user::Entity::find_by_id(user_id)
        .one(&app.db)
        .await?
        .ok_or_else(|| AppError::invalid("user_id", "not_found"))?;
    let token = format!("ast_{}", random_token());
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = api_token::ActiveModel {
        name: Set(name),
        token_hash: Set(token_hash(&token)),
        token_prefix: Set(token[..12].to_string()),
        user_id: Set(user_id),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        revoked_at: Set(None),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let view = token_view(row);
    audit::record(
        &txn,
        now,
        Some(actor),
        "api_token",
        view.id,
        "create",
        None::<&()>,
        Some(&view),
    )
    .await?;
    txn.commit().await?;
    Ok((view, token))
}

pub async fn list_api_tokens(app: &App, actor: &Actor) -> Result<Vec<ApiTokenView>, AppError> {
    actor.require(Permission::ApiTokenManage)?;
    let rows = api_token::Entity::find()
        .order_by_desc(api_token::Column::Id)
        .all(&app.db)
        .await?;
    Ok(rows.into_iter().map(token_view).collect())
}

pub async fn revoke_api_token(app: &App, actor: &Actor, token_id: i64) -> Result<(), AppError> {
    actor.require(Permission::ApiTokenManage)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = api_token::Entity::find_by_id(token_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.revoked_at.is_some() {
        return Err(AppError::conflict("already_revoked"));
    }
    let mut active: api_token::ActiveModel = row.into();
    active.revoked_at = Set(Some(now));
    active.update(&txn).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "api_token",
        token_id,
        "revoke",
        None::<&()>,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The actor behind a bearer token, if the token exists and is not revoked.
pub async fn token_actor(app: &App, token: &str) -> Result<Option<Actor>, AppError> {
    static TOKEN_ACTOR: SqlText = SqlText::new();
    let found = find_credential::<TokenColumns>(app, &TOKEN_ACTOR, token, |hash| {
        credential_users::<api_token::Entity>(api_token::Column::UserId)
            .column_as(api_token::Column::Id, "token_id")
            .column(api_token::Column::RevokedAt)
            .column(api_token::Column::LastUsedAt)
            .filter(api_token::Column::TokenHash.eq(hash))
    })
    .await?;
    let Some((token, actor)) = found else {
        return Ok(None);
    };
    if token.revoked_at.is_some() {
        return Ok(None);
    }
    let now = app.now_ms();
    // Record use at most once a minute, so a busy integration does not write on every call.
    if token.last_used_at.is_none_or(|last| now - last > 60_000) {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(token.token_id))
            .exec(&app.db)
            .await?;
    }
    Ok(Some(actor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashes_are_stable() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 64);
        assert_eq!(token_hash("abc"), token_hash("abc"));
        assert_ne!(token_hash("abc"), token_hash("abd"));
    }
}
