//! A rule's documentation and metadata, from `rules/<id>.toml`: the single source for
//! `backlint explain`, the reporters' rule descriptors, the README's table, and the executed
//! examples.

use serde::Deserialize;

use crate::diagnostic::{Applicability, Level};
use crate::language::Language;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleDocs {
    pub id: String,
    /// One sentence: what the rule catches.
    pub summary: String,
    pub languages: Vec<String>,
    pub level: Level,
    #[serde(default = "enabled_by_default")]
    pub enabled_by_default: bool,
    pub tags: Vec<String>,
    #[serde(default)]
    pub cwe: Vec<u32>,
    pub security_severity: Option<f64>,
    /// `very-high`, `high`, `medium` or `low`, as GitHub code scanning reads it.
    pub precision: String,
    /// Why the rule exists, in Markdown.
    pub rationale: String,
    /// What kind of fix the rule offers, if any.
    pub fix: Option<FixKind>,
    /// What the rule does not see, in Markdown.
    pub limitations: Option<String>,
    #[serde(default)]
    pub options: Vec<OptionDocs>,
    #[serde(default)]
    pub examples: Vec<Example>,
    /// How the rule did on real code nobody here wrote.
    pub evaluation: Option<Evaluation>,
}

/// A run of the rule on real code, and a reviewer's reading of a sample of its findings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Evaluation {
    /// What was checked, with versions or commits.
    pub corpus: String,
    pub findings: u32,
    /// How many findings were read.
    pub sample: u32,
    /// How many of the sample a reviewer would act on.
    pub true_positives: u32,
    /// What the reading found, in Markdown.
    pub notes: Option<String>,
}

fn enabled_by_default() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixKind {
    Safe,
    Unsafe,
}

impl From<FixKind> for Applicability {
    fn from(kind: FixKind) -> Applicability {
        match kind {
            FixKind::Safe => Applicability::Safe,
            FixKind::Unsafe => Applicability::Unsafe,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OptionDocs {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub default: toml::Value,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Example {
    pub kind: ExampleKind,
    /// The file name the example is checked as; its extension picks the grammar.
    pub file: String,
    pub code: String,
    /// Options the rule is configured with for this example.
    pub options: Option<toml::Table>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleKind {
    /// The rule must report at least once.
    Bad,
    /// The rule must not report.
    Good,
}

impl RuleDocs {
    pub fn parse(text: &str) -> Result<RuleDocs, toml::de::Error> {
        toml::from_str(text)
    }

    pub fn languages(&self) -> impl Iterator<Item = Language> + '_ {
        self.languages
            .iter()
            .filter_map(|name| Language::from_name(name))
    }
}
