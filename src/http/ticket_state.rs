//! A ticket's hold state: `POST /api/tickets/{id}/state` puts an accepted ticket in "waiting for
//! customer" or "solution suggested", or back to normal working ("open").

use axum::{Json, Router, extract::State, routing::post};
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
};
use crate::{domain::HoldState, domain::TicketId, views::TicketView};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/tickets/{id}/state", post(set_state))
}

#[derive(Deserialize)]
struct StateBody {
    state: String,
}

async fn set_state(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    ApiJson(body): ApiJson<StateBody>,
) -> Result<Json<TicketView>, ApiError> {
    let hold = match body.state.as_str() {
        "waiting_customer" => Some(HoldState::WaitingCustomer),
        "solution_suggested" => Some(HoldState::SolutionSuggested),
        "open" => None,
        other => {
            return Err(ApiError::Invalid(format!(
                "state must be waiting_customer, solution_suggested or open, not {:?}",
                other.chars().take(40).collect::<String>()
            )));
        }
    };
    Ok(Json(state.service.set_hold(&actor, id, hold).await?))
}
