//! What the process-timing benchmarks share: the run count from the environment, and the
//! Markdown row of a set of timings.

use std::time::Duration;

/// The number in environment variable `name`, or `default`.
pub fn count_from_env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// The header of the table [`print_row`] prints rows of.
pub fn print_header(first_column: &str) {
    println!("| {first_column} | p50 | p95 | max |");
    println!("|---|---|---|---|");
}

/// `| name | p50 | p95 | max |` of `times`.
pub fn print_row(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let percentile = |fraction: f64| {
        let index = ((times.len() as f64 - 1.0) * fraction).round() as usize;
        milliseconds(times[index])
    };
    println!(
        "| {name} | {} | {} | {} |",
        percentile(0.5),
        percentile(0.95),
        percentile(1.0)
    );
}

fn milliseconds(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}
