//! Runs every example of issue 7 and checks what it prints: the examples are the
//! documentation, so a claim they make that stops being true fails here.
//!
//! Each example runs through `cargo run --example NAME` in the test profile's
//! settings (the crate at opt-level 1, dependencies at 3), so a changed example is
//! rebuilt before it is checked.

use std::collections::HashMap;
use std::process::Command;

/// The standard output of an example, which must exit successfully.
fn run(name: &str) -> String {
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot start cargo for example {name}: {e}"));
    let stdout = String::from_utf8(out.stdout).expect("examples print UTF-8");
    assert!(
        out.status.success(),
        "example {name} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The lines starting with the word `tag`, split on whitespace, without the tag.
fn tagged<'a>(text: &'a str, tag: &str) -> Vec<Vec<&'a str>> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|f| f.first() == Some(&tag))
        .map(|f| f[1..].to_vec())
        .collect()
}

/// The numbers of a tagged line after its index: `tag index x y ...` -> `[x, y, ...]`.
fn floats(fields: &[&str], n: usize) -> Vec<f32> {
    fields[1..=n]
        .iter()
        .map(|f| f.parse().unwrap_or_else(|e| panic!("{f:?}: {e}")))
        .collect()
}

#[test]
fn phrases_second_phrase_is_rows_5_1_2_3_6_of_the_7_by_2_table() {
    let out = run("phrases");
    assert!(
        out.contains("\"Hope to see you soon\" -> [0, 1, 2, 3, 4]"),
        "{out}"
    );
    assert!(
        out.contains("\"Nice to see you again\" -> [5, 1, 2, 3, 6]"),
        "{out}"
    );
    assert!(out.contains("Embedding(7, 2), input length 5"), "{out}");
    assert!(out.contains("ids (2, 5) -> output (2, 5, 2)"), "{out}");
    let table: Vec<Vec<f32>> = tagged(&out, "table").iter().map(|f| floats(f, 2)).collect();
    assert_eq!(table.len(), 7, "{out}");
    let second: Vec<Vec<f32>> = tagged(&out, "phrase2")
        .iter()
        .map(|f| floats(f, 2))
        .collect();
    assert_eq!(second.len(), 5, "{out}");
    for (row, id) in second.iter().zip([5, 1, 2, 3, 6]) {
        assert_eq!(row, &table[id], "{out}");
    }
    // Distinct words got distinct random rows.
    assert_ne!(table[0], table[5], "{out}");
}

#[test]
fn months_summary_has_39_parameters_trainable_then_frozen() {
    let out = run("months");
    assert!(
        out.contains("input (2, 1000) -> output (2, 1000, 3)"),
        "{out}"
    );
    let layer = tagged(&out, "embedding");
    assert_eq!(layer.len(), 2, "{out}");
    for fields in &layer {
        assert_eq!(
            fields,
            &["(Embedding)", "(None,", "1000,", "3)", "39"],
            "{out}"
        );
    }
    let count = |label: &str| -> Vec<u64> {
        out.lines()
            .filter_map(|l| l.strip_prefix(label))
            .map(|n| n.trim().parse().unwrap())
            .collect()
    };
    assert_eq!(count("Total params:"), [39, 39], "{out}");
    assert_eq!(count("Trainable params:"), [39, 0], "{out}");
    assert_eq!(count("Non-trainable params:"), [0, 39], "{out}");
    assert!(out.contains("why 13 rows for 12 months"), "{out}");
    assert!(
        out.contains("sequence 0 has 1000 real positions, sequence 1 has 30 "),
        "{out}"
    );
    assert!(out.contains("a 12-row table refuses them: id 12"), "{out}");
}

#[test]
fn lookup_repeats_the_first_row_and_checks_every_position() {
    let out = run("lookup");
    let table: Vec<Vec<f32>> = tagged(&out, "E").iter().map(|f| floats(f, 3)).collect();
    let y: Vec<Vec<f32>> = tagged(&out, "Y").iter().map(|f| floats(f, 3)).collect();
    assert_eq!(table.len(), 4, "{out}");
    assert_eq!(y.len(), 4, "{out}");
    assert_eq!(y[0], y[3], "{out}");
    assert_ne!(y[0], y[1], "{out}");
    for (row, id) in y.iter().zip([0, 1, 2, 0]) {
        assert_eq!(row, &table[id], "{out}");
    }
    assert!(out.contains("first and last rows identical: true"), "{out}");
    assert!(
        out.contains("X (8, 6) (batch, seq) -> Y (8, 6, 3) (batch, seq, dim)"),
        "{out}"
    );
    assert!(
        out.contains("Y[i, j] == E[X[i, j]] at 48 of 48 positions"),
        "{out}"
    );
}

/// Example 4's table: run name -> [train_acc, test_all, test_in, test_not_in, seconds].
fn sentiment_table(out: &str) -> HashMap<String, Vec<f64>> {
    let header = out
        .lines()
        .position(|l| l.split_whitespace().next() == Some("run"))
        .unwrap_or_else(|| panic!("no table header:\n{out}"));
    out.lines()
        .skip(header + 1)
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|f| f.len() == 6)
        .map(|f| {
            let nums = f[1..].iter().map(|x| x.parse().unwrap()).collect();
            (f[0].to_string(), nums)
        })
        .collect()
}

/// The majority baselines: [all, in_glove, not_in_glove].
fn baselines(out: &str) -> Vec<f64> {
    let line = out
        .lines()
        .find(|l| l.starts_with("majority baseline"))
        .unwrap_or_else(|| panic!("no baseline:\n{out}"));
    line.split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect()
}

#[test]
fn sentiment_pretrained_vectors_generalise_to_held_out_words() {
    let out = run("sentiment");
    let table = sentiment_table(&out);
    let names = [
        "random_trainable",
        "pretrained_frozen",
        "pretrained_trainable",
        "pretrained_missing_only",
    ];
    for name in names {
        let row = &table[name];
        assert!(row[..4].iter().all(|a| (0.0..=1.0).contains(a)), "{out}");
        assert!(row[4] < 60.0, "{name} took {} s:\n{out}", row[4]);
    }
    let base = baselines(&out);
    assert_eq!(base.len(), 3, "{out}");
    let (random, frozen) = (&table["random_trainable"], &table["pretrained_frozen"]);
    // The claim of the example: on held-out words, pretrained beats random...
    assert!(frozen[1] > random[1], "{out}");
    // ... because of the words GloVe has, where it beats the majority baseline by
    // a wide margin while a random table does not beat it at all ...
    assert!(frozen[2] > base[1] + 0.2, "{out}");
    assert!(random[2] < base[1] + 0.05, "{out}");
    // ... and on words neither has seen, nothing can: every run stays near chance.
    for name in names {
        assert!(table[name][3] < base[2] + 0.05, "{name}:\n{out}");
    }
    // The random table can still memorise the words it trains on.
    assert!(random[0] > 0.95, "{out}");
}

#[test]
fn neighbours_king_man_woman_is_queen() {
    let out = run("neighbours");
    assert!(out.starts_with("read 20000 words x 50 dims"), "{out}");
    let block = |title: &str| -> Vec<(String, f32)> {
        out.lines()
            .skip_while(|l| *l != title)
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f[0].to_string(), f[1].parse().unwrap())
            })
            .collect()
    };
    let analogy = block("king - man + woman:");
    assert_eq!(analogy.len(), 5, "{out}");
    assert_eq!(analogy[0].0, "queen", "{out}");
    let king = block("neighbours of king:");
    let words: Vec<&str> = king.iter().map(|(w, _)| w.as_str()).collect();
    assert!(
        words.contains(&"queen") && words.contains(&"prince"),
        "{out}"
    );
    assert!(king.windows(2).all(|w| w[0].1 >= w[1].1), "{out}");
    assert_eq!(block("paris - france + italy:")[0].0, "rome", "{out}");
}

#[test]
fn misspelt_words_have_the_intended_word_among_their_neighbours() {
    let out = run("misspelt");
    let model = pretrained_vectors::FastTextModel::read("fixtures/fasttext/docs.bin").unwrap();
    let mut checked = 0;
    for (word, intended) in [
        ("atribute", "attribute"),
        ("modul", "module"),
        ("dictonary", "dictionary"),
        ("paramter", "parameter"),
        ("charachter", "character"),
        ("directroy", "directory"),
        ("objct", "object"),
    ] {
        // The claim is about words the model does not have.
        assert!(model.word_id(word.as_bytes()).is_none(), "{word}");
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(word))
            .unwrap_or_else(|| panic!("no line for {word}:\n{out}"));
        let (_, neighbours) = line.split_once("->").unwrap();
        let neighbours: Vec<&str> = neighbours.split(',').map(str::trim).collect();
        assert_eq!(neighbours.len(), 5, "{line}");
        assert!(neighbours.contains(&intended), "{line}");
        checked += 1;
    }
    assert_eq!(checked, 7);
}

#[test]
fn quickstart_trains_the_missing_rows_and_fits() {
    let out = run("quickstart");
    let first = out.lines().next().unwrap_or_default();
    let nums: Vec<usize> = first
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    // "R rows: F found in GloVe, M missing": R = F + M + the padding row.
    assert_eq!(nums.len(), 3, "{out}");
    assert_eq!(nums[0], nums[1] + nums[2] + 1, "{out}");
    assert!(nums[2] > 0, "{out}");
    assert!(out.contains("training accuracy 1.00"), "{out}");
}

/// The README shows `examples/quickstart.rs` from its first `use` to the end; the
/// copy must not drift from the program the test above runs.
#[test]
fn readme_quickstart_is_the_example_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let file = std::fs::read_to_string(root.join("examples/quickstart.rs")).unwrap();
    let code = &file[file.find("\nuse ").expect("a use line") + 1..];
    let shown = readme
        .split("`examples/quickstart.rs`")
        .nth(1)
        .and_then(|after| after.split("```rust\n").nth(1))
        .and_then(|block| block.split("```").next())
        .expect("README.md shows examples/quickstart.rs in a ```rust block");
    assert_eq!(shown.trim_end(), code.trim_end());
}

/// The README's first command (the main job on bundled data) runs as written, from
/// any folder, and prints the summary the README shows (all but the timing line).
#[test]
fn readme_first_command_runs_and_prints_its_summary() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let first_block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("README.md starts with a ```sh block");
    let command = first_block
        .lines()
        .find(|l| l.contains("--bin glove-to-table"))
        .expect("the first block runs glove-to-table");
    let args: Vec<&str> = command
        .split_once(" -- ")
        .expect("cargo run ... -- ARGS")
        .1
        .split_whitespace()
        .collect();
    // Run in an empty folder, with the bundled inputs found where the README's
    // relative paths point from the repository root.
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root.join("fixtures"), dir.path().join("fixtures")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_glove-to-table"))
        .args(&args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{command}\n{stderr}");
    let shown = readme
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("README.md shows the summary in a ```text block");
    let without_time = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.trim_start().starts_with("time "))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(without_time(&stderr), without_time(shown), "{stderr}");
    for name in [
        "table.npy",
        "table.vocab.txt",
        "table.origins.npy",
        "report.json",
    ] {
        assert!(dir.path().join(name).is_file(), "{name} not written");
    }
}
