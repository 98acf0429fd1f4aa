//! A working period: one stretch of local wall-clock time within a day, such as 09:00–12:00.
//! It lives apart from [`super::Calendar`] because the service layer builds periods from
//! database rows and settings text before it has a whole calendar to validate.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Time;

use super::CalendarError;

const SECONDS_PER_DAY: u32 = 86_400;

/// A half-open stretch `[start, end)` of local wall-clock time within one civil day, to the second.
///
/// The end may be midnight at the end of the day (24:00), so a period can reach the next day
/// without a gap; a period never spans midnight otherwise (night shifts are two periods on two days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkingPeriod {
    start_second: u32,
    end_second: u32,
}

impl WorkingPeriod {
    /// A period from `start` to `end`. An `end` of 00:00 means midnight at the end of the day,
    /// since a period ending at the start of its own day would be empty. Sub-second parts are
    /// dropped: working hours are set in minutes, and whole seconds keep the arithmetic exact.
    pub fn new(start: Time, end: Time) -> Result<WorkingPeriod, CalendarError> {
        let start_second = second_of_day(start);
        let end_second = match second_of_day(end) {
            0 => SECONDS_PER_DAY,
            second => second,
        };
        if end_second <= start_second {
            return Err(CalendarError::PeriodEndsBeforeStart { start, end });
        }
        Ok(WorkingPeriod {
            start_second,
            end_second,
        })
    }

    /// The local time the period starts.
    pub fn start(&self) -> Time {
        time_of_second(self.start_second)
    }

    /// The local time the period ends; 00:00 stands for midnight at the end of the day.
    pub fn end(&self) -> Time {
        time_of_second(self.end_second % SECONDS_PER_DAY)
    }

    /// How much working time the period holds on a day without a clock change.
    pub fn length(&self) -> jiff::SignedDuration {
        jiff::SignedDuration::from_secs(i64::from(self.end_second - self.start_second))
    }

    pub(super) fn start_second_of_day(&self) -> u32 {
        self.start_second
    }

    pub(super) fn end_second_of_day(&self) -> u32 {
        self.end_second
    }
}

/// Parses `09:00-12:00` (a `–` dash works too; seconds optional; `24:00` allowed as the end).
impl FromStr for WorkingPeriod {
    type Err = CalendarError;

    fn from_str(text: &str) -> Result<WorkingPeriod, CalendarError> {
        let malformed = || CalendarError::MalformedPeriod {
            text: text.to_owned(),
        };
        let (start, end) = text.split_once(['-', '–']).ok_or_else(malformed)?;
        let start = parse_clock_time(start.trim()).ok_or_else(malformed)?;
        let end = parse_clock_time(end.trim()).ok_or_else(malformed)?;
        if start == SECONDS_PER_DAY {
            return Err(malformed());
        }
        WorkingPeriod::new(time_of_second(start), time_of_second(end % SECONDS_PER_DAY))
    }
}

/// Formats as `09:00-12:00`, with seconds only when they are not zero, and `24:00` for midnight.
impl fmt::Display for WorkingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_clock_time(f, self.start_second)?;
        f.write_str("-")?;
        write_clock_time(f, self.end_second)
    }
}

fn second_of_day(time: Time) -> u32 {
    // Each component is non-negative and bounded by jiff, so the casts cannot lose information.
    time.hour() as u32 * 3600 + time.minute() as u32 * 60 + time.second() as u32
}

fn time_of_second(second: u32) -> Time {
    Time::new(
        (second / 3600) as i8,
        (second / 60 % 60) as i8,
        (second % 60) as i8,
        0,
    )
    .expect("a second of the day below 86400 is a valid time")
}

/// `HH:MM` or `HH:MM:SS`, returning the second of the day; `24:00` is accepted as 86400.
fn parse_clock_time(text: &str) -> Option<u32> {
    let mut parts = text.split(':');
    let mut component = |max: u32| -> Option<u32> {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok().filter(|value| *value <= max)
    };
    let hour = component(24)?;
    let minute = component(59)?;
    let second = match parts.next() {
        None => 0,
        Some(part) => {
            let value: u32 = part.parse().ok().filter(|value| *value <= 59)?;
            if part.len() != 2 {
                return None;
            }
            value
        }
    };
    if parts.next().is_some() {
        return None;
    }
    let total = hour * 3600 + minute * 60 + second;
    (total <= SECONDS_PER_DAY).then_some(total)
}

fn write_clock_time(f: &mut fmt::Formatter<'_>, second: u32) -> fmt::Result {
    let (hour, minute, second) = (second / 3600, second / 60 % 60, second % 60);
    if second == 0 {
        write!(f, "{hour:02}:{minute:02}")
    } else {
        write!(f, "{hour:02}:{minute:02}:{second:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::time;

    #[test]
    fn periods_parse_and_print_in_the_same_form() {
        for text in [
            "09:00-12:00",
            "13:00-18:00",
            "22:00-24:00",
            "08:30:15-09:00",
        ] {
            let period: WorkingPeriod = text.parse().unwrap();
            assert_eq!(period.to_string(), text);
        }
    }

    #[test]
    fn an_end_at_midnight_means_the_end_of_the_day() {
        let period = WorkingPeriod::new(time(22, 0, 0, 0), time(0, 0, 0, 0)).unwrap();
        assert_eq!(period.to_string(), "22:00-24:00");
        assert_eq!(period.length(), jiff::SignedDuration::from_hours(2));
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_rejected() {
        assert_eq!(
            WorkingPeriod::new(time(12, 0, 0, 0), time(9, 0, 0, 0)),
            Err(CalendarError::PeriodEndsBeforeStart {
                start: time(12, 0, 0, 0),
                end: time(9, 0, 0, 0)
            })
        );
        assert!("12:00-12:00".parse::<WorkingPeriod>().is_err());
    }

    #[test]
    fn malformed_period_text_is_rejected() {
        for text in [
            "",
            "9-12",
            "09:00",
            "09:60-10:00",
            "24:00-24:00",
            "25:00-26:00",
            "a:00-b:00",
        ] {
            assert!(
                matches!(
                    text.parse::<WorkingPeriod>(),
                    Err(CalendarError::MalformedPeriod { .. })
                ),
                "{text:?} should be malformed"
            );
        }
    }
}
