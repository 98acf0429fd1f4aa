//! Storage for aftersales: SeaORM entities, the migration set and the mapping of database
//! errors to [`StoreError`]. One schema and one query code path serve SQLite and PostgreSQL;
//! the few dialect-specific statements are labelled `dialect:` where they occur.
//!
//! Conventions, chosen so that both databases store exactly the same values:
//! - ids are 64-bit integers;
//! - instants are UTC Unix milliseconds in `BIGINT` columns named `*_at`;
//! - calendar dates are ISO `YYYY-MM-DD` text (sortable, zone-free);
//! - money is integer fen in `BIGINT` columns named `*_fen`;
//! - enumerations are stored as their stable lower-case code (text);
//! - mutable records carry a `version` for optimistic locking.

pub mod connect;
pub mod entity;
pub mod error;
pub mod migration;
pub mod relation;
pub mod sql_text;

pub use connect::{connect, connect_writer, sqlite_file, Backend};
pub use error::StoreError;
pub use sea_orm;
pub use sql_text::SqlText;
