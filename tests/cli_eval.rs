//! The `vectors-eval` binary: its JSON against gensim's scores, its inputs (vectors,
//! a table, .npy or .safetensors), drift, and its exit codes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn eval_cmd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vectors-eval"))
        .args(args)
        .output()
        .unwrap()
}

fn fixture(name: &str) -> String {
    common::fixture(name).to_string_lossy().into_owned()
}

fn slices() -> Vec<String> {
    vec![
        "--analogies".into(),
        fixture("eval/questions-words.slice.txt"),
        "--pairs".into(),
        fixture("eval/wordsim353.slice.tsv"),
        "--pairs".into(),
        fixture("eval/simlex999.slice.txt"),
    ]
}

fn run(vectors: &str, extra: &[String]) -> Output {
    let mut args = vec![vectors.to_string()];
    args.extend(extra.iter().cloned());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    eval_cmd(&refs)
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The JSON equals gensim's (committed) scores, in the issue's shape.
fn assert_gensim_scores(got: &Value) {
    let want = json(&common::fixture("eval/expected.20k.slices.json"));
    let keys: Vec<&String> = got.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["analogies", "pairs"]);
    let (g, w) = (
        &got["analogies"]["questions-words.slice.txt"],
        &want["analogies"]["questions-words.slice.txt"],
    );
    assert_eq!(g["sections"], w["sections"]);
    assert!((g["score"].as_f64().unwrap() - w["score"].as_f64().unwrap()).abs() < 1e-12);
    for name in ["wordsim353.slice.tsv", "simlex999.slice.txt"] {
        let (g, w) = (&got["pairs"][name], &want["pairs"][name]);
        assert_eq!(g.as_object().unwrap().len(), 3, "{g}");
        for key in ["pearson", "spearman", "oov_percent"] {
            let (a, b) = (g[key].as_f64().unwrap(), w[key].as_f64().unwrap());
            assert!((a - b).abs() < 1e-4, "{name} {key}: {a} vs {b}");
        }
    }
}

#[test]
fn json_matches_gensim_and_stdout_has_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eval.json");
    let mut args = slices();
    args.extend(["--json".into(), out.to_string_lossy().into_owned()]);
    let o = run(&fixture("glove.6B.50d.20k.txt.gz"), &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_gensim_scores(&json(&out));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.contains("questions-words.slice.txt"), "{stdout}");
    assert!(stdout.contains("capital-common-countries"), "{stdout}");
    assert!(stdout.contains("wordsim353.slice.tsv"), "{stdout}");

    // An existing output is refused without --force, and left alone.
    let o = run(&fixture("glove.6B.50d.20k.txt.gz"), &args);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists"));
    args.push("--force".into());
    assert!(run(&fixture("glove.6B.50d.20k.txt.gz"), &args)
        .status
        .success());
}

/// A table that `glove-to-table` wrote as `t.EXT` scores as the vectors it came
/// from, and has not drifted from them.
fn table_scores_the_same_and_does_not_drift(ext: &str, kind: &str) {
    let dir = tempfile::tempdir().unwrap();
    let table: PathBuf = dir.path().join(format!("t.{ext}"));
    let o = Command::new(env!("CARGO_BIN_EXE_glove-to-table"))
        .args([
            &fixture("glove.6B.50d.20k.txt.gz"),
            "-o",
            table.to_str().unwrap(),
            "-q",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("eval.json");
    let mut args = slices();
    args.extend([
        "--json".into(),
        out.to_string_lossy().into_owned(),
        "--drift".into(),
        fixture("glove.6B.50d.20k.txt.gz"),
        "--drift-sample".into(),
        "200".into(),
    ]);
    let o = run(table.to_str().unwrap(), &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut got = json(&out);
    let drift = got.as_object_mut().unwrap().remove("drift").unwrap();
    assert_gensim_scores(&got);
    assert_eq!(drift["shared"], 20_000);
    assert_eq!(drift["unchanged"], 20_000);
    assert_eq!(drift["neighbour_overlap"], 1.0);
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.contains(kind), "{stdout}");
    assert!(stdout.contains("drift: 20000 shared words"), "{stdout}");
}

#[test]
fn an_npy_table_scores_the_same_and_does_not_drift() {
    table_scores_the_same_and_does_not_drift("npy", "(npy table)");
}

#[test]
fn a_safetensors_table_scores_the_same_and_does_not_drift() {
    table_scores_the_same_and_does_not_drift("safetensors", "(safetensors table)");
}

#[test]
fn bad_lines_fail_with_their_position_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("q.txt");
    std::fs::write(&bad, ": s\nking man woman queen\nking man woman\n").unwrap();
    let out = dir.path().join("eval.json");
    let o = eval_cmd(&[
        &fixture("glove.6B.50d.20k.txt.gz"),
        "--analogies",
        bad.to_str().unwrap(),
        "--json",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("q.txt: bad analogy line at line 3, byte 25"),
        "{err}"
    );
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary left"
    );

    let bad = dir.path().join("p.tsv");
    std::fs::write(&bad, "cat\tdog\tseven\n").unwrap();
    let o = eval_cmd(&[
        &fixture("glove.6B.50d.20k.txt.gz"),
        "--pairs",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("p.tsv: bad word-pair line at line 1, byte 8"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let o = eval_cmd(&[&fixture("glove.6B.50d.20k.txt.gz")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing to evaluate"));
    let same = fixture("eval/wordsim353.slice.tsv");
    let o = eval_cmd(&[
        &fixture("glove.6B.50d.20k.txt.gz"),
        "--pairs",
        &same,
        "--pairs",
        &same,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = eval_cmd(&[&fixture("glove.6B.50d.20k.txt.gz"), "--restrict-vocab", "x"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_readme_shows_the_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let prefix = "cargo run --release --bin vectors-eval -- ";
    let at = readme
        .find(prefix)
        .expect("README shows the vectors-eval command");
    let rest = &readme[at + prefix.len()..];
    let command = &rest[..rest.find('\n').unwrap()];
    let block = &rest[rest.find("```text\n").unwrap() + 8..];
    let shown = &block[..block.find("```").unwrap()];
    let o = Command::new(env!("CARGO_BIN_EXE_vectors-eval"))
        .args(command.split(' '))
        .current_dir(root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), shown);
}
