//! The view's rows in order, in blocks of a few hundred: a change shifts one
//! block, not the whole list, so its cost does not grow with the pod count
//! (finding a row by index walks the block lengths: tens of steps for tens
//! of thousands of pods).

use std::cmp::Ordering;
use std::sync::Arc;

use crate::domain::pod::Pod;

/// Rows per block before it is split in two.
const BLOCK: usize = 512;

/// Pods kept sorted by a total order given at each call.
#[derive(Debug, Default, Clone)]
pub struct SortedRows {
    blocks: Vec<Vec<Arc<Pod>>>,
    len: usize,
}

impl SortedRows {
    /// From rows already in order.
    pub fn from_sorted(rows: Vec<Arc<Pod>>) -> SortedRows {
        let len = rows.len();
        let blocks = rows.chunks(BLOCK).map(<[Arc<Pod>]>::to_vec).collect();
        SortedRows { blocks, len }
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The row at `i`.
    pub fn get(&self, mut i: usize) -> Option<&Arc<Pod>> {
        for b in &self.blocks {
            if i < b.len() {
                return b.get(i);
            }
            i -= b.len();
        }
        None
    }

    /// Rows from `start` on, in order.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &Arc<Pod>> {
        let mut skip = start;
        let mut first = self.blocks.len();
        for (n, b) in self.blocks.iter().enumerate() {
            if skip < b.len() {
                first = n;
                break;
            }
            skip -= b.len();
        }
        self.blocks
            .get(first..)
            .unwrap_or_default()
            .iter()
            .flatten()
            .skip(skip)
    }

    /// Where `cmp` finds its row (`Ok`), or where it would go (`Err`), as
    /// (block, index in block, index overall).
    fn find(&self, cmp: impl Fn(&Pod) -> Ordering) -> (Result<(), ()>, usize, usize, usize) {
        // The first block whose last row is not below the wanted one.
        let block = self
            .blocks
            .partition_point(|b| b.last().is_some_and(|l| cmp(l) == Ordering::Less));
        let before: usize = self.blocks[..block].iter().map(Vec::len).sum();
        match self.blocks.get(block) {
            None => (Err(()), block, 0, before),
            Some(b) => match b.binary_search_by(|r| cmp(r)) {
                Ok(i) => (Ok(()), block, i, before + i),
                Err(i) => (Err(()), block, i, before + i),
            },
        }
    }

    /// The index of the row `cmp` finds (it compares a row with the wanted
    /// one), else where it would go.
    pub fn position(&self, cmp: impl Fn(&Pod) -> Ordering) -> Result<usize, usize> {
        match self.find(cmp) {
            (Ok(()), _, _, at) => Ok(at),
            (Err(()), _, _, at) => Err(at),
        }
    }

    /// Inserts `p` in order unless an equal row is there; whether it was.
    pub fn insert(&mut self, p: &Arc<Pod>, cmp: impl Fn(&Pod) -> Ordering) -> bool {
        let (found, block, i, _) = self.find(cmp);
        if found.is_ok() {
            return false;
        }
        if self.blocks.is_empty() {
            self.blocks.push(Vec::new());
        }
        // Past the last block's end: append to the last block.
        let (block, i) = match self.blocks.get(block) {
            Some(_) => (block, i),
            None => {
                let last = self.blocks.len() - 1;
                (last, self.blocks[last].len())
            }
        };
        let b = &mut self.blocks[block];
        b.insert(i, Arc::clone(p));
        if b.len() > 2 * BLOCK {
            let tail = b.split_off(BLOCK);
            self.blocks.insert(block + 1, tail);
        }
        self.len += 1;
        true
    }

    /// Removes the row `cmp` finds; whether there was one.
    pub fn remove(&mut self, cmp: impl Fn(&Pod) -> Ordering) -> bool {
        let (found, block, i, _) = self.find(cmp);
        if found.is_err() {
            return false;
        }
        let b = &mut self.blocks[block];
        b.remove(i);
        if b.is_empty() {
            self.blocks.remove(block);
        }
        self.len -= 1;
        true
    }
}
