//! The admin's Settings screen, over the admin API: chat for verified contacts and how long a
//! request waits before its visitor may ask for a callback (`/api/admin/settings`), office
//! hours (`/api/admin/office-hours`) and where webhooks go (`/api/admin/webhook`, the secret
//! write-only). Shown only to admins: the console asks `/api/agent/me` after signing in and
//! offers the screen to an admin.
//!
//! Also the per-company and per-contact overrides of chat (and per-company of pre-ticket chat)
//! over `/api/admin/companies` and `/api/admin/contacts`: a contact's own setting overrides
//! their company's, which overrides the global one (`None` inherits). Each pick saves at once;
//! [`Saving`] keeps what the selects show consistent with what the server acknowledged.
//!
//! And the agent accounts (`/api/admin/agents`): the list with each agent's admin role and
//! active flag (saved at each click, one `PUT` per row at a time, like the overrides), setting
//! a new password for one, and adding one. The signed-in agent's own row cannot lose its role
//! or be deactivated from here ([`may_change_agent`]).
//!
//! And the sections (`/api/admin/sections`): whom each takes live chat from (anonymous
//! visitors, portal contacts) and its members, added, saved whole (`PUT`) and deleted; the
//! site's default section, and whether visitors pick theirs in the widget, are chat settings,
//! a company's section a pick in its row (saved like its other overrides).

use leptos::prelude::*;
use protocol::AgentId;
use protocol::agents::{
    AgentList, AgentProfile, AgentRecord, AgentUpdate, NewAgentRequest, ResetPasswordRequest,
};
use protocol::helpdesk::{ChatSettings, Company, CompanyInput, Contact, ContactInput, OfficeHours};
use protocol::webhooks::WebhookSettings;
use protocol::workspace::{MAX_SECTION_NAME_CHARS, Section, SectionInput, SectionList};

use crate::Ctl;
use livechat_client::rest::{self, ApiError};

/// What the Settings screen holds and shows.
#[derive(Clone, Copy)]
pub struct Settings {
    /// The signed-in agent is an admin (the admin API answered).
    pub admin: RwSignal<bool>,
    pub open: RwSignal<bool>,
    pub chat: RwSignal<Option<ChatSettings>>,
    pub hours: RwSignal<Option<OfficeHours>>,
    pub webhook: RwSignal<Option<WebhookSettings>>,
    pub error: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    /// Companies and contacts with their overrides; `None` until they first load (they are
    /// fetched when the screen opens, not at sign-in: the list can be long).
    pub overrides: RwSignal<Option<Overrides>>,
    /// Outcomes of the overrides' saves, shown in their own section: the table can be far
    /// below the screen's top status line.
    pub overrides_error: RwSignal<Option<String>>,
    pub overrides_notice: RwSignal<Option<String>>,
    /// The agent accounts; `None` until they first load (when the screen opens).
    pub agents: RwSignal<Option<Vec<AgentRow>>>,
    /// Outcomes in the Agents section (saves, password resets, adding one).
    pub agents_error: RwSignal<Option<String>>,
    pub agents_notice: RwSignal<Option<String>>,
    /// An "Add agent" request is on its way.
    pub adding_agent: RwSignal<bool>,
    /// The sections; `None` until they first load (when the screen opens).
    pub sections: RwSignal<Option<Vec<Section>>>,
    /// Outcomes in the Sections section.
    pub sections_error: RwSignal<Option<String>>,
    pub sections_notice: RwSignal<Option<String>>,
}

impl Settings {
    pub fn new() -> Self {
        Settings {
            admin: RwSignal::new(false),
            open: RwSignal::new(false),
            chat: RwSignal::new(None),
            hours: RwSignal::new(None),
            webhook: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            overrides: RwSignal::new(None),
            overrides_error: RwSignal::new(None),
            overrides_notice: RwSignal::new(None),
            agents: RwSignal::new(None),
            agents_error: RwSignal::new(None),
            agents_notice: RwSignal::new(None),
            adding_agent: RwSignal::new(false),
            sections: RwSignal::new(None),
            sections_error: RwSignal::new(None),
            sections_notice: RwSignal::new(None),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self::new()
    }
}

fn failure(e: &ApiError) -> String {
    match e {
        ApiError::Server { status: 400 } => {
            "Some of these settings are not valid; check the fields and try again.".into()
        }
        ApiError::Server { status: 401 | 403 } => "Only admins can change settings.".into(),
        ApiError::Server { .. } => "The server could not save that. Please try again.".into(),
        ApiError::Network => "Could not reach the server. Please try again.".into(),
    }
}

impl Ctl {
    /// Whether this agent is an admin (`GET /api/agent/me`) and, if so, everything the screen
    /// shows. A non-admin's console never calls the admin API (each refusal would be a 403 in
    /// the browser's console).
    pub async fn load_settings(self) {
        let Some(token) = self.token() else { return };
        let me = rest::get_json::<AgentProfile>(&self.url("/api/agent/me"), &token).await;
        if !me.is_ok_and(|me| me.is_admin) {
            self.settings.admin.set(false);
            return;
        }
        self.reload_settings(&token).await;
    }

    /// What the screen shows, read again (an admin's).
    async fn reload_settings(self, token: &str) {
        let chat = rest::get_json::<ChatSettings>(&self.url("/api/admin/settings"), token).await;
        let Ok(chat) = chat else {
            self.settings.admin.set(false);
            return;
        };
        self.settings.admin.set(true);
        self.settings.chat.set(Some(chat));
        let hours = rest::get_json(&self.url("/api/admin/office-hours"), token).await;
        self.settings.hours.set(hours.ok());
        let webhook = rest::get_json(&self.url("/api/admin/webhook"), token).await;
        self.settings.webhook.set(webhook.ok());
    }

    pub fn toggle_settings(self) {
        let open = self.toggle_panel(self.settings.open);
        self.settings.error.set(None);
        self.settings.notice.set(None);
        self.settings.overrides_error.set(None);
        self.settings.overrides_notice.set(None);
        self.settings.agents_error.set(None);
        self.settings.agents_notice.set(None);
        self.settings.sections_error.set(None);
        self.settings.sections_notice.set(None);
        if open {
            leptos::task::spawn_local(self.load_settings());
            leptos::task::spawn_local(self.load_overrides());
            leptos::task::spawn_local(self.load_agents());
            leptos::task::spawn_local(self.load_admin_sections());
        }
    }

    /// Save one section with `PUT path`.
    pub async fn save_setting<B: serde::Serialize>(self, path: &str, body: B, what: &str) {
        let Some(token) = self.token() else { return };
        self.settings.error.set(None);
        self.settings.notice.set(None);
        match rest::put_json(&self.url(path), &body, &token).await {
            Ok(()) => {
                // Read back first, then say so: the forms are drawn again from what the
                // server holds, and only then is "saved" shown, so nothing typed after it can
                // be replaced by that redraw.
                self.reload_settings(&token).await;
                self.settings.notice.set(Some(format!("{what} saved.")));
            }
            Err(e) => self.settings.error.set(Some(failure(&e))),
        }
    }
}

/// A select's value for an override.
pub fn choice_value(v: Option<bool>) -> &'static str {
    match v {
        None => "inherit",
        Some(true) => "on",
        Some(false) => "off",
    }
}

/// The override a select's value stands for; `None` for a value no option has.
pub fn parse_choice(value: &str) -> Option<Option<bool>> {
    match value {
        "inherit" => Some(None),
        "on" => Some(Some(true)),
        "off" => Some(Some(false)),
        _ => None,
    }
}

/// A company's "inherit" option, saying what inheriting gives now, so an admin need not
/// scroll up to the Chat section to know.
pub fn inherit_label(global: bool) -> &'static str {
    if global {
        "Inherit (on)"
    } else {
        "Inherit (off)"
    }
}

/// `id` as one URL path segment: ids are the helpdesk's own strings, so a `/`, `?`, `#` or
/// space in one must not change the path.
pub fn path_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Which of a company's two overrides a select sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompanySetting {
    Chat,
    PreTicket,
}

/// `company` with one override changed, the other kept (a `PUT` replaces both).
pub fn with_company_setting(
    company: &Company,
    which: CompanySetting,
    value: Option<bool>,
) -> Company {
    let mut c = company.clone();
    match which {
        CompanySetting::Chat => c.chat_enabled = value,
        CompanySetting::PreTicket => c.pre_ticket = value,
    }
    c
}

/// A record whose overrides this screen saves with a `PUT` of the whole record.
pub trait Override: Clone + PartialEq + 'static {
    type Input: serde::Serialize;
    fn id(&self) -> &str;
    fn name(&self) -> &str;
    /// The admin API path it is `PUT` to.
    fn path(&self) -> String;
    /// The whole body: every field the `PUT` replaces, so nothing falls back to "inherit" by
    /// being left out.
    fn input(&self) -> Self::Input;
    fn rows(o: &mut Overrides) -> &mut Vec<Saving<Self>>;
}

impl Override for Company {
    type Input = CompanyInput;
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn path(&self) -> String {
        format!("/api/admin/companies/{}", path_segment(&self.id))
    }
    fn input(&self) -> CompanyInput {
        CompanyInput {
            name: self.name.clone(),
            chat_enabled: self.chat_enabled,
            pre_ticket: self.pre_ticket,
            section: self.section,
        }
    }
    fn rows(o: &mut Overrides) -> &mut Vec<Saving<Self>> {
        &mut o.companies
    }
}

impl Override for Contact {
    type Input = ContactInput;
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn path(&self) -> String {
        format!("/api/admin/contacts/{}", path_segment(&self.id))
    }
    fn input(&self) -> ContactInput {
        ContactInput {
            company: self.company.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            chat_enabled: self.chat_enabled,
        }
    }
    fn rows(o: &mut Overrides) -> &mut Vec<Saving<Self>> {
        &mut o.contacts
    }
}

/// One row while its saves come and go: what the server last acknowledged and what the
/// select shows. One `PUT` per row at a time: two in flight could arrive in either order and
/// leave the server with the older one while the screen shows the newer.
#[derive(Debug, Clone, PartialEq)]
pub struct Saving<T> {
    pub confirmed: T,
    pub shown: T,
    pub in_flight: bool,
}

impl<T: Clone + PartialEq> Saving<T> {
    pub fn new(record: T) -> Self {
        Saving {
            confirmed: record.clone(),
            shown: record,
            in_flight: false,
        }
    }

    /// The admin picked `record`: it shows at once. Returns what to `PUT` now, or `None` while
    /// another `PUT` is in flight ([`Saving::saved`] sends the newest after it).
    pub fn change(&mut self, record: T) -> Option<T> {
        self.shown = record;
        if self.in_flight {
            return None;
        }
        self.in_flight = true;
        Some(self.shown.clone())
    }

    /// The server stored `sent`. Returns the next record to `PUT` if the admin changed the row
    /// meanwhile.
    pub fn saved(&mut self, sent: T) -> Option<T> {
        self.confirmed = sent;
        if self.shown == self.confirmed {
            self.in_flight = false;
            None
        } else {
            Some(self.shown.clone())
        }
    }

    /// The `PUT` failed: the row shows what the server holds again.
    pub fn failed(&mut self) {
        self.shown = self.confirmed.clone();
        self.in_flight = false;
    }

    /// A fresh copy from the server. A row with a save in flight keeps showing the admin's
    /// pick; the save's outcome settles it.
    pub fn refreshed(&mut self, server: T) {
        if !self.in_flight {
            self.shown = server.clone();
        }
        self.confirmed = server;
    }
}

/// The companies and contacts the screen lists, in the server's order (by id).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub companies: Vec<Saving<Company>>,
    pub contacts: Vec<Saving<Contact>>,
}

impl Overrides {
    /// Takes the server's lists, keeping the state of rows that are being saved.
    pub fn replace(&mut self, companies: Vec<Company>, contacts: Vec<Contact>) {
        self.companies = merge(std::mem::take(&mut self.companies), companies);
        self.contacts = merge(std::mem::take(&mut self.contacts), contacts);
    }

    pub fn company(&self, id: &str) -> Option<&Company> {
        self.companies
            .iter()
            .find(|r| r.shown.id == id)
            .map(|r| &r.shown)
    }

    pub fn contact(&self, id: &str) -> Option<&Contact> {
        self.contacts
            .iter()
            .find(|r| r.shown.id == id)
            .map(|r| &r.shown)
    }

    /// The ids of a company's contacts, in list order.
    pub fn contacts_of(&self, company: &str) -> Vec<String> {
        self.contacts
            .iter()
            .filter(|r| r.shown.company == company)
            .map(|r| r.shown.id.clone())
            .collect()
    }
}

fn merge<T: Override>(old: Vec<Saving<T>>, fresh: Vec<T>) -> Vec<Saving<T>> {
    let mut old = old;
    fresh
        .into_iter()
        .map(
            |server| match old.iter().position(|r| r.shown.id() == server.id()) {
                Some(i) => {
                    let mut row = old.swap_remove(i);
                    row.refreshed(server);
                    row
                }
                None => Saving::new(server),
            },
        )
        .collect()
}

impl Ctl {
    /// Load the companies and contacts with their overrides.
    pub async fn load_overrides(self) {
        let Some(token) = self.token() else { return };
        let (companies_url, contacts_url) = (
            self.url("/api/admin/companies"),
            self.url("/api/admin/contacts"),
        );
        let companies = rest::get_json::<Vec<Company>>(&companies_url, &token).await;
        let contacts = rest::get_json::<Vec<Contact>>(&contacts_url, &token).await;
        match (companies, contacts) {
            (Ok(companies), Ok(contacts)) => self.settings.overrides.update(|o| {
                o.get_or_insert_with(Overrides::default)
                    .replace(companies, contacts)
            }),
            // A failed refresh keeps the rows already shown; only a first load has nothing.
            _ if self.settings.overrides.with_untracked(Option::is_none) => {
                self.settings.overrides_error.set(Some(
                    "Could not load companies and contacts. Close Settings and open it again to retry."
                        .into(),
                ));
            }
            _ => {}
        }
    }

    /// A company's override picked in its select.
    pub fn set_company(self, id: &str, which: CompanySetting, value: Option<bool>) {
        self.change_override::<Company>(id, |c| with_company_setting(c, which, value));
    }

    /// A company's section picked in its select (`None`: the site's default).
    pub fn set_company_section(self, id: &str, section: Option<i64>) {
        self.change_override::<Company>(id, |c| Company {
            section,
            ..c.clone()
        });
    }

    /// A contact's override picked in its select.
    pub fn set_contact(self, id: &str, value: Option<bool>) {
        self.change_override::<Contact>(id, |c| Contact {
            chat_enabled: value,
            ..c.clone()
        });
    }

    fn change_override<T: Override>(self, id: &str, edit: impl FnOnce(&T) -> T) {
        let mut send = None;
        self.settings.overrides.update(|o| {
            if let Some(row) = o
                .as_mut()
                .and_then(|o| T::rows(o).iter_mut().find(|r| r.shown.id() == id))
            {
                let next = edit(&row.shown);
                send = row.change(next);
            }
        });
        if let Some(next) = send {
            self.settings.overrides_error.set(None);
            self.settings.overrides_notice.set(None);
            leptos::task::spawn_local(self.save_override(next));
        }
    }

    /// `PUT`s the row until what the server holds is what the select shows, or a `PUT` fails.
    async fn save_override<T: Override>(self, mut next: T) {
        let id = next.id().to_owned();
        loop {
            let result = match self.token() {
                Some(token) => rest::put_json(&self.url(&next.path()), &next.input(), &token).await,
                None => Err(ApiError::Server { status: 401 }),
            };
            let mut again = None;
            self.settings.overrides.update(|o| {
                let Some(row) = o
                    .as_mut()
                    .and_then(|o| T::rows(o).iter_mut().find(|r| r.shown.id() == id))
                else {
                    return;
                };
                match &result {
                    Ok(()) => again = row.saved(next.clone()),
                    Err(_) => row.failed(),
                }
            });
            match (result, again) {
                (Ok(()), Some(newer)) => next = newer,
                (Ok(()), None) => {
                    let saved = format!("{} saved.", next.name());
                    self.settings.overrides_notice.set(Some(saved));
                    return;
                }
                (Err(e), _) => {
                    let error = format!("{} was not saved. {}", next.name(), failure(&e));
                    self.settings.overrides_error.set(Some(error));
                    // A lost answer may hide a stored change: ask what the server holds.
                    self.load_overrides().await;
                    return;
                }
            }
        }
    }
}

/// One agent account in the Agents table: its saves (see [`Saving`]) and whether a new
/// password for it is on its way (one at a time).
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRow {
    pub saving: Saving<AgentRecord>,
    pub resetting: bool,
}

impl AgentRow {
    pub fn new(record: AgentRecord) -> Self {
        AgentRow {
            saving: Saving::new(record),
            resetting: false,
        }
    }

    pub fn id(&self) -> AgentId {
        self.saving.shown.id
    }
}

/// Takes the server's list, keeping the state of rows that are being saved.
pub fn merge_agents(old: Vec<AgentRow>, fresh: Vec<AgentRecord>) -> Vec<AgentRow> {
    let mut old = old;
    fresh
        .into_iter()
        .map(
            |server| match old.iter().position(|r| r.id() == server.id) {
                Some(i) => {
                    let mut row = old.swap_remove(i);
                    row.saving.refreshed(server);
                    row
                }
                None => AgentRow::new(server),
            },
        )
        .collect()
}

/// The admin API path of one agent.
pub fn agent_path(id: AgentId) -> String {
    format!("/api/admin/agents/{id}")
}

/// The `PUT` body taking `confirmed` (what the server holds) to `next`: only the fields that
/// differ, so a change made meanwhile by another admin to another field is not overwritten.
pub fn agent_update(confirmed: &AgentRecord, next: &AgentRecord) -> AgentUpdate {
    AgentUpdate {
        name: (next.name != confirmed.name).then(|| next.name.clone()),
        is_admin: (next.is_admin != confirmed.is_admin).then_some(next.is_admin),
        active: (next.active != confirmed.active).then_some(next.active),
    }
}

/// Whether `id` is the signed-in agent (`me`).
pub fn is_me(me: Option<AgentId>, id: AgentId) -> bool {
    me == Some(id)
}

/// Whether this screen may take `current` to `next`: the signed-in agent's own row cannot
/// lose the admin role or be deactivated (they would lock themselves out mid-click; another
/// admin can do it). Every other row may change freely; the server still refuses to leave no
/// active admin.
pub fn may_change_agent(me: Option<AgentId>, current: &AgentRecord, next: &AgentRecord) -> bool {
    !is_me(me, current.id)
        || ((next.is_admin || !current.is_admin) && (next.active || !current.active))
}

/// The server's rule for a new password, checked here first to save a round trip.
pub fn check_new_password(password: &str) -> Result<(), String> {
    protocol::validate_new_password(password).map_err(|e| format!("The password {e}."))
}

/// The "Add agent" form as a request, or what to fix first.
pub fn new_agent_request(
    name: &str,
    email: &str,
    password: &str,
    is_admin: bool,
) -> Result<NewAgentRequest, String> {
    let (name, email) = (name.trim(), email.trim());
    if name.is_empty() {
        return Err("Enter the agent's name.".into());
    }
    if email.is_empty() || !email.contains('@') {
        return Err("Enter the agent's e-mail address.".into());
    }
    check_new_password(password)?;
    Ok(NewAgentRequest {
        email: email.to_owned(),
        name: name.to_owned(),
        password: password.to_owned(),
        is_admin,
    })
}

/// A refusal from `post_json_explained`: the server's own message when it gave one, as a
/// sentence ("the password is too long" → "The password is too long.").
pub fn refusal((status, message): (u16, String)) -> String {
    let message = message.trim();
    if status == 0 {
        return failure(&ApiError::Network);
    }
    let mut chars = message.chars();
    let Some(first) = chars.next() else {
        return failure(&ApiError::Server { status });
    };
    let mut sentence: String = first.to_uppercase().chain(chars).collect();
    if !sentence.ends_with(['.', '!', '?']) {
        sentence.push('.');
    }
    sentence
}

impl Ctl {
    /// The signed-in agent's id (known from the socket's welcome or the sign-in answer).
    pub fn my_agent_id(self) -> Option<AgentId> {
        self.store
            .desk
            .with_untracked(|d| d.me.as_ref().and_then(|m| m.principal.agent()))
    }

    /// Load the agent accounts.
    pub async fn load_agents(self) {
        let Some(token) = self.token() else { return };
        match rest::get_json::<AgentList>(&self.url("/api/admin/agents"), &token).await {
            Ok(list) => self.settings.agents.update(|rows| {
                let old = rows.take().unwrap_or_default();
                *rows = Some(merge_agents(old, list.agents));
            }),
            // A failed refresh keeps the rows already shown; only a first load has nothing.
            Err(_) if self.settings.agents.with_untracked(Option::is_none) => {
                self.settings.agents_error.set(Some(
                    "Could not load agent accounts. Close Settings and open it again to retry."
                        .into(),
                ));
            }
            Err(_) => {}
        }
    }

    /// The "Admin" checkbox of agent `id`.
    pub fn set_agent_admin(self, id: AgentId, is_admin: bool) {
        self.change_agent(id, |a| AgentRecord {
            is_admin,
            ..a.clone()
        });
    }

    /// The "Active" checkbox of agent `id`.
    pub fn set_agent_active(self, id: AgentId, active: bool) {
        self.change_agent(id, |a| AgentRecord {
            active,
            ..a.clone()
        });
    }

    fn change_agent(self, id: AgentId, edit: impl FnOnce(&AgentRecord) -> AgentRecord) {
        let me = self.my_agent_id();
        let mut send = None;
        self.settings.agents.update(|rows| {
            let Some(row) = rows
                .as_mut()
                .and_then(|rows| rows.iter_mut().find(|r| r.id() == id))
            else {
                return;
            };
            let next = edit(&row.saving.shown);
            if may_change_agent(me, &row.saving.shown, &next) {
                send = row.saving.change(next);
            }
        });
        if let Some(next) = send {
            self.settings.agents_error.set(None);
            self.settings.agents_notice.set(None);
            leptos::task::spawn_local(self.save_agent(next));
        }
    }

    /// `PUT`s the row until what the server holds is what the checkboxes show, or a `PUT`
    /// fails.
    async fn save_agent(self, mut next: AgentRecord) {
        let id = next.id;
        loop {
            let confirmed = self.settings.agents.with_untracked(|rows| {
                rows.as_ref()
                    .and_then(|rows| rows.iter().find(|r| r.id() == id))
                    .map(|r| r.saving.confirmed.clone())
            });
            let Some(confirmed) = confirmed else { return };
            let body = agent_update(&confirmed, &next);
            let result = if body == AgentUpdate::default() {
                Ok(())
            } else {
                match self.token() {
                    Some(token) => rest::put_json(&self.url(&agent_path(id)), &body, &token).await,
                    None => Err(ApiError::Server { status: 401 }),
                }
            };
            let mut again = None;
            self.settings.agents.update(|rows| {
                let Some(row) = rows
                    .as_mut()
                    .and_then(|rows| rows.iter_mut().find(|r| r.id() == id))
                else {
                    return;
                };
                match &result {
                    Ok(()) => again = row.saving.saved(next.clone()),
                    Err(_) => row.saving.failed(),
                }
            });
            match (result, again) {
                (Ok(()), Some(newer)) => next = newer,
                (Ok(()), None) => {
                    let saved = format!("{} saved.", next.name);
                    self.settings.agents_notice.set(Some(saved));
                    return;
                }
                (Err(e), _) => {
                    // `put_json` does not read the refusal's body: a 400 here is the server
                    // keeping at least one active admin (this screen changes nothing else).
                    let why = match e {
                        ApiError::Server { status: 400 } => {
                            "There must always be at least one active admin.".to_owned()
                        }
                        other => failure(&other),
                    };
                    let error = format!("{} was not saved. {why}", next.name);
                    self.settings.agents_error.set(Some(error));
                    // A lost answer may hide a stored change: ask what the server holds.
                    self.load_agents().await;
                    return;
                }
            }
        }
    }

    /// Set a new password for agent `id` (every session of theirs ends). Returns whether it
    /// was set.
    pub async fn reset_agent_password(self, id: AgentId, password: String) -> bool {
        if let Err(problem) = check_new_password(&password) {
            self.settings.agents_error.set(Some(problem));
            self.settings.agents_notice.set(None);
            return false;
        }
        let Some(token) = self.token() else {
            return false;
        };
        // One reset per row at a time.
        let mut name = None;
        self.settings.agents.update(|rows| {
            if let Some(row) = rows
                .as_mut()
                .and_then(|rows| rows.iter_mut().find(|r| r.id() == id))
                && !row.resetting
            {
                row.resetting = true;
                name = Some(row.saving.shown.name.clone());
            }
        });
        let Some(name) = name else { return false };
        self.settings.agents_error.set(None);
        self.settings.agents_notice.set(None);
        let url = self.url(&format!("{}/password", agent_path(id)));
        let body = ResetPasswordRequest { password };
        let answer =
            rest::post_json_explained::<_, serde::de::IgnoredAny>(&url, &body, Some(&token)).await;
        self.settings.agents.update(|rows| {
            if let Some(row) = rows
                .as_mut()
                .and_then(|rows| rows.iter_mut().find(|r| r.id() == id))
            {
                row.resetting = false;
            }
        });
        match answer {
            // 204 has no body to decode: any 2xx is done.
            Ok(_) | Err((200..=299, _)) => {
                self.settings.agents_notice.set(Some(format!(
                    "New password set for {name}. Their sessions were signed out."
                )));
                true
            }
            Err(refused) => {
                self.settings.agents_error.set(Some(format!(
                    "The password for {name} was not set. {}",
                    refusal(refused)
                )));
                false
            }
        }
    }

    /// Add an agent from the form. Returns whether they were added (the form then clears).
    pub async fn add_agent(
        self,
        name: String,
        email: String,
        password: String,
        is_admin: bool,
    ) -> bool {
        let s = self.settings;
        let body = match new_agent_request(&name, &email, &password, is_admin) {
            Ok(body) => body,
            Err(problem) => {
                s.agents_error.set(Some(problem));
                s.agents_notice.set(None);
                return false;
            }
        };
        let Some(token) = self.token() else {
            return false;
        };
        if s.adding_agent.get_untracked() {
            return false;
        }
        s.adding_agent.set(true);
        s.agents_error.set(None);
        s.agents_notice.set(None);
        let url = self.url("/api/admin/agents");
        let answer = rest::post_json_explained::<_, AgentRecord>(&url, &body, Some(&token)).await;
        s.adding_agent.set(false);
        match answer {
            Ok(record) => {
                let added = format!("{} was added.", record.name);
                s.agents.update(|rows| {
                    let rows = rows.get_or_insert_with(Vec::new);
                    if !rows.iter().any(|r| r.id() == record.id) {
                        rows.push(AgentRow::new(record));
                    }
                });
                s.agents_notice.set(Some(added));
                true
            }
            Err(refused) => {
                s.agents_error.set(Some(format!(
                    "The agent was not added. {}",
                    refusal(refused)
                )));
                false
            }
        }
    }
}

/// A section's form as the body to send, or what to fix first.
pub fn section_input(
    name: &str,
    anonymous_chat: bool,
    contact_chat: bool,
    members: Vec<AgentId>,
) -> Result<SectionInput, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the section a name.".into());
    }
    if name.chars().count() > MAX_SECTION_NAME_CHARS {
        return Err(format!(
            "A section's name has at most {MAX_SECTION_NAME_CHARS} characters."
        ));
    }
    Ok(SectionInput {
        name: name.to_owned(),
        anonymous_chat,
        contact_chat,
        members,
    })
}

/// The admin API path of one section.
pub fn section_path(id: i64) -> String {
    format!("/api/admin/sections/{id}")
}

impl Ctl {
    /// Load the sections (admins' list).
    pub async fn load_admin_sections(self) {
        let Some(token) = self.token() else { return };
        match rest::get_json::<SectionList>(&self.url("/api/admin/sections"), &token).await {
            Ok(list) => self.settings.sections.set(Some(list.sections)),
            // A failed refresh keeps the rows already shown; only a first load has nothing.
            Err(_) if self.settings.sections.with_untracked(Option::is_none) => {
                self.settings.sections_error.set(Some(
                    "Could not load the sections. Close Settings and open it again to retry."
                        .into(),
                ));
            }
            Err(_) => {}
        }
    }

    fn section_outcome(self, outcome: Result<String, String>) -> bool {
        let s = self.settings;
        match outcome {
            Ok(notice) => {
                s.sections_error.set(None);
                s.sections_notice.set(Some(notice));
                true
            }
            Err(error) => {
                s.sections_notice.set(None);
                s.sections_error.set(Some(error));
                false
            }
        }
    }

    /// Add a section from the form. Returns whether it was added (the form then clears).
    pub async fn add_section(self, input: Result<SectionInput, String>) -> bool {
        let Some(token) = self.token() else {
            return false;
        };
        let outcome = match input {
            Err(problem) => Err(problem),
            Ok(body) => {
                let url = self.url("/api/admin/sections");
                rest::post_json_explained::<_, Section>(&url, &body, Some(&token))
                    .await
                    .map(|s| format!("Section {} added.", s.name))
                    .map_err(|r| format!("The section was not added. {}", refusal(r)))
            }
        };
        let added = self.section_outcome(outcome);
        if added {
            self.load_admin_sections().await;
        }
        added
    }

    /// Save section `id` whole (name, whom it takes, members).
    pub async fn save_section(self, id: i64, input: Result<SectionInput, String>) -> bool {
        let Some(token) = self.token() else {
            return false;
        };
        let outcome = match input {
            Err(problem) => Err(problem),
            Ok(body) => rest::put_json(&self.url(&section_path(id)), &body, &token)
                .await
                .map(|()| format!("Section {} saved.", body.name))
                .map_err(|e| {
                    // `put_json` does not read the refusal: a 400 is a name or member refused.
                    let why = match e {
                        ApiError::Server { status: 400 } => {
                            "That name is taken, or a member no longer exists.".to_owned()
                        }
                        other => failure(&other),
                    };
                    format!("Section {} was not saved. {why}", body.name)
                }),
        };
        let saved = self.section_outcome(outcome);
        // Saved or not, show what the server holds.
        self.load_admin_sections().await;
        saved
    }

    /// Delete section `id` (its waiting requests widen to every section that takes them).
    pub async fn delete_section(self, id: i64, name: String) {
        let Some(token) = self.token() else { return };
        let outcome = rest::delete(&self.url(&section_path(id)), &token)
            .await
            .map(|()| format!("Section {name} deleted."))
            .map_err(|e| format!("Section {name} was not deleted. {}", failure(&e)));
        self.section_outcome(outcome);
        self.load_admin_sections().await;
    }
}
