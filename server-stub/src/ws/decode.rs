//! Reading one client frame: JSON into a [`ClientMsg`], the precise refusal for a `send`
//! whose body is not Unicode text, and which close a read error or a binary frame earns.

use protocol::{ClientMsg, ConversationId, ErrorCode, ServerMsg};
use serde::Deserialize;
use tungstenite::Utf8Bytes;

use super::{Close, close_code};

pub(super) fn decode(text: &Utf8Bytes) -> Result<ClientMsg, serde_json::Error> {
    // serde_json refuses nesting deeper than 128, so hostile JSON cannot exhaust the stack.
    serde_json::from_str(text.as_str())
}

/// A `send` that is well formed except that its body is not Unicode text (a lone surrogate
/// escape such as `"\ud800"`, which JSON allows and Rust strings cannot hold): the refusal
/// for it, `invalid_input` with its client id (when that id is one we echo), so the client can
/// mark that message failed. `None` for anything else.
pub(super) fn undecodable_send(text: &Utf8Bytes) -> Option<ServerMsg> {
    /// The `send` frame's shape, with the body read as bytes (serde_json then keeps lone
    /// surrogates instead of failing).
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct LenientSend {
        #[serde(rename = "type")]
        _type: SendTag,
        client_id: String,
        #[serde(default, rename = "conversation_id")]
        _conversation_id: Option<ConversationId>,
        body: BodyBytes,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum SendTag {
        Send,
    }
    /// Whether a JSON string held valid Unicode.
    struct BodyBytes(bool);
    impl<'de> Deserialize<'de> for BodyBytes {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl serde::de::Visitor<'_> for V {
                type Value = BodyBytes;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a string")
                }
                fn visit_str<E>(self, _: &str) -> Result<BodyBytes, E> {
                    Ok(BodyBytes(true))
                }
                fn visit_bytes<E>(self, b: &[u8]) -> Result<BodyBytes, E> {
                    Ok(BodyBytes(std::str::from_utf8(b).is_ok()))
                }
            }
            d.deserialize_bytes(V)
        }
    }
    let send: LenientSend = serde_json::from_str(text.as_str()).ok()?;
    if send.body.0 {
        return None;
    }
    Some(ServerMsg::Error {
        code: ErrorCode::InvalidInput,
        message: "body must be Unicode text (it holds half of a surrogate pair)".into(),
        // Echo only ids we accept, so an error frame never carries arbitrary input.
        client_id: protocol::valid_client_id(&send.client_id).then_some(send.client_id),
    })
}

pub(super) fn binary_close() -> (u16, &'static str) {
    (close_code::UNSUPPORTED, "binary frames are not supported")
}

/// A read error either means the frame broke a size limit (close 1009) or the connection is
/// already gone (no close frame to send).
pub(super) fn read_error_close(e: tungstenite::Error) -> Close {
    if matches!(e, tungstenite::Error::Capacity(_)) {
        tracing::info!(error = %e, "frame over the size limit");
        Some((close_code::SIZE, "frame too large"))
    } else {
        tracing::debug!(error = %e, "socket read failed");
        None
    }
}
