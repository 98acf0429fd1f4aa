//! Maintenance contracts (CONTRACT-1, C.7): status and coverage of a unit on a date.

use jiff::civil::Date;

use crate::code_enum;

code_enum! {
    pub enum ContractStatus {
        Draft = "draft",
        Active = "active",
        /// Within a month of its end: the expiry notice has gone out.
        Expiring = "expiring",
        /// Renewed: a successor contract continues it; this one still covers until its end.
        Renewed = "renewed",
        Expired = "expired",
        Terminated = "terminated",
    }
}

/// The period of a contract, validated: the end is not before the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractPeriod {
    start: Date,
    end: Date,
}

impl ContractPeriod {
    pub fn new(start: Date, end: Date) -> Result<ContractPeriod, &'static str> {
        if end < start {
            Err("end_before_start")
        } else {
            Ok(ContractPeriod { start, end })
        }
    }
    pub fn start(self) -> Date {
        self.start
    }
    pub fn end(self) -> Date {
        self.end
    }
    pub fn contains(self, on: Date) -> bool {
        self.start <= on && on <= self.end
    }
}

/// Whether a contract in `status` over `period` covers its units on `on`: signed (not a
/// draft), not terminated, and the date inside the period (both ends included).
pub fn covers(status: ContractStatus, period: ContractPeriod, on: Date) -> bool {
    !matches!(status, ContractStatus::Draft | ContractStatus::Terminated) && period.contains(on)
}

/// Manual status changes allowed from the UI and API. Expiring and expired are set by
/// timers (contract renewal notices), not by hand.
pub fn can_change_status(from: ContractStatus, to: ContractStatus) -> bool {
    use ContractStatus::*;
    matches!(
        (from, to),
        (Draft, Active)
            | (Active, Terminated)
            | (Expiring, Terminated)
            | (Active, Renewed)
            | (Expiring, Renewed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use ContractStatus::*;

    #[test]
    fn coverage_needs_a_signed_contract_and_a_date_inside_the_period() {
        let period = ContractPeriod::new(date(2026, 1, 1), date(2026, 12, 31)).unwrap();
        let cases = [
            (Active, date(2026, 1, 1), true),
            (Active, date(2026, 12, 31), true),
            (Active, date(2027, 1, 1), false),
            (Active, date(2025, 12, 31), false),
            (Expiring, date(2026, 12, 15), true),
            (Renewed, date(2026, 12, 15), true),
            (Draft, date(2026, 6, 1), false),
            (Terminated, date(2026, 6, 1), false),
            (Expired, date(2026, 6, 1), true),
        ];
        for (status, on, expected) in cases {
            assert_eq!(covers(status, period, on), expected, "{status} {on}");
        }
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        assert_eq!(
            ContractPeriod::new(date(2026, 2, 1), date(2026, 1, 31)),
            Err("end_before_start")
        );
    }

    #[test]
    fn only_the_documented_manual_transitions_are_allowed() {
        let allowed: Vec<_> = ContractStatus::ALL
            .iter()
            .flat_map(|from| ContractStatus::ALL.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| can_change_status(*from, *to))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Active, Renewed),
                (Active, Terminated),
                (Draft, Active),
                (Expiring, Renewed),
                (Expiring, Terminated)
            ]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
    }
}
