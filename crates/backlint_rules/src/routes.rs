//! What the rules about a request handler's duties read of it: the words that say what the
//! handler is for (its file, route and names), and the calls made in it and around it (its
//! body, its decorators, the middleware of its registration, its class).

use std::path::Component;

use backlint_engine::frameworks::Handler;
use backlint_engine::names::word_parts;
use backlint_engine::rule::RuleContext;
use backlint_engine::syntax::preorder;
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
    "requireUser",
    "getUser",
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
    "Roles",
    "clerkMiddleware",
    "validateRequest",
    "req.user",
    "request.user",
    "req.session",
    "request.session",
    "ctx.state.user",
];

/// The node of a handler's registration (`router.post(…)`, `@app.post(…)`), if it has one.
fn registration<'tree>(handler: &Handler, function: Node<'tree>) -> Option<Node<'tree>> {
    let range = handler.registration.clone()?;
    let mut root = function;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    root.descendant_for_byte_range(range.start, range.end)
}

/// The function with what belongs to it: a Python function's decorators, and the class a
/// method is defined in.
fn surroundings(function: Node<'_>) -> Vec<Node<'_>> {
    let mut nodes = vec![function];
    let mut current = function;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "decorated_definition" => nodes.push(parent),
            "class_body" | "block" | "statement_block" | "program" | "module" => {}
            "class_declaration" | "class_definition" | "class" => {
                nodes.push(parent);
                // A decorated class: NestJS `@Controller("webhooks")`, or Python decorators.
                if let Some(decorated) = parent
                    .parent()
                    .filter(|outer| outer.kind() == "decorated_definition")
                {
                    nodes.push(decorated);
                }
                break;
            }
            _ if nodes.len() > 1 => break,
            _ => {}
        }
        current = parent;
    }
    nodes
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
    let path = context.source.path.with_extension("");
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
        if let Some(name) = node.child_by_field_name("name") {
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

/// The string arguments of a handler's registration and of its class's decorators: the
/// routes it answers.
fn route_strings<'tree>(handler: &Handler, function: Node<'tree>) -> Vec<Node<'tree>> {
    let mut owners: Vec<Node<'tree>> = registration(handler, function).into_iter().collect();
    owners.extend(
        surroundings(function)
            .into_iter()
            .filter(|node| {
                node.kind() == "decorated_definition" || node.kind() == "class_declaration"
            })
            .flat_map(|node| {
                let mut cursor = node.walk();
                node.children(&mut cursor)
                    .filter(|child| child.kind() == "decorator")
                    .collect::<Vec<_>>()
            }),
    );
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
/// (`permission_classes`, `@UseGuards(…)` on the controller), and the middleware passed to its
/// registration, and what the file applies to all routes (`app.use(requireAuth)`). Each as the callee's text (`stripe.webhooks.constructEvent`); decorators and
/// class attributes without a call count by their text too (`@login_required`).
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
    let class = roots.iter().position(|node| {
        matches!(
            node.kind(),
            "class_declaration" | "class_definition" | "class"
        )
    });
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

/// The text of a handler and of what applies to it: the function (with a Python function's
/// decorators), its class's decorators and attributes, the middleware of its registration,
/// and what the file applies to all routes. Rules that look for a check anywhere on the way
/// to the handler read these.
pub fn texts_around<'a>(
    handler: &'a Handler,
    function: Node<'_>,
    context: &'a RuleContext<'_>,
) -> Vec<&'a str> {
    let mut texts: Vec<&'a str> = handler.middleware.iter().map(String::as_str).collect();
    for node in surroundings(function) {
        if matches!(
            node.kind(),
            "class_declaration" | "class_definition" | "class"
        ) {
            texts.extend(class_level_names(node, context));
        } else if node.kind() != "decorated_definition"
            || node
                .child_by_field_name("definition")
                .is_some_and(|definition| definition.id() == function.id())
        {
            // A decorated class's decorators were read with the class.
            texts.push(context.text(node));
        }
    }
    if let Some(registration) = registration(handler, function) {
        let text = context.source.text();
        let before =
            registration.start_byte()..function.start_byte().max(registration.start_byte());
        texts.extend(text.get(before));
    }
    texts
}

/// A class's decorators and the values of its attributes (`permission_classes = [IsAdmin]`,
/// `@UseGuards(AuthGuard("jwt"))`), by their text.
fn class_level_names<'a>(class: Node<'_>, context: &'a RuleContext<'_>) -> Vec<&'a str> {
    let mut names = Vec::new();
    let mut decorators = Vec::new();
    let mut cursor = class.walk();
    decorators.extend(
        class
            .children(&mut cursor)
            .filter(|child| child.kind() == "decorator"),
    );
    if let Some(decorated) = class
        .parent()
        .filter(|outer| outer.kind() == "decorated_definition")
    {
        let mut cursor = decorated.walk();
        decorators.extend(
            decorated
                .children(&mut cursor)
                .filter(|child| child.kind() == "decorator"),
        );
    }
    names.extend(
        decorators
            .into_iter()
            .map(|decorator| context.text(decorator).trim_start_matches('@')),
    );
    if let Some(body) = class.child_by_field_name("body") {
        let mut cursor = body.walk();
        for statement in body.named_children(&mut cursor) {
            let assignment = match statement.kind() {
                "expression_statement" => statement.named_child(0),
                "public_field_definition" | "field_definition" => Some(statement),
                _ => None,
            };
            if let Some(value) = assignment.and_then(|assignment| {
                assignment
                    .child_by_field_name("right")
                    .or_else(|| assignment.child_by_field_name("value"))
            }) {
                names.push(context.text(value));
            }
        }
    }
    names
}

/// The callee of a call (`jwt.verify` of `jwt.verify(token)`, `Webhook` of `new Webhook(s)`).
fn callee_text<'a>(node: Node<'_>, context: &'a RuleContext<'_>) -> Option<&'a str> {
    let callee = match node.kind() {
        "call_expression" | "call" => node.child_by_field_name("function")?,
        "new_expression" => node.child_by_field_name("constructor")?,
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
