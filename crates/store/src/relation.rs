//! Joins between tables without declared relations: the entities declare none, so a query
//! that joins builds the relation from the foreign key.

use sea_orm::{
    DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable, JoinType, QueryResult, QuerySelect,
    RelationDef, Select, SelectA, SelectB, SelectTwo,
};

/// The join from `Child` to the `Parent` row its `foreign_key` names (the parent's `key`):
/// for a query on `Child` that brings in its parent (one row per child).
pub fn parent<Child: EntityTrait, Parent: EntityTrait>(
    foreign_key: Child::Column,
    key: Parent::Column,
) -> RelationDef {
    Child::belongs_to(Parent::default())
        .from(foreign_key)
        .to(key)
        .into()
}

/// The join from `Parent` to the rows of `Child` whose `foreign_key` holds the parent's
/// `key`: for a query on `Parent` that brings in its children (one row per child).
pub fn children<Child: EntityTrait, Parent: EntityTrait>(
    foreign_key: Child::Column,
    key: Parent::Column,
) -> RelationDef {
    parent::<Child, Parent>(foreign_key, key).rev()
}

/// `rows` of `Child`, each together with the `Parent` row its `foreign_key` names (the
/// parent's `key`), in one query; the parent is None where the key is empty.
pub fn with_parent<Child: EntityTrait, Parent: EntityTrait>(
    rows: Select<Child>,
    foreign_key: Child::Column,
    key: Parent::Column,
) -> SelectTwo<Child, Parent> {
    rows.select_also(Parent::default()).join(
        JoinType::LeftJoin,
        parent::<Child, Parent>(foreign_key, key),
    )
}

/// A row of a [`with_parent`] query run from its statement (such as one bound to a cached
/// text, [`crate::SqlText`]) rather than through `SelectTwo`: the child and its parent, read
/// as `SelectTwo` reads them.
pub struct ChildWithParent<C, P>(pub C, pub Option<P>);

impl<C: FromQueryResult, P: FromQueryResult> FromQueryResult for ChildWithParent<C, P> {
    fn from_query_result(row: &QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        Ok(ChildWithParent(
            C::from_query_result(row, SelectA.as_str())?,
            P::from_query_result_optional(row, SelectB.as_str())?,
        ))
    }
}

impl<C, P> From<ChildWithParent<C, P>> for (C, Option<P>) {
    fn from(ChildWithParent(child, parent): ChildWithParent<C, P>) -> Self {
        (child, parent)
    }
}

/// Left-joins to `select` the `Parent` row that the `foreign_key` of `Child` (the queried
/// table or one joined before) names, and reads every column of it as `{prefix}{column}`, so
/// that `Parent::Model::from_query_result_optional(row, prefix)` gives it back (None where
/// there is none): for a query that brings in more parents than `select_also` reads at once.
pub fn join_parent_columns<Child: EntityTrait, Parent: EntityTrait, S: QuerySelect>(
    select: S,
    foreign_key: Child::Column,
    key: Parent::Column,
    prefix: &str,
) -> S {
    Parent::Column::iter().fold(
        select.join(
            JoinType::LeftJoin,
            parent::<Child, Parent>(foreign_key, key),
        ),
        |select, column| select.column_as(column, format!("{prefix}{}", column.as_str())),
    )
}
