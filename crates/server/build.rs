//! Minifies the messenger's loader (`public/messenger.js`) at build time: every customer page
//! fetches it, so it goes out as small as it can be, while the repository keeps the readable
//! source. A loader that does not parse fails the build.

use std::path::Path;

use oxc::allocator::Allocator;
use oxc::codegen::{Codegen, CodegenOptions};
use oxc::minifier::{CompressOptions, MangleOptions, Minifier, MinifierOptions};
use oxc::parser::Parser;
use oxc::span::SourceType;

fn main() {
    let source_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/messenger.js");
    println!("cargo::rerun-if-changed={}", source_path.display());
    let source = std::fs::read_to_string(&source_path).expect("public/messenger.js");
    let allocator = Allocator::default();
    // A classic script, not a module: its top-level names must stay as they are.
    let parsed = Parser::new(&allocator, &source, SourceType::cjs()).parse();
    assert!(
        parsed.diagnostics.is_empty(),
        "public/messenger.js does not parse: {:?}",
        parsed.diagnostics
    );
    let mut program = parsed.program;
    let options = MinifierOptions {
        mangle: Some(MangleOptions::default()),
        mangle_properties: None,
        compress: Some(CompressOptions::smallest()),
    };
    let minified = Minifier::new(options).minify(&allocator, &mut program);
    let code = Codegen::new()
        .with_options(CodegenOptions::minify())
        .with_scoping(minified.scoping)
        .build(&program)
        .code;
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("messenger.min.js");
    std::fs::write(out, code).expect("write the minified loader");
}
