//! History search in SQLite: ended conversations by visitor, contact, company, agent and date,
//! and by text through the FTS5 index over messages (`messages_fts`, see its migration),
//! ranked by `bm25`. The search text reaches FTS5 only as quoted phrases
//! (`protocol::search::fts_query`), so no input is query syntax.

use protocol::helpdesk::TicketRef;
use protocol::search::{
    ArchivedChat, HistoryHit, HistoryQuery, HistoryResults, SEARCH_PAGE, fts_query,
};
use protocol::{AgentId, ConversationId, ConversationStatus};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::SqliteStore;
use super::notes::load_notes;
use super::rows::{load_conversation, load_messages_after};
use crate::policy::Denied;
use crate::store::{SearchStore, StoreError};

/// The filters as SQL over `c` (conversations), with their arguments.
fn filters(q: &HistoryQuery, args: &mut Vec<Value>) -> String {
    let mut sql = String::from("c.status = 'ended'");
    if let Some(visitor) = q
        .visitor
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        // LIKE with the visitor's text as a literal (its own % and _ escaped).
        let escaped = visitor
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        args.push(Value::Text(format!("%{escaped}%")));
        sql.push_str(&format!(" AND v.name LIKE ?{} ESCAPE '\\'", args.len()));
    }
    if let Some(contact) = &q.contact {
        args.push(Value::Text(contact.clone()));
        sql.push_str(&format!(" AND ct.external_id = ?{}", args.len()));
    }
    if let Some(company) = &q.company {
        args.push(Value::Text(company.clone()));
        sql.push_str(&format!(" AND co.external_id = ?{}", args.len()));
    }
    if let Some(agent) = q.agent {
        args.push(Value::Integer(agent.0));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM participants p WHERE p.conversation_id = c.id \
             AND p.agent_id = ?{})",
            args.len()
        ));
    }
    if let Some(from) = q.from {
        args.push(Value::Integer(from));
        sql.push_str(&format!(" AND c.created_at >= ?{}", args.len()));
    }
    if let Some(to) = q.to {
        args.push(Value::Integer(to));
        sql.push_str(&format!(" AND c.created_at < ?{}", args.len()));
    }
    sql
}

const FROM: &str = "FROM conversations c JOIN visitors v ON v.id = c.visitor_id \
     LEFT JOIN contacts ct ON ct.visitor_id = c.visitor_id \
     LEFT JOIN companies co ON co.id = ct.company_id \
     LEFT JOIN tickets t ON t.id = c.ticket_id";

fn hits(c: &Connection, sql: &str, args: &[Value]) -> Result<Vec<HistoryHit>, StoreError> {
    let mut stmt = c.prepare(sql)?;
    let rows = stmt
        .query_map(params_from_iter(args), |r| {
            Ok(HistoryHit {
                conversation_id: ConversationId(r.get(0)?),
                visitor: r.get(1)?,
                contact: r.get(2)?,
                company: r.get(3)?,
                agents: Vec::new(),
                created_at: r.get(4)?,
                ended_at: r.get(5)?,
                ticket: match (
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ) {
                    (Some(number), Some(subject)) => Some(TicketRef { number, subject }),
                    _ => None,
                },
                snippet: r.get(8)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|mut hit| {
            hit.agents = load_conversation(c, hit.conversation_id)?
                .agents
                .into_iter()
                .map(|a| a.name)
                .collect();
            Ok(hit)
        })
        .collect()
}

impl SearchStore for SqliteStore {
    fn search_history(&self, query: &HistoryQuery) -> Result<HistoryResults, StoreError> {
        self.with(|c| {
            let mut args = Vec::new();
            let columns = "c.id, v.name, ct.external_id, co.name, c.created_at, c.ended_at, \
                           t.number, t.subject";
            // One more than a page, to know whether another exists.
            let limit = SEARCH_PAGE + 1;
            let offset = query.page as usize * SEARCH_PAGE;
            let sql = match query.q.as_deref().and_then(fts_query) {
                Some(text) => {
                    args.push(Value::Text(text));
                    let text_arg = args.len();
                    let filter = filters(query, &mut args);
                    // Each conversation once, at its best-ranked message (bm25: lower is
                    // better), with that message's snippet. Materialized, so the FTS
                    // auxiliary functions run where the match is (not flattened away).
                    format!(
                        "WITH matched AS MATERIALIZED ( \
                           SELECT m.conversation_id AS cid, bm25(messages_fts) AS rank, \
                           snippet(messages_fts, 0, '[', ']', '…', 12) AS snip \
                           FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid \
                           WHERE messages_fts MATCH ?{text_arg}), \
                         best AS (SELECT cid, rank, snip, \
                           ROW_NUMBER() OVER (PARTITION BY cid ORDER BY rank) AS n \
                           FROM matched) \
                         SELECT {columns}, best.snip \
                         {FROM} JOIN best ON best.cid = c.id AND best.n = 1 WHERE {filter} \
                         ORDER BY best.rank, c.id DESC LIMIT {limit} OFFSET {offset}"
                    )
                }
                None => {
                    let filter = filters(query, &mut args);
                    format!(
                        "SELECT {columns}, NULL {FROM} WHERE {filter} \
                         ORDER BY c.ended_at DESC, c.id DESC LIMIT {limit} OFFSET {offset}"
                    )
                }
            };
            let mut found = hits(c, &sql, &args)?;
            let more = found.len() > SEARCH_PAGE;
            found.truncate(SEARCH_PAGE);
            Ok(HistoryResults {
                hits: found,
                page: query.page,
                more,
            })
        })
    }

    fn archived(&self, conversation: ConversationId) -> Result<Option<ArchivedChat>, StoreError> {
        self.with(|c| {
            let ended: Option<bool> = c
                .query_row(
                    "SELECT status = 'ended' FROM conversations WHERE id = ?1",
                    [conversation.0],
                    |r| r.get(0),
                )
                .ok();
            if ended != Some(true) {
                return Ok(None);
            }
            let found = load_conversation(c, conversation)?;
            debug_assert_eq!(found.status, ConversationStatus::Ended);
            let (ended_by, closing_note): (Option<i64>, Option<String>) = c.query_row(
                "SELECT ended_by, closing_note FROM conversations WHERE id = ?1",
                [conversation.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(Some(ArchivedChat {
                conversation: found,
                messages: load_messages_after(c, conversation, 0)?,
                notes: load_notes(c, conversation)?,
                ended_by: ended_by.map(AgentId),
                closing_note,
            }))
        })
    }

    fn set_closing_note(
        &self,
        agent: AgentId,
        conversation: ConversationId,
        note: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let row: Option<(String, Option<i64>)> = tx
                .query_row(
                    "SELECT status, ended_by FROM conversations WHERE id = ?1",
                    [conversation.0],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match row {
                Some((status, by)) if status == "ended" => {
                    if by != Some(agent.0) {
                        return Err(Denied::NotYours.into());
                    }
                }
                _ => return Err(Denied::NotFound.into()),
            }
            let note = note.trim();
            tx.execute(
                "UPDATE conversations SET closing_note = ?2 WHERE id = ?1",
                params![conversation.0, (!note.is_empty()).then_some(note)],
            )?;
            Ok(())
        })
    }
}
