//! unvalidated-input: a request handler that reads the request's body, query or parameters
//! without passing them through a schema (Zod, Pydantic, a form or serializer) first.
//!
//! Per handler: find the reads of untrusted input (the sources), follow each to the variables
//! it is assigned to (`const body = await req.json()`, `{ email } = req.body`, and what is built
//! from those), and look for a validation call that receives the source or one of those
//! variables anywhere in the handler. The first source with none is reported.

use std::cell::OnceCell;
use std::collections::HashMap;

use backlint_engine::frameworks::{Framework, Handler};
use backlint_engine::names::word_parts;
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{member_parts, preorder, Fields};
use backlint_engine::{Grammar, Language};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::names::is_constant_name;
use crate::paths::{glob_set, test_paths_and};
use crate::syntax::{assignment_parts, is_variable_reference};

pub const SPEC: RuleSpec = RuleSpec {
    id: "unvalidated-input",
    docs: include_str!("../../../../rules/unvalidated-input.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// More callee names that count as validation (`checkBody`, `assert_valid`).
    validators: Vec<String>,
    /// More request members that are untrusted input (`cookies`, `headers`).
    sources: Vec<String>,
    /// Globs of files whose handlers serve tests, not users.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            validators: Vec::new(),
            sources: Vec::new(),
            ignore_paths: test_paths_and(&[]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    Ok(Box::new(UnvalidatedInput {
        validators: options.validators,
        sources: options.sources,
        ignore_paths,
    }))
}

struct UnvalidatedInput {
    validators: Vec<String>,
    sources: Vec<String>,
    ignore_paths: GlobSet,
}

/// Members of a JavaScript request (Express, Fastify, Koa's `ctx` and `ctx.request`) that hold
/// input.
const JS_REQUEST_MEMBERS: &[&str] = &["body", "query", "params"];

/// Methods of a Fetch API request (Next.js, Hono's `c.req`) that read input.
const JS_REQUEST_READERS: &[&str] = &[
    "json",
    "formData",
    "text",
    "parseBody",
    "query",
    "param",
    "queries",
];

/// Attributes of a Flask, Django, DRF or Starlette request that hold input.
const PYTHON_REQUEST_MEMBERS: &[&str] = &[
    "json",
    "form",
    "args",
    "values",
    "data",
    "POST",
    "GET",
    "query_params",
];

/// Methods of a Flask or Starlette request that read input.
const PYTHON_REQUEST_READERS: &[&str] = &["get_json", "json", "body", "form"];

/// Methods that validate what they are given against the schema they are called on: Zod,
/// valibot, yup, Joi, superstruct, Pydantic, marshmallow, TypeAdapter.
const VALIDATING_METHODS: &[&str] = &[
    "parse",
    "safeParse",
    "parseAsync",
    "safeParseAsync",
    "validate",
    "validateSync",
    "validateAsync",
    "assert",
    "create",
    "model_validate",
    "model_validate_json",
    "parse_obj",
    "parse_raw",
    "validate_python",
    "validate_json",
    "load",
];

/// Functions that validate their argument: valibot's `parse(schema, x)`, class-validator.
const VALIDATING_FUNCTIONS: &[&str] = &[
    "parse",
    "safeParse",
    "parseAsync",
    "safeParseAsync",
    "validate",
    "validateOrReject",
    "validateSync",
    "plainToInstance",
    "plainToClass",
    "assert",
];

/// Calls that only check what they are given against the server's own data: a password
/// against its hash, a permission name against the user's permissions.
const CHECKING_METHODS: &[&str] = &[
    "check_password",
    "verify_password",
    "checkpw",
    "has_perm",
    "has_perms",
];

/// Reading a source this way uses no value: `request.GET.urlencode()` rebuilds a link.
const PASSING_METHODS: &[&str] = &["urlencode", "copy", "lists", "keys"];

impl Rule for UnvalidatedInput {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &[
                "function_declaration",
                "function_expression",
                "function",
                "arrow_function",
                "method_definition",
            ],
            Language::Python => &["function_definition"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(handler) = context.semantic.handlers().of_function(node).cloned() else {
            return;
        };
        if registration_validates(&handler, context) || delegates_to_form_view(node, context) {
            return;
        }
        let reader = HandlerReader {
            rule: self,
            context,
            function: node,
            handler: &handler,
            assignments: OnceCell::new(),
            validations: OnceCell::new(),
            parents: OnceCell::new(),
        };
        let sources = reader.sources();
        // Once the handler validates a whole input (`Serializer(data=request.data).is_valid()`),
        // its other reads of that input (`request.data.get("id")`) read validated data; a
        // field validated on its own (`url_has_allowed_host_and_scheme(next_url)`) vouches
        // for no other.
        let validated: Vec<&InputRead<'_>> = sources
            .iter()
            .filter(|source| reader.is_validated(source))
            .collect();
        let whole_inputs: Vec<&str> = validated
            .iter()
            .filter(|source| reader.reads_whole(source))
            .map(|source| source.description.as_str())
            .collect();
        let fields: Vec<String> = validated
            .iter()
            .filter_map(|source| reader.field(source))
            .collect();
        let Some(source) = sources.iter().find(|source| {
            !whole_inputs.contains(&source.description.as_str())
                && !validated
                    .iter()
                    .any(|checked| checked.node.id() == source.node.id())
                && !reader
                    .field(source)
                    .is_some_and(|field| fields.contains(&field))
                && !reader.is_harmless(source)
        }) else {
            return;
        };
        let advice = match (context.grammar, handler.framework) {
            (Grammar::Python, Framework::Django | Framework::DjangoRestFramework) => {
                "validate it with a form, a serializer (`is_valid()`) or a Pydantic model first"
            }
            (Grammar::Python, _) => {
                "validate it with a Pydantic model (`Model.model_validate(...)`) first"
            }
            _ => "parse it with a Zod schema (`schema.parse(...)`) first",
        };
        let message = format!(
            "`{}` ({}) reads `{}` without validating it: {advice}.",
            handler.name,
            handler.framework.id(),
            source.description
        );
        context.report(source.node, message);
    }
}

/// Whether the route registration validates before the handler runs: Fastify's `schema`
/// option, a `validate(schema)`, `zValidator(…)` or `celebrate(…)` middleware.
fn registration_validates(handler: &Handler, context: &RuleContext<'_>) -> bool {
    let Some(registration) = handler.registration.clone() else {
        return false;
    };
    let before_handler = registration.start..handler.function.start.max(registration.start);
    let text = &context.source.text()[before_handler];
    let lower = text.to_ascii_lowercase();
    [
        "schema",
        "validat",
        "celebrate(",
        "guard(",
        "z.object(",
        "yup.",
        "joi.",
    ]
    .iter()
    .any(|marker| lower.contains(marker))
}

/// Whether a method of a Django editing view hands the request to its base
/// (`super().post(request, …)` in a `FormView`, `CreateView`, `UpdateView`…), whose form
/// validates the input before `form_valid` runs.
fn delegates_to_form_view(function: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(name) = function.field("name") else {
        return false;
    };
    let Some(bases) = function
        .parent()
        .filter(|body| body.kind() == "block")
        .and_then(|body| body.parent())
        .filter(|class| class.kind() == "class_definition")
        .and_then(|class| class.field("superclasses"))
    else {
        return false;
    };
    let mut cursor = bases.walk();
    let is_editing_view = bases.named_children(&mut cursor).any(|base| {
        let text = context.text(base);
        let base_name = text.rsplit('.').next().unwrap_or(text);
        word_parts(base_name).iter().any(|word| {
            matches!(
                word.as_str(),
                "form" | "create" | "update" | "edit" | "delete"
            )
        })
    });
    let method = context.text(name);
    is_editing_view
        && preorder(function).any(|call| {
            call.kind() == "call"
                && call.field("function").and_then(member_parts).is_some_and(
                    |(object, property)| {
                        context.text(property) == method
                            && context.text(object).starts_with("super(")
                    },
                )
        })
}

/// A read of untrusted input.
struct InputRead<'tree> {
    node: Node<'tree>,
    /// How the message names it: `req.body`, `await request.json()`, `formData`.
    description: String,
}

struct HandlerReader<'a, 'b, 'tree> {
    rule: &'a UnvalidatedInput,
    context: &'a RuleContext<'b>,
    function: Node<'tree>,
    handler: &'a Handler,
    /// The handler's assignments and declarations (target, value), read once for all its
    /// sources.
    assignments: OnceCell<Vec<(Node<'tree>, Node<'tree>)>>,
    /// The arguments of the handler's validation calls, likewise.
    validations: OnceCell<Vec<Node<'tree>>>,
    /// The parent of each node of the handler, by node id ([`HandlerReader::parent`]).
    parents: OnceCell<HashMap<usize, Node<'tree>>>,
}

impl<'tree> HandlerReader<'_, '_, 'tree> {
    fn text(&self, node: Node<'_>) -> &str {
        self.context.text(node)
    }

    /// The node around `node`. Inside the handler it is looked up in a map made by one walk
    /// of the handler: `Node::parent` descends from the root of the file at every call, and
    /// the checks of a handler ask for the parents of every read, which made a handler whose
    /// response joins thousands of reads quadratic.
    fn parent(&self, node: Node<'tree>) -> Option<Node<'tree>> {
        let parents = self.parents.get_or_init(|| {
            let mut parents = HashMap::new();
            let mut pending = vec![self.function];
            while let Some(node) = pending.pop() {
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    parents.insert(child.id(), node);
                    pending.push(child);
                }
            }
            parents
        });
        match parents.get(&node.id()) {
            Some(parent) => Some(*parent),
            None => node.parent(),
        }
    }

    /// Whether a node is the target of an assignment: `ctx.body = …` writes, it does not read.
    fn is_assigned(&self, node: Node<'tree>) -> bool {
        self.parent(node).is_some_and(|parent| {
            matches!(
                parent.kind(),
                "assignment_expression" | "augmented_assignment_expression"
            ) && parent
                .field("left")
                .is_some_and(|left| left.id() == node.id())
        })
    }

    /// Whether a node is the function of the call around it: `request.get_json` in
    /// `request.get_json()`.
    fn is_callee(&self, node: Node<'tree>) -> bool {
        self.parent(node).is_some_and(|parent| {
            parent.kind() == "call"
                && parent
                    .field("function")
                    .is_some_and(|function| function.id() == node.id())
        })
    }

    /// The reads of input in the handler, in source order.
    fn sources(&self) -> Vec<InputRead<'tree>> {
        match self.context.grammar {
            Grammar::Python => self.python_sources(),
            Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript => self.js_sources(),
        }
    }

    fn parameters(&self) -> Vec<Node<'tree>> {
        let Some(parameters) = self.function.field("parameters") else {
            // `req => …`: an arrow function's single parameter.
            return self.function.field("parameter").into_iter().collect();
        };
        let mut cursor = parameters.walk();
        let found = parameters
            .named_children(&mut cursor)
            .filter(|parameter| !matches!(parameter.kind(), "comment" | "decorator"))
            .collect();
        found
    }

    /// The identifier a parameter binds, when it binds one name.
    fn parameter_name(&self, parameter: Node<'tree>) -> Option<Node<'tree>> {
        match parameter.kind() {
            "identifier" => Some(parameter),
            "required_parameter"
            | "optional_parameter"
            | "typed_parameter"
            | "default_parameter"
            | "typed_default_parameter" => {
                let pattern = parameter
                    .field("pattern")
                    .or_else(|| parameter.field("name"))
                    .or_else(|| parameter.named_child(0))?;
                (pattern.kind() == "identifier").then_some(pattern)
            }
            _ => None,
        }
    }

    fn js_sources(&self) -> Vec<InputRead<'tree>> {
        let parameters = self.parameters();
        match self.handler.framework {
            Framework::ServerAction => return self.parameter_reads(&parameters, |_| true),
            Framework::NestJs => {
                return self.parameter_reads(&parameters, |parameter| {
                    self.is_unvalidated_nest_input(parameter)
                })
            }
            _ => {}
        }
        let Some(request) = parameters
            .first()
            .and_then(|first| self.parameter_name(*first))
        else {
            return Vec::new();
        };
        let request = self.text(request);
        // Hono's context holds the request in `c.req`, Koa's in `ctx.request` (and also answers
        // `ctx.query` itself).
        let requests = [
            request.to_owned(),
            format!("{request}.req"),
            format!("{request}.request"),
        ];
        let mut reads = Vec::new();
        for node in preorder(self.function) {
            let read = match node.kind() {
                "member_expression" => {
                    let Some((object, property)) = member_parts(node) else {
                        continue;
                    };
                    let property = self.text(property);
                    let is_request = requests.iter().any(|name| name == self.text(object));
                    let is_member = JS_REQUEST_MEMBERS.contains(&property)
                        || self.rule.sources.iter().any(|source| source == property);
                    let called = self.parent(node).is_some_and(|parent| {
                        parent.kind() == "call_expression"
                            && parent
                                .field("function")
                                .is_some_and(|function| function.id() == node.id())
                    });
                    // Koa's `ctx.body` is the response; the request's is `ctx.request.body`.
                    let koa_response = self.handler.framework == Framework::Koa
                        && property == "body"
                        && self.text(object) == request;
                    let request_input =
                        is_request && is_member && !koa_response && !self.is_assigned(node);
                    ((request_input || property == "searchParams") && !called).then_some(node)
                }
                "call_expression" => {
                    let Some(function) = node.field("function") else {
                        continue;
                    };
                    match member_parts(function) {
                        Some((object, property))
                            if JS_REQUEST_READERS.contains(&self.text(property))
                                && requests.iter().any(|name| name == self.text(object)) =>
                        {
                            Some(node)
                        }
                        // `searchParams.get("q")`, `url.searchParams.getAll("tag")`.
                        Some((object, property))
                            if matches!(self.text(property), "get" | "getAll")
                                && self.text(object).ends_with("searchParams") =>
                        {
                            Some(node)
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(read) = read {
                // `request.nextUrl.searchParams` inside `req.nextUrl`: one read, the outer one.
                if reads
                    .last()
                    .is_some_and(|last: &InputRead<'_>| contains(last.node, read))
                {
                    continue;
                }
                reads.push(InputRead {
                    node: read,
                    description: self.describe(read),
                });
            }
        }
        reads
    }

    /// NestJS: a `@Body()` or whole `@Query()` parameter typed with no class (`any`, an object
    /// type, `Record<…>`), and no validation pipe given to the decorator.
    fn is_unvalidated_nest_input(&self, parameter: Node<'tree>) -> bool {
        let mut cursor = parameter.walk();
        let decorators: Vec<Node<'_>> = parameter
            .children(&mut cursor)
            .filter(|child| child.kind() == "decorator")
            .collect();
        let reads_whole_input = decorators.iter().any(|decorator| {
            let text = self.text(*decorator);
            text.starts_with("@Body()") || text.starts_with("@Query()")
        });
        if !reads_whole_input {
            return false;
        }
        let type_text = parameter
            .field("type")
            .map(|annotation| {
                self.text(annotation)
                    .trim_start_matches(':')
                    .trim()
                    .to_owned()
            })
            .unwrap_or_default();
        let first = type_text.chars().next();
        let is_class = first.is_some_and(|c| c.is_ascii_uppercase())
            && !type_text.starts_with("Record<")
            && !type_text.starts_with("Partial<");
        !is_class
    }

    /// Every use of the named parameters that `untrusted` selects.
    fn parameter_reads(
        &self,
        parameters: &[Node<'tree>],
        untrusted: impl Fn(Node<'tree>) -> bool,
    ) -> Vec<InputRead<'tree>> {
        let names: Vec<&str> = parameters
            .iter()
            .filter(|parameter| untrusted(**parameter))
            .filter_map(|parameter| self.parameter_name(*parameter))
            .map(|name| self.text(name))
            .filter(|name| !word_parts(name).iter().any(|word| word == "state"))
            .collect();
        let body = self.function.field("body");
        let Some(body) = body else {
            return Vec::new();
        };
        preorder(body)
            .filter(|node| {
                matches!(node.kind(), "identifier" | "shorthand_property_identifier")
                    && names.contains(&self.text(*node))
            })
            .map(|node| InputRead {
                node,
                description: self.text(node).to_owned(),
            })
            .collect()
    }

    fn python_sources(&self) -> Vec<InputRead<'tree>> {
        let parameters = self.parameters();
        let mut requests: Vec<String> = Vec::new();
        let mut unvalidated_parameters = Vec::new();
        for parameter in &parameters {
            let Some(name) = self.parameter_name(*parameter) else {
                continue;
            };
            let name = self.text(name);
            let annotation = parameter
                .field("type")
                .map(|annotation| self.text(annotation))
                .unwrap_or("");
            if name == "request"
                || annotation == "Request"
                || annotation.ends_with(".Request")
                || annotation == "HttpRequest"
            {
                requests.push(name.to_owned());
            }
            let untyped_mapping = annotation == "dict"
                || annotation.starts_with("dict[")
                || annotation.starts_with("Dict")
                || annotation == "Any";
            if matches!(
                self.handler.framework,
                Framework::FastApi | Framework::DjangoNinja
            ) && untyped_mapping
            {
                unvalidated_parameters.push(*parameter);
            }
        }
        if self.handler.framework == Framework::Flask {
            requests.push("request".to_owned());
        }
        let mut reads = self.parameter_reads(&unvalidated_parameters, |_| true);
        for node in preorder(self.function) {
            let read = match node.kind() {
                "attribute" => {
                    let Some((object, attribute)) = member_parts(node) else {
                        continue;
                    };
                    let attribute = self.text(attribute);
                    let is_member = PYTHON_REQUEST_MEMBERS.contains(&attribute)
                        || self.rule.sources.iter().any(|source| source == attribute);
                    let called = self.is_callee(node);
                    (requests.iter().any(|name| name == self.text(object)) && is_member && !called)
                        .then_some(node)
                }
                "call" => self.python_reader_call(node, &requests),
                _ => None,
            };
            if let Some(read) = read {
                if reads
                    .iter()
                    .any(|earlier: &InputRead<'_>| contains(earlier.node, read))
                {
                    continue;
                }
                reads.push(InputRead {
                    node: read,
                    description: self.describe(read),
                });
            }
        }
        reads.sort_by_key(|read| read.node.start_byte());
        reads
    }

    /// `request.get_json()`, `await request.json()`, `json.loads(request.body)`.
    fn python_reader_call(&self, call: Node<'tree>, requests: &[String]) -> Option<Node<'tree>> {
        let function = call.field("function")?;
        let (object, method) = member_parts(function)?;
        let method = self.text(method);
        if PYTHON_REQUEST_READERS.contains(&method)
            && requests.iter().any(|name| name == self.text(object))
        {
            return Some(call);
        }
        if self.text(function) == "json.loads" {
            let arguments = call.field("arguments")?;
            let body = requests
                .iter()
                .any(|name| self.text(arguments).contains(&format!("{name}.body")));
            return body.then_some(call);
        }
        None
    }

    /// How a read shows in the message: its text, on one line, with the `await` before it.
    fn describe(&self, read: Node<'tree>) -> String {
        let shown = match self.parent(read) {
            Some(parent) if matches!(parent.kind(), "await_expression" | "await") => parent,
            _ => read,
        };
        let text: String = self
            .text(shown)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if text.chars().count() > 60 {
            let cut: String = text.chars().take(57).collect();
            format!("{cut}…")
        } else {
            text
        }
    }

    /// The expression a read's value is used as: `req.body.email`, `await req.json()`,
    /// `request.POST["name"]`, `request.GET.get("page")`.
    fn value_of(&self, read: Node<'tree>) -> Node<'tree> {
        let mut value = read;
        while let Some(parent) = self.parent(value) {
            let extends = match parent.kind() {
                "member_expression" | "attribute" | "subscript_expression" | "subscript" => parent
                    .field("object")
                    .or_else(|| parent.field("value"))
                    .is_some_and(|object| object.id() == value.id()),
                "await_expression"
                | "await"
                | "parenthesized_expression"
                | "as_expression"
                | "non_null_expression" => true,
                "call_expression" | "call" => parent
                    .field("function")
                    .is_some_and(|function| function.id() == value.id()),
                _ => false,
            };
            if !extends {
                break;
            }
            value = parent;
        }
        value
    }

    /// Whether a read takes the whole input (`request.data`, `await req.json()`), not one
    /// field of it (`request.POST.get("next")`, `req.body.email`).
    fn reads_whole(&self, read: &InputRead<'tree>) -> bool {
        let value = self.value_of(read.node);
        let mut node = read.node;
        while node.id() != value.id() {
            match self.parent(node) {
                Some(parent)
                    if matches!(
                        parent.kind(),
                        "await_expression"
                            | "await"
                            | "parenthesized_expression"
                            | "as_expression"
                            | "non_null_expression"
                    ) =>
                {
                    node = parent;
                }
                _ => return false,
            }
        }
        true
    }

    /// The field a read takes, named the same way however it is read: `request.data[k]` for
    /// `request.data.get("k", [])` and `request.data["k"]`, `req.body[email]` for
    /// `req.body.email`.
    fn field(&self, read: &InputRead<'tree>) -> Option<String> {
        let parent = self.parent(read.node)?;
        let key = match parent.kind() {
            "subscript" | "subscript_expression" => parent
                .field("subscript")
                .or_else(|| parent.field("index"))?,
            _ => {
                let (object, property) = member_parts(parent)?;
                if object.id() != read.node.id() {
                    return None;
                }
                let getter = self
                    .parent(parent)
                    .filter(|call| matches!(call.kind(), "call" | "call_expression"))
                    .filter(|_| matches!(self.text(property), "get" | "getlist" | "getAll"));
                match getter {
                    Some(call) => call
                        .field("arguments")
                        .and_then(|arguments| arguments.named_child(0))?,
                    None => property,
                }
            }
        };
        let key = self.text(key).trim_matches(['"', '\'', '`']);
        Some(format!("{}[{key}]", read.description))
    }

    /// The names that hold the read's value or something built from it, in this handler:
    /// `body` in `const body = await req.json()`, `email` in `const { email } = req.body`, and
    /// `data` in `const data = Object.fromEntries(body)`.
    fn holders(&self, read: Node<'tree>) -> Vec<String> {
        let assignments = self.assignments();
        let value = self.value_of(read);
        let mut holders: Vec<String> = Vec::new();
        for (target, assigned) in assignments {
            if contains(*assigned, value) {
                holders.extend(self.bound_names(*target));
            }
        }
        // Values built from a holder hold the input too (three steps are plenty in a handler).
        for _ in 0..3 {
            let before = holders.len();
            for (target, assigned) in assignments {
                let uses_holder = preorder(*assigned).any(|node| {
                    node.kind() == "identifier"
                        && holders.iter().any(|holder| holder == self.text(node))
                });
                if uses_holder {
                    for name in self.bound_names(*target) {
                        if !holders.contains(&name) {
                            holders.push(name);
                        }
                    }
                }
            }
            if holders.len() == before {
                break;
            }
        }
        holders
    }

    fn assignments(&self) -> &[(Node<'tree>, Node<'tree>)] {
        self.assignments.get_or_init(|| {
            preorder(self.function)
                .filter_map(assignment_parts)
                .collect()
        })
    }

    /// The names a declaration or assignment target binds: `x`, `{ a, b: c }`, `[a, b]`, `a, b`.
    fn bound_names(&self, target: Node<'tree>) -> Vec<String> {
        preorder(target)
            .filter(|node| {
                matches!(
                    node.kind(),
                    "identifier" | "shorthand_property_identifier_pattern"
                )
            })
            .filter(|node| {
                // `{ key: name }` binds `name`, not `key`.
                self.parent(*node).is_none_or(|parent| {
                    parent.kind() != "pair_pattern"
                        || parent
                            .field("value")
                            .is_some_and(|value| value.id() == node.id())
                })
            })
            .map(|node| self.text(node).to_owned())
            .collect()
    }

    /// Whether a validation call in the handler receives the read or a holder of its value.
    fn is_validated(&self, read: &InputRead<'tree>) -> bool {
        let validations = self.validations.get_or_init(|| {
            preorder(self.function)
                .filter(|node| matches!(node.kind(), "call_expression" | "call" | "new_expression"))
                .filter_map(|call| {
                    let arguments = call.field("arguments")?;
                    self.is_validation_call(call, arguments)
                        .then_some(arguments)
                })
                .collect()
        });
        if validations.is_empty() {
            return false;
        }
        let holders = self.holders(read.node);
        validations.iter().any(|arguments| {
            contains(*arguments, read.node)
                || preorder(*arguments).any(|node| {
                    node.kind() == "identifier"
                        && holders.iter().any(|holder| holder == self.text(node))
                })
        })
    }

    fn is_validation_call(&self, call: Node<'tree>, arguments: Node<'tree>) -> bool {
        let Some(callee) = call.field("function").or_else(|| call.field("constructor")) else {
            return false;
        };
        let callee_text = self.text(callee);
        let name = callee_text.rsplit('.').next().unwrap_or(callee_text);
        let is_method = callee_text.contains('.');
        let lower = callee_text.to_ascii_lowercase();
        if self
            .rule
            .validators
            .iter()
            .any(|validator| validator == name || validator == callee_text)
        {
            return true;
        }
        if (is_method && VALIDATING_METHODS.contains(&name) && name != "create" && name != "load")
            || (!is_method && VALIDATING_FUNCTIONS.contains(&name))
        {
            return true;
        }
        // superstruct's `create(value, Struct)` and marshmallow's `schema.load(data)` need a
        // schema in sight, as `create`/`load` mean other things elsewhere.
        let schema_in_sight = lower.contains("schema") || self.has_schema_argument(arguments);
        if matches!(name, "create" | "load") && schema_in_sight {
            return true;
        }
        // Projects wrap validation (`parseRequest(req, schema)`, `validateBody(body)`), and
        // Django and DRF validate through forms and serializers built from the input.
        if lower.contains("validat") || schema_in_sight {
            return true;
        }
        // `OrderForm(request.POST)`, `self.form_class(request.POST)`, `get_serializer(data=…)`.
        let is_form = word_parts(name).iter().any(|word| {
            matches!(
                word.as_str(),
                "form" | "formset" | "serializer" | "schema" | "validator"
            )
        });
        if is_form {
            return true;
        }
        // Django's `url_has_allowed_host_and_scheme(next_url, …)`, a project's
        // `get_safe_redirect_url(next_url)`: the check a redirect target needs.
        let words = word_parts(name);
        let has_word = |word: &str| words.iter().any(|part| part == word);
        if (has_word("safe") && (has_word("url") || has_word("redirect")))
            || name == "url_has_allowed_host_and_scheme"
        {
            return true;
        }
        let first = name.chars().next();
        let is_class = first.is_some_and(|c| c.is_ascii_uppercase());
        // Pydantic: `Model(**data)`.
        is_class && preorder(arguments).any(|node| node.kind() == "dictionary_splat")
    }

    /// An argument that is a schema: built with `z.`/`yup.`/`Joi.`/`v.`, or named `…Schema`,
    /// `…schema`, `…Validator`.
    fn has_schema_argument(&self, arguments: Node<'tree>) -> bool {
        let mut cursor = arguments.walk();
        let found = arguments.named_children(&mut cursor).any(|argument| {
            let text = self.text(argument);
            ["z.", "yup.", "Joi.", "v."]
                .iter()
                .any(|prefix| text.starts_with(prefix))
                || text.ends_with("Schema")
                || text.ends_with("schema")
                || text.ends_with("Validator")
        });
        found
    }

    /// Reads that carry no value into the handler's work: compared with a constant
    /// (`req.query.format === "csv"`), logged, or passed through (`request.GET.urlencode()`).
    fn is_harmless(&self, read: &InputRead<'tree>) -> bool {
        let value = self.value_of(read.node);
        if value.id() != read.node.id() {
            if let Some(function) = value.field("function") {
                let method = self.text(function).rsplit('.').next().unwrap_or("");
                if PASSING_METHODS.contains(&method) {
                    return true;
                }
            }
        }
        if read.node.kind() == "identifier"
            && value.id() == read.node.id()
            && self.is_delegated(value)
        {
            return true;
        }
        if self.is_harmless_use(value)
            || self.converts_to_number(value)
            || self.is_allow_listed(value)
        {
            return true;
        }
        // `tab = request.GET.get("tab")`, then only `if tab == "overview":`.
        let Some((target, _)) = self.assignment_of(value) else {
            return false;
        };
        let name = self.text(target);
        let uses: Vec<Node<'_>> = preorder(self.function)
            .filter(|node| is_variable_reference(*node) && self.text(*node) == name)
            .filter(|node| node.id() != target.id())
            .collect();
        !uses.is_empty()
            && uses.iter().all(|used| {
                self.is_harmless_use(*used)
                    || self.is_allow_listed(*used)
                    || self.is_intersected_with_constant(*used)
                    || self.is_guarded_by_allow_list(*used)
            })
    }

    /// Whether a value is checked against a literal list (`["asc", "desc"].includes(order)`),
    /// or used inside an `if` that first checks it: `if sort in ("name", "-name"):
    /// qs.order_by(sort)`.
    fn is_allow_listed(&self, value: Node<'tree>) -> bool {
        let text = self.text(value);
        let checking_call = self
            .parent(value)
            .filter(|arguments| arguments.kind() == "arguments")
            .and_then(|arguments| self.parent(arguments));
        if checking_call.is_some_and(|call| self.allow_lists(call, text)) {
            return true;
        }
        let mut inner = value;
        while let Some(parent) = self.parent(inner) {
            if parent.id() == self.function.id() {
                return false;
            }
            let condition = parent
                .field("condition")
                .filter(|_| matches!(parent.kind(), "if_statement" | "elif_clause"))
                .filter(|condition| !contains(*condition, value));
            if let Some(condition) = condition {
                if preorder(condition).any(|check| self.allow_lists(check, text)) {
                    return true;
                }
            }
            inner = parent;
        }
        false
    }

    /// Whether an earlier statement turns the request away unless the value is in a list:
    /// `if segment not in VALID_FIELDS: return Response(status=400)`, then `segment` is used.
    fn is_guarded_by_allow_list(&self, value: Node<'tree>) -> bool {
        let text = self.text(value);
        let mut inner = value;
        while let Some(parent) = self.parent(inner) {
            if matches!(parent.kind(), "block" | "statement_block") {
                let mut previous = inner.prev_named_sibling();
                while let Some(statement) = previous {
                    let guards = statement.kind() == "if_statement"
                        && statement.field("consequence").is_some_and(ends_the_request)
                        && statement.field("condition").is_some_and(|condition| {
                            preorder(condition).any(|check| {
                                self.allow_lists(check, text) && self.is_negated(check)
                            })
                        });
                    if guards {
                        return true;
                    }
                    previous = statement.prev_named_sibling();
                }
            }
            if parent.id() == self.function.id() {
                return false;
            }
            inner = parent;
        }
        false
    }

    /// Whether a membership check holds when the value is *not* in the list: `x not in LIST`,
    /// `!LIST.includes(x)`, `not x in LIST`. A guard that turns away values that are in a list
    /// is a deny-list, which lets everything else through.
    fn is_negated(&self, check: Node<'tree>) -> bool {
        (check.kind() == "comparison_operator" && self.comparison_operator(check) == "not in")
            || self.parent(check).is_some_and(|parent| {
                parent.kind() == "not_operator"
                    || (parent.kind() == "unary_expression"
                        && parent
                            .field("operator")
                            .is_some_and(|operator| self.text(operator) == "!"))
            })
    }

    /// Whether a value only reaches the handler's work through an intersection with a constant
    /// set: `set(f.strip() for f in fields) & set(ALLOWED_FIELDS)`, `set(fields).intersection(
    /// ALLOWED)`.
    fn is_intersected_with_constant(&self, value: Node<'tree>) -> bool {
        let is_constant_set = |node: Node<'_>| {
            let text = self.text(node);
            let inner = ["set(", "frozenset("]
                .iter()
                .find_map(|wrapper| text.strip_prefix(wrapper)?.strip_suffix(')'))
                .unwrap_or(text);
            matches!(node.kind(), "set" | "list" | "tuple") || is_constant_name(inner)
        };
        let mut inner = value;
        while let Some(parent) = self.parent(inner) {
            match parent.kind() {
                "generator_expression"
                | "list_comprehension"
                | "set_comprehension"
                | "for_in_clause"
                | "argument_list"
                | "parenthesized_expression" => {}
                "call" => {
                    let callee = parent
                        .field("function")
                        .map(|function| self.text(function))
                        .unwrap_or("");
                    if let Some(set) = callee.strip_suffix(".intersection") {
                        let intersected = parent
                            .field("arguments")
                            .and_then(|arguments| arguments.named_child(0));
                        return intersected.is_some_and(is_constant_set) || is_constant_name(set);
                    }
                    if !matches!(
                        callee,
                        "set" | "frozenset" | "filter" | "list" | "tuple" | "sorted" | "map"
                    ) {
                        return false;
                    }
                }
                "attribute" => {
                    let intersected = parent
                        .field("attribute")
                        .filter(|method| self.text(*method) == "intersection")
                        .and_then(|_| self.parent(parent))
                        .filter(|call| call.kind() == "call")
                        .and_then(|call| call.field("arguments"))
                        .and_then(|arguments| arguments.named_child(0));
                    return intersected.is_some_and(is_constant_set);
                }
                "binary_operator" => {
                    let is_and = parent
                        .field("operator")
                        .is_some_and(|operator| self.text(operator) == "&");
                    let mut cursor = parent.walk();
                    let other_is_constant = parent
                        .named_children(&mut cursor)
                        .filter(|operand| operand.id() != inner.id())
                        .all(is_constant_set);
                    return is_and && other_is_constant;
                }
                _ => return false,
            }
            inner = parent;
        }
        false
    }

    /// Whether a node checks `text` against a literal list: `text in ["a", "b"]`,
    /// `["a", "b"].includes(text)`.
    fn allow_lists(&self, check: Node<'tree>, text: &str) -> bool {
        let is_literal_list = |node: Node<'tree>| {
            matches!(node.kind(), "list" | "tuple" | "set" | "array")
                || (matches!(
                    node.kind(),
                    "identifier" | "attribute" | "member_expression"
                ) && self.is_server_value(node))
        };
        match check.kind() {
            "comparison_operator" if matches!(self.comparison_operator(check), "in" | "not in") => {
                let mut cursor = check.walk();
                let operands: Vec<Node<'_>> = check.named_children(&mut cursor).collect();
                operands.len() == 2
                    && self.text(operands[0]) == text
                    && is_literal_list(operands[1])
            }
            "call_expression" => {
                let Some((list, method)) = check.field("function").and_then(member_parts) else {
                    return false;
                };
                is_literal_list(list)
                    && self.text(method) == "includes"
                    && check
                        .field("arguments")
                        .and_then(|arguments| arguments.named_child(0))
                        .is_some_and(|argument| self.text(argument) == text)
            }
            _ => false,
        }
    }

    /// Flask's `request.args.get("page", 1, type=int)`: read as a number.
    fn converts_to_number(&self, value: Node<'tree>) -> bool {
        let Some(arguments) = value.field("arguments").filter(|_| value.kind() == "call") else {
            return false;
        };
        let mut cursor = arguments.walk();
        let converts = arguments.named_children(&mut cursor).any(|argument| {
            argument.kind() == "keyword_argument"
                && argument
                    .field("name")
                    .is_some_and(|name| self.text(name) == "type")
                && argument
                    .field("value")
                    .is_some_and(|kind| matches!(self.text(kind), "int" | "float" | "bool"))
        });
        converts
    }

    /// The plain name a value is assigned to: `x = value`, `const x = value`.
    fn assignment_of(&self, value: Node<'tree>) -> Option<(Node<'tree>, Node<'tree>)> {
        let (target, assigned) = assignment_parts(self.parent(value)?)?;
        (assigned.id() == value.id() && target.kind() == "identifier").then_some((target, assigned))
    }

    /// Whether a use of input carries no value into the handler's work: a comparison with a
    /// constant, a presence test (`if request.data.get("email"):`), a number conversion
    /// (`int(request.GET.get("page", 1))`), or a log call.
    fn is_harmless_use(&self, value: Node<'tree>) -> bool {
        let Some(parent) = self.parent(value) else {
            return false;
        };
        let is_condition = |field: &'static str| {
            parent
                .field(field)
                .is_some_and(|condition| condition.id() == value.id())
        };
        if matches!(
            parent.kind(),
            "if_statement" | "elif_clause" | "while_statement"
        ) && is_condition("condition")
        {
            return true;
        }
        if matches!(parent.kind(), "not_operator" | "unary_expression") {
            return true;
        }
        if self.is_tested_in_condition(value) {
            return true;
        }
        if let Some(call) = self
            .parent(parent)
            .filter(|_| matches!(parent.kind(), "arguments" | "argument_list"))
        {
            let callee = call
                .field("function")
                .map(|function| self.text(function))
                .unwrap_or("");
            if matches!(
                callee,
                "int" | "float" | "Number" | "parseInt" | "parseFloat" | "bool" | "Boolean"
            ) {
                return true;
            }
        }
        match parent.kind() {
            "binary_expression" | "comparison_operator" => {
                let operator = parent
                    .field("operator")
                    .map(|operator| self.text(operator))
                    .unwrap_or_else(|| self.comparison_operator(parent));
                let mut cursor = parent.walk();
                let other_is_literal = parent
                    .named_children(&mut cursor)
                    .filter(|operand| operand.id() != value.id())
                    .all(|operand| {
                        matches!(
                            operand.kind(),
                            "string"
                                | "number"
                                | "integer"
                                | "true"
                                | "false"
                                | "null"
                                | "undefined"
                                | "none"
                                | "tuple"
                                | "list"
                                | "array"
                        ) || self.is_server_value(operand)
                    });
                // An equality test yields a boolean whatever it compares with: the input goes
                // no further (`if (body.password !== body.confirmation)`).
                matches!(operator, "===" | "==" | "!==" | "!=")
                    || (matches!(operator, "in" | "not in" | "is" | "is not") && other_is_literal)
            }
            "arguments" | "argument_list" => self.parent(parent).is_some_and(|call| {
                call.field("function").is_some_and(|function| {
                    let callee = self.text(function);
                    let method = callee.rsplit('.').next().unwrap_or(callee);
                    callee.starts_with("console.")
                        || callee.starts_with("logger.")
                        || callee.starts_with("log.")
                        || callee.starts_with("logging.")
                        || CHECKING_METHODS.contains(&method)
                        || (method == "compare" && callee.starts_with("bcrypt"))
                })
            }),
            _ => false,
        }
    }

    /// Whether a value is an operand of `and`/`or` (`&&`/`||`) in an `if` or `while`
    /// condition: `if request.POST.get("name") and …`, a presence test.
    fn is_tested_in_condition(&self, value: Node<'tree>) -> bool {
        let mut operand = value;
        let mut in_logic = false;
        while let Some(parent) = self.parent(operand) {
            let is_logic = match parent.kind() {
                "boolean_operator" => true,
                "binary_expression" => parent
                    .field("operator")
                    .is_some_and(|operator| matches!(self.text(operator), "&&" | "||")),
                "parenthesized_expression" => true,
                _ => false,
            };
            if !is_logic {
                return in_logic
                    && matches!(
                        parent.kind(),
                        "if_statement" | "elif_clause" | "while_statement"
                    )
                    && parent
                        .field("condition")
                        .is_some_and(|condition| condition.id() == operand.id());
            }
            in_logic |= parent.kind() != "parenthesized_expression";
            operand = parent;
        }
        false
    }

    /// Whether an operand is a value the server holds, which a comparison checks input
    /// against: a constant (`settings.SITE_NAME`, `MAX_SIZE`) or the session
    /// (`request.session["state"]`).
    /// A local name holding such a value counts too: `site_name = getattr(settings,
    /// "SITE_NAME", "")`.
    fn is_server_value(&self, operand: Node<'tree>) -> bool {
        let text = self.text(operand);
        let last = text
            .rsplit(['.', '['])
            .next()
            .unwrap_or(text)
            .trim_end_matches([']', '"', '\'']);
        if is_constant_name(last) || text.contains(".session[") || text.contains(".session.") {
            return true;
        }
        if operand.kind() != "identifier" {
            return false;
        }
        let assigned: Vec<Node<'_>> = self
            .assignments()
            .iter()
            .filter(|(target, _)| target.kind() == "identifier" && self.text(*target) == text)
            .map(|(_, value)| *value)
            .collect();
        !assigned.is_empty()
            && assigned.iter().all(|value| {
                let value_text = self.text(*value);
                value_text.starts_with("settings.")
                    || value_text.starts_with("getattr(settings,")
                    || match value.kind() {
                        "identifier" => is_constant_name(value_text),
                        _ => self.is_server_value(*value),
                    }
            })
    }

    /// Whether a parameter is handed whole to another function (`handle(args)`,
    /// `handle({ ...args, config })`), which is where its validation is, as when a handler passes
    /// its whole `req` on. Not when that function is a database call: that is the use.
    fn is_delegated(&self, parameter: Node<'tree>) -> bool {
        let mut argument = parameter;
        if let Some(spread) = self
            .parent(argument)
            .filter(|parent| parent.kind() == "spread_element")
        {
            match self
                .parent(spread)
                .filter(|object| object.kind() == "object")
            {
                Some(object) => argument = object,
                None => return false,
            }
        }
        let Some(call) = self
            .parent(argument)
            .filter(|arguments| arguments.kind() == "arguments")
            .and_then(|arguments| self.parent(arguments))
            .filter(|call| call.kind() == "call_expression")
        else {
            return false;
        };
        self.context
            .semantic
            .databases()
            .call(call, self.context.source)
            .is_none()
    }

    /// The operator of a Python comparison, which tree-sitter keeps as an anonymous child.
    fn comparison_operator(&self, comparison: Node<'tree>) -> &str {
        let mut cursor = comparison.walk();
        let operator = comparison
            .children(&mut cursor)
            .find(|child| !child.is_named())
            .map(|child| self.text(child))
            .unwrap_or("");
        operator
    }
}

/// Whether a branch ends the handler: its last statement returns, raises or throws.
fn ends_the_request(branch: Node<'_>) -> bool {
    let last = match branch.kind() {
        "block" | "statement_block" => {
            let mut cursor = branch.walk();
            let statements: Vec<Node<'_>> = branch
                .named_children(&mut cursor)
                .filter(|statement| statement.kind() != "comment")
                .collect();
            statements.last().copied()
        }
        _ => Some(branch),
    };
    last.is_some_and(|statement| {
        matches!(
            statement.kind(),
            "return_statement" | "raise_statement" | "throw_statement"
        )
    })
}

/// Whether `outer` contains `inner` (or is it).
fn contains(outer: Node<'_>, inner: Node<'_>) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}
