//! What backlint promises about the files around it: it follows no symbolic link out of the
//! folder it checks unless the link is named on the command line, and it writes nothing but
//! its report (`--output`), its cache and the files it fixes.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const BARE_EXCEPT: &str = "try:\n    run()\nexcept:\n    pass\n";

fn checked_paths(directory: &Path, arguments: &[&str]) -> Vec<String> {
    let mut all = vec!["check", "--isolated", "--format", "json"];
    all.extend_from_slice(arguments);
    let output = common::backlint(directory, &all);
    let document: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let mut paths: Vec<String> = document["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| finding["path"].as_str().expect("path").to_owned())
        .collect();
    paths.dedup();
    paths
}

#[test]
fn links_out_of_the_checked_folder_are_followed_only_when_named() {
    let sandbox = tempfile::tempdir().expect("temporary directory");
    let project = sandbox.path().join("project");
    let outside = sandbox.path().join("outside");
    fs::create_dir_all(&project).expect("create");
    fs::create_dir_all(&outside).expect("create");
    fs::write(project.join("app.py"), BARE_EXCEPT).expect("write");
    fs::write(outside.join("secret.py"), BARE_EXCEPT).expect("write");
    symlink(&outside, project.join("linked_folder")).expect("symlink");
    symlink(outside.join("secret.py"), project.join("linked_file.py")).expect("symlink");

    assert_eq!(checked_paths(&project, &["."]), vec!["app.py"]);
    assert_eq!(
        checked_paths(&project, &["linked_file.py", "linked_folder"]),
        vec!["linked_file.py", "linked_folder/secret.py"]
    );
}

/// Every file below `root`, with its content.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).expect("read the folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let contents = fs::read(&path).expect("read the file");
                files.insert(
                    path.strip_prefix(root).expect("below").to_path_buf(),
                    contents,
                );
            }
        }
    }
    files
}

#[test]
fn only_the_report_the_cache_and_fixed_files_are_written() {
    let sandbox = tempfile::tempdir().expect("temporary directory");
    let project = sandbox.path().join("project");
    fs::create_dir_all(project.join("src")).expect("create");
    fs::create_dir_all(sandbox.path().join("elsewhere")).expect("create");
    fs::write(sandbox.path().join("elsewhere/untouched.py"), BARE_EXCEPT).expect("write");
    fs::write(project.join("src/fixable.py"), BARE_EXCEPT).expect("write");
    fs::write(project.join("src/clean.py"), "x = 1\n").expect("write");
    fs::write(project.join("backlint.toml"), "").expect("write");
    let before = snapshot(sandbox.path());

    let runs: &[&[&str]] = &[
        &["check", "."],
        &[
            "check",
            "--output",
            // A folder that does not exist yet is created for the report.
            "../reports/ci/result.sarif",
            "--format",
            "sarif",
            ".",
        ],
        &["check", "--cache-dir", "../cache", "."],
        &["check", "--fix", "--no-cache", "."],
    ];
    for arguments in runs {
        let status = Command::new(env!("CARGO_BIN_EXE_backlint"))
            .args(*arguments)
            .current_dir(&project)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run backlint");
        assert!(status.code().is_some_and(|code| code <= 1), "{arguments:?}");
    }

    let after = snapshot(sandbox.path());
    let changed: Vec<&PathBuf> = after
        .iter()
        .filter(|(path, contents)| before.get(*path) != Some(contents))
        .map(|(path, _)| path)
        .collect();
    let removed: Vec<&PathBuf> = before
        .keys()
        .filter(|path| !after.contains_key(*path))
        .collect();
    assert!(removed.is_empty(), "removed: {removed:?}");
    for path in &changed {
        let allowed = path.starts_with("project/.backlint_cache")
            || path.starts_with("cache")
            || path.as_path() == Path::new("reports/ci/result.sarif")
            || path.as_path() == Path::new("project/src/fixable.py");
        assert!(allowed, "backlint wrote {}", path.display());
    }
    assert!(
        changed.contains(&&PathBuf::from("project/src/fixable.py")),
        "{changed:?}"
    );
    assert!(
        changed.contains(&&PathBuf::from("reports/ci/result.sarif")),
        "{changed:?}"
    );
    for cache in ["project/.backlint_cache", "cache"] {
        assert!(
            changed.iter().any(|path| path.starts_with(cache)),
            "nothing in {cache}: {changed:?}"
        );
    }
}
