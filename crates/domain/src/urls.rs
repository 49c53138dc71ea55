//! The public addresses other programs rely on (customer pages, providers' consoles), in one
//! place: the server routes these paths, and everything that hands an address out builds it
//! here from the base URL.

use uuid::Uuid;

/// The loader script the snippet loads.
pub const LOADER_PATH: &str = "/messenger.js";
/// Everything else of the messenger runtime lives below this.
pub const MESSENGER_PREFIX: &str = "/messenger";
/// Where a visitor's sign-in starts (below [`MESSENGER_PREFIX`]).
pub const SIGN_IN_START_PATH: &str = "/auth/start";
/// The redirect URI to register at the provider (below [`MESSENGER_PREFIX`]).
pub const CALLBACK_PATH: &str = "/auth/callback";

/// `{base}/messenger/auth/callback`: the sign-in redirect URI.
pub fn callback(base_url: &str) -> String {
    format!("{base_url}{MESSENGER_PREFIX}{CALLBACK_PATH}")
}

/// Where the provider posts its back-channel logout (below [`MESSENGER_PREFIX`]).
pub const BACKCHANNEL_LOGOUT_PATH: &str = "/auth/backchannel-logout";

/// `{base}/messenger/auth/backchannel-logout`: the back-channel logout URI to register.
pub fn backchannel_logout(base_url: &str) -> String {
    format!("{base_url}{MESSENGER_PREFIX}{BACKCHANNEL_LOGOUT_PATH}")
}

/// Where the provider returns a visitor who signed out of it (below [`MESSENGER_PREFIX`]).
pub const SIGNED_OUT_PATH: &str = "/auth/signed-out";

/// `{base}/messenger/auth/signed-out`: the sign-out redirect URI of popup sign-in.
pub fn signed_out(base_url: &str) -> String {
    format!("{base_url}{MESSENGER_PREFIX}{SIGNED_OUT_PATH}")
}

/// `{base}/messenger/auth/start?deployment={id}`: where the messenger's "Sign in" goes.
pub fn sign_in_start(base_url: &str, deployment: Uuid) -> String {
    format!("{base_url}{MESSENGER_PREFIX}{SIGN_IN_START_PATH}?deployment={deployment}")
}

/// `{base}/messenger.js`.
pub fn loader(base_url: &str) -> String {
    format!("{base_url}{LOADER_PATH}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_follow_the_contract() {
        let base = "https://chat.example.com";
        let id = Uuid::nil();
        assert_eq!(
            callback(base),
            "https://chat.example.com/messenger/auth/callback"
        );
        assert_eq!(
            sign_in_start(base, id),
            format!("https://chat.example.com/messenger/auth/start?deployment={id}")
        );
        assert_eq!(loader(base), "https://chat.example.com/messenger.js");
    }
}
