//! An operation's summary: the first sentence of its doc comment, which a
//! doc comment wraps over as many lines as it likes.

/// The first sentence of `doc`'s first paragraph, on one line. A sentence
/// ends at `.`, `!` or `?` followed by the paragraph's end, or by a space
/// and a word that does not start in lower case ("e.g. this" and
/// "println! twice" go on), outside parentheses and code: "(see `a.b`)"
/// does not end one.
pub(crate) fn summary(doc: &str) -> String {
    let paragraph: Vec<&str> = doc
        .lines()
        .map(str::trim)
        .skip_while(|line| line.is_empty())
        .take_while(|line| !line.is_empty())
        .collect();
    let text = paragraph.join(" ");
    let (mut depth, mut in_code) = (0usize, false);
    for (i, c) in text.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '(' | '[' if !in_code => depth += 1,
            ')' | ']' if !in_code => depth = depth.saturating_sub(1),
            '.' | '!' | '?' if !in_code && depth == 0 && ends_here(&text[i + c.len_utf8()..]) => {
                return text[..i + c.len_utf8()].to_owned();
            }
            _ => {}
        }
    }
    text
}

/// Whether a stop followed by `rest` ends a sentence.
fn ends_here(rest: &str) -> bool {
    match rest.strip_prefix(' ') {
        Some(next) => !next.starts_with(char::is_lowercase),
        None => rest.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn a_sentence_wrapped_over_lines_is_whole() {
        assert_eq!(
            summary(" Multiplies two integers (the product of any two fits in an\n `i128`)."),
            "Multiplies two integers (the product of any two fits in an `i128`)."
        );
    }

    #[test]
    fn only_the_first_sentence_of_the_first_paragraph_is_kept() {
        assert_eq!(
            summary("Counts down. One number every fifth\nof a second.\n\nMore here."),
            "Counts down."
        );
        assert_eq!(summary("No stop at all\n\nBelow."), "No stop at all");
        assert_eq!(summary("\n\n  Starts late?  Yes."), "Starts late?");
    }

    #[test]
    fn a_stop_in_code_or_parentheses_ends_nothing() {
        assert_eq!(
            summary("Reads `a.b. c` (see e.g. the guide) and stops. Not this."),
            "Reads `a.b. c` (see e.g. the guide) and stops."
        );
        assert_eq!(summary("Version 1.2 is out."), "Version 1.2 is out.");
        assert_eq!(summary("Sorts, e.g. by name. Then more."), "Sorts, e.g. by name.");
        assert_eq!(
            summary("Calls println! twice. Then more."),
            "Calls println! twice."
        );
    }

    #[test]
    fn an_empty_comment_has_an_empty_summary() {
        assert_eq!(summary(""), "");
        assert_eq!(summary("\n \n"), "");
    }
}
