//! Walking the syntax tree around a node: the function it is in, and the nodes inside one.

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

/// Every named node inside `root` (itself included), in no particular order.
pub fn descendants(root: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut pending = vec![root];
    std::iter::from_fn(move || {
        let node = pending.pop()?;
        let mut cursor = node.walk();
        pending.extend(node.named_children(&mut cursor));
        Some(node)
    })
}
