//! backlint's reporters: they turn a [`CheckResult`] into text, and know nothing of the CLI.

mod human;
mod json;
mod summary;

pub use human::{render_concise, render_human};
pub use json::render_json;
pub use summary::Summary;

use backlint_engine::CheckResult;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One header line per finding, a code frame, and a summary line.
    Human,
    /// One line per finding, and the summary line.
    Concise,
    /// The versioned JSON document described in the README.
    Json,
}

/// Renders a result in a format. `color` applies to the terminal formats only.
pub fn render(result: &CheckResult, format: Format, color: bool) -> String {
    match format {
        Format::Human => render_human(result, color),
        Format::Concise => render_concise(result),
        Format::Json => render_json(result),
    }
}
