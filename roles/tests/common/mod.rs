//! Test fixtures: a small seeded world (group, suite, Cloud, candidate CPs) built by hand so
//! tests can drive parties one message at a time and tamper with what they send.

#![allow(dead_code, missing_docs)]

use std::sync::Arc;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{CpKeyPair, VerifyMode};
use dsmpc_core::rng::{self, RngSource};
use dsmpc_roles::parties::{Cloud, ComputingParty, CpKeys, Edge, Registration};
use dsmpc_roles::suite::KeyCache;
use dsmpc_roles::suite::rsa::RsaSuite;

pub const NOW: u64 = 1_749_945_600;

pub struct World<B: Backend> {
    pub suite: RsaSuite,
    pub group: Arc<SchnorrGroup<B>>,
    pub keys: KeyCache,
    pub cloud: Cloud<RsaSuite>,
    pub cps: Vec<ComputingParty<B, RsaSuite>>,
}

pub fn cp<B: Backend>(
    w_suite: RsaSuite,
    group: &Arc<SchnorrGroup<B>>,
    keys: &KeyCache,
    vid: u32,
    mode: VerifyMode,
) -> ComputingParty<B, RsaSuite> {
    let party = format!("vid{vid}");
    let keys = CpKeys {
        enc: keys.enc_key(&w_suite, &party).unwrap(),
        sign: keys.sign_key(&w_suite, &party).unwrap(),
        pvss: CpKeyPair::generate(group, &mut rng::seeded(7, &format!("pvss/{party}"))),
    };
    ComputingParty::new(
        w_suite,
        group.clone(),
        vid,
        keys,
        mode,
        rng::seeded(7, &format!("cp/{party}")),
    )
}

/// A Cloud with capacity `k` and `m` registered candidates (VIDs 1..=m), RSA-1024, group-1024.
pub fn world<B: Backend>(m: u32, k: usize, mode: VerifyMode) -> World<B> {
    let suite = RsaSuite::new(1024).unwrap();
    let group = Arc::new(SchnorrGroup::<B>::standard(1024).unwrap());
    let keys = KeyCache::new(RngSource::Seed(7));
    let mut cloud = Cloud::new(
        suite,
        keys.enc_key(&suite, "cloud").unwrap(),
        k,
        300,
        rng::seeded(7, "cloud"),
    );
    let mut cps = Vec::new();
    for vid in 1..=m {
        let c = cp(suite, &group, &keys, vid, mode);
        cloud.register(
            vid,
            Registration {
                enc_pk: c.enc_pk(),
                sign_pk: c.sign_pk(),
                pvss_pk: c.pvss_pk_bytes(),
            },
        );
        cps.push(c);
    }
    World {
        suite,
        group,
        keys,
        cloud,
        cps,
    }
}

impl<B: Backend> World<B> {
    /// Run Algorithm 1 for every candidate; returns each one's index.
    pub fn select_all(&mut self) -> Vec<Option<u16>> {
        let announce = self.cloud.announce();
        let mut out = Vec::new();
        for c in self.cps.iter_mut() {
            let req = c.auth_request(&announce, NOW).unwrap();
            let ans = self
                .cloud
                .handle_auth(&format!("CP(VID={})", c.vid()), &req, NOW)
                .unwrap();
            out.push(c.receive_index(&ans).unwrap());
        }
        out
    }
}

impl<B: Backend> World<B> {
    /// The world's Edge (holding the Cloud's key) for threshold t and n DPs.
    pub fn edge(&self, t: usize, n: usize, mode: VerifyMode) -> Edge<B, RsaSuite> {
        let sk = self.keys.enc_key(&self.suite, "cloud").unwrap();
        Edge::new(
            self.suite,
            self.group.clone(),
            sk,
            *self.cloud.task(),
            t,
            n,
            mode,
            rng::seeded(1, "edge"),
        )
    }
}
