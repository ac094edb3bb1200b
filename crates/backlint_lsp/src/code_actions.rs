//! Code actions: a finding's fix, suppressing a finding on its line or in its file, and fixing
//! everything that has a safe fix.

use std::collections::HashMap;

use backlint_engine::diagnostic::{Applicability, Fix};
use backlint_engine::fix::{compatible_fixes, FixLevel};
use backlint_engine::suppression::{SUPPRESSION_COMMENT, UNUSED_SUPPRESSION};
use backlint_engine::{FileReport, Grammar};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, Range, TextEdit, Uri,
    WorkspaceEdit,
};
use tree_sitter::Tree;

use crate::diagnostics::range;
use crate::document::Document;
use crate::line_index::PositionEncoding;

/// "Fix all" for backlint alone, so that editors can run it on save next to other fixers.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.backlint")
}

/// Node kinds whose text can span lines and must not be split by an inserted comment line.
const MULTI_LINE_LITERALS: &[&str] = &["string", "template_string"];

/// The actions for the findings of `report` (shown to the client as `shown`, in the same
/// order) that touch `requested`, of the kinds in `only` (all kinds when `None`, except source
/// actions, which are given only when asked for).
pub fn code_actions(
    document: &Document,
    uri: &Uri,
    report: &FileReport,
    shown: &[Diagnostic],
    requested: Range,
    only: Option<&[CodeActionKind]>,
    encoding: PositionEncoding,
) -> Vec<CodeActionOrCommand> {
    let wants = |kind: &CodeActionKind| match only {
        None => kind != &fix_all_kind(),
        Some(only) => only.iter().any(|wanted| {
            kind.as_str() == wanted.as_str()
                || kind
                    .as_str()
                    .strip_prefix(wanted.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        }),
    };
    let mut actions = Vec::new();
    for (diagnostic, shown) in report.diagnostics.iter().zip(shown) {
        if !on_requested_lines(&shown.range, &requested) || !wants(&CodeActionKind::QUICKFIX) {
            continue;
        }
        if let Some(fix) = &diagnostic.fix {
            let title = match fix.applicability {
                Applicability::Safe => fix.message.clone(),
                Applicability::Unsafe => format!("{} (unsafe fix)", fix.message),
            };
            actions.push(quick_fix(
                title,
                shown,
                uri,
                fix_edits(document, fix, encoding),
                fix.applicability == Applicability::Safe,
            ));
        }
        if [UNUSED_SUPPRESSION, SUPPRESSION_COMMENT].contains(&diagnostic.rule) {
            continue;
        }
        let start = document.from_engine(&diagnostic.range).start;
        if let Some(edit) = suppress_on_line(document, diagnostic.rule, start, encoding) {
            actions.push(quick_fix(
                format!("Suppress `{}` on this line", diagnostic.rule),
                shown,
                uri,
                vec![edit],
                false,
            ));
        }
        actions.push(quick_fix(
            format!("Suppress `{}` in this file", diagnostic.rule),
            shown,
            uri,
            vec![suppress_in_file(document, diagnostic.rule, encoding)],
            false,
        ));
    }
    if wants(&fix_all_kind()) {
        if let Some(action) = fix_all(document, uri, report, encoding) {
            actions.push(action);
        }
    }
    actions
}

/// Whether a finding's lines and the requested lines meet: editors ask with the cursor's
/// position, which may be anywhere on the finding's line.
fn on_requested_lines(finding: &Range, requested: &Range) -> bool {
    finding.start.line <= requested.end.line && requested.start.line <= finding.end.line
}

fn quick_fix(
    title: String,
    diagnostic: &Diagnostic,
    uri: &Uri,
    edits: Vec<TextEdit>,
    is_preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(workspace_edit(uri, edits)),
        is_preferred: Some(is_preferred),
        ..CodeAction::default()
    })
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

fn fix_edits(document: &Document, fix: &Fix, encoding: PositionEncoding) -> Vec<TextEdit> {
    fix.edits
        .iter()
        .map(|edit| TextEdit {
            range: range(document, &edit.range, encoding),
            new_text: edit.content.clone(),
        })
        .collect()
}

/// Every safe fix of the file in one edit; a fix that overlaps one already taken waits for the
/// next run.
fn fix_all(
    document: &Document,
    uri: &Uri,
    report: &FileReport,
    encoding: PositionEncoding,
) -> Option<CodeActionOrCommand> {
    let edits: Vec<TextEdit> = compatible_fixes(&report.diagnostics, FixLevel::Safe)
        .into_iter()
        .flat_map(|fix| fix_edits(document, fix, encoding))
        .collect();
    if edits.is_empty() {
        return None;
    }
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: "backlint: apply all safe fixes".to_owned(),
        kind: Some(fix_all_kind()),
        edit: Some(workspace_edit(uri, edits)),
        ..CodeAction::default()
    }))
}

fn comment_marker(grammar: Grammar) -> &'static str {
    match grammar {
        Grammar::Python => "#",
        Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript => "//",
    }
}

/// `backlint-ignore-next-line[rule]` on a line of its own above the finding's line, indented
/// like it; or the rule added to such a comment that is already there. `None` where a comment
/// line cannot go: inside a multi-line string, or after a Python line continuation.
fn suppress_on_line(
    document: &Document,
    rule: &str,
    finding_start: usize,
    encoding: PositionEncoding,
) -> Option<TextEdit> {
    let text = document.text();
    let content_start = document.from_engine(&(0..0)).start;
    let line_start = text[..finding_start]
        .rfind('\n')
        .map_or(0, |newline| newline + 1)
        .max(content_start);
    if starts_inside_literal(document.tree()?, line_start) {
        return None;
    }
    let marker = comment_marker(document.grammar());
    if line_start > content_start {
        let previous_start = text[..line_start - 1]
            .rfind('\n')
            .map_or(content_start, |newline| newline + 1);
        let previous = text[previous_start..line_start - 1].trim_end_matches('\r');
        if document.grammar() == Grammar::Python && previous.ends_with('\\') {
            return None;
        }
        if let Some(list_end) = directive_list_end(previous, marker, "backlint-ignore-next-line") {
            return Some(insertion(
                document,
                previous_start + list_end,
                format!(", {rule}"),
                encoding,
            ));
        }
    }
    let line = line_at(text, line_start);
    let indent = &line[..line.len() - line.trim_start().len()];
    let comment = format!(
        "{indent}{marker} backlint-ignore-next-line[{rule}]{}",
        line_break_after(text, line_start)
    );
    Some(insertion(document, line_start, comment, encoding))
}

/// `backlint-ignore-file[rule]` at the top of the file (below a shebang line, and below a
/// Python encoding declaration, which must stay within the first two lines); or the rule added
/// to such a comment among the leading comments.
fn suppress_in_file(document: &Document, rule: &str, encoding: PositionEncoding) -> TextEdit {
    let text = document.text();
    let marker = comment_marker(document.grammar());
    let content_start = document.from_engine(&(0..0)).start;
    let mut insert_at = content_start;
    let mut line_start = content_start;
    let mut line_number = 0;
    while line_start < text.len() {
        let line = line_at(text, line_start);
        let next_line = text[line_start..]
            .find('\n')
            .map_or(text.len(), |newline| line_start + newline + 1);
        let trimmed = line.trim();
        let keeps_its_place = (line_number == 0 && trimmed.starts_with("#!"))
            || (document.grammar() == Grammar::Python
                && line_number < 2
                && is_encoding_declaration(trimmed));
        if keeps_its_place {
            insert_at = next_line;
        } else if let Some(list_end) = directive_list_end(line, marker, "backlint-ignore-file") {
            return insertion(
                document,
                line_start + list_end,
                format!(", {rule}"),
                encoding,
            );
        } else if !trimmed.is_empty() && !trimmed.starts_with(marker) {
            break;
        }
        line_start = next_line;
        line_number += 1;
    }
    // The file's first line tells which line break it uses.
    let line_break = line_break_after(text, content_start);
    let mut comment = format!("{marker} backlint-ignore-file[{rule}]{line_break}");
    if insert_at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        comment.insert_str(0, line_break);
    }
    insertion(document, insert_at, comment, encoding)
}

fn is_encoding_declaration(line: &str) -> bool {
    line.starts_with('#') && (line.contains("coding:") || line.contains("coding="))
}

/// The offset in `line` of the `]` closing the rule list of `directive`, when the line is a
/// comment holding only that directive.
fn directive_list_end(line: &str, marker: &str, directive: &str) -> Option<usize> {
    let comment = line.trim_start().strip_prefix(marker)?.trim_start();
    let list = comment.strip_prefix(directive)?.strip_prefix('[')?;
    let close = list.find(']')?;
    if list[..close].trim() == "*" {
        return None;
    }
    Some(line.len() - list.len() + close)
}

fn starts_inside_literal(tree: &Tree, offset: usize) -> bool {
    let mut node = tree.root_node().descendant_for_byte_range(offset, offset);
    while let Some(current) = node {
        if current.start_byte() < offset && MULTI_LINE_LITERALS.contains(&current.kind()) {
            return true;
        }
        node = current.parent();
    }
    false
}

/// The line starting at `line_start`, without its line break.
fn line_at(text: &str, line_start: usize) -> &str {
    let rest = &text[line_start..];
    let line = rest.find('\n').map_or(rest, |newline| &rest[..newline]);
    line.strip_suffix('\r').unwrap_or(line)
}

/// The line break the file uses at the line starting at `line_start`.
fn line_break_after(text: &str, line_start: usize) -> &'static str {
    let rest = &text[line_start..];
    match rest.find('\n') {
        Some(newline) if rest[..newline].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

fn insertion(
    document: &Document,
    offset: usize,
    text: String,
    encoding: PositionEncoding,
) -> TextEdit {
    let position = document
        .line_index()
        .position(document.text(), offset, encoding);
    TextEdit {
        range: Range::new(position, position),
        new_text: text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_index::LineIndex;
    use std::path::PathBuf;

    /// Applies an insertion (the only kind of edit these actions make).
    fn apply(text: &str, edit: &TextEdit) -> String {
        let offset = LineIndex::new(text).offset(text, edit.range.start, PositionEncoding::Utf16);
        let mut result = text.to_owned();
        result.insert_str(offset, &edit.new_text);
        result
    }

    fn python(text: &str) -> Document {
        Document::new(PathBuf::from("a.py"), Grammar::Python, 1, text.to_owned())
    }

    fn typescript(text: &str) -> Document {
        Document::new(
            PathBuf::from("a.ts"),
            Grammar::TypeScript,
            1,
            text.to_owned(),
        )
    }

    #[test]
    fn a_line_suppression_is_indented_like_its_line_and_joins_one_above() {
        let text = "def f():\n    try:\n        g()\n    except:\n        pass\n";
        let document = python(text);
        let start = text.find("except").unwrap();
        let edit =
            suppress_on_line(&document, "bare-except", start, PositionEncoding::Utf16).unwrap();
        let once = apply(text, &edit);
        assert!(once.contains("\n    # backlint-ignore-next-line[bare-except]\n    except:"));
        let document = python(&once);
        let start = once.find("except:").unwrap();
        let edit = suppress_on_line(&document, "other", start, PositionEncoding::Utf16).unwrap();
        assert!(apply(&once, &edit).contains("# backlint-ignore-next-line[bare-except, other]\n"));
    }

    #[test]
    fn no_line_suppression_inside_a_multi_line_string_or_after_a_continuation() {
        let text = "const q = `\n  ${x as any}\n`;\n";
        let document = typescript(text);
        let start = text.find("any").unwrap();
        assert_eq!(
            suppress_on_line(&document, "no-explicit-any", start, PositionEncoding::Utf16),
            None
        );
        let text = "x = 1 + \\\n    f()\n";
        let document = python(text);
        let start = text.find("f()").unwrap();
        assert_eq!(
            suppress_on_line(&document, "r", start, PositionEncoding::Utf16),
            None
        );
    }

    #[test]
    fn a_file_suppression_goes_below_the_shebang_and_encoding_lines() {
        let text = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport os\n";
        let edit = suppress_in_file(&python(text), "r", PositionEncoding::Utf16);
        assert_eq!(
            apply(text, &edit),
            "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# backlint-ignore-file[r]\nimport os\n"
        );
        let text = "# backlint-ignore-file[a]: generated\nimport os\n";
        let edit = suppress_in_file(&python(text), "b", PositionEncoding::Utf16);
        assert_eq!(
            apply(text, &edit),
            "# backlint-ignore-file[a, b]: generated\nimport os\n"
        );
        let text = "let a: any;\r\n";
        let edit = suppress_in_file(
            &typescript(text),
            "no-explicit-any",
            PositionEncoding::Utf16,
        );
        assert_eq!(
            edit.new_text,
            "// backlint-ignore-file[no-explicit-any]\r\n"
        );
    }
}
