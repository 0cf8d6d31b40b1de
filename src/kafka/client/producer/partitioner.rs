//! Which partition a record goes to (`KafkaProducer.partition`, `BuiltInPartitioner`).
use super::Producer;
use crate::kafka::types::Tp;
use crate::kafka::world::World;
use crate::kernel::Ctx;

impl Producer {
    /// Which partition a record goes to, and by which rule (`KafkaProducer.partition` and
    /// `BuiltInPartitioner`): an explicit partition; else murmur2 of the key; else the
    /// sticky partition, which moves to a random partition once `batch.size` worth of
    /// records went to it (KIP-794; records counted, not bytes; not weighted by queue
    /// sizes). `partitioner.class=round-robin` cycles through the partitions.
    pub fn partition_for(
        &mut self,
        ctx: &mut Ctx<World>,
        topic: u32,
        partitions: u32,
        key: Option<&str>,
        explicit: Option<u32>,
    ) -> (u32, &'static str) {
        if let Some(p) = explicit {
            return (p, "explicit");
        }
        if self.config.partitioner_class.is_some() {
            let rr = self.round_robin.entry(topic).or_insert(0);
            let p = *rr % partitions;
            *rr += 1;
            return (p, "round-robin");
        }
        if let (Some(k), false) = (key, self.config.partitioner_ignore_keys) {
            return (crate::kafka::partitioner::partition_for_key(k.as_bytes(), partitions), "key (murmur2)");
        }
        let limit = u64::from(self.config.batch_max_records);
        let sticky = self.sticky.get(&topic).copied();
        let p = match sticky {
            Some((p, n)) if n < limit && p < partitions => {
                self.sticky.insert(topic, (p, n + 1));
                p
            }
            _ => {
                // A new sticky partition, uniformly among those with a known leader (all,
                // if none is known yet).
                let with_leader: Vec<u32> = (0..partitions)
                    .filter(|p| self.metadata.get(&Tp { topic, partition: *p }).is_some_and(|s| s.leader.is_some()))
                    .collect();
                let p = if with_leader.is_empty() {
                    ctx.prng.below(u64::from(partitions)) as u32
                } else {
                    with_leader[ctx.prng.below(with_leader.len() as u64) as usize]
                };
                self.sticky.insert(topic, (p, 1));
                p
            }
        };
        (p, "sticky")
    }
}
