//! `--format json`: a versioned document with stable field names (see the README).

use backlint_engine::diagnostic::{Applicability, Fix};
use backlint_engine::source::Position;
use backlint_engine::{CheckResult, Diagnostic, Notification};
use serde::Serialize;

use crate::summary::Summary;

/// Bumped when a field is removed or changes meaning; adding a field does not bump it.
const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    notifications: Vec<&'a Notification>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    level: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    fingerprint: &'a str,
    related: Vec<JsonSpan<'a>>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonSpan<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: Applicability,
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    content: &'a str,
}

pub fn render_json(result: &CheckResult) -> String {
    let document = Document {
        version: JSON_FORMAT_VERSION,
        findings: result.diagnostics().map(finding).collect(),
        notifications: result.all_notifications(),
        summary: Summary::of(result),
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|error| {
        // Serialising plain structs of strings and numbers cannot fail.
        format!("{{\"error\": \"{error}\"}}")
    });
    text.push('\n');
    text
}

fn finding(diagnostic: &Diagnostic) -> JsonFinding<'_> {
    JsonFinding {
        rule: diagnostic.rule,
        level: diagnostic.level.name(),
        path: &diagnostic.path,
        line: diagnostic.start.line,
        column: diagnostic.start.column,
        end_line: diagnostic.end.line,
        end_column: diagnostic.end.column,
        message: &diagnostic.message,
        fingerprint: &diagnostic.fingerprint,
        related: diagnostic
            .related
            .iter()
            .map(|related| span(related.start, related.end, &related.message))
            .collect(),
        fix: diagnostic.fix.as_ref().map(fix),
    }
}

fn span(start: Position, end: Position, message: &str) -> JsonSpan<'_> {
    JsonSpan {
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        message,
    }
}

fn fix(fix: &Fix) -> JsonFix<'_> {
    JsonFix {
        applicability: fix.applicability,
        message: &fix.message,
        edits: fix
            .edits
            .iter()
            .map(|edit| JsonEdit {
                line: edit.start.line,
                column: edit.start.column,
                end_line: edit.end.line,
                end_column: edit.end.column,
                content: &edit.content,
            })
            .collect(),
    }
}
