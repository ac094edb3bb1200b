//! The files a check reads besides the one it checks: a Next.js project's `package.json` and
//! middleware, a Django project's settings modules, the markers of a project's root. A rule
//! reads them through here, which records what it saw, so that the results cache can tell
//! whether a stored result still holds: it does while each of those files reads the same.

use std::cell::RefCell;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

/// Something outside the checked file that a check looked at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProjectFile {
    /// The text of a file (or that there is none).
    Text(PathBuf),
    /// Whether a path exists.
    Exists(PathBuf),
    /// The names in a folder, and which of them are folders.
    Listing(PathBuf),
}

/// The files that rules read around a source file, as globs for an editor to watch: a change
/// to one of them can change the findings of files that did not change.
pub const WATCHED_GLOBS: &[&str] = &[
    "**/package.json",
    "**/{middleware,proxy}.{ts,js}",
    "**/settings.py",
    "**/settings/*.py",
];

/// What a [`ProjectFile`] held when it was looked at, as a hash.
pub type State = u64;

thread_local! {
    static SEEN: RefCell<Option<Vec<(ProjectFile, State)>>> = const { RefCell::new(None) };
}

/// Notes that the check running on this thread looked at `file` and found it in `state`.
pub fn record(file: ProjectFile, state: State) {
    SEEN.with(|seen| {
        if let Some(seen) = seen.borrow_mut().as_mut() {
            if !seen.iter().any(|(known, _)| *known == file) {
                seen.push((file, state));
            }
        }
    });
}

/// Runs `check` and returns what it produced with the project files it looked at. What it
/// looked at counts for a recording around this one as well.
pub(crate) fn recording<T>(check: impl FnOnce() -> T) -> (T, Vec<(ProjectFile, State)>) {
    let outer = SEEN.with(|seen| seen.replace(Some(Vec::new())));
    let produced = check();
    let seen = SEEN.with(|seen| seen.replace(outer)).unwrap_or_default();
    for (file, state) in &seen {
        record(file.clone(), *state);
    }
    (produced, seen)
}

/// Whether each file still reads as it did when it was looked at.
pub fn still_hold(files: &[(ProjectFile, State)]) -> bool {
    files
        .iter()
        .all(|(file, state)| current_state(file) == *state)
}

/// The state of a file's text, `None` when it does not exist or cannot be read as UTF-8.
pub fn text_state(text: Option<&str>) -> State {
    match text {
        Some(text) => xxhash_rust::xxh3::xxh3_64(text.as_bytes()) | 1,
        None => 0,
    }
}

/// Reads a file's text as the rules do: `None` when it does not exist or is not UTF-8.
pub fn read_text(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok()
}

/// Whether `path` exists; the look is recorded.
pub fn exists(path: &Path) -> bool {
    let exists = path.exists();
    record(ProjectFile::Exists(path.to_owned()), State::from(exists));
    exists
}

/// The entries of a folder with whether each is a folder, in the order of their names; empty
/// when it cannot be read.
pub fn list_folder(folder: &Path) -> Vec<(PathBuf, bool)> {
    let mut entries: Vec<(PathBuf, bool)> = fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| {
                    let path = entry.path();
                    let is_folder = path.is_dir();
                    (path, is_folder)
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    entries
}

/// The state of a folder's listing, from [`list_folder`].
pub fn listing_state(entries: &[(PathBuf, bool)]) -> State {
    let mut hasher = Xxh3::new();
    for (path, is_folder) in entries {
        hasher.update(path.as_os_str().as_encoded_bytes());
        hasher.update(&[u8::from(*is_folder), 0]);
    }
    hasher.digest()
}

/// What `file` holds now, looked at again.
pub(crate) fn current_state(file: &ProjectFile) -> State {
    match file {
        ProjectFile::Text(path) => text_state(read_text(path).as_deref()),
        ProjectFile::Exists(path) => State::from(path.exists()),
        ProjectFile::Listing(folder) => listing_state(&list_folder(folder)),
    }
}
