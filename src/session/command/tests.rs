//! Tokens round-trip, and share links made before the `percent-encoding` crate took over
//! the escaping still read the same: the old hand-written encoder is kept here as the
//! reference the crate's output must equal byte for byte.
use super::*;

/// The encoder share links were made with until the crate replaced it.
fn old_encode_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn every_old_command() -> Vec<Command> {
    let produce = |key: Option<&str>, count| Command::Produce {
        producer: "p".into(),
        topic: "orders".into(),
        key: key.map(str::to_string),
        count,
        partition: None,
    };
    vec![
        Command::Crash(1),
        Command::PowerLoss(2),
        Command::Restart(3),
        Command::Isolate("b2".into()),
        Command::Cut("b1".into(), "my producer.x".into()),
        Command::Heal("b1".into(), "b2".into()),
        Command::HealAll,
        Command::Slow("c1".into(), 250),
        produce(Some("k~1.2%"), 3),
        produce(None, 1),
        Command::SetAcks { producer: "p".into(), acks: "all".into() },
        Command::ConsumerCrash("c1".into()),
        Command::ConsumerRestart("c1".into()),
        Command::ConsumerPause { consumer: "c1".into(), ms: 5000, gc: true },
        Command::ConsumerResume("c1".into()),
        Command::ConsumerClose("c1".into()),
        Command::AddPartitions { topic: "orders".into(), partitions: 4 },
        Command::BeginTransaction("bank".into()),
        Command::CommitTransaction("my bank".into()),
        Command::AbortTransaction("bank".into()),
        Command::ProducerCrash("p.1".into()),
        Command::ProducerRestart("p.1".into()),
    ]
}

fn every_new_command() -> Vec<Command> {
    vec![
        Command::CutOneWay("b1".into(), "app, 2".into()),
        Command::Partition(vec![vec!["b1".into()], vec!["b2".into(), "a,b".into()], vec![]]),
        Command::Partition(vec![]),
        Command::Drop(Ratio { numerator: 1, denominator: 10 }),
        Command::DropNext { from: "b1".into(), to: "app".into(), kind: Some("ProduceResponse".into()), count: 2 },
        Command::DropNext { from: "b1".into(), to: "app".into(), kind: None, count: 1 },
        Command::Produce {
            producer: "p".into(),
            topic: "t".into(),
            key: Some("k".into()),
            count: 2,
            partition: Some(1),
        },
        Command::Produce { producer: "p".into(), topic: "t".into(), key: None, count: 2, partition: Some(0) },
        Command::Narrate(Text { en: "Broker 1 leads. Then?".into(), zh: Some("首领副本在 broker 1。".into()) }),
        Command::Narrate(Text { en: "".into(), zh: None }),
        Command::ConsumerSubscribe { consumer: "c1".into(), topics: vec!["orders".into(), "re,funds".into()] },
        Command::SetConfig { target: "topic:t".into(), key: "min.insync.replicas".into(), value: serde_json::json!(2) },
        Command::SetConfig { target: "app".into(), key: "acks".into(), value: serde_json::json!(null) },
    ]
}

#[test]
fn command_tokens_round_trip() {
    for c in every_old_command().into_iter().chain(every_new_command()) {
        let t = c.to_token();
        assert!(!t.contains('~') && !t.contains('&') && !t.contains('#') && !t.contains(':'), "{t}");
        assert_eq!(Command::from_token(&t), Ok(c), "{t}");
    }
    assert!(Command::from_token("crash.x").unwrap_err().contains("not a whole number"));
    assert!(Command::from_token("explode.1").unwrap_err().contains("unknown action"));
    assert!(Command::from_token("cut.b1").unwrap_err().contains("takes 2"));
    assert!(Command::from_token("isolate.%Z1").unwrap_err().contains("escape"));
    assert!(Command::from_token("isolate.a%2").unwrap_err().contains("escape"));
    assert!(Command::from_token("isolate.%FF").unwrap_err().contains("UTF-8"));
    assert!(Command::from_token("begin").unwrap_err().contains("takes 1"));
    assert!(Command::from_token("commit.a.b").unwrap_err().contains("takes 1"));
    assert!(Command::from_token("produce.p.t").unwrap_err().contains("takes 3 or 4 fields"));
    assert!(Command::from_token("config.app.linger%2Ems.soon").unwrap_err().contains("not JSON"));
    assert_eq!(Command::from_token(""), Err("empty action".into()));
}

#[test]
fn old_share_link_tokens_are_byte_identical() {
    let names = ["b1", "my producer.x", "k~1.2%", "p.1", "é中/:&#~,", "a_b-C9", "", "%41"];
    for n in names {
        assert_eq!(encode_field(n), old_encode_field(n), "{n:?}");
        assert_eq!(decode_field(&encode_field(n)).as_deref(), Ok(n));
    }
    // Tokens as links carry them today, and as tests/golden.rs replays them.
    let want = [
        "crash.1",
        "power.2",
        "restart.3",
        "isolate.b2",
        "cut.b1.my%20producer%2Ex",
        "heal.b1.b2",
        "healall",
        "slow.c1.250",
        "produce.p.orders.3.k%7E1%2E2%25",
        "produce.p.orders.1",
        "acks.p.all",
        "ccrash.c1",
        "crestart.c1",
        "cpause.c1.5000.gc",
        "cresume.c1",
        "cclose.c1",
        "partitions.orders.4",
        "begin.bank",
        "commit.my%20bank",
        "abort.bank",
        "pcrash.p%2E1",
        "prestart.p%2E1",
    ];
    let got: Vec<String> = every_old_command().iter().map(Command::to_token).collect();
    assert_eq!(got, want);
}
