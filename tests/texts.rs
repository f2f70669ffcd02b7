//! The Swedish texts written beside their English ones outside the catalogue (`Msg::new(en, sv)`, the
//! indicator import's `err(pointer, code, en, sv)`), read from the source: like the catalogue's (`src/text`,
//! whose own test renders every message), they name no enum code and hold no English sentence.

use std::path::{Path, PathBuf};

/// Words that give an English sentence away.
const ENGLISH: &[&str] = &[
    " the ", " must ", " is ", " not ", "Expected", " and ", " of ", " has ", " should ",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literal at the start of `s` (after whitespace, or inside `format!(`), if any.
fn leading_literal(s: &str) -> Option<String> {
    let s = s.trim_start();
    let s = match s.strip_prefix("format!(") {
        Some(rest) => rest.trim_start(),
        None => s,
    };
    let rest = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return Some(out),
            c => out.push(c),
        }
    }
    None
}

/// The text of each argument of the call that starts at `s`, split at top-level commas.
fn arguments(s: &str) -> Vec<&str> {
    let mut args = Vec::new();
    let (mut depth, mut start, mut in_string, mut escaped) = (0i32, 0, false, false);
    for (i, c) in s.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                args.push(&s[start..i]);
                return args;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    args
}

/// `[A-Z]{2,}_[A-Z_]+` outside `{…}` placeholders (which name constants, not codes).
fn has_code(text: &str) -> bool {
    let mut plain = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    plain
        .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .any(|word| {
            word.find('_')
                .is_some_and(|i| i >= 2 && word.len() > i + 1 && !word.starts_with("SAMVERKAN_"))
        })
}

/// The Swedish texts written in `source` outside the catalogue, and those among them that name a
/// code or hold English.
fn scan(source: &str) -> (Vec<String>, Vec<String>) {
    let (mut found, mut faults) = (Vec::new(), Vec::new());
    // `err(pointer, code, en, sv)` is the indicator import's own helper.
    for (call, sv_index) in [
        ("Msg::new(", 1),
        ("invalid(\n", 2),
        ("invalid(\"", 2),
        ("err(\n", 3),
    ] {
        for (at, _) in source.match_indices(call) {
            let name = call.find('(').unwrap() + 1;
            let args = arguments(&source[at + name..]);
            let Some(sv) = args.get(sv_index).and_then(|a| leading_literal(a)) else {
                continue;
            };
            let padded = format!(" {sv} ");
            let english: Vec<&&str> = ENGLISH.iter().filter(|w| padded.contains(*w)).collect();
            // Listing the values a field takes names them as they are sent.
            let lists_values = sv.starts_with("Måste vara något av");
            if (has_code(&sv) && !lists_values) || !english.is_empty() {
                faults.push(format!("{sv} {english:?}"));
            }
            found.push(sv);
        }
    }
    (found, faults)
}

#[test]
fn the_scan_finds_a_code_or_english_in_a_swedish_text() {
    let source = r#"
        Msg::new("Fine.", "Bra.");
        Msg::new(
            format!("Status {s}."),
            format!("Status HUMAN_RIGHTS {s}."),
        );
        errors.push(err(
            pointer,
            "code",
            "The file is empty.".into(),
            "The file is not empty.".into(),
        ));
    "#;
    let (found, faults) = scan(source);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(faults.len(), 2, "{faults:?}");
}

#[test]
fn swedish_texts_in_the_code_name_no_codes_and_hold_no_english() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut faults = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for fault in scan(&source).1 {
            faults.push(format!("{}: {fault}", file.display()));
        }
    }
    assert!(faults.is_empty(), "{faults:#?}");
}

/// Every problem type has a title of its own in both languages (the catalogue matches titles by
/// the type's slug, and shows a slug it has no words for as is).
#[test]
fn every_problem_type_has_a_title_in_both_languages() {
    use samverkan::http::problem::ProblemKind;
    use samverkan::text::Lang;
    for &kind in ProblemKind::ALL {
        let title = kind.title();
        assert_ne!(
            title.get(Lang::En),
            kind.slug(),
            "{kind:?} has no English title"
        );
        assert_ne!(
            title.get(Lang::Sv),
            kind.slug(),
            "{kind:?} has no Swedish title"
        );
        assert_ne!(
            title.en, title.sv,
            "{kind:?}: the Swedish title is the English one"
        );
    }
}
