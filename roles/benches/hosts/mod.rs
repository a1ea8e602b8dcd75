//! The reference prototype's figures by host kind, and which kind this host is.
//!
//! The reference prototype is not part of the project: its sums of phases are figures measured
//! on particular hosts (`shared/reference/figures.md`), and a figure from one host is no
//! yardstick for another. [`HostKind::detect`] reads /proc/cpuinfo (vendor, family, model,
//! flags) and names the known host kind this machine is, if any.

/// A host kind on which the reference prototype was measured, and its figures there.
pub struct HostKind {
    /// How tables name it.
    pub name: &'static str,
    /// `vendor_id` in /proc/cpuinfo.
    vendor: &'static str,
    /// `(cpu family, model)`, when the figures' host recorded them.
    family_model: Option<(u32, u32)>,
    /// A word the `model name` must contain.
    model_word: &'static str,
    /// Whether the host has AVX-512 IFMA (`avx512ifma` in the flags).
    ifma: bool,
    /// `(n, m, t, the reference's sum of phases in seconds)`: medians.
    figures: &'static [(usize, usize, usize, f64)],
}

/// Every host kind with reference figures.
pub const KNOWN: [HostKind; 2] = [
    HostKind {
        name: "AMD EPYC family 25 model 17 (AVX-512 IFMA)",
        vendor: "AuthenticAMD",
        family_model: Some((25, 17)),
        model_word: "EPYC",
        ifma: true,
        // Six runs interleaved with dsmpc, 2026-12-07.
        figures: &[(20, 5, 3, 1.22), (100, 10, 5, 12.2)],
    },
    HostKind {
        name: "Intel Xeon VM (no AVX-512 IFMA)",
        vendor: "GenuineIntel",
        family_model: None,
        model_word: "Xeon",
        ifma: false,
        // Four runs, 2026-11-26.
        figures: &[(20, 5, 3, 1.512), (100, 10, 5, 15.10)],
    },
];

/// The facts of /proc/cpuinfo's first processor that pick a host kind.
#[derive(Debug, Default)]
pub struct Cpu {
    vendor: String,
    model_name: String,
    family_model: Option<(u32, u32)>,
    ifma: bool,
}

impl Cpu {
    /// This host's CPU; empty facts (an unknown host) where /proc/cpuinfo cannot be read.
    pub fn this_host() -> Cpu {
        std::fs::read_to_string("/proc/cpuinfo")
            .map(|t| Cpu::parse(&t))
            .unwrap_or_default()
    }

    /// The facts from the text of /proc/cpuinfo.
    pub fn parse(cpuinfo: &str) -> Cpu {
        let first = cpuinfo.split("\n\n").next().unwrap_or("");
        let field = |key: &str| {
            first.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == key).then(|| v.trim().to_string())
            })
        };
        let num = |key: &str| field(key).and_then(|v| v.parse::<u32>().ok());
        Cpu {
            vendor: field("vendor_id").unwrap_or_default(),
            model_name: field("model name").unwrap_or_default(),
            family_model: num("cpu family").zip(num("model")),
            ifma: field("flags").is_some_and(|f| f.split_whitespace().any(|x| x == "avx512ifma")),
        }
    }

    /// One line for the bench's output: vendor, model name, family and model, IFMA.
    pub fn describe(&self) -> String {
        let fm = self
            .family_model
            .map(|(f, m)| format!("family {f} model {m}"))
            .unwrap_or_else(|| "family/model unknown".into());
        let ifma = if self.ifma { "avx512ifma" } else { "no avx512ifma" };
        format!("{} {:?} [{fm}; {ifma}]", self.vendor, self.model_name)
    }
}

impl HostKind {
    /// The known host kind `cpu` is: vendor, model-name word and IFMA must match, and the
    /// family and model where the kind recorded them.
    pub fn detect(cpu: &Cpu) -> Option<&'static HostKind> {
        KNOWN.iter().find(|h| {
            h.vendor == cpu.vendor
                && cpu.model_name.contains(h.model_word)
                && h.ifma == cpu.ifma
                && h.family_model.is_none_or(|fm| cpu.family_model == Some(fm))
        })
    }

    /// The reference's sum of phases at `(n, m, t)` on this host kind, if it was measured.
    pub fn figure(&self, n: usize, m: usize, t: usize) -> Option<f64> {
        self.figures
            .iter()
            .find(|&&(fn_, fm, ft, _)| (fn_, fm, ft) == (n, m, t))
            .map(|f| f.3)
    }
}

/// Checks [`HostKind::detect`] on canned /proc/cpuinfo texts (a bench has no test harness, so
/// the bench runs this before anything else): the IFMA host and the Intel VM are told apart,
/// and another AMD model or no CPU facts is no known kind.
pub fn self_check() {
    const IFMA: &str = "vendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC\n\
                        flags\t\t: fpu avx2 avx512f avx512ifma\n\nprocessor\t: 1\n";
    let kind = |text: &str| HostKind::detect(&Cpu::parse(text));
    assert_eq!(kind(IFMA).and_then(|h| h.figure(20, 5, 3)), Some(1.22));
    let intel = "vendor_id : GenuineIntel\ncpu family : 6\nmodel : 85\nmodel name : Intel(R) Xeon(R)\nflags : avx2\n";
    assert_eq!(kind(intel).and_then(|h| h.figure(100, 10, 5)), Some(15.10));
    assert!(kind(&IFMA.replace("model\t\t: 17", "model\t\t: 1")).is_none());
    assert!(kind("").is_none());
}
