//! Integration tests of the chat server: one binary, an in-process server per test.
//! Tests named `scenario_N_*` automate row N of ../shared/corpus/SCENARIOS.md.

mod chat;
mod frames;
mod http;
mod keepalive;
mod security;
mod support;
