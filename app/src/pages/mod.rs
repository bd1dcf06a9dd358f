//! Pages by audience, one file per page (or per closely related set of
//! pages). Each page calls the server functions of the same name in `api/`;
//! what pages share lives in `components/`.

pub mod citizen;
pub mod clerk;
pub mod developer;
pub mod public;
