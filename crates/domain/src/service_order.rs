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
        /// Waiting for parts (C.2 WAITING_PARTS); the SLA clocks pause.
        WaitingParts = "waiting_parts",
        /// Waiting on the customer (absent, postponed, to supply something); the clocks pause.
        WaitingCustomer = "waiting_customer",
        /// An out-of-warranty quote was issued and the customer has not answered (BILLING-2);
        /// the clocks pause.
        AwaitingConfirmation = "awaiting_confirmation",
        /// The workshop finished the repair; the supervisor inspects it next (C.2 REPAIRED).
        Repaired = "repaired",
        /// Accepted by the supervisor (验讫); ready to hand back (C.2 READY).
        Inspected = "inspected",
        /// Handed back to the customer; the receipt is void.
        Returned = "returned",
        /// The voucher is back with the clerk and filed; read-only from here.
        Archived = "archived",
        Cancelled = "cancelled",
        /// The customer declined the quote: the voucher closes without work (BILLING-2).
        Declined = "declined",
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
        /// Quote the out-of-warranty work (parts, labour, travel) for the customer to confirm.
        IssueQuote = "issue_quote",
        /// The customer confirmed the quote (signature or portal); work goes on where it was.
        AcceptQuote = "accept_quote",
        DeclineQuote = "decline_quote",
        /// Work cannot go on until the customer does something; the clocks pause.
        AwaitCustomer = "await_customer",
        /// Work cannot go on until parts arrive; the clocks pause.
        AwaitParts = "await_parts",
        /// The wait is over; work goes on where it was.
        Resume = "resume",
        /// The workshop finished; the repair card holds the time and parts.
        FinishRepair = "finish_repair",
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

/// Where an order stands: its status and, while it waits (for the customer, parts or a
/// quote's answer), the status work resumes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub status: OrderStatus,
    pub resume_to: Option<OrderStatus>,
}

impl Position {
    pub fn at(status: OrderStatus) -> Position {
        Position {
            status,
            resume_to: None,
        }
    }
}

/// The state machine: the position after `event`, or why not. Waiting states remember where
/// they came from; resuming (or accepting the quote) goes back there.
pub fn next_status(from: Position, event: OrderEvent) -> Result<Position, InvalidTransition> {
    use OrderEvent as E;
    use OrderStatus as S;
    let refused = InvalidTransition {
        from: from.status,
        event,
    };
    let waiting_from = |to: OrderStatus| Position {
        status: to,
        resume_to: Some(from.status),
    };
    let to = match (from.status, event) {
        (S::Registered, E::Dispatch) => S::Dispatched,
        (S::Dispatched | S::Contacted, E::Reassign) => S::Dispatched,
        (S::Dispatched, E::RecordContact) => S::Contacted,
        (S::Contacted, E::CheckIn) => S::OnSite,
        (S::OnSite, E::CompleteOnSite) => S::CompletedOnSite,
        (S::OnSite, E::CarryIn) => S::CarriedIn,
        (S::CarriedIn, E::StartRepair) => S::InRepair,
        (S::Dispatched | S::Contacted | S::OnSite | S::InRepair, E::IssueQuote) => {
            return Ok(waiting_from(S::AwaitingConfirmation))
        }
        (S::Dispatched | S::Contacted | S::OnSite | S::InRepair, E::AwaitCustomer) => {
            return Ok(waiting_from(S::WaitingCustomer))
        }
        (S::OnSite | S::InRepair, E::AwaitParts) => return Ok(waiting_from(S::WaitingParts)),
        (S::AwaitingConfirmation, E::AcceptQuote)
        | (S::WaitingCustomer | S::WaitingParts, E::Resume) => {
            return from.resume_to.map(Position::at).ok_or(refused)
        }
        // Declined in the workshop: the unit goes back unrepaired, through the usual return
        // with the receipt; declined elsewhere: the voucher closes as declined.
        (S::AwaitingConfirmation, E::DeclineQuote) if from.resume_to == Some(S::InRepair) => {
            S::Inspected
        }
        (S::AwaitingConfirmation, E::DeclineQuote) => S::Declined,
        (S::InRepair, E::FinishRepair) => S::Repaired,
        (S::Repaired, E::PassInspection) => S::Inspected,
        (S::Repaired, E::FailInspection) => S::InRepair,
        (S::Inspected, E::ReturnToCustomer) => S::Returned,
        (S::CompletedOnSite | S::Returned, E::Archive) => S::Archived,
        (S::Registered | S::Dispatched | S::Contacted | S::WaitingCustomer, E::Cancel) => {
            S::Cancelled
        }
        _ => return Err(refused),
    };
    Ok(Position::at(to))
}

impl OrderStatus {
    /// No further change is possible.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Archived | OrderStatus::Cancelled | OrderStatus::Declined
        )
    }

    /// The work is over (done on site, returned, or closed): no SLA clock of the order
    /// starts or stops any more, and nothing is left to dispatch or work on.
    pub fn is_work_done(self) -> bool {
        self.is_final() || matches!(self, OrderStatus::CompletedOnSite | OrderStatus::Returned)
    }
}

impl Position {
    /// The events possible from here, for the buttons a page offers.
    pub fn possible_events(self) -> Vec<OrderEvent> {
        OrderEvent::ALL
            .iter()
            .copied()
            .filter(|event| next_status(self, *event).is_ok())
            .collect()
    }
}

/// DISPATCH-5: a lateness notice makes sense until the technician is on site: the order is
/// dispatched (or waits before the visit) and nobody has checked in.
pub fn accepts_lateness_notice(status: OrderStatus, arrived: bool) -> bool {
    !arrived
        && matches!(
            status,
            OrderStatus::Dispatched
                | OrderStatus::Contacted
                | OrderStatus::WaitingCustomer
                | OrderStatus::AwaitingConfirmation
        )
}

/// Only paid (A) work is quoted (BILLING-2); other categories cost the customer nothing.
pub fn quote_allowed(category: ServiceCategory) -> bool {
    category == ServiceCategory::A
}

/// The quote an order's customer answered (BILLING-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    pub amount_fen: i64,
    pub accepted: bool,
}

/// Whether paid work may be finished (BILLING-2): a payable total above `threshold_fen`
/// (`billing.quote_threshold_fen`; 0: every paid job) needs a quote the customer accepted, and
/// the total may not exceed what was accepted (more work needs a new quote).
pub fn check_quote(
    category: ServiceCategory,
    payable_fen: i64,
    threshold_fen: i64,
    quote: Option<Quote>,
) -> Result<(), &'static str> {
    if category != ServiceCategory::A || payable_fen <= threshold_fen {
        return Ok(());
    }
    match quote {
        Some(Quote {
            accepted: true,
            amount_fen,
        }) if payable_fen <= amount_fen => Ok(()),
        Some(Quote { accepted: true, .. }) => Err("quote_exceeded"),
        _ => Err("quote_not_confirmed"),
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

code_enum! {
    /// Software issue classes (SOFTWARE-1), asked when the fault class is software.
    pub enum SoftwareClass {
        /// A function error or error message; inconsistent or wrong data. Handled first.
        Bug = "bug",
        /// A new function or report, a change, a customer-specific change (需求).
        Requirement = "requirement",
        /// Database or OS exceptions, repairs, communication faults, anything else.
        Other = "other",
        /// Answered directly by phone or WeChat and logged.
        Consultation = "consultation",
    }
}

code_enum! {
    /// Priority of a software issue (`software.priorities`, SOFTWARE-2): P1 most urgent.
    pub enum SoftwarePriority {
        P1 = "p1",
        P2 = "p2",
        P3 = "p3",
        P4 = "p4",
    }
}

/// The order software issues are worked in (SOFTWARE-2): BUGs before every other class
/// (problems before requirements), then by priority, then by submission time.
pub fn software_queue_key(
    class: SoftwareClass,
    priority: SoftwarePriority,
    received_at_ms: i64,
) -> (u8, SoftwarePriority, i64) {
    let class_rank = match class {
        SoftwareClass::Bug => 0,
        SoftwareClass::Other | SoftwareClass::Consultation => 1,
        SoftwareClass::Requirement => 2,
    };
    (class_rank, priority, received_at_ms)
}

/// The conduct rules the customer confirms on completion (REPAIR-6): customer property not
/// touched, taken or solicited; premises protected; careful handling; waste removed.
pub const CONDUCT_ITEMS: &[&str] = &[
    "property_untouched",
    "premises_protected",
    "careful_handling",
    "waste_removed",
];

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

/// SOFTWARE-4: outside working hours consultations are still answered, and for an urgent
/// software issue (P1, or a call registered as urgent) the development leads are paged at once
/// rather than at the next working day.
pub fn pages_development_leads(
    priority: SoftwarePriority,
    urgency: &str,
    in_working_hours: bool,
) -> bool {
    (priority == SoftwarePriority::P1 || urgency == "urgent") && !in_working_hours
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use OrderEvent as E;
    use OrderStatus as S;

    #[test]
    fn only_urgent_software_issues_out_of_hours_page_the_development_leads() {
        for priority in SoftwarePriority::ALL {
            for urgency in ["urgent", "normal"] {
                for in_working_hours in [true, false] {
                    let urgent = *priority == SoftwarePriority::P1 || urgency == "urgent";
                    assert_eq!(
                        pages_development_leads(*priority, urgency, in_working_hours),
                        urgent && !in_working_hours,
                        "{priority:?} {urgency} working={in_working_hours}"
                    );
                }
            }
        }
        assert!(pages_development_leads(
            SoftwarePriority::P1,
            "normal",
            false
        ));
        assert!(pages_development_leads(
            SoftwarePriority::P4,
            "urgent",
            false
        ));
        assert!(!pages_development_leads(
            SoftwarePriority::P2,
            "normal",
            false
        ));
        assert!(!pages_development_leads(
            SoftwarePriority::P1,
            "urgent",
            true
        ));
    }

    /// Every allowed transition from a position that is not waiting; anything not listed
    /// must be refused.
    const ALLOWED: &[(OrderStatus, OrderEvent, OrderStatus)] = &[
        (S::Registered, E::Dispatch, S::Dispatched),
        (S::Registered, E::Cancel, S::Cancelled),
        (S::Dispatched, E::Reassign, S::Dispatched),
        (S::Dispatched, E::RecordContact, S::Contacted),
        (S::Dispatched, E::IssueQuote, S::AwaitingConfirmation),
        (S::Dispatched, E::AwaitCustomer, S::WaitingCustomer),
        (S::Dispatched, E::Cancel, S::Cancelled),
        (S::Contacted, E::Reassign, S::Dispatched),
        (S::Contacted, E::CheckIn, S::OnSite),
        (S::Contacted, E::IssueQuote, S::AwaitingConfirmation),
        (S::Contacted, E::AwaitCustomer, S::WaitingCustomer),
        (S::Contacted, E::Cancel, S::Cancelled),
        (S::OnSite, E::CompleteOnSite, S::CompletedOnSite),
        (S::OnSite, E::CarryIn, S::CarriedIn),
        (S::OnSite, E::IssueQuote, S::AwaitingConfirmation),
        (S::OnSite, E::AwaitCustomer, S::WaitingCustomer),
        (S::OnSite, E::AwaitParts, S::WaitingParts),
        (S::CarriedIn, E::StartRepair, S::InRepair),
        (S::InRepair, E::IssueQuote, S::AwaitingConfirmation),
        (S::InRepair, E::AwaitCustomer, S::WaitingCustomer),
        (S::InRepair, E::AwaitParts, S::WaitingParts),
        (S::InRepair, E::FinishRepair, S::Repaired),
        (S::Repaired, E::PassInspection, S::Inspected),
        (S::Repaired, E::FailInspection, S::InRepair),
        (S::Inspected, E::ReturnToCustomer, S::Returned),
        (S::AwaitingConfirmation, E::DeclineQuote, S::Declined),
        (S::WaitingCustomer, E::Cancel, S::Cancelled),
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
                match (next_status(Position::at(*from), *event), expected) {
                    (Ok(to), Some(expected_to)) => {
                        assert_eq!(to.status, expected_to, "{from} + {event}")
                    }
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
    fn a_wait_remembers_where_work_stood_and_resuming_goes_back_there() {
        let waits = [
            (E::IssueQuote, S::AwaitingConfirmation, E::AcceptQuote),
            (E::AwaitCustomer, S::WaitingCustomer, E::Resume),
            (E::AwaitParts, S::WaitingParts, E::Resume),
        ];
        for (wait, waiting, resume) in waits {
            for from in OrderStatus::ALL {
                let Ok(held) = next_status(Position::at(*from), wait) else {
                    continue;
                };
                assert_eq!(held.status, waiting);
                assert_eq!(held.resume_to, Some(*from), "{from} + {wait}");
                assert_eq!(next_status(held, resume), Ok(Position::at(*from)));
                // A wait does not stack: waiting again first needs a resume.
                assert!(next_status(held, wait).is_err());
            }
        }
        // A quote declined in the workshop sends the unit back unrepaired.
        let workshop_quote = next_status(Position::at(S::InRepair), E::IssueQuote).unwrap();
        assert_eq!(
            next_status(workshop_quote, E::DeclineQuote),
            Ok(Position::at(S::Inspected))
        );
        // A waiting state whose origin was lost cannot guess where to go.
        assert!(next_status(Position::at(S::WaitingParts), E::Resume).is_err());
    }

    #[test]
    fn work_is_done_once_completed_on_site_returned_or_closed() {
        let done = [
            S::CompletedOnSite,
            S::Returned,
            S::Archived,
            S::Cancelled,
            S::Declined,
        ];
        for status in S::ALL {
            assert_eq!(status.is_work_done(), done.contains(status), "{status}");
        }
    }

    #[test]
    fn final_orders_accept_nothing() {
        for status in [S::Archived, S::Cancelled, S::Declined] {
            assert!(status.is_final());
            assert!(
                Position::at(status).possible_events().is_empty(),
                "{status}"
            );
        }
        assert_eq!(
            Position::at(S::OnSite).possible_events(),
            vec![
                E::CompleteOnSite,
                E::CarryIn,
                E::IssueQuote,
                E::AwaitCustomer,
                E::AwaitParts
            ]
        );
    }

    #[test]
    fn an_on_site_order_cannot_be_cancelled() {
        assert!(next_status(Position::at(S::OnSite), E::Cancel).is_err());
    }

    #[test]
    fn bugs_come_first_then_priority_then_the_earlier_call() {
        use SoftwareClass as C;
        use SoftwarePriority as P;
        let mut issues = [
            ("requirement p1", C::Requirement, P::P1, 1),
            ("other p1", C::Other, P::P1, 2),
            ("bug p3 early", C::Bug, P::P3, 3),
            ("bug p1 late", C::Bug, P::P1, 9),
            ("bug p1 early", C::Bug, P::P1, 5),
        ];
        issues.sort_by_key(|(_, class, priority, at)| software_queue_key(*class, *priority, *at));
        let order: Vec<&str> = issues.iter().map(|(name, ..)| *name).collect();
        assert_eq!(
            order,
            [
                "bug p1 early",
                "bug p1 late",
                "bug p3 early",
                "other p1",
                "requirement p1"
            ]
        );
    }

    #[test]
    fn paid_work_above_the_threshold_needs_an_accepted_quote_that_covers_it() {
        use ServiceCategory::*;
        let accepted = |amount_fen| {
            Some(Quote {
                amount_fen,
                accepted: true,
            })
        };
        let pending = Some(Quote {
            amount_fen: 10_000,
            accepted: false,
        });
        let cases = [
            (C, 10_000, 0, None, Ok(())),
            (B, 10_000, 0, None, Ok(())),
            (A, 0, 0, None, Ok(())),
            (A, 5_000, 5_000, None, Ok(())),
            (A, 5_001, 5_000, None, Err("quote_not_confirmed")),
            (A, 10_000, 0, pending, Err("quote_not_confirmed")),
            (A, 10_000, 0, accepted(10_000), Ok(())),
            (A, 9_000, 0, accepted(10_000), Ok(())),
            (A, 10_001, 0, accepted(10_000), Err("quote_exceeded")),
        ];
        for (category, payable, threshold, quote, expected) in cases {
            assert_eq!(
                check_quote(category, payable, threshold, quote),
                expected,
                "{category} {payable} {threshold} {quote:?}"
            );
        }
    }

    #[test]
    fn only_paid_work_is_quoted() {
        for category in ServiceCategory::ALL {
            assert_eq!(quote_allowed(*category), *category == ServiceCategory::A);
        }
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

    #[test]
    fn a_lateness_notice_is_taken_only_before_the_technician_is_on_site() {
        for status in OrderStatus::ALL {
            let before_visit = matches!(
                status,
                OrderStatus::Dispatched
                    | OrderStatus::Contacted
                    | OrderStatus::WaitingCustomer
                    | OrderStatus::AwaitingConfirmation
            );
            assert_eq!(
                accepts_lateness_notice(*status, false),
                before_visit,
                "{status}"
            );
            assert!(
                !accepts_lateness_notice(*status, true),
                "{status} after check-in"
            );
        }
    }
}
