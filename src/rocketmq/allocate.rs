//! Queue allocation in a CLUSTERING consumer group: RocketMQ's
//! `AllocateMessageQueueAveragely` ("AVG", the default) and
//! `AllocateMessageQueueAveragelyByCircle` ("AVG_BY_CIRCLE").
//!
//! Rules restated from apache/rocketmq (4.9.7 and 5.3.x agree):
//! - `client/.../consumer/rebalance/AbstractAllocateMessageQueueStrategy.check`: an empty
//!   current id, an empty queue list or an empty consumer list throws
//!   `IllegalArgumentException` (messages in [`AllocateError`]); a current id not among the
//!   consumers returns an empty list (RocketMQ logs "[BUG] ... not in cidAll").
//! - `client/.../impl/consumer/RebalanceImpl.rebalanceByTopic`: the queues come from a set
//!   (so no duplicates) and are sorted by `MessageQueue.compareTo` (topic, then brokerName,
//!   then queueId); the consumer ids are sorted as Java strings. The strategy then uses the
//!   first index of the current id in that sorted list.
//! - AVG: contiguous blocks, the first `n % c` consumers get one queue more.
//! - AVG_BY_CIRCLE: queue `k` goes to consumer `k % c`.
//!
//! Every client computes its own share; there is no coordinator.

use std::cmp::Ordering;
use std::fmt;

/// `MessageQueue`: a queue of a topic on one broker group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageQueue {
    pub topic: String,
    pub broker_name: String,
    /// A Java `int` in RocketMQ; ids are 0..writeQueueNums-1 in practice.
    pub queue_id: i32,
}

impl MessageQueue {
    pub fn new(topic: &str, broker_name: &str, queue_id: i32) -> MessageQueue {
        MessageQueue { topic: topic.to_string(), broker_name: broker_name.to_string(), queue_id }
    }
}

/// `String.compareTo`: lexicographic over UTF-16 code units (which differs from Rust's byte
/// order only when characters above U+FFFF meet characters in U+E000..U+FFFF).
pub fn java_string_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// `MessageQueue.compareTo`: topic, then brokerName, then queueId. (RocketMQ subtracts the
/// ids, which cannot overflow for the non-negative ids queues have; the CLI rejects negative
/// ids, and this compares them without overflow.)
pub fn message_queue_cmp(a: &MessageQueue, b: &MessageQueue) -> Ordering {
    java_string_cmp(&a.topic, &b.topic)
        .then_with(|| java_string_cmp(&a.broker_name, &b.broker_name))
        .then_with(|| a.queue_id.cmp(&b.queue_id))
}

/// The two strategies, under the names their `getName()` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocateStrategy {
    /// `AllocateMessageQueueAveragely`, "AVG" (the push consumer's default).
    Averagely,
    /// `AllocateMessageQueueAveragelyByCircle`, "AVG_BY_CIRCLE".
    AveragelyByCircle,
}

impl AllocateStrategy {
    pub const ALL: [AllocateStrategy; 2] = [AllocateStrategy::Averagely, AllocateStrategy::AveragelyByCircle];

    /// RocketMQ's `getName()`.
    pub fn rocketmq_name(self) -> &'static str {
        match self {
            AllocateStrategy::Averagely => "AVG",
            AllocateStrategy::AveragelyByCircle => "AVG_BY_CIRCLE",
        }
    }

    /// The CLI's name: `avg` or `avg-by-circle`.
    pub fn cli_name(self) -> &'static str {
        match self {
            AllocateStrategy::Averagely => "avg",
            AllocateStrategy::AveragelyByCircle => "avg-by-circle",
        }
    }

    /// The Java class name.
    pub fn class_name(self) -> &'static str {
        match self {
            AllocateStrategy::Averagely => "AllocateMessageQueueAveragely",
            AllocateStrategy::AveragelyByCircle => "AllocateMessageQueueAveragelyByCircle",
        }
    }
}

impl std::str::FromStr for AllocateStrategy {
    type Err = String;

    /// Accepts the CLI name, RocketMQ's `getName()` or the class name.
    fn from_str(s: &str) -> Result<Self, String> {
        AllocateStrategy::ALL
            .into_iter()
            .find(|k| s == k.cli_name() || s == k.rocketmq_name() || s == k.class_name())
            .ok_or_else(|| format!("unknown strategy '{s}' (accepted: avg, avg-by-circle)"))
    }
}

/// Where RocketMQ's `allocate()` throws `IllegalArgumentException`; `Display` is its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocateError {
    /// `currentCID` is null or "".
    EmptyCurrentCid,
    /// `mqAll` is null or empty.
    EmptyQueues,
    /// `cidAll` is null or empty.
    EmptyConsumers,
}

impl fmt::Display for AllocateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AllocateError::EmptyCurrentCid => "currentCID is empty",
            AllocateError::EmptyQueues => "mqAll is null or mqAll empty",
            AllocateError::EmptyConsumers => "cidAll is null or cidAll empty",
        })
    }
}

impl std::error::Error for AllocateError {}

/// The strategy on lists already prepared the way `RebalanceImpl` prepares them (sorted,
/// queues without duplicates). `None` for `current` stands for Java's null.
pub fn allocate_sorted(
    strategy: AllocateStrategy,
    current: Option<&str>,
    mq_all: &[MessageQueue],
    cid_all: &[String],
) -> Result<Vec<MessageQueue>, AllocateError> {
    let current = match current {
        Some(c) if !c.is_empty() => c,
        _ => return Err(AllocateError::EmptyCurrentCid),
    };
    if mq_all.is_empty() {
        return Err(AllocateError::EmptyQueues);
    }
    if cid_all.is_empty() {
        return Err(AllocateError::EmptyConsumers);
    }
    let Some(index) = cid_all.iter().position(|c| c == current) else {
        return Ok(Vec::new());
    };
    let (n, c) = (mq_all.len(), cid_all.len());
    let picked: Vec<usize> = match strategy {
        AllocateStrategy::Averagely => averagely(n, c, index),
        AllocateStrategy::AveragelyByCircle => (index..n).filter(|k| k % c == index).collect(),
    };
    Ok(picked.into_iter().map(|k| mq_all[k].clone()).collect())
}

/// The indexes AVG gives consumer `index` of `c` out of `n` queues.
fn averagely(n: usize, c: usize, index: usize) -> Vec<usize> {
    let modulo = n % c;
    let first_ones = modulo > 0 && index < modulo;
    let size = if n <= c {
        1
    } else if first_ones {
        n / c + 1
    } else {
        n / c
    };
    let start = if first_ones { index * size } else { index * size + modulo };
    // `Math.min(averageSize, mqAll.size() - startIndex)`: nothing when start is past the end.
    let range = size.min(n.saturating_sub(start));
    (start..start + range).collect()
}

/// What a client does in `RebalanceImpl.rebalanceByTopic`: de-duplicate and sort the
/// queues, sort the consumer ids as Java strings, then run the strategy for `current`.
pub fn allocate(
    strategy: AllocateStrategy,
    current: Option<&str>,
    queues: &[MessageQueue],
    consumers: &[String],
) -> Result<Vec<MessageQueue>, AllocateError> {
    let mut mq_all: Vec<MessageQueue> = queues.to_vec();
    mq_all.sort_by(message_queue_cmp);
    mq_all.dedup();
    let mut cid_all: Vec<String> = consumers.to_vec();
    cid_all.sort_by(|a, b| java_string_cmp(a, b));
    allocate_sorted(strategy, current, &mq_all, &cid_all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_order_is_utf16_order() {
        // U+FF5E (one UTF-16 unit 0xFF5E) sorts after U+1F600 (surrogates 0xD83D..) in Java.
        assert_eq!(java_string_cmp("\u{1F600}", "\u{FF5E}"), Ordering::Less);
        assert_eq!("\u{1F600}".cmp("\u{FF5E}"), Ordering::Greater);
        assert_eq!(java_string_cmp("10.0.0.10@1", "10.0.0.9@1"), Ordering::Less);
    }

    #[test]
    fn averagely_gives_blocks_and_nothing_past_the_end() {
        assert_eq!(averagely(8, 3, 2), vec![6, 7]);
        assert_eq!(averagely(3, 5, 4), Vec::<usize>::new());
        assert_eq!(averagely(10, 4, 1), vec![3, 4, 5]);
    }
}
