//! Settings for one run, and which rules it enables.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use crate::config::{Config, RuleConfig, RuleLevel};
use crate::diagnostic::Level;
use crate::fix::FixLevel;
use crate::paths::{relative_to, PathGlobs};
use crate::rule::{EnabledRule, OptionsError, RuleSet, RuleSpec, SuppressionPolicy};
use crate::rule_docs::RuleDocs;
use crate::suppression::SUPPRESSION_COMMENT;

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
    /// Parse each file and walk its tree once with a cursor, running no rule: the limit the
    /// benchmarks measure the rule set against.
    pub parse_and_walk: bool,
    /// Skip, without parsing them, the files that hold none of the words their rules require
    /// (`Rule::required_words`).
    pub prefilter: bool,
    pub max_file_size: u64,
    /// Threads for the walk; 0 lets the walker choose.
    pub threads: usize,
    /// The configuration's `include` and `exclude` globs.
    pub filter: PathFilter,
    /// Honour other linters' suppression comments for the rules that have an equivalent.
    pub respect_foreign_suppressions: bool,
    /// `--fix` and `--diff`: which fixes to apply, and whether to write them.
    pub fix: Option<Fixing>,
}

/// What `--fix` (or `--diff`) does with the fixes of the files it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixing {
    pub level: FixLevel,
    /// Write the fixed files (`--fix`), or only keep their new text to show (`--diff`).
    pub write: bool,
}

/// Which walked files a run keeps: those `include` matches (all, when it is empty) and
/// `exclude` does not, by their path relative to `root`.
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    pub root: PathBuf,
    pub include: Option<PathGlobs>,
    pub exclude: Option<PathGlobs>,
}

impl PathFilter {
    pub fn new(config: &Config) -> PathFilter {
        let globs = |patterns: &[String]| {
            // The configuration was validated when it was loaded, globs included.
            PathGlobs::new(patterns)
                .ok()
                .filter(|globs| !globs.is_empty())
        };
        PathFilter {
            root: config.root.clone(),
            include: globs(&config.include),
            exclude: globs(&config.exclude),
        }
    }

    /// Whether a folder is excluded, so that the walk does not enter it.
    pub fn excludes_folder(&self, path: &Path) -> bool {
        self.exclude.as_ref().is_some_and(|exclude| {
            relative_to(path, &self.root).is_some_and(|relative| exclude.is_match(&relative))
        })
    }

    /// Whether a file is kept.
    pub fn keeps_file(&self, path: &Path) -> bool {
        if self.include.is_none() && self.exclude.is_none() {
            return true;
        }
        let Some(relative) = relative_to(path, &self.root) else {
            // Files outside the configuration's folder are not its business.
            return true;
        };
        let included = self
            .include
            .as_ref()
            .is_none_or(|include| include.is_match(&relative));
        let excluded = self
            .exclude
            .as_ref()
            .is_some_and(|exclude| exclude.is_match(&relative));
        included && !excluded
    }
}

impl Settings {
    /// Whether one of the folders on `path` is one the walk never enters (`node_modules`, …).
    pub fn is_in_excluded_directory(&self, path: &Path) -> bool {
        let Some(parent) = path.parent() else {
            return false;
        };
        parent.components().any(|component| match component {
            Component::Normal(name) => self
                .excluded_directories
                .iter()
                .any(|excluded| name == excluded.as_str()),
            _ => false,
        })
    }
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
            parse_and_walk: false,
            prefilter: true,
            max_file_size: MAX_FILE_SIZE,
            threads: 0,
            filter: PathFilter::default(),
            respect_foreign_suppressions: true,
            fix: None,
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
        crate::config::did_you_mean(unknown, self.ids())
    }

    /// Checks options for a rule by making it with them.
    pub fn validate_options(&self, id: &str, options: &toml::Table) -> Result<(), OptionsError> {
        match self.entries.iter().find(|(spec, _)| spec.id == id) {
            Some((spec, _)) => (spec.new)(Some(options)).map(drop),
            None => Ok(()),
        }
    }

    /// The rules a run enables when no configuration file says otherwise: with `select`,
    /// exactly those; otherwise the rules enabled by default; then minus `ignore`.
    pub fn enable(
        &self,
        select: Option<&[String]>,
        ignore: &[String],
    ) -> Result<RuleSet, SelectionError> {
        let selection = RuleSelection {
            select: select.map(<[String]>::to_vec),
            ignore: ignore.to_vec(),
        };
        self.build(&self.resolve(&[], &selection)?)
    }

    /// Exactly the rules listed, each at its configured level (or its default) and with its
    /// configured options.
    pub fn enable_configured(&self, configured: &[RuleConfig]) -> Result<RuleSet, SelectionError> {
        let selection = RuleSelection {
            select: Some(configured.iter().map(|rule| rule.id.clone()).collect()),
            ignore: Vec::new(),
        };
        self.build(&self.resolve(&[configured], &selection)?)
    }

    /// The rules enabled, with their levels and options, after each layer of configuration in
    /// turn (the file's `[rules]`, then each matching override) and the command line, which
    /// wins over the file's `[rules]`: `select` enables exactly its rules (at their configured
    /// level, or their default level where `[rules]` switched them off); overrides still
    /// apply to the selected rules, since they speak of particular files; `ignore` disables.
    pub fn resolve(
        &self,
        layers: &[&[RuleConfig]],
        selection: &RuleSelection,
    ) -> Result<Vec<ResolvedRule>, SelectionError> {
        for id in selection.select.iter().flatten().chain(&selection.ignore) {
            self.known_id(id)?;
        }
        let mut resolved = Vec::new();
        for (spec, docs) in &self.entries {
            let selected = selection
                .select
                .as_ref()
                .is_none_or(|select| select.iter().any(|id| id == spec.id));
            let ignored = selection.ignore.iter().any(|id| id == spec.id);
            if !selected || ignored {
                continue;
            }
            let mut level = if docs.enabled_by_default {
                RuleLevel::On(docs.level)
            } else {
                RuleLevel::Off
            };
            let mut options = toml::Table::new();
            for (index, layer) in layers.iter().enumerate() {
                for rule in layer.iter().filter(|rule| rule.id == spec.id) {
                    level = rule.level.unwrap_or(match level {
                        // Options for a rule that is off by default switch it on.
                        RuleLevel::Off if !rule.options.is_empty() => RuleLevel::On(docs.level),
                        level => level,
                    });
                    options.extend(rule.options.clone());
                }
                if index == 0 && selection.select.is_some() && level == RuleLevel::Off {
                    level = RuleLevel::On(docs.level);
                }
            }
            if layers.is_empty() && selection.select.is_some() {
                level = RuleLevel::On(docs.level);
            }
            if let RuleLevel::On(level) = level {
                resolved.push(ResolvedRule {
                    id: spec.id,
                    level,
                    options,
                });
            }
        }
        Ok(resolved)
    }

    /// Makes the resolved rules.
    pub fn build(&self, resolved: &[ResolvedRule]) -> Result<RuleSet, SelectionError> {
        let mut rules = Vec::with_capacity(resolved.len());
        for rule in resolved {
            let Some((spec, _)) = self.entries.iter().find(|(spec, _)| spec.id == rule.id) else {
                continue;
            };
            rules.push(EnabledRule {
                id: spec.id,
                level: rule.level,
                rule: (spec.new)(Some(&rule.options))?,
            });
        }
        let require_reason = resolved
            .iter()
            .find(|rule| rule.id == SUPPRESSION_COMMENT)
            .and_then(|rule| rule.options.get("require-reason"))
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        let mut options_key = xxhash_rust::xxh3::Xxh3::new();
        for rule in resolved {
            options_key.update(rule.id.as_bytes());
            options_key.update(&[0]);
            options_key.update(rule.options.to_string().as_bytes());
            options_key.update(&[0]);
        }
        Ok(RuleSet::new(rules)
            .with_suppression_policy(SuppressionPolicy {
                known_rules: self.ids().collect(),
                require_reason,
            })
            .with_options_key(options_key.digest()))
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

/// What the command line says about rules; it wins over the configuration.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
}

/// A rule as a run enables it for some file: its level and the options given to it (keys left
/// out keep their defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedRule {
    pub id: &'static str,
    pub level: Level,
    pub options: toml::Table,
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

/// The rules of a run for each file: the configuration's `[rules]`, then the overrides whose
/// globs match the file, then the command line. `backlint check` and `--show-settings` both
/// resolve through here, so what is printed is what is checked.
pub struct RuleResolver<'r> {
    registry: &'r Registry,
    config: Config,
    selection: RuleSelection,
}

impl<'r> RuleResolver<'r> {
    pub fn new(registry: &'r Registry, config: Config, selection: RuleSelection) -> Self {
        RuleResolver {
            registry,
            config,
            selection,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The indexes of the overrides whose globs match `path`, in the order they are written.
    pub fn matching_overrides(&self, path: &Path) -> Vec<usize> {
        if self.config.overrides.is_empty() {
            return Vec::new();
        }
        let Some(relative) = relative_to(path, &self.config.root) else {
            return Vec::new();
        };
        self.config
            .overrides
            .iter()
            .enumerate()
            .filter(|(_, entry)| entry.globs.is_match(&relative))
            .map(|(index, _)| index)
            .collect()
    }

    /// The rules, levels and options in force where the given overrides apply.
    pub fn resolve(&self, overrides: &[usize]) -> Result<Vec<ResolvedRule>, SelectionError> {
        let mut layers: Vec<&[RuleConfig]> = vec![&self.config.rules];
        layers.extend(
            overrides
                .iter()
                .filter_map(|&index| self.config.overrides.get(index))
                .map(|entry| entry.rules.as_slice()),
        );
        self.registry.resolve(&layers, &self.selection)
    }

    /// One rule set per combination of overrides among `paths`, made once each, and for each
    /// path the index of its set.
    pub fn rule_sets(
        &self,
        paths: impl Iterator<Item = impl AsRef<Path>>,
    ) -> Result<(Vec<RuleSet>, Vec<usize>), SelectionError> {
        let mut sets = Vec::new();
        let mut set_of_overrides: HashMap<Vec<usize>, usize> = HashMap::new();
        let mut set_of_path = Vec::new();
        for path in paths {
            let overrides = self.matching_overrides(path.as_ref());
            let index = match set_of_overrides.get(&overrides) {
                Some(&index) => index,
                None => {
                    sets.push(self.registry.build(&self.resolve(&overrides)?)?);
                    set_of_overrides.insert(overrides, sets.len() - 1);
                    sets.len() - 1
                }
            };
            set_of_path.push(index);
        }
        Ok((sets, set_of_path))
    }
}
