//! Configuration: how code reads its environment.

pub mod module_level_env;
