//! Session control on a host: the control links to the Edge, how the session ends (the Edge's
//! `Done` or `Abort`, another host's word to the Edge), a host that failed or differs, refused
//! frames, and SIGINT / SIGTERM.

use super::*;

impl Node {
    /// The Edge dials every host and every host the Edge: each learns at once whether the
    /// Edge's deployment agrees, and sees the Edge's link close if it goes away.
    pub(super) fn open_control_links(&mut self) {
        if self.is_edge() {
            let others: Vec<String> = self.others();
            for h in others {
                self.writer(&h);
            }
        } else if let Some(edge) = self.edge_name() {
            self.writer(&edge);
        }
    }

    pub(super) fn others(&self) -> Vec<String> {
        self.d
            .hosts
            .iter()
            .filter(|h| h.name != self.me.name)
            .map(|h| h.name.clone())
            .collect()
    }

    pub(super) fn edge_name(&self) -> Option<String> {
        self.d.host_of(PartyId::Edge).map(|h| h.name.clone())
    }

    /// Tell the other hosts how the session ended: the Edge tells everyone; any other host
    /// tells the Edge why it stopped, unless the Edge said so.
    pub(super) fn announce(&mut self, end: &End) {
        let (control, to) = match end {
            End::Done => return,
            End::Aborted { by: Some(h), .. } if Some(h) == self.edge_name().as_ref() => return,
            End::Result => (Control::Done, self.others()),
            End::Aborted { by, reason } => {
                let reason = match by {
                    Some(h) => Reason::Relayed {
                        host: h.clone(),
                        reason: Box::new(reason.clone()),
                    },
                    None => reason.clone(),
                };
                let control = Control::Abort {
                    reason: reason.bounded(),
                };
                let to = if self.is_edge() {
                    self.others()
                } else {
                    self.edge_name().into_iter().collect()
                };
                (control, to)
            }
        };
        let frame = Frame::Control(control).encode();
        let now = tokio::time::Instant::now();
        for h in to {
            let _ = self.writer(&h).send((now, frame.clone()));
        }
    }

    /// This host ends the session without a result.
    pub(super) fn abort_here(&mut self, reason: Reason) {
        self.end.get_or_insert(End::Aborted { by: None, reason });
    }

    /// Something went wrong with `host` (its deployment differs, it is unreachable): the Edge
    /// applies the mode's rule, any other host tells the Edge (or aborts if it is the Edge).
    /// A Cloud that is lost or differs aborts the session in every mode; a CP or DP host whose
    /// deployment differs aborts it in the paper's modes; a CP or DP host that is unreachable
    /// is a silent party, left to the protocol's deadlines (skipped, or excluded in `vss`).
    pub(super) fn host_failed(&mut self, host: String, reason: Reason) {
        let differs = matches!(reason, Reason::DeploymentDiffers { .. });
        if self.is_edge() {
            let is_cloud = self.d.host(&host).ok().and_then(Host::role) == Some(Role::Cloud);
            if is_cloud || (differs && !self.vss()) {
                self.abort_here(reason);
            }
        } else if Some(&host) == self.edge_name().as_ref() {
            self.abort_here(reason);
        } else if differs && let Some(edge) = self.edge_name() {
            let frame = Frame::Control(Control::Abort { reason }).encode();
            let _ = self.writer(&edge).send((tokio::time::Instant::now(), frame));
        }
    }

    /// Session control from `host`, checked by its role.
    pub(super) fn control(&mut self, host: String, control: Control) {
        let from_edge = Some(&host) == self.edge_name().as_ref();
        let role = self.d.host(&host).ok().and_then(Host::role);
        match control {
            Control::Done if from_edge && !self.is_edge() => {
                self.end.get_or_insert(End::Done);
            }
            Control::Abort { reason } if from_edge && !self.is_edge() => {
                self.end.get_or_insert(End::Aborted { by: Some(host), reason });
            }
            Control::Abort { reason } if self.is_edge() => {
                if role == Some(Role::Cloud) || !self.vss() {
                    self.end.get_or_insert(End::Aborted { by: Some(host), reason });
                } else {
                    let why = format!(
                        "reported {reason}; vss goes on without it (its agreement round excludes what is silent)"
                    );
                    self.refused(
                        Refusal {
                            peer: host,
                            reason: why,
                        },
                        true,
                    );
                }
            }
            c => {
                let what = if matches!(c, Control::Done) { "end" } else { "abort" };
                let why = format!("tried to {what} the session; only the Edge may (refused)");
                self.refused(
                    Refusal {
                        peer: host,
                        reason: why,
                    },
                    true,
                );
            }
        }
    }

    /// Keep (and print) a refusal, at most [`REFUSALS_KEPT`] per peer; count the rest.
    pub(super) fn refused(&mut self, r: Refusal, print: bool) {
        let n = self.refusals.entry(r.peer.clone()).or_default();
        *n += 1;
        if *n > REFUSALS_KEPT {
            *self.report.refused_more.entry(r.peer).or_default() += 1;
            return;
        }
        if print {
            say_err(&format!("{}: refused {}: {}", self.me.name, escaped(&r.peer), r.reason));
        }
        if *n == REFUSALS_KEPT && print {
            say_err(&format!(
                "{}: further refusals of {} are counted, not printed",
                self.me.name,
                escaped(&r.peer)
            ));
        }
        self.report.refused.push(r);
    }
}

pub(super) const SIGINT: &str = "SIGINT";
pub(super) const SIGTERM: &str = "SIGTERM";

/// SIGINT and SIGTERM stop the host (it tells the Edge, flushes and exits).
pub(super) fn spawn_signal_watch(stop: mpsc::UnboundedSender<Reason>) {
    use tokio::signal::unix::{SignalKind, signal};
    for (kind, name) in [(SignalKind::interrupt(), SIGINT), (SignalKind::terminate(), SIGTERM)] {
        let stop = stop.clone();
        if let Ok(mut s) = signal(kind) {
            tokio::spawn(async move {
                if s.recv().await.is_some() {
                    let _ = stop.send(Reason::Stopped { how: name.into() });
                }
            });
        }
    }
}
