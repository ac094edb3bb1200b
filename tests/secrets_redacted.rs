//! No output format shows a secret that a finding is about: the credentials in a project are
//! reported in every format, and none of their values appears in what backlint writes.

mod common;

use std::fs;

use common::backlint;

/// Values that look like real credentials, each with a part found nowhere else (not in the
/// rules' documentation, which SARIF embeds), so that finding it in an output is a leak.
const SECRETS: &[&str] = &[
    "AKIAZQ7TWVXK4MBN2PLR",
    "ghp_Zq7TwVxK4mBn2PlRsYd8Fh3Jc6Ga9Ee1Uo5i",
    "sk_live_51Zq7TwVxK4mBn2PlRsYd8Fh3",
    "xoxb-8273645012-2941738125-Zq7TwVxK4mBn2PlRsYd8Fh3J",
    "sk-proj-Zq7TwVxK4mBn2PlRsYd8Fh3Jc6Ga9Ee1Uo5iQw2Er4Ty6Ui8Op",
    "Zq7TwVxK4mBn2PlR-db-password",
    "MIIEpQIBAAKCAQEAZq7TwVxK4mBn2PlRsYd8Fh3Jc6Ga9Ee1Uo5iQw2Er4Ty6Ui8",
    "correct-Zq7TwVxK-horse-battery",
];

const TYPESCRIPT: &str = r#"export const aws = { accessKeyId: "AKIAZQ7TWVXK4MBN2PLR" };
export const github = "ghp_Zq7TwVxK4mBn2PlRsYd8Fh3Jc6Ga9Ee1Uo5i";
export const stripe = "sk_live_51Zq7TwVxK4mBn2PlRsYd8Fh3";
export const slack = "xoxb-8273645012-2941738125-Zq7TwVxK4mBn2PlRsYd8Fh3J";
export const openai = "sk-proj-Zq7TwVxK4mBn2PlRsYd8Fh3Jc6Ga9Ee1Uo5iQw2Er4Ty6Ui8Op";
export const database = "postgres://app:Zq7TwVxK4mBn2PlR-db-password@db.internal:5432/orders";
export const key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpQIBAAKCAQEAZq7TwVxK4mBn2PlRsYd8Fh3Jc6Ga9Ee1Uo5iQw2Er4Ty6Ui8\n-----END RSA PRIVATE KEY-----";
"#;

const PYTHON: &str = r#"import logging

DB_PASSWORD = "correct-Zq7TwVxK-horse-battery"
GITHUB_TOKEN = "ghp_Zq7TwVxK4mBn2PlRsYd8Fh3Jc6Ga9Ee1Uo5i"

def connect(client):
    return client.login(password="correct-Zq7TwVxK-horse-battery")

def audit(password):
    logging.info("signing in with %s", password)
"#;

#[test]
fn no_format_shows_a_secret_value() {
    let directory = tempfile::tempdir().expect("temporary directory");
    fs::write(directory.path().join("secrets.ts"), TYPESCRIPT).expect("write");
    fs::write(directory.path().join("settings_local.py"), PYTHON).expect("write");
    let json = backlint(
        directory.path(),
        &["check", "--isolated", "--format", "json"],
    );
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let reported = document["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| {
            matches!(
                finding["rule"].as_str(),
                Some("hardcoded-secret" | "sensitive-data-logged")
            )
        })
        .count();
    assert!(
        reported >= SECRETS.len(),
        "only {reported} findings about secrets"
    );
    for format in ["human", "concise", "json", "sarif", "github", "junit"] {
        let output = backlint(
            directory.path(),
            &["check", "--isolated", "--format", format],
        );
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: the findings fail the run"
        );
        let written = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        for secret in SECRETS {
            assert!(
                !written.contains(secret),
                "{format} shows {secret}:\n{written}"
            );
        }
    }
}
