//! What a save is asked to do, in two parts: the [`Layout`] of a table's files (value
//! type, metadata, where the token list goes) and the atomic-write [`WritePolicy`]
//! (what may be replaced, what must not be touched), held together by [`SaveOptions`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::atomic::WritePolicy;
use super::Dtype;

/// How a table is laid out in its files: the value type, metadata for the formats
/// that have some, and where the token list of an npy or safetensors table goes.
///
/// ```
/// use pretrained_vectors::write::{Dtype, Layout};
/// let layout = Layout::new().dtype(Dtype::F16).metadata("vocabulary", "tokenizer.json");
/// assert_eq!(layout.get_dtype(), Dtype::F16);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Layout {
    dtype: Dtype,
    metadata: BTreeMap<String, String>,
    vocab_path: Option<PathBuf>,
    allow_non_finite: bool,
}

impl Layout {
    /// The defaults: `f32` values, no metadata of the caller's, the token list at
    /// [`default_vocab_path`](super::default_vocab_path).
    pub fn new() -> Self {
        Self::default()
    }

    /// The value type of npy and safetensors outputs (default [`Dtype::F32`]; the
    /// GloVe and word2vec formats hold `f32` only, and npy has no `bf16`).
    pub fn dtype(mut self, dtype: Dtype) -> Self {
        self.dtype = dtype;
        self
    }

    /// Adds `key: value` to the metadata of a safetensors output (other formats
    /// have none); a key the writer sets itself (see
    /// [`write_safetensors`](super::write_safetensors)) wins.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Where the token list of an npy or safetensors table goes (default: beside
    /// the table, see [`default_vocab_path`](super::default_vocab_path)).
    pub fn vocab_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.vocab_path = Some(path.into());
        self
    }

    /// Whether GloVe and word2vec outputs may hold NaN and infinities (default
    /// `false`: refused as [`Error::NonFiniteOutput`](crate::Error::NonFiniteOutput)
    /// before any file is created). When allowed, text writes them as `nan`, `inf`
    /// and `-inf`, as Python and NumPy do (gensim, NumPy and C's `strtof` read them
    /// back, and so does [`ReadOptions::allow_non_finite`](crate::ReadOptions::allow_non_finite));
    /// word2vec binary keeps their bits. npy and safetensors hold any value anyway.
    pub fn allow_non_finite(mut self, allow: bool) -> Self {
        self.allow_non_finite = allow;
        self
    }

    /// The value type.
    pub fn get_dtype(&self) -> Dtype {
        self.dtype
    }

    /// The caller's metadata.
    pub fn get_metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// Whether GloVe and word2vec outputs may hold NaN and infinities.
    pub fn get_allow_non_finite(&self) -> bool {
        self.allow_non_finite
    }

    /// Where the token list of the table at `table` goes: the path set with
    /// [`vocab_path`](Self::vocab_path), or
    /// [`default_vocab_path`](super::default_vocab_path)`(table)`.
    pub fn vocab_path_for(&self, table: &Path) -> PathBuf {
        self.vocab_path
            .clone()
            .unwrap_or_else(|| super::default_vocab_path(table))
    }
}

/// Everything a save needs, as its two independent parts: the table's [`Layout`]
/// and the atomic-write [`WritePolicy`]. The setters below fill in one part or the
/// other.
///
/// ```
/// use pretrained_vectors::write::{Dtype, SaveOptions};
/// let opts = SaveOptions::new().force(true).input("glove.6B.50d.txt").dtype(Dtype::F16);
/// assert!(opts.policy().is_force());
/// assert_eq!(opts.layout().get_dtype(), Dtype::F16);
/// ```
#[derive(Debug, Clone, Default)]
pub struct SaveOptions {
    policy: WritePolicy,
    layout: Layout,
}

impl SaveOptions {
    /// The defaults: refuse to overwrite, no inputs to protect, `f32` values, the
    /// token list beside the table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Policy: whether an existing output may be replaced ([`WritePolicy::force`]).
    pub fn force(mut self, force: bool) -> Self {
        self.policy = self.policy.force(force);
        self
    }

    /// Policy: an input that no output may replace ([`WritePolicy::input`]).
    pub fn input(mut self, path: impl Into<PathBuf>) -> Self {
        self.policy = self.policy.input(path);
        self
    }

    /// Layout: the value type ([`Layout::dtype`]).
    pub fn dtype(mut self, dtype: Dtype) -> Self {
        self.layout = self.layout.dtype(dtype);
        self
    }

    /// Layout: a metadata entry of a safetensors output ([`Layout::metadata`]).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.layout = self.layout.metadata(key, value);
        self
    }

    /// Layout: where the token list goes ([`Layout::vocab_path`]).
    pub fn vocab_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.layout = self.layout.vocab_path(path);
        self
    }

    /// Layout: whether GloVe and word2vec outputs may hold NaN and infinities
    /// ([`Layout::allow_non_finite`]).
    pub fn allow_non_finite(mut self, allow: bool) -> Self {
        self.layout = self.layout.allow_non_finite(allow);
        self
    }

    /// The atomic-write part.
    pub fn policy(&self) -> &WritePolicy {
        &self.policy
    }

    /// The layout part.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
}
