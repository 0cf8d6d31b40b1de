//! Broker handlers called directly, for what no client of the model would do: a producer
//! only ever sends to brokerId 0, so a write reaching a SLAVE is driven by hand here.

use super::send;
use crate::kernel::network::Network;
use crate::kernel::{Ctx, NetworkConfig, Prng};
use crate::rocketmq::config::{BrokerRole, FlushDiskType, Version};
use crate::rocketmq::message::{Msg, ResponseCode, SendMessage};
use crate::rocketmq::notes::Note;
use crate::rocketmq::types::Mq;
use crate::rocketmq::world::{Spec, World};

fn send_to_slave(duplication_enable: bool) -> (World, Vec<Note>, Vec<Msg>) {
    let mut spec = Spec::classic(Version::V4_9, &["broker-a"], BrokerRole::AsyncMaster, FlushDiskType::AsyncFlush, 1)
        .expect("valid");
    spec.topic("t", 1);
    spec.producer("p");
    spec.brokers[1].duplication_enable = duplication_enable;
    let mut world = World::new(spec.clone());
    let (mut prng, mut notes) = (Prng::new(1), Vec::new());
    let up = vec![true; spec.node_count() as usize];
    let network = Network::new(NetworkConfig::default(), spec.node_count());
    let mut ctx = Ctx::<World> {
        now: 0,
        prng: &mut prng,
        outbox: Vec::new(),
        last_words: Vec::new(),
        timers: Vec::new(),
        notes: &mut notes,
        node_changes: Vec::new(),
        up: &up,
        network: &network,
    };
    let req = SendMessage { opaque: 1, record: 0, mq: Mq { topic: 0, group: 0, queue_id: 0 }, oneway: false };
    send::on_send_message(&mut world.brokers[1], &mut ctx, &spec, spec.producer_node(0), req);
    let sent = ctx.outbox.iter().map(|(_, _, m)| m.clone()).collect();
    (world, notes, sent)
}

#[test]
fn a_slave_rejects_a_write_with_service_not_available() {
    let (world, notes, sent) = send_to_slave(false);
    assert!(world.brokers[1].store.commit_log.is_empty());
    assert_eq!(notes, vec![Note::WriteRejected { broker: 1, record: 0 }]);
    assert_eq!(sent, vec![Msg::SendMessageResponse { opaque: 1, result: Err(ResponseCode::ServiceNotAvailable) }]);
}

#[test]
fn a_slave_with_duplication_enable_stores_the_write() {
    let (world, _, _) = send_to_slave(true);
    assert_eq!(world.brokers[1].store.commit_log.len(), 1);
}
