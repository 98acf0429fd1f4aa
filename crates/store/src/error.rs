//! The one place where `sea_orm::DbErr` is turned into something the service layer can act on.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("record not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the write; `constraint` names it when the
    /// database tells us, so callers can map it to the offending field.
    #[error("constraint violated: {constraint}")]
    Conflict { constraint: String },
    /// The database refuses writes (read-only file, disk full): the request should fail with 503.
    #[error("database unavailable for writing: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Other(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        if let DbErr::RecordNotFound(_) = err {
            return StoreError::NotFound;
        }
        if let Some(
            SqlErr::UniqueConstraintViolation(message)
            | SqlErr::ForeignKeyConstraintViolation(message),
        ) = err.sql_err()
        {
            return StoreError::Conflict {
                constraint: constraint_name(&message),
            };
        }
        let text = err.to_string();
        let lower = text.to_lowercase();
        if lower.contains("readonly")
            || lower.contains("read-only")
            || lower.contains("disk is full")
            || lower.contains("database or disk is full")
            || lower.contains("no space left")
        {
            return StoreError::Unavailable(text);
        }
        if matches!(
            err,
            DbErr::Conn(RuntimeErr::SqlxError(_)) | DbErr::ConnectionAcquire(_)
        ) {
            return StoreError::Unavailable(text);
        }
        StoreError::Other(err)
    }
}

/// Extracts the constraint from a driver message. PostgreSQL names the constraint
/// (`... violates unique constraint "customers_number_key"`); SQLite names the columns
/// (`UNIQUE constraint failed: customers.number`), which we keep as `customers.number`.
fn constraint_name(message: &str) -> String {
    if let Some(start) = message.find("constraint \"") {
        let rest = &message[start + "constraint \"".len()..];
        if let Some(end) = rest.find('"') {
            return rest[..end].to_string();
        }
    }
    if let Some(idx) = message.find("constraint failed: ") {
        return message[idx + "constraint failed: ".len()..]
            .trim()
            .to_string();
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::constraint_name;

    #[test]
    fn postgres_and_sqlite_messages_both_yield_a_constraint() {
        assert_eq!(
            constraint_name(
                r#"duplicate key value violates unique constraint "ux_customers_number""#
            ),
            "ux_customers_number"
        );
        assert_eq!(
            constraint_name("UNIQUE constraint failed: customers.number"),
            "customers.number"
        );
    }
}
