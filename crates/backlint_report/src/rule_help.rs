//! A rule's help, written from `rules/<id>.toml`: what SARIF viewers (GitHub's alert page) show
//! under "Show more", and what `backlint explain` prints.

use backlint_engine::rule_docs::{ExampleKind, RuleDocs};

/// Where a rule's documentation is published.
pub fn help_uri(rule: &str) -> String {
    format!(
        "{}/blob/main/rules/{rule}.toml",
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// The help in Markdown: summary, rationale, examples, options, limitations.
pub fn help_markdown(docs: &RuleDocs) -> String {
    let mut help = format!("{}\n\n{}\n", docs.summary, docs.rationale.trim());
    for (kind, heading) in [
        (ExampleKind::Bad, "Reported"),
        (ExampleKind::Good, "Not reported"),
    ] {
        let examples: Vec<_> = docs
            .examples
            .iter()
            .filter(|example| example.kind == kind)
            .collect();
        if examples.is_empty() {
            continue;
        }
        help.push_str(&format!("\n## {heading}\n"));
        for example in examples {
            help.push_str(&format!(
                "\n```{}\n{}\n```\n",
                fence_language(&example.file),
                example.code.trim_matches('\n')
            ));
        }
    }
    if !docs.options.is_empty() {
        help.push_str(
            "\n## Options\n\n| Option | Type | Default | Description |\n|---|---|---|---|\n",
        );
        for option in &docs.options {
            help.push_str(&format!(
                "| `{}` | {} | `{}` | {} |\n",
                option.name,
                option.kind,
                option.default,
                option.description.trim().replace('\n', " ")
            ));
        }
    }
    if let Some(limitations) = &docs.limitations {
        help.push_str(&format!("\n## Limitations\n\n{}\n", limitations.trim()));
    }
    help
}

/// The help as plain text, for viewers that do not render Markdown.
pub fn help_text(docs: &RuleDocs) -> String {
    let mut help = format!("{}\n\n{}\n", docs.summary, docs.rationale.trim());
    for example in &docs.examples {
        let heading = match example.kind {
            ExampleKind::Bad => "Reported:",
            ExampleKind::Good => "Not reported:",
        };
        let code: String = example
            .code
            .trim_matches('\n')
            .lines()
            .map(|line| format!("    {line}\n"))
            .collect();
        help.push_str(&format!("\n{heading}\n\n{code}"));
    }
    for option in &docs.options {
        help.push_str(&format!(
            "\nOption `{}` ({}, default {}): {}\n",
            option.name,
            option.kind,
            option.default,
            option.description.trim()
        ));
    }
    if let Some(limitations) = &docs.limitations {
        help.push_str(&format!("\nLimitations: {}\n", limitations.trim()));
    }
    help
}

fn fence_language(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or("") {
        "py" => "python",
        "ts" | "mts" | "cts" => "ts",
        "tsx" => "tsx",
        _ => "js",
    }
}
