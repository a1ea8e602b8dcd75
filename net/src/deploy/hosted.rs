//! `dsmpc node`: the parties of one host, built from that host's own private files and the
//! public roster, and from nothing else.
//!
//! The Cloud gets its decryption key and registers every candidate CP with the roster's public
//! keys; the Edge gets the Cloud's decryption key (its own copy); a CP its three keys; a DP host
//! its DPs' values (a vector session: their input rows, and every party takes vectors of the
//! function's length) and, in `vss`, their signing keys. The CPs and the Edge check DP signatures
//! with the roster's keys. Each private key is checked against the roster before anything
//! runs; no host derives any key, so a host learns no other party's private key. With a seed
//! the parties' protocol randomness comes from the seed's streams, as in a seeded in-process
//! session (same messages, same bytes); without one, from the operating system.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::{AnyGroup, PrimeOrderGroup};
use p256::ecdsa::VerifyingKey;

use super::roster::Roster;
use super::secrets::{self, HostFiles};
use super::{Deployment, Host, Role, host_dir};
use dsmpc_roles::adversary::{self, Fault};
use dsmpc_roles::check;
use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::keys::{DpKeys, Purpose};
use dsmpc_roles::net::memory::BoxedParty;
use dsmpc_roles::parties::{Cloud, ComputingParty, CpKeys, DataProvider, Edge, Registration, Timeouts};
use dsmpc_roles::session::{self, SessionConfig, WithTypes};
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::suite::rustcrypto::P256Suite;

/// A host's parties, ready to be driven.
pub struct Hosted {
    /// The parties.
    pub parties: Vec<BoxedParty<'static>>,
    /// Seconds spent loading keys and building tables (set-up, not a phase).
    pub setup_s: f64,
    /// The deployment digest of this host's `deployment.toml` and `roster.toml`, which every
    /// peer must share.
    pub digest: super::DeploymentDigest,
}

/// Build the parties of `host` of deployment `d` in `dir` from `hosts/NAME/` and the roster.
pub fn hosted(dir: &Path, d: &Deployment, host: &Host) -> Result<Hosted> {
    hosted_with_faults(dir, d, host, &[])
}

/// Whether fault `f` acts at a party's own end (its dealing, its checks, what it sends), so
/// that the host of that party can play it: `bad-share`, `inconsistent-dealing`, `bad-result`,
/// `drop-cp`, `drop-dp`, `bad-signature`, `vector-length`, `truncated-aead`. The others attack
/// the network between parties (`replay`, `impersonate`, `garbage`, `garbage-upload`), which
/// is TLS between processes here.
pub fn acts_at_a_party(f: &Fault) -> bool {
    !matches!(
        f,
        Fault::Replay { .. } | Fault::Impersonate { .. } | Fault::Garbage { .. } | Fault::GarbageUpload { .. }
    )
}

/// [`hosted`] with this host's parties misbehaving as `faults` say (tests and demonstrations:
/// `dsmpc node --inject`, which `run --net process --inject` passes to every host; each host
/// plays the faults of its own parties). Faults on the network are refused
/// ([`acts_at_a_party`]), and so is what the session's configuration refuses (a fault on a
/// party that does not exist, `bad-result` in a vector session).
pub fn hosted_with_faults(dir: &Path, d: &Deployment, host: &Host, faults: &[Fault]) -> Result<Hosted> {
    let hd = host_dir(dir, &host.name);
    if !hd.is_dir() {
        return Err(RolesError::Config(format!(
            "no host directory {}: copy hosts/{}/ from the machine where `dsmpc deploy init` ran \
             (each host needs its own directory, with deployment.toml, roster.toml and ca.pem)",
            hd.display(),
            host.name
        )));
    }
    if let Some(f) = faults.iter().find(|f| !acts_at_a_party(f)) {
        return Err(RolesError::Config(format!(
            "--inject {f}: {} attacks the network between parties, which is mutual TLS between hosts here; \
             it runs with `dsmpc run --net memory` or `--net sim:PROFILE`",
            f.kind()
        )));
    }
    let cfg = SessionConfig {
        faults: faults.to_vec(),
        ..d.config()?
    };
    cfg.validate()?;
    let roster = Roster::load(dir, d)?;
    let digest = super::digest(d, &roster)?;
    let role = host
        .role()
        .ok_or_else(|| RolesError::Config(format!("host {}: not a cloud, edge, cp-V or dps-G", host.name)))?;
    session::with_types(
        &cfg,
        Build {
            files: HostFiles { dir, seed: cfg.seed },
            cfg: &cfg,
            timeouts: d.timeouts(),
            roster: &roster,
            host,
            role,
            digest,
        },
    )
}

struct Build<'a> {
    files: HostFiles<'a>,
    cfg: &'a session::SessionConfig,
    timeouts: Timeouts,
    roster: &'a Roster,
    host: &'a Host,
    role: Role,
    digest: super::DeploymentDigest,
}

impl Build<'_> {
    /// The roster's error: `what` of `whose` does not decode.
    fn bad_roster(&self, whose: &str, e: impl std::fmt::Display) -> RolesError {
        RolesError::Config(format!(
            "{}: the public key of {whose} does not decode ({e})",
            Roster::path(self.files.dir).display()
        ))
    }

    /// The DPs' verification keys (`vss`) from the roster.
    fn dp_keys(&self) -> Result<Option<Arc<DpKeys>>> {
        if !super::signs_commitments(self.cfg.verify) {
            return Ok(None);
        }
        let keys = (1..=self.cfg.n as u32)
            .map(|dp| {
                let bytes = self.roster.dp(dp).unwrap_or_default();
                VerifyingKey::from_sec1_bytes(bytes).map_err(|e| self.bad_roster(&format!("DP {dp}"), e))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(Arc::new(DpKeys::from_keys(keys))))
    }

    /// The Cloud's decryption key, from this host's copy.
    fn cloud_key<S: CipherSuite>(&self, suite: &S) -> Result<S::EncPrivate> {
        let b = self.files.binding(suite.id(), suite.bits(), "cloud", Purpose::Enc);
        self.files.read(&self.host.name, &b, &self.roster.cloud_enc, |k| {
            secrets::enc_parse(suite, k)
        })
    }
}

impl WithTypes for Build<'_> {
    type Output = Hosted;

    fn run<B: Backend, S: CipherSuite>(self, suite: S) -> Result<Hosted> {
        let t0 = Instant::now();
        if self.roster.suite != suite.id() {
            return Err(RolesError::Config(format!(
                "{}: keys for suite {}, but deployment.toml says {}: the roster is from another deployment",
                Roster::path(self.files.dir).display(),
                self.roster.suite,
                suite.id()
            )));
        }
        let group = session::provider_and_group::<B, S>(self.cfg)?;
        let parties = match self.role {
            Role::Cloud => vec![self.cloud(&suite, &group)?],
            Role::Edge => vec![self.edge(suite, group)?],
            Role::Cp(vid) => vec![self.cp(vid, suite, group)?],
            Role::Dps(first, last) => self.dps(first, last, &suite, &group)?,
        };
        Ok(Hosted {
            parties,
            setup_s: t0.elapsed().as_secs_f64(),
            digest: self.digest,
        })
    }
}

impl Build<'_> {
    /// The Cloud, with every candidate CP of the roster registered.
    fn cloud<B: Backend, S: CipherSuite>(&self, suite: &S, group: &AnyGroup<B>) -> Result<BoxedParty<'static>> {
        let cfg = self.cfg;
        let sk = self.cloud_key(suite)?;
        let (k, t, window) = (cfg.capacity, cfg.t, cfg.freshness_s);
        let rng = cfg.rng_source().stream("cloud")?;
        let mut cloud = Cloud::new(suite.clone(), sk, k, t, cfg.n as u32, window, self.timeouts, rng);
        for (vid, cp) in (1u32..).zip(&self.roster.cps) {
            let whose = format!("CP {vid}");
            let enc_pk = suite
                .decode_enc_public(&cp.enc)
                .map_err(|e| self.bad_roster(&whose, e))?;
            let sign_pk = suite
                .decode_sign_public(&cp.sign)
                .map_err(|e| self.bad_roster(&whose, e))?;
            group
                .decode_element(&cp.pvss, "PVSS public key")
                .map_err(|e| self.bad_roster(&whose, e))?;
            let pvss_pk = cp.pvss.clone();
            cloud.register(
                vid,
                Registration {
                    enc_pk,
                    sign_pk,
                    pvss_pk,
                },
            );
        }
        Ok(Box::new(cloud))
    }

    /// The Edge, with its copy of the Cloud's key.
    fn edge<B: Backend, S: CipherSuite>(&self, suite: S, group: Arc<AnyGroup<B>>) -> Result<BoxedParty<'static>> {
        let cfg = self.cfg;
        let sk = self.cloud_key(&suite)?;
        let dp_keys = self.dp_keys()?;
        let rng = cfg.rng_source().stream("edge")?;
        let honest = check::for_mode::<B>(cfg.verify);
        let n = cfg.n as u32;
        let mut edge = Edge::<B, S>::new(suite, group, honest, sk, n, dp_keys, self.timeouts, rng);
        if cfg.is_vector() {
            edge = edge.with_vector(cfg.func_spec().elements());
        }
        Ok(Box::new(edge))
    }

    /// Candidate CP `vid`, with its three keys checked against the roster.
    fn cp<B: Backend, S: CipherSuite>(
        &self,
        vid: u32,
        suite: S,
        group: Arc<AnyGroup<B>>,
    ) -> Result<BoxedParty<'static>> {
        let cfg = self.cfg;
        let me = self.host.name.as_str();
        let party = format!("vid{vid}");
        let public = self
            .roster
            .cp(vid)
            .ok_or_else(|| self.bad_roster(&format!("CP {vid}"), "no entry"))?;
        let enc_b = self.files.binding(suite.id(), suite.bits(), &party, Purpose::Enc);
        let sign_b = self.files.binding(suite.id(), suite.bits(), &party, Purpose::Sign);
        let pvss_b = secrets::pvss_binding(&self.files, cfg.group.group_bits(), &party);
        let keys = CpKeys {
            enc: self
                .files
                .read(me, &enc_b, &public.enc, |k| secrets::enc_parse(&suite, k))?,
            sign: self
                .files
                .read(me, &sign_b, &public.sign, |k| secrets::sign_parse(&suite, k))?,
            pvss: self
                .files
                .read(me, &pvss_b, &public.pvss, |k| secrets::pvss_parse(&group, k))?,
        };
        session::Precompute::for_mode(cfg.verify).cp_key(&keys.pvss, &group);
        let (dp_keys, rng) = (self.dp_keys()?, cfg.rng_source().stream(&format!("cp/{party}"))?);
        let checks = adversary::corrupt_check(&cfg.faults, vid, check::for_mode::<B>(cfg.verify));
        let n = cfg.n as u32;
        let mut cp = ComputingParty::new(suite, group, checks, vid, keys, n, dp_keys, self.timeouts, rng);
        if cfg.is_vector() {
            cp = cp.with_vector(cfg.func_spec().elements());
        }
        Ok(adversary::corrupt_party(&cfg.faults, Box::new(cp)))
    }

    /// DPs `first..=last`, with their values (a vector session: their input rows, encoded)
    /// and, in `vss`, their signing keys.
    fn dps<B: Backend, S: CipherSuite>(
        &self,
        first: u32,
        last: u32,
        suite: &S,
        group: &Arc<AnyGroup<B>>,
    ) -> Result<Vec<BoxedParty<'static>>> {
        let cfg = self.cfg;
        let me = self.host.name.as_str();
        let honest = check::for_mode::<B>(cfg.verify);
        let count = (last - first + 1) as usize;
        let (values, mut inputs) = if cfg.is_vector() {
            let inputs = self.files.read_inputs(me, count, &cfg.func_spec())?;
            (
                vec![num_bigint::BigUint::default(); count],
                inputs.into_iter().map(Some).collect(),
            )
        } else {
            (self.files.read_values(me, count, cfg.value_bits)?, vec![None; count])
        };
        let mut parties: Vec<BoxedParty<'static>> = Vec::with_capacity(count);
        for ((value, dp), input) in values.into_iter().zip(first..).zip(inputs.iter_mut()) {
            let key = if super::signs_commitments(cfg.verify) {
                let b = self
                    .files
                    .binding(P256Suite.id(), P256Suite.bits(), &format!("dp{dp}"), Purpose::Sign);
                let public = self.roster.dp(dp).unwrap_or_default();
                Some(
                    self.files
                        .read(me, &b, public, |k| secrets::sign_parse(&P256Suite, k))?
                        .into(),
                )
            } else {
                None
            };
            let rng = cfg.rng_source().stream(&format!("dp/{dp}"))?;
            let dealing = adversary::corrupt_dealing(&cfg.faults, dp, honest.clone());
            let mut dealer = DataProvider::new(suite.clone(), group.clone(), dealing, dp, value, key, rng);
            if let Some(v) = input.take() {
                dealer = dealer.with_vector(v);
            }
            parties.push(adversary::corrupt_party(&cfg.faults, Box::new(dealer)));
        }
        Ok(parties)
    }
}
