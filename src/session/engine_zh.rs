//! The engine's own English phrases in Chinese. The engine words a few things for people
//! itself: a rebalance's reason, the detail of an exception a client's application sees, why
//! a RocketMQ consumer processed a message twice. It has them in English only (it is not the
//! place for languages), so the session translates them here, by template: `{}` stands for
//! a name, a number or an error code, which is kept (and itself translated when it is one of
//! these phrases). A phrase not listed stays English, and `tests/chinese_text.rs` fails on
//! the shipped lessons' runs until it is listed.

/// (English as the engine formats it, Chinese with `{0}`, `{1}`, ... for the holes in order).
const PHRASES: &[(&str, &str)] = &[
    // A consumer group's state changes and members leaving (the group coordinator).
    ("member joined", "有成员加入"),
    ("member rejoined with new metadata", "成员带着新的元数据重新加入"),
    ("all members joined", "所有成员都已加入"),
    ("leader's assignment stored", "已保存组 leader 计算的分配方案"),
    ("no members", "没有成员"),
    ("did not rejoin in time", "没有及时重新加入"),
    ("storing the group failed", "保存消费者组失败"),
    ("left the group (LeaveGroup)", "离开了消费者组（LeaveGroup）"),
    ("session timeout (no heartbeat within session.timeout.ms)", "会话超时（session.timeout.ms 内没有心跳）"),
    // Why a transactional producer was fenced (the transaction coordinator).
    (
        "a new producer with this transactional.id called initTransactions()",
        "使用同一 transactional.id 的新生产者调用了 initTransactions()",
    ),
    ("transaction.timeout.ms passed with the transaction still open", "事务超过 transaction.timeout.ms 仍未结束"),
    // What a consumer's application is told.
    ("poll timeout", "poll 超时"),
    ("assignor failed", "分区分配器出错"),
    ("the pipeline's producer was fenced: the application stops", "流水线的生产者被隔离（fenced）：应用停止"),
    ("the transaction was aborted: the consumer rewinds to its committed offsets", "事务被中止：消费者回退到已提交位移"),
    ("no poll() within max.poll.interval.ms ({} ms): leaving the group", "max.poll.interval.ms（{0} ms）内没有调用 poll()：离开消费者组"),
    ("JoinGroup failed", "JoinGroup 失败"),
    ("a rebalance is in progress: the commit is not sent", "再均衡正在进行：提交没有发出"),
    ("not part of an active group: the commit is not sent", "不在活跃的消费者组中：提交没有发出"),
    ("commitSync() could not commit within default.api.timeout.ms ({} ms)", "commitSync() 在 default.api.timeout.ms（{0} ms）内未能提交"),
    ("commit rejected with {}: the group has rebalanced", "提交被拒绝（{0}）：消费者组已经再均衡"),
    (
        "offset {} is out of range (log start offset {}) and auto.offset.reset=none: the application stops",
        "位移 {0} 超出范围（日志起始位移 {1}），且 auto.offset.reset=none：应用停止",
    ),
    ("no committed offset and auto.offset.reset=none: the application stops", "没有已提交位移，且 auto.offset.reset=none：应用停止"),
    // What a producer's application is told.
    ("{} is not allowed in state {}", "状态 {1} 下不允许调用 {0}"),
    ("commitTransaction() failed ({}): the application aborts the transaction", "commitTransaction() 失败（{0}）：应用中止事务"),
    (
        "sendOffsetsToTransaction() rejected with {}: this consumer was fenced by a rebalance",
        "sendOffsetsToTransaction() 被拒绝（{0}）：这个消费者已被再均衡隔离",
    ),
    (
        "{}: a newer producer with transactional.id {} exists (or the transaction timed out); this one is fenced",
        "{0}：已有使用 transactional.id {1} 的更新的生产者（或事务已超时）；这个生产者被隔离（fenced）",
    ),
    (
        "a send in the transaction of {} failed with {}: the transaction can only be aborted",
        "{0} 的事务中有一次发送失败（{1}）：这个事务只能中止",
    ),
    (
        "send().get() threw {} for {} record(s): the application knows these records may not be written",
        "send().get() 抛出 {0}（{1} 条消息）：应用知道这些消息可能没有写入",
    ),
    (
        "the send callback got {} for {} record(s): the application knows these records may not be written",
        "发送回调收到 {0}（{1} 条消息）：应用知道这些消息可能没有写入",
    ),
    (
        "send() waited max.block.ms ({} ms): buffer.memory is full of records that cannot be sent",
        "send() 等待了 max.block.ms（{0} ms）：buffer.memory 被发不出去的消息占满",
    ),
    ("topic not present in metadata after max.block.ms ({} ms)", "max.block.ms（{0} ms）之后元数据中仍没有该主题"),
    // RocketMQ: a send's failure, the HA link.
    ("timeout", "超时"),
    ("connection refused", "连接被拒绝"),
    ("oneway: no result", "单向发送：没有结果"),
    ("no route: no broker group with a master", "没有路由：没有一个 broker 组有 master"),
    ("RemotingTooMuchRequestException: sendDefaultImpl call timeout", "RemotingTooMuchRequestException：sendDefaultImpl 调用超时"),
    ("slave at offset {} is ahead of the master's {}", "slave 的位移 {0} 超过了 master 的 {1}"),
    ("master pushed offset {} not equal the max phy offset {} in slave", "master 推送的位移 {0} 不等于 slave 的最大物理位移 {1}"),
    // RocketMQ: why a message was consumed twice (the checker's causes).
    (
        "the message is stored more than once, also at {} offset {} (a producer retry after an attempt that had been stored; the copies share its msgId)",
        "这条消息被存储了不止一次，另一份在 {0} offset {1}（生产者在一次已经存储的尝试之后重试；两份共用同一个 msgId）",
    ),
    (
        "stale offset: the group had committed {} up to offset {} (at {}), but {} took the queue from an older offset a broker's table held: {}",
        "过期的消费进度：消费组已把 {0} 提交到 offset {1}（在 {2}），但 {3} 接手队列时用的是某个 broker 表中更旧的进度：{4}",
    ),
    (
        "{} restarted with the offsets of its last consumerOffset.json (persisted every 5 s)",
        "{0} 重启后用的是它最后一次持久化的 consumerOffset.json 中的进度（每 5 s 持久化一次）",
    ),
    (
        "SlaveSynchronize put the master's older offset {} over {}'s {} (offsets are copied one way, master to slave)",
        "SlaveSynchronize 用 master 较旧的进度 {0} 覆盖了 {1} 上的 {2}（进度单向复制：从 master 到 slave）",
    ),
    ("the broker it asked had not got that commit", "它询问的 broker 还没有收到那次提交"),
    (
        "rebalance: {} processed it, then the queue moved to {}, which started from the offset the broker had for the group (a consumer's offset reaches the broker every 5 s or with its next pull)",
        "再均衡：{0} 处理了它，随后队列转给 {1}，后者从 broker 上该消费组的进度开始（消费者的进度每 5 s 或随下一次拉取到达 broker）",
    ),
    (
        "crash before commit: {} processed it, crashed before its offset reached the broker, and restarted from the committed offset",
        "提交前崩溃：{0} 处理了它，在进度到达 broker 之前崩溃，重启后从已提交的进度开始",
    ),
    ("{} dropped the queue and took it back from the committed offset", "{0} 放弃了该队列，又从已提交的进度把它拿了回来"),
];

/// The holes of `template` ("{}") as filled in `text`, if `text` has its shape. A hole takes
/// the shortest text up to the next fixed piece (the last one takes the rest).
fn holes<'a>(template: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let pieces: Vec<&str> = template.split("{}").collect();
    let (first, rest) = pieces.split_first()?;
    let mut at = text.strip_prefix(first)?;
    let mut out = Vec::new();
    for (i, piece) in rest.iter().enumerate() {
        if i + 1 == rest.len() {
            let filled = at.strip_suffix(piece)?;
            out.push(filled);
            at = "";
        } else {
            let j = at.find(piece).filter(|&j| j > 0)?;
            out.push(&at[..j]);
            at = &at[j + piece.len()..];
        }
    }
    (at.is_empty() && out.iter().all(|h| !h.is_empty())).then_some(out)
}

/// The Chinese of one of the engine's phrases, or None when it is not one.
fn phrase(text: &str) -> Option<String> {
    PHRASES.iter().find_map(|(en, zh)| {
        let filled = holes(en, text)?;
        let mut out = zh.to_string();
        for (i, h) in filled.iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), &zh_or_same(h));
        }
        Some(out)
    })
}

/// `text` in Chinese if it is one of the engine's phrases (or several joined by "; "), else
/// as it is (a name, an error code).
pub fn zh_or_same(text: &str) -> String {
    if let Some(zh) = phrase(text) {
        return zh;
    }
    if text.contains("; ") {
        let parts: Vec<String> = text.split("; ").map(zh_or_same).collect();
        return parts.join("；");
    }
    text.to_string()
}

/// A Chinese sentence whose tail, after a "：", is one of the engine's English phrases (the
/// checker's RocketMQ causes): that tail in Chinese.
pub fn zh_tail(text: &str) -> String {
    for (i, _) in text.match_indices('：') {
        let (head, tail) = text.split_at(i + '：'.len_utf8());
        if let Some(zh) = phrase(tail) {
            return format!("{head}{zh}");
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_with_holes_keeps_its_names_and_numbers() {
        assert_eq!(
            zh_or_same("commit rejected with UNKNOWN_MEMBER_ID: the group has rebalanced"),
            "提交被拒绝（UNKNOWN_MEMBER_ID）：消费者组已经再均衡"
        );
        assert_eq!(zh_or_same("slave at offset 12 is ahead of the master's 9"), "slave 的位移 12 超过了 master 的 9");
        assert_eq!(
            zh_or_same("beginTransaction() is not allowed in state READY"),
            "状态 READY 下不允许调用 beginTransaction()"
        );
    }

    #[test]
    fn holes_are_translated_too_and_lists_item_by_item() {
        let en = "stale offset: the group had committed a:T:0 up to offset 10 (at a-1), but B took the queue from an older offset a broker's table held: a-0 restarted with the offsets of its last consumerOffset.json (persisted every 5 s); the broker it asked had not got that commit";
        let zh = zh_or_same(en);
        assert!(zh.starts_with("过期的消费进度：消费组已把 a:T:0 提交到 offset 10（在 a-1），但 B 接手"), "{zh}");
        assert!(zh.ends_with("a-0 重启后用的是它最后一次持久化的 consumerOffset.json 中的进度（每 5 s 持久化一次）；它询问的 broker 还没有收到那次提交"), "{zh}");
    }

    #[test]
    fn anything_else_stays_as_it_is() {
        for s in ["NOT_ENOUGH_REPLICAS", "Callback", "b1", "", "member joined twice"] {
            assert_eq!(zh_or_same(s), s);
        }
        assert_eq!(zh_tail("消费组 g 把消息 #4 处理了 2 次：timeout"), "消费组 g 把消息 #4 处理了 2 次：超时");
        assert_eq!(zh_tail("消息 #4：SEND_OK"), "消息 #4：SEND_OK");
    }
}
