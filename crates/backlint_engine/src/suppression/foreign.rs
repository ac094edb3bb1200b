//! Which other linters' rules mean the same as a backlint rule, so that their suppression
//! comments, each a decision a reviewer already made, are honoured. This table is the one place
//! that knows; `backlint explain` shows a rule's row.

/// A backlint rule and the names other tools give the same check.
#[derive(Debug, Clone, Copy)]
pub struct Equivalent {
    pub rule: &'static str,
    /// ESLint and oxlint rule names (`eslint-disable…`, `oxlint-disable…`).
    pub eslint: &'static [&'static str],
    /// Biome rule categories (`biome-ignore lint/<group>/<rule>`).
    pub biome: &'static [&'static str],
    /// Ruff and flake8 codes (`# noqa: CODE`).
    pub noqa: &'static [&'static str],
    /// Bandit test ids (`# nosec BXXX`).
    pub nosec: &'static [&'static str],
    /// detect-secrets (`pragma: allowlist secret`) and gitleaks (`gitleaks:allow`) pragmas.
    pub secret_pragmas: bool,
}

const NONE: Equivalent = Equivalent {
    rule: "",
    eslint: &[],
    biome: &[],
    noqa: &[],
    nosec: &[],
    secret_pragmas: false,
};

/// The rules with an equivalent elsewhere. Rules not listed are suppressed only by
/// `backlint-ignore` comments.
pub const EQUIVALENTS: &[Equivalent] = &[
    Equivalent {
        rule: "bare-except",
        // pycodestyle's E722 and flake8-bugbear's B001 both flag `except:`.
        noqa: &["E722", "B001"],
        ..NONE
    },
    Equivalent {
        rule: "broad-except",
        // flake8-blind-except's BLE001, and pylint's W0718 under its flake8-style code.
        noqa: &["BLE001", "W0718"],
        ..NONE
    },
    Equivalent {
        rule: "command-injection",
        eslint: &["security/detect-child-process"],
        // S602/B602: `subprocess` with `shell=True`; S605/B605: `os.system`, `os.popen` and
        // the other calls that always start a shell.
        noqa: &["S602", "S605"],
        nosec: &["B602", "B605"],
        ..NONE
    },
    Equivalent {
        rule: "debug-enabled",
        // Ruff's S201 and Bandit's B201 flag Flask's `app.run(debug=True)`, one of this
        // rule's patterns; neither names any other line this rule reports.
        noqa: &["S201"],
        nosec: &["B201"],
        ..NONE
    },
    Equivalent {
        rule: "hardcoded-secret",
        eslint: &["no-secrets/no-secrets"],
        biome: &["lint/security/noSecrets", "lint/nursery/noSecrets"],
        noqa: &["S105", "S106", "S107"],
        nosec: &["B105", "B106", "B107"],
        secret_pragmas: true,
    },
    Equivalent {
        rule: "insecure-deserialization",
        eslint: &[
            "no-eval",
            "no-new-func",
            "security/detect-eval-with-expression",
        ],
        // pickle, marshal, `yaml.load`, `eval`, `exec`.
        noqa: &["S301", "S302", "S506", "S307", "S102"],
        nosec: &["B301", "B302", "B506", "B307", "B102"],
        ..NONE
    },
    Equivalent {
        rule: "missing-request-timeout",
        noqa: &["S113"],
        nosec: &["B113"],
        ..NONE
    },
    Equivalent {
        rule: "missing-type-hints",
        noqa: &["ANN001", "ANN201", "ANN205", "ANN206"],
        ..NONE
    },
    Equivalent {
        rule: "module-level-env",
        eslint: &["n/no-process-env", "node/no-process-env", "no-process-env"],
        ..NONE
    },
    Equivalent {
        rule: "no-explicit-any",
        eslint: &[
            "@typescript-eslint/no-explicit-any",
            "typescript-eslint/no-explicit-any",
            "typescript/no-explicit-any",
            "no-explicit-any",
        ],
        biome: &["lint/suspicious/noExplicitAny"],
        ..NONE
    },
    Equivalent {
        rule: "sql-injection",
        noqa: &["S608"],
        nosec: &["B608"],
        ..NONE
    },
    Equivalent {
        rule: "swallowed-error",
        eslint: &["no-empty"],
        // S110/B110: `try`-`except`-`pass`.
        noqa: &["S110"],
        nosec: &["B110"],
        ..NONE
    },
    Equivalent {
        rule: "tls-verification-disabled",
        // S501/B501: requests and httpx with `verify=False`; S323/B323:
        // `ssl._create_unverified_context`.
        noqa: &["S501", "S323"],
        nosec: &["B501", "B323"],
        ..NONE
    },
    Equivalent {
        rule: "todo-comment",
        eslint: &["no-warning-comments"],
        // flake8-fixme: FIX001 `FIXME`, FIX002 `TODO`, FIX003 `XXX`, FIX004 `HACK`.
        noqa: &["FIX001", "FIX002", "FIX003", "FIX004"],
        ..NONE
    },
    Equivalent {
        rule: "weak-password-hash",
        // Ruff's S324 and Bandit's B324/B303 report every MD5 or SHA-1 digest; on a line
        // where a password goes into one, silencing them was the same decision.
        noqa: &["S324"],
        nosec: &["B324", "B303"],
        ..NONE
    },
];

pub fn equivalent(rule: &str) -> Option<&'static Equivalent> {
    EQUIVALENTS
        .iter()
        .find(|equivalent| equivalent.rule == rule)
}
