//! sensitive-data-logged: secrets and personal data passed to a logger, where everyone with
//! access to the logs (and every log pipeline) can read them.

use backlint_engine::names::word_parts;
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{preorder, Fields};
use backlint_engine::{Grammar, Language};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::names::means_sensitive;
use crate::paths::{glob_set, test_paths_and};
use crate::syntax::enclosing_function;
use crate::text::{compact, format_placeholders};

pub const SPEC: RuleSpec = RuleSpec {
    id: "sensitive-data-logged",
    docs: include_str!("../../../../rules/sensitive-data-logged.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files whose output is not a log: tests, and command-line tools and scripts,
    /// which print what they made (a minted token, a seeded password) for the person running
    /// them.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(&["**/{cli,commands,management,scripts,bin}/**"]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    Ok(Box::new(SensitiveDataLogged { ignore_paths }))
}

fn sensitive_data_logged_message(value: &str) -> String {
    format!(
        "`{value}` is written to the logs: log that it is present (or its length), or redact it."
    )
}

fn whole_request_logged_message(value: &str) -> String {
    format!("`{value}` is written to the logs whole, with any passwords, tokens and cookies in it: log the fields you need.")
}

/// Objects whose methods write logs: `console.log`, `logger.info`, `this.logger.warn`,
/// `logging.error`, `log.debug`.
const LOGGER_NAMES: &[&str] = &[
    "console", "logger", "log", "logging", "winston", "pino", "bunyan", "loglevel",
];

/// Methods that write a record, across `console`, Python's `logging`, pino, winston, bunyan,
/// loglevel and NestJS's `Logger`. Other methods of an object named like a logger (an audit
/// entry's `append`, `logger.child`) are not logging calls.
const LOGGING_METHODS: &[&str] = &[
    "log",
    "trace",
    "debug",
    "verbose",
    "silly",
    "http",
    "info",
    "notice",
    "warn",
    "warning",
    "error",
    "exception",
    "critical",
    "crit",
    "fatal",
    "alert",
    "emerg",
    "dir",
];

/// The methods of Python's `str` and `bytes` that a secret string is used with: evidence
/// that a name holds the string, not an object named after it.
const STRING_METHODS: &[&str] = &[
    "strip",
    "lstrip",
    "rstrip",
    "split",
    "rsplit",
    "splitlines",
    "partition",
    "rpartition",
    "lower",
    "upper",
    "casefold",
    "encode",
    "decode",
    "startswith",
    "endswith",
    "removeprefix",
    "removesuffix",
    "replace",
    "find",
    "index",
    "count",
    "format",
    "join",
    "hex",
];

/// The verbs of a call that fetches a secret by its name (`getSecret(name)`,
/// `fetch_password(key)`): what is passed to it is the key, not the secret.
const LOOKUP_VERBS: &[&str] = &[
    "get", "fetch", "read", "load", "lookup", "resolve", "retrieve", "find",
];
const LOOKED_UP_NOUNS: &[&str] = &[
    "secret",
    "secrets",
    "password",
    "passwords",
    "credential",
    "credentials",
];

/// Calls whose result does not carry their argument's value into the log.
const REDACTING_WORDS: &[&str] = &[
    "redact",
    "redacted",
    "mask",
    "masked",
    "sanitize",
    "sanitized",
    "hash",
    "obfuscate",
    "scrub",
    "censor",
    "anonymize",
    "truncate",
    "len",
    "length",
    "bool",
    "count",
    "type",
    "typeof",
];

/// Calls that pass their argument's value through to the log (`JSON.stringify(req.body)`).
const TRANSPARENT_CALLS: &[&str] = &[
    "JSON.stringify",
    "String",
    "inspect",
    "util.inspect",
    "str",
    "repr",
    "json.dumps",
    "dict",
    "format",
    "pformat",
];

struct SensitiveDataLogged {
    ignore_paths: GlobSet,
}

impl Rule for SensitiveDataLogged {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &["call_expression"],
            Language::Python => &["call"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(callee) = node.field("function") else {
            return;
        };
        if !is_logging_call(callee, context) {
            return;
        }
        let Some(arguments) = node.field("arguments") else {
            return;
        };
        let Some((value, whole_request)) = first_sensitive_value(arguments, context) else {
            return;
        };
        let shown = compact(context.text(value));
        let message = if whole_request {
            whole_request_logged_message(&shown)
        } else {
            sensitive_data_logged_message(&shown)
        };
        context.report(value, message);
    }
}

/// `console.log`, `logger.info`, `this.logger.warn`, `self.log.error`, `logging.error`, `print`.
fn is_logging_call(callee: Node<'_>, context: &RuleContext<'_>) -> bool {
    match callee.kind() {
        "identifier" => context.text(callee) == "print",
        "member_expression" | "attribute" => {
            let (Some(object), Some(method)) = (
                callee.field("object"),
                callee
                    .field("property")
                    .or_else(|| callee.field("attribute")),
            ) else {
                return false;
            };
            if !LOGGING_METHODS.contains(&context.text(method)) {
                return false;
            }
            let object_name = match object.kind() {
                "identifier" => context.text(object),
                "member_expression" | "attribute" => object
                    .field("property")
                    .or_else(|| object.field("attribute"))
                    .map_or("", |property| context.text(property)),
                _ => return false,
            };
            LOGGER_NAMES
                .iter()
                .any(|logger| ends_with_word(object_name, logger))
        }
        _ => false,
    }
}

/// Whether a name's last word is `word` (`logger`, `appLogger`, `request_log`, `LOG`), without
/// splitting the name: this runs on every method call of a file.
fn ends_with_word(name: &str, word: &str) -> bool {
    let Some(start) = name.len().checked_sub(word.len()) else {
        return false;
    };
    if !name.is_char_boundary(start) || !name[start..].eq_ignore_ascii_case(word) {
        return false;
    }
    start == 0
        || name[start..].starts_with(|first: char| first.is_ascii_uppercase())
        || name[..start].ends_with(['_', '-', '$'])
}

/// The first value in a logging call's arguments that is sensitive, and whether it is a whole
/// request (`req.body`, `request.headers`). String literals that only mention a word are not
/// values; neither are lengths, booleans and redacted forms.
fn first_sensitive_value<'tree>(
    arguments: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, bool)> {
    let mut pending = vec![arguments];
    while let Some(node) = pending.pop() {
        match node.kind() {
            "identifier" | "shorthand_property_identifier" => {
                if means_sensitive(context.text(node)) && !holds_something_else(node, context) {
                    return Some((node, false));
                }
            }
            "member_expression" | "attribute" | "subscript_expression" | "subscript" => {
                if is_whole_request_part(node, context) {
                    return Some((node, true));
                }
                if let Some(name) = accessed_name(node, context) {
                    if means_sensitive(&name)
                        && !holds_something_else(node, context)
                        && !identifies_its_owner(node, arguments, context)
                    {
                        return Some((node, false));
                    }
                }
            }
            "call_expression" | "call" => {
                let callee = node
                    .field("function")
                    .map_or("", |callee| context.text(callee));
                if TRANSPARENT_CALLS.contains(&callee) {
                    pending.extend(node.field("arguments"));
                }
            }
            "pair" => pending.extend(node.field("value")),
            "keyword_argument" => pending.extend(node.field("value")),
            "unary_expression"
            | "not_operator"
            | "typeof_expression"
            | "binary_expression"
            | "comparison_operator"
            | "boolean_operator"
            | "ternary_expression"
            | "conditional_expression" => {
                // `!!token`, `typeof token`, `token === undefined`, `token ? "set" : "unset"`:
                // facts about the value, not the value.
            }
            _ => {
                let mut cursor = node.walk();
                let children: Vec<Node<'tree>> = node.named_children(&mut cursor).collect();
                pending.extend(children.into_iter().rev());
            }
        }
    }
    None
}

/// Whether the function around a value named like a secret shows that it holds something
/// else: the key a secret is fetched by (`getSecret(secretKey)`), or, in Python, an object
/// (`token.revoke()`, `db.session.delete(token)`) whose log form is its `__repr__`, not the
/// secret string.
/// Read once per function and name: a function that logs the same value many times would
/// otherwise be walked whole for each of its log calls.
fn holds_something_else(value: Node<'_>, context: &RuleContext<'_>) -> bool {
    let text = context.text(value);
    let function = enclosing_function(value);
    context.memo((function.id(), text.to_owned()), || {
        holds_something_else_in(function, text, context)
    })
}

fn holds_something_else_in(function: Node<'_>, text: &str, context: &RuleContext<'_>) -> bool {
    let is_python = matches!(context.grammar, Grammar::Python);
    preorder(function).any(|node| match node.kind() {
        "call_expression" | "call" => {
            is_secret_lookup_with(node, text, context)
                || is_python && is_session_call_with(node, text, context)
        }
        "attribute" if is_python => {
            let (Some(object), Some(attribute)) = (node.field("object"), node.field("attribute"))
            else {
                return false;
            };
            context.text(object) == text && !STRING_METHODS.contains(&context.text(attribute))
        }
        _ => false,
    })
}

/// Whether the message names a member by its owner: `"for checkout %s", checkout.token`,
/// `` `transaction ${transaction.token}` ``. The value is then the owner's public identifier
/// (many schemas call a UUID key `token`), not a credential.
fn identifies_its_owner(value: Node<'_>, arguments: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(owner) = value.field("object") else {
        return false;
    };
    let owner_text = context.text(owner);
    let owner_words = word_parts(owner_text.rsplit('.').next().unwrap_or(owner_text));
    let Some(text_before) = message_before(value, arguments, context) else {
        return false;
    };
    let label = text_before
        .trim_end_matches(|character: char| {
            character.is_whitespace() || "#:='\"".contains(character)
        })
        .rsplit(|character: char| !character.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_lowercase();
    !label.is_empty() && owner_words.contains(&label)
}

/// The message text just before where a logged value goes: the text before its `${…}`/`{…}`
/// part, or before its `%s` placeholder in the message that the other arguments fill.
fn message_before<'source>(
    value: Node<'_>,
    arguments: Node<'_>,
    context: &RuleContext<'source>,
) -> Option<&'source str> {
    let source = context.source.text();
    let parent = value.parent()?;
    if matches!(parent.kind(), "template_substitution" | "interpolation") {
        let string = parent.parent()?;
        return Some(&source[string.start_byte()..parent.start_byte()]);
    }
    if parent.id() != arguments.id() {
        return None;
    }
    let mut cursor = arguments.walk();
    let positional: Vec<Node<'_>> = arguments
        .named_children(&mut cursor)
        .filter(|argument| !matches!(argument.kind(), "comment" | "keyword_argument"))
        .collect();
    let message = positional
        .first()
        .filter(|first| matches!(first.kind(), "string" | "concatenated_string"))?;
    let index = positional
        .iter()
        .position(|argument| argument.id() == value.id())?
        .checked_sub(1)?;
    let message_text = &source[message.byte_range()];
    let (placeholder, _) = format_placeholders(message_text)
        .into_iter()
        .filter(|(range, _)| message_text[range.clone()].starts_with('%'))
        .nth(index)?;
    Some(&message_text[..placeholder.start])
}

/// `getSecret(schema, key)` with `key` among the arguments.
fn is_secret_lookup_with(call: Node<'_>, argument: &str, context: &RuleContext<'_>) -> bool {
    let Some(callee) = call.field("function") else {
        return false;
    };
    let name = match callee.kind() {
        "member_expression" => callee.field("property"),
        "attribute" => callee.field("attribute"),
        _ => Some(callee),
    };
    let parts = name.map_or_else(Vec::new, |name| word_parts(context.text(name)));
    let is_lookup = parts
        .first()
        .is_some_and(|verb| LOOKUP_VERBS.contains(&verb.as_str()))
        && parts
            .last()
            .is_some_and(|noun| LOOKED_UP_NOUNS.contains(&noun.as_str()));
    is_lookup && has_argument(call, argument, context)
}

/// `db.session.delete(token)`, `session.add(token)`: an ORM instance.
fn is_session_call_with(call: Node<'_>, argument: &str, context: &RuleContext<'_>) -> bool {
    let Some(callee) = call.field("function") else {
        return false;
    };
    let (Some(object), Some(method)) = (callee.field("object"), callee.field("attribute")) else {
        return false;
    };
    context.text(object).ends_with("session")
        && matches!(
            context.text(method),
            "add" | "delete" | "merge" | "refresh" | "expunge"
        )
        && has_argument(call, argument, context)
}

fn has_argument(call: Node<'_>, argument: &str, context: &RuleContext<'_>) -> bool {
    let Some(arguments) = call.field("arguments") else {
        return false;
    };
    let mut cursor = arguments.walk();
    let found = arguments
        .named_children(&mut cursor)
        .any(|node| context.text(node) == argument);
    found
}

/// The name a member or subscript access reads: `user.password` → `password`,
/// `headers["authorization"]` → `authorization`. `None` for accesses of a length or size, or
/// through a redacting method.
fn accessed_name(node: Node<'_>, context: &RuleContext<'_>) -> Option<String> {
    let property = match node.kind() {
        "member_expression" => node.field("property")?,
        "attribute" => node.field("attribute")?,
        "subscript_expression" => node.field("index")?,
        _ => node.field("subscript")?,
    };
    let name = context
        .text(property)
        .trim_matches(['"', '\'', '`'])
        .to_owned();
    let is_redacting = word_parts(&name)
        .iter()
        .any(|word| REDACTING_WORDS.contains(&word.as_str()));
    (!is_redacting).then_some(name)
}

/// `req.body`, `req.headers`, `request.headers`, `ctx.request.body` as a whole.
fn is_whole_request_part(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    let (Some(object), Some(property)) = (
        node.field("object"),
        node.field("property").or_else(|| node.field("attribute")),
    ) else {
        return false;
    };
    let object_name = context.text(object);
    let object_last = object_name.rsplit('.').next().unwrap_or(object_name);
    matches!(object_last, "req" | "request") && matches!(context.text(property), "body" | "headers")
}

#[cfg(test)]
mod tests {
    use super::ends_with_word;

    #[test]
    fn logger_names_end_with_a_logger_word() {
        for name in [
            "logger",
            "appLogger",
            "request_log",
            "LOGGER",
            "consoleLog",
            "console",
        ] {
            assert!(
                ["logger", "log", "console"]
                    .iter()
                    .any(|word| ends_with_word(name, word)),
                "{name}"
            );
        }
        for name in ["catalog", "dialog", "blog", "loggers_config", ""] {
            assert!(
                !["logger", "log", "console"]
                    .iter()
                    .any(|word| ends_with_word(name, word)),
                "{name}"
            );
        }
    }
}
