//! The live-chat wire format, shared by the visitor widget, the agent console and the server.
//!
//! This crate alone defines what travels over the WebSocket and the few REST calls. It owns the
//! types and their JSON shape (every frame is an object with a snake_case `type` tag), the
//! protocol version checked in the handshake, the stable error codes, and the input bounds both
//! sides enforce. It owns no I/O: no tokio, no web-sys, so the widget stays small.
//!
//! The golden files under `tests/golden/` pin the JSON; changing a shape means bumping
//! [`PROTOCOL_VERSION`] and the goldens in the same commit.

use serde::{Deserialize, Serialize};

/// Bumped on every incompatible change; the server refuses a `hello` with another version.
pub const PROTOCOL_VERSION: u32 = 1;

/// Longest message body, in characters (not bytes), that either side accepts.
pub const MAX_BODY_CHARS: usize = 4000;
/// Longest visitor or agent display name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Longest client-generated message id, in bytes.
pub const MAX_CLIENT_ID_LEN: usize = 64;
/// Largest WebSocket frame the server reads; anything bigger closes the socket with 1009.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Server-assigned conversation id.
pub type ConversationId = i64;
/// Server-assigned message id, unique across conversations.
pub type MessageId = i64;
/// Per-conversation sequence number: 1, 2, 3, ... in the order the server stored them.
pub type Seq = i64;
/// Milliseconds since the Unix epoch, as the server's clock saw it.
pub type Millis = i64;

// ---------------------------------------------------------------------------------------------
// WebSocket: client -> server
// ---------------------------------------------------------------------------------------------

/// Every frame a widget or console may send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// Must be the first frame on a socket. `token` is the credential from the REST session
    /// call (visitor) or login (agent); it travels in the frame rather than the URL so it never
    /// lands in access logs.
    Hello {
        protocol: u32,
        token: String,
        /// Highest `seq` the client already holds per conversation; the server sends the rest.
        /// Conversations the client does not list are sent in full.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cursors: Vec<Cursor>,
    },
    /// Post a message. For a visitor, `conversation_id: None` means "my open conversation, or a
    /// new chat request if I have none". Agents always name the conversation.
    Send {
        client_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<ConversationId>,
        body: String,
    },
    /// Agent only: go online (receive the queue and new requests) or offline.
    SetOnline { online: bool },
    /// Agent only: take a waiting request. Exactly one agent wins; see [`ServerMsg::Accepted`].
    Accept { conversation_id: ConversationId },
    /// Agent only: close a conversation. The visitor can no longer send into it.
    End { conversation_id: ConversationId },
    /// Ask for messages after `after_seq` (gap repair without reconnecting).
    Sync {
        conversation_id: ConversationId,
        after_seq: Seq,
    },
}

/// "I have everything in this conversation up to and including `last_seq`."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub conversation_id: ConversationId,
    pub last_seq: Seq,
}

/// Defines [`ServerMsg`] and its decoder from one list of variants, so the two can never disagree.
///
/// For each variant it emits a private payload struct with the same fields (and serde
/// attributes) that derives `Deserialize`; the hand-written `Deserialize` for the enum reads the
/// leading `type`, then lets that struct read the remaining members in place.
macro_rules! server_frames {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }
            ),* $(,)?
        }
        $(#[$ameta:meta])*
        agents_only {
            $(
                $(#[$avmeta:meta])*
                $avariant:ident { $( $(#[$afmeta:meta])* $afield:ident : $aty:ty ),* $(,)? }
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant { $( $(#[$fmeta])* $field: $ty ),* }, )*
            $( $(#[$avmeta])* $avariant { $( $(#[$afmeta])* $afield: $aty ),* }, )*
        }

        // One module per variant, inside this one (so the module `Message` cannot collide
        // with the type `Message` at the crate root).
        #[allow(non_snake_case)]
        mod server_frame_payloads {
            $(
                pub(super) mod $variant {
                    use crate::*;
                    #[derive(serde::Deserialize)]
                    pub(crate) struct Payload { $( $(#[$fmeta])* pub(crate) $field: $ty ),* }
                }
            )*
            $(
                pub(super) mod $avariant {
                    use crate::*;
                    #[derive(serde::Deserialize)]
                    pub(crate) struct Payload { $( $(#[$afmeta])* pub(crate) $afield: $aty ),* }
                }
            )*
        }

        wire_names! {
            /// The `type` values, spelled exactly as `Serialize` spells them (same `rename_all`).
            enum ServerTag { $( $variant, )* $( $avariant, )* }
        }

        /// Reads a frame: the leading `type`, then the rest straight into that variant.
        /// `AGENTS = false` refuses agent-only frames (and leaves their code out of the build).
        struct FrameVisitor<const AGENTS: bool>;

        impl<'de, const AGENTS: bool> serde::de::Visitor<'de> for FrameVisitor<AGENTS> {
            type Value = $name;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object whose first member is \"type\"")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                match map.next_key::<TypeKey>()? {
                    Some(TypeKey::Type) => {}
                    None => return Err(serde::de::Error::missing_field("type")),
                }
                let tag: ServerTag = map.next_value()?;
                let rest = serde::de::value::MapAccessDeserializer::new(map);
                Ok(match tag {
                    $(
                        ServerTag::$variant => {
                            let _p = server_frame_payloads::$variant::Payload::deserialize(rest)?;
                            $name::$variant { $( $field: _p.$field ),* }
                        }
                    )*
                    $(
                        ServerTag::$avariant if AGENTS => {
                            let _p = server_frame_payloads::$avariant::Payload::deserialize(rest)?;
                            $name::$avariant { $( $afield: _p.$afield ),* }
                        }
                    )*
                    #[allow(unreachable_patterns)]
                    _ => return Err(serde::de::Error::custom("an agents-only frame")),
                })
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_map(FrameVisitor::<true>)
            }
        }

        impl $name {
            /// Like `deserialize`, but refuses the agents-only frames: the decoder the visitor
            /// widget uses, so their decoding is not compiled into its bundle.
            pub fn deserialize_for_visitor<'de, D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                deserializer.deserialize_map(FrameVisitor::<false>)
            }
        }
    };
}

/// Declares a JSON object type: `Serialize` is derived; `Deserialize` reads only the object
/// form (`{...}`) through a derived private twin with the same fields and attributes.
///
/// Why: a derived `Deserialize` also accepts a struct written as a JSON array, and that second
/// path is compiled into the widget for every nested type, though no peer ever sends one.
/// Reading through `deserialize_map` leaves it unreachable, so it is not in the bundle.
/// Exported so the widget's own stored JSON (session, outbox) is read the same lean way.
#[macro_export]
macro_rules! wire_objects {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        pub struct $name { $( $(#[$fmeta])* pub $field: $ty ),* }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[allow(non_snake_case)]
                mod twin {
                    #[allow(unused_imports)]
                    use super::*;
                    #[derive(serde::Deserialize)]
                    #[serde(rename = "object")]
                    pub(super) struct $name { $( $(#[$fmeta])* pub(super) $field: $ty ),* }
                }
                let t: twin::$name =
                    deserializer.deserialize_map($crate::ObjectOnly(std::marker::PhantomData))?;
                Ok($name { $( $field: t.$field ),* })
            }
        }
    };
}

/// Visits a JSON object and hands its members to `T`'s derived visitor (see `wire_objects!`).
#[doc(hidden)]
pub struct ObjectOnly<T>(pub std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectOnly<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
    }
}

/// Declares an enum written on the wire as a bare snake_case string (`"visitor"`, `"ended"`).
/// `Serialize` is derived; `Deserialize` accepts only the string form, through a derived twin
/// (for the same reason as `wire_objects!`: serde's generic enum path, which also accepts
/// `{"variant": ...}`, would otherwise be compiled into the widget for each of these).
macro_rules! wire_names {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        $vis enum $name { $( $(#[$vmeta])* $variant ),* }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(Deserialize)]
                #[serde(rename_all = "snake_case")]
                enum Twin { $( $variant ),* }
                let t: Twin = deserializer.deserialize_str(NameOnly(std::marker::PhantomData))?;
                Ok(match t { $( Twin::$variant => $name::$variant ),* })
            }
        }
    };
}

/// Visits a string and hands it to `T`'s derived unit-variant matcher (see `wire_names!`).
struct NameOnly<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for NameOnly<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a name")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        T::deserialize(serde::de::IntoDeserializer::<E>::into_deserializer(v))
    }
}

wire_names! {
    /// The only key accepted first in a server frame (`Type` is `"type"` in snake_case).
    enum TypeKey {
        Type,
    }
}

// ---------------------------------------------------------------------------------------------
// WebSocket: server -> client
// ---------------------------------------------------------------------------------------------

server_frames! {
    /// Every frame the server may send.
    ///
    /// Serialised with `type` as the first member (serde's internally tagged form). Decoding
    /// relies on that order: it reads the tag, then the rest of the object straight into the
    /// variant, with no intermediate buffer. That is what keeps the visitor bundle inside its
    /// size budget (serde's generic tagged-enum path buffers every frame and doubles the decode
    /// code). Only our server produces these frames, and it always writes `type` first.
    pub enum ServerMsg {
        /// Answer to `hello`: who the server thinks you are and the conversations you can see.
        /// For a visitor that is their most recent conversation (open or ended); for an agent, the
        /// conversations they are a participant of that are still open.
        Welcome {
            protocol: u32,
            me: Identity,
            conversations: Vec<Conversation>,
        },
        /// Messages of one conversation, in `seq` order, sent after `welcome` and on `sync`.
        History {
            conversation_id: ConversationId,
            messages: Vec<Message>,
        },
        /// A new message in a conversation you follow (never echoed to the socket that sent it:
        /// that socket gets [`ServerMsg::Ack`]).
        Message { message: Message },
        /// Your `send` with `client_id` is durably stored as `message`. A retried `client_id`
        /// gets the same stored message again.
        Ack { client_id: String, message: Message },
        /// A conversation you follow changed (created, accepted, ended).
        Conversation { conversation: Conversation },
        /// Something you sent was refused. The socket stays open unless the code says otherwise.
        Error {
            code: ErrorCode,
            message: String,
            /// Set when the error answers a `send`, so the client can mark that message failed.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            client_id: Option<String>,
        },
    }
    /// Frames only agents receive. The visitor widget decodes with
    /// [`ServerMsg::deserialize_for_visitor`], which refuses these, so their decoding code is
    /// not in the visitor bundle (the server never sends them to a visitor).
    agents_only {
        /// Agents: the full list of waiting requests, sent when going online.
        Queue { requests: Vec<ChatRequest> },
        /// Agents: a visitor is waiting.
        RequestAdded { request: ChatRequest },
        /// Agents: a request left the queue (accepted by `accepted_by`, or withdrawn when `None`).
        RequestRemoved {
            conversation_id: ConversationId,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            accepted_by: Option<Participant>,
        },
        /// Agents: your `accept` won; you are now a participant of `conversation`.
        Accepted { conversation: Conversation },
    }
}

wire_names! {
    /// Stable, machine-readable reasons. Clients branch on these; the text beside them is for humans.
    pub enum ErrorCode {
        /// Not JSON, or not a frame this protocol knows.
        BadFrame,
        /// `hello` carried a protocol version the server does not speak.
        UnsupportedVersion,
        /// Missing, unknown or expired credential; the first frame was not `hello`.
        Unauthorized,
        /// The thing does not exist *or* the caller may not see it (never tells which).
        NotFound,
        /// The caller is known but their role may not do this (a visitor accepting a chat).
        Forbidden,
        /// A field is empty, too long or malformed.
        InvalidInput,
        /// The conversation has ended; start a new one.
        ConversationEnded,
        /// Another agent accepted this request first.
        AlreadyAccepted,
        /// Too many requests from this client; slow down.
        RateLimited,
        /// The server failed; the request may be retried with the same `client_id`.
        Internal,
    }
}

impl ErrorCode {
    /// The snake_case code as it appears on the wire and in REST error bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadFrame => "bad_frame",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::ConversationEnded => "conversation_ended",
            ErrorCode::AlreadyAccepted => "already_accepted",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// Shared data
// ---------------------------------------------------------------------------------------------

wire_names! {
    pub enum Role {
        Visitor,
        Agent,
    }
}

/// The authenticated caller, as the server sees them. The same shape as a [`Participant`] (and
/// one type, so the widget carries one decoder for both and uses `me` as an author directly).
pub type Identity = Participant;

wire_objects! {
    /// Someone taking part in a conversation, as shown to others.
    pub struct Participant {
        pub role: Role,
        pub id: i64,
        pub name: String,
    }
}

wire_names! {
    pub enum ConversationStatus {
        /// In the queue, no agent yet.
        Waiting,
        /// At least one agent accepted.
        Active,
        /// Closed; nobody can send any more.
        Ended,
    }
}

wire_objects! {
    pub struct Conversation {
        pub id: ConversationId,
        pub status: ConversationStatus,
        pub visitor: Participant,
        /// Agents who joined, in the order they joined.
        pub agents: Vec<Participant>,
        pub created_at: Millis,
        /// Highest `seq` stored so far (0 for none).
        pub last_seq: Seq,
    }
}

wire_names! {
    pub enum MessageKind {
        /// Written by a person.
        Text,
        /// Written by the server about the conversation ("Ada joined", "Chat ended").
        System,
    }
}

wire_objects! {
    pub struct Message {
        pub id: MessageId,
        pub conversation_id: ConversationId,
        pub seq: Seq,
        pub kind: MessageKind,
        /// `None` for system messages.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub author: Option<Participant>,
        /// Plain text. Clients render it as text, never as HTML.
        pub body: String,
        /// The sender's idempotency key, echoed so the sender's other tabs can de-duplicate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub client_id: Option<String>,
        pub sent_at: Millis,
    }
}

wire_objects! {
    /// A waiting chat as agents see it in the queue.
    pub struct ChatRequest {
        pub conversation_id: ConversationId,
        pub visitor: Participant,
        /// The visitor's first message, so agents can triage without opening the chat.
        pub preview: String,
        pub created_at: Millis,
    }
}

// ---------------------------------------------------------------------------------------------
// REST bodies
// ---------------------------------------------------------------------------------------------

/// `POST /api/visitor/session`: an anonymous visitor introduces themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitorSessionRequest {
    pub name: String,
}

/// `POST /api/agent/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

wire_objects! {
    /// Answer to both session calls: keep `token` and present it in `hello`.
    pub struct SessionResponse {
        pub token: String,
        pub me: Identity,
    }
}

/// Body of every non-2xx REST answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

// ---------------------------------------------------------------------------------------------
// Validation both sides share, so the widget can refuse before a round-trip
// ---------------------------------------------------------------------------------------------

/// Why an input was refused; maps to [`ErrorCode::InvalidInput`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputError {
    Empty,
    TooLong { max_chars: usize },
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Empty => f.write_str("must not be empty"),
            InputError::TooLong { max_chars } => {
                write!(f, "must be at most {max_chars} characters")
            }
        }
    }
}

/// Trim a message body and check its bounds. Returns the text to store.
pub fn validate_body(body: &str) -> Result<&str, InputError> {
    bounded(body, MAX_BODY_CHARS)
}

/// Trim a display name and check its bounds. Control characters are refused as empty-looking.
pub fn validate_name(name: &str) -> Result<&str, InputError> {
    let name = bounded(name, MAX_NAME_CHARS)?;
    if name.chars().any(char::is_control) {
        return Err(InputError::Empty);
    }
    Ok(name)
}

/// A client id is opaque to the server but must be short, non-empty and printable ASCII.
pub fn valid_client_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_CLIENT_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic())
}

fn bounded(text: &str, max_chars: usize) -> Result<&str, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InputError::Empty);
    }
    if text.chars().count() > max_chars {
        return Err(InputError::TooLong { max_chars });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_trimmed_and_bounded() {
        assert_eq!(validate_body("  hi \n"), Ok("hi"));
        assert_eq!(validate_body(" \n\t "), Err(InputError::Empty));
        let long = "é".repeat(MAX_BODY_CHARS);
        assert_eq!(
            validate_body(&long),
            Ok(long.as_str()),
            "limit counts chars, not bytes"
        );
        let too_long = "a".repeat(MAX_BODY_CHARS + 1);
        assert_eq!(
            validate_body(&too_long),
            Err(InputError::TooLong {
                max_chars: MAX_BODY_CHARS
            })
        );
    }

    #[test]
    fn names_refuse_control_characters() {
        assert_eq!(validate_name("Ada"), Ok("Ada"));
        assert_eq!(validate_name("A\u{0}da"), Err(InputError::Empty));
        assert!(validate_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn client_ids_are_short_printable_ascii() {
        assert!(valid_client_id("c-1f2e"));
        assert!(!valid_client_id(""));
        assert!(!valid_client_id("has space"));
        assert!(!valid_client_id(&"x".repeat(MAX_CLIENT_ID_LEN + 1)));
    }

    #[test]
    fn error_code_strings_match_serde() {
        for code in [
            ErrorCode::BadFrame,
            ErrorCode::UnsupportedVersion,
            ErrorCode::Unauthorized,
            ErrorCode::NotFound,
            ErrorCode::Forbidden,
            ErrorCode::InvalidInput,
            ErrorCode::ConversationEnded,
            ErrorCode::AlreadyAccepted,
            ErrorCode::RateLimited,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
