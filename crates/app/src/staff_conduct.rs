//! Staff conduct, STAFF-6: discipline incidents. A supervisor or the customer department
//! opens one by hand; other areas open them in their own transactions through
//! [`open_incident`] (repeat repairs by personal fault INTAKE-10, complaints COMPLAINT-16,
//! returns RMA-8). The staff member's branch managers are told. A decision approves a
//! sanction (warning, fine, non-reimbursement by the branch manager; dismissal and legal
//! action only by the general manager) or dismisses the incident.

use aftersales_domain::role::{Permission, Role, Scope};
use aftersales_domain::staff_conduct::{check_fine, IncidentKind, IncidentStatus, Sanction};
use aftersales_domain::validation::{optional_text, ValidationErrors};
use aftersales_store::entity::{discipline_incident, user};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::notifications::{self, Message};
use crate::org::versioned_update;
use crate::page::{Page, PageRequest};
use crate::{audit, format_ms, Actor, App, AppError};

/// A new incident, as another area or a person reports it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewIncident {
    /// The staff member (a user id).
    pub staff_id: i64,
    /// absenteeism, service_quality_fault, return_shirking, expense_fraud, on_call_breach,
    /// tool_loss or delivery_lateness.
    pub kind: String,
    pub description: Option<String>,
    /// Evidence: the service order, complaint or survey card the incident rests on.
    pub service_order_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub survey_card_id: Option<i64>,
}

/// Opens an incident in the caller's transaction and tells the staff member's branch
/// managers; answers its id. `source` names what opened it (`manual`, `repeat_repair`,
/// `complaint`, `rma`, …); `opened_by` is empty when a rule opened it.
pub async fn open_incident(
    db: &impl ConnectionTrait,
    incident: &NewIncident,
    source: &str,
    opened_by: Option<&Actor>,
    now_ms: i64,
) -> Result<i64, AppError> {
    let mut errors = ValidationErrors::new();
    let kind = IncidentKind::parse(&incident.kind);
    if kind.is_none() {
        errors.add("kind", "invalid_choice");
    }
    let description = errors
        .check(
            "description",
            optional_text(incident.description.as_deref(), 2000),
        )
        .flatten();
    let staff = user::Entity::find_by_id(incident.staff_id).one(db).await?;
    let org_unit_id = match staff.as_ref().and_then(|s| s.org_unit_id) {
        Some(unit) => Some(unit),
        None => {
            errors.add("staff_id", "not_staff");
            None
        }
    };
    let (Some(kind), Some(org_unit_id)) = (kind, org_unit_id) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    if let Some(actor) = opened_by {
        actor.ensure_sees(org_unit_id, None)?;
    }
    let row = discipline_incident::ActiveModel {
        org_unit_id: Set(org_unit_id),
        staff_id: Set(incident.staff_id),
        kind: Set(kind.as_str().to_string()),
        description: Set(description),
        service_order_id: Set(incident.service_order_id),
        complaint_id: Set(incident.complaint_id),
        survey_card_id: Set(incident.survey_card_id),
        source: Set(source.to_string()),
        status: Set(IncidentStatus::Open.as_str().to_string()),
        sanction: Set(None),
        fine_fen: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(None),
        opened_by: Set(opened_by.map(|a| a.user_id)),
        version: Set(1),
        created_at: Set(now_ms),
        updated_at: Set(now_ms),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        now_ms,
        opened_by,
        "discipline_incident",
        row.id,
        "open",
        None::<&()>,
        Some(&row),
    )
    .await?;
    let managers =
        notifications::users_with_role(db, Role::BranchManager, Some(org_unit_id)).await?;
    let name = staff.map(|s| s.display_name).unwrap_or_default();
    let message = Message {
        kind: "discipline_incident",
        link: Some("/discipline-incidents".to_string()),
        zh: (format!("{name} 有一项待处理的违纪事件"), String::new()),
        en: (
            format!("A discipline incident of {name} awaits a decision"),
            String::new(),
        ),
    };
    notifications::notify(db, now_ms, &managers, &message).await?;
    Ok(row.id)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentView {
    pub id: i64,
    pub org_unit_id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub kind: String,
    pub description: Option<String>,
    pub service_order_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub survey_card_id: Option<i64>,
    pub source: String,
    /// open, approved or dismissed.
    pub status: String,
    pub sanction: Option<String>,
    pub fine_fen: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
    pub created_at: String,
    pub version: i32,
}

impl IncidentView {
    pub fn is_open(&self) -> bool {
        self.status == IncidentStatus::Open.as_str()
    }
}

async fn view(
    db: &impl ConnectionTrait,
    row: discipline_incident::Model,
) -> Result<IncidentView, AppError> {
    let name = |id: i64| async move {
        Ok::<_, AppError>(
            user::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default(),
        )
    };
    let staff_name = name(row.staff_id).await?;
    let decided_by = match row.decided_by {
        Some(id) => Some(name(id).await?),
        None => None,
    };
    Ok(IncidentView {
        id: row.id,
        org_unit_id: row.org_unit_id,
        staff_id: row.staff_id,
        staff_name,
        kind: row.kind,
        description: row.description,
        service_order_id: row.service_order_id,
        complaint_id: row.complaint_id,
        survey_card_id: row.survey_card_id,
        source: row.source,
        status: row.status,
        sanction: row.sanction,
        fine_fen: row.fine_fen,
        decided_by,
        decided_at: row.decided_at.map(format_ms),
        decision_note: row.decision_note,
        created_at: format_ms(row.created_at),
        version: row.version,
    })
}

/// Opens an incident by hand (a supervisor's or the customer department's finding).
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &NewIncident,
) -> Result<IncidentView, AppError> {
    actor.require(Permission::IncidentWrite)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let id = open_incident(&txn, input, "manual", Some(actor), now).await?;
    let row = discipline_incident::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = view(&txn, row).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct IncidentFilter {
    /// open, approved or dismissed.
    pub status: Option<String>,
    pub staff_id: Option<i64>,
}

/// Incidents of the staff in the actor's scope, newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &IncidentFilter,
    request: PageRequest,
) -> Result<Page<IncidentView>, AppError> {
    actor.require(Permission::IncidentRead)?;
    let mut query = discipline_incident::Entity::find();
    match actor.scope() {
        Scope::AllBranches => {}
        Scope::Branch(own) => query = query.filter(discipline_incident::Column::OrgUnitId.eq(own)),
        Scope::Customer(_) | Scope::Nothing => return Err(AppError::Forbidden),
    }
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        IncidentStatus::parse(status)
            .ok_or_else(|| AppError::invalid("status", "invalid_choice"))?;
        query = query.filter(discipline_incident::Column::Status.eq(status));
    }
    if let Some(staff) = filter.staff_id {
        query = query.filter(discipline_incident::Column::StaffId.eq(staff));
    }
    let paginator = query
        .order_by_desc(discipline_incident::Column::Id)
        .paginate(&app.db, request.per_page());
    let total = paginator.num_items().await?;
    let mut items = Vec::new();
    for row in paginator.fetch_page(request.page() - 1).await? {
        items.push(view(&app.db, row).await?);
    }
    Ok(Page {
        items,
        total,
        page: request.page(),
        per_page: request.per_page(),
        total_capped: false,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// true: approve `sanction`; false: dismiss the incident (no fault).
    pub approve: bool,
    /// warning, fine, non_reimbursement, dismissal or legal_action (when approving).
    pub sanction: Option<String>,
    /// The fine in fen (a fine only).
    pub fine_fen: Option<i64>,
    pub note: Option<String>,
    pub version: i32,
}

/// Decides an open incident. Dismissal and legal action need the general manager; other
/// sanctions the branch manager (or the general manager).
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &DecisionInput,
) -> Result<IncidentView, AppError> {
    actor.require(Permission::IncidentDecide)?;
    let mut errors = ValidationErrors::new();
    let note = errors
        .check("note", optional_text(input.note.as_deref(), 2000))
        .flatten();
    let sanction = if input.approve {
        match input.sanction.as_deref().filter(|s| !s.is_empty()) {
            None => {
                errors.add("sanction", "required");
                None
            }
            Some(code) => match Sanction::parse(code) {
                Some(sanction) => {
                    if let Err(code) = check_fine(sanction, input.fine_fen) {
                        errors.add("fine_fen", code);
                    }
                    Some(sanction)
                }
                None => {
                    errors.add("sanction", "invalid_choice");
                    None
                }
            },
        }
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    if sanction.is_some_and(|s| s.approver() == Role::GeneralManager)
        && !actor.has_role(Role::GeneralManager)
        && !actor.has_role(Role::Admin)
    {
        return Err(AppError::Forbidden);
    }
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = discipline_incident::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.ensure_sees(row.org_unit_id, None)?;
    if row.status != IncidentStatus::Open.as_str() {
        return Err(AppError::conflict("already_decided"));
    }
    let before = row.clone();
    let mut active: discipline_incident::ActiveModel = row.into();
    active.status = Set(if input.approve {
        IncidentStatus::Approved
    } else {
        IncidentStatus::Dismissed
    }
    .as_str()
    .to_string());
    active.sanction = Set(sanction.map(|s| s.as_str().to_string()));
    active.fine_fen = Set(input.fine_fen.filter(|_| sanction == Some(Sanction::Fine)));
    active.decided_by = Set(Some(actor.user_id));
    active.decided_at = Set(Some(now));
    active.decision_note = Set(note);
    active.version = Set(input.version + 1);
    active.updated_at = Set(now);
    let saved = versioned_update(
        &txn,
        active,
        discipline_incident::Column::Version,
        input.version,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "discipline_incident",
        id,
        "decide",
        Some(&before),
        Some(&saved),
    )
    .await?;
    let view = view(&txn, saved).await?;
    txn.commit().await?;
    Ok(view)
}
