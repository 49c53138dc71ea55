//! Compression on the wire. Bodies that are the same for everyone (the messenger's scripts and
//! styles, a deployment's public config, the console's wasm, JavaScript and CSS) are compressed
//! once, at the highest levels, and served in the encoding the client accepts; answers made per
//! request (console pages, API JSON) are compressed on the fly above [`DYNAMIC_ABOVE`] bytes.
//! Every such answer says `Vary: Accept-Encoding`, and a precompressed body's ETag names its
//! encoding, so a cache never confuses one encoding with another. Event streams are never
//! compressed: a compressor would hold events back until its buffer fills.

use std::io::Write;
use std::path::Path;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, DefaultPredicate};

/// Answers made per request smaller than this go out as they are: compressing them saves less
/// than the headers weigh.
pub const DYNAMIC_ABOVE: u16 = 1024;

/// Files of these kinds in the site folder get `.br` and `.gz` siblings.
const PRECOMPRESSED_EXTENSIONS: [&str; 6] = ["wasm", "js", "css", "html", "json", "svg"];

/// A content coding the server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    fn token(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
            Self::Identity => "identity",
        }
    }
}

/// The best encoding `Accept-Encoding` allows: brotli, then gzip, else none. A coding listed
/// with `q=0` is refused; `*` stands for the codings not listed.
pub fn negotiate(headers: &HeaderMap) -> Encoding {
    let Some(accepted) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
    else {
        return Encoding::Identity;
    };
    let weight = |coding: &str| -> Option<f32> {
        let mut wildcard = None;
        for item in accepted.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if name.eq_ignore_ascii_case(coding) {
                return Some(q);
            }
            if name == "*" {
                wildcard = Some(q);
            }
        }
        wildcard
    };
    [Encoding::Brotli, Encoding::Gzip]
        .into_iter()
        .filter_map(|encoding| Some((encoding, weight(encoding.token())?)))
        .filter(|(_, q)| *q > 0.0)
        // The first of the highest weight: brotli wins a tie.
        .fold(
            None,
            |best: Option<(Encoding, f32)>, (encoding, q)| match best {
                Some((_, best_q)) if best_q >= q => best,
                _ => Some((encoding, q)),
            },
        )
        .map_or(Encoding::Identity, |(encoding, _)| encoding)
}

/// A body kept in each encoding, made once, with an ETag per encoding.
#[derive(Debug, Clone)]
pub struct Encoded {
    identity: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
    /// The ETag of each: the identity body's digest, the others with their coding appended.
    tags: [HeaderValue; 3],
}

impl Encoded {
    /// Compresses `body` as small as it gets (kept in an encoding only where that is
    /// smaller): for bodies made once, like the files compiled into the binary.
    pub fn new(body: impl Into<Bytes>) -> Self {
        Self::compressed(body.into(), 11, 9)
    }

    /// Compresses `body` at levels that take microseconds, not milliseconds: for bodies made
    /// while requests wait, like a public config rendered into the cache when every
    /// connection of a busy page asks for it at once.
    pub fn quick(body: impl Into<Bytes>) -> Self {
        Self::compressed(body.into(), 5, 6)
    }

    fn compressed(identity: Bytes, brotli_quality: u32, gzip_level: u32) -> Self {
        let smaller = |compressed: Vec<u8>| {
            (compressed.len() < identity.len()).then(|| Bytes::from(compressed))
        };
        let digest = digest(&identity);
        let tag = |suffix: &str| {
            HeaderValue::from_str(&format!("\"{digest}{suffix}\"")).expect("hex is a header value")
        };
        Self {
            brotli: smaller(brotli(&identity, brotli_quality)),
            gzip: smaller(gzip(&identity, gzip_level)),
            tags: [tag(""), tag("-br"), tag("-gz")],
            identity,
        }
    }

    /// The encoding to send for `headers`, its body and its ETag.
    fn pick(&self, headers: &HeaderMap) -> (Encoding, &Bytes, &HeaderValue) {
        match negotiate(headers) {
            Encoding::Brotli if let Some(body) = &self.brotli => {
                (Encoding::Brotli, body, &self.tags[1])
            }
            Encoding::Brotli | Encoding::Gzip if let Some(body) = &self.gzip => {
                (Encoding::Gzip, body, &self.tags[2])
            }
            _ => (Encoding::Identity, &self.identity, &self.tags[0]),
        }
    }

    /// The answer to a GET: 304 when `If-None-Match` names the tag of the encoding the client
    /// gets, else the body in it, with `content_type` and `cache_control`.
    pub fn respond(
        &self,
        headers: &HeaderMap,
        content_type: &'static str,
        cache_control: &'static str,
    ) -> Response {
        let (encoding, body, tag) = self.pick(headers);
        let mut answer = HeaderMap::with_capacity(6);
        answer.insert(header::ETAG, tag.clone());
        answer.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        );
        answer.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if if_none_match(headers, tag.to_str().unwrap_or_default()) {
            return (StatusCode::NOT_MODIFIED, answer).into_response();
        }
        answer.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if encoding != Encoding::Identity {
            answer.insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(encoding.token()),
            );
        }
        (answer, body.clone()).into_response()
    }
}

/// Whether `If-None-Match` already names `tag`.
fn if_none_match(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|candidate| candidate.trim() == tag || candidate.trim() == "*")
        })
}

/// The first 12 bytes of the SHA-256 of `body`, in hex.
fn digest(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(body)[..12]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn brotli(body: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        // A window as large as the body, no larger: its tables are allocated whole.
        let window = (usize::BITS - body.len().leading_zeros()).clamp(16, 24);
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, window);
        writer.write_all(body).expect("writing to memory");
    }
    out
}

fn gzip(body: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(body).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// On-the-fly compression for answers made per request: above [`DYNAMIC_ABOVE`] bytes, never
/// for event streams or images (tower-http's default predicate), and never twice (an answer
/// that already has a `Content-Encoding` passes as it is).
pub fn dynamic() -> CompressionLayer<impl Predicate> {
    let predicate = DefaultPredicate::new()
        .and(SizeAbove::new(DYNAMIC_ABOVE))
        .and(NotForContentType::const_new("application/wasm"));
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .no_deflate()
        .no_zstd()
        .compress_when(predicate)
}

/// The compressible files of `dir` (recursively) big enough to gain from a precompressed
/// sibling, each with when it was last written.
fn compressible_files(
    dir: &Path,
) -> std::io::Result<Vec<(std::path::PathBuf, std::time::SystemTime)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(compressible_files(&path)?);
            continue;
        }
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| PRECOMPRESSED_EXTENSIONS.contains(&e));
        if !compressible {
            continue;
        }
        let metadata = std::fs::metadata(&path)?;
        if metadata.len() >= u64::from(DYNAMIC_ABOVE) {
            files.push((path, metadata.modified()?));
        }
    }
    Ok(files)
}

/// A file's `.br` and `.gz` siblings.
fn siblings(path: &Path) -> [std::path::PathBuf; 2] {
    [".br", ".gz"].map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    })
}

/// When `file` was last written; `None` when there is no such file.
fn written_at(file: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(file).and_then(|m| m.modified()).ok()
}

/// Deletes every `.br` and `.gz` sibling older than its file: a rebuilt wasm must never go
/// out as the previous build's compressed bytes. Quick (metadata only), so it runs before the
/// server answers; [`precompress_dir`] then makes new ones at its own pace.
pub fn forget_stale_siblings(dir: &Path) -> std::io::Result<usize> {
    let mut forgotten = 0;
    for (path, modified) in compressible_files(dir)? {
        for sibling in siblings(&path) {
            if written_at(&sibling).is_some_and(|at| at < modified) {
                match std::fs::remove_file(&sibling) {
                    Ok(()) => forgotten += 1,
                    // Another instance sharing the folder removed it first.
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(error) => return Err(error),
                }
            }
        }
    }
    Ok(forgotten)
}

/// Writes a `.br` and a `.gz` beside each compressible file of `dir` (recursively) that lacks
/// them or changed since, each only where it is smaller: what `ServeDir` serves precompressed.
/// Several instances may share the folder and run this at once, so each writes under a name of
/// its own and renames: a sibling is always one whole encoding of one whole file.
/// Returns how many files it compressed.
pub fn precompress_dir(dir: &Path) -> std::io::Result<usize> {
    let mut done = 0;
    for (path, modified) in compressible_files(dir)? {
        let [br, gz] = siblings(&path);
        let stale = |sibling: &Path| written_at(sibling).is_none_or(|at| at < modified);
        if !stale(&br) && !stale(&gz) {
            continue;
        }
        let body = std::fs::read(&path)?;
        for (file, compressed) in [(br, brotli(&body, 11)), (gz, gzip(&body, 9))] {
            if compressed.len() < body.len() {
                let partial =
                    file.with_extension(format!("{}.partial", uuid::Uuid::new_v4().simple()));
                std::fs::write(&partial, compressed)?;
                std::fs::rename(&partial, &file)?;
            }
        }
        done += 1;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn the_best_accepted_encoding_wins() {
        assert_eq!(negotiate(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(
            negotiate(&accepting("gzip, deflate, br, zstd")),
            Encoding::Brotli
        );
        assert_eq!(negotiate(&accepting("gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&accepting("br;q=0, gzip")), Encoding::Gzip);
        assert_eq!(
            negotiate(&accepting("br;q=0.5, gzip;q=0.8")),
            Encoding::Gzip
        );
        assert_eq!(negotiate(&accepting("*")), Encoding::Brotli);
        assert_eq!(negotiate(&accepting("*;q=0, gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&accepting("identity")), Encoding::Identity);
        assert_eq!(negotiate(&accepting("BR")), Encoding::Brotli);
    }

    #[test]
    fn each_encoding_has_its_own_tag_and_decodes_to_the_body() {
        let body = "function switchboard() { return 'hello'; }\n".repeat(50);
        let encoded = Encoded::new(body.clone());
        let answer =
            |accept: &str| encoded.respond(&accepting(accept), "text/javascript", "no-cache");
        let br = answer("br");
        let gz = answer("gzip");
        let plain = answer("identity");
        let tags: Vec<_> = [&br, &gz, &plain]
            .iter()
            .map(|a| a.headers()[header::ETAG].to_str().unwrap().to_owned())
            .collect();
        assert!(
            tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2],
            "{tags:?}"
        );
        assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        for answer in [&br, &gz, &plain] {
            assert_eq!(answer.headers()[header::VARY], "accept-encoding");
        }
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut encoded.brotli.as_ref().unwrap().as_ref(), &mut decoded)
            .unwrap();
        assert_eq!(decoded, body.as_bytes());
        let mut decoded = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(encoded.gzip.as_ref().unwrap().as_ref()),
            &mut decoded,
        )
        .unwrap();
        assert_eq!(decoded, body);

        // A client revalidating the brotli copy gets 304 for it, and the full body in another
        // encoding: one encoding's tag never stands for another's bytes.
        let mut revalidate = accepting("br");
        revalidate.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&tags[0]).unwrap(),
        );
        assert_eq!(
            encoded
                .respond(&revalidate, "text/javascript", "no-cache")
                .status(),
            StatusCode::NOT_MODIFIED
        );
        revalidate.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        assert_eq!(
            encoded
                .respond(&revalidate, "text/javascript", "no-cache")
                .status(),
            StatusCode::OK
        );
    }

    #[test]
    fn tiny_bodies_stay_as_they_are() {
        let encoded = Encoded::new("{}");
        let answer = encoded.respond(&accepting("br, gzip"), "application/json", "no-cache");
        assert!(answer.headers().get(header::CONTENT_ENCODING).is_none());
    }

    #[test]
    fn a_site_folder_gets_smaller_siblings_once() {
        let dir = std::env::temp_dir().join(format!("sb-site-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("pkg/app.js"), "let a = 1;\n".repeat(500)).unwrap();
        std::fs::write(dir.join("pkg/tiny.css"), "a{}").unwrap();
        std::fs::write(dir.join("pkg/logo.png"), [0u8; 2000]).unwrap();
        assert_eq!(precompress_dir(&dir).unwrap(), 1);
        assert!(dir.join("pkg/app.js.br").exists() && dir.join("pkg/app.js.gz").exists());
        assert!(!dir.join("pkg/tiny.css.br").exists(), "too small to gain");
        assert!(
            !dir.join("pkg/logo.png.br").exists(),
            "images are left alone"
        );
        assert_eq!(precompress_dir(&dir).unwrap(), 0, "done once");
        std::fs::remove_dir_all(dir).ok();
    }

    fn decoded(encoding: &str, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match encoding {
            "br" => brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap(),
            _ => {
                std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out)
                    .unwrap();
            }
        };
        out
    }

    #[test]
    fn instances_sharing_a_site_folder_leave_only_whole_siblings() {
        let dir = std::env::temp_dir().join(format!("sb-site-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let sources: Vec<_> = (0..24)
            .map(|i| {
                let path = dir.join(format!("part{i}.js"));
                std::fs::write(&path, format!("let part{i} = {i};\n").repeat(100 + 10 * i))
                    .unwrap();
                path
            })
            .collect();
        let workers: Vec<_> = (0..6)
            .map(|_| {
                let dir = dir.clone();
                std::thread::spawn(move || precompress_dir(&dir).unwrap())
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        for source in &sources {
            let body = std::fs::read(source).unwrap();
            for (sibling, encoding) in siblings(source).into_iter().zip(["br", "gz"]) {
                let bytes = std::fs::read(&sibling).unwrap();
                assert_eq!(decoded(encoding, &bytes), body, "{}", sibling.display());
            }
        }
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_rebuilt_file_loses_its_old_siblings_before_anything_is_served() {
        let dir = std::env::temp_dir().join(format!("sb-site-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let app = dir.join("app.js");
        std::fs::write(&app, "let a = 1;\n".repeat(500)).unwrap();
        precompress_dir(&dir).unwrap();
        assert_eq!(
            forget_stale_siblings(&dir).unwrap(),
            0,
            "fresh siblings stay"
        );
        std::fs::write(&app, "let b = 2;\n".repeat(500)).unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&app)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(forget_stale_siblings(&dir).unwrap(), 2);
        assert!(siblings(&app).iter().all(|s| !s.exists()));
        std::fs::remove_dir_all(dir).ok();
    }
}
