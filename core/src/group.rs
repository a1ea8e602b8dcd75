//! Prime-order groups: the trait the PVSS and VSS protocols are written against
//! ([`PrimeOrderGroup`]), and its first implementation, Schnorr groups over a big-integer
//! backend ([`SchnorrGroup`]).
//!
//! The shipped Schnorr parameters live in [`params`]; [`derive`] re-derives them from a public
//! seed.

pub mod derive;
pub mod params;
mod prime;
mod schnorr;

pub use self::prime::{PrimeOrderGroup, Scalar};
pub use self::schnorr::{
    CT_WINDOW, FixedBaseTable, GENERATOR_CT_WINDOW, GENERATOR_TABLE_WINDOW, PK_TABLE_WINDOW, SUPPORTED_BITS,
    SchnorrGroup,
};
