//! The credential formats hardcoded-secret knows, in one table: each provider's token shape,
//! with a realistic fake example that the tests check the pattern against.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};

pub struct SecretFormat {
    /// What the message calls it: "Stripe secret key".
    pub name: &'static str,
    pattern: &'static str,
    /// Whether a match is only a finding when the name around it means a secret (Twilio's
    /// `AC…` account ids look like any hex string).
    pub needs_secret_name: bool,
    /// Whether the format is a test-mode credential, reported as a note (`sk_test_`).
    pub test_mode: bool,
    /// A fake token of this format, for the tests.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "read by the tests, which check every pattern against it"
        )
    )]
    pub example: &'static str,
}

pub const SECRET_FORMATS: &[SecretFormat] = &[
    SecretFormat { name: "AWS access key id", pattern: r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", needs_secret_name: false, test_mode: false, example: "AKIAQ3EGRZP7YK2LMN4X" },
    SecretFormat { name: "GitHub token", pattern: r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b", needs_secret_name: false, test_mode: false, example: "ghp_8fK2mQ9xLr4TzW1vB7nC3dE6gH0jS5aY2uPq" },
    SecretFormat { name: "GitHub fine-grained token", pattern: r"\bgithub_pat_[A-Za-z0-9_]{50,255}\b", needs_secret_name: false, test_mode: false, example: "github_pat_11ABCDEFG0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ01234" },
    SecretFormat { name: "GitLab token", pattern: r"\bglpat-[A-Za-z0-9_\-]{20,}", needs_secret_name: false, test_mode: false, example: "glpat-Xk8vR2mQ9tLw4ZbN7pYc" },
    SecretFormat { name: "Slack token", pattern: r"\bxox[abprs]-[0-9]{6,}-[A-Za-z0-9-]{10,}", needs_secret_name: false, test_mode: false, example: "xoxb-2941738125-5918273645012-Zk8vR2mQ9tLw4ZbN7pYcXa3D" },
    SecretFormat { name: "Stripe secret key", pattern: r"\b[rs]k_live_[A-Za-z0-9]{20,}", needs_secret_name: false, test_mode: false, example: "sk_live_51HxQ2kLm9Pz8RtV4wYb3NcD7" },
    SecretFormat { name: "Stripe test key", pattern: r"\b[rs]k_test_[A-Za-z0-9]{20,}", needs_secret_name: false, test_mode: true, example: "sk_test_51HxQ2kLm9Pz8RtV4wYb3NcD7" },
    SecretFormat { name: "Google API key", pattern: r"\bAIza[0-9A-Za-z_\-]{35}", needs_secret_name: false, test_mode: false, example: "AIzaSyD8kQ2mLx9Rv4Tz7Wb1Nc3Pd6Gh0Jk5Ym8" },
    SecretFormat { name: "Anthropic API key", pattern: r"\bsk-ant-[A-Za-z0-9_\-]{32,}", needs_secret_name: false, test_mode: false, example: "sk-ant-api03-Xk8vR2mQ9tLw4ZbN7pYcXa3DqE5fG1hJ6kL0mN2oP4rS" },
    SecretFormat { name: "OpenAI API key", pattern: r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{32,}", needs_secret_name: false, test_mode: false, example: "sk-proj-Xk8vR2mQ9tLw4ZbN7pYcXa3DqE5fG1hJ6kL0mN2oP4rS" },
    SecretFormat { name: "SendGrid API key", pattern: r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b", needs_secret_name: false, test_mode: false, example: "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" },
    SecretFormat { name: "Twilio API key", pattern: r"\b(?:SK|AC)[0-9a-f]{32}\b", needs_secret_name: true, test_mode: false, example: "SK8f2a9c4e1b7d3f6a0c5e9b2d4f8a1c3e" },
    SecretFormat { name: "npm token", pattern: r"\bnpm_[A-Za-z0-9]{36}\b", needs_secret_name: false, test_mode: false, example: "npm_Xk8vR2mQ9tLw4ZbN7pYcXa3DqE5fG1hJ6kL0" },
    SecretFormat { name: "PyPI token", pattern: r"\bpypi-AgE[A-Za-z0-9_\-]{50,}", needs_secret_name: false, test_mode: false, example: "pypi-AgEIcHlwaS5vcmcCJDk4ZjJhOWM0LWUxYjctNGQzZi02YTBjLTVlOWIyZDRmOGExYwACKlszLCJlNTk" },
    SecretFormat { name: "private key", pattern: r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|\s)+(?:[A-Za-z0-9_-]+: [^\n]*(?:\\[rn]|\s)+)*[A-Za-z0-9+/=]{40}", needs_secret_name: false, test_mode: false, example: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7Xk8vR2mQ9tLw4ZbN7pYcXa3DqE5fG1hJ6kL0mN2oP4rS\n-----END RSA PRIVATE KEY-----" },
    SecretFormat { name: "JSON Web Token", pattern: r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}", needs_secret_name: false, test_mode: false, example: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.Xk8vR2mQ9tLw4ZbN7pYcXa3DqE5fG1hJ6kL0mN2oP4r" },
    SecretFormat { name: "connection string with a password", pattern: r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?)://[^:/\s@]*:(?P<password>[^@\s/]+)@(?P<host>[^:/\s?@]*)", needs_secret_name: false, test_mode: false, example: "postgres://app:Xk8vR2mQ9tLw4Zb@db.internal:5432/orders" },
];

/// Passwords in connection strings that are defaults or placeholders, not secrets.
const PLACEHOLDER_PASSWORDS: &[&str] = &[
    "password", "pass", "passwd", "postgres", "root", "admin", "secret", "example", "changeme",
    "test", "user", "guest", "mysql", "redis", "mongo", "xxx", "xxxx", "****", "***", "dbpass",
];

/// A credential found in a string: which format, and where in the string it starts.
pub struct SecretMatch {
    pub format: &'static SecretFormat,
    pub start: usize,
}

/// The patterns, compiled once: a set that tells in one pass over a string which formats
/// match, and each pattern alone, for the few strings the set matches.
struct Compiled {
    set: RegexSet,
    each: Vec<Regex>,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    // The patterns are constants, checked by this module's tests.
    COMPILED.get_or_init(|| Compiled {
        // The set only tells which formats to try, and every `\b` of a pattern sits beside an
        // ASCII letter, so ASCII word boundaries find all that Unicode ones would (and maybe
        // more, which the format's own regex then rejects). With Unicode ones, the set runs
        // on the slowest engine: a quarter of a whole check went there.
        set: RegexSet::new(
            SECRET_FORMATS
                .iter()
                .map(|format| format.pattern.replace(r"\b", r"(?-u:\b)")),
        )
        .unwrap_or_else(|error| panic!("secret formats: {error}")),
        each: SECRET_FORMATS
            .iter()
            .map(|format| {
                Regex::new(format.pattern)
                    .unwrap_or_else(|error| panic!("{}: {error}", format.name))
            })
            .collect(),
    })
}

/// The first credential format that `text` holds, if any.
pub fn find_secret(text: &str) -> Option<SecretMatch> {
    // No format is shorter than this; most strings in code are.
    if text.len() < 16 {
        return None;
    }
    let compiled = compiled();
    for index in compiled.set.matches(text).iter() {
        let (format, regex) = (&SECRET_FORMATS[index], &compiled.each[index]);
        let Some(captures) = regex.captures(text) else {
            continue;
        };
        if let Some(password) = captures.name("password") {
            let host = captures.name("host").map_or("", |host| host.as_str());
            if is_placeholder_password(password.as_str()) || is_example_host(host) {
                continue;
            }
        }
        let whole = captures.get(0)?;
        // Documentation samples say so: AWS's `AKIAIOSFODNN7EXAMPLE`, `sk_test_example…`.
        if whole.as_str().to_lowercase().contains("example") {
            continue;
        }
        return Some(SecretMatch {
            format,
            start: whole.start(),
        });
    }
    None
}

/// Hosts of documentation and local development, where an inline password is a sample.
fn is_example_host(host: &str) -> bool {
    let host = host.to_lowercase();
    matches!(
        host.as_str(),
        "localhost" | "127.0.0.1" | "0.0.0.0" | "::1" | "host" | "hostname"
    ) || host.starts_with("example.")
        || host.ends_with(".example")
        || host.ends_with(".example.com")
        || host.ends_with(".example.org")
        || host.ends_with(".test")
        || host.ends_with(".local")
        || host.ends_with(".localhost")
}

fn is_placeholder_password(password: &str) -> bool {
    let lowered = password.to_lowercase();
    PLACEHOLDER_PASSWORDS.contains(&lowered.as_str())
        || lowered.contains("passw")
        || lowered.starts_with('$')
        || lowered.starts_with('<')
        || lowered.starts_with('{')
        || lowered.starts_with('%')
        || lowered.contains("your")
        || lowered
            .chars()
            .all(|character| character == lowered.chars().next().unwrap_or('x'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_matches_its_own_format() {
        for format in SECRET_FORMATS {
            let found = find_secret(format.example)
                .unwrap_or_else(|| panic!("{}: example not found", format.name));
            assert_eq!(
                found.format.name, format.name,
                "the example of {} matched another format",
                format.name
            );
        }
    }

    #[test]
    fn placeholders_and_plain_text_are_not_secrets() {
        for text in [
            "postgres://postgres:postgres@localhost:5432/app",
            "postgres://user:${DB_PASSWORD}@localhost/app",
            "mongodb://<user>:<password>@cluster0.mongodb.net",
            "redis://:password@localhost:6379",
            "rediss://user:p%40ss%2Fword@redis.example:6379",
            "postgres://app:Xk8vR2mQ9tLw4Zb@localhost:5432/orders",
            "-----BEGIN RSA PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----\\n[private-key-content]\\n-----END RSA PRIVATE KEY-----",
            "sk-this-is-not-a-key",
            "AKIAIOSFODNN7EXAMPLE",
            "postgres://powersync_storage:powersync_password@db:5432/wger",
            "pk_live_51HxQ2kLm9Pz8RtV4wYb3NcD7",
            "https://api.github.com/repos/owner/name",
            "Your password must be at least 8 characters",
        ] {
            assert!(find_secret(text).is_none(), "{text} is not a secret");
        }
    }
}
