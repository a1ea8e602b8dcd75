//! What the fuzz targets run, as plain functions: `fuzz_targets/*.rs` hand libFuzzer's input to
//! them (nightly, `cargo +nightly fuzz run TARGET`), and `tests/corpus.rs` replays the committed
//! corpora through the same functions on stable. Each panics only on a bug: a decoder that
//! panics, a decoded message that does not re-encode to the same bytes, a party that panics on
//! any bytes from any sender, a parser that accepts what it should refuse.
//!
//! - [`wire`]: [`Message::decode`] on the input as it is, and with its first byte choosing one
//!   of the nine kinds (so every kind's decoder is reached); what decodes re-encodes exactly.
//! - [`parties`]: a small session (Cloud, two CPs, one DP, the Edge; P-256, 1024-bit group,
//!   `num`) built afresh, then the input as a script of deliveries of arbitrary bytes from
//!   arbitrary (authenticated) senders to any party, and timeouts. [`transcript`] plays an
//!   honest session and writes it in that script form: the seed corpus.
//! - [`values`]: the values-file parser, with the DP count and value bits from the input.
//! - [`grid`]: the sweep grid TOML parser (`dsmpc_bench::grid::expand`).
//! - [`deployment`]: the deployment file of the TLS network (`dsmpc deploy init` writes it,
//!   `dsmpc node` reads it).
//! - [`frames`]: what a node reads from a peer, as the byte stream it arrives in: length
//!   prefixes, hellos, protocol-message frames, session control and its reasons. What decodes
//!   re-encodes to the same bytes, and a reason's text never holds a line break or a control
//!   character once shown.
//! - [`reports`]: the reports crate's readers of `phases.csv`, `messages.csv`, `units.csv` and
//!   `meta.json` (the first byte picks one; the rest is the file).

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use dsmpc_core::backend::Num;
use dsmpc_core::group::{AnyGroup, GroupKind};
use dsmpc_core::pvss::{CpKeyPair, VerifyMode};
use dsmpc_core::rng::{self, RngSource};
use dsmpc_roles::check;
use dsmpc_roles::event::Event;
use dsmpc_roles::keys::{DpKeys, KeyCache};
use dsmpc_roles::parties::{
    Cloud, ComputingParty, CpKeys, DataProvider, Edge, NoProbe, Party, PartyId, Registration, Time, Timeouts,
};
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::suite::rustcrypto::P256Suite;
use dsmpc_roles::wire::{Message, MessageKind, VERSION};

/// Decode `bytes`; what decodes must re-encode to the same bytes.
fn decode_round_trip(bytes: &[u8]) {
    if let Ok(m) = Message::decode(bytes) {
        assert_eq!(
            m.encode(),
            bytes,
            "{} decodes but does not re-encode to its bytes",
            m.kind()
        );
        let _ = m.payload_len();
    }
}

/// Fuzz target `wire`: every message kind's decoder.
pub fn wire(data: &[u8]) {
    decode_round_trip(data);
    if let Some((&k, body)) = data.split_first() {
        let kind = MessageKind::ALL[k as usize % MessageKind::ALL.len()];
        let mut bytes = Vec::with_capacity(data.len() + 1);
        bytes.extend_from_slice(&[VERSION, kind.tag()]);
        bytes.extend_from_slice(body);
        decode_round_trip(&bytes);
    }
}

/// Fuzz target `values`: `data[0]` gives n (1..=64), `data[1]` the value bits (1..=256), the
/// rest is the file.
pub fn values(data: &[u8]) {
    let [a, b, rest @ ..] = data else { return };
    let n = 1 + usize::from(*a % 64);
    let bits = 1 + u32::from(*b);
    let text = String::from_utf8_lossy(rest);
    if let Ok(v) = dsmpc_roles::values::parse(&text, "fuzz", n, bits) {
        assert_eq!(v.len(), n, "exactly n values");
        let max = dsmpc_roles::values::max_value(bits);
        assert!(v.iter().all(|x| *x <= max), "every value below 2^bits");
    }
    // The same text as a vector session's rows: every row accepted encodes, n of them.
    use dsmpc_roles::func::{Func, FuncSpec};
    let func = [Func::Sum, Func::MeanVar, Func::Histogram { buckets: 5 }, Func::VectorSum][usize::from(*a / 64)];
    let spec = FuncSpec {
        func,
        dim: 1 + usize::from(*b % 8),
        value_bits: 1 + u32::from(*b % 63),
        frac_bits: if func == Func::VectorSum { u32::from(*b % 63) / 2 } else { 0 },
    };
    if let Ok(rows) = dsmpc_roles::func::parse_rows(&text, "fuzz", n, &spec) {
        assert_eq!(rows.len(), n, "exactly n rows");
        for r in &rows {
            assert!(spec.encode(r).is_ok(), "an accepted row encodes: {r:?}");
        }
    }
}

/// Fuzz target `grid`: the sweep grid parser.
pub fn grid(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = dsmpc_bench::grid::expand(text, "fuzz", &dsmpc_bench::grid::Overrides::default());
    }
}

/// Fuzz target `deployment`: the deployment file `dsmpc node` reads
/// (`dsmpc_net::deploy::Deployment::parse`). What it accepts must be what the rest of the
/// network code relies on: every host name a single safe path component in its one canonical
/// form (it names the host's directory and its certificate), the Cloud, the Edge and every
/// candidate CP hosted exactly once, the DP ranges covering 1..=n once, and the file written
/// back by `to_toml` parsing to the same deployment.
pub fn deployment(data: &[u8]) {
    use dsmpc_net::deploy::{Deployment, Role};
    let Ok(d) = Deployment::parse(data) else { return };
    let (n, m) = (d.session.dps, d.session.cps);
    let (mut cloud, mut edge) = (0, 0);
    let mut cps = vec![0u32; m + 1];
    let mut dps: Vec<(u32, u32)> = Vec::new();
    for h in &d.hosts {
        let role = h
            .role()
            .unwrap_or_else(|| panic!("accepted host {:?} has no role", h.name));
        let canonical = match role {
            Role::Cloud => "cloud".to_string(),
            Role::Edge => "edge".to_string(),
            Role::Cp(v) => format!("cp-{v}"),
            Role::Dps(..) => h.name.clone(),
        };
        assert_eq!(h.name, canonical, "host name not in its canonical form");
        assert!(
            !h.name.is_empty()
                && h.name.len() <= 64
                && h.name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "host name {:?} is not a safe path component",
            h.name
        );
        match role {
            Role::Cloud => cloud += 1,
            Role::Edge => edge += 1,
            Role::Cp(v) => cps[v as usize] += 1,
            Role::Dps(a, b) => dps.push((a, b)),
        }
    }
    assert_eq!((cloud, edge), (1, 1), "one Cloud and one Edge host");
    assert!(
        cps[1..].iter().all(|&c| c == 1),
        "every candidate CP hosted once: {cps:?}"
    );
    dps.sort_unstable();
    let mut next = 1u32;
    for (a, b) in dps {
        assert_eq!(a, next, "DP ranges cover 1..=n once");
        next = b + 1;
    }
    assert_eq!(next as usize, n + 1, "DP ranges cover 1..=n");
    let text = d.to_toml().expect("an accepted deployment writes back");
    let again = Deployment::parse(text.as_bytes()).expect("what to_toml writes parses");
    assert_eq!(again, d, "to_toml then parse gives the same deployment");
}

/// Fuzz target `reports`: `data[0]` picks the reader, the rest is the file it reads.
pub fn reports(data: &[u8]) {
    use dsmpc_reports::data;
    let Some((&which, file)) = data.split_first() else {
        return;
    };
    // The readers take a path; a file in memory (tmpfs) where there is one keeps the executions
    // fast (on ext4, rewriting the file costs about 100 times the parsing). The directory is
    // chosen and made once per process, not once per execution.
    static DIR: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    let Some(dir) = DIR.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("dsmpc-fuzz-reports-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok().map(|()| dir)
    }) else {
        return;
    };
    let name = ["phases.csv", "messages.csv", "units.csv", "meta.json"][which as usize % 4];
    let path = dir.join(name);
    if std::fs::write(&path, file).is_err() {
        return;
    }
    match which % 4 {
        0 => drop(data::read_phases(&path)),
        1 => drop(data::read_messages(&path)),
        2 => drop(data::read_units(&path)),
        _ => drop(data::read_meta(&path)),
    }
}

/// The protocol clock of the fuzzed session (milliseconds), as seeded sessions use.
const NOW: Time = 1_749_945_600_000;
/// The DP's value.
const VALUE: u32 = 42;
/// The parties, in the order a script names them.
const PARTIES: [PartyId; 5] = [
    PartyId::Cloud,
    PartyId::Cp(1),
    PartyId::Cp(2),
    PartyId::Dp(1),
    PartyId::Edge,
];
/// Senders a script can name: the session's parties and some that are not in it.
const SENDERS: [PartyId; 8] = [
    PartyId::Cloud,
    PartyId::Edge,
    PartyId::Cp(1),
    PartyId::Cp(2),
    PartyId::Dp(1),
    PartyId::Dp(2),
    PartyId::Cp(3),
    PartyId::Outsider(7),
];
/// Script op that lets every deadline pass.
const TIMEOUT: u8 = 5;

fn group() -> Arc<AnyGroup<Num>> {
    static G: OnceLock<Arc<AnyGroup<Num>>> = OnceLock::new();
    G.get_or_init(|| Arc::new(AnyGroup::new(GroupKind::Schnorr(1024)).expect("the 1024-bit group is shipped")))
        .clone()
}

/// A fresh session of mode `mode`: n = 1, m = k = 2, t = 2; the Cloud has not started.
fn session(mode: VerifyMode) -> Vec<Box<dyn Party>> {
    let suite = P256Suite;
    let group = group();
    let keys = KeyCache::memory_only(RngSource::Seed(1));
    let check = check::for_mode::<Num>(mode);
    let (signing, dp_keys) = if check.commits() {
        let (s, k) = DpKeys::generate(1, RngSource::Seed(1)).expect("P-256 keys");
        (s, Some(Arc::new(k)))
    } else {
        (Vec::new(), None)
    };
    let cloud_sk = keys.enc_key(&suite, "cloud").expect("P-256 key");
    let mut cloud = Cloud::new(
        suite,
        cloud_sk,
        2,
        2,
        1,
        300,
        Timeouts::default(),
        rng::seeded(1, "cloud"),
    );
    let mut cps = Vec::new();
    for vid in 1..=2u32 {
        let party = format!("vid{vid}");
        let cp_keys = CpKeys {
            enc: keys.enc_key(&suite, &party).expect("P-256 key"),
            sign: keys.sign_key(&suite, &party).expect("P-256 key"),
            pvss: CpKeyPair::generate(group.as_ref(), &mut rng::seeded(1, &format!("pvss/{party}"))),
        };
        let cp = ComputingParty::new(
            suite,
            group.clone(),
            check.clone(),
            vid,
            cp_keys,
            1,
            dp_keys.clone(),
            Timeouts::default(),
            rng::seeded(1, &format!("cp/{party}")),
        );
        cloud.register(
            vid,
            Registration {
                enc_pk: cp.enc_pk(),
                sign_pk: cp.sign_pk(),
                pvss_pk: cp.pvss_pk_bytes(),
            },
        );
        cps.push(cp);
    }
    let dp = DataProvider::new(
        suite,
        group.clone(),
        check.clone(),
        1,
        num_bigint::BigUint::from(VALUE),
        signing.into_iter().next(),
        rng::seeded(1, "dp/1"),
    );
    let edge = Edge::new(
        suite,
        group,
        check,
        keys.enc_key(&suite, "cloud").expect("P-256 key"),
        1,
        dp_keys,
        Timeouts::default(),
        rng::seeded(1, "edge"),
    );
    let mut parties: Vec<Box<dyn Party>> = vec![Box::new(cloud)];
    for cp in cps {
        parties.push(Box::new(cp));
    }
    parties.push(Box::new(dp));
    parties.push(Box::new(edge));
    parties
}

/// What the parties sent and reported.
type Outputs = (Vec<(PartyId, PartyId, Vec<u8>)>, Vec<Event>);

fn drain(p: &mut dyn Party, out: &mut Outputs) {
    let from = p.id();
    while let Some(t) = p.poll_transmit() {
        out.0.push((from, t.to, t.bytes.to_vec()));
    }
    while let Some(e) = p.poll_event() {
        out.1.push(e);
    }
}

fn mode_of(b: u8) -> VerifyMode {
    VerifyMode::ALL[b as usize % VerifyMode::ALL.len()]
}

/// Fuzz target `parties`: `data[0]` picks the mode; then records `[op, sender, len (u16 BE),
/// bytes]`: op 0..=4 delivers the bytes to that party (Cloud, CP 1, CP 2, DP 1, Edge) from that
/// sender (Cloud, Edge, CP 1, CP 2, DP 1, DP 2 and CP 3 who are not in the session, an
/// outsider); op 5 lets every deadline pass. The events the parties reported, in order.
pub fn play(data: &[u8]) -> Vec<Event> {
    let Some((&mode, mut script)) = data.split_first() else {
        return Vec::new();
    };
    let mut parties = session(mode_of(mode));
    let mut out: Outputs = (Vec::new(), Vec::new());
    parties[0].start(NOW, &mut NoProbe);
    drain(parties[0].as_mut(), &mut out);
    let mut now = NOW;
    while let [op, sender, hi, lo, rest @ ..] = script {
        let len = (usize::from(*hi) << 8 | usize::from(*lo)).min(rest.len());
        let (bytes, next) = rest.split_at(len);
        script = next;
        now += 1;
        match *op % 6 {
            TIMEOUT => {
                now += 3_600_000;
                for p in &mut parties {
                    p.handle_timeout(now, &mut NoProbe);
                    drain(p.as_mut(), &mut out);
                }
            }
            i => {
                let p = &mut parties[usize::from(i)];
                let from = SENDERS[*sender as usize % SENDERS.len()];
                p.handle_input(now, from, bytes, &mut NoProbe);
                drain(p.as_mut(), &mut out);
            }
        }
    }
    out.1
}

/// Fuzz target `parties` (see [`play`]).
pub fn parties(data: &[u8]) {
    play(data);
}

/// An honest session of mode `mode` played to its end, as a [`play`] script (the seed corpus:
/// every message of a real run, to the party it was for, from its sender), and every message
/// sent (the `wire` seed corpus).
pub fn transcript(mode: VerifyMode) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mode_byte = VerifyMode::ALL.iter().position(|m| *m == mode).unwrap_or(0) as u8;
    let mut script = vec![mode_byte];
    let mut messages = Vec::new();
    let mut parties = session(mode);
    let mut out: Outputs = (Vec::new(), Vec::new());
    parties[0].start(NOW, &mut NoProbe);
    drain(parties[0].as_mut(), &mut out);
    let mut queue: VecDeque<(PartyId, PartyId, Vec<u8>)> = out.0.drain(..).collect();
    let mut now = NOW;
    let mut timeouts = 0;
    while timeouts < 4 {
        let Some((from, to, bytes)) = queue.pop_front() else {
            // Nothing in flight: let the deadlines pass (the Cloud closes the selection, ...).
            script.extend_from_slice(&[TIMEOUT, 0, 0, 0]);
            now += 1 + 3_600_000;
            for p in &mut parties {
                p.handle_timeout(now, &mut NoProbe);
                drain(p.as_mut(), &mut out);
            }
            queue.extend(out.0.drain(..));
            timeouts += 1;
            continue;
        };
        let (Some(i), Some(s)) = (
            PARTIES.iter().position(|p| *p == to),
            SENDERS.iter().position(|p| *p == from),
        ) else {
            continue;
        };
        now += 1;
        script.extend_from_slice(&[i as u8, s as u8]);
        script.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
        script.extend_from_slice(&bytes);
        parties[i].handle_input(now, from, &bytes, &mut NoProbe);
        drain(parties[i].as_mut(), &mut out);
        queue.extend(out.0.drain(..));
        messages.push(bytes);
        if out.1.iter().any(|e| matches!(e, Event::Outcome(_) | Event::Failed(_))) {
            break;
        }
    }
    (script, messages)
}

/// The suite the fuzzed session uses, for tests that decrypt.
pub fn suite() -> impl CipherSuite {
    P256Suite
}

/// Fuzz target `frames`: the input as the stream of bytes a peer sends a node (4-byte length,
/// then a body; as many frames as the input holds) through `Frame::decode`.
pub fn frames(data: &[u8]) {
    use dsmpc_net::frame::{Control, Frame, MAX_FRAME};
    let mut rest = data;
    while rest.len() >= 4 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if len > MAX_FRAME {
            // A node refuses it from the length alone, or (top bit set) reads the frame's
            // further pieces, which `frame`'s own tests cover.
            return;
        }
        let body = &rest[4..(4 + len).min(rest.len())];
        rest = &rest[(4 + len).min(rest.len())..];
        let Ok(f) = Frame::decode(body) else { continue };
        // Canonical: what is accepted is exactly what this dsmpc writes.
        assert_eq!(&f.encode()[4..], body, "a frame that does not re-encode to its bytes");
        if let Frame::Control(Control::Abort { reason }) = &f {
            assert!(reason.is_well_formed(), "an accepted reason that is not well formed");
            let shown = reason.to_string();
            assert!(
                !shown.chars().any(|c| c.is_control()),
                "a reason shown with a control character: {shown:?}"
            );
            assert_eq!(reason.clone().bounded(), *reason, "bounding changed an accepted reason");
        }
    }
}
