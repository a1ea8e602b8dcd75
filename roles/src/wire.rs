//! The binary wire format of every D-SMPC message (specified in `roles/WIRE.md`).
//!
//! A message is `version (u8 = 1) || kind (u8) || task_id (16 bytes) || body`. Integers are
//! big-endian; variable-length byte strings carry a `u16` length prefix. Decoding is strict:
//! wrong version or kind, truncation, oversized lengths and trailing bytes are all errors.
//! The encoded length is the message's byte count; [`Message::payload_len`] is the size of
//! the cryptographic fields alone, as the reference prototype counted it.

use std::fmt;

/// Format version.
pub const VERSION: u8 = 1;
/// Bytes of a task id.
pub const TASK_ID_LEN: usize = 16;
/// Bytes of an auth-request nonce.
pub const NONCE_LEN: usize = 16;

/// The longest message any party decodes (16 MiB): checked before anything in it is read.
/// The largest honest messages stay well below it: a roster of [`crate::session::MAX_CPS`]
/// entries at 4096 bits is about 1 MiB, a `vss` report or agreed set for
/// [`crate::session::MAX_DPS`] DPs at most 5 MB; every `bytes` field is below 64 KiB by its
/// `u16` length.
pub const MAX_MESSAGE_LEN: usize = 16 << 20;

/// A task id.
pub type TaskId = [u8; TASK_ID_LEN];

/// The kinds of message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageKind {
    /// Cloud -> candidate CP: task id and the Cloud's encryption key (Algorithm 1, step 1).
    TaskAnnounce,
    /// CP -> Cloud: encrypted VID token, nonce, timestamp, signature (step 2).
    AuthRequest,
    /// Cloud -> CP: encrypted index, or "not selected" (step 3).
    IndexAssign,
    /// Cloud -> DP: threshold and each selected CP's keys (step 4; implicit in the reference).
    Roster,
    /// DP -> CP: encrypted share and PVSS attachment (Algorithm 2, step 2).
    SharePacket,
    /// `vss` only: a DP's Pedersen coefficient commitments, DP -> Edge, relayed by the Edge to
    /// every CP (so all hold the same copy).
    Commitments,
    /// `vss` only: CP -> Edge, which DPs the CP accepted and which it rejected, and why.
    DpReport,
    /// `vss` only: Edge -> CP, the DPs excluded from the aggregate.
    AgreedSet,
    /// CP -> Edge: encrypted sum-share (step 4); in `vss` mode with the blinding sum.
    ResultUpload,
}

impl MessageKind {
    /// Every kind, in protocol order.
    pub const ALL: [MessageKind; 9] = [
        MessageKind::TaskAnnounce,
        MessageKind::AuthRequest,
        MessageKind::IndexAssign,
        MessageKind::Roster,
        MessageKind::SharePacket,
        MessageKind::Commitments,
        MessageKind::DpReport,
        MessageKind::AgreedSet,
        MessageKind::ResultUpload,
    ];

    /// The tag byte.
    pub fn tag(self) -> u8 {
        match self {
            MessageKind::TaskAnnounce => 1,
            MessageKind::AuthRequest => 2,
            MessageKind::IndexAssign => 3,
            MessageKind::Roster => 4,
            MessageKind::SharePacket => 5,
            MessageKind::ResultUpload => 6,
            MessageKind::Commitments => 7,
            MessageKind::DpReport => 8,
            MessageKind::AgreedSet => 9,
        }
    }

    /// The name used in logs and CSV files.
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::TaskAnnounce => "task_announce",
            MessageKind::AuthRequest => "auth_request",
            MessageKind::IndexAssign => "index_assign",
            MessageKind::Roster => "roster",
            MessageKind::SharePacket => "share_packet",
            MessageKind::ResultUpload => "result_upload",
            MessageKind::Commitments => "commitments",
            MessageKind::DpReport => "dp_report",
            MessageKind::AgreedSet => "agreed_set",
        }
    }

    /// Sender and receiver roles.
    pub fn roles(self) -> (&'static str, &'static str) {
        match self {
            MessageKind::TaskAnnounce | MessageKind::IndexAssign => ("Cloud", "CP"),
            MessageKind::AuthRequest => ("CP", "Cloud"),
            MessageKind::Roster => ("Cloud", "DP"),
            MessageKind::SharePacket => ("DP", "CP"),
            MessageKind::ResultUpload | MessageKind::DpReport => ("CP", "Edge"),
            MessageKind::Commitments => ("DP", "Edge+CP"),
            MessageKind::AgreedSet => ("Edge", "CP"),
        }
    }

    /// Whether the reference prototype counted this kind (it left the roster implicit, and
    /// the `vss` kinds are ours).
    pub fn reference_counted(self) -> bool {
        !matches!(
            self,
            MessageKind::Roster | MessageKind::Commitments | MessageKind::DpReport | MessageKind::AgreedSet
        )
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why bytes did not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub String);

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Task announcement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskAnnounce {
    /// The task.
    pub task: TaskId,
    /// The Cloud's public encryption key (suite encoding).
    pub cloud_pk: Vec<u8>,
}

/// A candidate's authentication request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthRequest {
    /// The task.
    pub task: TaskId,
    /// `Enc_Cpk(VID)`, task-bound.
    pub token: Vec<u8>,
    /// Fresh random nonce.
    pub nonce: [u8; NONCE_LEN],
    /// Unix seconds.
    pub ts: u64,
    /// `Sign_Vsk(task || VID || nonce || ts)`.
    pub sig: Vec<u8>,
}

/// The Cloud's answer to an auth request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexAssign {
    /// The task.
    pub task: TaskId,
    /// `Some(Enc_Vpk(i))` if selected; `None`: valid but past capacity.
    pub ct: Option<Vec<u8>>,
}

/// One selected CP in the roster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterEntry {
    /// The CP's VID: its identity on the network (DPs address its share packet to it; the Edge
    /// knows whose upload is whose).
    pub vid: u32,
    /// The CP's index i (1..=k).
    pub index: u16,
    /// The CP's public encryption key.
    pub enc_pk: Vec<u8>,
    /// The CP's PVSS public key `g^sk`.
    pub pvss_pk: Vec<u8>,
}

/// The roster sent to every DP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roster {
    /// The task.
    pub task: TaskId,
    /// Threshold t.
    pub t: u16,
    /// The selected CPs, by index.
    pub entries: Vec<RosterEntry>,
}

/// A DP's share for one CP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharePacket {
    /// The task.
    pub task: TaskId,
    /// The DP's number d.
    pub dp: u32,
    /// The recipient CP's index i.
    pub index: u16,
    /// `Enc_(ComVpk[i])(y_i)`, bound to task, d and i.
    pub eshare: Vec<u8>,
    /// `E = pk_i^(y_i)`.
    pub e: Vec<u8>,
    /// `C = g^(y_i) h^(r_i)`.
    pub c: Vec<u8>,
    /// `r_i`.
    pub r: Vec<u8>,
}

/// Why a CP rejected a DP in `vss` mode (the reason byte of a [`DpReport`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rejection {
    /// The share ciphertext did not decrypt (tampered or misaddressed).
    Undecryptable,
    /// The share pair had the wrong length or was not below q.
    Malformed,
    /// The DP's commitments were missing or malformed.
    NoCommitments,
    /// The share pair does not open the commitments at the CP's index.
    Mismatch,
}

impl Rejection {
    /// Every reason, by byte.
    pub const ALL: [Rejection; 4] = [
        Rejection::Undecryptable,
        Rejection::Malformed,
        Rejection::NoCommitments,
        Rejection::Mismatch,
    ];
    /// The reason byte.
    pub fn code(self) -> u8 {
        match self {
            Rejection::Undecryptable => 1,
            Rejection::Malformed => 2,
            Rejection::NoCommitments => 3,
            Rejection::Mismatch => 4,
        }
    }
    /// The reason of a byte.
    pub fn from_code(code: u8) -> Option<Rejection> {
        Rejection::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rejection::Undecryptable => "its share does not decrypt",
            Rejection::Malformed => "its share pair is malformed",
            Rejection::NoCommitments => "its commitments are missing or malformed",
            Rejection::Mismatch => "its share pair does not match its commitments",
        })
    }
}

/// A DP's Pedersen coefficient commitments `C_0 .. C_(t-1)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commitments {
    /// The task.
    pub task: TaskId,
    /// The DP's number d.
    pub dp: u32,
    /// `C_j = g^(a_j) h^(b_j)`, each a group element of fixed length.
    pub elements: Vec<Vec<u8>>,
    /// The DP's ECDSA P-256 signature over [`labels::commitments`], so that a CP can check
    /// what the Edge relays without trusting the Edge for its origin.
    pub sig: Vec<u8>,
}

/// A CP's account of the DPs, for the agreement round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpReport {
    /// The task.
    pub task: TaskId,
    /// The CP's index i.
    pub index: u16,
    /// The DPs whose share pair verified, as inclusive ranges `(first, last)`, ascending.
    pub accepted: Vec<(u32, u32)>,
    /// The DPs rejected, with the reason, ascending.
    pub rejected: Vec<(u32, Rejection)>,
}

impl DpReport {
    /// Inclusive ranges of an ascending list of DP numbers.
    pub fn ranges(dps: impl IntoIterator<Item = u32>) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = Vec::new();
        for d in dps {
            match out.last_mut() {
                Some((_, last)) if last.checked_add(1) == Some(d) => *last = d,
                _ => out.push((d, d)),
            }
        }
        out
    }

    /// Whether DP d is in the accepted ranges.
    pub fn accepts(&self, d: u32) -> bool {
        let i = self.accepted.partition_point(|(_, last)| *last < d);
        self.accepted.get(i).is_some_and(|(first, _)| *first <= d)
    }
}

/// The Edge's decision: DPs excluded from the aggregate (all others that every CP accepted
/// are in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreedSet {
    /// The task.
    pub task: TaskId,
    /// Excluded DPs, ascending.
    pub excluded: Vec<u32>,
}

/// A CP's encrypted sum-share for the Edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultUpload {
    /// The task.
    pub task: TaskId,
    /// The CP's index i.
    pub index: u16,
    /// `Enc_Cpk(sum_i)` (in `vss` mode `Enc_Cpk(sum_i || blinding_sum_i)`), bound to task
    /// and i.
    pub ct: Vec<u8>,
}

/// Any message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// See [`TaskAnnounce`].
    TaskAnnounce(TaskAnnounce),
    /// See [`AuthRequest`].
    AuthRequest(AuthRequest),
    /// See [`IndexAssign`].
    IndexAssign(IndexAssign),
    /// See [`Roster`].
    Roster(Roster),
    /// See [`SharePacket`].
    SharePacket(SharePacket),
    /// See [`ResultUpload`].
    ResultUpload(ResultUpload),
    /// See [`Commitments`].
    Commitments(Commitments),
    /// See [`DpReport`].
    DpReport(DpReport),
    /// See [`AgreedSet`].
    AgreedSet(AgreedSet),
}

struct Writer(Vec<u8>);

impl Writer {
    fn new(kind: MessageKind, task: &TaskId) -> Self {
        let mut v = Vec::with_capacity(64);
        v.push(VERSION);
        v.push(kind.tag());
        v.extend_from_slice(task);
        Writer(v)
    }
    fn u8(&mut self, x: u8) {
        self.0.push(x);
    }
    fn u16(&mut self, x: u16) {
        self.0.extend_from_slice(&x.to_be_bytes());
    }
    fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_be_bytes());
    }
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_be_bytes());
    }
    fn fixed(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    fn bytes(&mut self, b: &[u8]) {
        // Lengths above u16::MAX never occur (the largest field is a 4096-bit value).
        self.u16(b.len().min(u16::MAX as usize) as u16);
        self.0.extend_from_slice(&b[..b.len().min(u16::MAX as usize)]);
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], WireError> {
        if self.buf.len() - self.pos < n {
            return Err(WireError(format!(
                "truncated: {what} needs {n} bytes at offset {}, {} left",
                self.pos,
                self.buf.len() - self.pos
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn left(&self) -> usize {
        self.buf.len() - self.pos
    }
    fn u8(&mut self, what: &str) -> Result<u8, WireError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16, WireError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &str) -> Result<u32, WireError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, what: &str) -> Result<u64, WireError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    fn bytes(&mut self, what: &str) -> Result<Vec<u8>, WireError> {
        let n = self.u16(what)? as usize;
        Ok(self.take(n, what)?.to_vec())
    }
    /// A u32 item count, refused if `count * min_item` bytes cannot follow.
    fn count(&mut self, min_item: usize, what: &str) -> Result<usize, WireError> {
        let n = self.u32(what)? as usize;
        let left = self.buf.len() - self.pos;
        if n.checked_mul(min_item).is_none_or(|need| need > left) {
            return Err(WireError(format!(
                "{what} {n} needs at least {} bytes, {left} left",
                n.saturating_mul(min_item)
            )));
        }
        Ok(n)
    }
    fn finish(self) -> Result<(), WireError> {
        if self.pos == self.buf.len() {
            Ok(())
        } else {
            Err(WireError(format!(
                "{} trailing bytes after the message",
                self.buf.len() - self.pos
            )))
        }
    }
}

impl Message {
    /// The message's kind.
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::TaskAnnounce(_) => MessageKind::TaskAnnounce,
            Message::AuthRequest(_) => MessageKind::AuthRequest,
            Message::IndexAssign(_) => MessageKind::IndexAssign,
            Message::Roster(_) => MessageKind::Roster,
            Message::SharePacket(_) => MessageKind::SharePacket,
            Message::ResultUpload(_) => MessageKind::ResultUpload,
            Message::Commitments(_) => MessageKind::Commitments,
            Message::DpReport(_) => MessageKind::DpReport,
            Message::AgreedSet(_) => MessageKind::AgreedSet,
        }
    }

    /// The task the message belongs to.
    pub fn task(&self) -> &TaskId {
        match self {
            Message::TaskAnnounce(m) => &m.task,
            Message::AuthRequest(m) => &m.task,
            Message::IndexAssign(m) => &m.task,
            Message::Roster(m) => &m.task,
            Message::SharePacket(m) => &m.task,
            Message::ResultUpload(m) => &m.task,
            Message::Commitments(m) => &m.task,
            Message::DpReport(m) => &m.task,
            Message::AgreedSet(m) => &m.task,
        }
    }

    /// Bytes of the cryptographic fields alone (the reference prototype's count).
    pub fn payload_len(&self) -> usize {
        match self {
            Message::TaskAnnounce(m) => m.cloud_pk.len(),
            Message::AuthRequest(m) => m.token.len() + NONCE_LEN + 8 + m.sig.len(),
            Message::IndexAssign(m) => m.ct.as_ref().map_or(0, Vec::len),
            Message::Roster(m) => m.entries.iter().map(|e| 2 + e.enc_pk.len() + e.pvss_pk.len()).sum(),
            Message::SharePacket(m) => m.eshare.len() + m.e.len() + m.c.len() + m.r.len(),
            Message::ResultUpload(m) => 2 + m.ct.len(),
            Message::Commitments(m) => m.elements.iter().map(Vec::len).sum::<usize>() + m.sig.len(),
            Message::DpReport(m) => 8 * m.accepted.len() + 5 * m.rejected.len(),
            Message::AgreedSet(m) => 4 * m.excluded.len(),
        }
    }

    /// The wire encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(self.kind(), self.task());
        match self {
            Message::TaskAnnounce(m) => w.bytes(&m.cloud_pk),
            Message::AuthRequest(m) => {
                w.bytes(&m.token);
                w.fixed(&m.nonce);
                w.u64(m.ts);
                w.bytes(&m.sig);
            }
            Message::IndexAssign(m) => match &m.ct {
                Some(ct) => {
                    w.u8(1);
                    w.bytes(ct);
                }
                None => w.u8(0),
            },
            Message::Roster(m) => {
                w.u16(m.t);
                w.u16(m.entries.len() as u16);
                for e in &m.entries {
                    w.u16(e.index);
                    w.u32(e.vid);
                    w.bytes(&e.enc_pk);
                    w.bytes(&e.pvss_pk);
                }
            }
            Message::SharePacket(m) => {
                w.u32(m.dp);
                w.u16(m.index);
                w.bytes(&m.eshare);
                w.bytes(&m.e);
                w.bytes(&m.c);
                w.bytes(&m.r);
            }
            Message::ResultUpload(m) => {
                w.u16(m.index);
                w.bytes(&m.ct);
            }
            Message::Commitments(m) => {
                w.u32(m.dp);
                w.u16(m.elements.len().min(u16::MAX as usize) as u16);
                for e in m.elements.iter().take(u16::MAX as usize) {
                    w.bytes(e);
                }
                w.bytes(&m.sig);
            }
            Message::DpReport(m) => {
                w.u16(m.index);
                w.u32(m.accepted.len() as u32);
                for (first, last) in &m.accepted {
                    w.u32(*first);
                    w.u32(*last);
                }
                w.u32(m.rejected.len() as u32);
                for (d, why) in &m.rejected {
                    w.u32(*d);
                    w.u8(why.code());
                }
            }
            Message::AgreedSet(m) => {
                w.u32(m.excluded.len() as u32);
                for d in &m.excluded {
                    w.u32(*d);
                }
            }
        }
        w.0
    }

    /// Decode any message.
    pub fn decode(bytes: &[u8]) -> Result<Message, WireError> {
        if bytes.len() > MAX_MESSAGE_LEN {
            return Err(WireError(format!(
                "{} bytes is longer than any message ({MAX_MESSAGE_LEN} bytes at most)",
                bytes.len()
            )));
        }
        let mut r = Reader { buf: bytes, pos: 0 };
        let version = r.u8("version")?;
        if version != VERSION {
            return Err(WireError(format!("unsupported version {version} (expected {VERSION})")));
        }
        let tag = r.u8("kind")?;
        let kind = MessageKind::ALL
            .into_iter()
            .find(|k| k.tag() == tag)
            .ok_or_else(|| WireError(format!("unknown message kind {tag}")))?;
        let mut task = [0u8; TASK_ID_LEN];
        task.copy_from_slice(r.take(TASK_ID_LEN, "task id")?);
        let msg = match kind {
            MessageKind::TaskAnnounce => Message::TaskAnnounce(TaskAnnounce {
                task,
                cloud_pk: r.bytes("cloud key")?,
            }),
            MessageKind::AuthRequest => {
                let token = r.bytes("token")?;
                let mut nonce = [0u8; NONCE_LEN];
                nonce.copy_from_slice(r.take(NONCE_LEN, "nonce")?);
                let ts = r.u64("timestamp")?;
                let sig = r.bytes("signature")?;
                Message::AuthRequest(AuthRequest {
                    task,
                    token,
                    nonce,
                    ts,
                    sig,
                })
            }
            MessageKind::IndexAssign => {
                let ct = match r.u8("selected flag")? {
                    0 => None,
                    1 => Some(r.bytes("index ciphertext")?),
                    f => return Err(WireError(format!("selected flag {f} is neither 0 nor 1"))),
                };
                Message::IndexAssign(IndexAssign { task, ct })
            }
            MessageKind::Roster => {
                let t = r.u16("threshold")?;
                // Each entry is at least 10 bytes (index, VID, two empty `bytes`).
                let count = r.u16("entry count")? as usize;
                let mut entries = Vec::with_capacity(count.min(r.left() / 10));
                for _ in 0..count {
                    let index = r.u16("index")?;
                    let vid = r.u32("VID")?;
                    let enc_pk = r.bytes("encryption key")?;
                    let pvss_pk = r.bytes("PVSS key")?;
                    entries.push(RosterEntry {
                        index,
                        vid,
                        enc_pk,
                        pvss_pk,
                    });
                }
                Message::Roster(Roster { task, t, entries })
            }
            MessageKind::SharePacket => {
                let dp = r.u32("DP number")?;
                let index = r.u16("CP index")?;
                let eshare = r.bytes("encrypted share")?;
                let e = r.bytes("E")?;
                let c = r.bytes("C")?;
                let rr = r.bytes("r")?;
                Message::SharePacket(SharePacket {
                    task,
                    dp,
                    index,
                    eshare,
                    e,
                    c,
                    r: rr,
                })
            }
            MessageKind::ResultUpload => {
                let index = r.u16("CP index")?;
                let ct = r.bytes("result ciphertext")?;
                Message::ResultUpload(ResultUpload { task, index, ct })
            }
            MessageKind::Commitments => {
                let dp = r.u32("DP number")?;
                let count = r.u16("commitment count")? as usize;
                let mut elements = Vec::with_capacity(count.min(r.left() / 2));
                for _ in 0..count {
                    elements.push(r.bytes("commitment")?);
                }
                let sig = r.bytes("DP signature")?;
                Message::Commitments(Commitments {
                    task,
                    dp,
                    elements,
                    sig,
                })
            }
            MessageKind::DpReport => {
                let index = r.u16("CP index")?;
                let n = r.count(8, "accepted range count")?;
                let mut accepted = Vec::with_capacity(n);
                let mut prev: Option<u32> = None;
                for _ in 0..n {
                    let (first, last) = (r.u32("range start")?, r.u32("range end")?);
                    if first > last || prev.is_some_and(|p| first <= p) {
                        return Err(WireError(format!(
                            "accepted range {first}..={last} is empty, unordered or overlapping"
                        )));
                    }
                    prev = Some(last);
                    accepted.push((first, last));
                }
                let n = r.count(5, "rejection count")?;
                let mut rejected = Vec::with_capacity(n);
                for _ in 0..n {
                    let d = r.u32("rejected DP")?;
                    let code = r.u8("rejection reason")?;
                    let why = Rejection::from_code(code)
                        .ok_or_else(|| WireError(format!("unknown rejection reason {code}")))?;
                    if rejected.last().is_some_and(|(p, _)| *p >= d) {
                        return Err(WireError(format!("rejected DP {d} is out of order or repeated")));
                    }
                    rejected.push((d, why));
                }
                Message::DpReport(DpReport {
                    task,
                    index,
                    accepted,
                    rejected,
                })
            }
            MessageKind::AgreedSet => {
                let n = r.count(4, "excluded count")?;
                let mut excluded: Vec<u32> = Vec::with_capacity(n);
                for _ in 0..n {
                    let d = r.u32("excluded DP")?;
                    if excluded.last().is_some_and(|p| *p >= d) {
                        return Err(WireError(format!("excluded DP {d} is out of order or repeated")));
                    }
                    excluded.push(d);
                }
                Message::AgreedSet(AgreedSet { task, excluded })
            }
        };
        r.finish()?;
        Ok(msg)
    }

    /// Decode, requiring a given kind.
    pub fn decode_kind(bytes: &[u8], want: MessageKind) -> Result<Message, WireError> {
        let m = Message::decode(bytes)?;
        if m.kind() != want {
            return Err(WireError(format!("expected a {want} message, got {}", m.kind())));
        }
        Ok(m)
    }
}

/// Context strings bound into ciphertexts (OAEP labels) and signatures.
pub mod labels {
    use super::TaskId;

    fn build(tag: &str, task: &TaskId, extra: &[u8]) -> Vec<u8> {
        let mut v = Vec::with_capacity(tag.len() + 16 + extra.len());
        v.extend_from_slice(tag.as_bytes());
        v.extend_from_slice(task);
        v.extend_from_slice(extra);
        v
    }
    /// Label of the VID token.
    pub fn token(task: &TaskId) -> Vec<u8> {
        build("dsmpc/v1/token/", task, &[])
    }
    /// Label of the index answer to VID `vid`.
    pub fn index(task: &TaskId, vid: u32) -> Vec<u8> {
        build("dsmpc/v1/index/", task, &vid.to_be_bytes())
    }
    /// Label of DP `dp`'s share for CP `i`.
    pub fn share(task: &TaskId, dp: u32, i: u16) -> Vec<u8> {
        let mut extra = dp.to_be_bytes().to_vec();
        extra.extend_from_slice(&i.to_be_bytes());
        build("dsmpc/v1/share/", task, &extra)
    }
    /// Label of CP `i`'s result.
    pub fn result(task: &TaskId, i: u16) -> Vec<u8> {
        build("dsmpc/v1/result/", task, &i.to_be_bytes())
    }
    /// The statement a DP signs over its commitments: task, DP number and every element.
    pub fn commitments(task: &TaskId, dp: u32, elements: &[Vec<u8>]) -> Vec<u8> {
        let mut extra = dp.to_be_bytes().to_vec();
        extra.extend_from_slice(&(elements.len() as u32).to_be_bytes());
        for e in elements {
            extra.extend_from_slice(&(e.len() as u32).to_be_bytes());
            extra.extend_from_slice(e);
        }
        build("dsmpc/v1/commitments/", task, &extra)
    }
    /// The signed statement of an auth request.
    pub fn auth_statement(task: &TaskId, vid: u32, nonce: &[u8; 16], ts: u64) -> Vec<u8> {
        let mut extra = vid.to_be_bytes().to_vec();
        extra.extend_from_slice(nonce);
        extra.extend_from_slice(&ts.to_be_bytes());
        build("dsmpc/v1/auth/", task, &extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TASK: TaskId = [7; TASK_ID_LEN];

    fn round_trip(m: Message) {
        let bytes = m.encode();
        assert_eq!(Message::decode(&bytes).unwrap(), m);
        assert_eq!(Message::decode_kind(&bytes, m.kind()).unwrap(), m);
        // Every strict prefix is truncated, and one more byte is trailing.
        for cut in 0..bytes.len() {
            assert!(Message::decode(&bytes[..cut]).is_err(), "{} cut at {cut}", m.kind());
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(Message::decode(&long).unwrap_err().0.contains("trailing"));
    }

    fn report(accepted: Vec<(u32, u32)>, rejected: Vec<(u32, Rejection)>) -> Message {
        Message::DpReport(DpReport {
            task: TASK,
            index: 3,
            accepted,
            rejected,
        })
    }

    #[test]
    fn vss_kinds_round_trip() {
        round_trip(Message::Commitments(Commitments {
            task: TASK,
            dp: 9,
            elements: vec![vec![1; 128], vec![2; 128], vec![3; 128]],
            sig: vec![4; 64],
        }));
        round_trip(report(
            vec![(1, 4), (6, 6), (8, 20)],
            vec![(5, Rejection::Mismatch), (7, Rejection::Undecryptable)],
        ));
        round_trip(report(vec![], vec![]));
        round_trip(Message::AgreedSet(AgreedSet {
            task: TASK,
            excluded: vec![2, 5, 11],
        }));
        for r in Rejection::ALL {
            assert_eq!(Rejection::from_code(r.code()), Some(r));
        }
        assert_eq!(MessageKind::ALL.len(), 9);
        let tags: std::collections::BTreeSet<u8> = MessageKind::ALL.iter().map(|k| k.tag()).collect();
        assert_eq!(tags.len(), 9, "tags are distinct");
    }

    #[test]
    fn reports_are_decoded_strictly() {
        let bad = |m: Message, want: &str| {
            let err = Message::decode(&m.encode()).unwrap_err();
            assert!(err.0.contains(want), "{err}");
        };
        bad(report(vec![(3, 2)], vec![]), "empty, unordered or overlapping");
        bad(report(vec![(1, 4), (4, 6)], vec![]), "empty, unordered or overlapping");
        bad(report(vec![(5, 6), (1, 2)], vec![]), "empty, unordered or overlapping");
        bad(
            report(vec![], vec![(5, Rejection::Mismatch), (5, Rejection::Malformed)]),
            "out of order or repeated",
        );
        bad(
            Message::AgreedSet(AgreedSet {
                task: TASK,
                excluded: vec![4, 2],
            }),
            "out of order or repeated",
        );
        // An unknown reason byte, and a count that cannot fit in what is left.
        let mut bytes = report(vec![], vec![(5, Rejection::Mismatch)]).encode();
        *bytes.last_mut().unwrap() = 99;
        assert!(
            Message::decode(&bytes)
                .unwrap_err()
                .0
                .contains("unknown rejection reason 99")
        );
        let mut bytes = report(vec![], vec![]).encode();
        bytes[20..24].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(Message::decode(&bytes).unwrap_err().0.contains("accepted range count"));
    }

    #[test]
    fn ranges_and_membership() {
        assert_eq!(DpReport::ranges([1, 2, 3, 5, 7, 8]), vec![(1, 3), (5, 5), (7, 8)]);
        assert_eq!(DpReport::ranges([]), vec![]);
        assert_eq!(
            DpReport::ranges([u32::MAX - 1, u32::MAX]),
            vec![(u32::MAX - 1, u32::MAX)]
        );
        let Message::DpReport(r) = report(vec![(1, 3), (5, 5), (7, 8)], vec![]) else {
            unreachable!()
        };
        let accepted: Vec<u32> = (0..=10).filter(|d| r.accepts(*d)).collect();
        assert_eq!(accepted, vec![1, 2, 3, 5, 7, 8]);
    }
}
