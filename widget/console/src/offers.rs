//! Offering choices in a live chat: the rules a question and its choices must meet before
//! they are sent (the server's own, checked here so the agent hears about a mistake at once
//! and by field), and the call that sends them (`POST /api/agent/conversations/{id}/offer`).
//! The visitor's pick comes back as their ordinary message. Rendered by `ui/offers.rs`.

use protocol::ConversationId;
use protocol::workspace::{MAX_OFFER_OPTION_CHARS, MAX_OFFER_OPTIONS, OfferRequest};

use crate::Ctl;
use crate::settings::refusal;
use crate::state::Panes;
use livechat_client::client_id::client_id;
use livechat_client::rest;

/// Fewest choices an offer carries (one would be no choice at all).
pub const MIN_OFFER_OPTIONS: usize = 2;

/// The field a refusal is about, so the form can mark it (`aria-invalid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Question,
    /// Choice `i` (0-based; the form says "Choice {i + 1}").
    Choice(usize),
}

/// Why the form will not send: the field to mark and the sentence to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: Field,
    pub text: String,
}

fn invalid(field: Field, text: String) -> Invalid {
    Invalid { field, text }
}

/// Check a question and its choice fields as the server will (trimmed; 2 to
/// [`MAX_OFFER_OPTIONS`] choices of 1 to [`MAX_OFFER_OPTION_CHARS`] characters, no control
/// characters, no two the same). The trimmed question and choices to send, or the first
/// problem in the order the fields are read.
pub fn check(question: &str, choices: &[String]) -> Result<(String, Vec<String>), Invalid> {
    let question = protocol::validate_body(question).map_err(|e| {
        let text = match e {
            protocol::InputError::TooLong { max_chars } => {
                format!("The question can be at most {max_chars} characters.")
            }
            _ => "Type a question first.".to_owned(),
        };
        invalid(Field::Question, text)
    })?;
    let choices: Vec<&str> = choices.iter().map(|c| c.trim()).collect();
    // Fewer than two filled in: say that, rather than "choice 2 is empty" (two fields are
    // always there, so this is the usual mistake).
    let filled = choices.iter().filter(|c| !c.is_empty()).count();
    if filled < MIN_OFFER_OPTIONS {
        let at = choices.iter().position(|c| c.is_empty()).unwrap_or(0);
        return Err(invalid(
            Field::Choice(at),
            format!("Offer at least {MIN_OFFER_OPTIONS} choices."),
        ));
    }
    if choices.len() > MAX_OFFER_OPTIONS {
        return Err(invalid(
            Field::Choice(MAX_OFFER_OPTIONS),
            format!("Offer at most {MAX_OFFER_OPTIONS} choices."),
        ));
    }
    for (i, c) in choices.iter().enumerate() {
        let n = i + 1;
        if c.is_empty() {
            return Err(invalid(
                Field::Choice(i),
                format!("Choice {n} is empty: fill it in or remove it."),
            ));
        }
        if c.chars().count() > MAX_OFFER_OPTION_CHARS {
            return Err(invalid(
                Field::Choice(i),
                format!("Choice {n} is longer than {MAX_OFFER_OPTION_CHARS} characters."),
            ));
        }
        if c.chars().any(char::is_control) {
            return Err(invalid(
                Field::Choice(i),
                format!("Choice {n} contains a character that cannot be shown."),
            ));
        }
        // Exactly as the server compares: the visitor's pick comes back as the choice's text,
        // so two equal ones could not be told apart.
        if let Some(first) = choices[..i].iter().position(|o| o == c) {
            return Err(invalid(
                Field::Choice(i),
                format!("Choice {n} is the same as choice {}.", first + 1),
            ));
        }
    }
    Ok((
        question.to_owned(),
        choices.into_iter().map(str::to_owned).collect(),
    ))
}

/// How a refused offer reads in the form: the server's reason when it gave one.
pub fn offer_refusal((status, message): (u16, String)) -> String {
    match status {
        404 if message.trim().is_empty() => "This chat is no longer open to you.".to_owned(),
        401 => "You are signed out. Please sign in again.".to_owned(),
        429 => "Too many messages at once. Please wait a moment and try again.".to_owned(),
        _ => refusal((status, message)),
    }
}

/// The request for a checked offer. `last` is the previous attempt from the same form: sent
/// again unchanged (after no answer, say), it keeps its `client_id`, so an offer the server
/// did store is not stored twice; anything edited is a new offer with a fresh one.
pub fn request(
    question: String,
    choices: Vec<String>,
    last: Option<&OfferRequest>,
) -> OfferRequest {
    let client_id = match last {
        Some(l) if l.body == question && l.options == choices => l.client_id.clone(),
        _ => client_id(),
    };
    OfferRequest {
        client_id,
        body: question,
        options: choices,
    }
}

impl Ctl {
    /// Offer choices in chat `id` (a request from [`request`]). The stored message goes into
    /// the chat at once: the `message` frame every socket of the chat also gets is then a
    /// duplicate the log drops (and the offer shows even while the socket is reconnecting).
    /// `Err` is what the form says.
    pub async fn offer(self, id: ConversationId, request: OfferRequest) -> Result<(), String> {
        let Some(token) = self.token() else {
            return Err(offer_refusal((401, String::new())));
        };
        let url = self.url(&format!("/api/agent/conversations/{}/offer", id.0));
        let message =
            rest::post_json_explained::<_, protocol::Message>(&url, &request, Some(&token))
                .await
                .map_err(offer_refusal)?;
        let mut panes = self.store.panes;
        panes.edit(id, |p| p.chat.insert(message));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn choices(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn refused(question: &str, list: &[&str]) -> Invalid {
        check(question, &choices(list)).expect_err("refused")
    }

    #[wasm_bindgen_test]
    fn a_question_and_two_to_six_distinct_choices_pass_trimmed() {
        assert_eq!(
            check("  Which one? ", &choices(&[" Sales ", "Support"])),
            Ok(("Which one?".to_owned(), choices(&["Sales", "Support"])))
        );
        let six = choices(&["a", "b", "c", "d", "e", "f"]);
        assert!(check("q", &six).is_ok());
        let longest = "x".repeat(MAX_OFFER_OPTION_CHARS);
        assert!(check("q", &[longest, "y".into()]).is_ok());
    }

    #[wasm_bindgen_test]
    fn each_rule_names_its_field() {
        assert_eq!(
            refused("  ", &["a", "b"]),
            invalid(Field::Question, "Type a question first.".into())
        );
        assert_eq!(
            refused("q", &["a", " "]),
            invalid(Field::Choice(1), "Offer at least 2 choices.".into())
        );
        assert_eq!(
            refused("q", &["a", "b", ""]),
            invalid(
                Field::Choice(2),
                "Choice 3 is empty: fill it in or remove it.".into()
            )
        );
        assert_eq!(
            refused("q", &["a", &"x".repeat(61)]).field,
            Field::Choice(1)
        );
        assert_eq!(
            refused("q", &["Yes", "No", " Yes"]),
            invalid(Field::Choice(2), "Choice 3 is the same as choice 1.".into())
        );
        assert_eq!(refused("q", &["a", "b\tc"]).field, Field::Choice(1));
        assert_eq!(
            refused("q", &["a", "b", "c", "d", "e", "f", "g"]).text,
            "Offer at most 6 choices."
        );
        assert!(
            check("q", &choices(&["Yes", "yes"])).is_ok(),
            "the server tells them apart too"
        );
    }

    #[wasm_bindgen_test]
    fn an_unchanged_retry_keeps_its_client_id_and_an_edit_gets_a_new_one() {
        let first = request("q".into(), choices(&["a", "b"]), None);
        let again = request("q".into(), choices(&["a", "b"]), Some(&first));
        assert_eq!(again.client_id, first.client_id);
        let edited = request("q".into(), choices(&["a", "c"]), Some(&first));
        assert_ne!(edited.client_id, first.client_id);
        assert!(protocol::valid_client_id(&edited.client_id));
    }

    #[wasm_bindgen_test]
    fn refusals_read_as_sentences() {
        assert_eq!(
            offer_refusal((400, "options: no two the same".into())),
            "Options: no two the same."
        );
        assert_eq!(
            offer_refusal((404, String::new())),
            "This chat is no longer open to you."
        );
        assert_eq!(
            offer_refusal((0, String::new())),
            "Could not reach the server. Please try again."
        );
    }
}
