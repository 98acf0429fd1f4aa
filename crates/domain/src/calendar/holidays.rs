//! Importing public holidays and make-up workdays from the two formats administrators have at
//! hand: our CSV (the shipped data's format) and iCalendar feeds published for the Chinese
//! holiday schedule. The parsers take text, so reading the upload stays in the service layer.

use jiff::civil::Date;

/// Whether a dated exception removes working time or adds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecialDayKind {
    /// A public holiday: no working time that day.
    Holiday,
    /// A make-up workday (调休上班): worked although it is usually a weekend day.
    Workday,
}

/// One imported date with what it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    pub date: Date,
    pub kind: SpecialDayKind,
    /// The festival, e.g. "National Day"; for iCalendar, the event's summary.
    pub name: String,
    /// The Chinese name from the CSV's `festival_zh` column, when given.
    pub name_zh: Option<String>,
}

/// Why an import failed; `line` counts from 1 in the uploaded text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HolidayImportError {
    #[error("line {line}: {value:?} is not a date like 2026-10-01")]
    InvalidDate { line: usize, value: String },
    #[error("line {line}: kind {value:?} is neither \"holiday\" nor \"workday\"")]
    InvalidKind { line: usize, value: String },
    #[error("line {line}: expected at least the columns date,kind")]
    MissingKind { line: usize },
    #[error("line {line}: the event has no DTSTART")]
    MissingStart { line: usize },
    #[error("line {line}: the event is not all-day ({value:?}); use DTSTART;VALUE=DATE")]
    NotAllDay { line: usize, value: String },
    #[error("line {line}: the event ends before it starts")]
    EndsBeforeStart { line: usize },
    #[error("line {line}: BEGIN:VEVENT without END:VEVENT")]
    UnterminatedEvent { line: usize },
}

/// Parses `date,kind,festival,festival_zh` lines. The header line is optional, blank lines are
/// skipped, a UTF-8 byte-order mark (Excel adds one) is ignored, and `festival` and
/// `festival_zh` may be missing. Fields are not quoted: festival names contain no commas, but
/// surrounding double quotes are removed in case a spreadsheet added them.
pub fn parse_holiday_csv(text: &str) -> Result<Vec<SpecialDay>, HolidayImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut special_days = Vec::new();
    for (line_idx, line) in text.lines().enumerate() {
        let line_number = line_idx + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line
            .split(',')
            .map(|field| field.trim().trim_matches('"').trim());
        let date_field = fields.next().unwrap_or_default();
        if special_days.is_empty() && date_field.eq_ignore_ascii_case("date") {
            continue;
        }
        let date =
            parse_date(date_field, "%Y-%m-%d").ok_or_else(|| HolidayImportError::InvalidDate {
                line: line_number,
                value: date_field.to_owned(),
            })?;
        let kind = match fields.next() {
            None => return Err(HolidayImportError::MissingKind { line: line_number }),
            Some(kind) if kind.eq_ignore_ascii_case("holiday") => SpecialDayKind::Holiday,
            Some(kind) if kind.eq_ignore_ascii_case("workday") => SpecialDayKind::Workday,
            Some(kind) => {
                return Err(HolidayImportError::InvalidKind {
                    line: line_number,
                    value: kind.to_owned(),
                })
            }
        };
        let name = fields.next().unwrap_or_default().to_owned();
        let name_zh = fields
            .next()
            .filter(|name_zh| !name_zh.is_empty())
            .map(str::to_owned);
        special_days.push(SpecialDay {
            date,
            kind,
            name,
            name_zh,
        });
    }
    Ok(special_days)
}

/// Parses the all-day `VEVENT`s of an iCalendar feed. Each date from `DTSTART;VALUE=DATE` up to,
/// but excluding, `DTEND` (one day when absent) becomes a holiday, or a make-up workday when the
/// `SUMMARY` contains "补班", "调休上班" or "workday" (any case), the words such feeds use.
/// Folded lines are unfolded; other components and properties are ignored.
pub fn parse_holiday_ics(text: &str) -> Result<Vec<SpecialDay>, HolidayImportError> {
    let mut special_days = Vec::new();
    let mut event: Option<EventInProgress> = None;
    for (line_number, line) in unfolded_lines(text) {
        let Some((name_and_params, value)) = line.split_once(':') else {
            continue;
        };
        let mut name_and_params = name_and_params.split(';');
        let name = name_and_params
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase();
        let value = value.trim();
        match (name.as_str(), event.as_mut()) {
            ("BEGIN", None) if value.eq_ignore_ascii_case("VEVENT") => {
                event = Some(EventInProgress {
                    line: line_number,
                    start: None,
                    end: None,
                    summary: String::new(),
                });
            }
            ("END", Some(_)) if value.eq_ignore_ascii_case("VEVENT") => {
                let finished = event.take().expect("matched Some above");
                finished.push_days(&mut special_days)?;
            }
            ("DTSTART", Some(current)) => current.start = Some(parse_ics_date(line_number, value)?),
            ("DTEND", Some(current)) => current.end = Some(parse_ics_date(line_number, value)?),
            ("SUMMARY", Some(current)) => current.summary = unescape_ics_text(value),
            _ => {}
        }
    }
    match event {
        Some(unfinished) => Err(HolidayImportError::UnterminatedEvent {
            line: unfinished.line,
        }),
        None => Ok(special_days),
    }
}

struct EventInProgress {
    /// Where `BEGIN:VEVENT` was, for errors about the event as a whole.
    line: usize,
    start: Option<Date>,
    end: Option<Date>,
    summary: String,
}

impl EventInProgress {
    fn push_days(self, special_days: &mut Vec<SpecialDay>) -> Result<(), HolidayImportError> {
        let start = self
            .start
            .ok_or(HolidayImportError::MissingStart { line: self.line })?;
        let end = match self.end {
            Some(end) if end <= start => {
                return Err(HolidayImportError::EndsBeforeStart { line: self.line })
            }
            Some(end) => end,
            None => start
                .tomorrow()
                .map_err(|_| HolidayImportError::EndsBeforeStart { line: self.line })?,
        };
        let summary = self.summary.to_lowercase();
        let kind = if ["补班", "调休上班", "workday"]
            .iter()
            .any(|marker| summary.contains(marker))
        {
            SpecialDayKind::Workday
        } else {
            SpecialDayKind::Holiday
        };
        let days = start
            .series(jiff::Span::new().days(1))
            .take_while(|date| *date < end);
        special_days.extend(days.map(|date| SpecialDay {
            date,
            kind,
            name: self.summary.clone(),
            name_zh: None,
        }));
        Ok(())
    }
}

/// Logical lines with the number of the physical line each starts on: RFC 5545 folds long
/// lines by continuing them on lines that begin with a space or a tab.
fn unfolded_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (line_idx, line) in text.lines().enumerate() {
        match (line.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(continuation), Some((_, logical))) => logical.push_str(continuation),
            _ => lines.push((line_idx + 1, line.to_owned())),
        }
    }
    lines
}

fn parse_ics_date(line: usize, value: &str) -> Result<Date, HolidayImportError> {
    if value.contains('T') {
        return Err(HolidayImportError::NotAllDay {
            line,
            value: value.to_owned(),
        });
    }
    // RFC 5545 dates are exactly eight digits; strptime alone would accept "2026101".
    if value.len() != 8 {
        return Err(HolidayImportError::InvalidDate {
            line,
            value: value.to_owned(),
        });
    }
    parse_date(value, "%Y%m%d").ok_or_else(|| HolidayImportError::InvalidDate {
        line,
        value: value.to_owned(),
    })
}

fn parse_date(text: &str, format: &str) -> Option<Date> {
    Date::strptime(format, text).ok()
}

fn unescape_ics_text(value: &str) -> String {
    value
        .replace("\\n", " ")
        .replace("\\N", " ")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn holiday(date: Date, name: &str) -> SpecialDay {
        SpecialDay {
            date,
            kind: SpecialDayKind::Holiday,
            name: name.to_owned(),
            name_zh: None,
        }
    }

    #[test]
    fn the_csv_header_is_optional_and_blank_lines_are_skipped() {
        let with_header = "date,kind,festival,festival_zh\n2026-10-01,holiday,National Day,国庆节\n\n2026-10-10,workday,National Day,国庆节\n";
        let without_header = "\u{feff}2026-10-01,holiday,National Day,国庆节\n2026-10-10,workday,National Day,国庆节";
        for text in [with_header, without_header] {
            let days = parse_holiday_csv(text).unwrap();
            assert_eq!(days.len(), 2);
            assert_eq!(days[0].date, date(2026, 10, 1));
            assert_eq!(days[0].kind, SpecialDayKind::Holiday);
            assert_eq!(days[0].name_zh.as_deref(), Some("国庆节"));
            assert_eq!(days[1].kind, SpecialDayKind::Workday);
        }
    }

    #[test]
    fn csv_festival_columns_may_be_missing() {
        let days = parse_holiday_csv("2026-10-01,Holiday").unwrap();
        assert_eq!(days, vec![holiday(date(2026, 10, 1), "")]);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let cases = [
            (
                "date,kind\n2026-10-01,holiday\n2026-13-01,holiday",
                HolidayImportError::InvalidDate {
                    line: 3,
                    value: "2026-13-01".into(),
                },
            ),
            (
                "2026-10-01,day off",
                HolidayImportError::InvalidKind {
                    line: 1,
                    value: "day off".into(),
                },
            ),
            ("\n2026-10-01", HolidayImportError::MissingKind { line: 2 }),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_holiday_csv(text), Err(expected), "{text:?}");
        }
    }

    #[test]
    fn an_ics_event_covers_each_date_up_to_its_exclusive_end() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261004\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let days = parse_holiday_ics(text).unwrap();
        let expected: Vec<_> = [1, 2, 3]
            .into_iter()
            .map(|day| holiday(date(2026, 10, day), "国庆节"))
            .collect();
        assert_eq!(days, expected);
    }

    #[test]
    fn an_ics_event_without_an_end_lasts_one_day() {
        let text = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nSUMMARY:元旦\nEND:VEVENT";
        assert_eq!(
            parse_holiday_ics(text).unwrap(),
            vec![holiday(date(2026, 1, 1), "元旦")]
        );
    }

    #[test]
    fn ics_summaries_marking_make_up_days_become_workdays() {
        for summary in [
            "国庆节 补班",
            "调休上班",
            "National Day (Workday)",
            "Make-up WORKDAY",
        ] {
            let text = format!(
                "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261010\nSUMMARY:{summary}\nEND:VEVENT\n"
            );
            let days = parse_holiday_ics(&text).unwrap();
            assert_eq!(days[0].kind, SpecialDayKind::Workday, "{summary}");
        }
    }

    #[test]
    fn folded_ics_lines_are_joined() {
        let text = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261010\nSUMMARY:National Day \n work\n day\nEND:VEVENT\n";
        let days = parse_holiday_ics(text).unwrap();
        assert_eq!(days[0].name, "National Day workday");
        assert_eq!(days[0].kind, SpecialDayKind::Workday);
    }

    #[test]
    fn ics_errors_name_the_line() {
        let cases = [
            (
                "BEGIN:VEVENT\nDTSTART;VALUE=DATE:2026101\nEND:VEVENT",
                HolidayImportError::InvalidDate {
                    line: 2,
                    value: "2026101".into(),
                },
            ),
            (
                "BEGIN:VEVENT\nDTSTART:20261001T090000\nEND:VEVENT",
                HolidayImportError::NotAllDay {
                    line: 2,
                    value: "20261001T090000".into(),
                },
            ),
            (
                "X\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT",
                HolidayImportError::MissingStart { line: 2 },
            ),
            (
                "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261005\nDTEND;VALUE=DATE:20261005\nEND:VEVENT",
                HolidayImportError::EndsBeforeStart { line: 1 },
            ),
            (
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261005\n",
                HolidayImportError::UnterminatedEvent { line: 2 },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_holiday_ics(text), Err(expected), "{text:?}");
        }
    }
}
