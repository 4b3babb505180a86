use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

/// Hashes a password or client secret with argon2id (PHC string).
pub fn hash_secret(secret: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// An argon2id hash of a random secret nobody knows, made once per process with the same
/// parameters as real hashes: verified for unknown logins, so that their sign-in costs the same.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut secret = [0u8; 32];
        argon2::password_hash::rand_core::RngCore::fill_bytes(&mut OsRng, &mut secret);
        hash_secret(&hex::encode(secret)).unwrap_or_default()
    })
}

/// Checks a secret against a stored PHC string; a malformed hash never matches.
pub fn verify_secret(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_secret() {
        let h = hash_secret("correct horse").unwrap();
        assert!(verify_secret("correct horse", &h));
        assert!(!verify_secret("wrong", &h));
        assert!(!verify_secret("x", "not-a-hash"));
    }
}
