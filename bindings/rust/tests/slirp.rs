// SPDX-License-Identifier: Apache-2.0
//! slirp.rs - frames through libslirp: a DHCP exchange with the 0.2.0 calls,
//! the same with virtio-net headers, drop/stop closing a forward, and a
//! forward added at run time carrying a host connection to the guest

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use std::io;

use squib_net::{vnet, IfaceError, Mode, Params, VmnetIface, VnetHdr, BATCH};

mod common;
use common::{
    arp_request, dhcp_discover, free_port, parse_arp_reply, parse_dhcp_reply, parse_tcp,
    read_until, Dhcp, DHCP_OFFER, TCP_ACK, TCP_SYN,
};

const GUEST_MAC: [u8; 6] = [0x06, 0x00, 0x5a, 0x11, 0x22, 0x33];
const XID: u32 = 0x1234_abcd;

/// slirp() - parameters of a slirp interface; fails (never skips) when the
/// library was built without libslirp
fn slirp() -> Params {
    if let Err(why) = Mode::Slirp.supported() {
        panic!("libsquibnet was built without libslirp: {}", why);
    }
    Params::new("eth0", Mode::Slirp).guest_mac(GUEST_MAC)
}

/// check_offer() - the OFFER libslirp's DHCP server gives by default
fn check_offer(d: &Dhcp, host_mac: [u8; 6]) {
    assert_eq!(d.op, 2, "BOOTREPLY");
    assert_eq!(d.msg_type, DHCP_OFFER);
    assert_eq!(d.xid, XID);
    assert_eq!(d.chaddr, GUEST_MAC);
    assert_eq!(d.yiaddr, [10, 0, 2, 15]);
    assert_eq!(d.server_id, [10, 0, 2, 2]);
    assert_eq!(d.router, [10, 0, 2, 2]);
    assert_eq!(d.dns, [10, 0, 2, 3]);
    assert_eq!(d.mask, [255, 255, 255, 0]);
    assert!(d.lease > 0);
    assert!(d.ip_csum_ok && d.udp_csum_ok, "checksums");
    assert_eq!(d.src_mac, host_mac, "sent by the gateway");
}

#[test]
fn dhcp_offer_through_the_0_2_0_calls() {
    let mut iface = VmnetIface::from(slirp().start().expect("start slirp"));
    assert_eq!(iface.iface_id(), "eth0");
    assert_eq!(iface.mtu(), 1500);
    assert_eq!(iface.host_mac(), [0x52, 0x55, 10, 0, 2, 2]);

    let discover = dhcp_discover(GUEST_MAC, XID);
    assert_eq!(iface.write(&[&discover[..]]).expect("write"), 1);
    let offer = read_until(&iface, Duration::from_secs(5), |f| {
        parse_dhcp_reply(f).map(|d| (d, f.len()))
    });
    let (d, len) = offer.expect("no DHCP OFFER from libslirp within 5 s");
    check_offer(&d, iface.host_mac());
    println!(
        "offer: {}.{}.{}.{} from {}.{}.{}.{}, lease {} s, {} bytes",
        d.yiaddr[0],
        d.yiaddr[1],
        d.yiaddr[2],
        d.yiaddr[3],
        d.server_id[0],
        d.server_id[1],
        d.server_id[2],
        d.server_id[3],
        d.lease,
        len
    );

    let s = iface.stats();
    assert_eq!(s.tx_frames, 1);
    assert_eq!(s.tx_bytes, discover.len() as u64);
    assert!(s.rx_frames >= 1 && s.rx_bytes >= len as u64, "{:?}", s);
    let all = iface.iface().expect("running").stats();
    assert_eq!((all.tx_dropped, all.tx_errors, all.rx_errors), (0, 0, 0));

    iface.stop().expect("stop");
    iface.stop().expect("second stop");
    let after = iface.stats();
    assert_eq!(
        (after.tx_frames, after.rx_frames, after.rx_bytes),
        (s.tx_frames, s.rx_frames, s.rx_bytes)
    );
    let mut buf = [0u8; 1514];
    let e = iface.read(&mut [&mut buf[..]], &mut [0]).unwrap_err();
    assert!(
        matches!(e, squib_net::IfaceError::Stopped { .. }),
        "{:?}",
        e
    );
    assert!(iface.write(&[&discover[..]]).is_err());
}

#[test]
fn dhcp_offer_with_virtio_net_headers() {
    let iface = slirp()
        .offload(true)
        .start()
        .expect("start slirp with offload");
    assert!(iface.offload());
    let discover = dhcp_discover(GUEST_MAC, XID);
    let hdr = VnetHdr::default(); // a whole frame, checksum filled in
    assert_eq!(
        iface
            .write_queue(0, &[&discover[..]], Some(&[hdr]))
            .expect("write"),
        1
    );

    let mut bufs = vec![vec![0u8; iface.max_frame()]; BATCH];
    let mut sizes = [0usize; BATCH];
    let mut hdrs = [VnetHdr::default(); BATCH];
    let mut got = None;
    for _ in 0..100 {
        iface.wait(Some(Duration::from_millis(50))).expect("wait");
        let mut frames: Vec<&mut [u8]> = bufs.iter_mut().map(|b| &mut b[..]).collect();
        let n = iface
            .read_queue(0, &mut frames, &mut sizes, Some(&mut hdrs[..]))
            .expect("read");
        if let Some(i) = (0..n).find(|&i| parse_dhcp_reply(&frames[i][..sizes[i]]).is_some()) {
            got = Some((parse_dhcp_reply(&frames[i][..sizes[i]]).unwrap(), hdrs[i]));
            break;
        }
    }
    let (d, h) = got.expect("no DHCP OFFER within 5 s");
    check_offer(&d, iface.host_mac());
    assert_eq!(h.gso_type, vnet::GSO_NONE, "{:?}", h);
    assert_eq!(
        h.flags & vnet::HDR_F_NEEDS_CSUM,
        0,
        "checksum already complete: {:?}",
        h
    );
    let s = iface.stop();
    assert_eq!(s.tx_frames, 1);
}

/// connects() - whether a TCP connection to `port` on 127.0.0.1 is accepted
fn connects(port: u16) -> bool {
    let a = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok()
}

#[test]
fn drop_and_stop_close_the_forward() {
    // Dropping an Iface stops it: libslirp's listener goes with it.
    let port = free_port();
    let iface = slirp()
        .forward(format!("tcp:127.0.0.1:{}-:80", port))
        .start()
        .expect("start slirp with a forward");
    assert!(connects(port), "forward on port {} is not listening", port);
    drop(iface);
    assert!(!connects(port), "port {} still accepts after drop", port);

    // The same for VmnetIface: stop() closes it, drop after stop is fine.
    let port = free_port();
    let mut v = VmnetIface::from(
        slirp()
            .forward(format!("tcp:127.0.0.1:{}-:80", port))
            .start()
            .expect("start"),
    );
    assert!(connects(port));
    v.stop().expect("stop");
    assert!(!connects(port), "port {} still accepts after stop", port);
    drop(v);

    let port = free_port();
    let v = VmnetIface::from(
        slirp()
            .forward(format!("tcp:127.0.0.1:{}-:80", port))
            .start()
            .expect("start"),
    );
    assert!(connects(port));
    drop(v);
    assert!(!connects(port), "port {} still accepts after drop", port);
}

#[test]
fn forward_added_and_removed_at_run_time() {
    // a mode without forwards at run time says so
    assert!(!Mode::Loopback.info().live_forwards());
    let lo = Params::new("eth0", Mode::Loopback).start().expect("start");
    let e = lo.forward_add("tcp::8080-:80").unwrap_err();
    println!("# {}", e);
    assert!(matches!(e, IfaceError::NotSupported { .. }), "{:?}", e);
    assert!(
        e.message().contains("loopback mode has no port forwards"),
        "{}",
        e
    );
    drop(lo);

    assert!(Mode::Slirp.info().live_forwards());
    let iface = slirp().start().expect("start slirp");
    let port = free_port();
    let spec = format!("tcp:127.0.0.1:{}-:80", port);
    assert!(!connects(port));
    iface.forward_add(&spec).expect("forward_add");

    // the guest makes itself known (an ARP request for the gateway, whose
    // reply comes back), then a host connection to the forwarded port
    // reaches it as a SYN to its port 80
    let arp = arp_request(GUEST_MAC, [10, 0, 2, 15], [10, 0, 2, 2]);
    assert_eq!(iface.write(&[&arp[..]]).expect("write ARP"), 1);
    let gw = read_until(&iface, Duration::from_secs(5), parse_arp_reply);
    assert_eq!(gw, Some((iface.host_mac(), [10, 0, 2, 2])), "ARP reply");
    let a = SocketAddr::from(([127, 0, 0, 1], port));
    let _conn = TcpStream::connect_timeout(&a, Duration::from_secs(2)).expect("connect");
    let syn = read_until(&iface, Duration::from_secs(5), |f| {
        parse_tcp(f).filter(|t| t.dport == 80)
    })
    .expect("no SYN for the guest's port 80 within 5 s");
    println!("# forwarded: {:?}", syn);
    assert_eq!(syn.dip, [10, 0, 2, 15]);
    assert_eq!(syn.flags & (TCP_SYN | TCP_ACK), TCP_SYN, "{:?}", syn);
    assert!(syn.ip_csum_ok && syn.tcp_csum_ok, "{:?}", syn);
    assert_eq!(syn.dst_mac, GUEST_MAC);

    // the same host port twice: what listening failed with
    let e = iface.forward_add(&spec).unwrap_err();
    println!("# {}", e);
    assert_eq!(io::Error::from(e.clone()).kind(), io::ErrorKind::AddrInUse);
    assert!(
        e.message().contains("cannot listen on TCP 127.0.0.1:"),
        "{}",
        e
    );
    iface.forward_remove(&spec).expect("forward_remove");
    assert!(!connects(port), "port {} still accepts after remove", port);
    let e = iface.forward_remove(&spec).unwrap_err();
    println!("# {}", e);
    assert_eq!(io::Error::from(e.clone()).kind(), io::ErrorKind::NotFound);
    assert!(
        e.message().contains("no TCP forward listens on 127.0.0.1:"),
        "{}",
        e
    );

    // bad specs: refused with the library's message
    let e = iface
        .forward_add(&format!("sctp::{}-:80", port))
        .unwrap_err();
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(e.message().contains("unknown protocol"), "{}", e);
    let e = iface
        .forward_add(&format!("tcp::{}-10.0.2.2:80", port))
        .unwrap_err();
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(e.message().contains("not a guest address"), "{}", e);
    let e = iface.forward_add("tcp::1\0-:80").unwrap_err();
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(e.message().contains("has a NUL byte"), "{}", e);
}
