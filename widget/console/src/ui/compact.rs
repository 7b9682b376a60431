//! The compact view: my chats (live and team chats) as round bubbles stacked at the screen's right edge instead of
//! the list beside the open chat. Each bubble shows the visitor's initials and an unread
//! count, in its kind's colour ([`crate::state::ChatKind`]), most recently updated at the top; past
//! [`MAX_BUBBLES`] the rest wait behind a "+N more" button. A bubble opens its chat in a
//! floating window beside the stack (the same [`ConversationPane`] as the full view); Escape
//! or its close button closes it and gives focus back to the bubble.

use leptos::prelude::*;
use protocol::ConversationId;
use wasm_bindgen::JsCast;

use super::ConversationPane;
use crate::Ctl;
use crate::store::Lists;

/// Bubbles shown before the rest go behind "+N more".
pub const MAX_BUBBLES: usize = 7;

/// "Marta Jones" → "MJ", "ada" → "A", "" → "?".
pub fn initials(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    if letters.is_empty() {
        "?".into()
    } else {
        letters
    }
}

#[component]
pub fn Bubbles() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let lists = expect_context::<Lists>();
    let shown = Memo::new(move |_| {
        lists
            .bubbles
            .with(|l| l.iter().take(MAX_BUBBLES).copied().collect::<Vec<_>>())
    });
    let rest = Memo::new(move |_| {
        lists
            .bubbles
            .with(|l| l.iter().skip(MAX_BUBBLES).copied().collect::<Vec<_>>())
    });
    let more_open = RwSignal::new(false);
    let stack = NodeRef::<leptos::html::Nav>::new();
    // The floating window shows the open chat (`selected`), so messages to any other count
    // as unread; closing it leaves no chat open.
    let open = Memo::new(move |_| ctl.store.desk.with(|d| d.selected));
    let close = move |id: ConversationId| {
        ctl.close_chat();
        focus_bubble(stack, id);
    };
    view! {
        <nav class="bubbles" aria-label="My chats" node_ref=stack>
            <For each=move || shown.get() key=|id| *id children=|id| view! { <Bubble id=id /> } />
            <Show when=move || rest.with(|r| !r.is_empty())>
                <div class="more">
                    <button
                        type="button"
                        class="more-button"
                        aria-expanded=move || more_open.get().to_string()
                        aria-controls="more-chats"
                        on:click=move |_| more_open.update(|o| *o = !*o)
                    >
                        {move || format!("+{} more", rest.with(Vec::len))}
                    </button>
                    <Show when=move || more_open.get()>
                        <ul
                            id="more-chats"
                            class="more-list"
                            aria-label="More chats"
                            on:click=move |_| more_open.set(false)
                            on:keydown=move |ev| {
                                if ev.key() == "Escape" {
                                    ev.prevent_default();
                                    more_open.set(false);
                                    focus_in(stack, ".more-button");
                                }
                            }
                        >
                            <For
                                each=move || rest.get()
                                key=|id| *id
                                children=|id| view! { <li><Bubble id=id named=true /></li> }
                            />
                        </ul>
                    </Show>
                </div>
            </Show>
        </nav>
        {move || open.get().map(|id| view! { <ChatWindow id=id on_close=move || close(id) /> })}
    }
}

/// One chat as a round button: initials, unread count, its kind's colour; `named` (in the
/// "+N more" list) with the name beside it.
#[component]
fn Bubble(id: ConversationId, #[prop(optional)] named: bool) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let Some(sig) = ctl.store.panes.get(id) else {
        return ().into_any();
    };
    let row = Memo::new(move |_| sig.with(|p| (p.visitor_name().to_string(), p.unread, p.kind())));
    let open = Memo::new(move |_| ctl.store.desk.with(|d| d.selected == Some(id)));
    let kind = move || row.with(|r| r.2);
    view! {
        <button
            type="button"
            class="bubble"
            data-chat=id.0.to_string()
            style=move || format!("--kind: {}", kind().colour())
            title=move || row.with(|(name, _, kind)| format!("{name} · {}", kind.label()))
            aria-expanded=move || open.get().to_string()
            aria-label=move || row.with(|(name, unread, _)| format!("Chat with {name}, {unread} unread"))
            on:click=move |_| if open.get_untracked() { ctl.close_chat() } else { ctl.select(id) }
        >
            <span class="initials" aria-hidden="true">{move || row.with(|r| initials(&r.0))}</span>
            {named.then(|| view! { <span class="name" aria-hidden="true">{move || row.with(|r| r.0.clone())}</span> })}
            {move || {
                let n = row.with(|r| r.1);
                (n > 0).then(|| view! { <span class="badge" aria-hidden="true">{n}</span> })
            }}
        </button>
    }
    .into_any()
}

/// The open chat, floating beside the bubbles. Escape closes it (unless something inside,
/// like the canned replies list, used the key first).
#[component]
fn ChatWindow(id: ConversationId, on_close: impl Fn() + Copy + 'static) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let name = ctl
        .store
        .panes
        .get(id)
        .map(|p| p.with_untracked(|p| p.visitor_name().to_string()))
        .unwrap_or_default();
    let window = NodeRef::<leptos::html::Div>::new();
    // Opening moves focus into the window, to the reply box.
    window.on_load(move |w| {
        request_animation_frame(move || {
            focus_in_el(&w, "textarea");
        });
    });
    view! {
        <div
            class="chat-window"
            role="dialog"
            aria-label=format!("Chat window: {name}")
            node_ref=window
            on:keydown=move |ev| {
                if ev.key() == "Escape" && !ev.default_prevented() {
                    ev.prevent_default();
                    on_close();
                }
            }
        >
            <button type="button" class="ghost small close" on:click=move |_| on_close()>
                "Close chat window"
            </button>
            <ConversationPane id=id />
        </div>
    }
}

/// Focus the bubble of `id`, or "+N more" when it is behind it.
fn focus_bubble(stack: NodeRef<leptos::html::Nav>, id: ConversationId) {
    if !focus_in(stack, &format!(".bubble[data-chat='{}']", id.0)) {
        focus_in(stack, ".more-button");
    }
}

fn focus_in(root: NodeRef<leptos::html::Nav>, selector: &str) -> bool {
    root.get_untracked()
        .is_some_and(|r| focus_in_el(&r, selector))
}

fn focus_in_el(root: &web_sys::HtmlElement, selector: &str) -> bool {
    match root.query_selector(selector).ok().flatten() {
        Some(el) => el
            .dyn_into::<web_sys::HtmlElement>()
            .is_ok_and(|el| el.focus().is_ok()),
        None => false,
    }
}
