//! Hugging Face vocabularies: `tokenizer.json` (WordLevel, WordPiece, BPE and
//! Unigram models, with `added_tokens`), `vocab.json` (GPT-2, RoBERTa) and BERT's
//! `vocab.txt`; and the id maps of Keras 3 (`{"": 0, "[UNK]": 1, ...}`).
//!
//! Row `i` is always the token of id `i`: the model's vocabulary and the added
//! tokens together must hold each id from 0 up exactly once. The padding token is
//! the padding row (zeros), the unknown token the OOV row, other special tokens
//! special rows ([`Vocab::specials`]); pieces are looked up by their word form
//! ([`PieceKind`]). Read them with [`Vocab::from_bytes`].
//!
//! ```
//! use pretrained_vectors::vocab::{PieceKind, VocabKind, VocabOptions};
//! use pretrained_vectors::Vocab;
//! use std::path::Path;
//! let json = br###"{"added_tokens": [{"id": 0, "content": "[PAD]", "special": true},
//!                                     {"id": 1, "content": "[UNK]", "special": true},
//!                                     {"id": 2, "content": "[CLS]", "special": true}],
//!   "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
//!             "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "play": 3, "##ing": 4}}}"###;
//! let v = Vocab::from_bytes(Path::new("tokenizer.json"), json, &VocabOptions::new())?;
//! assert_eq!(v.get_kind(), Some(VocabKind::HfTokenizer));
//! assert_eq!((v.get_padding(), v.get_oov(), v.get_specials()), (Some(0), Some(1), &[2][..]));
//! assert_eq!((v.piece_kind(4), v.lookup_form(4)), (PieceKind::Continuation, Some("ing")));
//! # Ok::<(), pretrained_vectors::Error>(())
//! ```

mod pieces;

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

pub use pieces::PieceKind;
pub(crate) use pieces::{classify, is_byte_level, Markers};

use super::detect::VocabOptions;
use super::keras::entry_key;
use super::{TokenFault, TokenListOptions, Vocab};
use crate::error::{Error, JsonExpected, JsonFault, Result};

/// A [`JsonFault::WrongValue`] at `key`: `found` is not what `expected` says.
fn shape(path: &Path, key: String, expected: JsonExpected, found: &Value) -> Error {
    Error::json_shape(path, key, JsonFault::wrong_value(expected, found))
}

/// Marks the rows of the tokens `options` name as padding and OOV.
pub(crate) fn reserve_by_name(mut vocab: Vocab, options: &TokenListOptions) -> Result<Vocab> {
    if let Some(row) = options.get_padding().and_then(|t| vocab.get(t)) {
        vocab = vocab.padding(row)?;
    }
    if let Some(row) = options.get_oov().and_then(|t| vocab.get(t)) {
        if vocab.get_padding() != Some(row) {
            vocab = vocab.oov(row)?;
        }
    }
    Ok(vocab)
}

/// Rows from `(token, id, key)` entries: each id from 0 up exactly once, each
/// token once. `key` names the entry in errors.
pub(crate) fn rows_from_ids(
    path: &Path,
    entries: Vec<(String, i64, String)>,
) -> Result<Vec<String>> {
    let n = entries.len();
    let mut rows: Vec<Option<String>> = vec![None; n];
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(n);
    for (i, (token, id, key)) in entries.iter().enumerate() {
        let slot = usize::try_from(*id).ok().filter(|&s| s < n);
        let Some(slot) = slot else {
            return Err(Error::json_shape(
                path,
                key.clone(),
                JsonFault::IdOutOfRange { id: *id, tokens: n },
            ));
        };
        if let Some(fault) = TokenFault::at_row(slot, token) {
            return Err(Error::json_shape(
                path,
                key.clone(),
                JsonFault::BadToken {
                    token: token.clone(),
                    id: *id,
                    fault,
                },
            ));
        }
        if let Some(&first) = seen.get(token.as_str()) {
            return Err(Error::json_shape(
                path,
                key.clone(),
                JsonFault::DuplicateToken {
                    token: token.clone(),
                    first: entries[first].2.clone(),
                },
            ));
        }
        seen.insert(token, i);
        if let Some(other) = &rows[slot] {
            return Err(Error::json_shape(
                path,
                key.clone(),
                JsonFault::DuplicateId {
                    id: *id,
                    token: other.clone(),
                },
            ));
        }
        rows[slot] = Some(token.clone());
    }
    // n entries, n slots, no id twice: every slot is filled.
    Ok(rows
        .into_iter()
        .map(|r| r.expect("a permutation"))
        .collect())
}

/// The entries of a token -> id object; `prefix` names it in errors.
fn id_entries(
    path: &Path,
    prefix: &str,
    map: &Map<String, Value>,
) -> Result<Vec<(String, i64, String)>> {
    map.iter()
        .map(|(token, id)| {
            let key = entry_key(prefix, token);
            match id.as_i64() {
                Some(i) => Ok((token.clone(), i, key)),
                None => Err(shape(path, key, JsonExpected::IntegerId, id)),
            }
        })
        .collect()
}

/// A token -> id object (Keras 3's `word_index`, a `vocab.json`). With `pieces`,
/// a byte-level vocabulary (GPT-2's) gets its piece kinds, and the usual special
/// names (`<|endoftext|>`, `<s>`, `</s>`, `<mask>`...) are special rows.
pub(crate) fn id_map(
    root: &Value,
    path: &Path,
    prefix: &str,
    pieces: bool,
    options: &TokenListOptions,
) -> Result<Vocab> {
    let Value::Object(map) = root else {
        return Err(shape(path, "$".into(), JsonExpected::IdObject, root));
    };
    let tokens = rows_from_ids(path, id_entries(path, prefix, map)?)?;
    let mut options = options.clone();
    if pieces {
        if options.get_padding().is_none() && map.contains_key("<pad>") {
            options = options.padding("<pad>");
        }
        if options.get_oov().is_none() && map.contains_key("<unk>") {
            options = options.oov("<unk>");
        }
    }
    let mut vocab = reserve_by_name(Vocab::build(path, tokens, None)?, &options)?;
    if pieces {
        let specials: Vec<usize> = (0..vocab.len())
            .filter(|&r| is_special_name(&vocab.tokens()[r]))
            .collect();
        vocab = vocab.specials(specials)?;
        let byte_level = vocab.tokens().iter().any(|t| t.starts_with('Ġ'))
            && (0..vocab.len())
                .filter(|&r| !vocab.is_reserved(r))
                .all(|r| is_byte_level(&vocab.tokens()[r]));
        let markers = Markers {
            byte_level,
            ..Markers::default()
        };
        vocab = with_piece_kinds(vocab, &markers, |_| false)?;
    }
    Ok(vocab)
}

/// Special token names of vocab.json files without a tokenizer.json.
fn is_special_name(t: &str) -> bool {
    (t.starts_with("<|") && t.ends_with("|>") && t.len() > 4)
        || matches!(t, "<s>" | "</s>" | "<pad>" | "<unk>" | "<mask>")
}

/// BERT's `[CLS]`, `[SEP]`, `[MASK]`, `[unused0]`...: a bracketed ASCII name.
fn is_bert_special(t: &str) -> bool {
    t.len() > 2
        && t.starts_with('[')
        && t.ends_with(']')
        && t[1..t.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Piece kinds for every row: reserved rows are [`PieceKind::Special`], rows for
/// which `as_is` holds are words looked up as they are, the others classified by
/// the markers.
fn with_piece_kinds(
    vocab: Vocab,
    markers: &Markers,
    as_is: impl Fn(usize) -> bool,
) -> Result<Vocab> {
    let (kinds, forms) = (0..vocab.len())
        .map(|r| {
            if vocab.is_reserved(r) {
                (PieceKind::Special, Some("".into()))
            } else if as_is(r) {
                (PieceKind::Word, None)
            } else {
                classify(&vocab.tokens()[r], markers)
            }
        })
        .unzip();
    vocab.pieces(kinds, forms)
}

/// BERT's `vocab.txt`, read as a token list (`[PAD]` and `[UNK]` reserved by
/// name): bracketed names are special rows, `##` pieces continuations.
pub(crate) fn bert_vocab(vocab: Vocab) -> Result<Vocab> {
    let specials: Vec<usize> = (0..vocab.len())
        .filter(|&r| is_bert_special(&vocab.tokens()[r]))
        .collect();
    let vocab = vocab.specials(specials)?;
    let markers = Markers {
        continuing_prefix: Some("##".into()),
        ..Markers::default()
    };
    with_piece_kinds(vocab, &markers, |_| false)
}

/// Whether `v` (a `pre_tokenizer`, `decoder` or `normalizer`) or one of its parts
/// has `"type": ty`; returns that part.
fn find_type<'a>(v: &'a Value, ty: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => {
            if m.get("type").and_then(Value::as_str) == Some(ty) {
                return Some(v);
            }
            m.values().find_map(|x| find_type(x, ty))
        }
        Value::Array(a) => a.iter().find_map(|x| find_type(x, ty)),
        _ => None,
    }
}

/// The metaspace character of a tokenizer: a `Metaspace` pre-tokenizer or decoder,
/// or a normalizer that replaces spaces by `▁` (Llama's layout).
fn metaspace(root: &Value) -> Option<char> {
    for part in ["pre_tokenizer", "decoder"] {
        if let Some(m) = root.get(part).and_then(|p| find_type(p, "Metaspace")) {
            let c = m
                .get("replacement")
                .and_then(Value::as_str)
                .and_then(|s| s.chars().next());
            return Some(c.unwrap_or('▁'));
        }
    }
    let norm = root.get("normalizer")?;
    let replace = find_type(norm, "Replace")?;
    let content = replace.get("content").and_then(Value::as_str)?;
    content
        .chars()
        .next()
        .filter(|_| content.chars().count() == 1)
}

/// A string of `map[name]`, `None` for absent or null.
fn opt_str<'a>(
    path: &Path,
    map: &'a Map<String, Value>,
    prefix: &str,
    name: &str,
) -> Result<Option<&'a str>> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(shape(
            path,
            format!("{prefix}{name}"),
            JsonExpected::StringOrNull,
            v,
        )),
    }
}

/// A `tokenizer.json`: the model's vocabulary and the added tokens.
pub(crate) fn tokenizer_json(root: &Value, path: &Path, options: &VocabOptions) -> Result<Vocab> {
    let model = match root.get("model") {
        Some(Value::Object(model)) => model,
        Some(other) => {
            return Err(shape(
                path,
                "model".into(),
                JsonExpected::TokenizerModel,
                other,
            ))
        }
        None => {
            return Err(Error::json_shape(
                path,
                "model",
                JsonFault::Missing {
                    expected: JsonExpected::TokenizerModel,
                },
            ))
        }
    };
    let vocab_value = model.get("vocab").unwrap_or(&Value::Null);
    let ty = match opt_str(path, model, "model.", "type")? {
        Some(t) => t,
        None if vocab_value.is_array() => "Unigram",
        None if model.contains_key("merges") => "BPE",
        None if model.contains_key("continuing_subword_prefix") => "WordPiece",
        None => "WordLevel",
    };
    let mut entries = Vec::new();
    match (ty, vocab_value) {
        ("Unigram", Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let token = item.get(0).and_then(Value::as_str);
                let score = item.get(1).is_some_and(Value::is_number);
                match (token, score, item.as_array().map(Vec::len)) {
                    (Some(t), true, Some(2)) => {
                        entries.push((t.to_string(), i as i64, format!("model.vocab[{i}]")))
                    }
                    _ => {
                        return Err(shape(
                            path,
                            format!("model.vocab[{i}]"),
                            JsonExpected::UnigramPair,
                            item,
                        ))
                    }
                }
            }
        }
        ("WordLevel" | "WordPiece" | "BPE", Value::Object(map)) => {
            entries = id_entries(path, "model.vocab", map)?;
        }
        ("Unigram", other) => {
            return Err(shape(
                path,
                "model.vocab".into(),
                JsonExpected::UnigramPairs,
                other,
            ))
        }
        ("WordLevel" | "WordPiece" | "BPE", other) => {
            return Err(shape(
                path,
                "model.vocab".into(),
                JsonExpected::IdObject,
                other,
            ))
        }
        (_, _) => {
            return Err(Error::json_shape(
                path,
                "model.type",
                JsonFault::UnknownModelType { found: ty.into() },
            ))
        }
    }
    let model_rows = entries.len();
    // Added tokens: a token of the model keeps its id; others come after.
    let mut special_added: Vec<String> = Vec::new();
    let mut plain_added: Vec<String> = Vec::new();
    let in_model: HashMap<&str, i64> = entries.iter().map(|(t, i, _)| (t.as_str(), *i)).collect();
    let mut extra = Vec::new();
    match root.get("added_tokens") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let key = format!("added_tokens[{i}]");
                let content = item.get("content").and_then(Value::as_str);
                let id = item.get("id").and_then(Value::as_i64);
                let (Some(content), Some(id)) = (content, id) else {
                    return Err(shape(path, key, JsonExpected::AddedToken, item));
                };
                match in_model.get(content) {
                    Some(&mid) if mid == id => {}
                    Some(&mid) => {
                        return Err(Error::json_shape(
                            path,
                            format!("{key}.id"),
                            JsonFault::AddedTokenId {
                                token: content.into(),
                                id,
                                model_id: mid,
                            },
                        ))
                    }
                    None => extra.push((content.to_string(), id, key)),
                }
                if item
                    .get("special")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                {
                    special_added.push(content.to_string());
                } else {
                    plain_added.push(content.to_string());
                }
            }
        }
        Some(other) => {
            return Err(shape(
                path,
                "added_tokens".into(),
                JsonExpected::AddedTokens,
                other,
            ))
        }
    }
    entries.extend(extra);
    let tokens = rows_from_ids(path, entries)?;

    // Reserved rows: the options' names, else the file's.
    let unk = match ty {
        "Unigram" => match model.get("unk_id") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let Some(id) = v.as_i64() else {
                    return Err(shape(
                        path,
                        "model.unk_id".into(),
                        JsonExpected::IntegerId,
                        v,
                    ));
                };
                match usize::try_from(id).ok().and_then(|i| tokens.get(i)) {
                    Some(t) => Some(t.as_str()),
                    None => {
                        return Err(Error::json_shape(
                            path,
                            "model.unk_id",
                            JsonFault::IdOutOfRange {
                                id,
                                tokens: tokens.len(),
                            },
                        ))
                    }
                }
            }
        },
        _ => opt_str(path, model, "model.", "unk_token")?,
    };
    let pad_section = match root.get("padding") {
        Some(Value::Object(p)) => opt_str(path, p, "padding.", "pad_token")?,
        _ => None,
    };
    let has = |t: &str| tokens.iter().any(|x| x == t);
    let pad = options
        .get_padding()
        .or(pad_section)
        .or(["[PAD]", "<pad>"].into_iter().find(|t| has(t)));
    let oov = options.get_oov().or(unk);
    let mut names = TokenListOptions::new();
    if let Some(p) = pad {
        names = names.padding(p);
    }
    if let Some(u) = oov {
        names = names.oov(u);
    }
    let mut vocab = reserve_by_name(Vocab::build(path, tokens, None)?, &names)?;
    let specials: Vec<usize> = special_added.iter().filter_map(|t| vocab.get(t)).collect();
    vocab = vocab.specials(specials)?;

    let byte_level = ["pre_tokenizer", "decoder"].iter().any(|p| {
        root.get(*p)
            .and_then(|v| find_type(v, "ByteLevel"))
            .is_some()
    });
    let default_prefix = (ty == "WordPiece").then(|| "##".to_string());
    let markers = Markers {
        continuing_prefix: opt_str(path, model, "model.", "continuing_subword_prefix")?
            .map(str::to_string)
            .or(default_prefix),
        end_suffix: opt_str(path, model, "model.", "end_of_word_suffix")?.map(str::to_string),
        byte_level,
        metaspace: if byte_level { None } else { metaspace(root) },
        byte_fallback: model
            .get("byte_fallback")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let plain: Vec<usize> = plain_added.iter().filter_map(|t| vocab.get(t)).collect();
    // Added tokens past the model are matched as written; so are those in it.
    with_piece_kinds(vocab, &markers, |r| r >= model_rows || plain.contains(&r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::JsonKind;

    fn read(json: &str) -> Result<Vocab> {
        let root: Value = serde_json::from_str(json).unwrap();
        tokenizer_json(&root, Path::new("tokenizer.json"), &VocabOptions::new())
    }

    /// The key and the fault of a [`Error::JsonShape`].
    fn shape_of(json: &str) -> (String, JsonFault) {
        match read(json).unwrap_err() {
            Error::JsonShape { key, fault, .. } => (key, *fault),
            other => panic!("{json}: expected JsonShape, got {other}"),
        }
    }

    #[test]
    fn ids_must_cover_every_row_once() {
        let gap = shape_of(r#"{"model": {"type": "WordLevel", "vocab": {"a": 0, "b": 2}}}"#);
        let range = |id| JsonFault::IdOutOfRange { id, tokens: 2 };
        assert_eq!(gap, (r#"model.vocab["b"]"#.into(), range(2)));
        let twice = shape_of(r#"{"model": {"type": "WordLevel", "vocab": {"a": 0, "b": 0}}}"#);
        let first = |token: &str| JsonFault::DuplicateId {
            id: 0,
            token: token.into(),
        };
        // The map is read in key order: "b" meets the id "a" took.
        assert_eq!(twice, (r#"model.vocab["b"]"#.into(), first("a")));
        let negative = shape_of(r#"{"model": {"type": "WordLevel", "vocab": {"a": 0, "b": -1}}}"#);
        assert_eq!(negative.1, range(-1));
        let float = shape_of(r#"{"model": {"type": "WordLevel", "vocab": {"a": 0, "b": 1e300}}}"#);
        assert!(
            matches!(
                float.1,
                JsonFault::WrongValue {
                    expected: JsonExpected::IntegerId,
                    found: JsonKind::Number,
                    value: Some(_),
                }
            ),
            "{float:?}"
        );
        let pair = shape_of(r#"{"model": {"type": "Unigram", "vocab": [["a", 0.0], ["b"]]}}"#);
        assert_eq!(
            pair,
            (
                "model.vocab[1]".into(),
                JsonFault::WrongValue {
                    expected: JsonExpected::UnigramPair,
                    found: JsonKind::Array,
                    value: None,
                }
            )
        );
        let again =
            shape_of(r#"{"model": {"type": "Unigram", "vocab": [["a", 0.0], ["a", 1.0]]}}"#);
        assert_eq!(
            again,
            (
                "model.vocab[1]".into(),
                JsonFault::DuplicateToken {
                    token: "a".into(),
                    first: "model.vocab[0]".into(),
                }
            )
        );
        let ty = shape_of(r#"{"model": {"type": "Wordy", "vocab": {}}}"#);
        assert_eq!(
            ty,
            (
                "model.type".into(),
                JsonFault::UnknownModelType {
                    found: "Wordy".into()
                }
            )
        );
        let model = shape_of(r#"{"added_tokens": []}"#);
        assert_eq!(
            model,
            (
                "model".into(),
                JsonFault::Missing {
                    expected: JsonExpected::TokenizerModel
                }
            )
        );
    }

    #[test]
    fn the_empty_token_is_keras_3_padding_only_at_id_0() {
        let (key, fault) =
            shape_of(r#"{"model": {"type": "WordLevel", "vocab": {"a": 0, "": 1}}}"#);
        assert_eq!(
            (key.as_str(), fault),
            (
                r#"model.vocab[""]"#,
                JsonFault::BadToken {
                    token: "".into(),
                    id: 1,
                    fault: TokenFault::Empty,
                }
            )
        );
        let v = read(r#"{"model": {"type": "WordLevel", "vocab": {"a": 1, "": 0}}}"#).unwrap();
        assert_eq!(v.tokens(), ["", "a"]);
    }

    #[test]
    fn unk_id_names_a_token() {
        let unigram = |unk: &str| {
            format!(r#"{{"model": {{"type": "Unigram", "unk_id": {unk}, "vocab": [["a", 0.0]]}}}}"#)
        };
        assert_eq!(
            shape_of(&unigram("3")),
            (
                "model.unk_id".into(),
                JsonFault::IdOutOfRange { id: 3, tokens: 1 }
            )
        );
        assert_eq!(
            shape_of(&unigram("\"a\"")).1,
            JsonFault::WrongValue {
                expected: JsonExpected::IntegerId,
                found: JsonKind::String,
                value: Some("\"a\"".into()),
            }
        );
    }

    #[test]
    fn added_tokens_extend_the_model_or_agree_with_it() {
        let v = read(
            r#"{"added_tokens": [{"id": 2, "content": "<new>", "special": false},
                                 {"id": 3, "content": "<s>", "special": true}],
                "model": {"type": "BPE", "unk_token": null, "vocab": {"a": 0, "b": 1}, "merges": []}}"#,
        )
        .unwrap();
        assert_eq!(v.tokens(), ["a", "b", "<new>", "<s>"]);
        assert_eq!(
            (v.get_specials(), v.piece_kind(2), v.piece_kind(3)),
            (&[3][..], PieceKind::Word, PieceKind::Special)
        );
        let moved = shape_of(
            r#"{"added_tokens": [{"id": 1, "content": "a", "special": true}],
                "model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": []}}"#,
        );
        assert_eq!(
            moved,
            (
                "added_tokens[0].id".into(),
                JsonFault::AddedTokenId {
                    token: "a".into(),
                    id: 1,
                    model_id: 0,
                }
            )
        );
    }

    #[test]
    fn unigram_unk_id_and_metaspace() {
        let v = read(
            r#"{"pre_tokenizer": {"type": "Metaspace", "replacement": "▁"},
                "model": {"type": "Unigram", "unk_id": 1, "byte_fallback": true,
                          "vocab": [["<pad>", 0.0], ["<unk>", 0.0], ["▁the", -1.0], ["s", -2.0], ["<0x0A>", -3.0]]}}"#,
        )
        .unwrap();
        assert_eq!((v.get_padding(), v.get_oov()), (Some(0), Some(1)));
        assert_eq!(
            (v.piece_kind(2), v.lookup_form(2)),
            (PieceKind::WordStart, Some("the"))
        );
        assert_eq!(
            (v.piece_kind(3), v.lookup_form(3)),
            (PieceKind::Continuation, Some("s"))
        );
        assert_eq!(
            (v.piece_kind(4), v.lookup_form(4)),
            (PieceKind::Bytes, None)
        );
        assert_eq!(v.lookup_form(0), None);
    }

    #[test]
    fn gpt2_vocab_json_is_byte_level() {
        let root: Value = serde_json::from_str(
            r#"{"!": 0, "Ġthe": 1, "ing": 2, "<|endoftext|>": 3, "ĠcafÃ©": 4}"#,
        )
        .unwrap();
        let v = id_map(
            &root,
            Path::new("vocab.json"),
            "",
            true,
            &TokenListOptions::new(),
        )
        .unwrap();
        assert_eq!(v.get_specials(), [3]);
        assert_eq!(v.lookup_form(1), Some("the"));
        assert_eq!(v.lookup_form(4), Some("café"));
        assert_eq!(v.piece_kind(2), PieceKind::Continuation);
    }

    #[test]
    fn bert_specials() {
        assert!(is_bert_special("[CLS]") && is_bert_special("[unused12]"));
        assert!(!is_bert_special("[") && !is_bert_special("[]") && !is_bert_special("[a b]"));
    }
}
