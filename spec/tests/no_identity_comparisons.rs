//! No Rust source outside the `spec` crate asks which face or profile it
//! has: behaviour follows from a face's or profile's fields, so that a new
//! face or profile is new data in `spec`, not a branch to find elsewhere.
//!
//! The check reads every `.rs` file of the repository (outside `spec/`,
//! `target/` and `node_modules/`) line by line, comments left out, and
//! flags:
//!
//! - `==`, `!=`, a match arm (`=>`, `matches!`) or a condition (`if`,
//!   `&&`, `||`: a helper such as `serves(Profile::WECHAT)`) on a line
//!   that names a face or profile constant (`Face::WX`, `Profile::WECHAT`,
//!   …);
//! - `==` or `!=` beside a quoted profile name (`"wechat"`), or beside a
//!   quoted face name on a line that reads a `name`;
//! - the old enum's variants (`Api::Wx`, `Api::My`).
//!
//! Naming a face or profile to run under (`with_profile(Profile::WECHAT)`)
//! or iterating over all of them is fine, and so is comparing two faces
//! read from elsewhere (the adapter's against the profile's).

use std::path::{Path, PathBuf};

use spec::{Face, Profile};

/// The lines of `text` (1-based numbers) that compare a face or profile by
/// identity, each with its text.
fn identity_comparisons(text: &str) -> Vec<(usize, String)> {
    let profile_names: Vec<String> = Profile::ALL
        .iter()
        .map(|p| format!("\"{}\"", p.name))
        .collect();
    let face_names: Vec<String> = Face::ALL
        .iter()
        .map(|f| format!("\"{}\"", f.name))
        .collect();
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let compares = code.contains("==") || code.contains("!=");
        let branches = code.contains("=>")
            || code.contains("matches!")
            || code.contains("if ")
            || code.contains("&&")
            || code.contains("||");
        let names_constant = names_constant(code, "Face::") || names_constant(code, "Profile::");
        let names_profile = profile_names.iter().any(|n| code.contains(n.as_str()));
        let reads_name = code.contains(".name") || code.contains("name()");
        let names_face = face_names.iter().any(|n| code.contains(n.as_str()));
        let flagged = (names_constant && (compares || branches))
            || (compares && names_profile)
            || (compares && reads_name && names_face)
            || code.contains("Api::Wx")
            || code.contains("Api::My");
        if flagged {
            out.push((index + 1, line.trim().to_string()));
        }
    }
    out
}

/// Whether `code` names a constant of `prefix` (`Face::WX`, not
/// `Face::ALL`, `Face::named` or `Face::default`).
fn names_constant(code: &str, prefix: &str) -> bool {
    code.match_indices(prefix).any(|(at, _)| {
        let rest = &code[at + prefix.len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        name.starts_with(|c: char| c.is_ascii_uppercase()) && name != "ALL"
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_source_outside_spec_compares_a_face_or_profile_by_identity() {
    let spec_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = spec_dir.parent().expect("spec/ sits in the repository");
    let mut files = Vec::new();
    rust_files(root, &mut files);
    files.retain(|f| !f.starts_with(spec_dir));
    assert!(
        files.len() > 50,
        "found only {} Rust files under {}",
        files.len(),
        root.display()
    );
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (line, code) in identity_comparisons(&text) {
            let path = file.strip_prefix(root).unwrap_or(file);
            found.push(format!("{}:{line}: {code}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "face or profile compared by identity outside spec (ask a field of spec's Face or \
         Profile instead, adding one if none fits):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_flags_comparisons_and_branches_not_names() {
    let flagged = |text: &str| !identity_comparisons(text).is_empty();
    assert!(flagged("if profile == Profile::WECHAT {"));
    assert!(flagged(
        "    Profile::ALIPAY_CURRENT | Profile::WECHAT => 2,"
    ));
    assert!(flagged("let wx = cx.face != Face::WX;"));
    assert!(flagged("matches!(face, Face::MY)"));
    assert!(flagged("if profile.name() == \"wechat\" {"));
    assert!(flagged("if face.name == \"wx\" {"));
    assert!(flagged("if api == Api::Wx {"));
    assert!(flagged("if self.serves(Profile::ALIPAY_2022_09) {"));
    assert!(flagged(
        "!self.serves(Profile::ALIPAY_2022_09) || !self.takes(v)"
    ));
    assert!(!flagged("run(Profile::WECHAT, config())"));
    assert!(!flagged("for profile in Profile::ALL {"));
    assert!(!flagged("if hello.api != profile.face {"));
    assert!(!flagged("if call.target == TARGET_MY {"));
    assert!(!flagged("let x = 1; // if profile == Profile::WECHAT"));
    assert!(!flagged("Face::named(name) => 1"));
}
