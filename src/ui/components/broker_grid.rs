use yew::prelude::*;

use crate::ui::components::BrokerCard;
use crate::view::BrokerView;

#[derive(Properties, PartialEq)]
pub struct BrokerGridProps {
    pub brokers: Vec<BrokerView>,
}

/// A card per broker.
#[function_component(BrokerGrid)]
pub fn broker_grid(props: &BrokerGridProps) -> Html {
    html! {
        <section class="hw-section" aria-label="Brokers">
            <h2>{ "Brokers" }</h2>
            if props.brokers.is_empty() {
                <p class="hw-empty" data-testid="no-brokers">{ "No brokers in this view." }</p>
            } else {
                <div class="hw-brokers">
                    { for props.brokers.iter().map(|b| html! {
                        <BrokerCard key={b.id} broker={b.clone()} />
                    }) }
                </div>
            }
        </section>
    }
}
