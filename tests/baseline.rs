//! Baselines end to end: check → baseline → check is clean → a new problem shows → moving code
//! down or reformatting it keeps the old findings hidden → changing the offending line shows it
//! again, and the old entry counts as fixed.

use std::fs;
use std::path::Path;

use serde_json::Value;

mod common;

use common::backlint;

const VIEWS: &str = "\
def load(path: str) -> str | None:
    try:
        return open(path).read()
    except:
        return None
";

/// `check --baseline` of `paths` (the whole folder when empty): the lines of the findings
/// shown, the summary's baseline outcome, and the exit code.
fn check(root: &Path, paths: &[&str]) -> (Vec<u64>, Value, i32) {
    let mut arguments = vec![
        "check",
        "--format",
        "json",
        "--baseline",
        ".backlint-baseline.json",
    ];
    arguments.extend(paths);
    let output = backlint(root, &arguments);
    let document: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let lines = document["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| finding["line"].as_u64().expect("line"))
        .collect();
    (
        lines,
        document["summary"]["baseline"].clone(),
        output.status.code().expect("exit code"),
    )
}

#[test]
fn a_baseline_hides_known_findings_and_only_those() {
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    fs::write(root.join("views.py"), VIEWS).expect("write");
    assert_eq!(backlint(root, &["check"]).status.code(), Some(1));

    let written = backlint(root, &["baseline"]);
    assert_eq!(written.status.code(), Some(0));
    let baseline: Value = serde_json::from_str(
        &fs::read_to_string(root.join(".backlint-baseline.json")).expect("baseline written"),
    )
    .expect("JSON");
    assert_eq!(baseline["version"], 1);
    let entry = &baseline["findings"][0];
    assert_eq!(entry["rule"], "bare-except");
    assert_eq!(entry["path"], "views.py");
    assert_eq!(entry["line"], "except:");
    assert!(entry["fingerprint"]
        .as_str()
        .is_some_and(|hash| hash.len() == 32));

    let (lines, outcome, code) = check(root, &[]);
    assert_eq!((lines, code), (vec![], 0));
    assert_eq!(outcome, serde_json::json!({"hidden": 1, "fixed": 0}));

    // A new problem shows; the known one stays hidden.
    fs::write(
        root.join("views.py"),
        format!("{VIEWS}\n\ndef save(path: str) -> None:\n    try:\n        write(path)\n    except:\n        return None\n"),
    )
    .expect("write");
    let (lines, outcome, code) = check(root, &[]);
    assert_eq!((lines, code), (vec![11], 1));
    assert_eq!(outcome["hidden"], 1);

    // Moving the code down and reformatting its whitespace keeps the known finding hidden.
    let moved = format!("import os\n\n\n{}", VIEWS.replace("except:", "except :"));
    fs::write(root.join("views.py"), moved).expect("write");
    let (lines, outcome, _) = check(root, &[]);
    assert_eq!(lines, Vec::<u64>::new());
    assert_eq!(outcome, serde_json::json!({"hidden": 1, "fixed": 0}));

    // Changing the offending line makes it a new finding; the old entry is fixed.
    fs::write(
        root.join("views.py"),
        VIEWS.replace("except:", "except:  # fall back to nothing"),
    )
    .expect("write");
    let (lines, outcome, _) = check(root, &[]);
    assert_eq!(lines, vec![4]);
    assert_eq!(outcome, serde_json::json!({"hidden": 0, "fixed": 1}));

    // A file checked in another run is not fixed; a file deleted is.
    fs::write(root.join("other.py"), "x = 1\n").expect("write");
    let (_, outcome, _) = check(root, &["other.py"]);
    assert_eq!(outcome["fixed"], 0);
    fs::remove_file(root.join("views.py")).expect("delete");
    let (_, outcome, _) = check(root, &[]);
    assert_eq!(outcome, serde_json::json!({"hidden": 0, "fixed": 1}));
}

#[test]
fn baseline_lines_never_show_a_secret() {
    let root = tempfile::tempdir().expect("temp dir");
    let secret = "ghp_8fK2mQ9xLr4TzW1vB7nC3dE6gH0jS5aY2uPq";
    fs::write(
        root.path().join("settings.py"),
        format!("GITHUB_TOKEN = \"{secret}\"\n"),
    )
    .expect("write");
    assert_eq!(backlint(root.path(), &["baseline"]).status.code(), Some(0));
    let text = fs::read_to_string(root.path().join(".backlint-baseline.json")).expect("read");
    assert!(text.contains("hardcoded-secret"), "{text}");
    assert!(!text.contains(&secret[8..]), "{text}");
}

#[test]
fn an_unreadable_baseline_is_an_error() {
    let root = tempfile::tempdir().expect("temp dir");
    fs::write(root.path().join("views.py"), VIEWS).expect("write");
    fs::write(root.path().join("bad.json"), "{\"version\": 1}").expect("write");
    let output = backlint(root.path(), &["check", "--baseline", "bad.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.json: not a backlint baseline"),
        "{stderr}"
    );
    let missing = backlint(root.path(), &["check", "--baseline", "missing.json"]);
    assert_eq!(missing.status.code(), Some(2));
}
