// SPDX-License-Identifier: Apache-2.0
//! vmnet.rs - squib-net 0.2.0's API: [`VmnetIface`], [`InterfaceParams`],
//! [`IfaceStats`], as a thin layer over [`Iface`]
//!
//! The names, fields and signatures are those of the 0.2.0 crate, so a VMM
//! written against it builds unchanged, with two differences:
//! [`IfaceError`]'s variants carry the library's message
//! (`IfaceError::NotSupported { .. }` in a pattern), and a stopped
//! interface still answers `stats()`, `mtu()` and `host_mac()` with its
//! final values while `read`/`write` fail with [`IfaceError::Stopped`].
//!
//! What is new: [`VmnetIface`] runs any mode of the library, not only
//! vmnet: `VmnetIface::from(iface)` wraps an [`Iface`] started with
//! [`Params`](crate::Params) (slirp, tap, userspace, ...), and
//! [`VmnetIface::iface`] reaches the general API (readiness fd, link state,
//! every counter).

#![forbid(unsafe_code)]

use std::os::unix::io::{AsRawFd, RawFd};
use std::time::Duration;

use crate::error::IfaceError;
use crate::iface::{Iface, Stats};
use crate::mode::VmnetMode;
use crate::params::Params;

/// How long [`VmnetIface::start`] waits for the backend by default.
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(5);

/// The 0.2.0 counters (a subset of [`Stats`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct IfaceStats {
    /// Total bytes read from the backend since start.
    pub rx_bytes: u64,
    /// Total bytes written to the backend since start.
    pub tx_bytes: u64,
    /// Total frames read from the backend since start.
    pub rx_frames: u64,
    /// Total frames written to the backend since start.
    pub tx_frames: u64,
}

impl From<Stats> for IfaceStats {
    fn from(s: Stats) -> IfaceStats {
        IfaceStats {
            rx_bytes: s.rx_bytes,
            tx_bytes: s.tx_bytes,
            rx_frames: s.rx_frames,
            tx_frames: s.tx_frames,
        }
    }
}

/// Inputs for [`VmnetIface::start`].
#[derive(Debug, Clone)]
pub struct InterfaceParams {
    /// `iface_id` from the `/network-interfaces/{id}` PUT body,
    /// `[A-Za-z0-9_]{1,64}`.
    pub iface_id: String,
    /// Vmnet operating mode.
    pub mode: VmnetMode,
    /// Bridged mode: the physical interface (e.g. `en0`). Ignored for
    /// shared / host modes.
    pub bridged_iface_name: Option<String>,
    /// Explicit MTU; `None`: the backend's.
    pub mtu: Option<u32>,
    /// Wait budget for the backend to come up.
    pub start_timeout: Duration,
    /// Inter-VM isolation; default `true`.
    pub enable_isolation: bool,
}

impl InterfaceParams {
    /// The defaults a VMM wants: no bridge, the backend's MTU,
    /// [`DEFAULT_START_TIMEOUT`], isolation on.
    #[must_use]
    pub fn new(iface_id: impl Into<String>, mode: VmnetMode) -> Self {
        InterfaceParams {
            iface_id: iface_id.into(),
            mode,
            bridged_iface_name: None,
            mtu: None,
            start_timeout: DEFAULT_START_TIMEOUT,
            enable_isolation: true,
        }
    }
}

impl From<&InterfaceParams> for Params {
    fn from(p: &InterfaceParams) -> Params {
        let mut q = Params::new(p.iface_id.clone(), p.mode.as_mode())
            .mtu(p.mtu.unwrap_or(0))
            .start_timeout(p.start_timeout)
            .isolation(p.enable_isolation);
        if let Some(b) = &p.bridged_iface_name {
            q = q.bridged_iface(b.clone());
        }
        q
    }
}

/// An interface with squib-net 0.2.0's calls, over any backend.
///
/// `Send + Sync`: share it between an RX thread calling `read` and a TX
/// thread calling `write` (see [`Iface`] for how the library's threading
/// contract is kept).
#[derive(Debug)]
pub struct VmnetIface {
    iface_id: String,
    mtu: u32,
    host_mac: [u8; 6],
    inner: Option<Iface>,
    last: Stats,
}

impl VmnetIface {
    /// Start the interface, waiting up to `params.start_timeout` for the
    /// backend. A vmnet mode on a platform without vmnet fails with
    /// [`IfaceError::NotSupported`], whose message names the modes that
    /// work here.
    ///
    /// # Errors
    ///
    /// As [`Iface::start`].
    pub fn start(params: InterfaceParams) -> Result<Self, IfaceError> {
        Ok(VmnetIface::from(Iface::start(&Params::from(&params))?))
    }

    /// Operator-supplied iface id.
    #[must_use]
    pub fn iface_id(&self) -> &str {
        &self.iface_id
    }

    /// Negotiated MTU.
    #[must_use]
    pub fn mtu(&self) -> u32 {
        self.mtu
    }

    /// The MAC of the host side of the interface (distinct from the
    /// guest's, which lives in the virtio-net config space).
    #[must_use]
    pub fn host_mac(&self) -> [u8; 6] {
        self.host_mac
    }

    /// Read up to [`BATCH`](crate::BATCH) frames into `frames`; the size of
    /// each is reported in `sizes[i]`. Returns the number delivered (0:
    /// none waiting; poll [`VmnetIface::iface`]'s fd or call
    /// [`VmnetIface::wait`]).
    ///
    /// # Errors
    ///
    /// As [`Iface::read`]; [`IfaceError::Stopped`] after stop.
    pub fn read(&self, frames: &mut [&mut [u8]], sizes: &mut [usize]) -> Result<usize, IfaceError> {
        self.running()?.read(frames, sizes)
    }

    /// Write up to [`BATCH`](crate::BATCH) frames. Returns the number
    /// consumed: passed on, queued, or dropped and counted.
    ///
    /// # Errors
    ///
    /// As [`Iface::write`]; [`IfaceError::Stopped`] after stop.
    pub fn write(&self, frames: &[&[u8]]) -> Result<usize, IfaceError> {
        self.running()?.write(frames)
    }

    /// Wait until frames may be waiting (see [`Iface::wait`]).
    ///
    /// # Errors
    ///
    /// As [`Iface::wait`]; [`IfaceError::Stopped`] after stop.
    pub fn wait(&self, max: Option<Duration>) -> Result<bool, IfaceError> {
        self.running()?.wait(max)
    }

    /// Snapshot of the cumulative stats (the final ones after stop).
    #[must_use]
    pub fn stats(&self) -> IfaceStats {
        self.inner.as_ref().map_or(self.last, Iface::stats).into()
    }

    /// Stop the interface. Idempotent; also done on drop.
    ///
    /// # Errors
    ///
    /// None: stopping cannot fail (the `Result` is 0.2.0's signature).
    pub fn stop(&mut self) -> Result<(), IfaceError> {
        if let Some(iface) = self.inner.take() {
            self.last = iface.stop();
        }
        Ok(())
    }

    /// The general API of the running interface (`None` after stop).
    #[must_use]
    pub fn iface(&self) -> Option<&Iface> {
        self.inner.as_ref()
    }

    /// running() - the interface, or the error read/write give after stop
    fn running(&self) -> Result<&Iface, IfaceError> {
        self.inner.as_ref().ok_or_else(|| IfaceError::Stopped {
            message: format!("{}: the interface is stopped", self.iface_id),
        })
    }
}

impl From<Iface> for VmnetIface {
    /// The 0.2.0 calls over an interface of any mode.
    fn from(iface: Iface) -> VmnetIface {
        VmnetIface {
            iface_id: iface.iface_id().to_string(),
            mtu: iface.mtu(),
            host_mac: iface.host_mac(),
            inner: Some(iface),
            last: Stats::default(),
        }
    }
}

impl AsRawFd for VmnetIface {
    /// The readiness fd; -1 after stop (poll(2) ignores it).
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_ref().map_or(-1, AsRawFd::as_raw_fd)
    }
}

impl Drop for VmnetIface {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}
