//! Findings as the protocol shows them.

use std::ops::Range;
use std::str::FromStr;

use backlint_engine::suppression::UNUSED_SUPPRESSION;
use backlint_engine::{FileReport, Level};
use backlint_report::help_uri;
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Uri,
};

use crate::document::Document;
use crate::line_index::PositionEncoding;
use crate::workspace::ConfigProblem;

pub const SOURCE: &str = "backlint";

/// The protocol's diagnostics for a report on `document`, in the same order.
pub fn to_protocol(
    report: &FileReport,
    document: &Document,
    uri: &Uri,
    encoding: PositionEncoding,
) -> Vec<Diagnostic> {
    report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let related = diagnostic
                .related
                .iter()
                .map(|related| DiagnosticRelatedInformation {
                    location: Location {
                        uri: uri.clone(),
                        range: range(document, &related.range, encoding),
                    },
                    message: related.message.clone(),
                })
                .collect::<Vec<_>>();
            Diagnostic {
                range: range(document, &diagnostic.range, encoding),
                severity: Some(severity(diagnostic.level)),
                code: Some(NumberOrString::String(diagnostic.rule.to_owned())),
                code_description: Uri::from_str(&help_uri(diagnostic.rule))
                    .ok()
                    .map(|href| CodeDescription { href }),
                source: Some(SOURCE.to_owned()),
                message: diagnostic.message.clone(),
                related_information: (!related.is_empty()).then_some(related),
                // Editors grey out an unused suppression, as they do unused code.
                tags: (diagnostic.rule == UNUSED_SUPPRESSION)
                    .then(|| vec![DiagnosticTag::UNNECESSARY]),
                data: None,
            }
        })
        .collect()
}

/// The protocol range of a byte range the engine reported.
pub fn range(
    document: &Document,
    engine_range: &Range<usize>,
    encoding: PositionEncoding,
) -> lsp_types::Range {
    let range = document.from_engine(engine_range);
    let index = document.line_index();
    lsp_types::Range {
        start: index.position(document.text(), range.start, encoding),
        end: index.position(document.text(), range.end, encoding),
    }
}

fn severity(level: Level) -> DiagnosticSeverity {
    match level {
        Level::Error => DiagnosticSeverity::ERROR,
        Level::Warning => DiagnosticSeverity::WARNING,
        Level::Note => DiagnosticSeverity::INFORMATION,
    }
}

/// A configuration problem as a diagnostic on the configuration file, whose text is `text`.
pub fn config_problem(
    problem: &ConfigProblem,
    text: &str,
    encoding: PositionEncoding,
) -> Diagnostic {
    let (line, column) = problem.location.unwrap_or((1, 1));
    let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let width = |text: &str| match encoding {
        PositionEncoding::Utf16 => text.encode_utf16().count(),
        PositionEncoding::Utf8 => text.len(),
    };
    // The engine counts columns in characters. The range runs to the end of the line, so that
    // the whole key or value is underlined.
    let before: String = line_text.chars().take(column.saturating_sub(1)).collect();
    let start = width(&before);
    let end = width(line_text).max(start + 1);
    let position = |character: usize| {
        lsp_types::Position::new(line.saturating_sub(1) as u32, character as u32)
    };
    Diagnostic {
        range: lsp_types::Range {
            start: position(start),
            end: position(end),
        },
        severity: Some(DiagnosticSeverity::ERROR),
        code: None,
        code_description: None,
        source: Some(SOURCE.to_owned()),
        message: problem.message.clone(),
        related_information: None,
        tags: None,
        data: None,
    }
}
