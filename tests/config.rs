//! Configuration files end to end: discovery, `--config` and `--isolated`, overrides by glob,
//! include and exclude, command-line flags winning, `--show-settings`, and every error message.

use std::fs;
use std::path::Path;

mod common;

use common::backlint;

const ANY: &str = "export const value: any = 1;\n";
const BARE_EXCEPT: &str = "try:\n    work()\nexcept:\n    recover()\n";

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
    fs::write(path, text).expect("write file");
}

/// `path:line rule level` of every finding of `backlint check --format json` in `directory`.
fn check(directory: &Path, arguments: &[&str]) -> (Vec<String>, i32) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(arguments);
    let output = backlint(directory, &all);
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
            panic!(
                "not JSON ({error}): {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let findings = document["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            format!(
                "{}:{} {} {}",
                finding["path"].as_str().expect("path"),
                finding["line"],
                finding["rule"].as_str().expect("rule"),
                finding["level"].as_str().expect("level"),
            )
        })
        .collect();
    (findings, output.status.code().expect("an exit code"))
}

#[test]
fn the_nearest_configuration_wins() {
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    write(
        root,
        "backlint.toml",
        "[rules]\nno-explicit-any = \"off\"\n",
    );
    write(root, "a.ts", ANY);
    write(root, "app/a.ts", ANY);
    write(root, "app/pyproject.toml", "[project]\nname = \"app\"\n");
    write(
        root,
        "api/.backlint.toml",
        "[rules]\nno-explicit-any = \"error\"\n",
    );
    write(
        root,
        "api/backlint.toml",
        "[rules]\nno-explicit-any = \"note\"\n",
    );
    write(root, "api/a.ts", ANY);
    write(
        root,
        "service/pyproject.toml",
        "[project]\nname = \"service\"\n\n[tool.backlint.rules]\nno-explicit-any = \"note\"\n",
    );
    write(root, "service/a.ts", ANY);

    assert_eq!(check(root, &[]).0, Vec::<String>::new());
    // A pyproject.toml without `[tool.backlint]` is not a configuration: the walk goes on up.
    assert_eq!(check(&root.join("app"), &[]).0, Vec::<String>::new());
    // `.backlint.toml` comes before `backlint.toml` in one folder.
    assert_eq!(
        check(&root.join("api"), &[]).0,
        ["a.ts:1 no-explicit-any error"]
    );
    assert_eq!(
        check(&root.join("service"), &[]).0,
        ["a.ts:1 no-explicit-any note"]
    );
}

#[test]
fn config_and_isolated_choose_the_file_or_none() {
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    write(
        root,
        "backlint.toml",
        "[rules]\nno-explicit-any = \"off\"\n",
    );
    write(
        root,
        "strict.toml",
        "[rules]\nno-explicit-any = \"error\"\n",
    );
    write(root, "a.ts", ANY);
    assert_eq!(
        check(root, &["--config", "strict.toml"]).0,
        ["a.ts:1 no-explicit-any error"]
    );
    assert_eq!(
        check(root, &["--isolated"]).0,
        ["a.ts:1 no-explicit-any warning"]
    );
    let missing = backlint(root, &["check", "--config", "missing.toml"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn overrides_apply_by_glob_relative_to_the_configuration() {
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    write(
        root,
        "backlint.toml",
        r#"
[rules]
no-explicit-any = "error"

[[overrides]]
files = ["tests/**", "*.spec.ts"]
rules = { no-explicit-any = "off", bare-except = "note" }

[[overrides]]
files = ["scripts"]
[overrides.rules.bare-except]
level = "error"
"#,
    );
    for file in ["src/a.ts", "tests/a.ts", "src/a.spec.ts"] {
        write(root, file, ANY);
    }
    for file in ["src/job.py", "tests/test_job.py", "tools/scripts/run.py"] {
        write(root, file, BARE_EXCEPT);
    }
    let (findings, code) = check(&root.join("src"), &[".."]);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        [
            "../src/a.ts:1 no-explicit-any error",
            "../src/job.py:3 bare-except warning",
            "../tests/test_job.py:3 bare-except note",
            "../tools/scripts/run.py:3 bare-except error",
        ]
    );
}

/// Rules leave test files alone by where they are in the project (below its configuration's
/// folder), not by the folders above it: a project checked out in a `tests/` folder is not
/// all tests, wherever it is checked from.
#[test]
fn rule_paths_are_relative_to_the_project() {
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    let project = root.join("tests/service");
    write(&project, "backlint.toml", "");
    write(
        &project,
        "src/loader.py",
        "def load(path):\n    return path\n",
    );
    write(
        &project,
        "tests/test_loader.py",
        "def test_load(path):\n    assert path\n",
    );
    write(root, "elsewhere/README.md", "");
    let (from_inside, _) = check(&project, &["--select", "missing-type-hints"]);
    assert_eq!(from_inside, ["src/loader.py:1 missing-type-hints note"]);
    let (from_elsewhere, _) = check(
        &root.join("elsewhere"),
        &[
            "--select",
            "missing-type-hints",
            "--config",
            "../tests/service/backlint.toml",
            "../tests/service",
        ],
    );
    assert_eq!(
        from_elsewhere,
        ["../tests/service/src/loader.py:1 missing-type-hints note"]
    );
}

#[test]
fn include_and_exclude_choose_the_walked_files() {
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    write(
        root,
        "backlint.toml",
        "include = [\"src/**\", \"*.py\"]\nexclude = [\"generated\", \"src/legacy/*.ts\"]\n",
    );
    for file in [
        "src/a.ts",
        "src/legacy/old.ts",
        "src/legacy/deep/old.ts",
        "src/generated/client.ts",
        "web/page.ts",
    ] {
        write(root, file, ANY);
    }
    write(root, "tools/job.py", BARE_EXCEPT);
    let (findings, _) = check(root, &[]);
    assert_eq!(
        findings,
        [
            "src/a.ts:1 no-explicit-any warning",
            "src/legacy/deep/old.ts:1 no-explicit-any warning",
            "tools/job.py:3 bare-except warning",
        ]
    );
    // A file named on the command line is checked unless `--force-exclude` is given.
    assert_eq!(check(root, &["web/page.ts"]).0.len(), 1);
    assert_eq!(check(root, &["--force-exclude", "web/page.ts"]).0.len(), 0);
}

#[test]
fn command_line_flags_win_over_the_file() {
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    write(
        root,
        "backlint.toml",
        "fail-on = \"error\"\n[rules]\nno-explicit-any = \"off\"\nbare-except = \"note\"\n",
    );
    write(root, "a.ts", ANY);
    write(root, "job.py", BARE_EXCEPT);
    assert_eq!(
        check(root, &[]),
        (vec!["job.py:3 bare-except note".to_owned()], 0)
    );
    assert_eq!(check(root, &["--fail-on", "note"]).1, 1);
    // `--select` switches on a rule the file switched off, at its default level, and keeps
    // the file's level for the others.
    assert_eq!(
        check(root, &["--select", "no-explicit-any,bare-except"]).0,
        [
            "a.ts:1 no-explicit-any warning",
            "job.py:3 bare-except note"
        ]
    );
    assert_eq!(
        check(root, &["--ignore", "bare-except"]).0,
        Vec::<String>::new()
    );
}

#[test]
fn show_settings_prints_what_the_check_uses() {
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    write(
        root,
        "backlint.toml",
        r#"
exclude = ["scripts"]

[rules.unvalidated-input]
validators = ["checkBody"]

[[overrides]]
files = ["tests/**"]
rules = { unvalidated-input = "off" }
"#,
    );
    let settings = |file: &str| {
        let output = backlint(
            root,
            &[
                "check",
                "--show-settings",
                file,
                "--select",
                "unvalidated-input,bare-except",
            ],
        );
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let source = settings("src/api.ts");
    assert!(
        source.contains("# configuration: backlint.toml"),
        "{source}"
    );
    assert!(
        source.contains("[rules.unvalidated-input]\nignore-paths = ["),
        "{source}"
    );
    assert!(source.contains("validators = [\"checkBody\"]"), "{source}");
    assert!(
        source.contains("[rules.bare-except]\nlevel = \"warning\""),
        "{source}"
    );
    let test = settings("tests/api.test.ts");
    assert!(
        test.contains("# override #1 applies: files = [\"tests/**\"]"),
        "{test}"
    );
    assert!(!test.contains("unvalidated-input"), "{test}");
    let script = settings("scripts/seed.py");
    assert!(
        script.contains("left out by `include` or `exclude`"),
        "{script}"
    );
}

/// Each kind of mistake in a configuration: exit code 2 and a message with the file, line,
/// column, the key, and a suggestion when a known name is close.
#[test]
fn configuration_errors_say_where_and_what() {
    let cases = [
        ("syntax", "[rules\nbare-except = \"off\"\n"),
        ("unknown key", "fail_on = \"error\"\n"),
        ("unknown rule", "[rules]\nno-explict-any = \"off\"\n"),
        ("unknown level", "[rules]\nbare-except = \"warn\"\n"),
        ("level of the wrong type", "[rules]\nbare-except = 2\n"),
        (
            "unknown option",
            "[rules.unvalidated-input]\nvalidator = [\"checkBody\"]\n",
        ),
        (
            "option of the wrong type",
            "[rules.unvalidated-input]\nvalidators = \"checkBody\"\n",
        ),
        (
            "option list with a wrong item",
            "[rules.hardcoded-secret]\ntest-paths = [\"tests/**\", 3]\n",
        ),
        ("fail-on value", "fail-on = \"warnings\"\n"),
        ("include of the wrong type", "include = \"src\"\n"),
        ("invalid glob", "exclude = [\"src/[a\"]\n"),
        (
            "override without files",
            "[[overrides]]\nrules = { bare-except = \"off\" }\n",
        ),
        (
            "unknown override key",
            "[[overrides]]\nfiles = [\"tests/**\"]\nrule = { bare-except = \"off\" }\n",
        ),
        (
            "unknown rule in an override",
            "[[overrides]]\nfiles = [\"tests/**\"]\n[overrides.rules]\nbare-exept = \"off\"\n",
        ),
        (
            "pyproject.toml",
            "[project]\nname = \"app\"\n\n[tool.backlint]\nfail-on = \"error\"\nexlude = [\"a\"]\n",
        ),
    ];
    let mut report = String::new();
    for (name, text) in cases {
        let root = tempfile::tempdir().expect("temp dir");
        let file = if name == "pyproject.toml" {
            "pyproject.toml"
        } else {
            "backlint.toml"
        };
        write(root.path(), file, text);
        write(root.path(), "a.ts", ANY);
        let output = backlint(root.path(), &["check"]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(output.stdout.is_empty(), "{name}: nothing on stdout");
        report.push_str(&format!(
            "{name}:\n{}\n",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    insta::assert_snapshot!(report);
}
