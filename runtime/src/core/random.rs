//! Random marks: idempotency keys, lock holders, nonces.

/// `bytes` random bytes from the system RNG, as lowercase hex.
pub(crate) fn hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The system RNG only fails on exotic platforms; zeros still make a well-formed mark.
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut buf);
    super::hex::hex(&buf)
}
