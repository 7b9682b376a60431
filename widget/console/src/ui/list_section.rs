//! [`ListSection`]: the sidebar's list panels (Invitations, Waiting chats, My chats, Abandoned,
//! Closed, Callbacks) share one frame: a region named by its heading, the count part of that
//! name ("Waiting chats (2)"), and a line in words while the list is empty.

use leptos::prelude::*;

#[component]
pub fn ListSection(
    /// The heading's id, which names the region.
    heading_id: &'static str,
    title: &'static str,
    count: Signal<usize>,
    /// Shown instead of the list while `count` is 0.
    empty: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby=heading_id>
            // One inline run, so the name reads "My chats (3)" without gaps a flex layout adds.
            <h2 id=heading_id>
                <span>{title} " (" <span class="count">{move || count.get()}</span> ")"</span>
            </h2>
            <Show
                when=move || { count.get() > 0 }
                fallback=move || view! { <p class="muted small">{empty}</p> }
            >
                {children()}
            </Show>
        </section>
    }
}
