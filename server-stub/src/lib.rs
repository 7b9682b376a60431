//! The live-chat companion server: a little REST (sessions, reading history), a WebSocket hub
//! and a SQLite store, plus the widget and console assets.
//!
//! This file wires the modules into a router and owns start-up and graceful shutdown:
//! [`app`] builds the router (opening, migrating and seeding the store), [`run`] serves it on a
//! listener until a shutdown future resolves, closing open sockets with 1001. See
//! ARCHITECTURE.md for the module map and invariants.

pub mod api;
pub mod auth;
pub mod config;
pub mod credentials;
pub mod error;
pub mod hub;
pub mod identity;
pub mod limits;
pub mod office_hours;
pub mod origin;
pub mod passwords;
pub mod policy;
pub mod sessions;
pub mod state;
pub mod store;
pub mod webhooks;
pub mod ws;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::Redirect;
use axum::routing::{any, delete, get, post, put};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use error::Error;
pub use state::AppState;

use crate::config::KeepAlive;
use crate::hub::Hub;
use crate::limits::SignInLimits;
use crate::origin::OriginPolicy;
use crate::passwords::PasswordPool;
use crate::sessions::Sessions;
use crate::store::{Db, SqliteStore};

/// Content-Security-Policy of the console: only our own scripts, plus wasm compilation
/// (`wasm-unsafe-eval`) which wasm-bindgen's `WebAssembly.instantiate` needs. `connect-src
/// 'self'` covers the console's own `ws:`/`wss:` socket (CSP3 matches same-origin WebSocket
/// URLs against 'self'); listing `ws: wss:` would let injected script talk to any host.
const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; connect-src 'self'";

/// No `Referer` from the console or the REST answers: nothing here needs one, and a link an
/// agent follows out of a conversation should not tell the linked site where the console is.
/// (Side effect to know about: a browser then sends `Origin: null` on the console's same-origin
/// POSTs; login and logout authenticate by body and bearer token and never read `Origin`.)
const REFERRER_POLICY: &str = "no-referrer";

/// REST bodies are tiny; anything bigger is refused before it is buffered.
const MAX_REST_BODY: usize = 16 * 1024;

/// A prepared server: store open and seeded, router built, not yet listening.
pub struct Server {
    router: Router,
    hub: Hub,
    passwords: PasswordPool,
    sessions: Sessions,
}

impl Server {
    /// Validate the config, open and migrate the store, seed the demo agents on first start
    /// (printing their password once to stdout), and build the router.
    pub async fn new(config: Config) -> Result<Self, Error> {
        config.validate()?;
        let data_dir = config.data_dir.clone();
        let store = tokio::task::spawn_blocking(move || SqliteStore::open(&data_dir))
            .await
            .map_err(|e| store::StoreError::Blocking(e.to_string()))??;
        let db = Db::new(store);
        let passwords = PasswordPool::new(config.hash_threads, config.hash_wait());
        if let Some(password) =
            sessions::seed_demo_agents(&db, &passwords, config.demo_password.clone()).await?
        {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "demo agents: ada@example.com, grace@example.com / password: {password}"
            )?;
            out.flush()?;
        }
        let hub = Hub::new(db.clone(), config.sends_per_second, config.send_burst);
        let state = AppState {
            hub: hub.clone(),
            sessions: Sessions::new(db.clone(), config.lifetimes()),
            db,
            origins: Arc::new(OriginPolicy::new(&config.allowed_origins)),
            limits: Arc::new(SignInLimits::new(
                config.sessions_per_minute,
                config.logins_per_minute,
                config.logins_per_account_per_minute,
            )),
            passwords: passwords.clone(),
            keep_alive: KeepAlive::from_config(&config),
            pending_sockets: Arc::new(tokio::sync::Semaphore::new(
                usize::try_from(config.max_pending_sockets).unwrap_or(usize::MAX),
            )),
            identity: identity::IdentityVerifier::new(
                config.identity_secret.as_deref().map(str::as_bytes),
            ),
            admin_key: config.admin_api_key.as_deref().map(credentials::hash_token),
        };
        spawn_housekeeping(&state);
        tokio::spawn(
            webhooks::Deliverer::new(
                state.db.clone(),
                Duration::from_millis(config.webhook_retry_ms),
            )
            .run(hub.shutdown_token()),
        );
        let sessions = state.sessions.clone();
        let router = router(state, &config);
        Ok(Server {
            router,
            hub,
            passwords,
            sessions,
        })
    }

    /// The router, e.g. to serve it yourself (sockets then are not closed on shutdown).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The hub, for operators and tests to observe the live sockets
    /// ([`Hub::socket_count`], [`Hub::online_socket_count`]) while the server runs.
    pub fn hub(&self) -> Hub {
        self.hub.clone()
    }

    /// The password-hashing pool, for operators and tests to observe how many argon2 hashes
    /// run at once ([`PasswordPool::running`], [`PasswordPool::peak`]).
    pub fn passwords(&self) -> PasswordPool {
        self.passwords.clone()
    }

    /// The session services on this server's store, for operators and tests to issue a
    /// session without a login (e.g. for agents created straight in the store).
    pub fn sessions(&self) -> Sessions {
        self.sessions.clone()
    }

    /// Serve on `listener` until `shutdown` resolves; then close every socket with 1001 and
    /// wait (bounded) for their close frames to go out.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let Server { router, hub, .. } = self;
        let token = hub.shutdown_token();
        let stop = token.clone();
        // TCP_NODELAY: chat frames are small and often come in pairs (an `ack`, then the other
        // side's reply). With Nagle on, the second waits for the peer's delayed ACK: `cargo
        // xtask bench` measured ~24 ms per hop for one quiet conversation, 0.37 ms with it off.
        use axum::serve::ListenerExt as _;
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        let result = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            stop.cancel();
        })
        .await;
        token.cancel();
        let tracker = hub.tracker();
        tracker.close();
        if tokio::time::timeout(Duration::from_secs(5), tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!("some sockets did not close within 5 s");
        }
        result.map_err(Error::from)
    }
}

/// Build the router: opens and migrates the store and seeds the demo agents.
pub async fn app(config: Config) -> Result<Router, Error> {
    Ok(Server::new(config).await?.router)
}

/// Serve on `listener` until `shutdown` resolves (see [`Server::serve`]).
pub async fn run(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    Server::new(config).await?.serve(listener, shutdown).await
}

/// Until shutdown, periodically: keep the sessions of open sockets alive and delete expired
/// ones (as often as [`sessions::Lifetimes::housekeeping_every`] says, at most a minute), and
/// every minute drop the rate limiters' quiet keys (they keep one entry per key) and webhook
/// deliveries finished more than a week ago, and every second abandon the requests that waited
/// past the site's abandon time (a second late at most, and one indexed query when none is).
fn spawn_housekeeping(state: &AppState) {
    let (hub, limits, sessions, db) = (
        state.hub.clone(),
        Arc::clone(&state.limits),
        state.sessions.clone(),
        state.db.clone(),
    );
    let stop = hub.shutdown_token();
    tokio::spawn(async move {
        let mut limiters = tokio::time::interval(Duration::from_secs(60));
        let mut lifetimes = tokio::time::interval(sessions.lifetimes().housekeeping_every());
        let mut abandon = tokio::time::interval(Duration::from_secs(1));
        abandon.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = abandon.tick() => {
                    if let Err(e) = hub.abandon_due().await {
                        tracing::warn!(error = %e, "abandoning unanswered requests failed");
                    }
                    if let Err(e) = hub.tell_positions().await {
                        tracing::warn!(error = %e, "telling visitors their place in the queue failed");
                    }
                }
                _ = limiters.tick() => {
                    hub.retain_recent();
                    limits.retain_recent();
                    // The webhook outbox keeps finished deliveries a week, for inspection.
                    let week_ago = store::now_millis() - 7 * 24 * 3600 * 1000;
                    if let Err(e) = db.call(move |s| s.prune_webhooks(week_ago)).await {
                        tracing::warn!(error = %e, "pruning webhook deliveries failed");
                    }
                }
                _ = lifetimes.tick() => {
                    match sessions.housekeeping(hub.live_credentials()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::debug!(expired = n, "expired sessions deleted"),
                        Err(e) => tracing::warn!(error = %e, "session housekeeping failed"),
                    }
                }
            }
        }
    });
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

fn router(state: AppState, config: &Config) -> Router {
    // Both browser-facing calls answer only the allowed origins (the console, on this
    // server's own origin, needs no CORS). Reading messages carries the token in a header, not
    // a cookie, so a foreign page cannot ride on a visitor's credentials.
    let listed = |origins: &Arc<OriginPolicy>| {
        let origins = Arc::clone(origins);
        AllowOrigin::predicate(move |origin, _| origin.to_str().is_ok_and(|o| origins.is_listed(o)))
    };
    // The 405 fallback is set before each CORS layer, so the layer wraps it too: a preflight
    // (OPTIONS) reaches the method router's fallback, and must meet CORS there.
    let visitor_api = Router::new()
        .route("/visitor/session", post(api::visitor_session))
        .route("/visitor/logout", post(api::visitor_logout))
        .route("/visitor/section", put(api::pick_section))
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(
            CorsLayer::new()
                .allow_origin(listed(&state.origins))
                .allow_methods([Method::POST, Method::PUT])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
                .max_age(Duration::from_secs(600)),
        );
    // A contact's portal page: signing in (the anonymous visitor's token may come along),
    // reading their tickets, and reporting their tab away or back.
    let contact_api = Router::new()
        .route("/contact/session", post(api::contact_session))
        .route("/contact/tickets", get(api::contact_tickets))
        .route("/contact/presence", post(api::report_presence))
        .route(
            "/availability",
            get(api::availability).post(api::contact_availability),
        )
        .route("/contact/conversations", get(api::contact_conversations))
        .route("/callbacks", post(api::request_callback))
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(
            CorsLayer::new()
                .allow_origin(listed(&state.origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
                .max_age(Duration::from_secs(600)),
        );
    let conversation_api = Router::new()
        .route(
            "/conversations/{id}/messages",
            get(api::conversation_messages),
        )
        .route("/conversations/{id}/ticket", put(api::link_ticket))
        .route("/conversations/{id}/tickets", post(api::create_ticket))
        .route("/conversations/{id}/end", post(api::end_conversation))
        .route("/conversations/{id}/answer", post(api::answer))
        .route(
            "/conversations/{id}/closing-note",
            put(api::put_closing_note),
        )
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(
            CorsLayer::new()
                .allow_origin(listed(&state.origins))
                .allow_methods([Method::GET, Method::PUT, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                .max_age(Duration::from_secs(600)),
        );
    // Everything under /api/ answers with an ErrorBody, unknown paths and methods included.
    let api = Router::new()
        .route("/agent/login", post(api::login))
        .route("/agent/logout", post(api::logout))
        .route(
            "/agent/sessions",
            get(api::list_sessions).delete(api::end_other_sessions),
        )
        .route("/agent/sessions/{id}", delete(api::end_session))
        .route("/agent/password", post(api::change_password))
        .route("/agent/visitors/{id}", get(api::visitor_card))
        .route("/agent/callbacks", get(api::list_callbacks))
        .route("/agent/canned", get(api::list_canned).post(api::add_canned))
        .route("/agent/history", get(api::search_history))
        .route("/agent/history/{id}", get(api::archived_chat))
        .route("/agent/directory", get(api::directory))
        .route("/agent/me", get(api::me))
        .route(
            "/agent/canned/{id}",
            put(api::update_canned).delete(api::delete_canned),
        )
        .route("/agent/callbacks/{id}/done", post(api::callback_done))
        .route("/agent/contacts/online", get(api::online_contacts))
        .route("/agent/push-chat", post(api::push_chat))
        .route("/agent/sections", get(api::agent_sections))
        .route(
            "/agent/team-chats",
            get(api::list_team_chats).post(api::start_team_chat),
        )
        .route("/agent/team-chats/{id}", put(api::rename_team_chat))
        .route(
            "/agent/team-chats/{id}/members",
            post(api::add_team_members),
        )
        .route("/agent/team-chats/{id}/leave", post(api::leave_team_chat))
        .route("/agent/abandoned", get(api::list_abandoned))
        .route(
            "/agent/conversations/{id}/reject",
            post(api::reject_request),
        )
        .route("/agent/conversations/{id}/join", post(api::join_chat))
        .route("/agent/conversations/{id}/offer", post(api::offer))
        .route("/agent/conversations/{id}/leave", post(api::leave_chat))
        .route("/agent/conversations/{id}/invitations", post(api::invite))
        .route("/agent/invitations/{id}", delete(api::cancel_invitation))
        .route(
            "/agent/invitations/{id}/accept",
            post(api::accept_invitation),
        )
        .route(
            "/agent/invitations/{id}/decline",
            post(api::decline_invitation),
        )
        .route(
            "/admin/sections",
            get(api::list_sections).post(api::add_section),
        )
        .route(
            "/admin/sections/{id}",
            put(api::put_section).delete(api::delete_section),
        )
        .route(
            "/admin/settings",
            get(api::get_settings).put(api::put_settings),
        )
        .route("/admin/companies", get(api::list_companies))
        .route("/admin/companies/{id}", put(api::put_company))
        .route("/admin/contacts", get(api::list_contacts))
        .route("/admin/tickets", get(api::list_tickets))
        .route("/admin/agents", get(api::list_agents).post(api::add_agent))
        .route("/admin/agents/{id}", put(api::update_agent))
        .route(
            "/admin/agents/{id}/password",
            post(api::reset_agent_password),
        )
        .route("/admin/contacts/{id}", put(api::put_contact))
        .route(
            "/admin/tickets/{number}",
            get(api::get_ticket).put(api::put_ticket),
        )
        .route("/admin/tickets/{number}/notes", post(api::add_note))
        .route("/admin/audit", get(api::audit_log))
        .route(
            "/admin/webhook",
            get(api::get_webhook).put(api::put_webhook),
        )
        .route(
            "/admin/office-hours",
            get(api::get_office_hours).put(api::put_office_hours),
        )
        .merge(visitor_api)
        .merge(contact_api)
        .merge(conversation_api)
        .fallback(api::no_route)
        // Last: it applies to the routes registered before it (the agent's; the two merged
        // above have theirs).
        .method_not_allowed_fallback(api::method_not_allowed);
    let rest = Router::new()
        .route("/healthz", get(api::healthz))
        .nest("/api", api)
        // `nest` routes `/api` and `/api/x` but not `/api/` itself.
        .route("/api/", any(api::no_route))
        .layer(DefaultBodyLimit::max(MAX_REST_BODY))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::CACHE_CONTROL, "no-store"))
        .layer(header_layer(header::REFERRER_POLICY, REFERRER_POLICY));

    // ServeDir resolves the full request path under the assets root, so `/widget/x` is
    // `<assets>/widget/x`; only these two subtrees are routed to it.
    let assets = ServeDir::new(&config.assets_dir);
    let widget = Router::new()
        .route_service("/widget/{*path}", assets.clone())
        // Module scripts and wasm are fetched in CORS mode from the host page's origin.
        .layer(header_layer(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .layer(header_layer(header::CACHE_CONTROL, "no-cache"))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    let console = Router::new()
        .route_service("/console/", assets.clone())
        .route_service("/console/{*path}", assets)
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CONSOLE_CSP))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, REFERRER_POLICY))
        .layer(header_layer(header::CACHE_CONTROL, "no-cache"))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"));

    Router::new()
        .route("/", get(|| async { Redirect::to("/console/") }))
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .route("/ws", get(ws::upgrade))
        .merge(rest)
        .merge(widget)
        .merge(console)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
