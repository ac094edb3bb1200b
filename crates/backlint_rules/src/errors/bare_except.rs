//! bare-except: `except:` with no exception type, which also catches `KeyboardInterrupt` and
//! `SystemExit`.

use backlint_engine::diagnostic::{Applicability, FindingFix};
use backlint_engine::rule::{parse_options, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::Language;
use serde::Deserialize;
use tree_sitter::Node;

pub const SPEC: RuleSpec = RuleSpec {
    id: "bare-except",
    docs: include_str!("../../../../rules/bare-except.toml"),
    new,
};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Options {}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let Options {} = parse_options(SPEC.id, options)?;
    Ok(Box::new(BareExcept))
}

fn bare_except_message() -> &'static str {
    "Bare `except:` also catches `KeyboardInterrupt` and `SystemExit`: catch the specific exceptions you expect, or `Exception`."
}

struct BareExcept;

impl Rule for BareExcept {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::Python => &["except_clause"],
            Language::TypeScript | Language::JavaScript => &[],
        }
    }

    /// An `except` clause.
    fn required_words(&self, _language: Language) -> Vec<String> {
        ["except"].map(str::to_owned).to_vec()
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(except_keyword) = node.child(0).filter(|keyword| keyword.kind() == "except")
        else {
            return;
        };
        let mut cursor = node.walk();
        let mut children = node.children(&mut cursor);
        // `except*` needs a type, so a star or any expression after the keyword means typed.
        let is_bare = children.nth(1).is_some_and(|next| next.kind() == ":");
        if !is_bare || body_reraises(node) {
            return;
        }
        let keyword_end = except_keyword.end_byte();
        context.report(except_keyword, bare_except_message()).fix = Some(FindingFix {
            applicability: Applicability::Safe,
            message: "Catch `Exception`".to_owned(),
            edits: vec![(keyword_end..keyword_end, " Exception".to_owned())],
        });
    }
}

/// Whether a statement directly in the handler's body is a bare `raise`: the handler cleans up
/// and re-raises, which is the idiom Ruff's E722 leaves alone too.
fn body_reraises(except_clause: Node<'_>) -> bool {
    let mut cursor = except_clause.walk();
    let Some(body) = except_clause
        .named_children(&mut cursor)
        .find(|child| child.kind() == "block")
    else {
        return false;
    };
    let mut body_cursor = body.walk();
    let reraises = body.named_children(&mut body_cursor).any(|statement| {
        statement.kind() == "raise_statement" && statement.named_child_count() == 0
    });
    reraises
}
