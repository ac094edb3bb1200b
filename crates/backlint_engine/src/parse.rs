//! Parsing with one tree-sitter parser per thread per grammar, reused from file to file.

use std::cell::RefCell;

use tree_sitter::{Parser, Tree};

use crate::language::Grammar;

thread_local! {
    static PARSERS: RefCell<[Option<Parser>; 4]> = const { RefCell::new([None, None, None, None]) };
}

/// Parses `text` with this thread's parser for `grammar`. `None` only when tree-sitter gives
/// up, which it does not do without a timeout or cancellation flag; callers report it as a
/// parse error all the same.
pub fn parse(grammar: Grammar, text: &str) -> Option<Tree> {
    reparse(grammar, text, None)
}

/// Parses `text` again after edits: `old` is the previous tree, already told of the edits with
/// `Tree::edit`, so that tree-sitter reuses what they did not touch.
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
        parser.parse(text, old)
    })
}
