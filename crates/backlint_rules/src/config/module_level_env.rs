//! module-level-env: environment variables read when the module loads, instead of inside the
//! function that needs them.

use backlint_engine::rule::{OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::semantic::{Imported, LoadTrigger};
use backlint_engine::syntax::Fields;
use backlint_engine::{Grammar, Language};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::glob_set;
use crate::text::{compact, string_content};

pub const SPEC: RuleSpec = RuleSpec {
    id: "module-level-env",
    docs: include_str!("../../../../rules/module-level-env.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files where module-level access is the point: central env modules and
    /// framework config files.
    allow: Vec<String>,
    /// Check Python too (`os.environ[...]`, `os.environ.get`, `os.getenv`).
    python: bool,
    /// Variables that may be read at module level.
    ignore_variables: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            allow: [
                // Central env modules and configuration files.
                "**/*.config.{js,mjs,cjs,ts,mts,cts}",
                "**/*-config.{js,mjs,cjs,ts,mts,cts}",
                "**/config.{js,mjs,cjs,ts,mts,cts}",
                "**/env.{js,mjs,cjs,ts,mts,cts}",
                "**/env.*.{js,mjs,cjs,ts,mts,cts}",
                "**/environment.{js,mjs,cjs,ts,mts,cts}",
                "**/env/**",
                "**/config/**",
                // Files that tools load first, on purpose: Sentry's `instrument` and
                // `sentry.*.config`, New Relic's agent configuration.
                "**/instrument.{js,mjs,cjs,ts,mts,cts}",
                "**/instrument.*.{js,mjs,cjs,ts,mts,cts}",
                "**/sentry.*.{js,mjs,cjs,ts,mts,cts}",
                "**/newrelic.{js,cjs,ts}",
                // Tests, test helpers and scripts (migrations, seeds), whose setup reads the
                // environment once, at the top.
                "**/*.{test,spec,e2e,bench,eval}.*",
                "**/*{.,-}setup.{js,mjs,cjs,ts,mts,cts}",
                "**/*.e2e-*.*",
                "**/{test,tests,__tests__,e2e,integration-tests,test-utils,testing,scripts}/**",
                "**/*-test-utils/**",
                "**/{migrate,seed}*.{js,mjs,cjs,ts,mts,cts}",
                "**/{migrations,alterations,seeds,seeders}/**",
                // Python settings modules, read at import time by design.
                "**/settings.py",
                "**/settings/**",
                "**/*_settings.py",
                "**/config.py",
                "**/conf.py",
                "**/env.py",
                "**/test_*.py",
                "**/conftest.py",
            ]
            .map(str::to_owned)
            .to_vec(),
            python: false,
            // Build-time constants: bundlers inline them, and they select a build rather than
            // carry configuration.
            ignore_variables: ["NODE_ENV", "NEXT_PUBLIC_*", "VITE_*", "EXPO_PUBLIC_*"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = backlint_engine::rule::parse_options(SPEC.id, options)?;
    let allow = glob_set(SPEC.id, "allow", &options.allow)?;
    Ok(Box::new(ModuleLevelEnv {
        allow,
        python: options.python,
        ignore_variables: options.ignore_variables,
    }))
}

fn module_level_env_message(access: &str, trigger: Option<(String, usize)>) -> String {
    match trigger {
        None => format!("`{access}` is read when the module loads: read it inside the function that needs it."),
        Some((call, line)) => format!(
            "`{access}` is read when the module loads (`{call}` runs at the top level, line {line}): read it where it is needed, or make that call from a function."
        ),
    }
}

struct ModuleLevelEnv {
    allow: GlobSet,
    python: bool,
    ignore_variables: Vec<String>,
}

impl Rule for ModuleLevelEnv {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &[
                "member_expression",
                "subscript_expression",
                "variable_declarator",
            ],
            Language::Python if self.python => &["subscript", "call"],
            Language::Python => &[],
        }
    }

    /// `process.env`, `import.meta.env`, `os.environ`, `os.getenv`.
    fn required_words(&self, _language: Language) -> Vec<String> {
        ["env"].map(str::to_owned).to_vec()
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        // Finding an access is a cheap test on the node's text; the semantic questions below
        // (and the module-load walk they may start) are asked only for the few that are.
        let accesses = match context.grammar {
            Grammar::Python => python_access(node, context).into_iter().collect(),
            Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript => js_accesses(node, context),
        };
        let accesses: Vec<Access> = accesses
            .into_iter()
            .filter(|access| {
                !access.variable.as_deref().is_some_and(|name| {
                    self.ignore_variables
                        .iter()
                        .any(|ignored| variable_matches(ignored, name))
                })
            })
            .collect();
        if accesses.is_empty() {
            return;
        }
        let semantic = context.semantic;
        let trigger = match semantic.load_trigger() {
            Some(trigger) => Some(trigger),
            None if semantic.is_at_module_load() => None,
            None => return,
        };
        // A program's entry point reads its configuration when it starts; nothing imports it.
        if semantic.is_entry_point() || self.allow.is_match(&context.source.project_path) {
            return;
        }
        let accesses = merge_destructuring(accesses);
        for access in accesses {
            let trigger = trigger.map(
                |LoadTrigger {
                     callee,
                     call_offset,
                     constructs,
                 }| {
                    let call = if constructs {
                        format!("new {callee}()")
                    } else {
                        format!("{callee}()")
                    };
                    (call, context.source.position(call_offset).line)
                },
            );
            let message = module_level_env_message(&access.shown, trigger);
            context.report_range(access.range, message);
        }
    }
}

/// Whether a variable name matches an `ignore-variables` entry: a name, or a prefix ending in `*`.
fn variable_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

/// Whether an access is written rather than read: `process.env.X = …`, `process.env.X ??= …`,
/// `delete process.env.X`, `os.environ["X"] = …`. Setting the environment at the top of a
/// module (test setup) is not reading it.
fn is_written(access: Node<'_>) -> bool {
    let Some(parent) = access.parent() else {
        return false;
    };
    match parent.kind() {
        "assignment_expression"
        | "augmented_assignment_expression"
        | "assignment"
        | "augmented_assignment" => parent
            .field("left")
            .is_some_and(|left| left.id() == access.id()),
        "unary_expression" => parent
            .child(0)
            .is_some_and(|operator| operator.kind() == "delete"),
        "delete_statement" => true,
        _ => false,
    }
}

/// `const { A, B } = process.env` is one statement: one finding for all its names.
fn merge_destructuring(accesses: Vec<Access>) -> Vec<Access> {
    if accesses.len() < 2 {
        return accesses;
    }
    let names: Vec<&str> = accesses
        .iter()
        .filter_map(|access| access.variable.as_deref())
        .collect();
    let object = accesses[0]
        .shown
        .rsplit_once('.')
        .map_or("process.env", |(object, _)| object);
    vec![Access {
        range: accesses[0].range.start..accesses[accesses.len() - 1].range.end,
        shown: format!("{{ {} }} = {object}", names.join(", ")),
        variable: None,
    }]
}

/// One read of an environment variable.
struct Access {
    range: std::ops::Range<usize>,
    /// How the message shows it: `process.env.DATABASE_URL`.
    shown: String,
    /// The variable's name, when it is written out.
    variable: Option<String>,
}

const JS_ENV_OBJECTS: [&str; 2] = ["process.env", "import.meta.env"];

/// `process.env.X`, `process.env["X"]`, `import.meta.env.X`, and each name of
/// `const { X, Y } = process.env`.
fn js_accesses(node: Node<'_>, context: &RuleContext<'_>) -> Vec<Access> {
    let text = context.text(node);
    match node.kind() {
        "member_expression" | "subscript_expression" => {
            // Most member expressions have nothing to do with the environment: a prefix test
            // rules them out before any field lookup.
            if !JS_ENV_OBJECTS.iter().any(|object| text.starts_with(object)) {
                return Vec::new();
            }
            let Some(object) = node.field("object") else {
                return Vec::new();
            };
            let object_text = context.text(object);
            if !JS_ENV_OBJECTS.contains(&object_text) {
                return Vec::new();
            }
            let variable = if node.kind() == "member_expression" {
                node.field("property")
                    .map(|property| context.text(property).to_owned())
            } else {
                node.field("index").and_then(|index| {
                    string_content(index, context).map(|content| content.text.to_owned())
                })
            };
            if is_written(node) {
                return Vec::new();
            }
            vec![Access {
                range: node.byte_range(),
                shown: compact(text),
                variable,
            }]
        }
        _ => {
            let (Some(pattern), Some(value)) = (node.field("name"), node.field("value")) else {
                return Vec::new();
            };
            if pattern.kind() != "object_pattern" || !JS_ENV_OBJECTS.contains(&context.text(value))
            {
                return Vec::new();
            }
            let object = context.text(value);
            let mut cursor = pattern.walk();
            let accesses = pattern
                .named_children(&mut cursor)
                .filter_map(|property| {
                    let key = match property.kind() {
                        "shorthand_property_identifier_pattern" => property,
                        "pair_pattern" => property.field("key")?,
                        "object_assignment_pattern" => property.field("left")?,
                        _ => return None,
                    };
                    let name = context.text(key).to_owned();
                    Some(Access {
                        range: property.byte_range(),
                        shown: format!("{object}.{name}"),
                        variable: Some(name),
                    })
                })
                .collect();
            accesses
        }
    }
}

/// `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`, also through
/// `from os import environ, getenv`.
fn python_access(node: Node<'_>, context: &RuleContext<'_>) -> Option<Access> {
    let imports = context.semantic.imports();
    let is_os_member = |expression: Node<'_>, member: &str| match expression.kind() {
        "attribute" => {
            let object = expression.field("object")?;
            let attribute = expression.field("attribute")?;
            let module = imports.resolve(context.text(object))?;
            Some(
                module.module == "os"
                    && module.imported == Imported::Module
                    && context.text(attribute) == member,
            )
        }
        "identifier" => {
            let import = imports.resolve(context.text(expression))?;
            Some(import.module == "os" && import.imported == Imported::Named(member.to_owned()))
        }
        _ => Some(false),
    };
    let (is_read, argument) = match node.kind() {
        "subscript" => {
            let value = node.field("value")?;
            (is_os_member(value, "environ")?, node.field("subscript"))
        }
        _ => {
            let function = node.field("function")?;
            let first_argument = node
                .field("arguments")
                .and_then(|arguments| arguments.named_child(0));
            let is_get = function.kind() == "attribute"
                && function
                    .field("attribute")
                    .is_some_and(|attribute| context.text(attribute) == "get")
                && function
                    .field("object")
                    .and_then(|object| is_os_member(object, "environ"))
                    == Some(true);
            (is_get || is_os_member(function, "getenv")?, first_argument)
        }
    };
    if !is_read || is_written(node) {
        return None;
    }
    let variable = argument.and_then(|argument| {
        string_content(argument, context).map(|content| content.text.to_owned())
    });
    Some(Access {
        range: node.byte_range(),
        shown: compact(context.text(node)),
        variable,
    })
}
