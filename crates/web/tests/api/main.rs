//! HTTP/API integration tests: every test gets a fresh database (SQLite by default,
//! PostgreSQL when `AFTERSALES_TEST_PG_URL` is set), a seeded organisation and one bearer
//! token per role, and talks to the real router through `tower::ServiceExt::oneshot`.
//!
//! Run: `cargo test -p aftersales-web --test api`, and on PostgreSQL with
//! `AFTERSALES_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres`.

mod helpers;

mod accounting;
mod attachments;
mod audit;
mod billing;
mod calendars;
mod capacity;
mod claims;
mod complaints;
mod contracts;
mod customers;
mod daily_reports;
mod deliveries;
mod ecom;
mod fault_reports;
mod idempotency;
mod import_export;
mod installations;
mod monthly_statistics;
mod notifications;
mod on_call;
mod openapi;
mod order_assist;
mod org_staff;
mod parts;
mod permissions;
mod products;
mod purchasing;
mod returns;
mod scoping;
mod service_orders;
mod settings;
mod sign_in;
mod sla;
mod staff_conduct;
mod supervision;
mod surveys;
mod tokens;
mod tools;
mod units;
