//! The admin API: the helpdesk's companies, contacts and tickets (created or updated by the
//! ids the helpdesk already has, so a sync job can `PUT` the same record again), ticket notes,
//! chat settings, the webhook target, and the audit log of every write. For admin agents and the helpdesk's sync
//! job (`--admin-api-key`); see `auth::AdminCaller`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use protocol::helpdesk::OfficeHours;
use protocol::helpdesk::{
    AuditEntry, ChatSettings, Company, CompanyInput, Contact, ContactInput, MAX_KEY_BYTES,
    MAX_NOTE_CHARS, MAX_TITLE_CHARS, NoteInput, Ticket, TicketDetail, TicketInput, TicketList,
    TicketNote,
};
use protocol::webhooks::WebhookSettings;
use serde::Deserialize;

use super::json_body;
use crate::auth::AdminCaller;
use crate::error::RestError;
use crate::office_hours::Schedule;
use crate::policy::Denied;
use crate::state::AppState;

/// An external id or ticket number from the path: 1 to 64 bytes, no control characters.
fn key(what: &str, value: &str) -> Result<(), RestError> {
    if value.is_empty() || value.len() > MAX_KEY_BYTES || value.chars().any(char::is_control) {
        return Err(RestError::InvalidInput(format!(
            "{what} must be 1 to {MAX_KEY_BYTES} bytes without control characters"
        )));
    }
    Ok(())
}

pub(super) fn name(what: &str, value: &str) -> Result<(), RestError> {
    protocol::validate_name(value)
        .map(drop)
        .map_err(|e| RestError::InvalidInput(format!("{what} {e}")))
}

fn title(what: &str, value: &str, max: usize) -> Result<(), RestError> {
    let chars = value.trim().chars().count();
    if chars == 0 || chars > max {
        return Err(RestError::InvalidInput(format!(
            "{what} must be 1 to {max} characters"
        )));
    }
    Ok(())
}

pub(super) fn email(value: &str) -> Result<(), RestError> {
    if value.len() > protocol::MAX_EMAIL_BYTES
        || !value.contains('@')
        || value.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(RestError::InvalidInput(
            "email must be an e-mail address of at most 254 bytes".into(),
        ));
    }
    Ok(())
}

/// `GET /api/admin/settings`.
pub async fn get_settings(
    State(app): State<AppState>,
    AdminCaller(_): AdminCaller,
) -> Result<Json<ChatSettings>, RestError> {
    Ok(Json(app.db.call(|s| s.chat_settings()).await?))
}

/// `PUT /api/admin/settings`.
pub async fn put_settings(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    body: Result<Json<ChatSettings>, JsonRejection>,
) -> Result<Json<ChatSettings>, RestError> {
    let settings = json_body(body)?;
    app.db
        .call(move |s| s.put_chat_settings(actor, settings))
        .await?;
    Ok(Json(settings))
}

/// `GET /api/admin/companies`: every company, by id.
pub async fn list_companies(
    State(app): State<AppState>,
    AdminCaller(_): AdminCaller,
) -> Result<Json<Vec<Company>>, RestError> {
    Ok(Json(app.db.call(|s| s.companies()).await?))
}

/// `PUT /api/admin/companies/{id}`: create or update.
pub async fn put_company(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<String>,
    body: Result<Json<CompanyInput>, JsonRejection>,
) -> Result<Json<Company>, RestError> {
    let input = json_body(body)?;
    key("the company id", &id)?;
    name("name", &input.name)?;
    Ok(Json(
        app.db
            .call(move |s| s.put_company(actor, &id, &input))
            .await?,
    ))
}

/// The query of [`list_contacts`].
#[derive(Debug, Deserialize)]
pub struct ContactsQuery {
    company: Option<String>,
}

/// `GET /api/admin/contacts[?company=ID]`: contacts, of one company or all, by id.
pub async fn list_contacts(
    State(app): State<AppState>,
    AdminCaller(_): AdminCaller,
    query: Result<Query<ContactsQuery>, QueryRejection>,
) -> Result<Json<Vec<Contact>>, RestError> {
    let Query(ContactsQuery { company }) =
        query.map_err(|e| RestError::InvalidInput(e.body_text()))?;
    Ok(Json(
        app.db.call(move |s| s.contacts(company.as_deref())).await?,
    ))
}

/// The query of [`list_tickets`].
#[derive(Debug, Deserialize)]
pub struct TicketsQuery {
    contact: String,
}

/// `GET /api/admin/tickets?contact=ID`: the contact's tickets, newest first (a portal's "My
/// tickets", including those made from chats).
pub async fn list_tickets(
    State(app): State<AppState>,
    AdminCaller(_): AdminCaller,
    query: Result<Query<TicketsQuery>, QueryRejection>,
) -> Result<Json<TicketList>, RestError> {
    let Query(TicketsQuery { contact }) =
        query.map_err(|e| RestError::InvalidInput(e.body_text()))?;
    key("contact", &contact)?;
    let tickets = app.db.call(move |s| s.tickets_of_contact(&contact)).await?;
    Ok(Json(TicketList { tickets }))
}

/// `PUT /api/admin/contacts/{id}`: create or update; the company must exist.
pub async fn put_contact(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<String>,
    body: Result<Json<ContactInput>, JsonRejection>,
) -> Result<Json<Contact>, RestError> {
    let mut input = json_body(body)?;
    key("the contact id", &id)?;
    key("company", &input.company)?;
    name("name", &input.name)?;
    input.email = input.email.trim().to_lowercase();
    email(&input.email)?;
    Ok(Json(
        app.db
            .call(move |s| s.put_contact(actor, &id, &input))
            .await?,
    ))
}

/// `PUT /api/admin/tickets/{number}`: create or update; the contact must exist.
pub async fn put_ticket(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(number): Path<String>,
    body: Result<Json<TicketInput>, JsonRejection>,
) -> Result<Json<Ticket>, RestError> {
    let input = json_body(body)?;
    key("the ticket number", &number)?;
    key("contact", &input.contact)?;
    title("subject", &input.subject, MAX_TITLE_CHARS)?;
    Ok(Json(
        app.db
            .call(move |s| s.put_ticket(actor, &number, &input))
            .await?,
    ))
}

/// `GET /api/admin/tickets/{number}`: the ticket and its notes.
pub async fn get_ticket(
    State(app): State<AppState>,
    AdminCaller(_): AdminCaller,
    Path(number): Path<String>,
) -> Result<Json<TicketDetail>, RestError> {
    app.db
        .call(move |s| s.ticket(&number))
        .await?
        .map(Json)
        .ok_or(RestError::Denied(Denied::NotFound))
}

/// `POST /api/admin/tickets/{number}/notes`: add a note (201).
pub async fn add_note(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(number): Path<String>,
    body: Result<Json<NoteInput>, JsonRejection>,
) -> Result<(axum::http::StatusCode, Json<TicketNote>), RestError> {
    let input = json_body(body)?;
    name("author", &input.author)?;
    title("body", &input.body, MAX_NOTE_CHARS)?;
    app.db
        .call(move |s| s.add_ticket_note(actor, &number, &input))
        .await?
        .map(|note| (axum::http::StatusCode::CREATED, Json(note)))
        .ok_or(RestError::Denied(Denied::NotFound))
}

/// The query of [`audit_log`].
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    limit: Option<usize>,
}

/// `GET /api/admin/audit[?limit=N]`: the newest writes first (default 100, at most 1000).
pub async fn audit_log(
    State(app): State<AppState>,
    AdminCaller(_): AdminCaller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<Vec<AuditEntry>>, RestError> {
    let Query(AuditQuery { limit }) = query.map_err(|e| RestError::InvalidInput(e.body_text()))?;
    let limit = limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(RestError::InvalidInput(
            "limit must be between 1 and 1000".into(),
        ));
    }
    Ok(Json(app.db.call(move |s| s.audit_log(limit)).await?))
}

/// `GET /api/admin/webhook`: the URL and whether a secret is set (never the secret).
pub async fn get_webhook(
    State(app): State<AppState>,
    AdminCaller(_): AdminCaller,
) -> Result<Json<WebhookSettings>, RestError> {
    Ok(Json(app.db.call(|s| s.webhook_settings()).await?))
}

/// `PUT /api/admin/webhook`: set the URL (`null` switches webhooks off) and, when given, the
/// secret (at least 32 bytes). Deliveries start with the next event.
pub async fn put_webhook(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    body: Result<Json<WebhookSettings>, JsonRejection>,
) -> Result<Json<WebhookSettings>, RestError> {
    let req = json_body(body)?;
    if let Some(url) = &req.url {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| RestError::InvalidInput(format!("url is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(RestError::InvalidInput(
                "url must be an http:// or https:// URL".into(),
            ));
        }
    }
    if req.secret.as_ref().is_some_and(|s| s.len() < 32) {
        return Err(RestError::InvalidInput(
            "secret must be at least 32 bytes".into(),
        ));
    }
    let (url, secret) = (req.url, req.secret);
    Ok(Json(
        app.db
            .call(move |s| s.put_webhook_settings(actor, url, secret))
            .await?,
    ))
}

/// `GET /api/admin/office-hours`.
pub async fn get_office_hours(
    State(app): State<AppState>,
    AdminCaller(_): AdminCaller,
) -> Result<Json<OfficeHours>, RestError> {
    Ok(Json(app.db.call(|s| s.office_hours()).await?))
}

/// `PUT /api/admin/office-hours`: refused with the reason when the time zone, a day, a time or
/// a holiday does not parse, or a window closes before it opens.
pub async fn put_office_hours(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    body: Result<Json<OfficeHours>, JsonRejection>,
) -> Result<Json<OfficeHours>, RestError> {
    let hours = json_body(body)?;
    if hours.weekly.len() > 7 * 8 || hours.holidays.len() > 366 {
        return Err(RestError::InvalidInput(
            "at most 56 windows and 366 holidays".into(),
        ));
    }
    Schedule::parse(&hours).map_err(RestError::InvalidInput)?;
    let stored = hours.clone();
    app.db
        .call(move |s| s.put_office_hours(actor, &stored))
        .await?;
    Ok(Json(hours))
}
