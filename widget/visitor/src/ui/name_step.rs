//! The first step: the visitor's name, then `POST /api/visitor/session`.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Focus;
use crate::Ctl;
use livechat_client::i18n::tr;

#[component]
pub fn NameStep() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let focus = expect_context::<Focus>();
    let name = RwSignal::new(String::new());
    let has_error = move || ctl.name_error.with(|e| e.is_some());
    view! {
        <form
            class="lc-name"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                if !ctl.busy.get_untracked() {
                    spawn_local(ctl.start_chat(name.get_untracked()));
                }
            }
        >
            <p class="lc-intro">{tr("greeting")}</p>
            <label for="lc-name-input">{tr("your_name")}</label>
            <input
                id="lc-name-input"
                type="text"
                autocomplete="name"
                maxlength="80"
                node_ref=focus.name
                aria-invalid=move || has_error().to_string()
                aria-describedby=move || has_error().then_some("lc-name-error")
                prop:value=move || name.get()
                on:input=move |ev| {
                    name.set(event_target_value(&ev));
                    ctl.name_error.set(None);
                }
            />
            {move || {
                ctl.name_error.get().map(|e| view! {
                    <p id="lc-name-error" class="error" role="alert">{e}</p>
                })
            }}
            <button type="submit" class="lc-primary" disabled=move || ctl.busy.get()>
                {move || tr(if ctl.busy.get() { "starting" } else { "start_chat" })}
            </button>
        </form>
    }
}
