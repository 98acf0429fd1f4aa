//! Configurable number patterns for customers, orders and forms, e.g. `KS-{YYYYMM}-{seq:4}`.
//! A pattern's *scope* (the pattern with its date and branch filled in but the sequence left
//! out) names the counter, so a pattern with `{YYYYMMDD}` restarts its sequence every day.

use jiff::civil::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberPattern(String);

impl NumberPattern {
    /// Accepts patterns with exactly one `{seq}` or `{seq:N}` (N from 1 to 12) and only the
    /// placeholders `{YYYY}`, `{YYYYMM}`, `{YYYYMMDD}`, `{YYMMDD}` and `{branch}`.
    pub fn parse(pattern: &str) -> Result<NumberPattern, &'static str> {
        let mut n_seq = 0;
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            if rest[..open].contains('}') {
                return Err("invalid_pattern");
            }
            let close = rest[open..].find('}').ok_or("invalid_pattern")? + open;
            let token = &rest[open + 1..close];
            match token {
                "YYYY" | "YYYYMM" | "YYYYMMDD" | "YYMMDD" | "branch" => {}
                "seq" => n_seq += 1,
                _ => match token
                    .strip_prefix("seq:")
                    .and_then(|w| w.parse::<u8>().ok())
                {
                    Some(1..=12) => n_seq += 1,
                    _ => return Err("invalid_pattern"),
                },
            }
            rest = &rest[close + 1..];
        }
        if rest.contains('}') || n_seq != 1 {
            return Err("invalid_pattern");
        }
        Ok(NumberPattern(pattern.to_string()))
    }

    fn fill(&self, date: Date, branch_code: &str, seq: Option<i64>) -> String {
        let mut out = String::with_capacity(self.0.len() + 8);
        let mut rest = self.0.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| c + open);
            let token = &rest[open + 1..close];
            match token {
                "YYYY" => out.push_str(&format!("{:04}", date.year())),
                "YYYYMM" => out.push_str(&format!("{:04}{:02}", date.year(), date.month())),
                "YYYYMMDD" => out.push_str(&format!(
                    "{:04}{:02}{:02}",
                    date.year(),
                    date.month(),
                    date.day()
                )),
                "YYMMDD" => out.push_str(&format!(
                    "{:02}{:02}{:02}",
                    date.year() % 100,
                    date.month(),
                    date.day()
                )),
                "branch" => out.push_str(branch_code),
                _ => match seq {
                    Some(value) => {
                        let width = token
                            .strip_prefix("seq:")
                            .and_then(|w| w.parse::<usize>().ok())
                            .unwrap_or(1);
                        out.push_str(&format!("{value:0width$}"));
                    }
                    None => out.push_str("{seq}"),
                },
            }
            rest = rest.get(close + 1..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }

    /// The counter this number draws from.
    pub fn scope(&self, date: Date, branch_code: &str) -> String {
        self.fill(date, branch_code, None)
    }

    pub fn render(&self, date: Date, branch_code: &str, seq: i64) -> String {
        self.fill(date, branch_code, Some(seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn patterns_render_dates_branch_and_padded_sequence() {
        let day = date(2026, 11, 22);
        let cases = [
            ("KS-{YYYYMM}-{seq:4}", "KS-202611-0007", "KS-202611-{seq}"),
            (
                "{branch}{YYYYMMDD}{seq:3}",
                "BJ20261122007",
                "BJ20261122{seq}",
            ),
            ("C{seq:6}", "C000007", "C{seq}"),
            ("SO{YYMMDD}-{seq}", "SO261122-7", "SO261122-{seq}"),
        ];
        for (pattern, number, scope) in cases {
            let pattern = NumberPattern::parse(pattern).unwrap();
            assert_eq!(pattern.render(day, "BJ", 7), number);
            assert_eq!(pattern.scope(day, "BJ"), scope);
        }
    }

    #[test]
    fn patterns_need_exactly_one_known_sequence() {
        for bad in [
            "KS-{YYYY}",
            "{seq}{seq}",
            "{seq:0}",
            "{seq:13}",
            "{foo}{seq}",
            "{seq",
            "x}{seq}",
        ] {
            assert_eq!(NumberPattern::parse(bad), Err("invalid_pattern"), "{bad}");
        }
    }
}
