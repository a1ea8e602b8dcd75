//! The adversary: corrupt parties and a network that tampers with messages in transit, for
//! tests and demonstrations (`dsmpc run --inject KIND`). Honest party code imports nothing
//! from here; the session builds the corrupt parties and the network adversary from here.
//!
//! - **Corrupt parties** wrap honest ones: a DP whose dealing is off ([`corrupt_dealing`]), a CP
//!   whose sum-share is off ([`corrupt_check`]), a CP or DP whose messages are tampered with or
//!   withheld at its own end ([`corrupt_party`]).
//! - **The network adversary** ([`Scripted`] from the faults, [`Chaos`] at random) sees every
//!   message in transit and may drop, delay or replay it, or send messages of its own from the
//!   identities it controls (an outsider host, or a DP it corrupted): garbage, and whole dealings
//!   in another DP's name. It cannot make the network lie about who sent what.
//!
//! A [`Fault`] makes one party misbehave, or the adversary tamper with the network, in one
//! well-defined way. CPs are named by VID (`cp=I` is the candidate with VID I; with every
//! candidate valid and m = k, VID I gets index i = I). The kinds:
//!
//! | syntax | what happens |
//! |---|---|
//! | `bad-share:dp=D,cp=I` | DP D sends CP I a share off its polynomial (`y + 1`), with the attachment or commitments of the true one |
//! | `inconsistent-dealing:dp=D` | DP D gives the upper half of the CPs shares of a second polynomial with the same constant term |
//! | `bad-result:cp=I` | CP I uploads `sum + 1` |
//! | `drop-cp:cp=I` | CP I goes silent after selection: processes nothing, reports nothing, uploads nothing |
//! | `drop-dp:dp=D,reach=R` | DP D's share packets reach only the CPs with index 1..=R |
//! | `replay:cp=I` | the network delivers every message to and from CP I twice (every kind: announcement, auth request, index, shares, commitments, report, agreed set, upload) |
//! | `bad-signature:cp=I` | CP I's auth request carries a corrupted signature |
//! | `impersonate:dp=D` | another DP (or an outsider when n = 1) sends a complete, well-formed dealing in DP D's name (a different value) to every CP and the Edge, ahead of D's own |
//! | `garbage:cp=I` | malformed and misattributed messages reach CP I ahead of its shares, under various claimed senders (DPs in and out of range, the Edge, the Cloud) from an outsider and from a DP |
//! | `garbage-upload:cp=I` | garbage result uploads naming CP I's index reach the Edge ahead of CP I's own, from an outsider and from another CP |
//!
//! What the parties notice is reported as [`crate::event::Detection`]s, in the session report,
//! the log and the CLI output.
//!
//! One concept per file: [`Fault`] and its syntax (`fault`), the corrupt parties (`corrupt`),
//! the scripted network adversary (`scripted`) and the random one (`chaos`).

mod chaos;
mod corrupt;
mod fault;
mod scripted;

pub use chaos::{Chaos, ChaosLog};
pub use corrupt::{corrupt_check, corrupt_dealing, corrupt_party};
pub use fault::{Fault, SYNTAX};
pub use scripted::{Scripted, impostor_of};
