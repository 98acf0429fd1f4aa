//! Issues numbers from configurable patterns. One atomic upsert per number (or per batch of
//! numbers), so concurrent requests on any number of instances never get the same number.

use std::ops::RangeInclusive;

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
    let value = reserve(db, pattern.scope(date, branch_code), 1).await?;
    Ok(pattern.render(date, branch_code, *value.end()))
}

/// Takes the next `count` values of the sequence `scope` (a pattern's
/// [`NumberPattern::scope`]) with one upsert: a batch of registrations takes its numbers
/// together.
pub async fn reserve(
    db: &impl ConnectionTrait,
    scope: String,
    count: usize,
) -> Result<RangeInclusive<i64>, AppError> {
    let count = i64::try_from(count).map_err(|err| AppError::Internal(err.into()))?;
    let table = Alias::new("number_sequences");
    let last_value = Alias::new("last_value");
    let statement = Query::insert()
        .into_table(table.clone())
        .columns([Alias::new("scope"), last_value.clone()])
        .values_panic([scope.into(), count.into()])
        .on_conflict(
            OnConflict::column(Alias::new("scope"))
                .value(
                    last_value.clone(),
                    Expr::col((table, last_value.clone())).add(count),
                )
                .to_owned(),
        )
        .returning_col(last_value)
        .to_owned();
    let row = db
        .query_one(db.get_database_backend().build(&statement))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("number sequence returned no row")))?;
    let last = i64::try_get_by(&row, 0usize)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err:?}")))?;
    Ok(last - count + 1..=last)
}
