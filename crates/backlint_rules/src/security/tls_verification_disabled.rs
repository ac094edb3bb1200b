//! tls-verification-disabled: TLS certificate checks turned off (`verify=False`,
//! `rejectUnauthorized: false`…), so anyone on the network path can read and change the traffic.

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{member_parts, Fields};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::syntax::qualified_name;
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "tls-verification-disabled",
    docs: include_str!("../../../../rules/tls-verification-disabled.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files that talk to servers nobody else can sit between: tests, whose local
    /// servers and fakes have self-signed certificates.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(&["**/*-test-utils/**"]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    Ok(Box::new(TlsVerificationDisabled { ignore_paths }))
}

fn verify_false_message(call: &str) -> String {
    format!("`verify=False` turns off TLS certificate checks in `{call}`: remove it, or pass `verify=` the CA bundle that signs the server's certificate.")
}

fn unverified_context_message(name: &str) -> String {
    format!("`{name}` makes a TLS context that accepts any certificate: use `ssl.create_default_context()` (with `cafile=` for a private CA).")
}

fn option_false_message(option: &str) -> String {
    format!("`{option}: false` accepts any TLS certificate, so anyone on the network path can read and change the traffic: remove it, or pass the server's CA in `ca`.")
}

fn reject_unauthorized_env_message() -> String {
    "`NODE_TLS_REJECT_UNAUTHORIZED = \"0\"` turns off TLS certificate checks for every connection the process makes: remove it, and trust a private CA with `NODE_EXTRA_CA_CERTS` instead.".to_owned()
}

/// Options of Node's `tls`/`https`, pg, mysql2, axios agents (`rejectUnauthorized`) and the
/// `request` family (`strictSSL`) whose `false` accepts any certificate.
const JS_OPTIONS: &[&str] = &["rejectUnauthorized", "strictSSL"];

/// The Python HTTP libraries whose `verify=False` turns the checks off.
const PYTHON_HTTP_MODULES: &[&str] = &["requests", "httpx"];

/// The methods of a requests `Session` or an httpx `Client` that take `verify=`.
const PYTHON_CLIENT_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream",
];

struct TlsVerificationDisabled {
    ignore_paths: GlobSet,
}

impl Rule for TlsVerificationDisabled {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &["pair", "assignment_expression"],
            Language::Python => &["keyword_argument", "attribute", "call", "assignment"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some((reported, message)) = finding(node, context) else {
            return;
        };
        context.report(reported, message);
    }
}

fn finding<'tree>(node: Node<'tree>, context: &RuleContext<'_>) -> Option<(Node<'tree>, String)> {
    match node.kind() {
        // `{ rejectUnauthorized: false }`, `{ strictSSL: false }`
        "pair" => {
            let key = node.field("key")?;
            let option = context.text(key).trim_matches(['"', '\'']);
            let value = node.field("value")?;
            (JS_OPTIONS.contains(&option) && value.kind() == "false")
                .then(|| (node, option_false_message(option)))
        }
        "assignment_expression" => js_assignment(node, context),
        "keyword_argument" => {
            let name = node.field("name")?;
            let value = node.field("value")?;
            if context.text(name) != "verify" || value.kind() != "false" {
                return None;
            }
            let call = node.parent()?.parent()?;
            let callee = call.field("function")?;
            is_python_http_call(callee, context)
                .then(|| (node, verify_false_message(&compact(context.text(callee)))))
        }
        // `ssl._create_unverified_context`, called or installed as the default
        "attribute" => {
            let (_, attribute) = member_parts(node)?;
            (context.text(attribute) == "_create_unverified_context"
                && qualified_name(node, context).as_deref()
                    == Some("ssl._create_unverified_context"))
            .then(|| (node, unverified_context_message(context.text(node))))
        }
        // `_create_unverified_context()` imported from `ssl`
        "call" => {
            let callee = node.field("function")?;
            (callee.kind() == "identifier"
                && qualified_name(callee, context).as_deref()
                    == Some("ssl._create_unverified_context"))
            .then(|| (callee, unverified_context_message(context.text(callee))))
        }
        // `session.verify = False`
        "assignment" => {
            let target = node.field("left")?;
            let value = node.field("right")?;
            let (_, attribute) = member_parts(target)?;
            (context.text(attribute) == "verify"
                && value.kind() == "false"
                && imports_http_library(context))
            .then(|| {
                let shown = compact(context.text(target));
                (node, verify_false_message(&shown))
            })
        }
        _ => None,
    }
}

/// `agent.options.rejectUnauthorized = false`, `process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"`.
fn js_assignment<'tree>(
    node: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, String)> {
    let target = node.field("left")?;
    let value = node.field("right")?;
    let property = match target.kind() {
        "member_expression" => context.text(target.field("property")?),
        "subscript_expression" => context
            .text(target.field("index")?)
            .trim_matches(['"', '\'', '`']),
        _ => return None,
    };
    if property == "NODE_TLS_REJECT_UNAUTHORIZED" {
        let object = target.field("object")?;
        let zero = matches!(context.text(value), "\"0\"" | "'0'" | "`0`" | "0");
        return (context.text(object) == "process.env" && zero)
            .then(|| (node, reject_unauthorized_env_message()));
    }
    (JS_OPTIONS.contains(&property) && value.kind() == "false")
        .then(|| (node, option_false_message(property)))
}

/// `requests.get`, `httpx.Client`, `httpx.AsyncClient`, or a request method of some other
/// object (`session.get`, `self.client.post`) in a file that imports requests or httpx.
fn is_python_http_call(callee: Node<'_>, context: &RuleContext<'_>) -> bool {
    let from_http_module = qualified_name(callee, context)
        .is_some_and(|name| PYTHON_HTTP_MODULES.contains(&name.split('.').next().unwrap_or(&name)));
    from_http_module
        || member_parts(callee).is_some_and(|(_, method)| {
            PYTHON_CLIENT_METHODS.contains(&context.text(method)) && imports_http_library(context)
        })
}

fn imports_http_library(context: &RuleContext<'_>) -> bool {
    let imports = context.semantic.imports();
    PYTHON_HTTP_MODULES
        .iter()
        .any(|module| imports.has_module(module))
}
