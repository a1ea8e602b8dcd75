//! Link profiles and the link emulator: how long a message takes from one party to another.
//!
//! A profile ([`profiles`], from `net/profiles.toml`, with the sources of its figures) gives
//! each link class ([`Class`]) a one-way latency, a jitter and a bandwidth. The emulator
//! ([`Emulator::arrival`]) serialises each message on its sender's interface (a message waits
//! until the previous one has left, then takes `bytes * 8 / bandwidth`), then adds the latency
//! and a uniform jitter in `[0, jitter]` drawn from a seeded stream.

use std::collections::BTreeMap;

use rand_core::Rng;
use serde::Deserialize;

use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::parties::PartyId;

/// The shipped profiles (see the file for the sources).
pub const PROFILES_TOML: &str = include_str!("../profiles.toml");

/// One link class of a profile.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// One-way latency, milliseconds.
    pub latency_ms: f64,
    /// Extra uniform delay in `[0, jitter_ms]`, milliseconds.
    pub jitter_ms: f64,
    /// Bandwidth of the sender's interface, Mbit/s.
    pub bandwidth_mbps: f64,
}

/// Which kind of link a message crosses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// A vehicle (CP or DP) and the Edge.
    VehicleEdge,
    /// The Edge and the Cloud.
    EdgeCloud,
    /// A vehicle and the Cloud.
    VehicleCloud,
    /// A DP and a CP.
    VehicleVehicle,
}

impl Class {
    /// The class of a message from `a` to `b`.
    pub fn of(a: PartyId, b: PartyId) -> Class {
        use PartyId::*;
        match (a, b) {
            (Edge, Cloud) | (Cloud, Edge) => Class::EdgeCloud,
            (Edge, _) | (_, Edge) => Class::VehicleEdge,
            (Cloud, _) | (_, Cloud) => Class::VehicleCloud,
            _ => Class::VehicleVehicle,
        }
    }
}

/// A link profile.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Where the figures come from.
    pub source: String,
    /// See [`Class::VehicleEdge`].
    pub vehicle_edge: Link,
    /// See [`Class::EdgeCloud`].
    pub edge_cloud: Link,
    /// See [`Class::VehicleCloud`].
    pub vehicle_cloud: Link,
    /// See [`Class::VehicleVehicle`].
    pub vehicle_vehicle: Link,
}

impl Profile {
    /// The link of a class.
    pub fn link(&self, c: Class) -> &Link {
        match c {
            Class::VehicleEdge => &self.vehicle_edge,
            Class::EdgeCloud => &self.edge_cloud,
            Class::VehicleCloud => &self.vehicle_cloud,
            Class::VehicleVehicle => &self.vehicle_vehicle,
        }
    }
}

/// Parse a profiles file, checking every figure.
pub fn parse(text: &str) -> Result<BTreeMap<String, Profile>> {
    let all: BTreeMap<String, Profile> =
        toml::from_str(text).map_err(|e| RolesError::Config(format!("link profiles: {e}")))?;
    for (name, p) in &all {
        for c in [
            Class::VehicleEdge,
            Class::EdgeCloud,
            Class::VehicleCloud,
            Class::VehicleVehicle,
        ] {
            let l = p.link(c);
            let ok = |x: f64| x.is_finite() && x >= 0.0;
            if !(ok(l.latency_ms) && ok(l.jitter_ms) && l.bandwidth_mbps.is_finite() && l.bandwidth_mbps > 0.0) {
                return Err(RolesError::Config(format!(
                    "link profile {name}, {c:?}: latency and jitter must be >= 0 and bandwidth > 0"
                )));
            }
        }
    }
    Ok(all)
}

/// The shipped profiles.
pub fn profiles() -> Result<BTreeMap<String, Profile>> {
    parse(PROFILES_TOML)
}

/// The shipped profile `name`.
pub fn profile(name: &str) -> Result<Profile> {
    let all = profiles()?;
    all.get(name).cloned().ok_or_else(|| {
        let names: Vec<&str> = all.keys().map(String::as_str).collect();
        RolesError::Config(format!("unknown link profile {name:?}: choose {}", names.join(", ")))
    })
}

/// Emulates the links of a profile: per-sender interface queues, latency and jitter.
pub struct Emulator<R: Rng> {
    profile: Profile,
    rng: R,
    /// When each sender's interface is free again, seconds.
    free: BTreeMap<PartyId, f64>,
}

impl<R: Rng> Emulator<R> {
    /// Links of `profile`, jitter drawn from `rng`.
    pub fn new(profile: Profile, rng: R) -> Self {
        Emulator {
            profile,
            rng,
            free: BTreeMap::new(),
        }
    }

    /// When a message of `bytes` that `from` hands to its interface at `depart` (seconds) reaches
    /// `to`.
    pub fn arrival(&mut self, from: PartyId, to: PartyId, bytes: usize, depart: f64) -> f64 {
        self.arrival_via(from, from, to, bytes, depart)
    }

    /// As [`Emulator::arrival`], the message leaving by the interface of `iface` (the party whose
    /// host's interface it is, when several parties share a host and its link).
    pub fn arrival_via(&mut self, iface: PartyId, from: PartyId, to: PartyId, bytes: usize, depart: f64) -> f64 {
        let l = *self.profile.link(Class::of(from, to));
        let free = self.free.entry(iface).or_insert(0.0);
        let start = depart.max(*free);
        let done = start + bytes as f64 * 8.0 / (l.bandwidth_mbps * 1e6);
        *free = done;
        done + self.latency(from, to)
    }

    /// The one-way latency of the link from `from` to `to` without jitter, seconds.
    pub fn base_latency(&self, from: PartyId, to: PartyId) -> f64 {
        self.profile.link(Class::of(from, to)).latency_ms * 1e-3
    }

    /// The one-way latency plus jitter of one message from `from` to `to`, seconds (what the
    /// netns transport waits before writing; the bandwidth is the kernel's, tbf).
    pub fn latency(&mut self, from: PartyId, to: PartyId) -> f64 {
        let l = *self.profile.link(Class::of(from, to));
        let jitter = if l.jitter_ms > 0.0 {
            (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * l.jitter_ms
        } else {
            0.0
        };
        (l.latency_ms + jitter) * 1e-3
    }
}
