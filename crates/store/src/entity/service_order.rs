//! A service order (服务凭证) with the instants its SLA clocks need.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "service_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub channel: String,
    pub customer_id: i64,
    pub address_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub product_id: Option<i64>,
    pub component: Option<String>,
    pub fault_description: Option<String>,
    pub fault_class: String,
    pub urgency: String,
    pub category: String,
    pub proposed_category: String,
    pub category_reason: Option<String>,
    pub status: String,
    pub priority: bool,
    pub technician_id: Option<i64>,
    pub repeat_of_id: Option<i64>,
    pub preferred_time: Option<String>,
    pub received_at: i64,
    pub registered_by: i64,
    pub dispatched_at: Option<i64>,
    pub contacted_at: Option<i64>,
    pub appointment_at: Option<i64>,
    pub arrived_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub archived_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    /// When the technician showed the price schedule (REPAIR-2).
    pub price_schedule_shown_at: Option<i64>,
    /// cash or invoice, for a paid total on completion (BILLING-4/5).
    pub payment_method: Option<String>,
    pub payment_fen: Option<i64>,
    /// When an accountant confirmed the cash handover; empty: still with the technician.
    pub cash_handed_over_at: Option<i64>,
    /// While the order waits (customer, parts, a quote's answer): the status work resumes in.
    pub resume_status: Option<String>,
    /// bug, requirement, other or consultation, for software faults (SOFTWARE-1).
    pub software_class: Option<String>,
    /// p1 to p4 (SOFTWARE-2).
    pub software_priority: Option<String>,
    /// The quoted amount for out-of-warranty work (BILLING-2) and when it was issued and
    /// accepted by the customer.
    pub quote_fen: Option<i64>,
    pub quote_issued_at: Option<i64>,
    pub quote_accepted_at: Option<i64>,
    /// Conduct checklist items (REPAIR-6) the customer answered "no" to, comma-separated;
    /// empty when all were confirmed, NULL when the checklist was not asked.
    pub conduct_exceptions: Option<String>,
    /// The arrival time the customer set at intake (DISPATCH-4).
    pub requested_arrival_at: Option<i64>,
    /// The order is finished and its SLA verdicts are counted in `sla_outcome_days`; the
    /// breach report replays only the orders without this mark.
    pub sla_frozen: bool,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
