//! missing-type-hints: public Python functions whose parameters or return value have no type
//! annotation.

use std::rc::Rc;

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::Fields;
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::text::string_content;

pub const SPEC: RuleSpec = RuleSpec {
    id: "missing-type-hints",
    docs: include_str!("../../../../rules/missing-type-hints.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Also require annotations on `*args` and `**kwargs`.
    star_arguments: bool,
    /// Globs of files that are not checked: tests.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            star_arguments: false,
            ignore_paths: test_paths_and(&[]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(MissingTypeHints {
        star_arguments: options.star_arguments,
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
    }))
}

fn missing_message(function: &str, missing: &[String]) -> String {
    let (hints, them) = if missing.len() == 1 {
        ("hint", "it")
    } else {
        ("hints", "them")
    };
    format!(
        "`{function}` has no type {hints} for {}: annotate {them} so that callers and the type checker know what it takes and returns.",
        missing.join(", ")
    )
}

struct MissingTypeHints {
    star_arguments: bool,
    ignore_paths: GlobSet,
}

impl Rule for MissingTypeHints {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::Python => &["function_definition"],
            Language::TypeScript | Language::JavaScript => &[],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    /// A function definition.
    fn required_words(&self, _language: Language) -> Vec<String> {
        ["def"].map(str::to_owned).to_vec()
    }

    fn check(&self, function: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(name) = function.field("name") else {
            return;
        };
        let function_name = context.text(name);
        if function_name.starts_with('_') || is_overload(function, context) {
            return;
        }
        let Some(parameters) = function.field("parameters") else {
            return;
        };
        let owner = owner(function);
        let is_method = owner.is_some_and(|owner| owner.kind() == "class_definition");
        let skips_first = is_method && !has_decorator(function, "staticmethod", context);
        let mut missing = Vec::new();
        let mut cursor = parameters.walk();
        for (index, parameter) in parameters.named_children(&mut cursor).enumerate() {
            if index == 0 && skips_first {
                continue;
            }
            let unannotated = match parameter.kind() {
                "identifier" => Some(parameter),
                "default_parameter" => parameter.field("name"),
                "list_splat_pattern" | "dictionary_splat_pattern" if self.star_arguments => {
                    Some(parameter)
                }
                _ => None,
            };
            if let Some(unannotated) = unannotated {
                missing.push(format!("`{}`", context.text(unannotated)));
            }
        }
        // Nested functions and methods of private classes are private: only their
        // parameters are checked.
        let public = match owner {
            None => is_exported(function, function_name, context),
            Some(owner) if owner.kind() == "class_definition" => is_public_class(owner, context),
            Some(_) => false,
        };
        // Class and static methods are checked whatever their class's visibility, as Ruff's
        // ANN205 and ANN206 do.
        let class_level = is_method
            && (has_decorator(function, "classmethod", context)
                || has_decorator(function, "staticmethod", context));
        if (public || class_level) && function.field("return_type").is_none() {
            missing.push("its return value".to_owned());
        }
        if !missing.is_empty() {
            context.report(name, missing_message(function_name, &missing));
        }
    }
}

/// The function or class the definition is directly in, `None` at the module's top level
/// (also inside `if` and `try` blocks there).
fn owner(function: Node<'_>) -> Option<Node<'_>> {
    let mut current = function.parent()?;
    loop {
        match current.kind() {
            "class_definition" | "function_definition" => return Some(current),
            "module" => return None,
            _ => current = current.parent()?,
        }
    }
}

/// A class whose name does not start with `_`, at the top level of the module (and in its
/// `__all__` if it has one) or in another public class; a class defined in a function is
/// private.
fn is_public_class(class: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(name) = class.field("name") else {
        return false;
    };
    let name = context.text(name);
    !name.starts_with('_')
        && match owner(class) {
            None => is_exported(class, name, context),
            Some(outer) if outer.kind() == "class_definition" => is_public_class(outer, context),
            Some(_) => false,
        }
}

/// Whether a top-level definition is public: its module is not private (`_compat.py`, a file
/// name starting with `_`) and, when the module lists `__all__` (also `__all__ += […]`, also
/// in top-level `if` blocks), the definition is in it.
fn is_exported(definition: Node<'_>, name: &str, context: &RuleContext<'_>) -> bool {
    let private_module = context
        .source
        .path
        .file_stem()
        .map(|stem| stem.to_string_lossy())
        .is_some_and(|stem| stem.starts_with('_') && !stem.starts_with("__"));
    if private_module {
        return false;
    }
    // The module's `__all__` is the same for each of its functions: read once per file.
    let exported = context.memo("the names of __all__", || {
        module_exports(definition, context).map(Rc::new)
    });
    exported.is_none_or(|names| names.iter().any(|listed| listed == name))
}

/// The names the module's `__all__` lists, `None` when it has none.
fn module_exports(definition: Node<'_>, context: &RuleContext<'_>) -> Option<Vec<String>> {
    // Most modules list no `__all__`, and its search reads every statement of the module.
    if !context.source.text().contains("__all__") {
        return None;
    }
    let mut root = definition;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    let mut exported: Option<Vec<String>> = None;
    for statement in module_statements(root) {
        let Some(assignment) = statement.named_child(0) else {
            continue;
        };
        let is_all = statement.kind() == "expression_statement"
            && matches!(assignment.kind(), "assignment" | "augmented_assignment")
            && assignment
                .field("left")
                .is_some_and(|target| context.text(target) == "__all__");
        let Some(value) = assignment.field("right").filter(|_| is_all) else {
            continue;
        };
        exported
            .get_or_insert_with(Vec::new)
            .extend(listed_names(value, context));
    }
    exported
}

/// The names a `__all__` value lists: `["a", "b"]`, `("a",)`. Like Ruff, other forms
/// (`"a b".split()`) list nothing, so the module exports nothing.
fn listed_names(value: Node<'_>, context: &RuleContext<'_>) -> Vec<String> {
    if !matches!(value.kind(), "list" | "tuple") {
        return Vec::new();
    }
    let mut cursor = value.walk();
    let names = value
        .named_children(&mut cursor)
        .filter_map(|entry| string_content(entry, context))
        .map(|entry| entry.text.to_owned())
        .collect();
    names
}

/// The statements of a module, also those in its top-level `if`, `else` and `try` blocks.
fn module_statements(root: Node<'_>) -> Vec<Node<'_>> {
    let mut statements = Vec::new();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "if_statement" | "else_clause" | "elif_clause" | "try_statement"
                | "except_clause" | "finally_clause" | "block" => pending.push(child),
                _ => statements.push(child),
            }
        }
    }
    statements
}

fn has_decorator(function: Node<'_>, wanted: &str, context: &RuleContext<'_>) -> bool {
    let Some(definition) = function
        .parent()
        .filter(|parent| parent.kind() == "decorated_definition")
    else {
        return false;
    };
    let mut cursor = definition.walk();
    let found = definition
        .named_children(&mut cursor)
        .filter(|child| child.kind() == "decorator")
        .any(|decorator| {
            let text = context.text(decorator).trim_start_matches('@').trim();
            text == wanted || text.ends_with(&format!(".{wanted}"))
        });
    found
}

/// `@overload`: a signature for the type checker, whose implementation follows.
fn is_overload(function: Node<'_>, context: &RuleContext<'_>) -> bool {
    has_decorator(function, "overload", context)
}
