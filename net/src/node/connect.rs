//! Connections: a dialled link that writes what this host sends to one host, and the listener
//! that accepts, checks (TLS identity, hello, deployment digest) and reads what other hosts
//! send.

use super::*;

/// One dialled connection: what this host sends to `to`.
pub(super) struct Link {
    pub(super) tls: Tls,
    pub(super) me: String,
    pub(super) digest: DeploymentDigest,
    pub(super) to: String,
    pub(super) addr: String,
    pub(super) tx: mpsc::UnboundedSender<Inbound>,
    pub(super) counters: (Arc<AtomicU64>, Arc<AtomicU64>),
    pub(super) connect_timeout: Duration,
}

impl Link {
    /// Dial (retrying until `connect_timeout`), exchange hellos, and write every frame queued.
    pub(super) async fn write_loop(self, mut rx: mpsc::UnboundedReceiver<Queued>) {
        let t0 = Instant::now();
        let mut stream = loop {
            match dial(
                &self.tls,
                &self.me,
                &self.to,
                &self.addr,
                self.counters.clone(),
                self.digest,
            )
            .await
            {
                Ok(s) => break s,
                Err(DialError::Unreachable(_)) if t0.elapsed() < self.connect_timeout => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(DialError::Differs(theirs)) => {
                    let _ = self.tx.send(Inbound::Differs {
                        host: self.to.clone(),
                        theirs,
                    });
                    return drain(rx).await;
                }
                Err(DialError::Unreachable(e) | DialError::Refused(e)) => {
                    let _ = self.tx.send(Inbound::Unreachable(Refusal {
                        peer: self.to.clone(),
                        reason: e,
                    }));
                    return drain(rx).await;
                }
            }
        };
        while let Some((due, frame)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if let Err(e) = write_frame(&mut stream, &frame).await {
                let _ = self.tx.send(Inbound::Unreachable(Refusal {
                    peer: self.to.clone(),
                    reason: format!("connection to {} at {} lost: {e}", self.to, self.addr),
                }));
                return drain(rx).await;
            }
        }
        let _ = stream.flush().await;
        let _ = stream.shutdown().await;
    }
}

/// Lose what is queued for a host that cannot be written to: to its parties it is silent.
pub(super) async fn drain(mut rx: mpsc::UnboundedReceiver<Queued>) {
    while rx.recv().await.is_some() {}
}

pub(super) async fn accept_loop(
    listener: TcpListener,
    me: String,
    d: Arc<Deployment>,
    tls: Tls,
    digest: DeploymentDigest,
    tx: mpsc::UnboundedSender<Inbound>,
    counters: (Arc<AtomicU64>, Arc<AtomicU64>),
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server.clone());
    let limit = MAX_PENDING + 2 * d.hosts.len();
    let pending = Arc::new(tokio::sync::Semaphore::new(limit));
    let mut backoff = Duration::from_millis(10);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(x) => {
                backoff = Duration::from_millis(10);
                x
            }
            Err(e) => {
                // Out of descriptors, for one: wait rather than spin.
                let _ = tx.send(Inbound::Refused(Refusal {
                    peer: "(accept)".into(),
                    reason: format!(
                        "cannot accept a connection: {e}; retrying in {} ms",
                        backoff.as_millis()
                    ),
                }));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let Ok(permit) = pending.clone().try_acquire_owned() else {
            let _ = tx.send(Inbound::Refused(Refusal {
                peer: peer.to_string(),
                reason: format!("more than {limit} connections being set up at once; closed"),
            }));
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let conn = Accepted {
            acceptor: acceptor.clone(),
            me: me.clone(),
            d: d.clone(),
            digest,
            tx: tx.clone(),
            peer: peer.to_string(),
        };
        let counted = Counted::new(tcp, counters.0.clone(), counters.1.clone());
        tokio::spawn(conn.serve(counted, permit));
    }
}

/// One accepted connection: what a peer sends this host.
pub(super) struct Accepted {
    acceptor: tokio_rustls::TlsAcceptor,
    me: String,
    d: Arc<Deployment>,
    digest: DeploymentDigest,
    tx: mpsc::UnboundedSender<Inbound>,
    peer: String,
}

pub(super) type ServerStream = tokio_rustls::server::TlsStream<Counted<tokio::net::TcpStream>>;

impl Accepted {
    pub(super) fn refuse(&self, peer: &str, reason: String) {
        let _ = self.tx.send(Inbound::Refused(Refusal {
            peer: peer.to_string(),
            reason,
        }));
    }

    /// TLS handshake and hellos within [`HELLO_DEADLINE`]: the authenticated host name.
    pub(super) async fn handshake(&self, tcp: Counted<tokio::net::TcpStream>) -> Option<(ServerStream, String)> {
        let shake = async {
            let mut s = self
                .acceptor
                .accept(tcp)
                .await
                .map_err(|e| (self.peer.clone(), format!("TLS handshake failed: {e}")))?;
            let cert = s.get_ref().1.peer_certificates().and_then(|c| c.first().cloned());
            let Some(host) = cert.as_ref().and_then(|c| identify(&self.d, c)) else {
                return Err((
                    self.peer.clone(),
                    "its certificate (from this deployment's CA) names no host of this deployment".into(),
                ));
            };
            let theirs = match read_frame(&mut s).await {
                Ok(Some(Frame::Hello { name, digest })) if name == host => digest,
                Ok(Some(Frame::Hello { name, .. })) => {
                    let why = format!("claims to be {:?} but its certificate is for {host:?}", escaped(&name));
                    return Err((host, why));
                }
                Ok(other) => return Err((host, format!("no hello frame: {}", describe(other.as_ref())))),
                Err(e) => return Err((host, format!("no hello: {e}"))),
            };
            // The reply: our own hello, so that the dialler checks our digest too.
            let hello = Frame::Hello {
                name: self.me.clone(),
                digest: self.digest,
            };
            write_frame(&mut s, &hello.encode())
                .await
                .map_err(|e| (host.clone(), format!("cannot answer its hello: {e}")))?;
            if theirs != self.digest {
                let _ = self.tx.send(Inbound::Differs { host, theirs });
                return Err((String::new(), String::new()));
            }
            Ok((s, host))
        };
        match tokio::time::timeout(HELLO_DEADLINE, shake).await {
            Ok(Ok(x)) => Some(x),
            Ok(Err((peer, why))) => {
                if !why.is_empty() {
                    self.refuse(&peer, why);
                }
                None
            }
            Err(_) => {
                self.refuse(
                    &self.peer,
                    format!(
                        "no TLS handshake and hello within {} s; closed",
                        HELLO_DEADLINE.as_secs()
                    ),
                );
                None
            }
        }
    }

    pub(super) async fn serve(self, tcp: Counted<tokio::net::TcpStream>, permit: tokio::sync::OwnedSemaphorePermit) {
        let Some((mut s, host)) = self.handshake(tcp).await else {
            return;
        };
        drop(permit);
        let _ = self.tx.send(Inbound::Accepted);
        let Ok(h) = self.d.host(&host) else { return };
        let mut refused = 0;
        loop {
            let why = match read_frame(&mut s).await {
                Ok(Some(Frame::Msg { from, to, bytes })) if h.hosts(from) => {
                    let _ = self.tx.send(Inbound::Msg {
                        host: host.clone(),
                        from,
                        to,
                        bytes,
                    });
                    continue;
                }
                Ok(Some(Frame::Msg { from, .. })) => {
                    format!("sent a message as {from}, a party {host} does not host; refused")
                }
                Ok(Some(Frame::Control(control))) => {
                    let _ = self.tx.send(Inbound::Control {
                        host: host.clone(),
                        control,
                    });
                    continue;
                }
                Ok(Some(Frame::Hello { .. })) => "a second hello".into(),
                Ok(None) => break,
                Err(e) => {
                    self.refuse(&host, format!("bad frame, connection closed: {e}"));
                    break;
                }
            };
            self.refuse(&host, why);
            refused += 1;
            if refused >= MAX_REFUSED_PER_CONNECTION {
                self.refuse(
                    &host,
                    format!("{MAX_REFUSED_PER_CONNECTION} refused frames on one connection: closed"),
                );
                break;
            }
        }
        let _ = self.tx.send(Inbound::Closed { host });
    }
}

/// A frame named for a refusal (never its contents).
pub(super) fn describe(f: Option<&Frame>) -> &'static str {
    match f {
        None => "the connection closed",
        Some(Frame::Hello { .. }) => "a hello",
        Some(Frame::Msg { .. }) => "a message",
        Some(Frame::Control(_)) => "session control",
    }
}
