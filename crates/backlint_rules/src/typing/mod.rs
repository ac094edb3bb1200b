//! Types: what the type checker is told.

pub mod missing_type_hints;
pub mod no_explicit_any;
