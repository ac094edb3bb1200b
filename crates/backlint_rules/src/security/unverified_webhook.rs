//! unverified-webhook: a webhook endpoint that acts on the body it was sent without checking
//! the sender's signature, so anyone who finds the URL can forge events.

use backlint_engine::frameworks::Handler;
use backlint_engine::names::word_parts;
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{member_parts, preorder, Fields};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::routes::{calls_around, handler_words, mentions, texts_around, AUTH_NAMES};
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "unverified-webhook",
    docs: include_str!("../../../../rules/unverified-webhook.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Functions and methods that verify a webhook's signature, besides the built-in ones.
    verifiers: Vec<String>,
    /// Globs of files that are not checked.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            verifiers: Vec::new(),
            ignore_paths: test_paths_and(&[]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    let mut verifiers: Vec<String> = DEFAULT_VERIFIERS
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    verifiers.extend(options.verifiers);
    let auth_functions = AUTH_NAMES.iter().map(|name| (*name).to_owned()).collect();
    Ok(Box::new(UnverifiedWebhook {
        verifiers,
        auth_functions,
        secret_names: SECRET_NAMES.iter().map(|name| (*name).to_owned()).collect(),
        ignore_paths,
    }))
}

fn unverified_webhook_message(handler: &str, body: &str) -> String {
    format!(
        "`{handler}` receives a webhook and reads `{body}` without verifying its signature: \
         verify it first (`stripe.webhooks.constructEvent`, svix `Webhook.verify`, an HMAC \
         compared with `timingSafeEqual`/`hmac.compare_digest`), or name your verifier in the \
         `verifiers` option."
    )
}

/// Calls that verify a webhook: Stripe, svix and Standard Webhooks, Twilio, Octokit, Slack,
/// Shopify and the HMAC primitives hand-written verifiers are made of. Any call whose name
/// speaks of a signature or an HMAC counts as well (see [`verifies`]).
const DEFAULT_VERIFIERS: &[&str] = &[
    "constructEvent",
    "constructEventAsync",
    "construct_event",
    "verify",
    "verifyWebhook",
    "verifyRequest",
    "verifyHeader",
    "validateRequest",
    "validateRequestWithBody",
    "validateWebhook",
    "timingSafeEqual",
    "compare_digest",
    "createHmac",
    "hmac.new",
    "webhooks.unwrap",
];

/// Names of what a receiver checks a request against: `STRIPE_WEBHOOK_SECRET`,
/// `signingKey`, `req.headers.authorization`.
const SECRET_NAMES: &[&str] = &["secret", "signing", "authorization", "signature"];

/// Modules that exist to verify webhooks: a file that imports one verifies with it.
const VERIFYING_MODULES: &[&str] = &[
    "svix",
    "standardwebhooks",
    "@octokit/webhooks",
    "@octokit/webhooks-methods",
    "@slack/events-api",
    "@shopify/shopify-api",
];

/// Words of a handler's name that make it an endpoint that manages webhook subscriptions
/// (`createWebhook`, `WebhooksController.update`), which a signed-in user calls, not a
/// receiver.
const MANAGING_WORDS: &[&str] = &[
    "create",
    "update",
    "delete",
    "destroy",
    "remove",
    "list",
    "get",
    "find",
    "retrieve",
    "patch",
    "edit",
    "add",
    "test",
    "rotate",
    "enable",
    "disable",
    "register",
    "subscribe",
    "unsubscribe",
    "toggle",
    "set",
    "save",
    "new",
    "index",
    "show",
    "partial",
    "upsert",
];

/// Members of a request that hold its body.
const BODY_MEMBERS: &[&str] = &["body", "rawBody", "data", "json", "form", "POST", "stream"];

/// Methods of a request that read its body.
const BODY_READERS: &[&str] = &[
    "json",
    "text",
    "arrayBuffer",
    "formData",
    "blob",
    "body",
    "form",
    "get_json",
    "get_data",
    "parseBody",
];

struct UnverifiedWebhook {
    verifiers: Vec<String>,
    auth_functions: Vec<String>,
    secret_names: Vec<String>,
    ignore_paths: GlobSet,
}

impl Rule for UnverifiedWebhook {
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
        if !is_webhook_receiver(&handler, node, context)
            || VERIFYING_MODULES
                .iter()
                .any(|module| context.semantic.imports().has_module(module))
        {
            return;
        }
        let Some(body) = body_read(node, context) else {
            return;
        };
        let verified = calls_around(&handler, node, context)
            .iter()
            .any(|callee| verifies(callee, &self.verifiers));
        // A webhook receiver is called by a provider, which cannot sign in: a handler that
        // checks who is signed in manages webhooks for a user.
        let texts = texts_around(&handler, node, context);
        let signed_in = texts
            .iter()
            .any(|text| mentions(text, &self.auth_functions));
        // A handler that reads the webhook's secret or the `Authorization` header compares
        // something with it, if by a helper of its own.
        let uses_a_secret = texts.iter().any(|text| mentions(text, &self.secret_names));
        if verified || signed_in || uses_a_secret {
            return;
        }
        let message = unverified_webhook_message(&handler.name, &compact(context.text(body)));
        context.report(body, message);
    }
}

/// Whether a handler receives webhooks: its file, route or name says `webhook` (or `hook`
/// as in `/hooks/github`), and its name is not that of an endpoint that manages them.
fn is_webhook_receiver(handler: &Handler, function: Node<'_>, context: &RuleContext<'_>) -> bool {
    let words = handler_words(handler, function, context);
    let says_webhook = words
        .iter()
        .any(|word| matches!(word.as_str(), "webhook" | "webhooks" | "hook" | "hooks"));
    let name = function
        .field("name")
        .map_or(handler.name.as_str(), |name| context.text(name));
    let manages = word_parts(name)
        .first()
        .is_some_and(|first| MANAGING_WORDS.contains(&first.as_str()));
    says_webhook && !manages
}

/// Whether a call verifies: one of `verifiers`, or any call whose name speaks of a signature
/// or an HMAC (`checkSignature`, `is_valid_hmac`).
fn verifies(callee: &str, verifiers: &[String]) -> bool {
    if mentions(callee, verifiers) {
        return true;
    }
    let last = callee.rsplit('.').next().unwrap_or(callee);
    word_parts(last).iter().any(|word| {
        matches!(
            word.as_str(),
            "signature" | "signatures" | "hmac" | "verify" | "verified" | "verification"
        )
    })
}

/// The handler's first read of the request body: `req.body`, `await request.json()`,
/// `request.data`, `request.get_json()`, a NestJS `@Body()` parameter.
fn body_read<'tree>(function: Node<'tree>, context: &RuleContext<'_>) -> Option<Node<'tree>> {
    let read = preorder(function).find(|node| match node.kind() {
        "member_expression" | "attribute" => {
            member_parts(*node).is_some_and(|(object, property)| {
                let property = context.text(property);
                let reads = BODY_MEMBERS.contains(&property)
                    || BODY_READERS.contains(&property)
                        && node
                            .parent()
                            .is_some_and(|call| matches!(call.kind(), "call_expression" | "call"));
                reads && is_request(context.text(object))
            })
        }
        "decorator" => {
            context.text(*node).starts_with("@Body(")
                || context.text(*node).starts_with("@RawBody(")
        }
        _ => false,
    })?;
    // A reader is shown with its call: `request.json()`, not `request.json`.
    Some(
        read.parent()
            .filter(|call| {
                matches!(call.kind(), "call_expression" | "call")
                    && call
                        .field("function")
                        .is_some_and(|callee| callee.id() == read.id())
            })
            .unwrap_or(read),
    )
}

/// Whether an expression is the request: `req`, `request`, `ctx.request`, `c.req`,
/// `this.request`.
fn is_request(text: &str) -> bool {
    let last = text.rsplit('.').next().unwrap_or(text);
    matches!(last, "req" | "request" | "rawRequest")
}
