// SPDX-License-Identifier: Apache-2.0
//! common/mod.rs - frames the tests exchange with a userspace stack or the
//! egress policy: a DHCP DISCOVER to send and a parser for the reply (as
//! tests/netframes.c), TCP segments and ARP requests, and their parsers
#![allow(dead_code)]

use std::time::{Duration, Instant};

use squib_net::{Iface, VmnetIface, BATCH, FRAME_MAX};

pub const BROADCAST: [u8; 6] = [0xff; 6];
pub const DHCP_DISCOVER: u8 = 1;
pub const DHCP_OFFER: u8 = 2;
const DHCP_MAGIC: [u8; 4] = [0x63, 0x82, 0x53, 0x63];
const DHCP_FIXED: usize = 236;

/// csum() - the Internet checksum (RFC 1071) of `data`, from partial `sum`
pub fn csum(data: &[u8], mut sum: u32) -> u16 {
    for c in data.chunks(2) {
        let hi = u32::from(c[0]) << 8;
        sum += hi | c.get(1).map_or(0, |&b| u32::from(b));
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// pseudo_sum() - partial sum of the IPv4 pseudo-header
fn pseudo_sum(sip: [u8; 4], dip: [u8; 4], proto: u8, len: usize) -> u32 {
    let w = |a: [u8; 4]| {
        u32::from(u16::from_be_bytes([a[0], a[1]])) + u32::from(u16::from_be_bytes([a[2], a[3]]))
    };
    w(sip) + w(dip) + u32::from(proto) + len as u32
}

/// ipv4_headers() - the Ethernet and IPv4 headers of a frame carrying
/// `l4_len` bytes of protocol `proto`, the IPv4 checksum filled in
fn ipv4_headers(
    smac: [u8; 6],
    dmac: [u8; 6],
    sip: [u8; 4],
    dip: [u8; 4],
    proto: u8,
    l4_len: usize,
) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + 20 + l4_len);
    f.extend_from_slice(&dmac);
    f.extend_from_slice(&smac);
    f.extend_from_slice(&0x0800u16.to_be_bytes());
    let mut ip = [0u8; 20];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&((20 + l4_len) as u16).to_be_bytes());
    ip[4..6].copy_from_slice(&1u16.to_be_bytes());
    ip[8] = 64;
    ip[9] = proto;
    ip[12..16].copy_from_slice(&sip);
    ip[16..20].copy_from_slice(&dip);
    let c = csum(&ip, 0);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    f.extend_from_slice(&ip);
    f
}

/// ipv4_l4() - the IPv4 header and the `proto` payload (at least `min`
/// bytes) of the frame `f`, every length checked; None for any other frame
fn ipv4_l4(f: &[u8], proto: u8, min: usize) -> Option<(&[u8], &[u8])> {
    if f.len() < 14 + 20 + min || f[12..14] != [0x08, 0x00] {
        return None;
    }
    let ip = &f[14..];
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    if ip[0] >> 4 != 4 || ihl < 20 || total < ihl + min || total > ip.len() || ip[9] != proto {
        return None;
    }
    Some((&ip[..ihl], &ip[ihl..total]))
}

/// udp_frame() - an Ethernet + IPv4 + UDP frame, checksums filled in
pub fn udp_frame(
    smac: [u8; 6],
    dmac: [u8; 6],
    sip: [u8; 4],
    dip: [u8; 4],
    sport: u16,
    dport: u16,
    payload: &[u8],
) -> Vec<u8> {
    let udp_len = 8 + payload.len();
    let mut f = ipv4_headers(smac, dmac, sip, dip, 17, udp_len);
    let mut udp = Vec::with_capacity(udp_len);
    udp.extend_from_slice(&sport.to_be_bytes());
    udp.extend_from_slice(&dport.to_be_bytes());
    udp.extend_from_slice(&(udp_len as u16).to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend_from_slice(payload);
    let c = csum(&udp, pseudo_sum(sip, dip, 17, udp_len));
    udp[6..8].copy_from_slice(&(if c == 0 { 0xffff } else { c }).to_be_bytes());
    f.extend_from_slice(&udp);
    f
}

/// dhcp_discover() - a DHCP DISCOVER from a client without an address
/// (0.0.0.0:68 to 255.255.255.255:67, broadcast flag set)
pub fn dhcp_discover(mac: [u8; 6], xid: u32) -> Vec<u8> {
    let mut m = vec![0u8; DHCP_FIXED];
    m[0] = 1; // BOOTREQUEST
    m[1] = 1; // Ethernet
    m[2] = 6;
    m[4..8].copy_from_slice(&xid.to_be_bytes());
    m[10..12].copy_from_slice(&0x8000u16.to_be_bytes());
    m[28..34].copy_from_slice(&mac);
    m.extend_from_slice(&DHCP_MAGIC);
    m.extend_from_slice(&[53, 1, DHCP_DISCOVER]);
    m.extend_from_slice(&[55, 4, 1, 3, 6, 119]); // mask, router, DNS, search
    m.push(255);
    udp_frame(mac, BROADCAST, [0; 4], [255; 4], 68, 67, &m)
}

/// struct Dhcp - what a DHCP reply said
#[derive(Debug, Default)]
pub struct Dhcp {
    pub src_mac: [u8; 6],
    pub ip_csum_ok: bool,
    pub udp_csum_ok: bool,
    pub op: u8,
    pub xid: u32,
    pub yiaddr: [u8; 4],
    pub chaddr: [u8; 6],
    pub msg_type: u8,
    pub server_id: [u8; 4],
    pub router: [u8; 4],
    pub dns: [u8; 4],
    pub mask: [u8; 4],
    pub lease: u32,
}

/// ip4() - 4 bytes at `at` of `b`
fn ip4(b: &[u8], at: usize) -> [u8; 4] {
    [b[at], b[at + 1], b[at + 2], b[at + 3]]
}

/// parse_dhcp_reply() - the DHCP reply in `f` (UDP 67 -> 68), checking
/// every length; None for any other frame
pub fn parse_dhcp_reply(f: &[u8]) -> Option<Dhcp> {
    let (ip, udp) = ipv4_l4(f, 17, 8)?;
    let (sport, dport) = (
        u16::from_be_bytes([udp[0], udp[1]]),
        u16::from_be_bytes([udp[2], udp[3]]),
    );
    let ulen = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
    if sport != 67 || dport != 68 || ulen < 8 || ulen > udp.len() {
        return None;
    }
    let mut d = Dhcp {
        src_mac: [f[6], f[7], f[8], f[9], f[10], f[11]],
        ip_csum_ok: csum(ip, 0) == 0,
        udp_csum_ok: udp[6..8] == [0, 0]
            || csum(&udp[..ulen], pseudo_sum(ip4(ip, 12), ip4(ip, 16), 17, ulen)) == 0,
        ..Dhcp::default()
    };
    let m = &udp[8..ulen];
    if m.len() < DHCP_FIXED + 4 || m[DHCP_FIXED..DHCP_FIXED + 4] != DHCP_MAGIC {
        return None;
    }
    d.op = m[0];
    d.xid = u32::from_be_bytes([m[4], m[5], m[6], m[7]]);
    d.yiaddr = ip4(m, 16);
    d.chaddr.copy_from_slice(&m[28..34]);
    let mut o = &m[DHCP_FIXED + 4..];
    while let Some((&code, rest)) = o.split_first() {
        match code {
            0 => {
                o = rest;
                continue;
            }
            255 => break,
            _ => {}
        }
        let (&len, rest) = rest.split_first()?;
        let len = usize::from(len);
        if rest.len() < len {
            return None;
        }
        let v = &rest[..len];
        match (code, len) {
            (53, 1) => d.msg_type = v[0],
            (54, 4) => d.server_id = ip4(v, 0),
            (1, 4) => d.mask = ip4(v, 0),
            (3, l) if l >= 4 => d.router = ip4(v, 0),
            (6, l) if l >= 4 => d.dns = ip4(v, 0),
            (51, 4) => d.lease = u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
            _ => {}
        }
        o = &rest[len..];
    }
    Some(d)
}

/// Rx - the RX path's calls, which VmnetIface (0.2.0) and Iface share
pub trait Rx {
    /// wait up to `d` for the readiness fd (or the library's timer)
    fn wait_up_to(&self, d: Duration);
    /// one read into `f`, the lengths into `s`
    fn read_into(&self, f: &mut [&mut [u8]], s: &mut [usize]) -> usize;
}

impl Rx for VmnetIface {
    fn wait_up_to(&self, d: Duration) {
        let _ready = self.wait(Some(d)).expect("wait");
    }
    fn read_into(&self, f: &mut [&mut [u8]], s: &mut [usize]) -> usize {
        self.read(f, s).expect("read")
    }
}

impl Rx for Iface {
    fn wait_up_to(&self, d: Duration) {
        let _ready = self.wait(Some(d)).expect("wait");
    }
    fn read_into(&self, f: &mut [&mut [u8]], s: &mut [usize]) -> usize {
        self.read(f, s).expect("read")
    }
}

/// read_until() - read frames (through the 0.2.0 calls for a VmnetIface)
/// until `want` accepts one or `limit` passes; returns what `want` made
/// of it
pub fn read_until<T>(
    iface: &impl Rx,
    limit: Duration,
    want: impl Fn(&[u8]) -> Option<T>,
) -> Option<T> {
    let mut bufs = vec![vec![0u8; FRAME_MAX]; BATCH];
    let mut sizes = [0usize; BATCH];
    let end = Instant::now() + limit;
    while Instant::now() < end {
        iface.wait_up_to(Duration::from_millis(50));
        let mut frames: Vec<&mut [u8]> = bufs.iter_mut().map(|b| &mut b[..]).collect();
        let n = iface.read_into(&mut frames, &mut sizes);
        for (f, &len) in frames.iter().zip(&sizes).take(n) {
            if let Some(v) = want(&f[..len]) {
                return Some(v);
            }
        }
    }
    None
}

/// free_port() - a TCP port on 127.0.0.1 that was free a moment ago
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local_addr").port()
}

/// TCP flags
pub const TCP_SYN: u8 = 0x02;
pub const TCP_RST: u8 = 0x04;
pub const TCP_ACK: u8 = 0x10;

/// tcp_frame() - an Ethernet + IPv4 + TCP frame without payload or
/// options, checksums filled in
#[allow(clippy::too_many_arguments)]
pub fn tcp_frame(
    smac: [u8; 6],
    dmac: [u8; 6],
    sip: [u8; 4],
    dip: [u8; 4],
    sport: u16,
    dport: u16,
    seq: u32,
    flags: u8,
) -> Vec<u8> {
    let mut f = ipv4_headers(smac, dmac, sip, dip, 6, 20);
    let mut tcp = [0u8; 20];
    tcp[0..2].copy_from_slice(&sport.to_be_bytes());
    tcp[2..4].copy_from_slice(&dport.to_be_bytes());
    tcp[4..8].copy_from_slice(&seq.to_be_bytes());
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14..16].copy_from_slice(&65535u16.to_be_bytes());
    let c = csum(&tcp, pseudo_sum(sip, dip, 6, 20));
    tcp[16..18].copy_from_slice(&c.to_be_bytes());
    f.extend_from_slice(&tcp);
    f
}

/// struct Tcp - what a TCP segment's headers said
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tcp {
    pub src_mac: [u8; 6],
    pub dst_mac: [u8; 6],
    pub sip: [u8; 4],
    pub dip: [u8; 4],
    pub sport: u16,
    pub dport: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub ip_csum_ok: bool,
    pub tcp_csum_ok: bool,
}

/// parse_tcp() - the IPv4 TCP segment in `f`, checking every length and
/// both checksums; None for any other frame
pub fn parse_tcp(f: &[u8]) -> Option<Tcp> {
    let (ip, tcp) = ipv4_l4(f, 6, 20)?;
    let b32 = |at: usize| u32::from_be_bytes([tcp[at], tcp[at + 1], tcp[at + 2], tcp[at + 3]]);
    Some(Tcp {
        dst_mac: [f[0], f[1], f[2], f[3], f[4], f[5]],
        src_mac: [f[6], f[7], f[8], f[9], f[10], f[11]],
        sip: ip4(ip, 12),
        dip: ip4(ip, 16),
        sport: u16::from_be_bytes([tcp[0], tcp[1]]),
        dport: u16::from_be_bytes([tcp[2], tcp[3]]),
        seq: b32(4),
        ack: b32(8),
        flags: tcp[13],
        ip_csum_ok: csum(ip, 0) == 0,
        tcp_csum_ok: csum(tcp, pseudo_sum(ip4(ip, 12), ip4(ip, 16), 6, tcp.len())) == 0,
    })
}

/// arp_request() - who has `tip`? tell `sip` (at `smac`)
pub fn arp_request(smac: [u8; 6], sip: [u8; 4], tip: [u8; 4]) -> Vec<u8> {
    let mut f = Vec::with_capacity(60);
    f.extend_from_slice(&BROADCAST);
    f.extend_from_slice(&smac);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1]);
    f.extend_from_slice(&smac);
    f.extend_from_slice(&sip);
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&tip);
    f.resize(60, 0);
    f
}

/// parse_arp_reply() - the sender (MAC, address) of the ARP reply in `f`
pub fn parse_arp_reply(f: &[u8]) -> Option<([u8; 6], [u8; 4])> {
    if f.len() < 42 || f[12..14] != [0x08, 0x06] || f[20..22] != [0, 2] {
        return None;
    }
    Some((
        [f[22], f[23], f[24], f[25], f[26], f[27]],
        [f[28], f[29], f[30], f[31]],
    ))
}

/// frame() - a broadcast frame of `len` bytes with a private ethertype,
/// its payload the bytes of `seq` over and over
pub fn frame(seq: u32, len: usize) -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&[0x06, 0, 0, 0, 0, 1, 0x88, 0xb5]);
    let tag = seq.to_be_bytes();
    while f.len() < len {
        f.push(tag[(f.len() - 14) % 4]);
    }
    f
}

/// seq_of() - the number frame() put in a frame
pub fn seq_of(f: &[u8]) -> u32 {
    u32::from_be_bytes([f[14], f[15], f[16], f[17]])
}
