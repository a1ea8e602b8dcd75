//! A CP's part in a vector session ([`crate::vector`]): open a DP's share vector, add it to the
//! running sum and hand its combination to the mode's acceptor; seal the sum vector for the
//! upload.

use dsmpc_core::backend::Backend;
use dsmpc_core::field64::F64;
use dsmpc_core::group::PrimeOrderGroup;
use dsmpc_core::pvss::Attachment;
use dsmpc_core::vvss::{self, ShareVec};

use super::super::{Probe, Time, dp_name};
use super::ComputingParty;
use crate::check::{Dealt, Received, Verdict};
use crate::error::RolesError;
use crate::suite::CipherSuite;
use crate::vector::{self, Body, Opened, Refused};
use crate::wire::{Rejection, SharePacket, labels};

impl<B: Backend, S: CipherSuite> ComputingParty<B, S> {
    /// A DP's share vector ([`crate::vector`]): opened, added to the running sum, and its
    /// random linear combination handed to the acceptor with the attachment. Only the paper's
    /// modes take vectors (the configuration refuses `vss`), where a refused packet ends the
    /// session, so adding before the verdict never counts a share that stays.
    pub(super) fn share_vector(&mut self, d: u32, m: SharePacket, now: Time, probe: &mut dyn Probe) {
        if self.agreement.is_some() {
            return self.share_vss_vector(d, m, now, probe);
        }
        let task = self.task.unwrap_or_default();
        let label = labels::share(&task, d, self.index);
        let context = vector::seed_context(&task, d);
        let elements = self.vector.as_ref().map_or(0, |v| v.len());
        let seed = Some((context.as_slice(), u64::from(self.index)));
        let v = match vector::open(
            &self.suite,
            &self.keys.enc,
            &label,
            &m.eshare,
            elements,
            seed,
            &mut self.rng,
        ) {
            Ok(v) => v,
            Err(Refused::Undecryptable(_)) => {
                return self.decide(vec![(d, Verdict::Rejected(Rejection::Undecryptable))], now, probe);
            }
            Err(Refused::Malformed(why)) => {
                return self.fail(RolesError::Malformed {
                    kind: crate::wire::MessageKind::SharePacket,
                    from: dp_name(d),
                    reason: why,
                });
            }
        };
        let z = vector::combination(&label, &m.eshare, &v);
        if let Some(sum) = &mut self.vector {
            dsmpc_core::vshare::add_assign(sum, &v);
        }
        let (sl, el) = (self.group.zq().element_len(), self.group.element_len());
        let att = (m.e.len() == el && m.c.len() == el && m.r.len() == sl).then(|| {
            Attachment::new(
                self.group.parse_or_identity(&m.e),
                self.group.parse_or_identity(&m.c),
                B::from_be_bytes(&m.r),
            )
        });
        let attached = !(m.e.is_empty() && m.c.is_empty() && m.r.is_empty());
        if attached != att.is_some() {
            return self.fail(RolesError::Malformed {
                kind: crate::wire::MessageKind::SharePacket,
                from: dp_name(d),
                reason: format!("E and C must be {el} bytes and r {sl} bytes"),
            });
        }
        let share = Received {
            dp: d,
            scalars: Dealt(vec![B::from_u64(z.value())]),
            att,
        };
        let verdicts = self.accept(|a, ctx, rng| a.share(ctx, share, rng));
        self.decide(verdicts, now, probe);
    }

    /// `vss` on vectors: open the DP's share vector (d elements and the blinding share in Z_q;
    /// a seed is expanded) and hand it to the acceptor, which checks it against the DP's
    /// commitments. Anything wrong rejects the DP (the agreement round leaves it out).
    fn share_vss_vector(&mut self, d: u32, m: SharePacket, now: Time, probe: &mut dyn Probe) {
        let task = self.task.unwrap_or_default();
        let label = labels::share(&task, d, self.index);
        let dim = self.vector.as_ref().map_or(0, |v| v.len());
        let width = vvss::scalar_len(&self.group);
        let reject = |why| vec![(d, Verdict::Rejected(why))];
        let attached = !(m.e.is_empty() && m.c.is_empty() && m.r.is_empty());
        let opened = vector::open_body(
            &self.suite,
            &self.keys.enc,
            &label,
            &m.eshare,
            width,
            dim + 1,
            &mut self.rng,
        );
        let share = match opened {
            _ if attached => Err(Rejection::Malformed),
            Ok(Opened::Seed(seed)) => {
                let context = vector::seed_context(&task, d);
                Ok(ShareVec::expand(
                    &self.group,
                    &seed,
                    &context,
                    u64::from(self.index),
                    dim,
                ))
            }
            Ok(Opened::Bytes(bytes)) => ShareVec::decode(&self.group, &bytes, dim).map_err(|_| Rejection::Malformed),
            Err(Refused::Undecryptable(_)) => Err(Rejection::Undecryptable),
            Err(Refused::Malformed(_)) => Err(Rejection::Malformed),
        };
        let verdicts = match share {
            Ok(v) => self.accept(|a, ctx, rng| a.vector(ctx, d, v, rng)),
            Err(why) => reject(why),
        };
        self.decide(verdicts, now, probe);
    }

    /// [`Self::encrypt_upload`] for a vector session: the sum vector sealed for the Cloud.
    pub(super) fn encrypt_vector_upload(&mut self, sum: zeroize::Zeroizing<Vec<F64>>) {
        let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(sum.len() * F64::LEN));
        for x in sum.iter() {
            bytes.extend_from_slice(&x.to_bytes());
        }
        self.seal_vector_upload(&bytes);
    }

    /// Seal an upload's encoded sum vector for the Cloud and send it.
    pub(super) fn seal_vector_upload(&mut self, bytes: &[u8]) {
        let task = self.task.unwrap_or_default();
        let label = labels::result(&task, self.index);
        let ct = match &self.cloud_pk {
            Some(pk) => vector::seal_body(&self.suite, None, pk, &label, Body::Bytes(bytes), &mut self.rng),
            None => Err(RolesError::OutOfOrder(format!(
                "{} uploads without the Cloud's key",
                self.name()
            ))),
        };
        self.send_upload(ct);
    }
}
