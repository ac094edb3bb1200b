//! Parsing with one tree-sitter parser per thread per grammar, reused from file to file.

use std::cell::RefCell;

use tree_sitter::{ParseOptions, ParseState, Parser, Tree};

use crate::language::Grammar;

thread_local! {
    static PARSERS: RefCell<[Option<Parser>; 4]> = const { RefCell::new([None, None, None, None]) };
}

/// Parses `text` with this thread's parser for `grammar`. `None` when tree-sitter gives up:
/// callers report it as a parse error.
pub fn parse(grammar: Grammar, text: &str) -> Option<Tree> {
    reparse(grammar, text, None)
}

/// Parses `text` again after edits: `old` is the previous tree, already told of the edits with
/// `Tree::edit`, so that tree-sitter reuses what they did not touch.
///
/// tree-sitter gives up when it has worked longer than `parse_budget` allows: its error
/// recovery can go on for minutes on some text that is not code.
pub fn reparse(grammar: Grammar, text: &str, old: Option<&Tree>) -> Option<Tree> {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let slot = &mut parsers[grammar.index()];
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&grammar.tree_sitter_language()).ok()?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut()?;
        parser.reset();
        let budget = parse_budget(text.len());
        let mut progress_calls = 0;
        let mut over_budget = |_: &ParseState| {
            progress_calls += 1;
            progress_calls > budget
        };
        let bytes = text.as_bytes();
        parser.parse_with_options(
            &mut |offset, _| bytes.get(offset..).unwrap_or_default(),
            old,
            Some(ParseOptions::new().progress_callback(&mut over_budget)),
        )
    })
}

/// How much work tree-sitter may do on a text of `length` bytes, in calls of its progress
/// callback, which it makes once every hundred parse operations: a count, so that whether a
/// file is given up on does not depend on the machine. Code needs at most 0.022 calls a byte
/// (the 29,745 files of the benchmark corpora and of the repositories the rules were tried
/// on, minified bundles included); the budget is nine times that, and 2,000 calls more for
/// small texts. A line of 700 bytes that the fuzzers made, with NUL bytes among suppression
/// comments, kept the TypeScript parser busy for 335 s; it now gives up after 0.4 s.
fn parse_budget(length: usize) -> u64 {
    2_000 + length as u64 / 5
}
