//! Escaping for HTML and Markdown.

/// Escapes `text` for HTML text and attribute values (`&`, `<`, `>`, `"`,
/// `'`), and writes the slashes of `://` as character references, so that
/// report text (`An http:// url fails with 5`) never puts a URL in the
/// page's source: a reader can check that the page loads nothing by
/// searching it for `://`.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut after_colon = 0;
    for c in text.chars() {
        after_colon = match (c, after_colon) {
            (':', _) => 1,
            ('/', 1) => 2,
            ('/', 2) => 3,
            _ => 0,
        };
        match c {
            '/' if after_colon >= 2 => out.push_str("&#47;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Makes `text` safe in one Markdown table cell: one line, pipes escaped,
/// HTML escaped (GitHub renders inline HTML).
pub(crate) fn md_cell(text: &str) -> String {
    html(&text.replace(['\r', '\n'], " ")).replace('|', "\\|")
}

/// A fenced code block of `text` whose fence is longer than any run of
/// backticks inside.
pub(crate) fn md_fence(lang: &str, text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end_matches('\n'))
}

/// `text` cut to at most `max` bytes on a character boundary, with a note
/// when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes cut)", &text[..end], text.len() - end)
}

#[cfg(test)]
mod tests {
    #[test]
    fn html_escapes_every_special_character() {
        assert_eq!(
            super::html(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            super::html("see https://x/y a/b"),
            "see https:&#47;&#47;x/y a/b"
        );
    }

    #[test]
    fn a_fence_outgrows_the_backticks_inside() {
        assert_eq!(super::md_fence("", "a ```` b"), "`````\na ```` b\n`````\n");
        assert_eq!(super::md_fence("text", "x"), "```text\nx\n```\n");
    }

    #[test]
    fn truncation_respects_character_boundaries() {
        assert_eq!(super::truncate("héllo", 2), "h\n… (5 more bytes cut)");
    }
}
