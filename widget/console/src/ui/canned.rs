//! Canned replies around the reply box: typing `/query` at the start of the draft offers the
//! matching replies in a listbox (arrows move, Enter or Tab inserts, Escape closes), and the
//! "Canned replies" button opens the same list with a search box. Choosing one replaces the
//! draft with its expanded body. The shared `Composer` owns the draft, so the text goes in
//! through its textarea (value, then an `input` event its own signal follows); the `/query`
//! is read from the `input` and `keydown` events that bubble (keys: captured, so Enter
//! inserts rather than sends) up to the wrapper here. Its bar below the composer also holds
//! the chat's other tools (`tools`: "Offer choices").

use leptos::html;
use leptos::prelude::*;
use protocol::ConversationId;
use protocol::canned::CannedReply;
use wasm_bindgen::JsCast;

use crate::Ctl;
use crate::canned::{self, KeyAction};

/// Put `text` in the composer's textarea as if typed, so its draft follows; focus it.
fn insert(textarea: NodeRef<html::Textarea>, text: &str) {
    let Some(el) = textarea.get_untracked() else {
        return;
    };
    el.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    if let Ok(ev) = web_sys::Event::new_with_event_init_dict("input", &init) {
        let _ = el.dispatch_event(&ev);
    }
    let _ = el.focus();
}

/// Wraps the composer (`children`, whose textarea is `textarea`) with the canned-reply lists.
#[component]
pub fn CannedReplyBox(
    id: ConversationId,
    textarea: NodeRef<html::Textarea>,
    /// The visitor's name, for `{visitor}`.
    visitor: Memo<String>,
    /// The chat has ended: no list.
    disabled: Memo<bool>,
    /// More controls for the bar beside "Canned replies" (the chat's "Offer choices").
    #[prop(optional, into)]
    tools: ViewFn,
    children: Children,
) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    // The draft's `/query`, while the list for it is open.
    let slash = RwSignal::new(None::<String>);
    // The button's list is open, with this search.
    let browsing = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let selected = RwSignal::new(0usize);
    // Set while a chosen reply goes in, so its own `input` event opens no list.
    let inserting = StoredValue::new(false);
    let search_box = NodeRef::<html::Input>::new();
    let options = Memo::new(move |_| {
        ctl.canned.replies.with(|all| {
            if browsing.get() {
                search.with(|q| canned::matches(all, q, true))
            } else {
                slash.with(|q| {
                    q.as_deref()
                        .map(|q| canned::matches(all, q, false))
                        .unwrap_or_default()
                })
            }
        })
    });
    let open = Memo::new(move |_| browsing.get() || options.with(|o| !o.is_empty()));
    let list_id = format!("canned-{}", id.0);
    let option_id = move |i: usize| format!("canned-{}-{i}", id.0);
    let choose = move |reply: &CannedReply| {
        let agent = ctl
            .store
            .desk
            .with_untracked(|d| d.session.as_ref().map(|s| s.name.clone()))
            .unwrap_or_default();
        let text = canned::expanded(reply, &visitor.get_untracked(), &agent);
        slash.set(None);
        browsing.set(false);
        search.set(String::new());
        selected.set(0);
        inserting.set_value(true);
        insert(textarea, &text);
        inserting.set_value(false);
    };
    let choose_at = move |i: usize| {
        if let Some(r) = options.with_untracked(|o| o.get(i).cloned()) {
            choose(&r);
        }
    };
    // The composer's textarea announces the list it controls (while it is there) and the
    // highlighted reply. No `aria-expanded`: a textarea stays a textbox, which does not take
    // it (a combobox role is not allowed on a textarea either).
    Effect::new({
        let list_id = list_id.clone();
        move |_| {
            let Some(el) = textarea.get() else { return };
            let shown = !browsing.get() && slash.with(Option::is_some) && open.get();
            let _ = el.set_attribute("aria-autocomplete", "list");
            if shown {
                let _ = el.set_attribute("aria-controls", &list_id);
                let _ = el.set_attribute("aria-activedescendant", &option_id(selected.get()));
            } else {
                let _ = el.remove_attribute("aria-controls");
                let _ = el.remove_attribute("aria-activedescendant");
            }
        }
    });
    let from_textarea = move |ev: &web_sys::Event| {
        let Some(el) = textarea.get_untracked() else {
            return false;
        };
        ev.target().is_some_and(|t| {
            t.unchecked_ref::<web_sys::Node>() == el.unchecked_ref::<web_sys::Node>()
        })
    };
    let on_input = move |ev: web_sys::Event| {
        if !from_textarea(&ev) || inserting.get_value() {
            return;
        }
        let value = textarea
            .get_untracked()
            .map(|t| t.value())
            .unwrap_or_default();
        let query = canned::slash_query(&value).map(str::to_owned);
        if query.is_some() && !disabled.get_untracked() {
            browsing.set(false);
            ctl.canned_if_empty();
            if slash.get_untracked() != query {
                selected.set(0);
            }
            slash.set(query);
        } else {
            slash.set(None);
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if !from_textarea(&ev) || browsing.get_untracked() || slash.with_untracked(Option::is_none)
        {
            return;
        }
        let len = options.with_untracked(Vec::len);
        match canned::on_key(
            &ev.key(),
            ev.shift_key(),
            true,
            selected.get_untracked(),
            len,
        ) {
            KeyAction::Pass => return,
            KeyAction::Select(i) => selected.set(i),
            KeyAction::Choose(i) => choose_at(i),
            KeyAction::Close => slash.set(None),
        }
        ev.prevent_default();
        ev.stop_propagation();
    };
    let on_search_key = move |ev: web_sys::KeyboardEvent| {
        let len = options.with_untracked(Vec::len);
        let action = match ev.key().as_str() {
            "Escape" => KeyAction::Close,
            key => canned::on_key(key, ev.shift_key(), false, selected.get_untracked(), len),
        };
        match action {
            KeyAction::Pass => return,
            KeyAction::Select(i) => selected.set(i),
            KeyAction::Choose(i) => choose_at(i),
            KeyAction::Close => {
                browsing.set(false);
                if let Some(t) = textarea.get_untracked() {
                    let _ = t.focus();
                }
            }
        }
        ev.prevent_default();
        ev.stop_propagation();
    };
    let toggle = move |_| {
        if browsing.get_untracked() {
            browsing.set(false);
            return;
        }
        ctl.canned_if_empty();
        slash.set(None);
        search.set(String::new());
        selected.set(0);
        browsing.set(true);
        request_animation_frame(move || {
            if let Some(s) = search_box.get_untracked() {
                let _ = s.focus();
            }
        });
    };
    let list = {
        let list_id = list_id.clone();
        move || {
            let items = options.get();
            let empty = items.is_empty();
            view! {
                <ul class="canned-list" role="listbox" id=list_id.clone() aria-label="Canned replies">
                    {items
                        .into_iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let shortcut = r.shortcut.clone().map(|s| format!("/{s}"));
                            let title = r.title.clone();
                            let body = canned::preview(&r.body);
                            view! {
                                <li
                                    role="option"
                                    id=option_id(i)
                                    class:selected=move || selected.get() == i
                                    aria-selected=move || (selected.get() == i).to_string()
                                    on:mousedown=|ev| ev.prevent_default()
                                    on:click=move |_| choose(&r)
                                >
                                    {shortcut.map(|s| view! { <span class="shortcut">{s}</span> " " })}
                                    <span class="title">{title}</span>
                                    " "
                                    <span class="preview muted small">{body}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                    {empty.then(|| view! { <li class="muted small" role="presentation">"No canned replies match."</li> })}
                </ul>
            }
        }
    };
    view! {
        <div
            class="reply-box"
            on:input=on_input
            on:keydown:capture=on_keydown
        >
            {move || open.get().then(|| view! {
                <div class="canned-pop">
                    {move || browsing.get().then(|| view! {
                        <input
                            type="search"
                            class="canned-search"
                            aria-label="Search canned replies"
                            placeholder="Search canned replies"
                            node_ref=search_box
                            prop:value=move || search.get()
                            on:input=move |ev| {
                                search.set(event_target_value(&ev));
                                selected.set(0);
                            }
                            on:keydown=on_search_key
                        />
                    })}
                    {list.clone()}
                </div>
            })}
            {children()}
            <div class="canned-bar">
                <button
                    type="button"
                    class="ghost small"
                    aria-expanded=move || browsing.get().to_string()
                    disabled=move || disabled.get()
                    on:click=toggle
                >
                    "Canned replies"
                </button>
                {tools.run()}
            </div>
        </div>
    }
}
