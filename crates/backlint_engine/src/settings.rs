//! Settings for one run, and which rules it enables.

use crate::diagnostic::Level;
use crate::rule::{EnabledRule, OptionsError, RuleSet, RuleSpec};
use crate::rule_docs::RuleDocs;

/// Files larger than this are skipped: generated bundles, not code anyone reviews.
pub const MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Directory names a walk never enters unless they are named on the command line.
pub const DEFAULT_EXCLUDED_DIRECTORIES: &[&str] =
    &["node_modules", "dist", "build", ".venv", "__pycache__"];

#[derive(Debug, Clone)]
pub struct Settings {
    /// Findings at or above this level make the run fail.
    pub fail_on: Level,
    /// Directory names skipped by the walk (and, with `force_exclude`, for explicit files too).
    pub excluded_directories: Vec<String>,
    /// Apply the exclusions to files named on the command line too (pre-commit passes files).
    pub force_exclude: bool,
    /// Parse only, run no rule: the baseline for the benchmarks.
    pub parse_only: bool,
    pub max_file_size: u64,
    /// Threads for the walk; 0 lets the walker choose.
    pub threads: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            fail_on: Level::Warning,
            excluded_directories: DEFAULT_EXCLUDED_DIRECTORIES
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
            force_exclude: false,
            parse_only: false,
            max_file_size: MAX_FILE_SIZE,
            threads: 0,
        }
    }
}

/// Every rule backlint has: how to make it, and its documentation.
pub struct Registry {
    entries: Vec<(RuleSpec, RuleDocs)>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("rules/{id}.toml: {source}")]
    Docs {
        id: &'static str,
        source: toml::de::Error,
    },
    #[error("rules/{id}.toml says its id is `{found}`")]
    IdMismatch { id: &'static str, found: String },
}

impl Registry {
    pub fn new(specs: Vec<RuleSpec>) -> Result<Registry, RegistryError> {
        let mut entries = Vec::with_capacity(specs.len());
        for spec in specs {
            let docs = RuleDocs::parse(spec.docs).map_err(|source| RegistryError::Docs {
                id: spec.id,
                source,
            })?;
            if docs.id != spec.id {
                return Err(RegistryError::IdMismatch {
                    id: spec.id,
                    found: docs.id,
                });
            }
            entries.push((spec, docs));
        }
        entries.sort_by_key(|(spec, _)| spec.id);
        Ok(Registry { entries })
    }

    pub fn iter(&self) -> impl Iterator<Item = (&RuleSpec, &RuleDocs)> {
        self.entries.iter().map(|(spec, docs)| (spec, docs))
    }

    pub fn docs(&self, id: &str) -> Option<&RuleDocs> {
        self.entries
            .iter()
            .find(|(spec, _)| spec.id == id)
            .map(|(_, docs)| docs)
    }

    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries.iter().map(|(spec, _)| spec.id)
    }

    /// The closest known rule id to a misspelt one, if any is close.
    pub fn suggest(&self, unknown: &str) -> Option<&'static str> {
        self.ids()
            .map(|id| (strsim::jaro_winkler(unknown, id), id))
            .filter(|(similarity, _)| *similarity > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    }

    /// The rules a run enables: with `select`, exactly those; otherwise the rules enabled by
    /// default; then minus `ignore`. Each rule is made with its default options and level.
    pub fn enable(
        &self,
        select: Option<&[String]>,
        ignore: &[String],
    ) -> Result<RuleSet, SelectionError> {
        for id in select.unwrap_or_default().iter().chain(ignore) {
            self.known_id(id)?;
        }
        let configured: Vec<RuleConfig> = self
            .entries
            .iter()
            .filter(|(spec, docs)| match select {
                Some(select) => select.iter().any(|id| id == spec.id),
                None => docs.enabled_by_default,
            })
            .filter(|(spec, _)| !ignore.iter().any(|id| id == spec.id))
            .map(|(spec, _)| RuleConfig {
                id: spec.id.to_owned(),
                level: None,
                options: None,
            })
            .collect();
        self.enable_configured(&configured)
    }

    /// Exactly the rules listed, each at its configured level (or its default) and with its
    /// configured options.
    pub fn enable_configured(&self, configured: &[RuleConfig]) -> Result<RuleSet, SelectionError> {
        let mut rules = Vec::with_capacity(configured.len());
        for config in configured {
            let id = self.known_id(&config.id)?;
            let Some((spec, docs)) = self.entries.iter().find(|(spec, _)| spec.id == id) else {
                continue;
            };
            let rule = (spec.new)(config.options.as_ref())?;
            rules.push(EnabledRule {
                id: spec.id,
                level: config.level.unwrap_or(docs.level),
                rule,
            });
        }
        Ok(RuleSet::new(rules))
    }

    fn known_id(&self, id: &str) -> Result<&'static str, SelectionError> {
        self.ids()
            .find(|known| *known == id)
            .ok_or_else(|| SelectionError::UnknownRule {
                id: id.to_owned(),
                suggestion: self.suggest(id),
            })
    }
}

/// One rule as a run configures it.
#[derive(Debug, Clone)]
pub struct RuleConfig {
    pub id: String,
    pub level: Option<Level>,
    pub options: Option<toml::Table>,
}

#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    #[error("unknown rule `{id}`{}", suggestion.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownRule {
        id: String,
        suggestion: Option<&'static str>,
    },
    #[error(transparent)]
    Options(#[from] OptionsError),
}
