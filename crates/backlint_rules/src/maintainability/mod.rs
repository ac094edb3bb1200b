//! Maintainability: what makes code harder to change later.

pub mod todo_comment;
