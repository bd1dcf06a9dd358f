//! Text from Chinese users arrives with full-width digits and letters, ideographic
//! spaces and stray whitespace. We normalise before validating so that a good
//! value is never refused for the way it was typed.

/// The zero-width characters copying from a chat, a web page or a word
/// processor leaves in text (U+200B–U+200D, U+2060, U+FEFF): they mean
/// nothing in a name or an address and are dropped, never stored.
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Text without [`is_zero_width`] characters.
pub fn without_zero_width(input: &str) -> String {
    input.chars().filter(|c| !is_zero_width(*c)).collect()
}

/// Map full-width ASCII variants (U+FF01–U+FF5E) and the ideographic space
/// (U+3000) to their half-width forms and drop zero-width characters;
/// everything else is kept.
pub fn to_half_width(input: &str) -> String {
    input
        .chars()
        .filter(|c| !is_zero_width(*c))
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Half-width, all whitespace removed (including zero-width and no-break
/// spaces), ASCII letters upper-cased. For identifiers that never contain spaces.
pub fn normalize_compact(input: &str) -> String {
    to_half_width(input)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{00A0}'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A character no person types into a form and no text of ours may carry:
/// NUL and the other control characters (line breaks and tabs excepted:
/// they belong in multi-line text) and the invisible direction marks and
/// overrides that make text read differently from what it holds
/// (U+200E/F, U+202A–U+202E, U+2066–U+2069).
pub fn is_hidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Does the text carry any [`is_hidden_char`]?
pub fn has_hidden_chars(s: &str) -> bool {
    s.chars().any(is_hidden_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_width_characters_are_dropped() {
        assert_eq!(to_half_width("张\u{200B}五\u{FEFF}"), "张五");
        assert_eq!(without_zero_width("\u{2060}王\u{200D}六"), "王六");
    }

    #[test]
    fn hidden_characters_are_found_and_ordinary_text_passes() {
        for bad in ["a\u{0}b", "张\u{202E}三", "x\u{2066}", "\u{7}", "\u{200F}"] {
            assert!(has_hidden_chars(bad), "{bad:?}");
        }
        for good in [
            "张三",
            "第一行\n第二行\r\n",
            "Tab\there",
            "湖滨路 1 号（A 座）",
        ] {
            assert!(!has_hidden_chars(good), "{good:?}");
        }
    }

    #[test]
    fn full_width_digits_and_letters_become_half_width() {
        assert_eq!(to_half_width("１２３ａＢｃ　（）"), "123aBc ()");
    }

    #[test]
    fn compact_form_drops_every_kind_of_space_and_uppercases() {
        assert_eq!(
            normalize_compact(" 11010 5\u{3000}19491231 002x\u{FEFF}"),
            "11010519491231002X"
        );
    }

    #[test]
    fn chinese_characters_are_kept_as_they_are() {
        assert_eq!(to_half_width("浙（2023）"), "浙(2023)");
    }
}
