//! unbounded-query: a request handler that sends every row a list query finds, with no limit
//! and no pagination. The response grows with the table, until a request times out or runs
//! the server out of memory.

use backlint_engine::databases::Library;
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{preorder, Fields};
use backlint_engine::{Grammar, Language};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::syntax::{enclosing_function, is_function, parameter_names};
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "unbounded-query",
    docs: include_str!("../../../../rules/unbounded-query.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files that are not checked: tests, seed data, and the routes of scheduled
    /// jobs, which answer a scheduler rather than a client.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(&["**/cron/**", "**/crons/**"]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(UnboundedQuery {
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
    }))
}

fn unbounded_message(query: &str, handler: &str, advice: &str) -> String {
    format!("`{query}` has no limit, and the handler `{handler}` sends every row it finds: {advice}, and let the client ask for the next page.")
}

struct UnboundedQuery {
    ignore_paths: GlobSet,
}

impl Rule for UnboundedQuery {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &[
                "function_declaration",
                "function_expression",
                "arrow_function",
                "method_definition",
            ],
            Language::Python => &["function_definition"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, function: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(handler) = context.semantic.handlers().of_function(function) else {
            return;
        };
        if paginated_by_decorator(function, context) || answers_a_write(&handler.name) {
            return;
        }
        let handler_name = handler.name.clone();
        let Some(body) = function.field("body") else {
            return;
        };
        let queries: Vec<(Node<'_>, &'static str)> = preorder(body)
            .filter(|node| matches!(node.kind(), "call_expression" | "call"))
            .filter(|call| is_chain_end(*call, context))
            .filter_map(|call| Some((call, unbounded_list(call, context)?)))
            .filter(|(call, _)| !is_part_of_another_call(*call, context))
            .collect();
        for (query, advice) in queries {
            let Some(sink) = response_of(query, function, context) else {
                continue;
            };
            let shown = compact(context.text(query));
            context
                .report(query, unbounded_message(&shown, &handler_name, advice))
                .related
                .push((sink.byte_range(), "sent in the response here".to_owned()));
        }
    }
}

/// Whether a handler answers a write (`POST`, `Class.post`, `PUT /users/:id`): what it sends
/// back is what it just wrote, not a list to page through.
fn answers_a_write(handler: &str) -> bool {
    let method = handler
        .split(|character: char| character == '.' || character.is_whitespace())
        .find(|part| {
            matches!(
                part.to_ascii_lowercase().as_str(),
                "post" | "put" | "patch" | "delete" | "create" | "update" | "destroy"
            )
        });
    method.is_some()
}

/// Whether a Python handler's decorators page its result: Django Ninja's `@paginate(…)`,
/// `@paginate_response`.
fn paginated_by_decorator(function: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(decorated) = function
        .parent()
        .filter(|parent| parent.kind() == "decorated_definition")
    else {
        return false;
    };
    let mut cursor = decorated.walk();
    let paginated = decorated
        .named_children(&mut cursor)
        .filter(|child| child.kind() == "decorator")
        .any(|decorator| {
            context
                .text(decorator)
                .to_ascii_lowercase()
                .contains("paginat")
        });
    paginated
}

/// One link of a call chain: a name, and the arguments when it is called.
#[derive(Clone, Copy)]
struct Link<'tree> {
    name: Node<'tree>,
    arguments: Option<Node<'tree>>,
}

/// The links of a chain from its first name to its last call: `prisma.post.findMany({…})` is
/// `prisma` · `post` · `findMany({…})`. `None` when the chain does not start with a name
/// (`this` counts as one).
fn chain_links(call: Node<'_>) -> Option<Vec<Link<'_>>> {
    let mut links = Vec::new();
    let mut node = call;
    loop {
        match node.kind() {
            "call_expression" | "call" => {
                let function = node.field("function")?;
                let arguments = node.field("arguments");
                let (object, name) = match function.kind() {
                    "member_expression" => (function.field("object"), function.field("property")?),
                    "attribute" => (function.field("object"), function.field("attribute")?),
                    "identifier" => (None, function),
                    _ => return None,
                };
                links.push(Link { name, arguments });
                match object {
                    Some(object) => node = object,
                    None => break,
                }
            }
            "member_expression" | "attribute" => {
                let (object, name) = if node.kind() == "member_expression" {
                    (node.field("object")?, node.field("property")?)
                } else {
                    (node.field("object")?, node.field("attribute")?)
                };
                links.push(Link {
                    name,
                    arguments: None,
                });
                node = object;
            }
            "identifier" | "this" => {
                links.push(Link {
                    name: node,
                    arguments: None,
                });
                break;
            }
            _ => return None,
        }
    }
    links.reverse();
    Some(links)
}

/// Whether a call is the last of its chain: `User.find().limit(10)` is read at `limit(…)`,
/// not at `find()`. A `.then(…)` after it does not continue the query; `.exec()` does.
fn is_chain_end(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(parent) = call.parent() else {
        return true;
    };
    if !matches!(parent.kind(), "member_expression" | "attribute") {
        return true;
    }
    let property = parent
        .field("property")
        .or_else(|| parent.field("attribute"));
    property.is_some_and(|property| matches!(context.text(property), "then" | "catch" | "finally"))
}

/// What to do about a list query that reads every row it matches: `None` when the call is
/// not one, or is bounded (`take`, `limit`, `.limit(…)`, a slice), or its options are not
/// written out where the call is (`findMany(args)`).
fn unbounded_list(call: Node<'_>, context: &RuleContext<'_>) -> Option<&'static str> {
    let links = chain_links(call)?;
    let names: Vec<&str> = links.iter().map(|link| context.text(link.name)).collect();
    let called = |name: &str| {
        links
            .iter()
            .zip(&names)
            .any(|(link, link_name)| *link_name == name && link.arguments.is_some())
    };
    if called("limit") || called("take") || called("paginate") || called("slice") {
        return None;
    }
    if names.iter().any(|name| names_configuration(name)) {
        return None;
    }
    let last = *links.last()?;
    let last_name = context.text(last.name);
    // `find().then(…)`: the query was read at `find()`, where the chain ends for it.
    if matches!(last_name, "then" | "catch" | "finally") {
        return None;
    }
    match context.grammar {
        Grammar::Python => python_list(call, &links, &names, context),
        _ => {
            let database = context
                .semantic
                .databases()
                .call(call, context.source)
                .filter(|database| !database.batched);
            let library = database.as_ref().map(|database| database.library);
            let operation = database
                .as_ref()
                .map(|database| database.operation.as_str());
            match (library, operation) {
                (Some(Library::Prisma), Some("findMany")) => {
                    let options = first_argument(last);
                    options_unbounded(options, &["take"], context)
                        .then_some("pass `take` (with `skip` or a `cursor`)")
                }
                (Some(Library::Drizzle), Some("findMany")) => {
                    options_unbounded(first_argument(last), &["limit"], context)
                        .then_some("pass `limit` (with `offset`)")
                }
                (Some(Library::Drizzle), _) => {
                    let selects_rows = names.contains(&"select")
                        && names.contains(&"from")
                        && !names.contains(&"groupBy")
                        && !links
                            .iter()
                            .zip(&names)
                            .filter(|(_, name)| **name == "select")
                            .any(|(link, _)| {
                                link.arguments
                                    .is_some_and(|arguments| aggregates(context.text(arguments)))
                            });
                    selects_rows.then_some("chain `.limit(n)` (with `.offset(n)`)")
                }
                (Some(Library::TypeOrm | Library::Repository), Some("find" | "findAndCount")) => {
                    options_unbounded(first_argument(last), &["take", "limit"], context)
                        .then_some("pass `take` (with `skip`)")
                }
                (
                    Some(Library::TypeOrm | Library::Repository),
                    Some("findBy" | "findAndCountBy"),
                ) => Some("use `find({ where, take, skip })`"),
                (Some(Library::TypeOrm), Some("getMany" | "getManyAndCount")) => {
                    Some("chain `.take(n)` (with `.skip(n)`)")
                }
                (Some(Library::Sequelize), Some("findAll" | "findAndCountAll")) => {
                    options_unbounded(first_argument(last), &["limit"], context)
                        .then_some("pass `limit` (with `offset`)")
                }
                (Some(Library::Mongoose), Some("find")) => {
                    Some("chain `.limit(n)` (with `.skip(n)`)")
                }
                _ => None,
            }
        }
    }
}

/// Whether a model or table holds configuration: a set of rows the application defines
/// (`InstanceConfiguration`, `SettingsGroup`, `WorkspaceHomePreference`, `PluginRegistry`),
/// not one that grows with its users.
fn names_configuration(name: &str) -> bool {
    let words = backlint_engine::names::word_parts(name);
    words
        .iter()
        .any(|word| CONFIGURATION_WORDS.contains(&word.as_str()))
}

const CONFIGURATION_WORDS: &[&str] = &[
    "config",
    "configuration",
    "configurations",
    "setting",
    "settings",
    "preference",
    "preferences",
    "plugin",
    "plugins",
    "registry",
];

/// Whether a Drizzle `select({…})` computes aggregates (`count()`, `sum(…)`), one row per
/// group rather than a row per record.
fn aggregates(selection: &str) -> bool {
    ["count(", "sum(", "avg(", "max(", "min("]
        .iter()
        .any(|function| selection.contains(function))
}

/// The first argument of a call link.
fn first_argument(link: Link<'_>) -> Option<Node<'_>> {
    let arguments = link.arguments?;
    let mut cursor = arguments.walk();
    let first = arguments
        .named_children(&mut cursor)
        .find(|argument| argument.kind() != "comment");
    first
}

/// Whether a query's options leave it unbounded: there are none, or an object literal
/// without any of `keys` and without a spread (`...paginate(query)` may hold them).
fn options_unbounded(options: Option<Node<'_>>, keys: &[&str], context: &RuleContext<'_>) -> bool {
    let Some(options) = options else {
        return true;
    };
    if options.kind() != "object" {
        return false;
    }
    let mut cursor = options.walk();
    let entries: Vec<Node<'_>> = options.named_children(&mut cursor).collect();
    !entries.iter().any(|entry| {
        let key = match entry.kind() {
            "pair" => entry.field("key"),
            "shorthand_property_identifier" => Some(*entry),
            "spread_element" => return true,
            _ => None,
        };
        key.is_some_and(|key| keys.contains(&context.text(key).trim_matches(['"', '\''])))
    })
}

/// Django querysets that list rows (`Post.objects.all()`, `.filter(…)`, `.order_by(…)`), and
/// SQLAlchemy queries read with `.all()`, with no limit and no slice.
fn python_list(
    call: Node<'_>,
    links: &[Link<'_>],
    names: &[&str],
    context: &RuleContext<'_>,
) -> Option<&'static str> {
    let last = *names.last()?;
    if sliced(call) {
        return None;
    }
    let by_ids = links.iter().any(|link| {
        link.arguments.is_some_and(|arguments| {
            preorder(arguments).any(|node| {
                node.kind() == "keyword_argument"
                    && node
                        .field("name")
                        .is_some_and(|name| context.text(name).ends_with("__in"))
            })
        })
    });
    if by_ids {
        return None;
    }
    let manager = names.iter().position(|name| *name == "objects");
    if let Some(manager) = manager {
        // A subquery of another queryset, not rows of the response; or counts per group
        // (`.values("day").annotate(n=Count("id"))`).
        if context.text(call).contains("OuterRef(") || groups(links, names, context) {
            return None;
        }
        let model = names.get(manager.checked_sub(1)?)?;
        let is_model = model.chars().next().is_some_and(char::is_uppercase);
        let methods = &links[manager + 1..];
        let all_called = !methods.is_empty() && methods.iter().all(|link| link.arguments.is_some());
        return (is_model && all_called && DJANGO_LISTS.contains(&last))
            .then_some("slice the queryset (`[:50]`) or page it with a `Paginator`");
    }
    if last != "all" {
        return None;
    }
    let text = context.text(call);
    if text.contains("OuterRef(") {
        return None;
    }
    let sqlalchemy =
        names.contains(&"query") || names.contains(&"scalars") || names.contains(&"execute");
    if !sqlalchemy || text.contains(".limit(") || text.contains(".paginate(") {
        return None;
    }
    // A statement built before the call: `session.execute(stmt).scalars().all()`.
    let statement_bounded = links.iter().any(|link| {
        first_argument(*link).is_some_and(|argument| {
            argument.kind() == "identifier" && assigned_with_limit(argument, call, context)
        })
    });
    (!statement_bounded).then_some("add `.limit(n)` (with `.offset(n)`)")
}

/// Whether a Django queryset aggregates per group: `.values(…)` with `.distinct(…)`, or
/// followed by an `.annotate(…)` of `Count`, `Sum`, `Avg`, `Max` or `Min`.
fn groups(links: &[Link<'_>], names: &[&str], context: &RuleContext<'_>) -> bool {
    let Some(values) = names.iter().position(|name| *name == "values") else {
        return false;
    };
    if names.contains(&"distinct") {
        return true;
    }
    links[values + 1..]
        .iter()
        .zip(&names[values + 1..])
        .any(|(link, name)| {
            *name == "annotate"
                && link.arguments.is_some_and(|arguments| {
                    let text = context.text(arguments);
                    ["Count(", "Sum(", "Avg(", "Max(", "Min("]
                        .iter()
                        .any(|aggregate| text.contains(aggregate))
                })
        })
}

/// Django queryset methods whose result lists rows.
const DJANGO_LISTS: &[&str] = &[
    "all",
    "filter",
    "exclude",
    "order_by",
    "values",
    "values_list",
    "select_related",
    "prefetch_related",
    "annotate",
    "distinct",
    "only",
    "defer",
    "reverse",
];

/// Whether a call's value is sliced where it stands: `Post.objects.all()[:20]`.
fn sliced(call: Node<'_>) -> bool {
    call.parent().is_some_and(|parent| {
        parent.kind() == "subscript"
            && parent
                .field("subscript")
                .is_some_and(|index| index.kind() == "slice")
    })
}

/// Whether a statement variable was built with a limit: `stmt = select(User).limit(20)`.
fn assigned_with_limit(name: Node<'_>, call: Node<'_>, context: &RuleContext<'_>) -> bool {
    crate::syntax::latest_assignment(name, call, context).is_some_and(|(_, value)| {
        let text = context.text(value);
        text.contains(".limit(") || text.contains(".paginate(")
    })
}

/// Whether a query is an argument of another call that is not a response: a subquery
/// (`Subquery(…)`, `Exists(…)`, `filter(pk__in=…)`), a `Prefetch(queryset=…)`, a helper's
/// input. A serializer of many rows (`S(qs, many=True)`) and `list(…)` pass the rows on.
fn is_part_of_another_call(query: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut node = outer_value(query);
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "arguments" | "argument_list" | "pair" | "object" | "array" | "dictionary" | "list"
            | "tuple" | "keyword_argument" | "spread_element" => node = parent,
            "call_expression" | "call" => {
                let passes_rows = is_response_call(parent, context)
                    || parent
                        .field("function")
                        .is_some_and(|function| matches!(context.text(function), "list" | "tuple"))
                    || parent.field("arguments").is_some_and(|arguments| {
                        preorder(arguments).any(|argument| {
                            argument.kind() == "keyword_argument"
                                && context.text(argument).replace(' ', "") == "many=True"
                        })
                    });
                return !passes_rows;
            }
            _ => return false,
        }
    }
    false
}

/// Methods and functions that send a value as the response.
const RESPONSE_METHODS: &[&str] = &["json", "send", "jsonp", "render"];
const RESPONSE_FUNCTIONS: &[&str] = &[
    "jsonify",
    "JsonResponse",
    "Response",
    "JSONResponse",
    "ORJSONResponse",
    "render",
    "render_template",
    "make_response",
    "TemplateResponse",
];

/// Where the rows of a query reach the response of its handler: a `return` of the handler,
/// a response call (also in a `.then` callback on the query) (`res.json(…)`,
/// `NextResponse.json(…)`, `jsonify(…)`, `render(…)`, DRF `Response(…)`), or Koa's
/// `ctx.body = …`, through local variables (`users`, `serializer = S(users, many=True)`,
/// `{ users }`, `users.map(…)`). `None` when they do not, or when a paginator takes them
/// (`paginate_queryset(qs)`, `Paginator(qs, 25)`).
fn response_of<'tree>(
    query: Node<'tree>,
    handler: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<Node<'tree>> {
    let value = outer_value(query);
    let mut held: Vec<&str> = Vec::new();
    if let Some(parent) = value.parent() {
        held.extend(bound_names(parent, value, context));
    }
    if let Some(callback) = then_callback(query, context) {
        held.extend(parameter_names(callback, context).into_iter().take(1));
    }
    let body = handler.field("body")?;
    // What runs after the query: a `serializer` of an earlier branch is another value.
    let nodes: Vec<Node<'tree>> = preorder(body)
        .filter(|node| node.end_byte() > query.start_byte())
        .collect();
    // Names that hold the rows: assigned from the query, then from what holds them.
    for _ in 0..3 {
        for node in &nodes {
            if let Some((targets, assigned)) = assignment_targets(*node) {
                if carries(assigned, value, &held, context) {
                    for target in targets {
                        let name = context.text(target);
                        if !held.contains(&name) {
                            held.push(name);
                        }
                    }
                }
            }
        }
    }
    let reaches = |node: Node<'tree>| carries(node, value, &held, context);
    let paginated = nodes.iter().any(|node| {
        is_paginator_call(*node, context) && node.field("arguments").is_some_and(&reaches)
    });
    if paginated {
        return None;
    }
    nodes.into_iter().find(|node| {
        let sends = match node.kind() {
            "return_statement" => enclosing_function(*node) == handler,
            "call_expression" | "call" => is_response_call(*node, context),
            "new_expression" => is_response_constructor(*node, context),
            "assignment_expression" => node
                .field("left")
                .filter(|left| left.kind() == "member_expression")
                .and_then(|left| left.field("property"))
                .is_some_and(|property| context.text(property) == "body"),
            _ => false,
        };
        if !sends {
            return false;
        }
        let sent = match node.kind() {
            "call_expression" | "call" | "new_expression" => node.field("arguments"),
            "assignment_expression" => node.field("right"),
            _ => Some(*node),
        };
        sent.is_some_and(reaches)
    })
}

/// The expression a query's value is: the call with the `await`, parentheses and type
/// assertions around it, and Python's `list(…)`.
fn outer_value(call: Node<'_>) -> Node<'_> {
    let mut node = call;
    while let Some(parent) = node.parent() {
        let wraps = matches!(
            parent.kind(),
            "await_expression"
                | "await"
                | "parenthesized_expression"
                | "as_expression"
                | "non_null_expression"
                | "satisfies_expression"
        );
        if !wraps {
            break;
        }
        node = parent;
    }
    node
}

/// The names a declaration or assignment binds when `value` is what it assigns.
fn bound_names<'context>(
    parent: Node<'_>,
    value: Node<'_>,
    context: &'context RuleContext<'_>,
) -> Vec<&'context str> {
    match assignment_targets(parent) {
        Some((targets, assigned)) if assigned == value => targets
            .into_iter()
            .map(|target| context.text(target))
            .collect(),
        _ => Vec::new(),
    }
}

/// The names a declaration or assignment binds (`users`, `[users, total]`, `{ data }`), and
/// the value it assigns.
fn assignment_targets(node: Node<'_>) -> Option<(Vec<Node<'_>>, Node<'_>)> {
    let (target, value) = match node.kind() {
        "variable_declarator" => (node.field("name")?, node.field("value")?),
        "assignment" | "assignment_expression" => (node.field("left")?, node.field("right")?),
        _ => return None,
    };
    let targets: Vec<Node<'_>> = preorder(target)
        .filter(|name| {
            matches!(
                name.kind(),
                "identifier" | "shorthand_property_identifier_pattern"
            )
        })
        .collect();
    // `data["ids"] = ids` and `page.ids = ids` put the rows into a record.
    let into_record = matches!(
        target.kind(),
        "member_expression" | "attribute" | "subscript" | "subscript_expression"
    );
    (!targets.is_empty() && !into_record).then_some((targets, value))
}

/// The callback of a `.then(…)` on the query: its first parameter holds the rows.
fn then_callback<'tree>(query: Node<'tree>, context: &RuleContext<'_>) -> Option<Node<'tree>> {
    let member = query
        .parent()
        .filter(|parent| parent.kind() == "member_expression")?;
    let property = member.field("property")?;
    if context.text(property) != "then" {
        return None;
    }
    let call = member
        .parent()
        .filter(|parent| parent.kind() == "call_expression")?;
    let callback = first_argument(Link {
        name: property,
        arguments: call.field("arguments"),
    })?;
    is_function(callback).then_some(callback)
}

/// Whether `node` is `inner` or holds it.
fn contains(node: Node<'_>, inner: Node<'_>) -> bool {
    node.start_byte() <= inner.start_byte() && inner.end_byte() <= node.end_byte()
}

/// Whether an expression carries the rows: the query itself, or one of the names that hold
/// them, reaches the expression's value through what keeps them rows (see [`keeps_rows`]);
/// not their count (`users.length`, `len(users)`), nor a slice (`users[:10]`,
/// `users.slice(0, 10)`), nor a record built around another one.
fn carries(
    expression: Node<'_>,
    query: Node<'_>,
    names: &[&str],
    context: &RuleContext<'_>,
) -> bool {
    if contains(expression, query) && keeps_rows(query, expression, context) {
        return true;
    }
    if names.is_empty() {
        return false;
    }
    preorder(expression).any(|node| {
        let is_name = matches!(node.kind(), "identifier" | "shorthand_property_identifier")
            && names.contains(&context.text(node));
        is_name
            && !counted_or_sliced(node, context)
            && !in_record(node)
            && keeps_rows(node, expression, context)
    })
}

/// Whether the rows at `node` are still the rows at `root`, above it: through awaits,
/// parentheses, literals that hold them (`{ users }`, `[users]`), member reads
/// (`serializer.data`), conditionals, comprehensions, and calls that only reshape or check
/// them (`users.map(…)`, `z.array(S).parse(users)`, `list(qs)`, `S(qs, many=True)`). A call
/// of anything else (`runRules(rules)`) makes something new of them.
fn keeps_rows(node: Node<'_>, root: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut current = node;
    while current != root {
        let Some(parent) = current.parent() else {
            return false;
        };
        let keeps = match parent.kind() {
            "member_expression" | "attribute" => {
                let method = parent
                    .field("property")
                    .or_else(|| parent.field("attribute"))
                    .map(|property| context.text(property));
                let called = parent.parent().is_some_and(|call| {
                    matches!(call.kind(), "call_expression" | "call")
                        && call.field("function") == Some(parent)
                });
                !called || method.is_some_and(|method| RESHAPING_METHODS.contains(&method))
            }
            "call_expression" | "call" => {
                parent.field("function") == Some(current) || reshapes_arguments(parent, context)
            }
            "new_expression" => is_response_constructor(parent, context),
            "arguments"
            | "argument_list"
            | "pair"
            | "object"
            | "array"
            | "dictionary"
            | "list"
            | "tuple"
            | "set"
            | "keyword_argument"
            | "spread_element"
            | "await_expression"
            | "await"
            | "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
            | "ternary_expression"
            | "conditional_expression"
            | "binary_expression"
            | "boolean_operator"
            | "list_comprehension"
            | "generator_expression"
            | "for_in_clause"
            | "dictionary_comprehension"
            | "list_splat"
            | "pair_pattern"
            | "return_statement"
            | "expression_statement"
            | "variable_declarator"
            | "assignment"
            | "assignment_expression" => true,
            _ => false,
        };
        if !keeps {
            return false;
        }
        current = parent;
    }
    true
}

/// Methods that give the same rows back, reshaped or checked: `users.map(…)`,
/// `schema.parse(users)`.
const RESHAPING_METHODS: &[&str] = &[
    "map",
    "filter",
    "sort",
    "toSorted",
    "reverse",
    "concat",
    "flat",
    "flatMap",
    "parse",
    "safeParse",
    "stringify",
    "toJSON",
    "values",
    "values_list",
    "select_related",
    "prefetch_related",
    "annotate",
    "order_by",
    "distinct",
    "model_dump",
    "dict",
    "json",
    "send",
];

/// Functions that give the rows they are passed back, reshaped: `list(qs)`, `sorted(qs)`,
/// `jsonify(rows)`, a serializer of many (`S(qs, many=True)`), `JSON.stringify(rows)`, and
/// the response calls.
fn reshapes_arguments(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    if is_response_call(call, context) {
        return true;
    }
    let Some(function) = call.field("function") else {
        return false;
    };
    let name = match function.kind() {
        "member_expression" => function.field("property"),
        "attribute" => function.field("attribute"),
        _ => Some(function),
    }
    .map(|name| context.text(name));
    let reshaping = name.is_some_and(|name| {
        matches!(
            name,
            "list" | "tuple" | "sorted" | "parse" | "safeParse" | "stringify"
        ) || name.ends_with("Serializer")
    });
    let many = call.field("arguments").is_some_and(|arguments| {
        preorder(arguments).any(|argument| {
            argument.kind() == "keyword_argument"
                && context.text(argument).replace(' ', "") == "many=True"
        })
    });
    reshaping || many
}

/// Whether a name is a field of a record built around another one (`{ ...link, tags }`,
/// `{**issue, "labels": labels}`): a detail response with a list inside, not a list response.
fn in_record(name: Node<'_>) -> bool {
    let mut node = name;
    while let Some(parent) = node.parent() {
        if is_function(parent) || parent.kind().ends_with("statement") {
            return false;
        }
        if matches!(parent.kind(), "object" | "dictionary") {
            let mut cursor = parent.walk();
            let spread = parent
                .named_children(&mut cursor)
                .any(|entry| matches!(entry.kind(), "spread_element" | "dictionary_splat"));
            return spread;
        }
        node = parent;
    }
    false
}

/// Whether a name is only counted or sliced where it stands.
fn counted_or_sliced(name: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(parent) = name.parent() else {
        return false;
    };
    match parent.kind() {
        "member_expression" | "attribute" => {
            let property = parent
                .field("property")
                .or_else(|| parent.field("attribute"));
            property.is_some_and(|property| {
                matches!(context.text(property), "length" | "count" | "slice")
            })
        }
        "subscript" => parent
            .field("subscript")
            .is_some_and(|index| index.kind() == "slice"),
        "argument_list" => parent
            .parent()
            .and_then(|call| call.field("function"))
            .is_some_and(|function| matches!(context.text(function), "len" | "bool")),
        _ => false,
    }
}

/// Whether a call pages what it is given: `paginate_queryset(qs)`, `Paginator(qs, 25)`,
/// `paginate(query)`.
fn is_paginator_call(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    if !matches!(node.kind(), "call_expression" | "call") {
        return false;
    }
    node.field("function").is_some_and(|function| {
        let name = match function.kind() {
            "member_expression" => function.field("property"),
            "attribute" => function.field("attribute"),
            _ => Some(function),
        };
        name.is_some_and(|name| context.text(name).to_ascii_lowercase().contains("paginat"))
    })
}

/// Whether a `new` builds a response: `new Response(JSON.stringify(rows))`,
/// `new NextResponse(…)`.
fn is_response_constructor(new: Node<'_>, context: &RuleContext<'_>) -> bool {
    new.field("constructor")
        .is_some_and(|constructor| matches!(context.text(constructor), "Response" | "NextResponse"))
}

/// Whether a call sends a response: `res.json(…)`, `reply.send(…)`, `NextResponse.json(…)`,
/// `c.json(…)`, `jsonify(…)`, `render(…)`, `Response(…)`.
fn is_response_call(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(function) = call.field("function") else {
        return false;
    };
    match function.kind() {
        "member_expression" | "attribute" => {
            let property = function
                .field("property")
                .or_else(|| function.field("attribute"));
            let object = function.field("object");
            let is_json_module = object.is_some_and(|object| context.text(object) == "JSON");
            !is_json_module
                && property
                    .is_some_and(|property| RESPONSE_METHODS.contains(&context.text(property)))
        }
        "identifier" => RESPONSE_FUNCTIONS.contains(&context.text(function)),
        _ => false,
    }
}
