use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::ui::format;
use crate::ui::i18n::{t, tf, Lang, K};
use crate::view::{ClusterView, PartitionView, TopicView};

#[derive(Properties, PartialEq)]
pub struct PartitionTableProps {
    pub view: Rc<ClusterView>,
    pub lang: Lang,
}

const PAGE: usize = 50;

/// Leader, epoch, replicas, ISR, LEO, HW (and the LSO once there are transactions) and,
/// per consumer group, the committed offset and lag, like the cluster UIs users know. Long tables are paged; a topic can be picked.
#[function_component(PartitionTable)]
pub fn partition_table(p: &PartitionTableProps) -> Html {
    let l = p.lang;
    let topic = use_state(String::new);
    let page = use_state(|| 0usize);
    let v = &*p.view;
    let groups: Vec<String> = v.groups.iter().map(|g| g.id.clone()).collect();
    // With transactions, the LSO (where read_committed reads stop) gets a column.
    let lso = crate::ui::layout::has_transactions(v);
    let rows: Vec<&PartitionView> =
        v.partitions.iter().filter(|pt| !pt.internal && (topic.is_empty() || pt.topic == *topic)).collect();
    let pages = rows.len().div_ceil(PAGE).max(1);
    let cur = (*page).min(pages - 1);
    let on_topic = {
        let topic = topic.clone();
        let page = page.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            topic.set(s.value());
            page.set(0);
        })
    };
    let go = |to: usize| {
        let page = page.clone();
        Callback::from(move |_: MouseEvent| page.set(to))
    };
    let topics_summary = v.topics.iter().filter(|tp| !tp.internal).map(|tp| topic_summary(l, tp, &topic, &page));
    html! {
        <div class="hw-ptable">
            <ul class="hw-topic-summary" aria-label={t(l, K::Topics)}>{ for topics_summary }</ul>
            <div class="hw-inline">
                <label class="hw-field"><span>{ t(l, K::Topic) }</span>
                    <select onchange={on_topic}>
                        <option value="" selected={topic.is_empty()}>{ "—" }</option>
                        { for v.topics.iter().filter(|tp| !tp.internal).map(|tp| html! { <option value={tp.name.clone()} selected={*topic == tp.name}>{ tp.name.clone() }</option> }) }
                    </select></label>
                if pages > 1 {
                    <button class="hw-mini-btn" disabled={cur == 0} onclick={go(cur.saturating_sub(1))}>{ "‹ " }{ t(l, K::Prev) }</button>
                    <span>{ tf(l, K::PageOf, &[&(cur + 1), &pages]) }</span>
                    <button class="hw-mini-btn" disabled={cur + 1 >= pages} onclick={go(cur + 1)}>{ t(l, K::Next) }{ " ›" }</button>
                }
            </div>
            <div class="hw-table-wrap">
            <table class="hw-partitions" data-testid="partitions">
                { head(l, &groups, lso) }
                <tbody>
                    { for rows.iter().skip(cur * PAGE).take(PAGE).map(|pt| row(pt, &groups, lso, l)) }
                </tbody>
            </table>
            </div>
        </div>
    }
}

/// A topic's summary line; it expands into its partitions (the table, filtered).
fn topic_summary(l: Lang, tp: &TopicView, topic: &UseStateHandle<String>, page: &UseStateHandle<usize>) -> Html {
    let pick = {
        let topic = topic.clone();
        let page = page.clone();
        let name = tp.name.clone();
        Callback::from(move |_: MouseEvent| {
            topic.set(name.clone());
            page.set(0);
        })
    };
    html! {
        <li class={classes!((tp.offline > 0).then_some("bad"), (tp.under_replicated > 0).then_some("warn"), (**topic == tp.name).then_some("on"))} data-testid={format!("topic-{}", tp.name)}>
            <button class="hw-link" onclick={pick} title={t(l, K::Expand)}><b>{ tp.name.clone() }</b></button>
            { format!(" · {} {} · RF {}", tp.partitions, if l == Lang::En && tp.partitions == 1 { "partition" } else { t(l, K::Partitions) }, tp.replication_factor) }
            if tp.offline > 0 { <span class="hw-pill bad">{ format!("✕ {} {}", tp.offline, t(l, K::Offline)) }</span> }
            if tp.under_replicated > 0 { <span class="hw-pill warn">{ format!("▽ {} {}", tp.under_replicated, t(l, K::UnderReplicated)) }</span> }
            { format!(" · HW Σ {}", format::count(tp.records)) }
        </li>
    }
}

/// The table's header: partition columns, then committed offset and lag per group.
fn head(l: Lang, groups: &[String], lso: bool) -> Html {
    html! {
        <thead>
            <tr>
                <th>{ t(l, K::Partition) }</th>
                <th>{ t(l, K::Leader) }</th>
                <th>{ t(l, K::Epoch) }</th>
                <th>{ t(l, K::Replicas) }</th>
                <th>{ "ISR" }</th>
                <th class="num">{ "LEO" }</th>
                <th class="num">{ "HW" }</th>
                if lso { <th class="num" title={t(l, K::LsoLong)}>{ "LSO" }</th> }
                { for groups.iter().map(|g| html! { <th class="num" colspan="2">{ format!("{} {g}: {} / {}", t(l, K::Group), t(l, K::Committed), t(l, K::Lag)) }</th> }) }
            </tr>
        </thead>
    }
}

fn row(pt: &PartitionView, groups: &[String], lso: bool, l: Lang) -> Html {
    let name = format!("{}-{}", pt.topic, pt.partition);
    let under = pt.isr.len() < pt.replicas.len();
    let leader = match pt.leader {
        Some(id) => html! { <td data-testid="leader">{ id }</td> },
        None => html! { <td data-testid="leader" class="offline">{ format!("✕ {}", t(l, K::Offline)) }</td> },
    };
    html! {
        <tr key={name.clone()} data-testid={format!("partition-{name}")}>
            <td class="hw-tp">{ name }</td>
            { leader }
            <td data-testid="epoch">{ pt.leader_epoch }</td>
            <td>{ format::ids(&pt.replicas) }</td>
            <td data-testid="isr" class={classes!(under.then_some("shrunk"))}>{ if under { "▽ " } else { "" } }{ format::ids(&pt.isr) }</td>
            <td class="num" data-testid="leo">{ pt.log_end_offset }</td>
            <td class="num" data-testid="hw">{ pt.high_watermark }</td>
            if lso {
                <td class={classes!("num", (pt.last_stable_offset < pt.high_watermark).then_some("held"))} data-testid="lso">
                    { if pt.last_stable_offset < pt.high_watermark { "◷ " } else { "" } }{ pt.last_stable_offset }</td>
            }
            { for groups.iter().map(|g| {
                let o = pt.groups.iter().find(|x| &x.group == g);
                let committed = o.and_then(|o| o.committed).map(|c| c.to_string()).unwrap_or_else(|| "—".into());
                let lag = o.and_then(|o| o.lag);
                // Nothing committed yet: the lag is counted from the member's position,
                // marked with an open circle and explained on hover.
                let from_position = o.is_some_and(|o| o.lag_from_position);
                html! {
                    <>
                        <td class="num" data-testid={format!("committed-{g}")}>{ committed }</td>
                        <td class={classes!("num", lag.is_some_and(|x| x > 0).then_some("lagging"))} data-testid={format!("lag-{g}")}
                            data-from={if from_position { "position" } else { "committed" }}
                            title={from_position.then(|| t(l, K::LagFromPosition))}>
                            { lag.map(|x| x.to_string()).unwrap_or_else(|| "—".into()) }{ if from_position { " ○" } else { "" } }</td>
                    </>
                }
            }) }
        </tr>
    }
}
