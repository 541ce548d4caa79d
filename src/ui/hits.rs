//! Where things were drawn, for the mouse: each pane's area and each list
//! row's line, recorded while a frame is drawn (on the drawing thread) and
//! looked up when a click or a wheel turn arrives.

use std::cell::RefCell;

use ratatui::layout::Rect;

use crate::app::state::Pane;

/// One place on screen and what is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit {
    area: Rect,
    pane: Pane,
    item: Option<usize>,
}

thread_local! {
    static HITS: RefCell<Vec<Hit>> = const { RefCell::new(Vec::new()) };
}

/// Forgets the previous frame's places.
pub(super) fn clear() {
    HITS.with(|h| h.borrow_mut().clear());
}

/// Records that `area` shows `pane` (and, for a list row, its `item`).
pub(super) fn add(area: Rect, pane: Pane, item: Option<usize>) {
    HITS.with(|h| h.borrow_mut().push(Hit { area, pane, item }));
}

/// Records that line `row` of `area` shows item `item` of `pane`'s list.
pub(super) fn row(area: Rect, row: u16, pane: Pane, item: usize) {
    let line = Rect {
        y: area.y + row,
        height: 1,
        ..area
    };
    add(line, pane, Some(item));
}

/// What the last frame drew at column `x`, row `y`: the pane, and the list
/// item when it is a row of one. Rows are recorded after their pane, so the
/// most specific place wins.
pub fn at(x: u16, y: u16) -> Option<(Pane, Option<usize>)> {
    HITS.with(|h| {
        h.borrow()
            .iter()
            .rev()
            .find(|hit| {
                let a = hit.area;
                x >= a.x && x < a.x + a.width && y >= a.y && y < a.y + a.height
            })
            .map(|hit| (hit.pane, hit.item))
    })
}
