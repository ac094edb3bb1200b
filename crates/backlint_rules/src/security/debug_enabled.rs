//! debug-enabled: debug mode switched on in code that ships: Django's `DEBUG = True` in a
//! settings module, Flask's `app.run(debug=True)`, `FastAPI(debug=True)`, and settings read
//! from the environment with a default that turns debugging on.

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::Fields;
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::glob_set;
use crate::settings::{
    module_assignment, settings_paths, test_and_dev_settings_paths, turns_on, TurnedOn,
};
use crate::syntax::qualified_name;
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "debug-enabled",
    docs: include_str!("../../../../rules/debug-enabled.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of the Django settings modules, where a top-level `DEBUG` is the setting.
    settings_paths: Vec<String>,
    /// Globs of files that exist to turn debugging on, or never ship: tests, and the
    /// development, local and test settings files.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            settings_paths: settings_paths(),
            ignore_paths: test_and_dev_settings_paths(),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(DebugEnabled {
        settings_paths: glob_set(SPEC.id, "settings-paths", &options.settings_paths)?,
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
    }))
}

fn debug_setting_message() -> String {
    "`DEBUG = True` in a settings module shows tracebacks, settings and SQL to anyone who causes an error: read it from the environment, off by default.".to_owned()
}

fn debug_default_message(read: &str) -> String {
    format!("`{read}` turns debug mode on wherever the variable is not set: make its default off, so that a deployment that forgets it does not run in debug mode.")
}

fn flask_debug_message(call: &str) -> String {
    format!("`{call}` starts the Werkzeug debugger, which runs any Python code a visitor sends it: take `debug` from the environment, off by default.")
}

fn asgi_debug_message(call: &str) -> String {
    format!("`{call}` returns tracebacks to clients on every server error: take `debug` from the environment, off by default.")
}

struct DebugEnabled {
    settings_paths: GlobSet,
    ignore_paths: GlobSet,
}

impl Rule for DebugEnabled {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::Python => &["assignment", "keyword_argument"],
            Language::TypeScript | Language::JavaScript => &[],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    /// `DEBUG = True`, `debug=True`.
    fn required_words(&self, _language: Language) -> Vec<String> {
        ["debug"].map(str::to_owned).to_vec()
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        match node.kind() {
            "assignment" => self.check_setting(node, context),
            _ => check_debug_argument(node, context),
        }
    }
}

impl DebugEnabled {
    /// `DEBUG = True` at the top level of a settings module.
    fn check_setting(&self, assignment: Node<'_>, context: &mut RuleContext<'_>) {
        // The name first: finding the statement's module climbs from the root of the tree.
        let is_debug = assignment
            .field("left")
            .is_some_and(|target| context.text(target) == "DEBUG");
        if !is_debug || !self.settings_paths.is_match(&context.source.project_path) {
            return;
        }
        let Some((_, value)) = module_assignment(assignment) else {
            return;
        };
        match turns_on(value, context) {
            Some(TurnedOn::Literally) => {
                context.report(assignment, debug_setting_message());
            }
            Some(TurnedOn::ByDefault(read)) => {
                let message = debug_default_message(&compact(context.text(read)));
                context.report(assignment, message);
            }
            None => {}
        }
    }
}

/// `debug=True` given to Flask's `app.run`, or to the `FastAPI`/`Starlette` constructors.
fn check_debug_argument(argument: Node<'_>, context: &mut RuleContext<'_>) {
    let (Some(name), Some(value)) = (argument.field("name"), argument.field("value")) else {
        return;
    };
    if context.text(name) != "debug" {
        return;
    }
    let Some(call) = argument.parent().and_then(|arguments| arguments.parent()) else {
        return;
    };
    let Some(callee) = call.field("function") else {
        return;
    };
    let is_flask_run = callee.kind() == "attribute"
        && callee
            .field("attribute")
            .is_some_and(|method| context.text(method) == "run")
        && context.semantic.imports().has_module("flask");
    if !is_flask_run && !is_asgi_application(callee, context) {
        return;
    }
    let Some(turned_on) = turns_on(value, context) else {
        return;
    };
    let message = match turned_on {
        TurnedOn::ByDefault(read) => debug_default_message(&compact(context.text(read))),
        TurnedOn::Literally => {
            let shown = format!("{}(debug=True)", compact(context.text(callee)));
            if is_flask_run {
                flask_debug_message(&shown)
            } else {
                asgi_debug_message(&shown)
            }
        }
    };
    context.report(argument, message);
}

/// `FastAPI`, `Starlette`, `fastapi.FastAPI`, as imported from `fastapi` or `starlette`.
fn is_asgi_application(callee: Node<'_>, context: &RuleContext<'_>) -> bool {
    qualified_name(callee, context).is_some_and(|name| {
        let framework = name.split('.').next().unwrap_or("");
        let class = name.rsplit('.').next().unwrap_or("");
        matches!(framework, "fastapi" | "starlette") && matches!(class, "FastAPI" | "Starlette")
    })
}
