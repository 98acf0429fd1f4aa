//! Performance scorecards (issue 6 "Performance", REPORT-3): the arithmetic behind a
//! technician's monthly scorecard (ratings, response rate, complaints, repeat repairs, SLA
//! compliance) and a department scorecard (complaints by type, timeliness of departments,
//! corrective actions done), and the geometry of the server-rendered bar charts.

use jiff::civil::Date;

/// `part` of `whole` in per cent, one decimal; none when `whole` is zero.
pub fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

/// SLA clocks of a group of orders: met and breached ones (running clocks are not decided
/// yet and do not count).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClockTally {
    pub met: u32,
    pub breached: u32,
}

impl ClockTally {
    /// Adds one clock by its status code (`met`, `breached`; anything else is still open).
    pub fn add(&mut self, status: &str) {
        match status {
            "met" => self.met += 1,
            "breached" => self.breached += 1,
            _ => {}
        }
    }

    /// Met clocks among decided clocks, in per cent.
    pub fn compliance_percent(&self) -> Option<f64> {
        percent(self.met, self.met + self.breached)
    }
}

/// How a department handled one task, as seen on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    OnTime,
    Late,
    /// Not done yet, due date not passed.
    Open,
    /// Not done and past its due date.
    Overdue,
}

/// A task due on `due`, done on `done` (local day), judged on `today`.
pub fn timeliness(due: Date, done: Option<Date>, today: Date) -> Timeliness {
    match done {
        Some(day) if day <= due => Timeliness::OnTime,
        Some(_) => Timeliness::Late,
        None if today > due => Timeliness::Overdue,
        None => Timeliness::Open,
    }
}

/// A department's tasks in a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimelinessTally {
    pub on_time: u32,
    pub late: u32,
    pub open: u32,
    pub overdue: u32,
}

impl TimelinessTally {
    pub fn add(&mut self, judged: Timeliness) {
        match judged {
            Timeliness::OnTime => self.on_time += 1,
            Timeliness::Late => self.late += 1,
            Timeliness::Open => self.open += 1,
            Timeliness::Overdue => self.overdue += 1,
        }
    }

    pub fn total(&self) -> u32 {
        self.on_time + self.late + self.open + self.overdue
    }

    /// Tasks done on time among tasks that are done or overdue (open tasks within their
    /// deadline are not judged yet).
    pub fn on_time_percent(&self) -> Option<f64> {
        percent(self.on_time, self.on_time + self.late + self.overdue)
    }
}

/// The length of a bar for `value` on a chart whose longest bar (`max`) is `width` units;
/// a positive value always shows at least one unit.
pub fn bar_length(value: f64, max: f64, width: u32) -> u32 {
    if value <= 0.0 || max <= 0.0 {
        return 0;
    }
    let length = (value.min(max) / max * f64::from(width)).round() as u32;
    length.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn percentages_have_one_decimal_and_none_without_a_base() {
        for (part, whole, expected) in [
            (1, 3, Some(33.3)),
            (2, 3, Some(66.7)),
            (3, 3, Some(100.0)),
            (0, 5, Some(0.0)),
            (0, 0, None),
        ] {
            assert_eq!(percent(part, whole), expected, "{part}/{whole}");
        }
    }

    #[test]
    fn sla_compliance_counts_only_decided_clocks() {
        let mut tally = ClockTally::default();
        for status in ["met", "met", "breached", "running", "paused", "met"] {
            tally.add(status);
        }
        assert_eq!(
            tally,
            ClockTally {
                met: 3,
                breached: 1
            }
        );
        assert_eq!(tally.compliance_percent(), Some(75.0));
        assert_eq!(ClockTally::default().compliance_percent(), None);
    }

    #[test]
    fn a_task_is_on_time_late_open_or_overdue() {
        let due = day("2026-11-10");
        for (done, today, expected) in [
            (Some("2026-11-09"), "2026-11-20", Timeliness::OnTime),
            (Some("2026-11-10"), "2026-11-20", Timeliness::OnTime),
            (Some("2026-11-11"), "2026-11-20", Timeliness::Late),
            (None, "2026-11-10", Timeliness::Open),
            (None, "2026-11-11", Timeliness::Overdue),
        ] {
            assert_eq!(
                timeliness(due, done.map(day), day(today)),
                expected,
                "{done:?} {today}"
            );
        }
    }

    #[test]
    fn open_tasks_within_their_deadline_are_not_judged() {
        let mut tally = TimelinessTally::default();
        for judged in [
            Timeliness::OnTime,
            Timeliness::OnTime,
            Timeliness::Late,
            Timeliness::Overdue,
            Timeliness::Open,
        ] {
            tally.add(judged);
        }
        assert_eq!(tally.total(), 5);
        assert_eq!(tally.on_time_percent(), Some(50.0));
        let mut waiting = TimelinessTally::default();
        waiting.add(Timeliness::Open);
        assert_eq!(waiting.on_time_percent(), None);
    }

    #[test]
    fn bars_scale_to_the_longest_and_a_positive_value_is_visible() {
        for (value, max, expected) in [
            (4.0, 4.0, 200),
            (2.0, 4.0, 100),
            (0.01, 4.0, 1),
            (0.0, 4.0, 0),
            (5.0, 4.0, 200),
            (3.0, 0.0, 0),
        ] {
            assert_eq!(bar_length(value, max, 200), expected, "{value}/{max}");
        }
    }
}
