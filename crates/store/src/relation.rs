//! Joins between tables without declared relations: the entities declare none, so a query
//! that joins builds the relation from the foreign key.

use sea_orm::{EntityTrait, RelationDef};

/// The join from `Parent` to the rows of `Child` whose `foreign_key` holds the parent's
/// `key`: for a query on `Parent` that brings in its children (one row per child).
pub fn children<Child: EntityTrait, Parent: EntityTrait>(
    foreign_key: Child::Column,
    key: Parent::Column,
) -> RelationDef {
    let child_to_parent: RelationDef = Child::belongs_to(Parent::default())
        .from(foreign_key)
        .to(key)
        .into();
    child_to_parent.rev()
}
