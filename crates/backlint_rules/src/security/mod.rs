//! Security: what an attacker would look for.

pub mod error_details_leak;
pub mod hardcoded_secret;
pub mod sensitive_data_logged;
pub mod sql_injection;
pub mod unvalidated_input;
pub mod weak_password_hash;
