//! Service orders (服务凭证): the one state machine every order follows, the service
//! category rules (A paid / B contract / C free / D internal), dispatch eligibility, repeat
//! repairs and the undispatched-call rollover. Pure: callers pass the facts and "now".

use jiff::civil::Date;

use crate::code_enum;

code_enum! {
    /// Where an order stands (issue "Service orders", state machine).
    pub enum OrderStatus {
        Registered = "registered",
        Dispatched = "dispatched",
        /// The technician phoned the customer and agreed an appointment.
        Contacted = "contacted",
        /// Checked in at the customer's address.
        OnSite = "on_site",
        CompletedOnSite = "completed_on_site",
        /// Taken back to the workshop with a goods receipt (客户商品领取收据).
        CarriedIn = "carried_in",
        InRepair = "in_repair",
        /// Accepted by the supervisor (验讫).
        Inspected = "inspected",
        /// Handed back to the customer; the receipt is void.
        Returned = "returned",
        /// The voucher is back with the clerk and filed; read-only from here.
        Archived = "archived",
        Cancelled = "cancelled",
    }
}

code_enum! {
    /// Everything that can happen to an order.
    pub enum OrderEvent {
        Dispatch = "dispatch",
        /// Another technician takes over; the history keeps the earlier assignment.
        Reassign = "reassign",
        RecordContact = "record_contact",
        CheckIn = "check_in",
        CompleteOnSite = "complete_on_site",
        CarryIn = "carry_in",
        StartRepair = "start_repair",
        /// The supervisor accepts the repaired unit.
        PassInspection = "pass_inspection",
        /// The supervisor sends the unit back to repair, with a reason.
        FailInspection = "fail_inspection",
        ReturnToCustomer = "return_to_customer",
        Archive = "archive",
        Cancel = "cancel",
    }
}

/// Why an event is refused in a state, in words an agent can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not possible when the order is {from}")]
pub struct InvalidTransition {
    pub from: OrderStatus,
    pub event: OrderEvent,
}

/// The state machine: the state after `event`, or why not.
pub fn next_status(from: OrderStatus, event: OrderEvent) -> Result<OrderStatus, InvalidTransition> {
    use OrderEvent as E;
    use OrderStatus as S;
    let to = match (from, event) {
        (S::Registered, E::Dispatch) => S::Dispatched,
        (S::Dispatched | S::Contacted, E::Reassign) => S::Dispatched,
        (S::Dispatched, E::RecordContact) => S::Contacted,
        (S::Contacted, E::CheckIn) => S::OnSite,
        (S::OnSite, E::CompleteOnSite) => S::CompletedOnSite,
        (S::OnSite, E::CarryIn) => S::CarriedIn,
        (S::CarriedIn, E::StartRepair) => S::InRepair,
        (S::InRepair, E::PassInspection) => S::Inspected,
        (S::InRepair, E::FailInspection) => S::InRepair,
        (S::Inspected, E::ReturnToCustomer) => S::Returned,
        (S::CompletedOnSite | S::Returned, E::Archive) => S::Archived,
        (S::Registered | S::Dispatched | S::Contacted, E::Cancel) => S::Cancelled,
        _ => return Err(InvalidTransition { from, event }),
    };
    Ok(to)
}

impl OrderStatus {
    /// No further change is possible.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Archived | OrderStatus::Cancelled)
    }
    /// The events possible from here, for the buttons a page offers.
    pub fn possible_events(self) -> Vec<OrderEvent> {
        OrderEvent::ALL
            .iter()
            .copied()
            .filter(|event| next_status(self, *event).is_ok())
            .collect()
    }
}

code_enum! {
    /// 服务类别 (CATEGORY-1).
    pub enum ServiceCategory {
        /// 有费服务: paid, needs a shown price schedule or a confirmed quote.
        A = "a",
        /// 合同服务: covered by a maintenance contract.
        B = "b",
        /// 免费服务: the faulty component is under warranty.
        C = "c",
        /// 一般行政工作: internal administrative work.
        D = "d",
    }
}

/// What decides the category of a customer's order (WARRANTY-4): the warranty of the
/// faulty component (or of the whole unit when the component is not known), and whether a
/// maintenance contract covers the unit on the call date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryFacts {
    /// `None` when no unit is known (a call with only a model).
    pub under_warranty: Option<bool>,
    pub contract_covers: bool,
}

/// C if under warranty, else B if a contract covers the unit, else A.
pub fn propose_category(facts: CategoryFacts) -> ServiceCategory {
    match facts {
        CategoryFacts {
            under_warranty: Some(true),
            ..
        } => ServiceCategory::C,
        CategoryFacts {
            contract_covers: true,
            ..
        } => ServiceCategory::B,
        _ => ServiceCategory::A,
    }
}

/// A category other than the proposed one needs a written reason (it is audited).
pub fn check_category_override(
    proposed: ServiceCategory,
    chosen: ServiceCategory,
    reason: Option<&str>,
) -> Result<(), &'static str> {
    if proposed != chosen && reason.is_none_or(|r| r.trim().is_empty()) {
        Err("reason_required")
    } else {
        Ok(())
    }
}

code_enum! {
    /// First classification at intake (INTAKE-2).
    pub enum FaultClass {
        Hardware = "hardware",
        Software = "software",
        OperatorError = "operator_error",
        Other = "other",
    }
}

/// A technician as dispatch sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechnicianFacts {
    pub active: bool,
    pub is_technician: bool,
    pub branch_id: Option<i64>,
    /// Certificates: the product category and the last valid day (`None`: never expires).
    pub certificates: Vec<(String, Option<Date>)>,
}

/// Why a technician cannot take an order (DISPATCH-1, STAFF-1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DispatchRefusal {
    #[error("the person is not an active technician")]
    NotATechnician,
    #[error("the technician works in another branch")]
    OtherBranch,
    #[error("the technician holds no certificate for this product category")]
    NoCertificate,
    #[error("the technician's certificate for this product category expired")]
    CertificateExpired,
}

impl DispatchRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            DispatchRefusal::NotATechnician => "not_a_technician",
            DispatchRefusal::OtherBranch => "other_branch",
            DispatchRefusal::NoCertificate => "no_certificate",
            DispatchRefusal::CertificateExpired => "certificate_expired",
        }
    }
}

/// Only an active technician of the order's branch with a certificate for the product
/// category that is valid on `today` can be dispatched.
pub fn check_dispatch(
    technician: &TechnicianFacts,
    order_branch_id: i64,
    product_category: &str,
    today: Date,
) -> Result<(), DispatchRefusal> {
    if !technician.active || !technician.is_technician {
        return Err(DispatchRefusal::NotATechnician);
    }
    if technician.branch_id != Some(order_branch_id) {
        return Err(DispatchRefusal::OtherBranch);
    }
    let mut certificates = technician
        .certificates
        .iter()
        .filter(|(category, _)| category == product_category)
        .peekable();
    if certificates.peek().is_none() {
        return Err(DispatchRefusal::NoCertificate);
    }
    if certificates.any(|(_, last_day)| last_day.is_none_or(|last| last >= today)) {
        Ok(())
    } else {
        Err(DispatchRefusal::CertificateExpired)
    }
}

/// An earlier completed repair of the same unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierRepair {
    pub order_id: i64,
    pub fault_class: FaultClass,
    pub completed_on: Date,
}

/// The earlier order a new call repeats (INTAKE-10): same unit (the caller passes only that
/// unit's repairs), same fault class, completed at most `window_days` before the call.
/// The most recent one wins.
pub fn repeat_of(
    earlier: &[EarlierRepair],
    fault_class: FaultClass,
    called_on: Date,
    window_days: i64,
) -> Option<i64> {
    earlier
        .iter()
        .filter(|repair| repair.fault_class == fault_class)
        .filter(|repair| {
            let age = (called_on - repair.completed_on).get_days();
            (0..=window_days).contains(&i64::from(age))
        })
        .max_by_key(|repair| (repair.completed_on, repair.order_id))
        .map(|repair| repair.order_id)
}

/// A call not dispatched on the (local) day it was received rolls to the next day flagged
/// for priority dispatch (INTAKE-8, T4).
pub fn needs_priority(received_on: Date, today: Date, status: OrderStatus) -> bool {
    status == OrderStatus::Registered && today > received_on
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use OrderEvent as E;
    use OrderStatus as S;

    /// Every allowed transition; anything not listed must be refused.
    const ALLOWED: &[(OrderStatus, OrderEvent, OrderStatus)] = &[
        (S::Registered, E::Dispatch, S::Dispatched),
        (S::Registered, E::Cancel, S::Cancelled),
        (S::Dispatched, E::Reassign, S::Dispatched),
        (S::Dispatched, E::RecordContact, S::Contacted),
        (S::Dispatched, E::Cancel, S::Cancelled),
        (S::Contacted, E::Reassign, S::Dispatched),
        (S::Contacted, E::CheckIn, S::OnSite),
        (S::Contacted, E::Cancel, S::Cancelled),
        (S::OnSite, E::CompleteOnSite, S::CompletedOnSite),
        (S::OnSite, E::CarryIn, S::CarriedIn),
        (S::CarriedIn, E::StartRepair, S::InRepair),
        (S::InRepair, E::PassInspection, S::Inspected),
        (S::InRepair, E::FailInspection, S::InRepair),
        (S::Inspected, E::ReturnToCustomer, S::Returned),
        (S::CompletedOnSite, E::Archive, S::Archived),
        (S::Returned, E::Archive, S::Archived),
    ];

    #[test]
    fn every_state_and_event_pair_is_allowed_exactly_as_listed() {
        for from in OrderStatus::ALL {
            for event in OrderEvent::ALL {
                let expected = ALLOWED
                    .iter()
                    .find(|(f, e, _)| f == from && e == event)
                    .map(|(_, _, to)| *to);
                match (next_status(*from, *event), expected) {
                    (Ok(to), Some(expected_to)) => assert_eq!(to, expected_to, "{from} + {event}"),
                    (Err(err), None) => assert_eq!(
                        err,
                        InvalidTransition {
                            from: *from,
                            event: *event
                        }
                    ),
                    (got, expected) => {
                        panic!("{from} + {event}: got {got:?}, expected {expected:?}")
                    }
                }
            }
        }
    }

    #[test]
    fn archived_and_cancelled_orders_accept_nothing() {
        for status in [S::Archived, S::Cancelled] {
            assert!(status.is_final());
            assert!(status.possible_events().is_empty(), "{status}");
        }
        assert_eq!(
            S::OnSite.possible_events(),
            vec![E::CompleteOnSite, E::CarryIn]
        );
    }

    #[test]
    fn an_on_site_order_cannot_be_cancelled() {
        assert!(next_status(S::OnSite, E::Cancel).is_err());
    }

    #[test]
    fn the_category_follows_warranty_then_contract_then_paid() {
        let cases = [
            (Some(true), false, ServiceCategory::C),
            (Some(true), true, ServiceCategory::C),
            (Some(false), true, ServiceCategory::B),
            (None, true, ServiceCategory::B),
            (Some(false), false, ServiceCategory::A),
            (None, false, ServiceCategory::A),
        ];
        for (under_warranty, contract_covers, expected) in cases {
            assert_eq!(
                propose_category(CategoryFacts {
                    under_warranty,
                    contract_covers
                }),
                expected,
                "{under_warranty:?} {contract_covers}"
            );
        }
    }

    #[test]
    fn overriding_the_category_needs_a_reason() {
        use ServiceCategory::*;
        assert_eq!(check_category_override(C, A, None), Err("reason_required"));
        assert_eq!(
            check_category_override(C, A, Some("  ")),
            Err("reason_required")
        );
        assert_eq!(check_category_override(C, A, Some("人为损坏")), Ok(()));
        assert_eq!(check_category_override(B, B, None), Ok(()));
    }

    fn technician(branch: i64, certificates: &[(&str, Option<Date>)]) -> TechnicianFacts {
        TechnicianFacts {
            active: true,
            is_technician: true,
            branch_id: Some(branch),
            certificates: certificates
                .iter()
                .map(|(c, d)| (c.to_string(), *d))
                .collect(),
        }
    }

    #[test]
    fn dispatch_needs_a_valid_certificate_for_the_category_in_the_orders_branch() {
        let today = date(2026, 11, 22);
        let cases: Vec<(TechnicianFacts, Result<(), DispatchRefusal>)> = vec![
            (technician(1, &[("空调", Some(date(2027, 1, 1)))]), Ok(())),
            (technician(1, &[("空调", None)]), Ok(())),
            (technician(1, &[("空调", Some(today))]), Ok(())),
            (
                technician(1, &[("空调", Some(date(2026, 11, 21)))]),
                Err(DispatchRefusal::CertificateExpired),
            ),
            (
                technician(
                    1,
                    &[
                        ("空调", Some(date(2026, 1, 1))),
                        ("空调", Some(date(2027, 1, 1))),
                    ],
                ),
                Ok(()),
            ),
            (
                technician(1, &[("冰箱", None)]),
                Err(DispatchRefusal::NoCertificate),
            ),
            (
                technician(2, &[("空调", None)]),
                Err(DispatchRefusal::OtherBranch),
            ),
            (
                TechnicianFacts {
                    is_technician: false,
                    ..technician(1, &[("空调", None)])
                },
                Err(DispatchRefusal::NotATechnician),
            ),
            (
                TechnicianFacts {
                    active: false,
                    ..technician(1, &[("空调", None)])
                },
                Err(DispatchRefusal::NotATechnician),
            ),
        ];
        for (facts, expected) in cases {
            assert_eq!(
                check_dispatch(&facts, 1, "空调", today),
                expected,
                "{facts:?}"
            );
        }
    }

    #[test]
    fn a_call_repeats_the_latest_repair_of_the_same_fault_within_the_window() {
        let earlier = [
            EarlierRepair {
                order_id: 1,
                fault_class: FaultClass::Hardware,
                completed_on: date(2026, 6, 1),
            },
            EarlierRepair {
                order_id: 2,
                fault_class: FaultClass::Hardware,
                completed_on: date(2026, 10, 1),
            },
            EarlierRepair {
                order_id: 3,
                fault_class: FaultClass::Software,
                completed_on: date(2026, 11, 1),
            },
        ];
        assert_eq!(
            repeat_of(&earlier, FaultClass::Hardware, date(2026, 11, 22), 90),
            Some(2)
        );
        assert_eq!(
            repeat_of(&earlier, FaultClass::Software, date(2026, 11, 22), 90),
            Some(3)
        );
        assert_eq!(
            repeat_of(&earlier, FaultClass::Hardware, date(2026, 12, 30), 90),
            Some(2)
        );
        assert_eq!(
            repeat_of(&earlier, FaultClass::Hardware, date(2026, 12, 31), 90),
            None
        );
        assert_eq!(
            repeat_of(&earlier, FaultClass::OperatorError, date(2026, 11, 22), 90),
            None
        );
    }

    #[test]
    fn only_registered_calls_from_an_earlier_day_get_priority() {
        let received = date(2026, 11, 20);
        assert!(!needs_priority(received, received, S::Registered));
        assert!(needs_priority(received, date(2026, 11, 21), S::Registered));
        assert!(!needs_priority(received, date(2026, 11, 21), S::Dispatched));
    }
}
