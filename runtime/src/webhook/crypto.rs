//! AES-256-CBC of encrypted pushes (`{"encrypt": "<base64>"}`), strict about every byte.
//!
//! The key is SHA-256 of the encrypt key's UTF-8 bytes; the base64 text is the standard
//! alphabet with padding; its first 16 bytes are the IV, the rest whole AES blocks
//! ending in PKCS#7 padding. Anything else is refused: accepting junk characters, the
//! URL-safe alphabet or sloppy padding only widens what an attacker can probe.

use std::fmt;

use aes::Aes256;
use base64_simd::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

use super::Rejection;
use crate::core::secret::Secret;

const BLOCK: usize = 16;

/// An app's encrypt key, from the developer console's "Events & Callbacks > Encryption
/// strategy" page, ready to decrypt pushes. `Debug` never shows it.
#[derive(Clone)]
pub struct EncryptKey {
    /// Signatures hash the key as typed, so it is kept next to the derived AES key.
    raw: Secret,
    aes: [u8; 32],
}

impl EncryptKey {
    /// Derives the AES-256 key (SHA-256 of the text).
    pub fn new(key: impl Into<String>) -> Self {
        let raw = key.into();
        let digest = ring::digest::digest(&ring::digest::SHA256, raw.as_bytes());
        let mut aes = [0u8; 32];
        aes.copy_from_slice(digest.as_ref());
        EncryptKey { raw: Secret::new(raw), aes }
    }

    /// The key as typed, for signatures.
    pub(crate) fn as_str(&self) -> &str {
        self.raw.expose()
    }

    /// Decrypts the value of an `encrypt` field.
    ///
    /// Errors: [`Rejection::BadBase64`] for anything but canonical standard base64,
    /// [`Rejection::BadCiphertextLength`] unless the data is an IV plus at least one whole
    /// block, and [`Rejection::BadPadding`] when the last block does not end in valid
    /// PKCS#7 padding (the usual symptom of a wrong key).
    pub fn decrypt(&self, encrypted: &str) -> Result<Vec<u8>, Rejection> {
        self.decrypt_base64(encrypted.as_bytes())
    }

    /// [`decrypt`](Self::decrypt) for base64 text still in the body's bytes.
    pub(crate) fn decrypt_base64(&self, encrypted: &[u8]) -> Result<Vec<u8>, Rejection> {
        let mut data = STANDARD.decode_to_vec(encrypted).map_err(|_| Rejection::BadBase64)?;
        if data.len() < 2 * BLOCK || data.len() % BLOCK != 0 {
            return Err(Rejection::BadCiphertextLength);
        }
        let (iv, body) = data.split_at_mut(BLOCK);
        let decryptor = cbc::Decryptor::<Aes256>::new(&self.aes.into(), (&*iv).into());
        let plain_len = decryptor.decrypt_padded_mut::<Pkcs7>(body).map_err(|_| Rejection::BadPadding)?.len();
        data.drain(..BLOCK);
        data.truncate(plain_len);
        Ok(data)
    }

    /// Encrypts `plaintext` the way the platform does, with the given IV; for tests and
    /// local simulations of pushes. Use a fresh random IV for anything real.
    pub fn encrypt(&self, plaintext: &[u8], iv: [u8; 16]) -> String {
        let padded_len = (plaintext.len() / BLOCK + 1) * BLOCK;
        let mut data = vec![0u8; BLOCK + padded_len];
        data[..BLOCK].copy_from_slice(&iv);
        data[BLOCK..BLOCK + plaintext.len()].copy_from_slice(plaintext);
        let encryptor = cbc::Encryptor::<Aes256>::new(&self.aes.into(), &iv.into());
        // The buffer has room for a full padding block, so padding cannot fail.
        let written = encryptor
            .encrypt_padded_mut::<Pkcs7>(&mut data[BLOCK..], plaintext.len())
            .map_or(0, |ciphertext| ciphertext.len());
        data.truncate(BLOCK + written);
        STANDARD.encode_to_string(data)
    }
}

impl fmt::Debug for EncryptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The known answer from the platform's documentation and the official SDKs.
    const KNOWN: &str = "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=";

    #[test]
    fn known_answer() {
        assert_eq!(EncryptKey::new("test key").decrypt(KNOWN).unwrap(), b"hello world");
    }

    #[test]
    fn round_trip_across_block_boundaries() {
        let key = EncryptKey::new("k");
        for len in [0, 1, 15, 16, 17, 31, 32, 100] {
            let plain = vec![b'x'; len];
            let enc = key.encrypt(&plain, [7; 16]);
            assert_eq!(key.decrypt(&enc).unwrap(), plain, "length {len}");
        }
    }

    #[test]
    fn wrong_key_is_bad_padding() {
        // With a wrong key the last block decrypts to noise; a noise byte that happens to
        // form valid padding is possible, so check a few IVs and require most to fail.
        let right = EncryptKey::new("right");
        let wrong = EncryptKey::new("wrong");
        let failures = (0..16u8).filter(|i| wrong.decrypt(&right.encrypt(b"{}", [*i; 16])).is_err()).count();
        assert!(failures >= 12, "{failures}");
        assert_eq!(EncryptKey::new("wrong key").decrypt(KNOWN), Err(Rejection::BadPadding));
    }

    #[test]
    fn base64_must_be_strict_standard() {
        let key = EncryptKey::new("test key");
        let url_safe = KNOWN.replace('+', "-");
        let unpadded = KNOWN.trim_end_matches('=');
        let spaced = format!("{} {}", &KNOWN[..10], &KNOWN[10..]);
        let newline = format!("{KNOWN}\n");
        let junk = format!("{KNOWN}!");
        for bad in [url_safe.as_str(), unpadded, &spaced, &newline, &junk, "====", "QQ=", "QR=="] {
            assert_eq!(key.decrypt(bad), Err(Rejection::BadBase64), "{bad:?}");
        }
    }

    #[test]
    fn the_decoder_agrees_with_the_reference_base64_crate() {
        // The SIMD decoder must refuse exactly what the `base64` crate's strict standard
        // engine refuses: every one-character change of texts long enough for its vector
        // path, to characters in and out of the alphabet and padding.
        use base64::Engine as _;
        let reference = base64::engine::general_purpose::STANDARD;
        let mut checked = 0;
        for len in (0..70).chain([200, 257]) {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
            let text = reference.encode(&bytes).into_bytes();
            for at in 0..text.len() {
                for c in *b"A/+=-_ \nQw9\"" {
                    let mut edited = text.clone();
                    edited[at] = c;
                    let ours = STANDARD.decode_to_vec(&edited).ok();
                    assert_eq!(ours, reference.decode(&edited).ok(), "{:?}", String::from_utf8_lossy(&edited));
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    #[test]
    fn truncated_or_ragged_ciphertext_is_refused() {
        let key = EncryptKey::new("test key");
        let raw = STANDARD.decode_to_vec(KNOWN).unwrap();
        for len in [0, 15, 16, 17, 31] {
            assert_eq!(
                key.decrypt(&STANDARD.encode_to_string(&raw[..len])),
                Err(Rejection::BadCiphertextLength),
                "{len}"
            );
        }
        assert_eq!(key.decrypt(""), Err(Rejection::BadCiphertextLength), "empty is valid base64 but no data");
        let mut longer = raw.clone();
        longer.push(0);
        assert_eq!(key.decrypt(&STANDARD.encode_to_string(&longer)), Err(Rejection::BadCiphertextLength));
    }

    #[test]
    fn every_padding_byte_is_checked() {
        // Encrypt blocks without padding, so the last block's bytes are ours to choose.
        let key = EncryptKey::new("k");
        let enc = |last: [u8; 16]| {
            let mut block = last;
            let encryptor = cbc::Encryptor::<Aes256>::new(&key.aes.into(), &[1u8; 16].into());
            let ct = encryptor.encrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>(&mut block, 16).unwrap();
            let mut data = vec![1u8; 16];
            data.extend_from_slice(ct);
            STANDARD.encode_to_string(data)
        };
        let mut good = [b'a'; 16];
        good[13..].copy_from_slice(&[3, 3, 3]);
        assert_eq!(key.decrypt(&enc(good)).unwrap(), vec![b'a'; 13]);
        let mut inner_byte_wrong = good;
        inner_byte_wrong[13] = 2;
        assert_eq!(key.decrypt(&enc(inner_byte_wrong)), Err(Rejection::BadPadding));
        let mut zero = [b'a'; 16];
        zero[15] = 0;
        assert_eq!(key.decrypt(&enc(zero)), Err(Rejection::BadPadding));
        let mut too_long = [b'a'; 16];
        too_long[15] = 17;
        assert_eq!(key.decrypt(&enc(too_long)), Err(Rejection::BadPadding));
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", EncryptKey::new("s3cret")), "EncryptKey(<redacted>)");
    }
}
