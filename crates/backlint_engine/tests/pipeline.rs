//! The per-file pipeline's guarantees that no single rule can break.

use std::path::PathBuf;

use backlint_engine::rule::{EnabledRule, Rule, RuleContext, RuleSet};
use backlint_engine::{check_source, Grammar, Language, Level, NotificationKind, Settings, Source};
use tree_sitter::Node;

/// Reports every `pass` statement.
struct ReportsPass;

impl Rule for ReportsPass {
    fn node_kinds(&self, _language: Language) -> &'static [&'static str] {
        &["pass_statement"]
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        context.report(node, "pass");
    }
}

/// Panics on the second `pass` statement it sees, after reporting the first.
struct PanicsOnSecondPass;

impl Rule for PanicsOnSecondPass {
    fn node_kinds(&self, _language: Language) -> &'static [&'static str] {
        &["pass_statement"]
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        if node.start_position().row > 0 {
            panic!("boom");
        }
        context.report(node, "first");
    }
}

#[test]
fn a_panicking_rule_is_reported_and_the_other_rules_keep_their_findings() {
    let rules = RuleSet::new(vec![
        EnabledRule {
            id: "panics",
            level: Level::Warning,
            rule: Box::new(PanicsOnSecondPass),
        },
        EnabledRule {
            id: "reports",
            level: Level::Warning,
            rule: Box::new(ReportsPass),
        },
    ]);
    let source = Source::new(PathBuf::from("a.py"), "pass\npass\npass\n".to_owned());
    let report = check_source(&source, Grammar::Python, &Settings::default(), &rules);
    let found: Vec<(usize, &str)> = report
        .diagnostics
        .iter()
        .map(|diagnostic| (diagnostic.start.line, diagnostic.rule))
        .collect();
    assert_eq!(
        found,
        vec![
            (1, "panics"),
            (1, "reports"),
            (2, "reports"),
            (3, "reports")
        ]
    );
    assert_eq!(report.notifications.len(), 1);
    assert_eq!(
        report.notifications[0].kind,
        NotificationKind::InternalError
    );
    assert!(report.notifications[0]
        .message
        .contains("rule `panics` failed on this file (boom)"));
}

#[test]
fn parse_and_walk_runs_no_rule() {
    let rules = RuleSet::new(vec![EnabledRule {
        id: "reports",
        level: Level::Warning,
        rule: Box::new(ReportsPass),
    }]);
    let source = Source::new(PathBuf::from("a.py"), "pass\n".to_owned());
    let settings = Settings {
        parse_and_walk: true,
        ..Settings::default()
    };
    let report = check_source(&source, Grammar::Python, &settings, &rules);
    assert!(report.diagnostics.is_empty());
}

#[test]
fn dispatch_skips_grammars_no_rule_wants() {
    let rules = RuleSet::new(vec![EnabledRule {
        id: "reports",
        level: Level::Warning,
        rule: Box::new(ReportsPass),
    }]);
    assert!(rules.applies_to(Grammar::Python));
    // `pass_statement` is not a TypeScript node kind: the table for TypeScript stays empty.
    assert!(!rules.applies_to(Grammar::TypeScript));
}

/// Reports every `pass` statement, and says it needs the word `pass`.
struct ReportsPassWithWords;

impl Rule for ReportsPassWithWords {
    fn node_kinds(&self, _language: Language) -> &'static [&'static str] {
        &["pass_statement"]
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        context.report(node, "pass");
    }

    fn required_words(&self, _language: Language) -> Vec<String> {
        vec!["pass".to_owned()]
    }
}

#[test]
fn files_without_the_required_words_are_not_parsed() {
    let rules = || {
        RuleSet::new(vec![EnabledRule {
            id: "reports",
            level: Level::Warning,
            rule: Box::new(ReportsPassWithWords),
        }])
    };
    let check = |text: &str, settings: &Settings| {
        let source = Source::new(PathBuf::from("a.py"), text.to_owned());
        check_source(&source, Grammar::Python, settings, &rules())
    };
    let settings = Settings::default();

    // No `pass` anywhere: not parsed, so the syntax error goes unreported.
    let skipped = check("x = (\ny = 1\n", &settings);
    assert!(skipped.skipped_by_prefilter);
    assert!(skipped.notifications.is_empty());

    // The word in any case lets the file through, and the rule reports.
    let parsed = check("def f():\n    PASS_THROUGH = 1\n    pass\n", &settings);
    assert!(!parsed.skipped_by_prefilter);
    assert_eq!(parsed.diagnostics.len(), 1);

    // A suppression comment can be reported itself, so its file is parsed.
    let with_comment = check("x = 1  # backlint-ignore[reports]: why\n", &settings);
    assert!(!with_comment.skipped_by_prefilter);

    // Switched off, every file is parsed.
    let everything = Settings {
        prefilter: false,
        ..Settings::default()
    };
    let parsed = check("x = (\ny = 1\n", &everything);
    assert!(!parsed.skipped_by_prefilter);
    assert_eq!(parsed.notifications[0].kind, NotificationKind::ParseError);
    assert_eq!(parsed.lines, skipped.lines);
}

#[test]
fn a_rule_without_words_turns_the_prefilter_off_for_its_language() {
    let rules = RuleSet::new(vec![
        EnabledRule {
            id: "with-words",
            level: Level::Warning,
            rule: Box::new(ReportsPassWithWords),
        },
        EnabledRule {
            id: "without-words",
            level: Level::Warning,
            rule: Box::new(ReportsPass),
        },
    ]);
    assert!(rules.may_report(Grammar::Python, "x = 1\n"));
}
