//! Which group: [`GroupKind`], the runtime choice behind `--group` and the CSV `group` column.

use std::fmt;
use std::str::FromStr;

use super::SUPPORTED_BITS;

/// A prime-order group the protocol can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKind {
    /// The shipped Schnorr group with a p of this many bits (1024, 2048, 3072, 4096), over the
    /// session's big-integer backend.
    Schnorr(u32),
    /// ristretto255 (RFC 9496) on curve25519-dalek; the backend does not apply.
    Ristretto255,
}

impl GroupKind {
    /// Every group, in the order tables and figures show them.
    pub const ALL: [GroupKind; 5] = [
        GroupKind::Schnorr(1024),
        GroupKind::Schnorr(2048),
        GroupKind::Schnorr(3072),
        GroupKind::Schnorr(4096),
        GroupKind::Ristretto255,
    ];

    /// The command-line and CSV name: `schnorr-1024` ... `schnorr-4096`, `ristretto255`.
    pub fn name(self) -> String {
        match self {
            GroupKind::Schnorr(bits) => format!("schnorr-{bits}"),
            GroupKind::Ristretto255 => "ristretto255".to_string(),
        }
    }

    /// The bits of p of a Schnorr group; `None` for ristretto255.
    pub fn schnorr_bits(self) -> Option<u32> {
        match self {
            GroupKind::Schnorr(bits) => Some(bits),
            GroupKind::Ristretto255 => None,
        }
    }

    /// The CSV `group_bits` column: bits of p for a Schnorr group, 0 for ristretto255 (as
    /// `rsa_bits` is 0 for the elliptic-curve suites).
    pub fn group_bits(self) -> u32 {
        self.schnorr_bits().unwrap_or(0)
    }

    /// Whether the big-integer backend choice applies (it serves the Schnorr groups only).
    pub fn uses_backend(self) -> bool {
        matches!(self, GroupKind::Schnorr(_))
    }

    /// Bytes of an encoded element.
    pub fn element_len(self) -> usize {
        match self {
            GroupKind::Schnorr(bits) => bits.div_ceil(8) as usize,
            GroupKind::Ristretto255 => super::ristretto::ELEMENT_LEN,
        }
    }

    /// The group of an old CSV row or file that names only `group_bits`.
    pub fn from_group_bits(bits: u32) -> GroupKind {
        if bits == 0 {
            GroupKind::Ristretto255
        } else {
            GroupKind::Schnorr(bits)
        }
    }
}

impl Default for GroupKind {
    /// The reference prototype's group: Schnorr, 1024 bits.
    fn default() -> Self {
        GroupKind::Schnorr(1024)
    }
}

impl fmt::Display for GroupKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for GroupKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        if matches!(t.as_str(), "ristretto255" | "ristretto") {
            return Ok(GroupKind::Ristretto255);
        }
        let bits = t
            .strip_prefix("schnorr-")
            .or_else(|| t.strip_prefix("schnorr"))
            .and_then(|b| b.parse::<u32>().ok());
        match bits {
            Some(b) if SUPPORTED_BITS.contains(&b) => Ok(GroupKind::Schnorr(b)),
            _ => Err(format!(
                "unknown group {s:?}: choose schnorr-1024, schnorr-2048, schnorr-3072, schnorr-4096 or ristretto255"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bad_names_say_the_choices() {
        for k in GroupKind::ALL {
            assert_eq!(k.name().parse::<GroupKind>().unwrap(), k);
            assert_eq!(GroupKind::from_group_bits(k.group_bits()), k);
        }
        assert_eq!(" Ristretto ".parse::<GroupKind>().unwrap(), GroupKind::Ristretto255);
        let e = "schnorr-1000".parse::<GroupKind>().unwrap_err();
        assert!(e.contains("ristretto255") && e.contains("schnorr-2048"), "{e}");
        assert!("".parse::<GroupKind>().is_err());
    }
}
