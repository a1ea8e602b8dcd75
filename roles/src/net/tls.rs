//! One host of a deployment as a process: its parties driven over TCP with mutual TLS 1.3.
//!
//! Every host listens at its address and dials the hosts it sends to (one connection per
//! direction: a dialled connection carries what the dialler sends). Both ends present a
//! certificate from the deployment's CA (`rustls`, TLS 1.3 only, aws-lc-rs); the dialler checks
//! the listener's certificate against the host name it dials, the listener finds the one host
//! name the dialler's certificate is valid for, and checks it against the name the dialler
//! claims in its first frame. That name is who sent what: a frame that says it comes from a
//! party the connection's host does not host is refused and named ([`Refusal`]).
//!
//! Framing: a 4-byte big-endian length, then one frame of at most [`MAX_FRAME`] bytes:
//! `0x01 name` (hello), `0x02 from to message` (a protocol message; parties as 5 bytes: a tag
//! and a big-endian number), `0x03 ok reason` (the session is over).
//!
//! The session ends when a hosted party gives the outcome or fails (the host tells every
//! other host, which then stop), when another host says so, when the controller closes stdin
//! (`--control`), on Ctrl-C, or after `max_wall`. Deadlines are the parties' own: a host that
//! never answers is a silent party, skipped or excluded in `vss`, an abort in the paper's modes.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::deploy::{Deployment, Host, host_dir};
use super::memory::Recorder;
use crate::error::{Result, RolesError};
use crate::event::{Action, Detection, Event};
use crate::metrics::{Phase, thread_cpu_seconds};
use crate::net::memory::BoxedParty;
use crate::parties::{Check, Clock, Outcome, PartyId};
use crate::wire::{Message, MessageKind};

/// The largest frame accepted (a frame holds one protocol message).
pub const MAX_FRAME: usize = 64 << 20;

/// A frame on a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// The dialler says which host it is (its certificate must agree).
    Hello(String),
    /// A protocol message.
    Msg {
        /// The party it is from (must be hosted by the connection's host).
        from: PartyId,
        /// The party it is for.
        to: PartyId,
        /// The encoded message.
        bytes: Vec<u8>,
    },
    /// The session is over.
    End {
        /// Whether it gave an outcome.
        ok: bool,
        /// Why, in words.
        reason: String,
    },
}

fn put_party(out: &mut Vec<u8>, p: PartyId) {
    let (tag, n) = match p {
        PartyId::Cloud => (0u8, 0),
        PartyId::Edge => (1, 0),
        PartyId::Cp(v) => (2, v),
        PartyId::Dp(d) => (3, d),
        PartyId::Outsider(h) => (4, h),
    };
    out.push(tag);
    out.extend_from_slice(&n.to_be_bytes());
}

fn get_party(b: &[u8]) -> Option<PartyId> {
    let n = u32::from_be_bytes(b.get(1..5)?.try_into().ok()?);
    Some(match b.first()? {
        0 => PartyId::Cloud,
        1 => PartyId::Edge,
        2 => PartyId::Cp(n),
        3 => PartyId::Dp(n),
        4 => PartyId::Outsider(n),
        _ => return None,
    })
}

impl Frame {
    /// The frame with its length prefix.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        match self {
            Frame::Hello(name) => {
                body.push(1);
                body.extend_from_slice(name.as_bytes());
            }
            Frame::Msg { from, to, bytes } => {
                body.reserve(11 + bytes.len());
                body.push(2);
                put_party(&mut body, *from);
                put_party(&mut body, *to);
                body.extend_from_slice(bytes);
            }
            Frame::End { ok, reason } => {
                body.push(3);
                body.push(u8::from(*ok));
                body.extend_from_slice(reason.as_bytes());
            }
        }
        let mut out = (body.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&body);
        out
    }

    /// Decode one frame body (without the length prefix).
    pub fn decode(b: &[u8]) -> std::result::Result<Frame, String> {
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| "text not UTF-8".to_string());
        match b.split_first() {
            Some((1, name)) => Ok(Frame::Hello(text(name)?)),
            Some((2, rest)) if rest.len() >= 10 => {
                let from = get_party(&rest[..5]).ok_or("bad sender")?;
                let to = get_party(&rest[5..10]).ok_or("bad recipient")?;
                Ok(Frame::Msg {
                    from,
                    to,
                    bytes: rest[10..].to_vec(),
                })
            }
            Some((3, rest)) if !rest.is_empty() => Ok(Frame::End {
                ok: rest[0] == 1,
                reason: text(&rest[1..])?,
            }),
            Some((t, _)) => Err(format!("unknown or short frame of type {t}")),
            None => Err("empty frame".into()),
        }
    }
}

/// Read one frame; `None` at a clean end of stream.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> std::result::Result<Option<Frame>, String> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.to_string()),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(format!("frame of {len} bytes, more than the {MAX_FRAME} allowed"));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await.map_err(|e| e.to_string())?;
    Frame::decode(&body).map(Some)
}

/// Counts the bytes that cross a stream (TLS records and handshakes, as they go on TCP).
pub struct Counted<S> {
    inner: S,
    read: Arc<AtomicU64>,
    written: Arc<AtomicU64>,
}

impl<S> Counted<S> {
    /// Count what crosses `inner` into `read` and `written`.
    pub fn new(inner: S, read: Arc<AtomicU64>, written: Arc<AtomicU64>) -> Self {
        Counted { inner, read, written }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            self.written.fetch_add(n as u64, Ordering::Relaxed);
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A host's TLS identity and trust: its certificate and key, the deployment's CA.
#[derive(Clone)]
pub struct Tls {
    /// Accepts dialled connections (client certificates required).
    pub server: Arc<rustls::ServerConfig>,
    /// Dials (presents this host's certificate).
    pub client: Arc<rustls::ClientConfig>,
}

fn tls_cfg(what: &str, e: impl std::fmt::Display) -> RolesError {
    RolesError::Config(format!("{what}: {e}"))
}

impl Tls {
    /// Load host `name`'s certificate and key and the CA from deployment directory `dir`.
    /// The host directory must be closed to the group and others, and the certificate must be
    /// this host's: chaining to `ca.pem`, valid now and naming `name` (its key must match it:
    /// [`Tls::from_pem`]), so that a node with another host's or an expired certificate says
    /// so at start-up instead of being refused by every peer.
    pub fn load(dir: &Path, name: &str) -> Result<Tls> {
        use crate::files::{MAX_PEM, check_private, read_limited};
        use rustls::client::danger::ServerCertVerifier;
        let hd = host_dir(dir, name);
        check_private(&hd, "host directory")?;
        let (ca, cert) = (dir.join("ca.pem"), hd.join("cert.pem"));
        let tls = Tls::from_files(&ca, &cert, &hd.join("key.pem"))?;
        let ca_pem = read_limited(&ca, "CA certificate", MAX_PEM)?;
        let cert_pem = read_limited(&cert, "certificate", MAX_PEM)?;
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(CertificateDer::pem_slice_iter(&ca_pem).flatten());
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem).flatten().collect();
        let bad = |why: String| {
            RolesError::Config(format!(
                "certificate {} is not host {name}'s under {}: {why} (copy hosts/{name}/ and ca.pem from the same \
                 `dsmpc deploy init`, or make the deployment again)",
                cert.display(),
                ca.display()
            ))
        };
        let (ee, rest) = chain
            .split_first()
            .ok_or_else(|| bad("it holds no certificate".into()))?;
        let server_name = ServerName::try_from(name.to_string()).map_err(|e| bad(e.to_string()))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| bad(e.to_string()))?
            .verify_server_cert(ee, rest, &server_name, &[], rustls::pki_types::UnixTime::now())
            .map_err(|e| bad(e.to_string()))?;
        Ok(tls)
    }

    /// From a CA file, a certificate file and a key file (PEM): regular files of at most
    /// [`crate::files::MAX_PEM`] bytes, the key file closed to the group and others.
    pub fn from_files(ca: &Path, cert: &Path, key: &Path) -> Result<Tls> {
        use crate::files::{MAX_PEM, check_private, read_limited};
        let ca_pem = read_limited(ca, "CA certificate", MAX_PEM)?;
        let cert_pem = read_limited(cert, "certificate", MAX_PEM)?;
        check_private(key, "TLS key file")?;
        let key_pem = read_limited(key, "TLS key file", MAX_PEM)?;
        Tls::from_pem(
            &ca_pem,
            &cert_pem,
            &key_pem,
            [ca, cert, key].map(|p| p.display().to_string()),
        )
    }

    /// From PEM bytes of the CA, the certificate and the key; `names` say where each came from
    /// (for errors).
    pub fn from_pem(ca_pem: &[u8], cert_pem: &[u8], key_pem: &[u8], names: [String; 3]) -> Result<Tls> {
        let [ca, cert, key] = names;
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(ca_pem) {
            let c = c.map_err(|e| tls_cfg(&ca, e))?;
            roots.add(c).map_err(|e| tls_cfg(&ca, e))?;
        }
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| tls_cfg(&cert, e))?;
        let key_der = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| tls_cfg(&key, e))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let roots = Arc::new(roots);
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(roots.clone(), provider.clone())
            .build()
            .map_err(|e| tls_cfg("client verifier", e))?;
        let server = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| tls_cfg("TLS", e))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain.clone(), key_der.clone_key())
            .map_err(|e| tls_cfg(&cert, e))?;
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| tls_cfg("TLS", e))?
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key_der)
            .map_err(|e| tls_cfg(&cert, e))?;
        Ok(Tls {
            server: Arc::new(server),
            client: Arc::new(client),
        })
    }
}

/// The one host of `d` that certificate `der` is valid for (the chain is already verified).
pub fn identify(d: &Deployment, der: &CertificateDer<'_>) -> Option<String> {
    let ee = webpki::EndEntityCert::try_from(der).ok()?;
    let mut found = d.hosts.iter().filter(|h| {
        ServerName::try_from(h.name.as_str())
            .ok()
            .is_some_and(|sn| ee.verify_is_valid_for_subject_name(&sn).is_ok())
    });
    let one = found.next()?;
    found.next().is_none().then(|| one.name.clone())
}

/// Dial host `to` at `addr` as the holder of `tls`, announcing `me`; the stream counts bytes.
pub async fn dial(
    tls: &Tls,
    me: &str,
    to: &str,
    addr: &str,
    counters: (Arc<AtomicU64>, Arc<AtomicU64>),
) -> std::result::Result<tokio_rustls::client::TlsStream<Counted<TcpStream>>, String> {
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("cannot reach {to} at {addr}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let name = ServerName::try_from(to.to_string()).map_err(|e| format!("host name {to:?}: {e}"))?;
    let connector = tokio_rustls::TlsConnector::from(tls.client.clone());
    let mut s = connector
        .connect(name, Counted::new(tcp, counters.0, counters.1))
        .await
        .map_err(|e| format!("TLS with {to} at {addr} refused: {e}"))?;
    write_frame(&mut s, &Frame::Hello(me.to_string()).encode())
        .await
        .map_err(|e| format!("{to} at {addr}: {e}"))?;
    Ok(s)
}

/// Write one encoded frame and flush it. The flush matters: when the socket is full, a TLS
/// stream's `write_all` returns once rustls holds the last records, and they leave only on the
/// next write or flush; a frame that is the last one for a while (a DP host's last shares) would
/// otherwise wait for ever, which is what the shaped `netns` links showed.
pub async fn write_frame<S: AsyncWrite + Unpin>(s: &mut S, frame: &[u8]) -> io::Result<()> {
    s.write_all(frame).await?;
    s.flush().await
}

/// The listening socket a parent handed over as descriptor `fd` (`dsmpc node --listen-fd`),
/// after checking that `fd` is one: a TCP socket in the listening state.
fn inherited_listener(fd: i32, host: &str) -> Result<TcpListener> {
    use std::os::fd::FromRawFd;
    let bad = |why: String| {
        RolesError::Config(format!(
            "host {host}: --listen-fd {fd}: {why} (the option is for `dsmpc run --net process`, which \
             passes a bound socket; run the node without it to listen on its deployment address)"
        ))
    };
    let mut listening: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `listening`; a descriptor that is not
    // a socket makes it fail, and nothing else is touched.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ACCEPTCONN,
            (&mut listening as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(bad(format!("not a socket: {}", io::Error::last_os_error())));
    }
    if listening == 0 {
        return Err(bad("the socket is not listening".into()));
    }
    // SAFETY: `fd` is an open socket in the listening state (checked above) that this process
    // inherited for this purpose and owns from here on.
    let l = unsafe { std::net::TcpListener::from_raw_fd(fd) };
    l.set_nonblocking(true).map_err(|e| bad(e.to_string()))?;
    TcpListener::from_std(l).map_err(|e| bad(e.to_string()))
}

/// Something a host refused: who (the TLS-authenticated host, or an address), and why.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Refusal {
    /// The authenticated host, or the peer address when TLS failed.
    pub peer: String,
    /// Why.
    pub reason: String,
}

/// How to run a host.
#[derive(Clone, Debug)]
pub struct NodeOptions {
    /// Deployment directory.
    pub dir: PathBuf,
    /// Host name in it.
    pub host: String,
    /// Controlled by a parent: print `ready` when listening, start on a `go` line on stdin, stop
    /// when stdin closes.
    pub control: bool,
    /// How long to keep dialling a host that is not up yet.
    pub connect_timeout: Duration,
    /// Give up after this long.
    pub max_wall: Duration,
    /// Print a line on stderr for every message received (`NAME: recv KIND from PARTY`).
    pub trace: bool,
    /// Emulate this link profile's latency and jitter in the transport (netns; the bandwidth
    /// is shaped by the kernel): every message waits its one-way latency, and a new
    /// connection's first message also the two round trips of TCP and TLS 1.3 set-up.
    pub link: Option<super::link::Profile>,
    /// Listen on this already bound socket (a file descriptor inherited from the parent,
    /// `run --net process`) instead of binding the host's address.
    pub listen_fd: Option<i32>,
}

/// What one host did: written as one JSON line by `dsmpc node --report`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NodeReport {
    /// Host name.
    pub host: String,
    /// The outcome, if a hosted party (the Edge) gave it: sum (decimal), DPs aggregated, check.
    pub outcome: Option<(String, usize, String)>,
    /// The failure, if a hosted party failed or the host could not run.
    pub failed: Option<String>,
    /// How the session ended, as this host saw it.
    pub ended: String,
    /// Detections of the hosted parties, in order: (by, subject, action, reason).
    pub detections: Vec<(String, String, String, String)>,
    /// Refused connections and frames.
    pub refused: Vec<Refusal>,
    /// Hosts that could not be reached, and why.
    pub unreachable: Vec<Refusal>,
    /// The Cloud's selection (index, VID), if hosted here.
    pub selected: Vec<(u16, u32)>,
    /// Valid candidates not selected.
    pub not_selected: Vec<u32>,
    /// `vss`: excluded DPs and why.
    pub excluded: Vec<(u32, String)>,
    /// Messages sent by hosted parties per kind: count, bytes, payload bytes, max, max payload.
    pub messages: BTreeMap<String, [u64; 5]>,
    /// Every message sent by hosted parties, in order: (from, to, kind, bytes, payload bytes),
    /// parties as `Cloud`, `Edge`, `CP(VID=v)`, `DPd` (the controller names selected CPs by
    /// index for the log, as `--net memory` does).
    #[serde(default)]
    pub sent: Vec<(String, String, String, u64, u64)>,
    /// Measured work: (phase, instance, cpu s, wall s, operation counts).
    pub samples: Vec<(String, u32, f64, f64, Vec<u64>)>,
    /// CPU seconds of each hosted party's handling.
    pub party_cpu_s: BTreeMap<String, f64>,
    /// Set-up seconds (keys, tables).
    pub setup_s: f64,
    /// Process CPU seconds (user + system) over the whole run, TLS included.
    pub process_cpu_s: f64,
    /// Wall seconds from start (`go`) to the end.
    pub wall_s: f64,
    /// Bytes on TCP (TLS records and handshakes) out of and into this host.
    pub tls_bytes_out: u64,
    /// See `tls_bytes_out`.
    pub tls_bytes_in: u64,
    /// Connections dialled and accepted.
    pub connections_out: u64,
    /// See `connections_out`.
    pub connections_in: u64,
    /// Unix microseconds when this host started its parties.
    pub start_us: u64,
    /// Unix microseconds of the announcement (if the Cloud is here).
    pub announce_us: Option<u64>,
    /// Unix microseconds of the outcome or failure (if here).
    pub end_us: Option<u64>,
    /// Per message kind: first sent here (unix microseconds).
    pub first_sent_us: BTreeMap<String, u64>,
    /// Per message kind: last received here (unix microseconds).
    pub last_recv_us: BTreeMap<String, u64>,
}

/// Unix microseconds now.
pub fn unix_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// Process CPU seconds (user + system).
pub fn process_cpu_seconds() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec into the pointer we pass.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Encode a check for a report.
pub fn check_name(c: Check) -> String {
    match c {
        Check::Verified => "verified".into(),
        Check::CrossChecked(n) => format!("cross-checked:{n}"),
        Check::Unchecked => "unchecked".into(),
    }
}

/// Decode [`check_name`].
pub fn check_from_name(s: &str) -> Option<Check> {
    match s {
        "verified" => Some(Check::Verified),
        "unchecked" => Some(Check::Unchecked),
        _ => s.strip_prefix("cross-checked:")?.parse().ok().map(Check::CrossChecked),
    }
}

/// A frame queued for a host, to be written at (not before) its instant.
type Queued = (tokio::time::Instant, Vec<u8>);

/// What reaches the host's loop.
enum Inbound {
    Msg {
        host: String,
        from: PartyId,
        to: PartyId,
        bytes: Vec<u8>,
    },
    End {
        host: String,
        ok: bool,
        reason: String,
    },
    Refused(Refusal),
    Unreachable(Refusal),
    Accepted,
}

/// Run host `opts.host` of the deployment with its `parties` (see [`super::deploy::hosted()`]).
pub fn run_node(
    opts: &NodeOptions,
    d: &Deployment,
    parties: Vec<BoxedParty<'static>>,
    setup_s: f64,
) -> Result<NodeReport> {
    let me = d.host(&opts.host)?.clone();
    let tls = Tls::load(&opts.dir, &me.name)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| RolesError::Config(format!("cannot start the I/O runtime: {e}")))?;
    let mut report = rt.block_on(Node::new(opts.clone(), d.clone(), me, tls, parties)?.run())?;
    report.setup_s = setup_s;
    rt.shutdown_timeout(Duration::from_secs(2));
    Ok(report)
}

struct Node {
    opts: NodeOptions,
    d: Arc<Deployment>,
    me: Host,
    tls: Tls,
    parties: Vec<BoxedParty<'static>>,
    slot: HashMap<PartyId, usize>,
    writers: HashMap<String, mpsc::UnboundedSender<Queued>>,
    links: Option<super::link::Emulator<dsmpc_core::rng::DsmpcRng>>,
    writer_tasks: Vec<tokio::task::JoinHandle<()>>,
    tx: mpsc::UnboundedSender<Inbound>,
    rx: mpsc::UnboundedReceiver<Inbound>,
    out_bytes: Arc<AtomicU64>,
    in_bytes: Arc<AtomicU64>,
    report: NodeReport,
    end: Option<(bool, String)>,
}

impl Node {
    fn new(opts: NodeOptions, d: Deployment, me: Host, tls: Tls, parties: Vec<BoxedParty<'static>>) -> Result<Node> {
        let (tx, rx) = mpsc::unbounded_channel();
        let slot = parties.iter().enumerate().map(|(i, p)| (p.id(), i)).collect();
        // The jitter: from the seed (per host) in a seeded deployment, else from the OS.
        let links = match opts.link.clone() {
            None => None,
            Some(p) => {
                let rng = match d.session.seed {
                    Some(s) => {
                        let seed = s ^ me.name.bytes().fold(0u64, |h, b| h.rotate_left(8) ^ u64::from(b));
                        dsmpc_core::rng::seeded(seed, "links")
                    }
                    None => dsmpc_core::rng::from_os()?,
                };
                Some(super::link::Emulator::new(p, rng))
            }
        };
        let report = NodeReport {
            host: me.name.clone(),
            ..NodeReport::default()
        };
        Ok(Node {
            opts,
            d: Arc::new(d),
            me,
            tls,
            parties,
            slot,
            writers: HashMap::new(),
            links,
            writer_tasks: Vec::new(),
            tx,
            rx,
            out_bytes: Arc::default(),
            in_bytes: Arc::default(),
            report,
            end: None,
        })
    }

    async fn run(mut self) -> Result<NodeReport> {
        let listen = self.me.listen_addr().to_string();
        let listener = if let Some(fd) = self.opts.listen_fd {
            inherited_listener(fd, &self.me.name)?
        } else {
            TcpListener::bind(&listen).await.map_err(|e| {
                RolesError::Config(format!(
                    "host {} cannot listen on {listen}: {e}{}",
                    self.me.name,
                    if e.kind() == io::ErrorKind::AddrInUse {
                        " (another process holds the port: stop it, or change the address in deployment.toml)"
                    } else {
                        ""
                    }
                ))
            })?
        };
        tokio::spawn(accept_loop(
            listener,
            self.d.clone(),
            self.tls.clone(),
            self.tx.clone(),
            self.in_bytes.clone(),
            self.out_bytes.clone(),
        ));
        let (stop_tx, mut stop_rx) = mpsc::unbounded_channel::<&'static str>();
        if self.opts.control {
            println!("ready {}", self.me.name);
            use std::io::Write;
            let _ = std::io::stdout().flush();
            let mut lines = tokio::io::BufReader::new(tokio::io::stdin());
            let mut line = String::new();
            use tokio::io::AsyncBufReadExt;
            loop {
                line.clear();
                match lines.read_line(&mut line).await {
                    Ok(0) | Err(_) => return Err(RolesError::Config("controller went away before `go`".into())),
                    Ok(_) if line.trim() == "go" => break,
                    Ok(_) => {}
                }
            }
            let stop = stop_tx.clone();
            tokio::spawn(async move {
                let mut rest = Vec::new();
                let _ = lines.read_to_end(&mut rest).await;
                let _ = stop.send("the controller closed stdin");
            });
        }
        {
            let stop = stop_tx.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    let _ = stop.send("interrupted (Ctrl-C)");
                }
            });
        }
        let cpu0 = process_cpu_seconds();
        let wall0 = Instant::now();
        self.report.start_us = unix_us();
        let give_up = tokio::time::Instant::now() + self.opts.max_wall;
        for s in 0..self.parties.len() {
            self.handle(s, |p, now, rec| p.start(now, rec));
        }
        let stopped = loop {
            if let Some((ok, reason)) = self.end.clone() {
                self.broadcast_end(ok, &reason);
                break reason;
            }
            let next = self.parties.iter().filter_map(|p| p.poll_timeout()).min();
            let sleep_for = next.map(|t| {
                let now = Clock::System.now_ms();
                Duration::from_millis(t.saturating_sub(now))
            });
            tokio::select! {
                m = self.rx.recv() => match m {
                    Some(m) => self.inbound(m),
                    None => break "inbound channel closed".to_string(),
                },
                _ = tokio::time::sleep(sleep_for.unwrap_or(Duration::from_secs(3600))), if sleep_for.is_some() => {
                    let now = Clock::System.now_ms();
                    for s in 0..self.parties.len() {
                        if self.parties[s].poll_timeout().is_some_and(|t| t <= now) {
                            self.handle(s, |p, now, rec| p.handle_timeout(now, rec));
                        }
                    }
                }
                why = stop_rx.recv() => break why.unwrap_or("stopped").to_string(),
                _ = tokio::time::sleep_until(give_up) => {
                    let why = format!("no end after {} s (max wall)", self.opts.max_wall.as_secs());
                    self.report.failed.get_or_insert(why.clone());
                    self.broadcast_end(false, &why);
                    break why;
                }
            }
        };
        self.report.ended = stopped;
        self.report.wall_s = wall0.elapsed().as_secs_f64();
        // Let the writers flush what is queued, then close.
        self.writers.clear();
        for t in std::mem::take(&mut self.writer_tasks) {
            let _ = tokio::time::timeout(Duration::from_secs(3), t).await;
        }
        // Take in what arrived meanwhile (refusals, unreachable hosts).
        while let Ok(m) = self.rx.try_recv() {
            match m {
                Inbound::Refused(r) => self.report.refused.push(r),
                Inbound::Unreachable(r) => self.report.unreachable.push(r),
                _ => {}
            }
        }
        self.report.process_cpu_s = process_cpu_seconds() - cpu0;
        self.report.tls_bytes_out = self.out_bytes.load(Ordering::Relaxed);
        self.report.tls_bytes_in = self.in_bytes.load(Ordering::Relaxed);
        Ok(self.report)
    }

    fn inbound(&mut self, m: Inbound) {
        match m {
            Inbound::Msg { host, from, to, bytes } => {
                let Some(&s) = self.slot.get(&to) else {
                    self.report.refused.push(Refusal {
                        peer: host,
                        reason: format!("sent a message for {to}, who is not on {}", self.me.name),
                    });
                    return;
                };
                if let Ok(m) = Message::decode(&bytes) {
                    self.report.last_recv_us.insert(m.kind().name().to_string(), unix_us());
                    if self.opts.trace {
                        eprintln!("{}: recv {} from {from}", self.me.name, m.kind().name());
                    }
                }
                self.handle(s, |p, now, rec| p.handle_input(now, from, &bytes, rec));
            }
            Inbound::End { host, ok, reason } => {
                self.end = Some((ok, format!("{host} ended the session: {reason}")));
                // Nobody needs to hear it again from here.
                self.writers.clear();
            }
            Inbound::Refused(r) => {
                eprintln!("{}: refused {}: {}", self.me.name, r.peer, r.reason);
                self.report.refused.push(r);
            }
            Inbound::Unreachable(r) => {
                eprintln!("{}: {}", self.me.name, r.reason);
                self.report.unreachable.push(r);
            }
            Inbound::Accepted => self.report.connections_in += 1,
        }
    }

    /// Let party `s` do `f`, then deliver what it sent to parties on this host, and so on.
    fn handle(&mut self, s: usize, f: impl FnOnce(&mut BoxedParty<'static>, u64, &mut Recorder)) {
        let mut local = std::collections::VecDeque::new();
        self.handle_one(s, f, &mut local);
        while let Some((r, from, bytes)) = local.pop_front() {
            self.handle_one(
                r,
                |p: &mut BoxedParty<'static>, now, rec: &mut Recorder| p.handle_input(now, from, &bytes, rec),
                &mut local,
            );
        }
    }

    /// Let party `s` do `f`, measured, then send what it sent and take in its events.
    fn handle_one(
        &mut self,
        s: usize,
        f: impl FnOnce(&mut BoxedParty<'static>, u64, &mut Recorder),
        local: &mut std::collections::VecDeque<(usize, PartyId, Arc<[u8]>)>,
    ) {
        let mut rec = Recorder::default();
        let cpu0 = thread_cpu_seconds();
        let now = Clock::System.now_ms();
        f(&mut self.parties[s], now, &mut rec);
        rec.close();
        let id = self.parties[s].id();
        *self.report.party_cpu_s.entry(id.to_string()).or_default() += thread_cpu_seconds() - cpu0;
        for (phase, inst, sample) in rec.samples {
            self.report.samples.push((
                phase.name().to_string(),
                inst,
                sample.cpu,
                sample.wall,
                sample.ops.0.to_vec(),
            ));
        }
        while let Some(t) = self.parties[s].poll_transmit() {
            self.account(id, t.to, &t.bytes);
            if let Some(&r) = self.slot.get(&t.to) {
                local.push_back((r, id, t.bytes));
            } else {
                self.send(id, t.to, &t.bytes);
            }
        }
        while let Some(e) = self.parties[s].poll_event() {
            self.event(e);
        }
    }

    fn account(&mut self, from: PartyId, to: PartyId, bytes: &[u8]) {
        let Ok(m) = Message::decode(bytes) else { return };
        let kind = m.kind();
        let (name, payload) = (kind.name().to_string(), m.payload_len() as u64);
        (self.report.sent).push((from.to_string(), to.to_string(), name, bytes.len() as u64, payload));
        if kind == MessageKind::TaskAnnounce && from == PartyId::Cloud {
            self.report.announce_us.get_or_insert_with(unix_us);
        }
        let e = self.report.messages.entry(kind.name().to_string()).or_default();
        let (len, payload) = (bytes.len() as u64, m.payload_len() as u64);
        e[0] += 1;
        e[1] += len;
        e[2] += payload;
        e[3] = e[3].max(len);
        e[4] = e[4].max(payload);
        self.report
            .first_sent_us
            .entry(kind.name().to_string())
            .or_insert_with(unix_us);
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Detection(d) => {
                self.report
                    .detections
                    .push((d.by, d.subject, d.action.name().to_string(), d.reason));
            }
            Event::Selected { selected, not_selected } => {
                self.report.selected = selected.into_iter().collect();
                self.report.not_selected = not_selected;
            }
            Event::Agreed { excluded } => self.report.excluded = excluded.into_iter().collect(),
            Event::Outcome(o) => {
                self.report.end_us = Some(unix_us());
                self.report.outcome = Some((o.sum.to_string(), o.n, check_name(o.check)));
                self.end.get_or_insert((true, "outcome".into()));
            }
            Event::Failed(e) => {
                self.report.end_us = Some(unix_us());
                self.report.failed = Some(e.to_string());
                self.end.get_or_insert((false, e.to_string()));
            }
        }
    }

    /// Queue a message for the host of `to` (dialling it the first time).
    fn send(&mut self, from: PartyId, to: PartyId, bytes: &[u8]) {
        let Some(host) = self.d.host_of(to).map(|h| h.name.clone()) else {
            return;
        };
        let frame = Frame::Msg {
            from,
            to,
            bytes: bytes.to_vec(),
        }
        .encode();
        let new = !self.writers.contains_key(&host);
        let delay = self.links.as_mut().map_or(0.0, |l| {
            // A new connection's first data leaves after TCP's and TLS 1.3's round trips,
            // which the emulated link would have delayed too (no netem: the handshake packets
            // themselves cross the bridge at once).
            let setup = if new {
                2.0 * (l.base_latency(from, to) + l.base_latency(to, from))
            } else {
                0.0
            };
            setup + l.latency(from, to)
        });
        let due = tokio::time::Instant::now() + Duration::from_secs_f64(delay);
        let w = self.writer(&host);
        let _ = w.send((due, frame));
    }

    fn writer(&mut self, host: &str) -> mpsc::UnboundedSender<Queued> {
        if let Some(w) = self.writers.get(host) {
            return w.clone();
        }
        let (wtx, wrx) = mpsc::unbounded_channel();
        let addr = self.d.host(host).map(|h| h.addr.clone()).unwrap_or_default();
        self.report.connections_out += 1;
        self.writer_tasks.push(tokio::spawn(write_loop(
            self.tls.clone(),
            self.me.name.clone(),
            host.to_string(),
            addr,
            wrx,
            self.tx.clone(),
            (self.in_bytes.clone(), self.out_bytes.clone()),
            self.opts.connect_timeout,
        )));
        self.writers.insert(host.to_string(), wtx.clone());
        wtx
    }

    fn broadcast_end(&mut self, ok: bool, reason: &str) {
        if reason.contains("ended the session") {
            return;
        }
        let frame = Frame::End {
            ok,
            reason: reason.to_string(),
        }
        .encode();
        let others: Vec<String> = self
            .d
            .hosts
            .iter()
            .filter(|h| h.name != self.me.name)
            .map(|h| h.name.clone())
            .collect();
        let now = tokio::time::Instant::now();
        for h in others {
            let _ = self.writer(&h).send((now, frame.clone()));
        }
    }
}

/// Dial `to` (retrying until `connect_timeout`) and write every frame queued for it.
#[allow(clippy::too_many_arguments)]
async fn write_loop(
    tls: Tls,
    me: String,
    to: String,
    addr: String,
    mut rx: mpsc::UnboundedReceiver<Queued>,
    tx: mpsc::UnboundedSender<Inbound>,
    counters: (Arc<AtomicU64>, Arc<AtomicU64>),
    connect_timeout: Duration,
) {
    let t0 = Instant::now();
    let mut stream = loop {
        match dial(&tls, &me, &to, &addr, counters.clone()).await {
            Ok(s) => break s,
            Err(e) if e.starts_with("cannot reach") && t0.elapsed() < connect_timeout => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => {
                let _ = tx.send(Inbound::Unreachable(Refusal { peer: to, reason: e }));
                // Drain (and lose) what was queued for it: to the parties it is silent.
                while rx.recv().await.is_some() {}
                return;
            }
        }
    };
    while let Some((due, frame)) = rx.recv().await {
        tokio::time::sleep_until(due).await;
        if let Err(e) = write_frame(&mut stream, &frame).await {
            let _ = tx.send(Inbound::Unreachable(Refusal {
                peer: to.clone(),
                reason: format!("connection to {to} at {addr} lost: {e}"),
            }));
            while rx.recv().await.is_some() {}
            return;
        }
    }
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

async fn accept_loop(
    listener: TcpListener,
    d: Arc<Deployment>,
    tls: Tls,
    tx: mpsc::UnboundedSender<Inbound>,
    read: Arc<AtomicU64>,
    written: Arc<AtomicU64>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server.clone());
    loop {
        let Ok((tcp, peer)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let (acceptor, d, tx) = (acceptor.clone(), d.clone(), tx.clone());
        let counted = Counted::new(tcp, read.clone(), written.clone());
        tokio::spawn(async move {
            let refuse = |peer: String, reason: String| {
                let _ = tx.send(Inbound::Refused(Refusal { peer, reason }));
            };
            let mut s = match acceptor.accept(counted).await {
                Ok(s) => s,
                Err(e) => return refuse(peer.to_string(), format!("TLS handshake failed: {e}")),
            };
            let cert = s.get_ref().1.peer_certificates().and_then(|c| c.first().cloned());
            let Some(host) = cert.as_ref().and_then(|c| identify(&d, c)) else {
                return refuse(
                    peer.to_string(),
                    "its certificate (from this deployment's CA) names no host of this deployment".into(),
                );
            };
            match read_frame(&mut s).await {
                Ok(Some(Frame::Hello(claim))) if claim == host => {}
                Ok(Some(Frame::Hello(claim))) => {
                    return refuse(
                        host.clone(),
                        format!("claims to be {claim:?} but its certificate is for {host:?}"),
                    );
                }
                other => return refuse(host, format!("no hello frame: {other:?}")),
            }
            let _ = tx.send(Inbound::Accepted);
            let Ok(h) = d.host(&host) else { return };
            loop {
                match read_frame(&mut s).await {
                    Ok(Some(Frame::Msg { from, to, bytes })) => {
                        if !h.hosts(from) {
                            refuse(
                                host.clone(),
                                format!("sent a message as {from}, a party {host} does not host; refused"),
                            );
                            continue;
                        }
                        let _ = tx.send(Inbound::Msg {
                            host: host.clone(),
                            from,
                            to,
                            bytes,
                        });
                    }
                    Ok(Some(Frame::End { ok, reason })) => {
                        let _ = tx.send(Inbound::End {
                            host: host.clone(),
                            ok,
                            reason,
                        });
                    }
                    Ok(Some(Frame::Hello(_))) => refuse(host.clone(), "a second hello".into()),
                    Ok(None) => return,
                    Err(e) => return refuse(host.clone(), format!("bad frame, connection closed: {e}")),
                }
            }
        });
    }
}

/// Turn a host's detections back into [`Detection`]s.
pub fn detections(r: &NodeReport) -> Vec<Detection> {
    const ACTIONS: [Action; 6] = [
        Action::NotSelected,
        Action::Ignored,
        Action::Rejected,
        Action::Excluded,
        Action::Skipped,
        Action::Silent,
    ];
    r.detections
        .iter()
        .map(|(by, subject, action, reason)| {
            let a = ACTIONS
                .into_iter()
                .find(|a| a.name() == action)
                .unwrap_or(Action::Ignored);
            Detection::new(by, subject, a, reason)
        })
        .collect()
}

/// The outcome in a host's report.
pub fn outcome(r: &NodeReport) -> Option<Outcome> {
    let (sum, n, check) = r.outcome.as_ref()?;
    Some(Outcome {
        sum: sum.parse().ok()?,
        n: *n,
        check: check_from_name(check)?,
    })
}

/// The phase named `name`.
pub fn phase_named(name: &str) -> Option<Phase> {
    Phase::ALL.into_iter().find(|p| p.name() == name)
}
