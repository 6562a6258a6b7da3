//! The CLI under hostile conditions (issue 11): thread counts, stderr that cannot
//! be written, an input that changes while it is read.
#![cfg(feature = "cli")]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::fixture;
use pretrained_vectors::{Error, ReadOptions};

fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_glove-to-table"));
    c.env("RAYON_NUM_THREADS", "2");
    c
}

#[test]
fn absurd_thread_counts_are_usage_errors() {
    // Issue 11.17: `-j 100000` started tens of thousands of threads.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.npy");
    for j in ["100000", "0", "many"] {
        let start = Instant::now();
        let o = cmd()
            .arg(fixture("small.glove.txt"))
            .args(["-o".as_ref(), out.as_os_str(), "-j".as_ref(), j.as_ref()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "-j {j}: {err}");
        assert!(err.contains("thread count from 1 to"), "-j {j}: {err}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }
    assert!(common::listing(dir.path()).is_empty());
    let max = pretrained_vectors::read::max_threads();
    assert!(max >= 64);
    let o = cmd()
        .arg(fixture("small.glove.txt"))
        .args(["-o".as_ref(), out.as_os_str(), "-j".as_ref(), "64".as_ref()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    // The library refuses them too.
    let e = ReadOptions::new()
        .threads(max + 1)
        .read(fixture("small.glove.txt"))
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidOption {
                option: "threads",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn stderr_that_cannot_be_written_does_not_panic() {
    // Issue 11.13: `2>/dev/full` or a closed pipe panicked (exit 101) after the work.
    let dir = tempfile::tempdir().unwrap();
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let out = dir.path().join("a.npy");
    let o = cmd()
        .arg(fixture("small.glove.txt"))
        .arg("-o")
        .arg(&out)
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "summary to /dev/full");
    assert!(out.exists());
    // A data error: exit 1, whether the message could be written or not.
    let o = cmd()
        .arg(fixture("bad/ragged_short.txt"))
        .arg("-o")
        .arg(dir.path().join("b.npy"))
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "error to /dev/full");
    // A usage error: exit 2.
    let o = cmd()
        .arg(fixture("small.glove.txt"))
        .arg("-o")
        .arg(dir.path().join("c.csv"))
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "usage error to /dev/full");
    // A closed pipe.
    let out = dir.path().join("d.npy");
    let mut child = cmd()
        .arg(fixture("small.glove.txt"))
        .arg("-o")
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(
        child.wait().unwrap().code(),
        Some(0),
        "summary to a closed pipe"
    );
    assert!(out.exists());
}

#[cfg(unix)]
#[test]
fn sigbus_from_a_changed_input_is_exit_1_with_a_message() {
    // Issue 11.11: an input truncated while mapped killed the process with SIGBUS
    // (exit 135, no message). The handler is driven here by sending SIGBUS while
    // the tool waits on a FIFO input (what a truncated map raises, without the
    // race of truncating a file at the right moment).
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("vectors.txt");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = dir.path().join("t.npy");
    let child = cmd()
        .arg(&fifo)
        .arg("-o")
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Open the writing end (the tool is blocked reading), write a row, wait.
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    std::io::Write::write_all(&mut writer, b"the 0.1 0.2\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sending a signal to our own child process.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGBUS) },
        0
    );
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{:?} {err}", o.status);
    assert!(err.contains("the input changed while it was read"), "{err}");
    drop(writer);
    assert_eq!(common::listing(dir.path()), ["vectors.txt"]);
}

#[cfg(unix)]
#[test]
fn an_input_truncated_while_read_never_kills_the_tool() {
    // The real thing, as far as timing allows: a large mapped input cut to a few
    // bytes while it is read. Whatever moment the cut lands at, the tool ends
    // with a message and exit 0 or 1, never by a signal, and leaves no temporary.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.txt");
    let row: String = (0..50).map(|i| format!(" 0.{i:04}")).collect();
    let mut text = String::with_capacity(40 << 20);
    let mut i = 0;
    while text.len() < (40 << 20) {
        text += &format!("w{i}{row}\n");
        i += 1;
    }
    for attempt in 0..3u64 {
        std::fs::write(&input, &text).unwrap();
        let out = dir.path().join("t.npy");
        let child = cmd()
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .arg("--force")
            .arg("-j")
            .arg("1")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + 40 * attempt));
        std::fs::OpenOptions::new()
            .write(true)
            .open(&input)
            .unwrap()
            .set_len(100)
            .unwrap();
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{:?} {err}",
            o.status
        );
        if o.status.code() == Some(1) {
            assert!(err.starts_with("error: "), "{err}");
        }
        assert!(
            common::listing(dir.path())
                .iter()
                .all(|n| !n.ends_with(".tmp")),
            "{:?}",
            common::listing(dir.path())
        );
    }
}

#[test]
fn random_rows_stay_finite_and_say_when_they_fall_back() {
    // Issues 11.4 and 11.5 through the CLI: values near f32::MAX, `normal:3e38`,
    // and a single vector found.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("huge.txt");
    std::fs::write(&input, "a 3e38 -3e38\nb -3.4e38 3.4e38\nc 1 2\n").unwrap();
    let list = dir.path().join("vocab.txt");
    let tokens: Vec<String> = ["a", "b"]
        .into_iter()
        .map(String::from)
        .chain((0..40).map(|i| format!("zz{i}")))
        .collect();
    std::fs::write(&list, tokens.join("\n") + "\n").unwrap();
    for (name, missing) in [("m.npy", "random"), ("n.npy", "normal:3e38")] {
        let out = dir.path().join(name);
        let o = cmd()
            .arg(&input)
            .arg("--vocab")
            .arg(&list)
            .args(["--missing", missing, "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let t = pretrained_vectors::table::SavedTable::read(&out, &Default::default()).unwrap();
        assert!(t.weights().iter().all(|x| x.is_finite()), "{missing}");
    }
    // One vector found: the summary says the rows are Keras' uniform, and why.
    std::fs::write(&list, "a\nqq1\nqq2\n").unwrap();
    let o = cmd()
        .arg(&input)
        .arg("--vocab")
        .arg(&list)
        .arg("-o")
        .arg(dir.path().join("one.npy"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("uniform [-0.05, 0.05)"), "{err}");
    assert!(
        err.contains("1 vector(s) found, too few or too alike"),
        "{err}"
    );
}

#[test]
fn fewer_rows_than_the_header_warn_or_with_strict_fail() {
    // Issue 11.3: a download cut at a line boundary was accepted without a word.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cut.vec");
    // The first 3,001 lines of a 20,000-row file (far from the hostile-header bound).
    let mut text = String::from("20000 2\nthe 0.1 0.2\n");
    for i in 1..3000 {
        text += &format!("w{i} 0.{i} -0.{i}\n");
    }
    std::fs::write(&input, text).unwrap();
    let gz = dir.path().join("cut.vec.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut e, &std::fs::read(&input).unwrap()).unwrap();
    std::fs::write(&gz, e.finish().unwrap()).unwrap();
    let list = dir.path().join("vocab.txt");
    std::fs::write(&list, "the\nzz\n").unwrap();
    for path in [&input, &gz] {
        for with_vocab in [false, true] {
            let mut c = cmd();
            c.arg(path)
                .arg("-o")
                .arg(dir.path().join("t.npy"))
                .arg("--force");
            if with_vocab {
                c.arg("--vocab").arg(&list);
            }
            let o = c.output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(0), "{err}");
            assert!(
                err.contains("warning: the header claims 20000 rows, but the file has 3000"),
                "{err}"
            );
            let o = c.arg("--strict-row-count").output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(1), "{err}");
            assert!(
                err.contains("the header claims 20000 rows, but the file has 3000"),
                "{err}"
            );
        }
    }
    // The library: ReadInfo keeps it, the strict option refuses it on every path.
    let v = ReadOptions::new().read(&gz).unwrap();
    assert_eq!(
        (v.info().header_rows, v.info().file_rows),
        (Some(20000), 3000)
    );
    assert!(v.info().header_mismatch());
    for path in [&input, &gz] {
        let e = ReadOptions::new()
            .strict_row_count(true)
            .read(path)
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::RowCount {
                    header: 20000,
                    found: 3000,
                    ..
                }
            ),
            "{e}"
        );
        let vocab = pretrained_vectors::Vocab::new(vec!["the".into()]).unwrap();
        let e = pretrained_vectors::Aligner::new()
            .read_options(ReadOptions::new().strict_row_count(true))
            .align(path, vocab)
            .unwrap_err();
        assert!(matches!(e, Error::RowCount { .. }), "{e}");
    }
    // A file that agrees with its header is fine either way, and says nothing.
    std::fs::write(&input, "2 2\nthe 0.1 0.2\nof 0.3 0.4\n").unwrap();
    let o = cmd()
        .arg(&input)
        .args(["--strict-row-count", "--force", "-o"])
        .arg(dir.path().join("t.npy"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("warning"));
}
