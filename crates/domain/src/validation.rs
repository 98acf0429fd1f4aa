//! Field-level validation errors. Rules report a stable machine code per field; the web layer
//! turns the code into a message in the user's language.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The input field at fault, as named in the API (e.g. `phone`, `addresses[0].district_id`).
    pub field: String,
    /// A stable code such as `required`, `invalid_phone`, `in_future`.
    pub code: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: impl Into<String>, code: &'static str) {
        self.0.push(FieldError {
            field: field.into(),
            code,
        });
    }
    pub fn single(field: impl Into<String>, code: &'static str) -> Self {
        let mut errors = Self::new();
        errors.add(field, code);
        errors
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Whether `field` already has an error (so a later rule does not add a second one).
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|error| error.field == field)
    }
    /// `Ok(value)` when nothing was reported, so validators can end with `errors.into_result(x)`.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
    /// Records the error of a field parser and returns its value, so one pass collects every
    /// bad field instead of stopping at the first.
    pub fn check<T>(&mut self, field: &str, result: Result<T, &'static str>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(code) => {
                self.add(field, code);
                None
            }
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.code))
            .collect();
        write!(f, "{}", parts.join(", "))
    }
}

impl std::error::Error for ValidationErrors {}

/// A required, trimmed, non-empty text of at most `max` characters.
pub fn required_text(value: &str, max: usize) -> Result<String, &'static str> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err("required")
    } else if trimmed.chars().count() > max {
        Err("too_long")
    } else {
        Ok(trimmed.to_string())
    }
}

/// An optional text: blank becomes `None`.
pub fn optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, &'static str> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > max => Err("too_long"),
        Some(text) => Ok(Some(text.to_string())),
    }
}

/// Parses an ISO date `YYYY-MM-DD`.
pub fn date(value: &str) -> Result<jiff::civil::Date, &'static str> {
    let value = value.trim();
    if value.is_empty() {
        return Err("required");
    }
    value
        .parse::<jiff::civil::Date>()
        .map_err(|_| "invalid_date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_required_text_is_reported_as_required() {
        assert_eq!(required_text("  ", 10), Err("required"));
        assert_eq!(required_text(" 张三 ", 10), Ok("张三".to_string()));
        assert_eq!(required_text("一二三", 2), Err("too_long"));
    }

    #[test]
    fn check_collects_every_error() {
        let mut errors = ValidationErrors::new();
        assert_eq!(errors.check("a", required_text("", 5)), None);
        assert_eq!(errors.check("b", date("2026-13-01")), None);
        assert_eq!(errors.0.len(), 2);
        assert_eq!(errors.0[1].code, "invalid_date");
    }
}
