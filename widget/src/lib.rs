//! The browser side of the live chat, compiled to wasm32.
//!
//! One crate, two bundles chosen by cargo feature, so neither carries the other's code:
//! - default: the visitor widget, mounted by `static/loader.js` into a shadow root on a third-party
//!   page through [`mount`];
//! - `--features console`: the agent console, which mounts itself to `<body>` at start.
//!
//! Shared by both: [`transport`] (the only code that touches the socket), [`chat`] (an ordered,
//! de-duplicated message list) and [`util`] (clock, ids, storage keys, REST calls).

pub mod chat;
pub mod composer;
pub mod transport;
pub mod util;

#[cfg(test)]
mod testing;

#[cfg(test)]
mod unit_tests;

#[cfg(not(feature = "console"))]
pub mod visitor;

#[cfg(feature = "console")]
pub mod console;

#[cfg(not(feature = "console"))]
pub use visitor::mount;
