//! Shared helpers for the integration tests: reading `key=value` vector files.

#![allow(dead_code, missing_docs)]

use std::collections::BTreeMap;

/// Blocks of `key=value` lines separated by blank lines; `#` starts a comment line.
pub fn read_blocks(path: &str) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let mut out = Vec::new();
    let mut cur = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("bad line {line:?} in {path}"));
        cur.insert(k.to_string(), v.to_string());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}
