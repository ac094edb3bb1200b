//! The function around a node, and the parts of nodes that the rules read alike.

use backlint_engine::rule::RuleContext;
use backlint_engine::semantic::Imported;
use backlint_engine::syntax::{member_parts, unwrap_parentheses, Fields};
use tree_sitter::Node;

use crate::names::is_constant_name;

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

/// The names a function's parameters bind, destructured ones included; not the names in their
/// types or default values.
pub fn parameter_names<'context>(
    function: Node<'_>,
    context: &'context RuleContext<'_>,
) -> Vec<&'context str> {
    let parameters = function
        .field("parameters")
        .or_else(|| function.field("parameter"));
    let mut names = Vec::new();
    let mut pending: Vec<Node<'_>> = parameters.into_iter().collect();
    while let Some(node) = pending.pop() {
        if matches!(
            node.kind(),
            "identifier" | "shorthand_property_identifier_pattern"
        ) {
            names.push(context.text(node));
            continue;
        }
        let mut cursor = node.walk();
        for (index, child) in node.named_children(&mut cursor).enumerate() {
            let field = node.field_name_for_named_child(index as u32);
            let is_binding = !matches!(field, Some("type" | "value" | "key"))
                && !matches!(child.kind(), "type_annotation" | "decorator" | "comment");
            if is_binding {
                pending.push(child);
            }
        }
    }
    names
}

/// The target and the value of an assignment or a declaration: `x = v`, `x += v`,
/// `const x = v`, Python `x = v`; `None` for any other node, and for a declaration without a
/// value.
pub fn assignment_parts(node: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    match node.kind() {
        "variable_declarator" => Some((node.field("name")?, node.field("value")?)),
        "assignment_expression"
        | "assignment"
        | "augmented_assignment_expression"
        | "augmented_assignment" => Some((node.field("left")?, node.field("right")?)),
        _ => None,
    }
}

/// Whether an identifier names a variable, not an attribute or a keyword argument: `name` in
/// `f(name)`, but not in Python's `query.name` or `f(name=1)`.
pub fn is_variable_reference(node: Node<'_>) -> bool {
    node.kind() == "identifier"
        && node.parent().is_none_or(|parent| {
            let is_field = |field: &'static str| {
                parent
                    .field(field)
                    .is_some_and(|child| child.id() == node.id())
            };
            !(parent.kind() == "attribute" && is_field("attribute")
                || parent.kind() == "keyword_argument" && is_field("name"))
        })
}

/// The top-level `const name = …` or `NAME = …` of the module.
pub fn top_level_assignment<'tree>(
    name: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, Node<'tree>)> {
    let wanted = context.text(name);
    let mut root = name;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    let mut cursor = root.walk();
    let statements: Vec<Node<'tree>> = root.named_children(&mut cursor).collect();
    statements.into_iter().rev().find_map(|statement| {
        let mut inner = statement.walk();
        let candidates: Vec<Node<'tree>> = std::iter::once(statement)
            .chain(statement.named_children(&mut inner))
            .collect();
        candidates.into_iter().find_map(|node| {
            let (target, value) = assignment_parts(node)?;
            (context.text(target) == wanted).then_some((node, value))
        })
    })
}

/// The latest assignment to `name` before `call` in the function around it: the node that
/// assigns, and the value assigned.
pub fn latest_assignment<'tree>(
    name: Node<'tree>,
    call: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, Node<'tree>)> {
    let wanted = context.text(name);
    let scope = enclosing_function(call);
    let mut latest = None;
    let mut pending = vec![scope];
    while let Some(node) = pending.pop() {
        if node.start_byte() >= call.start_byte() {
            continue;
        }
        if let Some((target, value)) = assignment_parts(node) {
            // An assignment that holds the use (`value = "(%s)" % value`) is not its origin.
            if context.text(target) == wanted && node.end_byte() <= call.start_byte() {
                let is_later = latest.is_none_or(|(previous, _): (Node<'tree>, Node<'tree>)| {
                    previous.start_byte() < node.start_byte()
                });
                if is_later {
                    latest = Some((node, value));
                }
            }
        }
        let mut cursor = node.walk();
        pending.extend(
            node.named_children(&mut cursor)
                .filter(|child| !is_function(*child)),
        );
    }
    latest
}

/// The dotted name an expression refers to, read through the file's imports: `pickle.loads`
/// for `pickle.loads`, `loads` (`from pickle import loads`) and `pk.loads` (`import pickle as
/// pk`); `child_process.exec` for `cp.exec` (`import cp from "node:child_process"`), a
/// destructured `exec` and `require("child_process").exec`. `None` when the expression does
/// not start with an imported name (a local variable, `self`, a call's result).
pub fn qualified_name(expression: Node<'_>, context: &RuleContext<'_>) -> Option<String> {
    match expression.kind() {
        "identifier" => {
            let name = context.text(expression);
            let import = context.semantic.imports().resolve(name)?;
            let module = import
                .module
                .strip_prefix("node:")
                .unwrap_or(&import.module);
            match &import.imported {
                Imported::Named(imported) => Some(format!("{module}.{imported}")),
                // `import os.path` binds `os`, the package, not `os.path`.
                Imported::Module
                    if module
                        .strip_prefix(name)
                        .is_some_and(|rest| rest.starts_with('.')) =>
                {
                    Some(name.to_owned())
                }
                Imported::Module | Imported::Default => Some(module.to_owned()),
            }
        }
        "member_expression" | "attribute" => {
            let (object, property) = member_parts(expression)?;
            let object = qualified_name(object, context)?;
            Some(format!("{object}.{}", context.text(property)))
        }
        "call_expression" => {
            let callee = expression.field("function")?;
            let argument = expression.field("arguments")?.named_child(0)?;
            if context.text(callee) != "require" || argument.kind() != "string" {
                return None;
            }
            let module = context.text(argument).trim_matches(['"', '\'', '`']);
            Some(module.strip_prefix("node:").unwrap_or(module).to_owned())
        }
        "parenthesized_expression" => qualified_name(expression.named_child(0)?, context),
        _ => None,
    }
}

/// Whether an expression is a constant: a literal (a string without interpolation, a number,
/// `True`, `null`…), an `UPPER_CASE` name or member (`settings.FFMPEG`), or a name last bound
/// to a literal in its function or at the top of the module.
pub fn is_constant_value(value: Node<'_>, context: &RuleContext<'_>) -> bool {
    match value.kind() {
        "string" | "template_string" => {
            let mut cursor = value.walk();
            let interpolated = value
                .named_children(&mut cursor)
                .any(|child| matches!(child.kind(), "interpolation" | "template_substitution"));
            !interpolated
        }
        "concatenated_string" => {
            let mut cursor = value.walk();
            let all_constant = value
                .named_children(&mut cursor)
                .all(|part| is_constant_value(part, context));
            all_constant
        }
        "number" | "integer" | "float" | "true" | "false" | "none" | "null" | "undefined" => true,
        "identifier" => {
            is_constant_name(context.text(value))
                || latest_assignment(value, value, context)
                    .or_else(|| top_level_assignment(value, context))
                    .is_some_and(|(_, assigned)| is_literal(assigned))
        }
        "member_expression" | "attribute" => member_parts(value)
            .is_some_and(|(_, property)| is_constant_name(context.text(property))),
        "parenthesized_expression" => {
            let inner = unwrap_parentheses(value);
            inner.kind() != "parenthesized_expression" && is_constant_value(inner, context)
        }
        _ => false,
    }
}

/// A string without interpolation, or a number.
fn is_literal(value: Node<'_>) -> bool {
    let mut cursor = value.walk();
    match value.kind() {
        "string" | "template_string" => !value
            .named_children(&mut cursor)
            .any(|child| matches!(child.kind(), "interpolation" | "template_substitution")),
        "number" | "integer" | "float" => true,
        _ => false,
    }
}
