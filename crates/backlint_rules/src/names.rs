//! What names mean. One word-part matcher answers "does this identifier, key or keyword name a
//! secret?" for every rule that asks (hardcoded-secret, sensitive-data-logged,
//! weak-password-hash), so that they agree on `dbPassword`, `API_KEY` and `tokenType`.

use backlint_engine::names::word_parts;

/// Words that name a secret on their own: `password`, `dbPassword`, `GITHUB_TOKEN`.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "auth",
];

/// Words that make a secret out of a following `key`: `api_key`, `privateKey`, `SIGNING_KEY`.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "private",
    "secret",
    "signing",
    "encryption",
    "master",
    "client",
];

/// A name whose last word is one of these is about a secret, not the secret itself:
/// `passwordLabel`, `tokenType`, `PASSWORD_FIELD`, `secretName`, `tokenUrl`.
const LABEL_WORDS: &[&str] = &[
    "label",
    "type",
    "types",
    "field",
    "fields",
    "name",
    "names",
    "key",
    "keys",
    "id",
    "ids",
    "url",
    "urls",
    "uri",
    "endpoint",
    "path",
    "route",
    "header",
    "headers",
    "param",
    "params",
    "prefix",
    "suffix",
    "placeholder",
    "hint",
    "message",
    "msg",
    "error",
    "errors",
    "text",
    "title",
    "description",
    "length",
    "len",
    "count",
    "min",
    "max",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "at",
    "time",
    "timeout",
    "format",
    "pattern",
    "regex",
    "policy",
    "strength",
    "provider",
    "method",
    "mode",
    "scheme",
    "strategy",
    "version",
    "file",
    "path",
    "dir",
    "env",
    "var",
    "column",
    "input",
    "option",
    "options",
    "enabled",
    "required",
    "valid",
    "invalid",
    "changed",
    "reset",
    "mask",
    "class",
    "style",
    "icon",
    "event",
    "action",
    "status",
    "state",
    "kind",
    "source",
    "store",
    "storage",
    "location",
    "content",
    "contents",
    "payload",
    "claims",
    "data",
    "info",
    "details",
    "metadata",
    "meta",
];

/// Words that, anywhere in a name, say it holds something public or derived, never a secret:
/// `passwordHash`, `tokenChecksum`, `stripePublishableKey`, `nextToken` (a pagination cursor).
const NOT_SECRET_WORDS: &[&str] = &[
    "hash",
    "hashed",
    "encrypted",
    "digest",
    "checksum",
    "fingerprint",
    "public",
    "publishable",
    "salt",
    "next",
    "cursor",
    "page",
    "continuation",
    "csrf",
    "xsrf",
    "forgot",
    "reset",
    "confirm",
    "confirmation",
    "policy",
    "regex",
    "version",
    "without",
    "redacted",
    "masked",
    "sanitized",
    "safe",
];

/// Whether a name is written as a constant: `MAX_RETRIES`, `LANGUAGES`, `DB` (not `Url`,
/// not `X`).
pub fn is_constant_name(name: &str) -> bool {
    name.len() > 1
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// First words that make a name a flag or an action about a secret, not the secret:
/// `hasPassword`, `isTokenValid`, `refreshToken()`… (`refresh_token` the value is caught by
/// `token` being last only when the first word is not one of these).
const FLAG_OR_ACTION_WORDS: &[&str] = &[
    "has", "is", "should", "can", "was", "will", "needs", "require", "requires", "use", "uses",
    "show", "hide", "toggle", "validate", "verify", "check", "generate", "create", "revoke",
    "rotate", "on", "handle", "num", "with", "without", "no", "missing", "invalid", "valid",
    "expected",
];

/// Whether a name means sensitive data that must not be logged: a secret (see
/// [`means_secret`]), or personal data that is as bad in a log: `authorization`, `cookie`,
/// `creditCard`, `cardNumber`, `cvv`, `ssn`.
pub fn means_sensitive(name: &str) -> bool {
    if means_secret(name) {
        return true;
    }
    let parts = word_parts(name);
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    let excluded = parts
        .iter()
        .any(|part| NOT_SECRET_WORDS.contains(&part.as_str()))
        || FLAG_OR_ACTION_WORDS.contains(&first.as_str()) && parts.len() > 1
        || LABEL_WORDS.contains(&last.as_str());
    if excluded {
        return false;
    }
    let pairs = parts.windows(2).any(|pair| {
        matches!(
            (pair[0].as_str(), pair[1].as_str()),
            ("credit", "card") | ("card", "number") | ("social", "security")
        )
    });
    pairs
        || parts.iter().any(|part| {
            matches!(
                part.as_str(),
                "authorization" | "cookie" | "cookies" | "cvv" | "cvc" | "ssn"
            )
        })
}

/// Words that name a password on their own: `password`, `newPassword`, `DB_PASSWD`.
const PASSWORD_WORDS: &[&str] = &["password", "passwd", "pwd", "passphrase"];

/// Words before a last `pass` that make it a password (`userPass`, `db_pass`), where `pass`
/// alone could be a pass of a loop, a boarding pass or a verb.
const PASS_OWNERS: &[&str] = &[
    "user", "db", "admin", "new", "old", "current", "plain", "raw", "login", "account", "root",
    "my", "input", "given", "entered", "smtp", "mail", "email", "ftp", "sftp",
];

/// Words that, anywhere in a name with a password word, say it holds something about a
/// password, not a password: `passwordResetToken`, `passwordUpdatedAt`, `passwordHistory`.
const ABOUT_PASSWORD_WORDS: &[&str] = &[
    "token",
    "updated",
    "changed",
    "history",
    "expired",
    "attempts",
    "retries",
    "rules",
    "validator",
    "schema",
    "strength",
    "last",
    "set",
    "change",
];

/// Whether a name means a password in clear: `password`, `newPassword`, `raw_password`,
/// `userPass`, `passphrase`; not `passwordHash`, `hashedPassword`, `passwordResetToken`,
/// `passwordUpdatedAt`, `confirmPassword`, `hasPassword`, `passwordField`, `bypass`.
pub fn means_password(name: &str) -> bool {
    let parts = word_parts(name);
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    let names_one = parts
        .iter()
        .any(|part| PASSWORD_WORDS.contains(&part.as_str()))
        || last == "pass"
            && parts.len() >= 2
            && PASS_OWNERS.contains(&parts[parts.len() - 2].as_str());
    let about = parts.iter().any(|part| {
        NOT_SECRET_WORDS.contains(&part.as_str()) || ABOUT_PASSWORD_WORDS.contains(&part.as_str())
    }) || FLAG_OR_ACTION_WORDS.contains(&first.as_str()) && parts.len() > 1
        || LABEL_WORDS.contains(&last.as_str());
    names_one && !about
}

/// Whether a name means a secret value: `password`, `dbPassword`, `API_KEY`, `clientSecret`,
/// `auth_token`; not `passwordLabel`, `tokenType`, `passwordHash`, `apiKeyHeader`, `authUrl`.
pub fn means_secret(name: &str) -> bool {
    let parts = word_parts(name);
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if FLAG_OR_ACTION_WORDS.contains(&first.as_str()) && parts.len() > 1 {
        return false;
    }
    if parts
        .iter()
        .any(|part| NOT_SECRET_WORDS.contains(&part.as_str()))
    {
        return false;
    }
    let ends_with_qualified_key = last == "key"
        && parts.len() >= 2
        && KEY_QUALIFIERS.contains(&parts[parts.len() - 2].as_str());
    if ends_with_qualified_key {
        return true;
    }
    if LABEL_WORDS.contains(&last.as_str()) {
        return false;
    }
    // `auth` names a secret only as the last word (`basicAuth`); elsewhere it qualifies
    // something else (`authPayloadContext`, `authServer`).
    last == "auth"
        || parts
            .iter()
            .any(|part| part != "auth" && SECRET_WORDS.contains(&part.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "password",
            "dbPassword",
            "DB_PASSWORD",
            "passwd",
            "pwd",
            "secret",
            "clientSecret",
            "JWT_SECRET",
            "token",
            "authToken",
            "GITHUB_TOKEN",
            "api_key",
            "apiKey",
            "x-api-key",
            "privateKey",
            "AWS_SECRET_ACCESS_KEY",
            "accessKey",
            "credentials",
            "auth",
            "basicAuth",
            "signingKey",
            "apikey",
        ] {
            assert!(means_secret(name), "{name} means a secret");
        }
    }

    #[test]
    fn sensitive_names() {
        for name in [
            "password",
            "authorization",
            "Cookie",
            "creditCardNumber",
            "card_number",
            "cvv",
            "ssn",
            "user_ssn",
        ] {
            assert!(means_sensitive(name), "{name} is sensitive");
        }
        for name in [
            "cookieName",
            "hasCookie",
            "authorizationUrl",
            "cardType",
            "username",
            "email",
        ] {
            assert!(!means_sensitive(name), "{name} is not sensitive");
        }
    }

    #[test]
    fn password_names() {
        for name in [
            "password",
            "newPassword",
            "raw_password",
            "DB_PASSWD",
            "pwd",
            "passphrase",
            "userPass",
            "db_pass",
            "plainPassword",
        ] {
            assert!(means_password(name), "{name} means a password");
        }
        for name in [
            "passwordHash",
            "hashedPassword",
            "password_hash",
            "passwordResetToken",
            "passwordUpdatedAt",
            "confirmPassword",
            "hasPassword",
            "passwordField",
            "passwordMinLength",
            "pass",
            "bypass",
            "passes",
            "boardingPass",
            "encryptedPassword",
            "passwordSalt",
            "",
        ] {
            assert!(!means_password(name), "{name} does not mean a password");
        }
    }

    #[test]
    fn names_about_secrets_are_not_secrets() {
        for name in [
            "passwordLabel",
            "tokenType",
            "PASSWORD_FIELD",
            "secretName",
            "tokenUrl",
            "apiKeyHeader",
            "authUrl",
            "authProvider",
            "AuthPayloadContext",
            "passwordHash",
            "tokenChecksum",
            "stripePublishableKey",
            "nextToken",
            "passwordMinLength",
            "key",
            "monkey",
            "username",
            "tokenizer",
            "secretary",
            "author",
            "passwordResetUrl",
            "csrfToken",
            "hasPassword",
            "isTokenValid",
            "",
        ] {
            assert!(!means_secret(name), "{name} does not mean a secret");
        }
    }
}
