//! The JSON REST calls both apps make (visitor session, agent login and logout; the console's
//! session list and password change), through `fetch`. No UI and no socket here.

use serde::{Serialize, de::DeserializeOwned};

/// Why a REST call failed, reduced to what the UI branches on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error status. The UI branches on the status alone
    /// (decoding `ErrorBody` here would only add bundle size).
    Server { status: u16 },
    /// No answer at all: offline, CORS, DNS.
    Network,
}

/// `POST` a JSON body and decode a JSON answer; `bearer` adds an `Authorization` header.
///
/// Straight `fetch` through web-sys rather than gloo-net's request builder: the builder's
/// stream and body plumbing cost the visitor bundle several KB it must not spend.
pub async fn post_json<B: Serialize, R: DeserializeOwned>(
    url: &str,
    body: &B,
    bearer: Option<&str>,
) -> Result<R, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Network)?;
    let resp = request("POST", url, Some(&body), bearer).await?;
    json_answer(resp).await
}

/// Like [`post_json`], but the answer's text, for a caller with its own reader (the anonymous
/// visitor, see [`crate::reader`]).
pub async fn post_for_text<B: Serialize>(
    url: &str,
    body: &B,
    bearer: Option<&str>,
) -> Result<String, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Network)?;
    text_answer(request("POST", url, Some(&body), bearer).await?).await
}

/// `GET` a JSON answer with a bearer token.
pub async fn get_json<R: DeserializeOwned>(url: &str, bearer: &str) -> Result<R, ApiError> {
    json_answer(request("GET", url, None, Some(bearer)).await?).await
}

/// `GET` a text, for a caller with its own reader (the visitor widget): a locale's catalogue
/// (no `bearer`), a contact's tickets.
pub async fn get_text(url: &str, bearer: Option<&str>) -> Result<String, ApiError> {
    text_answer(request("GET", url, None, bearer).await?).await
}

/// Any 2xx answer's text.
async fn text_answer(resp: web_sys::Response) -> Result<String, ApiError> {
    ok_status(&resp)?;
    read_text(resp).await
}

/// `DELETE` with a bearer token; success is any 2xx (the answer's body is not read).
pub async fn delete(url: &str, bearer: &str) -> Result<(), ApiError> {
    ok_status(&request("DELETE", url, None, Some(bearer)).await?)
}

/// `PUT` a JSON body with a bearer token; success is any 2xx (the answer's body is not read).
pub async fn put_json<B: Serialize>(url: &str, body: &B, bearer: &str) -> Result<(), ApiError> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Network)?;
    ok_status(&request("PUT", url, Some(&body), Some(bearer)).await?)
}

/// A 2xx status, else the status as the error.
fn ok_status(resp: &web_sys::Response) -> Result<(), ApiError> {
    if resp.ok() {
        Ok(())
    } else {
        Err(ApiError::Server {
            status: resp.status(),
        })
    }
}

/// `POST` without caring about the answer (logout is best effort).
pub async fn post_empty(url: &str, bearer: &str) {
    let _ = request("POST", url, None, Some(bearer)).await;
}

async fn json_answer<R: DeserializeOwned>(resp: web_sys::Response) -> Result<R, ApiError> {
    serde_json::from_str(&text_answer(resp).await?).map_err(|_| ApiError::Network)
}

async fn read_text(resp: web_sys::Response) -> Result<String, ApiError> {
    let text = resp.text().map_err(|_| ApiError::Network)?;
    let text = wasm_bindgen_futures::JsFuture::from(text)
        .await
        .map_err(|_| ApiError::Network)?;
    Ok(text.as_string().unwrap_or_default())
}

/// Like [`post_json`], but a refusal carries the server's reason (its `ErrorBody` message),
/// for a caller that shows or logs it; `status` 0 means no answer at all.
pub async fn post_json_explained<B: Serialize, R: DeserializeOwned>(
    url: &str,
    body: &B,
    bearer: Option<&str>,
) -> Result<R, (u16, String)> {
    let (status, text) = post_for_text_explained(url, body, bearer).await?;
    serde_json::from_str(&text).map_err(|_| (status, "an unreadable answer".to_owned()))
}

/// Like [`post_json_explained`], but the answer's status and text, for a caller with its own
/// reader (the visitor widget, see [`crate::reader`]). The reason of a refusal is read with
/// that reader too.
pub async fn post_for_text_explained<B: Serialize>(
    url: &str,
    body: &B,
    bearer: Option<&str>,
) -> Result<(u16, String), (u16, String)> {
    let body = serde_json::to_string(body).map_err(|_| (0, String::new()))?;
    let resp = request("POST", url, Some(&body), bearer)
        .await
        .map_err(|_| (0, "no answer from the chat server".to_owned()))?;
    let status = resp.status();
    let text = read_text(resp).await.map_err(|_| (status, String::new()))?;
    if (200..300).contains(&status) {
        Ok((status, text))
    } else {
        let reason = crate::reader::string_members(&text, ["message"])
            .map(|[m]| m)
            .unwrap_or_default();
        Err((status, reason))
    }
}

async fn request(
    method: &str,
    url: &str,
    json: Option<&str>,
    bearer: Option<&str>,
) -> Result<web_sys::Response, ApiError> {
    use wasm_bindgen::JsCast;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    if let Some(json) = json {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&wasm_bindgen::JsValue::from_str(json));
    }
    if let Some(token) = bearer {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let resp = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiError::Network)?;
    resp.dyn_into().map_err(|_| ApiError::Network)
}
