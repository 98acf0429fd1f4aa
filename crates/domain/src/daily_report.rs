//! Daily reports (STAFF-2, STAFF-3, Appendix D T7).
//!
//! The technician's daily report (技术员工作日报表) lists, for one local working day, every job
//! with its category (CATEGORY-1) and time, plus internal D-category lines the technician
//! adds. A job's time is its on-site time that falls inside the day: from check-in to the
//! moment the technician left (completed on site, carried in, cancelled), or to the end of
//! the day (or now, if earlier) while still on site. A visit crossing midnight is split
//! between the two days.
//!
//! The supervisor's daily report (服务主任日报表) sums the branch's technicians by category;
//! the branch report is submitted by the supervisor, approved (signed) by the branch manager
//! and then forwarded to the customer department. A submitted report can be returned for
//! correction.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::code_enum;
use crate::service_order::ServiceCategory;

/// The longest a single manual line may be: one day.
pub const MAX_LINE_MINUTES: i64 = 24 * 60;

code_enum! {
    /// Internal work a technician reports as a D line (一般行政工作).
    pub enum InternalWork {
        /// 短期在职培训.
        Training = "training",
        /// 设备/工具保养.
        ToolMaintenance = "tool_maintenance",
        /// 零件管理.
        PartsManagement = "parts_management",
        /// 工作检查.
        Inspection = "inspection",
        Other = "other",
    }
}

/// One period on site: from check-in to leaving (`None` while still there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    pub arrived: Timestamp,
    pub left: Option<Timestamp>,
}

/// What the report needs to know about one service order of the technician.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFacts {
    pub order_id: i64,
    pub number: String,
    pub category: ServiceCategory,
    pub visits: Vec<Visit>,
}

/// One line of a technician's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLine {
    /// The service order; `None` for internal (D) lines.
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub category: ServiceCategory,
    pub minutes: i64,
    /// For D lines: what kind of internal work.
    pub kind: Option<InternalWork>,
    pub note: Option<String>,
}

/// Minutes per category, and the number of jobs (lines with an order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub a: i64,
    pub b: i64,
    pub c: i64,
    pub d: i64,
    pub total: i64,
    pub jobs: i64,
}

impl Totals {
    pub fn add_line(&mut self, line: &ReportLine) {
        match line.category {
            ServiceCategory::A => self.a += line.minutes,
            ServiceCategory::B => self.b += line.minutes,
            ServiceCategory::C => self.c += line.minutes,
            ServiceCategory::D => self.d += line.minutes,
        }
        self.total += line.minutes;
        if line.order_id.is_some() {
            self.jobs += 1;
        }
    }

    pub fn add(&mut self, other: &Totals) {
        self.a += other.a;
        self.b += other.b;
        self.c += other.c;
        self.d += other.d;
        self.total += other.total;
        self.jobs += other.jobs;
    }

    pub fn of(lines: &[ReportLine]) -> Totals {
        let mut totals = Totals::default();
        for line in lines {
            totals.add_line(line);
        }
        totals
    }
}

/// The instants a local day starts and ends in `zone` (a day may be 23 or 25 hours long).
pub fn day_bounds(date: Date, zone: &TimeZone) -> Option<(Timestamp, Timestamp)> {
    let start = date.to_zoned(zone.clone()).ok()?.timestamp();
    let end = date
        .tomorrow()
        .ok()?
        .to_zoned(zone.clone())
        .ok()?
        .timestamp();
    Some((start, end))
}

/// Whole minutes between two instants, rounded to the nearest minute.
fn minutes_between(from: Timestamp, to: Timestamp) -> i64 {
    let ms = to.as_millisecond() - from.as_millisecond();
    if ms <= 0 {
        0
    } else {
        (ms + 30_000) / 60_000
    }
}

/// The minutes of a job inside `[start, end)`; `None` when the job was not worked that day.
/// An open visit counts until `now` or the end of the day, whichever is earlier.
pub fn job_minutes(
    visits: &[Visit],
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
) -> Option<i64> {
    let mut worked = false;
    let mut minutes = 0;
    for visit in visits {
        let left = visit.left.unwrap_or_else(|| now.min(end));
        // Worked that day: the visit began in the day, or still ran after the day began.
        let touches = visit.arrived < end && (visit.arrived >= start || left > start);
        if !touches {
            continue;
        }
        worked = true;
        minutes += minutes_between(visit.arrived.max(start), left.min(end));
    }
    worked.then_some(minutes)
}

/// The job lines of a technician's report for `date` in `zone`, ordered by first arrival.
pub fn job_lines(
    jobs: &[JobFacts],
    date: Date,
    zone: &TimeZone,
    now: Timestamp,
) -> Vec<ReportLine> {
    let Some((start, end)) = day_bounds(date, zone) else {
        return Vec::new();
    };
    let mut worked: Vec<(Timestamp, ReportLine)> = jobs
        .iter()
        .filter_map(|job| {
            let minutes = job_minutes(&job.visits, start, end, now)?;
            let first = job.visits.iter().map(|v| v.arrived).min()?;
            Some((
                first,
                ReportLine {
                    order_id: Some(job.order_id),
                    order_number: Some(job.number.clone()),
                    category: job.category,
                    minutes,
                    kind: None,
                    note: None,
                },
            ))
        })
        .collect();
    worked.sort_by_key(|(first, line)| (*first, line.order_id));
    worked.into_iter().map(|(_, line)| line).collect()
}

/// Why a manual line is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("minutes must be between 1 and {MAX_LINE_MINUTES}")]
    Minutes,
    #[error("the day would have more than 24 hours")]
    DayFull,
}

impl LineError {
    pub fn code(self) -> &'static str {
        match self {
            LineError::Minutes => "out_of_range",
            LineError::DayFull => "day_full",
        }
    }
}

/// A D line the technician adds: internal work, never tied to an order (CATEGORY-1).
pub fn internal_line(
    kind: InternalWork,
    minutes: i64,
    note: Option<String>,
    existing: &[ReportLine],
) -> Result<ReportLine, LineError> {
    if !(1..=MAX_LINE_MINUTES).contains(&minutes) {
        return Err(LineError::Minutes);
    }
    let manual: i64 = existing
        .iter()
        .filter(|l| l.order_id.is_none())
        .map(|l| l.minutes)
        .sum();
    if manual + minutes > MAX_LINE_MINUTES {
        return Err(LineError::DayFull);
    }
    Ok(ReportLine {
        order_id: None,
        order_number: None,
        category: ServiceCategory::D,
        minutes,
        kind: Some(kind),
        note,
    })
}

/// Refreshes a report's lines from the orders: job lines are replaced by `jobs`, manual (D)
/// lines are kept, after the jobs. Running it twice gives the same lines.
pub fn refresh_lines(existing: &[ReportLine], jobs: Vec<ReportLine>) -> Vec<ReportLine> {
    let mut lines = jobs;
    lines.extend(existing.iter().filter(|l| l.order_id.is_none()).cloned());
    lines
}

/// One technician's row in the supervisor's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechnicianTotals {
    pub technician_id: i64,
    pub technician_name: String,
    pub totals: Totals,
}

/// The supervisor's report: one row per technician who submitted, and the branch's sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchSummary {
    pub technicians: Vec<TechnicianTotals>,
    pub totals: Totals,
}

/// Sums submitted technician reports (id, name, lines) into the supervisor's report, in
/// the order given.
pub fn summarise(reports: &[(i64, String, Vec<ReportLine>)]) -> BranchSummary {
    let mut totals = Totals::default();
    let technicians = reports
        .iter()
        .map(|(id, name, lines)| {
            let own = Totals::of(lines);
            totals.add(&own);
            TechnicianTotals {
                technician_id: *id,
                technician_name: name.clone(),
                totals: own,
            }
        })
        .collect();
    BranchSummary {
        technicians,
        totals,
    }
}

code_enum! {
    /// Where a technician's report stands: the technician edits a draft; once submitted it
    /// is read-only until the supervisor reopens it.
    pub enum TechnicianReportStatus {
        Draft = "draft",
        Submitted = "submitted",
    }
}

code_enum! {
    pub enum TechnicianReportEvent {
        Submit = "submit",
        /// The supervisor sends it back for correction.
        Reopen = "reopen",
    }
}

code_enum! {
    /// Where a branch (supervisor's) report stands.
    pub enum BranchReportStatus {
        Draft = "draft",
        /// Submitted by the supervisor for the branch manager's review.
        Submitted = "submitted",
        /// Signed by the branch manager; its lines are frozen.
        Approved = "approved",
        /// Sent on to the customer department; final.
        Forwarded = "forwarded",
    }
}

code_enum! {
    pub enum BranchReportEvent {
        Submit = "submit",
        Approve = "approve",
        /// Returned for correction (back to draft), with a reason.
        Return = "return",
        Forward = "forward",
    }
}

/// A step refused in the report's current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not possible when the report is {from}")]
pub struct InvalidReportTransition {
    pub from: &'static str,
    pub event: &'static str,
}

pub fn next_technician_status(
    from: TechnicianReportStatus,
    event: TechnicianReportEvent,
) -> Result<TechnicianReportStatus, InvalidReportTransition> {
    use TechnicianReportEvent as E;
    use TechnicianReportStatus as S;
    match (from, event) {
        (S::Draft, E::Submit) => Ok(S::Submitted),
        (S::Submitted, E::Reopen) => Ok(S::Draft),
        _ => Err(InvalidReportTransition {
            from: from.as_str(),
            event: event.as_str(),
        }),
    }
}

pub fn next_branch_status(
    from: BranchReportStatus,
    event: BranchReportEvent,
) -> Result<BranchReportStatus, InvalidReportTransition> {
    use BranchReportEvent as E;
    use BranchReportStatus as S;
    match (from, event) {
        (S::Draft, E::Submit) => Ok(S::Submitted),
        (S::Submitted, E::Approve) => Ok(S::Approved),
        (S::Submitted, E::Return) => Ok(S::Draft),
        (S::Approved, E::Forward) => Ok(S::Forwarded),
        _ => Err(InvalidReportTransition {
            from: from.as_str(),
            event: event.as_str(),
        }),
    }
}

/// The steps possible from a branch report's state, for the buttons.
pub fn branch_events(from: BranchReportStatus) -> Vec<BranchReportEvent> {
    BranchReportEvent::ALL
        .iter()
        .copied()
        .filter(|e| next_branch_status(from, *e).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn job(id: i64, category: ServiceCategory, visits: &[(&str, Option<&str>)]) -> JobFacts {
        JobFacts {
            order_id: id,
            number: format!("BJ{id}"),
            category,
            visits: visits
                .iter()
                .map(|(a, l)| Visit {
                    arrived: at(a),
                    left: l.map(at),
                })
                .collect(),
        }
    }

    #[test]
    fn every_branch_transition_is_decided_by_the_table() {
        use BranchReportEvent as E;
        use BranchReportStatus as S;
        let allowed = [
            (S::Draft, E::Submit, S::Submitted),
            (S::Submitted, E::Approve, S::Approved),
            (S::Submitted, E::Return, S::Draft),
            (S::Approved, E::Forward, S::Forwarded),
        ];
        for from in S::ALL {
            for event in E::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| f == from && e == event)
                    .map(|(_, _, to)| *to);
                assert_eq!(
                    next_branch_status(*from, *event).ok(),
                    expected,
                    "{from} + {event}"
                );
            }
        }
        assert_eq!(branch_events(S::Submitted), vec![E::Approve, E::Return]);
        assert!(branch_events(S::Forwarded).is_empty());
    }

    #[test]
    fn every_technician_transition_is_decided_by_the_table() {
        use TechnicianReportEvent as E;
        use TechnicianReportStatus as S;
        for (from, event, expected) in [
            (S::Draft, E::Submit, Some(S::Submitted)),
            (S::Draft, E::Reopen, None),
            (S::Submitted, E::Submit, None),
            (S::Submitted, E::Reopen, Some(S::Draft)),
        ] {
            assert_eq!(next_technician_status(from, event).ok(), expected);
        }
    }

    #[test]
    fn on_site_time_is_clipped_to_the_local_day() {
        let zone = shanghai();
        let day = date(2026, 11, 22);
        // Local 2026-11-22 is 2026-11-21T16:00Z .. 2026-11-22T16:00Z.
        let late = at("2026-11-23T04:00:00Z");
        for (name, visits, now, expected) in [
            (
                "within the day",
                vec![("2026-11-22T02:00:00Z", Some("2026-11-22T03:30:00Z"))],
                late,
                Some(90),
            ),
            (
                "crossing midnight, first day",
                vec![("2026-11-22T15:00:00Z", Some("2026-11-22T17:00:00Z"))],
                late,
                Some(60),
            ),
            (
                "arrived the day before",
                vec![("2026-11-21T15:30:00Z", Some("2026-11-21T16:45:00Z"))],
                late,
                Some(45),
            ),
            (
                "open at day end",
                vec![("2026-11-22T14:00:00Z", None)],
                late,
                Some(120),
            ),
            (
                "open, counted until now",
                vec![("2026-11-22T02:00:00Z", None)],
                at("2026-11-22T02:40:00Z"),
                Some(40),
            ),
            (
                "the next day",
                vec![("2026-11-22T16:00:00Z", Some("2026-11-22T17:00:00Z"))],
                late,
                None,
            ),
            (
                "left before the day",
                vec![("2026-11-21T10:00:00Z", Some("2026-11-21T16:00:00Z"))],
                late,
                None,
            ),
            (
                "two visits",
                vec![
                    ("2026-11-22T01:00:00Z", Some("2026-11-22T01:20:00Z")),
                    ("2026-11-22T06:00:00Z", Some("2026-11-22T06:10:00Z")),
                ],
                late,
                Some(30),
            ),
            (
                "rounded to the minute",
                vec![("2026-11-22T02:00:00Z", Some("2026-11-22T02:10:31Z"))],
                late,
                Some(11),
            ),
        ] {
            let (start, end) = day_bounds(day, &zone).unwrap();
            let visits: Vec<Visit> = visits
                .iter()
                .map(|(a, l)| Visit {
                    arrived: at(a),
                    left: l.map(at),
                })
                .collect();
            assert_eq!(job_minutes(&visits, start, end, now), expected, "{name}");
        }
    }

    #[test]
    fn a_job_crossing_midnight_counts_on_both_days() {
        let zone = shanghai();
        let jobs = [job(
            1,
            ServiceCategory::A,
            &[("2026-11-22T15:00:00Z", Some("2026-11-22T17:30:00Z"))],
        )];
        let now = at("2026-11-24T00:00:00Z");
        let first = job_lines(&jobs, date(2026, 11, 22), &zone, now);
        let second = job_lines(&jobs, date(2026, 11, 23), &zone, now);
        assert_eq!(first[0].minutes, 60);
        assert_eq!(second[0].minutes, 90);
    }

    #[test]
    fn totals_sum_jobs_by_category_and_keep_d_lines() {
        let zone = shanghai();
        let now = at("2026-11-23T04:00:00Z");
        let jobs = [
            job(
                2,
                ServiceCategory::C,
                &[("2026-11-22T06:00:00Z", Some("2026-11-22T07:00:00Z"))],
            ),
            job(
                1,
                ServiceCategory::A,
                &[("2026-11-22T02:00:00Z", Some("2026-11-22T02:45:00Z"))],
            ),
            job(3, ServiceCategory::B, &[("2026-11-22T14:30:00Z", None)]),
            job(4, ServiceCategory::C, &[("2026-11-23T01:00:00Z", None)]),
        ];
        let lines = job_lines(&jobs, date(2026, 11, 22), &zone, now);
        assert_eq!(
            lines
                .iter()
                .map(|l| (l.order_id, l.minutes))
                .collect::<Vec<_>>(),
            vec![(Some(1), 45), (Some(2), 60), (Some(3), 90)]
        );
        let training = internal_line(
            InternalWork::Training,
            30,
            Some("新机型培训".into()),
            &lines,
        )
        .unwrap();
        let mut with_d = lines.clone();
        with_d.push(training.clone());
        assert_eq!(
            Totals::of(&with_d),
            Totals {
                a: 45,
                b: 90,
                c: 60,
                d: 30,
                total: 225,
                jobs: 3
            }
        );
        // Refreshing replaces the jobs and keeps the D line, idempotently.
        let refreshed = refresh_lines(&with_d, lines.clone());
        assert_eq!(refreshed, with_d);
        assert_eq!(refresh_lines(&refreshed, lines), with_d);
    }

    #[test]
    fn d_lines_are_bounded() {
        assert_eq!(
            internal_line(InternalWork::Other, 0, None, &[]),
            Err(LineError::Minutes)
        );
        assert_eq!(
            internal_line(InternalWork::Other, 1441, None, &[]),
            Err(LineError::Minutes)
        );
        let full = internal_line(InternalWork::ToolMaintenance, 1400, None, &[]).unwrap();
        assert_eq!(
            internal_line(InternalWork::PartsManagement, 41, None, &[full]),
            Err(LineError::DayFull)
        );
    }

    #[test]
    fn the_supervisor_report_sums_technicians() {
        let line = |order: Option<i64>, category, minutes| ReportLine {
            order_id: order,
            order_number: None,
            category,
            minutes,
            kind: None,
            note: None,
        };
        let summary = summarise(&[
            (
                7,
                "张三".into(),
                vec![
                    line(Some(1), ServiceCategory::A, 60),
                    line(None, ServiceCategory::D, 30),
                ],
            ),
            (
                8,
                "李四".into(),
                vec![
                    line(Some(2), ServiceCategory::C, 20),
                    line(Some(3), ServiceCategory::B, 10),
                ],
            ),
        ]);
        assert_eq!(
            summary.technicians[0].totals,
            Totals {
                a: 60,
                b: 0,
                c: 0,
                d: 30,
                total: 90,
                jobs: 1
            }
        );
        assert_eq!(
            summary.totals,
            Totals {
                a: 60,
                b: 10,
                c: 20,
                d: 30,
                total: 120,
                jobs: 3
            }
        );
    }

    #[test]
    fn only_branch_managers_and_administrators_sign_branch_reports() {
        use crate::role::{allows, Permission, Role};
        for role in Role::ALL {
            let expected = matches!(role, Role::BranchManager | Role::Admin);
            assert_eq!(
                allows(&[*role], Permission::ReportApprove),
                expected,
                "{role}"
            );
        }
        assert!(allows(
            &[Role::ServiceSupervisor],
            Permission::DailyReportRead
        ));
        assert!(!allows(&[Role::Technician], Permission::DailyReportRead));
        assert!(!allows(&[Role::Customer], Permission::DailyReportRead));
    }
}
