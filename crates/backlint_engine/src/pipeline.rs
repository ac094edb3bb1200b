//! The per-file pipeline, run in parallel over all files: read → decode → parse → check →
//! resolve positions and fingerprints. Whatever goes wrong with one file becomes a
//! notification on that file; it never stops the others.

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tree_sitter::Tree;

use crate::baseline::BaselineOutcome;
use crate::cache::{result_key, Cache};
use crate::checker::{check_tree, walk_only, CheckerOutput};
use crate::diagnostic::{
    Diagnostic, Edit, Finding, Fix, Notification, NotificationKind, RelatedLocation, Snippet,
};
use crate::discovery::{discover, DiscoveryError, SourceFile};
use crate::fingerprint::{fingerprints, FingerprintInput};
use crate::fix::fix_source;
use crate::language::Grammar;
use crate::parse::parse;
use crate::project_files::recording;
use crate::reuse::{check_tree_reusing, CheckMemo};
use crate::rule::RuleSet;
use crate::settings::{Fixing, RuleResolver, SelectionError, Settings};
use crate::source::{floor_char_boundary, Decoding, Source};
use crate::suppression::Suppressions;

/// Code frames show at most this many lines of a finding that spans more.
const MAX_SNIPPET_LINES: usize = 5;

/// What checking one file produced.
#[derive(Debug, Default)]
pub struct FileReport {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Findings a suppression comment hid, each with its suppression.
    pub suppressed: Vec<Diagnostic>,
    pub notifications: Vec<Notification>,
    pub lines: usize,
    /// What `--fix` or `--diff` changed; the findings above are those of the fixed text.
    pub fixes: Option<AppliedFixes>,
    /// The file holds none of the words its rules require, so it was not parsed.
    pub skipped_by_prefilter: bool,
}

/// The fixes applied to a file.
#[derive(Debug, Default, Clone)]
pub struct AppliedFixes {
    pub count: usize,
    /// The text before and after, kept for `--diff`, which writes nothing.
    pub texts: Option<(String, String)>,
}

/// What a whole run produced, sorted by path.
#[derive(Debug, Default)]
pub struct CheckResult {
    pub files: Vec<FileReport>,
    /// Notifications about paths that never became a file report (discovery problems).
    pub notifications: Vec<Notification>,
    pub duration: Duration,
    /// How many of the files' results were read from the results cache.
    pub files_cached: usize,
    /// What `--baseline` hid and found fixed, when one was given.
    pub baseline: Option<BaselineOutcome>,
}

impl CheckResult {
    /// All findings, sorted by (path, line, column, rule).
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|file| &file.diagnostics)
    }

    /// The findings suppression comments hid, sorted like the others.
    pub fn suppressed(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|file| &file.suppressed)
    }

    /// All notifications, sorted by path.
    pub fn all_notifications(&self) -> Vec<&Notification> {
        let mut all: Vec<&Notification> = self
            .notifications
            .iter()
            .chain(self.files.iter().flat_map(|file| &file.notifications))
            .collect();
        all.sort();
        all
    }

    /// The files that were analysed (not skipped).
    pub fn files_checked(&self) -> usize {
        self.files
            .iter()
            .filter(|file| {
                !file
                    .notifications
                    .iter()
                    .any(|notification| notification.kind.skips_file())
            })
            .count()
    }

    pub fn lines_checked(&self) -> usize {
        self.files.iter().map(|file| file.lines).sum()
    }
}

/// What stopped a run before any file was checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    #[error(transparent)]
    Selection(#[from] SelectionError),
}

/// Finds the files under `paths` and checks them in parallel on the current rayon pool, each
/// with the rules the resolver gives it, reading and storing results in `cache` when given.
pub fn check_paths(
    paths: &[PathBuf],
    settings: &Settings,
    resolver: &RuleResolver<'_>,
    cache: Option<&Cache>,
) -> Result<CheckResult, CheckError> {
    let started = Instant::now();
    let discovered = discover(paths, settings)?;
    let (rule_sets, set_of_file) =
        resolver.rule_sets(discovered.files.iter().map(|file| &file.path))?;
    let mut files: Vec<FileReport> = discovered
        .files
        .par_iter()
        .zip(&set_of_file)
        .map(|(file, &set)| check_file(file, settings, &rule_sets[set], cache))
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(CheckResult {
        files,
        notifications: discovered.notifications,
        duration: started.elapsed(),
        files_cached: cache.map_or(0, Cache::hits),
        baseline: None,
    })
}

/// Reads and checks one file, or reads its result from the cache. Fixing bypasses the cache,
/// and so does parsing without rules.
pub fn check_file(
    file: &SourceFile,
    settings: &Settings,
    rules: &RuleSet,
    cache: Option<&Cache>,
) -> FileReport {
    let skipped = |kind: NotificationKind, message: String| FileReport {
        path: file.display_path.clone(),
        notifications: vec![Notification {
            path: file.display_path.clone(),
            kind,
            message,
        }],
        ..FileReport::default()
    };
    let bytes = match read_limited(file, settings.max_file_size) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            let limit = settings.max_file_size / (1024 * 1024);
            return skipped(
                NotificationKind::FileTooLarge,
                format!("the file is over {limit} MiB: skipped"),
            );
        }
        Err(error) => {
            return skipped(
                NotificationKind::IoError,
                format!("cannot read the file: {error}"),
            )
        }
    };
    if let Some(fixing) = settings.fix {
        return fix_file(file, bytes, settings, rules, fixing);
    }
    let Some(cache) = cache.filter(|_| !settings.parse_and_walk) else {
        return check_bytes(&file.display_path, bytes, file.grammar, settings, rules);
    };
    let key = result_key(&bytes, file.grammar, settings, rules);
    if let Some(report) = cache.get(&file.display_path, key, rules) {
        return report;
    }
    let (report, project_files) =
        recording(|| check_bytes(&file.display_path, bytes, file.grammar, settings, rules));
    cache.put(&file.display_path, key, project_files, &report);
    report
}

/// Checks a file and applies its fixes, writing the fixed text unless `--diff` only shows it.
/// A file that is not valid UTF-8, or holds NUL bytes, is checked but never fixed: writing its
/// decoded text would change the bytes no fix touched.
fn fix_file(
    file: &SourceFile,
    bytes: Vec<u8>,
    settings: &Settings,
    rules: &RuleSet,
    fixing: Fixing,
) -> FileReport {
    let original = match String::from_utf8(bytes) {
        Ok(text) if memchr::memchr(0, text.as_bytes()).is_none() => text,
        Ok(text) => {
            return check_bytes(
                &file.display_path,
                text.into_bytes(),
                file.grammar,
                settings,
                rules,
            )
        }
        Err(error) => {
            return check_bytes(
                &file.display_path,
                error.into_bytes(),
                file.grammar,
                settings,
                rules,
            )
        }
    };
    let source = Source::new(PathBuf::from(&file.display_path), original.clone())
        .in_project(&settings.filter.root);
    let fixed = fix_source(&source, file.grammar, settings, rules, fixing.level);
    if fixed.applied == 0 {
        return fixed.report;
    }
    let mut report = fixed.report;
    if fixing.write {
        if let Err(error) = write_atomically(&file.path, fixed.text.as_bytes()) {
            // The file keeps its text, so the findings shown are those of that text.
            let mut unfixed = check_source(&source, file.grammar, settings, rules);
            unfixed.notifications.push(Notification {
                path: file.display_path.clone(),
                kind: NotificationKind::IoError,
                message: format!("cannot write the fixes: {error}"),
            });
            return unfixed;
        }
    }
    report.fixes = Some(AppliedFixes {
        count: fixed.applied,
        texts: (!fixing.write).then_some((original, fixed.text)),
    });
    report
}

/// Writes a file through a temporary file beside it, renamed into place, so that no reader
/// sees it half written. A file that exists keeps its permissions.
pub fn write_atomically(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    let permissions = match fs::metadata(path) {
        Ok(metadata) => Some(metadata.permissions()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(error),
    };
    let mut temporary = tempfile::NamedTempFile::new_in(directory)?;
    temporary.write_all(contents)?;
    if let Some(permissions) = permissions {
        temporary.as_file().set_permissions(permissions)?;
    }
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// Checks a file's contents, read from disk or from standard input, as `display_path`.
pub fn check_bytes(
    display_path: &str,
    bytes: Vec<u8>,
    grammar: Grammar,
    settings: &Settings,
    rules: &RuleSet,
) -> FileReport {
    if memchr::memchr(0, &bytes).is_some() {
        return FileReport {
            path: display_path.to_owned(),
            notifications: vec![Notification {
                path: display_path.to_owned(),
                kind: NotificationKind::BinaryFile,
                message: "the file holds NUL bytes, so it is not source code: skipped".to_owned(),
            }],
            ..FileReport::default()
        };
    }
    let (source, decoding) = Source::decode(PathBuf::from(display_path), bytes);
    let source = source.in_project(&settings.filter.root);
    let mut report = check_source(&source, grammar, settings, rules);
    if decoding == Decoding::Lossy {
        report.notifications.insert(
            0,
            Notification {
                path: display_path.to_owned(),
                kind: NotificationKind::InvalidUtf8,
                message: "the file is not valid UTF-8: invalid bytes were read as U+FFFD"
                    .to_owned(),
            },
        );
    }
    report
}

/// Reads a file unless it is larger than `limit` bytes (`Ok(None)`). The limit is checked on
/// what is read, not only on the metadata, which can be wrong (special files, growing files).
fn read_limited(file: &SourceFile, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let handle = fs::File::open(&file.path)?;
    let size_hint = handle
        .metadata()
        .map(|metadata| metadata.len())
        .unwrap_or(0);
    if size_hint > limit {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(size_hint as usize);
    handle.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// Checks text that is already in memory (the language server's documents, tests, benchmarks).
pub fn check_source(
    source: &Source,
    grammar: Grammar,
    settings: &Settings,
    rules: &RuleSet,
) -> FileReport {
    if settings.prefilter && !settings.parse_and_walk && !rules.may_report(grammar, source.text()) {
        return FileReport {
            path: display(&source.path),
            lines: source.line_count(),
            skipped_by_prefilter: true,
            ..FileReport::default()
        };
    }
    match parse(grammar, source.text()) {
        Some(tree) => check_parsed(source, grammar, &tree, settings, rules),
        None => {
            let path = display(&source.path);
            FileReport {
                notifications: vec![Notification {
                    path: path.clone(),
                    kind: NotificationKind::ParseError,
                    message: "the parser gave up on this file: it was not analysed".to_owned(),
                }],
                path,
                lines: source.line_count(),
                ..FileReport::default()
            }
        }
    }
}

/// Checks text whose syntax tree is already at hand (the language server re-parses its
/// documents incrementally).
pub fn check_parsed(
    source: &Source,
    grammar: Grammar,
    tree: &Tree,
    settings: &Settings,
    rules: &RuleSet,
) -> FileReport {
    if settings.parse_and_walk {
        std::hint::black_box(walk_only(tree));
        return report(source, tree, settings, rules, None, LineHashes::Computed);
    }
    let output = check_tree(tree, source, grammar, rules);
    report(
        source,
        tree,
        settings,
        rules,
        Some(output),
        LineHashes::Computed,
    )
}

/// Whether diagnostics carry GitHub's line hashes. Each needs a pass over the whole file (a
/// line's hash counts the lines before it with the same content), and editors show none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineHashes {
    Computed,
    Left,
}

/// Like [`check_parsed`], for a document checked again and again as it is edited: reuses what
/// `previous`, the memo of a check of an earlier version with the same rules and settings,
/// found in the statements that did not change, and returns the memo of this check. The
/// diagnostics have no GitHub line hashes.
pub fn check_parsed_reusing(
    source: &Source,
    grammar: Grammar,
    tree: &Tree,
    settings: &Settings,
    rules: &RuleSet,
    previous: Option<&CheckMemo>,
) -> (FileReport, Option<CheckMemo>) {
    if settings.parse_and_walk {
        std::hint::black_box(walk_only(tree));
        return (
            report(source, tree, settings, rules, None, LineHashes::Left),
            None,
        );
    }
    let (output, memo) = check_tree_reusing(tree, source, grammar, rules, previous);
    let report = report(
        source,
        tree,
        settings,
        rules,
        Some(output),
        LineHashes::Left,
    );
    (report, Some(memo))
}

/// The report of a file from what the Checker found (`None`: the file was only parsed).
fn report(
    source: &Source,
    tree: &Tree,
    settings: &Settings,
    rules: &RuleSet,
    output: Option<CheckerOutput>,
    line_hashes: LineHashes,
) -> FileReport {
    let path = display(&source.path);
    let mut report = FileReport {
        path: path.clone(),
        lines: source.line_count(),
        ..FileReport::default()
    };
    let root = tree.root_node();
    if root.has_error() {
        report.notifications.push(Notification {
            path: path.clone(),
            kind: NotificationKind::ParseError,
            message: parse_error_message(root, source),
        });
    }
    let Some(output) = output else {
        return report;
    };
    let policy = rules.suppression_policy();
    let mut suppressions = Suppressions::parse(
        tree,
        source,
        &policy.known_rules,
        settings.respect_foreign_suppressions,
    );
    for (rule_index, message) in output.panicked {
        report.notifications.push(Notification {
            path: path.clone(),
            kind: NotificationKind::InternalError,
            message: format!(
                "rule `{}` failed on this file ({message}); the other rules' findings are kept",
                rules.rules()[rule_index].id
            ),
        });
    }
    let diagnostics = resolve(output.findings, source, &path, rules, line_hashes);
    let (mut kept, suppressed) = suppressions.apply(diagnostics);
    let comment_findings: Vec<(usize, Finding)> = suppressions
        .comment_findings(|rule| rules.index_of(rule).is_some(), policy.require_reason)
        .into_iter()
        .filter_map(|finding| {
            let rule_index = rules.index_of(finding.rule)?;
            Some((rule_index, Finding::new(finding.range, finding.message)))
        })
        .collect();
    if !comment_findings.is_empty() {
        kept.extend(resolve(comment_findings, source, &path, rules, line_hashes));
        kept.sort_by(|a, b| (a.start, a.rule).cmp(&(b.start, b.rule)));
    }
    report.diagnostics = kept;
    report.suppressed = suppressed;
    report
}

fn display(path: &std::path::Path) -> String {
    crate::discovery::display_path(path, std::path::Path::new(""))
}

fn parse_error_message(root: tree_sitter::Node<'_>, source: &Source) -> String {
    let mut cursor = root.walk();
    let first_error = loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            break Some(node);
        }
        let descended = node.has_error() && cursor.goto_first_child();
        if descended {
            continue;
        }
        let mut moved = false;
        while !moved {
            if cursor.goto_next_sibling() {
                moved = true;
            } else if !cursor.goto_parent() {
                break;
            }
        }
        if !moved {
            break None;
        }
    };
    match first_error {
        Some(node) => {
            let position = source.position(node.start_byte());
            format!(
                "syntax error at {}:{}: the file was analysed with error recovery, and findings may be incomplete",
                position.line, position.column
            )
        }
        None => "syntax error: the file was analysed with error recovery, and findings may be incomplete".to_owned(),
    }
}

/// Turns byte-offset findings into diagnostics with positions, snippets and fingerprints,
/// sorted by (line, column, rule).
fn resolve(
    findings: Vec<(usize, Finding)>,
    source: &Source,
    path: &str,
    rules: &RuleSet,
    with_line_hashes: LineHashes,
) -> Vec<Diagnostic> {
    let mut findings = findings;
    findings.sort_by(|(rule_a, a), (rule_b, b)| {
        (a.range.start, rules.rules()[*rule_a].id, a.range.end).cmp(&(
            b.range.start,
            rules.rules()[*rule_b].id,
            b.range.end,
        ))
    });
    findings.dedup_by(|(rule_a, a), (rule_b, b)| rule_a == rule_b && a.range == b.range);
    let starts: Vec<_> = findings
        .iter()
        .map(|(_, finding)| source.position(finding.range.start))
        .collect();
    let fingerprints = fingerprints(findings.iter().zip(&starts).map(
        |((rule_index, finding), start)| FingerprintInput {
            rule: rules.rules()[*rule_index].id,
            path,
            line_text: source.line_text(start.line),
            enclosing_function: finding.enclosing_function.as_deref(),
        },
    ));
    let mut lines: Vec<usize> = starts.iter().map(|start| start.line).collect();
    lines.dedup();
    let line_hashes = match with_line_hashes {
        LineHashes::Computed => source.line_hashes(&lines),
        LineHashes::Left => std::collections::HashMap::new(),
    };
    findings
        .into_iter()
        .zip(starts)
        .zip(fingerprints)
        .map(|(((rule_index, finding), start), fingerprint)| {
            let enabled = &rules.rules()[rule_index];
            let end = source.position(finding.range.end);
            Diagnostic {
                rule: enabled.id,
                level: finding
                    .level
                    .map_or(enabled.level, |level| level.min(enabled.level)),
                path: path.to_owned(),
                snippet: snippet(source, &finding.range, &finding.redactions),
                range: finding.range,
                start,
                end,
                message: finding.message,
                related: finding
                    .related
                    .into_iter()
                    .map(|(range, message)| RelatedLocation {
                        start: source.position(range.start),
                        end: source.position(range.end),
                        range,
                        message,
                    })
                    .collect(),
                fingerprint,
                line_hash: line_hashes.get(&start.line).cloned().unwrap_or_default(),
                fix: finding.fix.map(|fix| Fix {
                    applicability: fix.applicability,
                    message: fix.message,
                    edits: fix
                        .edits
                        .into_iter()
                        .map(|(range, content)| Edit {
                            start: source.position(range.start),
                            end: source.position(range.end),
                            range,
                            content,
                        })
                        .collect(),
                }),
                suppression: None,
            }
        })
        .collect()
}

/// The whole lines a range covers (at most [`MAX_SNIPPET_LINES`]), and the range within them,
/// with every redacted range replaced by `…`.
fn snippet(
    source: &Source,
    range: &std::ops::Range<usize>,
    redactions: &[std::ops::Range<usize>],
) -> Snippet {
    let start = source.position(range.start);
    let end = source.position(range.end);
    let last_line = end.line.min(start.line + MAX_SNIPPET_LINES - 1);
    let lines: Vec<&str> = (start.line..=last_line)
        .map(|line| source.line_text(line))
        .collect();
    let mut text = lines.join("\n");
    // The offset in `text` of a source offset on one of its lines; past its last line, the end.
    let local = |offset: usize| {
        let position = source.position(offset);
        if position.line < start.line {
            return 0;
        }
        if position.line > last_line {
            return text.len();
        }
        let index = position.line - start.line;
        let before: usize = lines[..index].iter().map(|line| line.len() + 1).sum();
        // By bytes, not by counting characters: a long line with many findings would cost
        // the square of its length.
        let line = lines[index];
        before + floor_char_boundary(line, offset - source.line_start(position.line))
    };
    let mut local_range = local(range.start)..local(range.end).max(local(range.start));
    let mut hidden: Vec<std::ops::Range<usize>> = redactions
        .iter()
        .map(|redaction| local(redaction.start)..local(redaction.end))
        .filter(|hidden| hidden.start < hidden.end)
        .collect();
    hidden.sort_by_key(|hidden| std::cmp::Reverse(hidden.start));
    for hidden in hidden {
        text.replace_range(hidden.clone(), "…");
        let shift = |offset: usize| match offset {
            offset if offset >= hidden.end => offset + "…".len() - hidden.len(),
            offset if offset > hidden.start => hidden.start + "…".len(),
            offset => offset,
        };
        local_range = shift(local_range.start)..shift(local_range.end);
    }
    window(Snippet {
        first_line: start.line,
        text,
        range: local_range,
    })
}

/// Context kept on each side of a range in a snippet that is cut.
const SNIPPET_CONTEXT: usize = 200;
/// The longest part of a range a snippet shows.
const MAX_SNIPPET_RANGE: usize = 1000;

/// A snippet cut to the range and some context around it, with `…` where text was left out,
/// when its lines are long (a minified file): every finding on a line of a megabyte would
/// otherwise carry, and print, all of it.
fn window(snippet: Snippet) -> Snippet {
    let limit = 2 * SNIPPET_CONTEXT + MAX_SNIPPET_RANGE;
    if snippet.text.len() <= limit {
        return snippet;
    }
    let text = &snippet.text;
    let floor = |offset: usize| floor_char_boundary(text, offset);
    let range_end = floor(
        snippet
            .range
            .end
            .min(snippet.range.start + MAX_SNIPPET_RANGE),
    );
    let start = floor(snippet.range.start.saturating_sub(SNIPPET_CONTEXT));
    let end = floor(range_end + SNIPPET_CONTEXT);
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < text.len() { "…" } else { "" };
    let shift = |offset: usize| offset - start + prefix.len();
    Snippet {
        first_line: snippet.first_line,
        text: format!("{prefix}{}{suffix}", &text[start..end]),
        range: shift(snippet.range.start.max(start))..shift(range_end.max(start)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_of_a_long_line_is_cut_around_its_range() {
        let line = format!(
            "var a = {}eval(q){};",
            "x + ".repeat(1000),
            " + y".repeat(1000)
        );
        let source = Source::new(PathBuf::from("min.js"), line.clone());
        let start = line.find("eval").expect("eval");
        let cut = snippet(&source, &(start..start + "eval(q)".len()), &[]);
        assert!(
            cut.text.len() < 2 * SNIPPET_CONTEXT + 20,
            "{}",
            cut.text.len()
        );
        assert!(cut.text.starts_with('…') && cut.text.ends_with('…'));
        assert_eq!(&cut.text[cut.range.clone()], "eval(q)");
        assert_eq!(cut.first_line, 1);
    }

    #[test]
    fn a_snippet_of_short_lines_is_whole() {
        let source = Source::new(PathBuf::from("a.py"), "x = 1\ny = eval(q)\n".to_owned());
        let start = source.text().find("eval").expect("eval");
        let whole = snippet(&source, &(start..start + 4), &[]);
        assert_eq!(whole.text, "y = eval(q)");
        assert_eq!(&whole.text[whole.range.clone()], "eval");
        assert_eq!(whole.first_line, 2);
    }
}
