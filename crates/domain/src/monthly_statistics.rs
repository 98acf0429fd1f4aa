//! REPORT-1 and T13: the monthly statistics go to the general admin office and the GM office
//! by the 5th. The draft is made on the 1st from what was recorded, a reminder goes out on the
//! 3rd, and a submission after the 5th is flagged late (draft and reminder days: design
//! decision). The total cost excludes contract-specified installation-guidance fees.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Work of one kind in a month: how many person-visits, how many person-days, what it cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Effort {
    pub person_times: i64,
    pub person_days: f64,
    pub cost_fen: i64,
}

/// The month's figures (REPORT-1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Installation and commissioning.
    pub installation: Effort,
    /// Of the installation cost, the contract-specified installation-guidance fees.
    pub guidance_fee_fen: i64,
    /// After-sales dispatches.
    pub dispatch: Effort,
    /// Parts fitted, at their cost.
    pub material_fen: i64,
    /// Moving units (REPAIR-7 transport tasks).
    pub transport_fen: i64,
}

impl Figures {
    /// Every cost of the month except the installation-guidance fees.
    pub fn total_cost_fen(&self) -> i64 {
        self.installation.cost_fen - self.guidance_fee_fen
            + self.dispatch.cost_fen
            + self.material_fen
            + self.transport_fen
    }
}

/// The days of the reporting cycle for the statistics of `month` (its first day): drafted on
/// the 1st of the next month, reminded on the 3rd, due by the 5th.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle {
    pub draft_on: Date,
    pub remind_on: Date,
    pub due_on: Date,
}

pub fn cycle(month: Date) -> Cycle {
    let next = month
        .first_of_month()
        .saturating_add(jiff::Span::new().months(1));
    Cycle {
        draft_on: next,
        remind_on: next.saturating_add(jiff::Span::new().days(2)),
        due_on: next.saturating_add(jiff::Span::new().days(4)),
    }
}

/// Late: submitted after the due day, or not submitted and the due day is over.
pub fn is_late(cycle: &Cycle, submitted_on: Option<Date>, today: Date) -> bool {
    match submitted_on {
        Some(day) => day > cycle.due_on,
        None => today > cycle.due_on,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn november_is_drafted_on_december_first_reminded_on_the_third_and_due_on_the_fifth() {
        let november = cycle(date(2026, 11, 1));
        assert_eq!(november.draft_on, date(2026, 12, 1));
        assert_eq!(november.remind_on, date(2026, 12, 3));
        assert_eq!(november.due_on, date(2026, 12, 5));
        // Any day of the month names the month; December's cycle runs into the next year.
        assert_eq!(cycle(date(2026, 12, 17)).due_on, date(2027, 1, 5));
    }

    #[test]
    fn lateness_counts_from_the_day_after_the_fifth() {
        let november = cycle(date(2026, 11, 1));
        let cases = [
            (Some(date(2026, 12, 5)), date(2026, 12, 20), false),
            (Some(date(2026, 12, 6)), date(2026, 12, 6), true),
            (None, date(2026, 12, 5), false),
            (None, date(2026, 12, 6), true),
        ];
        for (submitted, today, late) in cases {
            assert_eq!(
                is_late(&november, submitted, today),
                late,
                "{submitted:?} {today}"
            );
        }
    }

    #[test]
    fn the_total_leaves_out_the_installation_guidance_fees() {
        let figures = Figures {
            installation: Effort {
                person_times: 4,
                person_days: 2.5,
                cost_fen: 100_000,
            },
            guidance_fee_fen: 30_000,
            dispatch: Effort {
                person_times: 10,
                person_days: 6.0,
                cost_fen: 120_000,
            },
            material_fen: 45_000,
            transport_fen: 8_000,
        };
        assert_eq!(figures.total_cost_fen(), 70_000 + 120_000 + 45_000 + 8_000);
    }
}
