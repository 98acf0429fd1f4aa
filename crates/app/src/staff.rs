//! Staff and portal users: roles, skills (product categories) and qualifications (STAFF-1).

use aftersales_domain::role::{Permission, Role, Scope};
use aftersales_domain::validation::{date, optional_text, required_text, ValidationErrors};
use aftersales_store::entity::{qualification, staff_skill, user, user_role};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::{audit, auth, Actor, App, AppError};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    /// Required when creating; ignored on update (use the password reset).
    pub password: Option<String>,
    pub org_unit_id: Option<i64>,
    /// For portal users (role `customer`): the customer they act for.
    pub customer_id: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// 工号 shown to customers (REPAIR-1).
    pub badge_no: Option<String>,
    pub roles: Vec<String>,
    /// Product categories the person is skilled in.
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default = "default_true")]
    pub active: bool,
    pub version: Option<i32>,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QualificationView {
    pub id: i64,
    /// certificate, training or reception_training.
    pub kind: String,
    pub product_category: Option<String>,
    pub title: String,
    pub issued_on: String,
    pub expires_on: Option<String>,
    /// Valid today.
    pub valid: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_unit_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub badge_no: Option<String>,
    pub locale: Option<String>,
    pub roles: Vec<String>,
    pub skills: Vec<String>,
    pub qualifications: Vec<QualificationView>,
    pub active: bool,
    pub version: i32,
}

struct ValidUser {
    username: String,
    display_name: String,
    phone: Option<String>,
    email: Option<String>,
    badge_no: Option<String>,
    roles: Vec<Role>,
    skills: Vec<String>,
}

fn validate_user(input: &UserInput) -> Result<ValidUser, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let username = errors.check(
        "username",
        required_text(&input.username, 50).and_then(|name| {
            if name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            {
                Ok(name)
            } else {
                Err("invalid_username")
            }
        }),
    );
    let display_name = errors.check("display_name", required_text(&input.display_name, 50));
    let phone = errors.check(
        "phone",
        match input
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(phone) => aftersales_domain::customer::normalize_phone(phone).map(Some),
            None => Ok(None),
        },
    );
    let email = errors.check(
        "email",
        match input
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            Some(email) => aftersales_domain::customer::check_email(email).map(Some),
            None => Ok(None),
        },
    );
    let badge_no = errors.check("badge_no", optional_text(input.badge_no.as_deref(), 20));
    let mut roles = Vec::new();
    for code in &input.roles {
        match Role::parse(code) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => errors.add("roles", "invalid_choice"),
        }
    }
    if roles.is_empty() {
        errors.add("roles", "required");
    }
    if roles.contains(&Role::Customer) && roles.len() > 1 {
        // A portal user acts for its customer only; mixing in staff roles would blur scopes.
        errors.add("roles", "customer_role_alone");
    }
    if aftersales_domain::role::hotline_conflict(&roles) {
        errors.add("roles", "hotline_apart_from_service");
    }
    if roles.contains(&Role::Customer) && input.customer_id.is_none() {
        errors.add("customer_id", "required");
    }
    if !roles.contains(&Role::Customer) && input.org_unit_id.is_none() {
        errors.add("org_unit_id", "required");
    }
    let skills: Vec<String> = input
        .skills
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    match (username, display_name, phone, email, badge_no) {
        (Some(username), Some(display_name), Some(phone), Some(email), Some(badge_no))
            if errors.is_empty() =>
        {
            Ok(ValidUser {
                username,
                display_name,
                phone,
                email,
                badge_no,
                roles,
                skills,
            })
        }
        _ => Err(errors),
    }
}

/// Staff managers may only place users in branches they see, and only an administrator may
/// hand out the administrator role.
fn check_grant(actor: &Actor, valid: &ValidUser, org_unit_id: Option<i64>) -> Result<(), AppError> {
    if valid.roles.contains(&Role::Admin) && !actor.has_role(Role::Admin) {
        return Err(AppError::Forbidden);
    }
    if let (Scope::Branch(own), Some(unit)) = (actor.scope(), org_unit_id) {
        if own != unit {
            return Err(AppError::invalid("org_unit_id", "outside_scope"));
        }
    }
    if valid.roles.iter().any(|r| r.spans_branches())
        && !matches!(actor.scope(), Scope::AllBranches)
    {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

async fn view(
    db: &impl ConnectionTrait,
    row: user::Model,
    today: jiff::civil::Date,
) -> Result<UserView, AppError> {
    let roles = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(row.id))
        .all(db)
        .await?;
    let skills = staff_skill::Entity::find()
        .filter(staff_skill::Column::UserId.eq(row.id))
        .all(db)
        .await?;
    let qualifications = qualification::Entity::find()
        .filter(qualification::Column::UserId.eq(row.id))
        .order_by_asc(qualification::Column::Id)
        .all(db)
        .await?;
    Ok(UserView {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        org_unit_id: row.org_unit_id,
        customer_id: row.customer_id,
        phone: row.phone,
        email: row.email,
        badge_no: row.badge_no,
        locale: row.locale,
        roles: roles.into_iter().map(|r| r.role).collect(),
        skills: skills.into_iter().map(|s| s.product_category).collect(),
        qualifications: qualifications
            .into_iter()
            .map(|q| qualification_view(q, today))
            .collect(),
        active: row.active,
        version: row.version,
    })
}

fn qualification_view(row: qualification::Model, today: jiff::civil::Date) -> QualificationView {
    let valid = row
        .expires_on
        .as_deref()
        .is_none_or(|expires| expires >= today.to_string().as_str());
    QualificationView {
        id: row.id,
        kind: row.kind,
        product_category: row.product_category,
        title: row.title,
        issued_on: row.issued_on,
        expires_on: row.expires_on,
        valid,
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct UserFilter {
    /// Matches user name, display name or badge number.
    pub q: Option<String>,
    pub org_unit_id: Option<i64>,
    pub role: Option<String>,
}

pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &UserFilter,
    page: PageRequest,
) -> Result<Page<UserView>, AppError> {
    actor.require(Permission::StaffRead)?;
    let mut query = user::Entity::find().order_by_asc(user::Column::Username);
    match actor.scope() {
        Scope::AllBranches => {}
        Scope::Branch(own) => query = query.filter(user::Column::OrgUnitId.eq(own)),
        Scope::Customer(_) | Scope::Nothing => return Err(AppError::Forbidden),
    }
    if let Some(unit) = filter.org_unit_id {
        query = query.filter(user::Column::OrgUnitId.eq(unit));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(crate::search::contains(user::Column::Username, q))
                .add(crate::search::contains(user::Column::DisplayName, q))
                .add(crate::search::contains(user::Column::BadgeNo, q)),
        );
    }
    if let Some(role) = filter.role.as_deref().filter(|r| !r.is_empty()) {
        let ids = user_role::Entity::find()
            .filter(user_role::Column::Role.eq(role))
            .all(&app.db)
            .await?;
        query = query.filter(user::Column::Id.is_in(ids.into_iter().map(|r| r.user_id)));
    }
    let paginator = query.paginate(&app.db, page.per_page());
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    let today = app.today();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(&app.db, row, today).await?);
    }
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
        total_capped: false,
    })
}

pub(crate) async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<user::Model, AppError> {
    let row = user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    match (actor.scope(), row.org_unit_id) {
        (Scope::AllBranches, _) => Ok(row),
        (Scope::Branch(own), Some(unit)) if own == unit => Ok(row),
        _ => Err(AppError::NotFound),
    }
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<UserView, AppError> {
    actor.require(Permission::StaffRead)?;
    let row = find_visible(&app.db, actor, id).await?;
    view(&app.db, row, app.today()).await
}

async fn replace_roles_and_skills(
    db: &impl ConnectionTrait,
    user_id: i64,
    valid: &ValidUser,
) -> Result<(), AppError> {
    user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    for role in &valid.roles {
        user_role::ActiveModel {
            user_id: Set(user_id),
            role: Set(role.as_str().to_string()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    staff_skill::Entity::delete_many()
        .filter(staff_skill::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    let mut seen = std::collections::BTreeSet::new();
    for skill in valid.skills.iter().filter(|s| seen.insert(s.as_str())) {
        staff_skill::ActiveModel {
            user_id: Set(user_id),
            product_category: Set(skill.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn create(app: &App, actor: &Actor, input: &UserInput) -> Result<UserView, AppError> {
    actor.require(Permission::StaffWrite)?;
    let valid = validate_user(input)?;
    check_grant(actor, &valid, input.org_unit_id)?;
    let password = input.password.as_deref().unwrap_or_default();
    auth::check_password(password).map_err(|code| AppError::invalid("password", code))?;
    let password_hash = auth::hash_password(password)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = user::ActiveModel {
        username: Set(valid.username.clone()),
        display_name: Set(valid.display_name.clone()),
        password_hash: Set(password_hash),
        org_unit_id: Set(input.org_unit_id),
        customer_id: Set(input.customer_id),
        phone: Set(valid.phone.clone()),
        email: Set(valid.email.clone()),
        badge_no: Set(valid.badge_no.clone()),
        locale: Set(None),
        active: Set(input.active),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    replace_roles_and_skills(&txn, row.id, &valid).await?;
    let created = view(&txn, row, app.today()).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "user",
        created.id,
        "create",
        None::<&()>,
        Some(&created),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &UserInput,
) -> Result<UserView, AppError> {
    actor.require(Permission::StaffWrite)?;
    let valid = validate_user(input)?;
    check_grant(actor, &valid, input.org_unit_id)?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_visible(&txn, actor, id).await?;
    let before = view(&txn, row.clone(), app.today()).await?;
    if before.roles.iter().any(|r| r == Role::Admin.as_str()) && !actor.has_role(Role::Admin) {
        return Err(AppError::Forbidden);
    }
    // TOOLS-2: a person leaves the post (deactivated, or moved to another unit) only after
    // handing every tool over.
    if (row.active && !input.active) || row.org_unit_id != input.org_unit_id {
        crate::tools::ensure_handed_over(&txn, id).await?;
    }
    let mut active: user::ActiveModel = row.into();
    active.username = Set(valid.username.clone());
    active.display_name = Set(valid.display_name.clone());
    active.org_unit_id = Set(input.org_unit_id);
    active.customer_id = Set(input.customer_id);
    active.phone = Set(valid.phone.clone());
    active.email = Set(valid.email.clone());
    active.badge_no = Set(valid.badge_no.clone());
    active.active = Set(input.active);
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let updated = versioned_update(&txn, active, user::Column::Version, version).await?;
    replace_roles_and_skills(&txn, id, &valid).await?;
    if !input.active {
        sign_out_everywhere(&txn, id).await?;
    }
    let after = view(&txn, updated, app.today()).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "user",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

async fn sign_out_everywhere(db: &impl ConnectionTrait, user_id: i64) -> Result<(), AppError> {
    use aftersales_store::entity::session;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets a new password (administrators, or a staff manager within the branch) and ends the
/// user's sessions. `actor` is `None` for the command-line tool run by the operator.
pub async fn reset_password(
    app: &App,
    actor: Option<&Actor>,
    username: &str,
    password: &str,
) -> Result<(), AppError> {
    if let Some(actor) = actor {
        actor.require(Permission::StaffWrite)?;
    }
    auth::check_password(password).map_err(|code| AppError::invalid("password", code))?;
    let password_hash = auth::hash_password(password)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(actor) = actor {
        find_visible(&txn, actor, row.id).await?;
    }
    let id = row.id;
    let mut active: user::ActiveModel = row.into();
    active.password_hash = Set(password_hash);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    sign_out_everywhere(&txn, id).await?;
    audit::record(
        &txn,
        now,
        actor,
        "user",
        id,
        "reset_password",
        None::<&()>,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct QualificationInput {
    /// certificate (岗位资质证书), training (培训合格) or reception_training (接待培训).
    pub kind: String,
    /// The product category a certificate qualifies for; empty for general training.
    pub product_category: Option<String>,
    pub title: String,
    /// YYYY-MM-DD.
    pub issued_on: String,
    /// YYYY-MM-DD; empty when it never expires.
    pub expires_on: Option<String>,
}

const QUALIFICATION_KINDS: &[&str] = &["certificate", "training", "reception_training"];

pub async fn add_qualification(
    app: &App,
    actor: &Actor,
    user_id: i64,
    input: &QualificationInput,
) -> Result<QualificationView, AppError> {
    actor.require(Permission::StaffWrite)?;
    let mut errors = ValidationErrors::new();
    if !QUALIFICATION_KINDS.contains(&input.kind.as_str()) {
        errors.add("kind", "invalid_choice");
    }
    let title = errors.check("title", required_text(&input.title, 100));
    let issued_on = errors.check("issued_on", date(&input.issued_on));
    let expires_on = match input
        .expires_on
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(text) => errors.check("expires_on", date(text)).map(Some),
        None => Some(None),
    };
    if let (Some(issued), Some(Some(expires))) = (issued_on, expires_on) {
        if expires < issued {
            errors.add("expires_on", "before_issue");
        }
    }
    let category = errors.check(
        "product_category",
        optional_text(input.product_category.as_deref(), 50),
    );
    let (Some(title), Some(issued_on), Some(expires_on), Some(category)) =
        (title, issued_on, expires_on, category)
    else {
        return Err(errors.into());
    };
    errors.into_result(())?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    find_visible(&txn, actor, user_id).await?;
    let row = qualification::ActiveModel {
        user_id: Set(user_id),
        kind: Set(input.kind.clone()),
        product_category: Set(category),
        title: Set(title),
        issued_on: Set(issued_on.to_string()),
        expires_on: Set(expires_on.map(|d| d.to_string())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "user",
        user_id,
        "add_qualification",
        None::<&()>,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(qualification_view(row, app.today()))
}

pub async fn remove_qualification(
    app: &App,
    actor: &Actor,
    user_id: i64,
    qualification_id: i64,
) -> Result<(), AppError> {
    actor.require(Permission::StaffWrite)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    find_visible(&txn, actor, user_id).await?;
    let row = qualification::Entity::find_by_id(qualification_id)
        .filter(qualification::Column::UserId.eq(user_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    qualification::Entity::delete_by_id(qualification_id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "user",
        user_id,
        "remove_qualification",
        Some(&row),
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Creates a user without an acting user: the first administrator from the command line.
pub async fn create_by_operator(app: &App, input: &UserInput) -> Result<i64, AppError> {
    let valid = validate_user(input)?;
    let password = input.password.as_deref().unwrap_or_default();
    auth::check_password(password).map_err(|code| AppError::invalid("password", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = user::ActiveModel {
        username: Set(valid.username.clone()),
        display_name: Set(valid.display_name.clone()),
        password_hash: Set(auth::hash_password(password)?),
        org_unit_id: Set(input.org_unit_id),
        customer_id: Set(input.customer_id),
        phone: Set(valid.phone.clone()),
        email: Set(valid.email.clone()),
        badge_no: Set(valid.badge_no.clone()),
        locale: Set(None),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    replace_roles_and_skills(&txn, row.id, &valid).await?;
    audit::record(
        &txn,
        now,
        None,
        "user",
        row.id,
        "create",
        None::<&()>,
        Some(&serde_json::json!({"username": row.username})),
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}
