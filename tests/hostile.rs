//! A hostile repository at scale: 10,000 files and over 100 MB holding every kind of bad input
//! (non-UTF-8, binary, over the size limit, syntax errors, broken links and link loops,
//! FIFOs), files named with spaces, quotes, newlines and bytes that are not UTF-8, a folder
//! 200 levels deep, expressions nested 20,000 deep, and lines with thousands of findings. The
//! run must finish, report each problem exactly once, still find what the readable files
//! hold, and write SARIF that the SARIF Multitool accepts.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use common::corpus::write_project;

const BARE_EXCEPT: &str = "try:\n    run()\nexcept:\n    pass\n";
/// Well past any run of this tree here (a few seconds): only a hang reaches it.
const TIME_LIMIT: Duration = Duration::from_secs(300);

/// What the generator planted: the notifications expected, by (path, kind), each once; and
/// the paths of the oddly placed or named files whose findings must still be reported.
struct Hostile {
    directory: tempfile::TempDir,
    notifications: BTreeMap<(String, String), usize>,
    files_with_findings: Vec<String>,
    files: usize,
    bytes: u64,
}

fn write(root: &Path, relative: impl AsRef<Path>, contents: &[u8]) -> u64 {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().expect("a folder")).expect("create the folder");
    fs::write(&path, contents).expect("write the file");
    contents.len() as u64
}

fn generate() -> Hostile {
    let directory = tempfile::tempdir().expect("temporary directory");
    let root = directory.path();
    let mut notifications = BTreeMap::new();
    let mut expect = |path: String, kind: &str| {
        *notifications.entry((path, kind.to_owned())).or_insert(0) += 1;
    };
    let mut files_with_findings = Vec::new();
    let mut files = 0;
    let mut bytes = 0;
    // Readable files with findings, and many clean ones.
    write_project(&root.join("app"), 300, 5);
    files += 300;
    let padding = format!("# {}\n", "padding to make the tree large ".repeat(2)).repeat(25);
    for index in 0..9_400 {
        let text = format!("{padding}def add_{index}(a: int, b: int) -> int:\n    return a + b\n");
        bytes += write(
            root,
            format!("clean/m{}/f{index}.py", index % 90),
            text.as_bytes(),
        );
        files += 1;
    }
    // Over the size limit (10 MiB): skipped unread.
    let large = vec![b'#'; 10 * 1024 * 1024 + 1];
    for index in 0..9 {
        let path = format!("large/big_{index}.py");
        bytes += write(root, &path, &large);
        expect(path, "file-too-large");
        files += 1;
    }
    for index in 0..100 {
        let path = format!("latin1/m{index}.py");
        write(root, &path, b"# caf\xe9 cr\xe8me\nx = \"\xe9t\xe9\"\n");
        expect(path, "invalid-utf8");
        let path = format!("binary/b{index}.ts");
        write(root, &path, b"\x00\x01\x02const x: number = 1;\n");
        expect(path, "binary-file");
        let path = format!("broken/s{index}.py");
        write(root, &path, b"def f(:\n    return\n");
        expect(path, "parse-error");
        files += 3;
    }
    fs::create_dir_all(root.join("links")).expect("create the folder");
    for index in 0..20 {
        let path = format!("links/missing_{index}.py");
        symlink(root.join("nowhere.py"), root.join(&path)).expect("symlink");
        expect(path, "io-error");
        let (a, b) = (
            format!("links/loop_{index}_a.ts"),
            format!("links/loop_{index}_b.ts"),
        );
        symlink(root.join(&b), root.join(&a)).expect("symlink");
        symlink(root.join(&a), root.join(&b)).expect("symlink");
        expect(a, "io-error");
        expect(b, "io-error");
    }
    for index in 0..5 {
        let path = format!("pipes/fifo_{index}.py");
        fs::create_dir_all(root.join("pipes")).expect("create the folder");
        let made = Command::new("mkfifo").arg(root.join(&path)).status();
        assert!(made.expect("run mkfifo").success());
        expect(path, "io-error");
    }
    // Names a shell, a terminal or a SARIF URI must survive.
    for name in [
        "with space.py",
        "quote\"d.py",
        "single'quote.py",
        "new\nline.py",
        "tab\tname.py",
        "back\\slash.py",
        "percent%20name.py",
        "ünïcödé.py",
        "#hash?query.py",
    ] {
        write(root, Path::new("names").join(name), BARE_EXCEPT.as_bytes());
        files_with_findings.push(format!("names/{name}"));
    }
    let not_utf8 = Path::new("names").join(OsStr::from_bytes(b"bytes_\xff\xfe.py"));
    write(root, &not_utf8, BARE_EXCEPT.as_bytes());
    files_with_findings.push(String::from_utf8_lossy(not_utf8.as_os_str().as_bytes()).into_owned());
    let deep: PathBuf = std::iter::repeat_n("d", 200).collect();
    write(root, deep.join("leaf.py"), BARE_EXCEPT.as_bytes());
    files_with_findings.push(format!("{}/leaf.py", vec!["d"; 200].join("/")));
    let depth = 20_000;
    let nested = [
        (
            "nested/parens.py",
            format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth)),
        ),
        (
            "nested/lists.ts",
            format!("const x = {}{};\n", "[".repeat(depth), "]".repeat(depth)),
        ),
        (
            "nested/calls.js",
            format!("f{}{};\n", "(f".repeat(depth), ")".repeat(depth)),
        ),
        (
            "nested/attributes.py",
            format!("x = a{}\n", ".b".repeat(depth)),
        ),
        (
            "nested/sums.py",
            format!("x = {}\n", vec!["a"; depth].join(" + ")),
        ),
        (
            "nested/blocks.ts",
            format!("{}{}\n", "{".repeat(depth), "}".repeat(depth)),
        ),
        // Long concatenations given to sinks, which rules take apart.
        (
            "nested/system.py",
            format!("import os\nos.system({}b)\n", "\"a\" + ".repeat(depth)),
        ),
        (
            "nested/exec.ts",
            format!(
                "import {{ exec }} from \"child_process\";\nexec({}b);\n",
                "\"a\" + ".repeat(depth)
            ),
        ),
        (
            "nested/query.py",
            format!(
                "cursor.execute({}b{})\n",
                "(\"a\" + ".repeat(depth),
                ")".repeat(depth)
            ),
        ),
    ];
    for (path, text) in &nested {
        write(root, path, text.as_bytes());
    }
    // A handler that answers with thousands of reads of its request, and thousands of findings
    // on one line: rules that looked up the parent of every read, and code frames and
    // fingerprints made from the whole line for each finding, took the square of their length.
    // Before, the reads took 1.8 s, the queries 47 s and the log calls 11 s.
    let terms = 4_000;
    let long_lines = [
        (
            "long/handler.js",
            format!(
                "const app = require(\"express\")();\napp.post(\"/x\", (req, res) => {{\n  res.send({});\n}});\n",
                vec!["req.body.a"; terms].join(" + ")
            ),
        ),
        (
            "long/casts.ts",
            // A thousand findings: each carries a code frame, and the SARIF must stay under
            // the 10 MB that the Multitool (and GitHub) read.
            format!("export const x = a{};\n", " as any".repeat(terms / 4)),
        ),
        // Thousands of queries in one loop, and of log calls in one function: rules that
        // read the whole loop or function again for each.
        (
            "long/queries.js",
            format!(
                "const app = require(\"express\")();\napp.get(\"/x\", async (req, res) => {{\n  for (const id of req.body.ids) {{\n{}  }}\n  res.json({{}});\n}});\n",
                "    await prisma.user.findUnique({ where: { id } });\n".repeat(terms / 2)
            ),
        ),
        (
            "long/logs.py",
            format!(
                "import logging\nlog = logging.getLogger()\ndef sign_in(password):\n{}",
                "    log.info(\"signing in with %s\", password)\n".repeat(terms / 2)
            ),
        ),
    ];
    for (path, text) in &long_lines {
        write(root, path, text.as_bytes());
        files_with_findings.push((*path).to_owned());
    }
    files += 10 + 1 + nested.len() + long_lines.len();
    Hostile {
        directory,
        notifications,
        files_with_findings,
        files,
        bytes,
    }
}

/// Runs `backlint check` on the tree, killed if it outlives [`TIME_LIMIT`].
fn check(root: &Path, format: &str) -> (Vec<u8>, Option<i32>) {
    let output_path = root.with_extension(format);
    let mut child = Command::new(env!("CARGO_BIN_EXE_backlint"))
        .args([
            "check",
            "--isolated",
            "--no-cache",
            "--format",
            format,
            "--output",
        ])
        .arg(&output_path)
        .arg(".")
        .current_dir(root)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run backlint");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for backlint") {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            panic!("backlint did not finish in {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let written = fs::read(&output_path).expect("the report");
    let _ = fs::remove_file(&output_path);
    (written, status.code())
}

#[test]
fn a_hostile_tree_is_checked_and_each_problem_reported_once() {
    let hostile = generate();
    assert!(hostile.files >= 10_000, "{} files", hostile.files);
    assert!(hostile.bytes >= 100_000_000, "{} bytes", hostile.bytes);
    let (report, code) = check(hostile.directory.path(), "json");
    assert_eq!(code, Some(1), "findings, and no failure of the run");
    let document: Value = serde_json::from_slice(&report).expect("JSON");
    let mut notifications: BTreeMap<(String, String), usize> = BTreeMap::new();
    for notification in document["notifications"].as_array().expect("notifications") {
        let key = (
            notification["path"].as_str().expect("path").to_owned(),
            notification["kind"].as_str().expect("kind").to_owned(),
        );
        *notifications.entry(key).or_insert(0) += 1;
    }
    let unexpected: Vec<_> = notifications
        .iter()
        .filter(|(key, count)| hostile.notifications.get(*key) != Some(count))
        .collect();
    let missing: Vec<_> = hostile
        .notifications
        .keys()
        .filter(|key| !notifications.contains_key(*key))
        .collect();
    assert!(
        unexpected.is_empty() && missing.is_empty(),
        "reported other than once each: {unexpected:?}; not reported: {missing:?}"
    );
    let findings = document["findings"].as_array().expect("findings");
    for path in &hostile.files_with_findings {
        assert!(
            findings
                .iter()
                .any(|finding| finding["path"] == path.as_str()),
            "no finding in {path:?}"
        );
    }
    assert!(
        findings.iter().any(|finding| finding["path"]
            .as_str()
            .is_some_and(|path| path.starts_with("app/"))),
        "the generated project's findings"
    );
}

#[test]
#[ignore = "needs the SARIF Multitool: run by .ci/run"]
fn the_sarif_of_a_hostile_tree_passes_the_multitool() {
    let hostile = generate();
    let (report, code) = check(hostile.directory.path(), "sarif");
    assert_eq!(code, Some(1));
    let (problems, console) = common::sarif_multitool_problems(&report);
    assert!(problems.is_empty(), "{}\n{console}", problems.join("\n"));
}
