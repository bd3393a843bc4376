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

/// `#[pico::api(client)]` without the `client` feature cannot be a trybuild
/// case: every build of this workspace turns the feature on. So a crate of
/// its own, outside the workspace, is built, and its one error read.
#[test]
fn client_stubs_without_the_feature_say_how_to_turn_it_on() {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["build", "--offline", "--locked", "--quiet", "--manifest-path"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/no_client_feature/Cargo.toml"
        ))
        .arg("--target-dir")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/target/no-client"))
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "it must not compile:\n{stderr}");
    assert!(
        stderr.contains("error: `#[pico::api(client)]` needs pico's `client` feature"),
        "{stderr}"
    );
    assert!(
        stderr.contains("src/main.rs:2:13"),
        "at the user's `client`: {stderr}"
    );
    assert_eq!(
        stderr.matches("\nerror").count() + usize::from(stderr.starts_with("error")),
        2,
        "one error, then cargo's summary: {stderr}"
    );
}
