//! The report built from events handed over one at a time in their total
//! order, so an export never needs the whole journal in memory: the fold
//! advances, the timeline grows as compact text, commands are kept.

use jiff::Timestamp;
use serde::Serialize;

use super::{CommandRow, at, clean};
use crate::domain::incident::{Event, EventKind, FoldError, Incident, Mark, timeline};

/// Every event of the incident as the postmortem's timeline lists it, kept
/// as text in chunks with the row boundaries beside it: a 100,000-row
/// timeline costs its characters, not 300,000 small strings, and growing it
/// never copies what is there.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    chunks: Vec<String>,
    /// Each row's chunk, and where its `at`, `by` and `event` end in it.
    rows: Vec<(u32, [u32; 3])>,
}

/// How much text one chunk holds before the next is started.
const CHUNK: usize = 1 << 20;

/// One timeline line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimelineRow<'a> {
    /// UTC with milliseconds.
    pub at: &'a str,
    /// Who (or which source) recorded it.
    pub by: &'a str,
    /// What happened.
    pub event: &'a str,
}

impl Timeline {
    fn push(&mut self, at: Timestamp, by: &str, event: &str) {
        let stamp = at.strftime("%Y-%m-%d %H:%M:%S%.3f").to_string();
        let need = stamp.len() + by.len() + event.len();
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.len() + need <= c.capacity().max(CHUNK));
        if !fits {
            self.chunks.push(String::with_capacity(CHUNK.max(need)));
        }
        let n = self.chunks.len() - 1;
        let Some(text) = self.chunks.last_mut() else {
            return;
        };
        text.push_str(&stamp);
        let a = text.len();
        text.push_str(by);
        let b = text.len();
        text.push_str(event);
        let c = text.len();
        self.rows.push((n as u32, [a as u32, b as u32, c as u32]));
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = TimelineRow<'_>> {
        let mut prev: Option<(u32, u32)> = None;
        self.rows.iter().map(move |&(n, [a, b, c])| {
            let start = match prev {
                Some((pn, end)) if pn == n => end,
                _ => 0,
            };
            prev = Some((n, c));
            let text = &self.chunks[n as usize];
            TimelineRow {
                at: &text[start as usize..a as usize],
                by: &text[a as usize..b as usize],
                event: &text[b as usize..c as usize],
            }
        })
    }
}

impl Serialize for Timeline {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// The fold and the parts of the report that need every event, fed in the
/// events' total order.
pub struct Collect {
    inc: Incident,
    /// The declaration's position in the file: it starts the fold and is
    /// not applied again.
    declared: usize,
    /// When the alert started firing and its name, until its row is placed.
    fired: Option<(Timestamp, String)>,
    timeline: Timeline,
    /// Commands with their position in the file, which orders them, the
    /// host that ran each and its output's line count.
    commands: Vec<(usize, String, usize, CommandRow)>,
    /// Hosts that shared the incident keeping their command output: their
    /// commands' output is left out of every host's export alike.
    withheld: std::collections::BTreeSet<String>,
    /// Authors as cleaned: a handful of people write 100,000 events.
    authors: std::collections::HashMap<String, String>,
    /// The latest moment any event records: an exercise's live clocks are
    /// read at it, so the export never depends on when it runs.
    last: Option<Timestamp>,
    /// Pinned evidence, in the total order.
    evidence: Vec<super::evidence::EvidenceRow>,
    /// The main metric's latest record.
    window: Option<super::evidence::MainMetric>,
}

/// The pinned evidence and the main metric's latest record.
pub type Evidence = (
    Vec<super::evidence::EvidenceRow>,
    Option<super::evidence::MainMetric>,
);

impl Collect {
    /// Starts from the declaration, found at position `seq` of the file.
    pub fn new(declaration: &Event, seq: usize) -> Result<Collect, FoldError> {
        let inc = Incident::declare(declaration).ok_or(FoldError::NoDeclaration)?;
        // A hand-declared incident has no alert, so no "started firing" row.
        let fired = (!inc.alert.is_manual()).then(|| (inc.alert.starts_at, inc.alert.name.clone()));
        Ok(Collect {
            inc,
            declared: seq,
            fired,
            timeline: Timeline::default(),
            commands: Vec::new(),
            withheld: Default::default(),
            authors: Default::default(),
            last: None,
            evidence: Vec::new(),
            window: None,
        })
    }

    /// The report's view of a journal held in memory.
    pub fn whole(events: &[Event]) -> Result<Collect, FoldError> {
        if events.is_empty() {
            return Err(FoldError::Empty);
        }
        let seq =
            crate::domain::incident::first_declaration(events).ok_or(FoldError::NoDeclaration)?;
        let mut c = Collect::new(&events[seq], seq)?;
        // A stable sort, as the fold's: equal events keep their file order.
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by(|&a, &b| events[a].order(&events[b]));
        for i in order {
            c.feed(i, &events[i]);
        }
        Ok(c)
    }

    /// Takes in the next event in the total order, at position `seq` of
    /// the file.
    pub fn feed(&mut self, seq: usize, e: &Event) {
        if seq != self.declared {
            self.inc.apply(e);
        }
        let when = e.effective();
        self.last = self.last.max(Some(when.max(e.ts)));
        // The alert's start is a row of its own, after everything at or
        // before it.
        if self.fired.as_ref().is_some_and(|(start, _)| when > *start) {
            self.place_fired();
        }
        if !self.authors.contains_key(&e.author) {
            self.authors.insert(e.author.clone(), clean(&e.author));
        }
        let by = self.authors.get(&e.author).map_or("", String::as_str);
        let text = match &e.kind {
            EventKind::Declared { .. } if seq != self.declared => {
                crate::domain::incident::declared_again(e)
            }
            _ => e.describe(),
        };
        self.timeline.push(when, by, &clean(&text));
        if let Some(row) = super::evidence::row(e) {
            self.evidence.push(row);
        }
        if let Some(m) = super::evidence::main_metric(e, by) {
            self.window = Some(m);
        }
        if let EventKind::CommandFinished {
            step,
            command,
            purpose,
            outcome,
            duration_ms,
            output,
            omitted,
            ..
        } = &e.kind
        {
            let row = CommandRow {
                at: at(&Mark {
                    at: e.ts,
                    by: String::new(),
                }),
                by: clean(&e.author),
                step: clean(step),
                purpose: purpose.as_str().into(),
                command: clean(command),
                outcome: clean(&outcome.describe()),
                ok: outcome.is_success(),
                duration: crate::domain::time::short_duration(std::time::Duration::from_millis(
                    *duration_ms,
                )),
                output: clean(output),
                omitted: *omitted,
                kept_on: None,
            };
            let lines = output.lines().count();
            self.commands.push((seq, e.host.clone(), lines, row));
        }
        if let EventKind::Shared { output: false, .. } = &e.kind {
            self.withheld.insert(e.host.clone());
        }
    }

    fn place_fired(&mut self) {
        if let Some((start, name)) = self.fired.take() {
            self.timeline.push(
                start,
                &clean(timeline::ALERT_AUTHOR),
                &clean(&format!("Alert {name} started firing")),
            );
        }
    }

    /// The latest moment an event fed so far records.
    pub fn last_at(&self) -> Option<Timestamp> {
        self.last
    }

    /// The fold's result, the timeline, the commands in file order, the
    /// pinned evidence and the main metric's latest record.
    pub fn finish(mut self) -> (Incident, Timeline, Vec<CommandRow>, Evidence) {
        self.place_fired();
        self.commands.sort_by_key(|(seq, ..)| *seq);
        let withheld = self.withheld;
        let commands = self.commands.into_iter().map(|(_, host, lines, mut c)| {
            // As the other hosts received it: no output, its lines counted.
            if withheld.contains(&host) {
                c.omitted += lines;
                c.output.clear();
                c.kept_on = Some(clean(&host));
            }
            c
        });
        (
            self.inc,
            self.timeline,
            commands.collect(),
            (self.evidence, self.window),
        )
    }
}
