//! Sample protocol values for tests, so each test reads as its scenario rather than as struct
//! literals. Ids are fixed: Marta is visitor 1, Ada agent 7, Grace agent 8.

use protocol::{
    AgentId, ChatRequest, Conversation, ConversationId, ConversationStatus, Message, MessageId,
    MessageKind, Participant, Principal, VisitorId,
};

pub fn visitor(id: i64, name: &str) -> Participant {
    Participant::new(Principal::Visitor(VisitorId(id)), name)
}

pub fn agent(id: i64, name: &str) -> Participant {
    Participant::new(Principal::Agent(AgentId(id)), name)
}

pub fn marta() -> Participant {
    visitor(1, "Marta")
}

pub fn ada() -> Participant {
    agent(7, "Ada")
}

pub fn grace() -> Participant {
    agent(8, "Grace")
}

/// Conversation `id` of the visitor `visitor` (id 1), with Ada as its agent.
pub fn conversation(id: i64, status: ConversationStatus, visitor_name: &str) -> Conversation {
    Conversation {
        id: ConversationId(id),
        status,
        visitor: visitor(1, visitor_name),
        agents: vec![ada()],
        created_at: 1_700_000_000_000,
        last_seq: 0,
    }
}

pub fn text(id: i64, conv: i64, seq: i64, author: Participant, body: &str) -> Message {
    Message {
        id: MessageId(id),
        conversation_id: ConversationId(conv),
        seq,
        kind: MessageKind::Text,
        author: Some(author),
        body: body.into(),
        client_id: None,
        sent_at: 1_700_000_000_000 + seq * 1000,
        options: Vec::new(),
    }
}

pub fn system(id: i64, conv: i64, seq: i64, body: &str) -> Message {
    Message {
        kind: MessageKind::System,
        author: None,
        ..text(id, conv, seq, ada(), body)
    }
}

/// A waiting request of conversation `id` from visitor `id * 10`.
pub fn request(id: i64, name: &str, preview: &str, created_at: i64) -> ChatRequest {
    ChatRequest {
        conversation_id: ConversationId(id),
        visitor: visitor(id * 10, name),
        preview: preview.into(),
        created_at,
    }
}
