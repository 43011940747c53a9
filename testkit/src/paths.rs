//! The workspace's folders, and words of a command line.

use std::path::{Path, PathBuf};

/// The workspace root (the folder of the top `Cargo.toml`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit/ has a parent")
        .to_path_buf()
}

/// `word` quoted for a POSIX shell, as `adapter_host`'s command lines
/// split it: in single quotes, a quote inside written `'\''`.
pub fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_holds_the_workspace_manifest() {
        assert!(repo_root().join("Cargo.toml").is_file());
        assert!(repo_root().join("testkit").is_dir());
    }

    #[test]
    fn a_quote_inside_a_word_is_kept() {
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
