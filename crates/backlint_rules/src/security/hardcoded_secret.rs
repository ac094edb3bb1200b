//! hardcoded-secret: credentials written into the source, by their format (a provider's token
//! shape) or by the name they are given (`password = "…"`).

use backlint_engine::rule::{parse_options, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::Fields;
use backlint_engine::{Language, Level};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::names::means_secret;
use crate::paths::{glob_set, test_paths_and};
use crate::secret_formats::find_secret;
use crate::text::string_content;

pub const SPEC: RuleSpec = RuleSpec {
    id: "hardcoded-secret",
    docs: include_str!("../../../../rules/hardcoded-secret.toml"),
    new,
};

/// How many characters of a secret any output may show.
const SHOWN_CHARACTERS: usize = 4;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of test files, where findings are reported as notes.
    test_paths: Vec<String>,
    /// The Shannon entropy (bits per character) above which a string assigned to a
    /// secret-named variable looks like a real value even without digits.
    entropy: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            test_paths: test_paths_and(&[
                "**/fixtures/**",
                "**/{seeds,seeders}/**",
                "**/__mocks__/**",
                "**/mocks/**",
                "**/mock.*",
                "**/*.mock.*",
            ]),
            entropy: 3.5,
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    let test_paths = glob_set(SPEC.id, "test-paths", &options.test_paths)?;
    Ok(Box::new(HardcodedSecret {
        test_paths,
        entropy: options.entropy,
    }))
}

fn format_message(provider: &str, shown: &str) -> String {
    format!("Hardcoded {provider} (`{shown}…`): load it from the environment or a secret manager, and rotate it.")
}

fn named_secret_message(name: &str, shown: &str) -> String {
    format!("Hardcoded secret in `{name}` (`{shown}…`): load it from the environment or a secret manager, and rotate it.")
}

struct HardcodedSecret {
    test_paths: GlobSet,
    entropy: f64,
}

impl Rule for HardcodedSecret {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::TypeScript => &[
                "string",
                "template_string",
                "variable_declarator",
                "assignment_expression",
                "pair",
                "public_field_definition",
                "binary_expression",
                "required_parameter",
                "optional_parameter",
                "assignment_pattern",
            ],
            Language::JavaScript => &[
                "string",
                "template_string",
                "variable_declarator",
                "assignment_expression",
                "pair",
                "field_definition",
                "binary_expression",
                "assignment_pattern",
            ],
            Language::Python => &[
                "string",
                "assignment",
                "keyword_argument",
                "pair",
                "comparison_operator",
                "default_parameter",
                "typed_default_parameter",
            ],
        }
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        match node.kind() {
            "string" | "template_string" => self.check_format(node, context),
            _ => self.check_named(node, context),
        }
    }
}

impl HardcodedSecret {
    /// (a) A string whose content has a known credential format.
    fn check_format(&self, string: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(content) = string_content(string, context) else {
            return;
        };
        let Some(found) = find_secret(content.text) else {
            return;
        };
        if found.format.needs_secret_name || is_sample_text(string, context) {
            // Formats that need a name are reported by the named check, which knows it.
            return;
        }
        let start = content.offset + found.start;
        let test_mode = found.format.test_mode;
        self.report(
            context,
            string,
            start,
            content.offset + content.text.len(),
            test_mode,
            |shown| format_message(found.format.name, shown),
        );
    }

    /// (b) A string given to a name that means a secret: assigned, initialising, passed as a
    /// keyword or property, or compared with it.
    fn check_named(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some((name, value)) = named_value(node, context) else {
            return;
        };
        let Some(content) = string_content(value, context) else {
            return;
        };
        let name = name.trim_matches(['"', '\'', '`']).to_owned();
        if !means_secret(&name) {
            return;
        }
        // A known format is reported by the format check on the string itself, except for
        // the formats that need a secret name to be told apart from ordinary hex.
        if let Some(found) = find_secret(content.text) {
            if !found.format.needs_secret_name {
                return;
            }
        } else if !looks_like_a_real_secret(content.text, self.entropy) {
            return;
        }
        if is_inside_sample_data(node, context) {
            return;
        }
        let end = content.offset + content.text.len();
        self.report(context, value, content.offset, end, false, |shown| {
            named_secret_message(&name, shown)
        });
    }

    /// Reports on `node` a secret that spans `start..end`, showing only its first characters
    /// and hiding the rest from every output.
    fn report(
        &self,
        context: &mut RuleContext<'_>,
        node: Node<'_>,
        start: usize,
        end: usize,
        test_mode: bool,
        message: impl FnOnce(&str) -> String,
    ) {
        let secret = &context.source.text()[start..end];
        let shown_end = secret
            .char_indices()
            .nth(SHOWN_CHARACTERS)
            .map_or(secret.len(), |(offset, _)| offset);
        let shown = secret[..shown_end].to_owned();
        let in_test = self.test_paths.is_match(&context.source.path);
        let finding = context.report(node, message(&shown));
        finding.redactions.push(start + shown_end..end);
        if in_test || test_mode {
            finding.level = Some(Level::Note);
        }
    }
}

/// The name and the string value of an assignment-like node.
fn named_value<'tree>(
    node: Node<'tree>,
    context: &RuleContext<'_>,
) -> Option<(String, Node<'tree>)> {
    let field = |name: &'static str| node.field(name);
    let (name_node, value) = match node.kind() {
        "variable_declarator" | "public_field_definition" | "field_definition" => (
            field("name").or_else(|| field("property"))?,
            field("value")?,
        ),
        "assignment_expression" | "assignment" | "assignment_pattern" => {
            (field("left")?, field("right")?)
        }
        "pair" => (field("key")?, field("value")?),
        "keyword_argument" | "default_parameter" | "typed_default_parameter" => {
            (field("name")?, field("value")?)
        }
        "required_parameter" | "optional_parameter" => (field("pattern")?, field("value")?),
        "binary_expression" | "comparison_operator" => {
            let operator = node
                .field("operator")
                .map(|operator| context.text(operator).to_owned());
            let is_equality = match node.kind() {
                "binary_expression" => {
                    matches!(operator.as_deref(), Some("===" | "==" | "!==" | "!="))
                }
                _ => {
                    let mut cursor = node.walk();
                    let equality = node
                        .children(&mut cursor)
                        .any(|child| matches!(child.kind(), "==" | "!="));
                    equality
                }
            };
            if !is_equality {
                return None;
            }
            let left = node.field("left").or_else(|| node.named_child(0))?;
            let right = node.field("right").or_else(|| node.named_child(1))?;
            if is_string(left) {
                (right, left)
            } else {
                (left, right)
            }
        }
        _ => return None,
    };
    // Most assignments and properties hold something other than a string: they are left
    // before the name is read.
    if !is_string(value) {
        return None;
    }
    let name = match name_node.kind() {
        "identifier"
        | "property_identifier"
        | "private_property_identifier"
        | "shorthand_property_identifier"
        | "string" => context.text(name_node).to_owned(),
        "member_expression" => context.text(name_node.field("property")?).to_owned(),
        "attribute" => context.text(name_node.field("attribute")?).to_owned(),
        _ => return None,
    };
    Some((name, value))
}

/// Words that, in the name of an enclosing variable or property, say the literal is sample
/// data (a recorded webhook payload, a mock response), whose tokens are not credentials.
const SAMPLE_DATA_WORDS: &[&str] = &[
    "sample",
    "samples",
    "example",
    "examples",
    "fixture",
    "fixtures",
    "mock",
    "mocks",
    "fake",
    "stub",
    "stubs",
    "payload",
    "payloads",
    "body",
    "response",
    "responses",
];

/// Whether a secret-named value sits inside a literal whose enclosing variable or property is
/// named as sample data: `export const samples = [{ body: { token: "…" } }]`.
fn is_inside_sample_data(node: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut ancestor = node.parent();
    while let Some(current) = ancestor {
        let name = match current.kind() {
            "variable_declarator" | "assignment" => {
                current.field("name").or_else(|| current.field("left"))
            }
            "pair" => current.field("key"),
            "object"
            | "array"
            | "dictionary"
            | "list"
            | "parenthesized_expression"
            | "arguments"
            | "argument_list"
            | "as_expression"
            | "satisfies_expression"
            | "expression_list" => None,
            _ if current.id() == node.id() => None,
            _ => return false,
        };
        let is_sample = name.is_some_and(|name| {
            backlint_engine::names::word_parts(context.text(name))
                .iter()
                .any(|part| SAMPLE_DATA_WORDS.contains(&part.as_str()))
        });
        if is_sample {
            return true;
        }
        if matches!(current.kind(), "variable_declarator" | "assignment") {
            return false;
        }
        ancestor = current.parent();
    }
    false
}

/// Whether a string is the value of a property or argument that shows text to a person
/// (`placeholder: "sk-…"`, `example="AKIA…"`): a sample of the format, not a credential.
fn is_sample_text(string: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(parent) = string.parent() else {
        return false;
    };
    let name = match parent.kind() {
        "pair" => parent.field("key"),
        "keyword_argument" => parent.field("name"),
        "jsx_attribute" => parent.named_child(0),
        _ => None,
    };
    name.is_some_and(|name| {
        backlint_engine::names::word_parts(context.text(name))
            .iter()
            .any(|part| {
                matches!(
                    part.as_str(),
                    "placeholder" | "example" | "examples" | "sample" | "hint" | "description"
                )
            })
    })
}

fn is_string(node: Node<'_>) -> bool {
    matches!(node.kind(), "string" | "template_string")
}

/// Whether a string given a secret's name holds a real value rather than a placeholder or a
/// label: 8 or more characters, no spaces, not a placeholder word, and digits with letters or
/// high entropy.
fn looks_like_a_real_secret(value: &str, entropy_threshold: f64) -> bool {
    const PLACEHOLDERS: &[&str] = &[
        "changeme",
        "change_me",
        "change-me",
        "your",
        "xxx",
        "***",
        "todo",
        "example",
        "dummy",
        "test",
        "fake",
        "sample",
        "placeholder",
        "redacted",
        "secret",
        "password",
        "passwd",
        "token",
        "null",
        "none",
        "undefined",
        "<",
        ">",
        "${",
        "{{",
        "%(",
        "replace",
        "insert",
        "enter",
        "default",
        "foobar",
        "123456",
        "abcdef",
        "qwerty",
    ];
    // Secrets are ASCII; a translated label (`パスワードの期限が切れました`) is not.
    if value.chars().count() < 8 || !value.is_ascii() || value.chars().any(char::is_whitespace) {
        return false;
    }
    // Password hashes (bcrypt, argon2, PBKDF2, crypt) are what should be stored.
    const HASH_PREFIXES: &[&str] = &[
        "$2a$", "$2b$", "$2y$", "$argon2", "$pbkdf2", "pbkdf2_", "$scrypt", "$5$", "$6$", "sha1$",
        "md5$",
    ];
    if HASH_PREFIXES.iter().any(|prefix| value.starts_with(prefix)) {
        return false;
    }
    let lowered = value.to_lowercase();
    if PLACEHOLDERS
        .iter()
        .any(|placeholder| lowered.contains(placeholder))
    {
        return false;
    }
    // Paths, URLs and identifiers (`/auth/token`, `DATABASE_PASSWORD`, `password_reset`) are
    // labels, not values.
    if value.starts_with('/')
        || value.contains("://")
        || value.contains('/') && !value.contains('+')
    {
        return false;
    }
    let is_identifier = value.chars().all(|character| {
        character.is_ascii_alphabetic() || matches!(character, '_' | '-' | '.' | ':')
    });
    if is_identifier {
        return false;
    }
    // A slug of words (`eventlog-auth-v1`, `session_token_2`) names something.
    let is_slug = value.contains(['-', '_'])
        && value.split(['-', '_', '.']).all(|segment| {
            segment
                .chars()
                .all(|character| character.is_ascii_lowercase())
                || segment.len() <= 3
                    && segment
                        .chars()
                        .all(|character| character.is_ascii_alphanumeric())
        });
    if is_slug {
        return false;
    }
    let has_digit = value.chars().any(|character| character.is_ascii_digit());
    let has_letter = value.chars().any(char::is_alphabetic);
    (has_digit && has_letter) || shannon_entropy(value) >= entropy_threshold
}

fn shannon_entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0.0;
    for character in value.chars() {
        *counts.entry(character).or_insert(0.0) += 1.0;
        total += 1.0;
    }
    counts
        .values()
        .map(|count: &f64| {
            let probability = count / total;
            -probability * probability.log2()
        })
        .sum()
}
