//! A host's TLS identity and how it dials: mutual TLS 1.3 with the deployment's CA.
//!
//! Both ends present a certificate from the deployment's CA (`rustls`, TLS 1.3 only,
//! aws-lc-rs); the dialler checks the listener's certificate against the host name it dials,
//! the listener finds the one host name the dialler's certificate is valid for ([`identify`])
//! and checks it against the name the dialler claims in its hello. That name is who sent what.
//! After the handshake the two ends exchange hellos with their deployment digests
//! ([`crate::frame`]); [`dial`] refuses a host whose digest differs. The node that drives
//! parties over these connections is [`crate::node`].

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::deploy::{Deployment, DeploymentDigest, host_dir};
use crate::frame::{Frame, escaped, read_frame, write_frame};
use dsmpc_roles::error::{Result, RolesError};

/// How long a connection may take from accept (or dial) to a complete hello, TLS handshake
/// included.
pub const HELLO_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

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
        use dsmpc_roles::files::{MAX_PEM, check_private, read_limited};
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
    /// [`dsmpc_roles::files::MAX_PEM`] bytes, the key file closed to the group and others.
    pub fn from_files(ca: &Path, cert: &Path, key: &Path) -> Result<Tls> {
        use dsmpc_roles::files::{MAX_PEM, check_private, read_limited};
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

/// Why a dial failed.
#[derive(Debug)]
pub enum DialError {
    /// No TCP connection (the host may not be up yet).
    Unreachable(String),
    /// TLS or the hello exchange failed.
    Refused(String),
    /// The host answered with another deployment digest.
    Differs(DeploymentDigest),
}

impl std::fmt::Display for DialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DialError::Unreachable(e) | DialError::Refused(e) => f.write_str(e),
            DialError::Differs(d) => write!(f, "its deployment digest {} differs", d.short()),
        }
    }
}

/// Dial host `to` at `addr` as the holder of `tls`, announcing `me` and `digest`, and read its
/// hello in reply (within [`HELLO_DEADLINE`]); the stream counts bytes.
pub async fn dial(
    tls: &Tls,
    me: &str,
    to: &str,
    addr: &str,
    counters: (Arc<AtomicU64>, Arc<AtomicU64>),
    digest: DeploymentDigest,
) -> std::result::Result<tokio_rustls::client::TlsStream<Counted<TcpStream>>, DialError> {
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| DialError::Unreachable(format!("cannot reach {to} at {addr}: {e}")))?;
    let _ = tcp.set_nodelay(true);
    let name =
        ServerName::try_from(to.to_string()).map_err(|e| DialError::Refused(format!("host name {to:?}: {e}")))?;
    let connector = tokio_rustls::TlsConnector::from(tls.client.clone());
    let refused = |e: String| DialError::Refused(format!("{to} at {addr}: {e}"));
    let shake = async {
        let mut s = connector
            .connect(name, Counted::new(tcp, counters.0, counters.1))
            .await
            .map_err(|e| {
                let why = format!("TLS with {to} at {addr} refused: {e}");
                // A connection dropped during the handshake (a busy listener) may be tried
                // again; a certificate that does not verify may not.
                use io::ErrorKind::*;
                match e.kind() {
                    ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => DialError::Unreachable(why),
                    _ => DialError::Refused(why),
                }
            })?;
        let hello = Frame::Hello {
            name: me.to_string(),
            digest,
        };
        write_frame(&mut s, &hello.encode())
            .await
            .map_err(|e| refused(e.to_string()))?;
        match read_frame(&mut s).await {
            Ok(Some(Frame::Hello { name, digest: theirs })) if name == to => {
                if theirs == digest {
                    Ok(s)
                } else {
                    Err(DialError::Differs(theirs))
                }
            }
            Ok(Some(Frame::Hello { name, .. })) => Err(refused(format!("answered as {:?}", escaped(&name)))),
            Ok(_) => Err(refused(
                "no hello in reply (it refused this host, or runs another dsmpc)".into(),
            )),
            Err(e) => Err(refused(e)),
        }
    };
    tokio::time::timeout(HELLO_DEADLINE, shake)
        .await
        .map_err(|_| refused("no TLS handshake and hello in time".into()))?
}

/// The listening socket a parent handed over as descriptor `fd` (`dsmpc node --listen-fd`),
/// after checking that `fd` is one: a TCP socket in the listening state.
pub(crate) fn inherited_listener(fd: i32, host: &str) -> Result<TcpListener> {
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
