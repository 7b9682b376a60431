//! Integration tests of the chat server: one binary, an in-process server per test (the crash
//! test runs the real `livechat-server` binary instead). Tests named `scenario_N_*` automate
//! row N of the project's scenario corpus.

mod agents;
mod bounds;
mod canned;
mod chat;
mod crash;
mod frames;
mod helpdesk;
mod http;
mod keepalive;
mod lifetimes;
mod logins;
mod notes;
mod presence;
mod resume;
mod routing;
mod search;
mod security;
mod support;
mod team;
mod team_chats;
mod typing;
mod waiting;
mod webhooks;
