//! Security: what an attacker would look for.

pub mod hardcoded_secret;
