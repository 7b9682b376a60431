//! "Past chats": a verified contact's conversations newest first with their ticket numbers
//! (`GET /api/contact/conversations`), and any one of them read-only, every page of its
//! messages (`GET /api/conversations/{id}/messages`). Drawn over the chat, which stays live
//! beneath it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use livechat_client::chat::Chat;
use livechat_client::i18n::{tr, tr_with};
use livechat_client::message_row::MessageRow;
use livechat_client::rest;
use protocol::helpdesk::{PastConversation, PastConversationList};
use protocol::{ConversationId, HistoryPage, Message, Principal};

const ROOT: &str = "position:absolute;inset:0;z-index:1;display:flex;flex-direction:column;\
                    background:var(--lc-bg);font-size:14px";
const HEAD: &str = "display:flex;align-items:center;padding:8px 16px;\
                    border-bottom:1px solid var(--lc-line)";
const BACK: &str = "border:0;background:none;color:var(--lc-accent);padding:4px;font-size:13px;\
                    text-decoration:underline";
const ITEM: &str = "display:block;width:100%;text-align:start;padding:10px 12px;margin:0 0 8px;\
                    border:1px solid var(--lc-line);border-radius:10px;background:var(--lc-bg);color:inherit";

/// "Tue, 24 Nov" in the visitor's language.
fn day(ms: i64) -> String {
    livechat_client::clock::local_time(
        ms,
        &[("weekday", "short"), ("day", "numeric"), ("month", "short")],
    )
}

/// What a past chat is called, in the list and above its messages.
pub fn title(c: &PastConversation) -> String {
    let about = match &c.ticket {
        Some(t) => format!("{} · {}", t.number, t.subject),
        None => tr("no_ticket"),
    };
    format!("{} — {about}", day(c.created_at))
}

/// "With Ada, Grace", or that nobody answered.
pub fn who_answered(c: &PastConversation) -> String {
    if c.agents.is_empty() {
        tr("nobody_answered")
    } else {
        let names = c.agents.join(&tr("list_separator"));
        tr_with("with_agents", &[("names", &names)])
    }
}

async fn past_chats(server: &str, token: &str) -> Vec<PastConversation> {
    let url = format!("{server}/api/contact/conversations");
    rest::get_json::<PastConversationList>(&url, token)
        .await
        .map(|l| l.conversations)
        .unwrap_or_default()
}

/// Every message of conversation `id`, a page at a time.
async fn messages(server: &str, token: &str, id: ConversationId) -> Vec<Message> {
    let mut all: Vec<Message> = Vec::new();
    loop {
        let after = all.last().map_or(0, |m| m.seq);
        let url = format!(
            "{server}/api/conversations/{}/messages?after_seq={after}",
            id.0
        );
        let Ok(page) = rest::get_json::<HistoryPage>(&url, token).await else {
            return all;
        };
        let more = page.more && !page.messages.is_empty();
        all.extend(page.messages);
        if !more {
            return all;
        }
    }
}

#[component]
pub fn History(
    server: String,
    token: String,
    me: Principal,
    on_close: Callback<()>,
) -> impl IntoView {
    let source = StoredValue::new((server, token));
    // `None` while loading.
    let list = RwSignal::new(None::<Vec<PastConversation>>);
    // The chat being read: its title and messages.
    let reading = RwSignal::new(None::<(String, Chat)>);
    spawn_local(async move {
        let (server, token) = source.get_value();
        list.set(Some(past_chats(&server, &token).await));
    });
    let read = move |c: PastConversation| {
        let heading = title(&c);
        spawn_local(async move {
            let (server, token) = source.get_value();
            let mut chat = Chat::default();
            for m in messages(&server, &token, c.id).await {
                chat.insert(m);
            }
            reading.set(Some((heading, chat)));
        });
    };
    let items = move || {
        match list.get() {
        None => view! { <p role="status">{tr("loading")}</p> }.into_any(),
        Some(l) if l.is_empty() => view! { <p role="status">{tr("no_past_chats")}</p> }.into_any(),
        Some(l) => view! {
            <ul aria-label=tr("past_chats") style="list-style:none;margin:0;padding:0">
                {l.into_iter()
                    .map(|c| {
                        let heading = title(&c);
                        let with = who_answered(&c);
                        let preview = c.preview.clone();
                        view! {
                            <li>
                                <button type="button" style=ITEM on:click=move |_| read(c.clone())>
                                    <strong style="display:block">{heading}</strong>
                                    <span style="display:block;color:var(--lc-muted);font-size:13px">{with}</span>
                                    <span style="display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap">
                                        {preview}
                                    </span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    }
    };
    crate::localised(move |lang, dir| {
        view! {
            <section style=ROOT aria-labelledby="lc-history-title" lang=lang dir=dir>
                <div style=HEAD>
                    <button type="button" style=BACK on:click=move |_| {
                        if reading.with_untracked(Option::is_some) {
                            reading.set(None);
                        } else {
                            on_close.run(());
                        }
                    }>
                        {move || tr(if reading.with(Option::is_some) { "all_past_chats" } else { "back_to_chat" })}
                    </button>
                </div>
                {move || match reading.get() {
                    Some((heading, chat)) => view! {
                        <h3 id="lc-history-title" style="margin:0;padding:8px 16px;font-size:14px">{heading}</h3>
                        <div class="lc-log" role="log" aria-label=tr("past_chat")>
                            {chat.lines.into_iter().map(|line| view! { <MessageRow line=line me=Some(me) /> }).collect_view()}
                        </div>
                    }
                    .into_any(),
                    None => view! {
                        <h3 id="lc-history-title" style="margin:0;padding:8px 16px;font-size:14px">{tr("past_chats")}</h3>
                        <div style="flex:1;overflow-y:auto;padding:8px 16px">{items}</div>
                    }
                    .into_any(),
                }}
            </section>
        }
    })
}
