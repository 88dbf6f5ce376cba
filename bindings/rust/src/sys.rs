// SPDX-License-Identifier: Apache-2.0
//! sys.rs - libsquibnet's C API: its declarations and this crate's only
//! unsafe code
//!
//! Theory of operation: [`ffi`] mirrors `squibnet.h` (a unit test compares
//! every offset with what the C compiler says, see build.rs). Above it,
//! [`RawIface`] owns one `struct sqn_iface *` and is the only way the rest
//! of the crate reaches it. It enforces the header's threading contract
//! with three locks: `sqn_iface_read()` runs under `rx`,
//! `sqn_iface_write()` (and `sqn_iface_tx_wait_ms()`, the TX thread's
//! question) under `tx`, and the queries (counters, link, timer, rate
//! limits, last error) under both (always taken `rx` first). So one reader
//! and one writer run at once, as the C library allows, and no query ever
//! overlaps them; a second reader waits for the first. read and write
//! never block, so neither lock is held for longer than one batch.
//!
//! The run-time controls (rate limits, capture, forwards, policy) are the
//! calls the header allows from any thread while read and write run: they
//! take `ctl` alone, which keeps them apart from each other and never
//! holds up the frame path, even while `capture_stop()` waits for the
//! capture's file to be written out. The message of a control that failed
//! is read under `ctl` too (`sqn_iface_last_error()` has its own lock in
//! the library); a read or write failing at that very moment may replace
//! it. Lock order: `ctl`, then `rx`, then `tx`. That makes `RawIface`
//! `Send` and `Sync`, and the safe types above it are plain Rust.
//!
//! What the C library fixes at start (id, mode, MTU, MACs, fds, the tx
//! fd) is read once, right after `sqn_iface_start()`, and kept in
//! [`Info`]: those calls return fields that only start and stop change.
//!
//! Memory the C library writes is always ours and sized for it: frame
//! buffers are the caller's slices (`cap` = their length), messages go to
//! 512-byte buffers (the library's own are 256), and the statistics to a
//! 512-byte buffer, so a library whose `struct sqn_stats` grew by a counter
//! still writes inside it. `struct sqn_params` carries its own size, so an
//! older crate works with a newer library (its new fields read as 0); so
//! do `struct sqn_stats_ext`, `struct sqn_policy_counters` and `struct
//! sqn_capture`, which the library fills or reads only up to the size this
//! crate gives.

#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::io;
use std::os::raw::{c_char, c_int, c_uint, c_void};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::{BorrowedFd, RawFd};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::control::{Capture, CaptureStats, PolicyStats};
use crate::error::IfaceError;
use crate::iface::{Stats, StatsExt, VnetHdr};
use crate::mode::{Mode, ModeInfo};
use crate::params::{LogFn, LogLevel, Params};
use crate::ratelimit::{RateLimitUpdate, RateLimits};

/// The C declarations of `squibnet.h`, field for field.
#[allow(non_camel_case_types, dead_code)]
pub(crate) mod ffi {
    use std::marker::{PhantomData, PhantomPinned};
    use std::os::raw::{c_char, c_int, c_uint, c_void};

    /// struct sqn_iface - opaque
    #[repr(C)]
    pub struct sqn_iface {
        _opaque: [u8; 0],
        _marker: PhantomData<(*mut u8, PhantomPinned)>,
    }

    /// sqn_log_fn - the log callback
    pub type sqn_log_fn = Option<unsafe extern "C" fn(*mut c_void, c_int, *const c_char)>;

    /// struct sqn_bucket and struct sqn_rate_limiter: the public types,
    /// whose layout is the C one (repr(C), checked by the layout test;
    /// sqn_bucket is named only there)
    #[allow(unused_imports)]
    pub use crate::ratelimit::{RateLimiter as sqn_rate_limiter, TokenBucket as sqn_bucket};

    /// struct sqn_params
    #[repr(C)]
    pub struct sqn_params {
        pub size: u32,
        pub iface_id: *const c_char,
        pub mode: c_int,
        pub bridged_iface: *const c_char,
        pub mtu: u32,
        pub start_timeout_ms: u32,
        pub isolation: c_int,
        pub guest_mac: [u8; 6],
        pub log: sqn_log_fn,
        pub log_opaque: *mut c_void,
        pub log_level: c_int,
        pub rx_queue_len: u32,
        pub tx_queue_len: u32,
        pub max_frame: u32,
        pub helper_kind: c_int,
        pub helper_path: *const c_char,
        pub helper_args: *const *const c_char,
        pub n_helper_args: c_uint,
        pub helper_restart: c_int,
        pub helper_env: c_int,
        pub connect_url: *const c_char,
        pub host_dev_name: *const c_char,
        pub tap_create: c_int,
        pub tap_queues: c_uint,
        pub offload: c_int,
        pub offload_features: u64,
        pub slirp_net: *const c_char,
        pub slirp_host: *const c_char,
        pub slirp_dns: *const c_char,
        pub slirp_dhcp_start: *const c_char,
        pub slirp_ipv6: c_int,
        pub slirp_restrict: c_int,
        pub slirp_dns_search: *const *const c_char,
        pub n_slirp_dns_search: c_uint,
        pub forwards: *const *const c_char,
        pub n_forwards: c_uint,
        pub reconnect_max: u32,
        pub rx_rate_limiter: sqn_rate_limiter,
        pub tx_rate_limiter: sqn_rate_limiter,
        pub live_controls: c_int,
        pub policy_rules: *const *const c_char,
        pub n_policy_rules: c_uint,
    }

    impl sqn_params {
        /// zeroed() - every field 0 or NULL, as sqn_params_init() leaves it
        pub fn zeroed() -> Self {
            sqn_params {
                size: std::mem::size_of::<sqn_params>() as u32,
                iface_id: std::ptr::null(),
                mode: 0,
                bridged_iface: std::ptr::null(),
                mtu: 0,
                start_timeout_ms: 0,
                isolation: 0,
                guest_mac: [0; 6],
                log: None,
                log_opaque: std::ptr::null_mut(),
                log_level: 0,
                rx_queue_len: 0,
                tx_queue_len: 0,
                max_frame: 0,
                helper_kind: 0,
                helper_path: std::ptr::null(),
                helper_args: std::ptr::null(),
                n_helper_args: 0,
                helper_restart: 0,
                helper_env: 0,
                connect_url: std::ptr::null(),
                host_dev_name: std::ptr::null(),
                tap_create: 0,
                tap_queues: 0,
                offload: 0,
                offload_features: 0,
                slirp_net: std::ptr::null(),
                slirp_host: std::ptr::null(),
                slirp_dns: std::ptr::null(),
                slirp_dhcp_start: std::ptr::null(),
                slirp_ipv6: 0,
                slirp_restrict: 0,
                slirp_dns_search: std::ptr::null(),
                n_slirp_dns_search: 0,
                forwards: std::ptr::null(),
                n_forwards: 0,
                reconnect_max: 0,
                rx_rate_limiter: sqn_rate_limiter::default(),
                tx_rate_limiter: sqn_rate_limiter::default(),
                live_controls: 0,
                policy_rules: std::ptr::null(),
                n_policy_rules: 0,
            }
        }
    }

    /// struct sqn_vnet_hdr and struct sqn_stats: the public types, whose
    /// layout is the C one (repr(C), checked by the layout test)
    pub use crate::iface::{Stats as sqn_stats, VnetHdr as sqn_vnet_hdr};

    /// struct sqn_frame
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct sqn_frame {
        pub data: *mut c_void,
        pub cap: u32,
        pub len: u32,
        pub vnet: sqn_vnet_hdr,
    }

    /// SQN_MODE_WHY_LEN
    pub const SQN_MODE_WHY_LEN: usize = 160;

    /// struct sqn_mode_info
    #[repr(C)]
    pub struct sqn_mode_info {
        pub size: u32,
        pub mode: c_int,
        pub name: *const c_char,
        pub summary: *const c_char,
        pub platform: *const c_char,
        pub flags: u32,
        pub uses: u32,
        pub needs: u32,
        pub supported: c_int,
        pub why_not: [c_char; SQN_MODE_WHY_LEN],
    }

    impl sqn_mode_info {
        /// zeroed() - an empty one, its size set
        pub fn zeroed() -> Self {
            sqn_mode_info {
                size: std::mem::size_of::<sqn_mode_info>() as u32,
                mode: 0,
                name: std::ptr::null(),
                summary: std::ptr::null(),
                platform: std::ptr::null(),
                flags: 0,
                uses: 0,
                needs: 0,
                supported: 0,
                why_not: [0; SQN_MODE_WHY_LEN],
            }
        }
    }

    /// struct sqn_stats_ext: struct sqn_stats's counters in order (the
    /// library asserts it), then the frame path's
    #[repr(C)]
    #[derive(Default)]
    pub struct sqn_stats_ext {
        pub size: u32,
        pub capturing: u32,
        pub base: sqn_stats,
        pub rx_throttled: u64,
        pub tx_throttled: u64,
        pub capture_frames: u64,
        pub capture_dropped: u64,
        pub capture_lost: u64,
        pub policy_denied: u64,
    }

    impl sqn_stats_ext {
        /// zeroed() - an empty one, its size set
        pub fn zeroed() -> Self {
            sqn_stats_ext {
                size: std::mem::size_of::<sqn_stats_ext>() as u32,
                ..sqn_stats_ext::default()
            }
        }
    }

    /// struct sqn_policy_counters
    #[repr(C)]
    #[derive(Default)]
    pub struct sqn_policy_counters {
        pub size: u32,
        pub rules: u32,
        pub denied: u64,
        pub denied_addr: u64,
        pub denied_expired: u64,
        pub denied_dns_name: u64,
        pub denied_dns_server: u64,
        pub denied_dns_bad: u64,
        pub denied_sni: u64,
        pub denied_sni_unchecked: u64,
        pub denied_quic: u64,
        pub denied_proto: u64,
        pub denied_frame: u64,
        pub replies: u64,
        pub dns_allowed: u64,
        pub dns_answers: u64,
        pub dns_malformed: u64,
        pub dns_split: u64,
        pub learnt: u64,
        pub refreshed: u64,
        pub evicted: u64,
        pub expired: u64,
        pub revoked: u64,
        pub learnt_now: u64,
        pub sni_checked: u64,
        pub log_suppressed: u64,
    }

    impl sqn_policy_counters {
        /// zeroed() - an empty one, its size set
        pub fn zeroed() -> Self {
            sqn_policy_counters {
                size: std::mem::size_of::<sqn_policy_counters>() as u32,
                ..sqn_policy_counters::default()
            }
        }
    }

    /// struct sqn_capture
    #[repr(C)]
    pub struct sqn_capture {
        pub size: u32,
        pub path: *const c_char,
        pub snaplen: u32,
        pub dirs: c_uint,
        pub nsec: c_int,
        pub buf_bytes: u32,
    }

    extern "C" {
        pub fn sqn_version() -> *const c_char;
        pub fn sqn_params_init(p: *mut sqn_params);
        pub fn sqn_mode_name(mode: c_int) -> *const c_char;
        pub fn sqn_mode_parse(name: *const c_char, mode: *mut c_int) -> c_int;
        pub fn sqn_mode_supported(mode: c_int, why: *mut c_char, len: usize) -> c_int;
        pub fn sqn_mode_default() -> c_int;
        pub fn sqn_mode_info(mode: c_int, info: *mut sqn_mode_info) -> c_int;
        pub fn sqn_iface_start(
            params: *const sqn_params,
            out: *mut *mut sqn_iface,
            err: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn sqn_iface_stop(iface: *mut sqn_iface);
        pub fn sqn_iface_free(iface: *mut sqn_iface);
        pub fn sqn_iface_read(iface: *mut sqn_iface, frames: *mut sqn_frame, n: c_uint) -> c_int;
        pub fn sqn_iface_write(iface: *mut sqn_iface, frames: *const sqn_frame, n: c_uint)
            -> c_int;
        pub fn sqn_iface_fd(iface: *const sqn_iface) -> c_int;
        pub fn sqn_iface_timeout_ms(iface: *mut sqn_iface) -> c_int;
        pub fn sqn_iface_queue_fd(iface: *const sqn_iface, queue: c_uint) -> c_int;
        pub fn sqn_iface_queues(iface: *const sqn_iface) -> c_uint;
        pub fn sqn_iface_queue_read(
            iface: *mut sqn_iface,
            queue: c_uint,
            frames: *mut sqn_frame,
            n: c_uint,
        ) -> c_int;
        pub fn sqn_iface_queue_write(
            iface: *mut sqn_iface,
            queue: c_uint,
            frames: *const sqn_frame,
            n: c_uint,
        ) -> c_int;
        pub fn sqn_iface_mtu(iface: *const sqn_iface) -> u32;
        pub fn sqn_iface_max_frame(iface: *const sqn_iface) -> u32;
        pub fn sqn_iface_host_mac(iface: *const sqn_iface, mac: *mut u8);
        pub fn sqn_iface_guest_mac(iface: *const sqn_iface, mac: *mut u8);
        pub fn sqn_iface_id(iface: *const sqn_iface) -> *const c_char;
        pub fn sqn_iface_mode(iface: *const sqn_iface) -> c_int;
        pub fn sqn_iface_offload(iface: *const sqn_iface) -> c_int;
        pub fn sqn_iface_link(iface: *const sqn_iface, why: *mut c_char, len: usize) -> c_int;
        pub fn sqn_iface_stats(iface: *const sqn_iface, stats: *mut sqn_stats);
        pub fn sqn_iface_last_error(iface: *const sqn_iface, buf: *mut c_char, len: usize);
        pub fn sqn_iface_stats_ext(iface: *const sqn_iface, stats: *mut sqn_stats_ext) -> c_int;
        pub fn sqn_iface_set_rate_limit(
            iface: *mut sqn_iface,
            which: c_uint,
            rx: *const sqn_rate_limiter,
            tx: *const sqn_rate_limiter,
        ) -> c_int;
        pub fn sqn_iface_rate_limit(
            iface: *mut sqn_iface,
            rx: *mut sqn_rate_limiter,
            tx: *mut sqn_rate_limiter,
        ) -> c_int;
        pub fn sqn_iface_tx_wait_ms(iface: *mut sqn_iface) -> c_int;
        pub fn sqn_iface_tx_fd(iface: *const sqn_iface) -> c_int;
        pub fn sqn_iface_capture_start(iface: *mut sqn_iface, cap: *const sqn_capture) -> c_int;
        pub fn sqn_iface_capture_stop(iface: *mut sqn_iface) -> c_int;
        pub fn sqn_iface_forward_add(iface: *mut sqn_iface, spec: *const c_char) -> c_int;
        pub fn sqn_iface_forward_remove(iface: *mut sqn_iface, spec: *const c_char) -> c_int;
        pub fn sqn_iface_set_policy(
            iface: *mut sqn_iface,
            rules: *const *const c_char,
            n: c_uint,
            err: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn sqn_iface_policy_stats(
            iface: *const sqn_iface,
            c: *mut sqn_policy_counters,
        ) -> c_int;
        pub fn sqn_mac_parse(s: *const c_char, mac: *mut u8) -> c_int;
        pub fn sqn_mac_parse_msg(
            s: *const c_char,
            mac: *mut u8,
            err: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn sqn_mac_format(mac: *const u8, buf: *mut c_char) -> *mut c_char;
        pub fn sqn_mac_generate(mac: *mut u8) -> c_int;
        pub fn sqn_iface_id_valid(id: *const c_char) -> c_int;
        pub fn sqn_tap_name(iface_id: *const c_char, buf: *mut c_char, len: usize) -> c_int;
    }
}

/// The errno values the library returns that this crate tells apart.
pub(crate) mod errno {
    #[cfg(target_os = "linux")]
    mod values {
        pub const EINVAL: i32 = 22;
        pub const EMSGSIZE: i32 = 90;
        pub const ENOTSUP: i32 = 95;
        pub const ENETDOWN: i32 = 100;
        pub const ESHUTDOWN: i32 = 108;
        pub const ETIMEDOUT: i32 = 110;
        pub const EINTR: i32 = 4;
        pub const EOPNOTSUPP: i32 = 95;
    }
    #[cfg(target_os = "macos")]
    mod values {
        pub const EINVAL: i32 = 22;
        pub const EMSGSIZE: i32 = 40;
        pub const ENOTSUP: i32 = 45;
        pub const ENETDOWN: i32 = 50;
        pub const ESHUTDOWN: i32 = 58;
        pub const ETIMEDOUT: i32 = 60;
        pub const EINTR: i32 = 4;
        pub const EOPNOTSUPP: i32 = 102;
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    compile_error!("libsquibnet is built for Linux and macOS");
    pub use values::*;
}

/// Bytes of every message buffer handed to the library (its own are 256).
const MSG_LEN: usize = 512;

/// message() - a NUL-terminated message buffer as a String
fn message(buf: &[c_char]) -> String {
    let bytes: Vec<u8> = buf
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// static_str() - a string the library owns for the life of the process
fn static_str(p: *const c_char) -> Option<&'static str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: sqn_version() and sqn_mode_name() return string literals.
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// cstring() - a Rust string as a C string, refused if it holds a NUL
fn cstring(what: &str, s: &[u8]) -> Result<CString, IfaceError> {
    CString::new(s).map_err(|e| IfaceError::Invalid {
        message: format!(
            "{} \"{}\" has a NUL byte at offset {}",
            what,
            String::from_utf8_lossy(s).replace('\0', "\\0"),
            e.nul_position()
        ),
    })
}

/// opt_cstring() - cstring() of an optional value
fn opt_cstring(what: &str, s: &Option<String>) -> Result<Option<CString>, IfaceError> {
    s.as_ref().map(|v| cstring(what, v.as_bytes())).transpose()
}

/// opt_ptr() - the C pointer of an optional C string (NULL when absent)
fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |c| c.as_ptr())
}

/// CList - a list of C strings and the array of their pointers
struct CList {
    _strings: Vec<CString>,
    ptrs: Vec<*const c_char>,
}

impl CList {
    /// new() - convert `items`, each named `what` in a refusal
    fn new(what: &str, items: &[String]) -> Result<Self, IfaceError> {
        let strings = items
            .iter()
            .map(|s| cstring(what, s.as_bytes()))
            .collect::<Result<Vec<_>, _>>()?;
        let ptrs = strings.iter().map(|c| c.as_ptr()).collect();
        Ok(CList {
            _strings: strings,
            ptrs,
        })
    }

    /// raw() - the array and its length for the C struct
    fn raw(&self) -> (*const *const c_char, c_uint) {
        if self.ptrs.is_empty() {
            (ptr::null(), 0)
        } else {
            (self.ptrs.as_ptr(), self.ptrs.len() as c_uint)
        }
    }
}

/// tristate() - an optional switch as SQN_ON (1) / SQN_OFF (-1) / default (0)
fn tristate(v: Option<bool>) -> c_int {
    match v {
        None => 0,
        Some(true) => 1,
        Some(false) => -1,
    }
}

/// timeout_ms() - a Duration as whole milliseconds, rounded up, capped
fn timeout_ms(d: Duration) -> u32 {
    let ms = (d.as_nanos() + 999_999) / 1_000_000;
    u32::try_from(ms).unwrap_or(u32::MAX)
}

/// LogBox - the caller's log closure, at a stable address for log_opaque
struct LogBox(LogFn);

/// log_trampoline() - the C log callback: calls the caller's closure
///
/// A panic in the closure is caught here: it must not unwind into C.
extern "C" fn log_trampoline(opaque: *mut c_void, level: c_int, msg: *const c_char) {
    if opaque.is_null() || msg.is_null() {
        return;
    }
    // SAFETY: opaque is the LogBox that RawIface (or start(), during the
    // call) keeps alive until sqn_iface_free() has returned; msg is a
    // NUL-terminated line valid during this call.
    let f = unsafe { &*(opaque as *const LogBox) };
    let text = unsafe { CStr::from_ptr(msg) }.to_string_lossy();
    let level = LogLevel::from_raw(level);
    let _ = catch_unwind(AssertUnwindSafe(|| (f.0)(level, &text)));
}

/// struct Info - what the library fixes at start
pub(crate) struct Info {
    pub id: String,
    /// sqn_iface_tx_fd(): negative when the interface has none
    pub tx_fd: RawFd,
    pub mode: c_int,
    pub mtu: u32,
    pub max_frame: u32,
    pub host_mac: [u8; 6],
    pub guest_mac: [u8; 6],
    pub offload: bool,
    pub fds: Vec<RawFd>,
}

/// struct RawIface - one started interface, and the locks of its contract
pub(crate) struct RawIface {
    ptr: NonNull<ffi::sqn_iface>,
    rx: Mutex<()>,
    tx: Mutex<()>,
    ctl: Mutex<()>,
    /// Dropped after the handle is freed (fields drop after Drop::drop).
    _log: Option<Box<LogBox>>,
}

// SAFETY: the handle belongs to no thread: the library may be called from
// any thread as long as calls do not overlap beyond what its contract
// allows, which the locks ensure (see the module comment). The log closure
// is Send + Sync.
unsafe impl Send for RawIface {}
unsafe impl Sync for RawIface {}

/// lock() - take a lock; a panic while it was held left nothing to repair
fn lock(m: &Mutex<()>) -> MutexGuard<'_, ()> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl RawIface {
    /// start() - sqn_iface_start() with `p`
    pub(crate) fn start(p: &Params) -> Result<(RawIface, Info), IfaceError> {
        let id = cstring("iface_id", p.iface_id.as_bytes())?;
        let bridged = opt_cstring("bridged_iface", &p.bridged_iface)?;
        let helper_path = p
            .helper_path
            .as_ref()
            .map(|h| cstring("helper_path", h.as_os_str().as_bytes()))
            .transpose()?;
        let connect_url = opt_cstring("connect_url", &p.connect_url)?;
        let host_dev_name = opt_cstring("host_dev_name", &p.host_dev_name)?;
        let slirp_net = opt_cstring("slirp_net", &p.slirp_net)?;
        let slirp_host = opt_cstring("slirp_host", &p.slirp_host)?;
        let slirp_dns = opt_cstring("slirp_dns", &p.slirp_dns)?;
        let slirp_dhcp_start = opt_cstring("slirp_dhcp_start", &p.slirp_dhcp_start)?;
        let helper_args = CList::new("helper argument", &p.helper_args)?;
        let dns_search = CList::new("DNS search domain", &p.dns_search)?;
        let forwards = CList::new("forward", &p.forwards)?;
        let policy = CList::new("policy rule", &p.policy_rules)?;
        let log = p.log.as_ref().map(|f| Box::new(LogBox(f.clone())));

        let mut c = ffi::sqn_params::zeroed();
        c.iface_id = id.as_ptr();
        c.mode = p.mode.to_raw();
        c.bridged_iface = opt_ptr(&bridged);
        c.mtu = p.mtu;
        c.start_timeout_ms = timeout_ms(p.start_timeout);
        c.isolation = tristate(p.isolation);
        c.guest_mac = p.guest_mac.unwrap_or([0; 6]);
        if let Some(b) = &log {
            c.log = Some(log_trampoline);
            c.log_opaque = &**b as *const LogBox as *mut c_void;
            c.log_level = p.log_level as c_int;
        }
        c.rx_queue_len = p.rx_queue_len;
        c.tx_queue_len = p.tx_queue_len;
        c.max_frame = p.max_frame;
        c.helper_kind = p.helper as c_int;
        c.helper_path = opt_ptr(&helper_path);
        (c.helper_args, c.n_helper_args) = helper_args.raw();
        c.helper_restart = tristate(p.helper_restart);
        c.helper_env = tristate(p.helper_env);
        c.connect_url = opt_ptr(&connect_url);
        c.host_dev_name = opt_ptr(&host_dev_name);
        c.tap_create = tristate(p.tap_create);
        c.tap_queues = p.tap_queues;
        c.offload = tristate(p.offload);
        c.offload_features = p.offload_features;
        c.slirp_net = opt_ptr(&slirp_net);
        c.slirp_host = opt_ptr(&slirp_host);
        c.slirp_dns = opt_ptr(&slirp_dns);
        c.slirp_dhcp_start = opt_ptr(&slirp_dhcp_start);
        c.slirp_ipv6 = tristate(p.slirp_ipv6);
        c.slirp_restrict = tristate(p.slirp_restrict);
        (c.slirp_dns_search, c.n_slirp_dns_search) = dns_search.raw();
        (c.forwards, c.n_forwards) = forwards.raw();
        (c.policy_rules, c.n_policy_rules) = policy.raw();
        c.reconnect_max = p.reconnect_max;
        c.rx_rate_limiter = p.rx_rate_limiter;
        c.tx_rate_limiter = p.tx_rate_limiter;
        c.live_controls = tristate(p.live_controls);

        let mut out: *mut ffi::sqn_iface = ptr::null_mut();
        let mut err = [0 as c_char; MSG_LEN];
        // SAFETY: c and every string and array it points to live until the
        // call returns (the library copies them); out and err are ours.
        let rc = unsafe { ffi::sqn_iface_start(&c, &mut out, err.as_mut_ptr(), err.len()) };
        if rc < 0 {
            return Err(IfaceError::from_errno(-rc, message(&err), None));
        }
        let ptr = NonNull::new(out).ok_or_else(|| IfaceError::Os {
            errno: 0,
            message: "sqn_iface_start() returned 0 and no interface".into(),
        })?;
        let raw = RawIface {
            ptr,
            rx: Mutex::new(()),
            tx: Mutex::new(()),
            ctl: Mutex::new(()),
            _log: log,
        };
        let info = raw.info();
        Ok((raw, info))
    }

    /// info() - the values fixed at start
    fn info(&self) -> Info {
        let _g = (lock(&self.rx), lock(&self.tx));
        let p = self.ptr.as_ptr();
        let mut host_mac = [0u8; 6];
        let mut guest_mac = [0u8; 6];
        // SAFETY: p is a started interface; the MAC buffers hold 6 bytes;
        // sqn_iface_id() returns a string owned by the interface, copied
        // here before anything else happens to it.
        unsafe {
            ffi::sqn_iface_host_mac(p, host_mac.as_mut_ptr());
            ffi::sqn_iface_guest_mac(p, guest_mac.as_mut_ptr());
            let queues = ffi::sqn_iface_queues(p).max(1);
            let fds = (0..queues).map(|q| ffi::sqn_iface_queue_fd(p, q)).collect();
            let idp = ffi::sqn_iface_id(p);
            Info {
                id: if idp.is_null() {
                    String::new()
                } else {
                    CStr::from_ptr(idp).to_string_lossy().into_owned()
                },
                tx_fd: ffi::sqn_iface_tx_fd(p),
                mode: ffi::sqn_iface_mode(p),
                mtu: ffi::sqn_iface_mtu(p),
                max_frame: ffi::sqn_iface_max_frame(p),
                host_mac,
                guest_mac,
                offload: ffi::sqn_iface_offload(p) == 1,
                fds,
            }
        }
    }

    /// last_error_locked() - the message of the last failure; both locks held
    fn last_error_locked(&self) -> String {
        let mut buf = [0 as c_char; MSG_LEN];
        // SAFETY: a started interface; buf is ours, its length given.
        unsafe { ffi::sqn_iface_last_error(self.ptr.as_ptr(), buf.as_mut_ptr(), buf.len()) };
        message(&buf)
    }

    /// last_error() - the message of the most recent failure
    pub(crate) fn last_error(&self) -> String {
        let _g = (lock(&self.rx), lock(&self.tx));
        self.last_error_locked()
    }

    /// failure() - the error for a negative return, with its message
    ///
    /// Called with no lock held (it takes both): a failure on the other
    /// thread in between may have replaced the message.
    fn failure(&self, rc: c_int, needed: Option<usize>) -> IfaceError {
        let msg = self.last_error();
        IfaceError::from_errno(-rc, msg, needed)
    }

    /// read() - sqn_iface_queue_read() into the caller's buffers
    pub(crate) fn read(
        &self,
        queue: u32,
        bufs: &mut [&mut [u8]],
        sizes: &mut [usize],
        mut vnet: Option<&mut [VnetHdr]>,
    ) -> Result<usize, IfaceError> {
        let mut n = bufs.len().min(sizes.len()).min(crate::BATCH);
        if let Some(v) = vnet.as_deref() {
            n = n.min(v.len());
        }
        let empty = ffi::sqn_frame {
            data: ptr::null_mut(),
            cap: 0,
            len: 0,
            vnet: ffi::sqn_vnet_hdr::default(),
        };
        let mut frames = [empty; crate::BATCH];
        for (f, b) in frames.iter_mut().zip(bufs.iter_mut()).take(n) {
            f.data = b.as_mut_ptr() as *mut c_void;
            f.cap = u32::try_from(b.len()).unwrap_or(u32::MAX);
        }
        let rc = {
            let _g = lock(&self.rx);
            // SAFETY: frames[..n] point into the caller's buffers, each
            // with its capacity; n <= SQN_BATCH; read runs under rx only.
            unsafe {
                ffi::sqn_iface_queue_read(
                    self.ptr.as_ptr(),
                    queue,
                    frames.as_mut_ptr(),
                    n as c_uint,
                )
            }
        };
        if rc < 0 {
            let needed = if -rc == errno::EMSGSIZE {
                Some(frames[0].len as usize)
            } else {
                None
            };
            return Err(self.failure(rc, needed));
        }
        let got = (rc as usize).min(n);
        for (i, f) in frames.iter().take(got).enumerate() {
            sizes[i] = f.len as usize;
            if let Some(v) = vnet.as_deref_mut() {
                v[i] = f.vnet;
            }
        }
        Ok(got)
    }

    /// write() - sqn_iface_queue_write() of the caller's frames
    pub(crate) fn write(
        &self,
        queue: u32,
        bufs: &[&[u8]],
        vnet: Option<&[VnetHdr]>,
    ) -> Result<usize, IfaceError> {
        let mut n = bufs.len().min(crate::BATCH);
        if let Some(v) = vnet {
            n = n.min(v.len());
        }
        let empty = ffi::sqn_frame {
            data: ptr::null_mut(),
            cap: 0,
            len: 0,
            vnet: ffi::sqn_vnet_hdr::default(),
        };
        let mut frames = [empty; crate::BATCH];
        for (i, (f, b)) in frames.iter_mut().zip(bufs.iter()).take(n).enumerate() {
            f.data = b.as_ptr() as *mut c_void;
            // A slice too long for u32 is past any max frame: refused.
            f.len = u32::try_from(b.len()).unwrap_or(u32::MAX);
            if let Some(v) = vnet {
                f.vnet = v[i];
            }
        }
        let rc = {
            let _g = lock(&self.tx);
            // SAFETY: frames[..n] point into the caller's frames, each
            // with its length; the library only reads them; write runs
            // under tx only.
            unsafe {
                ffi::sqn_iface_queue_write(self.ptr.as_ptr(), queue, frames.as_ptr(), n as c_uint)
            }
        };
        if rc < 0 {
            return Err(self.failure(rc, None));
        }
        Ok(rc as usize)
    }

    /// timeout_ms() - sqn_iface_timeout_ms(): -1 for no timer
    pub(crate) fn timeout_ms(&self) -> i32 {
        let _g = (lock(&self.rx), lock(&self.tx));
        // SAFETY: a started interface; both locks held.
        unsafe { ffi::sqn_iface_timeout_ms(self.ptr.as_ptr()) }
    }

    /// stats() - the counters
    pub(crate) fn stats(&self) -> Stats {
        // Room for a struct sqn_stats that grew: the library writes its own
        // sizeof, which the layout test checks is within this buffer.
        let mut buf = [0u64; MSG_LEN / 8];
        {
            let _g = (lock(&self.rx), lock(&self.tx));
            // SAFETY: a started interface; buf is 512 aligned bytes, more
            // than struct sqn_stats.
            unsafe {
                ffi::sqn_iface_stats(self.ptr.as_ptr(), buf.as_mut_ptr() as *mut ffi::sqn_stats)
            };
        }
        // SAFETY: Stats is repr(C), all u64, as struct sqn_stats begins;
        // buf is aligned for u64 and longer than it.
        unsafe { ptr::read(buf.as_ptr() as *const Stats) }
    }

    /// link() - whether the link is up, and the reason of its last change
    pub(crate) fn link(&self) -> (bool, String) {
        let mut why = [0 as c_char; MSG_LEN];
        let _g = (lock(&self.rx), lock(&self.tx));
        // SAFETY: a started interface; why is ours, its length given.
        let up = unsafe { ffi::sqn_iface_link(self.ptr.as_ptr(), why.as_mut_ptr(), why.len()) };
        (up == 1, message(&why))
    }

    /// fd() - the readiness fd of `queue`, borrowed for as long as `self`
    pub(crate) fn fd(&self, info: &Info, queue: usize) -> Option<BorrowedFd<'_>> {
        let fd = *info.fds.get(queue)?;
        if fd < 0 {
            return None;
        }
        // SAFETY: the interface owns fd and closes it only in
        // sqn_iface_stop(), which only finish() (by value) and Drop call:
        // never while this borrow of self lives.
        Some(unsafe { BorrowedFd::borrow_raw(fd) })
    }

    /// tx_fd() - sqn_iface_tx_fd(), borrowed for as long as `self`
    pub(crate) fn tx_fd(&self, info: &Info) -> Option<BorrowedFd<'_>> {
        if info.tx_fd < 0 {
            return None;
        }
        // SAFETY: as fd(): the interface owns it until sqn_iface_stop().
        Some(unsafe { BorrowedFd::borrow_raw(info.tx_fd) })
    }

    /// tx_wait_ms() - sqn_iface_tx_wait_ms(): -1 while writes pass
    pub(crate) fn tx_wait_ms(&self) -> i32 {
        let _g = lock(&self.tx);
        // SAFETY: a started interface; the TX side's lock held.
        unsafe { ffi::sqn_iface_tx_wait_ms(self.ptr.as_ptr()) }
    }

    /// control_failure() - the error of a control call, `ctl` held
    fn control_failure(&self, rc: c_int) -> IfaceError {
        IfaceError::from_errno(-rc, self.last_error_locked(), None)
    }

    /// set_rate_limit() - sqn_iface_set_rate_limit() of `u`'s buckets
    pub(crate) fn set_rate_limit(&self, u: RateLimitUpdate) -> Result<(), IfaceError> {
        let (which, rx, tx) = u.to_c();
        let _g = lock(&self.ctl);
        // SAFETY: a started interface; rx and tx are ours, read during the
        // call; the header allows this call beside read and write.
        let rc = unsafe { ffi::sqn_iface_set_rate_limit(self.ptr.as_ptr(), which, &rx, &tx) };
        if rc < 0 {
            return Err(self.control_failure(rc));
        }
        Ok(())
    }

    /// rate_limit() - sqn_iface_rate_limit()
    pub(crate) fn rate_limit(&self) -> RateLimits {
        let mut l = RateLimits::default();
        let _g = (lock(&self.rx), lock(&self.tx));
        // SAFETY: a started interface; both limiters ours; both locks held.
        unsafe { ffi::sqn_iface_rate_limit(self.ptr.as_ptr(), &mut l.rx, &mut l.tx) };
        l
    }

    /// capture_start() - sqn_iface_capture_start() of `cap`
    pub(crate) fn capture_start(&self, cap: &Capture) -> Result<(), IfaceError> {
        let path = cstring("capture path", cap.path.as_os_str().as_bytes())?;
        let c = ffi::sqn_capture {
            size: std::mem::size_of::<ffi::sqn_capture>() as u32,
            path: path.as_ptr(),
            snaplen: cap.snaplen,
            dirs: cap.direction.to_raw(),
            nsec: tristate(Some(cap.nsec)),
            buf_bytes: cap.buf_bytes,
        };
        let _g = lock(&self.ctl);
        // SAFETY: a started interface; c and the path it points to live
        // until the call returns (the library copies the path).
        let rc = unsafe { ffi::sqn_iface_capture_start(self.ptr.as_ptr(), &c) };
        if rc < 0 {
            return Err(self.control_failure(rc));
        }
        Ok(())
    }

    /// capture_stop() - sqn_iface_capture_stop(); the capture's counters
    pub(crate) fn capture_stop(&self) -> Result<CaptureStats, IfaceError> {
        let _g = lock(&self.ctl);
        // SAFETY: a started interface; waits for the capture's own thread,
        // never for read or write.
        let rc = unsafe { ffi::sqn_iface_capture_stop(self.ptr.as_ptr()) };
        if rc < 0 {
            return Err(self.control_failure(rc));
        }
        // Still under ctl: no other capture can start and reset them.
        Ok(self.stats_ext().capture)
    }

    /// forward() - sqn_iface_forward_add() or sqn_iface_forward_remove()
    pub(crate) fn forward(&self, spec: &str, add: bool) -> Result<(), IfaceError> {
        let c = cstring("forward", spec.as_bytes())?;
        let _g = lock(&self.ctl);
        // SAFETY: a started interface; c is a C string.
        let rc = unsafe {
            if add {
                ffi::sqn_iface_forward_add(self.ptr.as_ptr(), c.as_ptr())
            } else {
                ffi::sqn_iface_forward_remove(self.ptr.as_ptr(), c.as_ptr())
            }
        };
        if rc < 0 {
            return Err(self.control_failure(rc));
        }
        Ok(())
    }

    /// set_policy() - sqn_iface_set_policy(); the refusal's own message
    pub(crate) fn set_policy(&self, rules: &[String]) -> Result<(), IfaceError> {
        let list = CList::new("policy rule", rules)?;
        let (ptrs, n) = list.raw();
        let mut err = [0 as c_char; MSG_LEN];
        let _g = lock(&self.ctl);
        // SAFETY: a started interface; the rules live until the call
        // returns (the library parses and copies them); err is ours.
        let rc = unsafe {
            ffi::sqn_iface_set_policy(self.ptr.as_ptr(), ptrs, n, err.as_mut_ptr(), err.len())
        };
        if rc < 0 {
            return Err(IfaceError::from_errno(-rc, message(&err), None));
        }
        Ok(())
    }

    /// policy_stats() - sqn_iface_policy_stats()
    pub(crate) fn policy_stats(&self) -> PolicyStats {
        let mut c = ffi::sqn_policy_counters::zeroed();
        {
            let _g = (lock(&self.rx), lock(&self.tx));
            // SAFETY: a started interface; c is ours, its size set: the
            // library writes no further.
            unsafe { ffi::sqn_iface_policy_stats(self.ptr.as_ptr(), &mut c) };
        }
        PolicyStats {
            rules: c.rules,
            denied: c.denied,
            denied_addr: c.denied_addr,
            denied_expired: c.denied_expired,
            denied_dns_name: c.denied_dns_name,
            denied_dns_server: c.denied_dns_server,
            denied_dns_bad: c.denied_dns_bad,
            denied_sni: c.denied_sni,
            denied_sni_unchecked: c.denied_sni_unchecked,
            denied_quic: c.denied_quic,
            denied_proto: c.denied_proto,
            denied_frame: c.denied_frame,
            replies: c.replies,
            dns_allowed: c.dns_allowed,
            dns_answers: c.dns_answers,
            dns_malformed: c.dns_malformed,
            dns_split: c.dns_split,
            learnt: c.learnt,
            refreshed: c.refreshed,
            evicted: c.evicted,
            expired: c.expired,
            revoked: c.revoked,
            learnt_now: c.learnt_now,
            sni_checked: c.sni_checked,
            log_suppressed: c.log_suppressed,
        }
    }

    /// stats_ext() - sqn_iface_stats_ext(): every counter
    pub(crate) fn stats_ext(&self) -> StatsExt {
        let mut s = ffi::sqn_stats_ext::zeroed();
        {
            let _g = (lock(&self.rx), lock(&self.tx));
            // SAFETY: a started interface; s is ours, its size set: the
            // library writes no further.
            unsafe { ffi::sqn_iface_stats_ext(self.ptr.as_ptr(), &mut s) };
        }
        StatsExt {
            stats: s.base,
            capturing: s.capturing != 0,
            rx_throttled: s.rx_throttled,
            tx_throttled: s.tx_throttled,
            capture: CaptureStats {
                frames: s.capture_frames,
                dropped: s.capture_dropped,
                lost: s.capture_lost,
            },
            policy_denied: s.policy_denied,
        }
    }

    /// finish() - stop the interface, read its final counters, free it
    pub(crate) fn finish(self) -> Stats {
        // SAFETY: self is owned: no other call can run; the handle is
        // freed by Drop right after.
        unsafe { ffi::sqn_iface_stop(self.ptr.as_ptr()) };
        self.stats()
    }
}

impl Drop for RawIface {
    fn drop(&mut self) {
        // SAFETY: the handle came from sqn_iface_start() and is freed once,
        // here; &mut self means no call is running. The log closure is
        // dropped after this returns.
        unsafe { ffi::sqn_iface_free(self.ptr.as_ptr()) };
    }
}

/// version() - sqn_version()
pub(crate) fn version() -> &'static str {
    // SAFETY: no arguments; returns a literal.
    static_str(unsafe { ffi::sqn_version() }).unwrap_or("")
}

/// mode_name() - sqn_mode_name()
pub(crate) fn mode_name(mode: c_int) -> Option<&'static str> {
    // SAFETY: any value is accepted (NULL out of range).
    static_str(unsafe { ffi::sqn_mode_name(mode) })
}

/// mode_parse() - sqn_mode_parse(); None for an unknown name
pub(crate) fn mode_parse(name: &str) -> Option<c_int> {
    let c = CString::new(name).ok()?;
    let mut mode: c_int = 0;
    // SAFETY: c is a C string; mode is ours.
    let rc = unsafe { ffi::sqn_mode_parse(c.as_ptr(), &mut mode) };
    if rc == 0 {
        Some(mode)
    } else {
        None
    }
}

/// mode_supported() - sqn_mode_supported(): Err(why) when it is not
pub(crate) fn mode_supported(mode: c_int) -> Result<(), String> {
    let mut why = [0 as c_char; MSG_LEN];
    // SAFETY: why is ours, its length given.
    let ok = unsafe { ffi::sqn_mode_supported(mode, why.as_mut_ptr(), why.len()) };
    if ok == 1 {
        Ok(())
    } else {
        Err(message(&why))
    }
}

/// mode_default() - sqn_mode_default()
pub(crate) fn mode_default() -> c_int {
    // SAFETY: no arguments.
    unsafe { ffi::sqn_mode_default() }
}

/// c_text() - a C string the library owns, copied ("" for NULL)
fn c_text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: a NUL-terminated string of the library's mode table.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// mode_info() - sqn_mode_info(); None for a mode the library refuses
pub(crate) fn mode_info(mode: c_int) -> Option<ModeInfo> {
    let mut m = ffi::sqn_mode_info::zeroed();
    // SAFETY: m is ours, its size set; the library fills it up to that.
    let rc = unsafe { ffi::sqn_mode_info(mode, &mut m) };
    if rc < 0 {
        return None;
    }
    Some(ModeInfo {
        mode: Mode::from_raw(m.mode),
        name: c_text(m.name),
        summary: c_text(m.summary),
        platform: c_text(m.platform),
        flags: m.flags,
        uses: m.uses,
        needs: m.needs,
        supported: m.supported == 1,
        why_not: message(&m.why_not),
    })
}

/// mac_parse() - sqn_mac_parse_msg(): Err(what is wrong)
pub(crate) fn mac_parse(s: &str) -> Result<[u8; 6], String> {
    let c = CString::new(s)
        .map_err(|_| format!("MAC \"{}\" has a NUL byte", s.replace('\0', "\\0")))?;
    let mut mac = [0u8; 6];
    let mut err = [0 as c_char; MSG_LEN];
    // SAFETY: c is a C string; mac holds 6 bytes; err is ours.
    let rc = unsafe {
        ffi::sqn_mac_parse_msg(c.as_ptr(), mac.as_mut_ptr(), err.as_mut_ptr(), err.len())
    };
    if rc == 0 {
        Ok(mac)
    } else {
        Err(message(&err))
    }
}

/// mac_format() - sqn_mac_format()
pub(crate) fn mac_format(mac: &[u8; 6]) -> String {
    let mut buf = [0 as c_char; 18];
    // SAFETY: mac is 6 bytes, buf 18 as the header asks.
    unsafe { ffi::sqn_mac_format(mac.as_ptr(), buf.as_mut_ptr()) };
    message(&buf)
}

/// mac_generate() - sqn_mac_generate(): Err(errno)
pub(crate) fn mac_generate() -> Result<[u8; 6], i32> {
    let mut mac = [0u8; 6];
    // SAFETY: mac holds 6 bytes.
    let rc = unsafe { ffi::sqn_mac_generate(mac.as_mut_ptr()) };
    if rc < 0 {
        Err(-rc)
    } else {
        Ok(mac)
    }
}

/// iface_id_valid() - sqn_iface_id_valid()
pub(crate) fn iface_id_valid(id: &str) -> bool {
    match CString::new(id) {
        // SAFETY: c is a C string.
        Ok(c) => unsafe { ffi::sqn_iface_id_valid(c.as_ptr()) == 1 },
        Err(_) => false,
    }
}

/// tap_name() - sqn_tap_name() into a Linux-sized (16-byte) buffer
pub(crate) fn tap_name(id: &str) -> Result<String, i32> {
    let c = CString::new(id).map_err(|_| errno::EINVAL)?;
    let mut buf = [0 as c_char; 16];
    // SAFETY: c is a C string; buf is ours, its length given.
    let rc = unsafe { ffi::sqn_tap_name(c.as_ptr(), buf.as_mut_ptr(), buf.len()) };
    if rc < 0 {
        Err(-rc)
    } else {
        Ok(message(&buf))
    }
}

/// struct PollFd - struct pollfd
#[repr(C)]
struct PollFd {
    fd: c_int,
    events: i16,
    revents: i16,
}

#[cfg(target_os = "linux")]
type NfdsT = std::os::raw::c_ulong;
#[cfg(not(target_os = "linux"))]
type NfdsT = c_uint;

extern "C" {
    fn poll(fds: *mut PollFd, nfds: NfdsT, timeout: c_int) -> c_int;
}

/// poll_in() - wait up to `timeout_ms` (-1: no limit) for `fd` to be readable
///
/// Return: whether it is; false also when a signal cut the wait short
pub(crate) fn poll_in(fd: BorrowedFd<'_>, timeout_ms: i32) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    let mut p = PollFd {
        fd: fd.as_raw_fd(),
        events: 1, /* POLLIN, the same value on Linux and macOS */
        revents: 0,
    };
    // SAFETY: one pollfd of ours; fd is borrowed, so open.
    let rc = unsafe { poll(&mut p, 1, timeout_ms) };
    if rc < 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() == Some(errno::EINTR) {
            return Ok(false);
        }
        return Err(e);
    }
    Ok(rc > 0)
}

/// c_params_size() - sizeof(struct sqn_params) as the library compiled it
#[cfg(test)]
pub(crate) fn c_params_size() -> usize {
    // sqn_params_init() writes its own sizeof: give it far more room.
    let mut buf = vec![0u64; 1024];
    // SAFETY: 8 KiB, aligned for the struct, ours.
    unsafe { ffi::sqn_params_init(buf.as_mut_ptr() as *mut ffi::sqn_params) };
    (buf[0] & 0xffff_ffff) as usize
}

#[cfg(test)]
mod tests {
    use super::ffi;
    use std::ptr::addr_of;

    include!(concat!(env!("OUT_DIR"), "/c_layout.rs"));

    /// c() - a value the C layout program printed
    fn c(key: &str) -> usize {
        C_LAYOUT
            .iter()
            .find(|(k, _)| *k == key)
            .unwrap_or_else(|| panic!("{} missing from the C layout (build.rs)", key))
            .1
    }

    macro_rules! offsets {
        ($ty:ident, $v:expr, $($f:ident),+) => {{
            let v = &$v;
            let base = v as *const ffi::$ty as usize;
            $(
                let rust = addr_of!(v.$f) as usize - base;
                let key = concat!(stringify!($ty), ".", stringify!($f));
                assert_eq!(rust, c(key), "offset of {}", key);
            )+
        }};
    }

    #[test]
    fn layout_matches_the_header() {
        assert!(
            !C_LAYOUT.is_empty(),
            "build.rs could not compile the layout program"
        );
        let p = ffi::sqn_params::zeroed();
        offsets!(
            sqn_params,
            p,
            size,
            iface_id,
            mode,
            bridged_iface,
            mtu,
            start_timeout_ms,
            isolation,
            guest_mac,
            log,
            log_opaque,
            log_level,
            rx_queue_len,
            tx_queue_len,
            max_frame,
            helper_kind,
            helper_path,
            helper_args,
            n_helper_args,
            helper_restart,
            helper_env,
            connect_url,
            host_dev_name,
            tap_create,
            tap_queues,
            offload,
            offload_features,
            slirp_net,
            slirp_host,
            slirp_dns,
            slirp_dhcp_start,
            slirp_ipv6,
            slirp_restrict,
            slirp_dns_search,
            n_slirp_dns_search,
            forwards,
            n_forwards,
            reconnect_max,
            rx_rate_limiter,
            tx_rate_limiter,
            live_controls,
            policy_rules,
            n_policy_rules
        );
        // The header may have grown past what this crate knows (new fields
        // read as 0); it must not have shrunk.
        assert!(c("sqn_params") >= std::mem::size_of::<ffi::sqn_params>());
        assert_eq!(
            c("sqn_params"),
            super::c_params_size(),
            "header and library disagree"
        );

        let h = ffi::sqn_vnet_hdr::default();
        offsets!(
            sqn_vnet_hdr,
            h,
            flags,
            gso_type,
            hdr_len,
            gso_size,
            csum_start,
            csum_offset,
            num_buffers
        );
        assert_eq!(c("sqn_vnet_hdr"), std::mem::size_of::<ffi::sqn_vnet_hdr>());

        let f = ffi::sqn_frame {
            data: std::ptr::null_mut(),
            cap: 0,
            len: 0,
            vnet: h,
        };
        offsets!(sqn_frame, f, data, cap, len, vnet);
        // Frames are passed as arrays: the stride must be exact.
        assert_eq!(c("sqn_frame"), std::mem::size_of::<ffi::sqn_frame>());

        let s = ffi::sqn_stats::default();
        offsets!(
            sqn_stats,
            s,
            rx_frames,
            rx_bytes,
            tx_frames,
            tx_bytes,
            rx_dropped,
            tx_dropped,
            rx_errors,
            tx_errors,
            conn_resets,
            link_changes,
            helper_restarts
        );
        assert!(c("sqn_stats") >= std::mem::size_of::<ffi::sqn_stats>());
        assert!(c("sqn_stats") <= super::MSG_LEN, "stats buffer too small");

        let b = ffi::sqn_bucket::default();
        offsets!(sqn_bucket, b, size, one_time_burst, refill_time_ms);
        assert_eq!(c("sqn_bucket"), std::mem::size_of::<ffi::sqn_bucket>());
        let l = ffi::sqn_rate_limiter::default();
        offsets!(sqn_rate_limiter, l, bandwidth, ops);
        assert_eq!(
            c("sqn_rate_limiter"),
            std::mem::size_of::<ffi::sqn_rate_limiter>()
        );
        let (rx, rx_ops, tx, tx_ops) = (
            crate::ratelimit::which::RX_BANDWIDTH,
            crate::ratelimit::which::RX_OPS,
            crate::ratelimit::which::TX_BANDWIDTH,
            crate::ratelimit::which::TX_OPS,
        );
        assert_eq!(c("SQN_LIMIT_RX_BANDWIDTH"), rx as usize);
        assert_eq!(c("SQN_LIMIT_RX_OPS"), rx_ops as usize);
        assert_eq!(c("SQN_LIMIT_TX_BANDWIDTH"), tx as usize);
        assert_eq!(c("SQN_LIMIT_TX_OPS"), tx_ops as usize);

        // Structs with a size member: the library writes up to the smaller
        // of ours and its own, so ours must match the header exactly.
        let e = ffi::sqn_stats_ext::zeroed();
        offsets!(
            sqn_stats_ext,
            e,
            size,
            capturing,
            rx_throttled,
            tx_throttled,
            capture_frames,
            capture_dropped,
            capture_lost,
            policy_denied
        );
        assert_eq!(
            c("sqn_stats_ext"),
            std::mem::size_of::<ffi::sqn_stats_ext>()
        );
        // base: struct sqn_stats's counters, at the same distances
        let base = addr_of!(e.base) as usize - addr_of!(e) as usize;
        assert_eq!(base, c("sqn_stats_ext.rx_frames"));
        for f in [
            "rx_frames",
            "rx_bytes",
            "tx_frames",
            "tx_bytes",
            "rx_dropped",
            "tx_dropped",
            "rx_errors",
            "tx_errors",
            "conn_resets",
            "link_changes",
            "helper_restarts",
        ] {
            let ext = c(&format!("sqn_stats_ext.{}", f));
            assert_eq!(ext - base, c(&format!("sqn_stats.{}", f)), "{}", f);
        }
        assert_eq!(
            c("sqn_stats_ext.rx_throttled") - base,
            std::mem::size_of::<ffi::sqn_stats>()
        );
        let pc = ffi::sqn_policy_counters::zeroed();
        offsets!(
            sqn_policy_counters,
            pc,
            size,
            rules,
            denied,
            denied_addr,
            denied_expired,
            denied_dns_name,
            denied_dns_server,
            denied_dns_bad,
            denied_sni,
            denied_sni_unchecked,
            denied_quic,
            denied_proto,
            denied_frame,
            replies,
            dns_allowed,
            dns_answers,
            dns_malformed,
            dns_split,
            learnt,
            refreshed,
            evicted,
            expired,
            revoked,
            learnt_now,
            sni_checked,
            log_suppressed
        );
        assert_eq!(
            c("sqn_policy_counters"),
            std::mem::size_of::<ffi::sqn_policy_counters>()
        );
        let cap = ffi::sqn_capture {
            size: 0,
            path: std::ptr::null(),
            snaplen: 0,
            dirs: 0,
            nsec: 0,
            buf_bytes: 0,
        };
        offsets!(sqn_capture, cap, size, path, snaplen, dirs, nsec, buf_bytes);
        assert_eq!(c("sqn_capture"), std::mem::size_of::<ffi::sqn_capture>());
        assert_eq!(c("SQN_CAPTURE_RX"), 1);
        assert_eq!(c("SQN_CAPTURE_TX"), 2);
        assert_eq!(
            c("SQN_CAPTURE_RX") | c("SQN_CAPTURE_TX"),
            crate::CaptureDirection::Both.to_raw() as usize
        );
        assert_eq!(c("SQN_ON"), super::tristate(Some(true)) as usize);

        let m = ffi::sqn_mode_info::zeroed();
        offsets!(
            sqn_mode_info,
            m,
            size,
            mode,
            name,
            summary,
            platform,
            flags,
            uses,
            needs,
            supported,
            why_not
        );
        assert_eq!(
            c("sqn_mode_info"),
            std::mem::size_of::<ffi::sqn_mode_info>()
        );
        assert_eq!(c("SQN_MODE_WHY_LEN"), ffi::SQN_MODE_WHY_LEN);
        for (name, value) in crate::mode::FLAG_NAMES {
            assert_eq!(c(name), *value as usize, "{}", name);
        }

        assert_eq!(c("SQN_BATCH"), crate::BATCH);
        assert_eq!(c("SQN_FRAME_MIN"), crate::FRAME_MIN);
        assert_eq!(c("SQN_FRAME_MAX"), crate::FRAME_MAX);
        assert_eq!(c("SQN_MAX_QUEUES"), crate::MAX_QUEUES);
        assert_eq!(c("SQN_MTU_MIN"), crate::MTU_MIN as usize);
        assert_eq!(c("SQN_MTU_MAX"), crate::MTU_MAX as usize);
        assert_eq!(c("SQN_MODE_COUNT_"), crate::Mode::ALL.len());
        assert_eq!(c("sizeof_enum"), std::mem::size_of::<std::os::raw::c_int>());
    }
}
