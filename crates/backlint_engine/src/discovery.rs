//! Which files a run checks.
//!
//! Paths named on the command line are taken as they are: a file is checked whatever its
//! folder (unless `force_exclude` is set and one of its folders is excluded), a folder is
//! walked. A walk, in parallel with the `ignore` crate:
//! - skips hidden files and folders, folders named in `excluded_directories`, and what the
//!   configuration's `include` and `exclude` globs leave out;
//! - honours `.gitignore` (also outside a git repository), `.git/info/exclude`, the global git
//!   excludes file and `.ignore`, with the precedence ripgrep documents for `WalkBuilder`:
//!   `.ignore` over `.gitignore`, deeper files over shallower ones;
//! - does not follow symbolic links; a link whose target is missing or loops is reported;
//! - keeps the files whose extension backlint knows (see [`Grammar::from_path`]).

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;

use ignore::{WalkBuilder, WalkState};

use crate::diagnostic::{Notification, NotificationKind};
use crate::language::Grammar;
use crate::settings::Settings;

/// A file to check: where to read it, how to show it, and how to parse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    pub display_path: String,
    pub grammar: Grammar,
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<SourceFile>,
    pub notifications: Vec<Notification>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("{}: no such file or directory", .0.display())]
    NotFound(PathBuf),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

pub fn discover(paths: &[PathBuf], settings: &Settings) -> Result<Discovered, DiscoveryError> {
    let working_directory = std::env::current_dir().unwrap_or_default();
    let mut discovered = Discovered::default();
    let mut walk_roots = Vec::new();
    for path in paths {
        let link_metadata = fs::symlink_metadata(path).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => DiscoveryError::NotFound(path.clone()),
            _ => DiscoveryError::Io {
                path: path.clone(),
                source,
            },
        })?;
        let metadata = if link_metadata.file_type().is_symlink() {
            match fs::metadata(path) {
                Ok(metadata) => metadata,
                Err(error) => {
                    // A link named on the command line is checked if it can be; a broken one or
                    // a loop is reported like an unreadable file, and the run goes on.
                    discovered.notifications.push(Notification {
                        path: display_path(path, &working_directory),
                        kind: NotificationKind::IoError,
                        message: broken_link_message(&error),
                    });
                    continue;
                }
            }
        } else {
            link_metadata
        };
        if metadata.is_dir() {
            walk_roots.push(path.clone());
            continue;
        }
        if !metadata.is_file() {
            // Opening a FIFO would wait for a writer for ever.
            discovered.notifications.push(Notification {
                path: display_path(path, &working_directory),
                kind: NotificationKind::IoError,
                message: NOT_A_REGULAR_FILE.to_owned(),
            });
            continue;
        }
        if settings.force_exclude
            && (settings.is_in_excluded_directory(path) || !settings.filter.keeps_file(path))
        {
            continue;
        }
        if let Some(grammar) = Grammar::from_path(path) {
            discovered.files.push(SourceFile {
                path: path.clone(),
                display_path: display_path(path, &working_directory),
                grammar,
            });
        }
    }
    if !walk_roots.is_empty() {
        walk(&walk_roots, settings, &working_directory, &mut discovered);
    }
    discovered
        .files
        .sort_by(|a, b| a.display_path.cmp(&b.display_path));
    discovered
        .files
        .dedup_by(|a, b| a.display_path == b.display_path);
    discovered.notifications.sort();
    Ok(discovered)
}

/// For a FIFO, a socket or a device with a source file's name: never opened, since reading
/// one can wait for ever or never end.
const NOT_A_REGULAR_FILE: &str = "not a regular file (a FIFO, socket or device): skipped";

enum WalkItem {
    File(SourceFile),
    Notification(Notification),
}

fn walk(
    roots: &[PathBuf],
    settings: &Settings,
    working_directory: &Path,
    discovered: &mut Discovered,
) {
    let mut builder = WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    let excluded = settings.excluded_directories.clone();
    let filter = settings.filter.clone();
    builder
        .hidden(true)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .ignore(true)
        .parents(true)
        .require_git(false)
        .follow_links(false)
        .threads(settings.threads)
        .filter_entry(move |entry| {
            let is_dir = entry
                .file_type()
                .is_some_and(|file_type| file_type.is_dir());
            if entry.depth() == 0 {
                return true;
            }
            if is_dir {
                return !(excluded
                    .iter()
                    .any(|name| entry.file_name() == name.as_str())
                    || filter.excludes_folder(entry.path()));
            }
            filter.keeps_file(entry.path())
        });
    let (sender, receiver) = mpsc::channel();
    builder.build_parallel().run(|| {
        let sender = sender.clone();
        Box::new(move |entry| {
            let item = match entry {
                Ok(entry) => walk_item(entry, working_directory),
                Err(error) => Some(WalkItem::Notification(walk_error_notification(
                    &error,
                    working_directory,
                ))),
            };
            if let Some(item) = item {
                // The receiver outlives the walk, so a send cannot fail.
                let _ = sender.send(item);
            }
            WalkState::Continue
        })
    });
    drop(sender);
    for item in receiver {
        match item {
            WalkItem::File(file) => discovered.files.push(file),
            WalkItem::Notification(notification) => discovered.notifications.push(notification),
        }
    }
}

fn walk_item(entry: ignore::DirEntry, working_directory: &Path) -> Option<WalkItem> {
    let file_type = entry.file_type()?;
    let grammar = Grammar::from_path(entry.path())?;
    if file_type.is_symlink() {
        // Links are not followed; one that points nowhere is worth a word, since the user
        // may expect the file behind it to be checked.
        return match fs::metadata(entry.path()) {
            Ok(_) => None,
            Err(error) => Some(WalkItem::Notification(Notification {
                path: display_path(entry.path(), working_directory),
                kind: NotificationKind::IoError,
                message: broken_link_message(&error),
            })),
        };
    }
    if file_type.is_dir() {
        // A folder named like a file (`chart.js/`): the walk goes into it.
        return None;
    }
    if !file_type.is_file() {
        return Some(WalkItem::Notification(Notification {
            path: display_path(entry.path(), working_directory),
            kind: NotificationKind::IoError,
            message: NOT_A_REGULAR_FILE.to_owned(),
        }));
    }
    Some(WalkItem::File(SourceFile {
        path: entry.path().to_path_buf(),
        display_path: display_path(entry.path(), working_directory),
        grammar,
    }))
}

fn walk_error_notification(error: &ignore::Error, working_directory: &Path) -> Notification {
    let path = error_path(error)
        .map(|path| display_path(path, working_directory))
        .unwrap_or_default();
    Notification {
        path,
        kind: NotificationKind::IoError,
        message: error.to_string(),
    }
}

fn error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

fn broken_link_message(error: &io::Error) -> String {
    if error.kind() == io::ErrorKind::NotFound {
        "broken symbolic link (its target does not exist): the file was skipped".to_owned()
    } else {
        format!("cannot resolve the symbolic link ({error}): the file was skipped")
    }
}

/// A path as findings show it: relative to the working directory when it lies below it, with
/// `/` separators and no leading `./`.
pub fn display_path(path: &Path, working_directory: &Path) -> String {
    let relative = if path.is_absolute() {
        path.strip_prefix(working_directory).unwrap_or(path)
    } else {
        path
    };
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            Component::CurDir => {}
            Component::Normal(name) => parts.push(name.to_string_lossy().into_owned()),
            Component::RootDir => parts.push(String::new()),
            Component::ParentDir => parts.push("..".to_owned()),
            Component::Prefix(prefix) => {
                parts.push(prefix.as_os_str().to_string_lossy().into_owned())
            }
        }
    }
    if parts == [""] {
        return "/".to_owned();
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_with_forward_slashes() {
        let cwd = Path::new("/work/app");
        assert_eq!(display_path(Path::new("./src/a.ts"), cwd), "src/a.ts");
        assert_eq!(
            display_path(Path::new("/work/app/src/a.ts"), cwd),
            "src/a.ts"
        );
        assert_eq!(
            display_path(Path::new("/elsewhere/a.py"), cwd),
            "/elsewhere/a.py"
        );
        assert_eq!(display_path(Path::new("../b.py"), cwd), "../b.py");
    }
}
