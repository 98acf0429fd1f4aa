//! Warranty of installed units (WARRANTY-2, WARRANTY-4): per model and per component,
//! counted in months from the purchase date.

use jiff::civil::Date;
use jiff::ToSpan;
use serde::Serialize;

/// Warranty of one part of a unit (the whole unit, or one component) on a given date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarrantyStatus {
    pub under_warranty: bool,
    /// The last day covered.
    pub last_day: Date,
    /// Days left including the asked date; 0 when expired.
    pub days_left: i32,
}

/// Warranty of `months` starting on `purchase_date`, as seen on `on`. A warranty of 12 months
/// bought on 2025-03-15 covers up to and including 2026-03-14; a purchase on the 31st ends
/// on the day before the same day-of-month, clamped to the month's end (jiff's month
/// arithmetic). A date before the purchase is not covered.
pub fn status_on(purchase_date: Date, months: i32, on: Date) -> WarrantyStatus {
    let end_exclusive = purchase_date
        .checked_add(i64::from(months.max(0)).months())
        .unwrap_or(Date::MAX);
    let last_day = end_exclusive.yesterday().unwrap_or(end_exclusive);
    let under_warranty = months > 0 && on >= purchase_date && on < end_exclusive;
    let days_left = if under_warranty {
        (end_exclusive - on).get_days()
    } else {
        0
    };
    WarrantyStatus {
        under_warranty,
        last_day,
        days_left,
    }
}

/// A component with its own warranty period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentTerm {
    pub name: String,
    pub warranty_months: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentWarranty {
    pub name: String,
    pub status: WarrantyStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitWarranty {
    pub unit: WarrantyStatus,
    pub components: Vec<ComponentWarranty>,
}

/// The warranty of a whole unit and of each of its components on `on`.
pub fn unit_warranty(
    purchase_date: Date,
    unit_months: i32,
    components: &[ComponentTerm],
    on: Date,
) -> UnitWarranty {
    UnitWarranty {
        unit: status_on(purchase_date, unit_months, on),
        components: components
            .iter()
            .map(|component| ComponentWarranty {
                name: component.name.clone(),
                status: status_on(purchase_date, component.warranty_months, on),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_twelve_month_warranty_covers_up_to_the_day_before_the_anniversary() {
        let bought = date(2025, 3, 15);
        let cases = [
            (date(2025, 3, 14), false, 0),
            (date(2025, 3, 15), true, 365),
            (date(2026, 3, 14), true, 1),
            (date(2026, 3, 15), false, 0),
        ];
        for (on, covered, days_left) in cases {
            let status = status_on(bought, 12, on);
            assert_eq!(status.under_warranty, covered, "{on}");
            assert_eq!(status.days_left, days_left, "{on}");
            assert_eq!(status.last_day, date(2026, 3, 14));
        }
    }

    #[test]
    fn a_purchase_on_the_31st_ends_at_the_shorter_months_end() {
        let status = status_on(date(2025, 1, 31), 1, date(2025, 2, 27));
        assert_eq!(status.last_day, date(2025, 2, 27));
        assert!(status.under_warranty);
        assert!(!status_on(date(2025, 1, 31), 1, date(2025, 2, 28)).under_warranty);
    }

    #[test]
    fn zero_months_means_no_warranty() {
        assert!(!status_on(date(2025, 1, 1), 0, date(2025, 1, 1)).under_warranty);
    }

    #[test]
    fn components_keep_their_own_periods() {
        let components = [
            ComponentTerm {
                name: "压缩机".into(),
                warranty_months: 60,
            },
            ComponentTerm {
                name: "遥控器".into(),
                warranty_months: 6,
            },
        ];
        let warranty = unit_warranty(date(2024, 6, 1), 12, &components, date(2025, 7, 1));
        assert!(!warranty.unit.under_warranty);
        assert!(warranty.components[0].status.under_warranty);
        assert!(!warranty.components[1].status.under_warranty);
    }
}
