//! Property: after any sequence of edits, a document re-parsed incrementally gives exactly the
//! diagnostics of a fresh parse of its final text. The edits are drawn from a seeded generator
//! (so a failure names its seed): insertions and deletions of code fragments, single
//! characters and newlines at any character, across many seeds and both languages.

use std::path::{Path, PathBuf};

use backlint_engine::{check_source, FileReport, Grammar, Settings, Source};
use backlint_lsp::document::Document;
use backlint_lsp::line_index::PositionEncoding;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// A small, seedable generator (xorshift64*): the test needs reproducible variety, not quality.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

const TS_FRAGMENTS: &[&str] = &[
    ": any",
    "const token = \"ghp_8fK2mQ9xLr4TzW1vB7nC3dE6gH0jS5aY2uPq\";\n",
    "for (const id of ids) { await prisma.user.findUnique({ where: { id } }); }\n",
    "// backlint-ignore[no-explicit-any]: why\n",
    "}",
    "{",
    "\n",
    "é😀",
    "(",
    "process.env.SECRET",
];

const PY_FRAGMENTS: &[&str] = &[
    "try:\n    work()\nexcept:\n    pass\n",
    "    ",
    "\n",
    "cursor.execute(f\"SELECT * FROM t WHERE id = {x}\")\n",
    "# noqa: E722",
    ":",
    "def f(request):\n    return request.POST['name']\n",
    "é😀",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn findings(report: &FileReport) -> Vec<(usize, usize, &'static str, String)> {
    report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            (
                diagnostic.start.line,
                diagnostic.start.column,
                diagnostic.rule,
                diagnostic.message.clone(),
            )
        })
        .collect()
}

/// The LSP position (UTF-16) of the `index`-th character of `text`.
fn position_of_character(text: &str, index: usize) -> Position {
    let mut line = 0;
    let mut character = 0;
    for (count, c) in text.chars().enumerate() {
        if count == index {
            break;
        }
        if c == '\n' {
            line += 1;
            character = 0;
        } else {
            character += c.len_utf16() as u32;
        }
    }
    Position::new(line, character)
}

fn run(seed: u64, path: &str, grammar: Grammar, start: &str, fragments: &[&str]) {
    let rules = backlint_rules::registry()
        .enable(None, &[])
        .expect("rules build");
    let settings = Settings::default();
    let mut random = Random(seed);
    let mut document = Document::new(PathBuf::from(path), grammar, 0, start.to_owned());
    for version in 1..=30 {
        let characters = document.text().chars().count();
        let from = random.below(characters + 1);
        let deleted = if random.below(3) == 0 {
            random.below(12).min(characters - from)
        } else {
            0
        };
        let inserted = if random.below(4) == 0 {
            ""
        } else {
            fragments[random.below(fragments.len())]
        };
        let change = TextDocumentContentChangeEvent {
            range: Some(Range {
                start: position_of_character(document.text(), from),
                end: position_of_character(document.text(), from + deleted),
            }),
            range_length: None,
            text: inserted.to_owned(),
        };
        document.apply_changes(version, &[change], PositionEncoding::Utf16);
        let incremental = document
            .check(&settings, &rules)
            .expect("the document parses");
        let fresh = check_source(
            &Source::new(PathBuf::from(path), document.text().to_owned()),
            grammar,
            &settings,
            &rules,
        );
        assert_eq!(
            findings(&incremental),
            findings(&fresh),
            "seed {seed}, edit {version}: incremental and fresh parses differ on:\n{}",
            document.text()
        );
    }
}

#[test]
fn incremental_reparsing_matches_a_fresh_parse() {
    let typescript = std::fs::read_to_string(
        root().join("../../fixtures/projects/nextjs-prisma-api/src/lib/mailer.ts"),
    )
    .expect("fixture");
    let python = std::fs::read_to_string(
        root().join("../../fixtures/projects/fastapi-sqlalchemy/app/routers/users.py"),
    )
    .expect("fixture");
    for seed in 1..=24 {
        run(
            seed,
            "src/lib/mailer.ts",
            Grammar::TypeScript,
            &typescript,
            TS_FRAGMENTS,
        );
        run(
            seed,
            "app/routers/users.py",
            Grammar::Python,
            &python,
            PY_FRAGMENTS,
        );
    }
}
