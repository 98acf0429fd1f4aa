//! SLA policies: which clocks an order runs and with what allowance (issue "Working calendars,
//! SLA clocks…"). A policy applies to the orders whose facts match all of its criteria; the
//! policies are tried in rank order and the first match wins, like an ordered rule list an
//! administrator can read top to bottom. When none matches, the default policy built from the
//! settings applies.
//!
//! A clock is defined by the order events that start it and stop it, so an administrator can
//! add clocks (say, carry-in turnaround: from `carry_in` to `return_to_customer`) without code.
//! Its history is derived from the order's timeline: every start, pause, resume and stop is a
//! recorded order event, so the clock can always be recomputed from what was recorded.

use jiff::{SignedDuration, Timestamp};

use super::{ClockEvent, ClockHistory, ClockKind};

/// The facts about an order that a policy can match on. `None` facts match only criteria that
/// are not set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyFacts {
    /// The service category: a, b, c or d.
    pub category: String,
    /// hardware, software, operator_error or other.
    pub fault_class: String,
    /// urban or suburban (urban when the address has no district).
    pub zone: String,
    /// The customer's ABC class: a, b or c.
    pub customer_class: String,
    /// normal or urgent.
    pub urgency: String,
}

/// What a policy asks of an order; an unset criterion matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyCriteria {
    pub category: Option<String>,
    pub fault_class: Option<String>,
    pub zone: Option<String>,
    pub customer_class: Option<String>,
    pub urgency: Option<String>,
}

impl PolicyCriteria {
    pub fn matches(&self, facts: &PolicyFacts) -> bool {
        let fits = |criterion: &Option<String>, fact: &str| {
            criterion.as_deref().is_none_or(|wanted| wanted == fact)
        };
        fits(&self.category, &facts.category)
            && fits(&self.fault_class, &facts.fault_class)
            && fits(&self.zone, &facts.zone)
            && fits(&self.customer_class, &facts.customer_class)
            && fits(&self.urgency, &facts.urgency)
    }
}

/// One clock of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockSpec {
    /// first_contact, arrival, completion, resolution or an administrator's own name.
    pub name: String,
    /// Order events that start (or restart) the clock; `register` starts at the call's
    /// received time.
    pub start_on: Vec<String>,
    /// Order events that stop it (its goal reached).
    pub stop_on: Vec<String>,
    pub target: SignedDuration,
    pub kind: ClockKind,
}

/// A policy: its criteria, its rank among the policies and its clocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: Option<i64>,
    pub name: String,
    pub rank: i32,
    pub criteria: PolicyCriteria,
    pub clocks: Vec<ClockSpec>,
}

/// The policy for an order: the first matching one by rank (then by id), if any.
pub fn select_policy<'p>(policies: &'p [Policy], facts: &PolicyFacts) -> Option<&'p Policy> {
    policies
        .iter()
        .filter(|policy| policy.criteria.matches(facts))
        .min_by_key(|policy| (policy.rank, policy.id))
}

/// Order events during which every running clock pauses: the order waits on the customer,
/// on parts, or on the customer's answer to a quote.
pub const PAUSE_EVENTS: &[&str] = &["await_customer", "await_parts", "issue_quote"];
/// Order events that end a wait.
pub const RESUME_EVENTS: &[&str] = &["resume", "accept_quote"];
/// Order events after which no clock runs: the order will never reach its goals.
pub const END_EVENTS: &[&str] = &["cancel", "decline_quote"];

/// One entry of an order's timeline, as the clocks read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineEntry<'a> {
    pub at: Timestamp,
    pub event: &'a str,
}

/// The history of `spec` as the order's timeline (oldest first) records it, or `None` when
/// the clock never started. A start event after the clock started restarts it (a reassignment
/// restarts the first-contact clock): only the history since the last start counts. Pauses and
/// resumes apply to a running clock only; an order that ended (cancelled, quote declined)
/// stops its clocks there, and so would not show them as running forever.
pub fn clock_history(spec: &ClockSpec, timeline: &[TimelineEntry<'_>]) -> Option<ClockHistory> {
    let last_start = timeline
        .iter()
        .rposition(|entry| spec.start_on.iter().any(|s| s == entry.event))?;
    let mut history = ClockHistory::start(timeline[last_start].at);
    let mut paused = false;
    for entry in &timeline[last_start + 1..] {
        let event =
            if spec.stop_on.iter().any(|s| s == entry.event) || END_EVENTS.contains(&entry.event) {
                Some(ClockEvent::Stopped { at: entry.at })
            } else if PAUSE_EVENTS.contains(&entry.event) && !paused {
                paused = true;
                Some(ClockEvent::Paused {
                    at: entry.at,
                    reason: entry.event.to_string(),
                })
            } else if RESUME_EVENTS.contains(&entry.event) && paused {
                paused = false;
                Some(ClockEvent::Resumed { at: entry.at })
            } else {
                None
            };
        if let Some(event) = event {
            let stops = matches!(event, ClockEvent::Stopped { .. });
            // The timeline is in order, so only an instant earlier than the start (a call
            // registered with an earlier received time) could be refused; it is skipped.
            let _ = history.record(event);
            if stops {
                break;
            }
        }
    }
    Some(history)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::builtin;
    use crate::sla::{ClockPolicy, ClockStatus};

    fn spec(name: &str, start: &[&str], stop: &[&str], minutes: i64) -> ClockSpec {
        ClockSpec {
            name: name.into(),
            start_on: start.iter().map(|s| s.to_string()).collect(),
            stop_on: stop.iter().map(|s| s.to_string()).collect(),
            target: SignedDuration::from_mins(minutes),
            kind: ClockKind::WorkingTime,
        }
    }

    fn policy(id: i64, rank: i32, criteria: PolicyCriteria) -> Policy {
        Policy {
            id: Some(id),
            name: format!("p{id}"),
            rank,
            criteria,
            clocks: vec![],
        }
    }

    fn facts() -> PolicyFacts {
        PolicyFacts {
            category: "a".into(),
            fault_class: "software".into(),
            zone: "suburban".into(),
            customer_class: "a".into(),
            urgency: "urgent".into(),
        }
    }

    #[test]
    fn each_criterion_must_match_and_unset_criteria_match_anything() {
        let some = |s: &str| Some(s.to_string());
        let cases = [
            (PolicyCriteria::default(), true),
            (
                PolicyCriteria {
                    category: some("a"),
                    ..Default::default()
                },
                true,
            ),
            (
                PolicyCriteria {
                    category: some("b"),
                    ..Default::default()
                },
                false,
            ),
            (
                PolicyCriteria {
                    fault_class: some("hardware"),
                    ..Default::default()
                },
                false,
            ),
            (
                PolicyCriteria {
                    zone: some("urban"),
                    ..Default::default()
                },
                false,
            ),
            (
                PolicyCriteria {
                    customer_class: some("c"),
                    ..Default::default()
                },
                false,
            ),
            (
                PolicyCriteria {
                    urgency: some("normal"),
                    ..Default::default()
                },
                false,
            ),
            (
                PolicyCriteria {
                    category: some("a"),
                    fault_class: some("software"),
                    zone: some("suburban"),
                    customer_class: some("a"),
                    urgency: some("urgent"),
                },
                true,
            ),
        ];
        for (criteria, expected) in cases {
            assert_eq!(criteria.matches(&facts()), expected, "{criteria:?}");
        }
    }

    #[test]
    fn the_first_matching_policy_by_rank_wins_and_none_matches_nothing() {
        let urgent = PolicyCriteria {
            urgency: Some("urgent".into()),
            ..Default::default()
        };
        let urban = PolicyCriteria {
            zone: Some("urban".into()),
            ..Default::default()
        };
        let policies = [
            policy(1, 20, PolicyCriteria::default()),
            policy(2, 10, urgent.clone()),
            policy(3, 5, urban),
            policy(4, 10, urgent),
        ];
        assert_eq!(select_policy(&policies, &facts()).unwrap().id, Some(2));
        assert_eq!(select_policy(&policies[..1], &facts()).unwrap().id, Some(1));
        assert!(select_policy(&policies[2..3], &facts()).is_none());
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn timeline(entries: &[(&'static str, &'static str)]) -> Vec<TimelineEntry<'static>> {
        entries
            .iter()
            .map(|(t, event)| TimelineEntry { at: at(t), event })
            .collect()
    }

    #[test]
    fn every_wait_pauses_the_clock_and_only_working_time_outside_waits_counts() {
        // Monday 2026-11-23, Shanghai: registered 09:00, waits on the customer 10:00–11:00
        // and on parts 14:00–15:00, arrives 16:00: 6 working hours passed (12:00–13:00 is
        // lunch), 2 of them waiting, so 4 count.
        let entries = timeline(&[
            ("2026-11-23T01:00:00Z", "register"),
            ("2026-11-23T02:00:00Z", "await_customer"),
            ("2026-11-23T03:00:00Z", "resume"),
            ("2026-11-23T06:00:00Z", "await_parts"),
            ("2026-11-23T07:00:00Z", "resume"),
            ("2026-11-23T08:00:00Z", "check_in"),
        ]);
        let arrival = spec("arrival", &["register"], &["check_in"], 360);
        let history = clock_history(&arrival, &entries).unwrap();
        assert_eq!(history.events().len(), 6);
        let calendar = builtin("cn-standard").unwrap();
        let policy = ClockPolicy {
            kind: ClockKind::WorkingTime,
            target: arrival.target,
            warn_ratio: 0.75,
        };
        let state = history.state(&policy, calendar, at("2026-11-23T09:00:00Z"));
        assert_eq!(state.consumed, SignedDuration::from_hours(4));
        assert_eq!(state.status, ClockStatus::Met);
    }

    #[test]
    fn a_restart_counts_from_the_last_start_and_an_unstarted_clock_has_no_history() {
        let contact = spec(
            "first_contact",
            &["dispatch", "reassign"],
            &["record_contact"],
            30,
        );
        let entries = timeline(&[
            ("2026-11-23T01:00:00Z", "register"),
            ("2026-11-23T01:10:00Z", "dispatch"),
            ("2026-11-23T02:00:00Z", "reassign"),
            ("2026-11-23T02:20:00Z", "record_contact"),
        ]);
        let history = clock_history(&contact, &entries).unwrap();
        assert_eq!(history.started_at(), at("2026-11-23T02:00:00Z"));
        assert_eq!(
            history.events().last(),
            Some(&ClockEvent::Stopped {
                at: at("2026-11-23T02:20:00Z")
            })
        );
        assert!(clock_history(&contact, &entries[..1]).is_none());
    }

    #[test]
    fn waits_before_the_start_repeated_pauses_and_a_cancellation_are_handled() {
        let completion = spec("completion", &["check_in"], &["complete_on_site"], 60);
        let entries = timeline(&[
            ("2026-11-23T01:00:00Z", "await_customer"),
            ("2026-11-23T01:30:00Z", "resume"),
            ("2026-11-23T02:00:00Z", "check_in"),
            ("2026-11-23T02:10:00Z", "issue_quote"),
            ("2026-11-23T02:20:00Z", "await_parts"),
            ("2026-11-23T02:30:00Z", "accept_quote"),
            ("2026-11-23T02:40:00Z", "resume"),
            ("2026-11-23T02:50:00Z", "cancel"),
            ("2026-11-23T03:00:00Z", "complete_on_site"),
        ]);
        let history = clock_history(&completion, &entries).unwrap();
        let kinds: Vec<&str> = history
            .events()
            .iter()
            .map(|e| match e {
                ClockEvent::Started { .. } => "start",
                ClockEvent::Paused { .. } => "pause",
                ClockEvent::Resumed { .. } => "resume",
                ClockEvent::Stopped { .. } => "stop",
            })
            .collect();
        assert_eq!(kinds, ["start", "pause", "resume", "stop"]);
        assert_eq!(history.events()[3].at(), at("2026-11-23T02:50:00Z"));
    }
}
