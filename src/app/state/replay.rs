//! A replay: an incident's journal played back at a chosen speed, read only
//! (`warroom replay ID`). The playback clock is a pure function of the wall
//! clock, so pausing, speeding up and jumping are re-anchorings of it.

use jiff::{SignedDuration, Timestamp};

use crate::domain::incident::{Event, EventKind};

/// What a replay says to anything that would write.
pub const READ_ONLY: &str = "replay: read-only, nothing is written or run (q leaves the replay)";

/// The speeds `+` and `-` step through (× real time).
pub const SPEEDS: [u32; 10] = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200];

/// The journal being played and where the playback is.
#[derive(Debug, Clone)]
pub struct ReplayState {
    /// The incident.
    pub id: String,
    /// Its events in the fold's total order, each id once.
    pub events: Vec<Event>,
    /// When each event happened ([`Event::effective`]), in the same order.
    pub times: Vec<Timestamp>,
    /// How many of `events` are on screen.
    pub shown: usize,
    /// Where playback starts: the alert's start or the first event.
    pub start: Timestamp,
    /// The last event.
    pub end: Timestamp,
    /// × real time.
    pub speed: u32,
    /// Held still (Space), or stopped at the end.
    pub paused: bool,
    /// The wall-clock time of the latest tick: keys re-anchor from it.
    pub real: Timestamp,
    /// The message on the line and the wall-clock time it appeared: it
    /// fades by the wall clock, whatever the playback clock does.
    pub message: Option<(String, Timestamp)>,
    /// The playback time at `anchor_real`.
    anchor: Timestamp,
    /// The wall-clock time the playback was last re-anchored.
    anchor_real: Timestamp,
}

impl ReplayState {
    /// A replay of `events` starting at `from` (clamped to the journal),
    /// else at its start, anchored at the wall-clock time `real`.
    pub fn new(
        id: String,
        mut events: Vec<Event>,
        from: Option<Timestamp>,
        speed: u32,
        real: Timestamp,
    ) -> Result<ReplayState, String> {
        let mut seen = std::collections::HashSet::new();
        events.retain(|e| e.id.is_empty() || seen.insert(e.id.clone()));
        events.sort_by(Event::order);
        let detected = events.iter().find_map(|e| match &e.kind {
            EventKind::Declared { alert, .. } if !alert.is_manual() => Some(alert.starts_at),
            _ => None,
        });
        let times: Vec<Timestamp> = events.iter().map(Event::effective).collect();
        let (Some(first), Some(last)) = (times.first(), times.last()) else {
            return Err(format!("incident {id}: the journal has no events to play"));
        };
        let start = detected.map_or(*first, |d| d.min(*first));
        let end = *last;
        let at = from.unwrap_or(start).clamp(start, end);
        Ok(ReplayState {
            id,
            events,
            times,
            shown: 0,
            start,
            end,
            speed: speed.max(1),
            paused: false,
            real,
            message: None,
            anchor: at,
            anchor_real: real,
        })
    }

    /// Moves playback to `t` (kept inside the journal).
    pub fn seek(&mut self, t: Timestamp, real: Timestamp) {
        self.anchor = t.clamp(self.start, self.end);
        self.anchor_real = real;
    }

    /// The playback time at wall-clock time `real`.
    pub fn clock(&self, real: Timestamp) -> Timestamp {
        if self.paused {
            return self.anchor;
        }
        let ms = real
            .duration_since(self.anchor_real)
            .as_millis()
            .max(0)
            .saturating_mul(i128::from(self.speed));
        let ms = i64::try_from(ms).unwrap_or(i64::MAX);
        self.anchor
            .checked_add(SignedDuration::from_millis(ms))
            .unwrap_or(self.end)
            .min(self.end)
    }

    /// How many events have happened by playback time `t`.
    pub fn due(&self, t: Timestamp) -> usize {
        self.times.partition_point(|x| *x <= t)
    }

    /// Whether playback has reached the last event.
    pub fn at_end(&self, real: Timestamp) -> bool {
        self.clock(real) >= self.end
    }

    /// Holds the playback still here, or lets it run on from here.
    pub fn toggle_pause(&mut self, real: Timestamp) {
        self.anchor = self.clock(real);
        self.anchor_real = real;
        self.paused = !self.paused;
    }

    /// Stops at the end.
    pub fn stop(&mut self, real: Timestamp) {
        self.anchor = self.clock(real);
        self.anchor_real = real;
        self.paused = true;
    }

    /// The next of [`SPEEDS`] above (`up`) or below the speed now, from
    /// here on; past either end of the list it stays.
    pub fn change_speed(&mut self, up: bool, real: Timestamp) {
        self.anchor = self.clock(real);
        self.anchor_real = real;
        let next = if up {
            SPEEDS.iter().find(|s| **s > self.speed)
        } else {
            SPEEDS.iter().rev().find(|s| **s < self.speed)
        };
        if let Some(s) = next {
            self.speed = *s;
        }
    }

    /// Moves playback to the next event not yet shown (`]`); `false` when
    /// there is none.
    pub fn next(&mut self, real: Timestamp) -> bool {
        let Some(t) = self.times.get(self.due(self.clock(real))).copied() else {
            return false;
        };
        self.anchor = t;
        self.anchor_real = real;
        true
    }

    /// Moves playback back so the latest event shown (with any at the same
    /// moment) has not happened yet (`[`): to the event before it, or to
    /// the start; `false` when already at the start.
    pub fn previous(&mut self, real: Timestamp) -> bool {
        let now = self.clock(real);
        let shown = self.due(now);
        if shown == 0 {
            return false;
        }
        let latest = self.times[shown - 1];
        let target = match self.times[..shown].iter().rposition(|t| *t < latest) {
            Some(j) => self.times[j],
            None => self.start,
        };
        if target >= now {
            return false;
        }
        self.anchor = target;
        self.anchor_real = real;
        true
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::{at, declared, ev};

    fn replay() -> ReplayState {
        let events = vec![
            ev("03:00:00", "ana", declared()),
            ev("03:01:00", "ana", EventKind::Acknowledged),
            ev("03:05:00", "bo", EventKind::Note { text: "x".into() }),
            ev("03:05:00", "bo", EventKind::Note { text: "y".into() }),
            ev("03:10:00", "ana", EventKind::Resolved),
        ];
        let real = events[0].ts;
        ReplayState::new("i".into(), events, None, 10, real).unwrap()
    }

    #[test]
    fn the_clock_runs_at_the_speed_and_stops_at_the_end() {
        let r = replay();
        let real = r.anchor_real;
        let start = r.start;
        assert_eq!(
            r.clock(real + SignedDuration::from_secs(6)),
            start + SignedDuration::from_secs(60)
        );
        assert_eq!(r.clock(real + SignedDuration::from_secs(10_000)), r.end);
        assert_eq!(r.due(at("03:05:00")), 4);
        assert_eq!(r.due(at("03:04:59")), 2);
    }

    #[test]
    fn pausing_holds_the_clock_and_speed_changes_from_here() {
        let mut r = replay();
        let real = r.anchor_real;
        let later = real + SignedDuration::from_secs(6);
        r.toggle_pause(later);
        let held = r.clock(later);
        assert_eq!(r.clock(later + SignedDuration::from_secs(100)), held);
        r.toggle_pause(later + SignedDuration::from_secs(100));
        r.change_speed(true, later + SignedDuration::from_secs(100));
        assert_eq!(r.speed, 30);
        assert_eq!(
            r.clock(later + SignedDuration::from_secs(101)),
            held + SignedDuration::from_secs(30)
        );
        r.change_speed(false, later + SignedDuration::from_secs(101));
        r.change_speed(false, later + SignedDuration::from_secs(101));
        assert_eq!(r.speed, 5);
        for _ in 0..20 {
            r.change_speed(false, later);
        }
        assert_eq!(r.speed, 1);
        // Speeds off the list step to their neighbours on it.
        r.speed = 7;
        r.change_speed(true, later);
        assert_eq!(r.speed, 10);
        r.speed = 3600;
        r.change_speed(true, later);
        assert_eq!(r.speed, 3600);
        r.change_speed(false, later);
        assert_eq!(r.speed, 1200);
    }

    #[test]
    fn jumps_land_on_events_both_ways() {
        let mut r = replay();
        r.toggle_pause(r.anchor_real);
        let real = r.anchor_real;
        // Playback starts when the alert fired, before the declaration.
        assert_eq!(r.clock(real), at("02:55:00"));
        assert_eq!(r.due(r.clock(real)), 0);
        assert!(r.next(real));
        assert_eq!(r.due(r.clock(real)), 1);
        assert!(r.next(real));
        assert_eq!(r.clock(real), at("03:01:00"));
        assert!(r.next(real));
        assert_eq!(r.due(r.clock(real)), 4, "both notes of 03:05 at once");
        assert!(r.next(real));
        assert_eq!(r.clock(real), r.end);
        assert!(!r.next(real));
        // [ steps back one event at a time.
        assert!(r.previous(real));
        assert_eq!(r.due(r.clock(real)), 4);
        // Both notes of 03:05 un-happen together.
        assert!(r.previous(real));
        assert_eq!(r.due(r.clock(real)), 2);
        assert!(r.previous(real));
        assert_eq!(r.due(r.clock(real)), 1);
        assert!(r.previous(real));
        assert_eq!(r.clock(real), at("02:55:00"));
        assert!(!r.previous(real));
    }

    #[test]
    fn from_is_kept_inside_the_journal() {
        let events = vec![
            ev("03:00:00", "ana", declared()),
            ev("03:10:00", "ana", EventKind::Resolved),
        ];
        let real = events[0].ts;
        let r =
            ReplayState::new("i".into(), events.clone(), Some(at("03:04:00")), 10, real).unwrap();
        assert_eq!(r.clock(real), at("03:04:00"));
        let r = ReplayState::new("i".into(), events, Some(at("05:00:00")), 10, real).unwrap();
        assert_eq!(r.clock(real), r.end);
        assert!(ReplayState::new("i".into(), Vec::new(), None, 10, real).is_err());
    }
}
