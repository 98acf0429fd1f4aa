//! Compensation claims (索赔, CLAIM-1..3, timer T25): the claim's progress through its type's
//! standard steps, the countermeasure deadline, the sales manager's review that closing
//! requires, and the causes the prevention report groups by. Pure.

use jiff::civil::Date;

use crate::code_enum;

code_enum! {
    pub enum ClaimStatus {
        /// Recorded; the type's standard steps are being worked through.
        Open = "open",
        /// The sales manager reviewed the file (CLAIM-3).
        Reviewed = "reviewed",
        Closed = "closed",
    }
}

code_enum! {
    /// What caused the claim; the prevention report groups by it.
    pub enum ClaimCause {
        ProductQuality = "product_quality",
        /// A supplied component or bought-in product: purchasing settles with the supplier.
        SupplierPart = "supplier_part",
        Transport = "transport",
        Installation = "installation",
        Service = "service",
        Other = "other",
    }
}

/// The standard steps of a claim type, one per line of its configured text; blank lines
/// are ignored. A type needs at least one step.
pub fn parse_steps(text: &str) -> Result<Vec<String>, &'static str> {
    let steps: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if steps.is_empty() {
        return Err("required");
    }
    if steps.iter().any(|s| s.chars().count() > 100) {
        return Err("too_long");
    }
    Ok(steps)
}

/// The countermeasure is due `days` after the claim became known (CLAIM-2).
pub fn countermeasure_due(learned_on: Date, days: i64) -> Date {
    learned_on.saturating_add(jiff::Span::new().days(days))
}

/// What closing a claim needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CloseFacts {
    pub steps_done: usize,
    pub steps_total: usize,
    pub has_countermeasure: bool,
    pub has_cause: bool,
    pub reviewed: bool,
}

/// The refusals of closing, in the order they are fixed; empty when the claim may close.
pub fn check_close(facts: CloseFacts) -> Vec<(&'static str, &'static str)> {
    let mut refusals = Vec::new();
    if facts.steps_done < facts.steps_total {
        refusals.push(("steps", "steps_open"));
    }
    if !facts.has_cause {
        refusals.push(("cause", "required"));
    }
    if !facts.has_countermeasure {
        refusals.push(("countermeasure", "required"));
    }
    if !facts.reviewed {
        refusals.push(("review", "review_required"));
    }
    refusals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_the_non_blank_lines() {
        assert_eq!(
            parse_steps(" 登记\n\n 核实事实 \n确定赔偿\n"),
            Ok(vec![
                "登记".to_string(),
                "核实事实".to_string(),
                "确定赔偿".to_string()
            ])
        );
        assert_eq!(parse_steps(" \n "), Err("required"));
        assert_eq!(parse_steps(&"长".repeat(101)), Err("too_long"));
    }

    #[test]
    fn the_countermeasure_is_due_n_days_after_the_claim_is_known() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(countermeasure_due(d("2026-11-22"), 3), d("2026-11-25"));
        assert_eq!(countermeasure_due(d("2026-11-30"), 3), d("2026-12-03"));
    }

    #[test]
    fn closing_needs_every_step_a_cause_a_countermeasure_and_the_review() {
        let ok = CloseFacts {
            steps_done: 3,
            steps_total: 3,
            has_countermeasure: true,
            has_cause: true,
            reviewed: true,
        };
        let table = [
            (ok, vec![]),
            (
                CloseFacts {
                    steps_done: 2,
                    ..ok
                },
                vec![("steps", "steps_open")],
            ),
            (
                CloseFacts {
                    has_cause: false,
                    ..ok
                },
                vec![("cause", "required")],
            ),
            (
                CloseFacts {
                    has_countermeasure: false,
                    ..ok
                },
                vec![("countermeasure", "required")],
            ),
            (
                CloseFacts {
                    reviewed: false,
                    ..ok
                },
                vec![("review", "review_required")],
            ),
        ];
        for (facts, expected) in table {
            assert_eq!(check_close(facts), expected, "{facts:?}");
        }
    }
}
