//! The messages of the sharing (Algorithm 2): a DP's share packet for one CP, and a CP's
//! encrypted sum-share for the Edge.

use super::codec::{Reader, Writer};
use super::{TaskId, WireError};

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

impl SharePacket {
    pub(super) fn write(&self, w: &mut Writer) {
        w.u32(self.dp);
        w.u16(self.index);
        w.bytes(&self.eshare);
        w.bytes(&self.e);
        w.bytes(&self.c);
        w.bytes(&self.r);
    }
    pub(super) fn read(task: TaskId, r: &mut Reader<'_>) -> Result<Self, WireError> {
        let dp = r.u32("DP number")?;
        let index = r.u16("CP index")?;
        let eshare = r.bytes("encrypted share")?;
        let e = r.bytes("E")?;
        let c = r.bytes("C")?;
        let rr = r.bytes("r")?;
        Ok(SharePacket {
            task,
            dp,
            index,
            eshare,
            e,
            c,
            r: rr,
        })
    }
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

impl ResultUpload {
    pub(super) fn write(&self, w: &mut Writer) {
        w.u16(self.index);
        w.bytes(&self.ct);
    }
    pub(super) fn read(task: TaskId, r: &mut Reader<'_>) -> Result<Self, WireError> {
        let index = r.u16("CP index")?;
        let ct = r.bytes("result ciphertext")?;
        Ok(ResultUpload { task, index, ct })
    }
}
