//! Types: what the type checker is told.

pub mod no_explicit_any;
