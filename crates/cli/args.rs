//! The command line, declared with clap.

use std::path::PathBuf;

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
pub struct CheckArguments {
    /// Files and folders to check. Folders are walked; files are checked whatever their folder.
    pub paths: Vec<PathBuf>,

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

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Check only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,

    /// Do not check these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// The lowest level that makes the run fail (exit code 1) [default: the configuration's
    /// `fail-on`, or warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Use this configuration file instead of the nearest `backlint.toml`, `.backlint.toml` or
    /// `pyproject.toml` with a `[tool.backlint]` table.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore configuration files: every rule at its default.
    #[arg(long)]
    pub isolated: bool,

    /// Print the settings that apply to FILE (configuration file, overrides, rules with their
    /// levels and options) and check nothing.
    #[arg(long, value_name = "FILE")]
    pub show_settings: Option<PathBuf>,

    /// Read the source from standard input and check it as if it were this file.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Skip files named on the command line when they are in an excluded folder (for pre-commit,
    /// which passes files one by one).
    #[arg(long)]
    pub force_exclude: bool,

    /// Parse the files and run no rule (the baseline of the benchmarks).
    #[arg(long, hide = true)]
    pub parse_only: bool,
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
