//! Suppression comments end to end (the forms themselves are covered by the rule fixtures):
//! switching other tools' comments off, the summary's counts by kind of comment, and SARIF's
//! `suppressions` with `--include-suppressed`.

use std::fs;

use serde_json::Value;

mod common;

use common::backlint;

const SOURCE: &str = "\
export const a: any = 1; // backlint-ignore[no-explicit-any]: the SDK is untyped
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const b: any = 2;
export const c: any = 3; // eslint-disable-line no-console
";

fn json(directory: &std::path::Path, arguments: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(arguments);
    let output = backlint(directory, &all);
    serde_json::from_slice(&output.stdout).expect("JSON")
}

fn lines(document: &Value) -> Vec<u64> {
    document["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| finding["line"].as_u64().expect("line"))
        .collect()
}

#[test]
fn the_summary_counts_suppressed_findings_by_kind_of_comment() {
    let root = tempfile::tempdir().expect("temp dir");
    fs::write(root.path().join("a.ts"), SOURCE).expect("write");
    let document = json(root.path(), &[]);
    assert_eq!(lines(&document), [4]);
    assert_eq!(
        document["summary"]["suppressed"],
        serde_json::json!({"backlint-ignore": 1, "eslint-disable": 1})
    );
    let human = backlint(root.path(), &["check", "--concise"]);
    let stdout = String::from_utf8(human.stdout).expect("UTF-8");
    assert!(
        stdout.contains("; 2 suppressed (1 backlint-ignore, 1 eslint-disable)"),
        "{stdout}"
    );
}

#[test]
fn other_tools_comments_can_be_switched_off() {
    let root = tempfile::tempdir().expect("temp dir");
    fs::write(root.path().join("a.ts"), SOURCE).expect("write");
    fs::write(
        root.path().join("backlint.toml"),
        "respect-foreign-suppressions = false\n",
    )
    .expect("write");
    let document = json(root.path(), &[]);
    assert_eq!(lines(&document), [3, 4]);
    assert_eq!(
        document["summary"]["suppressed"],
        serde_json::json!({"backlint-ignore": 1})
    );
}

#[test]
fn sarif_keeps_suppressed_results_only_when_asked() {
    let root = tempfile::tempdir().expect("temp dir");
    fs::write(root.path().join("a.ts"), SOURCE).expect("write");
    let sarif = |extra: &[&str]| -> Value {
        let mut arguments = vec!["check", "--format", "sarif"];
        arguments.extend_from_slice(extra);
        let output = backlint(root.path(), &arguments);
        serde_json::from_slice(&output.stdout).expect("SARIF is JSON")
    };
    let results = |log: &Value| -> Vec<(u64, Value)> {
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|result| {
                (
                    result["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .expect("line"),
                    result["suppressions"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(results(&sarif(&[])), [(4, Value::Null)]);
    assert_eq!(
        results(&sarif(&["--include-suppressed"])),
        [
            (
                1,
                serde_json::json!([{"kind": "inSource", "justification": "the SDK is untyped"}])
            ),
            (
                3,
                serde_json::json!([{"kind": "inSource", "justification": "eslint-disable"}])
            ),
            (4, Value::Null),
        ]
    );
}
