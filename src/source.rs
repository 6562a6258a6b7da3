//! The bytes of an input file: memory-mapped (or read) when uncompressed, streamed
//! block by block when gzip-compressed.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use flate2::bufread::GzDecoder;
use memmap2::Mmap;

use crate::error::{Error, IoAction, Position, Result};
use crate::format::is_gzip;

/// The largest ratio deflate can reach; bounds what a gzip file may claim to hold.
pub(crate) const MAX_DEFLATE_RATIO: u64 = 1032;

/// The bytes of an uncompressed file.
pub(crate) enum Bytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl Bytes {
    /// Lets the operating system take back the pages before `end` of a large map
    /// (a no-op for bytes read into memory, and for maps under 1 GiB, which are
    /// cheaper to keep than to unmap piecewise).
    pub(crate) fn release_before(&self, end: usize) {
        const WORTH_IT: usize = 1 << 30;
        if let Bytes::Mapped(map) = self {
            if map.len() >= WORTH_IT {
                crate::mmap::release_before(map, end);
            }
        }
    }
}

impl Bytes {
    /// Maps the pages of `range` in one call before they are read (cheaper than a
    /// fault per page run; a no-op where the system cannot).
    pub(crate) fn populate(&self, range: std::ops::Range<usize>) {
        #[cfg(target_os = "linux")]
        if let Bytes::Mapped(map) = self {
            let _ = map.advise_range(memmap2::Advice::PopulateRead, range.start, range.len());
        }
        #[cfg(not(target_os = "linux"))]
        let _ = range;
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// An opened input.
pub(crate) enum Input {
    /// An uncompressed file, all of it.
    Bytes(Bytes),
    /// A gzip file, not yet read.
    Gzip {
        reader: Box<dyn Read + Send>,
        compressed_len: u64,
    },
}

/// The whole of a small file (a vocabulary, a benchmark file) in memory; the error
/// names `path`.
pub(crate) fn read_whole(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, IoAction::Read, e))
}

/// Opens `path`, mapping it when it is not gzip-compressed and `map` allows it
/// (otherwise it is read into memory). The map is populated by its reader, which
/// knows what it will read and in what order ([`Bytes::populate`]).
pub(crate) fn open(path: &Path, map: bool) -> Result<Input> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, IoAction::Open, e))?;
    if meta.is_dir() {
        return Err(Error::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let mut file = File::open(path).map_err(|e| Error::io(path, IoAction::Open, e))?;
    let mapped = if !map {
        Err(io::Error::other("mapping not wanted"))
    } else {
        crate::mmap::map(&file)
    };
    let bytes = match mapped {
        Ok(map) if meta.is_file() => Bytes::Mapped(map),
        _ => {
            // Empty files, pipes and file systems that cannot map: read instead.
            let mut v = Vec::new();
            file.read_to_end(&mut v)
                .map_err(|e| Error::io(path, IoAction::Read, e))?;
            Bytes::Owned(v)
        }
    };
    if is_gzip(&bytes) {
        let compressed_len = bytes.len() as u64;
        let reader: Box<dyn Read + Send> = match bytes {
            Bytes::Mapped(map) => {
                drop(map);
                Box::new(File::open(path).map_err(|e| Error::io(path, IoAction::Open, e))?)
            }
            Bytes::Owned(v) => Box::new(io::Cursor::new(v)),
        };
        return Ok(Input::Gzip {
            reader,
            compressed_len,
        });
    }
    Ok(Input::Bytes(bytes))
}

/// Decompressed blocks of a gzip file, produced on their own thread so that
/// decompression overlaps parsing.
pub(crate) struct GzBlocks {
    rx: Receiver<Msg>,
    worker: Option<JoinHandle<()>>,
    pub path: PathBuf,
    /// Decompressed bytes handed out so far.
    pub offset: u64,
    limit: u64,
    compressed_len: u64,
}

/// What the decompressing thread sends.
enum Msg {
    Block(Vec<u8>),
    /// The stream failed after the blocks sent before.
    Failed(io::Error),
    /// A complete stream ended at compressed byte `at`, and bytes that are not a
    /// gzip member follow.
    Trailing {
        at: u64,
    },
}

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

/// Decompresses every member of a gzip stream (as `zcat` does) into blocks of
/// `block` bytes; a member boundary ends a block early. Bytes after the last
/// member that do not start another one are reported, not decoded.
fn decompress(reader: Box<dyn Read + Send>, block: usize, tx: &SyncSender<Msg>) {
    let mut input = BufReader::with_capacity(
        1 << 16,
        Counted {
            inner: reader,
            n: 0,
        },
    );
    loop {
        let mut member = GzDecoder::new(&mut input);
        loop {
            let mut buf = Vec::with_capacity(block);
            // `read_to_end` keeps what it decoded before an error, so the blocks
            // sent before the failure end exactly where the stream broke.
            let res = (&mut member).take(block as u64).read_to_end(&mut buf);
            if !buf.is_empty() && tx.send(Msg::Block(buf)).is_err() {
                return; // the reader stopped early
            }
            match res {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    let _ = tx.send(Msg::Failed(e));
                    return;
                }
            }
        }
        match input
            .fill_buf()
            .map(|rest| (rest.first().copied(), rest.len()))
        {
            Ok((None, _)) => return,
            // Another member (its header is checked when it is decoded).
            Ok((Some(0x1f), _)) => continue,
            Ok((Some(_), left)) => {
                let at = input.get_ref().n - left as u64;
                let _ = tx.send(Msg::Trailing { at });
                return;
            }
            Err(e) => {
                let _ = tx.send(Msg::Failed(e));
                return;
            }
        }
    }
}

impl GzBlocks {
    /// Starts decompressing `reader` (a gzip file of `compressed_len` bytes) into
    /// blocks of `block` bytes.
    pub(crate) fn start(
        path: &Path,
        reader: Box<dyn Read + Send>,
        compressed_len: u64,
        limit: u64,
        block: usize,
    ) -> Self {
        let (tx, rx) = sync_channel(4);
        let block = block.max(1);
        let worker = std::thread::spawn(move || decompress(reader, block, &tx));
        GzBlocks {
            rx,
            worker: Some(worker),
            path: path.to_path_buf(),
            offset: 0,
            limit,
            compressed_len,
        }
    }

    /// The next block, `None` at the end of the stream.
    pub(crate) fn next_block(&mut self) -> Result<Option<Vec<u8>>> {
        match self.rx.recv() {
            Err(_) => Ok(None),
            Ok(Msg::Failed(e)) => Err(Error::Gzip {
                path: self.path.clone(),
                pos: Position::byte(self.offset),
                message: e.to_string(),
            }),
            Ok(Msg::Trailing { at }) => Err(Error::GzipTrailing {
                path: self.path.clone(),
                pos: Position::byte(self.offset),
                at,
                count: self.compressed_len.saturating_sub(at),
            }),
            Ok(Msg::Block(block)) => {
                self.offset += block.len() as u64;
                if self.offset > self.limit {
                    return Err(Error::TooLarge {
                        path: self.path.clone(),
                        pos: Position::byte(self.offset),
                        what: "decompressed size",
                        limit: self.limit,
                    });
                }
                Ok(Some(block))
            }
        }
    }

    /// Appends blocks to `buf` until it holds at least `want` bytes or the stream
    /// ends; returns whether the stream ended.
    pub(crate) fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> Result<bool> {
        while buf.len() < want {
            match self.next_block()? {
                Some(b) if buf.is_empty() => *buf = b,
                Some(b) => buf.extend_from_slice(&b),
                None => return Ok(true),
            }
        }
        Ok(false)
    }
}

impl Drop for GzBlocks {
    fn drop(&mut self) {
        // Unblock and end the worker: replace the receiver so the sender sees a
        // closed channel, then wait for it.
        let (_tx, rx) = sync_channel(0);
        drop(std::mem::replace(&mut self.rx, rx));
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}
