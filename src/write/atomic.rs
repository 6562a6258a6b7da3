//! Outputs that appear whole or not at all.
//!
//! An [`AtomicFile`] is written to a hidden temporary file in the target's folder
//! (`.NAME.PID.N.tmp`) and renamed over the target by [`AtomicFile::commit`], after
//! its bytes are flushed and synced. Dropped without a commit (an error, a panic), it
//! removes its temporary file, so a failed run leaves no partial output and an older
//! file of the same name intact. An [`AtomicGroup`] does the same for several outputs
//! that belong together: all are written and synced first, and only then renamed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Result};

/// What outputs may replace and must not touch.
///
/// ```
/// use pretrained_vectors::write::SaveOptions;
/// let opts = SaveOptions::new().force(true).input("glove.6B.50d.txt");
/// assert!(opts.is_force());
/// ```
#[derive(Debug, Clone, Default)]
pub struct SaveOptions {
    force: bool,
    inputs: Vec<PathBuf>,
    vocab_path: Option<PathBuf>,
}

impl SaveOptions {
    /// The defaults: refuse to overwrite, no inputs to protect, the vocabulary
    /// sidecar of an npy table at [`default_vocab_path`](super::default_vocab_path).
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether an existing output may be replaced (default `false`: an existing
    /// output is [`Error::OutputExists`], found before anything is written).
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// An input file that no output may replace ([`Error::OutputIsInput`], even
    /// with `force`). May be given several times.
    pub fn input(mut self, path: impl Into<PathBuf>) -> Self {
        self.inputs.push(path.into());
        self
    }

    /// Where the vocabulary sidecar of an npy table goes (default: beside the
    /// table, see [`default_vocab_path`](super::default_vocab_path)).
    pub fn vocab_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.vocab_path = Some(path.into());
        self
    }

    /// Whether `force` is set.
    pub fn is_force(&self) -> bool {
        self.force
    }

    /// The inputs that no output may replace.
    pub fn inputs(&self) -> &[PathBuf] {
        &self.inputs
    }

    /// Checks `target` as [`AtomicFile::create`] will, without creating anything:
    /// lets a caller refuse an output before a long computation rather than after.
    ///
    /// ```
    /// use pretrained_vectors::write::SaveOptions;
    /// use pretrained_vectors::Error;
    /// let dir = tempfile::tempdir()?;
    /// let out = dir.path().join("table.npy");
    /// SaveOptions::new().check_target(&out)?; // absent: fine
    /// std::fs::write(&out, b"old")?;
    /// let e = SaveOptions::new().check_target(&out).unwrap_err();
    /// assert!(matches!(e, Error::OutputExists { .. }));
    /// SaveOptions::new().force(true).check_target(&out)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As the checks of [`AtomicFile::create`]: [`Error::Io`] naming a missing
    /// folder, [`Error::OutputIsInput`], [`Error::OutputExists`] without `force`,
    /// [`Error::Io`] when the target is a folder.
    pub fn check_target(&self, target: impl AsRef<Path>) -> Result<()> {
        check_target(target.as_ref(), self)
    }

    /// Where the vocabulary sidecar of the npy table `table` goes: the path set
    /// with [`vocab_path`](Self::vocab_path), or
    /// [`default_vocab_path`](super::default_vocab_path)`(table)`.
    pub fn vocab_path_for(&self, table: &Path) -> PathBuf {
        self.vocab_path
            .clone()
            .unwrap_or_else(|| super::default_vocab_path(table))
    }
}

/// Distinguishes the temporary files of one process.
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The folder a target lives in (`.` for a bare file name).
fn folder_of(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The temporary file of `target` for process `pid`: `.NAME.PID.N.tmp` in the
/// target's folder, where `N` counts the temporary files of the process from 0.
/// Lets a program that must clean up without running destructors (a signal
/// handler) know every name it may have created.
///
/// ```
/// use std::path::Path;
/// use pretrained_vectors::write::temp_path;
/// assert_eq!(temp_path(Path::new("out/t.npy"), 42, 0), Path::new("out/.t.npy.42.0.tmp"));
/// ```
pub fn temp_path(target: &Path, pid: u32, n: u32) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    folder_of(target).join(format!(".{name}.{pid}.{n}.tmp"))
}

/// Whether `a` and `b` are the same existing file (same device and inode on unix,
/// same canonical path elsewhere).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::metadata(a), fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

/// Checks a target before anything is written: its folder exists, it is not an
/// input, and it does not exist unless `force`.
fn check_target(target: &Path, options: &SaveOptions) -> Result<()> {
    let folder = folder_of(target);
    match fs::metadata(folder) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Error::io(
                folder,
                "use as the output folder",
                io::Error::new(io::ErrorKind::NotADirectory, "not a folder"),
            ))
        }
        Err(e) => return Err(Error::io(folder, "open the output folder", e)),
    }
    if options.inputs.iter().any(|input| same_file(input, target)) {
        return Err(Error::OutputIsInput {
            path: target.to_path_buf(),
        });
    }
    // Not following links: the rename replaces a link itself, never what it points
    // to (an input it points to was refused above).
    match fs::symlink_metadata(target) {
        Ok(m) if m.is_dir() => Err(Error::io(
            target,
            "replace the output",
            io::Error::new(io::ErrorKind::IsADirectory, "it is a folder"),
        )),
        Ok(_) if !options.force => Err(Error::OutputExists {
            path: target.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// A file written to a temporary name and renamed over its target on
/// [`commit`](AtomicFile::commit).
///
/// Writes go through a buffer. Dropping it without a commit removes the temporary
/// file and leaves the target as it was.
///
/// ```
/// use std::io::Write;
/// use pretrained_vectors::write::{AtomicFile, SaveOptions};
/// let dir = tempfile::tempdir()?;
/// let target = dir.path().join("out.txt");
/// let mut f = AtomicFile::create(&target, &SaveOptions::new())?;
/// f.write_all(b"hello\n")?;
/// assert!(!target.exists()); // nothing there until the commit
/// f.commit()?;
/// assert_eq!(std::fs::read(&target)?, b"hello\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    force: bool,
    out: Option<BufWriter<File>>,
    /// Whether the temporary file exists (until renamed or removed).
    pending: bool,
}

impl AtomicFile {
    /// Checks `target` and creates the temporary file beside it.
    ///
    /// # Errors
    /// Before creating anything: [`Error::Io`] naming the folder when the target's
    /// folder does not exist (or is not a folder), [`Error::OutputIsInput`] when the
    /// target is one of `options`' inputs, [`Error::OutputExists`] when it exists and
    /// `force` is off, [`Error::Io`] when it is a folder. Then [`Error::Io`] when the
    /// temporary file cannot be created.
    pub fn create(target: impl AsRef<Path>, options: &SaveOptions) -> Result<AtomicFile> {
        let target = target.as_ref();
        check_target(target, options)?;
        let pid = std::process::id();
        let mut tries = 0;
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let temp = temp_path(target, pid, n);
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => {
                    return Ok(AtomicFile {
                        target: target.to_path_buf(),
                        temp,
                        force: options.force,
                        out: Some(BufWriter::with_capacity(1 << 20, file)),
                        pending: true,
                    })
                }
                // A stale file of a dead process with our pid: take the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < 100 => tries += 1,
                Err(e) => return Err(Error::io(&temp, "create a temporary file", e)),
            }
        }
    }

    /// The path this file will have once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file being written.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Flushes the buffer and syncs the bytes to disk.
    fn finish(&mut self) -> Result<()> {
        if let Some(out) = self.out.take() {
            let file = out
                .into_inner()
                .map_err(|e| Error::io(&self.target, "write", e.into_error()))?;
            file.sync_all()
                .map_err(|e| Error::io(&self.target, "sync", e))?;
        }
        Ok(())
    }

    /// Refuses a target that appeared since the file was created, unless `force`.
    fn recheck(&self) -> Result<()> {
        if !self.force && fs::symlink_metadata(&self.target).is_ok() {
            return Err(Error::OutputExists {
                path: self.target.clone(),
            });
        }
        Ok(())
    }

    /// Renames the (finished) temporary file over the target.
    fn rename(&mut self) -> Result<()> {
        fs::rename(&self.temp, &self.target).map_err(|e| Error::io(&self.target, "rename", e))?;
        self.pending = false;
        sync_folder(folder_of(&self.target));
        Ok(())
    }

    /// Flushes, syncs and renames the temporary file over the target.
    ///
    /// # Errors
    /// [`Error::Io`] when a write, the sync or the rename fails;
    /// [`Error::OutputExists`] when the target appeared meanwhile and `force` is off.
    /// In every case the temporary file is removed and the target left as it was.
    pub fn commit(mut self) -> Result<PathBuf> {
        self.finish()?;
        self.recheck()?;
        self.rename()?;
        Ok(std::mem::take(&mut self.target))
    }
}

/// Makes a rename durable (best effort: not every system can sync a folder).
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.out {
            Some(out) => out.write(buf),
            None => Err(io::Error::other("atomic file already finished")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.out {
            Some(out) => out.write_all(buf),
            None => Err(io::Error::other("atomic file already finished")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.pending {
            // Close before removing (required on some systems); errors are moot here.
            drop(self.out.take());
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Several [`AtomicFile`]s committed together: renamed only when every one of them
/// was written and synced.
///
/// ```
/// use std::io::Write;
/// use pretrained_vectors::write::{AtomicGroup, SaveOptions};
/// let dir = tempfile::tempdir()?;
/// let mut group = AtomicGroup::new(SaveOptions::new());
/// group.create(dir.path().join("a.txt"))?.write_all(b"a\n")?;
/// group.create(dir.path().join("b.txt"))?.write_all(b"b\n")?;
/// let written = group.commit()?;
/// assert_eq!(written.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AtomicGroup {
    options: SaveOptions,
    files: Vec<AtomicFile>,
}

impl AtomicGroup {
    /// An empty group whose files follow `options` (`force`, inputs).
    pub fn new(options: SaveOptions) -> Self {
        AtomicGroup {
            options,
            files: Vec::new(),
        }
    }

    /// The options of the group.
    pub fn options(&self) -> &SaveOptions {
        &self.options
    }

    /// Adds an output and returns it for writing.
    ///
    /// # Errors
    /// As [`AtomicFile::create`]; also [`Error::InvalidOption`] when `target` names
    /// the same file as an earlier output of the group.
    pub fn create(&mut self, target: impl AsRef<Path>) -> Result<&mut AtomicFile> {
        let target = target.as_ref();
        let key = std::path::absolute(target).unwrap_or_else(|_| target.to_path_buf());
        for f in &self.files {
            let other = std::path::absolute(&f.target).unwrap_or_else(|_| f.target.clone());
            if other == key || same_file(&f.target, target) {
                return Err(Error::InvalidOption {
                    option: "output paths",
                    message: format!(
                        "{} and {} name the same file; expected a different path for each output",
                        f.target.display(),
                        target.display()
                    ),
                });
            }
        }
        let file = AtomicFile::create(target, &self.options)?;
        self.files.push(file);
        let last = self.files.len() - 1;
        Ok(&mut self.files[last])
    }

    /// The targets added so far.
    pub fn targets(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.target())
    }

    /// Writes out and syncs every file, then renames them all; returns the targets.
    ///
    /// No target is touched unless every file was written and synced (and, without
    /// `force`, none of the targets appeared meanwhile). The renames themselves are
    /// one system call each: should one fail (the folder removed under us), the
    /// outputs renamed before it stay, and the rest are removed.
    ///
    /// # Errors
    /// As [`AtomicFile::commit`].
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        for f in &mut self.files {
            f.finish()?;
        }
        for f in &self.files {
            f.recheck()?;
        }
        for f in &mut self.files {
            f.rename()?;
        }
        Ok(self.files.iter().map(|f| f.target.clone()).collect())
    }
}
