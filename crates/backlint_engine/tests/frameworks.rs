//! Framework recognition on `fixtures/frameworks/`: every line that starts a request handler
//! ends with `// handler: <framework>` (or `# handler: …`), and no other function is one. The
//! exact set of (line, framework) pairs must match.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use backlint_engine::frameworks::Handlers;
use backlint_engine::{Grammar, Source};

fn fixture_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("read fixture folder") {
            let path = entry.expect("fixture entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn expected_handlers(text: &str) -> BTreeSet<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let at = line.rfind("handler: ")?;
            let before = line[..at].trim_end();
            (before.ends_with("//") || before.ends_with('#'))
                .then(|| (index + 1, line[at + "handler: ".len()..].trim().to_owned()))
        })
        .collect()
}

#[test]
fn fixtures_list_exactly_their_handlers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/frameworks");
    let mut failures = Vec::new();
    let mut frameworks_seen = BTreeSet::new();
    for path in fixture_files(&root) {
        let text = fs::read_to_string(&path).expect("read fixture");
        let grammar = Grammar::from_path(&path).expect("a file backlint checks");
        let relative = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
        // Recognition reads the path as a project would have it: `app/…/route.ts`, `views.py`.
        let source = Source::new(relative.clone(), text.clone());
        let handlers = Handlers::of_source(&source, grammar).expect("parses");
        let found: BTreeSet<(usize, String)> = handlers
            .all()
            .iter()
            .map(|handler| {
                (
                    source.position(handler.function.start).line,
                    handler.framework.id().to_owned(),
                )
            })
            .collect();
        let expected = expected_handlers(&text);
        frameworks_seen.extend(expected.iter().map(|(_, framework)| framework.clone()));
        for (line, framework) in found.difference(&expected) {
            failures.push(format!(
                "{}:{line}: unexpected {framework} handler",
                relative.display()
            ));
        }
        for (line, framework) in expected.difference(&found) {
            failures.push(format!(
                "{}:{line}: expected a {framework} handler, none found",
                relative.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "handler mismatches:\n{}",
        failures.join("\n")
    );
    assert_eq!(
        frameworks_seen.len(),
        13,
        "every framework has a fixture: {frameworks_seen:?}"
    );
}
