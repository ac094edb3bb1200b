//! The same files give byte-identical JSON and SARIF whatever the number of threads, from one
//! run to the next, and whatever order the files are walked or named in.

mod common;

use std::path::{Path, PathBuf};

use common::backlint;
use common::corpus::{write_project, Sequence};

const FILES: usize = 1000;

fn output(directory: &Path, format: &str, threads: usize, files: &[PathBuf]) -> Vec<u8> {
    let threads = threads.to_string();
    let mut arguments = vec![
        "check",
        "--isolated",
        "--format",
        format,
        "--threads",
        &threads,
    ];
    let names: Vec<&str> = files
        .iter()
        .map(|file| file.to_str().expect("generated names are UTF-8"))
        .collect();
    if names.is_empty() {
        arguments.push(".");
    } else {
        arguments.push("--");
        arguments.extend(names);
    }
    let output = backlint(directory, &arguments);
    assert_eq!(
        output.status.code(),
        Some(1),
        "findings make the run fail: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
fn json_and_sarif_are_the_same_bytes_whatever_the_threads_runs_and_order() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let mut files = write_project(directory.path(), FILES, 7);
    for format in ["json", "sarif"] {
        let first = output(directory.path(), format, 1, &[]);
        let findings = String::from_utf8_lossy(&first)
            .matches("\"ruleId\"")
            .count()
            + String::from_utf8_lossy(&first).matches("\"rule\"").count();
        assert!(findings > FILES, "{format}: only {findings} findings");
        for threads in 1..=4 {
            for run in 0..2 {
                let again = output(directory.path(), format, threads, &[]);
                assert!(
                    again == first,
                    "{format}, {threads} threads, run {run}: the output differs"
                );
            }
        }
        // The files named on the command line, in reverse order and then shuffled.
        files.reverse();
        assert!(
            output(directory.path(), format, 3, &files) == first,
            "{format}: reversed"
        );
        let mut sequence = Sequence::new(11);
        for index in (1..files.len()).rev() {
            files.swap(index, sequence.below(index + 1));
        }
        assert!(
            output(directory.path(), format, 2, &files) == first,
            "{format}: shuffled"
        );
    }
}
