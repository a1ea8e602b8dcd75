//! Errors of the math layer: one enum, [`CoreError`], and the alias [`Result`].
//!
//! Every variant names what was wrong with the input so the roles layer can lift it (with
//! `#[from]`) into an error that also names the party.

use thiserror::Error;

/// Everything that can go wrong in `dsmpc-core`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A Shamir threshold below 2 gives no secrecy at all.
    #[error("threshold t = {t} is too small: t must be at least 2")]
    ThresholdTooSmall {
        /// The threshold asked for.
        t: usize,
    },
    /// Fewer evaluation points than the threshold: the secret could never be reconstructed.
    #[error("threshold t = {t} exceeds the number of share points ({points})")]
    ThresholdTooLarge {
        /// The threshold asked for.
        t: usize,
        /// How many points there are.
        points: usize,
    },
    /// Two shares or points with the same x coordinate.
    #[error("duplicate evaluation point x = {x}")]
    DuplicatePoint {
        /// The repeated point.
        x: u64,
    },
    /// x = 0 would hand out the secret itself.
    #[error("evaluation point x = 0 is not allowed: f(0) is the secret")]
    ZeroPoint,
    /// Reconstruction was given fewer shares than the threshold.
    #[error("need at least {need} shares to reconstruct, got {got}")]
    NotEnoughShares {
        /// The threshold.
        need: usize,
        /// Shares supplied.
        got: usize,
    },
    /// A vector (of vector shares) whose length differs from the others'.
    #[error("the vector at point x = {x} has {len} elements, expected {expected}")]
    LengthMismatch {
        /// The point whose vector it is.
        x: u64,
        /// Its length.
        len: usize,
        /// The length of the others.
        expected: usize,
    },
    /// A different number of share vectors than of points.
    #[error("{shares} share vectors for {points} points")]
    ShareCount {
        /// How many points.
        points: usize,
        /// How many vectors.
        shares: usize,
    },
    /// A value that must be a field element was not below q.
    #[error("{what} is not below the field modulus q")]
    NotInField {
        /// Which value.
        what: &'static str,
    },
    /// A group element was out of range or outside the index-2 subgroup (Jacobi symbol != 1).
    #[error("{what} is not a valid group element")]
    BadElement {
        /// Which element.
        what: &'static str,
    },
    /// An integer did not fit the fixed byte length of its encoding.
    #[error("integer of {bytes} bytes does not fit in {max} bytes")]
    TooLarge {
        /// Its minimal length.
        bytes: usize,
        /// The fixed length.
        max: usize,
    },
    /// A group size other than the supported ones.
    #[error("unsupported group size {bits} bits: choose one of 1024, 2048, 3072, 4096")]
    UnsupportedGroupBits {
        /// The size asked for.
        bits: u32,
    },
    /// Shipped group parameters failed validation (a corrupted constant).
    #[error("group parameters for {bits} bits are invalid: {reason}")]
    InvalidGroup {
        /// The group size.
        bits: u32,
        /// What check failed.
        reason: &'static str,
    },
    /// A backend name that is not `num` or `gmp`.
    #[error("unknown backend {name:?}: choose num or gmp")]
    UnknownBackend {
        /// The name given.
        name: String,
    },
    /// The backend exists but this build was compiled without it.
    #[error(
        "backend {name} is not compiled into this build: rebuild with `--features gmp` \
         (it links the system GMP; on Debian/Ubuntu `apt-get install libgmp-dev`)"
    )]
    BackendUnavailable {
        /// The backend name.
        name: &'static str,
    },
    /// Malformed hexadecimal text.
    #[error("not a hexadecimal integer")]
    BadHex,
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    OsRng,
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, CoreError>;
