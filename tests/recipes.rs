//! The README's recipes for training only the rows the vectors lacked: their
//! PyTorch- and Keras-free part runs here with NumPy, on a table the CLI wrote.
//!
//! The lines are taken from the README itself (the numpy block, the PyTorch hook's
//! lambda, the Keras constraint's lambda and the lines of those blocks that use no
//! framework), so that the README cannot drift from what is checked. The one
//! substitution: `grad_mask = torch.from_numpy(mask)` becomes `grad_mask = mask`
//! (the same values, as a NumPy array).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use pretrained_vectors::train::Trainability;
use pretrained_vectors::vocab::KerasTokenizer;
use pretrained_vectors::Aligner;

/// A Python that imports numpy: `$INTEROP_VENV`, the venvs `.ci/run` and
/// `tests/interop/run.sh` build, then `python3`. Under CI (`CI=true`) a missing one
/// is a failure; elsewhere the test says so and passes.
fn python_with_numpy() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(v) = std::env::var_os("INTEROP_VENV") {
        candidates.push(root.join(v).join("bin/python"));
    }
    candidates.push(root.join("target/bench-data/venv/bin/python"));
    candidates.push(root.join("target/interop-venv/bin/python"));
    candidates.push("python3".into());
    let found = candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import numpy"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "no Python with numpy for the README recipes (CI builds target/bench-data/venv)"
        );
        eprintln!("note: skipping the README recipe check: no Python with numpy");
    }
    found
}

/// The code blocks of the README section that starts with `heading_text`, up to the
/// next heading.
fn blocks_after(readme: &str, heading_text: &str) -> Vec<String> {
    let start = readme
        .find(heading_text)
        .unwrap_or_else(|| panic!("README has no {heading_text:?}"));
    let section = &readme[start..];
    let end = section.find("\n### ").unwrap_or(section.len());
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in section[..end].lines() {
        match (&mut current, line.starts_with("```")) {
            (None, true) => current = Some(String::new()),
            (Some(b), true) => {
                blocks.push(std::mem::take(b));
                current = None;
            }
            (Some(b), false) => {
                b.push_str(line);
                b.push('\n');
            }
            (None, false) => {}
        }
    }
    blocks
}

/// The `lambda ...` argument that follows `marker` on its line, without the call's
/// closing parenthesis.
fn lambda_after(block: &str, marker: &str) -> String {
    let line = block
        .lines()
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no {marker:?} in {block}"));
    let from = line.find(marker).unwrap() + marker.len();
    let lambda = line[from..].trim_end();
    lambda.strip_suffix(')').unwrap_or(lambda).to_string()
}

#[test]
fn readme_gradient_mask_recipes_move_exactly_the_oov_and_random_rows() {
    let Some(python) = python_with_numpy() else {
        return;
    };
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let blocks = blocks_after(&readme, "Train only the rows the vectors lacked");
    assert_eq!(
        blocks.len(),
        3,
        "numpy, PyTorch and Keras blocks: {blocks:?}"
    );
    let (numpy, torch, keras) = (&blocks[0], &blocks[1], &blocks[2]);
    assert!(
        !numpy.contains("torch") && !numpy.contains("keras"),
        "{numpy}"
    );
    let hook = lambda_after(torch, "register_hook(");
    let constraint = lambda_after(keras, "embeddings_constraint=");
    assert!(
        torch.contains("grad_mask = torch.from_numpy(mask)"),
        "{torch}"
    );
    // The Keras block's own statements that use no Keras (its `frozen = ...`); the
    // lines of the `Embedding(...)` call are the framework part.
    let keras_numpy: Vec<&str> = keras
        .lines()
        .filter(|l| !l.contains("keras") && !l.starts_with(' '))
        .collect();
    assert!(!keras_numpy.is_empty(), "{keras}");

    // The table, written by the CLI into a folder the recipes run in.
    let dir = tempfile::tempdir().unwrap();
    let glove = common::fixture("glove.6B.50d.20k.txt.gz");
    let tok = common::fixture("keras/tokenizer_oov.json");
    let out = Command::new(env!("CARGO_BIN_EXE_glove-to-table"))
        .arg(&glove)
        .arg("--vocab")
        .arg(&tok)
        .arg("-o")
        .arg(dir.path().join("table.npy"))
        .arg("-q")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let script = format!(
        "import numpy as np\n{numpy}\ngrad_mask = mask\n{keras}\n\
         hook = {hook}\nconstraint = {constraint}\n\
         rng = np.random.default_rng(0)\n\
         grad = rng.standard_normal(matrix.shape).astype(matrix.dtype)\n\
         torch_step = matrix - 0.1 * hook(grad)\n\
         keras_step = constraint(matrix - 0.1 * grad)\n\
         for step in (torch_step, keras_step):\n\
         \x20   moved = np.flatnonzero(np.any(step != matrix, axis=1))\n\
         \x20   print(' '.join(map(str, moved)))\n",
        keras = keras_numpy.join("\n"),
    );
    let run = Command::new(&python)
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8(run.stdout).unwrap();

    // The rows the library's preset trains, on the same table.
    let tokenizer = KerasTokenizer::from_bytes(&tok, &std::fs::read(&tok).unwrap()).unwrap();
    let table = Aligner::new()
        .align(&glove, tokenizer.vocab("<pad>").unwrap())
        .unwrap()
        .table;
    let factors = Trainability::oov_and_random(table.origins()).factors(table.rows());
    let want: Vec<String> = (0..table.rows())
        .filter(|&r| factors[r] > 0.0)
        .map(|r| r.to_string())
        .collect();
    assert!(want.len() > 200, "a real table has many missing rows");
    let want = want.join(" ");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines, [want.as_str(), want.as_str()], "{script}");
}
