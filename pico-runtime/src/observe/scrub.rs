//! What of a request is written down where others read it (the request
//! log, Sentry): a query string's values carry passwords and tokens, so
//! only their names are kept unless the app asks for more, and a URI is
//! cut to a length a log line can hold.

/// The most bytes of a URI a log line holds.
pub(crate) const MAX_LOGGED_URI: usize = 2048;

/// A query string with its values filtered: which arguments were sent,
/// not what they were.
#[cfg_attr(not(feature = "sentry"), allow(dead_code))]
pub(crate) fn names_only(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    push_names_only(&mut out, query);
    out
}

/// [`names_only`], written at the end of `out`.
pub(crate) fn push_names_only(out: &mut String, query: &str) {
    let mut first = true;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        if !first {
            out.push('&');
        }
        first = false;
        match pair.split_once('=') {
            Some((name, _)) => {
                out.push_str(name);
                out.push_str("=[Filtered]");
            }
            None => out.push_str(pair),
        }
    }
}

/// A URL or path with its query's values filtered and its fragment
/// dropped.
#[cfg_attr(not(feature = "sentry"), allow(dead_code))]
pub(crate) fn url_names_only(url: &str) -> String {
    let url = url.split('#').next().unwrap_or_default();
    match url.split_once('?') {
        Some((base, query)) => format!("{base}?{}", names_only(query)),
        None => url.to_owned(),
    }
}

/// `text` cut to at most `max` bytes on a character boundary, with `…`
/// where it was cut.
pub(crate) fn cut(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_filtered_and_names_kept() {
        assert_eq!(
            names_only("who=you&token=s3cret&flag&"),
            "who=[Filtered]&token=[Filtered]&flag"
        );
        assert_eq!(
            url_names_only("https://a.test/p?x=1&y=2#frag"),
            "https://a.test/p?x=[Filtered]&y=[Filtered]"
        );
        assert_eq!(url_names_only("/plain/path"), "/plain/path");
        let mut long = "é".repeat(10);
        cut(&mut long, 5);
        assert_eq!(long, "éé…");
    }
}
