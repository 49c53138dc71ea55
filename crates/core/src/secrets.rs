//! Sealing secrets at rest: client secrets and API tokens of identity providers are stored only
//! as XChaCha20-Poly1305 ciphertexts.
//!
//! A sealed value reads `sb1.<key id>.<base64url(nonce ‖ ciphertext)>`. The key id lets a
//! keyring hold the new key and the old ones during a rotation; the first key seals, any key
//! opens. Each value is sealed for a context (say `integration/<id>/client_secret`) passed as
//! associated data, so a ciphertext copied into another row or column does not open.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};

const FORMAT: &str = "sb1";
const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value uses key {0}, which is not in the keyring")]
    UnknownKey(String),
    #[error("the sealed value does not open with its key (tampered, or sealed for another field)")]
    Tampered,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{origin}: {problem}")]
    Invalid { origin: String, problem: String },
    #[error("cannot read or write the key file {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// One 32-byte key. It never prints, and its bytes are wiped when dropped.
pub struct SecretKey {
    id: String,
    bytes: SecretBox<[u8; KEY_BYTES]>,
}

impl SecretKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; KEY_BYTES];
        OsRng.fill_bytes(&mut bytes);
        Self::from_bytes(bytes)
    }

    fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        // The id is derived from the key, so the same key always has the same id, whether it
        // comes from the environment or from a file.
        let digest = Sha256::new()
            .chain_update(b"switchboard secret key id")
            .chain_update(bytes)
            .finalize();
        let id = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            id,
            bytes: SecretBox::new(Box::new(bytes)),
        }
    }

    /// Reads a key written as base64 (standard or URL-safe, padded or not).
    fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let decoded = STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
            .map_err(|_| "a key must be base64 (generate one with `openssl rand -base64 32`)")?;
        let bytes: [u8; KEY_BYTES] = decoded
            .try_into()
            .map_err(|bytes: Vec<u8>| format!("a key must be 32 bytes, not {}", bytes.len()))?;
        Ok(Self::from_bytes(bytes))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn encoded(&self) -> String {
        STANDARD.encode(self.bytes.expose_secret())
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.bytes.expose_secret().into())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({}, <hidden>)", self.id)
    }
}

/// Where the keys came from, which decides how a rotation stores the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `SWITCHBOARD_SECRET_KEY`: the operator manages it.
    Environment,
    /// A key file (given, or generated on first start).
    File(PathBuf),
}

/// The keys Switchboard seals with: the first one seals, every one opens.
#[derive(Debug)]
pub struct Keyring {
    keys: Vec<SecretKey>,
    source: KeySource,
}

impl Keyring {
    /// Keys listed in `text`, one per line or separated by commas, newest first; `#` starts a
    /// comment line.
    pub fn parse(text: &str, source: KeySource) -> Result<Self, KeyError> {
        let origin = match &source {
            KeySource::Environment => "SWITCHBOARD_SECRET_KEY".to_owned(),
            KeySource::File(path) => path.display().to_string(),
        };
        let keys = text
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .flat_map(|line| line.split(','))
            .filter(|key| !key.trim().is_empty())
            .map(SecretKey::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|problem| KeyError::Invalid {
                origin: origin.clone(),
                problem,
            })?;
        if keys.is_empty() {
            return Err(KeyError::Invalid {
                origin,
                problem: "no key found".to_owned(),
            });
        }
        Ok(Self { keys, source })
    }

    /// The keys from the environment's value when there is one, else from `file`, which is
    /// created with a fresh key (readable by its owner only) when it does not exist yet.
    pub fn load(environment: Option<&SecretString>, file: &Path) -> Result<Self, KeyError> {
        if let Some(keys) = environment {
            return Self::parse(keys.expose_secret(), KeySource::Environment);
        }
        let io = |error| KeyError::Io {
            path: file.to_owned(),
            error,
        };
        match std::fs::read_to_string(file) {
            Ok(text) => Self::parse(&text, KeySource::File(file.to_owned())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let keyring = Self {
                    keys: vec![SecretKey::generate()],
                    source: KeySource::File(file.to_owned()),
                };
                match keyring.write_file(file, true) {
                    Ok(()) => {
                        tracing::info!(path = %file.display(), "generated a new secret key file");
                        Ok(keyring)
                    }
                    // Another instance starting at the same moment wrote it first: use its key.
                    Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                        let text = std::fs::read_to_string(file).map_err(io)?;
                        Self::parse(&text, KeySource::File(file.to_owned()))
                    }
                    Err(error) => Err(io(error)),
                }
            }
            Err(error) => Err(io(error)),
        }
    }

    /// A keyring of one fresh key, for tests.
    pub fn generate() -> Self {
        Self {
            keys: vec![SecretKey::generate()],
            source: KeySource::Environment,
        }
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// The id of the key that seals.
    pub fn current_key_id(&self) -> &str {
        self.keys[0].id()
    }

    pub fn key_ids(&self) -> Vec<&str> {
        self.keys.iter().map(SecretKey::id).collect()
    }

    /// The same keyring with a fresh key in front: it seals from now on, the old ones still open.
    pub fn with_new_key(mut self) -> Self {
        self.keys.insert(0, SecretKey::generate());
        self
    }

    /// The same keyring with only its current key.
    pub fn without_old_keys(mut self) -> Self {
        self.keys.truncate(1);
        self
    }

    /// Writes the keys to `path`, newest first, readable by the owner only. `create_new` refuses
    /// to overwrite an existing file.
    pub fn write_file(&self, path: &Path, create_new: bool) -> std::io::Result<()> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let mut text = String::from(
            "# Switchboard secret keys, newest first. Losing this file loses every sealed secret.\n",
        );
        for key in &self.keys {
            text.push_str(&key.encoded());
            text.push('\n');
        }
        // Written beside the target under a name of its own, then put in place: a crash never
        // leaves half a file.
        let temporary = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if !create_new {
            return std::fs::rename(&temporary, path);
        }
        // A link fails when the name exists, so of instances generating a key at once exactly
        // one puts its file in place; renaming would let the last one silently replace it.
        let linked = std::fs::hard_link(&temporary, path);
        std::fs::remove_file(&temporary)?;
        linked
    }

    /// Seals `secret` for `context` with the current key.
    pub fn seal(&self, context: &str, secret: &SecretString) -> String {
        let key = &self.keys[0];
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = key
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: secret.expose_secret().as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory input");
        let mut body = nonce.to_vec();
        body.extend_from_slice(&ciphertext);
        format!("{FORMAT}.{}.{}", key.id(), URL_SAFE_NO_PAD.encode(body))
    }

    /// Opens a value sealed for `context` by any key of the ring.
    pub fn open(&self, context: &str, sealed: &str) -> Result<SecretString, SealError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(FORMAT), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::Malformed);
        };
        let key = self
            .keys
            .iter()
            .find(|key| key.id() == key_id)
            .ok_or_else(|| SealError::UnknownKey(key_id.to_owned()))?;
        let body = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SealError::Malformed)?;
        if body.len() < NONCE_BYTES {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = body.split_at(NONCE_BYTES);
        let plaintext = key
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::Tampered)?;
        String::from_utf8(plaintext)
            .map(SecretString::from)
            .map_err(|_| SealError::Tampered)
    }

    /// Whether `sealed` was sealed by another key than the current one.
    pub fn needs_reseal(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) != Some(self.current_key_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_owned())
    }

    #[test]
    fn a_sealed_secret_opens_for_its_context_only() {
        let keyring = Keyring::generate();
        let sealed = keyring.seal("integration/1/client_secret", &secret("s3cr3t-value"));
        assert!(!sealed.contains("s3cr3t-value"));
        assert!(sealed.starts_with(&format!("sb1.{}.", keyring.current_key_id())));
        let opened = keyring
            .open("integration/1/client_secret", &sealed)
            .unwrap();
        assert_eq!(opened.expose_secret(), "s3cr3t-value");
        assert_eq!(
            keyring.open("integration/2/client_secret", &sealed).err(),
            Some(SealError::Tampered)
        );
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let keyring = Keyring::generate();
        let value = secret("same");
        assert_ne!(keyring.seal("c", &value), keyring.seal("c", &value));
    }

    #[test]
    fn tampering_and_foreign_keys_are_detected() {
        let keyring = Keyring::generate();
        let sealed = keyring.seal("c", &secret("value"));
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(keyring.open("c", &flipped).err(), Some(SealError::Tampered));
        assert_eq!(
            keyring.open("c", "plain text").err(),
            Some(SealError::Malformed)
        );

        let other = Keyring::generate();
        assert!(matches!(
            other.open("c", &sealed),
            Err(SealError::UnknownKey(id)) if id == keyring.current_key_id()
        ));
    }

    #[test]
    fn rotation_keeps_old_values_readable_until_resealed() {
        let old = Keyring::generate();
        let old_id = old.current_key_id().to_owned();
        let sealed_with_old = old.seal("c", &secret("value"));
        let rotated = old.with_new_key();
        assert_ne!(rotated.current_key_id(), old_id);
        assert!(rotated.needs_reseal(&sealed_with_old));
        let opened = rotated.open("c", &sealed_with_old).unwrap();
        let resealed = rotated.seal("c", &opened);
        assert!(!rotated.needs_reseal(&resealed));
        let trimmed = rotated.without_old_keys();
        assert_eq!(trimmed.key_ids().len(), 1);
        assert_eq!(
            trimmed.open("c", &resealed).unwrap().expose_secret(),
            "value"
        );
        assert!(trimmed.open("c", &sealed_with_old).is_err());
    }

    #[test]
    fn keys_parse_from_text_and_key_files_are_private() {
        let dir = std::env::temp_dir().join(format!("sb-keys-{}", uuid::Uuid::new_v4().simple()));
        let file = dir.join("secret.key");
        let created = Keyring::load(None, &file).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let reloaded = Keyring::load(None, &file).unwrap();
        assert_eq!(reloaded.key_ids(), created.key_ids());
        assert_eq!(reloaded.source(), &KeySource::File(file.clone()));

        let env = secret(&format!(
            "{}, {}",
            STANDARD.encode([7u8; 32]),
            URL_SAFE_NO_PAD.encode([9u8; 32])
        ));
        let from_env = Keyring::load(Some(&env), &file).unwrap();
        assert_eq!(from_env.key_ids().len(), 2);
        assert_eq!(from_env.source(), &KeySource::Environment);

        let short = secret(&STANDARD.encode([1u8; 16]));
        let error = Keyring::load(Some(&short), &file).unwrap_err().to_string();
        assert!(error.contains("32 bytes"), "{error}");
        assert!(format!("{from_env:?}").contains("<hidden>"));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn instances_generating_a_key_file_at_once_share_one_key() {
        let dir = std::env::temp_dir().join(format!("sb-keys-{}", uuid::Uuid::new_v4().simple()));
        let file = dir.join("secret.key");
        let start = std::sync::Barrier::new(8);
        let loaded: Vec<String> = std::thread::scope(|scope| {
            let starters: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        let keyring = Keyring::load(None, &file).unwrap();
                        keyring.key_ids().concat()
                    })
                })
                .collect();
            starters.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let on_disk = Keyring::load(None, &file).unwrap().key_ids().concat();
        for ids in loaded {
            assert_eq!(
                ids, on_disk,
                "an instance kept a key that is not in the file"
            );
        }
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "only the key file remains");
        std::fs::remove_dir_all(dir).ok();
    }
}
