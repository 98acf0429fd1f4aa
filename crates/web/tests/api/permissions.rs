//! The permission matrix, driven by one table: every API route × every role. A role gets 403
//! exactly when it lacks a permission the route's use case requires (expectations computed
//! from `Role::permissions()`), never a 5xx, and every route answers 401 without a token.

use std::collections::HashMap;

use aftersales_domain::role::{Permission, Role};
use aftersales_store::sea_orm::EntityTrait as _;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    contract_body, customer_body, product_body, unit_body, Auth, Payload, TestApp,
};

use Permission::*;

/// Ids the routes are filled with, by name.
pub struct Fx {
    ids: HashMap<&'static str, i64>,
}

impl Fx {
    fn id(&self, name: &str) -> i64 {
        *self
            .ids
            .get(name)
            .unwrap_or_else(|| panic!("no fixture `{name}`"))
    }
}

pub enum Body {
    None,
    Json(fn(&Fx) -> Value),
    /// A multipart upload: file name and contents.
    File(&'static str, &'static str),
}

pub struct Route {
    pub method: Method,
    /// The path as the OpenAPI document names it (under /api/v1).
    pub template: &'static str,
    /// What fills the template's `{..}` segments in order: a fixture name, or `=text` for
    /// literal text such as the entity `=customer`.
    pub args: &'static [&'static str],
    pub query: &'static str,
    /// Every permission the use case checks; empty for routes open to any signed-in user.
    pub needs: &'static [Permission],
    pub body: Body,
}

fn sla_policy_body(name: &str, version: Option<i32>) -> serde_json::Value {
    json!({"name": name, "rank": 50, "urgency": "urgent", "active": true, "version": version,
           "clocks": [{"name": "arrival", "start_on": ["register"], "stop_on": ["check_in"],
                       "target_minutes": 240, "time_kind": "working"}]})
}

const fn route(
    method: Method,
    template: &'static str,
    args: &'static [&'static str],
    needs: &'static [Permission],
    body: Body,
) -> Route {
    Route {
        method,
        template,
        args,
        query: "",
        needs,
        body,
    }
}

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;
const DELETE: Method = Method::DELETE;

/// Every route of the API. Permissions follow the use cases in crates/app/src/*.rs.
pub fn routes() -> Vec<Route> {
    vec![
        // me
        route(GET, "/me", &[], &[], Body::None),
        route(PUT, "/me/locale", &[], &[], Body::Json(|_| json!({"locale": "zh-CN"}))),
        // organisation
        route(GET, "/org-units", &[], &[OrgRead], Body::None),
        route(
            POST,
            "/org-units",
            &[],
            &[OrgWrite],
            Body::Json(|fx| json!({"code": "MX2", "name": "矩阵二", "kind": "service_center", "parent_id": fx.id("hq")})),
        ),
        route(GET, "/org-units/{id}", &["org_unit"], &[OrgRead], Body::None),
        route(
            PUT,
            "/org-units/{id}",
            &["org_unit"],
            &[OrgWrite],
            Body::Json(|fx| json!({"code": "MX", "name": "矩阵中心", "kind": "service_center", "parent_id": fx.id("hq"), "version": 1})),
        ),
        route(GET, "/districts", &[], &[OrgRead], Body::None),
        route(
            POST,
            "/districts",
            &[],
            &[OrgWrite],
            Body::Json(|fx| json!({"org_unit_id": fx.id("bj"), "name": "矩阵区", "zone": "urban"})),
        ),
        route(
            PUT,
            "/districts/{id}",
            &["district"],
            &[OrgWrite],
            Body::Json(|fx| json!({"org_unit_id": fx.id("bj"), "name": "延庆区", "zone": "suburban", "version": 1})),
        ),
        // working calendars: read with org.read, change with settings.write
        route(GET, "/calendars", &[], &[OrgRead], Body::None),
        route(
            POST,
            "/calendars",
            &[],
            &[SettingsWrite],
            Body::Json(|_| json!({"code": "mx-cal", "name": "矩阵日历", "copy_from": "cn-standard"})),
        ),
        route(GET, "/calendars/{code}", &["=cn-standard"], &[OrgRead], Body::None),
        route(
            PUT,
            "/calendars/{code}",
            &["=cn-standard"],
            &[SettingsWrite],
            Body::Json(|_| json!({"name": "改", "time_zone": "Asia/Shanghai", "periods": {"mon": ["09:00-18:00"]}, "version": 1})),
        ),
        route(
            POST,
            "/calendars/{code}/holidays",
            &["=cn-standard"],
            &[SettingsWrite],
            Body::Json(|_| json!({"format": "csv", "text": "2026-12-24,holiday", "replace": false})),
        ),
        route(DELETE, "/calendars/{code}/days/{date}", &["=cn-standard", "=2026-10-01"], &[SettingsWrite], Body::None),
        route(GET, "/calendars/{code}/deadline", &["=cn-standard"], &[OrgRead], Body::None),
        route(GET, "/calendars/{code}/elapsed", &["=cn-standard"], &[OrgRead], Body::None),
        // staff
        route(GET, "/staff", &[], &[StaffRead], Body::None),
        route(
            POST,
            "/staff",
            &[],
            &[StaffWrite],
            Body::Json(|fx| json!({"username": "mx_new", "display_name": "新人", "password": "long-enough-pw",
                                   "org_unit_id": fx.id("bj"), "roles": ["technician"]})),
        ),
        route(GET, "/staff/{id}", &["staff"], &[StaffRead], Body::None),
        route(
            PUT,
            "/staff/{id}",
            &["staff"],
            &[StaffWrite],
            Body::Json(|fx| json!({"username": "mx_tech", "display_name": "矩阵技师", "org_unit_id": fx.id("bj"),
                                   "roles": ["technician"], "version": 1})),
        ),
        route(
            POST,
            "/staff/{id}/qualifications",
            &["staff"],
            &[StaffWrite],
            Body::Json(|_| json!({"kind": "training", "title": "安全培训", "issued_on": "2026-01-01"})),
        ),
        route(
            DELETE,
            "/staff/{id}/qualifications/{qualification_id}",
            &["staff", "qualification"],
            &[StaffWrite],
            Body::None,
        ),
        // customers
        route(GET, "/customers", &[], &[CustomerRead], Body::None),
        route(
            POST,
            "/customers",
            &[],
            &[CustomerWrite],
            Body::Json(|fx| customer_body("矩阵新客户", "13000000001", fx.id("bj"), fx.id("bj_urban"))),
        ),
        Route {
            query: "phone=13000000000",
            ..route(GET, "/customers/lookup", &[], &[CustomerRead], Body::None)
        },
        route(GET, "/customers/{id}", &["customer"], &[CustomerRead], Body::None),
        route(
            PUT,
            "/customers/{id}",
            &["customer"],
            &[CustomerWrite],
            Body::Json(|_| json!({"kind": "person", "name": "矩阵客户", "phone": "13000000000", "version": 1})),
        ),
        route(GET, "/customers/{id}/card", &["customer"], &[CustomerRead], Body::None),
        route(
            POST,
            "/customers/{id}/contacts",
            &["customer"],
            &[CustomerWrite],
            Body::Json(|_| json!({"name": "联系人", "phone": "13000000002"})),
        ),
        route(
            POST,
            "/customers/{id}/addresses",
            &["customer"],
            &[CustomerWrite],
            Body::Json(|fx| json!({"district_id": fx.id("bj_urban"), "detail": "新地址1号"})),
        ),
        route(
            POST,
            "/customers/{id}/notes",
            &["customer"],
            &[CustomerWrite],
            Body::Json(|_| json!({"body": "矩阵备注"})),
        ),
        // products
        route(GET, "/products", &[], &[ProductRead], Body::None),
        route(POST, "/products", &[], &[ProductWrite], Body::Json(|_| product_body("MX-P1"))),
        route(GET, "/products/{id}", &["product"], &[ProductRead], Body::None),
        route(
            PUT,
            "/products/{id}",
            &["product"],
            &[ProductWrite],
            Body::Json(|_| {
                let mut body = product_body("KFR-35GW");
                body["version"] = json!(1);
                body
            }),
        ),
        route(GET, "/software-queue", &[], &[OrderRead], Body::None),
        // SLA policies: read by everyone who reads orders, defined by the customer department
        route(GET, "/sla-policies", &[], &[OrderRead], Body::None),
        route(
            POST,
            "/sla-policies",
            &[],
            &[SlaPolicyWrite],
            Body::Json(|_| sla_policy_body("矩阵政策二", None)),
        ),
        route(GET, "/sla-policies/{id}", &["sla_policy"], &[OrderRead], Body::None),
        route(
            PUT,
            "/sla-policies/{id}",
            &["sla_policy"],
            &[SlaPolicyWrite],
            Body::Json(|_| sla_policy_body("矩阵政策", Some(1))),
        ),
        // claims: the customer department records and works them; the branch manager (sales
        // manager) reviews
        route(GET, "/claim-types", &[], &[ClaimRead], Body::None),
        route(
            POST,
            "/claim-types",
            &[],
            &[ClaimWrite],
            Body::Json(|_| json!({"code": "MXC", "name": "矩阵索赔", "steps": "登记"})),
        ),
        route(GET, "/claims", &[], &[ClaimRead], Body::None),
        route(
            POST,
            "/claims",
            &[],
            &[ClaimWrite],
            Body::Json(|_| json!({"claim_type_id": 0, "claimant": "矩阵", "amount_fen": 0, "facts": "矩阵", "learned_on": "2026-11-22"})),
        ),
        route(GET, "/claims/{id}", &["missing"], &[ClaimRead], Body::None),
        route(
            POST,
            "/claims/{id}/actions",
            &["missing"],
            &[ClaimWrite],
            Body::Json(|_| json!({"action": "complete_step", "version": 1})),
        ),
        route(GET, "/claim-reports/prevention", &[], &[ClaimRead], Body::None),
        // complaints: every staff role registers and reads; the customer department manages;
        // departments investigate; GM / deputy GM approve
        route(GET, "/complaints", &[], &[ComplaintRead], Body::None),
        route(
            POST,
            "/complaints",
            &[],
            &[ComplaintRegister],
            Body::Json(|_| json!({"channel": "phone", "complaint_type": "other", "subject_kind": "product", "customer_name": "矩阵客户", "content": "矩阵投诉"})),
        ),
        route(GET, "/complaints/{id}", &["complaint"], &[ComplaintRead], Body::None),
        route(
            PUT,
            "/complaints/{id}/handling",
            &["complaint"],
            &[ComplaintManage],
            Body::Json(|_| json!({"due_date": "2026-12-31", "version": 0})),
        ),
        route(POST, "/complaints/{id}/route", &["complaint"], &[ComplaintManage], Body::Json(|_| json!({"version": 0}))),
        route(
            POST,
            "/complaints/{id}/logs",
            &["complaint"],
            &[ComplaintInvestigate],
            Body::Json(|_| json!({"kind": "note", "text": "矩阵备注"})),
        ),
        route(
            POST,
            "/complaints/{id}/executive-review",
            &["complaint"],
            &[ComplaintApprove],
            Body::Json(|_| json!({"note": "矩阵审阅", "version": 0})),
        ),
        route(
            POST,
            "/complaints/{id}/steps",
            &["complaint"],
            &[ComplaintManage],
            Body::Json(|_| json!({"event": "close", "version": 0})),
        ),
        route(
            POST,
            "/complaints/{id}/review",
            &["complaint"],
            &[ComplaintManage],
            Body::Json(|_| json!({"sanction": "none", "version": 0})),
        ),
        route(GET, "/complaint-tasks", &[], &[ComplaintRead], Body::None),
        route(
            PUT,
            "/complaint-tasks/{id}",
            &["complaint_task"],
            &[ComplaintInvestigate],
            Body::Json(|_| json!({"note": "矩阵调查", "version": 0})),
        ),
        route(GET, "/complaint-notices", &[], &[ComplaintRead], Body::None),
        route(
            POST,
            "/complaint-notices/{id}",
            &["missing"],
            &[ComplaintManage],
            Body::Json(|_| json!({"action": "send", "version": 1})),
        ),
        route(GET, "/complaint-routing", &[], &[ComplaintRead], Body::None),
        route(
            PUT,
            "/complaint-routing/{complaint_type}",
            &["=other"],
            &[SettingsWrite],
            Body::Json(|_| json!({"departments": []})),
        ),
        route(GET, "/complaint-reviews", &[], &[ComplaintRead], Body::None),
        route(
            POST,
            "/reward-penalty-notices",
            &[],
            &[ComplaintManage],
            Body::Json(|_| json!({"month": "2026-10"})),
        ),
        route(GET, "/reward-penalty-notices/{id}", &["missing"], &[ComplaintRead], Body::None),
        route(
            POST,
            "/reward-penalty-notices/{id}/approve",
            &["missing"],
            &[ComplaintApprove],
            Body::Json(|_| json!({"version": 1})),
        ),
        route(
            POST,
            "/reward-penalty-notices/{id}/copies",
            &["missing"],
            &[ComplaintManage],
            Body::Json(|_| json!({"copy": "kept", "version": 1})),
        ),
        // the price schedule: read by everyone who reads orders, changed by product managers
        route(GET, "/price-items", &[], &[OrderRead], Body::None),
        route(
            POST,
            "/price-items",
            &[],
            &[ProductWrite],
            Body::Json(|_| json!({"code": "MX-PI2", "name": "矩阵项目", "kind": "repair", "price_fen": 100})),
        ),
        route(
            PUT,
            "/price-items/{id}",
            &["price_item"],
            &[ProductWrite],
            Body::Json(|_| json!({"code": "MX-PI", "name": "矩阵项目", "kind": "repair", "price_fen": 200, "version": 1})),
        ),
        // units: reading a unit is reading customer records
        route(GET, "/units", &[], &[CustomerRead], Body::None),
        route(
            POST,
            "/units",
            &[],
            &[UnitWrite],
            Body::Json(|fx| unit_body(fx.id("product"), fx.id("customer"), "MX-SN-2", "2026-10-01")),
        ),
        route(GET, "/units/{id}", &["unit"], &[CustomerRead], Body::None),
        route(
            PUT,
            "/units/{id}",
            &["unit"],
            &[UnitWrite],
            Body::Json(|fx| {
                let mut body = unit_body(fx.id("product"), fx.id("customer"), "MX-SN-1", "2026-10-02");
                body["version"] = json!(1);
                body
            }),
        ),
        // contracts
        route(GET, "/contracts", &[], &[ContractRead], Body::None),
        route(
            POST,
            "/contracts",
            &[],
            &[ContractWrite],
            Body::Json(|fx| contract_body(fx.id("customer"), &[], "2027-01-01", "2027-12-31", 10_000)),
        ),
        route(GET, "/contracts/{id}", &["contract"], &[ContractRead], Body::None),
        route(
            PUT,
            "/contracts/{id}",
            &["contract"],
            &[ContractWrite],
            Body::Json(|fx| {
                let mut body = contract_body(fx.id("customer"), &[], "2026-11-01", "2027-10-31", 120_000);
                body["version"] = json!(1);
                body
            }),
        ),
        route(
            POST,
            "/contracts/{id}/status",
            &["contract"],
            &[ContractWrite],
            Body::Json(|_| json!({"status": "active", "version": 2})),
        ),
        // settings and audit
        route(GET, "/settings", &[], &[OrgRead], Body::None),
        route(
            PUT,
            "/settings/{key}",
            &["=visit.max_interval_months"],
            &[SettingsWrite],
            Body::Json(|_| json!({"value": "6"})),
        ),
        route(GET, "/audit/{entity}/{id}", &["=customer", "customer"], &[AuditRead], Body::None),
        // notifications: every user reads and marks only their own (none here: 404)
        route(GET, "/notifications", &[], &[], Body::None),
        route(POST, "/notifications/{id}/read", &["=1"], &[], Body::None),
        // API tokens
        route(GET, "/api-tokens", &[], &[ApiTokenManage], Body::None),
        route(
            POST,
            "/api-tokens",
            &[],
            &[ApiTokenManage],
            Body::Json(|fx| json!({"name": "矩阵", "user_id": fx.id("staff")})),
        ),
        route(DELETE, "/api-tokens/{id}", &["token"], &[ApiTokenManage], Body::None),
        // service orders
        route(GET, "/service-orders", &[], &[OrderRead], Body::None),
        route(GET, "/reports/sla-breaches", &[], &[DailyReportRead], Body::None),
        route(
            POST,
            "/service-orders",
            &[],
            &[OrderRegister],
            Body::Json(|fx| json!({"channel": "phone", "customer_id": fx.id("customer"), "unit_id": fx.id("unit"),
                                   "fault_description": "不制冷", "fault_class": "hardware", "urgency": "normal"})),
        ),
        route(GET, "/service-orders/{id}", &["order"], &[OrderRead], Body::None),
        route(
            POST,
            "/service-orders/{id}/{event}",
            &["order", "=dispatch"],
            &[OrderDispatch],
            Body::Json(|fx| json!({"version": 1, "technician_id": fx.id("staff")})),
        ),
        // help on an order: invalid bodies answer 422 after the permission check; no task 999999
        route(GET, "/service-orders/{id}/tasks", &["order"], &[OrderRead], Body::None),
        route(
            POST,
            "/service-orders/{id}/tasks",
            &["order"],
            &[OrderTask],
            Body::Json(|_| json!({"kind": "nope", "description": "矩阵"})),
        ),
        route(GET, "/order-tasks", &[], &[OrderTask], Body::None),
        // monthly statistics: none drafted yet (404); November is not over (422)
        route(GET, "/monthly-statistics", &[], &[DailyReportRead], Body::None),
        route(GET, "/monthly-statistics/{month}", &["=2026-10"], &[DailyReportRead], Body::None),
        route(POST, "/monthly-statistics/{month}/draft", &["=2026-11"], &[MonthlyReport], Body::None),
        route(POST, "/monthly-statistics/{month}/submit", &["=2026-10"], &[MonthlyReport], Body::Json(|_| json!({"version": 1}))),
        route(POST, "/on-call-misses", &[], &[IncidentWrite], Body::Json(|fx| json!({"staff_id": fx.id("staff"), "kind": "nope", "at": "2026-11-22T01:30:00Z"}))),
        route(POST, "/order-tasks/{id}/assign", &["=999999"], &[OrderDispatch], Body::Json(|fx| json!({"version": 1, "assignee_id": fx.id("staff")}))),
        route(POST, "/order-tasks/{id}/close", &["=999999"], &[OrderTask], Body::Json(|_| json!({"version": 1, "outcome": "矩阵"}))),
        route(POST, "/service-orders/{id}/lateness-notice", &["order"], &[OrderWork], Body::Json(|_| json!({"reason": ""}))),
        route(GET, "/service-orders/{id}/requirement-decision", &["order"], &[OrderRead], Body::None),
        route(
            POST,
            "/service-orders/{id}/requirement-decision",
            &["order"],
            &[SoftwareEvaluate],
            Body::Json(|_| json!({"general_use": true, "improves_functions": true, "fits_positioning": true, "effort_hours": -1,
                                  "support_hours": 0, "customer_accepts_charge": false, "accepted": false, "charge_fen": 0})),
        ),
        route(GET, "/service-orders/{id}/carry-list", &["order"], &[OrderRead], Body::None),
        // charges: the order is not on site, so writers get 409 before any ownership check
        route(GET, "/service-orders/{id}/charges", &["order"], &[OrderRead], Body::None),
        route(
            POST,
            "/service-orders/{id}/charges",
            &["order"],
            &[OrderWork],
            Body::Json(|_| json!({"description": "检测", "unit_price_fen": 2000})),
        ),
        route(DELETE, "/service-orders/{id}/charges/{charge_id}", &["order", "=1"], &[OrderWork], Body::None),
        route(
            POST,
            "/service-orders/{id}/price-schedule-shown",
            &["order"],
            &[OrderWork],
            Body::Json(|_| json!({"version": 1})),
        ),
        // accounting: no cash or invoice with id 1 exists, and the order is not completed
        route(GET, "/cash-collections", &[], &[BillingSettle], Body::None),
        route(GET, "/cash-collections/mine", &[], &[OrderWork], Body::None),
        route(
            POST,
            "/cash-collections/handover",
            &[],
            &[BillingSettle],
            Body::Json(|_| json!({"collection_ids": [999_999]})),
        ),
        route(GET, "/invoices/due", &[], &[BillingSettle], Body::None),
        route(GET, "/invoices", &[], &[BillingSettle], Body::None),
        route(
            POST,
            "/invoices",
            &[],
            &[BillingSettle],
            Body::Json(|fx| json!({"order_id": fx.id("order")})),
        ),
        route(GET, "/invoices/{id}", &["=1"], &[BillingSettle], Body::None),
        route(
            POST,
            "/invoices/{id}/collection",
            &["=1"],
            &[BillingSettle],
            Body::Json(|_| json!({"version": 1, "amount_fen": 100, "collected_on": "2026-11-22"})),
        ),
        route(
            POST,
            "/invoices/{id}/mailing",
            &["=1"],
            &[BillingSettle],
            Body::Json(|_| json!({"version": 1, "tracking_no": "XA123456789CN"})),
        ),
        route(GET, "/service-orders/{id}/settlement", &["order"], &[OrderRead], Body::None),
        route(GET, "/accounting/export", &[], &[BillingSettle], Body::None),
        // carry-in: the order is not in repair, so writers get 409 before any ownership check
        route(GET, "/service-orders/{id}/receipt", &["order"], &[OrderRead], Body::None),
        route(GET, "/service-orders/{id}/repair-card", &["order"], &[OrderRead], Body::None),
        route(
            POST,
            "/service-orders/{id}/repair-card",
            &["order"],
            &[OrderWork],
            Body::Json(|_| json!({"kind": "labour", "minutes": 30})),
        ),
        route(GET, "/workshop", &[], &[OrderRead], Body::None),
        route(GET, "/goods-register", &[], &[OrderRead], Body::None),
        // fault reports from QR labels: the label is read like the unit, the queue is the call register's
        route(GET, "/units/{id}/label", &["unit"], &[CustomerRead], Body::None),
        route(GET, "/fault-reports", &[], &[OrderRegister], Body::None),
        route(
            POST,
            "/fault-reports/{id}/confirm",
            &["fault_report"],
            &[OrderRegister],
            Body::Json(|_| json!({"version": 1, "fault_class": "hardware", "urgency": "normal"})),
        ),
        route(
            POST,
            "/fault-reports/{id}/reject",
            &["fault_report_to_reject"],
            &[OrderRegister],
            Body::Json(|_| json!({"version": 1, "reason": "重复报修"})),
        ),
        // daily reports: one's own needs order.work (anyone else's answers 404); reading others' daily_report.read
        route(GET, "/daily-reports/technician/{user_id}/{date}", &["staff", "=2026-11-22"], &[DailyReportRead], Body::None),
        route(POST, "/daily-reports/technician/{user_id}/{date}/generate", &["staff", "=2026-11-22"], &[OrderWork], Body::None),
        route(
            POST,
            "/daily-reports/technician/{user_id}/{date}/lines",
            &["staff", "=2026-11-22"],
            &[OrderWork],
            Body::Json(|_| json!({"kind": "training", "minutes": 30})),
        ),
        route(DELETE, "/daily-reports/technician/{user_id}/{date}/lines/{line_id}", &["staff", "=2026-11-22", "=1"], &[OrderWork], Body::None),
        route(POST, "/daily-reports/technician/{user_id}/{date}/submit", &["staff", "=2026-11-22"], &[OrderWork], Body::None),
        route(
            POST,
            "/daily-reports/technician/{user_id}/{date}/reopen",
            &["staff", "=2026-11-22"],
            &[OrderDispatch, DailyReportRead],
            Body::Json(|_| json!({"reason": "补报"})),
        ),
        route(GET, "/daily-reports/branch/{org_unit_id}/{date}", &["bj", "=2026-11-22"], &[DailyReportRead], Body::None),
        route(POST, "/daily-reports/branch/{org_unit_id}/{date}/{event}", &["bj", "=2026-11-22", "=submit"], &[OrderDispatch], Body::Json(|_| json!({}))),
        route(POST, "/daily-reports/branch/{org_unit_id}/{date}/{event}", &["bj", "=2026-11-22", "=approve"], &[ReportApprove], Body::Json(|_| json!({}))),
        route(
            POST,
            "/daily-reports/branch/{org_unit_id}/{date}/{event}",
            &["bj", "=2026-11-22", "=return"],
            &[ReportApprove],
            Body::Json(|_| json!({"reason": "补充"})),
        ),
        route(POST, "/daily-reports/branch/{org_unit_id}/{date}/{event}", &["bj", "=2026-11-22", "=forward"], &[ReportApprove], Body::None),
        // attachments: reading them is reading the record they belong to
        route(GET, "/attachments/{entity}/{id}", &["=customer", "customer"], &[CustomerRead], Body::None),
        route(GET, "/attachments/{entity}/{id}", &["=contract", "contract"], &[ContractRead], Body::None),
        route(GET, "/attachments/{entity}/{id}", &["=unit", "unit"], &[CustomerRead], Body::None),
        route(
            POST,
            "/attachments/{entity}/{id}",
            &["=customer", "customer"],
            &[AttachmentWrite, CustomerRead],
            Body::File("现场照片.txt", "photo bytes"),
        ),
        route(GET, "/attachments/{id}/download", &["customer_attachment"], &[CustomerRead], Body::None),
        route(GET, "/attachments/{id}/download", &["unit_attachment"], &[CustomerRead], Body::None),
        // import and export
        route(
            POST,
            "/imports/{sheet}",
            &["=customers"],
            &[ImportExport, CustomerWrite],
            Body::File("customers.csv", "name,phone\n矩阵导入,13000000009\n"),
        ),
        route(
            POST,
            "/imports/{sheet}",
            &["=products"],
            &[ImportExport, ProductWrite],
            Body::File("products.csv", "model,name,category\nMX-IMP,矩阵产品,空调\n"),
        ),
        route(
            POST,
            "/imports/{sheet}",
            &["=units"],
            &[ImportExport, UnitWrite],
            Body::File("units.csv", "serial_no,model,customer_number,purchase_date\nMX-SN-9,KFR-35GW,C000002,2026-01-01\n"),
        ),
        route(GET, "/exports/{sheet}", &["=customers"], &[ImportExport], Body::None),
        route(GET, "/exports/{sheet}", &["=units"], &[ImportExport], Body::None),
        // opinion surveys: cards read by staff and the portal user (own cards), answered by
        // the customer department or the portal user, aggregated for managers
        route(GET, "/survey-cards", &[], &[SurveyRead], Body::None),
        route(GET, "/survey-cards/{id}", &["survey_card"], &[SurveyRead], Body::None),
        route(
            POST,
            "/survey-cards/{id}/answer",
            &["survey_card"],
            &[SurveyAnswer],
            Body::Json(|_| json!({"attitude": 4, "technique": 4, "arrival": 3, "promise": 4, "answered_via": "phone"})),
        ),
        route(POST, "/survey-cards/{id}/link", &["survey_card"], &[SurveyAnswer], Body::None),
        route(GET, "/survey-report", &[], &[SurveyReport], Body::None),
        route(GET, "/survey-report/export", &[], &[SurveyReport], Body::None),
        route(GET, "/follow-ups", &[], &[FollowUp], Body::None),
        // discipline incidents: opened by supervisors and the customer department, decided by
        // the branch manager or the general manager
        route(GET, "/discipline-incidents", &[], &[IncidentRead], Body::None),
        route(
            POST,
            "/discipline-incidents",
            &[],
            &[IncidentWrite],
            Body::Json(|fx| json!({"staff_id": fx.id("staff"), "kind": "absenteeism"})),
        ),
        route(
            POST,
            "/discipline-incidents/{id}/decision",
            &["incident"],
            &[IncidentDecide],
            Body::Json(|_| json!({"approve": true, "sanction": "warning", "version": 1})),
        ),
        // performance scorecards: managers and the supervision side, by scope
        route(GET, "/performance/technicians", &[], &[PerformanceRead], Body::None),
        route(GET, "/performance/technicians/export", &[], &[PerformanceRead], Body::None),
        route(GET, "/performance/departments", &[], &[PerformanceRead], Body::None),
        route(GET, "/performance/departments/export", &[], &[PerformanceRead], Body::None),
        // supervision: recorded by the customer department and the hotline
        route(GET, "/staff-evaluations", &[], &[SupervisionRead], Body::None),
        route(
            POST,
            "/staff-evaluations",
            &[],
            &[SupervisionWrite],
            Body::Json(|fx| json!({"staff_id": fx.id("staff"), "period": "2026-11", "attitude": 4, "knowledge": 4, "communication": 4})),
        ),
        route(GET, "/supervision-activities", &[], &[SupervisionRead], Body::None),
        route(
            POST,
            "/supervision-activities",
            &[],
            &[SupervisionWrite],
            Body::Json(|fx| json!({"kind": "customer_forum", "org_unit_id": fx.id("bj"), "held_on": "2026-11-20", "title": "客户恳谈会"})),
        ),
        route(GET, "/visit-coverage", &[], &[SupervisionRead], Body::None),
        route(
            POST,
            "/visit-plans",
            &[],
            &[SupervisionWrite],
            Body::Json(|fx| json!({"customer_id": fx.id("customer"), "owner_id": fx.id("staff")})),
        ),
        route(GET, "/visit-tasks", &[], &[SupervisionRead], Body::None),
        route(GET, "/hotline-recheck", &[], &[SupervisionRead], Body::None),
        route(
            POST,
            "/hotline-recheck/{complaint_id}",
            &["complaint"],
            &[SupervisionWrite],
            Body::Json(|_| json!({"handled_correctly": true})),
        ),
        // mystery shoppers: everyone outside the supervision department gets 404, not 403
        // (checked in supervision.rs), so no role is refused with 403 here
        route(GET, "/mystery-shopper-reports", &[], &[], Body::None),
        route(
            POST,
            "/mystery-shopper-reports",
            &[],
            &[],
            Body::Json(|fx| json!({"org_unit_id": fx.id("bj"), "shopper_name": "暗访员", "visited_on": "2026-11-20", "score": 3})),
        ),
        route(GET, "/mystery-shopper-reports/{id}", &["missing"], &[], Body::None),
        // suggestions: every employee submits; the customer department answers and rewards
        route(GET, "/suggestions", &[], &[SuggestionSubmit], Body::None),
        route(
            POST,
            "/suggestions",
            &[],
            &[SuggestionSubmit],
            Body::Json(|_| json!({"title": "矩阵建议"})),
        ),
        route(
            POST,
            "/suggestions/{id}/answer",
            &["missing"],
            &[SuggestionManage],
            Body::Json(|_| json!({"answer": "采纳", "version": 1})),
        ),
        route(
            POST,
            "/suggestions/{id}/reward",
            &["missing"],
            &[SuggestionManage],
            Body::Json(|_| json!({"amount_fen": 100, "version": 1})),
        ),
        route(
            POST,
            "/follow-ups/{id}/call",
            &["follow_up"],
            &[FollowUp],
            Body::Json(|_| json!({"outcome": "no_answer", "version": 1})),
        ),
        // returns: the fixture is under review, so later steps answer 409 to allowed roles
        route(GET, "/returns", &[], &[ReturnRead], Body::None),
        route(
            POST,
            "/returns",
            &[],
            &[ReturnWrite],
            Body::Json(|fx| json!({"unit_id": fx.id("unit"), "reason": "no_reason", "wish": "refund"})),
        ),
        route(GET, "/returns/{id}", &["return"], &[ReturnRead], Body::None),
        route(
            POST,
            "/returns/{id}/review",
            &["return"],
            &[ReturnWrite],
            Body::Json(|_| json!({"version": 1, "condition": "soiled"})),
        ),
        route(
            POST,
            "/returns/{id}/report",
            &["return"],
            &[ReturnWrite],
            Body::Json(|_| json!({"version": 2, "report": {"file_name": "report.txt", "content_base64": "aGVsbG8="}})),
        ),
        route(
            POST,
            "/returns/{id}/step",
            &["return"],
            &[ReturnTask],
            Body::Json(|_| json!({"version": 1, "event": "receive_goods"})),
        ),
        route(POST, "/returns/{id}/tasks/{task_id}/done", &["return", "=1"], &[ReturnTask], Body::None),
        route(POST, "/returns/{id}/repair-order", &["return"], &[ReturnWrite, OrderRegister], Body::None),
        // online requests: the fixture awaits the seller, so a stale step answers 409 and a
        // repair order 409 to allowed roles
        route(GET, "/ecom/orders", &[], &[EcomRead], Body::None),
        route(
            POST,
            "/ecom/orders",
            &[],
            &[EcomManage],
            Body::Json(|fx| json!({"order_number": "MX-EC-2", "customer_id": fx.id("portal_customer"),
                                   "lines": [{"sku": "A", "product_name": "矩阵商品", "quantity": 1, "price_fen": 100}]})),
        ),
        route(POST, "/ecom/orders/import", &[], &[EcomManage], Body::File("orders.csv", "order_number\nX\n")),
        route(GET, "/ecom/orders/{id}", &["ecom_order"], &[EcomRead], Body::None),
        route(GET, "/ecom/requests", &[], &[EcomRead], Body::None),
        route(
            POST,
            "/ecom/requests",
            &[],
            &[EcomFile],
            Body::Json(|fx| json!({"order_line_id": fx.id("ecom_line_2"), "request_type": "protection", "remedy": "exchange", "description": "矩阵"})),
        ),
        route(GET, "/ecom/requests/{id}", &["ecom_request"], &[EcomRead], Body::None),
        route(
            POST,
            "/ecom/requests/{id}/step",
            &["ecom_request"],
            &[EcomManage],
            Body::Json(|_| json!({"version": 99, "event": "accept"})),
        ),
        route(
            POST,
            "/ecom/requests/{id}/evidence",
            &["ecom_request"],
            &[EcomFile],
            Body::Json(|_| json!({"file": {"file_name": "a.txt", "content_base64": "aGVsbG8="}})),
        ),
        route(POST, "/ecom/requests/{id}/repair-order", &["ecom_request"], &[EcomManage, OrderRegister], Body::None),
        route(
            POST,
            "/ecom/requests/{id}/escalation",
            &["ecom_request"],
            &[EcomManage, ComplaintRegister],
            Body::Json(|_| json!({"authority": "other", "note": "矩阵"})),
        ),
        // deliveries: the fixture is planned without a driver, so the driver's steps answer
        // 403 to drivers who are not the office and 409/200 to the office
        route(GET, "/deliveries", &[], &[DeliveryRead], Body::None),
        route(
            POST,
            "/deliveries",
            &[],
            &[DeliveryWrite],
            Body::Json(|fx| json!({"unit_id": fx.id("unit"), "place": "客厅", "window_start": "2026-11-23T01:00:00Z", "window_end": "2026-11-23T03:00:00Z"})),
        ),
        route(GET, "/deliveries/{id}", &["delivery"], &[DeliveryRead], Body::None),
        route(
            POST,
            "/deliveries/{id}/{event}",
            &["delivery", "=cancel"],
            &[DeliveryWrite],
            Body::Json(|_| json!({"version": 1, "note": "客户取消"})),
        ),
        // installations (the seeded installer belongs to no company, so it sees none: 404)
        route(GET, "/installations", &[], &[InstallRead], Body::None),
        route(
            POST,
            "/installations",
            &[],
            &[InstallWrite],
            Body::Json(|fx| json!({"unit_id": fx.id("unit"), "requirements": "壁挂"})),
        ),
        route(GET, "/installations/{id}", &["installation"], &[InstallRead], Body::None),
        route(
            POST,
            "/installations/{id}/{event}",
            &["installation", "=cancel"],
            &[InstallWrite],
            Body::Json(|_| json!({"version": 1, "note": "客户取消"})),
        ),
        route(GET, "/installation-providers", &[], &[InstallRead], Body::None),
        route(
            POST,
            "/installation-providers",
            &[],
            &[InstallProviderManage],
            Body::Json(|_| json!({"name": "矩阵安装公司二", "kind": "provider"})),
        ),
        route(GET, "/installation-providers/{id}", &["installation_provider"], &[InstallRead], Body::None),
        route(
            PUT,
            "/installation-providers/{id}",
            &["installation_provider"],
            &[InstallProviderManage],
            Body::Json(|_| json!({"name": "矩阵安装公司", "kind": "internal", "version": 1})),
        ),
        route(
            POST,
            "/installation-providers/{id}/users",
            &["installation_provider"],
            &[InstallProviderManage],
            Body::Json(|_| json!({"username": "nobody"})),
        ),
        route(GET, "/installation-scorecards", &[], &[InstallRead], Body::None),
        // parts (fixtures: a part with stock in the central warehouse, a BJ location, a
        // count sheet and a BJ loaner; the order is not on site, so order writers get 409)
        route(GET, "/parts", &[], &[PartsRead], Body::None),
        route(
            POST,
            "/parts",
            &[],
            &[PartsWrite],
            Body::Json(|_| json!({"part_number": "MX-P2", "name": "矩阵备件二", "unit": "个", "cost_fen": 100, "sale_price_fen": 150})),
        ),
        route(GET, "/parts/{id}", &["part"], &[PartsRead], Body::None),
        route(
            PUT,
            "/parts/{id}",
            &["part"],
            &[PartsWrite],
            Body::Json(|_| json!({"part_number": "MX-P1", "name": "矩阵备件", "unit": "个", "cost_fen": 100, "sale_price_fen": 200, "version": 1})),
        ),
        route(POST, "/parts/recompute-abc", &[], &[PartsWrite], Body::None),
        route(GET, "/parts/{id}/availability", &["part"], &[OrderRead], Body::None),
        route(GET, "/stock-locations", &[], &[PartsRead], Body::None),
        route(
            POST,
            "/stock-locations",
            &[],
            &[PartsWrite],
            Body::Json(|fx| json!({"code": "MX-B2", "name": "矩阵库二", "kind": "branch", "org_unit_id": fx.id("bj")})),
        ),
        route(GET, "/stock", &[], &[PartsRead], Body::None),
        route(GET, "/stock/export", &[], &[PartsRead], Body::None),
        route(GET, "/stock-movements", &[], &[PartsRead], Body::None),
        route(
            POST,
            "/stock/receipts",
            &[],
            &[PartsWrite],
            Body::Json(|fx| json!({"part_id": fx.id("part"), "location_id": fx.id("central"), "quantity": 1})),
        ),
        route(
            POST,
            "/stock/transfers",
            &[],
            &[PartsWrite],
            Body::Json(|fx| json!({"part_id": fx.id("part"), "from_location_id": fx.id("central"), "to_location_id": fx.id("bj_store"), "quantity": 1})),
        ),
        route(
            POST,
            "/stock/scrap",
            &[],
            &[PartsWrite],
            Body::Json(|fx| json!({"part_id": fx.id("part"), "location_id": fx.id("central"), "quantity": 1, "reason": "破损"})),
        ),
        route(GET, "/service-orders/{id}/parts", &["order"], &[OrderRead], Body::None),
        route(
            POST,
            "/service-orders/{id}/parts/issue",
            &["order"],
            &[OrderWork],
            Body::Json(|fx| json!({"part_id": fx.id("part")})),
        ),
        route(
            POST,
            "/service-orders/{id}/parts/return-unused",
            &["order"],
            &[OrderWork],
            Body::Json(|fx| json!({"part_id": fx.id("part")})),
        ),
        route(
            POST,
            "/service-orders/{id}/parts/return-faulty",
            &["order"],
            &[OrderWork],
            Body::Json(|fx| json!({"part_id": fx.id("part")})),
        ),
        route(
            POST,
            "/service-orders/{id}/parts/transfer",
            &["order"],
            &[PartsApprove],
            Body::Json(|fx| json!({"part_id": fx.id("part"), "from_location_id": fx.id("central"), "quantity": 1})),
        ),
        route(GET, "/stock-counts", &[], &[PartsRead], Body::None),
        route(
            POST,
            "/stock-counts",
            &[],
            &[PartsWrite],
            Body::Json(|fx| json!({"location_id": fx.id("central"), "scope": "full"})),
        ),
        route(GET, "/stock-counts/{id}", &["stock_count"], &[PartsRead], Body::None),
        route(
            POST,
            "/stock-counts/{id}/entries",
            &["stock_count"],
            &[PartsWrite],
            Body::Json(|_| json!({"lines": [], "version": 1})),
        ),
        route(
            POST,
            "/stock-counts/{id}/decision",
            &["stock_count"],
            &[PartsApprove],
            Body::Json(|_| json!({"approve": true, "version": 1})),
        ),
        route(GET, "/loaners", &[], &[OrderRead], Body::None),
        route(
            POST,
            "/loaners",
            &[],
            &[PartsWrite],
            Body::Json(|fx| json!({"code": "MX-L2", "name": "矩阵替补机二", "org_unit_id": fx.id("bj")})),
        ),
        route(GET, "/service-orders/{id}/loaners", &["order"], &[OrderRead], Body::None),
        route(
            POST,
            "/loaners/{id}/{event}",
            &["loaner", "=lend"],
            &[OrderRegister],
            Body::Json(|fx| json!({"order_id": fx.id("order"), "version": 1})),
        ),
        route(
            POST,
            "/loaners/{id}/{event}",
            &["loaner", "=retire"],
            &[PartsWrite],
            Body::Json(|_| json!({"version": 1})),
        ),
        // replenishment, purchase requests, parts reports
        route(GET, "/replenishment", &[], &[PartsPlan], Body::None),
        route(
            PUT,
            "/replenishment/reorder-points",
            &[],
            &[PartsWrite],
            Body::Json(|fx| json!({"part_id": fx.id("part"), "location_id": fx.id("central"), "reorder_point": 5, "order_quantity": 10})),
        ),
        route(GET, "/purchase-requests", &[], &[PartsPlan], Body::None),
        route(
            POST,
            "/purchase-requests",
            &[],
            &[PartsPlan],
            Body::Json(|fx| json!({"part_id": fx.id("part"), "location_id": fx.id("bj_store"), "quantity": 2})),
        ),
        route(GET, "/purchase-requests/{id}", &["purchase_request"], &[PartsPlan], Body::None),
        route(
            POST,
            "/purchase-requests/{id}/decision",
            &["purchase_request"],
            &[PartsApprove],
            Body::Json(|_| json!({"approve": true, "version": 1})),
        ),
        route(
            POST,
            "/purchase-requests/{id}/receipt",
            &["purchase_request"],
            &[PartsWrite],
            Body::Json(|_| json!({"version": 1})),
        ),
        route(GET, "/parts-reports/{kind}", &["=stock_value"], &[PartsReport], Body::None),
        route(GET, "/parts-reports/{kind}/export", &["=tools_held"], &[PartsReport], Body::None),
        // tools
        route(GET, "/tools", &[], &[PartsRead], Body::None),
        route(
            POST,
            "/tools",
            &[],
            &[ToolsKeep],
            Body::Json(|fx| json!({"asset_no": "MX-T2", "name": "矩阵工具二", "value_fen": 1000, "org_unit_id": fx.id("bj")})),
        ),
        route(GET, "/tools/{id}", &["tool"], &[PartsRead], Body::None),
        route(
            POST,
            "/tools/{id}/{event}",
            &["tool", "=issue"],
            &[ToolsKeep],
            Body::Json(|fx| json!({"holder_id": fx.id("staff"), "rule_accepted": true, "version": 1})),
        ),
        route(GET, "/tool-purchases", &[], &[PartsRead], Body::None),
        route(
            POST,
            "/tool-purchases",
            &[],
            &[PartsPlan],
            Body::Json(|fx| json!({"name": "矩阵万用表", "purpose": "检测", "quotes": [{"supplier": "甲", "price_fen": 1000}], "org_unit_id": fx.id("bj")})),
        ),
        route(
            POST,
            "/tool-purchases/{id}/{event}",
            &["tool_purchase", "=price_check"],
            &[BillingSettle],
            Body::Json(|_| json!({"version": 1})),
        ),
        route(
            POST,
            "/tool-purchases/{id}/{event}",
            &["tool_purchase", "=approve"],
            &[PartsApprove],
            Body::Json(|_| json!({"version": 2})),
        ),
        route(
            POST,
            "/tool-purchases/{id}/{event}",
            &["tool_purchase", "=purchase"],
            &[PartsWrite],
            Body::Json(|_| json!({"asset_no": "MX-T3", "version": 3})),
        ),
    ]
}

impl Route {
    pub fn path(&self, fx: &Fx) -> String {
        let mut path = String::new();
        let mut rest = self.template;
        let mut args = self.args.iter();
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').expect("closing brace") + open;
            path.push_str(&rest[..open]);
            let arg = args
                .next()
                .unwrap_or_else(|| panic!("{}: too few args", self.template));
            match arg.strip_prefix('=') {
                Some(literal) => path.push_str(literal),
                None => path.push_str(&fx.id(arg).to_string()),
            }
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        assert!(args.next().is_none(), "{}: too many args", self.template);
        if !self.query.is_empty() {
            path = format!("{path}?{}", self.query);
        }
        path
    }

    fn name(&self, fx: &Fx) -> String {
        format!("{} {}", self.method, self.path(fx))
    }

    fn allowed(&self, role: Role) -> bool {
        self.needs.iter().all(|p| role.permissions().contains(p))
    }

    async fn call(&self, app: &TestApp, fx: &Fx, auth: Auth<'_>) -> crate::helpers::TestResponse {
        let payload = match &self.body {
            Body::None => Payload::Empty,
            Body::Json(body) => Payload::Json(body(fx)),
            Body::File(name, contents) => Payload::File {
                name: (*name).to_string(),
                content_type: "text/plain".into(),
                bytes: contents.as_bytes().to_vec(),
            },
        };
        app.send(self.method.clone(), &self.path(fx), auth, payload, &[])
            .await
    }
}

/// Records every route points at, created by the administrator, all in BJ so branch staff
/// (who work in BJ) see them and only permissions decide.
async fn fixtures(app: &TestApp) -> Fx {
    let s = &app.seed;
    let mut ids: HashMap<&'static str, i64> = HashMap::from([
        ("hq", s.hq),
        ("bj", s.bj),
        ("bj_urban", s.bj_urban),
        ("district", s.bj_suburban),
        ("product", s.product),
    ]);
    let org_unit = app
        .post_json(
            "/org-units",
            Role::Admin,
            json!({"code": "MX", "name": "矩阵中心", "kind": "service_center", "parent_id": s.hq}),
        )
        .await;
    org_unit.assert_status(StatusCode::CREATED);
    ids.insert("org_unit", org_unit.id());
    let customer = app
        .create_customer(customer_body("矩阵客户", "13000000000", s.bj, s.bj_urban))
        .await;
    let customer_id = customer["id"].as_i64().unwrap();
    assert_eq!(
        customer["number"], "C000002",
        "the units import row refers to it"
    );
    ids.insert("customer", customer_id);
    let unit = app.create_unit(customer_id, "MX-SN-1", "2026-10-01").await;
    ids.insert("unit", unit["id"].as_i64().unwrap());
    let contract = app.create_contract(customer_id, &[]).await;
    let contract_id = contract["id"].as_i64().unwrap();
    ids.insert("contract", contract_id);
    // Version 2, so the status route (version 2) is not refused as stale by the first caller.
    let mut terms = contract_body(customer_id, &[], "2026-11-01", "2027-10-31", 120_000);
    terms["version"] = json!(1);
    app.put_json(&format!("/contracts/{contract_id}"), Role::Admin, terms)
        .await
        .assert_status(StatusCode::OK);
    let staff = app
        .post_json(
            "/staff",
            Role::Admin,
            json!({"username": "mx_tech", "display_name": "矩阵技师", "password": "long-enough-pw",
                   "org_unit_id": s.bj, "roles": ["technician"]}),
        )
        .await;
    staff.assert_status(StatusCode::CREATED);
    ids.insert("staff", staff.id());
    let qualification = app
        .post_json(
            &format!("/staff/{}/qualifications", staff.id()),
            Role::Admin,
            json!({"kind": "certificate", "product_category": "空调", "title": "上岗证", "issued_on": "2026-01-01"}),
        )
        .await;
    qualification.assert_status(StatusCode::CREATED);
    ids.insert("qualification", qualification.id());
    let token = app
        .post_json(
            "/api-tokens",
            Role::Admin,
            json!({"name": "将被吊销", "user_id": staff.id()}),
        )
        .await;
    token.assert_status(StatusCode::CREATED);
    ids.insert("token", token.body["token"]["id"].as_i64().unwrap());
    let order = app
        .post_json(
            "/service-orders",
            Role::Admin,
            json!({"channel": "phone", "customer_id": customer_id, "unit_id": ids["unit"],
                   "fault_description": "矩阵故障", "fault_class": "hardware", "urgency": "normal"}),
        )
        .await;
    order.assert_status(StatusCode::CREATED);
    ids.insert("order", order.id());
    let bj = aftersales_store::entity::org_unit::Entity::find_by_id(s.bj)
        .one(&app.app.db)
        .await
        .unwrap()
        .expect("BJ");
    let cards = aftersales_app::surveys::create_cards_for_day(
        &app.app.db,
        &bj,
        "2026-11-22".parse().unwrap(),
        app.app.now_ms(),
    )
    .await
    .expect("survey cards");
    ids.insert("survey_card", cards[0]);
    let order_row = aftersales_store::entity::service_order::Entity::find_by_id(order.id())
        .one(&app.app.db)
        .await
        .unwrap()
        .expect("order");
    aftersales_app::surveys::request_follow_up(
        &app.app.db,
        &aftersales_app::surveys::FollowUpRequest::after_service(&order_row),
        app.app.now_ms(),
    )
    .await
    .expect("follow-up");
    let follow_up = aftersales_store::entity::follow_up::Entity::find()
        .one(&app.app.db)
        .await
        .unwrap()
        .expect("follow-up row");
    ids.insert("follow_up", follow_up.id);
    let incident = aftersales_app::staff_conduct::open_incident(
        &app.app.db,
        &aftersales_app::staff_conduct::NewIncident {
            staff_id: ids["staff"],
            kind: "tool_loss".into(),
            ..Default::default()
        },
        "manual",
        None,
        app.app.now_ms(),
    )
    .await
    .expect("incident");
    ids.insert("incident", incident);
    let price_item = app
        .post_json(
            "/price-items",
            Role::Admin,
            json!({"code": "MX-PI", "name": "矩阵项目", "kind": "repair", "price_fen": 100}),
        )
        .await;
    price_item.assert_status(StatusCode::CREATED);
    ids.insert("price_item", price_item.id());
    let policy = app
        .post_json(
            "/sla-policies",
            Role::Admin,
            sla_policy_body("矩阵政策", None),
        )
        .await;
    policy.assert_status(StatusCode::CREATED);
    ids.insert("sla_policy", policy.id());
    let rma = app
        .post_json(
            "/returns",
            Role::Admin,
            json!({"unit_id": ids["unit"], "reason": "no_reason", "wish": "refund"}),
        )
        .await;
    rma.assert_status(StatusCode::CREATED);
    ids.insert("return", rma.id());
    let delivery = app
        .post_json(
            "/deliveries",
            Role::Admin,
            json!({"unit_id": ids["unit"], "place": "客厅", "window_start": "2026-11-23T01:00:00Z", "window_end": "2026-11-23T03:00:00Z"}),
        )
        .await;
    delivery.assert_status(StatusCode::CREATED);
    ids.insert("delivery", delivery.id());
    let label = app
        .get(&format!("/units/{}/label", ids["unit"]), Role::Admin)
        .await;
    label.assert_status(StatusCode::OK);
    let code = label.body["code"].as_str().expect("label code").to_string();
    for fixture in ["fault_report", "fault_report_to_reject"] {
        let input = aftersales_app::fault_reports::ReportInput {
            description: "扫码报修：不制冷".into(),
            contact_phone: "13000000000".into(),
            ..Default::default()
        };
        let report = aftersales_app::fault_reports::submit(&app.app, &code, &input, &[], None)
            .await
            .expect("fault report");
        ids.insert(fixture, report.id);
    }
    for (entity, fixture) in [
        ("customer", "customer_attachment"),
        ("unit", "unit_attachment"),
    ] {
        let attachment = app
            .post_file(
                &format!("/attachments/{entity}/{}", ids[entity]),
                Role::Admin,
                "fixture.txt",
                format!("{entity} file").into_bytes(),
            )
            .await;
        attachment.assert_status(StatusCode::CREATED);
        ids.insert(fixture, attachment.id());
    }
    let part = app
        .post_json(
            "/parts",
            Role::Admin,
            json!({"part_number": "MX-P1", "name": "矩阵备件", "unit": "个", "cost_fen": 100, "sale_price_fen": 200}),
        )
        .await;
    part.assert_status(StatusCode::CREATED);
    ids.insert("part", part.id());
    for (fixture, code, kind, org_unit_id) in [
        ("central", "MX-C", "central", s.hq),
        ("bj_store", "MX-BJ", "branch", s.bj),
    ] {
        let location = app
            .post_json(
                "/stock-locations",
                Role::Admin,
                json!({"code": code, "name": code, "kind": kind, "org_unit_id": org_unit_id}),
            )
            .await;
        location.assert_status(StatusCode::CREATED);
        ids.insert(fixture, location.id());
    }
    app.post_json(
        "/stock/receipts",
        Role::Admin,
        json!({"part_id": ids["part"], "location_id": ids["central"], "quantity": 1000}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let count = app
        .post_json(
            "/stock-counts",
            Role::Admin,
            json!({"location_id": ids["central"], "scope": "full"}),
        )
        .await;
    count.assert_status(StatusCode::CREATED);
    ids.insert("stock_count", count.id());
    let loaner = app
        .post_json(
            "/loaners",
            Role::Admin,
            json!({"code": "MX-L1", "name": "矩阵替补机", "org_unit_id": s.bj}),
        )
        .await;
    loaner.assert_status(StatusCode::CREATED);
    ids.insert("loaner", loaner.id());
    let request = app
        .post_json(
            "/purchase-requests",
            Role::Admin,
            json!({"part_id": ids["part"], "location_id": ids["bj_store"], "quantity": 3}),
        )
        .await;
    request.assert_status(StatusCode::CREATED);
    ids.insert("purchase_request", request.id());
    let tool = app
        .post_json(
            "/tools",
            Role::Admin,
            json!({"asset_no": "MX-T1", "name": "矩阵工具", "value_fen": 1000, "org_unit_id": s.bj}),
        )
        .await;
    tool.assert_status(StatusCode::CREATED);
    ids.insert("tool", tool.id());
    let purchase = app
        .post_json(
            "/tool-purchases",
            Role::Admin,
            json!({"name": "矩阵检漏仪", "purpose": "检测", "quotes": [{"supplier": "甲", "price_fen": 1000}], "org_unit_id": s.bj}),
        )
        .await;
    purchase.assert_status(StatusCode::CREATED);
    ids.insert("tool_purchase", purchase.id());
    let complaint = app
        .post_json(
            "/complaints",
            Role::Admin,
            json!({"channel": "phone", "complaint_type": "packaging", "subject_kind": "product",
                   "customer_name": "矩阵客户", "content": "矩阵投诉", "org_unit_id": s.bj}),
        )
        .await;
    complaint.assert_status(StatusCode::CREATED);
    ids.insert("complaint", complaint.id());
    let routed = app
        .post_json(
            &format!("/complaints/{}/route", complaint.id()),
            Role::Admin,
            json!({"version": 1}),
        )
        .await;
    routed.assert_status(StatusCode::OK);
    ids.insert(
        "complaint_task",
        routed.body["tasks"][0]["id"].as_i64().unwrap(),
    );
    let provider = app
        .post_json(
            "/installation-providers",
            Role::Admin,
            json!({"name": "矩阵安装公司", "kind": "provider"}),
        )
        .await;
    provider.assert_status(StatusCode::CREATED);
    ids.insert("installation_provider", provider.id());
    let installation = app
        .post_json(
            "/installations",
            Role::Admin,
            json!({"unit_id": ids["unit"], "requirements": "壁挂"}),
        )
        .await;
    installation.assert_status(StatusCode::CREATED);
    ids.insert("installation", installation.id());
    let ecom_order = app
        .post_json(
            "/ecom/orders",
            Role::Admin,
            json!({"order_number": "MX-EC-1", "customer_id": s.portal_customer, "signed_at": "2026-11-21T02:00:00Z",
                   "lines": [{"sku": "A", "product_name": "矩阵商品", "quantity": 1, "price_fen": 100},
                             {"sku": "B", "product_name": "矩阵配件", "quantity": 1, "price_fen": 100}]}),
        )
        .await;
    ecom_order.assert_status(StatusCode::CREATED);
    ids.insert("ecom_order", ecom_order.id());
    ids.insert("portal_customer", s.portal_customer);
    ids.insert(
        "ecom_line_2",
        ecom_order.body["lines"][1]["id"].as_i64().unwrap(),
    );
    let ecom_request = app
        .post_json(
            "/ecom/requests",
            Role::Admin,
            json!({"order_line_id": ecom_order.body["lines"][0]["id"], "request_type": "protection",
                   "remedy": "repair", "description": "矩阵"}),
        )
        .await;
    ecom_request.assert_status(StatusCode::CREATED);
    ids.insert("ecom_request", ecom_request.id());
    // Routes whose record is hard to reach in a fixture: the permission answers first.
    ids.insert("missing", 999_999);
    Fx { ids }
}

/// Runs `rows` for every role; returns one line per wrong answer.
async fn check(app: &TestApp, fx: &Fx, rows: &[&Route]) -> Vec<String> {
    let mut failures = Vec::new();
    for route in rows {
        for role in Role::ALL.iter().copied() {
            let response = route.call(app, fx, Auth::As(role)).await;
            let status = response.status;
            let wrong = if route.allowed(role) {
                status == StatusCode::FORBIDDEN
                    || status == StatusCode::UNAUTHORIZED
                    || status.is_server_error()
            } else {
                status != StatusCode::FORBIDDEN
            };
            if wrong {
                failures.push(format!(
                    "{} as {role}: expected {}, got {status} {}",
                    route.name(fx),
                    if route.allowed(role) {
                        "not 401/403/5xx"
                    } else {
                        "403"
                    },
                    response.body
                ));
            }
        }
    }
    failures
}

#[tokio::test]
async fn every_route_answers_403_exactly_when_the_role_lacks_its_permission() {
    let app = TestApp::spawn().await;
    let fx = fixtures(&app).await;
    let table = routes();
    let rows: Vec<&Route> = table.iter().collect();
    let failures = check(&app, &fx, &rows).await;
    assert!(
        failures.is_empty(),
        "{} wrong answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_route_answers_401_without_a_token() {
    let app = TestApp::spawn().await;
    let fx = fixtures(&app).await;
    let mut failures = Vec::new();
    for route in routes() {
        for auth in [Auth::Anonymous, Auth::Token("ast_not-a-real-token")] {
            let response = route.call(&app, &fx, auth).await;
            if response.status != StatusCode::UNAUTHORIZED
                || response.body["code"] != "invalid_credentials"
            {
                failures.push(format!(
                    "{} {auth:?}: {} {}",
                    route.name(&fx),
                    response.status,
                    response.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
