//! The panel in headless Chromium: what it offers whom, the form's own checks, and what a
//! failed request shows. The server side of each request is tested against the real server
//! (integration tests) and end to end.

use leptos::prelude::*;
use livechat_client::testing::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::*;

wasm_bindgen_test_configure!(run_in_browser);

fn situation(closed: bool, contact: bool, conversation: Option<i64>) -> Situation {
    Situation {
        server: fake_server(),
        token: "v_token".into(),
        conversation,
        closed,
        // Monday 2026-11-30 09:00 UTC
        next_open: Some(1_796_029_200_000),
        contact,
        ticket: None,
    }
}

async fn mounted(s: Situation) -> web_sys::HtmlElement {
    let el = container();
    leptos::mount::mount_to(el.clone(), move || view! { <Help situation=s /> }).forget();
    tick().await;
    el
}

fn buttons(el: &web_sys::HtmlElement) -> Vec<String> {
    all_text(el, "button")
}

fn click(el: &web_sys::HtmlElement, label: &str) {
    let list = el.query_selector_all("button").unwrap();
    let button = (0..list.length())
        .map(|i| list.item(i).unwrap())
        .find(|b| b.text_content().as_deref() == Some(label))
        .unwrap_or_else(|| panic!("no button {label}"));
    button.unchecked_into::<web_sys::HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn outside_office_hours_it_says_when_we_are_back() {
    let el = mounted(situation(true, false, None)).await;
    let text = el.text_content().unwrap();
    assert!(text.contains("We're closed right now"), "{text}");
    assert!(text.contains("We'll be back"), "{text}");
    assert!(text.contains("leave us a message here") || text.contains("Leave us a message here"));
    // no chat yet: nothing to end or file
    assert_eq!(buttons(&el), ["Call me back"]);
}

#[wasm_bindgen_test]
async fn a_waiting_visitor_may_ask_for_a_call_or_end_and_a_contact_may_leave_a_ticket() {
    let el = mounted(situation(false, false, Some(3))).await;
    assert!(el.text_content().unwrap().contains("Sorry for the wait"));
    assert_eq!(buttons(&el), ["Call me back", "End chat"]);
    let el = mounted(situation(false, true, Some(3))).await;
    assert_eq!(
        buttons(&el),
        ["Call me back", "Leave a message", "End chat"]
    );
    click(&el, "Leave a message");
    tick().await;
    assert!(
        el.text_content()
            .unwrap()
            .contains("file this chat as a new ticket")
    );
}

#[wasm_bindgen_test]
async fn the_callback_form_checks_the_number_before_sending() {
    let el = mounted(situation(false, false, Some(3))).await;
    click(&el, "Call me back");
    tick().await;
    let form = el.query_selector("form").unwrap().unwrap();
    let submit = |form: &web_sys::Element| {
        form.unchecked_ref::<web_sys::HtmlFormElement>()
            .request_submit()
            .unwrap()
    };
    submit(&form);
    tick().await;
    let alert = || {
        el.query_selector("[role=alert]")
            .unwrap()
            .and_then(|a| a.text_content())
            .unwrap_or_default()
    };
    assert_eq!(alert(), "Please enter your phone number.");
    let phone = get(&el, "#lc-cb-phone");
    type_into(&phone, "call me maybe");
    submit(&form);
    tick().await;
    assert!(alert().contains("digits"), "{}", alert());
    // a valid number goes out; this fake server never answers, which the visitor is told
    type_into(&phone, "+49 30 1234567");
    submit(&form);
    for _ in 0..100 {
        if alert().contains("connection") {
            break;
        }
        tick().await;
    }
    assert!(alert().contains("check your connection"), "{}", alert());
}

#[wasm_bindgen_test]
fn refusals_read_as_what_to_do_next() {
    assert!(callback_error(409, "").contains("already asked"));
    assert!(callback_error(403, "").contains("wait a little longer"));
    assert!(callback_error(400, "phone must be a phone number").contains("phone must be"));
    assert!(rules::end_error(403, "").contains("stays open"));
    assert!(rules::end_error(0, "").contains("connection"));
}

fn nobody_answers() -> Visitor {
    Visitor {
        server: fake_server(),
        token: "v_token".into(),
    }
}

fn alert(el: &web_sys::HtmlElement) -> String {
    el.query_selector("[role=alert]")
        .unwrap()
        .and_then(|a| a.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn offered_choices_are_buttons_in_a_named_group_and_a_failed_pick_may_be_retried() {
    let el = container();
    let options = vec!["Laptop".to_owned(), "Phone".to_owned()];
    leptos::mount::mount_to(el.clone(), move || {
        view! {
            <Choices visitor=nobody_answers() conversation=protocol::ConversationId(3) seq=2 options=options />
        }
    })
    .forget();
    tick().await;
    let group = get(&el, "[role=group]");
    assert_eq!(label(&group), "Choose an answer");
    assert_eq!(buttons(&el), ["Laptop", "Phone"]);
    click(&el, "Phone");
    let disabled = |el: &web_sys::HtmlElement| {
        let list = el.query_selector_all("button").unwrap();
        (0..list.length()).all(|i| {
            list.item(i)
                .unwrap()
                .unchecked_into::<web_sys::Element>()
                .has_attribute("disabled")
        })
    };
    // this fake server never answers: the visitor is told, and may pick again
    for _ in 0..100 {
        if !alert(&el).is_empty() {
            break;
        }
        tick().await;
    }
    assert!(
        alert(&el).contains("check your connection"),
        "{}",
        alert(&el)
    );
    assert!(!disabled(&el));
    assert!(choices::pick_error(404).contains("type your answer"));
}

#[wasm_bindgen_test]
async fn the_sections_to_pick_are_radio_buttons_under_a_question_and_a_failed_save_is_undone() {
    let el = container();
    leptos::mount::mount_to(el.clone(), move || {
        view! { <SectionPicker visitor=nobody_answers() sections=sales_and_support() /> }
    })
    .forget();
    tick().await;
    assert_eq!(all_text(&el, "legend"), ["Who would you like to talk to?"]);
    assert_eq!(all_text(&el, "label"), ["Sales", "Support"]);
    let radio = get(&el, "label:first-of-type input[type=radio]");
    radio.click();
    let checked =
        |r: &web_sys::HtmlElement| r.unchecked_ref::<web_sys::HtmlInputElement>().checked();
    for _ in 0..100 {
        if !alert(&el).is_empty() {
            break;
        }
        tick().await;
    }
    assert!(alert(&el).contains("choose again"), "{}", alert(&el));
    assert!(!checked(&radio), "not saved, so not shown as chosen");
}

fn sales_and_support() -> Vec<protocol::workspace::SectionChoice> {
    vec![
        protocol::workspace::SectionChoice {
            id: 2,
            name: "Sales".into(),
        },
        protocol::workspace::SectionChoice {
            id: 1,
            name: "Support".into(),
        },
    ]
}

#[wasm_bindgen_test]
async fn a_german_catalogue_speaks_german_in_every_panel_and_a_change_redraws_them() {
    // Shown in English first: a catalogue handed over later redraws the panel.
    let el = mounted(situation(true, true, Some(3))).await;
    assert!(
        el.text_content()
            .unwrap()
            .contains("We're closed right now")
    );
    set_words(include_str!("../../locales/de.json").into());
    tick().await;
    let text = el.text_content().unwrap();
    assert!(text.contains("Wir haben gerade geschlossen"), "{text}");
    // when we are back: in German words too ("Ab Montag, 09:00 sind wir …")
    assert!(text.contains("Ab Montag"), "{text}");
    assert!(text.contains("sind wir wieder für Sie da"), "{text}");
    assert_eq!(
        buttons(&el),
        [
            "Rufen Sie mich zurück",
            "Nachricht hinterlassen",
            "Chat beenden"
        ]
    );
    assert_eq!(
        get(&el, "section").get_attribute("lang").as_deref(),
        Some("de")
    );
    // the form and its own check
    click(&el, "Rufen Sie mich zurück");
    tick().await;
    assert_eq!(
        all_text(&el, "label"),
        [
            "Telefonnummer",
            "Wann passt es Ihnen? (optional)",
            "Gibt es etwas, das wir wissen sollten? (optional)"
        ]
    );
    let form = el.query_selector("form").unwrap().unwrap();
    form.unchecked_ref::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
    tick().await;
    assert_eq!(alert(&el), "Bitte geben Sie Ihre Telefonnummer ein.");
    assert!(buttons(&el).contains(&"Zurück".to_owned()));

    // rendered in German from the start: the choices and the section picker
    let choices = container();
    let options = vec!["Laptop".to_owned()];
    leptos::mount::mount_to(choices.clone(), move || {
        view! {
            <Choices visitor=nobody_answers() conversation=protocol::ConversationId(3) seq=2 options=options />
        }
    })
    .forget();
    let picker = container();
    leptos::mount::mount_to(picker.clone(), move || {
        view! { <SectionPicker visitor=nobody_answers() sections=sales_and_support() /> }
    })
    .forget();
    tick().await;
    assert_eq!(
        label(&get(&choices, "[role=group]")),
        "Wählen Sie eine Antwort"
    );
    assert_eq!(
        all_text(&picker, "legend"),
        ["Mit wem möchten Sie sprechen?"]
    );
    assert_eq!(all_text(&picker, "label"), ["Sales", "Support"]);
    assert!(choices::pick_error(404).contains("nicht mehr möglich"));
    assert!(rules::end_error(409, "").contains("bereits beendet"));

    // back to English for the other tests of this page: every panel follows
    set_words(livechat_client::i18n::ENGLISH.into());
    tick().await;
    assert_eq!(
        all_text(&picker, "legend"),
        ["Who would you like to talk to?"]
    );
    assert_eq!(label(&get(&choices, "[role=group]")), "Choose an answer");
    assert!(
        el.text_content()
            .unwrap()
            .contains("We're closed right now")
    );
}

#[wasm_bindgen_test]
async fn an_arabic_catalogue_mirrors_the_panels() {
    set_words(include_str!("../../locales/ar.json").into());
    let el = mounted(situation(false, false, Some(3))).await;
    let section = get(&el, "section");
    assert_eq!(section.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(section.get_attribute("lang").as_deref(), Some("ar"));
    assert!(el.text_content().unwrap().contains("نعتذر عن الانتظار"));
    let picker = container();
    leptos::mount::mount_to(picker.clone(), move || {
        view! { <SectionPicker visitor=nobody_answers() sections=sales_and_support() /> }
    })
    .forget();
    tick().await;
    assert_eq!(
        get(&picker, "fieldset").get_attribute("dir").as_deref(),
        Some("rtl")
    );

    // back to English for the other tests of this page: left to right again
    set_words(livechat_client::i18n::ENGLISH.into());
    tick().await;
    let section = get(&el, "section");
    assert_eq!(section.get_attribute("dir").as_deref(), Some("ltr"));
    assert!(el.text_content().unwrap().contains("Sorry for the wait"));
}
