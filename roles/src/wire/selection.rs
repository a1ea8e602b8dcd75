//! The messages of the selection (Algorithm 1): the Cloud's announcement, a candidate's
//! authentication request, the Cloud's answer, and the roster of the selected CPs.

use super::codec::{Reader, Writer};
use super::{NONCE_LEN, TaskId, WireError};

/// Task announcement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskAnnounce {
    /// The task.
    pub task: TaskId,
    /// The Cloud's public encryption key (suite encoding).
    pub cloud_pk: Vec<u8>,
}

impl TaskAnnounce {
    pub(super) fn write(&self, w: &mut Writer) {
        w.bytes(&self.cloud_pk);
    }
    pub(super) fn read(task: TaskId, r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(TaskAnnounce {
            task,
            cloud_pk: r.bytes("cloud key")?,
        })
    }
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

impl AuthRequest {
    pub(super) fn write(&self, w: &mut Writer) {
        w.bytes(&self.token);
        w.fixed(&self.nonce);
        w.u64(self.ts);
        w.bytes(&self.sig);
    }
    pub(super) fn read(task: TaskId, r: &mut Reader<'_>) -> Result<Self, WireError> {
        let token = r.bytes("token")?;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(r.take(NONCE_LEN, "nonce")?);
        let ts = r.u64("timestamp")?;
        let sig = r.bytes("signature")?;
        Ok(AuthRequest {
            task,
            token,
            nonce,
            ts,
            sig,
        })
    }
}

/// The Cloud's answer to an auth request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexAssign {
    /// The task.
    pub task: TaskId,
    /// `Some(Enc_Vpk(i))` if selected; `None`: valid but past capacity.
    pub ct: Option<Vec<u8>>,
}

impl IndexAssign {
    pub(super) fn write(&self, w: &mut Writer) {
        match &self.ct {
            Some(ct) => {
                w.u8(1);
                w.bytes(ct);
            }
            None => w.u8(0),
        }
    }
    pub(super) fn read(task: TaskId, r: &mut Reader<'_>) -> Result<Self, WireError> {
        let ct = match r.u8("selected flag")? {
            0 => None,
            1 => Some(r.bytes("index ciphertext")?),
            f => return Err(WireError(format!("selected flag {f} is neither 0 nor 1"))),
        };
        Ok(IndexAssign { task, ct })
    }
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

impl Roster {
    pub(super) fn write(&self, w: &mut Writer) {
        w.u16(self.t);
        w.u16(self.entries.len() as u16);
        for e in &self.entries {
            w.u16(e.index);
            w.u32(e.vid);
            w.bytes(&e.enc_pk);
            w.bytes(&e.pvss_pk);
        }
    }
    pub(super) fn read(task: TaskId, r: &mut Reader<'_>) -> Result<Self, WireError> {
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
        Ok(Roster { task, t, entries })
    }
}
