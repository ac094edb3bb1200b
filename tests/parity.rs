//! Parity with trusted tools on real code: `bare-except` must find exactly the lines of Ruff's
//! E722, `missing-request-timeout` (its requests and httpx findings) those of Ruff's S113,
//! `missing-type-hints` the functions of Ruff's ANN001/ANN201/ANN205/ANN206, and
//! `no-explicit-any` exactly the lines of oxlint's `typescript/no-explicit-any`.
//!
//! The corpora (`benches/corpora.sh`) and the peers (`benches/peers.sh`) are downloaded by
//! `.ci/run`; these tests are ignored by a plain `cargo test` and run with `--include-ignored`.
//! A difference is printed with the file, the line and who found it. Files that
//! tree-sitter cannot parse cleanly are counted apart: their differences are reported, and the
//! test requires none in cleanly parsed files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

type Line = (String, u64);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus(language: &str) -> PathBuf {
    let path = root().join("target/corpora").join(language);
    assert!(
        path.is_dir(),
        "{} is missing: run benches/corpora.sh (as .ci/run does)",
        path.display()
    );
    path
}

fn tool(relative: &str) -> PathBuf {
    let path = root().join("target/tools").join(relative);
    assert!(
        path.exists(),
        "{} is missing: run benches/peers.sh (as .ci/run does)",
        path.display()
    );
    path
}

/// The files of a corpus with one of `extensions`, relative to the corpus, sorted.
fn files(corpus: &Path, extensions: &[&str], skip_suffixes: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut folders = vec![corpus.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read corpus folder") {
            let path = entry.expect("read corpus entry").path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let name = path.to_string_lossy();
            let wanted = extensions.iter().any(|extension| name.ends_with(extension))
                && !skip_suffixes.iter().any(|suffix| name.ends_with(suffix));
            if wanted {
                found.push(
                    path.strip_prefix(corpus)
                        .expect("below corpus")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    found.sort();
    found
}

fn run_json(program: &Path, arguments: &[&str], files: &[String], directory: &Path) -> Value {
    let output = Command::new(program)
        .args(arguments)
        .args(files)
        .current_dir(directory)
        .env("BACKLINT_NO_CACHE", "1")
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", program.display()));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{} printed no JSON ({error}); stderr:\n{}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

struct Backlint {
    lines: BTreeMap<Line, usize>,
    unclean_files: BTreeSet<String>,
}

fn backlint(rule: &str, files: &[String], directory: &Path) -> Backlint {
    backlint_where(rule, files, directory, |_| true)
}

/// The lines of the findings of `rule` whose message `keep` accepts.
fn backlint_where(
    rule: &str,
    files: &[String],
    directory: &Path,
    keep: impl Fn(&str) -> bool,
) -> Backlint {
    let document = run_json(
        Path::new(env!("CARGO_BIN_EXE_backlint")),
        &["check", "--select", rule, "--format", "json", "--"],
        files,
        directory,
    );
    let mut lines = BTreeMap::new();
    for finding in document["findings"].as_array().expect("findings") {
        if !keep(finding["message"].as_str().expect("message")) {
            continue;
        }
        let key = (
            finding["path"].as_str().expect("path").to_owned(),
            finding["line"].as_u64().expect("line"),
        );
        *lines.entry(key).or_insert(0) += 1;
    }
    let unclean_files = document["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter(|notification| notification["kind"] == "parse-error")
        .map(|notification| notification["path"].as_str().expect("path").to_owned())
        .collect();
    Backlint {
        lines,
        unclean_files,
    }
}

/// Compares the two multisets of lines and panics, listing them, on any difference in a
/// cleanly parsed file.
fn compare(
    title: &str,
    peer: &str,
    expected: &BTreeMap<Line, usize>,
    found: &Backlint,
    file_count: usize,
) {
    let mut clean_differences = Vec::new();
    let mut unclean_differences = Vec::new();
    let keys: BTreeSet<&Line> = expected.keys().chain(found.lines.keys()).collect();
    let mut matched = 0;
    for key in keys {
        let by_peer = expected.get(key).copied().unwrap_or(0);
        let by_backlint = found.lines.get(key).copied().unwrap_or(0);
        matched += by_peer.min(by_backlint);
        if by_peer == by_backlint {
            continue;
        }
        let who = if by_peer > by_backlint {
            format!("only {peer}")
        } else {
            "only backlint".to_owned()
        };
        let line = format!(
            "  {}:{}: {who} ({peer} {by_peer}, backlint {by_backlint})",
            key.0, key.1
        );
        if found.unclean_files.contains(&key.0) {
            unclean_differences.push(line);
        } else {
            clean_differences.push(line);
        }
    }
    println!(
        "{title}: {matched} findings matched {peer} in {file_count} files; {} differences in the {} files with parse errors, {} in cleanly parsed files",
        unclean_differences.len(),
        found.unclean_files.len(),
        clean_differences.len()
    );
    for line in &unclean_differences {
        println!("{line} [file has parse errors]");
    }
    assert!(
        matched > 0,
        "{title}: nothing matched; the corpus or the peer is broken"
    );
    assert!(
        clean_differences.is_empty(),
        "{title}: differences in cleanly parsed files:\n{}",
        clean_differences.join("\n")
    );
}

/// The lines where Ruff reports `code` in `files` of `corpus`.
fn ruff_lines(code: &str, files: &[String], corpus: &Path) -> BTreeMap<Line, usize> {
    let ruff = tool("venv/bin/ruff");
    let document = run_json(
        &ruff,
        &[
            "check",
            "--isolated",
            "--no-cache",
            "--exit-zero",
            "--select",
            code,
            "--output-format",
            "json",
            "--",
        ],
        files,
        corpus,
    );
    let mut expected = BTreeMap::new();
    for diagnostic in document.as_array().expect("ruff prints an array") {
        if diagnostic["code"] != code {
            continue;
        }
        let path = Path::new(diagnostic["filename"].as_str().expect("filename"));
        let relative = path
            .strip_prefix(corpus)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let line = diagnostic["location"]["row"].as_u64().expect("row");
        *expected.entry((relative, line)).or_insert(0) += 1;
    }
    expected
}

#[test]
#[ignore = "needs the corpora and the peer tools: run by .ci/run"]
fn bare_except_matches_ruff_e722() {
    let corpus = corpus("python");
    let files = files(&corpus, &[".py", ".pyi"], &[]);
    let expected = ruff_lines("E722", &files, &corpus);
    let found = backlint("bare-except", &files, &corpus);
    compare(
        "bare-except vs Ruff E722",
        "ruff",
        &expected,
        &found,
        files.len(),
    );
}

/// requests and httpx, the calls Ruff's S113 reads; `urlopen` and aiohttp have no Ruff
/// counterpart.
#[test]
#[ignore = "needs the corpora and the peer tools: run by .ci/run"]
fn missing_request_timeout_matches_ruff_s113() {
    let corpus = corpus("python");
    let files = files(&corpus, &[".py", ".pyi"], &[]);
    let expected = ruff_lines("S113", &files, &corpus);
    let found = backlint_where("missing-request-timeout", &files, &corpus, |message| {
        message.starts_with("`requests") || message.contains("`httpx")
    });
    compare(
        "missing-request-timeout vs Ruff S113",
        "ruff",
        &expected,
        &found,
        files.len(),
    );
}

/// The functions Ruff reports with ANN001 (a parameter), ANN201 (a public function's return),
/// ANN205 and ANN206 (a static or class method's return), named without a leading `_`, outside
/// the files the rule leaves alone: one line per function, its `def`.
#[test]
#[ignore = "needs the corpora and the peer tools: run by .ci/run"]
fn missing_type_hints_matches_ruff_annotations() {
    let corpus = corpus("python");
    let files = files(&corpus, &[".py", ".pyi"], &[]);
    let ignored = ignore_paths("missing-type-hints");
    let mut expected = BTreeMap::new();
    let mut sources: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for code in ["ANN001", "ANN201", "ANN205", "ANN206"] {
        for ((path, line), _) in ruff_lines(code, &files, &corpus) {
            if ignored.is_match(&path) {
                continue;
            }
            let lines = sources.entry(path.clone()).or_insert_with(|| {
                std::fs::read_to_string(corpus.join(&path))
                    .expect("a corpus file")
                    .lines()
                    .map(str::to_owned)
                    .collect()
            });
            let Some((def_line, name)) = enclosing_def(lines, line) else {
                continue;
            };
            if !name.starts_with('_') {
                expected.insert((path, def_line), 1);
            }
        }
    }
    let found = backlint("missing-type-hints", &files, &corpus);
    compare(
        "missing-type-hints vs Ruff ANN001/ANN201/ANN205/ANN206",
        "ruff",
        &expected,
        &found,
        files.len(),
    );
}

/// The line (1-based) and the name of the `def` at or above `line`: a parameter's signature
/// starts there.
fn enclosing_def(lines: &[String], line: u64) -> Option<(u64, String)> {
    let last = usize::try_from(line).ok()?.min(lines.len());
    (0..last).rev().find_map(|index| {
        let text = lines[index].trim_start();
        let text = text.strip_prefix("async ").unwrap_or(text);
        let name = text.strip_prefix("def ")?.split('(').next()?.trim();
        Some((index as u64 + 1, name.to_owned()))
    })
}

/// The documented default `ignore-paths` of a rule.
fn ignore_paths(rule: &str) -> globset::GlobSet {
    let (_, docs) = backlint_rules::registry()
        .iter()
        .find(|(_, docs)| docs.id == rule)
        .expect("the rule is registered");
    let option = docs
        .options
        .iter()
        .find(|option| option.name == "ignore-paths")
        .expect("an ignore-paths option");
    let mut builder = globset::GlobSetBuilder::new();
    for glob in option.default.as_array().expect("a list of globs") {
        // As the rules compile them: `*` stays within one name.
        let glob = globset::GlobBuilder::new(glob.as_str().expect("a glob"))
            .literal_separator(true)
            .build()
            .expect("a valid glob");
        builder.add(glob);
    }
    builder.build().expect("the globs build")
}

#[test]
#[ignore = "needs the corpora and the peer tools: run by .ci/run"]
fn no_explicit_any_matches_oxlint() {
    let corpus = corpus("typescript");
    let files = files(
        &corpus,
        &[".ts", ".tsx", ".mts", ".cts"],
        &[".d.ts", ".d.mts", ".d.cts"],
    );
    let oxlint = tool("node/node_modules/.bin/oxlint");
    let document = run_json(
        &oxlint,
        &[
            "--disable-nested-config",
            "-A",
            "all",
            "-D",
            "typescript/no-explicit-any",
            "--format",
            "json",
            "--",
        ],
        &files,
        &corpus,
    );
    let mut expected = BTreeMap::new();
    for diagnostic in document["diagnostics"]
        .as_array()
        .expect("oxlint prints diagnostics")
    {
        if diagnostic["code"] != "typescript-eslint(no-explicit-any)"
            && diagnostic["code"] != "typescript(no-explicit-any)"
        {
            continue;
        }
        let path = diagnostic["filename"]
            .as_str()
            .expect("filename")
            .to_owned();
        let line = diagnostic["labels"][0]["span"]["line"]
            .as_u64()
            .expect("line");
        *expected.entry((path, line)).or_insert(0) += 1;
    }
    let found = backlint("no-explicit-any", &files, &corpus);
    compare(
        "no-explicit-any vs oxlint",
        "oxlint",
        &expected,
        &found,
        files.len(),
    );
}
