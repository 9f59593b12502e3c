//! PKCE (RFC 7636): a one-time secret that ties an authorization code to the app that
//! asked for it, so a stolen code is useless.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::core::error::{Error, Result};
use crate::core::secret::Secret;

/// A PKCE verifier and its S256 challenge.
///
/// Put the challenge in the authorization URL, keep the verifier (e.g. in the user's
/// session) and send it with the code exchange.
///
/// ```
/// let pkce = lark_runtime::Pkce::new()?;
/// assert_eq!(pkce.verifier().len(), 43);
/// assert_ne!(pkce.challenge(), pkce.verifier());
/// # Ok::<(), lark_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// A fresh verifier: 32 random bytes from the operating system, base64url-encoded.
    pub fn new() -> Result<Self> {
        let mut bytes = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).map_err(|_| {
            Error::Config("the operating system has no random numbers to make a PKCE verifier".to_owned())
        })?;
        Ok(Pkce::from_verifier(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Rebuilds the pair from a verifier kept earlier.
    pub fn from_verifier(verifier: impl Into<String>) -> Self {
        let verifier = verifier.into();
        let challenge = challenge(&verifier);
        Pkce { verifier: Secret::new(verifier), challenge }
    }

    /// The secret half, sent only with the code exchange.
    pub fn verifier(&self) -> &str {
        self.verifier.expose()
    }

    /// `BASE64URL(SHA256(verifier))`, sent in the authorization URL.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

/// The S256 challenge of a verifier.
pub(crate) fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()))
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce").field("verifier", &self.verifier).field("challenge", &self.challenge).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_matches_the_rfc_example() {
        // RFC 7636, appendix B.
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(pkce.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifiers_are_random_and_hidden_from_debug() {
        let a = Pkce::new().unwrap();
        let b = Pkce::new().unwrap();
        assert_ne!(a.verifier(), b.verifier());
        assert!(a.verifier().bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert!(!format!("{a:?}").contains(a.verifier()));
    }
}
