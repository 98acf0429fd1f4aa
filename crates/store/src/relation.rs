//! Joins between tables without declared relations: the entities declare none, so a query
//! that joins builds the relation from the foreign key.

use sea_orm::{
    EntityTrait, IdenStatic, Iterable, JoinType, QuerySelect, RelationDef, Select, SelectTwo,
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
