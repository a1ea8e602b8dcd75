//! Errors of the protocol layer: [`RolesError`] names the party at fault and what it did
//! wrong; math errors from `dsmpc-core` are lifted into it.

use thiserror::Error;

use dsmpc_core::error::CoreError;
use dsmpc_core::pvss::PvssFailure;

use crate::wire::MessageKind;

/// Everything that can make a D-SMPC run refuse input or abort without a result.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RolesError {
    /// A math-layer error (bad threshold, value out of field, unknown backend, ...).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A message could not be decoded.
    #[error("malformed {kind} message from {from}: {reason}")]
    Malformed {
        /// Which kind of message.
        kind: MessageKind,
        /// Who sent it.
        from: String,
        /// What was wrong.
        reason: String,
    },
    /// The Cloud could not decrypt a candidate's token (garbage, or bound to another task).
    #[error("{from}: auth token does not decrypt under the Cloud's key for this task")]
    TokenUndecryptable {
        /// The sender (transport-level name: the VID is inside the token).
        from: String,
    },
    /// A VID the Cloud has no registration for.
    #[error("{from}: unknown VID {vid}")]
    UnknownVid {
        /// The sender.
        from: String,
        /// The VID in the token.
        vid: u32,
    },
    /// A VID that has already been selected for this task.
    #[error("{from}: VID {vid} is already selected for this task")]
    VidAlreadySelected {
        /// The sender.
        from: String,
        /// The VID.
        vid: u32,
    },
    /// The request's signature does not verify under the VID's registered key.
    #[error("{from}: bad signature on the auth request of VID {vid}")]
    BadSignature {
        /// The sender.
        from: String,
        /// The VID.
        vid: u32,
    },
    /// The request's timestamp is outside the freshness window.
    #[error("{from}: timestamp {ts} of VID {vid} is {skew_s} s away from the Cloud's clock (window {window_s} s)")]
    StaleTimestamp {
        /// The sender.
        from: String,
        /// The VID.
        vid: u32,
        /// The timestamp in the request (Unix seconds).
        ts: u64,
        /// Signed distance to the Cloud's clock, in seconds (negative: in the past).
        skew_s: i64,
        /// The accepted window.
        window_s: u64,
    },
    /// A nonce already seen for this task.
    #[error("{from}: replayed nonce in the auth request of VID {vid}")]
    ReplayedNonce {
        /// The sender.
        from: String,
        /// The VID.
        vid: u32,
    },
    /// A message for another task.
    #[error("{from}: {kind} message is for another task")]
    WrongTask {
        /// The sender.
        from: String,
        /// The message kind.
        kind: MessageKind,
    },
    /// The threshold is impossible for the CPs that were selected.
    #[error("threshold t = {t} is invalid with {selected} selected CPs: need 2 <= t <= {selected}")]
    BadThreshold {
        /// The threshold.
        t: usize,
        /// How many CPs were selected.
        selected: usize,
    },
    /// A CP could not decrypt a DP's share (tampered, or bound to another task/DP/index).
    #[error("CP(i={cp}) could not decrypt the share from DP{dp}: ciphertext tampered or misaddressed")]
    ShareUndecryptable {
        /// The DP.
        dp: u32,
        /// The CP index.
        cp: u16,
    },
    /// A decrypted share that is not below q.
    #[error("CP(i={cp}): the share from DP{dp} is not below q")]
    ShareOutOfRange {
        /// The DP.
        dp: u32,
        /// The CP index.
        cp: u16,
    },
    /// The PVSS check of Eq. (4) failed.
    #[error("CP(i={cp}) rejected the PVSS attachment from DP{dp}: {reason}")]
    PvssRejected {
        /// The DP.
        dp: u32,
        /// The CP index.
        cp: u16,
        /// Which check failed.
        reason: PvssFailure,
    },
    /// The Edge could not decrypt a CP's result.
    #[error("Edge could not decrypt the result of CP(i={cp})")]
    ResultUndecryptable {
        /// The CP index.
        cp: u16,
    },
    /// Fewer than t usable results reached the Edge.
    #[error("the Edge has {got} usable results but needs t = {need}")]
    NotEnoughResults {
        /// Results received.
        got: usize,
        /// The threshold.
        need: usize,
    },
    /// A second copy of a message that may come only once (a replay); ignored.
    #[error("{from}: a second {kind} message (replay), ignored")]
    Duplicate {
        /// The message kind.
        kind: MessageKind,
        /// Whose message it claims to be.
        from: String,
    },
    /// The Edge refused a CP's result (`vss`: it does not match the commitments).
    #[error("Edge skipped the result of CP(i={cp}): {reason}")]
    ResultRejected {
        /// The CP index.
        cp: u16,
        /// Why.
        reason: String,
    },
    /// Paper modes: more than t results arrived and they do not lie on one polynomial.
    #[error(
        "the {results} results do not lie on one polynomial of degree t-1 = {}: a CP uploaded a wrong \
         sum-share or a DP dealt inconsistent shares, and the paper's protocol cannot tell which \
         (--verify vss identifies and excludes them); no result",
        .t - 1
    )]
    ResultsInconsistent {
        /// Results received.
        results: usize,
        /// The threshold.
        t: usize,
    },
    /// `vss`: fewer than t CPs took part in the agreement round.
    #[error("only {active} CPs took part in the agreement round, fewer than t = {need}; no result")]
    TooFewCps {
        /// CPs whose report reached the Edge.
        active: usize,
        /// The threshold.
        need: usize,
    },
    /// `vss`: every DP was excluded.
    #[error("all {n} DPs were excluded: nothing left to aggregate; no result")]
    NoAgreedDps {
        /// Number of DPs.
        n: usize,
    },
    /// The sum of the values could reach q, so the result could wrap around.
    #[error(
        "n = {n} values of up to {value_bits} bits could sum past the field modulus q; \
         use fewer DPs or smaller values"
    )]
    SumMayOverflow {
        /// Number of DPs.
        n: usize,
        /// Bits per value.
        value_bits: u32,
    },
    /// A party's message claimed to come from someone other than the sender the network
    /// authenticated.
    #[error("{from}: claims to be {claimed}")]
    Impersonation {
        /// The authenticated sender.
        from: String,
        /// Who the message claimed to come from.
        claimed: String,
    },
    /// Fewer than t candidates were selected (refused, silent or too few registered).
    #[error("only {selected} CPs were selected, fewer than t = {t}; no result")]
    TooFewSelected {
        /// CPs selected.
        selected: usize,
        /// The threshold.
        t: usize,
    },
    /// Paper modes: a CP's deadline passed without some DPs' shares.
    #[error(
        "CP(i={cp}) got no share from DP{} by its deadline: the paper's protocol cannot leave a DP out \
         (--verify vss excludes it); no result",
        dps.iter().map(u32::to_string).collect::<Vec<_>>().join(", DP")
    )]
    MissingShares {
        /// The CP index.
        cp: u16,
        /// The DPs whose shares did not arrive.
        dps: Vec<u32>,
    },
    /// The Edge never received the roster from the Cloud.
    #[error("no roster reached the Edge: it cannot tell which CPs were selected; no result")]
    NoRoster,
    /// A protocol step was asked of a party in a state that does not allow it (a bug in the
    /// caller, not bad input).
    #[error("protocol step out of order: {0}")]
    OutOfOrder(String),
    /// The session stopped without a result or a failure: no message in flight, no deadline.
    #[error("the session stalled: {0}")]
    Stalled(String),
    /// A run configuration that cannot work.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A values file problem (names the line).
    #[error("{path}: {reason}")]
    Values {
        /// The file.
        path: String,
        /// What was wrong, with the line number.
        reason: String,
    },
    /// A cipher-suite failure outside the cases above (key generation, encoding).
    #[error("cipher suite: {0}")]
    Suite(String),
    /// A `--log` target that cannot be written as a log (checked before the run; bad input).
    #[error("--log {path}: {reason}")]
    LogTarget {
        /// The target given.
        path: String,
        /// Why it is refused.
        reason: String,
    },
    /// File system trouble (log, key cache, values file).
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl RolesError {
    /// Whether the error is bad input (exit code 2 of `dsmpc`: the command line, a values file,
    /// a log target), as opposed to a run or protocol failure (exit code 1). A protocol
    /// outcome such as too few CPs selected is never bad input, whatever faults caused it.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            RolesError::Config(_)
                | RolesError::Values { .. }
                | RolesError::BadThreshold { .. }
                | RolesError::SumMayOverflow { .. }
                | RolesError::LogTarget { .. }
                | RolesError::Core(_)
        )
    }
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, RolesError>;
