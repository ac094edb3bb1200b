//! The `backlint` command: parses arguments, calls the engine, reports, and maps the outcome
//! to an exit code. Nothing else lives here.

mod args;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use backlint_engine::{check_paths, Level, Settings};
use backlint_report::{render, EnabledRuleDocs, Format, ReportContext};
use clap::Parser;

use crate::args::{
    Arguments, CheckArguments, Command, FilesArguments, OutputFormat, TreeArguments,
};

/// No finding at or above `fail-on`.
const EXIT_SUCCESS: u8 = 0;
/// Findings at or above `fail-on`.
const EXIT_FINDINGS: u8 = 1;
/// A usage, configuration or I/O error prevented the check.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let arguments = Arguments::parse();
    let outcome = match arguments.command {
        Command::Check(check) => run_check(check),
        Command::Tree(tree) => print_tree(tree),
        Command::Handlers(handlers) => print_handlers(handlers),
        Command::Queries(queries) => print_queries(queries),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("backlint: error: {error:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run_check(arguments: CheckArguments) -> Result<u8> {
    if let Some(threads) = arguments.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.into())
            .build_global()
            .context("cannot start the worker threads")?;
    }
    let rules =
        backlint_rules::registry().enable(arguments.select.as_deref(), &arguments.ignore)?;
    let settings = Settings {
        fail_on: arguments.fail_on.into(),
        force_exclude: arguments.force_exclude,
        parse_only: arguments.parse_only,
        threads: arguments.threads.map_or(0, usize::from),
        ..Settings::default()
    };
    let paths = if arguments.paths.is_empty() {
        vec![".".into()]
    } else {
        arguments.paths
    };
    let result = check_paths(&paths, &settings, &rules)?;

    let format = match (arguments.format, arguments.concise) {
        (_, true) | (OutputFormat::Concise, _) => Format::Concise,
        (OutputFormat::Human, false) => Format::Human,
        (OutputFormat::Json, false) => Format::Json,
        (OutputFormat::Sarif, false) => Format::Sarif,
        (OutputFormat::Github, false) => Format::Github,
        (OutputFormat::Junit, false) => Format::Junit,
    };
    let working_directory =
        std::env::current_dir().context("cannot read the current working directory")?;
    let registry = backlint_rules::registry();
    let mut enabled_rules: Vec<EnabledRuleDocs<'_>> = rules
        .rules()
        .iter()
        .filter_map(|enabled| {
            registry.docs(enabled.id).map(|docs| EnabledRuleDocs {
                docs,
                level: enabled.level,
            })
        })
        .collect();
    enabled_rules.sort_by(|a, b| a.docs.id.cmp(&b.docs.id));
    let context = ReportContext {
        rules: enabled_rules,
        working_directory: &working_directory,
        sarif_category: &arguments.sarif_category,
        color: arguments.output.is_none()
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none(),
    };
    let report = render(&result, format, &context);
    match &arguments.output {
        Some(path) => write_atomically(path, report.as_bytes())?,
        None => write_stdout(report.as_bytes())?,
    }

    let fails = result
        .diagnostics()
        .any(|diagnostic| diagnostic.level >= settings.fail_on);
    Ok(if fails { EXIT_FINDINGS } else { EXIT_SUCCESS })
}

/// Writes to a temporary file beside `path` and renames it into place, so that a reader never
/// sees a half-written report.
fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(directory)
        .with_context(|| format!("cannot write the report to {}", path.display()))?;
    file.write_all(contents)
        .with_context(|| format!("cannot write the report to {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("cannot write the report to {}", path.display()))?;
    Ok(())
}

fn write_stdout(contents: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(contents).and_then(|()| stdout.flush()) {
        // A closed pipe (`backlint check | head`) is the reader's choice, not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// Prints a file's syntax tree: a debugging aid for rule authors.
fn print_tree(arguments: TreeArguments) -> Result<u8> {
    let (source, grammar) = read_source(&arguments.file)?;
    let text = source.text();
    let tree =
        backlint_engine::parse::parse(grammar, text).context("the parser gave up on this file")?;
    let mut out = String::new();
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        {
            let start = node.start_position();
            let field = cursor
                .field_name()
                .map(|name| format!("{name}: "))
                .unwrap_or_default();
            out.push_str(&format!(
                "{}{field}{} [{}:{}]{}\n",
                "  ".repeat(depth),
                if node.is_named() {
                    node.kind().to_owned()
                } else {
                    format!("{:?}", node.kind())
                },
                start.row + 1,
                start.column + 1,
                if node.child_count() == 0 {
                    format!(" {:?}", &text[node.byte_range()])
                } else {
                    String::new()
                }
            ));
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                write_stdout(out.as_bytes())?;
                return Ok(EXIT_SUCCESS);
            }
            depth -= 1;
        }
    }
}

/// A file for the rule authors' tools (`tree`, `handlers`, `queries`), with the grammar its extension asks for.
fn read_source(
    path: &std::path::Path,
) -> Result<(backlint_engine::Source, backlint_engine::Grammar)> {
    let grammar = backlint_engine::Grammar::from_path(path)
        .with_context(|| format!("{}: not a file backlint checks", path.display()))?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok((
        backlint_engine::Source::new(path.to_path_buf(), text),
        grammar,
    ))
}

/// Prints the request handlers of files: `path:line:column: framework name`.
fn print_handlers(arguments: FilesArguments) -> Result<u8> {
    let mut out = String::new();
    for path in &arguments.files {
        let (source, grammar) = read_source(path)?;
        let handlers = backlint_engine::frameworks::Handlers::of_source(&source, grammar)
            .context("the parser gave up on this file")?;
        for handler in handlers.all() {
            let position = source.position(handler.function.start);
            out.push_str(&format!(
                "{}:{}:{}: {} {}\n",
                path.display(),
                position.line,
                position.column,
                handler.framework.id(),
                handler.name
            ));
        }
    }
    write_stdout(out.as_bytes())?;
    Ok(EXIT_SUCCESS)
}

/// Prints the database queries of files: `path:line:column: library model operation`, with
/// `batched` after a query that serves many rows.
fn print_queries(arguments: FilesArguments) -> Result<u8> {
    let mut out = String::new();
    for path in &arguments.files {
        let (source, grammar) = read_source(path)?;
        let queries = backlint_engine::databases::Databases::of_source(&source, grammar)
            .context("the parser gave up on this file")?;
        for (range, query) in queries {
            let position = source.position(range.start);
            out.push_str(&format!(
                "{}:{}:{}: {} {} {}{}\n",
                path.display(),
                position.line,
                position.column,
                query.library.id(),
                query.model.as_deref().unwrap_or("-"),
                query.operation,
                if query.batched { " batched" } else { "" },
            ));
        }
    }
    write_stdout(out.as_bytes())?;
    Ok(EXIT_SUCCESS)
}

impl From<args::FailOn> for Level {
    fn from(fail_on: args::FailOn) -> Level {
        match fail_on {
            args::FailOn::Error => Level::Error,
            args::FailOn::Warning => Level::Warning,
            args::FailOn::Note => Level::Note,
        }
    }
}
