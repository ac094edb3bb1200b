//! Hovers: the documentation of the rules behind the findings under the cursor, and of a rule
//! that a suppression comment names. The editor shows a finding's message beside its hover;
//! the hover says why the rule exists, which the message has no room for. It shows the rules'
//! documentation only, never the text of the document, so it shows no secret a rule reports.

use backlint_engine::settings::Registry;
use backlint_report::help_uri;
use lsp_types::{Diagnostic, Hover, HoverContents, MarkupContent, MarkupKind, Position, Range};

use crate::document::Document;
use crate::line_index::PositionEncoding;

/// The hover at `position`: the rules of the findings shown there (`shown`, as the client
/// has them), or else the rule id under the cursor in a `backlint-ignore` comment.
pub fn hover<'a>(
    registry: &Registry,
    document: &'a Document,
    shown: &'a [Diagnostic],
    position: Position,
    encoding: PositionEncoding,
) -> Option<Hover> {
    let under_cursor: Vec<&Diagnostic> = shown
        .iter()
        .filter(|diagnostic| contains(&diagnostic.range, position))
        .collect();
    let (rules, range) = match under_cursor.first() {
        Some(first) => {
            let mut rules: Vec<&'a str> = Vec::new();
            for diagnostic in &under_cursor {
                if let Some(lsp_types::NumberOrString::String(rule)) = &diagnostic.code {
                    if !rules.contains(&rule.as_str()) {
                        rules.push(rule);
                    }
                }
            }
            (rules, first.range)
        }
        None => {
            let (rule, range) = suppressed_rule_at(document, position, encoding)?;
            (vec![rule], range)
        }
    };
    let sections: Vec<String> = rules
        .iter()
        .filter_map(|rule| rule_section(registry, rule))
        .collect();
    if sections.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: Some(range),
    })
}

/// A rule's summary, level and rationale, with where to read more.
fn rule_section(registry: &Registry, rule: &str) -> Option<String> {
    let docs = registry.docs(rule)?;
    Some(format!(
        "**backlint `{id}`** ({level}): {summary}\n\n{rationale}\n\n[Documentation]({uri}) · \
         `backlint explain {id}`",
        id = docs.id,
        level = docs.level,
        summary = docs.summary.trim(),
        rationale = docs.rationale.trim(),
        uri = help_uri(&docs.id),
    ))
}

/// Whether a protocol range holds a position, its ends included: the cursor just after a
/// finding is still on it.
fn contains(range: &Range, position: Position) -> bool {
    let at_or_after_start =
        (range.start.line, range.start.character) <= (position.line, position.character);
    let at_or_before_end =
        (position.line, position.character) <= (range.end.line, range.end.character);
    at_or_after_start && at_or_before_end
}

/// The rule id under the cursor when it stands in the brackets of a `backlint-ignore…[…]` on
/// its line, with its range. The line's text is read as it is, in a comment or not: the
/// worst a string that looks like a suppression gets is the documentation of a rule.
fn suppressed_rule_at(
    document: &Document,
    position: Position,
    encoding: PositionEncoding,
) -> Option<(&str, Range)> {
    let text = document.text();
    let index = document.line_index();
    let offset = index.offset(text, position, encoding);
    let line_start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let line_end = text[offset..]
        .find('\n')
        .map_or(text.len(), |newline| offset + newline);
    let line = &text[line_start..line_end];
    let cursor = offset - line_start;
    let is_id_byte = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'-';
    let bytes = line.as_bytes();
    let start = bytes[..cursor]
        .iter()
        .rposition(|&byte| !is_id_byte(byte))
        .map_or(0, |before| before + 1);
    let end = bytes[cursor..]
        .iter()
        .position(|&byte| !is_id_byte(byte))
        .map_or(line.len(), |after| cursor + after);
    let word = &line[start..end];
    let directive = line[..start].rfind("backlint-ignore")?;
    let list = &line[directive..];
    let opening = list.find('[')? + directive;
    let closing = list
        .find(']')
        .map_or(line.len(), |closing| closing + directive);
    if word.is_empty() || start <= opening || end > closing {
        return None;
    }
    let range = Range {
        start: index.position(text, line_start + start, encoding),
        end: index.position(text, line_start + end, encoding),
    };
    Some((word, range))
}
