//! Authentication: bearer JWTs (HS256 only, `exp`, `iat`, `iss`, `aud` required), argon2
//! password hashes, and the extractor that turns a token into the acting [`Ctx`].

mod extractor;
mod jwt;
mod password;

pub use extractor::{Auth, RequestId};
pub use jwt::{Claims, TokenIssuer, TokenSettings};
pub use password::{hash_secret, verify_secret};
