//! The parts reports (issue 7): stock value by location and class, slow movers, parts
//! consumption by product and fault class, technician van stock, tools held per
//! technician and open purchase requests. Each is a table of strings with headers in the
//! reader's language, shown on one page and exported to .xlsx through `tabular`.
//!
//! Who reads them: `PartsReport` (the warehouse keeper, the service department, branch and
//! general managers, the accountant); a technician's parts access is their own van. Rows
//! are limited to the central warehouse and the branches in the reader's scope.

use aftersales_domain::money::format_yuan;
use aftersales_domain::parts::{MovementKind, PurchaseStatus};
use aftersales_domain::role::Permission;
use aftersales_domain::tools::ToolStatus;
use aftersales_store::entity::{
    part, product, service_order, stock_level, stock_location, stock_movement, tool, user,
};
use aftersales_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use crate::{Actor, App, AppError};

const DAY_MS: i64 = 86_400_000;

/// The report kinds, in menu order.
pub const KINDS: &[&str] = &[
    "stock_value",
    "slow_movers",
    "consumption",
    "van_stock",
    "tools_held",
    "open_purchases",
];

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// slow_movers: no issue in this many days (default 90); consumption: over the last
    /// this many days (default 365).
    pub days: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub kind: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn headers(english: bool, zh: &[&str], en: &[&str]) -> Vec<String> {
    let chosen = if english { en } else { zh };
    chosen.iter().map(|h| h.to_string()).collect()
}

fn class_of(part: &part::Model) -> String {
    part.abc_override
        .clone()
        .unwrap_or(part.abc_class.clone())
        .to_uppercase()
}

/// The date part of an instant (UTC), enough for a report column.
fn date_of(ms: i64) -> String {
    date_of_text(&crate::format_ms(ms))
}

/// The rows of a kind of purchase the reader may not see are left out of the report (a
/// reader who may not plan parts purchases sees the tool purchases only); any other failure
/// fails the report rather than leave rows out.
fn none_if_forbidden<T>(rows: Result<Vec<T>, AppError>) -> Result<Vec<T>, AppError> {
    match rows {
        Err(AppError::Forbidden) => Ok(Vec::new()),
        other => other,
    }
}

/// Builds one report.
pub async fn report(
    app: &App,
    actor: &Actor,
    kind: &str,
    query: &ReportQuery,
    english: bool,
) -> Result<Report, AppError> {
    actor.require(Permission::PartsReport)?;
    let db = &app.db;
    let now = app.now_ms();
    let locations: Vec<stock_location::Model> = stock_location::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|l| l.kind == "central" || actor.sees(l.org_unit_id, None))
        .collect();
    let location_ids: Vec<i64> = locations.iter().map(|l| l.id).collect();
    let parts = part::Entity::find().all(db).await?;
    let part_of = |id: i64| parts.iter().find(|p| p.id == id);
    let location_of = |id: i64| locations.iter().find(|l| l.id == id);
    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::LocationId.is_in(location_ids.clone()))
        .all(db)
        .await?;
    let (headers, rows) = match kind {
        "stock_value" => {
            let mut sums: Vec<(i64, String, i64, i64, i64)> = Vec::new();
            for level in levels.iter().filter(|l| l.on_hand > 0) {
                let Some(part) = part_of(level.part_id) else {
                    continue;
                };
                let class = class_of(part);
                let value = level.on_hand * part.avg_cost_fen;
                match sums
                    .iter_mut()
                    .find(|s| s.0 == level.location_id && s.1 == class)
                {
                    Some(s) => {
                        s.2 += 1;
                        s.3 += level.on_hand;
                        s.4 += value;
                    }
                    None => sums.push((level.location_id, class, 1, level.on_hand, value)),
                }
            }
            sums.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            (
                headers(
                    english,
                    &["库位", "ABC分类", "品种数", "库存数量", "金额（元）"],
                    &["Location", "ABC class", "Parts", "On hand", "Value (yuan)"],
                ),
                sums.into_iter()
                    .map(|(location, class, lines, quantity, value)| {
                        vec![
                            location_of(location)
                                .map(|l| l.name.clone())
                                .unwrap_or_default(),
                            class,
                            lines.to_string(),
                            quantity.to_string(),
                            format_yuan(value),
                        ]
                    })
                    .collect(),
            )
        }
        "slow_movers" => {
            let days = query.days.unwrap_or(90).clamp(1, 3650);
            let issues = stock_movement::Entity::find()
                .filter(stock_movement::Column::Kind.is_in([
                    MovementKind::Issue.as_str(),
                    MovementKind::TransferOut.as_str(),
                ]))
                .filter(stock_movement::Column::LocationId.is_in(location_ids.clone()))
                .all(db)
                .await?;
            let mut rows = Vec::new();
            for level in levels.iter().filter(|l| l.on_hand > 0) {
                let (Some(part), Some(location)) =
                    (part_of(level.part_id), location_of(level.location_id))
                else {
                    continue;
                };
                let last = issues
                    .iter()
                    .filter(|m| m.part_id == part.id && m.location_id == location.id)
                    .map(|m| m.created_at)
                    .max();
                if last.is_some_and(|at| at >= now - days * DAY_MS) {
                    continue;
                }
                rows.push(vec![
                    location.name.clone(),
                    part.part_number.clone(),
                    part.name.clone(),
                    level.on_hand.to_string(),
                    format_yuan(level.on_hand * part.avg_cost_fen),
                    last.map(date_of).unwrap_or_else(|| "—".into()),
                ]);
            }
            rows.sort();
            (
                headers(
                    english,
                    &["库位", "备件编号", "名称", "库存", "金额（元）", "最近发出"],
                    &[
                        "Location",
                        "Part number",
                        "Name",
                        "On hand",
                        "Value (yuan)",
                        "Last issued",
                    ],
                ),
                rows,
            )
        }
        "consumption" => {
            let days = query.days.unwrap_or(365).clamp(1, 3650);
            let movements = stock_movement::Entity::find()
                .filter(stock_movement::Column::Kind.is_in([
                    MovementKind::Issue.as_str(),
                    MovementKind::ReturnUnused.as_str(),
                ]))
                .filter(stock_movement::Column::OrderId.is_not_null())
                .filter(stock_movement::Column::CreatedAt.gte(now - days * DAY_MS))
                .all(db)
                .await?;
            let orders = service_order::Entity::find()
                .filter(
                    service_order::Column::Id.is_in(
                        movements
                            .iter()
                            .filter_map(|m| m.order_id)
                            .collect::<Vec<_>>(),
                    ),
                )
                .all(db)
                .await?;
            let products = product::Entity::find().all(db).await?;
            // (product, fault class, part) → (quantity, value)
            let mut sums: Vec<(String, String, i64, i64, i64)> = Vec::new();
            for m in &movements {
                let Some(order) = orders
                    .iter()
                    .find(|o| Some(o.id) == m.order_id)
                    .filter(|o| actor.sees(o.org_unit_id, None))
                else {
                    continue;
                };
                let product = order
                    .product_id
                    .and_then(|id| products.iter().find(|p| p.id == id))
                    .map(|p| p.model.clone())
                    .unwrap_or_else(|| "—".into());
                let used = -m.delta;
                match sums
                    .iter_mut()
                    .find(|s| s.0 == product && s.1 == order.fault_class && s.2 == m.part_id)
                {
                    Some(s) => {
                        s.3 += used;
                        s.4 += used * m.unit_cost_fen;
                    }
                    None => sums.push((
                        product,
                        order.fault_class.clone(),
                        m.part_id,
                        used,
                        used * m.unit_cost_fen,
                    )),
                }
            }
            sums.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
            (
                headers(
                    english,
                    &[
                        "产品型号",
                        "故障类别",
                        "备件编号",
                        "名称",
                        "用量",
                        "金额（元）",
                    ],
                    &[
                        "Product",
                        "Fault class",
                        "Part number",
                        "Name",
                        "Quantity",
                        "Value (yuan)",
                    ],
                ),
                sums.into_iter()
                    .filter(|s| s.3 != 0)
                    .map(|(product, fault, part_id, quantity, value)| {
                        let part = part_of(part_id);
                        vec![
                            product,
                            fault,
                            part.map(|p| p.part_number.clone()).unwrap_or_default(),
                            part.map(|p| p.name.clone()).unwrap_or_default(),
                            quantity.to_string(),
                            format_yuan(value),
                        ]
                    })
                    .collect(),
            )
        }
        "van_stock" => {
            let people = user::Entity::find().all(db).await?;
            let mut rows = Vec::new();
            for level in levels.iter().filter(|l| l.on_hand > 0) {
                let (Some(part), Some(location)) =
                    (part_of(level.part_id), location_of(level.location_id))
                else {
                    continue;
                };
                if location.kind != "van" {
                    continue;
                }
                let technician = location
                    .technician_id
                    .and_then(|id| people.iter().find(|p| p.id == id))
                    .map(|p| p.display_name.clone())
                    .unwrap_or_else(|| location.name.clone());
                rows.push(vec![
                    technician,
                    part.part_number.clone(),
                    part.name.clone(),
                    level.on_hand.to_string(),
                    format_yuan(level.on_hand * part.avg_cost_fen),
                ]);
            }
            rows.sort();
            (
                headers(
                    english,
                    &["技术员", "备件编号", "名称", "库存", "金额（元）"],
                    &[
                        "Technician",
                        "Part number",
                        "Name",
                        "On hand",
                        "Value (yuan)",
                    ],
                ),
                rows,
            )
        }
        "tools_held" => {
            let tools: Vec<tool::Model> = tool::Entity::find()
                .filter(tool::Column::Status.eq(ToolStatus::Issued.as_str()))
                .all(db)
                .await?
                .into_iter()
                .filter(|t| actor.sees(t.org_unit_id, None))
                .collect();
            let people = user::Entity::find()
                .filter(
                    user::Column::Id
                        .is_in(tools.iter().filter_map(|t| t.holder_id).collect::<Vec<_>>()),
                )
                .all(db)
                .await?;
            let mut rows = Vec::new();
            for person in &people {
                let mut held: Vec<&tool::Model> = tools
                    .iter()
                    .filter(|t| t.holder_id == Some(person.id))
                    .collect();
                held.sort_by(|a, b| a.asset_no.cmp(&b.asset_no));
                rows.push(vec![
                    person.display_name.clone(),
                    held.len().to_string(),
                    format_yuan(held.iter().map(|t| t.value_fen).sum()),
                    held.iter()
                        .map(|t| format!("{} {}", t.asset_no, t.name))
                        .collect::<Vec<_>>()
                        .join("; "),
                ]);
            }
            rows.sort();
            (
                headers(
                    english,
                    &["保管人", "工具数", "金额（元）", "工具"],
                    &["Holder", "Tools", "Value (yuan)", "Tools held"],
                ),
                rows,
            )
        }
        "open_purchases" => {
            let requests = none_if_forbidden(crate::purchasing::open_requests(app, actor).await)?;
            let tool_requests = none_if_forbidden(crate::tools::open_purchases(app, actor).await)?;
            let mut rows: Vec<Vec<String>> = requests
                .into_iter()
                .filter(|r| PurchaseStatus::parse(&r.status).is_some_and(|s| s.is_open()))
                .map(|r| {
                    vec![
                        r.number,
                        format!("{} {}", r.part_number, r.part_name),
                        r.quantity.to_string(),
                        format_yuan(r.quantity * r.unit_cost_fen),
                        r.location_name,
                        r.status,
                        r.order_number.unwrap_or_default(),
                        date_of_text(&r.requested_at),
                    ]
                })
                .collect();
            rows.extend(tool_requests.into_iter().map(|r| {
                vec![
                    r.number,
                    r.name,
                    "1".into(),
                    format_yuan(r.price_fen),
                    String::new(),
                    r.status,
                    String::new(),
                    date_of_text(&r.requested_at),
                ]
            }));
            (
                headers(
                    english,
                    &[
                        "请购单号",
                        "品名",
                        "数量",
                        "金额（元）",
                        "库位",
                        "状态",
                        "服务凭证",
                        "申请日期",
                    ],
                    &[
                        "Number",
                        "Item",
                        "Quantity",
                        "Value (yuan)",
                        "Location",
                        "Status",
                        "Service order",
                        "Requested",
                    ],
                ),
                rows,
            )
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(Report {
        kind: kind.to_string(),
        headers,
        rows,
    })
}

fn date_of_text(instant: &str) -> String {
    instant.chars().take(10).collect()
}

/// One report as an .xlsx file; answers the bytes and a file name.
pub async fn export(
    app: &App,
    actor: &Actor,
    kind: &str,
    query: &ReportQuery,
    english: bool,
) -> Result<(Vec<u8>, String), AppError> {
    let report = report(app, actor, kind, query, english).await?;
    let headers: Vec<&str> = report.headers.iter().map(String::as_str).collect();
    let format = aftersales_tabular::Format::Xlsx;
    let bytes = aftersales_tabular::write(format, kind, &headers, &report.rows).map_err(|err| {
        AppError::Internal(anyhow::anyhow!("writing the {kind} report failed: {err}"))
    })?;
    Ok((
        bytes,
        format!("{kind}-{}.{}", app.today(), format.extension()),
    ))
}
