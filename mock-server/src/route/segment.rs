//! The values of path segments: percent-decoded text, header values,
//! numbers, sizes, hex bytes, close codes, drop modes; each refused with
//! a [`PathError`] saying what and why.

use percent_encoding::percent_decode_str;

use super::PathError;
use crate::action::{DropMode, MAX_GENERATED_BYTES};

pub(super) fn decode(what: &str, s: &str) -> Result<String, PathError> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|e| PathError::Invalid {
            what: what.to_owned(),
            value: s.to_owned(),
            why: format!("not UTF-8 after percent-decoding: {e}"),
        })
}

/// A percent-decoded value that goes into a response header: no control
/// characters, so a path cannot add header lines of its own.
pub(super) fn header_value(what: &str, s: &str) -> Result<String, PathError> {
    let value = decode(what, s)?;
    if value.chars().any(char::is_control) {
        return Err(PathError::Invalid {
            what: what.to_owned(),
            value: s.to_owned(),
            why: "a header value cannot hold control characters".into(),
        });
    }
    Ok(value)
}

pub(super) fn number<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, PathError>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| PathError::Invalid {
        what: what.to_owned(),
        value: s.to_owned(),
        why: e.to_string(),
    })
}

pub(super) fn size(what: &str, s: &str) -> Result<usize, PathError> {
    let n: usize = number(what, s)?;
    if n > MAX_GENERATED_BYTES {
        return Err(PathError::Invalid {
            what: what.to_owned(),
            value: s.to_owned(),
            why: format!("larger than {MAX_GENERATED_BYTES}"),
        });
    }
    Ok(n)
}

pub(super) fn hex(what: &str, s: &str) -> Result<Vec<u8>, PathError> {
    let bad = |why: &str| PathError::Invalid {
        what: what.to_owned(),
        value: s.to_owned(),
        why: why.to_owned(),
    };
    if s.len() % 2 != 0 {
        return Err(bad("odd number of hex digits"));
    }
    // Checked first so that the byte slicing below stays on character
    // boundaries (found by fuzzing: `0é0` panicked), and so that a sign,
    // which `from_str_radix` accepts, is refused.
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("not hex"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| bad("not hex")))
        .collect()
}

pub(super) fn close_code(s: &str) -> Result<Option<u16>, PathError> {
    if s == "none" {
        return Ok(None);
    }
    number::<u16>("close code", s).map(Some)
}

pub(super) fn drop_mode(s: &str) -> Result<DropMode, PathError> {
    match s {
        "fin" => Ok(DropMode::Fin),
        "rst" => Ok(DropMode::Rst),
        _ => Err(PathError::Invalid {
            what: "drop mode".into(),
            value: s.into(),
            why: "expected fin or rst".into(),
        }),
    }
}
