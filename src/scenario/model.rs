//! The scenario's `model` field: which broker model a run is of.
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A broker model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Model {
    #[default]
    Kafka,
    RocketMq,
}

/// Every name the field accepts, runnable or not (for the error).
const NAMES: &[&str] = &["kafka", "rocketmq"];

impl Model {
    pub fn name(self) -> &'static str {
        match self {
            Model::Kafka => "kafka",
            Model::RocketMq => "rocketmq",
        }
    }

    /// The model of `name`, or why it cannot run.
    pub fn from_name(name: &str) -> Result<Model, String> {
        match name {
            "kafka" => Ok(Model::Kafka),
            "rocketmq" => Ok(Model::RocketMq),
            other => Err(format!("unknown model `{other}`, expected one of {}", NAMES.join(", "))),
        }
    }

    /// Files without the field are Kafka scenarios, and are written back without it.
    pub fn is_default(&self) -> bool {
        *self == Model::default()
    }
}

impl Serialize for Model {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Model {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Model::from_name(&name).map_err(serde::de::Error::custom)
    }
}
