//! insecure-jwt: JSON Web Tokens trusted without their signature or expiry being checked
//! (`jwt.decode` used to authenticate, `verify_signature: False`, `algorithms: ["none"]`,
//! `ignoreExpiration: true`).

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::{member_parts, Fields};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::syntax::{enclosing_function, qualified_name};
use crate::text::{compact, string_content};

pub const SPEC: RuleSpec = RuleSpec {
    id: "insecure-jwt",
    docs: include_str!("../../../../rules/insecure-jwt.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files that are not checked: tests, whose tokens are made up.
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
    Ok(Box::new(InsecureJwt { ignore_paths }))
}

fn unverified_decode_message(call: &str, trusted: &str, verify: &str) -> String {
    format!("`{call}` reads the token without checking its signature, yet `{trusted}` is trusted: anyone can write a token that says so; use {verify} instead.")
}

fn none_algorithm_message() -> String {
    "`\"none\"` among the accepted algorithms accepts tokens without a signature: list only the algorithm the tokens are signed with.".to_owned()
}

fn ignore_expiration_message() -> String {
    "`ignoreExpiration: true` accepts tokens that expired, so a leaked token works for ever: remove it, and give tokens a short `expiresIn`.".to_owned()
}

fn unverified_python_message(option: &str) -> String {
    format!("`{option}` decodes the token without checking its signature, so anyone can write the claims: verify it with the key and `algorithms=[…]`.")
}

fn unexpiring_python_message(option: &str) -> String {
    format!("`{option}` accepts tokens that expired, so a leaked token works for ever: remove it.")
}

/// The decoders that do not check the signature, by qualified name, with the verifier to use
/// instead.
const JS_DECODERS: &[(&str, &str)] = &[
    (
        "jsonwebtoken.decode",
        "`jwt.verify(token, secret, { algorithms: [...] })`",
    ),
    ("jose.decodeJwt", "`jwtVerify(token, key)`"),
    (
        "jwt-decode",
        "a verifying library (jsonwebtoken's `verify`, jose's `jwtVerify`)",
    ),
    (
        "jwt-decode.jwtDecode",
        "a verifying library (jsonwebtoken's `verify`, jose's `jwtVerify`)",
    ),
];

/// Words of a verifying call in the same function, which makes a decode the reading of a
/// token already (or about to be) checked.
const VERIFY_WORDS: &[&str] = &["verify", "Verify"];

/// Claims whose value decides who the caller is or what they may do.
const IDENTITY_CLAIMS: &[&str] = &[
    "sub",
    "aud",
    "userId",
    "user_id",
    "uid",
    "id",
    "email",
    "role",
    "roles",
    "isAdmin",
    "admin",
    "permissions",
    "scope",
    "scopes",
    "tenantId",
    "orgId",
    "organizationId",
    "user",
    "username",
];

/// Properties that hold the signed-in caller (`req.user = decoded`).
const CALLER_PROPERTIES: &[&str] = &[
    "user",
    "auth",
    "session",
    "claims",
    "principal",
    "identity",
    "currentUser",
];

/// Words of a function's name that say it authenticates, so that what it returns is trusted.
const AUTHENTICATING_NAMES: &[&str] =
    &["auth", "user", "session", "identity", "principal", "caller"];

/// The modules whose `decode` takes the Python options.
const PYTHON_JWT_MODULES: &[&str] = &["jwt", "jose.jwt"];

struct InsecureJwt {
    ignore_paths: GlobSet,
}

impl Rule for InsecureJwt {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript | Language::JavaScript => &["call_expression", "pair"],
            Language::Python => &["call", "keyword_argument"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        match node.kind() {
            "call_expression" => check_js_decode(node, context),
            "pair" => check_js_option(node, context),
            "call" => check_python_decode(node, context),
            "keyword_argument" => check_python_algorithms(node, context),
            _ => {}
        }
    }
}

/// `jwt.decode(token)` whose claims are then trusted, in a function that verifies nothing.
fn check_js_decode(call: Node<'_>, context: &mut RuleContext<'_>) {
    let Some(callee) = call.field("function") else {
        return;
    };
    let Some(name) = qualified_name(callee, context) else {
        return;
    };
    let Some((_, verifier)) = JS_DECODERS.iter().find(|(decoder, _)| *decoder == name) else {
        return;
    };
    let function = enclosing_function(call);
    let function_text = context.text(function);
    if VERIFY_WORDS.iter().any(|word| function_text.contains(word)) {
        return;
    }
    let Some(trusted) = trusted_use(call, function, context) else {
        return;
    };
    let message = unverified_decode_message(&compact(context.text(call)), &trusted, verifier);
    context.report(call, message);
}

/// How the decoded claims are trusted, as code to show: assigned to the caller
/// (`req.user = …`), an identity claim read (`decoded.sub`, `const { role } = …`), or returned
/// by a function whose name says it authenticates.
fn trusted_use(call: Node<'_>, function: Node<'_>, context: &RuleContext<'_>) -> Option<String> {
    let mut value = call;
    while let Some(parent) = value.parent() {
        if !matches!(
            parent.kind(),
            "await_expression"
                | "as_expression"
                | "satisfies_expression"
                | "non_null_expression"
                | "parenthesized_expression"
        ) {
            break;
        }
        value = parent;
    }
    let parent = value.parent()?;
    match parent.kind() {
        "assignment_expression" => {
            let target = parent.field("left")?;
            is_caller(target, context).then(|| compact(context.text(parent)))
        }
        // `return jwt.decode(token)`, `(token) => decodeJwt(token)`
        "return_statement" | "arrow_function" => {
            let name = function_name(function, context)?.to_lowercase();
            AUTHENTICATING_NAMES
                .iter()
                .any(|word| name.contains(word))
                .then(|| format!("return {}", compact(context.text(value))))
        }
        "member_expression" => {
            let property = parent.field("property")?;
            IDENTITY_CLAIMS
                .contains(&context.text(property))
                .then(|| compact(context.text(parent)))
        }
        "variable_declarator" => {
            let bound = parent.field("name")?;
            match bound.kind() {
                "identifier" => variable_use(context.text(bound), parent, function, context),
                "object_pattern" => {
                    let mut cursor = bound.walk();
                    let claims: Vec<Node<'_>> = bound.named_children(&mut cursor).collect();
                    claims
                        .into_iter()
                        .find(|claim| {
                            let key = claim.field("key").unwrap_or(*claim);
                            IDENTITY_CLAIMS.contains(&context.text(key))
                        })
                        .map(|claim| format!("{{ {} }}", context.text(claim)))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A use of the variable that holds the claims, after its declaration: an identity claim read,
/// or the claims assigned to the caller.
fn variable_use(
    variable: &str,
    declaration: Node<'_>,
    function: Node<'_>,
    context: &RuleContext<'_>,
) -> Option<String> {
    let mut pending = vec![function];
    let mut found: Option<(usize, String)> = None;
    while let Some(node) = pending.pop() {
        if node.start_byte() >= declaration.end_byte() {
            let shown = match node.kind() {
                "member_expression" => member_parts(node).and_then(|(object, property)| {
                    (context.text(object) == variable
                        && IDENTITY_CLAIMS.contains(&context.text(property)))
                    .then(|| compact(context.text(node)))
                }),
                "assignment_expression" => {
                    node.field("left")
                        .zip(node.field("right"))
                        .and_then(|(target, value)| {
                            (context.text(value) == variable && is_caller(target, context))
                                .then(|| compact(context.text(node)))
                        })
                }
                _ => None,
            };
            if let Some(shown) = shown {
                if found.as_ref().is_none_or(|(at, _)| node.start_byte() < *at) {
                    found = Some((node.start_byte(), shown));
                }
                continue;
            }
        }
        let mut cursor = node.walk();
        pending.extend(node.named_children(&mut cursor));
    }
    found.map(|(_, shown)| shown)
}

/// `req.user`, `request.auth`, `ctx.state.user`, `res.locals.session`.
fn is_caller(target: Node<'_>, context: &RuleContext<'_>) -> bool {
    target.kind() == "member_expression"
        && target
            .field("property")
            .is_some_and(|property| CALLER_PROPERTIES.contains(&context.text(property)))
}

fn function_name<'context>(
    function: Node<'_>,
    context: &'context RuleContext<'_>,
) -> Option<&'context str> {
    let name = function.field("name").or_else(|| {
        // `const getUser = (token) => …`
        let declarator = function.parent()?;
        (declarator.kind() == "variable_declarator")
            .then(|| declarator.field("name"))
            .flatten()
    })?;
    Some(context.text(name))
}

/// `algorithms: ["none"]` and `ignoreExpiration: true` in the options of a JWT call.
fn check_js_option(pair: Node<'_>, context: &mut RuleContext<'_>) {
    let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else {
        return;
    };
    match context.text(key).trim_matches(['"', '\'']) {
        "algorithms" if lists_none(value, context) => {
            context.report(value, none_algorithm_message());
        }
        "ignoreExpiration" if value.kind() == "true" && imports_js_jwt(context) => {
            context.report(pair, ignore_expiration_message());
        }
        _ => {}
    }
}

fn imports_js_jwt(context: &RuleContext<'_>) -> bool {
    let imports = context.semantic.imports();
    [
        "jsonwebtoken",
        "jose",
        "@nestjs/jwt",
        "express-jwt",
        "passport-jwt",
    ]
    .iter()
    .any(|module| imports.has_module(module))
}

/// `["none"]`, `["HS256", "none"]` (any case), in JavaScript or Python.
fn lists_none(value: Node<'_>, context: &RuleContext<'_>) -> bool {
    if !matches!(value.kind(), "array" | "list" | "tuple") {
        return false;
    }
    let mut cursor = value.walk();
    let has_none = value.named_children(&mut cursor).any(|algorithm| {
        string_content(algorithm, context)
            .is_some_and(|content| content.text.eq_ignore_ascii_case("none"))
    });
    has_none
}

/// PyJWT's and python-jose's `jwt.decode(…, options={"verify_signature": False})`, PyJWT 1's
/// `verify=False`, and `options={"verify_exp": False}`, unless the same function decodes the
/// token again with the checks (reading the unverified claims to find the key).
fn check_python_decode(call: Node<'_>, context: &mut RuleContext<'_>) {
    let (Some(callee), Some(arguments)) = (call.field("function"), call.field("arguments")) else {
        return;
    };
    let is_jwt_decode = qualified_name(callee, context).is_some_and(|name| {
        name.strip_suffix(".decode")
            .is_some_and(|module| PYTHON_JWT_MODULES.contains(&module))
    });
    if !is_jwt_decode {
        return;
    }
    let mut cursor = arguments.walk();
    let keywords: Vec<Node<'_>> = arguments
        .named_children(&mut cursor)
        .filter(|argument| argument.kind() == "keyword_argument")
        .collect();
    for keyword in keywords {
        let (Some(name), Some(value)) = (keyword.field("name"), keyword.field("value")) else {
            continue;
        };
        let (reported, message) = match context.text(name) {
            "verify" if value.kind() == "false" && python_claims_trusted(call, context) => {
                (keyword, unverified_python_message(context.text(keyword)))
            }
            "options" => {
                let Some((entry, checked)) = switched_off_check(value, context) else {
                    continue;
                };
                let shown = compact(context.text(entry));
                if checked == "verify_exp" {
                    (entry, unexpiring_python_message(&shown))
                } else if python_claims_trusted(call, context) {
                    (entry, unverified_python_message(&shown))
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        if !decodes_again(call, callee, context) {
            context.report(reported, message);
        }
    }
}

/// Whether the claims of an unverified Python decode are trusted: an identity claim read
/// (`claims["sub"]`, `claims.get("user_id")`), the claims given to the caller
/// (`request.user = claims`), or returned by a function whose name says it authenticates.
/// Claims read only to route the token (its issuer or owner, to pick the verifier) are not.
fn python_claims_trusted(call: Node<'_>, context: &RuleContext<'_>) -> bool {
    let function = enclosing_function(call);
    let Some(parent) = call.parent() else {
        return false;
    };
    match parent.kind() {
        "return_statement" => function_name(function, context).is_some_and(|name| {
            let name = name.to_lowercase();
            AUTHENTICATING_NAMES.iter().any(|word| name.contains(word))
        }),
        "subscript" => python_claim_key(parent, context),
        "assignment" => {
            let Some(target) = parent.field("left") else {
                return false;
            };
            if target.kind() == "attribute" {
                return target
                    .field("attribute")
                    .is_some_and(|attribute| CALLER_PROPERTIES.contains(&context.text(attribute)));
            }
            let variable = context.text(target);
            let mut pending = vec![function];
            while let Some(node) = pending.pop() {
                let reads_claim = node.start_byte() > parent.end_byte()
                    && match node.kind() {
                        "subscript" => {
                            node.field("value")
                                .is_some_and(|object| context.text(object) == variable)
                                && python_claim_key(node, context)
                        }
                        "call" => {
                            node.field("function").is_some_and(|callee| {
                                context.text(callee) == format!("{variable}.get")
                            }) && python_claim_key(node, context)
                        }
                        _ => false,
                    };
                if reads_claim {
                    return true;
                }
                let mut cursor = node.walk();
                pending.extend(node.named_children(&mut cursor));
            }
            false
        }
        _ => false,
    }
}

/// Whether a subscript or a `.get(…)` call reads an identity claim by its string key.
fn python_claim_key(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    let key = match node.kind() {
        "subscript" => node.field("subscript"),
        _ => node
            .field("arguments")
            .and_then(|arguments| arguments.named_child(0)),
    };
    key.and_then(|key| string_content(key, context))
        .is_some_and(|key| IDENTITY_CLAIMS.contains(&key.text))
}

/// `{"verify_signature": False}` or `{"verify_exp": False}` in an options dictionary: the
/// entry, and the check it switches off.
fn switched_off_check<'tree>(
    options: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(Node<'tree>, &'static str)> {
    if options.kind() != "dictionary" {
        return None;
    }
    let mut cursor = options.walk();
    let entries: Vec<Node<'tree>> = options.named_children(&mut cursor).collect();
    entries.into_iter().find_map(|entry| {
        let key = string_content(entry.field("key")?, context)?;
        let value = entry.field("value")?;
        if value.kind() != "false" {
            return None;
        }
        match key.text {
            "verify_signature" => Some((entry, "verify_signature")),
            "verify_exp" => Some((entry, "verify_exp")),
            _ => None,
        }
    })
}

/// Whether the function around a decode calls the same decoder again: the unverified read
/// picks the key or the issuer, and the second call checks the token.
fn decodes_again(call: Node<'_>, callee: Node<'_>, context: &RuleContext<'_>) -> bool {
    let callee_text = context.text(callee);
    let function = enclosing_function(call);
    let mut pending = vec![function];
    while let Some(node) = pending.pop() {
        if node.kind() == "call"
            && node.id() != call.id()
            && node
                .field("function")
                .is_some_and(|other| context.text(other) == callee_text)
        {
            return true;
        }
        let mut cursor = node.walk();
        pending.extend(node.named_children(&mut cursor));
    }
    false
}

/// `algorithms=["none"]` given to a Python JWT call.
fn check_python_algorithms(keyword: Node<'_>, context: &mut RuleContext<'_>) {
    let (Some(name), Some(value)) = (keyword.field("name"), keyword.field("value")) else {
        return;
    };
    if context.text(name) == "algorithms" && lists_none(value, context) {
        context.report(value, none_algorithm_message());
    }
}
