//! Installation and commissioning (安装调试, INSTALL-1..5): the installation work order's
//! state machine, the deadlines T17 (send within `install.send_hours` of the sale) and T18
//! (follow-up `install.followup_days` after completion), the follow-up rating and the
//! provider scorecard tally. Pure: callers pass the facts and "now".

use crate::code_enum;

code_enum! {
    pub enum InstallationStatus {
        /// Recorded (from a sale or by hand), not yet sent to an installation company.
        New = "new",
        /// The work order (安装派工单) went to the company.
        Sent = "sent",
        /// The company confirmed and named its installers with their credentials.
        Acknowledged = "acknowledged",
        /// Installed and commissioned (安装调试), the customer's staff trained.
        Commissioned = "commissioned",
        /// The customer signed the completion.
        Completed = "completed",
        /// The follow-up (回访) rated the company's work.
        FollowedUp = "followed_up",
        Cancelled = "cancelled",
    }
}

code_enum! {
    pub enum InstallationEvent {
        Send = "send",
        Acknowledge = "acknowledge",
        /// The company cannot take the order: back to the office to send it elsewhere.
        Decline = "decline",
        Commission = "commission",
        Complete = "complete",
        FollowUp = "follow_up",
        Cancel = "cancel",
    }
}

code_enum! {
    /// An installation company is an internal team or a contracted firm.
    pub enum ProviderKind {
        Internal = "internal",
        Provider = "provider",
    }
}

code_enum! {
    /// Who may take a step: the office sends and cancels, the installation company (or the
    /// office on its behalf) works the order, the follow-up caller rates it.
    pub enum StepActor {
        Office = "office",
        Company = "company",
        FollowUpCaller = "follow_up_caller",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not possible when the installation is {from}")]
pub struct InvalidInstallationTransition {
    pub from: InstallationStatus,
    pub event: InstallationEvent,
}

/// The state machine.
pub fn next_installation_status(
    from: InstallationStatus,
    event: InstallationEvent,
) -> Result<InstallationStatus, InvalidInstallationTransition> {
    use InstallationEvent as E;
    use InstallationStatus as S;
    Ok(match (from, event) {
        (S::New, E::Send) => S::Sent,
        (S::Sent, E::Acknowledge) => S::Acknowledged,
        (S::Sent, E::Decline) => S::New,
        (S::Acknowledged, E::Commission) => S::Commissioned,
        (S::Commissioned, E::Complete) => S::Completed,
        (S::Completed, E::FollowUp) => S::FollowedUp,
        (S::New | S::Sent | S::Acknowledged, E::Cancel) => S::Cancelled,
        _ => return Err(InvalidInstallationTransition { from, event }),
    })
}

/// The events possible now, for the buttons a page offers.
pub fn installation_events(from: InstallationStatus) -> Vec<InstallationEvent> {
    InstallationEvent::ALL
        .iter()
        .copied()
        .filter(|event| next_installation_status(from, *event).is_ok())
        .collect()
}

/// Whose step an event is.
pub fn step_actor(event: InstallationEvent) -> StepActor {
    use InstallationEvent as E;
    match event {
        E::Send | E::Cancel => StepActor::Office,
        E::Acknowledge | E::Decline | E::Commission | E::Complete => StepActor::Company,
        E::FollowUp => StepActor::FollowUpCaller,
    }
}

/// INSTALL-1: a sale gets an installation order when the product needs installation and
/// the unit is not recorded as installed already.
pub fn installation_needed(needs_installation: bool, install_date_known: bool) -> bool {
    needs_installation && !install_date_known
}

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// T17: the work order must go out within `send_hours` of the sale.
pub fn send_due_at(sold_at_ms: i64, send_hours: i64) -> i64 {
    sold_at_ms + send_hours * HOUR_MS
}

/// The company should acknowledge within `ack_hours` of receiving the order (a scorecard
/// measure; design decision).
pub fn ack_due_at(sent_at_ms: i64, ack_hours: i64) -> i64 {
    sent_at_ms + ack_hours * HOUR_MS
}

/// T18: the follow-up is due `followup_days` (calendar days) after completion.
pub fn follow_up_due_at(completed_at_ms: i64, followup_days: i64) -> i64 {
    completed_at_ms + followup_days * DAY_MS
}

/// Follow-up ratings run from 1 (very dissatisfied) to 5 (very satisfied) (design decision:
/// the five-point scale customers know from shop ratings; survey cards keep their four levels).
pub const RATING_MAX: i32 = 5;

pub fn rating_valid(rating: i32) -> bool {
    (1..=RATING_MAX).contains(&rating)
}

/// Reads a non-negative quantity with at most one decimal ("1.5" person-days, "2" hours)
/// as tenths, the unit it is stored in.
pub fn parse_tenths(text: &str) -> Result<i32, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err("required");
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, "0"),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || fraction.len() > 1 {
        return Err("invalid_number");
    }
    let whole: i32 = whole.parse().map_err(|_| "invalid_number")?;
    let fraction: i32 = fraction.parse().map_err(|_| "invalid_number")?;
    whole
        .checked_mul(10)
        .and_then(|w| w.checked_add(fraction))
        .ok_or("invalid_number")
}

/// Shows tenths as a decimal ("15" → "1.5", "20" → "2").
pub fn format_tenths(tenths: i64) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// The facts of one installation order that its company's scorecard counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreFacts {
    pub sent_at: Option<i64>,
    pub send_due_at: i64,
    pub acknowledged_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// The commissioning deadline, when one was agreed.
    pub commission_due_at: Option<i64>,
    pub rating: Option<i32>,
    pub cancelled: bool,
}

/// A provider scorecard (INSTALL-4): orders, on-time send / acknowledgement / completion
/// and the follow-up ratings. Cancelled orders count only in `cancelled`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scorecard {
    pub orders: i64,
    pub cancelled: i64,
    pub sent: i64,
    pub sent_on_time: i64,
    pub acknowledged: i64,
    pub acknowledged_on_time: i64,
    pub completed: i64,
    /// Completed by the commissioning deadline (an order without one counts as on time).
    pub completed_on_time: i64,
    pub ratings: i64,
    pub rating_sum: i64,
}

impl Scorecard {
    pub fn add(&mut self, facts: &ScoreFacts, ack_hours: i64) {
        if facts.cancelled {
            self.cancelled += 1;
            return;
        }
        self.orders += 1;
        if let Some(sent) = facts.sent_at {
            self.sent += 1;
            if sent <= facts.send_due_at {
                self.sent_on_time += 1;
            }
            if let Some(ack) = facts.acknowledged_at {
                self.acknowledged += 1;
                if ack <= ack_due_at(sent, ack_hours) {
                    self.acknowledged_on_time += 1;
                }
            }
        }
        if let Some(done) = facts.completed_at {
            self.completed += 1;
            if facts.commission_due_at.is_none_or(|due| done <= due) {
                self.completed_on_time += 1;
            }
        }
        if let Some(rating) = facts.rating {
            self.ratings += 1;
            self.rating_sum += i64::from(rating);
        }
    }

    /// The average follow-up rating in tenths (4.5 → 45), none before the first rating.
    pub fn average_rating_tenths(&self) -> Option<i64> {
        (self.ratings > 0).then(|| (self.rating_sum * 10 + self.ratings / 2) / self.ratings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_installation_state_machine() {
        use InstallationEvent as E;
        use InstallationStatus as S;
        let allowed = [
            (S::New, E::Send, S::Sent),
            (S::Sent, E::Acknowledge, S::Acknowledged),
            (S::Sent, E::Decline, S::New),
            (S::Acknowledged, E::Commission, S::Commissioned),
            (S::Commissioned, E::Complete, S::Completed),
            (S::Completed, E::FollowUp, S::FollowedUp),
            (S::New, E::Cancel, S::Cancelled),
            (S::Sent, E::Cancel, S::Cancelled),
            (S::Acknowledged, E::Cancel, S::Cancelled),
        ];
        for from in InstallationStatus::ALL {
            for event in InstallationEvent::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| f == from && e == event)
                    .map(|(_, _, to)| *to);
                assert_eq!(
                    next_installation_status(*from, *event).ok(),
                    expected,
                    "{from} {event}"
                );
            }
        }
        assert!(installation_events(S::FollowedUp).is_empty());
        assert!(installation_events(S::Cancelled).is_empty());
        assert_eq!(
            installation_events(S::Sent),
            [E::Acknowledge, E::Decline, E::Cancel]
        );
    }

    #[test]
    fn each_step_belongs_to_the_office_the_company_or_the_follow_up_caller() {
        use InstallationEvent as E;
        let cases = [
            (E::Send, StepActor::Office),
            (E::Cancel, StepActor::Office),
            (E::Acknowledge, StepActor::Company),
            (E::Decline, StepActor::Company),
            (E::Commission, StepActor::Company),
            (E::Complete, StepActor::Company),
            (E::FollowUp, StepActor::FollowUpCaller),
        ];
        assert_eq!(cases.len(), InstallationEvent::ALL.len());
        for (event, actor) in cases {
            assert_eq!(step_actor(event), actor, "{event}");
        }
    }

    #[test]
    fn a_sale_needs_an_installation_order_unless_already_installed() {
        let cases = [
            (true, false, true),
            (true, true, false),
            (false, false, false),
            (false, true, false),
        ];
        for (needs, installed, expected) in cases {
            assert_eq!(
                installation_needed(needs, installed),
                expected,
                "{needs} {installed}"
            );
        }
    }

    #[test]
    fn the_deadlines() {
        let sale = 1_000_000;
        assert_eq!(send_due_at(sale, 4), sale + 4 * 3_600_000);
        assert_eq!(send_due_at(sale, 0), sale);
        assert_eq!(ack_due_at(sale, 24), sale + 86_400_000);
        assert_eq!(follow_up_due_at(sale, 3), sale + 3 * 86_400_000);
    }

    #[test]
    fn ratings_run_from_one_to_five() {
        for (rating, valid) in [
            (0, false),
            (1, true),
            (3, true),
            (5, true),
            (6, false),
            (-1, false),
        ] {
            assert_eq!(rating_valid(rating), valid, "{rating}");
        }
    }

    #[test]
    fn quantities_are_read_in_tenths() {
        let cases: [(&str, Result<i32, &str>); 9] = [
            ("1.5", Ok(15)),
            ("2", Ok(20)),
            (" 0.5 ", Ok(5)),
            ("0", Ok(0)),
            ("", Err("required")),
            ("1.25", Err("invalid_number")),
            ("-1", Err("invalid_number")),
            ("abc", Err("invalid_number")),
            ("1.", Err("invalid_number")),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_tenths(text), expected, "{text:?}");
        }
        assert_eq!(format_tenths(15), "1.5");
        assert_eq!(format_tenths(20), "2");
        assert_eq!(format_tenths(0), "0");
    }

    #[test]
    fn the_scorecard_counts_on_time_steps_and_averages_ratings() {
        let hour = 3_600_000;
        let on_time = ScoreFacts {
            sent_at: Some(3 * hour),
            send_due_at: 4 * hour,
            acknowledged_at: Some(10 * hour),
            completed_at: Some(40 * hour),
            commission_due_at: Some(48 * hour),
            rating: Some(5),
            cancelled: false,
        };
        let late = ScoreFacts {
            sent_at: Some(5 * hour),
            send_due_at: 4 * hour,
            acknowledged_at: Some(30 * hour),
            completed_at: Some(50 * hour),
            commission_due_at: Some(48 * hour),
            rating: Some(4),
            cancelled: false,
        };
        let unsent = ScoreFacts {
            send_due_at: 4 * hour,
            ..ScoreFacts::default()
        };
        let cancelled = ScoreFacts {
            cancelled: true,
            ..on_time
        };
        let mut card = Scorecard::default();
        for facts in [on_time, late, unsent, cancelled] {
            card.add(&facts, 24);
        }
        assert_eq!(
            card,
            Scorecard {
                orders: 3,
                cancelled: 1,
                sent: 2,
                sent_on_time: 1,
                acknowledged: 2,
                acknowledged_on_time: 1,
                completed: 2,
                completed_on_time: 1,
                ratings: 2,
                rating_sum: 9,
            }
        );
        assert_eq!(card.average_rating_tenths(), Some(45));
        assert_eq!(Scorecard::default().average_rating_tenths(), None);
        let mut no_deadline = Scorecard::default();
        no_deadline.add(
            &ScoreFacts {
                commission_due_at: None,
                ..late
            },
            24,
        );
        assert_eq!(no_deadline.completed_on_time, 1);
    }
}
