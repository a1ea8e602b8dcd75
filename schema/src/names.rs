//! The names written in a sweep's CSV files: phases, counted operations, message kinds and
//! roles, each in the order tables and figures list them. The protocol crates make these names
//! (`Phase::name`, `Op::name`, `MessageKind::name`); `bench/tests/schema_names.rs` checks that
//! they are equal to the lists here.

/// The protocol phases, in protocol order (the order used in every table and figure).
/// `dp_set_agreement` exists only in `vss` mode.
pub const PHASES: [&str; 8] = [
    "cp_auth_request",
    "party_auth_verify",
    "cp_index_decrypt",
    "share_encrypt_pvss_attach",
    "cp_decrypt_pvss_verify_local_compute",
    "dp_set_agreement",
    "cp_result_encrypt",
    "edge_reconstruct",
];

/// The operation-count columns of `phases.csv`, also the `op` values of `units.csv`, in
/// column order. `dp_sign` and `dp_sig_verify` are the DPs' signatures over their `vss`
/// commitments (Ed25519 with the x25519 suite, ECDSA P-256 with the others); `pk_decode` is decoding a public encryption key
/// received in a message (the Cloud's by each CP, the CPs' by each DP). The last eight are the
/// per-element work of vector sessions: `f64_draw` (an F64 element drawn from a seed's stream),
/// `f64_madd` (an F64 multiply-add), `aead_byte` (a byte sealed or opened with AES-256-GCM),
/// and for `vss` vectors `msm_ct_term` and `msm_var_term` (a term of a constant-time or
/// variable-time full-width multiscalar multiplication, ristretto255), `zq_draw` and `zq_mul`
/// (a scalar drawn, a multiplication in Z_q) and `zq_add` (an addition in Z_q on its own).
pub const OP_COLUMNS: [&str; 20] = [
    "modexp_var",
    "modexp_fixed",
    "modexp_secret",
    "multiexp_term",
    "jacobi",
    "enc",
    "dec",
    "sign",
    "sig_verify",
    "dp_sign",
    "dp_sig_verify",
    "pk_decode",
    "f64_draw",
    "f64_madd",
    "aead_byte",
    "msm_ct_term",
    "msm_var_term",
    "zq_draw",
    "zq_mul",
    "zq_add",
];

/// Op columns that older sweeps lack (readers take them as 0): before they were counted, the
/// DP commitment signatures of `vss` points were in `sign` and `sig_verify`, and key decoding
/// was not priced, nor was the per-element work of vector sessions.
pub const OPTIONAL_OP_COLUMNS: [&str; 11] = [
    "dp_sign",
    "dp_sig_verify",
    "pk_decode",
    "f64_draw",
    "f64_madd",
    "aead_byte",
    "msm_ct_term",
    "msm_var_term",
    "zq_draw",
    "zq_mul",
    "zq_add",
];

/// The message kinds of `messages.csv`, in protocol order. `commitments`, `dp_report` and
/// `agreed_set` exist only in `vss` mode.
pub const MESSAGE_KINDS: [&str; 9] = [
    "task_announce",
    "auth_request",
    "index_assign",
    "roster",
    "share_packet",
    "commitments",
    "dp_report",
    "agreed_set",
    "result_upload",
];

/// The four roles (`src_role`, `dst_role` of `messages.csv`), in the order figures list them.
pub const ROLES: [&str; 4] = ["Cloud", "CP", "DP", "Edge"];

/// Index of an op column in [`OP_COLUMNS`].
pub fn op_index(name: &str) -> Option<usize> {
    OP_COLUMNS.iter().position(|c| *c == name)
}

/// Sort key of a phase name: protocol order, unknown phases after the known ones.
pub fn phase_rank(phase: &str) -> usize {
    PHASES.iter().position(|p| *p == phase).unwrap_or(PHASES.len())
}

/// Sort key of a message kind: protocol order, unknown kinds last.
pub fn kind_rank(kind: &str) -> usize {
    MESSAGE_KINDS
        .iter()
        .position(|p| *p == kind)
        .unwrap_or(MESSAGE_KINDS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_the_lists_and_put_unknown_names_last() {
        assert_eq!(phase_rank("cp_auth_request"), 0);
        assert_eq!(phase_rank("edge_reconstruct"), PHASES.len() - 1);
        assert_eq!(phase_rank("no_such_phase"), PHASES.len());
        assert_eq!(kind_rank("result_upload"), MESSAGE_KINDS.len() - 1);
        assert_eq!(kind_rank("?"), MESSAGE_KINDS.len());
        assert_eq!(op_index("sig_verify"), Some(8));
        assert_eq!(op_index("verify"), None);
    }

    #[test]
    fn optional_ops_are_ops() {
        for c in OPTIONAL_OP_COLUMNS {
            assert!(op_index(c).is_some(), "{c}");
        }
    }
}
