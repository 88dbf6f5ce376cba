// SPDX-License-Identifier: Apache-2.0
//! control.rs - what the run-time controls of an [`Iface`](crate::Iface)
//! take and give: a pcap [`Capture`] and its [`CaptureStats`], the egress
//! policy's [`PolicyStats`]

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

/// Which frames a capture takes (`struct sqn_capture.dirs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CaptureDirection {
    /// both directions (the default)
    #[default]
    Both,
    /// what reads return: toward the guest
    Rx,
    /// what writes passed on: from the guest
    Tx,
}

impl CaptureDirection {
    /// to_raw() - SQN_CAPTURE_RX (1), SQN_CAPTURE_TX (2), or both
    pub(crate) fn to_raw(self) -> u32 {
        match self {
            CaptureDirection::Both => 1 | 2,
            CaptureDirection::Rx => 1,
            CaptureDirection::Tx => 2,
        }
    }
}

/// A pcap capture of an interface
/// ([`Iface::capture_start_with`](crate::Iface::capture_start_with)):
/// classic pcap, `LINKTYPE_ETHERNET`, readable by `tcpdump -r` and
/// Wireshark; a frame's virtio-net header is not written.
///
/// ```no_run
/// use squib_net::{Capture, CaptureDirection, Iface, Mode, Params};
/// let iface = Iface::start(&Params::new("eth0", Mode::Slirp))?;
/// iface.capture_start_with(
///     &Capture::new("/tmp/eth0.pcap").snaplen(128).direction(CaptureDirection::Tx),
/// )?;
/// // ... frames move ...
/// let c = iface.capture_stop()?;
/// println!("{} frames captured, {} dropped", c.frames, c.dropped);
/// # Ok::<(), squib_net::IfaceError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Capture {
    pub(crate) path: PathBuf,
    pub(crate) snaplen: u32,
    pub(crate) direction: CaptureDirection,
    pub(crate) nsec: bool,
    pub(crate) buf_bytes: u32,
}

impl Capture {
    /// A capture to `path` (created 0600, or truncated), whole frames,
    /// both directions, microsecond timestamps, a 4 MiB buffer.
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Capture {
            path: path.into(),
            snaplen: 0,
            direction: CaptureDirection::Both,
            nsec: false,
            buf_bytes: 0,
        }
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes kept of each frame, 14..262144; 0 (the default): 65535, all.
    #[must_use]
    pub fn snaplen(mut self, bytes: u32) -> Self {
        self.snaplen = bytes;
        self
    }

    /// Which frames: rx (toward the guest), tx, or both (the default).
    #[must_use]
    pub fn direction(mut self, d: CaptureDirection) -> Self {
        self.direction = d;
        self
    }

    /// Nanosecond timestamps (pcap's nanosecond magic); default
    /// microseconds.
    #[must_use]
    pub fn nsec(mut self, on: bool) -> Self {
        self.nsec = on;
        self
    }

    /// The buffer between the frame path and the file's writer thread; 0
    /// (the default): 4 MiB. A frame that does not fit it is dropped and
    /// counted ([`CaptureStats::dropped`]): the frame path never waits on
    /// the disk.
    #[must_use]
    pub fn buf_bytes(mut self, bytes: u32) -> Self {
        self.buf_bytes = bytes;
        self
    }
}

/// A capture's counters (the running one's, or the last one's): a whole
/// capture of both directions holds `rx_frames + tx_frames` of its time,
/// less `dropped` and `lost`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaptureStats {
    /// frames the capture took into its buffer
    pub frames: u64,
    /// frames it did not take: its buffer was full
    pub dropped: u64,
    /// frames it took but the file refused (a full disk); the file is cut
    /// back to its last whole record
    pub lost: u64,
}

/// The egress policy's counters (`struct sqn_policy_counters`,
/// [`Iface::policy_stats`](crate::Iface::policy_stats)); all 0 when the
/// interface never had a policy.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PolicyStats {
    /// rules in force (0: no policy, every frame passes)
    pub rules: u32,
    /// frames from the guest denied, every cause (each also counted in
    /// [`Stats::tx_dropped`](crate::Stats::tx_dropped))
    pub denied: u64,
    /// destination not allowed by any rule nor learnt from DNS
    pub denied_addr: u64,
    /// destination learnt from DNS whose lifetime is over
    pub denied_expired: u64,
    /// DNS queries for names not allowed (answered NXDOMAIN over UDP,
    /// reset over TCP)
    pub denied_dns_name: u64,
    /// DNS to a server that is not an allowed resolver
    pub denied_dns_server: u64,
    /// DNS queries malformed, not one plain question, or split across TCP
    /// segments
    pub denied_dns_bad: u64,
    /// TLS ClientHellos naming a host not allowed (check-sni)
    pub denied_sni: u64,
    /// ClientHellos that could not be checked
    pub denied_sni_unchecked: u64,
    /// UDP port 443 to addresses allowed by name only (check-sni)
    pub denied_quic: u64,
    /// frames neither IPv4, IPv6 nor ARP, or source-routed
    pub denied_proto: u64,
    /// malformed Ethernet or IP headers
    pub denied_frame: u64,
    /// frames sent back to the guest for denials (RST, ICMP, NXDOMAIN);
    /// each is also read like any other frame
    pub replies: u64,
    /// DNS queries passed to a resolver
    pub dns_allowed: u64,
    /// DNS answers read from the resolvers
    pub dns_answers: u64,
    /// DNS answers that did not parse
    pub dns_malformed: u64,
    /// DNS answers over TCP spanning segments (nothing learnt)
    pub dns_split: u64,
    /// addresses learnt from answers for allowed names
    pub learnt: u64,
    /// addresses answered again while known
    pub refreshed: u64,
    /// addresses dropped while alive, to make room
    pub evicted: u64,
    /// addresses dropped when their lifetime was over
    pub expired: u64,
    /// addresses dropped because an update no longer allows their name
    pub revoked: u64,
    /// addresses known now
    pub learnt_now: u64,
    /// ClientHellos checked and allowed
    pub sni_checked: u64,
    /// denials not logged (at most 10 lines a second)
    pub log_suppressed: u64,
}
