//! Reading the files a host or a run is given, bounded and checked before any work: the file
//! must be a regular file (a FIFO, a device such as `/dev/zero` or a directory is refused, never
//! waited on or read without end), no larger than a limit for its kind (checked on its size
//! and again while reading, reading at most one byte past the limit), and, where it holds a
//! private key, not open to the group or to others (nor its directory).
//!
//! [`read_limited`] opens without blocking (`O_NONBLOCK`, so a FIFO cannot hold the open) and
//! checks the opened file itself, so a file swapped after a look at its name is caught too.
//! [`check_private`] says which `chmod` fixes a refusal.

use std::io::Read;
use std::path::Path;

use crate::error::{Result, RolesError};

/// `ca.pem`, a certificate or a TLS key: a few kilobytes; this is far beyond any.
pub const MAX_PEM: u64 = 1 << 20;
/// A protocol key file (header and private key).
pub const MAX_KEY_FILE: u64 = 1 << 20;
/// `deployment.toml`: a host line per process (at most a million DPs, one to a host).
pub const MAX_DEPLOYMENT: u64 = 256 << 20;
/// `roster.toml`: every CP's public keys and, in `vss`, every DP's (a million of them).
pub const MAX_ROSTER: u64 = 512 << 20;

/// The whole of regular file `path` (`what` names it in errors), refused when it is not a
/// regular file or longer than `limit` bytes.
pub fn read_limited(path: &Path, what: &str, limit: u64) -> Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    let shown = path.display();
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| RolesError::Config(format!("cannot read {what} {shown}: {e}")))?;
    let meta = f
        .metadata()
        .map_err(|e| RolesError::Config(format!("cannot read {what} {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(RolesError::Config(format!(
            "{what} {shown} is not a regular file ({}): give the file itself",
            kind(&meta)
        )));
    }
    let too_big = |len: u64| {
        RolesError::Config(format!(
            "{what} {shown} is {len} bytes, more than the {limit} bytes such a file may have: is it the right file?"
        ))
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| RolesError::Config(format!("cannot read {what} {shown}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// What a file that is not a regular one is, for errors.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Refuse private file `path` (`what` names it) when the group or others may read, write or
/// enter it: a key file must be 0600 (or stricter), a directory of keys 0700.
pub fn check_private(path: &Path, what: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| RolesError::Config(format!("cannot read {what} {}: {e}", path.display())))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        let fix = if meta.is_dir() { "700" } else { "600" };
        return Err(RolesError::Config(format!(
            "{what} {} is open to {} (mode {mode:03o}); it holds private keys: `chmod {fix} {}`",
            path.display(),
            if mode & 0o007 != 0 { "every user" } else { "its group" },
            path.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_device_a_directory_and_a_long_file_are_refused_by_name() {
        let e = read_limited(Path::new("/dev/zero"), "ca", 100).unwrap_err().to_string();
        assert!(e.contains("/dev/zero") && e.contains("a device"), "{e}");
        let d = tempfile::tempdir().unwrap();
        let e = read_limited(d.path(), "ca", 100).unwrap_err().to_string();
        assert!(e.contains("a directory"), "{e}");
        let f = d.path().join("big");
        std::fs::write(&f, [b'x'; 101]).unwrap();
        let e = read_limited(&f, "ca", 100).unwrap_err().to_string();
        assert!(e.contains("101 bytes") && e.contains("big"), "{e}");
        assert_eq!(read_limited(&f, "ca", 101).unwrap().len(), 101);
    }

    #[test]
    fn a_fifo_is_refused_at_once() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("fifo");
        let c = std::ffi::CString::new(f.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_limited(&f, "key", 100).unwrap_err().to_string();
        assert!(e.contains("a FIFO"), "{e}");
    }

    #[test]
    fn open_keys_and_directories_are_refused_with_the_fix() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("k");
        std::fs::write(&f, b"k").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = check_private(&f, "key file").unwrap_err().to_string();
        assert!(e.contains("chmod 600") && e.contains("every user"), "{e}");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        check_private(&f, "key file").unwrap();
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o770)).unwrap();
        let e = check_private(d.path(), "host directory").unwrap_err().to_string();
        assert!(e.contains("chmod 700") && e.contains("its group"), "{e}");
    }
}
