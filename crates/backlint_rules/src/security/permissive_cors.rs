//! permissive-cors: CORS set up so that any website can call the API with its visitors'
//! cookies (any origin, or the request's own origin, together with credentials).

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::Fields;
use backlint_engine::{Language, Level};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::glob_set;
use crate::settings::{settings_paths, test_and_dev_settings_paths, turns_on};
use crate::syntax::{enclosing_function, latest_assignment, qualified_name};
use crate::text::{compact, string_content};

pub const SPEC: RuleSpec = RuleSpec {
    id: "permissive-cors",
    docs: include_str!("../../../../rules/permissive-cors.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of the Django settings modules, where the django-cors-headers settings are read.
    settings_paths: Vec<String>,
    /// Globs of files that never serve a browser: tests, and development, local and test
    /// settings.
    ignore_paths: Vec<String>,
    /// Also report, at note level, every origin allowed without credentials or sessions
    /// (`cors()`, `CORS_ALLOW_ALL_ORIGINS = True`), which public APIs mean.
    report_public: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            settings_paths: settings_paths(),
            ignore_paths: test_and_dev_settings_paths(),
            report_public: false,
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(PermissiveCors {
        settings_paths: glob_set(SPEC.id, "settings-paths", &options.settings_paths)?,
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
        report_public: options.report_public,
    }))
}

fn any_origin_with_credentials_message(origin: &str) -> String {
    format!("`{origin}` with credentials lets any website call this API with its visitors' cookies and read the answers: list the origins that may call it.")
}

fn reflected_origin_message(origin: &str) -> String {
    format!("`Access-Control-Allow-Origin` is set to the request's own origin (`{origin}`), so every website is allowed: check the origin against a list of allowed origins first.")
}

fn open_with_sessions_message(call: &str) -> String {
    format!("`{call}` allows every origin in a server that uses cookies or sessions: pass `origin` with the list of sites that may call it.")
}

fn open_message(call: &str) -> String {
    format!("`{call}` allows every origin: fine for a public API without cookies; otherwise pass `origin` with the list of sites that may call it.")
}

fn allow_all_setting_message(setting: &str, with_credentials: bool) -> String {
    if with_credentials {
        format!("`{setting} = True` with `CORS_ALLOW_CREDENTIALS = True` lets any website call this API with its visitors' cookies: list the allowed origins in `CORS_ALLOWED_ORIGINS`.")
    } else {
        format!("`{setting} = True` lets any website call this API: list the allowed origins in `CORS_ALLOWED_ORIGINS`, unless the API is public and uses no cookies.")
    }
}

/// The CORS middleware packages, by the module their function is imported from.
const CORS_MODULES: &[&str] = &[
    "cors",
    "@fastify/cors",
    "fastify-cors",
    "hono/cors",
    "@koa/cors",
    "koa2-cors",
    "@elysiajs/cors",
];

/// What in a file says that the server keeps sessions or sets cookies.
const SESSION_MARKS: &[&str] = &[
    "express-session",
    "cookie-session",
    "cookie-parser",
    "@fastify/cookie",
    "@fastify/session",
    "@fastify/secure-session",
    "koa-session",
    ".cookie(",
    "passport.session",
];

/// Words of a function that checks an origin before sending it back.
const ORIGIN_CHECKS: &[&str] = &[
    "allowed",
    "allowlist",
    "whitelist",
    "trusted",
    ".includes(",
    ".has(",
    ".indexof(",
    ".test(",
    "match(",
    " in ",
];

const ALLOW_ORIGIN: &str = "access-control-allow-origin";
const ALLOW_CREDENTIALS: &str = "access-control-allow-credentials";

struct PermissiveCors {
    settings_paths: GlobSet,
    ignore_paths: GlobSet,
    report_public: bool,
}

impl Rule for PermissiveCors {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &["object", "call_expression", "pair"],
            Language::Python => &["call", "assignment", "pair"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        match node.kind() {
            "object" => check_cors_options(node, context),
            "call_expression" => {
                self.check_open_cors_call(node, context);
                check_header_call(node, context);
            }
            "pair" => check_header_pair(node, context),
            "call" => check_python_call(node, context),
            "assignment" => self.check_python_assignment(node, context),
            _ => {}
        }
    }
}

/// `cors({ origin: "*", credentials: true })`, `app.enableCors({ origin: true, credentials:
/// true })`, `{ cors: { origin: true, credentials: true } }`.
fn check_cors_options(object: Node<'_>, context: &mut RuleContext<'_>) {
    let origin = object_property(object, "origin", context);
    let credentials = object_property(object, "credentials", context);
    let (Some(origin), Some(credentials)) = (origin, credentials) else {
        return;
    };
    let any_origin = origin.kind() == "true" || is_string(origin, "*", context);
    if any_origin && credentials.kind() == "true" && is_cors_options(object, context) {
        let shown = format!("origin: {}", context.text(origin));
        context.report(origin, any_origin_with_credentials_message(&shown));
    }
}

/// The value of `key: value` in an object literal.
fn object_property<'tree>(
    object: Node<'tree>,
    key: &str,
    context: &RuleContext<'_>,
) -> Option<Node<'tree>> {
    let mut cursor = object.walk();
    let pairs: Vec<Node<'tree>> = object.named_children(&mut cursor).collect();
    pairs.into_iter().find_map(|pair| {
        let name = pair.field("key")?;
        (pair.kind() == "pair" && context.text(name).trim_matches(['"', '\'']) == key)
            .then(|| pair.field("value"))
            .flatten()
    })
}

/// Whether an object configures CORS: an argument of a CORS package's function, of
/// `enableCors`, of a call that also passes a CORS package (`fastify.register(cors, {…})`), or
/// the value of a `cors` option (`NestFactory.create(AppModule, { cors: {…} })`).
fn is_cors_options(object: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(parent) = object.parent() else {
        return false;
    };
    match parent.kind() {
        "pair" => parent
            .field("key")
            .is_some_and(|key| context.text(key).trim_matches(['"', '\'']) == "cors"),
        "arguments" => {
            let Some(callee) = parent.parent().and_then(|call| call.field("function")) else {
                return false;
            };
            let mut cursor = parent.walk();
            let passes_cors_package = parent
                .named_children(&mut cursor)
                .any(|argument| is_cors_function(argument, context));
            is_cors_function(callee, context)
                || context.text(callee).ends_with("enableCors")
                || passes_cors_package
        }
        _ => false,
    }
}

/// A function of a CORS package, read through the file's imports.
fn is_cors_function(expression: Node<'_>, context: &RuleContext<'_>) -> bool {
    qualified_name(expression, context).is_some_and(|name| {
        CORS_MODULES.iter().any(|module| {
            name == *module
                || name
                    .strip_prefix(module)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// `res.setHeader("Access-Control-Allow-Origin", value)`, `res.header(…)`,
/// `headers.set(…)`, `c.header(…)`.
fn check_header_call(call: Node<'_>, context: &mut RuleContext<'_>) {
    let Some(arguments) = call.field("arguments") else {
        return;
    };
    let mut cursor = arguments.walk();
    let values: Vec<Node<'_>> = arguments.named_children(&mut cursor).collect();
    let [name, value, ..] = values.as_slice() else {
        return;
    };
    if is_allow_origin(*name, context) {
        check_allow_origin_value(*value, call, context);
    }
}

/// `{ "Access-Control-Allow-Origin": value }` in a headers object.
fn check_header_pair(pair: Node<'_>, context: &mut RuleContext<'_>) {
    let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else {
        return;
    };
    if is_allow_origin(key, context) {
        check_allow_origin_value(value, pair, context);
    }
}

fn is_allow_origin(name: Node<'_>, context: &RuleContext<'_>) -> bool {
    string_content(name, context).is_some_and(|name| name.text.eq_ignore_ascii_case(ALLOW_ORIGIN))
}

/// An `Access-Control-Allow-Origin` value: `*` where the same function also allows
/// credentials, or the request's origin sent back unchecked.
fn check_allow_origin_value(value: Node<'_>, reported: Node<'_>, context: &mut RuleContext<'_>) {
    let function = enclosing_function(reported);
    let function_text = context.text(function).to_lowercase();
    if is_string(value, "*", context) {
        let block_text = context.text(enclosing_block(reported)).to_lowercase();
        if allows_credentials(&block_text) {
            let message = any_origin_with_credentials_message("Access-Control-Allow-Origin: *");
            context.report(reported, message);
        }
        return;
    }
    let checked = ORIGIN_CHECKS
        .iter()
        .any(|check| function_text.contains(check));
    if is_request_origin(value, context, 0) && !checked {
        let message = reflected_origin_message(&compact(context.text(value)));
        context.report(reported, message);
    }
}

/// The statements or the object that hold a header: credentials set in another branch of an
/// `if` (for listed origins) are not set together with `*`.
fn enclosing_block(node: Node<'_>) -> Node<'_> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if matches!(
            parent.kind(),
            "object" | "statement_block" | "block" | "dictionary" | "program" | "module"
        ) {
            return parent;
        }
        current = parent;
    }
    current
}

/// Whether a block's text (lower case) sets `Access-Control-Allow-Credentials: true`.
fn allows_credentials(function_text: &str) -> bool {
    function_text.find(ALLOW_CREDENTIALS).is_some_and(|at| {
        function_text[at + ALLOW_CREDENTIALS.len()..]
            .trim_start_matches(['"', '\'', ',', ':', ' ', ']', '='])
            .starts_with(['t', '"', '\''])
    })
}

/// The request's `Origin` header: `req.headers.origin`, `req.get("origin")`,
/// `request.headers.get("Origin")`, `request.META["HTTP_ORIGIN"]`, or a variable assigned one
/// of these in the same function.
fn is_request_origin(value: Node<'_>, context: &RuleContext<'_>, depth: usize) -> bool {
    let text = context.text(value).to_lowercase();
    if text.contains("origin") && (text.contains("header") || text.contains("req")) {
        return true;
    }
    value.kind() == "identifier"
        && depth < 2
        && latest_assignment(value, value, context)
            .is_some_and(|(_, assigned)| is_request_origin(assigned, context, depth + 1))
}

fn is_string(node: Node<'_>, expected: &str, context: &RuleContext<'_>) -> bool {
    string_content(node, context).is_some_and(|content| content.text == expected)
}

/// Starlette's and FastAPI's `CORSMiddleware` given `allow_origins=["*"]` and
/// `allow_credentials=True` (`app.add_middleware(CORSMiddleware, …)`,
/// `Middleware(CORSMiddleware, …)`), and Flask-CORS's `CORS(app, supports_credentials=True)`
/// without `origins`.
fn check_python_call(call: Node<'_>, context: &mut RuleContext<'_>) {
    let (Some(callee), Some(arguments)) = (call.field("function"), call.field("arguments")) else {
        return;
    };
    let mut cursor = arguments.walk();
    let all: Vec<Node<'_>> = arguments.named_children(&mut cursor).collect();
    let keyword = |name: &str| {
        all.iter().find_map(|argument| {
            (argument.kind() == "keyword_argument"
                && argument
                    .field("name")
                    .is_some_and(|key| context.text(key) == name))
            .then(|| argument.field("value"))
            .flatten()
        })
    };
    let configures_starlette = all.iter().any(|argument| {
        qualified_name(*argument, context)
            .is_some_and(|name| name.ends_with("CORSMiddleware") && is_asgi_module(&name))
    });
    if configures_starlette {
        let credentials = keyword("allow_credentials").is_some_and(|value| value.kind() == "true");
        let any_origin = keyword("allow_origins")
            .filter(|origins| lists_any_origin(*origins, context))
            .or_else(|| {
                keyword("allow_origin_regex")
                    .filter(|regex| matches!(string_text(*regex, context), Some(".*" | ".+")))
            });
        if let (Some(origins), true) = (any_origin, credentials) {
            let shown = compact(context.text(origins.parent().unwrap_or(origins)));
            context.report(origins, any_origin_with_credentials_message(&shown));
        }
        return;
    }
    let is_flask_cors = qualified_name(callee, context)
        .is_some_and(|name| name == "flask_cors.CORS" || name == "flask_cors.cross_origin");
    if !is_flask_cors {
        return;
    }
    let Some(credentials) = keyword("supports_credentials").filter(|value| value.kind() == "true")
    else {
        return;
    };
    // Flask-CORS allows every origin unless `origins` (or per-resource options) says otherwise.
    let origins = keyword("origins");
    let any_origin = match origins {
        Some(origins) => is_string(origins, "*", context) || lists_any_origin(origins, context),
        None => keyword("resources").is_none(),
    };
    if any_origin {
        let reported = credentials.parent().unwrap_or(credentials);
        let message = any_origin_with_credentials_message(&compact(context.text(reported)));
        context.report(reported, message);
    }
}

/// The name and the value of a `NAME = value` setting of a module: at its top level, or in an
/// `if`/`else` there (`else: CORS_ALLOW_ALL_ORIGINS = True` when no origins are configured),
/// unless a condition around it is about development, debugging or tests.
fn module_setting<'tree>(
    assignment: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, Node<'tree>)> {
    let target = assignment.field("left")?;
    let value = assignment.field("right")?;
    if target.kind() != "identifier" {
        return None;
    }
    let mut current = assignment.parent()?;
    while current.kind() != "module" {
        match current.kind() {
            "expression_statement" | "block" | "else_clause" => {}
            "if_statement" | "elif_clause" => {
                let condition = current.field("condition")?;
                let condition = context.text(condition).to_lowercase();
                if ["debug", "dev", "local", "test"]
                    .iter()
                    .any(|word| condition.contains(word))
                {
                    return None;
                }
            }
            _ => return None,
        }
        current = current.parent()?;
    }
    Some((target, value))
}

fn is_asgi_module(qualified: &str) -> bool {
    qualified.starts_with("fastapi.") || qualified.starts_with("starlette.")
}

/// `["*"]`, `("*",)`, `"*"`.
fn lists_any_origin(origins: Node<'_>, context: &RuleContext<'_>) -> bool {
    if is_string(origins, "*", context) {
        return true;
    }
    let mut cursor = origins.walk();
    let any = matches!(origins.kind(), "list" | "tuple" | "set")
        && origins
            .named_children(&mut cursor)
            .any(|origin| is_string(origin, "*", context));
    any
}

fn string_text<'source>(node: Node<'_>, context: &RuleContext<'source>) -> Option<&'source str> {
    string_content(node, context).map(|content| content.text)
}

impl PermissiveCors {
    /// `app.use(cors())`: every origin allowed, reported where the server also keeps sessions or
    /// sets cookies.
    fn check_open_cors_call(&self, call: Node<'_>, context: &mut RuleContext<'_>) {
        let (Some(callee), Some(arguments)) = (call.field("function"), call.field("arguments"))
        else {
            return;
        };
        if arguments.named_child_count() > 0 || !is_cors_function(callee, context) {
            return;
        }
        let text = context.source.text();
        let uses_sessions = SESSION_MARKS.iter().any(|mark| text.contains(mark));
        let shown = compact(context.text(call));
        if uses_sessions {
            context.report(call, open_with_sessions_message(&shown));
        } else if self.report_public {
            let finding = context.report(call, open_message(&shown));
            finding.level = Some(Level::Note);
        }
    }

    /// django-cors-headers' `CORS_ALLOW_ALL_ORIGINS = True` (or its old name
    /// `CORS_ORIGIN_ALLOW_ALL`) in a settings module, and `response["Access-Control-Allow-Origin"]
    /// = …` anywhere.
    fn check_python_assignment(&self, assignment: Node<'_>, context: &mut RuleContext<'_>) {
        let (Some(target), Some(value)) = (assignment.field("left"), assignment.field("right"))
        else {
            return;
        };
        if target.kind() == "subscript" {
            let is_header = target
                .field("subscript")
                .is_some_and(|key| is_allow_origin(key, context));
            if is_header {
                check_allow_origin_value(value, assignment, context);
            }
            return;
        }
        // The name first: finding the statement's module climbs from the root of the tree.
        let setting = context.text(target);
        let is_allow_all = matches!(setting, "CORS_ALLOW_ALL_ORIGINS" | "CORS_ORIGIN_ALLOW_ALL");
        if !is_allow_all || !self.settings_paths.is_match(&context.source.project_path) {
            return;
        }
        let Some((_, value)) = module_setting(assignment, context) else {
            return;
        };
        if turns_on(value, context).is_none() {
            return;
        }
        let with_credentials = context
            .source
            .text()
            .lines()
            .any(|line| line.replace(' ', "") == "CORS_ALLOW_CREDENTIALS=True");
        if !with_credentials && !self.report_public {
            return;
        }
        let message = allow_all_setting_message(setting, with_credentials);
        let finding = context.report(assignment, message);
        if !with_credentials {
            finding.level = Some(Level::Note);
        }
    }
}
