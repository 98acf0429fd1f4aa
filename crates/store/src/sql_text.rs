//! The SQL text of a query that requests run again and again with other values, built once.
//!
//! sea-query writes a statement's text afresh on every execution, quoting each identifier
//! through `fmt`. For the wide joins of the most frequent requests that costs more CPU than
//! the database takes to run them: the order view's query (an order with six parents, every
//! column named) was 15% of the server's CPU when the benchmark opened orders. A [`SqlText`]
//! keeps the text per backend and binds each execution's values to it.

use std::sync::OnceLock;

use sea_orm::{DbBackend, QueryTrait, Statement, Value};

/// One query's SQL text, per backend; a `static` beside the query it caches.
pub struct SqlText {
    sqlite: OnceLock<String>,
    postgres: OnceLock<String>,
}

impl SqlText {
    pub const fn new() -> SqlText {
        SqlText {
            sqlite: OnceLock::new(),
            postgres: OnceLock::new(),
        }
    }

    /// The statement of `query` for `backend` with `values`, which must be the values `query`
    /// binds, in their order. `query` is built only the first time on each backend, so the
    /// shape of the query must not depend on the values (no filter added for some of them);
    /// that first build checks that `values` are exactly the ones it bound.
    pub fn statement<Q: QueryTrait>(
        &self,
        backend: DbBackend,
        values: Vec<Value>,
        query: impl FnOnce() -> Q,
    ) -> Statement {
        let slot = match backend {
            DbBackend::Sqlite => &self.sqlite,
            DbBackend::Postgres => &self.postgres,
            DbBackend::MySql => return query().build(backend),
        };
        let sql = slot.get_or_init(|| {
            let built = query().build(backend);
            let bound = built.values.map(|values| values.0).unwrap_or_default();
            assert_eq!(
                bound, values,
                "SqlText: the values given are not the ones the query binds"
            );
            built.sql
        });
        Statement::from_sql_and_values(backend, sql.as_str(), values)
    }
}

impl Default for SqlText {
    fn default() -> Self {
        SqlText::new()
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    use super::*;
    use crate::entity::customer;

    fn by_name(name: &str) -> sea_orm::Select<customer::Entity> {
        customer::Entity::find().filter(customer::Column::Name.eq(name))
    }

    #[test]
    fn the_text_is_built_once_and_bound_to_each_call_s_values() {
        let text = SqlText::new();
        let first = text.statement(DbBackend::Sqlite, vec!["张三".into()], || by_name("张三"));
        // A second build would give this text; the closure must not run.
        let second = text.statement(
            DbBackend::Sqlite,
            vec!["李四".into()],
            || -> sea_orm::Select<customer::Entity> { unreachable!("built twice") },
        );
        assert_eq!(first.sql, second.sql);
        assert_eq!(second.sql, by_name("李四").build(DbBackend::Sqlite).sql);
        assert_eq!(second.values.unwrap().0, vec![Value::from("李四")]);
        // Each backend has its own text.
        let postgres = text.statement(DbBackend::Postgres, vec!["王五".into()], || {
            by_name("王五")
        });
        assert_eq!(postgres.sql, by_name("王五").build(DbBackend::Postgres).sql);
        assert_ne!(postgres.sql, first.sql);
    }

    #[test]
    #[should_panic(expected = "not the ones the query binds")]
    fn values_that_differ_from_the_query_s_are_refused() {
        SqlText::new().statement(DbBackend::Sqlite, vec![1i64.into()], || by_name("张三"));
    }
}
