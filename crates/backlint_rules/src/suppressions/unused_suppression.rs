//! unused-suppression: a `backlint-ignore` comment that suppressed nothing.

use backlint_engine::rule::{parse_options, OptionsError, Rule, RuleSpec};
use backlint_engine::suppression::UNUSED_SUPPRESSION;
use serde::Deserialize;

use super::ReportedByTheEngine;

pub const SPEC: RuleSpec = RuleSpec {
    id: UNUSED_SUPPRESSION,
    docs: include_str!("../../../../rules/unused-suppression.toml"),
    new,
};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Options {}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let Options {} = parse_options(SPEC.id, options)?;
    Ok(Box::new(ReportedByTheEngine))
}
