//! A sweep point's parameters ([`Params`]): the 16 columns that `phases.csv`, `messages.csv`
//! and `sessions.csv` all carry ([`PARAM_COLUMNS`]), one type for the three row types that bench
//! writes and for the rows reports reads back; and the dimensions a grid varies ([`Dim`],
//! [`DimValue`]), which figures and the report slice points by.
//!
//! The csv crate cannot write a struct inside a row when it takes the header from the field
//! names, nor a `#[serde(flatten)]` one (that goes through a map), so the rows serialise their
//! fields by hand and [`Params::serialize_into`] writes these columns in place.

use std::fmt;

use serde::ser::SerializeStruct;

/// The columns that define a sweep point, shared by `phases.csv`, `messages.csv` and
/// `sessions.csv` (besides `point` itself); `provider` is absent from sweeps written before the
/// provider axis (read as `rustcrypto`), `net` from sweeps written before the net axis (read as
/// `memory`), `group` from sweeps written before the group axis (read as `schnorr-<group_bits>`),
/// `dim` and `func` from sweeps written before vector inputs (read as 1 and `sum`).
pub const PARAM_COLUMNS: [&str; 16] = [
    "net",
    "backend",
    "suite",
    "provider",
    "verify",
    "n",
    "m",
    "k",
    "t",
    "rsa_bits",
    "group_bits",
    "group",
    "value_bits",
    "dim",
    "func",
    "seed",
];

/// The parameters that define a sweep point (everything but the repetition), in
/// [`PARAM_COLUMNS`] order.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Params {
    /// The network: `memory`, `sim:PROFILE`, `process` or `netns:PROFILE` (`memory` for files
    /// written before the column existed).
    pub net: String,
    /// Big-integer backend: `num` or `gmp`; `n/a` where it does not apply (ristretto255).
    pub backend: String,
    /// Cipher suite: `rsa` or `p256`.
    pub suite: String,
    /// Crypto provider: `rustcrypto` or `awslc` (`rustcrypto` for files written before the
    /// column existed).
    pub provider: String,
    /// Verification mode: `paper`, `fast`, `batch` or `vss`.
    pub verify: String,
    /// Number of data providers.
    pub n: u64,
    /// Number of candidate computing parties.
    pub m: u64,
    /// Number of selected computing parties (Cloud capacity).
    pub k: u64,
    /// Reconstruction threshold.
    pub t: u64,
    /// RSA modulus bits (0 with the p256 suite).
    pub rsa_bits: u64,
    /// Bits of the Schnorr group modulus p; 0 for ristretto255.
    pub group_bits: u64,
    /// The group: `schnorr-<group_bits>` or `ristretto255` (`schnorr-<group_bits>` for files
    /// written before the column existed).
    pub group: String,
    /// Bits of each data provider's value (of each element of a vector input).
    pub value_bits: u64,
    /// Elements of each data provider's input (`--dim`; 1 for files written before the column
    /// existed).
    pub dim: u64,
    /// The function aggregated: `sum`, `mean`, `histogram:B`, `meanvar`, `vector-sum`,
    /// `vector-mean` (`sum` for files written before the column existed).
    pub func: String,
    /// The point's seed.
    pub seed: u64,
}

impl Params {
    /// Writes the columns from `backend` to `seed` as fields of the row `st` is writing (`net`
    /// is written apart, by [`Params::serialize_net`], because `sessions.csv` puts `profile`
    /// between the two).
    pub fn serialize_into<S: SerializeStruct>(&self, st: &mut S) -> Result<(), S::Error> {
        st.serialize_field("backend", &self.backend)?;
        st.serialize_field("suite", &self.suite)?;
        st.serialize_field("provider", &self.provider)?;
        st.serialize_field("verify", &self.verify)?;
        st.serialize_field("n", &self.n)?;
        st.serialize_field("m", &self.m)?;
        st.serialize_field("k", &self.k)?;
        st.serialize_field("t", &self.t)?;
        st.serialize_field("rsa_bits", &self.rsa_bits)?;
        st.serialize_field("group_bits", &self.group_bits)?;
        st.serialize_field("group", &self.group)?;
        st.serialize_field("value_bits", &self.value_bits)?;
        st.serialize_field("dim", &self.dim)?;
        st.serialize_field("func", &self.func)?;
        st.serialize_field("seed", &self.seed)
    }

    /// Field elements each data provider shares: `dim`, the buckets of `histogram:B`, twice
    /// `dim` for `meanvar` (each value and its square); 1 for the paper's one value.
    pub fn elements(&self) -> u64 {
        match self.func.as_str() {
            "meanvar" => self.dim.saturating_mul(2),
            f => match f.strip_prefix("histogram:").map(str::parse::<u64>) {
                Some(Ok(buckets)) => buckets,
                _ => self.dim.max(1),
            },
        }
    }

    /// Writes the `net` column as a field of the row `st` is writing.
    pub fn serialize_net<S: SerializeStruct>(&self, st: &mut S) -> Result<(), S::Error> {
        st.serialize_field("net", &self.net)
    }

    /// The value of dimension `d`.
    pub fn get(&self, d: Dim) -> DimValue {
        match d {
            Dim::Net => DimValue::Text(self.net.clone()),
            Dim::Backend => DimValue::Text(self.backend.clone()),
            Dim::Verify => DimValue::Text(self.verify.clone()),
            Dim::Suite => DimValue::Text(self.suite.clone()),
            Dim::Provider => DimValue::Text(self.provider.clone()),
            Dim::N => DimValue::Num(self.n),
            Dim::K => DimValue::Num(self.k),
            Dim::M => DimValue::Num(self.m),
            Dim::T => DimValue::Num(self.t),
            Dim::RsaBits => DimValue::Num(self.rsa_bits),
            Dim::GroupBits => DimValue::Num(self.group_bits),
            Dim::Group => DimValue::Text(self.group.clone()),
            Dim::ValueBits => DimValue::Num(self.value_bits),
            Dim::Dim => DimValue::Num(self.dim),
            Dim::Func => DimValue::Text(self.func.clone()),
        }
    }
}

/// A sweep dimension: one of the parameters a grid can vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    /// The network sessions ran on.
    Net,
    /// Big-integer backend.
    Backend,
    /// Verification mode.
    Verify,
    /// Cipher suite.
    Suite,
    /// Crypto provider.
    Provider,
    /// Number of data providers.
    N,
    /// Number of selected computing parties.
    K,
    /// Number of candidate computing parties.
    M,
    /// Threshold.
    T,
    /// RSA modulus bits.
    RsaBits,
    /// Group modulus bits.
    GroupBits,
    /// The group (`schnorr-2048`, `ristretto255`, ...).
    Group,
    /// Bits per data-provider value.
    ValueBits,
    /// Elements of each data provider's input (`dim`).
    Dim,
    /// The function aggregated (`sum`, `histogram:10`, ...).
    Func,
}

impl Dim {
    /// Every dimension, in the order captions list them.
    pub const ALL: [Dim; 15] = [
        Dim::Net,
        Dim::Backend,
        Dim::Verify,
        Dim::Suite,
        Dim::Provider,
        Dim::N,
        Dim::K,
        Dim::M,
        Dim::T,
        Dim::RsaBits,
        Dim::GroupBits,
        Dim::Group,
        Dim::ValueBits,
        Dim::Dim,
        Dim::Func,
    ];

    /// The column name of the dimension.
    pub fn name(self) -> &'static str {
        match self {
            Dim::Net => "net",
            Dim::Backend => "backend",
            Dim::Verify => "verify",
            Dim::Suite => "suite",
            Dim::Provider => "provider",
            Dim::N => "n",
            Dim::K => "k",
            Dim::M => "m",
            Dim::T => "t",
            Dim::RsaBits => "rsa_bits",
            Dim::GroupBits => "group_bits",
            Dim::Group => "group",
            Dim::ValueBits => "value_bits",
            Dim::Dim => "dim",
            Dim::Func => "func",
        }
    }
}

/// The value of one dimension at one point.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DimValue {
    /// A numeric parameter.
    Num(u64),
    /// A named parameter (backend, suite, verification mode, function).
    Text(String),
}

impl DimValue {
    /// The numeric value, if any.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            DimValue::Num(v) => Some(*v as f64),
            DimValue::Text(_) => None,
        }
    }
}

impl fmt::Display for DimValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DimValue::Num(v) => write!(f, "{v}"),
            DimValue::Text(s) => f.write_str(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dimension_is_a_parameter_column() {
        for d in Dim::ALL {
            assert!(PARAM_COLUMNS.contains(&d.name()), "{}", d.name());
        }
        let p = Params {
            n: 20,
            backend: "gmp".into(),
            ..Params::default()
        };
        assert_eq!(p.get(Dim::N), DimValue::Num(20));
        assert_eq!(p.get(Dim::Backend).to_string(), "gmp");
        assert_eq!(p.get(Dim::Backend).as_f64(), None);
    }

    #[test]
    fn elements_follow_the_function() {
        let p = |func: &str, dim| Params {
            func: func.into(),
            dim,
            ..Params::default()
        };
        assert_eq!(p("sum", 1).elements(), 1);
        assert_eq!(p("vector-mean", 100).elements(), 100);
        assert_eq!(p("meanvar", 100).elements(), 200);
        assert_eq!(p("histogram:10", 1).elements(), 10);
        assert_eq!(p("sum", 7).get(Dim::Dim), DimValue::Num(7));
        assert_eq!(p("histogram:10", 1).get(Dim::Func).to_string(), "histogram:10");
    }
}
