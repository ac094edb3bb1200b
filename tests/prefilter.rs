//! The pre-filter changes no finding: on the pinned corpora, each rule that declares the words
//! it requires (`Rule::required_words`) finds, run alone, exactly what it finds when every file
//! is parsed (`--no-prefilter`), while skipping files. Ignored by a plain `cargo test`, like the
//! other tests on the corpora; `.ci/run` runs it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The rules that declare words, by corpus.
const RULES: [(&str, &[&str]); 2] = [
    (
        "python",
        &[
            "bare-except",
            "broad-except",
            "debug-enabled",
            "missing-type-hints",
            "swallowed-error",
            "todo-comment",
        ],
    ),
    (
        "typescript",
        &[
            "module-level-env",
            "no-explicit-any",
            "swallowed-error",
            "todo-comment",
            "unawaited-route-params",
        ],
    ),
];

type Finding = (String, u64, u64, String, String);

fn corpus(language: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/corpora")
        .join(language);
    assert!(
        path.is_dir(),
        "{} is missing: run benches/corpora.sh (as .ci/run does)",
        path.display()
    );
    path
}

/// The findings of a run, and how many files it left unparsed (from `--stats`).
fn run(corpus: &Path, rules: &[&str], extra: &[&str]) -> (BTreeSet<Finding>, usize) {
    let selection = rules.join(",");
    let output = Command::new(env!("CARGO_BIN_EXE_backlint"))
        .args([
            "check",
            "--isolated",
            "--no-cache",
            "--stats",
            "--format",
            "json",
        ])
        .args(["--select", &selection])
        .args(extra)
        .arg(".")
        .current_dir(corpus)
        .output()
        .expect("run backlint");
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let findings = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().expect("path").to_owned(),
                finding["line"].as_u64().expect("line"),
                finding["column"].as_u64().expect("column"),
                finding["rule"].as_str().expect("rule").to_owned(),
                finding["message"].as_str().expect("message").to_owned(),
            )
        })
        .collect();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let skipped = stderr
        .lines()
        .find_map(|line| {
            let (_, counts) = line.split_once(" files: ")?;
            counts.split_whitespace().next()?.parse().ok()
        })
        .unwrap_or_else(|| panic!("no statistics on standard error: {stderr}"));
    (findings, skipped)
}

#[test]
#[ignore = "needs the corpora: run by .ci/run"]
fn skipping_files_without_the_required_words_changes_no_finding() {
    for (language, rules) in RULES {
        let corpus = corpus(language);
        let (everything, none_skipped) = run(&corpus, rules, &["--no-prefilter"]);
        assert_eq!(none_skipped, 0);
        for rule in rules {
            let expected: BTreeSet<Finding> = everything
                .iter()
                .filter(|finding| finding.3 == *rule)
                .cloned()
                .collect();
            let (found, skipped) = run(&corpus, &[rule], &[]);
            assert_eq!(
                found.symmetric_difference(&expected).collect::<Vec<_>>(),
                Vec::<&Finding>::new(),
                "{rule} on the {language} corpus"
            );
            assert!(
                skipped > 0,
                "{rule} skipped no file of the {language} corpus"
            );
            println!(
                "{language}: {rule}: {} findings, {skipped} files not parsed",
                found.len()
            );
        }
    }
}
