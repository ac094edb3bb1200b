//! unawaited-route-params: Next.js App Router `params` and `searchParams` read as plain
//! objects. Since Next.js 15 they are Promises: `params.id` is `undefined` (with a warning in
//! 15, an error in 16) until the Promise is awaited.

use backlint_engine::rule::{parse_options, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{preorder, Fields};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::glob_set;
use crate::project::next_major_version;
use crate::syntax::{enclosing_function, parameter_names};

pub const SPEC: RuleSpec = RuleSpec {
    id: "unawaited-route-params",
    docs: include_str!("../../../../rules/unawaited-route-params.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of the App Router files whose functions receive `params`.
    route_files: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            route_files: [
                "**/app/**/route.{ts,js,mts,mjs}",
                "**/app/**/{page,layout,default,template}.{ts,tsx,js,jsx}",
            ]
            .map(str::to_owned)
            .to_vec(),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(UnawaitedRouteParams {
        route_files: glob_set(SPEC.id, "route-files", &options.route_files)?,
    }))
}

fn unawaited_message(read: &str, promise: &str, holder: &str) -> String {
    format!("`{read}` reads `{promise}` without awaiting it: since Next.js 15 `{promise}` is a Promise (read like this, it warns in Next.js 15 and is `undefined` in 16); write `const {{ … }} = await {holder}`.")
}

/// The HTTP methods a `route.ts` exports.
const ROUTE_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Members of a Promise: `params.then(…)` uses the Promise as one.
const PROMISE_MEMBERS: &[&str] = &["then", "catch", "finally"];

/// The Next.js major version from which `params` and `searchParams` are Promises.
const PROMISE_PARAMS_SINCE: u32 = 15;

struct UnawaitedRouteParams {
    route_files: GlobSet,
}

impl Rule for UnawaitedRouteParams {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &[
                "function_declaration",
                "function_expression",
                "arrow_function",
            ],
            Language::Python => &[],
        }
    }

    /// `params` or `searchParams`.
    fn required_words(&self, _language: Language) -> Vec<String> {
        ["params"].map(str::to_owned).to_vec()
    }

    fn check(&self, function: Node<'_>, context: &mut RuleContext<'_>) {
        let path = &context.source.project_path;
        if !self.route_files.is_match(path) {
            return;
        }
        let Some(export) = exported_name(function, context) else {
            return;
        };
        let is_route = path
            .file_stem()
            .is_some_and(|stem| stem.to_str() == Some("route"));
        let is_page = path
            .file_stem()
            .is_some_and(|stem| stem.to_str() == Some("page"));
        let (argument, promises): (usize, &[&str]) = match export {
            Export::Named(name) if is_route && ROUTE_METHODS.contains(&name) => (1, &["params"]),
            Export::Named("generateMetadata") | Export::Default if !is_route => {
                if is_page {
                    (0, &["params", "searchParams"])
                } else {
                    (0, &["params"])
                }
            }
            _ => return,
        };
        if !promises_in_this_project(context) {
            return;
        }
        let Some(parameter) = nth_parameter(function, argument) else {
            return;
        };
        for read in unawaited_reads(function, parameter, promises, context) {
            let holder = read
                .holder
                .map_or(read.promise, |holder| context.text(holder));
            let message = unawaited_message(context.text(read.node), read.promise, holder);
            context.report(read.node, message);
        }
    }
}

/// How the function is exported.
enum Export<'source> {
    Default,
    Named(&'source str),
}

/// The export a function is: `export async function GET`, `export const GET = async () =>`,
/// `export default function Page`.
fn exported_name<'source>(
    function: Node<'_>,
    context: &RuleContext<'source>,
) -> Option<Export<'source>> {
    // The checked function's ancestors, from the walk: `Node::parent` costs the depth of the
    // node, and callbacks nest as deep as a file goes.
    let mut ancestors = context.ancestors();
    let parent = ancestors.next()?;
    match parent.kind() {
        "export_statement" => {
            let is_default = (0..parent.child_count())
                .filter_map(|index| parent.child(index))
                .any(|child| child.kind() == "default");
            if is_default {
                return Some(Export::Default);
            }
            let name = function.field("name")?;
            Some(Export::Named(&context.source.text()[name.byte_range()]))
        }
        "variable_declarator" => {
            let declaration = ancestors.next()?;
            let export = ancestors.next()?;
            if declaration.kind() != "lexical_declaration" || export.kind() != "export_statement" {
                return None;
            }
            let name = parent.field("name")?;
            Some(Export::Named(&context.source.text()[name.byte_range()]))
        }
        _ => None,
    }
}

/// Whether the project runs a Next.js whose `params` are Promises: its `package.json` asks
/// for version 15 or later (or names no version); without a `package.json` that depends on
/// Next.js, when the file imports from `next`.
fn promises_in_this_project(context: &RuleContext<'_>) -> bool {
    match next_major_version(&context.source.path) {
        Some(Some(major)) => major >= PROMISE_PARAMS_SINCE,
        Some(None) => true,
        None => context
            .semantic
            .imports()
            .entries()
            .iter()
            .any(|import| import.module == "next" || import.module.starts_with("next/")),
    }
}

/// The function's parameter at `index`, as the pattern that binds it (`{ params }`,
/// `context`, `props`).
fn nth_parameter(function: Node<'_>, index: usize) -> Option<Node<'_>> {
    let parameters = function
        .field("parameters")
        .or_else(|| function.field("parameter"))?;
    if parameters.kind() == "identifier" {
        return (index == 0).then_some(parameters);
    }
    let mut cursor = parameters.walk();
    let parameter = parameters
        .named_children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .nth(index)?;
    let pattern = match parameter.kind() {
        "required_parameter" | "optional_parameter" => parameter.field("pattern")?,
        "assignment_pattern" => parameter.field("left")?,
        _ => parameter,
    };
    Some(pattern)
}

/// A read of a Promise's properties before it is awaited.
struct UnawaitedRead<'tree> {
    node: Node<'tree>,
    promise: &'static str,
    /// The expression that holds the Promise (`params`, `props.params`); `None` for a
    /// destructuring in the parameter.
    holder: Option<Node<'tree>>,
}

/// The reads of `params`/`searchParams` properties that do not await them first: in the
/// parameter itself (`{ params: { id } }`), through the names it binds (`params.id`,
/// `const { id } = params`), or through the whole argument (`props.params.slug`,
/// `const { slug } = props.params`).
fn unawaited_reads<'tree>(
    function: Node<'tree>,
    parameter: Node<'tree>,
    promises: &[&'static str],
    context: &RuleContext<'_>,
) -> Vec<UnawaitedRead<'tree>> {
    let mut reads = Vec::new();
    // Names bound to a Promise, with the Promise they hold; and names bound to the whole
    // argument, whose `params` member is one.
    let mut promise_names: Vec<(&str, &'static str)> = Vec::new();
    let mut argument_names: Vec<&str> = Vec::new();
    match parameter.kind() {
        "identifier" => argument_names.push(context.text(parameter)),
        "object_pattern" => {
            let mut cursor = parameter.walk();
            for entry in parameter.named_children(&mut cursor) {
                let (key, value) = match entry.kind() {
                    "shorthand_property_identifier_pattern" => (entry, None),
                    "object_assignment_pattern" => match entry.field("left") {
                        Some(left) => (left, None),
                        None => continue,
                    },
                    "pair_pattern" => match (entry.field("key"), entry.field("value")) {
                        (Some(key), Some(value)) => (key, Some(value)),
                        _ => continue,
                    },
                    _ => continue,
                };
                let Some(promise) = promises
                    .iter()
                    .find(|promise| **promise == context.text(key))
                else {
                    continue;
                };
                match value {
                    None => promise_names.push((context.text(key), promise)),
                    Some(value) if value.kind() == "identifier" => {
                        promise_names.push((context.text(value), promise));
                    }
                    Some(value) if value.kind() == "object_pattern" => {
                        reads.push(UnawaitedRead {
                            node: entry,
                            promise,
                            holder: None,
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        _ => return reads,
    }
    let Some(body) = function.field("body") else {
        return reads;
    };
    for node in preorder(body) {
        let holder = match node.kind() {
            "member_expression" | "subscript_expression" => {
                let property = node
                    .field("property")
                    .map(|property| context.text(property));
                if property.is_some_and(|property| PROMISE_MEMBERS.contains(&property)) {
                    continue;
                }
                node.field("object")
            }
            "variable_declarator" => node.field("value").filter(|_| {
                node.field("name")
                    .is_some_and(|name| name.kind() == "object_pattern")
            }),
            _ => None,
        };
        let Some(holder) = holder else {
            continue;
        };
        let Some(promise) =
            promise_held_by(holder, &promise_names, &argument_names, promises, context)
        else {
            continue;
        };
        if shadowed(node, function, &promise_names, &argument_names, context) {
            continue;
        }
        reads.push(UnawaitedRead {
            node,
            promise,
            holder: Some(holder),
        });
    }
    reads
}

/// The Promise an expression is, when it is one of the handler's: a name bound to it
/// (`params`), or the argument's member (`props.params`).
fn promise_held_by(
    expression: Node<'_>,
    promise_names: &[(&str, &'static str)],
    argument_names: &[&str],
    promises: &[&'static str],
    context: &RuleContext<'_>,
) -> Option<&'static str> {
    match expression.kind() {
        "identifier" => {
            let name = context.text(expression);
            promise_names
                .iter()
                .find(|(bound, _)| *bound == name)
                .map(|(_, promise)| *promise)
        }
        "member_expression" => {
            let object = expression.field("object")?;
            let property = context.text(expression.field("property")?);
            let is_argument =
                object.kind() == "identifier" && argument_names.contains(&context.text(object));
            if !is_argument {
                return None;
            }
            promises
                .iter()
                .find(|promise| **promise == property)
                .copied()
        }
        _ => None,
    }
}

/// Whether a function between the read and the handler binds one of the names again
/// (`items.map((params) => params.id)`).
fn shadowed(
    read: Node<'_>,
    handler: Node<'_>,
    promise_names: &[(&str, &'static str)],
    argument_names: &[&str],
    context: &RuleContext<'_>,
) -> bool {
    let mut function = enclosing_function(read);
    while function != handler && function.parent().is_some() {
        let rebinds = parameter_names(function, context).iter().any(|name| {
            argument_names.contains(name) || promise_names.iter().any(|(bound, _)| bound == name)
        });
        if rebinds {
            return true;
        }
        function = enclosing_function(function);
    }
    false
}
