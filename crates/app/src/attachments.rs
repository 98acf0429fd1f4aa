//! Attachments on records (SYSTEM-5): real files under the data directory, named by their
//! SHA-256 so identical uploads are stored once; metadata and audit in the database.

use aftersales_domain::role::Permission;
use aftersales_store::entity::attachment;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use crate::{audit, Actor, App, AppError};

/// Uploads larger than this are refused.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Records that take attachments, each checked for visibility through its own use case.
const ENTITIES: &[&str] = &[
    "customer",
    "unit",
    "contract",
    "service_order",
    "return_request",
    "claim",
    "ecom_request",
];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: String,
}

impl From<attachment::Model> for AttachmentView {
    fn from(row: attachment::Model) -> Self {
        AttachmentView {
            id: row.id,
            entity: row.entity,
            entity_id: row.entity_id,
            file_name: row.file_name,
            content_type: row.content_type,
            size_bytes: row.size_bytes,
            created_at: crate::format_ms(row.created_at),
        }
    }
}

/// Fails with 404 unless the actor sees the record the attachment belongs to.
async fn ensure_record_visible(
    app: &App,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
) -> Result<(), AppError> {
    match entity {
        "customer" => crate::customers::get(app, actor, entity_id)
            .await
            .map(|_| ()),
        "unit" => {
            actor.require(Permission::CustomerRead)?;
            crate::units::find_visible(&app.db, actor, entity_id)
                .await
                .map(drop)
        }
        "contract" => crate::contracts::get(app, actor, entity_id)
            .await
            .map(|_| ()),
        "service_order" => crate::service_orders::get(app, actor, entity_id)
            .await
            .map(drop),
        "return_request" => crate::returns::get(app, actor, entity_id).await.map(drop),
        "delivery" => crate::deliveries::get(app, actor, entity_id)
            .await
            .map(drop),
        "claim" => crate::claims::get(app, actor, entity_id).await.map(drop),
        "installation" => crate::installations::get(app, actor, entity_id)
            .await
            .map(drop),
        "ecom_request" => crate::ecom::get_request(app, actor, entity_id)
            .await
            .map(drop),
        _ => Err(AppError::NotFound),
    }
}

pub async fn upload(
    app: &App,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<AttachmentView, AppError> {
    actor.require(Permission::AttachmentWrite)?;
    if !ENTITIES.contains(&entity) {
        return Err(AppError::NotFound);
    }
    ensure_record_visible(app, actor, entity, entity_id).await?;
    let txn = app.write_txn().await?;
    let row = store(
        app,
        &txn,
        actor,
        entity,
        entity_id,
        file_name,
        content_type,
        bytes,
    )
    .await?;
    txn.commit().await?;
    Ok(row.into())
}

/// Stores a file and its row inside the caller's transaction, for use cases that attach a
/// file as part of a larger step (a signature on completion). The caller has checked that
/// the actor may change the record.
pub(crate) async fn store(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<attachment::Model, AppError> {
    let file_name = aftersales_domain::validation::required_text(file_name, 200)
        .map_err(|code| AppError::invalid("file", code))?;
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "empty_file"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::invalid("file", "file_too_large"));
    }
    let sha256 = crate::files::write(&app.files_dir, bytes).await?;
    let now = app.now_ms();
    let row = attachment::ActiveModel {
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id),
        file_name: Set(file_name),
        content_type: Set(if content_type.is_empty() {
            "application/octet-stream".into()
        } else {
            content_type.to_string()
        }),
        size_bytes: Set(bytes.len() as i64),
        sha256: Set(sha256),
        uploaded_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        now,
        Some(actor),
        entity,
        entity_id,
        "attach",
        None::<&()>,
        Some(&AttachmentView::from(row.clone())),
    )
    .await?;
    Ok(row)
}

pub async fn list(
    app: &App,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
) -> Result<Vec<AttachmentView>, AppError> {
    ensure_record_visible(app, actor, entity, entity_id).await?;
    let rows = attachment::Entity::find()
        .filter(attachment::Column::Entity.eq(entity))
        .filter(attachment::Column::EntityId.eq(entity_id))
        .order_by_desc(attachment::Column::Id)
        .all(&app.db)
        .await?;
    Ok(rows.into_iter().map(AttachmentView::from).collect())
}

/// The attachment's metadata and bytes.
pub async fn download(
    app: &App,
    actor: &Actor,
    id: i64,
) -> Result<(AttachmentView, Vec<u8>), AppError> {
    let row = attachment::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    ensure_record_visible(app, actor, &row.entity, row.entity_id).await?;
    let bytes = crate::files::read(&app.files_dir, &row.sha256).await?;
    Ok((row.into(), bytes))
}
