//! The short duration notation of settings, the CLI and the UI: `90m`, `6h`, `1h30m`, `45s`.
//!
//! Days are refused on purpose: in a working-time context "2d" reads as two working days
//! (16 hours on cn-standard) as easily as 48 hours, and an SLA must not depend on which reading
//! a user had in mind. Hours say the same thing without doubt.

use jiff::SignedDuration;

/// Why a duration text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationParseError {
    #[error("{text:?} is not a duration like 90m, 6h or 1h30m")]
    Malformed { text: String },
    #[error("{text:?} uses days, which are ambiguous for working time (working days or 24 h?): give hours, e.g. 48h")]
    Days { text: String },
    #[error("{text:?} is too long a duration")]
    TooLong { text: String },
}

/// Parses hours, minutes and seconds written largest first, each at most once, with an optional
/// leading `-`: `6h`, `90m`, `1h30m`, `1h30m15s`, `0s`. Units may be upper case; surrounding
/// whitespace is ignored. A number without a unit is refused rather than guessed.
pub fn parse_duration(text: &str) -> Result<SignedDuration, DurationParseError> {
    let malformed = || DurationParseError::Malformed {
        text: text.to_owned(),
    };
    let trimmed = text.trim();
    let (negative, mut rest) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    if rest.is_empty() {
        return Err(malformed());
    }
    let mut seconds: i64 = 0;
    // Units already used, as positions in "hms", so they must appear in order and once.
    let mut next_unit_idx = 0;
    while !rest.is_empty() {
        let digits_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits_len == 0 {
            return Err(malformed());
        }
        let (digits, after_digits) = rest.split_at(digits_len);
        let mut unit_chars = after_digits.chars();
        let unit = unit_chars
            .next()
            .ok_or_else(malformed)?
            .to_ascii_lowercase();
        let (unit_idx, unit_seconds) = match unit {
            'h' => (0, 3600),
            'm' => (1, 60),
            's' => (2, 1),
            'd' => {
                return Err(DurationParseError::Days {
                    text: text.to_owned(),
                })
            }
            _ => return Err(malformed()),
        };
        if unit_idx < next_unit_idx {
            return Err(malformed());
        }
        next_unit_idx = unit_idx + 1;
        let too_long = || DurationParseError::TooLong {
            text: text.to_owned(),
        };
        let value: i64 = digits.parse().map_err(|_| too_long())?;
        seconds = value
            .checked_mul(unit_seconds)
            .and_then(|part| seconds.checked_add(part))
            .ok_or_else(too_long)?;
        rest = unit_chars.as_str();
    }
    Ok(SignedDuration::from_secs(if negative {
        -seconds
    } else {
        seconds
    }))
}

/// Formats in the form [`parse_duration`] reads, largest units first, leaving out zero parts:
/// `48h`, `1h30m`, `45s`, `-2h`, and `0s` for zero. Sub-second parts are truncated toward zero,
/// since working hours and SLA targets are whole seconds.
pub fn format_duration(duration: SignedDuration) -> String {
    let total_seconds = duration.as_secs();
    if total_seconds == 0 {
        return "0s".to_owned();
    }
    let sign = if total_seconds < 0 { "-" } else { "" };
    let magnitude = total_seconds.unsigned_abs();
    let (hours, minutes, seconds) = (magnitude / 3600, magnitude / 60 % 60, magnitude % 60);
    let mut text = sign.to_owned();
    for (value, unit) in [(hours, 'h'), (minutes, 'm'), (seconds, 's')] {
        if value != 0 {
            text.push_str(&format!("{value}{unit}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_from_hours_minutes_and_seconds() {
        let cases = [
            ("90m", 90 * 60),
            ("6h", 6 * 3600),
            ("1h30m", 90 * 60),
            ("48h", 48 * 3600),
            ("45s", 45),
            ("1h30m15s", 5415),
            ("2H5M", 7500),
            (" 0s ", 0),
            ("-2h", -7200),
        ];
        for (text, seconds) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(SignedDuration::from_secs(seconds)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn garbage_durations_are_refused() {
        for text in [
            "", "-", "h", "90", "1h30", "30m1h", "1h1h", "1.5h", "1 h", "abc", "6hours", "+6h",
        ] {
            assert!(
                matches!(
                    parse_duration(text),
                    Err(DurationParseError::Malformed { .. })
                ),
                "{text:?} should be refused as malformed"
            );
        }
    }

    #[test]
    fn days_are_refused_because_a_working_day_is_ambiguous() {
        assert!(matches!(
            parse_duration("2d"),
            Err(DurationParseError::Days { .. })
        ));
    }

    #[test]
    fn absurd_durations_are_refused_rather_than_wrapped() {
        assert!(matches!(
            parse_duration("99999999999999999999h"),
            Err(DurationParseError::TooLong { .. })
        ));
        assert!(matches!(
            parse_duration("9223372036854775807h"),
            Err(DurationParseError::TooLong { .. })
        ));
    }

    #[test]
    fn formatted_durations_use_the_largest_units_and_parse_back() {
        let cases = [
            (0, "0s"),
            (45, "45s"),
            (90 * 60, "1h30m"),
            (48 * 3600, "48h"),
            (3601, "1h1s"),
            (-5400, "-1h30m"),
        ];
        for (seconds, text) in cases {
            let duration = SignedDuration::from_secs(seconds);
            assert_eq!(format_duration(duration), text);
            assert_eq!(parse_duration(text), Ok(duration));
        }
    }

    #[test]
    fn sub_second_parts_are_truncated_when_formatting() {
        assert_eq!(
            format_duration(SignedDuration::new(90, 999_999_999)),
            "1m30s"
        );
        assert_eq!(format_duration(SignedDuration::from_millis(-500)), "0s");
    }
}
