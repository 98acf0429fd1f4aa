//! The settings registry (SYSTEM-2): every administrator setting with its default and the
//! seed clause it comes from. Only values that differ from the default are stored; every
//! change is audited.

use std::collections::HashMap;

use aftersales_domain::numbering::NumberPattern;
use aftersales_domain::role::Permission;
use aftersales_store::entity::setting;
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use serde::Serialize;

use crate::{audit, Actor, App, AppError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettingKind {
    /// A whole number of at least 0.
    Count,
    /// A number pattern such as `KS-{YYYYMM}-{seq:4}`.
    NumberPattern,
    /// A ratio between 0 and 1, e.g. the share of a clock used before it warns.
    Ratio,
    /// Four level labels separated by `/`, best first (the survey levels).
    Levels,
    /// The address the site is reached at from outside, e.g. `https://service.example.com`
    /// (links in e-mails to customers).
    Origin,
    /// Names separated by commas (、 and ， are accepted), e.g. product categories.
    List,
    /// A local time of day, `HH:MM`.
    TimeOfDay,
    /// A local time window, `HH:MM-HH:MM` (the end after the start).
    TimeWindow,
}

pub struct SettingDef {
    pub key: &'static str,
    pub default: &'static str,
    pub kind: SettingKind,
    /// Seed clause or "design decision".
    pub source: &'static str,
    pub description_zh: &'static str,
    pub description_en: &'static str,
}

pub const REGISTRY: &[SettingDef] = &[
    SettingDef {
        key: "billing.quote_threshold_fen",
        default: "0",
        kind: SettingKind::Count,
        source: "004 篇二 2 (threshold: design decision; 0 = every paid job is quoted)",
        description_zh: "有费服务超过此金额（分）须经客户确认报价",
        description_en: "Paid work above this amount (fen) needs a quote the customer accepted",
    },
    SettingDef {
        key: "billing.onsite_cash_limit",
        default: "50000",
        kind: SettingKind::Count,
        source: "001 流程(七) (seed: \"费用较低\", no value; amount: design decision)",
        description_zh: "现场收取现金上限（分）",
        description_en: "Most cash a technician may collect on site (fen)",
    },
    SettingDef {
        key: "billing.invoice_number_pattern",
        default: "FP-{YYYYMM}-{seq:5}",
        kind: SettingKind::NumberPattern,
        source: "001 流程(七) (pattern: design decision)",
        description_zh: "发票编号规则",
        description_en: "Invoice number pattern",
    },
    SettingDef {
        key: "customer.number_pattern",
        default: "C{seq:6}",
        kind: SettingKind::NumberPattern,
        source: "design decision",
        description_zh: "客户编号规则",
        description_en: "Customer number pattern",
    },
    SettingDef {
        key: "customer.abc_a_min_annual_purchase_fen",
        default: "5000000",
        kind: SettingKind::Count,
        source: "003 Ⅳ-b 5, 9 (amount: design decision)",
        description_zh: "A类客户年采购额下限（分）",
        description_en: "Minimum annual purchases of a class A customer (fen)",
    },
    SettingDef {
        key: "customer.abc_b_min_annual_purchase_fen",
        default: "1000000",
        kind: SettingKind::Count,
        source: "003 Ⅳ-b 5, 9 (amount: design decision)",
        description_zh: "B类客户年采购额下限（分）",
        description_en: "Minimum annual purchases of a class B customer (fen)",
    },
    SettingDef {
        key: "contract.number_pattern",
        default: "BY{YYYY}-{seq:5}",
        kind: SettingKind::NumberPattern,
        source: "design decision",
        description_zh: "保养合同编号规则",
        description_en: "Maintenance contract number pattern",
    },
    SettingDef {
        key: "parts.abc_a_percent",
        default: "80",
        kind: SettingKind::Count,
        source: "design decision (the usual ABC split)",
        description_zh: "A类备件占消耗金额的百分比",
        description_en: "Share of consumption value taken by class A parts (%)",
    },
    SettingDef {
        key: "parts.abc_b_percent",
        default: "15",
        kind: SettingKind::Count,
        source: "design decision (the usual ABC split)",
        description_zh: "B类备件占消耗金额的百分比",
        description_en: "Share of consumption value taken by class B parts (%)",
    },
    SettingDef {
        key: "parts.loaner_return_days",
        default: "3",
        kind: SettingKind::Count,
        source: "PARTS-4 (design decision)",
        description_zh: "替补商品逾期未还的天数（自承诺交还日起）",
        description_en: "Days after the promised return date before a loaner still out is flagged",
    },
    SettingDef {
        key: "parts.count_interval_days",
        default: "30",
        kind: SettingKind::Count,
        source: "PARTS-2, T21 (design decision)",
        description_zh: "库存核查周期（天）：每个库位按此周期生成盘点任务",
        description_en: "Stock count interval (days): each location gets a count task this often",
    },
    SettingDef {
        key: "parts.lead_time_days",
        default: "7",
        kind: SettingKind::Count,
        source: "PARTS-2 (design decision)",
        description_zh: "采购提前期（天），用于建议再订货点",
        description_en: "Purchase lead time (days) used to suggest reorder points",
    },
    SettingDef {
        key: "tools.fixed_asset_threshold",
        default: "2000",
        kind: SettingKind::Count,
        source: "TOOLS-3 (design decision)",
        description_zh: "工具价值达到此金额（元）即为固定资产",
        description_en: "Tools valued at or above this amount (yuan) are fixed assets",
    },
    SettingDef {
        key: "tools.valuable_threshold",
        default: "500",
        kind: SettingKind::Count,
        source: "TOOLS-2 (design decision)",
        description_zh: "工具价值达到此金额（元）时，磨损或损坏须提交书面原因报告",
        description_en: "Wear-out or damage of a tool valued at or above this amount (yuan) needs a written cause report",
    },
    SettingDef {
        key: "service_order.number_pattern",
        default: "{branch}{YYYYMMDD}{seq:4}",
        kind: SettingKind::NumberPattern,
        source: "001 流程(五) (pattern: design decision)",
        description_zh: "服务凭证编号规则（按网点和日期）",
        description_en: "Service order number pattern (per branch and day)",
    },
    SettingDef {
        key: "goods_receipt.number_pattern",
        default: "SH{YYYYMMDD}{seq:3}",
        kind: SettingKind::NumberPattern,
        source: "001 流程(八) (pattern: design decision)",
        description_zh: "客户商品领取收据编号规则（按日期）",
        description_en: "Goods receipt number pattern (per day)",
    },
    SettingDef {
        key: "dispatch.first_contact_minutes",
        default: "30",
        kind: SettingKind::Count,
        source: "000 第19条② (seed blank; 30: design decision)",
        description_zh: "派工后联系客户时限（工作分钟）",
        description_en: "Contact the customer within (working minutes after dispatch)",
    },
    SettingDef {
        key: "sla.urban_hours",
        default: "6",
        kind: SettingKind::Count,
        source: "001 流程(十六)",
        description_zh: "市区到达时限（工作小时，自叫修时间起）",
        description_en: "Arrival in town within (working hours from the call)",
    },
    SettingDef {
        key: "sla.suburban_hours",
        default: "7",
        kind: SettingKind::Count,
        source: "001 流程(十六)",
        description_zh: "郊区到达时限（工作小时，自叫修时间起）",
        description_en: "Arrival in the suburbs within (working hours from the call)",
    },
    SettingDef {
        key: "repair.promise_hours",
        default: "24",
        kind: SettingKind::Count,
        source: "000 第19条⑤⑨ (seed blank; 24: design decision)",
        description_zh: "承诺完工时限（工作小时，自叫修时间起）",
        description_en: "Promised completion (working hours from the call)",
    },
    SettingDef {
        key: "intake.answer_hours",
        default: "24",
        kind: SettingKind::Count,
        source: "T3 (004 篇二 3: 接到服务信息,应在24小时内答复)",
        description_zh: "答复客户时限（小时，自叫修时间起，日历时间）",
        description_en: "Answer the customer within (hours from the call, calendar time)",
    },
    SettingDef {
        key: "daily_report.remind_time",
        default: "17:30",
        kind: SettingKind::TimeOfDay,
        source: "T7 (001 流程(十二)–(十四); time: design decision)",
        description_zh: "每个工作日提醒提交日报表的时间（网点当地时间）",
        description_en: "When on each working day the daily report reminders go out (local time)",
    },
    SettingDef {
        key: "staff.oncall_window",
        default: "08:00-22:00",
        kind: SettingKind::TimeWindow,
        source: "STAFF-4, T20 (004 篇二 4)",
        description_zh: "技术员待命时段（当地时间，期间无故关机或拒接电话按违纪处理）",
        description_en: "Technicians' on-call window (local time; an unexplained switch-off or refused call inside it is a breach)",
    },
    SettingDef {
        key: "report.dispatch_day_cost_fen",
        default: "20000",
        kind: SettingKind::Count,
        source: "REPORT-1 (cost per person-day: design decision; travel expenses are not recorded here)",
        description_zh: "月度统计中售后派工每人日的标准成本（分）",
        description_en: "Standard cost of one dispatch person-day in the monthly statistics (fen)",
    },
    SettingDef {
        key: "software.target_hours",
        default: "24",
        kind: SettingKind::Count,
        source: "SOFTWARE-4, T19 (004 篇三 二 3)",
        description_zh: "需测试环境的软件问题目标解决时限（小时，7×24 日历时用；否则为恢复上班当天下班前）",
        description_en: "Target for software issues needing a test environment (hours; used with a 7×24 calendar, otherwise the end of the working day on which work resumes)",
    },
    SettingDef {
        key: "lists.count_cap",
        default: "10000",
        kind: SettingKind::Count,
        source: "issue 8: a page of 50 of a million orders (cap: design decision)",
        description_zh: "服务单列表最多计数到该条数，超过显示为“N+”（计数过多会拖慢翻页）",
        description_en: "Order lists count their matches up to this number and show more as \"N+\" (counting every match slows each page)",
    },
    SettingDef {
        key: "sla.escalation_step_hours",
        default: "2",
        kind: SettingKind::Count,
        source: "issue: escalation chain (interval: design decision)",
        description_zh: "超时后逐级督办的间隔（小时）",
        description_en: "Hours between escalation levels after a breach",
    },
    SettingDef {
        key: "sla.sweep_minutes",
        default: "5",
        kind: SettingKind::Count,
        source: "design decision",
        description_zh: "检查时限的周期（分钟）",
        description_en: "How often deadlines are checked (minutes)",
    },
    SettingDef {
        key: "sla.warn_ratio",
        default: "0.75",
        kind: SettingKind::Ratio,
        source: "DISPATCH-3 (design decision)",
        description_zh: "时限用去该比例时预警",
        description_en: "Warn when this share of a deadline is used",
    },
    SettingDef {
        key: "repair.repeat_window_days",
        default: "90",
        kind: SettingKind::Count,
        source: "004 篇二 3, 4 (window: design decision)",
        description_zh: "重复维修判定期（天）",
        description_en: "Repeat-repair window (days)",
    },
    SettingDef {
        key: "visit.max_interval_months",
        default: "12",
        kind: SettingKind::Count,
        source: "001 客户关系 6 (value: design decision)",
        description_zh: "客户拜访最长间隔（月）",
        description_en: "Longest interval between customer visits (months)",
    },
    SettingDef {
        key: "supervision.recheck_percent",
        default: "10",
        kind: SettingKind::Count,
        source: "003 Ⅷ方案(三) 4 (share: design decision; 100 or more re-checks every case)",
        description_zh: "投诉热线反监督抽查比例（%）",
        description_en: "Share of hotline cases drawn for the counter-supervision re-check (%)",
    },
    SettingDef {
        key: "survey.levels",
        default: aftersales_domain::survey::DEFAULT_LEVELS,
        kind: SettingKind::Levels,
        source: "001 流程(二十一) (labels: design decision)",
        description_zh: "调查卡四级评价（从好到差，用 / 分隔）",
        description_en: "The four survey levels, best first, separated by /",
    },
    SettingDef {
        key: "survey.follow_up_days",
        default: "3",
        kind: SettingKind::Count,
        source: "003 Ⅷ方案(三) 5; 000 第17条 (days: design decision, as install.followup_days)",
        description_zh: "服务完成后回访期限（天）",
        description_en: "Days after a completed call by which the follow-up call is due",
    },
    SettingDef {
        key: "site.public_origin",
        default: "http://localhost:8080",
        kind: SettingKind::Origin,
        source: "design decision",
        description_zh: "系统对外访问地址（客户邮件中的链接）",
        description_en: "The site's public address (links in e-mails to customers)",
    },
    SettingDef {
        key: "delivery.min_order_amount",
        default: "0",
        kind: SettingKind::Count,
        source: "000 第4–6条 (seed blank \"达到元\"; 0 = only bulky goods: design decision)",
        description_zh: "单次购买达到该金额即送货（分，0表示只按大件送货）",
        description_en: "Deliver purchases of at least this amount (fen; 0: bulky goods only)",
    },
    SettingDef {
        key: "delivery.number_pattern",
        default: "PS{branch}{YYYYMMDD}{seq:3}",
        kind: SettingKind::NumberPattern,
        source: "design decision",
        description_zh: "送货单编号规则（按网点和日期）",
        description_en: "Delivery number pattern (per branch and day)",
    },
    SettingDef {
        key: "rma.no_reason_days",
        default: "7",
        kind: SettingKind::Count,
        source: "000 第21条 (no limit in seed; 7: design decision, T26)",
        description_zh: "无理由退换期限（自购买日起天数）",
        description_en: "Returns without a reason within (days after purchase)",
    },
    SettingDef {
        key: "rma.non_returnable_categories",
        default: "食品,药品,化妆品,贴身用品,黄金珠宝,感光器材,烟,酒,口吹乐器,电池",
        kind: SettingKind::List,
        source: "000 第21条",
        description_zh: "不在无理由退换之列的商品类别",
        description_en: "Product categories that cannot be returned without a reason",
    },
    SettingDef {
        key: "return.number_pattern",
        default: "TH{YYYYMMDD}{seq:3}",
        kind: SettingKind::NumberPattern,
        source: "design decision",
        description_zh: "退换货单编号规则（按日期）",
        description_en: "Return request number pattern (per day)",
    },
    SettingDef {
        key: "ecom.seller_response_hours",
        default: "48",
        kind: SettingKind::Count,
        source: "003 Ⅵ 4 (seed \"逾期\"; 48: design decision, T15)",
        description_zh: "网店售后申请：商家答复期限（小时，逾期自动同意）",
        description_en: "Online requests: the seller answers within (hours; then auto-accepted)",
    },
    SettingDef {
        key: "ecom.arbitration_request_hours",
        default: "72",
        kind: SettingKind::Count,
        source: "003 Ⅵ 5 (step time limits; 72: design decision)",
        description_zh: "网店售后申请：商家拒绝后买家申请平台介入的期限（小时）",
        description_en: "Online requests: a rejected buyer may ask for arbitration within (hours)",
    },
    SettingDef {
        key: "ecom.arbitration_ruling_hours",
        default: "72",
        kind: SettingKind::Count,
        source: "003 Ⅵ 5 (step time limits; 72: design decision)",
        description_zh: "网店售后申请：平台客服裁决期限（小时）",
        description_en: "Online requests: the platform arbiter rules within (hours)",
    },
    SettingDef {
        key: "ecom.number_pattern",
        default: "WS{YYYYMMDD}{seq:4}",
        kind: SettingKind::NumberPattern,
        source: "design decision",
        description_zh: "网店售后申请编号规则（按日期）",
        description_en: "Online request number pattern (per day)",
    },
    SettingDef {
        key: "claim.number_pattern",
        default: "SP-{YYYYMM}-{seq:4}",
        kind: SettingKind::NumberPattern,
        source: "design decision",
        description_zh: "索赔编号规则",
        description_en: "Claim number pattern",
    },
    SettingDef {
        key: "claim.countermeasure_days",
        default: "3",
        kind: SettingKind::Count,
        source: "001 索赔 4, 6 (seed \"尽快\"; 3: design decision)",
        description_zh: "索赔对策期限（天，自获知日起）",
        description_en: "Countermeasure due within (days after the claim became known)",
    },
    SettingDef {
        key: "complaint.number_pattern",
        default: "KS-{YYYYMM}-{seq:4}",
        kind: SettingKind::NumberPattern,
        source: "001 投诉(二) (pattern and monthly reset: design decision)",
        description_zh: "客户投诉表单编号规则",
        description_en: "Complaint number pattern",
    },
    SettingDef {
        key: "complaint.reply_hours",
        default: "24",
        kind: SettingKind::Count,
        source: "001 投诉(六)1",
        description_zh: "受理后答复客户时限（小时）",
        description_en: "Reply to the complainant within (hours after acceptance)",
    },
    SettingDef {
        key: "complaint.reply_working_time",
        default: "0",
        kind: SettingKind::Count,
        source: "design decision (\"24小时内\" read as calendar time)",
        description_zh: "答复时限按工作时间计算（1）或按日历时间（0）",
        description_en: "Count the reply allowance in working time (1) or calendar time (0)",
    },
    SettingDef {
        key: "complaint.task_days",
        default: "3",
        kind: SettingKind::Count,
        source: "001 投诉(五) (days: design decision)",
        description_zh: "部门调查任务默认期限（天）",
        description_en: "Default due date of a department task (days after routing)",
    },
    SettingDef {
        key: "complaint.reminder_repeat_hours",
        default: "24",
        kind: SettingKind::Count,
        source: "001 投诉(八) (interval: design decision)",
        description_zh: "催办单重复间隔（小时），每次升级",
        description_en: "Hours between repeated overdue reminders (each raises the level)",
    },
    SettingDef {
        key: "complaint.individual_case_after",
        default: "2",
        kind: SettingKind::Count,
        source: "003 Ⅷ方案(一) 三.9 (\"多次\"; 2: design decision)",
        description_zh: "重复处理仍不满意转为个案的次数",
        description_en: "Reopenings after which a complaint becomes an individual case",
    },
    SettingDef {
        key: "install.send_hours",
        default: "4",
        kind: SettingKind::Count,
        source: "000 第15条 (seed \"及时\"; 4: design decision, T17)",
        description_zh: "销售后安装派工单发出时限（小时）",
        description_en: "Send the installation work order within (hours after the sale)",
    },
    SettingDef {
        key: "install.ack_hours",
        default: "24",
        kind: SettingKind::Count,
        source: "000 第16条 (design decision: a scorecard measure)",
        description_zh: "安装公司确认派工单的时限（小时，计入考核）",
        description_en: "The installation company acknowledges within (hours; on its scorecard)",
    },
    SettingDef {
        key: "install.followup_days",
        default: "3",
        kind: SettingKind::Count,
        source: "000 第17条 (days: design decision, T18)",
        description_zh: "安装完成后回访期限（天）",
        description_en: "Follow up an installation this many days after completion",
    },
    SettingDef {
        key: "install.number_pattern",
        default: "AZ{branch}{YYYYMMDD}{seq:3}",
        kind: SettingKind::NumberPattern,
        source: "design decision",
        description_zh: "安装派工单编号规则（按网点和日期）",
        description_en: "Installation work order number pattern (per branch and day)",
    },
];

pub fn definition(key: &str) -> Option<&'static SettingDef> {
    REGISTRY.iter().find(|def| def.key == key)
}

fn check_value(def: &SettingDef, value: &str) -> Result<String, &'static str> {
    let value = value.trim();
    match def.kind {
        SettingKind::Count => value
            .parse::<u64>()
            .map(|n| n.to_string())
            .map_err(|_| "invalid_number"),
        SettingKind::NumberPattern => NumberPattern::parse(value).map(|_| value.to_string()),
        SettingKind::Ratio => match value.parse::<f64>() {
            Ok(ratio) if (0.0..=1.0).contains(&ratio) => Ok(value.to_string()),
            _ => Err("invalid_ratio"),
        },
        SettingKind::Levels => {
            aftersales_domain::survey::parse_levels(value).map(|labels| labels.join("/"))
        }
        SettingKind::Origin => {
            let rest = value
                .strip_prefix("https://")
                .or_else(|| value.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !host.contains(['/', ' ', '?', '#']) => {
                    Ok(value.to_string())
                }
                _ => Err("invalid_origin"),
            }
        }
        SettingKind::List => {
            let items = split_list(value);
            if items.is_empty() {
                Err("required")
            } else {
                Ok(items.join(","))
            }
        }
        SettingKind::TimeOfDay => parse_time(value)
            .map(|t| t.strftime("%H:%M").to_string())
            .ok_or("invalid_time"),
        SettingKind::TimeWindow => match parse_window(value) {
            Some((from, to)) => Ok(format!(
                "{}-{}",
                from.strftime("%H:%M"),
                to.strftime("%H:%M")
            )),
            None => Err("invalid_time_window"),
        },
    }
}

/// The items of a list setting, trimmed, without empty ones.
pub fn split_list(value: &str) -> Vec<String> {
    value
        .split([',', '，', '、'])
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// The effective value of a registered setting.
pub async fn get(db: &impl ConnectionTrait, key: &'static str) -> Result<String, AppError> {
    let [value] = get_all(db, [key]).await?;
    Ok(value)
}

/// The effective values of registered settings, in the order of `keys`, with one query.
pub async fn get_all<const N: usize>(
    db: &impl ConnectionTrait,
    keys: [&'static str; N],
) -> Result<[String; N], AppError> {
    let stored: HashMap<String, String> = setting::Entity::find()
        .filter(setting::Column::Key.is_in(keys))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.key, row.value))
        .collect();
    effective(&stored, keys)
}

/// The effective values of registered settings, in the order of `keys`, among the `stored`
/// values (key → value): a key without a stored value has its default.
pub fn effective<const N: usize>(
    stored: &HashMap<String, String>,
    keys: [&'static str; N],
) -> Result<[String; N], AppError> {
    let defs = keys.map(definition);
    if let Some(unregistered) = defs.iter().position(Option::is_none) {
        let key = keys[unregistered];
        return Err(AppError::Internal(anyhow::anyhow!(
            "unregistered setting {key}"
        )));
    }
    let mut values = defs.map(|def| def.map_or_else(String::new, |d| d.default.to_string()));
    for (value, key) in values.iter_mut().zip(keys) {
        if let Some(stored) = stored.get(key) {
            value.clone_from(stored);
        }
    }
    Ok(values)
}

pub async fn get_count(db: &impl ConnectionTrait, key: &'static str) -> Result<i64, AppError> {
    as_count(key, &get(db, key).await?)
}

/// A count setting's value as a number.
pub fn as_count(key: &str, value: &str) -> Result<i64, AppError> {
    value
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("setting {key} is not a number")))
}

pub async fn get_pattern(
    db: &impl ConnectionTrait,
    key: &'static str,
) -> Result<NumberPattern, AppError> {
    as_pattern(key, &get(db, key).await?)
}

/// A number pattern setting's value, parsed.
pub fn as_pattern(key: &str, value: &str) -> Result<NumberPattern, AppError> {
    NumberPattern::parse(value)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("setting {key} is not a valid pattern")))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SettingView {
    pub key: String,
    pub value: String,
    pub default: String,
    pub kind: SettingKind,
    pub source: String,
    pub description: String,
}

pub async fn list(app: &App, actor: &Actor, english: bool) -> Result<Vec<SettingView>, AppError> {
    actor.require(Permission::OrgRead)?;
    let stored = setting::Entity::find().all(&app.db).await?;
    Ok(REGISTRY
        .iter()
        .map(|def| SettingView {
            key: def.key.to_string(),
            value: stored
                .iter()
                .find(|row| row.key == def.key)
                .map_or_else(|| def.default.to_string(), |row| row.value.clone()),
            default: def.default.to_string(),
            kind: def.kind,
            source: def.source.to_string(),
            description: if english {
                def.description_en
            } else {
                def.description_zh
            }
            .to_string(),
        })
        .collect())
}

pub async fn set(app: &App, actor: &Actor, key: &str, value: &str) -> Result<(), AppError> {
    actor.require(Permission::SettingsWrite)?;
    let def = definition(key).ok_or(AppError::NotFound)?;
    let value = check_value(def, value).map_err(|code| AppError::invalid("value", code))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let stored = setting::Entity::find()
        .filter(setting::Column::Key.eq(key))
        .one(&txn)
        .await?;
    let before = stored
        .as_ref()
        .map_or_else(|| def.default.to_string(), |row| row.value.clone());
    let id = match stored {
        Some(row) => {
            let id = row.id;
            let mut active: setting::ActiveModel = row.into();
            active.value = Set(value.clone());
            active.updated_by = Set(Some(actor.user_id));
            active.updated_at = Set(now);
            active.update(&txn).await?;
            id
        }
        None => {
            setting::ActiveModel {
                key: Set(key.to_string()),
                value: Set(value.clone()),
                updated_by: Set(Some(actor.user_id)),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
            .id
        }
    };
    audit::record(
        &txn,
        now,
        Some(actor),
        "setting",
        id,
        "update",
        Some(&serde_json::json!({ "key": key, "value": before })),
        Some(&serde_json::json!({ "key": key, "value": value })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn parse_time(text: &str) -> Option<jiff::civil::Time> {
    let (hour, minute) = text.trim().split_once(':')?;
    jiff::civil::Time::new(hour.parse().ok()?, minute.parse().ok()?, 0, 0).ok()
}

/// A `HH:MM-HH:MM` window whose end is after its start.
pub fn parse_window(text: &str) -> Option<(jiff::civil::Time, jiff::civil::Time)> {
    let (from, to) = text.split_once(['-', '–'])?;
    let (from, to) = (parse_time(from)?, parse_time(to)?);
    (from < to).then_some((from, to))
}

/// A `HH:MM` setting as a time of day.
pub async fn get_time(
    db: &impl ConnectionTrait,
    key: &'static str,
) -> Result<jiff::civil::Time, AppError> {
    let value = get(db, key).await?;
    parse_time(&value)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("setting {key} is not a time: {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_passes_its_own_check() {
        for def in REGISTRY {
            assert_eq!(
                check_value(def, def.default).as_deref(),
                Ok(def.default),
                "{}",
                def.key
            );
        }
    }

    #[test]
    fn the_non_returnable_default_is_the_seed_list() {
        let def = definition("rma.non_returnable_categories").unwrap();
        assert_eq!(
            split_list(def.default),
            aftersales_domain::returns::DEFAULT_NON_RETURNABLE
        );
        assert_eq!(
            check_value(def, "食品、 电池，"),
            Ok("食品,电池".to_string())
        );
        assert_eq!(check_value(def, " , "), Err("required"));
    }

    #[test]
    fn bad_values_are_refused_by_kind() {
        let pattern = definition("customer.number_pattern").unwrap();
        assert_eq!(check_value(pattern, "C-{nope}"), Err("invalid_pattern"));
        let count = definition("visit.max_interval_months").unwrap();
        assert_eq!(check_value(count, "-3"), Err("invalid_number"));
    }
}
