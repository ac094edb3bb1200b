//! The command line, declared with clap.

use std::path::PathBuf;

use backlint_engine::baseline::DEFAULT_BASELINE_FILE;
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "backlint",
    version,
    about = "A fast static analyzer for backend TypeScript/JavaScript and Python."
)]
pub struct Arguments {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files and folders (default: the current folder).
    Check(CheckArguments),
    /// Write the current findings to a baseline file, so that `check --baseline` reports only
    /// new ones.
    Baseline(BaselineArguments),
    /// List every rule: id, languages, default level, tags and summary.
    Rules(RulesArguments),
    /// Show a rule's documentation: what it catches, why, its options and examples.
    Explain(ExplainArguments),
    /// Write a commented `backlint.toml` with every rule at its default level.
    Init(InitArguments),
    /// Run the language server on standard input and output, for editors.
    Lsp(LspArguments),
    /// Print a file's syntax tree (for rule authors).
    #[command(hide = true)]
    Tree(TreeArguments),
    /// List the request handlers found in files, with their framework (for rule authors).
    #[command(hide = true)]
    Handlers(FilesArguments),
    /// List the database queries found in files, with library, model and operation (for rule
    /// authors).
    #[command(hide = true)]
    Queries(FilesArguments),
}

#[derive(Debug, Args)]
pub struct LspArguments {
    /// Accepted for the clients that pass it; standard input and output is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

/// What chooses the files and the rules of a run; shared by `check` and `baseline`.
#[derive(Debug, Args)]
pub struct RunArguments {
    /// Files and folders to check. Folders are walked; files are checked whatever their folder.
    pub paths: Vec<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Check only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,

    /// Do not check these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Use this configuration file instead of the nearest `backlint.toml`, `.backlint.toml` or
    /// `pyproject.toml` with a `[tool.backlint]` table.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore configuration files: every rule at its default.
    #[arg(long)]
    pub isolated: bool,

    /// Skip files named on the command line when the configuration's `exclude` (or a default
    /// excluded folder) covers them, as when they are found by a walk (for pre-commit, which
    /// passes files one by one).
    #[arg(long)]
    pub force_exclude: bool,

    /// Neither read nor write the results cache: check every file.
    #[arg(long, env = "BACKLINT_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,

    /// Keep the results cache in this folder [default: `.backlint_cache` beside the
    /// configuration file, or in the current folder].
    #[arg(long, env = "BACKLINT_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArguments {
    #[command(flatten)]
    pub run: RunArguments,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// One line per finding (the same as `--format concise`).
    #[arg(long)]
    pub concise: bool,

    /// The category of a SARIF report (`automationDetails.id`), which tells this analysis from
    /// others uploaded to GitHub code scanning for the same commit.
    #[arg(long, value_name = "CATEGORY", default_value = "backlint/")]
    pub sarif_category: String,

    /// Write the report to this file (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The lowest level that makes the run fail (exit code 1) [default: the configuration's
    /// `fail-on`, or warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Hide the findings this baseline file holds (see `backlint baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Keep the findings suppression comments hid in a SARIF report, marked as suppressed.
    #[arg(long)]
    pub include_suppressed: bool,

    /// Print the settings that apply to FILE (configuration file, overrides, rules with their
    /// levels and options) and check nothing.
    #[arg(long, value_name = "FILE")]
    pub show_settings: Option<PathBuf>,

    /// Read the source from standard input and check it as if it were this file.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["fix", "diff"])]
    pub stdin_filename: Option<PathBuf>,

    /// Apply the safe fixes to the files, then report the findings that remain.
    #[arg(long)]
    pub fix: bool,

    /// With `--fix` or `--diff`: apply the unsafe fixes too, which may change behaviour or
    /// types (`any` → `unknown`).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them, and exit with 1 when there
    /// is any.
    #[arg(long)]
    pub diff: bool,

    /// Parse the files and walk each tree once, running no rule (the limit the benchmarks
    /// measure the rules against).
    #[arg(long, hide = true)]
    pub parse_and_walk: bool,

    /// Parse every file, even those holding none of the words their rules require (to check
    /// that skipping them changes nothing).
    #[arg(long, hide = true)]
    pub no_prefilter: bool,

    /// Print on standard error how many files were parsed, skipped unparsed, and read from
    /// the cache (for the benchmarks).
    #[arg(long, hide = true)]
    pub stats: bool,
}

#[derive(Debug, Args)]
pub struct BaselineArguments {
    #[command(flatten)]
    pub run: RunArguments,

    /// The baseline file to write.
    #[arg(long, short = 'o', value_name = "FILE", default_value = DEFAULT_BASELINE_FILE)]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct RulesArguments {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArguments {
    /// The rule id (`backlint rules` lists them).
    pub rule: String,
}

#[derive(Debug, Args)]
pub struct InitArguments {
    /// Where to write the configuration.
    #[arg(default_value = "backlint.toml")]
    pub path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// An aligned table.
    Table,
    /// A JSON array, one object per rule.
    Json,
}

#[derive(Debug, Args)]
pub struct TreeArguments {
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct FilesArguments {
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Findings with code frames, and a summary.
    Human,
    /// One line per finding, and a summary.
    Concise,
    /// The versioned JSON document of the README.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// JUnit XML, for CI systems' test reports.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}
