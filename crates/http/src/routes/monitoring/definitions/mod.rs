//! `/api/v1/monitoring/definitions`: the built-in indicator definitions and the region's own.

pub(super) mod create;
pub(super) mod get;
pub(super) mod list;
pub(super) mod retire;
pub(super) mod update;
