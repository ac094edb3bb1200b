//! Queries in Python: the Django ORM, SQLAlchemy (1.x `session.query` and 2.0
//! `session.execute(select(…))`, Flask-SQLAlchemy's `Model.query`), asyncpg and `databases`,
//! DB-API cursors, Tortoise and Peewee.

use tree_sitter::Node;

use super::{
    is_class_name, is_sql_statement, sql_is_batched, sql_table, Chain, DatabaseCall, FileEvidence,
    Library,
};
use crate::semantic::Imports;
use crate::source::Source;
use crate::syntax::{preorder, Fields};

/// The names under which a Django model class holds its manager.
const DJANGO_MANAGERS: &[&str] = &["objects", "_default_manager", "_base_manager"];

/// Queryset and manager methods that run a query when called; the others build a queryset,
/// which runs when it is evaluated.
const DJANGO_RUNS: &[&str] = &[
    "get",
    "first",
    "last",
    "count",
    "exists",
    "create",
    "get_or_create",
    "update_or_create",
    "update",
    "delete",
    "aggregate",
    "earliest",
    "latest",
    "contains",
    "explain",
    "iterator",
    "bulk_create",
    "bulk_update",
    "in_bulk",
    "get_by_natural_key",
    "create_user",
    "create_superuser",
];

const DJANGO_BATCHES: &[&str] = &["bulk_create", "bulk_update", "in_bulk"];

/// Manager methods that answer from a cache after the first call, and `none()`, whose
/// queryset answers "nothing" without asking the database.
const DJANGO_CACHED: &[&str] = &[
    "none",
    "get_for_model",
    "get_for_models",
    "get_for_id",
    "get_current",
    "clear_cache",
];

/// Methods that run a SQLAlchemy `Query` (and Flask-SQLAlchemy's `Model.query`).
const SQLALCHEMY_QUERY_RUNS: &[&str] = &[
    "all",
    "first",
    "one",
    "one_or_none",
    "scalar",
    "count",
    "get",
    "delete",
    "update",
    "first_or_404",
    "get_or_404",
    "one_or_404",
    "paginate",
];

/// Session methods that run a statement.
const SQLALCHEMY_SESSION_RUNS: &[&str] = &["get", "get_one", "execute", "scalars", "scalar"];

/// asyncpg, `databases` and DB-API methods that send SQL.
const SQL_METHODS: &[&str] = &[
    "fetch",
    "fetchrow",
    "fetchval",
    "fetch_all",
    "fetch_one",
    "fetch_val",
    "execute",
    "executemany",
];

/// Tortoise and Peewee model methods that run a query when called.
const ACTIVE_RECORD_RUNS: &[&str] = &[
    "get",
    "get_or_none",
    "create",
    "get_or_create",
    "update_or_create",
    "get_by_id",
    "first",
    "count",
    "exists",
    "bulk_create",
    "execute",
];

/// Tortoise and Peewee model methods that build a query.
const ACTIVE_RECORD_BUILDS: &[&str] = &["filter", "exclude", "all", "select", "where", "annotate"];

/// Built-in functions that evaluate (iterate or size) what they are given.
const EVALUATING_FUNCTIONS: &[&str] = &[
    "list",
    "tuple",
    "set",
    "dict",
    "len",
    "sorted",
    "bool",
    "any",
    "all",
    "sum",
    "next",
    "iter",
    "max",
    "min",
    "enumerate",
    "reversed",
];

const DB_API_MODULES: &[&str] = &[
    "psycopg",
    "psycopg2",
    "pymysql",
    "MySQLdb",
    "sqlite3",
    "aiosqlite",
    "aiopg",
    "aiomysql",
    "cx_Oracle",
    "oracledb",
    "django.db",
];

pub(super) fn evidence(_source: &Source, imports: &Imports) -> FileEvidence {
    let imports_any = |modules: &[&str]| modules.iter().any(|module| imports.has_module(module));
    let imported_models = imports
        .entries()
        .iter()
        .filter(|import| import.module.to_ascii_lowercase().contains("model"))
        .map(|import| import.local.clone())
        .collect();
    FileEvidence {
        imported_models,
        django: imports_any(&["django"]),
        sqlalchemy: imports_any(&["sqlalchemy", "sqlmodel", "flask_sqlalchemy"]),
        asyncpg: imports_any(&["asyncpg", "databases"]),
        db_api: imports_any(DB_API_MODULES),
        tortoise: imports_any(&["tortoise"]),
        peewee: imports_any(&["peewee", "playhouse"]),
        ..FileEvidence::default()
    }
}

pub(super) fn recognise(
    chain: &Chain<'_>,
    file: &FileEvidence,
    source: &Source,
) -> Option<DatabaseCall> {
    let reader = Reader { file, source };
    reader
        .django(chain)
        .or_else(|| reader.sqlalchemy(chain))
        .or_else(|| reader.sql(chain))
        .or_else(|| reader.active_record(chain))
}

/// Whether an expression is a Django queryset built from a manager: `Order.objects.filter(…)`,
/// `Order.objects.select_related("user").all()`. For loops over querysets.
pub fn is_django_queryset(expression: Node<'_>, source: &Source) -> bool {
    let Some(chain) = Chain::of(expression, source) else {
        return false;
    };
    chain.links.iter().enumerate().any(|(index, link)| {
        index >= 1 && DJANGO_MANAGERS.contains(&link.name) && link.arguments.is_none()
    }) && chain.links.len() >= 3
}

struct Reader<'a> {
    file: &'a FileEvidence,
    source: &'a Source,
}

impl Reader<'_> {
    fn text(&self, node: Node<'_>) -> &str {
        &self.source.text()[node.byte_range()]
    }

    /// `Order.objects.get(pk=1)`, `Order.objects.filter(…).first()`, and a lazy queryset where
    /// it is evaluated: `for o in Order.objects.filter(…)`, `list(…)`, `if qs.exists()`.
    fn django(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let links = &chain.links;
        let manager_index = links.iter().enumerate().skip(1).position(|(_, link)| {
            DJANGO_MANAGERS.contains(&link.name) && link.arguments.is_none()
        })? + 1;
        let methods = &links[manager_index + 1..];
        if methods.is_empty() || methods.iter().any(|link| link.arguments.is_none()) {
            return None;
        }
        if methods
            .iter()
            .any(|link| DJANGO_CACHED.contains(&link.name))
        {
            return None;
        }
        let last = chain.last();
        let operation = last
            .name
            .strip_prefix('a')
            .filter(|sync| DJANGO_RUNS.contains(sync));
        let runs = DJANGO_RUNS.contains(&last.name)
            || operation.is_some()
            || is_evaluated(chain.call, self.source);
        if !runs {
            return None;
        }
        let batched = DJANGO_BATCHES.contains(&operation.unwrap_or(last.name))
            || methods.iter().any(|link| self.has_in_lookup(link));
        Some(DatabaseCall {
            library: Library::Django,
            model: Some(links[manager_index - 1].name.to_owned()),
            operation: last.name.to_owned(),
            batched,
        })
    }

    /// `session.query(User).filter(…).all()`, `User.query.get(1)`, `session.get(User, 1)`,
    /// `session.execute(select(User))`, `db.session.scalars(…)`.
    fn sqlalchemy(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let links = &chain.links;
        let last = chain.last();
        let last_index = links.len() - 1;
        let batched = self.text(chain.call).contains(".in_(");
        if let Some((index, query)) = chain.find("query") {
            let by_session =
                index >= 1 && query.arguments.is_some() && self.is_session(links[index - 1].name);
            let by_model = index == 1
                && query.arguments.is_none()
                && is_class_name(links[0].name)
                && links[0].arguments.is_none();
            if by_session || by_model {
                let runs = (index < last_index && SQLALCHEMY_QUERY_RUNS.contains(&last.name))
                    || is_evaluated(chain.call, self.source);
                if !runs {
                    return None;
                }
                let model = if by_model {
                    Some(links[0].name.to_owned())
                } else {
                    Chain::first_argument(query).and_then(|model| self.model_name(model))
                };
                return Some(DatabaseCall {
                    library: Library::SqlAlchemy,
                    model,
                    operation: last.name.to_owned(),
                    batched,
                });
            }
        }
        // `session.execute(…)` runs the statement; what follows reads the result
        // (`.scalars().all()`).
        let run = (1..links.len())
            .map(|index| links[index])
            .zip(links.iter())
            .find(|(run, receiver)| {
                SQLALCHEMY_SESSION_RUNS.contains(&run.name)
                    && run.arguments.is_some()
                    && receiver.arguments.is_none()
                    && self.is_session(receiver.name)
            });
        let (run, _) = run?;
        let statement = Chain::first_argument(run)?;
        let model = match statement.kind() {
            "identifier" if is_class_name(self.text(statement)) => {
                Some(self.text(statement).to_owned())
            }
            _ if matches!(run.name, "get" | "get_one") => return None,
            "string" => sql_table(self.text(statement)),
            _ => self.selected_model(statement),
        };
        Some(DatabaseCall {
            library: Library::SqlAlchemy,
            model,
            operation: run.name.to_owned(),
            batched: batched || sql_is_batched(self.text(statement)),
        })
    }

    /// `await conn.fetch("SELECT …")`, `cursor.execute(sql, params)`, `await database.fetch_all(q)`.
    fn sql(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let last = chain.last();
        if !SQL_METHODS.contains(&last.name) {
            return None;
        }
        let receiver = chain.before_last(1)?;
        let receiver_name = receiver.name.to_ascii_lowercase();
        let is_cursor = receiver_name.contains("cursor") || receiver_name == "cur";
        if !is_cursor && (receiver.arguments.is_some() || !is_connection_name(&receiver_name)) {
            return None;
        }
        let sql = Chain::first_argument(last)?;
        let sql_text = self.text(sql);
        let is_text = sql.kind() == "string" || sql.kind() == "concatenated_string";
        let file = self.file;
        let takes_sql = if is_text {
            is_sql_statement(sql_text)
        } else {
            file.asyncpg || file.db_api || file.sqlalchemy
        };
        if !takes_sql {
            return None;
        }
        let library = if is_cursor {
            Library::DbApi
        } else if file.asyncpg || last.name.starts_with("fetch") {
            Library::AsyncPg
        } else if file.sqlalchemy {
            Library::SqlAlchemy
        } else {
            Library::DbApi
        };
        Some(DatabaseCall {
            library,
            model: if is_text { sql_table(sql_text) } else { None },
            operation: last.name.to_owned(),
            batched: last.name == "executemany" || sql_is_batched(sql_text),
        })
    }

    /// Tortoise and Peewee: `await User.get(id=1)`, `await User.filter(…).first()`,
    /// `User.select().where(…)` iterated, `User.create(…)`.
    fn active_record(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let links = &chain.links;
        let [model, methods @ ..] = links.as_slice() else {
            return None;
        };
        let first_method = methods.first()?;
        let plain_model = is_class_name(model.name) && model.arguments.is_none();
        let known_method = ACTIVE_RECORD_RUNS.contains(&first_method.name)
            || ACTIVE_RECORD_BUILDS.contains(&first_method.name);
        if !plain_model || !known_method || methods.iter().any(|link| link.arguments.is_none()) {
            return None;
        }
        let file = self.file;
        let awaited = is_awaited(chain.call);
        let library = if file.tortoise {
            Library::Tortoise
        } else if file.peewee {
            Library::Peewee
        } else if awaited
            && !file.django
            && !file.sqlalchemy
            && file.imported_models.iter().any(|name| name == model.name)
        {
            Library::Tortoise
        } else {
            return None;
        };
        let last = chain.last();
        let runs = ACTIVE_RECORD_RUNS.contains(&last.name)
            || awaited
            || is_evaluated(chain.call, self.source);
        if !runs {
            return None;
        }
        Some(DatabaseCall {
            library,
            model: Some(model.name.to_owned()),
            operation: last.name.to_owned(),
            batched: last.name == "bulk_create"
                || methods.iter().any(|link| self.has_in_lookup(link))
                || self.text(chain.call).contains(".in_("),
        })
    }

    /// Whether a call passes a `field__in=` lookup: one query for many values.
    fn has_in_lookup(&self, link: &super::Link<'_>) -> bool {
        let Some(arguments) = link.arguments else {
            return false;
        };
        let mut cursor = arguments.walk();
        let found = arguments.named_children(&mut cursor).any(|argument| {
            argument.kind() == "keyword_argument"
                && argument
                    .field("name")
                    .is_some_and(|name| self.text(name).ends_with("__in"))
        });
        found
    }

    fn is_session(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        lower.contains("session")
            || (matches!(lower.as_str(), "db" | "sess") && self.file.sqlalchemy)
    }

    /// `User` in `session.query(User)`, `User.id` → `User`.
    fn model_name(&self, model: Node<'_>) -> Option<String> {
        let text = self.text(model);
        let name = text.split('.').next()?;
        is_class_name(name).then(|| name.to_owned())
    }

    /// The model of a 2.0-style statement: `select(User).where(…)` → `User`.
    fn selected_model(&self, statement: Node<'_>) -> Option<String> {
        preorder(statement)
            .filter(|node| node.kind() == "call")
            .find_map(|call| {
                let function = call.field("function")?;
                // `select(User)`, `db.select(User)` (Flask-SQLAlchemy), `sa.update(Order)`.
                let name = self.text(function).rsplit('.').next().unwrap_or("");
                if !matches!(name, "select" | "update" | "delete" | "insert") {
                    return None;
                }
                let model = Chain::first_argument(super::Link {
                    name: "",
                    arguments: call.field("arguments"),
                })?;
                self.model_name(model)
            })
    }
}

/// `conn`, `connection`, `pool`, `db`, `database`, `self.pg_pool`.
fn is_connection_name(lower: &str) -> bool {
    ["conn", "con", "pool", "db", "database", "tx", "transaction"]
        .iter()
        .any(|word| lower == *word || lower.ends_with(&format!("_{word}")))
        || lower.contains("connection")
}

fn is_awaited(call: Node<'_>) -> bool {
    outer_expression(call)
        .1
        .is_some_and(|parent| parent.kind() == "await")
}

/// The expression around a call once parentheses are left, and its parent.
fn outer_expression(call: Node<'_>) -> (Node<'_>, Option<Node<'_>>) {
    let mut node = call;
    while let Some(parent) = node.parent() {
        if parent.kind() != "parenthesized_expression" {
            return (node, Some(parent));
        }
        node = parent;
    }
    (node, None)
}

/// Whether a lazy query is evaluated where it stands: iterated by a `for` or a comprehension,
/// passed to `list()`/`len()`…, indexed (`qs[0]`), tested (`if qs:`), or awaited.
fn is_evaluated(call: Node<'_>, source: &Source) -> bool {
    let (node, Some(parent)) = outer_expression(call) else {
        return false;
    };
    let is_field = |field: &'static str| {
        parent
            .field(field)
            .is_some_and(|child| child.id() == node.id())
    };
    match parent.kind() {
        "await" | "not_operator" => true,
        // `qs or default` tests `qs`; `default` is only returned.
        "boolean_operator" => is_field("left"),
        "for_statement" | "for_in_clause" => is_field("right"),
        "if_statement" | "elif_clause" | "while_statement" | "conditional_expression" => {
            is_field("condition") || parent.kind() == "conditional_expression"
        }
        "comparison_operator" => true,
        "subscript" => {
            is_field("value")
                && parent
                    .field("subscript")
                    .is_some_and(|index| index.kind() != "slice")
        }
        "argument_list" => parent
            .parent()
            .and_then(|call| call.field("function"))
            .is_some_and(|function| {
                function.kind() == "identifier"
                    && EVALUATING_FUNCTIONS.contains(&&source.text()[function.byte_range()])
            }),
        _ => false,
    }
}
