//! hardcoded-secret against the secret scanners teams already run: on one realistic fake
//! credential per provider in the format table (`fixtures/hardcoded-secret/providers.*`),
//! backlint must find every line that detect-secrets or secretlint finds.
//!
//! The scanners (`benches/peers.sh`) are installed by `.ci/run`; this test is ignored by a
//! plain `cargo test` and runs with `--include-ignored`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::installed_tool;
use serde_json::Value;

const FILES: [&str; 2] = ["providers.ts", "providers.py"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hardcoded-secret")
}

fn run_json(program: &Path, arguments: &[&str]) -> Value {
    let output = Command::new(program)
        .args(arguments)
        .current_dir(fixtures())
        .env("BACKLINT_NO_CACHE", "1")
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", program.display()));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{} printed no JSON ({error}): {}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// (file, line) pairs.
type Lines = BTreeSet<(String, u64)>;

fn detect_secrets() -> Lines {
    let mut arguments = vec!["scan"];
    arguments.extend(FILES);
    let document = run_json(&installed_tool("venv/bin/detect-secrets"), &arguments);
    let mut lines = BTreeSet::new();
    for (file, secrets) in document["results"].as_object().expect("results") {
        for secret in secrets.as_array().expect("secrets") {
            lines.insert((
                file.clone(),
                secret["line_number"].as_u64().expect("line_number"),
            ));
        }
    }
    lines
}

fn secretlint() -> Lines {
    let configuration = tempfile::NamedTempFile::new().expect("temporary file");
    std::fs::write(
        configuration.path(),
        r#"{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}"#,
    )
    .expect("write the secretlint configuration");
    let configuration_path = configuration.path().to_string_lossy().into_owned();
    let mut arguments = vec![
        "--secretlintrc",
        configuration_path.as_str(),
        "--format",
        "json",
    ];
    arguments.extend(FILES);
    let document = run_json(
        &installed_tool("node/node_modules/.bin/secretlint"),
        &arguments,
    );
    let mut lines = BTreeSet::new();
    for file in document.as_array().expect("files") {
        let path = file["filePath"].as_str().expect("filePath");
        let name = Path::new(path)
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        for message in file["messages"].as_array().expect("messages") {
            lines.insert((
                name.clone(),
                message["loc"]["start"]["line"].as_u64().expect("line"),
            ));
        }
    }
    lines
}

fn backlint() -> Lines {
    let mut arguments = vec!["check", "--select", "hardcoded-secret", "--format", "json"];
    arguments.extend(FILES);
    let document = run_json(Path::new(env!("CARGO_BIN_EXE_backlint")), &arguments);
    document["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().expect("path").to_owned(),
                finding["line"].as_u64().expect("line"),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs detect-secrets and secretlint: run by .ci/run"]
fn backlint_finds_every_credential_the_secret_scanners_find() {
    let found = backlint();
    for (scanner, lines) in [
        ("detect-secrets", detect_secrets()),
        ("secretlint", secretlint()),
    ] {
        assert!(
            !lines.is_empty(),
            "{scanner} found nothing: the scanner or its setup is broken"
        );
        let missed: Vec<String> = lines
            .difference(&found)
            .map(|(file, line)| format!("{file}:{line}"))
            .collect();
        println!(
            "hardcoded-secret vs {scanner}: {} of its {} lines found; backlint finds {} lines in all",
            lines.len() - missed.len(),
            lines.len(),
            found.len()
        );
        assert!(
            missed.is_empty(),
            "{scanner} finds lines backlint misses: {}",
            missed.join(", ")
        );
    }
}
