//! Randomness: from the operating system by default, or reproducible from a seed.
//!
//! Both are ChaCha20; the OS variant takes its 32-byte key from `getrandom`. A seeded
//! generator is split into independent named streams ([`seeded`] with a label per party) so
//! that the transcript of a run does not depend on the order in which parties happen to draw.
//! Results written by the harness always record the seed they came from.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

use crate::error::{CoreError, Result};

/// The generator used everywhere in dsmpc.
pub type DsmpcRng = ChaCha20Rng;

/// A generator keyed from the operating system's randomness.
pub fn from_os() -> Result<DsmpcRng> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|_| CoreError::OsRng)?;
    let rng = ChaCha20Rng::from_seed(key);
    zeroize::Zeroize::zeroize(&mut key);
    Ok(rng)
}

/// The reproducible stream named `label` of the run seeded with `seed`.
///
/// ```
/// use rand_core::Rng;
/// let mut a = dsmpc_core::rng::seeded(7, "DP1");
/// let mut b = dsmpc_core::rng::seeded(7, "DP1");
/// let mut c = dsmpc_core::rng::seeded(7, "DP2");
/// let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
/// assert_eq!(x, y);
/// assert_ne!(x, z);
/// ```
pub fn seeded(seed: u64, label: &str) -> DsmpcRng {
    let mut h = Sha256::new();
    h.update(b"dsmpc/rng/v1");
    h.update(seed.to_be_bytes());
    h.update((label.len() as u64).to_be_bytes());
    h.update(label.as_bytes());
    let key: [u8; 32] = h.finalize().into();
    ChaCha20Rng::from_seed(key)
}

/// Where a run's randomness comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RngSource {
    /// Fresh OS randomness for every stream.
    Os,
    /// Reproducible streams derived from this seed.
    Seed(u64),
}

impl RngSource {
    /// The stream named `label`.
    pub fn stream(self, label: &str) -> Result<DsmpcRng> {
        match self {
            RngSource::Os => from_os(),
            RngSource::Seed(s) => Ok(seeded(s, label)),
        }
    }
}
