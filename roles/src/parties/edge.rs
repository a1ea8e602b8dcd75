//! The Edge: holds the Cloud's decryption key (as in the reference prototype), decrypts the
//! first t results that arrive, and reconstructs the sum by Lagrange interpolation at 0; the
//! average is the sum over n, printed exactly.

use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::shamir::{self, Share};
use num_bigint::BigUint;

use super::{cp_name, decode, malformed};
use crate::error::{Result, RolesError};
use crate::suite::CipherSuite;
use crate::wire::{Message, MessageKind, TaskId, labels};

/// The reconstructed aggregate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Sum of the DPs' values.
    pub sum: BigUint,
    /// Number of DPs.
    pub n: usize,
}

impl Outcome {
    /// The average `sum / n`, exactly, as a decimal with `places` digits (rounded half up).
    pub fn average(&self, places: u32) -> String {
        exact_average(&self.sum, self.n as u64, places)
    }
}

/// `sum / n` as a decimal string with `places` digits after the point, rounded half up.
pub fn exact_average(sum: &BigUint, n: u64, places: u32) -> String {
    if n == 0 {
        return "NaN".into();
    }
    let scale = BigUint::from(10u32).pow(places);
    let n = BigUint::from(n);
    let scaled = (sum * &scale * 2u32 + &n) / (n * 2u32);
    let (int, frac) = (&scaled / &scale, &scaled % &scale);
    if places == 0 {
        int.to_string()
    } else {
        format!("{int}.{frac:0width$}", width = places as usize)
    }
}

/// The Edge.
pub struct Edge<B: Backend, S: CipherSuite> {
    suite: S,
    group: Arc<SchnorrGroup<B>>,
    sk: S::EncPrivate,
    task: TaskId,
    t: usize,
    n: usize,
    results: Vec<Share<B>>,
    rng: DsmpcRng,
}

impl<B: Backend, S: CipherSuite> Edge<B, S> {
    /// An Edge for `task` with threshold t and n DPs, holding the Cloud's decryption key.
    pub fn new(
        suite: S,
        group: Arc<SchnorrGroup<B>>,
        sk: S::EncPrivate,
        task: TaskId,
        t: usize,
        n: usize,
        rng: DsmpcRng,
    ) -> Self {
        Edge {
            suite,
            group,
            sk,
            task,
            t,
            n,
            results: Vec::with_capacity(t),
            rng,
        }
    }

    /// Whether t results are in.
    pub fn has_enough(&self) -> bool {
        self.results.len() >= self.t
    }

    /// Take one CP's upload: decrypt and keep it, unless t are already in (then it is ignored).
    pub fn receive_result(&mut self, from: &str, bytes: &[u8]) -> Result<()> {
        let Message::ResultUpload(m) = decode(bytes, MessageKind::ResultUpload, from)? else {
            return Err(malformed(MessageKind::ResultUpload, from, "not a result"));
        };
        if m.task != self.task {
            return Err(RolesError::WrongTask {
                from: from.into(),
                kind: MessageKind::ResultUpload,
            });
        }
        if m.index == 0 || self.results.iter().any(|s| s.x == u64::from(m.index)) {
            return Err(malformed(
                MessageKind::ResultUpload,
                from,
                format!("{} is zero or already in", cp_name(m.index)),
            ));
        }
        if self.has_enough() {
            return Ok(());
        }
        let plain = self
            .suite
            .decrypt(&self.sk, &labels::result(&self.task, m.index), &m.ct, &mut self.rng)
            .ok_or(RolesError::ResultUndecryptable { cp: m.index })?;
        let y = self
            .group
            .zq()
            .from_bytes(&plain, "sum-share")
            .map_err(|_| RolesError::ResultUndecryptable { cp: m.index })?;
        if plain.len() != self.group.zq().element_len() {
            return Err(RolesError::ResultUndecryptable { cp: m.index });
        }
        self.results.push(Share {
            x: u64::from(m.index),
            y,
        });
        Ok(())
    }

    /// Reconstruct from the first t results.
    pub fn reconstruct(&self) -> Result<Outcome> {
        if !self.has_enough() {
            return Err(RolesError::NotEnoughResults {
                got: self.results.len(),
                need: self.t,
            });
        }
        let sum = shamir::reconstruct(self.group.zq(), &self.results, self.t)?;
        Ok(Outcome {
            sum: BigUint::from_bytes_be(&B::to_be_bytes(&sum)),
            n: self.n,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_are_exact_and_rounded_half_up() {
        assert_eq!(exact_average(&BigUint::from(10u32), 4, 2), "2.50");
        assert_eq!(exact_average(&BigUint::from(2u32), 3, 3), "0.667");
        assert_eq!(exact_average(&BigUint::from(1u32), 3, 0), "0");
        assert_eq!(exact_average(&BigUint::from(5u32), 2, 0), "3");
        assert_eq!(exact_average(&BigUint::from(0u32), 7, 1), "0.0");
    }
}
