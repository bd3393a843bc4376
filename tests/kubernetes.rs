//! `deploy/kubernetes.yaml`, parsed (no Kubernetes schema can be installed
//! from the registries this project uses): its probes are the paths
//! `App::health()` answers, and its stop fits within the grace period.

mod common;

use serde_json::Value;

/// The manifest's documents as JSON, read by PyYAML from the OpenAPI
/// tools' virtualenv (Schemathesis depends on it).
async fn documents() -> Option<Vec<Value>> {
    let Ok(tools) = std::env::var("PICO_OPENAPI_TOOLS") else {
        common::missing("PyYAML (PICO_OPENAPI_TOOLS)");
        return None;
    };
    let python = std::path::Path::new(&tools).join("python");
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/kubernetes.yaml");
    let script = "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))";
    let out = common::run_to_success(
        python.to_str().unwrap(),
        &["-c".as_ref(), script.as_ref(), manifest.as_ref()],
    )
    .await;
    Some(serde_json::from_str(&out).expect("the manifest is YAML"))
}

#[tokio::test]
async fn the_manifest_probes_the_apps_own_paths_and_stops_within_its_grace() {
    let Some(documents) = documents().await else {
        return;
    };
    let kinds: Vec<&str> = documents.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Deployment", "Service"]);
    let pod = &documents[0]["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let probe = |name: &str| container[name]["httpGet"]["path"].as_str().unwrap().to_owned();
    assert_eq!(probe("startupProbe"), "/healthz");
    assert_eq!(probe("livenessProbe"), "/healthz");
    assert_eq!(probe("readinessProbe"), "/readyz");
    let env: Vec<(&str, &str)> = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["value"].as_str().unwrap()))
        .collect();
    assert!(env.contains(&("PICO_BIND", "0.0.0.0:8000")), "{env:?}");
    assert_eq!(container["ports"][0]["containerPort"], 8000);
    // preStop, then pico::Server's defaults: readiness grace 5 s, drain
    // 30 s, stop hooks 10 s.
    let pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        .as_u64()
        .unwrap();
    let grace = pod["terminationGracePeriodSeconds"].as_u64().unwrap();
    assert!(grace >= pre_stop + 5 + 30 + 10, "{grace} s is too short");
    let service = &documents[1]["spec"];
    assert_eq!(
        service["selector"],
        documents[0]["spec"]["selector"]["matchLabels"]
    );
    assert_eq!(service["ports"][0]["targetPort"], "http");
}
