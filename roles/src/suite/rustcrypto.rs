//! The `rustcrypto` provider: pure Rust (the `rsa` crate, `p256`, x25519-dalek,
//! ed25519-dalek, `hkdf`, `aes-gcm`).

pub mod p256;
pub mod rsa;
pub mod x25519;

pub use self::p256::{P256EncPrivate, P256Suite};
pub use self::rsa::RsaSuite;
pub use self::x25519::{X25519EncPrivate, X25519Suite};
