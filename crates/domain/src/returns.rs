//! Returns and exchanges (退换货, RMA-2..8): whether a unit may be returned, at what price,
//! and the explanation the customer reads, plus the RMA state machine (Appendix C.4).
//! Pure: the caller passes the facts found at the counter and "today".

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::code_enum;
use crate::money::format_yuan;

/// The seed's non-returnable categories (RMA-2), the default of the
/// `rma.non_returnable_categories` setting.
pub const DEFAULT_NON_RETURNABLE: &[&str] = &[
    "食品",
    "药品",
    "化妆品",
    "贴身用品",
    "黄金珠宝",
    "感光器材",
    "烟",
    "酒",
    "口吹乐器",
    "电池",
];

/// Days after the sale in which a 三包 product is returned or exchanged as normal goods
/// (RMA-3, T14: fixed by the seed, not a setting).
pub const SANBAO_NORMAL_DAYS: i64 = 7;

code_enum! {
    /// What the customer asks for.
    pub enum Wish {
        Refund = "refund",
        Exchange = "exchange",
        Repair = "repair",
    }
}

code_enum! {
    /// Why the customer brings the unit back, as they say it.
    pub enum ReturnReason {
        /// 无理由退换: changed their mind.
        NoReason = "no_reason",
        /// Colour, size or fit (RMA-5): logged, and an exchange is offered.
        NonQuality = "non_quality",
        /// A quality defect (三包).
        Quality = "quality",
        /// Damaged by the company (delivery, installation, service).
        CompanyDamage = "company_damage",
    }
}

code_enum! {
    /// The state of the goods found when staff check them.
    pub enum Condition {
        /// Not soiled, not damaged, can be sold again.
        Resaleable = "resaleable",
        /// Soiled or damaged, not by misuse: cannot be sold again.
        Soiled = "soiled",
        /// Damaged by the customer's use, washing or care (RMA-6).
        Misuse = "misuse",
    }
}

code_enum! {
    /// The decision's outcome.
    pub enum Outcome {
        Approved = "approved",
        Refused = "refused",
        /// A 三包 return after 7 days waits for a quality inspection report.
        AwaitingReport = "awaiting_report",
        /// The customer wants a repair: a service order, not a return.
        Repair = "repair",
    }
}

code_enum! {
    /// The rule that decided, shown to the customer.
    pub enum Rule {
        NoProof = "no_proof",
        Misuse = "misuse",
        NonReturnable = "non_returnable",
        NotResaleable = "not_resaleable",
        NoReasonWindowPassed = "no_reason_window_passed",
        NoReasonReturn = "no_reason_return",
        NonQualityReturn = "non_quality_return",
        SanbaoWithinDays = "sanbao_within_days",
        SanbaoReportRequired = "sanbao_report_required",
        SanbaoWithReport = "sanbao_with_report",
        /// A quality claim on a product outside 三包 is a warranty repair, not a return.
        NotSanbao = "not_sanbao",
        CompanyDamage = "company_damage",
        RepairWish = "repair_wish",
    }
}

code_enum! {
    /// Which price rule set the refund value (RMA-4).
    pub enum PriceRule {
        /// Bought at a discount: the discounted price paid.
        Discounted = "discounted",
        /// Seasonal goods returned late: the current price.
        CurrentPrice = "current_price",
        /// Damage caused by the company: the original (list) price.
        OriginalPrice = "original_price",
        /// Bought at the list price: the price paid.
        PricePaid = "price_paid",
    }
}

/// Everything the rules need, gathered by the caller.
#[derive(Debug, Clone)]
pub struct ReturnFacts<'a> {
    pub product_category: &'a str,
    /// The product's own flag (a product may be non-returnable whatever its category).
    pub product_returnable: bool,
    /// The configured non-returnable categories.
    pub non_returnable: &'a [String],
    pub sanbao: bool,
    pub seasonal: bool,
    pub reason: ReturnReason,
    pub condition: Condition,
    pub wish: Wish,
    /// An invoice or other voucher was shown (and filed).
    pub proof_of_purchase: bool,
    /// A quality inspection report (商品质量检验报告) is attached.
    pub inspection_report: bool,
    pub sold_on: Date,
    pub today: Date,
    /// `rma.no_reason_days`.
    pub no_reason_days: i64,
    pub list_price_fen: i64,
    pub paid_price_fen: i64,
    /// Today's price, needed only for a seasonal product returned late.
    pub current_price_fen: Option<i64>,
}

/// The decision and what the customer reads about it. Stored as it was made, so the
/// explanation later shows the facts of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub rule: Rule,
    /// The proposed refund (or exchange credit) value; none when refused or for a repair.
    pub refund_fen: Option<i64>,
    pub price_rule: Option<PriceRule>,
    /// Offer a repair (RMA-6, or a quality claim outside 三包).
    pub repair_offered: bool,
    /// Offer an exchange (RMA-5).
    pub exchange_offered: bool,
    pub days_since_sale: i64,
    pub window_days: i64,
    pub category: String,
    pub list_price_fen: i64,
    pub paid_price_fen: i64,
}

/// The facts are incomplete: the caller must ask for this field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("a seasonal product returned late needs today's price")]
    CurrentPriceRequired,
}

fn is_non_returnable(facts: &ReturnFacts<'_>) -> bool {
    !facts.product_returnable
        || facts
            .non_returnable
            .iter()
            .any(|c| c.trim() == facts.product_category.trim())
}

/// Decides a return (RMA-2..6). Order of the rules: a repair wish is a service order;
/// misuse is refused whatever else holds; without proof nothing is returned; company damage
/// and quality claims follow 三包 (non-returnable categories do not stop them, RMA-2);
/// no-reason and non-quality returns need a returnable category, resaleable goods and the
/// no-reason window.
pub fn decide(facts: &ReturnFacts<'_>) -> Result<Decision, FactsError> {
    let days = (facts.today - facts.sold_on).get_days().max(0).into();
    let decision = |outcome, rule, window_days| Decision {
        outcome,
        rule,
        refund_fen: None,
        price_rule: None,
        repair_offered: false,
        exchange_offered: false,
        days_since_sale: days,
        window_days,
        category: facts.product_category.to_string(),
        list_price_fen: facts.list_price_fen,
        paid_price_fen: facts.paid_price_fen,
    };
    if facts.wish == Wish::Repair {
        return Ok(Decision {
            repair_offered: true,
            ..decision(Outcome::Repair, Rule::RepairWish, 0)
        });
    }
    if facts.condition == Condition::Misuse {
        return Ok(Decision {
            repair_offered: true,
            ..decision(Outcome::Refused, Rule::Misuse, 0)
        });
    }
    if !facts.proof_of_purchase {
        return Ok(decision(Outcome::Refused, Rule::NoProof, 0));
    }
    let approved = |rule, window_days| -> Result<Decision, FactsError> {
        let (refund_fen, price_rule) = price(facts, days)?;
        Ok(Decision {
            refund_fen: Some(refund_fen),
            price_rule: Some(price_rule),
            exchange_offered: facts.reason == ReturnReason::NonQuality,
            ..decision(Outcome::Approved, rule, window_days)
        })
    };
    match facts.reason {
        ReturnReason::CompanyDamage => approved(Rule::CompanyDamage, 0),
        ReturnReason::Quality if !facts.sanbao => Ok(Decision {
            repair_offered: true,
            ..decision(Outcome::Refused, Rule::NotSanbao, 0)
        }),
        ReturnReason::Quality if days <= SANBAO_NORMAL_DAYS => {
            approved(Rule::SanbaoWithinDays, SANBAO_NORMAL_DAYS)
        }
        ReturnReason::Quality if facts.inspection_report => {
            approved(Rule::SanbaoWithReport, SANBAO_NORMAL_DAYS)
        }
        ReturnReason::Quality => Ok(decision(
            Outcome::AwaitingReport,
            Rule::SanbaoReportRequired,
            SANBAO_NORMAL_DAYS,
        )),
        ReturnReason::NoReason | ReturnReason::NonQuality => {
            let window = facts.no_reason_days;
            let refused = |rule| Ok(decision(Outcome::Refused, rule, window));
            if is_non_returnable(facts) {
                refused(Rule::NonReturnable)
            } else if facts.condition != Condition::Resaleable {
                refused(Rule::NotResaleable)
            } else if days > window {
                refused(Rule::NoReasonWindowPassed)
            } else if facts.reason == ReturnReason::NonQuality {
                approved(Rule::NonQualityReturn, window)
            } else {
                approved(Rule::NoReasonReturn, window)
            }
        }
    }
}

/// The refund value and its rule (RMA-4): company damage → the original price; seasonal
/// goods returned after the normal 7 days → today's price, never more than was paid (design
/// decision: a return does not earn the customer money); a discount → the price paid.
fn price(facts: &ReturnFacts<'_>, days: i64) -> Result<(i64, PriceRule), FactsError> {
    if facts.reason == ReturnReason::CompanyDamage {
        return Ok((facts.list_price_fen, PriceRule::OriginalPrice));
    }
    if facts.seasonal && days > SANBAO_NORMAL_DAYS {
        let current = facts
            .current_price_fen
            .ok_or(FactsError::CurrentPriceRequired)?;
        return Ok((current.min(facts.paid_price_fen), PriceRule::CurrentPrice));
    }
    if facts.paid_price_fen < facts.list_price_fen {
        return Ok((facts.paid_price_fen, PriceRule::Discounted));
    }
    Ok((facts.paid_price_fen, PriceRule::PricePaid))
}

/// Whether the facts need today's price (a seasonal product after the normal 7 days), so a
/// form can ask for it.
pub fn needs_current_price(seasonal: bool, sold_on: Date, today: Date) -> bool {
    seasonal && i64::from((today - sold_on).get_days()) > SANBAO_NORMAL_DAYS
}

impl Decision {
    /// The decision in words the customer reads, in Chinese or English.
    pub fn explain(&self, english: bool) -> String {
        let mut parts = vec![self.rule_text(english)];
        if let (Some(refund), Some(rule)) = (self.refund_fen, self.price_rule) {
            parts.push(self.price_text(rule, refund, english));
        }
        if self.exchange_offered {
            parts.push(if english {
                "We offer you an exchange for another colour, size or model.".into()
            } else {
                "我们可为您调换其他颜色、尺码或型号。".into()
            });
        }
        if self.repair_offered && self.outcome != Outcome::Repair {
            parts.push(if english {
                "We offer to repair the product for you instead.".into()
            } else {
                "我们可以为您维修该商品。".into()
            });
        }
        parts.join(if english { " " } else { "" })
    }

    fn rule_text(&self, english: bool) -> String {
        let days = self.days_since_sale;
        let window = self.window_days;
        let category = &self.category;
        match (self.rule, english) {
            (Rule::NoProof, false) => "退换货须出示发票或其他购货凭证，您未能提供，因此不能受理。".into(),
            (Rule::NoProof, true) => "A return needs the invoice or another proof of purchase; none was shown, so we cannot accept it.".into(),
            (Rule::Misuse, false) => "商品因使用、洗涤或保养不当而损坏，不属于退换范围。".into(),
            (Rule::Misuse, true) => "The product was damaged by improper use, washing or care, which is not covered by returns or exchanges.".into(),
            (Rule::NonReturnable, false) => format!("“{category}”类商品不在无理由退换之列。"),
            (Rule::NonReturnable, true) => format!("Goods of the category “{category}” cannot be returned without a reason."),
            (Rule::NotResaleable, false) => "商品已污损或损坏，不能再次销售，因此不能无理由退换。".into(),
            (Rule::NotResaleable, true) => "The goods are soiled or damaged and cannot be sold again, so they cannot be returned without a reason.".into(),
            (Rule::NoReasonWindowPassed, false) => format!("无理由退换须在购买后{window}天内办理，本商品已购买{days}天。"),
            (Rule::NoReasonWindowPassed, true) => format!("Returns without a reason are accepted within {window} days of purchase; this product was bought {days} days ago."),
            (Rule::NoReasonReturn, false) => format!("商品未污损、可再次销售，且凭购货凭证在购买后{window}天内办理，可无理由退换。"),
            (Rule::NoReasonReturn, true) => format!("The goods are clean, undamaged and can be sold again, and you have proof of purchase within {window} days: they can be returned without a reason."),
            (Rule::NonQualityReturn, false) => format!("颜色、尺码或合适度等非质量原因已登记；商品完好且在购买后{window}天内，可以退换。"),
            (Rule::NonQualityReturn, true) => format!("Your reason (colour, size or fit) is recorded; the goods are in perfect condition and within {window} days of purchase, so they can be returned."),
            (Rule::SanbaoWithinDays, false) => format!("三包商品在售出{window}天内（已{days}天）出现质量问题，按正常商品退换。"),
            (Rule::SanbaoWithinDays, true) => format!("A 三包 product with a quality problem within {window} days of sale ({days} days) is returned or exchanged as normal."),
            (Rule::SanbaoReportRequired, false) => format!("三包商品售出已超过{window}天（已{days}天），须提供商品质量检验报告后方可退换。"),
            (Rule::SanbaoReportRequired, true) => format!("The 三包 product was sold more than {window} days ago ({days} days): a quality inspection report is needed before it can be returned or exchanged."),
            (Rule::SanbaoWithReport, false) => format!("三包商品售出已超过{window}天（已{days}天），已提供商品质量检验报告，可以退换。"),
            (Rule::SanbaoWithReport, true) => format!("The 三包 product was sold more than {window} days ago ({days} days) and the quality inspection report is attached, so it can be returned or exchanged."),
            (Rule::NotSanbao, false) => "该商品不属于三包商品，质量问题按保修维修处理，不予退换。".into(),
            (Rule::NotSanbao, true) => "This product is not covered by 三包: a quality problem is repaired under warranty rather than returned.".into(),
            (Rule::CompanyDamage, false) => "商品因本公司原因损坏，可以退换。".into(),
            (Rule::CompanyDamage, true) => "The product was damaged by our company, so it can be returned or exchanged.".into(),
            (Rule::RepairWish, false) => "您希望维修，我们将为您开立维修单。".into(),
            (Rule::RepairWish, true) => "You asked for a repair: we open a repair order for you.".into(),
        }
    }

    fn price_text(&self, rule: PriceRule, refund: i64, english: bool) -> String {
        let refund = format_yuan(refund);
        let list = format_yuan(self.list_price_fen);
        let paid = format_yuan(self.paid_price_fen);
        match (rule, english) {
            (PriceRule::Discounted, false) => format!("商品为折价购买（原价¥{list}，实付¥{paid}），按折扣价退款¥{refund}。"),
            (PriceRule::Discounted, true) => format!("You bought it at a discount (list price ¥{list}, paid ¥{paid}): the refund is the discounted price, ¥{refund}."),
            (PriceRule::CurrentPrice, false) => format!("季节性商品逾期退货，按现价退款¥{refund}。"),
            (PriceRule::CurrentPrice, true) => format!("A seasonal product returned late is refunded at today's price: ¥{refund}."),
            (PriceRule::OriginalPrice, false) => format!("因本公司原因损坏，按原价退款¥{refund}。"),
            (PriceRule::OriginalPrice, true) => format!("Because we caused the damage, the refund is the original price: ¥{refund}."),
            (PriceRule::PricePaid, false) => format!("按实付价格退款¥{refund}。"),
            (PriceRule::PricePaid, true) => format!("The refund is the price you paid: ¥{refund}."),
        }
    }
}

code_enum! {
    /// Where a return request stands (Appendix C.4). A request is under review from the
    /// moment it is filed with its proof.
    pub enum RmaStatus {
        UnderReview = "under_review",
        AwaitingReport = "awaiting_report",
        Approved = "approved",
        Rejected = "rejected",
        GoodsReceived = "goods_received",
        Refunded = "refunded",
        Exchanged = "exchanged",
        Closed = "closed",
    }
}

code_enum! {
    pub enum RmaEvent {
        /// Staff check the goods and the rules decide.
        Review = "review",
        /// The quality inspection report arrived: review again.
        AttachReport = "attach_report",
        ReceiveGoods = "receive_goods",
        Refund = "refund",
        /// The replacement was handed over.
        Exchange = "exchange",
        /// Root cause and the responsible department/person recorded (RMA-8).
        Close = "close",
    }
}

impl RmaEvent {
    /// A refund only settles a refund wish, and an exchange only an exchange wish; the
    /// other steps do not depend on what the customer asked for.
    pub fn fits_wish(self, wish: Wish) -> bool {
        match self {
            RmaEvent::Refund => wish == Wish::Refund,
            RmaEvent::Exchange => wish == Wish::Exchange,
            _ => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not possible when the return is {from}")]
pub struct InvalidRmaTransition {
    pub from: RmaStatus,
    pub event: RmaEvent,
}

/// The state after `event`. Review's target depends on the decision: see [`after_review`].
pub fn next_rma_status(
    from: RmaStatus,
    event: RmaEvent,
) -> Result<RmaStatus, InvalidRmaTransition> {
    use RmaEvent as E;
    use RmaStatus as S;
    Ok(match (from, event) {
        (S::UnderReview, E::Review) => S::UnderReview,
        (S::AwaitingReport, E::AttachReport) => S::UnderReview,
        (S::Approved, E::ReceiveGoods) => S::GoodsReceived,
        (S::GoodsReceived, E::Refund) => S::Refunded,
        (S::GoodsReceived, E::Exchange) => S::Exchanged,
        (S::Refunded | S::Exchanged, E::Close) => S::Closed,
        _ => return Err(InvalidRmaTransition { from, event }),
    })
}

/// Where a review leaves the request.
pub fn after_review(outcome: Outcome) -> RmaStatus {
    match outcome {
        Outcome::Approved => RmaStatus::Approved,
        Outcome::AwaitingReport => RmaStatus::AwaitingReport,
        Outcome::Refused | Outcome::Repair => RmaStatus::Rejected,
    }
}

/// The events possible now, for the buttons a page offers.
pub fn rma_events(from: RmaStatus) -> Vec<RmaEvent> {
    RmaEvent::ALL
        .iter()
        .copied()
        .filter(|event| next_rma_status(from, *event).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn seeds() -> Vec<String> {
        DEFAULT_NON_RETURNABLE
            .iter()
            .map(|c| c.to_string())
            .collect()
    }

    /// A clean no-reason return of an air conditioner bought at list price 3 days ago.
    fn base(non_returnable: &[String]) -> ReturnFacts<'_> {
        ReturnFacts {
            product_category: "空调",
            product_returnable: true,
            non_returnable,
            sanbao: true,
            seasonal: false,
            reason: ReturnReason::NoReason,
            condition: Condition::Resaleable,
            wish: Wish::Refund,
            proof_of_purchase: true,
            inspection_report: false,
            sold_on: date(2026, 11, 1),
            today: date(2026, 11, 4),
            no_reason_days: 7,
            list_price_fen: 300_000,
            paid_price_fen: 300_000,
            current_price_fen: None,
        }
    }

    struct Case {
        name: &'static str,
        change: fn(&mut ReturnFacts<'_>),
        outcome: Outcome,
        rule: Rule,
        refund: Option<(i64, PriceRule)>,
        repair_offered: bool,
    }

    #[test]
    fn every_eligibility_and_price_rule() {
        let list = seeds();
        let cases = [
            Case {
                name: "clean no-reason return at list price",
                change: |_| {},
                outcome: Outcome::Approved,
                rule: Rule::NoReasonReturn,
                refund: Some((300_000, PriceRule::PricePaid)),
                repair_offered: false,
            },
            Case {
                name: "no-reason return on the last day of the window",
                change: |f| f.today = date(2026, 11, 8),
                outcome: Outcome::Approved,
                rule: Rule::NoReasonReturn,
                refund: Some((300_000, PriceRule::PricePaid)),
                repair_offered: false,
            },
            Case {
                name: "no-reason return a day too late",
                change: |f| f.today = date(2026, 11, 9),
                outcome: Outcome::Refused,
                rule: Rule::NoReasonWindowPassed,
                refund: None,
                repair_offered: false,
            },
            Case {
                name: "no-reason return without proof",
                change: |f| f.proof_of_purchase = false,
                outcome: Outcome::Refused,
                rule: Rule::NoProof,
                refund: None,
                repair_offered: false,
            },
            Case {
                name: "no-reason return of soiled goods",
                change: |f| f.condition = Condition::Soiled,
                outcome: Outcome::Refused,
                rule: Rule::NotResaleable,
                refund: None,
                repair_offered: false,
            },
            Case {
                name: "batteries are not returnable without a reason",
                change: |f| f.product_category = "电池",
                outcome: Outcome::Refused,
                rule: Rule::NonReturnable,
                refund: None,
                repair_offered: false,
            },
            Case {
                name: "a product flagged non-returnable",
                change: |f| f.product_returnable = false,
                outcome: Outcome::Refused,
                rule: Rule::NonReturnable,
                refund: None,
                repair_offered: false,
            },
            Case {
                name: "a non-returnable category with a quality defect follows 三包",
                change: |f| {
                    f.product_category = "电池";
                    f.reason = ReturnReason::Quality;
                },
                outcome: Outcome::Approved,
                rule: Rule::SanbaoWithinDays,
                refund: Some((300_000, PriceRule::PricePaid)),
                repair_offered: false,
            },
            Case {
                name: "colour or size: exchange offered",
                change: |f| f.reason = ReturnReason::NonQuality,
                outcome: Outcome::Approved,
                rule: Rule::NonQualityReturn,
                refund: Some((300_000, PriceRule::PricePaid)),
                repair_offered: false,
            },
            Case {
                name: "discounted purchase refunds the discounted price",
                change: |f| f.paid_price_fen = 250_000,
                outcome: Outcome::Approved,
                rule: Rule::NoReasonReturn,
                refund: Some((250_000, PriceRule::Discounted)),
                repair_offered: false,
            },
            Case {
                name: "三包 quality defect on day 7",
                change: |f| {
                    f.reason = ReturnReason::Quality;
                    f.today = date(2026, 11, 8);
                },
                outcome: Outcome::Approved,
                rule: Rule::SanbaoWithinDays,
                refund: Some((300_000, PriceRule::PricePaid)),
                repair_offered: false,
            },
            Case {
                name: "三包 quality defect after 7 days without a report",
                change: |f| {
                    f.reason = ReturnReason::Quality;
                    f.today = date(2026, 11, 20);
                },
                outcome: Outcome::AwaitingReport,
                rule: Rule::SanbaoReportRequired,
                refund: None,
                repair_offered: false,
            },
            Case {
                name: "三包 quality defect after 7 days with a report",
                change: |f| {
                    f.reason = ReturnReason::Quality;
                    f.today = date(2026, 11, 20);
                    f.inspection_report = true;
                },
                outcome: Outcome::Approved,
                rule: Rule::SanbaoWithReport,
                refund: Some((300_000, PriceRule::PricePaid)),
                repair_offered: false,
            },
            Case {
                name: "三包 with a report, bought at a discount",
                change: |f| {
                    f.reason = ReturnReason::Quality;
                    f.today = date(2026, 11, 20);
                    f.inspection_report = true;
                    f.paid_price_fen = 280_000;
                },
                outcome: Outcome::Approved,
                rule: Rule::SanbaoWithReport,
                refund: Some((280_000, PriceRule::Discounted)),
                repair_offered: false,
            },
            Case {
                name: "quality defect of a product outside 三包 is repaired",
                change: |f| {
                    f.reason = ReturnReason::Quality;
                    f.sanbao = false;
                },
                outcome: Outcome::Refused,
                rule: Rule::NotSanbao,
                refund: None,
                repair_offered: true,
            },
            Case {
                name: "quality defect without proof",
                change: |f| {
                    f.reason = ReturnReason::Quality;
                    f.proof_of_purchase = false;
                },
                outcome: Outcome::Refused,
                rule: Rule::NoProof,
                refund: None,
                repair_offered: false,
            },
            Case {
                name: "seasonal goods returned late refund today's price",
                change: |f| {
                    f.reason = ReturnReason::Quality;
                    f.seasonal = true;
                    f.today = date(2026, 11, 20);
                    f.inspection_report = true;
                    f.current_price_fen = Some(200_000);
                },
                outcome: Outcome::Approved,
                rule: Rule::SanbaoWithReport,
                refund: Some((200_000, PriceRule::CurrentPrice)),
                repair_offered: false,
            },
            Case {
                name: "seasonal price never exceeds the price paid",
                change: |f| {
                    f.reason = ReturnReason::Quality;
                    f.seasonal = true;
                    f.today = date(2026, 11, 20);
                    f.inspection_report = true;
                    f.paid_price_fen = 150_000;
                    f.current_price_fen = Some(200_000);
                },
                outcome: Outcome::Approved,
                rule: Rule::SanbaoWithReport,
                refund: Some((150_000, PriceRule::CurrentPrice)),
                repair_offered: false,
            },
            Case {
                name: "seasonal goods returned on time refund the price paid",
                change: |f| f.seasonal = true,
                outcome: Outcome::Approved,
                rule: Rule::NoReasonReturn,
                refund: Some((300_000, PriceRule::PricePaid)),
                repair_offered: false,
            },
            Case {
                name: "company damage refunds the original price despite a discount",
                change: |f| {
                    f.reason = ReturnReason::CompanyDamage;
                    f.paid_price_fen = 250_000;
                    f.today = date(2026, 12, 30);
                    f.condition = Condition::Soiled;
                },
                outcome: Outcome::Approved,
                rule: Rule::CompanyDamage,
                refund: Some((300_000, PriceRule::OriginalPrice)),
                repair_offered: false,
            },
            Case {
                name: "company damage of seasonal goods late still the original price",
                change: |f| {
                    f.reason = ReturnReason::CompanyDamage;
                    f.seasonal = true;
                    f.today = date(2026, 12, 30);
                },
                outcome: Outcome::Approved,
                rule: Rule::CompanyDamage,
                refund: Some((300_000, PriceRule::OriginalPrice)),
                repair_offered: false,
            },
            Case {
                name: "misuse is refused with a repair offered",
                change: |f| f.condition = Condition::Misuse,
                outcome: Outcome::Refused,
                rule: Rule::Misuse,
                refund: None,
                repair_offered: true,
            },
            Case {
                name: "misuse outweighs a quality claim",
                change: |f| {
                    f.condition = Condition::Misuse;
                    f.reason = ReturnReason::Quality;
                },
                outcome: Outcome::Refused,
                rule: Rule::Misuse,
                refund: None,
                repair_offered: true,
            },
            Case {
                name: "misuse outweighs missing proof",
                change: |f| {
                    f.condition = Condition::Misuse;
                    f.proof_of_purchase = false;
                },
                outcome: Outcome::Refused,
                rule: Rule::Misuse,
                refund: None,
                repair_offered: true,
            },
            Case {
                name: "a repair wish becomes a repair order",
                change: |f| {
                    f.wish = Wish::Repair;
                    f.condition = Condition::Misuse;
                },
                outcome: Outcome::Repair,
                rule: Rule::RepairWish,
                refund: None,
                repair_offered: true,
            },
            Case {
                name: "an exchange wish uses the same rules",
                change: |f| {
                    f.wish = Wish::Exchange;
                    f.paid_price_fen = 270_000;
                },
                outcome: Outcome::Approved,
                rule: Rule::NoReasonReturn,
                refund: Some((270_000, PriceRule::Discounted)),
                repair_offered: false,
            },
        ];
        for case in cases {
            let mut facts = base(&list);
            (case.change)(&mut facts);
            let decision = decide(&facts).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            assert_eq!(decision.outcome, case.outcome, "{}", case.name);
            assert_eq!(decision.rule, case.rule, "{}", case.name);
            assert_eq!(
                decision.refund_fen.zip(decision.price_rule),
                case.refund,
                "{}",
                case.name
            );
            assert_eq!(
                decision.repair_offered, case.repair_offered,
                "{}",
                case.name
            );
            for english in [false, true] {
                assert!(!decision.explain(english).is_empty(), "{}", case.name);
            }
        }
    }

    #[test]
    fn a_seasonal_product_returned_late_needs_todays_price() {
        let list = seeds();
        let mut facts = base(&list);
        facts.reason = ReturnReason::Quality;
        facts.seasonal = true;
        facts.inspection_report = true;
        facts.today = date(2026, 11, 20);
        assert_eq!(decide(&facts), Err(FactsError::CurrentPriceRequired));
        assert!(needs_current_price(true, facts.sold_on, facts.today));
        assert!(!needs_current_price(true, facts.sold_on, date(2026, 11, 8)));
        assert!(!needs_current_price(false, facts.sold_on, facts.today));
    }

    #[test]
    fn every_seed_category_is_non_returnable_without_a_reason() {
        let list = seeds();
        for category in DEFAULT_NON_RETURNABLE {
            let mut facts = base(&list);
            facts.product_category = category;
            assert_eq!(
                decide(&facts).unwrap().rule,
                Rule::NonReturnable,
                "{category}"
            );
        }
    }

    #[test]
    fn the_non_returnable_list_is_configurable() {
        let list = vec!["空调".to_string()];
        assert_eq!(decide(&base(&list)).unwrap().rule, Rule::NonReturnable);
        let mut facts = base(&list);
        facts.product_category = "电池";
        assert_eq!(decide(&facts).unwrap().rule, Rule::NoReasonReturn);
    }

    #[test]
    fn explanations_name_the_facts_in_both_languages() {
        let list = seeds();
        let mut facts = base(&list);
        facts.paid_price_fen = 250_000;
        let decision = decide(&facts).unwrap();
        assert_eq!(
            decision.explain(false),
            "商品未污损、可再次销售，且凭购货凭证在购买后7天内办理，可无理由退换。商品为折价购买（原价¥3000.00，实付¥2500.00），按折扣价退款¥2500.00。"
        );
        assert!(decision
            .explain(true)
            .contains("discounted price, ¥2500.00"));

        facts.condition = Condition::Misuse;
        let misuse = decide(&facts).unwrap();
        assert!(misuse.explain(false).contains("维修"));
        assert!(misuse.explain(true).contains("repair"));

        let mut late = base(&list);
        late.reason = ReturnReason::Quality;
        late.today = date(2026, 11, 20);
        let waiting = decide(&late).unwrap();
        assert!(waiting.explain(false).contains("已19天"));
        assert!(waiting.explain(true).contains("(19 days)"));

        let mut battery = base(&list);
        battery.product_category = "电池";
        assert!(decide(&battery).unwrap().explain(false).contains("“电池”"));
    }

    #[test]
    fn the_rma_state_machine() {
        use RmaEvent as E;
        use RmaStatus as S;
        let allowed = [
            (S::UnderReview, E::Review, S::UnderReview),
            (S::AwaitingReport, E::AttachReport, S::UnderReview),
            (S::Approved, E::ReceiveGoods, S::GoodsReceived),
            (S::GoodsReceived, E::Refund, S::Refunded),
            (S::GoodsReceived, E::Exchange, S::Exchanged),
            (S::Refunded, E::Close, S::Closed),
            (S::Exchanged, E::Close, S::Closed),
        ];
        for from in RmaStatus::ALL {
            for event in RmaEvent::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| f == from && e == event)
                    .map(|(_, _, to)| *to);
                assert_eq!(
                    next_rma_status(*from, *event).ok(),
                    expected,
                    "{from} {event}"
                );
            }
        }
        assert_eq!(after_review(Outcome::Approved), S::Approved);
        assert_eq!(after_review(Outcome::AwaitingReport), S::AwaitingReport);
        assert_eq!(after_review(Outcome::Refused), S::Rejected);
        assert_eq!(after_review(Outcome::Repair), S::Rejected);
        assert!(rma_events(S::Closed).is_empty());
        assert!(rma_events(S::Rejected).is_empty());
    }
}
