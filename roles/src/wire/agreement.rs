//! The messages of the agreement round (`vss` only, beyond the paper): a DP's signed
//! commitments, a CP's report of the DPs it accepted and rejected, and the Edge's agreed set.
//! Lists are decoded strictly: ascending, without repeats, every count checked against what
//! is left.

use std::fmt;

use super::codec::{Reader, Writer};
use super::{TaskId, WireError};

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
    /// The DP's signature (64 bytes: ECDSA P-256, or Ed25519 with the x25519 suite) over
    /// [`super::labels::commitments`], so that a CP can
    /// check what the Edge relays without trusting the Edge for its origin.
    pub sig: Vec<u8>,
}

impl Commitments {
    pub(super) fn write(&self, w: &mut Writer) {
        w.u32(self.dp);
        w.u16(self.elements.len().min(u16::MAX as usize) as u16);
        for e in self.elements.iter().take(u16::MAX as usize) {
            w.bytes(e);
        }
        w.bytes(&self.sig);
    }
    pub(super) fn read(task: TaskId, r: &mut Reader<'_>) -> Result<Self, WireError> {
        let dp = r.u32("DP number")?;
        let count = r.u16("commitment count")? as usize;
        let mut elements = Vec::with_capacity(count.min(r.left() / 2));
        for _ in 0..count {
            elements.push(r.bytes("commitment")?);
        }
        let sig = r.bytes("DP signature")?;
        Ok(Commitments {
            task,
            dp,
            elements,
            sig,
        })
    }
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

    pub(super) fn write(&self, w: &mut Writer) {
        w.u16(self.index);
        w.u32(self.accepted.len() as u32);
        for (first, last) in &self.accepted {
            w.u32(*first);
            w.u32(*last);
        }
        w.u32(self.rejected.len() as u32);
        for (d, why) in &self.rejected {
            w.u32(*d);
            w.u8(why.code());
        }
    }

    pub(super) fn read(task: TaskId, r: &mut Reader<'_>) -> Result<Self, WireError> {
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
            let why =
                Rejection::from_code(code).ok_or_else(|| WireError(format!("unknown rejection reason {code}")))?;
            if rejected.last().is_some_and(|(p, _)| *p >= d) {
                return Err(WireError(format!("rejected DP {d} is out of order or repeated")));
            }
            rejected.push((d, why));
        }
        Ok(DpReport {
            task,
            index,
            accepted,
            rejected,
        })
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

impl AgreedSet {
    pub(super) fn write(&self, w: &mut Writer) {
        w.u32(self.excluded.len() as u32);
        for d in &self.excluded {
            w.u32(*d);
        }
    }
    pub(super) fn read(task: TaskId, r: &mut Reader<'_>) -> Result<Self, WireError> {
        let n = r.count(4, "excluded count")?;
        let mut excluded: Vec<u32> = Vec::with_capacity(n);
        for _ in 0..n {
            let d = r.u32("excluded DP")?;
            if excluded.last().is_some_and(|p| *p >= d) {
                return Err(WireError(format!("excluded DP {d} is out of order or repeated")));
            }
            excluded.push(d);
        }
        Ok(AgreedSet { task, excluded })
    }
}
