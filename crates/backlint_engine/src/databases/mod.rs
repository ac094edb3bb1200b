//! Database recognition: whether a call runs a database query, with which library, on which
//! model or table, and whether it is batched (one query for many rows).
//!
//! A call is read as a chain of names and calls, from the client to the operation
//! (`this.prisma.user.findMany({…})` is `this` · `prisma` · `user` · `findMany(…)`), and each
//! library recognises its shapes: a Prisma model delegate, a TypeORM repository, a Drizzle
//! builder, a Django manager… Shapes that other libraries share (`x.y.create()` is also
//! Stripe's) count only when the file shows that the library is in use: its imports, its client
//! constructor, a model imported from a `models` module. Only the end of a chain is a query
//! (`db.select().from(t).where(…)` is one, at its last call), and builders count only where they
//! are executed (awaited, returned, iterated).
//!
//! Recognition reads one file: a client made in another module is known by its name (`prisma`,
//! `db`, `userRepository`) and its shape, or configured by the rule that asks.

mod javascript;
mod python;

pub use python::is_django_queryset;

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use tree_sitter::Node;

use crate::language::Grammar;
use crate::names::word_parts;
use crate::semantic::Imports;
use crate::source::Source;
use crate::syntax::{member_parts, preorder, Fields};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Library {
    Prisma,
    TypeOrm,
    MikroOrm,
    /// A project's own repository class (`this.userRepository.findOne(…)`) over an ORM the
    /// file does not show.
    Repository,
    Drizzle,
    Sequelize,
    Mongoose,
    Knex,
    /// node-postgres, mysql2 and the other drivers that take SQL text: `pool.query(sql)`.
    SqlDriver,
    /// postgres.js and its kin, whose tagged template runs the query: ``await sql`…` ``.
    SqlTag,
    Django,
    SqlAlchemy,
    /// asyncpg and `databases`: `await conn.fetch(sql)`.
    AsyncPg,
    /// Python DB-API cursors: `cursor.execute(sql)`.
    DbApi,
    Tortoise,
    Peewee,
    /// A client the configuration names (`extra-clients`).
    Configured,
}

impl Library {
    /// The id shown in messages and debug output.
    pub fn id(self) -> &'static str {
        match self {
            Library::Prisma => "prisma",
            Library::TypeOrm => "typeorm",
            Library::MikroOrm => "mikro-orm",
            Library::Repository => "repository",
            Library::Drizzle => "drizzle",
            Library::Sequelize => "sequelize",
            Library::Mongoose => "mongoose",
            Library::Knex => "knex",
            Library::SqlDriver => "sql-driver",
            Library::SqlTag => "sql-tag",
            Library::Django => "django",
            Library::SqlAlchemy => "sqlalchemy",
            Library::AsyncPg => "asyncpg",
            Library::DbApi => "db-api",
            Library::Tortoise => "tortoise",
            Library::Peewee => "peewee",
            Library::Configured => "configured",
        }
    }
}

/// A call that runs a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseCall {
    pub library: Library,
    /// The model or table, as the code names it (`user`, `User`, `users`), when it shows.
    pub model: Option<String>,
    /// The method that runs the query (`findMany`, `get`, `execute`), or the tag (`sql`).
    pub operation: String,
    /// Whether one query serves many rows: `createMany`, `bulk_create`, `{ id: { in: ids } }`.
    pub batched: bool,
}

/// Words of an operation that make it a write: `create`, `updateMany`, `bulk_create`,
/// `findOneAndUpdate`, `$executeRaw`, a related manager's `add`.
const WRITE_WORDS: &[&str] = &[
    "create",
    "insert",
    "update",
    "upsert",
    "delete",
    "destroy",
    "remove",
    "save",
    "bulk",
    "add",
    "set",
    "clear",
    "increment",
    "decrement",
    "persist",
    "flush",
    "truncate",
    "replace",
    "restore",
    "merge",
    "execute",
];

/// Whether a call's text (its callee, through the whole chain) could name a write: it holds
/// one of the write words in some case. Far cheaper than recognising the call, and no call
/// whose text fails it is a write by [`DatabaseCall::writes`].
pub fn may_name_a_write(text: &str) -> bool {
    WRITE_WORD_FINDER.is_match(text)
}

/// [`WRITE_WORDS`] in any ASCII case, for [`may_name_a_write`].
static WRITE_WORD_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(WRITE_WORDS)
        .unwrap_or_else(|error| panic!("the write words are valid patterns: {error}"))
});

impl DatabaseCall {
    /// Whether the call writes rows rather than reads them, by its operation: `create`,
    /// `updateMany`, `save`, `findOneAndUpdate`, Prisma's `$executeRaw`. A driver's
    /// `execute(sql)` says nothing by itself: see [`writes_rows`] for its SQL.
    pub fn writes(&self) -> bool {
        let generic_execute = self.operation == "execute"
            || self.operation == "executemany"
            || self.operation == "query";
        !generic_execute
            && word_parts(&self.operation)
                .iter()
                .any(|word| WRITE_WORDS.contains(&word.as_str()))
    }
}

/// What a file shows about the database libraries it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Databases {
    grammar: Grammar,
    file: FileEvidence,
}

/// The libraries a file uses, from its imports and text. Shapes that several libraries share
/// need this evidence; distinctive shapes do not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct FileEvidence {
    prisma: bool,
    drizzle: bool,
    typeorm: bool,
    mikro_orm: bool,
    sequelize: bool,
    mongoose: bool,
    knex: bool,
    sql_driver: bool,
    /// Names of tagged templates that run a query (`sql` from postgres.js, `@vercel/postgres`).
    query_tags: Vec<String>,
    /// Names of tagged templates that only build one (`sql` from `drizzle-orm`, `Prisma.sql`).
    builder_tags: Vec<String>,
    /// Names imported from a module whose path names models (`../models/user`, `.models`).
    imported_models: Vec<String>,
    django: bool,
    sqlalchemy: bool,
    asyncpg: bool,
    db_api: bool,
    tortoise: bool,
    peewee: bool,
}

impl Databases {
    pub fn new(grammar: Grammar, source: &Source, imports: &Imports) -> Databases {
        let file = match grammar {
            Grammar::Python => python::evidence(source, imports),
            Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript => {
                javascript::evidence(source, imports)
            }
        };
        Databases { grammar, file }
    }

    /// The query that `call` runs, if it runs one. `call` is a call node (`call_expression`,
    /// Python `call`); tagged templates are calls too.
    pub fn call(&self, call: Node<'_>, source: &Source) -> Option<DatabaseCall> {
        self.call_with_clients(call, source, &[])
    }

    /// Like [`Databases::call`], with the names of more clients: a chain through one of them
    /// (`store.orders.get(id)`, `this.store.get(id)`) runs a query.
    pub fn call_with_clients(
        &self,
        call: Node<'_>,
        source: &Source,
        extra_clients: &[String],
    ) -> Option<DatabaseCall> {
        if is_promise_callback(call, source) || !is_chain_end(call, source) {
            return None;
        }
        let chain = Chain::of(call, source)?;
        let recognised = match self.grammar {
            Grammar::Python => python::recognise(&chain, &self.file, source),
            Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript => {
                javascript::recognise(&chain, &self.file, source)
            }
        };
        recognised.or_else(|| configured_client(&chain, extra_clients))
    }

    /// Every query of a file, with the call's byte range. For tools and tests.
    pub fn of_source(
        source: &Source,
        grammar: Grammar,
    ) -> Option<Vec<(Range<usize>, DatabaseCall)>> {
        let tree = crate::parse::parse(grammar, source.text())?;
        let semantic = crate::semantic::Semantic::new(grammar, tree.root_node(), source);
        let databases = semantic.databases();
        let found = preorder(tree.root_node())
            .filter(|node| matches!(node.kind(), "call_expression" | "call"))
            .filter_map(|node| Some((node.byte_range(), databases.call(node, source)?)))
            .collect();
        Some(found)
    }
}

/// One link of a chain: a name, and the arguments when the name is called.
#[derive(Debug, Clone, Copy)]
struct Link<'a> {
    name: &'a str,
    arguments: Option<Node<'a>>,
}

/// A call read from its client to its last method: `db.session.query(User).get(1)` is
/// `db` · `session` · `query(User)` · `get(1)`.
#[derive(Debug)]
struct Chain<'a> {
    links: Vec<Link<'a>>,
    /// The whole call.
    call: Node<'a>,
}

impl<'a> Chain<'a> {
    fn of(call: Node<'a>, source: &'a Source) -> Option<Chain<'a>> {
        let text = |node: Node<'a>| &source.text()[node.byte_range()];
        let mut links = Vec::new();
        let mut node = call;
        loop {
            node = unwrap_expression(node);
            match node.kind() {
                "call_expression" | "call" => {
                    let function = unwrap_expression(node.field("function")?);
                    let arguments = node.field("arguments")?;
                    match member_parts(function) {
                        Some((object, property)) => {
                            links.push(Link {
                                name: text(property),
                                arguments: Some(arguments),
                            });
                            node = object;
                        }
                        None if function.kind() == "identifier" => {
                            links.push(Link {
                                name: text(function),
                                arguments: Some(arguments),
                            });
                            break;
                        }
                        None => return None,
                    }
                }
                "member_expression" | "attribute" => {
                    let (object, property) = member_parts(node)?;
                    links.push(Link {
                        name: text(property),
                        arguments: None,
                    });
                    node = object;
                }
                "identifier" | "this" => {
                    links.push(Link {
                        name: text(node),
                        arguments: None,
                    });
                    break;
                }
                _ => return None,
            }
        }
        links.reverse();
        Some(Chain { links, call })
    }

    fn last(&self) -> Link<'a> {
        // A chain is built from a call, so it has at least one link.
        self.links[self.links.len() - 1]
    }

    /// The link `back` places before the last one (1: the one just before).
    fn before_last(&self, back: usize) -> Option<Link<'a>> {
        self.links
            .len()
            .checked_sub(1 + back)
            .map(|index| self.links[index])
    }

    fn find(&self, name: &str) -> Option<(usize, Link<'a>)> {
        self.links
            .iter()
            .enumerate()
            .find(|(_, link)| link.name == name)
            .map(|(index, link)| (index, *link))
    }

    /// The first argument of a link, when it has one.
    fn first_argument(link: Link<'a>) -> Option<Node<'a>> {
        let arguments = link.arguments?;
        let mut cursor = arguments.walk();
        let first = arguments
            .named_children(&mut cursor)
            .find(|argument| argument.kind() != "comment");
        first
    }
}

/// The expression inside parentheses and TypeScript's `x!`.
fn unwrap_expression(mut node: Node<'_>) -> Node<'_> {
    while matches!(
        node.kind(),
        "parenthesized_expression" | "non_null_expression"
    ) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// Whether a call is the last of its chain: `db.select().from(t)` is one query, at `from(t)`,
/// not three. A chain that goes on with `.then`/`.catch`/`.finally` ends before them.
fn is_chain_end(call: Node<'_>, source: &Source) -> bool {
    let Some(parent) = call.parent() else {
        return true;
    };
    let Some((object, property)) = member_parts(parent) else {
        return true;
    };
    if object.id() != call.id() {
        return true;
    }
    let continues_with_call = parent
        .parent()
        .is_some_and(|grandparent| matches!(grandparent.kind(), "call_expression" | "call"));
    !continues_with_call
        || matches!(
            &source.text()[property.byte_range()],
            "then" | "catch" | "finally"
        )
}

/// `.then(…)`, `.catch(…)`, `.finally(…)`: the promise's handlers, not a query.
fn is_promise_callback(call: Node<'_>, source: &Source) -> bool {
    call.field("function")
        .and_then(member_parts)
        .is_some_and(|(_, property)| {
            matches!(
                &source.text()[property.byte_range()],
                "then" | "catch" | "finally"
            )
        })
}

/// A chain through a configured client: `store.get(id)`, `this.store.orders.find(…)`.
fn configured_client(chain: &Chain<'_>, extra_clients: &[String]) -> Option<DatabaseCall> {
    let last_index = chain.links.len() - 1;
    let client_index = chain.links[..last_index].iter().position(|link| {
        link.arguments.is_none() && extra_clients.iter().any(|c| c == link.name)
    })?;
    let last = chain.last();
    let model = (client_index + 2 == last_index)
        .then(|| chain.links[client_index + 1])
        .filter(|link| link.arguments.is_none())
        .map(|link| link.name.to_owned());
    Some(DatabaseCall {
        library: Library::Configured,
        model,
        operation: last.name.to_owned(),
        batched: false,
    })
}

/// A string literal's text after its prefix and quotes: `f"SELECT …"` → `SELECT …`. Other
/// text is returned as it is, without leading white space.
fn string_body(text: &str) -> &str {
    let prefix_length = text
        .chars()
        .take(2)
        .take_while(|c| matches!(c.to_ascii_lowercase(), 'f' | 'r' | 'b' | 'u'))
        .count();
    let unprefixed = match text[prefix_length..].chars().next() {
        Some('"' | '\'' | '`') => &text[prefix_length..],
        _ => text,
    };
    unprefixed.trim_start_matches(['"', '\'', '`']).trim_start()
}

/// The first word of SQL text, in capitals, when a space follows it: `SELECT` in
/// `"select * from t"`.
fn sql_keyword(text: &str) -> Option<String> {
    let body = string_body(text);
    let word_length = body
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(body.len());
    body[word_length..]
        .starts_with(char::is_whitespace)
        .then(|| body[..word_length].to_ascii_uppercase())
}

/// Whether text reads as a SQL statement that reads or writes rows: it starts with `SELECT`,
/// `INSERT`, `UPDATE`…
fn is_sql_statement(text: &str) -> bool {
    sql_keyword(text).is_some_and(|keyword| {
        matches!(
            keyword.as_str(),
            "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "WITH" | "UPSERT" | "REPLACE" | "MERGE"
        )
    })
}

/// Whether SQL text works on the schema, the session or the catalog rather than on rows:
/// DDL (`DROP TABLE …`, `CREATE INDEX …`), session and maintenance statements (`SET …`,
/// `PRAGMA …`, `VACUUM`, `SELECT load_extension(…)`), and reads of the system catalogs
/// (`pg_proc`, `information_schema.columns`, `sqlite_master`).
pub fn touches_no_rows(text: &str) -> bool {
    let Some(keyword) = sql_keyword(text) else {
        return false;
    };
    let body = string_body(text);
    match keyword.as_str() {
        "CREATE" | "ALTER" | "DROP" | "TRUNCATE" | "GRANT" | "REVOKE" | "COMMENT" | "SET"
        | "RESET" | "PRAGMA" | "VACUUM" | "ANALYZE" | "ATTACH" | "DETACH" | "LOAD" => true,
        "SELECT" => {
            let selected = body["SELECT".len()..].trim_start().to_ascii_lowercase();
            selected.starts_with("load_extension(")
                || sql_table(body).is_some_and(|table| is_catalog_table(&table))
        }
        _ => false,
    }
}

/// Whether a table belongs to the database's own catalog: `pg_proc`, `pg_catalog.pg_class`,
/// `information_schema.tables`, `sqlite_master`.
fn is_catalog_table(table: &str) -> bool {
    let table = table.to_ascii_lowercase();
    [
        "pg_",
        "information_schema.",
        "sqlite_master",
        "sqlite_schema",
        "pragma_",
    ]
    .iter()
    .any(|prefix| table.starts_with(prefix))
}

/// Whether SQL text writes rows: `INSERT …`, `UPDATE …`, `DELETE …`.
pub fn writes_rows(text: &str) -> bool {
    sql_keyword(text).is_some_and(|keyword| {
        matches!(
            keyword.as_str(),
            "INSERT" | "UPDATE" | "DELETE" | "UPSERT" | "REPLACE" | "MERGE"
        )
    })
}

/// Whether SQL text asks for many rows at once: `IN (…)`, `= ANY($1)`, `unnest(…)`.
fn sql_is_batched(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    upper.contains(" IN (")
        || upper.contains(" IN(")
        || upper.contains("ANY(")
        || upper.contains("ANY (")
        || upper.contains("UNNEST(")
}

/// Whether a name reads as a class: `User`, `OrderItem` (not `URL`, not `user`).
fn is_class_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_uppercase())
        && name.chars().any(|c| c.is_ascii_lowercase())
}

/// The first table a SQL text names, after `FROM`, `INTO` or `UPDATE`.
fn sql_table(sql: &str) -> Option<String> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    words.windows(2).find_map(|pair| {
        let keyword = pair[0].to_ascii_uppercase();
        if !matches!(keyword.as_str(), "FROM" | "INTO" | "UPDATE") {
            return None;
        }
        let table: String = pair[1]
            .trim_matches(['"', '`', '\''])
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
            .collect();
        (!table.is_empty()).then_some(table)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(operation: &str) -> DatabaseCall {
        DatabaseCall {
            library: Library::Prisma,
            model: None,
            operation: operation.to_owned(),
            batched: false,
        }
    }

    #[test]
    fn writes_are_told_by_their_operation() {
        for write in [
            "create",
            "findOneAndUpdate",
            "bulk_create",
            "$executeRaw",
            "save",
        ] {
            assert!(call(write).writes(), "{write}");
        }
        for read in [
            "findUnique",
            "get",
            "filter",
            "execute",
            "query",
            "$queryRaw",
            "count",
        ] {
            assert!(!call(read).writes(), "{read}");
        }
    }

    #[test]
    fn sql_table_reads_the_first_table() {
        assert_eq!(
            sql_table("SELECT * FROM users WHERE id = $1").as_deref(),
            Some("users")
        );
        assert_eq!(
            sql_table("insert into \"orders\" (id) values ($1)").as_deref(),
            Some("orders")
        );
        assert_eq!(sql_table("SELECT 1"), None);
    }

    #[test]
    fn sql_text_is_read_past_prefixes_and_quotes() {
        assert!(is_sql_statement("\"update users set a = 1\""));
        assert!(is_sql_statement("f'''SELECT * FROM t'''"));
        assert!(is_sql_statement("`replace into t values (1)`"));
        assert!(!is_sql_statement("\"selected items\""));
        assert_eq!(string_body("rb'DROP TABLE t'"), "DROP TABLE t'");
        assert!(touches_no_rows("f\"drop table {name}\""));
        assert!(touches_no_rows("'PRAGMA foreign_keys = ON'"));
        assert!(touches_no_rows("\"SELECT load_extension(?, ?)\""));
        assert!(touches_no_rows(
            "'''SELECT proname FROM pg_proc WHERE pronamespace = %s'''"
        ));
        assert!(touches_no_rows(
            "\"select column_name from information_schema.columns\""
        ));
        assert!(!touches_no_rows("\"SELECT 1\""));
        assert!(!touches_no_rows("\"SELECT * FROM page_views\""));
        assert!(writes_rows("`insert into t values ($1)`"));
        assert!(!writes_rows("'select 1'"));
    }
}
