//! Group commit for SQLite: many commits, one fsync, nothing acknowledged before it.
//!
//! SQLite's writer connection commits with `synchronous=NORMAL`: the commit is in the
//! write-ahead log, in the operating system's cache, but not yet on disk. Before a request
//! that wrote is answered, [`WalSync::sync`] makes the log durable. Requests that finish
//! while one fsync runs wait for the next one, which covers all of them, so at 32
//! concurrent writers one fsync acknowledges many commits instead of one (what
//! `synchronous=FULL` does). The on-disk state after `sync` returns is the one FULL would
//! have left: FULL is exactly "fsync the log at each commit".
//!
//! PostgreSQL needs none of this: its commit returns after its own (grouped) WAL flush.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::sync::Mutex;

/// The fsync of one SQLite database's write-ahead log, shared by every request.
pub struct WalSync {
    wal: PathBuf,
    /// Tickets handed out: a ticket is taken after its holder's commit.
    requested: AtomicU64,
    /// Every ticket up to this one is on disk.
    synced: AtomicU64,
    /// One fsync at a time; waiters queue here and the next holder syncs for all of them.
    running: Mutex<()>,
    /// The log's directory entry is on disk (once is enough: the log is reused in place).
    directory_synced: AtomicBool,
}

impl WalSync {
    /// For the SQLite database file `database` (its log is `<database>-wal`).
    pub fn new(database: &Path) -> WalSync {
        let mut wal = database.as_os_str().to_owned();
        wal.push("-wal");
        WalSync {
            wal: PathBuf::from(wal),
            requested: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            running: Mutex::new(()),
            directory_synced: AtomicBool::new(false),
        }
    }

    /// Returns once every commit made before this call is on disk.
    pub async fn sync(&self) -> io::Result<()> {
        let ticket = self.requested.fetch_add(1, Ordering::SeqCst) + 1;
        let _turn = self.running.lock().await;
        if self.synced.load(Ordering::SeqCst) >= ticket {
            // An fsync that started after our commit has finished while we queued.
            return Ok(());
        }
        // Every ticket taken so far belongs to a commit that is already in the log.
        let upto = self.requested.load(Ordering::SeqCst);
        let wal = self.wal.clone();
        let sync_directory = !self.directory_synced.load(Ordering::SeqCst);
        tokio::task::spawn_blocking(move || fsync(&wal, sync_directory))
            .await
            .map_err(io::Error::other)??;
        self.directory_synced.store(true, Ordering::SeqCst);
        self.synced.fetch_max(upto, Ordering::SeqCst);
        Ok(())
    }
}

fn fsync(wal: &Path, sync_directory: bool) -> io::Result<()> {
    // Opened each time: SQLite may remove the log when its last connection closes and
    // create it again later. Without a log there is nothing unsynced.
    match File::open(wal) {
        Ok(file) => file.sync_all()?,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    }
    if sync_directory {
        if let Some(directory) = wal.parent() {
            File::open(directory)?.sync_all()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_missing_log_has_nothing_to_sync() {
        let dir = tempfile::tempdir().expect("temp dir");
        let sync = WalSync::new(&dir.path().join("none.db"));
        sync.sync().await.expect("nothing to sync is not an error");
    }

    #[tokio::test]
    async fn concurrent_callers_all_return_after_a_sync_that_covers_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("x.db");
        std::fs::write(dir.path().join("x.db-wal"), b"frames").expect("log");
        let sync = std::sync::Arc::new(WalSync::new(&database));
        let waiters: Vec<_> = (0..16)
            .map(|_| {
                let sync = sync.clone();
                tokio::spawn(async move { sync.sync().await })
            })
            .collect();
        for waiter in waiters {
            waiter.await.expect("task").expect("synced");
        }
        assert_eq!(sync.synced.load(Ordering::SeqCst), 16);
    }

    #[tokio::test]
    async fn an_unreadable_log_is_an_error_not_an_acknowledgement() {
        let dir = tempfile::tempdir().expect("temp dir");
        // A path through a regular file cannot be opened (ENOTDIR), unlike a missing log.
        std::fs::write(dir.path().join("file"), b"").expect("file");
        let sync = WalSync::new(&dir.path().join("file").join("x.db"));
        assert!(sync.sync().await.is_err());
        assert_eq!(sync.synced.load(Ordering::SeqCst), 0);
    }
}
