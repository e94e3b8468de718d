//! Compile-time behaviour: every supported signature compiles (`ui/pass`), and every
//! diagnostic of the macros is a compile error at the offending argument (`ui/fail`, with the
//! expected messages in the `.stderr` files beside them).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
