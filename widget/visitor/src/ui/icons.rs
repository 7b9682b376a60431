//! Inline SVG icons: no icon font or emoji font is guaranteed on the host page.

use leptos::prelude::*;

pub fn chat() -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
            <path
                fill="currentColor"
                d="M12 3C6.5 3 2 6.9 2 11.7c0 2.4 1.1 4.6 3 6.2L4.2 21.4c-.1.4.3.7.7.5l4-2c1 .3 2 .4 3.1.4 5.5 0 10-3.9 10-8.7S17.5 3 12 3z"
            ></path>
        </svg>
    }
}

pub fn close() -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
            <path
                fill="none"
                stroke="currentColor"
                stroke-width="2.2"
                stroke-linecap="round"
                d="M6 9l6 6 6-6"
            ></path>
        </svg>
    }
}

pub fn expand() -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <path
                fill="none"
                stroke="currentColor"
                stroke-width="2"
                stroke-linecap="round"
                d="M14 4h6v6M10 20H4v-6M20 4l-6 6M4 20l6-6"
            ></path>
        </svg>
    }
}

pub fn minimise() -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
            <path
                fill="none"
                stroke="currentColor"
                stroke-width="2.2"
                stroke-linecap="round"
                d="M6 12h12"
            ></path>
        </svg>
    }
}
