//! Authentication: bearer JWTs (this API's HS256 tokens with `exp`, `iat`, `iss`, `aud` required,
//! and access tokens of trusted OpenID Connect providers), argon2
//! password hashes, the per-request account check, and the extractor that turns a token into
//! the acting [`Ctx`].

mod extractor;
mod jwt;
mod oidc;
mod password;
mod standing;

pub use extractor::{Auth, RequestId, bearer, session_of};
pub use jwt::{Binding, Claims, ExternalSubject, TokenIssuer, TokenSettings, Verified};
pub use oidc::{OidcRefusal, OidcSettings, ProviderSettings, Providers};
pub use password::{dummy_hash, hash_secret, verify_secret};
pub use standing::{Refusal, Standings};
