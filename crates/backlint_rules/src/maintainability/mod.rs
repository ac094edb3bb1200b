//! Maintainability: what makes code harder to change later.

pub mod hardcoded_model_name;
pub mod todo_comment;
