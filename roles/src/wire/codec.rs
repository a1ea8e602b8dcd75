//! The byte-level writer and reader every message is encoded with: big-endian integers,
//! `u16`-length-prefixed byte strings, item counts checked against what is left, and no
//! trailing bytes.

use super::{MessageKind, TaskId, VERSION, WireError};

/// Writes a message: the header ([`Writer::new`]), then its fields in order.
pub(super) struct Writer(Vec<u8>);

impl Writer {
    /// The header: version, kind, task.
    pub(super) fn new(kind: MessageKind, task: &TaskId) -> Self {
        let mut v = Vec::with_capacity(64);
        v.push(VERSION);
        v.push(kind.tag());
        v.extend_from_slice(task);
        Writer(v)
    }
    /// The message's bytes.
    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.0
    }
    pub(super) fn u8(&mut self, x: u8) {
        self.0.push(x);
    }
    pub(super) fn u16(&mut self, x: u16) {
        self.0.extend_from_slice(&x.to_be_bytes());
    }
    pub(super) fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_be_bytes());
    }
    pub(super) fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_be_bytes());
    }
    pub(super) fn fixed(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    /// A length-prefixed field: a u16 length below 0xFFFF (every field of a scalar session,
    /// whose largest is a 4096-bit value), else 0xFFFF and a u32 length (vector shares and
    /// sums). Messages are bounded far below 2^32 ([`super::MAX_MESSAGE_LEN`]).
    pub(super) fn bytes(&mut self, b: &[u8]) {
        match u16::try_from(b.len()) {
            Ok(n) if n < u16::MAX => self.u16(n),
            _ => {
                self.u16(u16::MAX);
                self.u32(u32::try_from(b.len()).unwrap_or(u32::MAX));
            }
        }
        self.0.extend_from_slice(b);
    }
}

/// Reads a message's fields in order; every read is bounded by what is left.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    pub(super) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], WireError> {
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
    pub(super) fn left(&self) -> usize {
        self.buf.len() - self.pos
    }
    pub(super) fn u8(&mut self, what: &str) -> Result<u8, WireError> {
        Ok(self.take(1, what)?[0])
    }
    pub(super) fn u16(&mut self, what: &str) -> Result<u16, WireError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    pub(super) fn u32(&mut self, what: &str) -> Result<u32, WireError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(super) fn u64(&mut self, what: &str) -> Result<u64, WireError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    pub(super) fn bytes(&mut self, what: &str) -> Result<Vec<u8>, WireError> {
        let n = match self.u16(what)? {
            u16::MAX => self.u32(what)? as usize,
            n => n as usize,
        };
        Ok(self.take(n, what)?.to_vec())
    }
    /// A u32 item count, refused if `count * min_item` bytes cannot follow.
    pub(super) fn count(&mut self, min_item: usize, what: &str) -> Result<usize, WireError> {
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
    /// Every byte was read.
    pub(super) fn finish(self) -> Result<(), WireError> {
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
