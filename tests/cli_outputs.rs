//! The CLI's outputs: `--report -` and `-o -` (issue 12 item 7), outputs that are not
//! regular files (issue 11 item 9), names too long for the file system (item 14).

mod common;

use std::process::{Command, Output};

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_glove-to-table"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn report_dash_goes_to_stdout_and_no_file_named_dash_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let glove = common::fixture("glove.6B.50d.20k.txt.gz");
    let tok = common::fixture("keras/tokenizer_oov.json");
    let out = Command::new(env!("CARGO_BIN_EXE_glove-to-table"))
        .arg(&glove)
        .arg("--vocab")
        .arg(&tok)
        .args(["-o", "t.npy", "--report", "-"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["vocab_size"], 465);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wrote t.npy: 465 rows x 50 dims"),
        "{stderr}"
    );
    assert_eq!(
        common::listing(dir.path()),
        ["t.npy", "t.origins.npy", "t.vocab.txt"]
    );
}

/// `--report FILE` and `--report -` give the same JSON (one builder): the tool, its
/// version, the input paths, then the coverage report, whose missing rows'
/// initialiser has the summary's name.
#[test]
fn report_to_a_file_and_to_stdout_are_the_same_json() {
    let dir = tempfile::tempdir().unwrap();
    let glove = common::fixture("glove.6B.50d.20k.txt.gz");
    let corpus = dir.path().join("corpus.txt");
    std::fs::write(&corpus, "the cat sat on the mat\nzzyzx of the qwxv\n").unwrap();
    let reports: Vec<(serde_json::Value, String)> = [("a", "a.json"), ("b", "-")]
        .iter()
        .map(|(name, report)| {
            let out = Command::new(env!("CARGO_BIN_EXE_glove-to-table"))
                .arg(&glove)
                .arg("--corpus")
                .arg(&corpus)
                .args(["-o", &format!("{name}.npy"), "--report", report])
                .current_dir(dir.path())
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(out.status.success(), "{stderr}");
            let json = if *report == "-" {
                out.stdout
            } else {
                assert!(out.stdout.is_empty());
                std::fs::read(dir.path().join(report)).unwrap()
            };
            (serde_json::from_slice(&json).unwrap(), stderr)
        })
        .collect();
    let strip = |v: &serde_json::Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("seconds");
        v
    };
    assert_eq!(strip(&reports[0].0), strip(&reports[1].0));
    for (r, stderr) in &reports {
        assert_eq!(r["tool"], "glove-to-table");
        assert_eq!(r["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(r["inputs"]["vectors"], glove.to_str().unwrap());
        assert_eq!(r["inputs"]["vocabulary"], "corpus");
        assert_eq!(r["inputs"]["vocabulary_path"], corpus.to_str().unwrap());
        assert!(r["missing"].as_u64().unwrap() >= 2, "{r}");
        // The summary's word for the missing rows' initialiser is the report's.
        let kind = r["missing_init"]["kind"].as_str().unwrap();
        assert_eq!(kind, "random");
        assert!(stderr.contains(&format!("missing ({kind}, ")), "{stderr}");
    }
}

#[test]
fn a_table_to_stdout_is_a_usage_error_that_says_so() {
    let glove = common::fixture("glove.6B.50d.20k.txt.gz");
    for args in [["-o", "-", "", ""], ["-o", "t.npy", "--vocab-out", "-"]] {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_glove-to-table"))
            .arg(&glove)
            .args(args.iter().filter(|a| !a.is_empty()))
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("cannot be written to standard output"),
            "{stderr}"
        );
        assert!(!stderr.contains("unknown extension"), "{stderr}");
        assert!(common::listing(dir.path()).is_empty());
    }
}

#[cfg(unix)]
#[test]
fn force_never_replaces_a_fifo_or_a_link_to_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let glove = common::fixture("glove.6B.50d.20k.txt.gz");
    let fifo = dir.path().join("pipe.vec");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo touches no memory of ours.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let null = dir.path().join("null.vec");
    std::os::unix::fs::symlink("/dev/null", &null).unwrap();
    let report = dir.path().join("report.json");
    for (target, kind) in [
        (&fifo, "is a FIFO (named pipe), not a regular file"),
        (
            &null,
            "is a symbolic link to a character device, not a regular file",
        ),
    ] {
        let out = run(&[
            glove.as_os_str(),
            "-o".as_ref(),
            target.as_os_str(),
            "--report".as_ref(),
            report.as_os_str(),
            "--force".as_ref(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{}: the output {kind}", target.display())),
            "{stderr}"
        );
    }
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    assert!(std::fs::symlink_metadata(&null)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(common::listing(dir.path()), ["null.vec", "pipe.vec"]);
}

#[test]
fn an_output_name_too_long_is_refused_before_the_input_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // An input that would fail if it were read: the name must be refused first.
    let bad = dir.path().join("empty.txt");
    std::fs::write(&bad, b"").unwrap();
    let long = dir.path().join(format!("{}.npy", "t".repeat(260)));
    let out = run(&[bad.as_os_str(), "-o".as_ref(), long.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("File name too long"), "{stderr}");
    assert!(!stderr.contains("empty file"), "{stderr}");
    // A name that fits, however long, works (its temporary is cut to fit).
    let glove = common::fixture("glove.6B.50d.20k.txt.gz");
    let longest = dir.path().join(format!("{}.vec", "t".repeat(251)));
    let out = run(&[
        glove.as_os_str(),
        "-o".as_ref(),
        longest.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(common::listing(dir.path()).len(), 2);
}
