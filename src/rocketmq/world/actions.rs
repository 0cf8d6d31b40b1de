//! What a scenario or a user can do: send, crash or power off a broker and restart it,
//! stall its disk, crash and restart a consumer.

use super::{RecordInfo, RocketMqAction, Timer, World};
use crate::kernel::Ctx;
use crate::rocketmq::broker::{consumers, ha};
use crate::rocketmq::client::consumer::Consumer;
use crate::rocketmq::client::producer::SendCall;
use crate::rocketmq::notes::Note;

impl World {
    pub(super) fn apply_action(&mut self, ctx: &mut Ctx<World>, action: &RocketMqAction) {
        let spec = self.spec.clone();
        match action {
            RocketMqAction::Send { producer, topic, count, mode } => {
                if !self.producers[*producer as usize].running {
                    return;
                }
                for _ in 0..*count {
                    let record = self.records.len() as u64;
                    self.records.push(RecordInfo { producer: *producer, topic: *topic, mode: *mode, sent_at: ctx.now });
                    let call = SendCall { record, topic: *topic, mode: *mode };
                    self.producers[*producer as usize].call(ctx, &spec, call);
                }
            }
            RocketMqAction::BrokerCrash(b) => self.crash_broker(ctx, *b as usize, false),
            RocketMqAction::BrokerPowerLoss(b) => self.crash_broker(ctx, *b as usize, true),
            RocketMqAction::BrokerRestart(b) => self.restart_broker(ctx, *b as usize),
            RocketMqAction::DiskStall { broker, ms } => {
                self.brokers[*broker as usize].disk_stalled_until = ctx.now + ms;
            }
            RocketMqAction::ConsumerCrash(c) => self.crash_consumer(ctx, *c as usize),
            RocketMqAction::ConsumerRestart(c) => {
                let c = *c as usize;
                if self.consumers[c].running {
                    return;
                }
                // A new process; a BROADCASTING consumer's offsets file is still on its disk.
                let file = std::mem::take(&mut self.consumers[c].offset_store.file);
                self.consumers[c] = Consumer::new(&spec, c as u32);
                self.consumers[c].offset_store.file = file;
                ctx.node_up(self.consumers[c].node);
                self.consumers[c].start(ctx, &spec);
            }
            RocketMqAction::ConsumerFailNext { consumer, batches } => {
                self.consumers[*consumer as usize].fail_next += batches;
            }
            RocketMqAction::Narrate(i) => ctx.note(Note::Narration { index: *i }),
        }
    }

    fn crash_broker(&mut self, ctx: &mut Ctx<World>, b: usize, power_loss: bool) {
        if !self.brokers[b].running {
            return;
        }
        let node = self.brokers[b].node;
        self.brokers[b].crash();
        self.power_lost[b] = power_loss;
        ctx.node_down(node);
        ctx.note(Note::BrokerCrashed { broker: b, power_loss });
        if power_loss {
            return;
        }
        // The process died and the OS closed its connections: the name servers drop it at
        // once (`BrokerHousekeepingService`), its HA peers and clients see the close.
        for ns in &mut self.name_servers {
            ns.channel_closed(ctx, b);
        }
        let spec = self.spec.clone();
        for peer in spec.members(spec.group_of(b)) {
            if peer != b {
                ha::connection_closed(&mut self.brokers[peer], node);
            }
        }
        for p in &mut self.producers {
            p.on_connection_failed(ctx, &spec, node);
        }
        for c in self.consumers.iter_mut().filter(|c| c.running) {
            c.on_connection_failed(ctx, node);
        }
    }

    fn restart_broker(&mut self, ctx: &mut Ctx<World>, b: usize) {
        if self.brokers[b].running {
            return;
        }
        let spec = self.spec.clone();
        let lost = self.brokers[b].restart(self.power_lost[b]);
        self.power_lost[b] = false;
        let broker = &mut self.brokers[b];
        ctx.node_up(broker.node);
        ctx.note(Note::BrokerRestarted { broker: b, lost });
        broker.start(ctx, &spec);
        ctx.set_timer(broker.node, broker.register_period(), Timer::RegisterBroker);
    }

    fn crash_consumer(&mut self, ctx: &mut Ctx<World>, c: usize) {
        if !self.consumers[c].running {
            return;
        }
        let node = self.consumers[c].node;
        self.consumers[c].running = false;
        ctx.node_down(node);
        ctx.note(Note::ConsumerCrashed { consumer: c as u32 });
        for b in self.brokers.iter_mut().filter(|b| b.running) {
            consumers::channel_closed(b, ctx, node);
        }
    }
}

pub(super) fn label(action: &RocketMqAction) -> String {
    match action {
        RocketMqAction::Send { producer, topic, count, mode } => {
            format!("producer {producer} sends {count} message(s) to topic {topic} ({mode:?})")
        }
        RocketMqAction::BrokerCrash(b) => format!("crash broker {b}"),
        RocketMqAction::BrokerPowerLoss(b) => format!("power loss on broker {b}"),
        RocketMqAction::BrokerRestart(b) => format!("restart broker {b}"),
        RocketMqAction::DiskStall { broker, ms } => format!("disk of broker {broker} stalls for {ms} ms"),
        RocketMqAction::ConsumerCrash(c) => format!("crash consumer {c}"),
        RocketMqAction::ConsumerRestart(c) => format!("restart consumer {c}"),
        RocketMqAction::ConsumerFailNext { consumer, batches } => {
            format!("consumer {consumer} returns RECONSUME_LATER for {batches} batch(es)")
        }
        RocketMqAction::Narrate(i) => format!("narration {i}"),
    }
}
