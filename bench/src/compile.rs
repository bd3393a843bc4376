//! The compile time of 200 exposed functions, against the same handlers in axum: clean, and with one body changed.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Clean and incremental build times of a 200-function module, Pico and
/// hand-written axum.
pub(crate) struct CompileTimes {
    pub(crate) pico: (f64, f64),
    pub(crate) axum: (f64, f64),
}

pub(crate) fn compile_times() -> CompileTimes {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned();
    let dir = root.join("target/bench-compile");
    let _ = std::fs::remove_dir_all(dir.join("gen-pico"));
    let _ = std::fs::remove_dir_all(dir.join("gen-axum"));
    std::fs::create_dir_all(dir.join("gen-pico/src")).unwrap();
    std::fs::create_dir_all(dir.join("gen-axum/src")).unwrap();
    let versions = "axum = { version = \"0.8.9\", default-features = false, features = [\"http1\", \"tokio\", \"json\", \"query\"] }\n\
         serde = { version = \"1\", features = [\"derive\"] }\n".to_owned();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"gen-pico\", \"gen-axum\"]\nresolver = \"3\"\n",
    )
    .unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(
        dir.join("gen-pico/Cargo.toml"),
        format!(
            "[package]\nname = \"gen-pico\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\npico = {{ path = \"{}\" }}\n{versions}",
            root.display()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("gen-axum/Cargo.toml"),
        format!("[package]\nname = \"gen-axum\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\n{versions}"),
    )
    .unwrap();
    let pico_source = |marker: u32| {
        let mut s = String::from("#[pico::api]\npub mod api {\n");
        for i in 0..200 {
            let _ = writeln!(
                s,
                "    #[expose]\n    pub fn f{i}(x: i64, y: i64) -> i64 {{ x * y + {} }}",
                i + marker
            );
        }
        s.push_str("}\n\npub fn app() -> pico::App {\n    pico::App::new().register(api::module())\n}\n");
        s
    };
    let axum_source = |marker: u32| {
        let mut s = String::from(
            "use axum::extract::Query;\nuse axum::routing::any;\nuse axum::{Json, Router};\n\n\
             #[derive(serde::Deserialize)]\npub struct Args {\n    x: i64,\n    y: i64,\n}\n\n",
        );
        for i in 0..200 {
            let _ = writeln!(
                s,
                "pub async fn f{i}(Query(a): Query<Args>) -> Json<i64> {{ Json(a.x * a.y + {}) }}",
                i + marker
            );
        }
        s.push_str("\npub fn router() -> Router {\n    Router::new()\n");
        for i in 0..200 {
            let _ = writeln!(s, "        .route(\"/api/f{i}\", any(f{i}))");
        }
        s.push_str("}\n");
        s
    };
    let build = |package: &str| {
        let start = Instant::now();
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", package])
            .current_dir(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "building {package} failed");
        start.elapsed().as_secs_f64()
    };
    let clean = |package: &str| {
        Command::new(env!("CARGO"))
            .args(["clean", "--quiet", "-p", package])
            .current_dir(&dir)
            .status()
            .unwrap();
    };
    let measure = |package: &str, source: &dyn Fn(u32) -> String| {
        let file = dir.join(package).join("src/lib.rs");
        std::fs::write(&file, source(0)).unwrap();
        build(package); // the dependencies, once
        clean(package);
        let clean_time = build(package);
        std::fs::write(&file, source(1)).unwrap();
        let incremental = build(package);
        (clean_time, incremental)
    };
    // Both members need a source before either builds.
    std::fs::write(dir.join("gen-pico/src/lib.rs"), pico_source(0)).unwrap();
    std::fs::write(dir.join("gen-axum/src/lib.rs"), axum_source(0)).unwrap();
    let pico = measure("gen-pico", &pico_source);
    let axum = measure("gen-axum", &axum_source);
    println!(
        "compile, 200 functions: Pico {:.1}s clean {:.1}s incremental; axum {:.1}s / {:.1}s",
        pico.0, pico.1, axum.0, axum.1
    );
    CompileTimes { pico, axum }
}
