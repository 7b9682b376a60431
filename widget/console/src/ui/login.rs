//! Sign-in form: `POST /api/agent/login`, errors shown under the form.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::Ctl;

#[component]
pub fn Login() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    view! {
        <main class="login">
            <form
                class="card"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    if !ctl.busy.get_untracked() {
                        spawn_local(ctl.login(email.get_untracked(), password.get_untracked()));
                    }
                }
            >
                <h1>"Agent console"</h1>
                <p class="muted">"Sign in to answer visitors' chats."</p>
                <label for="email">"Email"</label>
                <input
                    id="email"
                    type="email"
                    autocomplete="username"
                    required
                    prop:value=move || email.get()
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                {move || {
                    ctl.login_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })
                }}
                <button type="submit" class="primary" disabled=move || ctl.busy.get()>
                    "Sign in"
                </button>
            </form>
        </main>
    }
}
