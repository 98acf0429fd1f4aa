//! STAFF-4 and T20: technicians stay reachable in the on-call window (`staff.oncall_window`,
//! 08:00–22:00 by default). A reported switch-off or refused call inside the window without a
//! reason creates an on-call breach incident; with a reason it is only recorded, and outside
//! the window it is no breach at all.

use jiff::civil::Time;

use crate::code_enum;

code_enum! {
    pub enum MissKind {
        /// 关机: the phone was switched off.
        SwitchedOff = "switched_off",
        /// 拒接: the call was refused or not answered.
        Refused = "refused",
    }
}

/// Whether a reported miss at local time `at` is a breach: `Err` when it is outside the
/// window (nothing to report), `Ok(true)` when it calls for an incident.
pub fn is_breach(
    at: Time,
    window: (Time, Time),
    reason: Option<&str>,
) -> Result<bool, &'static str> {
    let (from, to) = window;
    if at < from || at >= to {
        return Err("outside_on_call_window");
    }
    Ok(reason.is_none_or(|r| r.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unexplained_miss_inside_the_window_is_a_breach() {
        let window = (Time::constant(8, 0, 0, 0), Time::constant(22, 0, 0, 0));
        let cases = [
            (Time::constant(8, 0, 0, 0), None, Ok(true)),
            (Time::constant(21, 59, 0, 0), Some(""), Ok(true)),
            (
                Time::constant(14, 0, 0, 0),
                Some("在地下室维修，无信号"),
                Ok(false),
            ),
            (
                Time::constant(22, 0, 0, 0),
                None,
                Err("outside_on_call_window"),
            ),
            (
                Time::constant(7, 59, 0, 0),
                None,
                Err("outside_on_call_window"),
            ),
        ];
        for (at, reason, expected) in cases {
            assert_eq!(is_breach(at, window, reason), expected, "{at} {reason:?}");
        }
    }
}
