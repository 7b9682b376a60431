//! Idempotency keys for `send`: the server stores `(author, client_id)` once, so a send retried
//! after a reconnect can never become a duplicate message.

/// A fresh key. Uniqueness per author is all the server needs, so time plus `Math.random` is
/// enough (it is not a credential).
pub fn client_id() -> String {
    let r = || (js_sys::Math::random() * 4_294_967_296.0) as u32;
    format!("c{:x}-{:08x}{:08x}", crate::clock::now_ms(), r(), r())
}
