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

    /// What the mode is and can do, and whether it can run here; for
    /// [`Mode::Default`], this platform's default mode.
    #[must_use]
    pub fn info(self) -> ModeInfo {
        sys::mode_info(self.to_raw()).unwrap_or_else(|| ModeInfo {
            mode: self,
            name: self.name().to_string(),
            summary: String::new(),
            platform: String::new(),
            flags: 0,
            uses: 0,
            needs: 0,
            supported: false,
            why_not: format!("the library does not describe mode {}", self.name()),
        })
    }
}

/// What a mode is and what it can do (`struct sqn_mode_info`), from the
/// library's own table of modes, so a caller never decides by a mode's
/// name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModeInfo {
    /// the mode described ([`Mode::Default`] resolved)
    pub mode: Mode,
    /// as the command line spells it ("slirp")
    pub name: String,
    /// the backend in a few words ("libslirp in this process")
    pub summary: String,
    /// where it can run: "any", "Linux" or "macOS"
    pub platform: String,
    /// [`ModeInfo::HAS_DHCP`], [`ModeInfo::ONE_LOCK`],
    /// [`ModeInfo::LARGE_FRAMES`], [`ModeInfo::LIVE_FORWARDS`]
    pub flags: u32,
    /// the `PARAMS_*` groups of [`Params`](crate::Params) it reads
    pub uses: u32,
    /// the `PARAMS_*` groups it cannot start without (a subset of `uses`)
    pub needs: u32,
    /// whether this build on this platform can start it (it may still fail
    /// for want of a helper or a privilege)
    pub supported: bool,
    /// why not, when not supported; else ""
    pub why_not: String,
}

impl ModeInfo {
    /// The backend answers the guest's DHCP: a guest can ask it for an
    /// address.
    pub const HAS_DHCP: u32 = 1 << 0;
    /// Read and write serialise on one lock inside the backend: a separate
    /// TX thread buys no parallelism.
    pub const ONE_LOCK: u32 = 1 << 1;
    /// Carries frames up to [`FRAME_MAX`](crate::FRAME_MAX) whatever the
    /// MTU.
    pub const LARGE_FRAMES: u32 = 1 << 2;
    /// Host port forwards can be added and removed on a running interface.
    pub const LIVE_FORWARDS: u32 = 1 << 3;
    /// helper, helper_path, helper_arg, helper_restart, helper_env,
    /// reconnect_max
    pub const PARAMS_HELPER: u32 = 1 << 0;
    /// connect_url, reconnect_max
    pub const PARAMS_URL: u32 = 1 << 1;
    /// host_dev_name, tap_create
    pub const PARAMS_DEVICE: u32 = 1 << 2;
    /// tap_queues
    pub const PARAMS_QUEUES: u32 = 1 << 3;
    /// offload, offload_features (virtio-net offloads are supported)
    pub const PARAMS_OFFLOAD: u32 = 1 << 4;
    /// slirp_*, dns_search, forward
    pub const PARAMS_SLIRP: u32 = 1 << 5;
    /// bridged_iface
    pub const PARAMS_BRIDGED: u32 = 1 << 6;

    /// Whether the backend answers the guest's DHCP.
    #[must_use]
    pub fn has_dhcp(&self) -> bool {
        self.flags & Self::HAS_DHCP != 0
    }

    /// Whether read and write serialise inside the backend.
    #[must_use]
    pub fn one_lock(&self) -> bool {
        self.flags & Self::ONE_LOCK != 0
    }

    /// Whether host port forwards can be added and removed on a running
    /// interface ([`Iface::forward_add`](crate::Iface::forward_add)).
    #[must_use]
    pub fn live_forwards(&self) -> bool {
        self.flags & Self::LIVE_FORWARDS != 0
    }

    /// Whether virtio-net offloads ([`Params::offload`](crate::Params::offload))
    /// are supported.
    #[must_use]
    pub fn offload(&self) -> bool {
        self.uses & Self::PARAMS_OFFLOAD != 0
    }
}

/// The C names of ModeInfo's constants, for the layout test.
#[cfg(test)]
pub(crate) const FLAG_NAMES: &[(&str, u32)] = &[
    ("SQN_MODE_HAS_DHCP", ModeInfo::HAS_DHCP),
    ("SQN_MODE_ONE_LOCK", ModeInfo::ONE_LOCK),
    ("SQN_MODE_LARGE_FRAMES", ModeInfo::LARGE_FRAMES),
    ("SQN_MODE_LIVE_FORWARDS", ModeInfo::LIVE_FORWARDS),
    ("SQN_PARAMS_HELPER", ModeInfo::PARAMS_HELPER),
    ("SQN_PARAMS_URL", ModeInfo::PARAMS_URL),
    ("SQN_PARAMS_DEVICE", ModeInfo::PARAMS_DEVICE),
    ("SQN_PARAMS_QUEUES", ModeInfo::PARAMS_QUEUES),
    ("SQN_PARAMS_OFFLOAD", ModeInfo::PARAMS_OFFLOAD),
    ("SQN_PARAMS_SLIRP", ModeInfo::PARAMS_SLIRP),
    ("SQN_PARAMS_BRIDGED", ModeInfo::PARAMS_BRIDGED),
];

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
