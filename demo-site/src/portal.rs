//! The shop's customer portal, as a real helpdesk portal would do it: its own sign-in for a few
//! demo contacts of two companies, "My tickets", a ticket page, and on every portal page the
//! contact's **signed identity** for the chat widget, computed here, server-side, with the
//! secret the portal shares with the chat server (`--identity-secret`). The secret never
//! reaches the browser; the page only carries the signed statement, good for an hour.
//!
//! The portal is also this demo's helpdesk: at start it syncs its companies, contacts and
//! tickets into the chat server through the admin API (`--admin-api-key`), as an external
//! helpdesk's sync job would, and its ticket pages read the notes back from there, so a chat's
//! transcript shows on the ticket once an agent ends the chat.
//!
//! Demo sign-ins live in memory (a random session id in an `HttpOnly`, `SameSite=Lax` cookie).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jsonwebtoken::{EncodingKey, Header};
use protocol::helpdesk::{TicketDetail, TicketStatus};
use rand::RngCore as _;
use serde::Deserialize;

/// The password of every demo contact (the portal's own sign-in, not the chat's).
pub const DEMO_PASSWORD: &str = "portal-demo";

/// A demo contact: helpdesk id, name, e-mail (their portal login), company id.
pub struct DemoContact {
    pub id: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub company: &'static str,
}

/// Two companies, as (id, name).
pub const COMPANIES: [(&str, &str); 2] = [("acme", "Acme Cafés"), ("globex", "Globex Hotels")];

pub const CONTACTS: [DemoContact; 3] = [
    DemoContact {
        id: "c-100",
        name: "Carla Diaz",
        email: "carla@acme.test",
        company: "acme",
    },
    DemoContact {
        id: "c-101",
        name: "Dan Lee",
        email: "dan@acme.test",
        company: "acme",
    },
    DemoContact {
        id: "c-200",
        name: "Gus Grant",
        email: "gus@globex.test",
        company: "globex",
    },
];

/// Tickets: number, subject, status, contact id.
const TICKETS: [(&str, &str, TicketStatus, &str); 5] = [
    (
        "T-1001",
        "Grinder makes a loud noise",
        TicketStatus::Open,
        "c-100",
    ),
    (
        "T-1002",
        "Invoice for October",
        TicketStatus::Pending,
        "c-100",
    ),
    (
        "T-1003",
        "Wrong beans delivered",
        TicketStatus::Resolved,
        "c-100",
    ),
    (
        "T-1101",
        "Wholesale price list",
        TicketStatus::Open,
        "c-101",
    ),
    (
        "T-2001",
        "Espresso machine descaling",
        TicketStatus::Open,
        "c-200",
    ),
];

/// What the portal needs besides the shop.
pub struct Portal {
    pub server_url: String,
    identity_key: EncodingKey,
    admin_key: String,
    http: reqwest::Client,
    /// Signed-in sessions: cookie value to contact index.
    sessions: Mutex<HashMap<String, usize>>,
}

impl Portal {
    pub fn new(server_url: String, identity_secret: &str, admin_key: String) -> Self {
        Portal {
            server_url,
            identity_key: EncodingKey::from_secret(identity_secret.as_bytes()),
            admin_key,
            http: reqwest::Client::new(),
            sessions: Mutex::default(),
        }
    }

    /// Sync the demo helpdesk into the chat server (waiting for it to come up), as a
    /// helpdesk's sync job would: the same `PUT`s every start.
    pub async fn sync(&self) -> anyhow::Result<()> {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            match self
                .http
                .get(format!("{}/healthz", self.server_url))
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => break,
                _ if std::time::Instant::now() > deadline => {
                    anyhow::bail!("the chat server at {} did not come up", self.server_url)
                }
                _ => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        for (id, name) in COMPANIES {
            self.put(
                &format!("companies/{id}"),
                serde_json::json!({ "name": name }),
            )
            .await?;
        }
        for c in &CONTACTS {
            self.put(
                &format!("contacts/{}", c.id),
                serde_json::json!({ "company": c.company, "name": c.name, "email": c.email }),
            )
            .await?;
        }
        for (number, subject, status, contact) in TICKETS {
            self.put(
                &format!("tickets/{number}"),
                serde_json::json!({ "subject": subject, "status": status, "contact": contact }),
            )
            .await?;
        }
        Ok(())
    }

    /// A contact's tickets as the helpdesk has them (`None`: it did not answer).
    async fn contact_tickets(&self, contact: &str) -> Option<Vec<protocol::helpdesk::Ticket>> {
        let r = self
            .http
            .get(format!("{}/api/admin/tickets", self.server_url))
            .query(&[("contact", contact)])
            .bearer_auth(&self.admin_key)
            .send()
            .await
            .ok()?;
        if !r.status().is_success() {
            return None;
        }
        r.json::<protocol::helpdesk::TicketList>()
            .await
            .ok()
            .map(|l| l.tickets)
    }

    async fn put(&self, path: &str, body: serde_json::Value) -> anyhow::Result<()> {
        let r = self
            .http
            .put(format!("{}/api/admin/{path}", self.server_url))
            .bearer_auth(&self.admin_key)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("PUT {path}"))?;
        anyhow::ensure!(r.status().is_success(), "PUT {path}: {}", r.status());
        Ok(())
    }

    /// The contact signed in with this request's cookie.
    fn contact(&self, headers: &HeaderMap) -> Option<&'static DemoContact> {
        let cookie = headers.get(header::COOKIE)?.to_str().ok()?;
        let id = cookie
            .split(';')
            .filter_map(|c| c.trim().strip_prefix("portal="))
            .next()?;
        let index = *self.sessions.lock().ok()?.get(id)?;
        CONTACTS.get(index)
    }

    /// The signed statement about `c` for the chat widget: a JWT (HS256), valid for an hour.
    fn identity(&self, c: &DemoContact) -> String {
        let exp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            + 3600;
        let company_name = COMPANIES
            .iter()
            .find(|(id, _)| *id == c.company)
            .map(|(_, name)| *name);
        let claims = serde_json::json!({
            "sub": c.id,
            "name": c.name,
            "email": c.email,
            "company": c.company,
            "company_name": company_name,
            "exp": exp,
        });
        jsonwebtoken::encode(&Header::default(), &claims, &self.identity_key)
            .expect("HS256 signing with a byte secret cannot fail")
    }
}

/// Text into HTML (element content and quoted attribute values).
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A portal page: the shop's frame, `body`, and the chat's script tag, which carries the
/// contact's signed identity when someone is signed in.
fn page(portal: &Portal, title: &str, who: Option<&DemoContact>, body: &str) -> Html<String> {
    let server = esc(&portal.server_url);
    let identity = who
        .map(|c| format!(" data-identity=\"{}\"", esc(&portal.identity(c))))
        .unwrap_or_default();
    let account = match who {
        Some(c) => format!(
            "<form method=\"post\" action=\"/portal/logout\" class=\"inline\">\
             <span>{}</span> <button type=\"submit\">Sign out</button></form>",
            esc(c.name)
        ),
        None => String::new(),
    };
    Html(format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} — Northwind Coffee Roasters</title>\n\
         <link rel=\"stylesheet\" href=\"/shop.css\">\n<link rel=\"icon\" href=\"data:,\">\n\
         </head>\n<body>\n<header><span class=\"brand\">Northwind Coffee Roasters</span>\
         <nav aria-label=\"Main\"><a href=\"/\">Shop</a><a href=\"/portal/\">Support portal</a>\
         <a href=\"/agents.html\">For agents</a></nav></header>\n\
         <main class=\"text portal\">{account}{body}</main>\n\
         <script src=\"{server}/widget/loader.js\" data-server=\"{server}\"{identity} async>\
         </script>\n</body>\n</html>\n",
        title = esc(title),
    ))
}

/// `GET /portal/`: sign-in, or straight to "My tickets".
pub async fn home(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response {
    if portal.contact(&headers).is_some() {
        return Redirect::to("/portal/tickets").into_response();
    }
    login_page(&portal, None, "").into_response()
}

/// The sign-in form; after a failed try it says why and keeps the e-mail typed.
fn login_page(portal: &Portal, error: Option<&str>, email: &str) -> Html<String> {
    let logins: String = CONTACTS
        .iter()
        .map(|c| {
            let company = COMPANIES
                .iter()
                .find(|(id, _)| *id == c.company)
                .map_or("", |(_, n)| *n);
            format!(
                "<li><code>{}</code> ({}, {})</li>",
                esc(c.email),
                esc(c.name),
                esc(company)
            )
        })
        .collect();
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(e)))
        .unwrap_or_default();
    page(
        portal,
        "Support portal",
        None,
        &format!(
            "<h1>Support portal</h1>\
             <form method=\"post\" action=\"/portal/login\" class=\"login\">\
             <label for=\"email\">Email</label>\
             <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" \
             value=\"{email}\" required>\
             <label for=\"password\">Password</label>\
             <input id=\"password\" name=\"password\" type=\"password\" \
             autocomplete=\"current-password\" required>\
             {error}<button type=\"submit\">Sign in</button></form>\
             <p>Demo customers (password <code>{DEMO_PASSWORD}</code>):</p><ul>{logins}</ul>",
            email = esc(email)
        ),
    )
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct Login {
    email: String,
    password: String,
}

/// `POST /portal/login`.
pub async fn login(State(portal): State<Arc<Portal>>, Form(form): Form<Login>) -> Response {
    let email = form.email.trim().to_lowercase();
    let found = CONTACTS.iter().position(|c| c.email == email);
    let (Some(index), true) = (found, form.password == DEMO_PASSWORD) else {
        let page = login_page(&portal, Some("Unknown e-mail or wrong password."), &email);
        return (StatusCode::UNAUTHORIZED, page).into_response();
    };
    let mut id = [0u8; 24];
    rand::rng().fill_bytes(&mut id);
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    if let Ok(mut sessions) = portal.sessions.lock() {
        sessions.insert(id.clone(), index);
    }
    let cookie = format!("portal={id}; Path=/portal; HttpOnly; SameSite=Lax");
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to("/portal/tickets"),
    )
        .into_response()
}

/// `POST /portal/logout`: forget the portal session. The widget is told through the page
/// (no identity any more) and signs the contact out of the chat in this browser.
pub async fn logout(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response {
    if let Some(cookie) = headers
        .get(header::COOKIE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| {
            c.split(';')
                .find_map(|c| c.trim().strip_prefix("portal=").map(str::to_owned))
        })
        && let Ok(mut sessions) = portal.sessions.lock()
    {
        sessions.remove(&cookie);
    }
    (
        [(
            header::SET_COOKIE,
            "portal=; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=0".to_owned(),
        )],
        Redirect::to("/portal/"),
    )
        .into_response()
}

fn status_label(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::Open => "Open",
        TicketStatus::Pending => "Pending",
        TicketStatus::Resolved => "Resolved",
        TicketStatus::Closed => "Closed",
    }
}

/// `GET /portal/tickets`: the signed-in contact's tickets.
pub async fn tickets(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response {
    let Some(who) = portal.contact(&headers) else {
        return Redirect::to("/portal/").into_response();
    };
    // From the helpdesk (here the chat server's built-in one), so tickets made from chats show
    // too, as a real portal's would.
    let Some(list) = portal.contact_tickets(who.id).await else {
        return (StatusCode::BAD_GATEWAY, "the helpdesk is not reachable").into_response();
    };
    let rows: String = list
        .into_iter()
        .map(|t| {
            format!(
                "<tr><td><a href=\"/portal/tickets/{n}\">{n}</a></td><td>{s}</td><td>{st}</td></tr>",
                n = esc(&t.number),
                s = esc(&t.subject),
                st = status_label(t.status)
            )
        })
        .collect();
    page(
        &portal,
        "My tickets",
        Some(who),
        &format!(
            "<h1>My tickets</h1><table><caption>Tickets of {name}</caption>\
             <thead><tr><th scope=\"col\">Number</th><th scope=\"col\">Subject</th>\
             <th scope=\"col\">Status</th></tr></thead><tbody>{rows}</tbody></table>",
            name = esc(who.name)
        ),
    )
    .into_response()
}

/// `GET /portal/tickets/{number}`: one of the contact's tickets, with its notes (chat
/// transcripts among them) as the helpdesk (here: the chat server's built-in one) has them.
pub async fn ticket(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    let Some(who) = portal.contact(&headers) else {
        return Redirect::to("/portal/").into_response();
    };
    // Only the contact's own tickets, asked for among theirs: nothing user-typed is passed on.
    let own = portal.contact_tickets(who.id).await.unwrap_or_default();
    let Some(number) = own.iter().map(|t| t.number.as_str()).find(|n| *n == number) else {
        return (StatusCode::NOT_FOUND, "no such ticket").into_response();
    };
    let detail = portal
        .http
        .get(format!("{}/api/admin/tickets/{number}", portal.server_url))
        .bearer_auth(&portal.admin_key)
        .send()
        .await;
    let detail: Option<TicketDetail> = match detail {
        Ok(r) if r.status().is_success() => r.json().await.ok(),
        _ => None,
    };
    let Some(detail) = detail else {
        return (StatusCode::BAD_GATEWAY, "the helpdesk is not reachable").into_response();
    };
    let notes: String = if detail.notes.is_empty() {
        "<p>No notes yet.</p>".into()
    } else {
        detail
            .notes
            .iter()
            .map(|n| {
                let kind = match n.kind {
                    protocol::helpdesk::NoteKind::Transcript => "Chat transcript",
                    protocol::helpdesk::NoteKind::Note => "Note",
                };
                format!(
                    "<article class=\"note\"><h3>{kind} by {}</h3><pre>{}</pre></article>",
                    esc(&n.author),
                    esc(&n.body)
                )
            })
            .collect()
    };
    let t = &detail.ticket;
    page(
        &portal,
        &format!("{} {}", t.number, t.subject),
        Some(who),
        &format!(
            "<p><a href=\"/portal/tickets\">My tickets</a></p>\
             <h1>{n}: {s}</h1><p>Status: {st}</p>\
             <p><button type=\"button\" data-livechat-ticket=\"{n}\">Chat about this ticket\
             </button></p><section aria-labelledby=\"notes-h\"><h2 id=\"notes-h\">Notes</h2>\
             {notes}</section>",
            n = esc(&t.number),
            s = esc(&t.subject),
            st = status_label(t.status),
        ),
    )
    .into_response()
}
