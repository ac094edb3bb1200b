//! sensitive-data-logged: secrets and personal data passed to a logger, where everyone with
//! access to the logs (and every log pipeline) can read them.

use backlint_engine::rule::{parse_options, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::names::{means_sensitive, word_parts};
use crate::paths::{glob_set, test_paths_and};
use crate::text::compact;

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

/// Logger methods that do not write a record.
const NOT_LOGGING_METHODS: &[&str] = &[
    "child",
    "bind",
    "setLevel",
    "level",
    "isEnabledFor",
    "getLogger",
    "time",
    "timeEnd",
    "table",
    "group",
    "groupEnd",
    "count",
    "assert",
    "basicConfig",
    "disable",
    "addHandler",
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

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(callee) = node.child_by_field_name("function") else {
            return;
        };
        if !is_logging_call(callee, context) {
            return;
        }
        let Some(arguments) = node.child_by_field_name("arguments") else {
            return;
        };
        let Some((value, whole_request)) = first_sensitive_value(arguments, context) else {
            return;
        };
        if !self.ignore_paths.is_match(&context.source.path) {
            let shown = compact(context.text(value));
            let message = if whole_request {
                whole_request_logged_message(&shown)
            } else {
                sensitive_data_logged_message(&shown)
            };
            context.report(value, message);
        }
    }
}

/// `console.log`, `logger.info`, `this.logger.warn`, `self.log.error`, `logging.error`, `print`.
fn is_logging_call(callee: Node<'_>, context: &RuleContext<'_>) -> bool {
    match callee.kind() {
        "identifier" => context.text(callee) == "print",
        "member_expression" | "attribute" => {
            let (Some(object), Some(method)) = (
                callee.child_by_field_name("object"),
                callee
                    .child_by_field_name("property")
                    .or_else(|| callee.child_by_field_name("attribute")),
            ) else {
                return false;
            };
            if NOT_LOGGING_METHODS.contains(&context.text(method)) {
                return false;
            }
            let object_name = match object.kind() {
                "identifier" => context.text(object),
                "member_expression" | "attribute" => object
                    .child_by_field_name("property")
                    .or_else(|| object.child_by_field_name("attribute"))
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
                if means_sensitive(context.text(node)) {
                    return Some((node, false));
                }
            }
            "member_expression" | "attribute" | "subscript_expression" | "subscript" => {
                if is_whole_request_part(node, context) {
                    return Some((node, true));
                }
                if let Some(name) = accessed_name(node, context) {
                    if means_sensitive(&name) {
                        return Some((node, false));
                    }
                }
            }
            "call_expression" | "call" => {
                let callee = node
                    .child_by_field_name("function")
                    .map_or("", |callee| context.text(callee));
                if TRANSPARENT_CALLS.contains(&callee) {
                    pending.extend(node.child_by_field_name("arguments"));
                }
            }
            "pair" => pending.extend(node.child_by_field_name("value")),
            "keyword_argument" => pending.extend(node.child_by_field_name("value")),
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

/// The name a member or subscript access reads: `user.password` → `password`,
/// `headers["authorization"]` → `authorization`. `None` for accesses of a length or size, or
/// through a redacting method.
fn accessed_name(node: Node<'_>, context: &RuleContext<'_>) -> Option<String> {
    let property = match node.kind() {
        "member_expression" => node.child_by_field_name("property")?,
        "attribute" => node.child_by_field_name("attribute")?,
        "subscript_expression" => node.child_by_field_name("index")?,
        _ => node.child_by_field_name("subscript")?,
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
        node.child_by_field_name("object"),
        node.child_by_field_name("property")
            .or_else(|| node.child_by_field_name("attribute")),
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
