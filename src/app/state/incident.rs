//! The incident this cockpit works, and what it has already written about it.

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;

use crate::domain::alert::AlertState;
use crate::domain::incident::{Event, Incident};
use crate::domain::policy::ClockKind;

/// The incident this cockpit is working, as its journal says.
#[derive(Debug)]
pub struct OpenIncident {
    /// Incident id, also the journal's file name.
    pub id: String,
    /// Every event read back from the journal, in their total order
    /// ([`Event::order`]), whatever the order of the lines.
    pub events: Vec<Event>,
    /// The fold of `events`, once the declaration has been read.
    pub state: Option<Incident>,
    /// Ids of `events`: a fact several cockpits recorded is shown once.
    pub seen: crate::domain::incident::IdSet,
    /// The journal file was deleted: nothing is saved until `:recreate`.
    pub gone: bool,
    /// A resolved incident opened to be read: nothing is recorded until
    /// `:reopen`.
    pub read_only: bool,
}

impl OpenIncident {
    /// An incident whose journal has not been read yet.
    pub fn new(id: String) -> Self {
        OpenIncident {
            id,
            events: Vec::new(),
            state: None,
            seen: Default::default(),
            gone: false,
            read_only: false,
        }
    }

    /// Takes in events read from the journal, leaving out repeats of an id
    /// already taken in; returns how many were new. Before the state is
    /// known, a declaration among them starts it, so a whole journal read
    /// at once is folded as it is taken in rather than again afterwards.
    pub fn take_in(&mut self, events: Vec<Event>) -> usize {
        let before = self.events.len();
        // Repeats are left out in file order, then the new events are put
        // in the total order (a stable sort: nearly sorted is nearly free).
        let mut fresh: Vec<Event> = events
            .into_iter()
            .filter(|e| e.id.is_empty() || self.seen.insert(&e.id))
            .collect();
        fresh.sort_by(Event::order);
        if self.state.is_none() && self.events.is_empty() {
            self.state = fresh
                .iter()
                .find(|e| matches!(e.kind, crate::domain::incident::EventKind::Declared { .. }))
                .and_then(Incident::declare);
        }
        // All after what is there (a whole journal, or the lines appended
        // since the last look): folded as they come, moved once.
        let after = match (self.events.last(), fresh.first()) {
            (Some(x), Some(f)) => x.order(f) != std::cmp::Ordering::Greater,
            _ => true,
        };
        if after {
            if let Some(state) = self.state.as_mut() {
                for e in &fresh {
                    state.apply(e);
                }
            }
            if self.events.is_empty() {
                self.events = fresh;
            } else {
                self.events.extend(fresh);
            }
            return self.events.len() - before;
        }
        let mut refold = false;
        for e in fresh {
            // Most events come last; one that belongs earlier (another
            // cockpit's line written late, a backdated note) is put in its
            // place and the state is folded again from the start.
            let last = self
                .events
                .last()
                .is_none_or(|x| x.order(&e) != std::cmp::Ordering::Greater);
            if last {
                if let Some(state) = self.state.as_mut() {
                    state.apply(&e);
                }
                self.events.push(e);
            } else {
                refold = true;
                let at = self
                    .events
                    .partition_point(|x| x.order(&e) != std::cmp::Ordering::Greater);
                self.events.insert(at, e);
            }
        }
        if refold && self.state.is_some() {
            self.state = Incident::fold(&self.events).ok();
        }
        self.events.len() - before
    }
}

/// What this cockpit has sent to the journal and not yet seen come back, so
/// one observed fact is written once even before the journal echoes it.
#[derive(Debug, Default)]
pub struct IncidentWatch {
    /// Alert states this cockpit already wrote to the journal.
    pub reported: HashMap<String, AlertState>,
    /// How many state changes of each alert this cockpit has written, read
    /// back or not: numbering changes by what the journal says alone would
    /// give a change the number of one still on its way.
    pub changes_written: HashMap<String, usize>,
    /// Successive alert polls in which an incident alert was missing; two in a
    /// row count as resolved (a restarting Alertmanager briefly lists nothing).
    pub absent: HashMap<String, u8>,
    /// Missed deadlines this cockpit already recorded.
    pub missed_reported: BTreeSet<(ClockKind, Timestamp)>,
    /// Events sent to the journal and not yet read back as durable.
    pub pending: usize,
    /// The write time of the last event this cockpit recorded.
    pub last_stamp: Option<Timestamp>,
    /// A note that could not be saved (the journal was deleted), offered
    /// again the next time the note editor opens.
    pub unsaved_note: Option<String>,
    /// A declaration shown and waiting to be written (Esc cancels it).
    pub declaring: Option<PendingDeclaration>,
    /// When a drill's recovered query was last asked.
    pub exercise_asked: Option<Timestamp>,
    /// `:export` waits for this event (the main metric's record) to be read
    /// back from the journal, then writes the draft to the path (or the
    /// default one).
    pub export_after: Option<(String, Option<std::path::PathBuf>)>,
    /// What the demo's teammate already pinned from this cockpit, as
    /// `incident/fact` (asked once, even before it is read back).
    pub demo_pins: Vec<String>,
}

impl super::App {
    /// Whether what this cockpit does can be recorded now: not while the
    /// journal is deleted, nor while a resolved incident is only read.
    pub fn writable(&self) -> Result<(), String> {
        if self.replay.is_some() {
            return Err(super::replay::READ_ONLY.into());
        }
        match self.incident.as_ref() {
            Some(i) if i.gone => {
                Err("NOT SAVED: the journal was deleted; :recreate writes it again first".into())
            }
            Some(i) if i.read_only => Err(
                "this incident is resolved and shown read-only: :reopen to work it again".into(),
            ),
            _ => Ok(()),
        }
    }
}

/// A declaration on the status line, written when `due` passes.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingDeclaration {
    /// The declaration as it will be written.
    pub event: crate::domain::incident::Event,
    /// When it is written unless cancelled.
    pub due: Timestamp,
    /// What the status line says: severity and title.
    pub what: String,
}

/// What `warroom open` asked for, until the first alerts answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    /// What to find.
    pub target: crate::domain::open::Target,
    /// `--declare`: declare at once when nothing is open for it.
    pub declare: bool,
}

/// An incident in the data dir at start, to join or offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownIncident {
    /// Its id.
    pub id: String,
    /// The alert it was declared for.
    pub fingerprint: String,
    /// That alert's name.
    pub alert: String,
    /// Not resolved.
    pub open: bool,
}
