//! What several end-to-end test files share. Each test file compiles this module on its own
//! and uses only part of it.
#![allow(dead_code)]

pub mod corpus;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `backlint` binary in `directory`, without colour and without the results cache,
/// so that every run checks every file (the cache has its own tests).
pub fn backlint(directory: &Path, arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backlint"))
        .args(arguments)
        .current_dir(directory)
        .env("NO_COLOR", "1")
        .env("BACKLINT_NO_CACHE", "1")
        .output()
        .expect("run backlint")
}

/// A tool `.ci/run` installs under `target/tools`: the peers and scanners
/// (`benches/peers.sh`) and the clients that check backlint's output (`tests/clients.sh`, under
/// `clients/`).
pub fn installed_tool(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/tools")
        .join(relative);
    assert!(
        path.exists(),
        "{} is missing: run benches/peers.sh and tests/clients.sh (as .ci/run does)",
        path.display()
    );
    path
}

/// The errors and warnings the SARIF Multitool (`validate --rule-kind "Gh;Sarif"`, as GitHub
/// code scanning checks uploads) finds in a SARIF log, one line each; its console output
/// after them.
pub fn sarif_multitool_problems(sarif: &[u8]) -> (Vec<String>, String) {
    let multitool = installed_tool(
        "clients/node/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool",
    );
    let work = tempfile::tempdir().expect("temporary directory");
    let log = work.path().join("checked.sarif");
    std::fs::write(&log, sarif).expect("write the log");
    let report = work.path().join("validation.sarif");
    let output = Command::new(multitool)
        // A self-contained .NET program: without this it needs ICU libraries.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .args([
            "validate",
            "--rule-kind",
            "Gh;Sarif",
            "--log",
            "ForceOverwrite",
        ])
        .arg("--output")
        .arg(&report)
        .arg(&log)
        .output()
        .expect("run the SARIF Multitool");
    let console = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{console}");
    let validation: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("the validation log"))
            .expect("JSON");
    let problems = validation["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|result| matches!(result["level"].as_str(), Some("error" | "warning") | None))
        .map(|result| {
            format!(
                "{}: {}",
                result["ruleId"].as_str().unwrap_or(""),
                result["message"]
            )
        })
        .collect();
    (problems, console)
}
