//! pico.js in a real browser: headless Chromium, driven by playwright-core
//! (`tests/browser/run.mjs`), through the everything example's page.
//! `scripts/test-all` installs Chromium and the npm package. Also the
//! `/docs` page (`tests/browser/docs.mjs`).

mod common;

// Its `main` is not called here, and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/everything/main.rs"]
mod everything;

// A resource API of routes and constraints.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/resources/shortener.rs"]
#[rustfmt::skip]
mod shortener;

// Functions that need a bearer token, for `/docs`'s "Authorize".
#[allow(dead_code, unreachable_pub)]
#[path = "openapi/desk.rs"]
mod guarded;

use std::path::Path;

/// Whether the browser and the driver are here.
fn tools_present() -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let present = Path::new(&chromium).exists()
        && Path::new("tests/browser/node_modules/playwright-core").exists()
        && std::process::Command::new("node")
            .arg("--version")
            .output()
            .is_ok();
    if !present {
        common::missing("Chromium, node or playwright-core");
    }
    present
}

#[tokio::test(flavor = "multi_thread")]
async fn the_everything_page_works_in_chromium() {
    if !tools_present() {
        return;
    }
    let app = pico::App::new()
        .register(everything::api::module())
        .static_files(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/everything/static"));
    let server = common::serve(app).await;
    let screenshot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("everything.png");
    let args = [
        "tests/browser/run.mjs".as_ref(),
        server.base.as_ref(),
        screenshot.as_os_str(),
    ];
    let stdout = common::run_to_success("node", &args).await;
    assert!(stdout.contains("ok - under an X-Script-Name prefix"), "{stdout}");
    assert!(
        stdout.contains("ok - a compressed answer, read whole"),
        "{stdout}"
    );
    let size = std::fs::metadata(&screenshot).expect("a screenshot").len();
    assert!(size > 10_000, "the screenshot is {size} bytes");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_docs_page_lists_the_api_and_calls_it_in_chromium() {
    if !tools_present() {
        return;
    }
    // In both versions of the document: they describe a stream's events
    // in different places, which the page reads either way.
    for version in [pico::OpenApiVersion::V3_1, pico::OpenApiVersion::V3_2] {
        let app = pico::App::new()
            .openapi_version(version)
            .register(everything::api::module())
            .register(guarded::desk::module())
            .state(shortener::Shelf::default())
            .register(shortener::module());
        let server = common::serve(app).await;
        let stdout =
            common::run_to_success("node", &["tests/browser/docs.mjs".as_ref(), server.base.as_ref()]).await;
        assert!(
            stdout.contains("ok - results and errors"),
            "{version:?}: {stdout}"
        );
        assert!(stdout.contains("ok - authorized, a guarded call"), "{stdout}");
        assert!(
            stdout.contains("ok - pico.js builds a route's URL and calls through it"),
            "{stdout}"
        );
        assert!(
            stdout.contains("ok - nothing is asked of another server"),
            "{stdout}"
        );
    }
}

// The functions it does not call are `forgery.rs`'s.
#[allow(dead_code)]
#[path = "forgery/site.rs"]
mod forged;

use forged::site;

/// Forged requests as Chromium sends them to a plain-http origin, from a
/// page of another name served by the same loopback server.
#[tokio::test(flavor = "multi_thread")]
async fn forged_requests_from_another_site_on_plain_http_are_refused_in_chromium() {
    if !tools_present() {
        return;
    }
    let pages = Path::new(env!("CARGO_TARGET_TMPDIR")).join("forgery-pages");
    std::fs::create_dir_all(&pages).unwrap();
    let links = |path: &str| {
        format!(
            r#"<!doctype html><a id="hello" href="{path}/site/hello?who=you">hello</a>
<a id="login" href="{path}/site/start_session?_callback=x">login</a>
<form id="post" method="post" action="{path}/site/hello"><input name="who" value="FROM_FORM"><button>go</button></form>"#
        )
    };
    let server = common::serve(pico::App::new().register(site::module()).static_files(&pages)).await;
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    std::fs::write(pages.join("own.html"), links("")).unwrap();
    std::fs::write(pages.join("evil.html"), links(&format!("http://app.test:{port}"))).unwrap();
    let stdout = common::run_to_success("node", &["tests/browser/forgery.mjs".as_ref(), port.as_ref()]).await;
    assert!(
        stdout.contains("ok - another site's JSONP link plants no session"),
        "{stdout}"
    );
}

/// A module or function named `__proto__` (a valid Rust name, and any alias)
/// is a module and a function, not a way into `Object.prototype`.
#[tokio::test]
async fn pico_js_is_not_polluted_by_a_definition_named_proto() {
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        common::missing("node");
        return;
    }
    let script = r#"
        const pico = require(process.argv[1]);
        const fn = (name) => ({ name, doc: null, url: "http://x/" + name, args: [] });
        const module = pico.loadModuleDefinition({ name: "__proto__", doc: null, url: "http://x/", functions: [fn("__proto__"), fn("hello")] });
        const loaded = typeof module.hello === "function" && Object.hasOwn(module, "__proto__");
        const app = pico.loadAppDefinition({ url: "http://x/", modules: [{ name: "__proto__", doc: null, url: "http://x/", functions: [fn("polluted")] }] });
        const clean = ({}).hello === undefined && ({}).polluted === undefined && Object.getPrototypeOf({}) === Object.prototype;
        const found = loaded && pico.importModule("__proto__") === app.modules["__proto__"]
            && typeof module.polluted === "function";
        console.log(clean && found ? "clean" : "polluted");
    "#;
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/pico-runtime/src/describe/pico.js");
    let stdout = common::run_to_success("node", &["-e".as_ref(), script.as_ref(), source.as_ref()]).await;
    assert_eq!(stdout.trim(), "clean");
}
