//! The anonymous visitor's own JSON reader: a small cursor and one function per thing it
//! reads: the server's frames (`welcome`, `conversation`, `history`, `message`, `ack`,
//! `typing`, `queue_position`, `error`; every other frame is refused, as `ServerMsg::deserialize_for_visitor`
//! refuses it), the session answer, and what it keeps in `localStorage` (its session, the
//! outbox).
//!
//! Why by hand: serde's derived visitors and serde_json's generic deserializer were ~14 KB of
//! the byte-budgeted widget (measured by leaving them out); this reads the same JSON with a
//! fraction of the code. It must read exactly what serde reads: the tests decode every golden
//! frame of the protocol both ways (and every truncation of each) and compare. Like serde it
//! skips members it does not know, defaults the optional ones and refuses a missing required
//! one; like the server's frames (see `ServerMsg`), `type` is the first member. Of
//! `Message::options` it keeps only whether there are any (one empty choice): the widget
//! leaves choosing to an on-demand panel that reads them.
//! Writing JSON stays with serde (`Serialize` is small).

use protocol::{
    AgentId, Conversation, ConversationId, ConversationStatus, ErrorCode, Message, MessageId,
    MessageKind, Participant, Principal, ServerMsg, SessionResponse, VisitorId,
};

use crate::transport::Queued;
use protocol::helpdesk::{Ticket, TicketRef, TicketStatus};

/// Deeper than any frame nests: a hostile or broken peer cannot recurse the stack away.
const MAX_DEPTH: u32 = 32;

struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
    depth: u32,
}

type Step = Option<()>;

impl Cursor<'_> {
    fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.text.get(self.at) {
            self.at += 1;
        }
        self.text.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = *self.text.get(self.at)?;
        self.at += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Step {
        (self.peek()? == c).then(|| self.at += 1)
    }

    fn word(&mut self, word: &[u8]) -> Step {
        self.peek()?;
        self.text[self.at..]
            .starts_with(word)
            .then(|| self.at += word.len())
    }

    /// An integer (JSON's grammar: no leading `+` or zeros); a fraction or exponent is refused,
    /// as serde refuses it for an integer field.
    fn int(&mut self) -> Option<i64> {
        let negative = self.peek()? == b'-';
        if negative {
            self.at += 1;
        }
        let start = self.at;
        let mut n: i64 = 0;
        while let Some(d @ b'0'..=b'9') = self.text.get(self.at).copied() {
            let d = i64::from(d - b'0');
            n = n.checked_mul(10)?;
            n = if negative {
                n.checked_sub(d)?
            } else {
                n.checked_add(d)?
            };
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && self.text[start] == b'0';
        let fraction = matches!(self.text.get(self.at), Some(b'.' | b'e' | b'E'));
        (digits > 0 && !leading_zero && !fraction).then_some(n)
    }

    fn bool(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' => self.word(b"true").map(|()| true),
            _ => self.word(b"false").map(|()| false),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        digits
            .iter()
            .try_fold(0, |n, &d| Some(n * 16 + char::from(d).to_digit(16)?))
    }

    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            match self.next()? {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let escaped = match self.next()? {
                        c @ (b'"' | b'\\' | b'/') => char::from(c),
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code) {
                                // A high surrogate: its low half must follow.
                                (self.next()? == b'\\' && self.next()? == b'u').then_some(())?;
                                let low = self.hex4()?;
                                (0xDC00..0xE000).contains(&low).then_some(())?;
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            }
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    out.extend_from_slice(escaped.encode_utf8(&mut [0; 4]).as_bytes());
                }
                // Control characters must be escaped in JSON.
                0..=0x1f => return None,
                c => out.push(c),
            }
        }
    }

    /// `null` (then `None`) or what `read` reads.
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.peek()? == b'n' {
            self.word(b"null").map(|()| None)
        } else {
            read(self).map(Some)
        }
    }

    fn nested<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.depth += 1;
        let value = (self.depth <= MAX_DEPTH).then(|| read(self)).flatten();
        self.depth -= 1;
        value
    }

    /// An object's members after `{` (and after any already read): `member` reads each value.
    fn members(
        &mut self,
        mut first: bool,
        mut member: impl FnMut(&mut Self, &str) -> Step,
    ) -> Step {
        loop {
            if self.eat(b'}').is_some() {
                return Some(());
            }
            if !first {
                self.eat(b',')?;
            }
            first = false;
            let key = self.string()?;
            self.eat(b':')?;
            member(self, &key)?;
        }
    }

    fn object(&mut self, member: impl FnMut(&mut Self, &str) -> Step) -> Step {
        self.nested(|c| {
            c.eat(b'{')?;
            c.members(true, member)
        })
    }

    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.nested(|c| {
            c.eat(b'[')?;
            let mut items = Vec::new();
            if c.eat(b']').is_some() {
                return Some(items);
            }
            loop {
                items.push(item(c)?);
                if c.eat(b']').is_some() {
                    return Some(items);
                }
                c.eat(b',')?;
            }
        })
    }

    /// Any JSON value, read and dropped (a member this reader does not know).
    fn skip(&mut self) -> Step {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|c, _| c.skip()),
            b'[' => self.array(Self::skip).map(drop),
            b't' | b'f' => self.bool().map(drop),
            b'n' => self.word(b"null"),
            _ => {
                let start = self.at;
                while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') =
                    self.text.get(self.at)
                {
                    self.at += 1;
                }
                (self.at > start).then_some(())
            }
        }
    }

    fn ticket(&mut self) -> Option<TicketRef> {
        let (mut number, mut subject) = (None, None);
        self.object(|c, key| {
            match key {
                "number" => number = Some(c.string()?),
                "subject" => subject = Some(c.string()?),
                _ => c.skip()?,
            }
            Some(())
        })?;
        Some(TicketRef {
            number: number?,
            subject: subject?,
        })
    }

    fn participant(&mut self) -> Option<Participant> {
        let (mut role, mut id, mut name) = (None, None, None);
        self.object(|c, key| {
            match key {
                "role" => role = Some(c.string()?),
                "id" => id = Some(c.int()?),
                "name" => name = Some(c.string()?),
                _ => c.skip()?,
            }
            Some(())
        })?;
        let id = id?;
        let principal = match role?.as_str() {
            "visitor" => Principal::Visitor(VisitorId(id)),
            "agent" => Principal::Agent(AgentId(id)),
            _ => return None,
        };
        Some(Participant::new(principal, name?))
    }

    fn conversation(&mut self) -> Option<Conversation> {
        let (mut id, mut status, mut visitor, mut agents) = (None, None, None, None);
        let (mut created_at, mut last_seq) = (None, None);
        self.object(|c, key| {
            match key {
                "id" => id = Some(ConversationId(c.int()?)),
                "status" => {
                    status = Some(match c.string()?.as_str() {
                        "waiting" => ConversationStatus::Waiting,
                        "active" => ConversationStatus::Active,
                        "ended" => ConversationStatus::Ended,
                        _ => return None,
                    })
                }
                "visitor" => visitor = Some(c.participant()?),
                "agents" => agents = Some(c.array(Self::participant)?),
                "created_at" => created_at = Some(c.int()?),
                "last_seq" => last_seq = Some(c.int()?),
                _ => c.skip()?,
            }
            Some(())
        })?;
        Some(Conversation {
            id: id?,
            status: status?,
            visitor: visitor?,
            agents: agents?,
            created_at: created_at?,
            last_seq: last_seq?,
        })
    }

    fn message(&mut self) -> Option<Message> {
        let (mut id, mut conversation_id, mut seq, mut kind) = (None, None, None, None);
        let (mut author, mut body, mut client_id, mut sent_at) = (None, None, None, None);
        let mut options = Vec::new();
        self.object(|c, key| {
            match key {
                "id" => id = Some(MessageId(c.int()?)),
                "conversation_id" => conversation_id = Some(ConversationId(c.int()?)),
                "seq" => seq = Some(c.int()?),
                "kind" => {
                    kind = Some(match c.string()?.as_str() {
                        "text" => MessageKind::Text,
                        "system" => MessageKind::System,
                        _ => return None,
                    })
                }
                "author" => author = c.nullable(Self::participant)?,
                "body" => body = Some(c.string()?),
                "client_id" => client_id = c.nullable(Self::string)?,
                "sent_at" => sent_at = Some(c.int()?),
                "options" => {
                    c.skip()?;
                    options = vec![String::new()];
                }
                _ => c.skip()?,
            }
            Some(())
        })?;
        Some(Message {
            id: id?,
            conversation_id: conversation_id?,
            seq: seq?,
            kind: kind?,
            author,
            body: body?,
            client_id,
            sent_at: sent_at?,
            options,
        })
    }
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            text: text.as_bytes(),
            at: 0,
            depth: 0,
        }
    }

    /// Nothing but whitespace left.
    fn done(&mut self) -> Step {
        self.peek().is_none().then_some(())
    }
}

/// `text` as one JSON object whose members `member` reads (skipping the others), and nothing
/// after it.
fn whole_object(text: &str, member: impl FnMut(&mut Cursor<'_>, &str) -> Step) -> Step {
    let mut c = Cursor::new(text);
    c.object(member)?;
    c.done()
}

/// An object of string members, e.g. `{"token": …, "name": …}`: the values of `names`, in
/// that order; `None` when one is missing or not a string.
pub fn string_members<const N: usize>(text: &str, names: [&str; N]) -> Option<[String; N]> {
    let mut found: [Option<String>; N] = std::array::from_fn(|_| None);
    whole_object(text, |c, key| match names.iter().position(|n| *n == key) {
        Some(i) => c.string().map(|s| found[i] = Some(s)),
        None => c.skip(),
    })?;
    if found.iter().any(Option::is_none) {
        return None;
    }
    Some(found.map(Option::unwrap_or_default))
}

/// An object of string members, all of them in order (a locale's catalogue, see
/// [`crate::i18n`]).
pub fn string_object(text: &str) -> Option<Vec<(String, String)>> {
    let mut members = Vec::new();
    whole_object(text, |c, key| {
        members.push((key.to_owned(), c.string()?));
        Some(())
    })?;
    Some(members)
}

/// A JSON string on its own (a value `gloo_storage` stored).
pub fn json_string(text: &str) -> Option<String> {
    let mut c = Cursor::new(text);
    let s = c.string()?;
    c.done()?;
    Some(s)
}

/// `POST /api/contact/session`'s answer, as far as the widget uses it: the token, who the
/// contact chats as, and the contact's id.
pub fn read_contact_session(text: &str) -> Option<(String, Participant, String)> {
    let (mut token, mut me, mut contact) = (None, None, None);
    whole_object(text, |c, key| {
        match key {
            "token" => token = Some(c.string()?),
            "me" => me = Some(c.participant()?),
            "contact" => {
                let mut id = None;
                c.object(|c, key| match key {
                    "id" => c.string().map(|s| id = Some(s)),
                    _ => c.skip(),
                })?;
                contact = Some(id?);
            }
            _ => c.skip()?,
        }
        Some(())
    })?;
    Some((token?, me?, contact?))
}

/// `GET /api/contact/tickets`: the tickets.
pub fn read_tickets(text: &str) -> Option<Vec<Ticket>> {
    let mut tickets = None;
    whole_object(text, |c, key| match key {
        "tickets" => c
            .array(|c| {
                let (mut number, mut subject, mut status) = (None, None, None);
                let (mut contact, mut created_at, mut updated_at) = (None, None, None);
                c.object(|c, key| {
                    match key {
                        "number" => number = Some(c.string()?),
                        "subject" => subject = Some(c.string()?),
                        "status" => {
                            let wire = c.string()?;
                            status = Some(
                                [
                                    TicketStatus::Open,
                                    TicketStatus::Pending,
                                    TicketStatus::Resolved,
                                    TicketStatus::Closed,
                                ]
                                .into_iter()
                                .find(|s| s.as_str() == wire)?,
                            );
                        }
                        "contact" => contact = Some(c.string()?),
                        "created_at" => created_at = Some(c.int()?),
                        "updated_at" => updated_at = Some(c.int()?),
                        _ => c.skip()?,
                    }
                    Some(())
                })?;
                Some(Ticket {
                    number: number?,
                    subject: subject?,
                    status: status?,
                    contact: contact?,
                    created_at: created_at?,
                    updated_at: updated_at?,
                })
            })
            .map(|t| tickets = Some(t)),
        _ => c.skip(),
    })?;
    tickets
}

/// `POST /api/visitor/session`'s answer.
pub fn read_session_response(text: &str) -> Option<SessionResponse> {
    let (mut token, mut me) = (None, None);
    whole_object(text, |c, key| {
        match key {
            "token" => token = Some(c.string()?),
            "me" => me = Some(c.participant()?),
            _ => c.skip()?,
        }
        Some(())
    })?;
    Some(SessionResponse {
        token: token?,
        me: me?,
    })
}

/// The outbox as the transport stores it: a list of unacknowledged sends.
pub fn read_outbox(text: &str) -> Option<Vec<Queued>> {
    let mut c = Cursor::new(text);
    let queued = c.array(|c| {
        let (mut client_id, mut conversation_id, mut body) = (None, None, None);
        c.object(|c, key| {
            match key {
                "client_id" => client_id = Some(c.string()?),
                "conversation_id" => {
                    conversation_id = c.nullable(|c| c.int().map(ConversationId))?
                }
                "body" => body = Some(c.string()?),
                _ => c.skip()?,
            }
            Some(())
        })?;
        Some(Queued {
            client_id: client_id?,
            conversation_id,
            body: body?,
        })
    })?;
    c.done()?;
    Some(queued)
}

/// One server frame as an anonymous visitor reads it; `None` for anything else (malformed, not
/// a visitor's frame, trailing text).
pub fn decode_visitor_frame(text: &str) -> Option<ServerMsg> {
    decode_frame::<false>(text)
}

/// One server frame as a verified contact reads it: a visitor's frames and `ticket_linked`.
pub fn decode_contact_frame(text: &str) -> Option<ServerMsg> {
    decode_frame::<true>(text)
}

/// A frame for an anonymous visitor, or (`CONTACT`) a verified contact; a constant, so the
/// anonymous widget carries no code for the ticket frame.
fn decode_frame<const CONTACT: bool>(text: &str) -> Option<ServerMsg> {
    let mut c = Cursor::new(text);
    c.depth = 1;
    c.eat(b'{')?;
    (c.string()? == "type").then_some(())?;
    c.eat(b':')?;
    let kind = c.string()?;
    // Each frame's members, by name; what a frame does not take is skipped.
    let (mut conversation_id, mut message, mut client_id, mut name) = (None, None, None, None);
    let (mut conversation, mut me, mut conversations, mut messages) = (None, None, None, None);
    // `number`: welcome's protocol version, or queue_position's position.
    let (mut number, mut code, mut text_member) = (None, None, None);
    let (mut reset, mut more) = (false, false);
    let mut ticket = None;
    c.members(false, |c, key| {
        match (kind.as_str(), key) {
            ("welcome", "protocol") => number = Some(u32::try_from(c.int()?).ok()?),
            ("welcome", "me") => me = Some(c.participant()?),
            ("welcome", "conversations") => conversations = Some(c.array(Cursor::conversation)?),
            ("history" | "typing" | "ticket_linked" | "queue_position", "conversation_id") => {
                conversation_id = Some(ConversationId(c.int()?))
            }
            ("ticket_linked", "ticket") if CONTACT => ticket = c.nullable(Cursor::ticket)?,
            ("history", "messages") => messages = Some(c.array(Cursor::message)?),
            ("history", "reset") => reset = c.bool()?,
            ("history", "more") => more = c.bool()?,
            ("message" | "ack", "message") => message = Some(c.message()?),
            ("ack", "client_id") => client_id = Some(c.string()?),
            ("error", "client_id") => client_id = c.nullable(Cursor::string)?,
            ("conversation", "conversation") => conversation = Some(c.conversation()?),
            ("typing", "name") => name = Some(c.string()?),
            ("error", "code") => {
                let wire = c.string()?;
                code = Some(*ErrorCode::ALL.iter().find(|e| e.as_str() == wire)?);
            }
            ("error", "message") => text_member = Some(c.string()?),
            ("queue_position", "position") => number = Some(u32::try_from(c.int()?).ok()?),
            _ => c.skip()?,
        }
        Some(())
    })?;
    c.done()?;
    Some(match kind.as_str() {
        "welcome" => ServerMsg::Welcome {
            protocol: number?,
            me: me?,
            conversations: conversations?,
        },
        "history" => ServerMsg::History {
            conversation_id: conversation_id?,
            messages: messages?,
            reset,
            more,
        },
        "message" => ServerMsg::Message { message: message? },
        "ack" => ServerMsg::Ack {
            client_id: client_id?,
            message: message?,
        },
        "conversation" => ServerMsg::Conversation {
            conversation: conversation?,
        },
        "queue_position" => ServerMsg::QueuePosition {
            conversation_id: conversation_id?,
            position: number?,
        },
        "typing" => ServerMsg::Typing {
            conversation_id: conversation_id?,
            name: name?,
        },
        "error" => ServerMsg::Error {
            code: code?,
            message: text_member?,
            client_id,
        },
        "ticket_linked" if CONTACT => ServerMsg::TicketLinked {
            conversation_id: conversation_id?,
            ticket,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde's visitor decoder reads, with `options` as the reader keeps them.
    fn serde_reads(text: &str) -> Option<ServerMsg> {
        let mut de = serde_json::Deserializer::from_str(text);
        let mut msg = ServerMsg::deserialize_for_visitor(&mut de).ok()?;
        de.end().ok()?;
        let lean = |m: &mut protocol::Message| {
            if !m.options.is_empty() {
                m.options = vec![String::new()];
            }
        };
        match &mut msg {
            ServerMsg::Message { message } | ServerMsg::Ack { message, .. } => lean(message),
            ServerMsg::History { messages, .. } => messages.iter_mut().for_each(lean),
            _ => {}
        }
        Some(msg)
    }

    /// `text` without the whitespace between tokens (as the server sends frames), member order
    /// kept (a `serde_json::Value` would sort the members and move `type`).
    fn minify(text: &str) -> String {
        let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
        for c in text.chars() {
            if in_string {
                in_string = escaped || c != '"';
                escaped = !escaped && c == '\\';
            } else if c == '"' {
                in_string = true;
            } else if c.is_whitespace() {
                continue;
            }
            out.push(c);
        }
        out
    }

    fn golden_frames() -> Vec<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../protocol/tests/golden");
        let mut frames: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("server_")
            })
            .map(|p| {
                let name = p.file_name().unwrap().to_str().unwrap().to_owned();
                (name, std::fs::read_to_string(p).unwrap())
            })
            .collect();
        frames.sort();
        assert!(frames.len() > 20, "the golden frames are where they were");
        frames
    }

    #[test]
    fn every_golden_frame_reads_as_serde_reads_it_pretty_and_compact() {
        let mut read = 0;
        for (name, text) in golden_frames() {
            let compact = minify(&text);
            for form in [&text, &compact] {
                let theirs = serde_reads(form);
                assert_eq!(decode_visitor_frame(form), theirs, "{name}");
                read += usize::from(theirs.is_some());
            }
        }
        assert!(
            read >= 20,
            "the visitor's frames were read, not only refused: {read}"
        );
    }

    /// What serde's contact decoder reads, with `options` as the lean decoder keeps them.
    fn serde_reads_for_contact(text: &str) -> Option<ServerMsg> {
        let mut de = serde_json::Deserializer::from_str(text);
        let msg = ServerMsg::deserialize_for_contact(&mut de).ok()?;
        de.end().ok()?;
        // the same normalisation as for the visitor's frames
        let json = serde_json::to_string(&msg).ok()?;
        serde_reads(&json).or(Some(msg))
    }

    #[test]
    fn every_golden_frame_reads_for_a_contact_as_serde_reads_it() {
        let mut tickets = 0;
        for (name, text) in golden_frames() {
            for form in [text.clone(), minify(&text)] {
                let theirs = serde_reads_for_contact(&form);
                assert_eq!(decode_contact_frame(&form), theirs, "{name}");
                tickets += usize::from(matches!(theirs, Some(ServerMsg::TicketLinked { .. })));
            }
            for end in (0..text.len()).filter(|e| text.is_char_boundary(*e)) {
                let cut = &text[..end];
                assert_eq!(
                    decode_contact_frame(cut),
                    serde_reads_for_contact(cut),
                    "{name} at {end}"
                );
            }
        }
        assert_eq!(tickets, 4, "linked and unlinked, pretty and minified");
        // the anonymous reader refuses the ticket frame, as serde's visitor decoder does
        let linked = r#"{"type":"ticket_linked","conversation_id":3,"ticket":null}"#;
        assert_eq!(decode_visitor_frame(linked), None);
        assert!(decode_contact_frame(linked).is_some());
    }

    #[test]
    fn every_truncation_and_a_trailing_extra_is_refused_like_serde_refuses_it() {
        for (name, text) in golden_frames() {
            for end in 0..text.len() {
                if text.is_char_boundary(end) {
                    let cut = &text[..end];
                    assert_eq!(
                        decode_visitor_frame(cut),
                        serde_reads(cut),
                        "{name} at {end}"
                    );
                }
            }
            let extra = format!("{text} x");
            assert_eq!(decode_visitor_frame(&extra), None, "{name}");
        }
    }

    #[test]
    fn strings_numbers_and_members_read_as_serde_reads_them() {
        let typing =
            |name: &str| format!(r#"{{"type":"typing","conversation_id":3,"name":{name}}}"#);
        for name in [
            r#""Ada""#,
            r#""caf\u00e9 \"quoted\" back\\slash \/ \n\t\r\b\f""#,
            r#""smile \ud83d\ude00""#,
            r#""lone \ud83d""#,
            r#""low \ude00""#,
            r#""bad \x""#,
            "\"raw\ttab\"",
            r#""é ü 😀""#,
            "7",
            "null",
        ] {
            let text = typing(name);
            assert_eq!(decode_visitor_frame(&text), serde_reads(&text), "{text}");
        }
        for frame in [
            // ids: integers only, no leading zeros, no fractions, within i64
            r#"{"type":"typing","conversation_id":03,"name":"A"}"#,
            r#"{"type":"typing","conversation_id":3.0,"name":"A"}"#,
            r#"{"type":"typing","conversation_id":-3,"name":"A"}"#,
            r#"{"type":"typing","conversation_id":1e3,"name":"A"}"#,
            r#"{"type":"typing","conversation_id":9223372036854775807,"name":"A"}"#,
            r#"{"type":"typing","conversation_id":9223372036854775808,"name":"A"}"#,
            r#"{"type":"typing","conversation_id":-,"name":"A"}"#,
            // unknown members of any shape are skipped; missing ones refuse the frame
            r#"{"type":"typing","extra":{"a":[1,2.5e-3,true,null,"x"]},"conversation_id":3,"name":"A"}"#,
            r#"{"type":"typing","conversation_id":3}"#,
            // the tag first, known, and a visitor's
            r#"{"conversation_id":3,"type":"typing","name":"A"}"#,
            r#"{"type":"nonsense","conversation_id":3}"#,
            r#"{"type":"queue","requests":[]}"#,
            r#"{"type":"ticket_linked","conversation_id":3,"ticket":null}"#,
            // optional members: absent, null or set
            r#"{"type":"error","code":"rate_limited","message":"slow down"}"#,
            r#"{"type":"error","code":"rate_limited","message":"slow down","client_id":null}"#,
            r#"{"type":"error","code":"rate_limited","message":"slow down","client_id":"c1"}"#,
            r#"{"type":"error","code":"no_such_code","message":"?"}"#,
            r#"{"type":"history","conversation_id":3,"messages":[],"reset":true}"#,
            r#"{"type":"history","conversation_id":3,"messages":[],"more":1}"#,
            // not JSON objects
            "",
            "[]",
            "null",
            r#"{"type":"typing","conversation_id":3,"name":"A",}"#,
        ] {
            assert_eq!(decode_visitor_frame(frame), serde_reads(frame), "{frame}");
        }
    }

    #[test]
    fn the_session_answer_and_stored_values_read_as_serde_reads_them() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../protocol/tests/golden");
        let answer = std::fs::read_to_string(format!("{dir}/rest_session_response.json")).unwrap();
        let theirs: protocol::SessionResponse = serde_json::from_str(&answer).unwrap();
        assert_eq!(read_session_response(&answer), Some(theirs));
        assert_eq!(read_session_response(r#"{"token":"t"}"#), None, "no `me`");
        assert_eq!(read_session_response(r#"{"token":"t","me":{}} x"#), None);

        let session = r#"{"token":"v_abc","name":"Marta \"M\"","extra":[1]}"#;
        assert_eq!(
            string_members(session, ["token", "name"]),
            Some(["v_abc".to_owned(), "Marta \"M\"".to_owned()])
        );
        assert_eq!(string_members(r#"{"token":"v"}"#, ["token", "name"]), None);
        assert_eq!(
            string_members(r#"{"token":1,"name":"M"}"#, ["token", "name"]),
            None
        );
        assert_eq!(string_members("not json", ["token"]), None);

        let queued = r#"[{"client_id":"c1","conversation_id":4,"body":"hi"},
            {"client_id":"c2","conversation_id":null,"body":"there"},{"client_id":"c3","body":"!"}]"#;
        let theirs: Vec<Queued> = serde_json::from_str(queued).unwrap();
        assert_eq!(read_outbox(queued), Some(theirs));
        assert_eq!(read_outbox("[]"), Some(Vec::new()));
        assert_eq!(read_outbox(r#"[{"client_id":"c1"}]"#), None, "no body");
        assert_eq!(read_outbox("{}"), None);
    }

    #[test]
    fn a_contacts_answers_read_as_serde_reads_them() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../protocol/tests/golden");
        let read = |name: &str| std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        let answer = read("rest_contact_session_response");
        let theirs: protocol::helpdesk::ContactSessionResponse =
            serde_json::from_str(&answer).unwrap();
        assert_eq!(
            read_contact_session(&answer),
            Some((theirs.token, theirs.me, theirs.contact.id))
        );
        let list = read("rest_ticket_list");
        let theirs: protocol::helpdesk::TicketList = serde_json::from_str(&list).unwrap();
        assert!(!theirs.tickets.is_empty());
        assert_eq!(read_tickets(&list), Some(theirs.tickets));
        assert_eq!(read_tickets(r#"{"tickets":[{"number":"T-1"}]}"#), None);
        assert_eq!(json_string(r#""c-100""#).as_deref(), Some("c-100"));
        assert_eq!(json_string("c-100"), None);
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing_away() {
        let deep = format!(
            r#"{{"type":"typing","x":{}{},"conversation_id":3,"name":"A"}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(decode_visitor_frame(&deep), None);
    }
}
