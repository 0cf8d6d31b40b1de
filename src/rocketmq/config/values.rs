//! The types settings hold, parsed from and written as strings the way `broker.conf` writes
//! them, and RocketMQ's enums under their Java constant names.

use crate::rocketmq::allocate::AllocateStrategy;

/// A value a setting can hold.
pub trait SettingValue: Sized {
    /// What is accepted, in words (listed in errors).
    const ACCEPTED: &'static str;
    fn parse_setting(s: &str) -> Option<Self>;
    fn render(&self) -> String;
    /// The number, for range checks.
    fn as_i64(&self) -> Option<i64> {
        None
    }
}

impl SettingValue for bool {
    const ACCEPTED: &'static str = "true or false";
    fn parse_setting(s: &str) -> Option<bool> {
        match s {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }
    fn render(&self) -> String {
        self.to_string()
    }
}

/// Java `int`.
impl SettingValue for i32 {
    const ACCEPTED: &'static str = "an integer (Java int)";
    fn parse_setting(s: &str) -> Option<i32> {
        s.parse().ok()
    }
    fn render(&self) -> String {
        self.to_string()
    }
    fn as_i64(&self) -> Option<i64> {
        Some(*self as i64)
    }
}

/// Java `long`.
impl SettingValue for i64 {
    const ACCEPTED: &'static str = "an integer (Java long)";
    fn parse_setting(s: &str) -> Option<i64> {
        s.parse().ok()
    }
    fn render(&self) -> String {
        self.to_string()
    }
    fn as_i64(&self) -> Option<i64> {
        Some(*self)
    }
}

/// A name (broker name, cluster name): any non-empty text.
impl SettingValue for String {
    const ACCEPTED: &'static str = "a non-empty name";
    fn parse_setting(s: &str) -> Option<String> {
        (!s.is_empty()).then(|| s.to_string())
    }
    fn render(&self) -> String {
        self.clone()
    }
}

impl SettingValue for AllocateStrategy {
    const ACCEPTED: &'static str = "AVG or AVG_BY_CIRCLE";
    fn parse_setting(s: &str) -> Option<AllocateStrategy> {
        s.parse().ok()
    }
    fn render(&self) -> String {
        self.rocketmq_name().to_string()
    }
}

/// A Java enum: its constants, in declaration order, and their names.
macro_rules! java_enum {
    ($(#[$meta:meta])* $name:ident, $accepted:literal { $($(#[$vmeta:meta])* $variant:ident = $java:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The Java constant's name.
            pub fn java_name(self) -> &'static str {
                match self {
                    $($name::$variant => $java,)*
                }
            }
        }

        impl SettingValue for $name {
            const ACCEPTED: &'static str = $accepted;
            fn parse_setting(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.java_name() == s)
            }
            fn render(&self) -> String {
                self.java_name().to_string()
            }
        }
    };
}

java_enum! {
    /// `S/config/BrokerRole.java`.
    BrokerRole, "ASYNC_MASTER, SYNC_MASTER or SLAVE" {
        /// Acknowledges once stored locally; the slave copies later.
        AsyncMaster = "ASYNC_MASTER",
        /// Waits for the slave (4.x; in 5.x only when inSyncReplicas > 1).
        SyncMaster = "SYNC_MASTER",
        /// Copies the master; never takes writes in classic mode.
        Slave = "SLAVE",
    }
}

impl BrokerRole {
    pub fn is_master(self) -> bool {
        self != BrokerRole::Slave
    }
}

java_enum! {
    /// `S/config/FlushDiskType.java`.
    FlushDiskType, "ASYNC_FLUSH or SYNC_FLUSH" {
        AsyncFlush = "ASYNC_FLUSH",
        SyncFlush = "SYNC_FLUSH",
    }
}

java_enum! {
    /// `R/protocol/heartbeat/MessageModel.java` (5.x; `CM/protocol/heartbeat/` in 4.9.x).
    MessageModel, "CLUSTERING or BROADCASTING" {
        Broadcasting = "BROADCASTING",
        Clustering = "CLUSTERING",
    }
}

java_enum! {
    /// `CM/consumer/ConsumeFromWhere.java` (the deprecated constants are left out).
    ConsumeFromWhere, "CONSUME_FROM_LAST_OFFSET, CONSUME_FROM_FIRST_OFFSET or CONSUME_FROM_TIMESTAMP" {
        ConsumeFromLastOffset = "CONSUME_FROM_LAST_OFFSET",
        ConsumeFromFirstOffset = "CONSUME_FROM_FIRST_OFFSET",
        ConsumeFromTimestamp = "CONSUME_FROM_TIMESTAMP",
    }
}
