//! command-injection: a shell command built from values (interpolation, concatenation, `%`,
//! `.format()`) and run through a shell, where a value can end the command and start another.

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{member_parts, unwrap_parentheses, Fields};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and, TOOLING_PATHS};
use crate::syntax::{is_constant_value, latest_assignment, qualified_name, top_level_assignment};
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "command-injection",
    docs: include_str!("../../../../rules/command-injection.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files whose commands are built from what the developer running them typed:
    /// tests, scripts, command-line tools, build and docs tooling.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(TOOLING_PATHS),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    Ok(Box::new(CommandInjection { ignore_paths }))
}

fn command_injection_message(call: &str, value: &str, advice: &str) -> String {
    format!("`{call}` runs a shell command built from `{value}`, which can end the command and start another: {advice}")
}

const PYTHON_ADVICE: &str = "pass the program and its arguments as a list without `shell=True`, or quote the value with `shlex.quote`.";
const JS_ADVICE: &str =
    "use `execFile` or `spawn` with an array of arguments, and without `shell: true`.";

/// Python calls that always run their command through a shell.
const PYTHON_SHELL_CALLS: &[&str] = &[
    "os.system",
    "os.popen",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "asyncio.create_subprocess_shell",
];

/// Python calls that run their command through a shell with `shell=True`.
const PYTHON_SHELL_OPTION_CALLS: &[&str] = &[
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
];

/// Node calls that always run their command through a shell.
const JS_SHELL_CALLS: &[&str] = &["child_process.exec", "child_process.execSync"];

/// Node calls that run through a shell with `{ shell: true }`.
const JS_SHELL_OPTION_CALLS: &[&str] = &[
    "child_process.spawn",
    "child_process.spawnSync",
    "child_process.execFile",
    "child_process.execFileSync",
];

/// Values that are not text someone else chose: the running interpreter's path.
const TRUSTED_VALUES: &[&str] = &["sys.executable", "process.execPath"];

/// How many assignments back a command's origin is followed.
const MAX_DEPTH: usize = 4;

struct CommandInjection {
    ignore_paths: GlobSet,
}

impl Rule for CommandInjection {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &["call_expression"],
            Language::Python => &["call"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let (Some(callee), Some(arguments)) = (node.field("function"), node.field("arguments"))
        else {
            return;
        };
        let Some((value, advice)) = injected_value(callee, arguments, context) else {
            return;
        };
        let message = command_injection_message(
            &compact(context.text(callee)),
            &compact(context.text(value)),
            advice,
        );
        context.report(node, message);
    }
}

/// The first value that a shell command run by this call is built from and that is not a
/// constant, with the advice for the language.
fn injected_value<'tree>(
    callee: Node<'tree>,
    arguments: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, &'static str)> {
    let mut cursor = arguments.walk();
    let positional: Vec<Node<'tree>> = arguments
        .named_children(&mut cursor)
        .filter(|argument| !matches!(argument.kind(), "comment" | "keyword_argument"))
        .collect();
    let command = positional.first().copied()?;
    if callee.kind() == "identifier" || member_parts(callee).is_some() {
        let name = qualified_name(callee, context).or_else(|| promisified(callee, context));
        let name = name.as_deref().unwrap_or("");
        if PYTHON_SHELL_CALLS.contains(&name)
            || PYTHON_SHELL_OPTION_CALLS.contains(&name)
                && has_shell_true_keyword(arguments, context)
        {
            return built_value(command, context, 0).map(|value| (value, PYTHON_ADVICE));
        }
        if JS_SHELL_CALLS.contains(&name) {
            return built_value(command, context, 0).map(|value| (value, JS_ADVICE));
        }
        if JS_SHELL_OPTION_CALLS.contains(&name)
            && positional
                .iter()
                .any(|argument| has_shell_true_option(*argument, context))
        {
            let in_arguments = positional
                .get(1)
                .filter(|argument| argument.kind() == "array")
                .and_then(|array| {
                    let mut cursor = array.walk();
                    let elements: Vec<Node<'tree>> = array.named_children(&mut cursor).collect();
                    elements
                        .into_iter()
                        .find(|element| !is_safe(*element, context, 0))
                });
            return built_value(command, context, 0)
                .or(in_arguments)
                .map(|value| (value, JS_ADVICE));
        }
    }
    None
}

/// `const run = promisify(exec)` or `util.promisify(child_process.exec)`, in the function or
/// at the top of the module: the name of what was promisified.
fn promisified(callee: Node<'_>, context: &RuleContext<'_>) -> Option<String> {
    // Looking for the assignment costs a walk of the function; a file that does not import
    // `util` cannot have made the name with `util.promisify`.
    let imports = context.semantic.imports();
    if callee.kind() != "identifier"
        || !(imports.has_module("util") || imports.has_module("node:util"))
    {
        return None;
    }
    let (_, value) = latest_assignment(callee, callee, context)
        .or_else(|| top_level_assignment(callee, context))?;
    let function = value.field("function")?;
    if qualified_name(function, context).as_deref() != Some("util.promisify") {
        return None;
    }
    let wrapped = value.field("arguments")?.named_child(0)?;
    qualified_name(wrapped, context)
}

/// `shell=True` among a Python call's keyword arguments.
fn has_shell_true_keyword(arguments: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut cursor = arguments.walk();
    let found = arguments.named_children(&mut cursor).any(|argument| {
        argument.kind() == "keyword_argument"
            && argument
                .field("name")
                .is_some_and(|name| context.text(name) == "shell")
            && argument
                .field("value")
                .is_some_and(|value| value.kind() == "true")
    });
    found
}

/// `{ shell: true }` (a literal `true`; `shell: process.platform === "win32"` is left alone).
fn has_shell_true_option(argument: Node<'_>, context: &RuleContext<'_>) -> bool {
    if argument.kind() != "object" {
        return false;
    }
    let mut cursor = argument.walk();
    let found = argument.named_children(&mut cursor).any(|pair| {
        pair.kind() == "pair"
            && pair
                .field("key")
                .is_some_and(|key| context.text(key).trim_matches(['"', '\'']) == "shell")
            && pair
                .field("value")
                .is_some_and(|value| value.kind() == "true")
    });
    found
}

/// The first unsafe value a command string is built from: directly (template strings,
/// f-strings, `+`, `%`, `.format()`), or through a variable the same function assigned a built
/// string to. `None` for a command that is not built here (a constant, a parameter).
fn built_value<'tree>(
    command: Node<'tree>,
    context: &RuleContext<'_>,
    depth: usize,
) -> Option<Node<'tree>> {
    if depth > MAX_DEPTH {
        return None;
    }
    if command.kind() == "identifier" {
        let (_, assigned) = latest_assignment(command, command, context)?;
        return built_value(assigned, context, depth + 1);
    }
    pasted_values(command, context)?
        .into_iter()
        .find(|value| !is_safe(*value, context, depth))
}

/// The values a string expression pastes together; `None` when it does not build a string.
fn pasted_values<'tree>(
    expression: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<Vec<Node<'tree>>> {
    let mut cursor = expression.walk();
    match expression.kind() {
        "template_string" | "string" => {
            let parts: Vec<Node<'tree>> = expression
                .named_children(&mut cursor)
                .filter(|child| matches!(child.kind(), "template_substitution" | "interpolation"))
                .filter_map(|part| part.named_child(0))
                .collect();
            (!parts.is_empty()).then_some(parts)
        }
        "binary_expression" | "binary_operator" => {
            let operator = expression.field("operator")?;
            let left = expression.field("left")?;
            let right = expression.field("right")?;
            match context.text(operator) {
                "+" => {
                    // Flattened with a stack, not by recursion: a concatenation nests as deep
                    // as it is long.
                    let mut operands = Vec::new();
                    let mut pending = vec![right, left];
                    while let Some(side) = pending.pop() {
                        let is_binary =
                            matches!(side.kind(), "binary_expression" | "binary_operator");
                        if let Some((left, right)) =
                            is_binary.then(|| sum_operands(side, context)).flatten()
                        {
                            pending.push(right);
                            pending.push(left);
                            continue;
                        }
                        match pasted_values(side, context) {
                            Some(values) if is_binary => operands.extend(values),
                            _ => operands.push(side),
                        }
                    }
                    Some(operands)
                }
                "%" if left.kind() == "string" => Some(match right.kind() {
                    "tuple" | "dictionary" => {
                        let mut inner = right.walk();
                        let values = right
                            .named_children(&mut inner)
                            .filter_map(|element| {
                                if element.kind() == "pair" {
                                    element.field("value")
                                } else {
                                    Some(element)
                                }
                            })
                            .collect();
                        values
                    }
                    _ => vec![right],
                }),
                _ => None,
            }
        }
        // "convert {} {}".format(source, target)
        "call" => {
            let (object, method) = member_parts(expression.field("function")?)?;
            if object.kind() != "string" || context.text(method) != "format" {
                return None;
            }
            let arguments = expression.field("arguments")?;
            let values = arguments
                .named_children(&mut cursor)
                .filter_map(|argument| {
                    if argument.kind() == "keyword_argument" {
                        argument.field("value")
                    } else {
                        Some(argument)
                    }
                })
                .collect();
            Some(values)
        }
        "parenthesized_expression" => match unwrap_parentheses(expression) {
            inner if inner.kind() == "parenthesized_expression" => None,
            inner => pasted_values(inner, context),
        },
        _ => None,
    }
}

/// The two sides of a binary `a + b`.
fn sum_operands<'tree>(
    expression: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, Node<'tree>)> {
    let operator = expression.field("operator")?;
    if context.text(operator) != "+" {
        return None;
    }
    Some((expression.field("left")?, expression.field("right")?))
}

/// A value that cannot change a command's meaning: a constant, a quoted value
/// (`shlex.quote(x)`, `shellescape(x)`), a number, the interpreter's path, or a string built
/// only from such values.
fn is_safe(value: Node<'_>, context: &RuleContext<'_>, depth: usize) -> bool {
    if is_constant_value(value, context) || TRUSTED_VALUES.contains(&context.text(value)) {
        return true;
    }
    match value.kind() {
        "call" | "call_expression" => value.field("function").is_some_and(|function| {
            let name = context.text(function);
            let last = name.rsplit('.').next().unwrap_or(name).to_lowercase();
            last.contains("quote")
                || last.contains("escape")
                || matches!(
                    name,
                    "shlex.join" | "int" | "float" | "len" | "Number" | "parseInt" | "parseFloat"
                )
        }),
        "unary_expression" => value
            .field("operator")
            .is_some_and(|operator| matches!(context.text(operator), "+" | "-")),
        "identifier" => {
            depth < MAX_DEPTH
                && latest_assignment(value, value, context).is_some_and(|(_, assigned)| {
                    pasted_values(assigned, context).is_some_and(|values| {
                        values
                            .into_iter()
                            .all(|part| is_safe(part, context, depth + 1))
                    })
                })
        }
        _ => pasted_values(value, context).is_some_and(|values| {
            depth < MAX_DEPTH
                && values
                    .into_iter()
                    .all(|part| is_safe(part, context, depth + 1))
        }),
    }
}
