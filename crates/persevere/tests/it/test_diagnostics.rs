//! What a user sees when a policy and an operation do not fit: each case's message names the
//! part that fixed a type, or what the operation lacks (trybuild; `.stderr` files beside the
//! cases, matched against the toolchain that CI runs).

#[test]
fn diagnostics() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
