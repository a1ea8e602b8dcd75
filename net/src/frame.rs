//! What hosts say to each other on a connection: frames, and session control inside them.
//!
//! A frame is a 4-byte big-endian length, then one body of at most [`MAX_FRAME`] bytes; a body
//! longer than that (a vector session's share packet or upload, up to [`MAX_BODY`]) travels as
//! several pieces of at most [`MAX_FRAME`] bytes, each but the last with the length's top bit
//! ([`MORE`]) set, and is read back whole:
//!
//! ```text
//! 0x01 version(1) digest(32) name    hello: which host, and the deployment digest it holds
//! 0x02 from(5) to(5) message         a protocol message (parties as a tag and a u32)
//! 0x03 control (JSON)                session control: Done or Abort with a structured reason
//! ```
//!
//! Both ends of a connection send a hello first (the dialler, then the listener in reply);
//! each compares the other's digest with its own and refuses a connection whose digest
//! differs, naming the host. Control is checked by role where it is received ([`Control`]):
//! only the Edge ends a session; every text in a reason is bounded and printed escaped.
//!
//! Reading is bounded in time as well as in size: a frame, once its first byte has arrived,
//! must arrive whole at no less than [`MIN_RATE`] bytes a second after a grace of
//! [`FRAME_GRACE`] ([`read_frame`]); idle time between frames is not limited here (the
//! session's own deadlines and `--max-wall` are).

use std::io;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::deploy::DeploymentDigest;
use dsmpc_roles::parties::PartyId;

/// The largest frame accepted (a frame holds one protocol message).
pub const MAX_FRAME: usize = 64 << 20;

/// Set in a piece's length when more pieces of the same frame follow.
pub const MORE: u32 = 1 << 31;

/// The longest frame body, in pieces: a protocol message of the longest kind
/// ([`dsmpc_roles::wire::MAX_VECTOR_MESSAGE_LEN`]) and the two parties beside it.
pub const MAX_BODY: usize = dsmpc_roles::wire::MAX_VECTOR_MESSAGE_LEN + 16;

/// The largest session-control body accepted.
pub const MAX_CONTROL: usize = 4096;

/// The longest text (a party's error, a host name) a control frame may carry.
pub const MAX_TEXT: usize = 512;

/// The hello's format version (the digest is carried from version 2 on).
pub const HELLO_VERSION: u8 = 2;

/// The slowest a frame may arrive once it has begun, bytes per second (1 Mbit/s: a 16 MiB
/// frame over the slowest shipped profile, 6 Mbit/s, needs about 22 s and has 138 s).
pub const MIN_RATE: u64 = 128 << 10;

/// What every frame may take beyond its size at [`MIN_RATE`].
pub const FRAME_GRACE: Duration = Duration::from_secs(10);

/// A frame on a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Which host this end is (its certificate must agree), and the digest of its deployment.
    Hello {
        /// The host name.
        name: String,
        /// Its deployment digest.
        digest: DeploymentDigest,
    },
    /// A protocol message.
    Msg {
        /// The party it is from (must be hosted by the connection's host).
        from: PartyId,
        /// The party it is for.
        to: PartyId,
        /// The encoded message.
        bytes: Vec<u8>,
    },
    /// Session control.
    Control(Control),
}

/// Session control, checked by the sender's role where it is received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "control", rename_all = "snake_case", deny_unknown_fields)]
pub enum Control {
    /// The Edge has its result: every host stops, its part done. Only the Edge sends it.
    Done,
    /// The session is over without a result. Every host accepts it from the Edge; the Edge
    /// accepts it from the Cloud, and in the paper's modes from any host (a failure there
    /// aborts); in `vss` a CP or DP host's abort is noted and the session goes on without it.
    Abort {
        /// Why.
        reason: Reason,
    },
}

/// Why a session was aborted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reason {
    /// A party hosted by the sender failed.
    PartyFailed {
        /// The party.
        party: String,
        /// Its error, in words.
        error: String,
    },
    /// The sender refused a host whose deployment digest differs from its own.
    DeploymentDiffers {
        /// That host.
        host: String,
    },
    /// A link the session needs went away before the session ended.
    LinkLost {
        /// The host at its other end.
        host: String,
    },
    /// The sender reached its `--max-wall`.
    MaxWall {
        /// The bound, seconds.
        seconds: u64,
    },
    /// The sender was stopped by a signal or its controller.
    Stopped {
        /// How, in words.
        how: String,
    },
    /// The Edge passes on another host's abort.
    Relayed {
        /// The host that aborted.
        host: String,
        /// Its reason (not itself relayed).
        reason: Box<Reason>,
    },
}

/// `s` with every control character, quote and non-ASCII character escaped: text from a peer
/// can never start a line of its own or pass for output.
pub fn escaped(s: &str) -> String {
    s.chars().flat_map(char::escape_default).collect()
}

impl Reason {
    /// Whether every text is within [`MAX_TEXT`] and a relayed reason is not itself relayed.
    pub fn is_well_formed(&self) -> bool {
        let short = |s: &str| s.len() <= MAX_TEXT;
        match self {
            Reason::PartyFailed { party, error } => short(party) && short(error),
            Reason::DeploymentDiffers { host } | Reason::LinkLost { host } => short(host),
            Reason::MaxWall { .. } => true,
            Reason::Stopped { how } => short(how),
            Reason::Relayed { host, reason } => {
                short(host) && !matches!(**reason, Reason::Relayed { .. }) && reason.is_well_formed()
            }
        }
    }

    /// A bounded copy: texts cut to [`MAX_TEXT`] bytes (at a character boundary).
    pub fn bounded(mut self) -> Reason {
        fn cut(s: &mut String) {
            if s.len() > MAX_TEXT {
                let mut i = MAX_TEXT;
                while !s.is_char_boundary(i) {
                    i -= 1;
                }
                s.truncate(i);
            }
        }
        match &mut self {
            Reason::PartyFailed { party, error } => {
                cut(party);
                cut(error);
            }
            Reason::DeploymentDiffers { host } | Reason::LinkLost { host } => cut(host),
            Reason::MaxWall { .. } => {}
            Reason::Stopped { how } => cut(how),
            Reason::Relayed { host, reason } => {
                cut(host);
                let inner = std::mem::replace(&mut **reason, Reason::MaxWall { seconds: 0 });
                **reason = match inner {
                    Reason::Relayed { reason, .. } => reason.bounded(),
                    r => r.bounded(),
                };
            }
        }
        self
    }
}

impl std::fmt::Display for Reason {
    /// In words, every text from a peer escaped.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::PartyFailed { party, error } => write!(f, "{} failed: {}", escaped(party), escaped(error)),
            Reason::DeploymentDiffers { host } => write!(
                f,
                "host {}'s deployment differs (another deployment.toml or roster.toml)",
                escaped(host)
            ),
            Reason::LinkLost { host } => write!(f, "the link with {} was lost", escaped(host)),
            Reason::MaxWall { seconds } => write!(f, "no end within --max-wall {seconds} s"),
            Reason::Stopped { how } => write!(f, "stopped ({})", escaped(how)),
            Reason::Relayed { host, reason } => write!(f, "{} aborted: {reason}", escaped(host)),
        }
    }
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
        // The Cloud and the Edge carry no number: any other than 0 is a second spelling.
        0 if n == 0 => PartyId::Cloud,
        1 if n == 0 => PartyId::Edge,
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
            Frame::Hello { name, digest } => {
                body.push(1);
                body.push(HELLO_VERSION);
                body.extend_from_slice(&digest.0);
                body.extend_from_slice(name.as_bytes());
            }
            Frame::Msg { from, to, bytes } => {
                body.reserve(11 + bytes.len());
                body.push(2);
                put_party(&mut body, *from);
                put_party(&mut body, *to);
                body.extend_from_slice(bytes);
            }
            Frame::Control(c) => {
                body.push(3);
                // A derived Serialize of enums with string fields cannot fail.
                body.extend_from_slice(&serde_json::to_vec(c).unwrap_or_default());
            }
        }
        let mut out = Vec::with_capacity(body.len() + 4 * body.len().div_ceil(MAX_FRAME).max(1));
        let mut pieces = body.chunks(MAX_FRAME).peekable();
        if pieces.peek().is_none() {
            out.extend_from_slice(&0u32.to_be_bytes());
        }
        while let Some(piece) = pieces.next() {
            let more = if pieces.peek().is_some() { MORE } else { 0 };
            out.extend_from_slice(&(piece.len() as u32 | more).to_be_bytes());
            out.extend_from_slice(piece);
        }
        out
    }

    /// Decode one frame body (without the length prefix).
    pub fn decode(b: &[u8]) -> std::result::Result<Frame, String> {
        match b.split_first() {
            Some((1, rest)) => {
                let (&version, rest) = rest.split_first().ok_or("empty hello")?;
                if version != HELLO_VERSION {
                    return Err(format!(
                        "hello of version {version}, this dsmpc speaks {HELLO_VERSION}: run the same dsmpc on every host"
                    ));
                }
                if rest.len() < 32 || rest.len() > 32 + MAX_TEXT {
                    return Err(format!("hello of {} bytes", rest.len() + 2));
                }
                let (digest, name) = rest.split_at(32);
                let name = String::from_utf8(name.to_vec()).map_err(|_| "host name not UTF-8".to_string())?;
                let digest = DeploymentDigest(digest.try_into().map_err(|_| "short digest")?);
                Ok(Frame::Hello { name, digest })
            }
            Some((2, rest)) if rest.len() >= 10 => {
                let from = get_party(&rest[..5]).ok_or("bad sender")?;
                let to = get_party(&rest[5..10]).ok_or("bad recipient")?;
                Ok(Frame::Msg {
                    from,
                    to,
                    bytes: rest[10..].to_vec(),
                })
            }
            Some((3, rest)) => {
                if rest.len() > MAX_CONTROL {
                    return Err(format!(
                        "session control of {} bytes (at most {MAX_CONTROL})",
                        rest.len()
                    ));
                }
                let c: Control =
                    serde_json::from_slice(rest).map_err(|e| format!("unreadable session control: {e}"))?;
                // One spelling only: what this dsmpc writes (no extra fields, no padding).
                if serde_json::to_vec(&c).ok().as_deref() != Some(rest) {
                    return Err("session control not in its canonical form".into());
                }
                if let Control::Abort { reason } = &c
                    && !reason.is_well_formed()
                {
                    return Err("session control with an over-long or doubly relayed reason".into());
                }
                Ok(Frame::Control(c))
            }
            Some((t, _)) => Err(format!("unknown or short frame of type {t}")),
            None => Err("empty frame".into()),
        }
    }
}

/// The most a frame of `len` bytes may take once it has begun.
pub fn frame_deadline(len: usize) -> Duration {
    FRAME_GRACE + Duration::from_secs_f64(len as f64 / MIN_RATE as f64)
}

/// Read one frame; `None` at a clean end of stream. Waits for the first byte as long as it
/// takes; from there each piece of the frame must arrive within [`frame_deadline`] of its size.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> std::result::Result<Option<Frame>, String> {
    let mut len = [0u8; 4];
    match r.read(&mut len[..1]).await {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        // Between frames, a peer that closes without TLS's close_notify has just gone.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.to_string()),
    }
    let mut body = Vec::new();
    let mut first = true;
    loop {
        let more = tokio::time::timeout(frame_deadline(MAX_FRAME), async {
            let from = if first { 1 } else { 0 };
            r.read_exact(&mut len[from..]).await.map_err(|e| e.to_string())?;
            let (n, more) = next_piece(body.len(), u32::from_be_bytes(len))?;
            let start = body.len();
            body.resize(start + n, 0);
            tokio::time::timeout(frame_deadline(n), r.read_exact(&mut body[start..]))
                .await
                .map_err(|_| too_slow(n))?
                .map_err(|e| e.to_string())?;
            Ok::<bool, String>(more)
        })
        .await
        .map_err(|_| "a frame's length did not arrive in time".to_string())??;
        first = false;
        if !more {
            break;
        }
    }
    Frame::decode(&body).map(Some)
}

/// The size of the next piece of a frame whose pieces so far hold `so_far` bytes, from its
/// length field, and whether more pieces follow; why it is refused.
fn next_piece(so_far: usize, field: u32) -> std::result::Result<(usize, bool), String> {
    let (n, more) = ((field & !MORE) as usize, field & MORE != 0);
    if n > MAX_FRAME {
        return Err(format!("frame of {n} bytes, more than the {MAX_FRAME} allowed"));
    }
    if so_far + n > MAX_BODY {
        return Err(format!(
            "a frame of more than {} bytes in pieces, more than the {MAX_BODY} allowed",
            so_far + n
        ));
    }
    if more && n == 0 {
        return Err("an empty piece of a frame announcing more".into());
    }
    Ok((n, more))
}

fn too_slow(n: usize) -> String {
    format!(
        "a frame of {n} bytes arrived slower than {} KiB/s (after {} s of grace): connection closed",
        MIN_RATE >> 10,
        FRAME_GRACE.as_secs()
    )
}

/// Write one encoded frame and flush it. The flush matters: when the socket is full, a TLS
/// stream's `write_all` returns once rustls holds the last records, and they leave only on the
/// next write or flush; a frame that is the last one for a while (a DP host's last shares) would
/// otherwise wait for ever, which is what the shaped `netns` links showed.
pub async fn write_frame<S: AsyncWrite + Unpin>(s: &mut S, frame: &[u8]) -> io::Result<()> {
    s.write_all(frame).await?;
    s.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(f: &Frame) -> Vec<u8> {
        f.encode()[4..].to_vec()
    }

    #[test]
    fn a_piece_beyond_the_frame_or_the_body_limit_is_refused_before_it_is_read() {
        assert_eq!(next_piece(0, 10), Ok((10, false)));
        assert_eq!(next_piece(0, MORE | MAX_FRAME as u32), Ok((MAX_FRAME, true)));
        assert!(
            next_piece(0, MAX_FRAME as u32 + 1)
                .unwrap_err()
                .contains("more than the")
        );
        assert!(next_piece(MAX_BODY - 5, 6).unwrap_err().contains("in pieces"));
        assert_eq!(next_piece(MAX_BODY - 5, 5), Ok((5, false)));
        assert!(next_piece(0, MORE).is_err());
    }

    #[tokio::test]
    async fn a_message_longer_than_a_frame_crosses_in_pieces() {
        let bytes: Vec<u8> = (0..MAX_FRAME + MAX_FRAME / 2 + 7).map(|i| (i % 251) as u8).collect();
        let f = Frame::Msg {
            from: PartyId::Dp(1),
            to: PartyId::Cp(2),
            bytes,
        };
        let encoded = f.encode();
        // Two pieces: the first of MAX_FRAME bytes with MORE set, then the rest.
        assert_eq!(
            u32::from_be_bytes(encoded[..4].try_into().unwrap()),
            MORE | MAX_FRAME as u32
        );
        let (mut a, mut b) = tokio::io::duplex(1 << 20);
        let writer = tokio::spawn(async move { write_frame(&mut a, &encoded).await });
        let got = read_frame(&mut b).await.unwrap().unwrap();
        writer.await.unwrap().unwrap();
        assert_eq!(got, f);
        // A small frame is one piece, as before.
        let small = Frame::Control(Control::Done).encode();
        assert_eq!(
            u32::from_be_bytes(small[..4].try_into().unwrap()) as usize,
            small.len() - 4
        );
    }

    #[test]
    fn frames_round_trip() {
        let d = DeploymentDigest([7; 32]);
        let frames = [
            Frame::Hello {
                name: "cp-2".into(),
                digest: d,
            },
            Frame::Msg {
                from: PartyId::Dp(3),
                to: PartyId::Cp(2),
                bytes: vec![1, 2, 3],
            },
            Frame::Control(Control::Done),
            Frame::Control(Control::Abort {
                reason: Reason::Relayed {
                    host: "cloud".into(),
                    reason: Box::new(Reason::PartyFailed {
                        party: "Cloud".into(),
                        error: "too few".into(),
                    }),
                },
            }),
        ];
        for f in frames {
            assert_eq!(Frame::decode(&body(&f)).unwrap(), f);
        }
    }

    /// Found by fuzzing: a message from the Cloud (or to the Edge) with a number beside it was
    /// accepted and re-encoded without it; one party, one spelling.
    #[test]
    fn the_cloud_and_the_edge_have_one_spelling() {
        let f = Frame::Msg {
            from: PartyId::Cloud,
            to: PartyId::Edge,
            bytes: vec![5],
        };
        let good = body(&f);
        assert_eq!(Frame::decode(&good).unwrap(), f);
        for at in [5, 10] {
            let mut bad = good.clone();
            bad[at] = 1;
            assert!(Frame::decode(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn control_is_typed_bounded_and_escaped() {
        // Unknown kinds and fields are refused, not passed on as text.
        for bad in [
            &br#"{"control":"end","ok":true,"reason":"sum = 1337"}"#[..],
            br#"{"control":"done","extra":1}"#,
            br#"{"control":"abort","reason":{"why":"free_text","text":"x"}}"#,
        ] {
            let mut b = vec![3];
            b.extend_from_slice(bad);
            assert!(Frame::decode(&b).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        // A reason nested twice, or too long, is refused.
        let twice = Control::Abort {
            reason: Reason::Relayed {
                host: "edge".into(),
                reason: Box::new(Reason::Relayed {
                    host: "cloud".into(),
                    reason: Box::new(Reason::MaxWall { seconds: 1 }),
                }),
            },
        };
        assert!(Frame::decode(&body(&Frame::Control(twice))).is_err());
        let long = Reason::Stopped {
            how: "x".repeat(MAX_TEXT + 1),
        };
        assert!(!long.is_well_formed());
        assert!(long.bounded().is_well_formed());
        // A peer's text cannot start a line of its own.
        let r = Reason::PartyFailed {
            party: "DP1".into(),
            error: "x\n  sum = 1337  average = 1 (3 results cross-checked)".into(),
        };
        let shown = r.to_string();
        assert!(!shown.contains('\n'), "{shown}");
        assert!(shown.contains("\\n"));
    }

    #[test]
    fn hellos_of_another_version_or_size_are_refused() {
        let mut b = body(&Frame::Hello {
            name: "edge".into(),
            digest: DeploymentDigest([0; 32]),
        });
        b[1] = 1;
        assert!(Frame::decode(&b).unwrap_err().contains("version"));
        assert!(Frame::decode(&[1, HELLO_VERSION, 0, 0]).is_err());
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_trickled_frame_is_cut_off() {
        let (mut a, mut b) = tokio::io::duplex(1 << 16);
        let reader = tokio::spawn(async move { read_frame(&mut b).await });
        // A length of 1 MiB, then one byte a second.
        a.write_all(&(1u32 << 20).to_be_bytes()).await.unwrap();
        for _ in 0..60 {
            if a.write_all(&[0]).await.is_err() {
                break; // the reader gave up
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let r = reader.await.unwrap();
        assert!(r.unwrap_err().contains("slower than"));
    }
}
