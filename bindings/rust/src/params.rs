// SPDX-License-Identifier: Apache-2.0
//! params.rs - [`Params`], what [`Iface::start`](crate::Iface::start) needs:
//! a builder over `struct sqn_params`

#![forbid(unsafe_code)]

use std::fmt;
use std::os::raw::c_int;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::IfaceError;
use crate::iface::Iface;
use crate::mode::Mode;
use crate::ratelimit::RateLimiter;

/// Severity of a log line, most severe first (`enum sqn_log_level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum LogLevel {
    /// errors only (the library's default)
    #[default]
    Error = 0,
    /// and warnings
    Warn = 1,
    /// and informational lines (start, stop, link changes)
    Info = 2,
    /// everything
    Debug = 3,
}

impl LogLevel {
    /// from_raw() - the level of a C value (Debug past the known ones)
    pub(crate) fn from_raw(v: c_int) -> LogLevel {
        match v {
            0 => LogLevel::Error,
            1 => LogLevel::Warn,
            2 => LogLevel::Info,
            _ => LogLevel::Debug,
        }
    }
}

/// Which helper [`Mode::Userspace`] runs (`enum sqn_helper_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HelperKind {
    /// gvproxy if one is found, else passt
    #[default]
    Default = 0,
    /// gvproxy `-listen-stdio accept` (u16 little-endian framing)
    Gvproxy = 1,
    /// passt `--fd` (u32 big-endian framing)
    Passt = 2,
}

/// The log callback: called from whichever thread hit the event (a reader,
/// a writer, or a backend's own thread); it must not call back into the
/// interface. A panic in it is caught and ignored.
pub type LogFn = Arc<dyn Fn(LogLevel, &str) + Send + Sync + 'static>;

/// What [`Iface::start`] needs. Every setting left alone is the library's
/// default; [`Params::new`] and the builder methods set the rest.
///
/// ```no_run
/// use squib_net::{Iface, Mode, Params};
/// let iface = Iface::start(
///     &Params::new("eth0", Mode::Slirp)
///         .mtu(1500)
///         .forward("tcp:127.0.0.1:8080-:80"),
/// )?;
/// # Ok::<(), squib_net::IfaceError>(())
/// ```
#[derive(Clone)]
pub struct Params {
    pub(crate) iface_id: String,
    pub(crate) mode: Mode,
    pub(crate) bridged_iface: Option<String>,
    pub(crate) mtu: u32,
    pub(crate) start_timeout: Duration,
    pub(crate) isolation: Option<bool>,
    pub(crate) guest_mac: Option<[u8; 6]>,
    pub(crate) log: Option<LogFn>,
    pub(crate) log_level: LogLevel,
    pub(crate) rx_queue_len: u32,
    pub(crate) tx_queue_len: u32,
    pub(crate) max_frame: u32,
    pub(crate) helper: HelperKind,
    pub(crate) helper_path: Option<PathBuf>,
    pub(crate) helper_args: Vec<String>,
    pub(crate) helper_restart: Option<bool>,
    pub(crate) helper_env: Option<bool>,
    pub(crate) connect_url: Option<String>,
    pub(crate) host_dev_name: Option<String>,
    pub(crate) tap_create: Option<bool>,
    pub(crate) tap_queues: u32,
    pub(crate) offload: Option<bool>,
    pub(crate) offload_features: u64,
    pub(crate) slirp_net: Option<String>,
    pub(crate) slirp_host: Option<String>,
    pub(crate) slirp_dns: Option<String>,
    pub(crate) slirp_dhcp_start: Option<String>,
    pub(crate) slirp_ipv6: Option<bool>,
    pub(crate) slirp_restrict: Option<bool>,
    pub(crate) dns_search: Vec<String>,
    pub(crate) forwards: Vec<String>,
    pub(crate) reconnect_max: u32,
    pub(crate) rx_rate_limiter: RateLimiter,
    pub(crate) tx_rate_limiter: RateLimiter,
    pub(crate) live_controls: Option<bool>,
    pub(crate) policy_rules: Vec<String>,
}

impl Params {
    /// Parameters for interface `iface_id` (`[A-Za-z0-9_]{1,64}`, e.g.
    /// "eth0") in `mode`, everything else the library's default.
    #[must_use]
    pub fn new(iface_id: impl Into<String>, mode: Mode) -> Self {
        Params {
            iface_id: iface_id.into(),
            mode,
            bridged_iface: None,
            mtu: 0,
            start_timeout: Duration::ZERO,
            isolation: None,
            guest_mac: None,
            log: None,
            log_level: LogLevel::Error,
            rx_queue_len: 0,
            tx_queue_len: 0,
            max_frame: 0,
            helper: HelperKind::Default,
            helper_path: None,
            helper_args: Vec::new(),
            helper_restart: None,
            helper_env: None,
            connect_url: None,
            host_dev_name: None,
            tap_create: None,
            tap_queues: 0,
            offload: None,
            offload_features: 0,
            slirp_net: None,
            slirp_host: None,
            slirp_dns: None,
            slirp_dhcp_start: None,
            slirp_ipv6: None,
            slirp_restrict: None,
            dns_search: Vec::new(),
            forwards: Vec::new(),
            reconnect_max: 0,
            rx_rate_limiter: RateLimiter::default(),
            tx_rate_limiter: RateLimiter::default(),
            live_controls: None,
            policy_rules: Vec::new(),
        }
    }

    /// Start an interface with these parameters ([`Iface::start`]).
    ///
    /// # Errors
    ///
    /// As [`Iface::start`].
    pub fn start(&self) -> Result<Iface, IfaceError> {
        Iface::start(self)
    }

    /// The interface id.
    #[must_use]
    pub fn iface_id(&self) -> &str {
        &self.iface_id
    }

    /// The mode.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Bridged mode: the host interface to bridge onto, e.g. "en0".
    #[must_use]
    pub fn bridged_iface(mut self, name: impl Into<String>) -> Self {
        self.bridged_iface = Some(name.into());
        self
    }

    /// MTU, 68..65535; 0 (the default): the backend's own.
    #[must_use]
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = mtu;
        self
    }

    /// How long start may wait for the backend (at most 10 minutes),
    /// rounded up to a millisecond; zero (the default): 5 s.
    #[must_use]
    pub fn start_timeout(mut self, t: Duration) -> Self {
        self.start_timeout = t;
        self
    }

    /// Whether guests are isolated from each other (vmnet); default on.
    #[must_use]
    pub fn isolation(mut self, on: bool) -> Self {
        self.isolation = Some(on);
        self
    }

    /// The guest's MAC (unicast); default: 06:00 and 4 random bytes.
    #[must_use]
    pub fn guest_mac(mut self, mac: [u8; 6]) -> Self {
        self.guest_mac = Some(mac);
        self
    }

    /// A log callback (see [`LogFn`]) and the most verbose level it gets.
    #[must_use]
    pub fn log<F>(mut self, level: LogLevel, f: F) -> Self
    where
        F: Fn(LogLevel, &str) + Send + Sync + 'static,
    {
        self.log = Some(Arc::new(f));
        self.log_level = level;
        self
    }

    /// Frames held for the guest before the oldest drops; 0: 256.
    #[must_use]
    pub fn rx_queue_len(mut self, n: u32) -> Self {
        self.rx_queue_len = n;
        self
    }

    /// Frames held for the backend before drops; 0: 256.
    #[must_use]
    pub fn tx_queue_len(mut self, n: u32) -> Self {
        self.tx_queue_len = n;
        self
    }

    /// Largest frame either way, 14..65536; 0: the mode's default.
    #[must_use]
    pub fn max_frame(mut self, n: u32) -> Self {
        self.max_frame = n;
        self
    }

    /// Userspace: which helper to run.
    #[must_use]
    pub fn helper(mut self, kind: HelperKind) -> Self {
        self.helper = kind;
        self
    }

    /// Userspace: the helper binary; default: `$SQUIBNET_GVPROXY` or
    /// `$SQUIBNET_PASST`, then `PATH` and libexec directories.
    #[must_use]
    pub fn helper_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.helper_path = Some(path.into());
        self
    }

    /// Userspace: one more argument for the helper (at most 32).
    #[must_use]
    pub fn helper_arg(mut self, arg: impl Into<String>) -> Self {
        self.helper_args.push(arg.into());
        self
    }

    /// Userspace: restart a helper that exits, with backoff. The restart
    /// runs inside [`Iface::read`], on the reader's thread (on Linux the
    /// helper then dies with that thread: see `squibnet.h`).
    #[must_use]
    pub fn helper_restart(mut self, on: bool) -> Self {
        self.helper_restart = Some(on);
        self
    }

    /// Userspace: pass this process's environment to the helper (default:
    /// a minimal one).
    #[must_use]
    pub fn helper_env(mut self, on: bool) -> Self {
        self.helper_env = Some(on);
        self
    }

    /// Socket: `unix:///path`, `unixgram:///path` or `unixpacket:///path`.
    #[must_use]
    pub fn connect_url(mut self, url: impl Into<String>) -> Self {
        self.connect_url = Some(url.into());
        self
    }

    /// Tap: the TAP device's name.
    #[must_use]
    pub fn host_dev_name(mut self, name: impl Into<String>) -> Self {
        self.host_dev_name = Some(name.into());
        self
    }

    /// Tap: create the device if it is missing.
    #[must_use]
    pub fn tap_create(mut self, on: bool) -> Self {
        self.tap_create = Some(on);
        self
    }

    /// Tap: queue pairs (multi-queue when more than 1); 0: 1.
    #[must_use]
    pub fn tap_queues(mut self, n: u32) -> Self {
        self.tap_queues = n;
        self
    }

    /// Tap, slirp: frames carry a virtio-net header ([`VnetHdr`](crate::VnetHdr)):
    /// use [`Iface::read_queue`] and [`Iface::write_queue`] with headers.
    #[must_use]
    pub fn offload(mut self, on: bool) -> Self {
        self.offload = Some(on);
        self
    }

    /// Tap: the virtio-net feature bits the guest negotiated
    /// ([`vnet`](crate::vnet)`::F_*`); 0 with offload on: all of them.
    #[must_use]
    pub fn offload_features(mut self, bits: u64) -> Self {
        self.offload_features = bits;
        self
    }

    /// Slirp: the IPv4 network, CIDR; default 10.0.2.0/24.
    #[must_use]
    pub fn slirp_net(mut self, cidr: impl Into<String>) -> Self {
        self.slirp_net = Some(cidr.into());
        self
    }

    /// Slirp: the gateway's address; default 10.0.2.2.
    #[must_use]
    pub fn slirp_host(mut self, addr: impl Into<String>) -> Self {
        self.slirp_host = Some(addr.into());
        self
    }

    /// Slirp: the DNS server's address; default 10.0.2.3.
    #[must_use]
    pub fn slirp_dns(mut self, addr: impl Into<String>) -> Self {
        self.slirp_dns = Some(addr.into());
        self
    }

    /// Slirp: the first DHCP address; default 10.0.2.15.
    #[must_use]
    pub fn slirp_dhcp_start(mut self, addr: impl Into<String>) -> Self {
        self.slirp_dhcp_start = Some(addr.into());
        self
    }

    /// Slirp: IPv6 (fec0::/64) on or off; default on.
    #[must_use]
    pub fn slirp_ipv6(mut self, on: bool) -> Self {
        self.slirp_ipv6 = Some(on);
        self
    }

    /// Slirp: isolate the guest from the outside (forwards still work).
    #[must_use]
    pub fn slirp_restrict(mut self, on: bool) -> Self {
        self.slirp_restrict = Some(on);
        self
    }

    /// Slirp: one more DNS search domain.
    #[must_use]
    pub fn dns_search(mut self, domain: impl Into<String>) -> Self {
        self.dns_search.push(domain.into());
        self
    }

    /// Slirp: one more host port forward,
    /// `tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport`.
    #[must_use]
    pub fn forward(mut self, rule: impl Into<String>) -> Self {
        self.forwards.push(rule.into());
        self
    }

    /// Socket, and userspace with [`Params::helper_restart`]: give up after
    /// `n` reconnection attempts in a row that bring no frame (the link
    /// stays down and its reason says so); 0 (the default): never give up.
    #[must_use]
    pub fn reconnect_max(mut self, n: u32) -> Self {
        self.reconnect_max = n;
        self
    }

    /// Every mode: the rate limiter of frames toward the guest, what
    /// [`Iface::read`] returns (see [`RateLimiter`]); default: none.
    /// Setting one also readies the interface for rx limits at run time
    /// ([`Iface::set_rate_limit`]).
    #[must_use]
    pub fn rx_rate_limiter(mut self, l: RateLimiter) -> Self {
        self.rx_rate_limiter = l;
        self
    }

    /// Every mode: the rate limiter of frames from the guest, what
    /// [`Iface::write`] takes (see [`RateLimiter`]); default: none. Setting
    /// one also gives the interface its [`Iface::tx_fd`].
    #[must_use]
    pub fn tx_rate_limiter(mut self, l: RateLimiter) -> Self {
        self.tx_rate_limiter = l;
        self
    }

    /// Every mode: ready the interface for rate limits and an egress policy
    /// set at run time ([`Iface::set_rate_limit`], [`Iface::set_policy`])
    /// even when none is set here. The readiness fds are then the
    /// library's own pollers around the backend's (one more epoll or
    /// kqueue hop per wake-up), as they are whenever a rate limiter is
    /// set; otherwise the fd is the backend's own.
    #[must_use]
    pub fn live_controls(mut self, on: bool) -> Self {
        self.live_controls = Some(on);
        self
    }

    /// Every mode: one more egress policy rule, as the command line spells
    /// it without `--`: `allow-host=pypi.org`, `allow-net=10.1.0.0/16:5432`,
    /// `allow-dns=10.0.2.3`, `deny-all`, `check-sni` (doc/policy.md). With
    /// any rule, what no rule allows is denied: a TCP connection gets a
    /// RST, UDP and ICMP an ICMP "administratively prohibited", a DNS query
    /// for a name not allowed NXDOMAIN. Replaced at run time with
    /// [`Iface::set_policy`].
    #[must_use]
    pub fn policy_rule(mut self, rule: impl Into<String>) -> Self {
        self.policy_rules.push(rule.into());
        self
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Params")
            .field("iface_id", &self.iface_id)
            .field("mode", &self.mode)
            .field("bridged_iface", &self.bridged_iface)
            .field("mtu", &self.mtu)
            .field("start_timeout", &self.start_timeout)
            .field("isolation", &self.isolation)
            .field("guest_mac", &self.guest_mac)
            .field("log", &self.log.as_ref().map(|_| "Fn"))
            .field("log_level", &self.log_level)
            .field("rx_queue_len", &self.rx_queue_len)
            .field("tx_queue_len", &self.tx_queue_len)
            .field("max_frame", &self.max_frame)
            .field("helper", &self.helper)
            .field("helper_path", &self.helper_path)
            .field("helper_args", &self.helper_args)
            .field("helper_restart", &self.helper_restart)
            .field("helper_env", &self.helper_env)
            .field("connect_url", &self.connect_url)
            .field("host_dev_name", &self.host_dev_name)
            .field("tap_create", &self.tap_create)
            .field("tap_queues", &self.tap_queues)
            .field("offload", &self.offload)
            .field("offload_features", &self.offload_features)
            .field("slirp_net", &self.slirp_net)
            .field("slirp_host", &self.slirp_host)
            .field("slirp_dns", &self.slirp_dns)
            .field("slirp_dhcp_start", &self.slirp_dhcp_start)
            .field("slirp_ipv6", &self.slirp_ipv6)
            .field("slirp_restrict", &self.slirp_restrict)
            .field("dns_search", &self.dns_search)
            .field("forwards", &self.forwards)
            .field("reconnect_max", &self.reconnect_max)
            .field("rx_rate_limiter", &self.rx_rate_limiter)
            .field("tx_rate_limiter", &self.tx_rate_limiter)
            .field("live_controls", &self.live_controls)
            .field("policy_rules", &self.policy_rules)
            .finish()
    }
}
