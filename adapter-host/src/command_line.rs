//! Shell-like splitting of an adapter command line.

use crate::error::HostError;

/// Splits a command line into words the way a POSIX shell would for simple
/// cases: words are separated by whitespace; `'…'` quotes literally;
/// `"…"` quotes with `\"`, `\\`, `\$` and `` \` `` as escapes; outside quotes a
/// backslash takes the next character literally. No variables, globs,
/// pipes or redirections.
///
/// # Errors
///
/// [`HostError::EmptyCommandLine`] when there is no word,
/// [`HostError::UnterminatedQuote`] for an open quote or a trailing backslash.
pub fn split_command_line(command_line: &str) -> Result<Vec<String>, HostError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command_line.chars();
    let unterminated = |quote: char| HostError::UnterminatedQuote {
        quote,
        command_line: command_line.to_owned(),
    };
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(unterminated('\'')),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(unterminated('"')),
                        },
                        Some(c) => word.push(c),
                        None => return Err(unterminated('"')),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(unterminated('\\')),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        return Err(HostError::EmptyCommandLine);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_on_whitespace() {
        assert_eq!(
            split_command_line("  node adapters/node/src/adapter.js\t--x ").unwrap(),
            ["node", "adapters/node/src/adapter.js", "--x"]
        );
    }

    #[test]
    fn quotes_group_words_and_keep_spaces() {
        assert_eq!(
            split_command_line(r#"run 'a b' "c \"d\" \$e" f\ g ''"#).unwrap(),
            ["run", "a b", r#"c "d" $e"#, "f g", ""]
        );
        assert_eq!(split_command_line(r#"x "a\nb""#).unwrap(), ["x", r"a\nb"]);
        assert_eq!(split_command_line("x 'it'\"'\"'s'").unwrap(), ["x", "it's"]);
    }

    #[test]
    fn an_open_quote_is_an_error() {
        let err = split_command_line("node 'adapter.js").unwrap_err();
        assert!(
            matches!(err, HostError::UnterminatedQuote { quote: '\'', .. }),
            "{err}"
        );
        assert!(err.to_string().contains("node 'adapter.js"), "{err}");
        assert!(matches!(
            split_command_line("a \"b").unwrap_err(),
            HostError::UnterminatedQuote { quote: '"', .. }
        ));
        assert!(matches!(
            split_command_line("a b\\").unwrap_err(),
            HostError::UnterminatedQuote { quote: '\\', .. }
        ));
    }

    #[test]
    fn an_empty_command_line_is_an_error() {
        assert!(matches!(
            split_command_line(" \t ").unwrap_err(),
            HostError::EmptyCommandLine
        ));
    }
}
