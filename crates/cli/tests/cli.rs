//! The `aftersales` binary as an operator uses it: real processes, real files.

use std::process::{Command, Output};

fn aftersales(args: &[&str], data_dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aftersales"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .env_remove("AFTERSALES_DATABASE_URL")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn sla_deadline_needs_no_setup_and_skips_the_national_day_holidays() {
    let dir = tempfile::tempdir().unwrap();
    let output = aftersales(
        &[
            "sla",
            "deadline",
            "--calendar",
            "cn-standard",
            "--start",
            "2026-10-08T04:35:00+08:00",
            "--duration",
            "48h",
        ],
        dir.path(),
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output).trim(), "2026-10-14T18:00:00+08:00");
    assert!(
        !dir.path().join("aftersales.sqlite").exists(),
        "sla must not touch a database"
    );
}

#[test]
fn a_backup_of_a_live_database_opens_and_passes_its_integrity_check() {
    let dir = tempfile::tempdir().unwrap();
    let created = aftersales(
        &[
            "user",
            "create",
            "--username",
            "first",
            "--password",
            "a long password",
            "--role",
            "admin",
        ],
        dir.path(),
    );
    assert!(created.status.success(), "{created:?}");
    let copy = dir.path().join("copy.sqlite");
    let backup = aftersales(&["backup", copy.to_str().unwrap()], dir.path());
    assert!(backup.status.success(), "{backup:?}");
    assert!(stdout(&backup).contains("checked: ok"));
    // The copy is a complete database: the binary can serve from it (migrations find
    // nothing to do) and it holds the user created above.
    let copy_dir = tempfile::tempdir().unwrap();
    std::fs::rename(&copy, copy_dir.path().join("aftersales.sqlite")).unwrap();
    let again = aftersales(
        &[
            "user",
            "create",
            "--username",
            "first",
            "--password",
            "a long password",
            "--role",
            "admin",
        ],
        copy_dir.path(),
    );
    assert!(
        !again.status.success(),
        "the user must already exist in the copy"
    );
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("username"),
        "{again:?}"
    );
    // A second backup to the same file is refused rather than overwriting it.
    let existing = dir.path().join("exists.sqlite");
    std::fs::write(&existing, b"keep me").unwrap();
    let refused = aftersales(&["backup", existing.to_str().unwrap()], dir.path());
    assert!(!refused.status.success());
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");
}

#[test]
fn reset_password_changes_the_password_of_an_existing_user_only() {
    let dir = tempfile::tempdir().unwrap();
    assert!(aftersales(
        &[
            "user",
            "create",
            "--username",
            "li",
            "--password",
            "first password",
            "--role",
            "admin"
        ],
        dir.path()
    )
    .status
    .success());
    assert!(aftersales(
        &[
            "user",
            "reset-password",
            "--username",
            "li",
            "--password",
            "second password"
        ],
        dir.path()
    )
    .status
    .success());
    let unknown = aftersales(
        &[
            "user",
            "reset-password",
            "--username",
            "nobody",
            "--password",
            "second password",
        ],
        dir.path(),
    );
    assert!(!unknown.status.success());
    let short = aftersales(
        &[
            "user",
            "reset-password",
            "--username",
            "li",
            "--password",
            "short",
        ],
        dir.path(),
    );
    assert!(
        !short.status.success(),
        "a too-short password must be refused"
    );
}
