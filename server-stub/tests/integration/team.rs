//! Agents' presence over the real server: each agent's status (online, away, busy, offline)
//! goes to every agent socket when what colleagues see changes (the most available status of
//! an agent's open consoles; offline when the last closes), with a `team` snapshot on connect;
//! only online agents are offered requests; visitors never get any of it.

use protocol::presence::{AgentPresence, AgentStatus};
use protocol::{ClientMsg, ServerMsg};

use crate::support::*;

fn status(msg: ServerMsg) -> (String, AgentStatus) {
    match msg {
        ServerMsg::AgentStatus {
            presence: AgentPresence { agent, status },
        } => (agent.name, status),
        other => panic!("expected an agent's status, got {other:?}"),
    }
}

fn set(status: AgentStatus) -> ClientMsg {
    ClientMsg::SetStatus { status }
}

#[tokio::test]
async fn colleagues_see_each_others_status_and_only_online_agents_get_requests() {
    let srv = TestServer::start().await;
    let (ada, grace) = (srv.ada().await, srv.grace().await);

    let mut a = srv.connect(&ada.token, vec![]).await;
    a.c.keep_presence();
    match a.c.recv().await {
        ServerMsg::Team {
            agents,
            away_after_secs,
        } => {
            assert_eq!(away_after_secs, 300, "the default");
            assert_eq!(agents.len(), 1);
            assert_eq!(agents[0].status, AgentStatus::Offline, "until she sets one");
        }
        other => panic!("expected the team, got {other:?}"),
    }
    a.c.send(&ClientMsg::SetOnline { online: true }).await;
    assert!(matches!(a.c.recv().await, ServerMsg::Queue { .. }));
    assert_eq!(
        status(a.c.recv().await),
        ("Ada".into(), AgentStatus::Online)
    );

    // Grace arrives: her snapshot shows Ada online; she goes busy, and Ada sees it
    let mut g = srv.connect(&grace.token, vec![]).await;
    g.c.keep_presence();
    let ServerMsg::Team { agents, .. } = g.c.recv().await else {
        panic!("expected the team");
    };
    let seen: Vec<_> = agents
        .iter()
        .map(|p| (p.agent.name.as_str(), p.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("Ada", AgentStatus::Online),
            ("Grace", AgentStatus::Offline)
        ]
    );
    g.c.send(&set(AgentStatus::Busy)).await;
    assert_eq!(
        status(a.c.recv().await),
        ("Grace".into(), AgentStatus::Busy)
    );
    assert_eq!(
        status(g.c.recv().await),
        ("Grace".into(), AgentStatus::Busy)
    );

    // a request goes to the online agent only; nothing of this reaches the visitor
    let v = srv.visitor("Marta").await;
    let mut vs = srv.connect(&v.token, vec![]).await;
    vs.c.keep_presence();
    vs.c.say_acked("m1", None, "hello").await;
    assert!(matches!(a.c.recv().await, ServerMsg::RequestAdded { .. }));
    g.c.barrier().await;
    vs.c.barrier().await;

    // Ada's second console goes away: she still shows online (the most available); when her
    // online console closes she shows away; when the last closes, offline
    let mut a2 = srv.connect(&ada.token, vec![]).await;
    a2.c.send(&set(AgentStatus::Away)).await;
    g.c.barrier().await;
    a.c.close().await;
    assert_eq!(status(g.c.recv().await), ("Ada".into(), AgentStatus::Away));
    a2.c.close().await;
    assert_eq!(
        status(g.c.recv().await),
        ("Ada".into(), AgentStatus::Offline)
    );
    vs.c.barrier().await;
    srv.stop().await;
}
