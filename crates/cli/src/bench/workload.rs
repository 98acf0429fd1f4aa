//! The mixed workload, one operation at a time: `clients` keep-alive connections send the
//! operation's requests back to back until the request count or the time is used up, and
//! every answer's latency is recorded.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::json;

use super::http::{Client, Response};
use super::preload::{unit_owner, Loaded};

/// A 1×1 PNG, as the signature pad sends it.
const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

const STATUSES: &[&str] = &[
    "registered",
    "dispatched",
    "contacted",
    "on_site",
    "completed_on_site",
    "carried_in",
    "in_repair",
    "inspected",
    "returned",
    "archived",
    "cancelled",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Register,
    Open,
    ListBranchStatus,
    ListTechnician,
    ListSearch,
    Dispatch,
    Complete,
    DailyReport,
    MonthStatistics,
}

impl Op {
    pub const ALL: [Op; 9] = [
        Op::Register,
        Op::Open,
        Op::ListBranchStatus,
        Op::ListTechnician,
        Op::ListSearch,
        Op::Dispatch,
        Op::Complete,
        Op::DailyReport,
        Op::MonthStatistics,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Op::Register => "register",
            Op::Open => "open_order",
            Op::ListBranchStatus => "list_branch_status",
            Op::ListTechnician => "list_technician",
            Op::ListSearch => "list_search",
            Op::Dispatch => "dispatch",
            Op::Complete => "complete_with_signature",
            Op::DailyReport => "supervisor_daily_report",
            Op::MonthStatistics => "month_statistics",
        }
    }

    /// The target for this operation, as printed next to the measurement.
    pub fn target(self) -> &'static str {
        match self {
            Op::Register => ">= 2500/s, p99 <= 25 ms (32 clients)",
            Op::Open => ">= 15000/s, p99 <= 5 ms",
            Op::ListBranchStatus | Op::ListTechnician | Op::ListSearch => "p99 <= 25 ms",
            Op::DailyReport => "<= 50 ms",
            Op::MonthStatistics => "<= 300 ms",
            Op::Dispatch | Op::Complete => "-",
        }
    }
}

/// Bearer tokens of the acting users.
pub struct Tokens {
    pub agent: String,
    pub supervisors: [String; 2],
    pub manager: String,
}

/// Everything the clients share.
pub struct Context {
    pub addr: SocketAddr,
    pub tokens: Tokens,
    pub loaded: Loaded,
    /// Today and last month, in Asia/Shanghai, as the reports want them.
    pub today: String,
    pub last_month: (String, String),
    /// Orders registered by the run, waiting to be dispatched: (id, branch slot).
    registered: Mutex<Vec<(i64, usize)>>,
    /// Dispatched orders waiting to be completed.
    dispatched: Mutex<Vec<(i64, usize)>>,
}

impl Context {
    pub fn new(
        addr: SocketAddr,
        tokens: Tokens,
        loaded: Loaded,
        today: String,
        last_month: (String, String),
    ) -> Context {
        Context {
            addr,
            tokens,
            loaded,
            today,
            last_month,
            registered: Mutex::new(Vec::new()),
            dispatched: Mutex::new(Vec::new()),
        }
    }

    /// How many requests of `op` the orders at hand allow.
    pub fn available(&self, op: Op, requests: usize) -> usize {
        match op {
            Op::Dispatch => self.registered.lock().expect("lock").len().min(requests),
            Op::Complete => self.dispatched.lock().expect("lock").len().min(requests),
            _ => requests,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OpStats {
    pub operation: &'static str,
    pub target: &'static str,
    pub clients: usize,
    pub requests: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub seconds: f64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// One client's connections, one per acting user.
struct Session {
    agent: Client,
    supervisors: [Client; 2],
    manager: Client,
    rng: u64,
}

impl Session {
    fn random(&mut self, bound: usize) -> usize {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng % bound.max(1) as u64) as usize
    }
}

fn answered(response: std::io::Result<Response>, ok: u16) -> Result<Response, String> {
    match response {
        Ok(response) if response.status == ok => Ok(response),
        Ok(response) => Err(format!(
            "{}: {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        )),
        Err(err) => Err(err.to_string()),
    }
}

/// Sends one request of `op`; returns when its timed part began (after any preparation).
async fn one(op: Op, cx: &Context, s: &mut Session, n: usize) -> Result<Instant, String> {
    let loaded = &cx.loaded;
    let start = Instant::now();
    match op {
        Op::Register => {
            let u = s.random(loaded.units);
            let (customer, slot) = unit_owner(loaded, u);
            let body = json!({
                "channel": "phone",
                "customer_id": customer,
                "unit_id": loaded.first_unit + u as i64,
                "fault_description": format!("压测报修 {n}"),
                "fault_class": "hardware",
                "urgency": "normal",
            });
            let created = answered(
                s.agent.post("/api/v1/service-orders", &body, &[]).await,
                201,
            )?;
            let id = created.json()["id"].as_i64().ok_or("no id")?;
            cx.registered.lock().expect("lock").push((id, slot));
        }
        Op::Open => {
            let id = loaded.first_order + s.random(loaded.orders) as i64;
            answered(
                s.agent.get(&format!("/api/v1/service-orders/{id}")).await,
                200,
            )?;
        }
        Op::ListBranchStatus => {
            let branch = loaded.branches[s.random(2)];
            let status = STATUSES[s.random(STATUSES.len())];
            let path =
                format!("/api/v1/service-orders?org_unit_id={branch}&status={status}&per_page=50");
            answered(s.agent.get(&path).await, 200)?;
        }
        Op::ListTechnician => {
            let slot = s.random(2);
            let technicians = &loaded.technicians[slot];
            let technician = technicians[s.random(technicians.len())];
            let path = format!("/api/v1/service-orders?technician_id={technician}&per_page=50");
            answered(s.agent.get(&path).await, 200)?;
        }
        Op::ListSearch => {
            // A customer's name, as an agent types it when the customer calls back.
            let customer = s.random(loaded.customers);
            let path = format!("/api/v1/service-orders?q=%E5%AE%A2%E6%88%B7{customer}&per_page=50");
            answered(s.agent.get(&path).await, 200)?;
        }
        Op::Dispatch => {
            let (id, slot) = cx
                .registered
                .lock()
                .expect("lock")
                .pop()
                .ok_or("no order left to dispatch")?;
            let technicians = &loaded.technicians[slot];
            let body =
                json!({"version": 1, "technician_id": technicians[s.random(technicians.len())]});
            let path = format!("/api/v1/service-orders/{id}/dispatch");
            answered(s.supervisors[slot].post(&path, &body, &[]).await, 200)?;
            cx.dispatched.lock().expect("lock").push((id, slot));
        }
        Op::Complete => {
            let (id, slot) = cx
                .dispatched
                .lock()
                .expect("lock")
                .pop()
                .ok_or("no order left to complete")?;
            // Untimed: the technician's call, arrival and the price schedule shown (paid
            // orders need it) before the completion.
            let mut version = 2;
            for step in ["record_contact", "check_in", "price-schedule-shown"] {
                let path = format!("/api/v1/service-orders/{id}/{step}");
                let body = json!({"version": version});
                let answer = answered(s.supervisors[slot].post(&path, &body, &[]).await, 200)?;
                version = answer.json()["version"].as_i64().ok_or("no version")?;
            }
            let body = json!({"version": version, "note": "更换电容，试机正常", "signature_png": SIGNATURE});
            let path = format!("/api/v1/service-orders/{id}/complete_on_site");
            let start = Instant::now();
            answered(s.supervisors[slot].post(&path, &body, &[]).await, 200)?;
            return Ok(start);
        }
        Op::DailyReport => {
            let slot = s.random(2);
            let path = format!(
                "/api/v1/daily-reports/branch/{}/{}",
                loaded.branches[slot], cx.today
            );
            answered(s.supervisors[slot].get(&path).await, 200)?;
        }
        Op::MonthStatistics => {
            let (from, to) = &cx.last_month;
            let path = format!("/api/v1/reports/sla-breaches?from={from}&to={to}");
            answered(s.manager.get(&path).await, 200)?;
        }
    }
    Ok(start)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

/// Runs `op` from `clients` connections until `requests` were sent or `limit` passed.
pub async fn run(
    cx: Arc<Context>,
    op: Op,
    clients: usize,
    requests: usize,
    limit: Duration,
) -> OpStats {
    let next = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (cx, next) = (cx.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut session = Session {
                agent: Client::new(cx.addr, &cx.tokens.agent),
                supervisors: [
                    Client::new(cx.addr, &cx.tokens.supervisors[0]),
                    Client::new(cx.addr, &cx.tokens.supervisors[1]),
                ],
                manager: Client::new(cx.addr, &cx.tokens.manager),
                rng: 0x9e37_79b9_7f4a_7c15 ^ ((client as u64 + 1) << 32),
            };
            let (mut latencies, mut errors, mut first_error) = (Vec::new(), 0, None);
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= requests || began.elapsed() >= limit {
                    break;
                }
                match one(op, &cx, &mut session, n).await {
                    Ok(start) => latencies.push(start.elapsed()),
                    Err(err) => {
                        errors += 1;
                        first_error.get_or_insert(err);
                    }
                }
            }
            (latencies, errors, first_error)
        }));
    }
    let (mut latencies, mut errors, mut first_error) = (Vec::new(), 0, None);
    for task in tasks {
        let (mine, their_errors, their_first) = task.await.expect("client task");
        latencies.extend(mine);
        errors += their_errors;
        first_error = first_error.or(their_first);
    }
    let seconds = began.elapsed().as_secs_f64();
    latencies.sort();
    OpStats {
        operation: op.name(),
        target: op.target(),
        clients,
        requests: latencies.len(),
        errors,
        first_error,
        seconds,
        per_second: latencies.len() as f64 / seconds.max(1e-9),
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: percentile(&latencies, 1.0),
    }
}
