//! Compile-time scope checks: what compiles, and the pinned compiler messages for what does not
//! (a missing scope, a read-only scope on a write endpoint, another provider's scope).

#[test]
fn scope_diagnostics() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass_*.rs");
    cases.compile_fail("tests/ui/fail_*.rs");
}
