//! `backlint check` on 1 file and on 10 files, as a pre-commit hook runs it on a small commit:
//! the wall time of the whole process, start-up included, from spawning it to its exit.
//!
//! `cargo bench --bench small_runs` (`SMALL_RUNS=N` changes the number of runs per case).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Files of the example projects, as a commit would name them.
const FILES: [&str; 10] = [
    "nextjs-prisma-api/src/app/api/users/route.ts",
    "nextjs-prisma-api/src/app/api/users/[id]/route.ts",
    "nextjs-prisma-api/src/app/api/posts/route.ts",
    "nextjs-prisma-api/src/app/api/posts/[id]/comments/route.ts",
    "nextjs-prisma-api/src/app/actions.ts",
    "nextjs-prisma-api/src/lib/mailer.ts",
    "nextjs-prisma-api/src/lib/validation.ts",
    "nextjs-prisma-api/src/lib/db.ts",
    "nextjs-prisma-api/src/lib/env.ts",
    "fastapi-sqlalchemy/app/routers/orders.py",
];

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

fn main() {
    let runs: usize = std::env::var("SMALL_RUNS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(100);
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects");
    for file in FILES {
        assert!(project.join(file).is_file(), "{file} is missing");
    }
    println!("{runs} runs of each, after one to warm the file cache");
    println!();
    println!("| command | p50 | p95 | max |");
    println!("|---|---|---|---|");
    for count in [1, 10] {
        let files = &FILES[..count];
        let run = || {
            let started = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_backlint"))
                .arg("check")
                .args(files)
                .current_dir(&project)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("backlint runs");
            assert!(
                matches!(status.code(), Some(0 | 1)),
                "backlint failed: {status}"
            );
            started.elapsed()
        };
        run();
        let mut times: Vec<Duration> = (0..runs).map(|_| run()).collect();
        times.sort();
        let milliseconds = |duration: Duration| format!("{:.2} ms", duration.as_secs_f64() * 1e3);
        println!(
            "| `backlint check` with {count} file{} | {} | {} | {} |",
            if count == 1 { "" } else { "s" },
            milliseconds(percentile(&times, 0.5)),
            milliseconds(percentile(&times, 0.95)),
            milliseconds(times[times.len() - 1]),
        );
    }
}
