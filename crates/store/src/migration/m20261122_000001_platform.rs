//! The platform schema: organisation, staff and sign-in, customers, products, installed
//! units, maintenance contracts, audit, settings, attachments and idempotency keys.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, flag, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn table(name: &str) -> TableCreateStatement {
    Table::create().table(Alias::new(name)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let stamps = |t: &mut TableCreateStatement| {
            t.col(int("version", 1))
                .col(big("created_at"))
                .col(big("updated_at"));
        };

        // Organisation. `kind` is the unit's role in the tree (customer_department,
        // service_center, branch, department); `department_kind` says which supporting
        // department a `department` unit is, so complaints and returns can be routed to it.
        let mut t = table("org_units");
        t.col(id(backend))
            .col(text("code"))
            .col(text("name"))
            .col(text("kind"))
            .col(text_null("department_kind"))
            .col(big_null("parent_id"))
            .col(text("calendar_code"))
            .col(text("time_zone"));
        stamps(&mut t);
        t.foreign_key(&mut fk(
            "fk_org_units_parent",
            "org_units",
            "parent_id",
            "org_units",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_org_units_code", "org_units", &["code"], true))
            .await?;

        // A district belongs to the branch that covers it; its zone decides the arrival SLA.
        let mut t = table("districts");
        t.col(id(backend))
            .col(big("org_unit_id"))
            .col(text("name"))
            .col(text("zone"));
        stamps(&mut t);
        t.foreign_key(&mut fk(
            "fk_districts_org_unit",
            "districts",
            "org_unit_id",
            "org_units",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_districts_name", "districts", &["name"], true))
            .await?;

        // Customers come before users because a portal user points at its customer.
        let mut t = table("customers");
        t.col(id(backend))
            .col(text("number"))
            .col(text("kind"))
            .col(text("name"))
            .col(text("phone"))
            .col(text_null("email"))
            .col(text_null("wechat"))
            .col(text("abc_class"))
            .col(text_null("abc_override_reason"))
            .col(flag("key_account"))
            .col(big("org_unit_id"))
            .col(big_null("referrer_id"))
            // The customer ledger (客户总账) fields that are not derived from other records.
            .col(long_text_null("business_profile"))
            .col(long_text_null("purchase_reason"))
            .col(long_text_null("promises"))
            .col(long_text_null("remarks"));
        stamps(&mut t);
        t.foreign_key(&mut fk(
            "fk_customers_org_unit",
            "customers",
            "org_unit_id",
            "org_units",
        ))
        .foreign_key(&mut fk(
            "fk_customers_referrer",
            "customers",
            "referrer_id",
            "customers",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_customers_number", "customers", &["number"], true))
            .await?;
        manager
            .create_index(index("ix_customers_phone", "customers", &["phone"], false))
            .await?;
        manager
            .create_index(index("ix_customers_name", "customers", &["name"], false))
            .await?;
        manager
            .create_index(index(
                "ix_customers_org_unit",
                "customers",
                &["org_unit_id"],
                false,
            ))
            .await?;

        let mut t = table("customer_contacts");
        t.col(id(backend))
            .col(big("customer_id"))
            .col(text("name"))
            .col(text("phone"))
            .col(text_null("title"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_contacts_customer",
            "customer_contacts",
            "customer_id",
            "customers",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_contacts_customer",
                "customer_contacts",
                &["customer_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_contacts_phone",
                "customer_contacts",
                &["phone"],
                false,
            ))
            .await?;

        let mut t = table("customer_addresses");
        t.col(id(backend))
            .col(big("customer_id"))
            .col(big("district_id"))
            .col(text("detail"))
            .col(flag("is_default"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_addresses_customer",
            "customer_addresses",
            "customer_id",
            "customers",
        ))
        .foreign_key(&mut fk(
            "fk_addresses_district",
            "customer_addresses",
            "district_id",
            "districts",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_addresses_customer",
                "customer_addresses",
                &["customer_id"],
                false,
            ))
            .await?;

        let mut t = table("users");
        t.col(id(backend))
            .col(text("username"))
            .col(text("display_name"))
            .col(text("password_hash"))
            .col(big_null("org_unit_id"))
            .col(big_null("customer_id"))
            .col(text_null("phone"))
            .col(text_null("email"))
            .col(text_null("badge_no"))
            .col(text_null("locale"))
            .col(
                ColumnDef::new(Alias::new("active"))
                    .boolean()
                    .not_null()
                    .default(true),
            );
        stamps(&mut t);
        t.foreign_key(&mut fk(
            "fk_users_org_unit",
            "users",
            "org_unit_id",
            "org_units",
        ))
        .foreign_key(&mut fk(
            "fk_users_customer",
            "users",
            "customer_id",
            "customers",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_users_username", "users", &["username"], true))
            .await?;

        let mut t = table("customer_notes");
        t.col(id(backend))
            .col(big("customer_id"))
            .col(big("author_id"))
            .col(long_text_null("body"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_notes_customer",
            "customer_notes",
            "customer_id",
            "customers",
        ))
        .foreign_key(&mut fk(
            "fk_notes_author",
            "customer_notes",
            "author_id",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_notes_customer",
                "customer_notes",
                &["customer_id"],
                false,
            ))
            .await?;

        let mut t = table("user_roles");
        t.col(id(backend)).col(big("user_id")).col(text("role"));
        t.foreign_key(&mut fk(
            "fk_user_roles_user",
            "user_roles",
            "user_id",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_user_roles",
                "user_roles",
                &["user_id", "role"],
                true,
            ))
            .await?;

        // Skills are the product categories a technician works on.
        let mut t = table("staff_skills");
        t.col(id(backend))
            .col(big("user_id"))
            .col(text("product_category"));
        t.foreign_key(&mut fk(
            "fk_staff_skills_user",
            "staff_skills",
            "user_id",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_staff_skills",
                "staff_skills",
                &["user_id", "product_category"],
                true,
            ))
            .await?;

        // Certificates and training records (STAFF-1); expiry blocks dispatch and intake.
        let mut t = table("qualifications");
        t.col(id(backend))
            .col(big("user_id"))
            .col(text("kind"))
            .col(text_null("product_category"))
            .col(text("title"))
            .col(text("issued_on"))
            .col(text_null("expires_on"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_qualifications_user",
            "qualifications",
            "user_id",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_qualifications_user",
                "qualifications",
                &["user_id"],
                false,
            ))
            .await?;

        // Sessions live in the database, not in memory, so any instance behind a load
        // balancer can serve any request. Only a hash of the cookie value is stored.
        let mut t = table("sessions");
        t.col(id(backend))
            .col(text("token_hash"))
            .col(big("user_id"))
            .col(text("csrf_token"))
            .col(big("created_at"))
            .col(big("expires_at"));
        t.foreign_key(&mut fk("fk_sessions_user", "sessions", "user_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_sessions_token_hash",
                "sessions",
                &["token_hash"],
                true,
            ))
            .await?;

        let mut t = table("api_tokens");
        t.col(id(backend))
            .col(text("name"))
            .col(text("token_hash"))
            .col(text("token_prefix"))
            .col(big("user_id"))
            .col(big("created_by"))
            .col(big("created_at"))
            .col(big_null("revoked_at"))
            .col(big_null("last_used_at"));
        t.foreign_key(&mut fk(
            "fk_api_tokens_user",
            "api_tokens",
            "user_id",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_api_tokens_creator",
            "api_tokens",
            "created_by",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_api_tokens_token_hash",
                "api_tokens",
                &["token_hash"],
                true,
            ))
            .await?;

        // Failed sign-ins per key ("user:<name>" and "ip:<addr>"), shared by all instances.
        let mut t = table("sign_in_failures");
        t.col(id(backend))
            .col(text("throttle_key"))
            .col(int("failures", 0))
            .col(big("window_started_at"))
            .col(big_null("locked_until"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_sign_in_failures_key",
                "sign_in_failures",
                &["throttle_key"],
                true,
            ))
            .await?;

        let mut t = table("products");
        t.col(id(backend))
            .col(text("model"))
            .col(text("name"))
            .col(text("category"))
            .col(int("warranty_months", 12))
            .col(
                ColumnDef::new(Alias::new("returnable"))
                    .boolean()
                    .not_null()
                    .default(true),
            )
            .col(flag("sanbao"))
            .col(flag("bulky"))
            .col(flag("needs_installation"))
            .col(flag("seasonal"));
        stamps(&mut t);
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_products_model", "products", &["model"], true))
            .await?;

        // Each component has its own warranty period (WARRANTY-2).
        let mut t = table("product_components");
        t.col(id(backend))
            .col(big("product_id"))
            .col(text("name"))
            .col(int("warranty_months", 12));
        t.foreign_key(&mut fk(
            "fk_components_product",
            "product_components",
            "product_id",
            "products",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_components_name",
                "product_components",
                &["product_id", "name"],
                true,
            ))
            .await?;

        // Sold (installed) units: the installed base.
        let mut t = table("units");
        t.col(id(backend))
            .col(text("serial_no"))
            .col(big("product_id"))
            .col(big("customer_id"))
            .col(big("org_unit_id"))
            .col(big_null("address_id"))
            .col(text("purchase_date"))
            .col(text_null("install_date"))
            .col(text_null("store"))
            .col(text_null("invoice_no"))
            .col(big("list_price_fen"))
            .col(big("paid_price_fen"))
            .col(flag("seasonal"));
        stamps(&mut t);
        t.foreign_key(&mut fk(
            "fk_units_product",
            "units",
            "product_id",
            "products",
        ))
        .foreign_key(&mut fk(
            "fk_units_customer",
            "units",
            "customer_id",
            "customers",
        ))
        .foreign_key(&mut fk(
            "fk_units_org_unit",
            "units",
            "org_unit_id",
            "org_units",
        ))
        .foreign_key(&mut fk(
            "fk_units_address",
            "units",
            "address_id",
            "customer_addresses",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_units_serial_no", "units", &["serial_no"], true))
            .await?;
        manager
            .create_index(index("ix_units_customer", "units", &["customer_id"], false))
            .await?;

        let mut t = table("contracts");
        t.col(id(backend))
            .col(text("number"))
            .col(big("customer_id"))
            .col(big("org_unit_id"))
            .col(text("start_date"))
            .col(text("end_date"))
            .col(big("fee_fen"))
            .col(text("status"))
            .col(long_text_null("scope"))
            .col(int("visits_per_year", 0));
        stamps(&mut t);
        t.foreign_key(&mut fk(
            "fk_contracts_customer",
            "contracts",
            "customer_id",
            "customers",
        ))
        .foreign_key(&mut fk(
            "fk_contracts_org_unit",
            "contracts",
            "org_unit_id",
            "org_units",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_contracts_number", "contracts", &["number"], true))
            .await?;
        manager
            .create_index(index(
                "ix_contracts_customer",
                "contracts",
                &["customer_id"],
                false,
            ))
            .await?;

        let mut t = table("contract_units");
        t.col(id(backend))
            .col(big("contract_id"))
            .col(big("unit_id"));
        t.foreign_key(&mut fk(
            "fk_contract_units_contract",
            "contract_units",
            "contract_id",
            "contracts",
        ))
        .foreign_key(&mut fk(
            "fk_contract_units_unit",
            "contract_units",
            "unit_id",
            "units",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_contract_units",
                "contract_units",
                &["contract_id", "unit_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_contract_units_unit",
                "contract_units",
                &["unit_id"],
                false,
            ))
            .await?;

        // Append-only: who changed what, when, with before/after values as JSON text.
        let mut t = table("audit_records");
        t.col(id(backend))
            .col(big("at"))
            .col(big_null("actor_id"))
            .col(text("actor_name"))
            .col(text("entity"))
            .col(big("entity_id"))
            .col(text("action"))
            .col(long_text_null("before_json"))
            .col(long_text_null("after_json"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_audit_entity",
                "audit_records",
                &["entity", "entity_id"],
                false,
            ))
            .await?;

        // Administrator settings (SYSTEM-2): only values that differ from the defaults the
        // code ships are stored.
        let mut t = table("settings");
        t.col(id(backend))
            .col(text("key"))
            .col(text("value"))
            .col(big_null("updated_by"))
            .col(big("updated_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_settings_key", "settings", &["key"], true))
            .await?;

        // Attachment metadata; the bytes are a file under the data directory named by hash.
        let mut t = table("attachments");
        t.col(id(backend))
            .col(text("entity"))
            .col(big("entity_id"))
            .col(text("file_name"))
            .col(text("content_type"))
            .col(big("size_bytes"))
            .col(text("sha256"))
            .col(big("uploaded_by"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_attachments_uploader",
            "attachments",
            "uploaded_by",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_attachments_entity",
                "attachments",
                &["entity", "entity_id"],
                false,
            ))
            .await?;

        // A POST retried with the same Idempotency-Key finds the record its first attempt
        // created; the row is written in the same transaction as that record.
        let mut t = table("idempotency_keys");
        t.col(id(backend))
            .col(big("user_id"))
            .col(text("idempotency_key"))
            .col(text("resource"))
            .col(big("resource_id"))
            .col(big("created_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_idempotency_keys",
                "idempotency_keys",
                &["user_id", "idempotency_key"],
                true,
            ))
            .await?;

        // Counters behind configurable number patterns (customer numbers, order numbers).
        let mut t = table("number_sequences");
        t.col(id(backend)).col(text("scope")).col(big("last_value"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_number_sequences_scope",
                "number_sequences",
                &["scope"],
                true,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "number_sequences",
            "idempotency_keys",
            "attachments",
            "settings",
            "audit_records",
            "contract_units",
            "contracts",
            "units",
            "product_components",
            "products",
            "sign_in_failures",
            "api_tokens",
            "sessions",
            "qualifications",
            "staff_skills",
            "user_roles",
            "customer_notes",
            "users",
            "customer_addresses",
            "customer_contacts",
            "customers",
            "districts",
            "org_units",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
