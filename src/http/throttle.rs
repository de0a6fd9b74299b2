//! The per-address login throttle: a token bucket per client address, and the client address
//! itself (the peer, or `X-Forwarded-For` when the peer is a trusted proxy).
//!
//! A small bucket over `dashmap` (already a dependency) rather than `governor`: one keyed bucket
//! for one route does not need a new crate tree on a slow build, and this one forgets idle
//! addresses so the map cannot grow without bound.

use std::{
    net::{IpAddr, SocketAddr},
    time::{Duration, Instant},
};

use axum::{extract::ConnectInfo, http::HeaderMap, http::request::Parts};
use dashmap::DashMap;

/// Addresses kept before idle ones are forgotten.
const MAX_TRACKED: usize = 10_000;

/// A token bucket per client address.
pub struct AddressThrottle {
    buckets: DashMap<IpAddr, Bucket>,
    burst: f64,
    refill: Duration,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl AddressThrottle {
    /// `burst` attempts at once, one more per `refill`.
    pub fn new(burst: u32, refill: Duration) -> Self {
        Self {
            buckets: DashMap::new(),
            burst: f64::from(burst.max(1)),
            refill: refill.max(Duration::from_millis(1)),
        }
    }

    /// Takes one attempt for `address`; when none is left, how long until one is.
    pub fn take(&self, address: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        if self.buckets.len() >= MAX_TRACKED {
            self.forget_full(now);
        }
        let mut bucket = self.buckets.entry(address).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let refilled = now.duration_since(bucket.at).as_secs_f64() / self.refill.as_secs_f64();
        bucket.tokens = (bucket.tokens + refilled).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(self.refill.mul_f64(1.0 - bucket.tokens))
        }
    }

    /// Forgets addresses whose bucket has refilled: they are as good as new.
    fn forget_full(&self, now: Instant) {
        let full_after = self.refill.mul_f64(self.burst);
        self.buckets
            .retain(|_, b| now.duration_since(b.at) < full_after);
    }
}

/// The client's address: the peer's, or when the peer is a trusted proxy, the last address in
/// `X-Forwarded-For` that is not itself a trusted proxy. None when the peer is unknown.
pub fn client_address(parts: &Parts, trusted: &[IpAddr]) -> Option<IpAddr> {
    let ConnectInfo(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>()?;
    Some(forwarded_for(peer.ip(), &parts.headers, trusted))
}

fn forwarded_for(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_bucket_gives_its_burst_then_refuses_with_the_wait() {
        let throttle = AddressThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(throttle.take(ip("10.0.0.1")).is_ok());
        }
        let wait = throttle.take(ip("10.0.0.1")).unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        assert!(
            throttle.take(ip("10.0.0.2")).is_ok(),
            "another address has its own bucket"
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 10.0.0.9".parse().unwrap());
        let proxy = ip("10.0.0.9");
        assert_eq!(
            forwarded_for(ip("5.5.5.5"), &headers, &[proxy]),
            ip("5.5.5.5")
        );
        assert_eq!(forwarded_for(proxy, &headers, &[proxy]), ip("1.2.3.4"));
        assert_eq!(forwarded_for(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }
}
