//! Text helpers shared by every aggregate.

/// Normalises text for case-insensitive search: lower case, `ё` folded into `е`,
/// runs of white space collapsed. SQLite's `lower()` knows only ASCII, so search
/// columns are stored normalised and compared with `LIKE`.
pub fn search_key(s: &str) -> String {
    let lowered = s.to_lowercase().replace('ё', "е");
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_key_folds_case_yo_and_spaces() {
        assert_eq!(search_key("  Щёлкова   АННА "), "щелкова анна");
    }

    #[test]
    fn like_escape_escapes_wildcards() {
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }
}
