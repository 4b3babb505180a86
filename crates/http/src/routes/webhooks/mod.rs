//! `/api/v1/webhooks`: subscriptions to change events, delivered signed by a background worker.

mod create;
mod delete;
mod deliveries;
mod dto;
mod enable;
mod get;
mod list;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{DeliveryView, WebhookView, WebhookWrite};

/// Registers the webhook routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_webhooks)
        .service(create::create_webhook)
        .service(get::get_webhook)
        .service(delete::delete_webhook)
        .service(enable::enable_webhook)
        .service(deliveries::list_webhook_deliveries);
}
