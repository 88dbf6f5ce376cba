// SPDX-License-Identifier: Apache-2.0
//! ratelimit.rs - rate limits as Firecracker spells them: [`TokenBucket`],
//! [`RateLimiter`], and what [`Iface::set_rate_limit`](crate::Iface::set_rate_limit)
//! takes and [`Iface::rate_limit`](crate::Iface::rate_limit) gives
//!
//! Theory of operation: a direction (rx toward the guest, tx from it) has
//! one limiter of two token buckets, one counting bytes (bandwidth), one
//! frames (ops). A frame passes when both allow it. Throttling never drops
//! and never blocks: a write takes fewer frames (the rest stay with the
//! caller), a read returns fewer (the rest wait in the backend's queue).
//! [`TokenBucket`] and [`RateLimiter`] have the layout of `struct
//! sqn_bucket` and `struct sqn_rate_limiter` (the layout test checks it).

#![forbid(unsafe_code)]

use std::time::Duration;

/// A token bucket, as Firecracker's `TokenBucketConfig` (`struct
/// sqn_bucket`, whose layout it has).
///
/// The rate is `size` tokens per `refill_time_ms`; a bucket starts full.
/// Tokens are bytes in a [`RateLimiter::bandwidth`] bucket (a frame costs
/// its Ethernet length, a virtio-net header is not charged) and frames in
/// a [`RateLimiter::ops`] bucket. A `size` or `refill_time_ms` of 0
/// disables the bucket (the default: [`TokenBucket::default`] limits
/// nothing).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct TokenBucket {
    /// tokens the bucket holds; 0 disables it
    pub size: u64,
    /// extra tokens, spent first and never refilled
    pub one_time_burst: u64,
    /// milliseconds to refill an empty bucket; 0 disables it
    pub refill_time_ms: u64,
}

impl TokenBucket {
    /// A bucket of `size` tokens refilled in `refill_time` (rounded up to
    /// a millisecond), no one-time burst.
    #[must_use]
    pub fn new(size: u64, refill_time: Duration) -> Self {
        let ms = (refill_time.as_nanos() + 999_999) / 1_000_000;
        TokenBucket {
            size,
            one_time_burst: 0,
            refill_time_ms: u64::try_from(ms).unwrap_or(u64::MAX),
        }
    }

    /// The same bucket with `tokens` of one-time burst.
    #[must_use]
    pub fn with_burst(mut self, tokens: u64) -> Self {
        self.one_time_burst = tokens;
        self
    }

    /// Whether the bucket is disabled (a size or refill time of 0).
    #[must_use]
    pub fn is_disabled(&self) -> bool {
        self.size == 0 || self.refill_time_ms == 0
    }
}

/// One direction's limiter, as Firecracker's `RateLimiterConfig` (`struct
/// sqn_rate_limiter`, whose layout it has).
///
/// The semantics are Firecracker's: a frame a bucket refuses blocks the
/// direction for 100 ms, the retry granularity; a frame larger than a
/// bucket's size passes and blocks the direction for the time its excess
/// takes to refill, so size a bandwidth bucket for the largest frame
/// ([`Iface::max_frame`](crate::Iface::max_frame)). The default limits
/// nothing.
///
/// ```
/// use squib_net::{RateLimiter, TokenBucket};
/// use std::time::Duration;
/// // 10 Mbit/s with a 1 MB burst, and at most 1000 frames a second
/// let l = RateLimiter::new(
///     TokenBucket::new(125_000, Duration::from_millis(100)).with_burst(1_000_000),
///     TokenBucket::new(1000, Duration::from_secs(1)),
/// );
/// assert!(!l.is_unlimited());
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct RateLimiter {
    /// bytes: a frame costs its Ethernet length
    pub bandwidth: TokenBucket,
    /// frames: a frame costs 1
    pub ops: TokenBucket,
}

impl RateLimiter {
    /// A limiter of these two buckets (either may be
    /// [`TokenBucket::default`], disabled).
    #[must_use]
    pub fn new(bandwidth: TokenBucket, ops: TokenBucket) -> Self {
        RateLimiter { bandwidth, ops }
    }

    /// A limiter of bytes only.
    #[must_use]
    pub fn bandwidth(bucket: TokenBucket) -> Self {
        RateLimiter {
            bandwidth: bucket,
            ops: TokenBucket::default(),
        }
    }

    /// A limiter of frames only.
    #[must_use]
    pub fn ops(bucket: TokenBucket) -> Self {
        RateLimiter {
            bandwidth: TokenBucket::default(),
            ops: bucket,
        }
    }

    /// Whether both buckets are disabled: the limiter limits nothing.
    #[must_use]
    pub fn is_unlimited(&self) -> bool {
        self.bandwidth.is_disabled() && self.ops.is_disabled()
    }
}

/// The rate limits in force on an interface
/// ([`Iface::rate_limit`](crate::Iface::rate_limit)): each bucket's size,
/// configured burst and refill time, zero where disabled.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimits {
    /// toward the guest: what reads return
    pub rx: RateLimiter,
    /// from the guest: what writes take
    pub tx: RateLimiter,
}

/// A change of rate limits at run time, as Firecracker's `PATCH
/// /network-interfaces/{id}` body
/// ([`Iface::set_rate_limit`](crate::Iface::set_rate_limit)).
///
/// Each bucket is `None` (kept, with its state), or `Some` bucket that
/// replaces it with a new, full one (its one-time burst fresh); `Some` of
/// a disabled bucket ([`TokenBucket::default`]) removes the limit.
///
/// ```
/// use squib_net::{RateLimitUpdate, RateLimiter, TokenBucket};
/// use std::time::Duration;
/// // tx: 1000 frames a second, its bandwidth bucket left as it is;
/// // rx: both buckets replaced (here: no limit)
/// let u = RateLimitUpdate {
///     tx_ops: Some(TokenBucket::new(1000, Duration::from_secs(1))),
///     ..RateLimitUpdate::default()
/// }
/// .with_rx(RateLimiter::default());
/// assert!(u.rx_bandwidth.is_some() && u.tx_bandwidth.is_none());
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimitUpdate {
    /// the rx bytes bucket, or `None` to keep it
    pub rx_bandwidth: Option<TokenBucket>,
    /// the rx frames bucket, or `None` to keep it
    pub rx_ops: Option<TokenBucket>,
    /// the tx bytes bucket, or `None` to keep it
    pub tx_bandwidth: Option<TokenBucket>,
    /// the tx frames bucket, or `None` to keep it
    pub tx_ops: Option<TokenBucket>,
}

/// `SQN_LIMIT_*`: which buckets `sqn_iface_set_rate_limit()` replaces.
pub(crate) mod which {
    /// SQN_LIMIT_RX_BANDWIDTH
    pub const RX_BANDWIDTH: u32 = 1 << 0;
    /// SQN_LIMIT_RX_OPS
    pub const RX_OPS: u32 = 1 << 1;
    /// SQN_LIMIT_TX_BANDWIDTH
    pub const TX_BANDWIDTH: u32 = 1 << 2;
    /// SQN_LIMIT_TX_OPS
    pub const TX_OPS: u32 = 1 << 3;
}

impl RateLimitUpdate {
    /// An update that replaces both rx buckets with `rx`'s.
    #[must_use]
    pub fn rx(rx: RateLimiter) -> Self {
        RateLimitUpdate::default().with_rx(rx)
    }

    /// An update that replaces both tx buckets with `tx`'s.
    #[must_use]
    pub fn tx(tx: RateLimiter) -> Self {
        RateLimitUpdate::default().with_tx(tx)
    }

    /// This update, replacing both rx buckets with `rx`'s too.
    #[must_use]
    pub fn with_rx(mut self, rx: RateLimiter) -> Self {
        self.rx_bandwidth = Some(rx.bandwidth);
        self.rx_ops = Some(rx.ops);
        self
    }

    /// This update, replacing both tx buckets with `tx`'s too.
    #[must_use]
    pub fn with_tx(mut self, tx: RateLimiter) -> Self {
        self.tx_bandwidth = Some(tx.bandwidth);
        self.tx_ops = Some(tx.ops);
        self
    }

    /// to_c() - the `which` bits and the two limiters of the C call
    pub(crate) fn to_c(self) -> (u32, RateLimiter, RateLimiter) {
        let mut bits = 0;
        let (mut rx, mut tx) = (RateLimiter::default(), RateLimiter::default());
        let mut take = |b: Option<TokenBucket>, bit: u32, into: &mut TokenBucket| {
            if let Some(b) = b {
                bits |= bit;
                *into = b;
            }
        };
        take(self.rx_bandwidth, which::RX_BANDWIDTH, &mut rx.bandwidth);
        take(self.rx_ops, which::RX_OPS, &mut rx.ops);
        take(self.tx_bandwidth, which::TX_BANDWIDTH, &mut tx.bandwidth);
        take(self.tx_ops, which::TX_OPS, &mut tx.ops);
        (bits, rx, tx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_bits() {
        let b = TokenBucket::new(5, Duration::from_micros(1500));
        assert_eq!(b.refill_time_ms, 2, "rounded up");
        assert_eq!(RateLimitUpdate::default().to_c().0, 0);
        let (bits, rx, tx) = RateLimitUpdate::rx(RateLimiter::ops(b)).to_c();
        assert_eq!(bits, which::RX_BANDWIDTH | which::RX_OPS);
        assert_eq!((rx.ops, tx), (b, RateLimiter::default()));
        let u = RateLimitUpdate {
            tx_ops: Some(b),
            ..RateLimitUpdate::default()
        };
        let (bits, _, tx) = u.to_c();
        assert_eq!((bits, tx.ops), (which::TX_OPS, b));
        assert!(RateLimiter::default().is_unlimited());
        assert!(!RateLimiter::bandwidth(b).is_unlimited());
        assert!(TokenBucket::new(0, Duration::from_secs(1)).is_disabled());
    }
}
