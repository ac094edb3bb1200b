//! The commands about rules and the input options: `rules`, `explain`, `init`, and
//! `check --stdin-filename`.

use std::fs;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;

use common::backlint;

fn rule_ids() -> Vec<&'static str> {
    backlint_rules::registry().ids().collect()
}

#[test]
fn rules_lists_every_rule_as_a_table_and_as_json() {
    let root = tempfile::tempdir().expect("temp dir");
    let table = backlint(root.path(), &["rules"]);
    assert_eq!(table.status.code(), Some(0));
    let table = String::from_utf8(table.stdout).expect("UTF-8");
    let mut lines = table.lines();
    assert!(lines
        .next()
        .is_some_and(|header| header.starts_with("RULE ")));
    let listed: Vec<&str> = lines
        .map(|line| line.split_whitespace().next().expect("an id"))
        .collect();
    assert_eq!(listed, rule_ids());
    let sql_injection: Vec<&str> = table
        .lines()
        .find(|line| line.starts_with("sql-injection "))
        .expect("a sql-injection row")
        .split_whitespace()
        .take(4)
        .collect();
    assert_eq!(
        sql_injection,
        ["sql-injection", "ts,js,py", "error", "security,CWE-89"]
    );

    let json = backlint(root.path(), &["rules", "--format", "json"]);
    let rules: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let rules = rules.as_array().expect("an array");
    assert_eq!(rules.len(), rule_ids().len());
    let bare_except = &rules[0];
    assert_eq!(bare_except["id"], "bare-except");
    assert_eq!(bare_except["languages"], serde_json::json!(["python"]));
    assert_eq!(bare_except["level"], "warning");
    assert_eq!(bare_except["enabled_by_default"], true);
    assert_eq!(
        bare_except["tags"],
        serde_json::json!(["correctness", "CWE-396"])
    );
    assert_eq!(bare_except["fix"], "safe");
}

#[test]
fn explain_prints_a_rules_documentation() {
    let root = tempfile::tempdir().expect("temp dir");
    let output = backlint(root.path(), &["explain", "hardcoded-secret"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(text.starts_with("# hardcoded-secret\n\nLanguages: typescript, javascript, python. Level: error. Tags: security, CWE-798."), "{text}");
    for part in [
        "## Reported",
        "## Not reported",
        "## Options",
        "| `entropy` |",
        "## Other tools' suppressions that count",
        "- Ruff / flake8 `noqa`: `S105`, `S106`, `S107`",
    ] {
        assert!(text.contains(part), "missing {part:?} in:\n{text}");
    }

    let unknown = backlint(root.path(), &["explain", "hardcoded-secrets"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr)
        .contains("unknown rule `hardcoded-secrets` (did you mean `hardcoded-secret`?)"));
}

#[test]
fn init_writes_a_configuration_that_loads_and_never_overwrites() {
    let root = tempfile::tempdir().expect("temp dir");
    assert_eq!(backlint(root.path(), &["init"]).status.code(), Some(0));
    let written = fs::read_to_string(root.path().join("backlint.toml")).expect("written");
    for (_, docs) in backlint_rules::registry().iter() {
        let id = &docs.id;
        // A rule that is off by default is written commented out, to switch on.
        let line = if docs.enabled_by_default {
            format!("\n{id} = ")
        } else {
            format!("\n# {id} = ")
        };
        assert!(written.contains(&line), "{id} is missing");
    }
    // The file is a valid configuration that changes nothing: every rule at its default.
    let settings = |arguments: &[&str]| {
        let mut all = vec!["check", "--show-settings", "a.py"];
        all.extend_from_slice(arguments);
        let output = backlint(root.path(), &all);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        String::from_utf8(output.stdout)
            .expect("UTF-8")
            .lines()
            .skip_while(|line| line.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(settings(&[]), settings(&["--isolated"]));

    fs::write(root.path().join("backlint.toml"), "# mine\n").expect("write");
    let again = backlint(root.path(), &["init"]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(root.path().join("backlint.toml")).expect("read"),
        "# mine\n"
    );
}

#[test]
fn stdin_is_checked_as_the_named_file() {
    let root = tempfile::tempdir().expect("temp dir");
    fs::write(
        root.path().join("backlint.toml"),
        "[[overrides]]\nfiles = [\"scripts/**\"]\nrules = { no-explicit-any = \"off\" }\n",
    )
    .expect("write");
    let check = |path: &str| -> Value {
        let mut child = Command::new(env!("CARGO_BIN_EXE_backlint"))
            .args(["check", "--format", "json", "--stdin-filename", path])
            .current_dir(root.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run backlint");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"export const value: any = 1;\n")
            .expect("write stdin");
        let output = child.wait_with_output().expect("wait");
        serde_json::from_slice(&output.stdout).expect("JSON")
    };
    let api = check("src/api.ts");
    assert_eq!(api["findings"][0]["path"], "src/api.ts");
    assert_eq!(api["findings"][0]["rule"], "no-explicit-any");
    assert_eq!(check("scripts/seed.ts")["findings"], serde_json::json!([]));
}
