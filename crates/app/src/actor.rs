//! The signed-in user on whose behalf a use case runs, and the checks every use case makes.

use aftersales_domain::role::{allows, scope_of, Permission, Role, Scope};
use aftersales_store::entity::{user, user_role};
use aftersales_store::relation::children;
use aftersales_store::sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QueryResult, QuerySelect, Select,
};
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

/// The columns of a user that make an actor, and one of its roles: a user left-joined with
/// its roles gives one such row per role (and one without a role when it has none).
#[derive(FromQueryResult)]
struct ActorRow {
    user_id: i64,
    username: String,
    display_name: String,
    org_unit_id: Option<i64>,
    customer_id: Option<i64>,
    locale: Option<String>,
    active: bool,
    role: Option<String>,
}

/// Columns `C` of a row joined to its user (a session's or an API token's), read in the same
/// query as the actor: authenticating a request is one query, not three.
pub(crate) struct WithActor<C> {
    credential: C,
    actor: ActorRow,
}

impl<C: FromQueryResult> FromQueryResult for WithActor<C> {
    fn from_query_result(row: &QueryResult, prefix: &str) -> Result<Self, DbErr> {
        Ok(WithActor {
            credential: C::from_query_result(row, prefix)?,
            actor: ActorRow::from_query_result(row, prefix)?,
        })
    }
}

impl Actor {
    /// Loads an active user with its roles; an inactive or missing user is not an actor.
    pub async fn load(db: &impl ConnectionTrait, user_id: i64) -> Result<Option<Actor>, AppError> {
        let rows = Actor::select(user::Entity::find_by_id(user_id))
            .into_model::<ActorRow>()
            .all(db)
            .await?;
        Ok(Actor::from_rows(rows))
    }

    /// `users` with the actor's columns selected and the roles joined: one row per role. A
    /// caller joins its credential's table and adds the credential's columns.
    pub(crate) fn select(query: Select<user::Entity>) -> Select<user::Entity> {
        query
            .select_only()
            .column_as(user::Column::Id, "user_id")
            .column(user::Column::Username)
            .column(user::Column::DisplayName)
            .column(user::Column::OrgUnitId)
            .column(user::Column::CustomerId)
            .column(user::Column::Locale)
            .column(user::Column::Active)
            .column(user_role::Column::Role)
            .join(
                JoinType::LeftJoin,
                children::<user_role::Entity, user::Entity>(
                    user_role::Column::UserId,
                    user::Column::Id,
                ),
            )
    }

    /// The credential and its active actor from the rows of one credential joined by
    /// [`Actor::select`]; none when there are no rows or the user is inactive.
    pub(crate) fn from_joined<C>(rows: Vec<WithActor<C>>) -> Option<(C, Actor)> {
        let mut rows = rows.into_iter();
        let first = rows.next()?;
        let actor =
            Actor::from_rows(std::iter::once(first.actor).chain(rows.map(|row| row.actor)))?;
        Some((first.credential, actor))
    }

    fn from_rows(rows: impl IntoIterator<Item = ActorRow>) -> Option<Actor> {
        let mut rows = rows.into_iter();
        let first = rows.next()?;
        if !first.active {
            return None;
        }
        let mut roles: Vec<Role> = first
            .role
            .as_deref()
            .and_then(Role::parse)
            .into_iter()
            .collect();
        roles.extend(rows.filter_map(|row| row.role.as_deref().and_then(Role::parse)));
        Some(Actor {
            user_id: first.user_id,
            username: first.username,
            display_name: first.display_name,
            roles,
            org_unit_id: first.org_unit_id,
            customer_id: first.customer_id,
            locale: first.locale,
        })
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
