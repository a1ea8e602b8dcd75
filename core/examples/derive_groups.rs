//! Re-derive the shipped Schnorr groups from their public seed and print them as the Rust
//! constants of `src/group/params.rs`: `cargo run --release -p dsmpc-core --features gmp
//! --example derive_groups -- 1024 2048`. Minutes for 4096 bits.

use dsmpc_core::backend::Backend;
use dsmpc_core::group::derive;

fn main() {
    let sizes: Vec<u32> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    #[cfg(feature = "gmp")]
    type B = dsmpc_core::backend::Gmp;
    #[cfg(not(feature = "gmp"))]
    type B = dsmpc_core::backend::Num;
    let q = derive::derive_q::<B>();
    println!("pub const Q_HEX: &str = \"{}\";", B::to_hex(&q));
    for bits in sizes {
        let t = std::time::Instant::now();
        let d = derive::derive::<B>(bits, |k| {
            if k % (1 << 16) == 0 {
                eprintln!("  {bits}: {k} candidates");
            }
        });
        eprintln!("{bits}: k = {} in {:.1?}", d.r_steps, t.elapsed());
        println!(
            "GroupParams {{ bits: {bits}, p: \"{}\", r: \"{}\", r_steps: {}, g: \"{}\", g_ctr: {}, h: \"{}\", h_ctr: {} }},",
            B::to_hex(&d.p),
            B::to_hex(&d.r),
            d.r_steps,
            B::to_hex(&d.g),
            d.g_ctr,
            B::to_hex(&d.h),
            d.h_ctr
        );
    }
}
