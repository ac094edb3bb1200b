//! broad-except: `except Exception` that neither re-raises, logs the exception, nor answers
//! with an error, so unexpected failures are hidden together with the expected one.

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{member_parts, Fields};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use super::{does_nothing, python_handler};
use crate::paths::{glob_set, test_paths_and, TOOLING_PATHS};
use crate::syntax::{enclosing_function, is_function};

pub const SPEC: RuleSpec = RuleSpec {
    id: "broad-except",
    docs: include_str!("../../../../rules/broad-except.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files that are not checked: tests, developer tooling (scripts, management
    /// commands, CLIs, migrations), and Django template tag modules, which must fail silently.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(&[TOOLING_PATHS, &["**/templatetags/**"]].concat()),
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

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    /// An `except` clause.
    fn required_words(&self, _language: Language) -> Vec<String> {
        ["except"].map(str::to_owned).to_vec()
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
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
        if explains(node, context)
            || handles(handler.body, bound, context)
            || must_not_raise(node, context)
        {
            return;
        }
        let end = node.start_byte() + "except".len();
        context.report_range(node.start_byte()..end, broad_except_message(broad));
    }
}

/// Whether the handler is in a function whose contract is to never raise: a logging handler's
/// `emit`, which reports its own failures through `handleError`, and a Django template filter
/// or tag (`@register.filter`, `@register.simple_tag`, `@stringfilter`), which must fail
/// silently.
fn must_not_raise(clause: Node<'_>, context: &RuleContext<'_>) -> bool {
    let function = enclosing_function(clause);
    if function.kind() != "function_definition" {
        return false;
    }
    let name = function.field("name").map(|name| context.text(name));
    if name == Some("emit") {
        return true;
    }
    let Some(decorated) = function
        .parent()
        .filter(|parent| parent.kind() == "decorated_definition")
    else {
        return false;
    };
    let mut cursor = decorated.walk();
    let is_template_function = decorated
        .named_children(&mut cursor)
        .filter(|child| child.kind() == "decorator")
        .any(|decorator| {
            let text = context.text(decorator);
            text.starts_with("@register.") || text.starts_with("@stringfilter")
        });
    is_template_function
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

/// Whether the handler's body holds a comment that explains the catch (`# The cache may be down:
/// render without it.`): the decision is recorded where a reviewer reads it. Tool pragmas
/// (`# noqa`, `# pragma: no cover`, `# type: ignore`) explain nothing.
fn explains(except_clause: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut pending = vec![except_clause];
    while let Some(node) = pending.pop() {
        // On the line of `except` a comment is usually a tool's (or a test's expectation).
        if node.kind() == "comment"
            && node.start_position().row > except_clause.start_position().row
        {
            let text = context
                .text(node)
                .trim_start_matches('#')
                .trim()
                .to_lowercase();
            let is_pragma = [
                "noqa",
                "pragma",
                "type:",
                "nosec",
                "backlint-ignore",
                "pylint:",
            ]
            .iter()
            .any(|pragma| text.starts_with(pragma));
            if !is_pragma {
                return true;
            }
        }
        let mut cursor = node.walk();
        pending.extend(
            node.named_children(&mut cursor)
                .filter(|child| !is_function(*child)),
        );
    }
    false
}

/// Whether the handler's body re-raises, uses the exception (logs it, stores it, reports it),
/// records it by a function about exceptions (`log_exception()`, `traceback.print_exc()`), or
/// answers with an error.
fn handles(body: Node<'_>, bound: Option<&str>, context: &RuleContext<'_>) -> bool {
    let mut pending = vec![body];
    while let Some(node) = pending.pop() {
        let handled = match node.kind() {
            "raise_statement" => true,
            "identifier" => bound.is_some_and(|bound| context.text(node) == bound),
            "call" => records_exception(node, context) || builds_error(node, context),
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

/// `logger.exception(…)`, `capture_exception()`, `traceback.print_exc()`, `log_exception()`,
/// or a logging call with `exc_info=`.
fn records_exception(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    let (Some(callee), Some(arguments)) = (call.field("function"), call.field("arguments")) else {
        return false;
    };
    let function = match member_parts(callee) {
        Some((_, method)) => context.text(method),
        None => context.text(callee),
    };
    let lowercase = function.to_lowercase();
    if lowercase.contains("exception") || lowercase.contains("exc") {
        return true;
    }
    if !LOGGING_METHODS.contains(&function) {
        return false;
    }
    let mut cursor = arguments.walk();
    let has_exc_info = arguments.named_children(&mut cursor).any(|argument| {
        argument.kind() == "keyword_argument"
            && argument
                .field("name")
                .is_some_and(|name| context.text(name) == "exc_info")
    });
    has_exc_info
}

/// `errors.append(ValidationError(…))`: the failure becomes an error the caller receives.
fn builds_error(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    call.field("function").is_some_and(|callee| {
        let name = context.text(callee);
        let last = name.rsplit('.').next().unwrap_or(name);
        last.ends_with("Error") || last.ends_with("Exception")
    })
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
