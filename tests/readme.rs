//! README.md and the guide tell the truth: the README's example is
//! `examples/example.rs`, each `$ curl` call in it (which the guide's first
//! chapter includes), run for real against that example, answers what it
//! shows, and the guide quotes every deliberate difference from the
//! original.

mod common;

// Its `main` is not called here, and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/example.rs"]
mod example_app;

const README: &str = include_str!("../README.md");
const EXAMPLE: &str = include_str!("../examples/example.rs");

/// The README's `console` blocks as (command, expected output) pairs.
fn calls() -> Vec<(String, String)> {
    let mut calls: Vec<(String, String)> = Vec::new();
    let mut in_console = false;
    for line in README.lines() {
        if line.starts_with("```") {
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        match line.strip_prefix("$ ") {
            Some(command) => calls.push((command.to_owned(), String::new())),
            None => {
                let (_, expected) = calls.last_mut().expect("output before any command");
                expected.push_str(line);
                expected.push('\n');
            }
        }
    }
    calls
}

#[test]
fn the_readme_example_is_the_example_file() {
    let start = README.find("```rust\n").expect("a rust block") + "```rust\n".len();
    let block = &README[start..start + README[start..].find("```").unwrap()];
    assert!(
        EXAMPLE.contains(block),
        "README's example differs from examples/example.rs"
    );
}

#[test]
fn the_readme_opens_with_the_two_commands() {
    let head: String = README.lines().take(8).collect::<Vec<_>>().join("\n");
    assert!(head.contains("cargo run --example example"), "{head}");
    assert!(head.contains("scripts/test-all"), "{head}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_calls_answer_as_shown() {
    let server = common::serve(pico::App::new().register(example_app::example::module())).await;
    let host = server.base.trim_start_matches("http://").to_owned();
    let calls = calls();
    assert!(calls.len() >= 10, "only {} calls found", calls.len());
    for (command, expected) in calls {
        let command = command.replace("127.0.0.1:4242", &host);
        let output = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(&command)
            .output()
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let answer = String::from_utf8(output.stdout).unwrap();
        let expected = expected.trim_end().replace("127.0.0.1:4242", &host);
        assert_eq!(answer.trim_end(), expected, "{command}");
    }
}

include!("differential/differences.rs");

#[test]
fn the_guide_quotes_every_deliberate_difference_from_the_original() {
    let chapter = include_str!("../book/src/differences.md");
    for (case, what) in DIFFERENCES {
        let row = format!("| {case} | {what} |");
        assert!(
            chapter.contains(&row),
            "book/src/differences.md lacks the row `{row}`"
        );
    }
}
