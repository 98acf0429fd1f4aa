//! Escalation chains: who is told about a breached clock, the longer it stays breached
//! (complaint replies and answers in Appendix D "escalate"). Pure data and one lookup, so the
//! timer jobs and the settings screen share the same rule.

use jiff::SignedDuration;

/// One rung of an escalation chain: once a clock has been breached for `after`, `notify` is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationLevel {
    pub after: SignedDuration,
    /// Who to notify, as a role or org-unit code the notification layer understands.
    pub notify: String,
}

/// The level in force after a breach of `breached_for`: the one with the longest `after` that
/// has been reached, whatever the order of `levels`. `None` before the first level (including
/// for a clock not breached, whose `breached_for` is negative). Ties go to the later level.
pub fn escalation_step(
    levels: &[EscalationLevel],
    breached_for: SignedDuration,
) -> Option<&EscalationLevel> {
    levels
        .iter()
        .filter(|level| level.after <= breached_for)
        .max_by_key(|level| level.after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(hours: i64, notify: &str) -> EscalationLevel {
        EscalationLevel {
            after: SignedDuration::from_hours(hours),
            notify: notify.to_owned(),
        }
    }

    #[test]
    fn the_longest_reached_level_is_in_force() {
        let chain = [
            level(0, "supervisor"),
            level(4, "branch-manager"),
            level(24, "service-director"),
        ];
        let cases = [
            (SignedDuration::from_mins(-30), None),
            (SignedDuration::ZERO, Some("supervisor")),
            (SignedDuration::from_hours(3), Some("supervisor")),
            (SignedDuration::from_hours(4), Some("branch-manager")),
            (SignedDuration::from_hours(100), Some("service-director")),
        ];
        for (breached_for, expected) in cases {
            let step = escalation_step(&chain, breached_for).map(|level| level.notify.as_str());
            assert_eq!(step, expected, "{breached_for}");
        }
    }

    #[test]
    fn the_order_of_the_levels_does_not_matter() {
        let chain = [
            level(24, "service-director"),
            level(0, "supervisor"),
            level(4, "branch-manager"),
        ];
        let step = escalation_step(&chain, SignedDuration::from_hours(5));
        assert_eq!(
            step.map(|level| level.notify.as_str()),
            Some("branch-manager")
        );
    }

    #[test]
    fn an_empty_chain_never_escalates() {
        assert_eq!(escalation_step(&[], SignedDuration::from_hours(5)), None);
    }
}
