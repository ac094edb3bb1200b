//! Counts over a result, shared by every format.

use backlint_engine::{CheckResult, Level};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub files: usize,
    pub notifications: usize,
}

impl Summary {
    pub fn of(result: &CheckResult) -> Summary {
        let mut summary = Summary {
            findings: 0,
            errors: 0,
            warnings: 0,
            notes: 0,
            files: result.files_checked(),
            notifications: result.all_notifications().len(),
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

    /// `3 findings (1 error, 2 warnings, 0 notes) in 12 files, 0.04s`
    pub fn line(&self, seconds: f64) -> String {
        format!(
            "{} ({}, {}, {}) in {}, {seconds:.2}s",
            counted(self.findings, "finding", "findings"),
            counted(self.errors, "error", "errors"),
            counted(self.warnings, "warning", "warnings"),
            counted(self.notes, "note", "notes"),
            counted(self.files, "file", "files"),
        )
    }
}

fn counted(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}
