//! The `backlint` binary end to end: exit codes, output formats, and bad input. Every bad
//! input gets a test, and none of them may lose the findings of the other files.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;

use common::backlint;

const BARE_EXCEPT: &str = "try:\n    work()\nexcept:\n    recover()\n";

fn json(directory: &Path, arguments: &[&str]) -> (Value, i32) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(arguments);
    let output = backlint(directory, &all);
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (
        document,
        output
            .status
            .code()
            .expect("exited, not killed by a signal"),
    )
}

/// (path, line, column, rule) of every finding.
fn findings(document: &Value) -> Vec<(String, u64, u64, String)> {
    document["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().expect("path").to_owned(),
                finding["line"].as_u64().expect("line"),
                finding["column"].as_u64().expect("column"),
                finding["rule"].as_str().expect("rule").to_owned(),
            )
        })
        .collect()
}

/// (path, kind) of every notification.
fn notifications(document: &Value) -> Vec<(String, String)> {
    document["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|notification| {
            (
                notification["path"].as_str().expect("path").to_owned(),
                notification["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect()
}

fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let directory = tempfile::tempdir().expect("temporary directory");
    for (path, contents) in files {
        let path = directory.path().join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("create folders");
        fs::write(path, contents).expect("write file");
    }
    directory
}

fn good_file_finding() -> (String, u64, u64, String) {
    ("good.py".to_owned(), 3, 1, "bare-except".to_owned())
}

#[test]
fn exit_codes_follow_fail_on() {
    let directory = project(&[("a.py", BARE_EXCEPT.as_bytes()), ("clean.py", b"x = 1\n")]);
    let dir = directory.path();
    assert_eq!(backlint(dir, &["check", "clean.py"]).status.code(), Some(0));
    assert_eq!(backlint(dir, &["check"]).status.code(), Some(1));
    assert_eq!(
        backlint(dir, &["check", "--fail-on", "warning"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        backlint(dir, &["check", "--fail-on", "note"]).status.code(),
        Some(1)
    );
    assert_eq!(
        backlint(dir, &["check", "--fail-on", "error"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        backlint(dir, &["check", "--fail-on", "fatal"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        backlint(dir, &["check", "--ignore", "bare-except"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn a_nonexistent_path_is_a_usage_error() {
    let directory = project(&[("a.py", BARE_EXCEPT.as_bytes())]);
    let output = backlint(
        directory.path(),
        &["check", "--format", "json", "a.py", "missing/file.py"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "nothing half-written on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("missing/file.py: no such file or directory"),
        "{stderr}"
    );
}

#[test]
fn unknown_rules_are_errors_with_a_suggestion() {
    let directory = project(&[("a.py", BARE_EXCEPT.as_bytes())]);
    let output = backlint(directory.path(), &["check", "--select", "bare-excpt"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown rule `bare-excpt` (did you mean `bare-except`?)"),
        "{stderr}"
    );
}

#[test]
fn human_output_has_a_header_a_code_frame_and_a_summary() {
    let directory = project(&[("app/views.py", BARE_EXCEPT.as_bytes())]);
    let output = backlint(directory.path(), &["check"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("app/views.py:3:1: warning[bare-except] Bare `except:`"),
        "{stdout}"
    );
    assert!(stdout.contains("3 | except:\n  | ^^^^^^"), "{stdout}");
    assert!(
        stdout.contains("help: Catch `Exception` (safe fix)"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour when not on a terminal"
    );
    let summary = stdout.lines().last().expect("summary line");
    assert!(
        summary.starts_with("1 finding (0 errors, 1 warning, 0 notes) in 1 file, "),
        "{summary}"
    );
}

#[test]
fn concise_output_is_one_line_per_finding() {
    let directory = project(&[("a.py", BARE_EXCEPT.as_bytes()), ("b.ts", b"let x: any;\n")]);
    for arguments in [
        &["check", "--concise"][..],
        &["check", "--format", "concise"],
    ] {
        let output = backlint(directory.path(), arguments);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{stdout}");
        assert!(
            lines[0].starts_with("a.py:3:1: warning[bare-except] "),
            "{stdout}"
        );
        assert!(
            lines[1].starts_with("b.ts:1:8: warning[no-explicit-any] "),
            "{stdout}"
        );
    }
}

#[test]
fn json_output_is_sorted_and_complete() {
    let directory = project(&[
        ("z.py", BARE_EXCEPT.as_bytes()),
        ("a/b.ts", b"let x: any;\nlet y: any = 1 as any;\n"),
        ("a.py", BARE_EXCEPT.as_bytes()),
    ]);
    let (document, code) = json(directory.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(document["version"], 1);
    assert_eq!(
        findings(&document),
        vec![
            ("a.py".to_owned(), 3, 1, "bare-except".to_owned()),
            ("a/b.ts".to_owned(), 1, 8, "no-explicit-any".to_owned()),
            ("a/b.ts".to_owned(), 2, 8, "no-explicit-any".to_owned()),
            ("a/b.ts".to_owned(), 2, 19, "no-explicit-any".to_owned()),
            ("z.py".to_owned(), 3, 1, "bare-except".to_owned()),
        ]
    );
    let first = &document["findings"][0];
    assert_eq!(first["level"], "warning");
    assert_eq!(first["end_line"], 3);
    assert_eq!(first["end_column"], 7);
    assert_eq!(first["fingerprint"].as_str().map(str::len), Some(32));
    assert_eq!(first["related"], serde_json::json!([]));
    assert_eq!(first["fix"]["applicability"], "safe");
    assert_eq!(first["fix"]["edits"][0]["content"], " Exception");
    assert_eq!(document["summary"]["findings"], 5);
    assert_eq!(document["summary"]["warnings"], 5);
    assert_eq!(document["summary"]["files"], 3);
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let files: Vec<(String, Vec<u8>)> = (0..40)
        .map(|index| {
            (
                format!("pkg{}/m{index}.py", index % 7),
                BARE_EXCEPT.as_bytes().to_vec(),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, contents)| (path.as_str(), contents.as_slice()))
        .collect();
    let directory = project(&borrowed);
    let one = backlint(
        directory.path(),
        &["check", "--format", "json", "--threads", "1"],
    );
    let two = backlint(
        directory.path(),
        &["check", "--format", "json", "--threads", "2"],
    );
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn output_file_is_written_whole() {
    let directory = project(&[("a.py", BARE_EXCEPT.as_bytes())]);
    let output = backlint(
        directory.path(),
        &["check", "--format", "json", "--output", "report.json"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let report: Value = serde_json::from_slice(
        &fs::read(directory.path().join("report.json")).expect("report written"),
    )
    .expect("report is JSON");
    assert_eq!(report["summary"]["findings"], 1);
    let leftovers: Vec<_> = fs::read_dir(directory.path())
        .expect("list")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary file left behind: {leftovers:?}"
    );
}

#[test]
fn discovery_skips_ignored_hidden_and_vendored_folders() {
    let directory = project(&[
        ("src/a.py", BARE_EXCEPT.as_bytes()),
        ("node_modules/pkg/index.ts", b"let x: any;\n"),
        ("dist/bundle.js", b"x\n"),
        ("build/lib/a.py", BARE_EXCEPT.as_bytes()),
        (".venv/lib/site.py", BARE_EXCEPT.as_bytes()),
        ("__pycache__/a.py", BARE_EXCEPT.as_bytes()),
        (".hidden/a.py", BARE_EXCEPT.as_bytes()),
        ("generated/a.py", BARE_EXCEPT.as_bytes()),
        (".gitignore", b"generated/\n"),
        ("notes.md", b"except:\n"),
    ]);
    let (document, _) = json(directory.path(), &[]);
    let paths: Vec<String> = findings(&document)
        .into_iter()
        .map(|finding| finding.0)
        .collect();
    assert_eq!(paths, vec!["src/a.py".to_owned()]);
}

#[test]
fn explicit_files_are_checked_unless_force_excluded() {
    let directory = project(&[
        ("node_modules/pkg/a.py", BARE_EXCEPT.as_bytes()),
        ("generated/a.py", BARE_EXCEPT.as_bytes()),
        (".gitignore", b"generated/\n"),
    ]);
    let (document, _) = json(
        directory.path(),
        &["node_modules/pkg/a.py", "generated/a.py"],
    );
    assert_eq!(findings(&document).len(), 2);
    let (document, code) = json(
        directory.path(),
        &["--force-exclude", "node_modules/pkg/a.py"],
    );
    assert_eq!(findings(&document).len(), 0);
    assert_eq!(code, 0);
}

#[test]
fn invalid_utf8_is_decoded_lossily_and_reported() {
    let mut latin1 = b"# caf\xe9\n".to_vec();
    latin1.extend_from_slice(BARE_EXCEPT.as_bytes());
    let directory = project(&[("latin1.py", &latin1), ("good.py", BARE_EXCEPT.as_bytes())]);
    let (document, _) = json(directory.path(), &[]);
    assert_eq!(
        findings(&document),
        vec![
            good_file_finding(),
            ("latin1.py".to_owned(), 4, 1, "bare-except".to_owned())
        ]
    );
    assert_eq!(
        notifications(&document),
        vec![("latin1.py".to_owned(), "invalid-utf8".to_owned())]
    );
}

#[test]
fn files_with_nul_bytes_are_skipped_as_binary() {
    let mut binary = BARE_EXCEPT.as_bytes().to_vec();
    binary.extend_from_slice(b"\x00\x01\x02");
    let directory = project(&[("data.py", &binary), ("good.py", BARE_EXCEPT.as_bytes())]);
    let (document, _) = json(directory.path(), &[]);
    assert_eq!(findings(&document), vec![good_file_finding()]);
    assert_eq!(
        notifications(&document),
        vec![("data.py".to_owned(), "binary-file".to_owned())]
    );
    assert_eq!(document["summary"]["files"], 1);
}

#[test]
fn files_over_ten_mebibytes_are_skipped() {
    let mut large = BARE_EXCEPT
        .repeat(1 + 10 * 1024 * 1024 / BARE_EXCEPT.len())
        .into_bytes();
    large.truncate(10 * 1024 * 1024 + 1);
    let directory = project(&[("huge.py", &large), ("good.py", BARE_EXCEPT.as_bytes())]);
    let (document, _) = json(directory.path(), &[]);
    assert_eq!(findings(&document), vec![good_file_finding()]);
    assert_eq!(
        notifications(&document),
        vec![("huge.py".to_owned(), "file-too-large".to_owned())]
    );
}

#[test]
fn syntax_errors_are_analysed_anyway() {
    let broken = format!("def broken(:\n    pass\n{BARE_EXCEPT}");
    let directory = project(&[
        ("broken.py", broken.as_bytes()),
        ("good.py", BARE_EXCEPT.as_bytes()),
    ]);
    let (document, _) = json(directory.path(), &[]);
    assert_eq!(
        findings(&document),
        vec![
            // The broken signature still names a function without type hints.
            (
                "broken.py".to_owned(),
                1,
                5,
                "missing-type-hints".to_owned()
            ),
            ("broken.py".to_owned(), 5, 1, "bare-except".to_owned()),
            good_file_finding()
        ]
    );
    assert_eq!(
        notifications(&document),
        vec![("broken.py".to_owned(), "parse-error".to_owned())]
    );
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_reported_and_skipped() {
    let directory = project(&[("good.py", BARE_EXCEPT.as_bytes())]);
    // Root reads a file whatever its mode, so the failing read comes from a file that cannot
    // be read by anyone: /proc/self/mem fails at offset 0.
    std::os::unix::fs::symlink("/proc/self/mem", directory.path().join("locked.py"))
        .expect("symlink");
    let (document, code) = json(directory.path(), &["locked.py", "good.py"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&document), vec![good_file_finding()]);
    assert_eq!(
        notifications(&document),
        vec![("locked.py".to_owned(), "io-error".to_owned())]
    );
}

#[cfg(unix)]
#[test]
fn broken_symlinks_and_loops_are_reported_and_skipped() {
    let directory = project(&[("good.py", BARE_EXCEPT.as_bytes())]);
    let dir = directory.path();
    std::os::unix::fs::symlink(dir.join("missing.py"), dir.join("broken.py")).expect("symlink");
    std::os::unix::fs::symlink(dir.join("loop_b.py"), dir.join("loop_a.py")).expect("symlink");
    std::os::unix::fs::symlink(dir.join("loop_a.py"), dir.join("loop_b.py")).expect("symlink");

    let (walked, _) = json(dir, &[]);
    let (named, _) = json(dir, &["broken.py", "loop_a.py", "good.py"]);
    for document in [walked, named] {
        assert_eq!(findings(&document), vec![good_file_finding()]);
        let kinds = notifications(&document);
        assert!(
            kinds.contains(&("broken.py".to_owned(), "io-error".to_owned())),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&("loop_a.py".to_owned(), "io-error".to_owned())),
            "{kinds:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn fifos_are_reported_and_never_opened() {
    let directory = project(&[("good.py", BARE_EXCEPT.as_bytes())]);
    let fifo = directory.path().join("pipe.py");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    // Opening the FIFO would wait for a writer: both runs would hang.
    let (walked, _) = json(directory.path(), &[]);
    let (named, _) = json(directory.path(), &["pipe.py", "good.py"]);
    for document in [walked, named] {
        assert_eq!(findings(&document), vec![good_file_finding()]);
        assert_eq!(
            notifications(&document),
            vec![("pipe.py".to_owned(), "io-error".to_owned())]
        );
    }
}

#[test]
fn deeply_nested_expressions_do_not_overflow_the_stack() {
    let depth = 20_000;
    let python = format!(
        "x = {}1{}\n{BARE_EXCEPT}",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let typescript = format!(
        "const x: any = {}1{};\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let directory = project(&[
        ("deep.py", python.as_bytes()),
        ("deep.ts", typescript.as_bytes()),
    ]);
    let (document, code) = json(directory.path(), &[]);
    assert_eq!(code, 1);
    let rules: Vec<String> = findings(&document)
        .into_iter()
        .map(|finding| finding.3)
        .collect();
    assert_eq!(
        rules,
        vec!["bare-except".to_owned(), "no-explicit-any".to_owned()]
    );
}

#[test]
fn empty_files_have_no_findings() {
    let directory = project(&[
        ("empty.py", b""),
        ("empty.ts", b""),
        ("good.py", BARE_EXCEPT.as_bytes()),
    ]);
    let (document, _) = json(directory.path(), &[]);
    assert_eq!(findings(&document), vec![good_file_finding()]);
    assert_eq!(notifications(&document), vec![]);
    assert_eq!(document["summary"]["files"], 3);
}

#[test]
fn crlf_and_byte_order_marks_keep_positions_right() {
    let crlf = BARE_EXCEPT.replace('\n', "\r\n");
    let bom = "\u{feff}let a: any;\r\nlet b: string | any;\r\n";
    let directory = project(&[("crlf.py", crlf.as_bytes()), ("bom.ts", bom.as_bytes())]);
    let (document, _) = json(directory.path(), &[]);
    assert_eq!(
        findings(&document),
        vec![
            ("bom.ts".to_owned(), 1, 8, "no-explicit-any".to_owned()),
            ("bom.ts".to_owned(), 2, 17, "no-explicit-any".to_owned()),
            ("crlf.py".to_owned(), 3, 1, "bare-except".to_owned()),
        ]
    );
    assert_eq!(document["findings"][2]["end_column"], 7);
    let human = backlint(directory.path(), &["check", "crlf.py"]);
    assert!(
        !String::from_utf8_lossy(&human.stdout).contains('\r'),
        "code frames drop carriage returns"
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let directory = project(&[("u.ts", "const é = \"😀\" as any;\n".as_bytes())]);
    let (document, _) = json(directory.path(), &[]);
    assert_eq!(
        findings(&document),
        vec![("u.ts".to_owned(), 1, 18, "no-explicit-any".to_owned())]
    );
}

/// No output format may show a secret past its first four characters: not the message, not
/// the code frame, not the JSON.
#[test]
fn secrets_never_appear_in_any_output() {
    let secrets = [
        "sk_live_51JzR3nMp0Qa9SuW5xZc4OdE8",
        "p7Wn3kT8yHv5",
        "Xk8vR2mQ9tLw4Zb",
        "MIIEowIBAAKCAQEA7Xk8vR2mQ9tLw4ZbN7pYcXa3DqE5fG1hJ6kL0mN2oP4rS8tU",
    ];
    // Not the values of the rule's documented examples, which SARIF carries in its help.
    let typescript = format!(
        "const stripe = \"{}\";\nconst dbPassword = \"{}\";\nconst url = \"postgres://app:{}@db.internal/orders\";\nconst key = `-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----`;\n",
        secrets[0], secrets[1], secrets[2], secrets[3]
    );
    let python = format!(
        "STRIPE_KEY = \"{}\"\nPASSWORD = \"{}\"\n",
        secrets[0], secrets[1]
    );
    let directory = project(&[
        ("app/keys.ts", typescript.as_bytes()),
        ("app/keys.py", python.as_bytes()),
    ]);
    for format in ["human", "concise", "json", "sarif", "github", "junit"] {
        let output = backlint(
            directory.path(),
            &["check", "--select", "hardcoded-secret", "--format", format],
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{format}: {stdout}");
        assert!(
            stdout.contains("sk_l…"),
            "{format}: the first characters are shown:\n{stdout}"
        );
        for secret in secrets {
            let hidden_part = &secret[4..];
            assert!(
                !stdout.contains(hidden_part),
                "{format} shows a secret ({secret}):\n{stdout}"
            );
        }
    }
    let (document, _) = json(directory.path(), &["--select", "hardcoded-secret"]);
    assert_eq!(findings(&document).len(), 6);
}

#[test]
fn secrets_in_test_files_are_notes() {
    let directory = project(&[(
        "tests/test_billing.py",
        b"STRIPE_KEY = \"sk_live_51HxQ2kLm9Pz8RtV4wYb3NcD7\"\n",
    )]);
    let (document, code) = json(directory.path(), &["--select", "hardcoded-secret"]);
    assert_eq!(document["findings"][0]["level"], "note");
    assert_eq!(code, 0, "notes are below the default fail-on level");
}

#[test]
fn github_format_writes_workflow_commands() {
    let directory = project(&[
        ("app/a,b:c.py", BARE_EXCEPT.as_bytes()),
        ("clean.py", b"x = 1\n"),
    ]);
    let output = backlint(directory.path(), &["check", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "::warning file=app/a%2Cb%3Ac.py,line=3,col=1,endLine=3,endColumn=7,title=backlint(bare-except)::Bare `except:` also catches `KeyboardInterrupt` and `SystemExit`: catch the specific exceptions you expect, or `Exception`."
    );
    assert!(lines[1].starts_with("1 finding (0 errors, 1 warning, 0 notes) in 2 files"));
}

#[test]
fn junit_format_has_a_test_case_per_file_and_a_failure_per_finding() {
    let directory = project(&[
        ("a.py", format!("{BARE_EXCEPT}{BARE_EXCEPT}").as_bytes()),
        ("clean.py", b"x = 1\n"),
        ("binary.py", b"x = 1\0\n"),
    ]);
    let output = backlint(directory.path(), &["check", "--format", "junit"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"backlint\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"1\">"), "{stdout}");
    assert_eq!(stdout.matches("<testcase ").count(), 3, "{stdout}");
    assert_eq!(
        stdout
            .matches("<failure type=\"bare-except\" message=\"line ")
            .count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("<testcase name=\"clean.py\" classname=\"backlint\"/>"));
    assert!(stdout.contains("<skipped message="), "{stdout}");
}
