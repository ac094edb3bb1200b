//! Database recognition on `fixtures/databases/`: every line where a query's call starts ends
//! with `// db: <library> <model or -> [batched]` (or `# db: …`), and no other call is one. The
//! exact set of (line, description) pairs must match.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use backlint_engine::databases::Databases;
use backlint_engine::{Grammar, Source};

fn expected_queries(text: &str) -> BTreeSet<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let at = line.rfind("db: ")?;
            let before = line[..at].trim_end();
            (before.ends_with("//") || before.ends_with('#'))
                .then(|| (index + 1, line[at + "db: ".len()..].trim().to_owned()))
        })
        .collect()
}

#[test]
fn fixtures_list_exactly_their_queries() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/databases");
    let mut failures = Vec::new();
    let mut libraries_seen = BTreeSet::new();
    let mut paths: Vec<_> = fs::read_dir(&root)
        .expect("read fixture folder")
        .map(|entry| entry.expect("fixture entry").path())
        .collect();
    paths.sort();
    for path in paths {
        let text = fs::read_to_string(&path).expect("read fixture");
        let grammar = Grammar::from_path(&path).expect("a file backlint checks");
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let source = Source::new(path.clone(), text.clone());
        let queries = Databases::of_source(&source, grammar).expect("parses");
        let found: BTreeSet<(usize, String)> = queries
            .iter()
            .map(|(range, query)| {
                let described = format!(
                    "{} {}{}",
                    query.library.id(),
                    query.model.as_deref().unwrap_or("-"),
                    if query.batched { " batched" } else { "" }
                );
                (source.position(range.start).line, described)
            })
            .collect();
        let expected = expected_queries(&text);
        libraries_seen.extend(
            expected
                .iter()
                .filter_map(|(_, described)| described.split(' ').next().map(str::to_owned)),
        );
        for (line, described) in found.difference(&expected) {
            failures.push(format!("{name}:{line}: unexpected query: {described}"));
        }
        for (line, described) in expected.difference(&found) {
            failures.push(format!(
                "{name}:{line}: expected query not found: {described}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "query mismatches:\n{}",
        failures.join("\n")
    );
    assert_eq!(
        libraries_seen.len(),
        16,
        "every library has a fixture: {libraries_seen:?}"
    );
}
