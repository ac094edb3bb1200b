//! Reading the syntax tree: walking a subtree, and the definitions at a file's top level.

use tree_sitter::Node;

use crate::source::Source;

/// Every node of the subtree at `root` (`root` included, anonymous tokens too), parents before
/// their children. One tree cursor, no allocation per node; it cannot leave the subtree.
pub fn preorder(root: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut cursor = root.walk();
    let mut finished = false;
    std::iter::from_fn(move || {
        if finished {
            return None;
        }
        let node = cursor.node();
        if !cursor.goto_first_child() {
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    finished = true;
                    break;
                }
            }
        }
        Some(node)
    })
}

/// The named definitions at the top level of a file, exported or decorated or not, each with
/// the node that gives its value: `function f() {}` and `def f():` (the definition itself),
/// `const f = () => {}` and `const app = express()` (the initial value).
pub fn top_level_definitions<'tree>(
    root: Node<'tree>,
    source: &Source,
) -> Vec<(String, Node<'tree>)> {
    let text = |node: Node<'_>| source.text()[node.byte_range()].to_owned();
    let mut definitions = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        let definition = match statement.kind() {
            "export_statement" => statement.child_by_field_name("declaration"),
            "decorated_definition" => statement.child_by_field_name("definition"),
            _ => Some(statement),
        };
        let Some(definition) = definition else {
            continue;
        };
        match definition.kind() {
            "function_declaration" | "generator_function_declaration" | "function_definition" => {
                if let Some(name) = definition.child_by_field_name("name") {
                    definitions.push((text(name), definition));
                }
            }
            "lexical_declaration" | "variable_declaration" => {
                let mut declarators = definition.walk();
                for declarator in definition.named_children(&mut declarators) {
                    if let (Some(name), Some(value)) = (
                        declarator.child_by_field_name("name"),
                        declarator.child_by_field_name("value"),
                    ) {
                        definitions.push((text(name), value));
                    }
                }
            }
            _ => {}
        }
    }
    definitions
}

/// Whether a node is a function expression (`() => {}`, `function () {}`), as a value.
pub fn is_function_expression(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "arrow_function" | "function_expression" | "function"
    )
}

/// The object and the property of a member access, in either grammar: `a.b` is
/// `member_expression` in TypeScript and JavaScript, `attribute` in Python.
pub fn member_parts(node: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let property = match node.kind() {
        "member_expression" => node.child_by_field_name("property")?,
        "attribute" => node.child_by_field_name("attribute")?,
        _ => return None,
    };
    Some((node.child_by_field_name("object")?, property))
}
