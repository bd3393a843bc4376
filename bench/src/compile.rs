//! Compile times against axum: 200 exposed functions against the same
//! handlers, clean and with one body changed; and a hello-world app from
//! nothing, dependencies included, the first build a user waits for.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::stats::*;

/// Build times of a 200-function module, in seconds.
pub(crate) struct Times {
    pub(crate) clean: f64,
    pub(crate) incremental: f64,
}

/// A hello-world app built from nothing.
pub(crate) struct FromClean {
    pub(crate) seconds: f64,
    /// The crates compiled, the app's own included.
    pub(crate) crates: usize,
}

pub(crate) struct CompileTimes {
    pub(crate) pico: Times,
    pub(crate) axum: Times,
    pub(crate) hello_lean: FromClean,
    pub(crate) hello_default: FromClean,
    pub(crate) hello_axum: FromClean,
}

const HELLO_PICO: &str = r#"#[pico::api]
mod greeting {
    #[expose]
    fn hello(who: String) -> String {
        format!("hello {who}!")
    }
}

fn main() {
    pico::serve(pico::App::new().register(greeting::module()));
}
"#;

const HELLO_AXUM: &str = r#"use axum::extract::Query;
use axum::routing::get;
use axum::{Json, Router};

#[derive(serde::Deserialize)]
struct Who {
    who: String,
}

async fn hello(Query(args): Query<Who>) -> Json<String> {
    Json(format!("hello {}!", args.who))
}

#[tokio::main]
async fn main() {
    let app = Router::new().route("/greeting/hello", get(hello));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:4242").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
"#;

pub(crate) fn compile_times(builds: usize) -> CompileTimes {
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
        "[workspace]\nmembers = [\"gen-pico\", \"gen-axum\", \"hello-lean\", \"hello-default\", \"hello-axum\"]\nresolver = \"3\"\n",
    )
    .unwrap();
    let package = |name: &str, dependencies: &str, main: &str| {
        std::fs::create_dir_all(dir.join(name).join("src")).unwrap();
        std::fs::write(
            dir.join(name).join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\n{dependencies}"),
        )
        .unwrap();
        std::fs::write(dir.join(name).join("src/main.rs"), main).unwrap();
    };
    let pico_path = root.display();
    package(
        "hello-lean",
        &format!("pico = {{ path = \"{pico_path}\", default-features = false }}\n"),
        HELLO_PICO,
    );
    package(
        "hello-default",
        &format!("pico = {{ path = \"{pico_path}\" }}\n"),
        HELLO_PICO,
    );
    // What an axum hello world takes: axum's default features, tokio's
    // runtime and macros, serde's derive.
    package(
        "hello-axum",
        "axum = \"0.8.9\"\ntokio = { version = \"1\", features = [\"rt-multi-thread\", \"macros\", \"net\"] }\nserde = { version = \"1\", features = [\"derive\"] }\n",
        HELLO_AXUM,
    );
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
    // `marker` changes the body of the first function only.
    let pico_source = |marker: u32| {
        let mut s = String::from("#[pico::api]\npub mod api {\n");
        for i in 0..200 {
            let _ = writeln!(
                s,
                "    #[expose]\n    pub fn f{i}(x: i64, y: i64) -> i64 {{ x * y + {} }}",
                if i == 0 { marker } else { i }
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
                if i == 0 { marker } else { i }
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
        let clean_builds: Vec<f64> = (0..builds)
            .map(|_| {
                clean(package);
                build(package)
            })
            .collect();
        let incremental_builds: Vec<f64> = (1..=builds)
            .map(|marker| {
                std::fs::write(&file, source(u32::try_from(marker).unwrap())).unwrap();
                build(package)
            })
            .collect();
        Times {
            clean: median(&clean_builds),
            incremental: median(&incremental_builds),
        }
    };
    // Every member needs a source before any builds.
    std::fs::write(dir.join("gen-pico/src/lib.rs"), pico_source(0)).unwrap();
    std::fs::write(dir.join("gen-axum/src/lib.rs"), axum_source(0)).unwrap();
    let pico = measure("gen-pico", &pico_source);
    let axum = measure("gen-axum", &axum_source);
    println!(
        "compile, 200 functions: Pico {:.1}s clean {:.1}s incremental; axum {:.1}s / {:.1}s",
        pico.clean, pico.incremental, axum.clean, axum.incremental
    );
    // From nothing: a target folder of its own, emptied before each build.
    let from_clean = |package: &str| {
        let target = dir.join("target-from-clean");
        let mut seconds = Vec::new();
        let mut crates = 0;
        for _ in 0..builds {
            let _ = std::fs::remove_dir_all(&target);
            let start = Instant::now();
            let output = Command::new(env!("CARGO"))
                .args(["build", "-p", package])
                .env("CARGO_TARGET_DIR", &target)
                .current_dir(&dir)
                .output()
                .unwrap();
            seconds.push(start.elapsed().as_secs_f64());
            assert!(
                output.status.success(),
                "building {package} failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            crates = String::from_utf8_lossy(&output.stderr)
                .lines()
                .filter(|l| l.trim_start().starts_with("Compiling "))
                .count();
        }
        let _ = std::fs::remove_dir_all(&target);
        let built = FromClean {
            seconds: median(&seconds),
            crates,
        };
        println!(
            "hello world from clean, {package}: {:.1}s, {} crates",
            built.seconds, built.crates
        );
        built
    };
    CompileTimes {
        hello_lean: from_clean("hello-lean"),
        hello_default: from_clean("hello-default"),
        hello_axum: from_clean("hello-axum"),
        pico,
        axum,
    }
}
