//! The step log of a recorded run, in fixed-size pages.
//!
//! A `Vec` grows by doubling: while it moves to a new buffer it holds the old one too, and
//! after it has up to twice the room it needs. For the notes of a million-step run that was
//! the largest part of a recording's memory (docs/performance.md). Pages are allocated
//! once and never moved; a step's notes always sit in one page, so they stay one slice.
//! (Single items, like the step records, go in a [`super::chunked::ChunkedVec`].)

/// How many items a page holds (a step with more notes gets a page of its own size).
const PAGE: usize = 4096;

/// Groups of items (one group per step), each readable as a slice.
#[derive(Clone, Debug)]
pub struct PagedGroups<T> {
    pages: Vec<Vec<T>>,
    /// For group `i`: its page and the end of its items in that page.
    ends: Vec<(u32, u32)>,
}

impl<T> Default for PagedGroups<T> {
    fn default() -> Self {
        PagedGroups { pages: Vec::new(), ends: Vec::new() }
    }
}

impl<T> PagedGroups<T> {
    /// Number of groups.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Append the items of `group` (leaving it empty) as the next group.
    pub fn push(&mut self, group: &mut Vec<T>) {
        let fits = self.pages.last().is_some_and(|p| p.len() + group.len() <= p.capacity());
        if !fits {
            self.pages.push(Vec::with_capacity(PAGE.max(group.len())));
        }
        let page = self.pages.len() - 1;
        let items = &mut self.pages[page];
        items.append(group);
        self.ends.push((page as u32, items.len() as u32));
    }

    /// The items of group `i`.
    pub fn get(&self, i: usize) -> Option<&[T]> {
        let (page, end) = *self.ends.get(i)?;
        let start = match i.checked_sub(1).map(|p| self.ends[p]) {
            Some((prev_page, prev_end)) if prev_page == page => prev_end,
            _ => 0,
        };
        Some(&self.pages[page as usize][start as usize..end as usize])
    }

    /// Keep the first `n` groups.
    pub fn truncate(&mut self, n: usize) {
        self.ends.truncate(n);
        match self.ends.last() {
            Some(&(page, end)) => {
                self.pages.truncate(page as usize + 1);
                self.pages[page as usize].truncate(end as usize);
            }
            None => self.pages.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_stay_whole_across_pages_and_truncate_back() {
        let mut g = PagedGroups::default();
        let sizes = [3usize, 0, PAGE - 2, 5, PAGE + 7, 1];
        let mut next = 0u32;
        let mut want: Vec<Vec<u32>> = Vec::new();
        for &n in &sizes {
            let mut items: Vec<u32> = (next..next + n as u32).collect();
            next += n as u32;
            want.push(items.clone());
            g.push(&mut items);
            assert!(items.is_empty());
        }
        for (i, w) in want.iter().enumerate() {
            assert_eq!(g.get(i).unwrap(), &w[..], "group {i}");
        }
        assert_eq!(g.get(sizes.len()), None);
        g.truncate(3);
        assert_eq!(g.len(), 3);
        assert_eq!(g.get(2).unwrap(), &want[2][..]);
        let mut more = vec![7, 8];
        g.push(&mut more);
        assert_eq!(g.get(3).unwrap(), &[7, 8]);
        g.truncate(0);
        assert!(g.is_empty() && g.get(0).is_none());
    }
}
