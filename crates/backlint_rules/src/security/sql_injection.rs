//! sql-injection: SQL text built from values (interpolation, concatenation, `%`, `.format()`,
//! f-strings) and passed to a raw query API, instead of sending the values as parameters.

use backlint_engine::names::word_parts;
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{preorder, Fields};
use backlint_engine::{Grammar, Language};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::names::is_constant_name;
use crate::paths::{glob_set, test_paths_and};
use crate::syntax::{enclosing_function, is_function, latest_assignment, top_level_assignment};
use crate::text::{compact, format_placeholders};

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

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(callee) = node.field("function") else {
            return;
        };
        let Some(arguments) = node.field("arguments") else {
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
        "member_expression" => callee.field("property")?,
        "attribute" => callee.field("attribute")?,
        _ => return None,
    };
    Some(&context.source.text()[name.byte_range()])
}

/// `knex.raw`, `db.raw`, `Prisma.raw`, `trx.raw`: the objects whose `raw` takes SQL.
fn is_raw_sql_object(callee: Node<'_>, context: &RuleContext<'_>) -> bool {
    let object = callee
        .field("object")
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

/// The first value that an SQL-looking string expression is built from and that could carry
/// SQL: not a constant, and not a name pasted between identifier quotes.
fn built_value<'tree>(expression: Node<'tree>, context: &RuleContext<'_>) -> Option<Node<'tree>> {
    let pasted = pasted_values(expression, context)?;
    if !reads_as_sql(context.text(expression)) {
        return None;
    }
    pasted
        .into_iter()
        .find(|pasted| {
            !pasted.as_identifier
                && !is_fragment_list(pasted, context)
                && !is_constant(pasted.value, context, 0)
        })
        .map(|pasted| pasted.value)
}

/// `", ".join(columns)`, `columns.join(", ")`: outside a value's place (`IN (…)`, `= …`,
/// `'…'`), a joined list is a list of columns or conditions. Unless the list was built in
/// the same function, where its pieces are checked, it was built elsewhere, and this rule
/// does not follow it there.
fn is_fragment_list(pasted: &Pasted<'_>, context: &RuleContext<'_>) -> bool {
    let Some(pieces) = joined_pieces(pasted.value, context) else {
        return false;
    };
    let built_here =
        pieces.kind() == "identifier" && latest_assignment(pieces, pieces, context).is_some();
    !pasted.in_value_position && !built_here
}

/// Whether SQL text that ends with `preceding` expects a value next: after a comparison, a
/// quote, `IN (`, `LIKE`, `VALUES (`, `LIMIT`, `OFFSET`.
fn is_value_position(preceding: &str) -> bool {
    let preceding = preceding.trim_end().to_lowercase();
    [
        "'", "=", "<", ">", "in (", "in(", "like", "values (", "values(", "limit", "offset",
    ]
    .iter()
    .any(|ending| preceding.ends_with(ending))
}

/// A value pasted into a string, and whether every place it goes is between identifier
/// quotes (`` `%s` ``, `"${table}"`, `[{column}]`): a table or column name, which cannot be
/// sent as a parameter at all.
struct Pasted<'tree> {
    value: Node<'tree>,
    as_identifier: bool,
    in_value_position: bool,
}

/// The values a string expression is built from: the parts of a template string or
/// f-string, the operands of `+`, the values `%` or `.format()` fill in. `None` when the
/// expression does not build a string.
fn pasted_values<'tree>(
    expression: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<Vec<Pasted<'tree>>> {
    match expression.kind() {
        // `\`SELECT … ${id}\``, f"SELECT … {id}"
        "template_string" | "string" => {
            let text = context.text(expression);
            let mut cursor = expression.walk();
            let parts: Vec<Pasted<'tree>> = expression
                .named_children(&mut cursor)
                .filter(|child| matches!(child.kind(), "template_substitution" | "interpolation"))
                .filter_map(|part| {
                    let start = part.start_byte() - expression.start_byte();
                    let end = part.end_byte() - expression.start_byte();
                    Some(Pasted {
                        value: part.named_child(0)?,
                        as_identifier: is_identifier_quoted(text, start..end),
                        in_value_position: is_value_position(&text[..start]),
                    })
                })
                .collect();
            Some(parts)
        }
        "binary_expression" | "binary_operator" => {
            let operator = expression
                .field("operator")
                .map_or("", |operator| context.text(operator));
            let left = expression.field("left")?;
            let right = expression.field("right")?;
            match operator {
                // `"SELECT … " + id`
                "+" => {
                    let mut operands = Vec::new();
                    collect_operands(left, &mut operands, context);
                    collect_operands(right, &mut operands, context);
                    let source = context.source.text();
                    let pasted = operands.into_iter().map(|value| {
                        // `"… IN (" + ids` or `\`… IN (${ids}\``: the SQL before the value, without
                        // the `+` and the quote that closes the literal before it.
                        let before = &source[expression.start_byte()..value.start_byte()];
                        let without_plus = before.trim_end().trim_end_matches('+').trim_end();
                        let sql_before = if without_plus.len() < before.trim_end().len() {
                            without_plus
                                .strip_suffix(['"', '\'', '`'])
                                .unwrap_or(without_plus)
                        } else {
                            before
                        };
                        Pasted {
                            value,
                            as_identifier: false,
                            in_value_position: is_value_position(sql_before),
                        }
                    });
                    Some(pasted.collect())
                }
                // "SELECT … %s" % id, "… %s … %s" % (a, b)
                "%" if left.kind() == "string" => {
                    let values: Vec<Node<'tree>> = if right.kind() == "tuple" {
                        let mut cursor = right.walk();
                        let elements = right.named_children(&mut cursor).collect();
                        elements
                    } else {
                        vec![right]
                    };
                    let text = context.text(left);
                    let placeholders = format_placeholders(text);
                    let quoted: Vec<bool> = placeholders
                        .iter()
                        .map(|(range, _)| is_identifier_quoted(text, range.clone()))
                        .collect();
                    let matched = right.kind() != "dictionary" && quoted.len() == values.len();
                    let pasted = values.into_iter().enumerate().map(|(index, value)| Pasted {
                        value,
                        as_identifier: matched && quoted[index],
                        in_value_position: !matched
                            || is_value_position(&text[..placeholders[index].0.start]),
                    });
                    Some(pasted.collect())
                }
                _ => None,
            }
        }
        // "SELECT … {}".format(id), "… [{table}] …".format(table=name)
        "call" => {
            let function = expression.field("function")?;
            let format = function.field("object")?;
            let is_format = function.kind() == "attribute"
                && function
                    .field("attribute")
                    .is_some_and(|method| context.text(method) == "format")
                && format.kind() == "string";
            if !is_format {
                return None;
            }
            let text = context.text(format);
            let placeholders = format_placeholders(text);
            let arguments = expression.field("arguments")?;
            let mut cursor = arguments.walk();
            let mut position = 0;
            let pasted = arguments
                .named_children(&mut cursor)
                .filter(|argument| argument.kind() != "comment")
                .filter_map(|argument| {
                    let (field, value) = if argument.kind() == "keyword_argument" {
                        let name = argument.field("name")?;
                        (context.text(name).to_owned(), argument.field("value")?)
                    } else {
                        position += 1;
                        ((position - 1).to_string(), argument)
                    };
                    Some((field, value))
                })
                .map(|(field, value)| {
                    let used: Vec<&std::ops::Range<usize>> = placeholders
                        .iter()
                        .filter(|(_, name)| *name == field)
                        .map(|(range, _)| range)
                        .collect();
                    Pasted {
                        value,
                        as_identifier: !used.is_empty()
                            && used
                                .iter()
                                .all(|range| is_identifier_quoted(text, (*range).clone())),
                        in_value_position: used.is_empty()
                            || used
                                .iter()
                                .any(|range| is_value_position(&text[..range.start])),
                    }
                })
                .collect();
            Some(pasted)
        }
        _ => None,
    }
}

/// Whether the text at `range` sits between identifier quotes: `` `…` ``, `"…"`, `[…]`.
fn is_identifier_quoted(text: &str, range: std::ops::Range<usize>) -> bool {
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    matches!(
        (before, after),
        (Some('`'), Some('`')) | (Some('"'), Some('"')) | (Some('['), Some(']'))
    )
}

/// The leaves of a `+` chain that are not string literals.
fn collect_operands<'tree>(
    node: Node<'tree>,
    operands: &mut Vec<Node<'tree>>,
    context: &RuleContext<'_>,
) {
    let is_plus = matches!(node.kind(), "binary_expression" | "binary_operator")
        && node
            .field("operator")
            .is_some_and(|operator| context.text(operator) == "+");
    if is_plus {
        if let (Some(left), Some(right)) = (node.field("left"), node.field("right")) {
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
    let Some(function) = value.field("function") else {
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

fn is_constant(value: Node<'_>, context: &RuleContext<'_>, depth: usize) -> bool {
    if names_an_identifier(value, context) {
        return true;
    }
    match value.kind() {
        "call" | "call_expression" => {
            is_quoting_call(value, context)
                || is_numeric_cast(value, context)
                || is_constant_join(value, context, depth)
        }
        // `+expire`, `Number(x)`: numbers cannot carry SQL.
        "unary_expression" => value
            .field("operator")
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
            is_constant_name(context.text(value))
                || bound_to_safe_value(value, context, depth)
                || typed_as_number(value, context)
        }
        "member_expression" | "attribute" => {
            // `Tables.USERS`, `this.TABLE`, `settings.DB_TABLE`
            let property = value.field("property").or_else(|| value.field("attribute"));
            let constant_property = property.is_some_and(|property| {
                is_constant(property, context, depth) || is_constant_name(context.text(property))
            });
            constant_property || bound_to_safe_value(value, context, depth)
        }
        "property_identifier" => is_constant_name(context.text(value)),
        _ => false,
    }
}

/// `int(x)`, `Number(x)`, `parseInt(x)`, `len(x)`: numbers cannot carry SQL.
fn is_numeric_cast(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    call.field("function").is_some_and(|function| {
        matches!(
            context.text(function),
            "int"
                | "float"
                | "bool"
                | "len"
                | "abs"
                | "round"
                | "Number"
                | "Boolean"
                | "parseInt"
                | "parseFloat"
                | "Math.floor"
                | "Math.ceil"
                | "Math.round"
                | "Math.trunc"
                | "Math.min"
                | "Math.max"
        )
    })
}

/// A join of constants or quoted names: `" AND ".join(["a = 1", "b = 2"])`,
/// `", ".join("[{}]".format(c) for c in columns)`, `columns.map((c) => \`"${c}"\`).join(", ")`,
/// or a list that holds only such pieces when it is joined (`where = ["a = 1"];
/// where.append("b = 2")`).
fn is_constant_join(call: Node<'_>, context: &RuleContext<'_>, depth: usize) -> bool {
    joined_pieces(call, context).is_some_and(|pieces| holds_constant_pieces(pieces, context, depth))
}

/// What a `.join()` call joins: `sep.join(pieces)` in Python, `pieces.join(sep)` in
/// JavaScript. `None` for other calls.
fn joined_pieces<'tree>(call: Node<'tree>, context: &RuleContext<'_>) -> Option<Node<'tree>> {
    let function = call.field("function")?;
    let method = function
        .field("attribute")
        .or_else(|| function.field("property"))?;
    if context.text(method) != "join" {
        return None;
    }
    if context.grammar == Grammar::Python {
        let arguments = call.field("arguments")?;
        // `sep.join(x for x in xs)` puts the generator itself in the arguments' place.
        if arguments.kind() == "generator_expression" {
            Some(arguments)
        } else {
            arguments.named_child(0)
        }
    } else {
        function.field("object")
    }
}

/// Whether a list, comprehension or `.map()` only yields constants or quoted names.
fn holds_constant_pieces(pieces: Node<'_>, context: &RuleContext<'_>, depth: usize) -> bool {
    match pieces.kind() {
        "list" | "tuple" | "array" => {
            let mut cursor = pieces.walk();
            let all_safe = pieces
                .named_children(&mut cursor)
                .all(|element| is_safe_piece(element, context, depth));
            all_safe
        }
        "generator_expression" | "list_comprehension" => pieces
            .field("body")
            .is_some_and(|body| is_safe_piece(body, context, depth)),
        "call_expression" => {
            let mapped = pieces.field("function").is_some_and(|function| {
                function
                    .field("property")
                    .is_some_and(|method| context.text(method) == "map")
            });
            let callback = pieces
                .field("arguments")
                .and_then(|arguments| arguments.named_child(0))
                .filter(|callback| callback.kind() == "arrow_function")
                .and_then(|callback| callback.field("body"));
            mapped && callback.is_some_and(|body| is_safe_piece(body, context, depth))
        }
        "identifier" => {
            let Some((_, assigned)) = latest_assignment(pieces, pieces, context) else {
                return false;
            };
            let name = context.text(pieces);
            let added_safely = preorder(enclosing_function(pieces)).all(|node| {
                let Some(function) = node.field("function") else {
                    return true;
                };
                let adds = node.start_byte() < pieces.start_byte()
                    && function
                        .field("object")
                        .is_some_and(|object| context.text(object) == name)
                    && function
                        .field("attribute")
                        .or_else(|| function.field("property"))
                        .is_some_and(|method| {
                            matches!(
                                context.text(method),
                                "append" | "push" | "extend" | "insert"
                            )
                        });
                !adds
                    || node.field("arguments").is_some_and(|arguments| {
                        let mut cursor = arguments.walk();
                        let all_safe = arguments
                            .named_children(&mut cursor)
                            .all(|argument| is_safe_piece(argument, context, depth));
                        all_safe
                    })
            });
            holds_constant_pieces(assigned, context, depth) && added_safely
        }
        _ => false,
    }
}

/// A piece of a join: a constant, a quoting call, or a string that only pastes names
/// between identifier quotes.
fn is_safe_piece(piece: Node<'_>, context: &RuleContext<'_>, depth: usize) -> bool {
    is_constant(piece, context, depth)
        || pasted_values(piece, context).is_some_and(|pasted| {
            pasted
                .iter()
                .all(|pasted| pasted.as_identifier || is_constant(pasted.value, context, depth))
        })
}

/// A parameter declared as a number or boolean (`limit: int`, `page: number`), which cannot
/// carry SQL.
fn typed_as_number(name: Node<'_>, context: &RuleContext<'_>) -> bool {
    let wanted = context.text(name);
    let mut function = enclosing_function(name);
    while is_function(function) {
        if let Some(parameters) = function.field("parameters") {
            let mut cursor = parameters.walk();
            let declared = parameters
                .named_children(&mut cursor)
                .find_map(|parameter| {
                    let declared_name = parameter
                        .field("name")
                        .or_else(|| parameter.field("pattern"))
                        .or_else(|| parameter.named_child(0))?;
                    (context.text(declared_name) == wanted).then(|| parameter.field("type"))
                });
            if let Some(declared_type) = declared {
                let type_name = declared_type
                    .map_or("", |declared_type| context.text(declared_type))
                    .trim_start_matches(':')
                    .trim();
                return matches!(
                    type_name,
                    "int" | "float" | "bool" | "number" | "bigint" | "boolean"
                );
            }
        }
        match function.parent() {
            Some(parent) => function = enclosing_function(parent),
            None => break,
        }
    }
    false
}

/// How many assignments back a value's origin is followed.
const MAX_ORIGIN_DEPTH: usize = 6;

/// Whether a name was last assigned something safe: a literal (`const table = "orders"`), a
/// count (`self.attempts += 1`), a quoted name, or a string built only from such values
/// (`value = "TO_CHAR(%s)" % value`), in its function or at the top of the module.
fn bound_to_safe_value(name: Node<'_>, context: &RuleContext<'_>, depth: usize) -> bool {
    if depth >= MAX_ORIGIN_DEPTH {
        return false;
    }
    let assigned =
        latest_assignment(name, name, context).or_else(|| top_level_assignment(name, context));
    assigned.is_some_and(|(_, value)| is_safe_piece(value, context, depth + 1))
}
