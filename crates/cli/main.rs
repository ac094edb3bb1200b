//! The `backlint` command: parses arguments, calls the engine, reports, and maps the outcome
//! to an exit code. Nothing else lives here.

mod allocator;
mod args;
mod commands;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use backlint_engine::baseline::Baseline;
use backlint_engine::cache::{Cache, DEFAULT_CACHE_FOLDER};
use backlint_engine::config::{find_config, Config};
use backlint_engine::discovery::display_path;
use backlint_engine::fix::FixLevel;
use backlint_engine::settings::{Fixing, PathFilter, Registry, RuleResolver, RuleSelection};
use backlint_engine::{check_bytes, check_paths, CheckResult, Grammar, Level, Settings};
use backlint_report::{render, EnabledRuleDocs, Format, ReportContext};
use clap::Parser;

use crate::args::{
    Arguments, BaselineArguments, CheckArguments, Command, FilesArguments, OutputFormat,
    RunArguments, TreeArguments,
};

/// No finding at or above `fail-on`.
const EXIT_SUCCESS: u8 = 0;
/// Findings at or above `fail-on`.
const EXIT_FINDINGS: u8 = 1;
/// A usage, configuration or I/O error prevented the check.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    allocator::route_tree_sitter_allocations();
    let arguments = Arguments::parse();
    let outcome = match arguments.command {
        Command::Check(check) => run_check(check),
        Command::Baseline(baseline) => write_baseline(baseline),
        Command::Rules(rules) => commands::list_rules(rules),
        Command::Explain(explain) => commands::explain(explain),
        Command::Init(init) => commands::init(init),
        Command::Lsp(_) => run_language_server(),
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

/// `backlint lsp`: exits 0 after `shutdown` and `exit`, and 1 when the client ends otherwise,
/// as the protocol asks.
fn run_language_server() -> Result<u8> {
    const EXIT_WITHOUT_SHUTDOWN: u8 = 1;
    let ending = backlint_lsp::run_stdio(backlint_rules::registry())
        .context("cannot start the language server")?;
    Ok(match ending {
        backlint_lsp::Ending::Clean => EXIT_SUCCESS,
        backlint_lsp::Ending::Abrupt => EXIT_WITHOUT_SHUTDOWN,
    })
}

/// What a run needs before it checks anything: its settings and the rules of each file.
struct Run {
    settings: Settings,
    resolver: RuleResolver<'static>,
    working_directory: PathBuf,
}

fn prepare(arguments: &RunArguments, fail_on: Option<args::FailOn>) -> Result<Run> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(arguments.threads.map_or(0, usize::from))
        .stack_size(backlint_engine::WORKER_STACK_SIZE)
        .build_global()
        .context("cannot start the worker threads")?;
    let registry = backlint_rules::registry();
    let working_directory =
        std::env::current_dir().context("cannot read the current working directory")?;
    let config = load_config(arguments, registry, &working_directory)?;
    let settings = Settings {
        fail_on: fail_on
            .map(Level::from)
            .or(config.fail_on)
            .unwrap_or(Level::Warning),
        force_exclude: arguments.force_exclude,
        threads: arguments.threads.map_or(0, usize::from),
        filter: PathFilter::new(&config),
        respect_foreign_suppressions: config.respect_foreign_suppressions,
        ..Settings::default()
    };
    let selection = RuleSelection {
        select: arguments.select.clone(),
        ignore: arguments.ignore.clone(),
    };
    Ok(Run {
        settings,
        resolver: RuleResolver::new(registry, config, selection),
        working_directory,
    })
}

fn check_run_paths(arguments: &RunArguments, run: &Run) -> Result<CheckResult> {
    let paths = if arguments.paths.is_empty() {
        vec![".".into()]
    } else {
        arguments.paths.clone()
    };
    let cache = open_cache(arguments, run);
    let result = check_paths(&paths, &run.settings, &run.resolver, cache.as_ref())?;
    if let Some(Err(error)) = cache.map(Cache::save) {
        eprintln!("backlint: warning: {error}");
    }
    Ok(result)
}

/// The results cache of a run: in `--cache-dir`, or `.backlint_cache` in the configuration's
/// folder (the current folder without one); none with `--no-cache`, or when fixing or only
/// parsing, which do not use it. A cache that cannot be read is a warning, and the run
/// checks every file.
fn open_cache(arguments: &RunArguments, run: &Run) -> Option<Cache> {
    if arguments.no_cache || run.settings.fix.is_some() || run.settings.parse_and_walk {
        return None;
    }
    let folder = match &arguments.cache_dir {
        Some(folder) => folder.clone(),
        None => {
            let root = &run.resolver.config().root;
            let root = if root.as_os_str().is_empty() {
                Path::new(".")
            } else {
                root.as_path()
            };
            root.join(DEFAULT_CACHE_FOLDER)
        }
    };
    let (cache, error) = Cache::open(&folder, &build_identity());
    if let Some(error) = error {
        eprintln!("backlint: warning: {error}");
    }
    Some(cache)
}

/// What tells this build of backlint from any other, so that results found by another build
/// are never reused: the version, and the executable's size and modification time, which a
/// rebuild changes even when the version stays.
fn build_identity() -> String {
    let version = env!("CARGO_PKG_VERSION");
    let executable = std::env::current_exe().and_then(std::fs::metadata);
    match executable {
        Ok(metadata) => {
            let modified = metadata
                .modified()
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            format!("{version} {} {modified}", metadata.len())
        }
        Err(_) => version.to_owned(),
    }
}

fn run_check(arguments: CheckArguments) -> Result<u8> {
    let mut run = prepare(&arguments.run, arguments.fail_on)?;
    run.settings.parse_and_walk = arguments.parse_and_walk;
    run.settings.prefilter = !arguments.no_prefilter;
    if arguments.unsafe_fixes && !arguments.fix && !arguments.diff {
        bail!("`--unsafe-fixes` goes with `--fix` or `--diff`");
    }
    if arguments.fix || arguments.diff {
        run.settings.fix = Some(Fixing {
            level: if arguments.unsafe_fixes {
                FixLevel::Unsafe
            } else {
                FixLevel::Safe
            },
            write: !arguments.diff,
        });
    }
    if let Some(path) = &arguments.show_settings {
        let text = settings_report(path, &run)?;
        write_stdout(text.as_bytes())?;
        return Ok(EXIT_SUCCESS);
    }
    let baseline = arguments
        .baseline
        .as_deref()
        .map(Baseline::read)
        .transpose()?;

    let mut result = match &arguments.stdin_filename {
        Some(path) => check_stdin(path, &run)?,
        None => check_run_paths(&arguments.run, &run)?,
    };
    if arguments.stats {
        let skipped = result
            .files
            .iter()
            .filter(|file| file.skipped_by_prefilter)
            .count();
        eprintln!(
            "backlint: {} files: {} without any word their rules require (not parsed), {} from the cache",
            result.files.len(),
            skipped,
            result.files_cached
        );
    }
    if arguments.diff {
        return print_fix_diffs(&result);
    }
    if let Some(baseline) = &baseline {
        result.baseline = Some(baseline.apply(&mut result));
    }

    let format = match (arguments.format, arguments.concise) {
        (_, true) | (OutputFormat::Concise, _) => Format::Concise,
        (OutputFormat::Human, false) => Format::Human,
        (OutputFormat::Json, false) => Format::Json,
        (OutputFormat::Sarif, false) => Format::Sarif,
        (OutputFormat::Github, false) => Format::Github,
        (OutputFormat::Junit, false) => Format::Junit,
    };
    let context = ReportContext {
        rules: enabled_rule_docs(backlint_rules::registry(), &run.resolver)?,
        working_directory: &run.working_directory,
        sarif_category: &arguments.sarif_category,
        include_suppressed: arguments.include_suppressed,
        color: arguments.output.is_none()
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none(),
    };
    let report = render(&result, format, &context);
    match &arguments.output {
        Some(path) => write_atomically(path, report.as_bytes())?,
        None => write_stdout(report.as_bytes())?,
    }

    if let Some(summary) = fixes_summary(&result, "applied") {
        eprintln!("{summary}");
    }
    let fails = result
        .diagnostics()
        .any(|diagnostic| diagnostic.level >= run.settings.fail_on);
    Ok(if fails { EXIT_FINDINGS } else { EXIT_SUCCESS })
}

/// `--diff`: the fixes of every file as a unified diff on standard output; exit code 1 when
/// there is any.
fn print_fix_diffs(result: &CheckResult) -> Result<u8> {
    let mut out = String::new();
    for file in &result.files {
        let Some((before, after)) = file.fixes.as_ref().and_then(|fixes| fixes.texts.as_ref())
        else {
            continue;
        };
        let diff = similar::TextDiff::from_lines(before, after);
        out.push_str(
            &diff
                .unified_diff()
                .header(&format!("a/{}", file.path), &format!("b/{}", file.path))
                .to_string(),
        );
    }
    write_stdout(out.as_bytes())?;
    Ok(match fixes_summary(result, "would apply") {
        Some(summary) => {
            eprintln!("{summary}");
            EXIT_FINDINGS
        }
        None => EXIT_SUCCESS,
    })
}

/// `applied 3 fixes in 2 files`, or `None` when no fix applied.
fn fixes_summary(result: &CheckResult, verb: &str) -> Option<String> {
    let counts: Vec<usize> = result
        .files
        .iter()
        .filter_map(|file| file.fixes.as_ref().map(|fixes| fixes.count))
        .collect();
    let fixes: usize = counts.iter().sum();
    let count = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    (fixes > 0).then(|| {
        format!(
            "backlint: {verb} {} in {}",
            count(fixes, "fix", "fixes"),
            count(counts.len(), "file", "files")
        )
    })
}

/// `backlint baseline`: checks, and writes every finding to the baseline file.
fn write_baseline(arguments: BaselineArguments) -> Result<u8> {
    let run = prepare(&arguments.run, None)?;
    let result = check_run_paths(&arguments.run, &run)?;
    let baseline = Baseline::of(&result);
    write_atomically(&arguments.output, baseline.to_json().as_bytes())?;
    eprintln!(
        "backlint: wrote {} finding{} to {}",
        baseline.findings.len(),
        if baseline.findings.len() == 1 {
            ""
        } else {
            "s"
        },
        arguments.output.display()
    );
    Ok(EXIT_SUCCESS)
}

/// The configuration a run uses: `--config`, none with `--isolated`, or the nearest file.
fn load_config(
    arguments: &RunArguments,
    registry: &Registry,
    working_directory: &Path,
) -> Result<Config> {
    let path = match (&arguments.config, arguments.isolated) {
        (Some(path), _) => {
            if !path.is_file() {
                anyhow::bail!("{}: no such configuration file", path.display());
            }
            Some(path.clone())
        }
        (None, true) => None,
        (None, false) => find_config(working_directory)?.map(|path| {
            // Messages name the file as the user would: relative, when it is in this folder.
            path.strip_prefix(working_directory)
                .map(Path::to_path_buf)
                .unwrap_or(path)
        }),
    };
    Ok(match path {
        Some(path) => backlint_engine::config::load(&path, registry)?,
        None => Config::defaults(working_directory.to_path_buf()),
    })
}

/// Checks standard input as the file `path`, with the rules that file would get.
fn check_stdin(path: &Path, run: &Run) -> Result<CheckResult> {
    let Run {
        settings,
        resolver,
        working_directory,
    } = run;
    let started = std::time::Instant::now();
    let grammar = Grammar::from_path(path).with_context(|| {
        format!(
            "{}: not a file backlint checks (by its extension)",
            path.display()
        )
    })?;
    let mut result = CheckResult::default();
    if settings.force_exclude && !settings.filter.keeps_file(path) {
        return Ok(result);
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let (rule_sets, _) = resolver.rule_sets(std::iter::once(path))?;
    let display_path = display_path(path, working_directory);
    result.files.push(check_bytes(
        &display_path,
        bytes,
        grammar,
        settings,
        &rule_sets[0],
    ));
    result.duration = started.elapsed();
    Ok(result)
}

/// The documentation of every rule some file of the run may be checked with, at the level it
/// has without overrides (or in the first override that enables it).
fn enabled_rule_docs<'r>(
    registry: &'r Registry,
    resolver: &RuleResolver<'_>,
) -> Result<Vec<EnabledRuleDocs<'r>>> {
    let mut enabled: Vec<EnabledRuleDocs<'r>> = Vec::new();
    let layers = std::iter::once(None).chain((0..resolver.config().overrides.len()).map(Some));
    for layer in layers {
        let overrides: Vec<usize> = layer.into_iter().collect();
        for rule in resolver.resolve(&overrides)? {
            if enabled.iter().any(|known| known.docs.id == rule.id) {
                continue;
            }
            if let Some(docs) = registry.docs(rule.id) {
                enabled.push(EnabledRuleDocs {
                    docs,
                    level: rule.level,
                });
            }
        }
    }
    enabled.sort_by(|a, b| a.docs.id.cmp(&b.docs.id));
    Ok(enabled)
}

/// The settings that apply to one file, as TOML a user could paste into a configuration:
/// resolved by the same calls a check makes.
fn settings_report(path: &Path, run: &Run) -> Result<String> {
    let Run {
        settings,
        resolver,
        working_directory,
    } = run;
    let config = resolver.config();
    let overrides = resolver.matching_overrides(path);
    let mut out = format!("# Settings for {}\n", display_path(path, working_directory));
    match &config.path {
        Some(file) => out.push_str(&format!("# configuration: {}\n", file.display())),
        None => out.push_str("# configuration: none (every rule at its default)\n"),
    }
    for &index in &overrides {
        let files = &config.overrides[index].files;
        out.push_str(&format!(
            "# override #{} applies: files = {}\n",
            index + 1,
            toml::Value::from(files.clone())
        ));
    }
    if Grammar::from_path(path).is_none() {
        out.push_str("# backlint does not check files with this extension\n");
    } else if !settings.filter.keeps_file(path) {
        out.push_str("# this file is left out by `include` or `exclude` when folders are walked\n");
    }
    let mut table = toml::Table::new();
    table.insert("fail-on".into(), settings.fail_on.name().into());
    table.insert(
        "respect-foreign-suppressions".into(),
        settings.respect_foreign_suppressions.into(),
    );
    let mut rules = toml::Table::new();
    let registry = backlint_rules::registry();
    for rule in resolver.resolve(&overrides)? {
        let mut entry = toml::Table::new();
        entry.insert("level".into(), rule.level.name().into());
        if let Some(docs) = registry.docs(rule.id) {
            for option in &docs.options {
                let value = rule
                    .options
                    .get(&option.name)
                    .unwrap_or(&option.default)
                    .clone();
                entry.insert(option.name.clone(), value);
            }
        }
        rules.insert(rule.id.to_owned(), entry.into());
    }
    table.insert("rules".into(), rules.into());
    out.push_str(&toml::to_string(&table).context("cannot print the settings")?);
    Ok(out)
}

/// Writes a report or a baseline atomically: a reader never sees it half written. Its folder
/// is created when it does not exist (`-o reports/backlint.sarif` in a fresh CI checkout).
fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    if let Some(folder) = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create the folder {}", folder.display()))?;
    }
    backlint_engine::pipeline::write_atomically(path, contents)
        .with_context(|| format!("cannot write {}", path.display()))
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
