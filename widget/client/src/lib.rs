//! What the visitor widget and the agent console share, as an ordinary library both app
//! crates (`livechat-visitor`, `livechat-console`) link into their own wasm bundle. Each bundle
//! keeps only the parts it calls, so nothing here costs the visitor for being here.
//!
//! - [`transport`]: the connection to the server: a pure state machine ([`transport::core`])
//!   and the thin web-sys shell around it (the only code that touches the socket);
//! - [`chat`]: one conversation's ordered, de-duplicated message list;
//! - [`rest`]: the JSON `POST` both apps use for sessions;
//! - [`reader`]: the anonymous visitor's own small JSON reader (frames, session, outbox);
//! - [`i18n`]: the visitor's words in their language, one catalogue file per locale;
//! - [`clock`], [`client_id`], [`server_url`]: time, send ids, and the server's URLs and
//!   storage keys;
//! - [`composer`], [`message_row`]: the two components both apps render.
//!
//! Everything but the browser shell and the components is plain data, unit-tested on the host.

pub mod chat;
pub mod client_id;
pub mod clock;
pub mod composer;
pub mod i18n;
pub mod message_row;
pub mod reader;
pub mod rest;
pub mod server_url;
pub mod transport;

/// Sample protocol values for tests (host unit tests here, component tests in the apps).
#[cfg(any(test, feature = "testing"))]
pub mod fixtures;

/// A recording [`transport::Link`] and DOM helpers for the apps' in-browser component tests.
#[cfg(feature = "testing")]
pub mod testing;
