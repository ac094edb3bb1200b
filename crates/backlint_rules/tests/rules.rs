//! The rules' test harness.
//!
//! - `fixtures/<rule-id>/…`: every fixture file is checked with its folder's rule (and any
//!   rule its expectations name), and the exact set of (line, rule) findings must equal the
//!   expectations written at the end of lines: `// expect: rule-id` or `# expect: a, b`. A
//!   false positive fails as surely as a miss. A first-line `fixture-options: { … }` comment
//!   configures the folder's rule. A folder that is not a rule id fails, and so does a rule
//!   without fixtures.
//! - `rules/<rule-id>.toml`: every `bad` example must produce the rule, every `good` one must not.
//! - Messages whose wording depends on the code are checked one by one.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use backlint_engine::config::RuleConfig;
use backlint_engine::rule_docs::ExampleKind;
use backlint_engine::suppression::{SUPPRESSION_COMMENT, UNUSED_SUPPRESSION};
use backlint_engine::{check_source, Grammar, Settings, Source};

/// Rules about suppression comments, which the engine reports while it applies them: they
/// inspect no node.
const REPORTED_BY_THE_ENGINE: &[&str] = &[UNUSED_SUPPRESSION, SUPPRESSION_COMMENT];

/// Folders of `fixtures/` that are not rule fixtures.
const NOT_RULE_FOLDERS: &[&str] = &["projects", "frameworks", "databases", "fixes"];

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (line, rule) pairs.
type Findings = BTreeSet<(usize, String)>;

fn expectations(text: &str) -> Findings {
    let mut expected = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        let Some(at) = line.rfind("expect:") else {
            continue;
        };
        let before = line[..at].trim_end();
        if !(before.ends_with("//") || before.ends_with('#')) {
            continue;
        }
        for rule in line[at + "expect:".len()..].split(',') {
            expected.insert((index + 1, rule.trim().to_owned()));
        }
    }
    expected
}

fn fixture_options(text: &str) -> Option<toml::Table> {
    let first_line = text.lines().next()?;
    let at = first_line.find("fixture-options:")?;
    let table = first_line[at + "fixture-options:".len()..].trim();
    let parsed: toml::Table = toml::from_str(&format!("options = {table}"))
        .unwrap_or_else(|error| panic!("bad fixture-options: {error}"));
    parsed
        .get("options")
        .and_then(|options| options.as_table())
        .cloned()
}

fn check(path: &Path, text: &str, configured: &[RuleConfig]) -> Findings {
    let grammar = Grammar::from_path(path)
        .unwrap_or_else(|| panic!("{}: not a file backlint checks", path.display()));
    let rules = backlint_rules::registry()
        .enable_configured(configured)
        .expect("rules build");
    let source = Source::new(path.to_path_buf(), text.to_owned());
    let report = check_source(&source, grammar, &Settings::default(), &rules);
    report
        .diagnostics
        .iter()
        .map(|diagnostic| (diagnostic.start.line, diagnostic.rule.to_owned()))
        .collect()
}

fn fixture_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("read fixture folder") {
            let path = entry.expect("fixture entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.file_name().is_some_and(|name| name != "package.json") {
                // A fixture's `package.json` is the project's, read by the rule from disk.
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn fixtures_report_exactly_their_expectations() {
    let registry = backlint_rules::registry();
    let fixtures = repository_root().join("fixtures");
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut folders: Vec<String> = fs::read_dir(&fixtures)
        .expect("fixtures/ exists")
        .map(|entry| {
            entry
                .expect("fixtures entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| !NOT_RULE_FOLDERS.contains(&name.as_str()))
        .collect();
    folders.sort();
    for folder in &folders {
        assert!(
            registry.docs(folder).is_some(),
            "fixtures/{folder} is not named after a rule id"
        );
        for path in fixture_files(&fixtures.join(folder)) {
            let bytes = fs::read(&path).expect("read fixture");
            let text = String::from_utf8(bytes).expect("fixture is UTF-8");
            let expected = expectations(&text);
            let mut rules: BTreeSet<String> =
                expected.iter().map(|(_, rule)| rule.clone()).collect();
            rules.insert(folder.clone());
            let configured: Vec<RuleConfig> = rules
                .into_iter()
                .map(|id| RuleConfig {
                    options: if &id == folder {
                        fixture_options(&text).unwrap_or_default()
                    } else {
                        toml::Table::new()
                    },
                    id,
                    level: None,
                })
                .collect();
            let found = check(&path, &text, &configured);
            checked += 1;
            if found != expected {
                let relative = path
                    .strip_prefix(&fixtures)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                for (line, rule) in found.difference(&expected) {
                    failures.push(format!(
                        "{relative}:{line}: unexpected {rule} (false positive)"
                    ));
                }
                for (line, rule) in expected.difference(&found) {
                    failures.push(format!(
                        "{relative}:{line}: expected {rule}, not reported (miss)"
                    ));
                }
            }
        }
    }
    for id in registry.ids() {
        assert!(
            folders.iter().any(|folder| folder == id),
            "rule {id} has no fixtures/{id}/"
        );
    }
    assert!(checked > 0, "no fixture was checked");
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn documented_examples_behave_as_documented() {
    let registry = backlint_rules::registry();
    let mut failures = Vec::new();
    for (spec, docs) in registry.iter() {
        let mut kinds = BTreeSet::new();
        for example in &docs.examples {
            let configured = [RuleConfig {
                id: spec.id.to_owned(),
                level: None,
                options: example.options.clone().unwrap_or_default(),
            }];
            let found = check(Path::new(&example.file), &example.code, &configured);
            kinds.insert(format!("{:?}", example.kind));
            match (example.kind, found.is_empty()) {
                (ExampleKind::Bad, true) => failures.push(format!(
                    "{}: a bad example is not reported:\n{}",
                    spec.id, example.code
                )),
                (ExampleKind::Good, false) => failures.push(format!(
                    "{}: a good example is reported {found:?}:\n{}",
                    spec.id, example.code
                )),
                _ => {}
            }
        }
        assert!(
            kinds.len() == 2,
            "rules/{}.toml needs at least one bad and one good example",
            spec.id
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The defaults written in `rules/<id>.toml` are the ones the rule uses: configuring every
/// documented default explicitly changes no finding on the rule's fixtures.
#[test]
fn documented_option_defaults_are_the_defaults() {
    let fixtures = repository_root().join("fixtures");
    for (spec, docs) in backlint_rules::registry().iter() {
        if docs.options.is_empty() {
            continue;
        }
        let defaults: toml::Table = docs
            .options
            .iter()
            .map(|option| (option.name.clone(), option.default.clone()))
            .collect();
        for path in fixture_files(&fixtures.join(spec.id)) {
            let text = fs::read_to_string(&path).expect("read fixture");
            if fixture_options(&text).is_some() {
                continue;
            }
            let configured = |options: Option<toml::Table>| {
                [RuleConfig {
                    id: spec.id.to_owned(),
                    level: None,
                    options: options.unwrap_or_default(),
                }]
            };
            assert_eq!(
                check(&path, &text, &configured(None)),
                check(&path, &text, &configured(Some(defaults.clone()))),
                "{}: the documented defaults of {} differ from its defaults",
                path.display(),
                spec.id
            );
        }
    }
}

/// A misspelt node kind would make a rule silently never run: every kind a rule declares must
/// exist in each grammar of its language, and a rule must declare kinds exactly for the
/// languages its docs list (under its default options or the options of one of its examples:
/// an opt-in language declares kinds only when switched on).
#[test]
fn rules_declare_node_kinds_that_exist() {
    for (spec, docs) in backlint_rules::registry().iter() {
        if REPORTED_BY_THE_ENGINE.contains(&spec.id) {
            continue;
        }
        let configurations = std::iter::once(None).chain(
            docs.examples
                .iter()
                .filter_map(|example| example.options.as_ref())
                .map(Some),
        );
        let rules: Vec<_> = configurations
            .map(|options| (spec.new)(options).expect("documented options are valid"))
            .collect();
        for grammar in Grammar::ALL {
            let kinds: BTreeSet<&str> = rules
                .iter()
                .flat_map(|rule| rule.node_kinds(grammar.language()).iter().copied())
                .collect();
            let documented = docs
                .languages()
                .any(|language| language == grammar.language());
            assert_eq!(
                !kinds.is_empty(),
                documented,
                "{}: declared kinds vs documented languages for {grammar:?}",
                spec.id
            );
            for kind in kinds {
                assert!(
                    grammar.has_kind(kind),
                    "{}: `{kind}` is not a node kind of {grammar:?}",
                    spec.id
                );
            }
        }
    }
}

#[test]
fn rule_docs_are_complete() {
    for (spec, docs) in backlint_rules::registry().iter() {
        assert!(
            !docs.summary.trim().is_empty(),
            "{}: empty summary",
            spec.id
        );
        assert!(
            docs.languages().count() == docs.languages.len(),
            "{}: unknown language in {:?}",
            spec.id,
            docs.languages
        );
        assert!(
            ["very-high", "high", "medium", "low"].contains(&docs.precision.as_str()),
            "{}: precision must be very-high, high, medium or low",
            spec.id
        );
        let known_tags = [
            "security",
            "correctness",
            "performance",
            "maintainability",
            "reliability",
        ];
        for tag in &docs.tags {
            assert!(
                known_tags.contains(&tag.as_str()),
                "{}: unknown tag {tag}",
                spec.id
            );
        }
        if let Some(evaluation) = &docs.evaluation {
            assert!(
                evaluation.sample <= evaluation.findings
                    && evaluation.true_positives <= evaluation.sample,
                "{}: evaluation counts do not add up",
                spec.id
            );
        }
        if docs.tags.iter().any(|tag| tag == "security") {
            assert!(
                docs.security_severity.is_some(),
                "{}: security rules need a security-severity",
                spec.id
            );
        }
    }
}

#[test]
fn n_plus_one_query_says_run_it_once_only_for_queries_without_the_element() {
    let text = r#"import { prisma } from "./db";

export async function load(entries: { id: string }[], tenant: string) {
  await Promise.all(
    entries.map(async (entry) => {
      const data = { ...entry };
      await prisma.category.findUnique({ where: { id: data.id } });
      await prisma.tenant.findUnique({ where: { id: tenant } });
    }),
  );
}
"#;
    let grammar = Grammar::from_path(Path::new("src/load.ts")).expect("a TypeScript path");
    let rules = backlint_rules::registry()
        .enable_configured(&[RuleConfig {
            id: "n-plus-one-query".to_owned(),
            level: None,
            options: toml::Table::new(),
        }])
        .expect("rules build");
    let source = Source::new(PathBuf::from("src/load.ts"), text.to_owned());
    let report = check_source(&source, grammar, &Settings::default(), &rules);
    let messages: Vec<(usize, bool)> = report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let hoist = diagnostic.message.contains("run it once before the loop");
            (diagnostic.start.line, hoist)
        })
        .collect();
    assert_eq!(messages, vec![(7, false), (8, true)]);
}
