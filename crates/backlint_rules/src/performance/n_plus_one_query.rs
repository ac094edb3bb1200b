//! n-plus-one-query: a database query run once per element of a collection, in a loop or an
//! iteration callback, where one query for all the elements would do.

use std::rc::Rc;

use backlint_engine::databases::{
    is_django_queryset, touches_no_rows, writes_rows, DatabaseCall, Library,
};
use backlint_engine::names::word_parts;
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::semantic::LoopKind;
use backlint_engine::syntax::{member_parts, preorder, Fields};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::names::is_constant_name;
use crate::paths::{glob_set, test_paths_and};
use crate::syntax::{assignment_parts, enclosing_function, is_function, is_variable_reference};

pub const SPEC: RuleSpec = RuleSpec {
    id: "n-plus-one-query",
    docs: include_str!("../../../../rules/n-plus-one-query.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Names of more database clients: a call through one of them is a query.
    extra_clients: Vec<String>,
    /// Models and tables whose queries are cheap or cached (`ContentType`, `settings`).
    ignore_models: Vec<String>,
    /// Globs of files where a query per element is not a request's cost: tests, seeds,
    /// migrations.
    ignore_paths: Vec<String>,
    /// Whether rows written one per element (`create`, `save`, `INSERT`) are reported too.
    report_writes: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            extra_clients: Vec::new(),
            ignore_models: Vec::new(),
            ignore_paths: test_paths_and(&[
                "**/*{migrations,Migrations}/**",
                "**/alembic/versions/**",
                "**/{random,fake,sample}_data*.*",
            ]),
            report_writes: false,
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    Ok(Box::new(NPlusOneQuery {
        extra_clients: options.extra_clients,
        ignore_models: options.ignore_models,
        ignore_paths,
        report_writes: options.report_writes,
    }))
}

struct NPlusOneQuery {
    extra_clients: Vec<String>,
    ignore_models: Vec<String>,
    ignore_paths: GlobSet,
    report_writes: bool,
}

/// Related-manager methods that run a query: `order.lines.all()`, `post.tags.count()`. Not
/// `get`, `update`, `values`, `add`, `remove` or `clear`, which dictionaries, lists, sets and
/// JSON fields have too.
const RELATED_MANAGER_METHODS: &[&str] = &[
    "all",
    "filter",
    "exclude",
    "count",
    "exists",
    "first",
    "last",
    "aggregate",
    "annotate",
    "order_by",
    "values_list",
    "create",
    "get_or_create",
    "set",
];

/// Words of a variable that pages through results: a pagination loop fetches the next page.
const PAGINATION_WORDS: &[&str] = &[
    "cursor",
    "offset",
    "skip",
    "page",
    "after",
    "before",
    "last",
    "start",
    "next",
    "token",
    "marker",
    "since",
    "from",
    "min",
    "max",
    "continuation",
];

/// Writes of one row's own values, for which Prisma and Django have no batched form that keeps
/// each row's result and `save()` behaviour: a sync loop of upserts is the libraries' idiom.
const UPSERTS: &[&str] = &["upsert", "update_or_create", "aupdate_or_create"];

/// Operations that write a row and return it: when the iteration goes on to use the row
/// (children pointing at it, a snapshot of it), each element is a small tree of writes, which
/// no bulk call replaces.
const ROW_WRITES: &[&str] = &[
    "create",
    "insert",
    "insertOne",
    "save",
    "update",
    "updateOne",
];

/// Words of a loop counter that counts attempts, not elements: `for attempt in range(3)`.
const RETRY_WORDS: &[&str] = &["attempt", "attempts", "retry", "retries", "try", "tries"];

/// Calls that lock the rows they read: a row locked per element is a short transaction per
/// element, by design.
const ROW_LOCKS: &[&str] = &["select_for_update(", "with_for_update("];

/// The largest literal collection whose loop is not worth one query: `for role in ("a", "b")`.
const SMALL_LITERAL: usize = 3;

impl Rule for NPlusOneQuery {
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
        let Some(frame) = context.semantic.enclosing_loop(node) else {
            return;
        };
        let (loop_kind, loop_range) = (frame.kind, frame.range.clone());
        let databases = context.semantic.databases();
        let recognised = databases.call_with_clients(node, context.source, &self.extra_clients);
        // A related manager or `save()` goes through the loop variable by design.
        let by_shape = recognised.is_some();
        let Some(query) = recognised.or_else(|| django_relation_query(node, context)) else {
            return;
        };
        if query.batched
            || UPSERTS.contains(&query.operation.as_str())
            || (!self.report_writes && writes(node, &query, context))
            || query
                .model
                .as_ref()
                .is_some_and(|model| self.ignore_models.contains(model))
        {
            return;
        }
        let Some(loop_node) = ancestor_with_range(node, &loop_range) else {
            return;
        };
        // What the loop iterates is the same for each query in it: read once per loop.
        let runs_a_few_times = context.memo(("runs a few times", loop_node.id()), || {
            iterates_small_literal(loop_node, loop_kind, context)
                || iterates_constant(loop_node, loop_kind, context)
                || iterates_command_line(loop_node, loop_kind, context)
                || is_retry_loop(loop_node, loop_kind, context)
                || !consumes_a_collection(loop_node, loop_kind, context)
        });
        if runs_a_few_times
            || writes_a_row_the_iteration_uses(node, &query, loop_node, context)
            || ROW_LOCKS
                .iter()
                .any(|lock| context.text(node).contains(lock))
            || in_data_migration(node, context)
            || is_pagination(node, loop_node, loop_kind, context)
            || (by_shape && queries_the_loop_variable(node, loop_node, loop_kind, context))
            || runs_for_one_element(node, loop_node, context)
            || touches_no_rows_call(node, context)
            || runs_the_element_as_statement(node, &query, loop_node, loop_kind, context)
        {
            return;
        }
        let loop_line = context.source.position(loop_range.start).line;
        let target = query
            .model
            .as_deref()
            .map_or_else(String::new, |model| format!(" on `{model}`"));
        let message = if is_independent_of_element(node, loop_node, loop_kind, context) {
            format!(
                "{} query{target} runs again on every iteration of the {} on line {loop_line}, with nothing from the element: run it once before the loop.",
                library_name(query.library),
                loop_name(loop_kind),
            )
        } else {
            format!(
                "{} query{target} runs once per iteration of the {} on line {loop_line}: {}",
                library_name(query.library),
                loop_name(loop_kind),
                advice(&query),
            )
        };
        context
            .report(node, message)
            .related
            .push((loop_range, "the loop".to_owned()));
    }
}

fn library_name(library: Library) -> &'static str {
    match library {
        Library::Prisma => "Prisma",
        Library::TypeOrm => "TypeORM",
        Library::MikroOrm => "MikroORM",
        Library::Repository => "Repository",
        Library::Drizzle => "Drizzle",
        Library::Sequelize => "Sequelize",
        Library::Mongoose => "Mongoose",
        Library::Knex => "Knex",
        Library::SqlDriver | Library::SqlTag | Library::DbApi => "SQL",
        Library::Django => "Django ORM",
        Library::SqlAlchemy => "SQLAlchemy",
        Library::AsyncPg => "asyncpg",
        Library::Tortoise => "Tortoise",
        Library::Peewee => "Peewee",
        Library::Configured => "Database",
    }
}

fn loop_name(kind: LoopKind) -> &'static str {
    match kind {
        LoopKind::IterationCallback => "callback",
        LoopKind::Comprehension => "comprehension",
        LoopKind::For | LoopKind::ForIn | LoopKind::While | LoopKind::DoWhile => "loop",
    }
}

/// How each library fetches many rows in one query.
fn advice(query: &DatabaseCall) -> &'static str {
    match query.library {
        Library::Prisma => {
            "load the rows in one query before the loop (`findMany({ where: { id: { in: ids } } })`, `include`), or write them with `createMany` (`updateMany` when every row gets the same values)."
        }
        Library::TypeOrm => {
            "load the rows in one query before the loop (`findBy({ id: In(ids) })`, `relations`), or save them together with `save([...])`."
        }
        Library::MikroOrm => {
            "load the rows in one query before the loop (`find(Entity, { id: { $in: ids } })`, `populate`), or flush them together."
        }
        Library::Repository => {
            "load the rows in one query before the loop (a repository method that takes all the ids), or write them together."
        }
        Library::Drizzle => "load the rows in one query before the loop (`inArray(...)`, a join, or `with`).",
        Library::Sequelize => {
            "load the rows in one query before the loop (`where: { id: { [Op.in]: ids } }`, `include`), or write them with `bulkCreate`."
        }
        Library::Mongoose => {
            "load the documents in one query before the loop (`{ _id: { $in: ids } }`, `populate`), or write them with `insertMany`/`bulkWrite`."
        }
        Library::Django => {
            "load the rows before the loop with `select_related`/`prefetch_related` or `filter(pk__in=…)`, or write them with `bulk_create`/`bulk_update`."
        }
        Library::SqlAlchemy => {
            "load the rows in one query before the loop (`selectinload`/`joinedload`, `.in_(…)`)."
        }
        Library::Tortoise | Library::Peewee => {
            "load the rows in one query before the loop (`id__in=…` / `.in_(…)`, `prefetch_related`), or write them with `bulk_create`."
        }
        Library::Knex
        | Library::SqlDriver
        | Library::SqlTag
        | Library::AsyncPg
        | Library::DbApi
        | Library::Configured => {
            "fetch the rows in one query before the loop (`WHERE id IN (…)` / `= ANY($1)`, or a join), or send them in one statement."
        }
    }
}

/// The node of the loop whose range is `range`, among `node`'s ancestors.
fn ancestor_with_range<'tree>(
    node: Node<'tree>,
    range: &std::ops::Range<usize>,
) -> Option<Node<'tree>> {
    let mut current = node.parent();
    while let Some(candidate) = current {
        if candidate.byte_range() == *range {
            return Some(candidate);
        }
        current = candidate.parent();
    }
    None
}

/// What a loop iterates: the `of`/`in` operand, a comprehension's first iterable, or the
/// collection an iteration callback is called on (`items` in `items.map(callback)`).
fn loop_iterable(loop_node: Node<'_>, kind: LoopKind) -> Option<Node<'_>> {
    match kind {
        LoopKind::ForIn | LoopKind::For => loop_node.field("right"),
        LoopKind::Comprehension => first_for_in_clause(loop_node)?.field("right"),
        LoopKind::IterationCallback => loop_node
            .parent()
            .and_then(|arguments| arguments.parent())
            .and_then(|call| call.field("function"))
            .and_then(|callee| callee.field("object")),
        LoopKind::While | LoopKind::DoWhile => None,
    }
}

/// The names a loop binds for each element: `x` in `for (const x of xs)`, `for x in xs`, the
/// callback's parameters.
fn loop_variables(loop_node: Node<'_>, kind: LoopKind) -> Option<Node<'_>> {
    match kind {
        LoopKind::For | LoopKind::ForIn => loop_node.field("left"),
        LoopKind::Comprehension => first_for_in_clause(loop_node)?.field("left"),
        LoopKind::IterationCallback => loop_node
            .field("parameters")
            .or_else(|| loop_node.field("parameter")),
        LoopKind::While | LoopKind::DoWhile => None,
    }
}

fn first_for_in_clause(comprehension: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = comprehension.walk();
    let clause = comprehension
        .named_children(&mut cursor)
        .find(|child| child.kind() == "for_in_clause");
    clause
}

/// Whether a loop iterates a literal list of a few elements (`for (const s of ["a", "b"])`,
/// `for role in ("admin", "staff")`, `["a", "b"].map(…)`), directly or through a name the
/// function bound to one (`ranges = [7, 30, 365]`): a few queries, not N.
fn iterates_small_literal(loop_node: Node<'_>, kind: LoopKind, context: &RuleContext<'_>) -> bool {
    let Some(iterable) = loop_iterable(loop_node, kind) else {
        return false;
    };
    let is_small_literal = |node: Node<'_>| {
        matches!(node.kind(), "array" | "list" | "tuple" | "set")
            && node.named_child_count() <= SMALL_LITERAL
    };
    if is_small_literal(iterable) {
        return true;
    }
    if iterable.kind() != "identifier" {
        return false;
    }
    only_value_of(iterable, loop_node, context).is_some_and(is_small_literal)
}

/// The value a name is given, when the function around `at` assigns it once.
fn only_value_of<'tree>(
    name: Node<'_>,
    at: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<Node<'tree>> {
    let name = context.text(name);
    let mut values = preorder(enclosing_function(at))
        .filter_map(assignment_parts)
        .filter(|(target, _)| context.text(*target) == name)
        .map(|(_, value)| value);
    let value = values.next()?;
    values.next().is_none().then_some(value)
}

/// Whether a loop walks what the command line gave (`options["slugs"]` in a Django command,
/// `sys.argv[1:]`, `args.files` from argparse): a handful of values someone typed.
fn iterates_command_line(loop_node: Node<'_>, kind: LoopKind, context: &RuleContext<'_>) -> bool {
    let Some(mut iterable) = loop_iterable(loop_node, kind) else {
        return false;
    };
    if iterable.kind() == "identifier" {
        match only_value_of(iterable, loop_node, context) {
            Some(value) => iterable = value,
            None => return false,
        }
    }
    let text = context.text(iterable);
    if ["options[", "options.get(", "sys.argv", "process.argv"]
        .iter()
        .any(|prefix| text.starts_with(prefix))
    {
        return true;
    }
    // `args.files`, where `args = parser.parse_args()`.
    member_parts(iterable)
        .map(|(object, _)| object)
        .filter(|object| object.kind() == "identifier")
        .and_then(|object| only_value_of(object, loop_node, context))
        .is_some_and(|value| context.text(value).ends_with(".parse_args()"))
}

/// Whether a query writes rows (`create`, `save`, `updateMany`, `INSERT …`): one write per
/// element is often deliberate (signals, nested writes, a row's own error handling), so it is
/// reported only with `report-writes`.
fn writes(call: Node<'_>, query: &DatabaseCall, context: &RuleContext<'_>) -> bool {
    query.writes() || statement(call).is_some_and(|text| writes_rows(context.text(text)))
}

/// Whether a `while`/`do…while` loop works through a collection (`while (i < ids.length)`,
/// `while queue: queue.pop()`) rather than probing or retrying one thing (`while True:` until
/// a free slug is found) or following one chain of rows.
fn consumes_a_collection(loop_node: Node<'_>, kind: LoopKind, context: &RuleContext<'_>) -> bool {
    if !matches!(kind, LoopKind::While | LoopKind::DoWhile) {
        return true;
    }
    let condition = loop_node
        .field("condition")
        .map_or("", |condition| context.text(condition));
    let measures = [".length", "len(", ".size"]
        .iter()
        .any(|size| condition.contains(size));
    let takes = preorder(loop_node).any(|node| {
        matches!(node.kind(), "call" | "call_expression")
            && node
                .field("function")
                .and_then(member_parts)
                .is_some_and(|(_, method)| {
                    matches!(
                        context.text(method),
                        "pop" | "shift" | "popleft" | "dequeue"
                    )
                })
    });
    measures || takes
}

/// Whether a query runs in a Django data migration's function (`def forwards(apps,
/// schema_editor)`), wherever the module lives.
fn in_data_migration(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut function = enclosing_function(call);
    while is_function(function) {
        let parameters = function
            .field("parameters")
            .map_or("", |parameters| context.text(parameters));
        if parameters.contains("apps") && parameters.contains("schema_editor") {
            return true;
        }
        function = enclosing_function(function);
    }
    false
}

/// Whether a loop iterates a constant (`for kind in SUPPORTED_KINDS`,
/// `config.CLEANUP_RULES.items()`): its length is fixed by the code or the configuration, not
/// by the data.
fn iterates_constant(loop_node: Node<'_>, kind: LoopKind, context: &RuleContext<'_>) -> bool {
    let Some(mut collection) = loop_iterable(loop_node, kind) else {
        return false;
    };
    // `CONSTANT.items()`, `enumerate(CONSTANT)`, `Object.entries(CONSTANT)`.
    while matches!(collection.kind(), "call" | "call_expression") {
        let Some(function) = collection.field("function") else {
            return false;
        };
        let inner = match member_parts(function) {
            Some((object, _)) if !matches!(context.text(object), "Object") => Some(object),
            _ => collection
                .field("arguments")
                .and_then(|arguments| arguments.named_child(0)),
        };
        let Some(inner) = inner else {
            return false;
        };
        collection = inner;
    }
    let name = member_parts(collection).map_or(collection, |(_, property)| property);
    matches!(name.kind(), "identifier" | "property_identifier")
        && is_constant_name(context.text(name))
}

/// Whether a loop counts attempts at one thing (`for attempt in range(MAX_ATTEMPTS)`,
/// `while (retries < 3)`), not elements of a collection.
fn is_retry_loop(loop_node: Node<'_>, kind: LoopKind, context: &RuleContext<'_>) -> bool {
    let counter = match kind {
        LoopKind::While | LoopKind::DoWhile => loop_node.field("condition"),
        LoopKind::For if loop_node.field("right").is_none() => loop_node.field("condition"),
        _ => loop_variables(loop_node, kind),
    };
    counter.is_some_and(|counter| {
        preorder(counter)
            .filter(|node| node.kind() == "identifier")
            .any(|node| {
                word_parts(context.text(node))
                    .iter()
                    .any(|word| RETRY_WORDS.contains(&word.as_str()))
            })
    })
}

/// Whether a write returns a row that the rest of the iteration uses (`issue =
/// Issue.objects.create(…)`, then `Comment.objects.create(issue=issue)`): each element is a
/// small tree of rows written in order.
fn writes_a_row_the_iteration_uses(
    call: Node<'_>,
    query: &DatabaseCall,
    loop_node: Node<'_>,
    context: &RuleContext<'_>,
) -> bool {
    if !ROW_WRITES.contains(&query.operation.as_str()) {
        return false;
    }
    let mut value = call;
    while let Some(parent) = value.parent().filter(|parent| {
        matches!(
            parent.kind(),
            "await_expression" | "await" | "parenthesized_expression"
        )
    }) {
        value = parent;
    }
    let Some((target, _)) = value
        .parent()
        .and_then(assignment_parts)
        .filter(|(_, assigned)| assigned.id() == value.id())
    else {
        return false;
    };
    let written: Vec<&str> = preorder(target)
        .filter(|node| {
            matches!(
                node.kind(),
                "identifier" | "shorthand_property_identifier_pattern"
            )
        })
        .map(|node| context.text(node))
        .collect();
    preorder(loop_node)
        .filter(|node| node.start_byte() >= call.end_byte())
        .any(|node| {
            (is_variable_reference(node) || node.kind() == "shorthand_property_identifier")
                && written.contains(&context.text(node))
        })
}

/// Whether a call works on the schema or the session rather than on rows (`DROP TABLE …`,
/// `conn.execute(DropTable(t))`, `PRAGMA …`, a catalog read): a setup or teardown step per
/// table or flag, not a query per row.
fn touches_no_rows_call(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(statement) = statement(call) else {
        return false;
    };
    let schema_construct = statement.kind() == "call"
        && statement.field("function").is_some_and(|function| {
            let name = context.text(function).rsplit('.').next().unwrap_or("");
            ["Drop", "Create", "Alter"]
                .iter()
                .any(|prefix| name.starts_with(prefix))
        });
    touches_no_rows(context.text(statement)) || schema_construct
}

/// Whether the statement a call runs is the loop's element itself (`for stmt in statements:
/// conn.execute(stmt)`): a script run statement by statement, not one query repeated.
fn runs_the_element_as_statement(
    call: Node<'_>,
    query: &DatabaseCall,
    loop_node: Node<'_>,
    kind: LoopKind,
    context: &RuleContext<'_>,
) -> bool {
    let operation = query.operation.to_ascii_lowercase();
    let runs_statements = ["execute", "query", "exec", "raw", "run"]
        .iter()
        .any(|word| operation.contains(word));
    runs_statements
        && statement(call).is_some_and(|statement| {
            statement.kind() == "identifier"
                && binds(loop_node, kind, context.text(statement), context)
        })
}

/// What a call runs: its first argument (`execute(sql)`, `filter(…)`), or a tag's template
/// (``sql`SELECT …` ``).
fn statement(call: Node<'_>) -> Option<Node<'_>> {
    let arguments = call.field("arguments")?;
    match arguments.kind() {
        "template_string" => Some(arguments),
        _ => arguments.named_child(0),
    }
}

/// Whether a loop binds a name for each element.
fn binds(loop_node: Node<'_>, kind: LoopKind, name: &str, context: &RuleContext<'_>) -> bool {
    loop_variables(loop_node, kind).is_some_and(|variables| {
        preorder(variables).any(|node| node.kind() == "identifier" && context.text(node) == name)
    })
}

/// Whether a query uses nothing that changes from one element to the next: neither the
/// loop's variables nor a name the loop assigns.
fn is_independent_of_element(
    call: Node<'_>,
    loop_node: Node<'_>,
    kind: LoopKind,
    context: &RuleContext<'_>,
) -> bool {
    let changing = context.memo(("names that change", loop_node.id()), || {
        changing_names(loop_node, kind, context).map(Rc::new)
    });
    let Some(changing) = changing else {
        return false;
    };
    !preorder(call).any(|node| {
        (is_variable_reference(node) || node.kind() == "shorthand_property_identifier")
            && changing.iter().any(|name| name == context.text(node))
    })
}

/// The names whose value changes from one element to the next: the loop's variables and the
/// names the loop assigns; `None` for a loop without variables.
fn changing_names(
    loop_node: Node<'_>,
    kind: LoopKind,
    context: &RuleContext<'_>,
) -> Option<Vec<String>> {
    let variables = loop_variables(loop_node, kind)?;
    let mut changing: Vec<String> = preorder(variables)
        .filter(|node| node.kind() == "identifier")
        .map(|node| context.text(node).to_owned())
        .collect();
    changing.extend(names_set_in_loop(loop_node, context));
    Some(changing)
}

/// Whether the query goes through the loop's own variable (`for model in models:
/// model.objects.count()`, `for (const repo of repos) await repo.find()`): each iteration
/// queries another table, which no single query replaces.
fn queries_the_loop_variable(
    call: Node<'_>,
    loop_node: Node<'_>,
    kind: LoopKind,
    context: &RuleContext<'_>,
) -> bool {
    let mut base = call;
    while let Some(inner) = base.field("function").or_else(|| base.field("object")) {
        base = inner;
    }
    base.kind() == "identifier" && binds(loop_node, kind, context.text(base), context)
}

/// Whether the query runs for one element of the loop, not for each: behind a comparison with
/// a constant (`if field == "Story Points":`, `case "admin":`), or in an `except`/`catch`
/// fallback.
fn runs_for_one_element(call: Node<'_>, loop_node: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut current = call;
    while let Some(parent) = current.parent() {
        if parent.id() == loop_node.id() {
            return false;
        }
        let guarded = match parent.kind() {
            "except_clause" | "catch_clause" => true,
            // A search that leaves the loop once it found its element: `if p.id == id:
            // return load(p)`.
            // A callback's `return` goes on to the next element.
            // Each query of a block asks this of it, and finding its last statement reads all
            // of them.
            "block" | "statement_block" => {
                !parent.parent().is_some_and(is_function)
                    && context.memo(("ends the loop", parent.id()), || ends_the_loop(parent))
            }
            "switch_case" => parent
                .field("value")
                .is_some_and(|value| value.kind() == "string"),
            "if_statement" | "elif_clause" => parent.field("condition").is_some_and(|condition| {
                condition.id() != current.id()
                    && (compares_with_string(condition, context)
                        || is_first_iteration_test(condition, context))
            }),
            _ => false,
        };
        if guarded {
            return true;
        }
        current = parent;
    }
    false
}

/// Whether a block's last statement leaves the loop: `return`, `break`, `raise`, `throw`.
fn ends_the_loop(block: Node<'_>) -> bool {
    let mut cursor = block.walk();
    let last = block
        .named_children(&mut cursor)
        .filter(|statement| statement.kind() != "comment")
        .last();
    last.is_some_and(|statement| {
        matches!(
            statement.kind(),
            "return_statement" | "break_statement" | "raise_statement" | "throw_statement"
        )
    })
}

/// `i === 0`, `index == 0`, `(i == 0)`: a test that only the first iteration passes.
fn is_first_iteration_test(condition: Node<'_>, context: &RuleContext<'_>) -> bool {
    let text: String = context
        .text(condition)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')'))
        .collect();
    let Some((counter, zero)) = text.split_once("===").or_else(|| text.split_once("==")) else {
        return false;
    };
    let counts = matches!(counter, "i" | "index" | "idx") || counter.ends_with("Index");
    zero == "0" && counts
}

/// `x == "a"`, `x === "a"`, `(x == "a")`: an equality test against a string literal.
fn compares_with_string(condition: Node<'_>, context: &RuleContext<'_>) -> bool {
    let condition = if condition.kind() == "parenthesized_expression" {
        condition.named_child(0).unwrap_or(condition)
    } else {
        condition
    };
    if !matches!(
        condition.kind(),
        "binary_expression" | "comparison_operator"
    ) {
        return false;
    }
    let text = context.text(condition);
    let mut cursor = condition.walk();
    let has_string = condition
        .named_children(&mut cursor)
        .any(|operand| operand.kind() == "string");
    text.contains("==") && !text.contains("!=") && has_string
}

/// Whether a `while`/`do…while` (or a counting `for`) pages through results: the query uses a
/// variable the loop updates whose name says it pages (`cursor`, `offset`, `page`, `skip`).
fn is_pagination(
    call: Node<'_>,
    loop_node: Node<'_>,
    kind: LoopKind,
    context: &RuleContext<'_>,
) -> bool {
    let counting_for = kind == LoopKind::For
        && loop_node.kind() == "for_statement"
        && loop_node.field("right").is_none();
    if !matches!(kind, LoopKind::While | LoopKind::DoWhile) && !counting_for {
        return false;
    }
    let updated = names_set_in_loop(loop_node, context);
    preorder(call)
        .filter(|node| matches!(node.kind(), "identifier" | "shorthand_property_identifier"))
        .map(|node| context.text(node))
        .any(|name| {
            updated.iter().any(|updated| updated == name)
                && word_parts(name)
                    .iter()
                    .any(|word| PAGINATION_WORDS.contains(&word.as_str()))
        })
}

/// The names a loop sets (`cursor = page.next`, `offset += 100`, `page++`, `const row = …`),
/// outside the functions it defines.
fn names_set_in_loop(loop_node: Node<'_>, context: &RuleContext<'_>) -> Vec<String> {
    // An iteration callback is the loop and its function at once.
    let loop_function = if is_function(loop_node) {
        loop_node.id()
    } else {
        enclosing_function(loop_node).id()
    };
    let mut names = Vec::new();
    for node in preorder(loop_node) {
        let target = match node.kind() {
            "update_expression" => node.field("argument"),
            _ => assignment_parts(node).map(|(target, _)| target),
        };
        let Some(target) = target else {
            continue;
        };
        if enclosing_function(node).id() != loop_function {
            continue;
        }
        let bound = preorder(target).filter(|part| {
            matches!(
                part.kind(),
                "identifier" | "shorthand_property_identifier_pattern"
            )
        });
        names.extend(bound.map(|part| context.text(part).to_owned()));
    }
    names
}

/// Django queries that only the loop shows: `order.lines.all()` (a related manager) and
/// `order.save()`, where `order` is the variable of a `for` over a queryset. A relation the
/// queryset prefetches (`prefetch_related("lines")`) is loaded already.
fn django_relation_query(call: Node<'_>, context: &RuleContext<'_>) -> Option<DatabaseCall> {
    let callee = call.field("function")?;
    if callee.kind() != "attribute" {
        return None;
    }
    let method = context.text(callee.field("attribute")?);
    let object = callee.field("object")?;
    let (variable, relation) = match object.kind() {
        "identifier" if matches!(method, "save" | "delete" | "refresh_from_db") => (object, None),
        "attribute" if RELATED_MANAGER_METHODS.contains(&method) => {
            let owner = object.field("object")?;
            let relation = object.field("attribute")?;
            (owner, Some(context.text(relation)))
        }
        _ => return None,
    };
    if variable.kind() != "identifier" {
        return None;
    }
    let queryset = queryset_of_loop_variable(call, context.text(variable), context)?;
    let model = match relation {
        Some(relation) => {
            let queryset_text = context.text(queryset);
            let prefetched = ["prefetch_related(", "Prefetch("].iter().any(|call| {
                queryset_text.contains(call)
                    && (queryset_text.contains(&format!("\"{relation}"))
                        || queryset_text.contains(&format!("'{relation}")))
            });
            if prefetched {
                return None;
            }
            format!("{}.{relation}", context.text(variable))
        }
        None => context.text(variable).to_owned(),
    };
    Some(DatabaseCall {
        library: Library::Django,
        model: Some(model),
        operation: method.to_owned(),
        batched: false,
    })
}

/// The queryset a `for` around `node` iterates with `variable`: the iterable itself, or what
/// the enclosing function assigned to the iterable's name.
fn queryset_of_loop_variable<'tree>(
    node: Node<'tree>,
    variable: &str,
    context: &RuleContext<'_>,
) -> Option<Node<'tree>> {
    let mut current = node.parent();
    while let Some(candidate) = current {
        if is_function(candidate) {
            return None;
        }
        let binding = match candidate.kind() {
            "for_statement" => Some(candidate),
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => {
                let mut cursor = candidate.walk();
                let clause = candidate
                    .named_children(&mut cursor)
                    .find(|child| child.kind() == "for_in_clause");
                clause
            }
            _ => None,
        };
        if let Some(binding) = binding.filter(|binding| {
            binding
                .field("left")
                .is_some_and(|left| context.text(left) == variable)
        }) {
            let iterable = binding.field("right")?;
            if is_django_queryset(iterable, context.source) {
                return Some(iterable);
            }
            if iterable.kind() != "identifier" {
                return None;
            }
            return assigned_queryset(
                enclosing_function(candidate),
                context.text(iterable),
                context,
            );
        }
        current = candidate.parent();
    }
    None
}

/// A queryset assigned to `name` in `function`: `orders = Order.objects.filter(…)`.
fn assigned_queryset<'tree>(
    function: Node<'tree>,
    name: &str,
    context: &RuleContext<'_>,
) -> Option<Node<'tree>> {
    preorder(function)
        .filter_map(assignment_parts)
        .filter(|(target, _)| context.text(*target) == name)
        .map(|(_, value)| value)
        .find(|value| is_django_queryset(*value, context.source))
}
