//! backlint's rules: one module per rule, named after its id, grouped by concern. Each module
//! exports a `SPEC` (id, docs from `rules/<id>.toml`, constructor); [`registry`] lists them all.

mod config;
mod errors;
mod maintainability;
mod names;
mod paths;
mod performance;
mod project;
mod reliability;
mod routes;
mod secret_formats;
mod security;
mod settings;
mod suppressions;
mod syntax;
mod text;
mod typing;

use std::sync::OnceLock;

use backlint_engine::rule::RuleSpec;
use backlint_engine::settings::Registry;

fn specs() -> Vec<RuleSpec> {
    vec![
        config::module_level_env::SPEC,
        errors::bare_except::SPEC,
        errors::broad_except::SPEC,
        errors::swallowed_error::SPEC,
        maintainability::hardcoded_model_name::SPEC,
        maintainability::todo_comment::SPEC,
        performance::blocking_call_in_async::SPEC,
        performance::n_plus_one_query::SPEC,
        performance::unbounded_query::SPEC,
        reliability::missing_request_timeout::SPEC,
        reliability::missing_transaction::SPEC,
        reliability::unawaited_route_params::SPEC,
        security::command_injection::SPEC,
        security::debug_enabled::SPEC,
        security::error_details_leak::SPEC,
        security::hardcoded_secret::SPEC,
        security::insecure_deserialization::SPEC,
        security::insecure_jwt::SPEC,
        security::missing_auth_check::SPEC,
        security::missing_rate_limit::SPEC,
        security::permissive_cors::SPEC,
        security::sensitive_data_logged::SPEC,
        security::sql_injection::SPEC,
        security::tls_verification_disabled::SPEC,
        security::unvalidated_input::SPEC,
        security::unverified_webhook::SPEC,
        security::weak_password_hash::SPEC,
        suppressions::suppression_comment::SPEC,
        suppressions::unused_suppression::SPEC,
        typing::missing_type_hints::SPEC,
        typing::no_explicit_any::SPEC,
    ]
}

/// Every rule backlint has, with its parsed documentation.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::new(specs()).unwrap_or_else(|error| {
            // The docs are compiled in and parsed by this crate's tests: this cannot happen in
            // a released binary.
            panic!("embedded rule documentation is invalid: {error}")
        })
    })
}
