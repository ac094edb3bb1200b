//! The terminal formats: `human` (header line, code frame, fix hint) and `concise` (one line).

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level as FrameLevel, Renderer, Snippet};
use backlint_engine::{CheckResult, Diagnostic, Level};

use crate::summary::Summary;

pub fn render_human(result: &CheckResult, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for diagnostic in result.diagnostics() {
        let _ = writeln!(out, "{}", header(diagnostic));
        let _ = writeln!(out, "{}", renderer.render(&[frame(diagnostic)]));
        out.push('\n');
    }
    render_footer(result, &mut out);
    out
}

pub fn render_concise(result: &CheckResult) -> String {
    let mut out = String::new();
    for diagnostic in result.diagnostics() {
        let _ = writeln!(out, "{}", header(diagnostic));
    }
    render_footer(result, &mut out);
    out
}

/// `path:line:col: level[rule-id] message`
fn header(diagnostic: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}[{}] {}",
        diagnostic.path,
        diagnostic.start.line,
        diagnostic.start.column,
        diagnostic.level,
        diagnostic.rule,
        diagnostic.message
    )
}

/// The notifications, then the summary line.
fn render_footer(result: &CheckResult, out: &mut String) {
    for notification in result.all_notifications() {
        let _ = writeln!(
            out,
            "{}: {}: {}",
            notification.path,
            notification.kind.name(),
            notification.message
        );
    }
    let _ = writeln!(
        out,
        "{}",
        Summary::of(result).line(result.duration.as_secs_f64())
    );
}

fn frame(diagnostic: &Diagnostic) -> Group<'_> {
    let level = match diagnostic.level {
        Level::Error => FrameLevel::ERROR,
        Level::Warning => FrameLevel::WARNING,
        Level::Note => FrameLevel::NOTE,
    };
    let snippet = &diagnostic.snippet;
    let mut group = Group::with_level(level.clone()).element(
        Snippet::source(snippet.text.as_str())
            .line_start(snippet.first_line)
            .fold(false)
            .annotation(AnnotationKind::Primary.span(snippet.range.clone())),
    );
    if let Some(fix) = &diagnostic.fix {
        group = group.element(FrameLevel::HELP.message(format!(
            "{} ({} fix)",
            fix.message,
            fix.applicability.name()
        )));
    }
    group
}
