//! `--format github`: GitHub Actions workflow commands, which the runner turns into annotations
//! on the pull request's changed lines: `::warning file=…,line=…,col=…,endLine=…,endColumn=…,
//! title=backlint(rule-id)::message`.

use backlint_engine::{CheckResult, Level};

use crate::summary::Summary;

pub fn render_github(result: &CheckResult) -> String {
    let mut out = String::new();
    for diagnostic in result.diagnostics() {
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            command(diagnostic.level),
            escape_property(&diagnostic.path),
            diagnostic.start.line,
            diagnostic.start.column,
            diagnostic.end.line,
            diagnostic.end.column,
            escape_property(&format!("backlint({})", diagnostic.rule)),
            escape_data(&diagnostic.message),
        ));
    }
    for notification in result.all_notifications() {
        out.push_str(&format!(
            "::{} file={},title={}::{}\n",
            command(notification.kind.level()),
            escape_property(&notification.path),
            escape_property(&format!("backlint({})", notification.kind.name())),
            escape_data(&notification.message),
        ));
    }
    // A plain line, which the log shows as it is.
    out.push_str(&Summary::of(result).line(result.duration.as_secs_f64()));
    out.push('\n');
    out
}

fn command(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "notice",
    }
}

/// The escaping of a command's message, as `@actions/core` does it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The escaping of a command's property values, which also ends at `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_escape_percent_signs_and_line_breaks() {
        assert_eq!(
            escape_data("100% sure:\r\nline two, then: three"),
            "100%25 sure:%0D%0Aline two, then: three"
        );
    }

    #[test]
    fn properties_also_escape_colons_and_commas() {
        assert_eq!(escape_property("C:\\a,b%\n.py"), "C%3A\\a%2Cb%25%0A.py");
    }
}
