//! Performance scorecards (issue 6 "Performance", REPORT-3), computed from the records, never
//! stored, so an answered survey or a closed clock shows at once:
//! - a technician's month: survey ratings per aspect and the response rate (cards by call
//!   day), complaints against them (the staff member complained about or found
//!   responsible), repeat repairs counted against the technician of the earlier order, and
//!   SLA compliance from the clocks of the orders they served (received in the month);
//! - the departments' month: complaints by type (the classified cause), the timeliness of
//!   the departments' investigation tasks due in the month, and the corrective actions due in
//!   the month that were confirmed effective.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aftersales_domain::complaint::{month_bounds, ComplaintType};
use aftersales_domain::performance::{percent, timeliness, ClockTally, TimelinessTally};
use aftersales_domain::role::{Permission, Role};
use aftersales_domain::survey::{self, Aspect, Tally};
use aftersales_store::entity::{
    complaint, complaint_task, org_unit, service_order, survey_card, user,
};
use aftersales_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::sla_clocks::{contexts_of, order_clocks};
use crate::surveys::{ratings_of, AspectAverage};
use crate::{notifications, Actor, App, AppError};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ScorecardFilter {
    /// YYYY-MM; the current month when empty.
    pub month: Option<String>,
    /// One branch (within the caller's scope); all visible branches when empty.
    pub org_unit_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TechnicianScore {
    pub technician_id: i64,
    pub name: String,
    pub branch_name: String,
    /// Orders received in the month and served by the technician (cancelled ones excepted).
    pub orders: u32,
    pub cards_sent: u32,
    pub cards_answered: u32,
    /// Answered / sent, per cent with one decimal.
    pub response_rate: Option<f64>,
    /// Per aspect: the average score 1–4 (4 best) and the answers per level.
    pub aspects: Vec<AspectAverage>,
    /// The average over the four aspects, two decimals.
    pub average_rating: Option<f64>,
    /// Complaints accepted in the month naming the technician or finding them responsible.
    pub complaints: u32,
    /// Repeat repairs registered in the month whose earlier order the technician served.
    pub repeat_repairs: u32,
    pub sla_met: u32,
    pub sla_breached: u32,
    /// Met clocks among decided clocks, per cent.
    pub sla_compliance: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TechnicianScorecard {
    pub month: String,
    pub technicians: Vec<TechnicianScore>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountRow {
    pub code: String,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentTimeliness {
    /// The department code (e.g. `qa`, `warehouse`).
    pub department: String,
    pub tasks: u32,
    pub on_time: u32,
    pub late: u32,
    /// Not done and past due.
    pub overdue: u32,
    /// Not done, still within the deadline.
    pub open: u32,
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentScorecard {
    pub month: String,
    /// Complaints accepted in the month.
    pub complaints: u32,
    /// Complaints accepted in the month by type (every type, zero included).
    pub by_type: Vec<CountRow>,
    /// Investigation tasks due in the month, per department.
    pub departments: Vec<DepartmentTimeliness>,
    /// Corrective actions due in the month.
    pub corrective_due: u32,
    /// ... of which were confirmed effective.
    pub corrective_done: u32,
    pub corrective_rate: Option<f64>,
}

/// A month `YYYY-MM` (the current one when empty) and its first and last day.
fn month_of(app: &App, month: Option<&str>) -> Result<(String, Date, Date), AppError> {
    let month = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(text) if text.len() == 7 => text.to_string(),
        Some(_) => return Err(AppError::invalid("month", "invalid_month")),
        None => app.today().strftime("%Y-%m").to_string(),
    };
    let (first, last) = month_bounds(&month).map_err(|code| AppError::invalid("month", code))?;
    Ok((month, first, last))
}

/// The instants `[start, end)` of the days `first..=last` in the default zone.
fn bounds_ms(first: Date, last: Date) -> Result<(i64, i64), AppError> {
    let zone = crate::clock::default_zone();
    let start = survey::day_bounds_ms(first, &zone).map(|(s, _)| s);
    let end = survey::day_bounds_ms(last, &zone).map(|(_, e)| e);
    start
        .zip(end)
        .ok_or_else(|| AppError::invalid("month", "invalid_month"))
}

/// The branches the scorecard covers: the asked one (if visible) or every visible one;
/// `None` means all.
fn branch_filter(actor: &Actor, requested: Option<i64>) -> Result<Option<i64>, AppError> {
    actor.require(Permission::PerformanceRead)?;
    match (actor.scope(), requested) {
        (aftersales_domain::role::Scope::AllBranches, requested) => Ok(requested),
        (aftersales_domain::role::Scope::Branch(own), Some(asked)) if asked != own => {
            Err(AppError::NotFound)
        }
        (aftersales_domain::role::Scope::Branch(own), _) => Ok(Some(own)),
        _ => Err(AppError::Forbidden),
    }
}

#[derive(Default)]
struct Accumulator {
    orders: u32,
    tally: Tally,
    complaints: u32,
    repeats: u32,
    clocks: ClockTally,
}

/// Every technician's scorecard for the month in the caller's scope (one branch if asked).
pub async fn technicians(
    app: &App,
    actor: &Actor,
    filter: &ScorecardFilter,
) -> Result<TechnicianScorecard, AppError> {
    let branch = branch_filter(actor, filter.org_unit_id)?;
    let (month, first, last) = month_of(app, filter.month.as_deref())?;
    let (start, end) = bounds_ms(first, last)?;
    let db = &app.db;
    let mut scores: BTreeMap<i64, Accumulator> = BTreeMap::new();
    // Every technician of the branch shows, also with an empty month.
    for id in notifications::users_with_role(db, Role::Technician, branch).await? {
        scores.entry(id).or_default();
    }

    let mut cards = survey_card::Entity::find()
        .filter(survey_card::Column::SurveyDate.like(format!("{month}-%")));
    let mut orders = service_order::Entity::find()
        .filter(service_order::Column::ReceivedAt.gte(start))
        .filter(service_order::Column::ReceivedAt.lt(end))
        .filter(service_order::Column::CancelledAt.is_null());
    let mut complaints = complaint::Entity::find()
        .filter(complaint::Column::AcceptedAt.gte(start))
        .filter(complaint::Column::AcceptedAt.lt(end));
    if let Some(unit) = branch {
        cards = cards.filter(survey_card::Column::OrgUnitId.eq(unit));
        orders = orders.filter(service_order::Column::OrgUnitId.eq(unit));
        complaints = complaints.filter(complaint::Column::OrgUnitId.eq(unit));
    }

    for card in cards.all(db).await? {
        let Some(technician) = card.technician_id else {
            continue;
        };
        let ratings = ratings_of(&card).filter(|_| card.answered_at.is_some());
        scores
            .entry(technician)
            .or_default()
            .tally
            .add(ratings, card.remark.is_some());
    }

    let reference = app.reference.snapshot(db).await?;
    let now = app.clock.now();
    let orders = orders.all(db).await?;
    let contexts = contexts_of(db, &reference, &orders).await?;
    for (order, context) in orders.iter().zip(&contexts) {
        if let Some(technician) = order.technician_id {
            let score = scores.entry(technician).or_default();
            score.orders += 1;
            for clock in order_clocks(order, context, &reference.policies, now) {
                score.clocks.add(&clock.status);
            }
        }
        // A repeat repair counts against whoever served the earlier order.
        if let Some(earlier) = order.repeat_of_id {
            if let Some(technician) = service_order::Entity::find_by_id(earlier)
                .one(db)
                .await?
                .and_then(|o| o.technician_id)
            {
                scores.entry(technician).or_default().repeats += 1;
            }
        }
    }

    for row in complaints.all(db).await? {
        let named: BTreeSet<i64> = [row.staff_id, row.responsible_user_id]
            .into_iter()
            .flatten()
            .collect();
        for staff in named {
            // Only technicians have scorecards; other staff named in complaints are skipped.
            if let Some(score) = scores.get_mut(&staff) {
                score.complaints += 1;
            }
        }
    }

    let people: HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(scores.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let units: HashMap<i64, String> = org_unit::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut technicians: Vec<TechnicianScore> = scores
        .into_iter()
        .map(|(id, score)| {
            let person = people.get(&id);
            let aspects: Vec<AspectAverage> = Aspect::ALL
                .iter()
                .map(|aspect| AspectAverage {
                    aspect: aspect.as_str().to_string(),
                    average: round2(score.tally.average(*aspect)),
                    counts: score.tally.counts[survey::aspect_index(*aspect)].to_vec(),
                })
                .collect();
            let averages: Vec<f64> = Aspect::ALL
                .iter()
                .filter_map(|a| score.tally.average(*a))
                .collect();
            TechnicianScore {
                technician_id: id,
                name: person.map(|p| p.display_name.clone()).unwrap_or_default(),
                branch_name: person
                    .and_then(|p| p.org_unit_id)
                    .and_then(|u| units.get(&u).cloned())
                    .unwrap_or_default(),
                orders: score.orders,
                cards_sent: score.tally.sent,
                cards_answered: score.tally.answered,
                response_rate: percent(score.tally.answered, score.tally.sent),
                average_rating: round2(
                    (!averages.is_empty())
                        .then(|| averages.iter().sum::<f64>() / averages.len() as f64),
                ),
                aspects,
                complaints: score.complaints,
                repeat_repairs: score.repeats,
                sla_met: score.clocks.met,
                sla_breached: score.clocks.breached,
                sla_compliance: score.clocks.compliance_percent(),
            }
        })
        .collect();
    technicians.sort_by(|a, b| (&a.branch_name, &a.name).cmp(&(&b.branch_name, &b.name)));
    Ok(TechnicianScorecard { month, technicians })
}

fn round2(value: Option<f64>) -> Option<f64> {
    value.map(|v| (v * 100.0).round() / 100.0)
}

/// The departments' scorecard for the month in the caller's scope (one branch if asked).
pub async fn departments(
    app: &App,
    actor: &Actor,
    filter: &ScorecardFilter,
) -> Result<DepartmentScorecard, AppError> {
    let branch = branch_filter(actor, filter.org_unit_id)?;
    let (month, first, last) = month_of(app, filter.month.as_deref())?;
    let (start, end) = bounds_ms(first, last)?;
    let db = &app.db;
    let in_branch = |unit: i64| branch.is_none_or(|b| b == unit);

    let accepted: Vec<complaint::Model> = complaint::Entity::find()
        .filter(complaint::Column::AcceptedAt.gte(start))
        .filter(complaint::Column::AcceptedAt.lt(end))
        .all(db)
        .await?
        .into_iter()
        .filter(|c| in_branch(c.org_unit_id))
        .collect();
    let by_type = ComplaintType::ALL
        .iter()
        .map(|kind| CountRow {
            code: kind.as_str().to_string(),
            count: accepted
                .iter()
                .filter(|c| c.complaint_type == kind.as_str())
                .count() as u32,
        })
        .collect();

    let today = app.today();
    let tasks = complaint_task::Entity::find()
        .filter(complaint_task::Column::DueDate.gte(first.to_string()))
        .filter(complaint_task::Column::DueDate.lte(last.to_string()))
        .order_by_asc(complaint_task::Column::Id)
        .all(db)
        .await?;
    let mut owners: HashMap<i64, i64> = HashMap::new();
    let mut by_department: BTreeMap<String, TimelinessTally> = BTreeMap::new();
    for task in tasks {
        let unit = match owners.get(&task.complaint_id) {
            Some(unit) => *unit,
            None => {
                let unit = complaint::Entity::find_by_id(task.complaint_id)
                    .one(db)
                    .await?
                    .map_or(-1, |c| c.org_unit_id);
                owners.insert(task.complaint_id, unit);
                unit
            }
        };
        let (true, Ok(due)) = (in_branch(unit), task.due_date.parse::<Date>()) else {
            continue;
        };
        let done = task.done_at.and_then(crate::clock::local_date);
        by_department
            .entry(task.department.clone())
            .or_default()
            .add(timeliness(due, done, today));
    }

    let corrective: Vec<complaint::Model> = complaint::Entity::find()
        .filter(complaint::Column::CorrectiveDue.gte(first.to_string()))
        .filter(complaint::Column::CorrectiveDue.lte(last.to_string()))
        .all(db)
        .await?
        .into_iter()
        .filter(|c| in_branch(c.org_unit_id) && c.corrective_action.is_some())
        .collect();
    let corrective_done = corrective
        .iter()
        .filter(|c| c.effect_confirmed_at.is_some())
        .count() as u32;
    Ok(DepartmentScorecard {
        month,
        complaints: accepted.len() as u32,
        by_type,
        departments: by_department
            .into_iter()
            .map(|(department, tally)| DepartmentTimeliness {
                department,
                tasks: tally.total(),
                on_time: tally.on_time,
                late: tally.late,
                overdue: tally.overdue,
                open: tally.open,
                on_time_rate: tally.on_time_percent(),
            })
            .collect(),
        corrective_due: corrective.len() as u32,
        corrective_done,
        corrective_rate: percent(corrective_done, corrective.len() as u32),
    })
}

fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn xlsx(sheet: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    aftersales_tabular::write(aftersales_tabular::Format::Xlsx, sheet, headers, rows)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("writing the scorecard failed: {err}")))
}

/// The technicians' scorecard as an .xlsx sheet, headers in the caller's language.
pub async fn export_technicians(
    app: &App,
    actor: &Actor,
    filter: &ScorecardFilter,
    english: bool,
) -> Result<(Vec<u8>, String), AppError> {
    let card = technicians(app, actor, filter).await?;
    let headers: &[&str] = if english {
        &[
            "Technician",
            "Branch",
            "Orders",
            "Cards",
            "Answered",
            "Response %",
            "Attitude",
            "Technique",
            "Arrival",
            "Promises",
            "Average",
            "Complaints",
            "Repeat repairs",
            "SLA met",
            "SLA breached",
            "SLA %",
        ]
    } else {
        &[
            "技术员",
            "网点",
            "服务单",
            "调查卡",
            "已回复",
            "回复率%",
            "态度",
            "技术",
            "到达时间",
            "答应事情的办理",
            "平均分",
            "投诉",
            "重复维修",
            "SLA达标",
            "SLA超时",
            "SLA达标率%",
        ]
    };
    let rows: Vec<Vec<String>> = card
        .technicians
        .iter()
        .map(|t| {
            let mut cells = vec![
                t.name.clone(),
                t.branch_name.clone(),
                t.orders.to_string(),
                t.cards_sent.to_string(),
                t.cards_answered.to_string(),
                number(t.response_rate),
            ];
            cells.extend(t.aspects.iter().map(|a| number(a.average)));
            cells.extend([
                number(t.average_rating),
                t.complaints.to_string(),
                t.repeat_repairs.to_string(),
                t.sla_met.to_string(),
                t.sla_breached.to_string(),
                number(t.sla_compliance),
            ]);
            cells
        })
        .collect();
    Ok((
        xlsx("technicians", headers, &rows)?,
        format!("technician-scorecard-{}.xlsx", card.month),
    ))
}

/// The departments' scorecard as an .xlsx sheet: one row per complaint type, one per
/// department, and the corrective actions.
pub async fn export_departments(
    app: &App,
    actor: &Actor,
    filter: &ScorecardFilter,
    english: bool,
) -> Result<(Vec<u8>, String), AppError> {
    let card = departments(app, actor, filter).await?;
    let headers: &[&str] = if english {
        &[
            "Section", "Item", "Count", "On time", "Late", "Overdue", "Open", "Rate %",
        ]
    } else {
        &[
            "类别",
            "项目",
            "数量",
            "按时",
            "逾期完成",
            "逾期未完成",
            "进行中",
            "比率%",
        ]
    };
    let (by_type, by_department, corrective) = if english {
        (
            "complaints by type",
            "department timeliness",
            "corrective actions",
        )
    } else {
        ("投诉分类", "部门及时性", "纠正措施")
    };
    let mut rows: Vec<Vec<String>> = card
        .by_type
        .iter()
        .map(|r| vec![by_type.to_string(), r.code.clone(), r.count.to_string()])
        .collect();
    rows.extend(card.departments.iter().map(|d| {
        vec![
            by_department.to_string(),
            d.department.clone(),
            d.tasks.to_string(),
            d.on_time.to_string(),
            d.late.to_string(),
            d.overdue.to_string(),
            d.open.to_string(),
            number(d.on_time_rate),
        ]
    }));
    rows.push(vec![
        corrective.to_string(),
        String::new(),
        card.corrective_due.to_string(),
        card.corrective_done.to_string(),
        String::new(),
        String::new(),
        String::new(),
        number(card.corrective_rate),
    ]);
    Ok((
        xlsx("departments", headers, &rows)?,
        format!("department-scorecard-{}.xlsx", card.month),
    ))
}
