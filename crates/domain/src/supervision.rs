//! Service supervision (SUPERVISION-1, 3, 4, 5, CUSTOMER-5, STAFF-5): staff evaluations,
//! logged supervision activities, the counter-supervision sample of hotline cases, the
//! visit-coverage rule (T24) and improvement suggestions with their rewards.

use jiff::civil::Date;

use crate::code_enum;

code_enum! {
    /// What a logged supervision activity was (SUPERVISION-1, 4; CUSTOMER-5).
    pub enum ActivityKind {
        /// A visit to an important customer, with findings.
        CustomerVisit = "customer_visit",
        /// A customer forum (恳谈会), with minutes.
        CustomerForum = "customer_forum",
        /// A customer committee meeting (company, customer and service side).
        CommitteeMeeting = "committee_meeting",
        /// A process-compliance review of the service department's work.
        ComplianceReview = "compliance_review",
    }
}

impl ActivityKind {
    /// Only a visit names one customer; a compliance review states whether the process was
    /// followed.
    pub fn needs_customer(self) -> bool {
        self == ActivityKind::CustomerVisit
    }
    pub fn has_compliance(self) -> bool {
        self == ActivityKind::ComplianceReview
    }
}

/// The aspects of a periodic staff evaluation (SUPERVISION-1).
pub const EVALUATION_ASPECTS: [&str; 3] = ["attitude", "knowledge", "communication"];

/// Evaluation scores run from 1 (poor) to 5 (excellent) (scale: design decision).
pub fn valid_evaluation_score(score: i64) -> bool {
    (1..=5).contains(&score)
}

/// An evaluation period: a month `YYYY-MM` or a quarter `YYYY-Qn`.
pub fn valid_period(text: &str) -> bool {
    let Some((year, rest)) = text.split_once('-') else {
        return false;
    };
    if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    match rest.strip_prefix('Q') {
        Some(quarter) => matches!(quarter, "1" | "2" | "3" | "4"),
        None => rest.len() == 2 && matches!(rest.parse::<u8>(), Ok(1..=12)),
    }
}

/// Whether hotline case `id` is in the counter-supervision sample (SUPERVISION-3) when
/// `percent` of cases are re-checked. The draw is a hash of the id, so it is the same on
/// every instance and every day, cannot be steered by the operator, and is testable.
pub fn in_recheck_sample(id: i64, percent: i64) -> bool {
    if percent <= 0 {
        return false;
    }
    if percent >= 100 {
        return true;
    }
    (mix(id as u64) % 100) < percent as u64
}

/// SplitMix64's finaliser: spreads consecutive ids evenly over the hundred buckets.
fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A closed hotline case was closed without action when nothing was decided, remedied or
/// corrected (SUPERVISION-3 flags these).
pub fn closed_without_action(
    closed: bool,
    decision: Option<&str>,
    remedy: Option<&str>,
    corrective_action: Option<&str>,
) -> bool {
    let blank = |text: Option<&str>| text.is_none_or(|t| t.trim().is_empty());
    closed && blank(decision) && blank(remedy) && blank(corrective_action)
}

/// T24 (CUSTOMER-5): a key customer is due for a visit when its last visit (or, never
/// visited, the day it was taken on) lies `max_months` months or more before `today`.
pub fn visit_due(
    last_visit: Option<Date>,
    known_since: Date,
    today: Date,
    max_months: i64,
) -> bool {
    let since = last_visit.unwrap_or(known_since);
    match since.checked_add(jiff::Span::new().months(max_months.max(1))) {
        Ok(due) => today >= due,
        Err(_) => false,
    }
}

code_enum! {
    /// Where a suggestion came from (STAFF-5, SURVEY-3, SUPERVISION-4).
    pub enum SuggestionSource {
        /// An employee's improvement suggestion.
        Employee = "employee",
        /// A suggestion form from a suggestion box in a public place, entered by staff.
        PublicPlace = "public_place",
        /// A customer's suggestion on an answered survey card.
        Survey = "survey",
    }
}

code_enum! {
    pub enum SuggestionStatus {
        Submitted = "submitted",
        /// The customer department answered it.
        Answered = "answered",
        /// Answered and rewarded as valuable.
        Rewarded = "rewarded",
    }
}

/// A reward needs a positive amount (fen) or a description; it can only follow an answer
/// and is given once.
pub fn check_reward(
    status: SuggestionStatus,
    amount_fen: Option<i64>,
    description: Option<&str>,
) -> Result<(), (&'static str, &'static str)> {
    match status {
        SuggestionStatus::Submitted => return Err(("status", "not_answered")),
        SuggestionStatus::Rewarded => return Err(("status", "already_rewarded")),
        SuggestionStatus::Answered => {}
    }
    match amount_fen {
        Some(amount) if amount <= 0 => Err(("amount_fen", "must_be_positive")),
        None if description.is_none_or(|d| d.trim().is_empty()) => Err(("description", "required")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn periods_are_months_or_quarters() {
        for (text, valid) in [
            ("2026-11", true),
            ("2026-Q4", true),
            ("2026-13", false),
            ("2026-Q5", false),
            ("26-11", false),
            ("2026", false),
            ("2026-1", false),
        ] {
            assert_eq!(valid_period(text), valid, "{text}");
        }
    }

    #[test]
    fn the_sample_is_stable_and_close_to_the_percentage() {
        for percent in [0, 10, 25, 50, 100] {
            let drawn = (1..=10_000)
                .filter(|id| in_recheck_sample(*id, percent))
                .count() as i64;
            assert!(
                (drawn - percent * 100).abs() <= 150,
                "{percent}% drew {drawn} of 10000"
            );
            for id in 1..50 {
                assert_eq!(
                    in_recheck_sample(id, percent),
                    in_recheck_sample(id, percent)
                );
            }
        }
        assert!(!in_recheck_sample(7, -5));
        assert!(in_recheck_sample(7, 150));
    }

    #[test]
    fn a_smaller_sample_is_part_of_a_larger_one() {
        for id in 1..2000 {
            if in_recheck_sample(id, 10) {
                assert!(in_recheck_sample(id, 30), "{id}");
            }
        }
    }

    #[test]
    fn a_case_closed_with_nothing_done_is_flagged() {
        for (closed, decision, remedy, corrective, flagged) in [
            (true, None, None, None, true),
            (true, Some(" "), None, Some(""), true),
            (true, Some("赔偿"), None, None, false),
            (true, None, Some("上门更换"), None, false),
            (true, None, None, Some("培训"), false),
            (false, None, None, None, false),
        ] {
            assert_eq!(
                closed_without_action(closed, decision, remedy, corrective),
                flagged,
                "{closed} {decision:?} {remedy:?} {corrective:?}"
            );
        }
    }

    #[test]
    fn a_customer_is_due_for_a_visit_after_the_interval() {
        let known = day("2025-01-15");
        for (last, today, months, due) in [
            (None, "2026-01-14", 12, false),
            (None, "2026-01-15", 12, true),
            (Some("2026-03-01"), "2026-11-22", 12, false),
            (Some("2025-11-22"), "2026-11-22", 12, true),
            (Some("2026-05-22"), "2026-11-22", 6, true),
            (Some("2026-05-23"), "2026-11-22", 6, false),
            (Some("2026-11-01"), "2026-11-22", 0, false),
        ] {
            assert_eq!(
                visit_due(last.map(day), known, day(today), months),
                due,
                "{last:?} {today} {months}"
            );
        }
    }

    #[test]
    fn a_reward_follows_an_answer_once_with_an_amount_or_a_description() {
        use SuggestionStatus as S;
        for (status, amount, description, expected) in [
            (S::Answered, Some(20_000), None, Ok(())),
            (S::Answered, None, Some("通报表扬"), Ok(())),
            (S::Answered, None, None, Err(("description", "required"))),
            (
                S::Answered,
                Some(0),
                None,
                Err(("amount_fen", "must_be_positive")),
            ),
            (
                S::Submitted,
                Some(100),
                None,
                Err(("status", "not_answered")),
            ),
            (
                S::Rewarded,
                Some(100),
                None,
                Err(("status", "already_rewarded")),
            ),
        ] {
            assert_eq!(
                check_reward(status, amount, description),
                expected,
                "{status} {amount:?} {description:?}"
            );
        }
    }

    #[test]
    fn only_visits_name_a_customer_and_only_reviews_judge_compliance() {
        for kind in ActivityKind::ALL {
            assert_eq!(kind.needs_customer(), *kind == ActivityKind::CustomerVisit);
            assert_eq!(
                kind.has_compliance(),
                *kind == ActivityKind::ComplianceReview
            );
        }
    }
}
