//! Customers (CUSTOMER-1..3): kinds, ABC classes and phone numbers.

use crate::code_enum;

code_enum! {
    pub enum CustomerKind {
        Person = "person",
        Company = "company",
    }
}

code_enum! {
    /// 客户档案分类 ABC. A is treated as "important or large" for the customer ledger.
    pub enum AbcClass {
        A = "a",
        B = "b",
        C = "c",
    }
}

/// Normalises a Chinese phone number to digits so that duplicates are found however it was
/// typed: spaces, dashes and brackets are dropped, and a `+86`/`0086` prefix is removed.
/// Accepts mobile numbers (11 digits starting 1[3-9]) and landlines with an area code
/// (0 + 2–3 digit area + 7–8 digits), optionally followed by an extension after `#` or `x`
/// which is kept as `-ext`.
pub fn normalize_phone(input: &str) -> Result<String, &'static str> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("required");
    }
    let (number, extension) = match trimmed.find(['#', 'x', 'X', '转']) {
        Some(idx) => {
            let separator_len = trimmed[idx..].chars().next().map_or(1, char::len_utf8);
            (&trimmed[..idx], Some(&trimmed[idx + separator_len..]))
        }
        None => (trimmed, None),
    };
    let mut digits = String::with_capacity(number.len());
    for c in number.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '(' | ')' | '（' | '）' | '+' => {}
            _ => return Err("invalid_phone"),
        }
    }
    let digits = if let Some(rest) = digits.strip_prefix("0086") {
        rest.to_string()
    } else if number.trim_start().starts_with('+') {
        digits
            .strip_prefix("86")
            .map(str::to_string)
            .ok_or("invalid_phone")?
    } else {
        digits
    };
    let is_mobile = digits.len() == 11
        && digits.starts_with('1')
        && matches!(digits.as_bytes()[1], b'3'..=b'9');
    let is_landline = digits.starts_with('0') && (10..=12).contains(&digits.len());
    if !is_mobile && !is_landline {
        return Err("invalid_phone");
    }
    match extension.map(str::trim) {
        Some(ext) if !ext.is_empty() => {
            if ext.len() > 6 || !ext.chars().all(|c| c.is_ascii_digit()) {
                return Err("invalid_phone");
            }
            Ok(format!("{digits}-{ext}"))
        }
        _ => Ok(digits),
    }
}

/// A light e-mail check: one `@` with text on both sides and a dot in the domain.
pub fn check_email(input: &str) -> Result<String, &'static str> {
    let email = input.trim();
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace) =>
        {
            Ok(email.to_string())
        }
        _ => Err("invalid_email"),
    }
}

/// A manual ABC class different from the computed one needs a reason (CUSTOMER-3).
pub fn check_abc_override(
    computed: AbcClass,
    chosen: AbcClass,
    reason: Option<&str>,
) -> Result<(), &'static str> {
    if computed != chosen && reason.is_none_or(|r| r.trim().is_empty()) {
        Err("reason_required")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_normalise_however_they_are_typed() {
        for (input, expected) in [
            ("138 0013 8000", "13800138000"),
            ("+86 138-0013-8000", "13800138000"),
            ("0086 13800138000", "13800138000"),
            ("010-62345678", "01062345678"),
            ("(0755) 8765 4321", "075587654321"),
            ("021-12345678#808", "02112345678-808"),
            ("021-12345678转808", "02112345678-808"),
        ] {
            assert_eq!(normalize_phone(input).as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn malformed_phone_numbers_are_refused() {
        for input in [
            "12345",
            "1380013800",
            "23800138000",
            "abc",
            "138001380001",
            "+1 415 555 0100",
        ] {
            assert_eq!(normalize_phone(input), Err("invalid_phone"), "{input}");
        }
        assert_eq!(normalize_phone("  "), Err("required"));
    }

    #[test]
    fn emails_need_a_domain_with_a_dot() {
        assert!(check_email("li.lei@example.cn").is_ok());
        for bad in ["li", "li@", "@x.cn", "li@cn", "li lei@x.cn"] {
            assert_eq!(check_email(bad), Err("invalid_email"), "{bad}");
        }
    }

    #[test]
    fn an_abc_override_needs_a_reason() {
        assert_eq!(
            check_abc_override(AbcClass::C, AbcClass::A, None),
            Err("reason_required")
        );
        assert_eq!(
            check_abc_override(AbcClass::C, AbcClass::A, Some(" ")),
            Err("reason_required")
        );
        assert_eq!(
            check_abc_override(AbcClass::C, AbcClass::A, Some("战略客户")),
            Ok(())
        );
        assert_eq!(check_abc_override(AbcClass::B, AbcClass::B, None), Ok(()));
    }
}

/// Thresholds of `customer.abc_criteria` (design decision: the seeds name the criteria,
/// purchases and contracts, but give no amounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbcCriteria {
    pub a_min_annual_purchase_fen: i64,
    pub b_min_annual_purchase_fen: i64,
}

impl Default for AbcCriteria {
    fn default() -> Self {
        AbcCriteria {
            a_min_annual_purchase_fen: 5_000_000,
            b_min_annual_purchase_fen: 1_000_000,
        }
    }
}

/// The computed class: a maintenance-contract holder or a large buyer is A.
pub fn compute_abc(
    criteria: AbcCriteria,
    annual_purchase_fen: i64,
    holds_active_contract: bool,
) -> AbcClass {
    if holds_active_contract || annual_purchase_fen >= criteria.a_min_annual_purchase_fen {
        AbcClass::A
    } else if annual_purchase_fen >= criteria.b_min_annual_purchase_fen {
        AbcClass::B
    } else {
        AbcClass::C
    }
}

#[cfg(test)]
mod abc_tests {
    use super::*;

    #[test]
    fn contract_holders_and_large_buyers_are_class_a() {
        let criteria = AbcCriteria::default();
        assert_eq!(compute_abc(criteria, 0, true), AbcClass::A);
        assert_eq!(compute_abc(criteria, 5_000_000, false), AbcClass::A);
        assert_eq!(compute_abc(criteria, 4_999_999, false), AbcClass::B);
        assert_eq!(compute_abc(criteria, 1_000_000, false), AbcClass::B);
        assert_eq!(compute_abc(criteria, 999_999, false), AbcClass::C);
    }
}
