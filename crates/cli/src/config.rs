//! Configuration: command-line flags, then `AFTERSALES_*` environment variables (clap reads
//! both), then an optional TOML file, then defaults. Every setting is documented in README.

use std::path::PathBuf;

use anyhow::Context;
use serde::Deserialize;

/// Settings that may come from the TOML file (`--config` / `AFTERSALES_CONFIG`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub secure_cookies: Option<bool>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Optional TOML file with any of: bind, database_url, data_dir, secure_cookies.
    #[arg(long, env = "AFTERSALES_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Database URL: `postgres://...` for PostgreSQL; default a SQLite file in the data directory.
    #[arg(long, env = "AFTERSALES_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Directory for the SQLite database and attachment files.
    #[arg(long, env = "AFTERSALES_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub bind: String,
    pub secure_cookies: bool,
}

impl ConfigArgs {
    pub fn resolve(
        &self,
        bind: Option<String>,
        secure_cookies: Option<bool>,
    ) -> anyhow::Result<Config> {
        let file = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .with_context(|| format!("parsing {}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let data_dir = self
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = match self.database_url.clone().or(file.database_url) {
            Some(url) => url,
            None => {
                std::fs::create_dir_all(&data_dir)
                    .with_context(|| format!("creating {}", data_dir.display()))?;
                format!("sqlite://{}", data_dir.join("aftersales.sqlite").display())
            }
        };
        Ok(Config {
            database_url,
            data_dir,
            bind: bind
                .or(file.bind)
                .unwrap_or_else(|| "127.0.0.1:8080".to_string()),
            secure_cookies: secure_cookies.or(file.secure_cookies).unwrap_or(false),
        })
    }
}
