//! The language server, driven by a real LSP client: the pytest-lsp suite in `tests/lsp/`
//! (installed by tests/clients.sh), run against this build of `backlint`.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
#[ignore = "needs pytest-lsp: run by .ci/run"]
fn the_language_server_works_with_a_real_client() {
    let pytest = common::installed_tool("clients/venv/bin/pytest");
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp");
    let output = Command::new(pytest)
        .current_dir(&suite)
        .env("BACKLINT", env!("CARGO_BIN_EXE_backlint"))
        .args([
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error::pytest_lsp.LspSpecificationWarning",
        ])
        .output()
        .expect("pytest runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the LSP suite failed:\n{report}");
}
