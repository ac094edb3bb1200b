//! The editor extensions in `editors/` build: the VS Code extension is valid JavaScript whose
//! manifest points at it, and the Zed extension compiles against its pinned API.

use std::path::Path;
use std::process::Command;

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_vscode_extension_is_valid_javascript_named_by_its_manifest() {
    let folder = repository().join("editors/vscode");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(folder.join("package.json")).expect("package.json is readable"),
    )
    .expect("package.json is JSON");
    let main = manifest["main"].as_str().expect("a main script");
    assert!(folder.join(main).is_file(), "{main} is missing");
    let activation: Vec<&str> = manifest["activationEvents"]
        .as_array()
        .expect("activation events")
        .iter()
        .filter_map(|event| event.as_str()?.strip_prefix("onLanguage:"))
        .collect();
    assert_eq!(
        activation,
        [
            "typescript",
            "typescriptreact",
            "javascript",
            "javascriptreact",
            "python"
        ]
    );
    let status = Command::new("node")
        .arg("--check")
        .arg(folder.join(main))
        .status()
        .expect("node runs");
    assert!(status.success(), "node --check {main} failed");
}

#[test]
#[ignore = "downloads zed_extension_api: run by .ci/run"]
fn the_zed_extension_compiles() {
    let output = Command::new(env!("CARGO"))
        .args(["check", "--locked", "--quiet", "--manifest-path"])
        .arg(repository().join("editors/zed/Cargo.toml"))
        .arg("--target-dir")
        .arg(repository().join("target/editors/zed"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the Zed extension does not compile:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
