//! The commands about rules rather than code: `rules`, `explain` and `init`.

use std::io::Write;

use anyhow::{Context, Result};
use backlint_engine::diagnostic::Applicability;
use backlint_engine::rule_docs::RuleDocs;
use backlint_engine::suppression::foreign::equivalent;
use serde::Serialize;

use crate::args::{ExplainArguments, InitArguments, ListFormat, RulesArguments};
use crate::{write_stdout, EXIT_ERROR, EXIT_SUCCESS};

#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    languages: &'a [String],
    /// The level when enabled, and whether it is enabled without configuration.
    level: &'a str,
    enabled_by_default: bool,
    tags: Vec<String>,
    summary: &'a str,
    fix: Option<&'a str>,
}

fn row(docs: &RuleDocs) -> RuleRow<'_> {
    RuleRow {
        id: &docs.id,
        languages: &docs.languages,
        level: docs.level.name(),
        enabled_by_default: docs.enabled_by_default,
        tags: tags(docs),
        summary: &docs.summary,
        fix: docs.fix.map(|fix| Applicability::from(fix).name()),
    }
}

/// The rule's tags, then its CWEs (`CWE-89`).
fn tags(docs: &RuleDocs) -> Vec<String> {
    docs.tags
        .iter()
        .cloned()
        .chain(docs.cwe.iter().map(|cwe| format!("CWE-{cwe}")))
        .collect()
}

/// `backlint rules`: every rule, as an aligned table or as JSON.
pub fn list_rules(arguments: RulesArguments) -> Result<u8> {
    let registry = backlint_rules::registry();
    let rows: Vec<RuleRow<'_>> = registry.iter().map(|(_, docs)| row(docs)).collect();
    let text = match arguments.format {
        ListFormat::Json => {
            let mut json =
                serde_json::to_string_pretty(&rows).context("cannot write the rules as JSON")?;
            json.push('\n');
            json
        }
        ListFormat::Table => table(&rows),
    };
    write_stdout(text.as_bytes())?;
    Ok(EXIT_SUCCESS)
}

fn table(rows: &[RuleRow<'_>]) -> String {
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|row| {
            [
                row.id.to_owned(),
                row.languages
                    .iter()
                    .map(|language| match language.as_str() {
                        "typescript" => "ts",
                        "javascript" => "js",
                        "python" => "py",
                        other => other,
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                if row.enabled_by_default {
                    row.level.to_owned()
                } else {
                    format!("off ({})", row.level)
                },
                row.tags.join(","),
                row.summary.to_owned(),
            ]
        })
        .collect();
    let header = ["RULE", "LANGUAGES", "LEVEL", "TAGS", "SUMMARY"].map(str::to_owned);
    let mut widths = [0usize; 4];
    for line in std::iter::once(&header).chain(&cells) {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for line in std::iter::once(&header).chain(&cells) {
        for (width, cell) in widths.iter().zip(line) {
            out.push_str(&format!("{cell:<width$}  "));
        }
        out.push_str(&line[4]);
        out.push('\n');
    }
    out
}

/// `backlint explain RULE`: the rule's documentation, as Markdown for the terminal.
pub fn explain(arguments: ExplainArguments) -> Result<u8> {
    let registry = backlint_rules::registry();
    let Some(docs) = registry.docs(&arguments.rule) else {
        let suggestion = registry
            .suggest(&arguments.rule)
            .map(|id| format!(" (did you mean `{id}`?)"))
            .unwrap_or_default();
        eprintln!(
            "backlint: error: unknown rule `{}`{suggestion}; `backlint rules` lists them",
            arguments.rule
        );
        return Ok(EXIT_ERROR);
    };
    let mut out = format!("# {}\n\n", docs.id);
    out.push_str(&format!(
        "Languages: {}. Level: {}{}. Tags: {}.{}\n\n",
        docs.languages.join(", "),
        docs.level,
        if docs.enabled_by_default {
            ""
        } else {
            " (off by default)"
        },
        tags(docs).join(", "),
        docs.fix
            .map(|fix| format!(" Fix: {}.", Applicability::from(fix).name()))
            .unwrap_or_default()
    ));
    out.push_str(&backlint_report::help_markdown(docs));
    if let Some(equivalent) = equivalent(&docs.id) {
        out.push_str("\n## Other tools' suppressions that count\n\n");
        let lists = [
            ("ESLint / oxlint", equivalent.eslint),
            ("Biome", equivalent.biome),
            ("Ruff / flake8 `noqa`", equivalent.noqa),
            ("Bandit `nosec`", equivalent.nosec),
        ];
        for (tool, names) in lists {
            if !names.is_empty() {
                let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
                out.push_str(&format!("- {tool}: {}\n", names.join(", ")));
            }
        }
        if equivalent.secret_pragmas {
            out.push_str(
                "- detect-secrets `pragma: allowlist secret` / `pragma: allowlist nextline secret`, gitleaks `gitleaks:allow`\n",
            );
        }
    }
    if let Some(evaluation) = &docs.evaluation {
        out.push_str(&format!(
            "\n## On real code\n\n{}: {} findings; {} read, {} a reviewer would act on.\n",
            evaluation.corpus.trim(),
            evaluation.findings,
            evaluation.sample,
            evaluation.true_positives
        ));
    }
    write_stdout(out.as_bytes())?;
    Ok(EXIT_SUCCESS)
}

/// `backlint init`: a commented configuration with every rule at its default, never written
/// over an existing file.
pub fn init(arguments: InitArguments) -> Result<u8> {
    let text = initial_config();
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&arguments.path)
    {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "backlint: error: {} already exists; it was left as it is",
                arguments.path.display()
            );
            return Ok(EXIT_ERROR);
        }
        Err(error) => {
            return Err(error)
                .with_context(|| format!("cannot create {}", arguments.path.display()))
        }
    };
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", arguments.path.display()))?;
    eprintln!("backlint: wrote {}", arguments.path.display());
    Ok(EXIT_SUCCESS)
}

fn initial_config() -> String {
    let mut text = String::from(
        r#"# backlint configuration. `backlint explain <rule>` documents each rule;
# `backlint check --show-settings <file>` prints what applies to a file.

# Files to check and to leave out, as globs relative to this file's folder. A glob without a
# `/` matches a file or folder name anywhere (`migrations`, `*.generated.ts`).
# include = ["src/**", "app/**"]
# exclude = ["migrations", "**/*.generated.ts"]

# The lowest level that fails the run (exit code 1): "error", "warning" or "note".
fail-on = "warning"

# Honour eslint-disable, biome-ignore, `# noqa`, `# nosec` and secret-scanner pragmas for the
# rules that have an equivalent.
respect-foreign-suppressions = true

# Each rule: "off", "note", "warning" or "error", or a table with `level` and its options:
# [rules.unvalidated-input]
# level = "warning"
# validators = ["checkBody"]
[rules]
"#,
    );
    for (_, docs) in backlint_rules::registry().iter() {
        text.push_str(&format!("# {}\n", docs.summary));
        let line = format!("{} = \"{}\"\n", docs.id, docs.level);
        if docs.enabled_by_default {
            text.push_str(&line);
        } else {
            text.push_str(&format!("# (off by default)\n# {line}"));
        }
    }
    text.push_str(
        r#"
# Other settings for some files (globs relative to this file's folder):
# [[overrides]]
# files = ["tests/**", "**/*.test.ts"]
# rules = { hardcoded-secret = "off" }
"#,
    );
    text
}
