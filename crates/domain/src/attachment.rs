//! Files sent in a conversation: images and PDFs, which kinds and how large each messenger
//! configuration allows, and what a file really is (read from its first bytes, never from its
//! name or the type the browser claims).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldError;

/// A file a message carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: Uuid,
    /// The name it was sent with, made safe to show and to download under.
    pub name: String,
    /// What its content is (see [`sniff`]).
    pub content_type: String,
    /// Bytes.
    pub size: u64,
}

impl Attachment {
    /// Shown in place (a preview) rather than as a download link.
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

/// The kinds of file anyone may send, by the content type [`sniff`] finds.
pub const KNOWN_TYPES: [(&str, &str); 5] = [
    ("image/png", "PNG image"),
    ("image/jpeg", "JPEG image"),
    ("image/gif", "GIF image"),
    ("image/webp", "WebP image"),
    ("application/pdf", "PDF document"),
];

/// The largest file a configuration may allow.
pub const MAX_BYTES_CEILING: u64 = 25 * 1024 * 1024;
/// Until a configuration says otherwise.
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;
pub const NAME_MAX_CHARS: usize = 200;

/// What a messenger configuration lets visitors and agents send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct AttachmentRules {
    /// Content types from [`KNOWN_TYPES`]; empty turns attachments off.
    pub types: Vec<String>,
    pub max_bytes: u64,
}

impl Default for AttachmentRules {
    fn default() -> Self {
        Self {
            types: KNOWN_TYPES
                .iter()
                .map(|(kind, _)| (*kind).to_owned())
                .collect(),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl AttachmentRules {
    /// Problems with the rules themselves, for the configuration form.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut problems = vec![];
        for kind in &self.types {
            if !KNOWN_TYPES.iter().any(|(known, _)| known == kind) {
                let known: Vec<&str> = KNOWN_TYPES.iter().map(|(known, _)| *known).collect();
                problems.push(FieldError::new(
                    "attachmentTypes",
                    format!(
                        "{kind:?} is not a kind of file the messenger takes; use {}.",
                        known.join(", ")
                    ),
                ));
            }
        }
        if self.max_bytes == 0 || self.max_bytes > MAX_BYTES_CEILING {
            problems.push(FieldError::new(
                "attachmentMaxBytes",
                format!(
                    "The size limit must be between 1 byte and {}.",
                    size(MAX_BYTES_CEILING)
                ),
            ));
        }
        problems
    }

    /// The content type of `bytes` if these rules let it be sent, or why not.
    pub fn check(&self, bytes: &[u8]) -> Result<&'static str, FieldError> {
        let refuse = |message: String| Err(FieldError::new("file", message));
        if self.types.is_empty() {
            return refuse("This messenger does not take files.".into());
        }
        if bytes.is_empty() {
            return refuse("The file is empty.".into());
        }
        if bytes.len() as u64 > self.max_bytes {
            return refuse(format!(
                "The file is {}; the limit is {}.",
                size(bytes.len() as u64),
                size(self.max_bytes)
            ));
        }
        let allowed = || {
            let names: Vec<&str> = KNOWN_TYPES
                .iter()
                .filter(|(kind, _)| self.types.iter().any(|allowed| allowed == kind))
                .map(|(_, name)| *name)
                .collect();
            names.join(", ")
        };
        match sniff(bytes) {
            Some(kind) if self.types.iter().any(|allowed| allowed == kind) => Ok(kind),
            Some(kind) => refuse(format!(
                "This messenger does not take {} files; it takes: {}.",
                describe(kind),
                allowed()
            )),
            None => refuse(format!(
                "This file is not one the messenger takes, whatever its name says; it takes: {}.",
                allowed()
            )),
        }
    }
}

/// What `bytes` are, by their signature; `None` for anything but [`KNOWN_TYPES`].
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

fn describe(kind: &str) -> &'static str {
    KNOWN_TYPES
        .iter()
        .find(|(known, _)| *known == kind)
        .map_or("such", |(_, name)| name)
}

/// `name` as sent, reduced to a safe file name: no folders, no control characters or quotes,
/// at most [`NAME_MAX_CHARS`]; "file" when nothing is left.
pub fn file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | '<' | '>' | '`'))
        .take(NAME_MAX_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// A size as people read it: "512 bytes", "340 KB", "10 MB".
pub fn size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    if bytes >= MB {
        let tenths = bytes * 10 / MB;
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= KB {
        format!("{} KB", bytes / KB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn files_are_known_by_their_first_bytes() {
        assert_eq!(sniff(PNG), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a\x01\0"), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        // A Windows program, an HTML page and an SVG (which can hold scripts) are none of them.
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), None);
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"<svg xmlns="), None);
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVE"), None);
    }

    #[test]
    fn the_rules_refuse_with_the_reason() {
        let rules = AttachmentRules::default();
        assert_eq!(rules.check(PNG), Ok("image/png"));
        let exe = rules.check(b"MZ\x90\0").unwrap_err();
        assert!(
            exe.message.contains("whatever its name says"),
            "{}",
            exe.message
        );
        assert!(
            exe.message.contains("PNG image, JPEG image"),
            "{}",
            exe.message
        );
        let small = AttachmentRules {
            max_bytes: 10,
            ..AttachmentRules::default()
        };
        let big = small.check(&[PNG, &[0; 20]].concat()).unwrap_err();
        assert_eq!(big.message, "The file is 36 bytes; the limit is 10 bytes.");
        let images = AttachmentRules {
            types: vec!["image/png".into()],
            ..AttachmentRules::default()
        };
        let pdf = images.check(b"%PDF-1.7").unwrap_err();
        assert_eq!(
            pdf.message,
            "This messenger does not take PDF document files; it takes: PNG image."
        );
        let none = AttachmentRules {
            types: vec![],
            ..AttachmentRules::default()
        };
        assert!(none.check(PNG).is_err());
        assert!(rules.check(b"").is_err());
    }

    #[test]
    fn rules_are_checked() {
        assert!(AttachmentRules::default().problems().is_empty());
        let wrong = AttachmentRules {
            types: vec!["text/html".into()],
            max_bytes: MAX_BYTES_CEILING + 1,
        };
        let fields: Vec<String> = wrong.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["attachmentTypes", "attachmentMaxBytes"]);
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(file_name("C:\\Users\\ada\\photo.png"), "photo.png");
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name("a\"b\r\n<c>.pdf"), "abc.pdf");
        assert_eq!(file_name(".hidden"), "hidden");
        assert_eq!(file_name("/"), "file");
        assert_eq!(file_name(&"x".repeat(300)).chars().count(), NAME_MAX_CHARS);
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(340 * 1024), "340 KB");
        assert_eq!(size(10 * 1024 * 1024), "10 MB");
        assert_eq!(size(12_900_000), "12.3 MB");
    }
}
