//! Building blocks shared by the console pages.

pub mod editor;
pub mod feedback;
pub mod form;
pub mod layout;
pub mod refresh;
pub mod sign_in_log;
pub mod time;
