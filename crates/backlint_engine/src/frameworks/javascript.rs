//! Handlers in TypeScript and JavaScript: Next.js route files, pages API routes and Server
//! Actions, Express/Fastify/Hono/Koa route registrations, NestJS controllers.

use std::path::{Component, Path};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use tree_sitter::Node;

use super::{Framework, Handler, HTTP_METHODS};
use crate::names::word_parts;
use crate::semantic::Imports;
use crate::source::Source;
use crate::syntax::{is_function_expression, member_parts, top_level_definitions, Fields};

/// The exports of a Next.js `route.ts` that handle requests.
const NEXT_ROUTE_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// NestJS method decorators that make a controller method a handler.
const NEST_ROUTE_DECORATORS: &[&str] = &[
    "Get", "Post", "Put", "Patch", "Delete", "All", "Head", "Options",
];

/// The last words of the names that route registrations are made on, when the file imports
/// no framework (the app or router was passed in): `app`, `router`, `apiRoutes`, `server`.
const ROUTER_WORDS: &[&str] = &[
    "app", "router", "routes", "routers", "server", "api", "fastify",
];

pub(super) fn find(root: Node<'_>, source: &Source, imports: &Imports) -> Vec<Handler> {
    let file = File {
        source,
        functions: top_level_functions(root, source),
        router_framework: router_framework(imports),
    };
    let mut handlers = Vec::new();
    let path = source.project_path.as_path();
    if is_next_route_file(path) {
        file.next_route_exports(root, &mut handlers);
    }
    if is_next_pages_api_file(path) {
        file.next_pages_default_export(root, &mut handlers);
    }
    if has_use_server_directive(root, source) {
        file.server_actions(root, &mut handlers);
    }
    for node in candidates(root, source) {
        match node.kind() {
            "call_expression" => file.route_registration(node, &mut handlers),
            "class_declaration" | "class" => file.nest_controller(node, &mut handlers),
            "function_declaration"
            | "function_expression"
            | "arrow_function"
            | "method_definition" => file.inline_server_action(node, &mut handlers),
            _ => {}
        }
    }
    handlers
}

/// The arguments of the module-level `x.use(…)` calls (`app.use(rateLimit(…))`,
/// `router.use(requireAuth)`), by their text: only the file's top-level statements are read.
pub(super) fn file_middleware(root: Node<'_>, source: &Source) -> Vec<String> {
    let text = |node: Node<'_>| &source.text()[node.byte_range()];
    let mut middleware = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        if statement.kind() != "expression_statement" {
            continue;
        }
        let Some(call) = statement
            .named_child(0)
            .filter(|expression| expression.kind() == "call_expression")
        else {
            continue;
        };
        let uses = call
            .field("function")
            .and_then(member_parts)
            .is_some_and(|(_, property)| text(property) == "use");
        if let Some(arguments) = call.field("arguments").filter(|_| uses) {
            let mut arguments_cursor = arguments.walk();
            middleware.extend(
                arguments
                    .named_children(&mut arguments_cursor)
                    .filter(|argument| !matches!(argument.kind(), "string" | "comment"))
                    .map(|argument| text(argument).to_owned()),
            );
        }
    }
    middleware
}

/// The nodes that may register or be handlers, in the order of a preorder walk: the calls of
/// a route method (`.get(…)`, `.route(…)`), the classes decorated with `Controller`, and the
/// functions whose body starts with `"use server"`.
///
/// Each of them has a word of its own in the text, so they are found from where those words
/// occur rather than by walking every node of the file: this is the most of a handler search,
/// and the language server runs it on every change.
fn candidates<'tree>(root: Node<'tree>, source: &Source) -> Vec<Node<'tree>> {
    let text = source.text();
    let bytes = text.as_bytes();
    let is_word_byte =
        |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$' || byte >= 0x80;
    let mut found = Vec::new();
    for occurrence in CANDIDATE_WORDS.find_iter(text) {
        let word = occurrence.range();
        let starts_a_word = word.start == 0 || !is_word_byte(bytes[word.start - 1]);
        let ends_a_word = bytes
            .get(word.end)
            .is_none_or(|&after| !is_word_byte(after));
        if !starts_a_word || !ends_a_word {
            continue;
        }
        let path = path_to(root, &word);
        // The innermost named node, which must be the word itself.
        let Some(last) = path.iter().rposition(|node| node.is_named()) else {
            continue;
        };
        if path[last].byte_range() != word {
            continue;
        }
        let ancestors = &path[..=last];
        let candidate = match &text[word] {
            "Controller" => decorated_class(ancestors),
            "use server" => directive_function(ancestors),
            _ => route_call(ancestors),
        };
        found.extend(candidate);
    }
    // Parents come before their children in a preorder walk, and start no later.
    found.sort_by_key(|node| (node.start_byte(), std::cmp::Reverse(node.end_byte())));
    found.dedup_by_key(|node| node.id());
    found
}

/// The words that make a handler: route methods, `route`, `Controller` and `use server`.
static CANDIDATE_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let words = HTTP_METHODS
        .iter()
        .copied()
        .chain(["route", "Controller", "use server"]);
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(words)
        .expect("fixed words build an automaton")
});

/// The nodes from `root` down to the innermost one that spans `range`, outermost first.
/// One descent, where asking each node for its parent would walk down from the root again.
fn path_to<'tree>(root: Node<'tree>, range: &std::ops::Range<usize>) -> Vec<Node<'tree>> {
    let mut path = vec![root];
    let mut cursor = root.walk();
    while cursor.goto_first_child_for_byte(range.start).is_some() {
        let node = cursor.node();
        if node.start_byte() > range.start || node.end_byte() < range.end {
            break;
        }
        path.push(node);
    }
    path
}

/// The call whose callee's property is the last of `path`: `router.get` in `router.get(…)`.
fn route_call<'tree>(path: &[Node<'tree>]) -> Option<Node<'tree>> {
    let [.., call, member, _property] = path else {
        return None;
    };
    if member.kind() != "member_expression" || call.kind() != "call_expression" {
        return None;
    }
    let callee = call.field("function")?;
    (callee.id() == member.id()).then_some(*call)
}

/// The class that a decorator naming `Controller` (the last of `path`) decorates, on the class
/// itself or on the `export` statement before it.
fn decorated_class<'tree>(path: &[Node<'tree>]) -> Option<Node<'tree>> {
    let decorator = path.iter().rposition(|node| node.kind() == "decorator")?;
    let decorated = *path.get(decorator.checked_sub(1)?)?;
    match decorated.kind() {
        "class_declaration" | "class" => Some(decorated),
        "export_statement" => decorated
            .field("declaration")
            .filter(|declaration| declaration.kind() == "class_declaration"),
        _ => None,
    }
}

/// The function whose body holds the statement around `"use server"` (the last of `path`).
fn directive_function<'tree>(path: &[Node<'tree>]) -> Option<Node<'tree>> {
    let statement = path
        .iter()
        .rposition(|node| node.kind() == "expression_statement")?;
    let [.., function, body] = &path[..statement] else {
        return None;
    };
    (body.kind() == "statement_block").then_some(*function)
}

/// `app/**/route.ts` (and `.js`, `.mts`…), in a folder named `app` at any depth (`src/app`).
fn is_next_route_file(path: &Path) -> bool {
    let stem = path.file_stem().and_then(|stem| stem.to_str());
    stem == Some("route") && has_folder(path, &["app"])
}

/// A file under `pages/api/`.
fn is_next_pages_api_file(path: &Path) -> bool {
    has_folder(path, &["pages", "api"])
}

/// Whether `folders` appear in `path` as consecutive folder names.
fn has_folder(path: &Path, folders: &[&str]) -> bool {
    let names: Vec<&str> = path
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|component| match component {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .collect();
    names.windows(folders.len()).any(|window| window == folders)
}

/// Whether the file starts with the `"use server"` directive.
fn has_use_server_directive(root: Node<'_>, source: &Source) -> bool {
    let mut cursor = root.walk();
    let first = root
        .named_children(&mut cursor)
        .find(|child| child.kind() != "comment" && child.kind() != "hash_bang_line");
    first.is_some_and(|statement| is_use_server(statement, source))
}

/// `"use server";` as a statement.
fn is_use_server(statement: Node<'_>, source: &Source) -> bool {
    statement.kind() == "expression_statement"
        && statement.named_child(0).is_some_and(|expression| {
            expression.kind() == "string"
                && matches!(
                    &source.text()[expression.byte_range()],
                    "\"use server\"" | "'use server'"
                )
        })
}

/// Which framework's routers a file makes, by its imports.
fn router_framework(imports: &Imports) -> Option<Framework> {
    [
        ("express", Framework::Express),
        ("fastify", Framework::Fastify),
        ("hono", Framework::Hono),
        ("koa", Framework::Koa),
        ("@koa/router", Framework::Koa),
        ("koa-router", Framework::Koa),
    ]
    .into_iter()
    .find(|(module, _)| imports.has_module(module))
    .map(|(_, framework)| framework)
}

/// The functions a file declares at its top level, by name: `function f() {}`,
/// `const f = () => {}`, `const f = asyncHandler(async () => {})`, exported or not.
fn top_level_functions<'tree>(root: Node<'tree>, source: &Source) -> Vec<(String, Node<'tree>)> {
    top_level_definitions(root, source)
        .into_iter()
        .filter_map(|(name, value)| Some((name, function_in(value)?)))
        .collect()
}

/// The function an expression is or wraps: a function expression itself, or the function
/// passed to a wrapper (`asyncHandler(async (req, res) => …)`).
fn function_in(expression: Node<'_>) -> Option<Node<'_>> {
    match expression.kind() {
        "function_declaration" | "generator_function_declaration" => Some(expression),
        _ if is_function_expression(expression) => Some(expression),
        "parenthesized_expression" | "as_expression" | "satisfies_expression" => {
            function_in(expression.named_child(0)?)
        }
        "call_expression" => {
            let arguments = expression.field("arguments")?;
            let mut cursor = arguments.walk();
            let found = arguments.named_children(&mut cursor).find_map(function_in);
            found
        }
        _ => None,
    }
}

struct File<'a, 'tree> {
    source: &'a Source,
    functions: Vec<(String, Node<'tree>)>,
    router_framework: Option<Framework>,
}

impl<'tree> File<'_, 'tree> {
    fn text(&self, node: Node<'_>) -> &str {
        &self.source.text()[node.byte_range()]
    }

    /// The function an argument or export names: inline, wrapped (`withAuth(handler)`), or
    /// by the name of a top-level function.
    fn resolve(&self, expression: Node<'tree>) -> Option<Node<'tree>> {
        if expression.kind() == "identifier" {
            let name = self.text(expression);
            return self
                .functions
                .iter()
                .rev()
                .find(|(declared, _)| declared == name)
                .map(|(_, function)| *function);
        }
        if expression.kind() == "call_expression" {
            let arguments = expression.field("arguments")?;
            let mut cursor = arguments.walk();
            let found = arguments
                .named_children(&mut cursor)
                .find_map(|argument| self.resolve(argument));
            return found;
        }
        function_in(expression)
    }

    fn push(
        &self,
        handlers: &mut Vec<Handler>,
        framework: Framework,
        function: Node<'_>,
        name: String,
        registration: Option<Node<'_>>,
    ) {
        handlers.push(Handler {
            framework,
            function: function.byte_range(),
            name,
            registration: registration.map(|node| node.byte_range()),
            middleware: Vec::new(),
        });
    }

    /// `export async function POST(…)`, `export const GET = …`, `export { handler as GET }`.
    fn next_route_exports(&self, root: Node<'tree>, handlers: &mut Vec<Handler>) {
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            if statement.kind() != "export_statement" {
                continue;
            }
            for (name, value) in self.exported(statement) {
                if !NEXT_ROUTE_METHODS.contains(&name.as_str()) {
                    continue;
                }
                if let Some(function) = self.resolve(value) {
                    self.push(handlers, Framework::NextAppRouter, function, name, None);
                }
            }
        }
    }

    /// The names an export statement exports, with the node that gives each its value.
    fn exported(&self, statement: Node<'tree>) -> Vec<(String, Node<'tree>)> {
        let mut exported = Vec::new();
        if let Some(declaration) = statement.field("declaration") {
            match declaration.kind() {
                "function_declaration" | "generator_function_declaration" => {
                    if let Some(name) = declaration.field("name") {
                        exported.push((self.text(name).to_owned(), declaration));
                    }
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut cursor = declaration.walk();
                    for declarator in declaration.named_children(&mut cursor) {
                        if let (Some(name), Some(value)) =
                            (declarator.field("name"), declarator.field("value"))
                        {
                            exported.push((self.text(name).to_owned(), value));
                        }
                    }
                }
                _ => {}
            }
            return exported;
        }
        let mut cursor = statement.walk();
        for clause in statement.named_children(&mut cursor) {
            if clause.kind() != "export_clause" {
                continue;
            }
            let mut inner = clause.walk();
            for specifier in clause.named_children(&mut inner) {
                let Some(local) = specifier.field("name") else {
                    continue;
                };
                let exported_name = specifier.field("alias").unwrap_or(local);
                exported.push((self.text(exported_name).to_owned(), local));
            }
        }
        exported
    }

    /// `export default function handler(req, res)`, `export default withAuth(handler)`.
    fn next_pages_default_export(&self, root: Node<'tree>, handlers: &mut Vec<Handler>) {
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            if statement.kind() != "export_statement" {
                continue;
            }
            let mut inner = statement.walk();
            let is_default = statement
                .children(&mut inner)
                .any(|child| child.kind() == "default");
            if !is_default {
                continue;
            }
            let value = statement
                .field("declaration")
                .or_else(|| statement.field("value"));
            let Some(function) = value.and_then(|value| self.resolve(value)) else {
                continue;
            };
            let name = function.field("name").map_or_else(
                || "default export".to_owned(),
                |name| self.text(name).to_owned(),
            );
            self.push(handlers, Framework::NextPagesApi, function, name, None);
        }
    }

    /// In a `"use server"` file, every exported async function is a Server Action.
    fn server_actions(&self, root: Node<'tree>, handlers: &mut Vec<Handler>) {
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            if statement.kind() != "export_statement" {
                continue;
            }
            for (name, value) in self.exported(statement) {
                let Some(function) = self.resolve(value) else {
                    continue;
                };
                if self.is_async(function) {
                    self.push(handlers, Framework::ServerAction, function, name, None);
                }
            }
        }
    }

    fn is_async(&self, function: Node<'_>) -> bool {
        let mut cursor = function.walk();
        let is_async = function
            .children(&mut cursor)
            .any(|child| child.kind() == "async");
        is_async
    }

    /// A function whose body starts with `"use server"`.
    fn inline_server_action(&self, function: Node<'tree>, handlers: &mut Vec<Handler>) {
        let Some(body) = function.field("body") else {
            return;
        };
        let mut cursor = body.walk();
        let first = body
            .named_children(&mut cursor)
            .find(|child| child.kind() != "comment");
        if !first.is_some_and(|statement| is_use_server(statement, self.source)) {
            return;
        }
        let name = function.field("name").map_or_else(
            || "server action".to_owned(),
            |name| self.text(name).to_owned(),
        );
        self.push(handlers, Framework::ServerAction, function, name, None);
    }

    /// `app.post("/users", auth, createUser)`, `router.route("/users").get(list).post(create)`,
    /// `fastify.route({ method: "POST", url: "/users", handler })`.
    fn route_registration(&self, call: Node<'tree>, handlers: &mut Vec<Handler>) {
        let Some(callee) = call.field("function") else {
            return;
        };
        let Some(arguments) = call.field("arguments") else {
            return;
        };
        let Some((receiver, method)) = member_parts(callee) else {
            return;
        };
        let method = self.text(method);
        let mut cursor = arguments.walk();
        let arguments: Vec<Node<'tree>> = arguments
            .named_children(&mut cursor)
            .filter(|argument| argument.kind() != "comment")
            .collect();
        if method == "route" {
            self.fastify_route(call, &arguments, handlers);
            return;
        }
        if !HTTP_METHODS.contains(&method) {
            return;
        }
        let (path, candidates) = match arguments.first().and_then(|first| self.route_path(*first)) {
            Some(path) => (path, &arguments[1..]),
            None => match self.route_chain_path(receiver) {
                Some(path) => (path, &arguments[..]),
                None => return,
            },
        };
        if self.router_framework.is_none() && !self.looks_like_a_router(receiver) {
            return;
        }
        let Some((candidate, function)) = candidates
            .iter()
            .rev()
            .find_map(|candidate| Some((*candidate, self.resolve(*candidate)?)))
        else {
            return;
        };
        let framework = self
            .router_framework
            .unwrap_or_else(|| self.framework_by_parameters(function));
        let name = if candidate.kind() == "identifier" {
            self.text(candidate).to_owned()
        } else if let Some(name) = function.field("name") {
            self.text(name).to_owned()
        } else {
            format!("{} {path}", method.to_uppercase())
        };
        self.push(handlers, framework, function, name, Some(call));
    }

    /// The framework of a router the file got from elsewhere, by its handler's parameters:
    /// Koa's `ctx`, Hono's `c`, Fastify's `(request, reply)`, Express's `(req, res)`.
    fn framework_by_parameters(&self, function: Node<'_>) -> Framework {
        let parameters: Vec<&str> = function
            .field("parameters")
            .map(|parameters| {
                let mut cursor = parameters.walk();
                let names: Vec<&str> = parameters
                    .named_children(&mut cursor)
                    .map(|parameter| {
                        let name = parameter.field("pattern").unwrap_or(parameter);
                        self.text(name)
                    })
                    .collect();
                names
            })
            .or_else(|| {
                function
                    .field("parameter")
                    .map(|parameter| vec![self.text(parameter)])
            })
            .unwrap_or_default();
        match parameters.as_slice() {
            ["ctx" | "context", ..] => Framework::Koa,
            ["c"] => Framework::Hono,
            [_, "reply", ..] => Framework::Fastify,
            _ => Framework::Express,
        }
    }

    /// The path of a route: a string that starts with `/` or is `*`.
    fn route_path(&self, argument: Node<'_>) -> Option<String> {
        if !matches!(argument.kind(), "string" | "template_string") {
            return None;
        }
        let path = self.text(argument).trim_matches(['"', '\'', '`']);
        (path.starts_with('/') || path == "*").then(|| path.to_owned())
    }

    /// The path of `router.route("/x")` under a chain of `.get(…).post(…)` calls.
    fn route_chain_path(&self, receiver: Node<'_>) -> Option<String> {
        if receiver.kind() != "call_expression" {
            return None;
        }
        let callee = receiver.field("function")?;
        let method = self.text(callee.field("property")?);
        if method == "route" {
            let arguments = receiver.field("arguments")?;
            return self.route_path(arguments.named_child(0)?);
        }
        if HTTP_METHODS.contains(&method) {
            return self.route_chain_path(callee.field("object")?);
        }
        None
    }

    /// Whether a receiver is named like an app or a router (`app`, `router`, `this.router`,
    /// `apiRoutes`).
    fn looks_like_a_router(&self, receiver: Node<'_>) -> bool {
        let name = match receiver.kind() {
            "identifier" => self.text(receiver),
            "member_expression" => receiver
                .field("property")
                .map_or("", |property| self.text(property)),
            _ => return false,
        };
        word_parts(name)
            .last()
            .is_some_and(|word| ROUTER_WORDS.contains(&word.as_str()))
    }

    /// `fastify.route({ method: "POST", url: "/x", handler })`.
    fn fastify_route(
        &self,
        call: Node<'tree>,
        arguments: &[Node<'tree>],
        handlers: &mut Vec<Handler>,
    ) {
        let Some(options) = arguments.first().filter(|first| first.kind() == "object") else {
            return;
        };
        let mut handler = None;
        let mut method = String::from("ROUTE");
        let mut url = String::new();
        let mut cursor = options.walk();
        for property in options.named_children(&mut cursor) {
            let (key, value) = match property.kind() {
                "pair" => (property.field("key"), property.field("value")),
                "method_definition" => (property.field("name"), Some(property)),
                "shorthand_property_identifier" => (Some(property), Some(property)),
                _ => (None, None),
            };
            let (Some(key), Some(value)) = (key, value) else {
                continue;
            };
            match self.text(key) {
                "handler" => {
                    handler = if value.kind() == "method_definition" {
                        Some(value)
                    } else if value.kind() == "shorthand_property_identifier" {
                        let name = self.text(value);
                        self.functions
                            .iter()
                            .rev()
                            .find(|(declared, _)| declared == name)
                            .map(|(_, function)| *function)
                    } else {
                        self.resolve(value)
                    };
                }
                "method" => method = self.text(value).trim_matches(['"', '\'']).to_uppercase(),
                "url" | "path" => url = self.text(value).trim_matches(['"', '\'', '`']).to_owned(),
                _ => {}
            }
        }
        let Some(function) = handler else {
            return;
        };
        let framework = self.router_framework.unwrap_or(Framework::Fastify);
        self.push(
            handlers,
            framework,
            function,
            format!("{method} {url}"),
            Some(call),
        );
    }

    /// The `@Get()`/`@Post()`… methods of a `@Controller()` class.
    fn nest_controller(&self, class: Node<'tree>, handlers: &mut Vec<Handler>) {
        let mut decorators = Vec::new();
        let mut cursor = class.walk();
        decorators.extend(
            class
                .children(&mut cursor)
                .filter(|child| child.kind() == "decorator"),
        );
        if let Some(parent) = class
            .parent()
            .filter(|parent| parent.kind() == "export_statement")
        {
            let mut cursor = parent.walk();
            decorators.extend(
                parent
                    .children(&mut cursor)
                    .filter(|child| child.kind() == "decorator"),
            );
        }
        if !decorators
            .iter()
            .any(|decorator| self.decorator_name(*decorator) == Some("Controller"))
        {
            return;
        }
        let class_name = class.field("name").map_or("", |name| self.text(name));
        let Some(body) = class.field("body") else {
            return;
        };
        let mut route_decorator = None;
        let mut cursor = body.walk();
        for member in body.named_children(&mut cursor) {
            match member.kind() {
                "decorator" => {
                    if self
                        .decorator_name(member)
                        .is_some_and(|name| NEST_ROUTE_DECORATORS.contains(&name))
                    {
                        route_decorator = Some(member);
                    }
                }
                "method_definition" => {
                    if let Some(decorator) = route_decorator.take() {
                        let method = member.field("name").map_or("", |name| self.text(name));
                        self.push(
                            handlers,
                            Framework::NestJs,
                            member,
                            format!("{class_name}.{method}"),
                            Some(decorator),
                        );
                    }
                }
                "comment" => {}
                _ => route_decorator = None,
            }
        }
    }

    /// `@Post()` → `Post`, `@Controller("x")` → `Controller`.
    fn decorator_name(&self, decorator: Node<'_>) -> Option<&str> {
        let expression = decorator.named_child(0)?;
        let name = match expression.kind() {
            "call_expression" => expression.field("function")?,
            _ => expression,
        };
        let text = self.text(name);
        Some(text.rsplit('.').next().unwrap_or(text))
    }
}
