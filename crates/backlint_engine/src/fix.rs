//! Applying fixes: the fixes of a file's findings that do not overlap are applied to its text
//! together, and the result is checked again, since one fix can make room for another, until
//! no fix applies.

use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Fix, NotificationKind};
use crate::language::Grammar;
use crate::pipeline::{check_source, FileReport};
use crate::rule::RuleSet;
use crate::settings::Settings;
use crate::source::Source;

/// Which fixes `--fix` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixLevel {
    /// Only those that keep the program's meaning.
    Safe,
    /// Those that may change behaviour or types too (`--unsafe-fixes`).
    Unsafe,
}

impl FixLevel {
    pub fn allows(self, applicability: Applicability) -> bool {
        match self {
            FixLevel::Safe => applicability == Applicability::Safe,
            FixLevel::Unsafe => true,
        }
    }
}

/// At most this many rounds of checking and fixing: a rule that keeps proposing a fix must not
/// keep a run going.
pub const MAX_ROUNDS: usize = 10;

/// The fixes of `diagnostics` that `level` allows and that can be applied together: in order
/// of position, a fix with an edit that overlaps (or inserts at the same place as) an edit
/// already taken is left for the next round.
pub fn compatible_fixes<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    level: FixLevel,
) -> Vec<&'a Fix> {
    choose(
        diagnostics
            .into_iter()
            .filter_map(|diagnostic| diagnostic.fix.as_ref()),
        level,
    )
}

fn choose<'a>(fixes: impl IntoIterator<Item = &'a Fix>, level: FixLevel) -> Vec<&'a Fix> {
    let mut fixes: Vec<&Fix> = fixes
        .into_iter()
        .filter(|fix| level.allows(fix.applicability))
        .collect();
    fixes.sort_by_key(|fix| fix.edits.iter().map(|edit| edit.range.start).min());
    let mut taken: Vec<Range<usize>> = Vec::new();
    fixes.retain(|fix| {
        let collides = fix.edits.iter().any(|edit| {
            taken.iter().any(|done| {
                edit.range.start < done.end && done.start < edit.range.end
                    || edit.range.start == done.start
            })
        });
        if !collides {
            taken.extend(fix.edits.iter().map(|edit| edit.range.clone()));
        }
        !collides
    });
    fixes
}

/// `text` with the edits of `fixes` made; their edits must not overlap.
pub fn apply(text: &str, fixes: &[&Fix]) -> String {
    let mut edits: Vec<(&Range<usize>, &str)> = fixes
        .iter()
        .flat_map(|fix| fix.edits.iter())
        .map(|edit| (&edit.range, edit.content.as_str()))
        .collect();
    edits.sort_by_key(|(range, _)| (range.start, range.end));
    let mut fixed = String::with_capacity(text.len());
    let mut copied = 0;
    for (range, content) in edits {
        fixed.push_str(&text[copied..range.start]);
        fixed.push_str(content);
        copied = range.end;
    }
    fixed.push_str(&text[copied..]);
    fixed
}

fn has_syntax_errors(report: &FileReport) -> bool {
    report
        .notifications
        .iter()
        .any(|notification| notification.kind == NotificationKind::ParseError)
}

/// A file's text after its fixes, and its report as it then stands.
#[derive(Debug)]
pub struct Fixed {
    pub text: String,
    /// How many fixes were applied, over all rounds.
    pub applied: usize,
    pub report: FileReport,
}

/// Checks `source` and applies the fixes `level` allows, round after round, until none
/// applies or [`MAX_ROUNDS`] have run. A file with syntax errors is not fixed, and a round
/// whose fixes would cause one is undone. The text keeps its line endings and byte order
/// mark; `report` is the check of the final text.
pub fn fix_source(
    source: &Source,
    grammar: Grammar,
    settings: &Settings,
    rules: &RuleSet,
    level: FixLevel,
) -> Fixed {
    let mut report = check_source(source, grammar, settings, rules);
    let mut text = source.text().to_owned();
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        // Findings in a file with syntax errors rest on error recovery: not fixed.
        if has_syntax_errors(&report) {
            break;
        }
        let fixes = compatible_fixes(&report.diagnostics, level);
        if fixes.is_empty() {
            break;
        }
        let fixed_text = apply(&text, &fixes);
        let mut fixed_source = Source::new(source.path.clone(), fixed_text.clone());
        fixed_source.project_path = source.project_path.clone();
        let fixed_report = check_source(&fixed_source, grammar, settings, rules);
        // A fix must never break the syntax; should one, the round is undone.
        if has_syntax_errors(&fixed_report) {
            break;
        }
        applied += fixes.len();
        text = fixed_text;
        report = fixed_report;
    }
    if source.has_byte_order_mark() {
        text.insert(0, '\u{feff}');
    }
    Fixed {
        text,
        applied,
        report,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;
    use crate::source::Position;

    fn fix(applicability: Applicability, edits: &[(Range<usize>, &str)]) -> Fix {
        let position = Position {
            line: 1,
            column: 1,
            utf16_column: 1,
        };
        Fix {
            applicability,
            message: String::new(),
            edits: edits
                .iter()
                .map(|(range, content)| Edit {
                    range: range.clone(),
                    start: position,
                    end: position,
                    content: (*content).to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn fixes_that_collide_wait_for_the_next_round() {
        let first = fix(Applicability::Safe, &[(4..7, "unknown")]);
        let overlapping = fix(Applicability::Safe, &[(6..9, "x")]);
        let same_insertion_point = fix(Applicability::Safe, &[(4..4, "y")]);
        let elsewhere = fix(Applicability::Safe, &[(10..10, " z"), (0..0, "w")]);
        let fixes = [&overlapping, &elsewhere, &first, &same_insertion_point];
        let taken = choose(fixes, FixLevel::Safe);
        assert_eq!(taken, vec![&elsewhere, &first]);
        assert_eq!(apply("let any = 1;", &taken), "wlet unknown =  z1;");
    }

    #[test]
    fn unsafe_fixes_need_the_unsafe_level() {
        let unsafe_fix = fix(Applicability::Unsafe, &[(0..3, "unknown")]);
        assert!(choose([&unsafe_fix], FixLevel::Safe).is_empty());
        assert_eq!(choose([&unsafe_fix], FixLevel::Unsafe), vec![&unsafe_fix]);
    }
}
