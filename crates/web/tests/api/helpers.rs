//! The test kit: a [`TestApp`] with a fresh database per test, a small seeded organisation,
//! one user and bearer token per role, and typed request helpers.
//!
//! Database: a temporary SQLite file by default. When `AFTERSALES_TEST_PG_URL` is set (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`), every test gets a brand-new PostgreSQL
//! database `aftersales_test_<random>` created through that URL. Clean-up choice: the database
//! is dropped when the `TestApp` is dropped (also when the test panics), from a helper thread
//! running its own small runtime, with `DROP DATABASE .. WITH (FORCE)` so the test's still
//! open pool cannot block it. A process killed mid-test can leave a database behind; they are
//! all named `aftersales_test_%` and can be removed by hand.

use std::collections::HashMap;
use std::sync::Arc;

use aftersales_app::customers::{AddressInput, CustomerInput};
use aftersales_app::org::{DistrictInput, OrgUnitInput};
use aftersales_app::products::{ComponentInput, ProductInput};
use aftersales_app::staff::UserInput;
use aftersales_app::{Actor, App, ManualClock};
use aftersales_domain::role::Role;
use aftersales_testkit::TestDb;
use aftersales_web::AppState;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// A 1×1 PNG, as the signature pad sends it.
pub const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// The fixed start of the test clock: 2026-11-22 10:00 in Asia/Shanghai.
pub const START: &str = "2026-11-22T02:00:00Z";
/// `today` as the app sees it at [`START`].
pub const TODAY: &str = "2026-11-22";
/// The password of every seeded user.
pub const PASSWORD: &str = "correct-horse-battery";

/// Ids of the seeded organisation and catalogue.
#[derive(Debug, Clone)]
pub struct Seed {
    /// HQ customer department (root unit).
    pub hq: i64,
    pub bj: i64,
    pub tj: i64,
    pub bj_urban: i64,
    pub bj_suburban: i64,
    pub tj_urban: i64,
    pub tj_suburban: i64,
    /// Model `KFR-35GW`, 12 months; components 压缩机 60 months, 遥控器 6 months.
    pub product: i64,
    /// The BJ customer the portal user (role `customer`) acts for.
    pub portal_customer: i64,
    pub users: HashMap<Role, i64>,
}

/// Who sends a request.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    As(Role),
    Token(&'a str),
    Anonymous,
}

impl From<Role> for Auth<'_> {
    fn from(role: Role) -> Self {
        Auth::As(role)
    }
}

/// A request body.
pub enum Payload {
    Empty,
    Json(Value),
    /// One multipart file part named `file`.
    File {
        name: String,
        content_type: String,
        bytes: Vec<u8>,
    },
}

/// An answer: status, parsed JSON body (`Null` when empty or not JSON) and raw bytes.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub body: Value,
    pub bytes: Vec<u8>,
    pub headers: axum::http::HeaderMap,
}

impl TestResponse {
    /// Asserts the status, with the body in the failure message.
    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        self
    }

    /// Asserts a response in the common error shape with this status, code and field.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str, field: Option<&str>) -> &Self {
        self.assert_status(status);
        for key in ["code", "message", "field", "errors", "detail"] {
            assert!(
                self.body.get(key).is_some(),
                "error body lacks `{key}`: {}",
                self.body
            );
        }
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert_eq!(
            self.body["field"].as_str(),
            field,
            "wrong field; body: {}",
            self.body
        );
        assert!(self.body["errors"].is_array(), "body: {}", self.body);
        self
    }

    /// Asserts a 422 naming `field` among its `errors`, with `field` as the first one.
    #[track_caller]
    pub fn assert_invalid(&self, field: &str) -> &Self {
        self.assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some(field),
        );
        assert!(
            self.error_fields().iter().any(|f| f == field),
            "errors lack {field}: {}",
            self.body
        );
        self
    }

    /// The fields named in `errors[]`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn id(&self) -> i64 {
        self.body["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no id in {}", self.body))
    }
}

pub struct TestApp {
    pub router: Router,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub seed: Seed,
    tokens: HashMap<Role, String>,
    // Last, so the pool above is dropped before the database is.
    _db: TestDb,
}

fn start_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(START.parse().expect("start instant")))
}

impl TestApp {
    /// A fresh database with the seeded organisation, product and one user per role, opened
    /// as the server opens it (for SQLite: the one-connection writer and group commit).
    pub async fn spawn() -> TestApp {
        let test_db = TestDb::create().await;
        let clock = start_clock();
        let app = App::open(&test_db.url(), clock.clone(), test_db.files_dir())
            .await
            .expect("open the test database");
        TestApp::spawn_app(test_db, app, clock).await
    }

    /// Like [`TestApp::spawn`], on a pool the test opened itself on the migrated `test_db`
    /// (to inject faults into its connections).
    pub async fn spawn_on(
        test_db: TestDb,
        db: aftersales_store::sea_orm::DatabaseConnection,
    ) -> TestApp {
        let clock = start_clock();
        let app = App::new(db, clock.clone(), test_db.files_dir());
        TestApp::spawn_app(test_db, app, clock).await
    }

    async fn spawn_app(test_db: TestDb, app: App, clock: Arc<ManualClock>) -> TestApp {
        // Warnings (a 503's database error, a failed timer) go to the test's captured output,
        // so a failing test shows why the server refused. The first test of the binary sets
        // the subscriber; the others find it set.
        tracing_subscriber::fmt()
            .with_test_writer()
            .with_ansi(false)
            .with_env_filter("warn")
            .try_init()
            .ok();
        let (seed, tokens) = seed(&app).await;
        let router = aftersales_web::router(AppState::new(app.clone(), false));
        TestApp {
            router,
            app,
            clock,
            seed,
            tokens,
            _db: test_db,
        }
    }

    pub fn token(&self, role: Role) -> &str {
        &self.tokens[&role]
    }

    pub fn user(&self, role: Role) -> i64 {
        self.seed.users[&role]
    }

    pub async fn actor(&self, role: Role) -> Actor {
        Actor::load(&self.app.db, self.user(role))
            .await
            .expect("load actor")
            .expect("active actor")
    }

    /// Sends one request through the router (no socket) and reads the whole answer.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        payload: Payload,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let uri = if path.starts_with("/api/") {
            path.to_string()
        } else {
            format!("/api/v1{path}")
        };
        let mut builder = Request::builder().method(method).uri(uri);
        match auth {
            Auth::As(role) => {
                builder = builder.header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", self.token(role)),
                )
            }
            Auth::Token(token) => {
                builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"))
            }
            Auth::Anonymous => {}
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let body = match payload {
            Payload::Empty => Body::empty(),
            Payload::Json(value) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(&value).expect("json body"))
            }
            Payload::File {
                name,
                content_type,
                bytes,
            } => {
                let (content_type, body) = multipart(&name, &content_type, &bytes);
                builder = builder.header(header::CONTENT_TYPE, content_type);
                Body::from(body)
            }
        };
        let request = builder.body(body).expect("request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("read body")
            .to_bytes()
            .to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            body,
            bytes,
            headers,
        }
    }

    pub async fn get<'a>(&self, path: &str, auth: impl Into<Auth<'a>>) -> TestResponse {
        self.send(Method::GET, path, auth.into(), Payload::Empty, &[])
            .await
    }

    pub async fn post_json<'a>(
        &self,
        path: &str,
        auth: impl Into<Auth<'a>>,
        body: Value,
    ) -> TestResponse {
        self.send(Method::POST, path, auth.into(), Payload::Json(body), &[])
            .await
    }

    pub async fn put_json<'a>(
        &self,
        path: &str,
        auth: impl Into<Auth<'a>>,
        body: Value,
    ) -> TestResponse {
        self.send(Method::PUT, path, auth.into(), Payload::Json(body), &[])
            .await
    }

    pub async fn delete<'a>(&self, path: &str, auth: impl Into<Auth<'a>>) -> TestResponse {
        self.send(Method::DELETE, path, auth.into(), Payload::Empty, &[])
            .await
    }

    /// Uploads one file as multipart/form-data (field `file`).
    pub async fn post_file<'a>(
        &self,
        path: &str,
        auth: impl Into<Auth<'a>>,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> TestResponse {
        let content_type = match aftersales_tabular::Format::from_file_name(file_name) {
            Some(format) => format.content_type(),
            None => "text/plain",
        };
        let payload = Payload::File {
            name: file_name.to_string(),
            content_type: content_type.to_string(),
            bytes,
        };
        self.send(Method::POST, path, auth.into(), payload, &[])
            .await
    }

    // ----- builders of records through the API, as the administrator -----

    /// Creates a customer (201 asserted) and returns its view.
    pub async fn create_customer(&self, body: Value) -> Value {
        let response = self.post_json("/customers", Role::Admin, body).await;
        response.assert_status(StatusCode::CREATED);
        response.body
    }

    pub async fn create_unit(
        &self,
        customer_id: i64,
        serial_no: &str,
        purchase_date: &str,
    ) -> Value {
        let response = self
            .post_json(
                "/units",
                Role::Admin,
                unit_body(self.seed.product, customer_id, serial_no, purchase_date),
            )
            .await;
        response.assert_status(StatusCode::CREATED);
        response.body
    }

    pub async fn create_contract(&self, customer_id: i64, unit_ids: &[i64]) -> Value {
        let response = self
            .post_json(
                "/contracts",
                Role::Admin,
                contract_body(customer_id, unit_ids, "2026-11-01", "2027-10-31", 120_000),
            )
            .await;
        response.assert_status(StatusCode::CREATED);
        response.body
    }

    /// The number of customers the administrator sees.
    pub async fn customer_count(&self) -> u64 {
        let response = self.get("/customers?per_page=1", Role::Admin).await;
        response.assert_status(StatusCode::OK);
        response.body["total"].as_u64().expect("total")
    }
}

/// A valid customer body; `org_unit_id` chooses the branch.
pub fn customer_body(name: &str, phone: &str, org_unit_id: i64, district_id: i64) -> Value {
    json!({
        "kind": "person",
        "name": name,
        "phone": phone,
        "org_unit_id": org_unit_id,
        "addresses": [{"district_id": district_id, "detail": format!("{name}家 幸福路8号")}],
    })
}

pub fn unit_body(product_id: i64, customer_id: i64, serial_no: &str, purchase_date: &str) -> Value {
    json!({
        "serial_no": serial_no,
        "product_id": product_id,
        "customer_id": customer_id,
        "purchase_date": purchase_date,
        "list_price_fen": 329_900,
        "paid_price_fen": 299_900,
    })
}

pub fn contract_body(
    customer_id: i64,
    unit_ids: &[i64],
    start: &str,
    end: &str,
    fee_fen: i64,
) -> Value {
    json!({
        "customer_id": customer_id,
        "start_date": start,
        "end_date": end,
        "fee_fen": fee_fen,
        "visits_per_year": 2,
        "unit_ids": unit_ids,
    })
}

pub fn product_body(model: &str) -> Value {
    json!({
        "model": model,
        "name": format!("{model} 空调"),
        "category": "空调",
        "warranty_months": 12,
        "components": [
            {"name": "压缩机", "warranty_months": 60},
            {"name": "遥控器", "warranty_months": 6},
        ],
    })
}

/// A multipart/form-data body with one file part named `file`: (content type, body).
pub fn multipart(file_name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "aftersales-test-boundary-7f3a9c";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!("Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(format!("Content-Type: {content_type}\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

// ----- seeding -----

fn unit_input(code: &str, name: &str, kind: &str, parent_id: Option<i64>) -> OrgUnitInput {
    OrgUnitInput {
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        department_kind: None,
        parent_id,
        calendar_code: None,
        time_zone: None,
        version: None,
    }
}

fn user_input(role: Role, org_unit_id: Option<i64>, customer_id: Option<i64>) -> UserInput {
    UserInput {
        username: format!("u_{}", role.as_str()),
        display_name: format!("测试 {}", role.as_str()),
        password: Some(PASSWORD.into()),
        org_unit_id,
        customer_id,
        phone: None,
        email: None,
        badge_no: None,
        roles: vec![role.as_str().to_string()],
        skills: Vec::new(),
        active: true,
        version: None,
    }
}

async fn seed(app: &App) -> (Seed, HashMap<Role, String>) {
    use aftersales_app::{customers, org, products, staff};
    let hq = org::create_root_unit(
        app,
        &unit_input("HQ", "客户部（总部）", "customer_department", None),
    )
    .await
    .expect("root unit");
    let admin_id = staff::create_by_operator(app, &user_input(Role::Admin, Some(hq), None))
        .await
        .expect("first admin");
    let admin = Actor::load(&app.db, admin_id)
        .await
        .expect("load admin")
        .expect("admin active");
    let bj = org::create_unit(
        app,
        &admin,
        &unit_input("BJ", "北京分公司", "branch", Some(hq)),
    )
    .await
    .expect("BJ")
    .id;
    let tj = org::create_unit(
        app,
        &admin,
        &unit_input("TJ", "天津分公司", "branch", Some(hq)),
    )
    .await
    .expect("TJ")
    .id;
    let district = |org_unit_id: i64, name: &str, zone: &str| DistrictInput {
        org_unit_id,
        name: name.into(),
        zone: zone.into(),
        version: None,
    };
    let mut district_ids = Vec::new();
    for input in [
        district(bj, "东城区", "urban"),
        district(bj, "昌平区", "suburban"),
        district(tj, "和平区", "urban"),
        district(tj, "宝坻区", "suburban"),
    ] {
        district_ids.push(
            org::create_district(app, &admin, &input)
                .await
                .expect("district")
                .id,
        );
    }
    let product = products::create(
        app,
        &admin,
        &ProductInput {
            model: "KFR-35GW".into(),
            name: "挂壁式空调".into(),
            category: "空调".into(),
            warranty_months: 12,
            returnable: true,
            sanbao: true,
            bulky: false,
            needs_installation: true,
            seasonal: false,
            components: vec![
                ComponentInput {
                    name: "压缩机".into(),
                    warranty_months: 60,
                },
                ComponentInput {
                    name: "遥控器".into(),
                    warranty_months: 6,
                },
            ],
            version: None,
        },
        None,
    )
    .await
    .expect("product")
    .id;
    let portal_customer = customers::create(
        app,
        &admin,
        &CustomerInput {
            kind: "company".into(),
            name: "门户客户有限公司".into(),
            phone: "010-66001122".into(),
            email: None,
            wechat: None,
            abc_class: None,
            abc_override_reason: None,
            key_account: false,
            org_unit_id: Some(bj),
            referrer_id: None,
            business_profile: None,
            purchase_reason: None,
            promises: None,
            remarks: None,
            calendar_code: None,
            contacts: Vec::new(),
            addresses: vec![AddressInput {
                district_id: district_ids[0],
                detail: "东城区门户大厦1号".into(),
                is_default: true,
            }],
            allow_duplicate_phone: false,
            version: None,
        },
        None,
    )
    .await
    .expect("portal customer")
    .id;

    let mut users = HashMap::from([(Role::Admin, admin_id)]);
    for role in Role::ALL.iter().copied().filter(|r| *r != Role::Admin) {
        let input = if role == Role::Customer {
            user_input(role, None, Some(portal_customer))
        } else if role.spans_branches() {
            user_input(role, Some(hq), None)
        } else {
            // Branch staff work in BJ.
            user_input(role, Some(bj), None)
        };
        let user = staff::create(app, &admin, &input).await.expect("seed user");
        users.insert(role, user.id);
    }
    let mut tokens = HashMap::new();
    for role in Role::ALL.iter().copied() {
        let (_, secret) = aftersales_app::auth::create_api_token(
            app,
            &admin,
            &format!("test {role}"),
            users[&role],
        )
        .await
        .expect("token");
        tokens.insert(role, secret);
    }
    let seed = Seed {
        hq,
        bj,
        tj,
        bj_urban: district_ids[0],
        bj_suburban: district_ids[1],
        tj_urban: district_ids[2],
        tj_suburban: district_ids[3],
        product,
        portal_customer,
        users,
    };
    (seed, tokens)
}
