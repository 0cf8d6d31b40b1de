//! `settings!`: one table per config struct gives its fields, RocketMQ names, defaults (which
//! may depend on the version), release lines, kinds, minimums and upstream files; the macro
//! writes the struct, `defaults`, `set`, `get` and the [`SettingInfo`](super::SettingInfo)
//! table from it, so the four cannot drift apart.

macro_rules! settings {
    (
        $(#[$meta:meta])*
        $component:literal, $name:ident ($ver:ident) {
            $(
                $(#[doc = $doc:literal])*
                $field:ident : $ty:ty = $default:expr,
                    $java:literal, $lines:ident, $kind:ident, min $min:expr, $src:literal;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            /// The release line whose defaults and settings apply.
            pub version: $crate::rocketmq::config::Version,
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl $name {
            /// Every setting, in table order (including those of the other release line).
            pub const SETTINGS: &'static [$crate::rocketmq::config::SettingInfo] = &[
                $( $crate::rocketmq::config::SettingInfo {
                    name: $java,
                    lines: $crate::rocketmq::config::Lines::$lines,
                    kind: $crate::rocketmq::config::Kind::$kind,
                    min: $min,
                    source: $src,
                    accepted: <$ty as $crate::rocketmq::config::SettingValue>::ACCEPTED,
                    doc: concat!($($doc),*),
                }, )*
            ];

            /// RocketMQ's defaults in release line `version`.
            pub fn defaults($ver: $crate::rocketmq::config::Version) -> $name {
                $name { version: $ver, $( $field: $default, )* }
            }

            /// Sets a setting by its RocketMQ name from text (`"SYNC_MASTER"`, `"500"`).
            pub fn set(&mut self, name: &str, value: &str) -> Result<(), $crate::rocketmq::config::ConfigError> {
                let info = $crate::rocketmq::config::find_setting(Self::SETTINGS, $component, name, self.version)?;
                $( if info.name == $java {
                    self.$field = $crate::rocketmq::config::parse_value::<$ty>(info, value)?;
                } )*
                Ok(())
            }

            /// A setting's value as text, by its RocketMQ name.
            pub fn get(&self, name: &str) -> Result<String, $crate::rocketmq::config::ConfigError> {
                let info = $crate::rocketmq::config::find_setting(Self::SETTINGS, $component, name, self.version)?;
                $( if info.name == $java {
                    return Ok($crate::rocketmq::config::SettingValue::render(&self.$field));
                } )*
                unreachable!("every table entry is a field")
            }

            /// `(name, value)` for every setting of this release line, in table order.
            pub fn entries(&self) -> Vec<(&'static str, String)> {
                let mut out = Vec::new();
                $( if $crate::rocketmq::config::Lines::$lines.includes(self.version) {
                    out.push(($java, $crate::rocketmq::config::SettingValue::render(&self.$field)));
                } )*
                out
            }
        }
    };
}
