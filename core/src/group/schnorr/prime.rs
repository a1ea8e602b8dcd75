//! [`SchnorrGroup`] as a [`PrimeOrderGroup`]: the group operation is a product mod p, a scalar
//! multiplication an exponentiation, the element check a range check and a Jacobi symbol.
//! Every method forwards to the inherent one of the same meaning, so the counts and the
//! arithmetic are those of the inherent API.

use super::SchnorrGroup;
use super::table::{FixedBaseTable, PK_TABLE_WINDOW};
use crate::backend::Backend;
use crate::error::Result;
use crate::field::Zq;
use crate::group::PrimeOrderGroup;

impl<B: Backend> PrimeOrderGroup for SchnorrGroup<B> {
    type Backend = B;
    type Element = B::Int;
    type Table = FixedBaseTable<B>;

    fn zq(&self) -> &Zq<B> {
        SchnorrGroup::zq(self)
    }
    fn g(&self) -> &B::Int {
        SchnorrGroup::g(self)
    }
    fn h(&self) -> &B::Int {
        SchnorrGroup::h(self)
    }
    fn identity(&self) -> B::Int {
        B::from_u64(1)
    }
    fn op(&self, a: &B::Int, b: &B::Int) -> B::Int {
        SchnorrGroup::mul(self, a, b)
    }
    fn vartime_mul(&self, x: &B::Int, k: &B::Int) -> B::Int {
        SchnorrGroup::pow(self, x, k)
    }
    fn mul_secret(&self, x: &B::Int, k: &B::Int) -> B::Int {
        SchnorrGroup::pow_secret(self, x, k)
    }
    fn mul_secret_uncounted(&self, x: &B::Int, k: &B::Int) -> B::Int {
        B::pow_mod_secret(x, k, self.p())
    }
    fn mul_g(&self, k: &B::Int) -> B::Int {
        SchnorrGroup::pow_g(self, k)
    }
    fn mul_h(&self, k: &B::Int) -> B::Int {
        SchnorrGroup::pow_h(self, k)
    }
    fn vartime_mul_h(&self, k: &B::Int) -> B::Int {
        self.h_table().pow_vartime(self, k)
    }
    fn commit(&self, a: &B::Int, b: &B::Int) -> B::Int {
        SchnorrGroup::commit(self, a, b)
    }
    /// The per-CP table: [`PK_TABLE_WINDOW`]-bit windows for public scalars,
    /// [`CT_WINDOW`](super::CT_WINDOW)-bit ones for the constant-time lookups.
    fn table(&self, base: &B::Int) -> FixedBaseTable<B> {
        FixedBaseTable::new(self, base, PK_TABLE_WINDOW)
    }
    fn mul_table(&self, table: &FixedBaseTable<B>, k: &B::Int) -> B::Int {
        table.pow(self, k)
    }
    fn vartime_multiscalar_mul_small(&self, xs: &[&B::Int], ks: &[u64]) -> B::Int {
        self.multi_exp_small(xs, ks)
    }
    fn check_element(&self, x: &B::Int) -> bool {
        self.is_well_formed(x)
    }
    fn element_len(&self) -> usize {
        SchnorrGroup::element_len(self)
    }
    fn encode_element(&self, x: &B::Int) -> Vec<u8> {
        self.element_to_bytes(x)
    }
    fn parse_element(&self, bytes: &[u8]) -> Option<B::Int> {
        (bytes.len() == SchnorrGroup::element_len(self)).then(|| B::from_be_bytes(bytes))
    }
    fn decode_element(&self, bytes: &[u8], what: &'static str) -> Result<B::Int> {
        self.element_from_bytes(bytes, what)
    }
}
