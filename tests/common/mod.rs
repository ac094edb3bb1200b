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
