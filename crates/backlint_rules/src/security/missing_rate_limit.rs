//! missing-rate-limit: a login, sign-up, password-reset or code-verification endpoint that
//! anyone can call as fast as they like, which is how passwords and one-time codes are guessed.

use backlint_engine::frameworks::{Framework, Handler};
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::Fields;
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::project::{django_settings, next_middleware};
use crate::routes::{
    calls_around, function_decorators, mentions, purpose_name, purpose_of, registration_method,
    texts_around,
};

pub const SPEC: RuleSpec = RuleSpec {
    id: "missing-rate-limit",
    docs: include_str!("../../../../rules/missing-rate-limit.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Functions, decorators and middleware of yours that limit the rate of requests,
    /// besides the built-in ones.
    limiters: Vec<String>,
    /// Globs of files that are not checked.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            limiters: Vec::new(),
            ignore_paths: test_paths_and(&[]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    let mut limiters: Vec<String> = DEFAULT_LIMITERS
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    limiters.extend(options.limiters);
    Ok(Box::new(MissingRateLimit {
        limiters,
        ignore_paths,
    }))
}

fn missing_rate_limit_message(handler: &str, purpose: &str) -> String {
    format!(
        "`{handler}` is a {purpose} endpoint with no rate limit: no limiter (`rateLimit(…)`, \
         `ratelimit.limit`, `limiter`, `@Throttle`, `throttle_classes`, `@limiter.limit`) in \
         it, its decorators, its middleware, the file or `middleware.ts`; add one, or name \
         yours in the `limiters` option."
    )
}

/// Names of rate limiters, matched by words within identifiers: express-rate-limit's
/// `rateLimit`, @upstash/ratelimit's `ratelimit.limit`, rate-limiter-flexible's
/// `RateLimiterMemory`, NestJS's `@Throttle`/`ThrottlerGuard`, DRF's `throttle_classes`,
/// django-ratelimit's `@ratelimit`, slowapi's and Flask-Limiter's `@limiter.limit`,
/// express-slow-down and express-brute.
const DEFAULT_LIMITERS: &[&str] = &[
    "ratelimit",
    "rateLimit",
    "ratelimiter",
    "limiter",
    "throttle",
    "throttler",
    "throttled",
    "throttling",
    "slowDown",
    "brute",
    "bruteforce",
];

/// Modules that limit rates: a file that imports one applies it (to the app, a router, or
/// the routes it registers).
const LIMITING_MODULES: &[&str] = &[
    "express-rate-limit",
    "express-slow-down",
    "express-brute",
    "rate-limiter-flexible",
    "@upstash/ratelimit",
    "@nestjs/throttler",
    "@fastify/rate-limit",
    "hono-rate-limiter",
    "koa-ratelimit",
    "limiter",
    "slowapi",
    "flask_limiter",
    "django_ratelimit",
    "ratelimit",
    "fastapi_limiter",
];

struct MissingRateLimit {
    limiters: Vec<String>,
    ignore_paths: GlobSet,
}

impl Rule for MissingRateLimit {
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
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(handler) = context.semantic.handlers().of_function(node).cloned() else {
            return;
        };
        let Some(purpose) = authentication_purpose(&handler, node, context) else {
            return;
        };
        if self.imports_a_limiter(context)
            || uses_a_hosted_identity_provider(&handler, node, context)
            || texts_around(&handler, node, context)
                .iter()
                .any(|text| mentions(text, &self.limiters))
            || self.limited_by_the_project(&handler, context)
        {
            return;
        }
        let message = missing_rate_limit_message(&handler.name, purpose);
        let Some(name) = node.field("name").or_else(|| node.field("parameters")) else {
            context.report(node, message);
            return;
        };
        context.report(name, message);
    }
}

impl MissingRateLimit {
    /// Whether the file imports a rate-limiting library, or a limiter of the project's
    /// (`from app.extensions import limiter`): it is applied in this file, to the app, a
    /// router or the routes.
    fn imports_a_limiter(&self, context: &RuleContext<'_>) -> bool {
        let imports = context.semantic.imports();
        LIMITING_MODULES
            .iter()
            .any(|module| imports.has_module(module))
            || imports
                .entries()
                .iter()
                .any(|import| mentions(&import.local, &self.limiters))
    }

    /// Whether a project-wide limiter covers the handler: a Next.js middleware that calls one,
    /// or Django REST framework's `DEFAULT_THROTTLE_CLASSES`.
    fn limited_by_the_project(&self, handler: &Handler, context: &RuleContext<'_>) -> bool {
        let path = &context.source.path;
        match handler.framework {
            Framework::NextAppRouter | Framework::NextPagesApi | Framework::ServerAction => {
                next_middleware(path)
                    .iter()
                    .any(|text| mentions(text, &self.limiters))
            }
            Framework::DjangoRestFramework => django_settings(path)
                .iter()
                .any(|text| text.contains("DEFAULT_THROTTLE_CLASSES")),
            _ => false,
        }
    }
}

/// Hosted identity providers, which count and limit sign-in attempts themselves: a handler
/// that hands the credentials to one is limited there.
const IDENTITY_PROVIDERS: &[&str] = &[
    "supabase", "firebase", "auth0", "clerk", "cognito", "amplify", "stytch", "workos", "kinde",
];

/// Whether a handler hands the credentials to a hosted identity provider: it calls one
/// (`supabase.auth.signInWithPassword(…)`), or the file imports one, or Payload's
/// authentication (which locks accounts after `maxLoginAttempts`).
fn uses_a_hosted_identity_provider(
    handler: &Handler,
    function: Node<'_>,
    context: &RuleContext<'_>,
) -> bool {
    let imports_one = context.semantic.imports().entries().iter().any(|import| {
        let package = import.module.trim_start_matches('@');
        package == "payload"
            || package.starts_with("payload/")
            || IDENTITY_PROVIDERS
                .iter()
                .any(|provider| package.starts_with(provider))
    });
    let providers: Vec<String> = IDENTITY_PROVIDERS
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    imports_one
        || calls_around(handler, function, context)
            .iter()
            .any(|callee| mentions(callee, &providers))
}

/// Decorators that require a signed-in user.
const SIGNED_IN_DECORATORS: &[&str] = &[
    "login_required",
    "permission_required",
    "user_passes_test",
    "staff_member_required",
    "UseGuards",
];

/// What an authentication endpoint is for: `None` for other handlers, and for those that
/// answer another method than `POST` (a login page is not where passwords are tried; `PUT`,
/// `PATCH` and `DELETE` manage a resource) or require a signed-in user already.
fn authentication_purpose(
    handler: &Handler,
    function: Node<'_>,
    context: &RuleContext<'_>,
) -> Option<&'static str> {
    if registration_method(handler, function, context).is_some_and(|method| method != "post") {
        return None;
    }
    // One signs in at an endpoint that does not require it: an endpoint behind
    // `@login_required` or a guard is for users who are signed in already.
    let signed_in = function_decorators(function, context)
        .iter()
        .any(|decorator| {
            SIGNED_IN_DECORATORS
                .iter()
                .any(|name| decorator.contains(name))
        });
    if signed_in {
        return None;
    }
    purpose_of(&purpose_name(handler, function, context)?)
}
