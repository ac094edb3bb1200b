//! backlint's engine: everything between the command line and the reporters.
//!
//! Data flows one way: [`discovery`] finds the files, [`pipeline`] checks each one in parallel
//! (read → [`source::Source`] → tree-sitter parse → one [`checker`] pass that routes nodes to
//! the rules by kind id), and the results come back sorted, so that output never depends on the
//! order in which threads finished.

pub mod baseline;
pub mod cache;
pub mod checker;
pub mod config;
pub mod databases;
pub mod diagnostic;
pub mod discovery;
pub mod fingerprint;
pub mod fix;
pub mod frameworks;
pub mod language;
pub mod line_hash;
pub mod names;
pub mod parse;
pub mod paths;
pub mod pipeline;
pub mod project_files;
pub mod reuse;
pub mod rule;
pub mod rule_docs;
pub mod semantic;
pub mod settings;
pub mod source;
pub mod suppression;
pub mod syntax;

pub use diagnostic::{Diagnostic, Level, Notification, NotificationKind};
pub use language::{Grammar, Language};
pub use pipeline::{
    check_bytes, check_parsed, check_parsed_reusing, check_paths, check_source, AppliedFixes,
    CheckError, CheckResult, FileReport,
};
pub use reuse::CheckMemo;

/// The stack of the threads that check files: 16 MiB of address space (pages are used only
/// when touched) instead of the default 2 MiB, since a few analyses recurse along the tree and
/// generated files nest far deeper than written ones.
pub const WORKER_STACK_SIZE: usize = 16 * 1024 * 1024;
pub use rule::{Rule, RuleContext, RuleSet, RuleSpec};
pub use settings::Settings;
pub use source::Source;
