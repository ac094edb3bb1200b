//! The results cache end to end: a second run reads what the first stored, and reports
//! exactly what a run without the cache would; anything a result depends on (the file, the
//! configuration, a project file such as `package.json`) makes it be checked again; a damaged
//! or unwritable cache never fails a run.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/projects/nextjs-prisma-api"
);

/// Runs backlint with the results cache (which the other tests switch off).
fn run(directory: &Path, arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backlint"))
        .args(arguments)
        .current_dir(directory)
        .env("NO_COLOR", "1")
        .env_remove("BACKLINT_NO_CACHE")
        .env_remove("BACKLINT_CACHE_DIR")
        .output()
        .expect("run backlint")
}

/// The JSON report of `backlint check` and what it printed on standard error.
fn check_json(directory: &Path, extra: &[&str]) -> (Value, String) {
    let mut arguments = vec!["check", "--format", "json"];
    arguments.extend_from_slice(extra);
    let output = run(directory, &arguments);
    let report = serde_json::from_slice(&output.stdout).expect("a JSON report");
    (report, String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The summary line of the human format, which says how many files came from the cache.
fn summary_line(directory: &Path, extra: &[&str]) -> String {
    let mut arguments = vec!["check"];
    arguments.extend_from_slice(extra);
    let output = run(directory, &arguments);
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout.lines().last().expect("a summary line").to_owned()
}

/// (path, line, rule) of every finding.
fn findings(report: &Value) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().expect("path").to_owned(),
                finding["line"].as_u64().expect("line"),
                finding["rule"].as_str().expect("rule").to_owned(),
            )
        })
        .collect()
}

fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for entry in fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A copy of the Next.js example project, in a temporary folder.
fn example_project() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("temporary folder");
    copy_folder(Path::new(EXAMPLE), folder.path());
    folder
}

fn has_finding(report: &Value, path: &str, rule: &str) -> bool {
    findings(report)
        .iter()
        .any(|(found_path, _, found_rule)| found_path == path && found_rule == rule)
}

#[test]
fn a_second_run_reads_every_result_from_the_cache_and_reports_the_same() {
    let project = example_project();
    let (uncached, _) = check_json(project.path(), &["--no-cache"]);
    assert!(!project.path().join(".backlint_cache").exists());
    let (first, _) = check_json(project.path(), &[]);
    let (second, stderr) = check_json(project.path(), &[]);
    assert_eq!(first, uncached);
    assert_eq!(second, uncached);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(findings(&uncached).len() > 10, "{uncached}");

    let files = uncached["summary"]["files"].as_u64().expect("files");
    let line = summary_line(project.path(), &[]);
    assert!(
        line.contains(&format!("in {files} files ({files} cached)")),
        "{line}"
    );
}

#[test]
fn a_changed_file_is_checked_again_and_only_it() {
    let project = example_project();
    check_json(project.path(), &[]);
    let route = project.path().join("src/app/api/posts/[id]/route.ts");
    let text = fs::read_to_string(&route).expect("read route");
    fs::write(&route, text.replace("params.id", "(await params).id")).expect("write route");

    let (uncached, _) = check_json(project.path(), &["--no-cache"]);
    let files = uncached["summary"]["files"].as_u64().expect("files");
    let line = summary_line(project.path(), &[]);
    assert!(line.contains(&format!("({} cached)", files - 1)), "{line}");
    let (report, _) = check_json(project.path(), &[]);
    assert_eq!(report, uncached);
    assert!(!has_finding(
        &report,
        "src/app/api/posts/[id]/route.ts",
        "unawaited-route-params"
    ));
}

#[test]
fn a_changed_project_file_invalidates_the_results_that_read_it() {
    let project = example_project();
    let (report, _) = check_json(project.path(), &[]);
    let route = "src/app/api/posts/[id]/route.ts";
    assert!(has_finding(&report, route, "unawaited-route-params"));

    // Before Next.js 15, `params` is a plain object: nothing to await.
    let manifest = project.path().join("package.json");
    let text = fs::read_to_string(&manifest).expect("read package.json");
    let downgraded = text.replace("\"next\": \"15.1.6\"", "\"next\": \"14.2.3\"");
    assert_ne!(
        text, downgraded,
        "the example project depends on next 15.1.6"
    );
    fs::write(&manifest, downgraded).expect("write package.json");

    let (report, _) = check_json(project.path(), &[]);
    assert!(!has_finding(&report, route, "unawaited-route-params"));
    let (uncached, _) = check_json(project.path(), &["--no-cache"]);
    assert_eq!(report, uncached);
}

#[test]
fn a_changed_configuration_invalidates_the_results() {
    let project = example_project();
    let (report, _) = check_json(project.path(), &[]);
    let route = "src/app/api/posts/[id]/route.ts";
    assert!(has_finding(&report, route, "unawaited-route-params"));

    fs::write(
        project.path().join("backlint.toml"),
        "[rules]\nunawaited-route-params = \"off\"\n",
    )
    .expect("write backlint.toml");
    let (report, _) = check_json(project.path(), &[]);
    assert!(!has_finding(&report, route, "unawaited-route-params"));

    // The command line's selection is part of the key as well.
    let (selected, _) = check_json(project.path(), &["--select", "unbounded-query"]);
    let rules: Vec<String> = findings(&selected)
        .into_iter()
        .map(|(_, _, rule)| rule)
        .collect();
    assert!(!rules.is_empty());
    assert!(
        rules.iter().all(|rule| rule == "unbounded-query"),
        "{rules:?}"
    );
}

#[test]
fn a_corrupt_cache_is_discarded_with_a_warning_and_rewritten() {
    let project = example_project();
    let (uncached, _) = check_json(project.path(), &["--no-cache"]);
    check_json(project.path(), &[]);
    let results = project.path().join(".backlint_cache/results.bin");
    let mut bytes = fs::read(&results).expect("read the cache");
    bytes.truncate(bytes.len() / 2);
    fs::write(&results, bytes).expect("damage the cache");

    let (report, stderr) = check_json(project.path(), &[]);
    assert_eq!(report, uncached);
    assert!(
        stderr.contains("backlint: warning: the cache") && stderr.contains("it was discarded"),
        "{stderr}"
    );
    let (report, stderr) = check_json(project.path(), &[]);
    assert_eq!(report, uncached);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn an_unwritable_cache_is_a_warning_not_a_failure() {
    let project = example_project();
    let (uncached, _) = check_json(project.path(), &["--no-cache"]);
    let blocker = project.path().join("not-a-folder");
    fs::write(&blocker, "a file where the cache folder should be").expect("write file");
    let output = run(
        project.path(),
        &[
            "check",
            "--format",
            "json",
            "--cache-dir",
            "not-a-folder/cache",
        ],
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    assert_eq!(report, uncached);
    assert_eq!(output.status.code(), Some(1), "findings at warning level");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("backlint: warning: cannot write the cache"),
        "{stderr}"
    );
}

#[test]
fn the_cache_folder_is_ignored_by_git_and_can_be_moved() {
    let project = example_project();
    let git = |arguments: &[&str]| {
        let output = Command::new("git")
            .args(arguments)
            .current_dir(project.path())
            .output()
            .expect("run git");
        assert!(output.status.success(), "git {arguments:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    git(&["init", "--quiet"]);
    let untracked_before = git(&["status", "--porcelain", "--untracked-files=all"]);
    check_json(project.path(), &[]);
    assert!(project.path().join(".backlint_cache/results.bin").is_file());
    assert!(project
        .path()
        .join(".backlint_cache/CACHEDIR.TAG")
        .is_file());
    let untracked_after = git(&["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(untracked_before, untracked_after);

    let elsewhere = tempfile::tempdir().expect("temporary folder");
    let cache_dir = elsewhere.path().join("cache");
    let cache_dir = cache_dir.to_str().expect("UTF-8 path");
    check_json(project.path(), &["--cache-dir", cache_dir]);
    assert!(Path::new(cache_dir).join("results.bin").is_file());
    let line = summary_line(project.path(), &["--cache-dir", cache_dir]);
    assert!(line.contains(" cached)"), "{line}");
}
