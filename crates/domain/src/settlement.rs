//! Settling paid service (BILLING-4/5, timer T6): when cash collected on site must be with
//! the accountant, and when an invoice is due.
//!
//! Design decision (BILLING-5, T6): cash must be handed over by the end of the working day
//! on which it was collected, on the order's effective calendar. Cash collected after the
//! day's last working period, or on a day without working time (a Sunday call-out), is due
//! at the end of the next working day: the accountant who receives it is not in before then.

use jiff::civil::Date;
use jiff::Timestamp;

use crate::calendar::Calendar;

/// How far ahead the next working day is searched; a calendar with no working time in a
/// year falls back to the end of the collection's local day.
const SEARCH_DAYS: usize = 366;

/// The instant by which cash collected at `collected_at` must be handed over.
pub fn handover_deadline(calendar: &Calendar, collected_at: Timestamp) -> Timestamp {
    let zone = calendar.time_zone();
    let local_date = collected_at.to_zoned(zone.clone()).date();
    let end_of_local_day = |date: Date| {
        date.tomorrow()
            .ok()
            .and_then(|next| next.to_zoned(zone.clone()).ok())
            .map_or(Timestamp::MAX, |z| z.timestamp())
    };
    if calendar.is_always_working() {
        return end_of_local_day(local_date);
    }
    let mut date = local_date;
    for _ in 0..SEARCH_DAYS {
        if let Some(last) = calendar.periods_on(date).last() {
            // An end of 00:00 stands for midnight at the end of the day.
            let end = if last.end() == jiff::civil::Time::midnight() {
                end_of_local_day(date)
            } else {
                date.to_datetime(last.end())
                    .to_zoned(zone.clone())
                    .map_or(Timestamp::MAX, |z| z.timestamp())
            };
            if end > collected_at {
                return end;
            }
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    end_of_local_day(local_date)
}

/// Whether cash is overdue for handover at `now`: not handed over and past its deadline.
pub fn cash_overdue(deadline_ms: i64, handed_over: bool, now_ms: i64) -> bool {
    !handed_over && now_ms >= deadline_ms
}

/// Where an order settled by invoice stands against the same-day rule (BILLING-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceDue {
    /// Completed (or returned) today: the invoice is to be issued today.
    Today,
    /// Completed on an earlier day and still without an invoice.
    Overdue,
}

impl InvoiceDue {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceDue::Today => "due_today",
            InvoiceDue::Overdue => "overdue",
        }
    }
}

/// The same-day rule: an invoice is due on the local date the paid work was completed.
pub fn invoice_due(completed_on: Date, today: Date) -> InvoiceDue {
    if today > completed_on {
        InvoiceDue::Overdue
    } else {
        InvoiceDue::Today
    }
}

/// The states of an invoice's collection task (另行前往收费): `none` when the customer
/// already paid (cash on site), `open` until the accountant records the payment.
pub const COLLECTION_NONE: &str = "none";
pub const COLLECTION_OPEN: &str = "open";
pub const COLLECTION_COLLECTED: &str = "collected";

/// The collection state a new invoice starts in, by how the order was settled.
pub fn initial_collection(payment_method: Option<&str>) -> &'static str {
    match payment_method {
        Some("cash") => COLLECTION_NONE,
        _ => COLLECTION_OPEN,
    }
}

/// BILLING-3, "B work is charged per the contract", with CATEGORY-1 (B requires an active
/// contract covering the unit): a contract (B) line is free to the customer only when a
/// contract covers the order's unit; work the contract does not cover is recorded as a paid
/// (A) line and charged. Internal work (D) is never a charge line. Design decision: the
/// contract's scope is free text, so coverage is per unit and period, not per work item.
pub fn check_charge_category(
    category: crate::service_order::ServiceCategory,
    contract_covers: bool,
) -> Result<(), &'static str> {
    use crate::service_order::ServiceCategory as C;
    match category {
        C::D => Err("invalid_choice"),
        C::B if !contract_covers => Err("not_covered_by_contract"),
        C::A | C::B | C::C => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::calendar::{builtin, CN_STANDARD, TWENTY_FOUR_SEVEN};

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn cash_is_due_at_the_end_of_the_working_day_of_collection() {
        let calendar = builtin(CN_STANDARD).unwrap();
        // (collected at, deadline); cn-standard works 09–12 and 13–18 Asia/Shanghai on
        // weekdays. 2026-11-20 is a Friday, 2026-11-22 a Sunday.
        let cases = [
            // Collected in the morning: the same day at 18:00 local (10:00Z).
            ("2026-11-20T02:00:00Z", "2026-11-20T10:00:00Z"),
            // During the lunch break: still the same day.
            ("2026-11-20T04:30:00Z", "2026-11-20T10:00:00Z"),
            // Before the day's first period.
            ("2026-11-19T23:30:00Z", "2026-11-20T10:00:00Z"),
            // After 18:00 on Friday: the end of Monday.
            ("2026-11-20T11:00:00Z", "2026-11-23T10:00:00Z"),
            // Exactly at 18:00: the day is over, so Monday.
            ("2026-11-20T10:00:00Z", "2026-11-23T10:00:00Z"),
            // On a Sunday call-out: the end of Monday.
            ("2026-11-22T02:00:00Z", "2026-11-23T10:00:00Z"),
            // After work on the eve of National Day (Oct 1–7 2026 are holidays): Oct 8.
            ("2026-09-30T11:00:00Z", "2026-10-08T10:00:00Z"),
        ];
        for (collected, deadline) in cases {
            assert_eq!(
                handover_deadline(calendar, at(collected)),
                at(deadline),
                "collected {collected}"
            );
        }
    }

    #[test]
    fn on_a_round_the_clock_calendar_cash_is_due_at_local_midnight() {
        let calendar = builtin(TWENTY_FOUR_SEVEN).unwrap();
        let cases = [
            ("2026-11-22T02:00:00Z", "2026-11-22T16:00:00Z"),
            ("2026-11-22T15:59:00Z", "2026-11-22T16:00:00Z"),
            ("2026-11-22T16:00:00Z", "2026-11-23T16:00:00Z"),
        ];
        for (collected, deadline) in cases {
            assert_eq!(handover_deadline(calendar, at(collected)), at(deadline));
        }
    }

    #[test]
    fn cash_is_overdue_only_after_its_deadline_and_until_handed_over() {
        let cases = [
            (100, false, 99, false),
            (100, false, 100, true),
            (100, false, 500, true),
            (100, true, 500, false),
        ];
        for (deadline, handed_over, now, overdue) in cases {
            assert_eq!(
                cash_overdue(deadline, handed_over, now),
                overdue,
                "{deadline} {handed_over} {now}"
            );
        }
    }

    #[test]
    fn an_invoice_is_due_the_day_the_work_was_completed_and_overdue_after() {
        let cases = [
            (date(2026, 11, 22), date(2026, 11, 22), InvoiceDue::Today),
            (date(2026, 11, 21), date(2026, 11, 22), InvoiceDue::Overdue),
            (date(2026, 10, 1), date(2026, 11, 22), InvoiceDue::Overdue),
        ];
        for (completed, today, expected) in cases {
            assert_eq!(invoice_due(completed, today), expected);
        }
    }

    #[test]
    fn contract_lines_need_a_contract_covering_the_unit() {
        use crate::service_order::ServiceCategory as C;
        let cases = [
            (C::A, false, Ok(())),
            (C::A, true, Ok(())),
            (C::B, true, Ok(())),
            (C::B, false, Err("not_covered_by_contract")),
            (C::C, false, Ok(())),
            (C::D, true, Err("invalid_choice")),
        ];
        for (category, covers, expected) in cases {
            assert_eq!(
                check_charge_category(category, covers),
                expected,
                "{category:?} {covers}"
            );
        }
    }

    #[test]
    fn only_invoices_for_work_not_yet_paid_start_a_collection_task() {
        let cases = [
            (Some("cash"), COLLECTION_NONE),
            (Some("invoice"), COLLECTION_OPEN),
            (None, COLLECTION_OPEN),
        ];
        for (method, expected) in cases {
            assert_eq!(initial_collection(method), expected, "{method:?}");
        }
    }
}
