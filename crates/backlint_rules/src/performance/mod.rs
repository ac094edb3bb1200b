//! Rules about the cost of a request: queries per element, work that could be done once.

pub mod blocking_call_in_async;
pub mod n_plus_one_query;
pub mod unbounded_query;
