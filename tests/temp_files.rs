//! `write::remove_temp_files`, as a signal handler uses it. One test in its own
//! process: the call removes every temporary file of the process, which would
//! pull the files from under other tests running beside it.

use std::io::Write;

use pretrained_vectors::write::{remove_temp_files, AtomicFile, AtomicGroup, WritePolicy};
use pretrained_vectors::Error;

mod common;

#[test]
fn remove_temp_files_takes_exactly_the_temporaries_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("done.txt");
    let mut f = AtomicFile::create(&done, &WritePolicy::new()).unwrap();
    f.write_all(b"done\n").unwrap();
    f.commit().unwrap();
    std::fs::write(dir.path().join("older.txt"), b"older\n").unwrap();

    // Two groups in progress, one over an older output (force), and a file dropped
    // before the call.
    let mut group = AtomicGroup::new(WritePolicy::new());
    group
        .create(dir.path().join("a.txt"))
        .unwrap()
        .write_all(b"a")
        .unwrap();
    group
        .create(dir.path().join("b.txt"))
        .unwrap()
        .write_all(b"b")
        .unwrap();
    let mut over = AtomicGroup::new(WritePolicy::new().force(true));
    over.create(dir.path().join("older.txt"))
        .unwrap()
        .write_all(b"newer\n")
        .unwrap();
    drop(AtomicFile::create(dir.path().join("dropped.txt"), &WritePolicy::new()).unwrap());
    assert_eq!(
        common::listing(dir.path()).len(),
        5,
        "{:?}",
        common::listing(dir.path())
    );

    // From another thread, as a signal-handling thread would.
    let removed = std::thread::spawn(remove_temp_files).join().unwrap();
    assert_eq!(removed, 3);
    assert_eq!(common::listing(dir.path()), ["done.txt", "older.txt"]);
    assert_eq!(remove_temp_files(), 0, "each name is removed once");

    // The groups cannot commit what is gone, and leave the targets as they were.
    assert!(matches!(group.commit().unwrap_err(), Error::Io { .. }));
    assert!(matches!(over.commit().unwrap_err(), Error::Io { .. }));
    assert_eq!(common::listing(dir.path()), ["done.txt", "older.txt"]);
    assert_eq!(
        std::fs::read(dir.path().join("older.txt")).unwrap(),
        b"older\n"
    );

    // The registry goes on working after the call.
    let mut later = AtomicGroup::new(WritePolicy::new());
    later
        .create(dir.path().join("later.txt"))
        .unwrap()
        .write_all(b"later\n")
        .unwrap();
    later.commit().unwrap();
    assert_eq!(
        common::listing(dir.path()),
        ["done.txt", "later.txt", "older.txt"]
    );
    assert_eq!(remove_temp_files(), 0);
}
