//! The verification modes the report compares, typed: the `verify` column of the sweep files
//! holds their names, and [`Mode::of`] reads one (a name this crate does not know is `None`,
//! shown as it is but never matched as a mode).

use std::fmt;

/// A verification mode (`verify` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// Batch verification of the paper's checks.
    Batch,
    /// The fast check.
    Fast,
    /// Pedersen verifiable secret sharing (beyond the paper).
    Vss,
    /// The paper's verification, the reference of the comparisons.
    Paper,
}

impl Mode {
    /// Every mode, in the report's order of preference (earlier is preferred when breaking
    /// ties).
    pub const ALL: [Mode; 4] = [Mode::Batch, Mode::Fast, Mode::Vss, Mode::Paper];

    /// The names of [`Mode::ALL`], in that order.
    pub const NAMES: [&'static str; 4] = ["batch", "fast", "vss", "paper"];

    /// The mode's name in the `verify` column.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Batch => Self::NAMES[0],
            Mode::Fast => Self::NAMES[1],
            Mode::Vss => Self::NAMES[2],
            Mode::Paper => Self::NAMES[3],
        }
    }

    /// The mode named `name` (`None` for a name this crate does not know).
    pub fn of(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Mode;

    #[test]
    fn names_read_back_and_unknown_names_are_none() {
        for m in Mode::ALL {
            assert_eq!(Mode::of(m.name()), Some(m));
            assert_eq!(m.to_string(), m.name());
        }
        assert_eq!(Mode::of("VSS"), None);
        assert_eq!(Mode::of(""), None);
    }
}
