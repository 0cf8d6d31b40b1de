//! Checking a parsed scenario: every semantic rule, each error naming the path of its
//! field. The timeline's entries are checked by the model's resolver, as the UI's
//! commands are.
use super::{
    parse_broker_ref, semantic, Model, Scenario, ScenarioError, MAX_BROKERS, MAX_CLIENTS, MAX_DURATION_MS,
    MAX_PARTITIONS_TOTAL,
};

impl Scenario {
    pub(super) fn validate(&self) -> Result<(), ScenarioError> {
        self.validate_cluster()?;
        self.validate_topics()?;
        let mut names = self.validate_clients()?;
        for (i, c) in self.consumers.iter().enumerate() {
            self.validate_consumer(i, c, &mut names)?;
        }
        self.validate_timeline()?;
        if let Some(exp) = &self.expect {
            check_expectation(exp)?;
        }
        Ok(())
    }

    fn validate_cluster(&self) -> Result<(), ScenarioError> {
        let c = &self.cluster;
        if c.brokers == 0 || c.brokers > MAX_BROKERS {
            return Err(semantic("cluster.brokers", format!("must be between 1 and {MAX_BROKERS}, got {}", c.brokers)));
        }
        if self.duration_ms == 0 || self.duration_ms > MAX_DURATION_MS {
            return Err(semantic("duration_ms", format!("must be between 1 and {MAX_DURATION_MS}")));
        }
        if let Some(v) = &c.controller_voters {
            if v.is_empty() {
                return Err(semantic("cluster.controller_voters", "needs at least one broker"));
            }
            for (i, b) in v.iter().enumerate() {
                if v[..i].contains(b) {
                    return Err(semantic(
                        format!("cluster.controller_voters[{i}]"),
                        format!("broker {b} is listed twice"),
                    ));
                }
                if *b == 0 || *b > c.brokers {
                    return Err(semantic(
                        format!("cluster.controller_voters[{i}]"),
                        format!("no broker {b} (brokers are 1..={})", c.brokers),
                    ));
                }
            }
        }
        let cfg = &c.config;
        cfg.validate().map_err(|(key, m)| semantic(format!("cluster.config.{key}"), m))?;
        if self.network.drop.denominator == 0 {
            return Err(semantic("network.drop.denominator", "must not be 0"));
        }
        Ok(())
    }

    fn validate_topics(&self) -> Result<(), ScenarioError> {
        if self.topics.is_empty() {
            return Err(semantic("topics", "needs at least one topic"));
        }
        let mut total: u32 = 0;
        for (i, t) in self.topics.iter().enumerate() {
            let p = format!("topics[{i}]");
            if t.name.is_empty() {
                return Err(semantic(format!("{p}.name"), "must not be empty"));
            }
            if t.name.starts_with("__") {
                return Err(semantic(format!("{p}.name"), "names starting with __ are Kafka's internal topics"));
            }
            if self.topics[..i].iter().any(|o| o.name == t.name) {
                return Err(semantic(format!("{p}.name"), format!("topic \"{}\" is defined twice", t.name)));
            }
            if t.partitions == 0 {
                return Err(semantic(format!("{p}.partitions"), "must be at least 1"));
            }
            // Checked: a sum past u32 must not wrap around below the limit.
            total = total.saturating_add(t.partitions);
            if total > MAX_PARTITIONS_TOTAL {
                return Err(semantic(
                    format!("{p}.partitions"),
                    format!("at most {MAX_PARTITIONS_TOTAL} partitions in all topics together"),
                ));
            }
            if t.replication_factor == 0 || t.replication_factor > self.cluster.brokers {
                return Err(semantic(
                    format!("{p}.replication_factor"),
                    format!(
                        "must be between 1 and the number of brokers ({}), got {}",
                        self.cluster.brokers, t.replication_factor
                    ),
                ));
            }
            t.config.validate().map_err(|(key, m)| semantic(format!("{p}.config.{key}"), m))?;
            if let Some(a) = &t.assignment {
                if a.len() != t.partitions as usize {
                    return Err(semantic(
                        format!("{p}.assignment"),
                        format!("needs one replica list per partition ({})", t.partitions),
                    ));
                }
                for (j, replicas) in a.iter().enumerate() {
                    if replicas.len() != t.replication_factor as usize {
                        return Err(semantic(format!("{p}.assignment[{j}]"), "needs replication_factor brokers"));
                    }
                    for (k, b) in replicas.iter().enumerate() {
                        if *b == 0 || *b > self.cluster.brokers || replicas[..k].contains(b) {
                            return Err(semantic(
                                format!("{p}.assignment[{j}][{k}]"),
                                format!("broker {b} is unknown or repeated"),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Client counts and names, producers and readers. The names taken so far are returned, for the consumers' to be checked against.
    fn validate_clients(&self) -> Result<Vec<&str>, ScenarioError> {
        if self.producers.len() + self.readers.len() + self.consumers.len() > MAX_CLIENTS {
            return Err(semantic("producers", format!("at most {MAX_CLIENTS} clients")));
        }
        let mut names: Vec<&str> = Vec::new();
        for (i, p) in self.producers.iter().enumerate() {
            self.check_client_name(&names, &p.name, format!("producers[{i}].name"))?;
            names.push(&p.name);
            p.config.validate().map_err(|m| semantic(format!("producers[{i}].config"), m))?;
        }
        for (i, r) in self.readers.iter().enumerate() {
            self.check_client_name(&names, &r.name, format!("readers[{i}].name"))?;
            names.push(&r.name);
            self.topic_index(&r.topic)
                .ok_or_else(|| semantic(format!("readers[{i}].topic"), format!("unknown topic \"{}\"", r.topic)))?;
        }
        Ok(names)
    }

    fn validate_consumer<'a>(
        &self,
        i: usize,
        c: &'a super::ConsumerSection,
        names: &mut Vec<&'a str>,
    ) -> Result<(), ScenarioError> {
        let cfg = &self.cluster.config;
        self.check_client_name(names, &c.name, format!("consumers[{i}].name"))?;
        names.push(&c.name);
        if c.group.is_empty() {
            return Err(semantic(format!("consumers[{i}].group"), "group.id must not be empty"));
        }
        if c.topics.is_empty() {
            return Err(semantic(format!("consumers[{i}].topics"), "subscribe to at least one topic"));
        }
        for (j, t) in c.topics.iter().enumerate() {
            self.topic_index(t)
                .ok_or_else(|| semantic(format!("consumers[{i}].topics[{j}]"), format!("unknown topic \"{t}\"")))?;
        }
        c.config.validate().map_err(|m| semantic(format!("consumers[{i}].config"), m))?;
        if let Some(t) = &c.transform {
            self.topic_index(&t.to).ok_or_else(|| {
                semantic(format!("consumers[{i}].transform.to"), format!("unknown topic \"{}\"", t.to))
            })?;
            t.config.validate().map_err(|m| semantic(format!("consumers[{i}].transform.config"), m))?;
            if t.config.transactional_id.is_some() && c.config.enable_auto_commit {
                return Err(semantic(
                    format!("consumers[{i}].config.enable.auto.commit"),
                    "a transactional pipeline commits its offsets in the transaction (sendOffsetsToTransaction): set enable.auto.commit=false",
                ));
            }
        }
        if c.config.session_timeout_ms < cfg.group_min_session_timeout_ms
            || c.config.session_timeout_ms > cfg.group_max_session_timeout_ms
        {
            return Err(semantic(
                format!("consumers[{i}].config.session.timeout.ms"),
                format!(
                    "must be within group.min.session.timeout.ms ({}) and group.max.session.timeout.ms ({})",
                    cfg.group_min_session_timeout_ms, cfg.group_max_session_timeout_ms
                ),
            ));
        }
        Ok(())
    }

    /// Every entry, by the run's model: `timeline[i].FIELD: MESSAGE`.
    fn validate_timeline(&self) -> Result<(), ScenarioError> {
        match self.model {
            // A RocketMQ scenario's timeline is checked by its own format.
            Model::RocketMq => {}
            Model::Kafka => {
                let spec = self.spec();
                for (i, e) in self.timeline.iter().enumerate() {
                    crate::session::kafka::resolve(&spec, &e.action).map_err(|e| super::entry_error(i, &e))?;
                }
            }
        }
        Ok(())
    }

    fn check_client_name(&self, seen: &[&str], name: &str, path: String) -> Result<(), ScenarioError> {
        if name.is_empty() || seen.contains(&name) {
            return Err(semantic(path, format!("client name \"{name}\" is empty or used twice")));
        }
        if parse_broker_ref(name).is_some() {
            return Err(semantic(path, format!("\"{name}\" looks like a broker (b1, b2, ...); pick another name")));
        }
        Ok(())
    }
}

/// Every expected anomaly is one the checker knows.
pub(super) fn check_expectation(exp: &super::Expectation) -> Result<(), ScenarioError> {
    for (i, a) in exp.anomalies.iter().enumerate() {
        if crate::checker::AnomalyKind::parse(a).is_none() {
            return Err(semantic(format!("expect.anomalies[{i}]"), format!("unknown anomaly \"{a}\"")));
        }
    }
    Ok(())
}
