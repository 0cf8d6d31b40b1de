use yew::prelude::*;

use crate::ui::format;
use crate::view::PartitionView;

#[derive(Properties, PartialEq)]
pub struct PartitionTableProps {
    pub partitions: Vec<PartitionView>,
}

/// Leader, epoch, replicas, ISR, high watermark and log end offset per partition.
#[function_component(PartitionTable)]
pub fn partition_table(props: &PartitionTableProps) -> Html {
    html! {
        <section class="hw-section" aria-label="Partitions">
            <h2>{ "Partitions" }</h2>
            <table class="hw-partitions" data-testid="partitions">
                <thead>
                    <tr>
                        <th>{ "Partition" }</th>
                        <th>{ "Leader" }</th>
                        <th>{ "Epoch" }</th>
                        <th>{ "Replicas" }</th>
                        <th>{ "ISR" }</th>
                        <th class="num">{ "HW" }</th>
                        <th class="num">{ "LEO" }</th>
                    </tr>
                </thead>
                <tbody>
                    if props.partitions.is_empty() {
                        <tr><td colspan="7" class="hw-empty">{ "No partitions in this view." }</td></tr>
                    }
                    { for props.partitions.iter().map(row) }
                </tbody>
            </table>
        </section>
    }
}

fn row(p: &PartitionView) -> Html {
    let name = format!("{}-{}", p.topic, p.partition);
    let leader = match p.leader {
        Some(id) => html! { <td data-testid="leader">{ id }</td> },
        None => html! { <td data-testid="leader" class="offline">{ "none" }</td> },
    };
    let under_replicated = p.isr.len() < p.replicas.len();
    html! {
        <tr key={name.clone()} data-testid={format!("partition-{name}")}>
            <td class="hw-tp">{ name }</td>
            { leader }
            <td>{ p.leader_epoch }</td>
            <td>{ format::ids(&p.replicas) }</td>
            <td data-testid="isr" class={classes!(under_replicated.then_some("shrunk"))}>{ format::ids(&p.isr) }</td>
            <td class="num" data-testid="hw">{ p.high_watermark }</td>
            <td class="num" data-testid="leo">{ p.log_end_offset }</td>
        </tr>
    }
}
