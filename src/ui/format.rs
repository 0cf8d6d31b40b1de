//! Small text helpers for the UI.

/// Simulated time for humans: "0 ms", "850 ms", "1.250 s", "2 min 03.000 s".
pub fn sim_time(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{}.{:03} s", ms / 1_000, ms % 1_000)
    } else {
        let (min, rest) = (ms / 60_000, ms % 60_000);
        format!("{min} min {:02}.{:03} s", rest / 1_000, rest % 1_000)
    }
}

/// A list of broker ids: "1, 2, 3", or "—" when empty.
pub fn ids(ids: &[u32]) -> String {
    if ids.is_empty() {
        "—".to_string()
    } else {
        ids.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// A CSS-safe class suffix for a word from the engine.
pub fn css_word(word: &str) -> String {
    word.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').map(|c| c.to_ascii_lowercase()).collect()
}

/// Which family a message kind belongs to (colour and shape in the picture).
pub fn family(kind: &str) -> &'static str {
    let k = kind.trim_end_matches("Response");
    match k {
        "Produce" | "SendMessage" => "produce",
        "Fetch" | "PullMessage" => "fetch",
        "HaTransfer" | "HaReport" | "RegisterBroker" => "control",
        "UpdateConsumerOffset"
        | "QueryConsumerOffset"
        | "GetAllConsumerOffset"
        | "HeartBeat"
        | "GetConsumerListByGroup"
        | "NotifyConsumerIdsChanged"
        | "GetMaxOffset" => "group",
        "LeaderAndIsr" | "AlterPartition" | "BrokerRegistration" | "BrokerHeartbeat" | "ConnectionClosed" => "control",
        "JoinGroup" | "SyncGroup" | "Heartbeat" | "LeaveGroup" | "OffsetCommit" | "OffsetFetch" | "FindCoordinator" => {
            "group"
        }
        "AddPartitionsToTxn" | "AddOffsetsToTxn" | "TxnOffsetCommit" | "EndTxn" | "WriteTxnMarkers" => "txn",
        _ => "meta",
    }
}

/// A short label for a message kind: responses end in "↩".
pub fn short_kind(kind: &str) -> String {
    match kind.strip_suffix("Response") {
        Some(k) => format!("{k} ↩"),
        None => kind.to_string(),
    }
}

/// Shorter forms of a message kind's label, for where the whole name does not fit (the
/// tooltip still names it): a common short name ("BHB ↩" for BrokerHeartbeatResponse), then
/// its initials. Empty when nothing is shorter than `short_kind`.
pub fn abbrev_kinds(kind: &str) -> Vec<String> {
    let (base, resp) = match kind.strip_suffix("Response") {
        Some(k) => (k, " ↩"),
        None => (kind, ""),
    };
    let short = match base {
        "Produce" => "Prod",
        "Metadata" => "Meta",
        "Heartbeat" | "HeartBeat" => "HB",
        "BrokerHeartbeat" => "BHB",
        "LeaderAndIsr" => "L&ISR",
        "AlterPartition" => "AlterP",
        "BrokerRegistration" => "Reg",
        "ConnectionClosed" => "Closed",
        "JoinGroup" => "Join",
        "SyncGroup" => "Sync",
        "LeaveGroup" => "Leave",
        "OffsetCommit" => "Commit",
        "OffsetFetch" => "OffFetch",
        "FindCoordinator" => "FindCo",
        "ListOffsets" => "ListOff",
        "InitProducerId" => "InitPid",
        "AddPartitionsToTxn" => "AddPart",
        "AddOffsetsToTxn" => "AddOff",
        "TxnOffsetCommit" => "TxnCommit",
        "WriteTxnMarkers" => "Markers",
        "SendMessage" => "Send",
        "PullMessage" => "Pull",
        "RegisterBroker" => "Reg",
        "UpdateConsumerOffset" => "UpdOffset",
        "QueryConsumerOffset" => "QryOffset",
        "GetAllConsumerOffset" => "AllOffsets",
        "GetConsumerListByGroup" => "Members",
        "NotifyConsumerIdsChanged" => "Notify",
        "GetMaxOffset" => "MaxOff",
        _ => base,
    };
    let initials: String = base.chars().filter(|c| c.is_ascii_uppercase()).collect();
    let mut out: Vec<String> = Vec::new();
    let full = short_kind(kind).chars().count();
    for form in [short, initials.as_str()] {
        let text = format!("{form}{resp}");
        let shorter = out.last().map_or(full, |t: &String| t.chars().count());
        if !form.is_empty() && text.chars().count() < shorter {
            out.push(text);
        }
    }
    out
}

/// Thousands separators for large counts.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
