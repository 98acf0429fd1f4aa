//! `aftersales sla`: working-time deadlines and elapsed time from the command line, for
//! checking an SLA by hand or in scripts. Only argument handling and line moving live here;
//! parsing, arithmetic and output formats are in `aftersales_domain::calendar`.

use std::io::{BufRead, Write};

use aftersales_domain::calendar::{self, Calendar, DeadlineBatch};
use anyhow::{bail, Context};

#[derive(clap::Subcommand, Debug)]
pub enum SlaCommand {
    /// Prints the deadline of a working-time duration, e.g. `--start 2026-10-08T04:35:00+08:00
    /// --duration 48h`; without both, reads `start,duration` lines from standard input and
    /// prints one deadline per line
    Deadline {
        #[arg(long, default_value = "cn-standard")]
        calendar: String,
        #[arg(long)]
        start: Option<String>,
        #[arg(long)]
        duration: Option<String>,
    },
    /// Prints the working time between two instants, e.g. `1h30m`
    Elapsed {
        #[arg(long, default_value = "cn-standard")]
        calendar: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

pub fn run(command: SlaCommand, input: impl BufRead, mut output: impl Write) -> anyhow::Result<()> {
    match command {
        SlaCommand::Deadline {
            calendar,
            start,
            duration,
        } => {
            let calendar = builtin_calendar(&calendar)?;
            match (start, duration) {
                (Some(start), Some(duration)) => writeln!(output, "{}", calendar::deadline_for(calendar, &start, &duration)?)?,
                (None, None) => {
                    let mut batch = DeadlineBatch::new(calendar);
                    for line in input.lines() {
                        let line = line.context("reading start,duration lines")?;
                        if let Some(deadline) = batch.deadline_for_line(&line)? {
                            writeln!(output, "{deadline}")?;
                        }
                    }
                }
                _ => bail!("give both --start and --duration, or neither to read start,duration lines from standard input"),
            }
        }
        SlaCommand::Elapsed { calendar, from, to } => {
            writeln!(
                output,
                "{}",
                calendar::elapsed_for(builtin_calendar(&calendar)?, &from, &to)?
            )?;
        }
    }
    output.flush()?;
    Ok(())
}

fn builtin_calendar(code: &str) -> anyhow::Result<&'static Calendar> {
    calendar::builtin(code).with_context(|| {
        format!(
            "unknown calendar {code:?}; built-in calendars: {}",
            calendar::BUILTIN_CODES.join(", ")
        )
    })
}
