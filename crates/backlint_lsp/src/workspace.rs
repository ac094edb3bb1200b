//! The configuration of each workspace folder: the file `backlint check` would use when run in
//! that folder, read again when it changes. A configuration that fails to load leaves the last
//! good one in force (or the defaults, when there never was one), and the failure is reported.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use backlint_engine::config::{find_config, load, Config, ConfigError};
use backlint_engine::rule::RuleSet;
use backlint_engine::settings::{PathFilter, Registry, RuleResolver, RuleSelection};
use backlint_engine::Settings;

/// What a document is checked with.
pub struct Target {
    pub settings: Arc<Settings>,
    pub rules: Arc<RuleSet>,
}

/// A configuration file that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub path: PathBuf,
    /// 1-based; `None` when the file could not be read at all.
    pub location: Option<(usize, usize)>,
    pub message: String,
}

pub struct Workspaces {
    registry: &'static Registry,
    folders: Vec<Workspace>,
}

struct Workspace {
    root: PathBuf,
    /// A folder the client named, rather than the folder of a file outside all of them.
    is_client_folder: bool,
    configuration: Configuration,
    problem: Option<ConfigProblem>,
}

struct Configuration {
    settings: Arc<Settings>,
    resolver: RuleResolver<'static>,
    /// Rule sets already made, by the overrides that apply.
    rule_sets: HashMap<Vec<usize>, Arc<RuleSet>>,
}

impl Configuration {
    fn new(registry: &'static Registry, config: Config) -> Configuration {
        let settings = Settings {
            filter: PathFilter::new(&config),
            respect_foreign_suppressions: config.respect_foreign_suppressions,
            ..Settings::default()
        };
        Configuration {
            settings: Arc::new(settings),
            resolver: RuleResolver::new(registry, config, RuleSelection::default()),
            rule_sets: HashMap::new(),
        }
    }
}

impl Workspace {
    fn load(registry: &'static Registry, root: PathBuf, is_client_folder: bool) -> Workspace {
        let mut workspace = Workspace {
            configuration: Configuration::new(registry, Config::defaults(root.clone())),
            root,
            is_client_folder,
            problem: None,
        };
        workspace.reload(registry);
        workspace
    }

    /// Reads the configuration again; on failure the one in force stays.
    fn reload(&mut self, registry: &'static Registry) {
        let loaded = find_config(&self.root).and_then(|path| match path {
            Some(path) => load(&path, registry),
            None => Ok(Config::defaults(self.root.clone())),
        });
        match loaded {
            Ok(config) => {
                self.configuration = Configuration::new(registry, config);
                self.problem = None;
            }
            Err(error) => self.problem = Some(problem_of(error)),
        }
    }

    fn contains(&self, path: &Path) -> bool {
        path.starts_with(&self.root)
    }

    /// The settings and rules for a file, or `None` when the configuration excludes it.
    fn target(&mut self, registry: &Registry, path: &Path) -> Option<Target> {
        let configuration = &mut self.configuration;
        if is_excluded(path, &self.root, &configuration.settings) {
            return None;
        }
        let overrides = configuration.resolver.matching_overrides(path);
        let rules = match configuration.rule_sets.get(&overrides) {
            Some(rules) => Arc::clone(rules),
            None => {
                // The configuration was validated when it was loaded, so resolving cannot fail
                // on its account; should it, the file is left unchecked rather than guessed at.
                let resolved = configuration.resolver.resolve(&overrides).ok()?;
                let rules = Arc::new(registry.build(&resolved).ok()?);
                configuration
                    .rule_sets
                    .insert(overrides, Arc::clone(&rules));
                rules
            }
        };
        Some(Target {
            settings: Arc::clone(&configuration.settings),
            rules,
        })
    }
}

impl Workspaces {
    pub fn new(registry: &'static Registry, roots: Vec<PathBuf>) -> Workspaces {
        Workspaces {
            registry,
            folders: roots
                .into_iter()
                .map(|root| Workspace::load(registry, root, true))
                .collect(),
        }
    }

    pub fn add_folder(&mut self, root: PathBuf) {
        self.folders.retain(|folder| folder.root != root);
        self.folders
            .push(Workspace::load(self.registry, root, true));
    }

    pub fn remove_folder(&mut self, root: &Path) {
        self.folders.retain(|folder| folder.root != root);
    }

    /// Reads every configuration again.
    pub fn reload(&mut self) {
        for folder in &mut self.folders {
            folder.reload(self.registry);
        }
    }

    /// The configurations that failed to load.
    pub fn problems(&self) -> Vec<ConfigProblem> {
        let mut problems: Vec<ConfigProblem> = self
            .folders
            .iter()
            .filter_map(|folder| folder.problem.clone())
            .collect();
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        problems.dedup();
        problems
    }

    /// The settings and rules for a file: those of the innermost workspace folder that holds
    /// it, or, for a file outside all of them, those `backlint check` would use in its folder.
    pub fn target(&mut self, path: &Path) -> Option<Target> {
        let index = match self
            .folders
            .iter()
            .enumerate()
            .filter(|(_, folder)| folder.contains(path))
            .max_by_key(|(_, folder)| (folder.is_client_folder, folder.root.as_os_str().len()))
        {
            Some((index, _)) => index,
            None => {
                let folder = path.parent().unwrap_or(Path::new("")).to_path_buf();
                self.folders
                    .push(Workspace::load(self.registry, folder, false));
                self.folders.len() - 1
            }
        };
        self.folders[index].target(self.registry, path)
    }
}

/// Whether a file is one `backlint check` in the workspace would leave out: in a folder it
/// never enters (`node_modules`, …), or excluded by the configuration's globs.
fn is_excluded(path: &Path, root: &Path, settings: &Settings) -> bool {
    let in_excluded_folder = path
        .strip_prefix(root)
        .is_ok_and(|relative| settings.is_in_excluded_directory(relative));
    in_excluded_folder || !settings.filter.keeps_file(path)
}

fn problem_of(error: ConfigError) -> ConfigProblem {
    match error {
        ConfigError::Read { path, source } => ConfigProblem {
            message: format!("cannot read the configuration: {source}"),
            path,
            location: None,
        },
        ConfigError::Invalid {
            path,
            line,
            column,
            message,
        } => ConfigProblem {
            path,
            location: Some((line, column)),
            message,
        },
    }
}
