//! Reading the syntax tree: walking a subtree, and the definitions at a file's top level.

use std::cell::RefCell;
use std::num::NonZeroU16;

use tree_sitter::{Language, Node};

use crate::source::Source;

/// A node's child by field name, like `Node::child_by_field_name`, with the name's id looked
/// up once per grammar and thread rather than at each call: tree-sitter finds it by comparing
/// the name with each of the grammar's field names, which cost 5% of a whole check.
pub trait Fields<'tree> {
    fn field(&self, name: &'static str) -> Option<Node<'tree>>;
}

/// A grammar's field ids, by the address and length of the `&'static str` that names them.
type FieldIds = Vec<((usize, usize), Option<NonZeroU16>)>;

thread_local! {
    /// The field ids of each grammar met on this thread.
    static FIELD_IDS: RefCell<Vec<(Language, FieldIds)>> = const { RefCell::new(Vec::new()) };
}

impl<'tree> Fields<'tree> for Node<'tree> {
    fn field(&self, name: &'static str) -> Option<Node<'tree>> {
        let language = self.language();
        let key = (name.as_ptr() as usize, name.len());
        let id = FIELD_IDS.with(|grammars| {
            let mut grammars = grammars.borrow_mut();
            let index = match grammars.iter().position(|(known, _)| *known == *language) {
                Some(index) => index,
                None => {
                    grammars.push(((*language).clone(), Vec::new()));
                    grammars.len() - 1
                }
            };
            let ids = &mut grammars[index].1;
            match ids.iter().find(|(known, _)| *known == key) {
                Some((_, id)) => *id,
                None => {
                    let id = language.field_id_for_name(name);
                    ids.push((key, id));
                    id
                }
            }
        })?;
        self.child_by_field_id(id.get())
    }
}

/// Every node of the subtree at `root` (`root` included, anonymous tokens too), parents before
/// their children. One tree cursor, no allocation per node; it cannot leave the subtree.
pub fn preorder(root: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    preorder_pruned(root, |_| true)
}

/// The expression inside any number of parentheses: `x` for `((x))`. A loop, since a file
/// can nest parentheses deeper than a recursion could follow.
pub fn unwrap_parentheses(mut node: Node<'_>) -> Node<'_> {
    while node.kind() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// Like [`preorder`], but without the descendants of the nodes for which `enter` is false (those
/// nodes themselves are visited): a search that cannot find anything inside some kinds of
/// node skips them whole.
pub fn preorder_pruned<'tree>(
    root: Node<'tree>,
    mut enter: impl FnMut(Node<'tree>) -> bool,
) -> impl Iterator<Item = Node<'tree>> {
    let mut cursor = root.walk();
    let mut finished = false;
    std::iter::from_fn(move || {
        if finished {
            return None;
        }
        let node = cursor.node();
        if !(enter(node) && cursor.goto_first_child()) {
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
            "export_statement" => statement.field("declaration"),
            "decorated_definition" => statement.field("definition"),
            _ => Some(statement),
        };
        let Some(definition) = definition else {
            continue;
        };
        match definition.kind() {
            "function_declaration" | "generator_function_declaration" | "function_definition" => {
                if let Some(name) = definition.field("name") {
                    definitions.push((text(name), definition));
                }
            }
            "lexical_declaration" | "variable_declaration" => {
                let mut declarators = definition.walk();
                for declarator in definition.named_children(&mut declarators) {
                    if let (Some(name), Some(value)) =
                        (declarator.field("name"), declarator.field("value"))
                    {
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
        "member_expression" => node.field("property")?,
        "attribute" => node.field("attribute")?,
        _ => return None,
    };
    Some((node.field("object")?, property))
}
