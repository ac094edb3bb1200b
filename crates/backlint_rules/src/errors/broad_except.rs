//! broad-except: `except Exception` that neither re-raises, logs the exception, nor answers
//! with an error, so unexpected failures are hidden together with the expected one.

use backlint_engine::rule::{parse_options, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::member_parts;
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use super::{does_nothing, python_handler};
use crate::paths::{glob_set, test_paths_and};
use crate::syntax::is_function;

pub const SPEC: RuleSpec = RuleSpec {
    id: "broad-except",
    docs: include_str!("../../../../rules/broad-except.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files that are not checked: tests.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(&[]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(BroadExcept {
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
    }))
}

fn broad_except_message(caught: &str) -> String {
    format!("`except {caught}` catches every error, and this handler neither re-raises, logs the exception, nor answers with an error: catch the exceptions you expect, or log it with `logger.exception(…)`.")
}

/// The logging calls that record the exception by themselves.
const RECORDING_METHODS: &[&str] = &["exception", "capture_exception", "captureException"];

/// The methods of a logger.
const LOGGING_METHODS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "critical",
    "exception",
    "log",
    "fatal",
];

struct BroadExcept {
    ignore_paths: GlobSet,
}

impl Rule for BroadExcept {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::Python => &["except_clause"],
            Language::TypeScript | Language::JavaScript => &[],
        }
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        if self.ignore_paths.is_match(&context.source.path) {
            return;
        }
        let Some(handler) = python_handler(node) else {
            return;
        };
        let Some(broad) = handler
            .types
            .iter()
            .find_map(|caught| broad_name(*caught, context))
        else {
            return;
        };
        // A handler that does nothing is swallowed-error's finding.
        if does_nothing(handler.body) {
            return;
        }
        let bound = handler.bound.map(|name| context.text(name));
        if handles(handler.body, bound, context) {
            return;
        }
        let end = node.start_byte() + "except".len();
        context.report_range(node.start_byte()..end, broad_except_message(broad));
    }
}

/// `Exception` or `BaseException`, alone or in a tuple (`(ValueError, Exception)`).
fn broad_name<'context>(
    caught: Node<'_>,
    context: &'context RuleContext<'_>,
) -> Option<&'context str> {
    let text = context.text(caught);
    text.trim_matches(['(', ')'])
        .split(',')
        .map(str::trim)
        .find(|name| {
            matches!(
                *name,
                "Exception" | "BaseException" | "builtins.Exception" | "builtins.BaseException"
            )
        })
}

/// Whether the handler's body re-raises, records the exception, or answers with an error.
fn handles(body: Node<'_>, bound: Option<&str>, context: &RuleContext<'_>) -> bool {
    let mut pending = vec![body];
    while let Some(node) = pending.pop() {
        let handled = match node.kind() {
            "raise_statement" => true,
            "call" => records_exception(node, bound, context),
            "return_statement" => answers_with_error(node, context),
            _ => false,
        };
        if handled {
            return true;
        }
        let mut cursor = node.walk();
        pending.extend(
            node.named_children(&mut cursor)
                .filter(|child| !is_function(*child)),
        );
    }
    false
}

/// `logger.exception(…)`, `capture_exception(e)`, a logging call with `exc_info=`, or a
/// logging call given the exception (`logger.error("failed: %s", error)`).
fn records_exception(call: Node<'_>, bound: Option<&str>, context: &RuleContext<'_>) -> bool {
    let (Some(callee), Some(arguments)) = (
        call.child_by_field_name("function"),
        call.child_by_field_name("arguments"),
    ) else {
        return false;
    };
    let method = match member_parts(callee) {
        Some((_, method)) => context.text(method),
        None => context.text(callee),
    };
    if RECORDING_METHODS.contains(&method) {
        return true;
    }
    if !LOGGING_METHODS.contains(&method) && method != "print" {
        return false;
    }
    let mut cursor = arguments.walk();
    let passes_exception = arguments.named_children(&mut cursor).any(|argument| {
        let is_exc_info = argument.kind() == "keyword_argument"
            && argument
                .child_by_field_name("name")
                .is_some_and(|name| context.text(name) == "exc_info");
        is_exc_info || bound.is_some_and(|bound| mentions(argument, bound, context))
    });
    passes_exception
}

/// Whether an expression uses the variable `name`.
fn mentions(expression: Node<'_>, name: &str, context: &RuleContext<'_>) -> bool {
    let mut pending = vec![expression];
    while let Some(node) = pending.pop() {
        if node.kind() == "identifier" && context.text(node) == name {
            return true;
        }
        let mut cursor = node.walk();
        pending.extend(node.named_children(&mut cursor));
    }
    false
}

/// `return Response(…, status=500)`, `return JsonResponse(…)`, `return jsonify(…), 500`,
/// `return HttpResponseServerError()`: the caller learns that it failed.
fn answers_with_error(statement: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(value) = statement.named_child(0) else {
        return false;
    };
    let text = context.text(value);
    let is_response =
        text.contains("Response") || text.contains("jsonify") || text.contains("abort(");
    let has_error_status = text.contains("status")
        || text.contains("Error")
        || text.contains("error")
        || value.kind() == "expression_list";
    is_response && has_error_status
}
