//! The wasm entry point: takes over the server-rendered console in the browser.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(switchboard_app::App);
}
