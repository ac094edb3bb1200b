//! suppression-comment: a `backlint-ignore` comment that is malformed, misplaced, names an
//! unknown rule or every rule (`[*]`), or (with `require-reason`) gives no reason.

use backlint_engine::rule::{parse_options, OptionsError, Rule, RuleSpec};
use backlint_engine::suppression::SUPPRESSION_COMMENT;
use serde::Deserialize;

use super::ReportedByTheEngine;

pub const SPEC: RuleSpec = RuleSpec {
    id: SUPPRESSION_COMMENT,
    docs: include_str!("../../../../rules/suppression-comment.toml"),
    new,
};

/// The engine reads `require-reason` from the resolved options when it builds a rule set;
/// this checks its type.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    require_reason: bool,
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let Options { require_reason: _ } = parse_options(SPEC.id, options)?;
    Ok(Box::new(ReportedByTheEngine))
}
