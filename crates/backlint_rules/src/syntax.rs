//! The function around a node, and the parts of nodes that the rules read alike.

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

/// The target and the value of an assignment or a declaration: `x = v`, `x += v`,
/// `const x = v`, Python `x = v`; `None` for any other node, and for a declaration without a
/// value.
pub fn assignment_parts(node: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    match node.kind() {
        "variable_declarator" => Some((
            node.child_by_field_name("name")?,
            node.child_by_field_name("value")?,
        )),
        "assignment_expression"
        | "assignment"
        | "augmented_assignment_expression"
        | "augmented_assignment" => Some((
            node.child_by_field_name("left")?,
            node.child_by_field_name("right")?,
        )),
        _ => None,
    }
}

/// Whether an identifier names a variable, not an attribute or a keyword argument: `name` in
/// `f(name)`, but not in Python's `query.name` or `f(name=1)`.
pub fn is_variable_reference(node: Node<'_>) -> bool {
    node.kind() == "identifier"
        && node.parent().is_none_or(|parent| {
            let is_field = |field: &str| {
                parent
                    .child_by_field_name(field)
                    .is_some_and(|child| child.id() == node.id())
            };
            !(parent.kind() == "attribute" && is_field("attribute")
                || parent.kind() == "keyword_argument" && is_field("name"))
        })
}
