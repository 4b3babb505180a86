//! Merge-patch updates, one mechanism for every resource: the current state is written as its
//! `…Write` DTO, the RFC 7396 patch is applied, and the result is checked like a create.

use rsnms_domain::{DomainError, DomainResult};
use serde::{Serialize, de::DeserializeOwned};
use validator::Validate;

use crate::extract::{ValueChecks, from_value, merge_patch, validate};

/// Applies a merge patch to the current input of a resource.
pub fn apply_patch<W, I>(current: I, patch: &serde_json::Value) -> DomainResult<I>
where
    W: From<I> + Serialize + DeserializeOwned + Validate + ValueChecks,
    I: From<W>,
{
    let mut doc = serde_json::to_value(W::from(current)).map_err(|e| DomainError::internal_caused("serialising", e))?;
    merge_patch(&mut doc, patch);
    let merged: W = from_value(doc).map_err(|e| DomainError::Validation(e.errors))?;
    if let Err(e) = validate(&merged) {
        return Err(DomainError::Validation(e.errors));
    }
    Ok(I::from(merged))
}
