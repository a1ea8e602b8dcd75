//! Context strings bound into ciphertexts (OAEP labels) and signatures: each names its use,
//! the task and the parties it binds, so that a ciphertext or signature made for one place is
//! refused in any other.

use super::TaskId;

fn build(tag: &str, task: &TaskId, extra: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(tag.len() + 16 + extra.len());
    v.extend_from_slice(tag.as_bytes());
    v.extend_from_slice(task);
    v.extend_from_slice(extra);
    v
}
/// Label of the VID token.
pub fn token(task: &TaskId) -> Vec<u8> {
    build("dsmpc/v1/token/", task, &[])
}
/// Label of the index answer to VID `vid`.
pub fn index(task: &TaskId, vid: u32) -> Vec<u8> {
    build("dsmpc/v1/index/", task, &vid.to_be_bytes())
}
/// Label of DP `dp`'s share for CP `i`.
pub fn share(task: &TaskId, dp: u32, i: u16) -> Vec<u8> {
    let mut extra = dp.to_be_bytes().to_vec();
    extra.extend_from_slice(&i.to_be_bytes());
    build("dsmpc/v1/share/", task, &extra)
}
/// Label of CP `i`'s result.
pub fn result(task: &TaskId, i: u16) -> Vec<u8> {
    build("dsmpc/v1/result/", task, &i.to_be_bytes())
}
/// The statement a DP signs over its commitments: task, DP number and every element.
pub fn commitments(task: &TaskId, dp: u32, elements: &[Vec<u8>]) -> Vec<u8> {
    let mut extra = dp.to_be_bytes().to_vec();
    extra.extend_from_slice(&(elements.len() as u32).to_be_bytes());
    for e in elements {
        extra.extend_from_slice(&(e.len() as u32).to_be_bytes());
        extra.extend_from_slice(e);
    }
    build("dsmpc/v1/commitments/", task, &extra)
}
/// The signed statement of an auth request.
pub fn auth_statement(task: &TaskId, vid: u32, nonce: &[u8; 16], ts: u64) -> Vec<u8> {
    let mut extra = vid.to_be_bytes().to_vec();
    extra.extend_from_slice(nonce);
    extra.extend_from_slice(&ts.to_be_bytes());
    build("dsmpc/v1/auth/", task, &extra)
}
