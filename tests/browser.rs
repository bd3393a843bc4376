//! pico.js in a real browser: headless Chromium, driven by playwright-core
//! (`tests/browser/run.mjs`), through the everything example's page.
//! `scripts/test-all` installs Chromium and the npm package.

mod common;

// Its `main` is not called here, and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/everything/main.rs"]
mod everything;

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
    let size = std::fs::metadata(&screenshot).expect("a screenshot").len();
    assert!(size > 10_000, "the screenshot is {size} bytes");
}
