//! How many event streams one visitor may hold open, and how fast they may be opened. Each open
//! stream costs memory and a database read per message, so one messenger session gets a few
//! (tabs of the same page) and one client address a bounded number (a household or an office
//! behind one address), counted per instance.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use switchboard_core::rate_limit::FixedWindows;
use uuid::Uuid;

use crate::client_address::ClientAddress;

/// Streams one messenger session may hold open (a few tabs), unless
/// `SWITCHBOARD_STREAMS_PER_SESSION` says.
pub const PER_SESSION: usize = 5;
/// Streams one client address may hold open, unless `SWITCHBOARD_STREAMS_PER_ADDRESS` says.
pub const PER_ADDRESS: usize = 100;

#[derive(Debug)]
pub struct StreamLimits {
    per_session: usize,
    per_address: usize,
    sessions: Arc<Counts<Uuid>>,
    addresses: Arc<Counts<ClientAddress>>,
    /// Opening streams: twice as many per minute as an address may hold, room for every
    /// stream to reconnect once.
    opening: FixedWindows<ClientAddress>,
}

/// Why a stream was not opened.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    TooManyForSession,
    TooManyForAddress,
    OpenedTooFast(Duration),
}

impl StreamLimits {
    pub fn new(per_session: usize, per_address: usize) -> Self {
        Self {
            per_session,
            per_address,
            sessions: Arc::default(),
            addresses: Arc::default(),
            opening: FixedWindows::new(
                u32::try_from(per_address.saturating_mul(2)).unwrap_or(u32::MAX),
                Duration::from_secs(60),
            ),
        }
    }

    /// Takes a place for a new stream; the stream holds the [`StreamPermit`] while it lives.
    pub fn open(&self, session: Uuid, address: ClientAddress) -> Result<StreamPermit, Refusal> {
        self.opening.hit(address).map_err(Refusal::OpenedTooFast)?;
        let session = Counts::take(&self.sessions, session, self.per_session)
            .ok_or(Refusal::TooManyForSession)?;
        let address = Counts::take(&self.addresses, address, self.per_address)
            .ok_or(Refusal::TooManyForAddress)?;
        Ok(StreamPermit {
            _session: session,
            _address: address,
        })
    }
}

impl Default for StreamLimits {
    fn default() -> Self {
        Self::new(PER_SESSION, PER_ADDRESS)
    }
}

/// A place taken for one open stream, given back when the stream ends (dropped).
#[derive(Debug)]
pub struct StreamPermit {
    _session: Place<Uuid>,
    _address: Place<ClientAddress>,
}

#[derive(Debug)]
struct Counts<K>(Mutex<HashMap<K, usize>>);

impl<K> Default for Counts<K> {
    fn default() -> Self {
        Self(Mutex::default())
    }
}

impl<K: Hash + Eq + Copy> Counts<K> {
    fn take(counts: &Arc<Self>, key: K, limit: usize) -> Option<Place<K>> {
        let mut map = counts.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = map.entry(key).or_insert(0);
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Place {
            counts: counts.clone(),
            key,
        })
    }
}

#[derive(Debug)]
struct Place<K: Hash + Eq + Copy> {
    counts: Arc<Counts<K>>,
    key: K,
}

impl<K: Hash + Eq + Copy> Drop for Place<K> {
    fn drop(&mut self) {
        let mut map = self.counts.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = map.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_per_session_cap_is_a_setting() {
        let limits = StreamLimits::new(2, 100);
        let address = ClientAddress::of([192, 0, 2, 9].into());
        let session = Uuid::new_v4();
        let _held = [
            limits.open(session, address).unwrap(),
            limits.open(session, address).unwrap(),
        ];
        assert_eq!(
            limits.open(session, address).unwrap_err(),
            Refusal::TooManyForSession
        );
    }

    #[test]
    fn sessions_and_addresses_have_their_caps_and_get_places_back() {
        let limits = StreamLimits::new(PER_SESSION, 7);
        let address = ClientAddress::of([192, 0, 2, 1].into());
        let session = Uuid::new_v4();
        let held: Vec<_> = (0..PER_SESSION)
            .map(|_| limits.open(session, address).unwrap())
            .collect();
        assert_eq!(
            limits.open(session, address).unwrap_err(),
            Refusal::TooManyForSession
        );
        // Other sessions from the same address, up to the address's cap.
        let other = limits.open(Uuid::new_v4(), address).unwrap();
        let another = limits.open(Uuid::new_v4(), address).unwrap();
        assert_eq!(
            limits.open(Uuid::new_v4(), address).unwrap_err(),
            Refusal::TooManyForAddress
        );
        drop(held);
        drop((other, another));
        // Places come back when streams end.
        drop(limits.open(session, address).unwrap());
        // Opening is limited too: 14 a minute for an address that may hold 7.
        for _ in 0..4 {
            drop(limits.open(session, address).unwrap());
        }
        assert!(matches!(
            limits.open(session, address).unwrap_err(),
            Refusal::OpenedTooFast(_)
        ));
        let elsewhere = ClientAddress::of([192, 0, 2, 2].into());
        assert!(limits.open(session, elsewhere).is_ok());
    }
}
