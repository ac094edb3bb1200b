//! Path options: the globs rules accept for "files where this does not apply".

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use backlint_engine::rule::OptionsError;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Compiles a rule's list of globs, naming the rule and the option in any error. A list is
/// compiled once per process: most rules share the default lists, and compiling them all again
/// was a third of a one-file run's time.
pub fn glob_set(
    rule: &'static str,
    option: &str,
    patterns: &[String],
) -> Result<GlobSet, OptionsError> {
    static COMPILED: LazyLock<Mutex<HashMap<Vec<String>, GlobSet>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Some(compiled) = COMPILED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(patterns)
    {
        return Ok(compiled.clone());
    }
    let invalid = |error: globset::Error| OptionsError {
        rule,
        message: format!("`{option}`: {error}"),
    };
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        // `*` stays within one name, as in `.gitignore` and the configuration's globs:
        // `**/test_*.py` is a file named `test_….py`, not every file below a `test_…` folder.
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(invalid)?;
        builder.add(glob);
    }
    let compiled = builder.build().map_err(invalid)?;
    COMPILED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(patterns.to_vec(), compiled.clone());
    Ok(compiled)
}

/// Test files, test helpers and seed data, which rules about production code leave alone or
/// report at a lower level.
const TEST_PATHS: &[&str] = &[
    "**/test/**",
    "**/tests/**",
    "**/__tests__/**",
    "**/*.test.*",
    "**/*.spec.*",
    "**/test_*.py",
    "**/tests.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/e2e/**",
    "**/{testing,integration-tests,test-utils}/**",
    "**/*{seed,populate,dummy}*.*",
    "**/{seed,seeds,seeders}/**",
];

/// Code that developers run on input of their own, not a deployed server on someone else's:
/// scripts, command-line tools, management commands, build and docs tooling, scaffolding
/// packages (`create-*`), migrations, and vendored or minified files.
pub const TOOLING_PATHS: &[&str] = &[
    "**/{cli,commands,management,scripts,script,bin,tools,build-scripts,docs}/**",
    "**/{cli,setup,manage}.py",
    "**/create-*/**",
    "**/migrations/**",
    "**/vendor/**",
    "**/*.min.js",
];

/// [`TEST_PATHS`] followed by a rule's own globs, as an option's default.
pub fn test_paths_and(extra: &[&str]) -> Vec<String> {
    TEST_PATHS
        .iter()
        .chain(extra)
        .map(|glob| (*glob).to_owned())
        .collect()
}
