//! hardcoded-model-name: AI model ids (`gpt-4o`, `claude-sonnet-4-5`) written as string
//! literals outside the project's models module, so that moving to a new model means finding
//! every copy.

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::{Grammar, Language};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::HashSet;

use backlint_engine::syntax::{preorder, Fields};
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::settings::settings_paths;
use crate::text::string_content;

pub const SPEC: RuleSpec = RuleSpec {
    id: "hardcoded-model-name",
    docs: include_str!("../../../../rules/hardcoded-model-name.toml"),
    new,
};

/// The model-id globs, kept in a data file of their own so that a new model family is a
/// one-line change.
const MODEL_IDS: &str = include_str!("../../../../rules/model-ids.txt");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of the files where model ids belong.
    models_module: Vec<String>,
    /// Globs of files that are not checked: tests and evals, migrations, which freeze the ids
    /// of their day, and type declarations, which describe what a platform offers.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            models_module: [
                "**/ai-models.*",
                "**/ai_models.*",
                "**/models.config.*",
                "**/ai/models.*",
            ]
            .map(str::to_owned)
            .to_vec(),
            ignore_paths: test_paths_and(&[
                "**/evals/**",
                "**/*.eval.*",
                "**/migrations/**",
                "**/*.d.ts",
            ]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(HardcodedModelName {
        model_ids: model_id_globs(false)?,
        model_ids_any_case: model_id_globs(true)?,
        models_module: glob_set(SPEC.id, "models-module", &options.models_module)?,
        settings_modules: glob_set(SPEC.id, "settings modules", &settings_paths())?,
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
    }))
}

/// The globs of `rules/model-ids.txt`.
fn model_id_globs(case_insensitive: bool) -> Result<GlobSet, OptionsError> {
    let invalid = |error: globset::Error| OptionsError {
        rule: SPEC.id,
        message: format!("the model-id list: {error}"),
    };
    let mut builder = GlobSetBuilder::new();
    let patterns = MODEL_IDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'));
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern)
            .case_insensitive(case_insensitive)
            .build()
            .map_err(invalid)?;
        builder.add(glob);
    }
    builder.build().map_err(invalid)
}

fn model_message(model: &str, models_module: &str) -> String {
    format!("`{model}` is an AI model id written into the code: import it from the project's models module (`{models_module}`), so that moving to another model is one edit.")
}

struct HardcodedModelName {
    model_ids: GlobSet,
    /// The same globs without regard to case, for ids behind a repository path
    /// (`meta-llama/Llama-3.1-8B-Instruct`).
    model_ids_any_case: GlobSet,
    models_module: GlobSet,
    /// Python settings modules, where a model is configured like any other setting.
    settings_modules: GlobSet,
    ignore_paths: GlobSet,
}

impl Rule for HardcodedModelName {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::Python => &["string"],
            Language::TypeScript | Language::JavaScript => &["string", "template_string"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !(self.ignore_paths.is_match(file.path)
            || self.models_module.is_match(file.path)
            || self.settings_modules.is_match(file.path))
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(content) = string_content(node, context) else {
            return;
        };
        if !self.is_model_id(content.text) {
            return;
        }
        // `"o1"` is also an alias, a key, a label: short ids count where the code speaks
        // of models.
        if content.text.len() <= SHORT_ID_LENGTH && !in_model_context(node, context) {
            return;
        }
        if self.is_in_catalog(node, context) || describes_a_model(node, context) {
            return;
        }
        let range = content.offset..content.offset + content.text.len();
        let models_module = match context.grammar {
            Grammar::Python => "ai_models.py",
            Grammar::TypeScript | Grammar::Tsx => "ai-models.ts",
            Grammar::JavaScript => "ai-models.js",
        };
        context.report_range(range, model_message(content.text, models_module));
    }
}

impl HardcodedModelName {
    /// Whether the string is an entry of a model catalog: a list, table or union type that
    /// names at least [`CATALOG_SIZE`] model ids (`models = ["gpt-4o", "o3", …]`, a price
    /// table keyed by id, an array of `{ modelId: "…" }` entries). A catalog is where the
    /// ids belong, whatever the file's name; the ids that choose a model are the ones
    /// worth moving.
    fn is_in_catalog(&self, string: Node<'_>, context: &RuleContext<'_>) -> bool {
        let mut collection = None;
        let mut current = string;
        while let Some(parent) = current.parent() {
            if !COLLECTION_KINDS.contains(&parent.kind()) {
                break;
            }
            if parent.kind() != "pair" {
                collection = Some(parent);
            }
            current = parent;
        }
        let Some(collection) = collection else {
            return false;
        };
        let mut ids = HashSet::new();
        for node in preorder(collection) {
            if let Some(content) = string_content(node, context) {
                if self.is_model_id(content.text) {
                    ids.insert(content.text);
                    if ids.len() >= CATALOG_SIZE {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Whether a string is a model id: one word of id characters that a model-id glob
    /// matches, as it is or after a provider prefix (`openai:gpt-4o`,
    /// `us.anthropic.claude-3-5-sonnet-20240620-v1:0`) or a path (`openai/gpt-4o`,
    /// `models/gemini-1.5-pro`). Ids are written in lower case: `GPT-4o` is a label for
    /// people. Behind a path, case does not matter: Hugging Face repositories are named
    /// `meta-llama/Llama-3.1-8B-Instruct`.
    fn is_model_id(&self, text: &str) -> bool {
        let id_characters = text.chars().all(|character| {
            character.is_ascii_alphanumeric() || matches!(character, '.' | '-' | ':' | '/' | '@')
        });
        if !id_characters || text.len() < 2 || text.len() > 100 {
            return false;
        }
        match text.rsplit_once('/') {
            Some((_, name)) => {
                self.model_ids_any_case.is_match(name)
                    || self.model_ids_any_case.is_match(provider_removed(name))
            }
            None => {
                self.model_ids.is_match(text) || self.model_ids.is_match(provider_removed(text))
            }
        }
    }
}

/// Whether the string is the id of an object that describes a model for a catalog: one of
/// its other keys is a provider, a price, a description, a context window or a display name
/// (`{ modelId: "claude-2.1", provider: "anthropic", pricing: {…} }`). The options of a call
/// (`{ model: "gpt-4o", messages }`) do not describe a model.
fn describes_a_model(string: Node<'_>, context: &RuleContext<'_>) -> bool {
    let Some(pair) = string.parent().filter(|parent| parent.kind() == "pair") else {
        return false;
    };
    if pair.field("value") != Some(string) {
        return false;
    }
    let Some(object) = pair.parent() else {
        return false;
    };
    let mut cursor = object.walk();
    let described = object.named_children(&mut cursor).any(|entry| {
        let Some(key) = entry.field("key").filter(|_| entry.kind() == "pair") else {
            return false;
        };
        let key: String = context
            .text(key)
            .chars()
            .filter(|character| character.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        DESCRIBING_KEYS.contains(&key.as_str())
    });
    described
}

/// Keys of an object that describes a model, lower case without separators.
const DESCRIBING_KEYS: &[&str] = &[
    "provider",
    "pricing",
    "price",
    "prices",
    "description",
    "contextwindow",
    "contextlength",
    "displayname",
    "label",
];

/// Ids this short (`o1`, `o3`) are reported only where the code speaks of models.
const SHORT_ID_LENGTH: usize = 3;

/// How many model ids make a collection a catalog.
const CATALOG_SIZE: usize = 3;

/// The nodes a catalog is built of, from an entry up to the whole list or table: arrays,
/// objects and their pairs, union types, Python lists, tuples, sets and dictionaries.
const COLLECTION_KINDS: &[&str] = &[
    "array",
    "object",
    "pair",
    "union_type",
    "literal_type",
    "tuple_type",
    "as_expression",
    "satisfies_expression",
    "list",
    "tuple",
    "set",
    "dictionary",
    "expression_list",
];

/// Whether the code around a short id speaks of models: the pair, keyword argument,
/// assignment or comparison it is part of names a model (`model: "o1"`, `model="o3"`,
/// `MODEL = "o1"`, `if model == "o3"`).
fn in_model_context(string: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut current = string;
    for _ in 0..3 {
        let Some(parent) = current.parent() else {
            return false;
        };
        current = parent;
        if MODEL_CONTEXT_KINDS.contains(&current.kind()) {
            return context.text(current).to_ascii_lowercase().contains("model");
        }
    }
    false
}

/// The nodes whose text says what a short id is: `model: "o1"`, `model="o3"`,
/// `MODEL = "o1"`, `model === "o1"`.
const MODEL_CONTEXT_KINDS: &[&str] = &[
    "pair",
    "keyword_argument",
    "variable_declarator",
    "assignment",
    "assignment_expression",
    "binary_expression",
    "comparison_operator",
];

/// An id without the provider written before it with `:` (`openai:gpt-4o`) or as dotted
/// words (Bedrock's `us.anthropic.claude-…`, `meta.llama3-…`).
fn provider_removed(id: &str) -> &str {
    if let Some((provider, model)) = id.split_once(':') {
        if provider
            .chars()
            .all(|character| character.is_ascii_alphabetic())
        {
            return model;
        }
    }
    let mut rest = id;
    while let Some((word, after)) = rest.split_once('.') {
        if word.is_empty() || !word.chars().all(|character| character.is_ascii_lowercase()) {
            break;
        }
        rest = after;
    }
    rest
}
