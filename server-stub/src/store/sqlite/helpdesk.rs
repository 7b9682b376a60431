//! The helpdesk in SQLite: `companies`, `contacts`, `tickets`, `ticket_notes`, `settings` and
//! `audit_log`, plus signing a contact in (their visitor identity and credential).

use protocol::helpdesk::{
    AuditEntry, Callback, CallbackRequest, ChatSettings, Company, CompanyInput, Contact,
    ContactInput, NoteInput, NoteKind, OfficeHours, PREVIEW_CHARS, PastConversation, Ticket,
    TicketDetail, TicketInput, TicketNote, TicketRef, TicketStatus, VisitorCard,
};
use protocol::{AgentId, ConversationId, Identity, Principal, VisitorId};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::SqliteStore;
use super::messages::insert_system_message;
use super::routing::section_choices;
use super::rows::{
    audit, insert_credential, load_chat_settings, load_conversation, load_facts,
    load_messages_after, load_office_hours, office_closed_now, store_setting, waited_unanswered,
};
use crate::credentials::TokenHash;
use crate::policy::{self, Denied};
use crate::store::{
    Actor, ChatTerms, ContactSignIn, HelpdeskStore, NewCredential, SignedInContact, StoreError,
    TicketLinkChange, display_name, now_millis,
};

const CONTACT_SELECT: &str = "SELECT ct.external_id, co.external_id, ct.name, ct.email, \
     ct.chat_enabled FROM contacts ct JOIN companies co ON co.id = ct.company_id";

const CALLBACK_SELECT: &str = "SELECT cb.id, cb.visitor_id, v.name, ct.external_id, \
     cb.conversation_id, t.number, cb.phone, cb.preferred_time, cb.note, cb.requested_at, \
     cb.done_at, a.name FROM callbacks cb \
     JOIN visitors v ON v.id = cb.visitor_id \
     LEFT JOIN contacts ct ON ct.visitor_id = cb.visitor_id \
     LEFT JOIN conversations c ON c.id = cb.conversation_id \
     LEFT JOIN tickets t ON t.id = c.ticket_id \
     LEFT JOIN agents a ON a.id = cb.done_by";

fn callback_row(r: &Row<'_>) -> rusqlite::Result<Callback> {
    Ok(Callback {
        id: r.get(0)?,
        visitor: protocol::Participant::new(
            Principal::Visitor(VisitorId(r.get(1)?)),
            r.get::<_, String>(2)?,
        ),
        contact: r.get(3)?,
        conversation_id: r.get::<_, Option<i64>>(4)?.map(ConversationId),
        ticket: r.get(5)?,
        phone: r.get(6)?,
        preferred_time: r.get(7)?,
        note: r.get(8)?,
        requested_at: r.get(9)?,
        done_at: r.get(10)?,
        done_by: r.get(11)?,
    })
}

fn load_callback(conn: &Connection, id: i64) -> Result<Option<Callback>, StoreError> {
    Ok(conn
        .query_row(
            &format!("{CALLBACK_SELECT} WHERE cb.id = ?1"),
            [id],
            callback_row,
        )
        .optional()?)
}

const TICKET_SELECT: &str = "SELECT t.number, t.subject, t.status, ct.external_id, \
     t.created_at, t.updated_at FROM tickets t JOIN contacts ct ON ct.id = t.contact_id";

fn contact_row(r: &Row<'_>) -> rusqlite::Result<Contact> {
    Ok(Contact {
        id: r.get(0)?,
        company: r.get(1)?,
        name: r.get(2)?,
        email: r.get(3)?,
        chat_enabled: r.get(4)?,
    })
}

fn ticket_row(r: &Row<'_>) -> rusqlite::Result<(Ticket, String)> {
    Ok((
        Ticket {
            number: r.get(0)?,
            subject: r.get(1)?,
            status: TicketStatus::Open,
            contact: r.get(3)?,
            created_at: r.get(4)?,
            updated_at: r.get(5)?,
        },
        r.get(2)?,
    ))
}

fn parse_status(s: &str) -> Result<TicketStatus, StoreError> {
    match s {
        "open" => Ok(TicketStatus::Open),
        "pending" => Ok(TicketStatus::Pending),
        "resolved" => Ok(TicketStatus::Resolved),
        "closed" => Ok(TicketStatus::Closed),
        other => Err(StoreError::Corrupt(format!("ticket status {other:?}"))),
    }
}

/// Tickets matching `filter` (SQL after `WHERE`, with `?1`), newest first.
fn load_tickets(
    conn: &Connection,
    filter: &str,
    arg: impl rusqlite::ToSql,
) -> Result<Vec<Ticket>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "{TICKET_SELECT} WHERE {filter} ORDER BY t.created_at DESC, t.id DESC"
    ))?;
    let rows = stmt
        .query_map([arg], ticket_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(mut t, status)| {
            t.status = parse_status(&status)?;
            Ok(t)
        })
        .collect()
}

fn load_contact(conn: &Connection, id: &str) -> Result<Option<Contact>, StoreError> {
    Ok(conn
        .query_row(
            &format!("{CONTACT_SELECT} WHERE ct.external_id = ?1"),
            [id],
            contact_row,
        )
        .optional()?)
}

fn load_company(conn: &Connection, id: &str) -> Result<Option<(i64, Company)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, external_id, name, chat_enabled, pre_ticket, section_id FROM companies \
             WHERE external_id = ?1",
            [id],
            |r| Ok((r.get(0)?, company_row(r, 1)?)),
        )
        .optional()?)
}

/// A company from `external_id, name, chat_enabled, pre_ticket, section_id` starting at
/// column `at`.
fn company_row(r: &Row<'_>, at: usize) -> rusqlite::Result<Company> {
    Ok(Company {
        id: r.get(at)?,
        name: r.get(at + 1)?,
        chat_enabled: r.get(at + 2)?,
        pre_ticket: r.get(at + 3)?,
        section: r.get(at + 4)?,
    })
}

/// Create `id` when missing (settings from `input`, or inherited when `None`), else update its
/// name and, given `input`, its settings; its row id.
fn upsert_company(
    tx: &Transaction<'_>,
    id: &str,
    name: &str,
    input: Option<&CompanyInput>,
) -> Result<i64, StoreError> {
    let now = now_millis();
    let settings = if input.is_some() {
        "chat_enabled = excluded.chat_enabled, pre_ticket = excluded.pre_ticket, \
         section_id = excluded.section_id, "
    } else {
        ""
    };
    let section = input.and_then(|i| i.section);
    if let Some(section) = section {
        super::rows::known_section(tx, section)?;
    }
    Ok(tx.query_row(
        &format!(
            "INSERT INTO companies (external_id, name, chat_enabled, pre_ticket, section_id, \
             created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) \
             ON CONFLICT (external_id) DO UPDATE SET name = excluded.name, {settings}\
             updated_at = excluded.updated_at RETURNING id"
        ),
        params![
            id,
            display_name(name),
            input.and_then(|i| i.chat_enabled),
            input.and_then(|i| i.pre_ticket),
            section,
            now
        ],
        |r| r.get(0),
    )?)
}

impl HelpdeskStore for SqliteStore {
    fn chat_settings(&self) -> Result<ChatSettings, StoreError> {
        self.with(|c| load_chat_settings(c))
    }

    fn office_hours(&self) -> Result<OfficeHours, StoreError> {
        self.with(|c| load_office_hours(c))
    }

    fn put_office_hours(&self, actor: Actor, hours: &OfficeHours) -> Result<(), StoreError> {
        self.write(|tx| {
            store_setting(tx, "office_hours", hours)?;
            audit(tx, actor, "office_hours.put", "office_hours", hours)
        })
    }

    fn put_chat_settings(&self, actor: Actor, settings: ChatSettings) -> Result<(), StoreError> {
        self.write(|tx| {
            store_setting(tx, "chat", &settings)?;
            audit(tx, actor, "settings.put", "settings", &settings)
        })
    }

    fn put_company(
        &self,
        actor: Actor,
        id: &str,
        input: &CompanyInput,
    ) -> Result<Company, StoreError> {
        self.write(|tx| {
            upsert_company(tx, id, &input.name, Some(input))?;
            audit(tx, actor, "company.put", &format!("company:{id}"), input)?;
            load_company(tx, id)?
                .map(|(_, c)| c)
                .ok_or_else(|| StoreError::Corrupt("company vanished".into()))
        })
    }

    fn companies(&self) -> Result<Vec<Company>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT external_id, name, chat_enabled, pre_ticket, section_id FROM companies \
                 ORDER BY external_id",
            )?;
            let rows = stmt
                .query_map([], |r| company_row(r, 0))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    fn put_contact(
        &self,
        actor: Actor,
        id: &str,
        input: &ContactInput,
    ) -> Result<Contact, StoreError> {
        self.write(|tx| {
            let (company, _) = load_company(tx, &input.company)?.ok_or_else(|| {
                StoreError::Invalid(format!("there is no company {:?}", input.company))
            })?;
            let now = now_millis();
            let name = display_name(&input.name);
            tx.execute(
                "INSERT INTO contacts \
                 (external_id, company_id, name, email, chat_enabled, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) \
                 ON CONFLICT (external_id) DO UPDATE SET company_id = excluded.company_id, \
                 name = excluded.name, email = excluded.email, \
                 chat_enabled = excluded.chat_enabled, updated_at = excluded.updated_at",
                params![id, company, name, input.email, input.chat_enabled, now],
            )?;
            // The name agents see on the contact's chats follows the helpdesk.
            tx.execute(
                "UPDATE visitors SET name = ?2 \
                 WHERE id = (SELECT visitor_id FROM contacts WHERE external_id = ?1)",
                params![id, name],
            )?;
            audit(tx, actor, "contact.put", &format!("contact:{id}"), input)?;
            load_contact(tx, id)?.ok_or_else(|| StoreError::Corrupt("contact vanished".into()))
        })
    }

    fn contacts(&self, company: Option<&str>) -> Result<Vec<Contact>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "{CONTACT_SELECT} WHERE ?1 IS NULL OR co.external_id = ?1 ORDER BY ct.external_id"
            ))?;
            let rows = stmt
                .query_map([company], contact_row)?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    fn put_ticket(
        &self,
        actor: Actor,
        number: &str,
        input: &TicketInput,
    ) -> Result<Ticket, StoreError> {
        self.write(|tx| {
            let contact: i64 = tx
                .query_row(
                    "SELECT id FROM contacts WHERE external_id = ?1",
                    [&input.contact],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| {
                    StoreError::Invalid(format!("there is no contact {:?}", input.contact))
                })?;
            let now = now_millis();
            tx.execute(
                "INSERT INTO tickets (number, subject, status, contact_id, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5) \
                 ON CONFLICT (number) DO UPDATE SET subject = excluded.subject, \
                 status = excluded.status, contact_id = excluded.contact_id, \
                 updated_at = excluded.updated_at",
                params![number, input.subject, input.status.as_str(), contact, now],
            )?;
            audit(tx, actor, "ticket.put", &format!("ticket:{number}"), input)?;
            load_tickets(tx, "t.number = ?1", number)?
                .pop()
                .ok_or_else(|| StoreError::Corrupt("ticket vanished".into()))
        })
    }

    fn ticket(&self, number: &str) -> Result<Option<TicketDetail>, StoreError> {
        self.with(|c| {
            let Some(ticket) = load_tickets(c, "t.number = ?1", number)?.pop() else {
                return Ok(None);
            };
            let mut stmt = c.prepare(
                "SELECT n.kind, n.author, n.body, n.created_at FROM ticket_notes n \
                 JOIN tickets t ON t.id = n.ticket_id WHERE t.number = ?1 ORDER BY n.id",
            )?;
            let notes = stmt
                .query_map([number], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        TicketNote {
                            kind: NoteKind::Note,
                            author: r.get(1)?,
                            body: r.get(2)?,
                            created_at: r.get(3)?,
                        },
                    ))
                })?
                .map(|row| {
                    let (kind, mut note) = row?;
                    note.kind = match kind.as_str() {
                        "transcript" => NoteKind::Transcript,
                        _ => NoteKind::Note,
                    };
                    Ok(note)
                })
                .collect::<Result<_, StoreError>>()?;
            Ok(Some(TicketDetail { ticket, notes }))
        })
    }

    fn add_ticket_note(
        &self,
        actor: Actor,
        number: &str,
        note: &NoteInput,
    ) -> Result<Option<TicketNote>, StoreError> {
        self.write(|tx| {
            let now = now_millis();
            let added = tx.execute(
                "INSERT INTO ticket_notes (ticket_id, kind, author, body, created_at) \
                 SELECT id, 'note', ?2, ?3, ?4 FROM tickets WHERE number = ?1",
                params![number, note.author, note.body, now],
            )?;
            if added == 0 {
                return Ok(None);
            }
            audit(tx, actor, "ticket.note", &format!("ticket:{number}"), note)?;
            Ok(Some(TicketNote {
                kind: NoteKind::Note,
                author: note.author.clone(),
                body: note.body.clone(),
                created_at: now,
            }))
        })
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT actor, action, target, detail, at FROM audit_log \
                 ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt
                .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                    Ok(AuditEntry {
                        actor: r.get(0)?,
                        action: r.get(1)?,
                        target: r.get(2)?,
                        detail: r.get(3)?,
                        at: r.get(4)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    fn sign_in_contact(
        &self,
        who: &ContactSignIn,
        adopt_from: Option<VisitorId>,
        (token, credential): (&TokenHash, &NewCredential),
    ) -> Result<SignedInContact, StoreError> {
        self.write(|tx| {
            let now = now_millis();
            // The company: an existing one keeps its name and setting (the admin API owns
            // them); a new one is created from the statement.
            let (company_row, company) = match load_company(tx, &who.company)? {
                Some(found) => found,
                None => {
                    let name = who.company_name.as_deref().unwrap_or(&who.company);
                    let row = upsert_company(tx, &who.company, name, None)?;
                    let (_, company) = load_company(tx, &who.company)?
                        .ok_or_else(|| StoreError::Corrupt("company vanished".into()))?;
                    (row, company)
                }
            };
            // The contact: the portal is the authority on who its logged-in user is, so the
            // statement's name, e-mail and company win; the chat setting stays the admin's.
            let name = display_name(&who.name);
            tx.execute(
                "INSERT INTO contacts \
                 (external_id, company_id, name, email, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5) \
                 ON CONFLICT (external_id) DO UPDATE SET company_id = excluded.company_id, \
                 name = excluded.name, email = excluded.email, updated_at = excluded.updated_at",
                params![who.contact, company_row, name, who.email, now],
            )?;
            let contact = load_contact(tx, &who.contact)?
                .ok_or_else(|| StoreError::Corrupt("contact vanished".into()))?;
            let global = load_chat_settings(tx)?.chat_enabled;
            if !policy::chat_allowed(global, company.chat_enabled, contact.chat_enabled) {
                return Err(Denied::ChatDisabled.into());
            }
            // The visitor identity the contact chats as, on every device.
            let existing: Option<i64> = tx.query_row(
                "SELECT visitor_id FROM contacts WHERE external_id = ?1",
                [&who.contact],
                |r| r.get(0),
            )?;
            let visitor = match existing {
                Some(id) => {
                    tx.execute(
                        "UPDATE visitors SET name = ?2 WHERE id = ?1",
                        params![id, name],
                    )?;
                    VisitorId(id)
                }
                None => {
                    tx.execute(
                        "INSERT INTO visitors (name, created_at) VALUES (?1, ?2)",
                        params![name, now],
                    )?;
                    let id = VisitorId(tx.last_insert_rowid());
                    tx.execute(
                        "UPDATE contacts SET visitor_id = ?2 WHERE external_id = ?1",
                        params![who.contact, id.0],
                    )?;
                    id
                }
            };
            // An anonymous visitor who identifies keeps their open conversation. Only an
            // anonymous one: a contact's visitor is never adopted by another contact.
            let adopted = match adopt_from.filter(|&anon| anon != visitor) {
                Some(anon) => adopt_open_conversation(tx, anon, visitor)?,
                None => None,
            };
            let credential = NewCredential {
                holder: Principal::Visitor(visitor),
                ..credential.clone()
            };
            insert_credential(tx, token, &credential)?;
            Ok(SignedInContact {
                me: Identity::new(Principal::Visitor(visitor), name),
                contact,
                company_name: company.name,
                adopted,
            })
        })
    }

    fn tickets_of_contact(&self, contact: &str) -> Result<Vec<Ticket>, StoreError> {
        self.with(|c| load_tickets(c, "ct.external_id = ?1", contact))
    }

    fn tickets_of(&self, who: VisitorId) -> Result<Vec<Ticket>, StoreError> {
        self.with(|c| load_tickets(c, "ct.visitor_id = ?1", who.0))
    }

    fn link_ticket(
        &self,
        who: &Identity,
        conversation: ConversationId,
        ticket: Option<&str>,
    ) -> Result<TicketLinkChange, StoreError> {
        self.write(|tx| {
            let contact = check_link(tx, who, conversation)?;
            let target = match ticket {
                None => None,
                Some(number) => {
                    let found = tx
                        .query_row(
                            "SELECT id, number, subject, status FROM tickets \
                             WHERE number = ?1 AND contact_id = ?2",
                            params![number, contact],
                            |r| {
                                Ok((
                                    r.get::<_, i64>(0)?,
                                    TicketRef {
                                        number: r.get(1)?,
                                        subject: r.get(2)?,
                                    },
                                    r.get::<_, String>(3)?,
                                ))
                            },
                        )
                        .optional()?;
                    // Someone else's ticket and a closed one look the same: not one to link.
                    match found {
                        Some((row, t, status)) if parse_status(&status)?.is_open() => {
                            Some((row, t))
                        }
                        _ => return Err(Denied::NotFound.into()),
                    }
                }
            };
            set_link(tx, conversation, target)
        })
    }

    fn create_ticket_from_chat(
        &self,
        who: &Identity,
        conversation: ConversationId,
        subject: &str,
        client_key: &str,
    ) -> Result<(Ticket, Option<TicketLinkChange>), StoreError> {
        self.write(|tx| {
            let contact = check_link(tx, who, conversation)?
                .ok_or_else(|| StoreError::Invalid("an anonymous visitor has no tickets".into()))?;
            let made: Option<String> = tx
                .query_row(
                    "SELECT number FROM tickets WHERE created_from = ?1 AND client_key = ?2",
                    params![conversation.0, client_key],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(number) = made {
                let ticket = load_tickets(tx, "t.number = ?1", &number)?
                    .pop()
                    .ok_or_else(|| StoreError::Corrupt("ticket vanished".into()))?;
                return Ok((ticket, None));
            }
            let number = next_chat_ticket_number(tx)?;
            let now = now_millis();
            tx.execute(
                "INSERT INTO tickets (number, subject, status, contact_id, created_at, \
                 updated_at, created_from, client_key) \
                 VALUES (?1, ?2, 'open', ?3, ?4, ?4, ?5, ?6)",
                params![
                    number,
                    subject.trim(),
                    contact,
                    now,
                    conversation.0,
                    client_key
                ],
            )?;
            let row = tx.last_insert_rowid();
            let ticket = load_tickets(tx, "t.number = ?1", &number)?
                .pop()
                .ok_or_else(|| StoreError::Corrupt("ticket vanished".into()))?;
            let reference = TicketRef {
                number: ticket.number.clone(),
                subject: ticket.subject.clone(),
            };
            let change = set_link(tx, conversation, Some((row, reference)))?;
            super::webhooks::enqueue(
                tx,
                &protocol::webhooks::WebhookEvent::TicketCreated {
                    ticket: ticket.clone(),
                    conversation_id: conversation,
                    at: now,
                },
            )?;
            Ok((ticket, Some(change)))
        })
    }

    fn request_callback(
        &self,
        who: &Identity,
        request: &CallbackRequest,
    ) -> Result<Callback, StoreError> {
        self.write(|tx| {
            let Principal::Visitor(visitor) = who.principal else {
                return Err(Denied::Forbidden.into());
            };
            let open: Option<i64> = tx
                .query_row(
                    "SELECT id FROM conversations WHERE visitor_id = ?1 \
                     AND status != 'ended' ORDER BY id DESC LIMIT 1",
                    [visitor.0],
                    |r| r.get(0),
                )
                .optional()?;
            let unanswered = match open {
                Some(id) => waited_unanswered(tx, ConversationId(id))?,
                None => false,
            };
            if !unanswered && !office_closed_now(tx)? {
                return Err(Denied::TooEarly.into());
            }
            let pending: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM callbacks WHERE visitor_id = ?1 AND done_at IS NULL)",
                [visitor.0],
                |r| r.get(0),
            )?;
            if pending {
                return Err(Denied::AlreadyRequested.into());
            }
            let now = now_millis();
            tx.execute(
                "INSERT INTO callbacks \
                 (visitor_id, conversation_id, phone, preferred_time, note, requested_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    visitor.0,
                    open,
                    request.phone.trim(),
                    request.preferred_time.trim(),
                    request.note.trim(),
                    now
                ],
            )?;
            let callback = load_callback(tx, tx.last_insert_rowid())?
                .ok_or_else(|| StoreError::Corrupt("callback vanished".into()))?;
            super::webhooks::enqueue(
                tx,
                &protocol::webhooks::WebhookEvent::CallbackRequested {
                    callback: callback.clone(),
                    at: now,
                },
            )?;
            Ok(callback)
        })
    }

    fn callbacks(&self, done: bool) -> Result<Vec<Callback>, StoreError> {
        self.with(|c| {
            let order = if done { "cb.done_at DESC" } else { "cb.id" };
            let mut stmt = c.prepare(&format!(
                "{CALLBACK_SELECT} WHERE (cb.done_at IS NOT NULL) = ?1 ORDER BY {order} LIMIT 200"
            ))?;
            let rows = stmt
                .query_map([done], callback_row)?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    fn callback_done(&self, agent: AgentId, id: i64) -> Result<Option<Callback>, StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE callbacks SET done_at = ?2, done_by = ?3 \
                 WHERE id = ?1 AND done_at IS NULL",
                params![id, now_millis(), agent.0],
            )?;
            load_callback(tx, id)
        })
    }

    fn conversation_tickets(
        &self,
        conversations: &[ConversationId],
    ) -> Result<Vec<(ConversationId, TicketRef)>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT t.number, t.subject FROM conversations c \
                 JOIN tickets t ON t.id = c.ticket_id WHERE c.id = ?1",
            )?;
            let mut out = Vec::new();
            for id in conversations {
                if let Some(t) = stmt
                    .query_row([id.0], |r| {
                        Ok(TicketRef {
                            number: r.get(0)?,
                            subject: r.get(1)?,
                        })
                    })
                    .optional()?
                {
                    out.push((*id, t));
                }
            }
            Ok(out)
        })
    }

    fn visitor_card(&self, who: VisitorId) -> Result<Option<VisitorCard>, StoreError> {
        self.with(|c| {
            let Some(name) = c
                .query_row("SELECT name FROM visitors WHERE id = ?1", [who.0], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
            else {
                return Ok(None);
            };
            let contact = c
                .query_row(
                    &format!("{CONTACT_SELECT} WHERE ct.visitor_id = ?1"),
                    [who.0],
                    contact_row,
                )
                .optional()?;
            let (company_name, open_tickets) = match &contact {
                Some(contact) => (
                    load_company(c, &contact.company)?.map(|(_, co)| co.name),
                    load_tickets(c, "ct.visitor_id = ?1", who.0)?
                        .into_iter()
                        .filter(|t| t.status.is_open())
                        .collect(),
                ),
                None => (None, Vec::new()),
            };
            Ok(Some(VisitorCard {
                name,
                contact,
                company_name,
                open_tickets,
                // Sockets live in the hub; the `visitor_card` handler fills this in.
                presence: protocol::Presence::Offline,
            }))
        })
    }

    fn chat_terms(&self, contact: Option<(&str, &str)>) -> Result<ChatTerms, StoreError> {
        self.with(|c| {
            let settings = load_chat_settings(c)?;
            let Some((contact, company)) = contact else {
                return Ok(ChatTerms {
                    chat_enabled: settings.chat_enabled,
                    pre_ticket: false,
                    unanswered_after_secs: settings.unanswered_after_secs,
                    sections: section_choices(c, false, None)?,
                });
            };
            // A contact who signed in before belongs to the company the store knows; one
            // who has not yet gets the one their statement names (sign-in creates it so).
            let own = load_contact(c, contact)?;
            let company_id = own.as_ref().map_or(company, |ct| ct.company.as_str());
            let company = load_company(c, company_id)?.map(|(_, co)| co);
            let (company_chat, company_pre, company_section) = company
                .map_or((None, None, None), |co| {
                    (co.chat_enabled, co.pre_ticket, co.section)
                });
            Ok(ChatTerms {
                chat_enabled: policy::chat_allowed(
                    settings.chat_enabled,
                    company_chat,
                    own.and_then(|ct| ct.chat_enabled),
                ),
                pre_ticket: company_pre.unwrap_or(settings.pre_ticket),
                unanswered_after_secs: settings.unanswered_after_secs,
                sections: section_choices(c, true, company_section)?,
            })
        })
    }

    fn past_conversations(&self, who: VisitorId) -> Result<Vec<PastConversation>, StoreError> {
        self.with(|c| {
            // Only a contact has a history: an anonymous visitor's one chat is on screen.
            let contact: Option<i64> = c
                .query_row(
                    "SELECT id FROM contacts WHERE visitor_id = ?1",
                    [who.0],
                    |r| r.get(0),
                )
                .optional()?;
            if contact.is_none() {
                return Ok(Vec::new());
            }
            let mut stmt = c.prepare(
                "SELECT c.id, t.number, t.subject, \
                 (SELECT m.body FROM messages m WHERE m.conversation_id = c.id \
                  AND m.kind = 'text' AND m.author_role = 'visitor' ORDER BY m.seq LIMIT 1) \
                 FROM conversations c LEFT JOIN tickets t ON t.id = c.ticket_id \
                 WHERE c.visitor_id = ?1 ORDER BY c.id DESC LIMIT 50",
            )?;
            let rows = stmt
                .query_map([who.0], |r| {
                    Ok((
                        ConversationId(r.get(0)?),
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(id, number, subject, first)| {
                    let conversation = load_conversation(c, id)?;
                    Ok(PastConversation {
                        id,
                        status: conversation.status,
                        created_at: conversation.created_at,
                        agents: conversation.agents.into_iter().map(|a| a.name).collect(),
                        ticket: number
                            .zip(subject)
                            .map(|(number, subject)| TicketRef { number, subject }),
                        preview: first
                            .unwrap_or_default()
                            .chars()
                            .take(PREVIEW_CHARS)
                            .collect(),
                    })
                })
                .collect()
        })
    }
}

/// The contact behind conversation `id`'s visitor, if its visitor is a contact.
fn conversation_contact(tx: &Connection, id: ConversationId) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT ct.id FROM conversations c JOIN contacts ct ON ct.visitor_id = c.visitor_id \
             WHERE c.id = ?1",
            [id.0],
            |r| r.get(0),
        )
        .optional()?)
}

/// Check that `who` may link conversation `id` to a ticket; the conversation's contact.
fn check_link(
    tx: &Transaction<'_>,
    who: &Identity,
    id: ConversationId,
) -> Result<Option<i64>, StoreError> {
    let contact = conversation_contact(tx, id)?;
    policy::may_link_ticket(who, load_facts(tx, id)?.as_ref(), contact.is_some())?;
    Ok(contact)
}

/// Point conversation `id` at ticket row `ticket` (or none) and say so in a system message.
fn set_link(
    tx: &Transaction<'_>,
    id: ConversationId,
    ticket: Option<(i64, TicketRef)>,
) -> Result<TicketLinkChange, StoreError> {
    tx.execute(
        "UPDATE conversations SET ticket_id = ?2 WHERE id = ?1",
        params![id.0, ticket.as_ref().map(|(row, _)| *row)],
    )?;
    let line = match &ticket {
        Some((_, t)) => format!("Chat linked to ticket {}: {}", t.number, t.subject),
        None => "Chat no longer linked to a ticket".to_owned(),
    };
    let system_message = insert_system_message(tx, id, &line)?;
    Ok(TicketLinkChange {
        conversation: load_conversation(tx, id)?,
        ticket: ticket.map(|(_, t)| t),
        system_message,
    })
}

/// The next free built-in ticket number for tickets made from chats: `C-<n>`.
fn next_chat_ticket_number(tx: &Transaction<'_>) -> Result<String, StoreError> {
    let mut n: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM tickets", [], |r| {
        r.get(0)
    })?;
    loop {
        let number = format!("C-{n}");
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM tickets WHERE number = ?1)",
            [&number],
            |r| r.get(0),
        )?;
        if !taken {
            return Ok(number);
        }
        n += 1;
    }
}

/// A chat's transcript as a ticket note: a heading, then one line per message, in order.
pub(super) fn transcript(tx: &Connection, id: ConversationId) -> Result<String, StoreError> {
    let messages = load_messages_after(tx, id, 0)?;
    let when = |ms: i64| {
        let t = std::time::UNIX_EPOCH
            + std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0));
        httpdate::fmt_http_date(t)
    };
    let mut out = match (messages.first(), messages.last()) {
        (Some(first), Some(last)) => format!(
            "Chat transcript, {} to {}\n",
            when(first.sent_at),
            when(last.sent_at)
        ),
        _ => "Chat transcript (no messages)\n".to_owned(),
    };
    for m in &messages {
        let minutes = m.sent_at.div_euclid(60_000).rem_euclid(24 * 60);
        let clock = format!("{:02}:{:02}", minutes / 60, minutes % 60);
        match &m.author {
            Some(author) => out.push_str(&format!("[{clock}] {}: {}\n", author.name, m.body)),
            None => out.push_str(&format!("[{clock}] {}\n", m.body)),
        }
    }
    Ok(out)
}

/// Move anonymous visitor `from`'s open (waiting or active) conversation to visitor `to`; its
/// id, if it had one.
fn adopt_open_conversation(
    tx: &Transaction<'_>,
    from: VisitorId,
    to: VisitorId,
) -> Result<Option<ConversationId>, StoreError> {
    // Only an anonymous visitor's: a token that stands for a contact (a shared computer where
    // one contact signed out and another signed in) never hands that contact's chat over.
    let open: Option<i64> = tx
        .query_row(
            "SELECT id FROM conversations WHERE visitor_id = ?1 AND status != 'ended' \
             AND NOT EXISTS (SELECT 1 FROM contacts WHERE visitor_id = ?1) \
             ORDER BY id DESC LIMIT 1",
            [from.0],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = open {
        tx.execute(
            "UPDATE conversations SET visitor_id = ?2 WHERE id = ?1",
            params![id, to.0],
        )?;
    }
    Ok(open.map(ConversationId))
}
