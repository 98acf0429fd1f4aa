//! Online buyer after-sales requests (ECOM-2..5): which request a buyer may file on an online
//! order line, what each type needs, the refund it asks for, and the request's state machine
//! (seller's answer, auto-acceptance T15, arbitration). Refusals are explained in words the
//! buyer can read, in Chinese and English. Pure: the caller passes the facts and "now".

use crate::code_enum;

/// A quality return is possible this many days after sign-off (ECOM-2, T27: fixed by the
/// seed, not a setting); afterwards only a protection claim.
pub const QUALITY_RETURN_DAYS: i64 = 7;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

code_enum! {
    /// The request type, chosen once (ECOM-2/3).
    pub enum RequestType {
        /// 仅退款—未收到货: the buyer refused the parcel after inspecting it.
        RefundOnly = "refund_only",
        /// 质量问题退货退款: within 7 days of sign-off.
        QualityReturn = "quality_return",
        /// 售后保障维权: after the trade is complete; return, exchange or repair.
        Protection = "protection",
    }
}

code_enum! {
    /// What a protection claim asks for.
    pub enum Remedy {
        Return = "return",
        Exchange = "exchange",
        Repair = "repair",
    }
}

code_enum! {
    pub enum EcomStatus {
        /// Filed; the seller has `ecom.seller_response_hours` to answer.
        AwaitingSeller = "awaiting_seller",
        /// Agreed as filed (by the seller, the timer or the arbiter).
        Accepted = "accepted",
        /// The seller said no; the buyer may ask for arbitration.
        Rejected = "rejected",
        InArbitration = "in_arbitration",
        /// The arbiter found for the seller: final inside the system (ECOM-4).
        Refused = "refused",
        /// Withdrawn by the buyer: the line cannot get another request (ECOM-3).
        Cancelled = "cancelled",
    }
}

code_enum! {
    pub enum EcomEvent {
        Accept = "accept",
        /// T15: the seller did not answer in time.
        AutoAccept = "auto_accept",
        Reject = "reject",
        RequestArbitration = "request_arbitration",
        RuleForBuyer = "rule_for_buyer",
        RuleForSeller = "rule_for_seller",
        Cancel = "cancel",
    }
}

code_enum! {
    /// Who may cause an event.
    pub enum Party {
        Buyer = "buyer",
        Seller = "seller",
        Arbiter = "arbiter",
        System = "system",
    }
}

impl EcomEvent {
    pub fn party(self) -> Party {
        match self {
            EcomEvent::Accept | EcomEvent::Reject => Party::Seller,
            EcomEvent::AutoAccept => Party::System,
            EcomEvent::RequestArbitration | EcomEvent::Cancel => Party::Buyer,
            EcomEvent::RuleForBuyer | EcomEvent::RuleForSeller => Party::Arbiter,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not possible when the request is {from}")]
pub struct InvalidEcomTransition {
    pub from: EcomStatus,
    pub event: EcomEvent,
}

/// The state after `event`.
pub fn next_status(
    from: EcomStatus,
    event: EcomEvent,
) -> Result<EcomStatus, InvalidEcomTransition> {
    use EcomEvent as E;
    use EcomStatus as S;
    Ok(match (from, event) {
        (S::AwaitingSeller, E::Accept | E::AutoAccept) => S::Accepted,
        (S::AwaitingSeller, E::Reject) => S::Rejected,
        (S::AwaitingSeller | S::Rejected, E::Cancel) => S::Cancelled,
        (S::Rejected, E::RequestArbitration) => S::InArbitration,
        (S::InArbitration, E::RuleForBuyer) => S::Accepted,
        (S::InArbitration, E::RuleForSeller) => S::Refused,
        _ => return Err(InvalidEcomTransition { from, event }),
    })
}

/// The events `party` can cause now, for the buttons a page offers.
pub fn events_for(from: EcomStatus, party: Party) -> Vec<EcomEvent> {
    EcomEvent::ALL
        .iter()
        .copied()
        .filter(|e| e.party() == party && next_status(from, *e).is_ok())
        .collect()
}

/// What an earlier request on the same order line looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Earlier {
    None,
    /// Any request still standing or decided.
    Filed,
    /// Withdrawn by the buyer.
    Cancelled,
}

/// The facts a filing is judged on.
#[derive(Debug, Clone)]
pub struct FilingFacts<'a> {
    pub request_type: RequestType,
    pub remedy: Option<Remedy>,
    pub description: Option<&'a str>,
    /// Evidence files sent with the request (photos, video, chat records).
    pub evidence_files: usize,
    /// When the buyer signed for the parcel; none while not received or refused.
    pub signed_at_ms: Option<i64>,
    pub now_ms: i64,
    pub earlier: Earlier,
}

code_enum! {
    /// Why a request cannot be filed, shown to the buyer.
    pub enum Refusal {
        AlreadyRequested = "already_requested",
        CancelledCannotRefile = "cancelled_cannot_refile",
        /// Refund only is for goods not received; these were signed for.
        AlreadyReceived = "already_received",
        /// A return or protection claim needs the goods signed for.
        NotReceived = "not_received",
        /// T27: more than 7 days after sign-off, only a protection claim.
        QualityWindowPassed = "quality_window_passed",
    }
}

/// A refusal with the facts its explanation names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingRefusal {
    pub refusal: Refusal,
    pub days_since_sign_off: i64,
}

impl FilingRefusal {
    /// The explanation the buyer reads.
    pub fn explain(&self, english: bool) -> String {
        let days = self.days_since_sign_off;
        let window = QUALITY_RETURN_DAYS;
        match (self.refusal, english) {
            (Refusal::AlreadyRequested, false) => "这件商品已经申请过售后，每件商品只能申请一次。".into(),
            (Refusal::AlreadyRequested, true) => "An after-sales request was already filed for this item; each item can have only one.".into(),
            (Refusal::CancelledCannotRefile, false) => "您已撤销过这件商品的售后申请，撤销后不能再次申请。".into(),
            (Refusal::CancelledCannotRefile, true) => "You withdrew the request for this item; a withdrawn request cannot be filed again.".into(),
            (Refusal::AlreadyReceived, false) => "“仅退款”适用于未收到货（验货后拒收）的情况；您已签收，请选择质量问题退货退款或售后保障。".into(),
            (Refusal::AlreadyReceived, true) => "“Refund only” is for goods not received (refused at delivery); you signed for them, so choose a quality return or a protection claim.".into(),
            (Refusal::NotReceived, false) => "商品尚未签收，退货或售后保障须在签收后申请；未收到货请选择“仅退款”。".into(),
            (Refusal::NotReceived, true) => "The goods have not been signed for; returns and protection claims come after sign-off. If you did not receive them, choose “refund only”.".into(),
            (Refusal::QualityWindowPassed, false) => format!("质量问题退货退款须在签收后{window}天内申请，您已签收{days}天，请申请售后保障（退货、换货或维修）。"),
            (Refusal::QualityWindowPassed, true) => format!("A quality return must be filed within {window} days of sign-off; you signed {days} days ago, so please file a protection claim (return, exchange or repair)."),
        }
    }
}

/// Whole days since sign-off (0 when not signed).
pub fn days_since(signed_at_ms: Option<i64>, now_ms: i64) -> i64 {
    signed_at_ms.map_or(0, |signed| ((now_ms - signed) / DAY_MS).max(0))
}

/// Whether a quality return is still possible (T27: sign-off → 7 days).
pub fn quality_window_open(signed_at_ms: i64, now_ms: i64) -> bool {
    now_ms - signed_at_ms <= QUALITY_RETURN_DAYS * DAY_MS
}

/// The fields a type needs, as (field, error code) for each one missing or out of place
/// (ECOM-3: required fields depend on the type).
pub fn missing_fields(facts: &FilingFacts<'_>) -> Vec<(&'static str, &'static str)> {
    let mut missing = Vec::new();
    let described = facts.description.is_some_and(|d| !d.trim().is_empty());
    if !described {
        missing.push(("description", "required"));
    }
    match facts.request_type {
        RequestType::Protection if facts.remedy.is_none() => missing.push(("remedy", "required")),
        RequestType::RefundOnly | RequestType::QualityReturn if facts.remedy.is_some() => {
            missing.push(("remedy", "not_applicable"))
        }
        _ => {}
    }
    // A quality defect must be shown: a photo, a video or the chat with the shop.
    if facts.request_type == RequestType::QualityReturn && facts.evidence_files == 0 {
        missing.push(("evidence", "required"));
    }
    missing
}

/// Whether this request may be filed (ECOM-2/3, T27). Order: the one-shot rule, then the
/// type against the sign-off.
pub fn check_filing(facts: &FilingFacts<'_>) -> Result<(), FilingRefusal> {
    let refuse = |refusal| FilingRefusal {
        refusal,
        days_since_sign_off: days_since(facts.signed_at_ms, facts.now_ms),
    };
    match facts.earlier {
        Earlier::Filed => return Err(refuse(Refusal::AlreadyRequested)),
        Earlier::Cancelled => return Err(refuse(Refusal::CancelledCannotRefile)),
        Earlier::None => {}
    }
    match (facts.request_type, facts.signed_at_ms) {
        (RequestType::RefundOnly, Some(_)) => Err(refuse(Refusal::AlreadyReceived)),
        (RequestType::RefundOnly, None) => Ok(()),
        (_, None) => Err(refuse(Refusal::NotReceived)),
        (RequestType::QualityReturn, Some(signed))
            if !quality_window_open(signed, facts.now_ms) =>
        {
            Err(refuse(Refusal::QualityWindowPassed))
        }
        _ => Ok(()),
    }
}

/// The refund the request asks for: the line's value for the refunding types, none for an
/// exchange or a repair.
pub fn refund_fen(
    request_type: RequestType,
    remedy: Option<Remedy>,
    quantity: i32,
    price_fen: i64,
) -> Option<i64> {
    let refunds = match request_type {
        RequestType::RefundOnly | RequestType::QualityReturn => true,
        RequestType::Protection => remedy == Some(Remedy::Return),
    };
    refunds.then(|| i64::from(quantity) * price_fen)
}

/// A repair can become a service order once the request is accepted.
pub fn repair_order_possible(status: EcomStatus, remedy: Option<Remedy>) -> bool {
    status == EcomStatus::Accepted && remedy == Some(Remedy::Repair)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: i64 = 1_800_000_000_000;

    fn facts(request_type: RequestType, signed: Option<i64>, now: i64) -> FilingFacts<'static> {
        FilingFacts {
            request_type,
            remedy: (request_type == RequestType::Protection).then_some(Remedy::Repair),
            description: Some("屏幕有坏点"),
            evidence_files: 1,
            signed_at_ms: signed,
            now_ms: now,
            earlier: Earlier::None,
        }
    }

    #[test]
    fn every_filing_rule() {
        use RequestType as T;
        let day = DAY_MS;
        struct Case {
            name: &'static str,
            request_type: RequestType,
            signed: Option<i64>,
            now: i64,
            earlier: Earlier,
            expected: Option<Refusal>,
        }
        let cases = [
            Case {
                name: "refund only, not received",
                request_type: T::RefundOnly,
                signed: None,
                now: SIGNED,
                earlier: Earlier::None,
                expected: None,
            },
            Case {
                name: "refund only after sign-off",
                request_type: T::RefundOnly,
                signed: Some(SIGNED),
                now: SIGNED + day,
                earlier: Earlier::None,
                expected: Some(Refusal::AlreadyReceived),
            },
            Case {
                name: "quality return on day 0",
                request_type: T::QualityReturn,
                signed: Some(SIGNED),
                now: SIGNED,
                earlier: Earlier::None,
                expected: None,
            },
            Case {
                name: "quality return at exactly 7 days",
                request_type: T::QualityReturn,
                signed: Some(SIGNED),
                now: SIGNED + 7 * day,
                earlier: Earlier::None,
                expected: None,
            },
            Case {
                name: "quality return one minute after 7 days",
                request_type: T::QualityReturn,
                signed: Some(SIGNED),
                now: SIGNED + 7 * day + 60_000,
                earlier: Earlier::None,
                expected: Some(Refusal::QualityWindowPassed),
            },
            Case {
                name: "quality return not received",
                request_type: T::QualityReturn,
                signed: None,
                now: SIGNED,
                earlier: Earlier::None,
                expected: Some(Refusal::NotReceived),
            },
            Case {
                name: "protection after 30 days",
                request_type: T::Protection,
                signed: Some(SIGNED),
                now: SIGNED + 30 * day,
                earlier: Earlier::None,
                expected: None,
            },
            Case {
                name: "protection within 7 days",
                request_type: T::Protection,
                signed: Some(SIGNED),
                now: SIGNED + day,
                earlier: Earlier::None,
                expected: None,
            },
            Case {
                name: "protection not received",
                request_type: T::Protection,
                signed: None,
                now: SIGNED,
                earlier: Earlier::None,
                expected: Some(Refusal::NotReceived),
            },
            Case {
                name: "second request on a line",
                request_type: T::Protection,
                signed: Some(SIGNED),
                now: SIGNED,
                earlier: Earlier::Filed,
                expected: Some(Refusal::AlreadyRequested),
            },
            Case {
                name: "refile after cancelling",
                request_type: T::RefundOnly,
                signed: None,
                now: SIGNED,
                earlier: Earlier::Cancelled,
                expected: Some(Refusal::CancelledCannotRefile),
            },
        ];
        for case in cases {
            let mut f = facts(case.request_type, case.signed, case.now);
            f.earlier = case.earlier;
            let result = check_filing(&f);
            assert_eq!(
                result.as_ref().err().map(|r| r.refusal),
                case.expected,
                "{}",
                case.name
            );
            if let Err(refusal) = result {
                for english in [false, true] {
                    assert!(!refusal.explain(english).is_empty(), "{}", case.name);
                }
            }
        }
    }

    #[test]
    fn the_quality_window_explanation_names_the_days() {
        let f = facts(
            RequestType::QualityReturn,
            Some(SIGNED),
            SIGNED + 9 * DAY_MS,
        );
        let refusal = check_filing(&f).unwrap_err();
        assert_eq!(refusal.days_since_sign_off, 9);
        assert!(refusal.explain(false).contains("7天内"));
        assert!(refusal.explain(false).contains("已签收9天"));
        assert!(refusal.explain(true).contains("9 days ago"));
        assert!(refusal.explain(true).contains("protection claim"));
    }

    #[test]
    fn required_fields_depend_on_the_type() {
        let bare = |request_type, remedy| FilingFacts {
            request_type,
            remedy,
            description: None,
            evidence_files: 0,
            signed_at_ms: Some(SIGNED),
            now_ms: SIGNED,
            earlier: Earlier::None,
        };
        use RequestType as T;
        type Missing = &'static [(&'static str, &'static str)];
        let cases: [(RequestType, Option<Remedy>, Missing); 5] = [
            (T::RefundOnly, None, &[("description", "required")]),
            (
                T::RefundOnly,
                Some(Remedy::Return),
                &[("description", "required"), ("remedy", "not_applicable")],
            ),
            (
                T::QualityReturn,
                None,
                &[("description", "required"), ("evidence", "required")],
            ),
            (
                T::Protection,
                None,
                &[("description", "required"), ("remedy", "required")],
            ),
            (
                T::Protection,
                Some(Remedy::Exchange),
                &[("description", "required")],
            ),
        ];
        for (request_type, remedy, expected) in cases {
            assert_eq!(
                missing_fields(&bare(request_type, remedy)),
                expected,
                "{request_type} {remedy:?}"
            );
        }
        let complete = facts(RequestType::QualityReturn, Some(SIGNED), SIGNED);
        assert!(missing_fields(&complete).is_empty());
    }

    #[test]
    fn the_refund_is_the_line_value_for_refunding_types() {
        use RequestType as T;
        let cases = [
            (T::RefundOnly, None, Some(2 * 15_000)),
            (T::QualityReturn, None, Some(2 * 15_000)),
            (T::Protection, Some(Remedy::Return), Some(2 * 15_000)),
            (T::Protection, Some(Remedy::Exchange), None),
            (T::Protection, Some(Remedy::Repair), None),
        ];
        for (request_type, remedy, expected) in cases {
            assert_eq!(
                refund_fen(request_type, remedy, 2, 15_000),
                expected,
                "{request_type} {remedy:?}"
            );
        }
    }

    #[test]
    fn the_request_state_machine() {
        use EcomEvent as E;
        use EcomStatus as S;
        let allowed = [
            (S::AwaitingSeller, E::Accept, S::Accepted),
            (S::AwaitingSeller, E::AutoAccept, S::Accepted),
            (S::AwaitingSeller, E::Reject, S::Rejected),
            (S::AwaitingSeller, E::Cancel, S::Cancelled),
            (S::Rejected, E::Cancel, S::Cancelled),
            (S::Rejected, E::RequestArbitration, S::InArbitration),
            (S::InArbitration, E::RuleForBuyer, S::Accepted),
            (S::InArbitration, E::RuleForSeller, S::Refused),
        ];
        for from in S::ALL {
            for event in E::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| f == from && e == event)
                    .map(|(_, _, to)| *to);
                assert_eq!(
                    next_status(*from, *event).ok(),
                    expected,
                    "{from} + {event}"
                );
            }
        }
    }

    #[test]
    fn a_ruling_is_final_and_the_type_has_no_change_event() {
        for status in [
            EcomStatus::Accepted,
            EcomStatus::Refused,
            EcomStatus::Cancelled,
        ] {
            for party in Party::ALL {
                assert!(events_for(status, *party).is_empty(), "{status} {party}");
            }
        }
        assert_eq!(
            events_for(EcomStatus::Rejected, Party::Buyer),
            vec![EcomEvent::RequestArbitration, EcomEvent::Cancel]
        );
        assert_eq!(
            events_for(EcomStatus::AwaitingSeller, Party::Seller),
            vec![EcomEvent::Accept, EcomEvent::Reject]
        );
    }

    #[test]
    fn only_an_accepted_repair_becomes_a_service_order() {
        assert!(repair_order_possible(
            EcomStatus::Accepted,
            Some(Remedy::Repair)
        ));
        assert!(!repair_order_possible(
            EcomStatus::Accepted,
            Some(Remedy::Return)
        ));
        assert!(!repair_order_possible(
            EcomStatus::AwaitingSeller,
            Some(Remedy::Repair)
        ));
    }
}
