//! Rules about the cost of a request: queries per element, work that could be done once.

pub mod n_plus_one_query;
