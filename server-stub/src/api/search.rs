//! History search for agents: ended conversations by text (the database's full-text index),
//! visitor, contact, company, agent and date, a page at a time (`GET /api/agent/history`), and
//! one of them as the record keeps it, private notes included (`GET /api/agent/history/{id}`).
//! Ended conversations are the organisation's record: any agent may read them. The agent who
//! ended one keeps its closing note (`PUT /api/conversations/{id}/closing-note`). The
//! filters' choices, agents and companies by id and name, are readable by any agent
//! (`GET /api/agent/directory`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use protocol::search::{
    ArchivedChat, ClosingNote, Directory, DirectoryAgent, DirectoryCompany, HistoryQuery,
    HistoryResults, MAX_CLOSING_NOTE_CHARS, MAX_QUERY_CHARS,
};

use crate::auth::AgentCaller;
use crate::error::RestError;
use crate::policy::Denied;
use crate::state::AppState;

/// `GET /api/agent/history?q=&visitor=&contact=&company=&agent=&from=&to=&page=`.
pub async fn search_history(
    State(app): State<AppState>,
    AgentCaller(_): AgentCaller,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> Result<Json<HistoryResults>, RestError> {
    let Query(query) = query.map_err(|e| RestError::InvalidInput(e.body_text()))?;
    for (what, text) in [("q", &query.q), ("visitor", &query.visitor)] {
        if text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_QUERY_CHARS)
        {
            return Err(RestError::InvalidInput(format!(
                "{what} must be at most {MAX_QUERY_CHARS} characters"
            )));
        }
    }
    if query.page > 10_000 {
        return Err(RestError::InvalidInput("page is too far".into()));
    }
    Ok(Json(app.db.call(move |s| s.search_history(&query)).await?))
}

/// `GET /api/agent/directory`: every agent and company by id and name, nothing more (no
/// e-mail, no role, no settings: those stay on the admin API).
pub async fn directory(
    State(app): State<AppState>,
    AgentCaller(_): AgentCaller,
) -> Result<Json<Directory>, RestError> {
    let (agents, companies) = app.db.call(|s| Ok((s.agents()?, s.companies()?))).await?;
    Ok(Json(Directory {
        agents: agents
            .into_iter()
            .map(|a| DirectoryAgent {
                id: a.id,
                name: a.name,
            })
            .collect(),
        companies: companies
            .into_iter()
            .map(|c| DirectoryCompany {
                id: c.id,
                name: c.name,
            })
            .collect(),
    }))
}

/// `GET /api/agent/history/{id}`: 404 unless it is an ended conversation.
pub async fn archived_chat(
    State(app): State<AppState>,
    AgentCaller(_): AgentCaller,
    Path(id): Path<String>,
) -> Result<Json<ArchivedChat>, RestError> {
    let id = super::conversation_id(&id)?;
    app.db
        .call(move |s| s.archived(id))
        .await?
        .map(Json)
        .ok_or(RestError::Denied(Denied::NotFound))
}

/// `PUT /api/conversations/{id}/closing-note` with a `ClosingNote`: 204. Only the agent who
/// ended the chat (403 `forbidden` for anyone else, 404 unless it is an ended chat); never
/// shown to the visitor.
pub async fn put_closing_note(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
    body: Result<axum::Json<ClosingNote>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::http::StatusCode, RestError> {
    let id = super::conversation_id(&id)?;
    let req = super::json_body(body)?;
    if req.note.chars().count() > MAX_CLOSING_NOTE_CHARS {
        return Err(RestError::InvalidInput(format!(
            "the note must be at most {MAX_CLOSING_NOTE_CHARS} characters"
        )));
    }
    let agent = who.me.principal.agent().ok_or(RestError::Unauthorized)?;
    app.db
        .call(move |s| s.set_closing_note(agent, id, &req.note))
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
