//! Findings about suppression comments. The engine reports them while it applies the
//! suppressions, since only it sees every other rule's findings; these modules give them their
//! ids, options and documentation like any rule.

pub mod suppression_comment;
pub mod unused_suppression;

use backlint_engine::rule::{Rule, RuleContext};
use backlint_engine::Language;
use tree_sitter::Node;

/// A rule the engine reports for, which inspects no node itself.
struct ReportedByTheEngine;

impl Rule for ReportedByTheEngine {
    fn node_kinds(&self, _language: Language) -> &'static [&'static str] {
        &[]
    }

    fn check(&self, _node: Node<'_>, _context: &mut RuleContext<'_>) {}
}
