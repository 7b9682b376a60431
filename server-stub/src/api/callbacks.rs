//! Callbacks: a visitor nobody could answer (or who came outside office hours) asks to be
//! called back; agents list the requests and mark them done.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use protocol::Principal;
use protocol::helpdesk::{
    Callback, CallbackList, CallbackRequest, MAX_CALLBACK_NOTE_CHARS, MAX_PHONE_CHARS,
    MAX_PREFERRED_TIME_CHARS,
};
use serde::Deserialize;

use super::json_body;
use crate::auth::{AgentCaller, VisitorCaller};
use crate::error::RestError;
use crate::policy::Denied;
use crate::state::AppState;

fn bounded(what: &str, value: &str, max: usize, required: bool) -> Result<(), RestError> {
    let chars = value.trim().chars().count();
    if (required && chars == 0) || chars > max || value.chars().any(|c| c.is_control() && c != '\n')
    {
        let need = if required { "1" } else { "0" };
        return Err(RestError::InvalidInput(format!(
            "{what} must be {need} to {max} characters"
        )));
    }
    Ok(())
}

/// `POST /api/callbacks` with a visitor token and a `CallbackRequest`: 201 and the request.
/// 403 `forbidden` while agents may still answer (in office hours, before the wait is over);
/// 409 `limit_reached` when the visitor already has an open request.
pub async fn request_callback(
    State(app): State<AppState>,
    VisitorCaller(who): VisitorCaller,
    body: Result<Json<CallbackRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Callback>), RestError> {
    let req = json_body(body)?;
    bounded("phone", &req.phone, MAX_PHONE_CHARS, true)?;
    if !protocol::helpdesk::valid_phone(&req.phone) {
        return Err(RestError::InvalidInput(
            "phone must be a phone number (digits, spaces, + - ( ) . /)".into(),
        ));
    }
    bounded(
        "preferred_time",
        &req.preferred_time,
        MAX_PREFERRED_TIME_CHARS,
        false,
    )?;
    bounded("note", &req.note, MAX_CALLBACK_NOTE_CHARS, false)?;
    let me = who.me;
    let callback = app.db.call(move |s| s.request_callback(&me, &req)).await?;
    Ok((StatusCode::CREATED, Json(callback)))
}

/// The query of [`list_callbacks`].
#[derive(Debug, Deserialize)]
pub struct CallbacksQuery {
    #[serde(default)]
    done: bool,
}

/// `GET /api/agent/callbacks[?done=true]`: open requests oldest first (or done ones newest
/// first), with who asked, their phone and the ticket their chat was about.
pub async fn list_callbacks(
    State(app): State<AppState>,
    AgentCaller(_): AgentCaller,
    query: Result<Query<CallbacksQuery>, QueryRejection>,
) -> Result<Json<CallbackList>, RestError> {
    let Query(CallbacksQuery { done }) =
        query.map_err(|e| RestError::InvalidInput(e.body_text()))?;
    let callbacks = app.db.call(move |s| s.callbacks(done)).await?;
    Ok(Json(CallbackList { callbacks }))
}

/// `POST /api/agent/callbacks/{id}/done`: mark a request done (200 with it; already done:
/// unchanged).
pub async fn callback_done(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<Json<Callback>, RestError> {
    let id: i64 = id
        .parse()
        .map_err(|_| RestError::InvalidInput("the callback id must be an integer".into()))?;
    let Principal::Agent(agent) = who.me.principal else {
        return Err(RestError::Unauthorized);
    };
    app.db
        .call(move |s| s.callback_done(agent, id))
        .await?
        .map(Json)
        .ok_or(RestError::Denied(Denied::NotFound))
}
