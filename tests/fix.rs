//! `--fix`, `--unsafe-fixes` and `--diff`: each fix against its expected output
//! (`fixtures/fixes/<file>.fixed`), idempotence, a fixed file that parses cleanly, CRLF line
//! endings kept, a file with syntax errors left alone, and a diff that writes nothing.

use std::fs;
use std::path::{Path, PathBuf};

use backlint_engine::parse::parse;
use backlint_engine::Grammar;

mod common;

use common::backlint;

/// The fixture files, each with the fix level that its fixes need.
const FIXTURES: &[(&str, &[&str])] = &[
    ("bare_except.py", &[]),
    ("missing_request_timeout.py", &[]),
    ("no_explicit_any.ts", &["--unsafe-fixes"]),
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fixes")
        .join(name)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Runs `backlint check --isolated` with `arguments` on `file` in `directory`; returns the exit
/// code and standard error.
fn check(directory: &Path, file: &str, arguments: &[&str]) -> (i32, String) {
    let mut all = vec!["check", "--isolated", "--concise"];
    all.extend_from_slice(arguments);
    all.push(file);
    let output = backlint(directory, &all);
    (
        output.status.code().expect("an exit code"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn fixes_give_the_expected_files_once_and_for_all() {
    for (name, level) in FIXTURES {
        let directory = tempfile::tempdir().expect("a temporary folder");
        let path = directory.path().join(name);
        fs::copy(fixture(name), &path).expect("the fixture copies");
        let mut arguments = vec!["--fix"];
        arguments.extend_from_slice(level);

        let (_, stderr) = check(directory.path(), name, &arguments);
        let fixed = read(&path);
        assert_eq!(fixed, read(&fixture(&format!("{name}.fixed"))), "{name}");
        assert!(stderr.contains("backlint: applied"), "{name}: {stderr}");

        let grammar = Grammar::from_path(&path).expect("a checked extension");
        let tree = parse(grammar, &fixed).expect("the fixed file parses");
        assert!(
            !tree.root_node().has_error(),
            "{name}: syntax errors after the fixes"
        );

        let (_, stderr) = check(directory.path(), name, &arguments);
        assert_eq!(read(&path), fixed, "{name}: a second run changed the file");
        assert!(!stderr.contains("applied"), "{name}: {stderr}");
    }
}

#[test]
fn fixes_keep_crlf_line_endings() {
    for (name, level) in FIXTURES {
        let directory = tempfile::tempdir().expect("a temporary folder");
        let path = directory.path().join(name);
        fs::write(&path, read(&fixture(name)).replace('\n', "\r\n")).expect("writes");
        let mut arguments = vec!["--fix"];
        arguments.extend_from_slice(level);
        check(directory.path(), name, &arguments);
        let expected = read(&fixture(&format!("{name}.fixed"))).replace('\n', "\r\n");
        assert_eq!(read(&path), expected, "{name}");
    }
}

#[test]
fn safe_fixes_leave_unsafe_ones_alone() {
    let directory = tempfile::tempdir().expect("a temporary folder");
    let name = "no_explicit_any.ts";
    let path = directory.path().join(name);
    fs::copy(fixture(name), &path).expect("the fixture copies");
    let (code, stderr) = check(directory.path(), name, &["--fix"]);
    assert_eq!(read(&path), read(&fixture(name)));
    assert_eq!(code, 1, "the findings remain: {stderr}");
    assert!(!stderr.contains("applied"), "{stderr}");
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let directory = tempfile::tempdir().expect("a temporary folder");
    let name = "bare_except.py";
    let path = directory.path().join(name);
    fs::copy(fixture(name), &path).expect("the fixture copies");

    let output = backlint(directory.path(), &["check", "--isolated", "--diff", name]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(read(&path), read(&fixture(name)), "--diff wrote the file");
    let diff = String::from_utf8_lossy(&output.stdout);
    assert!(
        diff.starts_with("--- a/bare_except.py\n+++ b/bare_except.py\n"),
        "{diff}"
    );
    assert!(
        diff.contains("\n-    except:\n+    except Exception:\n"),
        "{diff}"
    );
    assert!(
        diff.contains("\n-    except: pass\n+    except Exception: pass\n"),
        "{diff}"
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "backlint: would apply 2 fixes in 1 file"
    );

    fs::copy(fixture("bare_except.py.fixed"), &path).expect("the fixed file copies");
    let output = backlint(directory.path(), &["check", "--isolated", "--diff", name]);
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
}

#[test]
fn unsafe_fixes_need_fix_or_diff() {
    let directory = tempfile::tempdir().expect("a temporary folder");
    fs::copy(
        fixture("no_explicit_any.ts"),
        directory.path().join("no_explicit_any.ts"),
    )
    .expect("the fixture copies");
    let (code, stderr) = check(directory.path(), "no_explicit_any.ts", &["--unsafe-fixes"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`--unsafe-fixes` goes with `--fix` or `--diff`"),
        "{stderr}"
    );
}

#[test]
fn files_with_syntax_errors_are_not_fixed() {
    let directory = tempfile::tempdir().expect("a temporary folder");
    let broken = "def charge(:\n    try:\n        work()\n    except:\n        pass\n";
    let path = directory.path().join("broken.py");
    fs::write(&path, broken).expect("writes");
    let (code, stderr) = check(directory.path(), "broken.py", &["--fix"]);
    assert_eq!(read(&path), broken);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("applied"), "{stderr}");
}
