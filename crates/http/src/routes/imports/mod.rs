//! `/api/v1/imports/{dataset}`: bulk loading by curl — streamed NDJSON or CSV through the
//! resources' own actions, all-or-nothing or keeping good lines, idempotent, with a summary.
//! The handler reads the request and answers; the import itself is the import service's
//! (`crate::imports`).

mod create;
mod dto;

use utoipa_actix_web::service_config::ServiceConfig;

use crate::imports::datasets;

pub use create::rejection;
pub use dto::{ImportErrorView, ImportSummaryView};

/// Default largest import body: 1 GiB.
pub const DEFAULT_IMPORT_MAX_BYTES: u64 = 1024 * 1024 * 1024;

/// The configured largest import body in bytes (`RSNMS_IMPORT_MAX_BYTES`).
#[derive(Debug, Clone, Copy)]
pub struct ImportLimit(pub u64);

/// Completes the published spec from [`datasets::DATASETS`], so that no list is kept by hand:
/// the `{dataset}` parameter of `POST /imports/{dataset}` gets the names as its `enum`, and its
/// description names each dataset with its `id_scheme` values (the first is the default).
pub fn document_datasets(doc: &mut serde_json::Value) {
    let Some(params) =
        doc.pointer_mut("/paths/~1api~1v1~1imports~1{dataset}/post/parameters").and_then(|p| p.as_array_mut())
    else {
        return;
    };
    let Some(param) = params.iter_mut().find(|p| p["name"] == "dataset" && p["in"] == "path") else { return };
    let described: Vec<String> = datasets::DATASETS
        .iter()
        .map(|d| format!("`{}` (id_scheme: {})", d.name(), d.id_schemes().join(", ")))
        .collect();
    param["description"] = serde_json::Value::String(format!(
        "The dataset: {}. The first id_scheme of each is its default.",
        described.join("; ")
    ));
    param["schema"] = serde_json::json!({
        "type": "string",
        "enum": datasets::DATASETS.iter().map(|d| d.name()).collect::<Vec<_>>(),
    });
}

/// Registers the import routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create::create_import);
}
