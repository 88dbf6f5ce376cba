// SPDX-License-Identifier: Apache-2.0
//! common/mod.rs - frames the tests exchange with a userspace stack: a DHCP
//! DISCOVER to send, and a parser for the reply (as tests/netframes.c)
#![allow(dead_code)]

use std::time::{Duration, Instant};

use squib_net::{VmnetIface, BATCH, FRAME_MAX};

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
    let mut f = Vec::with_capacity(14 + 20 + udp_len);
    f.extend_from_slice(&dmac);
    f.extend_from_slice(&smac);
    f.extend_from_slice(&0x0800u16.to_be_bytes());
    let mut ip = [0u8; 20];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&((20 + udp_len) as u16).to_be_bytes());
    ip[4..6].copy_from_slice(&1u16.to_be_bytes());
    ip[8] = 64;
    ip[9] = 17;
    ip[12..16].copy_from_slice(&sip);
    ip[16..20].copy_from_slice(&dip);
    let c = csum(&ip, 0);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    f.extend_from_slice(&ip);
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
    if f.len() < 14 + 20 + 8 || f[12..14] != [0x08, 0x00] {
        return None;
    }
    let ip = &f[14..];
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    if ip[0] >> 4 != 4 || ihl < 20 || total < ihl + 8 || total > ip.len() || ip[9] != 17 {
        return None;
    }
    let udp = &ip[ihl..total];
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
        ip_csum_ok: csum(&ip[..ihl], 0) == 0,
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

/// read_until() - read frames through the 0.2.0 calls until `want` accepts
/// one or `limit` passes; returns what `want` made of it
pub fn read_until<T>(
    iface: &VmnetIface,
    limit: Duration,
    want: impl Fn(&[u8]) -> Option<T>,
) -> Option<T> {
    let mut bufs = vec![vec![0u8; FRAME_MAX]; BATCH];
    let mut sizes = [0usize; BATCH];
    let end = Instant::now() + limit;
    while Instant::now() < end {
        iface.wait(Some(Duration::from_millis(50))).expect("wait");
        let mut frames: Vec<&mut [u8]> = bufs.iter_mut().map(|b| &mut b[..]).collect();
        let n = iface.read(&mut frames, &mut sizes).expect("read");
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
