//! The console's reactive state: one signal for the [`Desk`] and one per conversation, so a
//! frame for one conversation re-renders that conversation (its row in "My chats" and, if
//! open, its log) and nothing else. The rules stay in `state`; this only decides which
//! signal a change lands in. [`Lists`] derives the order the lists show.

use leptos::prelude::*;
use protocol::{ConversationId, Millis, ServerMsg};

use crate::state::{self, Applied, Desk, Pane, Panes};

/// One conversation's signal. Reference-counted (not owned by a component), so a pane
/// outlives whichever view happened to be current when its first frame arrived.
#[derive(Clone)]
pub struct PaneRef {
    pub id: ConversationId,
    pub pane: ArcRwSignal<Pane>,
}

/// My conversations, in the order they arrived. The list signal changes only when a
/// conversation is added or the list is cleared; each pane has its own signal.
#[derive(Clone, Copy)]
pub struct PaneList(pub RwSignal<Vec<PaneRef>>);

impl PaneList {
    pub fn new() -> Self {
        PaneList(RwSignal::new(Vec::new()))
    }

    /// The signal of conversation `id`, without subscribing to the list.
    pub fn get(self, id: ConversationId) -> Option<ArcRwSignal<Pane>> {
        self.0
            .with_untracked(|l| l.iter().find(|p| p.id == id).map(|p| p.pane.clone()))
    }
}

impl Default for PaneList {
    fn default() -> Self {
        Self::new()
    }
}

impl Panes for PaneList {
    fn edit(&mut self, id: ConversationId, f: impl FnOnce(&mut Pane) -> bool) -> Option<bool> {
        // Notifies the pane's subscribers only when `f` changed something.
        self.get(id)?.try_maybe_update(|p| {
            let changed = f(p);
            (changed, changed)
        })
    }

    fn add(&mut self, pane: Pane) {
        let id = pane.conversation.id;
        self.0.update(|l| {
            l.push(PaneRef {
                id,
                pane: ArcRwSignal::new(pane),
            })
        });
    }

    fn remove(&mut self, id: ConversationId) {
        self.0.update(|l| l.retain(|p| p.id != id));
    }

    fn ids(&self) -> Vec<ConversationId> {
        self.0.with_untracked(|l| l.iter().map(|p| p.id).collect())
    }

    fn clear(&mut self) {
        self.0.set(Vec::new());
    }
}

/// The desk signal and the panes together: what the reducer works on.
#[derive(Clone, Copy)]
pub struct Store {
    pub desk: RwSignal<Desk>,
    pub panes: PaneList,
}

impl Store {
    pub fn new(desk: Desk) -> Self {
        Store {
            desk: RwSignal::new(desk),
            panes: PaneList::new(),
        }
    }

    /// Applies a frame; the desk's subscribers hear of it only if the desk changed.
    pub fn apply(self, msg: ServerMsg) -> Applied {
        let mut panes = self.panes;
        let mut applied = Applied::default();
        self.desk.maybe_update(|desk| {
            applied = state::apply(desk, &mut panes, msg);
            applied.desk_changed
        });
        applied
    }

    /// Runs a desk-and-panes action (select, reset) as one change.
    pub fn with_both<R>(self, f: impl FnOnce(&mut Desk, &mut PaneList) -> R) -> R {
        let mut panes = self.panes;
        let mut out = None;
        self.desk.update(|desk| out = Some(f(desk, &mut panes)));
        out.expect("update runs f")
    }

    /// Any of my live chats still going (closing the tab asks first then; team chats stay
    /// on the server for the next visit).
    pub fn has_open_chats(self) -> bool {
        self.panes.0.with_untracked(|l| {
            l.iter().any(|p| {
                p.pane
                    .with_untracked(|pane| !pane.closed() && pane.team.is_none())
            })
        })
    }

    /// Signed out, or signed in afresh: a new desk and no conversations.
    pub fn reset(self, desk: Desk) {
        self.with_both(|d, panes| {
            *d = desk;
            panes.clear();
        });
    }
}

/// What the lists need to know of one conversation to place it: cheap to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placed {
    id: ConversationId,
    updated_at: Millis,
    /// Ended, or I left it.
    ended: bool,
    unread: u32,
    team: bool,
}

/// My conversations as the lists show them: open and closed live chats (ended, or left) and
/// team chats, each most recently updated first (and the compact view's bubbles: live and team
/// chats going on), and how many messages are unread in all. Derived once (the workspace provides it)
/// for every list, bubble and the repeating sound. A frame recomputes the placing, but the
/// id lists notify only when an order or a membership changed: a list's keyed rows then move,
/// and nothing is rebuilt; the rows' contents follow their own conversation's signal.
#[derive(Clone, Copy)]
pub struct Lists {
    pub open: Memo<Vec<ConversationId>>,
    pub closed: Memo<Vec<ConversationId>>,
    pub team: Memo<Vec<ConversationId>>,
    pub bubbles: Memo<Vec<ConversationId>>,
    pub unread: Memo<u32>,
}

impl Lists {
    pub fn new(panes: PaneList) -> Self {
        let placed = Memo::new(move |_| {
            let mut all = panes.0.with(|l| {
                l.iter()
                    .map(|p| {
                        p.pane.with(|pane| Placed {
                            id: p.id,
                            updated_at: pane.updated_at(),
                            ended: pane.closed(),
                            unread: pane.unread,
                            team: pane.team.is_some(),
                        })
                    })
                    .collect::<Vec<_>>()
            });
            // Newest first; a tie goes to the conversation that started later.
            all.sort_by_key(|p| std::cmp::Reverse((p.updated_at, p.id.0)));
            all
        });
        let ids = move |keep: fn(&Placed) -> bool| {
            Memo::new(move |_| {
                placed.with(|all| {
                    all.iter()
                        .filter(|p| keep(p))
                        .map(|p| p.id)
                        .collect::<Vec<_>>()
                })
            })
        };
        Lists {
            open: ids(|p| !p.ended && !p.team),
            closed: ids(|p| p.ended && !p.team),
            team: ids(|p| p.team),
            bubbles: ids(|p| !p.ended),
            unread: Memo::new(move |_| placed.with(|all| all.iter().map(|p| p.unread).sum())),
        }
    }
}
