//! DISPATCH-6: the carry list of an order (`domain::carry_list`) from the parts catalogue,
//! the ledger's past issues to orders of the same product and fault class, and the stock in
//! the technician's van and in the branch. A part the van lacks is requisitioned with the
//! supervisor's transfer into the van (`parts::transfer_to_order`). The tools to bring are
//! the ones the technician holds in personal custody (TOOLS-1): the seeds name no tools per
//! product, so the list reminds them of their own kit (design decision).

use std::collections::HashMap;

use aftersales_domain::carry_list::{carry_list, Candidate};
use aftersales_domain::role::Permission;
use aftersales_store::entity::{
    part, part_fit, service_order, stock_level, stock_location, stock_movement, tool,
};
use aftersales_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::service_orders::find_visible;
use crate::{Actor, App, AppError};

/// Lines on a carry list at most.
const LIMIT: usize = 8;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarryLine {
    pub part_id: i64,
    pub part_number: String,
    pub name: String,
    /// Past orders of the same product and fault class that used it.
    pub past_uses: u32,
    /// On hand in the technician's van (0 without a technician or van).
    pub in_van: i64,
    /// On hand at the branch's other locations.
    pub in_branch: i64,
    /// Not in the van: to requisition before leaving.
    pub requisition: bool,
}

/// The carry list of an order: likely parts, and the tools its technician holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarryList {
    pub parts: Vec<CarryLine>,
    /// The technician's tools in personal custody: asset number and name.
    pub tools: Vec<String>,
}

pub async fn of_order(app: &App, actor: &Actor, order_id: i64) -> Result<CarryList, AppError> {
    actor.require(Permission::OrderRead)?;
    let order = find_visible(&app.db, actor, order_id).await?;
    let tools = match order.technician_id {
        Some(technician) => tool::Entity::find()
            .filter(tool::Column::HolderId.eq(technician))
            .order_by_asc(tool::Column::AssetNo)
            .all(&app.db)
            .await?
            .into_iter()
            .map(|t| format!("{} {}", t.asset_no, t.name))
            .collect(),
        None => Vec::new(),
    };
    Ok(CarryList {
        parts: likely_parts(app, &order).await?,
        tools,
    })
}

async fn likely_parts(app: &App, order: &service_order::Model) -> Result<Vec<CarryLine>, AppError> {
    let Some(product_id) = order.product_id else {
        return Ok(Vec::new());
    };
    let fitting: Vec<i64> = part_fit::Entity::find()
        .filter(part_fit::Column::ProductId.eq(product_id))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|f| f.part_id)
        .collect();
    // Past orders like this one, then what the ledger issued to them.
    let similar: Vec<i64> = service_order::Entity::find()
        .filter(service_order::Column::ProductId.eq(product_id))
        .filter(service_order::Column::FaultClass.eq(order.fault_class.clone()))
        .filter(service_order::Column::Id.ne(order.id))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let mut uses: HashMap<i64, std::collections::HashSet<i64>> = HashMap::new();
    for chunk in similar.chunks(crate::IN_LIST_CHUNK) {
        for movement in stock_movement::Entity::find()
            .filter(stock_movement::Column::Kind.eq("issue"))
            .filter(stock_movement::Column::OrderId.is_in(chunk.iter().copied()))
            .all(&app.db)
            .await?
        {
            if let Some(order_id) = movement.order_id {
                uses.entry(movement.part_id).or_default().insert(order_id);
            }
        }
    }
    let locations = stock_location::Entity::find()
        .filter(stock_location::Column::OrgUnitId.eq(order.org_unit_id))
        .filter(stock_location::Column::Active.eq(true))
        .all(&app.db)
        .await?;
    let van = locations
        .iter()
        .find(|l| l.technician_id.is_some() && l.technician_id == order.technician_id)
        .map(|l| l.id);
    let mut in_van: HashMap<i64, i64> = HashMap::new();
    let mut in_branch: HashMap<i64, i64> = HashMap::new();
    for level in stock_level::Entity::find()
        .filter(stock_level::Column::LocationId.is_in(locations.iter().map(|l| l.id)))
        .all(&app.db)
        .await?
    {
        let total = if Some(level.location_id) == van {
            &mut in_van
        } else {
            &mut in_branch
        };
        *total.entry(level.part_id).or_default() += level.on_hand;
    }
    let mut part_ids: Vec<i64> = fitting.clone();
    part_ids.extend(uses.keys().copied());
    part_ids.sort_unstable();
    part_ids.dedup();
    let candidates: Vec<Candidate> = part_ids
        .iter()
        .map(|id| Candidate {
            part_id: *id,
            fits: fitting.contains(id),
            past_uses: uses.get(id).map_or(0, |orders| orders.len() as u32),
            in_van: in_van.get(id).copied().unwrap_or(0),
        })
        .collect();
    let items = carry_list(&candidates, LIMIT);
    let parts: HashMap<i64, part::Model> = part::Entity::find()
        .filter(part::Column::Id.is_in(items.iter().map(|i| i.part_id)))
        .filter(part::Column::Active.eq(true))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(items
        .into_iter()
        .filter_map(|item| {
            let part = parts.get(&item.part_id)?;
            Some(CarryLine {
                part_id: item.part_id,
                part_number: part.part_number.clone(),
                name: part.name.clone(),
                past_uses: item.past_uses,
                in_van: item.in_van,
                in_branch: in_branch.get(&item.part_id).copied().unwrap_or(0),
                requisition: item.requisition,
            })
        })
        .collect())
}
