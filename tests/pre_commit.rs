//! The hooks of `.pre-commit-hooks.yaml`, installed and run by the real pre-commit (pinned in
//! tests/clients.sh) with `pre-commit try-repo` on this repository: pre-commit builds backlint
//! with `cargo install`, as it does for its users, and passes it the files of a scratch git
//! repository.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

const BAD_TS: &str = "export function parse(body: any) {\n  return body;\n}\n";
const GOOD_TS: &str = "export function parse(body: unknown) {\n  return body;\n}\n";
const BAD_PY: &str =
    "def charge(card: Card) -> None:\n    try:\n        card.charge()\n    except:\n        card.decline()\n";
const GOOD_PY: &str =
    "def charge(card: Card) -> None:\n    try:\n        card.charge()\n    except Exception:\n        card.decline()\n";

fn git(repository: &Path, arguments: &[&str]) {
    let status = Command::new("git")
        .args(arguments)
        .current_dir(repository)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {arguments:?} failed");
}

/// Runs `pre-commit try-repo <this repository> <arguments>` in `repository`; returns whether
/// it passed, and what it printed.
fn try_repo(repository: &Path, arguments: &[&str]) -> (bool, String) {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = Command::new(common::installed_tool("clients/venv/bin/pre-commit"))
        .arg("try-repo")
        .arg(root)
        .args(arguments)
        .current_dir(repository)
        // The hook environment (a release build of backlint) is kept between runs, for each
        // commit of this repository (uncommitted changes make a new one at each run).
        .env(
            "PRE_COMMIT_HOME",
            Path::new(root).join("target/tools/pre-commit"),
        )
        // The build pre-commit makes is the test's, not a user's: without link-time
        // optimisation, and in a target folder kept between commits, it takes a fraction of
        // the time.
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env(
            "CARGO_TARGET_DIR",
            Path::new(root).join("target/tools/pre-commit-build"),
        )
        .env("NO_COLOR", "1")
        .output()
        .expect("pre-commit runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), printed)
}

#[test]
#[ignore = "needs pre-commit and a release build of backlint: run by .ci/run"]
fn the_hooks_work_with_pre_commit() {
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let repository = scratch.path();
    git(repository, &["init", "--quiet"]);
    fs::write(repository.join("service.ts"), BAD_TS).expect("writes");
    fs::write(repository.join("tasks.py"), BAD_PY).expect("writes");
    git(repository, &["add", "service.ts", "tasks.py"]);
    // Never added: pre-commit does not pass it, so backlint must not report it.
    fs::write(repository.join("scratch.py"), BAD_PY).expect("writes");

    let (passed, printed) = try_repo(repository, &["backlint", "--all-files"]);
    assert!(!passed, "bad files passed:\n{printed}");
    assert!(
        printed.contains("service.ts:1:29: warning[no-explicit-any]"),
        "{printed}"
    );
    assert!(
        printed.contains("tasks.py:4:5: warning[bare-except]"),
        "{printed}"
    );
    assert!(
        !printed.contains("scratch.py"),
        "a file pre-commit did not pass:\n{printed}"
    );

    // The fix hook fixes what it safely can (the bare except), and fails on what remains.
    let (passed, printed) = try_repo(repository, &["backlint-fix", "--all-files"]);
    assert!(!passed, "{printed}");
    assert_eq!(
        fs::read_to_string(repository.join("tasks.py")).expect("reads"),
        GOOD_PY
    );
    assert_eq!(
        fs::read_to_string(repository.join("service.ts")).expect("reads"),
        BAD_TS
    );

    fs::write(repository.join("service.ts"), GOOD_TS).expect("writes");
    git(repository, &["add", "service.ts", "tasks.py"]);
    let (passed, printed) = try_repo(repository, &["backlint", "--all-files"]);
    assert!(passed, "clean files failed:\n{printed}");

    // Without `--all-files`, only the staged files are checked.
    fs::write(repository.join("tasks.py"), BAD_PY).expect("writes");
    let (passed, printed) = try_repo(repository, &["backlint"]);
    assert!(passed, "an unstaged change was checked:\n{printed}");
    git(repository, &["add", "tasks.py"]);
    let (passed, printed) = try_repo(repository, &["backlint"]);
    assert!(!passed, "a staged bad file passed:\n{printed}");
    assert!(
        printed.contains("tasks.py:4:5: warning[bare-except]"),
        "{printed}"
    );
}
