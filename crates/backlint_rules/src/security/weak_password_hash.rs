//! weak-password-hash: passwords hashed with a fast digest (MD5, SHA-1, SHA-256…), stored as
//! they came, or compared as plain text with a stored field.

use backlint_engine::databases::Library;
use backlint_engine::names::word_parts;
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::semantic::Imported;
use backlint_engine::syntax::{member_parts, preorder, Fields};
use backlint_engine::{Grammar, Language};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::names::means_password;
use crate::paths::{glob_set, test_paths_and};
use crate::syntax::{assignment_parts, enclosing_function, is_function};
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "weak-password-hash",
    docs: include_str!("../../../../rules/weak-password-hash.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files that are not checked: tests and seed data, whose passwords protect
    /// nothing.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(&[]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    Ok(Box::new(WeakPasswordHash { ignore_paths }))
}

fn fast_hash_message(value: &str, hash: &str) -> String {
    format!("`{value}` is hashed with `{hash}`, a fast digest that is brute-forced at billions of guesses a second: hash passwords with bcrypt, scrypt or Argon2.")
}

fn stored_message(value: &str) -> String {
    format!("`{value}` is stored as the password in plain text: store its bcrypt, scrypt or Argon2 hash instead.")
}

fn compared_message(stored: &str) -> String {
    format!("`{stored}` is compared with a password as plain text, so passwords are stored unhashed: store a bcrypt or Argon2 hash and check it with the library's verify function.")
}

/// Algorithms of Python's `hashlib` that are fast digests (`pbkdf2_hmac` and `scrypt` are
/// password hashes). `new` takes the algorithm's name first.
const HASHLIB_DIGESTS: &[&str] = &[
    "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384",
    "sha3_512", "blake2b", "blake2s", "new",
];

/// Words of a call that hashes a password properly, or derives something from a hash: a
/// value built by one is not a password in clear.
const HASHING_WORDS: &[&str] = &[
    "hash", "hashed", "hashpw", "hasher", "bcrypt", "argon2", "argon", "scrypt", "pbkdf2", "crypt",
    "encrypt", "encode", "digest", "make",
];

/// Words of a call in the same function that make a fast digest a step of a real password
/// hash (a pre-hash fed to bcrypt or PBKDF2), or a check against breach lists, whose
/// k-anonymity API takes the first characters of a password's SHA-1.
const SLOW_HASH_WORDS: &[&str] = &["bcrypt", "hashpw", "argon2", "scrypt", "pbkdf2"];

/// Calls and methods that hand their argument's value on to a digest unchanged in meaning:
/// `password.encode()`, `Buffer.from(password)`, `str(password)`.
const TRANSPARENT_CALLS: &[&str] = &[
    "Buffer.from",
    "String",
    "str",
    "bytes",
    "force_bytes",
    "smart_bytes",
];
const TRANSPARENT_METHODS: &[&str] = &[
    "encode",
    "toString",
    "trim",
    "strip",
    "normalize",
    "toLowerCase",
    "lower",
];

/// The last word of the owner of a stored password field: `user.password`,
/// `existingAccount.password`, `self.password`.
const STORED_OWNERS: &[&str] = &[
    "user",
    "account",
    "admin",
    "member",
    "customer",
    "profile",
    "record",
    "row",
    "entity",
    "existing",
    "found",
    "stored",
    "db",
    "self",
    "this",
    "instance",
    "obj",
    "u",
    "person",
    "employee",
    "owner",
    "doc",
    "document",
    "credential",
    "login",
];

struct WeakPasswordHash {
    ignore_paths: GlobSet,
}

impl Rule for WeakPasswordHash {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => {
                &["call_expression", "binary_expression"]
            }
            Language::Python => &["call", "comparison_operator"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        match node.kind() {
            "binary_expression" | "comparison_operator" => check_comparison(node, context),
            _ => {
                check_fast_hash(node, context);
                check_stored(node, context);
            }
        }
    }
}

/// `hashlib.sha256(password.encode())`, `createHash("md5").update(password)`, and
/// `digest.update(password)` on a digest made in the same function.
fn check_fast_hash(call: Node<'_>, context: &mut RuleContext<'_>) {
    let Some(arguments) = call.field("arguments") else {
        return;
    };
    let (hash, data) = if let Some(hash) = digest_constructor(call, context) {
        // `hashlib.new("md5", data)`: the data follows the name.
        let skip = usize::from(hash.ends_with(".new") || hash == "new");
        (hash, positional(arguments).nth(skip))
    } else {
        let Some(function) = call.field("function") else {
            return;
        };
        let Some((receiver, method)) = member_parts(function) else {
            return;
        };
        if context.text(method) != "update" {
            return;
        }
        let Some(hash) = digest_of(receiver, context, 0) else {
            return;
        };
        (hash, positional(arguments).next())
    };
    let Some(value) = data.and_then(|data| password_in(data, context)) else {
        return;
    };
    let function = enclosing_function(call);
    if is_part_of_slow_hash(function, context) {
        return;
    }
    let message = fast_hash_message(&compact(context.text(value)), &compact(&hash));
    context.report(value, message);
}

/// The positional arguments of a call.
fn positional(arguments: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut cursor = arguments.walk();
    let children: Vec<Node<'_>> = arguments
        .named_children(&mut cursor)
        .filter(|argument| !matches!(argument.kind(), "comment" | "keyword_argument"))
        .collect();
    children.into_iter()
}

/// How a call that makes a fast digest is written (`hashlib.md5`, `createHash("sha1")`),
/// when it is one: Python's `hashlib` digests, and Node's `crypto.createHash`, resolved
/// through the file's imports.
fn digest_constructor(call: Node<'_>, context: &RuleContext<'_>) -> Option<String> {
    if !matches!(call.kind(), "call" | "call_expression") {
        return None;
    }
    let function = call.field("function")?;
    let imports = context.semantic.imports();
    let (module, name) = match member_parts(function) {
        Some((object, property)) if object.kind() == "identifier" => {
            let import = imports.resolve(context.text(object))?;
            if !matches!(import.imported, Imported::Module | Imported::Default) {
                return None;
            }
            (import.module.as_str(), context.text(property))
        }
        None if function.kind() == "identifier" => {
            let import = imports.resolve(context.text(function))?;
            let Imported::Named(name) = &import.imported else {
                return None;
            };
            (import.module.as_str(), name.as_str())
        }
        _ => return None,
    };
    let is_digest = match module {
        "hashlib" => HASHLIB_DIGESTS.contains(&name),
        "crypto" | "node:crypto" => name == "createHash",
        _ => false,
    };
    is_digest.then(|| {
        if name == "createHash" {
            let algorithm = call
                .field("arguments")
                .and_then(|arguments| positional(arguments).next())
                .map_or("", |algorithm| context.text(algorithm));
            format!("{}({algorithm})", context.text(function))
        } else {
            context.text(function).to_owned()
        }
    })
}

/// The digest that a receiver of `.update(…)` is: a chain from a digest constructor
/// (`createHash("md5").update(salt)`), or a variable assigned one in the same function.
fn digest_of(receiver: Node<'_>, context: &RuleContext<'_>, depth: u8) -> Option<String> {
    // `digest = digest.copy()` would follow itself for ever.
    if depth > 3 {
        return None;
    }
    let mut node = receiver;
    loop {
        if let Some(hash) = digest_constructor(node, context) {
            return Some(hash);
        }
        match node.kind() {
            "call" | "call_expression" => {
                let (object, _) = member_parts(node.field("function")?)?;
                node = object;
            }
            "identifier" => {
                let name = context.text(node);
                return preorder(enclosing_function(node))
                    .filter_map(assignment_parts)
                    .filter(|(target, _)| context.text(*target) == name)
                    .find_map(|(_, value)| digest_of(value, context, depth + 1));
            }
            _ => return None,
        }
    }
}

/// Whether a function feeds its digest to a real password hash (a SHA pre-hash before
/// bcrypt, PBKDF2 rounds over a digest) or checks breach lists (Have I Been Pwned's range
/// API takes the first five characters of a password's SHA-1).
fn is_part_of_slow_hash(function: Node<'_>, context: &RuleContext<'_>) -> bool {
    let text = context.text(function).to_ascii_lowercase();
    if text.contains("pwned") {
        return true;
    }
    preorder(function)
        .filter(|node| matches!(node.kind(), "call" | "call_expression"))
        .filter_map(|call| call.field("function"))
        .any(|callee| {
            word_parts(context.text(callee))
                .iter()
                .any(|word| SLOW_HASH_WORDS.contains(&word.as_str()))
        })
}

/// The first value in an expression that is a password in clear, looking through the
/// conversions and concatenations a digest's input is built with (`password.encode()`,
/// `salt + password`, `` `${salt}${password}` ``, f-strings).
fn password_in<'tree>(expression: Node<'tree>, context: &RuleContext<'_>) -> Option<Node<'tree>> {
    let mut pending = vec![expression];
    while let Some(node) = pending.pop() {
        if names_password(node, context) {
            return Some(node);
        }
        match node.kind() {
            "call" | "call_expression" => {
                let Some(function) = node.field("function") else {
                    continue;
                };
                match member_parts(function) {
                    Some((object, method))
                        if TRANSPARENT_METHODS.contains(&context.text(method)) =>
                    {
                        pending.push(object);
                        continue;
                    }
                    _ => {}
                }
                if TRANSPARENT_CALLS.contains(&context.text(function)) {
                    pending.extend(node.field("arguments"));
                }
            }
            "arguments"
            | "argument_list"
            | "binary_expression"
            | "binary_operator"
            | "parenthesized_expression"
            | "template_string"
            | "template_substitution"
            | "string"
            | "interpolation"
            | "concatenated_string"
            | "as_expression"
            | "non_null_expression"
            | "await_expression"
            | "await" => {
                let mut cursor = node.walk();
                let children: Vec<Node<'tree>> = node.named_children(&mut cursor).collect();
                pending.extend(children.into_iter().rev());
            }
            _ => {}
        }
    }
    None
}

/// Whether a value is read by a name that means a password: `password`, `body.password`,
/// `form.cleaned_data["password"]`, `request.POST.get("password")`, WTForms'
/// `form.password.data`.
fn names_password(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    value_name(node, context).is_some_and(|name| means_password(&name))
}

/// The name a value is read by, if it is read by one.
fn value_name(node: Node<'_>, context: &RuleContext<'_>) -> Option<String> {
    let node = unwrap(node);
    let unquoted = |node: Node<'_>| {
        let text = context.text(node);
        matches!(node.kind(), "string").then(|| text.trim_matches(['"', '\'']).to_owned())
    };
    match node.kind() {
        "identifier" | "shorthand_property_identifier" => Some(context.text(node).to_owned()),
        "member_expression" | "attribute" => {
            let (object, property) = member_parts(node)?;
            let name = context.text(property);
            if name == "data" && matches!(context.grammar, Grammar::Python) {
                return value_name(object, context);
            }
            Some(name.to_owned())
        }
        "subscript_expression" => unquoted(node.field("index")?),
        "subscript" => unquoted(node.field("subscript")?),
        "call" | "call_expression" => {
            let (_, method) = member_parts(node.field("function")?)?;
            if context.text(method) != "get" {
                return None;
            }
            unquoted(positional(node.field("arguments")?).next()?)
        }
        _ => None,
    }
}

/// A value without the type assertions and parentheses around it.
fn unwrap(node: Node<'_>) -> Node<'_> {
    let mut node = node;
    while matches!(
        node.kind(),
        "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
    ) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// A password value stored as it came by an ORM write: `prisma.user.create({ data: {
/// password } })`, `User.objects.create(password=raw)`, `User(password=form.password.data)`.
fn check_stored(call: Node<'_>, context: &mut RuleContext<'_>) {
    // Most calls name no password: skip them before asking what the call is.
    let mentions_password =
        context.text(call).as_bytes().windows(3).any(|window| {
            window.eq_ignore_ascii_case(b"pas") || window.eq_ignore_ascii_case(b"pwd")
        });
    if !mentions_password {
        return;
    }
    if !writes_rows_as_given(call, context) {
        return;
    }
    let Some(value) = stored_password(call, context) else {
        return;
    };
    let shown = compact(context.text(value));
    context.report(value, stored_message(&shown));
}

/// Whether a call writes rows through an ORM that stores what it is given: Prisma, Drizzle,
/// Knex, Django. Mongoose and Sequelize hooks, TypeORM and MikroORM listeners and SQLAlchemy
/// property setters can hash a password on the way, in another file: writes through them are
/// not read.
fn writes_rows_as_given(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    if let Some(database) = context.semantic.databases().call(call, context.source) {
        return database.writes()
            && !database.operation.starts_with("create_")
            && matches!(
                database.library,
                Library::Prisma | Library::Drizzle | Library::Knex | Library::Django
            );
    }
    is_django_model_constructor(call, context)
}

/// `User(password=…)`, where `User` is imported from a models module of a Django project: a
/// model instance, saved as built.
fn is_django_model_constructor(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    if call.kind() != "call" {
        return false;
    }
    let Some(function) = call.field("function") else {
        return false;
    };
    let class = match member_parts(function) {
        Some((object, _)) => context.text(object).split('.').next().unwrap_or(""),
        None if function.kind() == "identifier" => context.text(function),
        None => return false,
    };
    let imports = context.semantic.imports();
    let from_models = imports
        .resolve(class)
        .is_some_and(|import| import.module.to_ascii_lowercase().contains("model"));
    let is_class = context
        .text(function)
        .rsplit('.')
        .next()
        .is_some_and(|name| name.starts_with(|first: char| first.is_ascii_uppercase()));
    from_models && is_class && imports.has_module("django")
}

/// The first value among a write's fields, keywords and keys named like a password that is
/// a password in clear: read by a password's name and not built by a hashing call in the
/// function. `where` filters are not what is written.
fn stored_password<'tree>(call: Node<'tree>, context: &RuleContext<'_>) -> Option<Node<'tree>> {
    let mut pending = vec![call];
    while let Some(node) = pending.pop() {
        if is_function(node) {
            continue;
        }
        let field = match node.kind() {
            "pair" => node.field("key").zip(node.field("value")),
            "keyword_argument" => node.field("name").zip(node.field("value")),
            "shorthand_property_identifier" => Some((node, node)),
            _ => None,
        };
        if let Some((key, value)) = field {
            let key_name = context.text(key).trim_matches(['"', '\'']);
            if key_name == "where" {
                continue;
            }
            if means_password(key_name)
                && names_password(value, context)
                && !is_hashed(value, context)
            {
                return Some(value);
            }
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'tree>> = node.named_children(&mut cursor).collect();
        pending.extend(children.into_iter().rev());
    }
    None
}

/// Whether the function around a value assigns it from a hashing call (`password = await
/// bcrypt.hash(password, 10)`, `dto.password = make_password(dto.password)`) or from any
/// other call that builds it (`const password = await this.hasher.encode(raw)`).
fn is_hashed(value: Node<'_>, context: &RuleContext<'_>) -> bool {
    let value = unwrap(value);
    let text = context.text(value);
    preorder(enclosing_function(value))
        .filter_map(assignment_parts)
        .filter(|(target, _)| context.text(*target) == text)
        .any(|(_, assigned)| {
            preorder(assigned)
                .filter(|node| matches!(node.kind(), "call" | "call_expression"))
                .filter_map(|call| call.field("function"))
                .any(|callee| {
                    word_parts(context.text(callee))
                        .iter()
                        .any(|word| HASHING_WORDS.contains(&word.as_str()))
                })
        })
}

/// `user.password === body.password`, `if user.password == password:`.
fn check_comparison(node: Node<'_>, context: &mut RuleContext<'_>) {
    let (Some(left), Some(right)) = comparison_operands(node, context) else {
        return;
    };
    for (stored, other) in [(left, right), (right, left)] {
        if is_stored_password(stored, context)
            && !is_stored_password(other, context)
            && names_password(other, context)
        {
            let message = compared_message(&compact(context.text(stored)));
            context.report(node, message);
            return;
        }
    }
}

/// The two operands of an equality test (`==`, `===`, `!=`, `!==`); `None` for anything
/// else, and for Python's chained comparisons.
fn comparison_operands<'tree>(
    node: Node<'tree>,
    context: &RuleContext<'_>,
) -> (Option<Node<'tree>>, Option<Node<'tree>>) {
    let operator = node
        .field("operator")
        .or_else(|| node.field("operators"))
        .map_or("", |operator| context.text(operator));
    if !matches!(operator, "==" | "===" | "!=" | "!==") {
        return (None, None);
    }
    if node.kind() == "binary_expression" {
        return (node.field("left"), node.field("right"));
    }
    let mut cursor = node.walk();
    let operands: Vec<Node<'tree>> = node.named_children(&mut cursor).collect();
    match operands.as_slice() {
        [left, right] => (Some(*left), Some(*right)),
        _ => (None, None),
    }
}

/// A password field of a stored record: `user.password`, `this.password`,
/// `row["password"]`.
fn is_stored_password(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    let node = unwrap(node);
    let object = match node.kind() {
        "member_expression" | "attribute" => node.field("object"),
        "subscript_expression" | "subscript" => {
            node.field("object").or_else(|| node.field("value"))
        }
        _ => None,
    };
    let Some(object) = object else {
        return false;
    };
    let object_name = match member_parts(object) {
        Some((_, property)) => context.text(property),
        None => context.text(object),
    };
    word_parts(object_name)
        .last()
        .is_some_and(|word| STORED_OWNERS.contains(&word.as_str()))
        && names_password(node, context)
}
