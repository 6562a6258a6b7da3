//! Outputs that appear whole or not at all.
//!
//! An [`AtomicFile`] is written to a hidden temporary file in the target's folder
//! (`.NAME.PID.N.tmp`) and renamed over the target by [`AtomicFile::commit`], after
//! its bytes are flushed and synced. Dropped without a commit (an error, a panic), it
//! removes its temporary file, so a failed run leaves no partial output and an older
//! file of the same name intact. An [`AtomicGroup`] does the same for several outputs
//! that belong together: all are written and synced first, and only then renamed.
//! A signal handler, which runs no destructors, removes the temporaries in progress
//! with [`remove_temp_files`](super::remove_temp_files).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use super::temps::{register, Registered};
use crate::error::{Error, IoAction, Result};

/// The atomic-write policy: what outputs may replace and must not touch. It knows
/// nothing of what the files hold; [`SaveOptions`](super::SaveOptions) pairs it with a
/// table's [`Layout`](super::Layout).
///
/// ```
/// use pretrained_vectors::write::WritePolicy;
/// let policy = WritePolicy::new().force(true).input("glove.6B.50d.txt");
/// assert!(policy.is_force());
/// ```
#[derive(Debug, Clone, Default)]
pub struct WritePolicy {
    force: bool,
    inputs: Vec<PathBuf>,
}

impl WritePolicy {
    /// The defaults: refuse to overwrite, no inputs to protect.
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
    /// use pretrained_vectors::write::WritePolicy;
    /// use pretrained_vectors::Error;
    /// let dir = tempfile::tempdir()?;
    /// let out = dir.path().join("table.npy");
    /// WritePolicy::new().check_target(&out)?; // absent: fine
    /// std::fs::write(&out, b"old")?;
    /// let e = WritePolicy::new().check_target(&out).unwrap_err();
    /// assert!(matches!(e, Error::OutputExists { .. }));
    /// WritePolicy::new().force(true).check_target(&out)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As the checks of [`AtomicFile::create`]: [`Error::Io`] naming a missing
    /// folder, [`Error::OutputIsInput`], [`Error::OutputExists`] without `force`,
    /// [`Error::OutputNotRegular`] for a device, FIFO or socket (or a link to one),
    /// [`Error::Io`] when the target is a folder or its name (or its temporary's) is
    /// too long for the file system.
    pub fn check_target(&self, target: impl AsRef<Path>) -> Result<()> {
        check_target(target.as_ref(), self)
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
/// target's folder (`out/t.npy`, 42, 0: `out/.t.npy.42.0.tmp`), where `N` counts
/// the temporary files of the process from 0. A program that must clean up
/// without running destructors finds the names in progress with
/// [`remove_temp_files`](super::remove_temp_files).
///
/// The name is kept within 255 bytes (`NAME_MAX`): a long `NAME` is cut (at a character
/// boundary) so that a target whose own name fits always gets a temporary.
pub(crate) fn temp_path(target: &Path, pid: u32, n: u32) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let suffix = format!(".{pid}.{n}.tmp");
    let mut keep = name.len().min(NAME_MAX - 1 - suffix.len());
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    folder_of(target).join(format!(".{}{suffix}", &name[..keep]))
}

/// The longest file name, in bytes, of the usual file systems (ext4, XFS, Btrfs,
/// tmpfs, APFS, NTFS in UTF-16 units): temporary names stay within it.
pub(crate) const NAME_MAX: usize = 255;

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
fn check_target(target: &Path, options: &WritePolicy) -> Result<()> {
    let folder = folder_of(target);
    match fs::metadata(folder) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Error::io(
                folder,
                IoAction::UseAsOutputFolder,
                io::Error::new(io::ErrorKind::NotADirectory, "not a folder"),
            ))
        }
        Err(e) => return Err(Error::io(folder, IoAction::OpenOutputFolder, e)),
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
            IoAction::ReplaceOutput,
            io::Error::new(io::ErrorKind::IsADirectory, "it is a folder"),
        )),
        Ok(m) => {
            check_regular(target, &m)?;
            if options.force {
                Ok(())
            } else {
                Err(Error::OutputExists {
                    path: target.to_path_buf(),
                })
            }
        }
        // Absent: its name must still fit the file system, and so must the
        // temporary's (a stat of a name too long fails with ENAMETOOLONG).
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let temp = temp_path(target, u32::MAX, u32::MAX);
            match fs::symlink_metadata(&temp) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    Err(Error::io(target, IoAction::CreateTemporary, e))
                }
                _ => Ok(()),
            }
        }
        Err(e) => Err(Error::io(target, IoAction::CheckOutput, e)),
    }
}

/// What a file that is not a regular one is, for messages.
fn special_kind(m: &fs::Metadata) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    if m.is_file() || m.is_dir() || m.file_type().is_symlink() {
        None
    } else {
        Some("a special file")
    }
}

/// Refuses an existing target (`m`: its own metadata, not following links) that is
/// a device, FIFO or socket, or a symbolic link to one.
fn check_regular(target: &Path, m: &fs::Metadata) -> Result<()> {
    let kind = if m.file_type().is_symlink() {
        // A dangling link, or one to a regular file or a folder, is replaced itself.
        match fs::metadata(target) {
            Ok(to) => special_kind(&to).map(|k| format!("a symbolic link to {k}")),
            Err(_) => None,
        }
    } else {
        special_kind(m).map(str::to_string)
    };
    match kind {
        Some(kind) => Err(Error::OutputNotRegular {
            path: target.to_path_buf(),
            kind,
        }),
        None => Ok(()),
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
/// use pretrained_vectors::write::{AtomicFile, WritePolicy};
/// let dir = tempfile::tempdir()?;
/// let target = dir.path().join("out.txt");
/// let mut f = AtomicFile::create(&target, &WritePolicy::new())?;
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
    out: Option<BufWriter<Writeback>>,
    /// Whether the temporary file exists (until renamed or removed).
    pending: bool,
    /// Whether the target is a hard link to the temporary file, made by this file.
    linked: bool,
    /// Whether this file created the target (it did not exist before).
    created: bool,
    /// Device and inode of the temporary file, once finished.
    identity: Option<(u64, u64)>,
    /// The temporary name in the registry of [`remove_temp_files`](super::remove_temp_files),
    /// until the name is gone.
    registered: Option<Registered>,
}

impl AtomicFile {
    /// Checks `target` and creates the temporary file beside it.
    ///
    /// # Errors
    /// Before creating anything: [`Error::Io`] naming the folder when the target's
    /// folder does not exist (or is not a folder), [`Error::OutputIsInput`] when the
    /// target is one of `policy`' inputs, [`Error::OutputExists`] when it exists and
    /// `force` is off, [`Error::OutputNotRegular`] when it is a device, FIFO or
    /// socket (or a link to one), [`Error::Io`] when it is a folder or its name is too
    /// long. Then [`Error::Io`] when the temporary file cannot be created.
    pub fn create(target: impl AsRef<Path>, options: &WritePolicy) -> Result<AtomicFile> {
        let target = target.as_ref();
        check_target(target, options)?;
        let pid = std::process::id();
        let mut tries = 0;
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let temp = temp_path(target, pid, n);
            // Registered before it exists, so that no moment has a temporary file
            // that a signal handler cannot find.
            let registered = register(&temp);
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => {
                    return Ok(AtomicFile {
                        target: target.to_path_buf(),
                        temp,
                        force: options.force,
                        out: Some(BufWriter::with_capacity(1 << 20, Writeback::new(file))),
                        pending: true,
                        linked: false,
                        created: false,
                        identity: None,
                        registered,
                    })
                }
                // A stale file of a dead process with our pid: take the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < 100 => tries += 1,
                Err(e) => return Err(Error::io(&temp, IoAction::CreateTemporary, e)),
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
                .map_err(|e| Error::io(&self.target, IoAction::Write, e.into_error()))?
                .file;
            file.sync_all()
                .map_err(|e| Error::io(&self.target, IoAction::Sync, e))?;
            self.identity = identity(&self.temp);
        }
        Ok(())
    }

    /// Refuses a target that appeared since the file was created (unless `force`),
    /// or that became a device, FIFO or socket.
    fn recheck(&self) -> Result<()> {
        if let Ok(m) = fs::symlink_metadata(&self.target) {
            check_regular(&self.target, &m)?;
            if !self.force {
                return Err(Error::OutputExists {
                    path: self.target.clone(),
                });
            }
        }
        Ok(())
    }

    /// Puts the finished temporary file at the target. Without `force`, by a hard
    /// link, which fails if the target exists, so that of two runs only one creates
    /// it (the temporary name goes in [`settle`](Self::settle)); where the file
    /// system has no hard links, by the rename after a re-check. With `force`, by
    /// the rename.
    fn place(&mut self) -> Result<()> {
        self.recheck()?;
        if !self.force {
            match fs::hard_link(&self.temp, &self.target) {
                Ok(()) => {
                    self.linked = true;
                    self.created = true;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(Error::OutputExists {
                        path: self.target.clone(),
                    })
                }
                // No hard links on this file system: the rename below, checked above.
                Err(_) => self.created = true,
            }
        }
        fs::rename(&self.temp, &self.target)
            .map_err(|e| Error::io(&self.target, IoAction::Rename, e))?;
        self.pending = false;
        self.registered = None;
        Ok(())
    }

    /// Once every file of its group is in place: removes the temporary name of a
    /// linked file and makes the new name durable.
    fn settle(&mut self) {
        if self.linked {
            let _ = fs::remove_file(&self.temp);
            self.linked = false;
            self.pending = false;
            self.registered = None;
        }
        sync_folder(folder_of(&self.target));
    }

    /// The group failed after this file was placed: removes the target if this file
    /// created it and it is still this file (never another run's).
    fn withdraw(&mut self) {
        if self.created && self.identity.is_some() && identity(&self.target) == self.identity {
            let _ = fs::remove_file(&self.target);
        }
        self.created = false;
        self.linked = false;
    }

    /// Flushes, syncs and puts the temporary file at the target (see
    /// [`AtomicGroup`] for how two concurrent runs are kept apart).
    ///
    /// # Errors
    /// [`Error::Io`] when a write, the sync or the rename fails;
    /// [`Error::OutputExists`] when the target appeared meanwhile and `force` is off;
    /// [`Error::OutputNotRegular`] when it became a device, FIFO or socket. In every
    /// case the temporary file is removed and the target left as it was.
    pub fn commit(mut self) -> Result<PathBuf> {
        self.finish()?;
        let _lock = FolderLocks::acquire([folder_of(&self.target)]);
        self.place()?;
        self.settle();
        Ok(std::mem::take(&mut self.target))
    }
}

/// The device and inode of a file (unix), to tell whether a path is still ours.
fn identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::symlink_metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Exclusive `flock(2)` locks on folders, held while a group's files are put in
/// place, so that the commits of two runs into one folder never interleave. Best
/// effort: a folder that cannot be opened or locked (or a system without `flock`)
/// goes unlocked. Released when dropped.
struct FolderLocks(#[allow(dead_code)] Vec<File>);

impl FolderLocks {
    fn acquire<'a>(folders: impl IntoIterator<Item = &'a Path>) -> FolderLocks {
        // One order for every process (canonical paths, sorted), so that two groups
        // locking the same folders cannot deadlock.
        let mut paths: Vec<PathBuf> = folders
            .into_iter()
            .map(|f| f.canonicalize().unwrap_or_else(|_| f.to_path_buf()))
            .collect();
        paths.sort();
        paths.dedup();
        let mut held = Vec::new();
        for path in paths {
            let Ok(dir) = File::open(&path) else { continue };
            #[cfg(unix)]
            {
                use std::os::unix::io::AsRawFd;
                // SAFETY: flock on a file descriptor we own and keep open for as long
                // as the lock is held; it touches no memory of ours.
                if unsafe { libc::flock(dir.as_raw_fd(), libc::LOCK_EX) } != 0 {
                    continue;
                }
            }
            held.push(dir);
        }
        FolderLocks(held)
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

/// A file being written whose bytes are handed to the disk as they come, a few
/// megabytes at a time (`sync_file_range`, Linux), so that the sync before the
/// rename waits only for the last of them instead of all of a large table.
#[derive(Debug)]
struct Writeback {
    file: File,
    /// Bytes written, and bytes whose writeback has been started.
    written: u64,
    started: u64,
}

impl Writeback {
    /// How many bytes are written between two writeback starts.
    const STEP: usize = 8 << 20;

    fn new(file: File) -> Self {
        Writeback {
            file,
            written: 0,
            started: 0,
        }
    }

    /// Starts the writeback of what was written since the last start, once that is
    /// a step's worth. Best effort: where the call is missing or fails, the sync
    /// does all the work, as it would anyway.
    fn start_writeback(&mut self) {
        if self.written - self.started < Self::STEP as u64 {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::io::AsRawFd;
            let (from, len) = (self.started as i64, (self.written - self.started) as i64);
            // SAFETY: a call on a file descriptor we own; it reads no memory of ours.
            let _ = unsafe {
                libc::sync_file_range(
                    self.file.as_raw_fd(),
                    from,
                    len,
                    libc::SYNC_FILE_RANGE_WRITE,
                )
            };
        }
        self.started = self.written;
    }
}

impl Write for Writeback {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(&buf[..buf.len().min(Self::STEP)])?;
        self.written += n as u64;
        self.start_writeback();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
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
        // The registration goes with the other fields, after the name.
    }
}

/// Several [`AtomicFile`]s committed together: renamed only when every one of them
/// was written and synced.
///
/// # What is never replaced
/// An input ([`WritePolicy::input`]), a folder, and anything that is not a regular
/// file: a device (`/dev/null`), a FIFO, a socket, or a symbolic link to one of them
/// ([`Error::OutputNotRegular`], even with `force`). A name too long for the file
/// system is refused by the checks, before any work ([`WritePolicy::check_target`]).
///
/// # Concurrent runs
/// Two processes (or threads) writing the same outputs at once:
/// * Without `force`, a target is created by a no-replace step: a hard link from the
///   temporary file to the target, which fails if the target exists (or, where the
///   file system has no hard links, a re-check and a rename). Of two runs, at most one
///   creates each target, and a group whose target was taken by another run is
///   withdrawn whole: the targets it had already created are removed, so a `.npy`
///   never ends beside the `.vocab.txt` of another run.
/// * With `force`, the commit of a group holds an exclusive `flock(2)` on each of its
///   folders (on unix), so the renames of two groups never interleave: the outputs
///   are all from one run (the last to commit).
///
/// ```
/// use std::io::Write;
/// use pretrained_vectors::write::{AtomicGroup, WritePolicy};
/// let dir = tempfile::tempdir()?;
/// let mut group = AtomicGroup::new(WritePolicy::new());
/// group.create(dir.path().join("a.txt"))?.write_all(b"a\n")?;
/// group.create(dir.path().join("b.txt"))?.write_all(b"b\n")?;
/// let written = group.commit()?;
/// assert_eq!(written.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AtomicGroup {
    policy: WritePolicy,
    files: Vec<AtomicFile>,
}

impl AtomicGroup {
    /// An empty group whose files follow `policy` (`force`, inputs).
    pub fn new(policy: WritePolicy) -> Self {
        AtomicGroup {
            policy,
            files: Vec::new(),
        }
    }

    /// The write policy of the group.
    pub fn policy(&self) -> &WritePolicy {
        &self.policy
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
        let file = AtomicFile::create(target, &self.policy)?;
        self.files.push(file);
        let last = self.files.len() - 1;
        Ok(&mut self.files[last])
    }

    /// The targets added so far.
    pub fn targets(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.target())
    }

    /// Writes out and syncs every file, then puts them all in place; returns the
    /// targets.
    ///
    /// No target is touched unless every file was written and synced (and, without
    /// `force`, none of the targets appeared meanwhile). Without `force`, a target
    /// that another run created meanwhile withdraws the whole group: the targets it
    /// had created are removed again, so a group never mixes two runs' files. With
    /// `force`, the group's folders are locked while its files are renamed, so that
    /// a concurrent group's renames cannot interleave (see [`AtomicGroup`]).
    /// A rename that fails outright (the folder removed under us) leaves the
    /// outputs renamed before it.
    ///
    /// # Errors
    /// As [`AtomicFile::commit`].
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        for f in &mut self.files {
            f.finish()?;
        }
        let _locks = FolderLocks::acquire(self.files.iter().map(|f| folder_of(&f.target)));
        for i in 0..self.files.len() {
            #[cfg(test)]
            tests::before_place(&self.files[i].target);
            if let Err(e) = self.files[i].place() {
                for f in &mut self.files[..i] {
                    f.withdraw();
                }
                return Err(e);
            }
        }
        for f in &mut self.files {
            f.settle();
        }
        Ok(self.files.iter().map(|f| f.target.clone()).collect())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::Path;
    use std::sync::Mutex;

    /// A test's stand-in for another run: called before each file of a group is
    /// put in place.
    type Hook = std::sync::Arc<dyn Fn(&Path) + Send + Sync>;
    pub(crate) static BEFORE_PLACE: Mutex<Option<Hook>> = Mutex::new(None);

    pub(super) fn before_place(target: &Path) {
        // Called without the lock held, so that a hook may start another commit.
        let hook = BEFORE_PLACE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(hook) = hook {
            hook(target);
        }
    }
}
