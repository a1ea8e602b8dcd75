//! The names the protocol crates write into a sweep's CSV files equal those of `dsmpc-schema`,
//! which `dsmpc-reports` reads: phases (`dsmpc_roles::metrics::Phase`), counted operations
//! (`dsmpc_core::counters::Op`), message kinds and their roles (`dsmpc_roles::wire::MessageKind`),
//! each in the schema's order. A renamed or added name fails here rather than vanishing from
//! the figures.

use std::collections::BTreeSet;

use dsmpc_core::counters::Op;
use dsmpc_roles::metrics::Phase;
use dsmpc_roles::parties::PartyId;
use dsmpc_roles::wire::MessageKind;
use dsmpc_schema::{MESSAGE_KINDS, OP_COLUMNS, PHASES, ROLES};

#[test]
fn phase_names_are_the_schemas() {
    let names: Vec<&str> = Phase::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(names, PHASES);
}

#[test]
fn op_names_are_the_schemas_op_columns() {
    let names: Vec<&str> = Op::ALL.iter().map(|o| o.name()).collect();
    assert_eq!(names, OP_COLUMNS);
}

#[test]
fn message_kind_names_are_the_schemas() {
    let names: Vec<&str> = MessageKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(names, MESSAGE_KINDS);
}

#[test]
fn message_roles_are_the_schemas() {
    // A receiver may be several roles joined by `+` (commitments go to the Edge and the CPs).
    let mut used = BTreeSet::new();
    for k in MessageKind::ALL {
        let (src, dst) = k.roles();
        for role in src.split('+').chain(dst.split('+')) {
            assert!(
                ROLES.contains(&role),
                "{}: role {role:?} is not in the schema's ROLES",
                k.name()
            );
            used.insert(role);
        }
    }
    assert_eq!(used, ROLES.iter().copied().collect::<BTreeSet<_>>());
    assert_eq!(PartyId::Cloud.to_string(), ROLES[0]);
    assert_eq!(PartyId::Edge.to_string(), ROLES[3]);
}
