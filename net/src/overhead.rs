//! What a host pays beyond its parties' handling when sessions run as processes over TLS,
//! measured on this machine: the CPU of opening a connection (TCP, the mutual TLS 1.3 handshake,
//! the hello) and of each message (framing, TLS records, socket calls, wake-ups). The simulated
//! network charges them when it lays parties out as hosts ([`crate::sim::Placement`]), so that
//! `sim` can be compared with `process` and `netns`.
//!
//! The connection and the messages are the ones `dsmpc node` makes, with its own code
//! ([`crate::tls::dial`], [`crate::frame::read_frame`]; rustls with aws-lc-rs, TLS 1.3 only, ECDSA
//! P-256 certificates from a per-deployment CA made with rcgen, client certificates required),
//! between two throwaway identities over 127.0.0.1, both ends in this process: the process CPU
//! is what both ends spent. An in-memory handshake (no sockets) splits a connection's CPU
//! between the dialler and the listener.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use rustls::pki_types::ServerName;
use tokio::io::AsyncWriteExt;

use crate::deploy::DeploymentDigest;
use crate::deploy::Pki;
use crate::frame::{Frame, read_frame, write_frame};
use crate::tls::{Tls, dial};
use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::metrics::process_cpu_seconds;
use dsmpc_roles::metrics::thread_cpu_seconds;
use dsmpc_roles::parties::PartyId;

/// TLS costs on this machine, seconds of CPU.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TlsCost {
    /// The dialler's side of one handshake.
    pub handshake_client_s: f64,
    /// The listener's side of one handshake.
    pub handshake_server_s: f64,
    /// One message beyond its bytes: framing, records, socket calls, wake-ups (both ends).
    pub per_message_s: f64,
    /// One byte of a message: sealing, opening, copying (both ends together).
    pub per_byte_s: f64,
}

impl TlsCost {
    /// The transport CPU of one message of `bytes` (both ends together).
    pub fn message_s(&self, bytes: usize) -> f64 {
        self.per_message_s + self.per_byte_s * bytes as f64
    }
}

fn err(what: &str, e: impl std::fmt::Display) -> RolesError {
    RolesError::Config(format!("measuring TLS costs: {what}: {e}"))
}

fn identity(pki: &Pki, name: &str) -> Result<Tls> {
    let (cert, key) = pki.issue(name).map_err(|e| err("certificate", e))?;
    Tls::from_pem(
        pki.ca_pem().as_bytes(),
        cert.as_bytes(),
        key.as_bytes(),
        ["CA", name, name].map(String::from),
    )
}

/// Move what `from` has to send into `to`; the CPU each side spent.
fn pump(from: &mut rustls::Connection, to: &mut rustls::Connection) -> Result<(f64, f64, usize)> {
    let t0 = thread_cpu_seconds();
    let mut buf = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut buf).map_err(|e| err("write", e))?;
    }
    let t1 = thread_cpu_seconds();
    let mut rd = &buf[..];
    while !rd.is_empty() {
        to.read_tls(&mut rd).map_err(|e| err("read", e))?;
        to.process_new_packets().map_err(|e| err("handshake", e))?;
    }
    let t2 = thread_cpu_seconds();
    Ok((t1 - t0, t2 - t1, buf.len()))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The in-memory handshake: the CPU of each side (seconds), median of `reps`.
fn handshake_split(a: &Tls, b: &Tls, reps: usize) -> Result<(f64, f64)> {
    let (mut cli, mut srv) = (Vec::new(), Vec::new());
    for _ in 0..reps.max(1) {
        let t0 = thread_cpu_seconds();
        let name = ServerName::try_from("edge").map_err(|e| err("name", e))?;
        let mut c: rustls::Connection = rustls::ClientConnection::new(Arc::clone(&a.client), name)
            .map_err(|e| err("client", e))?
            .into();
        let mut c_cpu = thread_cpu_seconds() - t0;
        let t0 = thread_cpu_seconds();
        let mut s: rustls::Connection = rustls::ServerConnection::new(Arc::clone(&b.server))
            .map_err(|e| err("server", e))?
            .into();
        let mut s_cpu = thread_cpu_seconds() - t0;
        for _ in 0..10 {
            let (w, r, _) = pump(&mut c, &mut s)?;
            c_cpu += w;
            s_cpu += r;
            let (w, r, _) = pump(&mut s, &mut c)?;
            s_cpu += w;
            c_cpu += r;
            if !c.is_handshaking() && !s.is_handshaking() && !c.wants_write() && !s.wants_write() {
                break;
            }
        }
        if c.is_handshaking() || s.is_handshaking() {
            return Err(err("handshake", "did not complete"));
        }
        cli.push(c_cpu);
        srv.push(s_cpu);
    }
    Ok((median(cli), median(srv)))
}

/// The digest both ends of the measurement hold.
const DIGEST: DeploymentDigest = DeploymentDigest([0; 32]);

/// A listener on 127.0.0.1 that accepts as `dsmpc node` does and counts the frames it reads.
async fn listen(tls: &Tls) -> Result<(String, tokio::sync::mpsc::UnboundedReceiver<()>)> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| err("listen", e))?;
    let addr = l.local_addr().map_err(|e| err("listen", e))?.to_string();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&tls.server));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = l.accept().await {
            let _ = tcp.set_nodelay(true);
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                let Ok(mut s) = acceptor.accept(tcp).await else { return };
                // The hello is answered as `dsmpc node` answers it; every frame (the hello too)
                // is reported.
                let Ok(Some(_)) = read_frame(&mut s).await else { return };
                let hello = Frame::Hello {
                    name: "edge".into(),
                    digest: DIGEST,
                };
                if write_frame(&mut s, &hello.encode()).await.is_err() || tx.send(()).is_err() {
                    return;
                }
                while let Ok(Some(_)) = read_frame(&mut s).await {
                    if tx.send(()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok((addr, rx))
}

/// Process CPU per connection (dial, TLS, hello) and per frame of `sizes[i]` bytes, sent over
/// one connection on loopback and read by the listener: medians of `reps`.
async fn loopback(a: &Tls, b: &Tls, reps: usize, sizes: [usize; 2]) -> Result<(f64, [f64; 2])> {
    let (addr, mut got) = listen(b).await?;
    let counters = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (mut conn, mut per) = (Vec::new(), [Vec::new(), Vec::new()]);
    for _ in 0..reps.max(1) {
        let t0 = process_cpu_seconds();
        let mut s = dial(a, "cp-1", "edge", &addr, counters.clone(), DIGEST)
            .await
            .map_err(|e| err("dial", e))?;
        got.recv().await.ok_or_else(|| err("hello", "listener gone"))?;
        conn.push(process_cpu_seconds() - t0);
        for (i, &size) in sizes.iter().enumerate() {
            let frames = ((1 << 20) / size.max(1)).clamp(20, 2000);
            let frame = Frame::Msg {
                from: PartyId::Cp(1),
                to: PartyId::Edge,
                bytes: vec![0x5a; size],
            }
            .encode();
            let t0 = process_cpu_seconds();
            for _ in 0..frames {
                write_frame(&mut s, &frame).await.map_err(|e| err("write", e))?;
                got.recv().await.ok_or_else(|| err("read", "listener gone"))?;
            }
            per[i].push((process_cpu_seconds() - t0) / frames as f64);
        }
        let _ = s.shutdown().await;
    }
    let [p0, p1] = per;
    Ok((median(conn), [median(p0), median(p1)]))
}

/// Measure what `dsmpc node` pays for its transport on this machine: a connection (TCP, the
/// mutual TLS 1.3 handshake and the hello, on 127.0.0.1 with the node's tokio runtime), split
/// between dialler and listener as an in-memory handshake splits, and a message (framing, TLS
/// records, the socket calls and wake-ups of both ends), as a cost per message and per byte
/// from frames of 64 bytes and of 64 KiB. Medians of `reps`.
pub fn measure(reps: usize) -> Result<TlsCost> {
    let pki = Pki::new().map_err(|e| err("CA", e))?;
    let (a, b) = (identity(&pki, "cp-1")?, identity(&pki, "edge")?);
    let (cli, srv) = handshake_split(&a, &b, reps)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| err("runtime", e))?;
    let sizes = [64, 64 * 1024];
    let (conn, [small, large]) = rt.block_on(loopback(&a, &b, reps, sizes))?;
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    let per_byte_s = ((large - small) / (sizes[1] - sizes[0]) as f64).max(0.0);
    let share = if cli + srv > 0.0 { cli / (cli + srv) } else { 0.5 };
    Ok(TlsCost {
        handshake_client_s: conn * share,
        handshake_server_s: conn * (1.0 - share),
        per_message_s: (small - per_byte_s * sizes[0] as f64).max(0.0),
        per_byte_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handshake_costs_cpu_on_both_sides_and_records_cost_per_byte() {
        let c = measure(3).unwrap();
        assert!(c.handshake_client_s > 0.0 && c.handshake_client_s < 0.5, "{c:?}");
        assert!(c.handshake_server_s > 0.0 && c.handshake_server_s < 0.5, "{c:?}");
        assert!(c.per_message_s > 0.0 && c.per_message_s < 0.01, "{c:?}");
        assert!(c.per_byte_s > 0.0 && c.per_byte_s < 1e-6, "{c:?}");
    }
}
