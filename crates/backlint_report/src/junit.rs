//! `--format junit`: JUnit XML, which CI systems other than GitHub (GitLab, Jenkins, Azure
//! Pipelines, CircleCI) show as test results. One test case per file; a failure per finding;
//! a skipped file is a skipped test case, and a rule that failed on a file is an error.

use backlint_engine::diagnostic::NotificationKind;
use backlint_engine::{CheckResult, Diagnostic, Notification};

pub fn render_junit(result: &CheckResult) -> String {
    let mut cases = String::new();
    let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    for file in &result.files {
        tests += 1;
        let skip = file
            .notifications
            .iter()
            .find(|notification| notification.kind.skips_file());
        let file_errors: Vec<&Notification> = file
            .notifications
            .iter()
            .filter(|notification| notification.kind == NotificationKind::InternalError)
            .collect();
        let path = escape(&file.path);
        if file.diagnostics.is_empty() && skip.is_none() && file_errors.is_empty() {
            cases.push_str(&format!(
                "    <testcase name=\"{path}\" classname=\"backlint\"/>\n"
            ));
            continue;
        }
        cases.push_str(&format!(
            "    <testcase name=\"{path}\" classname=\"backlint\">\n"
        ));
        if let Some(skip) = skip {
            skipped += 1;
            cases.push_str(&format!(
                "      <skipped message=\"{}\"/>\n",
                escape(&skip.message)
            ));
        }
        for error in &file_errors {
            errors += 1;
            cases.push_str(&format!(
                "      <error type=\"{}\" message=\"{}\"/>\n",
                error.kind.name(),
                escape(&error.message)
            ));
        }
        for diagnostic in &file.diagnostics {
            failures += 1;
            cases.push_str(&failure(diagnostic));
        }
        cases.push_str("    </testcase>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"backlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">\n  \
         <testsuite name=\"backlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">\n\
         {cases}  </testsuite>\n</testsuites>\n"
    )
}

fn failure(diagnostic: &Diagnostic) -> String {
    format!(
        "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {}[{}] {}</failure>\n",
        diagnostic.rule,
        escape(&format!(
            "line {}, column {}: {}",
            diagnostic.start.line, diagnostic.start.column, diagnostic.message
        )),
        escape(&diagnostic.path),
        diagnostic.start.line,
        diagnostic.start.column,
        diagnostic.level,
        diagnostic.rule,
        escape(&diagnostic.message)
    )
}

/// Escapes text for an XML attribute or element, and drops the control characters XML 1.0
/// cannot hold at all.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            '\t' => escaped.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            _ => escaped.push(character),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>\u{1}\n"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;&#10;"
        );
    }
}
