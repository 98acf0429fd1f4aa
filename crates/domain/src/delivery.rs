//! Home delivery (送货服务, DELIVERY-1..5): when a sale gets a delivery, the driver's pre-call
//! checklist, the unboxing inspection (开箱验机) with the conduct checklist, and the delivery
//! state machine (Appendix C.3). Pure: callers pass the facts and "now".

use crate::code_enum;

code_enum! {
    pub enum DeliveryStatus {
        Planned = "planned",
        /// The driver phoned and confirmed (or logged the customer unreachable).
        Confirmed = "confirmed",
        Out = "out",
        /// At the customer's: the unit is unpacked and inspected together.
        Unboxing = "unboxing",
        /// The customer accepted and signed (签收).
        SignedOff = "signed_off",
        /// Defective on unboxing: taken back; a replacement delivery is planned.
        TakenBack = "taken_back",
        Cancelled = "cancelled",
    }
}

code_enum! {
    pub enum DeliveryEvent {
        PreCall = "pre_call",
        /// Late or the window cannot be kept: a reason, an apology and a new window.
        Reschedule = "reschedule",
        Depart = "depart",
        Arrive = "arrive",
        /// Nobody at home: back to planning.
        CustomerAbsent = "customer_absent",
        /// The unit is fine and the customer signs.
        SignOff = "sign_off",
        Defective = "defective",
        Cancel = "cancel",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not possible when the delivery is {from}")]
pub struct InvalidDeliveryTransition {
    pub from: DeliveryStatus,
    pub event: DeliveryEvent,
}

/// The state machine (C.3).
pub fn next_delivery_status(
    from: DeliveryStatus,
    event: DeliveryEvent,
) -> Result<DeliveryStatus, InvalidDeliveryTransition> {
    use DeliveryEvent as E;
    use DeliveryStatus as S;
    Ok(match (from, event) {
        (S::Planned, E::PreCall) => S::Confirmed,
        (S::Planned | S::Confirmed | S::Out, E::Reschedule) => S::Planned,
        (S::Confirmed, E::Depart) => S::Out,
        (S::Out, E::Arrive) => S::Unboxing,
        (S::Out, E::CustomerAbsent) => S::Planned,
        (S::Unboxing, E::SignOff) => S::SignedOff,
        (S::Unboxing, E::Defective) => S::TakenBack,
        (S::Planned | S::Confirmed, E::Cancel) => S::Cancelled,
        _ => return Err(InvalidDeliveryTransition { from, event }),
    })
}

/// The events possible now, for the buttons a page offers.
pub fn delivery_events(from: DeliveryStatus) -> Vec<DeliveryEvent> {
    DeliveryEvent::ALL
        .iter()
        .copied()
        .filter(|event| next_delivery_status(from, *event).is_ok())
        .collect()
}

/// DELIVERY-1: a delivery is proposed for a bulky or heavy product, or a purchase of at
/// least the configured amount (`min_amount_fen` 0 means the amount rule is off).
pub fn delivery_proposed(bulky: bool, purchase_fen: i64, min_amount_fen: i64) -> bool {
    bulky || (min_amount_fen > 0 && purchase_fen >= min_amount_fen)
}

/// The driver's pre-call (DELIVERY-2): address, name, time and model confirmed by phone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreCall {
    pub address: bool,
    pub name: bool,
    pub time: bool,
    pub model: bool,
    /// The customer could not be reached (logged with a note).
    pub unreachable: bool,
}

/// The checklist items still open, by field name; empty when the delivery may go out. An
/// unreachable customer is the one exception (design decision: the call is logged, the
/// delivery goes out and the driver tries again on the way).
pub fn pre_call_missing(call: &PreCall) -> Vec<&'static str> {
    if call.unreachable {
        return Vec::new();
    }
    [
        ("address_confirmed", call.address),
        ("name_confirmed", call.name),
        ("time_confirmed", call.time),
        ("model_confirmed", call.model),
    ]
    .into_iter()
    .filter(|(_, done)| !done)
    .map(|(field, _)| field)
    .collect()
}

/// The conduct checklist at the customer's (DELIVERY-4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Conduct {
    pub greeting: bool,
    pub shoe_covers: bool,
    pub placed_as_asked: bool,
    pub no_dragging: bool,
}

/// The conduct items not ticked, by field name; sign-off needs all of them.
pub fn conduct_missing(conduct: &Conduct) -> Vec<&'static str> {
    [
        ("greeting", conduct.greeting),
        ("shoe_covers", conduct.shoe_covers),
        ("placed_as_asked", conduct.placed_as_asked),
        ("no_dragging", conduct.no_dragging),
    ]
    .into_iter()
    .filter(|(_, done)| !done)
    .map(|(field, _)| field)
    .collect()
}

/// DELIVERY-3: a reschedule after the window has started is a late notice (lateness without
/// a prior contact), which the caller records as a discipline matter.
pub fn late_notice(now_ms: i64, window_start_ms: i64) -> bool {
    now_ms >= window_start_ms
}

/// A window is valid when it ends after it starts.
pub fn window_valid(start_ms: i64, end_ms: i64) -> bool {
    end_ms > start_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delivery_state_machine() {
        use DeliveryEvent as E;
        use DeliveryStatus as S;
        let allowed = [
            (S::Planned, E::PreCall, S::Confirmed),
            (S::Planned, E::Reschedule, S::Planned),
            (S::Confirmed, E::Reschedule, S::Planned),
            (S::Out, E::Reschedule, S::Planned),
            (S::Confirmed, E::Depart, S::Out),
            (S::Out, E::Arrive, S::Unboxing),
            (S::Out, E::CustomerAbsent, S::Planned),
            (S::Unboxing, E::SignOff, S::SignedOff),
            (S::Unboxing, E::Defective, S::TakenBack),
            (S::Planned, E::Cancel, S::Cancelled),
            (S::Confirmed, E::Cancel, S::Cancelled),
        ];
        for from in DeliveryStatus::ALL {
            for event in DeliveryEvent::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| f == from && e == event)
                    .map(|(_, _, to)| *to);
                assert_eq!(
                    next_delivery_status(*from, *event).ok(),
                    expected,
                    "{from} {event}"
                );
            }
        }
        assert!(delivery_events(S::SignedOff).is_empty());
        assert!(delivery_events(S::TakenBack).is_empty());
        assert_eq!(delivery_events(S::Unboxing), [E::SignOff, E::Defective]);
    }

    #[test]
    fn a_delivery_cannot_go_out_before_the_pre_call_is_complete() {
        let full = PreCall {
            address: true,
            name: true,
            time: true,
            model: true,
            unreachable: false,
        };
        let cases: [(&str, PreCall, &[&str]); 5] = [
            ("everything confirmed", full, &[]),
            (
                "nothing done",
                PreCall::default(),
                &[
                    "address_confirmed",
                    "name_confirmed",
                    "time_confirmed",
                    "model_confirmed",
                ],
            ),
            (
                "model not confirmed",
                PreCall {
                    model: false,
                    ..full
                },
                &["model_confirmed"],
            ),
            (
                "unreachable logged",
                PreCall {
                    unreachable: true,
                    ..PreCall::default()
                },
                &[],
            ),
            (
                "time and name open",
                PreCall {
                    time: false,
                    name: false,
                    ..full
                },
                &["name_confirmed", "time_confirmed"],
            ),
        ];
        for (name, call, missing) in cases {
            assert_eq!(pre_call_missing(&call), missing, "{name}");
        }
    }

    #[test]
    fn sign_off_needs_the_whole_conduct_checklist() {
        let all = Conduct {
            greeting: true,
            shoe_covers: true,
            placed_as_asked: true,
            no_dragging: true,
        };
        assert!(conduct_missing(&all).is_empty());
        assert_eq!(
            conduct_missing(&Conduct {
                shoe_covers: false,
                ..all
            }),
            ["shoe_covers"]
        );
        assert_eq!(conduct_missing(&Conduct::default()).len(), 4);
    }

    #[test]
    fn bulky_goods_or_a_large_purchase_get_a_delivery() {
        let cases = [
            (true, 0, 0, true),
            (false, 500_000, 300_000, true),
            (false, 300_000, 300_000, true),
            (false, 299_999, 300_000, false),
            (false, 999_999, 0, false),
        ];
        for (bulky, amount, min, expected) in cases {
            assert_eq!(
                delivery_proposed(bulky, amount, min),
                expected,
                "{bulky} {amount} {min}"
            );
        }
    }

    #[test]
    fn a_reschedule_inside_the_window_is_a_late_notice() {
        assert!(!late_notice(999, 1_000));
        assert!(late_notice(1_000, 1_000));
        assert!(window_valid(1, 2));
        assert!(!window_valid(2, 2));
    }
}
