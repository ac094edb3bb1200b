//! Queries in TypeScript and JavaScript: Prisma, TypeORM, Drizzle, Sequelize, Mongoose, Knex,
//! the SQL drivers (node-postgres, mysql2…) and postgres.js-style tagged templates.

use tree_sitter::Node;

use super::{
    is_class_name, is_sql_statement, sql_is_batched, sql_table, unwrap_expression, Chain,
    DatabaseCall, FileEvidence, Library,
};
use crate::semantic::Imports;
use crate::source::Source;
use crate::syntax::{preorder, Fields};

/// Prisma model methods that nothing else is likely to have on `client.model`.
const PRISMA_OPERATIONS: &[&str] = &[
    "findUnique",
    "findUniqueOrThrow",
    "findFirst",
    "findFirstOrThrow",
    "findMany",
    "upsert",
    "groupBy",
    "aggregate",
    "createMany",
    "createManyAndReturn",
    "updateMany",
    "updateManyAndReturn",
    "deleteMany",
];

/// Prisma model methods that other clients have too (`stripe.customers.create`).
const PRISMA_SHARED_OPERATIONS: &[&str] = &["create", "update", "delete", "count"];

const PRISMA_RAW_OPERATIONS: &[&str] = &[
    "$queryRaw",
    "$executeRaw",
    "$queryRawUnsafe",
    "$executeRawUnsafe",
    "$runCommandRaw",
];

/// Repository and entity manager methods that run a query (`create` and `merge` only build
/// an entity).
const TYPEORM_OPERATIONS: &[&str] = &[
    "find",
    "findBy",
    "findOne",
    "findOneBy",
    "findOneOrFail",
    "findOneByOrFail",
    "findAndCount",
    "findAndCountBy",
    "findByIds",
    "count",
    "countBy",
    "exist",
    "exists",
    "existsBy",
    "save",
    "insert",
    "update",
    "upsert",
    "delete",
    "remove",
    "softDelete",
    "softRemove",
    "restore",
    "recover",
    "increment",
    "decrement",
    "query",
    "sum",
    "average",
    "minimum",
    "maximum",
    "preload",
];

/// The methods that run a TypeORM query builder.
const TYPEORM_QUERY_BUILDER_ENDS: &[&str] = &[
    "getMany",
    "getOne",
    "getOneOrFail",
    "getRawMany",
    "getRawOne",
    "getCount",
    "getManyAndCount",
    "getRawAndEntities",
    "getExists",
    "execute",
    "stream",
];

const TYPEORM_REPOSITORY_FACTORIES: &[&str] = &[
    "getRepository",
    "getCustomRepository",
    "getMongoRepository",
    "getTreeRepository",
];

const TYPEORM_MANAGERS: &[&str] = &[
    "manager",
    "entityManager",
    "em",
    "transactionalEntityManager",
    "dataSource",
    "queryRunner",
];

const SEQUELIZE_OPERATIONS: &[&str] = &[
    "findAll",
    "findByPk",
    "findAndCountAll",
    "findOrCreate",
    "findCreateFind",
    "bulkCreate",
    "destroy",
];

const MONGOOSE_OPERATIONS: &[&str] = &[
    "findById",
    "findByIdAndUpdate",
    "findByIdAndDelete",
    "findByIdAndRemove",
    "findOneAndUpdate",
    "findOneAndDelete",
    "findOneAndReplace",
    "findOneAndRemove",
    "updateOne",
    "updateMany",
    "deleteOne",
    "deleteMany",
    "countDocuments",
    "estimatedDocumentCount",
    "insertMany",
    "replaceOne",
    "bulkWrite",
];

/// Static model methods that Sequelize and Mongoose share with many other classes.
const MODEL_SHARED_OPERATIONS: &[&str] = &[
    "find",
    "findOne",
    "create",
    "update",
    "count",
    "upsert",
    "aggregate",
    "distinct",
    "exists",
];

const BATCH_OPERATIONS: &[&str] = &[
    "createMany",
    "createManyAndReturn",
    "bulkCreate",
    "insertMany",
    "bulkWrite",
];

/// Classes of the language and the platform, whose static methods are not queries.
const BUILTIN_CLASSES: &[&str] = &[
    "Array", "Object", "Promise", "Math", "Date", "Number", "String", "Reflect", "Buffer", "Map",
    "Set", "Intl", "Atomics", "Symbol", "Error", "Boolean", "Proxy",
];

/// Drivers that take SQL text.
const SQL_DRIVER_MODULES: &[&str] = &[
    "pg",
    "mysql",
    "mysql2",
    "@vercel/postgres",
    "@neondatabase/serverless",
    "pg-promise",
    "better-sqlite3",
    "sqlite3",
    "sqlite",
    "mssql",
    "oracledb",
    "slonik",
    "@planetscale/database",
    "@databases/pg",
    "@databases/mysql",
];

/// Modules whose `sql` tag runs the query.
const QUERY_TAG_MODULES: &[&str] = &["postgres", "@vercel/postgres", "@neondatabase/serverless"];

/// Modules whose `sql` tag only builds a fragment for another call to run.
const BUILDER_TAG_MODULES: &[&str] = &[
    "drizzle-orm",
    "kysely",
    "slonik",
    "@prisma/client",
    "sql-template-strings",
    "sql-template-tag",
    "@databases/pg",
    "@databases/mysql",
];

pub(super) fn evidence(source: &Source, imports: &Imports) -> FileEvidence {
    let text = source.text();
    let mentions = |word: &str| memchr::memmem::find(text.as_bytes(), word.as_bytes()).is_some();
    let imports_any = |modules: &[&str]| modules.iter().any(|module| imports.has_module(module));
    let mut query_tags = Vec::new();
    let mut builder_tags = Vec::new();
    for import in imports.entries() {
        if imports_module(&import.module, QUERY_TAG_MODULES) {
            query_tags.push(import.local.clone());
        }
        if imports_module(&import.module, BUILDER_TAG_MODULES) || import.module.contains("slonik") {
            builder_tags.push(import.local.clone());
        }
    }
    // `const sql = postgres(url)`, `const sql = neon(url)`: the conventional name of the tag.
    if mentions("postgres(") || mentions("neon(") {
        query_tags.push("sql".to_owned());
    }
    let imported_models = imports
        .entries()
        .iter()
        .filter(|import| {
            let module = import.module.to_ascii_lowercase();
            module.contains("model") || module.contains("schema") || module.contains("entit")
        })
        .map(|import| import.local.clone())
        .collect();
    FileEvidence {
        prisma: mentions("prisma") || mentions("Prisma"),
        drizzle: mentions("drizzle"),
        typeorm: imports_any(&["typeorm", "@nestjs/typeorm"]),
        mikro_orm: imports
            .entries()
            .iter()
            .any(|import| import.module.starts_with("@mikro-orm/")),
        sequelize: imports_any(&["sequelize", "sequelize-typescript", "@nestjs/sequelize"]),
        mongoose: imports_any(&["mongoose", "@nestjs/mongoose", "@typegoose/typegoose"]),
        knex: mentions("knex") || mentions("Knex"),
        sql_driver: imports_any(SQL_DRIVER_MODULES),
        query_tags,
        builder_tags,
        imported_models,
        ..FileEvidence::default()
    }
}

fn imports_module(module: &str, modules: &[&str]) -> bool {
    modules.iter().any(|candidate| {
        module == *candidate
            || module
                .strip_prefix(candidate)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

pub(super) fn recognise(
    chain: &Chain<'_>,
    file: &FileEvidence,
    source: &Source,
) -> Option<DatabaseCall> {
    let reader = Reader { file, source };
    reader
        .prisma(chain)
        .or_else(|| reader.typeorm(chain))
        .or_else(|| reader.drizzle(chain))
        .or_else(|| reader.model_statics(chain))
        .or_else(|| reader.knex(chain))
        .or_else(|| reader.sql_driver(chain))
        .or_else(|| reader.sql_tag(chain))
}

struct Reader<'a> {
    file: &'a FileEvidence,
    source: &'a Source,
}

impl Reader<'_> {
    fn text(&self, node: Node<'_>) -> &str {
        &self.source.text()[node.byte_range()]
    }

    /// `prisma.user.findMany(…)`, `this.prisma.order.update(…)`, `tx.user.create(…)`,
    /// `prisma.$queryRaw\`…\``.
    fn prisma(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let last = chain.last();
        let arguments = last.arguments?;
        if PRISMA_RAW_OPERATIONS.contains(&last.name) && chain.links.len() >= 2 {
            return Some(DatabaseCall {
                library: Library::Prisma,
                model: None,
                operation: last.name.to_owned(),
                batched: sql_is_batched(self.text(arguments)),
            });
        }
        let model = chain.before_last(1)?;
        let client = chain.before_last(2)?;
        let plain_names = model.arguments.is_none() && client.arguments.is_none();
        let model_like =
            model.name.starts_with(|c: char| c.is_ascii_lowercase()) && model.name != "query";
        // `db.query.users.findMany()` is Drizzle's relational query API.
        if !plain_names || !model_like || matches!(client.name, "this" | "query") {
            return None;
        }
        // Payload's `payload.db.deleteMany(…)` is not Prisma's.
        let distinctive = PRISMA_OPERATIONS.contains(&last.name)
            && (self.file.prisma || is_prisma_client_name(client.name));
        let shared = PRISMA_SHARED_OPERATIONS.contains(&last.name)
            && self.file.prisma
            && is_prisma_client_name(client.name);
        if !distinctive && !shared {
            return None;
        }
        Some(DatabaseCall {
            library: Library::Prisma,
            model: Some(model.name.to_owned()),
            operation: last.name.to_owned(),
            batched: BATCH_OPERATIONS.contains(&last.name) || self.has_key(arguments, &["in"]),
        })
    }

    /// `this.userRepository.findOne(…)`, `getRepository(User).find()`, `manager.save(User, …)`,
    /// `repo.createQueryBuilder("u").where(…).getMany()`, `dataSource.query(sql)`.
    fn typeorm(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let last = chain.last();
        let arguments = last.arguments?;
        let batched = self.text(arguments).contains("In(");
        if let Some((index, builder)) = chain.find("createQueryBuilder") {
            if !TYPEORM_QUERY_BUILDER_ENDS.contains(&last.name) || builder.arguments.is_none() {
                return None;
            }
            let model = index
                .checked_sub(1)
                .and_then(|owner| repository_model(chain.links[owner].name));
            return Some(self.typeorm_call(model, last.name, batched));
        }
        if !TYPEORM_OPERATIONS.contains(&last.name) {
            return None;
        }
        let receiver = chain.before_last(1)?;
        if let Some(receiver_arguments) = receiver.arguments {
            if !TYPEORM_REPOSITORY_FACTORIES.contains(&receiver.name) {
                return None;
            }
            let entity = first_named_child(receiver_arguments).map(|entity| self.text(entity));
            return Some(self.typeorm_call(entity.map(str::to_owned), last.name, batched));
        }
        let name = receiver.name.trim_end_matches('_');
        if is_repository_name(name) && (self.file.typeorm || name.ends_with("Repository")) {
            return Some(self.typeorm_call(repository_model(name), last.name, batched));
        }
        if TYPEORM_MANAGERS.contains(&name)
            && (self.file.typeorm || self.file.mikro_orm || name != "em")
        {
            let first = first_named_child(arguments);
            if last.name == "query" {
                return Some(self.typeorm_call(
                    None,
                    last.name,
                    sql_is_batched(self.text(arguments)),
                ));
            }
            let entity = first
                .map(|first| self.text(first))
                .filter(|first| is_class_name(first))?;
            return Some(self.typeorm_call(Some(entity.to_owned()), last.name, batched));
        }
        None
    }

    fn typeorm_call(&self, model: Option<String>, operation: &str, batched: bool) -> DatabaseCall {
        // MikroORM's entity managers and repositories have the same methods.
        let library = if self.file.mikro_orm {
            Library::MikroOrm
        } else if self.file.typeorm {
            Library::TypeOrm
        } else {
            Library::Repository
        };
        DatabaseCall {
            library,
            model,
            operation: operation.to_owned(),
            batched,
        }
    }

    /// `db.query.users.findMany(…)`, and the builders `db.select().from(users).where(…)`,
    /// `db.insert(users).values(…)`, `db.update(users).set(…)`, `db.delete(users).where(…)`
    /// where they are executed. Knex builds `knex.select(…).from(…)` alike.
    fn drizzle(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let last = chain.last();
        last.arguments?;
        if matches!(last.name, "findFirst" | "findMany") {
            let table = chain.before_last(1)?;
            let query = chain.before_last(2)?;
            if query.name == "query" && table.arguments.is_none() && query.arguments.is_none() {
                return Some(DatabaseCall {
                    library: Library::Drizzle,
                    model: Some(table.name.to_owned()),
                    operation: last.name.to_owned(),
                    batched: false,
                });
            }
            return None;
        }
        let links = &chain.links;
        // The builder starts after the client: `db.select(…)`, never a bare `select(…)`.
        let (start, table_link) = links.iter().enumerate().skip(1).find_map(|(index, link)| {
            link.arguments?;
            let rest = &links[index + 1..];
            let followed_by = |names: &[&str]| {
                rest.iter()
                    .find(|later| names.contains(&later.name) && later.arguments.is_some())
                    .copied()
            };
            match link.name {
                "select" | "selectDistinct" | "selectDistinctOn" => followed_by(&["from"]),
                "insert" => followed_by(&[
                    "values",
                    "onConflictDoNothing",
                    "onConflictDoUpdate",
                    "returning",
                ])
                .map(|_| *link),
                "update" => followed_by(&["set"]).map(|_| *link),
                "delete" => followed_by(&["where", "returning"]).map(|_| *link),
                _ => None,
            }
            .map(|table_link| (index, table_link))
        })?;
        if links[..start].iter().any(|link| link.arguments.is_some()) {
            return None;
        }
        let runs = matches!(last.name, "execute" | "all" | "get" | "run")
            || is_executed(chain.call, self.source);
        if !runs {
            return None;
        }
        let library = if self.file.knex && !self.file.drizzle {
            Library::Knex
        } else {
            Library::Drizzle
        };
        let text = self.text(chain.call);
        Some(DatabaseCall {
            library,
            model: Chain::first_argument(table_link).and_then(|table| self.table_name(table)),
            operation: links[start].name.to_owned(),
            batched: text.contains("inArray(") || text.contains("whereIn("),
        })
    }

    /// `User.findAll(…)`, `Order.findById(id).populate("items")`, `this.userModel.find(…)`.
    fn model_statics(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let links = &chain.links;
        let (model_index, injected) = match links.as_slice() {
            [first, ..] if is_class_name(first.name) && first.arguments.is_none() => (0, false),
            [this, model, ..]
                if this.name == "this" && model.name.trim_end_matches('_').ends_with("Model") =>
            {
                (1, true)
            }
            _ => return None,
        };
        let model = links[model_index];
        let operation = *links.get(model_index + 1)?;
        let arguments = operation.arguments?;
        if model.arguments.is_some()
            || BUILTIN_CLASSES.contains(&model.name)
            || links[model_index + 1..]
                .iter()
                .any(|link| link.arguments.is_none())
        {
            return None;
        }
        let file = self.file;
        let library = if SEQUELIZE_OPERATIONS.contains(&operation.name) {
            Library::Sequelize
        } else if MONGOOSE_OPERATIONS.contains(&operation.name) {
            Library::Mongoose
        } else if MODEL_SHARED_OPERATIONS.contains(&operation.name)
            && (file.mongoose
                || file.sequelize
                || injected
                || file.imported_models.iter().any(|name| name == model.name))
        {
            if file.sequelize {
                Library::Sequelize
            } else {
                Library::Mongoose
            }
        } else {
            return None;
        };
        let arguments_text = self.text(arguments);
        Some(DatabaseCall {
            library,
            model: Some(model_name(model.name, injected)),
            operation: operation.name.to_owned(),
            batched: BATCH_OPERATIONS.contains(&operation.name)
                || self.has_key(arguments, &["$in"])
                || arguments_text.contains("Op.in"),
        })
    }

    /// `knex("users").where(…)`, `trx("orders").insert(…)`, `knex.raw(sql)`, where executed.
    fn knex(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let first = chain.links[0];
        let is_knex_name = matches!(first.name, "knex" | "trx" | "db" | "database" | "tx");
        if !is_knex_name || !(self.file.knex || first.name == "knex") {
            return None;
        }
        if !is_executed(chain.call, self.source) {
            return None;
        }
        let text = self.text(chain.call);
        let batched = text.contains("whereIn(") || sql_is_batched(text);
        let operation = chain.last().name.to_owned();
        if let Some(arguments) = first.arguments {
            let table = first_named_child(arguments).filter(|table| table.kind() == "string")?;
            return Some(DatabaseCall {
                library: Library::Knex,
                model: Some(self.text(table).trim_matches(['"', '\'']).to_owned()),
                operation,
                batched,
            });
        }
        let raw = chain
            .links
            .get(1)
            .filter(|link| link.name == "raw" && link.arguments.is_some())?;
        Some(DatabaseCall {
            library: Library::Knex,
            model: raw
                .arguments
                .and_then(first_named_child)
                .and_then(|sql| sql_table(self.text(sql))),
            operation,
            batched,
        })
    }

    /// `pool.query("SELECT …", [id])`, `connection.execute(sql, values)`, `db.one(sql)`.
    fn sql_driver(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let last = chain.last();
        let arguments = last.arguments?;
        let receiver = chain.before_last(1)?;
        if receiver.arguments.is_some() || !is_sql_client_name(receiver.name) {
            return None;
        }
        let sql = first_named_child(arguments)?;
        let sql_text = self.text(sql);
        let is_text = matches!(sql.kind(), "string" | "template_string");
        let takes_sql = if is_text {
            is_sql_statement(sql_text)
        } else {
            matches!(
                sql.kind(),
                "identifier" | "call_expression" | "member_expression"
            ) && self.file.sql_driver
        };
        let method_runs = match last.name {
            "query" | "execute" => true,
            "one" | "oneOrNone" | "many" | "manyOrNone" | "any" | "none" | "result" => is_text,
            _ => false,
        };
        if !method_runs || !takes_sql {
            return None;
        }
        Some(DatabaseCall {
            library: Library::SqlDriver,
            model: if is_text { sql_table(sql_text) } else { None },
            operation: last.name.to_owned(),
            batched: sql_is_batched(sql_text),
        })
    }

    /// ``await sql`SELECT …` `` with postgres.js, `@vercel/postgres` or Neon.
    fn sql_tag(&self, chain: &Chain<'_>) -> Option<DatabaseCall> {
        let [tag] = chain.links.as_slice() else {
            return None;
        };
        let template = tag
            .arguments
            .filter(|arguments| arguments.kind() == "template_string")?;
        let known_tag = self.file.query_tags.iter().any(|name| name == tag.name);
        // A `sql` of unknown origin runs a query only where it is awaited: builders' fragments
        // are returned and passed around.
        let conventional_tag = tag.name == "sql"
            && !self.file.builder_tags.iter().any(|name| name == tag.name)
            && is_awaited(chain.call);
        if !known_tag && !conventional_tag {
            return None;
        }
        let text = self.text(template);
        if !is_sql_statement(text) {
            return None;
        }
        Some(DatabaseCall {
            library: Library::SqlTag,
            model: sql_table(text),
            operation: tag.name.to_owned(),
            batched: sql_is_batched(text),
        })
    }

    /// Whether an object literal in `arguments` has one of `keys`: `{ id: { in: ids } }`.
    fn has_key(&self, arguments: Node<'_>, keys: &[&str]) -> bool {
        preorder(arguments).any(|node| {
            node.kind() == "pair"
                && node.field("key").is_some_and(|key| {
                    let key = self.text(key).trim_matches(['"', '\'']);
                    keys.contains(&key)
                })
        })
    }

    /// The table a builder names: `users`, `schema.users` → `users`, `"users"` → `users`.
    fn table_name(&self, table: Node<'_>) -> Option<String> {
        let text = self.text(table);
        let name = text.rsplit('.').next()?.trim_matches(['"', '\'', '`']);
        (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .then(|| name.to_owned())
    }
}

fn first_named_child(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let first = node
        .named_children(&mut cursor)
        .find(|child| child.kind() != "comment");
    first
}

/// Whether a call's promise is consumed where it stands: awaited, returned (also as an arrow
/// function's body), yielded, or continued with `.then`.
fn is_executed(call: Node<'_>, source: &Source) -> bool {
    let mut node = call;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression" => node = parent,
            "await_expression" | "return_statement" | "yield_expression" => return true,
            "arrow_function" => {
                return parent.field("body").is_some_and(|body| {
                    unwrap_expression(body).id() == unwrap_expression(node).id()
                })
            }
            "member_expression" => {
                return parent.field("property").is_some_and(|property| {
                    matches!(
                        &source.text()[property.byte_range()],
                        "then" | "catch" | "finally"
                    )
                })
            }
            _ => return false,
        }
    }
    false
}

fn is_awaited(call: Node<'_>) -> bool {
    let mut node = call;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "parenthesized_expression" | "as_expression" | "non_null_expression" => node = parent,
            kind => return kind == "await_expression",
        }
    }
    false
}

fn is_prisma_client_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("prisma")
        || matches!(
            lower.as_str(),
            "db" | "tx" | "trx" | "transaction" | "client" | "database"
        )
}

/// The model of a static call's receiver: `Order`, or `order` for an injected `orderModel`.
fn model_name(receiver: &str, injected: bool) -> String {
    let name = receiver.trim_end_matches('_');
    let model = if injected {
        name.strip_suffix("Model").filter(|model| !model.is_empty())
    } else {
        None
    };
    model.unwrap_or(name).to_owned()
}

/// `userRepository`, `ordersRepo`, `repository`.
fn is_repository_name(name: &str) -> bool {
    name.ends_with("Repository") || name.ends_with("Repo") || matches!(name, "repository" | "repo")
}

/// The model a repository's name gives: `userRepository` → `user`.
fn repository_model(name: &str) -> Option<String> {
    let name = name.trim_end_matches('_');
    let model = name
        .strip_suffix("Repository")
        .or_else(|| name.strip_suffix("Repo"))?;
    (!model.is_empty()).then(|| model.to_owned())
}

/// Receivers that hold a database connection: `pool`, `client`, `db`, `conn`, `this.pgPool`.
fn is_sql_client_name(name: &str) -> bool {
    let lower = name.trim_end_matches('_').to_ascii_lowercase();
    [
        "pool", "client", "conn", "db", "database", "sql", "pg", "mysql", "trx", "tx",
    ]
    .iter()
    .any(|word| lower == *word || lower.ends_with(word))
        || lower.contains("connection")
}
