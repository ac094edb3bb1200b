//! Baselines: the findings a team accepted when it adopted backlint, by fingerprint, so that
//! `check --baseline` fails only on new ones. Fingerprints leave line numbers out (see
//! [`crate::fingerprint`]), so code moving down a file keeps its findings hidden.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::pipeline::CheckResult;

/// The file `backlint baseline` writes unless told otherwise.
pub const DEFAULT_BASELINE_FILE: &str = ".backlint-baseline.json";

/// Bumped when the fingerprint or the file's fields change meaning.
const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding. `line` is for the humans who review the file; only `fingerprint`
/// is matched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    pub line: String,
}

/// What a baseline did to a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BaselineOutcome {
    /// Findings hidden because the baseline holds them.
    pub hidden: usize,
    /// Entries of the baseline that match no finding any more: in the files this run checked,
    /// or in files that no longer exist.
    pub fixed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{}: cannot read the baseline: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a backlint baseline: {source}", path.display())]
    Invalid {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: a version {found} baseline; this backlint reads version {BASELINE_VERSION}: write it again with `backlint baseline`", path.display())]
    Version { path: PathBuf, found: u32 },
}

impl Baseline {
    /// Every finding of a run, sorted, so that the file reads well in a diff.
    pub fn of(result: &CheckResult) -> Baseline {
        let mut findings: Vec<BaselineEntry> = result
            .diagnostics()
            .map(|diagnostic| BaselineEntry {
                path: diagnostic.path.clone(),
                rule: diagnostic.rule.to_owned(),
                fingerprint: diagnostic.fingerprint.clone(),
                // The code frame's first line, where secrets are already redacted.
                line: diagnostic
                    .snippet
                    .text
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            })
            .collect();
        findings.sort();
        Baseline {
            version: BASELINE_VERSION,
            findings,
        }
    }

    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let baseline: Baseline =
            serde_json::from_str(&text).map_err(|source| BaselineError::Invalid {
                path: path.to_path_buf(),
                source,
            })?;
        if baseline.version != BASELINE_VERSION {
            return Err(BaselineError::Version {
                path: path.to_path_buf(),
                found: baseline.version,
            });
        }
        Ok(baseline)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|error| {
            // Serialising plain structs of strings cannot fail.
            format!("{{\"error\": \"{error}\"}}")
        });
        text.push('\n');
        text
    }

    /// Removes from `result` the findings this baseline holds, and counts them and the
    /// entries that matched nothing. Paths are relative to the working folder, as in reports.
    pub fn apply(&self, result: &mut CheckResult) -> BaselineOutcome {
        let accepted: HashSet<&str> = self
            .findings
            .iter()
            .map(|entry| entry.fingerprint.as_str())
            .collect();
        let mut matched: HashSet<String> = HashSet::new();
        let mut outcome = BaselineOutcome::default();
        for file in &mut result.files {
            file.diagnostics.retain(|diagnostic| {
                if accepted.contains(diagnostic.fingerprint.as_str()) {
                    matched.insert(diagnostic.fingerprint.clone());
                    outcome.hidden += 1;
                    false
                } else {
                    true
                }
            });
        }
        let checked: BTreeSet<&str> = result.files.iter().map(|file| file.path.as_str()).collect();
        outcome.fixed = self
            .findings
            .iter()
            .filter(|entry| {
                checked.contains(entry.path.as_str()) || !Path::new(&entry.path).exists()
            })
            .filter(|entry| !matched.contains(&entry.fingerprint))
            .count();
        outcome
    }
}
