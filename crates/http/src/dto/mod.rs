//! The write and read shapes of the resources that the import service loads as well as the
//! routes serve: here, below both, so that the import datasets parse records with the API's own
//! `…Write` DTOs without depending on the routes (and the routes on nothing of the imports).

pub mod agreements;
pub mod events;
pub mod internship_sites;
pub mod mentoring_pairs;
pub mod network_requests;
pub mod organizations;
pub mod personal_data;
pub mod persons;
pub mod programs;

/// A domain limit (`usize`) as `#[validate(length(max = limit(…)))]` takes it (a `u64`), so that
/// the DTO names the domain's constant; its `#[schema]` repeats the number, as utoipa needs a
/// literal (`tests/api/openapi.rs` compares the two).
pub const fn limit(max: usize) -> u64 {
    max as u64
}
