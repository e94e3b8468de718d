//! The event queue of a discrete-event simulation: events pop in time order, ties in the order
//! they were pushed (so a run is deterministic).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A time-ordered queue of events of type `E`; times are milliseconds.
///
/// ```
/// use persevere_sim::events::Events;
///
/// let mut q = Events::new();
/// q.push(5.0, "b");
/// q.push(1.0, "a");
/// q.push(5.0, "c");
/// assert_eq!(q.pop(), Some((1.0, "a")));
/// assert_eq!(q.pop(), Some((5.0, "b")));
/// assert_eq!(q.pop(), Some((5.0, "c")));
/// assert_eq!(q.pop(), None);
/// ```
#[derive(Debug)]
pub struct Events<E> {
    heap: BinaryHeap<Entry<E>>,
    pushed: u64,
}

#[derive(Debug)]
struct Entry<E> {
    time: f64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    // Reversed: `BinaryHeap` is a max-heap and the earliest event must come out first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then(other.seq.cmp(&self.seq))
    }
}

impl<E> Default for Events<E> {
    fn default() -> Self {
        Events {
            heap: BinaryHeap::new(),
            pushed: 0,
        }
    }
}

impl<E> Events<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `time` (ms).
    pub fn push(&mut self, time: f64, event: E) {
        self.heap.push(Entry {
            time,
            seq: self.pushed,
            event,
        });
        self.pushed += 1;
    }

    /// The earliest event and its time.
    pub fn pop(&mut self) -> Option<(f64, E)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }
}
