//! Generated projects for the end-to-end tests that need many files: the same seed gives the
//! same files, byte for byte.

use std::fs;
use std::path::{Path, PathBuf};

/// A small deterministic generator (a linear congruential one): the tests need variety that
/// repeats, not randomness.
pub struct Sequence(u64);

impl Sequence {
    pub fn new(seed: u64) -> Sequence {
        Sequence(seed)
    }

    pub fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Statements that rules report, or that look like what they report and must not be.
const PYTHON_PARTS: &[&str] = &[
    "def handler(request):\n    try:\n        work()\n    except:\n        pass\n",
    "import requests\n\ndef fetch(url):\n    return requests.get(url)\n",
    "API_KEY = \"sk_live_51Hx9fPq2LmNoPqRsTuVwXyZ0123456789abcdef\"\n",
    "def query(cursor, name):\n    cursor.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n",
    "import os\n\ndef run(name):\n    os.system(f\"convert {name}\")\n",
    "import pickle\n\ndef load(data):\n    return pickle.loads(data)\n",
    "def add(a, b):\n    return a + b\n",
    "def safe(a: int, b: int) -> int:\n    return a * b\n",
    "# TODO: remove this\nVALUE = 1\n",
    "try:\n    import ujson as json\nexcept ImportError:\n    import json\n",
    "def main() -> None:\n    try:\n        run()  # backlint-ignore bare-except: tested\n    except Exception:\n        raise\n",
];

const TYPESCRIPT_PARTS: &[&str] = &[
    "export function parse(input: any) {\n  return input;\n}\n",
    "const url = process.env.API_URL;\nexport { url };\n",
    "export async function load() {\n  try {\n    await work();\n  } catch (error) {}\n}\n",
    "export const token = \"ghp_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5\";\n",
    "export function run(value: string) {\n  return eval(value);\n}\n",
    "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
    "// eslint-disable-next-line @typescript-eslint/no-explicit-any\nexport type Loose = any;\n",
    "import { exec } from \"child_process\";\nexport const go = (name: string) => exec(`ls ${name}`);\n",
];

/// Writes `count` Python, TypeScript and JavaScript files under `root`, in nested folders, some
/// with the same text as others; returns their paths relative to `root`.
pub fn write_project(root: &Path, count: usize, seed: u64) -> Vec<PathBuf> {
    let mut sequence = Sequence::new(seed);
    let folders = [
        "app",
        "app/api",
        "src",
        "src/routes",
        "src/lib/deep",
        "services",
        "tests",
    ];
    let mut written = Vec::new();
    for index in 0..count {
        let folder = folders[sequence.below(folders.len())];
        let (extension, parts) = match sequence.below(3) {
            0 => ("py", PYTHON_PARTS),
            1 => ("ts", TYPESCRIPT_PARTS),
            _ => ("js", &TYPESCRIPT_PARTS[1..4]),
        };
        let text: String = if index % 50 == 49 {
            // Every fiftieth file repeats one text, so that fingerprints count occurrences.
            parts[0].repeat(3)
        } else {
            (0..1 + sequence.below(5))
                .map(|_| sequence.pick(parts))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let relative = PathBuf::from(folder).join(format!("module_{index:04}.{extension}"));
        let path = root.join(&relative);
        fs::create_dir_all(path.parent().expect("a folder")).expect("create the folder");
        fs::write(&path, text).expect("write the file");
        written.push(relative);
    }
    written
}
