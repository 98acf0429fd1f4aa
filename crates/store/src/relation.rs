//! Joins between tables without declared relations: the entities declare none, so a query
//! that joins builds the relation from the foreign key.

use sea_orm::{EntityTrait, JoinType, QuerySelect, RelationDef, Select, SelectTwo};

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
