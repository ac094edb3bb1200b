//! todo-comment: `TODO`, `FIXME` and `HACK` comments (and `XXX` where configured) left in
//! production code.

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::Language;
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and};
use crate::text::compact;

pub const SPEC: RuleSpec = RuleSpec {
    id: "todo-comment",
    docs: include_str!("../../../../rules/todo-comment.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// The words that mark unfinished work.
    markers: Vec<String>,
    /// Globs of files that are not checked: tests, and vendored, static and minified files,
    /// whose comments belong to someone else.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            markers: ["TODO", "FIXME", "HACK"].map(str::to_owned).to_vec(),
            ignore_paths: test_paths_and(&["**/vendor/**", "**/public/**", "**/*.min.js"]),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(TodoComment {
        markers: options.markers,
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
    }))
}

fn todo_message(marker: &str, comment: &str) -> String {
    format!("`{marker}` left in the code ({comment}): finish the work, or track it in the issue tracker and remove the comment.")
}

struct TodoComment {
    markers: Vec<String>,
    ignore_paths: GlobSet,
}

impl Rule for TodoComment {
    fn node_kinds(&self, _language: Language) -> &'static [&'static str] {
        &["comment"]
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    /// One of the markers.
    fn required_words(&self, _language: Language) -> Vec<String> {
        self.markers.clone()
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let text = context.text(node);
        let Some((offset, marker)) = self.first_marker(text) else {
            return;
        };
        let start = node.start_byte() + offset;
        let shown = compact(text.trim_start_matches(['/', '*', '#', ' ']));
        context.report_range(start..start + marker.len(), todo_message(marker, &shown));
    }
}

impl TodoComment {
    /// The first marker in a comment, as a whole word in capitals (`TODO`, `TODO:`,
    /// `TODO(alice)`); not part of a longer word or of a pattern (`XXX-XX-XXXX`,
    /// `TODOS`).
    fn first_marker<'a>(&'a self, comment: &str) -> Option<(usize, &'a str)> {
        let is_word_character =
            |character: char| character.is_alphanumeric() || matches!(character, '_' | '-');
        self.markers
            .iter()
            .filter_map(|marker| {
                comment.match_indices(marker.as_str()).find_map(|(at, _)| {
                    let before = comment[..at].chars().next_back();
                    let after = comment[at + marker.len()..].chars().next();
                    let whole = !before.is_some_and(is_word_character)
                        && !after.is_some_and(is_word_character);
                    whole.then_some((at, marker.as_str()))
                })
            })
            .min_by_key(|(at, _)| *at)
    }
}
