//! missing-auth-check: a request handler that changes data, or reads a record by an id the
//! caller chose, without checking who the caller is, where the handlers around it do check.

use backlint_engine::frameworks::{Framework, Handler};
use backlint_engine::names::word_parts;
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{preorder, Fields};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::project::{django_settings, next_middleware};
use crate::routes::{
    handler_function, mentions, purpose_name, purpose_of, route_path, texts_around, AUTH_NAMES,
};
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "missing-auth-check",
    docs: include_str!("../../../../rules/missing-auth-check.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Functions, decorators, guards and middleware of yours that authenticate a request,
    /// besides the built-in ones.
    auth_functions: Vec<String>,
    /// Globs of the files and route paths that are public on purpose.
    public_routes: Vec<String>,
    /// Globs of files that are not checked.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            auth_functions: Vec::new(),
            public_routes: [
                "**/webhook*/**",
                "**/webhook*",
                "**/hooks/**",
                "**/auth/**",
                "**/public/**",
                "**/health*",
                "**/callback*",
            ]
            .map(str::to_owned)
            .to_vec(),
            ignore_paths: test_paths_and(&[]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let public_routes = glob_set(SPEC.id, "public-routes", &options.public_routes)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    let mut auth_functions: Vec<String> =
        AUTH_NAMES.iter().map(|name| (*name).to_owned()).collect();
    auth_functions.extend(options.auth_functions);
    Ok(Box::new(MissingAuthCheck {
        auth_functions,
        public_routes,
        ignore_paths,
    }))
}

fn missing_auth_check_message(handler: &str, action: &str, call: &str) -> String {
    format!(
        "`{handler}` {action} (`{call}`) without checking who is signed in, unlike other \
         handlers of this file: no authentication (`auth()`, `getServerSession`, \
         `requireAuth`, a guard, `@login_required`, `permission_classes`, \
         `Depends(get_current_user)`) in it, its decorators, its middleware or \
         `middleware.ts`; add one, or name yours in the `auth-functions` option."
    )
}

/// Words of a handler's name that make it public on purpose.
const PUBLIC_WORDS: &[&str] = &[
    "webhook",
    "webhooks",
    "hook",
    "hooks",
    "callback",
    "health",
    "healthz",
    "public",
    "status",
    "ping",
    "invite",
    "invitation",
    "unsubscribe",
];

/// Words of a parameter's name that make it an id: `id`, `userId`, `post_pk`, `slug`.
const ID_WORDS: &[&str] = &["id", "pk", "slug", "uuid"];

struct MissingAuthCheck {
    auth_functions: Vec<String>,
    public_routes: GlobSet,
    ignore_paths: GlobSet,
}

impl Rule for MissingAuthCheck {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &[
                "function_declaration",
                "function_expression",
                "function",
                "arrow_function",
                "method_definition",
            ],
            Language::Python => &["function_definition"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path) && !self.public_routes.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(handler) = context.semantic.handlers().of_function(node).cloned() else {
            return;
        };
        if self.is_public(&handler, node, context) {
            return;
        }
        let Some((call, action)) = protected_action(&handler, node, context) else {
            return;
        };
        if self.authenticates(&handler, node, context)
            || self.authenticated_by_the_project(&handler, context)
            || !self.other_handlers_authenticate(&handler, node, context)
        {
            return;
        }
        let message =
            missing_auth_check_message(&handler.name, action, &compact(context.text(call)));
        context.report(call, message);
    }
}

impl MissingAuthCheck {
    /// Whether a handler is public on purpose: its route matches `public-routes`, or its
    /// name says it signs people in or up, receives webhooks or answers health checks.
    fn is_public(&self, handler: &Handler, function: Node<'_>, context: &RuleContext<'_>) -> bool {
        let route_is_public = route_path(handler, function, context)
            .is_some_and(|route| self.public_routes.is_match(route.trim_start_matches('/')));
        let name = purpose_name(handler, function, context).unwrap_or_default();
        route_is_public
            || purpose_of(&name).is_some()
            || name
                .iter()
                .any(|word| PUBLIC_WORDS.contains(&word.as_str()))
    }

    /// Whether anything on the way to the handler authenticates: a call in it, its
    /// decorators, its class, its registration's middleware, the file's `app.use(…)`.
    fn authenticates(
        &self,
        handler: &Handler,
        function: Node<'_>,
        context: &RuleContext<'_>,
    ) -> bool {
        texts_around(handler, function, context)
            .iter()
            .any(|text| mentions(text, &self.auth_functions))
    }

    /// Whether the project authenticates every route: a Next.js middleware that calls an
    /// authentication function, Django's `LoginRequiredMiddleware`, or Django REST
    /// framework's `DEFAULT_PERMISSION_CLASSES`.
    fn authenticated_by_the_project(&self, handler: &Handler, context: &RuleContext<'_>) -> bool {
        let path = &context.source.path;
        match handler.framework {
            Framework::NextAppRouter | Framework::NextPagesApi | Framework::ServerAction => {
                next_middleware(path)
                    .iter()
                    .any(|text| mentions(text, &self.auth_functions))
            }
            Framework::Django | Framework::DjangoRestFramework => {
                django_settings(path).iter().any(|text| {
                    text.contains("LoginRequiredMiddleware")
                        || handler.framework == Framework::DjangoRestFramework
                            && text.contains("DEFAULT_PERMISSION_CLASSES")
                })
            }
            _ => false,
        }
    }

    /// Whether another handler of the file authenticates: the file shows how its routes are
    /// protected, and this one departs from it. Without that, authentication is done where
    /// the file's router is mounted, or the whole file is public, and nothing is reported.
    fn other_handlers_authenticate(
        &self,
        handler: &Handler,
        function: Node<'_>,
        context: &RuleContext<'_>,
    ) -> bool {
        context
            .semantic
            .handler_texts()
            .all()
            .iter()
            .filter(|other| other.function != handler.function)
            .any(|other| {
                handler_function(other, function)
                    .is_some_and(|node| self.authenticates(other, node, context))
            })
    }
}

/// What in a handler needs a signed-in caller: its first database write, or its first query
/// that reads by an id taken from the request (a route parameter, `req.params`).
fn protected_action<'tree>(
    handler: &Handler,
    function: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, &'static str)> {
    let databases = context.semantic.databases();
    let ids = id_parameters(handler, function, context);
    preorder(function).find_map(|node| {
        if !matches!(node.kind(), "call_expression" | "call") {
            return None;
        }
        let call = databases.call(node, context.source)?;
        if call.writes() {
            return Some((node, "writes to the database"));
        }
        let arguments = node.field("arguments")?;
        let reads_by_id = mentions(context.text(arguments), &ids);
        reads_by_id.then_some((node, "reads a record by an id from the request"))
    })
}

/// The names through which a handler gets ids from the request: its parameters named like
/// ids (Django's `pk`, FastAPI's `item_id`), and the request's route parameters
/// (`req.params`, `params`, `ctx.params`, `c.req.param`).
fn id_parameters(handler: &Handler, function: Node<'_>, context: &RuleContext<'_>) -> Vec<String> {
    let mut names = vec![
        "req.params".to_owned(),
        "ctx.params".to_owned(),
        "req.param(".to_owned(),
    ];
    if matches!(
        handler.framework,
        Framework::NextAppRouter | Framework::NextPagesApi
    ) {
        names.push("params".to_owned());
        names.push("query.id".to_owned());
    }
    let Some(parameters) = function.field("parameters") else {
        return names;
    };
    for parameter in preorder(parameters) {
        if parameter.kind() != "identifier" {
            continue;
        }
        let name = context.text(parameter);
        let is_id = word_parts(name)
            .last()
            .is_some_and(|last| ID_WORDS.contains(&last.as_str()));
        if is_id {
            names.push(name.to_owned());
        }
    }
    names
}
