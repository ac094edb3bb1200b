//! Counts over a result, shared by every format.

use std::collections::BTreeMap;

use backlint_engine::baseline::BaselineOutcome;
use backlint_engine::suppression::{count_by_kind, SuppressionKind};
use backlint_engine::{CheckResult, Level};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub files: usize,
    /// Files whose results were read from the cache (the human summary line says so).
    #[serde(skip)]
    pub cached: usize,
    pub notifications: usize,
    /// Findings hidden by suppression comments, by kind of comment.
    pub suppressed: BTreeMap<SuppressionKind, usize>,
    /// Findings hidden by `--baseline`, and baseline entries that match nothing any more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineOutcome>,
}

impl Summary {
    pub fn of(result: &CheckResult) -> Summary {
        let mut summary = Summary {
            findings: 0,
            errors: 0,
            warnings: 0,
            notes: 0,
            files: result.files_checked(),
            cached: result.files_cached,
            notifications: result.all_notifications().len(),
            suppressed: count_by_kind(result.suppressed()),
            baseline: result.baseline,
        };
        for diagnostic in result.diagnostics() {
            summary.findings += 1;
            match diagnostic.level {
                Level::Error => summary.errors += 1,
                Level::Warning => summary.warnings += 1,
                Level::Note => summary.notes += 1,
            }
        }
        summary
    }

    /// `3 findings (1 error, 2 warnings, 0 notes) in 12 files (10 cached), 0.04s`, then what suppression
    /// comments and the baseline hid: `; 2 suppressed (1 backlint-ignore, 1 noqa); 5 in the
    /// baseline, 1 fixed`.
    pub fn line(&self, seconds: f64) -> String {
        let cached = if self.cached > 0 {
            format!(" ({} cached)", self.cached)
        } else {
            String::new()
        };
        let mut line = format!(
            "{} ({}, {}, {}) in {}{cached}, {seconds:.2}s",
            counted(self.findings, "finding", "findings"),
            counted(self.errors, "error", "errors"),
            counted(self.warnings, "warning", "warnings"),
            counted(self.notes, "note", "notes"),
            counted(self.files, "file", "files"),
        );
        let suppressed: usize = self.suppressed.values().sum();
        if suppressed > 0 {
            let by_kind: Vec<String> = self
                .suppressed
                .iter()
                .map(|(kind, count)| format!("{count} {}", kind.name()))
                .collect();
            line.push_str(&format!(
                "; {suppressed} suppressed ({})",
                by_kind.join(", ")
            ));
        }
        if let Some(baseline) = self.baseline {
            line.push_str(&format!(
                "; {} hidden by the baseline, {} fixed since",
                baseline.hidden, baseline.fixed
            ));
        }
        line
    }
}

fn counted(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}
