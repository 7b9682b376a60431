//! Sections and routing in SQLite (`sections`, `section_members`, `rejections`, and the
//! `section_id`/`abandoned_at` columns of `conversations`): which section a new request goes
//! to, which agents it is offered to, rejecting, and abandoning requests nobody answered.
//!
//! The rule, in one place ([`audience`]): with no sections set up, every agent answers every
//! request. Otherwise a request is offered to the members of its section when that section
//! takes its kind of visitor (anonymous or verified contact), else to the members of every
//! section that does; never to an agent who rejected it.

use protocol::workspace::{
    AbandonedChat, MAX_SECTION_NAME_CHARS, Section, SectionChoice, SectionInput,
};
use protocol::{
    AgentId, ChatRequest, ConversationId, Identity, Millis, Participant, Principal, VisitorId,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::SqliteStore;
use super::identities::agent_of;
use super::messages::insert_system_message;
use super::rows::{audit, load_chat_settings, load_conversation, load_facts};
use crate::policy;
use crate::store::{Abandoned, Actor, Audience, RoutingStore, StoreError, now_millis};

/// What the visitor is told when their request is abandoned.
pub const ABANDONED_LINE: &str = "Sorry, nobody could answer right now. Leave your message \
     here and we will get back to you as soon as we can.";

/// Is `visitor` a verified portal contact?
fn is_contact(conn: &Connection, visitor: VisitorId) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM contacts WHERE visitor_id = ?1)",
        [visitor.0],
        |r| r.get(0),
    )?)
}

/// The column saying whether a section takes this kind of visitor.
fn takes(contact: bool) -> &'static str {
    if contact {
        "contact_chat"
    } else {
        "anonymous_chat"
    }
}

/// Does section `id` exist and take this kind of visitor?
fn section_takes(conn: &Connection, id: i64, contact: bool) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {} FROM sections WHERE id = ?1", takes(contact)),
            [id],
            |r| r.get::<_, bool>(0),
        )
        .optional()?
        .unwrap_or(false))
}

/// The section of `visitor`'s company (contacts only; `None` for none).
fn company_section(conn: &Connection, visitor: VisitorId) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT co.section_id FROM contacts c JOIN companies co ON co.id = c.company_id \
             WHERE c.visitor_id = ?1",
            [visitor.0],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// The sections a visitor of this kind may pick in the widget: none unless the site lets
/// visitors choose, their company names no section of its own that takes them, and more than
/// one section takes them (one is no choice). By name.
pub(super) fn section_choices(
    conn: &Connection,
    contact: bool,
    company_section: Option<i64>,
) -> Result<Vec<SectionChoice>, StoreError> {
    if !load_chat_settings(conn)?.section_choice {
        return Ok(Vec::new());
    }
    if let Some(id) = company_section
        && section_takes(conn, id, contact)?
    {
        return Ok(Vec::new());
    }
    let choices = conn
        .prepare(&format!(
            "SELECT id, name FROM sections WHERE {} ORDER BY name COLLATE NOCASE, id",
            takes(contact)
        ))?
        .query_map([], |r| {
            Ok(SectionChoice {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if choices.len() > 1 {
        choices
    } else {
        Vec::new()
    })
}

/// The section a new request of `visitor` is routed to: their company's for a contact, else
/// the one they picked (while the site lets them), else the site's, when that section takes
/// this kind of visitor; `None` (every eligible section) otherwise.
pub(super) fn route(tx: &Transaction<'_>, visitor: VisitorId) -> Result<Option<i64>, StoreError> {
    let contact = is_contact(tx, visitor)?;
    let company = if contact {
        company_section(tx, visitor)?
    } else {
        None
    };
    let settings = load_chat_settings(tx)?;
    let picked: Option<i64> = if settings.section_choice {
        tx.query_row(
            "SELECT section_pick FROM visitors WHERE id = ?1",
            [visitor.0],
            |r| r.get(0),
        )
        .optional()?
        .flatten()
    } else {
        None
    };
    for id in [company, picked, settings.default_section]
        .into_iter()
        .flatten()
    {
        if section_takes(tx, id, contact)? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Who conversation `id` (waiting, or a live chat an agent might join) is offered to.
pub(super) fn audience(conn: &Connection, id: ConversationId) -> Result<Audience, StoreError> {
    let except = conn
        .prepare_cached("SELECT agent_id FROM rejections WHERE conversation_id = ?1")?
        .query_map([id.0], |r| r.get(0).map(AgentId))?
        .collect::<Result<Vec<_>, _>>()?;
    let (visitor, section): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT visitor_id, section_id FROM conversations WHERE id = ?1",
        [id.0],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    // A team chat (no visitor) is offered to nobody: it is not a request.
    let Some(visitor) = visitor else {
        return Ok(Audience {
            only: Some(Vec::new()),
            except,
        });
    };
    let any: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sections)", [], |r| r.get(0))?;
    if !any {
        return Ok(Audience { only: None, except });
    }
    let contact = is_contact(conn, VisitorId(visitor))?;
    let only = match section {
        Some(s) if section_takes(conn, s, contact)? => conn
            .prepare_cached("SELECT agent_id FROM section_members WHERE section_id = ?1")?
            .query_map([s], |r| r.get(0).map(AgentId))?
            .collect::<Result<Vec<_>, _>>()?,
        _ => conn
            .prepare(&format!(
                "SELECT DISTINCT m.agent_id FROM section_members m \
                 JOIN sections s ON s.id = m.section_id WHERE s.{}",
                takes(contact)
            ))?
            .query_map([], |r| r.get(0).map(AgentId))?
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(Audience {
        only: Some(only),
        except,
    })
}

/// Members of section `id`.
pub(super) fn section_members(conn: &Connection, id: i64) -> Result<Vec<AgentId>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT agent_id FROM section_members WHERE section_id = ?1")?
        .query_map([id], |r| r.get(0).map(AgentId))?
        .collect::<Result<Vec<_>, _>>()?)
}

fn load_section(conn: &Connection, id: i64) -> Result<Option<Section>, StoreError> {
    let row = conn
        .query_row(
            "SELECT name, anonymous_chat, contact_chat FROM sections WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((name, anonymous_chat, contact_chat)) = row else {
        return Ok(None);
    };
    let mut members = section_members(conn, id)?;
    members.sort();
    Ok(Some(Section {
        id,
        name,
        anonymous_chat,
        contact_chat,
        members,
    }))
}

/// Check a section's input and write its members (replacing the old ones).
fn write_section(tx: &Transaction<'_>, id: i64, input: &SectionInput) -> Result<(), StoreError> {
    tx.execute("DELETE FROM section_members WHERE section_id = ?1", [id])?;
    for agent in &input.members {
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM agents WHERE id = ?1)",
            [agent.0],
            |r| r.get(0),
        )?;
        if !known {
            return Err(StoreError::Invalid(format!("no agent with id {}", agent.0)));
        }
        tx.execute(
            "INSERT OR IGNORE INTO section_members (section_id, agent_id) VALUES (?1, ?2)",
            params![id, agent.0],
        )?;
    }
    Ok(())
}

/// The section name, trimmed and within its bounds; a clash with another section's name is
/// `Invalid` too (names are how people tell sections apart).
fn section_name(
    tx: &Transaction<'_>,
    input: &SectionInput,
    id: Option<i64>,
) -> Result<String, StoreError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_SECTION_NAME_CHARS {
        return Err(StoreError::Invalid(format!(
            "a section's name is 1-{MAX_SECTION_NAME_CHARS} characters"
        )));
    }
    let clash: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sections WHERE name = ?1 AND id IS NOT ?2)",
        params![name, id],
        |r| r.get(0),
    )?;
    if clash {
        return Err(StoreError::Invalid(format!(
            "there is already a section called {name:?}"
        )));
    }
    Ok(name.to_owned())
}

/// Waiting requests (not abandoned), oldest first, as the queue shows them.
pub(super) fn waiting(conn: &Connection) -> Result<Vec<ChatRequest>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.visitor_id, v.name, c.created_at, \
         COALESCE((SELECT body FROM messages m \
                   WHERE m.conversation_id = c.id AND m.seq = 1), '') \
         FROM conversations c JOIN visitors v ON v.id = c.visitor_id \
         WHERE c.status = 'waiting' AND c.abandoned_at IS NULL ORDER BY c.id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(ChatRequest {
                conversation_id: ConversationId(r.get(0)?),
                visitor: Participant::new(
                    Principal::Visitor(VisitorId(r.get(1)?)),
                    r.get::<_, String>(2)?,
                ),
                created_at: r.get(3)?,
                preview: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Waiting requests older than the site's abandon time (never sooner than the visitor was
/// offered a callback), a hundred at a time.
fn due_for_abandoning(conn: &Connection, now: Millis) -> Result<Vec<ConversationId>, StoreError> {
    let settings = load_chat_settings(conn)?;
    if settings.abandon_after_secs == 0 {
        return Ok(Vec::new());
    }
    let wait = settings
        .abandon_after_secs
        .max(settings.unanswered_after_secs);
    Ok(conn
        .prepare_cached(
            "SELECT id FROM conversations WHERE status = 'waiting' \
             AND abandoned_at IS NULL AND created_at <= ?1 ORDER BY id LIMIT 100",
        )?
        .query_map([now - i64::from(wait) * 1000], |r| {
            r.get(0).map(ConversationId)
        })?
        .collect::<Result<Vec<_>, _>>()?)
}

impl RoutingStore for SqliteStore {
    fn sections(&self) -> Result<Vec<Section>, StoreError> {
        self.with(|c| {
            let ids = c
                .prepare("SELECT id FROM sections ORDER BY name, id")?
                .query_map([], |r| r.get::<_, i64>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ids
                .into_iter()
                .map(|id| load_section(c, id))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect())
        })
    }

    fn add_section(&self, actor: Actor, input: &SectionInput) -> Result<Section, StoreError> {
        self.write(|tx| {
            let name = section_name(tx, input, None)?;
            tx.execute(
                "INSERT INTO sections (name, anonymous_chat, contact_chat, created_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![name, input.anonymous_chat, input.contact_chat, now_millis()],
            )?;
            let id = tx.last_insert_rowid();
            write_section(tx, id, input)?;
            audit(tx, actor, "section.add", &format!("section:{id}"), input)?;
            load_section(tx, id)?.ok_or_else(|| StoreError::Corrupt("section vanished".into()))
        })
    }

    fn update_section(
        &self,
        actor: Actor,
        id: i64,
        input: &SectionInput,
    ) -> Result<Option<Section>, StoreError> {
        self.write(|tx| {
            if load_section(tx, id)?.is_none() {
                return Ok(None);
            }
            let name = section_name(tx, input, Some(id))?;
            tx.execute(
                "UPDATE sections SET name = ?2, anonymous_chat = ?3, contact_chat = ?4 \
                 WHERE id = ?1",
                params![id, name, input.anonymous_chat, input.contact_chat],
            )?;
            write_section(tx, id, input)?;
            audit(tx, actor, "section.put", &format!("section:{id}"), input)?;
            load_section(tx, id)
        })
    }

    fn delete_section(&self, actor: Actor, id: i64) -> Result<bool, StoreError> {
        self.write(|tx| {
            let gone = tx.execute("DELETE FROM sections WHERE id = ?1", [id])? == 1;
            if gone {
                audit(tx, actor, "section.delete", &format!("section:{id}"), &id)?;
            }
            Ok(gone)
        })
    }

    fn request_audience(&self, id: ConversationId) -> Result<Audience, StoreError> {
        self.with(|c| audience(c, id))
    }

    fn queue_for(&self, agent: AgentId) -> Result<Vec<ChatRequest>, StoreError> {
        self.with(|c| {
            let mut offered = Vec::new();
            for request in waiting(c)? {
                if audience(c, request.conversation_id)?.admits(agent) {
                    offered.push(request);
                }
            }
            Ok(offered)
        })
    }

    fn reject(&self, who: &Identity, id: ConversationId) -> Result<(), StoreError> {
        self.write(|tx| {
            let facts = load_facts(tx, id)?;
            let agent = agent_of(who)?;
            // In its sections (a second reject of the same request is harmless).
            let offered = facts.is_some() && audience(tx, id)?.in_sections(agent);
            policy::may_reject(who, facts.as_ref(), offered)?;
            tx.execute(
                "INSERT OR IGNORE INTO rejections (conversation_id, agent_id, rejected_at) \
                 VALUES (?1, ?2, ?3)",
                params![id.0, agent.0, now_millis()],
            )?;
            Ok(())
        })
    }

    fn abandon_due(&self, now: Millis) -> Result<Vec<Abandoned>, StoreError> {
        // Read first: this runs every second, and nearly always finds nothing to write.
        if self.with(|c| due_for_abandoning(c, now))?.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|tx| {
            let mut out = Vec::new();
            for id in due_for_abandoning(tx, now)? {
                tx.execute(
                    "UPDATE conversations SET abandoned_at = ?2 WHERE id = ?1",
                    params![id.0, now],
                )?;
                let system_message = insert_system_message(tx, id, ABANDONED_LINE)?;
                out.push(Abandoned {
                    conversation: load_conversation(tx, id)?,
                    system_message,
                });
            }
            Ok(out)
        })
    }

    fn queue_positions(&self) -> Result<Vec<(ConversationId, VisitorId, u32)>, StoreError> {
        self.with(|c| {
            let rows = c
                .prepare_cached(
                    "SELECT id, visitor_id, section_id FROM conversations \
                     WHERE status = 'waiting' AND abandoned_at IS NULL ORDER BY id",
                )?
                .query_map([], |r| {
                    Ok((
                        ConversationId(r.get(0)?),
                        VisitorId(r.get(1)?),
                        r.get::<_, Option<i64>>(2)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            // Requests routed the same way wait for the same agents: count within each.
            let mut ahead: std::collections::HashMap<Option<i64>, u32> = Default::default();
            Ok(rows
                .into_iter()
                .map(|(id, visitor, section)| {
                    let place = ahead.entry(section).or_default();
                    *place += 1;
                    (id, visitor, *place)
                })
                .collect())
        })
    }

    fn pick_section(&self, visitor: VisitorId, section: Option<i64>) -> Result<bool, StoreError> {
        self.with(|c| {
            if let Some(id) = section {
                let contact = is_contact(c, visitor)?;
                let company = if contact {
                    company_section(c, visitor)?
                } else {
                    None
                };
                if !section_choices(c, contact, company)?
                    .iter()
                    .any(|s| s.id == id)
                {
                    return Ok(false);
                }
            }
            c.execute(
                "UPDATE visitors SET section_pick = ?2 WHERE id = ?1",
                params![visitor.0, section],
            )?;
            Ok(true)
        })
    }

    fn abandoned_for(&self, agent: AgentId) -> Result<Vec<AbandonedChat>, StoreError> {
        self.with(|c| {
            let rows = c
                .prepare_cached(
                    "SELECT c.id, c.visitor_id, v.name, c.created_at, c.abandoned_at, \
                     COALESCE((SELECT body FROM messages m WHERE m.conversation_id = c.id \
                               AND m.author_role = 'visitor' ORDER BY m.seq DESC LIMIT 1), ''), \
                     (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id \
                      AND m.author_role = 'visitor') \
                     FROM conversations c JOIN visitors v ON v.id = c.visitor_id \
                     WHERE c.status = 'waiting' AND c.abandoned_at IS NOT NULL \
                     ORDER BY c.abandoned_at DESC, c.id DESC LIMIT 200",
                )?
                .query_map([], |r| {
                    Ok(AbandonedChat {
                        conversation_id: ConversationId(r.get(0)?),
                        visitor: Participant::new(
                            Principal::Visitor(VisitorId(r.get(1)?)),
                            r.get::<_, String>(2)?,
                        ),
                        created_at: r.get(3)?,
                        abandoned_at: r.get(4)?,
                        last_line: r.get(5)?,
                        messages: r.get(6)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut mine = Vec::new();
            for chat in rows {
                // Rejecting a request is not declining its follow-up: sections only.
                if audience(c, chat.conversation_id)?.in_sections(agent) {
                    mine.push(chat);
                }
            }
            Ok(mine)
        })
    }
}
