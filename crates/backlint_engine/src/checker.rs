//! The Checker: one iterative walk over a syntax tree, handing each node to the rules that
//! declared its kind.
//!
//! 1. The imports are collected from the top-level statements (cheap, and rules want them from
//!    the first node on).
//! 2. A `TreeCursor` walks the tree depth-first without recursion, so a 20,000-deep expression
//!    cannot overflow the stack. Each node is entered (the semantic state is updated first, then
//!    the node's rules run) and later left (the state is unwound).
//! 3. A rule that panics is stopped for the rest of the file and reported; the other rules
//!    go on and their findings are kept.

use std::panic::{catch_unwind, AssertUnwindSafe};

use tree_sitter::Tree;

use crate::diagnostic::Finding;
use crate::language::Grammar;
use crate::rule::{RuleContext, RuleSet};
use crate::semantic::Semantic;
use crate::source::Source;

/// What one walk produced.
#[derive(Debug, Default)]
pub struct CheckerOutput {
    /// Findings with the index of the rule (in the [`RuleSet`]) that reported them.
    pub findings: Vec<(usize, Finding)>,
    /// Rules that panicked, with the panic's message.
    pub panicked: Vec<(usize, String)>,
}

pub fn check_tree(
    tree: &Tree,
    source: &Source,
    grammar: Grammar,
    rules: &RuleSet,
) -> CheckerOutput {
    let root = tree.root_node();
    let mut semantic = Semantic::new(grammar, root, source);
    let mut output = CheckerOutput::default();
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        semantic.enter(node, source);
        for &rule_index in rules.rules_for(grammar, node.kind_id()) {
            let rule_index = rule_index as usize;
            if output
                .panicked
                .iter()
                .any(|(index, _)| *index == rule_index)
            {
                continue;
            }
            let mut context = RuleContext {
                source,
                semantic: &semantic,
                grammar,
                rule_index,
                findings: &mut output.findings,
            };
            let rule = &rules.rules()[rule_index].rule;
            let outcome = catch_unwind(AssertUnwindSafe(|| rule.check(node, &mut context)));
            if let Err(payload) = outcome {
                output
                    .panicked
                    .push((rule_index, panic_message(payload.as_ref())));
            }
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            semantic.leave(cursor.node());
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return output;
            }
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "the rule panicked".to_owned()
    }
}
