//! backlint's reporters: they turn a [`CheckResult`] into text, and know nothing of the CLI.

mod github;
mod human;
mod json;
mod junit;
mod rule_help;
mod sarif;
mod summary;

use std::path::Path;

pub use human::{render_concise, render_human};
pub use json::render_json;
pub use rule_help::{help_markdown, help_text, help_uri};
pub use summary::Summary;

use backlint_engine::rule_docs::RuleDocs;
use backlint_engine::{CheckResult, Level};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One header line per finding, a code frame, and a summary line.
    Human,
    /// One line per finding, and the summary line.
    Concise,
    /// The versioned JSON document described in the README.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// JUnit XML, which CI systems other than GitHub show as test results.
    Junit,
}

/// What reporters know of the run beyond its result.
pub struct ReportContext<'a> {
    /// The enabled rules, sorted by id.
    pub rules: Vec<EnabledRuleDocs<'a>>,
    /// The folder that reported paths are relative to.
    pub working_directory: &'a Path,
    /// SARIF's `automationDetails.id`: what tells this analysis from others on GitHub.
    pub sarif_category: &'a str,
    /// Keep suppressed findings in SARIF, marked with their suppression.
    pub include_suppressed: bool,
    /// Colour for the terminal formats.
    pub color: bool,
}

/// An enabled rule's documentation, and the level it reports at in this run.
pub struct EnabledRuleDocs<'a> {
    pub docs: &'a RuleDocs,
    pub level: Level,
}

/// Renders a result in a format.
pub fn render(result: &CheckResult, format: Format, context: &ReportContext<'_>) -> String {
    match format {
        Format::Human => render_human(result, context.color),
        Format::Concise => render_concise(result),
        Format::Json => render_json(result),
        Format::Sarif => sarif::render_sarif(result, context),
        Format::Github => github::render_github(result),
        Format::Junit => junit::render_junit(result),
    }
}
