//! error-details-leak: an HTTP response that carries a caught exception's message, stack or
//! text, which tells an attacker about the code, its queries, paths and dependencies.

use backlint_engine::names::word_parts;
use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::semantic::Imported;
use backlint_engine::syntax::{member_parts, Fields};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::syntax::is_function;
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "error-details-leak",
    docs: include_str!("../../../../rules/error-details-leak.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files that are not checked: tests, whose servers answer only their test.
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
    let ignore_paths = glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?;
    Ok(Box::new(ErrorDetailsLeak { ignore_paths }))
}

fn error_details_leak_message(detail: &str) -> String {
    format!("`{detail}` sends the caught exception's details to the client: log them on the server and respond with a generic message.")
}

/// Names of the response object of Express, Fastify and Node's `http`: `res.status(500)
/// .json(…)`, `reply.code(500).send(…)`.
const RESPONSE_OBJECTS: &[&str] = &["res", "response", "reply", "resp"];

/// Methods of a response object that send a body.
const SENDING_METHODS: &[&str] = &["json", "send", "end", "jsonp", "write"];

/// Exception classes whose message is about the server's internals, not the user's input:
/// catching one of these (or anything broader) and sending its text leaks. Narrower classes
/// (a project's `AppError`, `ValidationError`, `ValueError`, `KeyError`) carry messages their
/// code wrote for the caller.
const GENERIC_EXCEPTIONS: &[&str] = &[
    "Exception",
    "BaseException",
    "Error",
    "RuntimeError",
    "OSError",
    "IOError",
    "EnvironmentError",
    "ConnectionError",
    "TimeoutError",
    "DatabaseError",
    "OperationalError",
    "ProgrammingError",
    "IntegrityError",
    "InterfaceError",
    "SQLAlchemyError",
    "DBAPIError",
    "RequestException",
    "CalledProcessError",
    "ClientError",
    "BotoCoreError",
    "PyMongoError",
];

/// Python calls that turn an exception into its text.
const TEXT_OF: &[&str] = &["str", "repr", "format", "String"];

/// `traceback` functions that render the current exception.
const TRACEBACK_FUNCTIONS: &[&str] = &[
    "format_exc",
    "format_exception",
    "format_tb",
    "format_stack",
    "print_exc",
];

struct ErrorDetailsLeak {
    ignore_paths: GlobSet,
}

impl Rule for ErrorDetailsLeak {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &["call_expression", "new_expression"],
            Language::Python => &["call", "return_statement"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let response = match node.kind() {
            "return_statement" => flask_tuple(node, context),
            "call" => python_response(node, context),
            _ => javascript_response(node, context),
        };
        let Some(response) = response else {
            return;
        };
        if matches!(response.status, Status::Unknown | Status::Code(400..=499)) {
            return;
        }
        let Some(detail) = response
            .payload
            .into_iter()
            .find_map(|payload| exception_detail(payload, context))
        else {
            return;
        };
        let message = error_details_leak_message(&compact(context.text(detail)));
        context.report(detail, message);
    }
}

/// The status a response is sent with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// None given: the framework's default, 200.
    Default,
    Code(u16),
    /// Given, but not as a constant (`res.status(err.status || 500)`).
    Unknown,
}

/// A response being built: what it sends, and with which status.
struct Response<'tree> {
    payload: Vec<Node<'tree>>,
    status: Status,
}

/// The status an expression names: `500`, `500 as const`, `HttpStatus.BAD_REQUEST`,
/// `status.HTTP_500_INTERNAL_SERVER_ERROR`, `HTTPStatus.INTERNAL_SERVER_ERROR`.
fn status_of(node: Node<'_>, context: &RuleContext<'_>) -> Status {
    let mut node = node;
    while matches!(
        node.kind(),
        "as_expression" | "parenthesized_expression" | "satisfies_expression"
    ) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => return Status::Unknown,
        }
    }
    let text = context.text(node);
    if let Ok(code) = text.parse::<u16>() {
        return Status::Code(code);
    }
    let name = text.rsplit('.').next().unwrap_or(text);
    if let Some(code) = name
        .strip_prefix("HTTP_")
        .and_then(|rest| rest.get(..3))
        .and_then(|digits| digits.parse::<u16>().ok())
    {
        return Status::Code(code);
    }
    let code = match name {
        "BAD_REQUEST" => 400,
        "UNAUTHORIZED" => 401,
        "PAYMENT_REQUIRED" => 402,
        "FORBIDDEN" => 403,
        "NOT_FOUND" => 404,
        "METHOD_NOT_ALLOWED" => 405,
        "NOT_ACCEPTABLE" => 406,
        "CONFLICT" => 409,
        "GONE" => 410,
        "PRECONDITION_FAILED" => 412,
        "PAYLOAD_TOO_LARGE" | "REQUEST_ENTITY_TOO_LARGE" => 413,
        "UNSUPPORTED_MEDIA_TYPE" => 415,
        "UNPROCESSABLE_ENTITY" | "UNPROCESSABLE_CONTENT" => 422,
        "TOO_MANY_REQUESTS" => 429,
        "INTERNAL_SERVER_ERROR" => 500,
        "NOT_IMPLEMENTED" => 501,
        "BAD_GATEWAY" => 502,
        "SERVICE_UNAVAILABLE" => 503,
        "GATEWAY_TIMEOUT" => 504,
        _ => return Status::Unknown,
    };
    Status::Code(code)
}

/// The positional arguments of a call, and its keyword arguments by name.
fn arguments_of<'tree>(call: Node<'tree>) -> (Vec<Node<'tree>>, Vec<(Node<'tree>, Node<'tree>)>) {
    let Some(arguments) = call.field("arguments") else {
        return (Vec::new(), Vec::new());
    };
    let mut cursor = arguments.walk();
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    for argument in arguments.named_children(&mut cursor) {
        match argument.kind() {
            "comment" => {}
            "keyword_argument" => {
                if let (Some(name), Some(value)) = (argument.field("name"), argument.field("value"))
                {
                    keywords.push((name, value));
                }
            }
            _ => positional.push(argument),
        }
    }
    (positional, keywords)
}

/// The value of an object literal's `status` property: `{ status: 500 }`.
fn status_in_init(init: Option<Node<'_>>, context: &RuleContext<'_>) -> Status {
    let Some(init) = init else {
        return Status::Default;
    };
    if init.kind() != "object" {
        return Status::Unknown;
    }
    let mut cursor = init.walk();
    let status = init
        .named_children(&mut cursor)
        .filter(|pair| pair.kind() == "pair")
        .find(|pair| {
            pair.field("key")
                .is_some_and(|key| context.text(key).trim_matches(['"', '\'']) == "status")
        })
        .and_then(|pair| pair.field("value"));
    status.map_or(Status::Default, |status| status_of(status, context))
}

/// Express and Fastify (`res.status(500).json(…)`, `reply.code(500).send(…)`), the Fetch API
/// and Next.js (`Response.json(…, { status })`, `new Response(…)`, `NextResponse.json`), Hono
/// (`c.json(…, 500)`) and NestJS's exceptions (`new InternalServerErrorException(…)`).
fn javascript_response<'tree>(
    call: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<Response<'tree>> {
    let callee = call
        .field("function")
        .or_else(|| call.field("constructor"))?;
    let (positional, _) = arguments_of(call);
    let first = positional.first().copied();
    let imports = context.semantic.imports();
    if call.kind() == "new_expression" {
        let name = context.text(callee);
        return match name {
            "Response" | "NextResponse" => Some(Response {
                payload: first.into_iter().collect(),
                status: status_in_init(positional.get(1).copied(), context),
            }),
            "InternalServerErrorException" | "HttpException"
                if imports
                    .resolve(name)
                    .is_some_and(|import| import.module == "@nestjs/common") =>
            {
                let status = if name == "HttpException" {
                    positional
                        .get(1)
                        .map_or(Status::Unknown, |status| status_of(*status, context))
                } else {
                    Status::Code(500)
                };
                Some(Response {
                    payload: first.into_iter().collect(),
                    status,
                })
            }
            _ => None,
        };
    }
    if callee.kind() == "identifier" {
        let import = imports.resolve(context.text(callee))?;
        let is_remix_json = match &import.imported {
            Imported::Named(name) => {
                matches!(name.as_str(), "json" | "typedjson" | "data")
                    && (import.module.starts_with("@remix-run/")
                        || matches!(
                            import.module.as_str(),
                            "remix-typedjson" | "react-router" | "@vercel/remix"
                        ))
            }
            _ => false,
        };
        if !is_remix_json {
            return None;
        }
        // An action's `json()` without a status is how Remix re-renders a form with its
        // errors, which are shown to the user who sent it: only an explicit server error is
        // read as one.
        let status = match positional.get(1).copied() {
            Some(code) if code.kind() == "number" => status_of(code, context),
            init => status_in_init(init, context),
        };
        if status == Status::Default {
            return None;
        }
        return Some(Response {
            payload: first.into_iter().collect(),
            status,
        });
    }
    let (object, method) = member_parts(callee)?;
    let method = context.text(method);
    let object_text = context.text(object);
    if matches!(object_text, "Response" | "NextResponse") && method == "json" {
        return Some(Response {
            payload: first.into_iter().collect(),
            status: status_in_init(positional.get(1).copied(), context),
        });
    }
    if matches!(object_text, "c" | "ctx" | "context")
        && matches!(method, "json" | "text" | "html")
        && imports.has_module("hono")
    {
        return Some(Response {
            payload: first.into_iter().collect(),
            status: positional
                .get(1)
                .map_or(Status::Default, |status| status_of(*status, context)),
        });
    }
    if !SENDING_METHODS.contains(&method) || first.is_none() {
        return None;
    }
    // `res.status(500).type("json").send(…)`: the status is set earlier in the chain.
    let mut status = Status::Default;
    let mut receiver = object;
    loop {
        match receiver.kind() {
            "call_expression" => {
                let (inner, link) = member_parts(receiver.field("function")?)?;
                if matches!(context.text(link), "status" | "code") {
                    let (arguments, _) = arguments_of(receiver);
                    status = arguments
                        .first()
                        .map_or(Status::Unknown, |code| status_of(*code, context));
                }
                receiver = inner;
            }
            "identifier" => break,
            "member_expression" => {
                receiver = member_parts(receiver)?.1;
                break;
            }
            _ => return None,
        }
    }
    let name = context.text(receiver);
    if !RESPONSE_OBJECTS.contains(&name) {
        return None;
    }
    Some(Response {
        payload: first.into_iter().collect(),
        status,
    })
}

/// FastAPI and Starlette (`HTTPException(status_code=500, detail=…)`, `JSONResponse(…)`),
/// Django (`JsonResponse(…, status=500)`, `HttpResponseServerError(…)`), Django REST
/// framework (`Response(…, status=…)`) and Flask (`jsonify(…)`, `make_response(…, 500)`,
/// `abort(500, …)`), each resolved through the file's imports.
fn python_response<'tree>(call: Node<'tree>, context: &RuleContext<'_>) -> Option<Response<'tree>> {
    let function = call.field("function")?;
    let (module, name) = imported_name(function, context)?;
    let root = module.split('.').next().unwrap_or("");
    let (positional, keywords) = arguments_of(call);
    let keyword = |wanted: &str| {
        keywords
            .iter()
            .find(|(name, _)| context.text(*name) == wanted)
            .map(|(_, value)| *value)
    };
    let status_keyword =
        |wanted: &str| keyword(wanted).map_or(Status::Default, |status| status_of(status, context));
    let payload_at = |index: usize, wanted: &str| -> Vec<Node<'tree>> {
        keyword(wanted)
            .or_else(|| positional.get(index).copied())
            .into_iter()
            .collect()
    };
    match (root, name.as_str()) {
        ("fastapi" | "starlette", "HTTPException") => Some(Response {
            payload: payload_at(1, "detail"),
            status: keyword("status_code")
                .or_else(|| positional.first().copied())
                .map_or(Status::Unknown, |status| status_of(status, context)),
        }),
        ("fastapi" | "starlette", _) if name.ends_with("Response") => Some(Response {
            payload: payload_at(0, "content"),
            status: status_keyword("status_code"),
        }),
        ("django", "HttpResponseServerError") => Some(Response {
            payload: payload_at(0, "content"),
            status: Status::Code(500),
        }),
        ("django", "JsonResponse" | "HttpResponse") => Some(Response {
            payload: payload_at(
                0,
                if name == "JsonResponse" {
                    "data"
                } else {
                    "content"
                },
            ),
            status: status_keyword("status"),
        }),
        ("rest_framework", "Response") => Some(Response {
            payload: payload_at(0, "data"),
            status: status_keyword("status"),
        }),
        ("flask", "jsonify") => {
            let mut payload = positional.clone();
            payload.extend(keywords.iter().map(|(_, value)| *value));
            Some(Response {
                payload,
                status: tuple_status(call, context),
            })
        }
        ("flask" | "werkzeug", "make_response") => Some(Response {
            payload: positional.first().copied().into_iter().collect(),
            status: positional
                .get(1)
                .map_or(Status::Default, |status| status_of(*status, context)),
        }),
        ("flask" | "werkzeug", "Response") => Some(Response {
            payload: payload_at(0, "response"),
            status: status_keyword("status"),
        }),
        ("flask" | "werkzeug", "abort") => Some(Response {
            payload: payload_at(1, "description"),
            status: positional
                .first()
                .map_or(Status::Unknown, |status| status_of(*status, context)),
        }),
        _ => None,
    }
}

/// The module and the name a callee was imported as: `JSONResponse` from
/// `fastapi.responses`; `http.JsonResponse` with `from django import http`.
fn imported_name(function: Node<'_>, context: &RuleContext<'_>) -> Option<(String, String)> {
    let imports = context.semantic.imports();
    match function.kind() {
        "identifier" => {
            let import = imports.resolve(context.text(function))?;
            let name = match &import.imported {
                Imported::Named(name) => name.clone(),
                _ => context.text(function).to_owned(),
            };
            Some((import.module.clone(), name))
        }
        "attribute" => {
            let (object, attribute) = member_parts(function)?;
            let root = context.text(object).split('.').next()?;
            let import = imports.resolve(root)?;
            Some((import.module.clone(), context.text(attribute).to_owned()))
        }
        _ => None,
    }
}

/// The status of a Flask view's `return payload, 500` tuple that `node` is the payload of.
fn tuple_status(node: Node<'_>, context: &RuleContext<'_>) -> Status {
    let Some(parent) = node.parent() else {
        return Status::Default;
    };
    if !matches!(parent.kind(), "expression_list" | "tuple")
        || parent.named_child(0).map(|first| first.id()) != Some(node.id())
    {
        return Status::Default;
    }
    parent
        .named_child(1)
        .map_or(Status::Default, |status| status_of(status, context))
}

/// `return {"error": str(e)}, 500` in a Flask view: a dictionary or text payload (a call's
/// payload is read where the call is).
fn flask_tuple<'tree>(
    statement: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<Response<'tree>> {
    if !context.semantic.imports().has_module("flask") {
        return None;
    }
    let value = statement.named_child(0)?;
    if !matches!(value.kind(), "expression_list" | "tuple") {
        return None;
    }
    let payload = value.named_child(0)?;
    let is_text = match payload.kind() {
        "dictionary" | "string" | "binary_operator" => true,
        "call" => payload
            .field("function")
            .is_some_and(|function| TEXT_OF.contains(&context.text(function))),
        _ => false,
    };
    is_text.then(|| Response {
        status: tuple_status(payload, context),
        payload: vec![payload],
    })
}

/// The first part of a payload that is a caught exception's details: `err.message`,
/// `err.stack`, `String(err)`, `` `${err}` ``, `str(e)`, `f"{e}"`, `traceback.format_exc()`;
/// not inside a branch that narrowed the exception to one of the project's own classes.
fn exception_detail<'tree>(payload: Node<'tree>, context: &RuleContext<'_>) -> Option<Node<'tree>> {
    let mut pending = vec![payload];
    while let Some(node) = pending.pop() {
        if is_function(node) {
            continue;
        }
        let exception = match node.kind() {
            "member_expression" => member_parts(node).and_then(|(object, property)| {
                matches!(context.text(property), "message" | "stack").then(|| unwrap(object))
            }),
            "attribute" => member_parts(node).and_then(|(object, property)| {
                matches!(context.text(property), "args" | "message" | "strerror").then_some(object)
            }),
            "call_expression" | "call" => text_of_call(node, context),
            "template_substitution" | "interpolation" => node.named_child(0).map(unwrap),
            "binary_operator" => node
                .field("operator")
                .filter(|operator| context.text(*operator) == "%")
                .and_then(|_| node.field("right")),
            _ => None,
        };
        if let Some(exception) = exception {
            let is_stack = node.kind() == "member_expression"
                && node
                    .field("property")
                    .is_some_and(|property| context.text(property) == "stack")
                && names_an_error(exception, context);
            let is_trace = is_stack || is_traceback_call(node, context);
            if is_trace && !in_environment_branch(node, context)
                || is_caught_exception(exception, node, context)
            {
                return Some(node);
            }
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'tree>> = node.named_children(&mut cursor).collect();
        pending.extend(children.into_iter().rev());
    }
    None
}

/// Whether a name is one an error goes by (`err`, `error`, `e`, `exception`): its `stack`
/// is a stack trace wherever it was caught.
fn names_an_error(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    node.kind() == "identifier"
        && word_parts(context.text(node)).last().is_some_and(|word| {
            matches!(
                word.as_str(),
                "e" | "err" | "error" | "ex" | "exc" | "exception"
            )
        })
}

/// What a call turns into text: `String(e)`, `str(e)`, `repr(e)`, `e.toString()`,
/// `"{}".format(e)`; a `traceback.format_exc()` call is itself.
fn text_of_call<'tree>(call: Node<'tree>, context: &RuleContext<'_>) -> Option<Node<'tree>> {
    let function = call.field("function")?;
    if is_traceback_call(call, context) {
        return Some(call);
    }
    let (positional, _) = arguments_of(call);
    match member_parts(function) {
        Some((object, method)) => match context.text(method) {
            "toString" => Some(unwrap(object)),
            "format" => positional.first().copied(),
            _ => None,
        },
        None => TEXT_OF
            .contains(&context.text(function))
            .then(|| positional.first().copied().map(unwrap))
            .flatten(),
    }
}

/// `traceback.format_exc()` and its kin.
fn is_traceback_call(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    if node.kind() != "call" {
        return false;
    }
    let Some(function) = node.field("function") else {
        return false;
    };
    let Some((module, name)) = imported_name(function, context) else {
        return false;
    };
    module == "traceback" && TRACEBACK_FUNCTIONS.contains(&name.as_str())
}

/// A value without the type assertions and parentheses around it.
fn unwrap(node: Node<'_>) -> Node<'_> {
    let mut node = node;
    while matches!(
        node.kind(),
        "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
    ) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// Whether `exception` is the variable of a `catch`/`except` clause around `usage` that
/// caught a generic exception (not narrowed to a specific class on the way), or the error
/// parameter of an Express error handler (`(err, req, res, next) => …`).
fn is_caught_exception(exception: Node<'_>, usage: Node<'_>, context: &RuleContext<'_>) -> bool {
    if exception.kind() != "identifier" {
        return false;
    }
    let name = context.text(exception);
    let mut child = usage;
    while let Some(parent) = child.parent() {
        if narrows(parent, child, name, context) {
            return false;
        }
        let binds = match parent.kind() {
            "catch_clause" => parent
                .field("parameter")
                .is_some_and(|parameter| context.text(parameter) == name),
            "except_clause" => {
                if let Some(types) = caught_as(parent, name, context) {
                    return types.iter().any(|class| catches_generic(*class, context));
                }
                false
            }
            _ => is_function(parent) && is_error_handler_parameter(parent, name, context),
        };
        if binds {
            return true;
        }
        child = parent;
    }
    false
}

/// The classes an `except` clause catches when it binds `name`: `except (A, B) as e`. The
/// grammar reads `except A as e` either with an `alias` field or as an `as_pattern` value.
fn caught_as<'tree>(
    clause: Node<'tree>,
    name: &str,
    context: &RuleContext<'_>,
) -> Option<Vec<Node<'tree>>> {
    let mut cursor = clause.walk();
    let values: Vec<Node<'tree>> = clause
        .children_by_field_name("value", &mut cursor)
        .collect();
    if clause
        .field("alias")
        .is_some_and(|alias| context.text(alias) == name)
    {
        return Some(values);
    }
    let pattern = values.iter().find(|value| value.kind() == "as_pattern")?;
    let alias = pattern.field("alias")?;
    (context.text(alias) == name).then(|| pattern.named_child(0).into_iter().collect())
}

/// Whether a caught type is a generic exception, or one about internals (see
/// [`GENERIC_EXCEPTIONS`]); a tuple when one of its classes is.
fn catches_generic(class: Node<'_>, context: &RuleContext<'_>) -> bool {
    let class = unwrap(class);
    if class.kind() == "tuple" {
        let mut cursor = class.walk();
        let classes: Vec<Node<'_>> = class.named_children(&mut cursor).collect();
        return classes.iter().any(|class| catches_generic(*class, context));
    }
    let text = context.text(class);
    GENERIC_EXCEPTIONS.contains(&text.rsplit('.').next().unwrap_or(text))
}

/// Whether `parent` is a branch taken only for a specific kind of error, with `child` inside
/// the taken branch: `if (err instanceof AppError) {…}`, `err instanceof HttpError ? … : …`,
/// `if isinstance(e, AppError):`, `if (err.code === "P2002")`, `if (isAxiosError(err))`; or
/// a branch on the environment (`traceback.format_exc() if settings.DEBUG else "…"`,
/// `NODE_ENV === "production" ? "…" : err.message`), which shows details to developers only.
fn narrows(parent: Node<'_>, child: Node<'_>, name: &str, context: &RuleContext<'_>) -> bool {
    if matches!(
        parent.kind(),
        "if_statement" | "ternary_expression" | "conditional_expression"
    ) && is_environment_branch(parent, child, context)
    {
        return true;
    }
    let (condition, taken) = match parent.kind() {
        "if_statement" => (parent.field("condition"), parent.field("consequence")),
        "ternary_expression" | "conditional_expression" => {
            if parent.kind() == "conditional_expression" {
                // Python's `a if condition else b`.
                (parent.named_child(1), parent.named_child(0))
            } else {
                (parent.field("condition"), parent.field("consequence"))
            }
        }
        _ => return false,
    };
    let (Some(condition), Some(taken)) = (condition, taken) else {
        return false;
    };
    if taken.id() != child.id() {
        return false;
    }
    condition_narrows(condition, name, context)
}

/// Whether a node is in a branch on the environment, within its function.
fn in_environment_branch(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut child = node;
    while let Some(parent) = child.parent() {
        if is_function(parent) {
            return false;
        }
        if matches!(
            parent.kind(),
            "if_statement" | "ternary_expression" | "conditional_expression"
        ) && is_environment_branch(parent, child, context)
        {
            return true;
        }
        child = parent;
    }
    false
}

/// Whether a branch's condition is about the environment: debug mode, development,
/// production.
fn is_environment_branch(branch: Node<'_>, child: Node<'_>, context: &RuleContext<'_>) -> bool {
    let condition = if branch.kind() == "conditional_expression" {
        branch.named_child(1)
    } else {
        branch.field("condition")
    };
    let Some(condition) = condition.filter(|condition| condition.id() != child.id()) else {
        return false;
    };
    let text = context.text(condition).to_ascii_lowercase();
    [
        "debug",
        "node_env",
        "development",
        "production",
        "isdev",
        "is_dev",
    ]
    .iter()
    .any(|word| text.contains(word))
}

/// Whether a condition singles out a specific kind of the exception `name`.
fn condition_narrows(condition: Node<'_>, name: &str, context: &RuleContext<'_>) -> bool {
    backlint_engine::syntax::preorder(condition).any(|node| match node.kind() {
        "binary_expression" => {
            let operator = node
                .field("operator")
                .map_or("", |operator| context.text(operator));
            let left = node
                .field("left")
                .map_or("", |left| context.text(unwrap(left)));
            let right = node.field("right").map_or("", |right| context.text(right));
            match operator {
                "instanceof" => left == name && !GENERIC_EXCEPTIONS.contains(&right),
                "===" | "==" => {
                    let property = left
                        .strip_prefix(name)
                        .and_then(|rest| rest.trim_start_matches('?').strip_prefix('.'));
                    property.is_some_and(|property| {
                        matches!(property, "name" | "code" | "type" | "status" | "statusCode")
                    })
                }
                _ => false,
            }
        }
        "call_expression" | "call" => {
            let callee = node
                .field("function")
                .map_or("", |function| context.text(function));
            let arguments = node
                .field("arguments")
                .map_or("", |arguments| context.text(arguments));
            let callee_name = callee.rsplit('.').next().unwrap_or(callee);
            let mentions = arguments
                .trim_matches(['(', ')'])
                .split(',')
                .next()
                .is_some_and(|first| first.trim() == name);
            if !mentions {
                return false;
            }
            if callee_name == "isinstance" {
                let class = arguments
                    .trim_matches(['(', ')'])
                    .split(',')
                    .nth(1)
                    .unwrap_or("")
                    .trim();
                return !GENERIC_EXCEPTIONS.contains(&class.rsplit('.').next().unwrap_or(class));
            }
            // Type guards: `isAxiosError(err)`, `isHttpError(err)`.
            word_parts(callee_name)
                .first()
                .is_some_and(|word| word == "is")
        }
        _ => false,
    })
}

/// `(err, req, res, next) => …`: Express calls a four-parameter middleware with an error.
fn is_error_handler_parameter(function: Node<'_>, name: &str, context: &RuleContext<'_>) -> bool {
    let Some(parameters) = function.field("parameters") else {
        return false;
    };
    let mut cursor = parameters.walk();
    let names: Vec<&str> = parameters
        .named_children(&mut cursor)
        .filter(|parameter| parameter.kind() != "comment")
        .map(|parameter| {
            let pattern = parameter.field("pattern").unwrap_or(parameter);
            context.text(pattern)
        })
        .collect();
    names.len() == 4 && names[0] == name
}
