//! The macros' compile errors: each case is one mistake, opening with a line
//! that names it, and gives one error, at the user's tokens, saying how to
//! fix it. Grouped by macro. Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test --test ui` and read every change.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/api/pass/*.rs");
    t.compile_fail("tests/ui/api/fail/*.rs");
    t.compile_fail("tests/ui/file_module/fail/*.rs");
    t.compile_fail("tests/ui/derive/fail/*.rs");
    t.compile_fail("tests/ui/mixin/fail/*.rs");
}
