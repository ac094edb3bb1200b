//! Configuration files: `.backlint.toml`, `backlint.toml`, or the `[tool.backlint]` table of
//! `pyproject.toml`, found by walking up from the current folder (the nearest wins). Every
//! mistake in one is reported with its file, line and column, and a "did you mean" when a known
//! name is close, before anything is checked.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diagnostic::Level;
use crate::paths::{absolute_by_names, PathGlobs};
use crate::settings::Registry;

/// The names a configuration file can have, in the order they are preferred within one folder.
pub const CONFIG_FILE_NAMES: [&str; 3] = [".backlint.toml", "backlint.toml", "pyproject.toml"];

/// The top-level keys of a configuration, with what each holds (shown by `--show-settings` and
/// checked against the README).
pub const TOP_LEVEL_KEYS: [(&str, &str); 6] = [
    ("include", "list of globs"),
    ("exclude", "list of globs"),
    ("fail-on", "\"error\" | \"warning\" | \"note\""),
    ("respect-foreign-suppressions", "boolean"),
    ("rules", "table"),
    ("overrides", "array of tables"),
];

const OVERRIDE_KEYS: [&str; 2] = ["files", "rules"];

/// A rule switched off, or on at a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    On(Level),
}

impl RuleLevel {
    pub fn from_name(name: &str) -> Option<RuleLevel> {
        match name {
            "off" => Some(RuleLevel::Off),
            name => Level::from_name(name).map(RuleLevel::On),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RuleLevel::Off => "off",
            RuleLevel::On(level) => level.name(),
        }
    }
}

/// What a configuration says about one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleConfig {
    pub id: String,
    pub level: Option<RuleLevel>,
    /// The rule's options; keys left out keep their defaults.
    pub options: toml::Table,
}

/// Rules configured differently for the files some globs match.
#[derive(Debug, Clone)]
pub struct Override {
    pub files: Vec<String>,
    pub globs: PathGlobs,
    pub rules: Vec<RuleConfig>,
}

/// A configuration, as read from a file (or the defaults when there is none).
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: Option<PathBuf>,
    /// The folder its globs are relative to: the file's folder, or the working folder.
    pub root: PathBuf,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub fail_on: Option<Level>,
    pub respect_foreign_suppressions: bool,
    pub rules: Vec<RuleConfig>,
    pub overrides: Vec<Override>,
}

impl Config {
    /// No file: every rule at its default.
    pub fn defaults(root: PathBuf) -> Config {
        Config {
            path: None,
            root,
            include: Vec::new(),
            exclude: Vec::new(),
            fail_on: None,
            respect_foreign_suppressions: true,
            rules: Vec::new(),
            overrides: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read the configuration: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// The nearest configuration file in `start` or one of its parents. A `pyproject.toml` counts
/// only when it has a `[tool.backlint]` table.
pub fn find_config(start: &Path) -> Result<Option<PathBuf>, ConfigError> {
    for folder in start.ancestors() {
        for name in CONFIG_FILE_NAMES {
            let candidate = folder.join(name);
            if !candidate.is_file() {
                continue;
            }
            if name == "pyproject.toml" && !has_backlint_table(&candidate)? {
                continue;
            }
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

fn has_backlint_table(pyproject: &Path) -> Result<bool, ConfigError> {
    let text = read(pyproject)?;
    // A pyproject.toml that does not parse is another tool's problem unless it is ours.
    let Ok(document) = text.parse::<toml::Table>() else {
        return Ok(text.contains("[tool.backlint"));
    };
    Ok(document
        .get("tool")
        .and_then(|tool| tool.get("backlint"))
        .is_some())
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads and validates a configuration file against the rules of `registry`.
pub fn load(path: &Path, registry: &Registry) -> Result<Config, ConfigError> {
    parse(path, &read(path)?, registry)
}

/// Validates the text of the configuration file at `path` against the rules of `registry`.
pub fn parse(path: &Path, text: &str, registry: &Registry) -> Result<Config, ConfigError> {
    let is_pyproject = path
        .file_name()
        .is_some_and(|name| name == "pyproject.toml");
    let document = Document::parse(path, text, is_pyproject)?;
    let root = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let root = absolute_by_names(&root).unwrap_or(root);
    let mut config = Config::defaults(root);
    config.path = Some(path.to_path_buf());
    let Some(table) = document.table() else {
        return Ok(config);
    };
    let at = |key: &str| vec![Key::Name(key.to_owned())];
    for (key, value) in table {
        let here = at(key);
        match key.as_str() {
            "include" => config.include = document.globs(value, &here)?,
            "exclude" => config.exclude = document.globs(value, &here)?,
            "fail-on" => {
                let name = document.string(value, &here)?;
                config.fail_on = Some(Level::from_name(name).ok_or_else(|| {
                    document.value_error(
                        &here,
                        format!("`fail-on` is \"error\", \"warning\" or \"note\", not {value}"),
                    )
                })?);
            }
            "respect-foreign-suppressions" => {
                config.respect_foreign_suppressions = value
                    .as_bool()
                    .ok_or_else(|| document.type_error(&here, "a boolean", value))?;
            }
            "rules" => config.rules = document.rules(value, &here, registry)?,
            "overrides" => config.overrides = document.overrides(value, &here, registry)?,
            unknown => {
                let known = TOP_LEVEL_KEYS.iter().map(|(key, _)| *key);
                return Err(document.unknown_key(&here, unknown, "key", known));
            }
        }
    }
    Ok(config)
}

/// One step of the way to a value in the document.
#[derive(Debug, Clone)]
enum Key {
    Name(String),
    Index(usize),
}

/// A configuration's text, its values, and where each one is, for error messages.
struct Document<'a> {
    path: &'a Path,
    text: &'a str,
    values: toml::Table,
    spans: Spanned<DeTable<'a>>,
    /// The keys in front of ours: `tool.backlint` in a pyproject.toml.
    prefix: Vec<Key>,
}

impl<'a> Document<'a> {
    fn parse(path: &'a Path, text: &'a str, is_pyproject: bool) -> Result<Self, ConfigError> {
        let syntax_error = |error: toml::de::Error| {
            let offset = error.span().map_or(0, |span| span.start);
            let (line, column) = line_column(text, offset);
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message: format!("invalid TOML: {}", error.message().trim_end()),
            }
        };
        let values: toml::Table = toml::from_str(text).map_err(syntax_error)?;
        let spans = DeTable::parse(text).map_err(syntax_error)?;
        let prefix = if is_pyproject {
            vec![
                Key::Name("tool".to_owned()),
                Key::Name("backlint".to_owned()),
            ]
        } else {
            Vec::new()
        };
        Ok(Document {
            path,
            text,
            values,
            spans,
            prefix,
        })
    }

    /// Our table: the whole file, or `[tool.backlint]`.
    fn table(&self) -> Option<&toml::Table> {
        let mut table = &self.values;
        for key in &self.prefix {
            let Key::Name(name) = key else { return None };
            table = table.get(name)?.as_table()?;
        }
        Some(table)
    }

    fn globs(&self, value: &toml::Value, at: &[Key]) -> Result<Vec<String>, ConfigError> {
        let patterns = self.strings(value, at, "a list of globs")?;
        for (index, pattern) in patterns.iter().enumerate() {
            if let Err(error) = PathGlobs::new(std::slice::from_ref(pattern)) {
                let mut here = at.to_vec();
                here.push(Key::Index(index));
                return Err(self.value_error(&here, format!("invalid glob: {error}")));
            }
        }
        Ok(patterns)
    }

    fn strings(
        &self,
        value: &toml::Value,
        at: &[Key],
        expected: &str,
    ) -> Result<Vec<String>, ConfigError> {
        let items = value
            .as_array()
            .ok_or_else(|| self.type_error(at, expected, value))?;
        let mut strings = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let mut here = at.to_vec();
            here.push(Key::Index(index));
            strings.push(self.string(item, &here)?.to_owned());
        }
        Ok(strings)
    }

    fn string<'v>(&self, value: &'v toml::Value, at: &[Key]) -> Result<&'v str, ConfigError> {
        value
            .as_str()
            .ok_or_else(|| self.type_error(at, "a string", value))
    }

    fn rules(
        &self,
        value: &toml::Value,
        at: &[Key],
        registry: &Registry,
    ) -> Result<Vec<RuleConfig>, ConfigError> {
        let table = value
            .as_table()
            .ok_or_else(|| self.type_error(at, "a table of rule ids", value))?;
        let mut rules = Vec::with_capacity(table.len());
        for (id, setting) in table {
            let mut here = at.to_vec();
            here.push(Key::Name(id.clone()));
            let Some(docs) = registry.docs(id) else {
                return Err(self.unknown_key(&here, id, "rule", registry.ids()));
            };
            let mut rule = RuleConfig {
                id: id.clone(),
                level: None,
                options: toml::Table::new(),
            };
            match setting {
                toml::Value::String(level) => rule.level = Some(self.level(level, &here)?),
                toml::Value::Table(entries) => {
                    for (name, option) in entries {
                        let mut option_at = here.clone();
                        option_at.push(Key::Name(name.clone()));
                        if name == "level" {
                            rule.level = Some(self.level(self.string(option, &option_at)?, &option_at)?);
                            continue;
                        }
                        let Some(declared) = docs.options.iter().find(|declared| &declared.name == name) else {
                            let known = std::iter::once("level")
                                .chain(docs.options.iter().map(|declared| declared.name.as_str()));
                            return Err(self.unknown_key(&option_at, name, &format!("option of rule `{id}`:"), known));
                        };
                        let alone = toml::Table::from_iter([(name.clone(), option.clone())]);
                        if let Err(error) = registry.validate_options(id, &alone) {
                            return Err(self.value_error(
                                &option_at,
                                format!("`{name}` of `{id}` is a {}: {}", declared.kind, error.message),
                            ));
                        }
                        rule.options.insert(name.clone(), option.clone());
                    }
                    if let Err(error) = registry.validate_options(id, &rule.options) {
                        return Err(self.value_error(&here, error.to_string()));
                    }
                }
                other => {
                    return Err(self.type_error(
                        &here,
                        "a level (\"off\", \"note\", \"warning\", \"error\") or a table with `level` and options",
                        other,
                    ))
                }
            }
            rules.push(rule);
        }
        Ok(rules)
    }

    fn level(&self, name: &str, at: &[Key]) -> Result<RuleLevel, ConfigError> {
        RuleLevel::from_name(name).ok_or_else(|| {
            self.value_error(
                at,
                format!(
                    "a rule's level is \"off\", \"note\", \"warning\" or \"error\", not \"{name}\""
                ),
            )
        })
    }

    fn overrides(
        &self,
        value: &toml::Value,
        at: &[Key],
        registry: &Registry,
    ) -> Result<Vec<Override>, ConfigError> {
        let items = value
            .as_array()
            .ok_or_else(|| self.type_error(at, "an array of tables (`[[overrides]]`)", value))?;
        let mut overrides = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let mut here = at.to_vec();
            here.push(Key::Index(index));
            let table = item
                .as_table()
                .ok_or_else(|| self.type_error(&here, "a table", item))?;
            let mut files = None;
            let mut rules = Vec::new();
            for (key, value) in table {
                let mut key_at = here.clone();
                key_at.push(Key::Name(key.clone()));
                match key.as_str() {
                    "files" => files = Some(self.globs(value, &key_at)?),
                    "rules" => rules = self.rules(value, &key_at, registry)?,
                    unknown => {
                        return Err(self.unknown_key(
                            &key_at,
                            unknown,
                            "key in `[[overrides]]`:",
                            OVERRIDE_KEYS.into_iter(),
                        ))
                    }
                }
            }
            let Some(files) = files else {
                return Err(self.value_error(
                    &here,
                    "an `[[overrides]]` entry needs `files`, the globs it applies to".to_owned(),
                ));
            };
            let globs = PathGlobs::new(&files)
                .map_err(|error| self.value_error(&here, format!("invalid glob: {error}")))?;
            overrides.push(Override {
                files,
                globs,
                rules,
            });
        }
        Ok(overrides)
    }

    fn unknown_key<'k>(
        &self,
        at: &[Key],
        unknown: &str,
        what: &str,
        known: impl Iterator<Item = &'k str>,
    ) -> ConfigError {
        let suggestion = did_you_mean(unknown, known)
            .map(|known| format!(" (did you mean `{known}`?)"))
            .unwrap_or_default();
        self.error(
            at,
            Part::Key,
            format!("unknown {what} `{unknown}`{suggestion}"),
        )
    }

    fn type_error(&self, at: &[Key], expected: &str, found: &toml::Value) -> ConfigError {
        let name = match at.last() {
            Some(Key::Name(name)) => format!("`{name}`"),
            _ => "this value".to_owned(),
        };
        self.value_error(
            at,
            format!(
                "{name} must be {expected}, not {} {found}",
                article(found.type_str())
            ),
        )
    }

    fn value_error(&self, at: &[Key], message: String) -> ConfigError {
        self.error(at, Part::Value, message)
    }

    fn error(&self, at: &[Key], part: Part, message: String) -> ConfigError {
        let mut full = self.prefix.clone();
        full.extend_from_slice(at);
        let offset = locate(&self.spans, &full, part).map_or(0, |span| span.start);
        let (line, column) = line_column(self.text, offset);
        ConfigError::Invalid {
            path: self.path.to_path_buf(),
            line,
            column,
            message,
        }
    }
}

fn article(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

#[derive(Clone, Copy)]
enum Part {
    Key,
    Value,
}

/// Where the key or the value at `path` is written.
fn locate(table: &Spanned<DeTable<'_>>, path: &[Key], part: Part) -> Option<Range<usize>> {
    let mut key_span = None;
    let mut current: Option<&Spanned<DeValue<'_>>> = None;
    let mut current_table = Some(table.get_ref());
    for step in path {
        let value = match (step, current_table) {
            (Key::Name(name), Some(table)) => {
                let (key, value) = table.iter().find(|(key, _)| key.get_ref() == name)?;
                key_span = Some(key.span());
                value
            }
            (Key::Index(index), _) => {
                let array = current?.get_ref().as_array()?;
                let value = array.get(*index)?;
                key_span = Some(value.span());
                value
            }
            (Key::Name(_), None) => return None,
        };
        current = Some(value);
        current_table = value.get_ref().as_table();
    }
    match part {
        Part::Key => key_span,
        Part::Value => current.map(Spanned::span).or(key_span),
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The known name closest to a misspelt one, if one is close.
pub fn did_you_mean<'k>(unknown: &str, known: impl Iterator<Item = &'k str>) -> Option<&'k str> {
    known
        .map(|candidate| (strsim::jaro_winkler(unknown, candidate), candidate))
        .filter(|(similarity, _)| *similarity > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("a = 1\nbé = 2", 10), (2, 4));
        assert_eq!(line_column("x", 0), (1, 1));
    }
}
