//! What each fuzz target runs on an input, shared with the regression test of the project
//! (`tests/fuzz_regressions.rs`), which runs every input the fuzzers found a problem with.

use std::io;
use std::path::Path;
use std::sync::LazyLock;

use backlint_engine::config;
use backlint_engine::fix::{fix_source, FixLevel};
use backlint_engine::parse::parse;
use backlint_engine::settings::{RuleResolver, RuleSelection};
use backlint_engine::suppression::Suppressions;
use backlint_engine::{
    check_bytes, Grammar, Notification, NotificationKind, RuleSet, Settings, Source,
};
use backlint_lsp::{server, transport};

static RULES: LazyLock<RuleSet> = LazyLock::new(|| {
    let registry = backlint_rules::registry();
    let every_rule: Vec<String> = registry.ids().map(str::to_owned).collect();
    registry
        .enable(Some(&every_rule), &[])
        .unwrap_or_else(|error| panic!("every rule can be enabled: {error}"))
});

const PYTHON_NAMES: &[&str] = &[
    "app/services.py",
    "app/views.py",
    "app/api/routes.py",
    "app/settings.py",
    "tests/test_app.py",
    "app/__init__.py",
    "app/models.pyi",
];

const TYPESCRIPT_NAMES: &[&str] = &[
    "src/services/users.ts",
    "src/app/api/users/[id]/route.ts",
    "src/routes/users.ts",
    "src/users.controller.ts",
    "src/users.test.ts",
    "src/types.d.ts",
];

const TSX_NAMES: &[&str] = &["src/app/users/[id]/page.tsx", "src/components/Form.tsx"];

const JAVASCRIPT_NAMES: &[&str] = &[
    "src/services/users.js",
    "src/routes/users.js",
    "app/api/users/route.js",
    "server.mjs",
    "test/users.test.js",
    "config.cjs",
];

pub fn pipeline_python(data: &[u8]) {
    check(Grammar::Python, PYTHON_NAMES, data);
}

pub fn pipeline_typescript(data: &[u8]) {
    // The last byte chooses between the two grammars, so that seeds of either kind work.
    match data.last() {
        Some(byte) if byte % 4 == 0 => check(Grammar::Tsx, TSX_NAMES, data),
        _ => check(Grammar::TypeScript, TYPESCRIPT_NAMES, data),
    }
}

pub fn pipeline_javascript(data: &[u8]) {
    check(Grammar::JavaScript, JAVASCRIPT_NAMES, data);
}

/// Every rule, on any bytes, under a name (chosen by the first byte) that makes the file an
/// ordinary module, a route, a test, a settings or views module, or a declaration file.
fn check(grammar: Grammar, names: &[&str], data: &[u8]) {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let name = names[usize::from(choice) % names.len()];
    let settings = Settings::default();
    let report = check_bytes(name, bytes.to_vec(), grammar, &settings, &RULES);
    // The checker catches a rule's panic and reports it; outside the fuzzer it fails here.
    let internal_errors: Vec<&Notification> = report
        .notifications
        .iter()
        .filter(|notification| notification.kind == NotificationKind::InternalError)
        .collect();
    assert!(internal_errors.is_empty(), "{internal_errors:?}");
    // Ranges are in the decoded text, where each invalid sequence became a U+FFFD.
    let text_length = String::from_utf8_lossy(bytes).len();
    for diagnostic in report.diagnostics.iter().chain(&report.suppressed) {
        assert!(diagnostic.range.start <= diagnostic.range.end);
        assert!(diagnostic.range.end <= text_length, "a range past the end");
        assert!(diagnostic.start.line >= 1 && diagnostic.start.line <= diagnostic.end.line);
    }
    // Fixes rewrite the text, parse it again and check it again: any text, any fix.
    let has_fix = report
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.fix.is_some());
    if let Ok(text) = std::str::from_utf8(bytes) {
        if has_fix && !text.contains('\0') {
            let source = Source::new(name.into(), text.to_owned());
            fix_source(&source, grammar, &settings, &RULES, FixLevel::Unsafe);
        }
    }
}

/// Suppression comments: the text as it is, or each of its lines made a comment of its own or
/// a comment after code, in Python or TypeScript (the first byte chooses).
pub fn suppressions(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let (grammar, comment, code) = if choice & 1 == 0 {
        (Grammar::Python, "#", "x = 1")
    } else {
        (Grammar::TypeScript, "//", "let x = 1;")
    };
    let input = String::from_utf8_lossy(rest);
    let text: String = match (choice >> 1) % 3 {
        0 => input.into_owned(),
        1 => input
            .lines()
            .map(|line| format!("{code}  {comment} {line}\n"))
            .collect(),
        _ => input
            .lines()
            .map(|line| format!("{comment} {line}\n{code}\n"))
            .collect(),
    };
    let Some(tree) = parse(grammar, &text) else {
        return;
    };
    let source = Source::new("fuzz".into(), text);
    let known: Vec<&str> = backlint_rules::registry().ids().collect();
    let suppressions = Suppressions::parse(&tree, &source, &known, choice & 0x80 != 0);
    for finding in suppressions.comment_findings(|_| true, choice & 0x40 != 0) {
        assert!(finding.range.start <= finding.range.end);
        assert!(finding.range.end <= source.text().len());
        assert!(source.text().is_char_boundary(finding.range.start));
        assert!(source.text().is_char_boundary(finding.range.end));
    }
}

/// Any text as `backlint.toml` and as `pyproject.toml`; what is accepted must build the rule
/// sets of a run, overrides included.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let registry = backlint_rules::registry();
    for file in ["backlint.toml", "pyproject.toml"] {
        let Ok(config) = config::parse(Path::new(file), text, registry) else {
            continue;
        };
        let resolver = RuleResolver::new(registry, config, RuleSelection::default());
        let _ = resolver.rule_sets(CONFIG_PATHS.iter());
    }
}

const CONFIG_PATHS: &[&str] = &[
    "app/views.py",
    "tests/test_views.py",
    "src/routes/users.ts",
    "src/app/api/users/route.ts",
    "scripts/seed.js",
];

/// The language server on any input after a valid start: frames with any headers and bodies,
/// requests and notifications with any parameters, edits of any range and version. The server
/// must answer, and end when the input does, whatever it was sent.
pub fn lsp(data: &[u8]) {
    let mut input = frame(
        r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{"textDocument":{"diagnostic":{}}}}}"#,
    );
    input.extend(frame(
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    input.extend(frame(
        r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///fuzz/app.py","languageId":"python","version":1,"text":"try:\n    x = 1\nexcept:\n    pass\n"}}}"#,
    ));
    input.extend_from_slice(data);
    let Ok((incoming, outgoing, writer)) = transport::start(io::Cursor::new(input), io::sink())
    else {
        return;
    };
    let _ = server::serve(backlint_rules::registry(), &incoming, outgoing);
    let _ = writer.join();
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}
