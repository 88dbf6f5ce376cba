// SPDX-License-Identifier: Apache-2.0
//! errors.rs - every refusal maps to its IfaceError variant with the
//! library's message; the small helpers of the C API

use std::io;
use std::time::Duration;

use squib_net::{
    iface_id_valid, mac_format, mac_generate, mac_parse, tap_name, version, Iface, IfaceError,
    InterfaceParams, Mode, ModeInfo, Params, VmnetIface, VmnetMode,
};

/// refusal() - the error starting `p` gives; panics if it starts
fn refusal(p: &Params) -> IfaceError {
    match Iface::start(p) {
        Ok(i) => panic!("{:?} started", i),
        Err(e) => e,
    }
}

/// vmnet_refusal() - the same through VmnetIface::start
fn vmnet_refusal(p: InterfaceParams) -> IfaceError {
    match VmnetIface::start(p) {
        Ok(i) => panic!("{:?} started", i),
        Err(e) => e,
    }
}

#[test]
fn bad_iface_id() {
    let e = vmnet_refusal(InterfaceParams::new("bad id!", VmnetMode::Shared));
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(e.message().contains("iface_id \"bad id!\""), "{}", e);
    assert_eq!(e.errno(), 22);
    assert_eq!(e.to_string(), e.message());
    assert_eq!(io::Error::from(e).kind(), io::ErrorKind::InvalidInput);

    let e = refusal(&Params::new("", Mode::Loopback));
    assert!(e.message().contains("iface_id is empty"), "{}", e);
    let e = refusal(&Params::new("x".repeat(65), Mode::Loopback));
    assert!(e.message().contains("longer than 64"), "{}", e);
    // A NUL cannot reach C: refused here, with the same kind of message.
    let e = refusal(&Params::new("eth\u{0}0", Mode::Loopback));
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(
        e.message()
            .contains("iface_id \"eth\\00\" has a NUL byte at offset 3"),
        "{}",
        e
    );
}

#[test]
fn bad_mtu() {
    let mut p = InterfaceParams::new("eth0", VmnetMode::Shared);
    p.mtu = Some(10);
    let e = vmnet_refusal(p);
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(
        e.message()
            .contains("mtu 10 is out of range: use 68 to 65535"),
        "{}",
        e
    );
    let e = refusal(&Params::new("eth0", Mode::Loopback).mtu(70_000));
    assert!(e.message().contains("mtu 70000 is out of range"), "{}", e);
}

#[test]
fn other_bad_params() {
    let e = refusal(&Params::new("eth0", Mode::Loopback).start_timeout(Duration::from_secs(601)));
    assert!(
        e.message().contains("start_timeout_ms 601000 is more than"),
        "{}",
        e
    );
    let e = refusal(&Params::new("eth0", Mode::Loopback).guest_mac([1, 0, 0, 0, 0, 1]));
    assert!(
        e.message()
            .contains("guest_mac 01:00:00:00:00:01 is a multicast address"),
        "{}",
        e
    );
    let e = refusal(&Params::new("eth0", Mode::Loopback).max_frame(5));
    assert!(e.message().contains("max_frame 5 is out of range"), "{}", e);
    let e = refusal(&Params::new("eth0", Mode::Slirp).forward("tcp:nonsense"));
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(e.message().contains("tcp:nonsense"), "{}", e);
}

#[cfg(not(target_os = "macos"))]
#[test]
fn vmnet_mode_not_supported_here() {
    for mode in [VmnetMode::Shared, VmnetMode::Host, VmnetMode::Bridged] {
        let mut p = InterfaceParams::new("eth0", mode);
        p.bridged_iface_name = Some("en0".into());
        let e = vmnet_refusal(p);
        assert!(e.is_not_supported(), "{}: {:?}", mode, e);
        assert!(matches!(e, IfaceError::NotSupported { .. }));
        assert!(e.message().contains("modes that work here"), "{}", e);
        assert!(e.message().contains("loopback"), "{}", e);
        assert_eq!(io::Error::from(e).kind(), io::ErrorKind::Unsupported);
        assert!(mode.as_mode().supported().is_err());
    }
}

#[test]
fn modes() {
    assert_eq!("slirp".parse::<Mode>().unwrap(), Mode::Slirp);
    assert_eq!("loopback".parse::<Mode>().unwrap(), Mode::Loopback);
    let e = "nope".parse::<Mode>().unwrap_err();
    assert!(e.message().contains("mode \"nope\" is unknown"), "{}", e);
    for m in Mode::ALL {
        assert_eq!(m.name().parse::<Mode>().unwrap(), m, "{}", m);
    }
    assert_eq!(Mode::Tap.to_string(), "tap");
    assert!(Mode::Loopback.supported().is_ok());
    assert_ne!(Mode::Default.resolve(), Mode::Default);
    assert_eq!(Mode::Slirp.resolve(), Mode::Slirp);
    #[cfg(target_os = "linux")]
    {
        assert_eq!(Mode::Default.resolve(), Mode::Slirp);
        let why = Mode::Shared.supported().unwrap_err();
        assert!(!why.is_empty());
    }
    assert_eq!(Mode::from(VmnetMode::Host), Mode::Host);

    // What the library's table says of each mode.
    let slirp = Mode::Slirp.info();
    assert_eq!((slirp.mode, slirp.name.as_str()), (Mode::Slirp, "slirp"));
    assert!(
        slirp.has_dhcp() && slirp.one_lock() && slirp.offload(),
        "{:?}",
        slirp
    );
    assert!(slirp.uses & ModeInfo::PARAMS_SLIRP != 0, "{:?}", slirp);
    assert!(slirp.supported && slirp.why_not.is_empty(), "{:?}", slirp);
    let lo = Mode::Loopback.info();
    assert!(
        !lo.has_dhcp() && lo.supported && !lo.summary.is_empty(),
        "{:?}",
        lo
    );
    assert_eq!(Mode::Default.info().mode, Mode::Default.resolve());
    let tap = Mode::Tap.info();
    assert!(tap.needs & ModeInfo::PARAMS_DEVICE != 0, "{:?}", tap);
    let bridged = Mode::Bridged.info();
    assert_eq!(bridged.platform, "macOS");
    assert!(
        bridged.needs & ModeInfo::PARAMS_BRIDGED != 0,
        "{:?}",
        bridged
    );
    for m in Mode::ALL {
        let i = m.info();
        assert_eq!(i.supported, m.resolve().supported().is_ok(), "{:?}", i);
        assert_eq!(i.uses & i.needs, i.needs, "needs within uses: {:?}", i);
    }
    #[cfg(target_os = "linux")]
    {
        let shared = Mode::Shared.info();
        assert!(
            !shared.supported && shared.why_not.contains("macOS"),
            "{:?}",
            shared
        );
    }
    assert_eq!(VmnetMode::default(), VmnetMode::Shared);
}

#[test]
fn helpers() {
    assert!(version().starts_with("0."), "{}", version());
    let mac = mac_parse("AA:bb:0C:dd:ee:0f").unwrap();
    assert_eq!(mac, [0xaa, 0xbb, 0x0c, 0xdd, 0xee, 0x0f]);
    assert_eq!(mac_format(&mac), "aa:bb:0c:dd:ee:0f");
    let e = mac_parse("aa:bb").unwrap_err();
    assert!(matches!(e, IfaceError::Invalid { .. }));
    assert!(!e.message().is_empty());
    let g = mac_generate().unwrap();
    assert_eq!(g[..2], [0x06, 0x00]);
    assert!(iface_id_valid("eth_0"));
    assert!(!iface_id_valid("eth 0"));
    assert!(!iface_id_valid("eth\u{0}"));
    assert_eq!(tap_name("eth0").unwrap(), "squib-tap-eth0");
    assert!(tap_name("a_long_interface_id").unwrap().len() <= 15);
    let e = tap_name("bad id").unwrap_err();
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
}

#[test]
fn bad_policy_rule() {
    let p = Params::new("eth0", Mode::Loopback)
        .policy_rule("allow-host=pypi.org")
        .policy_rule("allow-net=10.0.0.1/8");
    let e = refusal(&p);
    assert!(matches!(e, IfaceError::Invalid { .. }), "{:?}", e);
    assert!(
        e.message()
            .contains("policy rule 1: allow-net \"10.0.0.1/8\": host bits set"),
        "{}",
        e
    );
    // a good set starts
    let p = Params::new("eth0", Mode::Loopback).policy_rule("deny-all");
    Iface::start(&p).expect("a policy of deny-all starts");
}
