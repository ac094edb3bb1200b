//! missing-request-timeout: HTTP calls that wait for ever when the server stops answering
//! (`requests.get(url)` without `timeout=`, `timeout=None`, `urlopen(url)`).

use backlint_engine::diagnostic::{Applicability, FindingFix};
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::Fields;
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::syntax::qualified_name;

pub const SPEC: RuleSpec = RuleSpec {
    id: "missing-request-timeout",
    docs: include_str!("../../../../rules/missing-request-timeout.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// The timeout, in seconds, that the fix writes.
    fix_timeout: u32,
    /// Also check TypeScript and JavaScript: `fetch` without a `signal`, axios without a
    /// `timeout`.
    typescript: bool,
    /// Globs of files that are not checked: tests, whose servers are local fakes.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            fix_timeout: 10,
            typescript: false,
            ignore_paths: test_paths_and(&[]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(MissingRequestTimeout {
        fix_timeout: options.fix_timeout,
        typescript: options.typescript,
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
    }))
}

fn no_timeout_message(call: &str) -> String {
    format!("`{call}(…)` has no timeout, so a server that stops answering holds this call, and the worker running it, for ever: pass `timeout=` in seconds.")
}

fn none_timeout_message(call: &str) -> String {
    format!("`timeout=None` turns off the timeout of `{call}(…)`, so a server that stops answering holds this call for ever: pass a number of seconds.")
}

fn fetch_message() -> String {
    "`fetch(…)` has no `signal`, so a server that stops answering holds this request for ever: pass `signal: AbortSignal.timeout(ms)`.".to_owned()
}

fn axios_message(call: &str) -> String {
    format!("`{call}(…)` has no `timeout`, and axios waits for ever by default: pass `timeout` in milliseconds (or set it on the instance).")
}

/// requests' functions, which wait for ever without `timeout=` (the same set as Ruff's S113).
const REQUESTS_FUNCTIONS: &[&str] = &[
    "get", "options", "head", "post", "put", "patch", "delete", "request",
];

/// httpx's functions and clients, which time out after 5 seconds unless given `timeout=None`.
const HTTPX_FUNCTIONS: &[&str] = &[
    "get",
    "options",
    "head",
    "post",
    "put",
    "patch",
    "delete",
    "request",
    "stream",
    "Client",
    "AsyncClient",
];

/// axios' methods, and the position of their config argument.
const AXIOS_METHODS: &[(&str, usize)] = &[
    ("get", 1),
    ("delete", 1),
    ("head", 1),
    ("options", 1),
    ("post", 2),
    ("put", 2),
    ("patch", 2),
    ("request", 0),
    ("create", 0),
];

struct MissingRequestTimeout {
    fix_timeout: u32,
    typescript: bool,
    ignore_paths: GlobSet,
}

/// What a call's timeout argument needs.
enum Timeout {
    /// Required: the call waits for ever without one.
    Required,
    /// The call has a default; only `None` turns it off.
    NotNone,
}

impl Rule for MissingRequestTimeout {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::Python => &["call"],
            Language::TypeScript | Language::JavaScript if self.typescript => &["call_expression"],
            Language::TypeScript | Language::JavaScript => &[],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        match node.kind() {
            "call" => self.check_python_call(node, context),
            _ => check_js_call(node, context),
        }
    }
}

impl MissingRequestTimeout {
    fn check_python_call(&self, call: Node<'_>, context: &mut RuleContext<'_>) {
        let (Some(callee), Some(arguments)) = (call.field("function"), call.field("arguments"))
        else {
            return;
        };
        let Some(name) = qualified_name(callee, context) else {
            return;
        };
        let Some((module, function)) = name.rsplit_once('.') else {
            return;
        };
        let mut cursor = arguments.walk();
        let all: Vec<Node<'_>> = arguments
            .named_children(&mut cursor)
            .filter(|argument| argument.kind() != "comment")
            .collect();
        let positional = all
            .iter()
            .filter(|argument| {
                !matches!(
                    argument.kind(),
                    "keyword_argument" | "dictionary_splat" | "list_splat"
                )
            })
            .count();
        let needed = match (module, function) {
            ("requests", function) if REQUESTS_FUNCTIONS.contains(&function) => Timeout::Required,
            ("httpx", function) if HTTPX_FUNCTIONS.contains(&function) => Timeout::NotNone,
            // `urlopen(url, data, timeout)` also takes it third.
            ("urllib.request", "urlopen") if positional < 3 => Timeout::Required,
            ("aiohttp", "ClientSession") => Timeout::NotNone,
            _ => return,
        };
        let timeout = all.iter().find_map(|argument| {
            (argument.kind() == "keyword_argument"
                && argument
                    .field("name")
                    .is_some_and(|keyword| context.text(keyword) == "timeout"))
            .then(|| argument.field("value"))
            .flatten()
        });
        let shown = context.text(callee).to_owned();
        match (timeout, needed) {
            (Some(value), _) if value.kind() == "none" => {
                let finding = context.report(value, none_timeout_message(&shown));
                if module != "aiohttp" {
                    finding.fix = Some(FindingFix {
                        applicability: Applicability::Safe,
                        message: format!("Time out after {} seconds", self.fix_timeout),
                        edits: vec![(value.byte_range(), self.fix_timeout.to_string())],
                    });
                }
            }
            (None, Timeout::Required) => {
                // With `**options` the fix could pass `timeout` twice.
                let spreads = all
                    .iter()
                    .any(|argument| argument.kind() == "dictionary_splat");
                let fix = (!spreads)
                    .then(|| self.timeout_insertion(arguments, &all, context))
                    .flatten();
                let finding = context.report(callee, no_timeout_message(&shown));
                finding.fix = fix;
            }
            _ => {}
        }
    }

    /// The edit that adds `timeout=N` as the last argument, on its own line when the
    /// arguments are one per line.
    fn timeout_insertion(
        &self,
        arguments: Node<'_>,
        all: &[Node<'_>],
        context: &RuleContext<'_>,
    ) -> Option<FindingFix> {
        let keyword = format!("timeout={}", self.fix_timeout);
        let edit = match all.last() {
            None => {
                let at = arguments.start_byte() + 1;
                (at..at, keyword.clone())
            }
            Some(last) if last.start_position().row > arguments.start_position().row => {
                let source = context.source.text();
                let line_start = source.get(..last.start_byte())?.rfind('\n')? + 1;
                let indent = source.get(line_start..last.start_byte())?;
                let newline = if source.get(..line_start)?.ends_with("\r\n") {
                    "\r\n"
                } else {
                    "\n"
                };
                let after_last = source.get(last.end_byte()..arguments.end_byte())?;
                if after_last.trim_start().starts_with(',') {
                    let comma = last.end_byte() + after_last.find(',')? + 1;
                    (comma..comma, format!("{newline}{indent}{keyword},"))
                } else {
                    let end = last.end_byte();
                    (end..end, format!(",{newline}{indent}{keyword}"))
                }
            }
            Some(last) => {
                let end = last.end_byte();
                (end..end, format!(", {keyword}"))
            }
        };
        Some(FindingFix {
            applicability: Applicability::Safe,
            message: format!("Add `{keyword}`"),
            edits: vec![edit],
        })
    }
}

/// `fetch(url)` without a `signal`, and axios calls without a `timeout` (opt-in).
fn check_js_call(call: Node<'_>, context: &mut RuleContext<'_>) {
    let (Some(callee), Some(arguments)) = (call.field("function"), call.field("arguments")) else {
        return;
    };
    let mut cursor = arguments.walk();
    let all: Vec<Node<'_>> = arguments
        .named_children(&mut cursor)
        .filter(|argument| argument.kind() != "comment")
        .collect();
    let text = context.source.text();
    // Client components run in the browser, where the user can give up on a request.
    if text.contains("\"use client\"") || text.contains("'use client'") {
        return;
    }
    let is_global_fetch =
        context.text(callee) == "fetch" && context.semantic.imports().resolve("fetch").is_none();
    let is_imported_fetch = qualified_name(callee, context)
        .is_some_and(|name| name == "node-fetch" || name == "undici.fetch");
    if is_global_fetch || is_imported_fetch {
        if lacks_option(all.get(1).copied(), "signal", context) {
            context.report(call, fetch_message());
        }
        return;
    }
    let Some(name) = qualified_name(callee, context) else {
        return;
    };
    let config = match name.as_str() {
        // `axios(config)` or `axios(url, config)`
        "axios" => match all.first() {
            Some(first) if first.kind() == "object" => Some(*first),
            _ => all.get(1).copied(),
        },
        _ => {
            let Some(method) = name.strip_prefix("axios.") else {
                return;
            };
            let Some((_, position)) = AXIOS_METHODS.iter().find(|(known, _)| *known == method)
            else {
                return;
            };
            all.get(*position).copied()
        }
    };
    if text.contains("defaults.timeout") {
        return;
    }
    if lacks_option(config, "timeout", context) {
        context.report(call, axios_message(context.text(callee)));
    }
}

/// Whether an options argument certainly lacks `key`: it is absent, or an object literal
/// without the key or a spread. Options held in a variable are not read.
fn lacks_option(options: Option<Node<'_>>, key: &str, context: &RuleContext<'_>) -> bool {
    let Some(options) = options else {
        return true;
    };
    if options.kind() != "object" {
        return false;
    }
    let mut cursor = options.walk();
    let has = options.named_children(&mut cursor).any(|property| {
        property.kind() == "spread_element"
            || property
                .field("key")
                .is_some_and(|name| context.text(name) == key)
            || property.kind() == "shorthand_property_identifier" && context.text(property) == key
    });
    !has
}
