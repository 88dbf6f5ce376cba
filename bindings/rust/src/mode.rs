// SPDX-License-Identifier: Apache-2.0
//! mode.rs - [`Mode`], every backend of the library, and [`VmnetMode`],
//! the three of squib-net 0.2.0

#![forbid(unsafe_code)]

use std::fmt;
use std::os::raw::c_int;
use std::str::FromStr;

use crate::error::IfaceError;
use crate::sys;

/// Which backend carries the frames (`enum sqn_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Mode {
    /// vmnet shared on macOS, slirp elsewhere ([`Mode::resolve`] says which)
    #[default]
    Default,
    /// vmnet `VMNET_SHARED_MODE` (NAT), macOS only
    Shared,
    /// vmnet `VMNET_HOST_MODE` (host-only), macOS only
    Host,
    /// vmnet `VMNET_BRIDGED_MODE`, macOS only; needs
    /// [`Params::bridged_iface`](crate::Params::bridged_iface)
    Bridged,
    /// a helper child (gvproxy or passt) over a socketpair
    Userspace,
    /// an already running helper reached by
    /// [`Params::connect_url`](crate::Params::connect_url)
    Socket,
    /// a Linux TAP device named by
    /// [`Params::host_dev_name`](crate::Params::host_dev_name)
    Tap,
    /// libslirp inside this process: NAT, DHCP, DNS; no helper, no privilege
    Slirp,
    /// every frame written comes back on read
    Loopback,
}

impl Mode {
    /// Every mode, in the library's order.
    pub const ALL: [Mode; 9] = [
        Mode::Default,
        Mode::Shared,
        Mode::Host,
        Mode::Bridged,
        Mode::Userspace,
        Mode::Socket,
        Mode::Tap,
        Mode::Slirp,
        Mode::Loopback,
    ];

    /// to_raw() - the C enum value
    pub(crate) fn to_raw(self) -> c_int {
        self as c_int
    }

    /// from_raw() - the mode of a C enum value; Default for one this crate
    /// does not know (a newer library)
    pub(crate) fn from_raw(v: c_int) -> Mode {
        usize::try_from(v)
            .ok()
            .and_then(|i| Mode::ALL.get(i).copied())
            .unwrap_or(Mode::Default)
    }

    /// The mode's name as the command line spells it: "slirp", "tap", ...
    #[must_use]
    pub fn name(self) -> &'static str {
        sys::mode_name(self.to_raw()).unwrap_or("unknown")
    }

    /// Whether this build of the library can start the mode here; `Err`
    /// says why not. A supported mode may still fail to start (no helper
    /// binary, no privilege).
    ///
    /// # Errors
    ///
    /// The library's reason, e.g. "mode shared needs macOS
    /// vmnet.framework".
    pub fn supported(self) -> Result<(), String> {
        sys::mode_supported(self.to_raw())
    }

    /// The mode [`Mode::Default`] stands for here (`Shared` on macOS,
    /// `Slirp` elsewhere); any other mode is itself.
    #[must_use]
    pub fn resolve(self) -> Mode {
        match self {
            Mode::Default => Mode::from_raw(sys::mode_default()),
            m => m,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Mode {
    type Err = IfaceError;

    /// A mode by name: "shared", "host", "bridged", "userspace", "socket",
    /// "tap", "slirp", "loopback" or "default".
    fn from_str(s: &str) -> Result<Mode, IfaceError> {
        sys::mode_parse(s)
            .map(Mode::from_raw)
            .ok_or_else(|| IfaceError::Invalid {
                message: format!(
                    "mode \"{}\" is unknown: use one of default, shared, host, bridged, \
                     userspace, socket, tap, slirp, loopback",
                    s
                ),
            })
    }
}

/// The vmnet operating mode of squib-net 0.2.0's
/// [`InterfaceParams`](crate::InterfaceParams).
///
/// These run on macOS only; elsewhere starting one fails with
/// [`IfaceError::NotSupported`]. To run another backend behind the same
/// [`VmnetIface`](crate::VmnetIface) calls, start an [`Iface`](crate::Iface)
/// in that mode and convert it (`VmnetIface::from(iface)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum VmnetMode {
    /// `VMNET_SHARED_MODE`: NAT through the host
    #[default]
    Shared,
    /// `VMNET_HOST_MODE`: host-only network
    Host,
    /// `VMNET_BRIDGED_MODE`: bridged onto
    /// [`InterfaceParams::bridged_iface_name`](crate::InterfaceParams::bridged_iface_name)
    Bridged,
}

impl VmnetMode {
    /// The library's mode for this vmnet mode.
    #[must_use]
    pub fn as_mode(self) -> Mode {
        match self {
            VmnetMode::Shared => Mode::Shared,
            VmnetMode::Host => Mode::Host,
            VmnetMode::Bridged => Mode::Bridged,
        }
    }
}

impl From<VmnetMode> for Mode {
    fn from(m: VmnetMode) -> Mode {
        m.as_mode()
    }
}

impl fmt::Display for VmnetMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_mode().name())
    }
}
