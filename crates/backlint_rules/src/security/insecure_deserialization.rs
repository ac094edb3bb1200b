//! insecure-deserialization: data turned into objects or code by a loader that runs what the
//! data says (`pickle.loads`, `yaml.load` without a safe loader, `eval`, `new Function`,
//! node-serialize's `unserialize`).

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::Fields;
use backlint_engine::{Grammar, Language};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and, TOOLING_PATHS};
use crate::syntax::{
    enclosing_function, is_constant_value, is_variable_reference, latest_assignment,
    parameter_names, qualified_name,
};
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "insecure-deserialization",
    docs: include_str!("../../../../rules/insecure-deserialization.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files that only load what they made themselves, or what the developer running
    /// them gave: tests, scripts, command-line tools, build and docs tooling, vendored code.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(TOOLING_PATHS),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    Ok(Box::new(InsecureDeserialization { ignore_paths }))
}

fn unpickling_message(call: &str, data: &str) -> String {
    format!("`{call}` runs whatever code `{data}` asks for while it loads it: load a data format such as JSON instead, or sign the data (`hmac`) and check the signature before loading it.")
}

fn yaml_message(call: &str) -> String {
    format!("`{call}` without a safe loader builds any Python object the document names: use `yaml.safe_load(…)` or `Loader=yaml.SafeLoader`.")
}

fn eval_message(call: &str, code: &str, advice: &str) -> String {
    format!("`{call}` runs `{code}` as code: {advice}")
}

fn unserialize_message(call: &str) -> String {
    format!("`{call}` from node-serialize runs functions embedded in the data (`_$$ND_FUNC$$_`): use `JSON.parse`.")
}

const PYTHON_EVAL_ADVICE: &str =
    "parse the data instead (`json.loads`, `ast.literal_eval`, a lookup table of allowed names).";
const JS_EVAL_ADVICE: &str =
    "parse the data instead (`JSON.parse`, a lookup table of allowed names).";
const VM_ADVICE: &str =
    "`vm` is not a security boundary; parse the data instead, or run untrusted code in a separate process or isolate.";

/// Loaders that run code named by the data, by qualified name.
const UNPICKLERS: &[&str] = &[
    "pickle.loads",
    "pickle.load",
    "pickle.Unpickler",
    "cPickle.loads",
    "cPickle.load",
    "cPickle.Unpickler",
    "_pickle.loads",
    "_pickle.load",
    "dill.loads",
    "dill.load",
    "marshal.loads",
    "marshal.load",
];

/// PyYAML's loaders that build objects of any class; `yaml.load` without one of the safe
/// loaders is as unsafe.
const UNSAFE_YAML_LOADERS: &[&str] = &[
    "yaml.Loader",
    "yaml.UnsafeLoader",
    "yaml.FullLoader",
    "yaml.CLoader",
    "yaml.CUnsafeLoader",
    "yaml.CFullLoader",
];
const SAFE_YAML_LOADERS: &[&str] = &["SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"];
const YAML_LOADS: &[&str] = &["yaml.load", "yaml.load_all"];
const UNSAFE_YAML_CALLS: &[&str] = &[
    "yaml.unsafe_load",
    "yaml.unsafe_load_all",
    "yaml.full_load",
    "yaml.full_load_all",
];

/// Node's `vm` functions that compile their first argument.
const VM_FUNCTIONS: &[&str] = &[
    "vm.runInNewContext",
    "vm.runInContext",
    "vm.runInThisContext",
    "vm.compileFunction",
    "vm.Script",
];

/// Names whose values come from outside the program: requests, reads, the command line and
/// the environment.
const OUTSIDE_NAMES: &[&str] = &[
    "request", "req", "body", "query", "params", "argv", "stdin", "input", "read", "environ",
    "env", "message", "payload",
];

/// How many assignments back the origin of code to run is followed.
const MAX_DEPTH: usize = 3;

struct InsecureDeserialization {
    ignore_paths: GlobSet,
}

impl Rule for InsecureDeserialization {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &["call_expression", "new_expression"],
            Language::Python => &["call"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let callee = node.field("function").or_else(|| node.field("constructor"));
        let (Some(callee), Some(arguments)) = (callee, node.field("arguments")) else {
            return;
        };
        let Some(message) = finding(callee, arguments, context) else {
            return;
        };
        context.report(node, message);
    }
}

/// What a call runs or loads its data with.
enum Sink {
    Eval(&'static str),
    Unpickle,
    Yaml,
    Vm,
    Unserialize,
}

fn finding(callee: Node<'_>, arguments: Node<'_>, context: &RuleContext<'_>) -> Option<String> {
    // The callee is matched first: reading where the data comes from costs far more, and
    // almost every call is of something else.
    let call = compact(context.text(callee));
    // Built-ins, unless a name of the same spelling was imported.
    let sink =
        if callee.kind() == "identifier" && context.semantic.imports().resolve(&call).is_none() {
            match (context.grammar, call.as_str()) {
                (Grammar::Python, "eval" | "exec") => Sink::Eval(PYTHON_EVAL_ADVICE),
                (Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript, "eval" | "Function") => {
                    Sink::Eval(JS_EVAL_ADVICE)
                }
                _ => return None,
            }
        } else {
            let name = qualified_name(callee, context)?;
            let name = name.as_str();
            if UNPICKLERS.contains(&name) {
                Sink::Unpickle
            } else if UNSAFE_YAML_CALLS.contains(&name)
                || YAML_LOADS.contains(&name) && !has_safe_yaml_loader(arguments, context)
            {
                Sink::Yaml
            } else if VM_FUNCTIONS.contains(&name) {
                Sink::Vm
            } else if name == "node-serialize.unserialize" {
                Sink::Unserialize
            } else {
                return None;
            }
        };
    // `new Function("a", "b", body)`: the last argument is the code.
    let data = if call == "Function" {
        let mut cursor = arguments.walk();
        let last = arguments
            .named_children(&mut cursor)
            .filter(|argument| argument.kind() != "comment")
            .last();
        last?
    } else {
        first_argument(arguments)?
    };
    if is_constant_value(data, context) || is_dynamic_import(data, context) {
        return None;
    }
    let shown_data = compact(context.text(data));
    match sink {
        Sink::Eval(advice) => {
            comes_from_outside(data, context, 0).then(|| eval_message(&call, &shown_data, advice))
        }
        Sink::Unpickle => {
            let trusted = is_round_trip(data, context) || signature_checked_before(callee, context);
            (!trusted).then(|| unpickling_message(&call, &shown_data))
        }
        Sink::Yaml => Some(yaml_message(&call)),
        Sink::Vm => comes_from_outside(data, context, 0)
            .then(|| eval_message(&call, &shown_data, VM_ADVICE)),
        Sink::Unserialize => Some(unserialize_message(&call)),
    }
}

fn first_argument(arguments: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = arguments.walk();
    let first = arguments
        .named_children(&mut cursor)
        .find(|argument| argument.kind() != "comment");
    first.filter(|argument| argument.kind() != "keyword_argument")
}

/// `pickle.loads(pickle.dumps(value))`: a deep copy of the program's own object.
fn is_round_trip(data: Node<'_>, context: &RuleContext<'_>) -> bool {
    data.kind() == "call"
        && data
            .field("function")
            .and_then(|function| qualified_name(function, context))
            .is_some_and(|name| name.ends_with(".dumps") || name.ends_with(".dump"))
}

/// Whether code to run is made of something the function was given or read: a parameter of
/// the function around it, the request, a file or stream read, the command line, the
/// environment; followed through local assignments. Code built from the program's own names
/// (`for name in dir(): eval(name)`, a class written from a template) is not data.
fn comes_from_outside(code: Node<'_>, context: &RuleContext<'_>, depth: usize) -> bool {
    let parameters = parameter_names(enclosing_function(code), context);
    let mut pending = vec![code];
    while let Some(node) = pending.pop() {
        let text = context.text(node);
        let is_outside = match node.kind() {
            "identifier" if is_variable_reference(node) => {
                parameters.contains(&text)
                    || OUTSIDE_NAMES.contains(&text)
                    || depth < MAX_DEPTH
                        && latest_assignment(node, node, context)
                            .is_some_and(|(_, value)| comes_from_outside(value, context, depth + 1))
            }
            "property_identifier" => OUTSIDE_NAMES.contains(&text),
            _ => false,
        };
        if is_outside {
            return true;
        }
        let mut cursor = node.walk();
        pending.extend(node.named_children(&mut cursor));
    }
    false
}

/// `` eval(`import('${path}')`) ``, `exec(f"import {name} as module")`: an import of a computed
/// module written as code so that bundlers leave it alone, which runs no more than `import()`
/// or `importlib.import_module` would.
fn is_dynamic_import(code: Node<'_>, context: &RuleContext<'_>) -> bool {
    let unprefixed = context
        .text(code)
        .trim_start_matches(|character: char| "fFrRbBuU".contains(character));
    let Some(body) = unprefixed.strip_prefix(['\'', '"', '`']) else {
        return false;
    };
    let body = body.trim_start_matches(['\'', '"']);
    body.starts_with("import(") || body.starts_with("import ") || body.starts_with("from ")
}

/// `hmac.compare_digest(signature, expected)` before the load in the same function: the data
/// was signed by the application, as the message advises.
fn signature_checked_before(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    let function = enclosing_function(call);
    let before = context
        .source
        .text()
        .get(function.start_byte()..call.start_byte())
        .unwrap_or("");
    ["compare_digest", "timingSafeEqual", ".verify("]
        .iter()
        .any(|check| before.contains(check))
}

/// `Loader=yaml.SafeLoader`, `yaml.load(text, SafeLoader)`; a loader this rule does not know
/// (a project's own subclass, `getattr(yaml, "CSafeLoader", …)`) counts as safe, one of
/// PyYAML's unsafe loaders does not.
fn has_safe_yaml_loader(arguments: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut cursor = arguments.walk();
    let loader = arguments
        .named_children(&mut cursor)
        .filter(|argument| argument.kind() != "comment")
        .enumerate()
        .find_map(|(index, argument)| {
            if argument.kind() == "keyword_argument" {
                let name = argument.field("name")?;
                (context.text(name) == "Loader")
                    .then(|| argument.field("value"))
                    .flatten()
            } else {
                (index == 1).then_some(argument)
            }
        });
    let Some(loader) = loader else {
        return false;
    };
    let text = context.text(loader);
    let last = text.rsplit('.').next().unwrap_or(text);
    if SAFE_YAML_LOADERS.contains(&last) {
        return true;
    }
    !qualified_name(loader, context)
        .is_some_and(|name| UNSAFE_YAML_LOADERS.contains(&name.as_str()))
}
