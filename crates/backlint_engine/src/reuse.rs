//! Checking a document again after an edit, reusing the findings of the top-level statements
//! that did not change. The language server checks on every keystroke, and one walk of a
//! 5,000-line file costs more than an editor can wait; the statement being typed in is all
//! that has to be walked again.
//!
//! The findings of a top-level statement depend on its own text and on what the semantic
//! model answers about the whole file (rules read other statements only through it; see
//! [`Rule`](crate::rule::Rule)). So a statement's findings of the previous check are kept when:
//!
//! 1. its text is the same, it lies in the unchanged start or end of the file, and it starts on
//!    the same line (messages name lines: `the loop on line 12`);
//! 2. the statements in between that assign at module level (outside function bodies) have
//!    the same *shape*, their text outside function bodies: rules read those assignments
//!    (`const TABLE = "orders"` makes `TABLE` safe in SQL). Typing in a function body, a
//!    comment or a module-level call leaves them as they are;
//! 3. the file's imports are the same, and so are the facts its rules asked the semantic model
//!    for when it was walked (each statement records which): the names module-load code calls
//!    and the lines of those calls with the entry-point verdict, the database evidence, the
//!    handlers whose function lies in a kept statement with the text of their registration.
//!    A fact no kept statement asked for is not even looked for;
//! 4. every range of its findings (the finding, related locations, fix edits, redactions) lies
//!    inside it;
//! 5. neither tree has syntax errors, and no rule panicked;
//! 6. the files around it that rules read (a `package.json`, Django settings; see
//!    [`project_files`](crate::project_files)) read as they did: when one changed, nothing is
//!    reused.
//!
//! The other statements are walked again. Without a previous check, or after a change to an
//! import or a module-level assignment, that is every statement, as `check_tree` walks them.

use std::ops::Range;

use tree_sitter::{Node, Tree};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::checker::{check_tree, CheckerOutput, Walk};
use crate::databases::Databases;
use crate::diagnostic::Finding;
use crate::frameworks::{Framework, Handler, Handlers};
use crate::language::Grammar;
use crate::project_files::{recording, still_hold, ProjectFile, State};
use crate::rule::RuleSet;
use crate::semantic::{Asked, Imports, Semantic};
use crate::source::Source;
use crate::syntax::Fields;

/// What a check keeps for the next check of the same document, with the same rules and
/// settings.
#[derive(Debug, Clone)]
pub struct CheckMemo {
    statements: Vec<StatementMemo>,
    facts: Facts,
    /// Whether nothing of this check may be reused: the tree had syntax errors (error recovery
    /// can parse the same text differently depending on what surrounds it), or a rule panicked.
    unusable: bool,
    /// How many statements this check took from the previous one.
    reused: usize,
    /// The files around the document that its rules read, this check or the ones whose
    /// findings it kept, and what they held.
    project_files: Vec<(ProjectFile, State)>,
}

impl CheckMemo {
    /// How many statements' findings the check took from the previous check.
    pub fn reused(&self) -> usize {
        self.reused
    }

    /// Whether the files around the document that its rules read still read the same: when
    /// one changed, findings that nothing in the document changed can have.
    pub fn project_files_hold(&self) -> bool {
        still_hold(&self.project_files)
    }
}

#[derive(Debug, Clone)]
struct StatementMemo {
    range: Range<usize>,
    /// The line it starts on: messages name lines (`the loop on line 12`), so findings are
    /// reused only where the lines did not move.
    line: usize,
    text_hash: u64,
    shape: Shape,
    /// Its findings with ranges relative to its start; `None` when a range lies outside it.
    findings: Option<Vec<(usize, Finding)>>,
    /// The file-wide facts its rules asked for: its findings depend on those only.
    asked: Asked,
}

/// What the findings of a statement can depend on outside it, as far as it was found: the
/// facts nothing asked for are `None`.
#[derive(Debug, Clone)]
struct Facts {
    imports: Imports,
    databases: Option<Databases>,
    /// The names module-load code calls, with the line of the call (messages show it), and
    /// whether the module is an entry point.
    module_load: Option<(Vec<(String, usize)>, bool)>,
    /// The handlers, each with a hash of its registration's text.
    handlers: Option<Vec<(Handler, Option<u64>)>>,
    /// A hash of the texts of all handlers, with their decorators.
    handler_texts: Option<u64>,
}

impl Facts {
    /// The facts the semantic model has found so far.
    fn found(semantic: &Semantic<'_>, source: &Source) -> Facts {
        let found = semantic.found_facts();
        Facts {
            imports: semantic.imports().clone(),
            databases: found.databases.cloned(),
            module_load: found
                .module_load
                .map(|(calls, is_entry_point)| (calls_by_line(calls, source), is_entry_point)),
            handlers: found
                .handlers
                .map(|handlers| with_registration_hashes(handlers.all(), source)),
            handler_texts: found
                .handlers
                .map(|handlers| hash_of_handler_texts(handlers, semantic.root(), source)),
        }
    }
}

/// A hash of the text of every handler, from its first decorator to its end.
fn hash_of_handler_texts(handlers: &Handlers, root: Node<'_>, source: &Source) -> u64 {
    let mut hasher = Xxh3::new();
    for handler in handlers.all() {
        let mut start = handler.function.start;
        if let Some(function) =
            root.descendant_for_byte_range(handler.function.start, handler.function.end)
        {
            let decorated = function
                .parent()
                .filter(|parent| parent.kind() == "decorated_definition");
            let mut first = decorated.unwrap_or(function);
            while let Some(decorator) = first
                .prev_named_sibling()
                .filter(|sibling| sibling.kind() == "decorator")
            {
                first = decorator;
            }
            start = first.start_byte();
        }
        hasher.update(&source.bytes()[start..handler.function.end]);
        hasher.update(&[0]);
    }
    hasher.digest()
}

fn calls_by_line(calls: &[(String, usize)], source: &Source) -> Vec<(String, usize)> {
    calls
        .iter()
        .map(|(name, offset)| (name.clone(), source.position(*offset).line))
        .collect()
}

fn with_registration_hashes(handlers: &[Handler], source: &Source) -> Vec<(Handler, Option<u64>)> {
    handlers
        .iter()
        .map(|handler| {
            let registration = handler
                .registration
                .clone()
                .map(|range| xxh3_64(&source.text().as_bytes()[range]));
            (handler.clone(), registration)
        })
        .collect()
}

/// A handler as the statements that are kept see it: its function by statement and offset
/// within it, its registration likewise, or by its text when it lies in a changed statement.
#[derive(Debug, PartialEq, Eq)]
struct KeptHandler<'a> {
    framework: Framework,
    name: &'a str,
    function: (usize, Range<usize>),
    registration: Option<Place>,
    middleware: &'a [String],
}

#[derive(Debug, PartialEq, Eq)]
enum Place {
    Kept(usize, Range<usize>),
    Changed(u64),
}

/// Checks a tree, reusing what `previous` (a check of an earlier version of the same document
/// with the same rules and settings) found in the statements that did not change.
pub fn check_tree_reusing(
    tree: &Tree,
    source: &Source,
    grammar: Grammar,
    rules: &RuleSet,
    previous: Option<&CheckMemo>,
) -> (CheckerOutput, CheckMemo) {
    let previous = previous.filter(|previous| previous.project_files_hold());
    let ((output, mut memo), mut project_files) =
        recording(|| walk_reusing(tree, source, grammar, rules, previous));
    // The statements whose findings were kept were not walked, so what their rules read was
    // not recorded again.
    for (file, state) in previous.iter().flat_map(|previous| &previous.project_files) {
        if !project_files.iter().any(|(known, _)| known == file) {
            project_files.push((file.clone(), *state));
        }
    }
    memo.project_files = project_files;
    (output, memo)
}

fn walk_reusing(
    tree: &Tree,
    source: &Source,
    grammar: Grammar,
    rules: &RuleSet,
    previous: Option<&CheckMemo>,
) -> (CheckerOutput, CheckMemo) {
    let root = tree.root_node();
    let text = source.text();
    let mut cursor = root.walk();
    let statements: Vec<Node<'_>> = root.children(&mut cursor).collect();
    let ranges: Vec<Range<usize>> = statements.iter().map(Node::byte_range).collect();
    let text_hashes: Vec<u64> = ranges
        .iter()
        .map(|range| xxh3_64(&text.as_bytes()[range.clone()]))
        .collect();
    let mut walk = Walk::new(root, source, grammar, rules);
    let mut shapes: Vec<Option<Shape>> = vec![None; statements.len()];
    let mut reused: Vec<Option<&StatementMemo>> = vec![None; statements.len()];
    if let Some(previous) = previous.filter(|previous| !previous.unusable && !root.has_error()) {
        let alignment = Alignment::new(&previous.statements, &ranges, &text_hashes);
        for index in alignment.changed_new() {
            shapes[index] = Some(shape(statements[index], text));
        }
        for (index, old) in alignment.kept() {
            shapes[index] = Some(previous.statements[old].shape);
        }
        let old_assignments = previous.statements[alignment.changed_old()]
            .iter()
            .map(|statement| statement.shape)
            .filter(|shape| shape.assigns)
            .map(|shape| shape.hash);
        let new_assignments = alignment
            .changed_new()
            .filter_map(|index| shapes[index])
            .filter(|shape| shape.assigns)
            .map(|shape| shape.hash);
        if old_assignments.eq(new_assignments) && walk.semantic.imports() == &previous.facts.imports
        {
            let kept: Vec<(usize, &StatementMemo)> = alignment
                .kept()
                .map(|(index, old)| (index, &previous.statements[old]))
                .filter(|(index, old)| {
                    old.findings.is_some() && old.line == source.position(ranges[*index].start).line
                })
                .collect();
            let asked = kept
                .iter()
                .fold(Asked::default(), |asked, (_, old)| asked.union(old.asked));
            let changed =
                changed_facts(asked, &walk.semantic, source, previous, &alignment, &ranges);
            for (index, old) in kept {
                if !old.asked.intersects(changed) {
                    reused[index] = Some(old);
                }
            }
        }
    }
    walk.enter(root);
    // What the comparison of facts above, and the rules at the root, asked for belongs to no
    // statement.
    walk.semantic.take_asked();
    let mut memos = Vec::with_capacity(statements.len());
    for (index, statement) in statements.iter().enumerate() {
        let range = statement.byte_range();
        let first_finding = walk.output.findings.len();
        let asked = match reused[index].and_then(|memo| Some((memo.findings.as_ref()?, memo))) {
            Some((findings, memo)) => {
                walk.output.findings.extend(
                    findings.iter().map(|(rule, finding)| {
                        (*rule, shifted(finding, range.start, Shift::Forward))
                    }),
                );
                memo.asked
            }
            None => {
                walk.subtree(*statement);
                walk.semantic.take_asked()
            }
        };
        if root.has_error() {
            // Nothing of this check will be reused: its statements are not worth recording.
            continue;
        }
        let findings = &walk.output.findings[first_finding..];
        let relative = findings
            .iter()
            .all(|(_, finding)| lies_within(finding, &range))
            .then(|| {
                findings
                    .iter()
                    .map(|(rule, finding)| (*rule, shifted(finding, range.start, Shift::Back)))
                    .collect()
            });
        memos.push(StatementMemo {
            text_hash: text_hashes[index],
            shape: shapes[index].unwrap_or_else(|| shape(*statement, text)),
            findings: relative,
            asked,
            line: source.position(range.start).line,
            range,
        });
    }
    walk.leave(root);
    let panicked = !walk.output.panicked.is_empty();
    let memo = CheckMemo {
        statements: memos,
        facts: Facts::found(&walk.semantic, source),
        unusable: panicked || root.has_error(),
        reused: reused.iter().flatten().count(),
        project_files: Vec::new(),
    };
    if panicked && reused.iter().any(Option::is_some) {
        // A rule stopped by a panic misses the statements after it in a full walk; so must it
        // here, where some of them were not walked.
        return (check_tree(tree, source, grammar, rules), memo);
    }
    (walk.output, memo)
}

/// Which of the `asked` facts differ from the previous check's, as the kept statements see them.
fn changed_facts(
    asked: Asked,
    semantic: &Semantic<'_>,
    source: &Source,
    previous: &CheckMemo,
    alignment: &Alignment,
    ranges: &[Range<usize>],
) -> Asked {
    let module_load = asked.module_load && {
        let now = (
            calls_by_line(semantic.module_load_calls(), source),
            semantic.is_entry_point(),
        );
        previous.facts.module_load.as_ref() != Some(&now)
    };
    let databases =
        asked.databases && previous.facts.databases.as_ref() != Some(semantic.databases());
    let handlers = asked.handlers
        && previous.facts.handlers.as_ref().is_none_or(|old_handlers| {
            let old_ranges: Vec<Range<usize>> = previous
                .statements
                .iter()
                .map(|statement| statement.range.clone())
                .collect();
            let now = with_registration_hashes(semantic.handlers().all(), source);
            kept_handlers(old_handlers, &old_ranges, |old| {
                alignment.new_index_of_old(old)
            }) != kept_handlers(&now, ranges, |new| {
                alignment.is_kept_new(new).then_some(new)
            })
        });
    let handler_texts = asked.handler_texts
        && previous.facts.handler_texts
            != Some(hash_of_handler_texts(
                semantic.handlers(),
                semantic.root(),
                source,
            ));
    Asked {
        module_load,
        handlers,
        handler_texts,
        databases,
    }
}

/// Which statements of the old and new versions are the same: those of the longest common
/// start and end, by text.
struct Alignment {
    prefix: usize,
    suffix: usize,
    old_count: usize,
    new_count: usize,
}

impl Alignment {
    fn new(old: &[StatementMemo], new_ranges: &[Range<usize>], new_hashes: &[u64]) -> Alignment {
        let same = |old_index: usize, new_index: usize| {
            let statement = &old[old_index];
            statement.text_hash == new_hashes[new_index]
                && statement.range.len() == new_ranges[new_index].len()
        };
        let shorter = old.len().min(new_ranges.len());
        let prefix = (0..shorter).take_while(|&index| same(index, index)).count();
        let suffix = (0..shorter - prefix)
            .take_while(|&back| same(old.len() - 1 - back, new_ranges.len() - 1 - back))
            .count();
        Alignment {
            prefix,
            suffix,
            old_count: old.len(),
            new_count: new_ranges.len(),
        }
    }

    fn changed_old(&self) -> Range<usize> {
        self.prefix..self.old_count - self.suffix
    }

    fn changed_new(&self) -> Range<usize> {
        self.prefix..self.new_count - self.suffix
    }

    /// The kept statements: (new index, old index).
    fn kept(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.prefix).map(|index| (index, index)).chain(
            (self.new_count - self.suffix..self.new_count)
                .map(|index| (index, index + self.old_count - self.new_count)),
        )
    }

    fn is_kept_new(&self, index: usize) -> bool {
        !self.changed_new().contains(&index)
    }

    fn new_index_of_old(&self, index: usize) -> Option<usize> {
        if index < self.prefix {
            Some(index)
        } else if index >= self.old_count - self.suffix {
            Some(index + self.new_count - self.old_count)
        } else {
            None
        }
    }
}

/// The handlers whose function lies in a kept statement, placed by statement (`kept_index`
/// gives the new index of a kept statement, `None` for a changed one) and offset within it.
fn kept_handlers<'a>(
    handlers: &'a [(Handler, Option<u64>)],
    ranges: &[Range<usize>],
    kept_index: impl Fn(usize) -> Option<usize>,
) -> Vec<KeptHandler<'a>> {
    let place = |range: &Range<usize>| {
        let index = ranges.partition_point(|statement| statement.end <= range.start);
        let statement = ranges.get(index)?;
        let kept = kept_index(index)?;
        Some((
            kept,
            range.start - statement.start..range.end - statement.start,
        ))
    };
    handlers
        .iter()
        .filter_map(|(handler, registration_hash)| {
            let function = place(&handler.function)?;
            let registration = match (&handler.registration, registration_hash) {
                (Some(range), Some(hash)) => Some(
                    place(range).map_or(Place::Changed(*hash), |(index, within)| {
                        Place::Kept(index, within)
                    }),
                ),
                _ => None,
            };
            Some(KeptHandler {
                framework: handler.framework,
                name: &handler.name,
                function,
                registration,
                middleware: &handler.middleware,
            })
        })
        .collect()
}

/// A statement's text outside the bodies of the functions in it, which an edit inside a
/// function body leaves as it was.
#[derive(Debug, Clone, Copy)]
struct Shape {
    hash: u64,
    /// Whether it assigns or declares a variable there.
    assigns: bool,
}

fn shape(statement: Node<'_>, text: &str) -> Shape {
    let mut hasher = Xxh3::new();
    let mut assigns = false;
    let mut position = statement.start_byte();
    let mut cursor = statement.walk();
    'walk: loop {
        let node = cursor.node();
        assigns |= matches!(
            node.kind(),
            "variable_declarator"
                | "assignment_expression"
                | "augmented_assignment_expression"
                | "assignment"
                | "augmented_assignment"
        );
        match function_body(node) {
            Some(body) => {
                hasher.update(&text.as_bytes()[position..body.start_byte()]);
                // 0xFF is never a byte of UTF-8 text: it marks where a body was left out.
                hasher.update(&[0xFF]);
                position = body.end_byte();
            }
            None if cursor.goto_first_child() => continue,
            None => {}
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    hasher.update(&text.as_bytes()[position..statement.end_byte()]);
    Shape {
        hash: hasher.digest(),
        assigns,
    }
}

/// The body of a function, method or lambda, in either grammar.
fn function_body(node: Node<'_>) -> Option<Node<'_>> {
    match node.kind() {
        "function_declaration"
        | "function_expression"
        | "function"
        | "arrow_function"
        | "generator_function_declaration"
        | "generator_function"
        | "method_definition"
        | "function_definition"
        | "lambda" => node.field("body"),
        _ => None,
    }
}

fn lies_within(finding: &Finding, range: &Range<usize>) -> bool {
    let inside = |inner: &Range<usize>| range.start <= inner.start && inner.end <= range.end;
    inside(&finding.range)
        && finding.related.iter().all(|(related, _)| inside(related))
        && finding
            .fix
            .as_ref()
            .is_none_or(|fix| fix.edits.iter().all(|(edit, _)| inside(edit)))
        && finding.redactions.iter().all(inside)
}

#[derive(Clone, Copy)]
enum Shift {
    Forward,
    Back,
}

/// A finding with every range moved by `by` bytes.
fn shifted(finding: &Finding, by: usize, shift: Shift) -> Finding {
    let moved = |range: &Range<usize>| match shift {
        Shift::Forward => range.start + by..range.end + by,
        Shift::Back => range.start - by..range.end - by,
    };
    let mut finding = finding.clone();
    finding.range = moved(&finding.range);
    for (range, _) in &mut finding.related {
        *range = moved(range);
    }
    if let Some(fix) = &mut finding.fix {
        for (range, _) in &mut fix.edits {
            *range = moved(range);
        }
    }
    for range in &mut finding.redactions {
        *range = moved(range);
    }
    finding
}
