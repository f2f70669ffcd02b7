//! How a newtype's parse error travels through serde to the problem document: the newtype raises
//! `serde::de::Error::custom(rejected(code, text))` with a catalogue text, and the body parser
//! (`http::json`) decodes it back into a field error with that code and both renderings (serde
//! carries errors as strings only).

use crate::text::{Msg, Text};

const SEP: char = '\u{1f}';

/// A serde error message that carries a code and a text in English and Swedish.
fn invalid(code: &str, en: &str, sv: &str) -> String {
    format!("{SEP}{code}{SEP}{en}{SEP}{sv}")
}

/// A serde error message that carries a code and a catalogue text in both languages.
pub fn rejected(code: &str, text: Text) -> String {
    let msg = text.msg();
    invalid(code, &msg.en, &msg.sv)
}

pub fn decode(message: &str) -> Option<(String, Msg)> {
    let rest = message.strip_prefix(SEP)?;
    let mut parts = rest.splitn(3, SEP);
    let code = parts.next()?.to_string();
    let en = parts.next()?;
    let sv = parts.next()?;
    Some((code, Msg::new(en, sv)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips() {
        let (code, msg) =
            super::decode(&super::invalid("too-long", "Too long.", "För lång.")).unwrap();
        assert_eq!(code, "too-long");
        assert_eq!(msg.sv, "För lång.");
    }
}
