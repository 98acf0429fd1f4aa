//! The business rules of aftersales. Nothing here performs I/O: every function takes
//! the facts it needs (including "now") as parameters, so the rules can be tested exhaustively.

pub mod calendar;
pub mod carry_list;
pub mod claim;
pub mod codes;
pub mod complaint;
pub mod contract;
pub mod customer;
pub mod daily_report;
pub mod delivery;
pub mod ecom;
pub mod installation;
pub mod money;
pub mod monthly_statistics;
pub mod numbering;
pub mod on_call;
pub mod order_task;
pub mod org;
pub mod parts;
pub mod performance;
pub mod returns;
pub mod role;
pub mod service_order;
pub mod settlement;
pub mod sla;
pub mod staff_conduct;
pub mod supervision;
pub mod survey;
pub mod tools;
pub mod validation;
pub mod warranty;
