//! sql-injection: SQL text built from values (interpolation, concatenation, `%`, `.format()`,
//! f-strings) and passed to a raw query API, instead of sending the values as parameters.

use backlint_engine::rule::{parse_options, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::{Grammar, Language};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::names::word_parts;
use crate::paths::{glob_set, test_paths_and};
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "sql-injection",
    docs: include_str!("../../../../rules/sql-injection.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files whose SQL does not handle outside input: tests, and schema migrations,
    /// whose DDL interpolates the names of tables and constraints.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(&["**/migrations/**", "**/alembic/versions/**"]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    Ok(Box::new(SqlInjection { ignore_paths }))
}

fn sql_injection_message(api: &str, value: &str, advice: &str) -> String {
    format!("SQL built from `{value}` is passed to `{api}`: {advice}")
}

const PARAMETERS_ADVICE: &str = "send the values as query parameters instead of building the text.";
const PRISMA_ADVICE: &str = "use the tagged template `$queryRaw`/`$executeRaw` (or `Prisma.sql`), which sends the values as parameters.";

/// JavaScript raw query methods, and the advice for each.
const JS_QUERY_METHODS: &[(&str, &str)] = &[
    ("$queryRawUnsafe", PRISMA_ADVICE),
    ("$executeRawUnsafe", PRISMA_ADVICE),
    ("query", PARAMETERS_ADVICE),
    ("execute", PARAMETERS_ADVICE),
    ("raw", PARAMETERS_ADVICE),
];

/// Python raw query functions and methods.
const PYTHON_QUERY_METHODS: &[&str] = &[
    "execute",
    "executemany",
    "executescript",
    "raw",
    "extra",
    "text",
    "RawSQL",
];

/// Words that make a string SQL: a method named `query` or `execute` takes many other things
/// (GraphQL documents, shell commands), so the text must read as SQL too.
const SQL_KEYWORDS: &[&str] = &[
    "select ",
    "insert ",
    "update ",
    "delete ",
    " from ",
    " where ",
    " set ",
    "create ",
    "drop ",
    "alter ",
    " join ",
    " values",
    "order by",
    "group by",
    "truncate ",
];

struct SqlInjection {
    ignore_paths: GlobSet,
}

impl Rule for SqlInjection {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &["call_expression"],
            Language::Python => &["call"],
        }
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(callee) = node.child_by_field_name("function") else {
            return;
        };
        let Some(arguments) = node.child_by_field_name("arguments") else {
            return;
        };
        // A tagged template (`prisma.$queryRaw\`…${id}\``, `sql\`…\``) sends values as parameters.
        if arguments.kind() == "template_string" {
            return;
        }
        let Some(method) = called_name(callee, context) else {
            return;
        };
        let advice = match context.grammar {
            Grammar::Python => {
                if !PYTHON_QUERY_METHODS.contains(&method) {
                    return;
                }
                PARAMETERS_ADVICE
            }
            Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript => {
                let Some((_, advice)) = JS_QUERY_METHODS.iter().find(|(name, _)| *name == method)
                else {
                    return;
                };
                if method == "raw" && !is_raw_sql_object(callee, context) {
                    return;
                }
                advice
            }
        };
        let Some(sql) = sql_argument(arguments) else {
            return;
        };
        if self.ignore_paths.is_match(&context.source.path) {
            return;
        }
        let mut cursor = arguments.walk();
        let has_parameters = arguments
            .named_children(&mut cursor)
            .filter(|argument| argument.kind() != "comment")
            .count()
            > 1;
        let Some(built) = built_sql(sql, node, context) else {
            return;
        };
        // With values sent as parameters next to the text, what is pasted into the text is
        // usually a fragment or an identifier the author built on purpose; only a value pasted
        // between SQL quotes (`'${email}'`) is still an injection.
        if has_parameters && !is_quoted_in_sql(built.value, context) {
            return;
        }
        let api = compact(context.text(callee));
        let message = sql_injection_message(&api, &compact(context.text(built.value)), advice);
        let finding = context.report(sql, message);
        if let Some(origin) = built.origin {
            finding
                .related
                .push((origin, "the SQL text is built here".to_owned()));
        }
    }
}

/// Whether an interpolated value sits between SQL string quotes: `'${email}'`, `'{email}'`.
fn is_quoted_in_sql(value: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(part) = value.parent() else {
        return false;
    };
    context.source.text()[..part.start_byte()].ends_with('\'')
}

/// `db.query` → `query`, `text` → `text`.
fn called_name<'source>(callee: Node<'_>, context: &RuleContext<'source>) -> Option<&'source str> {
    let name = match callee.kind() {
        "identifier" => callee,
        "member_expression" => callee.child_by_field_name("property")?,
        "attribute" => callee.child_by_field_name("attribute")?,
        _ => return None,
    };
    Some(&context.source.text()[name.byte_range()])
}

/// `knex.raw`, `db.raw`, `Prisma.raw`, `trx.raw`: the objects whose `raw` takes SQL.
fn is_raw_sql_object(callee: Node<'_>, context: &RuleContext<'_>) -> bool {
    let object = callee
        .child_by_field_name("object")
        .map_or("", |object| context.text(object));
    let last = object.rsplit('.').next().unwrap_or(object);
    matches!(
        last,
        "knex" | "db" | "Prisma" | "trx" | "tx" | "sequelize" | "database" | "connection" | "conn"
    )
}

/// The argument that holds the SQL: the first positional one (Django's `.extra` takes it as
/// `where=`/`select=`, which are left to a later version).
fn sql_argument(arguments: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = arguments.walk();
    let first = arguments
        .named_children(&mut cursor)
        .find(|argument| argument.kind() != "comment");
    first.filter(|argument| argument.kind() != "keyword_argument")
}

/// A built SQL string: the value interpolated into it, and where it was built when that was
/// in a variable first.
struct Built<'tree> {
    value: Node<'tree>,
    origin: Option<std::ops::Range<usize>>,
}

/// Whether `sql` is SQL text built from a non-constant value, directly or through a variable
/// assigned earlier in the same function.
fn built_sql<'tree>(
    sql: Node<'tree>,
    call: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<Built<'tree>> {
    if matches!(sql.kind(), "identifier") {
        let (definition, assigned) = latest_assignment(sql, call, context)?;
        let value = built_value(assigned, context)?;
        return Some(Built {
            value,
            origin: Some(definition.byte_range()),
        });
    }
    let value = built_value(sql, context)?;
    Some(Built {
        value,
        origin: None,
    })
}

/// The first non-constant value that an SQL-looking string expression is built from.
fn built_value<'tree>(expression: Node<'tree>, context: &RuleContext<'_>) -> Option<Node<'tree>> {
    let interpolated: Vec<Node<'tree>> = match expression.kind() {
        // `\`SELECT … ${id}\``, f"SELECT … {id}"
        "template_string" | "string" => {
            let mut cursor = expression.walk();
            let parts: Vec<Node<'tree>> = expression
                .named_children(&mut cursor)
                .filter(|child| matches!(child.kind(), "template_substitution" | "interpolation"))
                .filter_map(|part| part.named_child(0))
                .collect();
            parts
        }
        // `"SELECT … " + id`, "SELECT … %s" % id
        "binary_expression" | "binary_operator" => {
            let operator = expression
                .child_by_field_name("operator")
                .map_or("", |operator| context.text(operator));
            if !matches!(operator, "+" | "%") {
                return None;
            }
            let (Some(left), Some(right)) = (
                expression.child_by_field_name("left"),
                expression.child_by_field_name("right"),
            ) else {
                return None;
            };
            if operator == "%" && left.kind() != "string" {
                return None;
            }
            let mut operands = Vec::new();
            collect_operands(left, &mut operands, context);
            collect_operands(right, &mut operands, context);
            operands
        }
        // "SELECT … {}".format(id)
        "call" => {
            let function = expression.child_by_field_name("function")?;
            let object = function.child_by_field_name("object")?;
            let is_format = function.kind() == "attribute"
                && function
                    .child_by_field_name("attribute")
                    .is_some_and(|method| context.text(method) == "format")
                && object.kind() == "string";
            if !is_format {
                return None;
            }
            let mut cursor = expression.child_by_field_name("arguments")?.walk();
            let arguments: Vec<Node<'tree>> = expression
                .child_by_field_name("arguments")?
                .named_children(&mut cursor)
                .collect();
            arguments
        }
        _ => return None,
    };
    if !reads_as_sql(context.text(expression)) {
        return None;
    }
    interpolated
        .into_iter()
        .find(|value| !is_constant(*value, context))
}

/// The leaves of a `+` chain that are not string literals.
fn collect_operands<'tree>(
    node: Node<'tree>,
    operands: &mut Vec<Node<'tree>>,
    context: &RuleContext<'_>,
) {
    let is_plus = matches!(node.kind(), "binary_expression" | "binary_operator")
        && node
            .child_by_field_name("operator")
            .is_some_and(|operator| context.text(operator) == "+");
    if is_plus {
        if let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) {
            collect_operands(left, operands, context);
            collect_operands(right, operands, context);
        }
        return;
    }
    if matches!(node.kind(), "template_string" | "string") {
        let mut cursor = node.walk();
        let parts: Vec<Node<'tree>> = node
            .named_children(&mut cursor)
            .filter(|child| matches!(child.kind(), "template_substitution" | "interpolation"))
            .filter_map(|part| part.named_child(0))
            .collect();
        operands.extend(parts);
        return;
    }
    operands.push(node);
}

/// Whether a text reads as a query that takes values: two SQL keywords, and not DDL
/// (`CREATE`, `ALTER`, `DROP`…), whose table and constraint names cannot be sent as
/// parameters at all, so building it is the only way.
fn reads_as_sql(text: &str) -> bool {
    let lowered = text
        .to_lowercase()
        .replace(['\n', '\t', '`', '"', '\'', '(', '{', '$'], " ");
    let first_word = lowered.split_whitespace().find(|word| {
        word.chars()
            .all(|character| character.is_ascii_alphabetic())
    });
    if matches!(
        first_word,
        Some(
            "create"
                | "alter"
                | "drop"
                | "truncate"
                | "comment"
                | "grant"
                | "revoke"
                | "vacuum"
                | "analyze"
        )
    ) {
        return false;
    }
    SQL_KEYWORDS
        .iter()
        .filter(|keyword| lowered.contains(*keyword))
        .count()
        >= 2
}

/// Constants are safe to interpolate: literals, `UPPER_CASE` names, and names bound once to a
/// literal (a table name in a `const`).
/// The last words of names that hold SQL identifiers (a table, a column, a constraint), which
/// DDL and dynamic queries interpolate by design.
const IDENTIFIER_WORDS: &[&str] = &[
    "table",
    "tables",
    "column",
    "columns",
    "schema",
    "constraint",
    "constraints",
    "index",
    "slot",
    "publication",
    "database",
    "db",
    "identifier",
];

/// Calls that quote or escape what they return (`connection.ops.quote_name(…)`,
/// `escapeIdentifier(…)`, psycopg's `sql.Identifier(…)`).
fn is_quoting_call(value: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(function) = value.child_by_field_name("function") else {
        return false;
    };
    let name = context.text(function).to_lowercase();
    ["quote", "escape", "identifier", "qn"].iter().any(|word| {
        name.rsplit('.')
            .next()
            .is_some_and(|last| last.contains(word))
    })
}

fn names_an_identifier(value: Node<'_>, context: &RuleContext<'_>) -> bool {
    let text = context.text(value);
    if text.contains("_meta") {
        return true;
    }
    let name = text.rsplit(['.', '>']).next().unwrap_or(text);
    word_parts(name)
        .last()
        .is_some_and(|word| IDENTIFIER_WORDS.contains(&word.as_str()))
}

fn is_constant(value: Node<'_>, context: &RuleContext<'_>) -> bool {
    if names_an_identifier(value, context) {
        return true;
    }
    match value.kind() {
        "call" | "call_expression" => is_quoting_call(value, context),
        // `+expire`, `Number(x)`: numbers cannot carry SQL.
        "unary_expression" => value
            .child_by_field_name("operator")
            .is_some_and(|operator| matches!(context.text(operator), "+" | "-")),
        "number" | "integer" | "float" | "true" | "false" | "none" | "null" | "undefined" => true,
        "string" => {
            let mut cursor = value.walk();
            let interpolated = value
                .named_children(&mut cursor)
                .any(|child| matches!(child.kind(), "interpolation" | "template_substitution"));
            !interpolated
        }
        "identifier" => {
            let name = context.text(value);
            let upper_case = name.len() > 1
                && name.chars().all(|character| {
                    character.is_ascii_uppercase() || character.is_ascii_digit() || character == '_'
                });
            upper_case || bound_to_literal(value, context)
        }
        "member_expression" | "attribute" => {
            // `Tables.USERS`, `this.TABLE`, `settings.DB_TABLE`
            let property = value
                .child_by_field_name("property")
                .or_else(|| value.child_by_field_name("attribute"));
            property.is_some_and(|property| {
                is_constant(property, context) || {
                    let name = context.text(property);
                    name.chars()
                        .all(|character| character.is_ascii_uppercase() || character == '_')
                }
            })
        }
        "property_identifier" => {
            let name = context.text(value);
            name.chars()
                .all(|character| character.is_ascii_uppercase() || character == '_')
        }
        _ => false,
    }
}

/// Whether a name was last bound to a literal (`const table = "orders"`), in its function or
/// at the top of the module.
fn bound_to_literal(name: Node<'_>, context: &RuleContext<'_>) -> bool {
    let assigned =
        latest_assignment(name, name, context).or_else(|| top_level_assignment(name, context));
    assigned.is_some_and(|(_, value)| {
        matches!(value.kind(), "number" | "integer" | "float")
            || value.kind() == "string" && is_constant(value, context)
    })
}

/// The top-level `const name = …` or `NAME = …` of the module.
fn top_level_assignment<'tree>(
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
            let (target, value) = match node.kind() {
                "variable_declarator" => (
                    node.child_by_field_name("name")?,
                    node.child_by_field_name("value")?,
                ),
                "assignment" => (
                    node.child_by_field_name("left")?,
                    node.child_by_field_name("right")?,
                ),
                _ => return None,
            };
            (context.text(target) == wanted).then_some((node, value))
        })
    })
}

/// The latest assignment to `name` before `call` in the function around it: the node that
/// assigns, and the value assigned.
fn latest_assignment<'tree>(
    name: Node<'tree>,
    call: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, Node<'tree>)> {
    let wanted = context.text(name);
    let mut scope = call.parent();
    while let Some(node) = scope {
        if matches!(
            node.kind(),
            "function_declaration"
                | "function_expression"
                | "arrow_function"
                | "method_definition"
                | "function_definition"
                | "program"
                | "module"
                | "generator_function_declaration"
        ) {
            break;
        }
        scope = node.parent();
    }
    let scope = scope?;
    let mut latest = None;
    let mut pending = vec![scope];
    while let Some(node) = pending.pop() {
        if node.start_byte() >= call.start_byte() {
            continue;
        }
        let (target, value) = match node.kind() {
            "variable_declarator" => (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ),
            "assignment_expression"
            | "assignment"
            | "augmented_assignment_expression"
            | "augmented_assignment" => (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ),
            _ => (None, None),
        };
        if let (Some(target), Some(value)) = (target, value) {
            if context.text(target) == wanted {
                let is_later = latest.is_none_or(|(previous, _): (Node<'tree>, Node<'tree>)| {
                    previous.start_byte() < node.start_byte()
                });
                if is_later {
                    latest = Some((node, value));
                }
            }
        }
        let mut cursor = node.walk();
        pending.extend(node.named_children(&mut cursor));
    }
    latest
}
