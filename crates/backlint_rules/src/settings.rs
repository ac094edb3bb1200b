//! Python settings: which files are Django-style settings modules, which of them exist to turn
//! debugging on, and whether a setting's value turns a flag on when nothing overrides it.

use backlint_engine::rule::RuleContext;
use backlint_engine::syntax::Fields;
use tree_sitter::Node;

use crate::paths::test_paths_and;
use crate::text::string_content;

/// Settings modules by path: `settings.py`, `settings/*.py`, `*/settings/**`, `*settings*.py`.
pub fn settings_paths() -> Vec<String> {
    vec!["**/*settings*.py".to_owned(), "**/settings/**".to_owned()]
}

/// Tests, and the settings files whose purpose is a developer's or a test run's machine
/// (`settings/dev.py`, `settings/local_dev.py`, `local_settings.py`, `settings_test.py`).
pub fn test_and_dev_settings_paths() -> Vec<String> {
    test_paths_and(&[
        "**/settings/{dev,local,develop,debug,test,ci}*.py",
        "**/{dev,local,develop,development,debug,test,testing,ci}_settings.py",
        "**/*settings_{dev,local,develop,debug,test,ci}*.py",
    ])
}

/// The target and the value of a `NAME = value` statement at the top level of a module.
pub fn module_assignment(assignment: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let statement = assignment.parent()?;
    let at_top_level = statement.kind() == "expression_statement"
        && statement
            .parent()
            .is_some_and(|module| module.kind() == "module");
    let target = assignment.field("left")?;
    (at_top_level && target.kind() == "identifier").then_some((target, assignment.field("right")?))
}

/// How a value turns a flag on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnedOn<'tree> {
    /// `True`, `1`.
    Literally,
    /// A read of the environment (or of a configuration) whose default, used when the variable
    /// is not set, turns the flag on: the read call.
    ByDefault(Node<'tree>),
}

/// Whether a Python value turns a flag on: `True`; `env.bool("DEBUG", default=True)`,
/// `get_bool_from_env("DEBUG", True)`, `config("DEBUG", default="1", cast=bool)`,
/// `os.getenv("DEBUG", "True") == "True"`, `int(os.environ.get("DEBUG", "1"))`,
/// `os.getenv("DEBUG", "true").lower() in ("true", "1")`. A read without a default, or with a
/// default of `False`/`"False"`/`"0"`, does not.
pub fn turns_on<'tree>(value: Node<'tree>, context: &RuleContext<'_>) -> Option<TurnedOn<'tree>> {
    match value.kind() {
        "true" => Some(TurnedOn::Literally),
        "integer" => (context.text(value) != "0").then_some(TurnedOn::Literally),
        "parenthesized_expression" => turns_on(value.named_child(0)?, context),
        "call" => {
            let (read, default) = environment_read(value, context)?;
            is_truthy(&literal_text(default, context)?).then_some(TurnedOn::ByDefault(read))
        }
        "comparison_operator" => {
            let left = value.named_child(0)?;
            let right = value.named_child(1)?;
            let operator = operator_between(left, right, context);
            let (read, default) = environment_read(left, context)?;
            let default = literal_text(default, context)?;
            let matches = match operator.as_str() {
                "==" | "!=" => literal_text(right, context)? == default,
                "in" | "not in" => {
                    let mut cursor = right.walk();
                    let choices: Vec<Node<'_>> = right.named_children(&mut cursor).collect();
                    choices
                        .into_iter()
                        .any(|choice| literal_text(choice, context).as_deref() == Some(&default))
                }
                _ => return None,
            };
            let negated = matches!(operator.as_str(), "!=" | "not in");
            (matches != negated).then_some(TurnedOn::ByDefault(read))
        }
        _ => None,
    }
}

/// The comparison operator between two operands, its words separated by one space (`not in`).
fn operator_between(left: Node<'_>, right: Node<'_>, context: &RuleContext<'_>) -> String {
    let between = context
        .source
        .text()
        .get(left.end_byte()..right.start_byte())
        .unwrap_or("");
    between.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The call that reads a setting, and its default: a call whose first argument is a string
/// (the variable's name) and which has a second positional argument or a `default=`, seen
/// through `int(…)`/`bool(…)` around it and `.lower()`/`.strip()` after it.
fn environment_read<'tree>(
    value: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, Node<'tree>)> {
    if value.kind() != "call" {
        return None;
    }
    let callee = value.field("function")?;
    let arguments = value.field("arguments")?;
    if callee.kind() == "attribute"
        && matches!(
            callee.field("attribute").map(|method| context.text(method)),
            Some("lower" | "strip" | "upper" | "casefold")
        )
    {
        return environment_read(callee.field("object")?, context);
    }
    let mut cursor = arguments.walk();
    let all: Vec<Node<'tree>> = arguments
        .named_children(&mut cursor)
        .filter(|argument| argument.kind() != "comment")
        .collect();
    let positional: Vec<Node<'tree>> = all
        .iter()
        .copied()
        .filter(|argument| argument.kind() != "keyword_argument")
        .collect();
    if let [only] = positional.as_slice() {
        if only.kind() == "call" {
            return environment_read(*only, context);
        }
    }
    let name = positional.first()?;
    string_content(*name, context)?;
    let default = positional.get(1).copied().or_else(|| {
        all.iter().find_map(|argument| {
            (argument.kind() == "keyword_argument"
                && argument
                    .field("name")
                    .is_some_and(|name| context.text(name) == "default"))
            .then(|| argument.field("value"))
            .flatten()
        })
    })?;
    Some((value, default))
}

/// A literal's value as text to compare: `True` → `true`, `"Yes"` → `yes`, `1` → `1`.
fn literal_text(node: Node<'_>, context: &RuleContext<'_>) -> Option<String> {
    match node.kind() {
        "true" | "false" | "integer" => Some(context.text(node).to_lowercase()),
        "string" => Some(string_content(node, context)?.text.trim().to_lowercase()),
        _ => None,
    }
}

fn is_truthy(literal: &str) -> bool {
    matches!(literal, "true" | "1" | "yes" | "y" | "on" | "t")
}
