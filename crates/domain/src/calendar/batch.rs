//! The text in and out of `aftersales sla`: instants as RFC 3339, durations as `1h30m`, and
//! batches of `start,duration` lines. It lives here rather than in the CLI so the exact output,
//! which scripts depend on, is tested with the arithmetic; the CLI only moves lines.

use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};

use super::{format_duration, parse_duration, Calendar, DurationParseError};

/// Why a start, a duration or a whole batch line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("{text:?} is not an instant like 2026-10-08T04:35:00+08:00")]
    InvalidInstant { text: String },
    #[error(transparent)]
    InvalidDuration(#[from] DurationParseError),
    #[error("line {line}: expected `start,duration`, got {text:?}")]
    MalformedLine { line: usize, text: String },
    #[error("line {line}: {problem}")]
    InLine {
        line: usize,
        problem: Box<BatchError>,
    },
}

/// Reads an instant: RFC 3339 with an offset (`2026-10-08T04:35:00+08:00`, `...Z`), or a civil
/// date-time without one (`2026-10-08T04:35`), taken as wall-clock time in the calendar's zone.
pub fn parse_instant(calendar: &Calendar, text: &str) -> Result<Timestamp, BatchError> {
    let text = text.trim();
    let invalid = || BatchError::InvalidInstant {
        text: text.to_owned(),
    };
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(instant);
    }
    let civil: DateTime = text.parse().map_err(|_| invalid())?;
    calendar
        .time_zone()
        .to_ambiguous_timestamp(civil)
        .compatible()
        .map_err(|_| invalid())
}

/// RFC 3339 with the calendar's UTC offset at that instant and whole seconds, e.g.
/// `2026-10-14T18:00:00+08:00`. Fractions are truncated, which can only show a deadline as
/// earlier than it is, never later.
pub fn format_instant(calendar: &Calendar, instant: Timestamp) -> String {
    let whole_seconds =
        Timestamp::from_second(instant.as_second()).expect("truncating stays within jiff's range");
    let offset = calendar.time_zone().to_offset(whole_seconds);
    whole_seconds.display_with_offset(offset).to_string()
}

/// `aftersales sla deadline --start .. --duration ..`: the deadline, formatted.
pub fn deadline_for(
    calendar: &Calendar,
    start: &str,
    duration: &str,
) -> Result<String, BatchError> {
    let start = parse_instant(calendar, start)?;
    let duration = parse_duration(duration)?;
    Ok(format_instant(calendar, calendar.deadline(start, duration)))
}

/// `aftersales sla elapsed --from .. --to ..`: the working time between them, as `1h30m`.
pub fn elapsed_for(calendar: &Calendar, from: &str, to: &str) -> Result<String, BatchError> {
    let elapsed: SignedDuration =
        calendar.elapsed(parse_instant(calendar, from)?, parse_instant(calendar, to)?);
    Ok(format_duration(elapsed))
}

/// Turns `start,duration` lines into deadlines one line at a time, so a caller can stream a
/// large file. Blank lines give no output; a first non-blank line reading `start,duration`
/// (any case) is a header and is skipped.
#[derive(Debug)]
pub struct DeadlineBatch<'c> {
    calendar: &'c Calendar,
    lines_seen: usize,
    seen_content: bool,
}

impl<'c> DeadlineBatch<'c> {
    pub fn new(calendar: &'c Calendar) -> Self {
        DeadlineBatch {
            calendar,
            lines_seen: 0,
            seen_content: false,
        }
    }

    /// The deadline for the next input line, `None` for a blank or header line; errors carry
    /// the line number, counted from 1.
    pub fn deadline_for_line(&mut self, line: &str) -> Result<Option<String>, BatchError> {
        self.lines_seen += 1;
        let line_number = self.lines_seen;
        let trimmed = line.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() {
            return Ok(None);
        }
        let is_first_content = !self.seen_content;
        self.seen_content = true;
        let malformed = || BatchError::MalformedLine {
            line: line_number,
            text: line.to_owned(),
        };
        let (start, duration) = trimmed.split_once(',').ok_or_else(malformed)?;
        if duration.contains(',') {
            return Err(malformed());
        }
        if is_first_content
            && start.trim().eq_ignore_ascii_case("start")
            && duration.trim().eq_ignore_ascii_case("duration")
        {
            return Ok(None);
        }
        deadline_for(self.calendar, start, duration)
            .map(Some)
            .map_err(|error| BatchError::InLine {
                line: line_number,
                problem: Box::new(error),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::builtin;

    fn cn_standard() -> &'static Calendar {
        builtin("cn-standard").unwrap()
    }

    fn run_batch(input: &str) -> Result<Vec<String>, BatchError> {
        let mut batch = DeadlineBatch::new(cn_standard());
        let mut output = Vec::new();
        for line in input.lines() {
            output.extend(batch.deadline_for_line(line)?);
        }
        Ok(output)
    }

    #[test]
    fn the_national_day_example_prints_in_rfc_3339_with_the_local_offset() {
        assert_eq!(
            deadline_for(cn_standard(), "2026-10-08T04:35:00+08:00", "48h").unwrap(),
            "2026-10-14T18:00:00+08:00"
        );
    }

    #[test]
    fn starts_may_be_utc_or_local_civil_time() {
        for start in [
            "2026-10-07T20:35:00Z",
            "2026-10-08T04:35",
            "2026-10-08 04:35:00",
        ] {
            assert_eq!(
                deadline_for(cn_standard(), start, "48h").unwrap(),
                "2026-10-14T18:00:00+08:00",
                "{start}"
            );
        }
    }

    #[test]
    fn printed_instants_drop_fractional_seconds() {
        let instant: Timestamp = "2026-10-08T01:00:00.75Z".parse().unwrap();
        assert_eq!(
            format_instant(cn_standard(), instant),
            "2026-10-08T09:00:00+08:00"
        );
    }

    #[test]
    fn elapsed_prints_hours_and_minutes() {
        let elapsed = elapsed_for(
            cn_standard(),
            "2026-10-09T10:30:00+08:00",
            "2026-10-09T14:00:00+08:00",
        )
        .unwrap();
        assert_eq!(elapsed, "2h30m");
        let backwards = elapsed_for(
            cn_standard(),
            "2026-10-09T14:00:00+08:00",
            "2026-10-09T10:30:00+08:00",
        )
        .unwrap();
        assert_eq!(backwards, "-2h30m");
    }

    #[test]
    fn a_batch_prints_one_deadline_per_line_skipping_header_and_blank_lines() {
        let input =
            "start,duration\n2026-10-08T04:35:00+08:00,48h\n\n2026-10-09T11:00:00+08:00, 1h\n";
        assert_eq!(
            run_batch(input).unwrap(),
            ["2026-10-14T18:00:00+08:00", "2026-10-09T12:00:00+08:00"]
        );
    }

    #[test]
    fn a_header_is_only_skipped_on_the_first_line_with_content() {
        let error = run_batch("2026-10-09T11:00:00+08:00,1h\nstart,duration").unwrap_err();
        assert_eq!(
            error,
            BatchError::InLine {
                line: 2,
                problem: Box::new(BatchError::InvalidInstant {
                    text: "start".into()
                })
            }
        );
    }

    #[test]
    fn a_bad_line_is_an_error_naming_its_number() {
        let cases = [
            ("\n2026-10-09T11:00:00+08:00", "line 2: expected `start,duration`, got \"2026-10-09T11:00:00+08:00\""),
            ("a,b,c", "line 1: expected `start,duration`, got \"a,b,c\""),
            ("start,duration\nyesterday,1h", "line 2: \"yesterday\" is not an instant like 2026-10-08T04:35:00+08:00"),
            (
                "2026-10-09T11:00:00+08:00,1h\n2026-10-09T11:00:00+08:00,2d",
                "line 2: \"2d\" uses days, which are ambiguous for working time (working days or 24 h?): give hours, e.g. 48h",
            ),
        ];
        for (input, message) in cases {
            assert_eq!(
                run_batch(input).unwrap_err().to_string(),
                message,
                "{input:?}"
            );
        }
    }
}
