//! Files around a source file that configure all of a project's routes: Next.js
//! `middleware.ts` (`proxy.ts` since Next.js 16) and Django settings modules, which rules
//! about a missing check read before reporting a route; and the `package.json` that says
//! which Next.js version the project runs.
//!
//! They are read from disk, once per file and modification time, and shared by every check:
//! a project has a few of them and thousands of routes. Every look is recorded
//! (`backlint_engine::project_files`), so that a cached result is used only while they read
//! the same.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::SystemTime;

use backlint_engine::project_files::{
    exists, list_folder, listing_state, read_text, record, text_state, ProjectFile, State,
};

/// How many folders above a source file are searched.
const MAX_DEPTH: usize = 8;

/// Next.js middleware file names, in the project's root or in `src/`.
const NEXT_MIDDLEWARE_FILES: &[&str] = &["middleware.ts", "middleware.js", "proxy.ts", "proxy.js"];

struct ReadFile {
    modified: Option<SystemTime>,
    text: Option<Arc<str>>,
    state: State,
}

static FILES: LazyLock<Mutex<HashMap<PathBuf, ReadFile>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The text of a file, or `None` when there is none (or it cannot be read).
fn read(path: &Path) -> Option<Arc<str>> {
    let Some(modified) = fs::metadata(path)
        .ok()
        .map(|metadata| metadata.modified().ok())
    else {
        record(ProjectFile::Text(path.to_owned()), text_state(None));
        return None;
    };
    let mut files = FILES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let file = match files.get(path).filter(|file| file.modified == modified) {
        Some(file) => file,
        None => {
            let text = read_text(path);
            let state = text_state(text.as_deref());
            files.insert(
                path.to_owned(),
                ReadFile {
                    modified,
                    text: text.map(Arc::from),
                    state,
                },
            );
            &files[path]
        }
    };
    record(ProjectFile::Text(path.to_owned()), file.state);
    file.text.clone()
}

/// The folders above a source file, nearest first, up to the first that holds one of
/// `root_markers` (the project's root: what lies above it belongs to no project of its).
fn ancestors<'a>(source: &'a Path, root_markers: &'a [&str]) -> impl Iterator<Item = &'a Path> {
    let mut reached_root = false;
    source
        .ancestors()
        .skip(1)
        .take(MAX_DEPTH)
        .take_while(move |folder| {
            let above_root = reached_root;
            reached_root = root_markers
                .iter()
                .any(|marker| exists(&folder.join(marker)));
            !above_root
        })
}

/// The texts of the Next.js middleware files that apply to a file of the project.
pub fn next_middleware(source: &Path) -> Vec<Arc<str>> {
    ancestors(
        source,
        &[
            "package.json",
            "next.config.js",
            "next.config.mjs",
            "next.config.ts",
            ".git",
        ],
    )
    .flat_map(|folder| {
        NEXT_MIDDLEWARE_FILES
            .iter()
            .map(move |name| folder.join(name))
    })
    .filter_map(|path| read(&path))
    .collect()
}

/// The Next.js major version of the project a file belongs to, from the nearest
/// `package.json` that depends on `next` (`"15.1.6"`, `"^14.2.3"`, `">=16.2 <17"`).
/// `Some(None)` when that package names no version (`"latest"`, `"workspace:*"`,
/// `"catalog:"`): the current one. `None` when no `package.json` above the file depends on
/// `next`.
pub fn next_major_version(source: &Path) -> Option<Option<u32>> {
    source
        .ancestors()
        .skip(1)
        .take(MAX_DEPTH)
        .filter_map(|folder| read(&folder.join("package.json")))
        .find_map(|manifest| next_requirement(&manifest))
        .map(|requirement| major_version(&requirement))
}

/// The version requirement on `next` in a `package.json`, when it has one.
fn next_requirement(manifest: &str) -> Option<String> {
    let manifest: serde_json::Value = serde_json::from_str(manifest).ok()?;
    ["dependencies", "devDependencies", "peerDependencies"]
        .iter()
        .find_map(|section| manifest.get(section)?.get("next")?.as_str())
        .map(str::to_owned)
}

/// The major version a requirement starts from: `^15.1.0` and `>=15` are 15.
fn major_version(requirement: &str) -> Option<u32> {
    let requirement = requirement.trim_start_matches(|character: char| {
        matches!(character, '^' | '~' | '>' | '=' | 'v' | ' ')
    });
    let digits: String = requirement
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The texts of the Django settings modules of the project a file belongs to:
/// `settings.py` files and the modules of `settings/` packages, in the folders above it and
/// in their subfolders (where `manage.py` projects keep `<project>/settings.py`).
pub fn django_settings(source: &Path) -> Vec<Arc<str>> {
    ancestors(source, &["manage.py", "pyproject.toml", "setup.py", ".git"])
        .flat_map(|folder| settings_files(folder).to_vec())
        .filter_map(|path| read(&path))
        .collect()
}

/// The settings modules found in a folder, with the folders listed to find them: each with
/// its modification time when listed and the state of its listing.
struct Listed {
    files: Arc<[PathBuf]>,
    listings: Vec<(PathBuf, Option<SystemTime>, State)>,
}

impl Listed {
    /// Whether no listed folder has been modified since: adding or removing an entry changes
    /// a folder's modification time. A language server runs for days while files come and go.
    fn is_current(&self) -> bool {
        self.listings
            .iter()
            .all(|(folder, modified, _)| modification_time(folder) == *modified)
    }
}

fn modification_time(path: &Path) -> Option<SystemTime> {
    fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
}

static SETTINGS_FILES: LazyLock<Mutex<HashMap<PathBuf, Listed>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The settings modules in a folder and its subfolders, listed again only when one of the
/// folders changed.
fn settings_files(folder: &Path) -> Arc<[PathBuf]> {
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let mut listed = SETTINGS_FILES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let listed = listed
        .entry(folder.to_owned())
        .and_modify(|listed| {
            if !listed.is_current() {
                *listed = list_settings_files(folder);
            }
        })
        .or_insert_with(|| list_settings_files(folder));
    for (listed_folder, _, state) in &listed.listings {
        record(ProjectFile::Listing(listed_folder.clone()), *state);
    }
    Arc::clone(&listed.files)
}

fn list_settings_files(folder: &Path) -> Listed {
    let mut listings = Vec::new();
    let mut list = |folder: &Path| {
        let modified = modification_time(folder);
        let entries = list_folder(folder);
        listings.push((folder.to_owned(), modified, listing_state(&entries)));
        entries
    };
    let mut files = Vec::new();
    for (path, is_folder) in list(folder) {
        if is_folder {
            files.push(path.join("settings.py"));
            if path.file_name().is_some_and(|name| name == "settings") {
                files.extend(list(&path).into_iter().filter_map(|(module, _)| {
                    module
                        .extension()
                        .is_some_and(|extension| extension == "py")
                        .then_some(module)
                }));
            }
        } else if path.file_name().is_some_and(|name| name == "settings.py") {
            files.push(path);
        }
    }
    Listed {
        files: files.into(),
        listings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use backlint_engine::project_files::WATCHED_GLOBS;
    use globset::{Glob, GlobSet, GlobSetBuilder};

    /// The editor watches the files rules read here; a name added to them must be watched too.
    #[test]
    fn every_file_read_here_is_watched() {
        let mut watched = GlobSetBuilder::new();
        for glob in WATCHED_GLOBS {
            watched.add(Glob::new(glob).expect("a valid glob"));
        }
        let watched: GlobSet = watched.build().expect("globs build");
        let read = NEXT_MIDDLEWARE_FILES
            .iter()
            .map(|name| format!("app/{name}"))
            .chain(
                [
                    "app/package.json",
                    "site/settings.py",
                    "site/settings/base.py",
                ]
                .map(String::from),
            );
        for path in read {
            assert!(watched.is_match(&path), "{path} is not watched");
        }
    }
}
