//! Every input a fuzz target once failed on (`fuzz/regressions/<target>/`), run again through
//! what the target runs (`fuzz/harness.rs`): each must pass its checks, without a panic.

use std::fs;
use std::path::Path;

#[path = "../fuzz/harness.rs"]
mod harness;

/// What a target runs on one input.
type Harness = fn(&[u8]);

const TARGETS: &[(&str, Harness)] = &[
    ("pipeline_python", harness::pipeline_python),
    ("pipeline_typescript", harness::pipeline_typescript),
    ("pipeline_javascript", harness::pipeline_javascript),
    ("suppressions", harness::suppressions),
    ("config", harness::config),
    ("lsp", harness::lsp),
];

#[test]
fn the_inputs_the_fuzzers_found_problems_with_pass() {
    let regressions = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut inputs = 0;
    for (target, run) in TARGETS {
        let Ok(entries) = fs::read_dir(regressions.join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .filter_map(|entry| Some(entry.ok()?.path()))
            .collect();
        paths.sort();
        for path in paths {
            let data =
                fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            eprintln!("{target}: {}", path.display());
            run(&data);
            inputs += 1;
        }
    }
    assert!(inputs > 0, "no saved input in {}", regressions.display());
}
