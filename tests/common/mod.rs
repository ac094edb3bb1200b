//! What several end-to-end test files share.

use std::path::{Path, PathBuf};

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
