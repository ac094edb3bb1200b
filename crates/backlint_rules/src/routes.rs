//! What the rules about a request handler's duties read of it: the words that say what the
//! handler is for (its file, route and names), and the calls made in it and around it (its
//! body, its decorators, the middleware of its registration, its class).

use std::borrow::Cow;
use std::path::Component;

use backlint_engine::frameworks::Handler;
use backlint_engine::names::word_parts;
use backlint_engine::rule::RuleContext;
use backlint_engine::syntax::{preorder, Fields};
use tree_sitter::Node;

use crate::text::string_content;

/// Calls, decorators and names that authenticate a request: NextAuth/Auth.js, Clerk, Lucia,
/// Passport, NestJS guards, Django and Django REST framework, Flask-Login, FastAPI
/// dependencies, and the project's own `requireAuth`/`withAuth`-style helpers (matched by
/// words: `auth` matches `requireAuth`, `AuthGuard`, `useAuth`).
pub const AUTH_NAMES: &[&str] = &[
    "auth",
    "authenticate",
    "authenticated",
    "authentication",
    "authorize",
    "authorized",
    "getServerSession",
    "getSession",
    "verifySession",
    "validateSession",
    "requireSession",
    "currentUser",
    "current_user",
    "get_current",
    "superuser",
    "requireUser",
    "login_required",
    "loginRequired",
    "ensureLoggedIn",
    "permission",
    "permissions",
    "user_passes_test",
    "staff_member_required",
    "LoginRequiredMixin",
    "PermissionRequiredMixin",
    "permission_classes",
    "IsAuthenticated",
    "UseGuards",
    "guard",
    "Roles",
    "role",
    "admin",
    "allows.requires",
    "clerkMiddleware",
    "validateRequest",
    "req.user",
    "request.user",
    "req.session",
    "request.session",
    "ctx.state.user",
];

/// The function node of a handler, found from any node of the same tree.
pub fn handler_function<'tree>(handler: &Handler, any: Node<'tree>) -> Option<Node<'tree>> {
    let mut root = any;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    root.descendant_for_byte_range(handler.function.start, handler.function.end)
}

/// The route a handler is registered at, as written (`/users/:id`): the first string of its
/// registration.
pub fn route_path<'a>(
    handler: &Handler,
    function: Node<'_>,
    context: &'a RuleContext<'_>,
) -> Option<&'a str> {
    let registration = registration(handler, function)?;
    route_strings(handler, function)
        .into_iter()
        .find(|node| registration.byte_range().contains(&node.start_byte()))
        .and_then(|node| string_content(node, context))
        .map(|content| content.text)
}

/// The node of a handler's registration (`router.post(…)`, `@app.post(…)`), if it has one.
fn registration<'tree>(handler: &Handler, function: Node<'tree>) -> Option<Node<'tree>> {
    let range = handler.registration.clone()?;
    let mut root = function;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    root.descendant_for_byte_range(range.start, range.end)
}

/// The function with what belongs to it: a Python function's decorators, a TypeScript
/// method's decorators, and the class a method is defined in (last).
fn surroundings(function: Node<'_>) -> Vec<Node<'_>> {
    let mut nodes = vec![function];
    let mut sibling = function.prev_named_sibling();
    while let Some(decorator) = sibling.filter(|node| node.kind() == "decorator") {
        nodes.push(decorator);
        sibling = decorator.prev_named_sibling();
    }
    let mut current = function;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "decorated_definition" if current.id() == function.id() => nodes.push(parent),
            "class_declaration" | "class_definition" | "class" => {
                nodes.push(parent);
                break;
            }
            "class_body" | "block" | "decorated_definition" => {}
            _ => break,
        }
        current = parent;
    }
    nodes
}

fn is_class(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "class_declaration" | "class_definition" | "class"
    )
}

/// A class's decorators: NestJS `@Controller("auth")` and `@UseGuards(…)` (which an `export`
/// may hold), Python class decorators.
fn class_decorators(class: Node<'_>) -> Vec<Node<'_>> {
    let owners = std::iter::once(class).chain(
        class
            .parent()
            .filter(|parent| matches!(parent.kind(), "decorated_definition" | "export_statement")),
    );
    let mut decorators = Vec::new();
    for owner in owners {
        let mut cursor = owner.walk();
        decorators.extend(
            owner
                .children(&mut cursor)
                .filter(|child| child.kind() == "decorator"),
        );
    }
    decorators
}

/// How many of a file's path components (its name and the folders above it) say what its
/// handlers are for.
const PATH_DEPTH: usize = 4;

/// The words that say what a handler is for: its file's name and the three folders above it
/// (`api/webhooks/stripe/route.ts`),
/// the route it is registered at (`router.post("/auth/login", …)`, `@Controller("webhooks")`),
/// its name and its class's name.
pub fn handler_words(
    handler: &Handler,
    function: Node<'_>,
    context: &RuleContext<'_>,
) -> Vec<String> {
    let mut words = Vec::new();
    // The file and the folders just above it say what it serves (`webhooks/stripe/route.ts`);
    // those further up name the project and where it was checked out.
    let path = context.source.project_path.with_extension("");
    let names: Vec<_> = path
        .components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name.to_string_lossy()),
            _ => None,
        })
        .collect();
    for name in names.iter().rev().take(PATH_DEPTH) {
        words.extend(word_parts(name));
    }
    words.extend(word_parts(&handler.name));
    let mut named = surroundings(function);
    named.extend(registration(handler, function));
    if let Some(declarator) = function
        .parent()
        .filter(|parent| parent.kind() == "variable_declarator")
    {
        named.push(declarator);
    }
    for node in named {
        if let Some(name) = node.field("name") {
            words.extend(word_parts(context.text(name)));
        }
    }
    for node in route_strings(handler, function) {
        if let Some(content) = string_content(node, context) {
            words.extend(word_parts(content.text));
        }
    }
    words
}

/// The texts of a function's own decorators (`@login_required`, NestJS `@UseGuards(…)` on a
/// method), without its class's.
pub fn function_decorators<'a>(function: Node<'_>, context: &'a RuleContext<'_>) -> Vec<&'a str> {
    let mut decorators = Vec::new();
    for node in surroundings(function) {
        match node.kind() {
            "decorator" => decorators.push(context.text(node)),
            "decorated_definition" => {
                let mut cursor = node.walk();
                decorators.extend(
                    node.children(&mut cursor)
                        .filter(|child| child.kind() == "decorator")
                        .map(|decorator| context.text(decorator)),
                );
            }
            _ => {}
        }
    }
    decorators
}

/// The most specific name a handler has, by words: its own (`userLogin`, `def signup`),
/// else its class's (`class LoginView`), else the last two segments of its route
/// (`router.post("/password/reset", …)`), else its file's (`auth/login/route.ts` → `login`).
/// Names that say nothing of the purpose (`POST`, `handler`, `route`, `views`) are passed
/// over. `None` for a route with a parameter before its last segment
/// (`/users/:id/password/reset`): that acts on a resource, it is not where one signs in.
pub fn purpose_name(
    handler: &Handler,
    function: Node<'_>,
    context: &RuleContext<'_>,
) -> Option<Vec<String>> {
    let meaningful = |name: &str| {
        let words = word_parts(name);
        let generic = words
            .iter()
            .all(|word| GENERIC_NAME_WORDS.contains(&word.as_str()));
        (!generic).then_some(words)
    };
    let own_name = function
        .field("name")
        .or_else(|| {
            function
                .parent()
                .filter(|parent| parent.kind() == "variable_declarator")
                .and_then(|declarator| declarator.field("name"))
        })
        .map(|name| context.text(name));
    let class_name = surroundings(function)
        .into_iter()
        .find(|node| is_class(*node))
        .and_then(|class| class.field("name"))
        .map(|name| context.text(name));
    if let Some(words) = own_name.into_iter().chain(class_name).find_map(meaningful) {
        return Some(words);
    }
    if let Some(route) = route_strings(handler, function)
        .first()
        .and_then(|node| string_content(*node, context))
    {
        let segments: Vec<&str> = route
            .text
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        let is_parameter = |segment: &&str| {
            segment.starts_with([':', '{', '<', '[', '$']) || segment.contains('{')
        };
        if let Some((_, before)) = segments.split_last() {
            if before.iter().any(is_parameter) {
                return None;
            }
            let last_two = segments[segments.len().saturating_sub(2)..].join("/");
            if let Some(words) = meaningful(&last_two) {
                return Some(words);
            }
        }
    }
    let path = context.source.project_path.with_extension("");
    path.components()
        .rev()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name.to_string_lossy()),
            _ => None,
        })
        .take(PATH_DEPTH)
        .find_map(|name| meaningful(&name))
}

/// What an authentication endpoint is for, by the words of its name (see [`purpose_name`]):
/// signing in, signing up, resetting a password or checking a one-time code; `None` for
/// other names, and for signing out. `verify` alone does not make an authentication endpoint:
/// on real code it named the management of domains, tokens and codes by administrators far
/// more often than a place where codes are guessed.
pub fn purpose_of(words: &[String]) -> Option<&'static str> {
    let has = |word: &str| words.iter().any(|each| each == word);
    let pair = |first: &str, second: &str| {
        words
            .windows(2)
            .any(|window| window[0] == first && window[1] == second)
    };
    if has("logout") || has("signout") || pair("log", "out") || pair("sign", "out") {
        None
    } else if has("login")
        || has("signin")
        || has("logon")
        || pair("sign", "in")
        || pair("log", "in")
    {
        Some("login")
    } else if has("signup") || has("register") || has("registration") || pair("sign", "up") {
        Some("sign-up")
    } else if has("forgot") || pair("password", "reset") || pair("reset", "password") {
        Some("password-reset")
    } else if has("otp") || has("mfa") || has("2fa") || has("totp") {
        Some("one-time-code")
    } else {
        None
    }
}

/// Words of names that say nothing of what a handler is for.
const GENERIC_NAME_WORDS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "all",
    "handler",
    "handle",
    "index",
    "default",
    "main",
    "view",
    "views",
    "endpoint",
    "route",
    "routes",
    "page",
    "api",
    "controller",
    "action",
    "actions",
    "server",
    "app",
    "v1",
    "v2",
    "v3",
];

/// The HTTP method a handler answers, lower case, where one is named: by its registration
/// (`router.post(…)`, `@app.get(…)`, NestJS `@Get()`) or by its own name (`export function
/// GET`, a class-based view's `def post`). `None` for handlers of every method (`app.all`,
/// `@app.route` without `methods`, Django function views).
pub fn registration_method(
    handler: &Handler,
    function: Node<'_>,
    context: &RuleContext<'_>,
) -> Option<String> {
    let is_method = |name: &str| {
        let lower = name.to_ascii_lowercase();
        ONE_METHOD.contains(&lower.as_str()).then_some(lower)
    };
    if let Some(registration) = registration(handler, function) {
        let call = if registration.kind() == "decorator" {
            registration.named_child(0)?
        } else {
            registration
        };
        let callee = match call.kind() {
            "call_expression" | "call" => call.field("function")?,
            _ => call,
        };
        let name = match callee.kind() {
            "member_expression" => callee.field("property")?,
            "attribute" => callee.field("attribute")?,
            _ => callee,
        };
        return is_method(context.text(name));
    }
    function
        .field("name")
        .and_then(|name| is_method(context.text(name)))
}

/// The HTTP methods a route can be registered for on its own.
const ONE_METHOD: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

/// The string arguments of a handler's registration and of its class's decorators: the
/// routes it answers.
fn route_strings<'tree>(handler: &Handler, function: Node<'tree>) -> Vec<Node<'tree>> {
    let mut owners: Vec<Node<'tree>> = registration(handler, function).into_iter().collect();
    if let Some(class) = surroundings(function)
        .into_iter()
        .find(|node| is_class(*node))
    {
        owners.extend(class_decorators(class));
    }
    let mut strings = Vec::new();
    for owner in owners {
        let Some(arguments) = preorder(owner).find(|node| {
            matches!(node.kind(), "arguments" | "argument_list")
                && !function.byte_range().contains(&node.start_byte())
        }) else {
            continue;
        };
        let mut cursor = arguments.walk();
        strings.extend(
            arguments
                .named_children(&mut cursor)
                .filter(|argument| matches!(argument.kind(), "string" | "template_string")),
        );
    }
    strings
}

/// Every call made by a handler or on its way: in its body, its decorators and its class
/// (`permission_classes`, `@UseGuards(…)` on the controller), the middleware passed to its
/// registration, and what the file applies to all routes (`app.use(requireAuth)`). Each as the
/// callee's text (`stripe.webhooks.constructEvent`); decorators and class attributes count by
/// their text (`@login_required`).
pub fn calls_around<'a>(
    handler: &'a Handler,
    function: Node<'_>,
    context: &'a RuleContext<'_>,
) -> Vec<&'a str> {
    let mut roots = surroundings(function);
    let registration = registration(handler, function);
    let mut callees: Vec<&'a str> = handler.middleware.iter().map(String::as_str).collect();
    if let Some(registration) = registration {
        // The middleware are the registration's arguments before the handler.
        for node in preorder(registration) {
            if node.end_byte() <= function.start_byte() || node.start_byte() >= function.end_byte()
            {
                if let Some(callee) = callee_text(node, context) {
                    callees.push(callee);
                } else if node.kind() == "identifier" || node.kind() == "member_expression" {
                    callees.push(context.text(node));
                }
            }
        }
    }
    // The class holds the methods of other handlers too: only its own decorators and
    // attributes count, not what its other methods call.
    let class = roots.iter().position(|node| is_class(*node));
    if let Some(index) = class {
        let class = roots.remove(index);
        callees.extend(class_level_names(class, context));
    }
    for root in roots {
        for node in preorder(root) {
            if let Some(callee) = callee_text(node, context) {
                callees.push(callee);
            } else if node.kind() == "decorator" {
                callees.push(context.text(node).trim_start_matches('@'));
            }
        }
    }
    callees
}

/// The text of a handler and of what applies to it: the function and its decorators, its
/// class's decorators and attributes, the middleware of its registration, and what the file
/// applies to all routes. Rules that look for a check anywhere on the way to the handler
/// read these.
pub fn texts_around<'a>(
    handler: &'a Handler,
    function: Node<'_>,
    context: &'a RuleContext<'_>,
) -> Vec<Cow<'a, str>> {
    let mut texts: Vec<Cow<'a, str>> = handler
        .middleware
        .iter()
        .map(|middleware| Cow::Borrowed(middleware.as_str()))
        .collect();
    for node in surroundings(function) {
        if is_class(node) {
            texts.extend(
                class_level_names(node, context)
                    .into_iter()
                    .map(Cow::Borrowed),
            );
        } else {
            texts.push(code_text(node, context));
        }
    }
    if let Some(registration) = registration(handler, function) {
        let text = context.source.text();
        let before =
            registration.start_byte()..function.start_byte().max(registration.start_byte());
        texts.extend(text.get(before).map(Cow::Borrowed));
    }
    texts
}

/// The text of a node without its comments, which may speak of what the code does not do
/// (`// TODO: check auth`).
fn code_text<'a>(node: Node<'_>, context: &'a RuleContext<'_>) -> Cow<'a, str> {
    let comments: Vec<std::ops::Range<usize>> = preorder(node)
        .filter(|child| child.kind() == "comment")
        .map(|comment| comment.byte_range())
        .collect();
    if comments.is_empty() {
        return Cow::Borrowed(context.text(node));
    }
    let text = context.source.text();
    let mut code = String::new();
    let mut start = node.start_byte();
    for comment in comments {
        code.push_str(&text[start..comment.start]);
        start = comment.end;
    }
    code.push_str(&text[start..node.end_byte()]);
    Cow::Owned(code)
}

/// A class's decorators and its attributes (`permission_classes = [IsAdmin]`,
/// `@UseGuards(AuthGuard("jwt"))`), by their text.
fn class_level_names<'a>(class: Node<'_>, context: &'a RuleContext<'_>) -> Vec<&'a str> {
    let mut names: Vec<&'a str> = class_decorators(class)
        .into_iter()
        .map(|decorator| context.text(decorator).trim_start_matches('@'))
        .collect();
    if let Some(body) = class.field("body") {
        let mut cursor = body.walk();
        for statement in body.named_children(&mut cursor) {
            let assignment = match statement.kind() {
                "expression_statement" => statement.named_child(0),
                "public_field_definition" | "field_definition" => Some(statement),
                _ => None,
            };
            // The whole assignment: its name says what it is (`permission_classes`,
            // `throttle_classes`), whatever the value (`[AllowAny]` is a decision too).
            if let Some(assignment) = assignment.filter(|assignment| {
                assignment.field("right").is_some() || assignment.field("value").is_some()
            }) {
                names.push(context.text(assignment));
            }
        }
    }
    names
}

/// The callee of a call (`jwt.verify` of `jwt.verify(token)`, `Webhook` of `new Webhook(s)`).
fn callee_text<'a>(node: Node<'_>, context: &'a RuleContext<'_>) -> Option<&'a str> {
    let callee = match node.kind() {
        "call_expression" | "call" => node.field("function")?,
        "new_expression" => node.field("constructor")?,
        _ => return None,
    };
    Some(context.text(callee))
}

/// Whether a text (a callee, a decorator, a class attribute's value) names one of `names`:
/// a dotted name by its text (`stripe.webhooks.constructEvent`), a plain one by words within
/// any of the text's identifiers, so that `verify_signature` matches `verifySignature` and
/// `requireAuth` matches `auth` (`useAuth`, `authGuard`), but `author` does not.
pub fn mentions(text: &str, names: &[String]) -> bool {
    let identifiers: Vec<Vec<String>> = text
        .split(|character: char| {
            !(character.is_alphanumeric() || character == '_' || character == '$')
        })
        .filter(|identifier| !identifier.is_empty())
        .map(word_parts)
        .collect();
    names.iter().any(|name| {
        if name.contains('.') {
            text.contains(name.as_str())
        } else {
            let words = word_parts(name);
            !words.is_empty()
                && identifiers.iter().any(|identifier| {
                    identifier
                        .windows(words.len())
                        .any(|window| window == words.as_slice())
                })
        }
    })
}
