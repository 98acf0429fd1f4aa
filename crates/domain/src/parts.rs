//! Spare parts (PARTS-1..4): the stock ledger rules, the cost of stock, the ABC class from
//! consumption, the reorder suggestion, count differences and the loaner states.
//!
//! Stock is never an edited number: every change is a movement, and the stock on hand of a
//! part at a location is the sum of its accepted movements' deltas. A movement that would
//! take the stock below zero is refused with the shortfall, so the sum is never negative.
//!
//! Cost (decision): the moving-average cost per part, company-wide. Each receipt from a
//! supplier re-averages the cost over the stock on hand; every other movement is valued at
//! the average at the time. One average per part (rather than per location) because a
//! transfer does not change what a part cost, and the value of a location is then simply
//! its quantity times the part's average.

use crate::code_enum;

code_enum! {
    /// What a stock movement records.
    pub enum MovementKind {
        /// Goods received from a supplier (adds stock, re-averages the cost).
        Receipt = "receipt",
        /// The sending half of a transfer between locations.
        TransferOut = "transfer_out",
        /// The receiving half of a transfer between locations.
        TransferIn = "transfer_in",
        /// Issued to a service order (the technician fitted it).
        Issue = "issue",
        /// An issued part that was not used, back into stock.
        ReturnUnused = "return_unused",
        /// The faulty part replaced, handed in for the supplier claim or scrap. It is
        /// recorded in the ledger but is not usable stock, so it does not change the stock.
        ReturnFaulty = "return_faulty",
        /// Written off (damaged, obsolete).
        Scrap = "scrap",
        /// A stock count's difference (either sign), posted after approval.
        CountAdjustment = "count_adjustment",
    }
}

impl MovementKind {
    /// The change in usable stock for `quantity` moved. `quantity` is positive for every
    /// kind except a count adjustment, which carries its own sign.
    pub fn delta(self, quantity: i64) -> i64 {
        match self {
            MovementKind::Receipt | MovementKind::TransferIn | MovementKind::ReturnUnused => {
                quantity
            }
            MovementKind::TransferOut | MovementKind::Issue | MovementKind::Scrap => -quantity,
            MovementKind::ReturnFaulty => 0,
            MovementKind::CountAdjustment => quantity,
        }
    }
}

/// Why a movement is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error("quantity must be positive")]
    InvalidQuantity,
    #[error("{shortfall} short: {on_hand} on hand, {requested} requested")]
    Shortfall {
        on_hand: i64,
        requested: i64,
        shortfall: i64,
    },
}

impl StockError {
    pub fn code(&self) -> &'static str {
        match self {
            StockError::InvalidQuantity => "out_of_range",
            StockError::Shortfall { .. } => "shortfall",
        }
    }
}

/// The largest quantity one movement may move.
pub const MAX_QUANTITY: i64 = 100_000;

/// The stock after applying a movement to `on_hand`, or why it is refused. A count
/// adjustment may be zero or negative but may not take the stock below zero either.
pub fn apply(on_hand: i64, kind: MovementKind, quantity: i64) -> Result<i64, StockError> {
    let valid = if kind == MovementKind::CountAdjustment {
        (-MAX_QUANTITY..=MAX_QUANTITY).contains(&quantity) && quantity != 0
    } else {
        (1..=MAX_QUANTITY).contains(&quantity)
    };
    if !valid {
        return Err(StockError::InvalidQuantity);
    }
    let after = on_hand + kind.delta(quantity);
    if after < 0 {
        return Err(StockError::Shortfall {
            on_hand,
            requested: -kind.delta(quantity),
            shortfall: -after,
        });
    }
    Ok(after)
}

/// The moving-average unit cost after receiving `quantity` at `unit_cost_fen` onto
/// `on_hand` units valued at `average_fen` each, rounded half up to the fen. With nothing
/// on hand the receipt's cost becomes the average.
pub fn moving_average(on_hand: i64, average_fen: i64, quantity: i64, unit_cost_fen: i64) -> i64 {
    let on_hand = on_hand.max(0) as i128;
    let quantity = quantity.max(0) as i128;
    let total = on_hand + quantity;
    if total == 0 {
        return unit_cost_fen;
    }
    let value = on_hand * average_fen as i128 + quantity * unit_cost_fen as i128;
    ((value * 2 + total) / (total * 2)) as i64
}

code_enum! {
    /// The ABC class of a part by consumption value (A: the few parts that make most of it).
    pub enum AbcClass {
        A = "a",
        B = "b",
        C = "c",
    }
}

/// The share of consumption value classes A and B take, in percent (configurable:
/// `parts.abc_a_percent`, `parts.abc_b_percent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbcThresholds {
    pub a_percent: i64,
    pub b_percent: i64,
}

impl Default for AbcThresholds {
    fn default() -> Self {
        AbcThresholds {
            a_percent: 80,
            b_percent: 15,
        }
    }
}

/// Classifies parts by their consumption value over the last 12 months, `(key, value_fen)`:
/// sorted by value, a part is A while the cumulative share before it is below the A share,
/// B while below A + B, else C. A part with no consumption is C. Ties keep the input order.
pub fn classify<K: Copy>(
    consumption: &[(K, i64)],
    thresholds: AbcThresholds,
) -> Vec<(K, AbcClass)> {
    let total: i128 = consumption.iter().map(|(_, v)| (*v).max(0) as i128).sum();
    let mut order: Vec<usize> = (0..consumption.len()).collect();
    order.sort_by(|a, b| consumption[*b].1.cmp(&consumption[*a].1));
    let mut before: i128 = 0;
    let mut classes = vec![AbcClass::C; consumption.len()];
    for idx in order {
        let value = consumption[idx].1.max(0) as i128;
        if value == 0 || total == 0 {
            continue;
        }
        let share_before = before * 100;
        classes[idx] = if share_before < thresholds.a_percent as i128 * total {
            AbcClass::A
        } else if share_before < (thresholds.a_percent + thresholds.b_percent) as i128 * total {
            AbcClass::B
        } else {
            AbcClass::C
        };
        before += value;
    }
    consumption
        .iter()
        .zip(classes)
        .map(|((key, _), class)| (*key, class))
        .collect()
}

/// How often a part's stock is reviewed: A parts more often than C (PARTS-2), in days.
pub fn review_days(class: AbcClass) -> i64 {
    match class {
        AbcClass::A => 30,
        AbcClass::B => 60,
        AbcClass::C => 90,
    }
}

/// A suggested reorder point and order quantity for one part at one location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReorderSuggestion {
    pub reorder_point: i64,
    pub order_quantity: i64,
}

/// Suggests the reorder point (the consumption expected during the replenishment lead time,
/// rounded up) and the order quantity (the consumption of one review period for the class,
/// rounded up, at least 1) from the quantity consumed over the last 365 days.
pub fn suggest_reorder(
    consumed_last_year: i64,
    lead_time_days: i64,
    class: AbcClass,
) -> ReorderSuggestion {
    let consumed = consumed_last_year.max(0);
    let ceil_div = |n: i64, d: i64| (n + d - 1) / d;
    ReorderSuggestion {
        reorder_point: ceil_div(consumed * lead_time_days.max(0), 365),
        order_quantity: ceil_div(consumed * review_days(class), 365).max(1),
    }
}

/// The quantity to propose for purchase: nothing while the stock is above the reorder
/// point; otherwise the order quantity, plus what is missing to reach the reorder point.
pub fn proposal_quantity(on_hand: i64, reorder_point: i64, order_quantity: i64) -> i64 {
    if on_hand > reorder_point {
        0
    } else {
        order_quantity.max(1) + (reorder_point - on_hand).max(0)
    }
}

code_enum! {
    /// Where a loaner unit (替补商品) is.
    pub enum LoanerStatus {
        Available = "available",
        Lent = "lent",
        Retired = "retired",
    }
}

code_enum! {
    pub enum LoanerEvent {
        Lend = "lend",
        Recall = "recall",
        Retire = "retire",
    }
}

/// The loaner state machine: an available loaner is lent, a lent one is recalled to
/// stock, and only an available one is retired.
pub fn loaner_next(from: LoanerStatus, event: LoanerEvent) -> Option<LoanerStatus> {
    match (from, event) {
        (LoanerStatus::Available, LoanerEvent::Lend) => Some(LoanerStatus::Lent),
        (LoanerStatus::Lent, LoanerEvent::Recall) => Some(LoanerStatus::Available),
        (LoanerStatus::Available, LoanerEvent::Retire) => Some(LoanerStatus::Retired),
        _ => None,
    }
}

code_enum! {
    /// Where a parts purchase request (零件请购, PARTS-3) stands.
    pub enum PurchaseStatus {
        Requested = "requested",
        /// Approved by the supervisor, waiting for the goods.
        Approved = "approved",
        Rejected = "rejected",
        /// Received by the warehouse keeper (a receipt in the ledger).
        Received = "received",
    }
}

code_enum! {
    pub enum PurchaseEvent {
        Approve = "approve",
        Reject = "reject",
        Receive = "receive",
    }
}

impl PurchaseStatus {
    /// Still to be delivered: counted against the replenishment proposal.
    pub fn is_open(self) -> bool {
        matches!(self, PurchaseStatus::Requested | PurchaseStatus::Approved)
    }
}

/// The purchase request flow: the supervisor approves or rejects a request, and only an
/// approved one is received.
pub fn purchase_next(from: PurchaseStatus, event: PurchaseEvent) -> Option<PurchaseStatus> {
    match (from, event) {
        (PurchaseStatus::Requested, PurchaseEvent::Approve) => Some(PurchaseStatus::Approved),
        (PurchaseStatus::Requested, PurchaseEvent::Reject) => Some(PurchaseStatus::Rejected),
        (PurchaseStatus::Approved, PurchaseEvent::Receive) => Some(PurchaseStatus::Received),
        _ => None,
    }
}

/// What the replenishment proposal asks for: the proposal quantity less what open purchase
/// requests already bring, never below zero.
pub fn still_to_order(proposed: i64, on_order: i64) -> i64 {
    (proposed - on_order.max(0)).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;
    use MovementKind::*;

    #[test]
    fn movements_change_the_stock_by_their_kind() {
        let cases = [
            (Receipt, 5, 10, Ok(15)),
            (TransferIn, 2, 0, Ok(2)),
            (ReturnUnused, 1, 3, Ok(4)),
            (TransferOut, 4, 4, Ok(0)),
            (Issue, 1, 3, Ok(2)),
            (Scrap, 2, 2, Ok(0)),
            (ReturnFaulty, 1, 0, Ok(0)),
            (CountAdjustment, -3, 5, Ok(2)),
            (CountAdjustment, 3, 0, Ok(3)),
        ];
        for (kind, quantity, on_hand, expected) in cases {
            assert_eq!(
                apply(on_hand, kind, quantity),
                expected,
                "{kind} {quantity}"
            );
        }
    }

    #[test]
    fn a_movement_that_would_go_negative_is_refused_with_the_shortfall() {
        let cases = [
            (Issue, 3, 1, 2),
            (TransferOut, 5, 0, 5),
            (Scrap, 2, 1, 1),
            (CountAdjustment, -4, 3, 1),
        ];
        for (kind, quantity, on_hand, shortfall) in cases {
            let requested = -kind.delta(quantity);
            assert_eq!(
                apply(on_hand, kind, quantity),
                Err(StockError::Shortfall {
                    on_hand,
                    requested,
                    shortfall
                }),
                "{kind}"
            );
        }
    }

    #[test]
    fn quantities_out_of_range_are_refused() {
        assert_eq!(apply(5, Issue, 0), Err(StockError::InvalidQuantity));
        assert_eq!(apply(5, Receipt, -1), Err(StockError::InvalidQuantity));
        assert_eq!(
            apply(5, CountAdjustment, 0),
            Err(StockError::InvalidQuantity)
        );
        assert_eq!(
            apply(5, Receipt, MAX_QUANTITY + 1),
            Err(StockError::InvalidQuantity)
        );
    }

    #[test]
    fn the_moving_average_weights_the_stock_and_the_receipt() {
        let cases = [
            (0, 0, 10, 500, 500),
            (10, 500, 10, 700, 600),
            (1, 100, 2, 101, 101),  // 302 / 3 = 100.67
            (2, 100, 1, 101, 100),  // 301 / 3 = 100.33
            (1, 100, 1, 101, 101),  // 100.5 rounds up
            (-3, 999, 4, 200, 200), // a negative book is treated as empty
        ];
        for (on_hand, average, quantity, cost, expected) in cases {
            let got = moving_average(on_hand, average, quantity, cost);
            assert_eq!(got, expected, "{on_hand} × {average} + {quantity} × {cost}");
        }
    }

    #[test]
    fn abc_classes_follow_the_cumulative_consumption_value() {
        let thresholds = AbcThresholds::default();
        // 70 + 15 + 10 + 4 + 1 + 0 = 100
        let consumption = [(1, 70), (2, 15), (3, 10), (4, 4), (5, 1), (6, 0)];
        let classes = classify(&consumption, thresholds);
        assert_eq!(
            classes,
            vec![
                (1, AbcClass::A),
                (2, AbcClass::A),
                (3, AbcClass::B),
                (4, AbcClass::C),
                (5, AbcClass::C),
                (6, AbcClass::C)
            ]
        );
        let stricter = AbcThresholds {
            a_percent: 50,
            b_percent: 30,
        };
        assert_eq!(classify(&consumption, stricter)[1].1, AbcClass::B);
        assert!(classify::<i64>(&[], thresholds).is_empty());
        assert_eq!(classify(&[(9, 0)], thresholds), vec![(9, AbcClass::C)]);
    }

    #[test]
    fn reorder_suggestions_review_a_parts_more_often() {
        assert_eq!(
            suggest_reorder(365, 7, AbcClass::A),
            ReorderSuggestion {
                reorder_point: 7,
                order_quantity: 30
            }
        );
        assert_eq!(suggest_reorder(365, 7, AbcClass::C).order_quantity, 90);
        assert_eq!(
            suggest_reorder(0, 7, AbcClass::B),
            ReorderSuggestion {
                reorder_point: 0,
                order_quantity: 1
            }
        );
        assert_eq!(suggest_reorder(10, 10, AbcClass::A).reorder_point, 1);
    }

    #[test]
    fn purchases_are_proposed_at_or_below_the_reorder_point() {
        assert_eq!(proposal_quantity(6, 5, 10), 0);
        assert_eq!(proposal_quantity(5, 5, 10), 10);
        assert_eq!(proposal_quantity(2, 5, 10), 13);
        assert_eq!(proposal_quantity(0, 0, 0), 1);
    }

    #[test]
    fn purchase_requests_are_approved_before_they_are_received() {
        use PurchaseEvent::*;
        use PurchaseStatus::*;
        let cases = [
            (Requested, Approve, Some(Approved)),
            (Requested, Reject, Some(Rejected)),
            (Approved, Receive, Some(Received)),
            (Requested, Receive, None),
            (Approved, Approve, None),
            (Approved, Reject, None),
            (Rejected, Approve, None),
            (Received, Receive, None),
        ];
        for (from, event, expected) in cases {
            assert_eq!(purchase_next(from, event), expected, "{from} {event}");
        }
        assert!(Requested.is_open() && Approved.is_open());
        assert!(!Rejected.is_open() && !Received.is_open());
    }

    #[test]
    fn the_proposal_counts_what_is_already_on_order() {
        let cases = [(10, 0, 10), (10, 4, 6), (10, 12, 0), (0, 0, 0), (5, -1, 5)];
        for (proposed, on_order, expected) in cases {
            assert_eq!(still_to_order(proposed, on_order), expected);
        }
    }

    #[test]
    fn loaners_are_lent_recalled_and_retired_only_when_available() {
        use LoanerEvent::*;
        use LoanerStatus::*;
        assert_eq!(loaner_next(Available, Lend), Some(Lent));
        assert_eq!(loaner_next(Lent, Recall), Some(Available));
        assert_eq!(loaner_next(Available, Retire), Some(Retired));
        assert_eq!(loaner_next(Lent, Lend), None);
        assert_eq!(loaner_next(Lent, Retire), None);
        assert_eq!(loaner_next(Retired, Lend), None);
        assert_eq!(loaner_next(Available, Recall), None);
    }

    /// A random operation on a small ledger of 2 parts × 3 locations.
    #[derive(Debug, Clone)]
    enum Op {
        Single {
            part: u8,
            location: u8,
            kind: MovementKind,
            quantity: i64,
        },
        Transfer {
            part: u8,
            from: u8,
            to: u8,
            quantity: i64,
        },
    }

    fn op() -> impl Strategy<Value = Op> {
        let kinds = prop::sample::select(vec![
            Receipt,
            Issue,
            ReturnUnused,
            ReturnFaulty,
            Scrap,
            CountAdjustment,
        ]);
        prop_oneof![
            (0u8..2, 0u8..3, kinds, -20i64..40).prop_map(|(part, location, kind, quantity)| {
                Op::Single {
                    part,
                    location,
                    kind,
                    quantity,
                }
            }),
            (0u8..2, 0u8..3, 0u8..3, -5i64..30).prop_map(|(part, from, to, quantity)| {
                Op::Transfer {
                    part,
                    from,
                    to,
                    quantity,
                }
            }),
        ]
    }

    proptest! {
        #[test]
        fn accepted_movements_never_make_stock_negative_and_sum_to_the_stock(
            ops in prop::collection::vec(op(), 0..80)
        ) {
            let mut stock: HashMap<(u8, u8), i64> = HashMap::new();
            // The ledger: every accepted movement, as (part, location, delta).
            let mut ledger: Vec<(u8, u8, i64)> = Vec::new();
            for op in ops {
                match op {
                    Op::Single { part, location, kind, quantity } => {
                        let on_hand = *stock.get(&(part, location)).unwrap_or(&0);
                        if let Ok(after) = apply(on_hand, kind, quantity) {
                            stock.insert((part, location), after);
                            ledger.push((part, location, kind.delta(quantity)));
                        }
                    }
                    Op::Transfer { part, from, to, quantity } => {
                        // Both halves or neither, as in one transaction.
                        let out_of = *stock.get(&(part, from)).unwrap_or(&0);
                        let Ok(after_out) = apply(out_of, TransferOut, quantity) else { continue };
                        stock.insert((part, from), after_out);
                        let into = *stock.get(&(part, to)).unwrap_or(&0);
                        let after_in = apply(into, TransferIn, quantity).expect("receiving never falls short");
                        stock.insert((part, to), after_in);
                        ledger.push((part, from, TransferOut.delta(quantity)));
                        ledger.push((part, to, TransferIn.delta(quantity)));
                    }
                }
                prop_assert!(stock.values().all(|q| *q >= 0));
            }
            for ((part, location), on_hand) in &stock {
                let sum: i64 = ledger
                    .iter()
                    .filter(|(p, l, _)| p == part && l == location)
                    .map(|(_, _, delta)| delta)
                    .sum();
                prop_assert_eq!(sum, *on_hand);
            }
        }

        #[test]
        fn a_refused_movement_names_exactly_the_missing_quantity(
            on_hand in 0i64..100, quantity in 1i64..200
        ) {
            match apply(on_hand, Issue, quantity) {
                Ok(after) => prop_assert_eq!(after, on_hand - quantity),
                Err(StockError::Shortfall { shortfall, .. }) => {
                    prop_assert_eq!(shortfall, quantity - on_hand)
                }
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }

        #[test]
        fn the_moving_average_lies_between_the_old_average_and_the_receipt_cost(
            on_hand in 0i64..1000, average in 0i64..100_000, quantity in 1i64..1000, cost in 0i64..100_000
        ) {
            let got = moving_average(on_hand, average, quantity, cost);
            let (low, high) = if on_hand == 0 { (cost, cost) } else { (average.min(cost), average.max(cost)) };
            prop_assert!(low <= got && got <= high);
        }
    }
}
