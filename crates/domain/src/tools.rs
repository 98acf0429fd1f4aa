//! Tools and test equipment (检测、维修设备工具, TOOLS-1..3): the custody state machine, when a
//! loss or damage is owed as compensation, when a written cause report is needed, fixed
//! assets, and the tool purchase flow (price enquiry → finance price check → supervisor
//! approval → purchased).

use crate::code_enum;

code_enum! {
    /// Where a tool is.
    pub enum ToolStatus {
        /// In the warehouse, held by nobody.
        InStock = "in_stock",
        /// In a person's personal custody.
        Issued = "issued",
        Lost = "lost",
        Damaged = "damaged",
        /// Worn out by normal use.
        WornOut = "worn_out",
    }
}

code_enum! {
    /// A step in a tool's custody history.
    pub enum ToolEvent {
        Register = "register",
        /// Handed to a person, who accepts the no-private-use rule.
        Issue = "issue",
        /// Back to the warehouse.
        Return = "return",
        /// From one holder straight to another (移交).
        HandOver = "hand_over",
        Loss = "loss",
        Damage = "damage",
        WearOut = "wear_out",
    }
}

/// The tool state machine: a tool in stock is issued; an issued one is returned or handed
/// over; a loss, damage or wear-out ends its life from either state.
pub fn next(from: ToolStatus, event: ToolEvent) -> Option<ToolStatus> {
    use ToolEvent::*;
    use ToolStatus::*;
    match (from, event) {
        (InStock, Issue) => Some(Issued),
        (Issued, Return) => Some(InStock),
        (Issued, HandOver) => Some(Issued),
        (InStock | Issued, Loss) => Some(Lost),
        (InStock | Issued, Damage) => Some(Damaged),
        (InStock | Issued, WearOut) => Some(WornOut),
        _ => None,
    }
}

/// Whether the holder owes compensation: a loss or damage does, normal wear does not
/// (TOOLS-2). Without a holder there is nobody to owe it.
pub fn owes_compensation(event: ToolEvent, has_holder: bool) -> bool {
    has_holder && matches!(event, ToolEvent::Loss | ToolEvent::Damage)
}

/// Whether a written cause report is needed: wear-out or damage of a tool valued at or
/// above the valuable threshold (TOOLS-2).
pub fn needs_cause_report(event: ToolEvent, value_fen: i64, valuable_threshold_fen: i64) -> bool {
    matches!(event, ToolEvent::WearOut | ToolEvent::Damage) && value_fen >= valuable_threshold_fen
}

/// Whether a tool is a fixed asset (固定资产, TOOLS-3).
pub fn is_fixed_asset(value_fen: i64, threshold_fen: i64) -> bool {
    value_fen >= threshold_fen
}

code_enum! {
    /// Where a tool purchase request stands.
    pub enum PurchaseStatus {
        /// The service department collects prices (quotes).
        Enquiry = "enquiry",
        /// Finance has checked the price.
        PriceChecked = "price_checked",
        /// The supervisor approved the purchase.
        Approved = "approved",
        /// Bought and registered as a tool.
        Purchased = "purchased",
        Rejected = "rejected",
    }
}

code_enum! {
    pub enum PurchaseEvent {
        /// Finance confirms the price (the accountant).
        PriceCheck = "price_check",
        /// The supervisor approves.
        Approve = "approve",
        /// Finance or the supervisor refuses.
        Reject = "reject",
        /// Purchasing buys it; the tool is registered.
        Purchase = "purchase",
    }
}

/// The tool purchase flow, strictly in order; a request can be refused at the price check
/// or at the approval.
pub fn purchase_next(from: PurchaseStatus, event: PurchaseEvent) -> Option<PurchaseStatus> {
    use PurchaseEvent::*;
    use PurchaseStatus::*;
    match (from, event) {
        (Enquiry, PriceCheck) => Some(PriceChecked),
        (PriceChecked, Approve) => Some(Approved),
        (Approved, Purchase) => Some(Purchased),
        (Enquiry | PriceChecked, Reject) => Some(Rejected),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_move_between_stock_and_holders_until_their_life_ends() {
        use ToolEvent::*;
        use ToolStatus::*;
        let cases = [
            (InStock, Issue, Some(Issued)),
            (Issued, Return, Some(InStock)),
            (Issued, HandOver, Some(Issued)),
            (Issued, Loss, Some(Lost)),
            (InStock, Damage, Some(Damaged)),
            (Issued, WearOut, Some(WornOut)),
            (Issued, Issue, None),
            (InStock, Return, None),
            (InStock, HandOver, None),
            (Lost, Return, None),
            (Damaged, Issue, None),
            (WornOut, Loss, None),
            (InStock, Register, None),
        ];
        for (from, event, expected) in cases {
            assert_eq!(next(from, event), expected, "{from} {event}");
        }
    }

    #[test]
    fn loss_and_damage_are_owed_but_normal_wear_is_not() {
        use ToolEvent::*;
        let cases = [
            (Loss, true, true),
            (Damage, true, true),
            (WearOut, true, false),
            (Loss, false, false),
            (Return, true, false),
        ];
        for (event, has_holder, owed) in cases {
            assert_eq!(owes_compensation(event, has_holder), owed, "{event}");
        }
    }

    #[test]
    fn valuable_tools_need_a_cause_report_for_wear_and_damage() {
        use ToolEvent::*;
        let cases = [
            (WearOut, 50_000, 50_000, true),
            (Damage, 80_000, 50_000, true),
            (WearOut, 49_999, 50_000, false),
            (Loss, 80_000, 50_000, false),
        ];
        for (event, value, threshold, needed) in cases {
            assert_eq!(
                needs_cause_report(event, value, threshold),
                needed,
                "{event} {value}"
            );
        }
    }

    #[test]
    fn tools_at_or_above_the_threshold_are_fixed_assets() {
        assert!(is_fixed_asset(200_000, 200_000));
        assert!(!is_fixed_asset(199_999, 200_000));
    }

    #[test]
    fn tool_purchases_go_through_price_check_then_approval() {
        use PurchaseEvent::*;
        use PurchaseStatus::*;
        let cases = [
            (Enquiry, PriceCheck, Some(PriceChecked)),
            (PriceChecked, Approve, Some(Approved)),
            (Approved, Purchase, Some(Purchased)),
            (Enquiry, Reject, Some(Rejected)),
            (PriceChecked, Reject, Some(Rejected)),
            (Enquiry, Approve, None),
            (Enquiry, Purchase, None),
            (PriceChecked, Purchase, None),
            (Approved, Reject, None),
            (Purchased, Purchase, None),
            (Rejected, PriceCheck, None),
        ];
        for (from, event, expected) in cases {
            assert_eq!(purchase_next(from, event), expected, "{from} {event}");
        }
    }
}
