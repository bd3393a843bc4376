//! The macro's compile errors: each points at the user's tokens and says how
//! to fix the mistake. Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test --test ui` and read every change.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
