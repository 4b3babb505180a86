//! `/api/v1/network-requests/{id}/attachments`: files attached to a request or its reply
//! (вложения), stored for real: upload, list, download (ranges), delete.

mod delete;
mod download;
pub(crate) mod dto;
mod list;
mod upload;

use rsnms_domain::attachments::Deps;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::AppState;

/// Registers the attachment routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(upload::upload_network_request_attachment)
        .service(list::list_network_request_attachments)
        .service(download::download_network_request_attachment)
        .service(delete::delete_network_request_attachment);
}

/// The repositories and limits the attachment actions take.
pub(crate) fn deps(state: &AppState) -> Deps<'_> {
    Deps {
        requests: state.network_requests.as_ref(),
        orgs: state.organizations.as_ref(),
        attachments: state.attachments.as_ref(),
        blobs: state.blobs.as_ref(),
        audit: state.audit.as_ref(),
        limits: state.attachment_limits,
    }
}
