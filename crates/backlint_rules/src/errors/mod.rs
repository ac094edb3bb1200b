//! Error handling: how exceptions are caught.

pub mod bare_except;
