//! missing-transaction: two database writes that belong together, made outside a
//! transaction. When the second fails, the first stays: an order without its lines, a user
//! without a profile, money taken from one account and given to none.

use backlint_engine::databases::{may_name_a_write, Library};
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{preorder, preorder_pruned, Fields};
use backlint_engine::{Grammar, Language};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and, TOOLING_PATHS};
use crate::project::django_settings;
use crate::syntax::is_function;
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "missing-transaction",
    docs: include_str!("../../../../rules/missing-transaction.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files that are not checked: tests, seed data, migrations, scripts, and the
    /// routes of scheduled jobs, which run again when they fail.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(
                &[
                    TOOLING_PATHS,
                    &["**/cron/**", "**/crons/**", "**/playwright/**"],
                ]
                .concat(),
            ),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(MissingTransaction {
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
    }))
}

fn transaction_message(second: &str, first: &str, line: usize, advice: &str) -> String {
    format!("`{second}` writes after `{first}` (line {line}) outside a transaction: if it fails, the first write stays and the data is left half-changed; {advice}.")
}

struct MissingTransaction {
    ignore_paths: GlobSet,
}

/// A write the function makes, and the library that makes it.
#[derive(Clone, Copy)]
struct Write<'tree> {
    call: Node<'tree>,
    library: Library,
}

impl Rule for MissingTransaction {
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
        let Some(body) = function.field("body") else {
            return;
        };
        // Every write names its operation (or SQLAlchemy's `commit`): a body that names none
        // is not walked.
        let body_text = context.text(body);
        let may_write = may_name_a_write(body_text)
            || (context.grammar == Grammar::Python && body_text.contains("commit"));
        if !may_write {
            return;
        }
        let writes: Vec<Write<'_>> = own_calls_outside_error_handlers(body)
            .into_iter()
            .filter_map(|call| write_of(call, context))
            .collect();
        // It takes two writes; most functions make fewer, and the transaction checks cost more.
        if writes.len() < 2
            || in_transaction(function, context)
            || starts_a_transaction(body, context)
        {
            return;
        }
        let writes: Vec<Write<'_>> = writes
            .into_iter()
            .filter(|write| !in_transaction(write.call, context))
            .collect();
        let is_handler = context.semantic.handlers().of_function(function).is_some();
        let django = writes.iter().any(|write| write.library == Library::Django);
        if django && django_atomic_requests(context) {
            return;
        }
        let pair = if writes
            .iter()
            .any(|write| write.library == Library::SqlAlchemy)
        {
            // Writes before one `commit()` are one transaction; two commits are two.
            let commits: Vec<Write<'_>> = writes
                .iter()
                .copied()
                .filter(|write| write.library == Library::SqlAlchemy)
                .collect();
            commits.get(1).map(|second| (commits[0], *second))
        } else {
            dependent_pair(&writes, is_handler, context)
        };
        let Some((first, second)) = pair else {
            return;
        };
        let line = first.call.start_position().row + 1;
        let message = transaction_message(
            &compact(context.text(second.call)),
            &compact(context.text(first.call)),
            line,
            advice(second.library),
        );
        context
            .report(second.call, message)
            .related
            .push((first.call.byte_range(), "the first write".to_owned()));
    }
}

/// The first pair of writes that belong together: in a request handler, any two; elsewhere,
/// two where the second uses what the first returned (`user = create(…)`, then
/// `create({ userId: user.id })`).
fn dependent_pair<'tree>(
    writes: &[Write<'tree>],
    is_handler: bool,
    context: &RuleContext<'_>,
) -> Option<(Write<'tree>, Write<'tree>)> {
    for (index, second) in writes.iter().enumerate() {
        for first in &writes[..index] {
            if first.call.end_byte() > second.call.start_byte()
                || exclusive(first.call, second.call)
            {
                continue;
            }
            if is_handler || uses_result_of(second.call, first.call, context) {
                return Some((*first, *second));
            }
        }
    }
    None
}

/// Whether two writes never both run: they sit in different branches of one `if`, `switch`
/// or conditional expression, or the first sits in a block that ends by leaving the function
/// (`if (expired) { delete(…); throw … }`).
fn exclusive(first: Node<'_>, second: Node<'_>) -> bool {
    let mut ancestors = Vec::new();
    let mut current = first;
    while let Some(parent) = current.parent() {
        ancestors.push((parent, current));
        current = parent;
    }
    let mut current = second;
    while let Some(parent) = current.parent() {
        if let Some((common, first_child)) = ancestors
            .iter()
            .find(|(ancestor, _)| *ancestor == parent)
            .copied()
        {
            let branches = matches!(
                common.kind(),
                "if_statement"
                    | "switch_body"
                    | "ternary_expression"
                    | "conditional_expression"
                    | "match_statement"
            );
            if branches && first_child != current {
                return true;
            }
            // Below the common ancestor, a block of the first write that exits.
            return ancestors
                .iter()
                .take_while(|(ancestor, _)| *ancestor != common)
                .any(|(ancestor, _)| exits(*ancestor));
        }
        current = parent;
    }
    false
}

/// Whether a block ends by leaving: its last statement returns or throws.
fn exits(block: Node<'_>) -> bool {
    if !matches!(block.kind(), "statement_block" | "block") {
        return false;
    }
    let mut cursor = block.walk();
    let last = block
        .named_children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .last();
    last.is_some_and(|statement| {
        matches!(
            statement.kind(),
            "return_statement" | "throw_statement" | "raise_statement"
        )
    })
}

/// Whether a write's arguments (or receiver) use a name bound to an earlier write's result.
fn uses_result_of(second: Node<'_>, first: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(binding) = result_name(first, context) else {
        return false;
    };
    preorder(second).any(|node| node.kind() == "identifier" && context.text(node) == binding)
}

/// The name a write's result is bound to: `const user = await prisma.user.create(…)`,
/// `order = Order.objects.create(…)`.
fn result_name<'context>(
    call: Node<'_>,
    context: &'context RuleContext<'_>,
) -> Option<&'context str> {
    let mut node = call;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "await_expression"
            | "await"
            | "parenthesized_expression"
            | "as_expression"
            | "non_null_expression" => node = parent,
            "variable_declarator" => {
                let name = parent.field("name")?;
                return (name.kind() == "identifier").then(|| context.text(name));
            }
            "assignment" | "assignment_expression" => {
                let left = parent.field("left")?;
                return (left.kind() == "identifier").then(|| context.text(left));
            }
            _ => return None,
        }
    }
    None
}

/// The write a call makes, if it makes one: an ORM create/update/delete/save
/// (`prisma.user.create`, `repository.save`, `Order.objects.create`, Django's `obj.save()` and
/// `form.save()`), or a SQLAlchemy `session.commit()`.
fn write_of<'tree>(call: Node<'tree>, context: &RuleContext<'_>) -> Option<Write<'tree>> {
    if context.grammar == Grammar::Python {
        if let Some(library) = python_instance_write(call, context) {
            return Some(Write { call, library });
        }
    }
    let callee = call.field("function")?;
    if !may_name_a_write(context.text(callee)) {
        return None;
    }
    let database = context.semantic.databases().call(call, context.source)?;
    let orm = matches!(
        database.library,
        Library::Prisma
            | Library::TypeOrm
            | Library::MikroOrm
            | Library::Repository
            | Library::Drizzle
            | Library::Sequelize
            | Library::Mongoose
            | Library::Knex
            | Library::Django
            | Library::Tortoise
            | Library::Peewee
    );
    let passes_transaction = call.field("arguments").is_some_and(|arguments| {
        preorder(arguments).any(|node| is_transaction_option(node, context))
    });
    (orm && database.writes() && !passes_transaction).then_some(Write {
        call,
        library: database.library,
    })
}

/// Django's `obj.save()`, `obj.delete()`, `form.save()`, `serializer.save()` in a file that
/// uses Django, and SQLAlchemy's `session.commit()`.
fn python_instance_write(call: Node<'_>, context: &RuleContext<'_>) -> Option<Library> {
    let function = call.field("function")?;
    if function.kind() != "attribute" {
        return None;
    }
    let method = context.text(function.field("attribute")?);
    let receiver = context.text(function.field("object")?);
    let imports = context.semantic.imports();
    let uses_django = imports.has_module("django") || imports.has_module("rest_framework");
    match method {
        // `form.save(commit=False)` builds the object without writing it.
        "save" | "delete"
            if uses_django
                && !receiver.contains("objects")
                && !stores_a_file(receiver)
                && !context.text(call).replace(' ', "").contains("commit=False") =>
        {
            Some(Library::Django)
        }
        "commit" if receiver == "session" || receiver.ends_with(".session") || receiver == "db" => {
            Some(Library::SqlAlchemy)
        }
        _ => None,
    }
}

/// Whether a receiver is a stored file rather than a row: `upload.file.delete()`,
/// `self.image.save(name, content)` write to the storage.
fn stores_a_file(receiver: &str) -> bool {
    let last = receiver.rsplit('.').next().unwrap_or(receiver);
    matches!(
        last,
        "file" | "image" | "storage" | "photo" | "avatar" | "attachment"
    )
}

/// Whether a node passes a transaction to a write: Sequelize's `{ transaction: t }`,
/// Mongoose's `{ session }`.
fn is_transaction_option(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    let key = match node.kind() {
        "pair" => node.field("key"),
        "shorthand_property_identifier" => Some(node),
        _ => None,
    };
    key.is_some_and(|key| matches!(context.text(key), "transaction" | "session"))
}

/// Whether a node runs inside a transaction: within a `prisma.$transaction(…)`,
/// `db.transaction(…)`, `dataSource.transaction(…)`, `sequelize.transaction(…)`,
/// `em.transactional(…)`, `session.withTransaction(…)` callback, a `with transaction.atomic():`
/// or `with session.begin():` block, a function decorated `@transaction.atomic`/`@atomic`/
/// `@Transactional()`, or through a transaction client (`tx.user.create`,
/// `manager.save`, `queryRunner.manager.save`).
fn in_transaction(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    if let Some(function) = node.field("function") {
        let receiver = context.text(function);
        let client = receiver.split(['.', '(']).next().unwrap_or("");
        let through_transaction = matches!(
            client,
            "tx" | "trx" | "transaction" | "t" | "manager" | "entityManager" | "queryRunner"
        ) || receiver.starts_with("this.tx")
            || receiver.contains("transactionalEntityManager");
        if through_transaction {
            return true;
        }
    }
    let mut current = node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "call_expression" | "call" => {
                let starts = parent.field("function").is_some_and(|function| {
                    let text = context.text(function);
                    text.ends_with("transaction")
                        || text.ends_with("$transaction")
                        || text.ends_with("transactional")
                        || text.ends_with("withTransaction")
                        || text.ends_with("atomic")
                });
                if starts {
                    return true;
                }
            }
            "with_statement" => {
                let mut cursor = parent.walk();
                let opens = parent
                    .named_children(&mut cursor)
                    .filter(|child| child.kind() == "with_clause")
                    .any(|clause| {
                        let text = context.text(clause);
                        text.contains("atomic")
                            || text.contains("begin")
                            || text.contains("transaction")
                    });
                if opens {
                    return true;
                }
            }
            "decorated_definition" => {
                let mut cursor = parent.walk();
                let atomic = parent
                    .named_children(&mut cursor)
                    .filter(|child| child.kind() == "decorator")
                    .any(|decorator| {
                        let text = context.text(decorator);
                        text.contains("atomic") || text.contains("transaction")
                    });
                if atomic {
                    return true;
                }
            }
            "class_body" => {
                // A NestJS `@Transactional()` method decorator is a sibling before the method.
                let transactional = current.prev_named_sibling().is_some_and(|previous| {
                    previous.kind() == "decorator"
                        && context.text(previous).contains("Transactional")
                });
                if transactional {
                    return true;
                }
            }
            _ => {}
        }
        current = parent;
    }
    false
}

/// Whether a function starts a transaction by hand: TypeORM's
/// `queryRunner.startTransaction()`, Mongoose's `session.startTransaction()`, Knex's
/// `knex.transaction()` held in a variable, SQLAlchemy's `session.begin()`; or builds its
/// writes for Prisma's `$transaction([…])`, which runs the list in one transaction.
fn starts_a_transaction(body: Node<'_>, context: &RuleContext<'_>) -> bool {
    let text = context.text(body);
    [
        "startTransaction(",
        "$transaction(",
        "beginTransaction(",
        ".transaction()",
        "await sequelize.transaction(",
        ".begin()",
        "begin_nested(",
    ]
    .iter()
    .any(|marker| text.contains(marker))
}

/// The calls a function body makes itself (not those of the functions it defines), in source
/// order, without those in a `catch`/`except`/`finally` block: a write there records a
/// failure (`job.update({ status: "failed" })`), and is meant to stay when the rest did not
/// happen.
fn own_calls_outside_error_handlers(body: Node<'_>) -> Vec<Node<'_>> {
    preorder_pruned(body, |node| {
        node.id() == body.id()
            || !(is_function(node)
                || matches!(
                    node.kind(),
                    "catch_clause" | "finally_clause" | "except_clause" | "except_group_clause"
                ))
    })
    .filter(|node| matches!(node.kind(), "call_expression" | "call"))
    .collect()
}

/// Whether the Django project wraps every view in a transaction (`ATOMIC_REQUESTS = True`
/// in a settings module, or in a `DATABASES` entry). The services and models views call run
/// in that transaction too, so no Django write of the project is reported.
fn django_atomic_requests(context: &RuleContext<'_>) -> bool {
    django_settings(&context.source.path)
        .iter()
        .any(|settings| {
            settings.lines().any(|line| {
                let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
                compact.contains("ATOMIC_REQUESTS\"]=True")
                    || compact.contains("ATOMIC_REQUESTS=True")
                    || compact.contains("\"ATOMIC_REQUESTS\":True")
                    || compact.contains("'ATOMIC_REQUESTS':True")
            })
        })
}

fn advice(library: Library) -> &'static str {
    match library {
        Library::Prisma => "wrap the writes in `prisma.$transaction(async (tx) => …)` and make them through `tx`",
        Library::TypeOrm | Library::Repository => {
            "wrap them in `dataSource.transaction(async (manager) => …)` and write through `manager`"
        }
        Library::MikroOrm => "wrap them in `em.transactional(async (em) => …)`",
        Library::Drizzle => "wrap them in `db.transaction(async (tx) => …)` and write through `tx`",
        Library::Sequelize => "wrap them in `sequelize.transaction(async (transaction) => …)` and pass `{ transaction }`",
        Library::Mongoose => "run them in `session.withTransaction(…)` and pass `{ session }`",
        Library::Knex => "wrap them in `knex.transaction(async (trx) => …)`",
        Library::Django | Library::Tortoise | Library::Peewee => {
            "wrap them in `with transaction.atomic():` (or decorate the function with `@transaction.atomic`)"
        }
        Library::SqlAlchemy => {
            "make the writes in one transaction (`with session.begin():`, or `session.flush()` for ids and one `commit()`)"
        }
        _ => "wrap them in one transaction",
    }
}
