//! Path options: the globs rules accept for "files where this does not apply".

use backlint_engine::rule::OptionsError;
use globset::{Glob, GlobSet, GlobSetBuilder};

/// Compiles a rule's list of globs, naming the rule and the option in any error.
pub fn glob_set(
    rule: &'static str,
    option: &str,
    patterns: &[String],
) -> Result<GlobSet, OptionsError> {
    let invalid = |error: globset::Error| OptionsError {
        rule,
        message: format!("`{option}`: {error}"),
    };
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(Glob::new(pattern).map_err(invalid)?);
    }
    builder.build().map_err(invalid)
}
