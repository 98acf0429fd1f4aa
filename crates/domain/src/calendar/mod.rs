//! Working calendars (SYSTEM-1) and working-time arithmetic for every working-hour timer of
//! Appendix D, above all the arrival SLA of DISPATCH-3 ("6 working hours from the call").
//!
//! A [`Calendar`] says which instants are working time: local working periods per weekday in a
//! time zone, minus public holidays, plus make-up workdays (调休). Its arithmetic answers "when is
//! the deadline" ([`Calendar::deadline`]) and "how much working time has passed"
//! ([`Calendar::elapsed`]). Everything is pure: calendars come from the built-in data
//! ([`builtin`]) or from rows the service layer passes to [`CalendarBuilder`], and "now" is
//! always a parameter. The arithmetic lives in `engine`, kept fast by a precomputed index,
//! because SLA clocks are recomputed in bulk whenever a calendar changes.

mod batch;
mod builtin;
mod duration;
mod engine;
mod holidays;
mod period;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{SignedDuration, Timestamp};

pub use batch::{
    deadline_for, elapsed_for, format_instant, parse_instant, BatchError, DeadlineBatch,
};
pub use builtin::{builtin, BUILTIN_CODES, CN_STANDARD, TWENTY_FOUR_SEVEN};
pub use duration::{format_duration, parse_duration, DurationParseError};
pub use holidays::{
    parse_holiday_csv, parse_holiday_ics, HolidayImportError, SpecialDay, SpecialDayKind,
};
pub use period::WorkingPeriod;

use engine::{Engine, IntervalIndex};

/// Why a calendar or one of its working periods is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("a calendar needs a code")]
    EmptyCode,
    #[error("unknown time zone {name:?}")]
    UnknownTimeZone { name: String },
    #[error("working period {text:?} is not of the form HH:MM-HH:MM")]
    MalformedPeriod { text: String },
    #[error("working period {start}-{end} ends before it starts")]
    PeriodEndsBeforeStart { start: Time, end: Time },
    #[error("on {weekday:?} the working period {later} starts before {earlier} ends: list periods in order, without overlaps")]
    PeriodsOutOfOrder {
        weekday: Weekday,
        earlier: WorkingPeriod,
        later: WorkingPeriod,
    },
    #[error("{date} is both a holiday and a make-up workday")]
    HolidayAndWorkday { date: Date },
    #[error(
        "the calendar has no working period on any weekday, so no working-hour clock could run"
    )]
    NoWorkingTime,
}

/// Which instants are working time, and the arithmetic over them.
///
/// Cheap to share but not to build: the first arithmetic call on a calendar with working hours
/// builds its index (a few milliseconds), so the service layer should keep calendars it reuses.
#[derive(Debug, Clone)]
pub struct Calendar {
    code: String,
    time_zone: TimeZone,
    hours: WorkingHours,
}

#[derive(Debug, Clone)]
enum WorkingHours {
    /// 7×24: every instant is working time, so the arithmetic is plain addition.
    Always,
    Weekly(Box<WeeklyHours>),
}

/// Working periods per weekday with the dated exceptions; what a [`CalendarBuilder`] validated.
#[derive(Debug, Clone)]
struct WeeklyHours {
    /// Indexed by days from Monday, each sorted and without overlaps.
    week: [Vec<WorkingPeriod>; 7],
    holidays: BTreeSet<Date>,
    workdays: BTreeSet<Date>,
    index: OnceLock<IntervalIndex>,
}

impl WeeklyHours {
    /// A make-up workday is worked like a Monday, whatever its weekday: 调休 days are announced as
    /// ordinary full working days, and Monday's hours are the calendar's ordinary weekday hours.
    fn periods_on(&self, date: Date) -> &[WorkingPeriod] {
        if self.holidays.contains(&date) {
            &[]
        } else if self.workdays.contains(&date) {
            &self.week[0]
        } else {
            &self.week[date.weekday().to_monday_zero_offset() as usize]
        }
    }
}

impl Calendar {
    /// Starts a calendar with working hours, to be given periods, holidays and workdays.
    pub fn builder(code: impl Into<String>, time_zone_name: impl Into<String>) -> CalendarBuilder {
        CalendarBuilder {
            code: code.into(),
            time_zone_name: time_zone_name.into(),
            week: Default::default(),
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
        }
    }

    /// A 7×24 calendar: every instant is working time; the time zone is only for display.
    pub fn always_working(code: impl Into<String>, time_zone: TimeZone) -> Calendar {
        Calendar {
            code: code.into(),
            time_zone,
            hours: WorkingHours::Always,
        }
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    pub fn is_always_working(&self) -> bool {
        matches!(self.hours, WorkingHours::Always)
    }

    /// The weekly periods of `weekday`, before holidays and make-up workdays.
    pub fn weekly_periods(&self, weekday: Weekday) -> &[WorkingPeriod] {
        match &self.hours {
            WorkingHours::Always => &[],
            WorkingHours::Weekly(hours) => &hours.week[weekday.to_monday_zero_offset() as usize],
        }
    }

    /// The working periods of one local date, after holidays and make-up workdays; empty for a
    /// 7×24 calendar, which has no periods because it never stops.
    pub fn periods_on(&self, date: Date) -> &[WorkingPeriod] {
        match &self.hours {
            WorkingHours::Always => &[],
            WorkingHours::Weekly(hours) => hours.periods_on(date),
        }
    }

    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.special_days(|hours| &hours.holidays)
    }

    pub fn workdays(&self) -> impl Iterator<Item = Date> + '_ {
        self.special_days(|hours| &hours.workdays)
    }

    fn special_days<'a>(
        &'a self,
        pick: fn(&WeeklyHours) -> &BTreeSet<Date>,
    ) -> impl Iterator<Item = Date> + 'a {
        let days = match &self.hours {
            WorkingHours::Always => None,
            WorkingHours::Weekly(hours) => Some(pick(hours)),
        };
        days.into_iter().flatten().copied()
    }

    /// The earliest instant `t >= start` such that the working time in `[start, t)` reaches
    /// `duration`.
    ///
    /// - A clock that runs out exactly at the end of a period ends there (12:00, not 13:00).
    /// - A start outside working time counts from the next working instant.
    /// - A zero or negative duration returns `start` itself, working time or not: no working
    ///   time needs to pass, and it keeps `deadline(deadline(s, a), b) == deadline(s, a + b)`.
    /// - Saturates at `Timestamp::MAX` rather than failing for absurd durations.
    pub fn deadline(&self, start: Timestamp, duration: SignedDuration) -> Timestamp {
        if duration <= SignedDuration::ZERO {
            return start;
        }
        let deadline = match &self.hours {
            WorkingHours::Always => start.as_nanosecond() + duration.as_nanos(),
            WorkingHours::Weekly(hours) => self
                .engine(hours)
                .deadline(start.as_nanosecond(), duration.as_nanos()),
        };
        Timestamp::from_nanosecond(deadline).unwrap_or(Timestamp::MAX)
    }

    /// The working time between two instants. It is antisymmetric, `elapsed(a, b) ==
    /// -elapsed(b, a)`, so it is negative when `to` is before `from` and zero when they are equal.
    pub fn elapsed(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        if to < from {
            return -self.elapsed(to, from);
        }
        let nanos = match &self.hours {
            WorkingHours::Always => to.as_nanosecond() - from.as_nanosecond(),
            WorkingHours::Weekly(hours) => self
                .engine(hours)
                .elapsed(from.as_nanosecond(), to.as_nanosecond()),
        };
        SignedDuration::from_nanos_i128(nanos)
    }

    /// Whether `instant` is working time; periods include their start and exclude their end.
    pub fn is_working(&self, instant: Timestamp) -> bool {
        let nanos = instant.as_nanosecond();
        match &self.hours {
            WorkingHours::Always => true,
            WorkingHours::Weekly(hours) => self
                .engine(hours)
                .next_interval(nanos)
                .is_some_and(|(start, _)| start == nanos),
        }
    }

    /// `instant` if it is working time, otherwise the start of the next working period.
    pub fn next_working_instant(&self, instant: Timestamp) -> Timestamp {
        match &self.hours {
            WorkingHours::Always => instant,
            WorkingHours::Weekly(hours) => {
                match self.engine(hours).next_interval(instant.as_nanosecond()) {
                    Some((start, _)) => Timestamp::from_nanosecond(start).unwrap_or(Timestamp::MAX),
                    None => Timestamp::MAX,
                }
            }
        }
    }

    fn engine<'a>(&'a self, hours: &'a WeeklyHours) -> Engine<'a> {
        Engine {
            hours,
            time_zone: &self.time_zone,
        }
    }
}

/// Builds a [`Calendar`] from loose parts, such as database rows, and validates it.
#[derive(Debug, Clone)]
pub struct CalendarBuilder {
    code: String,
    time_zone_name: String,
    week: [Vec<WorkingPeriod>; 7],
    holidays: BTreeSet<Date>,
    workdays: BTreeSet<Date>,
}

impl CalendarBuilder {
    /// Adds working periods to one weekday; they must come in order, without overlaps.
    pub fn periods(
        mut self,
        weekday: Weekday,
        periods: impl IntoIterator<Item = WorkingPeriod>,
    ) -> Self {
        self.week[weekday.to_monday_zero_offset() as usize].extend(periods);
        self
    }

    /// Adds the same working periods to Monday through Friday.
    pub fn weekday_periods(
        mut self,
        periods: impl IntoIterator<Item = WorkingPeriod> + Clone,
    ) -> Self {
        for day in &mut self.week[..5] {
            day.extend(periods.clone());
        }
        self
    }

    /// Public holidays: dates without working time.
    pub fn holidays(mut self, dates: impl IntoIterator<Item = Date>) -> Self {
        self.holidays.extend(dates);
        self
    }

    /// Make-up workdays (调休): dates worked with Monday's periods, usually weekend days.
    pub fn workdays(mut self, dates: impl IntoIterator<Item = Date>) -> Self {
        self.workdays.extend(dates);
        self
    }

    /// Adds imported holidays and make-up workdays, as parsed by [`parse_holiday_csv`] or
    /// [`parse_holiday_ics`].
    pub fn special_days<'a>(mut self, days: impl IntoIterator<Item = &'a SpecialDay>) -> Self {
        for day in days {
            match day.kind {
                SpecialDayKind::Holiday => self.holidays.insert(day.date),
                SpecialDayKind::Workday => self.workdays.insert(day.date),
            };
        }
        self
    }

    /// Resolves the time zone in jiff's bundled database, so results do not depend on the host.
    pub fn build(self) -> Result<Calendar, CalendarError> {
        if self.code.trim().is_empty() {
            return Err(CalendarError::EmptyCode);
        }
        let time_zone = time_zone_named(&self.time_zone_name)?;
        for (weekday_idx, periods) in self.week.iter().enumerate() {
            if let Some(pair) = periods
                .windows(2)
                .find(|pair| pair[1].start_second_of_day() < pair[0].end_second_of_day())
            {
                return Err(CalendarError::PeriodsOutOfOrder {
                    weekday: Weekday::from_monday_zero_offset(weekday_idx as i8)
                        .expect("seven weekdays"),
                    earlier: pair[0],
                    later: pair[1],
                });
            }
        }
        if let Some(date) = self.holidays.intersection(&self.workdays).next() {
            return Err(CalendarError::HolidayAndWorkday { date: *date });
        }
        if self.week.iter().all(Vec::is_empty) {
            return Err(CalendarError::NoWorkingTime);
        }
        let hours = WeeklyHours {
            week: self.week,
            holidays: self.holidays,
            workdays: self.workdays,
            index: OnceLock::new(),
        };
        Ok(Calendar {
            code: self.code,
            time_zone,
            hours: WorkingHours::Weekly(Box::new(hours)),
        })
    }
}

/// Looks a zone up in jiff's bundled copy of the IANA database (no file access).
pub fn time_zone_named(name: &str) -> Result<TimeZone, CalendarError> {
    static BUNDLED: OnceLock<TimeZoneDatabase> = OnceLock::new();
    BUNDLED
        .get_or_init(TimeZoneDatabase::bundled)
        .get(name)
        .map_err(|_| CalendarError::UnknownTimeZone {
            name: name.to_owned(),
        })
}
