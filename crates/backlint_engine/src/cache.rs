//! The results cache: what checking a file found, stored with the key it was found under, so
//! that a run on files that did not change reads their results instead of checking them.
//!
//! A file's result is reused when all of these are the same as when it was stored: the build
//! of backlint, the file's path as reported, its content, the rule set it gets (rules, levels,
//! options, suppression policy), and every project file its check looked at (a `package.json`,
//! Django settings, the markers of a project's root: `project_files`). The cache is one file,
//! `results.bin`, in a folder that holds a `.gitignore` ignoring all of it. A cache that
//! cannot be read or decoded is discarded; one that cannot be written is left as it was:
//! either way the run's results are those of a run without it.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use crate::diagnostic::{Diagnostic, Fix, Level, Notification, RelatedLocation, Snippet};
use crate::language::Grammar;
use crate::pipeline::{write_atomically, FileReport};
use crate::project_files::{current_state, ProjectFile, State};
use crate::rule::RuleSet;
use crate::settings::Settings;
use crate::source::Position;
use crate::suppression::Suppression;

/// The cache folder's default name, in the project's root.
pub const DEFAULT_CACHE_FOLDER: &str = ".backlint_cache";

const RESULTS_FILE: &str = "results.bin";

/// Changes whenever the layout of `results.bin` does.
const FORMAT_VERSION: u32 = 1;

const GITIGNORE: &str = "# Created by backlint: nothing here belongs in version control.\n*\n";

/// Marks the folder as a cache for backup tools (<https://bford.info/cachedir/>).
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by backlint.\n";

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot read the cache {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("the cache {path} is corrupt ({source}): it was discarded")]
    Corrupt {
        path: PathBuf,
        source: postcard::Error,
    },
    #[error("cannot write the cache {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// The results of earlier runs, and those of this run to store.
pub struct Cache {
    folder: PathBuf,
    build: String,
    stored: StoredCache,
    stored_by_path: HashMap<String, usize>,
    /// Whether each stored entry was looked up in this run.
    visited: Vec<AtomicBool>,
    /// Whether each of the stored project files still reads the same, once looked at.
    still_holds: Vec<OnceLock<bool>>,
    fresh: Mutex<Vec<FreshEntry>>,
    hits: AtomicUsize,
}

/// `results.bin`.
#[derive(Default, Serialize, Deserialize)]
struct StoredCache {
    format: u32,
    build: String,
    /// The project files the entries' checks looked at, each once.
    project_files: Vec<(ProjectFile, State)>,
    entries: Vec<StoredEntry>,
}

#[derive(Serialize, Deserialize)]
struct StoredEntry {
    path: String,
    key: u128,
    /// Indexes in [`StoredCache::project_files`].
    project_files: Vec<u32>,
    report: StoredReport,
}

struct FreshEntry {
    path: String,
    key: u128,
    project_files: Vec<(ProjectFile, State)>,
    report: StoredReport,
}

#[derive(Serialize, Deserialize)]
struct StoredReport {
    lines: usize,
    diagnostics: Vec<StoredDiagnostic>,
    suppressed: Vec<StoredDiagnostic>,
    notifications: Vec<Notification>,
}

/// A [`Diagnostic`] as stored: its rule by id, read back as the id of the file's rule set.
#[derive(Serialize, Deserialize)]
struct StoredDiagnostic {
    rule: String,
    level: Level,
    range: std::ops::Range<usize>,
    start: Position,
    end: Position,
    message: String,
    related: Vec<RelatedLocation>,
    fingerprint: String,
    line_hash: String,
    fix: Option<Fix>,
    snippet: Snippet,
    suppression: Option<Suppression>,
}

impl Cache {
    /// Opens the cache in `folder` for this `build` of backlint (its version, and whatever
    /// tells one build of it from another). A cache of another build or format is empty; one
    /// that cannot be read is empty too, with the error to show as a warning.
    pub fn open(folder: &Path, build: &str) -> (Cache, Option<CacheError>) {
        let path = folder.join(RESULTS_FILE);
        let (stored, error) = match fs::read(&path) {
            Ok(bytes) => match postcard::from_bytes::<StoredCache>(&bytes) {
                Ok(stored) if stored.format == FORMAT_VERSION && stored.build == build => {
                    (stored, None)
                }
                Ok(_) => (StoredCache::default(), None),
                Err(source) => (
                    StoredCache::default(),
                    Some(CacheError::Corrupt {
                        path: path.clone(),
                        source,
                    }),
                ),
            },
            Err(error) if error.kind() == io::ErrorKind::NotFound => (StoredCache::default(), None),
            Err(source) => (
                StoredCache::default(),
                Some(CacheError::Read {
                    path: path.clone(),
                    source,
                }),
            ),
        };
        let stored_by_path = stored
            .entries
            .iter()
            .enumerate()
            .map(|(index, entry)| (entry.path.clone(), index))
            .collect();
        let cache = Cache {
            folder: folder.to_owned(),
            build: build.to_owned(),
            visited: (0..stored.entries.len())
                .map(|_| AtomicBool::new(false))
                .collect(),
            still_holds: (0..stored.project_files.len())
                .map(|_| OnceLock::new())
                .collect(),
            stored,
            stored_by_path,
            fresh: Mutex::new(Vec::new()),
            hits: AtomicUsize::new(0),
        };
        (cache, error)
    }

    /// How many files this run read from the cache.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    /// The stored report of the file at `path` (as reported), if it was stored under `key`
    /// and the project files its check looked at read the same.
    pub(crate) fn get(&self, path: &str, key: u128, rules: &RuleSet) -> Option<FileReport> {
        let &index = self.stored_by_path.get(path)?;
        self.visited[index].store(true, Ordering::Relaxed);
        let entry = &self.stored.entries[index];
        if entry.key != key {
            return None;
        }
        let unchanged = entry.project_files.iter().all(|&file_index| {
            let file_index = file_index as usize;
            let Some((file, state)) = self.stored.project_files.get(file_index) else {
                return false;
            };
            *self.still_holds[file_index].get_or_init(|| current_state(file) == *state)
        });
        if !unchanged {
            return None;
        }
        let report = entry.report.restore(path, rules)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(report)
    }

    /// Stores what checking the file at `path` under `key` found, and the project files it
    /// looked at. A report with a rule's failure is not stored: it would hide the failure's
    /// cause on the next run as well.
    pub(crate) fn put(
        &self,
        path: &str,
        key: u128,
        project_files: Vec<(ProjectFile, State)>,
        report: &FileReport,
    ) {
        if report
            .notifications
            .iter()
            .any(|notification| notification.kind == crate::NotificationKind::InternalError)
        {
            return;
        }
        let entry = FreshEntry {
            path: path.to_owned(),
            key,
            project_files,
            report: StoredReport::new(report),
        };
        self.fresh
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(entry);
    }

    /// Writes the cache back, when this run changed it: its new results, and the stored ones
    /// of files it did not check that still exist.
    pub fn save(self) -> Result<(), CacheError> {
        let fresh = self
            .fresh
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let fresh_paths: HashMap<&str, ()> = fresh
            .iter()
            .map(|entry| (entry.path.as_str(), ()))
            .collect();
        let mut pruned = false;
        let mut kept = Vec::new();
        for (entry, visited) in self.stored.entries.into_iter().zip(&self.visited) {
            if fresh_paths.contains_key(entry.path.as_str()) {
                continue;
            }
            if !visited.load(Ordering::Relaxed) && !Path::new(&entry.path).exists() {
                pruned = true;
                continue;
            }
            kept.push(entry);
        }
        if fresh.is_empty() && !pruned {
            return Ok(());
        }
        let mut table = ProjectFileTable::default();
        let mut entries = Vec::with_capacity(kept.len() + fresh.len());
        for mut entry in kept {
            entry.project_files = entry
                .project_files
                .iter()
                .filter_map(|&index| self.stored.project_files.get(index as usize))
                .map(|(file, state)| table.index(file, *state))
                .collect();
            entries.push(entry);
        }
        for entry in fresh {
            entries.push(StoredEntry {
                project_files: entry
                    .project_files
                    .iter()
                    .map(|(file, state)| table.index(file, *state))
                    .collect(),
                path: entry.path,
                key: entry.key,
                report: entry.report,
            });
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let stored = StoredCache {
            format: FORMAT_VERSION,
            build: self.build,
            project_files: table.files,
            entries,
        };
        write_cache(&self.folder, &stored)
    }
}

/// The project files of a cache being written, each once.
#[derive(Default)]
struct ProjectFileTable {
    files: Vec<(ProjectFile, State)>,
    indexes: HashMap<(ProjectFile, State), u32>,
}

impl ProjectFileTable {
    fn index(&mut self, file: &ProjectFile, state: State) -> u32 {
        let key = (file.clone(), state);
        if let Some(&index) = self.indexes.get(&key) {
            return index;
        }
        let index = self.files.len() as u32;
        self.files.push(key.clone());
        self.indexes.insert(key, index);
        index
    }
}

fn write_cache(folder: &Path, stored: &StoredCache) -> Result<(), CacheError> {
    let write_error = |path: &Path, source: io::Error| CacheError::Write {
        path: path.to_owned(),
        source,
    };
    fs::create_dir_all(folder).map_err(|source| write_error(folder, source))?;
    for (name, contents) in [(".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)] {
        let path = folder.join(name);
        if !path.exists() {
            fs::write(&path, contents).map_err(|source| write_error(&path, source))?;
        }
    }
    let path = folder.join(RESULTS_FILE);
    let bytes = postcard::to_stdvec(stored)
        .map_err(|error| write_error(&path, io::Error::other(error.to_string())))?;
    write_atomically(&path, &bytes).map_err(|source| write_error(&path, source))
}

/// The key a file's result is stored under: what the result depends on besides the project
/// files (the build is the cache's, the path the entry's, with the project's root here).
pub(crate) fn result_key(
    bytes: &[u8],
    grammar: Grammar,
    settings: &Settings,
    rules: &RuleSet,
) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(&rules.key().to_le_bytes());
    hasher.update(&[
        grammar.index() as u8,
        u8::from(settings.respect_foreign_suppressions),
        u8::from(settings.prefilter),
    ]);
    // Rules match path globs relative to the project's root.
    let root = settings.filter.root.as_os_str().as_encoded_bytes();
    hasher.update(&(root.len() as u64).to_le_bytes());
    hasher.update(root);
    hasher.update(bytes);
    hasher.digest128()
}

impl StoredReport {
    fn new(report: &FileReport) -> StoredReport {
        StoredReport {
            lines: report.lines,
            diagnostics: report
                .diagnostics
                .iter()
                .map(StoredDiagnostic::new)
                .collect(),
            suppressed: report
                .suppressed
                .iter()
                .map(StoredDiagnostic::new)
                .collect(),
            notifications: report.notifications.clone(),
        }
    }

    /// The report again, for the file at `path`; `None` when it names a rule the file's rule
    /// set does not have (only a damaged cache could).
    fn restore(&self, path: &str, rules: &RuleSet) -> Option<FileReport> {
        let restore_all = |stored: &[StoredDiagnostic]| {
            stored
                .iter()
                .map(|diagnostic| diagnostic.restore(path, rules))
                .collect::<Option<Vec<Diagnostic>>>()
        };
        Some(FileReport {
            path: path.to_owned(),
            diagnostics: restore_all(&self.diagnostics)?,
            suppressed: restore_all(&self.suppressed)?,
            notifications: self.notifications.clone(),
            lines: self.lines,
            fixes: None,
            skipped_by_prefilter: false,
        })
    }
}

impl StoredDiagnostic {
    fn new(diagnostic: &Diagnostic) -> StoredDiagnostic {
        StoredDiagnostic {
            rule: diagnostic.rule.to_owned(),
            level: diagnostic.level,
            range: diagnostic.range.clone(),
            start: diagnostic.start,
            end: diagnostic.end,
            message: diagnostic.message.clone(),
            related: diagnostic.related.clone(),
            fingerprint: diagnostic.fingerprint.clone(),
            line_hash: diagnostic.line_hash.clone(),
            fix: diagnostic.fix.clone(),
            snippet: diagnostic.snippet.clone(),
            suppression: diagnostic.suppression.clone(),
        }
    }

    fn restore(&self, path: &str, rules: &RuleSet) -> Option<Diagnostic> {
        let rule = rules.rules()[rules.index_of(&self.rule)?].id;
        Some(Diagnostic {
            rule,
            level: self.level,
            path: path.to_owned(),
            range: self.range.clone(),
            start: self.start,
            end: self.end,
            message: self.message.clone(),
            related: self.related.clone(),
            fingerprint: self.fingerprint.clone(),
            line_hash: self.line_hash.clone(),
            fix: self.fix.clone(),
            snippet: self.snippet.clone(),
            suppression: self.suppression.clone(),
        })
    }
}
