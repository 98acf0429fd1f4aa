//! Complaints (客户投诉, COMPLAINT-1..16, Appendix C.5): the case state machine, routing by
//! complaint type to the supporting departments (a configurable rule table with defaults),
//! severity and the special / individual case flags, the guards of deciding and closing, the
//! escalation level of repeated overdue reminders (催办单), the timeliness audit that
//! proposes follow-up notices (洽办单), and the monthly review period. Pure: callers pass the
//! facts, "today" and "now".

use jiff::civil::Date;

use crate::code_enum;
use crate::org::DepartmentKind;

code_enum! {
    /// Where a complaint stands (Appendix C.5).
    pub enum ComplaintStatus {
        /// Accepted and numbered; the 24 h reply clock runs.
        Registered = "registered",
        /// Routed: the departments investigate cause and responsibility.
        Investigating = "investigating",
        /// Cause and responsibility decided and the decision told to the customer.
        Decided = "decided",
        /// A remedy (repair voucher or RMA) is under way.
        Remedy = "remedy",
        /// A corrective action (改善) with owner and due date is being carried out.
        Improving = "improving",
        /// The customer department confirmed the effect; the satisfaction follow-up is due.
        FollowUp = "follow_up",
        /// Satisfaction logged; the timeliness audit ran.
        Closed = "closed",
        /// Reviewed in the monthly penalty review (COMPLAINT-14).
        Reviewed = "reviewed",
    }
}

code_enum! {
    /// Everything that moves a complaint.
    pub enum ComplaintEvent {
        Route = "route",
        Decide = "decide",
        StartRemedy = "start_remedy",
        SetCorrectiveAction = "set_corrective_action",
        ConfirmEffect = "confirm_effect",
        /// The satisfaction follow-up found the customer satisfied.
        Close = "close",
        Review = "review",
        /// The customer is still (or again) dissatisfied: back to investigation.
        Reopen = "reopen",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not possible when the complaint is {from}")]
pub struct InvalidTransition {
    pub from: ComplaintStatus,
    pub event: ComplaintEvent,
}

/// The state machine: the state after `event`, or why not.
pub fn next_status(
    from: ComplaintStatus,
    event: ComplaintEvent,
) -> Result<ComplaintStatus, InvalidTransition> {
    use ComplaintEvent as E;
    use ComplaintStatus as S;
    let to = match (from, event) {
        (S::Registered, E::Route) => S::Investigating,
        (S::Investigating, E::Decide) => S::Decided,
        (S::Decided, E::StartRemedy) => S::Remedy,
        (S::Decided | S::Remedy, E::SetCorrectiveAction) => S::Improving,
        (S::Improving, E::ConfirmEffect) => S::FollowUp,
        (S::FollowUp, E::Close) => S::Closed,
        (S::Closed, E::Review) => S::Reviewed,
        // A dissatisfied follow-up, or a customer who comes back after closing (C.5).
        (S::FollowUp | S::Closed, E::Reopen) => S::Investigating,
        _ => return Err(InvalidTransition { from, event }),
    };
    Ok(to)
}

impl ComplaintStatus {
    /// The events possible from here, for the buttons a page offers.
    pub fn possible_events(self) -> Vec<ComplaintEvent> {
        ComplaintEvent::ALL
            .iter()
            .copied()
            .filter(|event| next_status(self, *event).is_ok())
            .collect()
    }
    /// Handling is over: no reminders, no reply clock.
    pub fn is_closed(self) -> bool {
        matches!(self, ComplaintStatus::Closed | ComplaintStatus::Reviewed)
    }
}

code_enum! {
    /// What the complaint is about (COMPLAINT-4); decides where it is routed.
    pub enum ComplaintType {
        /// Quality or function of the product.
        ProductQuality = "product_quality",
        /// Damaged packaging or spoiled goods.
        Packaging = "packaging",
        /// Attitude of sales, installation or after-sales staff.
        StaffAttitude = "staff_attitude",
        /// Negligence of staff.
        StaffNegligence = "staff_negligence",
        /// Intermediaries, dealers and retailers.
        Dealer = "dealer",
        Other = "other",
    }
}

code_enum! {
    /// 情节重大 or general (COMPLAINT-8).
    pub enum Severity {
        General = "general",
        Major = "major",
    }
}

code_enum! {
    /// To whom the complaint is addressed (COMPLAINT-3 target level, COMPLAINT-11).
    pub enum TargetLevel {
        /// The company / customer department.
        Company = "company",
        /// The direct superior of the staff member complained about.
        Superior = "superior",
        /// Company leadership.
        Leadership = "leadership",
    }
}

code_enum! {
    /// How the complaint came in (COMPLAINT-1: written or spoken, from the customer or seen
    /// in the media; ECOM-5: an external authority).
    pub enum Channel {
        Phone = "phone",
        Letter = "letter",
        Email = "email",
        Visit = "visit",
        Hotline = "hotline",
        Media = "media",
        ExternalAuthority = "external_authority",
    }
}

code_enum! {
    /// What the complaint is against (COMPLAINT-1).
    pub enum Subject {
        Product = "product",
        ServiceOrder = "service_order",
        Staff = "staff",
        Dealer = "dealer",
    }
}

code_enum! {
    /// Staff faults that are serious service-quality problems (COMPLAINT-16); each finding
    /// becomes a STAFF-6 discipline incident.
    pub enum StaffFault {
        ImproperLanguage = "improper_language",
        Soliciting = "soliciting",
        FailingToServe = "failing_to_serve",
        RepeatRepair = "repeat_repair",
    }
}

code_enum! {
    /// How a decision or outcome reached the customer (COMPLAINT-8, outcome told).
    pub enum ToldChannel {
        Phone = "phone",
        Written = "written",
        /// 函告: the letter a major case's result goes out by.
        Letter = "letter",
        Visit = "visit",
    }
}

/// The default routing (COMPLAINT-4): quality → R&D, manufacturing and QA; packaging and
/// spoiled goods → warehouse and transport; staff attitude or negligence → marketing (the
/// seed's department; the service department is reached through the handler); dealers →
/// sales to coordinate with the partner; anything else stays with the customer department's
/// own investigation, which no task models, so it routes to QA to find the cause.
pub fn default_departments(complaint_type: ComplaintType) -> &'static [DepartmentKind] {
    use DepartmentKind as D;
    match complaint_type {
        ComplaintType::ProductQuality => &[D::RnD, D::Manufacturing, D::Qa],
        ComplaintType::Packaging => &[D::Warehouse, D::Transport],
        ComplaintType::StaffAttitude | ComplaintType::StaffNegligence => &[D::Marketing],
        ComplaintType::Dealer => &[D::Sales],
        ComplaintType::Other => &[D::Qa],
    }
}

/// The departments a complaint of `complaint_type` is routed to: the configured rule rows
/// for that type when there are any, else the defaults.
pub fn route(
    complaint_type: ComplaintType,
    configured: &[(ComplaintType, DepartmentKind)],
) -> Vec<DepartmentKind> {
    let mut chosen: Vec<DepartmentKind> = configured
        .iter()
        .filter(|(t, _)| *t == complaint_type)
        .map(|(_, d)| *d)
        .collect();
    if chosen.is_empty() {
        chosen = default_departments(complaint_type).to_vec();
    }
    chosen.sort();
    chosen.dedup();
    chosen
}

/// The branch service department, which no supporting-department kind names.
pub const SERVICE_DEPARTMENT: &str = "service";
/// The customer department itself (its own handling of the case).
pub const CUSTOMER_DEPARTMENT: &str = "customer_department";

/// The units that can be responsible for a complaint or late with it: the supporting
/// departments, the service department and the customer department.
pub fn responsible_units() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = DepartmentKind::ALL.iter().map(|d| d.as_str()).collect();
    codes.push(SERVICE_DEPARTMENT);
    codes.push(CUSTOMER_DEPARTMENT);
    codes
}

pub fn is_responsible_unit(code: &str) -> bool {
    responsible_units().contains(&code)
}

/// The facts that decide a complaint's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaseFacts {
    pub major: bool,
    /// Possible media exposure [媒体曝光].
    pub media_exposure: bool,
    /// Litigation threatened or filed.
    pub legal_action: bool,
    /// Came in through an external authority (12315, 黑猫投诉).
    pub external_authority: bool,
}

/// 专案 (COMPLAINT-10): crisis, media exposure, litigation or an external authority.
pub fn is_special_case(facts: CaseFacts) -> bool {
    facts.media_exposure || facts.legal_action || facts.external_authority
}

/// Priority handling: a special case or a major one.
pub fn is_priority(facts: CaseFacts) -> bool {
    facts.major || is_special_case(facts)
}

/// Serious cases go to the deputy GM / GM for review before the decision (COMPLAINT-8).
pub fn needs_executive_review(facts: CaseFacts) -> bool {
    is_priority(facts)
}

/// 个案 (COMPLAINT-10): still dissatisfied after `after` handlings, i.e. reopened that often.
pub fn is_individual_case(reopen_count: i32, after: i32) -> bool {
    after > 0 && reopen_count >= after
}

/// What deciding a complaint needs (C.5 INVESTIGATING → DECIDED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecideFacts {
    pub open_tasks: usize,
    pub has_cause: bool,
    /// A responsible department or person is named.
    pub has_responsibility: bool,
    pub has_decision: bool,
    pub told_channel: Option<ToldChannel>,
    pub major: bool,
    pub needs_executive_review: bool,
    pub executive_reviewed: bool,
}

/// The refusals of the decision, in the order an officer fixes them; empty when it may be
/// taken. Codes name the missing fact.
pub fn check_decide(facts: DecideFacts) -> Vec<(&'static str, &'static str)> {
    let mut refusals = Vec::new();
    if facts.open_tasks > 0 {
        refusals.push(("tasks", "tasks_open"));
    }
    if !facts.has_cause {
        refusals.push(("cause", "required"));
    }
    if !facts.has_responsibility {
        refusals.push(("responsible_department", "required"));
    }
    if !facts.has_decision {
        refusals.push(("decision", "required"));
    }
    match facts.told_channel {
        None => refusals.push(("told_channel", "required")),
        // A major case's result goes to the customer by letter [函告].
        Some(channel) if facts.major && channel != ToldChannel::Letter => {
            refusals.push(("told_channel", "letter_required"))
        }
        Some(_) => {}
    }
    if facts.needs_executive_review && !facts.executive_reviewed {
        refusals.push(("executive_review", "executive_review_required"));
    }
    refusals
}

/// What closing a complaint needs (COMPLAINT-9, COMPLAINT-14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CloseFacts {
    pub has_handler: bool,
    /// A visit to the customer by the handler was logged; a phone call does not count.
    pub visit_logged: bool,
    pub has_responsibility: bool,
    pub outcome_told: bool,
}

/// The refusals of closing; empty when the complaint may close.
pub fn check_close(facts: CloseFacts) -> Vec<(&'static str, &'static str)> {
    let mut refusals = Vec::new();
    if !facts.has_handler {
        refusals.push(("handler_id", "handler_required"));
    }
    if !facts.visit_logged {
        refusals.push(("visit", "visit_required"));
    }
    if !facts.has_responsibility {
        refusals.push(("responsible_department", "required"));
    }
    if !facts.outcome_told {
        refusals.push(("outcome", "outcome_not_told"));
    }
    refusals
}

/// The escalation level of the next overdue reminder: one more than the reminders already
/// issued for the same task or case (COMPLAINT-12, design decision).
pub fn next_reminder_level(reminders_issued: usize) -> i32 {
    i32::try_from(reminders_issued).unwrap_or(i32::MAX - 1) + 1
}

/// One department's handling for the timeliness audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskTiming {
    pub department: DepartmentKind,
    pub due: Date,
    /// The local day the task was done; `None` when it never was (counted as of closing).
    pub done: Option<Date>,
}

/// The timeliness audit on closing (COMPLAINT-13): each department whose tasks finished
/// after their due date, with its worst overrun in days, once per department.
pub fn overruns(tasks: &[TaskTiming], closed_on: Date) -> Vec<(DepartmentKind, i64)> {
    let mut late: Vec<(DepartmentKind, i64)> = Vec::new();
    for task in tasks {
        let finished = task.done.unwrap_or(closed_on);
        let days = (finished - task.due).get_days() as i64;
        if days <= 0 {
            continue;
        }
        match late.iter_mut().find(|(d, _)| *d == task.department) {
            Some((_, worst)) => *worst = (*worst).max(days),
            None => late.push((task.department, days)),
        }
    }
    late.sort();
    late
}

/// The month the review on `today` covers (COMPLAINT-14): the previous calendar month, as
/// its first and last day, and the day the review is due (the 10th of `today`'s month).
pub fn review_period(today: Date) -> (Date, Date, Date) {
    let first_this = today.first_of_month();
    let last_prev = first_this.yesterday().expect("a month has a day before it");
    let first_prev = last_prev.first_of_month();
    let due = first_this
        .with()
        .day(10)
        .build()
        .expect("every month has a 10th");
    (first_prev, last_prev, due)
}

/// The first and last day of a month written `YYYY-MM`.
pub fn month_bounds(month: &str) -> Result<(Date, Date), &'static str> {
    let first =
        crate::validation::date(&format!("{}-01", month.trim())).map_err(|_| "invalid_month")?;
    Ok((first, first.last_of_month()))
}

code_enum! {
    /// The outcome of a closed case in the monthly review (COMPLAINT-14).
    pub enum Sanction {
        None = "none",
        /// To HR for a 人事公布单.
        Administrative = "administrative",
        /// A bonus deduction on the 奖罚通知单.
        Deduction = "deduction",
        /// A reward on the same notice (design decision).
        Reward = "reward",
    }
}

/// A deduction or reward names an amount above zero; the others none.
pub fn check_sanction_amount(
    sanction: Sanction,
    amount_fen: Option<i64>,
) -> Result<i64, &'static str> {
    match (sanction, amount_fen) {
        (Sanction::Deduction | Sanction::Reward, Some(amount)) if amount > 0 => Ok(amount),
        (Sanction::Deduction | Sanction::Reward, _) => Err("amount_required"),
        (_, None | Some(0)) => Ok(0),
        (_, Some(_)) => Err("amount_not_allowed"),
    }
}

/// The three copies of an approved reward/penalty notice (COMPLAINT-14 b).
pub const NOTICE_COPIES: [&str; 3] = ["kept", "accounting", "department"];

#[cfg(test)]
mod tests {
    use super::*;
    use ComplaintEvent as E;
    use ComplaintStatus as S;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn every_transition_of_appendix_c5_and_nothing_else() {
        let allowed = [
            (S::Registered, E::Route, S::Investigating),
            (S::Investigating, E::Decide, S::Decided),
            (S::Decided, E::StartRemedy, S::Remedy),
            (S::Decided, E::SetCorrectiveAction, S::Improving),
            (S::Remedy, E::SetCorrectiveAction, S::Improving),
            (S::Improving, E::ConfirmEffect, S::FollowUp),
            (S::FollowUp, E::Close, S::Closed),
            (S::Closed, E::Review, S::Reviewed),
            (S::FollowUp, E::Reopen, S::Investigating),
            (S::Closed, E::Reopen, S::Investigating),
        ];
        for from in S::ALL {
            for event in E::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| f == from && e == event)
                    .map(|(_, _, to)| *to);
                assert_eq!(
                    next_status(*from, *event).ok(),
                    expected,
                    "{from} --{event}-->"
                );
            }
        }
    }

    #[test]
    fn a_reviewed_case_is_final_and_closed_cases_count_as_closed() {
        assert!(S::Reviewed.possible_events().is_empty());
        assert_eq!(S::Closed.possible_events(), vec![E::Review, E::Reopen]);
        assert!(S::Closed.is_closed() && S::Reviewed.is_closed());
        assert!(!S::FollowUp.is_closed());
    }

    #[test]
    fn default_routing_follows_complaint_4() {
        use DepartmentKind as D;
        let table = [
            (
                ComplaintType::ProductQuality,
                vec![D::Qa, D::Manufacturing, D::RnD],
            ),
            (ComplaintType::Packaging, vec![D::Warehouse, D::Transport]),
            (ComplaintType::StaffAttitude, vec![D::Marketing]),
            (ComplaintType::StaffNegligence, vec![D::Marketing]),
            (ComplaintType::Dealer, vec![D::Sales]),
            (ComplaintType::Other, vec![D::Qa]),
        ];
        for (complaint_type, mut expected) in table {
            expected.sort();
            assert_eq!(route(complaint_type, &[]), expected, "{complaint_type}");
        }
    }

    #[test]
    fn configured_rules_replace_the_defaults_for_their_type_only() {
        use DepartmentKind as D;
        let configured = [
            (ComplaintType::Packaging, D::Transport),
            (ComplaintType::Packaging, D::Transport),
            (ComplaintType::Dealer, D::Marketing),
        ];
        assert_eq!(
            route(ComplaintType::Packaging, &configured),
            vec![D::Transport]
        );
        assert_eq!(
            route(ComplaintType::Dealer, &configured),
            vec![D::Marketing]
        );
        assert_eq!(
            route(ComplaintType::StaffAttitude, &configured),
            vec![D::Marketing]
        );
    }

    #[test]
    fn special_priority_and_executive_review() {
        let table = [
            (CaseFacts::default(), false, false),
            (
                CaseFacts {
                    major: true,
                    ..Default::default()
                },
                false,
                true,
            ),
            (
                CaseFacts {
                    media_exposure: true,
                    ..Default::default()
                },
                true,
                true,
            ),
            (
                CaseFacts {
                    legal_action: true,
                    ..Default::default()
                },
                true,
                true,
            ),
            (
                CaseFacts {
                    external_authority: true,
                    ..Default::default()
                },
                true,
                true,
            ),
        ];
        for (facts, special, priority) in table {
            assert_eq!(is_special_case(facts), special, "{facts:?}");
            assert_eq!(is_priority(facts), priority, "{facts:?}");
            assert_eq!(needs_executive_review(facts), priority, "{facts:?}");
        }
    }

    #[test]
    fn an_individual_case_after_n_reopenings() {
        for (reopened, after, expected) in [
            (0, 2, false),
            (1, 2, false),
            (2, 2, true),
            (3, 2, true),
            (5, 0, false),
        ] {
            assert_eq!(
                is_individual_case(reopened, after),
                expected,
                "{reopened}/{after}"
            );
        }
    }

    fn ready_to_decide() -> DecideFacts {
        DecideFacts {
            open_tasks: 0,
            has_cause: true,
            has_responsibility: true,
            has_decision: true,
            told_channel: Some(ToldChannel::Phone),
            major: false,
            needs_executive_review: false,
            executive_reviewed: false,
        }
    }

    #[test]
    fn deciding_needs_finished_tasks_cause_responsibility_and_a_told_customer() {
        let table: Vec<(DecideFacts, Vec<(&str, &str)>)> = vec![
            (ready_to_decide(), vec![]),
            (
                DecideFacts {
                    open_tasks: 2,
                    ..ready_to_decide()
                },
                vec![("tasks", "tasks_open")],
            ),
            (
                DecideFacts {
                    has_cause: false,
                    ..ready_to_decide()
                },
                vec![("cause", "required")],
            ),
            (
                DecideFacts {
                    has_responsibility: false,
                    ..ready_to_decide()
                },
                vec![("responsible_department", "required")],
            ),
            (
                DecideFacts {
                    told_channel: None,
                    ..ready_to_decide()
                },
                vec![("told_channel", "required")],
            ),
            (
                DecideFacts {
                    major: true,
                    needs_executive_review: true,
                    executive_reviewed: true,
                    ..ready_to_decide()
                },
                vec![("told_channel", "letter_required")],
            ),
            (
                DecideFacts {
                    major: true,
                    told_channel: Some(ToldChannel::Letter),
                    needs_executive_review: true,
                    ..ready_to_decide()
                },
                vec![("executive_review", "executive_review_required")],
            ),
        ];
        for (facts, expected) in table {
            assert_eq!(check_decide(facts), expected, "{facts:?}");
        }
    }

    #[test]
    fn closing_needs_a_handler_a_visit_responsibility_and_the_outcome_told() {
        let ok = CloseFacts {
            has_handler: true,
            visit_logged: true,
            has_responsibility: true,
            outcome_told: true,
        };
        let table = [
            (ok, vec![]),
            (
                CloseFacts {
                    has_handler: false,
                    ..ok
                },
                vec![("handler_id", "handler_required")],
            ),
            (
                CloseFacts {
                    visit_logged: false,
                    ..ok
                },
                vec![("visit", "visit_required")],
            ),
            (
                CloseFacts {
                    has_responsibility: false,
                    ..ok
                },
                vec![("responsible_department", "required")],
            ),
            (
                CloseFacts {
                    outcome_told: false,
                    ..ok
                },
                vec![("outcome", "outcome_not_told")],
            ),
        ];
        for (facts, expected) in table {
            assert_eq!(check_close(facts), expected, "{facts:?}");
        }
    }

    #[test]
    fn each_repeat_reminder_raises_the_level() {
        assert_eq!(next_reminder_level(0), 1);
        assert_eq!(next_reminder_level(1), 2);
        assert_eq!(next_reminder_level(4), 5);
    }

    #[test]
    fn the_audit_names_each_late_department_once_with_its_worst_overrun() {
        use DepartmentKind as D;
        let tasks = [
            TaskTiming {
                department: D::Qa,
                due: d("2026-11-20"),
                done: Some(d("2026-11-22")),
            },
            TaskTiming {
                department: D::Qa,
                due: d("2026-11-20"),
                done: Some(d("2026-11-25")),
            },
            TaskTiming {
                department: D::Sales,
                due: d("2026-11-20"),
                done: Some(d("2026-11-20")),
            },
            TaskTiming {
                department: D::Warehouse,
                due: d("2026-11-20"),
                done: None,
            },
        ];
        assert_eq!(
            overruns(&tasks, d("2026-11-23")),
            vec![(D::Qa, 5), (D::Warehouse, 3)]
        );
        assert!(overruns(&tasks[2..3], d("2026-12-31")).is_empty());
    }

    #[test]
    fn the_review_covers_last_month_and_is_due_on_the_tenth() {
        let table = [
            ("2026-12-01", "2026-11-01", "2026-11-30", "2026-12-10"),
            ("2026-12-15", "2026-11-01", "2026-11-30", "2026-12-10"),
            ("2027-01-05", "2026-12-01", "2026-12-31", "2027-01-10"),
            ("2028-03-01", "2028-02-01", "2028-02-29", "2028-03-10"),
        ];
        for (today, first, last, due) in table {
            assert_eq!(
                review_period(d(today)),
                (d(first), d(last), d(due)),
                "{today}"
            );
        }
        assert_eq!(
            month_bounds("2026-02"),
            Ok((d("2026-02-01"), d("2026-02-28")))
        );
        assert_eq!(month_bounds("2026-13"), Err("invalid_month"));
    }

    #[test]
    fn deductions_and_rewards_need_an_amount_and_the_others_none() {
        let table = [
            (Sanction::Deduction, Some(5000), Ok(5000)),
            (Sanction::Reward, Some(1), Ok(1)),
            (Sanction::Deduction, None, Err("amount_required")),
            (Sanction::Reward, Some(0), Err("amount_required")),
            (Sanction::None, None, Ok(0)),
            (Sanction::Administrative, Some(0), Ok(0)),
            (
                Sanction::Administrative,
                Some(100),
                Err("amount_not_allowed"),
            ),
        ];
        for (sanction, amount, expected) in table {
            assert_eq!(
                check_sanction_amount(sanction, amount),
                expected,
                "{sanction} {amount:?}"
            );
        }
    }
}
