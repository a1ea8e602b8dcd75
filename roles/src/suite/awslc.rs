//! The `awslc` provider: aws-lc-rs (AWS-LC) for RSA-OAEP, RSA-PSS, ECDH and ECDSA over P-256,
//! and AES-256-GCM. Keys are derived exactly as with [`super::rustcrypto`] (from the seed or
//! the OS, by RustCrypto's key generation) and imported, so a seed gives the same keys with
//! either provider.
//!
//! Randomness: the ECIES ephemeral scalar and nonce come from the rng passed in (as with
//! `rustcrypto`, so the same rng state gives the same ciphertext); the OAEP seed, the PSS
//! salt and the ECDSA nonce come from AWS-LC's own DRBG, which the library does not let a
//! caller supply. Those bytes therefore differ from run to run even with a seed; their lengths
//! do not. To keep a party's seeded stream aligned with the `rustcrypto` provider where that
//! provider's draw is fixed (so that what the party draws afterwards is the same with either
//! provider), an OAEP encryption and an ECDSA signature draw from the rng the 32 bytes the
//! RustCrypto implementation takes for its OAEP seed or RFC 6979 hedge, and discard them
//! (tested). RSA private operations (decryption, PSS signing) cannot be aligned: RustCrypto
//! draws a blinding factor of variable length by rejection sampling, while AWS-LC blinds with
//! its own DRBG; they draw nothing here.

pub mod p256;
pub mod rsa;

pub use self::p256::{P256EncPrivate, P256Suite};
pub use self::rsa::RsaSuite;

use dsmpc_core::rng::DsmpcRng;
use rand_core::Rng;

/// Draws and discards the 32 bytes the `rustcrypto` provider takes from the rng for an OAEP
/// seed, a PSS salt or an ECDSA hedge (see the module docs).
fn skip_32(rng: &mut DsmpcRng) {
    let mut b = [0u8; 32];
    rng.fill_bytes(&mut b);
}

/// An aws-lc-rs error as a suite error.
fn lc_err(what: &str) -> impl Fn(aws_lc_rs::error::Unspecified) -> crate::error::RolesError + '_ {
    move |_| crate::error::RolesError::Suite(format!("aws-lc: {what} failed"))
}

/// AWS-LC's one-time, process-wide start-up (library initialisation and the first draw from
/// its DRBG, about 60 ms here): set-up, called before a session's phases so that the first
/// party to sign does not pay for it.
pub fn warm_up() {
    aws_lc_rs::init();
    let mut b = [0u8; 32];
    // A failure here would show again, as an error, at the first operation that needs it.
    let _ = aws_lc_rs::rand::fill(&mut b);
}
