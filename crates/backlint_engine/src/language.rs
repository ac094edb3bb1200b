//! Which grammar parses a file, and which language its users and the rule docs call it.

use std::path::Path;

/// The language a rule is written for, as users and `rules/<id>.toml` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    TypeScript,
    JavaScript,
    Python,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::TypeScript, Language::JavaScript, Language::Python];

    pub fn name(self) -> &'static str {
        match self {
            Language::TypeScript => "typescript",
            Language::JavaScript => "javascript",
            Language::Python => "python",
        }
    }

    pub fn from_name(name: &str) -> Option<Language> {
        Language::ALL
            .into_iter()
            .find(|language| language.name() == name)
    }
}

/// The tree-sitter grammar that parses a file. TSX needs its own grammar (JSX and type
/// assertions `<T>x` conflict), while JSX parses with the JavaScript grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grammar {
    TypeScript,
    Tsx,
    JavaScript,
    Python,
}

impl Grammar {
    pub const ALL: [Grammar; 4] = [
        Grammar::TypeScript,
        Grammar::Tsx,
        Grammar::JavaScript,
        Grammar::Python,
    ];

    /// The grammar for a path, by its extension; `None` for files backlint does not check.
    pub fn from_path(path: &Path) -> Option<Grammar> {
        let extension = path.extension()?.to_str()?;
        match extension {
            "ts" | "mts" | "cts" => Some(Grammar::TypeScript),
            "tsx" => Some(Grammar::Tsx),
            "js" | "mjs" | "cjs" | "jsx" => Some(Grammar::JavaScript),
            "py" | "pyi" => Some(Grammar::Python),
            _ => None,
        }
    }

    pub fn language(self) -> Language {
        match self {
            Grammar::TypeScript | Grammar::Tsx => Language::TypeScript,
            Grammar::JavaScript => Language::JavaScript,
            Grammar::Python => Language::Python,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the grammar has a node kind of that name (named, or an anonymous token).
    pub fn has_kind(self, kind: &str) -> bool {
        let language = self.tree_sitter_language();
        (0..language.node_kind_count() as u16).any(|id| language.node_kind_for_id(id) == Some(kind))
    }

    pub fn tree_sitter_language(self) -> tree_sitter::Language {
        match self {
            Grammar::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Grammar::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Grammar::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Grammar::Python => tree_sitter_python::LANGUAGE.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_map_to_grammars() {
        let cases = [
            ("a.ts", Some(Grammar::TypeScript)),
            ("a.d.ts", Some(Grammar::TypeScript)),
            ("a.mts", Some(Grammar::TypeScript)),
            ("a.cts", Some(Grammar::TypeScript)),
            ("a.tsx", Some(Grammar::Tsx)),
            ("a.js", Some(Grammar::JavaScript)),
            ("a.mjs", Some(Grammar::JavaScript)),
            ("a.cjs", Some(Grammar::JavaScript)),
            ("a.jsx", Some(Grammar::JavaScript)),
            ("a.py", Some(Grammar::Python)),
            ("a.pyi", Some(Grammar::Python)),
            ("a.rs", None),
            ("Makefile", None),
        ];
        for (path, expected) in cases {
            assert_eq!(Grammar::from_path(Path::new(path)), expected, "{path}");
        }
    }
}
