// SPDX-License-Identifier: Apache-2.0
//! controls.rs - the run-time controls and the parameters behind them,
//! over loopback (every frame written that passes comes back): rate limits
//! observed (frames held back, then passed, in order, none dropped), limits
//! changed at run time, a pcap capture read back record by record, every
//! counter of stats_ext, the egress policy's RST read back and the policy
//! replaced at run time; reconnect_max over a socket peer that goes away
//!
//! No assertion is about time: a limiter's effect is counted in frames,
//! bytes and wake-ups.

use std::fs;
use std::io;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use squib_net::{
    Capture, CaptureDirection, CaptureStats, Iface, IfaceError, Mode, Params, RateLimitUpdate,
    RateLimiter, RateLimits, Stats, StatsExt, TokenBucket, BATCH, FRAME_MAX,
};

mod common;
use common::{frame, parse_tcp, seq_of, tcp_frame, udp_frame, TCP_ACK, TCP_RST, TCP_SYN};

const GUEST_MAC: [u8; 6] = [0x06, 0x00, 0x5a, 0x11, 0x22, 0x33];
const GW_MAC: [u8; 6] = [0x52, 0x55, 10, 0, 2, 2];
const GUEST: [u8; 4] = [10, 0, 2, 15];
const FAR: [u8; 4] = [192, 0, 2, 7];
const OK_NET: [u8; 4] = [10, 1, 2, 3];

/// loopback() - loopback parameters with id `id`, MTU 1500
fn loopback(id: &str) -> Params {
    Params::new(id, Mode::Loopback).mtu(1500)
}

/// refs() - frames as the slices write takes
fn refs(frames: &[Vec<u8>]) -> Vec<&[u8]> {
    frames.iter().map(|f| &f[..]).collect()
}

/// read_once() - one read of up to BATCH frames
fn read_once(iface: &Iface) -> Vec<Vec<u8>> {
    let mut bufs = vec![vec![0u8; FRAME_MAX]; BATCH];
    let mut sizes = [0usize; BATCH];
    let mut frames: Vec<&mut [u8]> = bufs.iter_mut().map(|b| &mut b[..]).collect();
    let n = iface.read(&mut frames, &mut sizes).expect("read");
    frames
        .iter()
        .zip(&sizes)
        .take(n)
        .map(|(f, &len)| f[..len].to_vec())
        .collect()
}

/// drain() - read as a VMM's RX loop does (wait on the fd with the
/// library's timer, then read) until `want` frames came or a wait of 5 s
/// found nothing; returns them and the wake-ups it took
fn drain(iface: &Iface, want: usize) -> (Vec<Vec<u8>>, usize) {
    let mut got = Vec::new();
    let mut wakeups = 0;
    while got.len() < want && wakeups < 10_000 {
        let ready = iface.wait(Some(Duration::from_secs(5))).expect("wait");
        wakeups += 1;
        let batch = read_once(iface);
        if batch.is_empty() && !ready && iface.timeout().is_none() {
            break;
        }
        got.extend(batch);
    }
    (got, wakeups)
}

/// check_seqs() - the frames are frame(first..) in order, whole
fn check_seqs(frames: &[Vec<u8>], first: u32, len: usize) {
    for (i, f) in frames.iter().enumerate() {
        let seq = first + i as u32;
        assert_eq!(seq_of(f), seq, "frame {} out of order", i);
        assert_eq!(f[..], frame(seq, len)[..], "frame {} intact", seq);
    }
}

/// temp_path() - a file name of this test in the temporary directory
fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("squib-net-rust-{}-{}", std::process::id(), name))
}

#[test]
fn tx_rate_limit_holds_frames_back_then_passes_them() {
    // 1000 bytes per 100 ms and a one-time burst of 500: 15 frames of
    // 100 bytes pass at once, the rest about 10 per refill
    let limiter =
        RateLimiter::bandwidth(TokenBucket::new(1000, Duration::from_millis(100)).with_burst(500));
    let iface = loopback("rl_tx")
        .tx_rate_limiter(limiter)
        .start()
        .expect("start");
    assert!(iface.tx_fd().is_some(), "a tx limiter gives a tx fd");
    assert_eq!(iface.tx_wait(), None, "nothing cut short yet");
    assert_eq!(
        iface.rate_limit(),
        RateLimits {
            rx: RateLimiter::default(),
            tx: limiter
        }
    );

    let sent: Vec<Vec<u8>> = (0..BATCH as u32).map(|i| frame(i, 100)).collect();
    let sent = refs(&sent);
    let mut at = iface.write(&sent).expect("write");
    assert_eq!(at, 15, "the burst and the bucket: 1500 bytes");
    let wait = iface.tx_wait().expect("a wait while throttled");
    assert!(
        wait >= Duration::from_millis(1) && wait <= Duration::from_millis(100),
        "{:?}",
        wait
    );
    assert!(
        !iface.wait_tx(Some(Duration::ZERO)).unwrap(),
        "the tx fd is quiet while the limiter blocks"
    );
    assert_eq!(iface.write(&sent[at..]).unwrap(), 0, "blocked: none taken");
    let st = iface.stats_ext();
    assert_eq!(
        (
            st.stats.tx_frames,
            st.stats.tx_bytes,
            st.stats.tx_dropped,
            st.tx_throttled
        ),
        (15, 1500, 0, 2)
    );

    // the rest as a TX thread sends them: wait for the tx fd, write again
    let mut wakeups = 0;
    while at < sent.len() && wakeups < 1000 {
        assert!(
            iface.wait_tx(Some(Duration::from_secs(5))).unwrap(),
            "the tx fd never woke"
        );
        wakeups += 1;
        at += iface.write(&sent[at..]).expect("write");
    }
    assert_eq!(at, BATCH);
    // every frame came back through loopback, in order
    let (got, _) = drain(&iface, BATCH);
    assert_eq!(got.len(), BATCH);
    check_seqs(&got, 0, 100);
    let st = iface.stats_ext();
    println!(
        "# 32 frames of 100 bytes: 15 at once, 17 in {} tx fd wake-ups; {} writes throttled",
        wakeups, st.tx_throttled
    );
    assert!(wakeups <= 17, "one wake-up lets one refill through");
    assert!(st.tx_throttled > 2, "{:?}", st);
    assert_eq!(
        (
            st.stats.tx_frames,
            st.stats.tx_bytes,
            st.stats.tx_dropped,
            st.stats.tx_errors
        ),
        (32, 3200, 0, 0),
        "nothing dropped"
    );
    assert_eq!((st.stats.rx_frames, st.stats.rx_dropped), (32, 0));
}

#[test]
fn rx_rate_limit_holds_frames_back_then_passes_them() {
    // 10 frames of 100 bytes per 100 ms, the bucket full at start
    let iface = loopback("rl_rx")
        .rx_rate_limiter(RateLimiter::bandwidth(TokenBucket::new(
            1000,
            Duration::from_millis(100),
        )))
        .start()
        .expect("start");
    assert!(iface.tx_fd().is_none(), "no tx limiter, no live controls");
    let sent: Vec<Vec<u8>> = (0..25).map(|i| frame(i, 100)).collect();
    assert_eq!(iface.write(&refs(&sent)).unwrap(), 25);

    let first = read_once(&iface);
    assert_eq!(first.len(), 10, "the bucket's 1000 bytes");
    check_seqs(&first, 0, 100);
    assert!(read_once(&iface).is_empty(), "blocked: 15 wait, none read");
    assert!(
        !iface.wait(Some(Duration::ZERO)).unwrap(),
        "the readiness fd sleeps while throttled"
    );
    assert!(iface.timeout().is_some(), "the limiter's deadline");
    let st = iface.stats_ext();
    assert_eq!(
        (
            st.stats.rx_frames,
            st.stats.rx_bytes,
            st.rx_throttled,
            st.stats.rx_dropped
        ),
        (10, 1000, 1, 0)
    );

    // the rest, 10 per refill: a few wake-ups, no spinning
    let (rest, wakeups) = drain(&iface, 15);
    println!("# 15 frames held back came in {} wake-ups", wakeups);
    assert_eq!(rest.len(), 15);
    check_seqs(&rest, 10, 100);
    assert!(wakeups <= 6, "{} wake-ups", wakeups);
    let st = iface.stats_ext();
    assert_eq!(
        (
            st.stats.rx_frames,
            st.stats.rx_bytes,
            st.stats.rx_dropped,
            st.stats.tx_dropped
        ),
        (25, 2500, 0, 0),
        "nothing dropped"
    );
    assert!(st.rx_throttled >= 2, "{:?}", st);
}

#[test]
fn rate_limits_set_at_run_time() {
    let tx5 = TokenBucket::new(5, Duration::from_secs(60));
    // not started ready for limits: refused with the library's message
    let plain = loopback("rl_no").start().expect("start");
    assert!(plain.tx_fd().is_none());
    assert_eq!(plain.tx_wait(), None);
    assert!(
        plain.wait_tx(Some(Duration::ZERO)).unwrap(),
        "never cut short"
    );
    let e = plain
        .set_rate_limit(&RateLimitUpdate::tx(RateLimiter::ops(tx5)))
        .unwrap_err();
    println!("# {}", e);
    assert!(matches!(e, IfaceError::NotSupported { .. }), "{:?}", e);
    assert!(e.message().contains("live_controls"), "{}", e);
    drop(plain);

    let iface = loopback("rl_live")
        .live_controls(true)
        .start()
        .expect("start");
    assert!(iface.tx_fd().is_some(), "live controls give a tx fd");
    assert_eq!(iface.rate_limit(), RateLimits::default());
    let forever = TokenBucket {
        size: 1,
        one_time_burst: 0,
        refill_time_ms: u64::MAX,
    };
    let e = iface
        .set_rate_limit(&RateLimitUpdate::tx(RateLimiter::bandwidth(forever)))
        .unwrap_err();
    println!("# {}", e);
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(e.message().contains("tx_rate_limiter.bandwidth"), "{}", e);
    assert_eq!(iface.rate_limit(), RateLimits::default(), "nothing changed");

    // tx: 5 frames a minute, only the ops bucket named
    let only_ops = RateLimitUpdate {
        tx_ops: Some(tx5),
        ..RateLimitUpdate::default()
    };
    iface.set_rate_limit(&only_ops).expect("set tx ops");
    assert_eq!(iface.rate_limit().tx, RateLimiter::ops(tx5));
    let sent: Vec<Vec<u8>> = (0..BATCH as u32).map(|i| frame(i, 100)).collect();
    let sent = refs(&sent);
    assert_eq!(iface.write(&sent).unwrap(), 5);
    assert!(iface.tx_wait().is_some());
    // removed: the direction stays blocked to its deadline, then all pass
    let off = RateLimitUpdate {
        tx_ops: Some(TokenBucket::default()),
        ..RateLimitUpdate::default()
    };
    iface.set_rate_limit(&off).expect("remove tx ops");
    assert_eq!(iface.rate_limit(), RateLimits::default());
    assert!(iface.wait_tx(Some(Duration::from_secs(5))).unwrap());
    assert_eq!(iface.write(&sent[5..]).unwrap(), BATCH - 5);
    assert_eq!(iface.tx_wait(), None);
    let (got, _) = drain(&iface, BATCH);
    check_seqs(&got, 0, 100);
    assert_eq!(got.len(), BATCH);

    // rx: 4 frames per 100 ms on the running interface
    let rx4 = RateLimiter::ops(TokenBucket::new(4, Duration::from_millis(100)));
    iface
        .set_rate_limit(&RateLimitUpdate::rx(rx4))
        .expect("set rx");
    assert_eq!(iface.rate_limit().rx, rx4);
    let more: Vec<Vec<u8>> = (100..112).map(|i| frame(i, 80)).collect();
    assert_eq!(iface.write(&refs(&more)).unwrap(), 12);
    let first = read_once(&iface);
    assert_eq!(first.len(), 4);
    check_seqs(&first, 100, 80);
    let (rest, wakeups) = drain(&iface, 8);
    println!("# 8 frames at 4 per refill: {} wake-ups", wakeups);
    check_seqs(&rest, 104, 80);
    assert_eq!(rest.len(), 8);
    let st = iface.stats_ext();
    assert_eq!(
        (st.stats.rx_frames, st.stats.rx_dropped, st.stats.tx_dropped),
        (44, 0, 0)
    );
    assert!(st.rx_throttled >= 1 && st.tx_throttled >= 1, "{:?}", st);
}

/// struct Pcap - a classic pcap file, parsed
struct Pcap {
    magic: u32,
    version: (u16, u16),
    snaplen: u32,
    linktype: u32,
    /// (original length, captured bytes) of each record
    records: Vec<(u32, Vec<u8>)>,
}

/// read_pcap() - parse `path`, host byte order (the library writes it so;
/// readers tell by the magic); panics on a file cut inside a record
fn read_pcap(path: &Path) -> Pcap {
    let b = fs::read(path).expect("read the capture file");
    assert!(b.len() >= 24, "{} bytes: no pcap header", b.len());
    let u32_at = |at: usize| u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let u16_at = |at: usize| u16::from_ne_bytes([b[at], b[at + 1]]);
    let mut p = Pcap {
        magic: u32_at(0),
        version: (u16_at(4), u16_at(6)),
        snaplen: u32_at(16),
        linktype: u32_at(20),
        records: Vec::new(),
    };
    let mut at = 24;
    while at < b.len() {
        assert!(at + 16 <= b.len(), "a record header cut at {}", at);
        let incl = u32_at(at + 8) as usize;
        let orig = u32_at(at + 12);
        assert!(at + 16 + incl <= b.len(), "a record cut at {}", at);
        p.records.push((orig, b[at + 16..at + 16 + incl].to_vec()));
        at += 16 + incl;
    }
    p
}

#[test]
fn capture_file_holds_every_frame() {
    let path = temp_path("capture.pcap");
    let iface = loopback("cap0").start().expect("start");
    // a frame before the capture is not in it
    assert_eq!(iface.write(&[&frame(999, 60)[..]]).unwrap(), 1);
    assert_eq!(drain(&iface, 1).0.len(), 1);

    iface.capture_start(&path, 100).expect("capture_start");
    let e = iface.capture_start(&path, 100).unwrap_err();
    println!("# {}", e);
    assert!(matches!(e, IfaceError::Os { .. }), "{:?}", e);
    assert!(e.message().contains("runs already"), "{}", e);
    assert!(iface.stats_ext().capturing);
    let lens = [60usize, 560, 1060];
    for (round, &len) in lens.iter().enumerate() {
        let first = round as u32 * 100;
        let sent: Vec<Vec<u8>> = (first..first + BATCH as u32)
            .map(|i| frame(i, len))
            .collect();
        assert_eq!(iface.write(&refs(&sent)).unwrap(), BATCH);
        let (got, _) = drain(&iface, BATCH);
        check_seqs(&got, first, len);
    }
    let c = iface.capture_stop().expect("capture_stop");
    let st = iface.stats_ext();
    println!("# {:?}; {:?}", c, st);
    assert_eq!(
        c,
        CaptureStats {
            frames: 2 * 3 * BATCH as u64,
            dropped: 0,
            lost: 0
        }
    );
    assert_eq!(c.frames, st.stats.rx_frames - 1 + st.stats.tx_frames - 1);
    assert!(!st.capturing);
    assert_eq!(st.capture, c, "the counters stay after the stop");
    let e = iface.capture_stop().unwrap_err();
    assert_eq!(io::Error::from(e.clone()).kind(), io::ErrorKind::NotFound);
    assert!(e.message().contains("no capture runs"), "{}", e);

    let p = read_pcap(&path);
    assert_eq!(p.magic, 0xa1b2_c3d4, "microsecond pcap");
    assert_eq!(p.version, (2, 4));
    assert_eq!(p.snaplen, 100);
    assert_eq!(p.linktype, 1, "LINKTYPE_ETHERNET");
    assert_eq!(p.records.len() as u64, c.frames);
    // each round: the 32 frames written (tx), then the same read (rx)
    let mut recs = p.records.iter();
    for (round, &len) in lens.iter().enumerate() {
        for _dir in ["tx", "rx"] {
            for i in 0..BATCH as u32 {
                let (orig, data) = recs.next().unwrap();
                let f = frame(round as u32 * 100 + i, len);
                assert_eq!(*orig as usize, len);
                assert_eq!(data[..], f[..len.min(100)], "record of frame {}", i);
            }
        }
    }
    println!("# {} records, snaplen {}", p.records.len(), p.snaplen);

    // tx only, nanosecond timestamps
    let cap = Capture::new(&path)
        .direction(CaptureDirection::Tx)
        .nsec(true);
    iface.capture_start_with(&cap).expect("capture tx");
    let sent: Vec<Vec<u8>> = (500..505).map(|i| frame(i, 200)).collect();
    assert_eq!(iface.write(&refs(&sent)).unwrap(), 5);
    assert_eq!(drain(&iface, 5).0.len(), 5);
    assert_eq!(iface.capture_stop().unwrap().frames, 5);
    let p = read_pcap(&path);
    assert_eq!(p.magic, 0xa1b2_3c4d, "nanosecond pcap");
    assert_eq!(p.snaplen, 65535, "snaplen 0: whole frames");
    assert_eq!(p.records.len(), 5);
    assert_eq!(p.records[4].1, sent[4]);

    // refusals, each with the library's message
    let e = iface.capture_start(&path, 5).unwrap_err();
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(e.message().contains("snaplen 5 is out of range"), "{}", e);
    let e = iface
        .capture_start("/nonexistent-dir/x.pcap", 0)
        .unwrap_err();
    println!("# {}", e);
    assert_eq!(io::Error::from(e.clone()).kind(), io::ErrorKind::NotFound);
    assert!(e.message().contains("/nonexistent-dir/x.pcap"), "{}", e);
    let e = iface.capture_start("/tmp/a\0b", 0).unwrap_err();
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(e.message().contains("capture path"), "{}", e);
    assert!(!iface.stats_ext().capturing);

    // stopping the interface stops a running capture: the file is whole
    iface.capture_start(&path, 0).expect("capture");
    let two: Vec<Vec<u8>> = (600..602).map(|i| frame(i, 64)).collect();
    assert_eq!(iface.write(&refs(&two)).unwrap(), 2);
    assert_eq!(drain(&iface, 2).0.len(), 2);
    iface.stop();
    assert_eq!(read_pcap(&path).records.len(), 4);
    fs::remove_file(&path).expect("remove the capture file");
}

#[test]
fn stats_ext_counts_every_frame() {
    let iface = loopback("st0").start().expect("start");
    let good = [frame(1, 60), frame(2, 100), frame(3, 1514)];
    let short = vec![0u8; 10];
    let long = vec![0u8; 1515];
    let all: Vec<&[u8]> = vec![&good[0], &short, &good[1], &long, &good[2]];
    assert_eq!(iface.write(&all).unwrap(), 5, "all consumed");
    let (got, _) = drain(&iface, 3);
    assert_eq!(got, good.to_vec());
    let bytes = 60 + 100 + 1514;
    let st = iface.stats_ext();
    let base = iface.stats();
    assert_eq!(st.stats, base);
    assert_eq!(
        base,
        Stats {
            rx_frames: 3,
            rx_bytes: bytes,
            tx_frames: 3,
            tx_bytes: bytes,
            tx_errors: 2,
            link_changes: base.link_changes,
            ..Stats::default()
        }
    );
    assert_eq!(
        st,
        StatsExt {
            stats: base,
            ..StatsExt::default()
        },
        "nothing throttled, captured or denied"
    );
    assert_eq!(
        iface.policy_stats(),
        Default::default(),
        "never had a policy"
    );
}

/// syn() - a SYN from the guest to `dst`:`dport`, sequence number 1000
fn syn(dst: [u8; 4], dport: u16) -> Vec<u8> {
    tcp_frame(GUEST_MAC, GW_MAC, GUEST, dst, 40000, dport, 1000, TCP_SYN)
}

/// check_rst() - `f` is the RST a denied syn(FAR, 80) gets
fn check_rst(f: &[u8]) {
    let t = parse_tcp(f).expect("a TCP segment");
    assert!(t.ip_csum_ok && t.tcp_csum_ok, "checksums: {:?}", t);
    assert_eq!((t.sip, t.sport), (FAR, 80), "from the peer: {:?}", t);
    assert_eq!((t.dip, t.dport), (GUEST, 40000), "{:?}", t);
    assert_eq!(t.flags, TCP_RST | TCP_ACK, "{:?}", t);
    assert_eq!(t.ack, 1001, "acknowledges the SYN");
    assert_eq!(t.dst_mac, GUEST_MAC, "to the guest");
}

#[test]
fn policy_denies_with_a_rst() {
    let iface = loopback("pol0")
        .policy_rule("allow-net=10.1.0.0/16")
        .start()
        .expect("start with a policy");
    assert!(!iface.wait(Some(Duration::ZERO)).unwrap());
    // a SYN to an address no rule allows: a RST at once, which wakes the fd
    assert_eq!(iface.write(&[&syn(FAR, 80)[..]]).unwrap(), 1);
    assert!(iface.wait(Some(Duration::ZERO)).unwrap(), "the reply wakes");
    let got = read_once(&iface);
    assert_eq!(got.len(), 1);
    check_rst(&got[0]);
    // UDP: ICMP administratively prohibited
    let udp = udp_frame(GUEST_MAC, GW_MAC, GUEST, FAR, 4000, 9, &[0u8; 100]);
    assert_eq!(iface.write(&[&udp[..]]).unwrap(), 1);
    let got = read_once(&iface);
    assert_eq!(got.len(), 1);
    let icmp = &got[0][14 + 20..];
    assert_eq!(got[0][14 + 9], 1, "ICMP");
    assert_eq!((icmp[0], icmp[1]), (3, 13), "administratively prohibited");
    // an allowed destination: the SYN itself comes back untouched
    let ok = syn(OK_NET, 5432);
    assert_eq!(iface.write(&[&ok[..]]).unwrap(), 1);
    assert_eq!(read_once(&iface), vec![ok]);

    let st = iface.stats_ext();
    let c = iface.policy_stats();
    println!(
        "# tx {} frames, dropped {}, policy_denied {}; rx {} frames; replies {}",
        st.stats.tx_frames, st.stats.tx_dropped, st.policy_denied, st.stats.rx_frames, c.replies
    );
    assert_eq!(
        (
            st.stats.tx_frames,
            st.stats.tx_dropped,
            st.policy_denied,
            st.stats.rx_frames
        ),
        (1, 2, 2, 3)
    );
    assert_eq!(
        (c.rules, c.denied, c.denied_addr, c.replies),
        (1, 2, 2, 2),
        "{:?}",
        c
    );
}

#[test]
fn policy_set_at_run_time() {
    // no policy and no live controls: nothing could wake the reader for
    // a reply
    let plain = loopback("pol1").start().expect("start");
    let e = plain.set_policy(&["allow-net=10.1.0.0/16"]).unwrap_err();
    println!("# {}", e);
    assert!(matches!(e, IfaceError::NotSupported { .. }), "{:?}", e);
    assert!(e.message().contains("live_controls"), "{}", e);
    drop(plain);

    let iface = loopback("pol2").live_controls(true).start().expect("start");
    let s = syn(FAR, 80);
    assert_eq!(iface.write(&[&s[..]]).unwrap(), 1);
    assert_eq!(read_once(&iface), vec![s.clone()], "no policy: passes");
    assert_eq!(iface.policy_stats().rules, 0);

    iface
        .set_policy(&["allow-net=10.1.0.0/16"])
        .expect("set_policy");
    assert_eq!(iface.policy_stats().rules, 1);
    assert_eq!(iface.write(&[&s[..]]).unwrap(), 1);
    let got = read_once(&iface);
    assert_eq!(got.len(), 1);
    check_rst(&got[0]);

    // a refused update names the rule and leaves the rules in force
    let e = iface
        .set_policy(&["allow-net=192.0.2.0/24", "allow-host=a..b"])
        .unwrap_err();
    println!("# {}", e);
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(e.message().contains("policy rule 1: "), "{}", e);
    assert!(e.message().contains("a..b"), "{}", e);
    assert_eq!(iface.policy_stats().rules, 1);
    let e = iface.set_policy(&["deny-all\0"]).unwrap_err();
    assert!(e.message().contains("NUL byte"), "{}", e);

    iface
        .set_policy(&[String::from("allow-net=192.0.2.0/24")])
        .expect("set_policy");
    assert_eq!(iface.write(&[&s[..]]).unwrap(), 1);
    assert_eq!(read_once(&iface), vec![s.clone()], "allowed now");
    // none: off
    iface.set_policy::<&str>(&[]).expect("policy off");
    assert_eq!(iface.policy_stats().rules, 0);
    let c = iface.policy_stats();
    assert_eq!((c.denied, c.replies), (1, 1), "{:?}", c);
    assert_eq!(iface.stats_ext().policy_denied, 1);
}

#[test]
fn reconnect_max_gives_up() {
    // a socket peer (u32-BE frames) that accepts, then goes away with its
    // socket file: with reconnect_max 2 the library tries twice (100 and
    // 200 ms of backoff) and gives up, the link down saying so
    let path = temp_path("peer.sock");
    let _ = fs::remove_file(&path);
    let listener = UnixListener::bind(&path).expect("bind the peer's socket");
    let url = format!("unix://{}", path.display());
    let iface = Params::new("rc0", Mode::Socket)
        .connect_url(url.clone())
        .reconnect_max(2)
        .start()
        .expect("start socket mode");
    let (peer, _) = listener.accept().expect("accept");
    assert!(iface.link().up);
    drop(peer);
    drop(listener);
    fs::remove_file(&path).expect("remove the peer's socket");

    let end = Instant::now() + Duration::from_secs(10);
    let mut link = iface.link();
    while Instant::now() < end && !link.reason.contains("gave up") {
        let _ = iface.wait(Some(Duration::from_millis(20)));
        let _ = read_once(&iface);
        link = iface.link();
    }
    println!("# {:?}", link);
    assert!(!link.up);
    assert!(
        link.reason
            .contains("gave up after 2 reconnection attempts"),
        "{:?}",
        link
    );
    assert!(link.reason.contains(&url), "{:?}", link);
    assert_eq!(iface.timeout(), None, "no timer left to try again");
}
