//! SLA clocks (DISPATCH-3, Appendix D): how much of a time allowance a service order has used,
//! when it runs out, and whether it was met.
//!
//! A clock is only its recorded history of start, pause, resume and stop events; its state is
//! recomputed from that history, a calendar and "now" by a pure function. Nothing derived is
//! stored, so a corrected calendar (a holiday added late, changed working hours) corrects every
//! deadline at the next recomputation, and a state can be recomputed as of any past instant for
//! audits and reports.

pub mod customer_time;
mod escalation;
pub mod policy;

use jiff::{SignedDuration, Timestamp};

use crate::calendar::{builtin, Calendar, TWENTY_FOUR_SEVEN};

pub use escalation::{escalation_step, EscalationLevel};

/// What time a clock measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockKind {
    /// Working time of the calendar passed to [`ClockHistory::state`], as the arrival SLA's
    /// "6 working hours".
    WorkingTime,
    /// Calendar time: every instant counts, as the 24 hours to answer a complaint.
    ElapsedTime,
}

/// One recorded change of a clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockEvent {
    Started {
        at: Timestamp,
    },
    /// Time stops counting, e.g. while waiting for the customer; the reason is kept for audits.
    Paused {
        at: Timestamp,
        reason: String,
    },
    Resumed {
        at: Timestamp,
    },
    /// The clock's goal was reached, e.g. the technician checked in on site.
    Stopped {
        at: Timestamp,
    },
}

impl ClockEvent {
    pub fn at(&self) -> Timestamp {
        match self {
            ClockEvent::Started { at }
            | ClockEvent::Paused { at, .. }
            | ClockEvent::Resumed { at }
            | ClockEvent::Stopped { at } => *at,
        }
    }
}

/// Whether a clock is counting, as its history says; see [`ClockStatus`] for the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockPhase {
    Running,
    Paused,
    Stopped,
}

/// Why an event cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("the clock has not been started")]
    NotStarted,
    #[error("the clock has already been started")]
    AlreadyStarted,
    #[error("the clock is already paused")]
    AlreadyPaused,
    #[error("the clock is not paused, so it cannot be resumed")]
    NotPaused,
    #[error("the clock has stopped; nothing can happen to it any more")]
    AlreadyStopped,
    #[error("an event at {at} cannot follow one at {previous}")]
    OutOfOrder { at: Timestamp, previous: Timestamp },
}

/// The phase after `event`, given the phase before it (`None` before the clock is started).
pub fn next_phase(phase: Option<ClockPhase>, event: &ClockEvent) -> Result<ClockPhase, ClockError> {
    use ClockPhase::{Paused, Running, Stopped};
    match (phase, event) {
        (Some(Stopped), _) => Err(ClockError::AlreadyStopped),
        (None, ClockEvent::Started { .. }) => Ok(Running),
        (None, _) => Err(ClockError::NotStarted),
        (Some(_), ClockEvent::Started { .. }) => Err(ClockError::AlreadyStarted),
        (Some(Paused), ClockEvent::Paused { .. }) => Err(ClockError::AlreadyPaused),
        (Some(Running), ClockEvent::Paused { .. }) => Ok(Paused),
        (Some(Paused), ClockEvent::Resumed { .. }) => Ok(Running),
        (Some(Running), ClockEvent::Resumed { .. }) => Err(ClockError::NotPaused),
        (Some(_), ClockEvent::Stopped { .. }) => Ok(Stopped),
    }
}

/// The allowance a clock measures against: what kind of time, how much, and when to warn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockPolicy {
    pub kind: ClockKind,
    pub target: SignedDuration,
    /// The share of the target after which the clock is at risk, e.g. 0.75 (`sla.warn_ratio`).
    pub warn_ratio: f64,
}

/// The verdict on a clock at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockStatus {
    Running,
    Paused,
    /// Stopped by its deadline.
    Met,
    /// Its deadline passed while it was running, whether it is still running, paused or stopped.
    Breached,
}

/// What a clock's history means at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockState {
    pub status: ClockStatus,
    pub phase: ClockPhase,
    /// Time counted so far, in the clock's kind of time; paused stretches do not count.
    pub consumed: SignedDuration,
    /// `target - consumed`; negative once the clock has overrun.
    pub remaining: SignedDuration,
    /// When the allowance runs out, from the last resumption (or the start) with what was left
    /// then. A running clock's deadline is in the future unless breached; a stopped clock keeps
    /// the deadline it was stopped against. A paused clock has none: its deadline depends on
    /// when it resumes, and `remaining` is what the UI shows instead.
    pub deadline: Option<Timestamp>,
    /// `consumed >= warn_ratio × target`.
    pub at_risk: bool,
    /// The deadline that was passed while the clock was running, if one was.
    pub breached_at: Option<Timestamp>,
}

/// A clock's events, in order and valid by [`next_phase`]: always started, never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockHistory {
    events: Vec<ClockEvent>,
}

impl ClockHistory {
    pub fn start(at: Timestamp) -> ClockHistory {
        ClockHistory {
            events: vec![ClockEvent::Started { at }],
        }
    }

    /// Checks a history loaded from storage event by event.
    pub fn from_events(
        events: impl IntoIterator<Item = ClockEvent>,
    ) -> Result<ClockHistory, ClockError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(ClockError::NotStarted)?;
        next_phase(None, &first)?;
        let mut history = ClockHistory {
            events: vec![first],
        };
        for event in events {
            history.record(event)?;
        }
        Ok(history)
    }

    /// Appends an event if the clock allows it now and it does not go back in time.
    pub fn record(&mut self, event: ClockEvent) -> Result<(), ClockError> {
        next_phase(Some(self.phase()), &event)?;
        let previous = self.events.last().expect("a history is never empty").at();
        if event.at() < previous {
            return Err(ClockError::OutOfOrder {
                at: event.at(),
                previous,
            });
        }
        self.events.push(event);
        Ok(())
    }

    pub fn events(&self) -> &[ClockEvent] {
        &self.events
    }

    pub fn started_at(&self) -> Timestamp {
        self.events[0].at()
    }

    /// The phase after the whole history.
    pub fn phase(&self) -> ClockPhase {
        self.events
            .iter()
            .try_fold(None, |phase, event| next_phase(phase, event).map(Some))
            .ok()
            .flatten()
            .expect("a recorded history is valid")
    }

    /// The clock as of `now`. Events after `now` have not happened yet and are ignored, except
    /// the start: a clock that starts later has simply consumed nothing.
    ///
    /// The clock is breached once its deadline instant passes while it runs, even if no more
    /// working time has passed since (an arrival due Friday 18:00 is late on Saturday): the
    /// deadline is what was promised to the customer. Stopping exactly at the deadline meets it.
    pub fn state(&self, policy: &ClockPolicy, calendar: &Calendar, now: Timestamp) -> ClockState {
        let calendar = match policy.kind {
            ClockKind::WorkingTime => calendar,
            ClockKind::ElapsedTime => {
                builtin(TWENTY_FOUR_SEVEN).expect("the 7x24 calendar is built in")
            }
        };
        let mut tally = Tally {
            calendar,
            target: policy.target,
            consumed: SignedDuration::ZERO,
            deadline: None,
            breached_at: None,
        };
        let mut phase = ClockPhase::Running;
        let mut running_since = Some(self.started_at());
        for event in self.events[1..]
            .iter()
            .take_while(|event| event.at() <= now)
        {
            match event {
                ClockEvent::Paused { at, .. } | ClockEvent::Stopped { at } => {
                    if let Some(since) = running_since.take() {
                        tally.count_running(since, *at);
                    }
                }
                ClockEvent::Resumed { at } => running_since = Some(*at),
                ClockEvent::Started { .. } => unreachable!("a recorded history starts once"),
            }
            phase = next_phase(Some(phase), event).expect("a recorded history is valid");
        }
        if let Some(since) = running_since {
            tally.count_running(since, now.max(since));
        }

        let status = match (tally.breached_at, phase) {
            (Some(_), _) => ClockStatus::Breached,
            (None, ClockPhase::Running) => ClockStatus::Running,
            (None, ClockPhase::Paused) => ClockStatus::Paused,
            (None, ClockPhase::Stopped) => ClockStatus::Met,
        };
        ClockState {
            status,
            phase,
            consumed: tally.consumed,
            remaining: policy.target - tally.consumed,
            deadline: if phase == ClockPhase::Paused {
                None
            } else {
                tally.deadline
            },
            at_risk: tally.consumed.as_secs_f64()
                >= policy.warn_ratio * policy.target.as_secs_f64(),
            breached_at: tally.breached_at,
        }
    }
}

/// Running totals while [`ClockHistory::state`] replays the running stretches in order.
struct Tally<'c> {
    calendar: &'c Calendar,
    target: SignedDuration,
    consumed: SignedDuration,
    deadline: Option<Timestamp>,
    breached_at: Option<Timestamp>,
}

impl Tally<'_> {
    /// Counts the running stretch `[since, until)`: its deadline is what was left when it began,
    /// and it breaches the clock if it went on past that deadline.
    fn count_running(&mut self, since: Timestamp, until: Timestamp) {
        let deadline = self.calendar.deadline(since, self.target - self.consumed);
        if self.breached_at.is_none() && deadline < until {
            self.breached_at = Some(deadline);
        }
        self.deadline = Some(deadline);
        self.consumed += self.calendar.elapsed(since, until);
    }
}

#[cfg(test)]
mod tests;
