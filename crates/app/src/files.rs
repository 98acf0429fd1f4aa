//! The file store under the data directory (SYSTEM-5), shared by attachments and fault-report
//! photos: each file is named by the SHA-256 of its bytes, so identical uploads are stored once.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::AppError;

fn path_of(files_dir: &Path, sha256: &str) -> PathBuf {
    files_dir.join(&sha256[..2]).join(sha256)
}

/// Stores the bytes and returns their SHA-256 (hex), the name to keep in the file's row.
///
/// Callers write the file before inserting its row: a crash in between leaves an unreferenced
/// file (harmless), never a row without its file. For the same reason the file and its directory
/// entry are flushed to disk before this returns, so a committed row survives a power cut with
/// its file. Each write goes through a temporary file of its own: two requests storing the same
/// bytes at once (the same signature on two orders) used to share one temporary name, and the
/// second rename then found nothing to move.
pub(crate) async fn write(files_dir: &Path, bytes: &[u8]) -> Result<String, AppError> {
    let sha256 = crate::auth::hex(&Sha256::digest(bytes));
    let path = path_of(files_dir, &sha256);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(sha256);
    }
    let bytes = bytes.to_vec();
    let temporary = path.with_extension(format!("{:016x}.part", OsRng.next_u64()));
    tokio::task::spawn_blocking(move || write_durably(&temporary, &path, &bytes))
        .await
        .map_err(|err| AppError::Internal(err.into()))?
        .map_err(|err| AppError::Unavailable(err.to_string()))?;
    Ok(sha256)
}

fn write_durably(temporary: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("a stored file's path has a parent");
    std::fs::create_dir_all(dir)?;
    let written = (|| {
        let mut file = std::fs::File::create(temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        // Renaming over a file of the same name is atomic, and its bytes are the same.
        std::fs::rename(temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(temporary);
    }
    written?;
    std::fs::File::open(dir)?.sync_all()
}

/// The stored bytes of a file; a missing file is an internal error, since a row names it.
pub(crate) async fn read(files_dir: &Path, sha256: &str) -> Result<Vec<u8>, AppError> {
    tokio::fs::read(path_of(files_dir, sha256))
        .await
        .map_err(|err| AppError::Internal(anyhow::anyhow!("stored file {sha256} missing: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_same_bytes_stored_at_once_are_all_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let writers: Vec<_> = (0..32)
            .map(|_| {
                let (dir, bytes) = (dir.path().to_path_buf(), bytes.clone());
                tokio::spawn(async move { write(&dir, &bytes).await })
            })
            .collect();
        let mut names = Vec::new();
        for writer in writers {
            names.push(writer.await.unwrap().expect("every writer succeeds"));
        }
        names.dedup();
        assert_eq!(names.len(), 1);
        assert_eq!(read(dir.path(), &names[0]).await.unwrap(), bytes);
        let shard = dir.path().join(&names[0][..2]);
        let entries: Vec<_> = std::fs::read_dir(shard)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(
            entries,
            [std::ffi::OsString::from(&names[0])],
            "no part files left"
        );
    }

    #[tokio::test]
    async fn different_bytes_are_different_files() {
        let dir = tempfile::tempdir().unwrap();
        let first = write(dir.path(), b"first").await.unwrap();
        let second = write(dir.path(), b"second").await.unwrap();
        assert_ne!(first, second);
        assert_eq!(read(dir.path(), &first).await.unwrap(), b"first");
        assert_eq!(read(dir.path(), &second).await.unwrap(), b"second");
        assert!(matches!(
            read(dir.path(), &"0".repeat(64)).await,
            Err(AppError::Internal(_))
        ));
    }
}
