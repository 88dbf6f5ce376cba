// SPDX-License-Identifier: Apache-2.0
//! iface.rs - [`Iface`], a started interface of any mode, its run-time
//! controls, and what its queries return: [`Stats`], [`StatsExt`],
//! [`LinkState`], [`VnetHdr`]
//!
//! Theory of operation: an `Iface` is running from [`Iface::start`] until
//! it is dropped or [`Iface::stop`] consumes it, so its readiness fd is
//! valid for as long as the `Iface` can be borrowed. All of its calls take
//! `&self` and it is `Send + Sync`: share it (`&Iface` in scoped threads,
//! or an `Arc<Iface>`) between a VMM's RX thread, which calls `read`, and
//! its TX thread, which calls `write`. The library's threading contract
//! (one reader and one writer at once, every other call alone) is enforced
//! inside by two locks that only ever wait for one non-blocking batch: a
//! second reader waits for the first, `stats()` waits for the running read
//! and write to return. The run-time controls (rate limits, capture,
//! forwards, policy) never wait for read or write: the library allows them
//! beside the frame path, and only one of them runs at a time.

#![forbid(unsafe_code)]

use std::fmt;
use std::os::unix::io::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::path::Path;
use std::time::Duration;

use crate::control::{Capture, CaptureStats, PolicyStats};
use crate::error::IfaceError;
use crate::mode::Mode;
use crate::params::Params;
use crate::ratelimit::{RateLimitUpdate, RateLimits};
use crate::sys::{self, Info, RawIface};

/// The counters of an interface since start (`struct sqn_stats`, whose
/// layout it has).
///
/// Every frame a write consumed is counted once:
/// consumed = `tx_frames` + `tx_dropped` + `tx_errors`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct Stats {
    /// frames read by the caller (toward the guest)
    pub rx_frames: u64,
    /// bytes of those frames
    pub rx_bytes: u64,
    /// frames written by the caller and accepted (passed on or queued)
    pub tx_frames: u64,
    /// bytes of those frames
    pub tx_bytes: u64,
    /// frames for the guest dropped (queue full, oldest first)
    pub rx_dropped: u64,
    /// frames written by the caller and dropped by that write
    pub tx_dropped: u64,
    /// malformed frames from the backend
    pub rx_errors: u64,
    /// frames the caller wrote that were refused (too small, too large)
    pub tx_errors: u64,
    /// connections to a helper reset for a protocol violation
    pub conn_resets: u64,
    /// link up/down transitions
    pub link_changes: u64,
    /// userspace helpers restarted after they exited
    pub helper_restarts: u64,
}

/// Every counter of an interface (`struct sqn_stats_ext`): [`Stats`]'s,
/// then the frame path's: rate limiting, capture, egress policy
/// ([`Iface::stats_ext`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatsExt {
    /// the counters of [`Iface::stats`]
    pub stats: Stats,
    /// a capture runs
    pub capturing: bool,
    /// reads in which the rx rate limiter held a frame back (a read while
    /// the direction stays blocked is not counted again)
    pub rx_throttled: u64,
    /// writes the tx rate limiter cut short: frames left with the caller
    /// (0 accepted included)
    pub tx_throttled: u64,
    /// the capture's counters (the running capture's, or the last one's)
    pub capture: CaptureStats,
    /// frames from the guest the egress policy denied (each also counted
    /// in `stats.tx_dropped`; by cause: [`Iface::policy_stats`])
    pub policy_denied: u64,
}

/// Whether the link is up, and why it last changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkState {
    /// the link is up: frames move
    pub up: bool,
    /// the reason of the last change, e.g. "slirp backend started"
    pub reason: String,
}

/// A virtio-net header (virtio 1.x, 12 bytes), host byte order: the
/// offload data of one frame when the interface runs with
/// [`Params::offload`] on. See [`vnet`](crate::vnet) for the values.
/// It has the layout of `struct sqn_vnet_hdr`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct VnetHdr {
    /// `vnet::HDR_F_*`: 1 needs checksum, 2 data valid
    pub flags: u8,
    /// `vnet::GSO_*`: 0 none, 1 TCPv4, 4 TCPv6, 0x80 ECN
    pub gso_type: u8,
    /// length of the headers to copy into each segment
    pub hdr_len: u16,
    /// segment payload size
    pub gso_size: u16,
    /// where checksumming starts
    pub csum_start: u16,
    /// where the checksum goes, from `csum_start`
    pub csum_offset: u16,
    /// merged RX buffers (the VMM's business; passed through)
    pub num_buffers: u16,
}

/// A started interface of any mode.
///
/// ```no_run
/// use squib_net::{Iface, Mode, Params, BATCH, FRAME_MAX};
/// let iface = Iface::start(&Params::new("eth0", Mode::Slirp))?;
/// let mut bufs = vec![vec![0u8; FRAME_MAX]; BATCH];
/// let mut sizes = [0usize; BATCH];
/// loop {
///     iface.wait(None)?; // poll the fd, with the library's timer
///     let mut frames: Vec<&mut [u8]> = bufs.iter_mut().map(|b| &mut b[..]).collect();
///     let n = iface.read(&mut frames, &mut sizes)?;
///     for (f, len) in frames.iter().zip(&sizes).take(n) {
///         // hand &f[..*len] to the guest
///     }
/// }
/// # Ok::<(), squib_net::IfaceError>(())
/// ```
pub struct Iface {
    raw: RawIface,
    info: Info,
}

impl Iface {
    /// Validate `params` and start the interface: either it fully starts or
    /// nothing is left behind (no fd, child or thread).
    ///
    /// On Linux, a userspace helper gets a parent-death signal tied to the
    /// thread that started it (and, after a restart, to the reader thread):
    /// start and read from threads that live as long as the interface.
    ///
    /// # Errors
    ///
    /// [`IfaceError::Invalid`] for a parameter the library refuses (the
    /// message names it), [`IfaceError::NotSupported`] for a mode this
    /// platform or build lacks, [`IfaceError::Timeout`] when the backend
    /// did not come up in time, [`IfaceError::Os`] for what the backend's
    /// system calls failed with.
    pub fn start(params: &Params) -> Result<Iface, IfaceError> {
        let (raw, info) = RawIface::start(params)?;
        Ok(Iface { raw, info })
    }

    /// Take up to [`BATCH`](crate::BATCH) frames bound for the guest into
    /// `frames`; `sizes[i]` gets the length of frame `i`. Never blocks
    /// (`Ok(0)`: nothing waiting); also services the backend's timers and
    /// sockets, so call it when the fd is readable or the timeout passed.
    /// A frame too big for its buffer is never cut: if it is the first,
    /// the call fails with [`IfaceError::FrameTooLarge`] (it stays queued).
    ///
    /// # Errors
    ///
    /// [`IfaceError::FrameTooLarge`] as above; otherwise what the backend
    /// failed with, with the library's message.
    pub fn read(&self, frames: &mut [&mut [u8]], sizes: &mut [usize]) -> Result<usize, IfaceError> {
        self.raw.read(0, frames, sizes, None)
    }

    /// Hand over up to [`BATCH`](crate::BATCH) frames the guest sent.
    /// Never blocks; returns the frames consumed (passed on, queued, or
    /// dropped and counted). A frame shorter than
    /// [`FRAME_MIN`](crate::FRAME_MIN) or longer than [`Iface::max_frame`]
    /// is refused and counted in `tx_errors`.
    ///
    /// # Errors
    ///
    /// Only when nothing could be consumed: [`IfaceError::LinkDown`] while
    /// the link is down, or what the backend failed with.
    pub fn write(&self, frames: &[&[u8]]) -> Result<usize, IfaceError> {
        self.raw.write(0, frames, None)
    }

    /// [`Iface::read`] on queue pair `queue` (multi-queue TAP), with the
    /// frames' virtio-net headers in `vnet` when the interface runs with
    /// offloads (zeroed otherwise).
    ///
    /// # Errors
    ///
    /// As [`Iface::read`]; [`IfaceError::Invalid`] for a queue that does
    /// not exist.
    pub fn read_queue(
        &self,
        queue: usize,
        frames: &mut [&mut [u8]],
        sizes: &mut [usize],
        vnet: Option<&mut [VnetHdr]>,
    ) -> Result<usize, IfaceError> {
        self.raw.read(queue_index(queue), frames, sizes, vnet)
    }

    /// [`Iface::write`] on queue pair `queue`, with the frames' virtio-net
    /// headers in `vnet` (used only with offloads on).
    ///
    /// # Errors
    ///
    /// As [`Iface::write`]; [`IfaceError::Invalid`] for a queue that does
    /// not exist.
    pub fn write_queue(
        &self,
        queue: usize,
        frames: &[&[u8]],
        vnet: Option<&[VnetHdr]>,
    ) -> Result<usize, IfaceError> {
        self.raw.write(queue_index(queue), frames, vnet)
    }

    /// When [`Iface::read`] must be called at the latest even if the fd
    /// stays quiet (the backend's next timer); `None`: no timer.
    #[must_use]
    pub fn timeout(&self) -> Option<Duration> {
        let ms = self.raw.timeout_ms();
        u64::try_from(ms).ok().map(Duration::from_millis)
    }

    /// Wait until the fd is readable or the backend's timer is due, at
    /// most `max` (`None`: no limit but the timer's). Returns whether the
    /// fd is readable; either way, call [`Iface::read`] next.
    ///
    /// # Errors
    ///
    /// [`IfaceError::Os`] if poll(2) fails (a signal is not a failure:
    /// the wait returns `Ok(false)`).
    pub fn wait(&self, max: Option<Duration>) -> Result<bool, IfaceError> {
        let due = self.timeout();
        let limit = match (due, max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        sys::poll_in(self.as_fd(), poll_ms(limit)).map_err(|e| IfaceError::Os {
            errno: e.raw_os_error().unwrap_or(0),
            message: format!("{}: poll: {}", self.info.id, e),
        })
    }

    /// The readiness fd of queue pair `queue` (`None` past the last).
    #[must_use]
    pub fn queue_fd(&self, queue: usize) -> Option<BorrowedFd<'_>> {
        self.raw.fd(&self.info, queue)
    }

    /// Number of queue pairs: 1, or a multi-queue TAP's count.
    #[must_use]
    pub fn queues(&self) -> usize {
        self.info.fds.len()
    }

    /// The interface id given at start.
    #[must_use]
    pub fn iface_id(&self) -> &str {
        &self.info.id
    }

    /// The mode actually running (never [`Mode::Default`]).
    #[must_use]
    pub fn mode(&self) -> Mode {
        Mode::from_raw(self.info.mode)
    }

    /// The negotiated MTU, never 0.
    #[must_use]
    pub fn mtu(&self) -> u32 {
        self.info.mtu
    }

    /// The largest frame either direction carries; a read buffer of this
    /// size always fits. At most [`FRAME_MAX`](crate::FRAME_MAX).
    #[must_use]
    pub fn max_frame(&self) -> usize {
        self.info.max_frame as usize
    }

    /// The host side's MAC (gateway, vmnet interface).
    #[must_use]
    pub fn host_mac(&self) -> [u8; 6] {
        self.info.host_mac
    }

    /// The guest's MAC (given, or generated at start).
    #[must_use]
    pub fn guest_mac(&self) -> [u8; 6] {
        self.info.guest_mac
    }

    /// Whether frames carry a virtio-net header ([`Params::offload`]).
    #[must_use]
    pub fn offload(&self) -> bool {
        self.info.offload
    }

    /// The link state, with the reason of its last change.
    #[must_use]
    pub fn link(&self) -> LinkState {
        let (up, reason) = self.raw.link();
        LinkState { up, reason }
    }

    /// The counters.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.raw.stats()
    }

    /// Every counter: [`Iface::stats`]'s, and the frame path's (frames
    /// throttled, captured, denied by the egress policy).
    #[must_use]
    pub fn stats_ext(&self) -> StatsExt {
        self.raw.stats_ext()
    }

    /// Change rate limits at run time, as Firecracker's `PATCH
    /// /network-interfaces/{id}`: each bucket `u` names is replaced by a
    /// new, full one (or disabled), the others keep their state; a
    /// direction blocked by its limiter stays blocked until its deadline.
    ///
    /// Throttling never drops and never blocks the caller: [`Iface::write`]
    /// takes fewer frames (0 included) and leaves the rest with the caller,
    /// to be written again after [`Iface::tx_wait`] or when
    /// [`Iface::tx_fd`] turns readable; [`Iface::read`] returns fewer
    /// while frames wait in the backend's queue, and the readiness fd stays
    /// quiet until the limiter lets them through. May be called from any
    /// thread while others read and write; it never waits for them.
    ///
    /// An interface takes limits at run time only if it was started ready
    /// for them: with a limiter in [`Params::rx_rate_limiter`] or
    /// [`Params::tx_rate_limiter`] for that direction, or with
    /// [`Params::live_controls`].
    ///
    /// # Errors
    ///
    /// [`IfaceError::NotSupported`] when the interface was not started
    /// ready for limits, [`IfaceError::Invalid`] for a bucket the library
    /// refuses (a refill time too long), each with the library's message.
    pub fn set_rate_limit(&self, u: &RateLimitUpdate) -> Result<(), IfaceError> {
        self.raw.set_rate_limit(*u)
    }

    /// The rate limits in force: each bucket's size, configured burst and
    /// refill time, zero where disabled.
    #[must_use]
    pub fn rate_limit(&self) -> RateLimits {
        self.raw.rate_limit()
    }

    /// When a write the tx rate limiter cut short may be retried (at least
    /// a millisecond); `None` while it lets frames through, or when no tx
    /// limit is set.
    #[must_use]
    pub fn tx_wait(&self) -> Option<Duration> {
        let ms = self.raw.tx_wait_ms();
        u64::try_from(ms).ok().map(Duration::from_millis)
    }

    /// A descriptor for a VMM's TX thread to poll beside the guest's kick:
    /// it turns readable when the tx rate limiter, having cut a write
    /// short, lets frames through again (Firecracker's tx rate limiter
    /// event); the next [`Iface::write`] clears it. `None` when the
    /// interface was started with neither a tx limiter nor
    /// [`Params::live_controls`]: writes are never cut short then.
    #[must_use]
    pub fn tx_fd(&self) -> Option<BorrowedFd<'_>> {
        self.raw.tx_fd(&self.info)
    }

    /// Wait until [`Iface::tx_fd`] is readable (the tx rate limiter lets
    /// frames through again), at most `max` (`None`: no limit). Returns
    /// whether it is; `Ok(true)` at once when the interface has no tx fd,
    /// as writes are never cut short then. A TX thread that also waits for
    /// the guest's kick polls [`Iface::tx_fd`] itself instead.
    ///
    /// # Errors
    ///
    /// [`IfaceError::Os`] if poll(2) fails (a signal is not a failure:
    /// the wait returns `Ok(false)`).
    pub fn wait_tx(&self, max: Option<Duration>) -> Result<bool, IfaceError> {
        let fd = match self.tx_fd() {
            Some(fd) => fd,
            None => return Ok(true),
        };
        sys::poll_in(fd, poll_ms(max)).map_err(|e| IfaceError::Os {
            errno: e.raw_os_error().unwrap_or(0),
            message: format!("{}: poll of the tx fd: {}", self.info.id, e),
        })
    }

    /// Start a pcap capture to `path` (created 0600, or truncated) of both
    /// directions, keeping `snaplen` bytes of each frame (14..262144; 0:
    /// 65535, all). See [`Iface::capture_start_with`].
    ///
    /// # Errors
    ///
    /// As [`Iface::capture_start_with`].
    pub fn capture_start(&self, path: impl AsRef<Path>, snaplen: u32) -> Result<(), IfaceError> {
        self.capture_start_with(&Capture::new(path.as_ref()).snaplen(snaplen))
    }

    /// Start a pcap capture: frames are taken where the counters count
    /// them, what [`Iface::read`] returns (rx) and what [`Iface::write`]
    /// passed on (tx), without their virtio-net header. The frame path
    /// never waits on the file: a thread of the library writes a bounded
    /// buffer out, and frames that do not fit it are dropped and counted.
    /// One capture at a time; may be called while others read and write.
    ///
    /// # Errors
    ///
    /// [`IfaceError::Invalid`] for a bad snaplen or buffer size (or a path
    /// with a NUL byte), [`IfaceError::Os`] with `EBUSY` while a capture
    /// runs, or with what opening the file failed with; each with the
    /// library's message.
    pub fn capture_start_with(&self, cap: &Capture) -> Result<(), IfaceError> {
        self.raw.capture_start(cap)
    }

    /// Stop the capture: wait for the buffer to be written out and the
    /// file closed; returns the capture's counters. Dropping or stopping
    /// the interface stops a running capture too.
    ///
    /// # Errors
    ///
    /// [`IfaceError::Os`] with `ENOENT` when no capture runs, with the
    /// library's message.
    pub fn capture_stop(&self) -> Result<CaptureStats, IfaceError> {
        self.raw.capture_stop()
    }

    /// Add a host port forward at run time,
    /// `tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport` as
    /// [`Params::forward`] spells it; the host port listens at once.
    /// Modes whose [`ModeInfo::live_forwards`](crate::ModeInfo::live_forwards)
    /// is true (slirp) take it. May be called while others read and write.
    ///
    /// # Errors
    ///
    /// [`IfaceError::Invalid`] for a bad spec, [`IfaceError::Os`] with what
    /// listening failed with (`EADDRINUSE`), [`IfaceError::NotSupported`] in
    /// a mode without forwards at run time (the message says what that
    /// mode's own means are); each with the library's message.
    pub fn forward_add(&self, spec: &str) -> Result<(), IfaceError> {
        self.raw.forward(spec, true)
    }

    /// Remove a host port forward at run time: `spec`'s protocol, host
    /// address and host port say which. The port stops listening;
    /// connections already forwarded go on.
    ///
    /// # Errors
    ///
    /// [`IfaceError::Os`] with `ENOENT` when there is no such forward, and
    /// as [`Iface::forward_add`]; each with the library's message.
    pub fn forward_remove(&self, spec: &str) -> Result<(), IfaceError> {
        self.raw.forward(spec, false)
    }

    /// Replace the egress policy: `rules` as [`Params::policy_rule`] spells
    /// them (`allow-host=pypi.org`, `allow-net=10.1.0.0/16:5432`,
    /// `deny-all`, ...); none turns the policy off. The switch is atomic:
    /// a frame is judged wholly by the old rules or wholly by the new;
    /// addresses learnt from DNS stay allowed while their name still is.
    /// May be called while others read and write.
    ///
    /// An interface started without rules takes a policy only if it was
    /// started with [`Params::live_controls`] (the replies to the guest
    /// need the library's own readiness fds).
    ///
    /// # Errors
    ///
    /// With the old policy still in force: [`IfaceError::Invalid`] for a
    /// rule refused (the message names it and says what is wrong),
    /// [`IfaceError::NotSupported`] when the interface was not started
    /// ready for a policy.
    pub fn set_policy<S: AsRef<str>>(&self, rules: &[S]) -> Result<(), IfaceError> {
        let rules: Vec<String> = rules.iter().map(|r| r.as_ref().to_string()).collect();
        self.raw.set_policy(&rules)
    }

    /// The egress policy's counters, by cause; all 0 when the interface
    /// never had a policy.
    #[must_use]
    pub fn policy_stats(&self) -> PolicyStats {
        self.raw.policy_stats()
    }

    /// The message of the most recent failure ("" if none).
    #[must_use]
    pub fn last_error(&self) -> String {
        self.raw.last_error()
    }

    /// Stop the interface (reap its helper, close every fd, join its
    /// threads) and free it; returns the final counters. Dropping an
    /// `Iface` stops it too.
    pub fn stop(self) -> Stats {
        self.raw.finish()
    }
}

/// poll_ms() - a wait as poll(2)'s timeout: milliseconds rounded up, -1
/// for none
fn poll_ms(limit: Option<Duration>) -> i32 {
    limit.map_or(-1, |d| {
        i32::try_from((d.as_nanos() + 999_999) / 1_000_000).unwrap_or(i32::MAX)
    })
}

/// queue_index() - a queue index for the C call (out of range stays so)
fn queue_index(q: usize) -> u32 {
    u32::try_from(q).unwrap_or(u32::MAX)
}

impl AsFd for Iface {
    /// The descriptor to poll for readability (queue pair 0).
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.raw
            .fd(&self.info, 0)
            .expect("a started interface has a readiness fd")
    }
}

impl AsRawFd for Iface {
    fn as_raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }
}

impl fmt::Debug for Iface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iface")
            .field("iface_id", &self.info.id)
            .field("mode", &self.mode())
            .field("mtu", &self.info.mtu)
            .field("fd", &self.info.fds.first())
            .finish()
    }
}
