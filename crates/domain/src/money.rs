//! Money is integer fen (分); yuan strings are parsed and formatted here only.

/// Parses a yuan amount such as `1299`, `1299.5` or `1,299.50` into fen. Negative amounts
/// and more than two decimals are refused.
pub fn parse_yuan(text: &str) -> Result<i64, &'static str> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '¥' && *c != '￥')
        .collect();
    if cleaned.is_empty() {
        return Err("required");
    }
    if cleaned.starts_with('-') {
        return Err("negative");
    }
    let (whole, fraction) = match cleaned.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (cleaned.as_str(), ""),
    };
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err("invalid_amount");
    }
    if fraction.len() > 2 {
        return Err("invalid_amount");
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "invalid_amount")?
    };
    let mut fen_part = fraction.to_string();
    while fen_part.len() < 2 {
        fen_part.push('0');
    }
    let fen: i64 = fen_part.parse().map_err(|_| "invalid_amount")?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(fen))
        .ok_or("invalid_amount")
}

/// Formats fen as yuan with two decimals: `129950` → `1299.50`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_amounts_parse_to_fen() {
        for (text, fen) in [
            ("1299", 129_900),
            ("1299.5", 129_950),
            ("1,299.50", 129_950),
            ("0.07", 7),
            ("¥3", 300),
        ] {
            assert_eq!(parse_yuan(text), Ok(fen), "{text}");
        }
    }

    #[test]
    fn bad_amounts_are_refused_with_a_reason() {
        assert_eq!(parse_yuan("-1"), Err("negative"));
        assert_eq!(parse_yuan("1.234"), Err("invalid_amount"));
        assert_eq!(parse_yuan("abc"), Err("invalid_amount"));
        assert_eq!(parse_yuan(""), Err("required"));
    }

    #[test]
    fn fen_format_as_yuan() {
        assert_eq!(format_yuan(129_950), "1299.50");
        assert_eq!(format_yuan(7), "0.07");
        assert_eq!(format_yuan(-150), "-1.50");
    }
}
