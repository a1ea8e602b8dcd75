//! One argument parser for the tasks' own options: [`split`] takes the options a task knows
//! (`--flag VALUE` or `--flag=VALUE`, and switches) out of its arguments and leaves the rest, in
//! order, for the task to check or to pass on to the program it runs; [`peek`] reads an option's
//! value from arguments that are passed on whole.

use std::collections::{BTreeMap, BTreeSet};

/// The options a task took out of its arguments, and the others.
#[derive(Debug, Default)]
pub struct Split {
    /// Each valued option given, with every value in the order given.
    values: BTreeMap<String, Vec<String>>,
    /// The switches given.
    switches: BTreeSet<String>,
    /// Everything else, in order.
    pub rest: Vec<String>,
}

impl Split {
    /// The last value of `flag`, if given.
    pub fn value(&self, flag: &str) -> Option<&str> {
        self.values.get(flag).and_then(|v| v.last()).map(String::as_str)
    }

    /// Every value of a repeatable `flag`, in order.
    pub fn values(&self, flag: &str) -> &[String] {
        self.values.get(flag).map_or(&[], Vec::as_slice)
    }

    /// Whether switch `flag` was given.
    pub fn has(&self, flag: &str) -> bool {
        self.switches.contains(flag)
    }
}

/// Takes the options `valued` (each with a value, `--flag V` or `--flag=V`, not empty) and the
/// switches `switches` out of `args`; an error names an option given without its value.
pub fn split(args: &[String], valued: &[&str], switches: &[&str]) -> Result<Split, String> {
    let mut out = Split::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        if switches.contains(&a.as_str()) {
            out.switches.insert(a.clone());
        } else if valued.contains(&flag) {
            let value = match inline {
                Some(v) => v,
                None => it.next().cloned().ok_or_else(|| format!("{flag} needs a value"))?,
            };
            if value.trim().is_empty() {
                return Err(format!("{flag} needs a value"));
            }
            out.values.entry(flag.to_string()).or_default().push(value);
        } else {
            out.rest.push(a.clone());
        }
    }
    Ok(out)
}

/// The value of `flag` (`--flag V` or `--flag=V`, the first given) in arguments that are passed
/// on whole.
pub fn peek(args: &[String], flag: &str) -> Option<String> {
    let eq = format!("{flag}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if a == flag {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix(&eq).map(str::to_string)
        }
    })
}

/// Whether `flag` is among `args`, alone or as `flag=VALUE`.
pub fn given(args: &[String], flag: &str) -> bool {
    let eq = format!("{flag}=");
    args.iter().any(|a| a == flag || a.starts_with(&eq))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_are_taken_out_and_the_rest_kept_in_order() {
        let args = strings(&[
            "--preset",
            "paper",
            "--shards=4",
            "-j",
            "2",
            "--print-only",
            "--tag",
            "a",
            "--tag=b",
            "DIR",
        ]);
        let s = split(&args, &["--shards", "-j", "--tag"], &["--print-only"]).unwrap();
        assert_eq!(s.value("--shards"), Some("4"));
        assert_eq!(s.value("-j"), Some("2"));
        assert_eq!(s.values("--tag"), ["a", "b"]);
        assert_eq!(s.value("--tag"), Some("b"));
        assert!(s.has("--print-only") && !s.has("--other"));
        assert_eq!(s.rest, strings(&["--preset", "paper", "DIR"]));
    }

    #[test]
    fn a_missing_or_empty_value_is_named() {
        for bad in [&["--shards"][..], &["--shards="], &["--shards", " "]] {
            assert_eq!(
                split(&strings(bad), &["--shards"], &[]).unwrap_err(),
                "--shards needs a value",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn peek_and_given_read_without_taking() {
        let args = strings(&["--out", "a", "--resume=b", "--shard=1/2"]);
        assert_eq!(peek(&args, "--out").as_deref(), Some("a"));
        assert_eq!(peek(&args, "--resume").as_deref(), Some("b"));
        assert_eq!(peek(&args, "--jobs"), None);
        assert!(given(&args, "--shard") && !given(&args, "--sha"));
    }
}
