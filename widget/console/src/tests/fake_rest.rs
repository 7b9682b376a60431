//! A stand-in for the server's REST API in component tests: `window.fetch` answers the
//! requests to one console's server from a table of canned answers and records each request
//! (method, path, body), so a test can see what an action sent. Requests to other consoles'
//! servers go on to the real `fetch` (and fail, as those tests expect).

use wasm_bindgen::JsValue;

use livechat_client::testing::tick;

/// Wraps `window.fetch` once per page; each fake registers its server's prefix.
const INSTALL: &str = r#"
if (!window.__fakeRest) {
  const real = window.fetch.bind(window);
  window.__fakeRest = new Map();
  window.fetch = function (url, init) {
    const u = String(url);
    for (const [prefix, f] of window.__fakeRest) {
      if (u.startsWith(prefix + '/')) {
        const method = (init && init.method) || 'GET';
        const path = u.slice(prefix.length);
        f.log.push([method, path, init && init.body != null ? String(init.body) : null]);
        // An exact answer first, else the one for the path without its query string.
        const r = f.routes.get(method + ' ' + path)
          || f.routes.get(method + ' ' + path.split('?')[0])
          || [404, '{"code":"not_found","message":"no such route in this test"}'];
        const body = r[0] === 204 ? null : r[1];
        return Promise.resolve(new Response(body, {
          status: r[0],
          headers: { 'Content-Type': 'application/json' },
        }));
      }
    }
    return real(url, init);
  };
}
const f = { log: [], routes: new Map() };
window.__fakeRest.set(prefix, f);
return f;
"#;

/// One request the console made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Option<String>,
}

pub struct FakeRest {
    state: JsValue,
}

impl FakeRest {
    /// Answers for the console whose server is `server`.
    pub fn install(server: &str) -> Self {
        let make = js_sys::Function::new_with_args("prefix", INSTALL);
        let state = make
            .call1(&JsValue::NULL, &JsValue::from_str(server))
            .expect("the fake installs");
        FakeRest { state }
    }

    /// `method path` answers `status` with `body` (JSON; ignored for 204). A `path` without a
    /// query string also answers that path with any query.
    pub fn answer(&self, method: &str, path: &str, status: u16, body: &str) {
        let routes = js_sys::Reflect::get(&self.state, &"routes".into()).unwrap();
        let routes: js_sys::Map = routes.into();
        let answer = js_sys::Array::of2(&JsValue::from(status), &JsValue::from_str(body));
        routes.set(&JsValue::from_str(&format!("{method} {path}")), &answer);
    }

    /// `method path` answers `status` with `value` as JSON.
    pub fn answer_json<T: serde::Serialize>(
        &self,
        method: &str,
        path: &str,
        status: u16,
        value: &T,
    ) {
        self.answer(method, path, status, &serde_json::to_string(value).unwrap());
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<Request> {
        let log: js_sys::Array = js_sys::Reflect::get(&self.state, &"log".into())
            .unwrap()
            .into();
        log.iter()
            .map(|entry| {
                let entry: js_sys::Array = entry.into();
                Request {
                    method: entry.get(0).as_string().unwrap_or_default(),
                    path: entry.get(1).as_string().unwrap_or_default(),
                    body: entry.get(2).as_string(),
                }
            })
            .collect()
    }

    /// How many `method path` requests were made.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .count()
    }

    /// Waits (a few seconds at most) for the `n`th `method path` request and returns its body.
    pub async fn nth(&self, method: &str, path: &str, n: usize) -> Option<String> {
        for _ in 0..200 {
            let seen: Vec<_> = self
                .requests()
                .into_iter()
                .filter(|r| r.method == method && r.path == path)
                .collect();
            if let Some(r) = seen.get(n - 1) {
                return Some(r.body.clone().unwrap_or_default());
            }
            tick().await;
        }
        panic!(
            "no request {n} to {method} {path}; the console made {:?}",
            self.requests()
        );
    }

    /// The requests to paths starting with one of `paths` (a test's own calls, without the
    /// console's background polls), oldest first.
    pub fn requests_to(&self, paths: &[&str]) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| paths.iter().any(|p| r.path.starts_with(p)))
            .collect()
    }

    /// Waits (a few seconds at most) until `n` requests to `paths` were made (see
    /// [`FakeRest::requests_to`]); those paths, in order.
    pub async fn until(&self, paths: &[&str], n: usize) -> Vec<String> {
        for _ in 0..250 {
            let seen: Vec<String> = self
                .requests_to(paths)
                .into_iter()
                .map(|r| r.path)
                .collect();
            if seen.len() >= n {
                return seen;
            }
            tick().await;
        }
        panic!(
            "{n} requests to {paths:?} were not made: {:?}",
            self.requests()
        );
    }

    /// Waits for the first `method path` request and returns its body.
    pub async fn first(&self, method: &str, path: &str) -> Option<String> {
        self.nth(method, path, 1).await
    }
}
