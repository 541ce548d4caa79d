//! One way to move through anything longer than its window: lists, overlays,
//! logs and output all take the same navigation keys with the same steps.

/// A navigation request, from the key table's navigation rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// One row towards the top (older, for logs).
    Up,
    /// One row towards the bottom (newer, for logs).
    Down,
    /// [`PAGE`] rows up.
    PageUp,
    /// [`PAGE`] rows down.
    PageDown,
    /// The first row.
    Top,
    /// The last row.
    Bottom,
}

/// Rows one PgUp / PgDn / Ctrl-u / Ctrl-d moves, everywhere.
pub const PAGE: usize = 10;

impl Nav {
    /// The signed move on a list whose rows are counted from the top.
    fn delta(self, len: usize) -> isize {
        let big = isize::try_from(len).unwrap_or(isize::MAX);
        match self {
            Nav::Up => -1,
            Nav::Down => 1,
            Nav::PageUp => -(PAGE as isize),
            Nav::PageDown => PAGE as isize,
            Nav::Top => -big,
            Nav::Bottom => big,
        }
    }
}

/// A cursor or a scroll offset counted from the top of `len` rows: the
/// selected row of a list, the first shown line of an overlay.
pub fn from_top(pos: usize, nav: Nav, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    pos.min(len - 1)
        .saturating_add_signed(nav.delta(len))
        .min(len - 1)
}

/// A scroll offset counted back from the newest of `len` rows (logs, output,
/// the timeline): 0 follows new rows; Up goes back in time; Top is the oldest.
pub fn from_bottom(back: usize, nav: Nav, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    back.min(len)
        .saturating_add_signed(-nav.delta(len))
        .min(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_top_moves_and_clamps() {
        assert_eq!(from_top(0, Nav::Down, 5), 1);
        assert_eq!(from_top(0, Nav::Up, 5), 0);
        assert_eq!(from_top(2, Nav::PageDown, 5), 4);
        assert_eq!(from_top(40, Nav::PageUp, 50), 30);
        assert_eq!(from_top(3, Nav::Top, 5), 0);
        assert_eq!(from_top(0, Nav::Bottom, 5), 4);
        assert_eq!(from_top(7, Nav::Down, 0), 0);
        assert_eq!(
            from_top(9, Nav::Up, 5),
            3,
            "a stale position is clamped first"
        );
    }

    #[test]
    fn from_bottom_counts_back_from_the_newest() {
        assert_eq!(from_bottom(0, Nav::Up, 100), 1);
        assert_eq!(from_bottom(1, Nav::Down, 100), 0);
        assert_eq!(from_bottom(0, Nav::Down, 100), 0);
        assert_eq!(from_bottom(0, Nav::PageUp, 100), PAGE);
        assert_eq!(from_bottom(5, Nav::Top, 100), 100);
        assert_eq!(from_bottom(50, Nav::Bottom, 100), 0);
        assert_eq!(from_bottom(0, Nav::Top, 0), 0);
    }
}
