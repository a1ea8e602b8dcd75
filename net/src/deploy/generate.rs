//! `dsmpc deploy init`: every party's protocol keys and every DP's value, made once and written
//! where they belong: each private key only into the directory of the host that runs its
//! party ([`super::secrets`]), every public key into the roster ([`super::roster`]).
//!
//! Without a seed everything comes from the operating system's randomness and exists nowhere
//! but in those files. With a seed, keys and values are derived exactly as a seeded in-process
//! session derives them (same streams, the key store caching the slow RSA keys), so a seeded
//! deployment gives the in-process session's keys, sums and bytes: reproducible, and for that
//! reason for experiments only (anyone who has the seed can derive every key). Values given
//! (`deploy init --values`, `run --net process --values`) replace the drawn ones; keys and
//! the protocol's randomness stay as the seed makes them, as in a memory run given the values.
//! A vector session's DPs get input rows instead ([`super::inputs`]).

use std::path::Path;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::{AnyGroup, PrimeOrderGroup};
use num_bigint::BigUint;

use super::roster::{CpPublic, Roster};
use super::secrets::{self, HostFiles, KeyParts};
use super::{Deployment, Role};
use dsmpc_roles::error::Result;
use dsmpc_roles::func::InputRow;
use dsmpc_roles::keys::{DpKeys, KeyCache, Purpose};
use dsmpc_roles::session::{self, SessionConfig, WithTypes};
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::suite::rustcrypto::P256Suite;

/// Make and write every party's keys and the DPs' values for deployment `d` in `dir` (`values`
/// if given, checked against the DP count and the value bits as a memory run checks them;
/// otherwise drawn), or in a vector session their input rows (`rows`, likewise); the roster of
/// the public keys.
pub(crate) fn keys_and_values(
    dir: &Path,
    cfg: &SessionConfig,
    d: &Deployment,
    values: Option<&[BigUint]>,
    rows: Option<&[InputRow]>,
) -> Result<Roster> {
    // Checked before any key is made.
    let values = session::values_for(cfg, values, cfg.rng_source())?;
    let rows = super::inputs::rows_for(cfg, rows)?;
    session::with_types(
        cfg,
        Generate {
            dir,
            cfg,
            d,
            values: &values,
            rows: rows.as_deref(),
        },
    )
}

struct Generate<'a> {
    dir: &'a Path,
    cfg: &'a SessionConfig,
    d: &'a Deployment,
    values: &'a [BigUint],
    rows: Option<&'a [InputRow]>,
}

impl WithTypes for Generate<'_> {
    type Output = Roster;

    fn run<B: Backend, S: CipherSuite>(self, suite: S) -> Result<Roster> {
        let (cfg, d) = (self.cfg, self.d);
        let src = cfg.rng_source();
        let files = HostFiles {
            dir: self.dir,
            seed: cfg.seed,
        };
        // Seeded: the key store's cached keys (the same as a seeded session's); otherwise
        // fresh from the OS, in memory only until written below.
        let cache = KeyCache::new(src);
        let bind = |party: &str, purpose| files.binding(suite.id(), suite.bits(), party, purpose);

        let cloud = secrets::enc_parts(&suite, &cache.enc_key(&suite, "cloud")?)?;
        for host in ["cloud", "edge"] {
            files.write(host, &bind("cloud", Purpose::Enc), &cloud)?;
        }

        let group = AnyGroup::<B>::new(cfg.group)?;
        let mut cps = Vec::with_capacity(cfg.m);
        for vid in 1..=cfg.m as u32 {
            let (host, party) = (format!("cp-{vid}"), format!("vid{vid}"));
            let enc = secrets::enc_parts(&suite, &cache.enc_key(&suite, &party)?)?;
            let sign = secrets::sign_parts(&suite, &cache.sign_key(&suite, &party)?)?;
            // As `CpKeyPair::generate` draws it from the session's stream `pvss/vidV`.
            let mut sk = group.zq().random_nonzero(&mut src.stream(&format!("pvss/{party}"))?);
            let pvss = secrets::pvss_parts(&group, &sk);
            B::wipe(&mut sk);
            let pvss = pvss?;
            files.write(&host, &bind(&party, Purpose::Enc), &enc)?;
            files.write(&host, &bind(&party, Purpose::Sign), &sign)?;
            files.write(
                &host,
                &secrets::pvss_binding(&files, cfg.group.group_bits(), &party),
                &pvss,
            )?;
            cps.push(CpPublic {
                enc: enc.1,
                sign: sign.1,
                pvss: pvss.1,
            });
        }

        let mut dp_sign = Vec::new();
        if super::signs_commitments(cfg.verify) {
            let (keys, _) = DpKeys::generate(cfg.n, src)?;
            for (key, dp) in keys.iter().zip(1u32..) {
                let key = key.as_p256().expect("DpKeys::generate makes ECDSA P-256 keys");
                let parts: KeyParts = secrets::sign_parts(&P256Suite, key)?;
                let host = dps_host(d, dp)?;
                let b = files.binding(P256Suite.id(), P256Suite.bits(), &format!("dp{dp}"), Purpose::Sign);
                files.write(host, &b, &parts)?;
                dp_sign.push(parts.1);
            }
        }

        if let Some(rows) = self.rows {
            super::inputs::write_all(&files, d, &cfg.func_spec(), rows)?;
        } else {
            for h in &d.hosts {
                if let Some(Role::Dps(first, last)) = h.role() {
                    files.write_values(&h.name, first, &self.values[first as usize - 1..last as usize])?;
                }
            }
        }

        Ok(Roster {
            suite: suite.id(),
            group_bits: cfg.group.group_bits(),
            seed: cfg.seed,
            cloud_enc: cloud.1,
            cps,
            dp_sign,
        })
    }
}

/// The name of the host of DP `dp`.
fn dps_host(d: &Deployment, dp: u32) -> Result<&str> {
    d.host_of(dsmpc_roles::parties::PartyId::Dp(dp))
        .map(|h| h.name.as_str())
        .ok_or_else(|| dsmpc_roles::error::RolesError::Config(format!("deployment.toml: no host for DP {dp}")))
}
