//! Files around a source file that configure all of a project's routes: Next.js
//! `middleware.ts` (`proxy.ts` since Next.js 16) and Django settings modules. Rules about a
//! missing check read them before reporting a route.
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
