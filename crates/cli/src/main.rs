//! The `aftersales` binary: one file that serves the system, migrates and backs up its
//! database, loads the demo company and runs administrator tools.

mod bench;
mod config;
mod fault;
mod sla;
mod stop;
mod test_clock;

use aftersales_app::App;
use aftersales_store::migration::Migrator;
use aftersales_store::sea_orm::{ConnectionTrait, DatabaseConnection};
use aftersales_store::{connect, Backend};
use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use sea_orm_migration::MigratorTrait;

use crate::config::{Config, ConfigArgs};

/// mimalloc instead of glibc's malloc: under 32 concurrent requests glibc's arenas spent about
/// a sixth of the server's CPU in locks and consolidation, and held more memory at peak.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "aftersales",
    version,
    about = "售后服务管理系统 · after-sales service management"
)]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "AFTERSALES_BIND")]
    bind: Option<String>,
    /// Mark cookies Secure (set when served over HTTPS).
    #[arg(long, env = "AFTERSALES_SECURE_COOKIES")]
    secure_cookies: Option<bool>,
    /// Seconds between two runs of the timer runner (and of the mailer).
    #[arg(long, env = "AFTERSALES_TIMER_INTERVAL_SECS", default_value_t = 5)]
    timer_interval_secs: u64,
    /// SMTP relay for e-mail notifications, e.g. smtp://host:25 (none: in-app only).
    #[arg(long, env = "AFTERSALES_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender of e-mail notifications, e.g. "售后服务 <service@example.com>".
    #[arg(long, env = "AFTERSALES_MAIL_FROM")]
    mail_from: Option<String>,
}

impl ServeArgs {
    /// The background work of a serving instance: the timer runner and the mailer.
    fn background(&self) -> anyhow::Result<Background> {
        let mailer = match (&self.smtp_url, &self.mail_from) {
            (Some(url), Some(from)) => Some(
                aftersales_app::notifications::Mailer::new(url, from)
                    .map_err(|err| anyhow::anyhow!("e-mail configuration: {err}"))?,
            ),
            (Some(_), None) => bail!("AFTERSALES_SMTP_URL needs AFTERSALES_MAIL_FROM"),
            _ => None,
        };
        Ok(Background {
            interval: std::time::Duration::from_secs(self.timer_interval_secs.max(1)),
            mailer,
        })
    }
}

struct Background {
    interval: std::time::Duration,
    mailer: Option<aftersales_app::notifications::Mailer>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrates the database and serves the web UI and the API.
    Serve(ServeArgs),
    /// Applies pending migrations and exits.
    Migrate,
    /// Loads the demo company (when the database is empty) and serves it.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// Only load the data; do not serve.
        #[arg(long)]
        no_serve: bool,
    },
    /// Working calendars from the command line (no database needed).
    Sla {
        #[command(subcommand)]
        command: sla::SlaCommand,
    },
    /// Administrator tools for users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Capacity benchmark: a fresh database with years of history, the server in its own
    /// process and a mixed HTTP workload; prints and writes per-operation figures.
    Bench(bench::BenchArgs),
    /// Writes a consistent copy of the SQLite database while it is in use, and checks it.
    Backup {
        /// The file to write (must not exist).
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Creates a user. On an empty installation the first unit (the customer department) is
    /// created too, so the first administrator has somewhere to belong.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        name: Option<String>,
        /// Role codes (repeatable), e.g. admin, technician, service_agent.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Code of the user's organisation unit (default: the first unit).
        #[arg(long)]
        org_unit: Option<String>,
    },
    /// Sets a new password and signs the user out everywhere.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Sla { command } = cli.command {
        // Calendars need no database and no runtime.
        let stdin = std::io::stdin();
        return sla::run(command, stdin.lock(), std::io::stdout().lock());
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AFTERSALES_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli))
}

async fn open(config: &Config) -> anyhow::Result<App> {
    let url = &config.database_url;
    let db = connect(url)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))?;
    Migrator::up(&db, None)
        .await
        .context("applying migrations")?;
    db.close()
        .await
        .context("closing the migration connection")?;
    App::open(url, test_clock::clock(), config.data_dir.join("files"))
        .await
        .with_context(|| format!("connecting to {}", redact(url)))
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***{}", &url[..scheme], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let background = args.background()?;
            let config = cli.config.resolve(args.bind, args.secure_cookies)?;
            let app = open(&config).await?;
            serve(app, &config, None, background).await
        }
        Command::Migrate => {
            let config = cli.config.resolve(None, None)?;
            open(&config).await?;
            println!("migrations applied to {}", redact(&config.database_url));
            Ok(())
        }
        Command::Demo {
            serve: args,
            no_serve,
        } => {
            let background = args.background()?;
            let config = cli.config.resolve(args.bind, args.secure_cookies)?;
            let app = open(&config).await?;
            if aftersales_app::demo::is_loaded(&app).await? {
                println!(
                    "The database already holds an organisation; the demo was not loaded again."
                );
            } else {
                println!("Loading the demo company…");
                aftersales_app::demo::load(&app)
                    .await
                    .map_err(|err| anyhow::anyhow!("loading the demo: {err}"))?;
            }
            let sign_in = format!(
                "user admin (or gm, kefu, bj_zhuren, bj_jishu1, …), password {}",
                aftersales_app::demo::DEMO_PASSWORD
            );
            if no_serve {
                println!("Demo data ready. Sign in with {sign_in}.");
                return Ok(());
            }
            serve(app, &config, Some(sign_in), background).await
        }
        Command::User { command } => {
            let config = cli.config.resolve(None, None)?;
            let app = open(&config).await?;
            user_command(&app, command).await
        }
        Command::Backup { file } => {
            let config = cli.config.resolve(None, None)?;
            let app = open(&config).await?;
            backup(&app.db, &config, &file).await
        }
        Command::Bench(args) => bench::run(args).await,
        Command::Sla { .. } => unreachable!("handled before the runtime starts"),
    }
}

async fn serve(
    app: App,
    config: &Config,
    sign_in: Option<String>,
    background: Background,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .with_context(|| format!("binding {}", config.bind))?;
    let address = listener.local_addr()?;
    println!("aftersales is serving at http://{address}/");
    if let Some(sign_in) = sign_in {
        println!("Sign in with {sign_in}.");
    }
    // Every instance runs the timer runner: timers are claimed row by row, so several
    // instances on one PostgreSQL never fire one twice.
    aftersales_app::sla_watch::ensure_sweep(&app)
        .await
        .map_err(|err| anyhow::anyhow!("scheduling the SLA watch: {err}"))?;
    aftersales_app::sla_outcomes::ensure_backfill(&app)
        .await
        .map_err(|err| anyhow::anyhow!("scheduling the SLA outcome backfill: {err}"))?;
    aftersales_app::monthly_statistics::ensure_cycle(&app.db, app.now_ms())
        .await
        .map_err(|err| anyhow::anyhow!("scheduling the monthly statistics: {err}"))?;
    aftersales_app::daily_reports::ensure_reminders(&app.db, app.now_ms())
        .await
        .map_err(|err| anyhow::anyhow!("scheduling the daily report reminders: {err}"))?;
    aftersales_app::surveys::ensure_survey_days(&app.db, app.now_ms())
        .await
        .map_err(|err| anyhow::anyhow!("scheduling the survey cards: {err}"))?;
    aftersales_app::supervision::ensure_visit_sweep(&app.db, app.now_ms())
        .await
        .map_err(|err| anyhow::anyhow!("scheduling the visit coverage sweep: {err}"))?;
    aftersales_app::parts::ensure_count_timers(&app.db, app.now_ms())
        .await
        .map_err(|err| anyhow::anyhow!("scheduling the stock counts: {err}"))?;
    let runner = aftersales_app::timers::spawn_runner(app.clone(), background.interval);
    let mailer = aftersales_app::notifications::spawn_mailer(
        app.clone(),
        background.mailer,
        background.interval,
    );
    let state = aftersales_web::AppState::new(app, config.secure_cookies);
    let router = fault::install(aftersales_web::router(state))?;
    let served = aftersales_web::serve(listener, router, stop::requested()).await;
    runner.abort();
    if let Some(mailer) = mailer {
        mailer.abort();
    }
    served?;
    Ok(())
}

async fn user_command(app: &App, command: UserCommand) -> anyhow::Result<()> {
    use aftersales_store::entity::org_unit;
    use aftersales_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    match command {
        UserCommand::Create {
            username,
            password,
            name,
            roles,
            org_unit: unit_code,
        } => {
            let unit = match &unit_code {
                Some(code) => {
                    org_unit::Entity::find()
                        .filter(org_unit::Column::Code.eq(code.as_str()))
                        .one(&app.db)
                        .await?
                }
                None => {
                    org_unit::Entity::find()
                        .order_by_asc(org_unit::Column::Id)
                        .one(&app.db)
                        .await?
                }
            };
            let unit_id = match (unit, unit_code) {
                (Some(unit), _) => unit.id,
                (None, Some(code)) => bail!("no organisation unit with code {code}"),
                (None, None) => {
                    let root = aftersales_app::org::OrgUnitInput {
                        code: "HQ".into(),
                        name: "客户部".into(),
                        kind: "customer_department".into(),
                        department_kind: None,
                        parent_id: None,
                        calendar_code: None,
                        time_zone: None,
                        version: None,
                    };
                    aftersales_app::org::create_root_unit(app, &root)
                        .await
                        .map_err(|err| anyhow::anyhow!("{err}"))?
                }
            };
            let input = aftersales_app::staff::UserInput {
                display_name: name.unwrap_or_else(|| username.clone()),
                username,
                password: Some(password),
                org_unit_id: Some(unit_id),
                customer_id: None,
                phone: None,
                email: None,
                badge_no: None,
                roles,
                skills: Vec::new(),
                active: true,
                version: None,
            };
            let id = aftersales_app::staff::create_by_operator(app, &input)
                .await
                .map_err(|err| anyhow::anyhow!("{err}"))?;
            println!("user {} created (id {id})", input.username);
        }
        UserCommand::ResetPassword { username, password } => {
            aftersales_app::staff::reset_password(app, None, &username, &password)
                .await
                .map_err(|err| anyhow::anyhow!("{err}"))?;
            println!("password of {username} reset; their sessions were ended");
        }
    }
    Ok(())
}

/// `VACUUM INTO` writes a transactionally consistent copy while other connections keep
/// working; the copy is then opened on its own and must pass `PRAGMA integrity_check`.
async fn backup(
    db: &DatabaseConnection,
    config: &Config,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    if Backend::of_url(&config.database_url) != Some(Backend::Sqlite) {
        bail!("backup copies SQLite databases; for PostgreSQL use pg_dump");
    }
    if file.exists() {
        bail!("{} exists; choose a new file", file.display());
    }
    let target = file
        .to_str()
        .context("the backup path must be valid UTF-8")?
        .replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{target}'"))
        .await
        .context("writing the backup")?;
    // Opened read-only and without our connection settings, which would turn on WAL.
    let copy = aftersales_store::sea_orm::Database::connect(format!(
        "sqlite://{}?mode=ro",
        file.display()
    ))
    .await?;
    let row = copy
        .query_one(aftersales_store::sea_orm::Statement::from_string(
            copy.get_database_backend(),
            "PRAGMA integrity_check",
        ))
        .await?
        .context("integrity check returned nothing")?;
    let verdict: String = row.try_get_by_index(0)?;
    if verdict != "ok" {
        bail!("the backup failed its integrity check: {verdict}");
    }
    println!(
        "backup written to {} and checked: {verdict}",
        file.display()
    );
    Ok(())
}
