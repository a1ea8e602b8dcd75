//! Is the GMP backend usable here? The `gmp` feature links the system libgmp (Debian's
//! `libgmp-dev`), so the check is whether a C program including `<gmp.h>` links with `-lgmp`.
//! `DSMPC_GMP=0|1` overrides the check.

use std::io::Write;
use std::process::{Command, Stdio};

/// How to get the fast backend, printed when it is missing.
pub const HOW_TO_ENABLE: &str = "the GMP backend is off: the system GMP (gmp.h and libgmp) was not found. \
Install it (Debian/Ubuntu: `apt-get install libgmp-dev`) and run again, or set DSMPC_GMP=1 to force it.";

/// Whether to build with `--features gmp`.
pub fn available() -> bool {
    match std::env::var("DSMPC_GMP").as_deref() {
        Ok("0") => return false,
        Ok("1") => return true,
        _ => {}
    }
    let dir = std::env::temp_dir().join(format!("dsmpc-gmp-check-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return false;
    }
    let src = dir.join("check.c");
    let ok = std::fs::File::create(&src)
        .and_then(|mut f| {
            f.write_all(b"#include <gmp.h>\nint main(void){mpz_t x; mpz_init(x); mpz_clear(x); return 0;}\n")
        })
        .is_ok()
        && Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
            .arg(&src)
            .arg("-lgmp")
            .arg("-o")
            .arg(dir.join("check"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    let _ = std::fs::remove_dir_all(&dir);
    ok
}
