//! One SeaORM entity per table. Relations are followed by id in the service layer, which
//! keeps every query explicit.

pub mod api_token;
pub mod attachment;
pub mod audit_record;
pub mod branch_daily_report;
pub mod calendar;
pub mod calendar_day;
pub mod contract;
pub mod contract_unit;
pub mod customer;
pub mod customer_address;
pub mod customer_contact;
pub mod customer_note;
pub mod district;
pub mod fault_report;
pub mod fault_report_photo;
pub mod idempotency_key;
pub mod notification;
pub mod number_sequence;
pub mod org_unit;
pub mod product;
pub mod product_component;
pub mod qualification;
pub mod service_order;
pub mod service_order_event;
pub mod session;
pub mod setting;
pub mod sign_in_failure;
pub mod staff_skill;
pub mod technician_daily_report;
pub mod technician_daily_report_line;
pub mod timer;
pub mod unit;
pub mod unit_label;
pub mod user;
pub mod user_role;
