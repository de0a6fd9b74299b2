//! The rules for files agents send: what kind of file the bytes are (never what the client says),
//! a safe file name, and a caption Telegram takes.

/// Telegram's limit for a photo's or document's caption, in characters.
pub const MAX_CAPTION_CHARS: usize = 1024;
/// The most characters a file name keeps.
pub const MAX_FILE_NAME_CHARS: usize = 128;

/// Whether the bytes are an image Telegram shows as a photo: PNG, JPEG or WebP, by their magic
/// bytes.
pub fn is_photo(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(b"\xFF\xD8\xFF")
        || (bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP")
}

/// A file name without any path, control or direction characters, bounded; `file` when nothing
/// is left.
pub fn file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// A caption: at most 1024 characters; blank means none.
pub fn caption(text: &str) -> Result<String, super::DomainError> {
    if text.chars().count() > MAX_CAPTION_CHARS {
        return Err(super::DomainError::InvalidText(
            "a caption is longer than Telegram's 1024 characters",
        ));
    }
    Ok(if text.trim().is_empty() {
        String::new()
    } else {
        text.to_owned()
    })
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_magic_bytes_and_anything_else_is_a_document() {
        assert!(is_photo(b"\x89PNG\r\n\x1a\n rest"));
        assert!(is_photo(b"\xFF\xD8\xFF\xE0 jpeg"));
        assert!(is_photo(b"RIFF\x10\0\0\0WEBPVP8 "));
        assert!(!is_photo(b"%PDF-1.7"));
        assert!(!is_photo(b"RIFF\x10\0\0\0WAVEfmt "));
    }

    #[test]
    fn a_file_name_loses_its_path_and_control_characters() {
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name("C:\\x\\report.pdf"), "report.pdf");
        assert_eq!(file_name("a\u{202E}fdp.exe"), "afdp.exe");
        assert_eq!(file_name("..."), "file");
    }
}
