//! The caller's allowed actions (`allowed_actions` on every resource with a lifecycle, issue 22
//! item 4). Each action of an aggregate has one guard — a domain function answering 403 (the
//! role, the side) or 409 (the state) — that the action itself calls before it changes anything;
//! [`allowed`] runs the same guards over every action of the aggregate and keeps those that
//! pass, so that the list never disagrees with what the actions then answer.

use crate::{DomainError, DomainResult};

/// The actions among `all` whose `guard` passes for the caller, in the order of `all`. A refusal
/// (403, 404, 409, 412, 422) leaves the action out; any other failure (the store away, a broken
/// invariant) is returned.
pub fn allowed<A: Copy>(all: &[A], mut guard: impl FnMut(A) -> DomainResult<()>) -> DomainResult<Vec<A>> {
    let mut out = Vec::with_capacity(all.len());
    for &action in all {
        match guard(action) {
            Ok(()) => out.push(action),
            Err(
                DomainError::Forbidden(_)
                | DomainError::Conflict { .. }
                | DomainError::NotFound
                | DomainError::PreconditionFailed
                | DomainError::Validation(_),
            ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The wire names of actions, for the `allowed` list of a 409.
pub fn wire_names<A: Copy>(actions: &[A], name: fn(A) -> &'static str) -> Vec<String> {
    actions.iter().map(|a| name(*a).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Msg;

    #[test]
    fn refusals_leave_an_action_out_and_other_failures_are_returned() {
        let got = allowed(&[1, 2, 3, 4], |a| match a {
            1 => Ok(()),
            2 => Err(DomainError::Forbidden(Msg::new("нет", "no"))),
            3 => Err(DomainError::conflict("status", Msg::new("нет", "no"))),
            _ => Ok(()),
        })
        .unwrap();
        assert_eq!(got, vec![1, 4]);
        assert!(allowed(&[1], |_| Err(DomainError::Unavailable("away".into()))).is_err());
    }
}
