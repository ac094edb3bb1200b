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
