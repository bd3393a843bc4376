//! `/module.d.ts`: the TypeScript declarations an app serves for each
//! module's pico.js proxy, compiled by npm's `typescript` under `--strict`
//! against calls written as a page writes them (`tests/typescript/`); a
//! wrong argument and an impossible error status must not compile.

mod common;

// Its `main` is not called here, and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/everything/main.rs"]
mod everything;

#[allow(dead_code, unreachable_pub)]
#[path = "openapi/shop.rs"]
mod typed;

#[allow(dead_code, unreachable_pub)]
#[path = "openapi/desk.rs"]
mod guarded;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/resources/shortener.rs"]
#[rustfmt::skip]
mod shortener;

use std::path::{Path, PathBuf};

fn tsc() -> Option<PathBuf> {
    let tsc = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/.bin/tsc");
    if tsc.exists() {
        Some(tsc)
    } else {
        common::missing("npm's typescript (tests/browser: npm ci)");
        None
    }
}

/// A folder with the app's declarations and the test's TypeScript files.
async fn project(name: &str, files: &[&str]) -> PathBuf {
    let app = pico::App::new()
        .register(everything::api::module())
        .register(typed::shop::module())
        .register(guarded::desk::module())
        .state(shortener::Shelf::default())
        .register(shortener::module());
    let s = common::serve(app).await;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("typescript-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for module in ["api", "shop", "desk", "shortener"] {
        let a = s.get(&format!("/{module}.d.ts")).await;
        assert_eq!(a.status, 200);
        assert_eq!(a.content_type, "application/typescript; charset=utf-8");
        std::fs::write(dir.join(format!("{module}.d.ts")), &a.text).unwrap();
    }
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/typescript");
    for file in files {
        std::fs::copy(sources.join(file), dir.join(file)).unwrap();
    }
    dir
}

/// `tsc --strict` on `file` in `dir`: whether it compiled, and what it said.
async fn compile(tsc: &Path, dir: &Path, file: &str) -> (bool, String) {
    let output = tokio::process::Command::new(tsc)
        .current_dir(dir)
        .args(["--strict", "--noEmit", "--target", "es2022", "--module", "es2022"])
        .args(["--moduleResolution", "bundler", "--lib", "es2022,dom", file])
        .output()
        .await
        .unwrap();
    let said =
        String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), said)
}

#[tokio::test]
async fn calls_written_as_a_page_writes_them_compile_under_strict() {
    let Some(tsc) = tsc() else { return };
    let files = [
        "api_calls.ts",
        "shop_calls.ts",
        "guarded_calls.ts",
        "links_calls.ts",
    ];
    let dir = project("good", &files).await;
    for file in files {
        let (ok, said) = compile(&tsc, &dir, file).await;
        assert!(ok, "{file} did not compile:\n{said}");
    }
}

#[tokio::test]
async fn a_wrong_argument_and_an_impossible_status_do_not_compile() {
    let Some(tsc) = tsc() else { return };
    let dir = project("bad", &["wrong_argument.ts", "wrong_status.ts"]).await;
    let (ok, said) = compile(&tsc, &dir, "wrong_argument.ts").await;
    assert!(
        !ok && said.contains("wrong_argument.ts") && said.contains("TS2345"),
        "{said}"
    );
    let (ok, said) = compile(&tsc, &dir, "wrong_status.ts").await;
    assert!(
        !ok && said.contains("wrong_status.ts") && said.contains("TS2367"),
        "{said}"
    );
}

#[tokio::test]
async fn a_status_of_another_function_does_not_compile() {
    let Some(tsc) = tsc() else { return };
    let files = ["unguarded_401.ts", "others_409.ts"];
    let dir = project("others", &files).await;
    for file in files {
        let (ok, said) = compile(&tsc, &dir, file).await;
        assert!(!ok && said.contains(file) && said.contains("TS2367"), "{said}");
    }
}

#[tokio::test]
async fn a_route_needs_its_placeholders() {
    let Some(tsc) = tsc() else { return };
    let dir = project("routes", &["route_without_placeholder.ts"]).await;
    let (ok, said) = compile(&tsc, &dir, "route_without_placeholder.ts").await;
    assert!(
        !ok && said.contains("route_without_placeholder.ts") && said.contains("slug"),
        "{said}"
    );
}

#[tokio::test]
async fn constraints_are_comments_on_their_functions() {
    let s = common::serve(
        pico::App::new()
            .state(shortener::Shelf::default())
            .register(shortener::module()),
    )
    .await;
    let declarations = s.get("/shortener.d.ts").await.text;
    for said in [
        "   * Lists the links, `limit` at most.\n   * @param limit from 1 to 100\n",
        "   * @param slug matches `^[a-z0-9-]{3,32}$`\n   * @param target an absolute URL; length at most 2000\n",
        "  create: PicoFunction<",
        "& PicoRoutes<{ slug: string; target: string }, Link>;",
    ] {
        assert!(declarations.contains(said), "{said:?} is not in:\n{declarations}");
    }
}

#[tokio::test]
async fn integers_a_javascript_number_rounds_are_said_to() {
    let s = common::serve(pico::App::new().register(everything::api::module())).await;
    let declarations = s.get("/api.d.ts").await.text;
    let of = |function: &str| {
        let member = declarations
            .find(&format!("\n  {function}: PicoFunction<"))
            .unwrap_or_else(|| panic!("no {function} in:\n{declarations}"));
        let comment = declarations[..member].rfind("/**").unwrap();
        declarations[comment..member].to_owned()
    };
    // `multiply` takes two `i64`s and answers an `i128`.
    let multiply = of("multiply");
    assert!(
        multiply
            .contains("`x`, `y` and the result may exceed 2^53, beyond which a JavaScript number is rounded"),
        "{multiply}"
    );
    // Nor is anything said where no integer is.
    let hello = of("hello");
    assert!(!hello.contains("2^53"), "{hello}");
    // A `u32` member of a named type is exact in JavaScript too.
    let user = &declarations[declarations.find("export type User").unwrap()..];
    assert!(!user[..user.find("};").unwrap()].contains("2^53"), "{user}");
}
