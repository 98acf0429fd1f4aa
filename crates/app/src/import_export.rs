//! Spreadsheet import and export of customers, products and units (.xlsx and .csv).
//!
//! An import is all or nothing: every row is inserted through the same use case as the form,
//! each in its own savepoint so one bad row cannot poison the others' checks, and if any row
//! fails the whole transaction is rolled back and the per-row error report returned.

use aftersales_domain::money::{format_yuan, parse_yuan};
use aftersales_domain::role::{Permission, Scope};
use aftersales_domain::validation::ValidationErrors;
use aftersales_store::entity::{customer, customer_address, district, org_unit, product, unit};
use aftersales_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use aftersales_tabular::{Format, Table};
use serde::Serialize;

use crate::customers::{AddressInput, CustomerInput};
use crate::products::{ComponentInput, ProductInput};
use crate::units::UnitInput;
use crate::{Actor, App, AppError};

/// One column of an exchanged sheet: its Chinese and English header (both accepted on import).
struct Column {
    zh: &'static str,
    en: &'static str,
}

const fn col(zh: &'static str, en: &'static str) -> Column {
    Column { zh, en }
}

const CUSTOMER_COLUMNS: &[Column] = &[
    col("编号", "number"),
    col("类型", "kind"),
    col("名称", "name"),
    col("电话", "phone"),
    col("邮箱", "email"),
    col("微信", "wechat"),
    col("分类", "abc_class"),
    col("分类原因", "abc_override_reason"),
    col("重点客户", "key_account"),
    col("区县", "district"),
    col("地址", "address"),
    col("网点", "branch"),
];

const PRODUCT_COLUMNS: &[Column] = &[
    col("型号", "model"),
    col("名称", "name"),
    col("类别", "category"),
    col("保修月数", "warranty_months"),
    col("可退货", "returnable"),
    col("三包", "sanbao"),
    col("大件", "bulky"),
    col("需安装", "needs_installation"),
    col("季节性", "seasonal"),
    col("部件", "components"),
];

const UNIT_COLUMNS: &[Column] = &[
    col("序列号", "serial_no"),
    col("型号", "model"),
    col("客户编号", "customer_number"),
    col("购买日期", "purchase_date"),
    col("安装日期", "install_date"),
    col("门店", "store"),
    col("发票号", "invoice_no"),
    col("标价", "list_price"),
    col("实付", "paid_price"),
    col("季节性", "seasonal"),
];

/// What can be exchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    Customers,
    Products,
    Units,
}

impl Sheet {
    pub fn parse(name: &str) -> Option<Sheet> {
        match name {
            "customers" => Some(Sheet::Customers),
            "products" => Some(Sheet::Products),
            "units" => Some(Sheet::Units),
            _ => None,
        }
    }
    fn columns(self) -> &'static [Column] {
        match self {
            Sheet::Customers => CUSTOMER_COLUMNS,
            Sheet::Products => PRODUCT_COLUMNS,
            Sheet::Units => UNIT_COLUMNS,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Sheet::Customers => "customers",
            Sheet::Products => "products",
            Sheet::Units => "units",
        }
    }
    fn write_permission(self) -> Permission {
        match self {
            Sheet::Customers => Permission::CustomerWrite,
            Sheet::Products => Permission::ProductWrite,
            Sheet::Units => Permission::UnitWrite,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The row number as Excel shows it (the header is row 1).
    pub line: usize,
    pub field: String,
    pub code: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Rows imported; 0 whenever `errors` is not empty (nothing is half-imported).
    pub imported: usize,
    pub errors: Vec<RowError>,
}

/// A row with its cells looked up by column.
struct SheetRow<'a> {
    indexes: Vec<Option<usize>>,
    row: &'a aftersales_tabular::Row,
    columns: &'static [Column],
}

impl SheetRow<'_> {
    fn get(&self, en: &str) -> &str {
        self.columns
            .iter()
            .position(|c| c.en == en)
            .and_then(|idx| self.indexes[idx])
            .map_or("", |idx| self.row.get(idx))
    }
    fn opt(&self, en: &str) -> Option<String> {
        Some(self.get(en).trim().to_string()).filter(|v| !v.is_empty())
    }
    fn flag(&self, en: &str, default: bool) -> Result<bool, &'static str> {
        match self.get(en).trim().to_lowercase().as_str() {
            "" => Ok(default),
            "是" | "y" | "yes" | "true" | "1" | "√" => Ok(true),
            "否" | "n" | "no" | "false" | "0" | "×" => Ok(false),
            _ => Err("invalid_flag"),
        }
    }
    fn line(&self) -> usize {
        self.row.line
    }
}

fn column_indexes(table: &Table, columns: &[Column]) -> Vec<Option<usize>> {
    columns
        .iter()
        .map(|c| table.column(&[c.zh, c.en]))
        .collect()
}

/// Imports a sheet; `file_name` decides the format (or the bytes are sniffed).
pub async fn import(
    app: &App,
    actor: &Actor,
    sheet: Sheet,
    bytes: &[u8],
    file_name: &str,
) -> Result<ImportReport, AppError> {
    actor.require(Permission::ImportExport)?;
    actor.require(sheet.write_permission())?;
    let table =
        aftersales_tabular::read_detect(bytes, file_name).map_err(|err| AppError::Conflict {
            code: "unreadable_file",
            field: Some("file"),
            detail: Some(err.to_string()),
        })?;
    let columns = sheet.columns();
    let indexes = column_indexes(&table, columns);
    let required: &[&str] = match sheet {
        Sheet::Customers => &["name", "phone"],
        Sheet::Products => &["model", "name", "category"],
        Sheet::Units => &["serial_no", "model", "customer_number", "purchase_date"],
    };
    let missing: Vec<RowError> = required
        .iter()
        .filter(|en| {
            columns
                .iter()
                .position(|c| c.en == **en)
                .and_then(|idx| indexes[idx])
                .is_none()
        })
        .map(|en| RowError {
            line: 1,
            field: (*en).to_string(),
            code: "missing_column".into(),
        })
        .collect();
    if !missing.is_empty() {
        return Ok(ImportReport {
            imported: 0,
            errors: missing,
        });
    }
    let txn = app.write_txn().await?;
    let mut errors = Vec::new();
    let mut imported = 0;
    for row in &table.rows {
        let sheet_row = SheetRow {
            indexes: indexes.clone(),
            row,
            columns,
        };
        let savepoint = txn.begin().await?;
        let result = match sheet {
            Sheet::Customers => import_customer(app, &savepoint, actor, &sheet_row).await,
            Sheet::Products => import_product(app, &savepoint, actor, &sheet_row).await,
            Sheet::Units => import_unit(app, &savepoint, actor, &sheet_row).await,
        };
        match result {
            Ok(()) => {
                savepoint.commit().await?;
                imported += 1;
            }
            Err(err) => {
                savepoint.rollback().await?;
                errors.extend(row_errors(sheet_row.line(), err)?);
            }
        }
    }
    if errors.is_empty() {
        txn.commit().await?;
        Ok(ImportReport { imported, errors })
    } else {
        txn.rollback().await?;
        Ok(ImportReport {
            imported: 0,
            errors,
        })
    }
}

/// Turns a row's failure into report lines; infrastructure failures abort the import.
pub(crate) fn row_errors(line: usize, err: AppError) -> Result<Vec<RowError>, AppError> {
    match err {
        AppError::Validation(errors) => Ok(errors
            .0
            .into_iter()
            .map(|e| RowError {
                line,
                field: e.field,
                code: e.code.to_string(),
            })
            .collect()),
        AppError::Conflict { code, field, .. } => Ok(vec![RowError {
            line,
            field: field.unwrap_or("").to_string(),
            code: code.to_string(),
        }]),
        AppError::Forbidden | AppError::NotFound => Ok(vec![RowError {
            line,
            field: String::new(),
            code: "not_allowed".to_string(),
        }]),
        other => Err(other),
    }
}

async fn import_customer(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    row: &SheetRow<'_>,
) -> Result<(), AppError> {
    let mut errors = ValidationErrors::new();
    let kind = match row.get("kind").trim() {
        "" | "个人" | "person" => "person",
        "公司" | "单位" | "company" => "company",
        _ => {
            errors.add("kind", "invalid_choice");
            "person"
        }
    };
    let key_account = errors
        .check("key_account", row.flag("key_account", false))
        .unwrap_or(false);
    let mut addresses = Vec::new();
    if let Some(district_name) = row.opt("district") {
        match district::Entity::find()
            .filter(district::Column::Name.eq(district_name))
            .one(db)
            .await?
        {
            Some(district) => addresses.push(AddressInput {
                district_id: district.id,
                detail: row.get("address").to_string(),
                is_default: true,
            }),
            None => errors.add("district", "unknown_district"),
        }
    } else if row.opt("address").is_some() {
        errors.add("district", "required");
    }
    let org_unit_id = match row.opt("branch") {
        Some(code) => match org_unit::Entity::find()
            .filter(org_unit::Column::Code.eq(code))
            .one(db)
            .await?
        {
            Some(unit) => Some(unit.id),
            None => {
                errors.add("branch", "not_found");
                None
            }
        },
        None => None,
    };
    errors.into_result(())?;
    let input = CustomerInput {
        kind: kind.to_string(),
        name: row.get("name").to_string(),
        phone: row.get("phone").to_string(),
        email: row.opt("email"),
        wechat: row.opt("wechat"),
        abc_class: row.opt("abc_class"),
        abc_override_reason: row.opt("abc_override_reason"),
        key_account,
        org_unit_id,
        referrer_id: None,
        business_profile: None,
        purchase_reason: None,
        promises: None,
        remarks: None,
        calendar_code: None,
        contacts: Vec::new(),
        addresses,
        allow_duplicate_phone: false,
        version: None,
    };
    crate::customers::insert(app, db, actor, &input)
        .await
        .map(|_| ())
}

/// Components are written `压缩机:60;遥控器:6` (name:months, separated by `;`).
fn parse_components(text: &str) -> Result<Vec<ComponentInput>, &'static str> {
    text.split([';', '；'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, months) = part.rsplit_once([':', '：']).ok_or("invalid_components")?;
            let warranty_months = months.trim().parse().map_err(|_| "invalid_components")?;
            Ok(ComponentInput {
                name: name.trim().to_string(),
                warranty_months,
            })
        })
        .collect()
}

fn format_components(components: &[ComponentInput]) -> String {
    components
        .iter()
        .map(|c| format!("{}:{}", c.name, c.warranty_months))
        .collect::<Vec<_>>()
        .join(";")
}

async fn import_product(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    row: &SheetRow<'_>,
) -> Result<(), AppError> {
    let mut errors = ValidationErrors::new();
    let warranty_months = errors.check(
        "warranty_months",
        match row.get("warranty_months").trim() {
            "" => Ok(12),
            text => text.parse::<i32>().map_err(|_| "invalid_number"),
        },
    );
    let returnable = errors.check("returnable", row.flag("returnable", true));
    let sanbao = errors.check("sanbao", row.flag("sanbao", false));
    let bulky = errors.check("bulky", row.flag("bulky", false));
    let needs_installation =
        errors.check("needs_installation", row.flag("needs_installation", false));
    let seasonal = errors.check("seasonal", row.flag("seasonal", false));
    let components = errors.check("components", parse_components(row.get("components")));
    let (
        Some(warranty_months),
        Some(returnable),
        Some(sanbao),
        Some(bulky),
        Some(needs_installation),
        Some(seasonal),
        Some(components),
    ) = (
        warranty_months,
        returnable,
        sanbao,
        bulky,
        needs_installation,
        seasonal,
        components,
    )
    else {
        return Err(errors.into());
    };
    let input = ProductInput {
        model: row.get("model").to_string(),
        name: row.get("name").to_string(),
        category: row.get("category").to_string(),
        warranty_months,
        returnable,
        sanbao,
        bulky,
        needs_installation,
        seasonal,
        components,
        version: None,
    };
    crate::products::insert(app, db, actor, &input)
        .await
        .map(|_| ())
}

async fn import_unit(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    row: &SheetRow<'_>,
) -> Result<(), AppError> {
    let mut errors = ValidationErrors::new();
    let product = product::Entity::find()
        .filter(product::Column::Model.eq(row.get("model").trim()))
        .one(db)
        .await?;
    if product.is_none() {
        errors.add("model", "not_found");
    }
    let customer = customer::Entity::find()
        .filter(customer::Column::Number.eq(row.get("customer_number").trim()))
        .one(db)
        .await?;
    if customer.is_none() {
        errors.add("customer_number", "not_found");
    }
    let price = |en: &str, errors: &mut ValidationErrors| match row.get(en).trim() {
        "" => Some(0),
        text => errors.check(en, parse_yuan(text)),
    };
    let list_price_fen = price("list_price", &mut errors);
    let paid_price_fen = price("paid_price", &mut errors);
    let seasonal = errors.check("seasonal", row.flag("seasonal", false));
    let (Some(product), Some(customer), Some(list_price_fen), Some(paid_price_fen), Some(seasonal)) =
        (product, customer, list_price_fen, paid_price_fen, seasonal)
    else {
        return Err(errors.into());
    };
    let address_id = customer_address::Entity::find()
        .filter(customer_address::Column::CustomerId.eq(customer.id))
        .order_by_desc(customer_address::Column::IsDefault)
        .one(db)
        .await?
        .map(|a| a.id);
    let input = UnitInput {
        serial_no: row.get("serial_no").to_string(),
        product_id: product.id,
        customer_id: customer.id,
        address_id,
        purchase_date: row.get("purchase_date").to_string(),
        install_date: row.opt("install_date"),
        store: row.opt("store"),
        invoice_no: row.opt("invoice_no"),
        list_price_fen,
        paid_price_fen,
        seasonal,
        version: None,
    };
    crate::units::insert(app, db, actor, &input)
        .await
        .map(|_| ())
}

fn yes_no(value: bool, english: bool) -> String {
    match (value, english) {
        (true, false) => "是",
        (false, false) => "否",
        (true, true) => "yes",
        (false, true) => "no",
    }
    .to_string()
}

/// Exports everything of a sheet the actor sees, with headers in the actor's language.
/// Returns the file bytes and a file name.
pub async fn export(
    app: &App,
    actor: &Actor,
    sheet: Sheet,
    format: Format,
    english: bool,
) -> Result<(Vec<u8>, String), AppError> {
    actor.require(Permission::ImportExport)?;
    let headers: Vec<&str> = sheet
        .columns()
        .iter()
        .map(|c| if english { c.en } else { c.zh })
        .collect();
    let rows = match sheet {
        Sheet::Customers => customer_rows(app, actor, english).await?,
        Sheet::Products => product_rows(app, english).await?,
        Sheet::Units => unit_rows(app, actor, english).await?,
    };
    let bytes = aftersales_tabular::write(format, sheet.name(), &headers, &rows)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("writing the export failed: {err}")))?;
    let file_name = format!("{}-{}.{}", sheet.name(), app.today(), format.extension());
    Ok((bytes, file_name))
}

fn branch_filter_ids(actor: &Actor) -> Result<Option<i64>, AppError> {
    match actor.scope() {
        Scope::AllBranches => Ok(None),
        Scope::Branch(own) => Ok(Some(own)),
        Scope::Customer(_) | Scope::Nothing => Err(AppError::Forbidden),
    }
}

async fn customer_rows(
    app: &App,
    actor: &Actor,
    english: bool,
) -> Result<Vec<Vec<String>>, AppError> {
    let mut query = customer::Entity::find().order_by_asc(customer::Column::Number);
    if let Some(branch) = branch_filter_ids(actor)? {
        query = query.filter(customer::Column::OrgUnitId.eq(branch));
    }
    let customers = query.all(&app.db).await?;
    let units = org_unit::Entity::find().all(&app.db).await?;
    let districts = district::Entity::find().all(&app.db).await?;
    let addresses = customer_address::Entity::find()
        .filter(customer_address::Column::IsDefault.eq(true))
        .all(&app.db)
        .await?;
    Ok(customers
        .into_iter()
        .map(|c| {
            let address = addresses.iter().find(|a| a.customer_id == c.id);
            let district = address.and_then(|a| districts.iter().find(|d| d.id == a.district_id));
            vec![
                c.number,
                match (c.kind.as_str(), english) {
                    ("company", false) => "公司".to_string(),
                    (_, false) => "个人".to_string(),
                    (kind, true) => kind.to_string(),
                },
                c.name,
                c.phone,
                c.email.unwrap_or_default(),
                c.wechat.unwrap_or_default(),
                c.abc_class.to_uppercase(),
                c.abc_override_reason.unwrap_or_default(),
                yes_no(c.key_account, english),
                district.map(|d| d.name.clone()).unwrap_or_default(),
                address.map(|a| a.detail.clone()).unwrap_or_default(),
                units
                    .iter()
                    .find(|u| u.id == c.org_unit_id)
                    .map(|u| u.code.clone())
                    .unwrap_or_default(),
            ]
        })
        .collect())
}

async fn product_rows(app: &App, english: bool) -> Result<Vec<Vec<String>>, AppError> {
    let products = product::Entity::find()
        .order_by_asc(product::Column::Model)
        .all(&app.db)
        .await?;
    let mut rows = Vec::with_capacity(products.len());
    for p in products {
        let components: Vec<ComponentInput> = crate::products::components_of(&app.db, p.id)
            .await?
            .into_iter()
            .map(|c| ComponentInput {
                name: c.name,
                warranty_months: c.warranty_months,
            })
            .collect();
        rows.push(vec![
            p.model,
            p.name,
            p.category,
            p.warranty_months.to_string(),
            yes_no(p.returnable, english),
            yes_no(p.sanbao, english),
            yes_no(p.bulky, english),
            yes_no(p.needs_installation, english),
            yes_no(p.seasonal, english),
            format_components(&components),
        ]);
    }
    Ok(rows)
}

async fn unit_rows(app: &App, actor: &Actor, english: bool) -> Result<Vec<Vec<String>>, AppError> {
    let mut query = unit::Entity::find().order_by_asc(unit::Column::SerialNo);
    if let Some(branch) = branch_filter_ids(actor)? {
        query = query.filter(unit::Column::OrgUnitId.eq(branch));
    }
    let units = query.all(&app.db).await?;
    let products = product::Entity::find().all(&app.db).await?;
    let customers = customer::Entity::find()
        .filter(customer::Column::Id.is_in(units.iter().map(|u| u.customer_id).collect::<Vec<_>>()))
        .all(&app.db)
        .await?;
    Ok(units
        .into_iter()
        .map(|u| {
            vec![
                u.serial_no,
                products
                    .iter()
                    .find(|p| p.id == u.product_id)
                    .map(|p| p.model.clone())
                    .unwrap_or_default(),
                customers
                    .iter()
                    .find(|c| c.id == u.customer_id)
                    .map(|c| c.number.clone())
                    .unwrap_or_default(),
                u.purchase_date,
                u.install_date.unwrap_or_default(),
                u.store.unwrap_or_default(),
                u.invoice_no.unwrap_or_default(),
                format_yuan(u.list_price_fen),
                format_yuan(u.paid_price_fen),
                yes_no(u.seasonal, english),
            ]
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_round_trip_through_their_cell_text() {
        let components = parse_components("压缩机:60；遥控器：6;").unwrap();
        assert_eq!(components.len(), 2);
        assert_eq!(components[1].warranty_months, 6);
        assert_eq!(format_components(&components), "压缩机:60;遥控器:6");
        assert_eq!(
            parse_components("压缩机").unwrap_err(),
            "invalid_components"
        );
    }
}
