//! Issues numbers from configurable patterns. One atomic upsert per number, so concurrent
//! requests on any number of instances never get the same number.

use aftersales_domain::numbering::NumberPattern;
use aftersales_store::sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use aftersales_store::sea_orm::{ConnectionTrait, TryGetable};
use jiff::civil::Date;

use crate::AppError;

/// The next number of `pattern` for `date` and `branch_code`.
pub async fn next_number(
    db: &impl ConnectionTrait,
    pattern: &NumberPattern,
    date: Date,
    branch_code: &str,
) -> Result<String, AppError> {
    let scope = pattern.scope(date, branch_code);
    let table = Alias::new("number_sequences");
    let last_value = Alias::new("last_value");
    let statement = Query::insert()
        .into_table(table.clone())
        .columns([Alias::new("scope"), last_value.clone()])
        .values_panic([scope.into(), 1i64.into()])
        .on_conflict(
            OnConflict::column(Alias::new("scope"))
                .value(
                    last_value.clone(),
                    Expr::col((table, last_value.clone())).add(1),
                )
                .to_owned(),
        )
        .returning_col(last_value)
        .to_owned();
    let row = db
        .query_one(db.get_database_backend().build(&statement))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("number sequence returned no row")))?;
    let value = i64::try_get_by(&row, 0usize)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err:?}")))?;
    Ok(pattern.render(date, branch_code, value))
}
