//! The app's pieces. Each takes plain props (view data, the language, a dispatcher) and
//! returns HTML; none of them holds simulation state.
pub mod anomalies;
pub mod banner;
pub mod event_log;
pub mod flight_canvas;
pub mod lag_chart;
pub mod legend;
pub mod measure;
pub mod menus;
pub mod menus_rmq;
pub mod panels;
pub mod partition_table;
pub mod settings;
pub mod stage;
pub mod start_screen;
pub mod strip;
pub mod timeline;
pub mod topbar;
pub mod transport;

pub use banner::Banner;
pub use panels::Panels;
pub use stage::Stage;
pub use start_screen::StartScreen;
pub use timeline::TimelineBar;
pub use topbar::TopBar;
pub use transport::Transport;
