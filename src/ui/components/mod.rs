//! Small presentational components: plain props in, HTML out.
pub mod broker_card;
pub mod broker_grid;
pub mod controls;
pub mod error_banner;
pub mod header;
pub mod partition_table;

pub use broker_card::BrokerCard;
pub use broker_grid::BrokerGrid;
pub use controls::Controls;
pub use error_banner::ErrorBanner;
pub use header::Header;
pub use partition_table::PartitionTable;
