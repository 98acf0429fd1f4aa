//! The error every use case returns. It states what went wrong in business terms; `web`
//! maps each variant to one HTTP status and one JSON/HTML shape.

use aftersales_domain::validation::ValidationErrors;
use aftersales_store::sea_orm::DbErr;
use aftersales_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input: {0}")]
    Validation(ValidationErrors),
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    /// A business rule refuses the operation in the current state (409), with a machine
    /// code and, where one field is at fault, its name.
    #[error("conflict: {code}{}", field.map(|f| format!(" (field {f})")).unwrap_or_default())]
    Conflict {
        code: &'static str,
        field: Option<&'static str>,
        detail: Option<String>,
    },
    /// The record changed since the client read it (optimistic locking).
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("too many failed sign-ins; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    /// The database cannot take writes now (read-only, disk full): retry later (503).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn conflict(code: &'static str) -> AppError {
        AppError::Conflict {
            code,
            field: None,
            detail: None,
        }
    }
    pub fn field_conflict(code: &'static str, field: &'static str) -> AppError {
        AppError::Conflict {
            code,
            field: Some(field),
            detail: None,
        }
    }
    pub fn invalid(field: &str, code: &'static str) -> AppError {
        AppError::Validation(ValidationErrors::single(field, code))
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        AppError::Validation(errors)
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { constraint } => conflict_from_constraint(&constraint),
            StoreError::Unavailable(message) => AppError::Unavailable(message),
            StoreError::Other(err) => AppError::Internal(err.into()),
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        AppError::from(StoreError::from(err))
    }
}

/// Maps a unique constraint to the field whose value is taken. PostgreSQL reports the index
/// name, SQLite the `table.column`; both are listed.
fn conflict_from_constraint(constraint: &str) -> AppError {
    let field = match constraint {
        "ux_customers_number" | "customers.number" => Some("number"),
        "ux_users_username" | "users.username" => Some("username"),
        "ux_products_model" | "products.model" => Some("model"),
        "ux_units_serial_no" | "units.serial_no" => Some("serial_no"),
        "ux_contracts_number" | "contracts.number" => Some("number"),
        "ux_org_units_code" | "org_units.code" => Some("code"),
        "ux_districts_name" | "districts.name" => Some("name"),
        "ux_price_items_code" | "price_items.code" => Some("code"),
        "ux_components_name" | "product_components.product_id, product_components.name" => {
            Some("components")
        }
        _ => None,
    };
    match field {
        Some(field) => AppError::field_conflict("already_exists", field),
        None => AppError::Conflict {
            code: "constraint",
            field: None,
            detail: Some(constraint.to_string()),
        },
    }
}
