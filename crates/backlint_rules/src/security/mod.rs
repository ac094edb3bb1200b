//! Security: what an attacker would look for.

pub mod command_injection;
pub mod debug_enabled;
pub mod error_details_leak;
pub mod hardcoded_secret;
pub mod insecure_deserialization;
pub mod insecure_jwt;
pub mod missing_auth_check;
pub mod missing_rate_limit;
pub mod permissive_cors;
pub mod sensitive_data_logged;
pub mod sql_injection;
pub mod tls_verification_disabled;
pub mod unvalidated_input;
pub mod unverified_webhook;
pub mod weak_password_hash;
