//! Notifications (SYSTEM-3): messages to one user, created in the transaction of the event
//! that causes them (usually a timer's effect), listed in the app and marked read by their
//! owner only. Texts are written in the recipient's language when created.

use aftersales_domain::role::Role;
use aftersales_store::entity::{mail_outbox, notification, user, user_role};
use aftersales_store::sea_orm::sea_query::Expr;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use crate::page::PageRequest;
use crate::{format_ms, Actor, App, AppError};

/// A message in both interface languages; each recipient gets the one they chose.
#[derive(Debug, Clone)]
pub struct Message {
    /// A stable code, e.g. `contract_expiry_notice`.
    pub kind: &'static str,
    /// Path inside the app, e.g. `/contracts/7`.
    pub link: Option<String>,
    /// (title, body) in Chinese.
    pub zh: (String, String),
    /// (title, body) in English.
    pub en: (String, String),
}

/// Notifies each active user of `user_ids` (duplicates once), in the caller's transaction.
/// A notification to a user with an e-mail address is queued for mailing (`mail_status`
/// pending); the mailer sends it after the commit. Answers how many were created.
pub async fn notify(
    db: &impl ConnectionTrait,
    now_ms: i64,
    user_ids: &[i64],
    message: &Message,
) -> Result<usize, AppError> {
    let mut ids = user_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    for user in &users {
        let (title, body) = match user.locale.as_deref() {
            Some("en") => &message.en,
            _ => &message.zh,
        };
        let mailable = user.email.as_deref().is_some_and(|e| !e.trim().is_empty());
        notification::ActiveModel {
            user_id: Set(user.id),
            kind: Set(message.kind.to_string()),
            title: Set(title.clone()),
            body: Set(Some(body.clone()).filter(|b| !b.is_empty())),
            link: Set(message.link.clone()),
            created_at: Set(now_ms),
            read_at: Set(None),
            mail_status: Set(mailable.then(|| MAIL_PENDING.to_string())),
            mailed_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(users.len())
}

pub(crate) const MAIL_PENDING: &str = "pending";

/// Active users holding `role`, optionally only those of one organisation unit: the owners
/// a timer notifies (e.g. the branch managers of a contract's branch).
pub async fn users_with_role(
    db: &impl ConnectionTrait,
    role: Role,
    org_unit_id: Option<i64>,
) -> Result<Vec<i64>, AppError> {
    let holders: Vec<i64> = user_role::Entity::find()
        .filter(user_role::Column::Role.eq(role.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    let mut query = user::Entity::find()
        .filter(user::Column::Id.is_in(holders))
        .filter(user::Column::Active.eq(true));
    if let Some(unit) = org_unit_id {
        query = query.filter(user::Column::OrgUnitId.eq(unit));
    }
    Ok(query
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    /// Path inside the app, e.g. `/contracts/7`.
    pub link: Option<String>,
    /// RFC 3339 instant (UTC).
    pub created_at: String,
    /// RFC 3339 instant (UTC) when the user marked it read; null while unread.
    pub read_at: Option<String>,
}

impl From<notification::Model> for NotificationView {
    fn from(row: notification::Model) -> Self {
        NotificationView {
            id: row.id,
            kind: row.kind,
            title: row.title,
            body: row.body,
            link: row.link,
            created_at: format_ms(row.created_at),
            read_at: row.read_at.map(format_ms),
        }
    }
}

/// The signed-in user's notifications, newest first, with the number still unread.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    pub unread: u64,
    pub items: Vec<NotificationView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

pub async fn list_mine(app: &App, actor: &Actor, page: PageRequest) -> Result<Inbox, AppError> {
    let paginator = notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .paginate(&app.db, page.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    Ok(Inbox {
        unread: unread_count(app, actor).await?,
        items: rows.into_iter().map(NotificationView::from).collect(),
        total,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// How many of the user's notifications are unread (the header badge).
pub async fn unread_count(app: &App, actor: &Actor) -> Result<u64, AppError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(&app.db)
        .await?)
}

/// Marks one of the user's notifications read (again is harmless). Another user's
/// notification answers 404.
pub async fn mark_read(app: &App, actor: &Actor, id: i64) -> Result<NotificationView, AppError> {
    let txn = app.write_txn().await?;
    let row = notification::Entity::find_by_id(id)
        .filter(notification::Column::UserId.eq(actor.user_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = if row.read_at.is_none() {
        let mut active: notification::ActiveModel = row.into();
        active.read_at = Set(Some(app.now_ms()));
        active.update(&txn).await?
    } else {
        row
    };
    txn.commit().await?;
    Ok(row.into())
}

/// Marks all of the user's notifications read; answers how many changed.
pub async fn mark_all_read(app: &App, actor: &Actor) -> Result<u64, AppError> {
    let result = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(app.now_ms()))
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&app.db)
        .await?;
    Ok(result.rows_affected)
}

// ----- e-mail -----

const MAIL_SENDING: &str = "sending";
const MAIL_SENT: &str = "sent";
const MAIL_FAILED: &str = "failed";

/// Notifications older than this are not mailed any more (e.g. when a relay is configured
/// after months without one): a stale reminder in the mailbox helps nobody.
const MAIL_MAX_AGE_MS: i64 = 24 * 3_600_000;

/// The SMTP relay e-mail notifications go through. Only the binary reads its configuration.
#[derive(Clone)]
pub struct Mailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Mailer {
    /// `smtp_url` as lettre reads it: `smtp://host:25` (plain, or `?tls=required` for
    /// STARTTLS), `smtps://user:password@host:465`; `from` is an address, optionally with a
    /// name (`售后服务 <service@example.com>`).
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, String> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(smtp_url)
            .map_err(|err| format!("SMTP URL: {err}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|err| format!("sender address {from:?}: {err}"))?;
        Ok(Mailer { transport, from })
    }
}

/// Mails up to `limit` notifications queued since the last run; answers how many were sent.
/// Each is claimed by a conditional update (pending → sending) before it is sent, so two
/// instances never mail one twice; an instance that dies mid-send leaves it `sending`
/// (at most once). A refused or undeliverable message is marked `failed` and logged.
pub async fn send_pending_mail(app: &App, mailer: &Mailer, limit: u64) -> Result<usize, AppError> {
    use aftersales_store::sea_orm::QuerySelect;

    let now = app.now_ms();
    let queued = notification::Entity::find()
        .filter(notification::Column::MailStatus.eq(MAIL_PENDING))
        .filter(notification::Column::CreatedAt.gte(now - MAIL_MAX_AGE_MS))
        .order_by_asc(notification::Column::Id)
        .limit(limit)
        .all(&app.db)
        .await?;
    let mut sent = 0;
    for row in queued {
        let claimed = notification::Entity::update_many()
            .col_expr(notification::Column::MailStatus, Expr::value(MAIL_SENDING))
            .filter(notification::Column::Id.eq(row.id))
            .filter(notification::Column::MailStatus.eq(MAIL_PENDING))
            .exec(&app.db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let address = user::Entity::find_by_id(row.user_id)
            .one(&app.db)
            .await?
            .and_then(|u| u.email);
        let mut text = row.body.clone().unwrap_or_default();
        if let Some(link) = &row.link {
            text.push_str(&format!("\n\n{link}\n"));
        }
        let result = match address {
            Some(address) => deliver(mailer, &address, &row.title, text).await,
            None => Err("the user has no e-mail address".to_string()),
        };
        let status = match &result {
            Ok(()) => {
                sent += 1;
                MAIL_SENT
            }
            Err(err) => {
                tracing::warn!(notification = row.id, error = %err, "e-mail notification not sent");
                MAIL_FAILED
            }
        };
        notification::Entity::update_many()
            .col_expr(notification::Column::MailStatus, Expr::value(status))
            .col_expr(notification::Column::MailedAt, Expr::value(app.now_ms()))
            .filter(notification::Column::Id.eq(row.id))
            .exec(&app.db)
            .await?;
    }
    // Then the e-mail to outside addresses (survey cards), from its own outbox.
    Ok(sent + send_outbox(app, mailer, limit).await?)
}

/// Queues an e-mail to an address that belongs to no user (e.g. a customer's survey card),
/// in the caller's transaction; the mailer sends it after the commit.
pub async fn queue_mail(
    db: &impl ConnectionTrait,
    now_ms: i64,
    to_address: &str,
    subject: &str,
    body: &str,
    about: (&str, i64),
) -> Result<(), AppError> {
    mail_outbox::ActiveModel {
        to_address: Set(to_address.to_string()),
        subject: Set(subject.to_string()),
        body: Set(Some(body.to_string())),
        subject_kind: Set(about.0.to_string()),
        subject_id: Set(about.1),
        mail_status: Set(MAIL_PENDING.to_string()),
        created_at: Set(now_ms),
        mailed_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Mails up to `limit` queued outside e-mails ([`queue_mail`]), claimed like notifications.
async fn send_outbox(app: &App, mailer: &Mailer, limit: u64) -> Result<usize, AppError> {
    use aftersales_store::sea_orm::QuerySelect;

    let now = app.now_ms();
    let queued = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::MailStatus.eq(MAIL_PENDING))
        .filter(mail_outbox::Column::CreatedAt.gte(now - OUTBOX_MAX_AGE_MS))
        .order_by_asc(mail_outbox::Column::Id)
        .limit(limit)
        .all(&app.db)
        .await?;
    let mut sent = 0;
    for row in queued {
        let claimed = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::MailStatus, Expr::value(MAIL_SENDING))
            .filter(mail_outbox::Column::Id.eq(row.id))
            .filter(mail_outbox::Column::MailStatus.eq(MAIL_PENDING))
            .exec(&app.db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let result = deliver(
            mailer,
            &row.to_address,
            &row.subject,
            row.body.clone().unwrap_or_default(),
        )
        .await;
        if result.is_ok() {
            sent += 1;
        }
        if let Err(err) = &result {
            tracing::warn!(mail = row.id, error = %err, "e-mail not sent");
        }
        mail_outbox::Entity::update_many()
            .col_expr(
                mail_outbox::Column::MailStatus,
                Expr::value(if result.is_ok() {
                    MAIL_SENT
                } else {
                    MAIL_FAILED
                }),
            )
            .col_expr(mail_outbox::Column::MailedAt, Expr::value(app.now_ms()))
            .col_expr(mail_outbox::Column::LastError, Expr::value(result.err()))
            .filter(mail_outbox::Column::Id.eq(row.id))
            .exec(&app.db)
            .await?;
    }
    Ok(sent)
}

/// A survey card stays answerable for weeks, so its e-mail is worth sending later than a
/// reminder (a relay configured a few days late still reaches the customers).
const OUTBOX_MAX_AGE_MS: i64 = 7 * 24 * 3_600_000;

/// Sends one plain-text message through the relay.
async fn deliver(mailer: &Mailer, to: &str, subject: &str, text: String) -> Result<(), String> {
    use lettre::AsyncTransport;

    let to = to
        .parse::<lettre::message::Mailbox>()
        .map_err(|err| format!("address: {err}"))?;
    let message = lettre::Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject.to_string())
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(text)
        .map_err(|err| err.to_string())?;
    mailer
        .transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|err| err.to_string())
}

/// Mails queued notifications every `interval`, after the transactions that created them
/// have committed (the `notifications` table is the outbox). Without a relay, e-mail is off:
/// that is logged once and no task runs.
pub fn spawn_mailer(
    app: App,
    mailer: Option<Mailer>,
    interval: std::time::Duration,
) -> Option<tokio::task::JoinHandle<()>> {
    let Some(mailer) = mailer else {
        tracing::info!(
            "no SMTP relay configured (AFTERSALES_SMTP_URL): notifications are in-app only"
        );
        return None;
    };
    Some(tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval.max(std::time::Duration::from_millis(10)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(err) = send_pending_mail(&app, &mailer, 50).await {
                tracing::warn!(error = %err, "mailer: sending notifications failed");
            }
        }
    }))
}
