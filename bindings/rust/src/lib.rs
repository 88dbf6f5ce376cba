// SPDX-License-Identifier: Apache-2.0
//! Host-side networking for microVMs: the Rust API over `libsquibnet`.
//!
//! A VMM emulates a virtio-net card for its guest; this crate is everything
//! behind that card. It hands the frames the guest sent to a backend and
//! gives back the frames for the guest: vmnet.framework (macOS), a
//! userspace helper (gvproxy, passt), a helper socket, a Linux TAP device,
//! an embedded libslirp stack, or loopback.
//!
//! Two layers:
//!
//! - [`VmnetIface`], [`InterfaceParams`], [`VmnetMode`], [`IfaceStats`],
//!   [`IfaceError`], [`BATCH`], [`DEFAULT_START_TIMEOUT`]: the API of the
//!   squib-net 0.2.0 crate, same names and shapes, so a VMM written for it
//!   switches to the C library unchanged (see [`vmnet`](crate::VmnetIface)
//!   for the two differences).
//! - [`Iface`], started from [`Params`] in any [`Mode`]: the whole C API
//!   (readiness fd as [`AsFd`](std::os::unix::io::AsFd), timer, link state
//!   and reason, every counter, multi-queue, virtio-net headers) and its
//!   run-time controls: rate limits as Firecracker's ([`RateLimiter`],
//!   [`Iface::set_rate_limit`], [`Iface::tx_fd`]), pcap capture
//!   ([`Iface::capture_start`]), port forwards ([`Iface::forward_add`]),
//!   the egress policy ([`Iface::set_policy`]), every counter
//!   ([`Iface::stats_ext`]). `VmnetIface` is a thin layer over it.
//!
//! ```
//! use squib_net::{Iface, Mode, Params, VmnetIface, BATCH};
//!
//! let iface = VmnetIface::from(Iface::start(&Params::new("eth0", Mode::Loopback))?);
//! let frame = [0xffu8; 60]; // a guest's broadcast frame
//! assert_eq!(iface.write(&[&frame[..]])?, 1);
//! let mut buf = [0u8; 1514];
//! let mut sizes = [0usize; BATCH];
//! iface.wait(Some(std::time::Duration::from_secs(1)))?;
//! assert_eq!(iface.read(&mut [&mut buf[..]], &mut sizes)?, 1);
//! assert_eq!(sizes[0], 60);
//! assert_eq!(iface.stats().rx_frames, 1);
//! # Ok::<(), squib_net::IfaceError>(())
//! ```
//!
//! Threads: [`Iface`] and [`VmnetIface`] are `Send + Sync`. The library
//! allows one thread in `read` and one in `write` at a time, and every
//! other call alone; the types keep that contract with two internal locks
//! that wait at most for one non-blocking batch (see [`Iface`]).
//!
//! Building: the build script links `libsquibnet` from a Meson build
//! directory named by `SQUIBNET_BUILD_DIR` (e.g.
//! `SQUIBNET_BUILD_DIR=../../build cargo test`), or else finds an installed
//! one with `pkg-config squibnet`.
//!
//! All `unsafe` code is in one private module (`sys`); every other module is
//! `#![forbid(unsafe_code)]`.

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod control;
mod error;
mod iface;
mod mode;
mod params;
mod ratelimit;
mod sys;
mod vmnet;

pub use control::{Capture, CaptureDirection, CaptureStats, PolicyStats};
pub use error::IfaceError;
pub use iface::{Iface, LinkState, Stats, StatsExt, VnetHdr};
pub use mode::{Mode, ModeInfo, VmnetMode};
pub use params::{HelperKind, LogFn, LogLevel, Params};
pub use ratelimit::{RateLimitUpdate, RateLimiter, RateLimits, TokenBucket};
pub use vmnet::{IfaceStats, InterfaceParams, VmnetIface, DEFAULT_START_TIMEOUT};

/// Most frames one read or write moves (`SQN_BATCH`).
pub const BATCH: usize = 32;
/// Smallest Ethernet frame accepted: the header alone (`SQN_FRAME_MIN`).
pub const FRAME_MIN: usize = 14;
/// Largest frame any backend carries (`SQN_FRAME_MAX`): read buffers of
/// this size always fit.
pub const FRAME_MAX: usize = 65535;
/// Smallest MTU accepted (`SQN_MTU_MIN`, IPv4's minimum).
pub const MTU_MIN: u32 = 68;
/// Largest MTU accepted (`SQN_MTU_MAX`).
pub const MTU_MAX: u32 = 65535;
/// Most queue pairs a multi-queue TAP may have (`SQN_MAX_QUEUES`).
pub const MAX_QUEUES: usize = 16;

/// virtio-net feature bits and header values (virtio 1.x), for
/// [`Params::offload_features`] and [`VnetHdr`].
pub mod vnet {
    /// the device takes partially checksummed frames
    pub const F_CSUM: u64 = 1 << 0;
    /// the guest takes partially checksummed frames
    pub const F_GUEST_CSUM: u64 = 1 << 1;
    /// the guest takes TSO IPv4 frames
    pub const F_GUEST_TSO4: u64 = 1 << 7;
    /// the guest takes TSO IPv6 frames
    pub const F_GUEST_TSO6: u64 = 1 << 8;
    /// the guest takes TSO frames with ECN
    pub const F_GUEST_ECN: u64 = 1 << 9;
    /// the guest takes UFO frames
    pub const F_GUEST_UFO: u64 = 1 << 10;
    /// the device takes TSO IPv4 frames
    pub const F_HOST_TSO4: u64 = 1 << 11;
    /// the device takes TSO IPv6 frames
    pub const F_HOST_TSO6: u64 = 1 << 12;
    /// the device takes TSO frames with ECN
    pub const F_HOST_ECN: u64 = 1 << 13;

    /// [`VnetHdr::flags`](crate::VnetHdr::flags): the checksum is to be completed
    pub const HDR_F_NEEDS_CSUM: u8 = 1;
    /// [`VnetHdr::flags`](crate::VnetHdr::flags): the checksum was verified
    pub const HDR_F_DATA_VALID: u8 = 2;
    /// [`VnetHdr::gso_type`](crate::VnetHdr::gso_type): not a GSO frame
    pub const GSO_NONE: u8 = 0;
    /// [`VnetHdr::gso_type`](crate::VnetHdr::gso_type): TCP over IPv4
    pub const GSO_TCPV4: u8 = 1;
    /// [`VnetHdr::gso_type`](crate::VnetHdr::gso_type): TCP over IPv6
    pub const GSO_TCPV6: u8 = 4;
    /// [`VnetHdr::gso_type`](crate::VnetHdr::gso_type): with ECN (or'ed in)
    pub const GSO_ECN: u8 = 0x80;
}

/// The library's version, "MAJOR.MINOR.PATCH" (of the library linked at run
/// time, not of this crate).
#[must_use]
pub fn version() -> &'static str {
    sys::version()
}

/// Parse a MAC, "aa:bb:cc:dd:ee:ff" in any case; the error says what is
/// wrong (how many octets, which one is not two hex digits).
///
/// # Errors
///
/// [`IfaceError::Invalid`] with that message.
pub fn mac_parse(s: &str) -> Result<[u8; 6], IfaceError> {
    sys::mac_parse(s).map_err(|message| IfaceError::Invalid { message })
}

/// Format a MAC in lower case, "aa:bb:cc:dd:ee:ff".
#[must_use]
pub fn mac_format(mac: &[u8; 6]) -> String {
    sys::mac_format(mac)
}

/// A random guest MAC: 06:00 and 4 random bytes (locally administered,
/// unicast).
///
/// # Errors
///
/// [`IfaceError::Os`] if the system gave no random bytes.
pub fn mac_generate() -> Result<[u8; 6], IfaceError> {
    sys::mac_generate().map_err(|errno| IfaceError::Os {
        errno,
        message: format!(
            "no random bytes for a MAC: {}",
            std::io::Error::from_raw_os_error(errno)
        ),
    })
}

/// Whether `id` is a valid interface id, `[A-Za-z0-9_]{1,64}`.
#[must_use]
pub fn iface_id_valid(id: &str) -> bool {
    sys::iface_id_valid(id)
}

/// The deterministic TAP device name for an interface id:
/// `squib-tap-<id>`, shortened by a hash to Linux's 15 characters.
///
/// # Errors
///
/// [`IfaceError::Invalid`] for an invalid interface id.
pub fn tap_name(iface_id: &str) -> Result<String, IfaceError> {
    sys::tap_name(iface_id).map_err(|errno| {
        IfaceError::from_errno(
            errno,
            format!(
                "iface_id \"{}\" is not valid: it must be 1 to 64 of A-Z a-z 0-9 _",
                iface_id.replace('\0', "\\0")
            ),
            None,
        )
    })
}
