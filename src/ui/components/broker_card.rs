use yew::prelude::*;

use crate::ui::format;
use crate::view::BrokerView;

#[derive(Properties, PartialEq)]
pub struct BrokerCardProps {
    pub broker: BrokerView,
}

/// One broker: id, status, controller badge and its replicas.
#[function_component(BrokerCard)]
pub fn broker_card(props: &BrokerCardProps) -> Html {
    let b = &props.broker;
    let status_class = format!("status-{}", format::css_word(&b.status));
    html! {
        <article class={classes!("hw-broker", status_class.clone())}
            data-testid={format!("broker-{}", b.id)} data-status={b.status.clone()}>
            <header>
                <h3>{ format!("Broker {}", b.id) }</h3>
                <span class={classes!("hw-badge", status_class)} data-testid="broker-status">
                    { b.status.clone() }
                </span>
                if b.is_controller {
                    <span class="hw-badge controller" title="Active controller">{ "controller" }</span>
                }
            </header>
            <ul class="hw-replicas">
                { for b.replicas.iter().map(|r| html! {
                    <li class={classes!(r.is_leader.then_some("leader"), (!r.in_isr).then_some("out-of-isr"))}>
                        <span class="hw-tp">{ format!("{}-{}", r.topic, r.partition) }</span>
                        <span class="hw-role">{ if r.is_leader { "leader" } else { "follower" } }</span>
                        <span class="hw-offsets">{ format!("LEO {} · HW {}", r.log_end_offset, r.high_watermark) }</span>
                    </li>
                }) }
            </ul>
        </article>
    }
}
