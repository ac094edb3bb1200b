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

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use tree_sitter::{Node, Tree};

use crate::diagnostic::Finding;
use crate::language::Grammar;
use crate::rule::{FileFacts, Memos, RuleContext, RuleSet};
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
    let mut walk = Walk::new(root, source, grammar, rules);
    walk.subtree(root);
    walk.output
}

/// Visits every node of the tree once with a cursor, as the Checker does, and does nothing
/// else: the cost of a check without rules. Returns the number of nodes.
pub fn walk_only(tree: &Tree) -> usize {
    let mut cursor = tree.walk();
    let mut nodes = 1;
    loop {
        if cursor.goto_first_child() {
            nodes += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                nodes += 1;
                break;
            }
            if !cursor.goto_parent() {
                return nodes;
            }
        }
    }
}

/// The Checker's walk: the semantic state, and the findings so far.
pub(crate) struct Walk<'a, 'tree> {
    pub(crate) semantic: Semantic<'tree>,
    source: &'tree Source,
    grammar: Grammar,
    rules: &'a RuleSet,
    /// By rule index: the rule does not check this file, or panicked on it.
    stopped: Vec<bool>,
    /// The nodes entered and not yet left: the ancestors of the node being checked.
    ancestors: Vec<Node<'tree>>,
    memos: RefCell<Memos>,
    pub(crate) output: CheckerOutput,
}

impl<'a, 'tree> Walk<'a, 'tree> {
    pub(crate) fn new(
        root: Node<'tree>,
        source: &'tree Source,
        grammar: Grammar,
        rules: &'a RuleSet,
    ) -> Walk<'a, 'tree> {
        let semantic = Semantic::new(grammar, root, source);
        let facts = FileFacts {
            path: &source.project_path,
            grammar,
            imports: semantic.imports(),
        };
        let stopped = rules
            .rules()
            .iter()
            .map(|enabled| !enabled.rule.checks_file(&facts))
            .collect();
        Walk {
            semantic,
            source,
            grammar,
            rules,
            stopped,
            ancestors: Vec::new(),
            memos: RefCell::default(),
            output: CheckerOutput::default(),
        }
    }

    /// Enters `node` and hands it to its rules.
    pub(crate) fn enter(&mut self, node: Node<'tree>) {
        self.semantic.enter(node, self.source);
        for &rule_index in self.rules.rules_for(self.grammar, node.kind_id()) {
            let rule_index = rule_index as usize;
            if self.stopped[rule_index] {
                continue;
            }
            let mut context = RuleContext {
                source: self.source,
                semantic: &self.semantic,
                grammar: self.grammar,
                ancestors: &self.ancestors,
                memos: &self.memos,
                rule_index,
                findings: &mut self.output.findings,
            };
            let rule = &self.rules.rules()[rule_index].rule;
            let outcome = catch_unwind(AssertUnwindSafe(|| rule.check(node, &mut context)));
            if let Err(payload) = outcome {
                self.stopped[rule_index] = true;
                self.output
                    .panicked
                    .push((rule_index, panic_message(payload.as_ref())));
            }
        }
        self.ancestors.push(node);
    }

    pub(crate) fn leave(&mut self, node: Node<'tree>) {
        self.ancestors.pop();
        self.semantic.leave(node);
    }

    /// Enters and leaves every node of the subtree at `root`, `root` included.
    pub(crate) fn subtree(&mut self, root: Node<'tree>) {
        // A cursor made at `root` cannot leave its subtree.
        let mut cursor = root.walk();
        loop {
            self.enter(cursor.node());
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                self.leave(cursor.node());
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
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
