//! Globs over paths relative to a configuration's folder, matched the way `.gitignore` users
//! expect: `*` stays within a folder, `**` crosses folders, a glob that matches a folder
//! matches everything below it, and a glob without a `/` matches a file or folder name at any
//! depth (`migrations`, `*.generated.ts`).

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

#[derive(Debug, Clone)]
pub struct PathGlobs {
    /// Globs with a `/`: matched against the relative path and each of its parent folders.
    paths: GlobSet,
    /// Globs without a `/`: matched against each name along the path.
    names: GlobSet,
}

impl PathGlobs {
    pub fn new(patterns: &[String]) -> Result<PathGlobs, globset::Error> {
        let mut paths = GlobSetBuilder::new();
        let mut names = GlobSetBuilder::new();
        for pattern in patterns {
            let trimmed = pattern.trim_start_matches("./").trim_end_matches('/');
            let anchored = trimmed.trim_start_matches('/');
            let glob = glob(anchored)?;
            if trimmed.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        Ok(PathGlobs {
            paths: paths.build()?,
            names: names.build()?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.names.is_empty()
    }

    /// Whether `relative` (a path below the configuration's folder) or one of its folders
    /// matches.
    pub fn is_match(&self, relative: &Path) -> bool {
        let names: Vec<&std::ffi::OsStr> = relative
            .components()
            .filter_map(|component| match component {
                Component::Normal(name) => Some(name),
                _ => None,
            })
            .collect();
        if names.iter().any(|name| self.names.is_match(name)) {
            return true;
        }
        let mut prefix = PathBuf::new();
        names.iter().any(|name| {
            prefix.push(name);
            self.paths.is_match(&prefix)
        })
    }
}

fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// `path` relative to `root` (an absolute folder without `..`), when it lies below it.
pub fn relative_to(path: &Path, root: &Path) -> Option<PathBuf> {
    absolute_by_names(path)?
        .strip_prefix(root)
        .ok()
        .map(Path::to_path_buf)
}

/// `path` made absolute, with `.` and `..` resolved by the names, not by following links, as
/// the walk that found a file did.
pub fn absolute_by_names(path: &Path) -> Option<PathBuf> {
    let mut absolute = PathBuf::new();
    for component in std::path::absolute(path).ok()?.components() {
        match component {
            Component::ParentDir => {
                absolute.pop();
            }
            Component::CurDir => {}
            other => absolute.push(other),
        }
    }
    Some(absolute)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(patterns: &[&str]) -> PathGlobs {
        let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
        PathGlobs::new(&patterns).expect("valid globs")
    }

    #[test]
    fn names_match_at_any_depth() {
        let migrations = globs(&["migrations", "*.generated.ts"]);
        assert!(migrations.is_match(Path::new("app/migrations/0001_initial.py")));
        assert!(migrations.is_match(Path::new("src/api.generated.ts")));
        assert!(!migrations.is_match(Path::new("app/models.py")));
    }

    #[test]
    fn paths_match_from_the_root_and_cover_their_folders() {
        let legacy = globs(&["src/legacy", "tests/**/*.py", "./scripts/"]);
        assert!(legacy.is_match(Path::new("src/legacy/old.ts")));
        assert!(!legacy.is_match(Path::new("lib/src/legacy/old.ts")));
        assert!(legacy.is_match(Path::new("tests/unit/test_a.py")));
        assert!(legacy.is_match(Path::new("scripts/seed.py")));
        assert!(!legacy.is_match(Path::new("src/app.ts")));
    }

    #[test]
    fn a_star_stays_within_a_folder() {
        let top = globs(&["src/*.ts"]);
        assert!(top.is_match(Path::new("src/a.ts")));
        assert!(!top.is_match(Path::new("src/deep/a.ts")));
    }
}
