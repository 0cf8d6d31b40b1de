//! Every string of the UI, in English and Simplified Chinese. Chinese terms follow the
//! project glossary (`lessons.md`): 主题, 分区, 副本, 首领副本 (leader), 追随者副本
//! (follower), 同步副本集合 (ISR), 高水位 (HW), 日志末端位移 (LEO), 消费者组, 已提交位移,
//! 再均衡 (rebalance), 代 (generation), 确认机制 (acks), 消费延迟 (lag). Kafka's own names
//! (config keys, message kinds, error codes) are never translated.
//!
//! A key is an enum variant, so a missing translation is a compile error, not a blank.

pub use crate::lang::Lang;

macro_rules! texts {
    ($($key:ident => $en:expr, $zh:expr;)*) => {
        /// A UI string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum K { $($key),* }
        impl K {
            pub fn en(self) -> &'static str { match self { $(K::$key => $en),* } }
            pub fn zh(self) -> &'static str { match self { $(K::$key => $zh),* } }
            /// Every key (for the completeness test).
            pub const ALL: &'static [K] = &[$(K::$key),*];
        }
    };
}

/// The text of `key` in `lang`.
pub fn t(lang: Lang, key: K) -> &'static str {
    match lang {
        Lang::En => key.en(),
        Lang::Zh => key.zh(),
    }
}

/// `t` with `{0}`, `{1}`, ... replaced by `args`.
pub fn tf(lang: Lang, key: K, args: &[&dyn std::fmt::Display]) -> String {
    let mut s = t(lang, key).to_string();
    for (i, a) in args.iter().enumerate() {
        s = s.replace(&format!("{{{i}}}"), &a.to_string());
    }
    s
}

texts! {
    AppTagline => "Kafka and RocketMQ clusters you can break, step by step", "可以一步步拆解的 Kafka 与 RocketMQ 集群";
    Scenarios => "Scenarios", "场景";
    OpenScenario => "Open", "打开";
    StartTitle => "Pick a lesson", "选择一节课";
    StartIntro => "Each lesson runs a small simulated Kafka or RocketMQ cluster. Press Play (or Space) to watch it, click a broker to break it, and step back (←) to see what happened before.", "每节课运行一个小型模拟 Kafka 或 RocketMQ 集群。按「播放」（或空格键）观看运行，点击 Broker 制造故障，按 ← 后退查看之前发生了什么。";
    FeaturedLessons => "Start here", "从这里开始";
    MoreScenarios => "More scenarios", "更多场景";
    LargeClusters => "Large clusters", "大规模集群";
    ProducerLessons => "Producers: acks, retries, idempotence", "生产者：acks、重试与幂等";
    TxnLessons => "Transactions and exactly-once", "事务与精确一次";
    ImportFile => "Import a scenario file…", "导入场景文件…";
    Share => "Share", "分享";
    LinkCopied => "Link copied to the clipboard.", "链接已复制到剪贴板。";
    LinkReady => "Copy this link:", "复制此链接：";
    Export => "Export", "导出";
    Import => "Import", "导入";
    Language => "Language", "语言";
    ThemeLight => "Light", "浅色";
    ThemeDark => "Dark", "深色";
    Theme => "Theme", "主题配色";
    LagFromPosition => "○ nothing committed yet: lag from the position of the member that owns the partition", "○ 尚未提交位点：按拥有该分区的成员的消费位置计算的滞后";
    StepBeyondEnd => "The link asks for step {0}, but the run ends at step {1}: opened at its last step.", "链接要求第 {0} 步，但这次运行在第 {1} 步结束：已打开最后一步。";
    StaleGeneration => "zombie", "僵尸";
    StaleGenerationHint => "Its group has moved to a newer generation without it: a zombie. Its commits will be refused and what it processes is processed twice.", "它所在的消费组已进入更新的代际而没有它：僵尸成员。它的提交会被拒绝，它处理的消息会被重复处理。";
    RealTime => "sim time", "模拟时间";
    OffScript => "Off script", "已偏离脚本";
    OffScriptHint => "You changed this run: the lesson's narration stops, and the engine's own events are narrated instead", "你改变了这次运行：课程旁白停止，改为讲述引擎自身的事件";
    Presenter => "Presenter", "演示模式";
    PresenterHint => "Presenter mode: large type, high contrast, secondary panels hidden", "演示模式：大字号、高对比度、隐藏次要面板";
    Play => "Play", "播放";
    SpaceKey => "Space", "空格";
    AppNav => "App", "应用";
    Pause => "Pause", "暂停";
    StepForward => "Step", "单步";
    StepBack => "Back", "后退";
    PrevMarker => "Previous marker", "上一个标记";
    NextMarker => "Next marker", "下一个标记";
    Speed => "Speed", "速度";
    StepsPerSecond => "steps/s", "步/秒";
    Step => "Step", "步骤";
    SimTime => "Sim time", "模拟时间";
    Of => "of", "/";
    Computing => "computing…", "计算中…";
    EndOfRun => "End of the run.", "运行结束。";
    StoppedShort => "Stopped: a livelock.", "已停止：活锁。";
    StoppedLivelock => "Stopped at step {0} (t = {1}): {2} steps at one simulated instant — a livelock; the run ends here, before its duration, and has no verdict.", "在第 {0} 步停止（t = {1}）：同一模拟时刻执行了 {2} 步——活锁；运行到此结束，未到设定时长，没有结论。";
    StoppedNoVerdict => "No verdict: the run stopped at step {0} (a livelock), so the checker never saw its end.", "没有结论：运行在第 {0} 步停止（活锁），检查器没有看到运行的结尾。";
    StoppedTag => "stopped", "已停止";
    CutMemory => "Run cut at step {0}: memory budget. The page holds {1} MiB (its budget is {2} MiB), so the steps after this one are not computed and the run has no verdict. Step back, or act at an earlier step, to explore what is kept.", "运行在第 {0} 步截断：内存预算。页面已占用 {1} MiB（预算为 {2} MiB），因此之后的步骤不再计算，本次运行没有结论。可以后退，或在更早的步骤上操作，查看已保留的部分。";
    CutTag => "cut: memory budget", "已截断：内存预算";
    NotReopened => "The page ran out of memory on its last visit, so the run in the link was not opened again. Pick a lesson, or open a smaller scenario.", "上次访问时页面内存不足，因此没有再次打开链接中的运行。请选择一个课程，或打开规模更小的场景。";
    HistoryThinned => "History thinned to stay within the page's memory budget ({0} MiB): every step is still there, but a seek far from the cursor replays up to {1} steps.", "为不超出页面内存预算（{0} MiB），历史检查点已变稀疏：每一步仍然保留，但远离当前位置的跳转最多需要重放 {1} 步。";
    KeysHint => "Space play/pause · ←/→ step · Shift+←/→ jump between markers · Home/End first/last step · ? help · Esc close", "空格 播放/暂停 · ←/→ 单步 · Shift+←/→ 在标记间跳转 · Home/End 首/末步 · ? 帮助 · Esc 关闭";
    HowTo1 => "Press ▶ Play or → to run the cluster", "按 ▶ 播放 或 → 运行集群";
    HowTo2 => "Click a broker, producer or consumer to break it", "点击 Broker、生产者或消费者来制造故障";
    HowTo3 => "Press ← to step back: acting in the past starts a new branch", "按 ← 后退：在过去的步骤操作会开启新的分支";
    Dismiss => "Dismiss", "关闭";
    Timeline => "Timeline", "时间线";
    Markers => "Markers", "标记";
    Narration => "Narration", "旁白";
    // Cluster picture
    Broker => "Broker", "Broker";
    Brokers => "Brokers", "Broker";
    Producers => "Producers", "生产者";
    ProducerOne => "Producer", "生产者";
    ConsumerOne => "Consumer", "消费者";
    ReaderOne => "Reader", "读取者";
    Consumers => "Consumers", "消费者";
    Readers => "Readers", "读取者";
    ConsumerGroup => "Consumer group", "消费者组";
    StatusUp => "up", "运行中";
    StatusCrashed => "crashed", "已宕机";
    StatusPoweredOff => "powered off", "已断电";
    StatusFenced => "fenced", "已隔离 (fenced)";
    Controller => "controller", "控制器";
    ControllerLong => "Active controller (KRaft)", "活跃控制器 (KRaft)";
    Coordinator => "coordinator", "组协调器";
    CoordinatorLong => "Group coordinator of", "组协调器，负责";
    Leader => "leader", "首领";
    Follower => "follower", "追随者";
    InIsr => "ISR", "ISR";
    NotInIsr => "not in ISR", "不在 ISR";
    InIsrLong => "In the in-sync replicas (ISR)", "属于同步副本集合 (ISR)";
    NotInIsrLong => "Out of the in-sync replicas (ISR)", "不在同步副本集合 (ISR) 中";
    Epoch => "epoch", "纪元";
    ProducerIdEpochHint => "producer id · epoch", "生产者 ID（PID）· 纪元（epoch）";
    EpochLong => "Leader epoch", "leader 纪元 (leader epoch)";
    EmptyLog => "empty log", "空日志";
    Hw => "HW", "HW";
    Leo => "LEO", "LEO";
    HwLong => "High watermark: records below it are committed", "高水位 (HW)：低于它的消息已提交";
    LeoLong => "Log end offset: where the next record goes", "日志末端位移 (LEO)：下一条消息的位置";
    Truncated => "truncated", "已截断";
    Lso => "LSO", "LSO";
    LogStartOffset => "log start offset (older records deleted by retention)", "日志起始位移（更早的消息已被保留策略删除）";
    LsoLong => "Last stable offset: read_committed readers stop here (the first offset of an open transaction)", "最后稳定位移 (LSO)：read_committed 的读取停在这里（未结束事务的第一个位移）";
    TxnOpen => "open transaction", "事务进行中";
    TxnCommitted => "committed transaction", "事务已提交";
    TxnAborted => "aborted transaction", "事务已中止";
    CommitMarker => "COMMIT marker", "COMMIT 标记";
    AbortMarker => "ABORT marker", "ABORT 标记";
    TxnCoordinator => "txn", "事务";
    TxnCoordinatorLong => "Transaction coordinator of", "事务协调者，负责";
    TxnVersion => "TV1", "TV1";
    TxnVersionLong => "Transaction version 1, Kafka's classic protocol: only InitProducerId bumps the epoch. Kafka 4.x defaults to version 2 (KIP-890: an epoch bump at every commit or abort), which Highwater does not simulate.", "事务协议版本 1（Kafka 的经典协议）：只有 InitProducerId 会提升 epoch。Kafka 4.x 默认使用版本 2（KIP-890：每次提交或中止都提升 epoch），Highwater 没有模拟它。";
    Transaction => "Transaction", "事务";
    BeginTxn => "Begin transaction", "开始事务";
    BeginTxnHint => "beginTransaction(): the records sent next belong to it", "beginTransaction()：之后发送的消息都属于这个事务";
    CommitTxn => "Commit transaction", "提交事务";
    CommitTxnHint => "commitTransaction(): EndTxn(COMMIT), then COMMIT markers in every partition", "commitTransaction()：EndTxn(COMMIT)，然后在每个分区写入 COMMIT 标记";
    AbortTxn => "Abort transaction", "中止事务";
    AbortTxnHint => "abortTransaction(): EndTxn(ABORT), then ABORT markers; the records stay, marked aborted", "abortTransaction()：EndTxn(ABORT)，然后写入 ABORT 标记；消息仍在日志中，被标记为中止";
    ProducerCrashHint => "The process dies: unsent records and its transaction state are gone", "进程崩溃：未发送的消息和事务状态全部丢失";
    ProducerRestartHint => "A transactional producer calls initTransactions() again: a new epoch fences the old one", "事务生产者重新调用 initTransactions()：新的 epoch 隔离旧的生产者";
    Fenced => "fenced", "已被隔离 (fenced)";
    FencedLong => "A newer producer with the same transactional.id (or a timeout) fenced this one: every call now fails", "同一 transactional.id 的新生产者（或事务超时）隔离了它：之后的每次调用都会失败";
    BlockingCall => "Blocking call in progress", "阻塞中的调用";
    CoordinatorState => "State at the transaction coordinator", "事务协调者记录的状态";
    TxnPartitions => "Partitions in the transaction", "事务中的分区";
    WritesTo => "writes to", "写入";
    PipelineLong => "Consume-transform-produce: every processed record is written to this topic", "消费-转换-生产：每条处理过的消息都写入这个主题";
    IsolationLong => "isolation.level: what a fetch may return of transactional data", "isolation.level：拉取时能读到哪些事务数据";
    Slow => "slow", "慢";
    InternalTopic => "internal topic", "内部主题";
    ShowInternal => "show", "展开";
    HideInternal => "hide", "收起";
    Actions => "Actions", "操作";
    Offset => "offset", "位移";
    Record => "record", "消息";
    Key => "key", "键";
    Committed => "committed", "已提交";
    NotCommitted => "not yet committed", "尚未提交";
    Position => "position", "消费位置";
    CommittedOffset => "committed offset", "已提交位移";
    Lag => "lag", "消费延迟";
    Acked => "acked", "已确认";
    Failed => "failed", "失败";
    Pending => "pending", "待确认";
    Read => "read", "已读";
    Processed => "processed", "已处理";
    Generation => "generation", "代";
    Member => "member", "成员";
    Members => "members", "成员";
    NoMembers => "no members", "没有成员";
    Idle => "idle", "空闲";
    Idempotent => "idempotent", "幂等";
    ConsumerRunning => "running", "运行中";
    ConsumerCrashed => "crashed", "已宕机";
    ConsumerClosed => "closed", "已关闭";
    ConsumerFailed => "failed", "失败";
    ConsumerFrozen => "frozen (GC pause)", "停顿 (GC)";
    ConsumerSlow => "slow processing", "处理缓慢";
    JoinNone => "not in group", "未加入组";
    JoinJoining => "joining", "加入中";
    JoinSyncing => "syncing", "同步中";
    JoinMember => "member", "成员";
    InFlight => "in flight", "传输中";
    MoreMessages => "more not drawn", "条未绘制";
    Dropped => "dropped", "被丢弃";
    Arrived => "arrived", "已送达";
    Legend => "Legend", "图例";
    LegendCommitted => "committed (below HW)", "已提交（低于 HW）";
    LegendUncommitted => "not yet committed", "尚未提交";
    LegendTruncated => "truncated", "已截断";
    LegendEpoch => "leader epoch of the records", "消息的 leader 纪元";
    LegendPosition => "consumer position", "消费者位置";
    LegendCommittedOffset => "group's committed offset", "组的已提交位移";
    LegendRequest => "request", "请求";
    LegendResponse => "response", "响应";
    LegendDrop => "dropped message", "被丢弃的消息";
    LegendCut => "cut link (click to heal)", "断开的链路（点击恢复）";
    LegendTxnOpen => "record of an open transaction", "未结束事务中的消息";
    LegendAborted => "record of an aborted transaction", "已中止事务中的消息";
    LegendCommitMarker => "COMMIT marker (control record)", "COMMIT 标记（控制消息）";
    LegendAbortMarker => "ABORT marker (control record)", "ABORT 标记（控制消息）";
    LegendTxnRpc => "transaction request", "事务请求";
    // Action menus
    Crash => "Crash", "宕机";
    CrashHint => "The process dies; the disk keeps everything", "进程崩溃；磁盘数据保留";
    PowerLoss => "Power loss", "断电";
    PowerLossHint => "The host goes dark: unflushed data is lost", "主机断电：未刷盘的数据丢失";
    Restart => "Restart", "重启";
    Isolate => "Isolate", "网络隔离";
    IsolateHint => "Cut every link of this node", "断开该节点的所有链路";
    MakeSlow => "Slow down", "变慢";
    MakeSlowHint => "Add latency to everything it sends and receives (ms)", "为其收发的所有消息增加延迟（毫秒）";
    Unslow => "Normal speed", "恢复速度";
    CutLinkTo => "Cut link to", "断开链路到";
    HealLinkTo => "Heal link to", "恢复链路到";
    HealAll => "Heal all links", "恢复所有链路";
    Cut => "Cut", "断开";
    Heal => "Heal", "恢复";
    Link => "Link", "链路";
    LinkCutBoth => "cut both ways", "双向断开";
    LinkCutOneWay => "cut one way", "单向断开";
    Send => "Send", "发送";
    SendRecords => "Send records", "发送消息";
    Records => "records", "条消息";
    WithKey => "key (optional)", "键（可选）";
    ChangeAcks => "Change acks", "修改 acks";
    Topic => "topic", "主题";
    Pause2 => "Pause", "暂停";
    PauseGc => "Pause (GC, freezes heartbeats)", "暂停（GC，心跳也停止）";
    PauseSlow => "Slow processing (heartbeats go on)", "处理变慢（心跳继续）";
    Ms => "ms", "毫秒";
    Resume => "Resume", "恢复";
    Close => "Close (leave group)", "关闭（离开组）";
    AddConsumer => "Add a consumer to this group", "向该组添加消费者";
    AddPartitions => "Add partitions", "增加分区";
    AddPartitionsTo => "Grow to", "增加到";
    Partitions => "partitions", "个分区";
    BranchedAt => "Branched at step {0}: the old future was discarded.", "在第 {0} 步创建了新分支：原来的后续已丢弃。";
    Applied => "Applied at step {0}.", "已在第 {0} 步执行。";
    RestartedRun => "The run was rebuilt with the change and returned to step {0}.", "已按修改重建运行，并回到第 {0} 步。";
    // Inspector
    Message => "Message", "消息";
    Kind => "kind", "类型";
    From => "from", "从";
    To => "to", "到";
    SentAt => "sent at", "发送于";
    ArrivesAt => "arrives at", "到达于";
    Payload => "Payload", "内容";
    Gone => "This message is no longer on the wire at this step.", "该消息在此步骤已不在网络上。";
    // Panels
    Events => "Events", "事件";
    Anomalies => "Anomalies", "异常";
    PartitionsTab => "Partitions", "分区";
    LagTab => "Consumer lag", "消费延迟";
    Settings => "Settings", "设置";
    Filter => "Filter", "筛选";
    FilterPlaceholder => "text, e.g. leader or broker 2", "文本，例如 leader 或 broker 2";
    NotableOnly => "state changes only", "仅状态变化";
    Messages => "messages", "消息";
    Drops => "drops", "丢弃";
    Timers => "timers", "定时器";
    UserActions => "actions", "操作";
    NoEvents => "No matching events.", "没有匹配的事件。";
    JumpTo => "Jump to step", "跳转到步骤";
    NoAnomalies => "No anomaly so far: every guarantee holds at this step.", "目前没有异常：此步骤所有保证均成立。";
    LaterAnomalies => "Later in this run", "本次运行稍后出现";
    BecameVisible => "visible from step", "自该步骤可见";
    Notice => "notice", "提示";
    Partition => "Partition", "分区";
    Replicas => "Replicas", "副本";
    Offline => "offline", "离线";
    UnderReplicated => "under-replicated", "副本不足";
    Group => "Group", "消费者组";
    ShowMore => "Show more", "显示更多";
    ShowingOf => "showing {0} of {1}", "显示 {0} / {1}";
    LagEmpty => "No consumer group has committed an offset yet.", "还没有消费者组提交位移。";
    LagNoGroups => "This scenario has no consumer groups.", "此场景没有消费者组。";
    LagCaption => "Lag = high watermark − committed offset (where nothing is committed yet, − the owning member's position), summed over the group's partitions", "消费延迟 = 高水位 − 已提交位移（尚未提交时，减去拥有该分区的成员的消费位置），按组内分区求和";
    Now => "now", "当前";
    // Settings
    SettingsIntro => "Kafka's names and defaults. acks applies from the current step; the others rebuild the run with the new value and return to this step.", "使用 Kafka 的配置名与默认值。acks 从当前步骤起生效；其他配置会以新值重建运行并回到当前步骤。";
    Default => "default", "默认值";
    BrokersValue => "broker's", "同 broker 设置";
    Current => "current", "当前值";
    Apply => "Apply", "应用";
    AppliesNow => "from this step", "从此步骤起";
    AppliesRebuild => "rebuilds the run", "重建运行";
    BrokerSettings => "Brokers", "Broker";
    TopicSettings => "Topic", "主题";
    ProducerSettings => "Producer", "生产者";
    ConsumerSettings => "Consumer", "消费者";
    NetworkSettings => "Network", "网络";
    ReaderSettings => "Reader", "读取者";
    PipelineSettings => "Pipeline producer (transform)", "管道中的生产者 (transform)";
    // Errors
    ErrLink => "This link cannot be opened", "无法打开此链接";
    ErrImport => "Could not import \"{0}\"", "无法导入「{0}」";
    ErrAction => "Could not do that", "无法执行该操作";
    ErrSetting => "Bad value for {0}", "{0} 的值无效";
    SimUnchanged => "The current simulation is unchanged.", "当前模拟保持不变。";
    ErrFile => "Could not read the file", "无法读取文件";
    Summary => "Summary", "概要";
    LargeClusterNote => "Large cluster: brokers and topics are summarised. Click a broker to expand it.", "大规模集群：Broker 和主题以概要显示。点击 Broker 展开。";
    LeadersShort => "leaders", "首领";
    ReplicasShort => "replicas", "副本";
    OutOfIsrShort => "out of ISR", "不在 ISR";
    Expand => "Expand", "展开";
    Collapse => "Collapse", "收起";
    Topics => "Topics", "主题";
    PageOf => "page {0} of {1}", "第 {0} / {1} 页";
    Prev => "Previous", "上一页";
    Next => "Next", "下一页";
    BackToScenarios => "All scenarios", "所有场景";
    Help => "How to use", "使用说明";
    // RocketMQ (RocketMQ's own names, e.g. CommitLog, ConsumeQueue, brokerId, are never translated)
    RocketMqLessons => "RocketMQ: master and slave, consumer progress, long polling", "RocketMQ：主从、消费进度与长轮询";
    RocketMqShelfNote => "The second broker model: broker groups of a master (brokerId 0) and its slaves, push consumers built on pull, consumer offsets kept at the broker.", "第二种 Broker 模型：由 master（brokerId 0）和 slave 组成的 Broker 组、基于拉取实现的推模式消费者、保存在 Broker 上的消费进度。";
    NoFailover => "classic master/slave: no automatic failover", "经典主从模式：没有自动主从切换";
    GroupWritable => "takes new messages", "可写入新消息";
    GroupNoMaster => "no master: takes no new messages", "没有 master：不接收新消息";
    BrokerGroups => "Broker groups", "Broker 组";
    NameServer => "Name server", "NameServer（名字服务）";
    Registered => "registered", "已注册";
    FlushedAt => "flushed", "已刷盘";
    MaxOffset => "max offset", "最大偏移";
    MessagesN => "messages", "条消息";
    NoMessagesYet => "no messages yet", "还没有消息";
    SlaveAcked => "slave acked", "slave 已确认";
    ItsMaster => "its master", "所属 master";
    NoMasterKnown => "no master known: offsets are not synced", "不知道 master：不同步消费进度";
    HeldPulls => "held pulls", "挂起的拉取请求";
    NoHeldPulls => "none held", "无";
    HeldLong => "Pulls parked in PullRequestHoldService until a message arrives or the hold runs out", "在 PullRequestHoldService 中挂起的拉取请求：新消息到达或挂起超时才返回";
    OffsetTable => "group, queue", "消费组、队列";
    InMemory => "in memory", "内存中";
    BrokerDown => "— (broker down: memory lost)", "—（Broker 已停止：内存数据丢失）";
    LegendFlushed => "CommitLog entry on disk (flushed)", "已刷盘的 CommitLog 条目";
    TimerBrokerSession => "the controller fences the broker when it runs out (no heartbeat in time)", "耗尽时控制器隔离该 broker（没有按时心跳）";
    TimerReplicaLag => "the leader removes this follower from the ISR when it runs out (not caught up in time)", "耗尽时 leader 把该追随者移出 ISR（没有按时追上）";
    TimerMemberSession => "the group coordinator removes the member and rebalances when it runs out (no heartbeat in time)", "耗尽时组协调器移除该成员并再均衡（没有按时心跳）";
    TimerMaxPoll => "the consumer leaves its group when it runs out (no poll() in time)", "耗尽时消费者离开消费者组（没有按时调用 poll()）";
    LegendUnflushed => "bar: in the page cache only (not flushed): lost if every copy loses power", "横条：仅在页缓存中（未刷盘）：所有副本都断电就会丢失";
    PageCacheOnly => "page cache only, not flushed to disk", "仅在页缓存中，未刷盘";
    LegendDirty => "in the page cache only (not yet flushed): lost on power loss", "仅在页缓存中（未刷盘）：断电会丢失";
    LegendHeld => "pull held at the broker (countdown)", "挂起在 Broker 上的拉取（倒计时）";
    LegendPullsFrom => "broker the consumer pulls from", "消费者当前拉取的 Broker";
    PullsFrom => "pulls from", "拉取自";
    NextOffset => "next offset", "下次拉取偏移";
    OffsetStore => "offset store", "客户端进度";
    Consumed => "consumed", "已消费";
    NoQueues => "no queues assigned", "未分配队列";
    Stored => "stored", "已存储";
    Sent => "sent", "已发送";
    SendMessages => "Send messages", "发送消息";
    SendModeHint => "sync waits for the result, async gets a callback, oneway gets no answer", "同步等待结果，异步通过回调，单向不等待应答";
    DiskStall => "Stall the disk", "磁盘停顿";
    DiskStallHint => "No flush completes for this long (ms)", "在这段时间（毫秒）内无法完成刷盘";
    ConsumerFail => "Fail the next batches", "接下来的批次消费失败";
    ConsumerFailHint => "The listener returns RECONSUME_LATER for this many batches", "监听器对这些批次返回 RECONSUME_LATER";
    Batches => "batches", "批";
    ConsumerCrashHint => "The process dies: its ProcessQueue and unreported offsets are gone", "进程崩溃：ProcessQueue 和尚未上报的消费进度全部丢失";
}
