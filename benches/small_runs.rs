//! `backlint check` on 1 file and on 10 files, as a pre-commit hook runs it on a small commit:
//! the wall time of the whole process, start-up included, from spawning it to its exit; each
//! without the results cache (`--no-cache`: every file checked), and with it (the files'
//! results read from the cache that the warm-up run filled, as on the hook's later runs).
//!
//! `cargo bench --bench small_runs` (`SMALL_RUNS=N` changes the number of runs per case).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod timing;

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

fn main() {
    let runs = timing::count_from_env("SMALL_RUNS", 100);
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects");
    for file in FILES {
        assert!(project.join(file).is_file(), "{file} is missing");
    }
    println!("{runs} runs of each, after one to warm the file cache");
    println!();
    timing::print_header("command");
    let cache = tempfile::tempdir().expect("a folder for the cache");
    for (count, cached) in [(1, false), (10, false), (1, true), (10, true)] {
        let files = &FILES[..count];
        let cache_arguments = if cached {
            vec!["--cache-dir".into(), cache.path().as_os_str().to_owned()]
        } else {
            vec!["--no-cache".into()]
        };
        let run = || {
            let started = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_backlint"))
                .arg("check")
                .args(&cache_arguments)
                .args(files)
                .current_dir(&project)
                .env_remove("BACKLINT_NO_CACHE")
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
        let times: Vec<Duration> = (0..runs).map(|_| run()).collect();
        let plural = if count == 1 { "" } else { "s" };
        let how = if cached { "cached" } else { "`--no-cache`" };
        timing::print_row(
            &format!("`backlint check` with {count} file{plural}, {how}"),
            times,
        );
    }
}
