//! The party factory of a whole session in one process: [`World`] builds the Cloud, the Edge,
//! every candidate CP and every DP (corrupt where the faults say) and the network adversary
//! the faults describe, from the seed's streams and the shared group.

use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::field64::F64;
use dsmpc_core::group::AnyGroup;
use dsmpc_core::pvss::CpKeyPair;
use dsmpc_core::rng::RngSource;
use num_bigint::BigUint;

use super::{Precompute, SessionConfig};
use crate::adversary::{self, Fault, Scripted};
use crate::check;
use crate::error::Result;
use crate::keys::{DpKeys, DpScheme, DpSigningKey, KeyCache};
use crate::net::memory::BoxedParty;
use crate::parties::{Cloud, ComputingParty, CpKeys, DataProvider, Edge, Registration, Timeouts};
use crate::suite::CipherSuite;
use crate::values;

/// What the parties of a whole session are built from.
pub(crate) struct World<'c, B: Backend, S: CipherSuite> {
    pub(crate) cfg: &'c SessionConfig,
    pub(crate) suite: S,
    pub(crate) group: Arc<AnyGroup<B>>,
    pub(crate) src: RngSource,
    pub(crate) timeouts: Timeouts,
}

impl<B: Backend, S: CipherSuite> World<'_, B, S> {
    /// Every party (Cloud, Edge, candidate CPs, DPs; corrupt where the faults say) and the
    /// network adversary the faults describe.
    /// `inputs`: a vector session's encoded inputs, one per DP (dealt instead of `values`).
    pub(crate) fn parties<'a>(
        &self,
        values: &[BigUint],
        inputs: Option<&[Vec<F64>]>,
    ) -> Result<(Vec<BoxedParty<'a>>, Scripted<'a>)> {
        let cfg = self.cfg;
        let elements = inputs.map(|_| cfg.func_spec().elements());
        let honest = check::for_mode::<B>(cfg.verify);
        let (dp_signing, dp_keys): (Vec<Option<DpSigningKey>>, _) = if honest.commits() {
            let (s, k) = DpKeys::generate_for(DpScheme::for_suite(S::KIND), cfg.n, self.src)?;
            (s.into_iter().map(Some).collect(), Some(Arc::new(k)))
        } else {
            ((0..cfg.n).map(|_| None).collect(), None)
        };
        let keys = KeyCache::new(self.src);
        let t = self.timeouts;
        let mut cloud = Cloud::new(
            self.suite.clone(),
            keys.enc_key(&self.suite, "cloud")?,
            cfg.capacity,
            cfg.t,
            cfg.n as u32,
            cfg.freshness_s,
            t,
            self.src.stream("cloud")?,
        );
        let mut edge = Edge::<B, S>::new(
            self.suite.clone(),
            self.group.clone(),
            honest.clone(),
            keys.enc_key(&self.suite, "cloud")?,
            cfg.n as u32,
            dp_keys.clone(),
            t,
            self.src.stream("edge")?,
        );
        if let Some(e) = elements {
            edge = edge.with_vector(e);
        }
        let mut cps: Vec<BoxedParty<'a>> = Vec::with_capacity(cfg.m);
        for vid in 1..=cfg.m as u32 {
            let mut cp = self.cp(vid, &keys, &honest, dp_keys.clone())?;
            if let Some(e) = elements {
                cp = cp.with_vector(e);
            }
            cloud.register(
                vid,
                Registration {
                    enc_pk: cp.enc_pk(),
                    sign_pk: cp.sign_pk(),
                    pvss_pk: cp.pvss_pk_bytes(),
                },
            );
            cps.push(adversary::corrupt_party(&cfg.faults, Box::new(cp)));
        }
        let mut parties: Vec<BoxedParty<'a>> = vec![Box::new(cloud), Box::new(edge)];
        parties.extend(cps);
        for (i, (value, key)) in values.iter().zip(dp_signing).enumerate() {
            let d = i as u32 + 1;
            let dealing = adversary::corrupt_dealing(&cfg.faults, d, honest.clone());
            let mut dp = DataProvider::new(
                self.suite.clone(),
                self.group.clone(),
                dealing,
                d,
                value.clone(),
                key,
                self.src.stream(&format!("dp/{d}"))?,
            );
            if let Some(v) = inputs.and_then(|all| all.get(i)) {
                dp = dp.with_vector(v.clone());
            }
            parties.push(adversary::corrupt_party(&cfg.faults, Box::new(dp)));
        }
        Ok((parties, self.scripted(&honest, elements)?))
    }

    /// Candidate CP `vid` with its keys.
    fn cp(
        &self,
        vid: u32,
        keys: &KeyCache,
        honest: &Arc<dyn check::Verification<B>>,
        dp_keys: Option<Arc<DpKeys>>,
    ) -> Result<ComputingParty<B, S>> {
        let party = format!("vid{vid}");
        let pvss = CpKeyPair::generate(self.group.as_ref(), &mut self.src.stream(&format!("pvss/{party}"))?);
        Precompute::for_mode(self.cfg.verify).cp_key(&pvss, &self.group);
        let cp_keys = CpKeys {
            enc: keys.enc_key(&self.suite, &party)?,
            sign: keys.sign_key(&self.suite, &party)?,
            pvss,
        };
        Ok(ComputingParty::new(
            self.suite.clone(),
            self.group.clone(),
            adversary::corrupt_check(&self.cfg.faults, vid, honest.clone()),
            vid,
            cp_keys,
            self.cfg.n as u32,
            dp_keys,
            self.timeouts,
            self.src.stream(&format!("cp/{party}"))?,
        ))
    }

    /// The network adversary of the faults, with an honest DP dealing the largest value (in a
    /// vector session, a vector of `elements` zeros) in the name of each impersonated DP (under
    /// a signing key of its own).
    fn scripted<'a>(&self, honest: &Arc<dyn check::Verification<B>>, elements: Option<usize>) -> Result<Scripted<'a>> {
        let cfg = self.cfg;
        let mut impostors: Vec<(u32, BoxedParty<'a>)> = Vec::new();
        for f in &cfg.faults {
            if let Fault::Impersonate { dp } = *f {
                let (mut key, _) = DpKeys::generate_for(DpScheme::for_suite(S::KIND), 1, self.src)?;
                let mut dealer = DataProvider::<B, S>::new(
                    self.suite.clone(),
                    self.group.clone(),
                    honest.clone(),
                    dp,
                    values::max_value(cfg.value_bits),
                    key.pop(),
                    self.src.stream(&format!("impostor/{dp}"))?,
                );
                if let Some(e) = elements {
                    dealer = dealer.with_vector(vec![F64::ZERO; e]);
                }
                impostors.push((dp, Box::new(dealer)));
            }
        }
        Ok(Scripted::new(
            &cfg.faults,
            cfg.n as u32,
            impostors,
            self.src.stream("adversary")?,
        ))
    }
}
