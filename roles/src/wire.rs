//! The binary wire format of every D-SMPC message (specified in `roles/WIRE.md`).
//!
//! A message is `version (u8 = 1) || kind (u8) || task_id (16 bytes) || body`. Integers are
//! big-endian; variable-length byte strings carry a `u16` length prefix. Decoding is strict:
//! wrong version or kind, truncation, oversized lengths and trailing bytes are all errors.
//! The encoded length is the message's byte count; [`Message::payload_len`] is the size of
//! the cryptographic fields alone, as the reference prototype counted it.
//!
//! Each message's fields are written and read next to its type, grouped by the part of the
//! protocol that sends it: `selection` (Algorithm 1), `sharing` (Algorithm 2) and
//! `agreement` (the `vss` round); `codec` holds the byte-level writer and reader, [`labels`]
//! the context strings bound into ciphertexts and signatures. This file holds the header, the
//! kinds and the dispatch.

use std::fmt;

mod agreement;
mod codec;
pub mod labels;
mod selection;
mod sharing;

pub use agreement::{AgreedSet, Commitments, DpReport, Rejection};
pub use selection::{AuthRequest, IndexAssign, Roster, RosterEntry, TaskAnnounce};
pub use sharing::{ResultUpload, SharePacket};

use codec::{Reader, Writer};

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

/// The longest share packet or result upload (256 MiB): those of vector sessions carry 8 bytes
/// per element (32 in `vss`), so 16 MiB would stop them at about 2 M elements (0.5 M). Checked
/// with the kind byte, before anything else in the message is read; over TLS such a message
/// crosses the network as several frames (`dsmpc-net`'s `frame`).
pub const MAX_VECTOR_MESSAGE_LEN: usize = 256 << 20;

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

    /// The longest message of this kind: [`MAX_VECTOR_MESSAGE_LEN`] for share packets and
    /// result uploads (vectors), [`MAX_MESSAGE_LEN`] for the others.
    pub fn max_len(self) -> usize {
        match self {
            MessageKind::SharePacket | MessageKind::ResultUpload => MAX_VECTOR_MESSAGE_LEN,
            _ => MAX_MESSAGE_LEN,
        }
    }

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
            Message::TaskAnnounce(m) => m.write(&mut w),
            Message::AuthRequest(m) => m.write(&mut w),
            Message::IndexAssign(m) => m.write(&mut w),
            Message::Roster(m) => m.write(&mut w),
            Message::SharePacket(m) => m.write(&mut w),
            Message::ResultUpload(m) => m.write(&mut w),
            Message::Commitments(m) => m.write(&mut w),
            Message::DpReport(m) => m.write(&mut w),
            Message::AgreedSet(m) => m.write(&mut w),
        }
        w.into_bytes()
    }

    /// Decode any message.
    pub fn decode(bytes: &[u8]) -> Result<Message, WireError> {
        if bytes.len() > MAX_VECTOR_MESSAGE_LEN {
            return Err(WireError(format!(
                "{} bytes is longer than any message ({MAX_VECTOR_MESSAGE_LEN} bytes at most)",
                bytes.len()
            )));
        }
        let mut r = Reader::new(bytes);
        let version = r.u8("version")?;
        if version != VERSION {
            return Err(WireError(format!("unsupported version {version} (expected {VERSION})")));
        }
        let tag = r.u8("kind")?;
        let kind = MessageKind::ALL
            .into_iter()
            .find(|k| k.tag() == tag)
            .ok_or_else(|| WireError(format!("unknown message kind {tag}")))?;
        if bytes.len() > kind.max_len() {
            return Err(WireError(format!(
                "{} bytes is longer than any {kind} message ({} bytes at most)",
                bytes.len(),
                kind.max_len()
            )));
        }
        let mut task = [0u8; TASK_ID_LEN];
        task.copy_from_slice(r.take(TASK_ID_LEN, "task id")?);
        let msg = match kind {
            MessageKind::TaskAnnounce => Message::TaskAnnounce(TaskAnnounce::read(task, &mut r)?),
            MessageKind::AuthRequest => Message::AuthRequest(AuthRequest::read(task, &mut r)?),
            MessageKind::IndexAssign => Message::IndexAssign(IndexAssign::read(task, &mut r)?),
            MessageKind::Roster => Message::Roster(Roster::read(task, &mut r)?),
            MessageKind::SharePacket => Message::SharePacket(SharePacket::read(task, &mut r)?),
            MessageKind::ResultUpload => Message::ResultUpload(ResultUpload::read(task, &mut r)?),
            MessageKind::Commitments => Message::Commitments(Commitments::read(task, &mut r)?),
            MessageKind::DpReport => Message::DpReport(DpReport::read(task, &mut r)?),
            MessageKind::AgreedSet => Message::AgreedSet(AgreedSet::read(task, &mut r)?),
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
    fn share_packets_and_uploads_may_pass_the_message_limit_and_nothing_else_may() {
        let big = vec![5u8; MAX_MESSAGE_LEN + 100];
        let packet = Message::SharePacket(SharePacket {
            task: TASK,
            dp: 1,
            index: 2,
            eshare: big.clone(),
            e: vec![],
            c: vec![],
            r: vec![],
        });
        let bytes = packet.encode();
        assert!(bytes.len() > MAX_MESSAGE_LEN);
        assert_eq!(Message::decode(&bytes).unwrap(), packet);
        let upload = Message::ResultUpload(ResultUpload {
            task: TASK,
            index: 2,
            ct: big.clone(),
        });
        assert_eq!(Message::decode(&upload.encode()).unwrap(), upload);
        // The kind byte alone decides: a commitments message as long is refused before its
        // fields are read, and so is any message beyond the vector limit.
        let mut other = bytes.clone();
        other[1] = MessageKind::Commitments.tag();
        let e = Message::decode(&other).unwrap_err();
        assert!(e.0.contains("longer than any commitments message"), "{e}");
        let mut huge = bytes;
        huge.resize(MAX_VECTOR_MESSAGE_LEN + 1, 0);
        assert!(
            Message::decode(&huge)
                .unwrap_err()
                .0
                .contains("longer than any message")
        );
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
