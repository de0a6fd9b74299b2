//! Customers' files fetched from Telegram for the console: `getFile` names where the file is,
//! the download is written to a disk cache (bounded in total size, oldest evicted first) and
//! served from there the next time.

use std::{
    path::{Path, PathBuf},
    time::SystemTime,
};

use serde_json::json;

use super::fetch::{self, FetchError};
use crate::{config::FileCacheSettings, domain::MAX_BOT_DOWNLOAD, service::FileRef};

/// Numbers temporary download files apart.
static PARTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Why a file could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file is past Telegram's bot download limit (`size` bytes, when known).
    #[error("the file is over Telegram's 20 MB download limit for bots")]
    TooLarge { size: Option<u64> },
    /// Telegram refused to give the file (an expired or unknown file id, say).
    #[error("Telegram refused the file: {0}")]
    Refused(String),
    /// Telegram could not be reached or answered oddly; trying again may work.
    #[error("Telegram could not be reached: {0}")]
    Unreachable(String),
    /// The disk cache failed.
    #[error("the file cache failed: {0}")]
    Disk(#[from] std::io::Error),
}

/// The disk cache of customers' files, and the bot that downloads them.
pub struct FileCache {
    bot: teloxide::Bot,
    dir: PathBuf,
    max_bytes: u64,
    calls: std::sync::Arc<crate::metrics::TelegramCalls>,
}

impl FileCache {
    /// A cache in `settings.dir` (created when needed), holding at most `settings.max_bytes`.
    pub fn new(bot: teloxide::Bot, settings: &FileCacheSettings) -> Self {
        Self {
            bot,
            dir: settings.dir.clone(),
            max_bytes: settings.max_bytes,
            calls: std::sync::Arc::default(),
        }
    }

    /// The same cache, counting its Bot API calls in `calls`.
    pub fn counted(mut self, calls: std::sync::Arc<crate::metrics::TelegramCalls>) -> Self {
        self.calls = calls;
        self
    }

    /// The file, opened for reading, with its length: from the cache, or downloaded from
    /// Telegram first. A file known to be past the bot download limit is refused without asking
    /// Telegram.
    pub async fn open(&self, file: &FileRef) -> Result<(tokio::fs::File, u64), FileError> {
        if file.media.too_large_to_download() {
            return Err(FileError::TooLarge {
                size: file.media.file_size,
            });
        }
        tokio::fs::create_dir_all(&self.dir).await?;
        let path = self.dir.join(cache_name(file));
        if let Ok(opened) = tokio::fs::File::open(&path).await {
            let length = opened.metadata().await?.len();
            // Recently used files are evicted last.
            let touch = opened.try_clone().await?.into_std().await;
            let _ =
                tokio::task::spawn_blocking(move || touch.set_modified(SystemTime::now())).await;
            return Ok((opened, length));
        }
        let length = self.download(&file.file_id, &path).await?;
        // Opened before eviction: a file open here stays readable even if evicted meanwhile.
        let opened = tokio::fs::File::open(&path).await?;
        self.evict(&path).await;
        Ok((opened, length))
    }

    /// Downloads the file into `path` (through a temporary file, renamed when complete).
    async fn download(&self, file_id: &str, path: &Path) -> Result<u64, FileError> {
        let found = fetch::call(
            &self.bot,
            &self.calls,
            "GetFile",
            &json!({ "file_id": file_id }),
        )
        .await
        .map_err(|error| match error {
            FetchError::RetryAfter(wait) => {
                FileError::Unreachable(format!("Telegram asked to wait {} s", wait.as_secs()))
            }
            FetchError::Other(error) => {
                let text = format!("{error:#}");
                if text.contains("too big") {
                    FileError::TooLarge { size: None }
                } else if text.contains("Bad Request") {
                    FileError::Refused(text)
                } else {
                    FileError::Unreachable(text)
                }
            }
        })?;
        if found["file_size"]
            .as_u64()
            .is_some_and(|size| size > MAX_BOT_DOWNLOAD)
        {
            return Err(FileError::TooLarge {
                size: found["file_size"].as_u64(),
            });
        }
        let Some(file_path) = found["file_path"].as_str() else {
            return Err(FileError::Refused("getFile named no file_path".to_owned()));
        };
        let mut url = self.bot.api_url();
        url.path_segments_mut()
            .map_err(|()| FileError::Unreachable("the Bot API URL cannot have a path".to_owned()))?
            .push("file")
            .push(&format!("bot{}", self.bot.token()))
            .push(file_path);
        let unreachable = |e: reqwest::Error| FileError::Unreachable(e.without_url().to_string());
        let mut response = self
            .bot
            .client()
            .get(url)
            .send()
            .await
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(FileError::Refused(format!(
                "the download answered {}",
                response.status()
            )));
        }
        let partial = path.with_extension(format!(
            "part-{}-{}",
            std::process::id(),
            PARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let written = async {
            use tokio::io::AsyncWriteExt;
            let mut out = tokio::fs::File::create(&partial).await?;
            let mut length: u64 = 0;
            while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
                length += chunk.len() as u64;
                if length > MAX_BOT_DOWNLOAD {
                    return Err(FileError::TooLarge { size: None });
                }
                out.write_all(&chunk).await?;
            }
            out.flush().await?;
            out.sync_all().await?;
            tokio::fs::rename(&partial, path).await?;
            Ok(length)
        }
        .await;
        if written.is_err() {
            let _ = tokio::fs::remove_file(&partial).await;
        }
        written
    }

    /// Removes the least recently used files until the cache is within its size (never `keep`).
    async fn evict(&self, keep: &Path) {
        let dir = self.dir.clone();
        let keep = keep.to_owned();
        let max = self.max_bytes;
        let swept = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let meta = entry.metadata()?;
                if meta.is_file() {
                    let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                    files.push((used, meta.len(), entry.path()));
                }
            }
            let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
            files.sort();
            for (_, len, path) in files {
                if total <= max {
                    break;
                }
                if path == keep {
                    continue;
                }
                match std::fs::remove_file(&path) {
                    Ok(()) => total = total.saturating_sub(len),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        total = total.saturating_sub(len);
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })
        .await;
        match swept {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "evicting from the file cache failed"),
            Err(error) => tracing::warn!(%error, "evicting from the file cache stopped"),
        }
    }
}

/// The cache's name for a file: its unique id (the same for every bot and over time), kept to
/// characters safe in a file name.
fn cache_name(file: &FileRef) -> String {
    let id = file
        .media
        .file_unique_id
        .as_deref()
        .unwrap_or(&file.file_id);
    let safe: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(128)
        .collect();
    if safe.is_empty() {
        format!("file-{}", file.message_id)
    } else {
        format!("f-{safe}")
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    fn write(dir: &Path, name: &str, bytes: usize, age_secs: u64) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, vec![7u8; bytes]).expect("writing a cached file");
        let file = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("opening it");
        file.set_modified(SystemTime::now() - Duration::from_secs(age_secs))
            .expect("dating it");
        path
    }

    #[tokio::test]
    async fn past_its_size_the_cache_drops_the_least_recently_used_files_but_not_the_new_one() {
        let settings = crate::config::FileCacheSettings {
            max_bytes: 250,
            ..crate::config::FileCacheSettings::temporary()
        };
        std::fs::create_dir_all(&settings.dir).expect("a cache dir");
        let oldest = write(&settings.dir, "f-oldest", 100, 300);
        let older = write(&settings.dir, "f-older", 100, 200);
        let recent = write(&settings.dir, "f-recent", 100, 100);
        // The file just downloaded is the oldest by date here, and still stays.
        let new = write(&settings.dir, "f-new", 100, 400);
        let url = url::Url::parse("http://127.0.0.1:9").expect("a URL");
        let cache = FileCache::new(crate::telegram::bot("1:x", &url), &settings);

        cache.evict(&new).await;

        assert!(new.exists() && recent.exists());
        assert!(!oldest.exists() && !older.exists());
        std::fs::remove_dir_all(&settings.dir).expect("cleaning up");
    }
}
