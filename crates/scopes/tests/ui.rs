//! Compile-time scope checks: what compiles, and the pinned compiler messages for what does not
//! (a missing scope on a plain and on an async method, a read-only scope on a write endpoint,
//! another platform's scope). This crate has no dependencies, so these build in seconds.

#[test]
fn scope_diagnostics() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass_*.rs");
    cases.compile_fail("tests/ui/fail_*.rs");
}
