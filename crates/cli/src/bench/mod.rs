//! `aftersales bench`: the capacity benchmark of issue 8. It creates a fresh database
//! (SQLite, or a new PostgreSQL database with `--postgres`), preloads years of history
//! through the store layer, starts `aftersales serve` as a separate process, drives the mixed
//! workload over loopback HTTP from this process, and prints and writes (JSON) throughput,
//! p50/p99/max latency per operation, the server's peak RSS and its time to /readyz.

mod http;
mod preload;
mod workload;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aftersales_app::{Actor, App, SystemClock};
use aftersales_store::migration::Migrator;
use aftersales_store::sea_orm::{ConnectionTrait, Database};
use anyhow::{bail, Context as _};
use sea_orm_migration::MigratorTrait;
use serde::Serialize;

use workload::{Context, Op, OpStats, Tokens};

#[derive(Clone, clap::Args)]
pub struct BenchArgs {
    /// A PostgreSQL server URL: the benchmark creates a fresh database on it (and drops it
    /// afterwards). Default: a fresh SQLite file in a temporary directory.
    #[arg(long)]
    postgres: Option<String>,
    #[arg(long, default_value_t = 60)]
    technicians: usize,
    #[arg(long, default_value_t = 200_000)]
    customers: usize,
    #[arg(long, default_value_t = 300_000)]
    units: usize,
    #[arg(long, default_value_t = 1_000_000)]
    orders: usize,
    /// Concurrent keep-alive client connections.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Requests per operation, at most.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Seconds per operation, at most.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Where the JSON report goes.
    #[arg(long, default_value = "bench.json")]
    out: PathBuf,
    /// Only these operations, by the names the report prints (`--only register,open_order`),
    /// e.g. to profile the server under one of them; dispatch and completion work on orders
    /// the run registered and dispatched, so they need register and dispatch before them.
    #[arg(long, value_delimiter = ',', value_parser = parse_op)]
    only: Vec<Op>,
}

fn parse_op(name: &str) -> Result<Op, String> {
    Op::ALL
        .into_iter()
        .find(|op| op.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = Op::ALL.iter().map(|op| op.name()).collect();
            format!("not an operation; one of {}", names.join(", "))
        })
}

#[derive(Serialize)]
struct Report {
    database: &'static str,
    technicians: usize,
    customers: usize,
    units: usize,
    orders: usize,
    preload_seconds: f64,
    ready_ms: f64,
    first_sweep_ms: f64,
    /// From ready until the SLA outcomes of the preloaded history were frozen.
    backfill_ms: f64,
    peak_rss_mb: f64,
    /// The server's peak RSS as it stood after each phase (it only grows), so the phase that
    /// raised it shows.
    peak_rss_after: Vec<PhaseRss>,
    operations: Vec<OpStats>,
}

#[derive(Serialize)]
struct PhaseRss {
    phase: &'static str,
    peak_rss_mb: f64,
    /// What is resident at the end of the phase: the process's own memory (heap, stacks)…
    rss_anon_mb: f64,
    /// …and pages of mapped files: the binary's code and data, which the kernel can drop.
    rss_file_mb: f64,
}

/// The URL of database `name` on the server of `admin_url`.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url.split_once('?').unwrap_or((admin_url, ""));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    match query {
        "" => format!("{base}/{name}"),
        query => format!("{base}/{name}?{query}"),
    }
}

/// The `aftersales serve` process under measurement, killed when dropped: when the bench
/// ends, fails or is stopped, so no server outlives it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // Already gone if it exited on its own; nothing else to do then.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The server's peak resident set (VmHWM), in MB.
fn peak_rss_mb(pid: u32) -> anyhow::Result<f64> {
    memory_mb(pid, "VmHWM")
}

/// One memory figure of `/proc/<pid>/status` (`VmHWM`, `RssAnon`, …), in MB.
fn memory_mb(pid: u32, field: &str) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} in /proc/<pid>/status"))?;
    Ok(kb / 1024.0)
}

async fn scalar(db: &impl ConnectionTrait, sql: &str) -> anyhow::Result<i64> {
    Ok(db
        .query_one(aftersales_store::sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await?
        .with_context(|| format!("no row for {sql}"))?
        .try_get_by_index(0)?)
}

async fn token_for(app: &App, admin: &Actor, username: &str) -> anyhow::Result<String> {
    let id = scalar(
        &app.db,
        &format!("SELECT id FROM users WHERE username = '{username}'"),
    )
    .await?;
    let (_, token) = aftersales_app::auth::create_api_token(app, admin, "bench", id)
        .await
        .map_err(|err| anyhow::anyhow!("token for {username}: {err}"))?;
    Ok(token)
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (url, drop_database) = match &args.postgres {
        Some(admin_url) => {
            let name = format!("aftersales_bench_{}", std::process::id());
            let admin = Database::connect(admin_url).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await?;
            admin.close().await?;
            (
                database_url(admin_url, &name),
                Some((admin_url.clone(), name)),
            )
        }
        None => (
            format!(
                "sqlite://{}",
                dir.path().join("aftersales.sqlite").display()
            ),
            None,
        ),
    };
    // A bench stopped by a signal or an error drops `measure`, and with it the server it
    // started (`Server`); the database is dropped below either way.
    let result = tokio::select! {
        result = measure(&args, &url, dir.path()) => result,
        () = crate::stop::requested() => Err(anyhow::anyhow!("stopped by a signal")),
    };
    if let Some((admin_url, name)) = drop_database {
        let admin = Database::connect(&admin_url).await?;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await?;
    }
    let report = result?;
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(&args.out, json + "\n")
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("report written to {}", args.out.display());
    Ok(())
}

async fn measure(args: &BenchArgs, url: &str, dir: &std::path::Path) -> anyhow::Result<Report> {
    let database = if args.postgres.is_some() {
        "postgresql"
    } else {
        "sqlite"
    };
    let db = aftersales_store::connect(url).await?;
    Migrator::up(&db, None).await.context("migrations")?;
    let app = App::new(db, Arc::new(SystemClock), dir.join("files"));
    let sizes = preload::Sizes {
        technicians: args.technicians,
        customers: args.customers,
        units: args.units,
        orders: args.orders,
    };
    println!(
        "preloading {database}: {} technicians, {} customers, {} units, {} orders…",
        sizes.technicians, sizes.customers, sizes.units, sizes.orders
    );
    let began = Instant::now();
    let loaded = preload::load(&app, sizes).await?;
    let preload_seconds = began.elapsed().as_secs_f64();
    println!("preloaded in {preload_seconds:.1} s");
    let admin_id = scalar(&app.db, "SELECT id FROM users WHERE username = 'admin'").await?;
    let admin = Actor::load(&app.db, admin_id).await?.context("admin")?;
    let tokens = Tokens {
        agent: token_for(&app, &admin, "kefu").await?,
        supervisors: [
            token_for(&app, &admin, "bj_zhuren").await?,
            token_for(&app, &admin, "tj_zhuren").await?,
        ],
        manager: token_for(&app, &admin, "gm").await?,
    };
    app.db.close().await?;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let started = Instant::now();
    let mut server = Command::new(std::env::current_exe()?)
        .arg("--database-url")
        .arg(url)
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--bind", &addr.to_string()])
        .env("AFTERSALES_LOG", "warn")
        .env_remove("AFTERSALES_FAULT_AFTER_COMMIT")
        .stdout(Stdio::null())
        .spawn()
        .map(Server)
        .context("starting aftersales serve")?;
    let mut probe = http::Client::new(addr, "");
    loop {
        if matches!(probe.get("/readyz").await, Ok(r) if r.status == 200) {
            break;
        }
        if let Some(status) = server.0.try_wait()? {
            bail!("the server exited before it was ready: {status}");
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("the server was not ready within 120 s");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let ready_ms = started.elapsed().as_secs_f64() * 1000.0;
    let pid = server.0.id();
    println!("server (pid {pid}) ready after {ready_ms:.0} ms");
    let mut peak_rss_after = Vec::new();
    let mut phase_done = |phase: &'static str| -> anyhow::Result<()> {
        peak_rss_after.push(PhaseRss {
            phase,
            peak_rss_mb: peak_rss_mb(pid)?,
            rss_anon_mb: memory_mb(pid, "RssAnon")?,
            rss_file_mb: memory_mb(pid, "RssFile")?,
        });
        Ok(())
    };
    phase_done("ready")?;
    // The first SLA sweep after start looks at every open order (and alerts on the preloaded
    // breaches), and the preloaded history, written as an older system's would be, has its
    // SLA outcomes frozen by the backfill job; the figures are for the steady state after.
    let db = aftersales_store::connect(url).await?;
    let sweep_began = Instant::now();
    let count = |sql: &'static str| {
        let db = &db;
        async move { scalar(db, sql).await }
    };
    let mut sweep_ms = None;
    loop {
        let swept = "SELECT COUNT(*) FROM timers WHERE kind = 'sla_sweep' AND status = 'done'";
        if sweep_ms.is_none() && count(swept).await? > 0 {
            sweep_ms = Some(sweep_began.elapsed().as_secs_f64() * 1000.0);
        }
        // The backfill's last slice schedules no other.
        let backfilling = "SELECT COUNT(*) FROM timers WHERE kind = 'sla_outcome_backfill' \
                           AND status = 'pending'";
        if sweep_ms.is_some() && count(backfilling).await? == 0 {
            break;
        }
        if sweep_began.elapsed() > Duration::from_secs(1200) {
            bail!("the first SLA sweep and the outcome backfill did not finish within 1200 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sweep_ms = sweep_ms.unwrap_or_default();
    let backfill_ms = sweep_began.elapsed().as_secs_f64() * 1000.0;
    println!("first SLA sweep done {sweep_ms:.0} ms after ready, SLA outcomes of the history frozen after {backfill_ms:.0} ms");
    // The backfill updated every finished order (its frozen mark).
    preload::settle(&db).await?;
    db.close().await?;
    phase_done("first sweep and outcome backfill")?;

    let zone = jiff::tz::TimeZone::get("Asia/Shanghai")?;
    let today = jiff::Zoned::now().with_time_zone(zone).date();
    let this_month = today.first_of_month();
    let last_month = this_month.yesterday()?.first_of_month();
    let cx = Arc::new(Context::new(
        addr,
        tokens,
        loaded,
        today.to_string(),
        (last_month.to_string(), this_month.yesterday()?.to_string()),
    ));
    println!(
        "{:<26} {:>7} {:>6} {:>9} {:>9} {:>9} {:>9}  target",
        "operation", "count", "errors", "per s", "p50 ms", "p99 ms", "max ms"
    );
    let mut operations = Vec::new();
    for op in Op::ALL
        .into_iter()
        .filter(|op| args.only.is_empty() || args.only.contains(op))
    {
        let requests = cx.available(op, args.requests);
        let stats = workload::run(
            cx.clone(),
            op,
            args.clients,
            requests,
            Duration::from_secs(args.seconds),
        )
        .await;
        println!(
            "{:<26} {:>7} {:>6} {:>9.0} {:>9.2} {:>9.2} {:>9.2}  {}",
            stats.operation,
            stats.requests,
            stats.errors,
            stats.per_second,
            stats.p50_ms,
            stats.p99_ms,
            stats.max_ms,
            stats.target
        );
        if let Some(error) = &stats.first_error {
            println!(
                "    first error: {}",
                error.chars().take(300).collect::<String>()
            );
        }
        operations.push(stats);
        phase_done(op.name())?;
    }
    let peak_rss_mb = peak_rss_mb(pid)?;
    let phases: Vec<String> = peak_rss_after
        .iter()
        .map(|p| {
            format!(
                "{} {:.1} (now {:.1} own + {:.1} file)",
                p.phase, p.peak_rss_mb, p.rss_anon_mb, p.rss_file_mb
            )
        })
        .collect();
    println!(
        "server peak RSS after each phase (MB): {}",
        phases.join(", ")
    );
    println!("server peak RSS {peak_rss_mb:.1} MB (target <= 150 MB); /readyz after {ready_ms:.0} ms (target <= 1000 ms)");
    drop(server);
    Ok(Report {
        database,
        technicians: args.technicians,
        customers: args.customers,
        units: args.units,
        orders: args.orders,
        preload_seconds,
        ready_ms,
        first_sweep_ms: sweep_ms,
        backfill_ms,
        peak_rss_mb,
        peak_rss_after,
        operations,
    })
}
