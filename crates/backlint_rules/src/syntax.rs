//! The function around a node.

use tree_sitter::Node;

/// Node kinds that start a new function body, in every grammar.
const FUNCTION_KINDS: &[&str] = &[
    "function_declaration",
    "generator_function_declaration",
    "function_expression",
    "generator_function",
    "arrow_function",
    "method_definition",
    "function_definition",
    "lambda",
];

/// The innermost function around `node`, or the file's root when it is at the top level.
pub fn enclosing_function(node: Node<'_>) -> Node<'_> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if is_function(parent) {
            return parent;
        }
        current = parent;
    }
    current
}

/// Whether a node is a function (declaration, expression, arrow, method, lambda).
pub fn is_function(node: Node<'_>) -> bool {
    FUNCTION_KINDS.contains(&node.kind())
}
