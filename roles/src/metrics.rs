//! Measuring phases: thread CPU time and wall time per party instance, with the operation
//! counts of `dsmpc_core::counters` attached, summarised per phase as total over instances
//! (work) and maximum over instances (latency if each party had its own machine).
//!
//! Under valgrind's callgrind each measured stretch also becomes one callgrind dump labelled
//! with its phase ([`callgrind`]), which is how `cargo xtask regress` counts instructions per
//! phase.

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::fmt;
use std::time::Instant;

use dsmpc_core::counters::{self, OpCounts};

/// The measured phases, named as in the reference log where it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// CP: build the token and signature (Algorithm 1, step 2).
    CpAuthRequest,
    /// Cloud: check one auth request and answer it (step 3), per request.
    PartyAuthVerify,
    /// CP: decrypt the assigned index.
    CpIndexDecrypt,
    /// DP: share, encrypt and attach PVSS for every CP (Algorithm 2, steps 1-2).
    ShareEncryptPvssAttach,
    /// CP: decrypt, verify and add every DP's share (step 3).
    CpDecryptPvssVerifyLocalCompute,
    /// `vss` only: each CP's report of the DPs it accepted, the Edge's decision on the
    /// agreed set of DPs, and each CP's sum over that set (one extra round through the Edge).
    DpSetAgreement,
    /// CP: encrypt the sum-share for the Edge (step 4).
    CpResultEncrypt,
    /// Edge: decrypt t results and interpolate (step 5).
    EdgeReconstruct,
}

impl Phase {
    /// Every phase, in protocol order.
    pub const ALL: [Phase; 8] = [
        Phase::CpAuthRequest,
        Phase::PartyAuthVerify,
        Phase::CpIndexDecrypt,
        Phase::ShareEncryptPvssAttach,
        Phase::CpDecryptPvssVerifyLocalCompute,
        Phase::DpSetAgreement,
        Phase::CpResultEncrypt,
        Phase::EdgeReconstruct,
    ];

    /// The name in logs and CSV files.
    pub fn name(self) -> &'static str {
        match self {
            Phase::PartyAuthVerify => "party_auth_verify",
            Phase::CpAuthRequest => "cp_auth_request",
            Phase::CpIndexDecrypt => "cp_index_decrypt",
            Phase::ShareEncryptPvssAttach => "share_encrypt_pvss_attach",
            Phase::CpDecryptPvssVerifyLocalCompute => "cp_decrypt_pvss_verify_local_compute",
            Phase::DpSetAgreement => "dp_set_agreement",
            Phase::CpResultEncrypt => "cp_result_encrypt",
            Phase::EdgeReconstruct => "edge_reconstruct",
        }
    }
}

impl Phase {
    /// The label of this phase's callgrind dumps: `dsmpc-phase:` and the name (see
    /// [`callgrind`]).
    pub fn dump_label(self) -> &'static CStr {
        match self {
            Phase::PartyAuthVerify => c"dsmpc-phase:party_auth_verify",
            Phase::CpAuthRequest => c"dsmpc-phase:cp_auth_request",
            Phase::CpIndexDecrypt => c"dsmpc-phase:cp_index_decrypt",
            Phase::ShareEncryptPvssAttach => c"dsmpc-phase:share_encrypt_pvss_attach",
            Phase::CpDecryptPvssVerifyLocalCompute => c"dsmpc-phase:cp_decrypt_pvss_verify_local_compute",
            Phase::DpSetAgreement => c"dsmpc-phase:dp_set_agreement",
            Phase::CpResultEncrypt => c"dsmpc-phase:cp_result_encrypt",
            Phase::EdgeReconstruct => c"dsmpc-phase:edge_reconstruct",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// CPU time consumed by the calling thread so far, in seconds.
pub fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec into the pointer we pass.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Process CPU seconds (user + system), all threads.
pub fn process_cpu_seconds() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec into the pointer we pass.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Unix microseconds now (the real clock, for networked runs' timelines).
pub fn unix_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

#[derive(Clone, Copy, Debug, Default)]
struct Instance {
    cpu: f64,
    wall: f64,
    ops: OpCounts,
}

/// One phase, summarised over its instances.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseStats {
    /// The phase.
    pub phase: Phase,
    /// Party instances that ran it.
    pub instances: usize,
    /// Total thread CPU seconds over instances.
    pub work_cpu_s: f64,
    /// Total wall seconds over instances.
    pub work_wall_s: f64,
    /// Largest CPU seconds of one instance.
    pub max_cpu_s: f64,
    /// Largest wall seconds of one instance.
    pub max_wall_s: f64,
    /// Operation counts, total over instances.
    pub ops: OpCounts,
}

/// One measured call: CPU seconds, wall seconds and counted operations.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// Thread CPU seconds.
    pub cpu: f64,
    /// Wall seconds.
    pub wall: f64,
    /// Operations counted on this thread during the call.
    pub ops: OpCounts,
}

/// A measurement in progress on this thread: CPU, wall time and counted operations since
/// [`Stopwatch::start`].
#[derive(Clone, Copy, Debug)]
pub struct Stopwatch {
    ops: OpCounts,
    cpu: f64,
    wall: Instant,
}

impl Stopwatch {
    /// Start measuring on this thread.
    pub fn start() -> Self {
        let w = Stopwatch {
            ops: counters::snapshot(),
            cpu: thread_cpu_seconds(),
            wall: Instant::now(),
        };
        callgrind::zero_stats();
        w
    }

    /// Stop: what `phase` cost since the start (on the same thread).
    pub fn stop(self, phase: Phase) -> Sample {
        callgrind::dump_stats_at(phase.dump_label());
        Sample {
            cpu: thread_cpu_seconds() - self.cpu,
            wall: self.wall.elapsed().as_secs_f64(),
            ops: counters::snapshot() - self.ops,
        }
    }
}

/// Run `f` on this thread as part of `phase` and measure it (for work spread over threads;
/// see [`Meter::add`]).
pub fn sample<T>(phase: Phase, f: impl FnOnce() -> T) -> (T, Sample) {
    let w = Stopwatch::start();
    let out = f();
    (out, w.stop(phase))
}

/// Accumulates measurements per (phase, instance).
#[derive(Debug, Default)]
pub struct Meter {
    data: BTreeMap<(Phase, u32), Instance>,
}

impl Meter {
    /// An empty meter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Run `f` as part of `phase` at party instance `instance`, adding its CPU time, wall
    /// time and counted operations to that instance.
    pub fn measure<T>(&mut self, phase: Phase, instance: u32, f: impl FnOnce() -> T) -> T {
        let (out, s) = sample(phase, f);
        self.add(phase, instance, s);
        out
    }

    /// Add a sample measured elsewhere (on another thread) to `phase` at `instance`.
    pub fn add(&mut self, phase: Phase, instance: u32, s: Sample) {
        let e = self.data.entry((phase, instance)).or_default();
        e.cpu += s.cpu;
        e.wall += s.wall;
        e.ops += s.ops;
    }

    /// The summary of one phase (`None` if it never ran).
    pub fn phase(&self, phase: Phase) -> Option<PhaseStats> {
        let mut s = PhaseStats {
            phase,
            instances: 0,
            work_cpu_s: 0.0,
            work_wall_s: 0.0,
            max_cpu_s: 0.0,
            max_wall_s: 0.0,
            ops: OpCounts::default(),
        };
        for (_, inst) in self.data.range((phase, 0)..=(phase, u32::MAX)) {
            s.instances += 1;
            s.work_cpu_s += inst.cpu;
            s.work_wall_s += inst.wall;
            s.max_cpu_s = s.max_cpu_s.max(inst.cpu);
            s.max_wall_s = s.max_wall_s.max(inst.wall);
            s.ops += inst.ops;
        }
        (s.instances > 0).then_some(s)
    }

    /// Every phase that ran, in protocol order.
    pub fn summary(&self) -> Vec<PhaseStats> {
        Phase::ALL.iter().filter_map(|p| self.phase(*p)).collect()
    }
}

/// Bytes per message kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageStats {
    /// Messages sent.
    pub count: u64,
    /// Total encoded bytes.
    pub bytes: u64,
    /// Total cryptographic-payload bytes (the reference prototype's count).
    pub payload_bytes: u64,
    /// Bytes of the largest single message.
    pub max_bytes: u64,
    /// Payload bytes of the largest single message.
    pub max_payload_bytes: u64,
}

/// Instruction counts per phase under valgrind's callgrind, through callgrind's client
/// requests (the protocol of `valgrind/callgrind.h`, written out here because the crates that
/// wrap it are not among the project's dependencies).
///
/// [`Stopwatch::start`] zeroes callgrind's counters and [`Stopwatch::stop`] dumps them with the
/// label `dsmpc-phase:<phase>` ([`Phase::dump_label`]), so that each dump of a run holds
/// exactly the instructions of one measured stretch of one phase. `dsmpc-reports` sums the
/// dumps per phase. Run it with one thread (`--jobs 1 --session-threads 1`): counters are
/// per process, so stretches measured at once on two threads would mix.
///
/// Outside valgrind a client request is a no-op: four rotations of `rdi` by 128 bits in
/// total and `xchg rbx, rbx`, which valgrind recognises as a request and a CPU executes in
/// a few cycles. On other architectures the functions do nothing.
pub mod callgrind {
    use std::ffi::CStr;

    /// `VG_USERREQ_TOOL_BASE('C','T')`: callgrind's first request code.
    const BASE: u64 = (b'C' as u64) << 24 | (b'T' as u64) << 16;
    /// `VG_USERREQ__ZERO_STATS`.
    const ZERO_STATS: u64 = BASE + 1;
    /// `VG_USERREQ__DUMP_STATS_AT`.
    const DUMP_STATS_AT: u64 = BASE + 3;

    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn request(code: u64, arg1: u64) {
        let args: [u64; 6] = [code, arg1, 0, 0, 0, 0];
        let mut result: u64 = 0;
        // SAFETY: the sequence leaves every register as it was (rdi is rotated by 128 bits in
        // all, i.e. not changed; xchg of rbx with itself) except rdx, declared as an output;
        // valgrind reads the six words at rax, which live until the asm block ends.
        unsafe {
            std::arch::asm!(
                "rol rdi, 3",
                "rol rdi, 13",
                "rol rdi, 61",
                "rol rdi, 51",
                "xchg rbx, rbx",
                in("rax") args.as_ptr(),
                inout("rdx") result,
                options(nostack),
            );
        }
        let _ = result;
    }

    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    fn request(_code: u64, _arg1: u64) {}

    /// Zero callgrind's counters (the start of a measured stretch).
    pub fn zero_stats() {
        request(ZERO_STATS, 0);
    }

    /// Dump callgrind's counters with `label` as the dump's trigger, and zero them.
    pub fn dump_stats_at(label: &CStr) {
        request(DUMP_STATS_AT, label.as_ptr() as u64);
    }

    /// [`dump_stats_at`] with a label built at run time (one holding a NUL byte is not sent).
    pub fn dump(label: &str) {
        if let Ok(label) = std::ffi::CString::new(label) {
            dump_stats_at(&label);
        }
    }
}
