//! Authentication: bearer JWTs (HS256 only, `exp`, `iat`, `iss`, `aud` required), argon2
//! password hashes, the per-request account check, and the extractor that turns a token into
//! the acting [`Ctx`].

mod extractor;
mod jwt;
mod password;
mod standing;

pub use extractor::{Auth, RequestId, bearer, session_of};
pub use jwt::{Binding, Claims, TokenIssuer, TokenSettings, Verified};
pub use password::{dummy_hash, hash_secret, verify_secret};
pub use standing::{Refusal, Standings};
