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

/// The suppressions target's input on which tree-sitter's error recovery went on for 335 s:
/// the parser now gives up on it (a parse error), as on any text it has worked on for much
/// longer than code needs.
#[test]
fn the_parser_gives_up_on_endless_error_recovery() {
    let saved = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions/suppressions/error-recovery-for-minutes-on-nul-bytes");
    let data = fs::read(&saved).expect("the saved input");
    // What the target made of it: TypeScript, each line a comment after code.
    let text: String = String::from_utf8_lossy(&data[1..])
        .lines()
        .map(|line| format!("let x = 1;  // {line}\n"))
        .collect();
    assert!(backlint_engine::parse::parse(backlint_engine::Grammar::TypeScript, &text).is_none());
    let code = "let x = 1;  // backlint-ignore[no-explicit-any]\n".repeat(1000);
    assert!(backlint_engine::parse::parse(backlint_engine::Grammar::TypeScript, &code).is_some());
}
