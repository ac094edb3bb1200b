//! Reading source text: string literals, and how messages show expressions.

use backlint_engine::rule::RuleContext;
use tree_sitter::Node;

/// An expression as a message shows it: on one line, at most 60 characters.
pub fn compact(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// The text inside a string literal's quotes, and the byte offset where it starts.
pub struct Content<'source> {
    pub text: &'source str,
    pub offset: usize,
}

/// The content of a string literal (prefixes such as `r`/`f` and single or triple quotes
/// removed); `None` for strings with interpolation (`${x}`, f-strings), whose value is not in
/// the source.
pub fn string_content<'source>(
    node: Node<'_>,
    context: &RuleContext<'source>,
) -> Option<Content<'source>> {
    if !matches!(node.kind(), "string" | "template_string") {
        return None;
    }
    let source = context.source.text();
    let raw = &source[node.byte_range()];
    let prefix_length = raw.find(['"', '\'', '`'])?;
    // Only template literals with `${` and Python's f-strings (and t-strings) can interpolate:
    // the other strings, most of them, need no look at their children.
    let may_interpolate = if node.kind() == "template_string" {
        raw.contains("${")
    } else {
        raw[..prefix_length].contains(['f', 'F', 't', 'T'])
    };
    if may_interpolate {
        let mut cursor = node.walk();
        let interpolated = node
            .named_children(&mut cursor)
            .any(|child| matches!(child.kind(), "template_substitution" | "interpolation"));
        if interpolated {
            return None;
        }
    }
    let quote = &raw[prefix_length..];
    let quote_length = if quote.starts_with("\"\"\"") || quote.starts_with("'''") {
        3
    } else {
        1
    };
    // A string that error recovery cut short has no closing quote to leave out.
    let is_closed =
        raw.len() >= prefix_length + 2 * quote_length && raw.ends_with(&quote[..quote_length]);
    if !is_closed {
        return None;
    }
    let start = node.start_byte() + prefix_length + quote_length;
    let end = node.end_byte() - quote_length;
    Some(Content {
        text: source.get(start..end)?,
        offset: start,
    })
}

/// The `%s`/`%(name)s` and `{}`/`{0}`/`{name}` placeholders of a format string: where each
/// is, and the field it names (empty for the next positional one).
pub fn format_placeholders(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let bytes = text.as_bytes();
    let mut placeholders = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        match (bytes[index], bytes.get(index + 1)) {
            (b'%', Some(b'%')) | (b'{', Some(b'{')) => index += 2,
            (b'%', Some(_)) => {
                let end = text[index + 1..]
                    .find(|character: char| character.is_ascii_alphabetic())
                    .map_or(bytes.len(), |offset| index + 1 + offset + 1);
                let field = text[index..end]
                    .strip_prefix("%(")
                    .and_then(|rest| rest.split_once(')'))
                    .map_or_else(String::new, |(name, _)| name.to_owned());
                placeholders.push((index..end, field));
                index = end;
            }
            (b'{', Some(_)) => {
                let end = text[index..]
                    .find('}')
                    .map_or(bytes.len(), |offset| index + offset + 1);
                let inside = text.get(index + 1..end - 1).unwrap_or("");
                let field = inside
                    .split(['!', ':', '.', '['])
                    .next()
                    .unwrap_or("")
                    .to_owned();
                placeholders.push((index..end, field));
                index = end;
            }
            _ => index += 1,
        }
    }
    // Positional `{}` placeholders are numbered in order, as `str.format` does.
    let mut next = 0;
    for (_, field) in &mut placeholders {
        if field.is_empty() {
            *field = next.to_string();
            next += 1;
        }
    }
    placeholders
}
