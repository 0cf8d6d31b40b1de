use yew::prelude::*;

use crate::scenario::Scenario;
use crate::ui::i18n::{t, Lang, K};
use crate::ui::scenarios::{Shelf, BUILTINS};
use crate::ui::state::Action;

#[derive(Properties, PartialEq)]
pub struct StartProps {
    pub lang: Lang,
    pub on_action: Callback<Action>,
    pub on_import: Callback<()>,
}

struct Card {
    id: &'static str,
    shelf: Shelf,
    title: (String, String),
    description: (String, String),
    /// What is in it: "3 brokers · 6 partitions · 2 clients" (Kafka) or "1 group · 2
    /// brokers · 1 queue · 2 clients" (RocketMQ), in both languages.
    sizes: (String, String),
}

/// The start screen: the four lessons to begin with, the RocketMQ lessons, then the other
/// Kafka ones, the producer lessons, the transaction lessons, then the large clusters, each a card with its title,
/// a description and what is in it.
#[function_component(StartScreen)]
pub fn start_screen(p: &StartProps) -> Html {
    let l = p.lang;
    let cards = use_memo((), |_| {
        BUILTINS
            .iter()
            .filter_map(|b| {
                let s = Scenario::from_json(b.json).ok()?;
                let pick = |x: &crate::scenario::Text| (x.en.clone(), x.zh.clone().unwrap_or_else(|| x.en.clone()));
                Some(Card {
                    id: b.id,
                    shelf: b.shelf,
                    title: pick(&s.title),
                    description: s.description.as_ref().map(pick).unwrap_or_default(),
                    sizes: match &s.rocketmq {
                        Some(doc) => rocketmq_sizes(doc),
                        None => {
                            let parts = s.topics.iter().map(|t| t.partitions).sum();
                            let clients = s.producers.len() + s.consumers.len() + s.readers.len();
                            (
                                sizes(Lang::En, s.cluster.brokers, parts, clients),
                                sizes(Lang::Zh, s.cluster.brokers, parts, clients),
                            )
                        }
                    },
                })
            })
            .collect::<Vec<_>>()
    });
    let pick = |x: &(String, String)| if l == Lang::Zh { x.1.clone() } else { x.0.clone() };
    let shelf = |which: Shelf| {
        cards.iter().filter(|c| c.shelf == which).map(|c| {
            let cb = p.on_action.clone();
            let id = c.id.to_string();
            let open = Callback::from(move |_: MouseEvent| cb.emit(Action::OpenBuiltin(id.clone())));
            html! {
                <article class={classes!("hw-lesson", (which == Shelf::Featured).then_some("featured"))} data-testid={format!("lesson-{}", c.id)}>
                    <h3>{ pick(&c.title) }</h3>
                    <p>{ pick(&c.description) }</p>
                    <div class="hw-lesson-foot">
                        <span class="hw-muted">{ pick(&c.sizes) }</span>
                        <button class="hw-btn hw-primary" data-testid={format!("open-{}", c.id)} onclick={open}>{ t(l, K::OpenScenario) }{ " ▶" }</button>
                    </div>
                </article>
            }
        }).collect::<Html>()
    };
    html! {
        <main class="hw-start" data-testid="start">
            <section class="hw-start-intro">
                <h2>{ t(l, K::StartTitle) }</h2>
                <p>{ t(l, K::StartIntro) }</p>
                <ol class="hw-howto">
                    <li><span>{ "1" }</span>{ t(l, K::HowTo1) }</li>
                    <li><span>{ "2" }</span>{ t(l, K::HowTo2) }</li>
                    <li><span>{ "3" }</span>{ t(l, K::HowTo3) }</li>
                </ol>
            </section>
            <h2 class="hw-shelf-title">{ t(l, K::FeaturedLessons) }</h2>
            <div class="hw-shelf featured">{ shelf(Shelf::Featured) }</div>
            <h2 class="hw-shelf-title">{ t(l, K::RocketMqLessons) }</h2>
            <p class="hw-shelf-note">{ t(l, K::RocketMqShelfNote) }</p>
            <div class="hw-shelf" data-testid="shelf-rocketmq">{ shelf(Shelf::RocketMq) }</div>
            <h2 class="hw-shelf-title">{ t(l, K::MoreScenarios) }</h2>
            <div class="hw-shelf">{ shelf(Shelf::More) }</div>
            <h2 class="hw-shelf-title">{ t(l, K::ProducerLessons) }</h2>
            <div class="hw-shelf" data-testid="shelf-producers">{ shelf(Shelf::Producers) }</div>
            <h2 class="hw-shelf-title">{ t(l, K::TxnLessons) }</h2>
            <div class="hw-shelf" data-testid="shelf-transactions">{ shelf(Shelf::Transactions) }</div>
            <h2 class="hw-shelf-title">{ t(l, K::LargeClusters) }</h2>
            <div class="hw-shelf">{ shelf(Shelf::Large) }</div>
            <p><button class="hw-btn" data-testid="start-import" onclick={p.on_import.reform(|_: MouseEvent| ())}>{ "↑ " }{ t(l, K::ImportFile) }</button></p>
        </main>
    }
}

fn sizes(l: Lang, brokers: u32, partitions: u32, clients: usize) -> String {
    let s = |n: u64| if n == 1 { "" } else { "s" };
    match l {
        Lang::Zh => format!("{brokers} 个 Broker · {partitions} 个分区 · {clients} 个客户端"),
        Lang::En => format!(
            "{brokers} broker{} · {partitions} partition{} · {clients} client{}",
            s(u64::from(brokers)),
            s(u64::from(partitions)),
            s(clients as u64)
        ),
    }
}

/// What a RocketMQ lesson holds: broker groups, brokers (masters and slaves), queues (per
/// group, summed over the groups) and clients.
fn rocketmq_sizes(doc: &crate::scenario::rocketmq::RocketMqScenario) -> (String, String) {
    let groups = doc.broker_groups.len();
    let brokers: usize =
        doc.broker_groups.iter().map(|g| g.brokers.as_ref().map_or(1 + g.slaves.unwrap_or(1) as usize, Vec::len)).sum();
    let queues = doc.topics.iter().map(|t| t.queues as usize).sum::<usize>() * groups;
    let clients = doc.producers.len() + doc.consumers.len();
    let s = |n: usize| if n == 1 { "" } else { "s" };
    (
        format!(
            "{groups} group{} · {brokers} broker{} · {queues} queue{} · {clients} client{}",
            s(groups),
            s(brokers),
            s(queues),
            s(clients)
        ),
        format!("{groups} 个 Broker 组 · {brokers} 个 Broker · {queues} 个队列 · {clients} 个客户端"),
    )
}
