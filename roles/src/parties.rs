//! The four roles of D-SMPC, each holding only the state it really has.
//!
//! - [`Cloud`]: its decryption key, the registry of vehicles (VID -> public keys), the task,
//!   the nonces seen and the CPs selected (Algorithm 1), and the roster it hands to DPs.
//! - [`ComputingParty`]: its own keys, the Cloud's public key, its index once selected, and a
//!   running sum of verified shares (Algorithm 2, steps 3-4). It never sees another CP's key.
//! - [`DataProvider`]: its value and the roster (Algorithm 2, steps 1-2).
//! - [`Edge`]: the Cloud's decryption key (as in the reference prototype) and the results it
//!   received; it reconstructs sum and average from any t of them.
//!
//! Parties exchange only encoded bytes (see [`crate::wire`]), so every message is decoded, and
//! every malformed one rejected, exactly as it would be over a network.

/// Decode `$bytes` as a `$kind` message from `$from` for task `$task`: the message body, or
/// the caller returns `Malformed` (undecodable) or `WrongTask`.
macro_rules! receive {
    ($bytes:expr, $kind:ident, $from:expr, $task:expr) => {{
        let from: &str = $from;
        match $crate::parties::decode($bytes, $crate::wire::MessageKind::$kind, from)? {
            $crate::wire::Message::$kind(m) if m.task == *$task => m,
            $crate::wire::Message::$kind(_) => {
                return Err($crate::error::RolesError::WrongTask {
                    from: from.into(),
                    kind: $crate::wire::MessageKind::$kind,
                });
            }
            _ => {
                return Err($crate::parties::malformed(
                    $crate::wire::MessageKind::$kind,
                    from,
                    "a message of another kind",
                ));
            }
        }
    }};
}

mod cloud;
mod cp;
mod dp;
mod edge;

pub use cloud::{Cloud, Registration};
pub use cp::{ComputingParty, CpKeys};
pub use dp::DataProvider;
pub use edge::{Agreement, Check, Edge, Outcome, exact_average};

use crate::error::RolesError;
use crate::wire::{Message, MessageKind};

/// The protocol clock (Unix seconds). Seeded runs use a fixed logical time so that the same
/// seed gives the same transcript; other runs use the system clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed time.
    Fixed(u64),
}

impl Clock {
    /// The logical time used by seeded runs: 2025-06-15T00:00:00Z.
    pub const SEEDED: Clock = Clock::Fixed(1_749_945_600);

    /// Now, in Unix seconds.
    pub fn now(self) -> u64 {
        match self {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            Clock::Fixed(t) => t,
        }
    }
}

/// Log name of a candidate CP before selection.
pub fn candidate_name(vid: u32) -> String {
    format!("CP(VID={vid})")
}

/// Log name of a selected CP.
pub fn cp_name(index: u16) -> String {
    format!("CP(i={index})")
}

/// Log name of a DP.
pub fn dp_name(d: u32) -> String {
    format!("DP{d}")
}

pub(crate) fn decode(bytes: &[u8], kind: MessageKind, from: &str) -> Result<Message, RolesError> {
    Message::decode_kind(bytes, kind).map_err(|e| RolesError::Malformed {
        kind,
        from: from.to_string(),
        reason: e.0,
    })
}

pub(crate) fn malformed(kind: MessageKind, from: &str, reason: impl Into<String>) -> RolesError {
    RolesError::Malformed {
        kind,
        from: from.to_string(),
        reason: reason.into(),
    }
}
