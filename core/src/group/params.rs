//! The shipped group parameters (hex), derived by [`super::derive`] from its public seed.
//!
//! A test (`tests/groups.rs`) recomputes q, r (from the recorded step count), g and h from the
//! seed and checks primality and orders; `dsmpc params --group-bits L` prints them.

use crate::error::{CoreError, Result};

/// The 256-bit subgroup order q, shared by every group size.
pub const Q_HEX: &str = "8e72da99576c0f9cfff7f4f44724d7a4536059757b8dad496a045929a01e2517";

/// One shipped group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupParams {
    /// Bits of p.
    pub bits: u32,
    /// p, hex.
    pub p: &'static str,
    /// The prime cofactor r (p = 2qr + 1), hex.
    pub r: &'static str,
    /// Steps of 2 from the hashed start to r.
    pub r_steps: u64,
    /// g, hex.
    pub g: &'static str,
    /// Hash counter that produced g.
    pub g_ctr: u32,
    /// h, hex.
    pub h: &'static str,
    /// Hash counter that produced h.
    pub h_ctr: u32,
}

impl GroupParams {
    /// The shipped parameters for `bits`.
    pub fn get(bits: u32) -> Result<&'static GroupParams> {
        ALL.iter().find(|g| g.bits == bits).ok_or(CoreError::UnsupportedGroupBits { bits })
    }
    /// Whether this size is below today's recommendations (kept for comparison only).
    pub fn is_weak(&self) -> bool {
        self.bits < 2048
    }
}

/// Every shipped group, smallest first.
pub const ALL: [GroupParams; 2] = [
    GroupParams { bits: 1024, p: "bb179aefb2fac6af396a942562e6e0eb686538eb75e20d4af9cf7a814f8a998834b3ea38c31473eef89e584c2b324a2c5292a2f44077b77e87b1cebd999b244e17fbd1af5afa77214a9a4936fa638b955b368c5bdbb527dc782deb12d55409d74584cac5a79a469a2f68676555a02883849a07a9202029a8cedecca339402203", r: "a81d86c9e2b435d73818d003da237322e0ab70a0627c1cf13e6a6871bda731ded9d97032a4bb303bc716f5f62b4d5cbbdeac6c3ef644a689be10f0c000cb8cd2179b7f098602e6d065ff70801474fb3334b57cc698e0543a3aa90db762c279a7", r_steps: 34693, g: "4e56ffe2a87ad662912d67e1b5e83fb8a3187fad3c0cf2a599059ec1eaa2a8f92cdec5458ec423bb11f8ec643f412b81a31148fa4579ea2c748404f33308864b0e4244e876c17a8ae71e8a81a00d79349d77229fe14145af3191ae4b41dea9e0f7b8d914ed03d809999e4da22532254ac1ee516f11f983612b0affca8c881c41", g_ctr: 0, h: "afab765184f5242243fb6e7e63dded6414e7f39dafb4c96344dc4c4d06fa757c05fcacf51813a4677bbb6e8f901d2a07105f1cd9d7dbf61e11b1a35d91e4e0fc7803261dd54a87e7e835ae5e07fbff82d830e973292742fa71d8557cf58a24935bc5500892605956712fb82a23515c546f1f08448631965b4947411b5173e7f6", h_ctr: 0 },
    GroupParams { bits: 2048, p: "cc4fc2ab1ca8f2a03a76c6b62dff11d9cf661a9c9835ce00ec0c12f32772bdc32f6449bab05c93fe134406a91212d739325e2cf43ec2e9917bc4fa7d2af3f06b6c7f241b98aa470a13870806f579ff46726c05dbb9ede00629570c7e7bc7045e06179809f121f6597ebbdef80647894349ff132655e53f5da922a96b3ce864e9c275639799424425d979f445631cb51fd7fc841ded2ac3a395c7b3a6eb7335a7c7ba227f74e32dd3ac3d8093fcbd6e85d9c9fe26701cfa87d9e3ee4bdc96e2c4595b73a7f5c30bbacfb18e8b646205698b49b105fdfb789105fa37fec52d9d1e138c8de8d9d096bbbc81c6758baf94c334bc77cb2d47e4d62ac2a17a1d34d557", r: "b7968f5ce8eae3e30a21a1631e488a8d25af1b9241654f6d9bf517e9f26899d358d3627e0bb5c8b0b0e62d4ea6769cb4a3be64dc35d8affc75d4147327a78d3ae171feef908baef2cc6bd31634d26a070a0b623cf437343776d3e02ad44f23270d93d8e5613a07a2c69345dc4027acb345099f2771f2e267ee486ec57f4b0dbe867e4f50db8aa0555c879a931d7906f7eff129d0b27808ae96e795342ce98a4b6157a61dab7a12cc9474748291756e3aa8910b5e18eee30c528ba6f620b544b7ac8a15b8a52c8abb86aefa42e4339215d86aada46d71b1bd8f8bf63551d80b8d", r_steps: 578692, g: "7e38d5fa0e2a2a7da12508817620bbc75015484c40af77e852391767270d7bc76997a21d3b2fc50189ffc4326f3aa43c8db7e8e15e62dc1014791a1d373837e262daf7e5fc060475527f0fd46d074cf6e574c5b0d5026c9376e0429c1e29e90301714f9f8561ee4ae25a827c757392ace32f4c2df6f0bf9525ac663cbda5387b09c6a459ef7b8f27e87a0d98fae4174650aa775330f6a19a9d7182b568199829023dfe3a2f618f377304b6b87a67667ef4f0c1731f4135db6f97570377b4fe16b63da309f4da60a177d74bcb58499526301f519b056bf24d938ba01fb5d944c2649912172177c3893d4760f84aa06d6d731f3dec5790b2264ec2033cfcd02c84", g_ctr: 0, h: "96b1315b9c07eff2f57d8ab729d4b0d5a1dd6b04b91119124d80549b0597f5c4f880eb19f3fffa4eb7fbb7f153407ccc3a7e81bf311bbcdd9c5da23410c66750060e0e31e7644d6a8be3113b8285c81298e20e8589c46c6069493b57cb536f0b6cfa768d2d0c64ed9220753d779e91f4731e240ec82a47b9aaef2ae7ade09abfa777ae7b7407a342b7a34033b1854564271e0d99153c33a0c55e85aeba34b2d54404c6356f25ceff8393c0ab54587416b715d03393e8b9da74392b31e6881d6c08b3abe705c33fb680e41d7a7d3464475d471a925096b59fdb1cde71edae1ba068c8be9a8a03e3259f93592ed8838c10d610092abd5b273c71f3ac999a868a72", h_ctr: 0 },
];
