//! backlint's language server.

pub mod document;
