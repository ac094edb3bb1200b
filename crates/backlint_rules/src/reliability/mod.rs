//! Reliability: what keeps a service answering when what it depends on does not.

pub mod missing_request_timeout;
pub mod missing_transaction;
pub mod unawaited_route_params;
