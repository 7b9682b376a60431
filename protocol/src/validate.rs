//! Input bounds both sides check, so the widget can refuse before a round-trip and the server
//! refuses the same things for clients that skip the widget.

/// Longest message body, in characters (not bytes), that either side accepts.
pub const MAX_BODY_CHARS: usize = 4000;
/// Longest visitor or agent display name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Longest client-generated message id, in bytes.
pub const MAX_CLIENT_ID_LEN: usize = 64;
/// Most conversations one agent takes part in at once. Beyond it `accept` is refused with
/// `limit_reached`: it bounds what a reconnecting console is sent (one `history` each).
pub const MAX_OPEN_CONVERSATIONS: usize = 100;
/// Shortest password an agent may choose, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password either side accepts, in bytes: bounds what one login makes the server hash.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest e-mail address, in bytes (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;

/// Why an input was refused; maps to [`ErrorCode::InvalidInput`](crate::ErrorCode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputError {
    Empty,
    TooLong {
        max_chars: usize,
    },
    /// New passwords: fewer than [`MIN_PASSWORD_CHARS`] characters.
    TooShort {
        min_chars: usize,
    },
    /// Names: control characters (a line break) or bidirectional controls (a right-to-left
    /// override), which make a name display as something other than what it is.
    ControlCharacters,
    /// Names: nothing but invisible characters (zero-width spaces, fillers).
    Invisible,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Empty => f.write_str("must not be empty"),
            InputError::TooLong { max_chars } => {
                write!(f, "must be at most {max_chars} characters")
            }
            InputError::TooShort { min_chars } => {
                write!(f, "must be at least {min_chars} characters")
            }
            InputError::ControlCharacters => f.write_str("must not contain control characters"),
            InputError::Invisible => f.write_str("must contain visible characters"),
        }
    }
}

/// Trim a message body and check its bounds. Returns the text to store.
pub fn validate_body(body: &str) -> Result<&str, InputError> {
    bounded(body, MAX_BODY_CHARS)
}

/// Trim a display name and check its bounds. Refuses control and bidirectional control
/// characters (they can make a name read as something else) and names with nothing visible.
/// The server also stores names in NFC; that needs Unicode tables this crate leaves out of the
/// widget, so it happens in the server only.
pub fn validate_name(name: &str) -> Result<&str, InputError> {
    let name = bounded(name, MAX_NAME_CHARS)?;
    if name.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(InputError::ControlCharacters);
    }
    if name.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return Err(InputError::Invisible);
    }
    Ok(name)
}

/// Check a new password's bounds: at least [`MIN_PASSWORD_CHARS`] characters, at most
/// [`MAX_PASSWORD_BYTES`] bytes. Not trimmed: every character the agent typed counts.
pub fn validate_new_password(password: &str) -> Result<(), InputError> {
    if password.is_empty() {
        Err(InputError::Empty)
    } else if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(InputError::TooShort {
            min_chars: MIN_PASSWORD_CHARS,
        })
    } else if password.len() > MAX_PASSWORD_BYTES {
        // A byte bound, reported in characters only when they are single bytes; the message
        // stays true either way ("at most N characters" of ASCII).
        Err(InputError::TooLong {
            max_chars: MAX_PASSWORD_BYTES,
        })
    } else {
        Ok(())
    }
}

/// Unicode's bidirectional formatting characters: marks, embeddings, overrides, isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that draw nothing: Unicode's default-ignorable code points (zero-width
/// characters, joiners, variation selectors, tags, fillers) and the blank braille pattern.
/// A short list rather than Unicode tables, which the widget cannot afford.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A client id is opaque to the server but must be short, non-empty and printable ASCII.
pub fn valid_client_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_CLIENT_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic())
}

fn bounded(text: &str, max_chars: usize) -> Result<&str, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InputError::Empty);
    }
    if text.chars().count() > max_chars {
        return Err(InputError::TooLong { max_chars });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_trimmed_and_bounded() {
        assert_eq!(validate_body("  hi \n"), Ok("hi"));
        assert_eq!(validate_body(" \n\t "), Err(InputError::Empty));
        let long = "é".repeat(MAX_BODY_CHARS);
        assert_eq!(
            validate_body(&long),
            Ok(long.as_str()),
            "limit counts chars, not bytes"
        );
        let too_long = "a".repeat(MAX_BODY_CHARS + 1);
        assert_eq!(
            validate_body(&too_long),
            Err(InputError::TooLong {
                max_chars: MAX_BODY_CHARS
            })
        );
    }

    #[test]
    fn names_refuse_control_characters() {
        assert_eq!(validate_name("Ada"), Ok("Ada"));
        assert_eq!(
            validate_name("  Zoé Ō'Neil-Åström "),
            Ok("Zoé Ō'Neil-Åström")
        );
        assert_eq!(validate_name("李小龍"), Ok("李小龍"));
        assert_eq!(
            validate_name("A\u{0}da"),
            Err(InputError::ControlCharacters)
        );
        assert_eq!(
            validate_name("Ada\nLovelace"),
            Err(InputError::ControlCharacters),
            "a line break is no empty name"
        );
        assert!(validate_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn names_refuse_bidi_controls() {
        for name in [
            "Ada\u{202E}ecalevoL",
            "\u{2067}Bob\u{2069}",
            "Eve\u{200F}",
            "x\u{61C}y",
        ] {
            assert_eq!(
                validate_name(name),
                Err(InputError::ControlCharacters),
                "{name:?}"
            );
        }
    }

    #[test]
    fn names_must_have_something_visible() {
        for name in [
            "\u{200B}",
            "\u{200B}\u{2060}\u{FEFF}",
            "\u{3164}\u{3164}",
            " \u{2800} ",
            "\u{AD}\u{FE0F}",
            "\u{E0041}\u{E0042}",
        ] {
            assert_eq!(validate_name(name), Err(InputError::Invisible), "{name:?}");
        }
        // Invisible characters beside visible ones are a rendering matter, not a refusal
        // (emoji use joiners and variation selectors).
        assert_eq!(validate_name("A\u{200B}da"), Ok("A\u{200B}da"));
        assert_eq!(validate_name("👩\u{200D}💻"), Ok("👩\u{200D}💻"));
        assert_eq!(validate_name(" \t "), Err(InputError::Empty));
    }

    #[test]
    fn refusals_read_as_what_is_wrong() {
        assert_eq!(
            InputError::ControlCharacters.to_string(),
            "must not contain control characters"
        );
        assert_eq!(
            InputError::Invisible.to_string(),
            "must contain visible characters"
        );
        assert_eq!(InputError::Empty.to_string(), "must not be empty");
    }

    #[test]
    fn client_ids_are_short_printable_ascii() {
        assert!(valid_client_id("c-1f2e"));
        assert!(!valid_client_id(""));
        assert!(!valid_client_id("has space"));
        assert!(!valid_client_id(&"x".repeat(MAX_CLIENT_ID_LEN + 1)));
    }
}
