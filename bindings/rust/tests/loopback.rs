// SPDX-License-Identifier: Apache-2.0
//! loopback.rs - start, write, read, stop over the loopback backend: the
//! general Iface, the 0.2.0 calls, a reader and a writer thread at once

use std::os::unix::io::{AsFd, AsRawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use squib_net::{Iface, IfaceError, LogLevel, Mode, Params, VmnetIface, BATCH, FRAME_MAX};

mod common;
use common::frame;

/// loopback() - a started loopback interface
fn loopback() -> Iface {
    Iface::start(&Params::new("eth0", Mode::Loopback)).expect("start loopback")
}

#[test]
fn start_write_read_stop() {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let iface = Params::new("lo_test_1", Mode::Loopback)
        .log(LogLevel::Info, move |_, msg| {
            sink.lock().unwrap().push(msg.to_string())
        })
        .start()
        .expect("start");
    assert_eq!(iface.iface_id(), "lo_test_1");
    assert_eq!(iface.mode(), Mode::Loopback);
    assert_eq!(iface.mtu(), 1500);
    assert_eq!(iface.max_frame(), 1514);
    assert_eq!(iface.queues(), 1);
    assert!(!iface.offload());
    assert_eq!(iface.guest_mac()[..2], [0x06, 0x00], "generated guest MAC");
    assert!(iface.as_raw_fd() >= 0);
    assert_eq!(
        iface.queue_fd(0).unwrap().as_raw_fd(),
        iface.as_fd().as_raw_fd()
    );
    assert!(iface.queue_fd(1).is_none());
    let link = iface.link();
    assert!(link.up, "{:?}", link);
    assert!(link.reason.contains("loopback"), "{:?}", link);
    assert!(
        lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("lo_test_1: started in loopback mode")),
        "log: {:?}",
        lines.lock().unwrap()
    );

    // Nothing waiting yet: read returns 0, the fd stays quiet.
    let mut bufs = vec![vec![0u8; 1514]; BATCH];
    let mut sizes = [0usize; BATCH];
    {
        let mut frames: Vec<&mut [u8]> = bufs.iter_mut().map(|b| &mut b[..]).collect();
        assert_eq!(iface.read(&mut frames, &mut sizes).unwrap(), 0);
    }
    assert!(!iface.wait(Some(Duration::ZERO)).unwrap());

    let sent: Vec<Vec<u8>> = (0..3).map(|i| frame(i, 60 + i as usize * 100)).collect();
    let refs: Vec<&[u8]> = sent.iter().map(|f| &f[..]).collect();
    assert_eq!(iface.write(&refs).unwrap(), 3);
    assert!(
        iface.wait(Some(Duration::from_secs(1))).unwrap(),
        "fd not readable"
    );
    let mut frames: Vec<&mut [u8]> = bufs.iter_mut().map(|b| &mut b[..]).collect();
    assert_eq!(iface.read(&mut frames, &mut sizes).unwrap(), 3);
    for i in 0..3 {
        assert_eq!(&frames[i][..sizes[i]], &sent[i][..], "frame {}", i);
    }
    let bytes: u64 = sent.iter().map(|f| f.len() as u64).sum();
    let s = iface.stats();
    assert_eq!(
        (s.tx_frames, s.tx_bytes, s.rx_frames, s.rx_bytes),
        (3, bytes, 3, bytes)
    );
    assert_eq!(
        (s.tx_dropped, s.rx_dropped, s.tx_errors, s.rx_errors),
        (0, 0, 0, 0)
    );
    assert_eq!(iface.last_error(), "");

    let last = iface.stop();
    assert_eq!(last, s, "final counters");
    assert!(
        lines.lock().unwrap().len() >= 2,
        "the log callback stays valid until the interface is freed"
    );
}

#[test]
fn frame_too_large_stays_queued() {
    let iface = loopback();
    let f = frame(7, 300);
    assert_eq!(iface.write(&[&f[..]]).unwrap(), 1);
    let mut small = [0u8; 100];
    let mut sizes = [0usize; 1];
    match iface.read(&mut [&mut small[..]], &mut sizes) {
        Err(IfaceError::FrameTooLarge { needed, message }) => {
            assert_eq!(needed, 300);
            assert!(!message.is_empty());
        }
        other => panic!("expected FrameTooLarge, got {:?}", other),
    }
    let mut big = vec![0u8; FRAME_MAX];
    assert_eq!(iface.read(&mut [&mut big[..]], &mut sizes).unwrap(), 1);
    assert_eq!(&big[..sizes[0]], &f[..]);
}

#[test]
fn refused_frames_are_counted() {
    let iface = loopback();
    let short = [0u8; 10];
    let long = vec![0u8; 1515];
    let ok = frame(1, 64);
    assert_eq!(
        iface.write(&[&short[..], &ok[..], &long[..]]).unwrap(),
        3,
        "all consumed"
    );
    let s = iface.stats();
    assert_eq!((s.tx_frames, s.tx_errors), (1, 2));
    // More than BATCH frames: one call takes BATCH.
    let many: Vec<Vec<u8>> = (0..40).map(|i| frame(i, 64)).collect();
    let refs: Vec<&[u8]> = many.iter().map(|f| &f[..]).collect();
    assert_eq!(iface.write(&refs).unwrap(), BATCH);
    // A queue that does not exist.
    let e = iface.write_queue(3, &refs[..1], None).unwrap_err();
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(e.message().contains("queue 3 does not exist"), "{}", e);
}

#[test]
fn the_0_2_0_calls_over_loopback() {
    let mut v = VmnetIface::from(loopback());
    assert_eq!(v.iface_id(), "eth0");
    assert_eq!(v.mtu(), 1500);
    let f = frame(1, 100);
    assert_eq!(v.write(&[&f[..], &f[..]]).unwrap(), 2);
    let mut a = [0u8; 1514];
    let mut b = [0u8; 1514];
    let mut sizes = [0usize; 2];
    v.wait(Some(Duration::from_secs(1))).unwrap();
    assert_eq!(
        v.read(&mut [&mut a[..], &mut b[..]], &mut sizes).unwrap(),
        2
    );
    assert_eq!(sizes, [100, 100]);
    assert_eq!(&b[..100], &f[..]);
    let s = v.stats();
    assert_eq!(
        (s.tx_frames, s.tx_bytes, s.rx_frames, s.rx_bytes),
        (2, 200, 2, 200)
    );
    assert!(v.as_raw_fd() >= 0);
    v.stop().unwrap();
    v.stop().unwrap();
    assert_eq!(v.as_raw_fd(), -1);
    assert!(v.iface().is_none());
    assert_eq!(v.stats().rx_frames, 2, "final counters after stop");
    assert_eq!(v.mtu(), 1500);
    match v.write(&[&f[..]]) {
        Err(e @ IfaceError::Stopped { .. }) => assert!(e.to_string().contains("stopped")),
        other => panic!("expected Stopped, got {:?}", other),
    }
}

#[test]
fn a_reader_and_a_writer_thread() {
    // Many more frames than the 256-frame queue: the writer outruns the
    // reader at times, and frames that do not fit drop. Every frame the
    // reader gets is intact and in order, and the counters add up exactly.
    const N: u32 = 20_000;
    let v = VmnetIface::from(loopback());
    let done = AtomicBool::new(false);
    let received = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let frames: Vec<Vec<u8>> = (0..N).map(|i| frame(i, 60 + (i % 1400) as usize)).collect();
            let mut i = 0usize;
            while i < frames.len() {
                let end = (i + BATCH).min(frames.len());
                let refs: Vec<&[u8]> = frames[i..end].iter().map(|f| &f[..]).collect();
                i += v.write(&refs).expect("write");
                std::thread::yield_now();
            }
            done.store(true, Ordering::SeqCst);
        });
        let reader = s.spawn(|| {
            let mut bufs = vec![vec![0u8; 1514]; BATCH];
            let mut sizes = [0usize; BATCH];
            let mut last: Option<u32> = None;
            let mut got = 0u64;
            let end = Instant::now() + Duration::from_secs(60);
            while Instant::now() < end {
                // Checked before the read: a read of 0 after it means the
                // queue holds nothing the writer wrote.
                let finished = done.load(Ordering::SeqCst);
                v.wait(Some(Duration::from_millis(10))).expect("wait");
                let mut frames: Vec<&mut [u8]> = bufs.iter_mut().map(|b| &mut b[..]).collect();
                let n = v.read(&mut frames, &mut sizes).expect("read");
                for (f, &len) in frames.iter().zip(&sizes).take(n) {
                    let seq = u32::from_be_bytes([f[14], f[15], f[16], f[17]]);
                    assert_eq!(&f[..len], &frame(seq, len)[..], "frame {} intact", seq);
                    assert_eq!(len, 60 + (seq % 1400) as usize);
                    assert!(
                        last.map_or(true, |l| seq > l),
                        "frame {} after {:?}",
                        seq,
                        last
                    );
                    last = Some(seq);
                    got += 1;
                }
                if finished && n == 0 {
                    break;
                }
            }
            got
        });
        writer.join().unwrap();
        reader.join().unwrap()
    });
    let s = v.iface().unwrap().stats();
    println!(
        "{} frames written: {} read + {} dropped (rx queue full)",
        s.tx_frames, received, s.rx_dropped
    );
    assert_eq!(s.tx_frames, u64::from(N));
    assert_eq!(s.rx_frames, received);
    assert_eq!(s.rx_frames + s.rx_dropped, s.tx_frames);
}

#[test]
fn iface_is_send_and_sync() {
    fn both<T: Send + Sync>() {}
    both::<Iface>();
    both::<VmnetIface>();
    // An Arc<Iface> moved into two threads, as a VMM's RX and TX paths.
    let iface = Arc::new(loopback());
    let tx = {
        let i = iface.clone();
        std::thread::spawn(move || i.write(&[&frame(5, 64)[..]]).unwrap())
    };
    assert_eq!(tx.join().unwrap(), 1);
    let rx = {
        let i = iface.clone();
        std::thread::spawn(move || {
            let mut b = [0u8; 1514];
            let mut sizes = [0usize; 1];
            i.wait(Some(Duration::from_secs(1))).unwrap();
            i.read(&mut [&mut b[..]], &mut sizes).unwrap()
        })
    };
    assert_eq!(rx.join().unwrap(), 1);
}
