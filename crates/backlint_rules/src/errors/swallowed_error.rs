//! swallowed-error: a `catch` or `except` that does nothing with the error, and
//! `.catch(() => {})`.

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{member_parts, Fields};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use super::{does_nothing, python_handler};
use crate::paths::{glob_set, test_paths_and};
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "swallowed-error",
    docs: include_str!("../../../../rules/swallowed-error.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Exceptions whose handler may do nothing: the expected outcome of an attempt
    /// (an optional import, a file that may be missing).
    allowed_exceptions: Vec<String>,
    /// Globs of files that are not checked: tests, and vendored, static and minified files,
    /// whose handlers belong to someone else.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            allowed_exceptions: Vec::new(),
            ignore_paths: test_paths_and(&["**/vendor/**", "**/public/**", "**/*.min.js"]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(SwallowedError {
        allowed_exceptions: options.allowed_exceptions,
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
    }))
}

fn swallowed_message(caught: &str) -> String {
    format!("`{caught}` does nothing with the error, so the failure disappears without a trace: handle it, log it, or let it propagate (a suppression comment records a deliberate decision).")
}

fn empty_catch_callback_message(call: &str) -> String {
    format!("`{call}` drops the rejection, so the failure disappears without a trace: handle it, log it, or let it propagate.")
}

struct SwallowedError {
    allowed_exceptions: Vec<String>,
    ignore_paths: GlobSet,
}

impl Rule for SwallowedError {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::Python => &["except_clause"],
            Language::TypeScript | Language::JavaScript => &["catch_clause", "call_expression"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    /// An `except` clause; a `catch` clause or `.catch(…)` call.
    fn required_words(&self, language: Language) -> Vec<String> {
        match language {
            Language::Python => vec!["except".to_owned()],
            Language::TypeScript | Language::JavaScript => vec!["catch".to_owned()],
        }
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        match node.kind() {
            "except_clause" => self.check_except(node, context),
            "catch_clause" => check_catch(node, context),
            _ => check_catch_callback(node, context),
        }
    }
}

impl SwallowedError {
    fn check_except(&self, except_clause: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(handler) = python_handler(except_clause) else {
            return;
        };
        if !does_nothing(handler.body) {
            return;
        }
        let allowed = !handler.types.is_empty()
            && handler.types.iter().all(|caught| {
                let text = context.text(*caught);
                let mut names = text
                    .trim_matches(['(', ')'])
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty());
                names.all(|name| {
                    self.allowed_exceptions
                        .iter()
                        .any(|allowed| allowed == name || name.ends_with(&format!(".{allowed}")))
                })
            });
        if allowed {
            return;
        }
        let header_end = handler.body.start_byte();
        let header = context
            .source
            .text()
            .get(except_clause.start_byte()..header_end)
            .unwrap_or("except");
        // The header up to its colon: a comment after it is not part of the clause.
        let header = header
            .split_once(':')
            .map_or(header, |(clause, _)| clause)
            .trim();
        let message = swallowed_message(&format!("{}:", compact(header)));
        let end = except_clause.start_byte() + "except".len();
        context.report_range(except_clause.start_byte()..end, message);
    }
}

/// `catch (error) {}` or a catch block holding only comments.
fn check_catch(catch_clause: Node<'_>, context: &mut RuleContext<'_>) {
    let Some(body) = catch_clause.field("body") else {
        return;
    };
    if !does_nothing(body) {
        return;
    }
    let header = context
        .source
        .text()
        .get(catch_clause.start_byte()..body.start_byte())
        .unwrap_or("catch")
        .trim();
    let message = swallowed_message(&format!("{} {{}}", compact(header)));
    let end = catch_clause.start_byte() + "catch".len();
    context.report_range(catch_clause.start_byte()..end, message);
}

/// `promise.catch(() => {})`, `.catch(() => undefined)`, `.catch(() => null)`,
/// `.catch(function () {})`.
fn check_catch_callback(call: Node<'_>, context: &mut RuleContext<'_>) {
    let (Some(callee), Some(arguments)) = (call.field("function"), call.field("arguments")) else {
        return;
    };
    let is_catch = member_parts(callee).is_some_and(|(_, method)| context.text(method) == "catch");
    if !is_catch || arguments.named_child_count() != 1 {
        return;
    }
    let Some(callback) = arguments.named_child(0) else {
        return;
    };
    if !matches!(callback.kind(), "arrow_function" | "function_expression") {
        return;
    }
    let Some(body) = callback.field("body") else {
        return;
    };
    let drops = match body.kind() {
        "statement_block" => does_nothing(body),
        "undefined" | "null" => true,
        _ => false,
    };
    if drops {
        let (_, method) = member_parts(callee).unwrap_or((callee, callee));
        let shown = format!(".catch({})", compact(context.text(callback)));
        context.report_range(
            method.start_byte()..call.end_byte(),
            empty_catch_callback_message(&shown),
        );
    }
}
