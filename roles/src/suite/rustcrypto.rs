//! The `rustcrypto` provider: pure Rust (the `rsa` crate, `p256`, `aes-gcm`).

pub mod p256;
pub mod rsa;

pub use self::p256::{P256EncPrivate, P256Suite};
pub use self::rsa::RsaSuite;
