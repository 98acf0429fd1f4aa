//! The signed-in user on whose behalf a use case runs, and the checks every use case makes.

use aftersales_domain::role::{allows, scope_of, Permission, Role, Scope};
use aftersales_store::entity::{user, user_role};
use aftersales_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use crate::AppError;

#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub org_unit_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub locale: Option<String>,
}

impl Actor {
    /// Loads an active user with its roles; an inactive or missing user is not an actor.
    pub async fn load(db: &impl ConnectionTrait, user_id: i64) -> Result<Option<Actor>, AppError> {
        let Some(user) = user::Entity::find_by_id(user_id).one(db).await? else {
            return Ok(None);
        };
        if !user.active {
            return Ok(None);
        }
        let roles = user_role::Entity::find()
            .filter(user_role::Column::UserId.eq(user_id))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|r| Role::parse(&r.role))
            .collect();
        Ok(Some(Actor {
            user_id: user.id,
            username: user.username,
            display_name: user.display_name,
            roles,
            org_unit_id: user.org_unit_id,
            customer_id: user.customer_id,
            locale: user.locale,
        }))
    }

    pub fn can(&self, permission: Permission) -> bool {
        allows(&self.roles, permission)
    }

    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Limits a query to the records the actor sees: every branch, its own branch (by
    /// `branch`), or its own customer's (by `customer`); nothing is refused outright.
    pub fn scoped<Q: QueryFilter>(
        &self,
        query: Q,
        branch: impl ColumnTrait,
        customer: impl ColumnTrait,
    ) -> Result<Q, AppError> {
        Ok(match self.scope() {
            Scope::AllBranches => query,
            Scope::Branch(own) => query.filter(branch.eq(own)),
            Scope::Customer(own) => query.filter(customer.eq(own)),
            Scope::Nothing => return Err(AppError::Forbidden),
        })
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn scope(&self) -> Scope {
        scope_of(&self.roles, self.org_unit_id, self.customer_id)
    }

    /// Whether a record owned by `org_unit_id` (and, for customer records, by `customer_id`)
    /// is visible. Out-of-scope records answer 404, not 403, so their existence is not leaked.
    pub fn sees(&self, org_unit_id: i64, customer_id: Option<i64>) -> bool {
        match self.scope() {
            Scope::AllBranches => true,
            Scope::Branch(branch) => branch == org_unit_id,
            Scope::Customer(own) => customer_id == Some(own),
            Scope::Nothing => false,
        }
    }

    pub fn ensure_sees(&self, org_unit_id: i64, customer_id: Option<i64>) -> Result<(), AppError> {
        if self.sees(org_unit_id, customer_id) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The branch a new record goes to: the one asked for if the actor may write there,
    /// else the actor's own.
    pub fn branch_for_new_record(&self, requested: Option<i64>) -> Result<i64, AppError> {
        match (self.scope(), requested) {
            (Scope::AllBranches, Some(branch)) => Ok(branch),
            (Scope::Branch(own), Some(branch)) if branch != own => {
                Err(AppError::invalid("org_unit_id", "outside_scope"))
            }
            (Scope::Branch(own), _) => Ok(own),
            (Scope::AllBranches, None) => self
                .org_unit_id
                .ok_or_else(|| AppError::invalid("org_unit_id", "required")),
            (Scope::Customer(_) | Scope::Nothing, _) => Err(AppError::Forbidden),
        }
    }
}
