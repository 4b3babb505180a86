//! Exchange with other systems (issue 6): bulk imports through the domain's own actions, the
//! change feed built on the outbox, and signed webhooks that push the same events.
//!
//! One mechanism for every resource: a dataset of an import is a parser plus calls of the
//! resource's actions; the feed and the webhooks publish the one outbox in one format.

pub mod exports;
pub mod feed;
pub mod imports;
pub mod jobs;
pub mod webhooks;

pub use feed::{ChangeEvent, ChangeFeed, ChangeQuery};
pub use imports::{
    Applied, IMPORTERS, IdScheme, ImportError, ImportMode, ImportOptions, ImportSummary, LineResult, MAX_LINE_RESULTS,
    Outcome, RefSchemes, Unit, UnitOfWork, authorize_import,
};
pub use jobs::{ImportJob, ImportJobAction, ImportJobRepository, ImportJobStatus, ImportProgress};
pub use webhooks::{
    Delivery, DeliveryStatus, NewSubscription, Subscription, WebhookAction, WebhookRepository, create_subscription,
    delete_subscription, enable_subscription, get_subscription, list_deliveries, list_subscriptions,
};
