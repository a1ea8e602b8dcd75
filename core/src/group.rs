//! Prime-order groups: the trait the PVSS and VSS protocols are written against
//! ([`PrimeOrderGroup`]) and its implementations: Schnorr groups over a big-integer backend
//! ([`SchnorrGroup`]), ristretto255 on curve25519-dalek ([`Ristretto255`]), and the run-time
//! choice between them ([`GroupKind`] names one, [`AnyGroup`] holds one).
//!
//! The shipped Schnorr parameters live in [`params`]; [`derive`] re-derives them from a public
//! seed.

mod any;
mod comb;
pub mod derive;
mod kind;
mod msm;
pub mod params;
mod prime;
pub mod ristretto;
mod schnorr;

pub use self::any::{AnyElement, AnyGroup, AnyTable};
pub use self::kind::GroupKind;
pub use self::prime::{PrimeOrderGroup, Scalar};
pub use self::ristretto::Ristretto255;
pub use self::schnorr::{
    CT_WINDOW, FixedBaseTable, GENERATOR_CT_WINDOW, GENERATOR_TABLE_WINDOW, PK_TABLE_WINDOW, SUPPORTED_BITS,
    SchnorrGroup,
};
