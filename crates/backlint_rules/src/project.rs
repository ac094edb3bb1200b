//! Files around a source file that configure all of a project's routes: Next.js
//! `middleware.ts` (`proxy.ts` since Next.js 16) and Django settings modules, which rules
//! about a missing check read before reporting a route; and the `package.json` that says
//! which Next.js version the project runs.
//!
//! They are read from disk, once per file and modification time, and shared by every check:
//! a project has a few of them and thousands of routes.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::SystemTime;

/// How many folders above a source file are searched.
const MAX_DEPTH: usize = 8;

/// Next.js middleware file names, in the project's root or in `src/`.
const NEXT_MIDDLEWARE_FILES: &[&str] = &["middleware.ts", "middleware.js", "proxy.ts", "proxy.js"];

type Cached = (Option<SystemTime>, Option<Arc<str>>);

static FILES: LazyLock<Mutex<HashMap<PathBuf, Cached>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The text of a file, or `None` when there is none (or it cannot be read).
fn read(path: &Path) -> Option<Arc<str>> {
    let modified = fs::metadata(path).ok()?.modified().ok();
    let mut files = FILES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, text)) = files
        .get(path)
        .filter(|(cached_modified, _)| *cached_modified == modified)
    {
        return text.clone();
    }
    let text: Option<Arc<str>> = fs::read_to_string(path).ok().map(Arc::from);
    files.insert(path.to_owned(), (modified, text.clone()));
    text
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
                .any(|marker| folder.join(marker).exists());
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

static SETTINGS_FILES: LazyLock<Mutex<HashMap<PathBuf, Arc<[PathBuf]>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The settings modules in a folder and its subfolders, listed once per process.
fn settings_files(folder: &Path) -> Arc<[PathBuf]> {
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let mut listed = SETTINGS_FILES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(files) = listed.get(folder) {
        return files.clone();
    }
    let mut files = Vec::new();
    for path in children(folder) {
        if path.is_dir() {
            files.push(path.join("settings.py"));
            if path.file_name().is_some_and(|name| name == "settings") {
                files.extend(children(&path).into_iter().filter(|module| {
                    module
                        .extension()
                        .is_some_and(|extension| extension == "py")
                }));
            }
        } else if path.file_name().is_some_and(|name| name == "settings.py") {
            files.push(path);
        }
    }
    let files: Arc<[PathBuf]> = files.into();
    listed.insert(folder.to_owned(), files.clone());
    files
}

fn children(folder: &Path) -> Vec<PathBuf> {
    fs::read_dir(folder)
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default()
}
