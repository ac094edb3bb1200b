//! Property: after any sequence of edits, a document re-parsed incrementally, and checked
//! reusing what its previous check found in the statements the edit did not touch, gives
//! exactly the diagnostics of a fresh parse and check of its final text. The edits are drawn
//! from a seeded generator (so a failure names its seed): insertions and deletions of code
//! fragments, single characters and newlines at any character, across many seeds and both
//! languages, on files with request handlers, module-load code and top-level constants, which
//! the findings of other statements depend on.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use backlint_engine::{check_source, Diagnostic, Grammar, Settings, Source};
use backlint_lsp::document::Document;
use backlint_lsp::line_index::PositionEncoding;
use backlint_lsp::workspace::Target;
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
    "x",
    "1",
    " ",
    ": any",
    "app.post(\"/refunds\", async (req, res) => { await issueRefund(req.body.id); });\n",
    "const client = createClient();\n",
    "function createClient() { return new Client(process.env.API_KEY); }\n",
    "const TABLE = `orders ${process.argv[2]}`;\n",
    "await pool.query(`SELECT * FROM ${TABLE} WHERE id = 1`);\n",
    "import express from \"express\";\n",
    "main();\n",
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
    "x",
    "1",
    "TABLE = sys.argv[1]\n",
    "client = make_client()\n",
    "def make_client():\n    return Client(os.environ['KEY'])\n",
    "@app.post('/refunds')\ndef refund(request):\n    return request.json()['id']\n",
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

/// Diagnostics as the language server has them: without GitHub's line hashes.
fn without_line_hashes(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .map(|diagnostic| Diagnostic {
            line_hash: String::new(),
            ..diagnostic.clone()
        })
        .collect()
}

/// Replaces `deleted` characters at character `from` with `inserted`, as version `version`,
/// and returns the text it replaced.
fn edit(
    document: &mut Document,
    version: i32,
    from: usize,
    deleted: usize,
    inserted: &str,
) -> String {
    let text = document.text();
    let replaced: String = text.chars().skip(from).take(deleted).collect();
    let change = TextDocumentContentChangeEvent {
        range: Some(Range {
            start: position_of_character(text, from),
            end: position_of_character(text, from + deleted),
        }),
        range_length: None,
        text: inserted.to_owned(),
    };
    document.apply_changes(version, &[change], PositionEncoding::Utf16);
    replaced
}

/// Edits one document as seed `seed` draws it, checking it after each edit, and returns how
/// many of those checks reused findings.
fn run(seed: u64, path: &str, grammar: Grammar, start: &str, fragments: &[&str]) -> usize {
    let target = Target {
        settings: Arc::new(Settings::default()),
        rules: Arc::new(
            backlint_rules::registry()
                .enable(None, &[])
                .expect("rules build"),
        ),
    };
    let mut random = Random(seed);
    let mut document = Document::new(PathBuf::from(path), grammar, 0, start.to_owned());
    let (_, mut memo) = document.check(&target, None).expect("the document parses");
    let mut checks_reusing = 0;
    let mut check = |document: &mut Document, version: i32| {
        document.parse_edits();
        let (incremental, next_memo) = document
            .check(&target, memo.as_ref())
            .expect("the document parses");
        if next_memo.as_ref().is_some_and(|memo| memo.reused() > 0) {
            checks_reusing += 1;
        }
        memo = next_memo;
        let fresh = check_source(
            &Source::new(PathBuf::from(path), document.text().to_owned()),
            grammar,
            &target.settings,
            &target.rules,
        );
        assert_eq!(
            (&incremental.diagnostics, &incremental.suppressed),
            (
                &without_line_hashes(&fresh.diagnostics),
                &without_line_hashes(&fresh.suppressed)
            ),
            "seed {seed}, version {version}: the incremental check and a fresh one differ on:\n{}",
            document.text()
        );
        fresh.notifications.is_empty()
    };
    let mut version = 0;
    for _ in 0..30 {
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
        version += 1;
        let replaced = edit(&mut document, version, from, deleted, inserted);
        let parses = check(&mut document, version);
        // Most random edits break the syntax, and nothing is reused in a file with syntax
        // errors; undoing those edits keeps the file mostly valid, as it is while one types.
        if !parses {
            version += 1;
            edit(
                &mut document,
                version,
                from,
                inserted.chars().count(),
                &replaced,
            );
            // Half the undos are parsed and checked with the next edit, as one burst.
            if random.below(2) == 0 {
                check(&mut document, version);
            }
        }
    }
    checks_reusing
}

#[test]
fn incremental_checks_match_a_fresh_check() {
    let read = |path: &str| std::fs::read_to_string(root().join(path)).expect("fixture");
    let typescript = read("../../benches/data/orders_service.ts")
        + &read("../../fixtures/projects/nextjs-prisma-api/src/lib/mailer.ts");
    let python = read("../../benches/data/billing_tasks.py")
        + &read("../../fixtures/projects/fastapi-sqlalchemy/app/routers/users.py");
    let mut checks_reusing = 0;
    for seed in 1..=16 {
        checks_reusing += run(
            seed,
            "src/orders/service.ts",
            Grammar::TypeScript,
            &typescript,
            TS_FRAGMENTS,
        );
        checks_reusing += run(
            seed,
            "app/routers/billing.py",
            Grammar::Python,
            &python,
            PY_FRAGMENTS,
        );
    }
    // The property says nothing unless findings were in fact reused, in many of the checks
    // (about 1,500, half of them right after an edit that broke the syntax or its undoing).
    assert!(
        checks_reusing >= 200,
        "only {checks_reusing} checks reused findings"
    );
}
