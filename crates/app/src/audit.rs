//! The audit trail: every create, update and state change records who, when, what, and the
//! values before and after. Records are written in the transaction of the change itself, so
//! a change without its audit record cannot exist.

use aftersales_domain::role::Permission;
use aftersales_store::entity::audit_record;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use crate::{Actor, App, AppError};

pub async fn record<B: Serialize, A: Serialize>(
    db: &impl ConnectionTrait,
    at_ms: i64,
    actor: Option<&Actor>,
    entity: &str,
    entity_id: i64,
    action: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<(), AppError> {
    record_row(at_ms, actor, entity, entity_id, action, before, after)
        .insert(db)
        .await?;
    Ok(())
}

/// The audit record [`record`] writes, for callers that write many with one statement.
pub fn record_row<B: Serialize, A: Serialize>(
    at_ms: i64,
    actor: Option<&Actor>,
    entity: &str,
    entity_id: i64,
    action: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> audit_record::ActiveModel {
    audit_record::ActiveModel {
        at: Set(at_ms),
        actor_id: Set(actor.map(|a| a.user_id)),
        actor_name: Set(actor.map_or_else(|| "system".to_string(), |a| a.username.clone())),
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id),
        action: Set(action.to_string()),
        before_json: Set(before.map(json)),
        after_json: Set(after.map(json)),
        ..Default::default()
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|err| format!("\"unserialisable: {err}\""))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339 instant (UTC).
    pub at: String,
    pub actor: String,
    pub action: String,
    /// Fields whose value changed: name, before, after.
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    #[schema(value_type = Object)]
    pub before: serde_json::Value,
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
}

/// The history of one record, newest first, for actors who may read audit trails and see
/// the record itself (records outside their scope answer 404, like the records do).
pub async fn history(
    app: &App,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
) -> Result<Vec<AuditEntry>, AppError> {
    actor.require(Permission::AuditRead)?;
    match entity {
        "customer" => crate::customers::find_visible(&app.db, actor, entity_id)
            .await
            .map(drop)?,
        "unit" => crate::units::find_visible(&app.db, actor, entity_id)
            .await
            .map(drop)?,
        "contract" => crate::contracts::find_visible(&app.db, actor, entity_id)
            .await
            .map(drop)?,
        "service_order" => crate::service_orders::find_visible(&app.db, actor, entity_id)
            .await
            .map(drop)?,
        "user" => crate::staff::find_visible(&app.db, actor, entity_id)
            .await
            .map(drop)?,
        "api_token" => actor.require(Permission::ApiTokenManage)?,
        "invoice" => crate::accounting::find_invoice(&app.db, actor, entity_id)
            .await
            .map(drop)?,
        "cash_collection" => crate::accounting::find_cash(&app.db, actor, entity_id)
            .await
            .map(drop)?,
        // The catalogue, the organisation and settings are visible to every reader.
        _ => {}
    }
    let rows = audit_record::Entity::find()
        .filter(audit_record::Column::Entity.eq(entity))
        .filter(audit_record::Column::EntityId.eq(entity_id))
        .order_by_desc(audit_record::Column::Id)
        .all(&app.db)
        .await?;
    Ok(rows.into_iter().map(entry).collect())
}

fn entry(row: audit_record::Model) -> AuditEntry {
    let parse = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .unwrap_or(serde_json::Value::Null)
    };
    AuditEntry {
        id: row.id,
        at: jiff::Timestamp::from_millisecond(row.at)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        actor: row.actor_name.clone(),
        action: row.action.clone(),
        changes: diff(&parse(&row.before_json), &parse(&row.after_json)),
    }
}

/// Field-by-field difference of two JSON objects; bookkeeping fields are left out.
pub fn diff(before: &serde_json::Value, after: &serde_json::Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let before_map = before.as_object().unwrap_or(&empty);
    let after_map = after.as_object().unwrap_or(&empty);
    let mut fields: Vec<&String> = before_map.keys().chain(after_map.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|field| {
            !matches!(
                field.as_str(),
                "version" | "updated_at" | "created_at" | "password_hash"
            )
        })
        .filter_map(|field| {
            let old = before_map
                .get(field)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            let new = after_map
                .get(field)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            (old != new).then(|| FieldChange {
                field: field.clone(),
                before: old,
                after: new,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::diff;
    use serde_json::json;

    #[test]
    fn diff_lists_only_changed_business_fields() {
        let changes = diff(
            &json!({"name": "张三", "phone": "1", "version": 1}),
            &json!({"name": "张三", "phone": "2", "version": 2, "email": "a@b.cn"}),
        );
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["email", "phone"]);
    }
}
