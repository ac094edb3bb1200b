//! Error handling: how exceptions are caught.

use backlint_engine::syntax::Fields;
use tree_sitter::Node;

pub mod bare_except;
pub mod broad_except;
pub mod swallowed_error;

/// Whether a handler's body does nothing: no statement, or only `pass`, `...` and comments.
fn does_nothing(body: Node<'_>) -> bool {
    let mut cursor = body.walk();
    let statements: Vec<Node<'_>> = body.named_children(&mut cursor).collect();
    statements
        .into_iter()
        .all(|statement| match statement.kind() {
            "comment" | "pass_statement" | "empty_statement" => true,
            "expression_statement" => statement
                .named_child(0)
                .is_some_and(|expression| expression.kind() == "ellipsis"),
            _ => false,
        })
}

/// The Python handler's body, its caught types, and the name the exception is bound to.
struct PythonHandler<'tree> {
    body: Node<'tree>,
    types: Vec<Node<'tree>>,
    bound: Option<Node<'tree>>,
}

fn python_handler(except_clause: Node<'_>) -> Option<PythonHandler<'_>> {
    let mut cursor = except_clause.walk();
    let body = except_clause
        .named_children(&mut cursor)
        .find(|child| child.kind() == "block")?;
    let mut types = Vec::new();
    let mut bound = except_clause.field("alias");
    let mut value_cursor = except_clause.walk();
    for value in except_clause.children_by_field_name("value", &mut value_cursor) {
        if value.kind() == "as_pattern" {
            // Older grammars: `Exception as error` is one pattern.
            types.extend(value.named_child(0));
            bound = bound.or_else(|| value.field("alias"));
        } else {
            types.push(value);
        }
    }
    Some(PythonHandler { body, types, bound })
}
