//! Tasks an order gives someone besides its technician, each with an owner, a due time and an
//! outcome logged on the voucher:
//! - technical support for a complex or rare problem, and a customer question the technician
//!   cannot answer, referred to a company specialist, never guessed at (DISPATCH-7);
//! - moving the unit, with its transport cost (REPAIR-7);
//! - a major quality problem fed back to QA (REPAIR-7);
//! - a bought-in product or supplied component, taken up with the supplier by purchasing
//!   (REPAIR-8);
//! - a software issue that needs a test environment, tested on the day work resumes
//!   (SOFTWARE-4).

use jiff::{SignedDuration, Timestamp};

use crate::calendar::Calendar;
use crate::code_enum;
use crate::org::DepartmentKind;

code_enum! {
    pub enum TaskKind {
        /// 技术支援: the supervisor adds an expert to the order.
        Support = "support",
        /// A customer question referred to company specialists.
        SpecialistQuestion = "specialist_question",
        /// The unit must be moved: a transport task, its cost recorded.
        Transport = "transport",
        /// 质量反馈: a major quality problem, to QA.
        QualityFeedback = "quality_feedback",
        /// 外调产品 / 配套件: purchasing takes it up with the supplier.
        SupplierCoordination = "supplier_coordination",
        /// A software issue to reproduce in a test environment.
        TestEnvironment = "test_environment",
    }
}

code_enum! {
    pub enum TaskStatus {
        Open = "open",
        Done = "done",
    }
}

/// Who a task goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskOwner {
    /// A person the supervisor names: the expert or specialist (support, questions).
    NamedPerson,
    /// A supporting department: everyone in it may act on the task.
    Department(DepartmentKind),
    /// The holders of the development lead's role (software).
    DevelopmentLead,
}

impl TaskKind {
    pub fn owner(self) -> TaskOwner {
        match self {
            TaskKind::Support | TaskKind::SpecialistQuestion => TaskOwner::NamedPerson,
            TaskKind::Transport => TaskOwner::Department(DepartmentKind::Transport),
            TaskKind::QualityFeedback => TaskOwner::Department(DepartmentKind::Qa),
            TaskKind::SupplierCoordination => TaskOwner::Department(DepartmentKind::Purchasing),
            TaskKind::TestEnvironment => TaskOwner::DevelopmentLead,
        }
    }
}

/// What closing a task must record, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskOutcome {
    /// The answer, the supplier's outcome, QA's finding, the test result.
    pub outcome: Option<String>,
    /// Transport only: what moving the unit cost.
    pub cost_fen: Option<i64>,
}

/// Why a task cannot be closed as given.
pub fn check_close(
    kind: TaskKind,
    status: TaskStatus,
    outcome: &TaskOutcome,
) -> Result<(), (&'static str, &'static str)> {
    if status == TaskStatus::Done {
        return Err(("status", "task_closed"));
    }
    if outcome
        .outcome
        .as_deref()
        .is_none_or(|o| o.trim().is_empty())
    {
        return Err(("outcome", "required"));
    }
    match (kind, outcome.cost_fen) {
        (TaskKind::Transport, None) => Err(("cost_fen", "required")),
        (_, Some(cost)) if cost < 0 => Err(("cost_fen", "negative")),
        (kind, Some(_)) if kind != TaskKind::Transport => Err(("cost_fen", "not_applicable")),
        _ => Ok(()),
    }
}

/// The supervisor names the expert or specialist of a support request or a referred
/// question; a department's task goes to the whole department and names nobody.
pub fn check_assign(
    kind: TaskKind,
    status: TaskStatus,
) -> Result<(), (&'static str, &'static str)> {
    match (kind.owner(), status) {
        (_, TaskStatus::Done) => Err(("status", "task_closed")),
        (TaskOwner::NamedPerson, TaskStatus::Open) => Ok(()),
        _ => Err(("assignee_id", "not_applicable")),
    }
}

/// SOFTWARE-4: a test-environment task is tested on the day work resumes: by the end of the
/// working day of the first working instant from `opened_at` (the same day when opened in
/// working time, else the next working day). A 7×24 calendar has no working day's end, so
/// the target (`software.target_hours`) applies instead.
pub fn test_due(calendar: &Calendar, opened_at: Timestamp, target: SignedDuration) -> Timestamp {
    if calendar.is_always_working() {
        return opened_at.saturating_add(target).unwrap_or(Timestamp::MAX);
    }
    let resumes = calendar
        .next_working_instant(opened_at)
        .to_zoned(calendar.time_zone().clone());
    let date = resumes.date();
    let Some(last) = calendar.periods_on(date).last() else {
        return resumes.timestamp();
    };
    // A period ending at 00:00 ends at midnight, the start of the next day.
    let end_date = if last.end() == jiff::civil::Time::midnight() {
        date.tomorrow().unwrap_or(date)
    } else {
        date
    };
    end_date
        .to_datetime(last.end())
        .to_zoned(calendar.time_zone().clone())
        .map(|zoned| zoned.timestamp())
        .unwrap_or(resumes.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::builtin;

    #[test]
    fn a_test_task_is_due_by_the_end_of_the_day_work_resumes() {
        let standard = builtin("cn-standard").unwrap();
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        let day = SignedDuration::from_hours(24);
        // (opened, due): Friday 10:00 Shanghai → Friday 18:00; Friday 20:00 → Monday 18:00;
        // Saturday → Monday 18:00; 2026-10-01 (National Day) → the first workday after the
        // holiday, Thursday 2026-10-08.
        let cases = [
            ("2026-11-20T02:00:00Z", "2026-11-20T10:00:00Z"),
            ("2026-11-20T12:00:00Z", "2026-11-23T10:00:00Z"),
            ("2026-11-21T03:00:00Z", "2026-11-23T10:00:00Z"),
            ("2026-10-01T02:00:00Z", "2026-10-08T10:00:00Z"),
        ];
        for (opened, due) in cases {
            assert_eq!(test_due(standard, at(opened), day), at(due), "{opened}");
        }
        let always = builtin(crate::calendar::TWENTY_FOUR_SEVEN).unwrap();
        assert_eq!(
            test_due(always, at("2026-11-21T03:00:00Z"), day),
            at("2026-11-22T03:00:00Z")
        );
    }

    fn outcome(text: Option<&str>, cost: Option<i64>) -> TaskOutcome {
        TaskOutcome {
            outcome: text.map(str::to_string),
            cost_fen: cost,
        }
    }

    #[test]
    fn each_kind_goes_to_its_owner() {
        use DepartmentKind as D;
        let table = [
            (TaskKind::Support, TaskOwner::NamedPerson),
            (TaskKind::SpecialistQuestion, TaskOwner::NamedPerson),
            (TaskKind::Transport, TaskOwner::Department(D::Transport)),
            (TaskKind::QualityFeedback, TaskOwner::Department(D::Qa)),
            (
                TaskKind::SupplierCoordination,
                TaskOwner::Department(D::Purchasing),
            ),
            (TaskKind::TestEnvironment, TaskOwner::DevelopmentLead),
        ];
        assert_eq!(table.len(), TaskKind::ALL.len());
        for (kind, owner) in table {
            assert_eq!(kind.owner(), owner, "{kind}");
        }
    }

    #[test]
    fn closing_needs_an_outcome_and_transport_its_cost() {
        let cases = [
            (
                TaskKind::Transport,
                TaskStatus::Open,
                outcome(Some("delivered"), Some(8000)),
                Ok(()),
            ),
            (
                TaskKind::Transport,
                TaskStatus::Open,
                outcome(Some("delivered"), None),
                Err(("cost_fen", "required")),
            ),
            (
                TaskKind::Transport,
                TaskStatus::Open,
                outcome(Some("delivered"), Some(-1)),
                Err(("cost_fen", "negative")),
            ),
            (
                TaskKind::Transport,
                TaskStatus::Open,
                outcome(None, Some(100)),
                Err(("outcome", "required")),
            ),
            (
                TaskKind::QualityFeedback,
                TaskStatus::Open,
                outcome(Some("batch 7 recalled"), None),
                Ok(()),
            ),
            (
                TaskKind::QualityFeedback,
                TaskStatus::Open,
                outcome(Some("x"), Some(100)),
                Err(("cost_fen", "not_applicable")),
            ),
            (
                TaskKind::SupplierCoordination,
                TaskStatus::Open,
                outcome(Some("  "), None),
                Err(("outcome", "required")),
            ),
            (
                TaskKind::Support,
                TaskStatus::Open,
                outcome(Some("replace the board"), None),
                Ok(()),
            ),
            (
                TaskKind::Support,
                TaskStatus::Done,
                outcome(Some("again"), None),
                Err(("status", "task_closed")),
            ),
            (
                TaskKind::TestEnvironment,
                TaskStatus::Open,
                outcome(Some("reproduced, fixed in 3.2.1"), None),
                Ok(()),
            ),
        ];
        for (kind, status, given, expected) in cases {
            assert_eq!(
                check_close(kind, status, &given),
                expected,
                "{kind} {given:?}"
            );
        }
    }

    #[test]
    fn only_open_support_and_questions_name_a_person() {
        for kind in TaskKind::ALL {
            let named = kind.owner() == TaskOwner::NamedPerson;
            assert_eq!(
                check_assign(*kind, TaskStatus::Open).is_ok(),
                named,
                "{kind}"
            );
            assert_eq!(
                check_assign(*kind, TaskStatus::Done),
                Err(("status", "task_closed")),
                "{kind}"
            );
        }
    }
}
